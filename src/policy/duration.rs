//! Durations as policy files write them (`90s`, `6h`, `1h30m`, `2w`):
//! parsing and the inverse formatting. Pure: text in, `Duration` out.
//!
//! Syntax: one or more `<whole number><unit>` parts, units `s`, `m`, `h`,
//! `d` (24h), `w` (7d), written from the largest unit to the smallest with
//! each unit at most once (`1d12h`, not `12h1d`). A bare `0` is allowed.
//! Fractions (`1.5h`), signs, spaces and other units are rejected: a policy
//! that says what it means exactly is easier to review than one that relies
//! on rounding rules.

use std::time::Duration;

/// Units from the largest to the smallest: name and length in seconds.
const UNITS: [(&str, u64); 5] = [
    ("w", 7 * 24 * 3600),
    ("d", 24 * 3600),
    ("h", 3600),
    ("m", 60),
    ("s", 1),
];

const EXPECTED: &str = "expected a number and a unit (s, m, h, d, w), e.g. `6h` or `1h30m`";

/// Why a text is not a duration. Every message names the text, so it can be
/// shown as is after the policy file's location.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    #[error("a duration cannot be empty: {EXPECTED}")]
    Empty,
    #[error("`{text}` is not a duration: {EXPECTED}")]
    Malformed { text: String },
    #[error("`{text}` is not a duration: `{number}` needs a unit (s, m, h, d, w), e.g. `{number}s` or `{number}m`")]
    MissingUnit { text: String, number: String },
    #[error("`{text}` is not a duration: unknown unit `{unit}`, expected s, m, h, d or w (lowercase), e.g. `6h` or `1h30m`")]
    UnknownUnit { text: String, unit: String },
    #[error("`{text}` is not a duration: durations cannot be negative")]
    Negative { text: String },
    #[error("`{text}` is not a duration: fractions are not allowed, {}", fraction_hint(.suggestion))]
    Fraction {
        text: String,
        /// The same length in whole units, when it is a whole number of
        /// seconds (`1.5h` -> `1h30m`).
        suggestion: Option<String>,
    },
    #[error("`{text}` is not a duration: write units from the largest to the smallest, each once, e.g. `1h30m`")]
    Order { text: String },
    #[error("`{text}` is too long a duration")]
    Overflow { text: String },
}

fn fraction_hint(suggestion: &Option<String>) -> String {
    match suggestion {
        Some(s) => format!("use `{s}`"),
        None => "use whole numbers of a smaller unit, e.g. `1h30m` (durations are whole seconds)"
            .to_string(),
    }
}

/// Parses `90s`, `10m`, `6h`, `1d`, `2w`, compounds such as `1h30m` and
/// `1d12h`, and `0`. Surrounding whitespace is ignored.
pub fn parse(text: &str) -> Result<Duration, DurationError> {
    let trimmed = text.trim();
    let owned = || trimmed.to_string();
    if trimmed.is_empty() {
        return Err(DurationError::Empty);
    }
    if trimmed.starts_with('-') {
        return Err(DurationError::Negative { text: owned() });
    }
    let bytes = trimmed.as_bytes();
    if bytes.iter().all(u8::is_ascii_digit) {
        // A unit-less number is only unambiguous when it is zero.
        return if bytes.iter().all(|&b| b == b'0') {
            Ok(Duration::ZERO)
        } else {
            Err(DurationError::MissingUnit {
                text: owned(),
                number: owned(),
            })
        };
    }

    let mut total: u64 = 0;
    let mut overflow = false;
    // Exact length in nanoseconds, kept only to suggest a whole-unit
    // spelling when the text uses fractions; `None` once it stops being exact.
    let mut exact_nanos: Option<u128> = Some(0);
    let mut has_fraction = false;
    let mut previous_rank: Option<usize> = None;
    let mut pos = 0;
    while pos < bytes.len() {
        let int_start = pos;
        pos = skip_digits(bytes, pos);
        if pos == int_start {
            return Err(DurationError::Malformed { text: owned() });
        }
        let int_part = &trimmed[int_start..pos];
        let mut frac_part = "";
        if bytes.get(pos) == Some(&b'.') {
            let frac_start = pos + 1;
            pos = skip_digits(bytes, frac_start);
            if pos == frac_start {
                return Err(DurationError::Malformed { text: owned() });
            }
            has_fraction = true;
            frac_part = &trimmed[frac_start..pos];
        }
        let unit_start = pos;
        // Units are letters; take the whole run so `6min` reports `min`.
        let unit_len: usize = trimmed[pos..]
            .chars()
            .take_while(|c| c.is_alphabetic())
            .map(char::len_utf8)
            .sum();
        pos += unit_len;
        let unit = &trimmed[unit_start..pos];
        if unit.is_empty() {
            return Err(if pos == bytes.len() {
                DurationError::MissingUnit {
                    text: owned(),
                    number: trimmed[int_start..pos].to_string(),
                }
            } else {
                DurationError::Malformed { text: owned() }
            });
        }
        let Some(rank) = UNITS.iter().position(|(name, _)| *name == unit) else {
            return Err(DurationError::UnknownUnit {
                text: owned(),
                unit: unit.to_string(),
            });
        };
        if previous_rank.is_some_and(|p| p >= rank) {
            return Err(DurationError::Order { text: owned() });
        }
        previous_rank = Some(rank);
        let unit_secs = UNITS[rank].1;

        match int_part
            .parse::<u64>()
            .ok()
            .and_then(|n| n.checked_mul(unit_secs))
            .and_then(|s| total.checked_add(s))
        {
            Some(t) => total = t,
            None => overflow = true,
        }
        exact_nanos = exact_nanos.and_then(|acc| {
            let part = part_nanos(int_part, frac_part, unit_secs)?;
            acc.checked_add(part)
        });
    }

    if has_fraction {
        let suggestion = exact_nanos
            .filter(|n| n % 1_000_000_000 == 0)
            .and_then(|n| u64::try_from(n / 1_000_000_000).ok())
            .filter(|&secs| secs > 0)
            .map(|secs| format(Duration::from_secs(secs)));
        return Err(DurationError::Fraction {
            text: owned(),
            suggestion,
        });
    }
    if overflow {
        return Err(DurationError::Overflow { text: owned() });
    }
    Ok(Duration::from_secs(total))
}

fn skip_digits(bytes: &[u8], mut pos: usize) -> usize {
    while bytes.get(pos).is_some_and(u8::is_ascii_digit) {
        pos += 1;
    }
    pos
}

/// `int.frac` units in nanoseconds, exactly; `None` when it is not a whole
/// number of nanoseconds or does not fit.
fn part_nanos(int_part: &str, frac_part: &str, unit_secs: u64) -> Option<u128> {
    const NANOS: u128 = 1_000_000_000;
    let unit_nanos = u128::from(unit_secs) * NANOS;
    let whole = int_part.parse::<u128>().ok()?.checked_mul(unit_nanos)?;
    let frac_digits = frac_part.trim_end_matches('0');
    if frac_digits.is_empty() {
        return Some(whole);
    }
    // A week has 6.048e14 ns, so more than 15 significant fraction digits
    // can never be a whole number of nanoseconds.
    if frac_digits.len() > 15 {
        return None;
    }
    let scale = 10u128.pow(frac_digits.len() as u32);
    let numerator = frac_digits.parse::<u128>().ok()?.checked_mul(unit_nanos)?;
    if numerator % scale != 0 {
        return None;
    }
    whole.checked_add(numerator / scale)
}

/// The inverse of [`parse`]: largest units first (`1d6h`, `1m30s`), `0s`
/// for zero. Sub-second parts are rounded to the nearest second.
pub fn format(d: Duration) -> String {
    let mut secs = d.as_secs();
    if d.subsec_nanos() >= 500_000_000 {
        secs = secs.saturating_add(1);
    }
    if secs == 0 {
        return "0s".to_string();
    }
    let mut out = String::new();
    for (name, size) in UNITS {
        let n = secs / size;
        if n > 0 {
            out.push_str(&n.to_string());
            out.push_str(name);
        }
        secs %= size;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_valid_durations() {
        let cases: &[(&str, u64)] = &[
            ("0", 0),
            ("000", 0),
            ("0s", 0),
            ("0h", 0),
            ("90s", 90),
            ("10m", 600),
            ("6h", 6 * 3600),
            ("1d", 86_400),
            ("2w", 14 * 86_400),
            ("1h30m", 5400),
            ("1d12h", 86_400 + 12 * 3600),
            ("1w1d1h1m1s", 604_800 + 86_400 + 3600 + 60 + 1),
            ("90m", 5400),
            (" 6h ", 6 * 3600),
            ("007s", 7),
        ];
        for &(text, secs) in cases {
            assert_eq!(parse(text), Ok(Duration::from_secs(secs)), "{text:?}");
        }
    }

    #[test]
    fn rejects_invalid_durations_with_messages() {
        let cases: &[(&str, &str)] = &[
            ("", "a duration cannot be empty: expected a number and a unit (s, m, h, d, w), e.g. `6h` or `1h30m`"),
            ("   ", "a duration cannot be empty: expected a number and a unit (s, m, h, d, w), e.g. `6h` or `1h30m`"),
            ("6x", "`6x` is not a duration: unknown unit `x`, expected s, m, h, d or w (lowercase), e.g. `6h` or `1h30m`"),
            ("6H", "`6H` is not a duration: unknown unit `H`, expected s, m, h, d or w (lowercase), e.g. `6h` or `1h30m`"),
            ("5min", "`5min` is not a duration: unknown unit `min`, expected s, m, h, d or w (lowercase), e.g. `6h` or `1h30m`"),
            ("100ms", "`100ms` is not a duration: unknown unit `ms`, expected s, m, h, d or w (lowercase), e.g. `6h` or `1h30m`"),
            ("h", "`h` is not a duration: expected a number and a unit (s, m, h, d, w), e.g. `6h` or `1h30m`"),
            ("1h 30m", "`1h 30m` is not a duration: expected a number and a unit (s, m, h, d, w), e.g. `6h` or `1h30m`"),
            ("+1h", "`+1h` is not a duration: expected a number and a unit (s, m, h, d, w), e.g. `6h` or `1h30m`"),
            ("1.h", "`1.h` is not a duration: expected a number and a unit (s, m, h, d, w), e.g. `6h` or `1h30m`"),
            ("30", "`30` is not a duration: `30` needs a unit (s, m, h, d, w), e.g. `30s` or `30m`"),
            ("1h30", "`1h30` is not a duration: `30` needs a unit (s, m, h, d, w), e.g. `30s` or `30m`"),
            ("-1h", "`-1h` is not a duration: durations cannot be negative"),
            ("1.5h", "`1.5h` is not a duration: fractions are not allowed, use `1h30m`"),
            ("0.5d", "`0.5d` is not a duration: fractions are not allowed, use `12h`"),
            ("1h0.5m", "`1h0.5m` is not a duration: fractions are not allowed, use `1h30s`"),
            ("0.5s", "`0.5s` is not a duration: fractions are not allowed, use whole numbers of a smaller unit, e.g. `1h30m` (durations are whole seconds)"),
            ("30m1h", "`30m1h` is not a duration: write units from the largest to the smallest, each once, e.g. `1h30m`"),
            ("1h1h", "`1h1h` is not a duration: write units from the largest to the smallest, each once, e.g. `1h30m`"),
            ("99999999999999999999s", "`99999999999999999999s` is too long a duration"),
            ("30000000000000000w", "`30000000000000000w` is too long a duration"),
        ];
        for &(text, message) in cases {
            let err = parse(text).expect_err(text);
            assert_eq!(err.to_string(), message, "{text:?}");
        }
    }

    #[test]
    fn formats_largest_units_first() {
        let cases: &[(Duration, &str)] = &[
            (Duration::ZERO, "0s"),
            (Duration::from_millis(499), "0s"),
            (Duration::from_millis(500), "1s"),
            (Duration::from_millis(90_400), "1m30s"),
            (Duration::from_secs(90), "1m30s"),
            (Duration::from_secs(3600), "1h"),
            (Duration::from_secs(86_400 + 6 * 3600), "1d6h"),
            (Duration::from_secs(14 * 86_400), "2w"),
            (Duration::from_secs(8 * 86_400 + 1), "1w1d1s"),
            // u64::MAX s = 30500568904943w 0d 7h 0m 15s (python divmod); rounding saturates.
            (Duration::new(u64::MAX, 999_999_999), "30500568904943w7h15s"),
        ];
        for &(d, text) in cases {
            assert_eq!(format(d), text, "{d:?}");
        }
    }

    proptest! {
        #[test]
        fn format_then_parse_round_trips(secs in 0u64..=u64::MAX) {
            let d = Duration::from_secs(secs);
            prop_assert_eq!(parse(&format(d)), Ok(d));
        }

        #[test]
        fn arbitrary_text_never_panics(text in any::<String>()) {
            let _ = parse(&text);
        }

        #[test]
        fn duration_like_text_never_panics(text in "[0-9.hmsdwx +-]{0,24}") {
            if let Ok(d) = parse(&text) {
                prop_assert_eq!(parse(&format(d)), Ok(d));
            }
        }
    }
}
