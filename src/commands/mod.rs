//! One file, one entry function per subcommand.

mod approve;
mod audit;
mod completions;
mod policy;
mod policy_state;
mod report;
mod run;

pub use approve::{approve, pending, reject};
pub use audit::audit;
pub use completions::{completions, man};
pub use policy::{explain, validate};
pub use report::report;
pub use run::run;
