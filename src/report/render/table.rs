//! The terminal renderer: headline verdict, a table of columns (drifted
//! first) and the findings. Colour only when asked; fits `width`.

use std::io::{self, Write};

use comfy_table::{presets, Attribute, Cell, CellAlignment, Color, ContentArrangement, Table};

use super::format::{
    display_order, estimated_rows, estimated_title, fmt_count, fmt_score, headline, missing_pair,
    multivariate_line, paint, performance_rows, performance_title, threshold_cell, verdict, Paint,
    ESTIMATED_HEADER,
};
use super::{visible, RenderOptions};
use crate::report::model::{Report, Role, Severity};

pub fn render(report: &Report, w: &mut dyn Write, opts: &RenderOptions) -> io::Result<()> {
    let report = &visible::report(report);
    let on = opts.color;
    let (drifted, text) = headline(report);
    let headline_text = if drifted {
        paint(&text, Paint::Red, on)
    } else {
        paint(&text, Paint::Green, on)
    };
    writeln!(w, "{headline_text}")?;
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

    let mut table = new_table(on, opts.width);
    table.set_header(header(&[
        "Column",
        "Kind",
        "Method",
        "Score",
        "Threshold",
        "Effect",
        "Drift",
        "Missing ref -> cur",
    ]));
    for c in display_order(report) {
        let color = match c.drift_detected {
            Some(true) => Color::Red,
            Some(false) => Color::Green,
            None => Color::DarkGrey,
        };
        let mut name = c.name.clone();
        if c.role != Role::Feature {
            name.push_str(&format!(" ({})", c.role.name()));
        }
        let right = |text: String| Cell::new(text).set_alignment(CellAlignment::Right);
        let dash = || "-".to_string();
        table.add_row(vec![
            Cell::new(name),
            Cell::new(c.kind.name()),
            Cell::new(c.method.map(|m| m.name()).unwrap_or("-")),
            right(c.score.map(fmt_score).unwrap_or_else(dash)),
            right(threshold_cell(c)),
            right(c.effect_size.map(fmt_score).unwrap_or_else(dash)),
            Cell::new(verdict(c)).fg(color),
            Cell::new(missing_pair(c)),
        ]);
    }
    writeln!(w, "{table}")?;

    if let Some(p) = &report.performance {
        writeln!(w, "\n{}", paint(&performance_title(p), Paint::Bold, on))?;
        let rows = performance_rows(p);
        if rows.is_empty() {
            writeln!(w, "  no side has both labels and predictions")?;
        } else {
            let mut perf = new_table(on, opts.width);
            perf.set_header(header(&["Metric", "Reference", "Current", "Delta"]));
            for [name, r, c, d] in rows {
                let mut row = vec![Cell::new(name)];
                row.extend([r, c, d].map(|v| Cell::new(v).set_alignment(CellAlignment::Right)));
                perf.add_row(row);
            }
            writeln!(w, "{perf}")?;
        }
        if let Some(e) = &p.estimated {
            writeln!(w, "\n{}", paint(&estimated_title(e), Paint::Bold, on))?;
            let mut est = new_table(on, opts.width);
            est.set_header(header(&ESTIMATED_HEADER));
            for [name, rest @ ..] in estimated_rows(e) {
                let alert = rest[4] == "ALERT";
                let mut row = vec![Cell::new(name)];
                row.extend(
                    rest[..4]
                        .iter()
                        .map(|v| Cell::new(v).set_alignment(CellAlignment::Right)),
                );
                let verdict = Cell::new(&rest[4]);
                row.push(if alert {
                    verdict.fg(Color::Red)
                } else {
                    verdict.fg(Color::Green)
                });
                est.add_row(row);
            }
            writeln!(w, "{est}")?;
        }
    }
    if let Some(m) = &report.multivariate {
        let line = multivariate_line(m);
        let colour = if m.drift_detected {
            Paint::Red
        } else {
            Paint::Green
        };
        writeln!(w, "\n{}", paint(&line, colour, on))?;
    }

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

fn new_table(color: bool, width: Option<u16>) -> Table {
    let mut table = Table::new();
    table.load_preset(presets::UTF8_FULL_CONDENSED);
    table.set_content_arrangement(ContentArrangement::Dynamic);
    if color {
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    if let Some(width) = width {
        table.set_width(width);
    }
    table
}

fn header(names: &[&str]) -> Vec<Cell> {
    names
        .iter()
        .map(|h| Cell::new(h).add_attribute(Attribute::Bold))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::sample;
    use super::*;

    fn text(report: &Report) -> String {
        let mut out = Vec::new();
        let opts = RenderOptions {
            color: false,
            width: Some(200),
        };
        render(report, &mut out, &opts).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn control_characters_in_user_text_are_shown_not_obeyed() {
        let out = text(&sample::hostile());
        sample::assert_no_hidden_text(&out);
        for shown in [
            "  reference ref\\r::warning::cr.parquet (2,000 rows, 6 columns)\n",
            "│ x\\n::error::pwned ",
            "\nwarning: column `x\\n::error::pwned`: missing values rose from 3.0% to 10.0%\n",
        ] {
            assert!(out.contains(shown), "{shown:?} in:\n{out}");
        }
    }
}
