//! GitHub Actions integration: workflow-command annotations (`::error`,
//! `::warning`) for the findings and drifted columns, and appending the
//! Markdown report to the step summary. Reads no environment: the caller
//! passes `GITHUB_ACTIONS` and `GITHUB_STEP_SUMMARY`.

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::Path;

use super::format::drift_headline;
use super::junit::drift_reason;
use super::visible;
use crate::report::model::{Finding, FindingCode, Report, Role, Severity};

/// Whether to emit GitHub Actions output: asked for with a flag, or running
/// in Actions (`GITHUB_ACTIONS=true`, passed in by the caller).
pub fn should_run(flag: bool, github_actions_env: Option<&str>) -> bool {
    flag || github_actions_env == Some("true")
}

/// Workflow commands, one a line, for stdout. Errors first, then the drift
/// warnings (dataset, then each drifted column), then the other warnings:
/// GitHub shows only the first 10 errors and 10 warnings of a step, so the
/// most useful come first.
///
/// ```text
/// ::error title=driftmend%3A schema break::column `credit_score` is in the reference but missing from the current data
/// ::warning title=driftmend%3A drift in income::psi 0.31 >= 0.2
/// ```
pub fn annotations(report: &Report) -> Vec<String> {
    let report = &visible::report(report);
    let of = |severity: Severity| {
        report
            .findings
            .iter()
            .filter(move |f| f.severity == severity)
            .map(|f| command(f.severity, &finding_title(f), &f.message))
    };
    let mut lines: Vec<String> = of(Severity::Error).collect();
    if report.dataset_drift.detected {
        let text = drift_headline(report);
        lines.push(command(
            Severity::Warning,
            "driftmend: dataset drift",
            &text,
        ));
    }
    for c in report
        .columns
        .iter()
        .filter(|c| c.drift_detected == Some(true))
    {
        let role = match c.role {
            Role::Feature => String::new(),
            other => format!(" ({})", other.name()),
        };
        let title = format!("driftmend: drift in {}{role}", c.name);
        let reason = drift_reason(c).unwrap_or_else(|| "drift detected".into());
        lines.push(command(Severity::Warning, &title, &reason));
    }
    lines.extend(of(Severity::Warning));
    lines
}

/// Appends `markdown` to the step summary file (`$GITHUB_STEP_SUMMARY`),
/// ending it with a newline. GitHub rejects a step summary over 1 MiB, so a
/// report that would take the file past it is cut at a line and says so.
pub fn append_step_summary(markdown: &[u8], path: &Path) -> io::Result<()> {
    let mut file = OpenOptions::new().create(true).append(true).open(path)?;
    let existing = file.metadata()?.len() as usize;
    let room = STEP_SUMMARY_LIMIT.saturating_sub(existing);
    file.write_all(&fit(markdown, room))
}

/// GitHub's size limit of one step's summary.
const STEP_SUMMARY_LIMIT: usize = 1024 * 1024;

/// `markdown`, newline-terminated, within `room` bytes: whole lines and a
/// note when it does not fit.
fn fit(markdown: &[u8], room: usize) -> Vec<u8> {
    let mut out = markdown.to_vec();
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    if out.len() <= room {
        return out;
    }
    let note = format!(
        "\n*driftmend: report truncated: {} bytes do not fit in the step summary (1 MiB); see the job log or the report artifact*\n",
        out.len()
    );
    let keep = room.saturating_sub(note.len());
    let cut = out[..keep]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    out.truncate(cut);
    if cut + note.len() <= room {
        out.extend_from_slice(note.as_bytes());
    }
    out
}

/// A finding's title: what kind of problem, in words.
fn finding_title(f: &Finding) -> String {
    let topic = match f.code {
        FindingCode::ColumnMissing => "schema break",
        FindingCode::TypeChanged if f.severity == Severity::Error => "schema break",
        FindingCode::TypeChanged => "type change",
        FindingCode::ColumnAdded => "new column",
        FindingCode::AllMissing => "all values missing",
        FindingCode::Constant => "constant column",
        FindingCode::MissingIncrease => "missing values",
        FindingCode::NewCategories => "new categories",
        FindingCode::VanishedCategories => "vanished categories",
        FindingCode::OutOfRange => "out of range",
        FindingCode::InfiniteValues => "infinite values",
        FindingCode::DuplicatedRows => "duplicated rows",
        FindingCode::TextColumn | FindingCode::NotTested => "not tested",
        FindingCode::MixedTypes => "mixed types",
        FindingCode::Performance => "performance",
        FindingCode::UnsupportedType => "unsupported type",
        FindingCode::PrecisionLoss => "precision loss",
        FindingCode::Estimation => "estimation",
    };
    format!("driftmend: {topic}")
}

/// `::error title=<title>::<message>`, escaped as GitHub's toolkit does
/// (`@actions/core`, `command.ts`).
fn command(severity: Severity, title: &str, message: &str) -> String {
    let name = match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    format!(
        "::{name} title={}::{}",
        escape_property(title),
        escape_data(message)
    )
}

/// A message: `%`, CR and LF, which would end the command.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value: as a message, plus the `:` and `,` that delimit
/// properties.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::super::sample;
    use super::*;

    #[test]
    fn errors_then_drift_then_warnings() {
        let lines = annotations(&sample::drifted());
        assert_eq!(
            lines,
            [
                "::error title=driftmend%3A schema break::column `credit_score` is in the reference but missing from the current data",
                "::warning title=driftmend%3A dataset drift::Dataset drift detected: 2 of 3 columns drifted (66.7%25 >= 50.0%25)",
                "::warning title=driftmend%3A drift in age::wasserstein 0.774 >= 0.1",
                "::warning title=driftmend%3A drift in income::psi 0.31 >= 0.2",
                "::warning title=driftmend%3A missing values::column `income`: missing values rose from 3.0%25 to 10.0%25",
                "::warning title=driftmend%3A not tested::column `email` looks like an identifier or free text (most values distinct); drift not tested",
                "::warning title=driftmend%3A duplicated rows::duplicated rows rose from 0.0%25 of the reference to 5.0%25 of the current data",
            ]
        );
        assert!(annotations(&sample::healthy()).is_empty());
    }

    #[test]
    fn a_drifted_prediction_says_so() {
        let mut r = sample::healthy();
        let score = r.columns.iter_mut().find(|c| c.name == "score").unwrap();
        score.drift_detected = Some(true);
        score.score = Some(0.79);
        assert_eq!(
            annotations(&r),
            ["::warning title=driftmend%3A drift in score (prediction)::wasserstein 0.79 >= 0.1"]
        );
    }

    #[test]
    fn escaping_keeps_one_command_a_line() {
        assert_eq!(escape_data("50% a\r\nb: c, d"), "50%25 a%0D%0Ab: c, d");
        assert_eq!(
            escape_property("50% a\r\nb: c, d"),
            "50%25 a%0D%0Ab%3A c%2C d"
        );
        let mut r = sample::healthy();
        r.columns[0].name = "a:b,c\nd%".into();
        r.columns[0].drift_detected = Some(true);
        r.columns[0].score = Some(0.5);
        let lines = annotations(&r);
        assert_eq!(
            lines,
            ["::warning title=driftmend%3A drift in a%3Ab%2Cc\\nd%25::wasserstein 0.5 >= 0.1"]
        );
    }

    #[test]
    fn control_characters_in_user_text_are_shown_not_obeyed() {
        let lines = annotations(&sample::hostile());
        let out = lines.join("\n");
        for line in out.split(['\n', '\r']) {
            assert!(
                line.starts_with("::error title=") || line.starts_with("::warning title="),
                "{line:?} in:\n{out}"
            );
        }
        assert_eq!(out.split(['\n', '\r']).count(), 7);
        for shown in [
            "::warning title=driftmend%3A drift in x\\n%3A%3Aerror%3A%3Apwned::psi 0.31 >= 0.2",
            "::warning title=driftmend%3A missing values::column `x\\n::error::pwned`: missing values rose from 3.0%25 to 10.0%25",
        ] {
            assert!(lines.iter().any(|l| l == shown), "{shown:?} in:\n{out}");
        }
    }

    #[test]
    fn should_run_on_the_flag_or_in_actions() {
        let cases = [
            (false, None, false),
            (false, Some("true"), true),
            (false, Some("false"), false),
            (false, Some(""), false),
            (true, None, true),
            (true, Some("false"), true),
        ];
        for (flag, env, expected) in cases {
            assert_eq!(should_run(flag, env), expected, "{flag} {env:?}");
        }
    }

    #[test]
    fn step_summary_is_appended_newline_terminated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("summary.md");
        std::fs::write(&path, "## earlier step\n").unwrap();
        append_step_summary(b"## driftmend\n\nok", &path).unwrap();
        append_step_summary(b"second\n", &path).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "## earlier step\n## driftmend\n\nok\nsecond\n"
        );
        // A missing file is created.
        let fresh = dir.path().join("fresh.md");
        append_step_summary(b"x\n", &fresh).unwrap();
        assert_eq!(std::fs::read_to_string(&fresh).unwrap(), "x\n");
    }

    #[test]
    fn an_oversized_summary_is_cut_at_a_line_with_a_note() {
        let markdown = "| row |\n".repeat(100);
        assert_eq!(fit(markdown.as_bytes(), 10_000), markdown.as_bytes());
        let cut = String::from_utf8(fit(markdown.as_bytes(), 400)).unwrap();
        assert!(cut.len() <= 400, "{}", cut.len());
        assert!(cut.starts_with("| row |\n| row |\n"));
        assert!(cut.ends_with("report truncated: 800 bytes do not fit in the step summary (1 MiB); see the job log or the report artifact*\n"));
        assert!(cut
            .lines()
            .filter(|l| l.starts_with('|'))
            .all(|l| l == "| row |"));
        // No room at all: nothing is written.
        assert!(fit(markdown.as_bytes(), 0).is_empty());
    }
}
