//! `chi2` (alias `chisquare_2samp`): Pearson's chi-square test of
//! homogeneity on the 2 x k table of category counts, the two-sample test
//! the default decision uses for categorical and boolean columns. Pure.
//!
//! Unlike Evidently's `chisquare` (`categorical.rs`), a goodness-of-fit test
//! of the current counts against the reference *shares* as if those were
//! known exactly, this treats both rows as samples: its statistic is about
//! half the goodness-of-fit one at equal sizes, and its false-alarm rate is
//! the nominal one.

use statrs::distribution::{ChiSquared, ContinuousCDF};

use super::{CategoryCounts, Side, StatsError};

/// Cochran's rule: a cell whose expected count is below this makes the
/// chi-square approximation unreliable.
pub const MIN_EXPECTED: f64 = 5.0;

/// The test's outcome on the (possibly pooled) table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Chi2Result {
    pub statistic: f64,
    pub p_value: f64,
    /// Degrees of freedom: the number of cells after pooling, minus 1.
    pub dof: usize,
    /// How many categories were pooled into one cell because an expected
    /// count was below [`MIN_EXPECTED`] (0 when none were).
    pub pooled: usize,
}

/// `scipy.stats.chi2_contingency([reference, current])` (default
/// arguments: Yates' continuity correction when there is 1 degree of
/// freedom) on the table after small expected counts are handled:
///
/// 1. Categories absent on both sides are dropped (scipy would refuse a zero
///    column).
/// 2. Every category whose expected count `row_total * column_total / total`
///    is below 5 in either row is pooled into one "rare" cell.
/// 3. If that cell's expected count is still below 5, it is merged into the
///    smallest remaining category.
/// 4. Fewer than 2 cells left (one category overall): nothing to compare,
///    statistic 0 and p-value 1.
///
/// The pooling only merges categories, so a category that appears (or
/// vanishes) with enough rows to matter stays its own cell and drives the
/// statistic; a handful of rare labels no longer does.
pub fn chi2_homogeneity(counts: &CategoryCounts) -> Result<Chi2Result, StatsError> {
    if counts.reference.len() != counts.current.len() {
        return Err(StatsError::Undefined(format!(
            "the category counts are not aligned: {} reference categories, {} current ones",
            counts.reference.len(),
            counts.current.len()
        )));
    }
    let cells: Vec<(u64, u64)> = counts
        .reference
        .iter()
        .copied()
        .zip(counts.current.iter().copied())
        .filter(|&(r, c)| r > 0 || c > 0)
        .collect();
    let n_ref: u64 = cells.iter().map(|c| c.0).sum();
    let n_cur: u64 = cells.iter().map(|c| c.1).sum();
    if n_ref == 0 {
        return Err(StatsError::Empty(Side::Reference));
    }
    if n_cur == 0 {
        return Err(StatsError::Empty(Side::Current));
    }
    let (table, pooled) = pool(&cells, n_ref, n_cur);
    if table.len() < 2 {
        return Ok(Chi2Result {
            statistic: 0.0,
            p_value: 1.0,
            dof: 0,
            pooled,
        });
    }
    let total = (n_ref + n_cur) as f64;
    let dof = table.len() - 1;
    let statistic: f64 = table
        .iter()
        .flat_map(|&(r, c)| {
            let column = (r + c) as f64;
            [
                (r as f64, n_ref as f64 * column / total),
                (c as f64, n_cur as f64 * column / total),
            ]
        })
        .map(|(observed, expected)| {
            let mut diff = (observed - expected).abs();
            if dof == 1 {
                // scipy moves each observed count 0.5 towards its expected
                // count, never past it.
                diff -= diff.min(0.5);
            }
            diff * diff / expected
        })
        .sum();
    let chi2 = ChiSquared::new(dof as f64).map_err(|e| {
        StatsError::Undefined(format!("chi-square with {dof} degrees of freedom: {e}"))
    })?;
    Ok(Chi2Result {
        statistic,
        // `sf` keeps its relative accuracy for tiny p-values (see
        // `categorical::chisquare`).
        p_value: chi2.sf(statistic),
        dof,
        pooled,
    })
}

/// The table after pooling the categories with an expected count below
/// [`MIN_EXPECTED`], and how many were pooled.
fn pool(cells: &[(u64, u64)], n_ref: u64, n_cur: u64) -> (Vec<(u64, u64)>, usize) {
    let total = (n_ref + n_cur) as f64;
    let smaller_row = n_ref.min(n_cur) as f64;
    let sparse = |&(r, c): &(u64, u64)| smaller_row * (r + c) as f64 / total < MIN_EXPECTED;
    let mut table: Vec<(u64, u64)> = cells.iter().copied().filter(|c| !sparse(c)).collect();
    let rare: Vec<(u64, u64)> = cells.iter().copied().filter(sparse).collect();
    if rare.is_empty() {
        return (table, 0);
    }
    let merged = rare.iter().fold((0, 0), |(r, c), &(a, b)| (r + a, c + b));
    if sparse(&merged) && !table.is_empty() {
        // The smallest remaining category takes the rare cell in (the first
        // of equals, so the result does not depend on sorting details).
        let (smallest, _) = table
            .iter()
            .enumerate()
            .min_by_key(|(i, &(r, c))| (r + c, *i))
            .expect("table is not empty");
        table[smallest].0 += merged.0;
        table[smallest].1 += merged.1;
    } else {
        table.push(merged);
    }
    (table, rare.len())
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::super::binning::fixture::assert_p_close;
    use super::*;

    /// `fixtures/reference/homogeneity.json`, written by
    /// `scripts/reference/homogeneity_reference.py`: scipy's
    /// `chi2_contingency` on each table after the same pooling, written
    /// independently in Python.
    #[derive(Deserialize)]
    struct Case {
        name: String,
        reference: Vec<u64>,
        current: Vec<u64>,
        statistic: f64,
        pvalue: f64,
        dof: usize,
        pooled: usize,
    }

    #[test]
    fn matches_scipy_chi2_contingency() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/reference/homogeneity.json"
        ))
        .unwrap();
        let cases: Vec<Case> = serde_json::from_str::<serde_json::Value>(&text)
            .map(|v| serde_json::from_value(v["cases"].clone()).unwrap())
            .unwrap();
        assert!(cases.len() >= 10);
        for case in cases {
            let counts = CategoryCounts {
                reference: case.reference.clone(),
                current: case.current.clone(),
            };
            let got = chi2_homogeneity(&counts).unwrap();
            assert_eq!(got.dof, case.dof, "{}", case.name);
            assert_eq!(got.pooled, case.pooled, "{}", case.name);
            let tolerance = 1e-9 * case.statistic.abs().max(1.0);
            assert!(
                (got.statistic - case.statistic).abs() <= tolerance,
                "{}: statistic {} vs scipy {}",
                case.name,
                got.statistic,
                case.statistic
            );
            assert_p_close(&case.name, got.p_value, case.pvalue);
        }
    }

    #[test]
    fn identical_shares_give_p_one_and_a_single_category_is_not_evidence() {
        let same = CategoryCounts {
            reference: vec![100, 200, 300],
            current: vec![10, 20, 30],
        };
        let r = chi2_homogeneity(&same).unwrap();
        assert_eq!(r.statistic, 0.0);
        assert_eq!(r.p_value, 1.0);
        let one = CategoryCounts {
            reference: vec![0, 7],
            current: vec![0, 3],
        };
        let r = chi2_homogeneity(&one).unwrap();
        assert_eq!((r.dof, r.p_value), (0, 1.0));
        let empty = CategoryCounts {
            reference: vec![0],
            current: vec![3],
        };
        assert_eq!(
            chi2_homogeneity(&empty),
            Err(StatsError::Empty(Side::Reference))
        );
    }
}
