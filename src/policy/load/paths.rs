//! Field paths (`rules[1].when`, `report.methods["annual income"]`):
//! building them, parsing them back to find their node in the tree, and
//! "did you mean" suggestions for a misspelt key or name.

use saphyr_parser::Marker;

use super::checker::{kind, Kind};
use super::tree::Node;

/// `path.key`, or `path["odd key"]` for keys that are not plain names.
pub(super) fn at_key(path: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|ch| ch.is_alphanumeric() || ch == '_' || ch == '-');
    if !plain {
        let quoted = serde_json::to_string(key).unwrap_or_else(|_| format!("{key:?}"));
        return format!("{path}[{quoted}]");
    }
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

pub(super) fn at_index(path: &str, index: usize) -> String {
    format!("{path}[{index}]")
}

enum Segment {
    Key(String),
    Index(usize),
}

/// The inverse of [`at_key`] and [`at_index`]; `None` for a malformed path.
fn segments(path: &str) -> Option<Vec<Segment>> {
    let mut out = Vec::new();
    let mut rest = path;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('[') {
            let close = if after.starts_with('"') {
                // A JSON string: find its closing quote, skipping escapes.
                let mut escaped = false;
                after
                    .char_indices()
                    .skip(1)
                    .find(|&(_, ch)| {
                        let end = ch == '"' && !escaped;
                        escaped = ch == '\\' && !escaped;
                        end
                    })
                    .map(|(i, _)| i + 1)?
            } else {
                after.find(']')?
            };
            let inside = &after[..close];
            out.push(match inside.parse::<usize>() {
                Ok(i) => Segment::Index(i),
                Err(_) => Segment::Key(serde_json::from_str(inside).ok()?),
            });
            rest = after[close..].strip_prefix(']')?;
        } else {
            let name = rest.strip_prefix('.').unwrap_or(rest);
            let end = name.find(['.', '[']).unwrap_or(name.len());
            out.push(Segment::Key(name[..end].to_string()));
            rest = &name[end..];
        }
    }
    Some(out)
}

/// The start of the node `path` names, or of the deepest node on the way.
pub(super) fn find(root: &Node, path: &str) -> Marker {
    let mut node = root;
    for segment in segments(path).unwrap_or_default() {
        let next = match (segment, kind(node)) {
            (Segment::Key(key), Kind::Map(map)) => map
                .iter()
                .find(|(k, _)| matches!(kind(k), Kind::Scalar(s) if s.text == key))
                .map(|(_, v)| v),
            (Segment::Index(i), Kind::List(items)) => items.get(i),
            _ => None,
        };
        match next {
            Some(next) => node = next,
            None => break,
        }
    }
    node.span.start
}

/// The closest candidate within 2 edits (a swap of neighbours is one),
/// if any; never for words so short that anything would be close.
pub(super) fn suggest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::osa_distance(word, c), c))
        .filter(|&(d, c)| d <= 2 && d < word.chars().count().min(c.chars().count()))
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::super::sections::GUARDRAIL_KEYS;
    use super::*;

    #[test]
    fn paths_quote_odd_keys_and_parse_back() {
        assert_eq!(at_key("", "rules"), "rules");
        assert_eq!(
            at_key("report.methods", "annual income"),
            "report.methods[\"annual income\"]"
        );
        let path = at_index(&at_key("a", "b.c"), 3);
        assert_eq!(path, "a[\"b.c\"][3]");
        let parsed: Vec<String> = segments(&path)
            .expect("valid")
            .into_iter()
            .map(|s| match s {
                Segment::Key(k) => k,
                Segment::Index(i) => i.to_string(),
            })
            .collect();
        assert_eq!(parsed, ["a", "b.c", "3"]);
    }

    #[test]
    fn suggestions_need_a_close_match() {
        let keys = GUARDRAIL_KEYS.iter().copied();
        assert_eq!(suggest("cooldwn", keys.clone()), Some("cooldown"));
        assert_eq!(suggest("mdoe", keys.clone()), Some("mode"));
        assert_eq!(suggest("colour", keys.clone()), None);
        assert_eq!(suggest("x", ["y"]), None);
        // A swap of neighbours is one edit.
        assert_eq!(suggest("retrian", ["retrain"]), Some("retrain"));
    }
}
