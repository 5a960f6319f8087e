//! `driftmend run` and its companions (`pending`, `approve`, `reject`,
//! `audit`, `policy validate`) driven end to end: each test writes a policy
//! and shell hooks into a temp dir, runs the binary with `--now` to step
//! through scheduled runs, and checks exit codes, `state.json`, the audit
//! log and what the hooks were called with.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{code, stderr, stdout, BIN};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures");

/// `2026-11-22T00:00:00Z` plus `minutes`, as `--now` takes it.
fn at_minutes(minutes: i64) -> String {
    let base = chrono::DateTime::parse_from_rfc3339("2026-11-22T00:00:00Z").unwrap();
    (base + chrono::Duration::minutes(minutes))
        .with_timezone(&chrono::Utc)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn at(hours: i64) -> String {
    at_minutes(hours * 60)
}

/// A temp dir holding `policy.yaml`, hooks and the state dir `.driftmend`.
struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        Sandbox {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `policy.yaml`: the fixtures' reference against `current`,
    /// then `body` (guardrails, rules, actions).
    fn policy(&self, current: &str, body: &str) {
        let text = format!(
            "version: 1
name: t
data:
  reference: {FIXTURES}/reference.parquet
  current: {FIXTURES}/{current}
report:
  exclude: [id]
{body}"
        );
        fs::write(self.path().join("policy.yaml"), text).unwrap();
    }

    /// An executable `./<name>.sh` that appends its arguments to
    /// `<name>.log` (one line per call), echoes them on stdout and stderr,
    /// waits while `<name>.gate` exists (at most 30 s; having first written
    /// its pid, which is its process group id, to `<name>.pid`), and exits
    /// with the code in `<name>.exit` (default 0).
    fn hook(&self, name: &str) {
        use std::os::unix::fs::PermissionsExt;
        let d = self.path().display();
        let script = format!(
            "#!/bin/sh
d='{d}'
printf '%s\\n' \"$*\" >> \"$d/{name}.log\"
echo \"{name} stdout: $*\"
echo \"{name} stderr: $*\" >&2
if [ -f \"$d/{name}.gate\" ]; then
  echo $$ > \"$d/{name}.pid.tmp\" && mv \"$d/{name}.pid.tmp\" \"$d/{name}.pid\"
  i=0
  while [ -f \"$d/{name}.gate\" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
fi
exit \"$(cat \"$d/{name}.exit\" 2>/dev/null || echo 0)\"
"
        );
        let path = self.path().join(format!("{name}.sh"));
        fs::write(&path, script).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    }

    /// An executable `./<name>.sh` that appends its arguments to
    /// `<name>.log`, then sleeps `seconds` and exits 0.
    fn slow_hook(&self, name: &str, seconds: f64) {
        use std::os::unix::fs::PermissionsExt;
        let d = self.path().display();
        let script =
            format!("#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{d}/{name}.log'\nsleep {seconds}\n");
        let path = self.path().join(format!("{name}.sh"));
        fs::write(&path, script).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    }

    fn set(&self, file: &str, content: &str) {
        fs::write(self.path().join(file), content).unwrap();
    }

    /// The arguments of each call of hook `name`.
    fn calls(&self, name: &str) -> Vec<String> {
        match fs::read_to_string(self.path().join(format!("{name}.log"))) {
            Ok(text) => text.lines().map(str::to_string).collect(),
            Err(_) => Vec::new(),
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.args(args)
            .current_dir(self.path())
            .env_remove("DRIFTMEND_POLICY")
            .env_remove("MY_TOKEN")
            .env("NO_COLOR", "1");
        c
    }

    fn driftmend(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run driftmend")
    }

    /// `driftmend run --policy policy.yaml --now <at(hour)> <extra>`.
    fn run(&self, hour: i64, extra: &[&str]) -> Output {
        let now = at(hour);
        let mut args = vec!["run", "--policy", "policy.yaml", "--now", &now];
        args.extend_from_slice(extra);
        self.driftmend(&args)
    }

    /// Runs and asserts the exit code.
    fn run_expecting(&self, hour: i64, extra: &[&str], want: i32) -> Output {
        let o = self.run(hour, extra);
        assert_eq!(
            code(&o),
            want,
            "run at {}:\nstdout: {}\nstderr: {}",
            at(hour),
            stdout(&o),
            stderr(&o)
        );
        o
    }

    fn state_path(&self) -> PathBuf {
        self.path().join(".driftmend/state.json")
    }

    fn audit_path(&self) -> PathBuf {
        self.path().join(".driftmend/audit.jsonl")
    }

    fn state(&self) -> Value {
        let bytes = fs::read(self.state_path()).expect("state.json exists");
        serde_json::from_slice(&bytes).expect("state.json is JSON")
    }

    fn audit(&self) -> Vec<Value> {
        read_audit(&self.audit_path())
    }

    /// Where dry runs keep their own state and audit log.
    fn shadow_path(&self, file: &str) -> PathBuf {
        self.path().join(".driftmend/shadow").join(file)
    }

    /// The dry runs' audit log.
    fn shadow_audit(&self) -> Vec<Value> {
        read_audit(&self.shadow_path("audit.jsonl"))
    }

    /// The dry runs' audit records of `kind` at `hour`.
    fn shadow_audit_of(&self, kind: &str, hour: i64) -> Vec<Value> {
        let now = at(hour);
        self.shadow_audit()
            .into_iter()
            .filter(|r| r["kind"] == kind && r["at"] == now.as_str())
            .collect()
    }

    /// Audit records of `kind` (`run`, `rule`, `decision`, `action`,
    /// `approval`) from the run at `at(hour)`.
    fn audit_of(&self, kind: &str, hour: i64) -> Vec<Value> {
        let now = at(hour);
        self.audit()
            .into_iter()
            .filter(|r| r["kind"] == kind && r["at"] == now.as_str())
            .collect()
    }
}

/// `(action, verdict, guardrail, escalation_of, outcome status)` of the
/// decision and action records of one run, in order.
fn decided(records: &[Value]) -> Vec<(String, String, String, String, String)> {
    let s = |v: &Value| v.as_str().unwrap_or("-").to_string();
    records
        .iter()
        .filter(|r| r["kind"] == "decision" || r["kind"] == "action")
        .map(|r| {
            (
                s(&r["action"]),
                s(&r["verdict"]),
                s(&r["guardrail"]),
                s(&r["escalation_of"]),
                s(&r["outcome"]["status"]),
            )
        })
        .collect()
}

fn row(
    action: &str,
    verdict: &str,
    guardrail: &str,
    of: &str,
    status: &str,
) -> (String, String, String, String, String) {
    (
        action.into(),
        verdict.into(),
        guardrail.into(),
        of.into(),
        status.into(),
    )
}

fn records_at(s: &Sandbox, hour: i64) -> Vec<Value> {
    let now = at(hour);
    s.audit()
        .into_iter()
        .filter(|r| r["at"] == now.as_str())
        .collect()
}

const DRIFTED: &str = "current_drifted.parquet";
const STABLE: &str = "current_stable.parquet";
const QUALITY: &str = "current_quality.parquet";

const RETRAIN_AND_NOTIFY: &str = "actions:
  retrain:
    type: exec
    command: [\"./retrain.sh\", \"--reason\", \"{{ rule.name }}\", \"--run\", \"{{ run.id }}\"]
  notify:
    type: exec
    command: [\"./notify.sh\", \"{{ summary }}\"]
";

#[test]
fn for_two_runs_then_cooldown_blocks_and_escalates_then_runs_again() {
    let s = Sandbox::new();
    s.hook("retrain");
    s.hook("notify");
    s.policy(
        DRIFTED,
        &format!(
            "guardrails: {{mode: auto, cooldown: 2h, escalate: [notify]}}
rules:
  - name: drift
    when: \"dataset.drift_share >= 0.3\"
    for: 2
    actions: [retrain]
{RETRAIN_AND_NOTIFY}"
        ),
    );

    // 1st run: the rule holds once; `for: 2` wants two in a row.
    let o = s.run_expecting(0, &[], 0);
    assert!(
        stdout(&o).contains("holds (1/2 consecutive runs; not yet)"),
        "{}",
        stdout(&o)
    );
    assert_eq!(s.state()["rules"]["drift"]["consecutive"], 1);
    assert!(s.calls("retrain").is_empty());

    // 2nd run: fires, retrain runs.
    let o = s.run_expecting(1, &[], 1);
    assert!(
        stdout(&o).contains("FIRED (2/2 consecutive runs)"),
        "{}",
        stdout(&o)
    );
    let calls = s.calls("retrain");
    assert_eq!(calls.len(), 1);
    assert!(
        calls[0].starts_with("--reason drift --run run-20261122T010000Z-"),
        "{calls:?}"
    );
    let st = s.state();
    assert_eq!(st["rules"]["drift"]["consecutive"], 2);
    assert_eq!(st["rules"]["drift"]["last_fired"], at(1));
    assert_eq!(st["actions"]["retrain"]["last_run"], at(1));
    assert_eq!(st["actions"]["retrain"]["last_status"], "succeeded");
    assert_eq!(
        decided(&records_at(&s, 1)),
        [row("retrain", "run", "-", "-", "succeeded")]
    );
    let action = &s.audit_of("action", 1)[0];
    assert_eq!(action["rule"], "drift");
    assert_eq!(action["evidence"]["dataset.drift_share"], 0.7); // 7 of 10: the default also flags the 5 pp fraud-rate change
    assert_eq!(action["outcome"]["detail"]["exit_code"], 0);
    assert_eq!(action["request"]["argv"][0], "./retrain.sh");

    // 3rd run: within the cooldown: blocked, notify escalates.
    let o = s.run_expecting(2, &[], 1);
    assert!(
        stdout(&o).contains("BLOCKED: cooldown: `retrain` last ran at 2026-11-22T01:00:00Z; next allowed at 2026-11-22T03:00:00Z"),
        "{}",
        stdout(&o)
    );
    assert_eq!(s.calls("retrain").len(), 1);
    let notified = s.calls("notify");
    assert_eq!(notified.len(), 1);
    assert!(
        notified[0].starts_with("covariate_drift: 7 of 10 columns drifted"),
        "{notified:?}"
    );
    assert_eq!(
        decided(&records_at(&s, 2)),
        [
            row("retrain", "blocked", "cooldown", "-", "-"),
            row("notify", "run", "-", "retrain", "succeeded"),
        ]
    );

    // 4th run: the cooldown has passed (exactly): it runs again.
    s.run_expecting(3, &[], 1);
    assert_eq!(s.calls("retrain").len(), 2);
    assert_eq!(s.state()["actions"]["retrain"]["last_run"], at(3));

    // 5th run: blocked and escalated again; handled, so exit 0 on request.
    s.run_expecting(4, &["--exit-zero-when-handled"], 0);
    assert_eq!(s.calls("retrain").len(), 2);
    assert_eq!(s.calls("notify").len(), 2);

    // The data becomes stable: nothing fires, the counter resets, exit 0.
    let o = s.run_expecting(5, &["--current", &format!("{FIXTURES}/{STABLE}")], 0);
    assert!(stdout(&o).contains("No actions."), "{}", stdout(&o));
    assert_eq!(s.state()["rules"]["drift"]["consecutive"], 0);
    assert_eq!(s.state()["runs"].as_array().unwrap().len(), 6);
    let v = s.driftmend(&["audit", "verify", "--policy", "policy.yaml"]);
    assert_eq!(code(&v), 0, "{}", stderr(&v));
}

#[test]
fn rate_limit_caps_actions_within_a_run_and_across_runs() {
    let s = Sandbox::new();
    for h in ["a", "b", "c", "notify"] {
        s.hook(h);
    }
    s.policy(
        DRIFTED,
        "guardrails: {mode: auto, max_actions: {count: 2, per: 24h}, escalate: [notify]}
rules:
  - {name: drift, when: dataset.drift_detected, actions: [a, b, c]}
actions:
  a: {type: exec, command: [./a.sh]}
  b: {type: exec, command: [./b.sh]}
  c: {type: exec, command: [./c.sh]}
  notify: {type: exec, command: [./notify.sh, \"{{ action.name }}\"]}
",
    );
    let o = s.run_expecting(0, &[], 1);
    assert!(
        stdout(&o).contains("BLOCKED: rate limit: 2 actions ran in the last 1d (max 2)"),
        "{}",
        stdout(&o)
    );
    assert_eq!(
        decided(&records_at(&s, 0)),
        [
            row("a", "run", "-", "-", "succeeded"),
            row("b", "run", "-", "-", "succeeded"),
            row("c", "blocked", "rate_limit", "-", "-"),
            row("notify", "run", "-", "c", "succeeded"),
        ]
    );
    assert_eq!(
        (s.calls("a").len(), s.calls("b").len(), s.calls("c").len()),
        (1, 1, 0)
    );
    assert_eq!(s.state()["window"], serde_json::json!([at(0), at(0)]));

    // An hour later the window is still full: everything is blocked, and
    // each block escalates (escalations bypass the rate limit).
    s.run_expecting(1, &[], 1);
    assert_eq!(
        decided(&records_at(&s, 1)),
        [
            row("a", "blocked", "rate_limit", "-", "-"),
            row("b", "blocked", "rate_limit", "-", "-"),
            row("c", "blocked", "rate_limit", "-", "-"),
            row("notify", "run", "-", "a", "succeeded"),
            row("notify", "run", "-", "b", "succeeded"),
            row("notify", "run", "-", "c", "succeeded"),
        ]
    );
    assert_eq!((s.calls("a").len(), s.calls("b").len()), (1, 1));

    // 24h after the first run its entries have left the window.
    s.run_expecting(24, &[], 1);
    assert_eq!(
        (s.calls("a").len(), s.calls("b").len(), s.calls("c").len()),
        (2, 2, 0)
    );
    assert_eq!(s.state()["window"], serde_json::json!([at(24), at(24)]));
}

#[test]
fn circuit_breaker_opens_on_failures_then_half_open_trials_fail_and_succeed() {
    let s = Sandbox::new();
    s.hook("retrain");
    s.hook("notify");
    s.set("retrain.exit", "7");
    s.policy(
        DRIFTED,
        &format!(
            "guardrails: {{mode: auto, circuit_breaker: {{failures: 2, open_for: 2h}}, escalate: [notify]}}
rules:
  - {{name: drift, when: dataset.drift_detected, actions: [retrain]}}
{RETRAIN_AND_NOTIFY}"
        ),
    );
    let breaker = |s: &Sandbox| {
        let st = s.state();
        let a = &st["actions"]["retrain"];
        (
            a["consecutive_failures"].as_u64().unwrap(),
            a["breaker_opened_at"].as_str().map(str::to_string),
        )
    };

    // Two failures (each escalated): exit 3, then the breaker opens.
    let o = s.run_expecting(0, &[], 3);
    assert!(
        stdout(&o).contains("ran: FAILED (exited with status 7)"),
        "{}",
        stdout(&o)
    );
    assert_eq!(breaker(&s), (1, None));
    assert_eq!(
        decided(&records_at(&s, 0)),
        [
            row("retrain", "run", "-", "-", "failed"),
            row("notify", "run", "-", "retrain", "succeeded"),
        ]
    );
    s.run_expecting(1, &[], 3);
    assert_eq!(breaker(&s), (2, Some(at(1))));
    assert_eq!(s.state()["actions"]["retrain"]["last_status"], "failed");

    // Open: blocked without running, escalated.
    let o = s.run_expecting(2, &[], 1);
    assert!(
        stdout(&o).contains("BLOCKED: circuit breaker open after 2 consecutive failures (since 2026-11-22T01:00:00Z; half-open at 2026-11-22T03:00:00Z)"),
        "{}",
        stdout(&o)
    );
    assert_eq!(s.calls("retrain").len(), 2);
    assert_eq!(
        decided(&records_at(&s, 2)),
        [
            row("retrain", "blocked", "circuit_breaker", "-", "-"),
            row("notify", "run", "-", "retrain", "succeeded"),
        ]
    );

    // Half-open: one trial; it fails and re-opens the breaker at once.
    s.run_expecting(3, &[], 3);
    assert_eq!(s.calls("retrain").len(), 3);
    assert_eq!(breaker(&s), (3, Some(at(3))));
    s.run_expecting(4, &[], 1);
    assert_eq!(s.calls("retrain").len(), 3);

    // The next trial succeeds: closed again.
    s.set("retrain.exit", "0");
    s.run_expecting(5, &[], 1);
    assert_eq!(s.calls("retrain").len(), 4);
    assert_eq!(breaker(&s), (0, None));
    assert_eq!(s.state()["actions"]["retrain"]["last_status"], "succeeded");
    s.run_expecting(6, &[], 1);
    assert_eq!(s.calls("retrain").len(), 5);
}

#[test]
fn observe_mode_runs_nothing_and_logs_what_it_would_do() {
    let s = Sandbox::new();
    s.hook("retrain");
    s.hook("notify");
    s.policy(
        DRIFTED,
        &format!(
            "guardrails: {{escalate: [notify]}}
rules:
  - {{name: drift, when: dataset.drift_detected, actions: [retrain]}}
{RETRAIN_AND_NOTIFY}"
        ),
    );
    let o = s.run_expecting(0, &[], 1);
    assert!(stdout(&o).contains("mode observe"), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("retrain          rule `drift`: observed (auto mode would run it)"),
        "{}",
        stdout(&o)
    );
    assert!(s.calls("retrain").is_empty() && s.calls("notify").is_empty());
    let st = s.state();
    assert_eq!(st["rules"]["drift"]["consecutive"], 1);
    assert_eq!(st["actions"], serde_json::json!({}));
    assert_eq!(st["window"], serde_json::json!([]));
    let d = &s.audit_of("decision", 0);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0]["action"], "retrain");
    assert_eq!(d[0]["verdict"], "observe");
    assert_eq!(d[0]["would"]["verdict"], "run");
    assert_eq!(d[0]["request"]["argv"][0], "./retrain.sh");
    assert!(d[0].get("outcome").is_none_or(Value::is_null), "{:#}", d[0]);
    assert_eq!(s.audit_of("run", 0)[0]["mode"], "observe");
    // Observing again records a would-be run each time; still nothing runs.
    s.run_expecting(1, &[], 1);
    assert!(s.calls("retrain").is_empty());
}

#[test]
fn approve_mode_queues_then_approve_runs_reject_drops_and_expired_cannot_be_approved() {
    let s = Sandbox::new();
    s.hook("retrain");
    s.hook("notify");
    s.policy(
        DRIFTED,
        &format!(
            "guardrails: {{mode: approve, approval_expiry: 2h}}
rules:
  - {{name: drift, when: dataset.drift_detected, actions: [retrain]}}
{RETRAIN_AND_NOTIFY}"
        ),
    );
    let state_cmd = |cmd: &[&str], minutes: i64| {
        let now = at_minutes(minutes);
        let mut args = cmd.to_vec();
        args.extend_from_slice(&["--policy", "policy.yaml", "--now", &now]);
        s.driftmend(&args)
    };

    // Queued, not run.
    let o = s.run_expecting(0, &[], 1);
    assert!(
        stdout(&o).contains("queued for approval: `driftmend approve t-1 --policy policy.yaml`"),
        "{}",
        stdout(&o)
    );
    assert!(s.calls("retrain").is_empty());
    let pending = &s.state()["pending"];
    assert_eq!(pending[0]["id"], "t-1");
    assert_eq!(pending[0]["action"], "retrain");
    assert_eq!(pending[0]["expires_at"], at(2));
    let o = state_cmd(&["pending"], 10);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let listed = stdout(&o);
    assert!(
        listed.contains("t-1  action `retrain` for rule `drift` (run run-20261122T000000Z-"),
        "{listed}"
    );
    assert!(listed.contains("expires 2026-11-22T02:00:00Z"), "{listed}");
    assert!(
        listed.contains("$ ./retrain.sh --reason drift --run run-20261122T000000Z-"),
        "{listed}"
    );

    // Approved: it runs now, with the deciding run's values.
    let o = state_cmd(&["approve", "t-1", "--reason", "looks right"], 30);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&o), "t-1: `retrain` exited with status 0\n");
    let calls = s.calls("retrain");
    assert_eq!(calls.len(), 1);
    assert!(
        calls[0].starts_with("--reason drift --run run-20261122T000000Z-"),
        "{calls:?}"
    );
    let st = s.state();
    assert_eq!(st["pending"], serde_json::json!([]));
    assert_eq!(st["actions"]["retrain"]["last_run"], at_minutes(30));
    let approvals: Vec<Value> = s
        .audit()
        .into_iter()
        .filter(|r| r["kind"] == "approval")
        .collect();
    assert_eq!(approvals.len(), 1);
    assert_eq!(approvals[0]["result"], "approved");
    assert_eq!(approvals[0]["approval_id"], "t-1");
    assert_eq!(approvals[0]["reason"], "looks right");
    assert_eq!(approvals[0]["outcome"]["status"], "succeeded");
    assert_eq!(approvals[0]["at"], at_minutes(30));

    // Rejected: dropped, never run.
    s.run_expecting(1, &[], 1);
    let o = state_cmd(&["reject", "t-2", "--reason", "not now"], 70);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&o), "t-2: rejected `retrain`\n");
    assert_eq!(s.state()["pending"], serde_json::json!([]));
    assert_eq!(s.calls("retrain").len(), 1);
    let o = state_cmd(&["pending"], 71);
    assert_eq!(stdout(&o), "No actions are waiting for approval.\n");
    let last = s.audit().pop().unwrap();
    assert_eq!(
        (
            &last["kind"],
            &last["result"],
            &last["reason"],
            &last["approval_id"]
        ),
        (
            &"approval".into(),
            &"rejected".into(),
            &"not now".into(),
            &"t-2".into()
        )
    );

    // Expired: cannot be approved, audited as expired.
    s.run_expecting(2, &[], 1);
    assert_eq!(s.state()["pending"][0]["id"], "t-3");
    let o = state_cmd(&["approve", "t-3"], 5 * 60);
    assert_eq!(code(&o), 2, "{}", stdout(&o));
    assert_eq!(
        stderr(&o),
        "error: approval `t-3` expired at 2026-11-22T04:00:00Z; the next run decides again\n"
    );
    assert_eq!(s.calls("retrain").len(), 1);
    assert_eq!(s.state()["pending"], serde_json::json!([]));
    let last = s.audit().pop().unwrap();
    assert_eq!(
        (
            &last["kind"],
            &last["result"],
            &last["approval_id"],
            &last["expired_at"]
        ),
        (
            &"approval".into(),
            &"expired".into(),
            &"t-3".into(),
            &at(4).into()
        )
    );
    // An unknown id names what is pending.
    let o = state_cmd(&["approve", "t-9"], 5 * 60);
    assert_eq!(code(&o), 2);
    assert_eq!(
        stderr(&o),
        "error: no pending approval `t-9` (the queue is empty)\n"
    );
    let v = s.driftmend(&["audit", "verify", "--policy", "policy.yaml"]);
    assert_eq!(code(&v), 0, "{}", stderr(&v));
}

#[test]
fn approved_actions_count_against_the_rate_limit() {
    let s = Sandbox::new();
    s.hook("retrain");
    s.hook("notify");
    s.policy(
        DRIFTED,
        &format!(
            "guardrails: {{mode: approve, max_actions: {{count: 1, per: 24h}}}}
rules:
  - {{name: drift, when: dataset.drift_detected, actions: [retrain]}}
{RETRAIN_AND_NOTIFY}"
        ),
    );
    s.run_expecting(0, &[], 1);
    let now = at(0);
    let o = s.driftmend(&["approve", "t-1", "--policy", "policy.yaml", "--now", &now]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(s.calls("retrain").len(), 1);
    assert_eq!(s.state()["window"], serde_json::json!([at(0)]));
    s.run_expecting(1, &[], 1);
    assert_eq!(
        decided(&records_at(&s, 1)),
        [row("retrain", "blocked", "rate_limit", "-", "-")]
    );
}

#[test]
fn a_failed_approved_action_escalates_like_a_failed_run() {
    let s = Sandbox::new();
    s.hook("retrain");
    s.hook("notify");
    s.set("retrain.exit", "1");
    s.policy(
        DRIFTED,
        &format!(
            "guardrails: {{mode: approve, escalate: [notify]}}
rules:
  - {{name: drift, when: dataset.drift_detected, actions: [retrain]}}
{RETRAIN_AND_NOTIFY}"
        ),
    );
    s.run_expecting(0, &[], 1);
    let now = at(0);
    let o = s.driftmend(&["approve", "t-1", "--policy", "policy.yaml", "--now", &now]);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert_eq!(s.calls("retrain").len(), 1);
    assert_eq!(s.state()["actions"]["retrain"]["consecutive_failures"], 1);
    assert_eq!(s.calls("notify").len(), 1);
}

#[test]
fn quality_gate_blocks_retraining_on_bad_data_and_escalates() {
    let s = Sandbox::new();
    s.hook("retrain");
    s.hook("notify");
    s.policy(
        QUALITY,
        &format!(
            "guardrails: {{mode: auto, escalate: [notify]}}
rules:
  - {{name: anything, when: \"rows.current > 0\", actions: [retrain]}}
{RETRAIN_AND_NOTIFY}"
        ),
    );
    let o = s.run_expecting(0, &[], 1);
    assert!(
        stdout(&o).contains("BLOCKED: the current data has 3 quality errors; retraining on it would teach the model bad data"),
        "{}",
        stdout(&o)
    );
    assert!(s.calls("retrain").is_empty());
    let notified = s.calls("notify");
    assert_eq!(notified.len(), 1);
    assert!(notified[0].starts_with("schema_break: "), "{notified:?}");
    assert_eq!(
        decided(&records_at(&s, 0)),
        [
            row("retrain", "blocked", "quality_gate", "-", "-"),
            row("notify", "run", "-", "retrain", "succeeded"),
        ]
    );
    let run = &s.audit_of("run", 0)[0];
    assert_eq!(
        (&run["incident"], &run["quality_errors"]),
        (&"schema_break".into(), &3.into())
    );
    assert!(s.state()["actions"].get("retrain").is_none());
}

/// A candidate policy shadowed by dry runs: its `for:` streak advances in
/// the shadow state, so the rule fires when it would, while the real state
/// never sees it; and no dry run writes the last-success metric.
#[test]
fn dry_runs_keep_a_shadow_state_where_for_streaks_advance() {
    let s = Sandbox::new();
    s.hook("retrain");
    s.hook("notify");
    s.policy(
        DRIFTED,
        &format!(
            "guardrails: {{mode: auto}}
rules:
  - {{name: drift, when: dataset.drift_detected, for: 2, actions: [retrain]}}
{RETRAIN_AND_NOTIFY}"
        ),
    );
    let o = s.run_expecting(0, &["--dry-run", "--prometheus-textfile", "m.prom"], 0);
    assert!(
        stdout(&o).contains("drift                    holds (1/2 consecutive runs; not yet)"),
        "{}",
        stdout(&o)
    );
    let metrics = fs::read_to_string(s.path().join("m.prom")).unwrap();
    assert!(
        metrics.contains("driftmend_dataset_drift_share"),
        "{metrics}"
    );
    assert!(
        !metrics.contains("driftmend_last_success_timestamp_seconds"),
        "{metrics}"
    );
    let o = s.run_expecting(1, &["--dry-run"], 1);
    let out = stdout(&o);
    assert!(
        out.contains("drift                    FIRED (2/2 consecutive runs)"),
        "{out}"
    );
    assert!(
        out.contains("retrain          rule `drift`: would run"),
        "{out}"
    );
    assert!(!s.state_path().exists(), "the real state is never written");
    assert!(s.calls("retrain").is_empty());
    let shadow: Value =
        serde_json::from_slice(&fs::read(s.shadow_path("state.json")).unwrap()).unwrap();
    assert_eq!(
        shadow["runs"].as_array().map(Vec::len),
        Some(2),
        "{shadow:#}"
    );

    // The real policy starts its own streak: the dry runs did not count.
    let o = s.run_expecting(2, &["--prometheus-textfile", "m.prom"], 0);
    assert!(
        stdout(&o).contains("drift                    holds (1/2 consecutive runs; not yet)"),
        "{}",
        stdout(&o)
    );
    let metrics = fs::read_to_string(s.path().join("m.prom")).unwrap();
    assert!(
        metrics.contains("driftmend_last_success_timestamp_seconds"),
        "{metrics}"
    );
}

#[test]
fn dry_run_changes_nothing_and_prints_the_exact_command() {
    let s = Sandbox::new();
    s.hook("retrain");
    s.hook("notify");
    s.policy(
        DRIFTED,
        &format!(
            "guardrails: {{mode: auto}}
rules:
  - {{name: drift, when: dataset.drift_detected, actions: [retrain]}}
{RETRAIN_AND_NOTIFY}"
        ),
    );
    // On a fresh state dir: no real state file is written, only the
    // shadow state of dry runs.
    let o = s.run_expecting(0, &["--dry-run"], 1);
    let out = stdout(&o);
    assert!(
        out.contains("(dry run: nothing runs; shadow state)"),
        "{out}"
    );
    assert!(
        out.contains("retrain          rule `drift`: would run"),
        "{out}"
    );
    let run_id = out.split_whitespace().next().unwrap().to_string();
    assert!(run_id.starts_with("run-20261122T000000Z-"), "{out}");
    assert!(
        out.contains(&format!("$ ./retrain.sh --reason drift --run {run_id}\n")),
        "{out}"
    );
    assert!(!s.state_path().exists());
    assert!(
        !s.audit_path().exists(),
        "the real audit log is not touched"
    );
    assert!(s.shadow_path("state.json").exists());
    assert!(s.calls("retrain").is_empty());
    // The dry run is audited as one, in the shadow log.
    let records = s.shadow_audit();
    assert!(!records.is_empty());
    assert!(records.iter().all(|r| r["dry_run"] == true), "{records:#?}");

    // After a real run, a dry run leaves state.json byte for byte.
    s.run_expecting(1, &[], 1);
    assert_eq!(s.calls("retrain").len(), 1);
    let before = fs::read(s.state_path()).unwrap();
    let o = s.run_expecting(2, &["--dry-run", "--format", "json"], 1);
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["dry_run"], true);
    assert_eq!(doc["decisions"][0]["verdict"], "run");
    assert_eq!(doc["decisions"][0]["request"]["argv"][4], doc["run_id"]);
    assert_eq!(doc["decisions"][0]["outcome"], Value::Null);
    assert_eq!(doc["exit_code"], 1);
    assert_eq!(fs::read(s.state_path()).unwrap(), before);
    assert_eq!(s.calls("retrain").len(), 1);

    // `--no-audit` appends nothing either, to either log.
    let audit_before = fs::read(s.audit_path()).unwrap();
    let shadow_before = fs::read(s.shadow_path("audit.jsonl")).unwrap();
    s.run_expecting(3, &["--dry-run", "--no-audit"], 1);
    assert_eq!(fs::read(s.audit_path()).unwrap(), audit_before);
    assert_eq!(
        fs::read(s.shadow_path("audit.jsonl")).unwrap(),
        shadow_before
    );
    assert_eq!(fs::read(s.state_path()).unwrap(), before);
    assert_eq!(s.calls("retrain").len(), 1);
    // ... and is only accepted with `--dry-run`.
    let o = s.run(4, &["--no-audit"]);
    assert_eq!(code(&o), 2);
    assert_eq!(
        stderr(&o),
        "error: the following required arguments were not provided:
  --dry-run

Usage: driftmend run --policy <FILE> --dry-run --now <RFC3339> --no-audit

For more information, try '--help'.
"
    );
    assert_eq!(fs::read(s.audit_path()).unwrap(), audit_before);
}

#[test]
fn secrets_reach_the_hook_but_never_the_output_state_or_audit_log() {
    const TOKEN: &str = "tok-8f3a91c2e7b4";
    let s = Sandbox::new();
    s.hook("hook");
    s.policy(
        DRIFTED,
        "guardrails: {mode: auto}
rules:
  - {name: drift, when: dataset.drift_detected, actions: [send, held]}
actions:
  send:
    type: exec
    command: [\"./hook.sh\", \"{{ env.MY_TOKEN }}\"]
  held:
    type: exec
    require_approval: true
    command: [\"./hook.sh\", \"held\", \"--token={{ env.MY_TOKEN }}\"]
",
    );
    let with_token = |args: &[&str]| {
        let o = s
            .command(args)
            .env("MY_TOKEN", TOKEN)
            .output()
            .expect("run driftmend");
        for (what, text) in [("stdout", stdout(&o)), ("stderr", stderr(&o))] {
            assert!(!text.contains(TOKEN), "{args:?} {what}: {text}");
        }
        o
    };
    let no_leak = |what: &str| {
        for path in [s.state_path(), s.audit_path()] {
            if let Ok(text) = fs::read_to_string(&path) {
                assert!(!text.contains(TOKEN), "{what}: {}: {text}", path.display());
            }
        }
    };

    let now = at(0);
    let o = with_token(&["run", "--policy", "policy.yaml", "--now", &now]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stdout(&o).contains("$ ./hook.sh ***\n"), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("$ ./hook.sh held --token=***\n"),
        "{}",
        stdout(&o)
    );
    // The hook got the real value (and echoed it: the captured output is
    // scrubbed).
    assert_eq!(s.calls("hook"), [TOKEN]);
    no_leak("after the run");
    let sent = &s.audit_of("action", 0)[0];
    assert_eq!(
        sent["request"]["argv"],
        serde_json::json!(["./hook.sh", "***"])
    );
    assert_eq!(
        sent["outcome"]["detail"]["stdout_tail"],
        "hook stdout: ***\n"
    );
    assert_eq!(
        sent["outcome"]["detail"]["stderr_tail"],
        "hook stderr: ***\n"
    );
    // The queued request is stored redacted; the secret is read again on
    // approval.
    let st = s.state();
    assert_eq!(
        st["pending"][0]["request"]["argv"],
        serde_json::json!(["./hook.sh", "held", "--token=***"])
    );

    let now = at(1);
    let o = with_token(&["run", "--policy", "policy.yaml", "--now", &now, "--dry-run"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stdout(&o).contains("$ ./hook.sh ***\n"), "{}", stdout(&o));
    assert_eq!(s.calls("hook").len(), 1);
    no_leak("after the dry run");

    let o = with_token(&["approve", "t-1", "--policy", "policy.yaml", "--now", &now]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        s.calls("hook"),
        [TOKEN.to_string(), format!("held --token={TOKEN}")]
    );
    no_leak("after the approval");
    let approval = s.audit().pop().unwrap();
    assert_eq!(approval["result"], "approved");
    assert_eq!(approval["request"]["argv"][2], "--token=***");

    let o = with_token(&["audit", "--policy", "policy.yaml", "--format", "json"]);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).contains("***"));
}

/// Waits until hook `name` has written its pid (it is then sleeping).
fn wait_for_pid(s: &Sandbox, name: &str, child: &mut Child) -> i32 {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(text) = fs::read_to_string(s.path().join(format!("{name}.pid"))) {
            if let Ok(pid) = text.trim().parse() {
                return pid;
            }
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("driftmend ended before the hook started: {status}");
        }
        assert!(Instant::now() < deadline, "the hook never started");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn spawn_run(s: &Sandbox, hour: i64) -> Child {
    let now = at(hour);
    s.command(&["run", "--policy", "policy.yaml", "--now", &now])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start driftmend")
}

#[test]
fn a_second_run_gives_up_on_the_lock_or_waits_for_it() {
    let s = Sandbox::new();
    s.hook("retrain");
    s.policy(
        DRIFTED,
        "guardrails: {mode: auto}
rules:
  - {name: drift, when: dataset.drift_detected, actions: [retrain]}
actions:
  retrain: {type: exec, command: [./retrain.sh]}
",
    );
    s.set("retrain.gate", "");
    let mut first = spawn_run(&s, 0);
    wait_for_pid(&s, "retrain", &mut first);

    let o = s.run(0, &["--lock-timeout", "0s"]);
    assert_eq!(code(&o), 4, "{}", stderr(&o));
    // The whole message; only the holder's start (the wall clock) varies.
    let err = stderr(&o);
    let started = err
        .strip_prefix(&format!(
            "error: another driftmend run (pid {}, started ",
            first.id()
        ))
        .and_then(|rest| {
            rest.strip_suffix(
                ") holds the lock on `./.driftmend/lock`\n\
                 hint: runs of one policy never overlap; wait for it, or pass \
                 `--lock-timeout 5m` to wait\n",
            )
        })
        .unwrap_or_else(|| panic!("{err}"));
    assert!(
        chrono::DateTime::parse_from_rfc3339(started).is_ok(),
        "{err}"
    );
    assert_eq!(s.calls("retrain").len(), 1);

    // With a timeout it waits for as long as the first run holds the lock...
    let mut second = s
        .command(&[
            "run",
            "--policy",
            "policy.yaml",
            "--now",
            &at(1),
            "--lock-timeout",
            "20s",
            "--exit-zero-when-handled",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(1));
    assert!(second.try_wait().unwrap().is_none(), "did not wait");
    assert_eq!(s.calls("retrain").len(), 1);
    // ... and goes ahead once it is released.
    fs::remove_file(s.path().join("retrain.gate")).unwrap();
    let first = first.wait_with_output().unwrap();
    assert_eq!(code(&first), 1, "{}", stderr(&first));
    let second = second.wait_with_output().unwrap();
    assert_eq!(code(&second), 0, "{}", stderr(&second));
    assert_eq!(s.calls("retrain").len(), 2);
    let runs = &s.state()["runs"];
    assert_eq!(
        (runs[0]["at"].as_str(), runs[1]["at"].as_str()),
        (Some(at(0).as_str()), Some(at(1).as_str()))
    );
}

#[test]
fn a_run_killed_mid_action_leaves_a_loadable_state_and_a_sound_audit_log() {
    let s = Sandbox::new();
    s.hook("retrain");
    s.policy(
        DRIFTED,
        "guardrails: {mode: auto}
rules:
  - {name: drift, when: dataset.drift_detected, actions: [retrain]}
actions:
  retrain: {type: exec, command: [./retrain.sh]}
",
    );
    s.run_expecting(0, &[], 1);

    s.set("retrain.gate", "");
    let mut child = spawn_run(&s, 1);
    let hook = wait_for_pid(&s, "retrain", &mut child);
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    // The hook leads its own process group, which outlives driftmend.
    // SAFETY: kill(2) with a negative pid signals that process group.
    unsafe { libc::kill(-hook, libc::SIGKILL) };
    fs::remove_file(s.path().join("retrain.gate")).unwrap();

    // state.json is whole, and holds the start saved before the action ran.
    let after: Value = serde_json::from_slice(&fs::read(s.state_path()).unwrap()).unwrap();
    assert_eq!(
        after["actions"]["retrain"]["in_flight"]["since"],
        at(1).as_str()
    );
    let leftovers: Vec<String> = fs::read_dir(s.path().join(".driftmend"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let v = s.driftmend(&["audit", "verify", "--policy", "policy.yaml"]);
    assert_eq!(code(&v), 0, "{}", stderr(&v));
    let p = s.driftmend(&["pending", "--policy", "policy.yaml"]);
    assert_eq!(code(&p), 0, "{}", stderr(&p));
    // The lock died with the process: the next run goes ahead.
    s.run_expecting(2, &[], 1);
    assert_eq!(s.state()["runs"].as_array().unwrap().len(), 2);
    let v = s.driftmend(&["audit", "verify", "--policy", "policy.yaml"]);
    assert_eq!(code(&v), 0, "{}", stderr(&v));
}

/// A sandbox after two auto-mode runs on drifted data that each retrained.
fn two_runs_that_retrain() -> Sandbox {
    let s = Sandbox::new();
    s.hook("retrain");
    s.policy(
        DRIFTED,
        "guardrails: {mode: auto}
rules:
  - {name: drift, when: dataset.drift_detected, actions: [retrain]}
actions:
  retrain: {type: exec, command: [./retrain.sh]}
",
    );
    s.run_expecting(0, &[], 1);
    s.run_expecting(1, &[], 1);
    s
}

#[test]
fn audit_verify_finds_a_tampered_line() {
    let s = two_runs_that_retrain();
    let verify = || s.driftmend(&["audit", "verify", "--policy", "policy.yaml"]);
    let o = verify();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let lines = fs::read_to_string(s.audit_path()).unwrap().lines().count();
    assert!(lines >= 6, "{lines}");
    assert_eq!(
        stdout(&o),
        format!("`./.driftmend/audit.jsonl`: {lines} records, hash chain intact\n")
    );

    // Change one byte of line 6, the second run's rule record (the first
    // run wrote `run`, `rule`, `start`, `action`; the second `run` first):
    // `"consecutive":2` -> `"consecutive":7`.
    let mut text = fs::read_to_string(s.audit_path()).unwrap();
    let start: usize = text.lines().take(5).map(|l| l.len() + 1).sum();
    let line = text.lines().nth(5).unwrap().to_string();
    let at_digit = line.find("\"consecutive\":").expect("a rule record") + "\"consecutive\":".len();
    text.replace_range(start + at_digit..start + at_digit + 1, "7");
    fs::write(s.audit_path(), &text).unwrap();
    let o = verify();
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    assert_eq!(
        stderr(&o),
        "error: `./.driftmend/audit.jsonl` line 6: hash does not match its content (edited?)\n"
    );
}

#[test]
fn a_run_without_its_data_is_audited_and_exits_2() {
    let s = two_runs_that_retrain();
    let o = s.driftmend(&[
        "run",
        "--policy",
        "policy.yaml",
        "--current",
        "missing/*.parquet",
        "--now",
        "2026-11-22T05:00:00Z",
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        "error: cannot load the current dataset (`--current`)
  caused by: no `.parquet`, `.pq`, `.csv` or `.csv.gz` files match `missing/*.parquet`
hint: check the path; quote globs (`'data/*.parquet'`) so the shell does not expand them
"
    );
    let last = fs::read_to_string(s.audit_path()).unwrap();
    let last: serde_json::Value = serde_json::from_str(last.lines().last().unwrap()).unwrap();
    assert_eq!(last["kind"], "run");
    assert_eq!(
        last["error"],
        "cannot load the current dataset (`--current`): no `.parquet`, `.pq`, `.csv` or \
         `.csv.gz` files match `missing/*.parquet`"
    );
    let o = s.driftmend(&["audit", "verify", "--policy", "policy.yaml"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn cutting_records_off_the_audit_log_is_detected() {
    let s = two_runs_that_retrain();
    // Drop the last two records: the chain that is left is still valid.
    let text = fs::read_to_string(s.audit_path()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let kept = lines[..lines.len() - 2].join("\n") + "\n";
    fs::write(s.audit_path(), kept).unwrap();
    let o = s.driftmend(&["audit", "verify", "--policy", "policy.yaml"]);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    // The whole message; only the hash varies (it covers the actions'
    // durations).
    let err = stderr(&o);
    let hash = err
        .strip_prefix(
            "error: `./.driftmend/audit.jsonl` ends at record 6, but the state saw record 8 (hash ",
        )
        .and_then(|rest| rest.strip_suffix("): records were removed from its end\n"))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(
        hash.len() == 12 && hash.bytes().all(|b| b.is_ascii_hexdigit()),
        "{err}"
    );
    let o = s.driftmend(&[
        "run",
        "--policy",
        "policy.yaml",
        "--now",
        "2026-11-22T05:00:00Z",
    ]);
    assert_eq!(
        code(&o),
        2,
        "a run refuses to append to a cut log: {}",
        stderr(&o)
    );
}

/// Writes `bad.yaml` and returns `policy validate`'s stderr, asserting exit 2.
fn invalid(s: &Sandbox, text: &str) -> String {
    fs::write(s.path().join("bad.yaml"), text).unwrap();
    let o = s.driftmend(&["policy", "validate", "bad.yaml"]);
    assert_eq!(
        code(&o),
        2,
        "stdout: {}\nstderr: {}",
        stdout(&o),
        stderr(&o)
    );
    assert_eq!(stdout(&o), "");
    stderr(&o)
}

#[test]
fn bad_policies_exit_2_naming_file_line_column_and_field() {
    let s = Sandbox::new();
    let head = format!(
        "version: 1\nname: m\ndata: {{reference: {FIXTURES}/reference.parquet, current: {FIXTURES}/{DRIFTED}}}\n"
    );
    let tail = "rules:\n  - name: r\n    when: \"quality.errors > 0\"\n    actions: [notify]\nactions:\n  notify: {type: exec, command: [./notify.sh]}\n";
    let nested = format!(
        "version: 1\nname: {}1{}\n",
        "{a: ".repeat(10_000),
        "}".repeat(10_000)
    );
    // The nesting error still has a position and a field path: the 32nd
    // `{a: ` opens at column 7 + 31 * 4.
    let deepest = format!(
        "bad.yaml:2:{}: `name{}`: nested deeper than 32 levels; a policy never needs that",
        7 + 31 * 4,
        ".a".repeat(31)
    );
    // (what, policy, the one problem line `validate` prints)
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "YAML syntax error",
            "version: 1\nname: x: y\n".into(),
            "bad.yaml:2:8: invalid YAML: mapping values are not allowed in this context",
        ),
        (
            "unknown key",
            format!("{head}guardrails:\n  cooldwn: 6h\n{tail}"),
            "bad.yaml:5:3: `guardrails.cooldwn`: unknown key `cooldwn` (did you mean `cooldown`?)",
        ),
        (
            "wrong type",
            format!("{head}{tail}").replace("    actions: [notify]", "    for: three\n    actions: [notify]"),
            "bad.yaml:7:10: `rules[0].for`: expected a whole number, found a string `three`",
        ),
        (
            "bad duration",
            format!("{head}guardrails: {{cooldown: 6x}}\n{tail}"),
            "bad.yaml:4:24: `guardrails.cooldown`: `6x` is not a duration: unknown unit `x`, expected s, m, h, d or w (lowercase), e.g. `6h` or `1h30m`",
        ),
        (
            "undefined action",
            format!("{head}{tail}").replace("[notify]", "[notify, retrian]"),
            "bad.yaml:7:23: `rules[0].actions[1]`: action `retrian` is not defined under `actions:`",
        ),
        (
            "unknown metric path",
            format!("{head}{tail}").replace("quality.errors > 0", "dataset.drift_shar > 0.3"),
            "bad.yaml:6:12: `rules[0].when`: unknown field `drift_shar` in `dataset.drift_shar`; expected one of: drift_share, drift_detected, drifted_columns, total_columns",
        ),
        (
            "unknown column",
            format!("{head}{tail}").replace("quality.errors > 0", "column.incme.score > 0.3"),
            "bad.yaml:6:11: `rules[0].when`: unknown column `incme` in `column.incme.score` (did you mean `income`?)",
        ),
        (
            "duplicate rule names",
            format!("{head}{tail}").replace(
                "actions:\n  notify",
                "  - name: r\n    when: \"quality.errors > 1\"\n    actions: [notify]\nactions:\n  notify",
            ),
            "bad.yaml:8:11: `rules[1].name`: duplicate rule name `r`; the first is on line 5",
        ),
        (
            "10,000 levels of nesting",
            nested,
            &deepest,
        ),
    ];
    let mut failures = Vec::new();
    for (what, text, expected) in &cases {
        let err = invalid(&s, text);
        let whole = format!("error: `bad.yaml` has 1 problem\n  {expected}\n");
        if err != whole {
            failures.push(format!("{what}: expected\n{whole}got\n{err}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));

    // `run` refuses a bad policy the same way, before doing anything.
    for (_, text, expected) in &cases[1..3] {
        fs::write(s.path().join("bad.yaml"), text).unwrap();
        let o = s.driftmend(&["run", "--policy", "bad.yaml", "--now", &at(0)]);
        assert_eq!(code(&o), 2, "{}", stderr(&o));
        assert_eq!(
            stderr(&o),
            format!("error: `bad.yaml` has 1 problem\n  {expected}\n")
        );
        assert_eq!(stdout(&o), "");
    }
    assert!(!s.path().join(".driftmend").exists());
}

#[test]
fn a_number_compared_with_a_string_fails_validation() {
    // Issue 16, defect 10: this passed `policy validate`, and every run
    // then reported healthy, the rule never holding.
    let s = Sandbox::new();
    let text = format!(
        "version: 1
name: m
data: {{reference: {FIXTURES}/reference.parquet, current: {FIXTURES}/{DRIFTED}}}
rules:
  - name: drift
    when: \"dataset.drift_share >= 'high'\"
    actions: [notify]
  - name: quality
    when: quality.errors and not incident.type
    actions: [notify]
actions:
  notify: {{type: exec, command: [./notify.sh]}}
"
    );
    insta::assert_snapshot!("type_errors_in_when", invalid(&s, &text));
}

/// The example policy of the issue (`fixtures/policies/issue-example.yaml`,
/// verbatim), its data paths pointed at the fixtures.
fn issue_example() -> String {
    include_str!("../../fixtures/policies/issue-example.yaml")
        .replace(
            "data/reference.parquet",
            &format!("{FIXTURES}/reference.parquet"),
        )
        .replace(
            "\"data/dt={{ date(-1d) }}/*.parquet\"",
            &format!("{FIXTURES}/current_drifted.parquet"),
        )
}

#[test]
fn shipped_policies_and_the_issue_example_validate() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/policies");
    let s = Sandbox::new();
    for (name, summary) in [
        (
            "observe",
            "policy `fraud-model-observe`, 3 rules, 1 action, mode observe",
        ),
        (
            "retrain-on-drift",
            "policy `fraud-model`, 2 rules, 2 actions, mode auto",
        ),
        (
            "rollback-on-performance",
            "policy `fraud-model-rollback`, 2 rules, 2 actions, mode auto",
        ),
        (
            "remediate-mlflow",
            "policy `fraud-model-remediate`, 1 rule, 4 actions, mode auto",
        ),
        (
            "retrain-orchestrators",
            "policy `fraud-model-orchestrators`, 1 rule, 8 actions, mode approve",
        ),
    ] {
        let file = format!("{dir}/{name}.yaml");
        let o = s.driftmend(&["policy", "validate", &file]);
        assert_eq!(code(&o), 0, "{name}: {}", stderr(&o));
        assert_eq!(
            stdout(&o),
            format!("`{file}` is valid: {summary}; column names checked against the reference (13 columns)\n")
        );
    }

    // The label-free variant runs on the CBPE fixture (7 columns).
    let file = format!("{dir}/rollback-on-estimated-performance.yaml");
    let o = s.driftmend(&["policy", "validate", &file]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        format!("`{file}` is valid: policy `model-rollback-without-labels`, 2 rules, 2 actions, mode auto; column names checked against the reference (7 columns)\n")
    );

    fs::write(s.path().join("example.yaml"), issue_example()).unwrap();
    let o = s.driftmend(&["policy", "validate", "example.yaml"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "`example.yaml` is valid: policy `fraud-model`, 2 rules, 2 actions, mode auto; column names checked against the reference (13 columns)\n"
    );
    // And it runs: the first drifted run only starts the `for: 2` count.
    let o = s.driftmend(&[
        "run",
        "--policy",
        "example.yaml",
        "--now",
        "2026-11-23T03:00:00Z",
        "--dry-run",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).contains("holds (1/2 consecutive runs; not yet)"),
        "{}",
        stdout(&o)
    );
}

/// Issue 5's configuration shape, its keys as written: valid, and a dry run
/// shows every request without sending one.
#[test]
fn the_issue_action_shape_validates_and_dry_runs() {
    let s = Sandbox::new();
    let text = include_str!("../../fixtures/policies/issue5-actions.yaml")
        .replace(
            "data/reference.parquet",
            &format!("{FIXTURES}/reference.parquet"),
        )
        .replace("data/current.parquet", &format!("{FIXTURES}/{DRIFTED}"));
    fs::write(s.path().join("policy.yaml"), text).unwrap();
    let o = s.driftmend(&["policy", "validate", "policy.yaml"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = s
        .command(&[
            "run",
            "--policy",
            "policy.yaml",
            "--now",
            &at(0),
            "--dry-run",
        ])
        .env("GITHUB_TOKEN", "ghp_issueSECRET")
        .env("PD_ROUTING_KEY", "pdISSUEsecret")
        .output()
        .unwrap();
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let out = stdout(&o);
    for want in [
        "POST https://api.github.com/repos/acme/fraud-model/actions/workflows/retrain.yml/dispatches",
        "Authorization: Bearer ***",
        "\"return_run_details\":true",
        "POST https://events.pagerduty.com/v2/enqueue",
        "\"routing_key\":\"***\"",
        "MLflow at http://127.0.0.1:5000 (authorization: none)",
        "POST runs/create",
    ] {
        assert!(out.contains(want), "`{want}` missing:\n{out}");
    }
    assert!(!out.contains("ghp_issueSECRET") && !out.contains("pdISSUEsecret"));
}

#[path = "actions.rs"]
mod actions;

#[path = "crash.rs"]
mod crash;

/// A reader that went away (`driftmend ... | head`): every command exits
/// quietly with 0, whatever it was writing, and what it did stays done.
#[test]
fn every_command_exits_quietly_when_stdout_is_a_closed_pipe() {
    use std::os::fd::{FromRawFd, OwnedFd};
    /// Runs with stdout a pipe whose reading end is already closed.
    fn closed_stdout(mut c: Command) -> Output {
        let mut fds = [0; 2];
        // SAFETY: pipe(2) fills `fds` with two new descriptors we own.
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        // SAFETY: both descriptors are new and owned here only.
        let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        drop(read);
        c.stdout(Stdio::from(write))
            .stderr(Stdio::piped())
            .output()
            .unwrap()
    }
    let s = Sandbox::new();
    s.hook("retrain");
    s.hook("notify");
    s.policy(
        DRIFTED,
        &format!(
            "guardrails: {{mode: approve}}
rules:
  - {{name: drift, when: dataset.drift_detected, actions: [retrain]}}
{RETRAIN_AND_NOTIFY}"
        ),
    );
    let now = at(0);
    let with_policy = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend_from_slice(&["--policy", "policy.yaml", "--now", &now]);
        s.command(&all)
    };
    let reference = format!("{FIXTURES}/reference.parquet");
    let cases: Vec<(&str, Command)> = vec![
        ("run", with_policy(&["run"])),
        ("pending", with_policy(&["pending"])),
        ("approve", with_policy(&["approve", "t-1"])),
        ("audit", with_policy(&["audit"])),
        ("audit verify", with_policy(&["audit", "verify"])),
        (
            "policy explain",
            s.command(&["policy", "explain", "policy.yaml"]),
        ),
        (
            "policy validate",
            s.command(&["policy", "validate", "policy.yaml"]),
        ),
        (
            "promote --dry-run",
            s.command(&[
                "promote",
                "--tracking-uri",
                "http://127.0.0.1:9",
                "--model",
                "m",
                "--candidate",
                "2",
                "--no-check",
                "--dry-run",
            ]),
        ),
        (
            "report",
            s.command(&["report", "--reference", &reference, "--current", &reference]),
        ),
        ("completions", s.command(&["completions", "bash"])),
    ];
    for (name, command) in cases {
        let o = closed_stdout(command);
        assert_eq!(
            (code(&o), stderr(&o).as_str()),
            (0, ""),
            "`{name}` on a closed pipe"
        );
    }
    // What approve did is done: the action ran and the queue is empty.
    assert_eq!(s.calls("retrain").len(), 1);
    assert_eq!(s.state()["pending"], serde_json::json!([]));
}

/// A `data:` path rendered from `{{ env.X }}` is masked wherever it is
/// recorded: the audit log, the report files, and the error when the data
/// is missing.
#[test]
fn an_env_value_in_a_data_path_never_reaches_the_audit_log_or_the_reports() {
    let s = Sandbox::new();
    let text = format!(
        "version: 1
name: t
data:
  reference: {FIXTURES}/reference.parquet
  current: \"{{{{ env.DRIFT_DATA_DIR }}}}/{DRIFTED}\"
report:
  exclude: [id]
guardrails: {{mode: observe}}
rules:
  - {{name: drift, when: dataset.drift_detected, actions: [notify]}}
actions:
  notify: {{type: exec, command: [./notify.sh]}}
"
    );
    fs::write(s.path().join("policy.yaml"), text).unwrap();
    let secret_dir = s.path().join("s3cret-bucket-path");
    fs::create_dir(&secret_dir).unwrap();
    fs::copy(format!("{FIXTURES}/{DRIFTED}"), secret_dir.join(DRIFTED)).unwrap();
    let run = |dir: &Path, hour: i64| {
        s.command(&[
            "run",
            "--policy",
            "policy.yaml",
            "--now",
            &at(hour),
            "--report-output",
            "report.json",
        ])
        .env("DRIFT_DATA_DIR", dir)
        .output()
        .unwrap()
    };
    let o = run(&secret_dir, 0);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let secret = secret_dir.display().to_string();
    let audit = fs::read_to_string(s.audit_path()).unwrap();
    let report = fs::read_to_string(s.path().join("report.json")).unwrap();
    for (what, text) in [("audit log", &audit), ("report", &report)] {
        assert!(!text.contains("s3cret-bucket-path"), "{what}: {text}");
    }
    assert_eq!(
        s.audit_of("run", 0)[0]["current"],
        format!("***/{DRIFTED}").as_str()
    );

    // Missing data: the error and its audit record are masked too.
    let gone = s.path().join("s3cret-missing-dir");
    let o = run(&gone, 1);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(!stderr(&o).contains("s3cret-missing-dir"), "{}", stderr(&o));
    let error = s.audit_of("run", 1)[0]["error"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(error.contains(&format!("***/{DRIFTED}")), "{error}");
    assert!(!fs::read_to_string(s.audit_path())
        .unwrap()
        .contains(&secret));
}

/// The chain alone can't show a last record rewritten with a recomputed
/// hash; the head the state remembers can (issue 16, defect 3).
#[test]
fn a_last_record_rewritten_with_a_recomputed_hash_is_detected() {
    use sha2::{Digest, Sha256};
    let s = two_runs_that_retrain();
    let text = fs::read_to_string(s.audit_path()).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let last = lines.pop().unwrap();
    // As the format documents: drop `,"hash":"<64 hex>"}`, add `}`, hash.
    let body = last[..last.len() - 75].replace("\"succeeded\"", "\"failed\"");
    assert_ne!(
        body,
        last[..last.len() - 75],
        "the last record is an outcome"
    );
    let hash = Sha256::digest(format!("{body}}}").as_bytes());
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    lines.push(format!("{body},\"hash\":\"{hex}\"}}"));
    fs::write(s.audit_path(), lines.join("\n") + "\n").unwrap();

    let o = s.driftmend(&["audit", "verify", "--policy", "policy.yaml"]);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    let seq = lines.len();
    let err = stderr(&o);
    // Hashes depend on the temp dir; the rest is pinned.
    let shape = |text: &str| {
        let mut out = String::new();
        for (i, part) in text.split("hash ").enumerate() {
            if i > 0 {
                out.push_str("hash [12 hex]");
                out.push_str(&part[12..]);
            } else {
                out.push_str(part);
            }
        }
        out
    };
    assert_eq!(
        shape(&err),
        format!("error: `./.driftmend/audit.jsonl` does not hold the record the state saw last (record {seq}, hash [12 hex]): record {seq} has hash [12 hex] (rewritten since?)\n")
    );
    let o = s.run(5, &[]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert_eq!(stderr(&o), err);
}

/// `run` writes its report files last, after acting: an output in a
/// directory that does not exist stops it before anything is decided.
#[test]
fn a_run_output_in_a_missing_directory_fails_before_acting() {
    let s = Sandbox::new();
    s.hook("retrain");
    s.policy(
        DRIFTED,
        "guardrails: {mode: auto}
rules:
  - {name: drift, when: dataset.drift_detected, actions: [retrain]}
actions:
  retrain: {type: exec, command: [./retrain.sh]}
",
    );
    // The old spellings `--html` and `--report-output` still work; errors
    // name the flags as `--help` does.
    for (flag, named) in [
        ("--html", "--output-html"),
        ("--output-html", "--output-html"),
        ("--report-output", "--output-json"),
        ("--output-json", "--output-json"),
        ("--prometheus-textfile", "--prometheus-textfile"),
    ] {
        let o = s.run(0, &[flag, "missing/out"]);
        assert_eq!(
            (code(&o), stderr(&o)),
            (
                2,
                format!("error: invalid value for `{named}`: the directory `missing` of `missing/out` does not exist\n")
            )
        );
    }
    assert!(s.calls("retrain").is_empty());
    assert!(!s.state_path().exists());
}

/// A rule that names a column the data does not have says so (in the
/// summary, on stderr and in the audit log) instead of never holding in
/// silence.
#[test]
fn a_rule_with_a_column_typo_is_reported_not_silently_false() {
    let s = Sandbox::new();
    s.hook("notify");
    s.policy(
        DRIFTED,
        "guardrails: {mode: auto}
rules:
  - {name: income-drift, when: column.incme.drift_detected, actions: [notify]}
actions:
  notify: {type: exec, command: [./notify.sh]}
",
    );
    let o = s.run_expecting(0, &[], 0);
    let problem =
        "unknown column `incme` in `column.incme.drift_detected` (did you mean `income`?)";
    assert_eq!(
        stderr(&o),
        format!(
            "warning: rule `income-drift` could not be evaluated, so it does not hold: {problem}\n"
        )
    );
    assert!(
        stdout(&o).contains(&format!("  income-drift             error: {problem}\n")),
        "{}",
        stdout(&o)
    );
    assert_eq!(s.audit_of("rule", 0)[0]["error"], problem);
    assert!(s.calls("notify").is_empty());
}

/// A data error names where the path came from: the policy's `data:` key,
/// not a flag the user never typed.
#[test]
fn a_missing_policy_data_path_is_named_as_the_policys() {
    let s = Sandbox::new();
    s.policy(
        "nope/*.parquet",
        "rules:
  - {name: drift, when: dataset.drift_detected, actions: [notify]}
actions:
  notify: {type: exec, command: [./notify.sh]}
",
    );
    let o = s.run(0, &[]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let first = stderr(&o).lines().next().unwrap_or_default().to_string();
    assert_eq!(
        first,
        "error: cannot load the current dataset (`data.current` in `policy.yaml`)"
    );
}

fn read_audit(path: &std::path::Path) -> Vec<Value> {
    fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("audit line is JSON"))
        .collect()
}
