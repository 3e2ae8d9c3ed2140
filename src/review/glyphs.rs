//! The glyphs of a laid-out book, read from Typst's frames: for every glyph cluster its
//! page, its box on the page and the characters it shows, and which top-level block of the
//! document it belongs to — known from the `metadata(index)` marker the template lays out
//! before each top-level block, and, for a floating figure or table (placed away from its
//! marker), from the element its group logically belongs to (Typst records it as the
//! group's parent), whose start lies after the block's marker.

use std::collections::HashMap;

use typst::foundations::Value;
use typst::introspection::{Location, MetadataElem, Tag};
use typst::layout::{Abs, Frame, FrameItem, Point, Transform};
use typst_layout::PagedDocument;

use super::annotations::Area;

/// One glyph cluster on a page.
#[derive(Debug, Clone)]
pub struct Glyph {
    /// 0-based page index.
    pub page: usize,
    /// The top-level block it belongs to (`None`: before the first block, the title).
    pub block: Option<usize>,
    /// The characters it shows.
    pub text: String,
    /// Its box: the advance times the line box of its font size.
    pub area: Area,
    /// Its baseline (y, from the top of the page).
    pub baseline: f64,
}

/// Every glyph of every page, in the order of the frames (reading order within each column).
pub fn collect(paged: &PagedDocument) -> Vec<Glyph> {
    // First the block of every element's start, from the markers; then the glyphs, a
    // floating group taking the block of the element it logically belongs to.
    let mut starts = State { starts: HashMap::new(), block: None, parents: Vec::new(), page: 0, out: Vec::new(), record: true };
    for content in paged.pages() {
        starts.walk(&content.frame, Transform::identity());
    }
    let mut state = State { starts: starts.starts, block: None, parents: Vec::new(), page: 0, out: Vec::new(), record: false };
    for (page, content) in paged.pages().iter().enumerate() {
        state.page = page;
        state.walk(&content.frame, Transform::identity());
    }
    state.out
}

struct State {
    /// The block each element starts in (by the markers).
    starts: HashMap<Location, Option<usize>>,
    /// The last block marker met.
    block: Option<usize>,
    /// The blocks of the floating groups we are in (by their logical parents).
    parents: Vec<Option<usize>>,
    page: usize,
    out: Vec<Glyph>,
    /// The first pass: record where elements start, collect no glyphs.
    record: bool,
}

impl State {
    fn current(&self) -> Option<usize> {
        self.parents.last().copied().unwrap_or(self.block)
    }

    fn walk(&mut self, frame: &Frame, ts: Transform) {
        for (pos, item) in frame.items() {
            match item {
                FrameItem::Group(group) => {
                    let inner = ts.pre_concat(Transform::translate(pos.x, pos.y)).pre_concat(group.transform);
                    let parent = group.parent.as_ref().and_then(|p| self.starts.get(&p.location).copied());
                    if let Some(block) = parent {
                        self.parents.push(block);
                    }
                    self.walk(&group.frame, inner);
                    if parent.is_some() {
                        self.parents.pop();
                    }
                }
                FrameItem::Tag(Tag::Start(content, _)) => {
                    if let Some(metadata) = content.to_packed::<MetadataElem>()
                        && let Value::Int(index) = metadata.value
                    {
                        self.block = usize::try_from(index).ok();
                    }
                    if self.record
                        && let Some(location) = content.location()
                    {
                        self.starts.insert(location, self.current());
                    }
                }
                FrameItem::Text(text) if !self.record => {
                    let size = text.size;
                    let mut cursor = Abs::zero();
                    for glyph in &text.glyphs {
                        let advance = glyph.x_advance.at(size);
                        let x = pos.x + cursor + glyph.x_offset.at(size);
                        let corners = [
                            Point::new(x, pos.y - size * 0.88),
                            Point::new(x + advance, pos.y - size * 0.88),
                            Point::new(x, pos.y + size * 0.12),
                            Point::new(x + advance, pos.y + size * 0.12),
                        ];
                        let points: Vec<(f64, f64)> = corners.iter().map(|p| p.transform(ts)).map(|p| (p.x.to_pt(), p.y.to_pt())).collect();
                        let xs = points.iter().map(|p| p.0);
                        let ys = points.iter().map(|p| p.1);
                        let area = Area {
                            x0: xs.clone().fold(f64::INFINITY, f64::min),
                            x1: xs.fold(f64::NEG_INFINITY, f64::max),
                            y0: ys.clone().fold(f64::INFINITY, f64::min),
                            y1: ys.fold(f64::NEG_INFINITY, f64::max),
                        };
                        let baseline = Point::new(x, pos.y).transform(ts).y.to_pt();
                        let characters = text.text.get(glyph.range()).unwrap_or("").to_string();
                        cursor += advance;
                        if characters.is_empty() {
                            continue;
                        }
                        self.out.push(Glyph { page: self.page, block: self.current(), text: characters, area, baseline });
                    }
                }
                _ => {}
            }
        }
    }
}
