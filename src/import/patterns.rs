//! The numbering patterns of Chinese headings (第一章, 一、, （一）, 1., （1）), shared by the
//! text and Word readers: which pattern a heading begins with, and its text without it.

/// Numbering patterns of Chinese headings, in the order of their rank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HeadingNumber {
    /// 第一章, 第二部分, 第三节.
    Chapter,
    /// 一、
    Han,
    /// （一）
    ParenHan,
    /// 1. 1．1、
    Arabic,
    /// （1）
    ParenArabic,
}

const HAN_DIGITS: &str = "一二三四五六七八九十百零〇两";

/// The numbering a heading's text begins with, if any.
pub fn numbered_heading(text: &str) -> Option<HeadingNumber> {
    let text = text.trim();
    if let Some(rest) = text.strip_prefix('第') {
        let number: String = rest.chars().take_while(|c| HAN_DIGITS.contains(*c) || c.is_ascii_digit()).collect();
        let after = &rest[number.len()..];
        if !number.is_empty() && ["章", "部分", "节", "篇", "编"].iter().any(|u| after.starts_with(u)) {
            return Some(HeadingNumber::Chapter);
        }
    }
    let han: String = text.chars().take_while(|c| HAN_DIGITS.contains(*c)).collect();
    if !han.is_empty() && text[han.len()..].starts_with('、') {
        return Some(HeadingNumber::Han);
    }
    if let Some(rest) = text.strip_prefix(['（', '(']) {
        let han: String = rest.chars().take_while(|c| HAN_DIGITS.contains(*c)).collect();
        if !han.is_empty() && rest[han.len()..].starts_with(['）', ')']) {
            return Some(HeadingNumber::ParenHan);
        }
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if !digits.is_empty() && digits.len() <= 2 && rest[digits.len()..].starts_with(['）', ')']) {
            return Some(HeadingNumber::ParenArabic);
        }
    }
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    if !digits.is_empty() && digits.len() <= 2 {
        let after = &text[digits.len()..];
        let mut chars = after.chars();
        if matches!(chars.next(), Some('.' | '．' | '、')) && chars.next().is_some_and(|c| !c.is_ascii_digit()) {
            return Some(HeadingNumber::Arabic);
        }
    }
    None
}

/// The text after a heading number (`一、`, `（一）`, `1.`, `第一章`), or all of it.
pub fn without_number(text: &str) -> &str {
    let Some(kind) = numbered_heading(text) else { return text.trim() };
    let text = text.trim();
    let end = match kind {
        HeadingNumber::Chapter => text.find(['章', '分', '节', '篇', '编']).map(|i| i + '章'.len_utf8()),
        HeadingNumber::Han | HeadingNumber::Arabic => text.find(['、', '.', '．']).map(|i| i + text[i..].chars().next().map_or(1, char::len_utf8)),
        HeadingNumber::ParenHan | HeadingNumber::ParenArabic => text.find(['）', ')']).map(|i| i + text[i..].chars().next().map_or(1, char::len_utf8)),
    };
    end.map_or(text, |e| text[e..].trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heading_numbers_are_recognised() {
        assert_eq!(numbered_heading("一、总体情况"), Some(HeadingNumber::Han));
        assert_eq!(numbered_heading("（二）工业"), Some(HeadingNumber::ParenHan));
        assert_eq!(numbered_heading("第三章 展望"), Some(HeadingNumber::Chapter));
        assert_eq!(numbered_heading("2. 方法"), Some(HeadingNumber::Arabic));
        assert_eq!(numbered_heading("2.5亿元"), None);
        assert_eq!(numbered_heading("一批项目"), None);
    }
}
