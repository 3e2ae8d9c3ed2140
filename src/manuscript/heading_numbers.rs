//! Heading numbers (一、 （一） 1. （1） …): a pass over the document model that prefixes each
//! top-level heading with its number, as the design's `[headings] numbering` (or
//! `report.toml`'s `heading_numbering`) asks. The number becomes part of the heading's
//! text, so the PDF, its outline, the 目录, the EPUB and its navigation print the same
//! numbers without each writer numbering again.
//!
//! A heading whose text already starts with a number (written by hand, e.g. `一、总体情况`)
//! keeps its text as written and still counts, so a manuscript numbered by hand prints
//! unchanged in every design. Headings inside sidebars and quotes are not numbered.

use crate::model::{BlockKind, Document, Inline};

/// The Chinese numerals for 0–9.
const DIGITS: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/// How one level's number is written: the text before the number, its style, the text after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    prefix: String,
    chinese: bool,
    suffix: String,
}

impl Pattern {
    /// Reads a pattern such as `（一）` or `1. `: the first `一` (a Chinese numeral) or `1`
    /// (an Arabic one) stands for the number.
    pub fn parse(pattern: &str) -> Result<Pattern, String> {
        let Some((at, placeholder)) = pattern.char_indices().find(|&(_, c)| c == '一' || c == '1') else {
            return Err(format!("`{pattern}` has no number in it: write 一 for a Chinese numeral or 1 for an Arabic one"));
        };
        if pattern.chars().count() > 12 {
            return Err(format!("`{pattern}` is too long for a heading number (at most 12 characters)"));
        }
        Ok(Pattern { prefix: pattern[..at].to_string(), chinese: placeholder == '一', suffix: pattern[at + placeholder.len_utf8()..].to_string() })
    }

    /// The number `n` (from 1) written in this pattern.
    pub fn format(&self, n: usize) -> String {
        let number = if self.chinese { chinese_numeral(n) } else { n.to_string() };
        format!("{}{number}{}", self.prefix, self.suffix)
    }
}

/// `n` as a Chinese numeral as headings write it: 一 … 十, 十一, 二十, 二十一 … 九十九; larger
/// numbers digit by digit (一〇一).
pub fn chinese_numeral(n: usize) -> String {
    match n {
        0..=9 => DIGITS[n].to_string(),
        10..=99 => {
            let (tens, ones) = (n / 10, n % 10);
            let mut out = if tens == 1 { String::new() } else { DIGITS[tens].to_string() };
            out.push('十');
            if ones > 0 {
                out.push(DIGITS[ones]);
            }
            out
        }
        _ => n.to_string().chars().map(|d| DIGITS[d.to_digit(10).unwrap_or(0) as usize]).collect(),
    }
}

/// Whether a heading's text already starts with a number a writer typed: 一、 （一） (1)
/// 1. 1.2 1、 第一章 第3节 and the like.
pub fn starts_with_number(text: &str) -> bool {
    let text = text.trim_start();
    let is_chinese_digit = |c: char| DIGITS.contains(&c) || matches!(c, '十' | '百' | '零' | '两');
    let mut chars = text.chars().peekable();
    match chars.peek().copied() {
        Some('第') => {
            chars.next();
            let mut digits = 0;
            while chars.peek().is_some_and(|&c| is_chinese_digit(c) || c.is_ascii_digit()) {
                chars.next();
                digits += 1;
            }
            digits > 0 && chars.next().is_some_and(|c| matches!(c, '章' | '节' | '篇' | '部' | '编' | '讲' | '条'))
        }
        Some('（' | '(') => {
            chars.next();
            let mut digits = 0;
            while chars.peek().is_some_and(|&c| is_chinese_digit(c) || c.is_ascii_digit()) {
                chars.next();
                digits += 1;
            }
            digits > 0 && chars.next().is_some_and(|c| matches!(c, '）' | ')'))
        }
        Some(c) if is_chinese_digit(c) => {
            while chars.peek().is_some_and(|&c| is_chinese_digit(c)) {
                chars.next();
            }
            chars.next().is_some_and(|c| matches!(c, '、' | '．' | '.'))
        }
        Some(c) if c.is_ascii_digit() => {
            // 1. 1、 1 概况 1.2 方法; not 2025年, 10% or 2.5亿元.
            let number: String = text.chars().take_while(|&c| c.is_ascii_digit() || c == '.' || c == '．').collect();
            let next = text[number.len()..].chars().next();
            let spaced = next.is_some_and(|c| c == ' ' || c == '\u{3000}');
            number.ends_with(['.', '．']) || next == Some('、') || spaced
        }
        _ => false,
    }
}

/// Prefixes every top-level heading of `document` with its number in `patterns` (one per
/// level, from level 1). Returns how many headings were numbered.
pub fn number_headings(document: &mut Document, patterns: &[Pattern]) -> usize {
    if patterns.is_empty() {
        return 0;
    }
    let mut counters = [0usize; 6];
    let mut numbered = 0;
    for block in &mut document.blocks {
        let BlockKind::Heading { level, content } = &mut block.kind else { continue };
        let level = usize::from(*level).clamp(1, 6);
        counters[level - 1] += 1;
        counters[level..].iter_mut().for_each(|c| *c = 0);
        let Some(pattern) = patterns.get(level - 1) else { continue };
        let mut text = String::new();
        crate::model::plain_text_of(content, &mut text);
        if starts_with_number(&text) {
            continue;
        }
        content.insert(0, Inline::Text { text: pattern.format(counters[level - 1]) });
        numbered += 1;
    }
    numbered
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_numerals_as_headings_write_them() {
        let written: Vec<String> = [1, 9, 10, 11, 19, 20, 21, 99, 101].iter().map(|&n| chinese_numeral(n)).collect();
        assert_eq!(written, ["一", "九", "十", "十一", "十九", "二十", "二十一", "九十九", "一〇一"]);
    }

    #[test]
    fn patterns_place_the_number() {
        let formatted: Vec<String> = ["一、", "（一）", "1. ", "（1）", "第一章　"].iter().map(|p| Pattern::parse(p).unwrap().format(12)).collect();
        assert_eq!(formatted, ["十二、", "（十二）", "12. ", "（12）", "第十二章　"]);
        assert!(Pattern::parse("§").is_err());
    }

    #[test]
    fn numbers_typed_by_the_writer_are_recognised() {
        for numbered in ["一、总体情况", "（三）投资", "(2) 消费", "1. 概况", "2.3 方法", "3、结论", "第十二章 展望", "第3节 方法", "十一、附录"]
        {
            assert!(starts_with_number(numbered), "{numbered}");
        }
        for plain in ["2025年工作回顾", "10%的增长", "一季度经济运行", "总体情况", "第一产业", "（附）说明", "一带一路建设"] {
            assert!(!starts_with_number(plain), "{plain}");
        }
    }
}
