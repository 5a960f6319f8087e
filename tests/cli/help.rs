//! `--help` of every command, whole: the interface a user reads, exit codes
//! included.

use super::harness::TestContext;

#[test]
fn help_of_every_command() {
    let ctx = TestContext::new();
    for (name, args) in [
        ("top_level", &["--help"][..]),
        ("report", &["report", "--help"]),
        ("run", &["run", "--help"]),
        ("policy", &["policy", "--help"]),
        ("policy_validate", &["policy", "validate", "--help"]),
        ("policy_explain", &["policy", "explain", "--help"]),
        ("pending", &["pending", "--help"]),
        ("approve", &["approve", "--help"]),
        ("reject", &["reject", "--help"]),
        ("ack", &["ack", "--help"]),
        ("audit", &["audit", "--help"]),
        ("audit_verify", &["audit", "verify", "--help"]),
        ("promote", &["promote", "--help"]),
        ("completions", &["completions", "--help"]),
        ("man", &["man", "--help"]),
    ] {
        driftmend_snapshot!(name, ctx.command(args));
    }
}

#[test]
fn version() {
    let ctx = TestContext::new();
    driftmend_snapshot!("version", ctx.command(&["--version"]));
    driftmend_snapshot!("report_version", ctx.command(&["report", "--version"]));
}

#[test]
fn no_command_shows_usage_and_exits_2() {
    let ctx = TestContext::new();
    driftmend_snapshot!("no_command", ctx.command(&[]));
    driftmend_snapshot!("unknown_command", ctx.command(&["reprot"]));
}
