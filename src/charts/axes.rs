//! The axes of vertical charts (columns and lines): categories across, values up.
//!
//! Layout runs in a fixed order so nothing depends on itself: round ticks first, then the
//! width of the tick labels decides where the plot starts, which gives the width of a
//! category slot, which decides how category labels wrap and what room the value labels
//! need; only then is the height of the plot known.

use super::canvas::Canvas;
use super::frame::{LABEL_SIZES, MIN_PLOT, TICK_SIZE};
use super::palette::{AXIS, MUTED};
use super::scale::{Scale, Ticks, nice_ticks};
use super::svg::line;
pub(crate) use super::text::CENTRE_DROP;
use super::text::{ASCENT, Anchor, DESCENT, Label, Rect, Wrapped, fit_wrapped, lines_at, widest};

/// Space between tick labels and the plot.
const TICK_GAP: f64 = 4.0;
/// Space between the plot (or the value labels under it) and the category labels.
const CATEGORY_GAP: f64 = 4.0;

/// Room the value labels need beyond the plot's extreme ticks.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Room {
    /// Above the highest tick.
    pub head: f64,
    /// Below the lowest tick.
    pub foot: f64,
}

/// The laid-out axes of a vertical chart.
#[derive(Debug, Clone)]
pub(crate) struct Columns {
    /// Left edge of the plot.
    pub x0: f64,
    /// Width of one category slot.
    pub slot: f64,
    /// Number of categories.
    pub count: usize,
    /// The value ticks.
    pub ticks: Ticks,
    /// Tick labels as printed.
    tick_labels: Vec<String>,
    /// Values to y coordinates.
    pub scale: Scale,
    /// Category labels, wrapped.
    categories: Wrapped,
    /// Top of the category labels' box.
    category_top: f64,
}

impl Columns {
    /// The x of the centre of category `c`.
    pub fn centre(&self, c: usize) -> f64 {
        self.x0 + (c as f64 + 0.5) * self.slot
    }

    /// The right edge of the plot.
    pub fn x1(&self) -> f64 {
        self.x0 + self.count as f64 * self.slot
    }

    /// The y of `value`.
    pub fn y(&self, value: f64) -> f64 {
        self.scale.at(value)
    }

    /// The y of the highest tick.
    pub fn top(&self) -> f64 {
        self.scale.to
    }

    /// The y of the lowest tick.
    pub fn bottom(&self) -> f64 {
        self.scale.from
    }

    /// Draws gridlines, tick labels and category labels.
    pub fn draw_axes(&self, canvas: &mut Canvas) {
        for (k, (value, text)) in self.ticks.values().into_iter().zip(&self.tick_labels).enumerate() {
            let y = self.y(value);
            canvas.grid_line(format!("grid-{k}"), self.x0, y, self.x1(), y);
            let mut label = Label::new(format!("tick-{k}"), text.clone(), self.x0 - TICK_GAP, y + CENTRE_DROP * TICK_SIZE, TICK_SIZE, Anchor::End);
            label.fill = MUTED;
            canvas.label(label);
        }
        let size = self.categories.size;
        for (c, lines) in self.categories.lines.iter().enumerate() {
            let id = format!("category-{c}");
            for label in lines_at(&id, lines, self.centre(c), self.category_top + ASCENT * size, size, Anchor::Middle) {
                canvas.label(label);
            }
        }
    }

    /// Draws the line at value 0 (call after the marks so it lies on top of the bars' feet).
    pub fn draw_zero_line(&self, canvas: &mut Canvas) {
        let y = self.y(0.0);
        canvas.marks.empty(line(self.x0, y, self.x1(), y).attr("id", "value-axis-zero").attr("stroke", AXIS).attr("stroke-width", "0.8"));
    }
}

/// Lays out the axes of a vertical chart in `region` for values in `range`.
///
/// `room` tells, for a slot width, how much space the value labels need above and below the
/// plot. Tick labels get `%` appended when `percent` is set, and group thousands with commas
/// when `grouped` is. Fewer ticks are tried when the plot turns out too short for the first
/// choice.
pub(crate) fn columns(
    region: Rect,
    categories: &[String],
    range: (f64, f64),
    (percent, grouped): (bool, bool),
    room: &dyn Fn(f64) -> Room,
) -> Result<Columns, String> {
    let first = ((region.h / 30.0).floor() as usize).clamp(3, 8);
    for intervals in (2..=first).rev() {
        let columns = layout(region, categories, range, (percent, grouped), intervals, room)?;
        let spacing = (columns.bottom() - columns.top()) / (columns.tick_labels.len() - 1).max(1) as f64;
        if spacing >= (ASCENT + DESCENT) * TICK_SIZE + 2.0 {
            return Ok(columns);
        }
    }
    Err(format!("the chart is too small: the plot is only {:.0} pt high; make the chart taller", region.h))
}

/// One attempt at the layout with at most `intervals` tick intervals.
fn layout(
    region: Rect,
    categories: &[String],
    range: (f64, f64),
    (percent, grouped): (bool, bool),
    intervals: usize,
    room: &dyn Fn(f64) -> Room,
) -> Result<Columns, String> {
    let ticks = nice_ticks(range.0, range.1, intervals).grouping_thousands(grouped);
    let tick_labels: Vec<String> = ticks.labels().into_iter().map(|t| if percent { format!("{t}%") } else { t }).collect();
    let x0 = region.x + widest(&tick_labels, TICK_SIZE) + TICK_GAP + 1.0;
    let count = categories.len();
    let slot = (region.x + region.w - 2.0 - x0) / count as f64;
    let wrapped = fit_categories(categories, slot, region.w)?;
    let room = room(slot);
    let top = region.y + room.head.max(0.6 * TICK_SIZE);
    let category_top = region.y + region.h - wrapped.height();
    let bottom = category_top - CATEGORY_GAP - room.foot.max(0.5 * TICK_SIZE);
    if bottom - top < MIN_PLOT {
        return Err(format!("the chart is too small: after labels only {:.0} pt are left for the bars; make the chart taller", (bottom - top).max(0.0)));
    }
    let scale = Scale { min: ticks.min(), max: ticks.max(), from: bottom, to: top };
    Ok(Columns { x0, slot, count, ticks, tick_labels, scale, categories: wrapped, category_top })
}

/// Wraps the category labels into their slots, shrinking them when needed.
fn fit_categories(categories: &[String], slot: f64, width: f64) -> Result<Wrapped, String> {
    let room = slot - 4.0;
    fit_wrapped(categories, room, &LABEL_SIZES, 3).or_else(|| fit_wrapped(categories, room, &[6.0], 8)).ok_or_else(|| {
        format!(
            "the {} category labels do not fit across a plot {width:.0} pt wide; \
                 use a horizontal bar chart (hbar), fewer categories or a wider chart",
            categories.len()
        )
    })
}
