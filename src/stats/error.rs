//! Why a statistic could not be computed. Callers turn these into findings.

use std::fmt;

/// Which of the two datasets a problem is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Reference,
    Current,
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Side::Reference => "reference",
            Side::Current => "current",
        })
    }
}

/// A statistic that is undefined for the given data. Never a bug: the column
/// gets `score: null` and a finding carrying this message.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StatsError {
    /// No finite values left on one side.
    #[error("the {0} sample has no finite values")]
    Empty(Side),
    /// The method is undefined for this data (constant sample, too many or
    /// too few categories, ...); the text says why, in one sentence.
    #[error("{0}")]
    Undefined(String),
}
