//! Fuzz entry points: one function per target, bytes in, `Ok` or the error
//! message out. The `cargo fuzz` targets in `fuzz_targets/` call them, and
//! so does the normal test suite (`tests/cli/fuzz_regressions.rs` includes
//! this file), which feeds them every minimised crash kept under
//! `fuzz/regressions/<target>/`. Uses only what the `driftmend` package
//! already depends on, so the test suite can include it as it is.
//!
//! Besides "no panic", some entry points check a property that must hold for
//! any input, stated next to the assertion.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use driftmend::data::{self, CsvOptions};
use driftmend::policy::expr::{self, MetricPath, Value};
use driftmend::policy::state::{PolicyState, STATE_VERSION};
use driftmend::policy::template::{self, Secrets, TemplateContext};
use driftmend::statedir::{audit, store};

/// What an entry point returns: `Err` carries the message a user would see.
pub type Outcome = Result<(), String>;

/// Loads `data` as a `.csv` file, as `report --reference x.csv` would.
pub fn csv(data: &[u8]) -> Outcome {
    load_data(data, "input.csv")
}

/// Loads `data` as a `.parquet` file.
pub fn parquet(data: &[u8]) -> Outcome {
    load_data(data, "input.parquet")
}

fn load_data(data: &[u8], name: &str) -> Outcome {
    let path = write_temp(name, data);
    let keep_rows = ["id".to_string()];
    data::load(
        path_str(&path),
        &CsvOptions::default(),
        data::KeepRows::Named(&keep_rows),
    )
    .map(drop)
    .map_err(|e| e.to_string())
}

/// Loads `data` as a policy file (`policy::load`); invalid UTF-8 is refused
/// before, as the CLI does when it reads the file.
pub fn policy(data: &[u8]) -> Outcome {
    let text = std::str::from_utf8(data).map_err(|e| e.to_string())?;
    match driftmend::policy::load("fuzz.yaml", text) {
        Ok(policy) => {
            // What `policy validate` does next: check the metric paths,
            // without and with the data's columns.
            let columns = ["id".to_string(), "annual income".to_string()];
            let _ = driftmend::policy::check_paths(&policy, None);
            let _ = driftmend::policy::check_paths(&policy, Some(&columns));
            Ok(())
        }
        Err(errors) => {
            // Every problem is reported with a position and a message.
            assert!(!errors.is_empty(), "load failed without an error");
            Err(errors
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n"))
        }
    }
}

/// Parses `data` as a `when:` expression and evaluates it against
/// [`fixed_value`].
pub fn expr(data: &[u8]) -> Outcome {
    let text = std::str::from_utf8(data).map_err(|e| e.to_string())?;
    let expr = expr::parse(text).map_err(|e| error_at(e.message, e.offset, text))?;
    for path in expr.paths() {
        // `MetricPath::dotted` is documented to parse back to the same
        // segments: policies and audit records show paths that way.
        let dotted = path.dotted();
        let again = expr::parse(&dotted)
            .unwrap_or_else(|e| panic!("`{dotted}` (from {text:?}) does not parse: {e}"));
        let segments: Vec<_> = again.paths().iter().map(|p| p.segments.clone()).collect();
        assert_eq!(
            segments,
            vec![path.segments.clone()],
            "`{dotted}` parses to other segments"
        );
    }
    let lookup = |p: &MetricPath| fixed_value(p).unwrap_or(Value::Null);
    expr.eval(&lookup)
        .map(drop)
        .map_err(|e| error_at(e.message, e.offset, text))
}

/// Parses `data` as a template and renders it with [`FixedContext`].
pub fn template(data: &[u8]) -> Outcome {
    let text = std::str::from_utf8(data).map_err(|e| e.to_string())?;
    let template = template::parse(text).map_err(|e| error_at(e.message, e.offset, text))?;
    assert_eq!(template.source(), text, "source() is not the parsed text");
    let render = |ctx: &FixedContext| {
        let mut secrets = Secrets::default();
        let rendered = template.render(ctx, &mut secrets);
        if let Ok(rendered) = &rendered {
            let _ = secrets.scrub(&rendered.value);
        }
        rendered
    };
    let first = render(&FixedContext { secret: "A" });
    // The display text never depends on a secret's value: rendered with
    // other secrets, it is the same.
    let second = render(&FixedContext { secret: "B" });
    match (&first, &second) {
        (Ok(a), Ok(b)) => assert_eq!(a.display, b.display, "a secret shows in the display"),
        (Err(a), Err(b)) => assert_eq!(a, b, "a secret shows in the error"),
        _ => panic!("rendering depends on a secret's value: {first:?} vs {second:?}"),
    }
    first
        .map(drop)
        .map_err(|e| error_at(e.message, e.offset, text))
}

/// Loads `data` as `state.json` into a [`PolicyState`].
pub fn state(data: &[u8]) -> Outcome {
    let path = write_temp("state.json", data);
    let state: PolicyState = store::load(&path, STATE_VERSION)
        .map_err(|e| e.to_string())?
        .expect("the file was just written");
    // A state that loads saves and loads back the same: a run that changes
    // nothing must not change what the next run sees.
    // (Written as `store::save` does, without its fsyncs, which would make
    // the disk the bottleneck.)
    let saved = serde_json::to_vec_pretty(&state).expect("serialise a loaded state");
    let again_path = write_temp("state-again.json", &saved);
    let again: PolicyState = store::load(&again_path, STATE_VERSION)
        .expect("load a saved state")
        .expect("the file was just saved");
    assert_eq!(again, state, "state changed through save and load");
    Ok(())
}

/// Reads and verifies `data` as `audit.jsonl`.
pub fn audit(data: &[u8]) -> Outcome {
    let path = write_temp("audit.jsonl", data);
    let verification = audit::verify(&path).map_err(|e| e.to_string())?;
    let records = audit::read(&path);
    if verification.is_ok() {
        // A log that verifies is one `read` accepts, record for record.
        let records = records.expect("a verified log reads");
        assert_eq!(records.len(), verification.records);
        Ok(())
    } else {
        let (line, what) = verification.first_problem.expect("not ok");
        assert!(line >= 1 && line <= verification.records.max(1));
        assert!(!what.is_empty());
        Err(format!("line {line}: {what}"))
    }
}

/// Values for metric paths, chosen by the path's last segment so that every
/// kind of value (NaN and huge numbers included) turns up.
pub fn fixed_value(path: &MetricPath) -> Option<Value> {
    let last = path.segments.last().map(String::as_str).unwrap_or("");
    let pick = last.bytes().fold(path.segments.len(), |h, b| {
        h.wrapping_mul(31).wrapping_add(usize::from(b))
    });
    match pick % 8 {
        0 => Some(Value::Number(0.25)),
        1 => Some(Value::Number(f64::NAN)),
        2 => Some(Value::Number(-1e308)),
        3 => Some(Value::Bool(true)),
        4 => Some(Value::Text("x y".to_string())),
        5 => Some(Value::Null),
        6 => Some(Value::Number(f64::INFINITY)),
        _ => None,
    }
}

/// A context with fixed values, environment, secret file and time; the
/// secrets end with `secret`.
pub struct FixedContext {
    pub secret: &'static str,
}

impl TemplateContext for FixedContext {
    fn value(&self, path: &MetricPath) -> Option<Value> {
        fixed_value(path)
    }

    /// Variables whose names start with `S` are set.
    fn env(&self, name: &str) -> Option<String> {
        name.starts_with('S')
            .then(|| format!("env-secret-{}", self.secret))
    }

    fn read_secret_file(&self, path: &str) -> Result<String, String> {
        match path {
            "ok" => Ok(format!("  file-secret-{}\n", self.secret)),
            "empty" => Ok(String::new()),
            _ => Err("no such file".to_string()),
        }
    }

    fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp(1_780_000_000, 0).expect("a valid time")
    }
}

fn error_at(message: String, offset: usize, text: &str) -> String {
    // The offset points into the source: at most one past its end.
    assert!(
        offset <= text.len(),
        "offset {offset} past the end ({})",
        text.len()
    );
    assert!(!message.is_empty(), "empty error message");
    format!("{offset}: {message}")
}

/// Writes `data` to `name` in this thread's temp dir (reused across runs:
/// a fresh file per input would make the file system the bottleneck), in
/// memory (`/dev/shm`) where there is one. The dir goes when the thread
/// ends (a test's thread; a fuzzer's main thread leaves it behind).
fn write_temp(name: &str, data: &[u8]) -> PathBuf {
    thread_local! {
        static DIR: tempfile::TempDir = {
            let shm = Path::new("/dev/shm");
            if shm.is_dir() {
                tempfile::tempdir_in(shm)
            } else {
                tempfile::tempdir()
            }
            .expect("temp dir")
        };
    }
    let path = DIR.with(|dir| dir.path().join(name));
    std::fs::write(&path, data).expect("write temp file");
    path
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("temp paths are UTF-8")
}
