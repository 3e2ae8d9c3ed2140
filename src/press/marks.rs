//! The printer's marks drawn round each press page, outside the bleed: crop marks (角线) at
//! the four corners of the trim, and a registration target (套准线) in the middle of each
//! side. They are drawn in the `All` separation, so they show on every plate, and only in
//! the slug, the strip of sheet beyond the bleed that is cut away.

/// Points per millimetre.
pub const MM: f32 = 72.0 / 25.4;

/// How far the sheet extends beyond the bleed on each side, for the marks (mm).
pub const SLUG_MM: f32 = 10.0;

/// The gap between the bleed and the marks (mm).
const MARK_GAP_MM: f32 = 1.0;

/// The length of a crop mark (mm).
const CROP_LENGTH_MM: f32 = 5.0;

/// The radius of a registration target's circle (mm).
const TARGET_RADIUS_MM: f32 = 1.5;

/// The width of the marks' lines (pt): a hairline that still prints.
const LINE_WIDTH: f32 = 0.25;

/// The content stream of a page's marks, for a page trimmed to `trim` ([left, bottom,
/// right, top] in pt) with `bleed` pt of bleed; colours in the colour space named `/All`.
pub fn content(trim: [f32; 4], bleed: f32) -> Vec<u8> {
    let [left, bottom, right, top] = trim;
    // The marks start 1 mm beyond the bleed (at least 4 mm from the trim), so they never
    // show inside the printed area, even after an inaccurate cut.
    let offset = bleed.max(3.0 * MM) + MARK_GAP_MM * MM;
    let length = CROP_LENGTH_MM * MM;
    let mut out = format!("q /All CS 1 SCN {LINE_WIDTH} w 0 J\n");
    for (x, y, dx, dy) in [(left, bottom, -1.0, -1.0), (right, bottom, 1.0, -1.0), (left, top, -1.0, 1.0), (right, top, 1.0, 1.0)] {
        // A horizontal mark level with the trim edge, and a vertical one.
        out += &format!("{} {} m {} {} l S\n", n(x + dx * offset), n(y), n(x + dx * (offset + length)), n(y));
        out += &format!("{} {} m {} {} l S\n", n(x), n(y + dy * offset), n(x), n(y + dy * (offset + length)));
    }
    let radius = TARGET_RADIUS_MM * MM;
    let centre = offset + length / 2.0;
    let (middle_x, middle_y) = ((left + right) / 2.0, (bottom + top) / 2.0);
    for (x, y) in [(middle_x, bottom - centre), (middle_x, top + centre), (left - centre, middle_y), (right + centre, middle_y)] {
        out += &target(x, y, radius);
    }
    out += "Q\n";
    out.into_bytes()
}

/// A registration target: a circle with a cross through it, centred on (x, y).
fn target(x: f32, y: f32, radius: f32) -> String {
    // A circle from four Bézier quarters (control points at 0.5523 of the radius).
    let c = 0.5523 * radius;
    let mut out = format!("{} {} m\n", n(x + radius), n(y));
    out += &format!("{} {} {} {} {} {} c\n", n(x + radius), n(y + c), n(x + c), n(y + radius), n(x), n(y + radius));
    out += &format!("{} {} {} {} {} {} c\n", n(x - c), n(y + radius), n(x - radius), n(y + c), n(x - radius), n(y));
    out += &format!("{} {} {} {} {} {} c\n", n(x - radius), n(y - c), n(x - c), n(y - radius), n(x), n(y - radius));
    out += &format!("{} {} {} {} {} {} c S\n", n(x + c), n(y - radius), n(x + radius), n(y - c), n(x + radius), n(y));
    let arm = radius * 1.3; // 1.95 mm: the target stays 1.55 mm clear of the bleed
    out += &format!("{} {} m {} {} l S {} {} m {} {} l S\n", n(x - arm), n(y), n(x + arm), n(y), n(x), n(y - arm), n(x), n(y + arm));
    out
}

/// A coordinate with three decimals.
fn n(value: f32) -> String {
    let rounded = (value * 1000.0).round() / 1000.0;
    format!("{rounded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_stay_outside_the_bleed_and_inside_the_slug() {
        let bleed = 3.0 * MM;
        let (width, height) = (595.0, 842.0);
        let trim = [bleed, bleed, bleed + width, bleed + height];
        let text = String::from_utf8(content(trim, bleed)).unwrap();
        assert!(text.starts_with("q /All CS 1 SCN"), "{text}");
        let slug = SLUG_MM * MM;
        let mut points = 0;
        // Every point drawn (the lines between the first and the last) lies outside the
        // bleed box (0 … trim + bleed) and inside the sheet.
        for line in text.lines().skip(1).filter(|l| *l != "Q") {
            let v: Vec<f32> = line.split_whitespace().filter_map(|w| w.parse().ok()).collect();
            for point in v.chunks_exact(2) {
                points += 1;
                let inside = point[0] > 0.01 && point[0] < 2.0 * bleed + width - 0.01 && point[1] > 0.01 && point[1] < 2.0 * bleed + height - 0.01;
                assert!(!inside, "{point:?} in the bleed box: {line}");
                assert!(point.iter().all(|c| *c >= -slug && *c <= 2.0 * bleed + height + slug), "{point:?} off the sheet");
            }
        }
        assert!(points > 40, "8 crop marks and 4 targets: {text}");
    }
}
