//! One build: manuscript → document model → the requested editions in the output directory.
//!
//! Everything is checked before anything is written, and each output is written
//! atomically, so a failed build leaves the previous editions untouched.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::epub::{EpubBackend, metadata};
use crate::fonts::FontSet;
use crate::manuscript::Manuscript;
use crate::output::write_atomically;
use crate::pdf::PdfBackend;

/// Which editions to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The print PDF.
    Pdf,
    /// The EPUB 3 edition.
    Epub,
}

/// Where a build reads from and writes to.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The manuscript directory (holding `report.toml`).
    pub manuscript: PathBuf,
    /// The output directory (`dist/`).
    pub out: PathBuf,
    /// The pinned fonts directory.
    pub fonts: PathBuf,
    /// The design directory holding the Typst template.
    pub assets: PathBuf,
}

/// A checked manuscript with the fonts it will be set in.
pub struct Prepared {
    /// The parsed manuscript.
    pub manuscript: Manuscript,
    /// The fonts for its language.
    pub fonts: Arc<FontSet>,
}

/// One file a build wrote.
#[derive(Debug, Clone)]
pub struct Written {
    /// Where it was written.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: usize,
    /// A short description (e.g. "12 pages").
    pub summary: String,
}

/// What a build did.
#[derive(Debug, Clone, Default)]
pub struct BuildReport {
    /// The files written.
    pub written: Vec<Written>,
    /// Warnings that did not stop the build.
    pub warnings: Vec<Diagnostic>,
    /// Time per stage, in order.
    pub stages: Vec<(&'static str, Duration)>,
}

/// Parses the manuscript, loads the fonts and checks every character has a glyph.
pub fn prepare(options: &BuildOptions, stages: &mut Vec<(&'static str, Duration)>) -> Result<Prepared, Diagnostics> {
    let started = Instant::now();
    let manuscript = Manuscript::load(&options.manuscript)?;
    stages.push(("parse", started.elapsed()));
    let started = Instant::now();
    let fonts = Arc::new(FontSet::load(&options.fonts, &manuscript.config.language)?);
    stages.push(("fonts", started.elapsed()));
    fonts.check_coverage(&manuscript.document, &manuscript.root)?;
    Ok(Prepared { manuscript, fonts })
}

/// Builds the requested editions into the output directory.
pub fn build(options: &BuildOptions, formats: &[Format]) -> Result<BuildReport, Diagnostics> {
    let mut report = BuildReport::default();
    let prepared = prepare(options, &mut report.stages)?;
    // Render every edition first; write only when all succeeded.
    let mut outputs: Vec<(PathBuf, Vec<u8>, String)> = Vec::new();
    for format in formats {
        match format {
            Format::Pdf => {
                let started = Instant::now();
                let backend = PdfBackend { fonts: prepared.fonts.clone(), design_dir: &options.assets };
                let pdf = backend.render(&prepared.manuscript)?;
                report.stages.push(("typeset pdf", started.elapsed()));
                report.warnings.extend(pdf.warnings);
                let path = options.out.join(format!("{}.pdf", prepared.manuscript.config.output));
                outputs.push((path, pdf.bytes, format!("{} pages", pdf.pages)));
            }
            Format::Epub => {
                let started = Instant::now();
                let source_date_epoch = metadata::source_date_epoch().map_err(|message| {
                    Diagnostics::one(Diagnostic::error(&options.manuscript, message).with_hint("unset it, or set it to a Unix time such as 1700000000"))
                })?;
                let backend = EpubBackend {
                    fonts: prepared.fonts.clone(),
                    fonts_dir: &options.fonts,
                    design_dir: &options.assets,
                    source_date_epoch,
                };
                let epub = backend.render(&prepared.manuscript)?;
                report.stages.push(("build epub", started.elapsed()));
                // With `all`, the cover's layout repeats the PDF's: report each warning once.
                for warning in epub.warnings {
                    if !report.warnings.contains(&warning) {
                        report.warnings.push(warning);
                    }
                }
                let path = options.out.join(format!("{}.epub", prepared.manuscript.config.output));
                let summary = format!("{} sections, {} KiB of fonts", epub.sections, epub.font_bytes / 1024);
                outputs.push((path, epub.bytes, summary));
            }
        }
    }
    for (path, bytes, summary) in outputs {
        write_atomically(&path, &bytes)?;
        report.written.push(Written { path, bytes: bytes.len(), summary });
    }
    Ok(report)
}
