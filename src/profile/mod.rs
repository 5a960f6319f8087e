//! Profiles: a compact, versioned, mergeable summary of one dataset that a
//! report can compare later in place of the data (`driftmend profile`,
//! `driftmend merge`, `--reference profile.dmp`).
//!
//! This module is pure: it builds a profile from loaded columns, merges
//! profiles, turns a profile back into columns for the report builder and
//! says which numbers of a report are exact. Reading and writing bytes is
//! `format.rs` (still pure: bytes in, bytes out); files are the commands'.
//! See `docs/profiles.md` for the format and the exactness of each method.

mod dataset;
mod exactness;
pub mod format;
mod numbers;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::data::{Dataset, Family, Values};

pub use dataset::to_dataset;
pub use exactness::annotate;
pub use format::{decode, encode, is_profile, FormatError, MAGIC};
pub use numbers::{bucket_key, Bucket, NumberSummary, BUCKET_BITS, MAX_EXACT_VALUES};

/// A column keeps at most this many labels with their counts; past it the
/// least frequent are summed into [`LabelSummary::other`] and the column's
/// categorical numbers become approximate.
pub const MAX_LABELS: usize = 100_000;

/// A report rebuilds a profile's values (8 bytes per value, see
/// `dataset.rs`): profiles of more rows are refused rather than exhausting
/// memory.
pub const MAX_REBUILD_ROWS: u64 = 1 << 28;

/// The summary of one dataset (or of several merged).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// The driftmend version that wrote (or last merged) it; informative.
    pub driftmend_version: String,
    /// The paths summarised (as given to `profile`), sorted.
    pub sources: Vec<String>,
    /// The files read, sorted after a merge.
    pub files: Vec<String>,
    pub rows: u64,
    /// Rows equal to an earlier row of the same profiled input. After a
    /// merge, duplicates across inputs are not counted (a lower bound).
    pub duplicated_rows: u64,
    /// What the source files were when profiled (size, mtime and a hash of
    /// their head and tail, where Parquet keeps its footer), so a cached
    /// profile is rebuilt when they change; `None` after a merge.
    pub fingerprint: Option<String>,
    pub columns: Vec<ColumnProfile>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnProfile {
    pub name: String,
    /// The file's type as polars names it (`i64`, `f64`, `str`, ...).
    pub dtype: String,
    pub family: ProfileFamily,
    pub summary: Summary,
}

/// [`Family`], owned here so the format does not change when the reader's
/// enum does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProfileFamily {
    Float,
    Integer,
    Boolean,
    String,
    Categorical,
    Temporal,
    Other,
}

impl From<Family> for ProfileFamily {
    fn from(f: Family) -> Self {
        match f {
            Family::Float => ProfileFamily::Float,
            Family::Integer => ProfileFamily::Integer,
            Family::Boolean => ProfileFamily::Boolean,
            Family::String => ProfileFamily::String,
            Family::Categorical => ProfileFamily::Categorical,
            Family::Temporal => ProfileFamily::Temporal,
            Family::Other => ProfileFamily::Other,
        }
    }
}

impl From<ProfileFamily> for Family {
    fn from(f: ProfileFamily) -> Self {
        match f {
            ProfileFamily::Float => Family::Float,
            ProfileFamily::Integer => Family::Integer,
            ProfileFamily::Boolean => Family::Boolean,
            ProfileFamily::String => Family::String,
            ProfileFamily::Categorical => Family::Categorical,
            ProfileFamily::Temporal => Family::Temporal,
            ProfileFamily::Other => Family::Other,
        }
    }
}

/// What is kept of a column's values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Summary {
    Numbers(NumberSummary),
    Labels(LabelSummary),
    /// Dates, datetimes, durations, times: counted, not compared.
    Temporal {
        null: u64,
        /// Distinct values; after a merge the largest part's (a lower
        /// bound), with `distinct_exact` false.
        distinct: u64,
        distinct_exact: bool,
        min: Option<String>,
        max: Option<String>,
        /// Values read at the limit of a nanosecond timestamp (see
        /// `data::Values::Temporal`).
        clamped: u64,
    },
    Unsupported {
        null: u64,
    },
}

/// Label counts (strings, booleans, categoricals).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelSummary {
    pub null: u64,
    /// Count per label, sorted by label; at most [`MAX_LABELS`].
    pub counts: Vec<(String, u64)>,
    /// Rows whose label was cut by the cap (0 when every label is kept).
    pub other: u64,
}

/// Why two profiles cannot be merged or one cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    #[error("the profiles have different columns: {0}")]
    Columns(String),
    #[error("column `{column}` is {left} in one profile and {right} in another")]
    Dtype {
        column: String,
        left: String,
        right: String,
    },
}

impl Profile {
    /// Summarises a loaded dataset. Pure; one pass per column.
    pub fn from_dataset(ds: &Dataset, source: &str, version: &str) -> Profile {
        use rayon::prelude::*;
        Profile {
            driftmend_version: version.to_string(),
            sources: vec![source.to_string()],
            files: ds.files.clone(),
            rows: ds.rows as u64,
            duplicated_rows: ds.duplicated_rows as u64,
            fingerprint: None,
            columns: ds
                .columns
                .par_iter()
                .map(|c| ColumnProfile {
                    name: c.name.clone(),
                    dtype: c.dtype.clone(),
                    family: c.family.into(),
                    summary: summarize(&c.values),
                })
                .collect(),
        }
    }

    /// Merges two profiles of the same columns: the profile of both
    /// datasets' rows together. Associative and commutative (counts, value
    /// maps, buckets, minima and maxima exactly; sums and moments up to
    /// floating-point rounding), except past the label cap.
    pub fn merge(&self, other: &Profile) -> Result<Profile, MergeError> {
        check_same_columns(self, other)?;
        let columns = self
            .columns
            .iter()
            .zip(&other.columns)
            .map(|(a, b)| ColumnProfile {
                name: a.name.clone(),
                dtype: a.dtype.clone(),
                family: a.family,
                summary: merge_summary(&a.summary, &b.summary),
            })
            .collect();
        // Sorted, so the merge order does not show.
        let union = |a: &[String], b: &[String]| {
            let mut v: Vec<String> = a.iter().chain(b).cloned().collect();
            v.sort();
            v
        };
        Ok(Profile {
            driftmend_version: self
                .driftmend_version
                .clone()
                .max(other.driftmend_version.clone()),
            sources: union(&self.sources, &other.sources),
            files: union(&self.files, &other.files),
            rows: self.rows + other.rows,
            duplicated_rows: self.duplicated_rows + other.duplicated_rows,
            fingerprint: None,
            columns,
        })
    }
}

fn check_same_columns(a: &Profile, b: &Profile) -> Result<(), MergeError> {
    let names = |p: &Profile| p.columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>();
    let (na, nb) = (names(a), names(b));
    if na != nb {
        let missing: Vec<&String> = na.iter().filter(|n| !nb.contains(n)).collect();
        let extra: Vec<&String> = nb.iter().filter(|n| !na.contains(n)).collect();
        let list = |v: &[&String]| {
            v.iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let detail = match (missing.is_empty(), extra.is_empty()) {
            (true, true) => "the same columns in another order".to_string(),
            (false, true) => format!("only one has {}", list(&missing)),
            (true, false) => format!("only one has {}", list(&extra)),
            (false, false) => format!(
                "one has {} where the other has {}",
                list(&missing),
                list(&extra)
            ),
        };
        return Err(MergeError::Columns(detail));
    }
    for (ca, cb) in a.columns.iter().zip(&b.columns) {
        let same_kind = std::mem::discriminant(&ca.summary) == std::mem::discriminant(&cb.summary);
        if ca.dtype != cb.dtype || !same_kind {
            return Err(MergeError::Dtype {
                column: ca.name.clone(),
                left: format!("`{}`", ca.dtype),
                right: format!("`{}`", cb.dtype),
            });
        }
    }
    Ok(())
}

fn summarize(values: &Values) -> Summary {
    match values {
        Values::Numbers {
            finite,
            null,
            nan,
            infinite,
        } => Summary::Numbers(NumberSummary::of(
            finite,
            *null as u64,
            *nan as u64,
            *infinite as u64,
        )),
        Values::Labels { counts, null } => Summary::Labels(cap_labels(
            counts.iter().map(|(l, n)| (l.clone(), *n)).collect(),
            *null as u64,
            0,
        )),
        Values::Temporal {
            null,
            distinct,
            min,
            max,
            clamped,
            ..
        } => Summary::Temporal {
            null: *null as u64,
            distinct: *distinct as u64,
            distinct_exact: true,
            min: min.clone(),
            max: max.clone(),
            clamped: *clamped as u64,
        },
        // Never read from disk: nothing is known but the type.
        Values::Unsupported => Summary::Unsupported { null: 0 },
    }
}

/// Keeps the [`MAX_LABELS`] most frequent labels (ties: the smaller label),
/// summing the rest into `other`; the kept ones sorted by label.
fn cap_labels(mut counts: BTreeMap<String, u64>, null: u64, mut other: u64) -> LabelSummary {
    if counts.len() > MAX_LABELS {
        let mut by_count: Vec<(String, u64)> = std::mem::take(&mut counts).into_iter().collect();
        by_count.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        other += by_count[MAX_LABELS..].iter().map(|(_, n)| n).sum::<u64>();
        by_count.truncate(MAX_LABELS);
        counts = by_count.into_iter().collect();
    }
    LabelSummary {
        null,
        counts: counts.into_iter().collect(),
        other,
    }
}

fn merge_summary(a: &Summary, b: &Summary) -> Summary {
    match (a, b) {
        (Summary::Numbers(x), Summary::Numbers(y)) => Summary::Numbers(x.merge(y)),
        (Summary::Labels(x), Summary::Labels(y)) => {
            let mut counts: BTreeMap<String, u64> = x.counts.iter().cloned().collect();
            for (label, n) in &y.counts {
                *counts.entry(label.clone()).or_insert(0) += n;
            }
            Summary::Labels(cap_labels(counts, x.null + y.null, x.other + y.other))
        }
        (
            Summary::Temporal {
                null: n1,
                distinct: d1,
                distinct_exact: e1,
                min: lo1,
                max: hi1,
                clamped: c1,
            },
            Summary::Temporal {
                null: n2,
                distinct: d2,
                distinct_exact: e2,
                min: lo2,
                max: hi2,
                clamped: c2,
            },
        ) => {
            // Rendered in one unit (same dtype, checked), ISO-like: text order.
            let pick = |a: &Option<String>, b: &Option<String>, max: bool| match (a, b) {
                (Some(a), Some(b)) => Some(if (a > b) == max { a.clone() } else { b.clone() }),
                (a, b) => a.clone().or_else(|| b.clone()),
            };
            Summary::Temporal {
                null: n1 + n2,
                distinct: (*d1).max(*d2),
                // A side with no values adds no distinct value.
                distinct_exact: (*e1 && *e2) && (*d1 == 0 || *d2 == 0),
                min: pick(lo1, lo2, false),
                max: pick(hi1, hi2, true),
                clamped: c1 + c2,
            }
        }
        (Summary::Unsupported { null: x }, Summary::Unsupported { null: y }) => {
            Summary::Unsupported { null: x + y }
        }
        _ => unreachable!("check_same_columns compares the kinds first"),
    }
}

#[cfg(test)]
mod tests;
