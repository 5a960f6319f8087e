# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_driftmend_global_optspecs
    string join \n h/help V/version
end

function __fish_driftmend_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_driftmend_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_driftmend_using_subcommand
    set -l cmd (__fish_driftmend_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c driftmend -n "__fish_driftmend_needs_command" -s h -l help -d 'Print help'
complete -c driftmend -n "__fish_driftmend_needs_command" -s V -l version -d 'Print version'
complete -c driftmend -n "__fish_driftmend_needs_command" -f -a "report" -d 'Compare a current dataset with a reference: per-column drift, dataset drift and data quality'
complete -c driftmend -n "__fish_driftmend_needs_command" -f -a "profile" -d 'Summarise a dataset into a profile file, accepted in its place by `report`, `run` and `merge` (see docs/profiles.md)'
complete -c driftmend -n "__fish_driftmend_needs_command" -f -a "merge" -d 'Merge profiles of parts of a dataset into the profile of the whole'
complete -c driftmend -n "__fish_driftmend_needs_command" -f -a "run" -d 'Run a policy: report, decide under guardrails, act, remember, audit'
complete -c driftmend -n "__fish_driftmend_needs_command" -f -a "backtest" -d 'Replay a policy on history: what it would have decided, run by run, in a scratch state (nothing runs, nothing is sent)'
complete -c driftmend -n "__fish_driftmend_needs_command" -f -a "policy" -d 'Check or explain a policy file'
complete -c driftmend -n "__fish_driftmend_needs_command" -f -a "pending" -d 'List actions waiting for approval'
complete -c driftmend -n "__fish_driftmend_needs_command" -f -a "approve" -d 'Approve a pending action: it runs now, under the same guardrails'
complete -c driftmend -n "__fish_driftmend_needs_command" -f -a "reject" -d 'Reject a pending action'
complete -c driftmend -n "__fish_driftmend_needs_command" -f -a "ack" -d 'Confirm what became of an action whose outcome is unknown (sent, never answered), so the policy may run it again'
complete -c driftmend -n "__fish_driftmend_needs_command" -f -a "promote" -d 'Move an MLflow registry alias to a candidate version after checking its run metrics (exit 0 promoted, 1 refused, 2 error)'
complete -c driftmend -n "__fish_driftmend_needs_command" -f -a "audit" -d 'Show the audit log, or verify its hash chain'
complete -c driftmend -n "__fish_driftmend_needs_command" -f -a "completions" -d 'Print a completion script: bash, zsh, fish, powershell, elvish'
complete -c driftmend -n "__fish_driftmend_needs_command" -f -a "man" -d 'Print the man page (roff)'
complete -c driftmend -n "__fish_driftmend_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -s r -l reference -d 'Reference dataset: a .parquet/.pq/.csv/.csv.gz file, a glob (quote it) or a directory of such files; local or `s3://bucket/key` (same forms)' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -s c -l current -d 'Current dataset, same forms as --reference' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -l delimiter -d 'CSV field delimiter (one character, `\\t` for tab)' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -l null-values -d 'Extra CSV strings read as missing (the empty field always is)' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -l storage-option -d 'Object-storage option for `s3://` paths, KEY=VALUE (repeatable; e.g. aws_endpoint_url=http://127.0.0.1:9000, aws_region=eu-west-1); overrides the AWS_* environment' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -l columns -d 'Compare only these columns' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -l exclude -d 'Leave these columns out (e.g. ids, timestamps)' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -l categorical -d 'Treat these columns as categorical' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -l numerical -d 'Treat these columns as numerical' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -l target -d 'The label column (reported separately; not counted in dataset drift)' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -l prediction -d 'The model-output column (reported separately; not counted in dataset drift)' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -l preset -d 'What `auto` and each verdict mean; explicit flags override what a preset sets' -r -f -a "default\t'Two gates per column: a two-sample test (ks; chi2 for categorical, boolean and <= 5-valued columns) significant after Benjamini-Hochberg (--correction bh) AND an effect at least --min-effect (0.05 robust SD of trimmed Wasserstein for numbers, 0.015 TVD for categories)'
evidently\t'Evidently\'s auto (ks/chisquare/z up to 1000 reference rows, then wasserstein/jensenshannon >= 0.1), one score per column, no correction, no effect floor: Evidently\'s decisions exactly'"
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -l calibrate -d 'Calibrate each column\'s effect threshold on the reference: split it into N chunks, score each against the rest, threshold at the 95th percentile of those scores (never below the effect floor)' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -l num-method -d 'Drift method for numerical columns: auto, ks, wasserstein, jensenshannon, psi, kl_div, hellinger, anderson, cramer_von_mises, mannw, t_test, welch, es, ed, ed_norm, empirical_mmd [default: auto, as the preset chooses]' -r -f -a "auto\t''
ks\t''
wasserstein\t''
jensenshannon\t''
psi\t''
kl_div\t''
hellinger\t''
anderson\t''
cramer_von_mises\t''
mannw\t''
t_test\t''
welch\t''
es\t''
ed\t''
ed_norm\t''
empirical_mmd\t''"
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -l cat-method -d 'Drift method for categorical columns: auto, chi2, chisquare, z, jensenshannon, psi, kl_div, hellinger, fisher_exact, g_test, tvd, linf [default: auto, as the preset chooses]' -r -f -a "auto\t''
chisquare\t''
chi2\t''
z\t''
jensenshannon\t''
psi\t''
kl_div\t''
hellinger\t''
fisher_exact\t''
g_test\t''
tvd\t''
linf\t''"
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -l target-method -d 'Drift method for the --target column [default: by its kind]' -r -f -a "auto\t''
ks\t''
chisquare\t''
chi2\t''
z\t''
wasserstein\t''
jensenshannon\t''
psi\t''
kl_div\t''
hellinger\t''
anderson\t''
cramer_von_mises\t''
mannw\t''
t_test\t''
welch\t''
es\t''
ed\t''
ed_norm\t''
empirical_mmd\t''
fisher_exact\t''
g_test\t''
tvd\t''
linf\t''"
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -l prediction-method -d 'Drift method for the --prediction column [default: by its kind]' -r -f -a "auto\t''
ks\t''
chisquare\t''
chi2\t''
z\t''
wasserstein\t''
jensenshannon\t''
psi\t''
kl_div\t''
hellinger\t''
anderson\t''
cramer_von_mises\t''
mannw\t''
t_test\t''
welch\t''
es\t''
ed\t''
ed_norm\t''
empirical_mmd\t''
fisher_exact\t''
g_test\t''
tvd\t''
linf\t''"
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -l method -d 'Method for one column, COL=NAME (repeatable)' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -l threshold -d 'Drift threshold for every column (X) or one column (COL=X); repeatable. Default: each method\'s own (0.05 for p-values, 0.1 for distances)' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -l bins -d 'Binning of numerical values for psi, kl_div and jensenshannon: auto (Evidently\'s) or quantile:N (N bins at reference quantiles)' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -l min-effect -d 'The effect floor: preset default, the effect gate\'s floor for every column (trimmed Wasserstein or TVD) [default: 0.05 and 0.015]; preset evidently, a p-value verdict counts only with an effect size (normalised Wasserstein or Jensen-Shannon) of at least X' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -l correction -d 'Multiple-testing correction across p-value columns [default: bh, or none with --preset evidently]' -r -f -a "none\t'Each column at its own threshold'
bonferroni\t'Threshold divided by the number of tests (family-wise error rate)'
bh\t'Benjamini-Hochberg step-up (false discovery rate)'"
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -l seed -d 'Seed of permutation tests (tvd, empirical_mmd) and subsamples' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -l permutations -d 'Permutations behind tvd\'s and empirical_mmd\'s p-values [default: enough for a corrected p-value across all columns, at least 1000 and 200, stopping early once 20 are as extreme; --preset evidently: 1000 and 200]' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -l mmd-sample -d 'empirical_mmd compares seeded subsamples of at most N values per side' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -l drift-share -d 'Dataset drift when at least this share of feature columns drifted' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -l positive-label -d 'Classification: the positive class [default: the larger label, e.g. 1 of 0/1]' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -l prediction-threshold -d 'Classification with score predictions: score >= X is the positive class' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -l calibration -d 'Estimated performance (CBPE): calibrate scores on the reference [default: auto]' -r -f -a "auto\t'Calibrate when it lowers the expected calibration error on held-out reference rows (NannyML\'s check, on driftmend\'s seeded RNG)'
always\t'Always fit isotonic calibration on the reference (exact NannyML parity)'
never\t'Use the scores as probabilities'"
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -l pca-variance -d 'Multivariate drift: keep principal components up to this share of variance [default: 0.65]' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -l missing-increase -d 'Warn when a column\'s missing share grows by at least this much' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -l out-of-range -d 'Warn when at least this share of current values is outside the reference range' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -l chunk-by -d 'Split the current data by this date/datetime column (sorted by it) and compare each chunk with the reference too' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -l period -d 'With --chunk-by: one chunk per calendar period (UTC)' -r -f -a "hour\t''
day\t''
week\t'Monday to Sunday (pandas\' `W`, which ends on Sunday)'
month\t''"
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -l chunk-size -d 'Chunks of N rows (in file order, or sorted by --chunk-by)' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -l chunks -d 'N chunks of equal size (rows / N; leftover rows as --incomplete says)' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -l incomplete -d 'Rows left after the last full chunk: keep (a smaller chunk), append (to the last chunk) or drop' -r -f -a "keep\t'A smaller last chunk (NannyML\'s default)'
append\t'Added to the last full chunk'
drop\t'Left out'"
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -s f -l format -d 'Output format [default: table, or implied by --output\'s extension: .json, .md]' -r -f -a "table\t'Headline, column table and findings for a terminal'
json\t'The full report (schema_version 1, see README)'
markdown\t'GitHub-flavoured Markdown, e.g. for `$GITHUB_STEP_SUMMARY`'
html\t'One self-contained page with plots (works offline)'
junit\t'JUnit XML: a test case per column drift check and per quality check'"
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -s o -l output -d 'Write the report to FILE (atomically) instead of stdout' -r -F
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -l output-json -d 'Also write the JSON report to FILE (several outputs from one run)' -r -F
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -l output-html -d 'Also write the HTML report (self-contained, with plots) to FILE' -r -F
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -l output-markdown -d 'Also write the Markdown report to FILE' -r -F
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -l output-junit -d 'Also write JUnit XML (GitLab, Jenkins) to FILE' -r -F
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -l prometheus-textfile -d 'Write Prometheus metrics to PATH (node_exporter textfile format, atomically)' -r -F
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -l pushgateway -d 'Push the same metrics to a Prometheus Pushgateway (base URL), with retries' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -l model -d 'The `model` label on Prometheus metrics' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -l color -d 'When to use colour' -r -f -a "auto\t'Colour when writing to a terminal and `NO_COLOR` is unset'
always\t''
never\t''"
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -l fail-on -d 'Exit 1 when this is met: never, drift, quality, any' -r -f -a "never\t'Always exit 0 when the report was produced'
drift\t'Dataset drift detected'
quality\t'Any error-severity quality finding (schema break, emptied column)'
any\t'Either of the above'"
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -l multivariate -d 'Multivariate drift: PCA reconstruction error of all feature columns together'
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -l github -d 'GitHub Actions: append the Markdown summary to $GITHUB_STEP_SUMMARY and emit ::warning/::error annotations [default: on when GITHUB_ACTIONS=true]'
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -s q -l quiet -d 'No progress and no notes on stderr (errors still show)'
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c driftmend -n "__fish_driftmend_using_subcommand report" -s V -l version -d 'Print version'
complete -c driftmend -n "__fish_driftmend_using_subcommand profile" -s o -l output -d 'Where to write the profile' -r -F
complete -c driftmend -n "__fish_driftmend_using_subcommand profile" -l memory -d '`bounded` reads Parquet one row group at a time (memory follows the row group, not the file); `auto` does so past 512 MiB of Parquet' -r -f -a "auto\t''
bounded\t''
in-memory\t''"
complete -c driftmend -n "__fish_driftmend_using_subcommand profile" -l delimiter -d 'CSV field delimiter (one character, `\\t` for tab)' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand profile" -l null-values -d 'Extra CSV strings read as missing (the empty field always is)' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand profile" -l storage-option -d 'Object-storage option for `s3://` paths, KEY=VALUE (repeatable); overrides the AWS_* environment' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand profile" -l columns -d 'Profile only these columns' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand profile" -l exclude -d 'Leave these columns out' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand profile" -s q -l quiet -d 'No progress on stderr'
complete -c driftmend -n "__fish_driftmend_using_subcommand profile" -s h -l help -d 'Print help'
complete -c driftmend -n "__fish_driftmend_using_subcommand profile" -s V -l version -d 'Print version'
complete -c driftmend -n "__fish_driftmend_using_subcommand merge" -s o -l output -d 'Where to write the merged profile' -r -F
complete -c driftmend -n "__fish_driftmend_using_subcommand merge" -s q -l quiet -d 'No progress on stderr'
complete -c driftmend -n "__fish_driftmend_using_subcommand merge" -s h -l help -d 'Print help'
complete -c driftmend -n "__fish_driftmend_using_subcommand merge" -s V -l version -d 'Print version'
complete -c driftmend -n "__fish_driftmend_using_subcommand run" -l policy -d 'The policy file' -r -F
complete -c driftmend -n "__fish_driftmend_using_subcommand run" -l reference -d 'Override the policy\'s reference dataset' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand run" -l current -d 'Override the policy\'s current dataset' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand run" -l storage-option -d 'Object-storage option for `s3://` paths, KEY=VALUE (repeatable); overrides the policy\'s `data.storage_options` and the AWS_* environment' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand run" -l now -d 'The time to act as (RFC 3339), for tests and backfills' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand run" -l lock-timeout -d 'Wait up to this long for another run of the policy (e.g. 30s)' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand run" -l output-json -d 'Also write the JSON report to FILE (as `report --output-json`)' -r -F
complete -c driftmend -n "__fish_driftmend_using_subcommand run" -l output-html -d 'Also write the HTML report, with a drift-over-time chart of recent runs, to FILE (as `report --output-html`)' -r -F
complete -c driftmend -n "__fish_driftmend_using_subcommand run" -l prometheus-textfile -d 'Write Prometheus metrics to PATH (node_exporter textfile format, atomically)' -r -F
complete -c driftmend -n "__fish_driftmend_using_subcommand run" -l pushgateway -d 'Push the same metrics to a Prometheus Pushgateway (base URL), with retries' -r -f
complete -c driftmend -n "__fish_driftmend_using_subcommand run" -l format -d 'Output format of the run summary' -r -f -a "table\t''
json\t''"
complete -c driftmend -n "__fish_driftmend_using_subcommand run" -l dry-run -d 'Decide and print what would run; run nothing. Dry runs keep a shadow state of their own (`<state_dir>/shadow`), never the real one'
complete -c driftmend -n "__fish_driftmend_using_subcommand run" -l no-audit -d 'With --dry-run: don\'t append the dry-run records to the shadow audit log'
complete -c driftmend -n "__fish_driftmend_using_subcommand run" -l exit-zero-when-handled -d 'Exit 0 (not 1) when a rule fired and was handled, for schedulers that treat any non-zero exit as a failed task'
complete -c driftmend -n "__fish_driftmend_using_subcommand run" -s q -l quiet -d 'No progress and no notes on stderr'
complete -c driftmend -n "__fish_driftmend_using_subcommand run" -s h -l help -d 'Print help'
complete -c driftmend -n "__fish_driftmend_using_subcommand run" -s V -l version -d 'Print version'
complete -c driftmend -n "__fish_driftmend_using_subcommand backtest" -l policy -d 'The policy file' -r -F
complete -c driftmend -n "__fish_driftmend_using_subcommand backtest" -l history -d 'The history: a glob of partitions, each one run\'s current data (e.g. \'data/dt=*/\'; quote it), ordered by time' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand backtest" -l from -d 'Only partitions at or after this time (YYYY-MM-DD or RFC 3339)' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand backtest" -l to -d 'Only partitions at or before this time (a date includes its whole day)' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand backtest" -l against -d 'Replay a second policy on the same history and show where their decisions differ' -r -F
complete -c driftmend -n "__fish_driftmend_using_subcommand backtest" -l time-from -d 'A partition\'s time is this column\'s latest value, not its `key=YYYY-MM-DD` path segment' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand backtest" -l fail -d 'Assume these actions fail when they run (ACTION, or ACTION@TIME for one run), to exercise breakers and escalations; the rest succeed' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand backtest" -l reference -d 'Override the policy\'s reference dataset' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand backtest" -l cache-dir -d 'Where each partition\'s report is cached [default: `backtest-cache/` in the policy\'s state directory]' -r -F
complete -c driftmend -n "__fish_driftmend_using_subcommand backtest" -s f -l format -d 'Output format' -r -f -a "table\t'The eventful runs, totals and differences, for a terminal'
json\t'Every run, totals and differences'
html\t'One self-contained page'"
complete -c driftmend -n "__fish_driftmend_using_subcommand backtest" -l no-cache -d 'Build every report afresh; read and write no cache'
complete -c driftmend -n "__fish_driftmend_using_subcommand backtest" -s q -l quiet -d 'No progress and no notes on stderr'
complete -c driftmend -n "__fish_driftmend_using_subcommand backtest" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c driftmend -n "__fish_driftmend_using_subcommand backtest" -s V -l version -d 'Print version'
complete -c driftmend -n "__fish_driftmend_using_subcommand policy; and not __fish_seen_subcommand_from validate explain help" -s h -l help -d 'Print help'
complete -c driftmend -n "__fish_driftmend_using_subcommand policy; and not __fish_seen_subcommand_from validate explain help" -s V -l version -d 'Print version'
complete -c driftmend -n "__fish_driftmend_using_subcommand policy; and not __fish_seen_subcommand_from validate explain help" -f -a "validate" -d 'Report every problem with file:line:col and field path (exit 0 or 2)'
complete -c driftmend -n "__fish_driftmend_using_subcommand policy; and not __fish_seen_subcommand_from validate explain help" -f -a "explain" -d 'Print the resolved policy with every default filled in'
complete -c driftmend -n "__fish_driftmend_using_subcommand policy; and not __fish_seen_subcommand_from validate explain help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c driftmend -n "__fish_driftmend_using_subcommand policy; and __fish_seen_subcommand_from validate" -l no-data -d 'Don\'t read the reference dataset to check column names'
complete -c driftmend -n "__fish_driftmend_using_subcommand policy; and __fish_seen_subcommand_from validate" -s h -l help -d 'Print help'
complete -c driftmend -n "__fish_driftmend_using_subcommand policy; and __fish_seen_subcommand_from validate" -s V -l version -d 'Print version'
complete -c driftmend -n "__fish_driftmend_using_subcommand policy; and __fish_seen_subcommand_from explain" -l no-data -d 'Don\'t read the reference dataset to check column names'
complete -c driftmend -n "__fish_driftmend_using_subcommand policy; and __fish_seen_subcommand_from explain" -s h -l help -d 'Print help'
complete -c driftmend -n "__fish_driftmend_using_subcommand policy; and __fish_seen_subcommand_from explain" -s V -l version -d 'Print version'
complete -c driftmend -n "__fish_driftmend_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "validate" -d 'Report every problem with file:line:col and field path (exit 0 or 2)'
complete -c driftmend -n "__fish_driftmend_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "explain" -d 'Print the resolved policy with every default filled in'
complete -c driftmend -n "__fish_driftmend_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c driftmend -n "__fish_driftmend_using_subcommand pending" -l policy -d 'The policy whose state to use (required)' -r -F
complete -c driftmend -n "__fish_driftmend_using_subcommand pending" -l format -d 'Output format' -r -f -a "table\t''
json\t''"
complete -c driftmend -n "__fish_driftmend_using_subcommand pending" -l now -d 'The time to act as (RFC 3339), for tests and backfills' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand pending" -s h -l help -d 'Print help'
complete -c driftmend -n "__fish_driftmend_using_subcommand pending" -s V -l version -d 'Print version'
complete -c driftmend -n "__fish_driftmend_using_subcommand approve" -l policy -d 'The policy whose state to use (required)' -r -F
complete -c driftmend -n "__fish_driftmend_using_subcommand approve" -l format -d 'Output format' -r -f -a "table\t''
json\t''"
complete -c driftmend -n "__fish_driftmend_using_subcommand approve" -l now -d 'The time to act as (RFC 3339), for tests and backfills' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand approve" -l reason -d 'Why (kept in the audit log)' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand approve" -l lock-timeout -d 'Wait up to this long for another run\'s lock (e.g. 30s)' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand approve" -s h -l help -d 'Print help'
complete -c driftmend -n "__fish_driftmend_using_subcommand approve" -s V -l version -d 'Print version'
complete -c driftmend -n "__fish_driftmend_using_subcommand reject" -l policy -d 'The policy whose state to use (required)' -r -F
complete -c driftmend -n "__fish_driftmend_using_subcommand reject" -l format -d 'Output format' -r -f -a "table\t''
json\t''"
complete -c driftmend -n "__fish_driftmend_using_subcommand reject" -l now -d 'The time to act as (RFC 3339), for tests and backfills' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand reject" -l reason -d 'Why (kept in the audit log)' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand reject" -l lock-timeout -d 'Wait up to this long for another run\'s lock (e.g. 30s)' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand reject" -s h -l help -d 'Print help'
complete -c driftmend -n "__fish_driftmend_using_subcommand reject" -s V -l version -d 'Print version'
complete -c driftmend -n "__fish_driftmend_using_subcommand ack" -l policy -d 'The policy whose state to use (required)' -r -F
complete -c driftmend -n "__fish_driftmend_using_subcommand ack" -l format -d 'Output format' -r -f -a "table\t''
json\t''"
complete -c driftmend -n "__fish_driftmend_using_subcommand ack" -l now -d 'The time to act as (RFC 3339), for tests and backfills' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand ack" -l reason -d 'Why (kept in the audit log)' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand ack" -l lock-timeout -d 'Wait up to this long for another run\'s lock (e.g. 30s)' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand ack" -l succeeded -d 'It took effect (counts as a success)'
complete -c driftmend -n "__fish_driftmend_using_subcommand ack" -l failed -d 'It did not take effect (counts as a failure)'
complete -c driftmend -n "__fish_driftmend_using_subcommand ack" -s h -l help -d 'Print help'
complete -c driftmend -n "__fish_driftmend_using_subcommand ack" -s V -l version -d 'Print version'
complete -c driftmend -n "__fish_driftmend_using_subcommand promote" -l model -d 'The registered model' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand promote" -l candidate -d 'The version to promote: a version number or an alias (e.g. challenger)' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand promote" -l metric -d 'The run metric to check (from the candidate version\'s MLflow run)' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand promote" -l min -d 'Refuse unless the metric is at least this' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand promote" -l max -d 'Refuse unless the metric is at most this' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand promote" -l better-than -d 'Refuse unless the metric beats this alias\'s version (e.g. champion)' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand promote" -l tracking-uri -d 'The MLflow tracking server [env: MLFLOW_TRACKING_URI]' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand promote" -l alias -d 'The serving alias to move' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand promote" -l previous-alias -d 'The alias kept on the version it replaces, for rollbacks' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand promote" -l timeout -d 'Give up after this long (with retries)' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand promote" -l lower-is-better -d 'With --better-than: a lower metric is better (rmse, log_loss)'
complete -c driftmend -n "__fish_driftmend_using_subcommand promote" -l no-check -d 'Promote without checking any metric'
complete -c driftmend -n "__fish_driftmend_using_subcommand promote" -l dry-run -d 'Print the steps; change nothing'
complete -c driftmend -n "__fish_driftmend_using_subcommand promote" -l allow-insecure-http -d 'Allow plain http to a non-loopback server'
complete -c driftmend -n "__fish_driftmend_using_subcommand promote" -s h -l help -d 'Print help'
complete -c driftmend -n "__fish_driftmend_using_subcommand promote" -s V -l version -d 'Print version'
complete -c driftmend -n "__fish_driftmend_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -l policy -d 'The policy whose state to use (required)' -r -F
complete -c driftmend -n "__fish_driftmend_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -l format -d 'Output format' -r -f -a "table\t''
json\t''"
complete -c driftmend -n "__fish_driftmend_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -l now -d 'The time to act as (RFC 3339), for tests and backfills' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -l since -d 'Only records newer than this (e.g. 24h, 7d)' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -l shadow -d 'The dry runs\' log (their shadow state), not the real one'
complete -c driftmend -n "__fish_driftmend_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -s h -l help -d 'Print help'
complete -c driftmend -n "__fish_driftmend_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -s V -l version -d 'Print version'
complete -c driftmend -n "__fish_driftmend_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -f -a "verify" -d 'Check the log\'s hash chain (exit 0 intact, 1 broken)'
complete -c driftmend -n "__fish_driftmend_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c driftmend -n "__fish_driftmend_using_subcommand audit; and __fish_seen_subcommand_from verify" -l policy -d 'The policy whose state to use (required)' -r -F
complete -c driftmend -n "__fish_driftmend_using_subcommand audit; and __fish_seen_subcommand_from verify" -l format -d 'Output format' -r -f -a "table\t''
json\t''"
complete -c driftmend -n "__fish_driftmend_using_subcommand audit; and __fish_seen_subcommand_from verify" -l now -d 'The time to act as (RFC 3339), for tests and backfills' -r
complete -c driftmend -n "__fish_driftmend_using_subcommand audit; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help'
complete -c driftmend -n "__fish_driftmend_using_subcommand audit; and __fish_seen_subcommand_from verify" -s V -l version -d 'Print version'
complete -c driftmend -n "__fish_driftmend_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Check the log\'s hash chain (exit 0 intact, 1 broken)'
complete -c driftmend -n "__fish_driftmend_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c driftmend -n "__fish_driftmend_using_subcommand completions" -s h -l help -d 'Print help'
complete -c driftmend -n "__fish_driftmend_using_subcommand completions" -s V -l version -d 'Print version'
complete -c driftmend -n "__fish_driftmend_using_subcommand man" -s h -l help -d 'Print help'
complete -c driftmend -n "__fish_driftmend_using_subcommand man" -s V -l version -d 'Print version'
complete -c driftmend -n "__fish_driftmend_using_subcommand help; and not __fish_seen_subcommand_from report profile merge run backtest policy pending approve reject ack promote audit completions man help" -f -a "report" -d 'Compare a current dataset with a reference: per-column drift, dataset drift and data quality'
complete -c driftmend -n "__fish_driftmend_using_subcommand help; and not __fish_seen_subcommand_from report profile merge run backtest policy pending approve reject ack promote audit completions man help" -f -a "profile" -d 'Summarise a dataset into a profile file, accepted in its place by `report`, `run` and `merge` (see docs/profiles.md)'
complete -c driftmend -n "__fish_driftmend_using_subcommand help; and not __fish_seen_subcommand_from report profile merge run backtest policy pending approve reject ack promote audit completions man help" -f -a "merge" -d 'Merge profiles of parts of a dataset into the profile of the whole'
complete -c driftmend -n "__fish_driftmend_using_subcommand help; and not __fish_seen_subcommand_from report profile merge run backtest policy pending approve reject ack promote audit completions man help" -f -a "run" -d 'Run a policy: report, decide under guardrails, act, remember, audit'
complete -c driftmend -n "__fish_driftmend_using_subcommand help; and not __fish_seen_subcommand_from report profile merge run backtest policy pending approve reject ack promote audit completions man help" -f -a "backtest" -d 'Replay a policy on history: what it would have decided, run by run, in a scratch state (nothing runs, nothing is sent)'
complete -c driftmend -n "__fish_driftmend_using_subcommand help; and not __fish_seen_subcommand_from report profile merge run backtest policy pending approve reject ack promote audit completions man help" -f -a "policy" -d 'Check or explain a policy file'
complete -c driftmend -n "__fish_driftmend_using_subcommand help; and not __fish_seen_subcommand_from report profile merge run backtest policy pending approve reject ack promote audit completions man help" -f -a "pending" -d 'List actions waiting for approval'
complete -c driftmend -n "__fish_driftmend_using_subcommand help; and not __fish_seen_subcommand_from report profile merge run backtest policy pending approve reject ack promote audit completions man help" -f -a "approve" -d 'Approve a pending action: it runs now, under the same guardrails'
complete -c driftmend -n "__fish_driftmend_using_subcommand help; and not __fish_seen_subcommand_from report profile merge run backtest policy pending approve reject ack promote audit completions man help" -f -a "reject" -d 'Reject a pending action'
complete -c driftmend -n "__fish_driftmend_using_subcommand help; and not __fish_seen_subcommand_from report profile merge run backtest policy pending approve reject ack promote audit completions man help" -f -a "ack" -d 'Confirm what became of an action whose outcome is unknown (sent, never answered), so the policy may run it again'
complete -c driftmend -n "__fish_driftmend_using_subcommand help; and not __fish_seen_subcommand_from report profile merge run backtest policy pending approve reject ack promote audit completions man help" -f -a "promote" -d 'Move an MLflow registry alias to a candidate version after checking its run metrics (exit 0 promoted, 1 refused, 2 error)'
complete -c driftmend -n "__fish_driftmend_using_subcommand help; and not __fish_seen_subcommand_from report profile merge run backtest policy pending approve reject ack promote audit completions man help" -f -a "audit" -d 'Show the audit log, or verify its hash chain'
complete -c driftmend -n "__fish_driftmend_using_subcommand help; and not __fish_seen_subcommand_from report profile merge run backtest policy pending approve reject ack promote audit completions man help" -f -a "completions" -d 'Print a completion script: bash, zsh, fish, powershell, elvish'
complete -c driftmend -n "__fish_driftmend_using_subcommand help; and not __fish_seen_subcommand_from report profile merge run backtest policy pending approve reject ack promote audit completions man help" -f -a "man" -d 'Print the man page (roff)'
complete -c driftmend -n "__fish_driftmend_using_subcommand help; and not __fish_seen_subcommand_from report profile merge run backtest policy pending approve reject ack promote audit completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c driftmend -n "__fish_driftmend_using_subcommand help; and __fish_seen_subcommand_from policy" -f -a "validate" -d 'Report every problem with file:line:col and field path (exit 0 or 2)'
complete -c driftmend -n "__fish_driftmend_using_subcommand help; and __fish_seen_subcommand_from policy" -f -a "explain" -d 'Print the resolved policy with every default filled in'
complete -c driftmend -n "__fish_driftmend_using_subcommand help; and __fish_seen_subcommand_from audit" -f -a "verify" -d 'Check the log\'s hash chain (exit 0 intact, 1 broken)'
