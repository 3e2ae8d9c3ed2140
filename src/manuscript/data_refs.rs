//! The data-reference pass: every `{{table.row.column}}` ([`Inline::DataRef`]) gets the
//! value as written in the data (no unit, no % sign: the prose keeps its own units), or
//! `—` for an empty cell. The reference stays in the model, so the proof can mark the
//! numbers that come from data. An unknown reference is an error at its line and column.

use std::collections::BTreeSet;
use std::path::Path;

use super::data::{DataSet, LookupError};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::walk;
use crate::model::{Block, Inline};

/// Most bytes all data references of a manuscript may add to its text: as much as the text
/// itself may hold ([`crate::source::MAX_MANUSCRIPT_BYTES`]). Checked while expanding, so a
/// short text that refers to a large cell a thousand times cannot exhaust memory.
pub const MAX_EXPANDED_BYTES: usize = crate::source::MAX_MANUSCRIPT_BYTES as usize;

/// Gives every data reference in `blocks` its value; returns the ids of the tables
/// the references name.
pub(crate) fn resolve(blocks: &mut [Block], data: &DataSet, root: &Path, diagnostics: &mut Diagnostics) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    let mut expanded = 0usize;
    let mut over_limit = false;
    walk::inline_lists_mut(blocks, &mut |list, source| {
        for inline in list.iter_mut() {
            let Inline::DataRef { reference, value: slot, at } = inline else { continue };
            let value = match data.lookup(reference) {
                Ok(value) => {
                    if let Some(table) = reference.split('.').next() {
                        used.insert(table.trim().to_string());
                    }
                    if value.is_empty() { "—".to_string() } else { value.written.clone() }
                }
                // A table that failed to load has its own errors; say nothing more.
                Err(LookupError::BrokenTable(_)) => continue,
                Err(message) => {
                    diagnostics.push(
                        Diagnostic::error(root.join(&source.file), format!("unknown data reference {{{{{reference}}}}}: {message}"))
                            .at(at.line, at.column)
                            .with_hint("write {{table.row.column}} with names exactly as in data/<table>.toml"),
                    );
                    continue;
                }
            };
            expanded += value.len();
            if expanded > MAX_EXPANDED_BYTES {
                if !std::mem::replace(&mut over_limit, true) {
                    diagnostics.push(
                        Diagnostic::error(
                            root.join(&source.file),
                            format!("the data references add more than {} MiB to the text", MAX_EXPANDED_BYTES / 1048576),
                        )
                        .at(at.line, at.column)
                        .with_hint("a reference prints its whole cell: keep long texts in the manuscript, not in data cells"),
                    );
                }
                continue;
            }
            *slot = Some(value);
        }
    });
    used
}
