//! Pure drift statistics on plain values: sorted finite `f64` slices for
//! numerical columns, aligned category counts for categorical ones.
//!
//! Must not read files, look at the clock, print, or know about polars. Every
//! number here is checked against scipy / Evidently reference values kept in
//! `fixtures/reference/` (see `scripts/reference/`).

pub mod anderson;
pub mod binning;
pub mod categorical;
pub mod cbpe;
pub mod contingency;
pub mod correction;
pub mod cramer;
pub mod describe;
pub mod distance;
pub mod eigen;
pub mod energy;
pub mod epps;
pub mod error;
pub mod homogeneity;
pub mod isotonic;
pub mod kolmogorov;
pub mod ks;
pub mod method;
pub mod mmd;
pub mod pca;
pub mod performance;
pub mod ranks;
pub mod rng;
pub mod robust;
pub mod sequential;
pub mod sum;
pub mod test_result;
pub mod ttest;

pub use error::{Side, StatsError};
pub use method::{
    compute, effect_size, robust_effect, Binning, EffectMeasure, Method, MethodOptions, Score,
    ScoreKind,
};

/// Counts per category for both sides, aligned: index `i` is the same
/// category on both sides. Built over the union of categories seen on either
/// side, so a category absent on one side has a zero there.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CategoryCounts {
    pub reference: Vec<u64>,
    pub current: Vec<u64>,
}

impl CategoryCounts {
    pub fn reference_total(&self) -> u64 {
        self.reference.iter().sum()
    }

    pub fn current_total(&self) -> u64 {
        self.current.iter().sum()
    }
}

/// Per-bin shares of each side (each sums to 1 unless a side is empty), on
/// the same bins.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Shares {
    pub reference: Vec<f64>,
    pub current: Vec<f64>,
}

/// The data one drift method runs on.
#[derive(Debug, Clone, Copy)]
pub enum Sample<'a> {
    /// Finite values only, each slice sorted ascending.
    Numerical {
        reference: &'a [f64],
        current: &'a [f64],
    },
    Categorical(&'a CategoryCounts),
}
