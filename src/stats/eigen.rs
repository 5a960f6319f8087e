//! Eigen-decomposition of a small symmetric matrix (the d x d covariance of
//! multivariate drift) by the cyclic Jacobi method: plane rotations that
//! zero one off-diagonal entry at a time, sweeping until the off-diagonal
//! mass is negligible. Accurate to a few ulps of the largest eigenvalue and
//! simple enough to check by hand; O(d^3) per sweep, a handful of sweeps.
//!
//! Why not `nalgebra::SymmetricEigen`: nalgebra needs `num-complex`, which
//! turns on `num-traits/i128`, and that feature change rebuilds every polars
//! crate (about half an hour on the build machine). Callers: `principal_axes`
//! in `pca.rs` (multivariate drift) and the Epps-Singleton test's covariance.
//!
//! Pure: no files, clock or printing.

/// Eigenvalues (unsorted) and eigenvectors of the symmetric `d x d` matrix
/// `a` (row-major; only symmetric input is meaningful). The eigenvectors
/// are the columns of the returned row-major `d x d` matrix, unit length,
/// column `i` belonging to eigenvalue `i`.
pub fn symmetric_eigen(mut a: Vec<f64>, d: usize) -> (Vec<f64>, Vec<f64>) {
    assert_eq!(a.len(), d * d, "a d x d matrix");
    let mut v = vec![0.0; d * d];
    for i in 0..d {
        v[i * d + i] = 1.0;
    }
    let scale: f64 = a.iter().map(|x| x * x).sum::<f64>().sqrt();
    if scale == 0.0 || !scale.is_finite() {
        return ((0..d).map(|i| a[i * d + i]).collect(), v);
    }
    for _sweep in 0..64 {
        let off: f64 = (0..d)
            .flat_map(|p| (p + 1..d).map(move |q| (p, q)))
            .map(|(p, q)| a[p * d + q] * a[p * d + q])
            .sum::<f64>()
            .sqrt();
        if off <= f64::EPSILON * 1e-3 * scale {
            break;
        }
        for p in 0..d {
            for q in p + 1..d {
                let apq = a[p * d + q];
                if apq == 0.0 {
                    continue;
                }
                let (app, aqq) = (a[p * d + p], a[q * d + q]);
                // Rotation angle phi with cot(2 phi) = theta zeroes a[p][q];
                // t = tan(phi), the smaller root of t^2 + 2 theta t - 1 = 0.
                let theta = (aqq - app) / (2.0 * apq);
                let t = if theta.is_infinite() {
                    1.0 / (2.0 * theta)
                } else {
                    theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt())
                };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                // A <- J^T A J, V <- V J (columns p and q, then rows).
                for k in 0..d {
                    let (akp, akq) = (a[k * d + p], a[k * d + q]);
                    a[k * d + p] = c * akp - s * akq;
                    a[k * d + q] = s * akp + c * akq;
                }
                for k in 0..d {
                    let (apk, aqk) = (a[p * d + k], a[q * d + k]);
                    a[p * d + k] = c * apk - s * aqk;
                    a[q * d + k] = s * apk + c * aqk;
                }
                a[p * d + q] = 0.0;
                a[q * d + p] = 0.0;
                for k in 0..d {
                    let (vkp, vkq) = (v[k * d + p], v[k * d + q]);
                    v[k * d + p] = c * vkp - s * vkq;
                    v[k * d + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    ((0..d).map(|i| a[i * d + i]).collect(), v)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A V = V diag(lambda), V orthonormal.
    fn check(a: &[f64], d: usize) -> Vec<f64> {
        let (values, v) = symmetric_eigen(a.to_vec(), d);
        let norm = a.iter().map(|x| x * x).sum::<f64>().sqrt().max(1.0);
        for i in 0..d {
            for j in 0..d {
                let av: f64 = (0..d).map(|k| a[i * d + k] * v[k * d + j]).sum();
                assert!(
                    (av - values[j] * v[i * d + j]).abs() < 1e-13 * norm,
                    "A v = lambda v"
                );
                let dot: f64 = (0..d).map(|k| v[k * d + i] * v[k * d + j]).sum();
                let want = if i == j { 1.0 } else { 0.0 };
                assert!((dot - want).abs() < 1e-12, "orthonormal");
            }
        }
        let mut sorted = values;
        sorted.sort_by(f64::total_cmp);
        sorted
    }

    #[test]
    fn two_by_two_by_hand() {
        // [[2, 1], [1, 2]] has eigenvalues 1 and 3.
        let values = check(&[2.0, 1.0, 1.0, 2.0], 2);
        assert!((values[0] - 1.0).abs() < 1e-15 && (values[1] - 3.0).abs() < 1e-15);
    }

    #[test]
    fn diagonal_and_zero_matrices_are_their_own_decomposition() {
        assert_eq!(check(&[3.0, 0.0, 0.0, -1.0], 2), vec![-1.0, 3.0]);
        assert_eq!(symmetric_eigen(vec![0.0; 4], 2).0, vec![0.0, 0.0]);
        assert_eq!(symmetric_eigen(Vec::new(), 0).0, Vec::<f64>::new());
    }

    proptest::proptest! {
        #[test]
        fn random_symmetric_matrices_decompose(
            d in 1usize..9,
            entries in proptest::collection::vec(-10.0f64..10.0, 81),
        ) {
            let mut a = vec![0.0; d * d];
            for i in 0..d {
                for j in i..d {
                    a[i * d + j] = entries[i * 9 + j];
                    a[j * d + i] = entries[i * 9 + j];
                }
            }
            let values = check(&a, d);
            let trace: f64 = (0..d).map(|i| a[i * d + i]).sum();
            proptest::prop_assert!((values.iter().sum::<f64>() - trace).abs() < 1e-10);
        }
    }
}
