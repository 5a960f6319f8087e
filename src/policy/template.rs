//! `{{ ... }}` substitution in action fields and data paths: parsing and
//! rendering. Substitution only, never code. Pure: metric values, environment
//! variables, secret files and the current time all come from the caller's
//! [`TemplateContext`].
//!
//! # Syntax
//!
//! Literal text with holes: `data/{{ date(-1d) }}/part.parquet`. Spaces
//! inside the braces are optional. `{{` always starts a hole (there is no
//! escape); a lone `}}` outside a hole is literal text. A hole is one of:
//!
//! - a metric or context path, as in `when:` expressions: `rule.name`,
//!   `run.id`, `summary`, `dataset.drift_share`,
//!   `column["annual income"].score`. Numbers render as the shortest text
//!   that reads back the same (`0.3`, `2`), booleans as `true`/`false`. A
//!   path with no value in the run (unknown, or null) is an error, not an
//!   empty string: an action should not run with a silently blank argument.
//! - `env.NAME`: the environment variable `NAME`. Always treated as a
//!   secret.
//! - `secret_file("path")`: the contents of a file, with surrounding
//!   whitespace trimmed. A secret.
//! - `date()`, `date(-1d)`, `date(+2h, "%Y/%m/%d")`, `date("%Y")`: the run's
//!   time (UTC), shifted by a signed duration (`6h`, `1d12h`, ...), formatted
//!   with strftime specifiers (default `%Y-%m-%d`). The format is checked
//!   when the policy is loaded.
//!
//! # Secrets
//!
//! A rendered template has a `value` (what the action gets) and a `display`
//! (for logs, approvals and the audit trail) where every secret is `***`.
//! The secret values met while rendering are collected in [`Secrets`], so
//! the caller can scrub them from free text such as a child's output (see
//! [`super::secrets`] for what is masked, and why secrets shorter than 4
//! characters are not).

use std::fmt::Write as _;

use chrono::format::{Item, StrftimeItems};
use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use super::duration;
use super::expr::{self, ExprError, MetricPath, Value};

pub use super::secrets::Secrets;
use super::secrets::REDACTED;

const DEFAULT_DATE_FORMAT: &str = "%Y-%m-%d";

/// A parsed template; [`Template::source`] gives back the text it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    source: String,
    parts: Vec<Part>,
}

/// Serialises as its source text, so `policy explain` shows what was written.
impl Serialize for Template {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.source)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Part {
    Text(String),
    Hole { kind: Hole, offset: usize },
}

#[derive(Debug, Clone, PartialEq)]
enum Hole {
    Value(MetricPath),
    Env(String),
    SecretFile(String),
    Date { shift: TimeDelta, format: String },
}

impl Hole {
    /// The hole in canonical form, for messages.
    fn describe(&self) -> String {
        match self {
            Hole::Value(path) => format!("{{{{ {} }}}}", path.dotted()),
            Hole::Env(name) => format!("{{{{ env.{name} }}}}"),
            Hole::SecretFile(path) => format!("{{{{ secret_file(\"{path}\") }}}}"),
            Hole::Date { .. } => "{{ date(...) }}".to_string(),
        }
    }
}

/// A parse or render error, with the byte offset in the template source it
/// is about.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct TemplateError {
    pub message: String,
    pub offset: usize,
}

impl TemplateError {
    fn new(offset: usize, message: impl Into<String>) -> Self {
        TemplateError {
            message: message.into(),
            offset,
        }
    }
}

impl From<ExprError> for TemplateError {
    fn from(e: ExprError) -> Self {
        TemplateError {
            message: e.message,
            offset: e.offset,
        }
    }
}

/// What rendering needs from the outside world; the caller (the `run`
/// command, or a test) decides where it comes from.
pub trait TemplateContext {
    /// A metric or context value (`rule.name`, `run.id`, `summary`, metric
    /// paths); `None` = unknown.
    fn value(&self, path: &MetricPath) -> Option<Value>;
    fn env(&self, name: &str) -> Option<String>;
    /// The file's contents, or why it cannot be read (without the contents).
    fn read_secret_file(&self, path: &str) -> Result<String, String>;
    fn now(&self) -> DateTime<Utc>;
}

/// A rendered template.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rendered {
    /// The real text, secrets included: only for the action itself.
    pub value: String,
    /// The same with every secret replaced by `***`: for logs and reports.
    pub display: String,
}

/// Parses a template.
pub fn parse(source: &str) -> Result<Template, TemplateError> {
    let mut parts = Vec::new();
    let mut pos = 0;
    while let Some(found) = source[pos..].find("{{") {
        let open = pos + found;
        if open > pos {
            parts.push(Part::Text(source[pos..open].to_string()));
        }
        let (kind, end) = parse_hole(source, open)?;
        parts.push(Part::Hole { kind, offset: open });
        pos = end;
    }
    if pos < source.len() {
        parts.push(Part::Text(source[pos..].to_string()));
    }
    Ok(Template {
        source: source.to_string(),
        parts,
    })
}

fn skip_spaces(source: &str, mut pos: usize) -> usize {
    while let Some(c) = source
        .get(pos..)
        .and_then(|rest| rest.chars().next())
        .filter(|c| c.is_whitespace())
    {
        pos += c.len_utf8();
    }
    pos
}

fn unclosed(open: usize) -> TemplateError {
    TemplateError::new(
        open,
        "unclosed `{{`: expected `}}` (`{{` always starts a substitution)",
    )
}

/// Parses the hole whose `{{` is at `open`; returns it and the offset just
/// after its `}}`.
fn parse_hole(source: &str, open: usize) -> Result<(Hole, usize), TemplateError> {
    let bytes = source.as_bytes();
    // Checked first so an unclosed hole says so rather than complaining
    // about whatever text follows it.
    if !source[open + 2..].contains("}}") {
        return Err(unclosed(open));
    }
    let start = skip_spaces(source, open + 2);
    if source[start..].starts_with("}}") {
        return Err(TemplateError::new(
            open,
            "empty `{{ }}`: expected a path such as `run.id`, `env.NAME`, `secret_file(\"...\")` or `date()`",
        ));
    }
    if !bytes.get(start).is_some_and(|&b| expr::is_ident_start(b)) {
        return Err(TemplateError::new(
            start,
            format!(
                "expected a path such as `run.id`, `env.NAME`, `secret_file(\"...\")` or `date()` after `{{{{`, found {}",
                expr::describe_at(source, start)
            ),
        ));
    }
    // An error found at the very end of the text means the hole never
    // closed; say that rather than what was expected next.
    let at_end = |e: TemplateError| {
        if e.offset >= source.len() {
            unclosed(open)
        } else {
            e
        }
    };
    let (hole, end) = parse_hole_body(source, start).map_err(at_end)?;
    let close = skip_spaces(source, end);
    if source[close..].starts_with("}}") {
        Ok((hole, close + 2))
    } else if close >= source.len() {
        Err(unclosed(open))
    } else {
        Err(TemplateError::new(
            close,
            format!(
                "expected `}}}}` to end the substitution, found {}",
                expr::describe_at(source, close)
            ),
        ))
    }
}

/// The path or function call starting at `start` (an identifier).
fn parse_hole_body(source: &str, start: usize) -> Result<(Hole, usize), TemplateError> {
    let bytes = source.as_bytes();
    let word_end = expr::scan_ident(bytes, start);
    let word = &source[start..word_end];
    if bytes.get(word_end) == Some(&b'(') {
        match word {
            "date" => parse_date(source, word_end + 1),
            "secret_file" => parse_secret_file(source, word_end + 1),
            _ => Err(TemplateError::new(
                start,
                format!("unknown function `{word}`; expected `date(...)` or `secret_file(...)`"),
            )),
        }
    } else {
        let (path, end) = expr::parse_path_at(source, start)?;
        Ok((value_or_env(path)?, end))
    }
}

fn value_or_env(path: MetricPath) -> Result<Hole, TemplateError> {
    match path.segments.as_slice() {
        [first, name] if first == "env" => Ok(Hole::Env(name.clone())),
        [first, ..] if first == "env" => Err(TemplateError::new(
            path.offset,
            "`env` needs one variable name, e.g. `{{ env.GITHUB_TOKEN }}`",
        )),
        [only] if only == "date" || only == "secret_file" => Err(TemplateError::new(
            path.offset,
            format!("`{only}` is a function: write `{only}(...)`"),
        )),
        _ => Ok(Hole::Value(path)),
    }
}

/// Parses the arguments of `date(`, from just after the parenthesis:
/// `[(+|-)duration] [, "format"]` or `"format"`.
fn parse_date(source: &str, args: usize) -> Result<(Hole, usize), TemplateError> {
    let bytes = source.as_bytes();
    let mut pos = skip_spaces(source, args);
    let mut shift = TimeDelta::zero();
    let mut format = DEFAULT_DATE_FORMAT.to_string();
    match bytes.get(pos) {
        Some(&sign @ (b'+' | b'-')) => {
            let text_start = pos + 1;
            let mut text_end = text_start;
            while bytes
                .get(text_end)
                .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'.')
            {
                text_end += 1;
            }
            let text = &source[text_start..text_end];
            let parsed =
                duration::parse(text).map_err(|e| TemplateError::new(text_start, e.to_string()))?;
            let delta = TimeDelta::from_std(parsed).map_err(|_| {
                TemplateError::new(text_start, format!("`{text}` is too long a date offset"))
            })?;
            shift = if sign == b'-' { -delta } else { delta };
            pos = skip_spaces(source, text_end);
            if bytes.get(pos) == Some(&b',') {
                pos = skip_spaces(source, pos + 1);
                let (f, end) = parse_format(source, pos)?;
                format = f;
                pos = skip_spaces(source, end);
            }
        }
        Some(b'0'..=b'9') => {
            return Err(TemplateError::new(
                pos,
                "the date offset needs a sign: `-1d` for the past, `+1d` for the future",
            ))
        }
        Some(b'"' | b'\'') => {
            let (f, end) = parse_format(source, pos)?;
            format = f;
            pos = skip_spaces(source, end);
        }
        _ => {}
    }
    if bytes.get(pos) != Some(&b')') {
        return Err(TemplateError::new(
            pos,
            format!(
                "expected `)` to end `date(...)`, found {}; e.g. `date(-1d, \"%Y/%m/%d\")`",
                expr::describe_at(source, pos)
            ),
        ));
    }
    Ok((Hole::Date { shift, format }, pos + 1))
}

/// A quoted strftime format at `pos`, checked now so a typo fails when the
/// policy is loaded rather than when the action runs.
fn parse_format(source: &str, pos: usize) -> Result<(String, usize), TemplateError> {
    if !matches!(source.as_bytes().get(pos), Some(b'"' | b'\'')) {
        return Err(TemplateError::new(
            pos,
            format!(
                "expected a quoted date format such as \"%Y/%m/%d\", found {}",
                expr::describe_at(source, pos)
            ),
        ));
    }
    let (format, end) = expr::parse_string_at(source, pos)?;
    if format.is_empty() {
        return Err(TemplateError::new(
            pos,
            "the date format is empty; e.g. \"%Y-%m-%d\"",
        ));
    }
    if StrftimeItems::new(&format).any(|item| item == Item::Error) {
        return Err(TemplateError::new(
            pos,
            format!("invalid date format \"{format}\": use strftime specifiers such as %Y, %m, %d, %H (and %% for a literal %)"),
        ));
    }
    Ok((format, end))
}

/// Parses the argument of `secret_file(`, from just after the parenthesis.
fn parse_secret_file(source: &str, args: usize) -> Result<(Hole, usize), TemplateError> {
    let bytes = source.as_bytes();
    let pos = skip_spaces(source, args);
    if !matches!(bytes.get(pos), Some(b'"' | b'\'')) {
        return Err(TemplateError::new(
            pos,
            format!(
                "`secret_file` needs a quoted path, e.g. `secret_file(\"/run/secrets/token\")`, found {}",
                expr::describe_at(source, pos)
            ),
        ));
    }
    let (path, end) = expr::parse_string_at(source, pos)?;
    if path.is_empty() {
        return Err(TemplateError::new(
            pos,
            "the path of `secret_file` is empty",
        ));
    }
    let close = skip_spaces(source, end);
    if bytes.get(close) != Some(&b')') {
        return Err(TemplateError::new(
            close,
            format!(
                "expected `)` to end `secret_file(...)`, found {}",
                expr::describe_at(source, close)
            ),
        ));
    }
    Ok((Hole::SecretFile(path), close + 1))
}

impl Template {
    /// A template that is just this text (no holes).
    pub fn literal(text: &str) -> Template {
        Template {
            source: text.to_string(),
            parts: vec![Part::Text(text.to_string())],
        }
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// True when there is no `{{ }}` at all.
    pub fn is_literal(&self) -> bool {
        self.parts.iter().all(|p| matches!(p, Part::Text(_)))
    }

    fn holes(&self) -> impl Iterator<Item = &Hole> {
        self.parts.iter().filter_map(|p| match p {
            Part::Hole { kind, .. } => Some(kind),
            Part::Text(_) => None,
        })
    }

    /// The metric and context paths used (not `env`, `secret_file` or
    /// `date`), in order, with offsets into [`Template::source`].
    pub fn paths(&self) -> Vec<&MetricPath> {
        self.holes()
            .filter_map(|h| match h {
                Hole::Value(path) => Some(path),
                _ => None,
            })
            .collect()
    }

    /// The environment variables used, in order.
    pub fn env_names(&self) -> Vec<&str> {
        self.holes()
            .filter_map(|h| match h {
                Hole::Env(name) => Some(name.as_str()),
                _ => None,
            })
            .collect()
    }

    /// Substitutes every hole. Secret values met are added to `secrets`;
    /// error messages never contain one.
    pub fn render(
        &self,
        ctx: &dyn TemplateContext,
        secrets: &mut Secrets,
    ) -> Result<Rendered, TemplateError> {
        let mut value = String::new();
        let mut display = String::new();
        for part in &self.parts {
            let (hole, offset) = match part {
                Part::Text(text) => {
                    value.push_str(text);
                    display.push_str(text);
                    continue;
                }
                Part::Hole { kind, offset } => (kind, *offset),
            };
            let error = |message: String| TemplateError::new(offset, message);
            match hole {
                Hole::Value(path) => match ctx.value(path) {
                    Some(v) if v != Value::Null => {
                        let text = v.to_string();
                        value.push_str(&text);
                        display.push_str(&text);
                    }
                    _ => {
                        return Err(error(format!(
                            "`{}` has no value in this run",
                            hole.describe()
                        )))
                    }
                },
                Hole::Env(name) => {
                    let secret = ctx.env(name).ok_or_else(|| {
                        error(format!("environment variable `{name}` is not set"))
                    })?;
                    value.push_str(&secret);
                    display.push_str(REDACTED);
                    secrets.add(&secret);
                }
                Hole::SecretFile(path) => {
                    let contents = ctx.read_secret_file(path).map_err(|reason| {
                        error(format!("cannot read secret file `{path}`: {reason}"))
                    })?;
                    let secret = contents.trim();
                    value.push_str(secret);
                    display.push_str(REDACTED);
                    secrets.add(secret);
                }
                Hole::Date { shift, format } => {
                    let text = render_date(ctx.now(), *shift, format).ok_or_else(|| {
                        error(format!(
                            "`{}` is outside the dates that can be written",
                            hole.describe()
                        ))
                    })?;
                    value.push_str(&text);
                    display.push_str(&text);
                }
            }
        }
        Ok(Rendered { value, display })
    }
}

/// `None` when the shifted time is out of range or cannot be formatted.
fn render_date(now: DateTime<Utc>, shift: TimeDelta, format: &str) -> Option<String> {
    let when = now.checked_add_signed(shift)?;
    let mut out = String::new();
    // `write!` rather than `to_string()`: formatting can fail, and
    // `to_string` would panic on that.
    write!(
        out,
        "{}",
        when.format_with_items(StrftimeItems::new(format))
    )
    .ok()?;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    struct FakeContext {
        values: Vec<(&'static str, Value)>,
        env: Vec<(&'static str, &'static str)>,
        files: Vec<(&'static str, &'static str)>,
        now: DateTime<Utc>,
    }

    impl FakeContext {
        fn new() -> Self {
            FakeContext {
                values: vec![
                    ("rule.name", Value::Text("drift-retrain".into())),
                    ("run.id", Value::Text("r-42".into())),
                    ("summary", Value::Text("3 of 10 columns drifted".into())),
                    ("dataset.drift_share", Value::Number(0.3)),
                    ("quality.errors", Value::Number(2.0)),
                    ("column.income.drifted", Value::Bool(true)),
                    ("column.income.note", Value::Null),
                    (r#"column["annual income"].score"#, Value::Number(0.125)),
                ],
                env: vec![("GITHUB_TOKEN", "ghp_secret123"), ("SHORT", "ab")],
                files: vec![("/run/secrets/db", "  hunter22-pass\n")],
                now: Utc.with_ymd_and_hms(2024, 3, 1, 0, 30, 0).unwrap(),
            }
        }

        fn at(now: DateTime<Utc>) -> Self {
            FakeContext {
                now,
                ..FakeContext::new()
            }
        }
    }

    impl TemplateContext for FakeContext {
        fn value(&self, path: &MetricPath) -> Option<Value> {
            self.values
                .iter()
                .find(|(k, _)| {
                    expr::parse_path_at(k, 0).is_ok_and(|(p, _)| p.segments == path.segments)
                })
                .map(|(_, v)| v.clone())
        }
        fn env(&self, name: &str) -> Option<String> {
            self.env
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
        fn read_secret_file(&self, path: &str) -> Result<String, String> {
            self.files
                .iter()
                .find(|(k, _)| *k == path)
                .map(|(_, v)| v.to_string())
                .ok_or_else(|| "No such file or directory (os error 2)".to_string())
        }
        fn now(&self) -> DateTime<Utc> {
            self.now
        }
    }

    fn render(source: &str, ctx: &FakeContext) -> Result<(Rendered, Secrets), TemplateError> {
        let template = parse(source).unwrap_or_else(|e| panic!("{source:?} should parse: {e}"));
        let mut secrets = Secrets::default();
        let rendered = template.render(ctx, &mut secrets)?;
        Ok((rendered, secrets))
    }

    #[test]
    fn renders_values() {
        let ctx = FakeContext::new();
        let cases = [
            ("plain text", "plain text"),
            ("", ""),
            ("{{run.id}}", "r-42"),
            (
                "rule {{ rule.name }} in run {{ run.id }}",
                "rule drift-retrain in run r-42",
            ),
            ("{{ summary }}", "3 of 10 columns drifted"),
            ("share={{ dataset.drift_share }}", "share=0.3"),
            ("errors={{ quality.errors }}", "errors=2"),
            ("{{ column.income.drifted }}", "true"),
            (r#"{{ column["annual income"].score }}"#, "0.125"),
            (r#"{{ column['annual income'].score }}"#, "0.125"),
            ("a }} b { c", "a }} b { c"),
            ("{{\n run.id\t}}", "r-42"),
        ];
        for (source, expected) in cases {
            let (rendered, secrets) = render(source, &ctx).unwrap();
            assert_eq!(rendered.value, expected, "{source}");
            assert_eq!(rendered.display, expected, "{source}");
            assert!(secrets.is_empty());
        }
    }

    #[test]
    fn renders_dates_across_boundaries() {
        let at =
            |y, mo, d, h, mi| FakeContext::at(Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap());
        let cases = [
            (at(2024, 3, 1, 0, 30), "{{ date() }}", "2024-03-01"),
            (at(2024, 3, 1, 0, 30), "{{ date(-1d) }}", "2024-02-29"),
            (at(2023, 3, 1, 0, 30), "{{ date(-1d) }}", "2023-02-28"),
            (at(2024, 3, 1, 0, 30), "{{ date(-31m) }}", "2024-02-29"),
            (at(2024, 3, 1, 0, 30), "{{ date(-30m) }}", "2024-03-01"),
            (at(2024, 1, 31, 23, 30), "{{ date(+1h) }}", "2024-02-01"),
            (
                at(2024, 1, 3, 12, 0),
                r#"{{ date(-1w, "%Y/%m/%d") }}"#,
                "2023/12/27",
            ),
            (
                at(2024, 12, 31, 22, 0),
                "{{date(+2h,'%Y-%m-%dT%H:%M')}}",
                "2025-01-01T00:00",
            ),
            (
                at(2024, 3, 1, 0, 30),
                r#"{{ date( +1d12h , "%d" ) }}"#,
                "02",
            ),
            (at(2024, 3, 1, 0, 30), r#"{{ date("%Y") }}"#, "2024"),
            (at(2024, 3, 1, 0, 30), r#"{{ date(+0s, "100%%") }}"#, "100%"),
            (
                at(2024, 3, 1, 0, 30),
                "data/{{ date(-1d) }}/part.parquet",
                "data/2024-02-29/part.parquet",
            ),
        ];
        for (ctx, source, expected) in cases {
            let (rendered, _) = render(source, &ctx).unwrap();
            assert_eq!(rendered.value, expected, "{source}");
            assert_eq!(rendered.display, expected, "{source}");
        }
    }

    #[test]
    fn redacts_secrets_in_display() {
        let ctx = FakeContext::new();
        let (rendered, secrets) = render(
            r#"Bearer {{ env.GITHUB_TOKEN }} db={{ secret_file("/run/secrets/db") }} s={{ env.SHORT }} run={{ run.id }}"#,
            &ctx,
        )
        .unwrap();
        assert_eq!(
            rendered.value,
            "Bearer ghp_secret123 db=hunter22-pass s=ab run=r-42"
        );
        assert_eq!(rendered.display, "Bearer *** db=*** s=*** run=r-42");
        // Short secrets are collected (and redacted above) but not scrubbed.
        assert_eq!(
            secrets.scrub("token ghp_secret123, pass hunter22-pass, tab ab"),
            "token ***, pass ***, tab ab"
        );
    }

    #[test]
    fn render_errors_name_the_hole_and_never_the_secret() {
        let ctx = FakeContext::new();
        let cases = [
            (
                "x {{ column.x.score }}",
                "`{{ column.x.score }}` has no value in this run",
                2,
            ),
            (
                "{{column.income.note}}",
                "`{{ column.income.note }}` has no value in this run",
                0,
            ),
            (
                r#"{{ column["a b"].score }}"#,
                r#"`{{ column["a b"].score }}` has no value in this run"#,
                0,
            ),
            (
                "tok={{ env.MISSING_TOKEN }}",
                "environment variable `MISSING_TOKEN` is not set",
                4,
            ),
            (
                r#"{{ secret_file("/nope") }}"#,
                "cannot read secret file `/nope`: No such file or directory (os error 2)",
                0,
            ),
            (
                "{{ date(+300000000w) }}",
                "`{{ date(...) }}` is outside the dates that can be written",
                0,
            ),
        ];
        for (source, message, offset) in cases {
            let err = render(source, &ctx).expect_err(source);
            assert_eq!(err.message, message, "{source}");
            assert_eq!(err.offset, offset, "{source}");
        }
        // A failure after a secret was rendered still mentions no secret.
        let err = render("{{ env.GITHUB_TOKEN }} {{ env.NOPE }}", &ctx).unwrap_err();
        assert!(!err.message.contains("ghp_secret123"));
    }

    #[test]
    fn parse_errors() {
        let cases = [
            ("a {{ run.id", "unclosed `{{`: expected `}}` (`{{` always starts a substitution)", 2),
            ("a {{", "unclosed `{{`: expected `}}` (`{{` always starts a substitution)", 2),
            ("{{ run.id }", "unclosed `{{`: expected `}}` (`{{` always starts a substitution)", 0),
            (r#"{{ date(+1d, "}}""#, "unclosed `{{`: expected `}}` (`{{` always starts a substitution)", 0),
            ("x{{}}", "empty `{{ }}`: expected a path such as `run.id`, `env.NAME`, `secret_file(\"...\")` or `date()`", 1),
            ("{{   }}", "empty `{{ }}`: expected a path such as `run.id`, `env.NAME`, `secret_file(\"...\")` or `date()`", 0),
            ("{{ 5 }}", "expected a path such as `run.id`, `env.NAME`, `secret_file(\"...\")` or `date()` after `{{`, found `5`", 3),
            ("{{{ run.id }}}", "expected a path such as `run.id`, `env.NAME`, `secret_file(\"...\")` or `date()` after `{{`, found `{`", 2),
            ("{{ run.id run.x }}", "expected `}}` to end the substitution, found `r`", 10),
            ("{{ upper(run.id) }}", "unknown function `upper`; expected `date(...)` or `secret_file(...)`", 3),
            ("{{ date }}", "`date` is a function: write `date(...)`", 3),
            ("{{ env }}", "`env` needs one variable name, e.g. `{{ env.GITHUB_TOKEN }}`", 3),
            ("{{ env.A.B }}", "`env` needs one variable name, e.g. `{{ env.GITHUB_TOKEN }}`", 3),
            ("{{ run. }}", "expected a name after `.`, found a space", 7),
            ("{{ column[x] }}", "expected a quoted name after `[`, e.g. `column[\"annual income\"]`, found `x`", 10),
            (r#"{{ date(-1d, "%Y-%Q") }}"#, "invalid date format \"%Y-%Q\": use strftime specifiers such as %Y, %m, %d, %H (and %% for a literal %)", 13),
            (r#"{{ date("%") }}"#, "invalid date format \"%\": use strftime specifiers such as %Y, %m, %d, %H (and %% for a literal %)", 8),
            (r#"{{ date("") }}"#, "the date format is empty; e.g. \"%Y-%m-%d\"", 8),
            ("{{ date(1d) }}", "the date offset needs a sign: `-1d` for the past, `+1d` for the future", 8),
            ("{{ date(-1x) }}", "`1x` is not a duration: unknown unit `x`, expected s, m, h, d or w (lowercase), e.g. `6h` or `1h30m`", 9),
            ("{{ date(-1.5h) }}", "`1.5h` is not a duration: fractions are not allowed, use `1h30m`", 9),
            ("{{ date(-) }}", "a duration cannot be empty: expected a number and a unit (s, m, h, d, w), e.g. `6h` or `1h30m`", 9),
            ("{{ date(-1d,) }}", "expected a quoted date format such as \"%Y/%m/%d\", found `)`", 12),
            ("{{ date(-1d \"%Y\") }}", "expected `)` to end `date(...)`, found `\"`; e.g. `date(-1d, \"%Y/%m/%d\")`", 12),
            ("{{ date(+20000000000w) }}", "`20000000000w` is too long a date offset", 9),
            ("{{ secret_file(path) }}", "`secret_file` needs a quoted path, e.g. `secret_file(\"/run/secrets/token\")`, found `p`", 15),
            ("{{ secret_file('') }}", "the path of `secret_file` is empty", 15),
            ("{{ secret_file('/a' }}", "expected `)` to end `secret_file(...)`, found `}`", 20),
            ("{{ secret_file('/a) }}", "unterminated string: expected a closing `'`", 15),
        ];
        for (source, message, offset) in cases {
            let err = parse(source).expect_err(source);
            assert_eq!(err.message, message, "{source}");
            assert_eq!(err.offset, offset, "{source}");
        }
    }

    #[test]
    fn reports_what_it_uses() {
        let source = r#"{{ env.TOKEN }}/{{ run.id }}/{{ date(-1d) }}/{{ column["a b"].score }}/{{ secret_file("/s") }}/{{ env.OTHER }}"#;
        let template = parse(source).unwrap();
        assert_eq!(template.source(), source);
        assert!(!template.is_literal());
        assert_eq!(template.env_names(), ["TOKEN", "OTHER"]);
        let paths = template.paths();
        let dotted: Vec<String> = paths.iter().map(|p| p.dotted()).collect();
        assert_eq!(dotted, ["run.id", r#"column["a b"].score"#]);
        // Path offsets point into the template source.
        assert_eq!(
            &source[paths[0].offset..paths[0].offset + paths[0].len],
            "run.id"
        );
        assert_eq!(
            serde_json::to_string(&template).unwrap(),
            serde_json::to_string(source).unwrap()
        );

        let literal = parse("data/ref.parquet").unwrap();
        assert!(literal.is_literal());
        assert!(literal.paths().is_empty() && literal.env_names().is_empty());
    }

    #[test]
    fn rendered_serializes_value_and_display() {
        let rendered = Rendered {
            value: "v".into(),
            display: "d".into(),
        };
        assert_eq!(
            serde_json::to_string(&rendered).unwrap(),
            r#"{"value":"v","display":"d"}"#
        );
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(source in any::<String>()) {
            if let Ok(template) = parse(&source) {
                let mut secrets = Secrets::default();
                let _ = template.render(&FakeContext::new(), &mut secrets);
            }
        }

        #[test]
        fn template_soup_never_panics(parts in prop::collection::vec(prop::sample::select(vec![
            "{{", "}}", "{", "}", " ", "run.id", "env.GITHUB_TOKEN", "env.X", "date(", "secret_file(",
            ")", "(", ",", "-1d", "+2h", "\"%Y\"", "'", "\"", "%", "é", ".", "[\"a b\"]", "x",
        ]), 0..24)) {
            let source = parts.concat();
            match parse(&source) {
                Ok(template) => {
                    let mut secrets = Secrets::default();
                    if let Ok(rendered) = template.render(&FakeContext::new(), &mut secrets) {
                        prop_assert!(!rendered.display.contains("ghp_secret123") || source.contains("ghp_secret123"));
                    }
                }
                Err(e) => prop_assert!(e.offset <= source.len()),
            }
        }
    }
}
