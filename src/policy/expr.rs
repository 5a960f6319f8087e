//! The `when:` expression language of policy rules: parsing, static type
//! checking (`types`) and evaluation. Pure: metric values and types come
//! from the caller's functions; nothing here reads files, the environment or
//! the clock.
//!
//! # Grammar
//!
//! ```text
//! expr       := or
//! or         := and ( "or" and )*
//! and        := not ( "and" not )*
//! not        := "not" not | comparison
//! comparison := operand ( ( "==" | "!=" | "<" | "<=" | ">" | ">=" ) operand )?
//! operand    := number | string | "true" | "false" | "null" | path | "(" expr ")"
//! path       := name ( "." name | "[" string "]" )*
//! name       := [A-Za-z_][A-Za-z0-9_-]*
//! number     := -?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?      e.g. 0.3, 5, 1e-3, -2
//! string     := '"' any text without '"' '"' | "'" any text without "'" "'"
//! ```
//!
//! - Precedence, loosest first: `or`, `and`, `not`, comparison. So
//!   `not a > 1 and b` is `(not (a > 1)) and b`.
//! - Comparisons do not chain: `a < b < c` is an error; write
//!   `a < b and b < c`.
//! - Keywords (`and`, `or`, `not`, `true`, `false`, `null`) are lowercase;
//!   `AND` or `True` is an error rather than a metric name.
//! - Strings have no escape sequences: to put a `"` in a string, quote it
//!   with `'`, and the other way round.
//! - A path names a metric, e.g. `dataset.drift_share`,
//!   `column.income.score`, `quality.errors`. A name that is not an
//!   identifier goes in brackets: `column["annual income"].missing.current`.
//!   No spaces inside a path.
//! - An expression is at most 4096 bytes and nests at most 64 levels of
//!   parentheses and `not`.
//!
//! # Semantics
//!
//! - Numbers compare as 64-bit floats; strings compare by their bytes
//!   (`==`, `!=` and ordering); booleans only with `==` and `!=`.
//! - A comparison with `null` on either side is false, except `x == null`
//!   (true when `x` is null) and `x != null` (true when it is not). A metric
//!   the run does not have is null.
//! - Comparing values of different types (a number with a string, a boolean
//!   with a number) or ordering booleans is an error at evaluation, pointing
//!   at the operator.
//! - `and`, `or` and `not` need true/false operands; `and` and `or`
//!   short-circuit, so `false and x > "a"` is false without looking at `x`.
//! - A null operand where true/false is needed (a missing metric, `null`)
//!   counts as false. The whole expression must be true/false as well.
//! - [`Expr::type_errors`] finds the type errors above before any run, from
//!   each metric's type (null aside); a policy with one does not load.

use std::fmt;

use serde::Serialize;

mod eval;
mod lex;
mod parse;
mod types;

use eval::eval_bool;
use lex::is_identifier;
pub(crate) use lex::{describe_at, is_ident_start, parse_path_at, parse_string_at, scan_ident};
pub use parse::parse;
pub use types::Type;

/// The longest expression accepted, in bytes.
pub const MAX_LENGTH: usize = 4096;
/// The deepest nesting of parentheses and `not` accepted; bounds recursion
/// in the parser and the evaluator, so no input can overflow the stack.
pub const MAX_DEPTH: usize = 64;

/// A parsed `when:` expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    root: Node,
}

/// The literal `true`: what a rule with a skipped `when` deserialises to.
impl Default for Expr {
    fn default() -> Self {
        Expr {
            root: Node::Literal {
                value: Value::Bool(true),
                text: "true".to_string(),
                offset: 0,
            },
        }
    }
}

/// A metric (or context) path such as `column["annual income"].score`.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricPath {
    pub segments: Vec<String>,
    /// Byte offset of the path in the source it was parsed from.
    pub offset: usize,
    /// Byte length of the path in that source.
    pub len: usize,
}

impl MetricPath {
    /// The canonical text: identifiers joined by `.`, any other name in
    /// brackets (`column["annual income"].missing`), so it parses back to the
    /// same segments. (A name holding both quote characters cannot be
    /// written in the language and never comes out of [`parse`].)
    pub fn dotted(&self) -> String {
        let mut out = String::new();
        for (i, segment) in self.segments.iter().enumerate() {
            if is_identifier(segment) {
                if i > 0 {
                    out.push('.');
                }
                out.push_str(segment);
            } else {
                let quote = if segment.contains('"') { '\'' } else { '"' };
                out.push('[');
                out.push(quote);
                out.push_str(segment);
                out.push(quote);
                out.push(']');
            }
        }
        out
    }
}

/// A value a path or literal evaluates to.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum Value {
    Number(f64),
    Bool(bool),
    Text(String),
    Null,
}

impl Value {
    /// The value's type; `None` for null.
    pub fn type_of(&self) -> Option<Type> {
        match self {
            Value::Number(_) => Some(Type::Number),
            Value::Bool(_) => Some(Type::Bool),
            Value::Text(_) => Some(Type::Text),
            Value::Null => None,
        }
    }

    /// How messages name the type: "found a number".
    fn kind(&self) -> &'static str {
        self.type_of().map_or("null", Type::kind)
    }
}

/// Numbers as the shortest text that parses back to the same `f64` (`0.3`,
/// `2`, `1e-7`); strings as they are, unquoted.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Number(x) => f.write_str(&format_number(*x)),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Text(s) => f.write_str(s),
            Value::Null => f.write_str("null"),
        }
    }
}

fn format_number(x: f64) -> String {
    if x == 0.0 {
        // Also turns -0 into 0.
        "0".to_string()
    } else if x.is_nan() {
        "NaN".to_string()
    } else if x.is_infinite() {
        if x > 0.0 { "inf" } else { "-inf" }.to_string()
    } else if (1e-6..1e16).contains(&x.abs()) {
        // Rust's `Display` for floats is the shortest round-trip text, but
        // never uses an exponent: keep it for everyday magnitudes only.
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

/// A parse or evaluation error, with the byte offset in the source it is
/// about (the caller turns it into a line and column).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct ExprError {
    pub message: String,
    pub offset: usize,
}

impl ExprError {
    fn new(offset: usize, message: impl Into<String>) -> Self {
        ExprError {
            message: message.into(),
            offset,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }

    fn apply<T: PartialOrd + ?Sized>(self, a: &T, b: &T) -> bool {
        // PartialOrd operators, not `partial_cmp`, so NaN compares unequal
        // to everything, as IEEE says.
        match self {
            CmpOp::Eq => a == b,
            CmpOp::Ne => a != b,
            CmpOp::Lt => a < b,
            CmpOp::Le => a <= b,
            CmpOp::Gt => a > b,
            CmpOp::Ge => a >= b,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Logic {
    And,
    Or,
}

impl Logic {
    fn keyword(self) -> &'static str {
        match self {
            Logic::And => "and",
            Logic::Or => "or",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Literal {
        value: Value,
        /// The literal as written, for messages.
        text: String,
        offset: usize,
    },
    Path(MetricPath),
    Not {
        operand: Box<Node>,
        offset: usize,
    },
    /// A chain `a and b and c` kept flat, so long chains do not make a deep
    /// tree. `op_offsets[i]` is the operator between operands `i` and `i+1`.
    Logical {
        op: Logic,
        operands: Vec<Node>,
        op_offsets: Vec<usize>,
    },
    Compare {
        op: CmpOp,
        lhs: Box<Node>,
        rhs: Box<Node>,
        offset: usize,
    },
}

impl Node {
    fn offset(&self) -> usize {
        match self {
            Node::Literal { offset, .. } | Node::Not { offset, .. } => *offset,
            Node::Path(p) => p.offset,
            Node::Logical { operands, .. } => operands.first().map_or(0, Node::offset),
            Node::Compare { lhs, .. } => lhs.offset(),
        }
    }

    /// Binding strength, to print parentheses only where needed.
    fn precedence(&self) -> u8 {
        match self {
            Node::Logical { op: Logic::Or, .. } => 1,
            Node::Logical { op: Logic::And, .. } => 2,
            Node::Not { .. } => 3,
            Node::Compare { .. } => 4,
            Node::Literal { .. } | Node::Path(_) => 5,
        }
    }

    fn write_operand(&self, f: &mut fmt::Formatter<'_>, min: u8) -> fmt::Result {
        if self.precedence() < min {
            write!(f, "({self})")
        } else {
            write!(f, "{self}")
        }
    }
}

/// Canonical text of an expression (also used to quote an operand in a
/// message).
impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Node::Literal { text, .. } => f.write_str(text),
            Node::Path(p) => f.write_str(&p.dotted()),
            Node::Not { operand, .. } => {
                f.write_str("not ")?;
                operand.write_operand(f, 3)
            }
            Node::Logical { op, operands, .. } => {
                for (i, operand) in operands.iter().enumerate() {
                    if i > 0 {
                        write!(f, " {} ", op.keyword())?;
                    }
                    // `a or (b or c)` keeps its parentheses: harmless.
                    operand.write_operand(f, self.precedence() + 1)?;
                }
                Ok(())
            }
            Node::Compare { op, lhs, rhs, .. } => {
                lhs.write_operand(f, 5)?;
                write!(f, " {} ", op.symbol())?;
                rhs.write_operand(f, 5)
            }
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.root.fmt(f)
    }
}

impl Expr {
    /// Every metric path used, in source order (repeats included).
    pub fn paths(&self) -> Vec<&MetricPath> {
        let mut out = Vec::new();
        collect_paths(&self.root, &mut out);
        out
    }

    /// Evaluates the expression; `lookup` gives each path's value
    /// ([`Value::Null`] for a metric the run does not have).
    pub fn eval(&self, lookup: &dyn Fn(&MetricPath) -> Value) -> Result<bool, ExprError> {
        eval_bool(&self.root, lookup, &condition_needs_bool)
    }
}

// The errors evaluation and the static check share, worded once. `found` is
// "a number (`x.y`)".

fn condition_needs_bool(found: &str) -> String {
    format!("the condition must be true/false, found {found}")
}

fn not_needs_bool(found: &str) -> String {
    format!("`not` needs true/false, found {found}")
}

fn logic_needs_bool(op: Logic, found: &str) -> String {
    format!(
        "`{}` needs true/false on both sides, found {found}",
        op.keyword()
    )
}

/// Where an error about operand `i` of an `and`/`or` chain points: at the
/// operator next to it.
fn operator_next_to(op_offsets: &[usize], i: usize, operand: &Node) -> usize {
    op_offsets
        .get(i.saturating_sub(1))
        .copied()
        .unwrap_or_else(|| operand.offset())
}

/// Why `lhs op rhs` is an error for values of these types, if it is.
fn compare_error(op: CmpOp, (lhs, a): (&Node, Type), (rhs, b): (&Node, Type)) -> Option<String> {
    if a != b {
        Some(format!(
            "`{}` cannot compare {} (`{lhs}`) with {} (`{rhs}`)",
            op.symbol(),
            a.kind(),
            b.kind()
        ))
    } else if a == Type::Bool && !matches!(op, CmpOp::Eq | CmpOp::Ne) {
        Some(format!(
            "`{}` cannot order true/false values (`{lhs}` and `{rhs}`); use `==` or `!=`",
            op.symbol()
        ))
    } else {
        None
    }
}

fn collect_paths<'a>(node: &'a Node, out: &mut Vec<&'a MetricPath>) {
    match node {
        Node::Literal { .. } => {}
        Node::Path(p) => out.push(p),
        Node::Not { operand, .. } => collect_paths(operand, out),
        Node::Logical { operands, .. } => {
            for operand in operands {
                collect_paths(operand, out);
            }
        }
        Node::Compare { lhs, rhs, .. } => {
            collect_paths(lhs, out);
            collect_paths(rhs, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn path(text: &str) -> MetricPath {
        match parse_path_at(text, 0) {
            Ok((p, end)) if end == text.len() => p,
            other => panic!("bad test path {text:?}: {other:?}"),
        }
    }

    /// A lookup over `(dotted path, value)` pairs; anything else is null.
    fn lookup_in(values: &[(&str, Value)]) -> impl Fn(&MetricPath) -> Value {
        let values: Vec<(String, Value)> = values
            .iter()
            .map(|(k, v)| (path(k).dotted(), v.clone()))
            .collect();
        move |p: &MetricPath| {
            values
                .iter()
                .find(|(k, _)| *k == p.dotted())
                .map_or(Value::Null, |(_, v)| v.clone())
        }
    }

    fn metrics() -> impl Fn(&MetricPath) -> Value {
        lookup_in(&[
            ("dataset.drift_share", Value::Number(0.42)),
            ("quality.errors", Value::Number(0.0)),
            ("column.tenure_days.missing.current", Value::Number(0.07)),
            ("column.income.score", Value::Number(0.3)),
            (
                r#"column["annual income"].missing.current"#,
                Value::Number(0.01),
            ),
            ("incident.type", Value::Text("covariate_drift".into())),
            ("column.income.drifted", Value::Bool(true)),
            ("column.age.drifted", Value::Bool(false)),
            ("column.income.note", Value::Null),
        ])
    }

    fn eval_with(source: &str, lookup: &dyn Fn(&MetricPath) -> Value) -> Result<bool, ExprError> {
        parse(source)
            .unwrap_or_else(|e| panic!("{source:?} should parse: {e}"))
            .eval(lookup)
    }

    #[test]
    fn issue_examples_parse_and_evaluate() {
        let m = metrics();
        let cases = [
            ("dataset.drift_share >= 0.3 and quality.errors == 0", true),
            (
                "quality.errors > 0 or column.tenure_days.missing.current > 0.05",
                true,
            ),
            (r#"incident.type == "covariate_drift""#, true),
            (r#"incident.type == 'label_drift'"#, false),
        ];
        for (source, expected) in cases {
            assert_eq!(eval_with(source, &m), Ok(expected), "{source}");
        }
    }

    #[test]
    fn evaluates() {
        let m = metrics();
        let cases: &[(&str, bool)] = &[
            // numbers
            ("column.income.score == 0.3", true),
            ("column.income.score != 0.3", false),
            ("column.income.score < 0.31", true),
            ("column.income.score <= 0.3", true),
            ("column.income.score > 0.3", false),
            ("column.income.score >= 3e-1", true),
            ("quality.errors > -2", true),
            ("-2 < quality.errors", true),
            ("1e-3 < 0.01", true),
            ("5 == 5.0", true),
            // null semantics: missing metrics are null
            ("column.nope.score > 0.1", false),
            ("column.nope.score < 0.1", false),
            ("column.nope.score == 0.1", false),
            ("column.nope.score != 0.1", true),
            ("column.nope.score == null", true),
            ("column.nope.score != null", false),
            ("null == column.income.score", false),
            ("column.income.score != null", true),
            ("null == null", true),
            ("null != null", false),
            ("null <= null", false),
            ("column.income.note == null", true),
            ("null < 1", false),
            (r#"null >= "a""#, false),
            ("null == true", false),
            // null in boolean position is false
            ("column.nope.drifted", false),
            ("not column.nope.drifted", true),
            ("column.nope.drifted or true", true),
            ("null", false),
            // booleans
            ("column.income.drifted", true),
            ("column.income.drifted and not column.age.drifted", true),
            ("column.income.drifted == true", true),
            ("column.age.drifted != false", false),
            ("(column.income.score > 0.1) == true", true),
            ("true", true),
            ("false", false),
            // precedence: or < and < not < comparison
            ("true or false and false", true),
            ("(true or false) and false", false),
            ("not false and false", false),
            ("not (false and false)", true),
            ("not column.income.score > 0.5", true),
            ("not not true", true),
            ("false or false or true", true),
            ("true and true and false", false),
            // strings and brackets
            (r#"incident.type == 'covariate_drift'"#, true),
            (r#"incident.type != "x""#, true),
            (r#"incident.type > "a""#, true),
            (r#"'b' > "a""#, true),
            (r#"'say "hi"' == 'say "hi"'"#, true),
            (r#"column["annual income"].missing.current < 0.05"#, true),
            (r#"column['annual income'].missing.current < 0.05"#, true),
            (r#"column["income"].score == column.income.score"#, true),
            // whitespace is free between tokens
            ("  quality.errors==0\n and\tdataset.drift_share>0.4 ", true),
        ];
        for &(source, expected) in cases {
            assert_eq!(eval_with(source, &m), Ok(expected), "{source}");
        }
    }

    #[test]
    fn short_circuits() {
        // The right side would be a type error if evaluated.
        let m = metrics();
        assert_eq!(
            eval_with(r#"false and quality.errors > "a""#, &m),
            Ok(false)
        );
        assert_eq!(eval_with(r#"true or quality.errors > "a""#, &m), Ok(true));
        assert_eq!(
            eval_with("column.nope.x and dataset.drift_share", &m),
            Ok(false)
        );
        // ... and the lookup is not even asked.
        let asked = std::cell::RefCell::new(Vec::new());
        let spy = |p: &MetricPath| {
            asked.borrow_mut().push(p.dotted());
            Value::Bool(false)
        };
        assert_eq!(eval_with("a.b and c.d and e.f", &spy), Ok(false));
        assert_eq!(*asked.borrow(), ["a.b"]);
    }

    #[test]
    fn evaluation_errors() {
        let m = metrics();
        let cases: &[(&str, &str, usize)] = &[
            (
                "dataset.drift_share and quality.errors == 0",
                "`and` needs true/false on both sides, found a number (`dataset.drift_share`)",
                20,
            ),
            (
                "quality.errors == 0 and dataset.drift_share",
                "`and` needs true/false on both sides, found a number (`dataset.drift_share`)",
                20,
            ),
            (
                "false or 'yes'",
                "`or` needs true/false on both sides, found a string (`'yes'`)",
                6,
            ),
            (
                "not dataset.drift_share",
                "`not` needs true/false, found a number (`dataset.drift_share`)",
                0,
            ),
            (
                "dataset.drift_share",
                "the condition must be true/false, found a number (`dataset.drift_share`)",
                0,
            ),
            (
                r#"dataset.drift_share >= "high""#,
                r#"`>=` cannot compare a number (`dataset.drift_share`) with a string (`"high"`)"#,
                20,
            ),
            (
                r#"incident.type == 1"#,
                "`==` cannot compare a string (`incident.type`) with a number (`1`)",
                14,
            ),
            (
                "column.income.drifted == 1",
                "`==` cannot compare true/false (`column.income.drifted`) with a number (`1`)",
                22,
            ),
            (
                "column.income.drifted < true",
                "`<` cannot order true/false values (`column.income.drifted` and `true`); use `==` or `!=`",
                22,
            ),
            (
                "(quality.errors > 1 or true) > 0",
                "`>` cannot compare true/false (`quality.errors > 1 or true`) with a number (`0`)",
                29,
            ),
        ];
        for &(source, message, offset) in cases {
            let err = eval_with(source, &m).expect_err(source);
            assert_eq!(err.message, message, "{source}");
            assert_eq!(err.offset, offset, "{source}");
        }
    }

    #[test]
    fn nan_compares_unequal() {
        let lookup = |_: &MetricPath| Value::Number(f64::NAN);
        assert_eq!(eval_with("a.b == a.b", &lookup), Ok(false));
        assert_eq!(eval_with("a.b != a.b", &lookup), Ok(true));
        assert_eq!(eval_with("a.b < 1 or a.b >= 1", &lookup), Ok(false));
    }

    #[test]
    fn parse_errors() {
        let deep_parens = format!("{}true{}", "(".repeat(65), ")".repeat(65));
        let deep_nots = format!("{}true", "not ".repeat(65));
        let long = format!("a.b == '{}'", "x".repeat(MAX_LENGTH));
        let cases: Vec<(&str, &str, usize)> = vec![
            ("", "the expression is empty: expected a condition such as `dataset.drift_share >= 0.3`", 0),
            ("   ", "the expression is empty: expected a condition such as `dataset.drift_share >= 0.3`", 0),
            ("dataset.drift_share >=", "expected a value after `>=`, found the end of the expression", 22),
            ("dataset.drift_share = 0.3", "unknown operator `=`; use `==`", 20),
            ("a.b => 1", "unknown operator `=`; use `==`", 4),
            ("!a.b", "unknown operator `!`; use `not` or `!=`", 0),
            ("a.b && c.d", "unknown operator `&&`; use `and`", 4),
            ("a.b || c.d", "unknown operator `||`; use `or`", 4),
            ("a.b & c.d", "unknown operator `&`; use `and`", 4),
            ("0 < a.b < 1", "comparisons cannot be chained: write `a < b and b < c`", 8),
            ("a.b == c.d == true", "comparisons cannot be chained: write `a == b and b == c`", 11),
            ("a.b > 1 AND c.d", "`AND` is not a keyword: keywords are lowercase, write `and`", 8),
            ("a.b == True", "`True` is not a keyword: keywords are lowercase, write `true`", 7),
            ("a.b > 1 c.d", "expected `and`, `or` or the end of the expression, found `c.d`", 8),
            ("a.b > 1)", "unexpected `)`: there is no `(` for it to close", 7),
            ("(a.b > 1", "unclosed `(`: expected `)`, found the end of the expression", 0),
            ("(a.b > 1 c.d)", "expected `and`, `or` or `)`, found `c.d`", 9),
            ("()", "expected a value after `(`, found `)`", 1),
            ("a.b and", "expected a value after `and`, found the end of the expression", 7),
            ("and a.b", "expected a value, found `and`", 0),
            ("a.b > not c.d", "expected a value after `>`, found `not`; put `not ...` in parentheses", 6),
            ("a.b > 'open", "unterminated string: expected a closing `'`", 6),
            ("a.b > \"open", "unterminated string: expected a closing `\"`", 6),
            ("a.b > 1.5.2", "`1.5.2` is not a number", 6),
            ("a.b > 5abc", "`5abc` is not a number", 6),
            ("a.b > 1.", "`1.` is not a number", 6),
            ("a.b > 1e", "`1e` is not a number", 6),
            ("a.b > 1e999", "`1e999` is out of range for a number", 6),
            ("a.b > - 2", "unexpected `-`: a negative number is written `-2` (there is no arithmetic)", 6),
            ("a.b > $x", "unexpected character `$`", 6),
            ("a.b > é", "unexpected character `é`", 6),
            ("a. b > 1", "expected a name after `.`, found a space", 2),
            ("column.", "expected a name after `.`, found the end of the expression", 7),
            ("column.2023_sales.score > 1", "expected a name after `.`, found `2`; a name that is not an identifier goes in brackets, e.g. `column[\"2023_sales\"]`", 7),
            ("column[income].score", "expected a quoted name after `[`, e.g. `column[\"annual income\"]`, found `i`", 7),
            ("column[\"\"].score", "a name in brackets cannot be empty", 7),
            ("column[\"a\".score", "expected `]` after the name, found `.`", 10),
            ("column[\"a\"", "expected `]` after the name, found the end of the expression", 10),
            ("[\"a\"] > 1", "unexpected character `[`", 0),
            ("true.x", "unexpected character `.`", 4),
            (&deep_parens, "the expression nests more than 64 levels of parentheses and `not`; simplify it", 64),
            (&deep_nots, "the expression nests more than 64 levels of parentheses and `not`; simplify it", 256),
            (&long, "the expression is 4105 bytes long, more than the limit of 4096; split the rule", 4096),
        ];
        for (source, message, offset) in cases {
            let err = parse(source).expect_err(source);
            assert_eq!(err.message, message, "{source}");
            assert_eq!(err.offset, offset, "{source}");
        }
    }

    #[test]
    fn nesting_at_the_limit_is_accepted() {
        let parens = format!("{}true{}", "(".repeat(64), ")".repeat(64));
        assert_eq!(eval_with(&parens, &metrics()), Ok(true));
        let nots = format!("{}true", "not ".repeat(64));
        assert_eq!(eval_with(&nots, &metrics()), Ok(true));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        // Over the length limit: rejected before any recursion.
        let huge = "(".repeat(10_000);
        assert_eq!(
            parse(&huge).unwrap_err().message,
            "the expression is 10000 bytes long, more than the limit of 4096; split the rule"
        );
        // Within the length limit: the depth limit catches it.
        let deep = format!("{}a.b{}", "(".repeat(2000), ")".repeat(2000));
        let err = parse(&deep).expect_err("too deep");
        assert_eq!(err.offset, 64);
    }

    #[test]
    fn long_flat_chains_are_fine() {
        // 580 operands are a flat list, not a 580-deep tree.
        let source = vec!["a.b"; 580].join(" or ");
        assert!(source.len() <= MAX_LENGTH);
        let lookup = |_: &MetricPath| Value::Bool(false);
        assert_eq!(eval_with(&source, &lookup), Ok(false));
    }

    #[test]
    fn paths_in_source_order_with_spans() {
        let source =
            r#"quality.errors > 0 or (column["annual income"].missing.current > 0.05 and not x.y)"#;
        let expr = parse(source).unwrap();
        let paths = expr.paths();
        let dotted: Vec<String> = paths.iter().map(|p| p.dotted()).collect();
        assert_eq!(
            dotted,
            [
                "quality.errors",
                r#"column["annual income"].missing.current"#,
                "x.y"
            ]
        );
        let spans: Vec<&str> = paths
            .iter()
            .map(|p| &source[p.offset..p.offset + p.len])
            .collect();
        assert_eq!(
            spans,
            [
                "quality.errors",
                r#"column["annual income"].missing.current"#,
                "x.y"
            ]
        );
        assert_eq!(
            paths[1].segments,
            ["column", "annual income", "missing", "current"]
        );
    }

    #[test]
    fn dotted_brackets_only_non_identifiers() {
        let cases = [
            ("column.income.score", "column.income.score"),
            (r#"column["income"].score"#, "column.income.score"),
            (r#"column['a "b"'].score"#, r#"column['a "b"'].score"#),
            (r#"column["2023"]"#, r#"column["2023"]"#),
            ("column.tenure-days.and", "column.tenure-days.and"),
        ];
        for (source, dotted) in cases {
            let p = path(source);
            assert_eq!(p.dotted(), dotted);
            // The canonical text parses back to the same segments.
            assert_eq!(path(&p.dotted()).segments, p.segments);
        }
    }

    #[test]
    fn display_is_canonical_and_reparses() {
        let cases = [
            ("a.b>=0.3 and(c.d==0)", "a.b >= 0.3 and c.d == 0"),
            ("(a.b or c.d) and e.f", "(a.b or c.d) and e.f"),
            ("a.b or (c.d and e.f)", "a.b or c.d and e.f"),
            ("not (a.b and c.d)", "not (a.b and c.d)"),
            ("not a.b > 1", "not a.b > 1"),
            ("(a.b > 1) == true", "(a.b > 1) == true"),
            ("x.y == 'it'", "x.y == 'it'"),
        ];
        for (source, canonical) in cases {
            let expr = parse(source).unwrap();
            assert_eq!(expr.to_string(), canonical);
            assert_eq!(parse(canonical).unwrap().to_string(), canonical);
        }
    }

    #[test]
    fn default_is_true() {
        assert_eq!(Expr::default().eval(&|_| Value::Null), Ok(true));
        assert!(Expr::default().paths().is_empty());
    }

    #[test]
    fn values_display_and_serialize() {
        let cases = [
            (Value::Number(0.3), "0.3", "0.3"),
            (Value::Number(2.0), "2", "2.0"),
            (Value::Number(-0.0), "0", "-0.0"),
            (Value::Number(1e-7), "1e-7", "1e-7"),
            (Value::Number(1e20), "1e20", "1e+20"),
            (Value::Number(123456.5), "123456.5", "123456.5"),
            (Value::Bool(true), "true", "true"),
            (Value::Text("a b".into()), "a b", "\"a b\""),
            (Value::Null, "null", "null"),
        ];
        for (value, display, json) in cases {
            assert_eq!(value.to_string(), display);
            assert_eq!(serde_json::to_string(&value).unwrap(), json);
        }
    }

    /// Bits of the language, so random inputs reach deep parser states.
    fn fragment() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "(",
            ")",
            " ",
            "and",
            "or",
            "not",
            "==",
            "!=",
            "<",
            "<=",
            ">",
            ">=",
            "=",
            "!",
            "a.b",
            "x",
            ".",
            "[",
            "]",
            "[\"q r\"]",
            "'s'",
            "\"",
            "'",
            "0.3",
            "-2",
            "1e-3",
            "1e",
            "true",
            "false",
            "null",
            "é",
            "\u{a0}",
            "&&",
            "-",
            "AND",
        ])
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(source in any::<String>()) {
            if let Ok(expr) = parse(&source) {
                let _ = expr.eval(&|_| Value::Null);
            }
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
            let source = String::from_utf8_lossy(&bytes);
            let _ = parse(&source);
        }

        #[test]
        fn token_soup_never_panics(
            parts in prop::collection::vec(fragment(), 0..40),
            value in prop_oneof![
                Just(Value::Null),
                Just(Value::Bool(true)),
                Just(Value::Bool(false)),
                Just(Value::Number(0.3)),
                Just(Value::Number(f64::NAN)),
                Just(Value::Text("t".into())),
            ],
        ) {
            let source = parts.concat();
            match parse(&source) {
                Ok(expr) => {
                    let _ = expr.eval(&|_| value.clone());
                    // What Display prints parses back to the same tree.
                    let again = parse(&expr.to_string());
                    prop_assert!(again.is_ok(), "{} -> {}", source, expr);
                }
                Err(e) => prop_assert!(e.offset <= source.len()),
            }
        }
    }
}
