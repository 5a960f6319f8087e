//! What a user can type: clap definitions only. `settings` turns these into
//! validated settings; commands never see clap types.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::exit::EXIT_CODES_HELP;
use crate::report::model::{Correction, Preset};
use crate::report::render::ReportFormat;

#[derive(Debug, Parser)]
#[command(
    name = "driftmend",
    version,
    about = "Keep production ML models healthy: measure drift and data quality, decide, act",
    after_help = EXIT_CODES_HELP,
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

// Parsed once per process: the size of `Report`'s arguments costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compare a current dataset with a reference: per-column drift, dataset
    /// drift and data quality
    Report(ReportArgs),
    /// Summarise a dataset into a profile file, accepted in its place by
    /// `report`, `run` and `merge` (see docs/profiles.md)
    Profile(ProfileArgs),
    /// Merge profiles of parts of a dataset into the profile of the whole
    Merge(MergeArgs),
    /// Run a policy: report, decide under guardrails, act, remember, audit
    Run(RunArgs),
    /// Replay a policy on history: what it would have decided, run by run,
    /// in a scratch state (nothing runs, nothing is sent)
    Backtest(BacktestArgs),
    /// Check or explain a policy file
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// List actions waiting for approval
    Pending(StateArgs),
    /// Approve a pending action: it runs now, under the same guardrails
    Approve(DecideArgs),
    /// Reject a pending action
    Reject(DecideArgs),
    /// Confirm what became of an action whose outcome is unknown (sent, never
    /// answered), so the policy may run it again
    Ack(AckArgs),
    /// Move an MLflow registry alias to a candidate version after checking
    /// its run metrics (exit 0 promoted, 1 refused, 2 error)
    Promote(PromoteArgs),
    /// Show the audit log, or verify its hash chain
    Audit(AuditArgs),
    /// Print a completion script: bash, zsh, fish, powershell, elvish
    Completions {
        /// The shell to complete for
        #[arg(value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff)
    Man,
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Report every problem with file:line:col and field path (exit 0 or 2)
    Validate(PolicyFileArgs),
    /// Print the resolved policy with every default filled in
    Explain(PolicyFileArgs),
}

#[derive(Debug, Args)]
pub struct PolicyFileArgs {
    /// The policy file
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Don't read the reference dataset to check column names
    #[arg(long)]
    pub no_data: bool,
}

#[derive(Debug, Args)]
pub struct StateArgs {
    /// The policy whose state to use (required)
    #[arg(long, value_name = "FILE", env = "DRIFTMEND_POLICY", global = true)]
    pub policy: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = ListFormat::Table, global = true)]
    pub format: ListFormat,
    /// The time to act as (RFC 3339), for tests and backfills
    #[arg(long, value_name = "RFC3339", global = true)]
    pub now: Option<String>,
}

#[derive(Debug, Args)]
pub struct DecideArgs {
    /// The approval id (see `driftmend pending`)
    #[arg(value_name = "ID")]
    pub id: String,
    #[command(flatten)]
    pub state: StateArgs,
    /// Why (kept in the audit log)
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Wait up to this long for another run's lock (e.g. 30s)
    #[arg(long, value_name = "DURATION", default_value = "0s")]
    pub lock_timeout: String,
}

#[derive(Debug, Args)]
pub struct AckArgs {
    /// The action (its name in the policy)
    #[arg(value_name = "ACTION")]
    pub action: String,
    /// It took effect (counts as a success)
    #[arg(long, conflicts_with = "failed", required_unless_present = "failed")]
    pub succeeded: bool,
    /// It did not take effect (counts as a failure)
    #[arg(long)]
    pub failed: bool,
    #[command(flatten)]
    pub state: StateArgs,
    /// Why (kept in the audit log)
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Wait up to this long for another run's lock (e.g. 30s)
    #[arg(long, value_name = "DURATION", default_value = "0s")]
    pub lock_timeout: String,
}

#[derive(Debug, Args)]
pub struct PromoteArgs {
    /// The registered model
    #[arg(long, value_name = "NAME")]
    pub model: String,
    /// The version to promote: a version number or an alias (e.g. challenger)
    #[arg(long, value_name = "ALIAS|VERSION")]
    pub candidate: String,
    /// The run metric to check (from the candidate version's MLflow run)
    #[arg(long, value_name = "NAME", required_unless_present = "no_check")]
    pub metric: Option<String>,
    /// Refuse unless the metric is at least this
    #[arg(long, value_name = "X", requires = "metric")]
    pub min: Option<f64>,
    /// Refuse unless the metric is at most this
    #[arg(long, value_name = "X", requires = "metric")]
    pub max: Option<f64>,
    /// Refuse unless the metric beats this alias's version (e.g. champion)
    #[arg(long, value_name = "ALIAS", requires = "metric")]
    pub better_than: Option<String>,
    /// With --better-than: a lower metric is better (rmse, log_loss)
    #[arg(long, requires = "better_than")]
    pub lower_is_better: bool,
    /// Promote without checking any metric
    #[arg(long, conflicts_with_all = ["metric", "min", "max", "better_than"])]
    pub no_check: bool,
    /// The MLflow tracking server [env: MLFLOW_TRACKING_URI]
    #[arg(long, value_name = "URL")]
    pub tracking_uri: Option<String>,
    /// The serving alias to move
    #[arg(long, value_name = "ALIAS", default_value = "champion")]
    pub alias: String,
    /// The alias kept on the version it replaces, for rollbacks
    #[arg(long, value_name = "ALIAS", default_value = "previous_champion")]
    pub previous_alias: String,
    /// Print the steps; change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Allow plain http to a non-loopback server
    #[arg(long)]
    pub allow_insecure_http: bool,
    /// Give up after this long (with retries)
    #[arg(long, value_name = "DURATION", default_value = "60s")]
    pub timeout: String,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(subcommand)]
    pub command: Option<AuditCommand>,
    #[command(flatten)]
    pub state: StateArgs,
    /// Only records newer than this (e.g. 24h, 7d)
    #[arg(long, value_name = "DURATION")]
    pub since: Option<String>,
    /// The dry runs' log (their shadow state), not the real one
    #[arg(long)]
    pub shadow: bool,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the log's hash chain (exit 0 intact, 1 broken)
    Verify,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The policy file
    #[arg(long, value_name = "FILE", env = "DRIFTMEND_POLICY")]
    pub policy: PathBuf,
    /// Decide and print what would run; run nothing. Dry runs keep a shadow
    /// state of their own (`<state_dir>/shadow`), never the real one
    #[arg(long)]
    pub dry_run: bool,
    /// With --dry-run: don't append the dry-run records to the shadow audit log
    #[arg(long, requires = "dry_run")]
    pub no_audit: bool,
    /// Override the policy's reference dataset
    #[arg(long, value_name = "PATH")]
    pub reference: Option<String>,
    /// Override the policy's current dataset
    #[arg(long, value_name = "PATH")]
    pub current: Option<String>,
    /// Object-storage option for `s3://` paths, KEY=VALUE (repeatable);
    /// overrides the policy's `data.storage_options` and the AWS_* environment
    #[arg(long, value_name = "KEY=VALUE")]
    pub storage_option: Vec<String>,
    /// The time to act as (RFC 3339), for tests and backfills
    #[arg(long, value_name = "RFC3339")]
    pub now: Option<String>,
    /// Wait up to this long for another run of the policy (e.g. 30s)
    #[arg(long, value_name = "DURATION", default_value = "0s")]
    pub lock_timeout: String,
    /// Exit 0 (not 1) when a rule fired and was handled, for schedulers
    /// that treat any non-zero exit as a failed task
    #[arg(long)]
    pub exit_zero_when_handled: bool,
    /// Also write the JSON report to FILE (as `report --output-json`)
    #[arg(
        long = "output-json",
        alias = "report-output",
        value_name = "FILE",
        value_hint = clap::ValueHint::FilePath,
        help_heading = "Output"
    )]
    pub report_output: Option<PathBuf>,
    /// Also write the HTML report, with a drift-over-time chart of recent
    /// runs, to FILE (as `report --output-html`)
    #[arg(
        long = "output-html",
        alias = "html",
        value_name = "FILE",
        value_hint = clap::ValueHint::FilePath,
        help_heading = "Output"
    )]
    pub html: Option<PathBuf>,
    /// Write Prometheus metrics to PATH (node_exporter textfile format, atomically)
    #[arg(long, value_name = "PATH", value_hint = clap::ValueHint::FilePath, help_heading = "Output")]
    pub prometheus_textfile: Option<PathBuf>,
    /// Push the same metrics to a Prometheus Pushgateway (base URL), with retries
    #[arg(long, value_name = "URL", value_hint = clap::ValueHint::Url, help_heading = "Output")]
    pub pushgateway: Option<String>,
    /// Output format of the run summary
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
    /// No progress and no notes on stderr
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct BacktestArgs {
    /// The policy file
    #[arg(long, value_name = "FILE", env = "DRIFTMEND_POLICY")]
    pub policy: PathBuf,
    /// The history: a glob of partitions, each one run's current data
    /// (e.g. 'data/dt=*/'; quote it), ordered by time
    #[arg(long, value_name = "GLOB")]
    pub history: String,
    /// Only partitions at or after this time (YYYY-MM-DD or RFC 3339)
    #[arg(long, value_name = "TIME")]
    pub from: Option<String>,
    /// Only partitions at or before this time (a date includes its whole day)
    #[arg(long, value_name = "TIME")]
    pub to: Option<String>,
    /// Replay a second policy on the same history and show where their
    /// decisions differ
    #[arg(long, value_name = "FILE")]
    pub against: Option<PathBuf>,
    /// A partition's time is this column's latest value, not its
    /// `key=YYYY-MM-DD` path segment
    #[arg(long, value_name = "COLUMN")]
    pub time_from: Option<String>,
    /// Assume these actions fail when they run (ACTION, or ACTION@TIME for
    /// one run), to exercise breakers and escalations; the rest succeed
    #[arg(long, value_name = "ACTION[@TIME],...", value_delimiter = ',')]
    pub fail: Vec<String>,
    /// Override the policy's reference dataset
    #[arg(long, value_name = "PATH")]
    pub reference: Option<String>,
    /// Where each partition's report is cached [default: `backtest-cache/`
    /// in the policy's state directory]
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Build every report afresh; read and write no cache
    #[arg(long, conflicts_with = "cache_dir")]
    pub no_cache: bool,
    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = BacktestFormat::Table)]
    pub format: BacktestFormat,
    /// No progress and no notes on stderr
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Output formats of `driftmend backtest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BacktestFormat {
    /// The eventful runs, totals and differences, for a terminal
    Table,
    /// Every run, totals and differences
    Json,
    /// One self-contained page
    Html,
}

/// When to colour the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ColorChoice {
    /// Colour when writing to a terminal and `NO_COLOR` is unset
    #[default]
    Auto,
    Always,
    Never,
}

/// What makes `report` exit with code 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum FailOn {
    /// Always exit 0 when the report was produced
    #[default]
    Never,
    /// Dataset drift detected
    Drift,
    /// Any error-severity quality finding (schema break, emptied column)
    Quality,
    /// Either of the above
    Any,
}

#[derive(Debug, Args)]
pub struct ProfileArgs {
    /// The dataset: a .parquet/.pq/.csv/.csv.gz file, a glob (quote it) or a
    /// directory of such files
    #[arg(value_name = "DATA")]
    pub data: String,

    /// Where to write the profile
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: PathBuf,

    /// `bounded` reads Parquet one row group at a time (memory follows the
    /// row group, not the file); `auto` does so past 512 MiB of Parquet
    #[arg(long, value_enum, default_value_t = MemoryMode::Auto, help_heading = "Input")]
    pub memory: MemoryMode,

    /// CSV field delimiter (one character, `\t` for tab)
    #[arg(long, value_name = "CHAR", default_value = ",", help_heading = "Input")]
    pub delimiter: String,

    /// Extra CSV strings read as missing (the empty field always is)
    #[arg(
        long,
        value_name = "LIST",
        value_delimiter = ',',
        help_heading = "Input"
    )]
    pub null_values: Vec<String>,

    /// Object-storage option for `s3://` paths, KEY=VALUE (repeatable);
    /// overrides the AWS_* environment
    #[arg(long, value_name = "KEY=VALUE", help_heading = "Input")]
    pub storage_option: Vec<String>,

    /// Profile only these columns
    #[arg(
        long,
        value_name = "LIST",
        value_delimiter = ',',
        help_heading = "Columns"
    )]
    pub columns: Option<Vec<String>>,

    /// Leave these columns out
    #[arg(
        long,
        value_name = "LIST",
        value_delimiter = ',',
        help_heading = "Columns"
    )]
    pub exclude: Vec<String>,

    /// No progress on stderr
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// How `profile` reads its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MemoryMode {
    Auto,
    Bounded,
    InMemory,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The profiles to merge (two or more; the order does not change the
    /// result)
    #[arg(value_name = "PROFILE", required = true, num_args = 1..)]
    pub profiles: Vec<PathBuf>,

    /// Where to write the merged profile
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: PathBuf,

    /// No progress on stderr
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Reference dataset: a .parquet/.pq/.csv/.csv.gz file, a glob (quote it)
    /// or a directory of such files; local or `s3://bucket/key` (same forms)
    #[arg(long, short = 'r', value_name = "PATH")]
    pub reference: String,

    /// Current dataset, same forms as --reference
    #[arg(long, short = 'c', value_name = "PATH")]
    pub current: String,

    /// CSV field delimiter (one character, `\t` for tab)
    #[arg(long, value_name = "CHAR", default_value = ",", help_heading = "Input")]
    pub delimiter: String,

    /// Extra CSV strings read as missing (the empty field always is)
    #[arg(
        long,
        value_name = "LIST",
        value_delimiter = ',',
        help_heading = "Input"
    )]
    pub null_values: Vec<String>,

    /// Object-storage option for `s3://` paths, KEY=VALUE (repeatable; e.g.
    /// aws_endpoint_url=http://127.0.0.1:9000, aws_region=eu-west-1);
    /// overrides the AWS_* environment
    #[arg(long, value_name = "KEY=VALUE", help_heading = "Input")]
    pub storage_option: Vec<String>,

    /// Compare only these columns
    #[arg(
        long,
        value_name = "LIST",
        value_delimiter = ',',
        help_heading = "Columns"
    )]
    pub columns: Option<Vec<String>>,

    /// Leave these columns out (e.g. ids, timestamps)
    #[arg(
        long,
        value_name = "LIST",
        value_delimiter = ',',
        help_heading = "Columns"
    )]
    pub exclude: Vec<String>,

    /// Treat these columns as categorical
    #[arg(
        long,
        value_name = "LIST",
        value_delimiter = ',',
        help_heading = "Columns"
    )]
    pub categorical: Vec<String>,

    /// Treat these columns as numerical
    #[arg(
        long,
        value_name = "LIST",
        value_delimiter = ',',
        help_heading = "Columns"
    )]
    pub numerical: Vec<String>,

    /// The label column (reported separately; not counted in dataset drift)
    #[arg(long, value_name = "COL", help_heading = "Columns")]
    pub target: Option<String>,

    /// The model-output column (reported separately; not counted in dataset drift)
    #[arg(long, value_name = "COL", help_heading = "Columns")]
    pub prediction: Option<String>,

    /// What `auto` and each verdict mean; explicit flags override what a
    /// preset sets
    #[arg(long, value_enum, value_name = "NAME", help_heading = "Drift")]
    pub preset: Option<Preset>,

    /// Calibrate each column's effect threshold on the reference: split it
    /// into N chunks, score each against the rest, threshold at the 95th
    /// percentile of those scores (never below the effect floor)
    #[arg(long, value_name = "N", help_heading = "Drift")]
    pub calibrate: Option<usize>,

    /// Drift method for numerical columns: auto, ks, wasserstein,
    /// jensenshannon, psi, kl_div, hellinger, anderson, cramer_von_mises,
    /// mannw, t_test, welch, es, ed, ed_norm, empirical_mmd [default: auto,
    /// as the preset chooses]
    #[arg(
        long,
        value_name = "NAME",
        value_parser = MethodName::Numerical,
        hide_possible_values = true,
        help_heading = "Drift"
    )]
    pub num_method: Option<String>,

    /// Drift method for categorical columns: auto, chi2, chisquare, z,
    /// jensenshannon, psi, kl_div, hellinger, fisher_exact, g_test, tvd, linf
    /// [default: auto, as the preset chooses]
    #[arg(
        long,
        value_name = "NAME",
        value_parser = MethodName::Categorical,
        hide_possible_values = true,
        help_heading = "Drift"
    )]
    pub cat_method: Option<String>,

    /// Drift method for the --target column [default: by its kind]
    #[arg(long, value_name = "NAME", value_parser = MethodName::Any, hide_possible_values = true, help_heading = "Drift")]
    pub target_method: Option<String>,

    /// Drift method for the --prediction column [default: by its kind]
    #[arg(long, value_name = "NAME", value_parser = MethodName::Any, hide_possible_values = true, help_heading = "Drift")]
    pub prediction_method: Option<String>,

    /// Method for one column, COL=NAME (repeatable)
    #[arg(long = "method", value_name = "COL=NAME", help_heading = "Drift")]
    pub methods: Vec<String>,

    /// Drift threshold for every column (X) or one column (COL=X); repeatable.
    /// Default: each method's own (0.05 for p-values, 0.1 for distances)
    #[arg(long = "threshold", value_name = "X|COL=X", help_heading = "Drift")]
    pub thresholds: Vec<String>,

    /// Binning of numerical values for psi, kl_div and jensenshannon: auto
    /// (Evidently's) or quantile:N (N bins at reference quantiles)
    #[arg(
        long,
        value_name = "auto|quantile:N",
        default_value = "auto",
        help_heading = "Drift"
    )]
    pub bins: String,

    /// The effect floor: preset default, the effect gate's floor for every
    /// column (trimmed Wasserstein or TVD) [default: 0.05 and 0.015];
    /// preset evidently, a p-value verdict counts only with an effect size
    /// (normalised Wasserstein or Jensen-Shannon) of at least X
    #[arg(long, value_name = "X", help_heading = "Drift")]
    pub min_effect: Option<f64>,

    /// Multiple-testing correction across p-value columns [default: bh, or
    /// none with --preset evidently]
    #[arg(long, value_enum, value_name = "METHOD", help_heading = "Drift")]
    pub correction: Option<Correction>,

    /// Seed of permutation tests (tvd, empirical_mmd) and subsamples
    #[arg(long, value_name = "N", default_value_t = 0, help_heading = "Drift")]
    pub seed: u64,

    /// Permutations behind tvd's and empirical_mmd's p-values [default:
    /// enough for a corrected p-value across all columns, at least 1000 and
    /// 200, stopping early once 20 are as extreme; --preset evidently: 1000
    /// and 200]
    #[arg(long, value_name = "N", help_heading = "Drift")]
    pub permutations: Option<usize>,

    /// empirical_mmd compares seeded subsamples of at most N values per side
    #[arg(long, value_name = "N", default_value_t = 2000, help_heading = "Drift")]
    pub mmd_sample: usize,

    /// Dataset drift when at least this share of feature columns drifted
    #[arg(
        long,
        value_name = "SHARE",
        default_value_t = 0.5,
        help_heading = "Drift"
    )]
    pub drift_share: f64,

    /// Classification: the positive class [default: the larger label, e.g. 1 of 0/1]
    #[arg(long, value_name = "LABEL", help_heading = "Performance")]
    pub positive_label: Option<String>,

    /// Classification with score predictions: score >= X is the positive class
    #[arg(
        long,
        value_name = "X",
        default_value_t = 0.5,
        help_heading = "Performance"
    )]
    pub prediction_threshold: f64,

    /// Estimated performance (CBPE): calibrate scores on the reference [default: auto]
    #[arg(long, value_enum, value_name = "WHEN", help_heading = "Performance")]
    pub calibration: Option<crate::stats::cbpe::Calibration>,

    /// Multivariate drift: PCA reconstruction error of all feature columns together
    #[arg(long, help_heading = "Drift")]
    pub multivariate: bool,

    /// Multivariate drift: keep principal components up to this share of variance [default: 0.65]
    #[arg(long, value_name = "SHARE", help_heading = "Drift")]
    pub pca_variance: Option<f64>,

    /// Warn when a column's missing share grows by at least this much
    #[arg(
        long,
        value_name = "SHARE",
        default_value_t = 0.05,
        help_heading = "Quality"
    )]
    pub missing_increase: f64,

    /// Warn when at least this share of current values is outside the reference range
    #[arg(
        long,
        value_name = "SHARE",
        default_value_t = 0.01,
        help_heading = "Quality"
    )]
    pub out_of_range: f64,

    /// Split the current data by this date/datetime column (sorted by it)
    /// and compare each chunk with the reference too
    #[arg(long, value_name = "COLUMN", help_heading = "Chunks")]
    pub chunk_by: Option<String>,

    /// With --chunk-by: one chunk per calendar period (UTC)
    #[arg(
        long,
        value_enum,
        value_name = "PERIOD",
        requires = "chunk_by",
        help_heading = "Chunks"
    )]
    pub period: Option<crate::report::chunk::Period>,

    /// Chunks of N rows (in file order, or sorted by --chunk-by)
    #[arg(long, value_name = "N", conflicts_with_all = ["period", "chunks"], help_heading = "Chunks")]
    pub chunk_size: Option<usize>,

    /// N chunks of equal size (rows / N; leftover rows as --incomplete says)
    #[arg(
        long,
        value_name = "N",
        conflicts_with = "period",
        help_heading = "Chunks"
    )]
    pub chunks: Option<usize>,

    /// Rows left after the last full chunk: keep (a smaller chunk), append
    /// (to the last chunk) or drop
    #[arg(long, value_enum, value_name = "HOW", default_value_t = crate::report::chunk::Incomplete::Keep, help_heading = "Chunks")]
    pub incomplete: crate::report::chunk::Incomplete,

    /// Output format [default: table, or implied by --output's extension: .json, .md]
    #[arg(long, short = 'f', value_enum, help_heading = "Output")]
    pub format: Option<ReportFormat>,

    /// Write the report to FILE (atomically) instead of stdout
    #[arg(long, short = 'o', value_name = "FILE", help_heading = "Output")]
    pub output: Option<PathBuf>,

    /// Also write the JSON report to FILE (several outputs from one run)
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub output_json: Option<PathBuf>,

    /// Also write the HTML report (self-contained, with plots) to FILE
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub output_html: Option<PathBuf>,

    /// Also write the Markdown report to FILE
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub output_markdown: Option<PathBuf>,

    /// Also write JUnit XML (GitLab, Jenkins) to FILE
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub output_junit: Option<PathBuf>,

    /// GitHub Actions: append the Markdown summary to $GITHUB_STEP_SUMMARY
    /// and emit ::warning/::error annotations [default: on when
    /// GITHUB_ACTIONS=true]
    #[arg(long, help_heading = "Output")]
    pub github: bool,

    /// Write Prometheus metrics to PATH (node_exporter textfile format, atomically)
    #[arg(long, value_name = "PATH", help_heading = "Output")]
    pub prometheus_textfile: Option<PathBuf>,

    /// Push the same metrics to a Prometheus Pushgateway (base URL), with retries
    #[arg(long, value_name = "URL", help_heading = "Output")]
    pub pushgateway: Option<String>,

    /// The `model` label on Prometheus metrics
    #[arg(long, value_name = "NAME", help_heading = "Output")]
    pub model: Option<String>,

    /// No progress and no notes on stderr (errors still show)
    #[arg(long, short = 'q', help_heading = "Output")]
    pub quiet: bool,

    /// When to use colour
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN", help_heading = "Output")]
    pub color: ColorChoice,

    /// Exit 1 when this is met: never, drift, quality, any
    #[arg(long, value_enum, default_value_t = FailOn::Never, value_name = "WHEN", help_heading = "Output")]
    pub fail_on: FailOn,
}

/// The drift methods a flag takes, for completion (`--num-method <TAB>`):
/// `auto` and each method's name. Any text is passed on; `settings` parses
/// it (aliases too) and says what is wrong with a bad one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodName {
    Numerical,
    Categorical,
    Any,
}

impl clap::builder::TypedValueParser for MethodName {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        use crate::stats::Method;
        let kind = *self;
        let methods = Method::ALL.into_iter().filter(move |m| match kind {
            MethodName::Numerical => m.accepts_numerical(),
            MethodName::Categorical => m.accepts_categorical(),
            MethodName::Any => true,
        });
        Some(Box::new(
            std::iter::once(clap::builder::PossibleValue::new("auto"))
                .chain(methods.map(|m| clap::builder::PossibleValue::new(m.name()))),
        ))
    }
}
