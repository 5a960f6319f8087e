//! Pass 2's tools: the error collector and the typed readers (a mapping,
//! a string, a duration, a condition, ...) that check one node of the tree
//! and report what they reject at its position, with its field path.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::time::Duration;

use saphyr::{AnnotatedMapping, Scalar, ScalarStyle, YamlData};
use saphyr_parser::Marker;

use super::error::PolicyError;
use super::paths::{at_index, at_key, suggest};
use super::tree::Node;
use crate::policy::expr::MetricPath;
use crate::policy::template::Template;
use crate::policy::{duration, expr, metric_paths, template, CONTEXT_PATHS};
use crate::report::options::{parse_method, MethodFor};
use crate::report::MethodChoice;
use crate::stats::Method;

/// The error collector, and readers that report what they reject. A reader
/// returning `None` has reported why, or found nothing to read.
pub(super) struct Checker<'f> {
    file: &'f str,
    pub(super) errors: Vec<PolicyError>,
}

/// What a node holds, scalars resolved by the YAML 1.2 core schema.
pub(super) enum Kind<'n, 'i> {
    Scalar(ScalarNode<'n>),
    List(&'n [Node<'i>]),
    Map(&'n AnnotatedMapping<'i, Node<'i>>),
    /// A custom tag, `!!int` on a non-number, ...: the message says what.
    Unsupported(String),
}

pub(super) struct ScalarNode<'n> {
    /// As written, quotes and escapes resolved.
    pub(super) text: &'n str,
    style: ScalarStyle,
    pub(super) value: Scalar<'n>,
}

pub(super) fn kind<'n, 'i>(node: &'n Node<'i>) -> Kind<'n, 'i> {
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

pub(super) fn is_null(node: &Node) -> bool {
    matches!(
        kind(node),
        Kind::Scalar(ScalarNode {
            value: Scalar::Null,
            ..
        })
    )
}

/// How a type error names what it found.
pub(super) fn describe(kind: &Kind) -> String {
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

pub(super) fn shorten(text: &str) -> Cow<'_, str> {
    const MAX: usize = 40;
    match text.char_indices().nth(MAX) {
        Some((end, _)) => Cow::Owned(format!("{}...", &text[..end])),
        None => Cow::Borrowed(text),
    }
}

/// A mapping's entries, keys as written, in file order.
pub(super) struct Fields<'n, 'i> {
    pub(super) path: String,
    /// Where a missing key is reported: the mapping's own key, or the
    /// mapping when it has none.
    pub(super) owner: Marker,
    pub(super) entries: Vec<Field<'n, 'i>>,
}

pub(super) struct Field<'n, 'i> {
    pub(super) key: &'n str,
    pub(super) key_node: &'n Node<'i>,
    pub(super) value: &'n Node<'i>,
    pub(super) path: String,
}

impl<'n, 'i> Fields<'n, 'i> {
    /// The entry, even with an empty value.
    fn entry(&self, key: &str) -> Option<&Field<'n, 'i>> {
        self.entries.iter().find(|f| f.key == key)
    }

    /// The entry when it has a value: an empty or `null` value means "use
    /// the default".
    pub(super) fn get(&self, key: &str) -> Option<&Field<'n, 'i>> {
        self.entry(key).filter(|f| !is_null(f.value))
    }
}

impl<'f> Checker<'f> {
    pub(super) fn new(file: &'f str) -> Self {
        Checker {
            file,
            errors: Vec::new(),
        }
    }

    pub(super) fn at(&mut self, mark: Marker, path: &str, message: impl Into<String>) {
        self.errors.push(PolicyError {
            file: self.file.to_string(),
            line: mark.line(),
            column: mark.col() + 1,
            path: path.to_string(),
            message: message.into(),
        });
    }

    /// The errors, in file order.
    pub(super) fn finish(mut self) -> Vec<PolicyError> {
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

    pub(super) fn mapping<'n, 'i>(
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
    pub(super) fn section<'n, 'i>(
        &mut self,
        field: &Field<'n, 'i>,
        known: &[&str],
    ) -> Option<Fields<'n, 'i>> {
        let fields = self.mapping(field.value, &field.path, field.key_node.span.start)?;
        self.unknown_keys(&fields, known);
        Some(fields)
    }

    pub(super) fn unknown_keys(&mut self, fields: &Fields, known: &[&str]) {
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

    pub(super) fn required<'a, 'n, 'i>(
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

    pub(super) fn string(&mut self, node: &Node, path: &str) -> Option<String> {
        self.scalar(node, path).map(|s| s.text.to_string())
    }

    pub(super) fn non_empty_string(&mut self, node: &Node, path: &str) -> Option<String> {
        let s = self.string(node, path)?;
        if s.trim().is_empty() {
            self.at(node.span.start, path, "must not be empty");
            return None;
        }
        Some(s)
    }

    /// One of `options`, spelled exactly.
    pub(super) fn choice<'o>(
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

    pub(super) fn boolean(&mut self, node: &Node, path: &str) -> Option<bool> {
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

    pub(super) fn integer(&mut self, node: &Node, path: &str, min: i64, max: i64) -> Option<i64> {
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

    pub(super) fn count(&mut self, node: &Node, path: &str, min: u32) -> Option<u32> {
        let n = self.integer(node, path, i64::from(min), i64::from(u32::MAX))?;
        u32::try_from(n).ok()
    }

    /// A finite number in `[min, max]`.
    pub(super) fn number(&mut self, node: &Node, path: &str, min: f64, max: f64) -> Option<f64> {
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

    pub(super) fn share(&mut self, node: &Node, path: &str) -> Option<f64> {
        self.number(node, path, 0.0, 1.0)
    }

    pub(super) fn non_negative(&mut self, node: &Node, path: &str) -> Option<f64> {
        self.number(node, path, 0.0, f64::INFINITY)
    }

    /// A duration such as `6h`; `positive` rejects `0`.
    pub(super) fn duration(&mut self, node: &Node, path: &str, positive: bool) -> Option<Duration> {
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

    pub(super) fn list<'n, 'i>(
        &mut self,
        node: &'n Node<'i>,
        path: &str,
    ) -> Option<&'n [Node<'i>]> {
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
    pub(super) fn items<T>(
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

    pub(super) fn strings(&mut self, node: &Node, path: &str) -> Option<Vec<String>> {
        self.items(node, path, Self::string)
    }

    /// Each value of an open mapping (keys are names: columns, variables).
    pub(super) fn values<T>(
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

    pub(super) fn template(&mut self, node: &Node, path: &str) -> Option<Template> {
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
    pub(super) fn action_template(&mut self, node: &Node, path: &str) -> Option<Template> {
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
            if let Err(message) = metric_paths::check(&p.segments, None) {
                let message = context_hint(p).unwrap_or(message);
                self.at(inner_mark(node, s, p.offset), path, message);
            }
        }
    }

    /// A `when:` condition: it parses, its metric paths exist, and it has
    /// no type error (`dataset.drift_share >= 'high'`) that would fail, or
    /// quietly never hold, on every run.
    pub(super) fn condition(&mut self, node: &Node, path: &str) -> Option<(String, expr::Expr)> {
        let s = self.scalar(node, path)?;
        match expr::parse(s.text) {
            Ok(e) => {
                self.metric_paths(node, &s, path, e.paths());
                for error in e.type_errors(&|p| metric_paths::value_type(&p.segments)) {
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
    pub(super) fn method(
        &mut self,
        node: &Node,
        path: &str,
        usage: MethodFor,
    ) -> Option<MethodChoice> {
        let name = self.string(node, path)?;
        match parse_method(&name, usage) {
            Ok(choice) => Some(choice),
            Err(problem) => {
                self.at(node.span.start, path, problem);
                None
            }
        }
    }

    /// A drift method for one named column (never `auto`).
    pub(super) fn column_method(&mut self, node: &Node, path: &str) -> Option<Method> {
        match self.method(node, path, MethodFor::Column)? {
            MethodChoice::Fixed(m) => Some(m),
            MethodChoice::Auto => None,
        }
    }

    /// A list of action names, each defined under `actions:`.
    pub(super) fn action_names(
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
