//! The data-reference pass: every `{{table.row.column}}` ([`Inline::DataRef`]) gets the
//! value as printed from the data (no unit, no % sign: the prose keeps its own units), or
//! `—` for an empty cell; a reference with filters (`{{… | 增长}}`) prints through them
//! ([`crate::numbers::filters`]). The reference stays in the model, so the proof can mark
//! the numbers that come from data. An unknown reference or filter is an error at its line
//! and column, and so is prose whose word contradicts the sign of the value after it
//! (`下降{{…}}` with −2.1 would print 下降-2.1; [`crate::numbers::wording`]).

use std::collections::BTreeSet;
use std::path::Path;

use super::data::{DataSet, LookupError};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::Block;
use crate::model::walk;
use crate::model::{Inline, Place, SourcePos};
use crate::numbers::filters::{self, KNOWN};
use crate::numbers::reference::{ReferenceError, print_reference};
use crate::numbers::{SignCheck, wording};

/// Most bytes all data references of a manuscript may add to its text: as much as the text
/// itself may hold ([`crate::source::MAX_MANUSCRIPT_BYTES`]). Checked while expanding, so a
/// short text that refers to a large cell a thousand times cannot exhaust memory.
pub const MAX_EXPANDED_BYTES: usize = crate::source::MAX_MANUSCRIPT_BYTES as usize;

/// The text of the inline before `index` in `list`, if it is text.
fn text_at(list: &[Inline], index: Option<usize>) -> Option<&str> {
    match index.and_then(|i| list.get(i)) {
        Some(Inline::Text { text }) => Some(text),
        _ => None,
    }
}

/// Gives every data reference in `blocks` its value; returns the ids of the tables
/// the references name. `sign_check` says how a word that contradicts the sign of the value
/// after it is reported.
pub(crate) fn resolve(blocks: &mut [Block], data: &DataSet, root: &Path, diagnostics: &mut Diagnostics, sign_check: SignCheck) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    let mut expanded = 0usize;
    let mut over_limit = false;
    walk::inline_lists_mut(blocks, &mut |list, source| {
        for index in 0..list.len() {
            let Inline::DataRef { reference, at, .. } = &list[index] else { continue };
            let (reference, at) = (reference.clone(), *at);
            let printed = match print_reference(data, &reference) {
                Ok(printed) => printed,
                // A table that failed to load has its own errors; say nothing more.
                Err(ReferenceError::Lookup(LookupError::BrokenTable(_))) => continue,
                Err(ReferenceError::Lookup(message)) => {
                    diagnostics.push(
                        Diagnostic::error(root.join(&source.file), format!("unknown data reference {{{{{reference}}}}}: {message}"))
                            .at(at.line, at.column)
                            .with_hint("write {{table.row.column}} with names exactly as in data/<table>.toml"),
                    );
                    continue;
                }
                Err(ReferenceError::Filter(message)) => {
                    diagnostics.push(
                        Diagnostic::error(root.join(&source.file), format!("data reference {{{{{reference}}}}}: {message}"))
                            .at(at.line, at.column)
                            .with_hint(format!("write {{{{table.row.column | filter}}}} with the filters {KNOWN} (README: 数字的写法)")),
                    );
                    continue;
                }
            };
            used.insert(printed.table.id.clone());
            if sign_check != SignCheck::Off {
                check_sign(list, index, &printed, &reference, (root, source, at), sign_check, diagnostics);
            }
            if let Some(unit) = filters::printed_unit(&printed.reference, printed.column)
                && text_at(list, Some(index + 1)).is_some_and(|after| after.trim_start().starts_with(unit.as_str()))
            {
                diagnostics.push(
                    Diagnostic::error(
                        root.join(&source.file),
                        format!("{{{{{reference}}}}} prints the unit {unit} itself, and the text after it repeats it: this prints {}{unit}", printed.text),
                    )
                    .at(at.line, at.column)
                    .with_hint(format!("remove the {unit} typed after }}}}")),
                );
            }
            let value = printed.text;
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
            if let Inline::DataRef { value: slot, .. } = &mut list[index] {
                *slot = Some(value);
            }
        }
    });
    used
}

/// Reports prose whose direction word (下降, 增长 …) right before the reference at `index`
/// contradicts the sign of its value.
fn check_sign(
    list: &[Inline],
    index: usize,
    printed: &crate::numbers::reference::Printed<'_>,
    reference: &str,
    (root, source, at): (&Path, &SourcePos, Place),
    sign_check: SignCheck,
    diagnostics: &mut Diagnostics,
) {
    let Some(number) = printed.value.number else { return };
    let Some((stated, word)) = text_at(list, index.checked_sub(1)).and_then(wording::stated_before) else { return };
    let Some(message) = wording::contradiction(stated, word, number, printed.reference.sign_use(), &printed.text) else { return };
    let path = printed.reference.path.as_str();
    let (rise, _) = wording::DIRECTIONS.iter().find(|(r, f)| *r == word || *f == word).copied().unwrap_or(("增长", "下降"));
    let message = format!("{{{{{reference}}}}}: {message}");
    let hint = format!(
        "let the data choose the word: write {{{{{path} | {rise}}}}} (prints {rise} or its opposite by the sign, 持平 at 0) without the {word} before it, or {word}{{{{{path} | abs}}}} where the word matches the sign; [numbers] sign_check = \"warning\" in report.toml makes this a warning"
    );
    let diagnostic = match sign_check {
        SignCheck::Warning => Diagnostic::warning(root.join(&source.file), message),
        _ => Diagnostic::error(root.join(&source.file), message),
    };
    diagnostics.push(diagnostic.at(at.line, at.column).with_hint(hint));
}
