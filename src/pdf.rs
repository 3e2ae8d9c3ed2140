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
}

/// Everything the PDF backend needs besides the manuscript.
pub struct PdfBackend<'a> {
    /// The loaded fonts.
    pub fonts: Arc<FontSet>,
    /// The design directory holding `report.typ`.
    pub design_dir: &'a Path,
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
        let json = serde_json::to_vec(&manuscript.document).map_err(|e| {
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
            Diagnostics(errors.iter().map(|d| locate(&world, d, &template)).chain(warnings.iter().cloned()).collect())
        })?;
        Ok(Typeset { document, warnings })
    }

    /// Typesets `manuscript` and exports it as PDF.
    pub fn render(&self, manuscript: &Manuscript) -> Result<PdfOutput, Diagnostics> {
        let typeset = self.typeset(manuscript)?;
        let options = pdf_options(&manuscript.config.output, report_date(&manuscript.document.meta.date));
        let template = self.design_dir.join(TEMPLATE);
        let bytes = typst_pdf::pdf(&typeset.document, &options).map_err(|errors| {
            Diagnostics(errors.iter().map(|d| export_diagnostic(d, &template)).collect())
        })?;
        Ok(PdfOutput { bytes, pages: typeset.document.pages().len(), warnings: typeset.warnings })
    }
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
        if let (Some(file), Some(range), Ok(source)) = (file, world.range(diagnostic.span), world.source(id)) {
            if let Some((line, column)) = source.lines().byte_to_line_column(range.start) {
                located.file = file;
                located.line = Some(line + 1);
                located.column = Some(column + 1);
            }
        }
    }
    located
}
