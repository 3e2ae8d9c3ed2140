//! The EPUB stylesheet: `@font-face` rules for the embedded subsets, followed by the
//! design in `assets/epub.css` (the EPUB counterpart of `assets/report.typ`).
//!
//! Restyle the EPUB in `epub.css`; the font families it may use are the embedded ones,
//! the design's `[fonts]` in `design.toml` (see [`super::fonts`]).

use std::path::Path;

use crate::diagnostics::Diagnostic;

use super::fonts::EmbeddedFont;

/// The EPUB design, relative to the design directory.
pub const DESIGN: &str = "epub.css";

/// The stylesheet for `fonts`, with the design read from `design_dir` and its `accent`
/// colour (`#rrggbb`, from `design.toml`) for both themes.
pub fn stylesheet(design_dir: &Path, fonts: &[EmbeddedFont], accent: Option<&str>) -> Result<String, Diagnostic> {
    let path = design_dir.join(DESIGN);
    let design = crate::source::read_text_within(design_dir, &path, "the EPUB design").map_err(|mut diagnostic| {
        diagnostic.hint = Some("run reportpress from the project root, or pass --assets DIR".into());
        diagnostic
    })?;
    refuse_imports(&path, &design)?;
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
    css.push_str(design.strip_prefix("@charset \"UTF-8\";").unwrap_or(&design).trim_start());
    if let Some(accent) = accent.and_then(Rgb::parse) {
        css.push_str(&accent_rules(accent));
    }
    Ok(css)
}

/// Refuses an `@import` in the EPUB design: a remote or `file://` stylesheet would be
/// fetched by the reading system (or read from the reader's disk), and one beside it is not
/// packed into the EPUB; the design is one file. Comments and strings are skipped.
fn refuse_imports(path: &Path, css: &str) -> Result<(), Diagnostic> {
    let bytes = css.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'*') => i = css[i + 2..].find("*/").map_or(bytes.len(), |end| i + 2 + end + 2),
            quote @ (b'"' | b'\'') => {
                i += 1;
                while i < bytes.len() && bytes[i] != quote {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'@' if css[i + 1..].get(..6).is_some_and(|w| w.eq_ignore_ascii_case("import")) => {
                let line = css[..i].matches('\n').count() + 1;
                let statement: String = css[i..].chars().take_while(|&c| c != ';' && c != '\n').take(120).collect();
                return Err(Diagnostic::error(
                    path,
                    format!("the EPUB design imports another stylesheet (`{statement}`): a remote or local file would not be in the EPUB"),
                )
                .at_line(line)
                .with_hint("copy the rules into epub.css instead of importing them"));
            }
            _ => i += 1,
        }
    }
    Ok(())
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

/// The design's accent (`[layout] accent` in `design.toml`, the PDF's) for the reading
/// system's day and night themes: as written where it reads at 7:1 on white (darkened until it
/// does otherwise), and lightened (same hue and saturation) until it reads at 7:1 on a night
/// theme's #121212.
fn accent_rules(accent: Rgb) -> String {
    let (white, black, night) = (Rgb([255.0; 3]), Rgb([0.0; 3]), Rgb([18.0; 3]));
    let day = accent.readable_on(white, black, 7.0);
    let dark = accent.lightened_for(night, 7.0);
    format!(
        "\n/* The design's accent (design.toml), {:.1}:1 on white and {:.1}:1 on #121212. */\n:root {{ --accent: {}; }}\n@media (prefers-color-scheme: dark) {{\n  :root {{ --accent: {}; }}\n}}\n",
        day.contrast(white),
        dark.contrast(night),
        day.hex(),
        dark.hex()
    )
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
    fn imported_stylesheets_are_refused_at_their_line() {
        let path = Path::new("epub.css");
        for css in ["p { color: red; }\n@import url(\"https://evil.example/x.css\");\n", "a {}\n@IMPORT 'file:///etc/passwd';"] {
            let error = refuse_imports(path, css).unwrap_err();
            assert_eq!(error.line, Some(2), "{error}");
            assert!(error.message.contains("imports another stylesheet"), "{error}");
        }
        assert!(refuse_imports(path, "/* @import x; */ p::after { content: \"@import\"; }").is_ok());
    }

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
    fn family_names_are_escaped_as_css_strings() {
        assert_eq!(css_string("Noto Sans CJK SC"), "Noto Sans CJK SC");
        assert_eq!(css_string("A\"B\\C"), "A\\\"B\\\\C");
    }
}
