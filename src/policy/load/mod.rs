//! Loads a policy file: YAML text in, a validated [`Policy`] with defaults
//! filled in out, or every problem in the file with its line, column and
//! field path. Pure: takes the text (and the file's name, for messages);
//! never reads files.
//!
//! Two passes. The first walks saphyr-parser's event stream without
//! recursion and stops at what must never become a tree: a document over
//! [`MAX_BYTES`], nesting deeper than [`MAX_DEPTH`], a second document,
//! aliases (billion laughs). It also reports duplicate keys, which the tree
//! would silently merge. The events it lets through build a
//! [`MarkedYaml`](saphyr::MarkedYaml) tree, which the second pass checks
//! against the schema, collecting every problem instead of stopping at the
//! first.
//!
//! One file a job: `tree` (pass 1), `checker` (pass 2's error collector and
//! typed readers), `sections` (the schema of each section), `actions` (action
//! types and their parameters), `paths` (field paths and suggestions),
//! `error` (the error type).

mod actions;
mod checker;
mod error;
mod paths;
pub(crate) mod sections;
mod tree;

pub use error::PolicyError;

use crate::policy::model::Policy;
use checker::Checker;
use paths::find;
use sections::read_policy;
use tree::{document_start, read_tree};

/// Larger policy files are rejected before parsing.
pub const MAX_BYTES: usize = 1 << 20;

/// Deeper nesting of lists and mappings is rejected while parsing; a real
/// policy needs 5 levels.
pub const MAX_DEPTH: usize = 32;

/// Parses and validates a policy. `file` only appears in the errors, which
/// come sorted by position.
pub fn load(file: &str, text: &str) -> Result<Policy, Vec<PolicyError>> {
    let mut c = Checker::new(file);
    let policy = read_tree(&mut c, text).and_then(|root| read_policy(&mut c, &root));
    match policy {
        Some(policy) if c.errors.is_empty() => Ok(policy),
        _ => {
            if c.errors.is_empty() {
                // Every reader reports before giving up; this is a safety net.
                c.at(document_start(), "", "the policy is not valid");
            }
            Err(c.finish())
        }
    }
}

/// Positions problems found on an already loaded policy (such as
/// `check_paths`'s `(path, message)` pairs): each becomes an error at the
/// node its path names in `text`, or at the deepest node of the path that
/// exists.
pub fn locate(file: &str, text: &str, problems: &[(String, String)]) -> Vec<PolicyError> {
    let mut scratch = Checker::new(file);
    let root = read_tree(&mut scratch, text);
    let mut c = Checker::new(file);
    for (path, message) in problems {
        let mark = root
            .as_ref()
            .map_or_else(document_start, |root| find(root, path));
        c.at(mark, path, message.clone());
    }
    c.finish()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::time::Duration;

    use super::*;
    use crate::policy::expr;
    use crate::policy::model::{
        ActionKind, ActionSpec, CircuitBreaker, DataSpec, Guardrails, Mode, Purpose, RateLimit,
    };
    use crate::policy::template::{self, Template};
    use crate::report::options::AnalysisOptions as ReportSpec;
    use crate::stats::Method;

    /// The example policy of the issue, verbatim.
    const EXAMPLE: &str = include_str!("../../../fixtures/policies/issue-example.yaml");

    /// Lines 1-3 of most bad policies below.
    pub(super) const HEAD: &str = "version: 1\nname: m\ndata: {reference: r.csv, current: c.csv}\n";

    /// A valid rule and action, to follow what a case breaks.
    pub(super) const TAIL: &str = "rules:
  - name: r
    when: \"quality.errors > 0\"
    actions: [notify]
actions:
  notify: {type: exec, command: [./notify.sh]}
";

    const HOUR: u64 = 3600;

    fn template(source: &str) -> Template {
        template::parse(source).expect("a valid template")
    }

    pub(super) fn errors(text: &str) -> Vec<PolicyError> {
        match load("p.yaml", text) {
            Ok(policy) => panic!("expected errors, loaded {policy:#?}"),
            Err(errors) => errors,
        }
    }

    #[test]
    fn report_preset_and_calibrate_load() {
        use crate::report::model::Preset;
        let text = format!("{HEAD}report: {{preset: default, calibrate: 8}}\n{TAIL}");
        let policy = load("p.yaml", &text).unwrap_or_else(|e| panic!("{e:#?}"));
        assert_eq!(policy.report.preset, Some(Preset::Default));
        assert_eq!(policy.report.calibrate, Some(8));
        let text = format!("{HEAD}report: {{preset: evidently}}\n{TAIL}");
        let policy = load("p.yaml", &text).unwrap_or_else(|e| panic!("{e:#?}"));
        assert_eq!(policy.report.preset, Some(Preset::Evidently));
        // Calibration belongs to the default's effect gate.
        let text = format!("{HEAD}report: {{preset: evidently, calibrate: 8}}\n{TAIL}");
        let errors = errors(&text);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].path, "report.calibrate");
        assert_eq!(
            errors[0].message,
            "calibrates the effect gate of preset `default`; `report.preset` is `evidently`"
        );
    }

    #[test]
    fn the_issue_example_loads_with_defaults_filled_in() {
        let policy = load("p.yaml", EXAMPLE).unwrap_or_else(|e| panic!("{e:#?}"));
        assert_eq!(policy.version, 1);
        assert_eq!(policy.name, "fraud-model");
        assert_eq!(
            policy.data,
            DataSpec {
                reference: template("data/reference.parquet"),
                current: template("data/dt={{ date(-1d) }}/*.parquet"),
                delimiter: ',',
                null_values: vec![],
                storage_options: Default::default(),
                reference_profile: None,
            }
        );
        assert_eq!(
            policy.report,
            ReportSpec {
                exclude: vec!["id".into()],
                drift_share: Some(0.5),
                methods: BTreeMap::from([("income".into(), Method::Psi)]),
                thresholds: BTreeMap::from([("income".into(), 0.2)]),
                ..ReportSpec::default()
            }
        );
        assert_eq!(policy.state_dir, ".driftmend");
        assert_eq!(
            policy.guardrails,
            Guardrails {
                mode: Mode::Auto,
                cooldown: Duration::from_secs(6 * HOUR),
                max_actions: Some(RateLimit {
                    count: 3,
                    per: Duration::from_secs(24 * HOUR),
                }),
                circuit_breaker: Some(CircuitBreaker {
                    failures: 3,
                    open_for: Duration::from_secs(HOUR),
                }),
                quality_gate: true,
                approval_expiry: Duration::from_secs(24 * HOUR),
                escalate: vec![],
            }
        );
        let rules: Vec<(&str, &str, u32, &[String])> = policy
            .rules
            .iter()
            .map(|r| {
                assert_eq!(r.when, expr::parse(&r.when_text).expect("valid"));
                assert!(r.escalate.is_empty());
                (
                    r.name.as_str(),
                    r.when_text.as_str(),
                    r.for_runs,
                    r.actions.as_slice(),
                )
            })
            .collect();
        assert_eq!(
            rules,
            [
                (
                    "retrain-on-drift",
                    "dataset.drift_share >= 0.3 and quality.errors == 0",
                    2,
                    &["retrain".to_string()][..]
                ),
                (
                    "bad-data",
                    "quality.errors > 0 or column.tenure_days.missing.current > 0.05",
                    1,
                    &["notify".to_string()][..]
                ),
            ]
        );
        let exec = |name: &str, purpose, command: &[&str]| ActionSpec {
            name: name.into(),
            purpose,
            require_approval: false,
            max_rollback_depth: None,
            timeout: Duration::from_secs(600),
            kind: ActionKind::Exec {
                command: command.iter().map(|s| template(s)).collect(),
                env: vec![],
                set_env: BTreeMap::new(),
                cwd: None,
            },
        };
        assert_eq!(
            policy.actions,
            BTreeMap::from([
                (
                    "retrain".to_string(),
                    exec(
                        "retrain",
                        Purpose::Retrain,
                        &[
                            "./scripts/retrain.sh",
                            "--reason",
                            "{{ rule.name }}",
                            "--run",
                            "{{ run.id }}"
                        ]
                    )
                ),
                (
                    "notify".to_string(),
                    exec(
                        "notify",
                        Purpose::Notify,
                        &["./scripts/notify.sh", "{{ summary }}"]
                    )
                ),
            ])
        );
    }

    #[test]
    fn a_minimal_policy_gets_every_default() {
        let policy = load("p.yaml", &format!("{HEAD}{TAIL}")).unwrap_or_else(|e| panic!("{e:#?}"));
        assert_eq!(policy.report, ReportSpec::default());
        assert_eq!(policy.state_dir, ".driftmend");
        assert_eq!(policy.data.delimiter, ',');
        assert_eq!(
            policy.guardrails,
            Guardrails {
                mode: Mode::Observe,
                cooldown: Duration::ZERO,
                max_actions: None,
                circuit_breaker: None,
                quality_gate: true,
                approval_expiry: Duration::from_secs(24 * HOUR),
                escalate: vec![],
            }
        );
        assert_eq!(policy.rules[0].for_runs, 1);
        assert_eq!(policy.actions["notify"].timeout, Duration::from_secs(600));
    }

    #[test]
    fn data_options_and_exec_keys_are_read() {
        let text = "version: 1
name: m
data:
  reference: r.csv
  current: c.csv
  delimiter: \"\\t\"
  null_values: [NA, \"\", \"null\"]
rules:
  - {name: r, when: \"quality.errors > 0\", actions: [notify], escalate: [notify]}
actions:
  notify:
    type: exec
    command: [./notify.sh]
    env: [SLACK_WEBHOOK]
    set_env: {SLACK_TOKEN: \"{{ env.SLACK_TOKEN }}\", KEY_FILE: \"{{ secret_file(\\\"/run/k\\\") }}\"}
    cwd: scripts
";
        let policy = load("p.yaml", text).unwrap_or_else(|e| panic!("{e:#?}"));
        assert_eq!(policy.data.delimiter, '\t');
        assert_eq!(policy.data.null_values, ["NA", "", "null"]);
        assert_eq!(policy.rules[0].escalate, ["notify"]);
        let ActionKind::Exec {
            env, set_env, cwd, ..
        } = &policy.actions["notify"].kind
        else {
            panic!("an exec action")
        };
        assert_eq!(env, &["SLACK_WEBHOOK"]);
        assert_eq!(
            set_env.keys().collect::<Vec<_>>(),
            ["KEY_FILE", "SLACK_TOKEN"]
        );
        assert_eq!(cwd.as_deref(), Some("scripts"));
    }

    /// (what, policy, every expected error in order as (line:col, path,
    /// message fragment)).
    type Case = (
        &'static str,
        String,
        Vec<(&'static str, &'static str, &'static str)>,
    );

    fn bad_policies() -> Vec<Case> {
        vec![
            (
                "YAML syntax error",
                "version: 1\nname: x: y\n".into(),
                vec![("2:8", "", "invalid YAML: mapping values are not allowed")],
            ),
            (
                "unknown key, with a suggestion",
                format!("{HEAD}guardrails:\n  cooldwn: 6h\n{TAIL}"),
                vec![(
                    "5:3",
                    "guardrails.cooldwn",
                    "unknown key `cooldwn` (did you mean `cooldown`?)",
                )],
            ),
            (
                "unknown storage option, with a suggestion",
                format!(
                    "{}  storage_options:\n    region: eu-west-1\n    endpoint_ur: http://x\n{TAIL}",
                    HEAD.replace("data: {reference: r.csv, current: c.csv}", "data:\n  reference: r.csv\n  current: c.csv")
                ),
                vec![(
                    "8:5",
                    "data.storage_options.endpoint_ur",
                    "`endpoint_ur` is not an S3 storage option (did you mean `aws_endpoint_url`?)",
                )],
            ),
            (
                "unknown key, nothing close",
                format!("{HEAD}colour: red\n{TAIL}"),
                vec![(
                    "4:1",
                    "colour",
                    "unknown key `colour`; expected one of: version, name, data",
                )],
            ),
            (
                "wrong type",
                format!("{HEAD}{TAIL}").replace("    actions: [notify]", "    for: three\n    actions: [notify]"),
                vec![(
                    "7:10",
                    "rules[0].for",
                    "expected a whole number, found a string `three`",
                )],
            ),
            (
                "quoted number where a number goes",
                format!("{HEAD}report: {{drift_share: \"0.5\"}}\n{TAIL}"),
                vec![(
                    "4:23",
                    "report.drift_share",
                    "expected a number, found a string `0.5`",
                )],
            ),
            (
                "unknown preset",
                format!("{HEAD}report: {{preset: evidentli, calibrate: 1}}\n{TAIL}"),
                vec![
                    (
                        "4:18",
                        "report.preset",
                        "unknown preset `evidentli`; expected one of: default, evidently (did you mean `evidently`?)",
                    ),
                    ("4:40", "report.calibrate", "must be at least 2, found 1"),
                ],
            ),
            (
                "bad duration",
                format!("{HEAD}guardrails: {{cooldown: 6x}}\n{TAIL}"),
                vec![(
                    "4:24",
                    "guardrails.cooldown",
                    "`6x` is not a duration: unknown unit `x`",
                )],
            ),
            (
                "undefined action",
                format!("{HEAD}{TAIL}retrain: {{type: exec, command: [x]}}\n")
                    .replace("retrain: {", "  retrain: {")
                    .replace("[notify]", "[notify, retrian]"),
                vec![(
                    "7:23",
                    "rules[0].actions[1]",
                    "action `retrian` is not defined under `actions:` (did you mean `retrain`?)",
                )],
            ),
            (
                "duplicate rule names",
                format!(
                    "{HEAD}{TAIL}"
                )
                .replace(
                    "actions:\n  notify",
                    "  - name: r\n    when: \"quality.errors > 1\"\n    actions: [notify]\nactions:\n  notify",
                ),
                vec![(
                    "8:11",
                    "rules[1].name",
                    "duplicate rule name `r`; the first is on line 5",
                )],
            ),
            (
                "bad `when`: the position is inside the string",
                format!("{HEAD}{TAIL}").replace("quality.errors > 0", "quality.errors $ 0"),
                vec![(
                    "6:27",
                    "rules[0].when",
                    "invalid condition: unexpected character `$`",
                )],
            ),
            (
                "unknown metric in `when`, at its place in the string",
                format!("{HEAD}{TAIL}")
                    .replace("\"quality.errors > 0\"", "'quality.errors > 0 or dataset.drift_shar > 0.3'"),
                vec![("6:34", "rules[0].when", "dataset.drift_shar")],
            ),
            (
                "a number compared with a string in `when`, at the operator",
                format!("{HEAD}{TAIL}")
                    .replace("\"quality.errors > 0\"", "\"dataset.drift_share >= 'high'\""),
                vec![(
                    "6:32",
                    "rules[0].when",
                    "invalid condition: `>=` cannot compare a number (`dataset.drift_share`) with a string (`'high'`)",
                )],
            ),
            (
                "every type error in `when`, next to an unknown metric",
                format!("{HEAD}{TAIL}").replace(
                    "\"quality.errors > 0\"",
                    "'quality.errors and not incident.type or dataset.drift_shar > \"x\" or column.a.drift_detected < true'",
                ),
                vec![
                    ("6:27", "rules[0].when", "`and` needs true/false on both sides, found a number (`quality.errors`)"),
                    ("6:31", "rules[0].when", "`not` needs true/false, found a string (`incident.type`)"),
                    ("6:52", "rules[0].when", "unknown field `drift_shar`"),
                    ("6:104", "rules[0].when", "`<` cannot order true/false values"),
                ],
            ),
            (
                "bad `when` in a block scalar: the scalar's start",
                format!("{HEAD}{TAIL}")
                    .replace("\"quality.errors > 0\"", "|\n      quality.errors $ 0"),
                vec![("7:7", "rules[0].when", "unexpected character `$`")],
            ),
            (
                "bad template, at its place in the string",
                format!("{HEAD}{TAIL}").replace("[./notify.sh]", "[./notify.sh, \"--since={{ date(-1x) }}\"]"),
                vec![("9:65", "actions.notify.command[1]", "`1x` is not a duration")],
            ),
            (
                "version 2",
                format!("{HEAD}colour: red\n{TAIL}").replace("version: 1", "version: 2"),
                vec![(
                    "1:10",
                    "version",
                    "this policy is version 2; this driftmend reads version 1 — upgrade driftmend",
                )],
            ),
            (
                "literal secret",
                format!("{HEAD}{TAIL}").replace(
                    "command: [./notify.sh]}",
                    "command: [./notify.sh], set_env: {OK_TOKEN: \"{{ env.T }}\", SLACK_TOKEN: xoxb-123}}",
                ),
                vec![(
                    "9:96",
                    "actions.notify.set_env.SLACK_TOKEN",
                    "holds a literal secret; use \"{{ env.NAME }}\"",
                )],
            ),
            (
                "alias",
                format!("{HEAD}x: &base {{a: 1}}\ny: *base\n{TAIL}"),
                vec![("5:4", "y", "aliases (`*name`) are not allowed")],
            ),
            (
                "duplicate key",
                format!("{HEAD}name: n\n{TAIL}"),
                vec![("4:1", "name", "duplicate key `name`; the first is on line 2")],
            ),
            (
                "two documents",
                format!("{HEAD}{TAIL}---\n{HEAD}{TAIL}"),
                vec![("10:1", "", "a policy file holds one YAML document")],
            ),
            (
                "missing keys",
                "version: 1\nrules: []\n".into(),
                vec![
                    ("1:1", "name", "missing required key `name`"),
                    ("1:1", "data", "missing required key `data`"),
                    ("2:8", "rules", "a policy needs at least one rule"),
                ],
            ),
            (
                "unknown action type",
                format!("{HEAD}{TAIL}").replace("{type: exec, command: [./notify.sh]}", "{type: github_workflw, workflow: retrain.yml}"),
                vec![(
                    "9:18",
                    "actions.notify.type",
                    "unknown action type `github_workflw`; this build supports: exec, mlflow_rollback, mlflow_promote, mlflow_log, github_workflow, github_dispatch, gitlab_pipeline, jenkins, airflow, argo_workflow, slack, pagerduty, webhook (did you mean `github_workflow`?)",
                )],
            ),
            (
                "empty file",
                "# nothing yet\n".into(),
                vec![("1:1", "", "the policy is empty")],
            ),
            (
                "custom tag",
                format!("{HEAD}state_dir: !dir .state\n{TAIL}"),
                vec![("4:12", "state_dir", "tags such as `!dir` are not supported")],
            ),
        ]
    }

    #[test]
    fn bad_policies_report_position_path_and_message() {
        let mut failures = Vec::new();
        for (what, text, expected) in bad_policies() {
            let got = errors(&text);
            let matches = got.len() == expected.len()
                && got
                    .iter()
                    .zip(&expected)
                    .all(|(e, (position, path, fragment))| {
                        format!("{}:{}", e.line, e.column) == *position
                            && e.path == *path
                            && e.message.contains(fragment)
                    });
            if !matches {
                failures.push(format!("{what}: expected {expected:#?}, got {got:#?}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn every_problem_in_a_file_is_reported_in_file_order() {
        let text = "version: 1
name: m
data: {reference: r.csv}
guardrails:
  mode: autp
  cooldown: 90
rules:
  - name: r
    when: \"quality.errors >\"
    actions: [notfy]
actions:
  notify: {type: exec, command: [x], timout: 5m}
";
        let got: Vec<String> = errors(text).iter().map(ToString::to_string).collect();
        assert_eq!(
            got,
            [
                "p.yaml:3:1: `data.current`: missing required key `current`",
                "p.yaml:5:9: `guardrails.mode`: unknown mode `autp`; expected one of: observe, approve, auto (did you mean `auto`?)",
                "p.yaml:6:13: `guardrails.cooldown`: `90` is not a duration: `90` needs a unit (s, m, h, d, w), e.g. `90s` or `90m`",
                "p.yaml:9:28: `rules[0].when`: invalid condition: expected a value after `>`, found the end of the expression",
                "p.yaml:10:15: `rules[0].actions[0]`: action `notfy` is not defined under `actions:` (did you mean `notify`?)",
                "p.yaml:12:38: `actions.notify.timout`: unknown key `timout` (did you mean `timeout`?)",
            ]
        );
    }

    #[test]
    fn locate_points_at_the_node_a_path_names() {
        let problems = [
            ("rules[1].when".to_string(), "unknown column".to_string()),
            ("actions.retrain.command[2]".to_string(), "x".to_string()),
            ("actions.retrain.nothing[4]".to_string(), "y".to_string()),
        ];
        // Sorted by position, like every error list.
        let got: Vec<(&str, usize, usize)> = locate("p.yaml", EXAMPLE, &problems)
            .iter()
            .map(|e| {
                (
                    problems
                        .iter()
                        .find(|p| p.0 == e.path)
                        .map_or("", |p| p.1.as_str()),
                    e.line,
                    e.column,
                )
            })
            .collect();
        // `nothing` does not exist: the deepest node found, `retrain`'s
        // mapping, which starts at its first key.
        assert_eq!(
            got,
            [("unknown column", 24, 11), ("y", 28, 5), ("x", 29, 51)]
        );
        assert!(locate("p.yaml", EXAMPLE, &[]).is_empty());
    }
}
