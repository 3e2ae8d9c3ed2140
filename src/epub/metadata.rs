//! The EPUB's package metadata that is derived rather than written by the editor: a stable
//! identifier, the modification time, and the EPUB Accessibility 1.1 statements.
//!
//! Nothing here reads the clock: the identifier comes from the book's title, authors and
//! output name, and `dcterms:modified` from `SOURCE_DATE_EPOCH` or the report's date, so
//! two builds of the same manuscript are byte-identical.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::model::Metadata;

/// The environment variable of the reproducible-builds convention.
pub const SOURCE_DATE_EPOCH: &str = "SOURCE_DATE_EPOCH";

/// The UUID namespace of reportpress identifiers (a v5 UUID of the project's URL form).
fn namespace() -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_URL, b"urn:reportpress:epub")
}

/// A UUID v5 derived from the title, the authors and the output name: the same book gets
/// the same identifier on every build, a different book (or edition file) another one.
pub fn identifier(meta: &Metadata, output: &str) -> Uuid {
    // Unit and record separators keep ("ab", "c") and ("a", "bc") apart.
    let name = format!("{}\u{1f}{}\u{1f}{}", meta.title, meta.authors.join("\u{1e}"), output);
    Uuid::new_v5(&namespace(), name.as_bytes())
}

/// The last second a four-digit year can name: 9999-12-31 23:59:59 UTC.
const LAST_SECOND: i64 = 253_402_300_799;

/// Reads `SOURCE_DATE_EPOCH`: `Ok(None)` when unset, an error message when it is not a
/// number of seconds.
pub fn source_date_epoch() -> Result<Option<i64>, String> {
    match std::env::var(SOURCE_DATE_EPOCH) {
        Ok(value) if value.trim().is_empty() => Ok(None),
        // Before 1970 the EPUB's dcterms:modified and the zip's timestamps are invalid.
        // After 9999-12-31 no date can be written as the EPUB's four-digit year.
        Ok(value) => match value.trim().parse::<i64>() {
            Ok(seconds) if (0..=LAST_SECOND).contains(&seconds) => Ok(Some(seconds)),
            _ => Err(format!(
                "{SOURCE_DATE_EPOCH} must be a number of seconds since 1970, at most {LAST_SECOND} (9999-12-31), found `{}`",
                crate::diagnostics::bounded(&value, 40)
            )),
        },
        Err(_) => Ok(None),
    }
}

/// The modification time of the edition: `SOURCE_DATE_EPOCH` when given, otherwise the
/// report's date at midnight UTC. `None` when neither is usable.
pub fn modified(report_date: &str, source_date_epoch: Option<i64>) -> Option<DateTime<Utc>> {
    match source_date_epoch {
        Some(seconds) => DateTime::from_timestamp(seconds, 0),
        None => publication_date(report_date),
    }
}

/// The report's date (`YYYY-MM-DD`) at midnight UTC.
pub fn publication_date(report_date: &str) -> Option<DateTime<Utc>> {
    let date = NaiveDate::parse_from_str(report_date, "%Y-%m-%d").ok()?;
    Some(date.and_hms_opt(0, 0, 0)?.and_utc())
}

/// The accessibility summary, in the report's language (Chinese).
/// What a book contains that its accessibility statements speak of.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contents {
    /// Images (photos, drawings) with text alternatives.
    pub images: bool,
    /// Charts, each with a text alternative and its data as a table.
    pub charts: bool,
    /// Footnotes, linked both ways.
    pub notes: bool,
    /// Page-break markers and a page list of the print edition, named here (e.g. its file).
    pub print_pages: Option<String>,
}

/// The accessibility summary of a book with `contents`: what it offers, in the book's
/// language, saying only what is true of this book.
pub fn accessibility_summary(contents: &Contents) -> String {
    let mut summary = String::from("本电子书为可重排版式，正文与标题均为文本，章节标题构成目录与结构导航；");
    match (contents.images, contents.charts) {
        (true, true) => summary.push_str("每幅图片和图表都有文字替代说明，图表所依据的数据另以表格列出；"),
        (true, false) => summary.push_str("每幅图片都有文字替代说明；"),
        (false, true) => summary.push_str("每幅图表都有文字替代说明，所依据的数据另以表格列出；"),
        (false, false) => {}
    }
    if contents.notes {
        summary.push_str("脚注可在正文与注释之间往返跳转；");
    }
    if contents.print_pages.is_some() {
        summary.push_str("页码列表与分页标记对应印刷版（PDF）的页码，便于按页引用；");
    }
    summary.push_str("嵌入字体仅用于显示，文字大小、字体和颜色可由阅读系统调整。本书符合 EPUB 无障碍规范 1.1 与 WCAG 2.1 AA 级要求。");
    summary
}

/// The EPUB Accessibility 1.1 statements of a book with `contents`, as (property, value)
/// pairs of `<meta>` elements.
pub fn accessibility(contents: &Contents) -> Vec<(&'static str, String)> {
    let pictures = contents.images || contents.charts;
    let mut statements: Vec<(&'static str, String)> = vec![("schema:accessMode", "textual".into())];
    if pictures {
        statements.push(("schema:accessMode", "visual".into()));
    }
    statements.push(("schema:accessModeSufficient", "textual".into()));
    for feature in ["structuralNavigation", "tableOfContents"] {
        statements.push(("schema:accessibilityFeature", feature.into()));
    }
    if pictures {
        statements.push(("schema:accessibilityFeature", "alternativeText".into()));
    }
    if contents.charts {
        statements.push(("schema:accessibilityFeature", "longDescription".into()));
    }
    if contents.print_pages.is_some() {
        for feature in ["pageBreakMarkers", "pageNavigation"] {
            statements.push(("schema:accessibilityFeature", feature.into()));
        }
    }
    for feature in ["readingOrder", "displayTransformability"] {
        statements.push(("schema:accessibilityFeature", feature.into()));
    }
    statements.push(("schema:accessibilityHazard", "none".into()));
    statements.push(("schema:accessibilitySummary", accessibility_summary(contents)));
    if let Some(source) = &contents.print_pages {
        statements.push(("pageBreakSource", source.clone()));
    }
    statements.push(("dcterms:conformsTo", "EPUB Accessibility 1.1 - WCAG 2.1 Level AA".into()));
    statements
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(title: &str, authors: &[&str]) -> Metadata {
        Metadata {
            title: title.into(),
            subtitle: String::new(),
            authors: authors.iter().map(|a| a.to_string()).collect(),
            language: "zh-CN".into(),
            date: "2024-01-02".into(),
            publisher: String::new(),
            description: String::new(),
            keywords: Vec::new(),
            lists: Vec::new(),
            display_words: Default::default(),
        }
    }

    #[test]
    fn identifier_is_stable_and_distinguishes_books() {
        let a = identifier(&meta("报告", &["甲", "乙"]), "r");
        assert_eq!(a, identifier(&meta("报告", &["甲", "乙"]), "r"));
        assert_eq!(a.get_version_num(), 5);
        assert_ne!(a, identifier(&meta("报告", &["甲乙"]), "r"));
        assert_ne!(a, identifier(&meta("报告", &["甲", "乙"]), "s"));
    }

    #[test]
    fn accessibility_statements_say_only_what_the_book_has() {
        let plain = accessibility(&Contents::default());
        let text: Vec<String> = plain.iter().map(|(_, v)| v.clone()).collect();
        assert!(!text.iter().any(|v| v == "alternativeText" || v == "longDescription" || v == "visual"), "{text:?}");
        assert!(!accessibility_summary(&Contents::default()).contains("脚注"));
        let full = Contents { images: true, charts: true, notes: true, print_pages: Some("r.pdf".into()) };
        let values: Vec<String> = accessibility(&full).into_iter().map(|(_, v)| v).collect();
        for wanted in ["visual", "alternativeText", "longDescription", "pageBreakMarkers", "pageNavigation", "r.pdf"] {
            assert!(values.iter().any(|v| v == wanted), "{wanted} missing: {values:?}");
        }
        assert!(
            accessibility_summary(&full).contains("脚注") && accessibility_summary(&full).contains("图表") && accessibility_summary(&full).contains("页码")
        );
    }

    #[test]
    fn modified_prefers_source_date_epoch_and_never_the_clock() {
        assert_eq!(modified("2021-12-01", None).map(|d| d.to_rfc3339()), Some("2021-12-01T00:00:00+00:00".into()));
        assert_eq!(modified("2021-12-01", Some(86_400)).map(|d| d.to_rfc3339()), Some("1970-01-02T00:00:00+00:00".into()));
        assert_eq!(modified("not a date", None), None);
    }
}
