//! Line charts: one or more series, a marker at every point, value labels beside the points.
//!
//! In each category the topmost point gets its label above, the others below; a label that
//! would touch another label or a marker moves further down. Labels sit on a white backing
//! so the lines that cross them do not strike through the digits.

use super::axes::{Columns, Room, columns};
use super::bars::{HIDDEN_NOTE, LABEL_GAP};
use super::canvas::Canvas;
use super::frame::VALUE_SIZES;
use super::palette::{self, BACKGROUND};
use super::scale::data_groups_thousands;
use super::spec::ChartData;
use super::svg::{El, PathData};
use super::text::{ASCENT, Anchor, DESCENT, Label, Rect, text_width};

/// Half the size of a point marker.
const MARKER: f64 = 2.6;

/// Draws a line chart into `region`.
pub(crate) fn draw(canvas: &mut Canvas, data: &ChartData, region: Rect) -> Result<(), String> {
    let values = || data.series.iter().flat_map(|s| s.values.iter().copied());
    let range = (values().fold(0.0, f64::min), values().fold(0.0, f64::max));
    let room = |slot: f64| match label_size(data, slot) {
        Some(size) => {
            let extent = (ASCENT + DESCENT) * size + MARKER + LABEL_GAP;
            let below = data.series.len() > 1 || range.0 < 0.0;
            Room { head: extent, foot: if below { extent } else { MARKER } }
        }
        None => Room { head: MARKER, foot: MARKER },
    };
    let cols = columns(region, &data.categories, range, (false, data_groups_thousands(data)), &room)?;
    cols.draw_axes(canvas);
    cols.draw_zero_line(canvas);
    for s in 0..data.series.len() {
        draw_series(canvas, &cols, data, s);
    }
    let labels = label_size(data, cols.slot).and_then(|size| place_labels(&cols, data, size));
    match labels {
        Some(labels) => labels.into_iter().for_each(|l| canvas.backed_label(l)),
        None => canvas.notes.push(HIDDEN_NOTE.replace("beside the bars", "beside the points")),
    }
    Ok(())
}

/// The largest value label size at which every label fits its category slot.
fn label_size(data: &ChartData, slot: f64) -> Option<f64> {
    let labels = || data.series.iter().flat_map(|s| s.labels.iter());
    VALUE_SIZES.iter().copied().find(|&size| labels().all(|l| text_width(l, size) <= slot - 3.0))
}

/// Draws the line and the markers of series `s`.
fn draw_series(canvas: &mut Canvas, cols: &Columns, data: &ChartData, s: usize) {
    let style = canvas.palette.line_style(s);
    let points: Vec<(f64, f64)> = data.series[s].values.iter().enumerate().map(|(c, &v)| (cols.centre(c), cols.y(v))).collect();
    if points.len() > 1 {
        let mut d = PathData::default();
        for (i, &(x, y)) in points.iter().enumerate() {
            d = if i == 0 { d.move_to(x, y) } else { d.line_to(x, y) };
        }
        let path = El::new("path")
            .attr("id", format!("line-s{s}"))
            .attr("d", d.finish())
            .attr("fill", "none")
            .attr("stroke", style.colour.clone())
            .attr("stroke-width", "1.5")
            .attr("stroke-linejoin", "round")
            .opt("stroke-dasharray", style.dash);
        canvas.marks.empty(path);
    }
    for (c, &(x, y)) in points.iter().enumerate() {
        let marker = palette::marker(style.marker, x, y, MARKER)
            .attr("id", format!("point-s{s}-c{c}"))
            .attr("fill", style.colour.clone())
            .attr("stroke", BACKGROUND)
            .attr("stroke-width", "0.6");
        canvas.marks.empty(marker);
    }
}

/// Places every value label, or returns `None` when some label cannot be placed cleanly.
fn place_labels(cols: &Columns, data: &ChartData, size: f64) -> Option<Vec<Label>> {
    let mut out = Vec::new();
    for c in 0..cols.count {
        out.extend(place_column(cols, data, c, size)?);
    }
    Some(out)
}

/// Places the labels of category `c`: the topmost point's above it, the others below theirs.
fn place_column(cols: &Columns, data: &ChartData, c: usize, size: f64) -> Option<Vec<Label>> {
    let x = cols.centre(c);
    let mut points: Vec<(usize, f64)> = data.series.iter().enumerate().map(|(s, series)| (s, cols.y(series.values[c]))).collect();
    points.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    let height = (ASCENT + DESCENT) * size + MARKER + LABEL_GAP + 0.5;
    let (upper, lower) = (cols.top() - height, cols.bottom() + height);
    let mut obstacles: Vec<Rect> = points.iter().map(|&(_, y)| marker_box(x, y)).collect();
    let mut placed = Vec::new();
    for (rank, &(s, y)) in points.iter().enumerate() {
        let baseline = if rank == 0 { y - MARKER - LABEL_GAP - DESCENT * size } else { y + MARKER + LABEL_GAP + ASCENT * size };
        let text = data.series[s].labels[c].clone();
        let mut label = Label::new(format!("label-s{s}-c{c}"), text, x, baseline, size, Anchor::Middle);
        // Each step moves the label below one obstacle it touches, so the loop ends.
        while let Some(below) = lowest_clash(&padded(&label.bbox()), &obstacles) {
            label.y = below + LABEL_GAP + ASCENT * size;
        }
        let b = label.bbox();
        if b.y < upper || b.y + b.h > lower {
            return None;
        }
        obstacles.push(b);
        placed.push(label);
    }
    Some(placed)
}

/// The lowest bottom edge of the obstacles `b` touches.
fn lowest_clash(b: &Rect, obstacles: &[Rect]) -> Option<f64> {
    obstacles.iter().filter(|o| o.overlaps(b)).map(|o| o.y + o.h).max_by(f64::total_cmp)
}

/// The box of a marker centred on (`x`, `y`).
fn marker_box(x: f64, y: f64) -> Rect {
    let r = MARKER * 1.3;
    Rect { x: x - r, y: y - r, w: 2.0 * r, h: 2.0 * r }
}

/// `r` grown by half a point on every side, so placed labels keep a little air.
fn padded(r: &Rect) -> Rect {
    Rect { x: r.x - 0.5, y: r.y - 0.5, w: r.w + 1.0, h: r.h + 1.0 }
}
