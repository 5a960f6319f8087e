//! The analysis options of a report as one source gives them: the flags of
//! `driftmend report`, a policy's `report:` block, and any later front end
//! (Python keyword arguments). Every field is optional and already typed, so
//! each source parses its own text once, with errors in its own terms (a
//! flag, a `file:line:col`). Sources layer with [`AnalysisOptions::over`]
//! (defaults < policy < flags); [`AnalysisOptions::resolve`] then fills in
//! the defaults of [`AnalysisSettings`] and checks what spans fields. Pure.

use std::collections::BTreeMap;

use serde::Serialize;

use super::build::{AnalysisSettings, MethodChoice};
use super::model::Correction;
use super::preset::Preset;
use crate::stats::cbpe::Calibration;
use crate::stats::{Binning, Method};

/// Options as one source gave them; `None` (or empty) means "not given".
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AnalysisOptions {
    pub columns: Option<Vec<String>>,
    pub exclude: Vec<String>,
    pub categorical: Vec<String>,
    pub numerical: Vec<String>,
    pub target: Option<String>,
    pub prediction: Option<String>,
    #[serde(serialize_with = "display")]
    pub num_method: Option<MethodChoice>,
    #[serde(serialize_with = "display")]
    pub cat_method: Option<MethodChoice>,
    #[serde(serialize_with = "display")]
    pub target_method: Option<MethodChoice>,
    #[serde(serialize_with = "display")]
    pub prediction_method: Option<MethodChoice>,
    /// Column -> method.
    #[serde(serialize_with = "display_map")]
    pub methods: BTreeMap<String, Method>,
    pub threshold: Option<f64>,
    /// Column -> threshold.
    pub thresholds: BTreeMap<String, f64>,
    #[serde(serialize_with = "display")]
    pub bins: Option<Binning>,
    pub drift_share: Option<f64>,
    pub min_effect: Option<f64>,
    pub correction: Option<Correction>,
    pub seed: Option<u64>,
    pub permutations: Option<usize>,
    pub mmd_sample: Option<usize>,
    pub missing_increase: Option<f64>,
    pub out_of_range: Option<f64>,
    pub positive_label: Option<String>,
    pub prediction_threshold: Option<f64>,
    #[serde(serialize_with = "display")]
    pub preset: Option<Preset>,
    pub calibrate: Option<usize>,
    /// Estimated performance (CBPE): whether to calibrate the scores.
    pub calibration: Option<Calibration>,
    /// Multivariate drift by PCA data reconstruction.
    pub multivariate: Option<bool>,
    /// Share of variance the kept principal components explain.
    pub pca_variance: Option<f64>,
}

/// An option whose value does not fit: `key` is its name in the policy's
/// `report:` block (`permutations`); the caller says it as a flag or a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionError {
    pub key: &'static str,
    pub message: String,
}

/// Which columns a method option is for: what it must accept, and whether
/// `auto` is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodFor {
    Numerical,
    Categorical,
    /// A role (target, prediction): any kind.
    Role,
    /// One named column: a method must be named (`auto` is the default).
    Column,
}

/// Parses a method option; the error says why the name does not fit.
pub fn parse_method(name: &str, usage: MethodFor) -> Result<MethodChoice, String> {
    if name.eq_ignore_ascii_case("auto") {
        return match usage {
            MethodFor::Column => {
                Err("`auto` is the default; name a method or remove this column".to_string())
            }
            _ => Ok(MethodChoice::Auto),
        };
    }
    let method: Method = name.parse()?;
    let fits = match usage {
        MethodFor::Numerical => method.accepts_numerical(),
        MethodFor::Categorical => method.accepts_categorical(),
        MethodFor::Role | MethodFor::Column => true,
    };
    if !fits {
        let kind = if usage == MethodFor::Numerical {
            "numerical"
        } else {
            "categorical"
        };
        return Err(format!("`{method}` does not apply to {kind} columns"));
    }
    Ok(MethodChoice::Fixed(method))
}

impl AnalysisOptions {
    /// `self` layered over `lower`: each option `self` gives wins; per-column
    /// maps merge, `self`'s entry winning for a column both name.
    pub fn over(self, lower: AnalysisOptions) -> AnalysisOptions {
        fn list(upper: Vec<String>, lower: Vec<String>) -> Vec<String> {
            if upper.is_empty() {
                lower
            } else {
                upper
            }
        }
        fn map<V>(
            upper: BTreeMap<String, V>,
            mut lower: BTreeMap<String, V>,
        ) -> BTreeMap<String, V> {
            lower.extend(upper);
            lower
        }
        AnalysisOptions {
            columns: self.columns.or(lower.columns),
            exclude: list(self.exclude, lower.exclude),
            categorical: list(self.categorical, lower.categorical),
            numerical: list(self.numerical, lower.numerical),
            target: self.target.or(lower.target),
            prediction: self.prediction.or(lower.prediction),
            num_method: self.num_method.or(lower.num_method),
            cat_method: self.cat_method.or(lower.cat_method),
            target_method: self.target_method.or(lower.target_method),
            prediction_method: self.prediction_method.or(lower.prediction_method),
            methods: map(self.methods, lower.methods),
            threshold: self.threshold.or(lower.threshold),
            thresholds: map(self.thresholds, lower.thresholds),
            bins: self.bins.or(lower.bins),
            drift_share: self.drift_share.or(lower.drift_share),
            min_effect: self.min_effect.or(lower.min_effect),
            correction: self.correction.or(lower.correction),
            seed: self.seed.or(lower.seed),
            permutations: self.permutations.or(lower.permutations),
            mmd_sample: self.mmd_sample.or(lower.mmd_sample),
            missing_increase: self.missing_increase.or(lower.missing_increase),
            out_of_range: self.out_of_range.or(lower.out_of_range),
            positive_label: self.positive_label.or(lower.positive_label),
            prediction_threshold: self.prediction_threshold.or(lower.prediction_threshold),
            preset: self.preset.or(lower.preset),
            calibrate: self.calibrate.or(lower.calibrate),
            calibration: self.calibration.or(lower.calibration),
            multivariate: self.multivariate.or(lower.multivariate),
            pca_variance: self.pca_variance.or(lower.pca_variance),
        }
    }

    /// The settings a report is built with: the defaults of
    /// [`AnalysisSettings`] where nothing was given, and every value checked.
    /// `name` says an option as its source knows it (`--mmd-sample`,
    /// `report.mmd_sample`), for messages that mention another option.
    pub fn resolve(self, name: fn(&str) -> String) -> Result<AnalysisSettings, OptionError> {
        let preset = self.preset.unwrap_or_default();
        let d = match preset {
            Preset::Default => AnalysisSettings::default(),
            Preset::Evidently => AnalysisSettings::evidently(),
        };
        let fail = |key, message: String| Err(OptionError { key, message });
        if let Some(n) = self.calibrate {
            if n < 2 {
                return fail(
                    "calibrate",
                    "needs at least 2 chunks (each is scored against the rest)".to_string(),
                );
            }
            if preset == Preset::Evidently {
                return fail(
                    "calibrate",
                    format!(
                        "calibrates the effect gate of preset `default`; `{}` is `evidently`",
                        name("preset")
                    ),
                );
            }
        }
        if let Some(both) = self.categorical.iter().find(|c| self.numerical.contains(c)) {
            return fail(
                "categorical",
                format!("`{both}` is also in `{}`; pick one", name("numerical")),
            );
        }
        if self.permutations == Some(0) {
            return fail("permutations", "needs at least 1".to_string());
        }
        if self.mmd_sample.is_some_and(|n| n < 2) {
            return fail("mmd_sample", "needs at least 2 values per side".to_string());
        }
        let non_negative = [
            ("threshold", self.threshold),
            ("min_effect", self.min_effect),
        ]
        .into_iter()
        .chain(self.thresholds.values().map(|x| ("threshold", Some(*x))));
        for (key, x) in non_negative {
            if let Some(x) = x.filter(|x| !x.is_finite() || *x < 0.0) {
                return fail(key, format!("`{x}` must be a finite number >= 0"));
            }
        }
        let shares = [
            ("drift_share", self.drift_share),
            ("missing_increase", self.missing_increase),
            ("out_of_range", self.out_of_range),
            ("prediction_threshold", self.prediction_threshold),
        ];
        for (key, x) in shares {
            if let Some(x) = x.filter(|x| !(0.0..=1.0).contains(x)) {
                return fail(key, format!("`{x}` must be between 0 and 1"));
            }
        }
        if let Some(x) = self.pca_variance.filter(|x| !(*x > 0.0 && *x < 1.0)) {
            return fail(
                "pca_variance",
                format!("`{x}` must be between 0 and 1 (exclusive)"),
            );
        }
        let mut method_options = d.method_options;
        method_options.bins = self.bins.unwrap_or(method_options.bins);
        method_options.seed = self.seed.unwrap_or(method_options.seed);
        method_options.permutations = self.permutations.or(method_options.permutations);
        method_options.mmd_sample = self.mmd_sample.unwrap_or(method_options.mmd_sample);
        let mut quality = d.quality;
        quality.missing_increase = self.missing_increase.unwrap_or(quality.missing_increase);
        quality.out_of_range = self.out_of_range.unwrap_or(quality.out_of_range);
        Ok(AnalysisSettings {
            columns: self.columns,
            exclude: self.exclude,
            categorical: self.categorical,
            numerical: self.numerical,
            target: self.target,
            prediction: self.prediction,
            num_method: self.num_method.unwrap_or(d.num_method),
            cat_method: self.cat_method.unwrap_or(d.cat_method),
            methods: self.methods,
            threshold: self.threshold,
            thresholds: self.thresholds,
            drift_share: self.drift_share.unwrap_or(d.drift_share),
            method_options,
            quality,
            min_effect: self.min_effect,
            correction: self.correction.unwrap_or(d.correction),
            target_method: self.target_method.unwrap_or(d.target_method),
            prediction_method: self.prediction_method.unwrap_or(d.prediction_method),
            positive_label: self.positive_label,
            prediction_threshold: self.prediction_threshold.unwrap_or(d.prediction_threshold),
            preset,
            calibrate: self.calibrate,
            calibration: self.calibration.unwrap_or(d.calibration),
            multivariate: self.multivariate.unwrap_or(d.multivariate),
            pca_variance: self.pca_variance.unwrap_or(d.pca_variance),
        })
    }
}

fn display<T: std::fmt::Display, S: serde::Serializer>(
    value: &Option<T>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) => s.collect_str(v),
        None => s.serialize_none(),
    }
}

fn display_map<S: serde::Serializer>(
    map: &BTreeMap<String, Method>,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_map(map.iter().map(|(k, v)| (k, v.to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy_key(key: &str) -> String {
        format!("report.{key}")
    }

    #[test]
    fn methods_parse_by_what_they_are_for() {
        use MethodFor::*;
        let cases: &[(&str, MethodFor, Result<&str, &str>)] = &[
            ("auto", Numerical, Ok("auto")),
            ("AUTO", Role, Ok("auto")),
            ("ks", Numerical, Ok("ks")),
            ("chisquare", Categorical, Ok("chisquare")),
            ("ks", Column, Ok("ks")),
            ("chisquare", Role, Ok("chisquare")),
            (
                "ks",
                Categorical,
                Err("`ks` does not apply to categorical columns"),
            ),
            (
                "chisquare",
                Numerical,
                Err("`chisquare` does not apply to numerical columns"),
            ),
            (
                "auto",
                Column,
                Err("`auto` is the default; name a method or remove this column"),
            ),
        ];
        for (name, usage, want) in cases {
            let got = parse_method(name, *usage).map(|m| m.to_string());
            assert_eq!(
                got.as_deref().map_err(String::as_str),
                *want,
                "{name} for {usage:?}"
            );
        }
        let unknown = parse_method("kss", Numerical).unwrap_err();
        assert_eq!(unknown, "unknown drift method `kss` (did you mean `ks`?)");
        let unknown = parse_method("nothing-like-it", Numerical).unwrap_err();
        assert!(
            unknown.starts_with(
                "unknown drift method `nothing-like-it`: expected `auto` or one of ks,"
            ),
            "{unknown}"
        );
    }

    #[test]
    fn upper_layer_wins_and_column_maps_merge() {
        let policy = AnalysisOptions {
            exclude: vec!["id".into()],
            num_method: Some(MethodChoice::Fixed(Method::Ks)),
            drift_share: Some(0.3),
            thresholds: BTreeMap::from([("a".into(), 0.1), ("b".into(), 0.2)]),
            ..Default::default()
        };
        let flags = AnalysisOptions {
            drift_share: Some(0.6),
            thresholds: BTreeMap::from([("b".into(), 0.5)]),
            ..Default::default()
        };
        let merged = flags.over(policy);
        assert_eq!(merged.exclude, ["id"]);
        assert_eq!(merged.num_method, Some(MethodChoice::Fixed(Method::Ks)));
        assert_eq!(merged.drift_share, Some(0.6));
        assert_eq!(
            merged.thresholds,
            BTreeMap::from([("a".into(), 0.1), ("b".into(), 0.5)])
        );
    }

    #[test]
    fn nothing_given_resolves_to_the_defaults() {
        assert_eq!(
            AnalysisOptions::default().resolve(policy_key),
            Ok(AnalysisSettings::default())
        );
    }

    #[test]
    fn values_that_do_not_fit_name_their_option() {
        let cases: Vec<(AnalysisOptions, &str, &str)> = vec![
            (
                AnalysisOptions {
                    categorical: vec!["a".into()],
                    numerical: vec!["a".into()],
                    ..Default::default()
                },
                "categorical",
                "`a` is also in `report.numerical`; pick one",
            ),
            (
                AnalysisOptions {
                    permutations: Some(0),
                    ..Default::default()
                },
                "permutations",
                "needs at least 1",
            ),
            (
                AnalysisOptions {
                    mmd_sample: Some(1),
                    ..Default::default()
                },
                "mmd_sample",
                "needs at least 2 values per side",
            ),
            (
                AnalysisOptions {
                    drift_share: Some(1.5),
                    ..Default::default()
                },
                "drift_share",
                "`1.5` must be between 0 and 1",
            ),
            (
                AnalysisOptions {
                    threshold: Some(-1.0),
                    ..Default::default()
                },
                "threshold",
                "`-1` must be a finite number >= 0",
            ),
            (
                AnalysisOptions {
                    thresholds: BTreeMap::from([("a".into(), f64::NAN)]),
                    ..Default::default()
                },
                "threshold",
                "`NaN` must be a finite number >= 0",
            ),
        ];
        for (options, key, message) in cases {
            assert_eq!(
                options.resolve(policy_key),
                Err(OptionError {
                    key,
                    message: message.to_string()
                })
            );
        }
    }
}
