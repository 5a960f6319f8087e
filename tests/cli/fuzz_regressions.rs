//! Every input that once crashed a fuzz target, kept under
//! `fuzz/regressions/<target>/`, fed to the same entry point the target
//! calls (`fuzz/src/lib.rs`, included here), so a fixed crash stays fixed
//! without nightly or `cargo fuzz`.

use std::fs;
use std::path::Path;

#[path = "../../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod entry;

type EntryPoint = fn(&[u8]) -> entry::Outcome;

const TARGETS: &[(&str, EntryPoint)] = &[
    ("csv", entry::csv),
    ("parquet", entry::parquet),
    ("policy", entry::policy),
    ("expr", entry::expr),
    ("template", entry::template),
    ("state", entry::state),
    ("audit", entry::audit),
];

/// Files whose input is valid (the crash was in handling a good input):
/// they must load without an error. Every other file must be refused with
/// a message.
const VALID: &[&str] = &[
    // Good files with a decimal or a map column: decimals are read as
    // numbers, a map column is `unsupported` and left unread.
    "parquet/decimal-column.parquet",
    "parquet/decimal256-column.parquet",
    "parquet/map-column.parquet",
];

#[test]
fn fuzz_regressions_do_not_panic_and_fail_with_a_message() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let mut checked = 0;
    let mut failures = Vec::new();
    for (target, run) in TARGETS {
        let dir = root.join(target);
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        let mut files: Vec<_> = entries.map(|e| e.expect("dir entry").path()).collect();
        files.sort();
        for file in files {
            let name = format!("{target}/{}", file.file_name().unwrap().to_string_lossy());
            let bytes = fs::read(&file).expect("read regression input");
            let outcome = std::panic::catch_unwind(|| run(&bytes));
            checked += 1;
            match (outcome, VALID.contains(&name.as_str())) {
                (Err(_), _) => failures.push(format!("{name}: panicked")),
                (Ok(Ok(())), false) => failures.push(format!("{name}: accepted")),
                (Ok(Err(message)), false) if message.trim().is_empty() => {
                    failures.push(format!("{name}: an error without a message"))
                }
                (Ok(Err(message)), true) => {
                    failures.push(format!("{name}: refused a valid input: {message}"))
                }
                (Ok(_), _) => {}
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // A moved directory must not turn this test into one that checks nothing.
    assert!(checked > 0, "no regression inputs under {}", root.display());
}
