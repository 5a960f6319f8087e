#!/usr/bin/env python3
"""Reference values for the two-sample Kolmogorov-Smirnov test.

Writes ``fixtures/reference/ks.json``, which the unit tests in
``src/stats/ks.rs`` and ``src/stats/kolmogorov.rs`` check against.

Run from the repository root, in a virtualenv with numpy and scipy:

    python3 -m venv /tmp/ksenv && /tmp/ksenv/bin/pip install numpy scipy
    /tmp/ksenv/bin/python scripts/reference/ks_reference.py

The committed file was produced with scipy 1.17.1, numpy 2.4.6 and CPython
3.11.7 (the versions are also recorded inside the JSON). Re-running with the
same versions reproduces it byte for byte.

Two kinds of cases:

* ``ks_2samp``: ``scipy.stats.ks_2samp(reference, current)`` with its defaults
  (alternative='two-sided', method='auto'). Each side is either literal
  ``values`` (hand-written tiny samples) or a ``gen`` spec for the generator
  below, so large samples cost a few bytes. ``method`` records the path scipy
  took: ``exact``, ``asymp``, or ``exact_fallback`` (scipy tried the exact
  computation, it left [0, 1], and scipy warned and used the asymptotic one).
* ``kstwo_sf``: ``scipy.stats.kstwo.sf(x, n)`` on points chosen to hit every
  branch of scipy's ``_kolmogn`` (``branch`` names it), because the asymptotic
  path of ks_2samp is ``kstwo.sf(d, round(n1*n2/(n1+n2)))``; plus
  ``kstwo.cdf(x, n)`` for the branches that compute the CDF first.
* ``scipy_durbin_overflow``: points where scipy's Durbin-matrix code
  overflows and returns a wrong kstwo.sf of 0; driftmend fixes that, and is
  checked there against scipy's exact Pomeranz recursion instead.

Generator (implemented identically in the Rust tests; only integer hashing,
IEEE additions, multiplications, divisions and floor, so it is bit-exact on
any platform):

* splitmix64 with state ``seed``: ``state += 0x9E3779B97F4A7C15`` (wrapping),
  then ``z = state; z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EB; z ^= z >> 31`` (wrapping).
* a uniform in [0, 1): ``(z >> 11) * 2**-53``.
* value ``i`` uses the four uniforms ``4i .. 4i+3`` (u1..u4, in draw order):
  ``loc + scale * ((((u1 + u2) + u3) + u4) - 2.0)``, a bell-shaped
  Irwin-Hall(4) variate centred on ``loc``.
* if ``step > 0``: ``floor(value / step + 0.5) * step``, which makes ties.
"""

import json
import platform
import sys
import warnings
from pathlib import Path

import numpy as np
import scipy
from scipy import stats

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "fixtures" / "reference" / "ks.json"

MASK64 = (1 << 64) - 1
GAMMA = 0x9E3779B97F4A7C15
MIX1 = 0xBF58476D1CE4E5B9
MIX2 = 0x94D049BB133111EB


def uniforms(seed, count):
    """`count` splitmix64 uniforms in [0, 1), vectorised with wrapping uint64."""
    with np.errstate(over="ignore"):
        idx = np.arange(1, count + 1, dtype=np.uint64)
        z = np.uint64(seed) + idx * np.uint64(GAMMA)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(MIX1)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(MIX2)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) * 2.0**-53


def generate(spec):
    """The sample a `gen` spec describes (see the module docstring)."""
    u = uniforms(spec["seed"], 4 * spec["n"]).reshape(spec["n"], 4)
    s = ((u[:, 0] + u[:, 1]) + u[:, 2]) + u[:, 3]
    v = spec["loc"] + spec["scale"] * (s - 2.0)
    if spec["step"] > 0:
        v = np.floor(v / spec["step"] + 0.5) * spec["step"]
    return v


def gen(seed, n, loc=0.0, scale=1.0, step=0.0):
    return {"gen": {"seed": seed, "n": n, "loc": loc, "scale": scale, "step": step}}


def values(xs):
    return {"values": [float(x) for x in xs]}


def sample(side):
    if "values" in side:
        return np.asarray(side["values"], dtype=np.float64)
    return generate(side["gen"])


def kstwo_branch(n, x):
    """Which branch of scipy's `_kolmogn(n, x, cdf=False)` computes kstwo.sf."""
    if x <= 0.5 / n:
        return "support_below"
    if x >= 1.0:
        return "support_above"
    t = n * x
    if t <= 1.0:
        return "ruben_gambino_low"
    if t >= n - 1:
        return "ruben_gambino_high"
    if x >= 0.5:
        return "smirnov"
    nxsquared = t * x
    if n <= 140:
        if nxsquared <= 0.754693:
            return "durbin"
        if nxsquared <= 4:
            return "pomeranz"
        return "smirnov"
    if nxsquared >= 370.0:
        return "zero"
    if nxsquared >= 2.2:
        return "smirnov_large_n" if n > 1_000_000 else "smirnov"
    if n <= 100000 and n * x**1.5 <= 1.4:
        return "durbin"
    return "pelz_good"


def ks_case(name, reference, current):
    x, y = sample(reference), sample(current)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = stats.ks_2samp(x, y)
    fell_back = any("Exact calculation unsuccessful" in str(w.message) for w in caught)
    n1, n2 = len(x), len(y)
    if max(n1, n2) <= 10000:
        method = "exact_fallback" if fell_back else "exact"
    else:
        method = "asymp"
    case = {
        "name": name,
        "reference": reference,
        "current": current,
        "statistic": float(res.statistic),
        "p_value": float(res.pvalue),
        "method": method,
    }
    if method != "exact":
        m, n = sorted([float(n1), float(n2)], reverse=True)
        big_n = int(np.round(m * n / (m + n)))
        case["kstwo_n"] = big_n
        case["kstwo_branch"] = kstwo_branch(big_n, float(res.statistic))
    return case


def ks_cases():
    shift = 0.3
    return [
        # Tiny samples: every p-value of the exact distribution is a small
        # rational, so these pin the lattice-path code.
        ks_case("one_vs_one_apart", values([0.5]), values([1.5])),
        ks_case("one_vs_one_equal", values([2.0]), values([2.0])),
        ks_case("one_vs_two", values([0.0]), values([1.0, 2.0])),
        ks_case("two_vs_one_interleaved", values([1.0, 3.0]), values([2.0])),
        ks_case("two_vs_three", values([0.1, 0.7]), values([0.2, 0.3, 0.9])),
        ks_case("three_vs_three", values([1.0, 2.0, 3.0]), values([4.0, 5.0, 6.0])),
        ks_case("three_vs_two_ties", values([1.0, 1.0, 2.0]), values([1.0, 2.0])),
        ks_case("three_vs_three_all_tied", values([7.0, 7.0, 7.0]), values([7.0, 7.0, 7.0])),
        # Identical samples: D = 0 and p = 1 on every path.
        ks_case("identical_50", gen(11, 50), gen(11, 50)),
        ks_case("identical_ties_300", gen(12, 300, step=0.5), gen(12, 300, step=0.5)),
        ks_case("identical_20000", gen(13, 20000), gen(13, 20000)),
        # Equal sizes: scipy's _compute_prob_outside_square.
        ks_case("equal_40_same", gen(21, 40), gen(22, 40)),
        ks_case("equal_100_shift", gen(23, 100), gen(24, 100, loc=shift)),
        ks_case("equal_1000_same", gen(25, 1000), gen(26, 1000)),
        ks_case("equal_5000_small_shift", gen(27, 5000), gen(28, 5000, loc=0.05)),
        ks_case("equal_10000_same", gen(29, 10000), gen(30, 10000)),
        ks_case("equal_10000_shift", gen(31, 10000), gen(32, 10000, loc=0.1)),
        # Unequal sizes: scipy's _compute_outer_prob_inside_method.
        ks_case("unequal_60_45", gen(41, 60), gen(42, 45, loc=shift)),
        ks_case("unequal_137_29", gen(43, 137), gen(44, 29, scale=2.0)),
        ks_case("unequal_1000_700", gen(45, 1000), gen(46, 700)),
        ks_case("unequal_2500_1000_shift", gen(47, 2500), gen(48, 1000, loc=0.15)),
        ks_case("unequal_10000_300", gen(49, 10000), gen(50, 300)),
        ks_case("unequal_10000_300_shift", gen(51, 10000), gen(52, 300, loc=0.4)),
        ks_case("unequal_10000_9999", gen(53, 10000), gen(54, 9999)),
        ks_case("unequal_7_10000", gen(55, 7), gen(56, 10000)),
        # Heavy ties: rounded and integer-valued data.
        ks_case("ties_integers_80_120", gen(61, 80, scale=3.0, step=1.0),
                gen(62, 120, loc=0.5, scale=3.0, step=1.0)),
        ks_case("ties_rounded_500_500", gen(63, 500, step=0.25),
                gen(64, 500, loc=0.1, step=0.25)),
        ks_case("ties_integers_3000_2000", gen(65, 3000, scale=5.0, step=1.0),
                gen(66, 2000, scale=5.0, step=1.0)),
        ks_case("ties_two_values_200_150", gen(67, 200, scale=0.1, step=1.0),
                gen(68, 150, loc=0.2, scale=0.5, step=1.0)),
        # Complete separation: the smallest p-values each path can give.
        ks_case("separated_40_40", gen(71, 40), gen(72, 40, loc=10.0)),
        ks_case("separated_30_25", gen(73, 30, loc=10.0), gen(74, 25)),
        ks_case("separated_300_250", gen(75, 300), gen(76, 250, loc=10.0)),
        ks_case("separated_10000_3", gen(77, 10000), gen(78, 3, loc=10.0)),
        ks_case("separated_10001_500", gen(79, 10001), gen(80, 500, loc=10.0)),
        ks_case("separated_50000_40000", gen(81, 50000), gen(82, 40000, loc=10.0)),
        # Either side of the switch to the asymptotic path at max(n) = 10000.
        ks_case("switch_10001_500", gen(91, 10001), gen(92, 500)),
        ks_case("switch_10001_500_shift", gen(93, 10001), gen(94, 500, loc=0.2)),
        ks_case("switch_10001_100", gen(95, 10001), gen(96, 100, loc=0.1)),
        ks_case("switch_10001_100_shift", gen(97, 10001), gen(98, 100, loc=0.4)),
        ks_case("switch_20000_15", gen(99, 20000), gen(100, 15, loc=0.3)),
        ks_case("switch_12000_4", gen(101, 12000), gen(102, 4, loc=0.5)),
        # Large asymptotic cases: small D (Durbin matrix, Pelz-Good) and
        # large D (Smirnov's one-sided sum, and the underflow to 0).
        ks_case("large_50000_40000_same", gen(111, 50000), gen(112, 40000)),
        ks_case("large_50000_40000_small_shift", gen(113, 50000), gen(114, 40000, loc=0.02)),
        ks_case("large_50000_40000_shift", gen(115, 50000), gen(116, 40000, loc=0.05)),
        ks_case("large_50000_40000_big_shift", gen(117, 50000), gen(118, 40000, loc=0.3)),
        # A prefix of the same stream: D is tiny, the Durbin matrix branch.
        ks_case("large_prefix_50000_49000", gen(111, 50000), gen(111, 49000)),
        ks_case("large_250000_250000_same", gen(119, 250000), gen(120, 250000)),
        ks_case("large_250000_250000_small_shift", gen(121, 250000),
                gen(122, 250000, loc=0.006)),
        ks_case("large_250000_250000_shift", gen(125, 250000), gen(126, 250000, loc=0.01)),
        ks_case("large_ties_30000_20000", gen(123, 30000, scale=4.0, step=1.0),
                gen(124, 20000, loc=0.05, scale=4.0, step=1.0)),
        # scipy's exact result leaves [0, 1] (1.0000000000000002), so it warns
        # and switches to kstwo.sf(d, round(n/2)); round() is half-to-even,
        # so n = 5 gives kstwo n = 2.
        ks_case("fallback_5_5", values([1.0, 2.0, 3.0, 4.0, 5.0]),
                values([1.5, 2.5, 3.5, 4.5, 5.5])),
        ks_case("fallback_72_72", values(range(72)), values([k + 0.5 for k in range(72)])),
        ks_case("fallback_69_69_h2", values(range(69)),
                values([-1.5, -0.5] + [k + 0.5 for k in range(2, 69)])),
    ]


def kstwo_cases():
    points = [
        (10, 0.04), (10, 0.05), (1000, 0.0004), (1000, 0.0005),  # support edge
        (10, 0.08), (140, 0.006), (1000, 0.0008), (500000, 1.5e-6),  # t <= 1
        (10, 0.95), (20, 0.951), (1000, 0.9991),  # t >= n - 1
        (10, 0.5), (100, 0.6), (5000, 0.55),  # x >= 1/2
        (3, 0.4), (10, 0.2), (50, 0.1), (140, 0.07),  # Durbin, n <= 140
        (5, 0.45), (10, 0.3), (50, 0.2), (140, 0.15),  # Pomeranz
        (10, 0.45), (60, 0.3), (140, 0.2),  # Smirnov, n <= 140
        (141, 0.04), (1000, 0.01), (22222, 0.0015), (100000, 0.0005),  # Durbin
        (141, 0.07), (1000, 0.02), (22222, 0.005), (100000, 0.0015),  # Pelz-Good
        (141, 0.12), (22222, 0.0098), (100001, 0.001), (500000, 0.001),
        (2_000_000, 0.0002), (5_000_000, 0.0001),  # Pelz-Good, huge n
        (141, 0.13), (1000, 0.05), (22222, 0.012), (22222, 0.03),  # Smirnov
        (500000, 0.0025), (1_000_000, 0.0016),  # Smirnov, long sums
        (2_000_000, 0.0011), (5_000_000, 0.0008),  # Smirnov's n > 1e6 formula
        (1000, 0.61), (22222, 0.13), (500000, 0.03),  # n x^2 >= 370: 0
    ]
    out = []
    for n, x in points:
        point = {"n": n, "x": x, "sf": float(stats.kstwo.sf(x, n)), "branch": kstwo_branch(n, x)}
        # These branches compute the CDF and return 1 - CDF, so the CDF is
        # recorded too: it checks them where the SF rounds to 1.
        if point["branch"] in ("durbin", "pomeranz", "pelz_good"):
            point["cdf"] = float(stats.kstwo.cdf(x, n))
        out.append(point)
    return out


def with_overflow_ignored(f, *args):
    with np.errstate(over="ignore"):
        return f(*args)


def durbin_overflow_points():
    """Where scipy's own answer is wrong, so driftmend deliberately differs.

    scipy's `_kolmogn_DMTW` rescales the matrix H but never the running power
    H^k, which overflows for some n with many set bits; kstwo.sf then returns
    0 instead of ~1 (e.g. ks_2samp of 188386 values against a copy with 41
    values changed gives p = 0). driftmend rescales the power too. The
    reference here is scipy's exact Pomeranz recursion at the same point.
    """
    from scipy.stats import _ksstats

    out = []
    for n, x in [(94193, 0.0002129603045865607)]:
        out.append({
            "n": n,
            "x": x,
            # scipy's overflow here is the point, not news: silence numpy.
            "scipy_sf": float(with_overflow_ignored(stats.kstwo.sf, x, n)),
            "pomeranz_cdf": float(_ksstats._kolmogn_Pomeranz(n, x)),
        })
    return out


def main():
    doc = {
        "generated_by": "scripts/reference/ks_reference.py",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "ks_2samp": ks_cases(),
        "kstwo_sf": kstwo_cases(),
        "scipy_durbin_overflow": durbin_overflow_points(),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)}: {len(doc['ks_2samp'])} ks_2samp cases, "
          f"{len(doc['kstwo_sf'])} kstwo.sf points", file=sys.stderr)


if __name__ == "__main__":
    main()
