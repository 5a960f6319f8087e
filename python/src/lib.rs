//! `driftmend._driftmend`: the Rust half of the `driftmend` Python package.
//! It is a thin shell over the library: options arrive as the CLI's flags
//! (`driftmend/__init__.py` turns keyword arguments into them), data as a
//! path or an Arrow C stream, and the report leaves as the CLI's JSON. The
//! GIL is released while data is read and compared.

use std::ffi::OsString;
use std::io::Write;

use clap::{Args, FromArgMatches};
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyCapsule;

use driftmend::cli::ReportArgs;
use driftmend::data::{self, ArrowStream, CsvOptions, Dataset, StorageOptions};
use driftmend::printer::Printer;
use driftmend::report::render::{self, RenderOptions, ReportFormat};
use driftmend::report_io;
use driftmend::settings::ReportSettings;

pyo3::create_exception!(
    driftmend,
    DriftmendError,
    PyException,
    "An input, option or report error, with the message the CLI prints."
);

/// The arguments of `driftmend report` that `driftmend.report()` does not
/// take as keywords: the two sides are its positional arguments, the others
/// choose the main output, which the function returns instead.
const NOT_FOR_PYTHON: &[&str] = &[
    "reference",
    "current",
    "format",
    "output",
    "color",
    "fail_on",
    "github",
];

/// One side of the comparison as Python hands it over.
enum Side {
    /// A file, glob or directory, as `--reference` takes it.
    Path(String),
    /// In-memory data; `label` names it in errors and in the report.
    Arrow { label: String, stream: ArrowStream },
}

impl<'a, 'py> FromPyObject<'a, 'py> for Side {
    type Error = PyErr;

    fn extract(side: Borrowed<'a, 'py, PyAny>) -> PyResult<Side> {
        if let Ok(path) = side.extract::<String>() {
            return Ok(Side::Path(path));
        }
        let (label, capsule): (String, Bound<'py, PyCapsule>) = side.extract()?;
        let name = capsule.name()?;
        // SAFETY: a capsule's name, when set, is a valid C string.
        let name = name.map(|n| unsafe { n.as_cstr() });
        if name != Some(c"arrow_array_stream") {
            return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                "{label}: `__arrow_c_stream__` returned a capsule named {name:?}, not `arrow_array_stream`"
            )));
        }
        let pointer = capsule.pointer_checked(Some(c"arrow_array_stream"))?;
        // SAFETY: a capsule named `arrow_array_stream` holds a
        // `struct ArrowArrayStream` (the Arrow PyCapsule interface); taking
        // it over leaves the capsule's copy released, as the interface asks.
        let stream = unsafe { ArrowStream::from_raw(pointer.as_ptr()) };
        Ok(Side::Arrow { label, stream })
    }
}

impl Side {
    /// The name used for this side in settings and messages.
    fn spec(&self) -> &str {
        match self {
            Side::Path(path) => path,
            Side::Arrow { label, .. } => label,
        }
    }

    fn load(
        self,
        csv: &CsvOptions,
        roles: &data::Selection,
        storage: &StorageOptions,
    ) -> Result<Dataset, data::DataError> {
        match self {
            Side::Path(path) => data::load(&path, csv, roles, storage),
            Side::Arrow { label, stream } => data::load_arrow(&label, stream, roles),
        }
    }
}

/// Compares two datasets as `driftmend report` does and returns the JSON
/// report and the readers' warnings. `flags` are `driftmend report` flags
/// (`--num-method=psi`); errors carry the CLI's messages.
#[pyfunction]
fn report(
    py: Python<'_>,
    reference: Side,
    current: Side,
    flags: Vec<String>,
) -> PyResult<(String, Vec<String>)> {
    let settings = settings(reference.spec(), current.spec(), flags).map_err(to_py)?;
    py.detach(move || compute(reference, current, &settings))
        .map_err(to_py)
}

fn compute(
    reference: Side,
    current: Side,
    settings: &ReportSettings,
) -> anyhow::Result<(String, Vec<String>)> {
    let started = std::time::Instant::now();
    let roles = report_io::selection(&settings.analysis);
    let (reference, current) = report_io::load_both(
        || reference.load(&settings.csv, &roles, &settings.storage),
        &settings.reference_from,
        || current.load(&settings.csv, &roles, &settings.storage),
        &settings.current_from,
    )?;
    let report = report_io::compare(&reference, &current, &settings.analysis)?;
    let printer = Printer::new(false, settings.output.quiet);
    report_io::write_side_outputs(
        &report,
        &settings.output,
        started.elapsed().as_secs_f64(),
        &printer,
    )?;
    let mut json = Vec::new();
    render::render(
        ReportFormat::Json,
        &report,
        &mut json,
        &RenderOptions::default(),
    )?;
    let warnings = reference
        .warnings
        .into_iter()
        .chain(current.warnings)
        .collect();
    Ok((String::from_utf8(json)?, warnings))
}

/// `driftmend report`'s settings from its flags, both sides given by name.
fn settings(reference: &str, current: &str, flags: Vec<String>) -> anyhow::Result<ReportSettings> {
    let sides = [
        format!("--reference={reference}"),
        format!("--current={current}"),
    ];
    let args: ReportArgs = parse_flags(sides.into_iter().chain(flags))?;
    let mut settings = ReportSettings::resolve(args)?;
    settings.reference_from = "`reference`".to_string();
    settings.current_from = "`current`".to_string();
    settings.output.progress = false;
    Ok(settings)
}

/// A subcommand's arguments (`A`: `ReportArgs`, ...) parsed from flags as
/// the CLI parses them, errors included.
fn parse_flags<A: Args + FromArgMatches>(
    argv: impl IntoIterator<Item = String>,
) -> anyhow::Result<A> {
    let command = A::augment_args(clap::Command::new("driftmend").no_binary_name(true));
    let matches = command
        .try_get_matches_from(argv)
        .map_err(|e| anyhow::anyhow!(clap_message(&e)))?;
    A::from_arg_matches(&matches).map_err(|e| anyhow::anyhow!(clap_message(&e)))
}

/// clap's message without its `error: ` prefix and `--help` advice.
fn clap_message(e: &clap::Error) -> String {
    let text = e.render().to_string();
    let text = text.strip_prefix("error: ").unwrap_or(&text);
    text.lines()
        .filter(|l| !l.starts_with("For more information") && !l.starts_with("Usage:"))
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_string()
}

/// The CLI's `error: ...` text (causes, hint) as a [`DriftmendError`].
fn to_py(err: anyhow::Error) -> PyErr {
    let text = driftmend::error_message(&err);
    let text = text.strip_prefix("error: ").unwrap_or(&text);
    DriftmendError::new_err(text.to_string())
}

/// `(keyword, flag, takes_value, repeatable)` for each `driftmend report` flag
/// that `driftmend.report()` accepts.
#[pyfunction]
fn report_flags() -> Vec<(String, String, bool, bool)> {
    keywords::<ReportArgs>(NOT_FOR_PYTHON)
}

/// The keyword arguments a subcommand's flags make (`--num-method` ->
/// `num_method`), leaving out the arguments with the ids in `except`.
fn keywords<A: Args>(except: &[&str]) -> Vec<(String, String, bool, bool)> {
    let command = A::augment_args(clap::Command::new("driftmend"));
    command
        .get_arguments()
        .filter(|arg| !except.contains(&arg.get_id().as_str()))
        .filter_map(|arg| {
            let long = arg.get_long()?;
            let takes_value = arg.get_action().takes_values();
            let repeatable = matches!(arg.get_action(), clap::ArgAction::Append);
            Some((
                long.replace('-', "_"),
                format!("--{long}"),
                takes_value,
                repeatable,
            ))
        })
        .collect()
}

/// Runs the `driftmend` command line (`argv` as in `sys.argv`) and returns
/// its exit code, exactly as the native binary would exit.
#[pyfunction]
fn main(py: Python<'_>, argv: Vec<OsString>) -> u8 {
    let code = py.detach(|| driftmend::run_code(argv));
    // A native binary's stdout is flushed as it exits; this one is not.
    let _ = std::io::stdout().flush();
    code
}

#[pymodule]
fn _driftmend(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("DriftmendError", m.py().get_type::<DriftmendError>())?;
    m.add_function(wrap_pyfunction!(report, m)?)?;
    m.add_function(wrap_pyfunction!(report_flags, m)?)?;
    m.add_function(wrap_pyfunction!(main, m)?)?;
    Ok(())
}
