//! Numbers typed by hand: `reportpress check` warns where the prose types a number that a
//! data table holds, with the same unit right after it (`120.5亿元` when a column of 亿元
//! holds 120.5; `6.2%` when a percent column holds 6.2), and offers the `{{…}}` to write
//! instead, so every number has one home and follows the data when it changes.
//!
//! Only numbers with a decimal point or of three digits or more are compared (`3个` or
//! `2家` say too little to be sure), and only with the unit of the column right after them.

use std::collections::BTreeMap;
use std::path::Path;

use crate::diagnostics::Diagnostic;
use crate::manuscript::data::DataSet;
use crate::model::walk;
use crate::model::{Block, Inline};
use crate::numbers::typed::ColumnKind;

/// Most references offered for one number (the others are counted).
const MAX_OFFERED: usize = 3;

/// The digits of a number as compared: no separators, ASCII, no `+`.
fn canonical(written: &str) -> String {
    written.chars().filter(|c| c.is_ascii_digit() || matches!(c, '.' | '-')).collect()
}

/// Whether a number says enough to be matched: a decimal point or three digits or more.
fn telling(digits: &str) -> bool {
    digits.contains('.') || digits.chars().filter(char::is_ascii_digit).count() >= 3
}

/// The numbers of `text` with their byte ranges: ASCII digits with at most one decimal
/// point and thousands commas between digits, not part of a longer run of Latin letters.
fn numbers_in(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() || (i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'.')) {
            i += 1;
            continue;
        }
        let start = if i > 0 && bytes[i - 1] == b'-' { i - 1 } else { i };
        let mut end = i;
        let mut point = false;
        while end < bytes.len() {
            let b = bytes[end];
            let next_digit = bytes.get(end + 1).is_some_and(u8::is_ascii_digit);
            if b.is_ascii_digit() || (b == b',' && next_digit) || (b == b'.' && !point && next_digit) {
                point |= b == b'.';
                end += 1;
            } else {
                break;
            }
        }
        out.push((start, end));
        i = end.max(i + 1);
    }
    out
}

/// Warnings for every number the prose of `blocks` types by hand that a table of `data`
/// holds with the same unit after it, located at its line and column in its file.
pub fn find(blocks: &[Block], data: &DataSet, root: &Path) -> Vec<Diagnostic> {
    // (digits, unit) → the references that hold them.
    let mut held: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for table in data.tables.values() {
        for (index, column) in table.columns.iter().enumerate() {
            let unit = column.value_unit();
            if column.kind == ColumnKind::Text || unit.is_empty() {
                continue;
            }
            for row in &table.rows {
                let value = &row.values[index];
                let digits = canonical(&value.written);
                if value.number.is_some() && telling(&digits) {
                    held.entry((digits, unit.to_string())).or_default().push(format!("{}.{}.{}", table.id, row.key, column.name));
                }
            }
        }
    }
    if held.is_empty() {
        return Vec::new();
    }
    let mut files: BTreeMap<std::path::PathBuf, Vec<String>> = BTreeMap::new();
    let mut warnings = Vec::new();
    walk::inlines(blocks, &mut |inline, source| {
        let Inline::Text { text } = inline else { return };
        for (start, end) in numbers_in(text) {
            let digits = canonical(&text[start..end]);
            if !telling(&digits) {
                continue;
            }
            let after = &text[end..];
            let found =
                held.range((digits.clone(), String::new())..).take_while(|((d, _), _)| *d == digits).find(|((_, unit), _)| after.starts_with(unit.as_str()));
            let Some(((_, unit), references)) = found else { continue };
            let typed = format!("{}{unit}", &text[start..end]);
            let lines = files
                .entry(source.file.clone())
                .or_insert_with(|| std::fs::read_to_string(root.join(&source.file)).map(|t| t.lines().map(str::to_string).collect()).unwrap_or_default());
            // The first place at or after the block's line where the number is typed.
            let place = lines
                .iter()
                .enumerate()
                .skip(source.line.saturating_sub(1))
                .find_map(|(number, line)| line.find(&typed).map(|byte| (number + 1, line[..byte].chars().count() + 1)));
            let (line, column) = place.unwrap_or((source.line, 1));
            let offered: Vec<String> = references.iter().take(MAX_OFFERED).map(|r| format!("{{{{{r}}}}}{unit}")).collect();
            let more = if references.len() > MAX_OFFERED { format!(" (and {} more cells)", references.len() - MAX_OFFERED) } else { String::new() };
            warnings.push(
                Diagnostic::warning(
                    root.join(&source.file),
                    format!(
                        "`{typed}` is typed by hand, but the data holds it: {}{more}",
                        references.iter().take(MAX_OFFERED).cloned().collect::<Vec<_>>().join("、")
                    ),
                )
                .at(line, column)
                .with_hint(format!("write {} instead, so the text follows the data when it changes", offered.join(" or "))),
            );
        }
    });
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_found_in_prose() {
        let text = "地区生产总值120.5亿元，增长6.2%，共12,345人，第3季度，H2O，v1.2";
        let found: Vec<&str> = numbers_in(text).into_iter().map(|(s, e)| &text[s..e]).collect();
        assert_eq!(found, vec!["120.5", "6.2", "12,345", "3"]);
        assert!(telling("120.5") && telling("345") && !telling("12"));
        assert_eq!(canonical("12,345"), "12345");
    }
}
