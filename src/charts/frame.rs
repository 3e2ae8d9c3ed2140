//! The frame around the plot: title, legend and unit line at the top, source note at the
//! bottom. What is left in between is the region each kind of chart draws into.

use super::canvas::Canvas;
use super::palette::{self, LineStyle, MUTED, Swatch};
use super::spec::{ChartData, ChartKind, ChartOptions};
use super::svg::{line, rect};
use super::text::CENTRE_DROP;
use super::text::{self, ASCENT, Anchor, DESCENT, LINE_PITCH, Rect, block_height, lines_at, widest, wrap};

/// Margin around the chart, in pt.
pub(crate) const PAD: f64 = 8.0;
/// Title size.
pub(crate) const TITLE_SIZE: f64 = 10.5;
/// Size of category labels and legend entries.
pub(crate) const LABEL_SIZE: f64 = 8.0;
/// Size of tick labels and the unit line.
pub(crate) const TICK_SIZE: f64 = 7.5;
/// Size of the source note.
pub(crate) const SOURCE_SIZE: f64 = 7.0;
/// Sizes tried, largest first, for category labels that do not fit.
pub(crate) const LABEL_SIZES: [f64; 5] = [8.0, 7.5, 7.0, 6.5, 6.0];
/// Sizes tried, largest first, for value labels that do not fit.
pub(crate) const VALUE_SIZES: [f64; 4] = [7.5, 7.0, 6.5, 6.0];
/// The smallest plot the layout accepts, in pt.
pub(crate) const MIN_PLOT: f64 = 40.0;

/// Width of a fill key in the legend.
const FILL_KEY: f64 = 8.0;
/// Width of a line key in the legend.
const LINE_KEY: f64 = 18.0;
/// Space between a key and its text.
const KEY_GAP: f64 = 3.0;
/// Space between two legend entries on one row.
const ITEM_GAP: f64 = 12.0;

/// The key drawn before a legend entry.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum LegendKey {
    /// A filled square, for bars and slices.
    Fill(Swatch),
    /// A short line with its marker.
    Line(LineStyle),
}

impl LegendKey {
    /// Width of the key drawing.
    fn width(&self) -> f64 {
        match self {
            LegendKey::Fill(_) => FILL_KEY,
            LegendKey::Line(_) => LINE_KEY,
        }
    }
}

/// One legend entry.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LegendItem {
    /// The key.
    pub key: LegendKey,
    /// The series or category name.
    pub text: String,
}

/// The legend of a chart: the categories of a pie, the series of a chart with several.
pub(crate) fn legend_items(kind: ChartKind, data: &ChartData, palette: &palette::Palette) -> Vec<LegendItem> {
    if kind.is_circular() {
        let fill = |(i, name): (usize, &String)| LegendItem { key: LegendKey::Fill(palette.swatch(i)), text: name.clone() };
        return data.categories.iter().enumerate().map(fill).collect();
    }
    if data.series.len() < 2 {
        return Vec::new();
    }
    let key = |i: usize| match kind {
        ChartKind::Line => LegendKey::Line(palette.line_style(i)),
        _ => LegendKey::Fill(palette.swatch(i)),
    };
    data.series.iter().enumerate().map(|(i, s)| LegendItem { key: key(i), text: s.name.clone() }).collect()
}

/// Draws title, legend, unit line and source note, and returns the region left for the plot.
pub(crate) fn draw(canvas: &mut Canvas, options: &ChartOptions, legend: &[LegendItem]) -> Result<Rect, String> {
    let inner = options.width - 2.0 * PAD;
    let mut top = PAD;
    if options.draw_title && !options.title.trim().is_empty() {
        let title = wrap(&options.title, inner, TITLE_SIZE);
        for mut label in lines_at("title", &title, options.width / 2.0, top + ASCENT * TITLE_SIZE, TITLE_SIZE, Anchor::Middle) {
            label.bold = true;
            canvas.label(label);
        }
        top += block_height(title.len(), TITLE_SIZE) + 6.0;
    }
    if !legend.is_empty() {
        top = draw_legend(canvas, legend, inner, top) + 5.0;
    }
    if !options.unit.is_empty() && options.kind != ChartKind::PercentBar {
        let mut unit = text::Label::new("unit", format!("{}：{}", options.unit_word, options.unit), PAD, top + ASCENT * TICK_SIZE, TICK_SIZE, Anchor::Start);
        unit.fill = MUTED;
        canvas.label(unit);
        top += block_height(1, TICK_SIZE) + 3.0;
    }
    let bottom = draw_source(canvas, &options.source, inner, options.height);
    let region = Rect { x: PAD, y: top, w: inner, h: bottom - top };
    if region.h < MIN_PLOT * 1.5 {
        return Err(format!(
            "the chart is too small: at {} × {} pt, title, legend and source note leave {:.0} pt for the plot; \
             make it taller or shorten the texts",
            options.width,
            options.height,
            region.h.max(0.0)
        ));
    }
    Ok(region)
}

/// Draws the source note at the bottom left and returns the y above which the plot must end.
fn draw_source(canvas: &mut Canvas, source: &str, inner: f64, height: f64) -> f64 {
    if source.trim().is_empty() {
        return height - PAD;
    }
    let lines = wrap(source, inner, SOURCE_SIZE);
    let last = height - PAD - DESCENT * SOURCE_SIZE;
    let first = last - (lines.len() - 1) as f64 * LINE_PITCH * SOURCE_SIZE;
    for mut label in lines_at("source", &lines, PAD, first, SOURCE_SIZE, Anchor::Start) {
        label.fill = MUTED;
        canvas.label(label);
    }
    first - ASCENT * SOURCE_SIZE - 6.0
}

/// A legend entry measured for a row.
struct Entry<'a> {
    /// Position in the legend (for the ids).
    index: usize,
    /// The entry.
    item: &'a LegendItem,
    /// Its text, wrapped.
    lines: Vec<String>,
    /// Width of key, gap and text.
    width: f64,
}

/// Lays the legend out in centred rows starting at `top`; returns the y below it.
fn draw_legend(canvas: &mut Canvas, legend: &[LegendItem], inner: f64, top: f64) -> f64 {
    let size = LABEL_SIZE;
    let mut rows: Vec<Vec<Entry>> = vec![Vec::new()];
    let mut row_width = 0.0;
    for (index, item) in legend.iter().enumerate() {
        let key = item.key.width() + KEY_GAP;
        let lines = wrap(&item.text, inner - key, size);
        let width = key + widest(&lines, size);
        let needed = if row_width > 0.0 { row_width + ITEM_GAP + width } else { width };
        if needed > inner && row_width > 0.0 {
            rows.push(Vec::new());
            row_width = width;
        } else {
            row_width = needed;
        }
        if let Some(row) = rows.last_mut() {
            row.push(Entry { index, item, lines, width });
        }
    }
    let mut y = top;
    for row in &rows {
        let width = row.iter().map(|e| e.width).sum::<f64>() + ITEM_GAP * (row.len().saturating_sub(1)) as f64;
        let mut x = PAD + (inner - width) / 2.0;
        let baseline = y + ASCENT * size;
        for entry in row {
            draw_key(canvas, &entry.item.key, entry.index, x, baseline - CENTRE_DROP * size);
            let text_x = x + entry.item.key.width() + KEY_GAP;
            let id = format!("legend-label-{}", entry.index);
            lines_at(&id, &entry.lines, text_x, baseline, size, Anchor::Start).into_iter().for_each(|l| canvas.label(l));
            x += entry.width + ITEM_GAP;
        }
        let lines = row.iter().map(|e| e.lines.len()).max().unwrap_or(1);
        y += block_height(lines, size) + 3.0;
    }
    y - 3.0
}

/// Draws one legend key with its left edge at `x`, centred vertically on `middle`.
fn draw_key(canvas: &mut Canvas, key: &LegendKey, index: usize, x: f64, middle: f64) {
    match key {
        LegendKey::Fill(swatch) => {
            let half = FILL_KEY / 2.0;
            let el = rect(x, middle - half, FILL_KEY, FILL_KEY)
                .attr("id", format!("legend-{index}"))
                .attr("fill", swatch.fill.clone())
                .opt("stroke", swatch.outline)
                .opt("stroke-width", swatch.outline.map(|_| "0.5"));
            canvas.marks.empty(el);
        }
        LegendKey::Line(style) => {
            canvas.marks.empty(
                line(x, middle, x + LINE_KEY, middle)
                    .attr("id", format!("legend-{index}"))
                    .attr("stroke", style.colour.clone())
                    .attr("stroke-width", "1.5")
                    .opt("stroke-dasharray", style.dash),
            );
            let marker = palette::marker(style.marker, x + LINE_KEY / 2.0, middle, 2.5);
            canvas.marks.empty(marker.attr("fill", style.colour.clone()).attr("stroke", palette::BACKGROUND).attr("stroke-width", "0.6"));
        }
    }
}
