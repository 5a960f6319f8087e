//! One file, one entry function per subcommand.

mod approve;
mod audit;
mod completions;
mod policy;
mod policy_state;
mod promote;
mod report;
mod run;

pub use approve::{ack, approve, pending, reject};
pub use audit::audit;
pub use completions::{completions, man};
pub use policy::{explain, validate};
pub use promote::promote;
pub use report::report;
pub use run::run;
