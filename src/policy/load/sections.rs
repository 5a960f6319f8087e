//! The schema of each section of a policy (`data`, `report`,
//! `guardrails`, `rules`, `actions`) and the defaults it fills in.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use super::actions::{check_secrets, read_action};
use super::checker::{describe, kind, shorten, Checker, Field, Fields, Kind};
use super::paths::at_index;
use super::tree::Node;
use crate::policy::model::{
    ActionSpec, CircuitBreaker, DataSpec, Guardrails, Mode, Policy, RateLimit, Rule, POLICY_VERSION,
};
use crate::report::model::{Correction, Preset};
use crate::report::options::{AnalysisOptions, MethodFor};
use crate::stats::cbpe::Calibration;
use crate::stats::Binning;

const DEFAULT_STATE_DIR: &str = ".driftmend";

const DEFAULT_APPROVAL_EXPIRY: Duration = Duration::from_secs(24 * 3600);

pub(crate) const ROOT_KEYS: &[&str] = &[
    "version",
    "name",
    "data",
    "report",
    "state_dir",
    "guardrails",
    "rules",
    "every_run",
    "actions",
];

pub(crate) const DATA_KEYS: &[&str] = &[
    "reference",
    "current",
    "delimiter",
    "null_values",
    "storage_options",
    "reference_profile",
];

/// In the order `policy explain` prints them.
pub(crate) const REPORT_KEYS: &[&str] = &[
    "columns",
    "exclude",
    "categorical",
    "numerical",
    "target",
    "prediction",
    "preset",
    "num_method",
    "cat_method",
    "target_method",
    "prediction_method",
    "methods",
    "threshold",
    "thresholds",
    "bins",
    "drift_share",
    "min_effect",
    "correction",
    "calibrate",
    "seed",
    "permutations",
    "mmd_sample",
    "missing_increase",
    "out_of_range",
    "positive_label",
    "prediction_threshold",
    "calibration",
    "multivariate",
    "pca_variance",
];

pub(crate) const GUARDRAIL_KEYS: &[&str] = &[
    "mode",
    "cooldown",
    "max_actions",
    "circuit_breaker",
    "quality_gate",
    "approval_expiry",
    "escalate",
];

pub(crate) const RULE_KEYS: &[&str] = &["name", "when", "for", "actions", "escalate"];

/// Keys every action type reads.
pub(crate) const ACTION_KEYS: &[&str] = &[
    "type",
    "purpose",
    "require_approval",
    "max_rollback_depth",
    "timeout",
];

pub(super) fn read_policy(c: &mut Checker, root: &Node) -> Option<Policy> {
    if !matches!(kind(root), Kind::Map(_)) {
        let found = describe(&kind(root));
        c.at(
            root.span.start,
            "",
            format!(
                "a policy is a mapping of `version`, `name`, `data`, `rules`, ...; found {found}"
            ),
        );
        return None;
    }
    let top = c.mapping(root, "", root.span.start)?;
    // A newer file means different keys: its version is the only problem
    // worth reporting.
    let version = match c.required(&top, "version") {
        None => None,
        Some(f) => {
            match c.integer(f.value, &f.path, i64::MIN, i64::MAX) {
                Some(v) if v == i64::from(POLICY_VERSION) => Some(POLICY_VERSION),
                Some(v) if v > i64::from(POLICY_VERSION) => {
                    c.at(
                    f.value.span.start,
                    &f.path,
                    format!(
                        "this policy is version {v}; this driftmend reads version {POLICY_VERSION} — upgrade driftmend"
                    ),
                );
                    return None;
                }
                Some(v) => {
                    c.at(
                    f.value.span.start,
                    &f.path,
                    format!("unknown policy version {v}; this driftmend reads version {POLICY_VERSION}"),
                );
                    None
                }
                None => None,
            }
        }
    };
    c.unknown_keys(&top, ROOT_KEYS);
    let name = c
        .required(&top, "name")
        .and_then(|f| c.non_empty_string(f.value, &f.path));
    let data = c.required(&top, "data").and_then(|f| read_data(c, f));
    let report = top
        .get("report")
        .map_or_else(AnalysisOptions::default, |f| read_report(c, f));
    let state_dir = top
        .get("state_dir")
        .and_then(|f| c.non_empty_string(f.value, &f.path))
        .unwrap_or_else(|| DEFAULT_STATE_DIR.to_string());
    // Names are known even when a spec is broken, so rules are checked
    // against what the author meant to define.
    let action_fields = top
        .get("actions")
        .and_then(|f| c.mapping(f.value, &f.path, f.key_node.span.start));
    let defined: Vec<&str> = action_fields
        .iter()
        .flat_map(|fields| fields.entries.iter().map(|f| f.key))
        .collect();
    let guardrails = read_guardrails(c, top.get("guardrails"), &defined);
    let rules = c
        .required(&top, "rules")
        .and_then(|f| read_rules(c, f, &defined));
    let every_run = match top.get("every_run") {
        None => Some(Vec::new()),
        Some(f) => c.action_names(f.value, &f.path, &defined, false),
    };
    let actions = action_fields.map_or_else(BTreeMap::new, |fields| read_actions(c, &fields));
    Some(Policy {
        version: version?,
        name: name?,
        data: data?,
        report,
        state_dir,
        guardrails,
        rules: rules?,
        every_run: every_run?,
        actions,
    })
}

fn read_data(c: &mut Checker, field: &Field) -> Option<DataSpec> {
    let fields = c.section(field, DATA_KEYS)?;
    let reference = c
        .required(&fields, "reference")
        .and_then(|f| c.template(f.value, &f.path));
    let current = c
        .required(&fields, "current")
        .and_then(|f| c.template(f.value, &f.path));
    let delimiter = match fields.get("delimiter") {
        None => Some(','),
        Some(f) => read_delimiter(c, f),
    };
    let null_values = match fields.get("null_values") {
        None => Some(Vec::new()),
        Some(f) => c.strings(f.value, &f.path),
    };
    let storage_options = match fields.get("storage_options") {
        None => Some(Default::default()),
        Some(f) => c
            .mapping(f.value, &f.path, f.key_node.span.start)
            .and_then(|map| {
                let mut out = crate::policy::service_spec::TemplateMap::new();
                let mut valid = true;
                for entry in &map.entries {
                    // The key's spelling is checked here, with its place;
                    // values are rendered and applied by `RunSettings`.
                    if let Err(e) = crate::data::StorageOptions::check_key(entry.key) {
                        c.at(entry.key_node.span.start, &entry.path, e.to_string());
                        valid = false;
                        continue;
                    }
                    match c.template(entry.value, &entry.path) {
                        Some(t) => {
                            out.insert(entry.key.to_string(), t);
                        }
                        None => valid = false,
                    }
                }
                valid.then_some(out)
            }),
    };
    let reference_profile = match fields.get("reference_profile") {
        None => Some(None),
        Some(f) => c.template(f.value, &f.path).map(Some),
    };
    Some(DataSpec {
        reference: reference?,
        current: current?,
        delimiter: delimiter?,
        null_values: null_values?,
        storage_options: storage_options?,
        reference_profile: reference_profile?,
    })
}

/// One ASCII character; a tab as `"\t"`, `\t` or `tab` (as `--delimiter`).
fn read_delimiter(c: &mut Checker, field: &Field) -> Option<char> {
    let text = c.string(field.value, &field.path)?;
    match text.as_str() {
        "\t" | "\\t" | "tab" => return Some('\t'),
        _ => {}
    }
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(ch), None) if ch.is_ascii() && ch != '\n' && ch != '\r' && ch != '"' => Some(ch),
        _ => {
            c.at(
                field.value.span.start,
                &field.path,
                format!(
                    "`{}` is not a single ASCII character (a tab is \"\\t\")",
                    shorten(&text)
                ),
            );
            None
        }
    }
}

fn read_report(c: &mut Checker, field: &Field) -> AnalysisOptions {
    let mut spec = AnalysisOptions::default();
    let Some(r) = c.section(field, REPORT_KEYS) else {
        return spec;
    };
    // Readers report what they reject; a rejected value leaves the default
    // and `load` fails on the error.
    let strings = |c: &mut Checker, key| {
        r.get(key)
            .and_then(|f| c.strings(f.value, &f.path))
            .unwrap_or_default()
    };
    spec.columns = r.get("columns").and_then(|f| c.strings(f.value, &f.path));
    spec.exclude = strings(c, "exclude");
    spec.categorical = strings(c, "categorical");
    spec.numerical = strings(c, "numerical");
    let string = |c: &mut Checker, key| r.get(key).and_then(|f| c.string(f.value, &f.path));
    spec.target = string(c, "target");
    spec.prediction = string(c, "prediction");
    spec.positive_label = string(c, "positive_label");
    let method =
        |c: &mut Checker, key, fit| r.get(key).and_then(|f| c.method(f.value, &f.path, fit));
    spec.num_method = method(c, "num_method", MethodFor::Numerical);
    spec.cat_method = method(c, "cat_method", MethodFor::Categorical);
    spec.target_method = method(c, "target_method", MethodFor::Role);
    spec.prediction_method = method(c, "prediction_method", MethodFor::Role);
    spec.methods = r
        .get("methods")
        .and_then(|f| c.values(f, |c, f| c.column_method(f.value, &f.path)))
        .unwrap_or_default();
    spec.threshold = r
        .get("threshold")
        .and_then(|f| c.non_negative(f.value, &f.path));
    spec.thresholds = r
        .get("thresholds")
        .and_then(|f| c.values(f, |c, f| c.non_negative(f.value, &f.path)))
        .unwrap_or_default();
    spec.bins = r.get("bins").and_then(|f| {
        let text = c.string(f.value, &f.path)?;
        match text.parse::<Binning>() {
            Ok(bins) => Some(bins),
            Err(e) => {
                c.at(f.value.span.start, &f.path, e);
                None
            }
        }
    });
    let share = |c: &mut Checker, key| r.get(key).and_then(|f| c.share(f.value, &f.path));
    spec.drift_share = share(c, "drift_share");
    spec.missing_increase = share(c, "missing_increase");
    spec.out_of_range = share(c, "out_of_range");
    spec.prediction_threshold = share(c, "prediction_threshold");
    spec.pca_variance = r
        .get("pca_variance")
        .and_then(|f| c.number(f.value, &f.path, 0.0, 1.0));
    spec.multivariate = r
        .get("multivariate")
        .and_then(|f| c.boolean(f.value, &f.path));
    spec.calibration = r
        .get("calibration")
        .and_then(|f| {
            c.choice(
                f.value,
                &f.path,
                "calibration",
                &["auto", "always", "never"],
            )
        })
        .map(|name| match name {
            "always" => Calibration::Always,
            "never" => Calibration::Never,
            _ => Calibration::Auto,
        });
    spec.min_effect = r
        .get("min_effect")
        .and_then(|f| c.non_negative(f.value, &f.path));
    spec.correction = r
        .get("correction")
        .and_then(|f| {
            c.choice(
                f.value,
                &f.path,
                "correction",
                &["none", "bonferroni", "bh"],
            )
        })
        .map(|name| match name {
            "bonferroni" => Correction::Bonferroni,
            "bh" => Correction::Bh,
            _ => Correction::None,
        });
    spec.seed = r
        .get("seed")
        .and_then(|f| c.integer(f.value, &f.path, 0, i64::MAX))
        .and_then(|n| u64::try_from(n).ok());
    // As `--permutations` and `--mmd-sample` check them.
    let size = |c: &mut Checker, key, min| {
        r.get(key)
            .and_then(|f| c.integer(f.value, &f.path, min, i64::MAX))
            .and_then(|n| usize::try_from(n).ok())
    };
    spec.permutations = size(c, "permutations", 1);
    spec.calibrate = size(c, "calibrate", 2);
    spec.preset = r
        .get("preset")
        .and_then(|f| c.choice(f.value, &f.path, "preset", &["default", "evidently"]))
        .map(|name| match name {
            "evidently" => Preset::Evidently,
            _ => Preset::Default,
        });
    spec.mmd_sample = size(c, "mmd_sample", 2);
    // What spans keys (a column both categorical and numerical) is checked
    // where every source's options are: at the key it names.
    if let Err(e) = spec.clone().resolve(|k| format!("report.{k}")) {
        if let Some(f) = r.get(e.key) {
            c.at(f.value.span.start, &f.path, e.message);
        }
    }
    spec
}

fn read_guardrails(c: &mut Checker, field: Option<&Field>, defined: &[&str]) -> Guardrails {
    let mut g = Guardrails {
        mode: Mode::default(),
        cooldown: Duration::ZERO,
        max_actions: None,
        circuit_breaker: None,
        quality_gate: true,
        approval_expiry: DEFAULT_APPROVAL_EXPIRY,
        escalate: Vec::new(),
    };
    let Some(fields) = field.and_then(|f| c.section(f, GUARDRAIL_KEYS)) else {
        return g;
    };
    if let Some(f) = fields.get("mode") {
        g.mode = match c.choice(f.value, &f.path, "mode", &["observe", "approve", "auto"]) {
            Some("approve") => Mode::Approve,
            Some("auto") => Mode::Auto,
            _ => Mode::Observe,
        };
    }
    if let Some(d) = fields
        .get("cooldown")
        .and_then(|f| c.duration(f.value, &f.path, false))
    {
        g.cooldown = d;
    }
    g.max_actions = fields.get("max_actions").and_then(|f| {
        let limit = c.section(f, &["count", "per"])?;
        let count = c
            .required(&limit, "count")
            .and_then(|f| c.count(f.value, &f.path, 1));
        let per = c
            .required(&limit, "per")
            .and_then(|f| c.duration(f.value, &f.path, true));
        Some(RateLimit {
            count: count?,
            per: per?,
        })
    });
    g.circuit_breaker = fields.get("circuit_breaker").and_then(|f| {
        let breaker = c.section(f, &["failures", "open_for"])?;
        let failures = c
            .required(&breaker, "failures")
            .and_then(|f| c.count(f.value, &f.path, 1));
        let open_for = c
            .required(&breaker, "open_for")
            .and_then(|f| c.duration(f.value, &f.path, true));
        Some(CircuitBreaker {
            failures: failures?,
            open_for: open_for?,
        })
    });
    if let Some(b) = fields
        .get("quality_gate")
        .and_then(|f| c.boolean(f.value, &f.path))
    {
        g.quality_gate = b;
    }
    if let Some(d) = fields
        .get("approval_expiry")
        .and_then(|f| c.duration(f.value, &f.path, true))
    {
        g.approval_expiry = d;
    }
    if let Some(names) = fields
        .get("escalate")
        .and_then(|f| c.action_names(f.value, &f.path, defined, false))
    {
        g.escalate = names;
    }
    g
}

fn read_rules(c: &mut Checker, field: &Field, defined: &[&str]) -> Option<Vec<Rule>> {
    let items = c.list(field.value, &field.path)?;
    if items.is_empty() {
        c.at(
            field.value.span.start,
            &field.path,
            "a policy needs at least one rule",
        );
        return None;
    }
    // Name -> line of its first use.
    let mut names: HashMap<String, usize> = HashMap::new();
    let mut rules = Vec::with_capacity(items.len());
    let mut valid = true;
    for (i, item) in items.iter().enumerate() {
        let path = at_index(&field.path, i);
        match read_rule(c, item, &path, defined, &mut names) {
            Some(rule) => rules.push(rule),
            None => valid = false,
        }
    }
    valid.then_some(rules)
}

fn read_rule(
    c: &mut Checker,
    node: &Node,
    path: &str,
    defined: &[&str],
    names: &mut HashMap<String, usize>,
) -> Option<Rule> {
    let fields = c.mapping(node, path, node.span.start)?;
    c.unknown_keys(&fields, RULE_KEYS);
    let name = c.required(&fields, "name").and_then(|f| {
        let name = c.non_empty_string(f.value, &f.path)?;
        let line = f.value.span.start.line();
        match names.entry(name.clone()) {
            Entry::Vacant(e) => {
                e.insert(line);
                Some(name)
            }
            Entry::Occupied(e) => {
                let first = *e.get();
                c.at(
                    f.value.span.start,
                    &f.path,
                    format!("duplicate rule name `{name}`; the first is on line {first}"),
                );
                None
            }
        }
    });
    let when = c
        .required(&fields, "when")
        .and_then(|f| c.condition(f.value, &f.path));
    let for_runs = match fields.get("for") {
        None => Some(1),
        Some(f) => c.count(f.value, &f.path, 1),
    };
    let actions = c
        .required(&fields, "actions")
        .and_then(|f| c.action_names(f.value, &f.path, defined, true));
    let escalate = match fields.get("escalate") {
        None => Some(Vec::new()),
        Some(f) => c.action_names(f.value, &f.path, defined, false),
    };
    let (when_text, when) = when?;
    Some(Rule {
        name: name?,
        when_text,
        when,
        for_runs: for_runs?,
        actions: actions?,
        escalate: escalate?,
    })
}

fn read_actions(c: &mut Checker, fields: &Fields) -> BTreeMap<String, ActionSpec> {
    let mut actions = BTreeMap::new();
    for f in &fields.entries {
        if !is_action_name(f.key) {
            c.at(
                f.key_node.span.start,
                &f.path,
                format!(
                    "`{}` is not a valid action name: use letters, digits, `-` and `_`",
                    shorten(f.key)
                ),
            );
        }
        check_secrets(c, f.value, &f.path);
        if let Some(spec) = read_action(c, f) {
            actions.insert(f.key.to_string(), spec);
        }
    }
    actions
}

fn is_action_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
}
