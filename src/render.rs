//! What a writer is given to render one edition, like mdBook's `RenderContext`: the
//! finished document model, the design, the fonts and where the output goes. Writers never
//! see the manuscript's files, configuration or data, only this.

use std::path::Path;
use std::sync::Arc;

use crate::design::Design;
use crate::model::Document;
use crate::typeset::Typesetter;
use crate::typeset::fonts::FontSet;

/// Everything a writer needs to render one edition of a document.
pub struct RenderContext<'a> {
    /// The document, after every pass (numbered, resolved, charts laid out).
    pub document: &'a Document,
    /// The manuscript directory, from which the document's images are read.
    pub manuscript_root: &'a Path,
    /// The design: its directory (templates, stylesheet) and facts.
    pub design: &'a Design,
    /// The loaded fonts.
    pub fonts: &'a Arc<FontSet>,
    /// The fonts directory, for messages.
    pub fonts_dir: &'a Path,
    /// The base name of the output files (`report.toml`'s `output`).
    pub output_name: &'a str,
}

impl RenderContext<'_> {
    /// A typesetter for this document's design and fonts.
    pub fn typesetter(&self) -> Typesetter<'_> {
        Typesetter {
            fonts: self.fonts.clone(),
            design_dir: &self.design.dir,
            manuscript_root: self.manuscript_root,
            faces: self.design.fonts.as_ref(),
            press: None,
        }
    }
}
