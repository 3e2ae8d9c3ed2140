//! The EPUB stylesheet: `@font-face` rules for the embedded subsets, followed by the
//! design in `assets/epub.css` (the EPUB counterpart of `assets/report.typ`).
//!
//! Restyle the EPUB in `epub.css`; the font families it may use are the embedded ones,
//! the design's `[fonts]` in `design.toml` (see [`super::fonts`]).

use std::path::Path;

use crate::diagnostics::{Diagnostic, io_error};

use super::fonts::EmbeddedFont;

/// The EPUB design, relative to the design directory.
pub const DESIGN: &str = "epub.css";

/// The stylesheet for `fonts`, with the design read from `design_dir` and its `accent`
/// colour (`#rrggbb`, from `design.toml`) for both themes.
pub fn stylesheet(design_dir: &Path, fonts: &[EmbeddedFont], accent: Option<&str>) -> Result<String, Diagnostic> {
    let path = design_dir.join(DESIGN);
    let design = std::fs::read_to_string(&path).map_err(|e| {
        let mut diagnostic = io_error(&path, "read the EPUB design", &e);
        diagnostic.hint = Some("run reportpress from the project root, or pass --assets DIR".into());
        diagnostic
    })?;
    let mut css = String::from("@charset \"UTF-8\";\n\n/* Embedded fonts: the design's faces, subset to the characters of this book. */\n");
    for font in fonts {
        // The family is a font's own name (design.toml names it, the fonts directory has it),
        // written as a CSS string; the file name is ASCII made by `super::fonts`.
        css.push_str(&format!(
            "@font-face {{\n  font-family: \"{}\";\n  font-weight: {};\n  font-style: normal;\n  src: url(\"{}\") format(\"opentype\");\n}}\n",
            css_string(&font.face.family),
            font.face.weight,
            font.href
        ));
    }
    css.push('\n');
    let design = design.strip_prefix("@charset \"UTF-8\";").unwrap_or(&design).trim_start();
    let mut values = day_values(design);
    let accent = accent.and_then(Rgb::parse);
    if let Some(accent) = accent {
        values.push(("--accent".to_string(), day_accent(accent).hex()));
    }
    css.push_str(&with_fallbacks(design, &values));
    css.push_str(&reflow_rules());
    if let Some(accent) = accent {
        css.push_str(&accent_rules(accent));
    }
    Ok(css)
}

/// The custom properties the design's first `:root { … }` rule sets (its day values), in
/// order; a later value of the same property wins.
fn day_values(css: &str) -> Vec<(String, String)> {
    let Some(start) = css.find(":root") else { return Vec::new() };
    let rest = &css[start..];
    let (Some(open), Some(close)) = (rest.find('{'), rest.find('}')) else { return Vec::new() };
    if close < open {
        return Vec::new();
    }
    let body = strip_comments(&rest[open + 1..close]);
    body.split(';')
        .filter_map(|declaration| declaration.split_once(':'))
        .map(|(name, value)| (name.trim().to_string(), value.trim().to_string()))
        .filter(|(name, value)| name.starts_with("--") && !value.is_empty())
        .collect()
}

/// `css` without its `/* … */` comments.
fn strip_comments(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        rest = rest[start + 2..].find("*/").map_or("", |end| &rest[start + 2 + end + 2..]);
    }
    out.push_str(rest);
    out
}

/// `css` with a plain declaration before every declaration that uses `var(--name)`: the same
/// property with the day value of each custom property in `values`. A reader that does not
/// know custom properties (calibre's AZW3 and MOBI output, older e-ink readers) drops the
/// `var()` declaration and keeps the plain one; the others take the later `var()` one.
fn with_fallbacks(css: &str, values: &[(String, String)]) -> String {
    let value_of = |name: &str| values.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
    let mut out = String::with_capacity(css.len() + 1024);
    let mut rest = css;
    while let Some(at) = rest.find("var(--") {
        // The declaration holding it starts after the last `{`, `;` or comment end before it.
        let start = rest[..at].rfind(['{', ';']).map_or(0, |i| i + 1).max(rest[..at].rfind("*/").map_or(0, |i| i + 2));
        let end = rest[at..].find([';', '}']).map_or(rest.len(), |i| at + i);
        let declaration = &rest[start..end];
        let mut plain = declaration.trim_start().to_string();
        let mut known = true;
        while let Some(var) = plain.find("var(--") {
            let Some(close) = plain[var..].find(')') else {
                known = false;
                break;
            };
            let name = plain[var + 4..var + close].split(',').next().unwrap_or("").trim().to_string();
            match value_of(&name) {
                Some(value) => plain.replace_range(var..var + close + 1, value),
                None => {
                    known = false;
                    break;
                }
            }
        }
        out.push_str(&rest[..start]);
        if known {
            let indent = &declaration[..declaration.len() - declaration.trim_start().len()];
            out.push_str(indent);
            out.push_str(&plain);
            out.push(';');
        }
        out.push_str(declaration);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The reflowed tables (see `super::sections::stack_width`): below each screen width a table
/// may need, the tables that need it become a list of rows, each headed by its row key, each
/// cell a line with its column heading (`.cell-label`) before the value. The column headings
/// stay in the table for screen readers, out of sight.
fn reflow_rules() -> String {
    let mut css = String::from("\n/* Tables wider than the screen reflow: one block per row, each value after its heading. */\n");
    for width in super::sections::STACK_STEPS {
        let t = format!("table.three-line.stack-{width}");
        css.push_str(&format!(
            "@media (max-width: {width}em) {{
  {t}, {t} > caption, {t} > tbody, {t} > tbody > tr, {t} > tbody > tr > th, {t} > tbody > tr > td {{ display: block; }}
  {t} {{ width: 100%; }}
  {t} > thead {{ position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap; }}
  {t} > tbody > tr {{ padding: 0.35em 0; border-top: 1px solid currentColor; }}
  {t} > tbody > tr:first-child {{ border-top: 0; }}
  {t} > tbody > tr > th {{ font-weight: bold; padding: 0 0.2em 0.1em; }}
  {t} > tbody > tr > td {{ display: flex; justify-content: space-between; align-items: baseline; gap: 1em; padding: 0 0.2em 0 1em; text-align: right; }}
  {t} .cell-label {{ display: block; text-align: left; }}
}}
"
        ));
    }
    css
}

/// A colour, as `#rrggbb` writes it.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Rgb([f64; 3]);

impl Rgb {
    /// `#rrggbb` (the form `design.toml` uses); anything else is not read.
    fn parse(text: &str) -> Option<Rgb> {
        let hex = text.trim().strip_prefix('#')?;
        if hex.len() != 6 || !hex.is_ascii() {
            return None;
        }
        let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok().map(f64::from);
        Some(Rgb([channel(0)?, channel(2)?, channel(4)?]))
    }

    /// WCAG 2 relative luminance.
    fn luminance(self) -> f64 {
        let linear = |c: f64| {
            let c = c / 255.0;
            if c <= 0.03928 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
        };
        0.2126 * linear(self.0[0]) + 0.7152 * linear(self.0[1]) + 0.0722 * linear(self.0[2])
    }

    /// WCAG 2 contrast ratio with `other`.
    fn contrast(self, other: Rgb) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }

    /// This colour mixed with `other`, `share` of the way (in whole steps of 1/255, as written).
    fn mix(self, other: Rgb, share: f64) -> Rgb {
        Rgb(std::array::from_fn(|i| (self.0[i] + (other.0[i] - self.0[i]) * share).round()))
    }

    /// The first mix towards `other` (in steps of 2 %) that reads at `ratio` or more on `ground`.
    fn readable_on(self, ground: Rgb, other: Rgb, ratio: f64) -> Rgb {
        (0..=50).map(|step| self.mix(other, f64::from(step) / 50.0)).find(|c| c.contrast(ground) >= ratio).unwrap_or(other)
    }

    /// Its HSL lightness (0–1).
    fn lightness(self) -> f64 {
        let [r, g, b] = self.0.map(|c| c / 255.0);
        (r.max(g).max(b) + r.min(g).min(b)) / 2.0
    }

    /// The same hue and saturation at lightness `lightness` (0–1).
    fn with_lightness(self, lightness: f64) -> Rgb {
        let [r, g, b] = self.0.map(|c| c / 255.0);
        let (max, min) = (r.max(g).max(b), r.min(g).min(b));
        let l = (max + min) / 2.0;
        let delta = max - min;
        let saturation = if delta == 0.0 { 0.0 } else { delta / (1.0 - (2.0 * l - 1.0).abs()) };
        let hue = if delta == 0.0 {
            0.0
        } else if max == r {
            60.0 * ((g - b) / delta).rem_euclid(6.0)
        } else if max == g {
            60.0 * ((b - r) / delta + 2.0)
        } else {
            60.0 * ((r - g) / delta + 4.0)
        };
        let chroma = (1.0 - (2.0 * lightness - 1.0).abs()) * saturation;
        let x = chroma * (1.0 - ((hue / 60.0).rem_euclid(2.0) - 1.0).abs());
        let (r, g, b) = match hue {
            h if h < 60.0 => (chroma, x, 0.0),
            h if h < 120.0 => (x, chroma, 0.0),
            h if h < 180.0 => (0.0, chroma, x),
            h if h < 240.0 => (0.0, x, chroma),
            h if h < 300.0 => (x, 0.0, chroma),
            _ => (chroma, 0.0, x),
        };
        let m = lightness - chroma / 2.0;
        Rgb([r, g, b].map(|c| ((c + m) * 255.0).round()))
    }

    /// Lightened, keeping its hue and saturation, until it reads at `ratio` on `ground` (a
    /// night theme: a vivid light tint rather than a grey one).
    fn lightened_for(self, ground: Rgb, ratio: f64) -> Rgb {
        if self.contrast(ground) >= ratio {
            return self;
        }
        (0..=100)
            .map(|step| self.with_lightness(f64::from(step) / 100.0))
            .find(|c| c.luminance() > ground.luminance() && c.contrast(ground) >= ratio)
            .unwrap_or(Rgb([255.0; 3]))
    }

    fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0[0].round() as u8, self.0[1].round() as u8, self.0[2].round() as u8)
    }
}

/// The accent for the day theme: as written where it reads at 7:1 on white, darkened until it does otherwise.
fn day_accent(accent: Rgb) -> Rgb {
    accent.readable_on(Rgb([255.0; 3]), Rgb([0.0; 3]), 7.0)
}

/// The design's accent (`[layout] accent` in `design.toml`, the PDF's) for the reading
/// system's day and night themes: as written where it reads at 7:1 on white (darkened until it
/// does otherwise), and lightened (same hue and saturation) until it reads at 7:1 on a night
/// theme's #121212.
fn accent_rules(accent: Rgb) -> String {
    let (white, night) = (Rgb([255.0; 3]), Rgb([18.0; 3]));
    let day = day_accent(accent);
    let dark = accent.lightened_for(night, 7.0);
    format!(
        "\n/* The design's accent (design.toml), {:.1}:1 on white and {:.1}:1 on #121212. */\n:root {{ --accent: {}; }}\n@media (prefers-color-scheme: dark) {{\n  :root {{ --accent: {}; }}\n}}\n",
        day.contrast(white),
        dark.contrast(night),
        day.hex(),
        dark.hex()
    )
}

/// The least contrast of chart data with the page, by day (white) and night (#121212), with
/// a little to spare over WCAG 1.4.11's 3:1.
const DATA_CONTRAST: f64 = 3.1;

/// A chart colour (`#rrggbb`) as the EPUB draws it: the same hue and saturation at the
/// lightness nearest its own at which it reads at 3:1 or more both on white and on a night
/// theme's #121212 (WCAG 1.4.11), so one SVG serves both themes; as written when it does.
/// Anything not `#rrggbb` is returned as it is.
pub fn for_screens(colour: &str) -> String {
    let Some(rgb) = Rgb::parse(colour) else { return colour.to_string() };
    let (white, night) = (Rgb([255.0; 3]), Rgb([18.0; 3]));
    let reads = |c: Rgb| c.contrast(white) >= DATA_CONTRAST && c.contrast(night) >= DATA_CONTRAST;
    if reads(rgb) {
        return rgb.hex();
    }
    let own = rgb.lightness();
    (0..=200)
        .map(|step| f64::from(step) / 200.0)
        .map(|lightness| (lightness, rgb.with_lightness(lightness)))
        .filter(|(_, c)| reads(*c))
        .min_by(|a, b| (a.0 - own).abs().total_cmp(&(b.0 - own).abs()))
        .map_or_else(|| rgb.hex(), |(_, c)| c.hex())
}

/// The inside of a double-quoted CSS string holding `text`.
fn css_string(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '"' | '\\' => format!("\\{c}"),
            c if c.is_control() => format!("\\{:x} ", c as u32),
            c => c.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_accent_reads_at_seven_to_one_in_both_themes() {
        let (white, night) = (Rgb([255.0; 3]), Rgb([18.0; 3]));
        for accent in ["#8c1c13", "#1f3a5f", "#5a3d1e", "#ffcc00", "#000000"] {
            let rules = accent_rules(Rgb::parse(accent).unwrap());
            let colours: Vec<Rgb> = rules.match_indices("--accent: #").map(|(at, _)| Rgb::parse(&rules[at + 10..at + 17]).unwrap()).collect();
            assert_eq!(colours.len(), 2, "{rules}");
            assert!(colours[0].contrast(white) >= 7.0 && colours[1].contrast(night) >= 7.0, "{accent}: {rules}");
        }
        // A dark accent that already reads well on white is kept as written.
        assert!(accent_rules(Rgb::parse("#1f3a5f").unwrap()).contains(":root { --accent: #1f3a5f; }"));
        assert_eq!(Rgb::parse("1f3a5f"), None);
        assert_eq!(Rgb::parse("#1f3a5"), None);
    }
    use crate::design::Design;

    #[test]
    fn the_stylesheet_names_exactly_the_design_fonts() {
        let assets = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets");
        let fonts = Design::load(&assets).expect("the design loads").fonts.expect("[fonts] in design.toml");
        let css = std::fs::read_to_string(assets.join(DESIGN)).unwrap();
        let mut named: Vec<&str> = css
            .lines()
            .filter(|line| !line.trim_start().starts_with('*'))
            .filter_map(|line| line.split("font-family:").nth(1))
            .filter_map(|value| value.split('"').nth(1))
            .collect();
        named.sort();
        named.dedup();
        let mut expected = vec![fonts.body.as_str(), fonts.heading.as_str(), fonts.mono.as_str()];
        expected.sort();
        assert_eq!(named, expected, "epub.css and design.toml name different families");
    }

    #[test]
    fn chart_colours_read_at_three_to_one_by_day_and_night() {
        let (white, night) = (Rgb([255.0; 3]), Rgb([18.0; 3]));
        for colour in ["#8c1c13", "#a6a6a6", "#5b7a94", "#e3dcd2", "#1f3a5f", "#5a3d1e", "#ffff00", "#000000"] {
            let screen = Rgb::parse(&for_screens(colour)).unwrap();
            assert!(screen.contrast(white) >= 3.0 && screen.contrast(night) >= 3.0, "{colour} → {}", screen.hex());
        }
        // A colour that already reads in both themes is kept.
        assert_eq!(for_screens("#5b7a94"), "#5b7a94");
        assert_eq!(for_screens("url(#hatch-4)"), "url(#hatch-4)");
    }

    #[test]
    fn declarations_with_custom_properties_get_a_plain_value_first() {
        let css = ":root {\n  --accent: #8c1c13; /* red */\n  --muted: #595959;\n}\nh1 { font-size: 1.3em; color: var(--accent); }\n.a {\n  border-top: 2px solid var(--accent);\n  color: var(--unknown);\n}\n";
        let values = day_values(css);
        assert_eq!(values, [("--accent".to_string(), "#8c1c13".to_string()), ("--muted".to_string(), "#595959".to_string())]);
        let out = with_fallbacks(css, &values);
        assert!(out.contains("h1 { font-size: 1.3em; color: #8c1c13; color: var(--accent); }"), "{out}");
        assert!(out.contains("\n  border-top: 2px solid #8c1c13;\n  border-top: 2px solid var(--accent);"), "{out}");
        assert!(out.contains("{\n  --accent: #8c1c13;"), "{out}");
        assert_eq!(out.matches("var(--unknown)").count(), 1, "no plain value for an unknown property: {out}");
    }

    #[test]
    fn family_names_are_escaped_as_css_strings() {
        assert_eq!(css_string("Noto Sans CJK SC"), "Noto Sans CJK SC");
        assert_eq!(css_string("A\"B\\C"), "A\\\"B\\\\C");
    }
}
