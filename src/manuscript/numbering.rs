//! The one numbering pass: figures (images and charts, 图 n) and tables (表 n) are numbered
//! once, in reading order at any depth, in the document model; cross-references
//! ([`Inline::Ref`]) are then filled with those labels. Every backend prints the numbers it
//! finds in the model.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::script::DocumentWords;
use crate::model::walk;
use crate::model::{Block, BlockKind, Inline, labelled};

/// Numbers figures and tables and resolves cross-references. `failed_targets` are the
/// targets of directives that failed (and were reported): references to them are not
/// reported again.
pub(crate) fn number(blocks: &mut [Block], root: &Path, failed_targets: &BTreeSet<String>, words: &DocumentWords, diagnostics: &mut Diagnostics) {
    let (mut figures, mut tables) = (0, 0);
    // `fig:id` → (anchor, printed label)
    let mut labels: HashMap<String, (String, String)> = HashMap::new();
    walk::blocks_mut(blocks, &mut |block| {
        let (prefix, word, number, anchor) = match &mut block.kind {
            BlockKind::Image { number, label, anchor, .. } | BlockKind::Chart { number, label, anchor, .. } => {
                figures += 1;
                *number = figures;
                *label = labelled(words.figure, figures);
                ("fig", words.figure, figures, anchor)
            }
            BlockKind::Table { number, label, anchor, .. } => {
                tables += 1;
                *number = tables;
                *label = labelled(words.table, tables);
                ("tbl", words.table, tables, anchor)
            }
            _ => return,
        };
        if anchor.is_empty() {
            // No id: numbered and linkable by number, but not referable from the text.
            *anchor = format!("{prefix}-n{number}");
            return;
        }
        let target = format!("{prefix}:{anchor}");
        *anchor = format!("{prefix}-{anchor}");
        if labels.insert(target.clone(), (anchor.clone(), format!("{word}\u{a0}{number}"))).is_some() {
            diagnostics.push(
                Diagnostic::error(root.join(&block.source.file), format!("the id of @{target} is used twice"))
                    .at_line(block.source.line)
                    .with_hint("give every figure and table its own id"),
            );
        }
    });
    link_chart_data(blocks);
    walk::inline_lists_mut(blocks, &mut |list, source| {
        for inline in list.iter_mut() {
            let Inline::Ref { target, text, at } = inline else { continue };
            if !text.is_empty() {
                continue;
            }
            if let Some((anchor, label)) = labels.get(target.as_str()) {
                *target = anchor.clone();
                *text = label.clone();
            } else if !failed_targets.contains(target.as_str()) {
                let mut known: Vec<&str> = labels.keys().map(String::as_str).collect();
                known.sort_unstable();
                diagnostics.push(
                    Diagnostic::error(root.join(&source.file), format!("cross-reference @{target} points to no figure or table"))
                        .at(at.line, at.column)
                        .with_hint(if known.is_empty() {
                            "give the chart or table directive an `id` (or an image `{#fig:id}`), then refer to it as @fig:id or @tbl:id".to_string()
                        } else {
                            format!("known targets: {}", known.iter().map(|k| format!("@{k}")).collect::<Vec<_>>().join(" "))
                        }),
                );
            }
        }
    });
}

/// Gives every chart whose data a numbered table already holds (the same data table, every
/// row of the chart in it with the same values) that table's anchor and label.
fn link_chart_data(blocks: &mut [Block]) {
    let mut tables: Vec<(String, String, String, crate::model::TableData)> = Vec::new();
    walk::blocks(blocks, &mut |block| {
        if let BlockKind::Table { anchor, label, data_table, data, .. } = &block.kind {
            tables.push((data_table.clone(), anchor.clone(), label.clone(), data.clone()));
        }
    });
    walk::blocks_mut(blocks, &mut |block| {
        let BlockKind::Chart { data_table, data, data_shown_in, .. } = &mut block.kind else { return };
        let holder = tables.iter().find(|(table, _, _, shown)| table == data_table && holds(shown, data));
        *data_shown_in = holder.map(|(_, anchor, label, _)| (anchor.clone(), label.replace('\u{a0}', " ")));
    });
}

/// Whether `table` shows every cell of `chart`: each chart row's key is a row of the table,
/// and each chart column (by heading) has the same text in that row.
fn holds(table: &crate::model::TableData, chart: &crate::model::TableData) -> bool {
    chart.rows.iter().all(|row| {
        let Some(key) = row.first() else { return false };
        let Some(shown) = table.rows.iter().find(|candidate| candidate.first().is_some_and(|cell| cell.text == key.text)) else { return false };
        chart
            .header
            .iter()
            .zip(row)
            .skip(1)
            .all(|(heading, cell)| table.header.iter().position(|h| h == heading).and_then(|column| shown.get(column)).is_some_and(|c| c.text == cell.text))
    })
}
