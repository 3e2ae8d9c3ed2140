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

/// The stylesheet for `fonts`, with the design read from `design_dir`.
pub fn stylesheet(design_dir: &Path, fonts: &[EmbeddedFont]) -> Result<String, Diagnostic> {
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
    css.push_str(design.strip_prefix("@charset \"UTF-8\";").unwrap_or(&design).trim_start());
    Ok(css)
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
