//! Writing a [`Draft`] as a manuscript: Markdown text files (one per level-1 heading, every
//! character that Markdown would act on escaped), `report.toml`, `data/<id>.toml` tables,
//! `images/` and `IMPORT-NOTES.md`. The files are written by the starter's writer, which
//! refuses a non-empty directory and removes what it wrote when a write fails.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::draft::{Block, Draft, Inline, Table};
use crate::diagnostics::{Diagnostic, Diagnostics, Severity};

/// The files of the manuscript made from `draft`: (path inside the manuscript, bytes).
/// `source` names the imported file in `report.toml`'s comment and the notes; `today` is
/// the date used when the document carries none; `output` is the output files' base name.
pub fn manuscript_files(draft: &Draft, source: &Path, today: &str, output: &str) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let mut text_files = Vec::new();
    let mut chapter = 0;
    for blocks in split_files(&normalise_levels(&draft.blocks)) {
        let name = if matches!(blocks.first(), Some(Block::Heading { level: 1, .. })) {
            chapter += 1;
            format!("text/{chapter:02}.md")
        } else {
            "text/00-opening.md".to_string()
        };
        files.push((name.clone(), file_markdown(&blocks, draft).into_bytes()));
        text_files.push(name);
    }
    if text_files.is_empty() {
        // A document of a title alone: its text file is empty (the title page is the report).
        let name = "text/00-opening.md".to_string();
        files.push((name.clone(), Vec::new()));
        text_files.push(name);
    }
    files.insert(0, ("report.toml".to_string(), report_toml(draft, source, today, output, &text_files).into_bytes()));
    for table in &draft.tables {
        files.push((format!("data/{}.toml", table.id), table_toml(table).into_bytes()));
    }
    for image in &draft.images {
        files.push((image.path.clone(), image.bytes.clone()));
    }
    files.push(("IMPORT-NOTES.md".to_string(), notes_markdown(&draft.notes, source).into_bytes()));
    files
}

/// Heading levels as the manuscript requires them: the highest level used becomes 1, and
/// no level is skipped (a level-3 heading after a level-1 one becomes level 2).
fn normalise_levels(blocks: &[Block]) -> Vec<Block> {
    let top = blocks.iter().filter_map(|b| if let Block::Heading { level, .. } = b { Some(*level) } else { None }).min().unwrap_or(1);
    let mut previous = 0u8;
    blocks
        .iter()
        .map(|block| match block {
            Block::Heading { level, text } => {
                let level = (level - top + 1).min(previous + 1).clamp(1, 3);
                previous = level;
                Block::Heading { level, text: text.clone() }
            }
            other => other.clone(),
        })
        .collect()
}

/// The blocks split before every level-1 heading.
fn split_files(blocks: &[Block]) -> Vec<Vec<Block>> {
    let mut files: Vec<Vec<Block>> = Vec::new();
    for block in blocks {
        if matches!(block, Block::Heading { level: 1, .. }) || files.is_empty() {
            files.push(Vec::new());
        }
        if let Some(file) = files.last_mut() {
            file.push(block.clone());
        }
    }
    files
}

/// One text file: its blocks, then the definitions of the footnotes it refers to.
fn file_markdown(blocks: &[Block], draft: &Draft) -> String {
    let mut out = String::new();
    let mut notes = BTreeSet::new();
    for block in blocks {
        write_block(block, &mut out, &mut notes);
        out.push('\n');
    }
    for label in &notes {
        if let Some(text) = draft.footnotes.get(label) {
            let mut ignored = BTreeSet::new();
            let text = inlines_markdown(&without_notes(text), &mut ignored);
            out.push_str(&format!("[^{label}]: {}\n\n", text.trim()));
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// A note cannot hold another note: references inside a footnote are dropped.
fn without_notes(inlines: &[Inline]) -> Vec<Inline> {
    inlines.iter().filter(|i| !matches!(i, Inline::Note(_))).cloned().collect()
}

fn write_block(block: &Block, out: &mut String, notes: &mut BTreeSet<String>) {
    match block {
        Block::Heading { level, text } => {
            // A `#` at the end of a heading would close it (`# C#`): escaped.
            let text = escape(one_line(text).trim(), false);
            let text = if text.ends_with('#') { text.replace('#', "\\#") } else { text };
            out.push_str(&format!("{} {text}\n", "#".repeat(usize::from(*level))));
        }
        Block::Paragraph(inlines) => {
            let text = inlines_markdown(inlines, notes);
            if !text.trim().is_empty() {
                out.push_str(&escape_line_start(text.trim()));
                out.push('\n');
            }
        }
        Block::Bullets(items) => {
            for item in items {
                out.push_str(&format!("- {}\n", escape_line_start(inlines_markdown(item, notes).trim())));
            }
        }
        Block::Sidebar { title, blocks } => {
            let title = title.as_deref().map(|t| one_line(t).replace('`', "")).unwrap_or_default();
            out.push_str(format!("```sidebar {title}").trim_end());
            out.push('\n');
            for (index, block) in blocks.iter().enumerate() {
                if index > 0 {
                    out.push('\n');
                }
                write_block(block, out, notes);
            }
            out.push_str("```\n");
        }
        Block::Image { path, alt, caption } => {
            let alt = if alt.trim().is_empty() { caption.as_str() } else { alt.as_str() };
            let alt = if alt.trim().is_empty() { "图片" } else { alt };
            let caption = one_line(caption).replace('\\', "\\\\").replace('"', "\\\"");
            let title = if caption.is_empty() { String::new() } else { format!(" \"{caption}\"") };
            out.push_str(&format!("![{}](<{path}>{title})\n", escape(&one_line(alt), false)));
        }
        Block::Table { data, caption } => {
            out.push_str("```table\n");
            out.push_str(&format!("data = {}\n", toml_string(data)));
            if let Some(caption) = caption {
                out.push_str(&format!("caption = {}\n", toml_string(&one_line(caption))));
            }
            out.push_str("```\n");
        }
    }
}

/// Inlines as Markdown; the labels of notes referred to are collected in `notes`.
fn inlines_markdown(inlines: &[Inline], notes: &mut BTreeSet<String>) -> String {
    let mut out = String::new();
    for inline in merge_adjacent(inlines) {
        match &inline {
            Inline::Text(text) => out.push_str(&escape(&one_line(text), false)),
            Inline::Strong(inner) => out.push_str(&wrap("**", &inlines_markdown(inner, notes))),
            Inline::Emphasis(inner) => out.push_str(&wrap("*", &inlines_markdown(inner, notes))),
            Inline::Link { text, url } => {
                let text = inlines_markdown(text, notes);
                let text = if text.trim().is_empty() { escape(url, false) } else { text };
                out.push_str(&format!("[{}](<{}>)", text.trim(), url.replace(['<', '>', '\n'], "")));
            }
            Inline::DataRef(reference) => out.push_str(&format!("{{{{{reference}}}}}")),
            Inline::Note(label) => {
                notes.insert(label.clone());
                out.push_str(&format!("[^{label}]"));
            }
        }
    }
    out
}

/// Adjacent bold (or emphasised) pieces joined, so `**a****b**` never arises.
fn merge_adjacent(inlines: &[Inline]) -> Vec<Inline> {
    let mut out: Vec<Inline> = Vec::new();
    for inline in inlines {
        match (out.last_mut(), inline) {
            (Some(Inline::Strong(a)), Inline::Strong(b)) | (Some(Inline::Emphasis(a)), Inline::Emphasis(b)) => a.extend(b.iter().cloned()),
            (Some(Inline::Text(a)), Inline::Text(b)) => a.push_str(b),
            _ => out.push(inline.clone()),
        }
    }
    out
}

/// `marker` around `inner`, with white space at either end moved outside (CommonMark does
/// not close `** a **`); nothing for empty text.
fn wrap(marker: &str, inner: &str) -> String {
    let trimmed = inner.trim();
    if trimmed.is_empty() {
        return inner.to_string();
    }
    let before = if inner.starts_with(char::is_whitespace) { " " } else { "" };
    let after = if inner.ends_with(char::is_whitespace) { " " } else { "" };
    format!("{before}{marker}{trimmed}{marker}{after}")
}

/// Line breaks and tabs inside text become spaces (a paragraph is one line).
/// Control characters (a manuscript may not hold them) become spaces too.
fn one_line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') { ' ' } else { c }).collect()
}

/// Escapes what Markdown (and reportpress's own syntax) would act on inside a line: the
/// emphasis, code, link and HTML characters, `{{` data references, `@fig:` / `@tbl:`
/// cross-references and `&` before an entity name. Hand-written because the escaping
/// crates target HTML, not CommonMark source.
pub fn escape(text: &str, _line_start: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    for (index, &ch) in chars.iter().enumerate() {
        let next = chars.get(index + 1).copied();
        let rest: String = chars[index + 1..].iter().take(4).collect();
        let special = match ch {
            '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' => true,
            '{' => next == Some('{'),
            '@' => rest.starts_with("fig:") || rest.starts_with("tbl:"),
            '&' => next.is_some_and(|c| c.is_ascii_alphanumeric() || c == '#'),
            _ => false,
        };
        if special {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// Escapes what would turn the start of a paragraph into another block: a heading (`#`),
/// quote (`>`), list item (`-`, `+`, `1.`, `1)`), rule or setext underline (`=`), code fence.
fn escape_line_start(line: &str) -> String {
    let digits: usize = line.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && digits < 10 && matches!(line[digits..].chars().next(), Some('.' | ')')) {
        return format!("{}\\{}", &line[..digits], &line[digits..]);
    }
    match line.chars().next() {
        Some('#' | '-' | '+' | '=' | '~' | '|') => format!("\\{line}"),
        _ => line.to_string(),
    }
}

/// A TOML basic string.
fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

fn toml_list(items: &[String]) -> String {
    format!("[{}]", items.iter().map(|s| toml_string(s)).collect::<Vec<_>>().join(", "))
}

fn report_toml(draft: &Draft, source: &Path, today: &str, output: &str, files: &[String]) -> String {
    let name = source.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let stem = source.file_stem().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "导入的报告".into());
    let mut out = format!("# Imported by `reportpress import` from {name}; see IMPORT-NOTES.md and README.md (\"The manuscript format\").\n");
    out.push_str(&format!("title = {}\n", toml_string(draft.title.as_deref().unwrap_or(&stem))));
    if let Some(subtitle) = &draft.subtitle {
        out.push_str(&format!("subtitle = {}\n", toml_string(subtitle)));
    }
    if !draft.authors.is_empty() {
        out.push_str(&format!("authors = {}\n", toml_list(&draft.authors)));
    }
    out.push_str("language = \"zh-CN\"\n");
    out.push_str(&format!("date = {}\n", toml_string(draft.date.as_deref().unwrap_or(today))));
    if let Some(description) = &draft.description {
        out.push_str(&format!("description = {}\n", toml_string(description)));
    }
    if !draft.keywords.is_empty() {
        out.push_str(&format!("keywords = {}\n", toml_list(&draft.keywords)));
    }
    out.push_str(&format!("output = {}\n", toml_string(output)));
    out.push_str("files = [\n");
    for file in files {
        out.push_str(&format!("  {},\n", toml_string(file)));
    }
    out.push_str("]\n");
    out
}

fn table_toml(table: &Table) -> String {
    let numeric: Vec<bool> = (0..table.columns.len())
        .map(|c| {
            let cells: Vec<&str> = table.rows.iter().filter_map(|r| r.get(c + 1)).map(|s| s.trim()).filter(|s| !s.is_empty()).collect();
            !cells.is_empty() && cells.iter().all(|s| is_decimal(s) || is_grouped(s))
        })
        .collect();
    let grouped = table.rows.iter().any(|r| r.iter().skip(1).zip(&numeric).any(|(cell, number)| *number && is_grouped(cell.trim())));
    let mut out = format!("title = {}\nsource = \"\"\nkey = {}\n", toml_string(&table.title), toml_string(&table.key));
    if grouped {
        out.push_str("thousands = \",\"\n");
    }
    out.push_str("columns = [\n");
    for (name, number) in table.columns.iter().zip(&numeric) {
        out.push_str(&format!("  {{ name = {}, type = \"{}\" }},\n", toml_string(name), if *number { "number" } else { "text" }));
    }
    out.push_str("]\nrows = [\n");
    for row in &table.rows {
        let cells: Vec<String> = row.iter().map(|c| c.trim().to_string()).collect();
        out.push_str(&format!("  {},\n", toml_list(&cells)));
    }
    out.push_str("]\n");
    out
}

/// Whether a cell is a number with thousands separators (`31,565`, `1,234.5`).
fn is_grouped(text: &str) -> bool {
    let whole = text.split('.').next().unwrap_or("");
    let groups: Vec<&str> = whole.split(',').collect();
    groups.len() > 1
        && (1..=3).contains(&groups[0].len())
        && groups[1..].iter().all(|g| g.len() == 3)
        && groups.iter().all(|g| g.chars().all(|c| c.is_ascii_digit()))
        && is_decimal(&text.replace(',', ""))
}

/// Whether a cell is a plain decimal number (`-12.5`), as a `number` column requires.
fn is_decimal(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let mut parts = digits.splitn(2, '.');
    let whole = parts.next().unwrap_or("");
    let fraction = parts.next();
    !whole.is_empty() && whole.chars().all(|c| c.is_ascii_digit()) && fraction.is_none_or(|f| !f.is_empty() && f.chars().all(|c| c.is_ascii_digit()))
}

/// `IMPORT-NOTES.md`: every note and warning of the import, with the input's line.
fn notes_markdown(notes: &[Diagnostic], source: &Path) -> String {
    let name = source.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut out = format!("# Notes of the import of {name}\n\nDecisions the import was unsure of; check each against the original.\n\n");
    if notes.is_empty() {
        out.push_str("(none)\n");
    }
    for note in notes {
        let kind = if note.severity == Severity::Warning { "warning" } else { "note" };
        out.push_str(&format!("- {kind}: {}: {}\n", note.location(), note.message));
    }
    out
}

/// Writes the manuscript made from `draft` into `dir` (new or empty). Returns the files
/// written.
pub fn write(dir: &Path, draft: &Draft, source: &Path, today: &str) -> Result<Vec<PathBuf>, Diagnostics> {
    let output = crate::starter::output_name(dir);
    let files = manuscript_files(draft, source, today, &output);
    crate::starter::write_new_manuscript(dir, &files, "import")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_syntax_in_text_is_escaped() {
        assert_eq!(escape("a*b_c`d[e]f<g>", false), "a\\*b\\_c\\`d\\[e\\]f\\<g\\>");
        assert_eq!(escape("{{x.y.z}} 与 @fig:a 和 @某人 &amp;", false), "\\{{x.y.z}} 与 \\@fig:a 和 @某人 \\&amp;");
        assert_eq!(escape_line_start("1. 第一"), "1\\. 第一");
        assert_eq!(escape_line_start("# 不是标题"), "\\# 不是标题");
        assert_eq!(escape_line_start("2020年"), "2020年");
    }

    #[test]
    fn heading_levels_start_at_one_and_never_skip() {
        let blocks = vec![Block::Heading { level: 2, text: "a".into() }, Block::Heading { level: 4, text: "b".into() }];
        let levels: Vec<u8> = normalise_levels(&blocks).iter().map(|b| if let Block::Heading { level, .. } = b { *level } else { 0 }).collect();
        assert_eq!(levels, [1, 2]);
    }
}
