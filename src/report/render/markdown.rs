//! The Markdown renderer: GitHub-flavoured, fit for `$GITHUB_STEP_SUMMARY`
//! and merge-request comments.

use std::io::{self, Write};

use super::format::{
    display_order, fmt_count, fmt_score, headline, missing_pair, performance_rows,
    performance_title, threshold_cell, verdict,
};
use super::RenderOptions;
use crate::report::model::{Report, Role, Severity};

pub fn render(report: &Report, w: &mut dyn Write, _opts: &RenderOptions) -> io::Result<()> {
    let (drifted, text) = headline(report);
    let icon = if drifted {
        ":red_circle:"
    } else {
        ":green_circle:"
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
            c.effect_size.map(fmt_score).unwrap_or_else(|| "-".into()),
            missing_pair(c).replace("->", "→"),
        )?;
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
fn escape(s: &str) -> String {
    s.replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
