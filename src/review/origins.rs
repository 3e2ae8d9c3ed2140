//! Where each laid-out character was written: the manuscript source of a top-level block
//! (its lines up to the next block of the same file, with every `{{table.row.column}}`
//! replaced by the value it prints and every table cell appended with its data file and
//! line) is aligned, character by character, with the glyphs the block was laid out as.
//!
//! The glyphs are exactly the block's text as printed, plus what the design adds (numbers,
//! line numbers, captions' labels) and minus the Markdown markup; a character diff (the
//! `similar` crate, Myers) keeps the characters both share, in order, so every glyph of the
//! text finds the line and column it was written at. Markup and additions fall out as
//! insertions and deletions; nothing is looked up by position or searched for.

use std::path::{Path, PathBuf};

use similar::{Algorithm, DiffOp, capture_diff_slices};

use crate::manuscript::Manuscript;
use crate::model::{Block, BlockKind};

/// A data cell a printed character comes from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DataCell {
    /// `table.row.column`.
    pub reference: String,
    /// The file holding the row (relative to the manuscript directory).
    pub file: PathBuf,
    /// 1-based line of the row in that file.
    pub line: usize,
}

/// Where one printed character was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The manuscript file (relative to the manuscript directory).
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// The column after what was written for it (a data reference's `}}` included).
    pub end_column: usize,
    /// The data cell, for a value that came from data.
    pub data: Option<DataCell>,
}

/// The source characters of one block, each with where it was written.
pub type SourceChars = Vec<(char, Origin)>;

/// The source characters of top-level block `index` (`None`: the title block, from
/// `report.toml`).
pub fn source_of(manuscript: &Manuscript, index: Option<usize>) -> SourceChars {
    let blocks = &manuscript.document.blocks;
    let Some(block) = index.and_then(|i| blocks.get(i)) else {
        let file = PathBuf::from(crate::manuscript::config::REPORT_FILE);
        let text = std::fs::read_to_string(manuscript.root.join(&file)).unwrap_or_default();
        return lines_of(manuscript, &file, &text, 1, usize::MAX);
    };
    let file = &block.source.file;
    let start = block.source.line;
    let end = blocks.iter().filter(|b| b.source.file == *file && b.source.line > start).map(|b| b.source.line).min().unwrap_or(usize::MAX);
    let text = std::fs::read_to_string(manuscript.root.join(file)).unwrap_or_default();
    let mut chars = lines_of(manuscript, file, &text, start, end);
    cells_of(manuscript, block, &mut chars);
    chars
}

/// Lines `start..end` of `text`, with data references replaced by their values.
fn lines_of(manuscript: &Manuscript, file: &Path, text: &str, start: usize, end: usize) -> SourceChars {
    let mut out = Vec::new();
    for (number, line) in text.lines().enumerate().map(|(i, l)| (i + 1, l)).skip(start.saturating_sub(1)).take_while(|(n, _)| *n < end) {
        let chars: Vec<char> = line.chars().collect();
        let mut column = 0;
        while column < chars.len() {
            let at = |c| Origin { file: file.to_path_buf(), line: number, column: c + 1, end_column: c + 2, data: None };
            let escaped = column > 0 && chars[column - 1] == '\\';
            if chars[column] == '{'
                && chars.get(column + 1) == Some(&'{')
                && !escaped
                && let Some(close) = (column + 2..chars.len().saturating_sub(1)).find(|&i| chars[i] == '}' && chars[i + 1] == '}')
            {
                let reference: String = chars[column + 2..close].iter().collect::<String>().trim().to_string();
                if let Ok(printed) = crate::numbers::reference::print_reference(&manuscript.data, &reference) {
                    let printed = printed.text;
                    let path = reference.split(['|', '｜']).next().unwrap_or_default().trim();
                    let origin = Origin { end_column: close + 3, data: cell(manuscript, path), ..at(column) };
                    out.extend(printed.chars().map(|c| (c, origin.clone())));
                    column = close + 2;
                    continue;
                }
            }
            out.push((chars[column], at(column)));
            column += 1;
        }
        out.push(('\n', Origin { file: file.to_path_buf(), line: number, column: chars.len() + 1, end_column: chars.len() + 1, data: None }));
    }
    out
}

/// The row of a `table.row.column` reference (or `table.row`, the row key itself).
fn cell(manuscript: &Manuscript, reference: &str) -> Option<DataCell> {
    let mut parts = reference.split('.').map(str::trim);
    let (table, row) = (parts.next()?, parts.next()?);
    let table = manuscript.data.tables.get(table)?;
    let row = table.row(row)?;
    let file = table.rows_file.strip_prefix(&manuscript.root).unwrap_or(&table.rows_file).to_path_buf();
    Some(DataCell { reference: reference.to_string(), file, line: row.line })
}

/// A table's cells as printed, row by row, each from its data row; the block's own line
/// stands for what is not a cell.
fn cells_of(manuscript: &Manuscript, block: &Block, out: &mut SourceChars) {
    let BlockKind::Table { data_table, data, .. } = &block.kind else { return };
    let Some(table) = manuscript.data.tables.get(data_table) else { return };
    let here = Origin { file: block.source.file.clone(), line: block.source.line, column: 1, end_column: 1, data: None };
    for heading in &data.header {
        out.extend(heading.chars().map(|c| (c, here.clone())));
    }
    for row in &data.rows {
        let key = row.first().map(|c| c.text.as_str()).unwrap_or("");
        for (index, printed) in row.iter().enumerate() {
            let reference = match index {
                0 => format!("{data_table}.{key}"),
                _ => {
                    let heading = data.header.get(index).map(String::as_str).unwrap_or("");
                    let column = table.columns.iter().find(|c| c.heading() == heading || c.name == heading).map(|c| c.name.as_str()).unwrap_or(heading);
                    format!("{data_table}.{key}.{column}")
                }
            };
            let origin = Origin { data: cell(manuscript, &reference), ..here.clone() };
            out.extend(printed.text.chars().map(|c| (c, origin.clone())));
        }
    }
}

/// For every character of `printed` (the glyph text of one block, in layout order), the
/// index of the source character it shows, if any.
pub fn align(printed: &[char], source: &SourceChars) -> Vec<Option<usize>> {
    let key = |c: char| if c.is_whitespace() { ' ' } else { c };
    let old: Vec<char> = printed.iter().map(|&c| key(c)).collect();
    let new: Vec<char> = source.iter().map(|(c, _)| key(*c)).collect();
    let mut out = vec![None; printed.len()];
    for op in capture_diff_slices(Algorithm::Myers, &old, &new) {
        if let DiffOp::Equal { old_index, new_index, len } = op {
            for offset in 0..len {
                // White space is printed where the layout wants it; it marks no place.
                if old[old_index + offset] != ' ' {
                    out[old_index + offset] = Some(new_index + offset);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(text: &str, line: usize) -> SourceChars {
        text.chars().enumerate().map(|(i, c)| (c, Origin { file: "a.md".into(), line, column: i + 1, end_column: i + 2, data: None })).collect()
    }

    #[test]
    fn markup_and_line_numbers_fall_out_of_the_alignment() {
        let source = chars("全市**坚持**生态优先，[绿色](https://x.cn)发展。", 3);
        let printed: Vec<char> = "12全市坚持生态优先，绿色发展。".chars().collect();
        let aligned = align(&printed, &source);
        assert_eq!(aligned[0], None);
        assert_eq!(aligned[1], None);
        // 坚 is the 5th character of the source line (after 全市**).
        assert_eq!(aligned[4].map(|i| source[i].1.column), Some(5));
        // 发 comes after the link's address.
        let fa = printed.iter().position(|&c| c == '发').unwrap_or(0);
        assert_eq!(aligned[fa].map(|i| source[i].1.column), Some(32));
    }
}
