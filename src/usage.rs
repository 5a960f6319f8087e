//! The examples at the end of each subcommand's `--help` (and in the man
//! page), and the one place that adds them, with each command's exit codes,
//! to the clap definitions of `cli`.

use clap::CommandFactory;

use crate::cli::Cli;
use crate::exit::{APPROVE_EXIT_CODES_HELP, EXIT_CODES_HELP, RUN_EXIT_CODES_HELP};

/// `(subcommand path, [(what it does, the command)])`.
pub const EXAMPLES: &[(&str, &[(&str, &str)])] = &[
    (
        "report",
        &[
            (
                "Compare two datasets, leaving the id column out",
                "driftmend report -r ref.parquet -c cur.parquet --exclude id",
            ),
            (
                "In CI: exit 1 on drift, a schema break or a quality error",
                "driftmend report -r ref.parquet -c 'cur/*.parquet' --fail-on any",
            ),
            (
                "PSI for every numerical column, JSON for a script",
                "driftmend report -r ref.csv -c cur.csv --num-method psi --format json",
            ),
            (
                "Model performance too: the label and the model's score columns",
                "driftmend report -r ref.pq -c cur.pq --target label --prediction score",
            ),
        ],
    ),
    (
        "run",
        &[
            (
                "See what a policy would do; run nothing (a shadow state keeps its streaks)",
                "driftmend run --policy policy.yaml --dry-run",
            ),
            (
                "The scheduled step: decide, act, audit; exit 0 once handled",
                "driftmend run --policy p.yaml --exit-zero-when-handled --lock-timeout 5m",
            ),
            (
                "Also write metrics for node_exporter's textfile collector",
                "driftmend run --policy policy.yaml --prometheus-textfile drift.prom",
            ),
        ],
    ),
    (
        "policy validate",
        &[
            (
                "Check a policy, column names against its reference data",
                "driftmend policy validate policy.yaml",
            ),
            (
                "Check it without reading any data (in CI)",
                "driftmend policy validate --no-data policy.yaml",
            ),
        ],
    ),
    (
        "policy explain",
        &[
            (
                "Every default filled in and every path resolved",
                "driftmend policy explain policy.yaml",
            ),
            (
                "The guardrails alone",
                "driftmend policy explain policy.yaml | jq .guardrails",
            ),
        ],
    ),
    (
        "pending",
        &[
            (
                "What waits for approval, with the exact requests",
                "driftmend pending --policy policy.yaml",
            ),
            (
                "As JSON",
                "driftmend pending --policy policy.yaml --format json",
            ),
        ],
    ),
    (
        "approve",
        &[
            (
                "Run a queued action now, saying why",
                "driftmend approve fraud-1 --policy policy.yaml --reason 'data checked'",
            ),
            (
                "Wait for a run that holds the lock",
                "driftmend approve fraud-1 --policy policy.yaml --lock-timeout 30s",
            ),
        ],
    ),
    (
        "reject",
        &[(
            "Drop a queued action without running it",
            "driftmend reject fraud-1 --policy policy.yaml --reason 'false alarm'",
        )],
    ),
    (
        "ack",
        &[
            (
                "The interrupted retrain did finish",
                "driftmend ack retrain --succeeded --policy policy.yaml --reason 'job done'",
            ),
            (
                "It did not take effect",
                "driftmend ack retrain --failed --policy policy.yaml",
            ),
        ],
    ),
    (
        "promote",
        &[
            (
                "Promote version 7 if its run's auc metric is at least 0.9",
                "driftmend promote --model fraud --candidate 7 --metric auc --min 0.9",
            ),
            (
                "Show the steps; change nothing",
                "driftmend promote --model fraud --candidate challenger --no-check --dry-run",
            ),
        ],
    ),
    (
        "audit",
        &[
            (
                "The last day of decisions",
                "driftmend audit --policy policy.yaml --since 24h",
            ),
            (
                "What the dry runs decided",
                "driftmend audit --policy policy.yaml --shadow",
            ),
            (
                "Check the log's hash chain",
                "driftmend audit verify --policy policy.yaml",
            ),
        ],
    ),
    (
        "audit verify",
        &[(
            "Check the log's hash chain (exit 1 when broken)",
            "driftmend audit verify --policy policy.yaml",
        )],
    ),
    (
        "completions",
        &[
            (
                "bash: add this line to ~/.bashrc",
                "source <(driftmend completions bash)",
            ),
            (
                "zsh: with fpath+=(~/.zfunc) before compinit in ~/.zshrc",
                "driftmend completions zsh > ~/.zfunc/_driftmend",
            ),
        ],
    ),
    (
        "profile",
        &[
            (
                "Profile the reference once, compare with it later",
                "driftmend profile ref.parquet -o ref.dmp",
            ),
            (
                "Profile one shard of a partitioned table",
                "driftmend profile 'data/dt=2026-12-01/*.parquet' -o day.dmp",
            ),
            (
                "Compare today's data with the stored profile",
                "driftmend report -r ref.dmp -c cur.parquet",
            ),
        ],
    ),
    (
        "backtest",
        &[
            (
                "What the policy would have done on last quarter's partitions",
                "driftmend backtest --policy p.yaml --history 'data/dt=*/'",
            ),
            (
                "Compare two policies on the same history",
                "driftmend backtest --policy p.yaml --history 'data/dt=*/' --against p2.yaml",
            ),
        ],
    ),
    (
        "merge",
        &[(
            "Merge shard profiles into one",
            "driftmend merge shard-0.dmp shard-1.dmp -o all.dmp",
        )],
    ),
    (
        "man",
        &[(
            "Install the man page",
            "driftmend man > ~/.local/share/man/man1/driftmend.1",
        )],
    ),
];

/// The examples of a subcommand (`report`, `policy explain`).
pub fn examples(path: &str) -> &'static [(&'static str, &'static str)] {
    EXAMPLES
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, e)| *e)
        .unwrap_or(&[])
}

/// `Examples:` and its lines, as `--help` shows them.
fn examples_text(path: &str) -> String {
    let mut out = String::from("Examples:");
    for (what, command) in examples(path) {
        out.push_str(&format!("\n  # {what}\n  {command}"));
    }
    out
}

/// The exit codes a subcommand documents after its examples.
fn exit_codes(path: &str) -> Option<&'static str> {
    match path {
        "report" => Some(EXIT_CODES_HELP),
        "run" => Some(RUN_EXIT_CODES_HELP),
        "approve" => Some(APPROVE_EXIT_CODES_HELP),
        _ => None,
    }
}

/// The clap command with each subcommand's examples and exit codes at the
/// end of its help: what the binary parses with, and what completions and
/// the man page are generated from.
pub fn command() -> clap::Command {
    decorate(Cli::command(), "")
}

fn decorate(cmd: clap::Command, path: &str) -> clap::Command {
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    let mut cmd = cmd;
    for name in names {
        let sub_path = if path.is_empty() {
            name.clone()
        } else {
            format!("{path} {name}")
        };
        cmd = cmd.mut_subcommand(&name, |sub| {
            let mut after = Vec::new();
            if !examples(&sub_path).is_empty() {
                after.push(examples_text(&sub_path));
            }
            after.extend(exit_codes(&sub_path).map(str::to_string));
            let sub = decorate(sub, &sub_path);
            if after.is_empty() {
                sub
            } else {
                sub.after_help(after.join("\n\n"))
            }
        });
    }
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every documented subcommand has 1-4 examples; every example names a
    /// real subcommand and parses.
    #[test]
    fn every_subcommand_has_examples_that_parse() {
        let cmd = command();
        let mut paths = Vec::new();
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            if sub.has_subcommands() {
                for inner in sub.get_subcommands().filter(|s| s.get_name() != "help") {
                    paths.push(format!("{} {}", sub.get_name(), inner.get_name()));
                }
                if sub.get_name() == "audit" {
                    paths.push("audit".into());
                }
            } else {
                paths.push(sub.get_name().to_string());
            }
        }
        for path in &paths {
            let list = examples(path);
            assert!(
                (1..=4).contains(&list.len()),
                "`{path}` has {} examples",
                list.len()
            );
            for (what, line) in list {
                // Short enough for an 80-column terminal, so clap never
                // wraps a command in two.
                assert!(line.len() <= 76 && what.len() <= 74, "{line}");
                let line = &line[line.find("driftmend").unwrap()..];
                let line = line.split(" | ").next().unwrap();
                let line = line.split(" > ").next().unwrap();
                let line = line.trim_end_matches(')');
                let words = shell_words(line);
                assert_eq!(words[0], "driftmend");
                command()
                    .try_get_matches_from(&words)
                    .unwrap_or_else(|e| panic!("{line}: {e}"));
            }
        }
    }

    /// Splits on spaces, keeping single-quoted words whole.
    fn shell_words(line: &str) -> Vec<String> {
        let mut words = Vec::new();
        let mut word = String::new();
        let mut quoted = false;
        for ch in line.chars() {
            match ch {
                '\'' => quoted = !quoted,
                ' ' if !quoted => {
                    if !word.is_empty() {
                        words.push(std::mem::take(&mut word));
                    }
                }
                c => word.push(c),
            }
        }
        if !word.is_empty() {
            words.push(word);
        }
        words
    }
}
