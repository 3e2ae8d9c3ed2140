//! Pie and donut charts: slices clockwise from twelve o'clock in data order, each labelled
//! with its value as written and its share (`36.56（17.8%）`) in a column beside the pie,
//! joined to the slice by a leader line. The legend names the slices.

use std::f64::consts::PI;

use super::axes::CENTRE_DROP;
use super::canvas::Canvas;
use super::frame::{MIN_PLOT, VALUE_SIZES};
use super::palette::{AXIS, BACKGROUND};
use super::spec::{ChartData, ChartKind, share};
use super::svg::{El, PathData};
use super::text::{ASCENT, Anchor, DESCENT, Label, Rect, spread, widest};

/// Distance from the pie's edge to the label columns.
const COLUMN_GAP: f64 = 10.0;
/// Length of the radial part of a leader line.
const LEADER: f64 = 5.0;
/// The largest radius drawn, however much room there is.
const MAX_RADIUS: f64 = 110.0;
/// Inner radius of a donut as a share of the outer radius.
const HOLE: f64 = 0.55;

/// A pie's place on the canvas.
#[derive(Debug, Clone, Copy)]
struct Disc {
    /// Centre x.
    cx: f64,
    /// Centre y.
    cy: f64,
    /// Outer radius.
    r: f64,
}

impl Disc {
    /// The point at `radius` from the centre, `angle` radians clockwise from twelve o'clock.
    fn point(&self, radius: f64, angle: f64) -> (f64, f64) {
        (self.cx + radius * angle.sin(), self.cy - radius * angle.cos())
    }
}

/// Draws a pie (or, for [`ChartKind::Donut`], a donut) into `region`.
pub(crate) fn draw(canvas: &mut Canvas, kind: ChartKind, data: &ChartData, region: Rect) -> Result<(), String> {
    let series = &data.series[0];
    canvas.use_fills(data.categories.len(), "categories");
    let total: f64 = series.values.iter().sum();
    let texts: Vec<String> = series.values.iter().zip(&series.labels).map(|(&v, l)| format!("{l}（{}）", share(v, total))).collect();
    let mut angles = Vec::with_capacity(series.values.len());
    let mut start = 0.0;
    for &value in &series.values {
        let end = start + value / total * 2.0 * PI;
        angles.push((start, end));
        start = end;
    }
    let fitted = VALUE_SIZES.iter().find_map(|&size| layout(region, &texts, &angles, size).map(|l| (size, l)));
    let disc = match &fitted {
        Some((_, (disc, _))) => *disc,
        None => {
            canvas.notes.push("the slice labels were left out because they do not fit beside the pie; make the chart larger".to_string());
            bare_disc(region)?
        }
    };
    let inner = if kind == ChartKind::Donut { disc.r * HOLE } else { 0.0 };
    for (c, &(a0, a1)) in angles.iter().enumerate() {
        draw_slice(canvas, disc, inner, c, a0, a1);
    }
    if data.categories.len() >= 4 {
        draw_outline(canvas, disc, inner);
    }
    if let Some((size, (_, placed))) = fitted {
        for (c, (x, y, right)) in placed.into_iter().enumerate() {
            draw_label(canvas, disc, &angles[c], c, &texts[c], size, (x, y, right));
        }
    }
    Ok(())
}

/// A pie filling `region` when no labels are drawn.
fn bare_disc(region: Rect) -> Result<Disc, String> {
    let r = (region.w.min(region.h) / 2.0 - 4.0).min(MAX_RADIUS);
    if r < MIN_PLOT / 2.0 {
        return Err(format!("the chart is too small for a pie: only {:.0} pt are left for it; make the chart larger", 2.0 * r));
    }
    Ok(Disc { cx: region.x + region.w / 2.0, cy: region.y + region.h / 2.0, r })
}

/// The pie and the anchor of every label: (column x, box centre y, on the right).
type Placed = (Disc, Vec<(f64, f64, bool)>);

/// Sizes the pie so that label columns fit either side, and spreads the labels of each
/// column so they do not overlap. `None` when the labels do not fit at `size`.
fn layout(region: Rect, texts: &[String], angles: &[(f64, f64)], size: f64) -> Option<Placed> {
    let label_w = widest(texts, size);
    let r = (region.w / 2.0 - COLUMN_GAP - 3.0 - label_w).min(region.h / 2.0 - 2.0).min(MAX_RADIUS);
    if r < MIN_PLOT / 2.0 {
        return None;
    }
    let disc = Disc { cx: region.x + region.w / 2.0, cy: region.y + region.h / 2.0, r };
    let height = (ASCENT + DESCENT) * size;
    let (lo, hi) = (region.y + height / 2.0, region.y + region.h - height / 2.0);
    let mut anchors: Vec<(f64, f64, bool)> = angles
        .iter()
        .map(|&(a0, a1)| {
            let mid = (a0 + a1) / 2.0;
            let right = mid <= PI;
            let x = if right { disc.cx + r + COLUMN_GAP } else { disc.cx - r - COLUMN_GAP };
            (x, disc.point(r + LEADER, mid).1, right)
        })
        .collect();
    for side in [true, false] {
        let mut column: Vec<usize> = (0..anchors.len()).filter(|&i| anchors[i].2 == side).collect();
        column.sort_by(|&a, &b| anchors[a].1.total_cmp(&anchors[b].1));
        let ys: Vec<f64> = column.iter().map(|&i| anchors[i].1).collect();
        let spread = spread(&ys, height + 1.5, lo, hi)?;
        for (&i, y) in column.iter().zip(spread) {
            anchors[i].1 = y;
        }
    }
    Some((disc, anchors))
}

/// Draws slice `c` from angle `a0` to `a1` (a donut slice when `inner` > 0).
fn draw_slice(canvas: &mut Canvas, disc: Disc, inner: f64, c: usize, a0: f64, a1: f64) {
    let swatch = canvas.palette.swatch(c);
    let full = a1 - a0 >= 2.0 * PI - 1e-9;
    let mut d = if full { circle(PathData::default(), disc, disc.r) } else { sector(disc, inner, a0, a1) };
    if full && inner > 0.0 {
        d = circle(d, disc, inner);
    }
    let el = El::new("path")
        .attr("id", format!("slice-{c}"))
        .attr("d", d.finish())
        .attr("fill", swatch.fill)
        .opt("fill-rule", (full && inner > 0.0).then_some("evenodd"))
        .attr("stroke", BACKGROUND)
        .attr("stroke-width", "1")
        .attr("stroke-linejoin", "round");
    canvas.marks.empty(el);
}

/// A whole circle of `radius` as two half arcs, appended to `d`.
fn circle(d: PathData, disc: Disc, radius: f64) -> PathData {
    let (top, bottom) = (disc.point(radius, 0.0), disc.point(radius, PI));
    d.move_to(top.0, top.1).arc_to(radius, true, true, bottom.0, bottom.1).arc_to(radius, true, true, top.0, top.1).close()
}

/// A pie sector, or a ring sector when `inner` > 0.
fn sector(disc: Disc, inner: f64, a0: f64, a1: f64) -> PathData {
    let large = a1 - a0 > PI;
    let (s, e) = (disc.point(disc.r, a0), disc.point(disc.r, a1));
    let d = if inner > 0.0 {
        let is = disc.point(inner, a0);
        PathData::default().move_to(is.0, is.1).line_to(s.0, s.1)
    } else {
        PathData::default().move_to(disc.cx, disc.cy).line_to(s.0, s.1)
    };
    let d = d.arc_to(disc.r, large, true, e.0, e.1);
    if inner > 0.0 {
        let (ie, is) = (disc.point(inner, a1), disc.point(inner, a0));
        d.line_to(ie.0, ie.1).arc_to(inner, large, false, is.0, is.1).close()
    } else {
        d.close()
    }
}

/// A thin grey ring around the pie (and inside a donut's hole) so pale slices keep an edge.
fn draw_outline(canvas: &mut Canvas, disc: Disc, inner: f64) {
    for (i, radius) in [disc.r, inner].into_iter().filter(|&r| r > 0.0).enumerate() {
        let el = El::new("circle")
            .attr("id", format!("pie-outline-{i}"))
            .num("cx", disc.cx)
            .num("cy", disc.cy)
            .num("r", radius + 0.5)
            .attr("fill", "none")
            .attr("stroke", "#bfbfbf")
            .attr("stroke-width", "0.5");
        canvas.marks.empty(el);
    }
}

/// Draws the label of slice `c` at its column anchor with a leader line to the slice.
fn draw_label(canvas: &mut Canvas, disc: Disc, angles: &(f64, f64), c: usize, text: &str, size: f64, at: (f64, f64, bool)) {
    let (x, y, right) = at;
    let mid = (angles.0 + angles.1) / 2.0;
    let from = disc.point(disc.r - 2.0, mid);
    let elbow = disc.point(disc.r + LEADER, mid);
    let mut d = PathData::default().move_to(from.0, from.1).line_to(elbow.0, elbow.1);
    // Turn along the outside of the pie rather than cut across it.
    if distance_to_segment((disc.cx, disc.cy), elbow, (x, y)) < disc.r + 1.0 {
        d = d.line_to(x, elbow.1);
    }
    d = d.line_to(x, y);
    let leader = El::new("path").attr("id", format!("leader-{c}")).attr("d", d.finish()).attr("fill", "none").attr("stroke", AXIS).attr("stroke-width", "0.5");
    canvas.marks.empty(leader);
    let (tx, anchor) = if right { (x + 2.0, Anchor::Start) } else { (x - 2.0, Anchor::End) };
    canvas.label(Label::new(format!("label-slice-{c}"), text, tx, y + CENTRE_DROP * size, size, anchor));
}

/// Distance from `p` to the segment from `a` to `b`.
fn distance_to_segment(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let length = dx * dx + dy * dy;
    let t = if length > 0.0 { (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / length).clamp(0.0, 1.0) } else { 0.0 };
    let (qx, qy) = (a.0 + t * dx, a.1 + t * dy);
    ((p.0 - qx).powi(2) + (p.1 - qy).powi(2)).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_distance() {
        assert!((distance_to_segment((0.0, 0.0), (-1.0, 1.0), (1.0, 1.0)) - 1.0).abs() < 1e-12);
        assert!((distance_to_segment((0.0, 0.0), (3.0, 4.0), (6.0, 8.0)) - 5.0).abs() < 1e-12);
    }
}
