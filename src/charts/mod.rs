//! Charts drawn from data as standalone SVG documents.
//!
//! This module owns everything between a chart's data and its picture: checking the data,
//! laying out title, legend, axes, marks and labels so that no two labels overlap, writing
//! the SVG, and the text alternative that lists every value for readers who cannot see it.
//! The SVG uses plain presentation attributes only (no scripts, stylesheets or external
//! references) and names one font family on every `<text>`, so the same bytes render alike in
//! browsers, EPUB readers and usvg. For a typesetter with its own text engine (the PDF's
//! Typst), the same layout is also given as a [`ChartDrawing`]: the SVG without the labels'
//! text, and every label with its anchor and baseline. Output is deterministic.
//!
//! Lengths are in SVG user units, which Typst reads as points: a 400 × 260 chart is placed at
//! 400 pt × 260 pt. Every data mark has a stable id (`bar-s{series}-c{category}`,
//! `point-s{series}-c{category}`, `slice-{category}`) for tests and assistive technology.

mod axes;
mod bars;
mod canvas;
mod describe;
mod frame;
mod hbar;
mod line;
mod palette;
mod pie;
mod scale;
mod spec;
mod svg;
mod text;

#[cfg(test)]
mod tests;

pub use scale::{Ticks, nice_ticks};
pub use spec::{ChartData, ChartDesign, ChartDrawing, ChartKind, ChartLayout, ChartOptions, ChartSpec, LabelWords, PlacedLabel, Series};

use canvas::Canvas;

/// A drawn chart.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedChart {
    /// The one layout, which gives the SVG and the drawing.
    pub layout: ChartLayout,
    /// The text alternative, in Chinese, listing every value.
    pub alt: String,
    /// Things the editor may want to know, e.g. value labels left out because they did not fit.
    pub notes: Vec<String>,
}

impl RenderedChart {
    /// The standalone SVG document (see [`ChartLayout::svg`]).
    pub fn svg(&self) -> String {
        self.layout.svg()
    }

    /// The chart for a typesetter that sets the labels in its own text engine.
    pub fn drawing(&self) -> ChartDrawing {
        self.layout.drawing()
    }
}

/// The smallest text a chart sets, in pt (tick, value and category labels shrink to it
/// before they are left out or wrapped further).
pub const SMALLEST_TEXT: f64 = 6.0;

/// The solid fills a chart drawn with `palette` (a design's colours, `#rrggbb`) gives its
/// first series, in order: the design's, completed by the built-in ones.
pub fn solid_fills(palette: &[String]) -> Vec<String> {
    let palette = palette::Palette::new(palette);
    (0..4).map(|index| palette.swatch(index).fill).collect()
}

/// Smallest chart the layout accepts, in pt.
const MIN_WIDTH: f64 = 160.0;
/// Smallest chart height the layout accepts, in pt.
const MIN_HEIGHT: f64 = 120.0;

/// Draws `data` as a chart of `options.kind`.
///
/// Errors are messages for the editor: empty or inconsistent data, values that are not
/// finite numbers, data the kind cannot show (a pie of several series, a negative slice, a
/// 100 % bar whose total is 0), or a chart too small for its categories.
pub fn render(options: &ChartOptions, data: &ChartData) -> Result<RenderedChart, String> {
    validate(options, data)?;
    let _words = text::WordsInUse::install(&options.label_words);
    let data = with_labels(data);
    let alt = describe::alt_text(options, &data);
    let canvas = draw(options, &data)?;
    let notes = canvas.notes.clone();
    let finished = canvas.finish(&options.title, &alt);
    let labels = finished
        .labels
        .into_iter()
        .map(|label| PlacedLabel {
            anchor: match label.anchor {
                text::Anchor::Start => "start",
                text::Anchor::Middle => "middle",
                text::Anchor::End => "end",
            },
            text: label.text,
            x: label.x,
            y: label.y,
            size: label.size,
            bold: label.bold,
            fill: label.fill,
            vertical: label.vertical,
        })
        .collect();
    let layout = ChartLayout {
        width: options.width,
        height: options.height,
        font_family: options.font_family.clone(),
        marks: prefix_ids(&finished.marks, &options.id_prefix),
        label_text: prefix_ids(&finished.label_text, &options.id_prefix),
        labels,
    };
    Ok(RenderedChart { layout, alt, notes })
}

/// Prefixes every id and every reference to one (`url(#…)`, `href="#…"`). The SVG is our
/// own output and all text in it is escaped, so these patterns occur only as markup.
fn prefix_ids(svg: &str, prefix: &str) -> String {
    if prefix.is_empty() {
        return svg.to_string();
    }
    svg.replace(" id=\"", &format!(" id=\"{prefix}")).replace("url(#", &format!("url(#{prefix}")).replace("href=\"#", &format!("href=\"#{prefix}"))
}

/// Lays the chart out on a canvas (validated data with labels filled in).
fn draw(options: &ChartOptions, data: &ChartData) -> Result<Canvas, String> {
    let mut canvas = Canvas::new(options);
    let legend = frame::legend_items(options.kind, data, &canvas.palette);
    let region = frame::draw(&mut canvas, options, &legend)?;
    match options.kind {
        ChartKind::Bar | ChartKind::GroupedBar | ChartKind::StackedBar | ChartKind::PercentBar => bars::draw(&mut canvas, options.kind, data, region)?,
        ChartKind::HorizontalBar => hbar::draw(&mut canvas, data, region)?,
        ChartKind::Line => line::draw(&mut canvas, data, region)?,
        ChartKind::Pie | ChartKind::Donut => pie::draw(&mut canvas, options.kind, data, region)?,
    }
    Ok(canvas)
}

/// Checks that `data` can be drawn as `kind` at all (whatever the design's size): the
/// front end calls it to report bad chart data at the directive's line.
pub fn check_data(kind: ChartKind, data: &ChartData) -> Result<(), String> {
    if data.categories.is_empty() {
        return Err("the chart has no categories; give at least one".to_string());
    }
    if data.series.is_empty() {
        return Err("the chart has no data series; give at least one".to_string());
    }
    for (index, series) in data.series.iter().enumerate() {
        validate_series(data, index, series)?;
    }
    match kind {
        ChartKind::Pie | ChartKind::Donut => validate_circular(kind, data),
        ChartKind::PercentBar => validate_percent(data),
        _ => Ok(()),
    }
}

/// The text alternative of a chart: its title and every value, in Chinese.
pub fn alt_text(spec: &ChartSpec) -> String {
    let options = spec.options(&ChartDesign { font: String::new(), width: 0.0, height: 0.0, palette: Vec::new() });
    describe::alt_text(&options, &with_labels(&spec.data))
}

/// Checks that the data can be drawn as the requested kind.
fn validate(options: &ChartOptions, data: &ChartData) -> Result<(), String> {
    validate_options(options)?;
    check_data(options.kind, data)
}

/// Checks the size and the font family.
fn validate_options(options: &ChartOptions) -> Result<(), String> {
    let ChartOptions { width, height, .. } = *options;
    if !(width.is_finite() && height.is_finite() && width >= MIN_WIDTH && height >= MIN_HEIGHT) {
        return Err(format!("a chart must be at least {MIN_WIDTH} × {MIN_HEIGHT} pt, this one is {width} × {height} pt"));
    }
    if options.font_family.trim().is_empty() {
        return Err("no font family given for the chart text".to_string());
    }
    if let Some(bad) = options.palette.iter().find(|colour| palette::rgb(colour).is_none()) {
        return Err(format!("the chart palette's colour `{bad}` is not written #rrggbb"));
    }
    Ok(())
}

/// Checks one series against the categories.
fn validate_series(data: &ChartData, index: usize, series: &Series) -> Result<(), String> {
    let name = series_name(index, series);
    let count = data.categories.len();
    if series.values.len() != count {
        return Err(format!("{name} has {} values but there are {count} categories", series.values.len()));
    }
    if !series.labels.is_empty() && series.labels.len() != count {
        return Err(format!("{name} has {} value labels but there are {count} categories", series.labels.len()));
    }
    if let Some(c) = series.values.iter().position(|v| !v.is_finite()) {
        return Err(format!("{name}: the value for {} is not a finite number", data.categories[c]));
    }
    if data.series.len() > 1 && series.name.trim().is_empty() {
        return Err(format!("series {} has no name; a chart with several series needs names for its legend", index + 1));
    }
    Ok(())
}

/// How a series is named in messages.
fn series_name(index: usize, series: &Series) -> String {
    if series.name.is_empty() { format!("series {}", index + 1) } else { format!("series “{}”", series.name) }
}

/// A pie or donut shows the shares of exactly one series of positive values.
fn validate_circular(kind: ChartKind, data: &ChartData) -> Result<(), String> {
    let [series] = data.series.as_slice() else {
        return Err(format!("a {} chart needs exactly one series, found {}", kind.name(), data.series.len()));
    };
    for (c, &value) in series.values.iter().enumerate() {
        if value <= 0.0 {
            return Err(format!("{} values must be positive, found {} for {}", kind.name(), written(series, c), data.categories[c]));
        }
    }
    Ok(())
}

/// A 100 % bar needs non-negative values with a positive total in every category.
fn validate_percent(data: &ChartData) -> Result<(), String> {
    for (c, category) in data.categories.iter().enumerate() {
        if let Some((s, series)) = data.series.iter().enumerate().find(|(_, s)| s.values[c] < 0.0) {
            return Err(format!("percent-bar values must not be negative, found {} for {category} in {}", written(series, c), series_name(s, series)));
        }
        if data.series.iter().map(|s| s.values[c]).sum::<f64>() <= 0.0 {
            return Err(format!("percent-bar: the values for {category} add up to 0, so they have no shares"));
        }
    }
    Ok(())
}

/// Value `c` of `series` as written in the data (or its shortest exact form).
fn written(series: &Series, c: usize) -> String {
    series.labels.get(c).cloned().unwrap_or_else(|| series.values[c].to_string())
}

/// The data with every series' `labels` filled in (the written labels are kept).
fn with_labels(data: &ChartData) -> ChartData {
    let series = data
        .series
        .iter()
        .map(|s| {
            let labels = if s.labels.is_empty() { s.values.iter().map(f64::to_string).collect() } else { s.labels.clone() };
            Series { labels, ..s.clone() }
        })
        .collect();
    ChartData { categories: data.categories.clone(), series }
}
