//! The summary of a numeric column: exact counters and moments, the exact
//! value counts while there are few distinct values, and data-independent
//! buckets (count, sum, min, max) keyed by the leading bits of each value.
//! Pure.
//!
//! Buckets are fixed by the float's bits, not by the data, so every shard
//! of every dataset buckets a value the same way: merging adds buckets
//! with the same key, and the reference and current of a report share
//! their buckets, which is what bounds KS and Wasserstein (see
//! `exactness.rs`).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// Mantissa bits kept in a bucket key: a bucket spans at most 2^-10 of its
/// values' magnitude (0.1 %).
pub const BUCKET_BITS: u32 = 10;

/// A column keeps its exact value counts while it has at most this many
/// distinct values; then every method is exact from the profile.
pub const MAX_EXACT_VALUES: usize = 10_000;

/// Finite values sharing a bucket key. Stored compactly (`Stored`): one or
/// two values as themselves, the key recomputed from the minimum.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(into = "Stored", from = "Stored")]
pub struct Bucket {
    pub key: u64,
    pub count: u64,
    pub sum: f64,
    /// Sum of squares: bounds how far the rebuilt values are from the
    /// data's within the bucket (Wasserstein's interval).
    pub sum_sq: f64,
    pub min: f64,
    pub max: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumberSummary {
    pub null: u64,
    pub nan: u64,
    pub infinite: u64,
    /// Finite values.
    pub count: u64,
    pub mean: f64,
    /// Sum of squared deviations from the mean (merged with Chan et al.).
    pub m2: f64,
    /// `None` without finite values.
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// (value, count) sorted by value, while there are at most
    /// [`MAX_EXACT_VALUES`] distinct values; `None` past that.
    pub exact: Option<Vec<(f64, u64)>>,
    /// Sorted by key (= by value).
    pub buckets: Vec<Bucket>,
}

/// A bucket as written: most buckets of a continuous column hold one or two
/// values, which need no sums.
#[derive(Serialize, Deserialize)]
enum Stored {
    One(f64),
    Two(f64, f64),
    Many {
        count: u64,
        sum: f64,
        sum_sq: f64,
        min: f64,
        max: f64,
    },
}

impl From<Bucket> for Stored {
    fn from(b: Bucket) -> Stored {
        match b.count {
            1 => Stored::One(b.min),
            2 => Stored::Two(b.min, b.max),
            _ => Stored::Many {
                count: b.count,
                sum: b.sum,
                sum_sq: b.sum_sq,
                min: b.min,
                max: b.max,
            },
        }
    }
}

impl From<Stored> for Bucket {
    fn from(s: Stored) -> Bucket {
        let (count, sum, sum_sq, min, max) = match s {
            Stored::One(x) => (1, x, x * x, x, x),
            Stored::Two(a, b) => (2, a + b, a * a + b * b, a, b),
            Stored::Many {
                count,
                sum,
                sum_sq,
                min,
                max,
            } => (count, sum, sum_sq, min, max),
        };
        // A key that disagrees with max is refused by `format::validate`.
        Bucket {
            key: bucket_key(min),
            count,
            sum,
            sum_sq,
            min,
            max,
        }
    }
}

/// The bucket of a finite value: its bits mapped to an order-preserving
/// integer, cut to sign, exponent and the top [`BUCKET_BITS`] of the
/// mantissa. Keys sort as the values do.
pub fn bucket_key(x: f64) -> u64 {
    let bits = x.to_bits();
    let ordered = if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    };
    ordered >> (52 - BUCKET_BITS)
}

impl NumberSummary {
    pub fn of(finite: &[f64], null: u64, nan: u64, infinite: u64) -> NumberSummary {
        let count = finite.len() as u64;
        let mean = if finite.is_empty() {
            0.0
        } else {
            crate::stats::sum::sum(finite) / finite.len() as f64
        };
        let mut m2 = crate::stats::sum::CompensatedSum::default();
        for &x in finite {
            m2.add((x - mean) * (x - mean));
        }
        let m2 = m2.value();
        let mut exact: Option<HashMap<u64, u64>> = Some(HashMap::new());
        let mut buckets: HashMap<u64, Bucket> = HashMap::new();
        for &x in finite {
            if let Some(map) = exact.as_mut() {
                *map.entry(x.to_bits()).or_insert(0) += 1;
                if map.len() > MAX_EXACT_VALUES {
                    exact = None;
                }
            }
            let key = bucket_key(x);
            let b = buckets.entry(key).or_insert(Bucket {
                key,
                count: 0,
                sum: 0.0,
                sum_sq: 0.0,
                min: x,
                max: x,
            });
            b.count += 1;
            b.sum += x;
            b.sum_sq += x * x;
            if x < b.min {
                b.min = x;
            }
            if x > b.max {
                b.max = x;
            }
        }
        let mut buckets: Vec<Bucket> = buckets.into_values().collect();
        buckets.sort_by_key(|b| b.key);
        NumberSummary {
            null,
            nan,
            infinite,
            count,
            mean,
            m2,
            min: buckets.first().map(|b| b.min),
            max: buckets.last().map(|b| b.max),
            exact: exact.map(|m| {
                let mut v: Vec<(f64, u64)> =
                    m.into_iter().map(|(b, n)| (f64::from_bits(b), n)).collect();
                v.sort_by(|a, b| a.0.total_cmp(&b.0));
                v
            }),
            buckets,
        }
    }

    pub fn merge(&self, o: &NumberSummary) -> NumberSummary {
        let count = self.count + o.count;
        let (mean, m2) = if count == 0 {
            (0.0, 0.0)
        } else if self.count == 0 {
            (o.mean, o.m2)
        } else if o.count == 0 {
            (self.mean, self.m2)
        } else {
            // Chan, Golub & LeVeque.
            let (na, nb, n) = (self.count as f64, o.count as f64, count as f64);
            let delta = o.mean - self.mean;
            (
                self.mean + delta * nb / n,
                self.m2 + o.m2 + delta * delta * na * nb / n,
            )
        };
        let opt = |a: Option<f64>, b: Option<f64>, f: fn(f64, f64) -> f64| match (a, b) {
            (Some(a), Some(b)) => Some(f(a, b)),
            (a, b) => a.or(b),
        };
        NumberSummary {
            null: self.null + o.null,
            nan: self.nan + o.nan,
            infinite: self.infinite + o.infinite,
            count,
            mean,
            m2,
            min: opt(self.min, o.min, f64::min),
            max: opt(self.max, o.max, f64::max),
            exact: match (&self.exact, &o.exact) {
                (Some(a), Some(b)) => merge_exact(a, b),
                _ => None,
            },
            buckets: merge_buckets(&self.buckets, &o.buckets),
        }
    }

    /// Sample variance (ddof = 1; 0 for one value), as scipy's t-tests use.
    pub fn sample_variance(&self) -> f64 {
        if self.count > 1 {
            self.m2 / (self.count - 1) as f64
        } else {
            0.0
        }
    }

    /// Population standard deviation (ddof = 0), Evidently's normaliser.
    pub fn population_std(&self) -> f64 {
        if self.count > 0 {
            (self.m2 / self.count as f64).sqrt()
        } else {
            0.0
        }
    }
}

fn merge_exact(a: &[(f64, u64)], b: &[(f64, u64)]) -> Option<Vec<(f64, u64)>> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let next = match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) => match x.0.total_cmp(&y.0) {
                std::cmp::Ordering::Less => {
                    i += 1;
                    *x
                }
                std::cmp::Ordering::Greater => {
                    j += 1;
                    *y
                }
                std::cmp::Ordering::Equal => {
                    i += 1;
                    j += 1;
                    (x.0, x.1 + y.1)
                }
            },
            (Some(x), None) => {
                i += 1;
                *x
            }
            (None, Some(y)) => {
                j += 1;
                *y
            }
            (None, None) => break,
        };
        out.push(next);
        if out.len() > MAX_EXACT_VALUES {
            return None;
        }
    }
    Some(out)
}

fn merge_buckets(a: &[Bucket], b: &[Bucket]) -> Vec<Bucket> {
    let mut out = Vec::with_capacity(a.len().max(b.len()));
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let next = match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if x.key == y.key => {
                i += 1;
                j += 1;
                Bucket {
                    key: x.key,
                    count: x.count + y.count,
                    sum: x.sum + y.sum,
                    sum_sq: x.sum_sq + y.sum_sq,
                    min: x.min.min(y.min),
                    max: x.max.max(y.max),
                }
            }
            (Some(x), Some(y)) if x.key < y.key => {
                i += 1;
                *x
            }
            (_, Some(y)) => {
                j += 1;
                *y
            }
            (Some(x), None) => {
                i += 1;
                *x
            }
            (None, None) => break,
        };
        out.push(next);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_sort_as_values_and_bucket_width_is_relative() {
        let xs = [
            -1e300, -3.5, -1.0, -1e-300, -0.0, 0.0, 1e-300, 1.0, 1.0001, 3.5, 1e300,
        ];
        for w in xs.windows(2) {
            assert!(bucket_key(w[0]) <= bucket_key(w[1]), "{w:?}");
        }
        assert_eq!(bucket_key(1.0), bucket_key(1.0 + 2f64.powi(-11)));
        assert_ne!(bucket_key(1.0), bucket_key(1.0 + 2f64.powi(-10)));
        assert_eq!(bucket_key(-1.0), bucket_key(-1.0 - 2f64.powi(-11)));
    }

    #[test]
    fn moments_merge_like_one_pass() {
        let xs: Vec<f64> = (0..1000)
            .map(|i| ((i * 37) % 101) as f64 * 0.37 - 9.0)
            .collect();
        let whole = NumberSummary::of(&xs, 0, 0, 0);
        let merged =
            NumberSummary::of(&xs[..313], 0, 0, 0).merge(&NumberSummary::of(&xs[313..], 0, 0, 0));
        assert_eq!(whole.count, merged.count);
        assert!((whole.mean - merged.mean).abs() < 1e-12);
        assert!((whole.m2 - merged.m2).abs() < 1e-9 * whole.m2);
        assert_eq!(whole.exact, merged.exact);
        assert_eq!(whole.buckets.len(), merged.buckets.len());
    }

    #[test]
    fn exact_values_are_dropped_past_the_cap() {
        let xs: Vec<f64> = (0..=MAX_EXACT_VALUES).map(|i| i as f64).collect();
        assert!(NumberSummary::of(&xs, 0, 0, 0).exact.is_none());
        let a = NumberSummary::of(&xs[..6000], 0, 0, 0);
        let b = NumberSummary::of(&xs[6000..], 0, 0, 0);
        assert!(a.exact.is_some() && b.exact.is_some());
        assert!(a.merge(&b).exact.is_none());
    }
}
