//! Summary statistics of one side of a numerical column, computed from its
//! sorted finite values. Pure.

/// Summary of a numerical sample, as pandas' `describe()` reports it (sample
/// standard deviation, quantiles with linear interpolation).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Summary {
    pub mean: f64,
    /// Sample standard deviation (ddof = 1); `None` for fewer than 2 values.
    pub std: Option<f64>,
    pub min: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    pub max: f64,
}

/// Summarises `sorted` (finite values, ascending). `None` when empty.
pub fn summarize(sorted: &[f64]) -> Option<Summary> {
    let (&min, &max) = (sorted.first()?, sorted.last()?);
    let n = sorted.len() as f64;
    let mean = super::sum::sum(sorted) / n;
    let std = (sorted.len() > 1).then(|| {
        let ss: f64 = sorted.iter().map(|x| (x - mean) * (x - mean)).sum();
        (ss / (n - 1.0)).sqrt()
    });
    Some(Summary {
        mean,
        std,
        min,
        p25: quantile(sorted, 0.25),
        p50: quantile(sorted, 0.5),
        p75: quantile(sorted, 0.75),
        max,
    })
}

/// Population standard deviation (ddof = 0), as `np.std`.
pub fn population_std(values: &[f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let n = values.len() as f64;
    let mean = super::sum::sum(values) / n;
    (values.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n).sqrt()
}

/// The `q` quantile of sorted data with numpy's default (`linear`)
/// interpolation. `sorted` must be non-empty.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    let frac = pos - lo as f64;
    sorted[lo] + (sorted[hi] - sorted[lo]) * frac
}

/// Number of distinct values in sorted data.
pub fn distinct_sorted(sorted: &[f64]) -> usize {
    if sorted.is_empty() {
        return 0;
    }
    1 + sorted.windows(2).filter(|w| w[0] != w[1]).count()
}

/// Distinct values of two sorted slices together, counting stops at `cap`
/// (the `auto` choice only asks whether there are more than 5).
pub fn distinct_union_sorted(a: &[f64], b: &[f64], cap: usize) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    let mut last: Option<f64> = None;
    while (i < a.len() || j < b.len()) && n < cap {
        let v = if j >= b.len() || (i < a.len() && a[i] <= b[j]) {
            i += 1;
            a[i - 1]
        } else {
            j += 1;
            b[j - 1]
        };
        if last != Some(v) {
            n += 1;
            last = Some(v);
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values from numpy 2.x:
    //   x = np.array([1, 2, 2, 3, 7, 10.5]); x.mean(), x.std(ddof=1), (checked with Python statistics.stdev/pstdev)
    //   np.quantile(x, [.25, .5, .75]), np.std(x)
    #[test]
    fn matches_numpy() {
        let x = [1.0, 2.0, 2.0, 3.0, 7.0, 10.5];
        let s = summarize(&x).unwrap();
        assert!((s.mean - 4.25).abs() < 1e-12);
        assert!((s.std.unwrap() - 3.711468711979127).abs() < 1e-12);
        assert_eq!((s.min, s.max), (1.0, 10.5));
        assert!((s.p25 - 2.0).abs() < 1e-12);
        assert!((s.p50 - 2.5).abs() < 1e-12);
        assert!((s.p75 - 6.0).abs() < 1e-12);
        assert!((population_std(&x) - 3.3880918917093537).abs() < 1e-12);
        assert_eq!(distinct_sorted(&x), 5);
        assert_eq!(distinct_union_sorted(&[1.0, 2.0, 2.0], &[2.0, 3.0], 100), 3);
        assert_eq!(distinct_union_sorted(&[1.0, 2.0, 4.0], &[2.0, 3.0], 2), 2);
        assert_eq!(distinct_union_sorted(&[], &[5.0, 5.0], 100), 1);
    }

    #[test]
    fn edge_cases() {
        assert_eq!(summarize(&[]), None);
        let one = summarize(&[3.0]).unwrap();
        assert_eq!((one.mean, one.std, one.p50), (3.0, None, 3.0));
        assert_eq!(distinct_sorted(&[]), 0);
    }
}
