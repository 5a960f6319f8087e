//! The JSON renderer: the report model as pretty-printed JSON, one document
//! ending in a newline. The shape is documented in README ("JSON report").

use std::io::{self, Write};

use super::RenderOptions;
use crate::report::model::Report;

pub fn render(report: &Report, w: &mut dyn Write, _opts: &RenderOptions) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, report)?;
    writeln!(w)
}
