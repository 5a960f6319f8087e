//! `driftmend backtest`: what a policy would have decided on history.
//!
//! - [`history`]: the partitions a glob names, each with its time;
//! - [`reports`] and [`cache`]: each partition's report, as `run` builds
//!   it, cached by content;
//! - [`replay`]: the policy through the real engine on a scratch state;
//! - [`timeline`]: the runs, totals and differences (pure);
//! - [`render`]: table, JSON and HTML.

pub mod cache;
pub mod history;
pub mod render;
pub mod replay;
pub mod reports;
pub mod timeline;
