//! The decide-and-act engine shared by `run`, `approve` and (later)
//! `backtest`: the pure planner lives in `policy::decide`; this module is
//! its IO side.
//!
//! - [`session`]: the lock, the state and the audit log of one policy;
//!   opening one settles what a killed run left in flight;
//! - [`execute`]: the one executor: render, durable start, execute, record
//!   the outcome, audit, escalate;
//! - [`context`]: the template values a decided action sees;
//! - [`trail`]: the shapes of the audit log's records;
//! - [`request_text`]: how a rendered request reads in a terminal.

pub mod context;
pub mod cycle;
pub mod execute;
pub mod request_text;
pub mod session;
pub mod trail;

pub use execute::{Execution, Executor, Handled, Job, Render, Trail};
pub use session::Session;

/// A named point in the decide-and-act sequence where the test suite
/// simulates a crash: in debug builds only, when `DRIFTMEND_CRASH_AT` names
/// this point, the process aborts here (no destructors, no flushing, as a
/// SIGKILL would leave it). Release builds compile this to nothing.
pub fn crash_point(name: &str) {
    #[cfg(debug_assertions)]
    if std::env::var("DRIFTMEND_CRASH_AT").is_ok_and(|at| at == name) {
        std::process::abort();
    }
    #[cfg(not(debug_assertions))]
    let _ = name;
}
