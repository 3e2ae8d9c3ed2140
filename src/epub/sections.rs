//! The document model → the EPUB's XHTML content documents, one per top-level section.
//!
//! A level-1 heading starts a new file; whatever comes before the first one goes into an
//! opening file together with the title block (title, subtitle after ——, byline).
//! Figures and tables carry the numbers of the model (图 n / 表 n) with the caption label
//! Typst prints in the PDF (`图 1` + em space + caption); footnotes become EPUB 3 notes
//! (`epub:type="noteref"` / `"footnote"` in an `<aside>`), sidebars `<aside>` boxes, run-in
//! heads `<strong class="run-in">`, charts inline SVG (drawn anew for the reading width, in
//! the design's colours as screens show them) followed by their data as a table.
//! Display text and table cells are cut into words (`<wbr/>` between them), and a table too
//! wide for a phone is marked to reflow below the screen width it needs.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::charts::{ChartDesign, ChartLayout, ChartSpec};
use crate::diagnostics::{Diagnostic, Diagnostics, io_error};
use crate::model::CAPTION_SEPARATOR;
use crate::model::walk;
use crate::model::{Block, BlockKind, Document, Inline, ReferenceEntry, SourcePos, TableData, plain_text_of};
use crate::typeset::PrintPages;

use super::svg;
use super::xhtml::{self, Xhtml};

/// One XHTML content document.
#[derive(Debug, Clone)]
pub struct Section {
    /// File name inside the content directory, e.g. `section-01.xhtml`.
    pub href: String,
    /// The entry in the table of contents: the report title for the opening file,
    /// otherwise the level-1 heading.
    pub title: String,
    /// Headings below level 1, for the table of contents.
    pub subheadings: Vec<Subheading>,
    /// The finished XHTML.
    pub xhtml: Vec<u8>,
}

/// A heading below level 1, listed in the table of contents under its section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subheading {
    /// 2 to 6.
    pub level: u8,
    /// `file#id`.
    pub href: String,
    /// Plain text of the heading.
    pub title: String,
}

/// A file the content documents refer to (an image).
#[derive(Debug, Clone)]
pub struct Resource {
    /// Path inside the content directory, e.g. `images/figure-1.jpg`.
    pub href: String,
    /// Its media type.
    pub media_type: &'static str,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// The content documents of a book with the images they show.
#[derive(Debug, Clone, Default)]
pub struct Book {
    /// Content documents in reading order.
    pub sections: Vec<Section>,
    /// Images, in order of first use.
    pub images: Vec<Resource>,
    /// Problems that did not stop the build.
    pub warnings: Vec<Diagnostic>,
    /// The print edition's pages, each by its printed number with the place (`file#id`)
    /// where it begins.
    pub pages: Vec<(String, String)>,
    /// The numbered figures (images with a caption, charts), each as its caption line
    /// (`图 1　…`) and place (`file#id`), for the navigation's list of figures.
    pub figures: Vec<NavEntry>,
    /// The numbered tables likewise (`表 1　…`), for the list of tables.
    pub tables: Vec<NavEntry>,
}

/// A line of a navigation list: its text and its place (`file#id`).
pub type NavEntry = (String, String);

/// The caption lines and places of the document's numbered figures and tables, in order.
fn collect_lists(groups: &[&[Block]], hrefs: &[String]) -> (Vec<NavEntry>, Vec<NavEntry>) {
    let (mut figures, mut tables) = (Vec::new(), Vec::new());
    let line = |label: &str, caption: &str| if caption.is_empty() { label.to_string() } else { format!("{label}{CAPTION_SEPARATOR}{caption}") };
    for (group, href) in groups.iter().zip(hrefs) {
        walk::blocks(group, &mut |block| match &block.kind {
            BlockKind::Image { caption, number, label, anchor, .. } if !caption.is_empty() => {
                figures.push((line(label, &plain(caption)), format!("{href}#{}", element_id(anchor, "figure", *number))));
            }
            BlockKind::Chart { caption, number, label, anchor, .. } => {
                figures.push((line(label, caption), format!("{href}#{}", element_id(anchor, "figure", *number))));
            }
            BlockKind::Table { caption, number, label, anchor, .. } => {
                tables.push((line(label, caption), format!("{href}#{}", element_id(anchor, "table", *number))));
            }
            _ => {}
        });
    }
    (figures, tables)
}

/// Renders `document` into content documents. Images are read from `manuscript_root`.
/// `block_pages`, when known, is the print page each top-level block starts on: a
/// page-break marker then stands before the first block of every page (EPUB's page list).
/// Charts are drawn anew for the reading width in `charts` (the design's chart font and
/// colours; without it, in the print layout's font and the built-in colours).
pub fn render(document: &Document, manuscript_root: &Path, print_pages: Option<&PrintPages>, charts: Option<&ChartDesign>) -> Result<Book, Diagnostics> {
    let groups = split_sections(&document.blocks);
    let hrefs: Vec<String> = (0..groups.len()).map(|index| format!("section-{index:02}.xhtml")).collect();
    let mut targets = HashMap::new();
    for (group, href) in groups.iter().zip(&hrefs) {
        collect_targets(group, href, &mut targets);
    }
    let lang = document.meta.language.as_str();
    let mut images = ImageStore::default();
    let mut diagnostics = Diagnostics::default();
    let mut sections = Vec::new();
    let mut pages = PageMarks {
        block_pages: print_pages.map(|p| p.block_starts.as_slice()),
        labels: print_pages.map_or(&[], |p| p.labels.as_slice()),
        marked: 0,
        places: Vec::new(),
    };
    let own_words = crate::manuscript::display::own_words(manuscript_root);
    let mut first_block = 0;
    for (index, (group, href)) in groups.iter().zip(&hrefs).enumerate() {
        let title = match (index, group.first().map(|b| &b.kind)) {
            (0, _) => document.meta.title.clone(),
            (_, Some(BlockKind::Heading { content, .. })) => plain(content),
            _ => document.meta.title.clone(),
        };
        let mut writer = SectionWriter {
            href,
            index,
            root: manuscript_root,
            targets: &targets,
            images: &mut images,
            diagnostics: &mut diagnostics,
            notes: Vec::new(),
            noterefs: HashMap::new(),
            subheadings: Vec::new(),
            headings: 0,
            sidebars: 0,
            source: None,
            pages: &mut pages,
            first_block,
            words: Words { cut: &document.meta.display_words, own: &own_words },
            charts,
            printed: crate::model::script::for_language(&document.meta.language),
        };
        first_block += group.len();
        let written = xhtml::document(lang, &title, None, |out| writer.write_section(out, group, document));
        let xhtml = written.map_err(|e| Diagnostics::one(Diagnostic::error(manuscript_root, format!("cannot write the EPUB section {href}: {e}"))))?;
        sections.push(Section { href: href.clone(), title, subheadings: writer.subheadings, xhtml });
    }
    let warnings: Vec<Diagnostic> = diagnostics.0.iter().filter(|d| d.severity == crate::diagnostics::Severity::Warning).cloned().collect();
    let (figures, tables) = collect_lists(&groups, &hrefs);
    diagnostics.into_result(Book { sections, images: images.resources, warnings, pages: pages.places, figures, tables })
}

/// Where the print edition's pages begin in the content documents.
struct PageMarks<'p> {
    /// The print page of each top-level block.
    block_pages: Option<&'p [usize]>,
    /// Each page's printed number; a page without one gets no marker.
    labels: &'p [String],
    /// The last page marked.
    marked: usize,
    /// Each marked page's printed number and its place, `file#id`.
    places: Vec<(String, String)>,
}

impl PageMarks<'_> {
    /// Marks every page up to `page` not marked yet, at the current place of `out` in `href`.
    fn mark_through(&mut self, page: usize, out: &mut Xhtml, href: &str) {
        while self.marked < page {
            self.marked += 1;
            let number = self.labels.get(self.marked - 1).cloned().unwrap_or_else(|| self.marked.to_string());
            if number.is_empty() {
                continue;
            }
            let id = format!("page-{}", self.marked);
            out.empty("span", &[("epub:type", "pagebreak"), ("role", "doc-pagebreak"), ("id", &id), ("aria-label", &number)]);
            self.places.push((number, format!("{href}#{id}")));
        }
    }
}

/// Splits the top-level blocks before each level-1 heading. The first group (the opening)
/// holds what comes before the first heading and may be empty.
fn split_sections(blocks: &[Block]) -> Vec<&[Block]> {
    let mut groups = Vec::new();
    let mut start = 0;
    for (index, block) in blocks.iter().enumerate() {
        if matches!(block.kind, BlockKind::Heading { level: 1, .. }) {
            groups.push(&blocks[start..index]);
            start = index;
        }
    }
    groups.push(&blocks[start..]);
    groups
}

/// Plain text of inlines (footnotes left out).
fn plain(content: &[Inline]) -> String {
    let mut text = String::new();
    plain_text_of(content, &mut text);
    text
}

/// Whether `id` can be used as an XML id as it is (an NCName without colons).
fn is_xml_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|first| first.is_alphabetic() || first == '_') && chars.all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// A chart as the model holds it, for [`SectionWriter::chart`].
struct ChartParts<'b> {
    caption: &'b str,
    svg: &'b str,
    alt: &'b str,
    data: &'b TableData,
    data_shown_in: Option<&'b (String, String)>,
}

/// What the numbering pass gave a figure or table.
#[derive(Clone, Copy)]
struct Numbered<'b> {
    /// 图 n / 表 n.
    number: usize,
    /// The printed label, e.g. `图 1`.
    label: &'b str,
    /// The cross-reference anchor (may be empty).
    anchor: &'b str,
}

/// The id of a numbered element: its anchor when usable, otherwise `kind-number`.
fn element_id(anchor: &str, kind: &str, number: usize) -> String {
    if is_xml_id(anchor) { anchor.to_string() } else { format!("{kind}-{number}") }
}

/// Maps each anchor of a figure or table to its file and id (numbers come from the model's
/// one numbering pass).
fn collect_targets(blocks: &[Block], href: &str, targets: &mut HashMap<String, (String, String)>) {
    walk::blocks(blocks, &mut |block| {
        let (anchor, id) = match &block.kind {
            BlockKind::Image { anchor, number, .. } | BlockKind::Chart { anchor, number, .. } => (anchor, element_id(anchor, "figure", *number)),
            BlockKind::Table { anchor, number, .. } => (anchor, element_id(anchor, "table", *number)),
            BlockKind::References { entries } => {
                for entry in entries {
                    targets.entry(entry.anchor.clone()).or_insert_with(|| (href.to_string(), entry.anchor.clone()));
                }
                return;
            }
            _ => return,
        };
        if !anchor.is_empty() {
            targets.entry(anchor.clone()).or_insert_with(|| (href.to_string(), id));
        }
    });
    // Citations, which the list of references links back to.
    walk::inlines(blocks, &mut |inline, _| {
        if let Inline::Citation { id, .. } = inline
            && !id.is_empty()
        {
            targets.entry(id.clone()).or_insert_with(|| (href.to_string(), id.clone()));
        }
    });
}

/// The images of the book, each stored once.
#[derive(Default)]
struct ImageStore {
    by_path: HashMap<PathBuf, String>,
    resources: Vec<Resource>,
}

impl ImageStore {
    /// Adds the image at `path` (relative to `root`) and returns its href in the EPUB.
    fn add(&mut self, root: &Path, path: &Path, number: usize) -> Result<String, Diagnostic> {
        if let Some(href) = self.by_path.get(path) {
            return Ok(href.clone());
        }
        let full = root.join(path);
        let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        let Some(media_type) = xhtml::picture_media_type(&extension) else {
            return Err(Diagnostic::error(&full, "this image format cannot go into an EPUB").with_hint("convert the image to PNG, JPEG, GIF, WebP or SVG"));
        };
        let real_root = root.canonicalize().map_err(|e| io_error(root, "open the manuscript directory", &e))?;
        let real = full.canonicalize().map_err(|e| io_error(&full, "read this image", &e))?;
        if !real.starts_with(&real_root) {
            return Err(Diagnostic::error(&full, "the image is outside the manuscript directory")
                .with_hint("copy the image into the manuscript directory and refer to it there"));
        }
        let mut bytes = crate::access::read_within(root, &real, crate::manuscript::images::MAX_IMAGE_BYTES).map_err(|r| r.diagnostic(&full, "this image"))?;
        if extension == "svg" {
            // The EPUB keeps the SVG under another name: pictures it refers to go inside it.
            let dir = real.parent().unwrap_or(&real_root);
            bytes = super::svg::embed_pictures(&bytes, dir, &real_root).map_err(|message| {
                Diagnostic::error(&full, format!("this SVG image refers to a picture that cannot go into the EPUB: {message}"))
                    .with_hint("put the pictures the SVG shows inside the manuscript directory, beside it")
            })?;
        }
        let href = format!("images/figure-{number}.{extension}");
        self.by_path.insert(path.to_path_buf(), href.clone());
        self.resources.push(Resource { href: href.clone(), media_type, bytes });
        Ok(href)
    }
}

/// Writes one content document.
struct SectionWriter<'a, 'p> {
    href: &'a str,
    index: usize,
    root: &'a Path,
    /// anchor → (file, id)
    targets: &'a HashMap<String, (String, String)>,
    images: &'a mut ImageStore,
    diagnostics: &'a mut Diagnostics,
    /// Footnotes referenced in this file, in order of first reference.
    notes: Vec<(usize, &'a [Inline])>,
    /// How often each footnote was referenced in this file.
    noterefs: HashMap<usize, usize>,
    subheadings: Vec<Subheading>,
    headings: usize,
    sidebars: usize,
    /// The print edition's page marks, shared by every content document.
    pages: &'a mut PageMarks<'p>,
    /// The index among the document's top-level blocks of this document's first block.
    first_block: usize,
    /// The block being written, for messages.
    source: Option<&'a SourcePos>,
    /// How display text and table cells are cut into words.
    words: Words<'a>,
    /// The design's chart font and colours.
    charts: Option<&'a ChartDesign>,
    /// The words reportpress prints, in the document's script.
    printed: &'static crate::model::script::DocumentWords,
}

/// Cuts text into the words a line may break between: the model's cut of its display text
/// (title, subtitle, headings, captions), else jieba's with the manuscript's own words.
#[derive(Clone, Copy)]
struct Words<'a> {
    cut: &'a std::collections::BTreeMap<String, Vec<String>>,
    own: &'a [String],
}

impl Words<'_> {
    /// Writes `text` with a `<wbr/>` between two words. The stylesheet keeps words whole
    /// where it sets such text (`word-break: keep-all`), so a line breaks only between them.
    /// A word of one character is kept with the next one (with the one before at the end),
    /// so a narrow cell never shows a character alone on a line (`占|固定资产…`).
    fn write(&self, out: &mut Xhtml, text: &str) {
        let mut previous_was_word = false;
        for word in &self.pieces(text) {
            let is_space = word.chars().all(char::is_whitespace);
            if previous_was_word && !is_space {
                out.empty("wbr", &[]);
            }
            out.text(word);
            previous_was_word = !is_space;
        }
    }

    /// The pieces [`Words::write`] keeps whole: the cut's words, taken from `text` itself (a
    /// cut writes every run of spaces as one ASCII space; a caption's no-break and ideographic
    /// spaces are kept).
    fn pieces(&self, text: &str) -> Vec<String> {
        let cut = match self.cut.get(text) {
            Some(words) => words.clone(),
            None => crate::manuscript::display::words(text, self.own),
        };
        let mut rest = text;
        let mut words = Vec::with_capacity(cut.len());
        for word in &cut {
            let length = if word.chars().all(char::is_whitespace) {
                rest.chars().take_while(|c| c.is_whitespace()).map(char::len_utf8).sum()
            } else {
                rest.chars().take(word.chars().count()).map(char::len_utf8).sum()
            };
            let (piece, after) = rest.split_at(length);
            if !piece.is_empty() {
                words.push(piece.to_string());
            }
            rest = after;
        }
        if !rest.is_empty() {
            words.push(rest.to_string());
        }
        let mut joined: Vec<String> = Vec::with_capacity(words.len());
        let mut pending = String::new();
        for word in &words {
            let is_space = word.chars().all(char::is_whitespace);
            if is_space {
                joined.extend((!pending.is_empty()).then(|| std::mem::take(&mut pending)));
                joined.push(word.clone());
            } else if word.chars().count() == 1 {
                pending.push_str(word);
            } else {
                joined.push(std::mem::take(&mut pending) + word);
            }
        }
        if !pending.is_empty() {
            match joined.last_mut().filter(|last| !last.chars().all(char::is_whitespace)) {
                Some(last) => last.push_str(&pending),
                None => joined.push(pending),
            }
        }
        joined
    }
}

impl<'a> SectionWriter<'a, '_> {
    fn write_section(&mut self, out: &mut Xhtml, blocks: &'a [Block], document: &Document) {
        if self.index == 0 {
            out.start("section", &[("class", "opening"), ("aria-labelledby", "title")]);
            out.newline();
            // The print edition's first page begins with the title.
            if self.pages.block_pages.is_some() {
                self.pages.mark_through(1, out, self.href);
            }
            self.title_block(out, document);
        } else {
            let heading = format!("sec-{}", self.index);
            out.start("section", &[("class", "chapter"), ("epub:type", "chapter"), ("role", "doc-chapter"), ("aria-labelledby", &heading)]);
            out.newline();
        }
        self.blocks(out, blocks, true);
        out.end("section");
        out.newline();
        self.footnotes(out);
    }

    fn title_block(&mut self, out: &mut Xhtml, document: &Document) {
        let meta = &document.meta;
        out.start("header", &[("class", "title-block")]);
        out.newline();
        out.element("h1", &[("id", "title"), ("class", "title")], &meta.title);
        out.newline();
        if !meta.subtitle.is_empty() {
            out.start("p", &[("class", "subtitle")]);
            out.text(SUBTITLE_DASH);
            self.words.write(out, &meta.subtitle);
            out.end("p");
            out.newline();
        }
        if !meta.authors.is_empty() {
            out.element("p", &[("class", "byline")], &meta.authors.join("\u{3000}"));
            out.newline();
        }
        out.end("header");
        out.newline();
    }

    fn warn(&mut self, message: String) {
        let diagnostic = match self.source {
            Some(at) => Diagnostic::warning(self.root.join(&at.file), message).at_line(at.line),
            None => Diagnostic::warning(self.root, message),
        };
        self.diagnostics.push(diagnostic);
    }

    fn error(&mut self, diagnostic: Diagnostic) {
        let diagnostic = match (self.source, diagnostic.line) {
            (Some(at), None) if diagnostic.file == self.root => Diagnostic { file: self.root.join(&at.file), ..diagnostic }.at_line(at.line),
            _ => diagnostic,
        };
        self.diagnostics.push(diagnostic);
    }

    fn blocks(&mut self, out: &mut Xhtml, blocks: &'a [Block], top_level: bool) {
        for (index, block) in blocks.iter().enumerate() {
            // A page of the print edition that begins at this block is marked before it.
            if top_level && let Some(page) = self.pages.block_pages.and_then(|pages| pages.get(self.first_block + index).copied()) {
                self.pages.mark_through(page, out, self.href);
                out.newline();
            }
            self.source = Some(&block.source);
            self.block(out, block, top_level);
            out.newline();
        }
    }

    fn block(&mut self, out: &mut Xhtml, block: &'a Block, top_level: bool) {
        match &block.kind {
            BlockKind::Heading { level, content } => self.heading(out, *level, content, top_level),
            BlockKind::Paragraph { lead, content } => {
                out.start("p", &[]);
                if let Some(lead) = lead {
                    out.start("strong", &[("class", "run-in")]);
                    self.inlines(out, lead);
                    out.end("strong");
                }
                self.inlines(out, content);
                out.end("p");
            }
            BlockKind::Quote { blocks } => {
                out.start("blockquote", &[]);
                out.newline();
                self.blocks(out, blocks, false);
                out.end("blockquote");
            }
            BlockKind::List { ordered, start, items } => {
                let name = if *ordered { "ol" } else { "ul" };
                let start = start.to_string();
                let attributes: &[(&str, &str)] = if *ordered && start != "1" { &[("start", &start)] } else { &[] };
                out.start(name, attributes);
                out.newline();
                for item in items {
                    out.start("li", &[]);
                    self.blocks(out, item, false);
                    out.end("li");
                    out.newline();
                }
                out.end(name);
            }
            BlockKind::Sidebar { title, blocks } => {
                self.sidebars += 1;
                let id = format!("sidebar-{}-{}", self.index, self.sidebars);
                if title.is_empty() {
                    out.start("aside", &[("class", "sidebar")]);
                } else {
                    out.start("aside", &[("class", "sidebar"), ("aria-labelledby", &id)]);
                    out.newline();
                    out.element("p", &[("class", "sidebar-title"), ("id", &id)], title);
                }
                out.newline();
                self.blocks(out, blocks, false);
                out.end("aside");
            }
            BlockKind::Image { path, alt, caption, number, label, anchor, .. } => {
                self.image(out, path, alt, caption, &Numbered { number: *number, label, anchor });
            }
            BlockKind::Table { number, label, anchor, caption, unit, note, source_note, data, .. } => {
                let id = element_id(anchor, "table", *number);
                let caption = if caption.is_empty() { label.clone() } else { format!("{label}{CAPTION_SEPARATOR}{caption}") };
                self.table(out, &id, "three-line", &caption, unit, &[note, source_note], data);
            }
            BlockKind::Chart { number, label, anchor, caption, layout, alt, data, data_shown_in, spec, .. } => match layout {
                Some(layout) => {
                    let svg = match reading_layout(spec, layout, self.charts) {
                        Ok(reading) => reading.svg(),
                        Err(message) => {
                            self.warn(format!("the chart cannot be drawn at the EPUB's reading width ({message}); the EPUB shows the print layout, whose text is small on a phone"));
                            layout.svg()
                        }
                    };
                    let chart = ChartParts { caption, svg: &svg, alt, data, data_shown_in: data_shown_in.as_ref() };
                    self.chart(out, &Numbered { number: *number, label, anchor }, &chart)
                }
                None => self.error(Diagnostic::error(self.root.join(&block.source.file), "the chart was not laid out").at_line(block.source.line)),
            },
            BlockKind::Rule => out.empty("hr", &[]),
            BlockKind::References { entries } => self.references(out, entries),
            // No pages; definitions were moved into their notes by the footnote pass.
            BlockKind::PageBreak | BlockKind::NoteDefinition { .. } => {}
        }
    }

    /// The list of references: each entry as the PDF prints it (`ref-text`), its label
    /// linking back to the first citation and a numbered link back to every further one.
    fn references(&mut self, out: &mut Xhtml, entries: &'a [ReferenceEntry]) {
        out.start("section", &[("class", "references"), ("role", "doc-bibliography")]);
        out.newline();
        out.start("ul", &[("class", "reference-list")]);
        out.newline();
        for entry in entries {
            out.start("li", &[("id", &entry.anchor)]);
            let backs: Vec<String> = entry.citations.iter().filter_map(|id| self.targets.get(id)).map(|(file, id)| self.href_to(file, id)).collect();
            if !entry.label.is_empty() {
                match backs.first() {
                    Some(href) => out.element("a", &[("class", "ref-label"), ("href", href), ("role", "doc-backlink")], &entry.label),
                    None => out.element("span", &[("class", "ref-label")], &entry.label),
                }
                out.text(" ");
            }
            out.start("span", &[("class", "ref-text")]);
            self.inlines(out, &entry.content);
            out.end("span");
            let skip = usize::from(!entry.label.is_empty());
            for (index, href) in backs.iter().enumerate().skip(skip) {
                out.text(" ");
                let number = (index + 1).to_string();
                out.start("a", &[("class", "ref-back"), ("href", href), ("role", "doc-backlink")]);
                out.element("sup", &[], &number);
                out.end("a");
            }
            out.end("li");
            out.newline();
        }
        out.end("ul");
        out.newline();
        out.end("section");
    }

    /// A link to `id` in `file`, local when `file` is this section.
    fn href_to(&self, file: &str, id: &str) -> String {
        if file == self.href { format!("#{id}") } else { format!("{file}#{id}") }
    }

    fn heading(&mut self, out: &mut Xhtml, level: u8, content: &'a [Inline], top_level: bool) {
        let level = level.clamp(1, 6);
        let id = if level == 1 && top_level && self.headings == 0 && self.index > 0 {
            format!("sec-{}", self.index)
        } else {
            format!("sec-{}-{}", self.index, self.headings)
        };
        self.headings += 1;
        let name = format!("h{level}");
        out.start(&name, &[("id", &id)]);
        self.inlines(out, content);
        out.end(&name);
        if top_level && level > 1 {
            self.subheadings.push(Subheading { level, href: format!("{}#{id}", self.href), title: plain(content) });
        }
    }

    fn image(&mut self, out: &mut Xhtml, path: &Path, alt: &str, caption: &'a [Inline], numbered: &Numbered<'_>) {
        let Numbered { number, label, anchor } = *numbered;
        let src = match self.images.add(self.root, path, number) {
            Ok(src) => src,
            Err(diagnostic) => {
                self.error(diagnostic);
                return;
            }
        };
        let id = element_id(anchor, "figure", number);
        out.start("figure", &[("class", "figure"), ("id", &id)]);
        out.empty("img", &[("src", &src), ("alt", alt)]);
        // As in the PDF, a figure without caption prints no label either.
        if !caption.is_empty() {
            out.start("figcaption", &[]);
            out.text(&format!("{label}{CAPTION_SEPARATOR}"));
            self.inlines(out, caption);
            out.end("figcaption");
        }
        out.end("figure");
    }

    /// A chart: its SVG inline, with a text alternative, and its data offered once — a
    /// link to the numbered table that already holds it, or else a table folded under the
    /// chart (`<details>`, still in the reading order for screen readers).
    fn chart(&mut self, out: &mut Xhtml, numbered: &Numbered<'_>, chart: &ChartParts<'_>) {
        let Numbered { number, label, anchor } = *numbered;
        let id = element_id(anchor, "figure", number);
        let (data, see) = (self.printed.data, self.printed.see);
        let data_caption = format!("{label}{CAPTION_SEPARATOR}{data}");
        let caption = if chart.caption.is_empty() { label.to_string() } else { format!("{label}{CAPTION_SEPARATOR}{}", chart.caption) };
        let alt = if chart.alt.is_empty() { caption.clone() } else { chart.alt.to_string() };
        // Where the data is: the table already printed (in this file or another), or here.
        let holder = chart.data_shown_in.and_then(|(anchor, label)| self.targets.get(anchor).map(|(file, id)| (file.clone(), id.clone(), label.clone())));
        let (description, described_by) = match &holder {
            Some((file, table_id, table_label)) => (format!("{data}{see}{table_label}。"), (file == self.href).then(|| table_id.clone())),
            None => (format!("{data}{see}表格“{}”。", data_caption.replace(CAPTION_SEPARATOR, " ")), Some(format!("{id}-data"))),
        };
        let mut attributes = vec![("class", "chart"), ("id", id.as_str())];
        if let Some(target) = &described_by {
            attributes.push(("aria-describedby", target.as_str()));
        }
        out.start("figure", &attributes);
        out.newline();
        let labels = svg::Labels { id_prefix: &format!("{id}-"), label: &alt, description: &description };
        if let Err(message) = svg::inline(chart.svg, &labels, out) {
            self.error(Diagnostic::error(self.root, message).with_hint("the chart generator must write one well-formed <svg> document"));
        }
        out.newline();
        // The chart draws its source note itself (as in the PDF), and its text alternative
        // ends with it, so the caption does not repeat it.
        // Data that no numbered table holds is folded under the chart, before its caption
        // (a figcaption is the figure's first or last child); a link to the table that holds
        // it ends the caption.
        if holder.is_none() {
            out.start("details", &[("class", "chart-data")]);
            out.element("summary", &[], &data_caption);
            out.newline();
            self.table(out, &format!("{id}-data"), "three-line chart-data", &data_caption, "", &[], chart.data);
            out.end("details");
            out.newline();
        }
        out.start("figcaption", &[]);
        out.element("span", &[("class", "caption-text")], &caption);
        if let Some((file, table_id, table_label)) = holder {
            let href = if file == self.href { format!("#{table_id}") } else { format!("{file}#{table_id}") };
            out.start("span", &[("class", "chart-data-link")]);
            out.text(&format!("{data}{see}"));
            out.element("a", &[("class", "xref"), ("href", &href)], &table_label);
            out.text("。");
            out.end("span");
        }
        out.end("figcaption");
        out.newline();
        out.end("figure");
        out.newline();
    }

    #[allow(clippy::too_many_arguments)]
    /// `notes`: the lines under the table (注：…, 资料来源：…), empty ones left out.
    ///
    /// On a phone a table wider than the screen reflows rather than scrolls: below the
    /// screen width it needs ([`stack_width`]), each row becomes a block headed by its row key,
    /// each cell a line with its column heading as a label (the headings are written into the
    /// cells for this, hidden from screen readers, which read the table's own headings). A
    /// table that scrolls sideways hides most of its columns and its caption's end, and a
    /// reader cannot see that there is more; a reflowed one shows every value with its
    /// heading on one screen. Headings, row keys and text cells break only between words
    /// (`<wbr/>` between jieba's words; numbers never break), so no cell breaks inside a word.
    fn table(&mut self, out: &mut Xhtml, id: &str, class: &str, caption: &str, unit: &str, notes: &[&String], data: &TableData) {
        // The block names the table by its caption and can be reached by keyboard, for the
        // reading systems that still make it scroll (WCAG 2.1.1, 4.1.2).
        let caption_id = format!("{id}-caption");
        out.start("div", &[("class", "table-block"), ("role", "region"), ("tabindex", "0"), ("aria-labelledby", &caption_id)]);
        out.newline();
        let stack = stack_width(data, &self.words);
        let class = match stack {
            Some(width) => format!("{class} stack-{width}"),
            None => class.to_string(),
        };
        out.start("table", &[("class", &class), ("id", id)]);
        out.start("caption", &[("id", &caption_id)]);
        out.start("span", &[("class", "caption-text")]);
        self.words.write(out, caption);
        out.end("span");
        if !unit.is_empty() {
            out.element("span", &[("class", "table-unit")], unit);
        }
        out.end("caption");
        out.newline();
        // A column is numeric when all its body cells are: its heading is aligned with it.
        let numeric: Vec<bool> = (0..data.header.len())
            .map(|column| {
                let mut cells = data.rows.iter().filter_map(|row| row.get(column)).peekable();
                cells.peek().is_some() && cells.all(|cell| cell.numeric)
            })
            .collect();
        if !data.header.is_empty() {
            out.start("thead", &[]);
            out.start("tr", &[]);
            for (column, heading) in data.header.iter().enumerate() {
                let attributes: &[(&str, &str)] =
                    if numeric.get(column).copied().unwrap_or(false) { &[("scope", "col"), ("class", "num")] } else { &[("scope", "col")] };
                out.start("th", attributes);
                self.words.write(out, heading);
                out.end("th");
            }
            out.end("tr");
            out.end("thead");
            out.newline();
        }
        out.start("tbody", &[]);
        out.newline();
        for (index, row) in data.rows.iter().enumerate() {
            // A total row is set off by a rule and the bold face, as in the PDF.
            out.start("tr", if data.totals.contains(&index) { &[("class", "total")] } else { &[] });
            for (column, cell) in row.iter().enumerate() {
                // The row's key names the row: a row header, as the column headings name columns.
                let row_key = column == 0 && !cell.numeric;
                match (row_key, cell.numeric) {
                    (true, _) => out.start("th", &[("scope", "row")]),
                    (false, true) => out.start("td", &[("class", "num")]),
                    (false, false) => out.start("td", &[]),
                }
                if stack.is_some()
                    && !row_key
                    && let Some(heading) = data.header.get(column).filter(|h| !h.is_empty())
                {
                    out.start("span", &[("class", "cell-label"), ("aria-hidden", "true")]);
                    self.words.write(out, heading);
                    out.end("span");
                }
                if cell.numeric {
                    out.text(&cell.text);
                } else {
                    self.words.write(out, &cell.text);
                }
                out.end(if row_key { "th" } else { "td" });
            }
            out.end("tr");
            out.newline();
        }
        out.end("tbody");
        out.end("table");
        out.newline();
        for note in notes.iter().filter(|note| !note.is_empty()) {
            out.element("p", &[("class", "table-source")], note);
            out.newline();
        }
        out.end("div");
    }

    fn inlines(&mut self, out: &mut Xhtml, content: &'a [Inline]) {
        let mut rest = content.iter().peekable();
        while let Some(inline) = rest.next() {
            // A number from the data and the unit the text goes on with (`{{gdp.全市.总量}}亿元`)
            // stay on one line, as a number typed with its unit does.
            if let Inline::DataRef { value: Some(value), .. } = inline
                && let Some(Inline::Text { text }) = rest.peek()
                && let unit = crate::numbers::units::leading_unit(text)
                && unit > 0
            {
                out.start("span", &[("class", "qty")]);
                out.text(value);
                out.text(&text[..unit]);
                out.end("span");
                quantities_text(out, &text[unit..]);
                rest.next();
                continue;
            }
            self.inline(out, inline);
        }
    }

    fn inline(&mut self, out: &mut Xhtml, inline: &'a Inline) {
        match inline {
            Inline::Text { text } => quantities_text(out, text),
            Inline::Strong { content } => {
                out.start("strong", &[]);
                self.inlines(out, content);
                out.end("strong");
            }
            Inline::Emphasis { content } => {
                out.start("em", &[]);
                self.inlines(out, content);
                out.end("em");
            }
            Inline::Code { text } => {
                out.element("code", &[], text);
            }
            Inline::Link { url, content } => {
                if has_scheme(url) {
                    out.start("a", &[("href", &valid_href(url))]);
                    self.inlines(out, content);
                    out.end("a");
                } else {
                    self.warn(format!("the link target `{url}` is not a web address; the EPUB prints the link text without the link"));
                    self.inlines(out, content);
                }
            }
            Inline::LineBreak => out.empty("br", &[]),
            // Change marks exist only in change proofs (PDF); as HTML they would be <ins>/<del>.
            Inline::Inserted { content, .. } => {
                out.start("ins", &[]);
                self.inlines(out, content);
                out.end("ins");
            }
            Inline::Deleted { text, .. } => out.element("del", &[], text),
            // Resolved by the data-reference pass in any document without errors.
            Inline::DataRef { value: Some(value), .. } => out.text(value),
            Inline::DataRef { reference, .. } => out.text(&format!("{{{{{reference}}}}}")),
            Inline::Ref { target, text, .. } => match self.targets.get(target) {
                Some((file, id)) => {
                    let href = if file == self.href { format!("#{id}") } else { format!("{file}#{id}") };
                    out.element("a", &[("class", "xref"), ("href", &href)], text);
                }
                None => {
                    self.warn(format!("the cross-reference target `{target}` is not a figure or table of this report"));
                    out.text(text);
                }
            },
            Inline::Citation { text, superscript, target, id, .. } => {
                let mark = |out: &mut Xhtml| if *superscript { out.element("sup", &[], text) } else { out.text(text) };
                match self.targets.get(target) {
                    Some((file, entry)) => {
                        let href = self.href_to(file, entry);
                        out.start("a", &[("class", "citation"), ("id", id), ("href", &href), ("role", "doc-biblioref")]);
                        mark(out);
                        out.end("a");
                    }
                    None => mark(out),
                }
            }
            Inline::Note { number, content, .. } => {
                let count = self.noterefs.entry(*number).or_insert(0);
                *count += 1;
                let id = if *count == 1 { format!("fnref-{number}") } else { format!("fnref-{number}-{count}") };
                if *count == 1 {
                    self.notes.push((*number, content));
                }
                let href = format!("#fn-{number}");
                out.start("a", &[("class", "noteref"), ("epub:type", "noteref"), ("role", "doc-noteref"), ("id", &id), ("href", &href)]);
                out.element("sup", &[], &number.to_string());
                out.end("a");
            }
        }
    }

    /// The footnotes referenced in this file, as EPUB 3 footnotes at its end.
    fn footnotes(&mut self, out: &mut Xhtml) {
        if self.notes.is_empty() {
            return;
        }
        out.start("div", &[("class", "footnotes")]);
        out.newline();
        let mut next = 0;
        // A note's text may itself reference notes; they are appended and written too.
        while let Some(&(number, content)) = self.notes.get(next) {
            next += 1;
            let id = format!("fn-{number}");
            let back = format!("#fnref-{number}");
            out.start("aside", &[("class", "footnote"), ("epub:type", "footnote"), ("role", "doc-footnote"), ("id", &id)]);
            out.start("p", &[]);
            out.element("a", &[("class", "note-number"), ("href", &back), ("role", "doc-backlink")], &number.to_string());
            out.text(" ");
            self.inlines(out, content);
            out.end("p");
            out.end("aside");
            out.newline();
        }
        out.end("div");
        out.newline();
    }
}

/// What stands between the title and the subtitle, in the title block and the package's
/// title (as the print designs' title pages set them).
pub const SUBTITLE_DASH: &str = "——";

/// The narrowest screen the EPUB is designed for, in CSS px (a 360 px phone less the page's
/// 0.5 em margins): a chart is drawn so that it fills this width.
pub const READING_WIDTH: f64 = 344.0;
/// The smallest chart text on that screen, in CSS px.
pub const MIN_CHART_TEXT: f64 = 11.0;

/// The chart drawn for the EPUB: as wide, in its own units, as its smallest text
/// ([`crate::charts::SMALLEST_TEXT`]) allows for that text to reach [`MIN_CHART_TEXT`] px when the
/// chart fills [`READING_WIDTH`] (the stylesheet sets it at the full text width), and as tall
/// as the print layout's proportions ask (at least three quarters of its width), or taller when
/// its categories need the room (a bar chart of many rows, at up to three times). Its data take
/// the design's colours as a screen shows them by day and by night ([`super::css::for_screens`]).
fn reading_layout(spec: &ChartSpec, print: &ChartLayout, design: Option<&ChartDesign>) -> Result<ChartLayout, String> {
    let width = (READING_WIDTH * crate::charts::SMALLEST_TEXT / MIN_CHART_TEXT).floor();
    let height = (print.height / print.width * width).max(0.75 * width).round();
    let colours = design.map_or(&[][..], |d| d.palette.as_slice());
    let palette: Vec<String> = crate::charts::solid_fills(colours).iter().map(|colour| super::css::for_screens(colour)).collect();
    let font = design.map_or_else(|| print.font_family.clone(), |d| d.font.clone());
    let mut failed = String::new();
    for taller in [1.0, 1.25, 1.5, 2.0, 2.5, 3.0] {
        let design = ChartDesign { font: font.clone(), width, height: (height * taller).round(), palette: palette.clone() };
        match crate::charts::render(&spec.options(&design), &spec.data) {
            Ok(chart) => return Ok(chart.layout),
            Err(message) => failed = message,
        }
    }
    Err(failed)
}

use super::css::STACK_STEPS;

/// Estimated width of `text` in em: CJK and full-width characters 1 em, others about half.
fn text_em(text: &str) -> f64 {
    text.chars().map(|c| if c.is_ascii() { 0.55 } else { 1.0 }).sum()
}

/// The narrowest screen (em of the body text) on which `data` is shown as a table, or `None`
/// when it fits every screen ([`STACK_STEPS`]): its columns at their natural width (a heading
/// on up to two lines broken between `words`, text cells up to 8 em, past which they wrap
/// between words), padding and the page margins. Tables are set at 0.9 em, with 0.7 em
/// padding on either side of each cell.
fn stack_width(data: &TableData, words: &Words<'_>) -> Option<u32> {
    let columns = data.header.len().max(data.rows.iter().map(Vec::len).max().unwrap_or(0));
    if columns < 2 {
        return None;
    }
    let mut width = 0.0;
    for column in 0..columns {
        let heading = data.header.get(column).map_or(0.0, |h| {
            let longest = words.pieces(h).iter().map(|w| text_em(w)).fold(0.0, f64::max);
            longest.max(text_em(h) / 2.0)
        });
        let cells = data.rows.iter().filter_map(|row| row.get(column)).map(|cell| text_em(&cell.text).min(8.0)).fold(0.0, f64::max);
        width += heading.max(cells) + 1.4;
    }
    let needed = width * 0.9 + 1.0;
    // Narrower than the narrowest phone: always a table.
    if needed <= 22.0 {
        return None;
    }
    Some(STACK_STEPS.iter().copied().find(|&step| f64::from(step) >= needed).unwrap_or(STACK_STEPS[STACK_STEPS.len() - 1]))
}

/// Whether `url` names a scheme (`https:`, `mailto:` …) and so can be followed from an EPUB.
/// `url` as a valid URL for an `href` (EPUBCheck RSC-020 otherwise): the characters a URL
/// may not hold as they are (spaces, quotes, angle brackets, backslashes, braces, controls,
/// non-ASCII) are percent-encoded as UTF-8, as is a `%` that starts no escape; the rest
/// stays as written.
fn valid_href(url: &str) -> String {
    let bytes = url.trim().as_bytes();
    let mut out = String::with_capacity(bytes.len());
    for (i, &byte) in bytes.iter().enumerate() {
        let escape_start = byte == b'%' && bytes.get(i + 1..i + 3).is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit));
        match byte {
            b'%' if escape_start => out.push('%'),
            b'!' | b'#' | b'$' | b'&'..=b';' | b'=' | b'?'..=b'[' | b']' | b'_' | b'a'..=b'z' | b'~' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

fn has_scheme(url: &str) -> bool {
    match url.split_once(':') {
        Some((scheme, _)) => {
            let mut chars = scheme.chars();
            chars.next().is_some_and(|c| c.is_ascii_alphabetic()) && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

/// `text`, each number with its unit in it (`1,941.0亿元`, `312 Mbps`) kept on one line
/// (`<span class="qty">`, `white-space: nowrap`): a reading system may break before a unit
/// character as between any two Chinese characters.
fn quantities_text(out: &mut Xhtml, text: &str) {
    let mut at = 0;
    for range in crate::numbers::units::quantities(text) {
        out.text(&text[at..range.start]);
        out.element("span", &[("class", "qty")], &text[range.clone()]);
        at = range.end;
    }
    out.text(&text[at..]);
}

#[cfg(test)]
mod href_tests {
    use super::valid_href;

    #[test]
    fn hrefs_are_valid_urls_whatever_the_link_says() {
        assert_eq!(valid_href("https://example.com/a b\"c"), "https://example.com/a%20b%22c");
        assert_eq!(valid_href("https://doi.org/10.1002/(SICI)1097-4571<3::AID>"), "https://doi.org/10.1002/(SICI)1097-4571%3C3::AID%3E");
        assert_eq!(valid_href("https://example.com/%E4%B8%AD?q=1&r=%zz#x"), "https://example.com/%E4%B8%AD?q=1&r=%25zz#x");
        assert_eq!(valid_href("https://例子.cn/路径"), "https://%E4%BE%8B%E5%AD%90.cn/%E8%B7%AF%E5%BE%84");
        assert_eq!(valid_href("mailto:a@b.cn"), "mailto:a@b.cn");
    }
}
