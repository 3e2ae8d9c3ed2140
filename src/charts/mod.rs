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
mod svg;
mod text;

#[cfg(test)]
mod tests;

pub use scale::{Ticks, nice_ticks};

use canvas::Canvas;

/// The kinds of chart the module draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    /// Vertical bars (columns); several series are drawn side by side.
    Bar,
    /// Horizontal bars, for long category names; several series are drawn side by side.
    HorizontalBar,
    /// Vertical bars of several series side by side in each category.
    GroupedBar,
    /// Vertical bars with the series stacked on each other.
    StackedBar,
    /// Stacked bars scaled so every category fills 100 %.
    PercentBar,
    /// One or more lines with a marker at each point.
    Line,
    /// A pie of one series' shares.
    Pie,
    /// A pie with a hole in the middle.
    Donut,
}

impl ChartKind {
    /// All kinds, in the order of the manuscript documentation.
    pub const ALL: [ChartKind; 8] = [
        ChartKind::Bar,
        ChartKind::HorizontalBar,
        ChartKind::GroupedBar,
        ChartKind::StackedBar,
        ChartKind::PercentBar,
        ChartKind::Line,
        ChartKind::Pie,
        ChartKind::Donut,
    ];

    /// Parses the name used in manuscripts: `bar`, `hbar`, `grouped-bar`, `stacked-bar`,
    /// `percent-bar`, `line`, `pie` or `donut`.
    pub fn parse(name: &str) -> Option<ChartKind> {
        ChartKind::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// The manuscript name of the kind (the inverse of [`ChartKind::parse`]).
    pub fn name(self) -> &'static str {
        match self {
            ChartKind::Bar => "bar",
            ChartKind::HorizontalBar => "hbar",
            ChartKind::GroupedBar => "grouped-bar",
            ChartKind::StackedBar => "stacked-bar",
            ChartKind::PercentBar => "percent-bar",
            ChartKind::Line => "line",
            ChartKind::Pie => "pie",
            ChartKind::Donut => "donut",
        }
    }

    /// The Chinese name, used at the start of the text alternative.
    pub fn chinese_name(self) -> &'static str {
        match self {
            ChartKind::Bar => "柱形图",
            ChartKind::HorizontalBar => "条形图",
            ChartKind::GroupedBar => "簇状柱形图",
            ChartKind::StackedBar => "堆积柱形图",
            ChartKind::PercentBar => "百分比堆积柱形图",
            ChartKind::Line => "折线图",
            ChartKind::Pie => "饼图",
            ChartKind::Donut => "圆环图",
        }
    }

    /// Whether the kind shows shares of one whole as a circle (pie, donut).
    fn is_circular(self) -> bool {
        matches!(self, ChartKind::Pie | ChartKind::Donut)
    }
}

/// One data series: a value for every category.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Name shown in the legend (needed when a chart has several series).
    pub name: String,
    /// The values, one per category.
    pub values: Vec<f64>,
    /// The values as written in the data (`36.56`, `11`); these are printed, never re-formatted
    /// floats. When empty, the shortest exact form of each value is printed instead.
    pub labels: Vec<String>,
}

/// The data of one chart.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartData {
    /// Category names (x axis of bars and lines, slices of a pie), in order.
    pub categories: Vec<String>,
    /// The series, in legend order.
    pub series: Vec<Series>,
}

/// What to draw and how.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartOptions {
    /// The kind of chart.
    pub kind: ChartKind,
    /// Title printed at the top, e.g. `2021年上半年三次产业增加值`.
    pub title: String,
    /// Unit of the values, e.g. `亿元` or `%`; printed as `单位：亿元` (may be empty).
    pub unit: String,
    /// Source note printed at the bottom left, e.g. `资料来源：某市统计局` (may be empty).
    pub source: String,
    /// The exact font family of all text, e.g. `Noto Sans CJK SC` (no generic fallback).
    pub font_family: String,
    /// Width in pt (SVG user units).
    pub width: f64,
    /// Height in pt (SVG user units).
    pub height: f64,
    /// Whether the title is drawn at the top of the chart. Off when the page prints the
    /// title as a figure caption; the title still names the chart in `<title>` and the alt text.
    pub draw_title: bool,
    /// Prefix of every `id` in the SVG, so several charts can stand inline in one XHTML
    /// page (which needs unique ids); empty for standalone files.
    pub id_prefix: String,
}

/// A drawn chart.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedChart {
    /// The standalone SVG document.
    pub svg: String,
    /// The same chart for a typesetter that sets the labels in its own text engine.
    pub drawing: ChartDrawing,
    /// The text alternative, in Chinese, listing every value.
    pub alt: String,
    /// Things the editor may want to know, e.g. value labels left out because they did not fit.
    pub notes: Vec<String>,
}

/// A chart as marks plus labels: the SVG document without the labels' text, and every label
/// with its position, for a typesetter that sets text itself.
///
/// The PDF edition uses this instead of [`RenderedChart::svg`]: Typst hands SVG text to usvg,
/// which builds a new shaping face of the CJK font for every label of every chart (measured:
/// 1.5 s of a 300-page book's 3.4 s), while Typst's own text engine shapes each label once
/// with the fonts it already holds. Both come from one layout, so the editions agree.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ChartDrawing {
    /// Width in pt (SVG user units).
    pub width: f64,
    /// Height in pt (SVG user units).
    pub height: f64,
    /// The exact font family of the labels.
    pub font_family: String,
    /// The SVG document without the labels' text (backings under labels included).
    pub marks: String,
    /// The labels, in painting order.
    pub labels: Vec<PlacedLabel>,
}

/// One line of chart text, positioned in the chart's coordinates (pt, y downwards).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PlacedLabel {
    /// The characters.
    pub text: String,
    /// Anchor x.
    pub x: f64,
    /// Baseline y.
    pub y: f64,
    /// Font size in pt.
    pub size: f64,
    /// Where the anchor is on the text: `start`, `middle` or `end` (along the text, so for a
    /// vertical label `start` is its bottom).
    pub anchor: &'static str,
    /// Bold face.
    pub bold: bool,
    /// Fill colour, `#rrggbb`.
    pub fill: &'static str,
    /// Turned 90° anticlockwise about the anchor (reads bottom to top).
    pub vertical: bool,
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
    let data = with_labels(data);
    let alt = describe::alt_text(options, &data);
    let canvas = draw(options, &data)?;
    let notes = canvas.notes.clone();
    let finished = canvas.finish(&options.title, &alt);
    let svg = prefix_ids(&finished.svg, &options.id_prefix);
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
    let drawing = ChartDrawing {
        width: options.width,
        height: options.height,
        font_family: options.font_family.clone(),
        marks: prefix_ids(&finished.marks, &options.id_prefix),
        labels,
    };
    Ok(RenderedChart { svg, drawing, alt, notes })
}

/// Prefixes every id and every reference to one (`url(#…)`, `href="#…"`). The SVG is our
/// own output and all text in it is escaped, so these patterns occur only as markup.
fn prefix_ids(svg: &str, prefix: &str) -> String {
    if prefix.is_empty() {
        return svg.to_string();
    }
    svg.replace(" id=\"", &format!(" id=\"{prefix}"))
        .replace("url(#", &format!("url(#{prefix}"))
        .replace("href=\"#", &format!("href=\"#{prefix}"))
}

/// Lays the chart out on a canvas (validated data with labels filled in).
fn draw(options: &ChartOptions, data: &ChartData) -> Result<Canvas, String> {
    let mut canvas = Canvas::new(options);
    let legend = frame::legend_items(options.kind, data);
    let region = frame::draw(&mut canvas, options, &legend)?;
    match options.kind {
        ChartKind::Bar | ChartKind::GroupedBar | ChartKind::StackedBar | ChartKind::PercentBar => {
            bars::draw(&mut canvas, options.kind, data, region)?
        }
        ChartKind::HorizontalBar => hbar::draw(&mut canvas, data, region)?,
        ChartKind::Line => line::draw(&mut canvas, data, region)?,
        ChartKind::Pie | ChartKind::Donut => pie::draw(&mut canvas, options.kind, data, region)?,
    }
    Ok(canvas)
}

/// Checks that the data can be drawn as the requested kind.
fn validate(options: &ChartOptions, data: &ChartData) -> Result<(), String> {
    validate_options(options)?;
    if data.categories.is_empty() {
        return Err("the chart has no categories; give at least one".to_string());
    }
    if data.series.is_empty() {
        return Err("the chart has no data series; give at least one".to_string());
    }
    for (index, series) in data.series.iter().enumerate() {
        validate_series(data, index, series)?;
    }
    match options.kind {
        ChartKind::Pie | ChartKind::Donut => validate_circular(options.kind, data),
        ChartKind::PercentBar => validate_percent(data),
        _ => Ok(()),
    }
}

/// Checks the size and the font family.
fn validate_options(options: &ChartOptions) -> Result<(), String> {
    let ChartOptions { width, height, .. } = *options;
    if !(width.is_finite() && height.is_finite() && width >= MIN_WIDTH && height >= MIN_HEIGHT) {
        return Err(format!(
            "a chart must be at least {MIN_WIDTH} × {MIN_HEIGHT} pt, this one is {width} × {height} pt"
        ));
    }
    if options.font_family.trim().is_empty() {
        return Err("no font family given for the chart text".to_string());
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
        return Err(format!(
            "series {} has no name; a chart with several series needs names for its legend",
            index + 1
        ));
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
            return Err(format!(
                "{} values must be positive, found {} for {}",
                kind.name(),
                written(series, c),
                data.categories[c]
            ));
        }
    }
    Ok(())
}

/// A 100 % bar needs non-negative values with a positive total in every category.
fn validate_percent(data: &ChartData) -> Result<(), String> {
    for (c, category) in data.categories.iter().enumerate() {
        if let Some((s, series)) = data.series.iter().enumerate().find(|(_, s)| s.values[c] < 0.0) {
            return Err(format!(
                "percent-bar values must not be negative, found {} for {category} in {}",
                written(series, c),
                series_name(s, series)
            ));
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
            let labels =
                if s.labels.is_empty() { s.values.iter().map(f64::to_string).collect() } else { s.labels.clone() };
            Series { labels, ..s.clone() }
        })
        .collect();
    ChartData { categories: data.categories.clone(), series }
}

/// A value's share of `total` in percent, with one decimal: `17.8%`.
pub(crate) fn share(value: f64, total: f64) -> String {
    format!("{:.1}%", value / total * 100.0)
}
