//! Checks of the finished model for what the PDF/UA export or the layout would refuse late,
//! reported at the block's line instead: heading order and size, paragraph and word
//! lengths, alt texts, link addresses, and the numbers of headings and footnotes.

use std::path::Path;

use crate::diagnostics::Diagnostic;
use crate::model::walk;
use crate::model::{Block, BlockKind, Inline, SourcePos, plain_text_of};
use crate::source::is_cjk;

/// Longest heading, in characters: it is also the PDF bookmark.
pub const MAX_HEADING_CHARS: usize = 300;
/// Longest run of characters without a break opportunity (no space, no CJK character):
/// a longer "word" cannot be set in a column, and the PDF cannot hold it in one line.
pub const MAX_WORD_CHARS: usize = 300;
/// Longest image alt text or link address, in characters (PDF strings are limited).
pub const MAX_ATTRIBUTE_CHARS: usize = 4000;
/// Most headings in one manuscript. Each is a PDF bookmark and a tagged structure element:
/// 57 000 headings took 18 s and 1.8 GB; 5 000 take under 2 s.
pub const MAX_HEADINGS: usize = 5_000;
/// Most footnotes in one manuscript: 50 000 took 34 s and 2.9 GB; 5 000 take about 3 s.
pub const MAX_NOTES: usize = 5_000;
/// Longest paragraph, in characters (about ten pages): Typst breaks a paragraph into lines
/// as a whole, and a 2 MB paragraph took 26 s.
pub const MAX_PARAGRAPH_CHARS: usize = 20_000;
/// Most tables in one manuscript: 2 000 (a statistical yearbook has a few hundred); an
/// imported document of 10 000 tables made the build run out of memory.
pub const MAX_TABLES: usize = 2_000;
/// Most columns of one printed table: 40 (more do not fit a landscape A4 page legibly); a
/// 1000 × 300 table made the build run out of memory.
pub const MAX_TABLE_COLUMNS: usize = 40;

/// Checks `blocks` (after every pass), returning one error per problem.
pub(crate) fn printable(blocks: &[Block], root: &Path) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let mut error = |source: &SourcePos, message: String, hint: &str| {
        problems.push(Diagnostic::error(root.join(&source.file), message).at_line(source.line).with_hint(hint));
    };
    let mut last_heading: Option<u8> = None;
    let mut headings = 0;
    let mut tables = 0;
    walk::blocks(blocks, &mut |block| match &block.kind {
        BlockKind::Heading { level, content } => {
            headings += 1;
            if headings == MAX_HEADINGS + 1 {
                error(&block.source, format!("this is heading number {}; the limit is {MAX_HEADINGS}", MAX_HEADINGS + 1), "split the report into volumes");
            }
            let allowed = last_heading.map_or(1, |last| last + 1);
            if *level > allowed {
                let message = match last_heading {
                    None => format!("the first heading is of level {level}; it must be of level 1 (`# …`)"),
                    Some(last) => format!("the heading levels skip from {last} to {level}"),
                };
                error(&block.source, message, "heading levels must go down one at a time (#, ##, ###): screen readers and the PDF outline need it");
            }
            last_heading = Some(*level);
            let length = plain(content).chars().count();
            if length > MAX_HEADING_CHARS {
                error(
                    &block.source,
                    format!("the heading has {length} characters; the limit is {MAX_HEADING_CHARS}"),
                    "shorten the heading: it is also the PDF bookmark",
                );
            }
        }
        BlockKind::Paragraph { lead, content } => {
            let length = lead.as_deref().map_or(0, |lead| plain(lead).chars().count()) + plain(content).chars().count();
            if length > MAX_PARAGRAPH_CHARS {
                error(
                    &block.source,
                    format!("the paragraph has {length} characters; the limit is {MAX_PARAGRAPH_CHARS}"),
                    "separate paragraphs with a blank line",
                );
            }
        }
        BlockKind::Image { alt, .. } if alt.chars().count() > MAX_ATTRIBUTE_CHARS => {
            error(&block.source, format!("the alt text is longer than {MAX_ATTRIBUTE_CHARS} characters"), "describe the image in a few sentences");
        }
        BlockKind::Table { data, .. } | BlockKind::Chart { data, .. } => {
            if let BlockKind::Table { data: table, .. } = &block.kind {
                tables += 1;
                if tables == MAX_TABLES + 1 {
                    error(
                        &block.source,
                        format!("this is table number {}; the limit is {MAX_TABLES}", MAX_TABLES + 1),
                        "put the tables beyond it into an appendix volume",
                    );
                }
                if table.header.len() > MAX_TABLE_COLUMNS {
                    error(
                        &block.source,
                        format!("the table has {} columns; the limit is {MAX_TABLE_COLUMNS}", table.header.len()),
                        "choose the columns to print with `columns = [...]` in the directive, or split the table",
                    );
                }
            }
            let mut words = Vec::new();
            data.for_each_text(&mut |text| words.extend(long_word(text)));
            if let Some(word) = words.first() {
                error(
                    &block.source,
                    format!("a cell of the table holds a word of {word} characters that cannot be broken"),
                    "shorten the cell in the data table",
                );
            }
        }
        _ => {}
    });
    // A full-page picture is a page of its own: it cannot stand inside a list, a quote or a
    // sidebar (the blocks walked here, below the top level).
    for block in blocks {
        let inner: Vec<&[Block]> = match &block.kind {
            BlockKind::Quote { blocks } | BlockKind::Sidebar { blocks, .. } => vec![blocks],
            BlockKind::List { items, .. } => items.iter().map(Vec::as_slice).collect(),
            _ => Vec::new(),
        };
        for blocks in inner {
            walk::blocks(blocks, &mut |nested| {
                if matches!(nested.kind, BlockKind::Image { bleed: true, .. }) {
                    error(
                        &nested.source,
                        "a full-page picture ({.bleed}) cannot stand inside a list, a quote or a sidebar".into(),
                        "move it out to a paragraph of its own",
                    );
                }
            });
        }
    }
    let mut notes = 0;
    walk::inlines(blocks, &mut |inline, source| match inline {
        Inline::Text { text } | Inline::Code { text } => {
            if let Some(length) = long_word(text) {
                error(
                    source,
                    format!("a word of {length} characters without a space cannot be set in a line (the limit is {MAX_WORD_CHARS})"),
                    "insert spaces, or shorten it (a long address belongs in a link: [text](address))",
                );
            }
        }
        Inline::Link { url, .. } if url.chars().count() > MAX_ATTRIBUTE_CHARS => {
            error(source, format!("a link address is longer than {MAX_ATTRIBUTE_CHARS} characters"), "shorten the address");
        }
        Inline::Note { .. } => {
            notes += 1;
            if notes == MAX_NOTES + 1 {
                error(
                    source,
                    format!("this is footnote number {}; the limit is {MAX_NOTES}", MAX_NOTES + 1),
                    "split the report into volumes, or move notes into the text",
                );
            }
        }
        _ => {}
    });
    problems
}

fn plain(content: &[Inline]) -> String {
    let mut text = String::new();
    plain_text_of(content, &mut text);
    text
}

/// The length of the first run of more than [`MAX_WORD_CHARS`] characters with no break
/// opportunity (white space or a CJK character) in `text`.
fn long_word(text: &str) -> Option<usize> {
    let mut run = 0;
    for ch in text.chars() {
        if ch.is_whitespace() || is_cjk(ch) {
            if run > MAX_WORD_CHARS {
                return Some(run);
            }
            run = 0;
        } else {
            run += 1;
        }
    }
    (run > MAX_WORD_CHARS).then_some(run)
}
