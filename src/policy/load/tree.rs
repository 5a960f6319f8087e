//! Pass 1: YAML text to a tree with the position of every node. Walks
//! saphyr-parser's events without recursion and stops at what must never
//! become a tree (a document over `MAX_BYTES`, nesting deeper than
//! `MAX_DEPTH`, a second document, aliases); reports duplicate keys, which
//! the tree would silently merge.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use saphyr::{MarkedYaml, YamlData, YamlLoader};
use saphyr_parser::{Event, Marker, Parser, Span, SpannedEventReceiver};

use super::checker::{is_null, Checker};
use super::paths::{at_index, at_key};
use super::{MAX_BYTES, MAX_DEPTH};

/// Where a collection's next child goes, for paths and duplicate keys.
enum Frame {
    Seq {
        index: usize,
    },
    Map {
        /// The key of the value being read; `None` while reading a key or
        /// under a non-scalar key.
        key: Option<String>,
        reading_key: bool,
        /// Scalar keys seen so far, with their line.
        seen: HashMap<String, usize>,
    },
}

enum Flow {
    Forward,
    Skip,
    Stop,
}

/// The first pass's state: the open collections and what was rejected.
#[derive(Default)]
struct Shape {
    frames: Vec<Frame>,
    documents: usize,
    /// Something was found that keeps the tree from being checked; the
    /// stream is still read to report every such problem.
    rejected: bool,
}

impl Shape {
    fn check(&mut self, c: &mut Checker, event: &Event, span: Span) -> Flow {
        match event {
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents > 1 {
                    c.at(
                        span.start,
                        "",
                        "a policy file holds one YAML document; remove this `---` and what follows",
                    );
                    return Flow::Stop;
                }
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                if self.frames.len() >= MAX_DEPTH {
                    c.at(span.start, &self.path(), too_deep());
                    return Flow::Stop;
                }
                self.frames.push(match event {
                    Event::MappingStart(..) => Frame::Map {
                        key: None,
                        reading_key: true,
                        seen: HashMap::new(),
                    },
                    _ => Frame::Seq { index: 0 },
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.frames.pop();
                self.node_done();
            }
            Event::Scalar(value, ..) => {
                if matches!(
                    self.frames.last(),
                    Some(Frame::Map {
                        reading_key: true,
                        ..
                    })
                ) {
                    self.key(c, value, span.start);
                } else {
                    self.node_done();
                }
            }
            Event::Alias(_) => {
                c.at(
                    span.start,
                    &self.path(),
                    "aliases (`*name`) are not allowed in a policy; write the value out",
                );
                self.rejected = true;
                self.node_done();
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
        }
        if self.rejected {
            Flow::Skip
        } else {
            Flow::Forward
        }
    }

    fn key(&mut self, c: &mut Checker, value: &str, mark: Marker) {
        let first_line = match self.frames.last_mut() {
            Some(Frame::Map {
                key,
                reading_key,
                seen,
            }) => {
                *reading_key = false;
                *key = Some(value.to_string());
                match seen.entry(value.to_string()) {
                    Entry::Occupied(e) => Some(*e.get()),
                    Entry::Vacant(e) => {
                        e.insert(mark.line());
                        None
                    }
                }
            }
            _ => None,
        };
        if let Some(line) = first_line {
            c.at(
                mark,
                &self.path(),
                format!("duplicate key `{value}`; the first is on line {line}"),
            );
        }
    }

    /// A whole node (scalar, alias or collection) was read in the top frame.
    fn node_done(&mut self) {
        match self.frames.last_mut() {
            Some(Frame::Seq { index }) => *index += 1,
            Some(Frame::Map {
                key, reading_key, ..
            }) => {
                *reading_key = !*reading_key;
                *key = None;
            }
            None => {}
        }
    }

    fn path(&self) -> String {
        let mut path = String::new();
        for frame in &self.frames {
            match frame {
                Frame::Seq { index } => path = at_index(&path, *index),
                Frame::Map {
                    key: Some(key),
                    reading_key: false,
                    ..
                } => path = at_key(&path, key),
                Frame::Map { .. } => {}
            }
        }
        path
    }
}

/// Anchors are dropped before the tree is built: the loader copies every
/// anchored node to resolve aliases, which are rejected anyway.
fn without_anchor(event: Event<'_>) -> Event<'_> {
    match event {
        Event::Scalar(value, style, _, tag) => Event::Scalar(value, style, 0, tag),
        Event::SequenceStart(_, tag) => Event::SequenceStart(0, tag),
        Event::MappingStart(_, tag) => Event::MappingStart(0, tag),
        other => other,
    }
}

pub(super) fn read_tree<'i>(c: &mut Checker, text: &'i str) -> Option<Node<'i>> {
    if text.len() > MAX_BYTES {
        c.at(
            document_start(),
            "",
            format!(
                "the policy is {} bytes; a policy file may be at most {MAX_BYTES} bytes (1 MiB)",
                text.len()
            ),
        );
        return None;
    }
    let mut loader = YamlLoader::<Node<'i>>::default();
    // Keep each scalar's text and quoting: positions inside `when` need the
    // quote, and `"3"` must stay a string.
    loader.early_parse(false);
    // `Shape` reports duplicates with their path; the loader would stop at
    // the first with a bare message.
    loader.allow_duplicate_keys(true);
    let mut shape = Shape::default();
    for item in Parser::new_from_str(text) {
        let (event, span) = match item {
            Ok(pair) => pair,
            // The scanner's own limit on flow nesting (`[[[[...`) can
            // trip before `Shape` sees the events.
            Err(e) if e.info() == "recursion limit exceeded" => {
                c.at(*e.marker(), "", too_deep());
                return None;
            }
            Err(e) => {
                c.at(*e.marker(), "", format!("invalid YAML: {}", e.info()));
                return None;
            }
        };
        match shape.check(c, &event, span) {
            Flow::Forward => loader.on_event(without_anchor(event), span),
            Flow::Skip => {}
            Flow::Stop => return None,
        }
    }
    if shape.rejected {
        return None;
    }
    if let Some(e) = loader.error() {
        c.at(*e.marker(), "", format!("invalid YAML: {}", e.info()));
        return None;
    }
    match loader.into_documents().into_iter().next() {
        Some(root) if !is_null(&root) && !matches!(root.data, YamlData::BadValue) => Some(root),
        _ => {
            c.at(
                document_start(),
                "",
                "the policy is empty; it needs at least `version`, `name`, `data`, `rules` and `actions`",
            );
            None
        }
    }
}

fn too_deep() -> String {
    format!("nested deeper than {MAX_DEPTH} levels; a policy never needs that")
}

pub(super) fn document_start() -> Marker {
    Marker::new(0, 1, 0)
}

pub(super) type Node<'i> = MarkedYaml<'i>;

#[cfg(test)]
mod tests {
    use super::super::tests::{errors, HEAD, TAIL};
    use super::super::{load, MAX_BYTES};

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let flow = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let block = format!("{}x\n", "- ".repeat(10_000));
        let map = format!(
            "version: 1\nname: {}1{}\n",
            "{a: ".repeat(10_000),
            "}".repeat(10_000)
        );
        for text in [&flow, &block, &map] {
            let got = errors(text);
            assert_eq!(got.len(), 1, "{got:#?}");
            assert!(
                got[0].message.contains("nested deeper than 32 levels"),
                "{}",
                got[0]
            );
        }
        // Below the scanner's own limit, the error is at the 33rd level.
        let got = errors(&format!("{}{}", "[".repeat(40), "]".repeat(40)));
        assert_eq!((got[0].line, got[0].column), (1, 33));
        let got = errors(&block);
        assert_eq!((got[0].line, got[0].column), (1, 65));
        assert_eq!(got[0].path, "[0]".repeat(32));
        // 32 levels are fine as YAML (and then fail the schema).
        let ok = format!("{}{}", "[".repeat(32), "]".repeat(32));
        assert!(!errors(&ok)[0].message.contains("nested"));
    }

    #[test]
    fn a_document_over_1_mib_is_rejected_before_parsing() {
        let text = format!("{HEAD}{TAIL}# {}\n", "x".repeat(2 << 20));
        let got = errors(&text);
        assert_eq!(got.len(), 1);
        assert_eq!(
            (got[0].line, got[0].column, got[0].path.as_str()),
            (1, 1, "")
        );
        assert!(
            got[0].message.contains("at most 1048576 bytes (1 MiB)"),
            "{}",
            got[0]
        );
        // Just under the limit is parsed.
        let mut text = format!("{HEAD}{TAIL}# ");
        text.push_str(&"x".repeat(MAX_BYTES - text.len() - 1));
        text.push('\n');
        assert!(load("p.yaml", &text).is_ok());
    }
}
