//! Evaluating a parsed expression against a run's metric values.

use super::*;

pub(super) type Lookup<'a> = &'a dyn Fn(&MetricPath) -> Value;

pub(super) fn eval_value(node: &Node, lookup: Lookup<'_>) -> Result<Value, ExprError> {
    match node {
        Node::Literal { value, .. } => Ok(value.clone()),
        Node::Path(p) => Ok(lookup(p)),
        _ => eval_bool(node, lookup, &|_| String::new()).map(Value::Bool),
    }
}

/// Evaluates `node` where true/false is needed. `message` words the error
/// for any other value, given "a number (`x.y`)"; only a literal or a path
/// can produce one, and the error points at the node itself.
pub(super) fn eval_bool(
    node: &Node,
    lookup: Lookup<'_>,
    message: &dyn Fn(&str) -> String,
) -> Result<bool, ExprError> {
    eval_bool_at(node, lookup, node.offset(), message)
}

/// Like [`eval_bool`], with the offset the error points at.
pub(super) fn eval_bool_at(
    node: &Node,
    lookup: Lookup<'_>,
    error_offset: usize,
    message: &dyn Fn(&str) -> String,
) -> Result<bool, ExprError> {
    match node {
        Node::Literal { .. } | Node::Path(_) => match eval_value(node, lookup)? {
            Value::Bool(b) => Ok(b),
            Value::Null => Ok(false),
            other => Err(ExprError::new(
                error_offset,
                message(&format!("{} (`{node}`)", other.kind())),
            )),
        },
        Node::Not { operand, offset } => {
            let b = eval_bool_at(operand, lookup, *offset, &not_needs_bool)?;
            Ok(!b)
        }
        Node::Logical {
            op,
            operands,
            op_offsets,
        } => {
            let needs = |found: &str| logic_needs_bool(*op, found);
            for (i, operand) in operands.iter().enumerate() {
                let at = operator_next_to(op_offsets, i, operand);
                let b = eval_bool_at(operand, lookup, at, &needs)?;
                match (op, b) {
                    (Logic::And, false) => return Ok(false),
                    (Logic::Or, true) => return Ok(true),
                    _ => {}
                }
            }
            Ok(*op == Logic::And)
        }
        Node::Compare {
            op,
            lhs,
            rhs,
            offset,
        } => {
            let left = eval_value(lhs, lookup)?;
            let right = eval_value(rhs, lookup)?;
            compare(*op, *offset, (lhs, &left), (rhs, &right))
        }
    }
}

pub(super) fn compare(
    op: CmpOp,
    offset: usize,
    (lhs, left): (&Node, &Value),
    (rhs, right): (&Node, &Value),
) -> Result<bool, ExprError> {
    let (Some(a), Some(b)) = (left.type_of(), right.type_of()) else {
        // Null is only equal to null.
        return Ok(match (left, right) {
            (Value::Null, Value::Null) => op == CmpOp::Eq,
            _ => op == CmpOp::Ne,
        });
    };
    if let Some(message) = compare_error(op, (lhs, a), (rhs, b)) {
        return Err(ExprError::new(offset, message));
    }
    Ok(match (left, right) {
        (Value::Number(a), Value::Number(b)) => op.apply(a, b),
        (Value::Text(a), Value::Text(b)) => op.apply(a.as_str(), b.as_str()),
        (Value::Bool(a), Value::Bool(b)) => op.apply(a, b),
        // `compare_error` has rejected every other pair.
        _ => false,
    })
}
