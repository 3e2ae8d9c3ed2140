//! References in the prose, expanded before Markdown parsing:
//! - data references `{{table.row.column}}` become the value as written in the data;
//! - cross-references `@fig:id` / `@tbl:id` become markers that the parser turns into
//!   [`Inline::Ref`](crate::model::Inline::Ref) and the numbering pass fills with 图 n / 表 n.
//!
//! Working on the raw text keeps exact file:line:column positions for every error, and lets
//! references appear anywhere text does (paragraphs, headings, sidebars, captions).
//! Inside ```` ```table ```` and ```` ```chart ```` fences (TOML) nothing is expanded.

use std::path::{Path, PathBuf};

use crate::data::DataSet;
use crate::diagnostics::Diagnostic;

/// Opens a cross-reference marker in expanded text (a private-use character).
pub const REF_OPEN: char = '\u{E002}';
/// Closes a cross-reference marker.
pub const REF_CLOSE: char = '\u{E003}';

/// One use of a cross-reference, remembered to report unknown targets at their line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrossRefUse {
    /// `fig:id` or `tbl:id`.
    pub target: String,
    /// The text file, relative to the manuscript.
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// The result of expanding one file.
#[derive(Debug, Default)]
pub struct Expanded {
    /// The text with data values in place and cross-reference markers.
    pub text: String,
    /// Every cross-reference used.
    pub cross_refs: Vec<CrossRefUse>,
    /// Unknown data references and other problems.
    pub problems: Vec<Diagnostic>,
    /// Number of data references expanded.
    pub data_refs: usize,
    /// Ids of the data tables this file uses: in references and in table/chart directives.
    pub tables_used: std::collections::BTreeSet<String>,
    /// Cross-reference targets the file's directives declare (`tbl:id`, `fig:id`), whether
    /// or not the directive turns out valid.
    pub declared: std::collections::BTreeSet<String>,
}

/// Characters escaped in substituted values so data can never create Markdown syntax.
const MARKDOWN_SPECIAL: &[char] = &['\\', '*', '_', '`', '[', ']', '<', '>', '!', '#', '&', '|', '~', '@'];

/// Expands the references of one Markdown file.
pub fn expand(text: &str, data: &DataSet, root: &Path, file: &Path) -> Expanded {
    let mut expanded = Expanded::default();
    let mut fence: Option<(String, String)> = None; // (marker, info word)
    let mut fence_body = String::new();
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let line_number = index + 1;
        let trimmed = line.trim_start();
        let fence_marker: String = trimmed.chars().take_while(|&c| c == '`' || c == '~').collect();
        if fence_marker.len() >= 3 {
            match &fence {
                Some((open, info)) if fence_marker.starts_with(open.as_str()) && trimmed[fence_marker.len()..].trim().is_empty() => {
                    let (table, id) = directive_names(&fence_body);
                    expanded.tables_used.extend(table);
                    if let Some(id) = id {
                        let kind = if info == "table" { "tbl" } else { "fig" };
                        expanded.declared.insert(format!("{kind}:{id}"));
                    }
                    fence = None;
                }
                Some(_) => {}
                None => {
                    let info = trimmed[fence_marker.len()..].split_whitespace().next().unwrap_or("").to_string();
                    fence = Some((fence_marker.clone(), info));
                    fence_body.clear();
                }
            }
            expanded.text.push_str(line);
            continue;
        }
        let in_data_fence = fence.as_ref().is_some_and(|(_, info)| info == "table" || info == "chart");
        if in_data_fence {
            fence_body.push_str(line);
            expanded.text.push_str(line);
            continue;
        }
        expand_line(line, line_number, data, root, file, &mut expanded);
    }
    expanded
}

fn expand_line(line: &str, line_number: usize, data: &DataSet, root: &Path, file: &Path, out: &mut Expanded) {
    let mut rest = line;
    let mut consumed_chars = 0;
    while !rest.is_empty() {
        let data_at = rest.find("{{");
        let ref_at = find_cross_ref(rest);
        let next = match (data_at, ref_at) {
            (Some(d), Some((r, _))) => d.min(r),
            (Some(d), None) => d,
            (None, Some((r, _))) => r,
            (None, None) => break,
        };
        let escaped = rest[..next].ends_with('\\');
        let before = &rest[..next];
        out.text.push_str(before);
        consumed_chars += before.chars().count();
        let column = consumed_chars + 1;
        if data_at == Some(next) {
            let after = &rest[next + 2..];
            match (escaped, after.find("}}")) {
                (false, Some(end)) => {
                    let reference = &after[..end];
                    match data.lookup(reference.trim()) {
                        Ok(value) => {
                            out.data_refs += 1;
                            if let Some(table) = reference.split('.').next() {
                                out.tables_used.insert(table.trim().to_string());
                            }
                            let shown = if value.is_empty() { "—" } else { value.written.as_str() };
                            for ch in shown.chars() {
                                if MARKDOWN_SPECIAL.contains(&ch) {
                                    out.text.push('\\');
                                }
                                out.text.push(ch);
                            }
                        }
                        // A table that failed to load has its own errors; say nothing more.
                        Err(_) if data.names_broken_table(reference) => {}
                        Err(message) => out.problems.push(
                            Diagnostic::error(root.join(file), format!("unknown data reference {{{{{reference}}}}}: {message}"))
                                .at(line_number, column)
                                .with_hint("write {{table.row.column}} with names exactly as in data/<table>.toml"),
                        ),
                    }
                    let taken = 2 + end + 2;
                    consumed_chars += rest[next..next + taken].chars().count();
                    rest = &rest[next + taken..];
                }
                _ => {
                    out.text.push_str("{{");
                    consumed_chars += 2;
                    rest = &rest[next + 2..];
                }
            }
        } else if let Some((start, length)) = ref_at {
            let target = &rest[start + 1..start + length];
            if escaped {
                out.text.push_str(&rest[start..start + length]);
            } else {
                out.text.push(REF_OPEN);
                out.text.push_str(target);
                out.text.push(REF_CLOSE);
                out.cross_refs.push(CrossRefUse { target: target.to_string(), file: file.to_path_buf(), line: line_number, column });
            }
            consumed_chars += rest[start..start + length].chars().count();
            rest = &rest[start + length..];
        }
    }
    out.text.push_str(rest);
}

/// The `data = "…"` table and the `id = "…"` of a table or chart directive body, as far as
/// the body parses.
fn directive_names(body: &str) -> (Option<String>, Option<String>) {
    #[derive(serde::Deserialize)]
    struct Names {
        data: Option<toml::Value>,
        id: Option<toml::Value>,
    }
    let text = |value: Option<toml::Value>| value.and_then(|v| v.as_str().map(str::to_string));
    match toml::from_str::<Names>(body) {
        Ok(names) => (text(names.data), text(names.id)),
        Err(_) => (None, None),
    }
}

/// Finds `@fig:id` or `@tbl:id`; returns its byte start and length.
fn find_cross_ref(text: &str) -> Option<(usize, usize)> {
    let mut from = 0;
    while let Some(at) = text[from..].find('@') {
        let start = from + at;
        let after = &text[start + 1..];
        for kind in ["fig:", "tbl:"] {
            if let Some(id_part) = after.strip_prefix(kind) {
                let id_len: usize = id_part
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                    .map(char::len_utf8)
                    .sum();
                if id_len > 0 {
                    return Some((start, 1 + kind.len() + id_len));
                }
            }
        }
        from = start + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> DataSet {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("data")).unwrap();
        std::fs::write(
            dir.path().join("data/gdp.toml"),
            "title = \"t\"\nkey = \"k\"\ncolumns = [{ name = \"增加值\" }, { name = \"备注\", type = \"text\" }]\nrows = [[\"一产\", \"36.56\", \"a*b\"]]\n",
        )
        .unwrap();
        DataSet::load(dir.path()).unwrap()
    }

    #[test]
    fn data_references_print_the_written_value() {
        let out = expand("增加值{{gdp.一产.增加值}}亿元，备注{{ gdp.一产.备注 }}。\n", &data(), Path::new("/m"), Path::new("t.md"));
        assert!(out.problems.is_empty());
        assert_eq!(out.text, "增加值36.56亿元，备注a\\*b。\n");
        assert_eq!(out.data_refs, 2);
    }

    #[test]
    fn unknown_references_are_located() {
        let out = expand("第一行\n甲乙{{gdp.二产.增加值}}\n", &data(), Path::new("/m"), Path::new("t.md"));
        assert_eq!(out.problems.len(), 1);
        assert_eq!((out.problems[0].line, out.problems[0].column), (Some(2), Some(3)));
        assert!(out.problems[0].message.contains("no row `二产`"));
    }

    #[test]
    fn cross_references_become_markers_and_table_fences_are_untouched() {
        let text = "见@fig:gdp-1和@tbl:fin，邮件a@b.c。\n```chart\ncaption = \"{{gdp.一产.增加值}}\"\n```\n";
        let out = expand(text, &data(), Path::new("/m"), Path::new("t.md"));
        assert_eq!(out.text, "见\u{E002}fig:gdp-1\u{E003}和\u{E002}tbl:fin\u{E003}，邮件a@b.c。\n```chart\ncaption = \"{{gdp.一产.增加值}}\"\n```\n");
        assert_eq!(out.cross_refs.len(), 2);
        assert_eq!(out.cross_refs[1].column, 13);
    }
}
