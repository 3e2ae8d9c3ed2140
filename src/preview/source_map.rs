//! From a point on a preview page to the manuscript, and back: the glyph under a click
//! and the manuscript file, line and column it shows (a value from data also names its
//! table's file, line and cell), and for a manuscript line the page and height where its
//! text is laid out. Both go through `review`'s mapping of glyphs to sources
//! ([`crate::review::mapper`]), the same one that carries a proofreader's annotations back.

use std::path::{Path, PathBuf};

use super::pages::Built;
use crate::review::mapper::Mapper;
use crate::review::origins::DataCell;
use crate::review::placed::nearest;

/// How far from a glyph's box a click may land and still mean that glyph, in points.
const REACH: f64 = 4.0;

/// Where the text under a click was written.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Clicked {
    /// The characters clicked, as printed.
    pub text: String,
    /// The manuscript file (relative to the manuscript directory); `None` for text the
    /// design adds (a page number, a figure's label).
    pub file: Option<PathBuf>,
    /// 1-based line.
    pub line: Option<usize>,
    /// 1-based column, in characters.
    pub column: Option<usize>,
    /// For a value printed from data: the table cell.
    pub data: Option<DataCell>,
}

/// The text at `(x, y)` (points from the page's top left) on page `page` (0-based) and where
/// it was written; `None` when no text is there.
pub fn at_point(built: &Built, page: usize, x: f64, y: f64) -> Option<Clicked> {
    let glyphs = built.glyphs();
    let index = nearest(glyphs, page, (x, y))?;
    let area = glyphs[index].area;
    let outside = (area.x0 - x).max(x - area.x1).max(0.0).max((area.y0 - y).max(y - area.y1));
    if outside > REACH {
        return None;
    }
    let mut mapper = Mapper::new(&built.prepared.manuscript, glyphs);
    let text = glyphs[index].text.clone();
    Some(match mapper.origin(index) {
        Some(origin) => Clicked { text, file: Some(origin.file), line: Some(origin.line), column: Some(origin.column), data: origin.data },
        None => Clicked { text, file: None, line: None, column: None, data: None },
    })
}

/// Where a manuscript line is laid out.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Shown {
    /// 0-based page.
    pub page: usize,
    /// The top of the line's first glyph, in points from the top of the page.
    pub y: f64,
}

/// Reads `text/02.md:14` (a file relative to the manuscript, a line, optionally a column).
pub fn parse_place(at: &str) -> Option<(PathBuf, usize)> {
    let number = |text: &str| !text.is_empty() && text.chars().all(|c| c.is_ascii_digit());
    let (rest, last) = at.rsplit_once(':')?;
    let (file, line) = match rest.rsplit_once(':') {
        Some((file, line)) if number(line) && number(last) => (file, line),
        _ => (rest, last),
    };
    let line: usize = line.parse().ok().filter(|&l| l > 0)?;
    let file = file.trim_start_matches("./");
    (!file.is_empty()).then(|| (PathBuf::from(file), line))
}

/// Where line `line` of `file` is laid out: the first glyph written on that line or after
/// it, in the top-level block the line belongs to.
pub fn locate(built: &Built, file: &Path, line: usize) -> Option<Shown> {
    let blocks = &built.prepared.manuscript.document.blocks;
    let of_file: Vec<usize> = (0..blocks.len()).filter(|&i| blocks[i].source.file == file).collect();
    let block = of_file.iter().copied().filter(|&i| blocks[i].source.line <= line).max_by_key(|&i| blocks[i].source.line).or(of_file.first().copied())?;
    let glyphs = built.glyphs();
    let members: Vec<usize> = (0..glyphs.len()).filter(|&i| glyphs[i].block == Some(block)).collect();
    let first = *members.first()?;
    let mut mapper = Mapper::new(&built.prepared.manuscript, glyphs);
    let found = members.iter().copied().find(|&i| mapper.origin(i).is_some_and(|o| o.file == file && o.line >= line)).unwrap_or(first);
    Some(Shown { page: glyphs[found].page, y: glyphs[found].area.y0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_read_with_and_without_a_column() {
        assert_eq!(parse_place("text/02.md:14"), Some((PathBuf::from("text/02.md"), 14)));
        assert_eq!(parse_place("./text/02.md:14:3"), Some((PathBuf::from("text/02.md"), 14)));
        assert_eq!(parse_place("text/02.md"), None);
        assert_eq!(parse_place("text/02.md:0"), None);
        assert_eq!(parse_place(":14"), None);
    }
}
