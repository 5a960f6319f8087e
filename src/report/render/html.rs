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

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::{self, Display, Write as _};
use std::io::{self, Write};

use super::format::{
    display_order, fmt_count, fmt_score, fmt_share, headline, missing_pair, performance_rows,
    threshold_cell, verdict,
};
use super::{visible, RenderOptions};
use crate::report::distribution::{CategoryStatus, Distribution};
use crate::report::model::{
    ColumnReport, ColumnStats, Correction, Finding, HistoryPoint, Metrics, Performance, Report,
    RoleDrift, Severity, Task,
};
use crate::stats::ScoreKind;

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
    let (drifted, text) = headline(r);
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
         <style>{CSS_VARS}@media (prefers-color-scheme:dark){{:root:not([data-theme=light]){{{CSS_DARK}}}}}\
         :root[data-theme=dark]{{{CSS_DARK}}}{CSS}</style>\n<script>{HEAD_JS}</script>\n</head>\n<body>\n",
        version = escape(&r.driftmend_version),
        title = escape(&text),
    )?;
    o.push_str(
        "<header class=\"top\"><div class=\"brand\">driftmend <span class=\"mut\">report</span></div>\
         <nav aria-label=\"Sections\"><a href=\"#summary\">Summary</a>",
    );
    if r.history.is_some() {
        o.push_str("<a href=\"#history\">History</a>");
    }
    o.push_str("<a href=\"#columns\">Columns</a>");
    if r.performance.is_some() {
        o.push_str("<a href=\"#performance\">Performance</a>");
    }
    o.push_str("<a href=\"#details\">Details</a><a href=\"#findings\">Findings</a>");
    o.push_str(
        "</nav><button id=\"theme\" type=\"button\" hidden>Dark theme</button></header>\n<main>\n",
    );

    write_summary(r, drifted, &text, o)?;
    if let Some(h) = &r.history {
        write_history(h, r.dataset_drift.threshold, o)?;
    }
    let ids = column_ids(r);
    write_column_table(r, &ids, o)?;
    if let Some(p) = &r.performance {
        write_performance(p, o)?;
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

fn write_summary(r: &Report, drifted: bool, text: &str, o: &mut String) -> fmt::Result {
    let d = &r.dataset_drift;
    let (badge, label) = if d.total_columns == 0 {
        ("b-na", "NOT TESTED")
    } else if drifted {
        ("b-drift", "DRIFT")
    } else {
        ("b-ok", "OK")
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

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// Metrics where a smaller value is the better model.
const LOWER_IS_BETTER: &[&str] = &["log_loss", "mae", "rmse", "mape"];

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

/// `("better" | "worse" | "same" | "", word)` of a metric's change.
fn delta_tone(name: &str, delta: Option<f64>) -> (&'static str, &'static str) {
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

fn delta_html(name: &str, delta: Option<f64>, word: &str) -> String {
    match delta {
        Some(d) => {
            let (tone, _) = delta_tone(name, Some(d));
            format!("<span class=\"{tone}\">{d:+.4} {word}</span>")
        }
        None => "no delta (a side lacks labels or predictions)".into(),
    }
}

fn write_performance(p: &Performance, o: &mut String) -> fmt::Result {
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
    o.push_str("</section>\n");
    Ok(())
}

fn write_column_table(r: &Report, ids: &HashMap<&str, String>, o: &mut String) -> fmt::Result {
    write!(
        o,
        "<section id=\"columns\">\n<h2>Columns</h2>\n\
         <div id=\"ctl\" class=\"ctl\" hidden><label>Filter <input id=\"q\" type=\"search\" placeholder=\"name, kind, method…\" autocomplete=\"off\"></label>\
         <label><input id=\"only\" type=\"checkbox\"> drifted only</label><span id=\"cnt\" class=\"mut\" aria-live=\"polite\"></span></div>\n\
         <div class=\"tw\"><table id=\"cols\" class=\"grid\"><caption class=\"sr\">Columns, drifted first; click a header to sort</caption><thead><tr>\
         <th>Column</th><th>Kind</th><th>Role</th><th>Method</th><th class=\"n\">Score</th><th class=\"n\">Threshold</th>\
         <th class=\"n\">Effect size</th><th>Verdict</th><th class=\"n\">Missing ref → cur</th></tr></thead><tbody>\n"
    )?;
    for c in display_order(r) {
        let (badge, rank) = verdict_badge(c);
        let threshold = c.adjusted_threshold.or(c.threshold);
        writeln!(
            o,
            "<tr data-drift=\"{}\"{}><td><a href=\"#{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td>\
             <td class=\"n\" data-v=\"{}\">{}</td><td class=\"n\" data-v=\"{}\">{}</td><td class=\"n\" data-v=\"{}\">{}</td>\
             <td data-v=\"{rank}\"><span class=\"b {badge}\">{}</span></td><td class=\"n\" data-v=\"{}\">{}</td></tr>",
            u8::from(c.drift_detected == Some(true)),
            if c.drift_detected == Some(true) {
                " class=\"drift\""
            } else {
                ""
            },
            ids[c.name.as_str()],
            escape(&c.name),
            c.kind.name(),
            c.role.name(),
            c.method.map(|m| m.name()).unwrap_or("-"),
            Dv(c.score),
            opt_score(c.score),
            Dv(threshold),
            escape(&threshold_cell(c)),
            Dv(c.effect_size),
            opt_score(c.effect_size),
            verdict(c),
            Dv(c.missing.current),
            escape(&missing_pair(c).replace("->", "→")),
        )?;
    }
    o.push_str("</tbody></table></div>\n</section>\n");
    Ok(())
}

fn opt_score(x: Option<f64>) -> String {
    x.map(fmt_score).unwrap_or_else(|| "-".into())
}

/// Badge class and sort rank of a column's verdict.
fn verdict_badge(c: &ColumnReport) -> (&'static str, u8) {
    match c.drift_detected {
        Some(true) => ("b-drift", 0),
        Some(false) => ("b-ok", 1),
        None => ("b-na", 2),
    }
}

fn write_details(r: &Report, ids: &HashMap<&str, String>, o: &mut String) -> fmt::Result {
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

// Chart geometry, in SVG user units (the SVG scales to its box).
const HIST_W: f64 = 440.0;
const HIST_H: f64 = 180.0;
const HIST_L: f64 = 40.0;
const HIST_R: f64 = 432.0;
const HIST_T: f64 = 8.0;
const HIST_B: f64 = 150.0;

/// Both sides' shares on the same bins: reference filled, current outlined.
fn histogram_svg(
    name: &str,
    edges: &[f64],
    reference: &[f64],
    current: &[f64],
    o: &mut String,
) -> fmt::Result {
    let n = reference
        .len()
        .min(current.len())
        .min(edges.len().saturating_sub(1));
    if n == 0 {
        o.push_str("<p class=\"mut\">No bins to plot.</p>");
        return Ok(());
    }
    let (lo, hi) = (edges[0], edges[n]);
    let top = nice_ceil(
        reference[..n]
            .iter()
            .chain(&current[..n])
            .copied()
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max),
    );
    let y = |v: f64| HIST_B - (v.clamp(0.0, top) / top) * (HIST_B - HIST_T);
    let bw = (HIST_R - HIST_L) / n as f64;
    let gap = (bw * 0.08).min(1.0);
    write!(
        o,
        "<svg class=\"chart\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"Histogram of {}: reference and current shares on {n} shared bins from {} to {}\">",
        C(HIST_W),
        C(HIST_H),
        escape(name),
        fmt_num(lo),
        fmt_num(hi),
    )?;
    for tick in [top / 2.0, top] {
        write!(
            o,
            "<line class=\"gl\" x1=\"{}\" x2=\"{}\" y1=\"{y}\" y2=\"{y}\"/><text class=\"e\" x=\"{}\" y=\"{}\">{}%</text>",
            C(HIST_L),
            C(HIST_R),
            C(HIST_L - 4.0),
            C(y(tick) + 4.0),
            trim_num(tick * 100.0, 2),
            y = C(y(tick)),
        )?;
    }
    for i in 0..n {
        let (rv, cv) = (reference[i], current[i]);
        if !(rv > 0.0 || cv > 0.0) {
            continue;
        }
        let close = if i + 1 == n { ']' } else { ')' };
        write!(
            o,
            "<g><title>[{}, {}{close}: reference {}, current {}</title>",
            fmt_num(edges[i]),
            fmt_num(edges[i + 1]),
            escape(&fmt_share(rv)),
            escape(&fmt_share(cv)),
        )?;
        let x = HIST_L + i as f64 * bw + gap;
        for (class, v) in [("r", rv), ("c", cv)] {
            if v > 0.0 {
                write!(
                    o,
                    "<rect class=\"{class}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
                    C(x),
                    C(y(v)),
                    C(bw - 2.0 * gap),
                    C(HIST_B - y(v)),
                )?;
            }
        }
        o.push_str("</g>");
    }
    write!(
        o,
        "<line class=\"ax\" x1=\"{l}\" x2=\"{r}\" y1=\"{b}\" y2=\"{b}\"/>\
         <text x=\"{l}\" y=\"{ty}\">{}</text><text class=\"e\" x=\"{r}\" y=\"{ty}\">{}</text>",
        fmt_num(lo),
        fmt_num(hi),
        l = C(HIST_L),
        r = C(HIST_R),
        b = C(HIST_B),
        ty = C(HIST_B + 16.0),
    )?;
    if n >= 4 {
        let mid = n / 2;
        write!(
            o,
            "<text class=\"m\" x=\"{}\" y=\"{}\">{}</text>",
            C(HIST_L + mid as f64 * bw),
            C(HIST_B + 16.0),
            fmt_num(edges[mid])
        )?;
    }
    write!(
        o,
        "</svg><figcaption>{n} equal-width bins shared by both sides</figcaption>"
    )
}

const CAT_W: f64 = 460.0;
const CAT_ROW: f64 = 22.0;
const CAT_LABEL_END: f64 = 120.0;
const CAT_BAR_X: f64 = 126.0;
const CAT_BAR_W: f64 = 156.0;
const CAT_SHARE_X: f64 = 288.0;
const CAT_BADGE_X: f64 = 398.0;
const CAT_BADGE_W: f64 = 58.0;
/// Longer category labels are cut (the tooltip has them whole).
const CAT_LABEL_CHARS: usize = 14;

/// Paired horizontal share bars per category, `new`/`vanished` badged.
fn categories_svg(
    name: &str,
    labels: &[String],
    reference: &[f64],
    current: &[f64],
    status: &[CategoryStatus],
    other: Option<(f64, f64)>,
    o: &mut String,
) -> fmt::Result {
    let n = labels.len().min(reference.len()).min(current.len());
    let mut rows: Vec<(Cow<'_, str>, f64, f64, Option<CategoryStatus>)> = (0..n)
        .map(|i| {
            (
                Cow::Borrowed(labels[i].as_str()),
                reference[i],
                current[i],
                status.get(i).copied(),
            )
        })
        .collect();
    if let Some((rv, cv)) = other {
        rows.push((Cow::Borrowed("other"), rv, cv, None));
    }
    if rows.is_empty() {
        o.push_str("<p class=\"mut\">No categories to plot.</p>");
        return Ok(());
    }
    let max = rows
        .iter()
        .flat_map(|r| [r.1, r.2])
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let max = if max > 0.0 { max } else { 1.0 };
    let len = |v: f64| v.clamp(0.0, max) / max * CAT_BAR_W;
    let height = rows.len() as f64 * CAT_ROW + 8.0;
    write!(
        o,
        "<svg class=\"chart cat\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"Category shares of {}: reference and current, {} categories\">",
        C(CAT_W),
        C(height),
        escape(name),
        rows.len(),
    )?;
    for (i, (label, rv, cv, st)) in rows.iter().enumerate() {
        let is_other = other.is_some() && i + 1 == rows.len();
        let top = 4.0 + i as f64 * CAT_ROW;
        let mark = match st {
            Some(CategoryStatus::New) => Some("new"),
            Some(CategoryStatus::Vanished) => Some("vanished"),
            _ => None,
        };
        write!(
            o,
            "<g><title>{}: reference {}, current {}{}</title>",
            if is_other {
                Cow::Borrowed("other categories (not listed)")
            } else {
                escape(label)
            },
            escape(&fmt_share(*rv)),
            escape(&fmt_share(*cv)),
            mark.map(|m| format!(" ({m})")).unwrap_or_default(),
        )?;
        let cut: String = if label.chars().count() > CAT_LABEL_CHARS {
            label
                .chars()
                .take(CAT_LABEL_CHARS - 1)
                .chain(['…'])
                .collect()
        } else {
            label.to_string()
        };
        write!(
            o,
            "<text class=\"e{}\" x=\"{}\" y=\"{}\">{}</text>",
            if is_other { " oth" } else { " lb" },
            C(CAT_LABEL_END),
            C(top + 14.0),
            escape(&cut),
        )?;
        for (class, v, dy) in [("r", *rv, 2.0), ("c", *cv, 11.0)] {
            if v > 0.0 {
                write!(
                    o,
                    "<rect class=\"{class}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"8\"/>",
                    C(CAT_BAR_X),
                    C(top + dy),
                    C(len(v).max(0.5)),
                )?;
            }
        }
        write!(
            o,
            "<text x=\"{}\" y=\"{}\">{} → {}</text>",
            C(CAT_SHARE_X),
            C(top + 14.0),
            escape(&fmt_share(*rv)),
            escape(&fmt_share(*cv)),
        )?;
        if let Some(m) = mark {
            write!(
                o,
                "<rect class=\"bd\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"15\" rx=\"7.5\"/><text class=\"m bt\" x=\"{}\" y=\"{}\">{m}</text>",
                C(CAT_BADGE_X),
                C(top + 3.0),
                C(CAT_BADGE_W),
                C(CAT_BADGE_X + CAT_BADGE_W / 2.0),
                C(top + 14.0),
            )?;
        }
        o.push_str("</g>");
    }
    o.push_str("</svg><figcaption>Share of each category per side, most common first");
    if other.is_some() {
        o.push_str("; the rest summed as “other”");
    }
    o.push_str("</figcaption>");
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
            "<dt>method</dt><dd>{} ({kind}) {}, threshold {}</dd>",
            m.name(),
            opt_score(c.score),
            escape(&threshold_cell(c)),
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

fn write_findings(
    findings: &[Finding],
    ids: &HashMap<&str, String>,
    o: &mut String,
) -> fmt::Result {
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    write!(
        o,
        "<section id=\"findings\">\n<h2>Findings <span class=\"mut\">{} {}, {} {}</span></h2>\n",
        errors,
        plural(errors, "error", "errors"),
        findings.len() - errors,
        plural(findings.len() - errors, "warning", "warnings"),
    )?;
    if findings.is_empty() {
        o.push_str("<p>No findings.</p>\n");
    } else {
        finding_list(findings, Some(ids), o)?;
    }
    o.push_str("</section>\n");
    Ok(())
}

/// Findings, errors first; column names link to their details when `ids`
/// is given.
fn finding_list(
    findings: &[Finding],
    ids: Option<&HashMap<&str, String>>,
    o: &mut String,
) -> fmt::Result {
    let mut sorted: Vec<&Finding> = findings.iter().collect();
    sorted.sort_by_key(|f| std::cmp::Reverse(f.severity));
    o.push_str("<ul class=\"findings\">");
    for f in sorted {
        let (badge, word) = match f.severity {
            Severity::Error => ("b-drift", "error"),
            Severity::Warning => ("b-warning", "warning"),
        };
        write!(o, "<li><span class=\"b {badge}\">{word}</span> ")?;
        if let (Some(ids), Some(col)) = (ids, &f.column) {
            match ids.get(col.as_str()) {
                Some(id) => write!(o, "<a href=\"#{id}\"><code>{}</code></a> ", escape(col))?,
                None => write!(o, "<code>{}</code> ", escape(col))?,
            }
        }
        let code = serde_json::to_value(f.code)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        write!(
            o,
            "{} <span class=\"code\">{}</span></li>",
            message_html(&f.message),
            escape(&code)
        )?;
    }
    o.push_str("</ul>\n");
    Ok(())
}

/// A finding's message, escaped, with its `backticked` names as `<code>`.
fn message_html(message: &str) -> String {
    let parts: Vec<&str> = message.split('`').collect();
    let mut out = String::with_capacity(message.len() + 32);
    for (i, part) in parts.iter().enumerate() {
        let quoted = i % 2 == 1;
        if quoted && i + 1 < parts.len() {
            out.push_str("<code>");
            out.push_str(&escape(part));
            out.push_str("</code>");
        } else {
            if quoted {
                out.push('`');
            }
            out.push_str(&escape(part));
        }
    }
    out
}

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
fn write_history(h: &[HistoryPoint], threshold: f64, o: &mut String) -> fmt::Result {
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
         <dt>bins</dt><dd>{}</dd><dt>correction</dt><dd>{correction}</dd><dt>min effect</dt><dd>{}</dd><dt>seed</dt><dd>{}</dd>",
        escape(&fmt_share(opt.drift_share)),
        escape(&opt.bins),
        opt.min_effect.map(fmt_score).unwrap_or_else(|| "none".into()),
        opt.seed,
    )?;
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

/// An SVG coordinate: one decimal, no trailing `.0`, no `-0`.
#[derive(Clone, Copy)]
struct C(f64);

impl Display for C {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = if self.0.is_finite() {
            (self.0 * 10.0).round() / 10.0
        } else {
            0.0
        };
        if r == 0.0 {
            f.write_str("0")
        } else if r.fract() == 0.0 {
            write!(f, "{}", r as i64)
        } else {
            write!(f, "{r:.1}")
        }
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

/// A value for an axis or a statistics cell: about 4 significant digits,
/// exponent form for very large or small magnitudes.
fn fmt_num(x: f64) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    if x == 0.0 {
        return "0".into();
    }
    let a = x.abs();
    if !(1e-3..1e7).contains(&a) {
        return format!("{x:.3e}");
    }
    let decimals = (3 - a.log10().floor() as i32).clamp(0, 4) as usize;
    trim_num(x, decimals)
}

/// `x` with at most `decimals` decimals, trailing zeros dropped.
fn trim_num(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// The smallest of 1, 2, 2.5, 5 times a power of ten that is >= x (1 for
/// x <= 0), so axis ticks are round numbers.
fn nice_ceil(x: f64) -> f64 {
    if !(x > 0.0 && x.is_finite()) {
        return 1.0;
    }
    let p = 10f64.powf(x.log10().floor());
    let f = x / p;
    let m = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .find(|m| f <= m * (1.0 + 1e-9))
        .unwrap_or(10.0);
    m * p
}

/// `sha256-...` of a script, for the Content-Security-Policy.
fn csp_hash(script: &str) -> String {
    use sha2::{Digest, Sha256};
    format!("sha256-{}", base64(&Sha256::digest(script.as_bytes())))
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> shift & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Light theme (and the palette: Okabe-Ito, safe for colour-blind readers).
const CSS_VARS: &str = ":root{--bg:#fff;--fg:#1f2328;--mut:#59636e;--card:#f6f8fa;--bd:#d1d9e0;\
--ref:#0072B2;--cur:#E69F00;--drift:#D55E00;--ok:#009E73;--dfg:#B04600;--okfg:#00704A;--wfg:#7A4F00;\
--driftbg:#fbe3d6;--okbg:#d9f2e8;--warnbg:#fcefcf;--nabg:#eaeef2;--ro:.6;color-scheme:light}";

/// Dark theme: the same hues, lightened where they sit on the background.
const CSS_DARK: &str = "--bg:#14171c;--fg:#e6e8eb;--mut:#9aa3ad;--card:#1d2229;--bd:#353c46;\
--ref:#56B4E9;--cur:#E69F00;--drift:#F07A3F;--ok:#2DBE8C;--dfg:#FF9A66;--okfg:#4FD6A6;--wfg:#F2C35B;\
--driftbg:#45200f;--okbg:#0f3529;--warnbg:#3b2e0e;--nabg:#29303a;--ro:.72;color-scheme:dark";

const CSS: &str = "*{box-sizing:border-box}[hidden]{display:none!important}\
html{-webkit-text-size-adjust:100%}\
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,sans-serif}\
main,.top{max-width:1200px;margin:0 auto;padding:0 16px}\
.top{display:flex;flex-wrap:wrap;align-items:center;gap:6px 18px;padding-top:10px;padding-bottom:8px;border-bottom:1px solid var(--bd)}\
.brand{font-weight:700;font-size:1.05rem}nav{display:flex;flex-wrap:wrap;gap:2px 14px;flex:1;font-size:.9rem}\
a{color:var(--ref)}h2{font-size:1.2rem;margin:28px 0 10px}h4{margin:4px 0;font-size:.9rem}\
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.88em;overflow-wrap:anywhere}\
.mut{color:var(--mut)}.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}\
.verdict{font-size:1.3rem;font-weight:650;margin:18px 0 4px;line-height:1.35}.verdict .b{font-size:.85rem;vertical-align:.15em}\
.meta{color:var(--mut);margin:0 0 14px;font-size:.88rem;overflow-wrap:anywhere}\
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:12px}\
.card{background:var(--card);border:1px solid var(--bd);border-top:4px solid var(--bd);border-radius:8px;padding:8px 14px 10px;min-width:0}\
.card.drift{border-top-color:var(--drift)}.card.ok{border-top-color:var(--ok)}.card.warn{border-top-color:var(--cur)}\
.card h3{margin:0;font-size:.75rem;font-weight:650;color:var(--mut);text-transform:uppercase;letter-spacing:.05em}\
.big{font-size:1.45rem;font-weight:700;font-variant-numeric:tabular-nums;line-height:1.3}.big.sm{font-size:1.2rem}.unit{font-size:.85rem;font-weight:500;color:var(--mut)}\
.card p{margin:2px 0;font-size:.84rem;color:var(--mut);overflow-wrap:anywhere}\
.meter{position:relative;height:8px;background:var(--nabg);border-radius:4px;margin:6px 0 4px}\
.meter span{display:block;height:100%;border-radius:4px;background:var(--ok)}.card.drift .meter span{background:var(--drift)}\
.meter i{position:absolute;top:-4px;bottom:-4px;width:2px;margin-left:-1px;background:var(--fg)}\
.b{display:inline-block;padding:0 8px;border-radius:10px;font-size:.75rem;font-weight:700;line-height:1.6;white-space:nowrap}\
.b-drift{background:var(--driftbg);color:var(--dfg)}.b-ok{background:var(--okbg);color:var(--okfg)}\
.b-warning{background:var(--warnbg);color:var(--wfg)}.b-na{background:var(--nabg);color:var(--mut)}\
.better{color:var(--okfg);font-weight:600}.worse{color:var(--dfg);font-weight:600}\
.ctl{display:flex;flex-wrap:wrap;gap:8px 18px;align-items:center;margin:0 0 10px}\
input[type=search]{font:inherit;padding:4px 8px;border:1px solid var(--bd);border-radius:6px;background:var(--bg);color:var(--fg);width:15em;max-width:100%}\
button{font:inherit;font-size:.85rem;padding:3px 10px;border:1px solid var(--bd);border-radius:6px;background:var(--card);color:var(--fg);cursor:pointer}\
.tw{overflow-x:auto;-webkit-overflow-scrolling:touch;max-width:100%}\
#columns .tw,#performance .tw{border:1px solid var(--bd);border-radius:8px}\
table{border-collapse:collapse;font-variant-numeric:tabular-nums}\
.grid{width:100%;font-size:.88rem}.grid th,.grid td{padding:6px 10px;text-align:left;border-bottom:1px solid var(--bd);white-space:nowrap}\
.grid tbody tr:last-child td{border-bottom:0}.grid thead th{background:var(--card);font-weight:650}\
.grid .n{text-align:right}.grid tbody tr:hover{background:var(--card)}\
#cols td:first-child,#cols th:first-child{position:sticky;left:0;z-index:1;background:var(--bg)}#cols th:first-child{background:var(--card)}\
.grid tr.drift td:first-child{box-shadow:inset 4px 0 var(--drift)}\
th .sort{all:unset;cursor:pointer}th .sort::after{content:\" \\2195\";color:var(--mut);font-size:.8em}\
th[aria-sort=ascending] .sort::after{content:\" \\25B2\"}th[aria-sort=descending] .sort::after{content:\" \\25BC\"}\
th .sort:focus-visible{outline:2px solid var(--ref);outline-offset:2px}\
details.col{border:1px solid var(--bd);border-radius:8px;margin:8px 0}\
details.col>summary{cursor:pointer;padding:8px 12px;overflow-wrap:anywhere}details.col[open]>summary{border-bottom:1px solid var(--bd)}\
.nm{font-weight:650}summary .mut{font-size:.88rem}\
.dbody{padding:12px;display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:14px 22px;align-items:start}\
.wide{grid-column:1/-1}figure{margin:0;min-width:0}figcaption{font-size:.8rem;color:var(--mut)}\
.chart{display:block;width:100%;height:auto;max-width:600px}.chart text{fill:var(--mut);font-size:11px}\
.chart .e{text-anchor:end}.chart .m{text-anchor:middle}.chart .lb{fill:var(--fg)}.chart .oth{font-style:italic}\
.chart .r{fill:var(--ref);fill-opacity:var(--ro)}.chart .c{fill:var(--cur);fill-opacity:.1;stroke:var(--cur);stroke-width:1.5}\
.chart g:hover .r{fill-opacity:.85}.chart g:hover .c{fill-opacity:.3}\
.chart .ax{stroke:var(--mut);stroke-width:1}.chart .gl{stroke:var(--bd);stroke-dasharray:3 3}\
.chart .bd{fill:var(--driftbg)}.chart .bt{fill:var(--dfg);font-size:10px;font-weight:700}\
.chart .th{stroke:var(--drift);stroke-width:1.5;stroke-dasharray:6 4}\
.chart .ln{fill:none;stroke:var(--fg);stroke-width:1.5;stroke-opacity:.7}\
.chart .pt{fill:var(--pc);stroke:var(--bg);stroke-width:1.5}.chart .pt.ok{fill:var(--bg);stroke:var(--pc);stroke-width:2}\
.chart.hist{max-width:640px}#performance .tw{max-width:760px}\
.legend{display:flex;flex-wrap:wrap;gap:4px 16px;font-size:.84rem;color:var(--mut);margin:6px 0}\
.sw{display:inline-block;width:12px;height:12px;border-radius:2px;vertical-align:-2px;margin-right:5px}\
.swr{background:var(--ref);opacity:.75}.swc{border:2px solid var(--cur);background:rgba(230,159,0,.1)}\
.sw.dot{border-radius:50%;background:var(--pc)}.sw.dot.hol{background:none;border:2px solid var(--pc)}.sw.thk{height:0;border-top:2px dashed var(--drift);vertical-align:3px;width:16px;border-radius:0}\
.stats{width:100%;font-size:.85rem}.stats th,.stats td{padding:3px 8px;border-bottom:1px solid var(--bd);text-align:right;white-space:nowrap}\
.stats th:first-child{text-align:left;font-weight:500;color:var(--mut)}.stats thead th{font-weight:650;color:var(--fg)}\
.facts{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:2px 12px;font-size:.85rem;margin:10px 0 0}\
.facts dt{color:var(--mut)}.facts dd{margin:0;overflow-wrap:anywhere}\
.findings{list-style:none;padding:0;margin:0}.findings li{padding:6px 0;border-bottom:1px solid var(--bd);overflow-wrap:anywhere}\
.findings li:last-child{border-bottom:0}.findings .b{margin-right:4px}.code{font-size:.78rem;color:var(--mut);margin-left:6px}\
details.runs{margin:10px 0}details.runs>summary{cursor:pointer;color:var(--mut);font-size:.9rem}.files{font-size:.85rem}\
footer{margin:32px 0 24px;border-top:1px solid var(--bd);font-size:.9rem}\
@media (max-width:760px){body{font-size:14px}main,.top{padding:0 10px}nav{order:3;flex-basis:100%}#theme{margin-left:auto}\
.chart text{font-size:14px}.chart .bt{font-size:11px}.big.sm{font-size:1.05rem}.dbody{grid-template-columns:minmax(0,1fr);padding:10px}\
.verdict{font-size:1.12rem}.cards{grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:8px}.big{font-size:1.2rem}}\
@media print{#theme,.ctl{display:none!important}details.col{break-inside:avoid}}";

/// Runs in `<head>`: applies a saved theme choice before the first paint.
const HEAD_JS: &str = "try{var t=localStorage.getItem(\"driftmend-theme\");if(t===\"dark\"||t===\"light\")document.documentElement.setAttribute(\"data-theme\",t)}catch(e){}";

/// Theme toggle, column table sorting and filtering, opening a column's
/// details when a link points at it. Defensive: any missing element is
/// skipped, and nothing here is needed to read the page. Its last statement
/// marks the root `data-js="ready"`, so a browser test can tell the whole
/// script ran without an error.
const JS: &str = r#"(function(){"use strict";
var d=document,root=d.documentElement;
function $(id){return d.getElementById(id);}
function each(list,f){for(var i=0;i<list.length;i++)f(list[i],i);}
function isDark(){var t=root.getAttribute("data-theme");if(t)return t==="dark";
return !!(window.matchMedia&&window.matchMedia("(prefers-color-scheme: dark)").matches);}
var tb=$("theme");
if(tb){var label=function(){tb.textContent=isDark()?"Light theme":"Dark theme";};
tb.hidden=false;label();
tb.addEventListener("click",function(){var t=isDark()?"light":"dark";root.setAttribute("data-theme",t);
try{localStorage.setItem("driftmend-theme",t);}catch(e){}label();});}
var table=$("cols");
if(table&&table.tBodies.length&&table.tHead){
var body=table.tBodies[0],rows=[],q=$("q"),only=$("only"),cnt=$("cnt"),ctl=$("ctl");
each(body.rows,function(r){rows.push(r);});
var filter=function(){var s=q?q.value.trim().toLowerCase():"",o=!!(only&&only.checked),n=0;
each(rows,function(r){var show=(!o||r.getAttribute("data-drift")==="1")&&(!s||r.textContent.toLowerCase().indexOf(s)>=0);
r.hidden=!show;if(show)n++;});
if(cnt)cnt.textContent=n+" of "+rows.length+" columns";};
if(ctl)ctl.hidden=false;
if(q)q.addEventListener("input",filter);
if(only)only.addEventListener("change",filter);
filter();
var heads=table.tHead.rows[0].cells,col=-1,dir=1;
var key=function(r,i){var c=r.cells[i];if(!c)return null;var v=c.getAttribute("data-v");
if(v===null)return c.textContent.toLowerCase();if(v==="")return null;var x=parseFloat(v);return isNaN(x)?null:x;};
var sortBy=function(i){dir=col===i?-dir:1;col=i;
var keyed=rows.map(function(r,j){return [key(r,i),j,r];});
keyed.sort(function(a,b){var x=a[0],y=b[0];if(x===y)return a[1]-b[1];if(x===null)return 1;if(y===null)return -1;return (x<y?-1:1)*dir;});
each(keyed,function(k){body.appendChild(k[2]);});
each(heads,function(th,j){th.setAttribute("aria-sort",j===i?(dir>0?"ascending":"descending"):"none");});};
each(heads,function(th,i){var b=d.createElement("button");b.type="button";b.className="sort";
while(th.firstChild)b.appendChild(th.firstChild);th.appendChild(b);
b.addEventListener("click",function(){sortBy(i);});});}
var reveal=function(id){var el=id?$(id):null;if(el&&el.tagName==="DETAILS")el.open=true;};
d.addEventListener("click",function(e){var a=e.target&&e.target.closest?e.target.closest("a[href^='#']"):null;
if(a)reveal(a.getAttribute("href").slice(1));});
window.addEventListener("hashchange",function(){reveal(location.hash.slice(1));});
reveal(location.hash.slice(1));
var all=function(open){each(d.querySelectorAll("details.col"),function(x){x.open=open;});};
var xa=$("xall"),oa=$("open-all"),ca=$("close-all");
if(xa&&oa&&ca){xa.hidden=false;oa.addEventListener("click",function(){all(true);});ca.addEventListener("click",function(){all(false);});}
root.setAttribute("data-js","ready");
})();"#;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::*;
    use crate::stats::describe::Summary;
    use crate::stats::performance::RegressionMetrics;
    use crate::stats::Method;

    fn dataset(path: &str, rows: usize, columns: usize) -> DatasetInfo {
        DatasetInfo {
            path: path.into(),
            files: vec![path.into()],
            rows,
            columns,
            duplicated_rows: 0.0,
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
            history: None,
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
    fn fifty_columns_stay_under_one_megabyte() {
        let page = html(&report(&names(50)));
        assert!(page.len() < 1_000_000, "{} bytes", page.len());
        // Every chart made it in: 25 histograms and 25 category charts.
        assert_eq!(page.matches("aria-label=\"Histogram of ").count(), 25);
        assert_eq!(page.matches("aria-label=\"Category shares of ").count(), 25);
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
                page.contains(&format!(">{}</a></td>", c.name)),
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
            "<td><a href=\"#c1\">x\\n::error::pwned</a></td>",
            "aria-label=\"Category shares of x\\n::error::pwned: ",
            "<title>\\u{1b}[2J\\u{2028}::notice::S: reference ",
            "Reference <code>ref\\r::warning::cr.parquet</code>",
            "<a href=\"#c1\"><code>x\\n::error::pwned</code></a> missing values in <code>x\\n::error::pwned</code> rose",
        ] {
            assert!(page.contains(shown), "{shown:?} not in the page");
        }
    }

    #[test]
    fn backticked_names_in_messages_become_code() {
        assert_eq!(
            message_html("column `a<b>` rose; pass `--x`"),
            "column <code>a&lt;b&gt;</code> rose; pass <code>--x</code>"
        );
        assert_eq!(message_html("odd ` tick"), "odd ` tick");
        assert_eq!(message_html("plain"), "plain");
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

    #[test]
    fn numbers_and_coordinates() {
        assert_eq!(C(12.04).to_string(), "12");
        assert_eq!(C(12.06).to_string(), "12.1");
        assert_eq!(C(-0.01).to_string(), "0");
        assert_eq!(fmt_num(52000.123), "52000");
        assert_eq!(fmt_num(680.56), "680.6");
        assert_eq!(fmt_num(0.05), "0.05");
        assert_eq!(fmt_num(1.5e-7), "1.500e-7");
        assert_eq!(nice_ceil(0.137), 0.2);
        assert_eq!(nice_ceil(0.021), 0.025);
        assert_eq!(nice_ceil(0.0), 1.0);
        // RFC 4648 test vectors.
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    /// Writes the fixtures' report (and one with a made-up history) to /tmp
    /// to look at in a browser.
    #[test]
    #[ignore = "writes /tmp/driftmend-report*.html for a manual look"]
    fn fixtures_page() {
        let csv = crate::data::CsvOptions::default();
        let roles = vec!["is_fraud".to_string(), "fraud_score".to_string()];
        let reference = crate::data::load("fixtures/reference.parquet", &csv, &roles).unwrap();
        let current = crate::data::load("fixtures/current_drifted.parquet", &csv, &roles).unwrap();
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
