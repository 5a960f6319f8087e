//! The catalogue of drift methods: names users type, which column kinds each
//! accepts, what its score means, default thresholds, Evidently's `auto`
//! choice, and the dispatch from a method to its statistic.

use std::fmt;
use std::str::FromStr;

use super::{binning, categorical, distance, ks, CategoryCounts, Sample, Shares, StatsError};

/// What a score is: a p-value (small means drift) or a distance (large means
/// drift).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoreKind {
    PValue,
    Distance,
}

/// A drift method as named on the command line and in reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Method {
    #[serde(rename = "ks")]
    Ks,
    #[serde(rename = "chisquare")]
    ChiSquare,
    #[serde(rename = "z")]
    Z,
    #[serde(rename = "wasserstein")]
    Wasserstein,
    #[serde(rename = "jensenshannon")]
    JensenShannon,
    #[serde(rename = "psi")]
    Psi,
    #[serde(rename = "kl_div")]
    KlDiv,
    #[serde(rename = "hellinger")]
    Hellinger,
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
    pub const ALL: [Method; 8] = [
        Method::Ks,
        Method::ChiSquare,
        Method::Z,
        Method::Wasserstein,
        Method::JensenShannon,
        Method::Psi,
        Method::KlDiv,
        Method::Hellinger,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Method::Ks => "ks",
            Method::ChiSquare => "chisquare",
            Method::Z => "z",
            Method::Wasserstein => "wasserstein",
            Method::JensenShannon => "jensenshannon",
            Method::Psi => "psi",
            Method::KlDiv => "kl_div",
            Method::Hellinger => "hellinger",
        }
    }

    pub fn score_kind(self) -> ScoreKind {
        match self {
            Method::Ks | Method::ChiSquare | Method::Z => ScoreKind::PValue,
            _ => ScoreKind::Distance,
        }
    }

    pub fn default_threshold(self) -> f64 {
        match self.score_kind() {
            ScoreKind::PValue => 0.05,
            ScoreKind::Distance => 0.1,
        }
    }

    pub fn accepts_numerical(self) -> bool {
        !matches!(self, Method::ChiSquare | Method::Z)
    }

    pub fn accepts_categorical(self) -> bool {
        !matches!(self, Method::Ks | Method::Wasserstein)
    }

    /// The verdict for a score, with each method's own comparison: KS flags
    /// `p <= t` while chi-square and z flag `p < t` (as Evidently does);
    /// distances flag `d >= t`.
    pub fn drifted(self, score: f64, threshold: f64) -> bool {
        match self {
            Method::Ks => score <= threshold,
            Method::ChiSquare | Method::Z => score < threshold,
            _ => score >= threshold,
        }
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
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Method {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        let alias = match wanted.as_str() {
            "kolmogorov_smirnov" | "kolmogorov-smirnov" => "ks",
            "chi2" | "chi_square" | "chi-square" => "chisquare",
            "z_test" | "ztest" => "z",
            "wasserstein_distance" | "wasserstein_norm" => "wasserstein",
            "js" | "jensen_shannon" | "jensen-shannon" => "jensenshannon",
            "kl" | "kl_divergence" => "kl_div",
            "hellinger_distance" => "hellinger",
            other => other,
        };
        Method::ALL
            .into_iter()
            .find(|m| m.name() == alias)
            .ok_or_else(|| {
                let names: Vec<&str> = Method::ALL.iter().map(|m| m.name()).collect();
                format!(
                    "unknown drift method `{s}`: expected `auto` or one of {}",
                    names.join(", ")
                )
            })
    }
}

/// Computes `method`'s score on `sample`. The caller has checked that the
/// method accepts the sample's kind; a mismatch is reported, not a panic.
pub fn compute(method: Method, sample: Sample<'_>, bins: Binning) -> Result<f64, StatsError> {
    match sample {
        Sample::Numerical { reference, current } => {
            non_empty(reference.len() as u64, current.len() as u64)?;
            match method {
                Method::Ks => ks::ks_2samp(reference, current).map(|r| r.p_value),
                Method::Wasserstein => distance::wasserstein_norm(reference, current),
                Method::Hellinger => distance::hellinger_numerical(reference, current),
                Method::ChiSquare | Method::Z => {
                    let counts = binning::distinct_counts(reference, current);
                    categorical_score(method, &counts)
                }
                Method::JensenShannon | Method::Psi | Method::KlDiv => {
                    let shares = binning::numerical_shares(reference, current, bins)?;
                    Ok(share_score(method, shares))
                }
            }
        }
        Sample::Categorical(counts) => {
            non_empty(counts.reference_total(), counts.current_total())?;
            categorical_score(method, counts)
        }
    }
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

fn categorical_score(method: Method, counts: &CategoryCounts) -> Result<f64, StatsError> {
    match method {
        Method::ChiSquare => categorical::chisquare(counts),
        Method::Z => categorical::z_test(counts),
        Method::Hellinger => Ok(distance::hellinger_shares(&binning::category_shares(
            counts,
        ))),
        Method::JensenShannon | Method::Psi | Method::KlDiv => {
            Ok(share_score(method, binning::category_shares(counts)))
        }
        Method::Ks | Method::Wasserstein => Err(StatsError::Undefined(format!(
            "`{method}` needs numerical values"
        ))),
    }
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
        let err = "kss".parse::<Method>().unwrap_err();
        assert!(err.contains("unknown drift method `kss`"), "{err}");
    }

    #[test]
    fn verdict_directions() {
        assert!(Method::Ks.drifted(0.05, 0.05));
        assert!(!Method::ChiSquare.drifted(0.05, 0.05));
        assert!(Method::Psi.drifted(0.1, 0.1));
        assert!(!Method::Psi.drifted(0.09, 0.1));
    }

    #[test]
    fn binning_parses() {
        assert_eq!(
            "quantile:10".parse::<Binning>().unwrap(),
            Binning::Quantile(10)
        );
        assert_eq!("auto".parse::<Binning>().unwrap(), Binning::Evidently);
        assert!("quantile:1".parse::<Binning>().is_err());
        assert!("deciles".parse::<Binning>().is_err());
    }
}
