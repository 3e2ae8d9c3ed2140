//! The fonts embedded in the EPUB: the design's faces, cut from the same pinned files in
//! `fonts/` that the PDF uses, subset to the characters the book draws.
//!
//! Typst's own subsetter writes fonts for PDF only, so the subsets are made with the
//! `allsorts` crate, which reads a face out of a `.ttc` collection by index and writes a
//! standalone OpenType (CFF) font that browsers' font sanitisers and reading systems
//! accept. A face is found by its family name and weight, the way `crate::fonts` picks
//! the faces for Typst, so the EPUB can never embed a Japanese or Korean face by mistake.
//!
//! Every embedded face carries every character of the book, not only those its role
//! draws: a full CJK face is ~20 MB, a subset of ~1,000 characters ~300 KB, and text can
//! then never fall back to a reader's system font, whatever face a restyled `epub.css`
//! (or a reader's own settings) gives it.

use std::collections::BTreeSet;
use std::path::Path;

use allsorts::binary::read::ReadScope;
use allsorts::font_data::FontData;
use allsorts::subset::{CmapTarget, SubsetProfile, subset};
use typst::text::FontWeight;

use crate::design::DesignFonts;
use crate::diagnostics::Diagnostic;
use crate::typeset::fonts::{FaceSource, FontSet};

/// One face the EPUB needs: a family and a weight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaceSpec {
    /// The family name, as the stylesheet uses it.
    pub family: String,
    /// The weight: 400 (regular) or 700 (bold).
    pub weight: u16,
}

/// The faces of the design (`[fonts]` in `design.toml`): body and heading families, each
/// regular and bold; the mono face only when the book has inline code.
pub fn design_faces(fonts: &DesignFonts, with_code: bool) -> Vec<FaceSpec> {
    let face = |family: &str, weight| FaceSpec { family: family.to_string(), weight };
    let mut faces = vec![face(&fonts.body, 400), face(&fonts.body, 700), face(&fonts.heading, 400), face(&fonts.heading, 700)];
    if with_code {
        faces.push(face(&fonts.mono, 400));
    }
    faces
}

/// A subset font ready to go into the EPUB.
#[derive(Debug, Clone)]
pub struct EmbeddedFont {
    /// The face it is.
    pub face: FaceSpec,
    /// Path inside the EPUB's content directory, e.g. `fonts/noto-serif-cjk-sc-400.otf`.
    pub href: String,
    /// The standalone OpenType font.
    pub bytes: Vec<u8>,
}

/// Finds each face among the loaded fonts and subsets it to `chars`, the faces in
/// parallel (subsetting a CJK face is the slowest step of the EPUB build).
pub fn embed(fonts: &FontSet, fonts_dir: &Path, faces: &[FaceSpec], chars: &BTreeSet<char>) -> Result<Vec<EmbeddedFont>, Diagnostic> {
    let sources: Vec<(&FaceSpec, &FaceSource)> = faces
        .iter()
        .map(|face| {
            fonts.face(&face.family, FontWeight::from_number(face.weight)).map(|source| (face, source)).ok_or_else(|| {
                Diagnostic::error(fonts_dir, format!("no font file in the fonts directory has the face {} (weight {})", face.family, face.weight))
                    .with_hint("put the pinned font files (see fonts/README.md) into this directory")
            })
        })
        .collect::<Result<_, _>>()?;
    std::thread::scope(|scope| {
        let jobs: Vec<_> = sources
            .into_iter()
            .map(|(face, source)| {
                scope.spawn(move || {
                    let bytes = subset_face(&source.data, source.index as usize, chars)
                        .map_err(|message| Diagnostic::error(&source.path, format!("cannot subset {} for the EPUB: {message}", face.family)))?;
                    Ok(EmbeddedFont { face: face.clone(), href: href_of(face), bytes })
                })
            })
            .collect();
        jobs.into_iter().map(|job| job.join().unwrap_or_else(|_| Err(Diagnostic::error(fonts_dir, "font subsetting stopped unexpectedly")))).collect()
    })
}

/// The file name of a face inside the EPUB.
fn href_of(face: &FaceSpec) -> String {
    // ASCII letters and digits only: some reading systems mishandle other file names.
    let family: String = face.family.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    let weight = if face.weight >= 700 { "bold" } else { "regular" };
    format!("fonts/{family}-{weight}.otf")
}

/// Subsets face `index` of `data` to the glyphs of `chars` (plus `.notdef`), keeping the
/// tables a standalone font needs, with a Unicode cmap as browsers require.
fn subset_face(data: &[u8], index: usize, chars: &BTreeSet<char>) -> Result<Vec<u8>, String> {
    let index_u32 = u32::try_from(index).map_err(|_| "collection index out of range".to_string())?;
    let face = ttf_parser::Face::parse(data, index_u32).map_err(|e| format!("cannot parse the face: {e}"))?;
    let glyphs: BTreeSet<u16> = chars.iter().filter_map(|&ch| face.glyph_index(ch)).map(|g| g.0).filter(|&g| g != 0).collect();
    let glyph_ids: Vec<u16> = std::iter::once(0).chain(glyphs).collect();
    let font_data = ReadScope::new(data).read::<FontData<'_>>().map_err(|e| format!("cannot read the font file: {e:?}"))?;
    let provider = font_data.table_provider(index).map_err(|e| format!("cannot read face {index}: {e:?}"))?;
    subset(&provider, &glyph_ids, &SubsetProfile::Minimal, CmapTarget::Unicode).map_err(|e| format!("{e:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subsets_the_sc_faces_from_the_pinned_collections() {
        let fonts = Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts");
        let chars: BTreeSet<char> = "图表一二三，。“”ABC 123".chars().collect();
        let set = FontSet::load(&fonts, "zh-CN").expect("pinned fonts");
        let design = crate::design::Design::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("assets")).expect("the design loads");
        let embedded = embed(&set, &fonts, &design_faces(&design.fonts.expect("[fonts]"), false), &chars).expect("subset");
        assert_eq!(embedded.len(), 4);
        for font in &embedded {
            assert!(font.bytes.len() < 100_000, "{} is {} bytes", font.href, font.bytes.len());
            let face = ttf_parser::Face::parse(&font.bytes, 0).expect("a standalone font");
            let family =
                face.names().into_iter().filter(|n| n.name_id == ttf_parser::name_id::FAMILY && n.is_unicode()).find_map(|n| n.to_string()).unwrap_or_default();
            assert!(family.starts_with(font.face.family.trim_end_matches(" SC")), "{family}");
            for ch in &chars {
                assert!(face.glyph_index(*ch).is_some(), "{} lacks {ch}", font.href);
            }
            // Simplified, not Japanese, glyph forms: the SC face maps 图 to its own glyph.
            assert!(face.glyph_index('图').is_some());
        }
        assert_eq!(embedded[0].href, "fonts/noto-serif-cjk-sc-regular.otf");
        assert_eq!(embedded[3].href, "fonts/noto-sans-cjk-sc-bold.otf");
    }
}
