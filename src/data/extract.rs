//! Reduces one polars column to plain values (`Values`).

use std::collections::{HashMap, HashSet};

use polars::prelude::*;

use super::column::{Family, RawColumn, Rounded, RowValues, Values};
use super::rounding::decimal_survives;

pub(super) fn extract_column(column: &Column) -> PolarsResult<RawColumn> {
    let dtype = column.dtype();
    let family = family(dtype);
    let series = column.as_materialized_series();
    let null = series.null_count();
    let mut rounded = None;
    let values = match family {
        // A column of nothing but nulls (Parquet's `null` type): text with
        // no values, as the same column reads from CSV.
        _ if dtype.is_null() => Values::Labels {
            counts: Vec::new(),
            null,
        },
        Family::Float | Family::Integer => {
            rounded = decimal_rounding(series)?;
            numbers(series)?
        }
        Family::Boolean => {
            let ca = series.bool()?;
            let trues = ca.sum().unwrap_or(0) as u64;
            let falses = (series.len() - null) as u64 - trues;
            let counts = [("false", falses), ("true", trues)]
                .into_iter()
                .filter(|(_, n)| *n > 0)
                .map(|(l, n)| (l.to_string(), n))
                .collect();
            Values::Labels { counts, null }
        }
        Family::String | Family::Categorical => {
            let text = series.cast(&DataType::String)?;
            let ca = text.str()?;
            let mut counts: HashMap<&str, u64> = HashMap::new();
            for value in ca.iter().flatten() {
                *counts.entry(value).or_default() += 1;
            }
            let mut counts: Vec<(String, u64)> = counts
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect();
            counts.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            Values::Labels { counts, null }
        }
        Family::Temporal => temporal(series)?,
        Family::Other => Values::Unsupported,
    };
    Ok(RawColumn {
        name: column.name().to_string(),
        dtype: dtype.to_string(),
        family,
        values,
        rounded,
    })
}

/// The values of a decimal column that its floats round (see
/// `data::rounding`); `None` for other columns and when none is rounded.
fn decimal_rounding(series: &Series) -> PolarsResult<Option<Rounded>> {
    let DataType::Decimal(_, scale) = series.dtype() else {
        return Ok(None);
    };
    let scale = *scale;
    let decimals = series.decimal()?;
    let floats = series.cast(&DataType::Float64)?;
    let mut rounded: Option<Rounded> = None;
    for (unscaled, value) in decimals.physical().iter().zip(floats.f64()?.iter()) {
        let (Some(unscaled), Some(value)) = (unscaled, value) else {
            continue;
        };
        if decimal_survives(unscaled, scale, value) {
            continue;
        }
        match &mut rounded {
            Some(r) => r.count += 1,
            None => {
                rounded = Some(Rounded {
                    count: 1,
                    example: decimal_text(&unscaled.to_string(), scale),
                })
            }
        }
    }
    Ok(rounded)
}

/// `1999`, 2 -> `19.99`.
pub(super) fn decimal_text(unscaled: &str, scale: usize) -> String {
    let (sign, magnitude) = match unscaled.strip_prefix('-') {
        Some(magnitude) => ("-", magnitude),
        None => ("", unscaled),
    };
    let digits = format!("{magnitude:0>width$}", width = scale + 1);
    let (whole, fraction) = digits.split_at(digits.len() - scale);
    match fraction.is_empty() {
        true => format!("{sign}{whole}"),
        false => format!("{sign}{whole}.{fraction}"),
    }
}

/// A column row by row: numbers stay numbers (NaN becomes missing),
/// everything else becomes text.
pub(super) fn row_values(column: &Column) -> PolarsResult<RowValues> {
    let series = column.as_materialized_series();
    if series.dtype().is_primitive_numeric() || series.dtype().is_decimal() {
        let as_f64 = series.cast(&DataType::Float64)?;
        let values = as_f64
            .f64()?
            .iter()
            .map(|v| v.filter(|x| !x.is_nan()))
            .collect();
        Ok(RowValues::Numbers(values))
    } else {
        let text = series.cast(&DataType::String)?;
        let values = text.str()?.iter().map(|v| v.map(str::to_string)).collect();
        Ok(RowValues::Labels(values))
    }
}

fn family(dtype: &DataType) -> Family {
    if dtype.is_float() || dtype.is_decimal() {
        Family::Float
    } else if dtype.is_integer() {
        Family::Integer
    } else if dtype.is_bool() {
        Family::Boolean
    } else if dtype.is_string() || dtype.is_null() {
        Family::String
    } else if dtype.is_categorical() || dtype.is_enum() {
        Family::Categorical
    } else if dtype.is_temporal() {
        Family::Temporal
    } else {
        Family::Other
    }
}

fn numbers(series: &Series) -> PolarsResult<Values> {
    let as_f64 = series.cast(&DataType::Float64)?;
    let ca = as_f64.f64()?;
    let mut finite = Vec::with_capacity(ca.len() - ca.null_count());
    let (mut nan, mut infinite) = (0, 0);
    if ca.null_count() == 0 {
        for arr in ca.downcast_iter() {
            for &v in arr.values().iter() {
                push_number(v, &mut finite, &mut nan, &mut infinite);
            }
        }
    } else {
        for v in ca.iter().flatten() {
            push_number(v, &mut finite, &mut nan, &mut infinite);
        }
    }
    Ok(Values::Numbers {
        finite,
        null: series.null_count(),
        nan,
        infinite,
    })
}

#[inline]
fn push_number(v: f64, finite: &mut Vec<f64>, nan: &mut usize, infinite: &mut usize) {
    if v.is_finite() {
        finite.push(v);
    } else if v.is_nan() {
        *nan += 1;
    } else {
        *infinite += 1;
    }
}

fn temporal(series: &Series) -> PolarsResult<Values> {
    let physical = series.to_physical_repr().cast(&DataType::Int64)?;
    let ca = physical.i64()?;
    let mut distinct = HashSet::new();
    // (value, row) of the smallest and largest values.
    let mut min: Option<(i64, usize)> = None;
    let mut max: Option<(i64, usize)> = None;
    let nanoseconds = matches!(series.dtype(), DataType::Datetime(TimeUnit::Nanoseconds, _));
    let mut clamped = 0;
    for (i, v) in ca.iter().enumerate() {
        let Some(v) = v else { continue };
        if nanoseconds && (v == i64::MAX || v == i64::MIN) {
            clamped += 1;
        }
        distinct.insert(v);
        if min.is_none_or(|(m, _)| v < m) {
            min = Some((v, i));
        }
        if max.is_none_or(|(m, _)| v > m) {
            max = Some((v, i));
        }
    }
    let render = |at: Option<(i64, usize)>| {
        at.and_then(|(_, i)| series.str_value(i).ok().map(|s| s.into_owned()))
    };
    Ok(Values::Temporal {
        count: series.len() - series.null_count(),
        null: series.null_count(),
        distinct: distinct.len(),
        min: render(min),
        max: render(max),
        clamped,
    })
}

/// Counts rows equal to an earlier row over all columns (pandas'
/// `duplicated(keep="first")`), by a 64-bit hash of each row. A collision
/// between distinct rows is possible in principle (about 1 in 10^7 at a
/// million rows) and would count one extra duplicate.
pub(super) fn duplicated_rows(df: &DataFrame) -> usize {
    let build = || PlSeedableRandomStateQuality::seed_from_u64(0x5eed);
    let mut hashes = Vec::with_capacity(df.height());
    let mut columns = df.columns().iter();
    let Some(first) = columns.next() else {
        return 0;
    };
    if first.vec_hash(build(), &mut hashes).is_err() {
        return 0;
    }
    for column in columns {
        // A type polars cannot hash (nested data) is left out of the key.
        let _ = column.vec_hash_combine(build(), &mut hashes);
    }
    let mut seen = HashSet::with_capacity(hashes.len());
    hashes.iter().filter(|h| !seen.insert(**h)).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_written_at_their_scale() {
        assert_eq!(decimal_text("1999", 2), "19.99");
        assert_eq!(decimal_text("-5", 3), "-0.005");
        assert_eq!(decimal_text("42", 0), "42");
        assert_eq!(decimal_text("-100", 2), "-1.00");
    }
}
