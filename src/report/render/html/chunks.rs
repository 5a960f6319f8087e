//! Drift over time within one report (`report --chunk-by ...`): a
//! columns x chunks heatmap of verdicts, and per column its score in each
//! chunk against the threshold line. Inline SVG, no script.

use std::fmt::{self, Write as _};

use super::super::format::fmt_score;
use super::charts::C;
use super::escape;
use crate::report::chunked::first_drift;
use crate::report::model::{ChunkReport, Report};

const CELL: f64 = 14.0;
const LABEL: f64 = 150.0;
const TREND_W: f64 = 260.0;
const TREND_H: f64 = 70.0;
/// The heatmap shows at most this many chunks, the latest, so the page stays
/// small (each cell is an SVG element per column).
const HEAT_MAX: usize = 120;

pub(super) fn write_chunks(r: &Report, chunks: &[ChunkReport], o: &mut String) -> fmt::Result {
    write!(
        o,
        "<section id=\"chunks\">\n<h2>{}</h2>\n",
        escape(&super::super::over_time::title(r, chunks))
    )?;
    let Some(first) = chunks.first() else {
        o.push_str("<p class=\"mut\">No chunks.</p>\n</section>\n");
        return Ok(());
    };
    let names: Vec<&str> = first.columns.iter().map(|c| c.name.as_str()).collect();
    let all = chunks;
    let chunks = &all[all.len().saturating_sub(HEAT_MAX)..];
    // Heatmap: one row per column, then the dataset; one cell per chunk.
    let w = LABEL + CELL * chunks.len() as f64 + 4.0;
    let h = CELL * (names.len() + 1) as f64 + 4.0;
    write!(
        o,
        "<figure><div class=\"tw\"><svg class=\"chart heat\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"Drift verdict of each column in each chunk, oldest first\">",
        C(w), C(h), C(w), C(h)
    )?;
    let rows = names
        .iter()
        .map(|n| (*n, chunks.iter().map(|c| cell(c, n)).collect::<Vec<_>>()))
        .chain(std::iter::once((
            "dataset",
            chunks
                .iter()
                .map(|c| (Some(c.dataset_drift.detected), Some(c.dataset_drift.share)))
                .collect(),
        )));
    for (row, (name, cells)) in rows.enumerate() {
        let y = row as f64 * CELL;
        write!(
            o,
            "<text x=\"0\" y=\"{}\">{}</text>",
            C(y + CELL - 3.0),
            escape(name)
        )?;
        for (i, (drift, score)) in cells.iter().enumerate() {
            let fill = match drift {
                Some(true) => "#D55E00",
                Some(false) => "#009E73",
                None => "#cccccc",
            };
            let verdict = match drift {
                Some(true) => "drift",
                Some(false) => "no drift",
                None => "not tested",
            };
            write!(
                o,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\" fill-opacity=\"{}\"><title>{} {}: {verdict}{}</title></rect>",
                C(LABEL + i as f64 * CELL),
                C(y),
                C(CELL - 1.0),
                C(CELL - 1.0),
                if drift == &Some(false) { "0.35" } else { "1" },
                escape(name),
                escape(&chunks[i].chunk.key),
                score.map(|s| format!(", {}", fmt_score(s))).unwrap_or_default(),
            )?;
        }
    }
    write!(
        o,
        "</svg></div><figcaption class=\"legend\">{}oldest chunk first; orange drift, green no drift, grey not tested</figcaption></figure>\n",
        if all.len() > chunks.len() {
            format!("the latest {} of {} chunks; ", chunks.len(), all.len())
        } else {
            String::new()
        }
    )?;
    // Trends: score per chunk with the threshold line, one small chart per column.
    o.push_str("<div class=\"cards\">");
    for name in &names {
        write_trend(all, name, o)?;
    }
    o.push_str("</div>\n</section>\n");
    Ok(())
}

/// (verdict, score) of `name` in chunk `c`.
fn cell(c: &ChunkReport, name: &str) -> (Option<bool>, Option<f64>) {
    c.columns
        .iter()
        .find(|col| col.name == name)
        .map_or((None, None), |col| (col.drift_detected, col.score))
}

fn write_trend(chunks: &[ChunkReport], name: &str, o: &mut String) -> fmt::Result {
    let points: Vec<(usize, f64)> = chunks
        .iter()
        .enumerate()
        .filter_map(|(i, c)| cell(c, name).1.filter(|s| s.is_finite()).map(|s| (i, s)))
        .collect();
    let threshold = chunks
        .iter()
        .find_map(|c| c.columns.iter().find(|col| col.name == name)?.threshold);
    let max = points
        .iter()
        .map(|p| p.1)
        .chain(threshold)
        .fold(0.0_f64, f64::max)
        .max(1e-12);
    let (top, bottom) = (6.0, TREND_H - 6.0);
    let y = |v: f64| bottom - (v / max).clamp(0.0, 1.0) * (bottom - top);
    let x = |i: usize| {
        if chunks.len() <= 1 {
            TREND_W / 2.0
        } else {
            6.0 + i as f64 * (TREND_W - 12.0) / (chunks.len() - 1) as f64
        }
    };
    let first = first_drift(chunks, name);
    write!(
        o,
        "<div class=\"card{}\"><h3>{}</h3><p>{}</p><svg class=\"chart\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"Score of {} in each chunk against the threshold\">",
        if first.is_some() { " drift" } else { " ok" },
        escape(name),
        escape(&match first {
            Some(i) => format!("first drift in chunk {} ({})", i + 1, chunks[i].chunk.key),
            None => "no drift in any chunk".to_string(),
        }),
        C(TREND_W),
        C(TREND_H),
        escape(name),
    )?;
    if let Some(t) = threshold {
        write!(
            o,
            "<line x1=\"0\" x2=\"{}\" y1=\"{yy}\" y2=\"{yy}\" stroke=\"currentColor\" stroke-dasharray=\"4 3\"><title>threshold {}</title></line>",
            C(TREND_W),
            escape(&fmt_score(t)),
            yy = C(y(t)),
        )?;
    }
    if points.len() > 1 {
        o.push_str("<polyline fill=\"none\" stroke=\"#0072B2\" stroke-width=\"1.5\" points=\"");
        for (k, (i, s)) in points.iter().enumerate() {
            if k > 0 {
                o.push(' ');
            }
            write!(o, "{},{}", C(x(*i)), C(y(*s)))?;
        }
        o.push_str("\"/>");
    }
    for (i, s) in &points {
        let drift = cell(&chunks[*i], name).0 == Some(true);
        write!(
            o,
            "<circle cx=\"{}\" cy=\"{}\" r=\"2.5\" fill=\"{}\"><title>{}: {}</title></circle>",
            C(x(*i)),
            C(y(*s)),
            if drift { "#D55E00" } else { "#0072B2" },
            escape(&chunks[*i].chunk.key),
            escape(&fmt_score(*s)),
        )?;
    }
    o.push_str("</svg></div>");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::chunk::{Chunker, Period};
    use crate::report::model::ChunkingInfo;

    fn chunk(i: usize, drift: [Option<bool>; 2]) -> ChunkReport {
        let score = |d: Option<bool>| d.map(|d| if d { 0.3 } else { 0.05 });
        crate::report::render::sample::chunk(
            i,
            &[
                ("a<b", drift[0], score(drift[0])),
                ("c", drift[1], score(drift[1])),
            ],
        )
    }

    #[test]
    fn heatmap_and_trends_show_every_chunk_and_escape_names() {
        let mut r = crate::report::render::sample::healthy();
        r.chunking = Some(ChunkingInfo {
            chunker: Chunker::Period {
                period: Period::Day,
            },
            timestamp: Some("ts".into()),
        });
        let chunks = vec![
            chunk(0, [Some(false), Some(false)]),
            chunk(1, [Some(false), None]),
            chunk(2, [Some(true), Some(false)]),
        ];
        let mut o = String::new();
        write_chunks(&r, &chunks, &mut o).unwrap();
        // (2 columns + the dataset) x 3 chunks.
        assert_eq!(o.matches("<rect ").count(), 9);
        assert_eq!(o.matches("fill=\"#cccccc\"").count(), 1);
        assert!(
            o.contains("<h3>a&lt;b</h3><p>first drift in chunk 3 (2026-11-03)</p>"),
            "{o}"
        );
        assert!(o.contains("<h3>c</h3><p>no drift in any chunk</p>"));
        // One threshold line per column, and no script or external asset.
        assert_eq!(o.matches("stroke-dasharray").count(), 2);
        assert!(!o.contains("<script") && !o.contains("href=\"http"));
        assert!(!o.contains("a<b"));
        // A long history shows its latest chunks in the heatmap, every one
        // in the trends.
        let many: Vec<ChunkReport> = (0..130).map(|i| chunk(i, [Some(false), None])).collect();
        let mut o = String::new();
        write_chunks(&r, &many, &mut o).unwrap();
        assert_eq!(o.matches("<rect ").count(), 3 * HEAT_MAX);
        assert!(o.contains("the latest 120 of 130 chunks; "));
        assert_eq!(o.matches("<circle ").count(), 130);
    }
}
