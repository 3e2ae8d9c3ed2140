//! What a chart is, apart from how it is laid out: its kind, data and options (the
//! front end builds these from a chart directive), the design's size and font, and the one
//! layout the chart module makes of them, which each backend asks for its own drawing.

use std::fmt::Write as _;

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
    pub(crate) fn is_circular(self) -> bool {
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
    /// The solid fills of the first series (or slices), `#rrggbb`, in series order: the
    /// design's palette. Empty: the built-in one (see `palette`).
    pub palette: Vec<String>,
    /// Whether the title is drawn at the top of the chart. Off when the page prints the
    /// title as a figure caption; the title still names the chart in `<title>` and the alt text.
    pub draw_title: bool,
    /// Prefix of every `id` in the SVG, so several charts can stand inline in one XHTML
    /// page (which needs unique ids); empty for standalone files.
    pub id_prefix: String,
    /// Label text → the words a line of it may break between (`["规模以上", "工业", "增加值"]`).
    /// A label not in the map breaks between any two ideographs, as body text does.
    pub label_words: LabelWords,
    /// The word before the unit line's unit, in the document's script (`单位`, `單位`).
    pub unit_word: &'static str,
}

/// Label text → its words, in order (they join to the text).
pub type LabelWords = std::collections::BTreeMap<String, Vec<String>>;

/// A chart as marks plus labels: the SVG document without the labels' text, and every label
/// with its position, for a typesetter that sets text itself.
///
/// The PDF edition uses this instead of [`ChartLayout::svg`]: Typst hands SVG text to usvg,
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

/// What a chart directive asks for, without the design's size and font: the front end
/// builds it from the manuscript; the chart layout pass adds a [`ChartDesign`].
#[derive(Debug, Clone, PartialEq)]
pub struct ChartSpec {
    /// The kind of chart.
    pub kind: ChartKind,
    /// The categories and series.
    pub data: ChartData,
    /// Title (`<title>`, alt text; drawn at the top only with `draw_title`).
    pub title: String,
    /// Unit of the values (`单位：…`; may be empty).
    pub unit: String,
    /// Source note (may be empty).
    pub source: String,
    /// Whether the title is drawn inside the chart.
    pub draw_title: bool,
    /// Prefix of every `id` in the SVG (see [`ChartOptions::id_prefix`]).
    pub id_prefix: String,
    /// The words of its labels (see [`ChartOptions::label_words`]), filled by the display
    /// text pass ([`crate::manuscript::display`]); empty until then.
    pub label_words: LabelWords,
    /// The word before the unit (see [`ChartOptions::unit_word`]).
    pub unit_word: &'static str,
}

impl ChartSpec {
    /// The full options for laying the chart out in `design`.
    pub fn options(&self, design: &ChartDesign) -> ChartOptions {
        ChartOptions {
            kind: self.kind,
            title: self.title.clone(),
            unit: self.unit.clone(),
            source: self.source.clone(),
            font_family: design.font.clone(),
            width: design.width,
            height: design.height,
            palette: design.palette.clone(),
            draw_title: self.draw_title,
            id_prefix: self.id_prefix.clone(),
            label_words: self.label_words.clone(),
            unit_word: self.unit_word,
        }
    }
}

/// How a design draws charts (`[charts]` in `design.toml`): the size that matches its
/// column and the exact font family the PDF embeds.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChartDesign {
    /// The exact font family of chart text; must be a face the PDF embeds.
    pub font: String,
    /// Chart width in pt.
    pub width: f64,
    /// Chart height in pt.
    pub height: f64,
    /// The design's colours for the data, `#rrggbb`, in series order (its accent first);
    /// bars, slices, lines and legend keys take them. Empty or left out: the built-in palette.
    #[serde(default)]
    pub palette: Vec<String>,
}

/// The one layout of a chart: marks and labels placed once. Each backend asks it for its
/// own drawing — [`ChartLayout::svg`] (the EPUB, `reportpress charts`) or
/// [`ChartLayout::drawing`] (the PDF, whose Typst sets the labels) — so the editions agree.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartLayout {
    /// Width in pt.
    pub width: f64,
    /// Height in pt.
    pub height: f64,
    /// The exact font family of the labels.
    pub font_family: String,
    /// The SVG document up to the labels' text: marks and label backings, the `labels`
    /// group left open.
    pub(crate) marks: String,
    /// The labels as SVG `<text>` elements.
    pub(crate) label_text: String,
    /// The labels with their positions.
    pub(crate) labels: Vec<PlacedLabel>,
}

/// Closes the `labels` group and the document.
const SVG_END: &str = "</g>\n</svg>\n";

impl ChartLayout {
    /// A layout from its parts: `marks` is an SVG document up to its labels, which ends in
    /// an open group (`<g id="labels">`) holding `label_text` (the labels as `<text>`
    /// elements); `labels` are the same labels, positioned, for a typesetter.
    pub fn new(width: f64, height: f64, font_family: &str, marks: &str, label_text: &str, labels: Vec<PlacedLabel>) -> Self {
        ChartLayout { width, height, font_family: font_family.to_string(), marks: marks.to_string(), label_text: label_text.to_string(), labels }
    }

    /// The chart as a standalone SVG document with its labels as text.
    pub fn svg(&self) -> String {
        let mut svg = String::with_capacity(self.marks.len() + self.label_text.len() + SVG_END.len());
        let _ = write!(svg, "{}{}{SVG_END}", self.marks, self.label_text);
        svg
    }

    /// The chart as marks plus positioned labels, for a typesetter that sets text itself.
    pub fn drawing(&self) -> ChartDrawing {
        ChartDrawing {
            width: self.width,
            height: self.height,
            font_family: self.font_family.clone(),
            marks: format!("{}{SVG_END}", self.marks),
            labels: self.labels.clone(),
        }
    }
}

/// A value's share of `total` in percent, with one decimal: `17.8%`.
pub(crate) fn share(value: f64, total: f64) -> String {
    format!("{:.1}%", value / total * 100.0)
}
