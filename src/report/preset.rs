//! Presets: named bundles of analysis defaults (`--preset`, policy
//! `report.preset`). A preset only fills in what no flag or policy key
//! gives, so explicit options always win. Pure.

use serde::{Deserialize, Serialize};

use super::model::Correction;

/// Effect floor of the default decision for numerical columns: a shift of
/// 0.05 robust standard deviations (trimmed Wasserstein).
pub const NUMERICAL_FLOOR: f64 = 0.05;

/// Effect floor of the default decision for categorical, boolean and
/// few-valued columns: 1.5 percentage points of rows changing category
/// (total variation distance).
pub const CATEGORICAL_FLOOR: f64 = 0.015;

/// What `auto` and the verdict of each column mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    /// Two gates per column: a two-sample test (ks; chi2 for categorical,
    /// boolean and <= 5-valued columns) significant after Benjamini-Hochberg
    /// (--correction bh) AND an effect at least --min-effect (0.05 robust SD
    /// of trimmed Wasserstein for numbers, 0.015 TVD for categories)
    #[default]
    Default,
    /// Evidently's auto (ks/chisquare/z up to 1000 reference rows, then
    /// wasserstein/jensenshannon >= 0.1), one score per column, no
    /// correction, no effect floor: Evidently's decisions exactly
    Evidently,
}

impl Preset {
    pub fn name(self) -> &'static str {
        match self {
            Preset::Default => "default",
            Preset::Evidently => "evidently",
        }
    }

    /// Whether a column's verdict needs both gates (test and effect).
    pub fn two_gates(self) -> bool {
        self == Preset::Default
    }

    /// The correction unless one is given.
    pub fn correction(self) -> Correction {
        match self {
            Preset::Default => Correction::Bh,
            Preset::Evidently => Correction::None,
        }
    }
}

impl std::fmt::Display for Preset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Preset {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "default" => Ok(Preset::Default),
            "evidently" => Ok(Preset::Evidently),
            _ => Err(format!(
                "unknown preset `{s}`: expected `default` or `evidently`"
            )),
        }
    }
}
