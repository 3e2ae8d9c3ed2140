//! The PDF writer: a book laid out once by [`crate::typeset`] → a tagged PDF/A-2a +
//! PDF/UA-1 file, exported by `typst-pdf`. The proof edition is the same writer given a
//! layout made with the proofreaders' details (PDF/A-3a + PDF/UA-1, carrying the
//! manuscript snapshot it was made from).

use std::path::{Path, PathBuf};

use typst::diag::SourceDiagnostic;
use typst::foundations::{Datetime, Smart};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use crate::design::TEMPLATE;
use crate::diagnostics::{Diagnostic, Diagnostics, io_error};
use crate::output::write_atomically;
use crate::proof::ProofInfo;
use crate::render::RenderContext;
use crate::typeset::world::MANUSCRIPT_PREFIX;
use crate::typeset::{BALANCE_JSON, DOCUMENT_JSON, Typeset, Typesetter, report_date};

/// A finished PDF.
pub struct PdfOutput {
    /// The PDF file's bytes.
    pub bytes: Vec<u8>,
    /// Number of pages.
    pub pages: usize,
    /// Time spent in PDF export.
    pub export_time: std::time::Duration,
}

/// Exports the layout `typeset` of `context`'s document as PDF.
pub fn export(context: &RenderContext<'_>, typeset: &Typeset) -> Result<PdfOutput, Diagnostics> {
    let started = std::time::Instant::now();
    let options = pdf_options(&file_ident(context.output_name, &typeset.build_id), report_date(&context.document.meta.date), typeset.proof);
    let template = context.design.dir.join(TEMPLATE);
    let bytes = typst_pdf::pdf(&typeset.document, &options).map_err(|errors| {
        let mut located: Vec<Diagnostic> = errors.iter().map(|d| export_diagnostic(d, &template)).collect();
        let typesetter = context.typesetter();
        let export_fails = |paged: &PagedDocument| typst_pdf::pdf(paged, &options).is_err();
        typesetter.blame_manuscript(context.document, &mut located, |prefix| typesetter.prefix_fails(context.document, prefix, Some(&export_fails)));
        Diagnostics(located)
    })?;
    Ok(PdfOutput { bytes, pages: typeset.document.pages().len(), export_time: started.elapsed() })
}

/// Writes exactly what the pipeline compiles into `dir`: the design files, the document
/// model as `document.json` and the manuscript images the text uses, so that
/// `typst compile --font-path fonts <dir>/report.typ` builds the same pages.
pub fn emit_typst(context: &RenderContext<'_>, proof: Option<&ProofInfo>, dir: &Path) -> Result<Vec<PathBuf>, Diagnostics> {
    let mut written = Vec::new();
    copy_tree(&context.design.dir, &context.design.dir, dir, &mut written)?;
    let json = Typesetter::input_json(context.document, proof, context.design.fonts.as_ref(), true)
        .map_err(|e| Diagnostics::one(Diagnostic::error(context.manuscript_root, format!("cannot serialise the document model: {e}"))))?;
    let target = dir.join(DOCUMENT_JSON.trim_start_matches('/'));
    write_atomically(&target, &json)?;
    written.push(target);
    // The balancing floats are measured on a layout, so lay the book out for them.
    let balance = context.typesetter().typeset(context.document, proof)?.balance;
    let target = dir.join(BALANCE_JSON.trim_start_matches('/'));
    let bytes = serde_json::to_vec_pretty(&balance).unwrap_or_else(|_| b"{}".to_vec());
    write_atomically(&target, &bytes)?;
    written.push(target);
    for image in context.document.image_paths() {
        let from = context.manuscript_root.join(&image);
        let to = dir.join(MANUSCRIPT_PREFIX.trim_matches('/')).join(&image);
        let bytes = crate::access::read_within(context.manuscript_root, &from, crate::manuscript::images::MAX_IMAGE_BYTES)
            .map_err(|r| Diagnostics::one(r.diagnostic(&from, "this image")))?;
        write_atomically(&to, &bytes)?;
        written.push(to);
    }
    Ok(written)
}

/// Copies every file below `from` (inside the design directory `root`: real folders only,
/// files read through [`crate::access`]) into `to`, keeping relative paths.
fn copy_tree(root: &Path, from: &Path, to: &Path, written: &mut Vec<PathBuf>) -> Result<(), Diagnostics> {
    let entries = std::fs::read_dir(from).map_err(|e| Diagnostics::one(io_error(from, "read the design directory", &e)))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let Some(name) = path.file_name() else { continue };
        let target = to.join(name);
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
            copy_tree(root, &path, &target, written)?;
        } else {
            let bytes = crate::access::read_within(root, &path, 64 * 1024 * 1024).map_err(|r| Diagnostics::one(r.diagnostic(&path, "this design file")))?;
            write_atomically(&target, &bytes)?;
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

/// What the PDF's permanent identifier (the first string of the trailer's `/ID`, which
/// viewers keep when they save annotations) is made from: the output name and the layout's
/// build id. `review` compares it with the identifier of a layout made again from the
/// manuscript on disk; nothing is added to the file, so it stays PDF/A and PDF/UA valid.
pub fn file_ident(output_name: &str, build_id: &str) -> String {
    format!("{output_name} {build_id}")
}

/// The print edition is PDF/A-2a + PDF/UA-1. The proof is PDF/A-3a + PDF/UA-1: PDF/A-3
/// allows the manuscript snapshot attached to it (see [`crate::snapshot`]).
fn pdf_options(ident: &str, date: Option<Datetime>, proof: bool) -> PdfOptions {
    let archival = if proof { PdfStandard::A_3a } else { PdfStandard::A_2a };
    let standards = PdfStandards::new(&[archival, PdfStandard::Ua_1]).unwrap_or_default();
    PdfOptions {
        ident: Smart::Custom(ident.to_string()),
        creator: Smart::Custom(Some(format!("reportpress {}", env!("CARGO_PKG_VERSION")))),
        timestamp: date.map(Timestamp::new_utc),
        standards,
        tagged: true,
        ..PdfOptions::default()
    }
}
