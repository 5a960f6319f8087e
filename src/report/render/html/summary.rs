//! The summary section: the verdict, the datasets and the cards (drifted
//! columns, quality, rows, schema, headline performance metrics).

use std::fmt::{self, Write as _};

use super::super::format::{fmt_count, fmt_share, Status};
use super::charts::C;
use super::performance::delta_tone;
use super::{escape, plural};
use crate::report::model::{Metrics, Performance, Report, Task};

pub(super) fn write_summary(r: &Report, status: Status, text: &str, o: &mut String) -> fmt::Result {
    let d = &r.dataset_drift;
    let badge = match status {
        Status::Ok => "b-ok",
        Status::Warnings => "b-warning",
        _ => "b-drift",
    };
    let label = match status {
        Status::Warnings if d.total_columns == 0 => "NOT TESTED",
        other => other.label(),
    };
    write!(
        o,
        "<section id=\"summary\" aria-label=\"Summary\">\n<p class=\"verdict\"><span class=\"b {badge}\">{label}</span> <span>{}</span></p>\n",
        escape(text)
    )?;
    o.push_str("<p class=\"meta\">");
    for (i, (side, info)) in [("Reference", &r.reference), ("Current", &r.current)]
        .into_iter()
        .enumerate()
    {
        if i > 0 {
            o.push_str("<br>");
        }
        write!(o, "{side} <code>{}</code>", escape(&info.path))?;
        if info.files.len() > 1 {
            write!(o, " ({} files)", info.files.len())?;
        }
    }
    write!(
        o,
        "<br>Generated {} by driftmend {}</p>\n<div class=\"cards\">\n",
        escape(&r.generated_at),
        escape(&r.driftmend_version)
    )?;

    // Drifted columns, with a meter of the share against the threshold.
    let tone = if d.total_columns == 0 {
        ""
    } else if d.detected {
        " drift"
    } else {
        " ok"
    };
    let pct = |x: f64| C((x * 100.0).clamp(0.0, 100.0));
    writeln!(
        o,
        "<div class=\"card{tone}\"><h3>Drifted columns</h3><div class=\"big\">{} <span class=\"unit\">of {}</span></div>\
         <div class=\"meter\" role=\"img\" aria-label=\"drift share {s}, threshold {t}\"><span style=\"width:{}%\"></span><i style=\"left:{}%\"></i></div>\
         <p>share {s} vs threshold {t}</p></div>",
        d.drifted_columns,
        d.total_columns,
        pct(d.share),
        pct(d.threshold),
        s = escape(&fmt_share(d.share)),
        t = escape(&fmt_share(d.threshold)),
    )?;

    let q = &r.quality;
    let tone = if q.errors > 0 {
        " drift"
    } else if q.warnings > 0 {
        " warn"
    } else {
        " ok"
    };
    writeln!(
        o,
        "<div class=\"card{tone}\"><h3>Quality</h3><div class=\"big\">{} <span class=\"unit\">{}</span> · {} <span class=\"unit\">{}</span></div><p>errors first in <a href=\"#findings\">findings</a></p></div>",
        q.errors,
        plural(q.errors, "error", "errors"),
        q.warnings,
        plural(q.warnings, "warning", "warnings"),
    )?;

    writeln!(
        o,
        "<div class=\"card\"><h3>Rows</h3><div class=\"big\">{} <span class=\"unit\">→</span> {}</div><p>reference → current; {} → {} columns</p><p>duplicated rows {} → {}</p></div>",
        fmt_count(r.reference.rows),
        fmt_count(r.current.rows),
        r.reference.columns,
        r.current.columns,
        escape(&fmt_share(r.reference.duplicated_rows)),
        escape(&fmt_share(r.current.duplicated_rows)),
    )?;

    let s = &r.schema;
    let changes = s.missing_in_current.len() + s.new_in_current.len() + s.type_changed.len();
    write!(
        o,
        "<div class=\"card{}\"><h3>Schema</h3><div class=\"big\">{}</div>",
        if changes > 0 { " drift" } else { " ok" },
        if changes == 0 {
            "no changes".to_string()
        } else {
            format!("{changes} {}", plural(changes, "change", "changes"))
        }
    )?;
    let names = |v: &mut dyn Iterator<Item = &String>| {
        v.map(|n| format!("<code>{}</code>", escape(n)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !s.missing_in_current.is_empty() {
        write!(
            o,
            "<p>missing: {}</p>",
            names(&mut s.missing_in_current.iter())
        )?;
    }
    if !s.new_in_current.is_empty() {
        write!(o, "<p>new: {}</p>", names(&mut s.new_in_current.iter()))?;
    }
    for t in &s.type_changed {
        write!(
            o,
            "<p><code>{}</code>: {} → {}</p>",
            escape(&t.column),
            escape(&t.reference),
            escape(&t.current)
        )?;
    }
    o.push_str("</div>\n");

    if let Some(p) = &r.performance {
        for name in key_metrics(p) {
            let (rv, cv) = (metric(&p.reference, name), metric(&p.current, name));
            let delta = p.delta.get(name).copied();
            let (tone, word) = delta_tone(name, delta);
            let tone = match tone {
                "better" => " ok",
                "worse" => " drift",
                _ => "",
            };
            writeln!(
                o,
                "<div class=\"card{tone}\"><h3>{name}</h3><div class=\"big sm\">{} <span class=\"unit\">→</span> {}</div><p>{}</p></div>",
                opt_metric(rv),
                opt_metric(cv),
                delta_html(name, delta, word),
            )?;
        }
    }
    o.push_str("</div>\n</section>\n");
    Ok(())
}

/// Up to three headline metrics of the task that either side has.
fn key_metrics(p: &Performance) -> Vec<&'static str> {
    let prefer: &[&'static str] = match p.task {
        Some(Task::Regression) => &["rmse", "mae", "r2", "mape"],
        _ => &["roc_auc", "f1", "accuracy", "macro_f1", "log_loss"],
    };
    prefer
        .iter()
        .copied()
        .filter(|n| metric(&p.reference, n).is_some() || metric(&p.current, n).is_some())
        .take(3)
        .collect()
}

fn metric(m: &Option<Metrics>, name: &str) -> Option<f64> {
    m.as_ref()?
        .values()
        .into_iter()
        .find(|(n, _)| *n == name)
        .and_then(|(_, v)| v)
}

fn opt_metric(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.4}")).unwrap_or_else(|| "-".into())
}

fn delta_html(name: &str, delta: Option<f64>, word: &str) -> String {
    match delta {
        Some(d) => {
            let (tone, _) = delta_tone(name, Some(d));
            format!("<span class=\"{tone}\">{d:+.4} {word}</span>")
        }
        None => "no delta (a side lacks labels or predictions)".into(),
    }
}
