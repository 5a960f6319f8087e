//! The findings, errors first, their column names linked to the details.

use std::collections::HashMap;
use std::fmt::{self, Write as _};

use super::{escape, plural};
use crate::report::model::{Finding, Severity};

pub(super) fn write_findings(
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
pub(super) fn finding_list(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backticked_names_in_messages_become_code() {
        assert_eq!(
            message_html("column `a<b>` rose; pass `--x`"),
            "column <code>a&lt;b&gt;</code> rose; pass <code>--x</code>"
        );
        assert_eq!(message_html("odd ` tick"), "odd ` tick");
        assert_eq!(message_html("plain"), "plain");
    }
}
