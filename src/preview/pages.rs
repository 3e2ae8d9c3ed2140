//! The pages of one preview build, each known by a hash of its frame: a page whose frame
//! hashes as before shows exactly what it showed (Typst's frames hold everything drawn), so
//! the browser keeps it and only pages with a new hash are drawn again. A page is drawn as
//! SVG by `typst-svg` when the browser first asks for it (pages out of sight are never
//! drawn), and kept by hash until a build no longer has that page.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use typst_layout::PagedDocument;

use crate::pipeline::Prepared;
use crate::review::glyphs::{self, Glyph};
use crate::typeset::Typeset;

/// One laid-out page, as the browser is told of it.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct PageInfo {
    /// The hash of the page's frame (hex in JSON, so JavaScript keeps all its bits).
    #[serde(serialize_with = "hex")]
    pub hash: u128,
    /// Width in points.
    pub width: f64,
    /// Height in points.
    pub height: f64,
}

fn hex<S: serde::Serializer>(hash: &u128, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format!("{hash:032x}"))
}

/// The pages of `document`, each with its frame's hash and size.
pub fn page_infos(document: &PagedDocument) -> Vec<PageInfo> {
    document
        .pages()
        .iter()
        .map(|page| PageInfo { hash: typst::utils::hash128(page), width: page.frame.width().to_pt(), height: page.frame.height().to_pt() })
        .collect()
}

/// A successful preview build: the manuscript as read, its layout, and its pages.
pub struct Built {
    /// The checked manuscript, design and fonts.
    pub prepared: Prepared,
    /// The layout shown.
    pub typeset: Typeset,
    /// Its pages.
    pub pages: Vec<PageInfo>,
    /// The layout's glyphs, collected when a click or a `?at=` first needs them.
    glyphs: OnceLock<Vec<Glyph>>,
}

impl Built {
    /// A build of `typeset`, laid out from `prepared`.
    pub fn new(prepared: Prepared, typeset: Typeset) -> Built {
        let pages = page_infos(&typeset.document);
        Built { prepared, typeset, pages, glyphs: OnceLock::new() }
    }

    /// Every glyph of the layout with its page, box and block.
    pub fn glyphs(&self) -> &[Glyph] {
        self.glyphs.get_or_init(|| glyphs::collect(&self.typeset.document))
    }

    /// Page `index` drawn as SVG.
    pub fn svg(&self, index: usize) -> Option<String> {
        let page = self.typeset.document.pages().get(index)?;
        Some(typst_svg::svg(page, &typst_svg::SvgOptions::default()))
    }

    /// How many pages differ from `before` (by hash, at the same place), pages added or
    /// removed included.
    pub fn changed_since(&self, before: &[PageInfo]) -> usize {
        let common = self.pages.len().min(before.len());
        let differing = (0..common).filter(|&i| self.pages[i].hash != before[i].hash).count();
        differing + self.pages.len().abs_diff(before.len())
    }
}

/// The SVGs drawn so far, by page hash.
#[derive(Default)]
pub struct SvgCache {
    drawn: HashMap<u128, Arc<String>>,
}

impl SvgCache {
    /// The SVG of page `hash`, if it was drawn.
    pub fn get(&self, hash: u128) -> Option<Arc<String>> {
        self.drawn.get(&hash).cloned()
    }

    /// Keeps a drawn page.
    pub fn insert(&mut self, hash: u128, svg: Arc<String>) {
        self.drawn.insert(hash, svg);
    }

    /// Forgets the pages `pages` does not have.
    pub fn keep_only(&mut self, pages: &[PageInfo]) {
        let wanted: std::collections::HashSet<u128> = pages.iter().map(|p| p.hash).collect();
        self.drawn.retain(|hash, _| wanted.contains(hash));
    }
}
