//! Glyphs of a layout mapped to the manuscript places they show, block by block as asked
//! for: a block's glyphs are aligned with its source ([`super::origins`]) the first time one
//! of them is looked up. Used by `review` (annotations) and `preview` (a click on a page).

use std::borrow::Cow;
use std::collections::HashMap;

use super::glyphs::Glyph;
use super::origins::{self, Origin, SourceChars};
use crate::manuscript::Manuscript;

/// Maps glyphs of the layout to manuscript places, block by block as needed.
pub struct Mapper<'a> {
    pub(crate) manuscript: &'a Manuscript,
    /// The layout's glyphs ([`super::glyphs::collect`]), owned or borrowed from a layout
    /// kept elsewhere (the preview keeps them for all clicks on one build).
    pub glyphs: Cow<'a, [Glyph]>,
    /// Per block: its source characters and, per glyph index, the source character it shows.
    blocks: HashMap<Option<usize>, (SourceChars, HashMap<usize, usize>)>,
}

impl<'a> Mapper<'a> {
    /// A mapper for the glyphs `glyphs` of a layout of `manuscript`.
    pub fn new(manuscript: &'a Manuscript, glyphs: impl Into<Cow<'a, [Glyph]>>) -> Self {
        Mapper { manuscript, glyphs: glyphs.into(), blocks: HashMap::new() }
    }

    /// Where glyph `index` was written (`None`: text the design adds, such as a page number).
    pub fn origin(&mut self, index: usize) -> Option<Origin> {
        let block = self.glyphs.get(index)?.block;
        if !self.blocks.contains_key(&block) {
            let source = origins::source_of(self.manuscript, block);
            let members: Vec<usize> = (0..self.glyphs.len()).filter(|&i| self.glyphs[i].block == block).collect();
            let mut printed = Vec::new();
            let mut owner = Vec::new();
            for &i in &members {
                for c in self.glyphs[i].text.chars() {
                    printed.push(c);
                    owner.push(i);
                }
            }
            let mut map = HashMap::new();
            for (k, aligned) in origins::align(&printed, &source).into_iter().enumerate() {
                if let Some(s) = aligned {
                    map.entry(owner[k]).or_insert(s);
                }
            }
            self.blocks.insert(block, (source, map));
        }
        let (source, map) = self.blocks.get(&block)?;
        map.get(&index).map(|&s| source[s].1.clone())
    }

    /// The glyph nearest to `glyph` on its page that the manuscript holds.
    pub fn nearest_mapped(&mut self, glyph: usize) -> Option<usize> {
        let (page, (x, y)) = (self.glyphs[glyph].page, self.glyphs[glyph].area.centre());
        let mut candidates: Vec<(f64, usize)> = (0..self.glyphs.len())
            .filter(|&i| self.glyphs[i].page == page && !self.glyphs[i].text.trim().is_empty())
            .map(|i| {
                let (cx, cy) = self.glyphs[i].area.centre();
                ((cx - x).powi(2) + (cy - y).powi(2), i)
            })
            .collect();
        candidates.sort_by(|a, b| a.0.total_cmp(&b.0));
        candidates.into_iter().map(|(_, i)| i).find(|&i| self.origin(i).is_some())
    }
}
