//! The report: its model (`model`), how it is built from two datasets
//! (`build`, pure), and its renderers (`render`).

pub mod build;
pub mod distribution;
mod estimated;
pub mod model;
mod multivariate;
pub mod options;
mod performance;
pub mod render;

pub use build::{build, AnalysisError, AnalysisSettings, MethodChoice};
pub use model::Report;
