//! Multiple-testing corrections across columns: many p-value tests at once
//! flag some column by chance; these adjust for it. Pure.

/// Bonferroni: `min(1, m * p)`.
pub fn bonferroni(p: &[f64]) -> Vec<f64> {
    let m = p.len() as f64;
    p.iter().map(|&x| (x * m).min(1.0)).collect()
}

/// Benjamini-Hochberg adjusted p-values (q-values), in input order:
/// `q_(i) = min_{j >= i} m * p_(j) / j`, capped at 1, as
/// `scipy.stats.false_discovery_control(p, method="bh")`.
pub fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let mut q = vec![0.0; m];
    let mut running = 1.0f64;
    for (rank, &i) in order.iter().enumerate().rev() {
        running = running.min(p[i] * m as f64 / (rank + 1) as f64);
        q[i] = running;
    }
    q
}

/// The raw-p threshold Benjamini-Hochberg amounts to at level `alpha`:
/// `k * alpha / m` for the largest `k` with `p_(k) <= k * alpha / m`, or
/// `alpha / m` when nothing is rejected (the bar the smallest p-value had to
/// clear).
pub fn bh_threshold(p: &[f64], alpha: f64) -> f64 {
    let m = p.len();
    if m == 0 {
        return alpha;
    }
    let mut sorted = p.to_vec();
    sorted.sort_by(f64::total_cmp);
    let k = (1..=m)
        .rev()
        .find(|&k| sorted[k - 1] <= k as f64 * alpha / m as f64)
        .unwrap_or(1);
    k as f64 * alpha / m as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values: scipy.stats.false_discovery_control(
    //   [0.01, 0.04, 0.03, 0.005, 0.2], method="bh")
    //   -> [0.025, 0.05, 0.05, 0.025, 0.2]
    #[test]
    fn bh_matches_scipy() {
        let p = [0.01, 0.04, 0.03, 0.005, 0.2];
        let q = benjamini_hochberg(&p);
        let want = [0.025, 0.05, 0.05, 0.025, 0.2];
        for (a, b) in q.iter().zip(want) {
            assert!((a - b).abs() < 1e-12, "{q:?}");
        }
        // Sorted: 0.005 0.01 0.03 0.04 0.2; k/m*0.05 = .01 .02 .03 .04 .05
        // largest k with p_(k) <= bound is 4.
        assert!((bh_threshold(&p, 0.05) - 0.04).abs() < 1e-12);
        assert!((bh_threshold(&[0.5, 0.9], 0.05) - 0.025).abs() < 1e-12);
    }

    #[test]
    fn bonferroni_caps_at_one() {
        assert_eq!(bonferroni(&[0.01, 0.5]), vec![0.02, 1.0]);
        assert!(benjamini_hochberg(&[]).is_empty());
    }
}
