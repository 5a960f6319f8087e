//! The performance section: each metric on both sides with its change, and
//! target and prediction drift.

use std::fmt::{self, Write as _};

use super::super::format::{fmt_score, performance_rows};
use super::escape;
use crate::report::model::{Performance, RoleDrift, Task};

/// Metrics where a smaller value is the better model.
const LOWER_IS_BETTER: &[&str] = &["log_loss", "mae", "rmse", "mape"];

/// `("better" | "worse" | "same" | "", word)` of a metric's change.
pub(super) fn delta_tone(name: &str, delta: Option<f64>) -> (&'static str, &'static str) {
    let Some(d) = delta.filter(|d| d.is_finite()) else {
        return ("", "");
    };
    let signed = if LOWER_IS_BETTER.contains(&name) {
        -d
    } else {
        d
    };
    if name == "rows" || signed == 0.0 {
        ("same", "no change")
    } else if signed > 0.0 {
        ("better", "better")
    } else {
        ("worse", "worse")
    }
}

pub(super) fn write_performance(p: &Performance, o: &mut String) -> fmt::Result {
    let task = match p.task {
        Some(Task::Classification) => "classification",
        Some(Task::Regression) => "regression",
        None => "no task",
    };
    write!(
        o,
        "<section id=\"performance\">\n<h2>Performance</h2>\n<p class=\"mut\">{task}"
    )?;
    if let Some(t) = &p.target {
        write!(o, "; target <code>{}</code>", escape(t))?;
    }
    if let Some(pr) = &p.prediction {
        write!(o, "; prediction <code>{}</code>", escape(pr))?;
    }
    o.push_str("</p>\n");
    let rows = performance_rows(p);
    if rows.is_empty() {
        o.push_str("<p>No side has both labels and predictions.</p>\n");
    } else {
        o.push_str(
            "<div class=\"tw\"><table class=\"grid\"><thead><tr><th>Metric</th><th class=\"n\">Reference</th>\
             <th class=\"n\">Current</th><th class=\"n\">Delta</th></tr></thead><tbody>\n",
        );
        for [name, rv, cv, dv] in rows {
            let (tone, word) = delta_tone(&name, p.delta.get(name.as_str()).copied());
            writeln!(
                o,
                "<tr><td>{}</td><td class=\"n\">{rv}</td><td class=\"n\">{cv}</td><td class=\"n {tone}\">{dv}{}</td></tr>",
                escape(&name),
                if word.is_empty() || tone == "same" {
                    String::new()
                } else {
                    format!(" <span class=\"sr\">{word}</span>")
                }
            )?;
        }
        o.push_str("</tbody></table></div>\n");
    }
    let role_drift = |label: &str, rd: &RoleDrift, o: &mut String| -> fmt::Result {
        let (badge, word) = match rd.drift_detected {
            Some(true) => ("b-drift", "DRIFT"),
            Some(false) => ("b-ok", "ok"),
            None => ("b-na", "not tested"),
        };
        writeln!(
            o,
            "<p>{label} <code>{}</code>: <span class=\"b {badge}\">{word}</span> {} {} (threshold {})</p>",
            escape(&rd.column),
            rd.method.map(|m| m.name()).unwrap_or("-"),
            rd.score.map(fmt_score).unwrap_or_else(|| "-".into()),
            rd.threshold.map(fmt_score).unwrap_or_else(|| "-".into()),
        )
    };
    if let Some(t) = &p.target_drift {
        role_drift("Target drift", t, o)?;
    }
    if let Some(t) = &p.prediction_drift {
        role_drift("Prediction drift", t, o)?;
    }
    if let Some(e) = &p.estimated {
        super::estimated::write_estimated(e, o)?;
    }
    o.push_str("</section>\n");
    Ok(())
}
