
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'driftmend' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'driftmend'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'driftmend' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Compare a current dataset with a reference: per-column drift, dataset drift and data quality')
            [CompletionResult]::new('profile', 'profile', [CompletionResultType]::ParameterValue, 'Summarise a dataset into a profile file, accepted in its place by `report`, `run` and `merge` (see docs/profiles.md)')
            [CompletionResult]::new('merge', 'merge', [CompletionResultType]::ParameterValue, 'Merge profiles of parts of a dataset into the profile of the whole')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run a policy: report, decide under guardrails, act, remember, audit')
            [CompletionResult]::new('backtest', 'backtest', [CompletionResultType]::ParameterValue, 'Replay a policy on history: what it would have decided, run by run, in a scratch state (nothing runs, nothing is sent)')
            [CompletionResult]::new('policy', 'policy', [CompletionResultType]::ParameterValue, 'Check or explain a policy file')
            [CompletionResult]::new('pending', 'pending', [CompletionResultType]::ParameterValue, 'List actions waiting for approval')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Approve a pending action: it runs now, under the same guardrails')
            [CompletionResult]::new('reject', 'reject', [CompletionResultType]::ParameterValue, 'Reject a pending action')
            [CompletionResult]::new('ack', 'ack', [CompletionResultType]::ParameterValue, 'Confirm what became of an action whose outcome is unknown (sent, never answered), so the policy may run it again')
            [CompletionResult]::new('promote', 'promote', [CompletionResultType]::ParameterValue, 'Move an MLflow registry alias to a candidate version after checking its run metrics (exit 0 promoted, 1 refused, 2 error)')
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'Show the audit log, or verify its hash chain')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a completion script: bash, zsh, fish, powershell, elvish')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'driftmend;report' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Reference dataset: a .parquet/.pq/.csv/.csv.gz file, a glob (quote it) or a directory of such files; local or `s3://bucket/key` (same forms)')
            [CompletionResult]::new('--reference', '--reference', [CompletionResultType]::ParameterName, 'Reference dataset: a .parquet/.pq/.csv/.csv.gz file, a glob (quote it) or a directory of such files; local or `s3://bucket/key` (same forms)')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Current dataset, same forms as --reference')
            [CompletionResult]::new('--current', '--current', [CompletionResultType]::ParameterName, 'Current dataset, same forms as --reference')
            [CompletionResult]::new('--delimiter', '--delimiter', [CompletionResultType]::ParameterName, 'CSV field delimiter (one character, `\t` for tab)')
            [CompletionResult]::new('--null-values', '--null-values', [CompletionResultType]::ParameterName, 'Extra CSV strings read as missing (the empty field always is)')
            [CompletionResult]::new('--storage-option', '--storage-option', [CompletionResultType]::ParameterName, 'Object-storage option for `s3://` paths, KEY=VALUE (repeatable; e.g. aws_endpoint_url=http://127.0.0.1:9000, aws_region=eu-west-1); overrides the AWS_* environment')
            [CompletionResult]::new('--columns', '--columns', [CompletionResultType]::ParameterName, 'Compare only these columns')
            [CompletionResult]::new('--exclude', '--exclude', [CompletionResultType]::ParameterName, 'Leave these columns out (e.g. ids, timestamps)')
            [CompletionResult]::new('--categorical', '--categorical', [CompletionResultType]::ParameterName, 'Treat these columns as categorical')
            [CompletionResult]::new('--numerical', '--numerical', [CompletionResultType]::ParameterName, 'Treat these columns as numerical')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'The label column (reported separately; not counted in dataset drift)')
            [CompletionResult]::new('--prediction', '--prediction', [CompletionResultType]::ParameterName, 'The model-output column (reported separately; not counted in dataset drift)')
            [CompletionResult]::new('--preset', '--preset', [CompletionResultType]::ParameterName, 'What `auto` and each verdict mean; explicit flags override what a preset sets')
            [CompletionResult]::new('--calibrate', '--calibrate', [CompletionResultType]::ParameterName, 'Calibrate each column''s effect threshold on the reference: split it into N chunks, score each against the rest, threshold at the 95th percentile of those scores (never below the effect floor)')
            [CompletionResult]::new('--num-method', '--num-method', [CompletionResultType]::ParameterName, 'Drift method for numerical columns: auto, ks, wasserstein, jensenshannon, psi, kl_div, hellinger, anderson, cramer_von_mises, mannw, t_test, welch, es, ed, ed_norm, empirical_mmd [default: auto, as the preset chooses]')
            [CompletionResult]::new('--cat-method', '--cat-method', [CompletionResultType]::ParameterName, 'Drift method for categorical columns: auto, chi2, chisquare, z, jensenshannon, psi, kl_div, hellinger, fisher_exact, g_test, tvd, linf [default: auto, as the preset chooses]')
            [CompletionResult]::new('--target-method', '--target-method', [CompletionResultType]::ParameterName, 'Drift method for the --target column [default: by its kind]')
            [CompletionResult]::new('--prediction-method', '--prediction-method', [CompletionResultType]::ParameterName, 'Drift method for the --prediction column [default: by its kind]')
            [CompletionResult]::new('--method', '--method', [CompletionResultType]::ParameterName, 'Method for one column, COL=NAME (repeatable)')
            [CompletionResult]::new('--threshold', '--threshold', [CompletionResultType]::ParameterName, 'Drift threshold for every column (X) or one column (COL=X); repeatable. Default: each method''s own (0.05 for p-values, 0.1 for distances)')
            [CompletionResult]::new('--bins', '--bins', [CompletionResultType]::ParameterName, 'Binning of numerical values for psi, kl_div and jensenshannon: auto (Evidently''s) or quantile:N (N bins at reference quantiles)')
            [CompletionResult]::new('--min-effect', '--min-effect', [CompletionResultType]::ParameterName, 'The effect floor: preset default, the effect gate''s floor for every column (trimmed Wasserstein or TVD) [default: 0.05 and 0.015]; preset evidently, a p-value verdict counts only with an effect size (normalised Wasserstein or Jensen-Shannon) of at least X')
            [CompletionResult]::new('--correction', '--correction', [CompletionResultType]::ParameterName, 'Multiple-testing correction across p-value columns [default: bh, or none with --preset evidently]')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Seed of permutation tests (tvd, empirical_mmd) and subsamples')
            [CompletionResult]::new('--permutations', '--permutations', [CompletionResultType]::ParameterName, 'Permutations behind tvd''s and empirical_mmd''s p-values [default: enough for a corrected p-value across all columns, at least 1000 and 200, stopping early once 20 are as extreme; --preset evidently: 1000 and 200]')
            [CompletionResult]::new('--mmd-sample', '--mmd-sample', [CompletionResultType]::ParameterName, 'empirical_mmd compares seeded subsamples of at most N values per side')
            [CompletionResult]::new('--drift-share', '--drift-share', [CompletionResultType]::ParameterName, 'Dataset drift when at least this share of feature columns drifted')
            [CompletionResult]::new('--positive-label', '--positive-label', [CompletionResultType]::ParameterName, 'Classification: the positive class [default: the larger label, e.g. 1 of 0/1]')
            [CompletionResult]::new('--prediction-threshold', '--prediction-threshold', [CompletionResultType]::ParameterName, 'Classification with score predictions: score >= X is the positive class')
            [CompletionResult]::new('--calibration', '--calibration', [CompletionResultType]::ParameterName, 'Estimated performance (CBPE): calibrate scores on the reference [default: auto]')
            [CompletionResult]::new('--pca-variance', '--pca-variance', [CompletionResultType]::ParameterName, 'Multivariate drift: keep principal components up to this share of variance [default: 0.65]')
            [CompletionResult]::new('--missing-increase', '--missing-increase', [CompletionResultType]::ParameterName, 'Warn when a column''s missing share grows by at least this much')
            [CompletionResult]::new('--out-of-range', '--out-of-range', [CompletionResultType]::ParameterName, 'Warn when at least this share of current values is outside the reference range')
            [CompletionResult]::new('--chunk-by', '--chunk-by', [CompletionResultType]::ParameterName, 'Split the current data by this date/datetime column (sorted by it) and compare each chunk with the reference too')
            [CompletionResult]::new('--period', '--period', [CompletionResultType]::ParameterName, 'With --chunk-by: one chunk per calendar period (UTC)')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Chunks of N rows (in file order, or sorted by --chunk-by)')
            [CompletionResult]::new('--chunks', '--chunks', [CompletionResultType]::ParameterName, 'N chunks of equal size (rows / N; leftover rows as --incomplete says)')
            [CompletionResult]::new('--incomplete', '--incomplete', [CompletionResultType]::ParameterName, 'Rows left after the last full chunk: keep (a smaller chunk), append (to the last chunk) or drop')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format [default: table, or implied by --output''s extension: .json, .md]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format [default: table, or implied by --output''s extension: .json, .md]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the report to FILE (atomically) instead of stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the report to FILE (atomically) instead of stdout')
            [CompletionResult]::new('--output-json', '--output-json', [CompletionResultType]::ParameterName, 'Also write the JSON report to FILE (several outputs from one run)')
            [CompletionResult]::new('--output-html', '--output-html', [CompletionResultType]::ParameterName, 'Also write the HTML report (self-contained, with plots) to FILE')
            [CompletionResult]::new('--output-markdown', '--output-markdown', [CompletionResultType]::ParameterName, 'Also write the Markdown report to FILE')
            [CompletionResult]::new('--output-junit', '--output-junit', [CompletionResultType]::ParameterName, 'Also write JUnit XML (GitLab, Jenkins) to FILE')
            [CompletionResult]::new('--prometheus-textfile', '--prometheus-textfile', [CompletionResultType]::ParameterName, 'Write Prometheus metrics to PATH (node_exporter textfile format, atomically)')
            [CompletionResult]::new('--pushgateway', '--pushgateway', [CompletionResultType]::ParameterName, 'Push the same metrics to a Prometheus Pushgateway (base URL), with retries')
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'The `model` label on Prometheus metrics')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--fail-on', '--fail-on', [CompletionResultType]::ParameterName, 'Exit 1 when this is met: never, drift, quality, any')
            [CompletionResult]::new('--multivariate', '--multivariate', [CompletionResultType]::ParameterName, 'Multivariate drift: PCA reconstruction error of all feature columns together')
            [CompletionResult]::new('--github', '--github', [CompletionResultType]::ParameterName, 'GitHub Actions: append the Markdown summary to $GITHUB_STEP_SUMMARY and emit ::warning/::error annotations [default: on when GITHUB_ACTIONS=true]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress and no notes on stderr (errors still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress and no notes on stderr (errors still show)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'driftmend;profile' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Where to write the profile')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Where to write the profile')
            [CompletionResult]::new('--memory', '--memory', [CompletionResultType]::ParameterName, '`bounded` reads Parquet one row group at a time (memory follows the row group, not the file); `auto` does so past 512 MiB of Parquet')
            [CompletionResult]::new('--delimiter', '--delimiter', [CompletionResultType]::ParameterName, 'CSV field delimiter (one character, `\t` for tab)')
            [CompletionResult]::new('--null-values', '--null-values', [CompletionResultType]::ParameterName, 'Extra CSV strings read as missing (the empty field always is)')
            [CompletionResult]::new('--storage-option', '--storage-option', [CompletionResultType]::ParameterName, 'Object-storage option for `s3://` paths, KEY=VALUE (repeatable); overrides the AWS_* environment')
            [CompletionResult]::new('--columns', '--columns', [CompletionResultType]::ParameterName, 'Profile only these columns')
            [CompletionResult]::new('--exclude', '--exclude', [CompletionResultType]::ParameterName, 'Leave these columns out')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'driftmend;merge' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Where to write the merged profile')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Where to write the merged profile')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'driftmend;run' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy file')
            [CompletionResult]::new('--reference', '--reference', [CompletionResultType]::ParameterName, 'Override the policy''s reference dataset')
            [CompletionResult]::new('--current', '--current', [CompletionResultType]::ParameterName, 'Override the policy''s current dataset')
            [CompletionResult]::new('--storage-option', '--storage-option', [CompletionResultType]::ParameterName, 'Object-storage option for `s3://` paths, KEY=VALUE (repeatable); overrides the policy''s `data.storage_options` and the AWS_* environment')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'The time to act as (RFC 3339), for tests and backfills')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Wait up to this long for another run of the policy (e.g. 30s)')
            [CompletionResult]::new('--output-json', '--output-json', [CompletionResultType]::ParameterName, 'Also write the JSON report to FILE (as `report --output-json`)')
            [CompletionResult]::new('--output-html', '--output-html', [CompletionResultType]::ParameterName, 'Also write the HTML report, with a drift-over-time chart of recent runs, to FILE (as `report --output-html`)')
            [CompletionResult]::new('--prometheus-textfile', '--prometheus-textfile', [CompletionResultType]::ParameterName, 'Write Prometheus metrics to PATH (node_exporter textfile format, atomically)')
            [CompletionResult]::new('--pushgateway', '--pushgateway', [CompletionResultType]::ParameterName, 'Push the same metrics to a Prometheus Pushgateway (base URL), with retries')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the run summary')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Decide and print what would run; run nothing. Dry runs keep a shadow state of their own (`<state_dir>/shadow`), never the real one')
            [CompletionResult]::new('--no-audit', '--no-audit', [CompletionResultType]::ParameterName, 'With --dry-run: don''t append the dry-run records to the shadow audit log')
            [CompletionResult]::new('--exit-zero-when-handled', '--exit-zero-when-handled', [CompletionResultType]::ParameterName, 'Exit 0 (not 1) when a rule fired and was handled, for schedulers that treat any non-zero exit as a failed task')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress and no notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress and no notes on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'driftmend;backtest' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy file')
            [CompletionResult]::new('--history', '--history', [CompletionResultType]::ParameterName, 'The history: a glob of partitions, each one run''s current data (e.g. ''data/dt=*/''; quote it), ordered by time')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Only partitions at or after this time (YYYY-MM-DD or RFC 3339)')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Only partitions at or before this time (a date includes its whole day)')
            [CompletionResult]::new('--against', '--against', [CompletionResultType]::ParameterName, 'Replay a second policy on the same history and show where their decisions differ')
            [CompletionResult]::new('--time-from', '--time-from', [CompletionResultType]::ParameterName, 'A partition''s time is this column''s latest value, not its `key=YYYY-MM-DD` path segment')
            [CompletionResult]::new('--fail', '--fail', [CompletionResultType]::ParameterName, 'Assume these actions fail when they run (ACTION, or ACTION@TIME for one run), to exercise breakers and escalations; the rest succeed')
            [CompletionResult]::new('--reference', '--reference', [CompletionResultType]::ParameterName, 'Override the policy''s reference dataset')
            [CompletionResult]::new('--cache-dir', '--cache-dir', [CompletionResultType]::ParameterName, 'Where each partition''s report is cached [default: `backtest-cache/` in the policy''s state directory]')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--no-cache', '--no-cache', [CompletionResultType]::ParameterName, 'Build every report afresh; read and write no cache')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress and no notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress and no notes on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'driftmend;policy' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Report every problem with file:line:col and field path (exit 0 or 2)')
            [CompletionResult]::new('explain', 'explain', [CompletionResultType]::ParameterValue, 'Print the resolved policy with every default filled in')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'driftmend;policy;validate' {
            [CompletionResult]::new('--no-data', '--no-data', [CompletionResultType]::ParameterName, 'Don''t read the reference dataset to check column names')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'driftmend;policy;explain' {
            [CompletionResult]::new('--no-data', '--no-data', [CompletionResultType]::ParameterName, 'Don''t read the reference dataset to check column names')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'driftmend;policy;help' {
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Report every problem with file:line:col and field path (exit 0 or 2)')
            [CompletionResult]::new('explain', 'explain', [CompletionResultType]::ParameterValue, 'Print the resolved policy with every default filled in')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'driftmend;policy;help;validate' {
            break
        }
        'driftmend;policy;help;explain' {
            break
        }
        'driftmend;policy;help;help' {
            break
        }
        'driftmend;pending' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy whose state to use (required)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'The time to act as (RFC 3339), for tests and backfills')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'driftmend;approve' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy whose state to use (required)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'The time to act as (RFC 3339), for tests and backfills')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why (kept in the audit log)')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Wait up to this long for another run''s lock (e.g. 30s)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'driftmend;reject' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy whose state to use (required)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'The time to act as (RFC 3339), for tests and backfills')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why (kept in the audit log)')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Wait up to this long for another run''s lock (e.g. 30s)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'driftmend;ack' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy whose state to use (required)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'The time to act as (RFC 3339), for tests and backfills')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why (kept in the audit log)')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Wait up to this long for another run''s lock (e.g. 30s)')
            [CompletionResult]::new('--succeeded', '--succeeded', [CompletionResultType]::ParameterName, 'It took effect (counts as a success)')
            [CompletionResult]::new('--failed', '--failed', [CompletionResultType]::ParameterName, 'It did not take effect (counts as a failure)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'driftmend;promote' {
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'The registered model')
            [CompletionResult]::new('--candidate', '--candidate', [CompletionResultType]::ParameterName, 'The version to promote: a version number or an alias (e.g. challenger)')
            [CompletionResult]::new('--metric', '--metric', [CompletionResultType]::ParameterName, 'The run metric to check (from the candidate version''s MLflow run)')
            [CompletionResult]::new('--min', '--min', [CompletionResultType]::ParameterName, 'Refuse unless the metric is at least this')
            [CompletionResult]::new('--max', '--max', [CompletionResultType]::ParameterName, 'Refuse unless the metric is at most this')
            [CompletionResult]::new('--better-than', '--better-than', [CompletionResultType]::ParameterName, 'Refuse unless the metric beats this alias''s version (e.g. champion)')
            [CompletionResult]::new('--tracking-uri', '--tracking-uri', [CompletionResultType]::ParameterName, 'The MLflow tracking server [env: MLFLOW_TRACKING_URI]')
            [CompletionResult]::new('--alias', '--alias', [CompletionResultType]::ParameterName, 'The serving alias to move')
            [CompletionResult]::new('--previous-alias', '--previous-alias', [CompletionResultType]::ParameterName, 'The alias kept on the version it replaces, for rollbacks')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up after this long (with retries)')
            [CompletionResult]::new('--lower-is-better', '--lower-is-better', [CompletionResultType]::ParameterName, 'With --better-than: a lower metric is better (rmse, log_loss)')
            [CompletionResult]::new('--no-check', '--no-check', [CompletionResultType]::ParameterName, 'Promote without checking any metric')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the steps; change nothing')
            [CompletionResult]::new('--allow-insecure-http', '--allow-insecure-http', [CompletionResultType]::ParameterName, 'Allow plain http to a non-loopback server')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'driftmend;audit' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy whose state to use (required)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'The time to act as (RFC 3339), for tests and backfills')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only records newer than this (e.g. 24h, 7d)')
            [CompletionResult]::new('--shadow', '--shadow', [CompletionResultType]::ParameterName, 'The dry runs'' log (their shadow state), not the real one')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check the log''s hash chain (exit 0 intact, 1 broken)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'driftmend;audit;verify' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy whose state to use (required)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'The time to act as (RFC 3339), for tests and backfills')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'driftmend;audit;help' {
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check the log''s hash chain (exit 0 intact, 1 broken)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'driftmend;audit;help;verify' {
            break
        }
        'driftmend;audit;help;help' {
            break
        }
        'driftmend;completions' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'driftmend;man' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'driftmend;help' {
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Compare a current dataset with a reference: per-column drift, dataset drift and data quality')
            [CompletionResult]::new('profile', 'profile', [CompletionResultType]::ParameterValue, 'Summarise a dataset into a profile file, accepted in its place by `report`, `run` and `merge` (see docs/profiles.md)')
            [CompletionResult]::new('merge', 'merge', [CompletionResultType]::ParameterValue, 'Merge profiles of parts of a dataset into the profile of the whole')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run a policy: report, decide under guardrails, act, remember, audit')
            [CompletionResult]::new('backtest', 'backtest', [CompletionResultType]::ParameterValue, 'Replay a policy on history: what it would have decided, run by run, in a scratch state (nothing runs, nothing is sent)')
            [CompletionResult]::new('policy', 'policy', [CompletionResultType]::ParameterValue, 'Check or explain a policy file')
            [CompletionResult]::new('pending', 'pending', [CompletionResultType]::ParameterValue, 'List actions waiting for approval')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Approve a pending action: it runs now, under the same guardrails')
            [CompletionResult]::new('reject', 'reject', [CompletionResultType]::ParameterValue, 'Reject a pending action')
            [CompletionResult]::new('ack', 'ack', [CompletionResultType]::ParameterValue, 'Confirm what became of an action whose outcome is unknown (sent, never answered), so the policy may run it again')
            [CompletionResult]::new('promote', 'promote', [CompletionResultType]::ParameterValue, 'Move an MLflow registry alias to a candidate version after checking its run metrics (exit 0 promoted, 1 refused, 2 error)')
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'Show the audit log, or verify its hash chain')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a completion script: bash, zsh, fish, powershell, elvish')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'driftmend;help;report' {
            break
        }
        'driftmend;help;profile' {
            break
        }
        'driftmend;help;merge' {
            break
        }
        'driftmend;help;run' {
            break
        }
        'driftmend;help;backtest' {
            break
        }
        'driftmend;help;policy' {
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Report every problem with file:line:col and field path (exit 0 or 2)')
            [CompletionResult]::new('explain', 'explain', [CompletionResultType]::ParameterValue, 'Print the resolved policy with every default filled in')
            break
        }
        'driftmend;help;policy;validate' {
            break
        }
        'driftmend;help;policy;explain' {
            break
        }
        'driftmend;help;pending' {
            break
        }
        'driftmend;help;approve' {
            break
        }
        'driftmend;help;reject' {
            break
        }
        'driftmend;help;ack' {
            break
        }
        'driftmend;help;promote' {
            break
        }
        'driftmend;help;audit' {
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check the log''s hash chain (exit 0 intact, 1 broken)')
            break
        }
        'driftmend;help;audit;verify' {
            break
        }
        'driftmend;help;completions' {
            break
        }
        'driftmend;help;man' {
            break
        }
        'driftmend;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
