//! The paragraphs and tables read from a Word body → the draft's blocks: headings (from
//! heading styles, from Chinese numbering patterns, from short all-bold lines), list items
//! with their numbers, pictures with their captions, tables as data tables with a table
//! directive (or as text when they only lay text out), the title and subtitle.

use std::collections::HashMap;
use std::path::Path;

use super::body::{Item, Paragraph, Table};
use super::styles::Role;
use crate::diagnostics::Diagnostic;
use crate::import::draft::{self, Block, Draft, Inline, plain_text};
use crate::import::patterns::{HeadingNumber, numbered_heading, without_number};

/// Longest paragraph taken for a heading by its numbering or bold face alone (characters).
const MAX_HEADING_CHARS: usize = 40;

/// A unit between reading and blocks.
enum Unit {
    Block(Block),
    /// A caption: of a figure (`Some(true)`), a table (`Some(false)`) or either (a caption
    /// style without a label), its text without the label, its paragraph and its whole text.
    Caption(Option<bool>, String, usize, String),
    /// A heading found by its numbering pattern or bold face: its text, the pattern, the
    /// paragraph number and whether the bold face alone made it a heading.
    Guessed(String, Option<HeadingNumber>, usize),
}

/// Fills `draft.blocks` (and title, subtitle, tables) from the body's items. `pictures`
/// maps a picture's relationship id to its path under `images/` (absent: not imported).
pub fn assemble(items: Vec<Item>, pictures: &HashMap<String, String>, draft: &mut Draft, input: &Path) {
    let mut units = Vec::new();
    let mut tables = 0;
    for item in items {
        match item {
            Item::Paragraph(paragraph) => paragraph_units(paragraph, pictures, draft, input, &mut units),
            Item::Table(table) => {
                tables += 1;
                table_units(table, tables, draft, input, &mut units);
            }
        }
    }
    attach_captions(&mut units);
    // Levels of guessed headings: below the heading styles the document uses for the same
    // numbering pattern, else ranked by pattern (第一章 > 一、 > （一） > 1. > （1））.
    let mut by_pattern: HashMap<HeadingNumber, u8> = HashMap::new();
    for unit in &units {
        if let Unit::Block(Block::Heading { level, text }) = unit
            && let Some(kind) = numbered_heading(text)
        {
            by_pattern.entry(kind).or_insert(*level);
        }
    }
    let mut kinds: Vec<HeadingNumber> = units.iter().filter_map(|u| if let Unit::Guessed(_, Some(k), _) = u { Some(*k) } else { None }).collect();
    kinds.extend(by_pattern.keys().copied());
    kinds.sort();
    kinds.dedup();
    let mut last_level = 0u8;
    let mut blocks: Vec<Block> = Vec::new();
    for unit in units {
        let block = match unit {
            Unit::Block(block) => block,
            Unit::Caption(_, _, number, whole) => {
                draft.notes.push(Diagnostic::note(input, format!("paragraph {number}, a caption, has no picture or table beside it: kept as a paragraph")));
                Block::Paragraph(vec![Inline::Text(whole)])
            }
            Unit::Guessed(text, kind, number) => {
                let level = match kind {
                    Some(kind) => by_pattern.get(&kind).copied().unwrap_or_else(|| {
                        // Below the nearest higher pattern a heading style gives a level, one
                        // level per pattern present in between.
                        let anchor = by_pattern.keys().filter(|k| **k < kind).max().copied();
                        let between = kinds.iter().filter(|k| **k < kind && anchor.is_none_or(|a| **k > a)).count() as u8;
                        anchor.and_then(|a| by_pattern.get(&a)).copied().unwrap_or(0) + between + 1
                    }),
                    None => {
                        draft.notes.push(Diagnostic::note(input, format!("paragraph {number}: `{text}`, short and all bold, was read as a heading")));
                        (last_level + 1).clamp(1, 3)
                    }
                };
                Block::Heading { level: level.min(3), text }
            }
        };
        if let Block::Heading { level, .. } = &block {
            last_level = *level;
        }
        // Consecutive bulleted items form one list.
        match (blocks.last_mut(), block) {
            (Some(Block::Bullets(items)), Block::Bullets(more)) => items.extend(more),
            (_, block) => blocks.push(block),
        }
    }
    // Links the editions may not carry (a local file, a script) keep their text only.
    for block in &mut blocks {
        match block {
            Block::Paragraph(inlines) => plain_links(inlines, draft, input),
            Block::Bullets(items) => items.iter_mut().for_each(|i| plain_links(i, draft, input)),
            _ => {}
        }
    }
    // A table's caption is also its data table's title; a table without one is noted.
    for block in &blocks {
        match block {
            Block::Table { data, caption: Some(caption) } => {
                if let Some(table) = draft.tables.iter_mut().find(|t| t.id == *data) {
                    table.title = caption.clone();
                }
            }
            Block::Table { data, caption: None } => {
                let title = draft.tables.iter().find(|t| t.id == *data).map(|t| t.title.clone()).unwrap_or_default();
                draft.notes.push(Diagnostic::note(
                    input,
                    format!("table {data} has no caption beside it: it is printed as «{title}»; give it one with `caption = \"…\"` in its table directive"),
                ));
            }
            _ => {}
        }
    }
    draft.blocks = blocks;
}

fn paragraph_units(mut paragraph: Paragraph, pictures: &HashMap<String, String>, draft: &mut Draft, input: &Path, units: &mut Vec<Unit>) {
    let boxes = std::mem::take(&mut paragraph.boxes);
    let number = paragraph.number;
    text_units(paragraph, pictures, draft, units);
    // A text box (a sidebar in Word) follows the paragraph it is anchored in.
    for items in boxes {
        let blocks: Vec<Block> = items
            .into_iter()
            .flat_map(|item| match item {
                Item::Paragraph(p) => vec![trimmed(p.inlines)],
                Item::Table(t) => t.rows.into_iter().map(|r| vec![Inline::Text(r.join(" "))]).collect(),
            })
            .filter(|inlines| !plain_text(inlines).trim().is_empty())
            .map(Block::Paragraph)
            .collect();
        if !blocks.is_empty() {
            draft.notes.push(Diagnostic::note(input, format!("paragraph {number}: a text box became a sidebar after the paragraph")));
            units.push(Unit::Block(Block::Sidebar { title: None, blocks }));
        }
    }
}

fn text_units(paragraph: Paragraph, pictures: &HashMap<String, String>, draft: &mut Draft, units: &mut Vec<Unit>) {
    let mut inlines = trimmed(paragraph.inlines);
    let text = plain_text(&inlines).trim().to_string();
    let number = paragraph.list.as_ref().filter(|n| !n.bullet).map(|n| format!("{}{}", n.text, if n.space_after { " " } else { "" }));
    match paragraph.role {
        Role::Title if draft.title.is_none() && !text.is_empty() => {
            draft.title = Some(text);
            return;
        }
        Role::Subtitle if draft.subtitle.is_none() && !text.is_empty() => {
            draft.subtitle = Some(text);
            return;
        }
        _ => {}
    }
    if paragraph.role == Role::Contents {
        return;
    }
    for picture in &paragraph.pictures {
        if let Some(path) = pictures.get(&picture.rel) {
            units.push(Unit::Block(Block::Image { path: path.clone(), alt: picture.alt.clone(), caption: String::new() }));
        }
    }
    if text.is_empty() {
        return;
    }
    if let Some((figure, rest)) = caption(&text) {
        units.push(Unit::Caption(Some(figure), rest, paragraph.number, text));
        return;
    }
    if paragraph.role == Role::Caption {
        units.push(Unit::Caption(None, text.clone(), paragraph.number, text));
        return;
    }
    let full = format!("{}{text}", number.clone().unwrap_or_default());
    if let Role::Heading(level) = paragraph.role {
        units.push(Unit::Block(Block::Heading { level, text: full.trim().to_string() }));
        return;
    }
    let short = full.chars().count() <= MAX_HEADING_CHARS;
    let unpunctuated = !without_number(&full).contains(['。', '！', '？', '；', '，']) && !full.ends_with(['：', ':', '、', '”', '）']);
    let pattern = numbered_heading(&full);
    if short && unpunctuated && (pattern.is_some() || (paragraph.all_bold && paragraph.list.is_none())) {
        units.push(Unit::Guessed(full.trim().to_string(), pattern, paragraph.number));
        return;
    }
    match (&paragraph.list, number) {
        (Some(list), _) if list.bullet => units.push(Unit::Block(Block::Bullets(vec![inlines]))),
        (_, Some(number)) => {
            inlines.insert(0, Inline::Text(number));
            units.push(Unit::Block(Block::Paragraph(inlines)));
        }
        _ => units.push(Unit::Block(Block::Paragraph(inlines))),
    }
}

/// Replaces links whose address is not a web, e-mail or telephone address (or relative) by
/// their text, with a note.
fn plain_links(inlines: &mut Vec<Inline>, draft: &mut Draft, input: &Path) {
    let mut out = Vec::with_capacity(inlines.len());
    for inline in inlines.drain(..) {
        match inline {
            Inline::Link { text, url } if crate::manuscript::markdown::refused_scheme(&url).is_some() => {
                draft.notes.push(Diagnostic::note(
                    input,
                    format!("the link to {url} was left out (only web, e-mail and telephone links are kept); its text «{}» stays", plain_text(&text)),
                ));
                out.extend(text);
            }
            Inline::Strong(mut inner) => {
                plain_links(&mut inner, draft, input);
                out.push(Inline::Strong(inner));
            }
            Inline::Emphasis(mut inner) => {
                plain_links(&mut inner, draft, input);
                out.push(Inline::Emphasis(inner));
            }
            other => out.push(other),
        }
    }
    *inlines = out;
}

/// A caption's label: `图1 …`, `图 2-3：…`, `表1 …`, `Figure 1. …` → (figure?, the text after).
fn caption(text: &str) -> Option<(bool, String)> {
    let (figure, rest) = [("图", true), ("表", false), ("Figure", true), ("Fig.", true), ("Table", false)]
        .iter()
        .find_map(|(label, figure)| text.strip_prefix(label).map(|rest| (*figure, rest)))?;
    let rest = rest.trim_start();
    let digits: usize = rest.chars().take_while(|c| c.is_ascii_digit() || matches!(c, '-' | '.' | '–')).map(char::len_utf8).sum();
    if digits == 0 || !rest.starts_with(|c: char| c.is_ascii_digit()) || text.chars().count() > 120 {
        return None;
    }
    let after = rest[digits..].trim_start_matches(['：', ':', ' ', '\u{3000}', '.', '、']).trim();
    Some((figure, after.to_string()))
}

/// Each caption joins the picture or table next to it (before it, else after it) that has
/// none yet; a caption with nothing to join stays a paragraph.
fn attach_captions(units: &mut Vec<Unit>) {
    let mut index = 0;
    while index < units.len() {
        if let Unit::Caption(figure, text, _, _) = &units[index] {
            let (figure, text) = (*figure, text.clone());
            let fits = |unit: &Unit| match unit {
                Unit::Block(Block::Image { caption, .. }) => figure != Some(false) && caption.is_empty(),
                Unit::Block(Block::Table { caption, .. }) => figure != Some(true) && caption.is_none(),
                _ => false,
            };
            let target = [index.checked_sub(1), Some(index + 1)].into_iter().flatten().find(|&i| units.get(i).is_some_and(fits));
            if let Some(target) = target {
                match &mut units[target] {
                    Unit::Block(Block::Image { caption, .. }) => *caption = text,
                    Unit::Block(Block::Table { caption, .. }) => *caption = Some(text),
                    _ => {}
                }
                units.remove(index);
                continue;
            }
        }
        index += 1;
    }
}

fn table_units(table: Table, count: usize, draft: &mut Draft, input: &Path, units: &mut Vec<Unit>) {
    let first_cells: String = table.rows.first().map(|r| r.join(" ")).unwrap_or_default().chars().take(20).collect();
    let at = format!("the table «{first_cells}» (before paragraph {})", table.number);
    let rows: Vec<Vec<String>> = table.rows.into_iter().filter(|r| r.iter().any(|c| !c.trim().is_empty())).collect();
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    if rows.is_empty() {
        return;
    }
    if rows.len() < 2 || width < 2 {
        // A table that lays text out (a box, a single row or column): its text.
        let paragraphs: Vec<Block> = rows.iter().flatten().filter(|c| !c.trim().is_empty()).map(|c| Block::Paragraph(vec![Inline::Text(c.clone())])).collect();
        let boxed = rows.len() == 1 && width == 1;
        draft.notes.push(Diagnostic::note(
            input,
            format!("{at} has {} row(s) and {width} column(s): read as {}", rows.len(), if boxed { "a sidebar (a boxed text)" } else { "paragraphs" }),
        ));
        if boxed {
            units.push(Unit::Block(Block::Sidebar { title: None, blocks: paragraphs }));
        } else {
            units.extend(paragraphs.into_iter().map(Unit::Block));
        }
        return;
    }
    let id = format!("table{count}");
    let header = &rows[0];
    let mut changed = Vec::new();
    let key = clean_name(header.first().map(String::as_str).unwrap_or(""), "项目", &mut changed);
    let mut columns: Vec<String> = Vec::new();
    for index in 1..width {
        let name = clean_name(header.get(index).map(String::as_str).unwrap_or(""), &format!("列{index}"), &mut changed);
        columns.push(unique(name, &columns, &mut changed));
    }
    let mut keys: Vec<String> = Vec::new();
    let mut body = Vec::new();
    for (row_index, row) in rows[1..].iter().enumerate() {
        let row_key = clean_name(row.first().map(String::as_str).unwrap_or(""), &format!("第{}行", row_index + 1), &mut changed);
        let row_key = unique(row_key, &keys, &mut changed);
        keys.push(row_key.clone());
        let mut cells = vec![row_key];
        cells.extend((1..width).map(|i| row.get(i).cloned().unwrap_or_default()));
        body.push(cells);
    }
    if table.merged {
        draft.notes.push(Diagnostic::warning(
            input,
            format!("{at} has merged cells: a merged cell's text is in its first cell and the cells it covered are empty; check data/{id}.toml"),
        ));
    }
    if !changed.is_empty() {
        draft
            .notes
            .push(Diagnostic::warning(input, format!("{at}: row keys and column names must be unique and without '.', '{{', '}}': {}", changed.join("; "))));
    }
    // Until a caption is found beside it, the table is named by its headings.
    let title = format!("{key}：{}", columns.join("、"));
    draft.tables.push(draft::Table { id: id.clone(), title, key, columns, rows: body });
    units.push(Unit::Block(Block::Table { data: id, caption: None }));
}

/// A row key or column name as data tables allow: not empty, without `.`, `{`, `}`
/// (replaced by their full-width forms); changes are listed in `changed`.
fn clean_name(text: &str, empty: &str, changed: &mut Vec<String>) -> String {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return empty.to_string();
    }
    let cleaned = trimmed.replace('.', "．").replace('{', "｛").replace('}', "｝");
    if cleaned != trimmed {
        changed.push(format!("`{trimmed}` → `{cleaned}`"));
    }
    cleaned
}

/// `name`, or `name（2）`, `name（3）` … when it is already taken.
fn unique(name: String, taken: &[String], changed: &mut Vec<String>) -> String {
    if !taken.contains(&name) {
        return name;
    }
    let renamed = (2..).map(|n| format!("{name}（{n}）")).find(|n| !taken.contains(n)).unwrap_or_default();
    changed.push(format!("`{name}` appears twice → `{renamed}`"));
    renamed
}

/// The inlines without white space (also ideographic indent spaces) at either end.
fn trimmed(mut inlines: Vec<Inline>) -> Vec<Inline> {
    fn edge(inline: &mut Inline, start: bool) -> bool {
        match inline {
            Inline::Text(text) => {
                *text = if start { text.trim_start().to_string() } else { text.trim_end().to_string() };
                text.is_empty()
            }
            Inline::Strong(inner) | Inline::Emphasis(inner) => {
                let index = if start { 0 } else { inner.len().saturating_sub(1) };
                if let Some(first) = inner.get_mut(index)
                    && edge(first, start)
                {
                    inner.remove(index);
                }
                inner.is_empty()
            }
            _ => false,
        }
    }
    while inlines.first_mut().is_some_and(|i| edge(i, true)) {
        inlines.remove(0);
    }
    while inlines.last_mut().is_some_and(|i| edge(i, false)) {
        inlines.pop();
    }
    inlines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caption_labels_are_taken_off() {
        assert_eq!(caption("图1 全市产业结构"), Some((true, "全市产业结构".into())));
        assert_eq!(caption("表 2-1：主要指标"), Some((false, "主要指标".into())));
        assert_eq!(caption("图书馆建设加快"), None);
        assert_eq!(caption("表明经济回升"), None);
    }
}
