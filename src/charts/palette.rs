//! Colours, hatch patterns and line styles that stay distinguishable when printed in grey.
//!
//! The four solid fills step through clearly different lightness (dark red ≈ 24 % grey,
//! light grey ≈ 65 %, steel blue ≈ 45 %, warm pale grey ≈ 87 %), ordered so that neighbours in
//! a stack or group contrast strongly. From the fifth series on, fills are hatch patterns, which
//! differ by texture rather than by tone; after twelve they repeat (the chart notes it).
//! Lines differ by colour, dash pattern and marker shape.

use super::svg::{El, SvgWriter, rect};
pub(crate) use super::text::TEXT;

/// Secondary text: tick labels and the source note.
pub(crate) const MUTED: &str = "#595959";
/// Light gridlines.
pub(crate) const GRID: &str = "#d9d9d9";
/// The zero line and leader lines.
pub(crate) const AXIS: &str = "#595959";
/// Page background.
pub(crate) const BACKGROUND: &str = "#ffffff";
/// Outline drawn around pale or hatched fills so their edge shows on white paper.
const OUTLINE: &str = "#8c8c8c";

/// The solid fills in series order: colour and whether labels on it are set in white.
const SOLID: [(&str, bool); 4] = [("#8c1c13", true), ("#a6a6a6", false), ("#5b7a94", true), ("#e3dcd2", false)];

/// How many distinct fills there are before they repeat.
pub(crate) const FILLS: usize = 4 + HATCHES.len();

/// What a hatch tile shows.
#[derive(Debug, Clone, Copy)]
enum Motif {
    /// One stripe per tile (the tile's rotation sets the direction).
    Stripe,
    /// Two crossing stripes.
    Cross,
    /// A dot.
    Dot,
}

/// The hatches for fills 5 to 12: background, ink, tile rotation in degrees, motif.
/// They differ in texture (direction, crossing, dots) as well as in tone.
const HATCHES: [(&str, &str, i32, Motif); 8] = [
    ("#ffffff", "#8c1c13", 45, Motif::Stripe),
    ("#d9d9d9", "#404040", 45, Motif::Cross),
    ("#ffffff", "#262626", -45, Motif::Stripe),
    ("#f2e6e4", "#8c1c13", 0, Motif::Dot),
    ("#ffffff", "#5b7a94", 90, Motif::Stripe),
    ("#d9d9d9", "#262626", 0, Motif::Dot),
    ("#e3dcd2", "#8c1c13", 0, Motif::Stripe),
    ("#ffffff", "#8c1c13", 0, Motif::Cross),
];

/// How one series (or pie slice) is filled.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Swatch {
    /// Value of the `fill` attribute: a colour or a `url(#…)` pattern reference.
    pub fill: String,
    /// Outline colour, for fills that would not show their edge on white.
    pub outline: Option<&'static str>,
    /// Colour of a label written on the fill.
    pub label: &'static str,
    /// Whether a label on the fill needs a white backing to stay legible (hatches).
    pub backed: bool,
}

/// `#rrggbb` as its three channels.
pub(crate) fn rgb(colour: &str) -> Option<[u8; 3]> {
    let hex = colour.strip_prefix('#').filter(|h| h.len() == 6 && h.is_ascii())?;
    let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some([channel(0)?, channel(2)?, channel(4)?])
}

/// WCAG 2 relative luminance of `#rrggbb` (0 when it is not one).
fn luminance(colour: &str) -> f64 {
    let Some(channels) = rgb(colour) else { return 0.0 };
    let linear = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.03928 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
    };
    0.2126 * linear(channels[0]) + 0.7152 * linear(channels[1]) + 0.0722 * linear(channels[2])
}

/// WCAG 2 contrast ratio of two `#rrggbb` colours.
fn contrast(a: &str, b: &str) -> f64 {
    let (a, b) = (luminance(a), luminance(b));
    (a.max(b) + 0.05) / (a.min(b) + 0.05)
}

/// The colours of a chart's data: the design's solid fills (or the built-in ones), then the
/// hatches, and the line styles, whose first two colours are the first and third fill.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Palette {
    solid: [String; 4],
}

impl Palette {
    /// The palette with `colours` (`#rrggbb`) as its first solid fills; the built-in fills
    /// complete a shorter list. Colours not written `#rrggbb` are left out (the options are
    /// checked before a chart is drawn).
    pub fn new(colours: &[String]) -> Self {
        let mut given = colours.iter().filter(|c| rgb(c).is_some());
        Palette { solid: std::array::from_fn(|i| given.next().cloned().unwrap_or_else(|| SOLID[i].0.to_string())) }
    }

    /// The fill of series (or slice) `index`.
    pub fn swatch(&self, index: usize) -> Swatch {
        let index = index % FILLS;
        match self.solid.get(index) {
            Some(colour) => {
                // A pale fill is outlined so its edge shows on white; a label on a fill is
                // white or black, whichever reads better on it.
                let outline = (contrast(colour, BACKGROUND) < 1.6).then_some(OUTLINE);
                let label = if contrast(colour, BACKGROUND) >= contrast(colour, TEXT) { BACKGROUND } else { TEXT };
                Swatch { fill: colour.clone(), outline, label, backed: false }
            }
            None => Swatch { fill: format!("url(#{})", pattern_id(index)), outline: Some(AXIS), label: TEXT, backed: true },
        }
    }

    /// Writes the `<pattern>` definitions needed for `count` series into `<defs>`.
    pub fn write_patterns(&self, w: &mut SvgWriter, count: usize) {
        for index in SOLID.len()..count.min(FILLS) {
            self.write_pattern(w, index);
        }
    }

    /// The ink of a hatch or line: the built-in first and third fills stand for the
    /// palette's.
    fn ink(&self, colour: &'static str) -> String {
        match SOLID.iter().position(|(c, _)| *c == colour) {
            Some(index) => self.solid[index].clone(),
            None => colour.to_string(),
        }
    }

    /// One hatch pattern: a background tile with stripes or dots, in user space so every bar
    /// shows the same texture.
    fn write_pattern(&self, w: &mut SvgWriter, index: usize) {
        let Some(&(background, ink, angle, motif)) = HATCHES.get(index - SOLID.len()) else { return };
        let ink = self.ink(ink);
        let size = 5.0;
        w.open(
            El::new("pattern")
                .attr("id", pattern_id(index))
                .attr("patternUnits", "userSpaceOnUse")
                .num("width", size)
                .num("height", size)
                .attr("patternTransform", format!("rotate({angle})")),
        );
        w.empty(rect(0.0, 0.0, size, size).attr("fill", background));
        match motif {
            Motif::Stripe => w.empty(rect(0.0, 0.0, 1.6, size).attr("fill", ink)),
            Motif::Cross => {
                w.empty(rect(0.0, 0.0, 1.2, size).attr("fill", ink.clone()));
                w.empty(rect(0.0, 0.0, size, 1.2).attr("fill", ink));
            }
            Motif::Dot => w.empty(El::new("circle").num("cx", 2.5).num("cy", 2.5).num("r", 1.1).attr("fill", ink)),
        }
        w.close("pattern");
    }

    /// The style of line series `index`.
    pub fn line_style(&self, index: usize) -> LineStyle {
        const STYLES: [(&str, Option<&str>, Marker); 6] = [
            ("#8c1c13", None, Marker::Circle),
            ("#5b7a94", Some("5 2.5"), Marker::Square),
            ("#262626", Some("1.5 2"), Marker::Triangle),
            ("#8c8c8c", None, Marker::Diamond),
            ("#8c1c13", Some("6 2 1.5 2"), Marker::Square),
            ("#262626", None, Marker::Diamond),
        ];
        let (colour, dash, marker) = STYLES[index % STYLES.len()];
        LineStyle { colour: self.ink(colour), dash, marker }
    }
}

/// The fill of series (or slice) `index` in the built-in palette.
#[cfg(test)]
pub(crate) fn swatch(index: usize) -> Swatch {
    Palette::new(&[]).swatch(index)
}

/// The id of the hatch pattern for fill `index` (4 to 11).
fn pattern_id(index: usize) -> String {
    format!("hatch-{index}")
}

/// Marker shapes drawn at the points of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Marker {
    /// A filled circle.
    Circle,
    /// A filled square.
    Square,
    /// A filled triangle, point up.
    Triangle,
    /// A filled diamond.
    Diamond,
}

/// How one series of a line chart is drawn.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LineStyle {
    /// Stroke and marker colour.
    pub colour: String,
    /// `stroke-dasharray`, or `None` for a solid line.
    pub dash: Option<&'static str>,
    /// Marker at each point.
    pub marker: Marker,
}

/// A marker of `shape` centred on (`x`, `y`) with the given half size.
pub(crate) fn marker(shape: Marker, x: f64, y: f64, half: f64) -> El {
    use super::svg::PathData;
    match shape {
        Marker::Circle => El::new("circle").num("cx", x).num("cy", y).num("r", half),
        Marker::Square => rect(x - half, y - half, 2.0 * half, 2.0 * half),
        Marker::Triangle => {
            let d = PathData::default().move_to(x, y - half * 1.15).line_to(x + half * 1.15, y + half * 0.85).line_to(x - half * 1.15, y + half * 0.85).close();
            El::new("path").attr("d", d.finish())
        }
        Marker::Diamond => {
            let r = half * 1.3;
            let d = PathData::default().move_to(x, y - r).line_to(x + r, y).line_to(x, y + r).line_to(x - r, y).close();
            El::new("path").attr("d", d.finish())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Luma (0–255) of a `#rrggbb` colour, as a greyscale printer would render it.
    fn luma(colour: &str) -> f64 {
        let channel = |i: usize| f64::from(u8::from_str_radix(&colour[i..i + 2], 16).unwrap_or(0));
        0.299 * channel(1) + 0.587 * channel(3) + 0.114 * channel(5)
    }

    #[test]
    fn solid_fills_differ_clearly_in_grey() {
        let mut lumas: Vec<f64> = SOLID.iter().map(|(c, _)| luma(c)).collect();
        lumas.sort_by(f64::total_cmp);
        for pair in lumas.windows(2) {
            assert!(pair[1] - pair[0] >= 40.0, "grey steps too close: {lumas:?}");
        }
        // Neighbouring series (as in a stack) differ even more.
        for pair in SOLID.windows(2) {
            assert!((luma(pair[0].0) - luma(pair[1].0)).abs() >= 50.0, "{pair:?}");
        }
        assert_eq!(SOLID[0].0, "#8c1c13");
    }

    #[test]
    fn labels_on_fills_have_contrast() {
        for (index, (colour, light_text)) in SOLID.into_iter().enumerate() {
            let l = luma(colour);
            assert_eq!(light_text, l < 128.0, "{colour}: luma {l}");
            assert_eq!(swatch(index).label == BACKGROUND, light_text, "{colour}");
        }
        // A design's own colours: a white label on a dark fill, an outline round a pale one.
        let design = Palette::new(&["#1f3a5f".to_string(), "#dde3ea".to_string()]);
        assert_eq!((design.swatch(0).fill.as_str(), design.swatch(0).label, design.swatch(0).outline), ("#1f3a5f", BACKGROUND, None));
        assert_eq!((design.swatch(1).label, design.swatch(1).outline), (TEXT, Some(OUTLINE)));
        assert_eq!(design.swatch(2).fill, SOLID[2].0, "the built-in fills complete a short palette");
        assert_eq!(design.line_style(0).colour, "#1f3a5f");
    }

    #[test]
    fn later_series_are_hatched() {
        assert!(!swatch(0).fill.starts_with("url"));
        assert_eq!(swatch(4).fill, "url(#hatch-4)");
        assert!(swatch(5).backed);
        assert_eq!(swatch(FILLS), swatch(0));
        let fills: Vec<String> = (0..FILLS).map(|i| swatch(i).fill).collect();
        for (i, f) in fills.iter().enumerate() {
            assert!(!fills[..i].contains(f), "fill {i} repeats");
        }
        let mut w = SvgWriter::default();
        Palette::new(&[]).write_patterns(&mut w, 6);
        let defs = w.finish();
        assert!(defs.contains("id=\"hatch-4\"") && defs.contains("id=\"hatch-5\"") && !defs.contains("hatch-6"));
    }
}
