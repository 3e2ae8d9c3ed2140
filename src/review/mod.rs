//! `reportpress review`: the proofreader's annotations in a proof or print PDF, carried back
//! to the manuscript lines and columns they mark.
//!
//! The PDF's permanent identifier ([`crate::pdf::file_ident`]) names the layout's build id.
//! `review` lays the book out again from the manuscript on disk (builds are reproducible);
//! when that layout has the same identifier, every annotation is mapped through it: the
//! glyphs under the annotation ([`glyphs`]), their block, and the manuscript characters
//! those glyphs show ([`origins`]). A PDF from another revision is named as such, and its
//! annotations are located by the text under them ([`pdf_text`]), with a warning.

pub mod annotations;
pub mod glyphs;
pub mod mapper;
pub mod origins;
pub mod page_labels;
pub mod pdf_text;
pub mod placed;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use annotations::{Annotation, Area, Subtype};
use mapper::Mapper;
use origins::{DataCell, Origin};
use placed::{Placed, nearest, nearest_weighted};

use crate::diagnostics::{Diagnostics, bounded, printable_line};

/// Most characters of a comment (or marked text, author, date) printed per entry; `--json`
/// gives all of it.
const MAX_COMMENT_CHARS: usize = 2000;
use crate::pipeline::BuildOptions;

/// What to review.
#[derive(Debug, Clone)]
pub struct ReviewOptions {
    /// The annotated PDF.
    pub pdf: PathBuf,
    /// The manuscript directory.
    pub manuscript: PathBuf,
    /// The fonts directory (searched for as for `build` when `None`).
    pub fonts: Option<PathBuf>,
    /// A design directory (the manuscript's design when `None`).
    pub assets: Option<PathBuf>,
}

/// A place in the manuscript.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Position {
    /// The file, relative to the manuscript directory.
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

/// How an entry was located.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Located {
    /// Through the layout the PDF was made from.
    Layout,
    /// By finding its text in the manuscript on disk (the PDF is of another revision).
    Text,
    /// Not found in the manuscript on disk.
    NotFound,
}

/// One annotation, carried back to the manuscript.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Entry {
    /// Where the marked text starts (for an insertion: where to insert).
    pub start: Option<Position>,
    /// Just after where the marked text ends.
    pub end: Option<Position>,
    /// The marked text as printed (empty for notes and insertions).
    pub text: String,
    /// `delete`, `insert`, `replace` or `comment`.
    pub kind: &'static str,
    /// The annotation type the viewer stored.
    pub annotation: Subtype,
    /// The comment (for an insertion or replacement: the new text).
    pub comment: String,
    /// The author.
    pub author: String,
    /// When it was made, `YYYY-MM-DD HH:MM`.
    pub date: String,
    /// The page of the PDF (1-based).
    pub page: usize,
    /// The page as its folio prints it (`ii`, `1` …: the PDF's page label), which is how a
    /// proofreader finds it.
    pub page_label: String,
    /// The proof's line number on that page, for a proof.
    pub proof_line: Option<usize>,
    /// The data cells of values in the marked text.
    pub data: Vec<DataCell>,
    /// How it was located.
    pub located: Located,
}

/// The result of a review.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Review {
    /// The PDF reviewed.
    pub pdf: PathBuf,
    /// `proof` or `print`.
    pub edition: &'static str,
    /// Whether the PDF was made from the manuscript as it is on disk.
    pub same_revision: bool,
    /// Warnings (e.g. another revision).
    pub warnings: Vec<String>,
    /// The entries, in manuscript order (entries not found last, by page).
    pub entries: Vec<Entry>,
}

/// Reads the annotations of `options.pdf` and maps them to the manuscript.
pub fn review(options: &ReviewOptions) -> Result<Review, Diagnostics> {
    let pdf = annotations::read(&options.pdf)?;
    // The PDF's directory is the output directory a build would use (a command completes a
    // build's interrupted commit there first, as every command does).
    let out = options.pdf.parent().filter(|p| !p.as_os_str().is_empty()).map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
    let build = BuildOptions { manuscript: options.manuscript.clone(), out, fonts: options.fonts.clone(), assets: options.assets.clone(), design: None };
    let mut stages = Vec::new();
    let prepared = crate::pipeline::prepare(&build, &mut stages)?;
    let context = prepared.context();
    let typesetter = context.typesetter();
    let document = context.document;
    // The edition is told by the sheet: the proof's is wider.
    let mut typeset = typesetter.typeset(document, None)?;
    let width_of = |paged: &typst_layout::PagedDocument| paged.pages().first().map(|p| p.frame.width().to_pt()).unwrap_or(0.0);
    let pdf_width = pdf.pages.first().map(|p| p.0).unwrap_or(0.0);
    let mut edition = "print";
    if (width_of(&typeset.document) - pdf_width).abs() > 1.0 {
        let proof = crate::proof::proof_info(&prepared.manuscript);
        let proof_layout = typesetter.typeset(document, Some(&proof))?;
        if (width_of(&proof_layout.document) - pdf_width).abs() <= 1.0 {
            typeset = proof_layout;
            edition = "proof";
        }
    }
    let exported = crate::pdf::export(&context, &typeset)?;
    let same_revision = pdf.permanent_id.is_some() && annotations::permanent_id_of(&exported.bytes) == pdf.permanent_id;
    let glyphs = glyphs::collect(&typeset.document);
    let mut mapper = Mapper::new(&prepared.manuscript, glyphs);
    let mut warnings = Vec::new();
    let old_chars = if same_revision {
        Vec::new()
    } else {
        warnings.push(format!(
            "{} was not made from the manuscript in {} as it is now (another revision, design or edition): its entries are located by finding the marked text in the manuscript, and an entry whose text is no longer there is listed without a place",
            options.pdf.display(),
            options.manuscript.display()
        ));
        let mut pages: Vec<usize> = pdf.annotations.iter().map(|a| a.page).collect();
        pages.dedup();
        pdf_text::characters(&pdf.document, &pages)
    };
    let mut entries = Vec::new();
    let page_labels = page_labels::labels(&pdf.document);
    let merged = merged_carets(&pdf.annotations);
    for annotation in &pdf.annotations {
        if annotation.in_reply_to.is_some() && !annotation.grouped {
            continue; // a reply: shown with the annotation it answers
        }
        if annotation.id.is_some_and(|id| merged.contains(&id.0)) && annotation.subtype == Subtype::Caret {
            continue; // the caret half of a replacement
        }
        let mut entry = if same_revision { mapper.by_layout(annotation) } else { mapper.by_text(annotation, &old_chars) };
        if let Some(label) = page_labels.get(annotation.page) {
            entry.page_label.clone_from(label);
        }
        entry.proof_line = if edition == "proof" { proof_line(annotation, &mapper, &old_chars, same_revision) } else { None };
        // A strike-out with a caret grouped with it (a viewer's "replace text") is one replacement.
        if let Some(caret) =
            pdf.annotations.iter().find(|c| c.grouped && c.subtype == Subtype::Caret && c.in_reply_to.is_some() && c.in_reply_to == annotation.id)
        {
            entry.kind = "replace";
            entry.comment = caret.comment.clone();
        }
        for reply in pdf.annotations.iter().filter(|r| !r.grouped && r.in_reply_to.is_some() && r.in_reply_to == annotation.id && !r.comment.is_empty()) {
            let by = if reply.author.is_empty() { String::new() } else { format!(" ({})", reply.author) };
            entry.comment = format!("{}\nreply{by}: {}", entry.comment, reply.comment).trim().to_string();
        }
        entries.push(entry);
    }
    let order: HashMap<&Path, usize> = prepared.manuscript.config.files.iter().enumerate().map(|(i, f)| (f.as_path(), i)).collect();
    entries.sort_by_key(|e| match &e.start {
        Some(p) => (0, order.get(p.file.as_path()).copied().unwrap_or(usize::MAX), p.line, p.column, e.page),
        None => (1, 0, 0, 0, e.page),
    });
    Ok(Review { pdf: options.pdf.clone(), edition, same_revision, warnings, entries })
}

/// Carets grouped with a strike-out (by object number of the caret), which the strike-out's
/// entry takes in.
fn merged_carets(annotations: &[Annotation]) -> std::collections::HashSet<u32> {
    let strike_outs: Vec<_> = annotations.iter().filter(|a| a.subtype == Subtype::StrikeOut).filter_map(|a| a.id).collect();
    annotations
        .iter()
        .filter(|a| a.subtype == Subtype::Caret && a.grouped && a.in_reply_to.is_some_and(|irt| strike_outs.contains(&irt)))
        .filter_map(|a| a.id.map(|id| id.0))
        .collect()
}

/// The items under the annotation's areas, in order (an item counts when its centre is in an area).
fn marked<T: Placed>(items: &[T], annotation: &Annotation) -> Vec<usize> {
    let areas: Vec<Area> = annotation.areas.iter().map(|a| Area { x0: a.x0 - 0.5, y0: a.y0 - 0.5, x1: a.x1 + 0.5, y1: a.y1 + 0.5 }).collect();
    (0..items.len())
        .filter(|&i| {
            let item = &items[i];
            let (x, y) = item.area().centre();
            item.page() == annotation.page && !item.text().trim().is_empty() && areas.iter().any(|a| a.contains(x, y))
        })
        .collect()
}

/// The item on the line beside a note: the note's point is the centre of its icon (or box),
/// and the nearest line is the one nearest vertically.
fn beside_note<T: Placed>(items: &[T], annotation: &Annotation) -> Option<usize> {
    nearest_weighted(items, annotation.page, annotation.rect.centre(), 20.0)
}

/// Where a caret points: the item on the caret's line whose edge is nearest the caret's
/// centre, and whether the insertion is after it (its right edge) rather than before.
fn insertion<T: Placed>(items: &[T], annotation: &Annotation) -> Option<(usize, bool)> {
    let (x, y) = annotation.rect.centre();
    let closest = nearest(items, annotation.page, (x, y))?;
    let line = items[closest].baseline();
    let size = items[closest].area().y1 - items[closest].area().y0;
    let on_line = (0..items.len())
        .filter(|&i| items[i].page() == annotation.page && (items[i].baseline() - line).abs() < size * 0.3 && !items[i].text().trim().is_empty());
    let mut best: Option<(f64, usize, bool)> = None;
    for i in on_line {
        let area = items[i].area();
        for (edge, after) in [(area.x0, false), (area.x1, true)] {
            let d = (edge - x).abs();
            if best.is_none_or(|(b, _, _)| d < b) {
                best = Some((d, i, after));
            }
        }
    }
    best.map(|(_, i, after)| (i, after))
}

/// The proof's line number printed beside the first thing the annotation marks: the small
/// figures in the margin on that line.
fn proof_line(annotation: &Annotation, mapper: &Mapper, old: &[pdf_text::PageChar], same: bool) -> Option<usize> {
    if same { line_number(&mapper.glyphs, annotation) } else { line_number(old, annotation) }
}

fn line_number<T: Placed>(items: &[T], annotation: &Annotation) -> Option<usize> {
    let first = match annotation.subtype {
        s if s.marks_text() || s == Subtype::Ink => marked(items, annotation).first().copied(),
        Subtype::Caret => insertion(items, annotation).map(|(i, _)| i),
        _ => None,
    }
    .or_else(|| beside_note(items, annotation))?;
    placed::line_number(items, first)
}

impl Mapper<'_> {
    /// An entry for `annotation`, read through the layout (the PDF is of this revision).
    fn by_layout(&mut self, annotation: &Annotation) -> Entry {
        let mut entry = blank_entry(annotation, Located::Layout);
        match annotation.subtype {
            Subtype::Caret => {
                if let Some((glyph, after)) = insertion(&self.glyphs, annotation) {
                    self.insert_at(&mut entry, glyph, after);
                }
            }
            subtype => {
                let marked = if subtype == Subtype::Text { Vec::new() } else { marked(&self.glyphs, annotation) };
                if marked.is_empty() {
                    // A note beside the text: the nearest line.
                    if let Some(glyph) = beside_note(&self.glyphs, annotation) {
                        self.note_at(&mut entry, glyph);
                    }
                } else {
                    self.span(&mut entry, &marked);
                }
            }
        }
        if entry.start.is_none() {
            entry.located = Located::NotFound; // a page with no text of the manuscript
        }
        entry
    }

    /// An entry for `annotation` of a PDF of another revision: its text is read from the
    /// PDF and found in the layout of the manuscript on disk.
    fn by_text(&mut self, annotation: &Annotation, old: &[pdf_text::PageChar]) -> Entry {
        let mut entry = blank_entry(annotation, Located::NotFound);
        match annotation.subtype {
            Subtype::Caret => {
                let Some((char, after)) = insertion(old, annotation) else { return entry };
                let (before, rest) = line_context(old, char, after);
                if let Some(found) = self.find(&(before.clone() + &rest), annotation.page) {
                    let split = before.chars().filter(|c| !c.is_whitespace()).count();
                    entry.located = Located::Text;
                    match found.get(split) {
                        Some(&glyph) => self.insert_at(&mut entry, glyph, false),
                        None => self.insert_at(&mut entry, found[found.len() - 1], true),
                    }
                }
            }
            subtype => {
                let marked = if subtype == Subtype::Text { Vec::new() } else { marked(old, annotation) };
                if marked.is_empty() {
                    let Some(char) = beside_note(old, annotation) else { return entry };
                    let (before, rest) = line_context(old, char, false);
                    if let Some(found) = self.find(&(before.clone() + &rest), annotation.page) {
                        let split = before.chars().filter(|c| !c.is_whitespace()).count().min(found.len() - 1);
                        entry.located = Located::Text;
                        self.note_at(&mut entry, found[split]);
                    }
                } else {
                    let text: String = marked.iter().map(|&i| old[i].text.as_str()).collect();
                    entry.text = squeeze(&text);
                    if let Some(found) = self.find(&text, annotation.page) {
                        entry.located = Located::Text;
                        self.span(&mut entry, &found);
                    }
                }
            }
        }
        entry
    }

    /// The glyphs showing `text` (white space ignored) in the layout, the occurrence nearest
    /// to `page`.
    fn find(&self, text: &str, page: usize) -> Option<Vec<usize>> {
        let needle: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
        if needle.is_empty() {
            return None;
        }
        let mut hay: Vec<(char, usize)> = Vec::new();
        for (i, glyph) in self.glyphs.iter().enumerate() {
            hay.extend(glyph.text.chars().filter(|c| !c.is_whitespace()).map(|c| (c, i)));
        }
        let mut best: Option<(usize, Vec<usize>)> = None;
        for start in 0..hay.len().saturating_sub(needle.len() - 1) {
            if hay[start..start + needle.len()].iter().zip(&needle).all(|((c, _), n)| c == n) {
                let mut found: Vec<usize> = hay[start..start + needle.len()].iter().map(|(_, g)| *g).collect();
                found.dedup();
                let distance = self.glyphs[found[0]].page.abs_diff(page);
                if best.as_ref().is_none_or(|(d, _)| distance < *d) {
                    best = Some((distance, found));
                }
            }
        }
        best.map(|(_, found)| found)
    }

    /// Fills the entry's place, text and data from the marked glyphs.
    fn span(&mut self, entry: &mut Entry, marked: &[usize]) {
        if entry.text.is_empty() {
            entry.text = squeeze(&marked.iter().map(|&i| self.glyphs[i].text.clone()).collect::<String>());
        }
        let origins: Vec<Origin> = marked.iter().filter_map(|&i| self.origin(i)).collect();
        if let (Some(first), Some(last)) = (origins.first(), origins.last()) {
            entry.start = Some(Position { file: first.file.clone(), line: first.line, column: first.column });
            entry.end = Some(Position { file: last.file.clone(), line: last.line, column: last.end_column });
        } else if let Some(&glyph) = marked.first() {
            // Text the manuscript does not hold (a number the design adds): the nearest line that it does.
            self.note_at(entry, glyph);
        }
        for origin in origins {
            if let Some(cell) = origin.data
                && !entry.data.contains(&cell)
            {
                entry.data.push(cell);
            }
        }
    }

    /// An insertion before (or after) `glyph`.
    fn insert_at(&mut self, entry: &mut Entry, glyph: usize, after: bool) {
        if let Some(origin) = self.origin(glyph).or_else(|| self.nearest_mapped(glyph).and_then(|g| self.origin(g))) {
            let column = if after { origin.end_column } else { origin.column };
            let place = Position { file: origin.file, line: origin.line, column };
            entry.start = Some(place.clone());
            entry.end = Some(place);
        }
    }

    /// A note on the line of `glyph` (or of the nearest glyph the manuscript holds).
    fn note_at(&mut self, entry: &mut Entry, glyph: usize) {
        if let Some(origin) = self.origin(glyph).or_else(|| self.nearest_mapped(glyph).and_then(|g| self.origin(g))) {
            let place = Position { file: origin.file, line: origin.line, column: origin.column };
            entry.start = Some(place.clone());
            entry.end = Some(place);
        }
    }
}

/// Up to eight characters before and after a point of a line read from a PDF, for finding
/// the point in the manuscript.
fn line_context(chars: &[pdf_text::PageChar], at: usize, after: bool) -> (String, String) {
    let target = &chars[at];
    let size = target.area.y1 - target.area.y0;
    let mut line: Vec<usize> = (0..chars.len()).filter(|&i| chars[i].page == target.page && (chars[i].baseline - target.baseline).abs() < size * 0.3).collect();
    line.sort_by(|a, b| chars[*a].area.x0.total_cmp(&chars[*b].area.x0));
    let Some(position) = line.iter().position(|&i| i == at) else { return (String::new(), target.text.clone()) };
    // Stay within the column: stop at a gap wider than two characters.
    let mut first = position;
    while first > 0 && position - first < 8 && chars[line[first]].area.x0 - chars[line[first - 1]].area.x1 < size * 2.0 {
        first -= 1;
    }
    let mut last = position;
    while last + 1 < line.len() && last - position < 8 && chars[line[last + 1]].area.x0 - chars[line[last]].area.x1 < size * 2.0 {
        last += 1;
    }
    let split = if after { position + 1 } else { position };
    let text = |range: std::ops::Range<usize>| line[range].iter().map(|&i| chars[i].text.as_str()).collect::<String>();
    (text(first..split), text(split..last + 1))
}

fn blank_entry(annotation: &Annotation, located: Located) -> Entry {
    let kind = match annotation.subtype {
        Subtype::StrikeOut if annotation.comment.is_empty() => "delete",
        Subtype::StrikeOut => "replace",
        Subtype::Caret => "insert",
        _ => "comment",
    };
    Entry {
        start: None,
        end: None,
        text: String::new(),
        kind,
        annotation: annotation.subtype,
        comment: annotation.comment.clone(),
        author: annotation.author.clone(),
        date: annotation.date.clone(),
        page: annotation.page + 1,
        page_label: (annotation.page + 1).to_string(),
        proof_line: None,
        data: Vec::new(),
        located,
    }
}

fn squeeze(text: &str) -> String {
    // pdftotext-like spacing is not the text: keep single spaces between Latin words only.
    let mut out = String::new();
    for c in text.chars() {
        if c.is_whitespace() {
            if !out.ends_with(' ') && !out.is_empty() {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    out.trim_end().to_string()
}

impl Entry {
    /// The entry as one compiler-style report: `file:line:column-line:column: kind: «text» …`
    /// and its data cells on lines of their own.
    pub fn render(&self, manuscript: &Path) -> String {
        let place = match (&self.start, &self.end) {
            (Some(start), Some(end)) if start == end => format!("{}:{}:{}", manuscript.join(&start.file).display(), start.line, start.column),
            (Some(start), Some(end)) if start.file == end.file => {
                format!("{}:{}:{}-{}:{}", manuscript.join(&start.file).display(), start.line, start.column, end.line, end.column)
            }
            (Some(start), _) => format!("{}:{}:{}", manuscript.join(&start.file).display(), start.line, start.column),
            (None, _) => "(not in the manuscript)".to_string(),
        };
        // What the PDF says is the proofreader's (or anyone's): printed escaped, so a comment
        // cannot write to the terminal, and bounded.
        let input = |text: &str| printable_line(&bounded(text, MAX_COMMENT_CHARS));
        let mut line = format!("{}: {}", printable_line(&place), self.kind);
        if !self.text.is_empty() {
            line.push_str(&format!(": «{}»", input(&self.text)));
        }
        if !self.comment.is_empty() {
            line.push_str(&format!(" — {}", input(&self.comment.replace('\n', " / "))));
        }
        let who: Vec<String> = [self.author.as_str(), self.date.as_str()].into_iter().filter(|s| !s.is_empty()).map(input).collect();
        if !who.is_empty() {
            line.push_str(&format!(" ({})", who.join(", ")));
        }
        // The printed folio first (the PDF's own page number after it when they differ).
        // (The label is the PDF's, so it is printed escaped and bounded too.)
        let mut at = format!("page {}", printable_line(&bounded(&self.page_label, 32)));
        if self.page_label != self.page.to_string() {
            at.push_str(&format!(" (PDF page {})", self.page));
        }
        if let Some(l) = self.proof_line {
            at.push_str(&format!(", line {l}"));
        }
        line.push_str(&format!(" [{at}, {:?}]", self.annotation));
        for cell in &self.data {
            line.push_str(&format!(
                "\n  = data: {}:{} ({})",
                printable_line(&manuscript.join(&cell.file).display().to_string()),
                cell.line,
                input(&cell.reference)
            ));
        }
        line.push('\n');
        line
    }
}

#[cfg(test)]
mod render_tests {
    use super::*;

    #[test]
    fn a_comment_cannot_write_to_the_terminal_and_is_bounded() {
        let entry = Entry {
            start: Some(Position { file: PathBuf::from("text/a.md"), line: 3, column: 2 }),
            end: None,
            text: "正文".into(),
            kind: "comment",
            annotation: Subtype::Text,
            comment: format!("\u{1b}]0;pwned\u{7}\u{1b}[2J\nerror: forged line{}", "长".repeat(10_000)),
            author: "校对\u{1b}[31m\nerror: fake".into(),
            date: "2024-01-02 10:00".into(),
            page: 1,
            page_label: "1".into(),
            proof_line: None,
            data: Vec::new(),
            located: Located::Text,
        };
        let rendered = entry.render(Path::new("m"));
        assert!(!rendered.contains('\u{1b}') && !rendered.contains('\u{7}'), "{rendered:?}");
        assert_eq!(rendered.lines().count(), 1, "a comment or author cannot start a line of its own: {rendered}");
        assert!(rendered.contains("\\u{1b}]0;pwned") && rendered.contains("more characters"), "{rendered}");
        assert!(rendered.len() < 12_000, "{} bytes", rendered.len());
    }
}
