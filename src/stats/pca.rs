//! Multivariate drift by data reconstruction, as NannyML 0.13's
//! `DataReconstructionDriftCalculator` computes it: impute (mean / most
//! frequent), encode categories by their reference frequency, standardise
//! on the reference, keep the principal components that explain the asked
//! share of variance (65 % by default), and measure how far each row lies
//! from its reconstruction (Euclidean distance). A batch's value is the mean
//! error; thresholds are the mean +- 3 std of reference-chunk means.
//!
//! Must not read files, look at the clock or print. Checked against NannyML
//! 0.13.1 in `fixtures/reference/multivariate.json`
//! (`scripts/reference/nannyml_reference.py`).
//!
//! The principal axes are the eigenvectors of the d x d covariance matrix of
//! the standardised reference (`eigen::symmetric_eigen`, cyclic Jacobi), which
//! is what scikit-learn's PCA does itself for tall data
//! (`svd_solver="covariance_eigh"`).
//! The error depends only on the retained subspace, so eigenvector signs do
//! not matter.

use std::collections::HashMap;
use std::ops::Range;

use super::StatsError;

/// NannyML's default share of variance the kept components explain.
pub const DEFAULT_VARIANCE: f64 = 0.65;

/// One feature column, row-aligned with the others; `None` is missing.
#[derive(Debug, Clone, Copy)]
pub enum Feature<'a> {
    Numeric(&'a [Option<f64>]),
    Categorical(&'a [Option<String>]),
}

impl Feature<'_> {
    fn len(&self) -> usize {
        match self {
            Feature::Numeric(v) => v.len(),
            Feature::Categorical(v) => v.len(),
        }
    }
}

/// How one column becomes one standardised number.
#[derive(Debug, Clone, PartialEq)]
enum Encoder {
    /// Missing -> the reference mean.
    Numeric { fill: f64 },
    /// Missing -> the most frequent category; then the category's share of
    /// the (imputed) reference; unseen categories -> 0.
    Categorical {
        fill: String,
        frequency: HashMap<String, f64>,
    },
}

/// The fitted reconstruction: encoders, scaler and the kept components.
#[derive(Debug, Clone, PartialEq)]
pub struct Reconstruction {
    encoders: Vec<Encoder>,
    mean: Vec<f64>,
    scale: Vec<f64>,
    /// Mean of the standardised reference (PCA centres again; ~0).
    center: Vec<f64>,
    /// k x d, rows are the kept principal axes.
    components: Vec<f64>,
    k: usize,
    /// Explained-variance ratio of every component, largest first.
    pub explained_variance_ratio: Vec<f64>,
}

impl Reconstruction {
    /// Number of kept components.
    pub fn components(&self) -> usize {
        self.k
    }

    pub fn features(&self) -> usize {
        self.encoders.len()
    }
}

/// Fits on the reference columns (all the same length, at least two rows).
/// `variance` in (0, 1): keep the fewest components whose cumulative
/// explained-variance ratio exceeds it (scikit-learn's float
/// `n_components`).
pub fn fit(reference: &[Feature<'_>], variance: f64) -> Result<Reconstruction, StatsError> {
    let d = reference.len();
    let n = reference.first().map_or(0, Feature::len);
    if d == 0 {
        return Err(StatsError::Undefined(
            "multivariate drift needs at least one feature column".into(),
        ));
    }
    if reference.iter().any(|f| f.len() != n) || n < 2 {
        return Err(StatsError::Undefined(
            "multivariate drift needs at least two reference rows".into(),
        ));
    }
    if !(variance > 0.0 && variance < 1.0) {
        return Err(StatsError::Undefined(format!(
            "the explained variance must be between 0 and 1 (exclusive), not {variance}"
        )));
    }
    let encoders = reference
        .iter()
        .map(|f| {
            encoder(f).ok_or_else(|| {
                StatsError::Undefined("a feature column has no values in the reference".into())
            })
        })
        .collect::<Result<Vec<_>, _>>()?;

    // StandardScaler: mean and population std of each encoded column.
    let mut encoded = vec![0.0; n * d];
    for (j, f) in reference.iter().enumerate() {
        for i in 0..n {
            encoded[i * d + j] = encode(&encoders[j], f, i);
        }
    }
    let mut mean = vec![0.0; d];
    let mut scale = vec![0.0; d];
    for j in 0..d {
        let col: Vec<f64> = (0..n).map(|i| encoded[i * d + j]).collect();
        let m = super::sum::sum(&col) / n as f64;
        let sq: Vec<f64> = col.iter().map(|v| (v - m) * (v - m)).collect();
        let sd = (super::sum::sum(&sq) / n as f64).sqrt();
        mean[j] = m;
        // sklearn keeps zero-variance columns unscaled.
        scale[j] = if sd == 0.0 || !sd.is_finite() {
            1.0
        } else {
            sd
        };
    }
    for i in 0..n {
        for j in 0..d {
            let v = &mut encoded[i * d + j];
            *v = (*v - mean[j]) / scale[j];
        }
    }
    let mut center = vec![0.0; d];
    for (j, c) in center.iter_mut().enumerate() {
        let col: Vec<f64> = (0..n).map(|i| encoded[i * d + j]).collect();
        *c = super::sum::sum(&col) / n as f64;
    }
    // Covariance of the centred, standardised reference (upper triangle).
    let mut cov = vec![0.0; d * d];
    let mut row = vec![0.0; d];
    for i in 0..n {
        for j in 0..d {
            row[j] = encoded[i * d + j] - center[j];
        }
        for a in 0..d {
            let ra = row[a];
            for b in a..d {
                cov[a * d + b] += ra * row[b];
            }
        }
    }
    for a in 0..d {
        for b in a..d {
            let v = cov[a * d + b] / (n - 1) as f64;
            cov[a * d + b] = v;
            cov[b * d + a] = v;
        }
    }
    let (components, explained_variance_ratio) = principal_axes(cov, d, variance)?;
    Ok(Reconstruction {
        encoders,
        mean,
        scale,
        center,
        k: components.len() / d,
        components,
        explained_variance_ratio,
    })
}

/// The kept axes (k x d, row-major) and every component's
/// explained-variance ratio, largest first.
fn principal_axes(
    cov: Vec<f64>,
    d: usize,
    variance: f64,
) -> Result<(Vec<f64>, Vec<f64>), StatsError> {
    let (eigenvalues, eigenvectors) = super::eigen::symmetric_eigen(cov, d);
    let mut order: Vec<usize> = (0..d).collect();
    order.sort_by(|&a, &b| eigenvalues[b].total_cmp(&eigenvalues[a]));
    // Rounding can leave tiny negative eigenvalues of a singular matrix.
    let values: Vec<f64> = order.iter().map(|&i| eigenvalues[i].max(0.0)).collect();
    let total: f64 = values.iter().sum();
    if !(total > 0.0) || !total.is_finite() {
        return Err(StatsError::Undefined(
            "multivariate drift needs features that vary in the reference".into(),
        ));
    }
    let ratio: Vec<f64> = values.iter().map(|v| v / total).collect();
    // searchsorted(cumsum, variance, side="right") + 1
    let mut cumulative = 0.0;
    let mut at_most = 0;
    for r in &ratio {
        cumulative += r;
        if cumulative <= variance {
            at_most += 1;
        }
    }
    let k = (at_most + 1).min(d);
    // Eigenvector i is column i of the row-major d x d result.
    let components = (0..k)
        .flat_map(|c| (0..d).map(move |j| (c, j)))
        .map(|(c, j)| eigenvectors[j * d + order[c]])
        .collect();
    Ok((components, ratio))
}

fn encoder(f: &Feature<'_>) -> Option<Encoder> {
    match f {
        Feature::Numeric(v) => {
            let present: Vec<f64> = v
                .iter()
                .flatten()
                .copied()
                .filter(|x| x.is_finite())
                .collect();
            (!present.is_empty()).then(|| Encoder::Numeric {
                fill: super::sum::sum(&present) / present.len() as f64,
            })
        }
        Feature::Categorical(v) => {
            let mut counts: HashMap<&str, usize> = HashMap::new();
            for c in v.iter().flatten() {
                *counts.entry(c.as_str()).or_default() += 1;
            }
            // SimpleImputer("most_frequent"): the smallest of the tied.
            let fill = counts
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))?
                .0
                .to_string();
            let missing = v.len() - counts.values().sum::<usize>();
            *counts.get_mut(fill.as_str())? += missing;
            let n = v.len() as f64;
            Some(Encoder::Categorical {
                frequency: counts
                    .into_iter()
                    .map(|(c, k)| (c.to_string(), k as f64 / n))
                    .collect(),
                fill,
            })
        }
    }
}

fn encode(e: &Encoder, f: &Feature<'_>, row: usize) -> f64 {
    match (e, f) {
        (Encoder::Numeric { fill }, Feature::Numeric(v)) => match v[row] {
            Some(x) if x.is_finite() => x,
            _ => *fill,
        },
        (Encoder::Categorical { fill, frequency }, Feature::Categorical(v)) => {
            let c = v[row].as_deref().unwrap_or(fill);
            frequency.get(c).copied().unwrap_or(0.0)
        }
        // A column whose type changed between the sides: every value is
        // as if unseen.
        (Encoder::Numeric { fill }, Feature::Categorical(_)) => *fill,
        (Encoder::Categorical { .. }, Feature::Numeric(_)) => 0.0,
    }
}

/// The reconstruction error of every row of `columns` (ordered as at fit).
pub fn errors(fit: &Reconstruction, columns: &[Feature<'_>]) -> Result<Vec<f64>, StatsError> {
    let d = fit.features();
    if columns.len() != d {
        return Err(StatsError::Undefined(format!(
            "multivariate drift was fitted on {d} features, got {}",
            columns.len()
        )));
    }
    let n = columns.first().map_or(0, Feature::len);
    if columns.iter().any(|f| f.len() != n) {
        return Err(StatsError::Undefined(
            "multivariate drift needs columns of equal length".into(),
        ));
    }
    let k = fit.components();
    // Rows are independent: the result does not depend on the thread count.
    use rayon::prelude::*;
    let out = (0..n)
        .into_par_iter()
        .map_init(
            || (vec![0.0; d], vec![0.0; k]),
            |(z, proj), i| {
                for j in 0..d {
                    z[j] = (encode(&fit.encoders[j], &columns[j], i) - fit.mean[j]) / fit.scale[j]
                        - fit.center[j];
                }
                for (c, p) in proj.iter_mut().enumerate() {
                    *p = (0..d).map(|j| fit.components[c * d + j] * z[j]).sum();
                }
                let mut sq = 0.0;
                for j in 0..d {
                    let back: f64 = (0..k).map(|c| proj[c] * fit.components[c * d + j]).sum();
                    let r = z[j] - back;
                    sq += r * r;
                }
                sq.sqrt()
            },
        )
        .collect();
    Ok(out)
}

/// One batch's result: mean error and its standard error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BatchError {
    pub mean: f64,
    /// std (ddof 1) / sqrt(n); `None` for one row.
    pub sampling_error: Option<f64>,
}

pub fn batch_error(errors: &[f64]) -> Option<BatchError> {
    let n = errors.len();
    if n == 0 {
        return None;
    }
    let mean = super::sum::sum(errors) / n as f64;
    let sampling_error = (n > 1).then(|| {
        let sq: Vec<f64> = errors.iter().map(|e| (e - mean) * (e - mean)).collect();
        (super::sum::sum(&sq) / (n - 1) as f64).sqrt() / (n as f64).sqrt()
    });
    Some(BatchError {
        mean,
        sampling_error,
    })
}

/// Thresholds from the reference chunks' mean errors: mean -/+ 3 std
/// (ddof 0). The lower one is dropped (`None`) when it is not above 0, as
/// NannyML drops it.
pub fn thresholds(errors: &[f64], chunks: &[Range<usize>]) -> (Option<f64>, Option<f64>) {
    let values: Vec<f64> = chunks
        .iter()
        .filter_map(|r| batch_error(&errors[r.clone()]).map(|b| b.mean))
        .collect();
    if values.is_empty() {
        return (None, None);
    }
    let n = values.len() as f64;
    let mean = super::sum::sum(&values) / n;
    let sq: Vec<f64> = values.iter().map(|v| (v - mean) * (v - mean)).collect();
    let std = (super::sum::sum(&sq) / n).sqrt();
    let lower = mean - super::cbpe::THRESHOLD_STD * std;
    (
        (lower > 0.0).then_some(lower),
        Some(mean + super::cbpe::THRESHOLD_STD * std),
    )
}

/// Alert when the value is not strictly between the thresholds.
pub fn alert(value: f64, lower: Option<f64>, upper: Option<f64>) -> bool {
    !(lower.is_none_or(|l| l < value) && upper.is_none_or(|u| value < u))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric(v: &[f64]) -> Vec<Option<f64>> {
        v.iter().map(|x| Some(*x)).collect()
    }

    #[test]
    fn perfectly_correlated_features_reconstruct_exactly() {
        let a = numeric(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        let b = numeric(&[2.0, 4.0, 6.0, 8.0, 10.0]);
        let cols = [Feature::Numeric(&a), Feature::Numeric(&b)];
        let fit = fit(&cols, 0.65).unwrap();
        assert_eq!(fit.components(), 1);
        assert!((fit.explained_variance_ratio[0] - 1.0).abs() < 1e-12);
        for e in errors(&fit, &cols).unwrap() {
            assert!(e < 1e-12, "{e}");
        }
        // A row that breaks the correlation is far from its reconstruction:
        // z = (0, +-sqrt(2)) standardised, error = |z_a - z_b| / sqrt(2).
        let (a2, b2) = (numeric(&[3.0]), numeric(&[2.0]));
        let e = errors(&fit, &[Feature::Numeric(&a2), Feature::Numeric(&b2)]).unwrap();
        assert!((e[0] - 1.0).abs() < 1e-12, "{}", e[0]);
    }

    #[test]
    fn categories_encode_by_reference_frequency_and_missing_imputes() {
        let c: Vec<Option<String>> = ["a", "a", "b", "c"]
            .iter()
            .map(|s| Some(s.to_string()))
            .collect();
        let e = encoder(&Feature::Categorical(&c)).unwrap();
        let probe: Vec<Option<String>> = vec![None, Some("z".into()), Some("b".into())];
        let f = Feature::Categorical(&probe);
        assert_eq!(encode(&e, &f, 0), 0.5);
        assert_eq!(encode(&e, &f, 1), 0.0);
        assert_eq!(encode(&e, &f, 2), 0.25);
        let tie: Vec<Option<String>> = vec![Some("y".into()), Some("x".into()), None];
        match encoder(&Feature::Categorical(&tie)).unwrap() {
            Encoder::Categorical { fill, frequency } => {
                assert_eq!(fill, "x");
                assert!((frequency["x"] - 2.0 / 3.0).abs() < 1e-15);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn thresholds_and_alerts() {
        let errs = [1.0, 1.0, 2.0, 2.0];
        let (lo, hi) = thresholds(&errs, &[0..2, 2..4]);
        assert_eq!(lo, None, "1.5 - 3 * 0.5 = 0 is dropped");
        assert_eq!(hi, Some(3.0));
        assert!(alert(3.0, lo, hi));
        assert!(!alert(2.9, lo, hi));
        assert!(alert(0.5, Some(1.0), None));
    }

    #[test]
    fn rejects_unusable_input() {
        let one = numeric(&[1.0]);
        assert!(fit(&[Feature::Numeric(&one)], 0.65).is_err());
        let constant = numeric(&[1.0, 1.0, 1.0]);
        assert!(fit(&[Feature::Numeric(&constant)], 0.65).is_err());
        let ok = numeric(&[1.0, 2.0, 4.0]);
        assert!(fit(&[Feature::Numeric(&ok)], 1.0).is_err());
        let empty: Vec<Option<f64>> = vec![None, None];
        assert!(fit(&[Feature::Numeric(&empty)], 0.65).is_err());
        assert_eq!(batch_error(&[]), None);
    }

    /// NannyML 0.13.1's DataReconstructionDriftCalculator on
    /// `fixtures/cbpe/*.csv` (x1..x4 numeric with missing x3, c1
    /// categorical with missing). Tolerance 1e-9: the axes come from another
    /// eigen-solver (LAPACK's, via sklearn) and the sums run in another order.
    #[test]
    fn reconstruction_matches_nannyml() {
        use super::super::cbpe::{equal_chunks, fixture};
        let doc = fixture::reference();
        let expected = &doc["multivariate"];
        let load = |file| {
            let t = fixture::table(file);
            let numeric: Vec<Vec<Option<f64>>> = ["x1", "x2", "x3", "x4"]
                .iter()
                .map(|c| t.column(c))
                .collect();
            (numeric, t.labels("c1"))
        };
        let (ref_num, ref_cat) = load("reference.csv");
        let (cur_num, cur_cat) = load("current.csv");
        fn features<'a>(
            num: &'a [Vec<Option<f64>>],
            cat: &'a [Option<String>],
        ) -> Vec<Feature<'a>> {
            let mut f: Vec<Feature<'a>> = num.iter().map(|c| Feature::Numeric(c)).collect();
            f.push(Feature::Categorical(cat));
            f
        }
        let reference = features(&ref_num, &ref_cat);
        let current = features(&cur_num, &cur_cat);
        let fit = fit(&reference, 0.65).unwrap();
        assert_eq!(
            fit.components() as u64,
            expected["n_components"].as_u64().unwrap()
        );
        let close = |got: f64, want: f64, what: &str| {
            assert!(
                (got - want).abs() <= 1e-9,
                "{what}: {got} vs NannyML {want}"
            );
        };
        for (i, want) in fixture::floats(&expected["explained_variance_ratio"])
            .iter()
            .enumerate()
        {
            close(
                fit.explained_variance_ratio[i],
                *want,
                "explained variance ratio",
            );
        }
        let ref_errors = errors(&fit, &reference).unwrap();
        let cur_errors = errors(&fit, &current).unwrap();
        for (got, want) in ref_errors
            .iter()
            .zip(fixture::floats(&expected["reference_row_errors"]))
        {
            close(*got, want, "reference row error");
        }
        for (got, want) in cur_errors
            .iter()
            .zip(fixture::floats(&expected["current_row_errors"]))
        {
            close(*got, want, "current row error");
        }
        let chunks = equal_chunks(ref_errors.len(), 10);
        for (r, want) in chunks
            .iter()
            .zip(fixture::floats(&expected["reference_chunks"]))
        {
            close(
                batch_error(&ref_errors[r.clone()]).unwrap().mean,
                want,
                "reference chunk",
            );
        }
        let (lo, hi) = thresholds(&ref_errors, &chunks);
        assert_eq!(lo.is_some(), expected["lower_threshold"].is_number());
        if let Some(lo) = lo {
            close(
                lo,
                expected["lower_threshold"].as_f64().unwrap(),
                "lower threshold",
            );
        }
        close(
            hi.unwrap(),
            expected["upper_threshold"].as_f64().unwrap(),
            "upper threshold",
        );
        let batch = batch_error(&cur_errors).unwrap();
        let want = &expected["current"];
        close(batch.mean, want["value"].as_f64().unwrap(), "current error");
        close(
            batch.sampling_error.unwrap(),
            want["sampling_error"].as_f64().unwrap(),
            "sampling error",
        );
        assert_eq!(alert(batch.mean, lo, hi), want["alert"].as_bool().unwrap());
    }

    /// Time of the eigen-decomposition by number of features (run by hand:
    /// `cargo test --lib eigen_time -- --ignored --nocapture`).
    #[test]
    #[ignore = "prints timings"]
    fn eigen_time_by_features() {
        for d in [8usize, 24, 64, 128, 256] {
            // A symmetric matrix with distinct eigenvalues: D + u u^T / d.
            let u = |k: usize| ((k * 7919) % 13) as f64 / 13.0;
            let cov: Vec<f64> = (0..d * d)
                .map(|x| {
                    let (i, j) = (x / d, x % d);
                    f64::from(u8::from(i == j)) * (1.0 + i as f64 / d as f64)
                        + u(i) * u(j) / d as f64
                })
                .collect();
            let runs = if d <= 128 { 20 } else { 3 };
            let start = std::time::Instant::now();
            for _ in 0..runs {
                let (axes, _) = principal_axes(cov.clone(), d, 0.65).unwrap();
                assert!(axes.len() >= d);
            }
            let each = start.elapsed().as_secs_f64() / runs as f64;
            println!("eigen d={d}: {:.3} ms", each * 1e3);
        }
    }
}
