//! The report: its model (`model`), how it is built from two datasets
//! (`build`, pure), and its renderers (`render`).

pub mod build;
pub mod calibrate;
pub mod chunk;
pub mod chunked;
mod decision;
pub mod distribution;
mod estimated;
pub mod model;
mod multivariate;
pub mod options;
mod performance;
pub mod preset;
pub mod render;

pub use build::{build, AnalysisError, AnalysisSettings, MethodChoice};
pub use model::Report;
