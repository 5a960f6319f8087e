//! Splitting an expression's text into tokens, with their byte offsets.

use super::*;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum TokenKind {
    Number(f64),
    Text(String),
    Path(MetricPath),
    True,
    False,
    Null,
    And,
    Or,
    Not,
    LParen,
    RParen,
    Cmp(CmpOp),
    End,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Token {
    pub(super) kind: TokenKind,
    pub(super) offset: usize,
    pub(super) len: usize,
}

pub(super) const KEYWORDS: [&str; 6] = ["and", "or", "not", "true", "false", "null"];

pub(crate) fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

pub(crate) fn is_ident_continue(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// Whether `text` can be written as a bare path segment.
pub(super) fn is_identifier(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.first().is_some_and(|&b| is_ident_start(b)) && bytes.iter().all(|&b| is_ident_continue(b))
}

/// The end of the identifier starting at `pos` (which must start one).
pub(crate) fn scan_ident(bytes: &[u8], mut pos: usize) -> usize {
    while bytes.get(pos).is_some_and(|&b| is_ident_continue(b)) {
        pos += 1;
    }
    pos
}

/// What is at `pos`, for "found ..." in messages.
pub(crate) fn describe_at(source: &str, pos: usize) -> String {
    match source.get(pos..).and_then(|rest| rest.chars().next()) {
        None => "the end of the expression".to_string(),
        Some(c) if c.is_whitespace() => "a space".to_string(),
        Some(c) => format!("`{c}`"),
    }
}

/// Parses the quoted string whose opening quote is at `start`; returns its
/// contents and the offset just after the closing quote.
pub(crate) fn parse_string_at(source: &str, start: usize) -> Result<(String, usize), ExprError> {
    let bytes = source.as_bytes();
    let quote = match bytes.get(start) {
        Some(&q @ (b'"' | b'\'')) => q,
        _ => {
            return Err(ExprError::new(
                start,
                format!(
                    "expected a quoted string, found {}",
                    describe_at(source, start)
                ),
            ))
        }
    };
    // Quotes are ASCII, so these offsets are char boundaries.
    match bytes[start + 1..].iter().position(|&b| b == quote) {
        Some(len) => Ok((
            source[start + 1..start + 1 + len].to_string(),
            start + 2 + len,
        )),
        None => Err(ExprError::new(
            start,
            format!(
                "unterminated string: expected a closing `{}`",
                char::from(quote)
            ),
        )),
    }
}

/// Parses the metric path starting at `start` in `source` (no keyword
/// check: that belongs to the caller's language). Returns the path, with
/// offsets into `source`, and the offset just after it.
pub(crate) fn parse_path_at(source: &str, start: usize) -> Result<(MetricPath, usize), ExprError> {
    let bytes = source.as_bytes();
    if !bytes.get(start).is_some_and(|&b| is_ident_start(b)) {
        return Err(ExprError::new(
            start,
            format!("expected a name, found {}", describe_at(source, start)),
        ));
    }
    let mut pos = scan_ident(bytes, start);
    let mut segments = vec![source[start..pos].to_string()];
    loop {
        match bytes.get(pos) {
            Some(b'.') => {
                let name_start = pos + 1;
                if !bytes.get(name_start).is_some_and(|&b| is_ident_start(b)) {
                    let hint = if bytes.get(name_start).is_some_and(u8::is_ascii_digit) {
                        format!(
                            "; a name that is not an identifier goes in brackets, e.g. `{}[\"{}\"]`",
                            &source[start..pos],
                            &source[name_start..scan_ident(bytes, name_start)]
                        )
                    } else {
                        String::new()
                    };
                    return Err(ExprError::new(
                        name_start,
                        format!(
                            "expected a name after `.`, found {}{hint}",
                            describe_at(source, name_start)
                        ),
                    ));
                }
                pos = scan_ident(bytes, name_start);
                segments.push(source[name_start..pos].to_string());
            }
            Some(b'[') => {
                let quote_at = pos + 1;
                if !matches!(bytes.get(quote_at), Some(b'"' | b'\'')) {
                    return Err(ExprError::new(
                        quote_at,
                        format!(
                            "expected a quoted name after `[`, e.g. `column[\"annual income\"]`, found {}",
                            describe_at(source, quote_at)
                        ),
                    ));
                }
                let (name, end) = parse_string_at(source, quote_at)?;
                if name.is_empty() {
                    return Err(ExprError::new(
                        quote_at,
                        "a name in brackets cannot be empty",
                    ));
                }
                if bytes.get(end) != Some(&b']') {
                    return Err(ExprError::new(
                        end,
                        format!(
                            "expected `]` after the name, found {}",
                            describe_at(source, end)
                        ),
                    ));
                }
                segments.push(name);
                pos = end + 1;
            }
            _ => break,
        }
    }
    let path = MetricPath {
        segments,
        offset: start,
        len: pos - start,
    };
    Ok((path, pos))
}

pub(super) fn lex(source: &str) -> Result<Vec<Token>, ExprError> {
    let bytes = source.as_bytes();
    let mut tokens = Vec::new();
    let mut pos = 0;
    loop {
        // Skip whitespace, Unicode included (a pasted non-breaking space).
        while let Some(c) = source[pos..].chars().next().filter(|c| c.is_whitespace()) {
            pos += c.len_utf8();
        }
        let Some(&b) = bytes.get(pos) else {
            tokens.push(Token {
                kind: TokenKind::End,
                offset: pos,
                len: 0,
            });
            return Ok(tokens);
        };
        let start = pos;
        let next = bytes.get(pos + 1).copied();
        let (kind, end) = match b {
            b'(' => (TokenKind::LParen, pos + 1),
            b')' => (TokenKind::RParen, pos + 1),
            b'=' if next == Some(b'=') => (TokenKind::Cmp(CmpOp::Eq), pos + 2),
            b'!' if next == Some(b'=') => (TokenKind::Cmp(CmpOp::Ne), pos + 2),
            b'<' if next == Some(b'=') => (TokenKind::Cmp(CmpOp::Le), pos + 2),
            b'>' if next == Some(b'=') => (TokenKind::Cmp(CmpOp::Ge), pos + 2),
            b'<' => (TokenKind::Cmp(CmpOp::Lt), pos + 1),
            b'>' => (TokenKind::Cmp(CmpOp::Gt), pos + 1),
            b'=' | b'!' | b'&' | b'|' => return Err(unknown_operator(b, next, start)),
            b'"' | b'\'' => {
                let (text, end) = parse_string_at(source, pos)?;
                (TokenKind::Text(text), end)
            }
            b'0'..=b'9' | b'-' => lex_number(source, pos)?,
            b if is_ident_start(b) => lex_word(source, pos)?,
            _ => {
                return Err(ExprError::new(
                    start,
                    format!("unexpected character {}", describe_at(source, start)),
                ))
            }
        };
        tokens.push(Token {
            kind,
            offset: start,
            len: end - start,
        });
        pos = end;
    }
}

pub(super) fn unknown_operator(b: u8, next: Option<u8>, offset: usize) -> ExprError {
    let message = match (b, next) {
        (b'=', _) => "unknown operator `=`; use `==`",
        (b'!', _) => "unknown operator `!`; use `not` or `!=`",
        (b'&', Some(b'&')) => "unknown operator `&&`; use `and`",
        (b'|', Some(b'|')) => "unknown operator `||`; use `or`",
        (b'&', _) => "unknown operator `&`; use `and`",
        _ => "unknown operator `|`; use `or`",
    };
    ExprError::new(offset, message)
}

pub(super) fn lex_number(source: &str, start: usize) -> Result<(TokenKind, usize), ExprError> {
    let bytes = source.as_bytes();
    let digits = |mut p: usize| {
        while bytes.get(p).is_some_and(u8::is_ascii_digit) {
            p += 1;
        }
        p
    };
    let mut pos = start;
    if bytes[pos] == b'-' {
        pos += 1;
        if !bytes.get(pos).is_some_and(u8::is_ascii_digit) {
            return Err(ExprError::new(
                start,
                "unexpected `-`: a negative number is written `-2` (there is no arithmetic)",
            ));
        }
    }
    pos = digits(pos);
    if bytes.get(pos) == Some(&b'.') && bytes.get(pos + 1).is_some_and(u8::is_ascii_digit) {
        pos = digits(pos + 1);
    }
    if matches!(bytes.get(pos), Some(b'e' | b'E')) {
        let mut exp = pos + 1;
        if matches!(bytes.get(exp), Some(b'+' | b'-')) {
            exp += 1;
        }
        if bytes.get(exp).is_some_and(u8::is_ascii_digit) {
            pos = digits(exp);
        }
    }
    // `5abc`, `1.`, `0.3.4`, `1e`: one bad word, reported whole.
    if bytes
        .get(pos)
        .is_some_and(|&b| is_ident_continue(b) || b == b'.')
    {
        let mut end = pos;
        while bytes
            .get(end)
            .is_some_and(|&b| is_ident_continue(b) || b == b'.')
        {
            end += 1;
        }
        return Err(ExprError::new(
            start,
            format!("`{}` is not a number", &source[start..end]),
        ));
    }
    let text = &source[start..pos];
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok((TokenKind::Number(x), pos)),
        _ => Err(ExprError::new(
            start,
            format!("`{text}` is out of range for a number"),
        )),
    }
}

pub(super) fn lex_word(source: &str, start: usize) -> Result<(TokenKind, usize), ExprError> {
    let end = scan_ident(source.as_bytes(), start);
    let word = &source[start..end];
    let keyword = match word {
        "and" => Some(TokenKind::And),
        "or" => Some(TokenKind::Or),
        "not" => Some(TokenKind::Not),
        "true" => Some(TokenKind::True),
        "false" => Some(TokenKind::False),
        "null" => Some(TokenKind::Null),
        _ => None,
    };
    if let Some(kind) = keyword {
        return Ok((kind, end));
    }
    let (path, end) = parse_path_at(source, start)?;
    if let [only] = path.segments.as_slice() {
        let lower = only.to_ascii_lowercase();
        if KEYWORDS.contains(&lower.as_str()) {
            return Err(ExprError::new(
                start,
                format!("`{only}` is not a keyword: keywords are lowercase, write `{lower}`"),
            ));
        }
    }
    Ok((TokenKind::Path(path), end))
}
