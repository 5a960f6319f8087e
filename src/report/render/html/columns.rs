//! The columns: the sortable table of verdicts, and each column's details
//! (chart, statistics, how the verdict was reached, its findings).

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::{self, Display, Write as _};

use super::super::format::{
    column_severity, display_order, effect_cell, fmt_bar, fmt_count, fmt_score, fmt_share,
    has_error, method_meaning, missing_pair, threshold_cell, verdict,
};
use super::charts::{categories_svg, fmt_num, histogram_svg, C};
use super::escape;
use super::findings::finding_list;
use crate::report::distribution::Distribution;
use crate::report::model::{ColumnReport, ColumnStats, Report};
use crate::stats::{Method, ScoreKind};

pub(super) fn write_column_table(
    r: &Report,
    ids: &HashMap<&str, String>,
    o: &mut String,
) -> fmt::Result {
    write!(
        o,
        "<section id=\"columns\">\n<h2>Columns</h2>\n\
         <div id=\"ctl\" class=\"ctl\" hidden><label>Filter <input id=\"q\" type=\"search\" placeholder=\"name, kind, method…\" autocomplete=\"off\"></label>\
         <label><input id=\"only\" type=\"checkbox\"> drifted only</label><span id=\"cnt\" class=\"mut\" aria-live=\"polite\"></span></div>\n\
         <div class=\"tw\"><table id=\"cols\" class=\"grid\"><caption class=\"sr\">Columns, worst first (errors, drift, warnings), then by how far past the threshold; click a header to sort</caption><thead><tr>\
         <th>Column</th><th>Distribution</th><th>Kind</th><th>Role</th><th>Method</th><th class=\"n\">Score</th><th class=\"n\">Threshold</th>\
         <th class=\"n\">Effect size</th><th class=\"vc\">Verdict</th><th class=\"n\">Missing ref → cur</th></tr></thead><tbody>\n"
    )?;
    for c in display_order(r) {
        let (badge, _) = verdict_badge(c);
        let rank = column_severity(c);
        let verdict = verdict(c);
        let threshold = c.adjusted_threshold.or(c.threshold);
        writeln!(
            o,
            "<tr data-drift=\"{}\"{}><td><a href=\"#{}\">{}</a> <span class=\"b {badge} pv\">{verdict}</span></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td class=\"n\" data-v=\"{}\">{}</td><td class=\"n\" data-v=\"{}\">{}</td><td class=\"n\" data-v=\"{}\">{}</td>\
             <td class=\"vc\" data-v=\"{rank}\"><span class=\"b {badge}\">{verdict}</span></td><td class=\"n\" data-v=\"{}\">{}</td></tr>",
            u8::from(c.drift_detected == Some(true)),
            if c.drift_detected == Some(true) {
                " class=\"drift\""
            } else {
                ""
            },
            ids[c.name.as_str()],
            escape(&c.name),
            Spark(c.distribution.as_ref()),
            c.kind.name(),
            c.role.name(),
            c.method.map(|m| m.name()).unwrap_or("-"),
            Dv(c.score),
            opt_score(c.score),
            Dv(threshold),
            escape(&threshold_cell(c)),
            Dv(c
                .gates
                .as_ref()
                .and_then(|g| g.effect.as_ref())
                .map(|e| e.value)
                .or(c.effect_size)),
            escape(&effect_cell(c)),
            Dv(c.missing.current),
            escape(&missing_pair(c).replace("->", "→")),
        )?;
    }
    o.push_str("</tbody></table></div>\n");
    write_method_notes(r, o)?;
    o.push_str("</section>\n");
    Ok(())
}

/// One line per method the table uses, saying what its score means.
fn write_method_notes(r: &Report, o: &mut String) -> fmt::Result {
    let mut methods: Vec<Method> = r.columns.iter().filter_map(|c| c.method).collect();
    methods.sort();
    methods.dedup();
    if methods.is_empty() {
        return Ok(());
    }
    o.push_str("<dl class=\"facts methods\">");
    for m in methods {
        write!(o, "<dt>{}</dt><dd>{}</dd>", m.name(), method_meaning(m))?;
    }
    o.push_str("</dl>\n");
    Ok(())
}

/// An inline sparkline of a column's distribution: reference filled,
/// current as a line, on the shared bins or categories.
struct Spark<'a>(Option<&'a Distribution>);

impl Display for Spark<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (reference, current) = match self.0 {
            Some(Distribution::Histogram {
                reference, current, ..
            })
            | Some(Distribution::Categories {
                reference, current, ..
            }) => (reference, current),
            None => return Ok(()),
        };
        let n = reference.len().min(current.len());
        let top = reference[..n]
            .iter()
            .chain(&current[..n])
            .copied()
            .filter(|x| x.is_finite())
            .fold(0.0f64, f64::max);
        if n == 0 || top <= 0.0 {
            return Ok(());
        }
        const W: f64 = 80.0;
        const H: f64 = 18.0;
        let step = W / n as f64;
        let y = |v: f64| H - (v.max(0.0) / top) * (H - 1.0);
        write!(
            f,
            "<svg class=\"spark\" viewBox=\"0 0 80 18\" width=\"80\" height=\"18\" role=\"img\" aria-label=\"distribution: reference filled, current line\"><path class=\"r\" d=\"M0 18"
        )?;
        for (i, v) in reference[..n].iter().enumerate() {
            let (x0, x1) = (i as f64 * step, (i + 1) as f64 * step);
            write!(f, "H{}V{}H{}", C(x0), C(y(*v)), C(x1))?;
        }
        write!(f, "V18Z\"/><path class=\"c\" d=\"")?;
        for (i, v) in current[..n].iter().enumerate() {
            let (x0, x1) = (i as f64 * step, (i + 1) as f64 * step);
            let cmd = if i == 0 { 'M' } else { 'L' };
            write!(f, "{cmd}{} {}H{}", C(x0), C(y(*v)), C(x1))?;
        }
        f.write_str("\"/></svg>")
    }
}

fn opt_score(x: Option<f64>) -> String {
    x.map(fmt_score).unwrap_or_else(|| "-".into())
}

/// Badge class and sort rank of a column's verdict.
fn verdict_badge(c: &ColumnReport) -> (&'static str, u8) {
    match c.drift_detected {
        Some(true) => ("b-drift", 0),
        Some(false) => ("b-ok", 1),
        None if has_error(c) => ("b-drift", 0),
        None => ("b-na", 2),
    }
}

/// A sort key for `data-v`: exponent form (short, exact, `parseFloat`-able);
/// empty for a missing or non-finite value, which sorts last.
struct Dv(Option<f64>);

impl Display for Dv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(x) if x.is_finite() => write!(f, "{x:e}"),
            _ => Ok(()),
        }
    }
}

pub(super) fn write_details(
    r: &Report,
    ids: &HashMap<&str, String>,
    o: &mut String,
) -> fmt::Result {
    o.push_str(
        "<section id=\"details\">\n<h2>Column details</h2>\n\
         <p id=\"xall\" class=\"ctl\" hidden><button type=\"button\" id=\"open-all\">Expand all</button>\
         <button type=\"button\" id=\"close-all\">Collapse all</button></p>\n\
         <p class=\"legend\"><span><span class=\"sw swr\"></span>reference</span>\
         <span><span class=\"sw swc\"></span>current</span><span class=\"mut\">shares of non-missing values</span></p>\n",
    );
    for c in display_order(r) {
        write_column(c, &ids[c.name.as_str()], o)?;
    }
    o.push_str("</section>\n");
    Ok(())
}

fn write_column(c: &ColumnReport, id: &str, o: &mut String) -> fmt::Result {
    let (badge, _) = verdict_badge(c);
    write!(
        o,
        "<details class=\"col\" id=\"{id}\"{}><summary><span class=\"nm\">{}</span> <span class=\"b {badge}\">{}</span> <span class=\"mut\">{} · {}",
        if c.drift_detected == Some(true) {
            " open"
        } else {
            ""
        },
        escape(&c.name),
        verdict(c),
        c.kind.name(),
        c.role.name(),
    )?;
    if let Some(m) = c.method {
        write!(o, " · {} {}", m.name(), opt_score(c.score))?;
    }
    o.push_str("</span></summary>\n<div class=\"dbody\">\n<figure>");
    match &c.distribution {
        Some(Distribution::Histogram {
            edges,
            reference,
            current,
        }) => histogram_svg(&c.name, edges, reference, current, o)?,
        Some(Distribution::Categories {
            labels,
            reference,
            current,
            status,
            other,
        }) => categories_svg(&c.name, labels, reference, current, status, *other, o)?,
        None => o.push_str(
            "<p class=\"mut\">No distribution to plot (not tested, or a side has no values).</p>",
        ),
    }
    o.push_str("</figure>\n<div>");
    write_stats(c, o)?;
    write_facts(c, o)?;
    o.push_str("</div>\n");
    if !c.findings.is_empty() {
        o.push_str("<div class=\"wide\"><h4>Findings</h4>");
        finding_list(&c.findings, None, o)?;
        o.push_str("</div>\n");
    }
    o.push_str("</div>\n</details>\n");
    Ok(())
}

/// The column's statistics, reference and current side by side.
fn write_stats(c: &ColumnReport, o: &mut String) -> fmt::Result {
    let (rs, cs) = (c.stats.reference.as_ref(), c.stats.current.as_ref());
    let mut rows: Vec<(&str, [String; 2])> = Vec::new();
    let both = |f: &dyn Fn(&ColumnStats) -> Option<String>| {
        [rs, cs].map(|s| s.and_then(f).unwrap_or_else(|| "-".into()))
    };
    let any = |f: &dyn Fn(&ColumnStats) -> bool| rs.is_some_and(f) || cs.is_some_and(f);
    rows.push(("count", both(&|s| Some(fmt_count(s.count)))));
    let shares = [c.missing.reference, c.missing.current];
    let mut missing = both(&|s| Some(fmt_count(s.missing)));
    for (cell, share) in missing.iter_mut().zip(shares) {
        if let (Some(share), true) = (share, cell.as_str() != "-") {
            write!(cell, " ({})", fmt_share(share))?;
        }
    }
    rows.push(("missing", missing));
    rows.push(("distinct", both(&|s| Some(fmt_count(s.distinct)))));
    if any(&|s| s.infinite > 0) {
        rows.push(("infinite", both(&|s| Some(fmt_count(s.infinite)))));
    }
    if any(&|s| s.summary.is_some()) {
        type Pick = fn(&crate::stats::describe::Summary) -> Option<f64>;
        let fields: [(&str, Pick); 7] = [
            ("mean", |s| Some(s.mean)),
            ("std", |s| s.std),
            ("min", |s| Some(s.min)),
            ("p25", |s| Some(s.p25)),
            ("p50", |s| Some(s.p50)),
            ("p75", |s| Some(s.p75)),
            ("max", |s| Some(s.max)),
        ];
        for (label, pick) in fields {
            rows.push((
                label,
                both(&|s| s.summary.as_ref().and_then(pick).map(fmt_num)),
            ));
        }
    }
    if any(&|s| s.top.is_some()) {
        rows.push((
            "top",
            both(&|s| {
                s.top
                    .as_ref()
                    .map(|t| format!("{} ({})", t.value, fmt_share(t.share)))
            }),
        ));
    }
    if any(&|s| s.first.is_some()) {
        rows.push(("first", both(&|s| s.first.clone())));
        rows.push(("last", both(&|s| s.last.clone())));
    }
    o.push_str(
        "<div class=\"tw\"><table class=\"stats\"><thead><tr><th>statistic</th><th>reference</th><th>current</th></tr></thead><tbody>",
    );
    for (label, [rv, cv]) in rows {
        write!(
            o,
            "<tr><th>{label}</th><td>{}</td><td>{}</td></tr>",
            escape(&rv),
            escape(&cv)
        )?;
    }
    o.push_str("</tbody></table></div>");
    Ok(())
}

/// How the verdict was reached, and what changed besides the shape.
fn write_facts(c: &ColumnReport, o: &mut String) -> fmt::Result {
    o.push_str("<dl class=\"facts\">");
    if let Some(m) = c.method {
        let kind = match c.score_kind {
            Some(ScoreKind::PValue) => "p-value",
            Some(ScoreKind::Distance) => "distance",
            None => "score",
        };
        write!(
            o,
            "<dt>method</dt><dd>{} ({kind}) {}, threshold {}<br><span class=\"mut\">{}</span></dd>",
            m.name(),
            opt_score(c.score),
            escape(&threshold_cell(c)),
            method_meaning(m),
        )?;
    }
    if let Some(s) = c.statistic {
        write!(o, "<dt>statistic</dt><dd>{}</dd>", fmt_score(s))?;
    }
    if let Some(p) = c.p_value_adjusted {
        write!(o, "<dt>adjusted p-value</dt><dd>{}</dd>", fmt_score(p))?;
    }
    if let Some(e) = c.effect_size {
        write!(o, "<dt>effect size</dt><dd>{}</dd>", fmt_score(e))?;
    }
    if c.small_effect {
        o.push_str("<dt>note</dt><dd>p-value under the threshold, but the effect is below <code>--min-effect</code></dd>");
    }
    if let Some(g) = &c.gates {
        let mark = |passed: bool| if passed { "passed" } else { "not passed" };
        if let Some(t) = &g.test {
            let adjusted = t
                .p_value_adjusted
                .map(|q| format!(", adjusted {}", fmt_score(q)))
                .unwrap_or_default();
            write!(
                o,
                "<dt>gate 1: test</dt><dd>{} p-value {}{adjusted} {} {}: {}</dd>",
                t.method.name(),
                fmt_score(t.p_value),
                if t.passed { "&lt;" } else { "&ge;" },
                fmt_bar(t.alpha),
                mark(t.passed)
            )?;
        }
        if let Some(e) = &g.effect {
            let calibrated = e
                .calibrated
                .map(|q| {
                    format!(
                        " (floor {}, reference calibration {})",
                        fmt_bar(e.floor),
                        fmt_score(q)
                    )
                })
                .unwrap_or_default();
            write!(
                o,
                "<dt>gate 2: effect</dt><dd>{} {} {} {}{calibrated}: {}</dd>",
                escape(&e.measure),
                fmt_score(e.value),
                if e.passed { "&ge;" } else { "&lt;" },
                fmt_bar(e.threshold),
                mark(e.passed)
            )?;
        }
    }
    fn dtype(d: &Option<String>) -> Cow<'_, str> {
        d.as_deref().map(escape).unwrap_or(Cow::Borrowed("absent"))
    }
    write!(
        o,
        "<dt>type</dt><dd>{} → {}</dd>",
        dtype(&c.dtype.reference),
        dtype(&c.dtype.current)
    )?;
    if let Some(share) = c.out_of_range {
        write!(
            o,
            "<dt>out of reference range</dt><dd>{} of current values</dd>",
            escape(&fmt_share(share))
        )?;
    }
    if let Some(cat) = &c.categories {
        if cat.new.count > 0 {
            write!(
                o,
                "<dt>new categories</dt><dd>{} ({} of current rows): {}</dd>",
                cat.new.count,
                escape(&fmt_share(cat.new.share)),
                code_list(&cat.new.examples, cat.new.count),
            )?;
        }
        if cat.vanished_count > 0 {
            write!(
                o,
                "<dt>vanished categories</dt><dd>{}: {}</dd>",
                cat.vanished_count,
                code_list(&cat.vanished, cat.vanished_count),
            )?;
        }
    }
    o.push_str("</dl>");
    Ok(())
}

fn code_list(items: &[String], total: usize) -> String {
    let mut s = items
        .iter()
        .map(|i| format!("<code>{}</code>", escape(i)))
        .collect::<Vec<_>>()
        .join(", ");
    if total > items.len() {
        let _ = write!(s, ", … {} more", total - items.len());
    }
    s
}
