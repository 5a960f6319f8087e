//! Renderers: one signature, `fn render(report, writer, options)`, one file
//! per format. They only read the report. The human formats show user text
//! through `visible`, so control characters in it cannot break their layout
//! or reach a terminal or a CI runner raw.

mod format;
pub mod github;
pub mod html;
mod json;
pub mod junit;
mod markdown;
pub(crate) mod over_time;
pub mod prometheus;
#[cfg(test)]
pub(crate) mod sample;
mod table;
pub mod visible;

use std::io::{self, Write};

use super::model::Report;

pub use format::{fmt_score, fmt_share, headline};

/// Output formats of `driftmend report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// Headline, column table and findings for a terminal.
    Table,
    /// The full report (schema_version 1, see README).
    Json,
    /// GitHub-flavoured Markdown, e.g. for `$GITHUB_STEP_SUMMARY`.
    Markdown,
    /// One self-contained page with plots (works offline).
    Html,
    /// JUnit XML: a test case per column drift check and per quality check.
    Junit,
}

impl ReportFormat {
    /// The format a file name implies (`.json`, `.md`), if any.
    pub fn from_extension(path: &std::path::Path) -> Option<ReportFormat> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "json" => Some(ReportFormat::Json),
            "md" | "markdown" => Some(ReportFormat::Markdown),
            "txt" => Some(ReportFormat::Table),
            "html" | "htm" => Some(ReportFormat::Html),
            "xml" => Some(ReportFormat::Junit),
            _ => None,
        }
    }
}

/// Presentation choices made once by the command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RenderOptions {
    /// ANSI colour in the table output.
    pub color: bool,
    /// Terminal width to fit the table to; `None` for no limit.
    pub width: Option<u16>,
}

pub fn render(
    format: ReportFormat,
    report: &Report,
    w: &mut dyn Write,
    opts: &RenderOptions,
) -> io::Result<()> {
    match format {
        ReportFormat::Table => table::render(report, w, opts),
        ReportFormat::Json => json::render(report, w, opts),
        ReportFormat::Markdown => markdown::render(report, w, opts),
        ReportFormat::Html => html::render(report, w, opts),
        ReportFormat::Junit => junit::render(report, w, opts),
    }
}
