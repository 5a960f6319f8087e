//! The Prometheus renderer: the report as gauges in the text exposition
//! format 0.0.4, for node_exporter's textfile collector or a Pushgateway.
//! Pure: the run's duration and last success time are passed in.
//!
//! No timestamps, LF line endings, `# HELP` and `# TYPE` before each family,
//! and a family only when it has samples. Every sample carries `model` and
//! `policy` labels when they are set, so one scrape holds several models.
//! The textfile collector reads whatever is in the file when it scrapes:
//! write it to a temporary file and rename it into place
//! (`atomic_file::write`).

use std::io::{self, Write};

use crate::report::model::Report;

/// Labels on every sample, naming the run.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MetricLabels {
    /// The model the data feeds.
    pub model: Option<String>,
    /// The policy that ran (`driftmend run`).
    pub policy: Option<String>,
}

impl MetricLabels {
    fn pairs(&self) -> Vec<(&'static str, &str)> {
        [("model", &self.model), ("policy", &self.policy)]
            .into_iter()
            .filter_map(|(name, value)| Some((name, value.as_deref()?)))
            .collect()
    }
}

/// One metric family: its samples as (own labels, value).
struct Family {
    name: &'static str,
    help: &'static str,
    samples: Vec<(Vec<(&'static str, String)>, f64)>,
}

impl Family {
    fn new(name: &'static str, help: &'static str) -> Family {
        Family {
            name,
            help,
            samples: Vec::new(),
        }
    }

    fn add(&mut self, labels: &[(&'static str, &str)], value: f64) {
        let labels = labels.iter().map(|(k, v)| (*k, v.to_string())).collect();
        self.samples.push((labels, value));
    }

    fn with(mut self, labels: &[(&'static str, &str)], value: f64) -> Family {
        self.add(labels, value);
        self
    }
}

pub fn render(
    report: &Report,
    labels: &MetricLabels,
    run_duration_seconds: f64,
    last_success_unix: Option<f64>,
    w: &mut dyn Write,
) -> io::Result<()> {
    let bool_value = |b: bool| if b { 1.0 } else { 0.0 };
    let mut score = Family::new(
        "driftmend_column_drift_score",
        "Drift score of a column: a p-value or a distance, as its method defines it.",
    );
    let mut detected = Family::new(
        "driftmend_column_drift_detected",
        "1 when the column drifted, 0 when it did not; absent when it was not tested.",
    );
    let mut effect = Family::new(
        "driftmend_column_effect_size",
        "Effect size of a column's drift: normalised Wasserstein (numerical) or Jensen-Shannon distance (categorical).",
    );
    let mut missing = Family::new(
        "driftmend_column_missing_share",
        "Share of missing values of a column, per side (reference or current).",
    );
    for c in &report.columns {
        let column = [("column", c.name.as_str())];
        if let (Some(m), Some(s)) = (c.method, c.score) {
            score.add(&[column[0], ("method", m.name())], s);
        }
        if let Some(d) = c.drift_detected {
            detected.add(&column, bool_value(d));
        }
        if let Some(e) = c.effect_size {
            effect.add(&column, e);
        }
        for (side, share) in [
            ("reference", c.missing.reference),
            ("current", c.missing.current),
        ] {
            if let Some(share) = share {
                missing.add(&[column[0], ("side", side)], share);
            }
        }
    }
    let d = &report.dataset_drift;
    let mut families = vec![
        score,
        detected,
        effect,
        missing,
        Family::new(
            "driftmend_dataset_drift_share",
            "Share of feature columns that drifted.",
        )
        .with(&[], d.share),
        Family::new(
            "driftmend_dataset_drift_detected",
            "1 when the drifted share reached the dataset drift threshold.",
        )
        .with(&[], bool_value(d.detected)),
        Family::new(
            "driftmend_drifted_columns",
            "Number of feature columns that drifted.",
        )
        .with(&[], d.drifted_columns as f64),
        Family::new(
            "driftmend_quality_findings",
            "Number of data-quality and schema findings, per severity.",
        )
        .with(&[("severity", "error")], report.quality.errors as f64)
        .with(&[("severity", "warning")], report.quality.warnings as f64),
        Family::new("driftmend_rows", "Rows of each dataset.")
            .with(&[("side", "reference")], report.reference.rows as f64)
            .with(&[("side", "current")], report.current.rows as f64),
        Family::new(
            "driftmend_run_duration_seconds",
            "Wall-clock duration of the driftmend run.",
        )
        .with(&[], run_duration_seconds),
    ];
    if let Some(t) = last_success_unix {
        families.push(
            Family::new(
                "driftmend_last_success_timestamp_seconds",
                "Unix time of the last successful driftmend run.",
            )
            .with(&[], t),
        );
    }
    if let Some(p) = &report.performance {
        let mut perf = Family::new(
            "driftmend_performance",
            "Model performance metric on each side (reference or current).",
        );
        for (side, metrics) in [("reference", &p.reference), ("current", &p.current)] {
            for (metric, value) in metrics.iter().flat_map(|m| m.values()) {
                if let Some(v) = value {
                    perf.add(&[("metric", metric), ("side", side)], v);
                }
            }
        }
        families.push(perf);
        if let Some(e) = &p.estimated {
            let mut value = Family::new(
                "driftmend_performance_estimated",
                "Performance of the current batch estimated without labels (CBPE).",
            );
            let mut alert = Family::new(
                "driftmend_performance_estimated_alert",
                "1 when the estimated metric is outside its reference thresholds.",
            );
            let mut threshold = Family::new(
                "driftmend_performance_estimated_threshold",
                "Lower and upper alert thresholds of an estimated metric (reference chunks, mean +- 3 std).",
            );
            for m in &e.metrics {
                let metric = ("metric", m.metric.as_str());
                if let Some(v) = m.value {
                    value.add(&[metric], v);
                    alert.add(&[metric], bool_value(m.alert));
                }
                for (bound, t) in [("lower", m.lower_threshold), ("upper", m.upper_threshold)] {
                    if let Some(t) = t {
                        threshold.add(&[metric, ("bound", bound)], t);
                    }
                }
            }
            families.extend([value, alert, threshold]);
        }
    }
    if let Some(m) = &report.multivariate {
        let mut threshold = Family::new(
            "driftmend_multivariate_threshold",
            "Lower and upper thresholds of the reconstruction error (reference chunks, mean +- 3 std).",
        );
        for (bound, t) in [("lower", m.lower_threshold), ("upper", m.upper_threshold)] {
            if let Some(t) = t {
                threshold.add(&[("bound", bound)], t);
            }
        }
        families.extend([
            Family::new(
                "driftmend_multivariate_error",
                "Mean PCA reconstruction error of the current rows (multivariate drift).",
            )
            .with(&[], m.error),
            Family::new(
                "driftmend_multivariate_drift_detected",
                "1 when the reconstruction error is outside its thresholds.",
            )
            .with(&[], bool_value(m.drift_detected)),
            threshold,
        ]);
    }
    if let Some(latest) = report.chunks.as_ref().and_then(|c| c.last()) {
        families.extend(latest_chunk(latest, bool_value));
    }
    let common = labels.pairs();
    for family in families.iter().filter(|f| !f.samples.is_empty()) {
        writeln!(w, "# HELP {} {}", family.name, escape_help(family.help))?;
        writeln!(w, "# TYPE {} gauge", family.name)?;
        for (own, value) in &family.samples {
            let all: Vec<String> = common
                .iter()
                .map(|(k, v)| (*k, *v))
                .chain(own.iter().map(|(k, v)| (*k, v.as_str())))
                .map(|(k, v)| format!("{k}=\"{}\"", escape_label(v)))
                .collect();
            let labels = match all.is_empty() {
                true => String::new(),
                false => format!("{{{}}}", all.join(",")),
            };
            writeln!(w, "{}{labels} {}", family.name, fmt_value(*value))?;
        }
    }
    Ok(())
}

/// The latest chunk (`report --chunk-by ...`): its key as an info gauge, and
/// its column and dataset verdicts. No chunk label on the verdicts, so a
/// series stays one series from run to run.
fn latest_chunk(
    c: &crate::report::model::ChunkReport,
    bool_value: impl Fn(bool) -> f64,
) -> Vec<Family> {
    let mut score = Family::new(
        "driftmend_latest_chunk_column_drift_score",
        "Drift score of a column in the latest chunk of the current data.",
    );
    let mut detected = Family::new(
        "driftmend_latest_chunk_column_drift_detected",
        "1 when the column drifted in the latest chunk, 0 when it did not.",
    );
    for col in &c.columns {
        if let (Some(m), Some(s)) = (col.method, col.score) {
            score.add(&[("column", col.name.as_str()), ("method", m.name())], s);
        }
        if let Some(d) = col.drift_detected {
            detected.add(&[("column", col.name.as_str())], bool_value(d));
        }
    }
    let mut info = Family::new(
        "driftmend_latest_chunk_info",
        "The latest chunk of the current data (its key); always 1.",
    );
    info.add(&[("chunk", c.chunk.key.as_str())], 1.0);
    vec![
        info,
        score,
        detected,
        Family::new(
            "driftmend_latest_chunk_dataset_drift_share",
            "Share of feature columns that drifted in the latest chunk.",
        )
        .with(&[], c.dataset_drift.share),
        Family::new("driftmend_latest_chunk_rows", "Rows of the latest chunk.")
            .with(&[], c.rows as f64),
    ]
}

/// The Pushgateway URL path of this run's group: `/metrics/job/<job>`, then
/// `/model/<model>` and `/policy/<policy>` when set. A value that is not
/// plain URL-safe text (a `/`, spaces, empty, `.`/`..`) goes base64url
/// encoded as `<label>@base64/<value>`, as the Pushgateway README specifies.
pub fn push_path(job: &str, labels: &MetricLabels) -> String {
    let mut path = String::from("/metrics");
    for (name, value) in std::iter::once(("job", job)).chain(labels.pairs()) {
        let plain = !matches!(value, "" | "." | "..")
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
        if plain {
            path.push_str(&format!("/{name}/{value}"));
        } else {
            path.push_str(&format!("/{name}@base64/{}", base64url(value.as_bytes())));
        }
    }
    path
}

/// RFC 4648 base64 with the URL and filename safe alphabet, padded; `=`
/// for empty input, which is how the Pushgateway takes an empty value.
fn base64url(bytes: &[u8]) -> String {
    use base64::Engine;
    if bytes.is_empty() {
        return "=".into();
    }
    base64::engine::general_purpose::URL_SAFE.encode(bytes)
}

/// Sample values as Prometheus parses them: `NaN`, `+Inf`, integers without
/// a fraction, others in Rust's shortest round-trip form (`1e-7`).
fn fmt_value(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:?}")
    }
}

/// Label values: backslash, double quote and line feed.
fn escape_label(s: &str) -> String {
    s.replace('\\', r"\\")
        .replace('"', "\\\"")
        .replace('\n', r"\n")
}

/// HELP text: backslash and line feed.
fn escape_help(s: &str) -> String {
    s.replace('\\', r"\\").replace('\n', r"\n")
}

#[cfg(test)]
mod tests {
    use super::super::sample;
    use super::*;

    fn text(report: &Report, labels: &MetricLabels, last_success: Option<f64>) -> String {
        let mut buf = Vec::new();
        render(report, labels, 2.5, last_success, &mut buf).unwrap();
        String::from_utf8(buf).unwrap()
    }

    fn labelled() -> MetricLabels {
        MetricLabels {
            model: Some("fraud".into()),
            policy: Some("nightly".into()),
        }
    }

    /// `[a-zA-Z_:][a-zA-Z0-9_:]*` for metric names (`colon` true) and
    /// `[a-zA-Z_][a-zA-Z0-9_]*` for label names.
    fn valid_name(name: &str, colon: bool) -> bool {
        let ok = |c: char| c.is_ascii_alphanumeric() || c == '_' || (colon && c == ':');
        name.chars()
            .next()
            .is_some_and(|c| !c.is_ascii_digit() && ok(c))
            && name.chars().all(ok)
    }

    /// One parsed sample line; label values still escaped.
    struct Sample {
        name: String,
        labels: Vec<(String, String)>,
        value: String,
    }

    impl Sample {
        fn has(&self, key: &str, value: &str) -> bool {
            self.labels.iter().any(|(k, v)| k == key && v == value)
        }
    }

    type Labels<'a> = &'a [(&'a str, &'a str)];

    fn sample_line(line: &str) -> Sample {
        let (series, value) = line.rsplit_once(' ').expect("no value");
        let (name, labels) = match series.split_once('{') {
            None => (series, Vec::new()),
            Some((name, rest)) => {
                let body = rest.strip_suffix('}').expect("unclosed labels");
                let mut labels = Vec::new();
                let mut rest = body;
                while !rest.is_empty() {
                    let (key, after) = rest.split_once("=\"").expect("label without =\"");
                    // The value ends at the first `"` not escaped by `\`.
                    let mut end = None;
                    let mut escaped = false;
                    for (i, c) in after.char_indices() {
                        match (escaped, c) {
                            (true, _) => escaped = false,
                            (false, '\\') => escaped = true,
                            (false, '"') => {
                                end = Some(i);
                                break;
                            }
                            _ => {}
                        }
                    }
                    let end = end.expect("unterminated label value");
                    labels.push((key.to_string(), after[..end].to_string()));
                    rest = after[end + 1..]
                        .strip_prefix(',')
                        .unwrap_or(&after[end + 1..]);
                }
                (name, labels)
            }
        };
        Sample {
            name: name.to_string(),
            labels,
            value: value.to_string(),
        }
    }

    /// Well-formed exposition: HELP then TYPE then samples of that family
    /// only, valid names, every sample with the common labels, values that
    /// parse, no family twice, LF only.
    fn check(text: &str, common: Labels) -> Vec<Sample> {
        assert!(text.ends_with('\n') && !text.contains('\r'));
        let mut seen = Vec::new();
        let mut samples = Vec::new();
        let mut family = String::new();
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("# HELP ") {
                family = rest.split_once(' ').unwrap().0.to_string();
                assert!(valid_name(&family, true), "{family}");
                assert!(!seen.contains(&family), "{family} twice");
                seen.push(family.clone());
            } else if let Some(rest) = line.strip_prefix("# TYPE ") {
                assert_eq!(rest, format!("{family} gauge"));
            } else {
                let sample = sample_line(line);
                assert_eq!(sample.name, family, "{line}");
                let mut names: Vec<&str> = sample.labels.iter().map(|(k, _)| k.as_str()).collect();
                for k in &names {
                    assert!(valid_name(k, false) && !k.starts_with("__"), "{k}");
                }
                names.sort();
                names.dedup();
                assert_eq!(names.len(), sample.labels.len(), "repeated label in {line}");
                for (k, v) in common {
                    assert!(sample.has(k, v), "{line}");
                }
                let v = sample.value.as_str();
                assert!(
                    ["NaN", "+Inf", "-Inf"].contains(&v) || v.parse::<f64>().is_ok(),
                    "{v}"
                );
                samples.push(sample);
            }
        }
        samples
    }

    fn value<'a>(samples: &'a [Sample], name: &str, own: Labels) -> &'a str {
        let found = samples
            .iter()
            .find(|s| s.name == name && own.iter().all(|(k, v)| s.has(k, v)));
        &found.unwrap_or_else(|| panic!("no {name} {own:?}")).value
    }

    #[test]
    fn drifted_report_as_labelled_gauges() {
        let out = text(&sample::drifted(), &labelled(), Some(1_795_000_000.0));
        let samples = check(&out, &[("model", "fraud"), ("policy", "nightly")]);
        assert!(out.starts_with(
            "# HELP driftmend_column_drift_score Drift score of a column: a p-value or a distance, as its method defines it.\n\
             # TYPE driftmend_column_drift_score gauge\n\
             driftmend_column_drift_score{model=\"fraud\",policy=\"nightly\",column=\"age\",method=\"wasserstein\"} 0.774\n"
        ));
        let cases: &[(&str, Labels, &str)] = &[
            (
                "driftmend_column_drift_score",
                &[("column", "income"), ("method", "psi")],
                "0.31",
            ),
            (
                "driftmend_column_drift_detected",
                &[("column", "income")],
                "1",
            ),
            (
                "driftmend_column_drift_detected",
                &[("column", "country")],
                "0",
            ),
            (
                "driftmend_column_effect_size",
                &[("column", "income")],
                "0.52",
            ),
            (
                "driftmend_column_missing_share",
                &[("column", "income"), ("side", "current")],
                "0.1",
            ),
            ("driftmend_dataset_drift_share", &[], "0.6666666666666666"),
            ("driftmend_dataset_drift_detected", &[], "1"),
            ("driftmend_drifted_columns", &[], "2"),
            ("driftmend_quality_findings", &[("severity", "error")], "1"),
            (
                "driftmend_quality_findings",
                &[("severity", "warning")],
                "3",
            ),
            ("driftmend_rows", &[("side", "reference")], "2000"),
            ("driftmend_run_duration_seconds", &[], "2.5"),
            (
                "driftmend_last_success_timestamp_seconds",
                &[],
                "1795000000",
            ),
            (
                "driftmend_performance",
                &[("metric", "mae"), ("side", "current")],
                "6",
            ),
            (
                "driftmend_performance",
                &[("metric", "rmse"), ("side", "reference")],
                "7.5",
            ),
        ];
        for (name, own, expected) in cases {
            assert_eq!(value(&samples, name, own), *expected, "{name} {own:?}");
        }
        // Untested columns have no score or verdict; a side without the
        // column has no missing share.
        let any = |name: &str, own: Labels| {
            samples
                .iter()
                .any(|s| s.name == name && own.iter().all(|(k, v)| s.has(k, v)))
        };
        assert!(any("driftmend_column_drift_score", &[("column", "age")]));
        assert!(!any("driftmend_column_drift_score", &[("column", "email")]));
        assert!(!any(
            "driftmend_column_drift_detected",
            &[("column", "credit_score")]
        ));
        assert!(any(
            "driftmend_column_missing_share",
            &[("column", "credit_score"), ("side", "reference")]
        ));
        assert!(!any(
            "driftmend_column_missing_share",
            &[("column", "credit_score"), ("side", "current")]
        ));
    }

    #[test]
    fn the_latest_chunk_has_families_of_its_own() {
        let mut r = sample::healthy();
        assert!(!text(&r, &labelled(), None).contains("latest_chunk"));
        r.chunks = Some(vec![
            sample::chunk(0, &[("age", Some(false), Some(0.01))]),
            sample::chunk(1, &[("age", Some(true), Some(0.3)), ("income", None, None)]),
        ]);
        let out = text(&r, &labelled(), None);
        let samples = check(&out, &[("model", "fraud"), ("policy", "nightly")]);
        let v = |name, own| value(&samples, name, own);
        assert_eq!(
            v("driftmend_latest_chunk_info", &[("chunk", "2026-11-02")]),
            "1"
        );
        assert_eq!(
            v(
                "driftmend_latest_chunk_column_drift_detected",
                &[("column", "age")]
            ),
            "1"
        );
        assert_eq!(v("driftmend_latest_chunk_dataset_drift_share", &[]), "0.5");
        assert_eq!(v("driftmend_latest_chunk_rows", &[]), "10");
        // An untested column has no verdict sample, and no score without a method.
        assert!(!out
            .lines()
            .any(|l| l.starts_with("driftmend_latest_chunk_") && l.contains("income")));
        assert!(!out.contains("driftmend_latest_chunk_column_drift_score{"));
    }

    #[test]
    fn optional_families_and_labels() {
        let mut r = sample::healthy();
        r.performance = None;
        let out = text(&r, &MetricLabels::default(), None);
        check(&out, &[]);
        assert!(out.contains("\ndriftmend_dataset_drift_detected 0\n"));
        assert!(!out.contains("driftmend_last_success_timestamp_seconds"));
        assert!(!out.contains("driftmend_performance"));
        assert!(!out.contains("model="));
        let policy_only = MetricLabels {
            model: None,
            policy: Some("p".into()),
        };
        let out = text(&r, &policy_only, None);
        check(&out, &[("policy", "p")]);
        assert!(out.contains("\ndriftmend_rows{policy=\"p\",side=\"current\"} 1500\n"));
    }

    #[test]
    fn label_values_are_escaped() {
        let mut r = sample::healthy();
        r.columns[0].name = "a\\b\"c\nd".into();
        let labels = MetricLabels {
            model: Some("m\"1".into()),
            policy: None,
        };
        let out = text(&r, &labels, None);
        check(&out, &[("model", "m\\\"1")]);
        assert!(out.contains(
            "driftmend_column_drift_detected{model=\"m\\\"1\",column=\"a\\\\b\\\"c\\nd\"} 0\n"
        ));
        assert_eq!(escape_help("a\\b\nc"), "a\\\\b\\nc");
    }

    #[test]
    fn values_parse_as_prometheus_floats() {
        let cases = [
            (0.0, "0"),
            (1.0, "1"),
            (-3.0, "-3"),
            (0.25, "0.25"),
            (1e-7, "1e-7"),
            (1.5e20, "1.5e20"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "+Inf"),
            (f64::NEG_INFINITY, "-Inf"),
        ];
        for (v, expected) in cases {
            assert_eq!(fmt_value(v), expected);
        }
    }

    #[test]
    fn push_paths_encode_what_a_path_cannot_hold() {
        let cases: &[(&str, Option<&str>, Option<&str>, &str)] = &[
            ("driftmend", None, None, "/metrics/job/driftmend"),
            (
                "driftmend",
                Some("fraud-v2"),
                Some("nightly"),
                "/metrics/job/driftmend/model/fraud-v2/policy/nightly",
            ),
            // The Pushgateway README's example value.
            (
                "driftmend",
                Some("/var/tmp"),
                None,
                "/metrics/job/driftmend/model@base64/L3Zhci90bXA=",
            ),
            (
                "driftmend",
                Some(""),
                None,
                "/metrics/job/driftmend/model@base64/=",
            ),
            (
                "driftmend",
                None,
                Some(".."),
                "/metrics/job/driftmend/policy@base64/Li4=",
            ),
            (
                "a b",
                Some("x?y"),
                None,
                "/metrics/job@base64/YSBi/model@base64/eD95",
            ),
        ];
        for (job, model, policy, expected) in cases {
            let labels = MetricLabels {
                model: model.map(str::to_string),
                policy: policy.map(str::to_string),
            };
            assert_eq!(push_path(job, &labels), *expected);
        }
    }

    #[test]
    fn base64url_matches_rfc_4648() {
        // RFC 4648 section 10 test vectors, and the URL-safe characters.
        let cases: &[(&[u8], &str)] = &[
            (b"f", "Zg=="),
            (b"fo", "Zm8="),
            (b"foo", "Zm9v"),
            (b"foob", "Zm9vYg=="),
            (b"fooba", "Zm9vYmE="),
            (b"foobar", "Zm9vYmFy"),
            (&[0xfb, 0xff], "-_8="),
        ];
        for (input, expected) in cases {
            assert_eq!(base64url(input), *expected);
        }
    }
}
