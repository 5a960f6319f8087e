//! Crash safety: a run killed (SIGKILL, as an OOM kill or a node restart
//! would) at any point, inside an action included, never makes an action run
//! twice within its cooldown, and the next run always recovers.

use std::fs;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{at, at_minutes, code, spawn_run, stderr, stdout, wait_for_pid, Sandbox, DRIFTED};

const COOLDOWN_POLICY: &str = "guardrails: {mode: auto, cooldown: 6h}
rules:
  - {name: drift, when: dataset.drift_detected, actions: [retrain]}
actions:
  retrain: {type: exec, command: [./retrain.sh]}
";

/// The case: the action is killed while it runs; a run 10 minutes
/// later must not start it again. Its outcome is unknown until a person
/// says what became of it, and even then the cooldown counts from the
/// killed start.
#[test]
fn a_run_killed_inside_an_action_does_not_run_it_again() {
    let s = Sandbox::new();
    s.hook("retrain");
    s.policy(DRIFTED, COOLDOWN_POLICY);
    s.set("retrain.gate", "");
    let mut child = spawn_run(&s, 0);
    let hook = wait_for_pid(&s, "retrain", &mut child);
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    // SAFETY: kill(2) with a negative pid signals the hook's process group.
    unsafe { libc::kill(-hook, libc::SIGKILL) };
    fs::remove_file(s.path().join("retrain.gate")).unwrap();
    assert_eq!(s.calls("retrain").len(), 1);

    let run = |minutes: i64, want: i32| {
        let o = s.driftmend(&[
            "run",
            "--policy",
            "policy.yaml",
            "--now",
            &at_minutes(minutes),
        ]);
        assert_eq!(code(&o), want, "{}{}", stdout(&o), stderr(&o));
        o
    };
    let o = run(10, 1);
    assert_eq!(s.calls("retrain").len(), 1, "ran again after the kill");
    insta::assert_snapshot!("killed_action_settled_stderr", stderr(&o));
    let blocked = stdout(&o);
    assert!(
        blocked.contains("retrain          rule `drift`: BLOCKED: the outcome of the last run of `retrain` (at 2026-11-22T00:00:00Z) is unknown (no answer, or the run was stopped while it ran)"),
        "{blocked}"
    );
    // ... with the commands that settle it, ready to paste.
    assert!(
        blocked.ends_with("\nhint: check what `retrain` did, then `driftmend ack retrain --succeeded --policy policy.yaml` or `driftmend ack retrain --failed --policy policy.yaml`\n"),
        "{blocked}"
    );
    let st = s.state();
    assert_eq!(st["actions"]["retrain"]["last_status"], "unknown");
    assert!(st["actions"]["retrain"].get("in_flight").is_none(), "{st}");
    let interrupted: Vec<Value> = s
        .audit()
        .into_iter()
        .filter(|r| r["kind"] == "interrupted")
        .collect();
    assert_eq!(interrupted.len(), 1, "settled once");
    assert_eq!(
        (
            &interrupted[0]["action"],
            &interrupted[0]["started_at"],
            &interrupted[0]["result"],
            &interrupted[0]["at"]
        ),
        (
            &"retrain".into(),
            &at(0).into(),
            &"unknown".into(),
            &at_minutes(10).into()
        )
    );
    // The start was audited before the action ran, with its request.
    let starts: Vec<Value> = s
        .audit()
        .into_iter()
        .filter(|r| r["kind"] == "start")
        .collect();
    assert_eq!(starts.len(), 1);
    assert_eq!(starts[0]["request"]["argv"][0], "./retrain.sh");

    // A person checks and says it failed: the cooldown still holds.
    let o = s.driftmend(&[
        "ack",
        "retrain",
        "--failed",
        "--policy",
        "policy.yaml",
        "--now",
        &at_minutes(15),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = run(20, 1);
    assert!(stdout(&o).contains("BLOCKED: cooldown"), "{}", stdout(&o));
    assert_eq!(s.calls("retrain").len(), 1);
    // After the cooldown it runs again, once.
    run(7 * 60, 1);
    assert_eq!(s.calls("retrain").len(), 2);
    let v = s.driftmend(&["audit", "verify", "--policy", "policy.yaml"]);
    assert_eq!(code(&v), 0, "{}", stderr(&v));
    // The trail reads as what happened; `by` is the login name.
    let log = s.driftmend(&["audit", "--policy", "policy.yaml"]);
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "unknown".into());
    insta::assert_snapshot!(
        "killed_action_audit_table",
        stdout(&log).replace(&format!("by {user}"), "by [user]")
    );
}

/// Kills a real run at many points, from loading the data to after the
/// action finished (between the state save and the audit append included),
/// and checks after each: the action ran at most once in its cooldown, the
/// next run exits normally, the state loads and the audit chain verifies.
#[test]
fn a_run_killed_at_any_point_never_acts_twice_and_the_next_run_recovers() {
    // How long a whole run takes here, to spread the kill points over it.
    let probe = Sandbox::new();
    probe.slow_hook("retrain", 0.2);
    probe.policy(DRIFTED, COOLDOWN_POLICY);
    let t = Instant::now();
    let o = probe.driftmend(&["run", "--policy", "policy.yaml", "--now", &at(0)]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let whole = t.elapsed();

    let trials = 24u32;
    let mut outcomes = std::collections::BTreeMap::<String, u32>::new();
    for i in 0..trials {
        let s = Sandbox::new();
        s.slow_hook("retrain", 0.2);
        s.policy(DRIFTED, COOLDOWN_POLICY);
        let delay = whole.mul_f64(f64::from(i) / f64::from(trials - 4));
        let mut child = spawn_run(&s, 0);
        std::thread::sleep(delay);
        let _ = child.kill();
        child.wait().unwrap();
        // An orphaned hook finishes on its own: wait for it.
        std::thread::sleep(Duration::from_millis(300));
        let before = s.calls("retrain").len();

        let o = s.driftmend(&["run", "--policy", "policy.yaml", "--now", &at_minutes(10)]);
        assert!(
            matches!(code(&o), 0 | 1),
            "trial {i} (killed after {delay:?}): the next run failed: {}",
            stderr(&o)
        );
        let after = s.calls("retrain").len();
        assert!(
            after <= 1,
            "trial {i} (killed after {delay:?}): retrain ran {after} times in its cooldown"
        );
        // Either the first run started it (the next one knows), or it
        // never did (the next one may).
        assert!(before == after || before == 0, "trial {i}");
        let v = s.driftmend(&["audit", "verify", "--policy", "policy.yaml"]);
        assert_eq!(code(&v), 0, "trial {i}: {}", stderr(&v));
        let st = s.state();
        assert!(
            st["actions"]["retrain"].get("in_flight").is_none(),
            "trial {i}: {st}"
        );
        let status = st["actions"]["retrain"]["last_status"]
            .as_str()
            .unwrap_or("never")
            .to_string();
        *outcomes.entry(status).or_default() += 1;
    }
    // The kill points covered both sides of the start: some runs were
    // killed before it, some inside the action or after.
    assert!(outcomes.len() >= 2, "{outcomes:?}");
}

/// The same, at each named step of a run (debug builds abort there when
/// `DRIFTMEND_CRASH_AT` names it), so the narrow windows are hit every
/// time: between the start's state save and its audit record, between the
/// outcome's audit record and its state save, and so on. For each: what the
/// hook saw, and what the next run (10 minutes later, in the cooldown) did.
#[test]
fn a_run_crashing_at_each_step_never_acts_twice() {
    // (step, retrain calls after the crash, after the next run, the next
    // run's recorded status of retrain)
    let steps = [
        // Nothing started: the next run does it.
        ("after-run-audit", 0, 1, "succeeded"),
        ("before-start-save", 0, 1, "succeeded"),
        // Started (saved), maybe ran: unknown, held for `ack`.
        ("after-start-save", 0, 0, "unknown"),
        ("before-execute", 0, 0, "unknown"),
        ("after-execute", 1, 1, "unknown"),
        ("after-outcome-audit", 1, 1, "unknown"),
        // Outcome saved: the cooldown holds.
        ("after-outcome-save", 1, 1, "succeeded"),
        ("before-final-save", 1, 1, "succeeded"),
        ("after-final-save", 1, 1, "succeeded"),
    ];
    for (step, crashed, next, status) in steps {
        let s = Sandbox::new();
        s.slow_hook("retrain", 0.0);
        s.policy(DRIFTED, COOLDOWN_POLICY);
        let o = s
            .command(&["run", "--policy", "policy.yaml", "--now", &at(0)])
            .env("DRIFTMEND_CRASH_AT", step)
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            None,
            "{step}: did not crash: {}",
            stderr(&o)
        );
        assert_eq!(s.calls("retrain").len(), crashed, "{step}");

        let o = s.driftmend(&["run", "--policy", "policy.yaml", "--now", &at_minutes(10)]);
        assert_eq!(code(&o), 1, "{step}: {}{}", stdout(&o), stderr(&o));
        assert_eq!(s.calls("retrain").len(), next, "{step}");
        let st = s.state();
        assert_eq!(
            st["actions"]["retrain"]["last_status"], status,
            "{step}: {st}"
        );
        assert!(
            st["actions"]["retrain"].get("in_flight").is_none(),
            "{step}"
        );
        let v = s.driftmend(&["audit", "verify", "--policy", "policy.yaml"]);
        assert_eq!(code(&v), 0, "{step}: {}", stderr(&v));
    }
}
