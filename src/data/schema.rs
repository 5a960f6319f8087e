//! What driftmend makes of a column type a Parquet file declares, decided
//! from the file's Arrow schema (its footer) before any value is read. A
//! column of a type it analyses is read by polars; any other (structs,
//! lists, maps, binary, ...) is left unread and reported as `unsupported`,
//! so one odd column never fails a file, and polars never sees a type it
//! would panic on.

use polars::prelude::{ArrowDataType, DataType, TimeZone};

/// The type of a column driftmend does not read, named for the report
/// (`struct[2]`, `list[str]`, `binary`, ...); `None` when it reads it.
pub(super) fn unsupported(dtype: &ArrowDataType) -> Option<String> {
    use ArrowDataType as A;
    match dtype {
        A::Null
        | A::Boolean
        | A::Int8
        | A::Int16
        | A::Int32
        | A::Int64
        | A::UInt8
        | A::UInt16
        | A::UInt32
        | A::UInt64
        | A::Float16
        | A::Float32
        | A::Float64
        | A::Date32
        | A::Date64
        | A::Time32(polars::prelude::ArrowTimeUnit::Millisecond)
        | A::Time64(_)
        | A::Duration(_)
        | A::Utf8
        | A::LargeUtf8
        | A::Utf8View => None,
        // polars holds decimals in 128 bits: 38 digits. (The Parquet reader
        // decodes wider ones itself: `read::read_wide_decimal`.)
        A::Decimal(p, _) | A::Decimal32(p, _) | A::Decimal64(p, _) | A::Decimal256(p, _)
            if *p <= 38 =>
        {
            None
        }
        // polars validates the zone while reading the schema and panics
        // on one it does not know.
        A::Timestamp(_, zone) => match TimeZone::opt_try_new(zone.clone()) {
            Ok(_) => None,
            Err(_) => Some(name(dtype)),
        },
        A::Dictionary(_, values, _) if is_flat(values) && unsupported(values).is_none() => None,
        _ => Some(name(dtype)),
    }
}

fn is_flat(dtype: &ArrowDataType) -> bool {
    !matches!(dtype, ArrowDataType::Dictionary(..))
}

/// A type as the report shows it: polars' name where polars has the type,
/// in the same style where it has not.
pub(super) fn name(dtype: &ArrowDataType) -> String {
    use ArrowDataType as A;
    let inner = |f: &polars::prelude::ArrowField| name(&f.dtype);
    match dtype {
        A::Binary | A::LargeBinary | A::BinaryView => "binary".to_string(),
        A::FixedSizeBinary(n) => format!("binary[{n}]"),
        A::List(f) | A::LargeList(f) => format!("list[{}]", inner(f)),
        A::FixedSizeList(f, n) => format!("array[{}, {n}]", inner(f)),
        A::Struct(fields) => format!("struct[{}]", fields.len()),
        A::Map(entries, _) => match &entries.dtype {
            A::Struct(kv) if kv.len() == 2 => format!("map[{}, {}]", inner(&kv[0]), inner(&kv[1])),
            other => format!("map[{}]", name(other)),
        },
        A::Decimal(p, s) | A::Decimal32(p, s) | A::Decimal64(p, s) | A::Decimal256(p, s) => {
            format!("decimal[{p},{s}]")
        }
        A::Timestamp(unit, zone) => {
            let unit = match unit {
                polars::prelude::ArrowTimeUnit::Second => "s",
                polars::prelude::ArrowTimeUnit::Millisecond => "ms",
                polars::prelude::ArrowTimeUnit::Microsecond => "μs",
                polars::prelude::ArrowTimeUnit::Nanosecond => "ns",
            };
            match zone {
                Some(zone) => format!("datetime[{unit}, {zone}]"),
                None => format!("datetime[{unit}]"),
            }
        }
        // Parquet has no time in seconds: the data is in milliseconds, but
        // polars 0.55 takes the unit from the Arrow schema and misreads it.
        A::Time32(polars::prelude::ArrowTimeUnit::Second) => "time[s]".to_string(),
        A::Interval(_) => "interval".to_string(),
        A::Union(_) => "union".to_string(),
        A::Extension(ext) => format!("extension[{}]", ext.name),
        A::Int128 => "i128".to_string(),
        A::UInt128 => "u128".to_string(),
        A::Dictionary(_, values, _) => format!("dictionary[{}]", name(values)),
        A::Unknown => "unknown".to_string(),
        other if unsupported(other).is_none() => DataType::from_arrow_dtype(other).to_string(),
        other => format!("{other:?}").to_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::{ArrowField, ArrowTimeUnit};

    fn field(name: &str, dtype: ArrowDataType) -> ArrowField {
        ArrowField::new(name.into(), dtype, true)
    }

    #[test]
    fn nested_binary_and_wide_types_are_named_and_left_unread() {
        use ArrowDataType as A;
        let entries = A::Struct(vec![field("key", A::Utf8), field("value", A::Int32)]);
        let cases = [
            (A::Struct(vec![field("x", A::Int64)]), "struct[1]"),
            (A::List(Box::new(field("item", A::Utf8))), "list[str]"),
            (A::LargeList(Box::new(field("item", A::Int32))), "list[i32]"),
            (
                A::FixedSizeList(Box::new(field("item", A::Int32)), 2),
                "array[i32, 2]",
            ),
            (
                A::Map(Box::new(field("entries", entries)), false),
                "map[str, i32]",
            ),
            (A::Binary, "binary"),
            (A::LargeBinary, "binary"),
            (A::FixedSizeBinary(16), "binary[16]"),
            (A::Decimal256(50, 2), "decimal[50,2]"),
            (A::Time32(ArrowTimeUnit::Second), "time[s]"),
            (
                A::Timestamp(ArrowTimeUnit::Microsecond, Some("Mars/Olympus".into())),
                "datetime[μs, Mars/Olympus]",
            ),
            // polars knows whole-hour offsets only.
            (
                A::Timestamp(ArrowTimeUnit::Millisecond, Some("+05:30".into())),
                "datetime[ms, +05:30]",
            ),
        ];
        for (dtype, want) in cases {
            assert_eq!(unsupported(&dtype).as_deref(), Some(want), "{dtype:?}");
        }
    }

    #[test]
    fn flat_types_are_read() {
        use ArrowDataType as A;
        for dtype in [
            A::UInt64,
            A::Float16,
            A::LargeUtf8,
            A::Utf8View,
            A::Decimal(38, 10),
            A::Decimal256(38, 0),
            A::Time32(ArrowTimeUnit::Millisecond),
            A::Duration(ArrowTimeUnit::Nanosecond),
            A::Timestamp(ArrowTimeUnit::Nanosecond, None),
            A::Timestamp(ArrowTimeUnit::Microsecond, Some("UTC".into())),
            A::Timestamp(ArrowTimeUnit::Millisecond, Some("Europe/Amsterdam".into())),
            A::Timestamp(ArrowTimeUnit::Millisecond, Some("+05:00".into())),
        ] {
            assert_eq!(unsupported(&dtype), None, "{dtype:?}");
        }
    }
}
