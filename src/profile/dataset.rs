//! A profile turned back into columns for the report builder, so a report
//! from profiles runs the very code a report from data runs. Pure.
//!
//! Numbers are rebuilt from the exact value counts when the profile has
//! them (the same multiset as the data: every method exact), else from the
//! buckets: each bucket of k values with sum S, min a and max b becomes
//! a, b and k - 2 copies of (S - a - b) / (k - 2). That keeps every
//! bucket's count, min, max and (up to rounding) sum, so bin counts on
//! edges that no bucket straddles, the empirical CDF at every bucket
//! boundary and the mean are those of the data; `exactness.rs` bounds the
//! rest.

use super::{LabelSummary, NumberSummary, Profile, Summary};
use crate::data::{Dataset, RawColumn, Values};

/// The label that stands for the labels cut by the cap.
pub const OTHER_LABEL: &str = "(other labels)";

/// The dataset a profile stands for; `path` is what the user passed.
pub fn to_dataset(profile: &Profile, path: &str) -> Dataset {
    Dataset {
        path: path.to_string(),
        files: profile.files.clone(),
        rows: profile.rows as usize,
        columns: profile
            .columns
            .iter()
            .map(|c| RawColumn {
                name: c.name.clone(),
                dtype: c.dtype.clone(),
                family: c.family.into(),
                values: values(&c.summary, profile.rows),
                rounded: None,
            })
            .collect(),
        names: profile.columns.iter().map(|c| c.name.clone()).collect(),
        selected: false,
        duplicated_rows: profile.duplicated_rows as usize,
        rows_of: Default::default(),
        warnings: Vec::new(),
    }
}

fn values(s: &Summary, rows: u64) -> Values {
    match s {
        Summary::Numbers(n) => Values::Numbers {
            finite: numbers(n),
            null: n.null as usize,
            nan: n.nan as usize,
            infinite: n.infinite as usize,
        },
        Summary::Labels(LabelSummary {
            null,
            counts,
            other,
        }) => {
            let mut counts = counts.clone();
            if *other > 0 {
                match counts.binary_search_by(|(l, _)| l.as_str().cmp(OTHER_LABEL)) {
                    Ok(i) => counts[i].1 += other,
                    Err(i) => counts.insert(i, (OTHER_LABEL.to_string(), *other)),
                }
            }
            Values::Labels {
                counts,
                null: *null as usize,
            }
        }
        Summary::Temporal {
            null,
            distinct,
            min,
            max,
            clamped,
            ..
        } => Values::Temporal {
            count: rows.saturating_sub(*null) as usize,
            null: *null as usize,
            distinct: *distinct as usize,
            min: min.clone(),
            max: max.clone(),
            clamped: *clamped as usize,
        },
        Summary::Unsupported { .. } => Values::Unsupported,
    }
}

/// The finite values, ascending.
pub fn numbers(n: &NumberSummary) -> Vec<f64> {
    let mut out = Vec::with_capacity(n.count as usize);
    if let Some(exact) = &n.exact {
        for &(v, k) in exact {
            out.extend(std::iter::repeat_n(v, k as usize));
        }
        return out;
    }
    for b in &n.buckets {
        match b.count {
            0 => {}
            1 => out.push(b.min),
            _ if b.min == b.max => out.extend(std::iter::repeat_n(b.min, b.count as usize)),
            k => {
                let inner = k - 2;
                let mean = (b.sum - b.min - b.max) / inner as f64;
                // A sum past f64's range (values near 1e308), or a damaged
                // one, must not put a non-finite value in the column.
                let mid = if mean.is_finite() {
                    mean.clamp(b.min, b.max)
                } else {
                    b.min / 2.0 + b.max / 2.0
                };
                out.push(b.min);
                out.extend(std::iter::repeat_n(mid, inner as usize));
                out.push(b.max);
            }
        }
    }
    out
}
