//! The output-independent document model.
//!
//! A manuscript is parsed once into a [`Document`]: report metadata plus an
//! ordered list of [`Block`]s, each remembering the manuscript file and line it
//! came from. The front end's passes (footnotes, data references, numbering, chart
//! layout) transform this model with the generic [`walk`]; every backend (PDF, EPUB)
//! consumes it and none of them re-reads Markdown. The model serialises to JSON, which
//! is how the Typst template receives the text: as data, never as markup, so manuscript
//! characters such as `#` or `$` can never run code.

pub mod script;
pub mod walk;

use std::path::PathBuf;

use serde::Serialize;

/// A whole report, ready for any backend.
#[derive(Debug, Clone, Serialize)]
pub struct Document {
    /// Title, authors and the other bibliographic fields.
    pub meta: Metadata,
    /// The body, in reading order.
    pub blocks: Vec<Block>,
}

/// Bibliographic data of a report, taken from `report.toml`.
#[derive(Debug, Clone, Serialize)]
pub struct Metadata {
    /// Main title.
    pub title: String,
    /// Subtitle, printed under the title (may be empty).
    pub subtitle: String,
    /// Authors in byline order.
    pub authors: Vec<String>,
    /// BCP 47 language tag, e.g. `zh-CN`.
    pub language: String,
    /// Publication date as `YYYY-MM-DD`.
    pub date: String,
    /// Publisher or issuing body.
    pub publisher: String,
    /// One-paragraph description for catalogues.
    pub description: String,
    /// Subject keywords.
    pub keywords: Vec<String>,
    /// The lists after the 目录 (`"figures"`, `"tables"`), as `report.toml` asks.
    pub lists: Vec<String>,
    /// Display text (the title, the subtitle, plain headings) cut into the words a line
    /// may break between, by the text; filled by the display pass.
    pub display_words: std::collections::BTreeMap<String, Vec<String>>,
}

/// Where a block starts in the manuscript.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourcePos {
    /// Path of the text file, relative to the manuscript directory.
    pub file: PathBuf,
    /// 1-based line number.
    pub line: usize,
}

impl std::fmt::Display for SourcePos {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)
    }
}

/// A line and column inside the file of the enclosing block (both 1-based; the column
/// counts characters), for errors found by a pass long after parsing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Place {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

/// One block of the body with its source position.
#[derive(Debug, Clone, Serialize)]
pub struct Block {
    /// What the block is.
    #[serde(flatten)]
    pub kind: BlockKind,
    /// Where it was written.
    pub source: SourcePos,
}

/// The kinds of block the manuscript format supports.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum BlockKind {
    /// A section heading; level 1 is a top-level section.
    Heading {
        /// 1 to 6.
        level: u8,
        /// Heading text.
        content: Vec<Inline>,
    },
    /// A body paragraph, optionally opened by a bold run-in head (e.g. `**生态立市。**`).
    Paragraph {
        /// The run-in head, set in the heading face and followed directly by the text.
        lead: Option<Vec<Inline>>,
        /// The paragraph text after the run-in head.
        content: Vec<Inline>,
    },
    /// A block quotation.
    Quote {
        /// Quoted blocks.
        blocks: Vec<Block>,
    },
    /// A bulleted or numbered list.
    List {
        /// Whether items are numbered.
        ordered: bool,
        /// The first number of an ordered list.
        start: u64,
        /// Each item is a sequence of blocks.
        items: Vec<Vec<Block>>,
    },
    /// A boxed text set apart from the body (written as a ```` ```sidebar ```` fence).
    Sidebar {
        /// Optional box title (the text after `sidebar` in the fence's info string).
        title: String,
        /// Blocks inside the box.
        blocks: Vec<Block>,
    },
    /// An image with a caption, numbered as a figure (图 n).
    Image {
        /// Path relative to the manuscript directory (checked to stay inside it).
        path: PathBuf,
        /// Text alternative for readers who cannot see the image.
        alt: String,
        /// Printed caption (may be empty).
        caption: Vec<Inline>,
        /// Figure number, shared with charts (图 1, 图 2 …).
        number: usize,
        /// The caption label as every edition prints it, e.g. `图 1` (set by the numbering pass).
        label: String,
        /// Before numbering: the explicit id written after the image (`{#fig:id}`), or empty.
        /// After: the anchor, `fig-<id>`, or `fig-n<number>` for an image without an id.
        anchor: String,
    },
    /// A data table placed in the text, numbered 表 n, printed as a three-line table (三线表).
    Table {
        /// Table number (表 1, 表 2 …).
        number: usize,
        /// The caption label as every edition prints it, e.g. `表 1` (set by the numbering pass).
        label: String,
        /// Before numbering: the directive's `id`, or empty. After: the anchor, `tbl-<id>`
        /// or `tbl-n<number>`.
        anchor: String,
        /// The data table the cells come from (its id, e.g. `finance`).
        #[serde(skip)]
        data_table: String,
        /// Caption printed after the number.
        caption: String,
        /// Unit line printed above the table (e.g. `单位：亿元`); may be empty.
        unit: String,
        /// Note printed under the table, before the source note (注：…); may be empty.
        note: String,
        /// Source note printed under the table (资料来源); may be empty.
        source_note: String,
        /// The cells.
        data: TableData,
    },
    /// A chart generated from data, numbered as a figure (图 n).
    Chart {
        /// Figure number, shared with images.
        number: usize,
        /// The caption label as every edition prints it, e.g. `图 1` (set by the numbering pass).
        label: String,
        /// Before numbering: the directive's `id`, or empty. After: the anchor, `fig-<id>`
        /// or `fig-n<number>`.
        anchor: String,
        /// The data table the chart draws (its id).
        #[serde(skip)]
        data_table: String,
        /// Caption printed after the number.
        caption: String,
        /// What to draw: the data and the chart's options, without the design's size and font.
        #[serde(skip)]
        spec: Box<crate::charts::ChartSpec>,
        /// The one layout of the chart, made by the chart layout pass for the design's size
        /// and font (`None` before that pass). Each backend asks it for its own drawing: the
        /// EPUB for a standalone SVG, the PDF for marks plus labels that Typst sets. The
        /// template receives it as `drawing`.
        #[serde(rename = "drawing", serialize_with = "serialize_drawing")]
        layout: Option<std::sync::Arc<crate::charts::ChartLayout>>,
        /// Text alternative generated from the data (title and a description of the values).
        alt: String,
        /// Source note (资料来源); may be empty.
        source_note: String,
        /// The data behind the chart, for readers who cannot see it.
        data: TableData,
        /// The numbered table that already holds this data (its anchor and label, e.g.
        /// `tbl-gdp`, `表 1`), set by the numbering pass; an edition that offers the chart's
        /// data to readers then points to that table instead of repeating it.
        #[serde(skip)]
        data_shown_in: Option<(String, String)>,
    },
    /// A horizontal rule between parts of the text.
    Rule,
    /// The text after it begins on a new page of the PDF (a text file listed under
    /// `new_page` in `report.toml`); the EPUB, which has no pages, ignores it.
    PageBreak,
    /// The list of references (参考文献), rendered once for every edition: at the end of the
    /// document, or where a paragraph `::: references` stood.
    References {
        /// The entries in the style's order.
        entries: Vec<ReferenceEntry>,
    },
    /// A footnote's text as written (`[^label]: …`), where it was written. The footnote
    /// pass moves it into the [`Inline::Note`]s that refer to it and removes the block.
    NoteDefinition {
        /// The label, scoped to the text file.
        label: String,
        /// The note's text (paragraphs joined by line breaks).
        content: Vec<Inline>,
    },
}

/// One item of a citation: the entry's key and the locator written after it (`第12页`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CiteItem {
    /// The entry key.
    pub key: String,
    /// The locator as written (`第12页`, `pp. 3-5`), if any.
    pub locator: Option<String>,
}

/// One entry of the list of references, as every edition prints it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReferenceEntry {
    /// The anchor citations link to, e.g. `ref-3`.
    pub anchor: String,
    /// The label before the entry (`[3]`); empty in author-date styles.
    pub label: String,
    /// The entry: text, and links for DOIs and URLs.
    pub content: Vec<Inline>,
    /// The anchors of the citations of this entry, in reading order (the EPUB links back).
    pub citations: Vec<String>,
}

/// The label prefix of figures (images and charts) in Simplified Chinese ([`script`] has
/// the document's).
pub const FIGURE_LABEL: &str = script::SIMPLIFIED.figure;
/// The label prefix of tables.
pub const TABLE_LABEL: &str = script::SIMPLIFIED.table;
/// Between a caption's label and its text: an ideographic space, as both editions print it
/// (`report.typ`'s `caption-separator`).
pub const CAPTION_SEPARATOR: &str = "\u{3000}";

/// The caption label of figure `number` as every edition prints it: `图`, a no-break space,
/// the number (kept in the model's `label`).
pub fn figure_label(number: usize) -> String {
    labelled(FIGURE_LABEL, number)
}

/// `word`, a no-break space, `number`: a caption label (`圖 3` in a Traditional document).
pub fn labelled(word: &str, number: usize) -> String {
    format!("{word}\u{a0}{number}")
}

/// The caption label of table `number`: `表`, a no-break space, the number.
pub fn table_label(number: usize) -> String {
    format!("{TABLE_LABEL}\u{a0}{number}")
}

/// The cells of a table, already formatted as printed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableData {
    /// Column headings.
    pub header: Vec<String>,
    /// Body rows; every row has as many cells as the header.
    pub rows: Vec<Vec<Cell>>,
    /// The indices (in `rows`) of total rows (合计, 总计, or named by the directive's
    /// `totals`), which every edition sets off with a rule and the bold face.
    pub totals: Vec<usize>,
}

/// One table cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cell {
    /// The text as printed (numbers keep their written precision).
    pub text: String,
    /// Whether the cell holds a number (set right-aligned).
    pub numeric: bool,
}

/// Inline content of paragraphs and headings.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Inline {
    /// Plain text. Soft line breaks have already been resolved (no space between CJK characters).
    Text {
        /// The characters, printed literally.
        text: String,
    },
    /// Strong importance, printed in a real bold weight.
    Strong {
        /// Emphasised content.
        content: Vec<Inline>,
    },
    /// Emphasis, printed in the sans (Hei) face.
    Emphasis {
        /// Emphasised content.
        content: Vec<Inline>,
    },
    /// Inline code, printed literally.
    Code {
        /// The code text.
        text: String,
    },
    /// A hyperlink.
    Link {
        /// Target URL.
        url: String,
        /// Link text.
        content: Vec<Inline>,
    },
    /// A hard line break.
    LineBreak,
    /// A cross-reference to a numbered figure or table (`@fig:id`, `@tbl:id`).
    Ref {
        /// Before numbering: `fig:id` or `tbl:id` as written; after: the target's anchor
        /// (e.g. `fig-gdp`).
        target: String,
        /// The printed label, e.g. `图 3` or `表 2` (set by the numbering pass).
        text: String,
        /// Where it was written, in the enclosing block's file.
        #[serde(skip)]
        at: Place,
    },
    /// A footnote reference (`[^label]`); the footnote pass gives it its number and text.
    Note {
        /// 1-based footnote number, in order of first reference (0 before the pass).
        number: usize,
        /// The note's text.
        content: Vec<Inline>,
        /// The label as written; labels are scoped to their text file.
        #[serde(skip)]
        label: String,
        /// Where the reference was written, in the enclosing block's file.
        #[serde(skip)]
        at: Place,
    },
    /// A citation (`[@key]`, `[@key, 第12页]`, `[@a; @b]`); the citation pass sets the mark as
    /// the style prints it (`[1]`, `(陈登原, 2000)`), the same in every edition.
    Citation {
        /// The mark as printed (empty before the pass).
        text: String,
        /// The mark is set as a superscript (GB/T 7714 顺序编码制).
        superscript: bool,
        /// The anchor of the first cited entry (`ref-1`).
        target: String,
        /// This citation's own anchor (`cite-4`), which the entry links back to.
        id: String,
        /// The cited keys and their locators, as written.
        #[serde(skip)]
        items: Vec<CiteItem>,
        /// Where it was written, in the enclosing block's file.
        #[serde(skip)]
        at: Place,
    },
    /// Text inserted since the revision a change proof compares with (made only for change
    /// proofs, by [`crate::changes`]).
    Inserted {
        /// The inserted content.
        content: Vec<Inline>,
        /// The change's mark number (the template labels the mark `chg-<id>`).
        id: usize,
    },
    /// Text deleted since the revision a change proof compares with, shown struck through
    /// where it was (made only for change proofs).
    Deleted {
        /// The deleted text.
        text: String,
        /// The change's mark number.
        id: usize,
    },
    /// A data reference (`{{table.row.column}}`). The data-reference pass fills in the
    /// value as written in the data; every edition prints the value, and the proof marks it
    /// as a number to check in the data, not in the text.
    DataRef {
        /// `table.row.column` as written (trimmed).
        reference: String,
        /// The value (`None` before the pass, or when the reference is unknown).
        value: Option<String>,
        /// Where it was written, in the enclosing block's file.
        #[serde(skip)]
        at: Place,
    },
}

/// The chart layout as the drawing the PDF template places (marks plus labels).
fn serialize_drawing<S: serde::Serializer>(layout: &Option<std::sync::Arc<crate::charts::ChartLayout>>, serializer: S) -> Result<S::Ok, S::Error> {
    match layout {
        Some(layout) => serde::Serialize::serialize(&layout.drawing(), serializer),
        None => serializer.serialize_none(),
    }
}

impl Inline {
    /// Plain text of this inline and its children (notes excluded).
    pub fn plain_text(&self, out: &mut String) {
        match self {
            Inline::Text { text } | Inline::Code { text } | Inline::Ref { text, .. } | Inline::Citation { text, .. } => out.push_str(text),
            Inline::Strong { content } | Inline::Emphasis { content } | Inline::Link { content, .. } | Inline::Inserted { content, .. } => {
                plain_text_of(content, out)
            }
            Inline::LineBreak => out.push('\n'),
            // No longer in the text.
            Inline::Deleted { .. } => {}
            Inline::DataRef { value: Some(value), .. } => out.push_str(value),
            // Not resolved yet (the document has errors): the reference as written.
            Inline::DataRef { reference, value: None, .. } => {
                out.push_str("{{");
                out.push_str(reference);
                out.push_str("}}");
            }
            Inline::Note { .. } => {}
        }
    }
}

/// Appends the plain text of a run of inlines to `out`.
pub fn plain_text_of(inlines: &[Inline], out: &mut String) {
    for inline in inlines {
        inline.plain_text(out);
    }
}

impl Document {
    /// Calls `visit` with every piece of text in the document (metadata, blocks, notes,
    /// table cells, alt texts), together with the source position of the block that holds
    /// it (`None` for metadata).
    pub fn for_each_text(&self, visit: &mut dyn FnMut(&str, Option<&SourcePos>)) {
        let meta = &self.meta;
        for text in [&meta.title, &meta.subtitle] {
            visit(text, None);
        }
        for author in &meta.authors {
            visit(author, None);
        }
        walk::blocks(&self.blocks, &mut |block| block.for_each_own_text(&mut |text| visit(text, Some(&block.source))));
        walk::inlines(&self.blocks, &mut |inline, source| match inline {
            Inline::Text { text } | Inline::Code { text } | Inline::Ref { text, .. } | Inline::Citation { text, .. } => visit(text, Some(source)),
            Inline::DataRef { value: Some(value), .. } => visit(value, Some(source)),
            Inline::DataRef { reference, .. } => visit(reference, Some(source)),
            _ => {}
        });
    }

    /// Every laid-out chart at any depth, in reading order, with its anchor.
    pub fn charts(&self) -> Vec<(String, std::sync::Arc<crate::charts::ChartLayout>)> {
        let mut out = Vec::new();
        walk::blocks(&self.blocks, &mut |block| {
            if let BlockKind::Chart { anchor, layout: Some(layout), .. } = &block.kind {
                out.push((anchor.clone(), layout.clone()));
            }
        });
        out
    }

    /// The manuscript-relative paths of all images, in reading order (an image used twice
    /// is listed twice).
    pub fn image_paths(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        walk::blocks(&self.blocks, &mut |block| {
            if let BlockKind::Image { path, .. } = &block.kind {
                out.push(path.clone());
            }
        });
        out
    }
}

impl Block {
    /// Calls `visit` with the texts this block holds outside its inlines and child blocks:
    /// titles, alt texts, captions, units, notes and table cells.
    fn for_each_own_text(&self, visit: &mut dyn FnMut(&str)) {
        match &self.kind {
            BlockKind::Sidebar { title, .. } => visit(title),
            BlockKind::Image { alt, .. } => visit(alt),
            BlockKind::Table { caption, unit, source_note, data, .. } => {
                for text in [caption, unit, source_note] {
                    visit(text);
                }
                data.for_each_text(visit);
            }
            BlockKind::Chart { caption, alt, source_note, data, .. } => {
                for text in [caption, alt, source_note] {
                    visit(text);
                }
                data.for_each_text(visit);
            }
            _ => {}
        }
    }
}

impl TableData {
    /// Calls `visit` with every heading and cell text.
    pub fn for_each_text(&self, visit: &mut dyn FnMut(&str)) {
        self.header.iter().for_each(|h| visit(h));
        self.rows.iter().flatten().for_each(|cell| visit(&cell.text));
    }
}
