//! Numbers and their units in running text — `1,941.0亿元`, `3个百分点`, `312 Mbps` — which a
//! line never parts (clreq: a number and its unit are one unit of reading). This module owns
//! the one list of unit words: the EPUB writer finds the quantities with it and keeps each on
//! one line, and the print templates receive the same pattern with the document
//! (`units` in `document.json`) to set each as one box.

use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;

/// The unit words, as a regular expression both Rust's `regex` and Typst's `regex()` read:
/// counted things with an optional 十/百/千/万/亿 before them, and Latin units (a space before
/// them allowed). `%` is not here: every line breaker keeps it with its number already.
/// Simplified and Traditional forms both (亿元 and 億元, 个百分点 and 個百分點).
pub const UNIT_WORDS: &str = "(?:[十百千万亿萬億]{0,2}(?:元|人次|人|户|戶|吨|噸|千克|公斤|件|辆|輛|台|臺|套|只|个百分点|個百分點|百分点|百分點|家|所|项|項|座|亩|畝|公顷|公頃|平方千米|平方公里|平方米|平方公尺|立方米|立方公尺|千米|公里|公尺|米|千瓦时|千瓦時|千瓦|千升|重量箱|箱|支|块|塊|册|冊|岁|歲|倍|片)|\\s?(?:Mbps|Gbps|kbps|GB|MB|TB|km|kg|kWh|kW|MW|GW|MHz|GHz))";

fn number_with_unit() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    // (A constant pattern: it compiles, as the tests check.)
    PATTERN.get_or_init(|| Regex::new(&format!("[0-9][0-9.,]*{UNIT_WORDS}")).expect("the unit pattern is valid"))
}

fn unit_first() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| Regex::new(&format!("^{UNIT_WORDS}")).expect("the unit pattern is valid"))
}

/// The byte ranges of every number with its unit in `text`, in order.
pub fn quantities(text: &str) -> Vec<Range<usize>> {
    number_with_unit().find_iter(text).map(|m| m.range()).collect()
}

/// The length in bytes of the unit `text` starts with (the unit after a number from the
/// data: `{{gdp.全市.总量}}亿元`), or 0.
pub fn leading_unit(text: &str) -> usize {
    unit_first().find(text).map_or(0, |m| m.end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_numbers_with_counted_and_latin_units() {
        let text = "全年1,941.0亿元，增长3个百分点；宽带312 Mbps，共8.2万人。";
        let found: Vec<&str> = quantities(text).into_iter().map(|r| &text[r]).collect();
        assert_eq!(found, ["1,941.0亿元", "3个百分点", "312 Mbps", "8.2万人"]);
    }

    #[test]
    fn traditional_units_are_found_too() {
        let text = "總值3,412.6億元，提高0.2個百分點，產量812.4萬片。";
        let found: Vec<&str> = quantities(text).into_iter().map(|r| &text[r]).collect();
        assert_eq!(found, ["3,412.6億元", "0.2個百分點", "812.4萬片"]);
    }

    #[test]
    fn a_number_without_a_unit_or_a_percent_is_left_alone() {
        assert!(quantities("增长5.2%，2025年").is_empty(), "{:?}", quantities("增长5.2%，2025年"));
    }

    #[test]
    fn a_unit_after_a_data_number_is_found_at_the_start() {
        assert_eq!(leading_unit("亿元，比上年增长"), "亿元".len());
        assert_eq!(leading_unit("，比上年"), 0);
    }
}
