//! Drift over time (policy runs): the drift share of each run against the
//! threshold as an SVG line chart, coloured by incident, and as a table.

use std::fmt::{self, Write as _};

use super::super::format::fmt_share;
use super::charts::C;
use super::{escape, plural};
use crate::report::model::HistoryPoint;

const HIS_W: f64 = 480.0;
const HIS_H: f64 = 196.0;
const HIS_L: f64 = 40.0;
const HIS_R: f64 = 466.0;
const HIS_T: f64 = 10.0;
const HIS_B: f64 = 160.0;

/// Okabe-Ito colours of the incident types (grey for unknown ones).
fn incident_color(incident: &str) -> &'static str {
    match incident {
        "healthy" => "#009E73",
        "covariate_drift" => "#D55E00",
        "prediction_drift" => "#E69F00",
        "performance_degradation" => "#CC79A7",
        "data_quality" => "#56B4E9",
        "schema_break" => "#0072B2",
        _ => "#999999",
    }
}

/// Drift share per run against the threshold; points coloured by incident.
pub(super) fn write_history(h: &[HistoryPoint], threshold: f64, o: &mut String) -> fmt::Result {
    o.push_str("<section id=\"history\">\n<h2>Drift over time</h2>\n");
    if h.is_empty() {
        o.push_str("<p class=\"mut\">No earlier runs.</p>\n</section>\n");
        return Ok(());
    }
    let y = |v: f64| HIS_B - v.clamp(0.0, 1.0) * (HIS_B - HIS_T);
    let x = |i: usize| {
        if h.len() == 1 {
            (HIS_L + HIS_R) / 2.0
        } else {
            HIS_L + 8.0 + i as f64 * (HIS_R - HIS_L - 16.0) / (h.len() - 1) as f64
        }
    };
    write!(
        o,
        "<figure><svg class=\"chart hist\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"Drift share of the last {} runs against the threshold {}\">",
        C(HIS_W),
        C(HIS_H),
        h.len(),
        escape(&fmt_share(threshold)),
    )?;
    for tick in [0.0, 0.25, 0.5, 0.75, 1.0] {
        write!(
            o,
            "<line class=\"{}\" x1=\"{}\" x2=\"{}\" y1=\"{yy}\" y2=\"{yy}\"/><text class=\"e\" x=\"{}\" y=\"{}\">{}%</text>",
            if tick == 0.0 { "ax" } else { "gl" },
            C(HIS_L),
            C(HIS_R),
            C(HIS_L - 4.0),
            C(y(tick) + 4.0),
            tick * 100.0,
            yy = C(y(tick)),
        )?;
    }
    write!(
        o,
        "<line class=\"th\" x1=\"{}\" x2=\"{}\" y1=\"{yy}\" y2=\"{yy}\"><title>threshold {t}</title></line>\
",
        C(HIS_L),
        C(HIS_R),
        yy = C(y(threshold)),
        t = escape(&fmt_share(threshold)),
    )?;
    if h.len() > 1 {
        o.push_str("<polyline class=\"ln\" points=\"");
        for (i, p) in h.iter().enumerate() {
            if i > 0 {
                o.push(' ');
            }
            write!(o, "{},{}", C(x(i)), C(y(p.drift_share)))?;
        }
        o.push_str("\"/>");
    }
    for (i, p) in h.iter().enumerate() {
        write!(
            o,
            "<circle class=\"pt{}\" cx=\"{}\" cy=\"{}\" r=\"4.5\" style=\"--pc:{}\"><title>{} {}: drift {} ({} {}), {}, {} quality {}</title></circle>",
            if p.incident == "healthy" { " ok" } else { "" },
            C(x(i)),
            C(y(p.drift_share)),
            incident_color(&p.incident),
            escape(&p.at),
            escape(&p.run_id),
            escape(&fmt_share(p.drift_share)),
            p.drifted_columns,
            plural(p.drifted_columns, "column", "columns"),
            escape(&p.incident),
            p.quality_errors,
            plural(p.quality_errors, "error", "errors"),
        )?;
    }
    let day = |s: &str| s.chars().take(16).collect::<String>().replace('T', " ");
    write!(
        o,
        "<text x=\"{}\" y=\"{ty}\">{}</text>",
        C(HIS_L),
        escape(&day(&h[0].at)),
        ty = C(HIS_B + 18.0),
    )?;
    if h.len() > 1 {
        write!(
            o,
            "<text class=\"e\" x=\"{}\" y=\"{}\">{}</text>",
            C(HIS_R),
            C(HIS_B + 18.0),
            escape(&day(&h[h.len() - 1].at)),
        )?;
    }
    o.push_str("</svg><figcaption class=\"legend\">");
    let mut seen: Vec<&str> = Vec::new();
    for p in h {
        if !seen.contains(&p.incident.as_str()) {
            seen.push(&p.incident);
        }
    }
    for inc in seen {
        write!(
            o,
            "<span><span class=\"sw dot{}\" style=\"--pc:{}\"></span>{}</span>",
            if inc == "healthy" { " hol" } else { "" },
            incident_color(inc),
            escape(inc)
        )?;
    }
    writeln!(
        o,
        "<span><span class=\"sw thk\"></span>threshold {}</span></figcaption></figure>",
        escape(&fmt_share(threshold))
    )?;
    o.push_str(
        "<details class=\"runs\"><summary>Runs as a table</summary><div class=\"tw\"><table class=\"grid\"><thead><tr>\
         <th>At</th><th>Run</th><th>Incident</th><th class=\"n\">Drift share</th><th class=\"n\">Drifted columns</th>\
         <th class=\"n\">Quality errors</th></tr></thead><tbody>",
    );
    for p in h.iter().rev() {
        write!(
            o,
            "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(&p.at),
            escape(&p.run_id),
            escape(&p.incident),
            escape(&fmt_share(p.drift_share)),
            p.drifted_columns,
            p.quality_errors,
        )?;
    }
    o.push_str("</tbody></table></div></details>\n</section>\n");
    Ok(())
}
