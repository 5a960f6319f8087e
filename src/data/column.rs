//! Plain, polars-free column values handed from `data` to the pure core.

/// The storage family of a column, as read from the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    Float,
    Integer,
    Boolean,
    String,
    Categorical,
    Temporal,
    Other,
}

impl Family {
    /// Families whose values compare as numbers (an int <-> float change is a
    /// widening, not a break).
    pub fn is_number(self) -> bool {
        matches!(self, Family::Float | Family::Integer)
    }

    /// Families whose values are labels.
    pub fn is_label(self) -> bool {
        matches!(self, Family::Boolean | Family::String | Family::Categorical)
    }

    /// Whether values of the two families can still be compared: the same
    /// family, numbers with numbers (int <-> float), or labels with labels
    /// (str <-> categorical).
    pub fn comparable(self, other: Family) -> bool {
        self == other
            || (self.is_number() && other.is_number())
            || (self.is_label() && other.is_label())
    }
}

/// The category label of a number: `3` for whole numbers, else the
/// shortest text that reads back as the same value (`0.1`, not
/// `0.1000000000000000055`), so distinct values never share a label.
pub fn number_label(v: f64) -> String {
    if v == v.trunc() && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

/// One column of one dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct RawColumn {
    pub name: String,
    /// The file's type as polars names it (`i64`, `f64`, `str`, `bool`,
    /// `datetime[μs]`, ...).
    pub dtype: String,
    pub family: Family,
    pub values: Values,
    /// Values the reader had to round to read them as numbers.
    pub rounded: Option<Rounded>,
}

/// Values of a column read as 64-bit floats (a decimal, a CSV integer
/// beyond the 64-bit range) that did not survive the conversion: the float
/// is neither exactly the value nor prints back as it (`data::rounding`).
#[derive(Debug, Clone, PartialEq)]
pub struct Rounded {
    /// How many values were rounded.
    pub count: usize,
    /// The first one, as the file has it.
    pub example: String,
}

/// A column's values, reduced to what the core needs.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    /// Integers and floats: the finite values (unsorted, in file order) and
    /// counts of what was dropped.
    Numbers {
        finite: Vec<f64>,
        null: usize,
        nan: usize,
        infinite: usize,
    },
    /// Strings, booleans and categoricals: a count per distinct label, sorted
    /// by label.
    Labels {
        counts: Vec<(String, u64)>,
        null: usize,
    },
    /// Dates, datetimes, durations and times: only counted (quality, not
    /// drift). `min`/`max` are rendered in the column's own unit.
    Temporal {
        /// Values present.
        count: usize,
        null: usize,
        distinct: usize,
        min: Option<String>,
        max: Option<String>,
        /// Values read at the limit of a nanosecond timestamp (1677-09-21,
        /// 2262-04-11): polars clamps INT96 timestamps beyond that range
        /// (Spark's `0001-01-01` and `9999-12-31` sentinels) to it.
        clamped: usize,
    },
    /// Anything else (lists, structs, maps, binary): never read from disk;
    /// `RawColumn::dtype` says what it is.
    Unsupported,
}

impl Values {
    /// Rows whose value is missing: null, or NaN for floats.
    pub fn missing(&self) -> usize {
        match self {
            Values::Numbers { null, nan, .. } => null + nan,
            Values::Labels { null, .. } | Values::Temporal { null, .. } => *null,
            Values::Unsupported => 0,
        }
    }
}

/// A column kept row by row (the target and prediction columns, whose rows
/// must stay paired for performance metrics). Missing values are `None`
/// (NaN included).
#[derive(Debug, Clone, PartialEq)]
pub enum RowValues {
    Numbers(Vec<Option<f64>>),
    Labels(Vec<Option<String>>),
}

/// One side of the comparison, loaded.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// What the user passed (`--reference` / `--current`).
    pub path: String,
    /// The files read, in order.
    pub files: Vec<String>,
    pub rows: usize,
    /// The columns read (see `Selection`), in file order.
    pub columns: Vec<RawColumn>,
    /// Every column of the files, read or not, in file order.
    pub names: Vec<String>,
    /// Rows equal to an earlier row over the columns read (columns of an
    /// unsupported type are never read, so never compared).
    pub duplicated_rows: usize,
    /// Whether a selection left columns of a supported type unread, so
    /// `duplicated_rows` compared fewer columns than the file has.
    pub selected: bool,
    /// Row-aligned values of the columns asked for by name (see `load`).
    pub rows_of: std::collections::BTreeMap<String, RowValues>,
    /// What the reader left out, for stderr (`` `d/again` is a symlink loop
    /// back to `d`; not followed ``).
    pub warnings: Vec<String>,
}

impl Dataset {
    pub fn column(&self, name: &str) -> Option<&RawColumn> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Whether the files have a column of this name, read or not.
    pub fn has_column(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
    }
}
