//! The imported document before it is written: metadata, blocks with inline formatting,
//! footnotes, data tables and images, and the notes about what the import was unsure of.
//! Both readers (extracted text, Word) produce a [`Draft`]; the manuscript writer turns it
//! into files. A leaf module: it knows nothing of the input formats.

use std::collections::BTreeMap;

use crate::diagnostics::Diagnostic;

/// Text with inline formatting, as Markdown can hold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    /// Plain text (escaped when written).
    Text(String),
    /// Bold text (`**…**`).
    Strong(Vec<Inline>),
    /// Emphasis (`*…*`, printed in the sans face).
    Emphasis(Vec<Inline>),
    /// A hyperlink.
    Link {
        /// The linked text.
        text: Vec<Inline>,
        /// The address.
        url: String,
    },
    /// A reference to a footnote of [`Draft::footnotes`], by label.
    Note(String),
    /// A data reference `{{table.row.column}}` (written as it is, not escaped).
    DataRef(String),
}

/// A block of the imported text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A heading of level 1–3 (level 1 begins a new text file).
    Heading {
        /// 1, 2 or 3.
        level: u8,
        /// The heading text.
        text: String,
    },
    /// A paragraph; a run-in head is a leading [`Inline::Strong`] ending in punctuation.
    Paragraph(Vec<Inline>),
    /// A bulleted list: one paragraph per item.
    Bullets(Vec<Vec<Inline>>),
    /// A boxed sidebar with an optional title.
    Sidebar {
        /// Printed above the sidebar's text.
        title: Option<String>,
        /// The sidebar's paragraphs.
        blocks: Vec<Block>,
    },
    /// An image, saved under `images/`.
    Image {
        /// Path inside the manuscript (`images/…`).
        path: String,
        /// Alternative text for screen readers.
        alt: String,
        /// The caption (may be empty).
        caption: String,
    },
    /// A table directive for the data table `data` (one of [`Draft::tables`]).
    Table {
        /// The data table's id.
        data: String,
        /// The caption, when the document gave one.
        caption: Option<String>,
    },
}

/// A data table found in the document, written to `data/<id>.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// File stem: ASCII letters, digits and `_`.
    pub id: String,
    /// The table's title (its caption, or a name made from its place).
    pub title: String,
    /// Heading of the row-key column.
    pub key: String,
    /// Names of the value columns.
    pub columns: Vec<String>,
    /// Rows: the key, then one cell per column.
    pub rows: Vec<Vec<String>>,
}

/// An image file to write under `images/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageFile {
    /// Path inside the manuscript (`images/…`).
    pub path: String,
    /// The file's bytes.
    pub bytes: Vec<u8>,
}

/// Everything an import found, ready to be written as a manuscript.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    /// The title, when the document names one.
    pub title: Option<String>,
    /// The subtitle (without its leading dash).
    pub subtitle: Option<String>,
    /// Authors in byline order.
    pub authors: Vec<String>,
    /// `YYYY-MM-DD`, when the document carries a date.
    pub date: Option<String>,
    /// A one-paragraph summary.
    pub description: Option<String>,
    /// Subject keywords.
    pub keywords: Vec<String>,
    /// The text, in reading order.
    pub blocks: Vec<Block>,
    /// Footnote texts by label (referenced by [`Inline::Note`]).
    pub footnotes: BTreeMap<String, Vec<Inline>>,
    /// Data tables, in order of appearance.
    pub tables: Vec<Table>,
    /// Images, in order of appearance.
    pub images: Vec<ImageFile>,
    /// Notes and warnings about the import (decisions the reader was unsure of), each at
    /// the place of the input it concerns.
    pub notes: Vec<Diagnostic>,
}

/// How deep notes may refer to notes before the rest of a chain is left out.
const MAX_NOTE_CHAIN: usize = 8;

/// A footnote cannot hold a footnote in the manuscript (nor in most printed books), but a
/// Word document can: every reference inside a note is replaced by the referenced note's
/// text in brackets (（…）), following chains up to [`MAX_NOTE_CHAIN`] deep and stopping at a
/// note that refers back to one it is inside. Each note changed this way gets a note in
/// `draft.notes`, so the editor checks it; nothing of the inner notes' text is lost.
pub fn inline_note_chains(draft: &mut Draft, input: &std::path::Path) {
    /// Inlines one note may grow to (a note of notes of notes … each referring to many could
    /// otherwise grow exponentially).
    const MAX_INLINES: usize = 10_000;
    fn expand(inlines: &[Inline], notes: &BTreeMap<String, Vec<Inline>>, open: &mut Vec<String>, cut: &mut bool) -> Vec<Inline> {
        let mut out = Vec::with_capacity(inlines.len());
        for inline in inlines {
            match inline {
                Inline::Note(label) => match notes.get(label) {
                    Some(inner) if !open.contains(label) && open.len() < MAX_NOTE_CHAIN && !*cut => {
                        open.push(label.clone());
                        out.push(Inline::Text("（".into()));
                        out.extend(expand(inner, notes, open, cut));
                        out.push(Inline::Text("）".into()));
                        open.pop();
                    }
                    Some(_) => *cut = true,
                    None => {}
                },
                Inline::Strong(inner) => out.push(Inline::Strong(expand(inner, notes, open, cut))),
                Inline::Emphasis(inner) => out.push(Inline::Emphasis(expand(inner, notes, open, cut))),
                Inline::Link { text, url } => out.push(Inline::Link { text: expand(text, notes, open, cut), url: url.clone() }),
                other => out.push(other.clone()),
            }
            if out.len() > MAX_INLINES {
                *cut = true;
            }
        }
        out
    }
    fn refers_to_notes(inlines: &[Inline]) -> bool {
        inlines.iter().any(|inline| match inline {
            Inline::Note(_) => true,
            Inline::Strong(inner) | Inline::Emphasis(inner) | Inline::Link { text: inner, .. } => refers_to_notes(inner),
            _ => false,
        })
    }
    let chained: Vec<String> = draft.footnotes.iter().filter(|(_, text)| refers_to_notes(text)).map(|(label, _)| label.clone()).collect();
    let mut expanded = Vec::with_capacity(chained.len());
    for label in &chained {
        let (mut open, mut cut) = (vec![label.clone()], false);
        expanded.push((label.clone(), expand(&draft.footnotes[label], &draft.footnotes, &mut open, &mut cut), cut));
    }
    for (label, text, cut) in expanded {
        let excerpt: String = plain_text(&text).chars().take(30).collect();
        let how = if cut { "; a note that refers back to itself, or a chain deeper than 8 or longer than 10 000 pieces, was cut" } else { "" };
        draft.notes.push(Diagnostic::note(
            input,
            format!("footnote {label} («{excerpt}…») refers to other notes: their text was put into it in brackets（…）{how}; check it"),
        ));
        draft.footnotes.insert(label, text);
    }
}

/// The plain text of inlines (formatting dropped, notes left out).
pub fn plain_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    for inline in inlines {
        match inline {
            Inline::Text(text) => out.push_str(text),
            Inline::Strong(inner) | Inline::Emphasis(inner) | Inline::Link { text: inner, .. } => out.push_str(&plain_text(inner)),
            Inline::Note(_) | Inline::DataRef(_) => {}
        }
    }
    out
}
