//! The terminal renderer: headline verdict, a table of columns (worst
//! first) and the findings. Colour only when asked; fits `width`.
//!
//! The table is laid out for the width it gets: every candidate column has
//! a priority, and the least important ones are dropped until the rest fit
//! at their natural width, so no cell is ever cut inside a word (the
//! threshold merges into the score's cell rather than go). At 80 columns
//! that leaves name, kind, method, score vs threshold, verdict and missing
//! shares; at 200 the file types, the effect size (when it says something
//! the score does not) and each column's findings join them.

use std::io::{self, Write};

use comfy_table::{
    presets, Attribute, Cell, CellAlignment, Color, ColumnConstraint, ContentArrangement, Table,
    Width,
};

use super::format::{
    display_order, effect_cell, estimated_rows, estimated_title, fmt_count, fmt_score, fmt_share,
    gates_legend, headline, multivariate_line, paint, performance_rows, performance_title, Paint,
    Status, ESTIMATED_HEADER,
};
use super::{visible, RenderOptions};
use crate::report::model::{ColumnKind, ColumnReport, Report, Role, Severity};
use crate::stats::Method;

/// A report longer than this repeats its verdict at the end, where the
/// terminal's prompt will be.
const LONG_REPORT_LINES: usize = 24;

pub fn render(report: &Report, w: &mut dyn Write, opts: &RenderOptions) -> io::Result<()> {
    let report = &visible::report(report);
    let mut out = Vec::new();
    render_body(report, &mut out, opts)?;
    w.write_all(&out)?;
    let lines = out.iter().filter(|b| **b == b'\n').count();
    if lines > LONG_REPORT_LINES {
        writeln!(w, "\n{}", painted_headline(report, opts))?;
    }
    Ok(())
}

/// The verdict, wrapped at spaces to the terminal's width.
fn painted_headline(report: &Report, opts: &RenderOptions) -> String {
    let (status, text) = headline(report);
    let paint_as = match status {
        Status::Ok => Paint::Green,
        Status::Warnings => Paint::Yellow,
        _ => Paint::Red,
    };
    let width = opts.width.map_or(usize::MAX, usize::from);
    wrap(&text, width)
        .iter()
        .map(|line| paint(line, paint_as, opts.color))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `text` in lines of at most `width` characters, broken at spaces (a word
/// longer than a line gets a line of its own).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let needed = line.chars().count() + usize::from(!line.is_empty()) + word.chars().count();
        if !line.is_empty() && needed > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines
}

fn render_body(report: &Report, w: &mut dyn Write, opts: &RenderOptions) -> io::Result<()> {
    let on = opts.color;
    writeln!(w, "{}", painted_headline(report, opts))?;
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

    let columns = display_order(report);
    if !columns.is_empty() {
        let layout = layout(report, &columns, opts.width);
        writeln!(w, "{}", layout.table(&columns, on, opts.width))?;
        if columns.iter().any(|c| small_effect(c)) && layout.has(Field::Verdict) {
            writeln!(
                w,
                "{}",
                paint(
                    "ok*: the test flagged drift but the effect size is below its floor",
                    Paint::Dim,
                    on
                )
            )?;
        }
        if columns.iter().any(|c| approximate(c)) {
            writeln!(
                w,
                "{}",
                paint(
                    "~ approximate: computed from a profile; the JSON report gives each score's proven range where it has one (docs/profiles.md)",
                    Paint::Dim,
                    on
                )
            )?;
        }
        if let Some(legend) = gates_legend(report) {
            writeln!(w, "{}", paint(&legend, Paint::Dim, on))?;
        }
    }
    super::over_time::write_terminal(report, w, on)?;

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

/// A column of the table, in display order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Field {
    Name,
    Kind,
    Dtype,
    Method,
    Score,
    /// Score and threshold in one cell (`0.52 ≥ 0.1`), when the width has
    /// no room for both.
    ScoreVsThreshold,
    Threshold,
    Effect,
    Verdict,
    Missing,
    Findings,
}

impl Field {
    const ALL: [Field; 10] = [
        Field::Name,
        Field::Kind,
        Field::Dtype,
        Field::Method,
        Field::Score,
        Field::Threshold,
        Field::Effect,
        Field::Verdict,
        Field::Missing,
        Field::Findings,
    ];

    /// Lower is kept longer when the width runs out.
    fn priority(self) -> u8 {
        match self {
            Field::Name | Field::Verdict => 0,
            Field::Score | Field::ScoreVsThreshold => 1,
            Field::Method => 2,
            Field::Missing => 3,
            Field::Kind => 4,
            // Merged into the score's cell, not lost.
            Field::Threshold => 5,
            Field::Effect => 6,
            Field::Findings => 7,
            Field::Dtype => 8,
        }
    }

    fn header(self) -> &'static str {
        match self {
            Field::Name => "Column",
            Field::Kind => "Kind",
            Field::Dtype => "Type",
            Field::Method => "Method",
            Field::Score => "Score",
            Field::ScoreVsThreshold => "Score vs thr",
            Field::Threshold => "Threshold",
            Field::Effect => "Effect",
            Field::Verdict => "Drift",
            Field::Missing => "Missing",
            Field::Findings => "Findings",
        }
    }

    fn right_aligned(self) -> bool {
        matches!(
            self,
            Field::Score | Field::ScoreVsThreshold | Field::Threshold | Field::Effect
        )
    }

    /// Whether a cell may wrap at its spaces (the others never wrap).
    fn wraps(self) -> bool {
        matches!(self, Field::Name | Field::Findings)
    }

    fn cell(self, c: &ColumnReport) -> String {
        let dash = || "-".to_string();
        match self {
            Field::Name => match c.role {
                Role::Feature => c.name.clone(),
                Role::Target => format!("{} (target)", c.name),
                Role::Prediction => format!("{} (pred)", c.name),
            },
            Field::Kind => short_kind(c.kind).to_string(),
            Field::Dtype => match (&c.dtype.reference, &c.dtype.current) {
                (Some(r), Some(cur)) if r == cur => r.clone(),
                (r, cur) => format!(
                    "{} → {}",
                    r.as_deref().unwrap_or("-"),
                    cur.as_deref().unwrap_or("-")
                ),
            },
            Field::Method => c.method.map(short_method).unwrap_or("-").to_string(),
            Field::Score => c.score.map(|s| score_text(c, s)).unwrap_or_else(dash),
            Field::Threshold => match (c.adjusted_threshold, c.threshold) {
                (Some(adj), _) => format!("{} adj", fmt_score(adj)),
                (None, Some(t)) => fmt_threshold(t),
                _ => dash(),
            },
            Field::ScoreVsThreshold => {
                let threshold = c.adjusted_threshold.or(c.threshold);
                match (c.method, c.score, threshold) {
                    (Some(m), Some(score), Some(t)) => {
                        let drifted = c.drift_detected == Some(true) || c.small_effect;
                        let op = match super::junit::comparison(m, drifted) {
                            ">=" => "≥",
                            "<=" => "≤",
                            other => other,
                        };
                        format!("{} {op} {}", score_text(c, score), fmt_threshold(t))
                    }
                    _ => dash(),
                }
            }
            Field::Effect => effect_cell(c),
            Field::Verdict => verdict_word(c).to_string(),
            Field::Missing => {
                let side = |m: Option<f64>| m.map(fmt_share).unwrap_or_else(dash);
                let (r, cur) = (side(c.missing.reference), side(c.missing.current));
                if r == cur {
                    r
                } else {
                    format!("{r} → {cur}")
                }
            }
            Field::Findings => {
                let mut codes: Vec<String> =
                    c.findings.iter().map(|f| serde_plain(&f.code)).collect();
                codes.dedup();
                if codes.is_empty() {
                    dash()
                } else {
                    codes.join(", ")
                }
            }
        }
    }
}

/// A finding code as its JSON spelling (`missing_increase`).
fn serde_plain<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The verdict of a row: the drift verdict, or `ERROR` for an untested
/// column with an error finding (missing, emptied, retyped).
fn verdict_word(c: &ColumnReport) -> &'static str {
    let error = super::format::has_error(c);
    match c.drift_detected {
        Some(true) => "DRIFT",
        Some(false) if small_effect(c) => "ok*",
        Some(false) => "ok",
        None if error => "ERROR",
        None => "untested",
    }
}

/// The test flagged a change too small to matter (`--min-effect`, or the
/// effect gate of the default decision).
fn small_effect(c: &ColumnReport) -> bool {
    c.small_effect
        || c.gates.as_ref().is_some_and(|g| {
            g.test.as_ref().is_some_and(|t| t.passed)
                && g.effect.as_ref().is_some_and(|e| !e.passed)
        })
}

/// Whether a column's score was computed from a profile, not exactly.
fn approximate(c: &ColumnReport) -> bool {
    c.exactness.as_ref().is_some_and(|e| e.approximate)
}

/// A score as the table shows it: `~0.12` when it is approximate.
fn score_text(c: &ColumnReport, score: f64) -> String {
    let mark = if approximate(c) { "~" } else { "" };
    format!("{mark}{}", fmt_score(score))
}

fn short_kind(kind: ColumnKind) -> &'static str {
    match kind {
        ColumnKind::Numerical => "num",
        ColumnKind::Categorical => "cat",
        ColumnKind::Datetime => "date",
        ColumnKind::Text => "text",
        ColumnKind::Unsupported => "other",
    }
}

/// A method's shortest name that `--num-method`/`--cat-method` accept.
pub(crate) fn short_method(m: Method) -> &'static str {
    match m {
        Method::ChiSquare => "chisquare",
        Method::Chi2 => "chi2",
        Method::JensenShannon => "js",
        Method::KlDiv => "kl",
        Method::Anderson => "ad",
        Method::CramerVonMises => "cvm",
        Method::TTest => "ttest",
        Method::Mmd => "mmd",
        Method::FisherExact => "fisher",
        Method::Wasserstein => "wasserstein",
        other => other.name(),
    }
}

/// `0.05`, `0.1`: a threshold without trailing zeros.
fn fmt_threshold(t: f64) -> String {
    let s = fmt_score(t);
    if s.contains('e') || !s.contains('.') {
        return s;
    }
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The fields shown and each one's natural width.
struct Layout {
    fields: Vec<(Field, usize, usize)>,
    /// Every field fits at its natural width: nothing wraps.
    fits: bool,
}

impl Layout {
    fn has(&self, field: Field) -> bool {
        self.fields.iter().any(|(f, _, _)| *f == field)
    }

    fn table(&self, columns: &[&ColumnReport], on: bool, width: Option<u16>) -> Table {
        let mut table = new_table(on, width);
        if self.fits {
            // comfy-table's dynamic layout would share the width out and
            // wrap cells that fit; the widths were checked above.
            table.set_content_arrangement(ContentArrangement::Disabled);
        }
        table.set_header(
            self.fields
                .iter()
                .map(|(f, _, _)| Cell::new(f.header()).add_attribute(Attribute::Bold)),
        );
        for c in columns {
            table.add_row(self.fields.iter().map(|(f, _, _)| {
                let mut cell = Cell::new(f.cell(c));
                if f.right_aligned() {
                    cell = cell.set_alignment(CellAlignment::Right);
                }
                if *f == Field::Verdict {
                    cell = cell.fg(match verdict_word(c) {
                        "DRIFT" | "ERROR" => Color::Red,
                        "untested" => Color::DarkGrey,
                        _ => Color::Green,
                    });
                }
                cell
            }));
        }
        if !self.fits {
            for (i, (f, natural, word)) in self.fields.iter().enumerate() {
                let lower = if f.wraps() { *word } else { *natural };
                if let Some(column) = table.column_mut(i) {
                    column.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(
                        u16::try_from(lower).unwrap_or(u16::MAX),
                    )));
                }
            }
        }
        table
    }
}

/// Picks the fields that fit `width`: drop the lowest priority until the
/// natural widths fit, never the name or the verdict. `None` (not a
/// terminal): every field.
fn layout(report: &Report, columns: &[&ColumnReport], width: Option<u16>) -> Layout {
    let effect_informative = report.options.min_effect.is_some()
        || columns
            .iter()
            .any(|c| c.gates.as_ref().is_some_and(|g| g.effect.is_some()))
        || columns.iter().any(|c| match (c.effect_size, c.score) {
            (Some(e), Some(s)) => (e - s).abs() > 1e-12,
            (Some(_), None) => true,
            _ => false,
        });
    let any_findings = columns.iter().any(|c| !c.findings.is_empty());
    let mut fields: Vec<(Field, usize, usize)> = Field::ALL
        .into_iter()
        .filter(|f| match f {
            Field::Effect => effect_informative,
            Field::Findings => any_findings,
            Field::ScoreVsThreshold => false,
            _ => true,
        })
        .map(|f| measure(f, columns))
        .collect();
    let mut fits = true;
    if let Some(width) = width {
        while total_width(&fields) > usize::from(width) {
            let Some(drop) = fields
                .iter()
                .enumerate()
                .filter(|(_, (f, _, _))| f.priority() > 0)
                .max_by_key(|(_, (f, _, _))| f.priority())
                .map(|(i, _)| i)
            else {
                fits = false;
                break;
            };
            let dropped = fields.remove(drop).0;
            // The threshold goes into the score's cell rather than away;
            // when even that is too wide, the score alone stays.
            if dropped == Field::Threshold {
                if let Some(score) = fields.iter_mut().find(|(f, _, _)| *f == Field::Score) {
                    *score = measure(Field::ScoreVsThreshold, columns);
                }
            } else if dropped == Field::ScoreVsThreshold {
                fields.insert(drop, measure(Field::Score, columns));
            }
        }
    }
    Layout { fields, fits }
}

/// A field with its natural width (its widest cell or header) and its
/// widest word (the narrowest it can wrap to without cutting a word).
fn measure(f: Field, columns: &[&ColumnReport]) -> (Field, usize, usize) {
    let cells: Vec<String> = columns.iter().map(|c| f.cell(c)).collect();
    let natural = cells
        .iter()
        .map(|s| s.chars().count())
        .chain([f.header().chars().count()])
        .max()
        .unwrap_or(1);
    let word = cells
        .iter()
        .flat_map(|s| s.split(' '))
        .map(|w| w.chars().count())
        .chain([f.header().chars().count()])
        .max()
        .unwrap_or(1);
    (f, natural, word)
}

/// The table's width with `fields` at their natural widths: each cell has
/// a border and a space either side, plus the closing border.
fn total_width(fields: &[(Field, usize, usize)]) -> usize {
    fields.iter().map(|(_, n, _)| n + 3).sum::<usize>() + 1
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

    fn text_at(report: &Report, width: u16) -> String {
        let mut out = Vec::new();
        let opts = RenderOptions {
            color: false,
            width: Some(width),
        };
        render(report, &mut out, &opts).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn text(report: &Report) -> String {
        text_at(report, 200)
    }

    /// The bundled fixtures' report: reference against `current`, with the
    /// target and prediction columns, `id` excluded.
    fn fixtures(current: &str) -> Report {
        let csv = crate::data::CsvOptions::default();
        let roles = crate::data::Selection::all().keeping_rows_of(["is_fraud", "fraud_score"]);
        let reference = crate::data::load(
            "fixtures/reference.parquet",
            &csv,
            &roles,
            &Default::default(),
        )
        .unwrap();
        let current = crate::data::load(current, &csv, &roles, &Default::default()).unwrap();
        let settings = crate::report::AnalysisSettings {
            exclude: vec!["id".into()],
            target: Some("is_fraud".into()),
            prediction: Some("fraud_score".into()),
            ..Default::default()
        };
        crate::report::build(
            &reference,
            &current,
            &settings,
            "0.1.0",
            "2026-01-02T03:04:05Z",
        )
        .unwrap()
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

    /// No table line is wider than the terminal, and no cell is cut inside
    /// a word: every word of every row is whole on one line.
    fn assert_fits(report: &Report, out: &str, width: u16) {
        let table: Vec<&str> = out
            .lines()
            .filter(|l| l.starts_with(['│', '┌', '└', '╞', '├']))
            .collect();
        for line in &table {
            assert!(
                line.chars().count() <= usize::from(width),
                "{line:?} wider than {width}"
            );
        }
        // Every word of every shown cell stands whole on one line.
        let table = table.join("\n");
        let columns = display_order(report);
        let shown = layout(report, &columns, Some(width));
        for c in &columns {
            for (field, _, _) in &shown.fields {
                for word in field.cell(c).split(' ') {
                    assert!(table.contains(word), "`{word}` is cut:\n{out}");
                }
            }
        }
    }

    #[test]
    fn drifted_fixtures_at_80_columns() {
        let report = fixtures("fixtures/current_drifted.parquet");
        let out = text_at(&report, 80);
        assert_fits(&report, &out, 80);
        insta::assert_snapshot!("table_drifted_80", out);
    }

    #[test]
    fn drifted_fixtures_at_200_columns() {
        let report = fixtures("fixtures/current_drifted.parquet");
        let out = text_at(&report, 200);
        assert_fits(&report, &out, 200);
        insta::assert_snapshot!("table_drifted_200", out);
    }

    #[test]
    fn broken_fixtures_at_80_and_200_columns() {
        let report = fixtures("fixtures/current_quality.parquet");
        let narrow = text_at(&report, 80);
        assert_fits(&report, &narrow, 80);
        insta::assert_snapshot!("table_quality_80", narrow);
        let wide = text_at(&report, 200);
        assert_fits(&report, &wide, 200);
        insta::assert_snapshot!("table_quality_200", wide);
    }

    #[test]
    fn rows_are_sorted_by_severity_then_score() {
        let report = fixtures("fixtures/current_drifted.parquet");
        let order: Vec<u8> = display_order(&report)
            .iter()
            .map(|c| super::super::format::column_severity(c))
            .collect();
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(order, sorted);
        let drifted: Vec<f64> = display_order(&report)
            .iter()
            .filter(|c| c.drift_detected == Some(true))
            .filter(|c| super::super::format::column_severity(c) == 1)
            .filter_map(|c| super::super::format::drift_margin(c))
            .collect();
        assert!(drifted.len() > 1, "the fixtures drift in several columns");
        assert!(drifted.windows(2).all(|w| w[0] >= w[1]), "{drifted:?}");
    }

    #[test]
    fn effect_is_shown_only_when_it_differs_from_the_score() {
        // The sample's effect sizes equal its scores.
        let out = text(&sample::healthy());
        assert!(!out.contains("Effect"), "{out}");
        let mut report = sample::healthy();
        report.columns[0].effect_size = Some(0.5);
        assert!(text(&report).contains("Effect"));
    }

    #[test]
    fn narrow_terminals_keep_the_name_verdict_and_score_whole() {
        let report = fixtures("fixtures/current_quality.parquet");
        let header = |width: u16| {
            let out = text_at(&report, width);
            assert_fits(&report, &out, width);
            let header = out.lines().find(|l| l.contains("Column")).unwrap();
            header.to_string()
        };
        // The score without its threshold when the merged cell is too wide;
        // one column narrower, the name and the verdict alone.
        let narrowest = (41..80)
            .find(|&w| header(w).contains("Score"))
            .expect("the score fits at some width");
        assert!(header(narrowest).starts_with("│ Column             ┆ Score"));
        assert!(header(narrowest).ends_with("┆ Drift    │"));
        assert_eq!(header(narrowest - 1), "│ Column             ┆ Drift    │");
    }

    #[test]
    fn long_verdicts_wrap_at_spaces() {
        assert_eq!(wrap("aa bb cc", 5), ["aa bb", "cc"]);
        assert_eq!(wrap("aaaaaaa bb", 5), ["aaaaaaa", "bb"]);
        assert_eq!(wrap("aa", 80), ["aa"]);
    }

    #[test]
    fn short_method_names_parse_back() {
        for m in Method::ALL {
            let short = short_method(m);
            assert_eq!(short.parse::<Method>().ok(), Some(m), "{short}");
        }
    }
}
