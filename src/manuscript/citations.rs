//! The citation pass: every [`Inline::Citation`] (`[@key]`) gets the mark its style prints,
//! and the list of references (参考文献) becomes a [`BlockKind::References`] block — where a
//! paragraph `::: references` stands, else at the end under a heading. Both are rendered
//! once ([`super::bibliography`]) so the PDF and the EPUB print the same strings. In a note
//! style (`gb-7714-2015-note`) a citation becomes a footnote, numbered with the others.
//!
//! Runs before the footnote pass, on the whole document.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::bibliography::{Bibliography, CiteItem};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::walk;
use crate::model::{Block, BlockKind, Inline, ReferenceEntry, SourcePos, plain_text_of};

/// Most "entry … is never cited" warnings, one per entry; the rest are counted in one more.
const MAX_UNCITED_WARNINGS: usize = 10;

/// Where the bibliography is named, for errors about citations without one.
pub(crate) struct Setting<'a> {
    /// The loaded bibliography, if `report.toml` names one (and it loaded).
    pub bibliography: Option<&'a Bibliography>,
    /// Whether `report.toml` names one (that may have failed to load: no errors then).
    pub named: bool,
    /// The report's language (the heading is 参考文献 for Chinese, Japanese and Korean).
    pub language: &'a str,
}

/// Whether a paragraph is the `::: references` marker.
fn is_marker(block: &Block) -> bool {
    let BlockKind::Paragraph { lead: None, content } = &block.kind else { return false };
    let mut text = String::new();
    plain_text_of(content, &mut text);
    let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    matches!(squeezed.as_str(), ":::references" | ":::references:::" | ":::{.references}")
}

/// Resolves every citation of `blocks` and places the list of references.
pub(crate) fn resolve(blocks: &mut Vec<Block>, setting: &Setting<'_>, root: &Path, diagnostics: &mut Diagnostics) {
    // Every citation in reading order, with the items that exist.
    let mut requests: Vec<Vec<CiteItem>> = Vec::new();
    let mut markers = 0;
    walk::blocks(blocks, &mut |block| markers += usize::from(is_marker(block)));
    walk::inline_lists_mut(blocks, &mut |list, source| {
        for inline in list.iter_mut() {
            let Inline::Citation { items, at, text, .. } = inline else { continue };
            let file = root.join(&source.file);
            let Some(bibliography) = setting.bibliography else {
                if !setting.named {
                    diagnostics.push(
                        Diagnostic::error(&file, "a citation `[@…]`, but report.toml names no bibliography")
                            .at(at.line, at.column)
                            .with_hint("add bibliography = \"references.bib\" to report.toml, or write \\[@ for a literal bracket"),
                    );
                }
                *text = "[?]".to_string();
                continue;
            };
            let mut known = true;
            for item in items.iter() {
                if !bibliography.has(&item.key) {
                    known = false;
                    let keys = bibliography.keys();
                    let close: Vec<&String> = keys
                        .iter()
                        .filter(|k| k.to_lowercase() == item.key.to_lowercase() || k.starts_with(&item.key) || strsim::damerau_levenshtein(k, &item.key) <= 2)
                        .take(3)
                        .collect();
                    let hint = if close.is_empty() {
                        format!("the keys of {} are: {}", bibliography.path.display(), super::data::list(keys.iter().map(String::as_str)))
                    } else {
                        format!("did you mean {}?", close.iter().map(|k| format!("@{k}")).collect::<Vec<_>>().join(", "))
                    };
                    diagnostics.push(Diagnostic::error(&file, format!("no entry `{}` in the bibliography", item.key)).at(at.line, at.column).with_hint(hint));
                }
            }
            if known {
                requests.push(items.clone());
            } else {
                *text = "[?]".to_string();
            }
        }
    });
    let Some(bibliography) = setting.bibliography else {
        if markers > 0 && !setting.named {
            walk::blocks(blocks, &mut |block| {
                if is_marker(block) {
                    diagnostics.push(
                        Diagnostic::error(
                            root.join(&block.source.file),
                            "`::: references` places the list of references, but report.toml names no bibliography",
                        )
                        .at_line(block.source.line)
                        .with_hint("add bibliography = \"references.bib\" to report.toml, or remove the line"),
                    );
                }
            });
        }
        return;
    };
    let rendered = bibliography.render(&requests);
    let anchors: HashMap<String, String> =
        rendered.entries.iter().enumerate().map(|(index, entry)| (entry.key.clone(), format!("ref-{}", index + 1))).collect();
    let mut cited_by: HashMap<String, Vec<String>> = HashMap::new();
    let mut definitions = Vec::new();
    let mut next = 0;
    walk::inline_lists_mut(blocks, &mut |list, source| {
        for inline in list.iter_mut() {
            let Inline::Citation { items, text, superscript, target, id, .. } = inline else { continue };
            if text.as_str() == "[?]" {
                continue;
            }
            let Some(mark) = rendered.citations.get(next) else { continue };
            next += 1;
            if rendered.notes {
                let label = format!("cite {next}");
                definitions.push(Block {
                    kind: BlockKind::NoteDefinition { label: label.clone(), content: vec![Inline::Text { text: mark.text.clone() }] },
                    source: source.clone(),
                });
                *inline = Inline::Note { number: 0, content: Vec::new(), label, at: Default::default() };
                continue;
            }
            *text = mark.text.clone();
            *superscript = mark.superscript;
            *id = format!("cite-{next}");
            *target = items.first().and_then(|item| anchors.get(&item.key)).cloned().unwrap_or_default();
            for item in items.iter() {
                let list = cited_by.entry(item.key.clone()).or_default();
                if !list.contains(id) {
                    list.push(id.clone());
                }
            }
        }
    });
    blocks.extend(definitions);
    let cited: std::collections::HashSet<&str> = requests.iter().flatten().map(|item| item.key.as_str()).collect();
    // One warning per uncited entry up to a few, then one for the rest: a whole library
    // exported by mistake is one message, not thousands.
    let uncited: Vec<String> = bibliography.keys().into_iter().filter(|key| !cited.contains(key.as_str())).collect();
    for key in uncited.iter().take(MAX_UNCITED_WARNINGS) {
        diagnostics.push(
            Diagnostic::warning(&bibliography.path, format!("entry `{key}` is never cited; it is left out of the list of references"))
                .at_line(bibliography.line_of(key))
                .with_hint(format!("cite it as [@{key}] or remove it from the bibliography")),
        );
    }
    if let Some(first) = uncited.get(MAX_UNCITED_WARNINGS) {
        diagnostics.push(
            Diagnostic::warning(
                &bibliography.path,
                format!(
                    "{} more entries are never cited (from `{first}` on); they are left out of the list of references",
                    uncited.len() - MAX_UNCITED_WARNINGS
                ),
            )
            .at_line(bibliography.line_of(first))
            .with_hint("keep in the bibliography only the entries this report cites"),
        );
    }
    if rendered.entries.is_empty() {
        walk::retain_blocks(blocks, &mut |block| !is_marker(block));
        return;
    }
    let entries: Vec<ReferenceEntry> = rendered
        .entries
        .into_iter()
        .map(|entry| ReferenceEntry {
            anchor: anchors.get(&entry.key).cloned().unwrap_or_default(),
            citations: cited_by.remove(&entry.key).unwrap_or_default(),
            label: entry.label,
            content: entry.content,
        })
        .collect();
    let mut placed = false;
    walk::blocks_mut(blocks, &mut |block| {
        if is_marker(block) {
            // The first marker holds the list; a second one is an error.
            if placed {
                diagnostics.push(
                    Diagnostic::error(root.join(&block.source.file), "a second `::: references`: the list of references is printed once")
                        .at_line(block.source.line)
                        .with_hint("remove one of the two lines"),
                );
            } else {
                block.kind = BlockKind::References { entries: entries.clone() };
                placed = true;
            }
        }
    });
    if !placed {
        let relative = bibliography.path.strip_prefix(root).map(Path::to_path_buf).unwrap_or_else(|_| PathBuf::from(&bibliography.path));
        let source = SourcePos { file: relative, line: 1 };
        let cjk = ["zh", "ja", "ko"].iter().any(|tag| setting.language.starts_with(tag));
        let title = if cjk { "参考文献" } else { "References" };
        blocks.push(Block { kind: BlockKind::Heading { level: 1, content: vec![Inline::Text { text: title.to_string() }] }, source: source.clone() });
        blocks.push(Block { kind: BlockKind::References { entries }, source });
    }
}
