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

/// Every flag of every subcommand's `--help` is documented under `docs/`
/// (the README only links there).
#[test]
fn every_flag_in_help_is_documented_in_docs() {
    let ctx = TestContext::new();
    let root = std::path::Path::new(super::harness::ROOT);
    let mut docs = String::new();
    for entry in std::fs::read_dir(root.join("docs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            docs.push_str(&std::fs::read_to_string(path).unwrap());
        }
    }
    let commands: &[&[&str]] = &[
        &["report"],
        &["run"],
        &["policy", "validate"],
        &["policy", "explain"],
        &["pending"],
        &["approve"],
        &["reject"],
        &["ack"],
        &["promote"],
        &["audit"],
        &["audit", "verify"],
        &["completions"],
        &["man"],
        &["profile"],
        &["merge"],
        &["backtest"],
    ];
    let mut missing = Vec::new();
    for command in commands {
        let mut args = command.to_vec();
        args.push("--help");
        let out = ctx.command(&args).run().output;
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        let help = String::from_utf8(out.stdout).unwrap();
        // Flags as the options list shows them: `  -r, --reference <PATH>`.
        for line in help.lines().map(str::trim_start) {
            if !line.starts_with('-') {
                continue;
            }
            let Some(start) = line.find("--") else {
                continue;
            };
            let flag: String = line[start..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            if matches!(flag.as_str(), "--help" | "--version") || flag.len() < 3 {
                continue;
            }
            let documented = docs.match_indices(&flag).any(|(i, _)| {
                !docs[i + flag.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '-')
            });
            if !documented {
                missing.push(format!("{} {flag}", command.join(" ")));
            }
        }
    }
    assert!(missing.is_empty(), "not in docs/*.md: {missing:?}");
}
