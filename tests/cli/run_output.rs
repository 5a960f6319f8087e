//! What `run` and its companions print, whole: a rule that fires and runs an
//! exec action, observe mode, a dry run, a cooldown block with its
//! escalation, the approval queue (`pending`, `approve`, `reject`), and the
//! audit log (`audit`, `audit verify` intact and tampered).

use std::fs;

use super::harness::{fixture, Cmd, TestContext};

/// Writes `policy.yaml` on the fixtures (drifted current data) with
/// `guardrails`, one rule `drift` (`when`) running `retrain`, and two exec
/// actions, `retrain` and `notify`, both `./hook.sh` (which logs its
/// arguments to `hook.log` and prints them).
fn sandbox(guardrails: &str, when: &str) -> TestContext {
    let ctx = TestContext::new();
    ctx.script(
        "hook.sh",
        "echo \"hook: $*\" >> hook.log\necho \"hook stdout: $*\"\necho \"hook stderr\" >&2\n",
    );
    ctx.write(
        "policy.yaml",
        format!(
            "version: 1
name: fraud
data:
  reference: {}
  current: {}
report:
  exclude: [id]
guardrails: {guardrails}
rules:
  - name: drift
    when: \"{when}\"
    actions: [retrain]
actions:
  retrain:
    type: exec
    command: [./hook.sh, retrain, --reason, \"{{{{ rule.name }}}}\", --run, \"{{{{ run.id }}}}\"]
  notify:
    type: exec
    command: [./hook.sh, notify, \"{{{{ incident.type }}}}\"]
",
            fixture("reference.parquet"),
            fixture("current_drifted.parquet")
        ),
    );
    ctx
}

/// `driftmend <cmd> --policy policy.yaml --now 2026-11-22T<time>:00Z <extra>`.
fn at(ctx: &TestContext, cmd: &[&str], time: &str, extra: &[&str]) -> Cmd {
    let now = format!("2026-11-22T{time}:00Z");
    let mut args = cmd.to_vec();
    args.extend_from_slice(&["--policy", "policy.yaml", "--now", &now]);
    args.extend_from_slice(extra);
    ctx.command(&args)
}

fn hook_calls(ctx: &TestContext) -> Vec<String> {
    fs::read_to_string(ctx.path().join("hook.log"))
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn auto_mode_dry_run_then_run_then_cooldown_block_and_escalation() {
    let ctx = sandbox(
        "{mode: auto, cooldown: 2h, escalate: [notify]}",
        "dataset.drift_share >= 0.3",
    );
    driftmend_snapshot!("run_dry_run", at(&ctx, &["run"], "00:00", &["--dry-run"]));
    assert_eq!(hook_calls(&ctx), Vec::<String>::new());
    assert!(!ctx.path().join(".driftmend/state.json").exists());

    driftmend_snapshot!("run_fires_and_runs_exec", at(&ctx, &["run"], "01:00", &[]));
    assert_eq!(
        hook_calls(&ctx),
        ["hook: retrain --reason drift --run run-20261122T010000Z-cb95d6"]
    );

    // Stable data in between: nothing fires, the rule's count resets.
    driftmend_snapshot!(
        "run_healthy",
        at(
            &ctx,
            &["run"],
            "01:30",
            &["--current", &fixture("current_stable.parquet")]
        )
    );

    // Drifted again within the 2h cooldown: blocked, `notify` escalates.
    driftmend_snapshot!(
        "run_blocked_by_cooldown_escalates",
        at(&ctx, &["run"], "02:00", &[])
    );
    assert_eq!(
        hook_calls(&ctx)[1..],
        ["hook: notify covariate_drift"],
        "notify ran, retrain did not"
    );

    driftmend_snapshot!(
        "audit_verify_intact",
        at(&ctx, &["audit", "verify"], "04:00", &[])
    );

    // One byte of the first rule record changed: `"consecutive":1` -> 7.
    let path = ctx.path().join(".driftmend/audit.jsonl");
    let text = fs::read_to_string(&path).unwrap();
    let tampered = text.replacen("\"consecutive\":1", "\"consecutive\":7", 1);
    assert_ne!(tampered, text);
    fs::write(&path, tampered).unwrap();
    driftmend_snapshot!(
        "audit_verify_tampered",
        at(&ctx, &["audit", "verify"], "04:00", &[])
    );
}

#[test]
fn observe_mode_runs_nothing_and_the_audit_log_says_what_it_would_do() {
    let ctx = sandbox(
        "{mode: observe, escalate: [notify]}",
        "dataset.drift_detected",
    );
    // A dry run in observe mode is audited, flagged as one, in its shadow
    // log; it never touches the real state, so the run after it is the
    // rule's first there.
    driftmend_snapshot!(
        "run_observe_mode_dry_run",
        at(&ctx, &["run"], "01:00", &["--dry-run"])
    );
    driftmend_snapshot!("run_observe_mode", at(&ctx, &["run"], "02:00", &[]));
    assert_eq!(hook_calls(&ctx), Vec::<String>::new());
    driftmend_snapshot!("audit_table", at(&ctx, &["audit"], "03:00", &[]));
    driftmend_snapshot!(
        "audit_table_shadow",
        at(&ctx, &["audit"], "03:00", &["--shadow"])
    );
    driftmend_snapshot!(
        "audit_table_since",
        at(&ctx, &["audit", "--since", "90m"], "03:00", &[])
    );
}

#[test]
fn approve_mode_queues_then_pending_approve_and_reject() {
    let ctx = sandbox(
        "{mode: approve, approval_expiry: 6h}",
        "dataset.drift_detected",
    );
    // Two actions queued: make the rule run both.
    let text = fs::read_to_string(ctx.path().join("policy.yaml"))
        .unwrap()
        .replace("actions: [retrain]", "actions: [retrain, notify]");
    ctx.write("policy.yaml", text);

    driftmend_snapshot!("run_approve_mode_queues", at(&ctx, &["run"], "01:00", &[]));
    driftmend_snapshot!("pending_table", at(&ctx, &["pending"], "01:30", &[]));
    driftmend_snapshot!(
        "pending_json",
        at(&ctx, &["pending"], "01:30", &["--format", "json"])
    );
    assert_eq!(hook_calls(&ctx), Vec::<String>::new());

    driftmend_snapshot!(
        "approve",
        at(
            &ctx,
            &["approve", "fraud-1"],
            "02:00",
            &["--reason", "looks right"]
        )
        .env("USER", "alice")
    );
    assert_eq!(
        hook_calls(&ctx),
        ["hook: retrain --reason drift --run run-20261122T010000Z-cb95d6"]
    );
    driftmend_snapshot!(
        "reject",
        at(
            &ctx,
            &["reject", "fraud-2"],
            "02:00",
            &["--reason", "not now"]
        )
        .env("USER", "bob")
    );
    driftmend_snapshot!("pending_table_empty", at(&ctx, &["pending"], "02:00", &[]));
    driftmend_snapshot!(
        "pending_json_empty",
        at(&ctx, &["pending"], "02:00", &["--format", "json"])
    );
    assert_eq!(hook_calls(&ctx).len(), 1, "the rejected notify never ran");
    // The trail says who approved and rejected what, and why.
    driftmend_snapshot!("audit_table_approvals", at(&ctx, &["audit"], "03:00", &[]));
}
