//! The drawing surface: marks and labels collected during layout, written out as one SVG.
//!
//! Labels are kept as [`Label`] values rather than written straight away, so the layout (and
//! the tests) can check their boxes, and so they are painted last, above every mark.

use super::palette::{self, BACKGROUND};
use super::spec::ChartOptions;
use super::svg::{El, SvgWriter, line, num, rect};
use super::text::{Label, Rect};

/// Marks and labels of one chart under construction.
#[derive(Debug)]
pub(crate) struct Canvas {
    /// Width in pt.
    pub width: f64,
    /// Height in pt.
    pub height: f64,
    /// Font family of every label.
    pub font_family: String,
    /// Gridlines, by id and end points: painted first, and cut where a label lies across them.
    pub grid: Vec<(String, [f64; 4])>,
    /// Bars, lines, slices and legend keys, in painting order (above the gridlines).
    pub marks: SvgWriter,
    /// Every text on the chart.
    pub labels: Vec<Label>,
    /// Ids of labels painted on a white backing (labels over hatches or lines).
    pub backed: Vec<String>,
    /// How many series (or slices) use a fill; decides which hatch patterns are defined.
    pub fills: usize,
    /// The colours of the data.
    pub palette: palette::Palette,
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
            grid: Vec::new(),
            marks: SvgWriter::default(),
            labels: Vec::new(),
            backed: Vec::new(),
            fills: 0,
            palette: palette::Palette::new(&options.palette),
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

    /// Adds a gridline from (`x1`, `y1`) to (`x2`, `y2`), horizontal or vertical.
    pub fn grid_line(&mut self, id: String, x1: f64, y1: f64, x2: f64, y2: f64) {
        self.grid.push((id, [x1, y1, x2, y2]));
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
            self.palette.write_patterns(&mut w, self.fills);
            w.close("defs");
        }
        w.empty(rect(0.0, 0.0, self.width, self.height).attr("id", "background").attr("fill", BACKGROUND));
        // Gridlines lie behind everything and stop short of every label in their way, so no
        // line runs through a text whatever the page behind the chart (a night theme drops
        // the white paper the labels would otherwise hide them with).
        let boxes: Vec<Rect> = self.labels.iter().map(Label::bbox).collect();
        for (id, ends) in &self.grid {
            for (index, [x1, y1, x2, y2]) in cut_around(*ends, &boxes).into_iter().enumerate() {
                let id = if index == 0 { id.clone() } else { format!("{id}-{}", index + 1) };
                w.empty(line(x1, y1, x2, y2).attr("id", id).attr("stroke", palette::GRID).attr("stroke-width", "0.5"));
            }
        }
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

/// Clear space kept between a gridline's cut end and a label, in pt.
const GRID_CLEARANCE: f64 = 1.0;

/// The pieces of the horizontal or vertical line `ends` (x1, y1, x2, y2) that do not pass
/// through any of `boxes`, in order along the line. Each box is grown by [`GRID_CLEARANCE`]
/// and by a tenth of its size: its width is an estimate, and a reader's font may set the
/// text a little wider.
fn cut_around(ends: [f64; 4], boxes: &[Rect]) -> Vec<[f64; 4]> {
    let [x1, y1, x2, y2] = ends;
    let horizontal = (y1 - y2).abs() < 1e-9;
    // The line as an interval along its direction, at a fixed place across it.
    let (from, to, across) = if horizontal { (x1.min(x2), x1.max(x2), y1) } else { (y1.min(y2), y1.max(y2), x1) };
    let mut blocked: Vec<(f64, f64)> = boxes
        .iter()
        .filter_map(|b| {
            let (grow_x, grow_y) = (GRID_CLEARANCE + 0.1 * b.w, GRID_CLEARANCE + 0.1 * b.h);
            let (along, span) = if horizontal {
                ((b.x - grow_x, b.x + b.w + grow_x), (b.y - grow_y, b.y + b.h + grow_y))
            } else {
                ((b.y - grow_y, b.y + b.h + grow_y), (b.x - grow_x, b.x + b.w + grow_x))
            };
            (across > span.0 && across < span.1 && along.1 > from && along.0 < to).then_some(along)
        })
        .collect();
    blocked.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut pieces = Vec::new();
    let mut start = from;
    for (block_from, block_to) in blocked {
        if block_from > start {
            pieces.push((start, block_from.min(to)));
        }
        start = start.max(block_to);
    }
    if start < to {
        pieces.push((start, to));
    }
    pieces.into_iter().filter(|(a, b)| b - a > 0.5).map(|(a, b)| if horizontal { [a, across, b, across] } else { [across, a, across, b] }).collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gridlines_stop_short_of_labels() {
        let label = Rect { x: 40.0, y: 45.0, w: 20.0, h: 10.0 };
        let across = cut_around([0.0, 50.0, 100.0, 50.0], &[label]);
        assert_eq!(across.len(), 2, "{across:?}");
        assert!(across[0][2] < 40.0 - GRID_CLEARANCE && across[1][0] > 60.0 + GRID_CLEARANCE, "{across:?}");
        assert_eq!(cut_around([0.0, 80.0, 100.0, 80.0], &[label]), vec![[0.0, 80.0, 100.0, 80.0]], "a line clear of the label stays whole");
        let up = cut_around([50.0, 100.0, 50.0, 0.0], &[label]);
        assert!(up.len() == 2 && up[0][3] < 45.0 && up[1][1] > 55.0, "{up:?}");
        // A label over the line's end leaves only what is clear of it.
        assert_eq!(cut_around([45.0, 50.0, 100.0, 50.0], &[label]).len(), 1);
    }
}
