//! Loads a policy file: YAML text in, a validated [`Policy`] with defaults
//! filled in out, or every problem in the file with its line, column and
//! field path. Pure: takes the text (and the file's name, for messages);
//! never reads files.
//!
//! Two passes. The first walks saphyr-parser's event stream without
//! recursion and stops at what must never become a tree: a document over
//! [`MAX_BYTES`], nesting deeper than [`MAX_DEPTH`], a second document,
//! aliases (billion laughs). It also reports duplicate keys, which the tree
//! would silently merge. The events it lets through build a [`MarkedYaml`]
//! tree, which the second pass checks against the schema, collecting every
//! problem instead of stopping at the first.

use std::borrow::Cow;
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::time::Duration;

use saphyr::{AnnotatedMapping, MarkedYaml, Scalar, ScalarStyle, YamlData, YamlLoader};
use saphyr_parser::{Event, Marker, Parser, Span, SpannedEventReceiver};

use super::expr::MetricPath;
use super::model::{
    ActionKind, ActionSpec, CircuitBreaker, DataSpec, Guardrails, Mode, Param, Policy, Purpose,
    RateLimit, ReportSpec, Rule, Service, POLICY_VERSION,
};
use super::template::Template;
use super::{duration, expr, metrics, template, CONTEXT_PATHS};
use crate::stats::{Binning, Method};

/// Larger policy files are rejected before parsing.
pub const MAX_BYTES: usize = 1 << 20;
/// Deeper nesting of lists and mappings is rejected while parsing; a real
/// policy needs 5 levels.
pub const MAX_DEPTH: usize = 32;

const DEFAULT_STATE_DIR: &str = ".driftmend";
const DEFAULT_APPROVAL_EXPIRY: Duration = Duration::from_secs(24 * 3600);
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10 * 60);
/// HTTP actions: the whole exchange, retries included. A trigger or a
/// notification that has not gone through in 2 minutes won't, and a run
/// should not hang on it.
const DEFAULT_HTTP_TIMEOUT: Duration = Duration::from_secs(2 * 60);

/// One problem in a policy file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    pub file: String,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    /// The field, e.g. `rules[1].when` or `actions.retrain.command[2]`
    /// (indices are 0-based); empty for the document as a whole.
    pub path: String,
    pub message: String,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        if !self.path.is_empty() {
            write!(f, "`{}`: ", self.path)?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for PolicyError {}

/// Parses and validates a policy. `file` only appears in the errors, which
/// come sorted by position.
pub fn load(file: &str, text: &str) -> Result<Policy, Vec<PolicyError>> {
    let mut c = Checker::new(file);
    let policy = read_tree(&mut c, text).and_then(|root| read_policy(&mut c, &root));
    match policy {
        Some(policy) if c.errors.is_empty() => Ok(policy),
        _ => {
            if c.errors.is_empty() {
                // Every reader reports before giving up; this is a safety net.
                c.at(document_start(), "", "the policy is not valid");
            }
            Err(c.finish())
        }
    }
}

/// Positions problems found on an already loaded policy (such as
/// `check_paths`'s `(path, message)` pairs): each becomes an error at the
/// node its path names in `text`, or at the deepest node of the path that
/// exists.
pub fn locate(file: &str, text: &str, problems: &[(String, String)]) -> Vec<PolicyError> {
    let mut scratch = Checker::new(file);
    let root = read_tree(&mut scratch, text);
    let mut c = Checker::new(file);
    for (path, message) in problems {
        let mark = root
            .as_ref()
            .map_or_else(document_start, |root| find(root, path));
        c.at(mark, path, message.clone());
    }
    c.finish()
}

// ---------------------------------------------------------------------------
// Pass 1: events -> tree, with the limits that keep a hostile file harmless.

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

fn read_tree<'i>(c: &mut Checker, text: &'i str) -> Option<Node<'i>> {
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

fn document_start() -> Marker {
    Marker::new(0, 1, 0)
}

// ---------------------------------------------------------------------------
// Pass 2: the schema.

type Node<'i> = MarkedYaml<'i>;

/// The error collector, and readers that report what they reject. A reader
/// returning `None` has reported why, or found nothing to read.
struct Checker<'f> {
    file: &'f str,
    errors: Vec<PolicyError>,
}

/// What a node holds, scalars resolved by the YAML 1.2 core schema.
enum Kind<'n, 'i> {
    Scalar(ScalarNode<'n>),
    List(&'n [Node<'i>]),
    Map(&'n AnnotatedMapping<'i, Node<'i>>),
    /// A custom tag, `!!int` on a non-number, ...: the message says what.
    Unsupported(String),
}

struct ScalarNode<'n> {
    /// As written, quotes and escapes resolved.
    text: &'n str,
    style: ScalarStyle,
    value: Scalar<'n>,
}

fn kind<'n, 'i>(node: &'n Node<'i>) -> Kind<'n, 'i> {
    match &node.data {
        YamlData::Representation(text, style, tag) => {
            if let Some(tag) = tag.as_deref().filter(|t| !t.is_yaml_core_schema()) {
                return Kind::Unsupported(format!("tags such as `{tag}` are not supported"));
            }
            let text: &'n str = text;
            match Scalar::parse_from_cow_and_metadata(Cow::Borrowed(text), *style, tag.as_ref()) {
                Some(value) => Kind::Scalar(ScalarNode {
                    text,
                    style: *style,
                    value,
                }),
                None => Kind::Unsupported(format!(
                    "`{}` does not match its tag `!!{}`",
                    shorten(text),
                    tag.as_ref().map_or("", |t| t.suffix.as_str())
                )),
            }
        }
        YamlData::Sequence(items) => Kind::List(items),
        YamlData::Mapping(map) => Kind::Map(map),
        YamlData::Tagged(tag, _) => {
            Kind::Unsupported(format!("tags such as `{tag}` are not supported"))
        }
        YamlData::Value(_) | YamlData::Alias(_) | YamlData::BadValue => {
            Kind::Unsupported("this value is not supported here".to_string())
        }
    }
}

fn is_null(node: &Node) -> bool {
    matches!(
        kind(node),
        Kind::Scalar(ScalarNode {
            value: Scalar::Null,
            ..
        })
    )
}

/// How a type error names what it found.
fn describe(kind: &Kind) -> String {
    match kind {
        Kind::Scalar(s) => match &s.value {
            Scalar::Null if s.text.is_empty() => "nothing".to_string(),
            Scalar::Null => format!("null `{}`", s.text),
            Scalar::Boolean(b) => format!("a boolean `{b}`"),
            Scalar::Integer(_) => format!("an integer `{}`", shorten(s.text)),
            Scalar::FloatingPoint(_) => format!("a number `{}`", shorten(s.text)),
            Scalar::String(_) => format!("a string `{}`", shorten(s.text)),
        },
        Kind::List(_) => "a list".to_string(),
        Kind::Map(_) => "a mapping".to_string(),
        Kind::Unsupported(message) => message.clone(),
    }
}

fn shorten(text: &str) -> Cow<'_, str> {
    const MAX: usize = 40;
    match text.char_indices().nth(MAX) {
        Some((end, _)) => Cow::Owned(format!("{}...", &text[..end])),
        None => Cow::Borrowed(text),
    }
}

/// A mapping's entries, keys as written, in file order.
struct Fields<'n, 'i> {
    path: String,
    /// Where a missing key is reported: the mapping's own key, or the
    /// mapping when it has none.
    owner: Marker,
    entries: Vec<Field<'n, 'i>>,
}

struct Field<'n, 'i> {
    key: &'n str,
    key_node: &'n Node<'i>,
    value: &'n Node<'i>,
    path: String,
}

impl<'n, 'i> Fields<'n, 'i> {
    /// The entry, even with an empty value.
    fn entry(&self, key: &str) -> Option<&Field<'n, 'i>> {
        self.entries.iter().find(|f| f.key == key)
    }

    /// The entry when it has a value: an empty or `null` value means "use
    /// the default".
    fn get(&self, key: &str) -> Option<&Field<'n, 'i>> {
        self.entry(key).filter(|f| !is_null(f.value))
    }
}

impl<'f> Checker<'f> {
    fn new(file: &'f str) -> Self {
        Checker {
            file,
            errors: Vec::new(),
        }
    }

    fn at(&mut self, mark: Marker, path: &str, message: impl Into<String>) {
        self.errors.push(PolicyError {
            file: self.file.to_string(),
            line: mark.line(),
            column: mark.col() + 1,
            path: path.to_string(),
            message: message.into(),
        });
    }

    /// The errors, in file order.
    fn finish(mut self) -> Vec<PolicyError> {
        self.errors.sort_by_key(|e| (e.line, e.column));
        self.errors
    }

    fn expected(&mut self, node: &Node, path: &str, expected: &str) {
        let found = kind(node);
        let message = match &found {
            Kind::Unsupported(message) => message.clone(),
            _ => format!("expected {expected}, found {}", describe(&found)),
        };
        self.at(node.span.start, path, message);
    }

    fn mapping<'n, 'i>(
        &mut self,
        node: &'n Node<'i>,
        path: &str,
        owner: Marker,
    ) -> Option<Fields<'n, 'i>> {
        let Kind::Map(map) = kind(node) else {
            self.expected(node, path, "a mapping");
            return None;
        };
        let mut entries = Vec::with_capacity(map.len());
        for (key_node, value) in map.iter() {
            match kind(key_node) {
                Kind::Scalar(s) if !matches!(s.value, Scalar::Null) => entries.push(Field {
                    key: s.text,
                    key_node,
                    value,
                    path: at_key(path, s.text),
                }),
                _ => self.expected(key_node, path, "a plain key"),
            }
        }
        Some(Fields {
            path: path.to_string(),
            owner,
            entries,
        })
    }

    /// A mapping under `field` whose keys must all be in `known`.
    fn section<'n, 'i>(&mut self, field: &Field<'n, 'i>, known: &[&str]) -> Option<Fields<'n, 'i>> {
        let fields = self.mapping(field.value, &field.path, field.key_node.span.start)?;
        self.unknown_keys(&fields, known);
        Some(fields)
    }

    fn unknown_keys(&mut self, fields: &Fields, known: &[&str]) {
        for f in &fields.entries {
            if known.contains(&f.key) {
                continue;
            }
            let message = match suggest(f.key, known.iter().copied()) {
                Some(s) => format!("unknown key `{}` (did you mean `{s}`?)", f.key),
                None => format!(
                    "unknown key `{}`; expected one of: {}",
                    f.key,
                    known.join(", ")
                ),
            };
            self.at(f.key_node.span.start, &f.path, message);
        }
    }

    fn required<'a, 'n, 'i>(
        &mut self,
        fields: &'a Fields<'n, 'i>,
        key: &str,
    ) -> Option<&'a Field<'n, 'i>> {
        let field = fields.entry(key);
        if field.is_none() {
            self.at(
                fields.owner,
                &at_key(&fields.path, key),
                format!("missing required key `{key}`"),
            );
        }
        field
    }

    /// Any scalar but null, as written: `positive_label: 1` and column names
    /// like `2019` are text.
    fn scalar<'n>(&mut self, node: &'n Node, path: &str) -> Option<ScalarNode<'n>> {
        match kind(node) {
            Kind::Scalar(s) if !matches!(s.value, Scalar::Null) => Some(s),
            Kind::Scalar(s) if !s.text.is_empty() => {
                let text = s.text;
                self.at(
                    node.span.start,
                    path,
                    format!(
                        "expected a string, found null `{text}` (write \"{text}\" for the text)"
                    ),
                );
                None
            }
            _ => {
                self.expected(node, path, "a string");
                None
            }
        }
    }

    fn string(&mut self, node: &Node, path: &str) -> Option<String> {
        self.scalar(node, path).map(|s| s.text.to_string())
    }

    fn non_empty_string(&mut self, node: &Node, path: &str) -> Option<String> {
        let s = self.string(node, path)?;
        if s.trim().is_empty() {
            self.at(node.span.start, path, "must not be empty");
            return None;
        }
        Some(s)
    }

    /// One of `options`, spelled exactly.
    fn choice<'o>(
        &mut self,
        node: &Node,
        path: &str,
        what: &str,
        options: &[&'o str],
    ) -> Option<&'o str> {
        let text = self.string(node, path)?;
        if let Some(found) = options.iter().find(|o| **o == text) {
            return Some(found);
        }
        let hint = suggest(&text, options.iter().copied())
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        self.at(
            node.span.start,
            path,
            format!(
                "unknown {what} `{}`; expected one of: {}{hint}",
                shorten(&text),
                options.join(", ")
            ),
        );
        None
    }

    fn boolean(&mut self, node: &Node, path: &str) -> Option<bool> {
        match kind(node) {
            Kind::Scalar(ScalarNode {
                value: Scalar::Boolean(b),
                ..
            }) => Some(b),
            _ => {
                self.expected(node, path, "`true` or `false`");
                None
            }
        }
    }

    fn integer(&mut self, node: &Node, path: &str, min: i64, max: i64) -> Option<i64> {
        let Kind::Scalar(ScalarNode {
            value: Scalar::Integer(n),
            ..
        }) = kind(node)
        else {
            self.expected(node, path, "a whole number");
            return None;
        };
        if (min..=max).contains(&n) {
            return Some(n);
        }
        let message = if n < min {
            format!("must be at least {min}, found {n}")
        } else {
            format!("must be at most {max}, found {n}")
        };
        self.at(node.span.start, path, message);
        None
    }

    fn count(&mut self, node: &Node, path: &str, min: u32) -> Option<u32> {
        let n = self.integer(node, path, i64::from(min), i64::from(u32::MAX))?;
        u32::try_from(n).ok()
    }

    /// A finite number in `[min, max]`.
    fn number(&mut self, node: &Node, path: &str, min: f64, max: f64) -> Option<f64> {
        let x = match kind(node) {
            // Policies hold small numbers; i64 -> f64 is exact for them.
            Kind::Scalar(ScalarNode {
                value: Scalar::Integer(n),
                ..
            }) => n as f64,
            Kind::Scalar(ScalarNode {
                value: Scalar::FloatingPoint(x),
                ..
            }) => x.into_inner(),
            _ => {
                self.expected(node, path, "a number");
                return None;
            }
        };
        if x.is_finite() && (min..=max).contains(&x) {
            return Some(x);
        }
        let message = if max.is_finite() {
            format!("must be a number from {min} to {max}, found {x}")
        } else {
            format!("must be a finite number >= {min}, found {x}")
        };
        self.at(node.span.start, path, message);
        None
    }

    fn share(&mut self, node: &Node, path: &str) -> Option<f64> {
        self.number(node, path, 0.0, 1.0)
    }

    fn non_negative(&mut self, node: &Node, path: &str) -> Option<f64> {
        self.number(node, path, 0.0, f64::INFINITY)
    }

    /// A duration such as `6h`; `positive` rejects `0`.
    fn duration(&mut self, node: &Node, path: &str, positive: bool) -> Option<Duration> {
        let text = match kind(node) {
            Kind::Scalar(ScalarNode {
                value: Scalar::String(_) | Scalar::Integer(_),
                text,
                ..
            }) => text,
            _ => {
                self.expected(node, path, "a duration such as `6h`");
                return None;
            }
        };
        match duration::parse(text) {
            Ok(d) if positive && d.is_zero() => {
                self.at(node.span.start, path, "must be longer than 0s");
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                self.at(node.span.start, path, e.to_string());
                None
            }
        }
    }

    fn list<'n, 'i>(&mut self, node: &'n Node<'i>, path: &str) -> Option<&'n [Node<'i>]> {
        match kind(node) {
            Kind::List(items) => Some(items),
            Kind::Scalar(s) if !matches!(s.value, Scalar::Null) => {
                let text = shorten(s.text);
                self.at(
                    node.span.start,
                    path,
                    format!(
                        "expected a list, found {} (write `[{text}]`)",
                        describe(&kind(node))
                    ),
                );
                None
            }
            _ => {
                self.expected(node, path, "a list");
                None
            }
        }
    }

    /// Each item of a list, read by `read`; `None` if any item is invalid.
    fn items<T>(
        &mut self,
        node: &Node,
        path: &str,
        mut read: impl FnMut(&mut Self, &Node, &str) -> Option<T>,
    ) -> Option<Vec<T>> {
        let items = self.list(node, path)?;
        let mut out = Vec::with_capacity(items.len());
        let mut valid = true;
        for (i, item) in items.iter().enumerate() {
            match read(self, item, &at_index(path, i)) {
                Some(v) => out.push(v),
                None => valid = false,
            }
        }
        valid.then_some(out)
    }

    fn strings(&mut self, node: &Node, path: &str) -> Option<Vec<String>> {
        self.items(node, path, Self::string)
    }

    /// Each value of an open mapping (keys are names: columns, variables).
    fn values<T>(
        &mut self,
        field: &Field,
        mut read: impl FnMut(&mut Self, &Field) -> Option<T>,
    ) -> Option<BTreeMap<String, T>> {
        let fields = self.mapping(field.value, &field.path, field.key_node.span.start)?;
        let mut out = BTreeMap::new();
        let mut valid = true;
        for f in &fields.entries {
            match read(self, f) {
                Some(v) => {
                    out.insert(f.key.to_string(), v);
                }
                None => valid = false,
            }
        }
        valid.then_some(out)
    }

    fn template(&mut self, node: &Node, path: &str) -> Option<Template> {
        let s = self.scalar(node, path)?;
        match template::parse(s.text) {
            Ok(t) => Some(t),
            Err(e) => {
                let mark = inner_mark(node, &s, e.offset);
                self.at(mark, path, format!("invalid template: {}", e.message));
                None
            }
        }
    }

    /// A template in an action: its metric paths must exist (context paths
    /// such as `rule.name` aside).
    fn action_template(&mut self, node: &Node, path: &str) -> Option<Template> {
        let template = self.template(node, path)?;
        if let Kind::Scalar(s) = kind(node) {
            let paths = template
                .paths()
                .into_iter()
                .filter(|p| !CONTEXT_PATHS.contains(&p.dotted().as_str()));
            self.metric_paths(node, &s, path, paths);
        }
        Some(template)
    }

    /// Reports each path no report has (`dataset.drift_shar`) at its place
    /// in the text. Columns are only known at run time.
    fn metric_paths<'p>(
        &mut self,
        node: &Node,
        s: &ScalarNode,
        path: &str,
        paths: impl IntoIterator<Item = &'p MetricPath>,
    ) {
        for p in paths {
            if let Err(message) = metrics::check(&p.segments, None) {
                let message = context_hint(p).unwrap_or(message);
                self.at(inner_mark(node, s, p.offset), path, message);
            }
        }
    }

    /// A `when:` condition: it parses, its metric paths exist, and it has
    /// no type error (`dataset.drift_share >= 'high'`) that would fail, or
    /// quietly never hold, on every run.
    fn condition(&mut self, node: &Node, path: &str) -> Option<(String, expr::Expr)> {
        let s = self.scalar(node, path)?;
        match expr::parse(s.text) {
            Ok(e) => {
                self.metric_paths(node, &s, path, e.paths());
                for error in e.type_errors(&|p| metrics::value_type(&p.segments)) {
                    let mark = inner_mark(node, &s, error.offset);
                    self.at(mark, path, format!("invalid condition: {}", error.message));
                }
                Some((s.text.to_string(), e))
            }
            Err(e) => {
                let mark = inner_mark(node, &s, e.offset);
                self.at(mark, path, format!("invalid condition: {}", e.message));
                None
            }
        }
    }

    /// A drift method name; `auto` where `auto` is allowed, and only
    /// methods that fit the column kind.
    fn method(&mut self, node: &Node, path: &str, fit: MethodFit) -> Option<String> {
        let name = self.string(node, path)?;
        let problem = match name.parse::<Method>() {
            _ if name.eq_ignore_ascii_case("auto") => {
                if fit != MethodFit::Column {
                    return Some(name);
                }
                "`auto` is the default; name a method or remove this column".to_string()
            }
            Err(e) => e,
            Ok(m) if fit == MethodFit::Numerical && !m.accepts_numerical() => {
                format!("`{m}` does not apply to numerical columns")
            }
            Ok(m) if fit == MethodFit::Categorical && !m.accepts_categorical() => {
                format!("`{m}` does not apply to categorical columns")
            }
            Ok(_) => return Some(name),
        };
        self.at(node.span.start, path, problem);
        None
    }

    /// A list of action names, each defined under `actions:`.
    fn action_names(
        &mut self,
        node: &Node,
        path: &str,
        defined: &[&str],
        non_empty: bool,
    ) -> Option<Vec<String>> {
        let names = self.items(node, path, |c, item, item_path| {
            let name = c.string(item, item_path)?;
            if defined.contains(&name.as_str()) {
                return Some(name);
            }
            let hint = suggest(&name, defined.iter().copied())
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            c.at(
                item.span.start,
                item_path,
                format!("action `{name}` is not defined under `actions:`{hint}"),
            );
            None
        })?;
        if non_empty && names.is_empty() {
            self.at(node.span.start, path, "needs at least one action");
            return None;
        }
        Some(names)
    }
}

/// For a misspelt context path (`rule.nme`), what the run provides
/// instead of the metric catalogue's complaint about `rule`.
fn context_hint(p: &MetricPath) -> Option<String> {
    let root = p.segments.first()?;
    let siblings: Vec<&str> = CONTEXT_PATHS
        .iter()
        .copied()
        .filter(|c| c.split('.').next() == Some(root.as_str()))
        .collect();
    if siblings.is_empty() {
        return None;
    }
    let dotted = p.dotted();
    let hint = suggest(&dotted, siblings.iter().copied())
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default();
    Some(format!(
        "unknown `{dotted}`; expected one of: {}{hint}",
        siblings.join(", ")
    ))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MethodFit {
    Numerical,
    Categorical,
    /// The target or prediction column: either kind, or `auto`.
    Any,
    /// A per-column override: a method, not `auto`.
    Column,
}

/// The position of byte `offset` inside a scalar's text: exact for plain
/// and quoted scalars on one line (escapes aside), the scalar's start for
/// block and multi-line scalars.
fn inner_mark(node: &Node, s: &ScalarNode, offset: usize) -> Marker {
    let start = node.span.start;
    let one_line = node.span.end.line() == start.line();
    let quote = match s.style {
        ScalarStyle::Plain => 0,
        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => 1,
        ScalarStyle::Literal | ScalarStyle::Folded => return start,
    };
    if !one_line {
        return start;
    }
    let mut end = offset.min(s.text.len());
    while !s.text.is_char_boundary(end) {
        end -= 1;
    }
    let chars = s.text[..end].chars().count() + quote;
    Marker::new(start.index() + chars, start.line(), start.col() + chars)
}

// ---------------------------------------------------------------------------
// The sections.

const ROOT_KEYS: &[&str] = &[
    "version",
    "name",
    "data",
    "report",
    "state_dir",
    "guardrails",
    "rules",
    "every_run",
    "actions",
];
const DATA_KEYS: &[&str] = &["reference", "current", "delimiter", "null_values"];
const REPORT_KEYS: &[&str] = &[
    "columns",
    "exclude",
    "categorical",
    "numerical",
    "target",
    "prediction",
    "num_method",
    "cat_method",
    "target_method",
    "prediction_method",
    "methods",
    "threshold",
    "thresholds",
    "bins",
    "drift_share",
    "min_effect",
    "correction",
    "seed",
    "permutations",
    "mmd_sample",
    "missing_increase",
    "out_of_range",
    "positive_label",
    "prediction_threshold",
];
const GUARDRAIL_KEYS: &[&str] = &[
    "mode",
    "cooldown",
    "max_actions",
    "circuit_breaker",
    "quality_gate",
    "approval_expiry",
    "escalate",
];
const RULE_KEYS: &[&str] = &["name", "when", "for", "actions", "escalate"];
/// Keys every action type reads.
const ACTION_KEYS: &[&str] = &[
    "type",
    "purpose",
    "require_approval",
    "max_rollback_depth",
    "timeout",
];

fn read_policy(c: &mut Checker, root: &Node) -> Option<Policy> {
    if !matches!(kind(root), Kind::Map(_)) {
        let found = describe(&kind(root));
        c.at(
            root.span.start,
            "",
            format!(
                "a policy is a mapping of `version`, `name`, `data`, `rules`, ...; found {found}"
            ),
        );
        return None;
    }
    let top = c.mapping(root, "", root.span.start)?;
    // A newer file means different keys: its version is the only problem
    // worth reporting.
    let version = match c.required(&top, "version") {
        None => None,
        Some(f) => {
            match c.integer(f.value, &f.path, i64::MIN, i64::MAX) {
                Some(v) if v == i64::from(POLICY_VERSION) => Some(POLICY_VERSION),
                Some(v) if v > i64::from(POLICY_VERSION) => {
                    c.at(
                    f.value.span.start,
                    &f.path,
                    format!(
                        "this policy is version {v}; this driftmend reads version {POLICY_VERSION} — upgrade driftmend"
                    ),
                );
                    return None;
                }
                Some(v) => {
                    c.at(
                    f.value.span.start,
                    &f.path,
                    format!("unknown policy version {v}; this driftmend reads version {POLICY_VERSION}"),
                );
                    None
                }
                None => None,
            }
        }
    };
    c.unknown_keys(&top, ROOT_KEYS);
    let name = c
        .required(&top, "name")
        .and_then(|f| c.non_empty_string(f.value, &f.path));
    let data = c.required(&top, "data").and_then(|f| read_data(c, f));
    let report = top
        .get("report")
        .map_or_else(ReportSpec::default, |f| read_report(c, f));
    let state_dir = top
        .get("state_dir")
        .and_then(|f| c.non_empty_string(f.value, &f.path))
        .unwrap_or_else(|| DEFAULT_STATE_DIR.to_string());
    // Names are known even when a spec is broken, so rules are checked
    // against what the author meant to define.
    let action_fields = top
        .get("actions")
        .and_then(|f| c.mapping(f.value, &f.path, f.key_node.span.start));
    let defined: Vec<&str> = action_fields
        .iter()
        .flat_map(|fields| fields.entries.iter().map(|f| f.key))
        .collect();
    let guardrails = read_guardrails(c, top.get("guardrails"), &defined);
    let rules = c
        .required(&top, "rules")
        .and_then(|f| read_rules(c, f, &defined));
    let every_run = match top.get("every_run") {
        None => Some(Vec::new()),
        Some(f) => c.action_names(f.value, &f.path, &defined, false),
    };
    let actions = action_fields.map_or_else(BTreeMap::new, |fields| read_actions(c, &fields));
    Some(Policy {
        version: version?,
        name: name?,
        data: data?,
        report,
        state_dir,
        guardrails,
        rules: rules?,
        every_run: every_run?,
        actions,
    })
}

fn read_data(c: &mut Checker, field: &Field) -> Option<DataSpec> {
    let fields = c.section(field, DATA_KEYS)?;
    let reference = c
        .required(&fields, "reference")
        .and_then(|f| c.template(f.value, &f.path));
    let current = c
        .required(&fields, "current")
        .and_then(|f| c.template(f.value, &f.path));
    let delimiter = match fields.get("delimiter") {
        None => Some(','),
        Some(f) => read_delimiter(c, f),
    };
    let null_values = match fields.get("null_values") {
        None => Some(Vec::new()),
        Some(f) => c.strings(f.value, &f.path),
    };
    Some(DataSpec {
        reference: reference?,
        current: current?,
        delimiter: delimiter?,
        null_values: null_values?,
    })
}

/// One ASCII character; a tab as `"\t"`, `\t` or `tab` (as `--delimiter`).
fn read_delimiter(c: &mut Checker, field: &Field) -> Option<char> {
    let text = c.string(field.value, &field.path)?;
    match text.as_str() {
        "\t" | "\\t" | "tab" => return Some('\t'),
        _ => {}
    }
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(ch), None) if ch.is_ascii() && ch != '\n' && ch != '\r' && ch != '"' => Some(ch),
        _ => {
            c.at(
                field.value.span.start,
                &field.path,
                format!(
                    "`{}` is not a single ASCII character (a tab is \"\\t\")",
                    shorten(&text)
                ),
            );
            None
        }
    }
}

fn read_report(c: &mut Checker, field: &Field) -> ReportSpec {
    let mut spec = ReportSpec::default();
    let Some(r) = c.section(field, REPORT_KEYS) else {
        return spec;
    };
    // Readers report what they reject; a rejected value leaves the default
    // and `load` fails on the error.
    let strings = |c: &mut Checker, key| {
        r.get(key)
            .and_then(|f| c.strings(f.value, &f.path))
            .unwrap_or_default()
    };
    spec.columns = r.get("columns").and_then(|f| c.strings(f.value, &f.path));
    spec.exclude = strings(c, "exclude");
    spec.categorical = strings(c, "categorical");
    spec.numerical = strings(c, "numerical");
    if let (Some(f), Some(both)) = (
        r.get("numerical"),
        spec.numerical.iter().find(|n| spec.categorical.contains(n)),
    ) {
        c.at(
            f.value.span.start,
            &f.path,
            format!("`{both}` is also in `report.categorical`; pick one"),
        );
    }
    let string = |c: &mut Checker, key| r.get(key).and_then(|f| c.string(f.value, &f.path));
    spec.target = string(c, "target");
    spec.prediction = string(c, "prediction");
    spec.positive_label = string(c, "positive_label");
    let method =
        |c: &mut Checker, key, fit| r.get(key).and_then(|f| c.method(f.value, &f.path, fit));
    spec.num_method = method(c, "num_method", MethodFit::Numerical);
    spec.cat_method = method(c, "cat_method", MethodFit::Categorical);
    spec.target_method = method(c, "target_method", MethodFit::Any);
    spec.prediction_method = method(c, "prediction_method", MethodFit::Any);
    spec.methods = r
        .get("methods")
        .and_then(|f| c.values(f, |c, f| c.method(f.value, &f.path, MethodFit::Column)))
        .unwrap_or_default();
    spec.threshold = r
        .get("threshold")
        .and_then(|f| c.non_negative(f.value, &f.path));
    spec.thresholds = r
        .get("thresholds")
        .and_then(|f| c.values(f, |c, f| c.non_negative(f.value, &f.path)))
        .unwrap_or_default();
    spec.bins = r.get("bins").and_then(|f| {
        let text = c.string(f.value, &f.path)?;
        match text.parse::<Binning>() {
            Ok(_) => Some(text),
            Err(e) => {
                c.at(f.value.span.start, &f.path, e);
                None
            }
        }
    });
    let share = |c: &mut Checker, key| r.get(key).and_then(|f| c.share(f.value, &f.path));
    spec.drift_share = share(c, "drift_share");
    spec.missing_increase = share(c, "missing_increase");
    spec.out_of_range = share(c, "out_of_range");
    spec.prediction_threshold = share(c, "prediction_threshold");
    spec.min_effect = r
        .get("min_effect")
        .and_then(|f| c.non_negative(f.value, &f.path));
    spec.correction = r
        .get("correction")
        .and_then(|f| {
            c.choice(
                f.value,
                &f.path,
                "correction",
                &["none", "bonferroni", "bh"],
            )
        })
        .map(str::to_string);
    spec.seed = r
        .get("seed")
        .and_then(|f| c.integer(f.value, &f.path, 0, i64::MAX))
        .and_then(|n| u64::try_from(n).ok());
    // As `--permutations` and `--mmd-sample` check them.
    let size = |c: &mut Checker, key, min| {
        r.get(key)
            .and_then(|f| c.integer(f.value, &f.path, min, i64::MAX))
            .and_then(|n| usize::try_from(n).ok())
    };
    spec.permutations = size(c, "permutations", 1);
    spec.mmd_sample = size(c, "mmd_sample", 2);
    spec
}

fn read_guardrails(c: &mut Checker, field: Option<&Field>, defined: &[&str]) -> Guardrails {
    let mut g = Guardrails {
        mode: Mode::default(),
        cooldown: Duration::ZERO,
        max_actions: None,
        circuit_breaker: None,
        quality_gate: true,
        approval_expiry: DEFAULT_APPROVAL_EXPIRY,
        escalate: Vec::new(),
    };
    let Some(fields) = field.and_then(|f| c.section(f, GUARDRAIL_KEYS)) else {
        return g;
    };
    if let Some(f) = fields.get("mode") {
        g.mode = match c.choice(f.value, &f.path, "mode", &["observe", "approve", "auto"]) {
            Some("approve") => Mode::Approve,
            Some("auto") => Mode::Auto,
            _ => Mode::Observe,
        };
    }
    if let Some(d) = fields
        .get("cooldown")
        .and_then(|f| c.duration(f.value, &f.path, false))
    {
        g.cooldown = d;
    }
    g.max_actions = fields.get("max_actions").and_then(|f| {
        let limit = c.section(f, &["count", "per"])?;
        let count = c
            .required(&limit, "count")
            .and_then(|f| c.count(f.value, &f.path, 1));
        let per = c
            .required(&limit, "per")
            .and_then(|f| c.duration(f.value, &f.path, true));
        Some(RateLimit {
            count: count?,
            per: per?,
        })
    });
    g.circuit_breaker = fields.get("circuit_breaker").and_then(|f| {
        let breaker = c.section(f, &["failures", "open_for"])?;
        let failures = c
            .required(&breaker, "failures")
            .and_then(|f| c.count(f.value, &f.path, 1));
        let open_for = c
            .required(&breaker, "open_for")
            .and_then(|f| c.duration(f.value, &f.path, true));
        Some(CircuitBreaker {
            failures: failures?,
            open_for: open_for?,
        })
    });
    if let Some(b) = fields
        .get("quality_gate")
        .and_then(|f| c.boolean(f.value, &f.path))
    {
        g.quality_gate = b;
    }
    if let Some(d) = fields
        .get("approval_expiry")
        .and_then(|f| c.duration(f.value, &f.path, true))
    {
        g.approval_expiry = d;
    }
    if let Some(names) = fields
        .get("escalate")
        .and_then(|f| c.action_names(f.value, &f.path, defined, false))
    {
        g.escalate = names;
    }
    g
}

fn read_rules(c: &mut Checker, field: &Field, defined: &[&str]) -> Option<Vec<Rule>> {
    let items = c.list(field.value, &field.path)?;
    if items.is_empty() {
        c.at(
            field.value.span.start,
            &field.path,
            "a policy needs at least one rule",
        );
        return None;
    }
    // Name -> line of its first use.
    let mut names: HashMap<String, usize> = HashMap::new();
    let mut rules = Vec::with_capacity(items.len());
    let mut valid = true;
    for (i, item) in items.iter().enumerate() {
        let path = at_index(&field.path, i);
        match read_rule(c, item, &path, defined, &mut names) {
            Some(rule) => rules.push(rule),
            None => valid = false,
        }
    }
    valid.then_some(rules)
}

fn read_rule(
    c: &mut Checker,
    node: &Node,
    path: &str,
    defined: &[&str],
    names: &mut HashMap<String, usize>,
) -> Option<Rule> {
    let fields = c.mapping(node, path, node.span.start)?;
    c.unknown_keys(&fields, RULE_KEYS);
    let name = c.required(&fields, "name").and_then(|f| {
        let name = c.non_empty_string(f.value, &f.path)?;
        let line = f.value.span.start.line();
        match names.entry(name.clone()) {
            Entry::Vacant(e) => {
                e.insert(line);
                Some(name)
            }
            Entry::Occupied(e) => {
                let first = *e.get();
                c.at(
                    f.value.span.start,
                    &f.path,
                    format!("duplicate rule name `{name}`; the first is on line {first}"),
                );
                None
            }
        }
    });
    let when = c
        .required(&fields, "when")
        .and_then(|f| c.condition(f.value, &f.path));
    let for_runs = match fields.get("for") {
        None => Some(1),
        Some(f) => c.count(f.value, &f.path, 1),
    };
    let actions = c
        .required(&fields, "actions")
        .and_then(|f| c.action_names(f.value, &f.path, defined, true));
    let escalate = match fields.get("escalate") {
        None => Some(Vec::new()),
        Some(f) => c.action_names(f.value, &f.path, defined, false),
    };
    let (when_text, when) = when?;
    Some(Rule {
        name: name?,
        when_text,
        when,
        for_runs: for_runs?,
        actions: actions?,
        escalate: escalate?,
    })
}

fn read_actions(c: &mut Checker, fields: &Fields) -> BTreeMap<String, ActionSpec> {
    let mut actions = BTreeMap::new();
    for f in &fields.entries {
        if !is_action_name(f.key) {
            c.at(
                f.key_node.span.start,
                &f.path,
                format!(
                    "`{}` is not a valid action name: use letters, digits, `-` and `_`",
                    shorten(f.key)
                ),
            );
        }
        check_secrets(c, f.value, &f.path);
        if let Some(spec) = read_action(c, f) {
            actions.insert(f.key.to_string(), spec);
        }
    }
    actions
}

fn is_action_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
}

/// An action type: what `type:` says, the keys it reads besides
/// [`ACTION_KEYS`], and how it reads them. Adding a type is one entry here
/// and its keys, one variant of [`Service`], and its action in `actions`.
struct ActionType {
    name: &'static str,
    /// The purpose when neither `purpose:` nor the action's name says.
    purpose: Purpose,
    read: Reader,
}

enum Reader {
    Exec,
    Service(Service, &'static [&'static [ParamSpec]]),
}

impl ActionType {
    fn keys(&self) -> Vec<&'static str> {
        match &self.read {
            Reader::Exec => vec!["command", "env", "set_env", "cwd"],
            Reader::Service(_, groups) => groups
                .iter()
                .flat_map(|g| g.iter().map(|p| p.key))
                .collect(),
        }
    }
}

/// One key of a service action type.
struct ParamSpec {
    key: &'static str,
    kind: ParamKind,
    required: bool,
}

#[derive(Clone, Copy)]
enum ParamKind {
    /// A template.
    Text,
    /// A template; written out, it must be an http(s) URL.
    Url,
    /// A mapping of names to templates, at most this many entries.
    Map(usize),
    Flag,
    /// A number in the range.
    Number(f64, f64),
    /// One of these, exactly.
    Choice(&'static [&'static str]),
}

const fn opt(key: &'static str, kind: ParamKind) -> ParamSpec {
    ParamSpec {
        key,
        kind,
        required: false,
    }
}

const fn req(key: &'static str, kind: ParamKind) -> ParamSpec {
    ParamSpec {
        key,
        kind,
        required: true,
    }
}

use ParamKind::{Choice, Flag, Map, Number, Text, Url};

/// Every HTTP action: retries and plain-http permission.
const HTTP_KEYS: &[ParamSpec] = &[
    opt("allow_insecure_http", Flag),
    opt("max_attempts", Number(1.0, 10.0)),
];
/// MLflow's connection and auth, as its own clients take them.
const MLFLOW_KEYS: &[ParamSpec] = &[
    opt("tracking_uri", Url),
    opt("username", Text),
    opt("password", Text),
    opt("token", Text),
];
const MLFLOW_ROLLBACK: &[ParamSpec] = &[
    req("model", Text),
    opt("alias", Text),
    opt("previous_alias", Text),
    opt("approved_tag", Text),
    opt("use_stages", Flag),
    opt("stage", Text),
];
const MLFLOW_PROMOTE: &[ParamSpec] = &[
    req("model", Text),
    req("candidate", Text),
    opt("alias", Text),
    opt("previous_alias", Text),
    opt("metric", Text),
    opt("min", Number(f64::NEG_INFINITY, f64::INFINITY)),
    opt("max", Number(f64::NEG_INFINITY, f64::INFINITY)),
    opt("better_than", Text),
    opt("lower_is_better", Flag),
    opt("no_check", Flag),
];
const MLFLOW_LOG: &[ParamSpec] = &[
    req("experiment", Text),
    opt("run_name", Text),
    opt("tags", Map(100)),
];
const GITHUB_WORKFLOW: &[ParamSpec] = &[
    opt("api_url", Url),
    req("repo", Text),
    req("workflow", Text),
    req("ref", Text),
    req("token", Text),
    // GitHub takes at most 10 inputs.
    opt("inputs", Map(10)),
];
const GITHUB_DISPATCH: &[ParamSpec] = &[
    opt("api_url", Url),
    req("repo", Text),
    req("event_type", Text),
    req("token", Text),
    opt("client_payload", Map(10)),
];
const GITLAB_PIPELINE: &[ParamSpec] = &[
    opt("api_url", Url),
    req("project", Text),
    req("ref", Text),
    opt("trigger_token", Text),
    opt("token", Text),
    opt("variables", Map(200)),
];
const JENKINS: &[ParamSpec] = &[
    req("url", Url),
    req("job", Text),
    opt("user", Text),
    opt("token", Text),
    opt("parameters", Map(200)),
];
const AIRFLOW: &[ParamSpec] = &[
    req("api_url", Url),
    req("dag_id", Text),
    opt("api_version", Choice(&["v2", "v1"])),
    opt("username", Text),
    opt("password", Text),
    opt("token", Text),
    opt("conf", Map(200)),
    opt("note", Text),
];
const ARGO_WORKFLOW: &[ParamSpec] = &[
    req("api_url", Url),
    req("namespace", Text),
    req("template", Text),
    opt("cluster_template", Flag),
    opt("token", Text),
    opt("parameters", Map(200)),
];
const SLACK: &[ParamSpec] = &[req("webhook_url", Url), opt("text", Text)];
const PAGERDUTY: &[ParamSpec] = &[
    opt("api_url", Url),
    req("routing_key", Text),
    opt(
        "severity",
        Choice(&["critical", "error", "warning", "info"]),
    ),
    opt("summary", Text),
    opt("source", Text),
    opt("component", Text),
    opt("group", Text),
    opt("class", Text),
    opt("dedup_key", Text),
    opt("resolve", Flag),
];
const WEBHOOK: &[ParamSpec] = &[
    req("url", Url),
    opt("method", Choice(&["POST", "PUT", "PATCH"])),
    opt("headers", Map(50)),
    opt("body", Map(200)),
    opt("secret", Text),
];

const ACTION_TYPES: &[ActionType] = &[
    ActionType {
        name: "exec",
        purpose: Purpose::Other,
        read: Reader::Exec,
    },
    ActionType {
        name: "mlflow_rollback",
        purpose: Purpose::Rollback,
        read: Reader::Service(
            Service::MlflowRollback,
            &[MLFLOW_KEYS, HTTP_KEYS, MLFLOW_ROLLBACK],
        ),
    },
    ActionType {
        name: "mlflow_promote",
        purpose: Purpose::Other,
        read: Reader::Service(
            Service::MlflowPromote,
            &[MLFLOW_KEYS, HTTP_KEYS, MLFLOW_PROMOTE],
        ),
    },
    ActionType {
        name: "mlflow_log",
        purpose: Purpose::Notify,
        read: Reader::Service(Service::MlflowLog, &[MLFLOW_KEYS, HTTP_KEYS, MLFLOW_LOG]),
    },
    ActionType {
        name: "github_workflow",
        purpose: Purpose::Retrain,
        read: Reader::Service(Service::GithubWorkflow, &[HTTP_KEYS, GITHUB_WORKFLOW]),
    },
    ActionType {
        name: "github_dispatch",
        purpose: Purpose::Retrain,
        read: Reader::Service(Service::GithubDispatch, &[HTTP_KEYS, GITHUB_DISPATCH]),
    },
    ActionType {
        name: "gitlab_pipeline",
        purpose: Purpose::Retrain,
        read: Reader::Service(Service::GitlabPipeline, &[HTTP_KEYS, GITLAB_PIPELINE]),
    },
    ActionType {
        name: "jenkins",
        purpose: Purpose::Retrain,
        read: Reader::Service(Service::Jenkins, &[HTTP_KEYS, JENKINS]),
    },
    ActionType {
        name: "airflow",
        purpose: Purpose::Retrain,
        read: Reader::Service(Service::Airflow, &[HTTP_KEYS, AIRFLOW]),
    },
    ActionType {
        name: "argo_workflow",
        purpose: Purpose::Retrain,
        read: Reader::Service(Service::ArgoWorkflow, &[HTTP_KEYS, ARGO_WORKFLOW]),
    },
    ActionType {
        name: "slack",
        purpose: Purpose::Notify,
        read: Reader::Service(Service::Slack, &[HTTP_KEYS, SLACK]),
    },
    ActionType {
        name: "pagerduty",
        purpose: Purpose::Notify,
        read: Reader::Service(Service::Pagerduty, &[HTTP_KEYS, PAGERDUTY]),
    },
    ActionType {
        name: "webhook",
        purpose: Purpose::Notify,
        read: Reader::Service(Service::Webhook, &[HTTP_KEYS, WEBHOOK]),
    },
];

fn read_action(c: &mut Checker, field: &Field) -> Option<ActionSpec> {
    let fields = c.mapping(field.value, &field.path, field.key_node.span.start)?;
    let action_type = c.required(&fields, "type").and_then(|f| action_type(c, f));
    // With an unknown type, the other keys may well be that type's: only
    // the type is reported.
    if let Some(t) = action_type {
        let known: Vec<&str> = ACTION_KEYS.iter().copied().chain(t.keys()).collect();
        c.unknown_keys(&fields, &known);
    }
    let purpose = fields.get("purpose").and_then(|f| {
        match c.choice(
            f.value,
            &f.path,
            "purpose",
            &["retrain", "rollback", "notify", "other"],
        )? {
            "retrain" => Some(Purpose::Retrain),
            "rollback" => Some(Purpose::Rollback),
            "notify" => Some(Purpose::Notify),
            _ => Some(Purpose::Other),
        }
    });
    let purpose = purpose
        .or_else(|| purpose_from_name(field.key))
        .or(action_type.map(|t| t.purpose))
        .unwrap_or(Purpose::Other);
    let require_approval = fields
        .get("require_approval")
        .and_then(|f| c.boolean(f.value, &f.path))
        .unwrap_or(false);
    let max_rollback_depth = fields.get("max_rollback_depth").and_then(|f| {
        let depth = c.count(f.value, &f.path, 1)?;
        if purpose != Purpose::Rollback {
            c.at(
                f.key_node.span.start,
                &f.path,
                "only applies to rollback actions; add `purpose: rollback` or remove it",
            );
        }
        Some(depth)
    });
    let timeout = fields
        .get("timeout")
        .and_then(|f| c.duration(f.value, &f.path, true))
        .unwrap_or(match action_type.map(|t| &t.read) {
            Some(Reader::Service(..)) => DEFAULT_HTTP_TIMEOUT,
            _ => DEFAULT_TIMEOUT,
        });
    let kind = match &action_type?.read {
        Reader::Exec => read_exec(c, &fields)?,
        Reader::Service(service, groups) => read_service(c, &fields, *service, groups)?,
    };
    Some(ActionSpec {
        name: field.key.to_string(),
        purpose,
        require_approval,
        max_rollback_depth,
        timeout,
        kind,
    })
}

fn action_type(c: &mut Checker, field: &Field) -> Option<&'static ActionType> {
    let name = c.string(field.value, &field.path)?;
    if let Some(t) = ACTION_TYPES.iter().find(|t| t.name == name) {
        return Some(t);
    }
    let names: Vec<&str> = ACTION_TYPES.iter().map(|t| t.name).collect();
    let hint = suggest(&name, names.iter().copied())
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default();
    c.at(
        field.value.span.start,
        &field.path,
        format!(
            "unknown action type `{}`; this build supports: {}{hint}",
            shorten(&name),
            names.join(", ")
        ),
    );
    None
}

fn purpose_from_name(name: &str) -> Option<Purpose> {
    let name = name.to_ascii_lowercase();
    if name.contains("retrain") {
        Some(Purpose::Retrain)
    } else if name.contains("rollback") {
        Some(Purpose::Rollback)
    } else if ["notify", "page", "alert", "slack"]
        .iter()
        .any(|w| name.contains(w))
    {
        Some(Purpose::Notify)
    } else {
        None
    }
}

fn read_service(
    c: &mut Checker,
    fields: &Fields,
    service: Service,
    groups: &[&[ParamSpec]],
) -> Option<ActionKind> {
    let mut params = BTreeMap::new();
    let mut valid = true;
    for spec in groups.iter().flat_map(|g| g.iter()) {
        let Some(f) = fields.get(spec.key) else {
            if spec.required {
                valid &= c.required(fields, spec.key).is_some();
            }
            continue;
        };
        let value = match spec.kind {
            Text => c.action_template(f.value, &f.path).map(Param::Text),
            Url => c.action_template(f.value, &f.path).and_then(|t| {
                if t.is_literal()
                    && !t.source().starts_with("https://")
                    && !t.source().starts_with("http://")
                {
                    c.at(
                        f.value.span.start,
                        &f.path,
                        format!("`{}` is not an http(s) URL", shorten(t.source())),
                    );
                    return None;
                }
                Some(Param::Text(t))
            }),
            Map(max) => c
                .values(f, |c, f| c.action_template(f.value, &f.path))
                .and_then(|m| {
                    if m.len() > max {
                        c.at(
                            f.key_node.span.start,
                            &f.path,
                            format!(
                                "has {} entries; {} takes at most {max}",
                                m.len(),
                                service.type_name()
                            ),
                        );
                        return None;
                    }
                    Some(Param::Map(m))
                }),
            Flag => c.boolean(f.value, &f.path).map(Param::Flag),
            Number(min, max) => c.number(f.value, &f.path, min, max).map(Param::Number),
            Choice(options) => c
                .choice(f.value, &f.path, spec.key, options)
                .map(|o| Param::Text(Template::literal(o))),
        };
        match value {
            Some(v) => {
                params.insert(spec.key.to_string(), v);
            }
            None => valid = false,
        }
    }
    if service == Service::GitlabPipeline
        && !params.contains_key("trigger_token")
        && !params.contains_key("token")
    {
        c.at(
            fields.owner,
            &fields.path,
            "needs `trigger_token` (a pipeline trigger token) or `token` (a personal or project access token)",
        );
        valid = false;
    }
    if service == Service::MlflowPromote {
        let bounds = ["min", "max", "better_than"]
            .iter()
            .any(|k| params.contains_key(*k));
        let metric = params.contains_key("metric");
        let unchecked = matches!(params.get("no_check"), Some(Param::Flag(true)));
        let problem = match (metric, bounds, unchecked) {
            (true, false, false) => {
                Some("`metric` needs `min`, `max` or `better_than` to check it against")
            }
            (false, true, _) => Some("`min`, `max` and `better_than` need the `metric` they check"),
            (true, true, true) | (true, false, true) => {
                Some("`no_check: true` promotes without checks; remove it or the `metric` keys")
            }
            (false, false, false) => Some(
                "needs a check (`metric` with `min`, `max` or `better_than`), or `no_check: true` to promote unchecked",
            ),
            _ => None,
        };
        if let Some(problem) = problem {
            c.at(fields.owner, &fields.path, problem);
            valid = false;
        }
    }
    valid.then_some(ActionKind::Service { service, params })
}

fn read_exec(c: &mut Checker, fields: &Fields) -> Option<ActionKind> {
    let command = c.required(fields, "command").and_then(|f| {
        let command = c.items(f.value, &f.path, Checker::action_template)?;
        if command.is_empty() {
            c.at(
                f.value.span.start,
                &f.path,
                "needs at least the program to run, e.g. [\"./scripts/retrain.sh\"]",
            );
            return None;
        }
        Some(command)
    });
    let env = match fields.get("env") {
        None => Some(Vec::new()),
        Some(f) => c.items(f.value, &f.path, |c, item, path| {
            let name = c.string(item, path)?;
            env_name(c, item, path, &name).then_some(name)
        }),
    };
    let set_env = match fields.get("set_env") {
        None => Some(BTreeMap::new()),
        Some(f) => c.values(f, |c, f| {
            let valid_name = env_name(c, f.key_node, &f.path, f.key);
            let value = c.action_template(f.value, &f.path)?;
            valid_name.then_some(value)
        }),
    };
    let cwd = fields
        .get("cwd")
        .and_then(|f| c.non_empty_string(f.value, &f.path));
    Some(ActionKind::Exec {
        command: command?,
        env: env?,
        set_env: set_env?,
        cwd,
    })
}

/// Reports `name` unless it is a portable environment variable name.
fn env_name(c: &mut Checker, node: &Node, path: &str, name: &str) -> bool {
    let mut chars = name.chars();
    let valid = chars
        .next()
        .is_some_and(|ch| ch.is_ascii_alphabetic() || ch == '_')
        && chars.all(|ch| ch.is_ascii_alphanumeric() || ch == '_');
    if !valid {
        c.at(
            node.span.start,
            path,
            format!(
                "`{}` is not an environment variable name: use letters, digits and `_`, not starting with a digit",
                shorten(name)
            ),
        );
    }
    valid
}

/// Key names that hold credentials (compared lowercase, `-` as `_`).
const SECRET_KEYS: &[&str] = &[
    "token",
    "password",
    "passwd",
    "secret",
    "api_key",
    "apikey",
    "routing_key",
    "webhook_url",
];

/// Reports every secret-looking key under an action whose value is written
/// out. Policies are reviewed and committed; credentials come from the
/// environment or a file at run time. The value itself is never echoed.
fn check_secrets(c: &mut Checker, node: &Node, path: &str) {
    match kind(node) {
        Kind::Map(map) => {
            for (key_node, value) in map.iter() {
                let Kind::Scalar(key) = kind(key_node) else {
                    continue;
                };
                let value_path = at_key(path, key.text);
                if is_secret_key(key.text) && is_literal(value) {
                    c.at(
                        value.span.start,
                        &value_path,
                        "holds a literal secret; use \"{{ env.NAME }}\" or \"{{ secret_file(...) }}\"",
                    );
                }
                check_secrets(c, value, &value_path);
            }
        }
        Kind::List(items) => {
            for (i, item) in items.iter().enumerate() {
                check_secrets(c, item, &at_index(path, i));
            }
        }
        Kind::Scalar(_) | Kind::Unsupported(_) => {}
    }
}

fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase().replace('-', "_");
    SECRET_KEYS.iter().any(|s| key.contains(s))
}

/// A value written out: text or a number without an `{{ env.X }}` or
/// `{{ secret_file("...") }}` hole.
fn is_literal(node: &Node) -> bool {
    let Kind::Scalar(s) = kind(node) else {
        return false;
    };
    match s.value {
        Scalar::Null | Scalar::Boolean(_) => false,
        _ => !s.text.is_empty() && !from_secret_source(s.text),
    }
}

fn from_secret_source(text: &str) -> bool {
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        let inside = &rest[open + 2..];
        let Some(close) = inside.find("}}") else {
            break;
        };
        let placeholder = inside[..close].trim();
        if placeholder.starts_with("env.") || placeholder.contains("secret_file(") {
            return true;
        }
        rest = &inside[close + 2..];
    }
    false
}

// ---------------------------------------------------------------------------
// Paths and suggestions.

/// `path.key`, or `path["odd key"]` for keys that are not plain names.
fn at_key(path: &str, key: &str) -> String {
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

fn at_index(path: &str, index: usize) -> String {
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
fn find(root: &Node, path: &str) -> Marker {
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
fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|&(d, c)| d <= 2 && d < word.chars().count().min(c.chars().count()))
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// Optimal string alignment distance: insertions, deletions, substitutions
/// and transpositions of adjacent characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for (i, cell) in d.iter_mut().step_by(width).enumerate() {
        *cell = i;
    }
    for (j, cell) in d.iter_mut().take(width).enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example policy of the issue, verbatim.
    const EXAMPLE: &str = include_str!("../../fixtures/policies/issue-example.yaml");

    /// Lines 1-3 of most bad policies below.
    const HEAD: &str = "version: 1\nname: m\ndata: {reference: r.csv, current: c.csv}\n";
    /// A valid rule and action, to follow what a case breaks.
    const TAIL: &str = "rules:
  - name: r
    when: \"quality.errors > 0\"
    actions: [notify]
actions:
  notify: {type: exec, command: [./notify.sh]}
";

    const HOUR: u64 = 3600;

    fn template(source: &str) -> Template {
        template::parse(source).expect("a valid template")
    }

    fn errors(text: &str) -> Vec<PolicyError> {
        match load("p.yaml", text) {
            Ok(policy) => panic!("expected errors, loaded {policy:#?}"),
            Err(errors) => errors,
        }
    }

    #[test]
    fn the_issue_example_loads_with_defaults_filled_in() {
        let policy = load("p.yaml", EXAMPLE).unwrap_or_else(|e| panic!("{e:#?}"));
        assert_eq!(policy.version, 1);
        assert_eq!(policy.name, "fraud-model");
        assert_eq!(
            policy.data,
            DataSpec {
                reference: template("data/reference.parquet"),
                current: template("data/dt={{ date(-1d) }}/*.parquet"),
                delimiter: ',',
                null_values: vec![],
            }
        );
        assert_eq!(
            policy.report,
            ReportSpec {
                exclude: vec!["id".into()],
                drift_share: Some(0.5),
                methods: BTreeMap::from([("income".into(), "psi".into())]),
                thresholds: BTreeMap::from([("income".into(), 0.2)]),
                ..ReportSpec::default()
            }
        );
        assert_eq!(policy.state_dir, ".driftmend");
        assert_eq!(
            policy.guardrails,
            Guardrails {
                mode: Mode::Auto,
                cooldown: Duration::from_secs(6 * HOUR),
                max_actions: Some(RateLimit {
                    count: 3,
                    per: Duration::from_secs(24 * HOUR),
                }),
                circuit_breaker: Some(CircuitBreaker {
                    failures: 3,
                    open_for: Duration::from_secs(HOUR),
                }),
                quality_gate: true,
                approval_expiry: Duration::from_secs(24 * HOUR),
                escalate: vec![],
            }
        );
        let rules: Vec<(&str, &str, u32, &[String])> = policy
            .rules
            .iter()
            .map(|r| {
                assert_eq!(r.when, expr::parse(&r.when_text).expect("valid"));
                assert!(r.escalate.is_empty());
                (
                    r.name.as_str(),
                    r.when_text.as_str(),
                    r.for_runs,
                    r.actions.as_slice(),
                )
            })
            .collect();
        assert_eq!(
            rules,
            [
                (
                    "retrain-on-drift",
                    "dataset.drift_share >= 0.3 and quality.errors == 0",
                    2,
                    &["retrain".to_string()][..]
                ),
                (
                    "bad-data",
                    "quality.errors > 0 or column.tenure_days.missing.current > 0.05",
                    1,
                    &["notify".to_string()][..]
                ),
            ]
        );
        let exec = |name: &str, purpose, command: &[&str]| ActionSpec {
            name: name.into(),
            purpose,
            require_approval: false,
            max_rollback_depth: None,
            timeout: Duration::from_secs(600),
            kind: ActionKind::Exec {
                command: command.iter().map(|s| template(s)).collect(),
                env: vec![],
                set_env: BTreeMap::new(),
                cwd: None,
            },
        };
        assert_eq!(
            policy.actions,
            BTreeMap::from([
                (
                    "retrain".to_string(),
                    exec(
                        "retrain",
                        Purpose::Retrain,
                        &[
                            "./scripts/retrain.sh",
                            "--reason",
                            "{{ rule.name }}",
                            "--run",
                            "{{ run.id }}"
                        ]
                    )
                ),
                (
                    "notify".to_string(),
                    exec(
                        "notify",
                        Purpose::Notify,
                        &["./scripts/notify.sh", "{{ summary }}"]
                    )
                ),
            ])
        );
    }

    #[test]
    fn a_minimal_policy_gets_every_default() {
        let policy = load("p.yaml", &format!("{HEAD}{TAIL}")).unwrap_or_else(|e| panic!("{e:#?}"));
        assert_eq!(policy.report, ReportSpec::default());
        assert_eq!(policy.state_dir, ".driftmend");
        assert_eq!(policy.data.delimiter, ',');
        assert_eq!(
            policy.guardrails,
            Guardrails {
                mode: Mode::Observe,
                cooldown: Duration::ZERO,
                max_actions: None,
                circuit_breaker: None,
                quality_gate: true,
                approval_expiry: Duration::from_secs(24 * HOUR),
                escalate: vec![],
            }
        );
        assert_eq!(policy.rules[0].for_runs, 1);
        assert_eq!(policy.actions["notify"].timeout, Duration::from_secs(600));
    }

    #[test]
    fn purposes_are_explicit_or_inferred_from_the_name() {
        let text = format!(
            "{HEAD}rules:
  - {{name: r, when: \"quality.errors > 0\", actions: [page-oncall]}}
actions:
  page-oncall: {{type: exec, command: [x]}}
  rollback-model: {{type: exec, command: [x], max_rollback_depth: 2}}
  Retrain_Nightly: {{type: exec, command: [x]}}
  cleanup: {{type: exec, command: [x]}}
  refresh: {{type: exec, command: [x], purpose: retrain, require_approval: true}}
"
        );
        let policy = load("p.yaml", &text).unwrap_or_else(|e| panic!("{e:#?}"));
        let purposes: Vec<(&str, Purpose)> = policy
            .actions
            .iter()
            .map(|(name, a)| (name.as_str(), a.purpose))
            .collect();
        assert_eq!(
            purposes,
            [
                ("Retrain_Nightly", Purpose::Retrain),
                ("cleanup", Purpose::Other),
                ("page-oncall", Purpose::Notify),
                ("refresh", Purpose::Retrain),
                ("rollback-model", Purpose::Rollback),
            ]
        );
        assert_eq!(policy.actions["rollback-model"].max_rollback_depth, Some(2));
        assert!(policy.actions["refresh"].require_approval);
    }

    #[test]
    fn data_options_and_exec_keys_are_read() {
        let text = "version: 1
name: m
data:
  reference: r.csv
  current: c.csv
  delimiter: \"\\t\"
  null_values: [NA, \"\", \"null\"]
rules:
  - {name: r, when: \"quality.errors > 0\", actions: [notify], escalate: [notify]}
actions:
  notify:
    type: exec
    command: [./notify.sh]
    env: [SLACK_WEBHOOK]
    set_env: {SLACK_TOKEN: \"{{ env.SLACK_TOKEN }}\", KEY_FILE: \"{{ secret_file(\\\"/run/k\\\") }}\"}
    cwd: scripts
";
        let policy = load("p.yaml", text).unwrap_or_else(|e| panic!("{e:#?}"));
        assert_eq!(policy.data.delimiter, '\t');
        assert_eq!(policy.data.null_values, ["NA", "", "null"]);
        assert_eq!(policy.rules[0].escalate, ["notify"]);
        let ActionKind::Exec {
            env, set_env, cwd, ..
        } = &policy.actions["notify"].kind
        else {
            panic!("an exec action")
        };
        assert_eq!(env, &["SLACK_WEBHOOK"]);
        assert_eq!(
            set_env.keys().collect::<Vec<_>>(),
            ["KEY_FILE", "SLACK_TOKEN"]
        );
        assert_eq!(cwd.as_deref(), Some("scripts"));
    }

    /// (what, policy, every expected error in order as (line:col, path,
    /// message fragment)).
    type Case = (
        &'static str,
        String,
        Vec<(&'static str, &'static str, &'static str)>,
    );

    fn bad_policies() -> Vec<Case> {
        vec![
            (
                "YAML syntax error",
                "version: 1\nname: x: y\n".into(),
                vec![("2:8", "", "invalid YAML: mapping values are not allowed")],
            ),
            (
                "unknown key, with a suggestion",
                format!("{HEAD}guardrails:\n  cooldwn: 6h\n{TAIL}"),
                vec![(
                    "5:3",
                    "guardrails.cooldwn",
                    "unknown key `cooldwn` (did you mean `cooldown`?)",
                )],
            ),
            (
                "unknown key, nothing close",
                format!("{HEAD}colour: red\n{TAIL}"),
                vec![(
                    "4:1",
                    "colour",
                    "unknown key `colour`; expected one of: version, name, data",
                )],
            ),
            (
                "wrong type",
                format!("{HEAD}{TAIL}").replace("    actions: [notify]", "    for: three\n    actions: [notify]"),
                vec![(
                    "7:10",
                    "rules[0].for",
                    "expected a whole number, found a string `three`",
                )],
            ),
            (
                "quoted number where a number goes",
                format!("{HEAD}report: {{drift_share: \"0.5\"}}\n{TAIL}"),
                vec![(
                    "4:23",
                    "report.drift_share",
                    "expected a number, found a string `0.5`",
                )],
            ),
            (
                "bad duration",
                format!("{HEAD}guardrails: {{cooldown: 6x}}\n{TAIL}"),
                vec![(
                    "4:24",
                    "guardrails.cooldown",
                    "`6x` is not a duration: unknown unit `x`",
                )],
            ),
            (
                "undefined action",
                format!("{HEAD}{TAIL}retrain: {{type: exec, command: [x]}}\n")
                    .replace("retrain: {", "  retrain: {")
                    .replace("[notify]", "[notify, retrian]"),
                vec![(
                    "7:23",
                    "rules[0].actions[1]",
                    "action `retrian` is not defined under `actions:` (did you mean `retrain`?)",
                )],
            ),
            (
                "duplicate rule names",
                format!(
                    "{HEAD}{TAIL}"
                )
                .replace(
                    "actions:\n  notify",
                    "  - name: r\n    when: \"quality.errors > 1\"\n    actions: [notify]\nactions:\n  notify",
                ),
                vec![(
                    "8:11",
                    "rules[1].name",
                    "duplicate rule name `r`; the first is on line 5",
                )],
            ),
            (
                "bad `when`: the position is inside the string",
                format!("{HEAD}{TAIL}").replace("quality.errors > 0", "quality.errors $ 0"),
                vec![(
                    "6:27",
                    "rules[0].when",
                    "invalid condition: unexpected character `$`",
                )],
            ),
            (
                "unknown metric in `when`, at its place in the string",
                format!("{HEAD}{TAIL}")
                    .replace("\"quality.errors > 0\"", "'quality.errors > 0 or dataset.drift_shar > 0.3'"),
                vec![("6:34", "rules[0].when", "dataset.drift_shar")],
            ),
            (
                "a number compared with a string in `when`, at the operator",
                format!("{HEAD}{TAIL}")
                    .replace("\"quality.errors > 0\"", "\"dataset.drift_share >= 'high'\""),
                vec![(
                    "6:32",
                    "rules[0].when",
                    "invalid condition: `>=` cannot compare a number (`dataset.drift_share`) with a string (`'high'`)",
                )],
            ),
            (
                "every type error in `when`, next to an unknown metric",
                format!("{HEAD}{TAIL}").replace(
                    "\"quality.errors > 0\"",
                    "'quality.errors and not incident.type or dataset.drift_shar > \"x\" or column.a.drift_detected < true'",
                ),
                vec![
                    ("6:27", "rules[0].when", "`and` needs true/false on both sides, found a number (`quality.errors`)"),
                    ("6:31", "rules[0].when", "`not` needs true/false, found a string (`incident.type`)"),
                    ("6:52", "rules[0].when", "unknown field `drift_shar`"),
                    ("6:104", "rules[0].when", "`<` cannot order true/false values"),
                ],
            ),
            (
                "bad `when` in a block scalar: the scalar's start",
                format!("{HEAD}{TAIL}")
                    .replace("\"quality.errors > 0\"", "|\n      quality.errors $ 0"),
                vec![("7:7", "rules[0].when", "unexpected character `$`")],
            ),
            (
                "bad template, at its place in the string",
                format!("{HEAD}{TAIL}").replace("[./notify.sh]", "[./notify.sh, \"--since={{ date(-1x) }}\"]"),
                vec![("9:65", "actions.notify.command[1]", "`1x` is not a duration")],
            ),
            (
                "version 2",
                format!("{HEAD}colour: red\n{TAIL}").replace("version: 1", "version: 2"),
                vec![(
                    "1:10",
                    "version",
                    "this policy is version 2; this driftmend reads version 1 — upgrade driftmend",
                )],
            ),
            (
                "literal secret",
                format!("{HEAD}{TAIL}").replace(
                    "command: [./notify.sh]}",
                    "command: [./notify.sh], set_env: {OK_TOKEN: \"{{ env.T }}\", SLACK_TOKEN: xoxb-123}}",
                ),
                vec![(
                    "9:96",
                    "actions.notify.set_env.SLACK_TOKEN",
                    "holds a literal secret; use \"{{ env.NAME }}\"",
                )],
            ),
            (
                "alias",
                format!("{HEAD}x: &base {{a: 1}}\ny: *base\n{TAIL}"),
                vec![("5:4", "y", "aliases (`*name`) are not allowed")],
            ),
            (
                "duplicate key",
                format!("{HEAD}name: n\n{TAIL}"),
                vec![("4:1", "name", "duplicate key `name`; the first is on line 2")],
            ),
            (
                "two documents",
                format!("{HEAD}{TAIL}---\n{HEAD}{TAIL}"),
                vec![("10:1", "", "a policy file holds one YAML document")],
            ),
            (
                "missing keys",
                "version: 1\nrules: []\n".into(),
                vec![
                    ("1:1", "name", "missing required key `name`"),
                    ("1:1", "data", "missing required key `data`"),
                    ("2:8", "rules", "a policy needs at least one rule"),
                ],
            ),
            (
                "unknown action type",
                format!("{HEAD}{TAIL}").replace("{type: exec, command: [./notify.sh]}", "{type: github_workflw, workflow: retrain.yml}"),
                vec![(
                    "9:18",
                    "actions.notify.type",
                    "unknown action type `github_workflw`; this build supports: exec, mlflow_rollback, mlflow_promote, mlflow_log, github_workflow, github_dispatch, gitlab_pipeline, jenkins, airflow, argo_workflow, slack, pagerduty, webhook (did you mean `github_workflow`?)",
                )],
            ),
            (
                "empty file",
                "# nothing yet\n".into(),
                vec![("1:1", "", "the policy is empty")],
            ),
            (
                "custom tag",
                format!("{HEAD}state_dir: !dir .state\n{TAIL}"),
                vec![("4:12", "state_dir", "tags such as `!dir` are not supported")],
            ),
        ]
    }

    #[test]
    fn github_takes_at_most_ten_inputs() {
        let inputs: Vec<String> = (0..11).map(|i| format!("i{i}: x")).collect();
        let text = format!("{HEAD}{TAIL}").replace(
            "{type: exec, command: [./notify.sh]}",
            &format!(
                "{{type: github_workflow, repo: a/b, workflow: w.yml, ref: main, token: \"{{{{ env.T }}}}\", inputs: {{{}}}}}",
                inputs.join(", ")
            ),
        );
        let e = errors(&text);
        assert_eq!(e.len(), 1, "{e:#?}");
        assert_eq!(e[0].path, "actions.notify.inputs");
        assert_eq!(
            e[0].message,
            "has 11 entries; github_workflow takes at most 10"
        );
    }

    #[test]
    fn a_promote_action_never_moves_the_alias_unchecked_by_accident() {
        let promote = |keys: &str| {
            format!("{HEAD}{TAIL}").replace(
                "{type: exec, command: [./notify.sh]}",
                &format!("{{type: mlflow_promote, tracking_uri: \"http://127.0.0.1:5000\", model: m, candidate: challenger{keys}}}"),
            )
        };
        for (keys, problem) in [
            ("", Some("needs a check")),
            (
                ", metric: accuracy",
                Some("needs `min`, `max` or `better_than`"),
            ),
            (
                ", better_than: champion",
                Some("need the `metric` they check"),
            ),
            (
                ", metric: accuracy, min: 0.8, no_check: true",
                Some("`no_check: true` promotes without checks"),
            ),
            (", metric: accuracy, min: 0.8", None),
            (
                ", metric: log_loss, better_than: champion, lower_is_better: true",
                None,
            ),
            (", no_check: true", None),
        ] {
            let text = promote(keys);
            match (load("p.yaml", &text), problem) {
                (Ok(_), None) => {}
                (Err(e), Some(want)) => assert!(
                    e.len() == 1 && e[0].path == "actions.notify" && e[0].message.contains(want),
                    "{keys}: {e:#?}"
                ),
                (got, want) => panic!("{keys}: expected {want:?}, got {got:#?}"),
            }
        }
    }

    #[test]
    fn bad_policies_report_position_path_and_message() {
        let mut failures = Vec::new();
        for (what, text, expected) in bad_policies() {
            let got = errors(&text);
            let matches = got.len() == expected.len()
                && got
                    .iter()
                    .zip(&expected)
                    .all(|(e, (position, path, fragment))| {
                        format!("{}:{}", e.line, e.column) == *position
                            && e.path == *path
                            && e.message.contains(fragment)
                    });
            if !matches {
                failures.push(format!("{what}: expected {expected:#?}, got {got:#?}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn every_problem_in_a_file_is_reported_in_file_order() {
        let text = "version: 1
name: m
data: {reference: r.csv}
guardrails:
  mode: autp
  cooldown: 90
rules:
  - name: r
    when: \"quality.errors >\"
    actions: [notfy]
actions:
  notify: {type: exec, command: [x], timout: 5m}
";
        let got: Vec<String> = errors(text).iter().map(ToString::to_string).collect();
        assert_eq!(
            got,
            [
                "p.yaml:3:1: `data.current`: missing required key `current`",
                "p.yaml:5:9: `guardrails.mode`: unknown mode `autp`; expected one of: observe, approve, auto (did you mean `auto`?)",
                "p.yaml:6:13: `guardrails.cooldown`: `90` is not a duration: `90` needs a unit (s, m, h, d, w), e.g. `90s` or `90m`",
                "p.yaml:9:28: `rules[0].when`: invalid condition: expected a value after `>`, found the end of the expression",
                "p.yaml:10:15: `rules[0].actions[0]`: action `notfy` is not defined under `actions:` (did you mean `notify`?)",
                "p.yaml:12:38: `actions.notify.timout`: unknown key `timout` (did you mean `timeout`?)",
            ]
        );
    }

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

    #[test]
    fn errors_display_with_and_without_a_path() {
        let mut e = PolicyError {
            file: "policy.yaml".into(),
            line: 12,
            column: 3,
            path: "guardrails.cooldown".into(),
            message: "`6x` is not a duration".into(),
        };
        assert_eq!(
            e.to_string(),
            "policy.yaml:12:3: `guardrails.cooldown`: `6x` is not a duration"
        );
        e.path.clear();
        assert_eq!(e.to_string(), "policy.yaml:12:3: `6x` is not a duration");
    }

    #[test]
    fn locate_points_at_the_node_a_path_names() {
        let problems = [
            ("rules[1].when".to_string(), "unknown column".to_string()),
            ("actions.retrain.command[2]".to_string(), "x".to_string()),
            ("actions.retrain.nothing[4]".to_string(), "y".to_string()),
        ];
        // Sorted by position, like every error list.
        let got: Vec<(&str, usize, usize)> = locate("p.yaml", EXAMPLE, &problems)
            .iter()
            .map(|e| {
                (
                    problems
                        .iter()
                        .find(|p| p.0 == e.path)
                        .map_or("", |p| p.1.as_str()),
                    e.line,
                    e.column,
                )
            })
            .collect();
        // `nothing` does not exist: the deepest node found, `retrain`'s
        // mapping, which starts at its first key.
        assert_eq!(
            got,
            [("unknown column", 24, 11), ("y", 28, 5), ("x", 29, 51)]
        );
        assert!(locate("p.yaml", EXAMPLE, &[]).is_empty());
    }

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
        assert_eq!(edit_distance("retrian", "retrain"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
