//! One file, one entry function per subcommand.

mod report;

pub use report::report;
