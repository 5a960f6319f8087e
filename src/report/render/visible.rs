//! Makes invisible and line-breaking characters in user text visible
//! (`\n`, `\u{1b}`) before a human format shows it.
//!
//! Column names, category values, file paths and the finding messages that
//! quote them come from the data. Left raw, a line break in them ends a
//! Markdown table row, and on stdout it starts a new line that a CI runner
//! reads as a command (GitHub Actions runs `::error::...` lines); terminal
//! escapes and bidi overrides change what a reader sees; XML 1.0 cannot
//! carry most control characters at all. The table, Markdown (and so the
//! step summary), HTML and JUnit renderers and the GitHub annotations
//! therefore render [`report`]'s copy. JSON and Prometheus keep the exact
//! text: serde's and the exposition format's escaping are lossless.
//!
//! The visible form is for reading, not for parsing back: a backslash is
//! left as it is (Windows paths stay readable), so a name holding a
//! backslash and an `n` looks like one holding a line feed. The JSON report
//! has the exact text.

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::report::distribution::Distribution;
use crate::report::model::{
    CategoryChanges, ColumnReport, ColumnStats, DatasetInfo, Finding, HistoryPoint, Metrics,
    NewCategories, Performance, Report, ReportOptions, RoleDrift, SchemaDiff, TopCategory,
    TypeChange,
};
use crate::stats::performance::ClassificationMetrics;

/// Whether `c` must not reach a human format as it is: C0 controls
/// (tab, line feed and carriage return included), DEL, C1 controls (NEL
/// included), the Unicode line and paragraph separators, and the bidi
/// embeddings, overrides and isolates (the "Trojan Source" set rustc lints).
pub fn needs_escape(c: char) -> bool {
    // `is_control` is Unicode's Cc: U+0000..=U+001F and U+007F..=U+009F.
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// `s` with each character [`needs_escape`] names written out: `\t`, `\n`,
/// `\r`, and `\u{hex}` for the others. Borrowed when nothing needs it.
pub fn text(s: &str) -> Cow<'_, str> {
    if !s.contains(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if needs_escape(c) => {
                // Writing to a String cannot fail.
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A copy of `report` with every piece of text passed through [`text`].
/// Names stay consistent with each other (a finding's `column` still
/// matches its column's `name`), since the same name always maps to the
/// same visible form.
pub fn report(report: &Report) -> Report {
    let mut copy = report.clone();
    each_text(&mut copy, &mut |s: &mut String| {
        if let Cow::Owned(visible) = text(s) {
            *s = visible;
        }
    });
    copy
}

/// Calls `f` on every string of a report. The structs are destructured
/// without `..`, so a field added to the model does not compile until it is
/// listed here, text or not.
fn each_text(r: &mut Report, f: &mut dyn FnMut(&mut String)) {
    let Report {
        schema_version: _,
        driftmend_version,
        generated_at,
        reference,
        current,
        options,
        dataset_drift: _,
        schema,
        quality: _,
        columns,
        performance,
        multivariate,
        history,
        findings,
        chunking,
        chunks,
    } = r;
    if let Some(m) = multivariate {
        m.features
            .iter_mut()
            .chain(&mut m.categorical)
            .for_each(&mut *f);
    }
    f(driftmend_version);
    f(generated_at);
    dataset_info(reference, f);
    dataset_info(current, f);
    report_options(options, f);
    schema_diff(schema, f);
    for c in columns {
        column(c, f);
    }
    if let Some(p) = performance {
        performance_texts(p, f);
    }
    for h in history.iter_mut().flatten() {
        let HistoryPoint {
            at,
            run_id,
            incident,
            drift_share: _,
            drifted_columns: _,
            quality_errors: _,
        } = h;
        f(at);
        f(run_id);
        f(incident);
    }
    for finding_ in findings {
        finding(finding_, f);
    }
    if let Some(c) = chunking {
        let crate::report::model::ChunkingInfo {
            chunker: _,
            timestamp,
        } = c;
        timestamp.iter_mut().for_each(&mut *f);
    }
    for c in chunks.iter_mut().flatten() {
        let crate::report::model::ChunkReport {
            chunk,
            rows: _,
            dataset_drift: _,
            columns,
        } = c;
        f(&mut chunk.key);
        for col in columns {
            f(&mut col.name);
        }
    }
}

fn dataset_info(d: &mut DatasetInfo, f: &mut dyn FnMut(&mut String)) {
    let DatasetInfo {
        path,
        files,
        rows: _,
        columns: _,
        duplicated_rows: _,
        duplicated_rows_over: _,
    } = d;
    f(path);
    files.iter_mut().for_each(&mut *f);
}

fn report_options(o: &mut ReportOptions, f: &mut dyn FnMut(&mut String)) {
    let ReportOptions {
        drift_share: _,
        bins,
        target,
        prediction,
        seed: _,
        min_effect: _,
        correction: _,
        preset: _,
        calibrate: _,
    } = o;
    f(bins);
    target.iter_mut().chain(prediction).for_each(&mut *f);
}

fn schema_diff(s: &mut SchemaDiff, f: &mut dyn FnMut(&mut String)) {
    let SchemaDiff {
        missing_in_current,
        new_in_current,
        type_changed,
    } = s;
    missing_in_current
        .iter_mut()
        .chain(new_in_current)
        .for_each(&mut *f);
    for t in type_changed {
        let TypeChange {
            column,
            reference,
            current,
        } = t;
        f(column);
        f(reference);
        f(current);
    }
}

fn column(c: &mut ColumnReport, f: &mut dyn FnMut(&mut String)) {
    let ColumnReport {
        name,
        kind: _,
        role: _,
        dtype,
        method: _,
        score: _,
        score_kind: _,
        statistic: _,
        threshold: _,
        p_value_adjusted: _,
        adjusted_threshold: _,
        effect_size: _,
        drift_detected: _,
        small_effect: _,
        gates: _,
        missing: _,
        stats,
        categories,
        distribution,
        out_of_range: _,
        exactness: _,
        findings,
    } = c;
    f(name);
    dtype
        .reference
        .iter_mut()
        .chain(&mut dtype.current)
        .for_each(&mut *f);
    for s in stats.reference.iter_mut().chain(&mut stats.current) {
        column_stats(s, f);
    }
    if let Some(CategoryChanges {
        new:
            NewCategories {
                count: _,
                share: _,
                examples,
            },
        vanished,
        vanished_count: _,
    }) = categories
    {
        examples.iter_mut().chain(vanished).for_each(&mut *f);
    }
    match distribution {
        Some(Distribution::Categories {
            labels,
            reference: _,
            current: _,
            status: _,
            other: _,
        }) => labels.iter_mut().for_each(&mut *f),
        Some(Distribution::Histogram {
            edges: _,
            reference: _,
            current: _,
        })
        | None => {}
    }
    for finding_ in findings {
        finding(finding_, f);
    }
}

fn column_stats(s: &mut ColumnStats, f: &mut dyn FnMut(&mut String)) {
    let ColumnStats {
        count: _,
        missing: _,
        distinct: _,
        summary: _,
        infinite: _,
        top,
        first,
        last,
    } = s;
    if let Some(TopCategory { value, share: _ }) = top {
        f(value);
    }
    first.iter_mut().chain(last).for_each(&mut *f);
}

fn performance_texts(p: &mut Performance, f: &mut dyn FnMut(&mut String)) {
    let Performance {
        task: _,
        target,
        prediction,
        reference,
        current,
        delta,
        target_drift,
        prediction_drift,
        estimated,
    } = p;
    if let Some(e) = estimated {
        f(&mut e.positive_label);
    }
    target.iter_mut().chain(prediction).for_each(&mut *f);
    for m in reference.iter_mut().chain(current) {
        match m {
            Metrics::Classification(ClassificationMetrics {
                classes,
                positive_label,
                rows: _,
                accuracy: _,
                precision: _,
                recall: _,
                f1: _,
                macro_precision: _,
                macro_recall: _,
                macro_f1: _,
                roc_auc: _,
                log_loss: _,
                undefined_reason: _,
            }) => classes.iter_mut().chain(positive_label).for_each(&mut *f),
            Metrics::Regression(_) => {}
        }
    }
    // Keys are metric names, never user text; mapped all the same.
    *delta = std::mem::take(delta)
        .into_iter()
        .map(|(mut k, v)| {
            f(&mut k);
            (k, v)
        })
        .collect();
    for rd in target_drift.iter_mut().chain(prediction_drift) {
        let RoleDrift {
            column,
            method: _,
            score: _,
            threshold: _,
            drift_detected: _,
        } = rd;
        f(column);
    }
}

fn finding(x: &mut Finding, f: &mut dyn FnMut(&mut String)) {
    let Finding {
        severity: _,
        code: _,
        column,
        message,
    } = x;
    column.iter_mut().for_each(&mut *f);
    f(message);
}

#[cfg(test)]
mod tests {
    use super::super::sample;
    use super::*;

    #[test]
    fn control_characters_become_visible() {
        let cases = [
            ("plain name", "plain name"),
            ("x\n::error::pwned", "x\\n::error::pwned"),
            ("a\r\nb\tc", "a\\r\\nb\\tc"),
            ("nul\0bell\u{7}", "nul\\u{0}bell\\u{7}"),
            ("\u{1b}[31mred\u{1b}[0m", "\\u{1b}[31mred\\u{1b}[0m"),
            ("del\u{7f}", "del\\u{7f}"),
            (
                "c1\u{80}nel\u{85}csi\u{9b}",
                "c1\\u{80}nel\\u{85}csi\\u{9b}",
            ),
            ("line\u{2028}para\u{2029}", "line\\u{2028}para\\u{2029}"),
            (
                "bidi\u{202a}\u{202b}\u{202c}\u{202d}\u{202e}",
                "bidi\\u{202a}\\u{202b}\\u{202c}\\u{202d}\\u{202e}",
            ),
            (
                "iso\u{2066}\u{2067}\u{2068}\u{2069}",
                "iso\\u{2066}\\u{2067}\\u{2068}\\u{2069}",
            ),
            // Printable text stays as it is, backslashes and all.
            ("C:\\data\\ref.csv", "C:\\data\\ref.csv"),
            ("é ü 日本 \u{a0} \u{200b} 🦀", "é ü 日本 \u{a0} \u{200b} 🦀"),
            ("", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(text(input), expected, "{input:?}");
        }
        assert!(matches!(text("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn every_text_of_a_report_is_escaped_and_names_still_match() {
        let mut r = sample::hostile();
        r.history = Some(vec![HistoryPoint {
            at: "2026\n".into(),
            run_id: "run\r".into(),
            incident: "\u{202e}healthy".into(),
            drift_share: 0.1,
            drifted_columns: 1,
            quality_errors: 0,
        }]);
        let v = report(&r);
        // Every string, the JSON way: serde writes a raw control character
        // as `\n` or `\u00XX` and the others as they are, and a backslash
        // as `\\`; with those pairs dropped, no escape may be left.
        let json = serde_json::to_string(&v).unwrap().replace("\\\\", "");
        assert!(!json.contains('\\'), "{json}");
        assert!(!json.contains(needs_escape), "{json}");
        let name = "x\\n::error::pwned";
        assert_eq!(v.columns[1].name, name);
        assert_eq!(v.reference.path, "ref\\r::warning::cr.parquet");
        assert_eq!(v.history.as_ref().unwrap()[0].incident, "\\u{202e}healthy");
        // A finding still names its column.
        let of_column = |r: &Report, name: &str| {
            r.findings
                .iter()
                .filter(|f| f.column.as_deref() == Some(name))
                .count()
        };
        assert_eq!(of_column(&v, name), of_column(&r, sample::HOSTILE));
        assert_eq!(of_column(&v, name), 1);
        // A report without such text comes back unchanged.
        assert_eq!(report(&sample::drifted()), sample::drifted());
    }
}
