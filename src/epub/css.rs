//! The EPUB stylesheet: `@font-face` rules for the embedded subsets, followed by the
//! design in `assets/epub.css` (the EPUB counterpart of `assets/report.typ`).
//!
//! Restyle the EPUB in `epub.css`; the font families it may use are the embedded ones,
//! named as in the PDF design (see [`super::fonts`]).

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
        // Family names and file names are fixed ASCII strings of this crate, never manuscript text.
        css.push_str(&format!(
            "@font-face {{\n  font-family: \"{}\";\n  font-weight: {};\n  font-style: normal;\n  src: url(\"{}\") format(\"opentype\");\n}}\n",
            font.face.family, font.face.weight, font.href
        ));
    }
    css.push('\n');
    css.push_str(design.strip_prefix("@charset \"UTF-8\";").unwrap_or(&design).trim_start());
    Ok(css)
}
