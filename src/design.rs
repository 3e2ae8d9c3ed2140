//! A design: a directory holding the Typst templates (`report.typ` for the book,
//! `cover.typ` for the EPUB cover's title page), the EPUB stylesheet (`epub.css`) and
//! `design.toml`, the few facts about the design that the Rust side needs (the templates
//! hold everything else). Charts are laid out before typesetting, so their size and font
//! family must match the design they are placed in.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::charts::ChartDesign;
use crate::diagnostics::{Diagnostic, Diagnostics, io_error};
use crate::source::toml_diagnostic;

/// The name of the design facts file inside the design directory.
pub const DESIGN_FILE: &str = "design.toml";

/// A design directory and the facts it shares between the Rust side and the templates.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Design {
    /// The design directory (not in `design.toml`: where it was loaded from).
    #[serde(skip)]
    pub dir: PathBuf,
    /// The faces of the design's roles; the EPUB needs them to know what to embed.
    pub fonts: Option<DesignFonts>,
    /// How charts are drawn; a design without it cannot place charts.
    pub charts: Option<ChartDesign>,
}

/// The faces of the design's three roles, by exact family name (`[fonts]`). The template
/// reads them from `design.toml` too, so the PDF and the EPUB use the same faces.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DesignFonts {
    /// Body text (宋体 role).
    pub body: String,
    /// Headings, run-in heads, captions and sidebars (黑体 role).
    pub heading: String,
    /// Inline code.
    pub mono: String,
}

impl Design {
    /// Every font family the design names, with the `design.toml` key that names it.
    pub fn families(&self) -> Vec<(&'static str, &str)> {
        let mut families = Vec::new();
        if let Some(fonts) = &self.fonts {
            families.extend([("body", fonts.body.as_str()), ("heading", fonts.heading.as_str()), ("mono", fonts.mono.as_str())]);
        }
        if let Some(charts) = &self.charts {
            families.push(("font", charts.font.as_str()));
        }
        families
    }
}

impl Design {
    /// Reads `design.toml` from the design directory (a design without one has no charts).
    pub fn load(design_dir: &Path) -> Result<Self, Diagnostics> {
        let path = design_dir.join(DESIGN_FILE);
        if !path.exists() {
            return Ok(Design { dir: design_dir.to_path_buf(), ..Design::default() });
        }
        let text = std::fs::read_to_string(&path).map_err(|e| {
            let mut diagnostic = io_error(&path, "read the design facts", &e);
            diagnostic.hint = Some("run reportpress from the project root, or pass --assets DIR".into());
            Diagnostics::one(diagnostic)
        })?;
        let mut design: Design = toml::from_str(&text).map_err(|e| Diagnostics::one(toml_diagnostic(&path, &text, &e)))?;
        design.dir = design_dir.to_path_buf();
        if design.charts.as_ref().is_some_and(|c| !(c.width >= 160.0 && c.height >= 120.0)) {
            return Err(Diagnostics::one(Diagnostic::error(&path, "charts must be at least 160 × 120 pt").with_hint("raise [charts] width and height")));
        }
        Ok(design)
    }
}
