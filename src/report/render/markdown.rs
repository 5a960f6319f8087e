//! The Markdown renderer: GitHub-flavoured, fit for `$GITHUB_STEP_SUMMARY`
//! and merge-request comments.

use std::io::{self, Write};

use super::format::{
    display_order, effect_cell, estimated_rows, estimated_title, fmt_count, fmt_score,
    gates_legend, headline, missing_pair, multivariate_line, performance_rows, performance_title,
    threshold_cell, verdict, Status, ESTIMATED_HEADER,
};
use super::{visible, RenderOptions};
use crate::report::model::{Report, Role, Severity};

pub fn render(report: &Report, w: &mut dyn Write, _opts: &RenderOptions) -> io::Result<()> {
    let report = &visible::report(report);
    let (status, text) = headline(report);
    let icon = match status {
        Status::Ok => ":green_circle:",
        Status::Warnings => ":yellow_circle:",
        _ => ":red_circle:",
    };
    writeln!(w, "## {icon} driftmend: {text}\n")?;
    writeln!(
        w,
        "**Reference** `{}`: {} rows, {} columns  \n**Current** `{}`: {} rows, {} columns  ",
        escape(&report.reference.path),
        fmt_count(report.reference.rows),
        report.reference.columns,
        escape(&report.current.path),
        fmt_count(report.current.rows),
        report.current.columns,
    )?;
    writeln!(
        w,
        "**Quality**: {} errors, {} warnings\n",
        report.quality.errors, report.quality.warnings
    )?;
    writeln!(
        w,
        "| Column | Kind | Method | Score | Threshold | Effect | Drift | Missing ref → cur |"
    )?;
    writeln!(w, "|---|---|---|---:|---:|---:|:---:|---|")?;
    for c in display_order(report) {
        let verdict = match c.drift_detected {
            Some(true) => "**DRIFT**".to_string(),
            _ => verdict(c).to_string(),
        };
        let role = match c.role {
            Role::Feature => String::new(),
            other => format!(" *({})*", other.name()),
        };
        writeln!(
            w,
            "| `{}`{role} | {} | {} | {} | {} | {} | {verdict} | {} |",
            escape(&c.name),
            c.kind.name(),
            c.method.map(|m| m.name()).unwrap_or("-"),
            c.score.map(fmt_score).unwrap_or_else(|| "-".into()),
            threshold_cell(c),
            effect_cell(c),
            missing_pair(c).replace("->", "→"),
        )?;
    }
    super::over_time::write_markdown(report, w)?;
    if let Some(legend) = gates_legend(report) {
        writeln!(w, "\n{}", legend.replace(">=", "≥"))?;
    }
    if let Some(p) = &report.performance {
        writeln!(w, "\n### {}\n", escape(&performance_title(p)))?;
        let rows = performance_rows(p);
        if rows.is_empty() {
            writeln!(w, "No side has both labels and predictions.")?;
        } else {
            writeln!(w, "| Metric | Reference | Current | Delta |")?;
            writeln!(w, "|---|---:|---:|---:|")?;
            for [name, r, c, d] in rows {
                writeln!(w, "| {name} | {r} | {c} | {d} |")?;
            }
        }
        if let Some(e) = &p.estimated {
            writeln!(w, "\n### {}\n", escape(&estimated_title(e)))?;
            writeln!(w, "| {} |", ESTIMATED_HEADER.join(" | "))?;
            writeln!(w, "|---|---:|---:|---:|---:|:---:|")?;
            for [name, value, band, thresholds, realized, alert] in estimated_rows(e) {
                let alert = if alert == "ALERT" {
                    "**ALERT**".to_string()
                } else {
                    alert
                };
                writeln!(
                    w,
                    "| {name} | {value} | {band} | {thresholds} | {realized} | {alert} |"
                )?;
            }
        }
    }
    if let Some(m) = &report.multivariate {
        let icon = if m.drift_detected {
            ":red_circle:"
        } else {
            ":green_circle:"
        };
        writeln!(w, "\n### Multivariate drift\n")?;
        writeln!(w, "{icon} {}", escape(&multivariate_line(m)))?;
    }
    if !report.findings.is_empty() {
        writeln!(w, "\n### Findings\n")?;
        let mut findings: Vec<_> = report.findings.iter().collect();
        findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
        for f in findings {
            let label = match f.severity {
                Severity::Error => ":x: **error**",
                Severity::Warning => ":warning: warning",
            };
            writeln!(w, "- {label}: {}", escape(&f.message))?;
        }
    }
    Ok(())
}

/// Keeps user text from breaking table cells or injecting markup.
pub(super) fn escape(s: &str) -> String {
    s.replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::super::sample;
    use super::*;

    #[test]
    fn control_characters_in_user_text_keep_the_table_whole() {
        let mut out = Vec::new();
        render(&sample::hostile(), &mut out, &RenderOptions::default()).unwrap();
        let out = String::from_utf8(out).unwrap();
        sample::assert_no_hidden_text(&out);
        for shown in [
            "**Reference** `ref\\r::warning::cr.parquet`: 2,000 rows, 6 columns  \n",
            "\n| `x\\n::error::pwned` | numerical | psi | 0.3100 | 0.2000 | 0.5200 | **DRIFT** | 3.0% → 10.0% |\n",
            "\n- :warning: warning: column `x\\n::error::pwned`: missing values rose from 3.0% to 10.0%\n",
        ] {
            assert!(out.contains(shown), "{shown:?} in:\n{out}");
        }
        // The column table is one block of rows: 6 columns, header and rule.
        let table = out.lines().skip_while(|l| !l.starts_with("| Column"));
        assert_eq!(table.take_while(|l| l.starts_with('|')).count(), 8);
    }
}
