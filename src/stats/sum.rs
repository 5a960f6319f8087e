//! Neumaier's compensated summation, shared by every statistic that adds up
//! many terms: the rounding error of each addition is carried separately, so
//! a sum of a million terms stays within an ulp or two. Pure.

#[derive(Debug, Clone, Copy, Default)]
pub struct CompensatedSum {
    sum: f64,
    compensation: f64,
}

impl CompensatedSum {
    pub fn add(&mut self, value: f64) {
        let total = self.sum + value;
        self.compensation += if self.sum.abs() >= value.abs() {
            (self.sum - total) + value
        } else {
            (value - total) + self.sum
        };
        self.sum = total;
    }

    pub fn value(&self) -> f64 {
        // After an overflow the compensation is NaN; the plain sum is right.
        if self.sum.is_finite() {
            self.sum + self.compensation
        } else {
            self.sum
        }
    }
}

/// The compensated sum of `values`.
pub fn sum(values: &[f64]) -> f64 {
    let mut s = CompensatedSum::default();
    for &v in values {
        s.add(v);
    }
    s.value()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_what_naive_summation_loses() {
        let values = [1e16, 1.0, -1e16, 1.0];
        assert_eq!(sum(&values), 2.0);
        assert_eq!(sum(&[]), 0.0);
        assert_eq!(sum(&[f64::MAX, f64::MAX]), f64::INFINITY);
    }
}
