//! `driftmend completions SHELL` and `driftmend man`: generated from the clap
//! definitions, so they can't drift from what the binary accepts. The
//! committed copies under `completions/` are checked by a test
//! (`scripts/update-completions` regenerates them).

use anyhow::{Context, Result};
use clap::Arg;
use clap_mangen::roff::{bold, italic, roman, Inline, Roff};
use clap_mangen::Man;

use crate::exit::{ExitStatus, APPROVE_EXIT_CODES_HELP, EXIT_CODES_HELP, RUN_EXIT_CODES_HELP};

/// Prints the completion script for `shell` on stdout.
pub fn completions(shell: clap_complete::Shell) -> Result<ExitStatus> {
    let mut cmd = crate::usage::command();
    let name = cmd.get_name().to_string();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, name, &mut script);
    print(&script)
}

/// Prints one man page (roff) on stdout: clap_mangen's title, name,
/// synopsis, description and top-level options, then every subcommand with
/// its arguments (instead of clap_mangen's pointers to `driftmend-report(1)`
/// pages that don't exist), then the exit codes.
pub fn man() -> Result<ExitStatus> {
    let cmd = crate::usage::command();
    let man = Man::new(cmd.clone()).title(cmd.get_name().to_uppercase());
    let mut page = Vec::new();
    man.render_title(&mut page)?;
    man.render_name_section(&mut page)?;
    man.render_synopsis_section(&mut page)?;
    man.render_description_section(&mut page)?;
    man.render_options_section(&mut page)?;

    let mut roff = Roff::default();
    roff.control("SH", ["COMMANDS"]);
    let mut built = cmd;
    built.build();
    for sub in built.get_subcommands().filter(|s| is_documented(s)) {
        command_section(&mut roff, sub, built.get_name());
    }
    exit_status_section(&mut roff);
    roff.to_writer(&mut page)?;

    man.render_version_section(&mut page)?;
    print(one_preamble(&String::from_utf8(page)?).as_bytes())
}

/// Each roff fragment opens with the same two-line preamble (it defines the
/// apostrophe string `\*(Aq`); keep one copy, after `.TH`, so the page starts
/// with `.TH` as man pages do.
fn one_preamble(page: &str) -> String {
    const PREAMBLE: &str = ".ie \\n(.g .ds Aq \\(aq\n.el .ds Aq '\n";
    let body = page.replace(PREAMBLE, "");
    match body.split_once('\n') {
        Some((title, rest)) => format!("{title}\n{PREAMBLE}{rest}"),
        None => body,
    }
}

fn print(bytes: &[u8]) -> Result<ExitStatus> {
    crate::printer::stdout(bytes).context("cannot write to stdout")?;
    Ok(ExitStatus::Success)
}

/// `driftmend report`: its about text, usage, arguments and options; then
/// its own subcommands, recursively.
fn command_section(roff: &mut Roff, cmd: &clap::Command, parent: &str) {
    let path = format!("{parent} {}", cmd.get_name());
    roff.control("SS", [path.as_str()]);
    if let Some(about) = cmd.get_long_about().or_else(|| cmd.get_about()) {
        roff.text([roman(about.to_string())]);
    }
    let args: Vec<&Arg> = cmd
        .get_positionals()
        .chain(cmd.get_arguments().filter(|a| !a.is_positional()))
        .filter(|a| !a.is_hide_set() && !matches!(a.get_id().as_str(), "help" | "version"))
        .collect();
    for arg in args {
        roff.control("TP", []);
        roff.text(arg_name(arg));
        let mut help = arg
            .get_long_help()
            .or_else(|| arg.get_help())
            .map(|h| h.to_string())
            .unwrap_or_default();
        for note in arg_notes(arg) {
            if !help.is_empty() {
                help.push(' ');
            }
            help.push_str(&note);
        }
        roff.text([roman(help)]);
    }
    let examples = crate::usage::examples(path.split_once(' ').map_or("", |(_, sub)| sub));
    if !examples.is_empty() {
        roff.control("PP", []);
        roff.text([bold("Examples:")]);
        roff.control("nf", []);
        for (what, command) in examples {
            roff.text([roman(format!("  # {what}"))]);
            roff.text([roman(format!("  {command}"))]);
        }
        roff.control("fi", []);
    }
    for sub in cmd.get_subcommands().filter(|s| is_documented(s)) {
        command_section(roff, sub, &path);
    }
}

/// Visible, and not clap's generated `help` subcommand.
fn is_documented(cmd: &clap::Command) -> bool {
    !cmd.is_hide_set() && cmd.get_name() != "help"
}

/// `-r, --reference <PATH>`, `--dry-run` or `<ID>`.
fn arg_name(arg: &Arg) -> Vec<Inline> {
    let mut name = Vec::new();
    if let Some(short) = arg.get_short() {
        name.push(bold(format!("-{short}")));
        if arg.get_long().is_some() {
            name.push(roman(", "));
        }
    }
    if let Some(long) = arg.get_long() {
        name.push(bold(format!("--{long}")));
    }
    if arg.get_action().takes_values() {
        let value = arg
            .get_value_names()
            .and_then(|names| names.first())
            .map(|n| n.to_string())
            .unwrap_or_else(|| arg.get_id().as_str().to_uppercase());
        if !arg.is_positional() {
            name.push(roman(" "));
        }
        name.push(roman("<"));
        name.push(italic(value));
        name.push(roman(">"));
    }
    name
}

/// `[default: auto]`, `[possible values: ...]`, `[env: ...]`, as in `--help`.
fn arg_notes(arg: &Arg) -> Vec<String> {
    let mut notes = Vec::new();
    if let Some(env) = arg.get_env() {
        notes.push(format!("[env: {}]", env.to_string_lossy()));
    }
    if arg.get_action().takes_values()
        && !arg.is_hide_default_value_set()
        && !arg.get_default_values().is_empty()
    {
        let defaults: Vec<_> = arg
            .get_default_values()
            .iter()
            .map(|v| v.to_string_lossy())
            .collect();
        notes.push(format!("[default: {}]", defaults.join(", ")));
    }
    let values: Vec<String> = arg
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| v.get_name().to_string())
        .collect();
    if !values.is_empty() && !arg.is_hide_possible_values_set() {
        notes.push(format!("[possible values: {}]", values.join(", ")));
    }
    notes
}

/// The exit-code tables of `--help` (exit.rs), verbatim in no-fill mode.
fn exit_status_section(roff: &mut Roff) {
    roff.control("SH", ["EXIT STATUS"]);
    let tables = [
        ("driftmend report", EXIT_CODES_HELP),
        ("driftmend run", RUN_EXIT_CODES_HELP),
        ("driftmend approve", APPROVE_EXIT_CODES_HELP),
    ];
    for (title, table) in tables {
        roff.control("SS", [title]);
        roff.control("nf", []);
        for line in table.lines().skip_while(|l| l.ends_with(':')) {
            roff.text([roman(line)]);
        }
        roff.control("fi", []);
    }
    roff.control("PP", []);
    roff.text([roman(
        "Other commands exit 0 when they succeed and 2 on a usage, configuration or \
         input error; `driftmend audit verify` exits 1 when the audit log's hash chain \
         is broken.",
    )]);
}
