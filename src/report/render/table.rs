//! The terminal renderer: headline verdict, a table of columns (drifted
//! first) and the findings. Colour only when asked; fits `width`.

use std::io::{self, Write};

use comfy_table::{presets, Attribute, Cell, CellAlignment, Color, ContentArrangement, Table};

use super::format::{display_order, fmt_count, fmt_score, headline, missing_pair, paint, Paint};
use super::RenderOptions;
use crate::report::model::{Report, Severity};

pub fn render(report: &Report, w: &mut dyn Write, opts: &RenderOptions) -> io::Result<()> {
    let on = opts.color;
    let (drifted, text) = headline(report);
    let verdict = if drifted {
        paint(&text, Paint::Red, on)
    } else {
        paint(&text, Paint::Green, on)
    };
    writeln!(w, "{verdict}")?;
    for (label, d) in [
        ("reference", &report.reference),
        ("current", &report.current),
    ] {
        writeln!(
            w,
            "{}",
            paint(
                &format!(
                    "  {label:<9} {} ({} rows, {} columns)",
                    d.path,
                    fmt_count(d.rows),
                    d.columns
                ),
                Paint::Dim,
                on
            )
        )?;
    }
    let q = &report.quality;
    let quality = format!(
        "Quality: {} {}, {} {}",
        q.errors,
        if q.errors == 1 { "error" } else { "errors" },
        q.warnings,
        if q.warnings == 1 {
            "warning"
        } else {
            "warnings"
        }
    );
    let quality_paint = if q.errors > 0 {
        Paint::Red
    } else if q.warnings > 0 {
        Paint::Yellow
    } else {
        Paint::Green
    };
    writeln!(w, "{}\n", paint(&quality, quality_paint, on))?;

    let mut table = Table::new();
    table.load_preset(presets::UTF8_FULL_CONDENSED);
    table.set_content_arrangement(ContentArrangement::Dynamic);
    if on {
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    if let Some(width) = opts.width {
        table.set_width(width);
    }
    table.set_header(
        [
            "Column",
            "Kind",
            "Method",
            "Score",
            "Threshold",
            "Drift",
            "Missing ref -> cur",
        ]
        .into_iter()
        .map(|h| Cell::new(h).add_attribute(Attribute::Bold)),
    );
    for c in display_order(report) {
        let drift = match c.drift_detected {
            Some(true) => Cell::new("DRIFT")
                .fg(Color::Red)
                .add_attribute(Attribute::Bold),
            Some(false) => Cell::new("ok").fg(Color::Green),
            None => Cell::new("not tested").fg(Color::DarkGrey),
        };
        let mut name = c.name.clone();
        if c.role != crate::report::model::Role::Feature {
            name.push_str(&format!(" ({})", c.role.name()));
        }
        table.add_row(vec![
            Cell::new(name),
            Cell::new(c.kind.name()),
            Cell::new(c.method.map(|m| m.name()).unwrap_or("-")),
            Cell::new(c.score.map(fmt_score).unwrap_or_else(|| "-".into()))
                .set_alignment(CellAlignment::Right),
            Cell::new(c.threshold.map(fmt_score).unwrap_or_else(|| "-".into()))
                .set_alignment(CellAlignment::Right),
            drift,
            Cell::new(missing_pair(c)),
        ]);
    }
    writeln!(w, "{table}")?;

    if !report.findings.is_empty() {
        writeln!(w)?;
        let mut findings: Vec<_> = report.findings.iter().collect();
        findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
        for f in findings {
            let label = match f.severity {
                Severity::Error => paint("error", Paint::Red, on),
                Severity::Warning => paint("warning", Paint::Yellow, on),
            };
            writeln!(w, "{label}: {}", f.message)?;
        }
    }
    Ok(())
}
