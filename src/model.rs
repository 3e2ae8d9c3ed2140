//! The output-independent document model.
//!
//! A manuscript is parsed once into a [`Document`]: report metadata plus an
//! ordered list of [`Block`]s, each remembering the manuscript file and line it
//! came from. Every backend (PDF, EPUB) consumes this model; none of them
//! re-reads Markdown. The model serialises to JSON, which is how the Typst
//! template receives the text: as data, never as markup, so manuscript
//! characters such as `#` or `$` can never run code.

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
        /// Anchor for cross-references, e.g. `fig-gdp` (empty when the figure has no id).
        anchor: String,
    },
    /// A data table placed in the text, numbered 表 n, printed as a three-line table (三线表).
    Table {
        /// Table number (表 1, 表 2 …).
        number: usize,
        /// The caption label as every edition prints it, e.g. `图 1` (set by the numbering pass).
        label: String,
        /// Anchor for cross-references, e.g. `tbl-finance`.
        anchor: String,
        /// Caption printed after the number.
        caption: String,
        /// Unit line printed above the table (e.g. `单位：亿元`); may be empty.
        unit: String,
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
        /// Anchor for cross-references, e.g. `fig-gdp`.
        anchor: String,
        /// Caption printed after the number.
        caption: String,
        /// The chart as a standalone SVG document, for the EPUB and `reportpress charts`.
        /// Left out of the PDF's document model, which sets the chart from `drawing`.
        #[serde(skip_serializing)]
        svg: String,
        /// The same layout as marks plus labels, for the PDF (Typst sets the labels).
        drawing: crate::charts::ChartDrawing,
        /// Text alternative generated from the data (title and a description of the values).
        alt: String,
        /// Source note (资料来源); may be empty.
        source_note: String,
        /// The data behind the chart, for readers who cannot see it.
        data: TableData,
    },
    /// A horizontal rule between parts of the text.
    Rule,
    /// The text after it begins on a new page of the PDF (a text file listed under
    /// `new_page` in `report.toml`); the EPUB, which has no pages, ignores it.
    PageBreak,
}

/// The cells of a table, already formatted as printed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableData {
    /// Column headings.
    pub header: Vec<String>,
    /// Body rows; every row has as many cells as the header.
    pub rows: Vec<Vec<Cell>>,
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
    /// A cross-reference to a numbered figure or table, already resolved.
    Ref {
        /// The anchor of the target (e.g. `fig-gdp`).
        target: String,
        /// The printed label, e.g. `图 3` or `表 2`.
        text: String,
    },
    /// A footnote: its number and its text.
    Note {
        /// 1-based footnote number, in order of first reference.
        number: usize,
        /// The note's text.
        content: Vec<Inline>,
    },
}

impl Inline {
    /// Plain text of this inline and its children (notes excluded).
    pub fn plain_text(&self, out: &mut String) {
        match self {
            Inline::Text { text } | Inline::Code { text } | Inline::Ref { text, .. } => out.push_str(text),
            Inline::Strong { content }
            | Inline::Emphasis { content }
            | Inline::Link { content, .. } => plain_text_of(content, out),
            Inline::LineBreak => out.push('\n'),
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
    /// Calls `visit` with every piece of text in the document (metadata, blocks, notes),
    /// together with the source position of the block that holds it (`None` for metadata).
    pub fn for_each_text(&self, visit: &mut dyn FnMut(&str, Option<&SourcePos>)) {
        let meta = &self.meta;
        for text in [&meta.title, &meta.subtitle] {
            visit(text, None);
        }
        for author in &meta.authors {
            visit(author, None);
        }
        for block in &self.blocks {
            block.for_each_text(visit);
        }
    }
}

impl Document {
    /// The manuscript-relative paths of all images, in reading order.
    pub fn image_paths(&self) -> Vec<PathBuf> {
        fn collect(blocks: &[Block], out: &mut Vec<PathBuf>) {
            for block in blocks {
                match &block.kind {
                    BlockKind::Image { path, .. } => out.push(path.clone()),
                    BlockKind::Quote { blocks } | BlockKind::Sidebar { blocks, .. } => collect(blocks, out),
                    BlockKind::List { items, .. } => items.iter().for_each(|item| collect(item, out)),
                    _ => {}
                }
            }
        }
        let mut out = Vec::new();
        collect(&self.blocks, &mut out);
        out
    }
}

impl Block {
    /// Calls `visit` with every piece of text in this block and its children.
    pub fn for_each_text(&self, visit: &mut dyn FnMut(&str, Option<&SourcePos>)) {
        let source = &self.source;
        let inlines = |content: &[Inline], visit: &mut dyn FnMut(&str, Option<&SourcePos>)| {
            visit_inline_text(content, &mut |text| visit(text, Some(source)));
        };
        match &self.kind {
            BlockKind::Heading { content, .. } => inlines(content, visit),
            BlockKind::Paragraph { lead, content } => {
                if let Some(lead) = lead {
                    inlines(lead, visit);
                }
                inlines(content, visit);
            }
            BlockKind::Quote { blocks } => blocks.iter().for_each(|b| b.for_each_text(visit)),
            BlockKind::Sidebar { title, blocks } => {
                visit(title, Some(source));
                blocks.iter().for_each(|b| b.for_each_text(visit));
            }
            BlockKind::List { items, .. } => {
                items.iter().flatten().for_each(|b| b.for_each_text(visit));
            }
            BlockKind::Image { alt, caption, .. } => {
                visit(alt, Some(source));
                inlines(caption, visit);
            }
            BlockKind::Table { caption, unit, source_note: note, data, .. } => {
                for text in [caption, unit, note] {
                    visit(text, Some(source));
                }
                data.for_each_text(&mut |text| visit(text, Some(source)));
            }
            BlockKind::Chart { caption, alt, source_note: note, data, .. } => {
                for text in [caption, alt, note] {
                    visit(text, Some(source));
                }
                data.for_each_text(&mut |text| visit(text, Some(source)));
            }
            BlockKind::Rule | BlockKind::PageBreak => {}
        }
    }
}

/// Calls `visit` with every text run in `content`, footnote text included.
fn visit_inline_text(content: &[Inline], visit: &mut dyn FnMut(&str)) {
    for inline in content {
        match inline {
            Inline::Text { text } | Inline::Code { text } | Inline::Ref { text, .. } => visit(text),
            Inline::Strong { content }
            | Inline::Emphasis { content }
            | Inline::Link { content, .. }
            | Inline::Note { content, .. } => visit_inline_text(content, visit),
            Inline::LineBreak => {}
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
