//! The error type of policy loading: one problem, with its file, line,
//! column and field path.

use std::fmt;

/// One problem in a policy file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    pub file: String,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    /// The field, e.g. `rules[1].when` or `actions.retrain.command[2]`
    /// (indices are 0-based); empty for the document as a whole.
    pub path: String,
    pub message: String,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        if !self.path.is_empty() {
            write!(f, "`{}`: ", self.path)?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for PolicyError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_display_with_and_without_a_path() {
        let mut e = PolicyError {
            file: "policy.yaml".into(),
            line: 12,
            column: 3,
            path: "guardrails.cooldown".into(),
            message: "`6x` is not a duration".into(),
        };
        assert_eq!(
            e.to_string(),
            "policy.yaml:12:3: `guardrails.cooldown`: `6x` is not a duration"
        );
        e.path.clear();
        assert_eq!(e.to_string(), "policy.yaml:12:3: `6x` is not a duration");
    }
}
