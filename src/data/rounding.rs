//! Whether a number written in decimal (a Parquet decimal, a CSV integer
//! beyond the 64-bit range) survives its conversion to a 64-bit float: it
//! does when the float is exactly that number, or prints back (in its
//! shortest round-trip form) as that number. `19.99` survives (the float
//! prints as `19.99`); `12345678901234567890123456789` does not (it prints
//! as `1.2345678901234568e28`).

/// A decimal number: its sign, its significant digits (no leading or
/// trailing zeros; empty for zero) and a power of ten.
#[derive(Debug, PartialEq, Eq)]
struct Parts {
    negative: bool,
    digits: String,
    exponent: i64,
}

impl Parts {
    fn new(negative: bool, digits: &str, exponent: i64) -> Parts {
        let lead = digits.trim_start_matches('0');
        let digits = lead.trim_end_matches('0');
        if digits.is_empty() {
            return Parts {
                negative: false,
                digits: String::new(),
                exponent: 0,
            };
        }
        Parts {
            negative,
            digits: digits.to_string(),
            exponent: exponent + (lead.len() - digits.len()) as i64,
        }
    }

    /// `[+-]digits[.digits][e[+-]digits]`.
    fn parse(text: &str) -> Option<Parts> {
        let (negative, rest) = match text.as_bytes().first()? {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        let (number, exponent) = match rest.split_once(['e', 'E']) {
            Some((n, e)) => (n, e.parse::<i64>().ok()?),
            None => (rest, 0),
        };
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        let digits = format!("{whole}{fraction}");
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(Parts::new(
            negative,
            &digits,
            exponent - fraction.len() as i64,
        ))
    }
}

/// A decimal's unscaled integer and scale (`1999`, 2 is `19.99`).
pub(super) fn decimal_survives(unscaled: i128, scale: usize, value: f64) -> bool {
    let digits = unscaled.unsigned_abs().to_string();
    survives(&Parts::new(unscaled < 0, &digits, -(scale as i64)), value)
}

/// A decimal's unscaled integer as text (`-1999`) and scale.
pub(super) fn unscaled_text_survives(unscaled: &str, scale: usize, value: f64) -> bool {
    let (negative, digits) = match unscaled.strip_prefix('-') {
        Some(digits) => (true, digits),
        None => (false, unscaled),
    };
    survives(&Parts::new(negative, digits, -(scale as i64)), value)
}

/// An integer as the file wrote it (`-18446744073709551616`).
pub(super) fn integer_text_survives(text: &str, value: f64) -> bool {
    match Parts::parse(text.trim()) {
        Some(parts) => survives(&parts, value),
        None => true,
    }
}

fn survives(number: &Parts, value: f64) -> bool {
    if !value.is_finite() {
        return false;
    }
    // Any two decimals of at most 15 significant digits are distinct
    // doubles (DBL_DIG), so such a number always prints back as itself.
    if number.digits.len() <= 15 {
        return true;
    }
    if Parts::parse(&format!("{value:e}")).as_ref() == Some(number) {
        return true;
    }
    // The float's exact value: it has as many decimals as the power of two
    // it is divided by, and Rust prints that many digits exactly.
    let bits = value.to_bits();
    let exponent = ((bits >> 52) & 0x7ff) as i32;
    let mantissa = bits & ((1 << 52) - 1);
    let (mantissa, exponent) = if exponent == 0 {
        (mantissa, -1074)
    } else {
        (mantissa | (1 << 52), exponent - 1075)
    };
    let decimals = if mantissa == 0 {
        0
    } else {
        (-(exponent + mantissa.trailing_zeros() as i32)).max(0) as usize
    };
    Parts::parse(&format!("{value:.decimals$}")).as_ref() == Some(number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_that_print_back_or_are_exact_survive() {
        // (unscaled, scale, survives); the float is the correctly rounded
        // value. Cross-checked with Python: a decimal d survives when
        // `Decimal(float(d)) == d or Decimal(repr(float(d))) == d`.
        let cases: [(i128, usize, bool); 10] = [
            (1999, 2, true),
            (1, 2, true),
            (-98765, 4, true),
            (12345678901234567890123456789, 0, false),
            (-98765432109876543210987654321, 0, false),
            // 2^64: exact as a float, though it prints as 1.8446744073709552e19.
            (18446744073709551616, 0, true),
            // 2^64 - 1 rounds to 2^64.
            (18446744073709551615, 0, false),
            // 1234.5 * 10^30 prints back as 1.2345e33.
            (123450000000000000000000000000000000, 2, true),
            // 17 significant digits: these print back, those do not.
            (12345678901234567, 2, true),
            (12345678901234567, 1, false),
        ];
        for (unscaled, scale, want) in cases {
            let value: f64 = format!("{unscaled}e-{scale}").parse().unwrap();
            assert_eq!(
                decimal_survives(unscaled, scale, value),
                want,
                "{unscaled}e-{scale}"
            );
        }
    }

    #[test]
    fn integer_text_is_compared_digit_for_digit() {
        let cases = [
            ("18446744073709551615", false),
            ("99999999999999999999999", false),
            ("-18446744073709551616", true),
            ("+00012", true),
            ("9007199254740993", false),
            ("9007199254740992", true),
        ];
        for (text, want) in cases {
            let value: f64 = text.parse().unwrap();
            assert_eq!(integer_text_survives(text, value), want, "{text}");
        }
    }

    #[test]
    fn parts_are_normalised() {
        assert_eq!(
            Parts::parse("1.2345e33"),
            Parts::parse("1234500000000000000000000000000000")
        );
        assert_eq!(Parts::parse("-0.000"), Parts::parse("0"));
        assert_eq!(Parts::parse("0.0100"), Parts::parse("1e-2"));
        assert_eq!(Parts::parse("abc"), None);
    }
}
