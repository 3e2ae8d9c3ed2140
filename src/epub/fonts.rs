//! The fonts embedded in the EPUB: the design's faces, cut from the same pinned files in
//! `fonts/` that the PDF uses, subset to the characters the book draws.
//!
//! Typst's own subsetter writes fonts for PDF only, so the subsets are made with the
//! `allsorts` crate, which reads a face out of a `.ttc` collection by index and writes a
//! standalone OpenType (CFF) font that browsers' font sanitisers and reading systems
//! accept. A face is found by its family name and weight, the way `crate::fonts` picks
//! the faces for Typst, so the EPUB can never embed a Japanese or Korean face by mistake.
//!
//! Each face is embedded only when the stylesheet sets text in it, subset to the characters
//! it sets ([`chars_by_face`] follows `epub.css`'s rules over the written documents): a full
//! CJK face is ~20 MB, the body face of a report ~300 KB, a headings face a tenth of that.
//! A restyled `epub.css` that sets text in other faces must change [`face_of`] with it (the
//! page checker in tests/readers reports text that falls back to a system font).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use allsorts::binary::read::ReadScope;
use allsorts::font_data::FontData;
use allsorts::subset::{CmapTarget, SubsetProfile, subset};
use typst::text::FontWeight;

use crate::design::DesignFonts;
use crate::diagnostics::Diagnostic;
use crate::typeset::fonts::{FaceSource, FontSet};

/// One face the EPUB needs: a family and a weight.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct FaceSpec {
    /// The family name, as the stylesheet uses it.
    pub family: String,
    /// The weight: 400 (regular) or 700 (bold).
    pub weight: u16,
}

/// The face an element sets its text in, given its parent's: `epub.css`'s rules for the
/// families and weights of headings, run-in heads, emphasis, code, sidebars, captions, table
/// headers, a reflowed table's cell labels and the chart text (whose `<text>` names its family and weight itself).
fn face_of(parent: &FaceSpec, fonts: &DesignFonts, name: &str, classes: &[&str], attribute: &dyn Fn(&str) -> Option<String>, in_thead: bool) -> FaceSpec {
    let face = |family: &str, weight: u16| FaceSpec { family: family.to_string(), weight };
    let has = |class: &str| classes.contains(&class);
    match name {
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => face(&fonts.heading, 700),
        "strong" if has("run-in") => face(&fonts.heading, 700),
        "strong" | "b" => face(&parent.family, 700),
        "em" => face(&fonts.heading, parent.weight),
        "code" => face(&fonts.mono, 400),
        "aside" if has("sidebar") => face(&fonts.heading, parent.weight),
        "p" if has("sidebar-title") => face(&fonts.heading, 700),
        "p" | "span" if has("subtitle") => face(&fonts.heading, parent.weight),
        "span" if has("table-unit") => face(&fonts.body, parent.weight),
        "span" if has("cell-label") => face(&fonts.heading, 400),
        "figcaption" | "caption" | "summary" | "nav" => face(&fonts.heading, parent.weight),
        "tr" if has("total") => face(&parent.family, 700),
        "th" if in_thead => face(&fonts.heading, 400),
        "th" => face(&parent.family, parent.weight),
        "text" | "tspan" => {
            let family = attribute("font-family").filter(|f| *f == fonts.body || *f == fonts.heading).unwrap_or_else(|| parent.family.clone());
            let weight = match attribute("font-weight").as_deref() {
                Some("bold" | "700") => 700,
                Some(_) => 400,
                None => parent.weight,
            };
            face(&family, weight)
        }
        _ => parent.clone(),
    }
}

/// The characters each face sets in `documents` (XHTML content documents as written),
/// following [`face_of`] from the body's face (the body family, regular). Text that is
/// not drawn (the SVG's `<title>` and `<desc>`, the head) is left out.
pub fn chars_by_face(documents: &[&[u8]], fonts: &DesignFonts) -> Result<BTreeMap<FaceSpec, BTreeSet<char>>, String> {
    use quick_xml::events::Event;
    let mut faces: BTreeMap<FaceSpec, BTreeSet<char>> = BTreeMap::new();
    for document in documents {
        let mut reader = quick_xml::Reader::from_reader(*document);
        let mut buffer = Vec::new();
        // (element name, its face, whether its text is drawn)
        let mut stack: Vec<(String, FaceSpec, bool)> = Vec::new();
        loop {
            let event = reader.read_event_into(&mut buffer).map_err(|e| e.to_string())?;
            match event {
                Event::Start(element) => {
                    let name = String::from_utf8_lossy(element.local_name().as_ref()).into_owned();
                    let attributes: Vec<(String, String)> = element
                        .attributes()
                        .filter_map(Result::ok)
                        .map(|a| {
                            (String::from_utf8_lossy(a.key.local_name().as_ref()).into_owned(), a.unescape_value().map(|v| v.into_owned()).unwrap_or_default())
                        })
                        .collect();
                    let attribute = |key: &str| attributes.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
                    let class = attribute("class").unwrap_or_default();
                    let classes: Vec<&str> = class.split_whitespace().collect();
                    let (parent, drawn) = match stack.last() {
                        Some((_, face, drawn)) => (face.clone(), *drawn),
                        None => (FaceSpec { family: fonts.body.clone(), weight: 400 }, false),
                    };
                    let in_thead = stack.iter().any(|(n, _, _)| n == "thead");
                    let face = face_of(&parent, fonts, &name, &classes, &attribute, in_thead);
                    let drawn = match name.as_str() {
                        "body" => true,
                        "head" | "title" | "desc" | "script" | "style" => false,
                        _ => drawn,
                    };
                    stack.push((name, face, drawn));
                }
                Event::End(_) => {
                    stack.pop();
                }
                Event::Text(text) => {
                    if let Some((_, face, true)) = stack.last() {
                        let text = text.decode().map_err(|e| e.to_string())?;
                        faces.entry(face.clone()).or_default().extend(text.chars().filter(|c| !c.is_control()));
                    }
                }
                Event::GeneralRef(reference) => {
                    if let Some((_, face, true)) = stack.last() {
                        // A character reference, or one of XML's five predefined entities.
                        let ch = match reference.resolve_char_ref() {
                            Ok(Some(ch)) => Some(ch),
                            _ => match &*reference as &[u8] {
                                b"amp" => Some('&'),
                                b"lt" => Some('<'),
                                b"gt" => Some('>'),
                                b"quot" => Some('"'),
                                b"apos" => Some('\''),
                                _ => None,
                            },
                        };
                        faces.entry(face.clone()).or_default().extend(ch);
                    }
                }
                Event::Eof => break,
                _ => {}
            }
            buffer.clear();
        }
    }
    faces.retain(|_, chars| !chars.is_empty());
    Ok(faces)
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

/// Moves each character a face has no glyph for to the other family's face of the same
/// weight (body ↔ headings), which the stylesheet names second in every font stack, so a
/// character either pinned family draws never falls back to a reader's system font.
pub fn with_fallbacks(fonts: &FontSet, design: &DesignFonts, faces: BTreeMap<FaceSpec, BTreeSet<char>>) -> BTreeMap<FaceSpec, BTreeSet<char>> {
    let mut out: BTreeMap<FaceSpec, BTreeSet<char>> = BTreeMap::new();
    for (face, chars) in faces {
        let parsed = fonts.face(&face.family, FontWeight::from_number(face.weight)).and_then(|source| ttf_parser::Face::parse(&source.data, source.index).ok());
        let Some(parsed) = parsed else {
            out.entry(face).or_default().extend(chars);
            continue;
        };
        let (drawn, missing): (BTreeSet<char>, BTreeSet<char>) = chars.into_iter().partition(|&c| c.is_whitespace() || parsed.glyph_index(c).is_some());
        out.entry(face.clone()).or_default().extend(drawn);
        if !missing.is_empty() {
            let other = if face.family == design.body { &design.heading } else { &design.body };
            out.entry(FaceSpec { family: other.clone(), weight: face.weight }).or_default().extend(missing);
        }
    }
    out
}

/// Finds each face among the loaded fonts and subsets it to its characters, the faces in
/// parallel (subsetting a CJK face is the slowest step of the EPUB build).
pub fn embed(fonts: &FontSet, fonts_dir: &Path, faces: &BTreeMap<FaceSpec, BTreeSet<char>>) -> Result<Vec<EmbeddedFont>, Diagnostic> {
    let sources: Vec<(&FaceSpec, &BTreeSet<char>, &FaceSource)> = faces
        .iter()
        .map(|(face, chars)| {
            fonts.face(&face.family, FontWeight::from_number(face.weight)).map(|source| (face, chars, source)).ok_or_else(|| {
                Diagnostic::error(fonts_dir, format!("no font file in the fonts directory has the face {} (weight {})", face.family, face.weight))
                    .with_hint("put the pinned font files (see fonts/README.md) into this directory")
            })
        })
        .collect::<Result<_, _>>()?;
    std::thread::scope(|scope| {
        let jobs: Vec<_> = sources
            .into_iter()
            .map(|(face, chars, source)| {
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
        let design_fonts = design.fonts.expect("[fonts]");
        let faces: BTreeMap<FaceSpec, BTreeSet<char>> =
            [(&design_fonts.body, 400), (&design_fonts.body, 700), (&design_fonts.heading, 400), (&design_fonts.heading, 700)]
                .into_iter()
                .map(|(family, weight)| (FaceSpec { family: family.clone(), weight }, chars.clone()))
                .collect();
        let embedded = embed(&set, &fonts, &faces).expect("subset");
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
        assert!(embedded.iter().any(|f| f.href == "fonts/noto-serif-cjk-sc-regular.otf"));
        assert!(embedded.iter().any(|f| f.href == "fonts/noto-sans-cjk-sc-bold.otf"));
    }

    #[test]
    fn each_face_gets_the_characters_the_stylesheet_sets_in_it() {
        let fonts = DesignFonts { body: "Serif".into(), heading: "Sans".into(), mono: "Mono".into() };
        let xhtml = r#"<html xmlns="http://www.w3.org/1999/xhtml"><head><title>题</title></head><body>
<h1>标</h1><p><strong class="run-in">引。</strong>正<strong>粗</strong><em>斜</em><code>c</code></p>
<aside class="sidebar"><p class="sidebar-title">栏</p><p>框<strong>重</strong></p></aside>
<table><caption>表</caption><thead><tr><th>头</th></tr></thead><tbody><tr><th scope="row">键</th><td>值</td></tr></tbody></table>
<svg><title>不画</title><text font-family="Sans" font-weight="bold">签</text><text font-family="Sans">轴&#x4E09;&amp;</text></svg>
</body></html>"#;
        let faces = chars_by_face(&[xhtml.as_bytes()], &fonts).unwrap();
        let of =
            |family: &str, weight: u16| -> String { faces.get(&FaceSpec { family: family.into(), weight }).map(|c| c.iter().collect()).unwrap_or_default() };
        assert_eq!(of("Serif", 400), "值正键");
        assert_eq!(of("Serif", 700), "粗");
        assert_eq!(of("Sans", 700), "。引标栏签重");
        assert_eq!(of("Sans", 400), "&三头斜框表轴");
        assert_eq!(of("Mono", 400), "c");
        assert!(!faces.values().flatten().any(|c| "题不画".contains(*c)), "text that is not drawn needs no glyphs");
    }
}
