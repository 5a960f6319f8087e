//! The per-column charts as inline SVG: a histogram of both sides on shared
//! bins, and paired share bars per category; and the coordinate and number
//! formats the charts share with the rest of the page.

use std::borrow::Cow;
use std::fmt::{self, Display, Write as _};

use super::super::format::fmt_share;
use super::escape;
use crate::report::distribution::CategoryStatus;

// Chart geometry, in SVG user units (the SVG scales to its box).
const HIST_W: f64 = 440.0;
const HIST_H: f64 = 180.0;
const HIST_L: f64 = 40.0;
const HIST_R: f64 = 432.0;
const HIST_T: f64 = 8.0;
const HIST_B: f64 = 150.0;

/// Both sides' shares on the same bins: reference filled, current outlined.
pub(super) fn histogram_svg(
    name: &str,
    edges: &[f64],
    reference: &[f64],
    current: &[f64],
    o: &mut String,
) -> fmt::Result {
    let n = reference
        .len()
        .min(current.len())
        .min(edges.len().saturating_sub(1));
    if n == 0 {
        o.push_str("<p class=\"mut\">No bins to plot.</p>");
        return Ok(());
    }
    let (lo, hi) = (edges[0], edges[n]);
    let top = nice_ceil(
        reference[..n]
            .iter()
            .chain(&current[..n])
            .copied()
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max),
    );
    let y = |v: f64| HIST_B - (v.clamp(0.0, top) / top) * (HIST_B - HIST_T);
    let bw = (HIST_R - HIST_L) / n as f64;
    let gap = (bw * 0.08).min(1.0);
    write!(
        o,
        "<svg class=\"chart\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"Histogram of {}: reference and current shares on {n} shared bins from {} to {}\">",
        C(HIST_W),
        C(HIST_H),
        escape(name),
        fmt_num(lo),
        fmt_num(hi),
    )?;
    for tick in [top / 2.0, top] {
        write!(
            o,
            "<line class=\"gl\" x1=\"{}\" x2=\"{}\" y1=\"{y}\" y2=\"{y}\"/><text class=\"e\" x=\"{}\" y=\"{}\">{}%</text>",
            C(HIST_L),
            C(HIST_R),
            C(HIST_L - 4.0),
            C(y(tick) + 4.0),
            trim_num(tick * 100.0, 2),
            y = C(y(tick)),
        )?;
    }
    for i in 0..n {
        let (rv, cv) = (reference[i], current[i]);
        if !(rv > 0.0 || cv > 0.0) {
            continue;
        }
        let close = if i + 1 == n { ']' } else { ')' };
        write!(
            o,
            "<g><title>[{}, {}{close}: reference {}, current {}</title>",
            fmt_num(edges[i]),
            fmt_num(edges[i + 1]),
            escape(&fmt_share(rv)),
            escape(&fmt_share(cv)),
        )?;
        let x = HIST_L + i as f64 * bw + gap;
        for (class, v) in [("r", rv), ("c", cv)] {
            if v > 0.0 {
                write!(
                    o,
                    "<rect class=\"{class}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
                    C(x),
                    C(y(v)),
                    C(bw - 2.0 * gap),
                    C(HIST_B - y(v)),
                )?;
            }
        }
        o.push_str("</g>");
    }
    write!(
        o,
        "<line class=\"ax\" x1=\"{l}\" x2=\"{r}\" y1=\"{b}\" y2=\"{b}\"/>\
         <text x=\"{l}\" y=\"{ty}\">{}</text><text class=\"e\" x=\"{r}\" y=\"{ty}\">{}</text>",
        fmt_num(lo),
        fmt_num(hi),
        l = C(HIST_L),
        r = C(HIST_R),
        b = C(HIST_B),
        ty = C(HIST_B + 16.0),
    )?;
    if n >= 4 {
        let mid = n / 2;
        write!(
            o,
            "<text class=\"m\" x=\"{}\" y=\"{}\">{}</text>",
            C(HIST_L + mid as f64 * bw),
            C(HIST_B + 16.0),
            fmt_num(edges[mid])
        )?;
    }
    write!(
        o,
        "</svg><figcaption>{n} equal-width bins shared by both sides</figcaption>"
    )
}

const CAT_W: f64 = 460.0;
const CAT_ROW: f64 = 22.0;
const CAT_LABEL_END: f64 = 120.0;
const CAT_BAR_X: f64 = 126.0;
const CAT_BAR_W: f64 = 156.0;
const CAT_SHARE_X: f64 = 288.0;
const CAT_BADGE_X: f64 = 398.0;
const CAT_BADGE_W: f64 = 58.0;
/// Longer category labels are cut (the tooltip has them whole).
const CAT_LABEL_CHARS: usize = 14;

/// Paired horizontal share bars per category, `new`/`vanished` badged.
pub(super) fn categories_svg(
    name: &str,
    labels: &[String],
    reference: &[f64],
    current: &[f64],
    status: &[CategoryStatus],
    other: Option<(f64, f64)>,
    o: &mut String,
) -> fmt::Result {
    let n = labels.len().min(reference.len()).min(current.len());
    let mut rows: Vec<(Cow<'_, str>, f64, f64, Option<CategoryStatus>)> = (0..n)
        .map(|i| {
            (
                Cow::Borrowed(labels[i].as_str()),
                reference[i],
                current[i],
                status.get(i).copied(),
            )
        })
        .collect();
    if let Some((rv, cv)) = other {
        rows.push((Cow::Borrowed("other"), rv, cv, None));
    }
    if rows.is_empty() {
        o.push_str("<p class=\"mut\">No categories to plot.</p>");
        return Ok(());
    }
    let max = rows
        .iter()
        .flat_map(|r| [r.1, r.2])
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let max = if max > 0.0 { max } else { 1.0 };
    let len = |v: f64| v.clamp(0.0, max) / max * CAT_BAR_W;
    let height = rows.len() as f64 * CAT_ROW + 8.0;
    write!(
        o,
        "<svg class=\"chart cat\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"Category shares of {}: reference and current, {} categories\">",
        C(CAT_W),
        C(height),
        escape(name),
        rows.len(),
    )?;
    for (i, (label, rv, cv, st)) in rows.iter().enumerate() {
        let is_other = other.is_some() && i + 1 == rows.len();
        let top = 4.0 + i as f64 * CAT_ROW;
        let mark = match st {
            Some(CategoryStatus::New) => Some("new"),
            Some(CategoryStatus::Vanished) => Some("vanished"),
            _ => None,
        };
        write!(
            o,
            "<g><title>{}: reference {}, current {}{}</title>",
            if is_other {
                Cow::Borrowed("other categories (not listed)")
            } else {
                escape(label)
            },
            escape(&fmt_share(*rv)),
            escape(&fmt_share(*cv)),
            mark.map(|m| format!(" ({m})")).unwrap_or_default(),
        )?;
        let cut: String = if label.chars().count() > CAT_LABEL_CHARS {
            label
                .chars()
                .take(CAT_LABEL_CHARS - 1)
                .chain(['…'])
                .collect()
        } else {
            label.to_string()
        };
        write!(
            o,
            "<text class=\"e{}\" x=\"{}\" y=\"{}\">{}</text>",
            if is_other { " oth" } else { " lb" },
            C(CAT_LABEL_END),
            C(top + 14.0),
            escape(&cut),
        )?;
        for (class, v, dy) in [("r", *rv, 2.0), ("c", *cv, 11.0)] {
            if v > 0.0 {
                write!(
                    o,
                    "<rect class=\"{class}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"8\"/>",
                    C(CAT_BAR_X),
                    C(top + dy),
                    C(len(v).max(0.5)),
                )?;
            }
        }
        write!(
            o,
            "<text x=\"{}\" y=\"{}\">{} → {}</text>",
            C(CAT_SHARE_X),
            C(top + 14.0),
            escape(&fmt_share(*rv)),
            escape(&fmt_share(*cv)),
        )?;
        if let Some(m) = mark {
            write!(
                o,
                "<rect class=\"bd\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"15\" rx=\"7.5\"/><text class=\"m bt\" x=\"{}\" y=\"{}\">{m}</text>",
                C(CAT_BADGE_X),
                C(top + 3.0),
                C(CAT_BADGE_W),
                C(CAT_BADGE_X + CAT_BADGE_W / 2.0),
                C(top + 14.0),
            )?;
        }
        o.push_str("</g>");
    }
    o.push_str("</svg><figcaption>Share of each category per side, most common first");
    if other.is_some() {
        o.push_str("; the rest summed as “other”");
    }
    o.push_str("</figcaption>");
    Ok(())
}

/// An SVG coordinate: one decimal, no trailing `.0`, no `-0`.
#[derive(Clone, Copy)]
pub(super) struct C(pub(super) f64);

impl Display for C {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = if self.0.is_finite() {
            (self.0 * 10.0).round() / 10.0
        } else {
            0.0
        };
        if r == 0.0 {
            f.write_str("0")
        } else if r.fract() == 0.0 {
            write!(f, "{}", r as i64)
        } else {
            write!(f, "{r:.1}")
        }
    }
}

/// A value for an axis or a statistics cell: about 4 significant digits,
/// exponent form for very large or small magnitudes.
pub(super) fn fmt_num(x: f64) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    if x == 0.0 {
        return "0".into();
    }
    let a = x.abs();
    if !(1e-3..1e7).contains(&a) {
        return format!("{x:.3e}");
    }
    let decimals = (3 - a.log10().floor() as i32).clamp(0, 4) as usize;
    trim_num(x, decimals)
}

/// `x` with at most `decimals` decimals, trailing zeros dropped.
fn trim_num(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// The smallest of 1, 2, 2.5, 5 times a power of ten that is >= x (1 for
/// x <= 0), so axis ticks are round numbers.
fn nice_ceil(x: f64) -> f64 {
    if !(x > 0.0 && x.is_finite()) {
        return 1.0;
    }
    let p = 10f64.powf(x.log10().floor());
    let f = x / p;
    let m = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .find(|m| f <= m * (1.0 + 1e-9))
        .unwrap_or(10.0);
    m * p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_coordinates() {
        assert_eq!(C(12.04).to_string(), "12");
        assert_eq!(C(12.06).to_string(), "12.1");
        assert_eq!(C(-0.01).to_string(), "0");
        assert_eq!(fmt_num(52000.123), "52000");
        assert_eq!(fmt_num(680.56), "680.6");
        assert_eq!(fmt_num(0.05), "0.05");
        assert_eq!(fmt_num(1.5e-7), "1.500e-7");
        assert_eq!(nice_ceil(0.137), 0.2);
        assert_eq!(nice_ceil(0.021), 0.025);
        assert_eq!(nice_ceil(0.0), 1.0);
    }
}
