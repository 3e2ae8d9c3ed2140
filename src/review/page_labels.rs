//! The page labels of a PDF (`/PageLabels` in its catalogue): the folio each page prints
//! (`ii`, `1` …), which is how a proofreader names a page. A page the PDF gives no label
//! is named by its place in the file.
//!
//! lopdf reads the objects; the number tree and the label styles (PDF 32000-1, 12.4.2) are
//! read here, since lopdf has no page-label API.

use lopdf::{Dictionary, Document, Object};

/// Deepest `/Kids` nesting followed in the number tree (a real one is one or two levels).
const MAX_DEPTH: usize = 16;

/// Most ranges read (one per change of numbering: a real PDF has a handful).
const MAX_RANGES: usize = 10_000;

/// One range of the labels: from `first` (0-based page index) on, pages are labelled
/// `prefix` + the number `start + (page − first)` in `style`.
#[derive(Debug, Clone, PartialEq)]
struct Range {
    first: usize,
    style: Option<u8>,
    prefix: String,
    start: i64,
}

/// The printed label of every page of `document`, in page order; a page outside any
/// labelled range gets its 1-based index.
pub fn labels(document: &Document) -> Vec<String> {
    let pages = document.get_pages().len();
    let mut ranges = Vec::new();
    if let Ok(catalog) = document.catalog()
        && let Ok(tree) = catalog.get(b"PageLabels")
    {
        collect(document, tree, 0, &mut ranges);
    }
    ranges.sort_by_key(|r| r.first);
    (0..pages)
        .map(|page| match ranges.iter().rev().find(|r| r.first <= page) {
            Some(range) => label(range, page),
            None => (page + 1).to_string(),
        })
        .collect()
}

fn resolve<'a>(document: &'a Document, object: &'a Object) -> Option<&'a Object> {
    match object {
        Object::Reference(id) => document.get_object(*id).ok(),
        other => Some(other),
    }
}

fn collect(document: &Document, node: &Object, depth: usize, ranges: &mut Vec<Range>) {
    if depth > MAX_DEPTH || ranges.len() >= MAX_RANGES {
        return;
    }
    let Some(Object::Dictionary(node)) = resolve(document, node) else { return };
    if let Ok(Object::Array(nums)) = node.get(b"Nums").map(|n| resolve(document, n).unwrap_or(n)) {
        for pair in nums.chunks(2) {
            let [key, value] = pair else { break };
            let (Ok(first), Some(Object::Dictionary(value))) = (key.as_i64(), resolve(document, value)) else { continue };
            if first < 0 || ranges.len() >= MAX_RANGES {
                continue;
            }
            ranges.push(range(first as usize, value));
        }
    }
    if let Ok(Object::Array(kids)) = node.get(b"Kids").map(|k| resolve(document, k).unwrap_or(k)) {
        for kid in kids {
            collect(document, kid, depth + 1, ranges);
        }
    }
}

fn range(first: usize, value: &Dictionary) -> Range {
    let style = value.get(b"S").ok().and_then(|s| s.as_name().ok()).and_then(|name| name.first().copied());
    // (A prefix longer than a folio ever is, is cut: the label is printed in every entry.)
    let prefix: String = value.get(b"P").ok().and_then(|p| p.as_str().ok()).map(decode_text).unwrap_or_default().chars().take(32).collect();
    let start = value.get(b"St").ok().and_then(|s| s.as_i64().ok()).filter(|s| *s >= 1).unwrap_or(1);
    Range { first, style, prefix, start }
}

/// A PDF text string: UTF-16BE with its byte-order mark, else PDFDocEncoding (read as Latin-1,
/// which agrees with it for the characters a prefix uses).
fn decode_text(bytes: &[u8]) -> String {
    match bytes {
        [0xFE, 0xFF, rest @ ..] => {
            let units: Vec<u16> = rest.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
            String::from_utf16_lossy(&units)
        }
        _ => bytes.iter().map(|&b| b as char).collect(),
    }
}

/// The numerals of lists and folios, for a page number that may be out of their range.
fn roman(number: i64) -> String {
    u32::try_from(number).map_or_else(|_| number.to_string(), crate::numbers::numerals::roman)
}

fn letters(number: i64) -> String {
    u32::try_from(number).map_or_else(|_| number.to_string(), crate::numbers::numerals::letters)
}

fn label(range: &Range, page: usize) -> String {
    let number = range.start.saturating_add((page - range.first) as i64);
    let numeral = match range.style {
        Some(b'D') => number.to_string(),
        Some(b'R') => roman(number),
        Some(b'r') => roman(number).to_lowercase(),
        Some(b'A') => letters(number).to_uppercase(),
        Some(b'a') => letters(number),
        _ => String::new(),
    };
    format!("{}{numeral}", range.prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn styles_read_as_a_viewer_shows_them() {
        let range = |style: u8, start: i64| Range { first: 2, style: Some(style), prefix: String::new(), start };
        assert_eq!(label(&range(b'r', 1), 3), "ii");
        assert_eq!(label(&range(b'R', 1), 5), "IV");
        assert_eq!(label(&range(b'D', 1), 2), "1");
        assert_eq!(label(&range(b'A', 1), 29), "BB");
        let prefixed = Range { first: 0, style: Some(b'D'), prefix: "A-".into(), start: 7 };
        assert_eq!(label(&prefixed, 1), "A-8");
    }
}
