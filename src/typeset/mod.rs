//! Typesetting with Typst, shared by the PDF writer and the EPUB cover: a lean Typst
//! [`world::ReportWorld`], the pinned [`fonts`] (with Typst's face descriptions cached by
//! [`font_info_cache`]), and the tracing of Typst errors back to manuscript lines.
//!
//! The document model reaches the design template as JSON (`/document.json`), never as
//! Typst markup. [`Typesetter::typeset`] lays out the whole book once per build (the PDF
//! and the proof export that layout); [`Typesetter::title_page`] lays out only the design's
//! title page (`cover.typ`), for the EPUB cover.

pub(crate) mod balance;
pub(crate) mod font_info_cache;
pub mod fonts;
pub mod last_page;
pub(crate) mod world;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use typst::World;
use typst::WorldExt;
use typst::diag::{Severity as TypstSeverity, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime};
use typst_layout::PagedDocument;

use crate::design::{COVER_TEMPLATE, TEMPLATE};
use crate::diagnostics::{Diagnostic, Diagnostics, Severity};
use crate::model::walk;
use crate::model::{Block, Document, Inline, Metadata};
use crate::press::PressInfo;
use crate::proof::ProofInfo;
use fonts::FontSet;
use world::ReportWorld;

/// The virtual path under which the document model is served to the templates.
pub const DOCUMENT_JSON: &str = "/document.json";

/// The virtual path of the balanced columns' float heights (see [`balance`]).
pub const BALANCE_JSON: &str = "/balance.json";

/// A laid-out document, before export.
pub struct Typeset {
    /// Typst's paged document.
    pub document: PagedDocument,
    /// Typst warnings, located where possible.
    pub warnings: Vec<Diagnostic>,
    /// What this layout was made from (see [`build_id`]); empty for a title page.
    pub build_id: String,
    /// Whether this is the proof edition (exported as PDF/A-3a, which allows the
    /// manuscript snapshot attached to it; the print edition is PDF/A-2a).
    pub proof: bool,
    /// Whether this is the press edition (exported untagged, then made PDF/X-4 by
    /// [`crate::press::finish`]).
    pub press: bool,
    /// The heights of the floats that balance the columns of each section's last page, as
    /// the template was given them (`/balance.json`).
    pub balance: balance::Targets,
    /// How many times the book was laid out (1, or 2–3 to balance last pages).
    pub passes: usize,
}

impl Typeset {
    /// What the layouts after the first were for, as the build's summary line says it
    /// (`, columns balanced in 2 layouts`, `, last page filled in 2 layouts`), or nothing.
    pub fn layout_summary(&self) -> String {
        if self.passes < 2 {
            return String::new();
        }
        let filled = self.balance.keys().any(|key| last_page::is_break_key(key));
        let balanced = self.balance.keys().any(|key| !last_page::is_break_key(key));
        let what = match (balanced, filled) {
            (true, true) => "columns balanced and last page filled",
            (false, true) => "last page filled",
            _ => "columns balanced",
        };
        format!(", {what} in {} layouts", self.passes)
    }
}

/// Where the print edition's pages fall, for the EPUB's page list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrintPages {
    /// The page (1-based, counted from the first sheet) each top-level block starts on.
    pub block_starts: Vec<usize>,
    /// Each page's printed number (`i`, `ii`, `1` …), empty for a page printed without one
    /// (a cover) in a book whose other pages are numbered.
    pub labels: Vec<String>,
}

impl Typeset {
    /// The print edition's pages: where each of the document's `blocks` top-level blocks
    /// starts, and how each page is numbered.
    pub fn print_pages(&self, blocks: usize) -> PrintPages {
        PrintPages { block_starts: self.block_pages(blocks), labels: self.page_labels() }
    }

    /// Each page's printed number, by the page numbering the template set (front matter in
    /// roman, the body from 1). A design that sets no numbering at all (it prints the page
    /// counter itself) numbers every page by the counter.
    pub fn page_labels(&self) -> Vec<String> {
        use typst::model::Numbering;
        let pages = self.document.pages();
        let numbered = pages.iter().any(|page| page.numbering.is_some());
        pages
            .iter()
            .map(|page| match &page.numbering {
                Some(Numbering::Pattern(pattern)) => {
                    pattern.apply(None, &[page.number]).map(|label| label.to_string()).unwrap_or_else(|_| page.number.to_string())
                }
                Some(Numbering::Func(_)) => page.number.to_string(),
                None if numbered => String::new(),
                None => page.number.to_string(),
            })
            .collect()
    }

    /// The page (1-based) each top-level block of the document starts on, in block order,
    /// read from the block markers the book template lays out (an invisible `metadata` with
    /// the block's index before each top-level block). A block without a marker takes the
    /// page of the block before it.
    pub fn block_pages(&self, blocks: usize) -> Vec<usize> {
        use typst::foundations::{NativeElement, Selector, Value};
        use typst::introspection::{Introspector, MetadataElem};
        let introspector = self.document.introspector();
        let mut pages: Vec<Option<usize>> = vec![None; blocks];
        for content in introspector.query(&Selector::Elem(MetadataElem::ELEM, None)) {
            let (Some(metadata), Some(location)) = (content.to_packed::<MetadataElem>(), content.location()) else { continue };
            if let Value::Int(index) = metadata.value
                && let Ok(index) = usize::try_from(index)
                && let Some(slot) = pages.get_mut(index)
            {
                *slot = introspector.page(location).map(|page| page.get());
            }
        }
        let mut last = 1;
        pages
            .into_iter()
            .map(|page| {
                last = page.unwrap_or(last).max(last);
                last
            })
            .collect()
    }
}

/// The JSON the book template reads: the document model, plus proof details for proofs.
#[derive(serde::Serialize)]
struct TemplateInput<'a> {
    #[serde(flatten)]
    document: &'a Document,
    #[serde(skip_serializing_if = "Option::is_none")]
    proof: Option<&'a ProofInfo>,
    /// The unit words a number is set in one box with ([`crate::numbers::units`]).
    units: &'static str,
    #[serde(flatten)]
    language: LanguageInput<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    press: Option<&'a PressInfo>,
}

/// What the templates set differently by the document's language: the design's faces for
/// its region (`design.toml` names the Simplified Chinese ones) and Typst's text region.
#[derive(serde::Serialize)]
struct LanguageInput<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    faces: Option<&'a crate::design::DesignFonts>,
    region: &'static str,
    /// The words the templates print (图, 续表, 目录, 校样 …) in the document's script.
    words: &'static crate::model::script::DocumentWords,
}

/// The JSON the title-page template reads: the metadata, and the faces for its language.
#[derive(serde::Serialize)]
struct TitlePageInput<'a> {
    meta: &'a Metadata,
    #[serde(flatten)]
    language: LanguageInput<'a>,
}

/// Lays documents out with one design and one set of fonts.
pub struct Typesetter<'a> {
    /// The loaded fonts.
    pub fonts: Arc<FontSet>,
    /// The design directory holding the templates.
    pub design_dir: &'a Path,
    /// The manuscript directory, whose images the template may read.
    pub manuscript_root: &'a Path,
    /// The design's faces for the document's language ([`crate::design::Design::for_language`]).
    pub faces: Option<&'a crate::design::DesignFonts>,
    /// For the press edition: the bleed and inks the templates set the pages with.
    pub press: Option<PressInfo>,
}

impl Typesetter<'_> {
    /// The template's JSON for `document` (and the proof details of a proof).
    /// `faces`: the design's faces for the document's language (`None`: as `design.toml`
    /// names them).
    pub fn input_json(
        document: &Document,
        proof: Option<&ProofInfo>,
        faces: Option<&crate::design::DesignFonts>,
        pretty: bool,
    ) -> Result<Vec<u8>, serde_json::Error> {
        Self::edition_json(document, proof, faces, None, pretty)
    }

    /// The template's JSON for `document` in one edition: a proof's details, or the press
    /// edition's bleed and inks.
    pub fn edition_json(
        document: &Document,
        proof: Option<&ProofInfo>,
        faces: Option<&crate::design::DesignFonts>,
        press: Option<&PressInfo>,
        pretty: bool,
    ) -> Result<Vec<u8>, serde_json::Error> {
        let language = LanguageInput {
            faces,
            region: crate::typeset::fonts::text_region(&document.meta.language),
            words: crate::model::script::for_language(&document.meta.language),
        };
        let input = TemplateInput { document, proof, units: crate::numbers::units::UNIT_WORDS, language, press };
        if pretty { serde_json::to_vec_pretty(&input) } else { serde_json::to_vec(&input) }
    }

    /// Lays `document` out with the design template (no PDF yet). In a multi-column design
    /// the last page of every section is balanced ([`balance`]): the book is laid out again
    /// with the floats that level those pages' columns (at most twice more).
    pub fn typeset(&self, document: &Document, proof: Option<&ProofInfo>) -> Result<Typeset, Diagnostics> {
        let json = Self::edition_json(document, proof, self.faces, self.press.as_ref(), false).map_err(|e| self.serialise_error(&e))?;
        let json = Bytes::new(json);
        let ((mut paged, mut warnings), mut used, mut passes) = balance::balance(|floats| self.compile_book(document, &json, floats), |(paged, _)| paged)?;
        // A last page less than a quarter full: a block of the page before starts on it, if
        // that leaves as many pages and fills the last one to a quarter ([`last_page`]).
        for index in last_page::candidates(&paged, &document.blocks) {
            let key = last_page::break_key(index);
            let with_break = |floats: &balance::Targets| {
                let mut targets = floats.clone();
                targets.insert(key.clone(), 1.0);
                self.compile_book(document, &json, &targets)
            };
            let ((again, again_warnings), mut again_used, again_passes) = balance::balance(with_break, |(paged, _)| paged)?;
            passes += again_passes;
            let fuller = last_page::last_page(&again).is_some_and(|last| last.fill >= last_page::LEAST_FILL);
            if fuller && again.pages().len() == paged.pages().len() {
                again_used.insert(key, 1.0);
                (paged, warnings, used) = (again, again_warnings, again_used);
                break;
            }
        }
        let edition = if proof.is_some() {
            "proof"
        } else if self.press.is_some() {
            "press"
        } else {
            "print"
        };
        let build_id = build_id(document, edition, self.design_dir);
        Ok(Typeset { document: paged, warnings, build_id, proof: proof.is_some(), press: self.press.is_some(), balance: used, passes })
    }

    /// One layout of the book with the balancing floats `balance`.
    fn compile_book(&self, document: &Document, json: &Bytes, balance: &balance::Targets) -> Result<(PagedDocument, Vec<Diagnostic>), Diagnostics> {
        let (world, template) = self.world_with(TEMPLATE, json.clone(), balance, &document.meta.date)?;
        let _watched = crate::watchdog::enter("typesetting", &self.design_dir.join(TEMPLATE));
        let result = typst::compile::<PagedDocument>(&world);
        let warnings: Vec<Diagnostic> = result.warnings.iter().map(|d| locate(&world, d, &template)).collect();
        let paged = result.output.map_err(|errors| {
            let mut located: Vec<Diagnostic> = errors.iter().map(|d| locate(&world, d, &template)).collect();
            self.blame_manuscript(document, &mut located, |prefix| self.prefix_fails(document, prefix, None));
            Diagnostics(located.into_iter().chain(warnings.iter().cloned()).collect())
        })?;
        Ok((paged, warnings))
    }

    /// Lays out the design's title page (`cover.typ`) for `meta`: title, subtitle, authors,
    /// publisher and date in the design's colours. Never the whole book.
    pub fn title_page(&self, meta: &Metadata) -> Result<Typeset, Diagnostics> {
        let language = LanguageInput {
            faces: self.faces,
            region: crate::typeset::fonts::text_region(&meta.language),
            words: crate::model::script::for_language(&meta.language),
        };
        let json = serde_json::to_vec(&TitlePageInput { meta, language }).map_err(|e| self.serialise_error(&e))?;
        let (world, template) = self.world_with(COVER_TEMPLATE, Bytes::new(json), &balance::Targets::new(), &meta.date)?;
        let _watched = crate::watchdog::enter("typesetting the title page", &self.design_dir.join(COVER_TEMPLATE));
        let result = typst::compile::<PagedDocument>(&world);
        let warnings: Vec<Diagnostic> = result.warnings.iter().map(|d| locate(&world, d, &template)).collect();
        let paged = result.output.map_err(|errors| Diagnostics(errors.iter().map(|d| locate(&world, d, &template)).collect()))?;
        Ok(Typeset { document: paged, warnings, build_id: String::new(), proof: false, press: false, balance: balance::Targets::new(), passes: 1 })
    }

    /// A world that compiles `template` of the design with `json` as `/document.json` and
    /// `balance` as `/balance.json`.
    fn world_with(&self, template: &str, json: Bytes, balance: &balance::Targets, date: &str) -> Result<(ReportWorld, PathBuf), Diagnostics> {
        let path = self.design_dir.join(template);
        if !path.is_file() {
            return Err(Diagnostics::one(
                Diagnostic::error(&path, format!("the design has no {template}"))
                    .with_hint("name a design directory that holds report.typ, common.typ, cover.typ, design.toml and epub.css"),
            ));
        }
        let balance = serde_json::to_vec(balance).unwrap_or_else(|_| b"{}".to_vec());
        let generated = HashMap::from([(DOCUMENT_JSON.to_string(), json), (BALANCE_JSON.to_string(), Bytes::new(balance))]);
        let world = ReportWorld::new(self.fonts.clone(), self.design_dir, self.manuscript_root, &format!("/{template}"), generated, report_date(date));
        Ok((world, path))
    }

    fn serialise_error(&self, error: &serde_json::Error) -> Diagnostics {
        Diagnostics::one(Diagnostic::error(self.manuscript_root, format!("cannot serialise the document model: {error}")))
    }

    /// When Typst fails inside the template, the cause is most often a block of the
    /// manuscript: finds the first block whose text makes the template fail (`fails` tells
    /// whether a document cut to that many top-level blocks fails) and points the errors at
    /// its line.
    pub fn blame_manuscript(&self, document: &Document, errors: &mut [Diagnostic], fails: impl Fn(&[Block]) -> bool) {
        let template = self.design_dir.join(TEMPLATE);
        let in_template = |file: &Path| file == template || (file.canonicalize().ok()).is_some_and(|f| Some(f) == template.canonicalize().ok());
        if !errors.iter().any(|e| in_template(&e.file)) {
            return;
        }
        let blocks = &document.blocks;
        if blocks.is_empty() || fails(&blocks[..0]) {
            return; // the template fails on its own: a design error, located in the template
        }
        let (mut good, mut bad) = (0, blocks.len());
        while bad - good > 1 {
            let middle = good + (bad - good) / 2;
            if fails(&blocks[..middle]) { bad = middle } else { good = middle }
        }
        let source = &blocks[bad - 1].source;
        for error in errors.iter_mut().filter(|e| in_template(&e.file)) {
            let design_place = error.location();
            error.hint = Some(format!(
                "the design ({design_place}) fails on the text that starts here; change the text, or report it with this text to the designer{}",
                error.hint.as_ref().map(|h| format!(" (Typst: {h})")).unwrap_or_default()
            ));
            error.file = self.manuscript_root.join(&source.file);
            error.line = Some(source.line);
            error.column = None;
        }
    }

    /// Whether typesetting the document cut to `blocks` fails; with `export`, also whether
    /// exporting the cut layout with it fails.
    pub fn prefix_fails(&self, document: &Document, blocks: &[Block], export: Option<&dyn Fn(&PagedDocument) -> bool>) -> bool {
        let cut = Document { meta: document.meta.clone(), blocks: without_dangling_refs(blocks) };
        let Ok(json) = Self::input_json(&cut, None, self.faces, false) else { return true };
        let Ok((world, _)) = self.world_with(TEMPLATE, Bytes::new(json), &balance::Targets::new(), &document.meta.date) else { return true };
        match typst::compile::<PagedDocument>(&world).output {
            Err(_) => true,
            Ok(paged) => export.is_some_and(|export_fails| export_fails(&paged)),
        }
    }
}

/// A copy of `blocks` in which cross-references to figures and tables outside them are
/// plain text (a document cut short must not fail for a missing label).
fn without_dangling_refs(blocks: &[Block]) -> Vec<Block> {
    use crate::model::BlockKind;
    let mut known = std::collections::HashSet::new();
    walk::blocks(blocks, &mut |block| {
        if let BlockKind::Image { anchor, .. } | BlockKind::Table { anchor, .. } | BlockKind::Chart { anchor, .. } = &block.kind {
            known.insert(anchor.clone());
        }
    });
    let mut copy = blocks.to_vec();
    walk::inline_lists_mut(&mut copy, &mut |list, _| {
        for inline in list.iter_mut() {
            if let Inline::Ref { target, text, .. } = inline
                && !known.contains(target.as_str())
            {
                *inline = Inline::Text { text: std::mem::take(text) };
            }
        }
    });
    copy
}

/// A short hash of everything the body's layout is made from: the document model (without
/// a proof's build time and revision, which only its footer shows), the edition (`print`,
/// `proof`: another sheet width, or `press`: other colours) and the design's files. Two layouts with the same build id
/// put every glyph of the body at the same place (builds are reproducible), so `review`
/// can map a PDF's annotations onto a layout it makes again from the manuscript. The PDF
/// carries it in its permanent file identifier (see `pdf::export`).
pub fn build_id(document: &Document, edition: &str, design_dir: &Path) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(Typesetter::input_json(document, None, None, false).unwrap_or_default());
    hasher.update(edition.as_bytes());
    let mut files = Vec::new();
    design_files(design_dir, &mut files);
    files.sort();
    for file in files {
        // Relative names: the same design elsewhere (another machine, a moved manuscript) is the same.
        hasher.update(file.strip_prefix(design_dir).unwrap_or(&file).to_string_lossy().as_bytes());
        // Through the access layer: a FIFO or a link out of the design is not read (nor waited on).
        hasher.update(crate::access::read_within(design_dir, &file, 64 * 1024 * 1024).unwrap_or_default());
    }
    hasher.finalize().iter().take(12).map(|b| format!("{b:02x}")).collect()
}

/// Every file below `dir` (the design's templates, settings and stylesheet).
fn design_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
        if path.is_dir() {
            design_files(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// The report date as a Typst datetime (the build never reads the clock).
pub fn report_date(date: &str) -> Option<Datetime> {
    let mut parts = date.split('-').map(|p| p.parse::<i64>().ok());
    let (Some(Some(y)), Some(Some(m)), Some(Some(d))) = (parts.next(), parts.next(), parts.next()) else {
        return None;
    };
    Datetime::from_ymd(i32::try_from(y).ok()?, u8::try_from(m).ok()?, u8::try_from(d).ok()?)
}

/// Turns a Typst diagnostic into ours, pointing at the real file (the template) when the
/// span is in one, and at the template otherwise.
fn locate(world: &ReportWorld, diagnostic: &SourceDiagnostic, template: &Path) -> Diagnostic {
    let severity = match diagnostic.severity {
        TypstSeverity::Error => Severity::Error,
        TypstSeverity::Warning => Severity::Warning,
    };
    let mut located =
        Diagnostic { severity, file: template.to_path_buf(), line: None, column: None, message: format!("typesetting: {}", diagnostic.message), hint: None };
    let hints: Vec<String> = diagnostic.hints.iter().map(|h| h.v.to_string()).collect();
    if !hints.is_empty() {
        located.hint = Some(hints.join("; "));
    }
    if let Some(id) = diagnostic.span.id() {
        let file: Option<PathBuf> = world.real_path_of(id);
        if let (Some(file), Some(range), Ok(source)) = (file, world.range(diagnostic.span), world.source(id))
            && let Some((line, column)) = source.lines().byte_to_line_column(range.start)
        {
            located.file = file;
            located.line = Some(line + 1);
            located.column = Some(column + 1);
        }
    }
    located
}
