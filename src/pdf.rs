//! The PDF backend: the document model → a tagged PDF, typeset in-process by Typst.
//!
//! The model is handed to the design template (`assets/report.typ`) as JSON; Typst lays
//! it out with the pinned fonts and `typst-pdf` writes a PDF/A-2a + PDF/UA-1 file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use typst::World;
use typst::WorldExt;
use typst::diag::{Severity as TypstSeverity, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Smart};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use crate::diagnostics::{Diagnostic, Diagnostics, Severity};
use crate::fonts::FontSet;
use crate::manuscript::Manuscript;
use crate::world::ReportWorld;

/// The template every build compiles, relative to the design directory.
pub const TEMPLATE: &str = "report.typ";
/// The virtual path under which the document model is served to the template.
pub const DOCUMENT_JSON: &str = "/document.json";

/// A finished PDF with the warnings met while making it.
pub struct PdfOutput {
    /// The PDF file's bytes.
    pub bytes: Vec<u8>,
    /// Number of pages.
    pub pages: usize,
    /// Typst warnings, located where possible.
    pub warnings: Vec<Diagnostic>,
    /// Time spent in Typst's compile (layout).
    pub compile_time: std::time::Duration,
    /// Time spent in PDF export.
    pub export_time: std::time::Duration,
}

/// Everything the PDF backend needs besides the manuscript.
pub struct PdfBackend<'a> {
    /// The loaded fonts.
    pub fonts: Arc<FontSet>,
    /// The design directory holding `report.typ`.
    pub design_dir: &'a Path,
    /// Set for the proof edition (line numbers, source marks, 校样 watermark).
    pub proof: Option<ProofInfo>,
}

/// What the proof edition prints in its footer.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ProofInfo {
    /// When the proof was made (`YYYY-MM-DD HH:MM UTC`).
    pub built: String,
    /// The manuscript's git revision (with `+修改` when it has uncommitted changes) or,
    /// outside git, a content hash.
    pub revision: String,
}

/// The JSON the template reads: the document model, plus proof details for proofs.
#[derive(serde::Serialize)]
struct TemplateInput<'a> {
    #[serde(flatten)]
    document: &'a crate::model::Document,
    #[serde(skip_serializing_if = "Option::is_none")]
    proof: Option<&'a ProofInfo>,
}

/// A laid-out document, before export.
pub struct Typeset {
    /// Typst's paged document.
    pub document: PagedDocument,
    /// Typst warnings, located where possible.
    pub warnings: Vec<Diagnostic>,
}

impl PdfBackend<'_> {
    /// Lays `manuscript` out with the design template (no PDF yet). The EPUB backend uses
    /// this too, to draw its cover from the same design as the PDF's first page.
    pub fn typeset(&self, manuscript: &Manuscript) -> Result<Typeset, Diagnostics> {
        let template = self.design_dir.join(TEMPLATE);
        if !template.is_file() {
            return Err(Diagnostics::one(
                Diagnostic::error(&template, "the design template is missing")
                    .with_hint("run reportpress from the project root, or pass --assets DIR"),
            ));
        }
        let input = TemplateInput { document: &manuscript.document, proof: self.proof.as_ref() };
        let json = serde_json::to_vec(&input).map_err(|e| {
            Diagnostics::one(Diagnostic::error(&manuscript.root, format!("cannot serialise the document model: {e}")))
        })?;
        let generated = HashMap::from([(DOCUMENT_JSON.to_string(), Bytes::new(json))]);
        let world = ReportWorld::new(
            self.fonts.clone(),
            self.design_dir,
            &manuscript.root,
            &format!("/{TEMPLATE}"),
            generated,
            report_date(&manuscript.document.meta.date),
        );
        let result = typst::compile::<PagedDocument>(&world);
        let warnings: Vec<Diagnostic> = result.warnings.iter().map(|d| locate(&world, d, &template)).collect();
        let document = result.output.map_err(|errors| {
            let mut located: Vec<Diagnostic> = errors.iter().map(|d| locate(&world, d, &template)).collect();
            self.blame_manuscript(manuscript, &template, &mut located, false);
            Diagnostics(located.into_iter().chain(warnings.iter().cloned()).collect())
        })?;
        Ok(Typeset { document, warnings })
    }

    /// When Typst fails inside the template, the cause is most often a block of the
    /// manuscript: finds the first block whose text makes the template fail (by typesetting
    /// shorter and shorter prefixes of the document) and points the errors at its line.
    fn blame_manuscript(&self, manuscript: &Manuscript, template: &Path, errors: &mut [Diagnostic], export: bool) {
        let in_template = |file: &Path| file == template || (file.canonicalize().ok()).is_some_and(|f| Some(f) == template.canonicalize().ok());
        if !errors.iter().any(|e| in_template(&e.file)) {
            return;
        }
        let blocks = &manuscript.document.blocks;
        let fails = |count: usize| self.prefix_fails(manuscript, &blocks[..count], export);
        if blocks.is_empty() || fails(0) {
            return; // the template fails on its own: a design error, located in the template
        }
        let (mut good, mut bad) = (0, blocks.len());
        while bad - good > 1 {
            let middle = good + (bad - good) / 2;
            if fails(middle) { bad = middle } else { good = middle }
        }
        let source = &blocks[bad - 1].source;
        for error in errors.iter_mut().filter(|e| in_template(&e.file)) {
            let design_place = error.location();
            error.hint = Some(format!(
                "the design ({design_place}) fails on the text that starts here; change the text, or report it with this text to the designer{}",
                error.hint.as_ref().map(|h| format!(" (Typst: {h})")).unwrap_or_default()
            ));
            error.file = manuscript.root.join(&source.file);
            error.line = Some(source.line);
            error.column = None;
        }
    }

    /// Whether typesetting (and, with `export`, exporting) the document cut to `blocks` fails.
    fn prefix_fails(&self, manuscript: &Manuscript, blocks: &[crate::model::Block], export: bool) -> bool {
        let document = crate::model::Document { meta: manuscript.document.meta.clone(), blocks: without_dangling_refs(blocks) };
        let Ok(json) = serde_json::to_vec(&document) else { return true };
        let generated = HashMap::from([(DOCUMENT_JSON.to_string(), Bytes::new(json))]);
        let date = report_date(&manuscript.document.meta.date);
        let world = ReportWorld::new(self.fonts.clone(), self.design_dir, &manuscript.root, &format!("/{TEMPLATE}"), generated, date);
        match typst::compile::<PagedDocument>(&world).output {
            Err(_) => true,
            Ok(paged) => export && typst_pdf::pdf(&paged, &pdf_options(&manuscript.config.output, date)).is_err(),
        }
    }

    /// Typesets `manuscript` and exports it as PDF.
    pub fn render(&self, manuscript: &Manuscript) -> Result<PdfOutput, Diagnostics> {
        let started = std::time::Instant::now();
        let typeset = self.typeset(manuscript)?;
        let compile_time = started.elapsed();
        let started = std::time::Instant::now();
        let options = pdf_options(&manuscript.config.output, report_date(&manuscript.document.meta.date));
        let template = self.design_dir.join(TEMPLATE);
        let bytes = typst_pdf::pdf(&typeset.document, &options).map_err(|errors| {
            let mut located: Vec<Diagnostic> = errors.iter().map(|d| export_diagnostic(d, &template)).collect();
            self.blame_manuscript(manuscript, &template, &mut located, true);
            Diagnostics(located)
        })?;
        let export_time = started.elapsed();
        Ok(PdfOutput { bytes, pages: typeset.document.pages().len(), warnings: typeset.warnings, compile_time, export_time })
    }
}

impl PdfBackend<'_> {
    /// Writes exactly what the pipeline compiles into `dir`: the design files, the document
    /// model as `document.json` and the manuscript images the text uses, so that
    /// `typst compile --font-path fonts <dir>/report.typ` builds the same pages.
    pub fn emit_typst(&self, manuscript: &Manuscript, dir: &Path) -> Result<Vec<PathBuf>, Diagnostics> {
        let mut written = Vec::new();
        copy_tree(self.design_dir, dir, &mut written)?;
        let input = TemplateInput { document: &manuscript.document, proof: self.proof.as_ref() };
        let json = serde_json::to_vec_pretty(&input).map_err(|e| {
            Diagnostics::one(Diagnostic::error(&manuscript.root, format!("cannot serialise the document model: {e}")))
        })?;
        let target = dir.join(DOCUMENT_JSON.trim_start_matches('/'));
        crate::output::write_atomically(&target, &json)?;
        written.push(target);
        for image in manuscript.document.image_paths() {
            let from = manuscript.root.join(&image);
            let to = dir.join(crate::world::MANUSCRIPT_PREFIX.trim_matches('/')).join(&image);
            let bytes = std::fs::read(&from).map_err(|e| Diagnostics::one(crate::diagnostics::io_error(&from, "read this image", &e)))?;
            crate::output::write_atomically(&to, &bytes)?;
            written.push(to);
        }
        Ok(written)
    }
}

/// A copy of `blocks` in which cross-references to figures and tables outside them are
/// plain text (a document cut short must not fail for a missing label).
fn without_dangling_refs(blocks: &[crate::model::Block]) -> Vec<crate::model::Block> {
    use crate::model::{Block, BlockKind, Inline};
    fn anchors(blocks: &[Block], out: &mut std::collections::HashSet<String>) {
        for block in blocks {
            match &block.kind {
                BlockKind::Image { anchor, .. } | BlockKind::Table { anchor, .. } | BlockKind::Chart { anchor, .. } => {
                    out.insert(anchor.clone());
                }
                BlockKind::Quote { blocks } | BlockKind::Sidebar { blocks, .. } => anchors(blocks, out),
                BlockKind::List { items, .. } => items.iter().for_each(|item| anchors(item, out)),
                _ => {}
            }
        }
    }
    fn fix_inlines(content: &mut [Inline], known: &std::collections::HashSet<String>) {
        for inline in content {
            match inline {
                Inline::Ref { target, text } if !known.contains(target.as_str()) => *inline = Inline::Text { text: std::mem::take(text) },
                Inline::Strong { content } | Inline::Emphasis { content } | Inline::Link { content, .. } | Inline::Note { content, .. } => fix_inlines(content, known),
                _ => {}
            }
        }
    }
    fn fix_blocks(blocks: &mut [Block], known: &std::collections::HashSet<String>) {
        for block in blocks {
            match &mut block.kind {
                BlockKind::Heading { content, .. } => fix_inlines(content, known),
                BlockKind::Paragraph { lead, content } => {
                    if let Some(lead) = lead {
                        fix_inlines(lead, known);
                    }
                    fix_inlines(content, known);
                }
                BlockKind::Image { caption, .. } => fix_inlines(caption, known),
                BlockKind::Quote { blocks } | BlockKind::Sidebar { blocks, .. } => fix_blocks(blocks, known),
                BlockKind::List { items, .. } => items.iter_mut().for_each(|item| fix_blocks(item, known)),
                _ => {}
            }
        }
    }
    let mut known = std::collections::HashSet::new();
    anchors(blocks, &mut known);
    let mut copy = blocks.to_vec();
    fix_blocks(&mut copy, &known);
    copy
}

/// Copies every file below `from` into `to`, keeping relative paths.
fn copy_tree(from: &Path, to: &Path, written: &mut Vec<PathBuf>) -> Result<(), Diagnostics> {
    let entries = std::fs::read_dir(from).map_err(|e| Diagnostics::one(crate::diagnostics::io_error(from, "read the design directory", &e)))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let Some(name) = path.file_name() else { continue };
        let target = to.join(name);
        if path.is_dir() {
            copy_tree(&path, &target, written)?;
        } else {
            let bytes = std::fs::read(&path).map_err(|e| Diagnostics::one(crate::diagnostics::io_error(&path, "read this design file", &e)))?;
            crate::output::write_atomically(&target, &bytes)?;
            written.push(target);
        }
    }
    Ok(())
}

/// A PDF export error (e.g. a PDF/UA requirement the design does not meet).
fn export_diagnostic(diagnostic: &SourceDiagnostic, template: &Path) -> Diagnostic {
    let hints: Vec<String> = diagnostic.hints.iter().map(|h| h.v.to_string()).collect();
    let mut located = Diagnostic::error(template, format!("PDF export: {}", diagnostic.message));
    if !hints.is_empty() {
        located.hint = Some(hints.join("; "));
    }
    located
}

/// The report date as a Typst datetime (the build never reads the clock).
fn report_date(date: &str) -> Option<Datetime> {
    let mut parts = date.split('-').map(|p| p.parse::<i64>().ok());
    let (Some(Some(y)), Some(Some(m)), Some(Some(d))) = (parts.next(), parts.next(), parts.next()) else {
        return None;
    };
    Datetime::from_ymd(i32::try_from(y).ok()?, u8::try_from(m).ok()?, u8::try_from(d).ok()?)
}

fn pdf_options(ident: &str, date: Option<Datetime>) -> PdfOptions {
    let standards = PdfStandards::new(&[PdfStandard::A_2a, PdfStandard::Ua_1]).unwrap_or_default();
    PdfOptions {
        ident: Smart::Custom(ident.to_string()),
        creator: Smart::Custom(Some(format!("reportpress {}", env!("CARGO_PKG_VERSION")))),
        timestamp: date.map(Timestamp::new_utc),
        standards,
        tagged: true,
        ..PdfOptions::default()
    }
}

/// Turns a Typst diagnostic into ours, pointing at the real file (the template) when the
/// span is in one, and at the template otherwise.
fn locate(world: &ReportWorld, diagnostic: &SourceDiagnostic, template: &Path) -> Diagnostic {
    let severity = match diagnostic.severity {
        TypstSeverity::Error => Severity::Error,
        TypstSeverity::Warning => Severity::Warning,
    };
    let mut located = Diagnostic {
        severity,
        file: template.to_path_buf(),
        line: None,
        column: None,
        message: format!("typesetting: {}", diagnostic.message),
        hint: None,
    };
    let hints: Vec<String> = diagnostic.hints.iter().map(|h| h.v.to_string()).collect();
    if !hints.is_empty() {
        located.hint = Some(hints.join("; "));
    }
    if let Some(id) = diagnostic.span.id() {
        let file: Option<PathBuf> = world.real_path_of(id);
        if let (Some(file), Some(range), Ok(source)) = (file, world.range(diagnostic.span), world.source(id))
            && let Some((line, column)) = source.lines().byte_to_line_column(range.start) {
                located.file = file;
                located.line = Some(line + 1);
                located.column = Some(column + 1);
            }
    }
    located
}
