//! The drawing surface: marks and labels collected during layout, written out as one SVG.
//!
//! Labels are kept as [`Label`] values rather than written straight away, so the layout (and
//! the tests) can check their boxes, and so they are painted last, above every mark.

use super::palette::{self, BACKGROUND};
use super::spec::ChartOptions;
use super::svg::{El, SvgWriter, num, rect};
use super::text::Label;
#[cfg(test)]
use super::text::Rect;

/// Marks and labels of one chart under construction.
#[derive(Debug)]
pub(crate) struct Canvas {
    /// Width in pt.
    pub width: f64,
    /// Height in pt.
    pub height: f64,
    /// Font family of every label.
    pub font_family: String,
    /// Gridlines, bars, lines, slices and legend keys, in painting order.
    pub marks: SvgWriter,
    /// Every text on the chart.
    pub labels: Vec<Label>,
    /// Ids of labels painted on a white backing (labels over hatches or lines).
    pub backed: Vec<String>,
    /// How many series (or slices) use a fill; decides which hatch patterns are defined.
    pub fills: usize,
    /// Notes for the editor.
    pub notes: Vec<String>,
}

impl Canvas {
    /// An empty canvas of the size given in `options`.
    pub fn new(options: &ChartOptions) -> Self {
        Canvas {
            width: options.width,
            height: options.height,
            font_family: options.font_family.clone(),
            marks: SvgWriter::default(),
            labels: Vec::new(),
            backed: Vec::new(),
            fills: 0,
            notes: Vec::new(),
        }
    }

    /// Records that `count` series or slices (`what`) are filled, noting when fills repeat.
    pub fn use_fills(&mut self, count: usize, what: &str) {
        self.fills = count;
        if count > palette::FILLS {
            self.notes.push(format!(
                "the chart has {count} {what} but only {} distinct fills, so some fills repeat; \
                 consider fewer {what} or another kind of chart",
                palette::FILLS
            ));
        }
    }

    /// Adds a label.
    pub fn label(&mut self, label: Label) {
        self.labels.push(label);
    }

    /// Adds a label painted on a white backing, so lines or hatches under it do not show.
    pub fn backed_label(&mut self, label: Label) {
        self.backed.push(label.id.clone());
        self.labels.push(label);
    }

    /// Writes the layout out: the SVG document (title and description first, then the white
    /// background, the marks and the label backings) and, apart, the labels' text, so that
    /// [`super::spec::ChartLayout`] can give the whole SVG or the marks plus positioned labels.
    pub fn finish(self, title: &str, alt: &str) -> Finished {
        let mut w = SvgWriter::default();
        w.open(
            El::new("svg")
                .attr("xmlns", "http://www.w3.org/2000/svg")
                .attr("version", "1.1")
                .num("width", self.width)
                .num("height", self.height)
                .attr("viewBox", format!("0 0 {} {}", num(self.width), num(self.height)))
                .attr("role", "img")
                .attr("aria-label", alt),
        );
        w.with_text(El::new("title"), title);
        w.with_text(El::new("desc"), alt);
        if self.fills > 4 {
            w.open(El::new("defs"));
            palette::write_patterns(&mut w, self.fills);
            w.close("defs");
        }
        w.empty(rect(0.0, 0.0, self.width, self.height).attr("id", "background").attr("fill", BACKGROUND));
        let mut marks = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{}", w.finish());
        marks.push_str(&self.marks.finish());
        let mut backings = SvgWriter::default();
        backings.open(El::new("g").attr("id", "labels"));
        for label in self.labels.iter().filter(|l| self.backed.contains(&l.id)) {
            let b = label.bbox();
            let el = rect(b.x - 1.0, b.y - 0.5, b.w + 2.0, b.h + 1.0).attr("fill", BACKGROUND).attr("fill-opacity", "0.85");
            backings.empty(el);
        }
        marks.push_str(&backings.finish());
        let mut texts = SvgWriter::default();
        for label in &self.labels {
            texts.label(label, &self.font_family);
        }
        Finished { marks, label_text: texts.finish(), labels: self.labels }
    }

    /// The estimated boxes of all labels, with their ids.
    #[cfg(test)]
    pub fn label_boxes(&self) -> Vec<(String, Rect)> {
        self.labels.iter().map(|l| (l.id.clone(), l.bbox())).collect()
    }
}

/// One chart layout written out by [`Canvas::finish`].
#[derive(Debug)]
pub(crate) struct Finished {
    /// The SVG document up to the labels' text (marks and label backings), the labels'
    /// group left open.
    pub marks: String,
    /// The labels as `<text>` elements.
    pub label_text: String,
    /// The labels left out of `marks`.
    pub labels: Vec<Label>,
}

/// Whether `rect` lies on the canvas.
#[cfg(test)]
pub(crate) fn on_canvas(canvas: &Canvas, r: &Rect) -> bool {
    Rect { x: 0.0, y: 0.0, w: canvas.width, h: canvas.height }.contains(r, 0.01)
}
