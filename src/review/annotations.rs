//! Reading a viewer's annotations out of a PDF (with lopdf): what kind each is, the areas
//! it marks (quad points in any order, or its rectangle), its comment, author and date,
//! and the file's permanent identifier.
//!
//! Coordinates are turned into the layout's: points from the top-left corner of the page.

use std::path::Path;

use lopdf::{Dictionary, Document, Object, ObjectId};

use crate::diagnostics::{Diagnostic, Diagnostics};

/// An axis-aligned rectangle in points, from the top-left corner of the page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Area {
    /// Left edge.
    pub x0: f64,
    /// Top edge.
    pub y0: f64,
    /// Right edge.
    pub x1: f64,
    /// Bottom edge.
    pub y1: f64,
}

impl Area {
    /// The smallest area holding all `points`.
    fn around(points: &[(f64, f64)]) -> Option<Area> {
        let first = points.first()?;
        let mut area = Area { x0: first.0, y0: first.1, x1: first.0, y1: first.1 };
        for &(x, y) in points {
            area.x0 = area.x0.min(x);
            area.x1 = area.x1.max(x);
            area.y0 = area.y0.min(y);
            area.y1 = area.y1.max(y);
        }
        Some(area)
    }

    /// Whether the point lies inside (edges included).
    pub fn contains(&self, x: f64, y: f64) -> bool {
        x >= self.x0 && x <= self.x1 && y >= self.y0 && y <= self.y1
    }

    /// The centre point.
    pub fn centre(&self) -> (f64, f64) {
        ((self.x0 + self.x1) / 2.0, (self.y0 + self.y1) / 2.0)
    }
}

/// The annotation types `review` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Subtype {
    /// Marks text (a comment on it).
    Highlight,
    /// Marks text (a comment on it).
    Underline,
    /// Marks text to delete (or to replace, with a comment).
    StrikeOut,
    /// Marks text (a comment on it).
    Squiggly,
    /// An insertion point.
    Caret,
    /// A sticky note at a point.
    Text,
    /// A text box on the page.
    FreeText,
    /// A freehand drawing.
    Ink,
}

impl Subtype {
    fn from_name(name: &[u8]) -> Option<Subtype> {
        Some(match name {
            b"Highlight" => Subtype::Highlight,
            b"Underline" => Subtype::Underline,
            b"StrikeOut" => Subtype::StrikeOut,
            b"Squiggly" => Subtype::Squiggly,
            b"Caret" => Subtype::Caret,
            b"Text" => Subtype::Text,
            b"FreeText" => Subtype::FreeText,
            b"Ink" => Subtype::Ink,
            _ => return None,
        })
    }

    /// Whether the annotation marks a run of text (rather than a point or a drawing).
    pub fn marks_text(self) -> bool {
        matches!(self, Subtype::Highlight | Subtype::Underline | Subtype::StrikeOut | Subtype::Squiggly)
    }
}

/// One annotation as the viewer stored it.
#[derive(Debug, Clone)]
pub struct Annotation {
    /// Its object, to resolve replies (`/IRT`) to it.
    pub id: Option<ObjectId>,
    /// 0-based page index.
    pub page: usize,
    /// The annotation type.
    pub subtype: Subtype,
    /// The marked areas: one per quad for text markup, else the rectangle (for ink, the
    /// rectangle of its strokes).
    pub areas: Vec<Area>,
    /// The annotation's rectangle.
    pub rect: Area,
    /// The comment (`/Contents`), may be empty.
    pub comment: String,
    /// The author (`/T`), may be empty.
    pub author: String,
    /// When it was made or last changed (`/M`, else `/CreationDate`), as `YYYY-MM-DD HH:MM`.
    pub date: String,
    /// The annotation it replies to or is grouped with (`/IRT`).
    pub in_reply_to: Option<ObjectId>,
    /// Whether `/RT /Group` makes it one correction with the annotation it refers to
    /// (Acrobat's "replace text": a strike-out and a caret).
    pub grouped: bool,
}

/// What `review` reads from a PDF file.
pub struct AnnotatedPdf {
    /// The size of every page (width, height) in points.
    pub pages: Vec<(f64, f64)>,
    /// The first string of the trailer's `/ID`, the file's permanent identifier.
    pub permanent_id: Option<Vec<u8>>,
    /// The annotations, page by page, in the order the viewer stored them.
    pub annotations: Vec<Annotation>,
    /// The parsed file, to read its text when needed.
    pub document: Document,
}

/// Largest PDF `review` (and a change proof's `--since`) reads: 1 GiB, checked before it
/// is read; a proof of a long illustrated book is a few hundred MB.
pub const MAX_PDF_BYTES: u64 = 1 << 30;

/// Reads and parses the PDF at `path`: a regular file (a FIFO is refused, not waited on) of
/// at most [`MAX_PDF_BYTES`], not encrypted (its annotations could not be read, and an
/// encrypted file read as plain shows none).
pub fn load(path: &Path) -> Result<Document, Diagnostics> {
    let bytes = crate::access::read(path, MAX_PDF_BYTES).map_err(|refused| Diagnostics::one(refused.diagnostic(path, "this PDF")))?;
    let hint = "give the proof or print PDF the viewer saved the comments in";
    if bytes.len() < 5 || !bytes[..bytes.len().min(1024)].windows(5).any(|w| w == b"%PDF-") {
        return Err(Diagnostics::one(Diagnostic::error(path, "cannot read this file as a PDF: it does not start with `%PDF-`").with_hint(hint)));
    }
    let encrypted = || {
        Diagnostics::one(
            Diagnostic::error(path, "this PDF is encrypted (password-protected), so its annotations cannot be read")
                .with_hint("save an unencrypted copy (in the viewer: remove the security settings; or: qpdf --decrypt in.pdf out.pdf) and review that"),
        )
    };
    let document = Document::load_mem(&bytes).map_err(|e| {
        if matches!(e, lopdf::Error::Decryption(_) | lopdf::Error::InvalidPassword) || bytes.windows(8).any(|w| w == b"/Encrypt") {
            return encrypted();
        }
        Diagnostics::one(Diagnostic::error(path, format!("cannot read this file as a PDF: {e}")).with_hint(hint))
    })?;
    if document.was_encrypted() || document.is_encrypted() || document.trailer.get(b"Encrypt").is_ok() {
        return Err(encrypted());
    }
    Ok(document)
}

/// Reads the annotations of the PDF at `path` (see [`load`]).
pub fn read(path: &Path) -> Result<AnnotatedPdf, Diagnostics> {
    let document = load(path)?;
    let permanent_id = file_id(&document.trailer);
    let mut pages = Vec::new();
    let mut annotations = Vec::new();
    for (index, (_, page_id)) in document.get_pages().into_iter().enumerate() {
        let Ok(page) = document.get_dictionary(page_id) else { continue };
        let media = inherited(&document, page, b"MediaBox").and_then(|o| numbers(&document, o)).unwrap_or_else(|| vec![0.0, 0.0, 595.0, 842.0]);
        let (llx, lly, urx, ury) = match media.as_slice() {
            [a, b, c, d] => (a.min(*c), b.min(*d), a.max(*c), b.max(*d)),
            _ => (0.0, 0.0, 595.0, 842.0),
        };
        pages.push((urx - llx, ury - lly));
        // PDF space (origin bottom-left) → layout space (origin top-left).
        let flip = |x: f64, y: f64| (x - llx, ury - y);
        let Some(Object::Array(list)) = page.get(b"Annots").ok().map(|o| document.dereference(o).map(|(_, o)| o.clone()).unwrap_or(Object::Null)) else {
            continue;
        };
        for item in &list {
            let (id, object) = match item {
                Object::Reference(id) => (Some(*id), document.get_object(*id).ok()),
                other => (None, Some(other)),
            };
            let Some(Ok(dict)) = object.map(|o| o.as_dict()) else { continue };
            let Some(subtype) = dict.get(b"Subtype").ok().and_then(|o| o.as_name().ok()).and_then(Subtype::from_name) else { continue };
            let rect = dict
                .get(b"Rect")
                .ok()
                .and_then(|o| numbers(&document, o))
                .and_then(|n| if n.len() == 4 { Area::around(&[flip(n[0], n[1]), flip(n[2], n[3])]) } else { None })
                .unwrap_or(Area { x0: 0.0, y0: 0.0, x1: 0.0, y1: 0.0 });
            let mut areas = Vec::new();
            if subtype.marks_text()
                && let Some(quads) = dict.get(b"QuadPoints").ok().and_then(|o| numbers(&document, o))
            {
                for quad in quads.chunks_exact(8) {
                    let points: Vec<(f64, f64)> = quad.chunks_exact(2).map(|p| flip(p[0], p[1])).collect();
                    areas.extend(Area::around(&points));
                }
            }
            if subtype == Subtype::Ink
                && let Ok(Object::Array(strokes)) = dict.get(b"InkList").and_then(|o| document.dereference(o).map(|(_, o)| o))
            {
                let points: Vec<(f64, f64)> = strokes
                    .iter()
                    .filter_map(|s| numbers(&document, s))
                    .flat_map(|n| n.chunks_exact(2).map(|p| flip(p[0], p[1])).collect::<Vec<_>>())
                    .collect();
                areas.extend(Area::around(&points));
            }
            if areas.is_empty() && subtype != Subtype::Text && subtype != Subtype::Caret {
                areas.push(rect);
            }
            let date = text_of(&document, dict, b"M").or_else(|| text_of(&document, dict, b"CreationDate")).map(|d| pdf_date(&d)).unwrap_or_default();
            annotations.push(Annotation {
                id,
                page: index,
                subtype,
                areas,
                rect,
                comment: text_of(&document, dict, b"Contents").unwrap_or_default().replace('\r', "\n").trim().to_string(),
                author: text_of(&document, dict, b"T").unwrap_or_default(),
                date,
                in_reply_to: dict.get(b"IRT").ok().and_then(|o| o.as_reference().ok()),
                grouped: dict.get(b"RT").ok().and_then(|o| o.as_name().ok()) == Some(b"Group".as_slice()),
            });
        }
    }
    Ok(AnnotatedPdf { pages, permanent_id, annotations, document })
}

/// The first string of a trailer's `/ID`.
pub fn file_id(trailer: &Dictionary) -> Option<Vec<u8>> {
    match trailer.get(b"ID").ok()? {
        Object::Array(parts) => parts.first()?.as_str().ok().map(<[u8]>::to_vec),
        _ => None,
    }
}

/// The permanent identifier of the PDF in `bytes` (a PDF this tool exported).
pub fn permanent_id_of(bytes: &[u8]) -> Option<Vec<u8>> {
    let document = Document::load_mem(bytes).ok()?;
    file_id(&document.trailer)
}

/// A page attribute, looked up through the page tree's parents when the page lacks it.
fn inherited<'a>(document: &'a Document, page: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    let mut dict = page;
    for _ in 0..32 {
        if let Ok(value) = dict.get(key) {
            return document.dereference(value).ok().map(|(_, o)| o);
        }
        let parent = dict.get(b"Parent").ok()?.as_reference().ok()?;
        dict = document.get_dictionary(parent).ok()?;
    }
    None
}

/// An array of numbers (through references).
fn numbers(document: &Document, object: &Object) -> Option<Vec<f64>> {
    let (_, object) = document.dereference(object).ok()?;
    let Object::Array(items) = object else { return None };
    items
        .iter()
        .map(|item| match document.dereference(item).ok()?.1 {
            Object::Integer(i) => Some(*i as f64),
            Object::Real(r) => Some(f64::from(*r)),
            _ => None,
        })
        .collect()
}

/// A text string entry: UTF-16BE or UTF-8 with their byte order marks, else PDFDocEncoding
/// (read as Latin-1, which it equals for the printable characters).
fn text_of(document: &Document, dict: &Dictionary, key: &[u8]) -> Option<String> {
    let (_, object) = document.dereference(dict.get(key).ok()?).ok()?;
    let bytes = object.as_str().ok()?;
    Some(decode_text_string(bytes))
}

/// Decodes a PDF text string.
pub fn decode_text_string(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
        String::from_utf16_lossy(&units)
    } else if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        String::from_utf8_lossy(rest).into_owned()
    } else {
        bytes.iter().map(|&b| char::from(b)).collect()
    }
}

/// `D:20261130102100+08'00'` → `2026-11-30 10:21` (the time as written, its zone dropped).
fn pdf_date(date: &str) -> String {
    let digits: String = date.trim_start_matches("D:").chars().take_while(char::is_ascii_digit).collect();
    let part = |range: std::ops::Range<usize>| digits.get(range).unwrap_or("");
    match digits.len() {
        n if n >= 12 => format!("{}-{}-{} {}:{}", part(0..4), part(4..6), part(6..8), part(8..10), part(10..12)),
        n if n >= 8 => format!("{}-{}-{}", part(0..4), part(4..6), part(6..8)),
        _ => date.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_text_strings() {
        assert_eq!(pdf_date("D:20261130102100+08'00'"), "2026-11-30 10:21");
        assert_eq!(pdf_date("D:20261130"), "2026-11-30");
        assert_eq!(decode_text_string(&[0xFE, 0xFF, 0x52, 0x20, 0x96, 0x64]), "删除");
        assert_eq!(decode_text_string(b"ok"), "ok");
    }

    #[test]
    fn quads_in_any_order_give_the_same_area() {
        let a = Area::around(&[(1.0, 2.0), (5.0, 2.0), (1.0, 9.0), (5.0, 9.0)]);
        let b = Area::around(&[(5.0, 9.0), (1.0, 2.0), (5.0, 2.0), (1.0, 9.0)]);
        assert_eq!(a, b);
        assert!(a.is_some_and(|a| a.contains(3.0, 5.0) && !a.contains(6.0, 5.0)));
    }
}
