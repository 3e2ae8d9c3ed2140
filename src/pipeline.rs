//! One build: manuscript → document model → the requested editions in the output directory.
//!
//! Everything is checked before anything is written, and each output is written
//! atomically, so a failed build leaves the previous editions untouched.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::design::Design;
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
    /// The proof edition for proofreaders (`<output>-proof.pdf`).
    Proof,
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

/// Told the name of each stage as a build enters it (the progress display).
type ProgressCallback = Box<dyn Fn(&str)>;

/// State kept between builds of one process (watch mode): the fonts are read once and
/// shared, and Typst's memoisation carries over, so a rebuild redoes only what changed.
#[derive(Default)]
pub struct Session {
    fonts: Option<(String, Arc<FontSet>)>,
    progress: Option<ProgressCallback>,
    deny_warnings: bool,
}

impl Session {
    /// A session with nothing loaded yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Calls `progress` with the name of each stage as it starts (for a progress display).
    pub fn with_progress(mut self, progress: impl Fn(&str) + 'static) -> Self {
        self.progress = Some(Box::new(progress));
        self
    }

    /// Makes every warning an error (`--deny-warnings`): nothing is written when there is one.
    pub fn with_deny_warnings(mut self, deny: bool) -> Self {
        self.deny_warnings = deny;
        self
    }

    fn stage(&self, name: &str) {
        if let Some(progress) = &self.progress {
            progress(name);
        }
    }

    /// The fonts for `language`, loaded on first use.
    fn fonts(&mut self, options: &BuildOptions, language: &str) -> Result<Arc<FontSet>, Diagnostics> {
        if let Some((loaded_for, fonts)) = &self.fonts
            && loaded_for == language {
                return Ok(fonts.clone());
            }
        let fonts = Arc::new(FontSet::load(&options.fonts, language)?);
        self.fonts = Some((language.to_string(), fonts.clone()));
        Ok(fonts)
    }

    /// Parses the manuscript, loads the fonts and checks every character has a glyph.
    pub fn prepare(&mut self, options: &BuildOptions, stages: &mut Vec<(&'static str, Duration)>) -> Result<Prepared, Diagnostics> {
        self.stage("reading the manuscript and data");
        let started = Instant::now();
        let design = Design::load(&options.assets)?;
        let manuscript = match Manuscript::load_checked(&options.manuscript, &design) {
            (Some(manuscript), diagnostics) if !diagnostics.has_errors() => manuscript,
            (partial, mut diagnostics) => {
                // Report characters no font can draw in the same run as the other problems,
                // not only once those are fixed.
                if let Some(partial) = partial
                    && let Ok(fonts) = self.fonts(options, &partial.config.language)
                        && let Err(missing) = fonts.check_coverage(&partial.document, &partial.root) {
                            diagnostics.0.extend(missing.0);
                        }
                return Err(diagnostics);
            }
        };
        stages.push(("parse + data", started.elapsed()));
        self.stage("loading fonts");
        let started = Instant::now();
        let fonts = self.fonts(options, &manuscript.config.language)?;
        fonts.check_coverage(&manuscript.document, &manuscript.root)?;
        let design_file = options.assets.join(crate::design::DESIGN_FILE);
        let mut unknown = Diagnostics::default();
        for (key, family) in design.families() {
            if !fonts.families().iter().any(|f| f == family) {
                let text = std::fs::read_to_string(&design_file).unwrap_or_default();
                let mut diagnostic = Diagnostic::error(&design_file, format!("the design's font `{family}` (`{key}`) is not among the fonts in {}", options.fonts.display()))
                    .with_hint(format!("use one of: {}", fonts.families().join(", ")));
                diagnostic.line = crate::config::line_of_value(&text, family);
                unknown.push(diagnostic);
            }
        }
        unknown.into_result(())?;
        stages.push(("fonts", started.elapsed()));
        Ok(Prepared { manuscript, fonts })
    }
}

/// Parses the manuscript, loads the fonts and checks every character has a glyph.
pub fn prepare(options: &BuildOptions, stages: &mut Vec<(&'static str, Duration)>) -> Result<Prepared, Diagnostics> {
    Session::new().prepare(options, stages)
}

/// Builds the requested editions into the output directory.
pub fn build(options: &BuildOptions, formats: &[Format]) -> Result<BuildReport, Diagnostics> {
    Session::new().build(options, formats)
}

impl Session {
    /// Builds the requested editions into the output directory, reusing this session's state.
    pub fn build(&mut self, options: &BuildOptions, formats: &[Format]) -> Result<BuildReport, Diagnostics> {
        let mut report = BuildReport::default();
        let prepared = self.prepare(options, &mut report.stages)?;
        report.warnings.extend(prepared.manuscript.warnings.iter().cloned());
        self.stage("typesetting");
        build_prepared(options, formats, prepared, report, self.deny_warnings)
    }
}

fn build_prepared(options: &BuildOptions, formats: &[Format], prepared: Prepared, mut report: BuildReport, deny_warnings: bool) -> Result<BuildReport, Diagnostics> {
    // Render every edition first; write only when all succeeded.
    let mut outputs: Vec<(PathBuf, Vec<u8>, String)> = Vec::new();
    for format in formats {
        match format {
            Format::Pdf | Format::Proof => {
                // The print edition, or the proof: the same pages with proofreaders' marks.
                let proof = (*format == Format::Proof).then(|| crate::proof::proof_info(&prepared.manuscript));
                let (suffix, label) = if proof.is_some() { ("-proof", ", proof") } else { ("", "") };
                let backend = PdfBackend { fonts: prepared.fonts.clone(), design_dir: &options.assets, proof };
                let pdf = backend.render(&prepared.manuscript)?;
                report.stages.push(("typst compile", pdf.compile_time));
                report.stages.push(("pdf export", pdf.export_time));
                report.warnings.extend(pdf.warnings);
                let path = options.out.join(format!("{}{suffix}.pdf", prepared.manuscript.config.output));
                outputs.push((path, pdf.bytes, format!("{} pages{label}", pdf.pages)));
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
    let mut denied = Diagnostics(report.warnings.clone());
    if deny_warnings && denied.deny_warnings() {
        return Err(denied);
    }
    for (path, bytes, summary) in outputs {
        write_atomically(&path, &bytes)?;
        report.written.push(Written { path, bytes: bytes.len(), summary });
    }
    Ok(report)
}
