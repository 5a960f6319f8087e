//! Splitting a dataset's rows into chunks, with NannyML's semantics
//! (`nannyml/chunk.py`): by size, by count, or by calendar period of a
//! timestamp column. PURE: row counts and timestamps in, row ranges out; no
//! data, no files, no clock.
//!
//! The rows are numbered as the caller laid them out. With a timestamp
//! column the caller sorts the rows by it first (as NannyML does), and
//! passes the sorted timestamps; rows whose timestamp is missing are the
//! caller's to leave out (NannyML's period grouping drops them too).
//!
//! - **Size** `N`: chunks of `N` consecutive rows, keyed `[first:last]`
//!   (row indices, inclusive). Leftover rows (`rows % N`):
//!   `keep` makes them a smaller last chunk (NannyML's default), `append`
//!   adds them to the last full chunk, `drop` leaves them out. With fewer
//!   rows than `N`, `keep` and `append` give one chunk of every row
//!   (NannyML fails there), `drop` gives none.
//! - **Count** `K`: size `rows / K` (integer division), then as by size;
//!   so `keep` may give `K + 1` chunks, as NannyML does. Fewer rows than `K`
//!   is an error.
//! - **Period** (hour, day, week, month): one chunk per calendar period
//!   holding rows, in UTC, keyed as pandas' `Period` prints (`2026-11-01
//!   13:00`, `2026-11-01`, `2026-10-26/2026-11-01` for the Monday-to-Sunday
//!   week, `2026-11`). Empty periods make no chunk. The leftover choice does
//!   not apply.
//!
//! `start`/`end`: for a period, its start (inclusive) and the next period's
//! start (exclusive); for size and count chunks with timestamps, the first
//! and last timestamp in the chunk (both inclusive, NannyML's
//! `start_date`/`end_date`); without timestamps, none.
//!
//! Thresholds computed on reference chunks need enough of them: NannyML
//! warns below [`MIN_REFERENCE_CHUNKS`].

use std::ops::Range;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Timelike, Utc};
use serde::{Deserialize, Serialize};

/// Fewer reference chunks than this make chunk-based thresholds unreliable
/// (NannyML's "reasonable minimum", `docs/how_it_works/chunking_data.rst`).
pub const MIN_REFERENCE_CHUNKS: usize = 6;

/// What to do with the rows left over after the last full chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Incomplete {
    /// A smaller last chunk (NannyML's default)
    #[default]
    Keep,
    /// Added to the last full chunk
    Append,
    /// Left out
    Drop,
}

/// A calendar period, in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Hour,
    Day,
    /// Monday to Sunday (pandas' `W`, which ends on Sunday)
    Week,
    Month,
}

/// How to split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Chunker {
    Size {
        size: usize,
        incomplete: Incomplete,
    },
    Count {
        count: usize,
        incomplete: Incomplete,
    },
    Period {
        period: Period,
    },
}

/// One chunk: a range of the caller's rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Chunk {
    /// 0-based position among the chunks.
    pub index: usize,
    /// `[first:last]` for size and count chunks, the period for periods.
    pub key: String,
    /// The rows, in the caller's (sorted) order.
    #[serde(skip)]
    pub rows: Range<usize>,
    #[serde(serialize_with = "stamp_opt")]
    pub start: Option<DateTime<Utc>>,
    #[serde(serialize_with = "stamp_opt")]
    pub end: Option<DateTime<Utc>>,
}

impl Chunk {
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

fn stamp_opt<S: serde::Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&stamp(*t)),
        None => s.serialize_none(),
    }
}

/// RFC 3339 in UTC, seconds (sub-second digits only when there are some).
pub fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// Why rows cannot be split as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChunkError {
    #[error("the chunk size must be at least 1")]
    ZeroSize,
    #[error("the number of chunks must be at least 1")]
    ZeroCount,
    #[error("{rows} rows cannot make {count} chunks")]
    TooFewRows { rows: usize, count: usize },
    #[error("chunking by period needs a timestamp per row")]
    NoTimestamps,
    #[error("a timestamp is out of the supported range (years 1 to 9999)")]
    OutOfRange,
}

/// Splits `rows` rows. `times` (microseconds since the Unix epoch, UTC,
/// sorted ascending, one per row) is required for periods and gives size
/// and count chunks their `start`/`end`.
pub fn split(
    chunker: Chunker,
    rows: usize,
    times: Option<&[i64]>,
) -> Result<Vec<Chunk>, ChunkError> {
    if let Some(t) = times {
        debug_assert_eq!(t.len(), rows);
        debug_assert!(t.windows(2).all(|w| w[0] <= w[1]), "times must be sorted");
    }
    match chunker {
        Chunker::Size { size, incomplete } => {
            if size == 0 {
                return Err(ChunkError::ZeroSize);
            }
            by_size(rows, size, incomplete, times)
        }
        Chunker::Count { count, incomplete } => {
            if count == 0 {
                return Err(ChunkError::ZeroCount);
            }
            if rows < count {
                return Err(ChunkError::TooFewRows { rows, count });
            }
            by_size(rows, rows / count, incomplete, times)
        }
        Chunker::Period { period } => by_period(period, times.ok_or(ChunkError::NoTimestamps)?),
    }
}

fn by_size(
    rows: usize,
    size: usize,
    incomplete: Incomplete,
    times: Option<&[i64]>,
) -> Result<Vec<Chunk>, ChunkError> {
    let full = rows / size;
    let mut ranges: Vec<Range<usize>> = (0..full).map(|i| i * size..(i + 1) * size).collect();
    let leftover = full * size..rows;
    if !leftover.is_empty() {
        match (incomplete, ranges.last_mut()) {
            (Incomplete::Drop, _) => {}
            (Incomplete::Append, Some(last)) => last.end = rows,
            (Incomplete::Keep, _) | (Incomplete::Append, None) => ranges.push(leftover),
        }
    }
    ranges
        .into_iter()
        .enumerate()
        .map(|(index, rows)| {
            let (start, end) = match times {
                Some(t) => (Some(micros(t[rows.start])?), Some(micros(t[rows.end - 1])?)),
                None => (None, None),
            };
            Ok(Chunk {
                index,
                key: format!("[{}:{}]", rows.start, rows.end - 1),
                rows,
                start,
                end,
            })
        })
        .collect()
}

fn by_period(period: Period, times: &[i64]) -> Result<Vec<Chunk>, ChunkError> {
    let mut chunks: Vec<Chunk> = Vec::new();
    let mut current: Option<(DateTime<Utc>, usize)> = None;
    for (row, &t) in times.iter().enumerate() {
        let begins = period_start(period, micros(t)?)?;
        match current {
            Some((start, _)) if start == begins => {}
            Some((start, first)) => {
                chunks.push(period_chunk(period, chunks.len(), start, first..row)?);
                current = Some((begins, row));
            }
            None => current = Some((begins, row)),
        }
    }
    if let Some((start, first)) = current {
        chunks.push(period_chunk(
            period,
            chunks.len(),
            start,
            first..times.len(),
        )?);
    }
    Ok(chunks)
}

fn period_chunk(
    period: Period,
    index: usize,
    start: DateTime<Utc>,
    rows: Range<usize>,
) -> Result<Chunk, ChunkError> {
    let end = next_period(period, start)?;
    Ok(Chunk {
        index,
        key: period_key(period, start, end),
        rows,
        start: Some(start),
        end: Some(end),
    })
}

fn micros(t: i64) -> Result<DateTime<Utc>, ChunkError> {
    let t = DateTime::<Utc>::from_timestamp_micros(t).ok_or(ChunkError::OutOfRange)?;
    if t.year() < 1 || t.year() > 9999 {
        return Err(ChunkError::OutOfRange);
    }
    Ok(t)
}

/// The start of the period holding `t`.
pub fn period_start(period: Period, t: DateTime<Utc>) -> Result<DateTime<Utc>, ChunkError> {
    let day = t.date_naive();
    let midnight = |d: NaiveDate| Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).expect("valid"));
    Ok(match period {
        Period::Hour => midnight(day) + Duration::hours(i64::from(t.hour())),
        Period::Day => midnight(day),
        Period::Week => {
            let back = i64::from(day.weekday().num_days_from_monday());
            midnight(day - Duration::days(back))
        }
        Period::Month => midnight(day.with_day(1).expect("day 1 exists")),
    })
}

/// The start of the period after the one starting at `start`.
fn next_period(period: Period, start: DateTime<Utc>) -> Result<DateTime<Utc>, ChunkError> {
    let next = match period {
        Period::Hour => start.checked_add_signed(Duration::hours(1)),
        Period::Day => start.checked_add_signed(Duration::days(1)),
        Period::Week => start.checked_add_signed(Duration::weeks(1)),
        Period::Month => start.checked_add_months(chrono::Months::new(1)),
    };
    next.ok_or(ChunkError::OutOfRange)
}

/// The period as pandas prints a `Period` of that frequency.
fn period_key(period: Period, start: DateTime<Utc>, end: DateTime<Utc>) -> String {
    match period {
        Period::Hour => start.format("%Y-%m-%d %H:00").to_string(),
        Period::Day => start.format("%Y-%m-%d").to_string(),
        Period::Week => format!(
            "{}/{}",
            start.format("%Y-%m-%d"),
            (end - Duration::days(1)).format("%Y-%m-%d")
        ),
        Period::Month => start.format("%Y-%m").to_string(),
    }
}

/// The warning to print when thresholds rest on too few reference chunks.
pub fn few_reference_chunks(found: usize) -> Option<String> {
    (found < MIN_REFERENCE_CHUNKS).then(|| {
        format!(
            "the reference makes {found} {}; thresholds computed on reference chunks need at \
             least {MIN_REFERENCE_CHUNKS} to be reliable",
            if found == 1 { "chunk" } else { "chunks" }
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(chunks: &[Chunk]) -> Vec<(String, Range<usize>)> {
        chunks
            .iter()
            .map(|c| (c.key.clone(), c.rows.clone()))
            .collect()
    }

    fn size(size: usize, incomplete: Incomplete) -> Chunker {
        Chunker::Size { size, incomplete }
    }

    fn t(text: &str) -> i64 {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
            .timestamp_micros()
    }

    // The expected chunks follow `SizeBasedChunker._split` in NannyML
    // (`nannyml/chunk.py`): full chunks `[i:i+size-1]`, then the leftover
    // kept, merged into the last (`Chunk.merge` keys it `[first:last]`) or
    // dropped.
    #[test]
    fn size_chunks_handle_the_leftover_as_nannyml_does() {
        let keep = split(size(4, Incomplete::Keep), 10, None).unwrap();
        assert_eq!(
            keys(&keep),
            vec![
                ("[0:3]".to_string(), 0..4),
                ("[4:7]".to_string(), 4..8),
                ("[8:9]".to_string(), 8..10)
            ]
        );
        let append = split(size(4, Incomplete::Append), 10, None).unwrap();
        assert_eq!(
            keys(&append),
            vec![("[0:3]".to_string(), 0..4), ("[4:9]".to_string(), 4..10)]
        );
        let drop = split(size(4, Incomplete::Drop), 10, None).unwrap();
        assert_eq!(
            keys(&drop),
            vec![("[0:3]".to_string(), 0..4), ("[4:7]".to_string(), 4..8)]
        );
        // An exact fit has no leftover, whatever the choice.
        for incomplete in [Incomplete::Keep, Incomplete::Append, Incomplete::Drop] {
            assert_eq!(split(size(5, incomplete), 10, None).unwrap().len(), 2);
        }
    }

    #[test]
    fn fewer_rows_than_one_chunk() {
        assert_eq!(
            keys(&split(size(10, Incomplete::Keep), 3, None).unwrap()),
            vec![("[0:2]".to_string(), 0..3)]
        );
        assert_eq!(
            keys(&split(size(10, Incomplete::Append), 3, None).unwrap()),
            vec![("[0:2]".to_string(), 0..3)]
        );
        assert!(split(size(10, Incomplete::Drop), 3, None)
            .unwrap()
            .is_empty());
        assert!(split(size(10, Incomplete::Keep), 0, None)
            .unwrap()
            .is_empty());
    }

    // `CountBasedChunker`: size = rows // count, then size-based; with
    // `keep`, 105 rows in 10 chunks make 10 chunks of 10 and one of 5.
    #[test]
    fn count_chunks_are_size_chunks_of_rows_over_count() {
        let count = |count, incomplete| Chunker::Count { count, incomplete };
        let keep = split(count(10, Incomplete::Keep), 105, None).unwrap();
        assert_eq!(keep.len(), 11);
        assert_eq!(keep[10].key, "[100:104]");
        let append = split(count(10, Incomplete::Append), 105, None).unwrap();
        assert_eq!(append.len(), 10);
        assert_eq!(append[9].rows, 90..105);
        assert_eq!(
            split(count(10, Incomplete::Keep), 9, None),
            Err(ChunkError::TooFewRows { rows: 9, count: 10 })
        );
        assert_eq!(
            split(count(0, Incomplete::Keep), 9, None),
            Err(ChunkError::ZeroCount)
        );
        assert_eq!(
            split(size(0, Incomplete::Keep), 9, None),
            Err(ChunkError::ZeroSize)
        );
    }

    #[test]
    fn size_chunks_carry_their_first_and_last_timestamp() {
        let times = [
            t("2026-11-01T00:00:00Z"),
            t("2026-11-01T06:00:00Z"),
            t("2026-11-02T00:00:00Z"),
        ];
        let chunks = split(size(2, Incomplete::Keep), 3, Some(&times)).unwrap();
        assert_eq!(
            chunks[0].start.map(stamp).as_deref(),
            Some("2026-11-01T00:00:00Z")
        );
        assert_eq!(
            chunks[0].end.map(stamp).as_deref(),
            Some("2026-11-01T06:00:00Z")
        );
        assert_eq!(chunks[1].start, chunks[1].end);
    }

    // Keys as pandas prints `Period`s: `pd.Timestamp("2026-11-04").to_period("W")`
    // is `2026-11-02/2026-11-08` (weeks end on Sunday), `"M"` gives
    // `2026-11`, `"h"` gives `2026-11-04 13:00`.
    #[test]
    fn period_chunks_are_calendar_aligned_in_utc() {
        let times = [
            t("2026-10-31T23:59:59Z"),
            t("2026-11-01T00:00:00Z"),
            t("2026-11-01T13:30:00Z"),
            t("2026-11-01T13:45:00+00:00"),
            t("2026-11-04T08:00:00Z"),
            t("2026-12-01T00:00:00Z"),
        ];
        let by = |period| split(Chunker::Period { period }, times.len(), Some(&times)).unwrap();
        assert_eq!(
            keys(&by(Period::Day)),
            vec![
                ("2026-10-31".to_string(), 0..1),
                ("2026-11-01".to_string(), 1..4),
                ("2026-11-04".to_string(), 4..5),
                ("2026-12-01".to_string(), 5..6),
            ]
        );
        assert_eq!(
            keys(&by(Period::Week)),
            vec![
                ("2026-10-26/2026-11-01".to_string(), 0..4),
                ("2026-11-02/2026-11-08".to_string(), 4..5),
                ("2026-11-30/2026-12-06".to_string(), 5..6),
            ]
        );
        assert_eq!(
            keys(&by(Period::Month)),
            vec![
                ("2026-10".to_string(), 0..1),
                ("2026-11".to_string(), 1..5),
                ("2026-12".to_string(), 5..6),
            ]
        );
        let hours = by(Period::Hour);
        assert_eq!(hours[2].key, "2026-11-01 13:00");
        assert_eq!(hours[2].rows, 2..4);
        let month = &by(Period::Month)[1];
        assert_eq!(
            month.start.map(stamp).as_deref(),
            Some("2026-11-01T00:00:00Z")
        );
        assert_eq!(
            month.end.map(stamp).as_deref(),
            Some("2026-12-01T00:00:00Z")
        );
        assert_eq!(
            split(
                Chunker::Period {
                    period: Period::Day
                },
                3,
                None
            ),
            Err(ChunkError::NoTimestamps)
        );
        assert!(split(
            Chunker::Period {
                period: Period::Day
            },
            0,
            Some(&[])
        )
        .unwrap()
        .is_empty());
    }

    #[test]
    fn extreme_timestamps_are_errors_not_panics() {
        for bad in [i64::MAX, i64::MIN] {
            assert_eq!(
                split(
                    Chunker::Period {
                        period: Period::Month
                    },
                    1,
                    Some(&[bad])
                ),
                Err(ChunkError::OutOfRange)
            );
        }
    }

    #[test]
    fn chunks_cover_the_rows_in_order_without_overlap() {
        for rows in 0..40 {
            for s in 1..12 {
                for incomplete in [Incomplete::Keep, Incomplete::Append] {
                    let chunks = split(size(s, incomplete), rows, None).unwrap();
                    let mut next = 0;
                    for c in &chunks {
                        assert_eq!(c.rows.start, next);
                        assert!(!c.is_empty());
                        next = c.rows.end;
                    }
                    assert_eq!(next, rows, "rows {rows} size {s} {incomplete:?}");
                }
            }
        }
    }

    /// Every case of `fixtures/reference/chunks.json`, made by NannyML's own
    /// chunkers (`scripts/reference/chunk_reference.py`).
    #[test]
    fn chunks_match_nannyml() {
        let doc: serde_json::Value =
            serde_json::from_str(include_str!("../../fixtures/reference/chunks.json")).unwrap();
        let times: Vec<i64> = doc["times"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_i64().unwrap())
            .collect();
        let incomplete = |c: &serde_json::Value| match c["incomplete"].as_str() {
            Some("append") => Incomplete::Append,
            Some("drop") => Incomplete::Drop,
            _ => Incomplete::Keep,
        };
        let n = |c: &serde_json::Value, k: &str| c[k].as_u64().unwrap() as usize;
        let mut checked = 0;
        for case in doc["cases"].as_array().unwrap() {
            let (chunker, rows, ts) = match case["kind"].as_str().unwrap() {
                "size" => (
                    Chunker::Size {
                        size: n(case, "size"),
                        incomplete: incomplete(case),
                    },
                    n(case, "rows"),
                    None,
                ),
                "count" => (
                    Chunker::Count {
                        count: n(case, "count"),
                        incomplete: incomplete(case),
                    },
                    n(case, "rows"),
                    None,
                ),
                "size_ts" => (
                    Chunker::Size {
                        size: n(case, "size"),
                        incomplete: Incomplete::Keep,
                    },
                    times.len(),
                    Some(times.as_slice()),
                ),
                "period" => {
                    let period = match case["period"].as_str().unwrap() {
                        "hour" => Period::Hour,
                        "day" => Period::Day,
                        "week" => Period::Week,
                        _ => Period::Month,
                    };
                    (
                        Chunker::Period { period },
                        times.len(),
                        Some(times.as_slice()),
                    )
                }
                other => panic!("unknown case kind {other}"),
            };
            let ours = split(chunker, rows, ts).unwrap();
            let Some(want) = case["chunks"].as_array() else {
                // NannyML fails on `append` with no full chunk; we keep
                // every row as one chunk (documented).
                assert_eq!(case["chunks"]["error"], "ChunkerException");
                assert_eq!(ours.len(), 1, "{case}");
                continue;
            };
            assert_eq!(ours.len(), want.len(), "{case}");
            for (c, w) in ours.iter().zip(want) {
                assert_eq!(c.key, w["key"].as_str().unwrap(), "{case}");
                assert_eq!(c.rows.start, n(w, "first"), "{}", c.key);
                assert_eq!(c.rows.end - 1, n(w, "last"), "{}", c.key);
                let micros = |t: Option<DateTime<Utc>>| t.unwrap().timestamp_micros();
                if let Some(start) = w["start"].as_i64() {
                    assert_eq!(micros(c.start), start, "{}", c.key);
                }
                if let Some(end) = w["end"].as_i64() {
                    assert_eq!(micros(c.end), end, "{}", c.key);
                }
                // pandas' `end_time` is the period's last instant; ours is
                // the next period's start.
                if let Some(last) = w["end_ns_after_start"].as_i64() {
                    let next = w["start"].as_i64().unwrap() + (last + 1 + 999) / 1000;
                    assert_eq!(micros(c.end), next, "{}", c.key);
                }
            }
            checked += 1;
        }
        assert_eq!(checked, 35);
    }

    #[test]
    fn too_few_reference_chunks_warns() {
        assert!(few_reference_chunks(5).unwrap().contains("at least 6"));
        assert_eq!(few_reference_chunks(6), None);
    }
}
