//! Thousands grouping of every number that comes from the data — in the prose (data
//! references) and in tables and charts alike — set by `report.toml` (`[numbers] grouping`)
//! or else by the design (`design.toml`, `[numbers] grouping`):
//!
//! - `as-typed` (the default): each number keeps the separators it was typed or formatted with;
//! - `none`: no separators (`12345`), as the National Bureau of Statistics prints its bulletins;
//! - `comma`: a comma every three digits from four digits up (`1,234`, `12,345`);
//! - `thin`: a thin space every three digits from five digits up (`12 345`; a four-digit
//!   number stays `1234`), per GB/T 15835—2011 §5.1.2; a word joiner after each thin space
//!   keeps the number on one line.
//!
//! Only the integer part is grouped; separators typed in a decimal part are removed.

use crate::manuscript::data::DataSet;
use crate::model::walk;
use crate::model::{Block, BlockKind, Document, Inline, TableData};

/// The separator `thin` grouping prints: U+2009 THIN SPACE followed by U+2060 WORD JOINER,
/// so that a line never breaks inside a number (a thin space alone is a break opportunity).
pub const THIN_SPACE: &str = "\u{2009}\u{2060}";

/// How the numbers from the data are grouped in thousands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Grouping {
    /// Each number keeps the separators it was typed with.
    #[default]
    AsTyped,
    /// No separators.
    None,
    /// Commas, from four digits.
    Comma,
    /// Thin spaces, from five digits (GB/T 15835).
    Thin,
}

/// The values `grouping` takes, for messages.
pub const VALUES: &str = "\"as-typed\", \"none\", \"comma\", \"thin\"";

impl Grouping {
    /// Reads a `grouping = "…"` value; the error lists the values.
    pub fn parse(value: &str) -> Result<Self, String> {
        match value {
            "as-typed" => Ok(Grouping::AsTyped),
            "none" => Ok(Grouping::None),
            "comma" => Ok(Grouping::Comma),
            "thin" => Ok(Grouping::Thin),
            other => Err(format!("`grouping` must be one of {VALUES}, found `{other}`")),
        }
    }
}

/// Separators a typed number may hold between its digits.
fn is_separator(c: char) -> bool {
    matches!(c, ',' | ' ' | '\u{2009}' | '\u{202F}' | '\u{A0}' | '\u{2060}' | '\'' | '_')
}

/// The index after the separators starting at `i`, if a digit follows them.
fn past_separators(chars: &[char], i: usize) -> Option<usize> {
    let end = (i..chars.len()).find(|&j| !is_separator(chars[j]))?;
    (end > i && chars[end].is_ascii_digit()).then_some(end)
}

/// `text` with every number in it grouped as `grouping` asks (words around numbers, such as
/// the 增长 a wording filter prints, are left alone).
pub fn regroup(text: &str, grouping: Grouping) -> String {
    if grouping == Grouping::AsTyped {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // A run of digits with separators between digits, then an optional fraction.
        let mut integer = String::new();
        while i < chars.len() {
            if chars[i].is_ascii_digit() {
                integer.push(chars[i]);
                i += 1;
            } else if let Some(next) = past_separators(&chars, i).filter(|_| !integer.is_empty()) {
                i = next;
            } else {
                break;
            }
        }
        let mut fraction = String::new();
        if chars.get(i) == Some(&'.') && chars.get(i + 1).is_some_and(char::is_ascii_digit) {
            i += 1;
            while i < chars.len() {
                if chars[i].is_ascii_digit() {
                    fraction.push(chars[i]);
                    i += 1;
                } else if let Some(next) = past_separators(&chars, i) {
                    i = next;
                } else {
                    break;
                }
            }
        }
        out.push_str(&group(&integer, grouping));
        if !fraction.is_empty() {
            out.push('.');
            out.push_str(&fraction);
        }
    }
    out
}

/// The digits of an integer part grouped in threes from the right.
fn group(digits: &str, grouping: Grouping) -> String {
    let (separator, from) = match grouping {
        Grouping::Comma => (",", 4),
        Grouping::Thin => (THIN_SPACE, 5),
        Grouping::None | Grouping::AsTyped => return digits.to_string(),
    };
    if digits.len() < from {
        return digits.to_string();
    }
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push_str(separator);
        }
        out.push(digit);
    }
    out
}

/// Groups every number from the data in `document`: the values of data references to
/// number and percent columns (not text cells such as `2024年`) and the numeric cells of
/// tables and charts (before the charts are laid out).
pub fn apply(document: &mut Document, data: &DataSet, grouping: Grouping) {
    if grouping == Grouping::AsTyped {
        return;
    }
    walk::inline_lists_mut(&mut document.blocks, &mut |list, _| {
        for inline in list.iter_mut() {
            if let Inline::DataRef { reference, value: Some(value), .. } = inline
                && super::reference::numeric_reference(data, reference)
            {
                *value = regroup(value, grouping);
            }
        }
    });
    walk::blocks_mut(&mut document.blocks, &mut |block: &mut Block| {
        if let BlockKind::Table { data, .. } | BlockKind::Chart { data, .. } = &mut block.kind {
            regroup_table(data, grouping);
        }
    });
}

fn regroup_table(data: &mut TableData, grouping: Grouping) {
    for cell in data.rows.iter_mut().flatten().filter(|cell| cell.numeric) {
        cell.text = regroup(&cell.text, grouping);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_grouping() {
        let thin = |s: &str| s.replace(' ', THIN_SPACE);
        for (typed, none, comma, thin_grouped) in [
            ("2345", "2345", "2,345", "2345"),
            ("2,345", "2345", "2,345", "2345"),
            ("31565", "31565", "31,565", &thin("31 565")),
            ("1 234 567.891", "1234567.891", "1,234,567.891", &thin("1 234 567.891")),
            ("-12345.6", "-12345.6", "-12,345.6", &thin("-12 345.6")),
            ("增长12345.6万吨", "增长12345.6万吨", "增长12,345.6万吨", &thin("增长12 345.6万吨")),
            ("205.72", "205.72", "205.72", "205.72"),
        ] {
            assert_eq!(regroup(typed, Grouping::None), none, "{typed}");
            assert_eq!(regroup(typed, Grouping::Comma), comma, "{typed}");
            assert_eq!(regroup(typed, Grouping::Thin), thin_grouped, "{typed}");
            assert_eq!(regroup(typed, Grouping::AsTyped), typed);
        }
        assert!(Grouping::parse("space").unwrap_err().contains("\"thin\""));
        // Grouped twice is grouped once; a typed thin space is read as a separator.
        assert_eq!(regroup(&regroup("31565", Grouping::Thin), Grouping::Thin), thin("31 565"));
        assert_eq!(regroup("31\u{2009}565", Grouping::Comma), "31,565");
    }
}
