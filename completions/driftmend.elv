
use builtin;
use str;

set edit:completion:arg-completer[driftmend] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'driftmend'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'driftmend'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand report 'Compare a current dataset with a reference: per-column drift, dataset drift and data quality'
            cand profile 'Summarise a dataset into a profile file, accepted in its place by `report`, `run` and `merge` (see docs/profiles.md)'
            cand merge 'Merge profiles of parts of a dataset into the profile of the whole'
            cand run 'Run a policy: report, decide under guardrails, act, remember, audit'
            cand backtest 'Replay a policy on history: what it would have decided, run by run, in a scratch state (nothing runs, nothing is sent)'
            cand policy 'Check or explain a policy file'
            cand pending 'List actions waiting for approval'
            cand approve 'Approve a pending action: it runs now, under the same guardrails'
            cand reject 'Reject a pending action'
            cand ack 'Confirm what became of an action whose outcome is unknown (sent, never answered), so the policy may run it again'
            cand promote 'Move an MLflow registry alias to a candidate version after checking its run metrics (exit 0 promoted, 1 refused, 2 error)'
            cand audit 'Show the audit log, or verify its hash chain'
            cand completions 'Print a completion script: bash, zsh, fish, powershell, elvish'
            cand man 'Print the man page (roff)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'driftmend;report'= {
            cand -r 'Reference dataset: a .parquet/.pq/.csv/.csv.gz file, a glob (quote it) or a directory of such files; local or `s3://bucket/key` (same forms)'
            cand --reference 'Reference dataset: a .parquet/.pq/.csv/.csv.gz file, a glob (quote it) or a directory of such files; local or `s3://bucket/key` (same forms)'
            cand -c 'Current dataset, same forms as --reference'
            cand --current 'Current dataset, same forms as --reference'
            cand --delimiter 'CSV field delimiter (one character, `\t` for tab)'
            cand --null-values 'Extra CSV strings read as missing (the empty field always is)'
            cand --storage-option 'Object-storage option for `s3://` paths, KEY=VALUE (repeatable; e.g. aws_endpoint_url=http://127.0.0.1:9000, aws_region=eu-west-1); overrides the AWS_* environment'
            cand --columns 'Compare only these columns'
            cand --exclude 'Leave these columns out (e.g. ids, timestamps)'
            cand --categorical 'Treat these columns as categorical'
            cand --numerical 'Treat these columns as numerical'
            cand --target 'The label column (reported separately; not counted in dataset drift)'
            cand --prediction 'The model-output column (reported separately; not counted in dataset drift)'
            cand --preset 'What `auto` and each verdict mean; explicit flags override what a preset sets'
            cand --calibrate 'Calibrate each column''s effect threshold on the reference: split it into N chunks, score each against the rest, threshold at the 95th percentile of those scores (never below the effect floor)'
            cand --num-method 'Drift method for numerical columns: auto, ks, wasserstein, jensenshannon, psi, kl_div, hellinger, anderson, cramer_von_mises, mannw, t_test, welch, es, ed, ed_norm, empirical_mmd [default: auto, as the preset chooses]'
            cand --cat-method 'Drift method for categorical columns: auto, chi2, chisquare, z, jensenshannon, psi, kl_div, hellinger, fisher_exact, g_test, tvd, linf [default: auto, as the preset chooses]'
            cand --target-method 'Drift method for the --target column [default: by its kind]'
            cand --prediction-method 'Drift method for the --prediction column [default: by its kind]'
            cand --method 'Method for one column, COL=NAME (repeatable)'
            cand --threshold 'Drift threshold for every column (X) or one column (COL=X); repeatable. Default: each method''s own (0.05 for p-values, 0.1 for distances)'
            cand --bins 'Binning of numerical values for psi, kl_div and jensenshannon: auto (Evidently''s) or quantile:N (N bins at reference quantiles)'
            cand --min-effect 'The effect floor: preset default, the effect gate''s floor for every column (trimmed Wasserstein or TVD) [default: 0.05 and 0.015]; preset evidently, a p-value verdict counts only with an effect size (normalised Wasserstein or Jensen-Shannon) of at least X'
            cand --correction 'Multiple-testing correction across p-value columns [default: bh, or none with --preset evidently]'
            cand --seed 'Seed of permutation tests (tvd, empirical_mmd) and subsamples'
            cand --permutations 'Permutations behind tvd''s and empirical_mmd''s p-values [default: enough for a corrected p-value across all columns, at least 1000 and 200, stopping early once 20 are as extreme; --preset evidently: 1000 and 200]'
            cand --mmd-sample 'empirical_mmd compares seeded subsamples of at most N values per side'
            cand --drift-share 'Dataset drift when at least this share of feature columns drifted'
            cand --positive-label 'Classification: the positive class [default: the larger label, e.g. 1 of 0/1]'
            cand --prediction-threshold 'Classification with score predictions: score >= X is the positive class'
            cand --calibration 'Estimated performance (CBPE): calibrate scores on the reference [default: auto]'
            cand --pca-variance 'Multivariate drift: keep principal components up to this share of variance [default: 0.65]'
            cand --missing-increase 'Warn when a column''s missing share grows by at least this much'
            cand --out-of-range 'Warn when at least this share of current values is outside the reference range'
            cand --chunk-by 'Split the current data by this date/datetime column (sorted by it) and compare each chunk with the reference too'
            cand --period 'With --chunk-by: one chunk per calendar period (UTC)'
            cand --chunk-size 'Chunks of N rows (in file order, or sorted by --chunk-by)'
            cand --chunks 'N chunks of equal size (rows / N; leftover rows as --incomplete says)'
            cand --incomplete 'Rows left after the last full chunk: keep (a smaller chunk), append (to the last chunk) or drop'
            cand -f 'Output format [default: table, or implied by --output''s extension: .json, .md]'
            cand --format 'Output format [default: table, or implied by --output''s extension: .json, .md]'
            cand -o 'Write the report to FILE (atomically) instead of stdout'
            cand --output 'Write the report to FILE (atomically) instead of stdout'
            cand --output-json 'Also write the JSON report to FILE (several outputs from one run)'
            cand --output-html 'Also write the HTML report (self-contained, with plots) to FILE'
            cand --output-markdown 'Also write the Markdown report to FILE'
            cand --output-junit 'Also write JUnit XML (GitLab, Jenkins) to FILE'
            cand --prometheus-textfile 'Write Prometheus metrics to PATH (node_exporter textfile format, atomically)'
            cand --pushgateway 'Push the same metrics to a Prometheus Pushgateway (base URL), with retries'
            cand --model 'The `model` label on Prometheus metrics'
            cand --color 'When to use colour'
            cand --fail-on 'Exit 1 when this is met: never, drift, quality, any'
            cand --multivariate 'Multivariate drift: PCA reconstruction error of all feature columns together'
            cand --github 'GitHub Actions: append the Markdown summary to $GITHUB_STEP_SUMMARY and emit ::warning/::error annotations [default: on when GITHUB_ACTIONS=true]'
            cand -q 'No progress and no notes on stderr (errors still show)'
            cand --quiet 'No progress and no notes on stderr (errors still show)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'driftmend;profile'= {
            cand -o 'Where to write the profile'
            cand --output 'Where to write the profile'
            cand --memory '`bounded` reads Parquet one row group at a time (memory follows the row group, not the file); `auto` does so past 512 MiB of Parquet'
            cand --delimiter 'CSV field delimiter (one character, `\t` for tab)'
            cand --null-values 'Extra CSV strings read as missing (the empty field always is)'
            cand --storage-option 'Object-storage option for `s3://` paths, KEY=VALUE (repeatable); overrides the AWS_* environment'
            cand --columns 'Profile only these columns'
            cand --exclude 'Leave these columns out'
            cand -q 'No progress on stderr'
            cand --quiet 'No progress on stderr'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'driftmend;merge'= {
            cand -o 'Where to write the merged profile'
            cand --output 'Where to write the merged profile'
            cand -q 'No progress on stderr'
            cand --quiet 'No progress on stderr'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'driftmend;run'= {
            cand --policy 'The policy file'
            cand --reference 'Override the policy''s reference dataset'
            cand --current 'Override the policy''s current dataset'
            cand --storage-option 'Object-storage option for `s3://` paths, KEY=VALUE (repeatable); overrides the policy''s `data.storage_options` and the AWS_* environment'
            cand --now 'The time to act as (RFC 3339), for tests and backfills'
            cand --lock-timeout 'Wait up to this long for another run of the policy (e.g. 30s)'
            cand --output-json 'Also write the JSON report to FILE (as `report --output-json`)'
            cand --output-html 'Also write the HTML report, with a drift-over-time chart of recent runs, to FILE (as `report --output-html`)'
            cand --prometheus-textfile 'Write Prometheus metrics to PATH (node_exporter textfile format, atomically)'
            cand --pushgateway 'Push the same metrics to a Prometheus Pushgateway (base URL), with retries'
            cand --format 'Output format of the run summary'
            cand --dry-run 'Decide and print what would run; run nothing. Dry runs keep a shadow state of their own (`<state_dir>/shadow`), never the real one'
            cand --no-audit 'With --dry-run: don''t append the dry-run records to the shadow audit log'
            cand --exit-zero-when-handled 'Exit 0 (not 1) when a rule fired and was handled, for schedulers that treat any non-zero exit as a failed task'
            cand -q 'No progress and no notes on stderr'
            cand --quiet 'No progress and no notes on stderr'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'driftmend;backtest'= {
            cand --policy 'The policy file'
            cand --history 'The history: a glob of partitions, each one run''s current data (e.g. ''data/dt=*/''; quote it), ordered by time'
            cand --from 'Only partitions at or after this time (YYYY-MM-DD or RFC 3339)'
            cand --to 'Only partitions at or before this time (a date includes its whole day)'
            cand --against 'Replay a second policy on the same history and show where their decisions differ'
            cand --time-from 'A partition''s time is this column''s latest value, not its `key=YYYY-MM-DD` path segment'
            cand --fail 'Assume these actions fail when they run (ACTION, or ACTION@TIME for one run), to exercise breakers and escalations; the rest succeed'
            cand --reference 'Override the policy''s reference dataset'
            cand --cache-dir 'Where each partition''s report is cached [default: `backtest-cache/` in the policy''s state directory]'
            cand -f 'Output format'
            cand --format 'Output format'
            cand --no-cache 'Build every report afresh; read and write no cache'
            cand -q 'No progress and no notes on stderr'
            cand --quiet 'No progress and no notes on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'driftmend;policy'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand validate 'Report every problem with file:line:col and field path (exit 0 or 2)'
            cand explain 'Print the resolved policy with every default filled in'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'driftmend;policy;validate'= {
            cand --no-data 'Don''t read the reference dataset to check column names'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'driftmend;policy;explain'= {
            cand --no-data 'Don''t read the reference dataset to check column names'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'driftmend;policy;help'= {
            cand validate 'Report every problem with file:line:col and field path (exit 0 or 2)'
            cand explain 'Print the resolved policy with every default filled in'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'driftmend;policy;help;validate'= {
        }
        &'driftmend;policy;help;explain'= {
        }
        &'driftmend;policy;help;help'= {
        }
        &'driftmend;pending'= {
            cand --policy 'The policy whose state to use (required)'
            cand --format 'Output format'
            cand --now 'The time to act as (RFC 3339), for tests and backfills'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'driftmend;approve'= {
            cand --policy 'The policy whose state to use (required)'
            cand --format 'Output format'
            cand --now 'The time to act as (RFC 3339), for tests and backfills'
            cand --reason 'Why (kept in the audit log)'
            cand --lock-timeout 'Wait up to this long for another run''s lock (e.g. 30s)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'driftmend;reject'= {
            cand --policy 'The policy whose state to use (required)'
            cand --format 'Output format'
            cand --now 'The time to act as (RFC 3339), for tests and backfills'
            cand --reason 'Why (kept in the audit log)'
            cand --lock-timeout 'Wait up to this long for another run''s lock (e.g. 30s)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'driftmend;ack'= {
            cand --policy 'The policy whose state to use (required)'
            cand --format 'Output format'
            cand --now 'The time to act as (RFC 3339), for tests and backfills'
            cand --reason 'Why (kept in the audit log)'
            cand --lock-timeout 'Wait up to this long for another run''s lock (e.g. 30s)'
            cand --succeeded 'It took effect (counts as a success)'
            cand --failed 'It did not take effect (counts as a failure)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'driftmend;promote'= {
            cand --model 'The registered model'
            cand --candidate 'The version to promote: a version number or an alias (e.g. challenger)'
            cand --metric 'The run metric to check (from the candidate version''s MLflow run)'
            cand --min 'Refuse unless the metric is at least this'
            cand --max 'Refuse unless the metric is at most this'
            cand --better-than 'Refuse unless the metric beats this alias''s version (e.g. champion)'
            cand --tracking-uri 'The MLflow tracking server [env: MLFLOW_TRACKING_URI]'
            cand --alias 'The serving alias to move'
            cand --previous-alias 'The alias kept on the version it replaces, for rollbacks'
            cand --timeout 'Give up after this long (with retries)'
            cand --lower-is-better 'With --better-than: a lower metric is better (rmse, log_loss)'
            cand --no-check 'Promote without checking any metric'
            cand --dry-run 'Print the steps; change nothing'
            cand --allow-insecure-http 'Allow plain http to a non-loopback server'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'driftmend;audit'= {
            cand --policy 'The policy whose state to use (required)'
            cand --format 'Output format'
            cand --now 'The time to act as (RFC 3339), for tests and backfills'
            cand --since 'Only records newer than this (e.g. 24h, 7d)'
            cand --shadow 'The dry runs'' log (their shadow state), not the real one'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand verify 'Check the log''s hash chain (exit 0 intact, 1 broken)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'driftmend;audit;verify'= {
            cand --policy 'The policy whose state to use (required)'
            cand --format 'Output format'
            cand --now 'The time to act as (RFC 3339), for tests and backfills'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'driftmend;audit;help'= {
            cand verify 'Check the log''s hash chain (exit 0 intact, 1 broken)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'driftmend;audit;help;verify'= {
        }
        &'driftmend;audit;help;help'= {
        }
        &'driftmend;completions'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'driftmend;man'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'driftmend;help'= {
            cand report 'Compare a current dataset with a reference: per-column drift, dataset drift and data quality'
            cand profile 'Summarise a dataset into a profile file, accepted in its place by `report`, `run` and `merge` (see docs/profiles.md)'
            cand merge 'Merge profiles of parts of a dataset into the profile of the whole'
            cand run 'Run a policy: report, decide under guardrails, act, remember, audit'
            cand backtest 'Replay a policy on history: what it would have decided, run by run, in a scratch state (nothing runs, nothing is sent)'
            cand policy 'Check or explain a policy file'
            cand pending 'List actions waiting for approval'
            cand approve 'Approve a pending action: it runs now, under the same guardrails'
            cand reject 'Reject a pending action'
            cand ack 'Confirm what became of an action whose outcome is unknown (sent, never answered), so the policy may run it again'
            cand promote 'Move an MLflow registry alias to a candidate version after checking its run metrics (exit 0 promoted, 1 refused, 2 error)'
            cand audit 'Show the audit log, or verify its hash chain'
            cand completions 'Print a completion script: bash, zsh, fish, powershell, elvish'
            cand man 'Print the man page (roff)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'driftmend;help;report'= {
        }
        &'driftmend;help;profile'= {
        }
        &'driftmend;help;merge'= {
        }
        &'driftmend;help;run'= {
        }
        &'driftmend;help;backtest'= {
        }
        &'driftmend;help;policy'= {
            cand validate 'Report every problem with file:line:col and field path (exit 0 or 2)'
            cand explain 'Print the resolved policy with every default filled in'
        }
        &'driftmend;help;policy;validate'= {
        }
        &'driftmend;help;policy;explain'= {
        }
        &'driftmend;help;pending'= {
        }
        &'driftmend;help;approve'= {
        }
        &'driftmend;help;reject'= {
        }
        &'driftmend;help;ack'= {
        }
        &'driftmend;help;promote'= {
        }
        &'driftmend;help;audit'= {
            cand verify 'Check the log''s hash chain (exit 0 intact, 1 broken)'
        }
        &'driftmend;help;audit;verify'= {
        }
        &'driftmend;help;completions'= {
        }
        &'driftmend;help;man'= {
        }
        &'driftmend;help;help'= {
        }
    ]
    $completions[$command]
}
