//! Balanced columns on the last page of every section of a multi-column design — the end of
//! the document and every `new_page` — as magazines and reports set them: both columns end
//! within one line of each other instead of the left one full and the right one empty.
//!
//! Typst has no column balancing, so it is done from outside, with what a layout shows: the
//! template marks every section end (`metadata((balance: key))`, see `balance-point` in
//! `common.typ`), reportpress reads the page it falls on — the inner frame of the page (its
//! text area), the extents of everything in each column, the line pitch — and gives the
//! template, in `/balance.json`, the height of an empty full-width float to place at the
//! bottom of that page. Typst then lays the page out again with both columns that much
//! shorter. The height depends only on the page's lines (their number and the columns' top),
//! not on how they happened to be split, so a layout made with the right heights measures to
//! the same heights: watch mode starts from the last ones and lays out once more only when
//! a section's last page changed.
//!
//! A float that does not fit, or a section end that moves to another page, is given up (the
//! page stays as Typst set it), never a page added.

use std::collections::BTreeMap;

use typst::foundations::{NativeElement, Selector, Value};
use typst::introspection::{Introspector, MetadataElem};
use typst::layout::{Frame, FrameItem, Point, Transform};
use typst_layout::PagedDocument;

/// The height (pt) of the float to place at each section end, by its key.
pub type Targets = BTreeMap<String, f64>;

/// A section end as laid out.
#[derive(Debug, Clone)]
struct SectionEnd {
    key: String,
    /// 0-based page index.
    page: usize,
    /// The page's text area, as the template measured it (pt from the page's top left).
    area: TextArea,
    /// Where the section's text ends (the mark's position).
    end: f64,
    end_x: f64,
}

/// A page's text area: its top and bottom, and the middle of its width; and the design's
/// body text size and line pitch.
#[derive(Debug, Clone, Copy)]
struct TextArea {
    top: f64,
    bottom: f64,
    middle: f64,
    size: f64,
    pitch: f64,
}

/// The template's marks `metadata((<field>: key, …))`, in document order: the key, the
/// whole dictionary and where the mark is.
fn marks(paged: &PagedDocument, field: &str) -> Vec<(String, typst::foundations::Dict, typst::introspection::Location)> {
    let mut found = Vec::new();
    for content in paged.introspector().query(&Selector::Elem(MetadataElem::ELEM, None)) {
        let (Some(metadata), Some(location)) = (content.to_packed::<MetadataElem>(), content.location()) else { continue };
        let Value::Dict(dict) = &metadata.value else { continue };
        if let Ok(Value::Str(key)) = dict.get(field) {
            found.push((key.to_string(), dict.clone(), location));
        }
    }
    found
}

/// The section ends the template marked, in document order.
fn section_ends(paged: &PagedDocument) -> Vec<SectionEnd> {
    let introspector = paged.introspector();
    let mut ends = Vec::new();
    for (key, dict, location) in marks(paged, "balance") {
        let Some(Value::Dict(area)) = dict.get("area").ok() else { continue };
        let number = |name: &str| match area.get(name).ok() {
            Some(Value::Float(v)) => Some(*v),
            Some(Value::Int(v)) => Some(*v as f64),
            _ => None,
        };
        let (Some(top), Some(bottom), Some(middle), Some(size), Some(pitch)) =
            (number("top"), number("bottom"), number("middle"), number("size"), number("pitch"))
        else {
            continue;
        };
        let Some(position) = introspector.position(location) else { continue };
        ends.push(SectionEnd {
            key,
            page: position.page.get() - 1,
            area: TextArea { top, bottom, middle, size, pitch },
            end: position.point.y.to_pt(),
            end_x: position.point.x.to_pt(),
        });
    }
    ends
}

/// Where the things of one column of a page lie.
#[derive(Debug, Clone, Copy)]
struct Extent {
    top: f64,
    bottom: f64,
}

impl Extent {
    fn add(extent: &mut Option<Extent>, top: f64, bottom: f64) {
        match extent {
            Some(e) => {
                e.top = e.top.min(top);
                e.bottom = e.bottom.max(bottom);
            }
            None => *extent = Some(Extent { top, bottom }),
        }
    }
}

/// Something drawn on the page, with its box and, for text, its baseline and size.
struct Mark {
    x0: f64,
    x1: f64,
    y0: f64,
    y1: f64,
    /// A picture (a photo, a chart's drawing): never split.
    image: bool,
    /// The text size, for text.
    size: Option<f64>,
}

/// What the columns of a section's last page hold: each column's extent, the line pitch, the
/// text size.
#[derive(Debug, Default)]
struct PageColumns {
    /// The text area's bottom (pt from the page's top).
    bottom: f64,
    left: Option<Extent>,
    right: Option<Extent>,
    /// The design's body text size and line pitch.
    size: f64,
    pitch: f64,
    /// Where the section's text ends, and whether in the right column.
    end: f64,
    ends_right: bool,
    /// The height of the tallest figure in the columns: a picture and its caption.
    picture: f64,
}

/// Reads the columns of the page `frame` at the section end `end`. Only the text area
/// counts (not the running head or the folio), and of it only what lies between the
/// full-width things above and below the section's end (a title, a wide figure or table).
fn page_columns(frame: &Frame, end: &SectionEnd, notes: &[(usize, f64, f64)]) -> PageColumns {
    let mut marks = Vec::new();
    collect(frame, Transform::identity(), &mut marks);
    let area = end.area;
    // The notes at a column's foot (and the rule above them, a line higher) are not its text.
    let notes_top = |left: bool| {
        notes.iter().filter(|(page, x, _)| *page == end.page && (*x <= area.middle) == left).map(|(_, _, y)| y - end.area.pitch).fold(f64::INFINITY, f64::min)
    };
    let (notes_left, notes_right) = (notes_top(true), notes_top(false));
    marks.retain(|m| m.y0 < if m.x1 <= area.middle + 1.0 { notes_left } else { notes_right });
    let inside = |m: &Mark| (m.y0 + m.y1) / 2.0 >= area.top - 0.5 && (m.y0 + m.y1) / 2.0 <= area.bottom + 0.5;
    let spans = |m: &Mark| m.x0 < area.middle - 1.0 && m.x1 > area.middle + 1.0;
    let above = marks.iter().filter(|m| inside(m) && spans(m) && m.y1 <= end.end + 0.5).map(|m| m.y1).fold(area.top, f64::max);
    let below = marks.iter().filter(|m| inside(m) && spans(m) && m.y0 >= end.end - 0.5).map(|m| m.y0).fold(area.bottom, f64::min);
    let ends_right = end.end_x > area.middle;
    let mut columns = PageColumns { bottom: below, size: area.size, pitch: area.pitch, end: end.end, ends_right, ..PageColumns::default() };
    for mark in marks.iter().filter(|m| inside(m) && !spans(m) && m.y0 >= above - 0.5 && m.y1 <= below + 0.5) {
        if mark.x1 <= area.middle + 1.0 {
            Extent::add(&mut columns.left, mark.y0, mark.y1);
        } else {
            Extent::add(&mut columns.right, mark.y0, mark.y1);
        }
    }
    // The tallest figure: a picture with what follows it down to the next line of body text
    // (its labels, caption and source note, set smaller).
    let in_columns: Vec<&Mark> = marks.iter().filter(|m| inside(m) && !spans(m) && m.y0 >= above - 0.5 && m.y1 <= below + 0.5).collect();
    for picture in in_columns.iter().filter(|m| m.image) {
        let left = picture.x1 <= area.middle + 1.0;
        let mut after: Vec<&&Mark> = in_columns.iter().filter(|m| (m.x1 <= area.middle + 1.0) == left && m.y0 >= picture.y1 - 1.0).collect();
        after.sort_by(|a, b| a.y0.total_cmp(&b.y0));
        // (Close under the picture, and no further than three lines: a reference list set
        // small after a figure is not its caption.)
        let mut bottom = picture.y1;
        for mark in after {
            let body_text = mark.size.is_some_and(|size| (size - area.size).abs() < 0.1);
            if body_text || mark.y0 > bottom + area.pitch * 0.8 || mark.y1 > picture.y1 + area.pitch * 3.0 {
                break;
            }
            bottom = bottom.max(mark.y1);
        }
        columns.picture = columns.picture.max(bottom - picture.y0);
    }
    columns
}

/// Everything drawn in `frame`, in page coordinates.
fn collect(frame: &Frame, ts: Transform, marks: &mut Vec<Mark>) {
    let corners = |a: Point, b: Point| {
        let (a, b) = (a.transform(ts), b.transform(ts));
        (a.x.to_pt().min(b.x.to_pt()), a.x.to_pt().max(b.x.to_pt()), a.y.to_pt().min(b.y.to_pt()), a.y.to_pt().max(b.y.to_pt()))
    };
    for (pos, item) in frame.items() {
        let image = matches!(item, FrameItem::Image(..));
        let size = if let FrameItem::Text(text) = item { Some(text.size.to_pt()) } else { None };
        let (x0, x1, y0, y1) = match item {
            FrameItem::Group(group) => {
                // Turned things (the proof's 校样 across the page) are no column's.
                if !group.transform.kx.is_zero() || !group.transform.ky.is_zero() {
                    continue;
                }
                collect(&group.frame, ts.pre_concat(Transform::translate(pos.x, pos.y)).pre_concat(group.transform), marks);
                continue;
            }
            FrameItem::Text(text) => {
                let size = text.size;
                corners(Point::new(pos.x, pos.y - size * 0.88), Point::new(pos.x + text.width(), pos.y + size * 0.12))
            }
            FrameItem::Image(_, size, _) => corners(*pos, *pos + size.to_point()),
            FrameItem::Shape(shape, _) => {
                let rect = shape.bbox(true);
                corners(*pos + rect.min, *pos + rect.max)
            }
            _ => continue,
        };
        marks.push(Mark { x0, x1, y0, y1, image, size });
    }
}

impl PageColumns {
    /// The height of the float that balances this page, if it needs one (`None`: one column,
    /// too little text, or already level).
    fn target(&self) -> Option<f64> {
        let left = self.left?;
        let (size, pitch) = (self.size, self.pitch);
        // A column of m lines is m pitches high less the leading after its last line.
        let gap = pitch - size;
        let top = self.right.map_or(left.top, |r| r.top.min(left.top));
        // Each column's lines, counted from the columns' common top.
        let used = |e: Extent| e.bottom - top + gap;
        let total = used(left) + self.right.map_or(0.0, used);
        let lines = (total / pitch - 0.05).ceil();
        // Three lines or fewer (a heading and a line or two): nothing to share out.
        if lines < 4.0 {
            return None;
        }
        // Level already: the columns end within one line of each other.
        if let Some(right) = self.right
            && (left.bottom - right.bottom).abs() <= pitch + 1.0
        {
            return None;
        }
        let half = (lines / 2.0).ceil();
        // Typst places the float on this page only if it takes at most half of what the
        // columns have left where the section ends: keep the float within that.
        let fits = if self.ends_right { (self.bottom + self.end) / 2.0 } else { (top + self.end) / 2.0 };
        // A figure is not split: the columns are at least as tall as the tallest one, with
        // the space a design keeps around it (about a line above and below, to whole lines).
        let picture = if self.picture > 0.0 { top + ((self.picture + 2.0 * pitch) / pitch).ceil() * pitch } else { 0.0 };
        let bottom = (top + half * pitch - gap).max(fits).max(picture) + 0.5;
        let height = self.bottom - bottom;
        (height >= pitch * 0.5).then_some(height)
    }
}

/// What one layout shows of every section end on a multi-column page: its columns, and the
/// page its float (if it was given one) landed on.
struct Measured {
    page: usize,
    columns: PageColumns,
    float_page: Option<usize>,
}

impl Measured {
    /// How far the columns are from level: the difference of their ends, or the height of
    /// the one that holds everything.
    fn badness(&self) -> f64 {
        match (self.columns.left, self.columns.right) {
            (Some(l), Some(r)) => (l.bottom - r.bottom).abs(),
            (Some(e), None) | (None, Some(e)) => e.bottom - e.top,
            (None, None) => 0.0,
        }
    }

    /// How far the columns' content reaches below where a float of `height` ends them: a
    /// figure taller than the columns runs over (Typst sets it anyway, over what follows).
    fn overrun(&self, height: f64) -> f64 {
        let end = self.columns.bottom - height;
        let lowest = [self.columns.left, self.columns.right].iter().flatten().map(|e| e.bottom).fold(f64::NEG_INFINITY, f64::max);
        lowest - end
    }

    /// Whether the float given for this section stands on the page where the section ends
    /// (otherwise Typst moved it on, or the text ran past it onto another page).
    fn float_in_place(&self) -> bool {
        self.float_page.is_none_or(|page| page == self.page)
    }
}

/// Every section end of `paged` on a page with columns, by key (two ends on one page: the
/// page belongs to the last).
fn measure(paged: &PagedDocument) -> BTreeMap<String, Measured> {
    let pages = paged.pages();
    let floats = float_pages(paged);
    let introspector = paged.introspector();
    let notes: Vec<(usize, f64, f64)> = marks(paged, "footnote-entry")
        .into_iter()
        .filter_map(|(_, _, location)| {
            let position = introspector.position(location)?;
            Some((position.page.get() - 1, position.point.x.to_pt(), position.point.y.to_pt()))
        })
        .collect();
    let mut out = BTreeMap::new();
    let mut seen = std::collections::HashSet::new();
    let ends = section_ends(paged);
    for end in ends.iter().rev() {
        if !seen.insert(end.page) {
            continue;
        }
        let Some(page) = pages.get(end.page) else { continue };
        let columns = page_columns(&page.frame, end, &notes);
        out.insert(end.key.clone(), Measured { page: end.page, columns, float_page: floats.get(&end.key).copied() });
    }
    out
}

/// The page each balancing float landed on, by its section's key (the template marks the
/// float's content with `metadata((balance-float: key))`).
fn float_pages(paged: &PagedDocument) -> BTreeMap<String, usize> {
    let introspector = paged.introspector();
    marks(paged, "balance-float").into_iter().filter_map(|(key, _, location)| Some((key, introspector.page(location)?.get() - 1))).collect()
}

/// Lays the book out with balanced last pages: `compile` lays it out with the given float
/// heights. First without floats; then with the floats the measured pages call for. A page
/// where that did not work gets another height, twice at most: one line more per column
/// when the text ran past the page (widow and orphan rules), as tall as a figure that ran
/// over the columns' end, or the columns' difference shared out when a heading kept with
/// its text left them uneven; a page that is still no better than without a float keeps no
/// float. Returns the layout, the floats it was made with and the number of layouts made
/// (2 in the common case).
pub fn balance<T, E>(mut compile: impl FnMut(&Targets) -> Result<T, E>, paged: impl Fn(&T) -> &PagedDocument) -> Result<(T, Targets, usize), E> {
    let none = Targets::new();
    let plain = compile(&none)?;
    let first = measure(paged(&plain));
    let mut current: Targets = first.iter().filter_map(|(key, m)| m.columns.target().map(|h| (key.clone(), h))).collect();
    if current.is_empty() {
        return Ok((plain, none, 1));
    }
    let mut layout = compile(&current)?;
    let mut passes = 2;
    let plain_pages = paged(&plain).pages().len();
    for round in 0..3 {
        let after = measure(paged(&layout));
        let mut next = Targets::new();
        for (key, &height) in &current {
            let (Some(before), Some(now)) = (first.get(key), after.get(key)) else { continue };
            let pitch = before.columns.pitch;
            let last_round = round == 2;
            let height = if !now.float_in_place() {
                if last_round { continue } else { height - pitch }
            } else if now.overrun(height) > 1.0 {
                // (A line more than the overrun: the figure may move to the other column,
                // whose top differs.)
                if last_round { continue } else { height - now.overrun(height) - pitch }
            } else if let (Some(left), Some(right)) = (now.columns.left, now.columns.right)
                && (left.bottom - right.bottom).abs() >= 2.0 * pitch
                && (left.bottom - right.bottom).abs() > now.columns.picture + pitch
                && round == 0
            {
                // Uneven by whole lines (a heading moved to the next column with its text):
                // share the difference out. (Less than two lines apart: what is left over is a
                // paragraph that moves only as a whole.)
                let lines = ((left.bottom - right.bottom).abs() / pitch / 2.0).floor();
                height + (left.bottom - right.bottom).signum() * lines * pitch
            } else if now.badness() >= before.badness() - 0.5 {
                // (A figure taller than the difference makes it as level as it gets.)
                continue;
            } else {
                height
            };
            if height >= pitch * 0.5 {
                next.insert(key.clone(), height);
            }
        }
        if next == current {
            break;
        }
        if next.is_empty() {
            return Ok((plain, none, passes));
        }
        current = next;
        layout = compile(&current)?;
        passes += 1;
    }
    // A balancing float that found no room where its section ends (beside the section's own
    // floats) and went on to a page of its own, empty but for it, after every round: the
    // columns stay as they fell.
    if paged(&layout).pages().len() > plain_pages {
        return Ok((plain, none, passes));
    }
    Ok((layout, current, passes))
}
