//! Word documents (.docx) → a [`Draft`]. The package is read with `zip` and its XML with
//! `quick-xml`, both already used by the EPUB writer: the OOXML crates (`docx-rs`, `docx-rust`)
//! are made for writing documents, or drop what matters here (automatic numbering, field
//! results, tracked changes), so the parts are read directly.
//!
//! - [`package`]: the zip archive with size limits; relationships;
//! - [`xml`]: a part as an element tree;
//! - [`styles`]: heading styles and Word's automatic numbering;
//! - [`body`]: paragraphs, runs, tables, pictures, tracked changes;
//! - [`assemble`]: those as the draft's blocks;
//! - this file: the document's parts in order, its properties, notes, comments, pictures.

pub mod assemble;
pub mod body;
pub mod package;
pub mod styles;
pub mod xml;

use std::collections::HashMap;
use std::path::Path;

use super::draft::{Draft, ImageFile, Inline};
use crate::diagnostics::{Diagnostic, Diagnostics};
use body::{Change, Item, Reader};
use package::{MAX_MEDIA_BYTES, Package, Relationship};
use styles::{Numbering, Styles};
use xml::Node;

/// Picture formats a manuscript can print, by extension.
const PRINTABLE: &[&str] = &["png", "jpg", "jpeg", "gif", "webp", "svg"];

/// Reads the Word document `bytes` (the file `input`). Tracked changes and comments stop
/// the import with a list of them unless `accept_changes`.
pub fn read(input: &Path, bytes: &[u8], accept_changes: bool) -> Result<Draft, Diagnostics> {
    let mut package = Package::open(input, bytes)?;
    let root_rels = package.relationships("")?;
    let main = root_rels.values().find(|r| r.kind == "officeDocument").map_or_else(|| "word/document.xml".to_string(), |r| r.target.clone());
    if !package.has(&main) {
        return Err(Diagnostics::one(not_word(input, &package)));
    }
    let document = package.xml(&main)?.ok_or_else(|| not_word(input, &package))?;
    if document.name != "document" {
        return Err(Diagnostics::one(not_word(input, &package)));
    }
    let body = document.child("body").ok_or_else(|| xml::part_error(input, format!("{main} has no <w:body>")))?;
    let rels = package.relationships(&main)?;
    let part_of = |kind: &str| rels.values().find(|r| r.kind == kind && !r.external).map(|r| r.target.clone());
    let styles = Styles::read(
        match part_of("styles") {
            Some(part) => package.xml(&part)?,
            None => None,
        }
        .as_ref(),
    );
    let mut numbering = Numbering::read(
        match part_of("numbering") {
            Some(part) => package.xml(&part)?,
            None => None,
        }
        .as_ref(),
    );

    let mut reader = Reader::new(&styles, &mut numbering, &rels, accept_changes);
    let items = reader.blocks(body);
    let mut changes = std::mem::take(&mut reader.changes);
    let equations = std::mem::take(&mut reader.equations);
    let contents_skipped = reader.contents_skipped;
    drop(reader);

    let mut draft = Draft::default();
    for (kind, prefix) in [("footnotes", "fn"), ("endnotes", "en")] {
        let Some(part) = part_of(kind) else { continue };
        let Some(root) = package.xml(&part)? else { continue };
        let note_rels = package.relationships(&part)?;
        let mut reader = Reader::new(&styles, &mut numbering, &note_rels, accept_changes);
        for note in root.elements().filter(|e| e.name == "footnote" || e.name == "endnote") {
            if note.attr("type").is_some_and(|t| t != "normal") {
                continue;
            }
            let Some(id) = note.attr("id") else { continue };
            let inlines = note_inlines(reader.blocks(note));
            draft.footnotes.insert(format!("{prefix}{id}"), inlines);
        }
        changes.extend(reader.changes.into_iter().map(|c| Change { paragraph: 0, ..c }));
    }
    crate::import::draft::inline_note_chains(&mut draft, input);
    if let Some(part) = part_of("comments")
        && let Some(root) = package.xml(&part)?
    {
        for comment in root.elements().filter(|e| e.name == "comment") {
            let text: String = paragraphs_text(comment);
            changes.push(Change {
                kind: "comment",
                author: comment.attr("author").unwrap_or("?").to_string(),
                date: comment.attr("date").unwrap_or("").to_string(),
                text,
                paragraph: 0,
            });
        }
    }
    if !changes.is_empty() && !accept_changes {
        return Err(changes_error(input, &changes));
    }
    if !changes.is_empty() {
        let comments = changes.iter().filter(|c| c.kind == "comment").count();
        draft.notes.push(Diagnostic::note(
            input,
            format!(
                "--accept-changes: {} tracked change(s) accepted (insertions kept, deletions dropped) and {comments} comment(s) left out",
                changes.len() - comments
            ),
        ));
    }
    if contents_skipped || items.iter().any(|i| matches!(i, Item::Paragraph(p) if p.role == styles::Role::Contents)) {
        draft.notes.push(Diagnostic::note(input, "the document's table of contents was left out: the report makes its own from the headings"));
    }
    for paragraph in equations {
        draft.notes.push(Diagnostic::warning(input, format!("paragraph {paragraph} holds an equation: only its characters were kept; check the text")));
    }

    let pictures = pictures(&items, &rels, &mut package, &mut draft, input)?;
    assemble::assemble(items, &pictures, &mut draft, input);
    let core = root_rels.values().find(|r| r.kind == "core-properties").map_or_else(|| "docProps/core.xml".to_string(), |r| r.target.clone());
    if let Some(core) = package.xml(&core)? {
        properties(&core, &mut draft, input);
    }
    Ok(draft)
}

/// Why a zip archive is not a Word document, naming what it is when that is known.
fn not_word(input: &Path, package: &Package<'_>) -> Diagnostic {
    let what = if package.has("xl/workbook.xml") {
        "an Excel workbook (.xlsx); its tables belong in data/ (see README, \"Data tables\")"
    } else if package.has("ppt/presentation.xml") {
        "a PowerPoint presentation (.pptx)"
    } else if package.has("content.xml") && package.has("mimetype") {
        "an OpenDocument file (.odt/.ods); save it as .docx in LibreOffice or WPS"
    } else {
        "a zip archive without a Word document in it"
    };
    Diagnostic::error(input, format!("this is not a Word document: it is {what}")).with_hint("import a .docx file, or hard-wrapped text (.txt)")
}

/// The import stops: every tracked change and comment, with who made it and the text.
fn changes_error(input: &Path, changes: &[Change]) -> Diagnostics {
    let mut list = Diagnostics(Vec::new());
    for change in changes {
        let place = if change.paragraph > 0 { format!("paragraph {}", change.paragraph) } else { "a footnote or comment".to_string() };
        let excerpt: String = change.text.chars().take(40).collect();
        let date = change.date.get(..10).unwrap_or(&change.date);
        list.push(Diagnostic::error(input, format!("{} by {} {date} in {place}: «{excerpt}»", change.kind, change.author)));
    }
    let comments = changes.iter().filter(|c| c.kind == "comment").count();
    list.push(
        Diagnostic::error(input, format!("the document has {} tracked change(s) and {comments} comment(s); import does not accept them silently", changes.len() - comments))
            .with_hint("in Word: Review → Accept All Changes and Delete All Comments, save, import again; or import with --accept-changes (insertions kept, deletions dropped, comments left out)"),
    );
    list
}

/// A note's paragraphs as one run of inlines (Word's own note mark at its start dropped).
fn note_inlines(items: Vec<Item>) -> Vec<Inline> {
    let mut out = Vec::new();
    for item in items {
        if let Item::Paragraph(paragraph) = item {
            if !out.is_empty() && !paragraph.inlines.is_empty() {
                out.push(Inline::Text(" ".into()));
            }
            out.extend(paragraph.inlines);
        }
    }
    if let Some(Inline::Text(first)) = out.first_mut() {
        *first = first.trim_start().to_string();
    }
    out
}

/// The text of every `w:t` below a node, paragraph by paragraph.
fn paragraphs_text(node: &Node) -> String {
    let mut paragraphs = Vec::new();
    node.find_all("p", &mut paragraphs);
    paragraphs
        .iter()
        .map(|p| {
            let mut texts = Vec::new();
            p.find_all("t", &mut texts);
            texts.iter().map(|t| t.text()).collect::<String>()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Copies the pictures the body shows into `images/`: relationship id → path.
fn pictures(
    items: &[Item],
    rels: &HashMap<String, Relationship>,
    package: &mut Package<'_>,
    draft: &mut Draft,
    input: &Path,
) -> Result<HashMap<String, String>, Diagnostic> {
    let mut out = HashMap::new();
    let wanted =
        items.iter().filter_map(|i| if let Item::Paragraph(p) = i { Some(p) } else { None }).flat_map(|p| p.pictures.iter().map(move |pic| (p.number, pic)));
    for (paragraph, picture) in wanted {
        if out.contains_key(&picture.rel) {
            continue;
        }
        let Some(rel) = rels.get(&picture.rel) else { continue };
        if rel.external {
            draft.notes.push(Diagnostic::warning(
                input,
                format!("paragraph {paragraph}: the picture is linked from {} rather than kept in the document; it was left out", rel.target),
            ));
            continue;
        }
        let name = rel.target.rsplit('/').next().unwrap_or("image").to_string();
        let extension = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
        if !PRINTABLE.contains(&extension.as_str()) {
            draft.notes.push(
                Diagnostic::warning(
                    input,
                    format!("paragraph {paragraph}: the picture {name} is in a format the editions cannot show ({extension}); it was left out"),
                )
                .with_hint("export it from Word as PNG and add it to images/ with ![alt](images/….png \"caption\")"),
            );
            continue;
        }
        let Some(bytes) = package.bytes(&rel.target, MAX_MEDIA_BYTES)? else {
            draft.notes.push(Diagnostic::warning(input, format!("paragraph {paragraph}: the picture {} is missing from the document", rel.target)));
            continue;
        };
        let safe: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' }).collect();
        let mut path = format!("images/{safe}");
        let mut n = 2;
        while draft.images.iter().any(|i| i.path == path) {
            path = format!("images/{n}-{safe}");
            n += 1;
        }
        if picture.alt.is_empty() {
            draft.notes.push(Diagnostic::note(
                input,
                format!(
                    "paragraph {paragraph}: the picture {name} has no alternative text: its caption stands in for it; describe the picture in the Markdown"
                ),
            ));
        }
        draft.images.push(ImageFile { path: path.clone(), bytes });
        out.insert(picture.rel.clone(), path);
    }
    Ok(out)
}

/// Title, authors, date, keywords and description from `docProps/core.xml`.
fn properties(core: &Node, draft: &mut Draft, input: &Path) {
    let value = |name: &str| core.child(name).map(|e| e.text().trim().to_string()).filter(|v| !v.is_empty());
    if let Some(title) = value("title") {
        if draft.title.as_ref().is_some_and(|t| *t != title) {
            draft.notes.push(Diagnostic::note(input, format!("the document's properties give the title `{title}`; the Title paragraph's text was used")));
        } else {
            draft.title = Some(title);
        }
    }
    let split = |text: String| -> Vec<String> { text.split([';', ',', '，', '；', '、']).map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect() };
    if let Some(creator) = value("creator") {
        draft.authors = split(creator);
    }
    if let Some(keywords) = value("keywords") {
        draft.keywords = split(keywords);
    }
    draft.description = value("description").or_else(|| value("subject"));
    let date = value("modified").or_else(|| value("created"));
    if let Some(date) = date.filter(|d| d.len() >= 10 && d.as_bytes()[4] == b'-' && d.as_bytes()[7] == b'-') {
        draft.date = Some(date[..10].to_string());
        draft.notes.push(Diagnostic::note(
            input,
            format!("the report's date {} is the document's last-saved date; change `date` in report.toml if the report has another", &date[..10]),
        ));
    }
}
