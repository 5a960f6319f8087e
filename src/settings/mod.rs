//! Resolves what the user typed (`cli`) into validated settings. Commands
//! receive only these.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Utc};

use crate::cli::{ColorChoice, FailOn, ListFormat, ReportArgs, RunArgs, StateArgs};
use crate::data::{CsvOptions, StorageOptions};
use crate::policy::Policy;
use crate::report::options::{parse_method, AnalysisOptions, MethodFor};
use crate::report::render::ReportFormat;
use crate::report::AnalysisSettings;
use crate::stats::Method;

mod backtest;
mod profile;

pub use backtest::BacktestSettings;
pub use profile::{MergeSettings, ProfileSettings};

/// A flag value that makes no sense. Exit code 2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid value for `{flag}`: {message}")]
pub struct SettingsError {
    pub flag: &'static str,
    pub message: String,
}

pub(crate) fn invalid(flag: &'static str, message: impl Into<String>) -> SettingsError {
    SettingsError {
        flag,
        message: message.into(),
    }
}

/// A policy file with problems: every one, with file:line:col.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct PolicyProblems {
    pub file: String,
    pub problems: Vec<crate::policy::PolicyError>,
}

impl std::fmt::Display for PolicyProblems {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.problems.len();
        write!(
            f,
            "`{}` has {n} {}",
            self.file,
            if n == 1 { "problem" } else { "problems" }
        )?;
        for p in &self.problems {
            write!(f, "\n  {p}")?;
        }
        Ok(())
    }
}

/// Reads and validates a policy file.
pub fn load_policy(path: &Path) -> anyhow::Result<(Policy, PathBuf)> {
    let shown = path.display().to_string();
    // Refuse a huge file before reading it into memory.
    let size = std::fs::metadata(path)
        .with_context(|| format!("cannot read the policy `{shown}`"))?
        .len();
    if size > crate::policy::load::MAX_BYTES as u64 {
        anyhow::bail!("the policy `{shown}` is {size} bytes; a policy may be at most 1 MiB");
    }
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the policy `{shown}`"))?;
    let policy = crate::policy::load(&shown, &text).map_err(|problems| PolicyProblems {
        file: shown.clone(),
        problems,
    })?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok((policy, dir))
}

/// Everything `driftmend run` needs, resolved.
#[derive(Debug, Clone)]
pub struct RunSettings {
    pub policy: Policy,
    pub policy_file: PathBuf,
    /// The policy file's directory: relative paths in the policy start here.
    pub base_dir: PathBuf,
    pub state_dir: PathBuf,
    pub report: ReportSettings,
    /// Secret values (`{{ env.X }}`, `secret_file(...)`) the `data:` paths
    /// were rendered with: masked wherever a path is shown or recorded.
    pub data_secrets: crate::policy::template::Secrets,
    pub now: DateTime<Utc>,
    pub dry_run: bool,
    pub audit: bool,
    pub lock_timeout: Duration,
    pub exit_zero_when_handled: bool,
    pub report_output: Option<PathBuf>,
    pub html: Option<PathBuf>,
    pub prometheus_textfile: Option<PathBuf>,
    pub pushgateway: Option<String>,
    pub format: ListFormat,
    pub quiet: bool,
    pub progress: bool,
}

impl RunSettings {
    pub fn resolve(args: RunArgs) -> anyhow::Result<RunSettings> {
        let (policy, base_dir) = load_policy(&args.policy)?;
        let now = parse_now(args.now.as_deref())?;
        let lock_timeout = parse_duration(&args.lock_timeout, "--lock-timeout")?;
        let (report, data_secrets) = policy_report(
            &policy,
            &args.policy,
            &base_dir,
            now,
            args.reference,
            args.current,
            &args.storage_option,
        )?;
        let (reference_from, current_from) =
            (report.reference_from.clone(), report.current_from.clone());
        let state_dir = state_dir(&policy, &base_dir);
        let outputs = [
            ("--output-json", args.report_output.as_deref()),
            ("--output-html", args.html.as_deref()),
            ("--prometheus-textfile", args.prometheus_textfile.as_deref()),
        ];
        let outputs: Vec<(&'static str, &Path)> = outputs
            .into_iter()
            .filter_map(|(flag, path)| path.map(|p| (flag, p)))
            .collect();
        check_outputs_do_not_overwrite_inputs(
            &[
                (reference_from.as_str(), &report.reference),
                (current_from.as_str(), &report.current),
            ],
            &outputs,
        )?;
        // Written only after the actions ran: a missing directory must stop
        // the run before anything is decided, not after.
        check_output_dirs_exist(&outputs)?;
        Ok(RunSettings {
            policy,
            policy_file: args.policy,
            base_dir,
            state_dir,
            report,
            data_secrets,
            now,
            dry_run: args.dry_run,
            audit: !args.no_audit,
            lock_timeout,
            exit_zero_when_handled: args.exit_zero_when_handled,
            report_output: args.report_output,
            html: args.html,
            prometheus_textfile: args.prometheus_textfile,
            pushgateway: args.pushgateway,
            format: args.format,
            quiet: args.quiet,
            progress: !args.quiet && std::io::stderr().is_terminal(),
        })
    }
}

/// The report a policy's run at `now` builds: its `data:` paths rendered at
/// `now` (relative to the policy's directory) unless overridden, its
/// `report:` options. Returns the secrets the paths were rendered with, to
/// mask.
pub fn policy_report(
    policy: &Policy,
    policy_file: &Path,
    base_dir: &Path,
    now: DateTime<Utc>,
    reference: Option<String>,
    current: Option<String>,
    storage_option: &[String],
) -> anyhow::Result<(ReportSettings, crate::policy::template::Secrets)> {
    let ctx = crate::actions::context::RunContext::new(now, base_dir.to_path_buf());
    let mut data_secrets = crate::policy::template::Secrets::default();
    let mut render =
        |t: &crate::policy::template::Template, what: &str| -> anyhow::Result<String> {
            let rendered = t.render(&ctx, &mut data_secrets).map_err(|e| {
                anyhow::anyhow!("cannot render `data.{what}` (`{}`): {e}", t.source())
            })?;
            Ok(rendered.value)
        };
    let in_base = |p: String| -> String {
        if Path::new(&p).is_absolute() || crate::data::is_uri(&p) {
            p
        } else {
            base_dir.join(p).display().to_string()
        }
    };
    let from = |flag: bool, name: &str| {
        if flag {
            format!("`--{name}`")
        } else {
            format!("`data.{name}` in `{}`", policy_file.display())
        }
    };
    let reference_from = from(reference.is_some(), "reference");
    let current_from = from(current.is_some(), "current");
    let reference = match reference {
        Some(r) => r,
        None => in_base(render(&policy.data.reference, "reference")?),
    };
    let current = match current {
        Some(c) => c,
        None => in_base(render(&policy.data.current, "current")?),
    };
    let mut policy_storage = StorageOptions::default();
    for (key, value) in &policy.data.storage_options {
        let value = render(value, &format!("storage_options.{key}"))?;
        policy_storage.set(key, &value).map_err(|e| {
            anyhow::anyhow!(
                "`data.storage_options.{key}` in `{}`: {e}",
                policy_file.display()
            )
        })?;
    }
    let storage = StorageOptions::parse(storage_option)
        .map_err(|e| anyhow::anyhow!("invalid value for `--storage-option`: {e}"))?
        .over(&policy_storage);
    let analysis = policy
        .report
        .clone()
        .resolve(|k| format!("report.{k}"))
        .map_err(|e| {
            anyhow::anyhow!(
                "`report.{}` in `{}`: {}",
                e.key,
                policy_file.display(),
                e.message
            )
        })?;
    let reference_profile = match &policy.data.reference_profile {
        Some(t) => Some(PathBuf::from(in_base(render(t, "reference_profile")?))),
        None => None,
    };
    let report = ReportSettings {
        reference,
        reference_profile,
        current,
        reference_from,
        current_from,
        csv: CsvOptions {
            delimiter: policy.data.delimiter as u8,
            null_values: policy.data.null_values.clone(),
        },
        storage,
        analysis,
        output: OutputSettings::machine(),
        fail_on: FailOn::Never,
        chunking: None,
    };
    Ok((report, data_secrets))
}

/// A policy file, loaded.
#[derive(Debug, Clone)]
pub struct PolicyInput {
    pub policy: Policy,
    pub file: PathBuf,
    /// The policy file's directory.
    pub base_dir: PathBuf,
}

impl PolicyInput {
    pub fn load(file: &Path) -> anyhow::Result<PolicyInput> {
        let (policy, base_dir) = load_policy(file)?;
        Ok(PolicyInput {
            policy,
            file: file.to_path_buf(),
            base_dir,
        })
    }
}

/// What `promote` needs: the plan (model, candidate, aliases, checks) and
/// how to reach MLflow.
#[derive(Debug, Clone)]
pub struct PromoteSettings {
    pub plan: crate::actions::mlflow::PromotePlan,
    /// `--tracking-uri`, else `MLFLOW_TRACKING_URI` (read when connecting).
    pub tracking_uri: Option<String>,
    pub timeout: Duration,
    pub allow_insecure_http: bool,
    pub dry_run: bool,
}

impl PromoteSettings {
    pub fn resolve(args: crate::cli::PromoteArgs) -> Result<PromoteSettings, SettingsError> {
        use crate::actions::mlflow::{PromoteCheck, PromotePlan};
        if args.metric.is_some()
            && args.min.is_none()
            && args.max.is_none()
            && args.better_than.is_none()
        {
            return Err(invalid(
                "--metric",
                "needs --min, --max or --better-than to check it against",
            ));
        }
        Ok(PromoteSettings {
            timeout: parse_duration(&args.timeout, "--timeout")?,
            plan: PromotePlan {
                model: args.model,
                candidate: args.candidate,
                alias: args.alias,
                previous_alias: args.previous_alias,
                check: PromoteCheck {
                    metric: args.metric,
                    min: args.min,
                    max: args.max,
                    better_than: args.better_than,
                    lower_is_better: args.lower_is_better,
                },
            },
            tracking_uri: args.tracking_uri,
            allow_insecure_http: args.allow_insecure_http,
            dry_run: args.dry_run,
        })
    }
}

/// What the state commands (`pending`, `approve`, `reject`, `audit`) need.
#[derive(Debug, Clone)]
pub struct StateSettings {
    pub policy: Policy,
    /// The policy file as given, for commands a message suggests.
    pub policy_file: PathBuf,
    pub base_dir: PathBuf,
    pub state_dir: PathBuf,
    pub format: ListFormat,
    pub now: DateTime<Utc>,
}

impl StateSettings {
    pub fn resolve(args: &StateArgs) -> anyhow::Result<StateSettings> {
        let file = args.policy.as_ref().ok_or_else(|| {
            invalid(
                "--policy",
                "missing: pass `--policy FILE` or set `DRIFTMEND_POLICY`",
            )
        })?;
        let (policy, base_dir) = load_policy(file)?;
        let state_dir = state_dir(&policy, &base_dir);
        Ok(StateSettings {
            policy,
            policy_file: file.clone(),
            base_dir,
            state_dir,
            format: args.format,
            now: parse_now(args.now.as_deref())?,
        })
    }
}

fn state_dir(policy: &Policy, base_dir: &Path) -> PathBuf {
    if Path::new(&policy.state_dir).is_absolute() {
        PathBuf::from(&policy.state_dir)
    } else {
        base_dir.join(&policy.state_dir)
    }
}

/// `--now`, or the clock.
pub fn parse_now(now: Option<&str>) -> anyhow::Result<DateTime<Utc>> {
    match now {
        None => Ok(Utc::now()),
        Some(text) => DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| {
                invalid(
                    "--now",
                    format!("`{text}` is not an RFC 3339 time ({e}), e.g. 2026-11-22T03:00:00Z"),
                )
                .into()
            }),
    }
}

pub fn parse_duration(text: &str, flag: &'static str) -> Result<Duration, SettingsError> {
    crate::policy::duration::parse(text).map_err(|e| invalid(flag, e.to_string()))
}

/// `--github`, resolved against the environment.
#[derive(Debug, Clone, PartialEq)]
pub struct GithubSettings {
    /// `$GITHUB_STEP_SUMMARY`, when set.
    pub step_summary: Option<PathBuf>,
}

/// Everything `driftmend report` needs, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportSettings {
    pub reference: String,
    /// `run` with a policy's `data.reference_profile`: the cached profile
    /// of the reference (see `report_io::compute`).
    pub reference_profile: Option<PathBuf>,
    pub current: String,
    /// Where each path came from, for messages: `` `--reference` `` or
    /// `` `data.reference` in `policy.yaml` ``.
    pub reference_from: String,
    pub current_from: String,
    pub csv: CsvOptions,
    /// For `s3://` paths: flags over the policy's options.
    pub storage: StorageOptions,
    pub analysis: AnalysisSettings,
    pub output: OutputSettings,
    pub fail_on: FailOn,
    /// `--chunk-by`/`--chunk-size`/`--chunks`: split the current data.
    pub chunking: Option<crate::data::ChunkSpec>,
}

/// Where and how the report is written.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputSettings {
    pub format: ReportFormat,
    pub path: Option<PathBuf>,
    pub quiet: bool,
    /// Colour on stdout (the report).
    pub color: bool,
    /// Terminal width to fit the table to (stdout is a terminal).
    pub width: Option<u16>,
    /// More outputs of the same report (`--output-json` ...).
    pub extra: Vec<(ReportFormat, PathBuf)>,
    /// GitHub Actions: annotations and the step summary file.
    pub github: Option<GithubSettings>,
    pub prometheus_textfile: Option<PathBuf>,
    /// Pushgateway base URL.
    pub pushgateway: Option<String>,
    /// The `model` label of the metrics.
    pub model: Option<String>,
    /// Progress bars on stderr.
    pub progress: bool,
}

impl OutputSettings {
    /// No output of its own: `run` computes the report and writes it where
    /// its own flags say.
    fn machine() -> OutputSettings {
        OutputSettings {
            format: ReportFormat::Json,
            path: None,
            quiet: true,
            color: false,
            width: None,
            extra: Vec::new(),
            github: None,
            prometheus_textfile: None,
            pushgateway: None,
            model: None,
            progress: false,
        }
    }
}

/// The chunking flags, checked: a period needs `--chunk-by`; `--chunk-by`
/// needs a way to split.
fn chunking(args: &ReportArgs) -> Result<Option<crate::data::ChunkSpec>, SettingsError> {
    use crate::report::chunk::Chunker;
    let incomplete = args.incomplete;
    let chunker = match (args.period, args.chunk_size, args.chunks) {
        (Some(period), _, _) => Chunker::Period { period },
        (None, Some(0), _) => return Err(invalid("--chunk-size", "a chunk holds at least 1 row")),
        (None, Some(size), _) => Chunker::Size { size, incomplete },
        (None, None, Some(0)) => return Err(invalid("--chunks", "at least 1 chunk")),
        (None, None, Some(count)) => Chunker::Count { count, incomplete },
        (None, None, None) if args.chunk_by.is_some() => return Err(invalid(
            "--chunk-by",
            "say how to split: `--period hour|day|week|month`, `--chunk-size N` or `--chunks N`",
        )),
        (None, None, None) => return Ok(None),
    };
    Ok(Some(crate::data::ChunkSpec {
        chunker,
        timestamp: args.chunk_by.clone(),
    }))
}

impl ReportSettings {
    pub fn resolve(args: ReportArgs) -> Result<ReportSettings, SettingsError> {
        let csv = CsvOptions {
            delimiter: delimiter(&args.delimiter)?,
            null_values: args.null_values.clone(),
        };
        let chunking = chunking(&args)?;
        let analysis = analysis_options(&args)?
            .resolve(|k| flag_of(k).to_string())
            .map_err(|e| invalid(flag_of(e.key), e.message))?;
        let format = args
            .format
            .or_else(|| {
                args.output
                    .as_deref()
                    .and_then(ReportFormat::from_extension)
            })
            .unwrap_or(ReportFormat::Table);
        let stdout_tty = args.output.is_none() && std::io::stdout().is_terminal();
        let color = match args.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                stdout_tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        };
        let settings = ReportSettings {
            reference: args.reference,
            reference_profile: None,
            current: args.current,
            reference_from: "`--reference`".to_string(),
            current_from: "`--current`".to_string(),
            csv,
            storage: StorageOptions::parse(&args.storage_option)
                .map_err(|e| invalid("--storage-option", e.to_string()))?,
            analysis,
            output: OutputSettings {
                format,
                path: args.output,
                quiet: args.quiet,
                color,
                extra: [
                    (ReportFormat::Json, args.output_json),
                    (ReportFormat::Html, args.output_html),
                    (ReportFormat::Markdown, args.output_markdown),
                    (ReportFormat::Junit, args.output_junit),
                ]
                .into_iter()
                .filter_map(|(f, p)| p.map(|p| (f, p)))
                .collect(),
                github: crate::report::render::github::should_run(
                    args.github,
                    std::env::var("GITHUB_ACTIONS").ok().as_deref(),
                )
                .then(|| GithubSettings {
                    step_summary: std::env::var_os("GITHUB_STEP_SUMMARY")
                        .filter(|v| !v.is_empty())
                        .map(PathBuf::from),
                }),
                prometheus_textfile: args.prometheus_textfile,
                pushgateway: args.pushgateway,
                model: args.model,
                width: if stdout_tty {
                    comfy_table::Table::new().width()
                } else {
                    None
                },
                progress: !args.quiet && std::io::stderr().is_terminal(),
            },
            fail_on: args.fail_on,
            chunking,
        };
        check_outputs_do_not_overwrite_inputs(
            &[
                ("`--reference`", &settings.reference),
                ("`--current`", &settings.current),
            ],
            &settings.outputs(),
        )?;
        Ok(settings)
    }

    /// Every file the report is written to, with the flag (or variable)
    /// that named it.
    pub fn outputs(&self) -> Vec<(&'static str, &Path)> {
        let out = &self.output;
        let mut outputs: Vec<(&'static str, &Path)> = Vec::new();
        if let Some(path) = &out.path {
            outputs.push(("--output", path));
        }
        for (format, path) in &out.extra {
            let flag = match format {
                ReportFormat::Json => "--output-json",
                ReportFormat::Html => "--output-html",
                ReportFormat::Markdown => "--output-markdown",
                ReportFormat::Junit => "--output-junit",
                ReportFormat::Table => "--output",
            };
            outputs.push((flag, path));
        }
        if let Some(path) = &out.prometheus_textfile {
            outputs.push(("--prometheus-textfile", path));
        }
        if let Some(path) = out.github.as_ref().and_then(|g| g.step_summary.as_ref()) {
            outputs.push(("$GITHUB_STEP_SUMMARY", path));
        }
        outputs
    }
}

/// Each output's directory exists (`run` writes its outputs last, after
/// acting; a typo there must fail first).
fn check_output_dirs_exist(outputs: &[(&'static str, &Path)]) -> Result<(), SettingsError> {
    for (flag, path) in outputs {
        let dir = crate::atomic_file::parent_dir(path);
        if !dir.is_dir() {
            return Err(invalid(
                flag,
                format!(
                    "the directory `{}` of `{}` does not exist",
                    dir.display(),
                    path.display()
                ),
            ));
        }
    }
    Ok(())
}

/// Refuses an output that is one of the input data files, which writing the
/// report would destroy. `inputs` are (where the spec came from, as the
/// message shows it, e.g. `` `--current` ``; the spec), each expanded as
/// loading it will be (a glob or a directory gives its files); `outputs`
/// are (flag, path). `ReportSettings::resolve` and `RunSettings::resolve`
/// call it, so a refused command has read and written nothing.
///
/// Files are compared by device and inode, so an output reached through a
/// symlink, a `..` or a hard link is caught too. An output that does not
/// exist yet cannot be an input, and only regular files count: pipes and
/// devices (`/dev/stdout`) are written in place, not replaced. An input
/// that cannot be expanded is left to the loader to report.
pub fn check_outputs_do_not_overwrite_inputs(
    inputs: &[(&str, &str)],
    outputs: &[(&'static str, &Path)],
) -> Result<(), SettingsError> {
    use std::os::unix::fs::MetadataExt;
    let id = |path: &Path| {
        std::fs::metadata(path)
            .ok()
            .filter(|m| m.is_file())
            .map(|m| (m.dev(), m.ino()))
    };
    let outputs: Vec<_> = outputs
        .iter()
        .filter_map(|&(flag, path)| id(path).map(|id| (flag, path, id)))
        .collect();
    if outputs.is_empty() {
        return Ok(());
    }
    for (from, spec) in inputs {
        let Ok(expanded) = crate::data::expand(spec) else {
            continue;
        };
        for file in expanded.files.iter().filter(|f| !f.stream) {
            let Some(input) = id(&file.path) else {
                continue;
            };
            if let Some((flag, path, _)) = outputs.iter().find(|(_, _, id)| *id == input) {
                let what = if *path == file.path {
                    format!("`{}` is an input data file", path.display())
                } else {
                    format!(
                        "`{}` is the same file as `{}`, an input data file",
                        path.display(),
                        file.path.display()
                    )
                };
                return Err(invalid(
                    flag,
                    format!("{what} ({from}); writing there would destroy it, choose another path"),
                ));
            }
        }
    }
    Ok(())
}

/// The analysis flags as one layer of options (each parsed once, errors
/// naming the flag). Clap fills in the defaults it shows in `--help`.
fn analysis_options(args: &ReportArgs) -> Result<AnalysisOptions, SettingsError> {
    let method = |name: &str, flag, usage| parse_method(name, usage).map_err(|e| invalid(flag, e));
    let mut methods = BTreeMap::new();
    for spec in &args.methods {
        let (col, name) = spec
            .split_once('=')
            .ok_or_else(|| invalid("--method", format!("`{spec}` is not COL=NAME")))?;
        let method: Method = name.trim().parse().map_err(|e| invalid("--method", e))?;
        methods.insert(col.trim().to_string(), method);
    }
    let mut threshold = None;
    let mut thresholds = BTreeMap::new();
    for spec in &args.thresholds {
        match spec.split_once('=') {
            Some((col, x)) => {
                thresholds.insert(col.trim().to_string(), number(x, "--threshold")?);
            }
            None if threshold.is_some() => {
                return Err(invalid(
                    "--threshold",
                    "give one global threshold (X) and per-column ones as COL=X",
                ))
            }
            None => threshold = Some(number(spec, "--threshold")?),
        }
    }
    let role = |name: &Option<String>, flag| {
        name.as_deref()
            .map(|n| method(n, flag, MethodFor::Role))
            .transpose()
    };
    Ok(AnalysisOptions {
        columns: args.columns.clone(),
        exclude: args.exclude.clone(),
        categorical: args.categorical.clone(),
        numerical: args.numerical.clone(),
        target: args.target.clone(),
        prediction: args.prediction.clone(),
        num_method: args
            .num_method
            .as_deref()
            .map(|n| method(n, "--num-method", MethodFor::Numerical))
            .transpose()?,
        cat_method: args
            .cat_method
            .as_deref()
            .map(|n| method(n, "--cat-method", MethodFor::Categorical))
            .transpose()?,
        target_method: role(&args.target_method, "--target-method")?,
        prediction_method: role(&args.prediction_method, "--prediction-method")?,
        methods,
        threshold,
        thresholds,
        bins: Some(args.bins.parse().map_err(|e| invalid("--bins", e))?),
        drift_share: Some(args.drift_share),
        min_effect: args
            .min_effect
            .map(|x| number(&x.to_string(), "--min-effect"))
            .transpose()?,
        correction: args.correction,
        seed: Some(args.seed),
        permutations: args.permutations,
        mmd_sample: Some(args.mmd_sample),
        missing_increase: Some(args.missing_increase),
        out_of_range: Some(args.out_of_range),
        positive_label: args.positive_label.clone(),
        prediction_threshold: Some(args.prediction_threshold),
        preset: args.preset,
        calibrate: args.calibrate,
        calibration: args.calibration,
        multivariate: args.multivariate.then_some(true),
        pca_variance: args.pca_variance,
    })
}

/// The flag of an analysis option named as in a policy's `report:` block
/// (the keys `AnalysisOptions::resolve` names in its errors and messages).
fn flag_of(key: &str) -> &'static str {
    match key {
        "categorical" => "--categorical",
        "numerical" => "--numerical",
        "permutations" => "--permutations",
        "mmd_sample" => "--mmd-sample",
        "threshold" => "--threshold",
        "min_effect" => "--min-effect",
        "calibrate" => "--calibrate",
        "preset" => "--preset",
        "drift_share" => "--drift-share",
        "missing_increase" => "--missing-increase",
        "out_of_range" => "--out-of-range",
        "prediction_threshold" => "--prediction-threshold",
        "pca_variance" => "--pca-variance",
        _ => "--report option",
    }
}

fn delimiter(s: &str) -> Result<u8, SettingsError> {
    match s {
        "\\t" | "\t" | "tab" => Ok(b'\t'),
        _ if s.len() == 1 && s.is_ascii() => Ok(s.as_bytes()[0]),
        _ => Err(invalid(
            "--delimiter",
            format!("`{s}` is not a single ASCII character"),
        )),
    }
}

fn number(s: &str, flag: &'static str) -> Result<f64, SettingsError> {
    let x: f64 = s
        .trim()
        .parse()
        .map_err(|_| invalid(flag, format!("`{s}` is not a number")))?;
    if !x.is_finite() || x < 0.0 {
        return Err(invalid(flag, format!("`{s}` must be a finite number >= 0")));
    }
    Ok(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::MethodChoice;
    use clap::Parser;

    fn resolve(extra: &[&str]) -> Result<ReportSettings, SettingsError> {
        let mut argv = vec!["driftmend", "report", "-r", "a.parquet", "-c", "b.parquet"];
        argv.extend_from_slice(extra);
        let cli = crate::cli::Cli::try_parse_from(argv).unwrap();
        match cli.command {
            crate::cli::Command::Report(args) => ReportSettings::resolve(args),
            other => panic!("parsed as {other:?}"),
        }
    }

    #[test]
    fn thresholds_global_and_per_column() {
        let s = resolve(&["--threshold", "0.2", "--threshold", "income=0.3"]).unwrap();
        assert_eq!(s.analysis.threshold, Some(0.2));
        assert_eq!(s.analysis.thresholds["income"], 0.3);
        let err = resolve(&["--threshold", "0.2", "--threshold", "0.3"]).unwrap_err();
        assert_eq!(err.flag, "--threshold");
        assert_eq!(
            resolve(&["--threshold", "x=abc"]).unwrap_err().to_string(),
            "invalid value for `--threshold`: `abc` is not a number"
        );
    }

    #[test]
    fn methods_are_checked_against_kinds() {
        let s = resolve(&["--method", "income=psi", "--num-method", "ks"]).unwrap();
        assert_eq!(s.analysis.methods["income"], Method::Psi);
        assert_eq!(s.analysis.num_method, MethodChoice::Fixed(Method::Ks));
        let err = resolve(&["--num-method", "chisquare"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid value for `--num-method`: `chisquare` does not apply to numerical columns"
        );
        let err = resolve(&["--method", "income=foo"]).unwrap_err();
        assert!(
            err.to_string().contains("unknown drift method `foo`"),
            "{err}"
        );
        assert_eq!(
            resolve(&["--method", "income"]).unwrap_err().to_string(),
            "invalid value for `--method`: `income` is not COL=NAME"
        );
    }

    #[test]
    fn format_follows_output_extension() {
        let s = resolve(&["--output", "r.json"]).unwrap();
        assert_eq!(s.output.format, ReportFormat::Json);
        let s = resolve(&["--output", "r.md", "--format", "json"]).unwrap();
        assert_eq!(s.output.format, ReportFormat::Json);
        assert!(!s.output.color);
    }

    #[test]
    fn shares_and_delimiters() {
        assert_eq!(
            resolve(&["--drift-share", "1.5"]).unwrap_err().to_string(),
            "invalid value for `--drift-share`: `1.5` must be between 0 and 1"
        );
        assert_eq!(resolve(&["--delimiter", ";"]).unwrap().csv.delimiter, b';');
        assert_eq!(
            resolve(&["--delimiter", "\\t"]).unwrap().csv.delimiter,
            b'\t'
        );
        assert_eq!(
            resolve(&["--delimiter", ";;"]).unwrap_err().to_string(),
            "invalid value for `--delimiter`: `;;` is not a single ASCII character"
        );
        assert_eq!(
            resolve(&["--categorical", "a", "--numerical", "a"])
                .unwrap_err()
                .to_string(),
            "invalid value for `--categorical`: `a` is also in `--numerical`; pick one"
        );
    }
}
