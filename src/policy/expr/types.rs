//! Static types of `when:` expressions: the errors evaluation would raise on
//! every run where the metrics have values, found when the policy loads.
//! Pure.
//!
//! A metric path has the type the caller gives it (the metric catalogue,
//! `metric_paths::value_type`), and may be null on a run that lacks the metric.
//! Null stays allowed wherever evaluation allows it: compared with anything,
//! and false where true/false is needed. For values of known types the
//! check rejects what evaluation rejects:
//!
//! - comparing values of different types (a number with a string,
//!   true/false with a number), and ordering true/false values;
//! - a number or a string where true/false is needed: the operands of
//!   `and`, `or` and `not`, and the whole condition.
//!
//! The messages and positions are evaluation's own. A path the caller has
//! no type for (one the catalogue rejects, reported on its own) raises
//! nothing here. Unlike evaluation, the check does not short-circuit:
//! `false and x.n > "a"` is an error though no run would look at `x.n`.
//! The language has no arithmetic and no functions, so there is nothing
//! else to check.

use super::{
    compare_error, condition_needs_bool, logic_needs_bool, not_needs_bool, operator_next_to, Expr,
    ExprError, MetricPath, Node,
};

/// The type of a value: what a literal or a metric path yields (a metric
/// may also be null).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Type {
    Number,
    Bool,
    Text,
}

impl Type {
    /// How messages name the type: "found a number".
    pub(super) fn kind(self) -> &'static str {
        match self {
            Type::Number => "a number",
            Type::Bool => "true/false",
            Type::Text => "a string",
        }
    }
}

/// What a node is known to yield.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Static {
    Known(Type),
    /// The literal `null`.
    Null,
    /// A path without a type.
    Unknown,
}

impl Expr {
    /// Every static type error, in source order of the operators; `type_of`
    /// gives a metric path's type, `None` when it has none.
    pub fn type_errors(&self, type_of: &dyn Fn(&MetricPath) -> Option<Type>) -> Vec<ExprError> {
        let mut checker = Checker {
            type_of,
            errors: Vec::new(),
        };
        checker.boolean(&self.root, self.root.offset(), &condition_needs_bool);
        checker.errors.sort_by_key(|e| e.offset);
        checker.errors
    }
}

struct Checker<'a> {
    type_of: &'a dyn Fn(&MetricPath) -> Option<Type>,
    errors: Vec<ExprError>,
}

impl Checker<'_> {
    /// The node's type, recording the errors inside it. Recursion is as
    /// deep as the parser allows nesting (`MAX_DEPTH`).
    fn infer(&mut self, node: &Node) -> Static {
        match node {
            Node::Literal { value, .. } => value.type_of().map_or(Static::Null, Static::Known),
            Node::Path(p) => (self.type_of)(p).map_or(Static::Unknown, Static::Known),
            Node::Not { operand, offset } => {
                self.boolean(operand, *offset, &not_needs_bool);
                Static::Known(Type::Bool)
            }
            Node::Logical {
                op,
                operands,
                op_offsets,
            } => {
                for (i, operand) in operands.iter().enumerate() {
                    let at = operator_next_to(op_offsets, i, operand);
                    self.boolean(operand, at, &|found| logic_needs_bool(*op, found));
                }
                Static::Known(Type::Bool)
            }
            Node::Compare {
                op,
                lhs,
                rhs,
                offset,
            } => {
                let (left, right) = (self.infer(lhs), self.infer(rhs));
                if let (Static::Known(a), Static::Known(b)) = (left, right) {
                    if let Some(message) = compare_error(*op, (lhs, a), (rhs, b)) {
                        self.errors.push(ExprError::new(*offset, message));
                    }
                }
                Static::Known(Type::Bool)
            }
        }
    }

    /// Checks that `node` yields true/false (or null); the error, worded by
    /// `message` and pointing at `at`, names what it yields instead.
    fn boolean(&mut self, node: &Node, at: usize, message: &dyn Fn(&str) -> String) {
        if let Static::Known(t @ (Type::Number | Type::Text)) = self.infer(node) {
            let found = format!("{} (`{node}`)", t.kind());
            self.errors.push(ExprError::new(at, message(&found)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{parse, Value};
    use super::*;
    use proptest::prelude::*;

    /// Paths by their last segment: `n` a number, `b` true/false, `t` a
    /// string; any other path has no type.
    fn type_of(p: &MetricPath) -> Option<Type> {
        match p.segments.last().map(String::as_str) {
            Some("n") => Some(Type::Number),
            Some("b") => Some(Type::Bool),
            Some("t") => Some(Type::Text),
            _ => None,
        }
    }

    fn errors(source: &str) -> Vec<(String, usize)> {
        parse(source)
            .unwrap_or_else(|e| panic!("{source:?} should parse: {e}"))
            .type_errors(&type_of)
            .into_iter()
            .map(|e| (e.message, e.offset))
            .collect()
    }

    #[test]
    fn well_typed_conditions_pass() {
        for source in [
            "x.n >= 0.3",
            "x.n == y.n",
            "x.t == 'covariate_drift'",
            "x.t < y.t",
            "x.b",
            "x.b == true",
            "x.b != y.b",
            "not x.b",
            "x.b and x.n > 1 or not (x.t != 'a')",
            "(x.n > 1) == x.b",
            "true",
            // Null goes anywhere, as a missing metric does.
            "null",
            "not null",
            "null and x.b",
            "x.n == null",
            "null != x.t",
            "x.b < null",
            "null >= 'a'",
            // Paths without a type are reported elsewhere, not here.
            "x.unknown > 'a'",
            "x.unknown and x.b",
            "not x.unknown",
            "x.unknown",
        ] {
            assert_eq!(errors(source), [], "{source}");
        }
    }

    #[test]
    fn type_errors_are_found_without_running() {
        let cases: &[(&str, &[(&str, usize)])] = &[
            (
                "x.n >= 'high'",
                &[(
                    "`>=` cannot compare a number (`x.n`) with a string (`'high'`)",
                    4,
                )],
            ),
            (
                "dataset.n >= \"high\"",
                &[(
                    r#"`>=` cannot compare a number (`dataset.n`) with a string (`"high"`)"#,
                    10,
                )],
            ),
            (
                "'0.3' < x.n",
                &[(
                    "`<` cannot compare a string (`'0.3'`) with a number (`x.n`)",
                    6,
                )],
            ),
            (
                "x.t == 1",
                &[(
                    "`==` cannot compare a string (`x.t`) with a number (`1`)",
                    4,
                )],
            ),
            (
                "x.b == 1",
                &[(
                    "`==` cannot compare true/false (`x.b`) with a number (`1`)",
                    4,
                )],
            ),
            (
                "x.n != true",
                &[(
                    "`!=` cannot compare a number (`x.n`) with true/false (`true`)",
                    4,
                )],
            ),
            (
                "x.b < true",
                &[(
                    "`<` cannot order true/false values (`x.b` and `true`); use `==` or `!=`",
                    4,
                )],
            ),
            (
                "(x.n > 1) >= y.b",
                &[(
                    "`>=` cannot order true/false values (`x.n > 1` and `y.b`); use `==` or `!=`",
                    10,
                )],
            ),
            (
                "(x.n > 1 or x.b) > 0",
                &[(
                    "`>` cannot compare true/false (`x.n > 1 or x.b`) with a number (`0`)",
                    17,
                )],
            ),
            (
                "x.n and x.b",
                &[(
                    "`and` needs true/false on both sides, found a number (`x.n`)",
                    4,
                )],
            ),
            (
                "x.b or 'yes'",
                &[(
                    "`or` needs true/false on both sides, found a string (`'yes'`)",
                    4,
                )],
            ),
            (
                "not x.n",
                &[("`not` needs true/false, found a number (`x.n`)", 0)],
            ),
            (
                "x.t",
                &[(
                    "the condition must be true/false, found a string (`x.t`)",
                    0,
                )],
            ),
            (
                "2",
                &[("the condition must be true/false, found a number (`2`)", 0)],
            ),
            // Short-circuiting does not hide an error.
            (
                "false and x.n > 'a'",
                &[(
                    "`>` cannot compare a number (`x.n`) with a string (`'a'`)",
                    14,
                )],
            ),
            // Every error, in source order; the bad comparison still
            // yields true/false, so `and` has nothing to add.
            (
                "x.n > 'a' and x.t and not 5 or x.b < y.b",
                &[
                    (
                        "`>` cannot compare a number (`x.n`) with a string (`'a'`)",
                        4,
                    ),
                    (
                        "`and` needs true/false on both sides, found a string (`x.t`)",
                        10,
                    ),
                    ("`not` needs true/false, found a number (`5`)", 22),
                    (
                        "`<` cannot order true/false values (`x.b` and `y.b`); use `==` or `!=`",
                        35,
                    ),
                ],
            ),
        ];
        for (source, expected) in cases {
            let expected: Vec<(String, usize)> =
                expected.iter().map(|(m, o)| (m.to_string(), *o)).collect();
            assert_eq!(errors(source), expected, "{source}");
        }
    }

    /// Bits of the language over typed paths, for random conditions.
    fn fragment() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "(", ")", " ", " and ", " or ", "not ", " == ", " != ", " < ", " >= ", "x.n", "y.n",
            "x.b", "y.b", "x.t", "x.u", "'s'", "0.3", "true", "false", "null",
        ])
    }

    /// A value of each path's type, or null.
    fn assignment() -> impl Strategy<Value = [Value; 3]> {
        let number = prop_oneof![
            Just(Value::Null),
            Just(Value::Number(0.3)),
            Just(Value::Number(f64::NAN))
        ];
        let boolean = prop_oneof![
            Just(Value::Null),
            Just(Value::Bool(true)),
            Just(Value::Bool(false))
        ];
        let text = prop_oneof![Just(Value::Null), Just(Value::Text("s".into()))];
        [number.boxed(), boolean.boxed(), text.boxed()]
    }

    proptest! {
        /// Sound: a condition without type errors evaluates without an
        /// error on any run whose values have their paths' types.
        #[test]
        fn no_type_error_means_no_evaluation_error(
            parts in prop::collection::vec(fragment(), 1..24),
            values in assignment(),
        ) {
            let source = parts.concat();
            if let Ok(expr) = parse(&source) {
                if expr.type_errors(&type_of).is_empty() {
                    let lookup = |p: &MetricPath| match type_of(p) {
                        Some(Type::Number) => values[0].clone(),
                        Some(Type::Bool) => values[1].clone(),
                        Some(Type::Text) => values[2].clone(),
                        None => Value::Null,
                    };
                    prop_assert!(expr.eval(&lookup).is_ok(), "{}", source);
                }
            }
        }
    }
}
