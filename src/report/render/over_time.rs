//! Drift over time in the text formats: the terminal's per-column strip of
//! chunk verdicts (a block of its own after the column table) and the
//! Markdown line on the latest chunk. The HTML charts are in
//! `html/chunks.rs`.

use std::io::{self, Write};

use super::format::{fmt_score, paint, Paint};
use crate::report::chunked::first_drift;
use crate::report::model::{ChunkReport, Report};

/// At most this many chunks, the latest, are drawn in a strip.
const STRIP: usize = 60;

/// `x` drifted, `.` did not, `-` not tested in that chunk.
fn mark(drift: Option<bool>) -> char {
    match drift {
        Some(true) => 'x',
        Some(false) => '.',
        None => '-',
    }
}

/// The terminal block: a title, then one line per tested column (its strip
/// and the first chunk where it drifted), then the dataset's strip.
pub fn write_terminal(report: &Report, w: &mut dyn Write, on: bool) -> io::Result<()> {
    let Some(chunks) = report.chunks.as_deref() else {
        return Ok(());
    };
    writeln!(w, "\n{}", paint(&title(report, chunks), Paint::Bold, on))?;
    let Some(first) = chunks.first() else {
        return writeln!(w, "  no chunks");
    };
    let shown = &chunks[chunks.len().saturating_sub(STRIP)..];
    let skipped = chunks.len() - shown.len();
    let names: Vec<&str> = first.columns.iter().map(|c| c.name.as_str()).collect();
    let width = names
        .iter()
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(0)
        .max(7);
    let strip = |marks: Vec<Option<bool>>| -> String {
        let mut out = if skipped > 0 {
            "…".to_string()
        } else {
            String::new()
        };
        for m in marks {
            let c = mark(m).to_string();
            out.push_str(&match m {
                Some(true) => paint(&c, Paint::Red, on),
                _ => paint(&c, Paint::Dim, on),
            });
        }
        out
    };
    for name in &names {
        let marks = shown
            .iter()
            .map(|c| {
                c.columns
                    .iter()
                    .find(|col| col.name == *name)
                    .and_then(|col| col.drift_detected)
            })
            .collect();
        let note = match first_drift(chunks, name) {
            Some(i) => {
                let c = &chunks[i];
                let score = c
                    .columns
                    .iter()
                    .find(|col| col.name == *name)
                    .and_then(|col| col.score)
                    .map(|s| format!(", score {}", fmt_score(s)))
                    .unwrap_or_default();
                format!("first drift in chunk {} `{}`{score}", i + 1, c.chunk.key)
            }
            None => "no drift".to_string(),
        };
        let pad = width - name.chars().count();
        writeln!(w, "  {name}{:pad$}  {}  {note}", "", strip(marks))?;
    }
    let marks = shown
        .iter()
        .map(|c| Some(c.dataset_drift.detected))
        .collect();
    let drifted = chunks.iter().filter(|c| c.dataset_drift.detected).count();
    let label = "dataset";
    let pad = width - label.len();
    writeln!(
        w,
        "  {}{:pad$}  {}  {drifted} of {} chunks with dataset drift",
        paint(label, Paint::Bold, on),
        "",
        strip(marks),
        chunks.len()
    )?;
    writeln!(
        w,
        "{}",
        paint(
            "  x drifted, . no drift, - not tested; oldest chunk first",
            Paint::Dim,
            on
        )
    )
}

/// `Drift over time: 12 chunks by day of `ts` (2026-11-01 .. 2026-11-12)`.
pub fn title(report: &Report, chunks: &[ChunkReport]) -> String {
    use crate::report::chunk::Chunker;
    let how = match report
        .chunking
        .as_ref()
        .map(|c| (c.chunker, c.timestamp.as_deref()))
    {
        Some((Chunker::Period { period }, Some(ts))) => {
            format!(
                " by {} of `{ts}`",
                serde_json::to_value(period)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            )
        }
        Some((Chunker::Size { size, .. }, ts)) => format!(
            " of {size} rows{}",
            ts.map(|t| format!(" sorted by `{t}`")).unwrap_or_default()
        ),
        Some((Chunker::Count { count, .. }, ts)) => format!(
            " (asked for {count}){}",
            ts.map(|t| format!(" sorted by `{t}`")).unwrap_or_default()
        ),
        _ => String::new(),
    };
    let span = match (chunks.first(), chunks.last()) {
        (Some(a), Some(b)) => format!(" ({} .. {})", a.chunk.key, b.chunk.key),
        _ => String::new(),
    };
    format!(
        "Drift over time: {} {}{how}{span}",
        chunks.len(),
        if chunks.len() == 1 { "chunk" } else { "chunks" }
    )
}

/// Markdown: the latest chunk's verdict and the columns drifting in it.
pub fn write_markdown(report: &Report, w: &mut dyn Write) -> io::Result<()> {
    let Some(chunks) = report.chunks.as_deref() else {
        return Ok(());
    };
    writeln!(w, "\n### {}\n", title(report, chunks))?;
    let Some(latest) = chunks.last() else {
        return writeln!(w, "No chunks.");
    };
    let drifting: Vec<String> = latest
        .columns
        .iter()
        .filter(|c| c.drift_detected == Some(true))
        .map(|c| format!("`{}`", super::markdown::escape(&c.name)))
        .collect();
    let d = &latest.dataset_drift;
    writeln!(
        w,
        "**Latest chunk** `{}` ({} rows): {} of {} columns drifted{}{}",
        latest.chunk.key,
        latest.rows,
        d.drifted_columns,
        d.total_columns,
        if d.detected {
            ", **dataset drift**"
        } else {
            ""
        },
        if drifting.is_empty() {
            String::new()
        } else {
            format!(" ({})", drifting.join(", "))
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::chunk::{Chunker, Period};
    use crate::report::model::ChunkingInfo;

    fn chunk(i: usize, drift: Option<bool>) -> ChunkReport {
        super::super::sample::chunk(i, &[("age", drift, Some(0.5 * i as f64))])
    }

    #[test]
    fn the_strip_marks_each_chunk_and_names_the_first_drift() {
        let mut report = super::super::sample::healthy();
        report.chunking = Some(ChunkingInfo {
            chunker: Chunker::Period {
                period: Period::Day,
            },
            timestamp: Some("ts".into()),
        });
        report.chunks = Some(vec![
            chunk(0, Some(false)),
            chunk(1, None),
            chunk(2, Some(true)),
            chunk(3, Some(true)),
        ]);
        let mut out = Vec::new();
        write_terminal(&report, &mut out, false).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\nDrift over time: 4 chunks by day of `ts` (2026-11-01 .. 2026-11-04)\n  \
             age      .-xx  first drift in chunk 3 `2026-11-03`, score 1.0000\n  \
             dataset  ..xx  2 of 4 chunks with dataset drift\n  \
             x drifted, . no drift, - not tested; oldest chunk first\n"
        );
        let mut md = Vec::new();
        write_markdown(&report, &mut md).unwrap();
        assert!(String::from_utf8(md)
            .unwrap()
            .ends_with("**Latest chunk** `2026-11-04` (10 rows): 1 of 1 columns drifted, **dataset drift** (`age`)\n"));
    }
}
