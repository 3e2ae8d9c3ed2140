//! The words reportpress itself prints in a document — 图, 表, 续表, 资料来源, 单位, 目录,
//! 校样 … — in the document's script: Simplified Chinese, or Traditional (繁体) for a document
//! in `zh-TW`, `zh-HK`, `zh-MO` or `zh-Hant`. The front end labels figures and tables with
//! them, the chart module writes its unit line with them, and the templates and the EPUB
//! receive them with the document, so no Simplified word appears in a Traditional edition.
//!
//! A table of the few words, not a converter: the words are fixed, and a general
//! Simplified-to-Traditional converter (OpenCC's tables) is chosen per phrase and region,
//! which for these words gives the same answer at megabytes of cost.

use serde::Serialize;

/// The words of one script.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DocumentWords {
    /// The label of figures (images and charts): 图 / 圖.
    pub figure: &'static str,
    /// The label of tables: 表.
    pub table: &'static str,
    /// Before a table's label where it continues on another page: 续 / 續 (续表 3).
    pub continued: &'static str,
    /// Before a table's or chart's source: 资料来源 / 資料來源.
    pub source: &'static str,
    /// Before the unit of a table or chart: 单位 / 單位.
    pub unit: &'static str,
    /// The title of the contents: 目录 / 目錄.
    pub contents: &'static str,
    /// The list of figures: 图目录 / 圖目錄.
    pub figure_list: &'static str,
    /// The list of tables: 表目录 / 表目錄.
    pub table_list: &'static str,
    /// The proof edition's mark: 校样 / 校樣.
    pub proof: &'static str,
    /// A change proof's kinds of change: 新增, 删除 / 刪除, 修改.
    pub inserted: &'static str,
    /// (See `inserted`.)
    pub deleted: &'static str,
    /// (See `inserted`.)
    pub changed: &'static str,
    /// A chart's data, and "see", as the EPUB points to it: 数据见表 2 / 數據見表 2.
    pub data: &'static str,
    /// (See `data`.)
    pub see: &'static str,
}

/// Simplified Chinese (the default).
pub const SIMPLIFIED: DocumentWords = DocumentWords {
    figure: "图",
    table: "表",
    continued: "续",
    source: "资料来源",
    unit: "单位",
    contents: "目录",
    figure_list: "图目录",
    table_list: "表目录",
    proof: "校样",
    inserted: "新增",
    deleted: "删除",
    changed: "修改",
    data: "数据",
    see: "见",
};

/// Traditional Chinese, as Taiwan and Hong Kong print these words.
pub const TRADITIONAL: DocumentWords = DocumentWords {
    figure: "圖",
    table: "表",
    continued: "續",
    source: "資料來源",
    unit: "單位",
    contents: "目錄",
    figure_list: "圖目錄",
    table_list: "表目錄",
    proof: "校樣",
    inserted: "新增",
    deleted: "刪除",
    changed: "修改",
    data: "數據",
    see: "見",
};

/// The CJK region `language` (a BCP 47 tag) is written for, as the Noto and Source Han
/// collections name their families' faces: `SC` (the default), `TC` (zh-TW, zh-Hant), `HK`
/// (zh-HK, zh-MO), `JP`, `KR`. The one reading of the tag: the fonts, the design's faces,
/// Typst's text region and the words reportpress prints all follow it.
pub fn cjk_region(language: &str) -> &'static str {
    let lower = language.to_ascii_lowercase();
    let parts: Vec<&str> = lower.split(['-', '_']).collect();
    let has = |subtags: &[&str]| parts.iter().skip(1).any(|part| subtags.contains(part));
    match parts.first().copied() {
        Some("ja") => "JP",
        Some("ko") => "KR",
        _ if has(&["hk", "mo"]) => "HK",
        _ if has(&["tw", "hant"]) => "TC",
        _ => "SC",
    }
}

/// Whether `language` is written in Traditional characters (the TC and HK regions).
pub fn is_traditional(language: &str) -> bool {
    matches!(cjk_region(language), "TC" | "HK")
}

/// The words for a document in `language`.
pub fn for_language(language: &str) -> &'static DocumentWords {
    if is_traditional(language) { &TRADITIONAL } else { &SIMPLIFIED }
}

/// Writes the words the front end put into tables and charts (their unit lines and source
/// notes, `单位：…`, `资料来源：…`) in `words`' script; captions' labels are numbered with
/// `words` directly. A Simplified document is left as it is.
pub fn relabel(blocks: &mut [super::Block], words: &'static DocumentWords) {
    if *words == SIMPLIFIED {
        return;
    }
    let swap = |text: &mut String, from: &str, to: &str| {
        if let Some(rest) = text.strip_prefix(from) {
            *text = format!("{to}{rest}");
        }
    };
    super::walk::blocks_mut(blocks, &mut |block| match &mut block.kind {
        super::BlockKind::Table { unit, source_note, .. } => {
            swap(unit, SIMPLIFIED.unit, words.unit);
            swap(source_note, SIMPLIFIED.source, words.source);
        }
        super::BlockKind::Chart { spec, .. } => {
            spec.unit_word = words.unit;
            swap(&mut spec.source, SIMPLIFIED.source, words.source);
        }
        _ => {}
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_region_follows_the_language_tag() {
        for (tag, region) in [
            ("zh-CN", "SC"),
            ("zh-Hans", "SC"),
            ("zh", "SC"),
            ("zh-TW", "TC"),
            ("zh-Hant", "TC"),
            ("zh-HK", "HK"),
            ("zh-Hant-HK", "HK"),
            ("zh-MO", "HK"),
            ("ja", "JP"),
            ("ko-KR", "KR"),
        ] {
            assert_eq!(cjk_region(tag), region, "{tag}");
        }
    }

    #[test]
    fn traditional_regions_and_the_hant_script_take_the_traditional_words() {
        for tag in ["zh-TW", "zh-HK", "zh-MO", "zh-Hant", "zh-Hant-TW", "zh_TW"] {
            assert_eq!(for_language(tag).figure, "圖", "{tag}");
        }
        for tag in ["zh-CN", "zh", "zh-Hans", "zh-SG", "en"] {
            assert_eq!(for_language(tag).figure, "图", "{tag}");
        }
    }

    #[test]
    fn no_word_of_the_traditional_set_changes_under_fast2s() {
        // Each Traditional word is already Traditional: converting it to Simplified and
        // comparing with the Simplified set proves the pairs match.
        let pairs = [
            (TRADITIONAL.figure, SIMPLIFIED.figure),
            (TRADITIONAL.continued, SIMPLIFIED.continued),
            (TRADITIONAL.source, SIMPLIFIED.source),
            (TRADITIONAL.unit, SIMPLIFIED.unit),
            (TRADITIONAL.contents, SIMPLIFIED.contents),
            (TRADITIONAL.figure_list, SIMPLIFIED.figure_list),
            (TRADITIONAL.table_list, SIMPLIFIED.table_list),
            (TRADITIONAL.proof, SIMPLIFIED.proof),
            (TRADITIONAL.deleted, SIMPLIFIED.deleted),
            (TRADITIONAL.data, SIMPLIFIED.data),
            (TRADITIONAL.see, SIMPLIFIED.see),
        ];
        for (traditional, simplified) in pairs {
            assert_eq!(fast2s::convert(traditional), simplified, "{traditional} is not the Traditional form of {simplified}");
        }
    }
}
