//! A document's last page at least a quarter full: when the text runs only a few lines onto
//! its last page, a block that starts on the page before is started on the last page
//! instead (the page before is loosened: it ends earlier, by whole blocks), so that the
//! last page holds a quarter of a page or more.
//!
//! The template marks each top-level block with its index and the document's end with the
//! page's text area (`document-end`); reportpress reads both from the layout, picks the block
//! and lays the book out again with `break:<index>` among the balancing targets
//! (`/balance.json`), which the template turns into a page break before that block.

use typst::foundations::{NativeElement, Selector, Value};
use typst::introspection::{Introspector, MetadataElem};
use typst_layout::PagedDocument;

use crate::model::{Block, BlockKind};

/// The least share of its text area a last page should fill.
pub const LEAST_FILL: f64 = 0.25;

/// Fewest lines the page before keeps when a block moves from it.
const LEAST_LINES_LEFT: f64 = 5.0;

/// The last page of a layout: its number (1-based), how full its text area is (0–1), and
/// the text area's top, bottom and line pitch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LastPage {
    /// The page number, counted from the first sheet.
    pub page: usize,
    /// The share of the text area the text fills.
    pub fill: f64,
    top: f64,
    bottom: f64,
    pitch: f64,
}

/// How full the last page of `paged` is, from the template's `document-end` mark.
pub fn last_page(paged: &PagedDocument) -> Option<LastPage> {
    let introspector = paged.introspector();
    let end = introspector.query(&Selector::Elem(MetadataElem::ELEM, None)).into_iter().rev().find_map(|content| {
        let metadata = content.to_packed::<MetadataElem>()?;
        let Value::Dict(dict) = &metadata.value else { return None };
        let Ok(Value::Dict(area)) = dict.get("document-end") else { return None };
        let number = |key: &str| match area.get(key) {
            Ok(Value::Float(v)) => Some(*v),
            Ok(Value::Int(v)) => Some(*v as f64),
            _ => None,
        };
        let position = introspector.position(content.location()?)?;
        Some((position, number("top")?, number("bottom")?, number("pitch")?))
    })?;
    let (position, top, bottom, pitch) = end;
    let height = bottom - top;
    if height <= 0.0 {
        return None;
    }
    let fill = ((position.point.y.to_pt() - top) / height).clamp(0.0, 1.0);
    Some(LastPage { page: position.page.get(), fill, top, bottom, pitch })
}

/// The top-level blocks that start on `page`: (index, y of its start), in order.
fn starts_on(paged: &PagedDocument, page: usize) -> Vec<(usize, f64)> {
    let introspector = paged.introspector();
    let mut starts = Vec::new();
    for content in introspector.query(&Selector::Elem(MetadataElem::ELEM, None)) {
        let (Some(metadata), Some(location)) = (content.to_packed::<MetadataElem>(), content.location()) else { continue };
        let Value::Int(index) = metadata.value else { continue };
        let Ok(index) = usize::try_from(index) else { continue };
        if let Some(position) = introspector.position(location)
            && position.page.get() == page
        {
            starts.push((index, position.point.y.to_pt()));
        }
    }
    starts
}

/// The blocks to try starting on the last page, best first, when the last page of `paged`
/// is less than a quarter full: blocks that start on the page before it, low enough that
/// the page before keeps five lines, and whose text would then fill the last page to a
/// quarter or more (with the heading before one that follows a heading). Single-column
/// estimates: a layout with the break is checked before it is kept.
pub fn candidates(paged: &PagedDocument, blocks: &[Block]) -> Vec<usize> {
    let Some(last) = last_page(paged) else { return Vec::new() };
    if last.fill >= LEAST_FILL || last.page < 2 {
        return Vec::new();
    }
    let height = last.bottom - last.top;
    let mut out = Vec::new();
    let starts = starts_on(paged, last.page - 1);
    for &(index, y) in starts.iter().rev() {
        if y - last.top < LEAST_LINES_LEFT * last.pitch {
            break;
        }
        // What moves is at most the rest of the page before.
        let moved = last.bottom - y;
        if last.fill + moved / height < LEAST_FILL {
            continue;
        }
        // A block cannot move past a page break the manuscript asks for (`new_page`): a
        // last page that a section opens on its own is the editor's.
        if blocks[index..].iter().any(|b| matches!(b.kind, BlockKind::PageBreak)) {
            break;
        }
        // A heading goes with the block after it, and so do the headings over it (a
        // chapter's heading right over its first section's).
        let mut index = index;
        while index > 0 && matches!(blocks.get(index - 1).map(|b| &b.kind), Some(BlockKind::Heading { .. })) {
            index -= 1;
        }
        // (The page before keeps its five lines above the headings that move too.)
        if starts.iter().find(|(i, _)| *i == index).is_some_and(|&(_, top)| top - last.top < LEAST_LINES_LEFT * last.pitch) {
            continue;
        }
        if index > 0 && !out.contains(&index) {
            out.push(index);
        }
        if out.len() == 2 {
            break;
        }
    }
    out
}

/// What the key of a page break among the balancing targets starts with (the template
/// reads `break:<index>`).
pub const BREAK_KEY: &str = "break:";

/// The key of a page break before block `index` among the balancing targets.
pub fn break_key(index: usize) -> String {
    format!("{BREAK_KEY}{index}")
}

/// Whether a balancing target is a page break (not a float height).
pub fn is_break_key(key: &str) -> bool {
    key.starts_with(BREAK_KEY)
}
