//! The catalogue of drift methods: names users type, which column kinds each
//! accepts, what its score means, default thresholds, Evidently's `auto`
//! choice, and the dispatch from a method to its statistic.

use std::fmt;
use std::str::FromStr;

use super::mmd::MmdOptions;
use super::test_result::TestResult;
use super::{
    anderson, binning, categorical, contingency, cramer, distance, energy, epps, homogeneity, ks,
    mmd, ranks, robust, ttest, CategoryCounts, Sample, Shares, StatsError,
};

/// What a score is: a p-value (small means drift) or a distance (large means
/// drift).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoreKind {
    PValue,
    Distance,
}

/// A drift method as named on the command line and in reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Method {
    Ks,
    ChiSquare,
    Chi2,
    Z,
    Wasserstein,
    JensenShannon,
    Psi,
    KlDiv,
    Hellinger,
    Anderson,
    CramerVonMises,
    MannWhitney,
    TTest,
    Welch,
    EppsSingleton,
    Energy,
    EnergyNorm,
    Mmd,
    FisherExact,
    GTest,
    Tvd,
    Linf,
}

impl serde::Serialize for Method {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// By its name, as serialized (a cached report is read back).
impl<'de> serde::Deserialize<'de> for Method {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

/// What a method computed: its score (what the threshold applies to) and,
/// where the method has one besides, its test statistic or distance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score {
    pub value: f64,
    pub statistic: Option<f64>,
}

impl Score {
    fn of(value: f64) -> Score {
        Score {
            value,
            statistic: None,
        }
    }

    fn with(value: f64, statistic: f64) -> Score {
        Score {
            value,
            statistic: Some(statistic),
        }
    }
}

/// Knobs of the methods that bin, sample or permute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MethodOptions {
    pub bins: Binning,
    /// Seed of every permutation test and subsample: same seed, same report.
    pub seed: u64,
    /// Permutations behind `tvd`'s and `empirical_mmd`'s p-values; `None`
    /// for each method's default (1000 and 200).
    pub permutations: Option<usize>,
    /// `empirical_mmd` subsamples each side to at most this many values.
    pub mmd_sample: usize,
    /// Besag & Clifford's sequential stop for the permutation tests (see
    /// `sequential::p_value`); `None` runs every permutation.
    pub stop_after: Option<usize>,
    /// `ks` computes its exact p-value for unequal sizes only up to this
    /// `n * m` (asymptotic beyond); `None` for scipy's `auto` (exact up to
    /// 10 000 per side, which can take seconds).
    pub ks_exact_work: Option<u64>,
}

impl Default for MethodOptions {
    fn default() -> Self {
        MethodOptions {
            bins: Binning::Evidently,
            seed: 0,
            permutations: None,
            mmd_sample: MmdOptions::default().max_per_side,
            stop_after: None,
            ks_exact_work: None,
        }
    }
}

/// How numerical values are binned for the histogram-based methods (`psi`,
/// `kl_div`, `jensenshannon`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Binning {
    /// Evidently's: Sturges equal-width bins over the combined range when the
    /// reference has more than 20 distinct values, else one bin per distinct
    /// value of the union.
    #[default]
    Evidently,
    /// `N` bins cut at the reference quantiles `k/N`, open at both ends.
    Quantile(usize),
}

impl FromStr for Binning {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "evidently" || s == "auto" {
            return Ok(Binning::Evidently);
        }
        let n = s
            .strip_prefix("quantile:")
            .ok_or_else(|| format!("unknown binning `{s}`: expected `auto` or `quantile:N`"))?;
        match n.parse::<usize>() {
            Ok(n) if (2..=1000).contains(&n) => Ok(Binning::Quantile(n)),
            _ => Err(format!(
                "`{s}`: N in `quantile:N` must be a whole number from 2 to 1000"
            )),
        }
    }
}

impl fmt::Display for Binning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Binning::Evidently => f.write_str("auto"),
            Binning::Quantile(n) => write!(f, "quantile:{n}"),
        }
    }
}

impl Method {
    pub const ALL: [Method; 22] = [
        Method::Ks,
        Method::ChiSquare,
        Method::Chi2,
        Method::Z,
        Method::Wasserstein,
        Method::JensenShannon,
        Method::Psi,
        Method::KlDiv,
        Method::Hellinger,
        Method::Anderson,
        Method::CramerVonMises,
        Method::MannWhitney,
        Method::TTest,
        Method::Welch,
        Method::EppsSingleton,
        Method::Energy,
        Method::EnergyNorm,
        Method::Mmd,
        Method::FisherExact,
        Method::GTest,
        Method::Tvd,
        Method::Linf,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Method::Ks => "ks",
            Method::ChiSquare => "chisquare",
            Method::Chi2 => "chi2",
            Method::Z => "z",
            Method::Wasserstein => "wasserstein",
            Method::JensenShannon => "jensenshannon",
            Method::Psi => "psi",
            Method::KlDiv => "kl_div",
            Method::Hellinger => "hellinger",
            Method::Anderson => "anderson",
            Method::CramerVonMises => "cramer_von_mises",
            Method::MannWhitney => "mannw",
            Method::TTest => "t_test",
            Method::Welch => "welch",
            Method::EppsSingleton => "es",
            Method::Energy => "ed",
            Method::EnergyNorm => "ed_norm",
            Method::Mmd => "empirical_mmd",
            Method::FisherExact => "fisher_exact",
            Method::GTest => "g_test",
            Method::Tvd => "tvd",
            Method::Linf => "linf",
        }
    }

    /// Names other tools (Evidently, NannyML, Alibi Detect, frouros, scipy)
    /// use for the same method, compared after `normalize`.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Method::Ks => &["kolmogorovsmirnov", "kstest", "ks2samp"],
            Method::ChiSquare => &["chisq", "chisquaretest", "chisquaregof"],
            Method::Chi2 => &["chisquare2samp", "chi2contingency", "chi2test"],
            Method::Z => &["ztest", "proportionsztest"],
            Method::Wasserstein => &["wassersteindistance", "wassersteinnorm", "emd"],
            Method::JensenShannon => &["js", "jensenshannondistance", "jsdistance"],
            Method::Psi => &["populationstabilityindex"],
            Method::KlDiv => &["kl", "kldivergence", "kullbackleibler"],
            Method::Hellinger => &["hellingerdistance"],
            Method::Anderson => &["andersondarling", "andersonksamp", "ad"],
            Method::CramerVonMises => &["cvm", "cvmtest", "cramervonmises2samp", "cramer"],
            Method::MannWhitney => &["mannwhitney", "mannwhitneyu", "mannwhitneyutest", "mwu"],
            Method::TTest => &["ttest", "student", "studentt", "ttestind"],
            Method::Welch => &["welchttest", "welcht"],
            Method::EppsSingleton => &["eppssingleton", "eppssingleton2samp"],
            Method::Energy => &["energydistance", "energy"],
            Method::EnergyNorm => &["energydistancenorm", "energynorm"],
            Method::Mmd => &["mmd", "maximummeandiscrepancy"],
            Method::FisherExact => &["fisher", "fisherexacttest"],
            Method::GTest => &["g", "gstattest", "loglikelihoodratio"],
            Method::Tvd => &["totalvariation", "totalvariationdistance"],
            Method::Linf => &["linfinity", "infinitynorm", "linfinitydistance"],
        }
    }

    pub fn score_kind(self) -> ScoreKind {
        match self {
            Method::Wasserstein
            | Method::JensenShannon
            | Method::Psi
            | Method::KlDiv
            | Method::Hellinger
            | Method::Energy
            | Method::EnergyNorm
            | Method::Linf => ScoreKind::Distance,
            _ => ScoreKind::PValue,
        }
    }

    /// Each method's default threshold (Evidently's where it has the method).
    pub fn default_threshold(self) -> f64 {
        match self {
            Method::Ks
            | Method::ChiSquare
            | Method::Chi2
            | Method::Z
            | Method::MannWhitney
            | Method::TTest
            | Method::Welch
            | Method::EppsSingleton => 0.05,
            _ => 0.1,
        }
    }

    /// Whether a user may pick this method for numerical columns.
    pub fn accepts_numerical(self) -> bool {
        !matches!(
            self,
            Method::ChiSquare
                | Method::Chi2
                | Method::Z
                | Method::FisherExact
                | Method::GTest
                | Method::Tvd
                | Method::Linf
        )
    }

    /// Whether a user may pick this method for categorical columns.
    pub fn accepts_categorical(self) -> bool {
        matches!(
            self,
            Method::ChiSquare
                | Method::Chi2
                | Method::Z
                | Method::JensenShannon
                | Method::Psi
                | Method::KlDiv
                | Method::Hellinger
                | Method::FisherExact
                | Method::GTest
                | Method::Tvd
                | Method::Linf
        )
    }

    /// The verdict for a score, with each method's own comparison as
    /// Evidently makes it: `p <= t` for KS and Cramer-von Mises, `p < t` for
    /// the other p-values, `d > t` for energy distance, `d >= t` for the
    /// other distances.
    pub fn drifted(self, score: f64, threshold: f64) -> bool {
        match self {
            Method::Ks | Method::CramerVonMises => score <= threshold,
            Method::Energy | Method::EnergyNorm => score > threshold,
            _ => match self.score_kind() {
                ScoreKind::PValue => score < threshold,
                ScoreKind::Distance => score >= threshold,
            },
        }
    }

    /// Whether this method's score is the effect size `effect_size` reports
    /// for a column of this kind (normalised Wasserstein for numerical,
    /// Jensen-Shannon distance of category shares for categorical).
    pub fn measures_effect(self, numerical: bool) -> bool {
        matches!(
            (self, numerical),
            (Method::Wasserstein, true) | (Method::JensenShannon, false)
        )
    }

    /// Evidently's default choice. `reference_rows` counts the reference's
    /// non-missing values; `distinct` counts distinct values of both sides
    /// together.
    pub fn auto(numerical: bool, reference_rows: usize, distinct: usize) -> Method {
        match (reference_rows <= 1000, numerical) {
            (true, true) if distinct > 5 => Method::Ks,
            (true, true) if distinct > 2 => Method::ChiSquare,
            (true, true) => Method::Z,
            (true, false) if distinct > 2 => Method::ChiSquare,
            (true, false) => Method::Z,
            (false, true) if distinct > 5 => Method::Wasserstein,
            (false, _) => Method::JensenShannon,
        }
    }

    /// The default preset's choice, the same at every size: KS for
    /// numerical columns with more than 5 distinct values, the chi-square
    /// test of homogeneity (`chi2`) on the category (or distinct value)
    /// counts otherwise, booleans included. Both are true two-sample tests.
    pub fn auto_two_sample(numerical: bool, distinct: usize) -> Method {
        if numerical && distinct > 5 {
            Method::Ks
        } else {
            Method::Chi2
        }
    }

    /// Whether the method runs on category counts (numerical columns with
    /// few distinct values become one category per value).
    pub fn on_counts(self) -> bool {
        !self.accepts_numerical()
    }
}

/// Lower case, letters and digits only: `Mann-Whitney U` -> `mannwhitneyu`.
fn normalize(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Method {
    /// The method whose name or alias is within two edits of `normalized`
    /// (a swap of neighbours is one), for "did you mean".
    fn closest(normalized: &str) -> Option<Method> {
        Method::ALL
            .into_iter()
            .flat_map(|m| {
                std::iter::once(normalize(m.name()))
                    .chain(m.aliases().iter().map(|a| a.to_string()))
                    .map(move |n| (strsim::osa_distance(normalized, &n), m))
            })
            .filter(|(d, _)| *d <= 2)
            .min_by_key(|(d, _)| *d)
            .map(|(_, m)| m)
    }
}

impl FromStr for Method {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = normalize(s);
        Method::ALL
            .into_iter()
            .find(|m| normalize(m.name()) == wanted || m.aliases().contains(&wanted.as_str()))
            .ok_or_else(|| match Method::closest(&wanted) {
                Some(m) => format!("unknown drift method `{s}` (did you mean `{m}`?)"),
                None => {
                    let names: Vec<&str> = Method::ALL.iter().map(|m| m.name()).collect();
                    format!(
                        "unknown drift method `{s}`: expected `auto` or one of {}",
                        names.join(", ")
                    )
                }
            })
    }
}

/// Computes `method`'s score on `sample`. The caller has checked that the
/// method accepts the sample's kind; a mismatch is reported, not a panic.
pub fn compute(
    method: Method,
    sample: Sample<'_>,
    opts: &MethodOptions,
) -> Result<Score, StatsError> {
    match sample {
        Sample::Numerical { reference, current } => {
            non_empty(reference.len() as u64, current.len() as u64)?;
            numerical_score(method, reference, current, opts)
        }
        Sample::Categorical(counts) => {
            non_empty(counts.reference_total(), counts.current_total())?;
            categorical_score(method, counts, opts)
        }
    }
}

fn numerical_score(
    method: Method,
    reference: &[f64],
    current: &[f64],
    opts: &MethodOptions,
) -> Result<Score, StatsError> {
    let test = |r: TestResult| Score::with(r.p_value, r.statistic);
    Ok(match method {
        Method::Ks => ks::ks_2samp_bounded(reference, current, opts.ks_exact_work)
            .map(|r| Score::with(r.p_value, r.statistic))?,
        Method::Wasserstein => Score::of(distance::wasserstein_norm(reference, current)?),
        Method::Hellinger => Score::of(distance::hellinger_numerical(reference, current)?),
        Method::Anderson => anderson::anderson_ksamp(reference, current)
            .map(|r| Score::with(r.significance_level, r.statistic))?,
        Method::CramerVonMises => test(cramer::cramer_von_mises(reference, current)?),
        Method::MannWhitney => test(ranks::mann_whitney(reference, current)?),
        Method::TTest => test(ttest::student(reference, current)?),
        Method::Welch => test(ttest::welch(reference, current)?),
        Method::EppsSingleton => test(epps::epps_singleton(reference, current)?),
        Method::Energy => Score::of(energy::energy_distance(reference, current)),
        Method::EnergyNorm => Score::of(energy::energy_distance_norm(reference, current)?),
        Method::Mmd => {
            let defaults = MmdOptions::default();
            let r = mmd::mmd_test(
                reference,
                current,
                MmdOptions {
                    max_per_side: opts.mmd_sample,
                    permutations: opts.permutations.unwrap_or(defaults.permutations),
                    seed: opts.seed,
                    stop_after: opts.stop_after,
                },
            )?;
            Score::with(r.p_value, r.statistic)
        }
        Method::JensenShannon | Method::Psi | Method::KlDiv => Score::of(share_score(
            method,
            binning::numerical_shares(reference, current, opts.bins)?,
        )),
        // Few distinct values (Evidently's `auto` picks these for numerical
        // columns with 2..5 values): one category per distinct value.
        _ => categorical_score(method, &binning::distinct_counts(reference, current), opts)?,
    })
}

fn categorical_score(
    method: Method,
    counts: &CategoryCounts,
    opts: &MethodOptions,
) -> Result<Score, StatsError> {
    Ok(match method {
        Method::ChiSquare => Score::of(categorical::chisquare(counts)?),
        Method::Chi2 => {
            let r = homogeneity::chi2_homogeneity(counts)?;
            Score::with(r.p_value, r.statistic)
        }
        Method::Z => Score::of(categorical::z_test(counts)?),
        Method::FisherExact => Score::of(contingency::fisher_exact(counts)?),
        Method::GTest => Score::of(contingency::g_test(counts)?),
        Method::Tvd => {
            let permutations = opts
                .permutations
                .unwrap_or(contingency::DEFAULT_PERMUTATIONS);
            let r = contingency::tvd_sequential(counts, permutations, opts.stop_after, opts.seed)?;
            Score::with(r.p_value, r.distance)
        }
        Method::Linf => Score::of(contingency::linf(counts)?),
        Method::Hellinger => Score::of(distance::hellinger_shares(&binning::category_shares(
            counts,
        ))),
        Method::JensenShannon | Method::Psi | Method::KlDiv => {
            Score::of(share_score(method, binning::category_shares(counts)))
        }
        other => {
            return Err(StatsError::Undefined(format!(
                "`{other}` needs numerical values"
            )));
        }
    })
}

fn non_empty(reference: u64, current: u64) -> Result<(), StatsError> {
    if reference == 0 {
        return Err(StatsError::Empty(super::Side::Reference));
    }
    if current == 0 {
        return Err(StatsError::Empty(super::Side::Current));
    }
    Ok(())
}

fn share_score(method: Method, mut shares: Shares) -> f64 {
    match method {
        Method::JensenShannon => distance::jensen_shannon(&shares),
        Method::Psi | Method::KlDiv => {
            binning::fill_zeros(&mut shares.reference);
            binning::fill_zeros(&mut shares.current);
            if method == Method::Psi {
                distance::psi(&shares)
            } else {
                distance::kl_div(&shares)
            }
        }
        _ => unreachable!("share_score is only called for share-based methods"),
    }
}

/// The effect size reported on every column whatever its method, so verdicts
/// can be weighed on a common scale: the normalised Wasserstein distance for
/// numerical columns, the Jensen-Shannon distance for categorical ones.
pub fn effect_size(sample: Sample<'_>) -> Result<f64, StatsError> {
    match sample {
        Sample::Numerical { reference, current } => {
            non_empty(reference.len() as u64, current.len() as u64)?;
            distance::wasserstein_norm(reference, current)
        }
        Sample::Categorical(counts) => {
            non_empty(counts.reference_total(), counts.current_total())?;
            Ok(distance::jensen_shannon(&binning::category_shares(counts)))
        }
    }
}

/// The effect measure of the default decision's second gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EffectMeasure {
    /// `robust::trimmed_wasserstein_norm`: the 1%-99% trimmed Wasserstein
    /// distance in robust standard deviations (IQR / 1.349).
    TrimmedWasserstein,
    /// Total variation distance of the category shares: the share of rows
    /// that would have to change category.
    Tvd,
}

impl EffectMeasure {
    pub fn name(self) -> &'static str {
        match self {
            EffectMeasure::TrimmedWasserstein => "trimmed_wasserstein",
            EffectMeasure::Tvd => "tvd",
        }
    }

    /// The measure for a column tested on its values (`trimmed_wasserstein`)
    /// or on its category / distinct-value counts (`tvd`).
    pub fn for_test(numerical: bool, method: Method) -> EffectMeasure {
        if numerical && !method.on_counts() {
            EffectMeasure::TrimmedWasserstein
        } else {
            EffectMeasure::Tvd
        }
    }
}

/// The default decision's effect size: outlier-robust, on the scale a
/// data scientist reads (robust SDs of shift, or the share of rows that
/// changed category).
pub fn robust_effect(measure: EffectMeasure, sample: Sample<'_>) -> Result<f64, StatsError> {
    match (measure, sample) {
        (EffectMeasure::TrimmedWasserstein, Sample::Numerical { reference, current }) => {
            robust::trimmed_wasserstein_norm(reference, current)
        }
        (EffectMeasure::Tvd, Sample::Numerical { reference, current }) => {
            non_empty(reference.len() as u64, current.len() as u64)?;
            contingency::total_variation(&binning::distinct_counts(reference, current))
        }
        (EffectMeasure::Tvd, Sample::Categorical(counts)) => contingency::total_variation(counts),
        (EffectMeasure::TrimmedWasserstein, Sample::Categorical(_)) => Err(StatsError::Undefined(
            "`trimmed_wasserstein` needs numerical values".to_string(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_matches_evidently_defaults() {
        assert_eq!(Method::auto(true, 1000, 6), Method::Ks);
        assert_eq!(Method::auto(true, 1000, 5), Method::ChiSquare);
        assert_eq!(Method::auto(true, 1000, 3), Method::ChiSquare);
        assert_eq!(Method::auto(true, 1000, 2), Method::Z);
        assert_eq!(Method::auto(false, 1000, 3), Method::ChiSquare);
        assert_eq!(Method::auto(false, 1000, 2), Method::Z);
        assert_eq!(Method::auto(true, 1001, 6), Method::Wasserstein);
        assert_eq!(Method::auto(true, 1001, 5), Method::JensenShannon);
        assert_eq!(Method::auto(false, 1001, 50), Method::JensenShannon);
    }

    #[test]
    fn names_round_trip_and_aliases_parse() {
        for m in Method::ALL {
            assert_eq!(m.name().parse::<Method>().unwrap(), m);
        }
        assert_eq!("JS".parse::<Method>().unwrap(), Method::JensenShannon);
        assert_eq!(
            "Mann-Whitney U".parse::<Method>().unwrap(),
            Method::MannWhitney
        );
        assert_eq!("CVMTest".parse::<Method>().unwrap(), Method::CramerVonMises);
        assert_eq!("l_infinity".parse::<Method>().unwrap(), Method::Linf);
        assert_eq!("kolmogorov_smirnov".parse::<Method>().unwrap(), Method::Ks);
        let err = "kss".parse::<Method>().unwrap_err();
        assert_eq!(err, "unknown drift method `kss` (did you mean `ks`?)");
        let err = "wasserstien".parse::<Method>().unwrap_err();
        assert_eq!(
            err,
            "unknown drift method `wasserstien` (did you mean `wasserstein`?)"
        );
    }

    #[test]
    fn verdict_directions() {
        assert!(Method::Ks.drifted(0.05, 0.05));
        assert!(!Method::ChiSquare.drifted(0.05, 0.05));
        assert!(Method::Psi.drifted(0.1, 0.1));
        assert!(!Method::Psi.drifted(0.09, 0.1));
        assert!(Method::CramerVonMises.drifted(0.1, 0.1));
        assert!(!Method::Energy.drifted(0.1, 0.1));
        assert!(!Method::Tvd.drifted(0.1, 0.1));
    }

    #[test]
    fn binning_parses() {
        assert_eq!(
            "quantile:10".parse::<Binning>().unwrap(),
            Binning::Quantile(10)
        );
        assert_eq!("auto".parse::<Binning>().unwrap(), Binning::Evidently);
        assert_eq!(
            "quantile:1".parse::<Binning>().unwrap_err().to_string(),
            "`quantile:1`: N in `quantile:N` must be a whole number from 2 to 1000"
        );
        assert_eq!(
            "deciles".parse::<Binning>().unwrap_err().to_string(),
            "unknown binning `deciles`: expected `auto` or `quantile:N`"
        );
    }
}
