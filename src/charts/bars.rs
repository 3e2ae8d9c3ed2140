//! Vertical bars: single or grouped series side by side, stacked, and 100 % stacked.
//!
//! Grouped bars carry their value label beyond the bar's end, horizontally when it fits the
//! bar's share of the slot, else turned to read upwards, else not at all (with a note).
//! Stacked bars carry labels inside the segments that can hold them, and beside the bar,
//! joined by a short leader, for segments too thin to hold theirs.

use super::axes::{CENTRE_DROP, Columns, Room, columns};
use super::canvas::Canvas;
use super::frame::VALUE_SIZES;
use super::palette::{AXIS, BACKGROUND};
use super::scale::data_groups_thousands;
use super::spec::ChartData;
use super::spec::ChartKind;
use super::spec::share;
use super::svg::{El, PathData, rect};
use super::text::{ASCENT, Anchor, DESCENT, Label, Rect, spread, text_width};

/// Space between a bar's end and its label.
pub(crate) const LABEL_GAP: f64 = 2.0;
/// The widest a single bar gets, however wide its slot.
const MAX_BAR: f64 = 48.0;
/// Space between a bar and a label set beside it.
const BESIDE_GAP: f64 = 3.5;
/// The widest one bar of a group gets.
const MAX_GROUPED_BAR: f64 = 32.0;

/// Draws a vertical bar chart of `kind` into `region`.
pub(crate) fn draw(canvas: &mut Canvas, kind: ChartKind, data: &ChartData, region: Rect) -> Result<(), String> {
    canvas.use_fills(data.series.len(), "series");
    match kind {
        ChartKind::StackedBar => draw_stacked(canvas, data, region, false),
        ChartKind::PercentBar => draw_stacked(canvas, data, region, true),
        _ => draw_grouped(canvas, data, region),
    }
}

/// Where bars sit in a category slot.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Group {
    /// Distance between the centres of neighbouring bars of one group.
    pub pitch: f64,
    /// Thickness of one bar.
    pub bar: f64,
    /// Widest a value label may be without touching its neighbours.
    pub label_room: f64,
}

impl Group {
    /// The bars of `series` series in a slot of width `slot`.
    pub fn new(slot: f64, series: usize) -> Self {
        if series == 1 {
            let bar = (slot * 0.6).min(MAX_BAR);
            return Group { pitch: bar, bar, label_room: slot - 3.0 };
        }
        let pitch = (slot * 0.8 / series as f64).min(MAX_GROUPED_BAR);
        Group { pitch, bar: pitch - (pitch * 0.15).min(1.5), label_room: pitch - 0.5 }
    }

    /// Offset of bar `s`'s centre from the slot's centre, for `series` bars.
    pub fn offset(&self, s: usize, series: usize) -> f64 {
        (s as f64 - (series as f64 - 1.0) / 2.0) * self.pitch
    }
}

/// How value labels beyond the bars' ends are set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Outside {
    /// Horizontal text at this size.
    Across(f64),
    /// Text turned to read upwards, at this size.
    Upright(f64),
    /// No labels: they fit neither way.
    Hidden,
}

impl Outside {
    /// Chooses the largest size at which every label fits `room` across, or else turned.
    pub fn plan<'a>(labels: impl Iterator<Item = &'a String> + Clone, room: f64) -> Outside {
        let fits = |size: f64| labels.clone().all(|l| text_width(l, size) <= room);
        if let Some(&size) = VALUE_SIZES.iter().find(|&&size| fits(size)) {
            return Outside::Across(size);
        }
        match VALUE_SIZES.iter().find(|&&size| (ASCENT + DESCENT) * size <= room) {
            Some(&size) => Outside::Upright(size),
            None => Outside::Hidden,
        }
    }

    /// How far the labels reach beyond the bar's end.
    pub fn extent<'a>(&self, labels: impl Iterator<Item = &'a String>) -> f64 {
        match *self {
            Outside::Across(size) => (ASCENT + DESCENT) * size + LABEL_GAP,
            Outside::Upright(size) => labels.map(|l| text_width(l, size)).fold(0.0, f64::max) + LABEL_GAP,
            Outside::Hidden => 0.0,
        }
    }

    /// The label for a bar centred at `x` whose end is at `end`, going up when `up`.
    pub fn label(&self, id: String, text: &str, x: f64, end: f64, up: bool) -> Option<Label> {
        match *self {
            Outside::Across(size) => {
                let y = if up { end - LABEL_GAP - DESCENT * size } else { end + LABEL_GAP + ASCENT * size };
                Some(Label::new(id, text, x, y, size, Anchor::Middle))
            }
            Outside::Upright(size) => {
                let (y, anchor) = if up { (end - LABEL_GAP, Anchor::Start) } else { (end + LABEL_GAP, Anchor::End) };
                let mut label = Label::new(id, text, x + CENTRE_DROP * size, y, size, anchor);
                label.vertical = true;
                Some(label)
            }
            Outside::Hidden => None,
        }
    }
}

/// The note left when value labels do not fit.
pub(crate) const HIDDEN_NOTE: &str = "the value labels were left out because they do not fit beside the bars; widen the chart or use fewer categories";

/// Bars of one or more series side by side, labels beyond the ends.
fn draw_grouped(canvas: &mut Canvas, data: &ChartData, region: Rect) -> Result<(), String> {
    let values = || data.series.iter().flat_map(|s| s.values.iter().copied());
    let range = (values().fold(0.0, f64::min), values().fold(0.0, f64::max));
    let labels = || data.series.iter().flat_map(|s| s.labels.iter());
    let plan = |slot: f64| Outside::plan(labels(), Group::new(slot, data.series.len()).label_room);
    let room = |slot: f64| {
        let extent = plan(slot).extent(labels());
        Room { head: if range.1 > 0.0 { extent } else { 0.0 }, foot: if range.0 < 0.0 { extent } else { 0.0 } }
    };
    let cols = columns(region, &data.categories, range, (false, data_groups_thousands(data)), &room)?;
    cols.draw_axes(canvas);
    let group = Group::new(cols.slot, data.series.len());
    let outside = plan(cols.slot);
    for (s, series) in data.series.iter().enumerate() {
        let swatch = canvas.palette.swatch(s);
        for (c, (&value, text)) in series.values.iter().zip(&series.labels).enumerate() {
            let x = cols.centre(c) + group.offset(s, data.series.len());
            let (zero, end) = (cols.y(0.0), cols.y(value));
            let el = rect(x - group.bar / 2.0, zero.min(end), group.bar, (zero - end).abs())
                .attr("id", format!("bar-s{s}-c{c}"))
                .attr("fill", swatch.fill.clone())
                .opt("stroke", swatch.outline)
                .opt("stroke-width", swatch.outline.map(|_| "0.5"));
            canvas.marks.empty(el);
            if let Some(label) = outside.label(format!("label-s{s}-c{c}"), text, x, end, value >= 0.0) {
                canvas.label(label);
            }
        }
    }
    if outside == Outside::Hidden {
        canvas.notes.push(HIDDEN_NOTE.to_string());
    }
    cols.draw_zero_line(canvas);
    Ok(())
}

/// Stacked bars; with `percent`, every category's stack is scaled to 100 %.
fn draw_stacked(canvas: &mut Canvas, data: &ChartData, region: Rect, percent: bool) -> Result<(), String> {
    let stacks = Stacks::new(data, percent);
    let range = if percent { (0.0, 100.0) } else { stacks.range() };
    let room = |_slot: f64| Room { head: LABEL_GAP, foot: LABEL_GAP };
    let cols = columns(region, &data.categories, range, (percent, !percent && data_groups_thousands(data)), &room)?;
    cols.draw_axes(canvas);
    let bar = (cols.slot * 0.6).min(MAX_BAR);
    let mut beside: Vec<Vec<Beside>> = vec![Vec::new(); data.categories.len()];
    for (s, series) in data.series.iter().enumerate() {
        for (c, column) in beside.iter_mut().enumerate() {
            let (y0, y1) = (cols.y(stacks.segments[s][c].0), cols.y(stacks.segments[s][c].1));
            let segment = Rect { x: cols.centre(c) - bar / 2.0, y: y0.min(y1), w: bar, h: (y0 - y1).abs() };
            let text = if percent { share(series.values[c], stacks.totals[c]) } else { series.labels[c].clone() };
            column.extend(draw_segment(canvas, (s, c), segment, text));
        }
    }
    let mut left_out = 0;
    for (c, items) in beside.iter().enumerate() {
        let right = cols.centre(c) + bar / 2.0;
        // The last bar's labels may use the chart's right margin.
        let room = if c + 1 == beside.len() { canvas.width - 2.0 - right } else { cols.slot - bar - 4.0 };
        if !label_beside(canvas, &cols, c, right, room, items) {
            left_out += items.len();
        }
    }
    if left_out > 0 {
        canvas.notes.push(format!(
            "{left_out} value labels were left out because their segments are too small to hold them \
             and there is no room beside the bars; the values are in the text alternative"
        ));
    }
    cols.draw_zero_line(canvas);
    Ok(())
}

/// Draws the segment of series `s` in category `c` with its label inside, or returns the
/// label to be set beside the bar when the segment cannot hold it.
fn draw_segment(canvas: &mut Canvas, (s, c): (usize, usize), segment: Rect, text: String) -> Option<Beside> {
    let swatch = canvas.palette.swatch(s);
    let el = rect(segment.x, segment.y, segment.w, segment.h)
        .attr("id", format!("bar-s{s}-c{c}"))
        .attr("fill", swatch.fill.clone())
        .attr("stroke", swatch.outline.unwrap_or(BACKGROUND))
        .attr("stroke-width", "0.5");
    canvas.marks.empty(el);
    match inside_label(format!("label-in-s{s}-c{c}"), &text, segment) {
        Some(mut label) => {
            label.fill = swatch.label;
            if swatch.backed {
                canvas.backed_label(label)
            } else {
                canvas.label(label)
            }
            None
        }
        None if segment.h > 0.0 => Some(Beside { series: s, middle: segment.y + segment.h / 2.0, text }),
        None => None,
    }
}

/// A stack segment too small for its label, which goes beside the bar instead.
#[derive(Debug, Clone)]
struct Beside {
    /// The segment's series.
    series: usize,
    /// The y of the segment's middle.
    middle: f64,
    /// The label text.
    text: String,
}

/// Sets the labels of category `c`'s small segments in a column right of the bar (whose right
/// edge is at `right`), spread apart vertically and joined to their segments by short leaders.
/// Returns false (drawing nothing) when they do not fit in `room` across or in the plot's height.
fn label_beside(canvas: &mut Canvas, cols: &Columns, c: usize, right: f64, room: f64, items: &[Beside]) -> bool {
    if items.is_empty() {
        return true;
    }
    let Some(size) = VALUE_SIZES.iter().copied().find(|&size| items.iter().all(|i| text_width(&i.text, size) + BESIDE_GAP <= room)) else {
        return false;
    };
    let height = (ASCENT + DESCENT) * size;
    let mut order: Vec<&Beside> = items.iter().collect();
    order.sort_by(|a, b| a.middle.total_cmp(&b.middle));
    let wanted: Vec<f64> = order.iter().map(|i| i.middle).collect();
    let Some(ys) = spread(&wanted, height + 0.5, cols.top() + height / 2.0, cols.bottom() - height / 2.0) else {
        return false;
    };
    for (item, y) in order.into_iter().zip(ys) {
        let (s, x) = (item.series, right + BESIDE_GAP);
        // A label level with its segment needs no leader (and a dash before "-2" would misread).
        if (y - item.middle).abs() > 0.5 {
            let leader = PathData::default().move_to(right + 0.5, item.middle).line_to(x - 1.0, y);
            let el = El::new("path").attr("id", format!("leader-s{s}-c{c}")).attr("d", leader.finish());
            canvas.marks.empty(el.attr("fill", "none").attr("stroke", AXIS).attr("stroke-width", "0.5"));
        }
        canvas.label(Label::new(format!("label-s{s}-c{c}"), item.text.clone(), x, y + CENTRE_DROP * size, size, Anchor::Start));
    }
    true
}

/// A label centred in `segment` at the largest size that fits inside it, if any does.
pub(crate) fn inside_label(id: String, text: &str, segment: Rect) -> Option<Label> {
    let size = VALUE_SIZES.iter().copied().find(|&size| text_width(text, size) <= segment.w - 3.0 && (ASCENT + DESCENT) * size <= segment.h - 1.0)?;
    let y = segment.y + segment.h / 2.0 + CENTRE_DROP * size;
    Some(Label::new(id, text, segment.x + segment.w / 2.0, y, size, Anchor::Middle))
}

/// The extents of stacked segments: positive values stack up from 0, negative ones down.
struct Stacks {
    /// `segments[s][c]` = (start, end) of series `s` in category `c`.
    segments: Vec<Vec<(f64, f64)>>,
    /// Sum of the values of each category (for shares).
    totals: Vec<f64>,
}

impl Stacks {
    /// Stacks the series of `data`, as shares of each category's total when `percent`.
    fn new(data: &ChartData, percent: bool) -> Self {
        let count = data.categories.len();
        let totals: Vec<f64> = (0..count).map(|c| data.series.iter().map(|s| s.values[c]).sum()).collect();
        let mut up = vec![0.0; count];
        let mut down = vec![0.0; count];
        let segments = data
            .series
            .iter()
            .map(|series| {
                (0..count)
                    .map(|c| {
                        let value = if percent { series.values[c] / totals[c] * 100.0 } else { series.values[c] };
                        let base = if value >= 0.0 { &mut up[c] } else { &mut down[c] };
                        let start = *base;
                        *base += value;
                        (start, *base)
                    })
                    .collect()
            })
            .collect();
        Stacks { segments, totals }
    }

    /// The lowest and highest stack ends, 0 included.
    fn range(&self) -> (f64, f64) {
        let ends = self.segments.iter().flatten().map(|&(_, end)| end);
        (ends.clone().fold(0.0, f64::min), ends.fold(0.0, f64::max))
    }
}
