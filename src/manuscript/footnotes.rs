//! The footnote pass: every footnote reference ([`Inline::Note`]) gets its number, in order
//! of first reference, and the text of its definition ([`BlockKind::NoteDefinition`], which
//! the pass then removes from the model). Labels are scoped to their text file, so two
//! chapters may both use `[^1]`; a reference and its definition may be anywhere in the file
//! (a sidebar, a quote, a list).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::walk;
use crate::model::{Block, BlockKind, Inline};

/// Numbers and fills every footnote of `blocks`; reports references without a definition,
/// definitions given twice, and notes inside notes (which no edition can print).
pub(crate) fn resolve(blocks: &mut Vec<Block>, root: &Path, diagnostics: &mut Diagnostics) {
    let mut definitions: HashMap<(PathBuf, String), Vec<Inline>> = HashMap::new();
    walk::retain_blocks(blocks, &mut |block| {
        let BlockKind::NoteDefinition { label, content } = &mut block.kind else { return true };
        let file = block.source.file.clone();
        let line = block.source.line;
        let mut content = std::mem::take(content);
        strip_nested_notes(&mut content, &mut |inner| {
            diagnostics.push(
                Diagnostic::error(root.join(&file), format!("footnote [^{label}] refers to the footnote [^{inner}]; a note cannot have notes"))
                    .at_line(line)
                    .with_hint("write the other note's text into this one, or refer to it in the body text"),
            );
        });
        match definitions.entry((file.clone(), label.clone())) {
            std::collections::hash_map::Entry::Occupied(_) => diagnostics.push(
                Diagnostic::error(root.join(&file), format!("footnote [^{label}] is defined twice in this file"))
                    .at_line(line)
                    .with_hint("give each note its own label"),
            ),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(content);
            }
        }
        false
    });
    let mut numbers: HashMap<(PathBuf, String), usize> = HashMap::new();
    walk::inline_lists_mut(blocks, &mut |list, source| {
        for inline in list.iter_mut() {
            let Inline::Note { number, content, label, at } = inline else { continue };
            if *number != 0 {
                continue;
            }
            let key = (source.file.clone(), label.clone());
            match definitions.get(&key) {
                Some(definition) => {
                    let next = numbers.len() + 1;
                    *number = *numbers.entry(key).or_insert(next);
                    content.clone_from(definition);
                }
                None => diagnostics.push(
                    Diagnostic::error(root.join(&source.file), format!("footnote [^{label}] has no definition in this file"))
                        .at(at.line, at.column)
                        .with_hint(format!("add a line `[^{label}]: note text` to this file")),
                ),
            }
        }
    });
}

/// Removes the note references inside a note's text, telling `found` each label.
fn strip_nested_notes(content: &mut Vec<Inline>, found: &mut dyn FnMut(&str)) {
    content.retain(|inline| match inline {
        Inline::Note { label, .. } => {
            found(label);
            false
        }
        _ => true,
    });
    for inline in content.iter_mut() {
        if let Inline::Strong { content } | Inline::Emphasis { content } | Inline::Link { content, .. } = inline {
            strip_nested_notes(content, found);
        }
    }
}
