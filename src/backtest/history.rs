//! The history a backtest replays: the partitions a glob names, each with
//! its time, oldest first. A partition's time comes from a `key=TIME` path
//! segment (Hive-style, `dt=2026-11-01`, `hour=2026-11-01T13`) or, with
//! `--time-from COLUMN`, from the latest value of that column.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

/// One partition: one scheduled run's current data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partition {
    /// As the glob matched it (a directory or a file).
    pub path: PathBuf,
    /// `None` until known (`--time-from` reads the data).
    pub time: Option<DateTime<Utc>>,
}

/// Why a history cannot be listed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HistoryError {
    #[error("bad glob `{glob}`: {reason}")]
    BadGlob { glob: String, reason: String },
    #[error("no partitions match `{0}`")]
    Empty(String),
    #[error("cannot tell the time of `{0}`: no `key=YYYY-MM-DD` path segment")]
    NoTime(String),
}

/// The partitions `glob` matches (directories, or data files), each with
/// the time of its path when it has one (`need_path_time` makes a missing
/// one an error). Oldest first; ties by path.
pub fn list(glob: &str, need_path_time: bool) -> Result<Vec<Partition>, HistoryError> {
    let bad = |reason: String| HistoryError::BadGlob {
        glob: glob.to_string(),
        reason,
    };
    // `data/dt=*/` matches directories; the trailing slash is glob's to drop.
    let pattern = glob.trim_end_matches('/');
    let pattern = if pattern.is_empty() { glob } else { pattern };
    let paths = ::glob::glob(pattern).map_err(|e| bad(e.msg.to_string()))?;
    let mut partitions = Vec::new();
    for path in paths {
        let path = path.map_err(|e| bad(e.to_string()))?;
        let time = path_time(&path);
        if time.is_none() && need_path_time {
            return Err(HistoryError::NoTime(path.display().to_string()));
        }
        partitions.push(Partition { path, time });
    }
    if partitions.is_empty() {
        return Err(HistoryError::Empty(glob.to_string()));
    }
    sort(&mut partitions);
    Ok(partitions)
}

/// Oldest first; ties (and unknown times, last) by path.
pub fn sort(partitions: &mut [Partition]) {
    partitions.sort_by(|a, b| {
        (a.time.is_none(), a.time, &a.path).cmp(&(b.time.is_none(), b.time, &b.path))
    });
}

/// The time of the last `key=TIME` segment of `path` that holds one.
pub fn path_time(path: &Path) -> Option<DateTime<Utc>> {
    path.components().rev().find_map(|c| {
        let segment = c.as_os_str().to_str()?;
        let (_, value) = segment.split_once('=')?;
        parse_time(value, false)
    })
}

/// A time as users and partition paths write it: `2026-11-01`,
/// `2026-11-01T13`, `2026-11-01T13:30[:00]`, with a space for the `T`, or
/// RFC 3339; UTC unless an offset says otherwise. With `end_of_day`, a bare
/// date means the last instant of that day (`--to 2026-11-30` includes the
/// 30th).
pub fn parse_time(text: &str, end_of_day: bool) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    let naive = text.trim_end_matches('Z').replace(' ', "T");
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(&naive, format) {
            return Some(t.and_utc());
        }
    }
    if let Some((day, hour)) = naive.split_once('T') {
        let day = NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
        let hour: u32 = hour.parse().ok()?;
        return Some(day.and_hms_opt(hour, 0, 0)?.and_utc());
    }
    let day = NaiveDate::parse_from_str(&naive, "%Y-%m-%d").ok()?;
    let t = day.and_hms_opt(0, 0, 0)?.and_utc();
    Some(if end_of_day {
        t + chrono::Duration::days(1) - chrono::Duration::nanoseconds(1)
    } else {
        t
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn partition_times_come_from_key_value_segments() {
        let t = |p: &str| path_time(Path::new(p));
        assert_eq!(t("data/dt=2026-11-01"), Some(at("2026-11-01T00:00:00Z")));
        assert_eq!(t("data/dt=2026-11-01/"), Some(at("2026-11-01T00:00:00Z")));
        assert_eq!(
            t("data/dt=2026-11-01/hour=2026-11-01T13/part-0.parquet"),
            Some(at("2026-11-01T13:00:00Z"))
        );
        assert_eq!(
            t("data/ts=2026-11-01 06:30/x.csv"),
            Some(at("2026-11-01T06:30:00Z"))
        );
        assert_eq!(t("data/region=eu"), None);
        assert_eq!(t("data/2026-11-01"), None);
        assert_eq!(t("data/dt=2026-13-01"), None);
    }

    #[test]
    fn times_as_users_write_them() {
        assert_eq!(
            parse_time("2026-11-30", true),
            Some(at("2026-11-30T23:59:59.999999999Z"))
        );
        assert_eq!(
            parse_time("2026-11-30", false),
            Some(at("2026-11-30T00:00:00Z"))
        );
        assert_eq!(
            parse_time("2026-11-30T02:00:00+02:00", false),
            Some(at("2026-11-30T00:00:00Z"))
        );
        assert_eq!(
            parse_time("2026-11-30T07", false),
            Some(at("2026-11-30T07:00:00Z"))
        );
        assert_eq!(parse_time("2026-11-30T25", false), None);
        assert_eq!(parse_time("yesterday", false), None);
    }

    #[test]
    fn partitions_sort_by_time_then_path() {
        let p = |path: &str, t: Option<&str>| Partition {
            path: PathBuf::from(path),
            time: t.map(at),
        };
        let mut v = vec![
            p("c", None),
            p("b", Some("2026-11-02T00:00:00Z")),
            p("a", Some("2026-11-02T00:00:00Z")),
            p("z", Some("2026-11-01T00:00:00Z")),
        ];
        sort(&mut v);
        let order: Vec<_> = v.iter().map(|p| p.path.display().to_string()).collect();
        assert_eq!(order, ["z", "a", "b", "c"]);
    }
}
