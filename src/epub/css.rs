//! The EPUB stylesheet: `@font-face` rules for the embedded subsets, followed by the
//! design in `assets/epub.css` (the EPUB counterpart of `assets/report.typ`).
//!
//! Restyle the EPUB in `epub.css`; the font families it may use are the embedded ones,
//! the design's `[fonts]` in `design.toml` (see [`super::fonts`]). The design's custom
//! properties (`var(--accent)`) are resolved here into plain values and night-theme rules, so
//! readers without them (calibre's Kindle output) keep every colour; the reflowed-table rules
//! and the chart colours for screens ([`for_screens`]) are made here too.

use std::path::Path;

use crate::diagnostics::Diagnostic;

use super::fonts::EmbeddedFont;

/// The EPUB design, relative to the design directory.
pub const DESIGN: &str = "epub.css";

/// The stylesheet for `fonts`, with the design read from `design_dir` and its `accent`
/// colour (`#rrggbb`, from `design.toml`) for both themes.
///
/// `regional`: families the design names that the document's language replaced (`Noto
/// Serif CJK SC` → `… TC`, [`crate::design::Design::for_language`]); the stylesheet's
/// `font-family` names follow, so the rules name the embedded faces.
pub fn stylesheet(design_dir: &Path, fonts: &[EmbeddedFont], accent: Option<&str>, regional: &[(String, String)]) -> Result<String, Diagnostic> {
    let path = design_dir.join(DESIGN);
    let mut design = crate::source::read_text_within(design_dir, &path, "the EPUB design").map_err(|mut diagnostic| {
        diagnostic.hint = Some("run reportpress from the project root, or pass --assets DIR".into());
        diagnostic
    })?;
    for (named, used) in regional {
        design = design.replace(&format!("\"{named}\""), &format!("\"{used}\"")).replace(&format!("'{named}'"), &format!("'{used}'"));
    }
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
    let design = design.strip_prefix("@charset \"UTF-8\";").unwrap_or(&design).trim_start();
    let mut resolved = resolve_custom_properties(design);
    if let Some(accent) = accent.and_then(Rgb::parse) {
        // The design's accent (`[layout] accent`), for both themes.
        let (day, dark) = accent_for_themes(accent);
        resolved.day.push(("--accent".into(), day.hex()));
        resolved.night.push(("--accent".into(), dark.hex()));
        css.push_str(&format!(
            "/* The design's accent (design.toml): {} ({:.1}:1 on white), at night {} ({:.1}:1 on #121212). */\n",
            day.hex(),
            day.contrast(Rgb([255.0; 3])),
            dark.hex(),
            dark.contrast(Rgb([18.0; 3]))
        ));
    }
    css.push_str(&resolved.write());
    css.push_str(&reflow_rules());
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

/// The media query of the night theme's rules. Chromium, WebKit and Readium apply it in a
/// dark theme; calibre, which applies any media feature it does not know (it would set the
/// night colours in its day-only Kindle files), refuses width features, so `(min-width: 0)`,
/// true on every screen, keeps the rules out of its conversions.
pub const NIGHT: &str = "(min-width: 0) and (prefers-color-scheme: dark)";

/// A style sheet split at its top-level rules: each rule's prelude (selector or at-rule, with
/// the comments before it) and block (`None` for a statement such as `@import …;`).
fn top_level_rules(css: &str) -> Vec<(String, Option<String>)> {
    let mut rules = Vec::new();
    let (mut prelude_start, mut depth, mut block_start) = (0, 0usize, 0);
    let bytes = css.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = css[i + 2..].find("*/").map_or(bytes.len(), |end| i + 2 + end + 2);
                continue;
            }
            quote @ (b'"' | b'\'') => {
                i += 1;
                while i < bytes.len() && bytes[i] != quote {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'{' => {
                if depth == 0 {
                    block_start = i;
                }
                depth += 1;
            }
            b'}' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    rules.push((css[prelude_start..block_start].to_string(), Some(css[block_start + 1..i].to_string())));
                    prelude_start = i + 1;
                }
            }
            b';' if depth == 0 => {
                rules.push((css[prelude_start..=i].to_string(), None));
                prelude_start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    let rest = &css[prelude_start.min(css.len())..];
    if !rest.trim().is_empty() {
        rules.push((rest.to_string(), None));
    }
    rules
}

/// The declarations of a rule's block, in order, without comments: (property, value).
fn declarations(block: &str) -> Vec<(String, String)> {
    strip_comments(block)
        .split(';')
        .filter_map(|declaration| declaration.split_once(':'))
        .map(|(name, value)| (name.trim().to_string(), value.trim().to_string()))
        .filter(|(name, value)| !name.is_empty() && !value.is_empty())
        .collect()
}

/// A selector or media query without the comments before it, on one line.
fn bare(prelude: &str) -> String {
    strip_comments(prelude).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A style sheet with its custom properties taken out (see [`Resolved::write`]).
struct Resolved {
    /// The rules, without the `:root` rules that set custom properties; the night theme's
    /// media queries rewritten as [`NIGHT`].
    rules: Vec<(String, Option<String>)>,
    /// The custom properties of the top-level `:root` rules, in order.
    day: Vec<(String, String)>,
    /// The custom properties set in `:root` inside the night theme's media query.
    night: Vec<(String, String)>,
}

/// Splits `css` into [`Resolved`] parts.
fn resolve_custom_properties(css: &str) -> Resolved {
    let (mut rules, mut day, mut night) = (Vec::new(), Vec::new(), Vec::new());
    let custom = |block: &str| declarations(block).into_iter().filter(|(name, _)| name.starts_with("--")).collect::<Vec<_>>();
    for (prelude, block) in top_level_rules(css) {
        let query = bare(&prelude);
        match block {
            Some(block) if query == ":root" => day.extend(custom(&block)),
            Some(block) if query.starts_with("@media") && query.contains("prefers-color-scheme: dark") => {
                let mut kept = Vec::new();
                for (inner, inner_block) in top_level_rules(&block) {
                    match inner_block {
                        Some(inner_block) if bare(&inner) == ":root" => night.extend(custom(&inner_block)),
                        other => kept.push((inner, other)),
                    }
                }
                if kept.iter().any(|(_, block)| block.is_some()) {
                    let body: String = kept.into_iter().map(|(p, b)| b.map_or(p.clone(), |b| format!("{p}{{{b}}}"))).collect();
                    let comments = &prelude[..prelude.find("@media").unwrap_or(0)];
                    rules.push((format!("{comments}@media {NIGHT} "), Some(body + "\n")));
                }
            }
            other => rules.push((prelude, other)),
        }
    }
    Resolved { rules, day, night }
}

/// `value` with every `var(--name)` (or `var(--name, fallback)`) replaced by `values`' last
/// value of the name (by the fallback when it has none); `None` when a name is unknown.
fn substitute(value: &str, values: &[(String, String)]) -> Option<String> {
    let mut out = value.to_string();
    while let Some(at) = out.find("var(") {
        let close = at + out[at..].find(')')?;
        let inside = &out[at + 4..close];
        let (name, fallback) = match inside.split_once(',') {
            Some((name, fallback)) => (name.trim(), Some(fallback.trim())),
            None => (inside.trim(), None),
        };
        let value = values.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v.as_str()).or(fallback)?.to_string();
        out.replace_range(at..=close, &value);
    }
    Some(out)
}

impl Resolved {
    /// The style sheet without custom properties: every `var()` replaced by its day value,
    /// and the declarations whose night value differs written again, with it, under
    /// [`NIGHT`]. Reading systems without custom properties (calibre's AZW3 and MOBI, which
    /// reports each one as a CSS error and drops the declaration, losing the heading colours
    /// and rules) get the colours the others do.
    fn write(&self) -> String {
        let mut out = String::new();
        let mut at_night = String::new();
        let both = [self.day.clone(), self.night.clone()].concat();
        for (prelude, block) in &self.rules {
            let Some(block) = block else {
                out.push_str(prelude);
                continue;
            };
            let selector = bare(prelude);
            if !block.contains("var(") || selector.starts_with('@') {
                out.push_str(&format!("{prelude}{{{block}}}"));
                continue;
            }
            // Declarations are rewritten one by one, keeping the block's own layout.
            let mut written = String::new();
            let mut night_declarations = Vec::new();
            for piece in block.split_inclusive(';') {
                let Some((name, value)) = piece.split_once(':').filter(|_| piece.contains("var(")) else {
                    written.push_str(piece);
                    continue;
                };
                let value = value.trim_end_matches(';').trim();
                match (substitute(value, &self.day), substitute(value, &both)) {
                    (Some(day), Some(night)) => {
                        let end = if piece.ends_with(';') { ";" } else { "" };
                        written.push_str(&format!("{name}: {day}{end}"));
                        if night != day {
                            night_declarations.push(format!("{}: {night};", name.trim()));
                        }
                    }
                    _ => written.push_str(piece),
                }
            }
            out.push_str(&format!("{prelude}{{{written}}}"));
            if !night_declarations.is_empty() {
                at_night.push_str(&format!("  {selector} {{ {} }}\n", night_declarations.join(" ")));
            }
        }
        if !at_night.is_empty() {
            out.push_str(&format!("\n\n/* The colours above as the night theme shows them. */\n@media {NIGHT} {{\n{at_night}}}\n"));
        }
        out
    }
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

/// The screen widths, in em of the body text, at which tables may start to reflow: a table
/// reflows on screens narrower than the first of them it needs (the content documents mark it
/// `stack-<width>`); a phone is 22.5–26 em wide.
pub const STACK_STEPS: [u32; 8] = [24, 28, 32, 36, 40, 48, 56, 64];

/// The reflowed tables (the content documents mark them): below each screen width a table
/// may need, the tables that need it become a list of rows, each headed by its row key, each
/// cell a line with its column heading (`.cell-label`) before the value. The column headings
/// stay in the table for screen readers, out of sight.
fn reflow_rules() -> String {
    let mut css = String::from("\n/* Tables wider than the screen reflow: one block per row, each value after its heading. */\n");
    for width in STACK_STEPS {
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
fn accent_for_themes(accent: Rgb) -> (Rgb, Rgb) {
    (day_accent(accent), accent.lightened_for(Rgb([18.0; 3]), 7.0))
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
            let (day, dark) = accent_for_themes(Rgb::parse(accent).unwrap());
            assert!(day.contrast(white) >= 7.0 && dark.contrast(night) >= 7.0, "{accent}: {} {}", day.hex(), dark.hex());
        }
        // A dark accent that already reads well on white is kept as written.
        assert_eq!(accent_for_themes(Rgb::parse("#1f3a5f").unwrap()).0.hex(), "#1f3a5f");
        assert_eq!(Rgb::parse("1f3a5f"), None);
        assert_eq!(Rgb::parse("#1f3a5"), None);
    }

    #[test]
    fn custom_properties_are_resolved_to_day_values_and_night_rules() {
        let css = "/* c */\n:root {\n  --accent: #8c1c13; /* red */\n  --muted: #595959;\n}\n@media (prefers-color-scheme: dark) {\n  :root { --accent: #f08a80; }\n  p { color: white; }\n}\nh1 { font-size: 1.3em; color: var(--accent); }\n.a {\n  border-top: 2px solid var(--accent);\n  color: var(--muted);\n  background: var(--unknown);\n}\n";
        let mut resolved = resolve_custom_properties(css);
        assert_eq!(resolved.night, [("--accent".to_string(), "#f08a80".to_string())]);
        resolved.day.push(("--accent".into(), "#1f3a5f".into()));
        let out = resolved.write();
        assert!(out.contains("h1 { font-size: 1.3em; color: #1f3a5f; }"), "{out}");
        assert!(out.contains("border-top: 2px solid #1f3a5f;\n  color: #595959;"), "{out}");
        let night = out.split(&format!("@media {NIGHT} {{\n")).nth(2).expect("the night colours follow the rules");
        assert!(night.contains("h1 { color: #f08a80; }") && night.contains(".a { border-top: 2px solid #f08a80; }") && !night.contains("#595959"), "{out}");
        assert!(out.split(&format!("@media {NIGHT} ")).nth(1).is_some_and(|rule| rule.contains("p { color: white; }")), "{out}");
        assert!(!out.contains(":root") && !out.contains("--accent") && !out.contains("--muted"), "{out}");
        assert_eq!(out.matches("var(--unknown)").count(), 1, "an unknown property is left as written: {out}");
        assert!(!out.contains("@media (prefers-color-scheme: dark)"), "{out}");
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
    fn each_design_draws_its_charts_in_its_own_colours_that_differ_in_grey_and_read_on_screens() {
        // Luma (0–255), as a greyscale printer renders a colour.
        let luma = |colour: &str| {
            let Rgb([r, g, b]) = Rgb::parse(colour).unwrap();
            0.299 * r + 0.587 * g + 0.114 * b
        };
        let (white, night) = (Rgb([255.0; 3]), Rgb([18.0; 3]));
        let assets = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets");
        for (dir, accent) in [(assets.clone(), "#8c1c13"), (assets.join("report"), "#1f3a5f"), (assets.join("book"), "#5a3d1e")] {
            let charts = Design::load(&dir).expect("the design loads").charts.expect("[charts]");
            let fills = crate::charts::solid_fills(&charts.palette);
            assert_eq!(fills[0], accent, "{}: the first series takes the design's accent", dir.display());
            // In print: neighbouring series, and all four, differ clearly in grey.
            let mut lumas: Vec<f64> = fills.iter().map(|f| luma(f)).collect();
            assert!(lumas.windows(2).all(|pair| (pair[1] - pair[0]).abs() >= 40.0), "{}: {lumas:?}", dir.display());
            lumas.sort_by(f64::total_cmp);
            assert!(lumas.windows(2).all(|pair| pair[1] - pair[0] >= 40.0), "{}: {lumas:?}", dir.display());
            // On screens: each reads at 3:1 on white and on #121212.
            for fill in &fills {
                let screen = Rgb::parse(&for_screens(fill)).unwrap();
                assert!(screen.contrast(white) >= 3.0 && screen.contrast(night) >= 3.0, "{fill} → {}", screen.hex());
            }
        }
    }

    #[test]
    fn family_names_are_escaped_as_css_strings() {
        assert_eq!(css_string("Noto Sans CJK SC"), "Noto Sans CJK SC");
        assert_eq!(css_string("A\"B\\C"), "A\\\"B\\\\C");
    }
}
