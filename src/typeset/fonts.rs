//! The pinned fonts in `fonts/`: loading them once, choosing the faces for the report's
//! language, and checking that every character of the manuscript has a glyph.
//!
//! Only the files in the fonts directory are used, never system fonts, so a report gives
//! the same pages on every machine. Each font file is read once; all faces of a collection
//! share that one buffer and are parsed lazily, when Typst first asks for them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use typst::foundations::Bytes;
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst_kit::fonts::{FontSource, FontStore};

pub use super::font_info_cache::FaceSource;
use crate::diagnostics::{Diagnostic, Diagnostics, io_error};
use crate::model::{Document, SourcePos};

/// One face inside a font file that is shared by all faces of the file.
struct SharedFace {
    data: Bytes,
    index: u32,
}

impl FontSource for SharedFace {
    fn load(&self) -> Option<Font> {
        Font::new(self.data.clone(), self.index)
    }
}

/// The fonts a report may use.
pub struct FontSet {
    store: FontStore,
    /// Family names in load order, for messages.
    families: Vec<String>,
    /// Where each face of the book comes from, in book order (for the EPUB's subsets).
    faces: Vec<FaceSource>,
}

/// Whether `dir` holds at least one font file.
fn has_fonts(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| entries.filter_map(|e| e.ok()).any(|e| is_font_file(&e.path())))
}

/// Whether `path` names a font file by its extension.
fn is_font_file(path: &Path) -> bool {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    matches!(ext.as_str(), "ttf" | "otf" | "ttc" | "otc")
}

/// The fonts directory of a build and how it was found, in this order: `explicit`
/// (`--fonts`), `fonts/` beside the manuscript, `fonts/` in the working directory,
/// `$REPORTPRESS_FONTS`, and `fonts/` in the user's data directory
/// (`$XDG_DATA_HOME/reportpress`, else `~/.local/share/reportpress`). The first that holds a
/// font file is taken; when none does, the error names every place searched and how to fill
/// one.
pub fn find_dir(explicit: Option<&Path>, manuscript_root: &Path) -> Result<(PathBuf, String), Diagnostics> {
    if let Some(dir) = explicit {
        if has_fonts(dir) {
            return Ok((dir.to_path_buf(), "given with --fonts".to_string()));
        }
        return Err(Diagnostics::one(
            Diagnostic::error(dir, "the fonts directory given with --fonts holds no font file (.ttf, .otf, .ttc, .otc)")
                .with_hint("name the directory that holds the pinned fonts (see fonts/README.md in the reportpress repository)"),
        ));
    }
    let mut places: Vec<(PathBuf, String)> =
        vec![(manuscript_root.join("fonts"), "beside the manuscript".to_string()), (PathBuf::from("fonts"), "in the working directory".to_string())];
    if let Some(dir) = std::env::var_os("REPORTPRESS_FONTS").filter(|v| !v.is_empty()) {
        places.push((PathBuf::from(dir), "from $REPORTPRESS_FONTS".to_string()));
    }
    let user = crate::source::user_data_dir().map(|dir| dir.join("fonts"));
    if let Some(dir) = &user {
        places.push((dir.clone(), "in the user's data directory".to_string()));
    }
    // Installed from a package: the fonts beside the program (`/usr/bin/reportpress` →
    // `/usr/share/reportpress/fonts`; the same inside the unpacked tarball).
    if let Some(dir) = installed_fonts_dir() {
        places.push((dir, "installed with reportpress".to_string()));
    }
    if let Some(found) = places.iter().find(|(dir, _)| has_fonts(dir)) {
        return Ok(found.clone());
    }
    let searched: Vec<String> = places.iter().map(|(dir, how)| format!("{} ({how})", dir.display())).collect();
    let target = user.map_or_else(|| "DIR".to_string(), |dir| dir.display().to_string());
    Err(Diagnostics::one(Diagnostic::error(manuscript_root, format!("no CJK fonts found; searched: {}", searched.join(", "))).with_hint(format!(
        "copy or link the pinned fonts once: mkdir -p {target} && cp /path/to/reportpress/fonts/*.ttc {target}/ \
             (or set REPORTPRESS_FONTS=DIR, or pass --fonts DIR)"
    ))))
}

/// `../share/reportpress/fonts` from the directory of the running program, where the
/// packages put the pinned fonts.
fn installed_fonts_dir() -> Option<PathBuf> {
    let program = std::env::current_exe().ok()?;
    let prefix = program.parent()?.parent()?;
    Some(prefix.join("share/reportpress/fonts"))
}

/// Largest font file loaded: 256 MiB (the pinned CJK collections are some 20–40 MB each).
const MAX_FONT_BYTES: u64 = 256 * 1024 * 1024;

/// Maps a font file into memory instead of copying it: the pinned CJK collections are
/// 93 MB, and reading them took most of a build's time, while a map costs nothing until
/// Typst touches a glyph.
///
/// Safety: the map is read-only and the fonts directory holds pinned files that nothing
/// rewrites during a build (the same trade-off Typst's own font loading makes).
fn map_font(path: &Path) -> std::io::Result<Bytes> {
    // A regular file of bounded size (a FIFO would block; links are followed: fonts are
    // often linked into the fonts directory from where they are installed).
    let (file, _) = crate::access::open(path, MAX_FONT_BYTES).map_err(|refused| match refused {
        crate::access::Refused::Io(error) => error,
        other => std::io::Error::other(other.to_string()),
    })?;
    // SAFETY: see above; the file is opened read-only and not modified while mapped.
    let map = unsafe { memmap2::Mmap::map(&file)? };
    Ok(Bytes::new(map))
}

/// The typographic family of face `index` (name ID 16, else 1), read without building the
/// face's coverage table: deciding which faces to load must stay cheap, since a CJK
/// collection holds ten faces of 65 000 glyphs each.
fn family_name(data: &[u8], index: u32) -> Option<String> {
    let face = ttf_parser::Face::parse(data, index).ok()?;
    let names = face.names();
    let find = |id: u16| names.into_iter().filter(|n| n.name_id == id && n.is_unicode()).find_map(|n| n.to_string());
    find(ttf_parser::name_id::TYPOGRAPHIC_FAMILY).or_else(|| find(ttf_parser::name_id::FAMILY))
}

impl FontSet {
    /// Loads every font file in `dir`. From a collection (`.ttc`) that covers several
    /// CJK regions, only the faces for `language` are kept (e.g. the SC faces for `zh-CN`),
    /// so Typst can never fall back to a Japanese face.
    pub fn load(dir: &Path, language: &str) -> Result<Self, Diagnostics> {
        let entries = std::fs::read_dir(dir).map_err(|e| {
            let mut diagnostic = io_error(dir, "read the fonts directory", &e);
            diagnostic.hint = Some("run reportpress from the project root, or pass --fonts DIR".into());
            Diagnostics::one(diagnostic)
        })?;
        // Regular files only: opening a FIFO named like a font would block the build.
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| is_font_file(path) && std::fs::metadata(path).is_ok_and(|m| m.is_file()))
            .collect();
        paths.sort();
        let region = crate::model::script::cjk_region(language);
        let mut chosen = Vec::new();
        for path in &paths {
            let data = map_font(path).map_err(|e| Diagnostics::one(io_error(path, "read this font", &e)))?;
            let count = ttf_parser::fonts_in_collection(&data).unwrap_or(1);
            let names: Vec<(u32, String)> = (0..count).filter_map(|i| family_name(&data, i).map(|name| (i, name))).collect();
            let is_regional_collection = names.len() > 1 && names.iter().any(|(_, family)| has_region_suffix(family));
            for (index, family) in names {
                if !is_regional_collection || family.ends_with(&format!(" {region}")) {
                    chosen.push(FaceSource { path: path.clone(), data: data.clone(), index });
                }
            }
        }
        let infos = super::font_info_cache::describe(&chosen);
        let mut store = FontStore::new();
        let mut families = Vec::new();
        let mut faces = Vec::new();
        for (face, info) in chosen.into_iter().zip(infos) {
            let Some(info) = info else { continue };
            if !families.contains(&info.family) {
                families.push(info.family.clone());
            }
            store.push((SharedFace { data: face.data.clone(), index: face.index }, info));
            faces.push(face);
        }
        if families.is_empty() {
            return Err(Diagnostics::one(
                Diagnostic::error(dir, format!("no usable font for language `{language}` in the fonts directory"))
                    .with_hint("put the pinned font files (see fonts/README.md) into this directory"),
            ));
        }
        Ok(Self { store, families, faces })
    }

    /// Metadata of all loaded faces, for Typst.
    pub fn book(&self) -> &LazyHash<FontBook> {
        self.store.book()
    }

    /// The face with the given index in the book, parsed on first use.
    pub fn font(&self, index: usize) -> Option<Font> {
        self.store.font(index)
    }

    /// The face of `family` with `weight` in upright style, and where it comes from.
    pub fn face(&self, family: &str, weight: typst::text::FontWeight) -> Option<&FaceSource> {
        let book = self.store.book();
        (0..self.faces.len()).find_map(|index| {
            let info = book.info(index)?;
            let matches = info.family == family && info.variant.weight == weight && info.variant.style == typst::text::FontStyle::Normal;
            matches.then(|| &self.faces[index])
        })
    }

    /// Where every loaded face comes from, in book order.
    pub fn faces(&self) -> &[FaceSource] {
        &self.faces
    }

    /// Family names of the loaded faces.
    pub fn families(&self) -> &[String] {
        &self.families
    }

    /// Whether some loaded face has a glyph for `ch`.
    pub fn covers(&self, ch: char) -> bool {
        let book = self.store.book();
        (0..).map_while(|index| book.info(index)).any(|info| info.coverage.contains(ch as u32))
    }

    /// Reports every character of the document that no loaded face can draw,
    /// with the manuscript place it first appears in.
    pub fn check_coverage(&self, document: &Document, manuscript_root: &Path) -> Result<(), Diagnostics> {
        let mut missing: BTreeMap<char, Option<SourcePos>> = BTreeMap::new();
        let mut seen = std::collections::HashSet::new();
        document.for_each_text(&mut |text, source| {
            for ch in text.chars() {
                if matches!(ch, '\t' | '\n' | '\r') || !seen.insert(ch) {
                    continue;
                }
                // A control character (NUL, BEL …) cannot be printed, and the PDF/UA export
                // refuses it; whitespace needs no glyph.
                if unprintable(ch) || (!ch.is_whitespace() && !is_default_ignorable(ch) && !self.covers(ch)) {
                    missing.entry(ch).or_insert_with(|| source.cloned());
                }
            }
        });
        let mut diagnostics = Diagnostics::default();
        for (ch, source) in missing {
            let (message, hint) = if unprintable(ch) {
                (
                    format!("the text contains the control character U+{:04X}, which cannot be printed", ch as u32),
                    "delete it (it is invisible in most editors; search for it by its code, or retype the line)".to_string(),
                )
            } else {
                (
                    format!("no font in the fonts directory has a glyph for '{ch}' (U+{:04X}); it would print as a blank box", ch as u32),
                    format!("replace the character, or add a font that has it (loaded: {})", self.families.join(", ")),
                )
            };
            let diagnostic = match source {
                Some(at) => Diagnostic::error(manuscript_root.join(&at.file), message).at_line(at.line),
                None => {
                    let path = manuscript_root.join(crate::manuscript::config::REPORT_FILE);
                    let line = line_of_char(&path, ch);
                    Diagnostic::error(path, message).at_line(line)
                }
            };
            diagnostics.push(diagnostic.with_hint(hint));
        }
        diagnostics.into_result(())
    }
}

/// The line of `report.toml` that holds `ch`, written as itself or as a `\uXXXX` escape.
fn line_of_char(path: &Path, ch: char) -> usize {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let escapes = [format!("\\u{:04x}", ch as u32), format!("\\U{:08x}", ch as u32)];
    text.lines()
        .position(|line| {
            let lower = line.to_lowercase();
            line.contains(ch) || escapes.iter().any(|e| lower.contains(&e.to_lowercase()))
        })
        .map_or(1, |index| index + 1)
}

/// Whether a character is drawn with no glyph of its own: joiners and variation selectors
/// (used for rare characters, e.g. ideographic variation sequences), which shaping applies
/// to the character before them.
fn is_default_ignorable(ch: char) -> bool {
    matches!(ch as u32, 0x200B..=0x200D | 0x2060 | 0xFE00..=0xFE0F | 0xE0100..=0xE01EF)
}

/// Whether a character can never be printed: a control character other than tab and
/// line breaks.
fn unprintable(ch: char) -> bool {
    ch.is_control() && !matches!(ch, '\t' | '\n' | '\r')
}

/// Typst's `text.region` for a Chinese `language`: `tw` and `hk` set punctuation centred in
/// its em box (the Taiwan and Hong Kong standards), `cn` at the foot (GB/T 15834).
pub(crate) fn text_region(language: &str) -> &'static str {
    match crate::model::script::cjk_region(language) {
        "TC" => "tw",
        "HK" => "hk",
        _ => "cn",
    }
}

fn has_region_suffix(family: &str) -> bool {
    ["SC", "TC", "HK", "JP", "KR"].iter().any(|suffix| family.ends_with(&format!(" {suffix}")))
}
