//! Renderers: one signature, `fn render(report, writer, options)`, one file
//! per format. They only read the report.

mod format;
mod json;
mod markdown;
mod table;

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
}

impl ReportFormat {
    /// The format a file name implies (`.json`, `.md`), if any.
    pub fn from_extension(path: &std::path::Path) -> Option<ReportFormat> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "json" => Some(ReportFormat::Json),
            "md" | "markdown" => Some(ReportFormat::Markdown),
            "txt" => Some(ReportFormat::Table),
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
    }
}
