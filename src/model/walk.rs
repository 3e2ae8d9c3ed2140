//! The one generic walk over the document model, like Pandoc's `Walk`: every pass of the
//! front end and both writers reach nested content (quotes, lists, sidebars, footnotes,
//! captions) through these functions, so a construct nested anywhere is seen everywhere.
//!
//! Blocks are visited in reading order, a block before the blocks inside it. Inline
//! sequences are visited with the source position of the block that holds them; a
//! sequence is handed over before the sequences inside its elements (strong, emphasis,
//! link text, footnote text), so a pass that rewrites a sequence then sees the children of
//! what it wrote.

use super::{Block, BlockKind, Inline, SourcePos};

/// The blocks directly inside `block` (a quote's, a sidebar's, every list item's).
pub fn children(block: &Block) -> Box<dyn Iterator<Item = &Block> + '_> {
    match &block.kind {
        BlockKind::Quote { blocks } | BlockKind::Sidebar { blocks, .. } => Box::new(blocks.iter()),
        BlockKind::List { items, .. } => Box::new(items.iter().flatten()),
        _ => Box::new(std::iter::empty()),
    }
}

/// The lists of blocks directly inside `block`, for passes that add or remove blocks.
pub fn child_lists_mut(block: &mut Block) -> Vec<&mut Vec<Block>> {
    match &mut block.kind {
        BlockKind::Quote { blocks } | BlockKind::Sidebar { blocks, .. } => vec![blocks],
        BlockKind::List { items, .. } => items.iter_mut().collect(),
        _ => Vec::new(),
    }
}

/// Calls `visit` with every block, nested ones included, in reading order.
pub fn blocks<'a>(blocks: &'a [Block], visit: &mut dyn FnMut(&'a Block)) {
    for block in blocks {
        visit(block);
        let inner: Vec<&'a Block> = children(block).collect();
        for child in inner {
            self::blocks(std::slice::from_ref(child), visit);
        }
    }
}

/// Calls `visit` with every block, nested ones included, in reading order; `visit` may
/// change a block, and the walk then goes into the changed block's children.
pub fn blocks_mut(blocks: &mut [Block], visit: &mut dyn FnMut(&mut Block)) {
    for block in blocks {
        visit(block);
        for list in child_lists_mut(block) {
            blocks_mut(list, visit);
        }
    }
}

/// Removes every block, at any depth, for which `keep` is false (after calling it on the
/// block, so a pass can take what it needs from the blocks it removes).
pub fn retain_blocks(blocks: &mut Vec<Block>, keep: &mut dyn FnMut(&mut Block) -> bool) {
    let mut index = 0;
    while index < blocks.len() {
        if keep(&mut blocks[index]) {
            for list in child_lists_mut(&mut blocks[index]) {
                retain_blocks(list, keep);
            }
            index += 1;
        } else {
            blocks.remove(index);
        }
    }
}

/// The inline sequences a block holds itself (not those of its child blocks).
fn own_inlines_mut(block: &mut Block) -> Vec<&mut Vec<Inline>> {
    match &mut block.kind {
        BlockKind::Heading { content, .. } | BlockKind::Image { caption: content, .. } | BlockKind::NoteDefinition { content, .. } => vec![content],
        BlockKind::Paragraph { lead, content } => lead.iter_mut().chain(std::iter::once(content)).collect(),
        BlockKind::References { entries } => entries.iter_mut().map(|entry| &mut entry.content).collect(),
        _ => Vec::new(),
    }
}

/// The inline sequences a block holds itself, read-only.
fn own_inlines(block: &Block) -> Vec<&[Inline]> {
    match &block.kind {
        BlockKind::Heading { content, .. } | BlockKind::Image { caption: content, .. } | BlockKind::NoteDefinition { content, .. } => vec![content],
        BlockKind::Paragraph { lead, content } => lead.iter().map(Vec::as_slice).chain(std::iter::once(content.as_slice())).collect(),
        BlockKind::References { entries } => entries.iter().map(|entry| entry.content.as_slice()).collect(),
        _ => Vec::new(),
    }
}

/// The inline sequences directly inside an inline (strong, emphasis, link text, note text).
/// The inline content an element holds (emphasis, a link's text, a note …), if any.
fn inner(inline: &Inline) -> Option<&Vec<Inline>> {
    match inline {
        Inline::Strong { content }
        | Inline::Emphasis { content }
        | Inline::Link { content, .. }
        | Inline::Note { content, .. }
        | Inline::Inserted { content, .. } => Some(content),
        Inline::Text { .. }
        | Inline::Code { .. }
        | Inline::LineBreak
        | Inline::Ref { .. }
        | Inline::DataRef { .. }
        | Inline::Citation { .. }
        | Inline::Deleted { .. } => None,
    }
}

fn inner_mut(inline: &mut Inline) -> Option<&mut Vec<Inline>> {
    match inline {
        Inline::Strong { content }
        | Inline::Emphasis { content }
        | Inline::Link { content, .. }
        | Inline::Note { content, .. }
        | Inline::Inserted { content, .. } => Some(content),
        Inline::Text { .. }
        | Inline::Code { .. }
        | Inline::LineBreak
        | Inline::Ref { .. }
        | Inline::DataRef { .. }
        | Inline::Citation { .. }
        | Inline::Deleted { .. } => None,
    }
}

/// Calls `visit` with every inline sequence of the document at any depth, with the source
/// position of the block that holds it. `visit` may rewrite the sequence (replace, split,
/// merge elements); the walk then goes into the elements it left.
pub fn inline_lists_mut(blocks: &mut [Block], visit: &mut dyn FnMut(&mut Vec<Inline>, &SourcePos)) {
    blocks_mut(blocks, &mut |block| {
        let source = block.source.clone();
        for list in own_inlines_mut(block) {
            inline_list_mut(list, &source, visit);
        }
    });
}

/// [`inline_lists_mut`] for one sequence and what is inside it.
pub fn inline_list_mut(list: &mut Vec<Inline>, source: &SourcePos, visit: &mut dyn FnMut(&mut Vec<Inline>, &SourcePos)) {
    visit(list, source);
    for inline in list.iter_mut() {
        if let Some(inner) = inner_mut(inline) {
            inline_list_mut(inner, source, visit);
        }
    }
}

/// Calls `visit` with every inline element of the document at any depth (footnote text
/// included), in reading order, with the source position of the block that holds it.
pub fn inlines<'a>(blocks: &'a [Block], visit: &mut dyn FnMut(&'a Inline, &'a SourcePos)) {
    self::blocks(blocks, &mut |block| {
        for list in own_inlines(block) {
            inlines_in(list, &block.source, visit);
        }
    });
}

/// [`inlines`] for one sequence and what is inside it.
pub fn inlines_in<'a>(list: &'a [Inline], source: &'a SourcePos, visit: &mut dyn FnMut(&'a Inline, &'a SourcePos)) {
    for inline in list {
        visit(inline, source);
        if let Some(content) = inner(inline) {
            inlines_in(content, source, visit);
        }
    }
}

/// Joins neighbouring text elements of a sequence and drops empty ones (after a pass put
/// text where a reference was).
pub fn merge_text(list: &mut Vec<Inline>) {
    let mut merged: Vec<Inline> = Vec::with_capacity(list.len());
    for inline in list.drain(..) {
        match (merged.last_mut(), inline) {
            (_, Inline::Text { text }) if text.is_empty() => {}
            (Some(Inline::Text { text: last }), Inline::Text { text }) => last.push_str(&text),
            (_, other) => merged.push(other),
        }
    }
    *list = merged;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Place;
    use std::path::PathBuf;

    fn at(line: usize) -> SourcePos {
        SourcePos { file: PathBuf::from("t.md"), line }
    }

    fn paragraph(line: usize, content: Vec<Inline>) -> Block {
        Block { kind: BlockKind::Paragraph { lead: None, content }, source: at(line) }
    }

    fn text(t: &str) -> Inline {
        Inline::Text { text: t.into() }
    }

    /// A quote holding a list holding a sidebar holding a paragraph with a note.
    fn nested() -> Vec<Block> {
        let note = Inline::Note { number: 0, content: vec![Inline::Strong { content: vec![text("注")] }], label: "a".into(), at: Place::default() };
        let sidebar = Block { kind: BlockKind::Sidebar { title: "框".into(), blocks: vec![paragraph(4, vec![text("深"), note])] }, source: at(3) };
        let list =
            Block { kind: BlockKind::List { ordered: false, start: 1, items: vec![vec![paragraph(2, vec![text("项")])], vec![sidebar]] }, source: at(2) };
        vec![paragraph(1, vec![text("首")]), Block { kind: BlockKind::Quote { blocks: vec![list] }, source: at(2) }]
    }

    #[test]
    fn every_block_is_visited_in_reading_order() {
        let blocks = nested();
        let mut lines = Vec::new();
        super::blocks(&blocks, &mut |b| lines.push(b.source.line));
        assert_eq!(lines, vec![1, 2, 2, 2, 3, 4]);
    }

    #[test]
    fn inlines_inside_notes_in_sidebars_in_lists_in_quotes_are_reached() {
        let blocks = nested();
        let mut texts = Vec::new();
        inlines(&blocks, &mut |inline, source| {
            if let Inline::Text { text } = inline {
                texts.push((text.clone(), source.line));
            }
        });
        assert_eq!(texts, vec![("首".into(), 1), ("项".into(), 2), ("深".into(), 4), ("注".into(), 4)]);
    }

    #[test]
    fn a_rewritten_sequence_is_walked_into() {
        let mut blocks = nested();
        inline_lists_mut(&mut blocks, &mut |list, _| {
            for inline in list.iter_mut() {
                if let Inline::Text { text } = inline {
                    text.push('!');
                }
            }
        });
        let mut texts = Vec::new();
        inlines(&blocks, &mut |inline, _| {
            if let Inline::Text { text } = inline {
                texts.push(text.clone());
            }
        });
        assert_eq!(texts, vec!["首!", "项!", "深!", "注!"]);
    }

    #[test]
    fn blocks_are_removed_at_any_depth() {
        let mut blocks = nested();
        retain_blocks(&mut blocks, &mut |b| b.source.line != 4);
        let mut lines = Vec::new();
        super::blocks(&blocks, &mut |b| lines.push(b.source.line));
        assert_eq!(lines, vec![1, 2, 2, 2, 3]);
    }

    #[test]
    fn neighbouring_texts_are_merged() {
        let mut list = vec![text("a"), text(""), text("b"), Inline::LineBreak, text("c")];
        merge_text(&mut list);
        assert_eq!(list, vec![text("ab"), Inline::LineBreak, text("c")]);
    }
}
