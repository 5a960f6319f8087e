//! One file, one entry function per subcommand. Commands never call into
//! each other: what two share lives in `engine` or `report_io`.

mod ack;
mod approve;
mod audit;
mod backtest;
mod completions;
mod merge;
mod pending;
mod policy;
mod profile;
mod promote;
mod reject;
mod report;
mod run;

pub use ack::ack;
pub use approve::approve;
pub use audit::audit;
pub use backtest::backtest;
pub use completions::{completions, man};
pub use merge::merge;
pub use pending::pending;
pub use policy::{explain, validate};
pub use profile::profile;
pub use promote::promote;
pub use reject::reject;
pub use report::report;
pub use run::run;
