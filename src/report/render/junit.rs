//! The JUnit XML renderer, for CI test reports (GitLab `artifacts:reports:junit`,
//! Jenkins `junit`): each column's drift verdict and each quality check is a
//! test case, so a drifted column shows up as a failed test.
//!
//! Shape:
//!
//! ```text
//! <testsuites name="driftmend" tests=.. failures=.. errors="0" skipped=.. time="0">
//!   <testsuite name="drift" ...>      dataset verdict, then one case per column:
//!                                     failed when drifted, skipped when not tested
//!   <testsuite name="quality" ...>    schema, duplicated rows, then one case per
//!                                     column: failed on an error finding;
//!                                     warnings in <system-out>
//! ```
//!
//! With chunks (`report --chunk-by ...`), a third suite `latest_chunk`
//! holds the latest chunk's verdicts: a case per tested column (class
//! `latest_chunk`), failed when it drifted in that chunk; the chunk's key
//! is a property.
//!
//! Dataset-level cases have the class names `drift.dataset` and
//! `quality.dataset`, so they never clash with a column's case (class
//! `drift` or `quality`, named after the column).

use std::io::{self, Write};

use super::format::{drift_headline, fmt_score, fmt_share, headline, missing_pair};
use super::{visible, RenderOptions};
use crate::report::model::{ColumnReport, ColumnStats, Finding, FindingCode, Report, Severity};
use crate::stats::Method;

pub fn render(report: &Report, w: &mut dyn Write, _opts: &RenderOptions) -> io::Result<()> {
    let report = &visible::report(report);
    let mut suites = vec![drift_suite(report), quality_suite(report)];
    suites.extend(latest_chunk_suite(report));
    let count = |f: fn(&Suite) -> usize| suites.iter().map(f).sum::<usize>();
    writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        w,
        r#"<testsuites name="driftmend" tests="{}" failures="{}" errors="0" skipped="{}" time="0">"#,
        count(|s| s.cases.len()),
        count(Suite::failures),
        count(Suite::skipped),
    )?;
    for suite in &suites {
        write_suite(suite, w)?;
    }
    writeln!(w, "</testsuites>")
}

/// The verdict as the comparison that made it: `psi 0.31 >= 0.2`, with the
/// adjusted p-value where a correction applied. `None` for an untested
/// column.
pub(crate) fn drift_reason(c: &ColumnReport) -> Option<String> {
    let (method, score, threshold) = (c.method?, c.score?, c.threshold?);
    // A `--min-effect` overrule keeps the test's own verdict in the comparison.
    let test_passed = c
        .gates
        .as_ref()
        .and_then(|g| g.test.as_ref())
        .is_some_and(|t| t.passed);
    let tested_drift = c.drift_detected? || c.small_effect || test_passed;
    let op = comparison(method, tested_drift);
    let name = method.name();
    let mut reason = match c.p_value_adjusted {
        Some(adj) => format!(
            "{name} {} (adjusted {}) {op} {}",
            compact(score),
            compact(adj),
            compact(threshold)
        ),
        None => format!("{name} {} {op} {}", compact(score), compact(threshold)),
    };
    if c.small_effect {
        let effect = c.effect_size.map(compact).unwrap_or_else(|| "-".into());
        reason.push_str(&format!(", but effect size {effect} is below --min-effect"));
    }
    let effect_gate = c
        .gates
        .as_ref()
        .and_then(|g| g.test.as_ref().and(g.effect.as_ref()));
    if let Some(e) = effect_gate {
        let (joint, op) = if e.passed {
            (", and", ">=")
        } else {
            (", but", "<")
        };
        reason.push_str(&format!(
            "{joint} effect {} {} {op} {}",
            e.measure,
            compact(e.value),
            compact(e.threshold)
        ));
    }
    Some(reason)
}

/// The operator that holds between score and threshold for `drifted`,
/// derived from `Method::drifted` itself so the two cannot disagree.
pub(super) fn comparison(method: Method, drifted: bool) -> &'static str {
    let t = method.default_threshold();
    let drift_op = match (method.drifted(t / 2.0, t), method.drifted(t, t)) {
        (true, true) => "<=",
        (true, false) => "<",
        (false, true) => ">=",
        (false, false) => ">",
    };
    match (drifted, drift_op) {
        (true, op) => op,
        (false, "<=") => ">",
        (false, "<") => ">=",
        (false, ">=") => "<",
        (false, _) => "<=",
    }
}

/// `fmt_score` without trailing zeros: `0.31`, `0.2`, `1e-7`, `1.23e-5`.
fn compact(x: f64) -> String {
    let s = fmt_score(x);
    let (mantissa, exponent) = s.split_at(s.find('e').unwrap_or(s.len()));
    let mantissa = match mantissa.contains('.') {
        true => mantissa.trim_end_matches('0').trim_end_matches('.'),
        false => mantissa,
    };
    format!("{mantissa}{exponent}")
}

struct Suite {
    name: &'static str,
    cases: Vec<Case>,
    /// `<properties>` of the suite.
    properties: Vec<(&'static str, String)>,
}

impl Suite {
    fn failures(&self) -> usize {
        let failed = |c: &&Case| matches!(c.outcome, Outcome::Failure { .. });
        self.cases.iter().filter(failed).count()
    }

    fn skipped(&self) -> usize {
        let skipped = |c: &&Case| matches!(c.outcome, Outcome::Skipped(_));
        self.cases.iter().filter(skipped).count()
    }
}

struct Case {
    classname: &'static str,
    name: String,
    outcome: Outcome,
    /// Lines of `<system-out>`.
    out: Vec<String>,
}

enum Outcome {
    Passed,
    Failure {
        message: String,
        kind: &'static str,
        body: Vec<String>,
    },
    Skipped(String),
}

/// The latest chunk's verdicts, when the report has chunks.
fn latest_chunk_suite(report: &Report) -> Option<Suite> {
    let latest = report.chunks.as_ref()?.last()?;
    let cases = latest
        .columns
        .iter()
        .map(|c| {
            let reason = match (c.method, c.score, c.threshold) {
                (Some(m), Some(s), Some(t)) => {
                    format!("{} {} (threshold {})", m.name(), compact(s), compact(t))
                }
                _ => String::new(),
            };
            let outcome = match c.drift_detected {
                Some(true) => Outcome::Failure {
                    message: match reason.as_str() {
                        "" => format!("drifted in chunk {}", latest.chunk.key),
                        _ => format!("drifted in chunk {}: {reason}", latest.chunk.key),
                    },
                    kind: "drift",
                    body: Vec::new(),
                },
                Some(false) => Outcome::Passed,
                None => Outcome::Skipped(format!("not tested in chunk {}", latest.chunk.key)),
            };
            Case {
                classname: "latest_chunk",
                name: c.name.clone(),
                outcome,
                out: if reason.is_empty() {
                    Vec::new()
                } else {
                    vec![reason]
                },
            }
        })
        .collect();
    Some(Suite {
        name: "latest_chunk",
        cases,
        properties: vec![
            ("chunk", latest.chunk.key.clone()),
            ("rows", latest.rows.to_string()),
        ],
    })
}

fn drift_suite(report: &Report) -> Suite {
    let d = &report.dataset_drift;
    let text = drift_headline(report);
    let (status, verdict) = headline(report);
    let outcome = if d.total_columns == 0 {
        Outcome::Skipped(text.clone())
    } else if d.detected {
        Outcome::Failure {
            message: format!(
                "drift: {} of {} columns drifted ({} >= {})",
                d.drifted_columns,
                d.total_columns,
                fmt_share(d.share),
                fmt_share(d.threshold)
            ),
            kind: "drift",
            body: vec![text.clone()],
        }
    } else {
        Outcome::Passed
    };
    let dataset = Case {
        classname: "drift.dataset",
        name: "dataset drift".into(),
        out: match outcome {
            Outcome::Passed => vec![text],
            _ => Vec::new(),
        },
        outcome,
    };
    let columns = report.columns.iter().map(|c| {
        let evidence = evidence(c);
        let outcome = match (c.drift_detected, drift_reason(c)) {
            (Some(true), reason) => Outcome::Failure {
                message: format!("drift: {}", reason.unwrap_or_else(|| "detected".into())),
                kind: "drift",
                body: evidence.clone(),
            },
            (Some(false), _) => Outcome::Passed,
            (None, _) => Outcome::Skipped(not_tested_reason(report, c)),
        };
        let out = match outcome {
            Outcome::Passed => evidence,
            _ => Vec::new(),
        };
        Case {
            classname: "drift",
            name: c.name.clone(),
            outcome,
            out,
        }
    });
    Suite {
        name: "drift",
        cases: std::iter::once(dataset).chain(columns).collect(),
        properties: vec![
            ("verdict", status.label().to_string()),
            ("headline", verdict),
            ("driftmend_version", report.driftmend_version.clone()),
            ("generated_at", report.generated_at.clone()),
            ("reference", report.reference.path.clone()),
            ("current", report.current.path.clone()),
            ("drift_share", report.options.drift_share.to_string()),
        ],
    }
}

/// The column's findings, or what its kind implies.
fn not_tested_reason(report: &Report, c: &ColumnReport) -> String {
    let messages: Vec<&str> = findings_of(report, &c.name)
        .map(|f| f.message.as_str())
        .collect();
    if messages.is_empty() {
        format!("{} column: drift is not tested", c.kind.name())
    } else {
        messages.join("; ")
    }
}

/// Everything the verdict rests on, one fact a line.
fn evidence(c: &ColumnReport) -> Vec<String> {
    let opt = |x: Option<f64>| x.map(compact).unwrap_or_else(|| "-".into());
    let mut lines = vec![format!(
        "column: {} ({}, {})",
        c.name,
        c.kind.name(),
        c.role.name()
    )];
    if let Some(m) = c.method {
        let kind = match m.score_kind() {
            crate::stats::ScoreKind::PValue => "p-value",
            crate::stats::ScoreKind::Distance => "distance",
        };
        lines.push(format!("method: {} ({kind})", m.name()));
    }
    lines.push(format!("score: {}", opt(c.score)));
    if let Some(s) = c.statistic {
        lines.push(format!("statistic: {}", compact(s)));
    }
    if let Some(p) = c.p_value_adjusted {
        lines.push(format!("adjusted p-value: {}", compact(p)));
    }
    lines.push(format!("threshold: {}", opt(c.threshold)));
    if let Some(t) = c.adjusted_threshold {
        lines.push(format!("adjusted threshold: {}", compact(t)));
    }
    lines.push(format!("effect size: {}", opt(c.effect_size)));
    lines.push(format!("missing: {}", missing_pair(c)));
    if let Some(o) = c.out_of_range {
        lines.push(format!("out of range: {}", fmt_share(o)));
    }
    for (side, stats) in [
        ("reference", &c.stats.reference),
        ("current", &c.stats.current),
    ] {
        if let Some(s) = stats {
            lines.push(format!("{side}: {}", stats_summary(s)));
        }
    }
    lines
}

/// `count 1940, missing 60, distinct 1940, mean 52000, std 13000, ...`
fn stats_summary(s: &ColumnStats) -> String {
    let mut parts = vec![
        format!("count {}", s.count),
        format!("missing {}", s.missing),
        format!("distinct {}", s.distinct),
    ];
    if let Some(m) = &s.summary {
        parts.push(format!("mean {}", compact(m.mean)));
        if let Some(std) = m.std {
            parts.push(format!("std {}", compact(std)));
        }
        for (name, v) in [("min", m.min), ("p50", m.p50), ("max", m.max)] {
            parts.push(format!("{name} {}", compact(v)));
        }
    }
    if let Some(top) = &s.top {
        parts.push(format!("top {} ({})", top.value, fmt_share(top.share)));
    }
    if let (Some(first), Some(last)) = (&s.first, &s.last) {
        parts.push(format!("range {first} .. {last}"));
    }
    parts.join(", ")
}

const SCHEMA_CODES: [FindingCode; 3] = [
    FindingCode::ColumnMissing,
    FindingCode::ColumnAdded,
    FindingCode::TypeChanged,
];

fn quality_suite(report: &Report) -> Suite {
    let schema: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| SCHEMA_CODES.contains(&f.code))
        .collect();
    let duplicated: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.code == FindingCode::DuplicatedRows)
        .collect();
    // Findings no other case shows (a column outside `columns`, a
    // dataset-level finding of another kind), so none is lost.
    let other: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| !SCHEMA_CODES.contains(&f.code) && f.code != FindingCode::DuplicatedRows)
        .filter(|f| match &f.column {
            Some(name) => !report.columns.iter().any(|c| &c.name == name),
            None => true,
        })
        .collect();
    let mut cases = vec![
        quality_case("quality.dataset", "schema", &schema, Vec::new()),
        quality_case(
            "quality.dataset",
            "duplicated rows",
            &duplicated,
            vec![format!(
                "duplicated rows: {} of the reference, {} of the current data",
                fmt_share(report.reference.duplicated_rows),
                fmt_share(report.current.duplicated_rows)
            )],
        ),
    ];
    if !other.is_empty() {
        cases.push(quality_case(
            "quality.dataset",
            "other findings",
            &other,
            Vec::new(),
        ));
    }
    for c in &report.columns {
        let findings: Vec<&Finding> = findings_of(report, &c.name).collect();
        cases.push(quality_case("quality", &c.name, &findings, Vec::new()));
    }
    Suite {
        name: "quality",
        cases,
        properties: Vec::new(),
    }
}

/// Failed when any finding is an error; warnings (and `notes`) go to
/// `<system-out>`.
fn quality_case(
    classname: &'static str,
    name: &str,
    findings: &[&Finding],
    notes: Vec<String>,
) -> Case {
    let messages = |severity: Severity| -> Vec<String> {
        findings
            .iter()
            .filter(|f| f.severity == severity)
            .map(|f| f.message.clone())
            .collect()
    };
    let errors = messages(Severity::Error);
    let mut out = notes;
    out.extend(
        messages(Severity::Warning)
            .into_iter()
            .map(|m| format!("warning: {m}")),
    );
    let outcome = if errors.is_empty() {
        Outcome::Passed
    } else {
        Outcome::Failure {
            message: errors.join("; "),
            kind: "quality",
            body: errors.iter().map(|m| format!("error: {m}")).collect(),
        }
    };
    Case {
        classname,
        name: name.to_string(),
        outcome,
        out,
    }
}

/// Findings of one column, from the report-wide list (which also holds the
/// ones no column lists, such as performance findings).
fn findings_of<'a>(report: &'a Report, column: &'a str) -> impl Iterator<Item = &'a Finding> {
    report
        .findings
        .iter()
        .filter(move |f| f.column.as_deref() == Some(column))
}

fn write_suite(suite: &Suite, w: &mut dyn Write) -> io::Result<()> {
    writeln!(
        w,
        r#"  <testsuite name="{}" tests="{}" failures="{}" errors="0" skipped="{}" time="0">"#,
        suite.name,
        suite.cases.len(),
        suite.failures(),
        suite.skipped(),
    )?;
    if !suite.properties.is_empty() {
        writeln!(w, "    <properties>")?;
        for (name, value) in &suite.properties {
            writeln!(
                w,
                r#"      <property name="{name}" value="{}"/>"#,
                escape(value)
            )?;
        }
        writeln!(w, "    </properties>")?;
    }
    for case in &suite.cases {
        write!(
            w,
            r#"    <testcase classname="{}" name="{}" time="0""#,
            case.classname,
            escape(&case.name)
        )?;
        if matches!(case.outcome, Outcome::Passed) && case.out.is_empty() {
            writeln!(w, "/>")?;
            continue;
        }
        writeln!(w, ">")?;
        match &case.outcome {
            Outcome::Passed => {}
            Outcome::Failure {
                message,
                kind,
                body,
            } => writeln!(
                w,
                r#"      <failure message="{}" type="{kind}">{}</failure>"#,
                escape(message),
                escape(&body.join("\n"))
            )?,
            Outcome::Skipped(reason) => {
                writeln!(w, r#"      <skipped message="{}"/>"#, escape(reason))?
            }
        }
        if !case.out.is_empty() {
            writeln!(
                w,
                "      <system-out>{}</system-out>",
                escape(&case.out.join("\n"))
            )?;
        }
        writeln!(w, "    </testcase>")?;
    }
    writeln!(w, "  </testsuite>")
}

/// Escapes text for XML content and attribute values alike. User text
/// arrives with its control characters made visible (`visible::report`), so
/// a column name cannot end a line of `<system-out>` or vanish; what XML 1.0
/// still cannot carry (U+FFFE, U+FFFF, a control character in our own text
/// other than tab, LF, CR) is dropped: not even a character reference may
/// stand for it.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(ch),
            '\u{FFFE}' | '\u{FFFF}' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::sample;
    use super::*;

    fn xml(report: &Report) -> String {
        let mut buf = Vec::new();
        render(report, &mut buf, &RenderOptions::default()).unwrap();
        String::from_utf8(buf).unwrap()
    }

    /// One parsed tag: name, attributes, and whether it opens, closes or is
    /// self-closing.
    #[derive(Debug)]
    struct Tag {
        name: String,
        attrs: Vec<(String, String)>,
        close: bool,
        empty: bool,
    }

    /// A tiny well-formedness check: tags balance, attribute values are
    /// double-quoted, and text holds no raw `<` or unknown entity. Returns
    /// the tags in order.
    fn parse(doc: &str) -> Vec<Tag> {
        let body = doc
            .strip_prefix(r#"<?xml version="1.0" encoding="UTF-8"?>"#)
            .expect("XML declaration");
        let mut tags = Vec::new();
        let mut stack: Vec<String> = Vec::new();
        let mut rest = body;
        while let Some(start) = rest.find('<') {
            check_text(&rest[..start]);
            let end = start + rest[start..].find('>').expect("unclosed tag");
            let inner = &rest[start + 1..end];
            rest = &rest[end + 1..];
            let (close, inner) = match inner.strip_prefix('/') {
                Some(i) => (true, i),
                None => (false, inner),
            };
            let (empty, inner) = match inner.strip_suffix('/') {
                Some(i) => (true, i),
                None => (false, inner),
            };
            let name_end = inner.find(' ').unwrap_or(inner.len());
            let name = inner[..name_end].to_string();
            assert!(
                !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
                "bad tag name in <{inner}>"
            );
            let mut attrs = Vec::new();
            let mut a = inner[name_end..].trim_start();
            while !a.is_empty() {
                let eq = a.find("=\"").expect("attribute without =\"");
                let key = a[..eq].to_string();
                let value_end = eq + 2 + a[eq + 2..].find('"').expect("unquoted attribute");
                let value = &a[eq + 2..value_end];
                check_text(value);
                assert!(!value.contains('<'), "raw < in attribute {key}");
                attrs.push((key, value.to_string()));
                a = a[value_end + 1..].trim_start();
            }
            if close {
                assert_eq!(stack.pop().as_deref(), Some(name.as_str()), "unbalanced");
            } else if !empty {
                stack.push(name.clone());
            }
            tags.push(Tag {
                name,
                attrs,
                close,
                empty,
            });
        }
        check_text(rest);
        assert!(stack.is_empty(), "unclosed: {stack:?}");
        assert!(rest.trim().is_empty(), "text after the root element");
        tags
    }

    fn check_text(text: &str) {
        assert!(!text.contains('>'), "raw > in {text:?}");
        for (i, _) in text.match_indices('&') {
            let entity = &text[i..i + text[i..].find(';').expect("unterminated entity") + 1];
            assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"].contains(&entity),
                "unknown entity {entity}"
            );
        }
        for c in text.chars() {
            assert!(!c.is_control() || "\t\n\r".contains(c), "control {c:?}");
        }
    }

    fn attr<'a>(tag: &'a Tag, key: &str) -> &'a str {
        let found = tag.attrs.iter().find(|(k, _)| k == key);
        &found.unwrap_or_else(|| panic!("no {key} on {tag:?}")).1
    }

    /// The counts on each suite and on the root match the cases inside.
    fn check_counts(tags: &[Tag]) {
        let mut totals = [0usize; 3];
        let mut i = 0;
        while i < tags.len() {
            if tags[i].name != "testsuite" || tags[i].close {
                i += 1;
                continue;
            }
            let suite = &tags[i];
            let mut counted = [0usize; 3];
            i += 1;
            while tags[i].name != "testsuite" {
                match (tags[i].name.as_str(), tags[i].close) {
                    ("testcase", false) => counted[0] += 1,
                    ("failure", false) => counted[1] += 1,
                    ("skipped", false) => counted[2] += 1,
                    _ => {}
                }
                i += 1;
            }
            for (k, key) in ["tests", "failures", "skipped"].iter().enumerate() {
                assert_eq!(attr(suite, key), counted[k].to_string(), "{key}");
                totals[k] += counted[k];
            }
            assert_eq!(attr(suite, "time"), "0");
        }
        let root = &tags[0];
        assert_eq!(root.name, "testsuites");
        assert_eq!(attr(root, "name"), "driftmend");
        for (k, key) in ["tests", "failures", "skipped"].iter().enumerate() {
            assert_eq!(attr(root, key), totals[k].to_string(), "root {key}");
        }
    }

    fn case<'a>(tags: &'a [Tag], classname: &str, name: &str) -> &'a [Tag] {
        let start = tags
            .iter()
            .position(|t| {
                t.name == "testcase"
                    && !t.close
                    && attr(t, "classname") == classname
                    && attr(t, "name") == name
            })
            .unwrap_or_else(|| panic!("no case {classname}/{name}"));
        let len = if tags[start].empty {
            1
        } else {
            tags[start..]
                .iter()
                .position(|t| t.name == "testcase" && t.close)
                .unwrap()
                + 1
        };
        &tags[start..start + len]
    }

    #[test]
    fn drifted_report_fails_drifted_columns_and_error_findings() {
        let doc = xml(&sample::drifted());
        let tags = parse(&doc);
        check_counts(&tags);

        let income = case(&tags, "drift", "income");
        let failure = income.iter().find(|t| t.name == "failure").unwrap();
        assert_eq!(attr(failure, "message"), "drift: psi 0.31 &gt;= 0.2");
        assert_eq!(attr(failure, "type"), "drift");
        for evidence in [
            "method: psi (distance)\nscore: 0.31\nthreshold: 0.2\neffect size: 0.52\nmissing: 3.0% -&gt; 10.0%\n",
            "reference: count 1940, missing 60, distinct 1940, mean 52000, std 13000, min 5200, p50 52000, max 260000\n",
        ] {
            assert!(doc.contains(evidence), "{evidence}");
        }

        // Not drifted: passes, its numbers in <system-out>.
        let country = case(&tags, "drift", "country");
        assert!(country.iter().all(|t| t.name != "failure"));
        assert!(doc.contains("<system-out>column: country (categorical, feature)"));

        // Not tested: skipped with the finding's reason.
        let email = case(&tags, "drift", "email");
        let skipped = email.iter().find(|t| t.name == "skipped").unwrap();
        assert!(attr(skipped, "message").contains("looks like an identifier"));

        let dataset = case(&tags, "drift.dataset", "dataset drift");
        assert_eq!(
            attr(&dataset[1], "message"),
            "drift: 2 of 3 columns drifted (66.7% &gt;= 50.0%)"
        );

        // Quality: the missing column fails both its own case and the
        // schema check; a warning only goes to <system-out>.
        for (classname, name) in [("quality", "credit_score"), ("quality.dataset", "schema")] {
            let c = case(&tags, classname, name);
            let failure = c.iter().find(|t| t.name == "failure").unwrap();
            assert_eq!(
                attr(failure, "message"),
                "column `credit_score` is in the reference but missing from the current data"
            );
        }
        let income = case(&tags, "quality", "income");
        assert!(income.iter().all(|t| t.name != "failure"));
        assert!(doc.contains(
            "<system-out>warning: column `income`: missing values rose from 3.0% to 10.0%</system-out>"
        ));
        assert!(doc.contains(
            "<system-out>duplicated rows: 0.0% of the reference, 5.0% of the current data\nwarning: duplicated rows rose"
        ));

        let suites: Vec<_> = tags
            .iter()
            .filter(|t| t.name == "testsuite" && !t.close)
            .map(|t| {
                (
                    attr(t, "name"),
                    attr(t, "tests"),
                    attr(t, "failures"),
                    attr(t, "skipped"),
                )
            })
            .collect();
        // drift: dataset + 6 columns, 3 failed (dataset, age, income), 2
        // skipped; quality: schema, duplicated rows + 6 columns, 2 failed.
        assert_eq!(
            suites,
            [("drift", "7", "3", "2"), ("quality", "8", "2", "0")]
        );
    }

    #[test]
    fn the_latest_chunk_is_a_suite_of_its_own() {
        let mut r = sample::healthy();
        r.chunks = Some(vec![
            sample::chunk(0, &[("age", Some(true), Some(0.3))]),
            sample::chunk(1, &[("age", Some(true), Some(0.4)), ("income", None, None)]),
        ]);
        let doc = xml(&r);
        let tags = parse(&doc);
        check_counts(&tags);
        let suite = tags
            .iter()
            .find(|t| t.name == "testsuite" && !t.close && attr(t, "name") == "latest_chunk")
            .expect("a latest_chunk suite");
        assert_eq!(
            (
                attr(suite, "tests"),
                attr(suite, "failures"),
                attr(suite, "skipped")
            ),
            ("2", "1", "1")
        );
        assert!(
            doc.contains(r#"<property name="chunk" value="2026-11-02"/>"#),
            "{doc}"
        );
        let age = case(&tags, "latest_chunk", "age");
        assert_eq!(attr(&age[1], "message"), "drifted in chunk 2026-11-02");
        // Without chunks, no such suite.
        assert!(!xml(&sample::healthy()).contains("latest_chunk"));
    }

    #[test]
    fn healthy_report_has_no_failures() {
        let tags = parse(&xml(&sample::healthy()));
        check_counts(&tags);
        assert_eq!(attr(&tags[0], "failures"), "0");
        assert!(tags.iter().all(|t| t.name != "failure"));

        // No column tested: the dataset verdict is skipped, not passed.
        let mut r = sample::healthy();
        r.dataset_drift.total_columns = 0;
        let doc = xml(&r);
        let tags = parse(&doc);
        check_counts(&tags);
        let dataset = case(&tags, "drift.dataset", "dataset drift");
        assert_eq!(
            attr(&dataset[1], "message"),
            "No columns could be tested for drift"
        );
    }

    #[test]
    fn hostile_names_are_escaped_and_control_characters_shown() {
        let mut r = sample::drifted();
        let name = "a<&\"'>b\u{7}\u{0}c\u{1b}[31m\u{FFFF}";
        r.columns[1].name = name.into();
        for f in &mut r.findings {
            if f.column.as_deref() == Some("income") {
                f.column = Some(name.into());
                f.message = format!("column `{name}`: ]]> </system-out>");
            }
        }
        let doc = xml(&r);
        parse(&doc);
        let escaped = "a&lt;&amp;&quot;&apos;&gt;b\\u{7}\\u{0}c\\u{1b}[31m";
        assert!(doc.contains(&format!(r#"<testcase classname="drift" name="{escaped}""#)));
        assert!(doc.contains(&format!(
            "warning: column `{escaped}`: ]]&gt; &lt;/system-out&gt;</system-out>"
        )));
        assert_eq!(escape("tab\tand\nlines\r"), "tab\tand\nlines\r");
        assert_eq!(escape("bell\u{7}\u{FFFE}"), "bell");

        let doc = xml(&sample::hostile());
        parse(&doc);
        sample::assert_no_hidden_text(&doc);
        for shown in [
            r#"<testcase classname="drift" name="x\n::error::pwned" time="0">"#,
            r#"<property name="reference" value="ref\r::warning::cr.parquet"/>"#,
            "<system-out>warning: column `x\\n::error::pwned`: missing values rose",
            "top U\\u{1b}[2J\\u{2028}::notice::S (35.0%)",
        ] {
            assert!(doc.contains(shown), "{shown:?} in:\n{doc}");
        }
    }

    #[test]
    fn reasons_follow_each_methods_own_comparison() {
        let mut c = sample::column(
            "x",
            crate::report::model::ColumnKind::Numerical,
            Method::Ks,
            0.01,
        );
        c.threshold = Some(0.05);
        c.drift_detected = Some(true);
        assert_eq!(drift_reason(&c).unwrap(), "ks 0.01 <= 0.05");
        c.method = Some(Method::TTest);
        assert_eq!(drift_reason(&c).unwrap(), "t_test 0.01 < 0.05");
        c.drift_detected = Some(false);
        c.score = Some(0.3);
        assert_eq!(drift_reason(&c).unwrap(), "t_test 0.3 >= 0.05");
        c.method = Some(Method::Energy);
        c.score = Some(0.1);
        c.threshold = Some(0.1);
        assert_eq!(drift_reason(&c).unwrap(), "ed 0.1 <= 0.1");
        // A p-value overruled by --min-effect shows the test's verdict.
        c.method = Some(Method::Ks);
        c.score = Some(1e-7);
        c.effect_size = Some(0.004);
        c.small_effect = true;
        assert_eq!(
            drift_reason(&c).unwrap(),
            "ks 1e-7 <= 0.1, but effect size 0.004 is below --min-effect"
        );
        c.small_effect = false;
        c.drift_detected = Some(true);
        c.p_value_adjusted = Some(0.02);
        assert_eq!(drift_reason(&c).unwrap(), "ks 1e-7 (adjusted 0.02) <= 0.1");

        for (x, short) in [
            (0.0, "0"),
            (0.2, "0.2"),
            (0.77399, "0.774"),
            (1.234e-5, "1.23e-5"),
        ] {
            assert_eq!(compact(x), short);
        }

        // Every method: the operator holds for a score that gets the verdict.
        for m in Method::ALL {
            let t = m.default_threshold();
            for score in [t / 2.0, t, t * 2.0] {
                let drifted = m.drifted(score, t);
                let holds = match comparison(m, drifted) {
                    "<" => score < t,
                    "<=" => score <= t,
                    ">" => score > t,
                    ">=" => score >= t,
                    other => panic!("{other}"),
                };
                assert!(holds, "{} {score} {t}", m.name());
            }
        }
    }
}
