//! `policy explain` on every shipped policy (`policies/*.yaml`), pinned
//! whole, and checked against the YAML it explains (read with saphyr, not
//! with driftmend's own loader): every rule and action named in the file
//! appears, with its condition, count, actions and type, the defaults the
//! file leaves out are filled in, relative paths are resolved, and the output
//! loads back as the same policy.

use std::fs;
use std::path::{Component, Path, PathBuf};

use saphyr::{LoadableYamlNode, Yaml};
use serde_json::{json, Value};

use super::harness::{TestContext, ROOT};

fn shipped_policies() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(format!("{ROOT}/policies"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

/// The value at `key` of a YAML mapping, if there.
fn get<'a>(yaml: &'a Yaml<'a>, key: &str) -> Option<&'a Yaml<'a>> {
    yaml.as_mapping_get(key)
}

fn text(yaml: &Yaml) -> String {
    yaml.as_str()
        .map(str::to_string)
        .or_else(|| yaml.as_integer().map(|i| i.to_string()))
        .unwrap_or_else(|| panic!("not a scalar: {yaml:?}"))
}

fn texts(yaml: Option<&Yaml>) -> Vec<String> {
    yaml.and_then(|y| y.as_sequence())
        .map(|s| s.iter().map(text).collect())
        .unwrap_or_default()
}

/// `path` from the shipped policies' directory, `..` folded lexically.
fn resolved(path: &str) -> String {
    let mut out = PathBuf::new();
    for part in Path::new(ROOT).join("policies").join(path).components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out.display().to_string()
}

/// Asserts that `explained` (explain's JSON) describes `source` (the YAML).
fn assert_describes(file: &str, source: &Yaml, explained: &Value) {
    let name = text(get(source, "name").unwrap());
    assert_eq!(explained["name"], json!(name), "{file}");
    assert_eq!(
        explained["version"],
        json!(get(source, "version").unwrap().as_integer().unwrap()),
        "{file}"
    );
    let data = get(source, "data").unwrap();
    for side in ["reference", "current"] {
        let given = text(get(data, side).unwrap());
        let want = if given.contains("{{") {
            given
        } else {
            resolved(&given)
        };
        assert_eq!(explained["data"][side], json!(want), "{file}: data.{side}");
    }
    let report = get(source, "report");
    assert_eq!(
        explained["report"]["exclude"],
        json!(texts(report.and_then(|r| get(r, "exclude")))),
        "{file}: report.exclude"
    );
    // Defaults are filled in, never left `null`.
    for key in [
        "num_method",
        "cat_method",
        "bins",
        "drift_share",
        "correction",
        "seed",
    ] {
        let value = &explained["report"][key];
        assert!(!value.is_null(), "{file}: report.{key} is missing or null");
    }
    fn has_null(v: &Value) -> bool {
        match v {
            Value::Null => true,
            Value::Array(items) => items.iter().any(has_null),
            Value::Object(map) => map.values().any(has_null),
            _ => false,
        }
    }
    assert!(!has_null(explained), "{file}: explain prints no nulls");
    let guardrails = get(source, "guardrails");
    let mode = guardrails
        .and_then(|g| get(g, "mode"))
        .map_or("observe".to_string(), text);
    assert_eq!(explained["guardrails"]["mode"], json!(mode), "{file}: mode");
    assert_eq!(
        explained["guardrails"]["escalate"],
        json!(texts(guardrails.and_then(|g| get(g, "escalate")))),
        "{file}: guardrails.escalate"
    );

    let rules = get(source, "rules").unwrap().as_sequence().unwrap();
    let explained_rules = explained["rules"].as_array().unwrap();
    assert_eq!(explained_rules.len(), rules.len(), "{file}: rules");
    for (rule, ex) in rules.iter().zip(explained_rules) {
        let rule_name = text(get(rule, "name").unwrap());
        assert_eq!(ex["name"], json!(rule_name), "{file}");
        assert_eq!(
            ex["when"],
            json!(text(get(rule, "when").unwrap())),
            "{file}: rule `{rule_name}`"
        );
        let count = get(rule, "for").map_or(1, |f| f.as_integer().unwrap());
        assert_eq!(ex["for"], json!(count), "{file}: rule `{rule_name}`");
        assert_eq!(
            ex["actions"],
            json!(texts(get(rule, "actions"))),
            "{file}: rule `{rule_name}`"
        );
        assert_eq!(
            ex["escalate"],
            json!(texts(get(rule, "escalate"))),
            "{file}: rule `{rule_name}`"
        );
    }

    assert_eq!(
        explained["every_run"],
        json!(texts(get(source, "every_run"))),
        "{file}: every_run"
    );
    let state_dir = get(source, "state_dir").map_or(".driftmend".to_string(), text);
    assert_eq!(
        explained["state_dir"],
        json!(resolved(&state_dir)),
        "{file}: state_dir"
    );

    let actions = get(source, "actions").unwrap().as_mapping().unwrap();
    let explained_actions = explained["actions"].as_object().unwrap();
    let names: Vec<String> = actions.keys().map(text).collect();
    let mut explained_names: Vec<String> = explained_actions.keys().cloned().collect();
    let mut sorted = names.clone();
    sorted.sort();
    explained_names.sort();
    assert_eq!(explained_names, sorted, "{file}: actions");
    for (key, action) in actions {
        let action_name = text(key);
        let ex = &explained_actions[&action_name];
        assert_eq!(
            ex["type"],
            json!(text(get(action, "type").unwrap())),
            "{file}: action `{action_name}`"
        );
        let approval = get(action, "require_approval").is_some_and(|a| a.as_bool() == Some(true));
        assert_eq!(
            ex["require_approval"],
            json!(approval),
            "{file}: action `{action_name}`"
        );
        if let Some(timeout) = get(action, "timeout") {
            assert_eq!(
                ex["timeout"],
                json!(text(timeout)),
                "{file}: action `{action_name}`"
            );
        }
    }
}

#[test]
fn explain_describes_every_shipped_policy() {
    let ctx = TestContext::new();
    let files = shipped_policies();
    assert!(files.len() >= 5, "{files:?}");
    for path in &files {
        let file = path.display().to_string();
        let stem = path.file_stem().unwrap().to_str().unwrap();
        let o = driftmend_snapshot!(
            format!("explain_{stem}").as_str(),
            ctx.command(&["policy", "explain", &file])
        );
        assert_eq!(o.status.code(), Some(0), "{file}");
        let explained: Value = serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("{file}: explain does not print JSON: {e}"));
        let source = fs::read_to_string(path).unwrap();
        let docs = Yaml::load_from_str(&source).unwrap();
        assert_describes(&file, &docs[0], &explained);
    }
}

/// The check above can fail: a policy explain gets wrong is caught.
#[test]
fn the_round_trip_check_notices_a_difference() {
    let ctx = TestContext::new();
    let path = shipped_policies().remove(0);
    let o = ctx
        .command(&["policy", "explain", path.to_str().unwrap()])
        .run()
        .output;
    let mut explained: Value = serde_json::from_slice(&o.stdout).unwrap();
    explained["rules"][0]["when"] = json!("dataset.drift_share > 0.99");
    let source = fs::read_to_string(&path).unwrap();
    let docs = Yaml::load_from_str(&source).unwrap();
    let caught = std::panic::catch_unwind(|| {
        assert_describes(&path.display().to_string(), &docs[0], &explained)
    });
    assert!(caught.is_err(), "a changed condition went unnoticed");
}

#[test]
fn explain_reports_a_bad_policy_like_validate() {
    let ctx = TestContext::new();
    ctx.write("bad.yaml", "version: 1\nname: x\nrules: 3\n");
    driftmend_snapshot!(
        "explain_bad_policy",
        ctx.command(&["policy", "explain", "bad.yaml"])
    );
}

/// `policy explain` prints the resolved policy; read back as a policy, it
/// should explain the same.
#[test]
fn explain_output_loads_back_as_the_same_policy() {
    let ctx = TestContext::new();
    for path in shipped_policies() {
        let first = ctx
            .command(&["policy", "explain", path.to_str().unwrap()])
            .run()
            .output;
        assert_eq!(first.status.code(), Some(0));
        // JSON is YAML. (`explain` reads no data: relative paths may
        // point nowhere from the temp dir.)
        ctx.write("explained.yaml", &first.stdout);
        let second = ctx
            .command(&["policy", "explain", "explained.yaml"])
            .run()
            .output;
        assert_eq!(
            String::from_utf8_lossy(&second.stdout),
            String::from_utf8_lossy(&first.stdout),
            "{}: {}",
            path.display(),
            String::from_utf8_lossy(&second.stderr)
        );
    }
}
