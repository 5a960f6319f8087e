//! A backtest's output: a table for a terminal (the eventful runs, totals,
//! differences), JSON (every run; `schema_version`), or one small
//! self-contained HTML page.

use std::io::{self, Write};

use serde_json::json;

use super::timeline::{guardrail_name, Difference, Outcome, RunLine, Timeline};
use crate::report::render::html::escape;
use crate::report::render::visible;

/// JSON shape version of `backtest --format json`.
pub const SCHEMA_VERSION: u32 = 1;

/// What a backtest found: the policy's timeline and, with `--against`, the
/// other's and their differences.
pub struct Outcomes<'a> {
    pub timeline: &'a Timeline,
    pub against: Option<&'a Timeline>,
    pub differences: &'a [Difference],
}

pub fn json(o: &Outcomes<'_>, w: &mut dyn Write) -> io::Result<()> {
    let mut doc = json!({
        "schema_version": SCHEMA_VERSION,
        "policy": o.timeline,
    });
    if let Some(b) = o.against {
        doc["against"] = json!(b);
        doc["differences"] = json!(o.differences);
    }
    serde_json::to_writer_pretty(&mut *w, &doc)?;
    writeln!(w)
}

/// `notify: ran`, `retrain: BLOCKED by cooldown`, ...
fn action_text(a: &super::timeline::ActionLine) -> String {
    let source = match &a.escalation_of {
        Some(of) => format!(" (escalation of {of})"),
        None => String::new(),
    };
    let verdict = match (a.outcome, a.guardrail) {
        (Outcome::Blocked, Some(g)) => format!("BLOCKED by {}", guardrail_name(g)),
        (Outcome::Observed, Some(g)) => {
            format!("observed (would be blocked by {})", guardrail_name(g))
        }
        (Outcome::Failed, _) => "FAILED (assumed)".to_string(),
        (Outcome::Queued, _) => "queued for approval".to_string(),
        (outcome, _) => outcome.name().to_string(),
    };
    format!("{}{source}: {verdict}", visible::text(&a.action))
}

fn day(at: &str) -> String {
    at.trim_end_matches("T00:00:00Z")
        .replace('T', " ")
        .trim_end_matches('Z')
        .to_string()
}

fn eventful(r: &RunLine) -> bool {
    r.error.is_some()
        || !r.fired.is_empty()
        || !r.actions.is_empty()
        || r.incident.as_deref() != Some("healthy")
}

pub fn table(o: &Outcomes<'_>, w: &mut dyn Write) -> io::Result<()> {
    write_timeline(o.timeline, w)?;
    if let Some(b) = o.against {
        writeln!(w)?;
        write_timeline(b, w)?;
        writeln!(w)?;
        if o.differences.is_empty() {
            writeln!(w, "The two policies decide alike on every run.")?;
        } else {
            writeln!(
                w,
                "Where `{}` and `{}` decide differently ({} {}):",
                visible::text(&o.timeline.policy),
                visible::text(&b.policy),
                o.differences.len(),
                if o.differences.len() == 1 {
                    "run"
                } else {
                    "runs"
                }
            )?;
            for d in o.differences {
                let side = |v: &[String]| {
                    if v.is_empty() {
                        "no action".to_string()
                    } else {
                        visible::text(&v.join(", ")).into_owned()
                    }
                };
                writeln!(
                    w,
                    "  {}  {}  |  {}",
                    day(&d.at),
                    side(&d.policy),
                    side(&d.against)
                )?;
            }
        }
    }
    Ok(())
}

fn write_timeline(t: &Timeline, w: &mut dyn Write) -> io::Result<()> {
    let (first, last) = match (t.runs.first(), t.runs.last()) {
        (Some(a), Some(b)) => (day(&a.at), day(&b.at)),
        _ => (String::new(), String::new()),
    };
    writeln!(
        w,
        "Backtest of policy `{}` on {} {} ({first} .. {last}); nothing ran, outcomes assumed",
        visible::text(&t.policy),
        t.runs.len(),
        if t.runs.len() == 1 { "run" } else { "runs" },
    )?;
    let shown: Vec<&RunLine> = t.runs.iter().filter(|r| eventful(r)).collect();
    for r in &shown {
        let what = match (&r.error, &r.incident) {
            (Some(e), _) => format!("error: {}", visible::text(e)),
            (None, Some(incident)) => {
                let fired = if r.fired.is_empty() {
                    "no rule fired".to_string()
                } else {
                    format!("fired {}", visible::text(&r.fired.join(", ")))
                };
                let actions: Vec<String> = r.actions.iter().map(action_text).collect();
                let actions = if actions.is_empty() {
                    String::new()
                } else {
                    format!("; {}", actions.join("; "))
                };
                format!("{incident}: {fired}{actions}")
            }
            (None, None) => String::new(),
        };
        writeln!(w, "  {}  {what}", day(&r.at))?;
    }
    let quiet = t.runs.len() - shown.len();
    if quiet > 0 {
        writeln!(
            w,
            "  ({quiet} healthy {} with no action not shown; `--format json` lists every run)",
            if quiet == 1 { "run" } else { "runs" }
        )?;
    }
    let s = &t.totals;
    let per_type: Vec<String> = s
        .actions
        .iter()
        .map(|(kind, counts)| {
            let parts: Vec<String> = counts
                .iter()
                .map(|(o, n)| format!("{n} {}", o.name()))
                .collect();
            format!("{kind} {}", parts.join(", "))
        })
        .collect();
    writeln!(
        w,
        "Totals: {} runs, {} with a rule fired, {} failed to build a report; actions: {}; pages: {} ({:.2} per week over {:.1} weeks)",
        s.runs,
        s.alerts,
        s.errors,
        if per_type.is_empty() { "none".to_string() } else { per_type.join("; ") },
        s.pages,
        s.pages_per_week,
        s.weeks,
    )
}

pub fn html(o: &Outcomes<'_>, w: &mut dyn Write) -> io::Result<()> {
    let mut page = String::new();
    page.push_str(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\
         <title>driftmend backtest</title><style>\
         body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}\
         td,th{border-bottom:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}\
         .ok{color:#666}.bad{color:#b00020;font-weight:600}.strip span{display:inline-block;width:6px;height:18px;margin-right:1px}\
         </style></head><body>\n",
    );
    for t in std::iter::once(o.timeline).chain(o.against) {
        timeline_html(t, &mut page);
    }
    if o.against.is_some() {
        page.push_str("<h2>Differences</h2>");
        if o.differences.is_empty() {
            page.push_str("<p>The two policies decide alike on every run.</p>");
        } else {
            page.push_str("<table><tr><th>At</th><th>Policy</th><th>Against</th></tr>");
            for d in o.differences {
                page.push_str(&format!(
                    "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                    escape(&day(&d.at)),
                    escape(&d.policy.join(", ")),
                    escape(&d.against.join(", "))
                ));
            }
            page.push_str("</table>");
        }
    }
    page.push_str("</body></html>\n");
    w.write_all(page.as_bytes())
}

fn timeline_html(t: &Timeline, o: &mut String) {
    o.push_str(&format!(
        "<h1>Backtest of <code>{}</code></h1><p>{} runs; nothing ran, outcomes assumed. \
         {} with a rule fired, {} pages ({:.2} per week).</p>",
        escape(&t.policy),
        t.totals.runs,
        t.totals.alerts,
        t.totals.pages,
        t.totals.pages_per_week
    ));
    // One mark per run: grey healthy, orange a rule fired, red an action
    // blocked or failed, blue an action ran.
    o.push_str("<div class=\"strip\" aria-label=\"runs, oldest first\">");
    for r in &t.runs {
        let color = if r
            .actions
            .iter()
            .any(|a| matches!(a.outcome, Outcome::Blocked | Outcome::Failed))
        {
            "#D55E00"
        } else if r.actions.iter().any(|a| a.outcome == Outcome::Ran) {
            "#0072B2"
        } else if !r.fired.is_empty() || r.error.is_some() {
            "#E69F00"
        } else {
            "#ccc"
        };
        o.push_str(&format!(
            "<span style=\"background:{color}\" title=\"{}\"></span>",
            escape(&day(&r.at))
        ));
    }
    o.push_str(
        "</div><table><tr><th>At</th><th>Incident</th><th>Rules fired</th><th>Actions</th></tr>",
    );
    for r in t.runs.iter().filter(|r| eventful(r)) {
        let actions: Vec<String> = r.actions.iter().map(action_text).collect();
        o.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td></tr>",
            escape(&day(&r.at)),
            escape(
                r.error
                    .as_deref()
                    .map_or(r.incident.as_deref().unwrap_or(""), |_| "error")
            ),
            escape(&r.fired.join(", ")),
            if r.actions.iter().any(|a| a.outcome == Outcome::Blocked) {
                "bad"
            } else {
                "ok"
            },
            escape(&r.error.clone().unwrap_or_else(|| actions.join("; ")))
        ));
    }
    o.push_str("</table>");
}
