//! The HTML renderer: one self-contained page (inline CSS, hand-written inline
//! SVG, a little plain JS; nothing is fetched, so it works offline and as a
//! CI artifact) with the verdict, summary cards, a sortable and filterable
//! column table, per-column distribution plots and statistics, the findings
//! and, for policy runs, drift over time.
//!
//! Everything works without JS; the script only adds sorting, filtering and
//! the theme toggle. Every piece of user text has its control characters
//! made visible (`visible::report`: a line break in a name must not start a
//! line of the page, which may be on stdout) and goes through [`escape`];
//! a Content-Security-Policy lets only this page's own scripts (by hash) run.
//! The output is deterministic: the only time in it is `generated_at`.
//!
//! This file lays the page out; each section has its own file (`summary`,
//! `history`, `columns`, `performance`, `findings`), the charts theirs
//! (`charts`), and the stylesheet and scripts are asset files in this
//! directory, included at compile time.

mod charts;
mod chunks;
mod columns;
mod csp;
mod estimated;
mod findings;
mod history;
mod performance;
mod summary;

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::{self, Write as _};
use std::io::{self, Write};

use super::format::{fmt_bar, fmt_score, fmt_share, headline};
use super::{visible, RenderOptions};
use crate::report::model::{Correction, Report};
use columns::{write_column_table, write_details};
use csp::csp_hash;
use estimated::write_multivariate;
use findings::write_findings;
use history::write_history;
use performance::write_performance;
use summary::write_summary;

pub fn render(report: &Report, w: &mut dyn Write, _opts: &RenderOptions) -> io::Result<()> {
    let report = &visible::report(report);
    let mut page = String::with_capacity(128 * 1024);
    write_page(report, &mut page).map_err(|_| io::Error::other("cannot format the HTML report"))?;
    w.write_all(page.as_bytes())
}

/// Escapes text for HTML element content and quoted attribute values (also
/// inside inline SVG). NUL, which HTML parsers drop or reject, becomes U+FFFD.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.contains(['&', '<', '>', '"', '\'', '\0']) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\0' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn write_page(r: &Report, o: &mut String) -> fmt::Result {
    let (status, text) = headline(r);
    let csp = format!(
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src '{}' '{}'",
        csp_hash(HEAD_JS),
        csp_hash(JS)
    );
    write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{csp}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n\
         <meta name=\"generator\" content=\"driftmend {version}\">\n\
         <link rel=\"icon\" href=\"data:,\">\n\
         <title>driftmend: {title}</title>\n\
         <style>{style}</style>\n<script>{HEAD_JS}</script>\n</head>\n<body>\n",
        version = escape(&r.driftmend_version),
        title = escape(&text),
        style = stylesheet(),
    )?;
    o.push_str(
        "<header class=\"top\"><div class=\"brand\">driftmend <span class=\"mut\">report</span></div>\
         <nav aria-label=\"Sections\"><a href=\"#summary\">Summary</a>",
    );
    if r.history.is_some() {
        o.push_str("<a href=\"#history\">History</a>");
    }
    if r.chunks.is_some() {
        o.push_str("<a href=\"#chunks\">Chunks</a>");
    }
    o.push_str("<a href=\"#columns\">Columns</a>");
    if r.performance.is_some() {
        o.push_str("<a href=\"#performance\">Performance</a>");
    }
    if r.multivariate.is_some() {
        o.push_str("<a href=\"#multivariate\">Multivariate</a>");
    }
    o.push_str("<a href=\"#details\">Details</a><a href=\"#findings\">Findings</a>");
    o.push_str(
        "</nav><button id=\"theme\" type=\"button\" hidden>Dark theme</button></header>\n<main>\n",
    );

    write_summary(r, status, &text, o)?;
    if let Some(h) = &r.history {
        write_history(h, r.dataset_drift.threshold, o)?;
    }
    if let Some(c) = &r.chunks {
        chunks::write_chunks(r, c, o)?;
    }
    let ids = column_ids(r);
    write_column_table(r, &ids, o)?;
    if let Some(p) = &r.performance {
        write_performance(p, o)?;
    }
    if let Some(m) = &r.multivariate {
        write_multivariate(m, o)?;
    }
    write_details(r, &ids, o)?;
    write_findings(&r.findings, &ids, o)?;
    write_footer(r, o)?;
    write!(o, "</main>\n<script>{JS}</script>\n</body>\n</html>\n")
}

/// Element ids of the columns' detail sections, by column name (first
/// occurrence wins; names are unique in practice).
fn column_ids(r: &Report) -> HashMap<&str, String> {
    let mut ids = HashMap::new();
    for (i, c) in r.columns.iter().enumerate() {
        ids.entry(c.name.as_str())
            .or_insert_with(|| format!("c{i}"));
    }
    ids
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

fn write_footer(r: &Report, o: &mut String) -> fmt::Result {
    let opt = &r.options;
    let correction = match opt.correction.method {
        Correction::None => "none".to_string(),
        Correction::Bonferroni => format!("Bonferroni over {} tests", opt.correction.tests),
        Correction::Bh => format!("Benjamini-Hochberg over {} tests", opt.correction.tests),
    };
    write!(
        o,
        "<footer><h2>Options</h2><dl class=\"facts\"><dt>dataset drift when</dt><dd>at least {} of feature columns drift</dd>\
         <dt>preset</dt><dd>{}</dd><dt>bins</dt><dd>{}</dd><dt>correction</dt><dd>{correction}</dd><dt>min effect</dt><dd>{}</dd><dt>seed</dt><dd>{}</dd>",
        escape(&fmt_share(opt.drift_share)),
        opt.preset.name(),
        escape(&opt.bins),
        opt.min_effect.map(fmt_score).unwrap_or_else(|| "none".into()),
        opt.seed,
    )?;
    if let Some(c) = &opt.calibrate {
        write!(
            o,
            "<dt>calibration</dt><dd>effect thresholds at the {} quantile of {} reference chunks, each against the rest</dd>",
            fmt_bar(c.quantile),
            c.chunks
        )?;
    }
    if let Some(legend) = super::format::gates_legend(r) {
        write!(o, "<dt>drift when</dt><dd>{}</dd>", escape(&legend))?;
    }
    for (label, v) in [("target", &opt.target), ("prediction", &opt.prediction)] {
        if let Some(v) = v {
            write!(o, "<dt>{label}</dt><dd><code>{}</code></dd>", escape(v))?;
        }
    }
    o.push_str("</dl>");
    for (side, info) in [("reference", &r.reference), ("current", &r.current)] {
        if info.files.len() > 1 {
            write!(
                o,
                "<details class=\"runs\"><summary>{} {side} files</summary><ul class=\"files\">",
                info.files.len()
            )?;
            for f in &info.files {
                write!(o, "<li><code>{}</code></li>", escape(f))?;
            }
            o.push_str("</ul></details>");
        }
    }
    writeln!(
        o,
        "<p class=\"mut\">driftmend {} · report schema {} · generated {}</p></footer>",
        escape(&r.driftmend_version),
        r.schema_version,
        escape(&r.generated_at),
    )
}

/// Light theme (and the palette: Okabe-Ito, safe for colour-blind readers).
const CSS_LIGHT: &str = include_str!("theme-light.css");

/// Dark theme: the same hues, lightened where they sit on the background.
/// Declarations only: [`stylesheet`] puts them under two selectors.
const CSS_DARK: &str = include_str!("theme-dark.css");

const CSS: &str = include_str!("page.css");

/// The stylesheet: the light theme, the dark one where the reader prefers
/// dark (unless they chose light) or chose it, then the rules. The asset
/// files hold a rule or a few a line, for reading and diffs; the page has
/// them joined on one line.
fn stylesheet() -> String {
    let one_line = |css: &str| css.lines().collect::<String>();
    let dark = one_line(CSS_DARK);
    format!(
        "{}@media (prefers-color-scheme:dark){{:root:not([data-theme=light]){{{dark}}}}}:root[data-theme=dark]{{{dark}}}{}",
        one_line(CSS_LIGHT),
        one_line(CSS)
    )
}

/// Runs in `<head>`: applies a saved theme choice before the first paint.
const HEAD_JS: &str = include_str!("head.js").trim_ascii_end();

/// Theme toggle, column table sorting and filtering, opening a column's
/// details when a link points at it. Defensive: any missing element is
/// skipped, and nothing here is needed to read the page. Its last statement
/// marks the root `data-js="ready"`, so a browser test can tell the whole
/// script ran without an error.
const JS: &str = include_str!("page.js").trim_ascii_end();

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::distribution::{CategoryStatus, Distribution};
    use crate::report::model::*;
    use crate::stats::describe::Summary;
    use crate::stats::performance::RegressionMetrics;
    use crate::stats::{Method, ScoreKind};

    fn dataset(path: &str, rows: usize, columns: usize) -> DatasetInfo {
        DatasetInfo {
            path: path.into(),
            files: vec![path.into()],
            rows,
            columns,
            duplicated_rows: 0.0,
            duplicated_rows_over: None,
        }
    }

    fn summary(shift: f64) -> Summary {
        Summary {
            mean: 10.0 + shift,
            std: Some(2.5),
            min: 0.0 + shift,
            p25: 8.0 + shift,
            p50: 10.0 + shift,
            p75: 12.0 + shift,
            max: 20.0 + shift,
        }
    }

    fn stats(summary: Option<Summary>, top: Option<&str>) -> ColumnStats {
        ColumnStats {
            count: 1000,
            missing: 10,
            distinct: 30,
            summary,
            infinite: 0,
            top: top.map(|v| TopCategory {
                value: v.into(),
                share: 0.3,
            }),
            first: None,
            last: None,
        }
    }

    fn finding(severity: Severity, column: &str, message: &str) -> Finding {
        Finding {
            severity,
            code: FindingCode::MissingIncrease,
            column: Some(column.into()),
            message: message.into(),
        }
    }

    /// Column `i` of a synthetic report: even ones numerical with a 30-bin
    /// histogram, odd ones categorical with 20 categories (some new or
    /// vanished) and an `other` tail; every third one drifted.
    fn column(i: usize, name: &str) -> ColumnReport {
        let drift = i.is_multiple_of(3);
        let numerical = i.is_multiple_of(2);
        let wave = |k: usize, phase: f64| 1.0 + ((k as f64 + phase) * 0.37).sin().abs();
        let norm = |v: Vec<f64>| {
            let s: f64 = v.iter().sum();
            v.into_iter().map(|x| x / s).collect::<Vec<f64>>()
        };
        let distribution = if numerical {
            Distribution::Histogram {
                edges: (0..=30).map(|k| k as f64 * 1234.5678 / 7.0).collect(),
                reference: norm((0..30).map(|k| wave(k, 0.0)).collect()),
                current: norm((0..30).map(|k| wave(k, i as f64)).collect()),
            }
        } else {
            let status = (0..20)
                .map(|k| match k % 7 {
                    5 => CategoryStatus::New,
                    6 => CategoryStatus::Vanished,
                    _ => CategoryStatus::Both,
                })
                .collect::<Vec<_>>();
            let share = |k: usize, side: CategoryStatus| {
                if status[k] == side {
                    0.0
                } else {
                    0.9 / 20.0 * wave(k, 1.0) / 1.5
                }
            };
            Distribution::Categories {
                labels: (0..20).map(|k| format!("category_value_{k:02}")).collect(),
                reference: (0..20).map(|k| share(k, CategoryStatus::New)).collect(),
                current: (0..20)
                    .map(|k| share(k, CategoryStatus::Vanished))
                    .collect(),
                status,
                other: Some((0.05, 0.07)),
            }
        };
        let method = if numerical {
            Method::Wasserstein
        } else {
            Method::JensenShannon
        };
        ColumnReport {
            name: name.into(),
            kind: if numerical {
                ColumnKind::Numerical
            } else {
                ColumnKind::Categorical
            },
            role: Role::Feature,
            dtype: Sides {
                reference: Some("f64".into()),
                current: Some("f64".into()),
            },
            method: Some(method),
            score: Some(if drift { 0.31 } else { 0.02 }),
            score_kind: Some(ScoreKind::Distance),
            statistic: None,
            threshold: Some(0.1),
            p_value_adjusted: None,
            adjusted_threshold: None,
            effect_size: Some(if drift { 0.31 } else { 0.02 }),
            drift_detected: Some(drift),
            small_effect: false,
            gates: None,
            missing: Sides {
                reference: Some(0.01),
                current: Some(0.02),
            },
            stats: Sides {
                reference: Some(stats(
                    numerical.then(|| summary(0.0)),
                    (!numerical).then_some("a"),
                )),
                current: Some(stats(
                    numerical.then(|| summary(1.5)),
                    (!numerical).then_some("b"),
                )),
            },
            categories: None,
            distribution: Some(distribution),
            exactness: None,
            out_of_range: numerical.then_some(0.004),
            findings: vec![finding(
                Severity::Warning,
                name,
                &format!("missing values in `{name}` rose from 1.0% to 2.0%"),
            )],
        }
    }

    fn report(names: &[String]) -> Report {
        let columns: Vec<ColumnReport> = names
            .iter()
            .enumerate()
            .map(|(i, n)| column(i, n))
            .collect();
        let drifted = columns
            .iter()
            .filter(|c| c.drift_detected == Some(true))
            .count();
        let findings = columns.iter().flat_map(|c| c.findings.clone()).collect();
        Report {
            schema_version: SCHEMA_VERSION,
            driftmend_version: "0.1.0".into(),
            generated_at: "2026-01-02T03:04:05Z".into(),
            reference: dataset("data/ref.parquet", 200_000, names.len()),
            current: dataset("data/cur.parquet", 150_000, names.len()),
            options: ReportOptions {
                drift_share: 0.5,
                bins: "auto".into(),
                target: None,
                prediction: None,
                seed: 0,
                min_effect: None,
                correction: CorrectionInfo {
                    method: Correction::None,
                    tests: 0,
                },
                preset: Default::default(),
                calibrate: None,
            },
            dataset_drift: DatasetDrift {
                detected: drifted * 2 >= columns.len(),
                drifted_columns: drifted,
                total_columns: columns.len(),
                share: drifted as f64 / columns.len() as f64,
                threshold: 0.5,
            },
            schema: SchemaDiff::default(),
            quality: QualitySummary {
                errors: 0,
                warnings: columns.len(),
            },
            columns,
            performance: None,
            multivariate: None,
            history: None,
            chunking: None,
            chunks: None,
            findings,
        }
    }

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("feature_number_{i:02}")).collect()
    }

    fn html(r: &Report) -> String {
        let mut out = Vec::new();
        render(r, &mut out, &RenderOptions::default()).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn history() -> Vec<HistoryPoint> {
        (0..12)
            .map(|i| HistoryPoint {
                at: format!("2026-01-{:02}T06:00:00Z", i + 1),
                run_id: format!("run-{i}"),
                incident: if i % 4 == 3 {
                    "covariate_drift".into()
                } else {
                    "healthy".into()
                },
                drift_share: (i % 4) as f64 * 0.2,
                drifted_columns: i % 4,
                quality_errors: 0,
            })
            .collect()
    }

    #[test]
    fn a_hundred_columns_stay_under_one_megabyte() {
        let page = html(&report(&names(100)));
        assert!(page.len() < 1_000_000, "{} bytes", page.len());
        // Every chart made it in: 50 histograms and 50 category charts,
        // and a sparkline in every row.
        assert_eq!(page.matches("aria-label=\"Histogram of ").count(), 50);
        assert_eq!(page.matches("aria-label=\"Category shares of ").count(), 50);
        assert_eq!(page.matches("<svg class=\"spark\"").count(), 100);
    }

    #[test]
    fn each_method_used_gets_one_line_saying_what_its_score_means() {
        let page = html(&report(&names(7)));
        let notes = &page[page.find("<dl class=\"facts methods\">").unwrap()..];
        let notes = &notes[..notes.find("</dl>").unwrap()];
        let used: std::collections::BTreeSet<&str> = report(&names(7))
            .columns
            .iter()
            .filter_map(|c| c.method.map(|m| m.name()))
            .collect();
        assert_eq!(notes.matches("<dt>").count(), used.len(), "{notes}");
        for m in used {
            assert!(notes.contains(&format!("<dt>{m}</dt><dd>")), "{m}: {notes}");
        }
    }

    #[test]
    fn one_row_and_one_chart_per_column() {
        let r = report(&names(7));
        let page = html(&r);
        let table = &page[page.find("<table id=\"cols\"").unwrap()..];
        let table = &table[..table.find("</table>").unwrap()];
        assert_eq!(table.matches("<tr data-drift=").count(), 7);
        // Drifted first (display order): columns 0, 3, 6 drift.
        let first_rows: Vec<&str> = table
            .split("<tr data-drift=\"")
            .skip(1)
            .map(|row| &row[..1])
            .collect();
        assert_eq!(first_rows, ["1", "1", "1", "0", "0", "0", "0"]);
        assert_eq!(page.matches("<details class=\"col\"").count(), 7);
        assert_eq!(page.matches("<svg class=\"chart").count(), 7);
        for c in &r.columns {
            assert!(
                page.contains(&format!(">{}</a> <span class=\"b ", c.name)),
                "{}",
                c.name
            );
        }
        // Drifted columns' details start open, the others closed.
        assert_eq!(
            page.matches("<details class=\"col\" id=\"c0\" open>")
                .count(),
            1
        );
        assert_eq!(page.matches("<details class=\"col\" id=\"c1\">").count(), 1);
        // New and vanished categories are badged.
        assert!(page.contains(">new</text>") && page.contains(">vanished</text>"));
    }

    #[test]
    fn user_text_is_escaped() {
        assert_eq!(escape("plain"), "plain");
        assert_eq!(
            escape(r#"<script>alert("x")</script> & 'q'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;"
        );
        let evil = "<script>alert(1)</script>";
        let mut r = report(&[evil.to_string(), "b\"><img src=x onerror=alert(2)>".into()]);
        r.reference.path = "<b>ref</b>.parquet".into();
        if let Some(Distribution::Categories { labels, .. }) = &mut r.columns[1].distribution {
            labels[0] = "</svg><script>alert(3)</script>".into();
        }
        let page = html(&r);
        assert!(
            !page.contains("<script>alert"),
            "raw script tag in the page"
        );
        assert!(!page.contains("<img"));
        assert!(!page.contains("<b>ref"));
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        // Only the page's own two scripts, both allowed by hash in the CSP.
        assert_eq!(page.matches("<script>").count(), 2);
        assert!(page.contains(&csp_hash(JS)) && page.contains(&csp_hash(HEAD_JS)));
    }

    #[test]
    fn control_characters_in_user_text_are_shown_not_obeyed() {
        let mut r = report(&names(3));
        let hostile = super::super::sample::HOSTILE;
        r.columns[1].name = hostile.into();
        r.reference.path = "ref\r::warning::cr.parquet".into();
        if let Some(Distribution::Categories { labels, .. }) = &mut r.columns[1].distribution {
            labels[0] = "\u{1b}[2J\u{2028}::notice::S".into();
        }
        for f in &mut r.findings {
            if f.column.as_deref() == Some("feature_number_01") {
                f.column = Some(hostile.into());
                f.message = format!("missing values in `{hostile}` rose");
            }
        }
        let page = html(&r);
        super::super::sample::assert_no_hidden_text(&page);
        for shown in [
            "<td><a href=\"#c1\">x\\n::error::pwned</a> <span class=\"b ",
            "aria-label=\"Category shares of x\\n::error::pwned: ",
            "<title>\\u{1b}[2J\\u{2028}::notice::S: reference ",
            "Reference <code>ref\\r::warning::cr.parquet</code>",
            "<a href=\"#c1\"><code>x\\n::error::pwned</code></a> missing values in <code>x\\n::error::pwned</code> rose",
        ] {
            assert!(page.contains(shown), "{shown:?} not in the page");
        }
    }

    #[test]
    fn history_chart_only_with_history() {
        let mut r = report(&names(3));
        let page = html(&r);
        assert!(!page.contains("id=\"history\""));
        assert!(!page.contains("<polyline"));
        r.history = Some(history());
        let page = html(&r);
        assert!(page.contains("id=\"history\""));
        assert_eq!(page.matches("<polyline").count(), 1);
        assert_eq!(page.matches("<circle").count(), 12);
        assert!(page.contains("threshold 50.0%"));
    }

    #[test]
    fn performance_cards_color_the_delta_by_direction() {
        let mut r = report(&names(2));
        let metrics = |rmse: f64, r2: f64| {
            Metrics::Regression(RegressionMetrics {
                rows: 100,
                mae: rmse * 0.8,
                rmse,
                mape: None,
                mape_skipped_zero_targets: 0,
                r2: Some(r2),
            })
        };
        r.performance = Some(Performance {
            task: Some(Task::Regression),
            target: Some("y".into()),
            prediction: Some("y_hat".into()),
            reference: Some(metrics(1.0, 0.9)),
            current: Some(metrics(1.5, 0.8)),
            delta: [("rmse", 0.5), ("mae", 0.4), ("r2", -0.1)]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            target_drift: None,
            prediction_drift: None,
            estimated: None,
        });
        let page = html(&r);
        assert!(page.contains("id=\"performance\""));
        // A higher rmse and a lower r2 are both worse.
        assert!(page.contains("<span class=\"worse\">+0.5000 worse</span>"));
        assert!(page.contains("<span class=\"worse\">-0.1000 worse</span>"));
        assert!(!page.contains("better</span>"));
    }

    #[test]
    fn odd_reports_still_render() {
        let mut r = report(&names(3));
        r.dataset_drift.total_columns = 0;
        r.history = Some(Vec::new());
        let c = &mut r.columns[0];
        c.kind = ColumnKind::Text;
        c.method = None;
        c.score = None;
        c.drift_detected = None;
        c.distribution = None;
        c.stats.current = None;
        c.dtype.current = None;
        let c = &mut r.columns[1];
        c.score = Some(f64::NAN);
        c.distribution = Some(Distribution::Histogram {
            edges: vec![1.5, 2.5],
            reference: vec![1.0],
            current: vec![1.0],
        });
        let c = &mut r.columns[2];
        c.distribution = Some(Distribution::Categories {
            labels: vec![],
            reference: vec![],
            current: vec![],
            status: vec![],
            other: None,
        });
        let page = html(&r);
        assert!(page.contains("No columns could be tested for drift"));
        assert!(page.contains("No distribution to plot"));
        assert!(page.contains("No categories to plot"));
        assert!(page.contains("No earlier runs"));
        assert!(page.contains("<td class=\"n\" data-v=\"\">NaN</td>"));
        assert!(page.ends_with("</html>\n"));
    }

    #[test]
    fn output_is_deterministic_and_self_contained() {
        let mut r = report(&names(5));
        r.history = Some(history());
        let (a, b) = (html(&r), html(&r));
        assert_eq!(a, b);
        for banned in ["http://", "https://", "src=", "@import", "url("] {
            assert!(!a.contains(banned), "{banned}");
        }
    }

    /// Writes the fixtures' report (and one with a made-up history) to /tmp
    /// to look at in a browser.
    #[test]
    #[ignore = "writes /tmp/driftmend-report*.html for a manual look"]
    fn fixtures_page() {
        let csv = crate::data::CsvOptions::default();
        let roles = crate::data::Selection::all().keeping_rows_of(["is_fraud", "fraud_score"]);
        let reference = crate::data::load(
            "fixtures/reference.parquet",
            &csv,
            &roles,
            &Default::default(),
        )
        .unwrap();
        let current = crate::data::load(
            "fixtures/current_drifted.parquet",
            &csv,
            &roles,
            &Default::default(),
        )
        .unwrap();
        let settings = crate::report::AnalysisSettings {
            exclude: vec!["id".into()],
            target: Some("is_fraud".into()),
            prediction: Some("fraud_score".into()),
            ..Default::default()
        };
        let mut r = crate::report::build(
            &reference,
            &current,
            &settings,
            "0.1.0",
            "2026-01-02T03:04:05Z",
        )
        .unwrap();
        std::fs::write("/tmp/driftmend-report.html", html(&r)).unwrap();
        r.history = Some(history());
        std::fs::write("/tmp/driftmend-report-history.html", html(&r)).unwrap();
        std::fs::write("/tmp/driftmend-report-50.html", html(&report(&names(50)))).unwrap();
    }
}
