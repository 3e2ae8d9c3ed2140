//! `--extract-numbers`: the numbers of the prose moved into data tables. Each number with a
//! unit of measure (`205.72亿元`, `11%`, `5.2个百分点`) becomes a row of `data/numbers_NN.toml`
//! (one table per text file: the value as written, its unit, and the phrase before it as the
//! row key), and the prose refers to it with `{{numbers_NN.key.数值}}`, which prints the value
//! exactly as written: the printed text does not change. Years, dates, numbers inside book
//! titles (《…》) and numbers glued to letters (`5G`) stay in the prose.

use std::collections::HashSet;

use super::draft::{Block, Draft, Inline, Table};
use crate::diagnostics::Diagnostic;

/// Units of measure, longest first so `个百分点` wins over `个`. A number with none of these
/// after it (a year, a date, a code) is not extracted.
const UNITS: &[&str] = &[
    "个百分点",
    "吨标准煤",
    "平方公里",
    "平方米",
    "立方米",
    "千瓦时",
    "人次",
    "公里",
    "千米",
    "千瓦",
    "公顷",
    "亩",
    "吨",
    "元",
    "人",
    "户",
    "个",
    "家",
    "所",
    "座",
    "处",
    "名",
    "项",
    "条",
    "期",
    "次",
    "台",
    "套",
    "辆",
    "头",
    "只",
    "株",
    "间",
    "张",
    "件",
    "篇",
    "批",
    "倍",
    "米",
    "%",
    "％",
];

/// Multipliers that may stand before a unit (`亿元`, `万平方米`).
const MULTIPLIERS: &[char] = &['万', '亿', '千', '百'];

/// The value column's name in the proposed tables.
const VALUE: &str = "数值";

/// Moves the numbers of `draft`'s prose into data tables and refers to them. `source`
/// names the input in the note.
pub fn extract(draft: &mut Draft, source: &std::path::Path) {
    let top = draft.blocks.iter().filter_map(|b| if let Block::Heading { level, .. } = b { Some(*level) } else { None }).min().unwrap_or(1);
    let mut section = 0usize;
    let mut tables: Vec<Table> = Vec::new();
    let mut current: Option<Table> = None;
    let blocks = std::mem::take(&mut draft.blocks);
    let mut out = Vec::with_capacity(blocks.len());
    let taken: HashSet<String> = draft.tables.iter().map(|t| t.id.clone()).collect();
    for mut block in blocks {
        if matches!(block, Block::Heading { level, .. } if level == top) {
            tables.extend(current.take().filter(|t| !t.rows.is_empty()));
            section += 1;
        }
        let table = current.get_or_insert_with(|| {
            let mut id = format!("numbers_{section:02}");
            while taken.contains(&id) {
                id.push('_');
            }
            Table {
                id, title: format!("正文数字（第{section}部分）"), key: "项目".into(), columns: vec![VALUE.into(), "单位".into()], rows: Vec::new()
            }
        });
        rewrite_block(&mut block, table);
        out.push(block);
    }
    tables.extend(current.take().filter(|t| !t.rows.is_empty()));
    draft.blocks = out;
    for table in &tables {
        draft.notes.push(Diagnostic::note(
            source,
            format!("--extract-numbers: data/{}.toml holds {} numbers of the text; its row keys are the phrases before each number: rename them (and the references) as you like", table.id, table.rows.len()),
        ));
    }
    draft.tables.extend(tables);
}

fn rewrite_block(block: &mut Block, table: &mut Table) {
    match block {
        Block::Paragraph(inlines) => rewrite_inlines(inlines, table),
        Block::Bullets(items) => items.iter_mut().for_each(|i| rewrite_inlines(i, table)),
        Block::Sidebar { blocks, .. } => blocks.iter_mut().for_each(|b| rewrite_block(b, table)),
        _ => {}
    }
}

fn rewrite_inlines(inlines: &mut Vec<Inline>, table: &mut Table) {
    let mut out = Vec::with_capacity(inlines.len());
    for inline in inlines.drain(..) {
        match inline {
            Inline::Text(text) => out.extend(rewrite_text(&text, table)),
            Inline::Strong(mut inner) => {
                rewrite_inlines(&mut inner, table);
                out.push(Inline::Strong(inner));
            }
            Inline::Emphasis(mut inner) => {
                rewrite_inlines(&mut inner, table);
                out.push(Inline::Emphasis(inner));
            }
            other => out.push(other),
        }
    }
    *inlines = out;
}

/// One text: every number with a unit → a data reference (and a row of `table`).
fn rewrite_text(text: &str, table: &mut Table) -> Vec<Inline> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut plain = String::new();
    let mut index = 0;
    let mut book_title = 0usize;
    while index < chars.len() {
        let ch = chars[index];
        match ch {
            '《' => book_title += 1,
            '》' => book_title = book_title.saturating_sub(1),
            _ => {}
        }
        let starts_number =
            ch.is_ascii_digit() && (index == 0 || !(chars[index - 1].is_ascii_alphanumeric() || matches!(chars[index - 1], '.' | ',' | '+' | '-')));
        if starts_number && book_title == 0 {
            let end = number_end(&chars, index);
            let value: String = chars[index..end].iter().collect();
            if let Some(unit) = unit_at(&chars, end) {
                let key = row_key(&chars, index, end + unit.chars().count(), table);
                table.rows.push(vec![key.clone(), value, unit.clone()]);
                if !plain.is_empty() {
                    out.push(Inline::Text(std::mem::take(&mut plain)));
                }
                out.push(Inline::DataRef(format!("{}.{key}.{VALUE}", table.id)));
                index = end;
                continue;
            }
            plain.extend(&chars[index..end]);
            index = end;
            continue;
        }
        plain.push(ch);
        index += 1;
    }
    if !plain.is_empty() {
        out.push(Inline::Text(plain));
    }
    out
}

/// Where a number that begins at `start` ends: digits, thousands groups (`31,565`) and one
/// decimal part.
fn number_end(chars: &[char], start: usize) -> usize {
    let digits = |from: usize| (from..chars.len()).find(|&i| !chars[i].is_ascii_digit()).unwrap_or(chars.len());
    let mut end = digits(start);
    while end + 3 < chars.len() + 1
        && chars.get(end) == Some(&',')
        && (end + 1..end + 4).all(|i| chars.get(i).is_some_and(char::is_ascii_digit))
        && !chars.get(end + 4).is_some_and(char::is_ascii_digit)
    {
        end += 4;
    }
    if chars.get(end) == Some(&'.') && chars.get(end + 1).is_some_and(char::is_ascii_digit) {
        end = digits(end + 1);
    }
    end
}

/// The unit written at `at` (with a multiplier such as 万 or 亿 before it), if any.
fn unit_at(chars: &[char], at: usize) -> Option<String> {
    let rest: String = chars[at..chars.len().min(at + 6)].iter().collect();
    let (multiplier, after) = match rest.chars().next() {
        Some(m) if MULTIPLIERS.contains(&m) => (m.to_string(), &rest[m.len_utf8()..]),
        _ => (String::new(), rest.as_str()),
    };
    let unit = UNITS.iter().find(|u| after.starts_with(**u))?;
    Some(format!("{multiplier}{unit}"))
}

/// The row key of a number: the phrase before it (back to punctuation or another number),
/// else the phrase after its unit; unique in the table, without `.`, `{`, `}`.
fn row_key(chars: &[char], start: usize, after_unit: usize, table: &Table) -> String {
    let stop = |c: &char| c.is_ascii_digit() || "，。；：、（）()“”‘’《》！？,;:!?—…·%％".contains(*c) || c.is_whitespace();
    let mut before: String = chars[..start].iter().rev().take_while(|c| !stop(c)).collect::<Vec<_>>().into_iter().rev().collect();
    // After another number, the phrase begins with that number's unit (`1200家企业…`).
    let begins_after_number = start > before.chars().count() && chars[start - before.chars().count() - 1].is_ascii_digit();
    if begins_after_number && let Some(unit) = unit_at(&before.chars().collect::<Vec<_>>(), 0) {
        before = before[unit.len()..].to_string();
    }
    let after: String = chars[after_unit.min(chars.len())..].iter().take_while(|c| !stop(c)).take(12).collect();
    let before: String = before.chars().rev().take(16).collect::<Vec<_>>().into_iter().rev().collect();
    let base = if !before.is_empty() {
        before
    } else if !after.is_empty() {
        after
    } else {
        "数字".to_string()
    };
    let base = base.replace(['.', '{', '}', '[', ']', '\\', '*', '_', '`', '<', '>', '@'], "");
    let base = if base.is_empty() { "数字".to_string() } else { base };
    let taken = |k: &str| table.rows.iter().any(|r| r[0] == k);
    if !taken(&base) {
        return base;
    }
    (2..).map(|n| format!("{base}（{n}）")).find(|k| !taken(k)).unwrap_or(base)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        Table { id: "numbers_01".into(), title: String::new(), key: "项目".into(), columns: vec![VALUE.into(), "单位".into()], rows: Vec::new() }
    }

    #[test]
    fn numbers_with_units_become_references_and_rows() {
        let mut table = table();
        let inlines = rewrite_text("全市地区生产总值205.72亿元，增长11%，高出5.2个百分点；2020年1月，5G基站、《2020年行动方案》", &mut table);
        let refs: Vec<&str> = inlines.iter().filter_map(|i| if let Inline::DataRef(r) = i { Some(r.as_str()) } else { None }).collect();
        assert_eq!(refs, ["numbers_01.全市地区生产总值.数值", "numbers_01.增长.数值", "numbers_01.高出.数值"]);
        assert_eq!(table.rows[0], ["全市地区生产总值", "205.72", "亿元"]);
        assert_eq!(table.rows[2], ["高出", "5.2", "个百分点"]);
    }

    #[test]
    fn keys_stay_unique_and_grouped_numbers_stay_whole() {
        let mut table = table();
        rewrite_text("增长8.2%，增长9.2%，为1200家企业发布信息31,565条", &mut table);
        let keys: Vec<&str> = table.rows.iter().map(|r| r[0].as_str()).collect();
        assert_eq!(keys, ["增长", "增长（2）", "为", "企业发布信息"]);
        assert_eq!(table.rows[3][1], "31,565");
    }
}
