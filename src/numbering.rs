//! The one numbering pass: figures (images and charts, 图 n) and tables (表 n) are numbered
//! once, in reading order, in the document model; cross-references are then filled with
//! those labels. Every backend prints the numbers it finds in the model.

use std::collections::HashMap;
use std::path::Path;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::{Block, BlockKind, Inline};
use crate::references::CrossRefUse;

/// The label prefix of figures.
pub const FIGURE_LABEL: &str = "图";
/// The label prefix of tables.
pub const TABLE_LABEL: &str = "表";
/// Between a caption's label and its text: an ideographic space, as both editions print it
/// (`report.typ`'s `caption-separator`).
pub const CAPTION_SEPARATOR: &str = "\u{3000}";

/// The caption label of figure `number` as every edition prints it: `图`, a no-break space,
/// the number (kept in the model's `label`).
pub fn figure_label(number: usize) -> String {
    format!("{FIGURE_LABEL}\u{a0}{number}")
}

/// The caption label of table `number`: `表`, a no-break space, the number.
pub fn table_label(number: usize) -> String {
    format!("{TABLE_LABEL}\u{a0}{number}")
}

/// Numbers figures and tables and resolves cross-references; `uses` are the references met
/// in the text (for locating unknown targets), `root` the manuscript directory.
pub fn number(blocks: &mut [Block], uses: &[CrossRefUse], root: &Path) -> Result<(), Diagnostics> {
    let mut state = State::default();
    for block in blocks.iter_mut() {
        state.assign(block, root);
    }
    for used in uses {
        if !state.labels.contains_key(&used.target) {
            let known: Vec<&str> = state.labels.keys().map(String::as_str).collect();
            state.diagnostics.push(
                Diagnostic::error(root.join(&used.file), format!("cross-reference @{} points to no figure or table", used.target))
                    .at(used.line, used.column)
                    .with_hint(if known.is_empty() {
                        "give the chart or table directive an `id`, then refer to it as @fig:id or @tbl:id".to_string()
                    } else {
                        format!("known targets: {}", known.iter().map(|k| format!("@{k}")).collect::<Vec<_>>().join(" "))
                    }),
            );
        }
    }
    for block in blocks.iter_mut() {
        fill_block(block, &state.labels);
    }
    state.diagnostics.into_result(())
}

#[derive(Default)]
struct State {
    figures: usize,
    tables: usize,
    /// `fig:id` → (anchor, printed label).
    labels: HashMap<String, (String, String)>,
    diagnostics: Diagnostics,
}

impl State {
    fn assign(&mut self, block: &mut Block, root: &Path) {
        let source = block.source.clone();
        // (kind prefix, the id written by the editor if any, the number, the anchor field)
        let (prefix, id, number, anchor, label) = match &mut block.kind {
            BlockKind::Image { number, label: printed, anchor, path, .. } => {
                self.figures += 1;
                *number = self.figures;
                *printed = figure_label(self.figures);
                let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("image");
                let id: String = stem.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect();
                ("fig", Some(id), self.figures, anchor, FIGURE_LABEL)
            }
            BlockKind::Chart { number, label: printed, anchor, .. } => {
                self.figures += 1;
                *number = self.figures;
                *printed = figure_label(self.figures);
                let id = (!anchor.is_empty()).then(|| anchor.clone());
                ("fig", id, self.figures, anchor, FIGURE_LABEL)
            }
            BlockKind::Table { number, label: printed, anchor, .. } => {
                self.tables += 1;
                *number = self.tables;
                *printed = table_label(self.tables);
                let id = (!anchor.is_empty()).then(|| anchor.clone());
                ("tbl", id, self.tables, anchor, TABLE_LABEL)
            }
            BlockKind::Quote { blocks } | BlockKind::Sidebar { blocks, .. } => {
                for inner in blocks.iter_mut() {
                    self.assign(inner, root);
                }
                return;
            }
            BlockKind::List { items, .. } => {
                for inner in items.iter_mut().flatten() {
                    self.assign(inner, root);
                }
                return;
            }
            _ => return,
        };
        let Some(id) = id else {
            // No id: numbered and linkable by number, but not referable from the text.
            *anchor = format!("{prefix}-n{number}");
            return;
        };
        *anchor = format!("{prefix}-{id}");
        let target = format!("{prefix}:{id}");
        let entry = (anchor.clone(), format!("{label} {number}"));
        if self.labels.insert(target.clone(), entry).is_some() {
            self.diagnostics.push(
                Diagnostic::error(root.join(&source.file), format!("the id of @{target} is used twice"))
                    .at_line(source.line)
                    .with_hint("give every figure and table its own id"),
            );
        }
    }
}

fn fill_block(block: &mut Block, labels: &HashMap<String, (String, String)>) {
    match &mut block.kind {
        BlockKind::Heading { content, .. } => fill(content, labels),
        BlockKind::Paragraph { lead, content } => {
            if let Some(lead) = lead {
                fill(lead, labels);
            }
            fill(content, labels);
        }
        BlockKind::Quote { blocks } | BlockKind::Sidebar { blocks, .. } => blocks.iter_mut().for_each(|b| fill_block(b, labels)),
        BlockKind::List { items, .. } => items.iter_mut().flatten().for_each(|b| fill_block(b, labels)),
        BlockKind::Image { caption, .. } => fill(caption, labels),
        BlockKind::Table { .. } | BlockKind::Chart { .. } | BlockKind::Rule | BlockKind::PageBreak => {}
    }
}

fn fill(content: &mut [Inline], labels: &HashMap<String, (String, String)>) {
    for inline in content {
        match inline {
            Inline::Ref { target, text } => {
                if let Some((anchor, label)) = labels.get(target.as_str()) {
                    *target = anchor.clone();
                    *text = label.clone();
                }
            }
            Inline::Strong { content } | Inline::Emphasis { content } | Inline::Link { content, .. } | Inline::Note { content, .. } => {
                fill(content, labels)
            }
            Inline::Text { .. } | Inline::Code { .. } | Inline::LineBreak => {}
        }
    }
}
