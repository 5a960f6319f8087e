//! The `driftmend` executable: everything happens in [`driftmend::run`].

use std::process::ExitCode;

fn main() -> ExitCode {
    driftmend::run(std::env::args_os())
}
