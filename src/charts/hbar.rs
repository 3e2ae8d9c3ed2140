//! Horizontal bars: categories down the left, values across, labels after the bars' ends.
//!
//! This is the kind for long category names: they wrap in a column of up to a third of the
//! chart's width, right-aligned against the plot.

use super::bars::{Group, HIDDEN_NOTE, LABEL_GAP};
use super::canvas::Canvas;
use super::frame::{LABEL_SIZE, LABEL_SIZES, MIN_PLOT, TICK_SIZE, VALUE_SIZES};
use super::palette::{AXIS, MUTED};
use super::scale::{Scale, Ticks, data_groups_thousands, nice_ticks};
use super::spec::ChartData;
use super::svg::{line, rect};
use super::text::CENTRE_DROP;
use super::text::{ASCENT, Anchor, DESCENT, LINE_PITCH, Label, Rect, Wrapped, fit_wrapped, lines_at, text_width, widest};

/// Space between the category column and the plot.
const COLUMN_GAP: f64 = 6.0;
/// The category column takes at most this share of the chart's width.
const COLUMN_SHARE: f64 = 0.32;

/// The laid-out axes of a horizontal bar chart.
struct Rows {
    /// Values to x coordinates.
    scale: Scale,
    /// The value ticks and their labels.
    ticks: Ticks,
    /// Top of the plot.
    top: f64,
    /// Height of one category row.
    slot: f64,
    /// Number of categories.
    count: usize,
}

impl Rows {
    /// The bottom of the plot.
    fn bottom(&self) -> f64 {
        self.top + self.slot * self.count as f64
    }

    /// The y of the middle of category `c`'s row.
    fn centre(&self, c: usize) -> f64 {
        self.top + (c as f64 + 0.5) * self.slot
    }
}

/// Draws a horizontal bar chart into `region`.
pub(crate) fn draw(canvas: &mut Canvas, data: &ChartData, region: Rect) -> Result<(), String> {
    canvas.use_fills(data.series.len(), "series");
    let column = widest(&data.categories, LABEL_SIZE).min(region.w * COLUMN_SHARE);
    let rows = layout(data, region, column)?;
    let categories = fit_categories(&data.categories, column, rows.slot)?;
    draw_axes(canvas, &rows);
    let group = Group::new(rows.slot, data.series.len());
    let size = VALUE_SIZES.iter().copied().find(|&size| (ASCENT + DESCENT) * size <= group.label_room);
    for (s, series) in data.series.iter().enumerate() {
        let swatch = canvas.palette.swatch(s);
        for (c, (&value, text)) in series.values.iter().zip(&series.labels).enumerate() {
            let y = rows.centre(c) + group.offset(s, data.series.len());
            let (zero, end) = (rows.scale.at(0.0), rows.scale.at(value));
            let el = rect(zero.min(end), y - group.bar / 2.0, (end - zero).abs(), group.bar)
                .attr("id", format!("bar-s{s}-c{c}"))
                .attr("fill", swatch.fill.clone())
                .opt("stroke", swatch.outline)
                .opt("stroke-width", swatch.outline.map(|_| "0.5"));
            canvas.marks.empty(el);
            if let Some(size) = size {
                let (x, anchor) = if value >= 0.0 { (end + LABEL_GAP, Anchor::Start) } else { (end - LABEL_GAP, Anchor::End) };
                canvas.label(Label::new(format!("label-s{s}-c{c}"), text.clone(), x, y + CENTRE_DROP * size, size, anchor));
            }
        }
    }
    if size.is_none() {
        canvas.notes.push(HIDDEN_NOTE.to_string());
    }
    draw_categories(canvas, &categories, &rows, region.x + column);
    let zero = rows.scale.at(0.0);
    canvas.marks.empty(line(zero, rows.top, zero, rows.bottom()).attr("id", "value-axis-zero").attr("stroke", AXIS).attr("stroke-width", "0.8"));
    Ok(())
}

/// Chooses ticks and the plot's extent so that tick labels and value labels fit.
fn layout(data: &ChartData, region: Rect, column: f64) -> Result<Rows, String> {
    let values = || data.series.iter().flat_map(|s| s.values.iter().copied());
    let (lo, hi) = (values().fold(0.0, f64::min), values().fold(0.0, f64::max));
    let reach = |negative: bool| {
        let labels = data.series.iter().flat_map(|s| s.values.iter().zip(&s.labels));
        let widths = labels.filter(|(v, _)| (**v < 0.0) == negative).map(|(_, l)| text_width(l, VALUE_SIZES[0]));
        widths.fold(None, |acc: Option<f64>, w| Some(acc.unwrap_or(0.0).max(w))).map_or(0.0, |w| w + LABEL_GAP + 1.0)
    };
    let start = region.x + column + COLUMN_GAP + reach(true);
    let band = (ASCENT + DESCENT) * TICK_SIZE + 3.0;
    let (top, bottom) = (region.y + 2.0, region.y + region.h - band);
    for intervals in (2..=8).rev() {
        let ticks = nice_ticks(lo, hi, intervals).grouping_thousands(data_groups_thousands(data));
        let labels = ticks.labels();
        let half = |i: usize| labels.get(i).map_or(0.0, |l| text_width(l, TICK_SIZE) / 2.0);
        let x0 = start.max(region.x + half(0));
        let x1 = region.x + region.w - reach(false).max(half(labels.len() - 1));
        let spacing = (x1 - x0) / (labels.len() - 1).max(1) as f64;
        if x1 - x0 >= MIN_PLOT && spacing >= widest(&labels, TICK_SIZE) + 6.0 {
            let scale = Scale { min: ticks.min(), max: ticks.max(), from: x0, to: x1 };
            let slot = (bottom - top) / data.categories.len() as f64;
            return Ok(Rows { scale, ticks, top, slot, count: data.categories.len() });
        }
    }
    Err(format!(
        "the chart is too narrow: the category names and value labels leave no room for the bars in {:.0} pt; \
         make the chart wider or the names shorter",
        region.w
    ))
}

/// Wraps the category names into the column, each within its row's height.
fn fit_categories(categories: &[String], column: f64, slot: f64) -> Result<Wrapped, String> {
    LABEL_SIZES
        .iter()
        .find_map(|&size| {
            let lines = ((slot - 2.0) / size - ASCENT - DESCENT) / LINE_PITCH + 1.0;
            (lines >= 1.0).then(|| fit_wrapped(categories, column, &[size], lines.floor() as usize)).flatten()
        })
        .ok_or_else(|| {
            format!("the {} categories do not fit: each row is only {slot:.1} pt high; make the chart taller or use fewer categories", categories.len())
        })
}

/// Draws the vertical gridlines and the tick labels under the plot.
fn draw_axes(canvas: &mut Canvas, rows: &Rows) {
    let baseline = rows.bottom() + 3.0 + ASCENT * TICK_SIZE;
    for (k, (value, text)) in rows.ticks.values().into_iter().zip(rows.ticks.labels()).enumerate() {
        let x = rows.scale.at(value);
        canvas.grid_line(format!("grid-{k}"), x, rows.top, x, rows.bottom());
        let mut label = Label::new(format!("tick-{k}"), text, x, baseline, TICK_SIZE, Anchor::Middle);
        label.fill = MUTED;
        canvas.label(label);
    }
}

/// Draws the category names right-aligned at `right`, centred on their rows.
fn draw_categories(canvas: &mut Canvas, categories: &Wrapped, rows: &Rows, right: f64) {
    let size = categories.size;
    for (c, lines) in categories.lines.iter().enumerate() {
        let height = (lines.len() as f64 - 1.0) * LINE_PITCH * size;
        let first = rows.centre(c) - height / 2.0 + CENTRE_DROP * size;
        for label in lines_at(&format!("category-{c}"), lines, right, first, size, Anchor::End) {
            canvas.label(label);
        }
    }
}
