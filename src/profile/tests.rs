use proptest::prelude::*;

use super::*;
use crate::data::{Dataset, Family, RawColumn, Values};

fn dataset(numbers: &[f64], labels: &[Option<&str>]) -> Dataset {
    let finite: Vec<f64> = numbers.iter().copied().filter(|x| x.is_finite()).collect();
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for l in labels.iter().flatten() {
        *counts.entry(l.to_string()).or_insert(0) += 1;
    }
    Dataset {
        path: "d".into(),
        files: vec!["d.parquet".into()],
        rows: numbers.len(),
        columns: vec![
            RawColumn {
                name: "x".into(),
                dtype: "f64".into(),
                family: Family::Float,
                values: Values::Numbers {
                    null: 0,
                    nan: numbers.iter().filter(|x| x.is_nan()).count(),
                    infinite: numbers.iter().filter(|x| x.is_infinite()).count(),
                    finite,
                },
                rounded: None,
            },
            RawColumn {
                name: "s".into(),
                dtype: "str".into(),
                family: Family::String,
                values: Values::Labels {
                    counts: counts.into_iter().collect(),
                    null: labels.iter().filter(|l| l.is_none()).count(),
                },
                rounded: None,
            },
        ],
        names: vec!["x".into(), "s".into()],
        selected: false,
        duplicated_rows: 0,
        rows_of: Default::default(),
        warnings: Vec::new(),
    }
}

fn profile_of(numbers: &[f64], labels: &[Option<&str>]) -> Profile {
    Profile::from_dataset(&dataset(numbers, labels), "d", "test")
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * (1.0 + a.abs().max(b.abs()))
}

/// Equal up to rounding in sums and moments; everything else exactly.
fn assert_same(p: &Profile, q: &Profile) {
    assert_eq!(p.rows, q.rows);
    assert_eq!(p.sources, q.sources);
    assert_eq!(p.files, q.files);
    assert_eq!(p.columns.len(), q.columns.len());
    for (a, b) in p.columns.iter().zip(&q.columns) {
        match (&a.summary, &b.summary) {
            (Summary::Numbers(x), Summary::Numbers(y)) => {
                assert_eq!(
                    (x.null, x.nan, x.infinite, x.count, x.min, x.max),
                    (y.null, y.nan, y.infinite, y.count, y.min, y.max)
                );
                assert!(close(x.mean, y.mean), "{} vs {}", x.mean, y.mean);
                assert!(close(x.m2, y.m2), "{} vs {}", x.m2, y.m2);
                assert_eq!(x.exact, y.exact);
                assert_eq!(x.buckets.len(), y.buckets.len());
                for (u, v) in x.buckets.iter().zip(&y.buckets) {
                    assert_eq!(
                        (u.key, u.count, u.min, u.max),
                        (v.key, v.count, v.min, v.max)
                    );
                    assert!(close(u.sum, v.sum));
                    assert!(close(u.sum_sq, v.sum_sq));
                }
            }
            (x, y) => assert_eq!(x, y),
        }
    }
}

fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        8 => -1e6f64..1e6,
        4 => (0i32..20).prop_map(|i| i as f64),
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(-0.0),
    ]
}

fn label() -> impl Strategy<Value = Option<&'static str>> {
    prop_oneof![
        Just(None),
        Just(Some("a")),
        Just(Some("b")),
        Just(Some("c")),
        Just(Some("zz")),
    ]
}

fn shard() -> impl Strategy<Value = (Vec<f64>, Vec<Option<&'static str>>)> {
    (0usize..60).prop_flat_map(|n| {
        (
            proptest::collection::vec(value(), n),
            proptest::collection::vec(label(), n),
        )
    })
}

proptest! {
    #[test]
    fn merge_is_associative_commutative_and_equals_the_whole(
        a in shard(), b in shard(), c in shard()
    ) {
        let (pa, pb, pc) = (profile_of(&a.0, &a.1), profile_of(&b.0, &b.1), profile_of(&c.0, &c.1));
        let left = pa.merge(&pb).unwrap().merge(&pc).unwrap();
        let right = pa.merge(&pb.merge(&pc).unwrap()).unwrap();
        assert_same(&left, &right);
        assert_same(&pa.merge(&pb).unwrap(), &pb.merge(&pa).unwrap());
        let numbers: Vec<f64> = a.0.iter().chain(&b.0).chain(&c.0).copied().collect();
        let labels: Vec<Option<&str>> = a.1.iter().chain(&b.1).chain(&c.1).copied().collect();
        let mut whole = profile_of(&numbers, &labels);
        whole.sources = left.sources.clone();
        whole.files = left.files.clone();
        assert_same(&left, &whole);
    }

    #[test]
    fn encoding_round_trips(a in shard()) {
        let p = profile_of(&a.0, &a.1);
        prop_assert_eq!(decode(&encode(&p)).unwrap(), p);
    }
}

#[test]
fn merge_refuses_other_columns_with_the_names() {
    let a = profile_of(&[1.0], &[Some("a")]);
    let mut b = a.clone();
    b.columns[1].name = "t".into();
    assert_eq!(
        a.merge(&b).unwrap_err().to_string(),
        "the profiles have different columns: one has `s` where the other has `t`"
    );
    let mut c = a.clone();
    c.columns[0].dtype = "i64".into();
    assert_eq!(
        a.merge(&c).unwrap_err().to_string(),
        "column `x` is `f64` in one profile and `i64` in another"
    );
    let mut d = a.clone();
    d.columns.pop();
    assert_eq!(
        a.merge(&d).unwrap_err().to_string(),
        "the profiles have different columns: only one has `s`"
    );
}

#[test]
fn decode_refuses_foreign_truncated_corrupt_and_newer_files() {
    let bytes = encode(&profile_of(&[1.0, 2.5, 2.5], &[Some("a"), None, Some("b")]));
    assert_eq!(decode(b"PAR1....").unwrap_err(), FormatError::NotAProfile);
    assert_eq!(decode(b"").unwrap_err(), FormatError::NotAProfile);
    assert!(matches!(
        decode(&bytes[..bytes.len() - 1]).unwrap_err(),
        FormatError::Truncated { .. }
    ));
    assert!(matches!(
        decode(&bytes[..10]).unwrap_err(),
        FormatError::Truncated { .. }
    ));
    let mut flipped = bytes.clone();
    flipped[30] ^= 0x40;
    assert_eq!(decode(&flipped).unwrap_err(), FormatError::Checksum);
    let mut newer = bytes.clone();
    newer[8] = 2;
    assert_eq!(
        decode(&newer).unwrap_err().to_string(),
        "profile format version 2 is not supported (this driftmend reads version 1); rebuild it with `driftmend profile`"
    );
}

#[test]
fn decode_refuses_inconsistent_summaries_even_with_a_good_checksum() {
    let mut p = profile_of(&[1.0, 2.0, 3.0], &[Some("a"), Some("b"), None]);
    if let Summary::Numbers(n) = &mut p.columns[0].summary {
        n.buckets[0].count += 1;
    }
    assert_eq!(
        decode(&encode(&p)).unwrap_err().to_string(),
        "the profile is corrupt: column `x`: bucket counts do not add up"
    );
}

#[test]
fn labels_past_the_cap_keep_the_most_frequent() {
    let mut counts = BTreeMap::new();
    for i in 0..MAX_LABELS + 2 {
        counts.insert(format!("l{i:06}"), if i < 2 { 5 } else { 1 });
    }
    let s = cap_labels(counts, 0, 0);
    assert_eq!(s.counts.len(), MAX_LABELS);
    assert_eq!(s.other, 2);
    assert_eq!(s.counts[0], ("l000000".to_string(), 5));
}

/// Values that need buckets: more distinct values than the exact cap.
fn many(n: usize, shift: f64, seed: u64) -> Vec<f64> {
    let mut rng = crate::stats::rng::Rng::new(seed);
    (0..n)
        .map(|_| {
            // Box-Muller from two uniforms.
            let (u, v) = (rng.next_f64().max(1e-300), rng.next_f64());
            (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos() + shift
        })
        .collect()
}

#[test]
fn rebuilt_values_keep_the_exact_multiset_below_the_cap() {
    let xs: Vec<f64> = (0..5000).map(|i| ((i * 7919) % 997) as f64 / 8.0).collect();
    let p = profile_of(&xs, &[]);
    let Summary::Numbers(n) = &p.columns[0].summary else {
        unreachable!()
    };
    let mut sorted = xs.clone();
    sorted.sort_by(f64::total_cmp);
    assert_eq!(dataset::numbers(n), sorted);
}

#[test]
fn rebuilt_values_stay_finite_when_a_bucket_sum_overflows() {
    let mut xs: Vec<f64> = (0..MAX_EXACT_VALUES + 1).map(|i| i as f64).collect();
    xs.extend([1.7e308, 1.7000001e308, 1.7000002e308, 1.7000003e308]);
    let p = profile_of(&xs, &[]);
    let Summary::Numbers(n) = &p.columns[0].summary else {
        unreachable!()
    };
    assert!(n.exact.is_none());
    let rebuilt = dataset::numbers(n);
    assert_eq!(rebuilt.len(), xs.len());
    assert!(rebuilt.iter().all(|x| x.is_finite()));
    assert!(rebuilt.windows(2).all(|w| w[0] <= w[1]));
    // A damaged sum (the checksum only covers transport) neither.
    let mut damaged = n.clone();
    let last = damaged.buckets.len() - 1;
    damaged.buckets[last].sum = f64::NAN;
    assert!(dataset::numbers(&damaged).iter().all(|x| x.is_finite()));
}

#[test]
fn ks_and_wasserstein_bounds_hold_on_bucketed_data() {
    use crate::stats::{distance, ks};
    for (shift, seed) in [(0.0, 1), (0.05, 2), (0.5, 3)] {
        let r = many(30_000, 0.0, seed);
        let c = many(20_000, shift, seed + 100);
        let (pr, pc) = (profile_of(&r, &[]), profile_of(&c, &[]));
        let (Summary::Numbers(a), Summary::Numbers(b)) =
            (&pr.columns[0].summary, &pc.columns[0].summary)
        else {
            unreachable!()
        };
        assert!(a.exact.is_none() && b.exact.is_none());
        let (mut rs, mut cs) = (r.clone(), c.clone());
        rs.sort_by(f64::total_cmp);
        cs.sort_by(f64::total_cmp);
        let (ra, ca) = (dataset::numbers(a), dataset::numbers(b));
        let d_true = ks::ks_2samp(&rs, &cs).unwrap().statistic;
        let d_rec = ks::ks_2samp(&ra, &ca).unwrap().statistic;
        let bound = exactness::ks_bound(a, b);
        assert!((d_true - d_rec).abs() <= bound, "{d_true} {d_rec} {bound}");
        assert!(bound < 0.002, "{bound}");
        let w_true = distance::wasserstein_distance(&rs, &cs);
        let w_rec = distance::wasserstein_distance(&ra, &ca);
        let wb = exactness::area_bound(a) + exactness::area_bound(b);
        assert!((w_true - w_rec).abs() <= wb, "{w_true} {w_rec} {wb}");
        assert!(wb < 1e-3, "{wb}");
        // The moments are the data's.
        assert!(close(a.mean, crate::stats::sum::sum(&r) / r.len() as f64));
    }
}
