//! What `policy explain` prints: the resolved policy in the file's own
//! shape, every default filled in and every relative path resolved, so the
//! output is itself a policy that loads back as an equivalent one (from any
//! directory). Pure: the policy's directory is passed in, already absolute.

use std::path::{Component, Path, PathBuf};

use serde_json::Value;

use super::model::{ActionKind, Policy};
use crate::report::AnalysisSettings;

/// The policy as a JSON document a policy file may hold (JSON is YAML).
pub fn explain(policy: &Policy, base_dir: &Path) -> Value {
    let mut doc = serde_json::to_value(policy).unwrap_or(Value::Null);
    let Some(top) = doc.as_object_mut() else {
        return doc;
    };
    let resolve = |p: &str| resolve_path(base_dir, p);

    if let Some(data) = top.get_mut("data").and_then(Value::as_object_mut) {
        for side in ["reference", "current"] {
            let template = match side {
                "reference" => &policy.data.reference,
                _ => &policy.data.current,
            };
            if template.is_literal() {
                data.insert(side.into(), Value::String(resolve(template.source())));
            }
        }
    }
    top.insert("report".into(), report(policy));
    top.insert(
        "state_dir".into(),
        Value::String(resolve(&policy.state_dir)),
    );
    if let Some(rules) = top.get_mut("rules").and_then(Value::as_array_mut) {
        for rule in rules.iter_mut().filter_map(Value::as_object_mut) {
            if let Some(when) = rule.remove("when_text") {
                rule.insert("when".into(), when);
            }
        }
    }
    if let Some(actions) = top.get_mut("actions").and_then(Value::as_object_mut) {
        for (name, action) in actions.iter_mut() {
            let Some(fields) = action.as_object_mut() else {
                continue;
            };
            fields.remove("name");
            if let Some(Value::Object(kind)) = fields.remove("kind") {
                fields.extend(kind);
            }
            if let Some(ActionKind::Exec { cwd, .. }) = policy.actions.get(name).map(|a| &a.kind) {
                // An exec action runs in the policy's directory unless told
                // otherwise: say which, so the output runs the same anywhere.
                let dir = resolve(cwd.as_deref().unwrap_or("."));
                fields.insert("cwd".into(), Value::String(dir));
            }
        }
    }
    drop_nulls(&mut doc);
    doc
}

/// The `report:` block with every option that has one default filled in.
/// Options whose default depends on the column or method (`threshold`,
/// `permutations`, `positive_label`) or that name columns stay out when not
/// given.
fn report(policy: &Policy) -> Value {
    // The policy's own settings, resolved: a preset's defaults (e.g. the
    // correction) depend on the preset it names.
    let d = policy
        .report
        .clone()
        .resolve(|k| k.to_string())
        .unwrap_or_else(|_| AnalysisSettings::default());
    let mut r = policy.report.clone();
    r.preset.get_or_insert(d.preset);
    r.num_method.get_or_insert(d.num_method);
    r.cat_method.get_or_insert(d.cat_method);
    r.target_method.get_or_insert(d.target_method);
    r.prediction_method.get_or_insert(d.prediction_method);
    r.bins.get_or_insert(d.method_options.bins);
    r.drift_share.get_or_insert(d.drift_share);
    r.correction.get_or_insert(d.correction);
    r.seed.get_or_insert(d.method_options.seed);
    r.mmd_sample.get_or_insert(d.method_options.mmd_sample);
    r.missing_increase.get_or_insert(d.quality.missing_increase);
    r.out_of_range.get_or_insert(d.quality.out_of_range);
    r.prediction_threshold.get_or_insert(d.prediction_threshold);
    r.calibration.get_or_insert(d.calibration);
    r.multivariate.get_or_insert(d.multivariate);
    r.pca_variance.get_or_insert(d.pca_variance);
    serde_json::to_value(r).unwrap_or(Value::Null)
}

/// Pretty JSON with keys in the order a policy file has them (`version`,
/// `name`, `data`, ... ; an action's `type` first), the rest alphabetical.
pub fn to_pretty(doc: &Value) -> String {
    let mut out = String::new();
    write_value(doc, "", 0, &mut out);
    out
}

/// Where `key` goes among the keys of the object at `path`.
fn rank(path: &str, key: &str) -> usize {
    use super::load::sections::{
        ACTION_KEYS, DATA_KEYS, GUARDRAIL_KEYS, REPORT_KEYS, ROOT_KEYS, RULE_KEYS,
    };
    // The loader's lists: a key is shown where the file format has it.
    let order: &[&str] = match path {
        "" => ROOT_KEYS,
        "data" => DATA_KEYS,
        "report" => REPORT_KEYS,
        "guardrails" => GUARDRAIL_KEYS,
        "rules[]" => RULE_KEYS,
        "actions.*" => ACTION_KEYS,
        _ => &[],
    };
    order.iter().position(|k| *k == key).unwrap_or(order.len())
}

fn write_value(v: &Value, path: &str, indent: usize, out: &mut String) {
    let pad = |n: usize| "  ".repeat(n);
    match v {
        Value::Object(map) if !map.is_empty() => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by_key(|k| (rank(path, k), k.as_str()));
            out.push_str("{\n");
            for (i, key) in keys.iter().enumerate() {
                let child = match path {
                    "actions" => "actions.*".to_string(),
                    "" => key.to_string(),
                    _ => format!("{path}.{key}"),
                };
                out.push_str(&pad(indent + 1));
                out.push_str(&Value::String(key.to_string()).to_string());
                out.push_str(": ");
                write_value(&map[*key], &child, indent + 1, out);
                if i + 1 < keys.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            out.push_str(&pad(indent));
            out.push('}');
        }
        Value::Array(items) if !items.is_empty() => {
            out.push_str("[\n");
            let child = format!("{path}[]");
            for (i, item) in items.iter().enumerate() {
                out.push_str(&pad(indent + 1));
                write_value(item, &child, indent + 1, out);
                if i + 1 < items.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            out.push_str(&pad(indent));
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// `dir/path` for a relative path, with `.` and `..` folded lexically (the
/// file need not exist); URLs and absolute paths as they are.
fn resolve_path(dir: &Path, path: &str) -> String {
    if path.contains("://") || Path::new(path).is_absolute() {
        return path.to_string();
    }
    let mut out = PathBuf::new();
    for part in dir.join(path).components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out.display().to_string()
}

/// Removes `null` members: a policy file leaves an unset key out.
fn drop_nulls(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(drop_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_come_in_the_order_of_a_policy_file() {
        let doc = serde_json::json!({
            "rules": [{"when": "x", "name": "r"}],
            "name": "n",
            "version": 1,
            "actions": {"a": {"timeout": "1m", "type": "exec", "command": ["x"]}},
            "empty": {},
        });
        let text = to_pretty(&doc);
        assert_eq!(
            text,
            "{\n  \"version\": 1,\n  \"name\": \"n\",\n  \"rules\": [\n    {\n      \"name\": \"r\",\n      \"when\": \"x\"\n    }\n  ],\n  \"actions\": {\n    \"a\": {\n      \"type\": \"exec\",\n      \"timeout\": \"1m\",\n      \"command\": [\n        \"x\"\n      ]\n    }\n  },\n  \"empty\": {}\n}"
        );
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, doc);
    }

    #[test]
    fn paths_are_resolved_lexically() {
        let dir = Path::new("/srv/models/policies");
        assert_eq!(
            resolve_path(dir, "../data/ref.parquet"),
            "/srv/models/data/ref.parquet"
        );
        assert_eq!(
            resolve_path(dir, "./.driftmend"),
            "/srv/models/policies/.driftmend"
        );
        assert_eq!(resolve_path(dir, "/abs/x.csv"), "/abs/x.csv");
        assert_eq!(resolve_path(dir, "s3://b/k.parquet"), "s3://b/k.parquet");
    }
}
