//! Which columns of a dataset are read from disk: the rest is skipped by
//! the readers (Parquet projection, CSV fields not parsed), so a
//! one-column report on a wide file costs about what a one-column file
//! costs. Every column's name and type is still known (from the Parquet
//! footer or the CSV header), so a name the selection asks for that a file
//! lacks is still told apart from one it has but was not read.

use std::collections::BTreeSet;

/// The columns to read, and the ones to keep row by row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Only these (`None`: every column).
    only: Option<BTreeSet<String>>,
    /// Never these, even when in `only`.
    exclude: BTreeSet<String>,
    /// Read (whatever `only` and `exclude` say) and kept row by row: the
    /// target and prediction, whose rows must stay paired.
    rows_of: Vec<String>,
    /// Every column read is also kept row by row (multivariate drift
    /// needs whole rows).
    all_rows: bool,
}

impl Selection {
    /// Every column.
    pub fn all() -> Selection {
        Selection::default()
    }

    /// Only the columns named (none: the rows are counted, no column read).
    pub fn only<I: IntoIterator<Item = S>, S: Into<String>>(names: I) -> Selection {
        Selection {
            only: Some(names.into_iter().map(Into::into).collect()),
            ..Selection::default()
        }
    }

    /// Leaves out the columns named.
    pub fn excluding<I: IntoIterator<Item = S>, S: Into<String>>(mut self, names: I) -> Selection {
        self.exclude.extend(names.into_iter().map(Into::into));
        self
    }

    /// Also reads the columns named and keeps them row by row.
    pub fn keeping_rows_of<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        names: I,
    ) -> Selection {
        self.rows_of.extend(names.into_iter().map(Into::into));
        self
    }

    /// Keeps every column read row by row as well.
    pub fn keeping_all_rows(mut self) -> Selection {
        self.all_rows = true;
        self
    }

    /// Whether every column read is kept row by row.
    pub fn keeps_all_rows(&self) -> bool {
        self.all_rows
    }

    /// Whether a column of this name is read.
    pub fn reads(&self, name: &str) -> bool {
        let chosen = self.only.as_ref().is_none_or(|only| only.contains(name))
            && !self.exclude.contains(name);
        chosen || self.rows_of.iter().any(|n| n == name)
    }

    /// Whether every column is read.
    pub fn is_all(&self) -> bool {
        self.only.is_none() && self.exclude.is_empty()
    }

    /// The columns kept row by row.
    pub fn rows_of(&self) -> &[String] {
        &self.rows_of
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exclusion_wins_over_the_list_and_roles_are_always_read() {
        let s = Selection::only(["a", "b", "t"])
            .excluding(["b", "t"])
            .keeping_rows_of(["t", "p"]);
        let read: Vec<&str> = ["a", "b", "c", "t", "p"]
            .into_iter()
            .filter(|n| s.reads(n))
            .collect();
        assert_eq!(read, ["a", "t", "p"]);
        assert!(!s.is_all());
        assert!(Selection::all().reads("anything"));
        assert!(Selection::all().is_all());
        assert!(!Selection::all().excluding(["x"]).reads("x"));
        assert!(!Selection::only(Vec::<String>::new()).reads("a"));
    }
}
