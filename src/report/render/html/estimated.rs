//! Model health without labels: the estimated-performance table with one
//! chart per metric (the estimate over the reference chunks, then the
//! current batch with its 3-SE band, against the thresholds), and the
//! multivariate reconstruction error drawn the same way.

use std::fmt::{self, Write as _};

use super::super::format::{estimated_rows, estimated_title, multivariate_line};
use super::charts::C;
use super::escape;
use crate::report::model::{EstimatedPerformance, Multivariate};

const W: f64 = 320.0;
const H: f64 = 150.0;
const L: f64 = 44.0;
const R: f64 = 306.0;
const T: f64 = 10.0;
const B: f64 = 120.0;

/// One series over the reference chunks and the current batch.
struct BandChart<'a> {
    title: &'a str,
    /// Per reference chunk: the line value (estimate or error) and, if
    /// known, the realized value drawn as a hollow dot.
    reference: Vec<(Option<f64>, Option<f64>)>,
    current: Option<f64>,
    current_realized: Option<f64>,
    band: (Option<f64>, Option<f64>),
    thresholds: (Option<f64>, Option<f64>),
    alert: bool,
}

fn write_chart(c: &BandChart<'_>, o: &mut String) -> fmt::Result {
    let values: Vec<f64> = c
        .reference
        .iter()
        .flat_map(|(a, b)| [*a, *b])
        .chain([
            c.current,
            c.current_realized,
            c.band.0,
            c.band.1,
            c.thresholds.0,
            c.thresholds.1,
        ])
        .flatten()
        .filter(|v| v.is_finite())
        .collect();
    let (Some(lo), Some(hi)) = (
        values.iter().copied().reduce(f64::min),
        values.iter().copied().reduce(f64::max),
    ) else {
        return Ok(());
    };
    let pad = ((hi - lo) * 0.08).max(1e-3);
    let (lo, hi) = (lo - pad, hi + pad);
    let y = |v: f64| B - (v - lo) / (hi - lo) * (B - T);
    let n = c.reference.len() + 1;
    let x = |i: usize| L + 8.0 + i as f64 * (R - L - 16.0) / (n.max(2) - 1) as f64;
    write!(
        o,
        "<figure><svg class=\"chart\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"{}: reference chunks and the current batch against the thresholds\">",
        C(W),
        C(H),
        escape(c.title)
    )?;
    for v in [lo + pad, hi - pad] {
        write!(
            o,
            "<line class=\"gl\" x1=\"{}\" x2=\"{}\" y1=\"{yy}\" y2=\"{yy}\"/><text class=\"e\" x=\"{}\" y=\"{}\">{v:.3}</text>",
            C(L),
            C(R),
            C(L - 4.0),
            C(y(v) + 4.0),
            yy = C(y(v)),
        )?;
    }
    for t in [c.thresholds.0, c.thresholds.1].into_iter().flatten() {
        write!(
            o,
            "<line class=\"th\" x1=\"{}\" x2=\"{}\" y1=\"{yy}\" y2=\"{yy}\"><title>threshold {t:.4}</title></line>",
            C(L),
            C(R),
            yy = C(y(t)),
        )?;
    }
    let line: Vec<String> = c
        .reference
        .iter()
        .enumerate()
        .filter_map(|(i, (v, _))| Some(format!("{},{}", C(x(i)), C(y((*v)?)))))
        .collect();
    if line.len() > 1 {
        write!(o, "<polyline class=\"ln\" points=\"{}\"/>", line.join(" "))?;
    }
    for (i, (v, realized)) in c.reference.iter().enumerate() {
        if let Some(v) = v {
            write!(
                o,
                "<circle class=\"pt\" cx=\"{}\" cy=\"{}\" r=\"3\" style=\"--pc:#0072B2\"><title>reference chunk {}: {v:.4}</title></circle>",
                C(x(i)),
                C(y(*v)),
                i + 1
            )?;
        }
        if let Some(r) = realized {
            write!(
                o,
                "<circle class=\"pt ok\" cx=\"{}\" cy=\"{}\" r=\"3\" style=\"--pc:#009E73\"><title>reference chunk {}: realized {r:.4}</title></circle>",
                C(x(i)),
                C(y(*r)),
                i + 1
            )?;
        }
    }
    let cx = x(n - 1);
    if let (Some(a), Some(b)) = c.band {
        write!(
            o,
            "<rect class=\"bd\" x=\"{}\" y=\"{}\" width=\"10\" height=\"{}\"><title>band {a:.4} .. {b:.4}</title></rect>",
            C(cx - 5.0),
            C(y(b)),
            C((y(a) - y(b)).max(1.0)),
        )?;
    }
    if let Some(v) = c.current {
        write!(
            o,
            "<circle class=\"pt\" cx=\"{}\" cy=\"{}\" r=\"4.5\" style=\"--pc:{}\"><title>current: {v:.4}{}</title></circle>",
            C(cx),
            C(y(v)),
            if c.alert { "#D55E00" } else { "#009E73" },
            if c.alert { " (alert)" } else { "" },
        )?;
    }
    if let Some(r) = c.current_realized {
        write!(
            o,
            "<circle class=\"pt ok\" cx=\"{}\" cy=\"{}\" r=\"4\" style=\"--pc:#009E73\"><title>current: realized {r:.4}</title></circle>",
            C(cx),
            C(y(r)),
        )?;
    }
    write!(
        o,
        "<text x=\"{}\" y=\"{ty}\">reference chunks</text><text class=\"e\" x=\"{}\" y=\"{ty}\">current</text>",
        C(L),
        C(R),
        ty = C(B + 18.0),
    )?;
    writeln!(
        o,
        "</svg><figcaption>{}{}</figcaption></figure>",
        escape(c.title),
        if c.alert { " — alert" } else { "" }
    )
}

const LEGEND: &str = "<p class=\"legend\"><span><span class=\"sw dot\" style=\"--pc:#0072B2\"></span>estimate (or error) per reference chunk</span>\
<span><span class=\"sw dot hol\" style=\"--pc:#009E73\"></span>realized (with labels)</span>\
<span><span class=\"sw\" style=\"background:var(--driftbg)\"></span>current 3-SE band</span>\
<span><span class=\"sw thk\"></span>thresholds</span></p>\n";

pub(super) fn write_estimated(e: &EstimatedPerformance, o: &mut String) -> fmt::Result {
    writeln!(
        o,
        "<h3 id=\"estimated\">{}</h3>",
        escape(&estimated_title(e))
    )?;
    o.push_str(
        "<div class=\"tw\"><table class=\"grid\"><thead><tr><th>Metric</th><th class=\"n\">Estimated</th>\
         <th class=\"n\">Band (3 SE)</th><th class=\"n\">Thresholds</th><th class=\"n\">Realized</th><th>Alert</th></tr></thead><tbody>\n",
    );
    for [name, value, band, thresholds, realized, alert] in estimated_rows(e) {
        let badge = if alert == "ALERT" { "b-drift" } else { "b-ok" };
        writeln!(
            o,
            "<tr><td>{}</td><td class=\"n\">{value}</td><td class=\"n\">{band}</td><td class=\"n\">{thresholds}</td>\
             <td class=\"n\">{realized}</td><td><span class=\"b {badge}\">{alert}</span></td></tr>",
            escape(&name)
        )?;
    }
    o.push_str("</tbody></table></div>\n");
    o.push_str(LEGEND);
    o.push_str("<div class=\"charts\">\n");
    for m in &e.metrics {
        write_chart(
            &BandChart {
                title: &m.metric,
                reference: m
                    .reference_chunks
                    .iter()
                    .map(|c| (c.estimated, c.realized))
                    .collect(),
                current: m.value,
                current_realized: m.realized,
                band: (m.lower_confidence_bound, m.upper_confidence_bound),
                thresholds: (m.lower_threshold, m.upper_threshold),
                alert: m.alert,
            },
            o,
        )?;
    }
    o.push_str("</div>\n");
    Ok(())
}

pub(super) fn write_multivariate(m: &Multivariate, o: &mut String) -> fmt::Result {
    let badge = if m.drift_detected {
        "<span class=\"b b-drift\">DRIFT</span>"
    } else {
        "<span class=\"b b-ok\">ok</span>"
    };
    write!(
        o,
        "<section id=\"multivariate\">\n<h2>Multivariate drift</h2>\n<p>{badge} {}</p>\n<p class=\"mut\">Features: ",
        escape(&multivariate_line(m))
    )?;
    for (i, f) in m.features.iter().enumerate() {
        if i > 0 {
            o.push_str(", ");
        }
        write!(o, "<code>{}</code>", escape(f))?;
        if m.categorical.contains(f) {
            o.push_str(" (by frequency)");
        }
    }
    o.push_str("</p>\n");
    o.push_str(LEGEND);
    write_chart(
        &BandChart {
            title: "reconstruction error",
            reference: m
                .reference_chunks
                .iter()
                .map(|c| (Some(c.error), None))
                .collect(),
            current: Some(m.error),
            current_realized: None,
            band: (m.lower_confidence_bound, m.upper_confidence_bound),
            thresholds: (m.lower_threshold, m.upper_threshold),
            alert: m.drift_detected,
        },
        o,
    )?;
    o.push_str("</section>\n");
    Ok(())
}
