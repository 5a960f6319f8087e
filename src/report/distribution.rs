//! The per-column distributions the HTML report plots: both sides on the
//! same bins (numerical) or the same categories (categorical), as shares.
//! Pure.

use serde::{Deserialize, Serialize};

use crate::stats::binning;

/// At most this many categories are listed; the rest are summed as `other`.
pub const MAX_CATEGORIES: usize = 20;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Distribution {
    /// Shares of each side in `edges.len() - 1` equal-width bins over the
    /// combined range (Sturges' count); the last bin is closed.
    Histogram {
        edges: Vec<f64>,
        reference: Vec<f64>,
        current: Vec<f64>,
    },
    /// Shares per category, most common first.
    Categories {
        labels: Vec<String>,
        reference: Vec<f64>,
        current: Vec<f64>,
        /// `both`, `new` (current only) or `vanished` (reference only).
        status: Vec<CategoryStatus>,
        /// Shares of the categories not listed, when some were cut.
        other: Option<(f64, f64)>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CategoryStatus {
    Both,
    New,
    Vanished,
}

/// Histogram of two sorted, finite, non-empty samples.
pub fn histogram(reference: &[f64], current: &[f64]) -> Option<Distribution> {
    if reference.is_empty() || current.is_empty() {
        return None;
    }
    let (min, max) = binning::combined_range(reference, current);
    let edges = if min == max {
        vec![min - 0.5, max + 0.5]
    } else {
        binning::sturges_edges(min, max, reference.len() + current.len()).ok()?
    };
    let shares = |side: &[f64]| {
        let n = side.len() as f64;
        binning::histogram(side, &edges)
            .into_iter()
            .map(|c| c as f64 / n)
            .collect()
    };
    Some(Distribution::Histogram {
        reference: shares(reference),
        current: shares(current),
        edges,
    })
}

/// Category shares of two (label, count) lists.
pub fn categories(reference: &[(String, u64)], current: &[(String, u64)]) -> Option<Distribution> {
    let total = |side: &[(String, u64)]| side.iter().map(|(_, n)| *n).sum::<u64>() as f64;
    let (rt, ct) = (total(reference), total(current));
    if rt == 0.0 || ct == 0.0 {
        return None;
    }
    let mut rows: Vec<(String, f64, f64)> = Vec::new();
    let mut index = std::collections::HashMap::new();
    for (label, n) in reference {
        index.insert(label.as_str(), rows.len());
        rows.push((label.clone(), *n as f64 / rt, 0.0));
    }
    for (label, n) in current {
        match index.get(label.as_str()) {
            Some(&i) => rows[i].2 = *n as f64 / ct,
            None => rows.push((label.clone(), 0.0, *n as f64 / ct)),
        }
    }
    rows.sort_by(|a, b| {
        b.1.max(b.2)
            .total_cmp(&a.1.max(a.2))
            .then_with(|| a.0.cmp(&b.0))
    });
    let other = (rows.len() > MAX_CATEGORIES).then(|| {
        rows[MAX_CATEGORIES..]
            .iter()
            .fold((0.0, 0.0), |(r, c), row| (r + row.1, c + row.2))
    });
    rows.truncate(MAX_CATEGORIES);
    Some(Distribution::Categories {
        status: rows
            .iter()
            .map(|(_, r, c)| match (*r > 0.0, *c > 0.0) {
                (true, true) => CategoryStatus::Both,
                (false, _) => CategoryStatus::New,
                (true, false) => CategoryStatus::Vanished,
            })
            .collect(),
        reference: rows.iter().map(|r| r.1).collect(),
        current: rows.iter().map(|r| r.2).collect(),
        labels: rows.into_iter().map(|r| r.0).collect(),
        other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_shares_sum_to_one_on_shared_edges() {
        let r = [1.0, 2.0, 3.0, 4.0];
        let c = [3.0, 4.0, 5.0, 6.0];
        let Some(Distribution::Histogram {
            edges,
            reference,
            current,
        }) = histogram(&r, &c)
        else {
            panic!()
        };
        assert_eq!(edges.len(), reference.len() + 1);
        assert_eq!(edges[0], 1.0);
        assert_eq!(*edges.last().unwrap(), 6.0);
        assert!((reference.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!((current.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(matches!(
            histogram(&[2.0], &[2.0]),
            Some(Distribution::Histogram { .. })
        ));
        assert_eq!(histogram(&[], &[1.0]), None);
    }

    #[test]
    fn categories_mark_new_and_vanished_and_cut_the_tail() {
        let l = |v: &[(&str, u64)]| {
            v.iter()
                .map(|(s, n)| (s.to_string(), *n))
                .collect::<Vec<_>>()
        };
        let Some(Distribution::Categories {
            labels,
            status,
            other,
            ..
        }) = categories(&l(&[("a", 5), ("b", 5)]), &l(&[("a", 5), ("c", 5)]))
        else {
            panic!()
        };
        assert_eq!(labels, ["a", "b", "c"]);
        assert_eq!(
            status,
            [
                CategoryStatus::Both,
                CategoryStatus::Vanished,
                CategoryStatus::New
            ]
        );
        assert_eq!(other, None);
        let many: Vec<(String, u64)> = (0..30).map(|i| (format!("k{i:02}"), 1)).collect();
        let Some(Distribution::Categories { labels, other, .. }) = categories(&many, &many) else {
            panic!()
        };
        assert_eq!(labels.len(), MAX_CATEGORIES);
        let (r, c) = other.unwrap();
        assert!((r - 10.0 / 30.0).abs() < 1e-12 && (c - r).abs() < 1e-12);
    }
}
