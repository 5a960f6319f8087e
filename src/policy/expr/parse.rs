//! Parsing tokens into an expression tree: precedence `or` < `and` <
//! `not` < comparison, with depth and length limits.

use super::lex::{lex, Token, TokenKind};
use super::*;

/// Parses a `when:` expression.
pub fn parse(source: &str) -> Result<Expr, ExprError> {
    if source.len() > MAX_LENGTH {
        return Err(ExprError::new(
            MAX_LENGTH,
            format!(
                "the expression is {} bytes long, more than the limit of {MAX_LENGTH}; split the rule",
                source.len()
            ),
        ));
    }
    let tokens = lex(source)?;
    if tokens.len() == 1 {
        return Err(ExprError::new(
            0,
            "the expression is empty: expected a condition such as `dataset.drift_share >= 0.3`",
        ));
    }
    let mut parser = Parser {
        source,
        tokens,
        pos: 0,
        depth: 0,
    };
    let root = parser.parse_or()?;
    let next = parser.peek();
    match next.kind {
        TokenKind::End => Ok(Expr { root }),
        TokenKind::RParen => Err(ExprError::new(
            next.offset,
            "unexpected `)`: there is no `(` for it to close",
        )),
        _ => Err(ExprError::new(
            next.offset,
            format!(
                "expected `and`, `or` or the end of the expression, found {}",
                parser.found(next)
            ),
        )),
    }
}

pub(super) struct Parser<'a> {
    source: &'a str,
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Token {
        // `lex` always ends the list with `End`, and `advance` never moves
        // past it; the fallback only keeps this total.
        self.tokens
            .get(self.pos)
            .or(self.tokens.last())
            .cloned()
            .unwrap_or(Token {
                kind: TokenKind::End,
                offset: self.source.len(),
                len: 0,
            })
    }

    fn advance(&mut self) {
        if self.pos + 1 < self.tokens.len() {
            self.pos += 1;
        }
    }

    fn found(&self, token: Token) -> String {
        match token.kind {
            TokenKind::End => "the end of the expression".to_string(),
            _ => format!(
                "`{}`",
                self.source
                    .get(token.offset..token.offset + token.len)
                    .unwrap_or_default()
            ),
        }
    }

    fn enter(&mut self, offset: usize) -> Result<(), ExprError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ExprError::new(
                offset,
                format!(
                    "the expression nests more than {MAX_DEPTH} levels of parentheses and `not`; simplify it"
                ),
            ));
        }
        Ok(())
    }

    fn parse_or(&mut self) -> Result<Node, ExprError> {
        self.parse_chain(Logic::Or)
    }

    /// `operand (keyword operand)*` for `or` (operands: `and` chains) and
    /// `and` (operands: `not` terms).
    fn parse_chain(&mut self, op: Logic) -> Result<Node, ExprError> {
        let operand = |p: &mut Self| match op {
            Logic::Or => p.parse_chain(Logic::And),
            Logic::And => p.parse_not(),
        };
        let first = operand(self)?;
        let keyword = match op {
            Logic::Or => TokenKind::Or,
            Logic::And => TokenKind::And,
        };
        let mut operands = vec![first];
        let mut op_offsets = Vec::new();
        while self.peek().kind == keyword {
            op_offsets.push(self.peek().offset);
            self.advance();
            operands.push(operand(self)?);
        }
        if operands.len() == 1 {
            return Ok(operands.remove(0));
        }
        Ok(Node::Logical {
            op,
            operands,
            op_offsets,
        })
    }

    fn parse_not(&mut self) -> Result<Node, ExprError> {
        let token = self.peek();
        if token.kind != TokenKind::Not {
            return self.parse_comparison();
        }
        self.advance();
        self.enter(token.offset)?;
        let operand = self.parse_not()?;
        self.depth -= 1;
        Ok(Node::Not {
            operand: Box::new(operand),
            offset: token.offset,
        })
    }

    fn parse_comparison(&mut self) -> Result<Node, ExprError> {
        let lhs = self.parse_operand()?;
        let TokenKind::Cmp(op) = self.peek().kind else {
            return Ok(lhs);
        };
        let offset = self.peek().offset;
        self.advance();
        let rhs = self.parse_operand()?;
        let next = self.peek();
        if let TokenKind::Cmp(second) = next.kind {
            return Err(ExprError::new(
                next.offset,
                format!(
                    "comparisons cannot be chained: write `a {} b and b {} c`",
                    op.symbol(),
                    second.symbol()
                ),
            ));
        }
        Ok(Node::Compare {
            op,
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
            offset,
        })
    }

    fn parse_operand(&mut self) -> Result<Node, ExprError> {
        let token = self.peek();
        let literal = |value: Value| Node::Literal {
            value,
            text: self
                .source
                .get(token.offset..token.offset + token.len)
                .unwrap_or_default()
                .to_string(),
            offset: token.offset,
        };
        let node = match &token.kind {
            TokenKind::Number(x) => literal(Value::Number(*x)),
            TokenKind::Text(s) => literal(Value::Text(s.clone())),
            TokenKind::True => literal(Value::Bool(true)),
            TokenKind::False => literal(Value::Bool(false)),
            TokenKind::Null => literal(Value::Null),
            TokenKind::Path(p) => Node::Path(p.clone()),
            TokenKind::LParen => {
                self.advance();
                self.enter(token.offset)?;
                let inner = self.parse_or()?;
                self.depth -= 1;
                let close = self.peek();
                return match close.kind {
                    TokenKind::RParen => {
                        self.advance();
                        Ok(inner)
                    }
                    TokenKind::End => Err(ExprError::new(
                        token.offset,
                        "unclosed `(`: expected `)`, found the end of the expression",
                    )),
                    _ => Err(ExprError::new(
                        close.offset,
                        format!("expected `and`, `or` or `)`, found {}", self.found(close)),
                    )),
                };
            }
            _ => return Err(self.expected_value(token)),
        };
        self.advance();
        Ok(node)
    }

    fn expected_value(&self, found: Token) -> ExprError {
        let after = match self.pos.checked_sub(1).and_then(|i| self.tokens.get(i)) {
            Some(prev) => format!(" after {}", self.found(prev.clone())),
            None => String::new(),
        };
        let hint = match (
            &found.kind,
            self.pos.checked_sub(1).and_then(|i| self.tokens.get(i)),
        ) {
            (TokenKind::Not, Some(prev)) if matches!(prev.kind, TokenKind::Cmp(_)) => {
                "; put `not ...` in parentheses"
            }
            _ => "",
        };
        ExprError::new(
            found.offset,
            format!("expected a value{after}, found {}{hint}", self.found(found)),
        )
    }
}
