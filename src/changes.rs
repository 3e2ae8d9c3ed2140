//! Change proofs (`build --format proof --since REV`): the manuscript as it was at a git
//! revision, compared with the manuscript now, marks the proof's document — inserted text
//! as [`Inline::Inserted`], deleted text as [`Inline::Deleted`] at its place — and lists
//! the changes for the proof's first page.
//!
//! Paragraphs are compared across the document (the `similar` crate's Myers diff over
//! the blocks' texts); a paragraph changed in place is compared by characters (Chinese has
//! no spaces to split words on). A number that changed because its data cell changed is a
//! changed character like any other.

use std::path::{Path, PathBuf};

use similar::{Algorithm, DiffOp, capture_diff_slices};

use typst_layout::PagedDocument;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::manuscript::Manuscript;
use crate::model::{Block, BlockKind, Document, Inline};

/// One change, as the first page of a change proof lists it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Change {
    /// `inserted`, `deleted` or `changed`.
    pub kind: &'static str,
    /// The first characters of what changed.
    pub excerpt: String,
    /// The number of the first mark of this change (the template labels it `chg-<id>`).
    pub id: usize,
    /// The proof's line number beside that mark, once the proof has been laid out
    /// ([`number_lines`]); the template prints the page it finds itself.
    pub line: Option<usize>,
}

/// What the template is given for a change proof.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ChangeList {
    /// The revision compared with.
    pub since: String,
    /// The changes in reading order (empty: nothing changed).
    pub changes: Vec<Change>,
}

/// Reads the manuscript at git revision `rev` (every file git has under the manuscript
/// directory, into a temporary directory) and loads it.
pub fn manuscript_at(root: &Path, rev: &str) -> Result<(tempfile::TempDir, Manuscript), Diagnostics> {
    let fail = |message: String| {
        Diagnostics::one(Diagnostic::error(root, message).with_hint("name a commit of the manuscript's git repository, e.g. --since HEAD~1 or --since v1.0"))
    };
    if rev.starts_with('-') {
        return Err(fail(format!("`{rev}` is not a revision")));
    }
    let listing = crate::git::read(root, &["ls-tree", "-r", "-z", "--name-only", "--full-tree", rev])
        .ok_or_else(|| fail(format!("git knows no revision `{rev}` here")))?;
    let prefix = crate::git::read(root, &["rev-parse", "--show-prefix"]).map(|p| String::from_utf8_lossy(&p).trim().to_string()).unwrap_or_default();
    let dir = tempfile::tempdir().map_err(|e| Diagnostics::one(crate::diagnostics::io_error(Path::new("."), "make a temporary directory", &e)))?;
    for name in listing.split(|&b| b == 0).filter(|n| !n.is_empty()) {
        let name = String::from_utf8_lossy(name);
        let Some(relative) = name.strip_prefix(&prefix) else { continue };
        let bytes = crate::git::read(root, &["cat-file", "blob", &format!("{rev}:{name}")]).ok_or_else(|| fail(format!("cannot read {name} at `{rev}`")))?;
        let target = dir.path().join(relative);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Diagnostics::one(crate::diagnostics::io_error(parent, "make a directory", &e)))?;
        }
        std::fs::write(&target, bytes).map_err(|e| Diagnostics::one(crate::diagnostics::io_error(&target, "write the old manuscript", &e)))?;
    }
    let manuscript = Manuscript::load(dir.path()).map_err(|errors| {
        let mut all = vec![Diagnostic::error(root, format!("the manuscript at `{rev}` does not load, so it cannot be compared"))];
        all.extend(relabel_old(errors, dir.path(), rev).0);
        Diagnostics(all)
    })?;
    Ok((dir, manuscript))
}

/// Problems found in an earlier manuscript, which was read into the temporary directory
/// `dir`, named as the user knows its files: `REV:text/01.md` (git's own notation for a file
/// at a revision), or `old-proof.pdf:text/01.md` for the manuscript an earlier proof carries —
/// never the temporary path, which is gone when the command ends.
pub fn relabel_old(errors: Diagnostics, dir: &Path, label: &str) -> Diagnostics {
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let relabel = |file: &Path| -> Option<PathBuf> {
        let file = file.canonicalize().unwrap_or_else(|_| file.to_path_buf());
        let relative = file.strip_prefix(&dir).ok()?;
        let relative = relative.to_string_lossy().replace('\\', "/");
        Some(PathBuf::from(if relative.is_empty() { label.to_string() } else { format!("{label}:{relative}") }))
    };
    Diagnostics(
        errors
            .0
            .into_iter()
            .map(|mut diagnostic| {
                if let Some(named) = relabel(&diagnostic.file) {
                    diagnostic.file = named;
                }
                diagnostic
            })
            .collect(),
    )
}

/// The manuscript a change proof compares with, and how its list of changes names it:
/// `since` is a git revision, or an earlier proof (a `.pdf` file) — the manuscript snapshot
/// it carries ([`crate::snapshot`]), or, for a proof made without one, the git revision its
/// footer prints.
pub fn earlier_manuscript(root: &Path, since: &str) -> Result<(tempfile::TempDir, Manuscript, String), Diagnostics> {
    let path = Path::new(since);
    if !since.to_ascii_lowercase().ends_with(".pdf") || !path.is_file() {
        let (dir, manuscript) = manuscript_at(root, since)?;
        return Ok((dir, manuscript, since.to_string()));
    }
    let refuse = |message: String| Diagnostics::one(Diagnostic::error(path, message).with_hint("compare with a git revision instead: --since <commit>"));
    let document = crate::review::annotations::load(path)?;
    let Some(snapshot) = crate::snapshot::Snapshot::from_pdf(&document).map_err(refuse)? else {
        let revision = revision_of(path, &document)?;
        let (dir, manuscript) = manuscript_at(root, &revision)?;
        return Ok((dir, manuscript, revision));
    };
    let dir = tempfile::tempdir().map_err(|e| Diagnostics::one(crate::diagnostics::io_error(Path::new("."), "make a temporary directory", &e)))?;
    snapshot.restore(dir.path(), root, path)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let manuscript = Manuscript::load(dir.path()).map_err(|errors| {
        let mut all = vec![Diagnostic::error(path, "the manuscript this proof was made from does not load with this reportpress, so it cannot be compared")];
        all.extend(relabel_old(errors, dir.path(), &name).0);
        Diagnostics(all)
    })?;
    Ok((dir, manuscript, format!("{name}（{}）", snapshot.revision)))
}

/// The revision the footer of an earlier proof made without a snapshot prints (`版本
/// abc1234`), which must be a clean commit (not one with `+修改`, uncommitted changes, nor a
/// content hash outside git).
fn revision_of(path: &Path, document: &lopdf::Document) -> Result<String, Diagnostics> {
    let refuse = |message: String| {
        Diagnostics::one(Diagnostic::error(path, message).with_hint("give the git revision the proof was made from instead: --since <commit>"))
    };
    let chars = crate::review::pdf_text::characters(document, &[0]);
    let Some(mark) = (1..chars.len()).find(|&i| chars[i - 1].text == "版" && chars[i].text == "本") else {
        return Err(refuse("this PDF is not a proof made by reportpress (its footer names no 版本)".to_string()));
    };
    // The characters after 版本 on its line, up to the next gap wider than a space.
    let mut revision = String::new();
    let mut previous = &chars[mark];
    for c in chars[mark + 1..].iter().filter(|c| !c.text.trim().is_empty()) {
        let size = previous.area.y1 - previous.area.y0;
        let gap = if revision.is_empty() { size * 1.5 } else { size * 0.5 };
        if (c.baseline - previous.baseline).abs() > 0.5 || c.area.x0 - previous.area.x1 > gap {
            break;
        }
        revision.push_str(&c.text);
        previous = c;
    }
    let after = revision.clone();
    if revision.is_empty() || revision.contains('+') || after.starts_with("内容哈希") || !revision.chars().all(|c| c.is_ascii_alphanumeric() || c == '+') {
        return Err(refuse(format!(
            "this proof was made from {}, which git cannot give back",
            if revision.contains('+') { "uncommitted changes" } else { "a manuscript outside git" }
        )));
    }
    Ok(revision)
}

/// Marks in `new` what changed since `old`, and lists the changes.
pub fn mark(new: &mut Document, old: &Document, since: &str) -> ChangeList {
    let mut marker = Marker { next: 0, changes: Vec::new() };
    new.blocks = marker.blocks(&old.blocks, std::mem::take(&mut new.blocks));
    // One label per change: the marks after a change's first carry no number.
    let mut seen = std::collections::HashSet::new();
    crate::model::walk::inline_lists_mut(&mut new.blocks, &mut |list, _| {
        for inline in list.iter_mut() {
            if let Inline::Inserted { id, .. } | Inline::Deleted { id, .. } = inline
                && !seen.insert(*id)
            {
                *id = 0;
            }
        }
    });
    ChangeList { since: since.to_string(), changes: marker.changes }
}

/// What a block is compared by: its kind and all the text it shows.
fn block_key(block: &Block) -> String {
    format!("{}\u{0}{}", kind_of(block), block_text(block))
}

/// Finds, in the laid-out proof `paged`, the proof line number beside each change's first
/// mark (the `chg-<id>` label of its change bar) and records it in `list`. Returns whether
/// any number changed, i.e. whether the proof must be laid out again to print them.
pub fn number_lines(paged: &PagedDocument, list: &mut ChangeList) -> bool {
    use crate::review::placed::{line_number, nearest_weighted};
    use typst::foundations::Label;
    use typst::introspection::Introspector;
    let introspector = paged.introspector();
    // The text of the pages, without the proof's watermark (校样 at 120 pt across the page).
    let glyphs: Vec<_> = crate::review::glyphs::collect(paged).into_iter().filter(|g| g.area.y1 - g.area.y0 < 100.0).collect();
    let mut changed = false;
    for change in &mut list.changes {
        let Some(label) = Label::new(typst::utils::PicoStr::intern(&format!("chg-{}", change.id))) else { continue };
        let Ok(content) = introspector.query_label(label) else { continue };
        let Some(location) = content.location() else { continue };
        let Some(position) = introspector.position(location) else { continue };
        let (page, x, y) = (position.page.get() - 1, position.point.x.to_pt(), position.point.y.to_pt());
        let glyph = if content.is::<typst::model::HeadingElem>() {
            // A changed heading carries the label itself (its text is repeated in the 目录 and
            // the running heads): it stands at the top left of the heading's block, so its
            // first line is the text nearest below it (across the page, another column's line
            // may be higher, hence the horizontal distance counts most).
            let distance = |g: &crate::review::glyphs::Glyph| {
                let dx = (g.area.x0 - x).max(0.0).max(x - g.area.x1);
                dx * dx + (3.0 * (g.baseline - y)).powi(2)
            };
            glyphs
                .iter()
                .enumerate()
                .filter(|(_, g)| g.page == page && g.baseline > y && !g.text.trim().is_empty())
                // Not the proof's line numbers (6 pt figures in the margin).
                .filter(|(_, g)| g.area.y1 - g.area.y0 >= 7.0)
                .min_by(|(_, a), (_, b)| distance(a).total_cmp(&distance(b)))
                .map(|(index, _)| index)
        } else {
            // The bar's box stands on the line's baseline, in the text: the glyph nearest to it
            // (a line above or below weighs more than a glyph beside it) is on its line.
            nearest_weighted(&glyphs, page, (x, y - 2.0), 20.0)
        };
        let line = glyph.and_then(|index| line_number(&glyphs, index));
        if line != change.line {
            change.line = line;
            changed = true;
        }
    }
    changed
}

fn kind_of(block: &Block) -> &'static str {
    match &block.kind {
        BlockKind::Heading { .. } => "heading",
        BlockKind::Paragraph { .. } => "paragraph",
        BlockKind::Quote { .. } => "quote",
        BlockKind::List { .. } => "list",
        BlockKind::Sidebar { .. } => "sidebar",
        BlockKind::Image { .. } => "image",
        BlockKind::Table { .. } => "table",
        BlockKind::Chart { .. } => "chart",
        BlockKind::Rule => "rule",
        BlockKind::PageBreak => "page-break",
        BlockKind::NoteDefinition { .. } => "note",
        BlockKind::References { .. } => "references",
    }
}

/// Blocks whose text is compared by characters (and marked inside).
fn text_kind(block: &Block) -> bool {
    matches!(block.kind, BlockKind::Heading { .. } | BlockKind::Paragraph { .. })
}

/// Blocks that hold blocks, compared by what they hold.
fn container(block: &Block) -> bool {
    matches!(block.kind, BlockKind::Quote { .. } | BlockKind::Sidebar { .. } | BlockKind::List { .. })
}

/// Marks all the text of `block` (and of the blocks inside it) inserted by change `id`,
/// appending its plain text to `text`.
fn mark_inserted(block: &mut Block, id: usize, text: &mut String) {
    if text_kind(block) {
        text.push_str(&paragraph_text(block));
    }
    match &mut block.kind {
        BlockKind::Paragraph { lead, content } => {
            if let Some(lead) = lead {
                *lead = vec![Inline::Inserted { content: std::mem::take(lead), id }];
            }
            *content = vec![Inline::Inserted { content: std::mem::take(content), id }];
        }
        BlockKind::Heading { content, .. } => *content = vec![Inline::Inserted { content: std::mem::take(content), id }],
        BlockKind::Quote { blocks } | BlockKind::Sidebar { blocks, .. } => {
            for inner in blocks {
                mark_inserted(inner, id, text);
            }
        }
        BlockKind::List { items, .. } => {
            for inner in items.iter_mut().flatten() {
                mark_inserted(inner, id, text);
            }
        }
        _ => {}
    }
}

/// All the text a block shows (for comparing blocks).
fn block_text(block: &Block) -> String {
    let mut out = String::new();
    let mut add = |text: &str| {
        out.push_str(text);
        out.push('\u{1}');
    };
    match &block.kind {
        BlockKind::Table { caption, data, .. } | BlockKind::Chart { caption, data, .. } => {
            add(caption);
            data.for_each_text(&mut add);
        }
        BlockKind::Image { caption, path, .. } => {
            add(&path.to_string_lossy());
            let mut text = String::new();
            crate::model::plain_text_of(caption, &mut text);
            add(&text);
        }
        _ => {
            let mut text = String::new();
            crate::model::walk::inlines(std::slice::from_ref(block), &mut |inline, _| {
                if let Inline::Text { text: t } | Inline::Code { text: t } | Inline::Ref { text: t, .. } | Inline::DataRef { value: Some(t), .. } = inline {
                    text.push_str(t);
                }
            });
            add(&text);
        }
    }
    out
}

/// The plain text of a paragraph or heading: its lead (run-in head) then its content.
fn paragraph_text(block: &Block) -> String {
    let mut out = String::new();
    match &block.kind {
        BlockKind::Paragraph { lead, content } => {
            if let Some(lead) = lead {
                crate::model::plain_text_of(lead, &mut out);
            }
            crate::model::plain_text_of(content, &mut out);
        }
        BlockKind::Heading { content, .. } => crate::model::plain_text_of(content, &mut out),
        _ => {}
    }
    out
}

/// Whether two paragraphs are one paragraph edited: at least half their characters are
/// the same, in order.
fn resemble(before: &Block, after: &Block) -> bool {
    let old: Vec<char> = paragraph_text(before).chars().collect();
    let new: Vec<char> = paragraph_text(after).chars().collect();
    let same: usize = capture_diff_slices(Algorithm::Myers, &old, &new).iter().map(|op| if let DiffOp::Equal { len, .. } = op { *len } else { 0 }).sum();
    2 * same >= (old.len() + new.len()) / 2
}

/// The pieces a paragraph is compared by: each character, except that a run of ASCII
/// letters, digits and `.`/`,`/`%` is one piece; with the character offset where each piece
/// starts (and the total length last).
fn tokens(chars: &[char]) -> (Vec<String>, Vec<usize>) {
    let word = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | ',' | '%' | '_');
    let (mut tokens, mut starts) = (Vec::new(), Vec::new());
    let mut index = 0;
    while index < chars.len() {
        let start = index;
        index += 1;
        if word(chars[start]) {
            while index < chars.len() && word(chars[index]) {
                index += 1;
            }
        }
        tokens.push(chars[start..index].iter().collect::<String>());
        starts.push(start);
    }
    starts.push(chars.len());
    (tokens, starts)
}

/// What a table, chart or image is called in the list of changes: its label and caption.
fn block_title(block: &Block) -> String {
    match &block.kind {
        BlockKind::Table { label, caption, .. } | BlockKind::Chart { label, caption, .. } => format!("{label} {caption}"),
        BlockKind::Image { label, caption, .. } => {
            let mut text = format!("{label} ");
            crate::model::plain_text_of(caption, &mut text);
            text
        }
        _ => block_text(block).replace('\u{1}', " ").trim().to_string(),
    }
}

/// A line of the change proof, before `block`, that holds `mark`.
fn note(block: &Block, mark: Inline) -> Block {
    Block { kind: BlockKind::Paragraph { lead: None, content: vec![mark] }, source: block.source.clone() }
}

fn excerpt(text: &str) -> String {
    let text: String = text.chars().filter(|c| !c.is_control()).collect();
    if text.chars().count() > 24 { format!("{}…", text.chars().take(24).collect::<String>()) } else { text }
}

struct Marker {
    next: usize,
    changes: Vec<Change>,
}

impl Marker {
    fn id(&mut self) -> usize {
        self.next += 1;
        self.next
    }

    /// `new` marked against `old`: a sequence of blocks (the document's, or those inside a
    /// quote, a sidebar or a list item) compared block by block.
    fn blocks(&mut self, old: &[Block], new: Vec<Block>) -> Vec<Block> {
        let old_keys: Vec<String> = old.iter().map(block_key).collect();
        let new_keys: Vec<String> = new.iter().map(block_key).collect();
        let mut out: Vec<Block> = Vec::new();
        let mut blocks = new.into_iter();
        for op in capture_diff_slices(Algorithm::Myers, &old_keys, &new_keys) {
            match op {
                DiffOp::Equal { len, .. } => out.extend(blocks.by_ref().take(len)),
                DiffOp::Delete { old_index, old_len, .. } => {
                    for block in &old[old_index..old_index + old_len] {
                        out.extend(self.deleted_block(block));
                    }
                }
                DiffOp::Insert { new_len, .. } => {
                    for block in blocks.by_ref().take(new_len) {
                        out.extend(self.inserted_block(block));
                    }
                }
                DiffOp::Replace { old_index, old_len, new_len, .. } => {
                    // Pair a new block with an old one of the same kind that it resembles (a
                    // paragraph edited in place); the rest were deleted or inserted.
                    let olds = &old[old_index..old_index + old_len];
                    let mut next_old = 0;
                    for block in blocks.by_ref().take(new_len) {
                        let pair = (next_old..olds.len()).find(|&j| kind_of(&olds[j]) == kind_of(&block) && (!text_kind(&block) || resemble(&olds[j], &block)));
                        let Some(j) = pair else {
                            out.extend(self.inserted_block(block));
                            continue;
                        };
                        for before in &olds[next_old..j] {
                            out.extend(self.deleted_block(before));
                        }
                        next_old = j + 1;
                        if text_kind(&block) {
                            out.push(self.changed_block(&olds[j], block));
                        } else if container(&block) {
                            out.push(self.changed_container(&olds[j], block));
                        } else {
                            out.extend(self.changed_data(&olds[j], &block));
                            out.push(block);
                        }
                    }
                    for before in &olds[next_old..] {
                        out.extend(self.deleted_block(before));
                    }
                }
            }
        }
        // A deleted paragraph stands where the next paragraph now starts (its own lines are gone).
        for index in (0..out.len()).rev() {
            let deleted_only = matches!(&out[index].kind, BlockKind::Paragraph { content, .. } if matches!(content.as_slice(), [Inline::Deleted { .. }]));
            if deleted_only && let Some(next) = out.get(index + 1).map(|b| b.source.clone()) {
                out[index].source = next;
            }
        }
        out
    }

    /// A quote, sidebar or list whose content changed: the blocks (or the list's items)
    /// inside compared in turn, so an inserted item or paragraph is marked where it is.
    fn changed_container(&mut self, before: &Block, mut block: Block) -> Block {
        match (&before.kind, &mut block.kind) {
            (BlockKind::Quote { blocks: old }, BlockKind::Quote { blocks: new })
            | (BlockKind::Sidebar { blocks: old, .. }, BlockKind::Sidebar { blocks: new, .. }) => {
                *new = self.blocks(old, std::mem::take(new));
            }
            (BlockKind::List { items: old, .. }, BlockKind::List { items: new, .. }) => *new = self.items(old, std::mem::take(new)),
            _ => {}
        }
        block
    }

    /// A list's items compared: a new item marked inserted, a removed one kept struck
    /// through at its place, an edited one compared inside.
    fn items(&mut self, old: &[Vec<Block>], new: Vec<Vec<Block>>) -> Vec<Vec<Block>> {
        let key = |item: &Vec<Block>| item.iter().map(block_key).collect::<Vec<_>>().join("\u{2}");
        let old_keys: Vec<String> = old.iter().map(key).collect();
        let new_keys: Vec<String> = new.iter().map(key).collect();
        let mut out = Vec::new();
        let mut items = new.into_iter();
        let deleted = |marker: &mut Self, item: &[Block], out: &mut Vec<Vec<Block>>| {
            let struck: Vec<Block> = item.iter().filter_map(|b| marker.deleted_block(b)).collect();
            if !struck.is_empty() {
                out.push(struck);
            }
        };
        for op in capture_diff_slices(Algorithm::Myers, &old_keys, &new_keys) {
            match op {
                DiffOp::Equal { len, .. } => out.extend(items.by_ref().take(len)),
                DiffOp::Delete { old_index, old_len, .. } => {
                    for item in &old[old_index..old_index + old_len] {
                        deleted(self, item, &mut out);
                    }
                }
                DiffOp::Insert { new_len, .. } => {
                    for item in items.by_ref().take(new_len) {
                        out.push(self.inserted_item(item));
                    }
                }
                DiffOp::Replace { old_index, old_len, new_len, .. } => {
                    let olds = &old[old_index..old_index + old_len];
                    for (k, item) in items.by_ref().take(new_len).enumerate() {
                        match olds.get(k) {
                            Some(before) => out.push(self.blocks(before, item)),
                            None => out.push(self.inserted_item(item)),
                        }
                    }
                    for before in olds.iter().skip(new_len) {
                        deleted(self, before, &mut out);
                    }
                }
            }
        }
        out
    }

    /// A new list item: all its text marked as one insertion.
    fn inserted_item(&mut self, item: Vec<Block>) -> Vec<Block> {
        let id = self.id();
        let mut text = String::new();
        let mut out = Vec::new();
        for mut block in item {
            mark_inserted(&mut block, id, &mut text);
            out.push(block);
        }
        self.changes.push(Change { kind: "inserted", excerpt: excerpt(&text), id, line: None });
        out
    }

    /// A deleted block, shown struck through at its place (a text block's text; any other
    /// block by what it was).
    fn deleted_block(&mut self, block: &Block) -> Option<Block> {
        let text = match &block.kind {
            BlockKind::Heading { .. } | BlockKind::Paragraph { .. } => paragraph_text(block),
            _ => block_title(block),
        };
        if text.trim().is_empty() {
            return None;
        }
        let id = self.id();
        self.changes.push(Change { kind: "deleted", excerpt: excerpt(&text), id, line: None });
        Some(Block { kind: BlockKind::Paragraph { lead: None, content: vec![Inline::Deleted { text, id }] }, source: block.source.clone() })
    }

    /// A new block: a text block's text marked inserted; before any other block, a line in
    /// the change colour says it is new.
    fn inserted_block(&mut self, mut block: Block) -> Vec<Block> {
        let id = self.id();
        let mut out = Vec::new();
        let text = if text_kind(&block) || container(&block) {
            let mut text = String::new();
            mark_inserted(&mut block, id, &mut text);
            text
        } else {
            let text = block_title(&block);
            out.push(note(&block, Inline::Inserted { content: vec![Inline::Text { text: format!("新增：{text}") }], id }));
            text
        };
        self.changes.push(Change { kind: "inserted", excerpt: excerpt(&text), id, line: None });
        out.push(block);
        out
    }

    /// A table or chart whose data changed: a line before it names each changed cell, with
    /// its old value.
    fn changed_data(&mut self, before: &Block, block: &Block) -> Option<Block> {
        let (BlockKind::Table { data: old, .. } | BlockKind::Chart { data: old, .. }, BlockKind::Table { data: new, .. } | BlockKind::Chart { data: new, .. }) =
            (&before.kind, &block.kind)
        else {
            return None;
        };
        let mut cells = Vec::new();
        let key_of = |row: &[crate::model::Cell]| row.first().map(|c| c.text.clone()).unwrap_or_default();
        for row in &new.rows {
            let key = key_of(row);
            let old_row = old.rows.iter().find(|r| key_of(r) == key);
            if old_row.is_none() {
                // A row that was not there: named once, not cell by cell.
                cells.push(format!("新增一行「{key}」"));
                continue;
            }
            for (index, cell) in row.iter().enumerate().skip(1) {
                let heading = new.header.get(index).map(String::as_str).unwrap_or("");
                let old_index = old.header.iter().position(|h| h == heading);
                let was = old_row.and_then(|r| old_index.and_then(|i| r.get(i))).map(|c| c.text.as_str());
                if was != Some(cell.text.as_str()) {
                    cells.push(format!("{key}·{heading} {}（原 {}）", cell.text, was.unwrap_or("无")));
                }
            }
        }
        for row in old.rows.iter().filter(|r| !new.rows.iter().any(|n| key_of(n) == key_of(r))) {
            cells.push(format!("删去一行「{}」", key_of(row)));
        }
        // Named by its label (表 2): the list shows the first characters, which should be the cells.
        let title = match &block.kind {
            BlockKind::Table { label, .. } | BlockKind::Chart { label, .. } if !label.is_empty() => label.clone(),
            _ => block_title(block),
        };
        let what = if cells.is_empty() { format!("{title}：标题或结构有改动") } else { format!("{title} 数据改动：{}", cells.join("；")) };
        let id = self.id();
        self.changes.push(Change { kind: "changed", excerpt: excerpt(&what), id, line: None });
        Some(note(block, Inline::Inserted { content: vec![Inline::Text { text: what }], id }))
    }

    /// A text block changed in place: its characters compared with the old block's, and
    /// its footnotes with the old block's footnotes.
    fn changed_block(&mut self, before: &Block, mut block: Block) -> Block {
        if let Some(edits) = self.edits(&paragraph_text(before), &paragraph_text(&block)) {
            let mut at = 0;
            match &mut block.kind {
                BlockKind::Paragraph { lead, content } => {
                    if let Some(lead) = lead {
                        *lead = marked(std::mem::take(lead), &mut at, &edits.inserted, &edits.deleted);
                    }
                    *content = edits.apply(std::mem::take(content), &mut at);
                }
                BlockKind::Heading { content, .. } => *content = edits.apply(std::mem::take(content), &mut at),
                _ => {}
            }
        }
        self.changed_notes(before, &mut block);
        block
    }

    /// The footnotes of a paragraph compared in order: an edited note marked inside, a new
    /// note's text marked inserted, a removed note's text struck through at the paragraph's end.
    fn changed_notes(&mut self, before: &Block, block: &mut Block) {
        let old_notes = notes_of(before);
        let old_texts: Vec<String> = old_notes.iter().map(|n| plain(n)).collect();
        let mut new_notes = notes_of_mut(block);
        let new_texts: Vec<String> = new_notes.iter().map(|n| plain(n)).collect();
        if old_texts == new_texts {
            return;
        }
        let mut removed = Vec::new();
        for op in capture_diff_slices(Algorithm::Myers, &old_texts, &new_texts) {
            let (old_range, new_range) = match op {
                DiffOp::Equal { .. } => continue,
                DiffOp::Delete { old_index, old_len, .. } => (old_index..old_index + old_len, 0..0),
                DiffOp::Insert { new_index, new_len, .. } => (0..0, new_index..new_index + new_len),
                DiffOp::Replace { old_index, old_len, new_index, new_len } => (old_index..old_index + old_len, new_index..new_index + new_len),
            };
            let mut olds = old_range.clone();
            for index in new_range {
                let note = &mut *new_notes[index];
                match olds.next() {
                    Some(old) => {
                        if let Some(edits) = self.edits(&old_texts[old], &new_texts[index]) {
                            *note = edits.apply(std::mem::take(note), &mut 0);
                            if let Some(change) = self.changes.last_mut() {
                                change.excerpt = format!("注：{}", change.excerpt);
                            }
                        }
                    }
                    None => {
                        let id = self.id();
                        self.changes.push(Change { kind: "inserted", excerpt: format!("注：{}", excerpt(&new_texts[index])), id, line: None });
                        *note = vec![Inline::Inserted { content: std::mem::take(note), id }];
                    }
                }
            }
            removed.extend(olds);
        }
        for old in removed {
            let id = self.id();
            self.changes.push(Change { kind: "deleted", excerpt: format!("注：{}", excerpt(&old_texts[old])), id, line: None });
            if let BlockKind::Paragraph { content, .. } | BlockKind::Heading { content, .. } = &mut block.kind {
                content.push(Inline::Deleted { text: format!("［注：{}］", old_texts[old]), id });
            }
        }
    }

    /// Compares two texts by pieces ([`tokens`]) and lists the change (one entry however many
    /// places changed); `None` when they are the same.
    fn edits(&mut self, old_text: &str, new_text: &str) -> Option<Edits> {
        let old: Vec<char> = old_text.chars().collect();
        let new: Vec<char> = new_text.chars().collect();
        // Compared by characters, but a number or a Latin word is one piece: 36.56 → 36.58
        // shows the old number struck through and the new one, not one changed digit.
        let (old_tokens, old_starts) = tokens(&old);
        let (new_tokens, new_starts) = tokens(&new);
        let chars_of = |starts: &[usize], index: usize, len: usize| starts[index]..starts[index + len];
        let mut edits = Edits { inserted: Vec::new(), deleted: Vec::new(), len: new.len() };
        let mut first: Option<(usize, String, usize, usize)> = None;
        for op in capture_diff_slices(Algorithm::Myers, &old_tokens, &new_tokens) {
            let (removed, added, at) = match op {
                DiffOp::Equal { .. } => continue,
                DiffOp::Delete { old_index, old_len, new_index } => (chars_of(&old_starts, old_index, old_len), 0..0, new_starts[new_index]),
                DiffOp::Insert { new_index, new_len, .. } => (0..0, chars_of(&new_starts, new_index, new_len), new_starts[new_index]),
                DiffOp::Replace { old_index, old_len, new_index, new_len } => {
                    (chars_of(&old_starts, old_index, old_len), chars_of(&new_starts, new_index, new_len), new_starts[new_index])
                }
            };
            let id = self.id();
            let gone: String = old[removed].iter().collect();
            let came: String = new[added.clone()].iter().collect();
            if !gone.is_empty() {
                edits.deleted.push((at, gone.clone(), id));
            }
            if !came.is_empty() {
                edits.inserted.push((added.start, added.end, id));
            }
            first.get_or_insert((id, if came.is_empty() { gone } else { came }, at, added.end.max(at)));
        }
        let (id, what, from, to) = first?;
        let count = edits.inserted.len() + edits.deleted.len();
        self.changes.push(Change {
            kind: "changed",
            excerpt: format!("{}{}", excerpt_in_context(&what, &new, from, to), if count > 1 { format!("（{count} 处）") } else { String::new() }),
            id,
            line: None,
        });
        Some(edits)
    }
}

/// What changed in a text: inserted character ranges `(start, end, id)` of the new text,
/// and deleted texts `(position in the new text, text, id)`.
struct Edits {
    inserted: Vec<(usize, usize, usize)>,
    deleted: Vec<(usize, String, usize)>,
    /// The new text's length in characters.
    len: usize,
}

impl Edits {
    /// `inlines` (the last run of the text, from `at`) marked, with what was deleted at the
    /// very end put after them.
    fn apply(&self, inlines: Vec<Inline>, at: &mut usize) -> Vec<Inline> {
        let mut out = marked(inlines, at, &self.inserted, &self.deleted);
        out.extend(
            self.deleted.iter().filter(|(p, _, _)| *p == self.len && *at >= self.len).map(|(_, text, id)| Inline::Deleted { text: text.clone(), id: *id }),
        );
        out
    }
}

/// The plain text of inlines.
fn plain(inlines: &[Inline]) -> String {
    let mut out = String::new();
    crate::model::plain_text_of(inlines, &mut out);
    out
}

/// The footnotes' texts of a paragraph or heading, in order.
fn notes_of(block: &Block) -> Vec<Vec<Inline>> {
    let mut block = block.clone();
    notes_of_mut(&mut block).into_iter().map(|note| note.clone()).collect()
}

/// The footnotes' texts of a paragraph (its run-in head first) or heading, in order, to
/// mark them.
fn notes_of_mut(block: &mut Block) -> Vec<&mut Vec<Inline>> {
    let mut notes = Vec::new();
    match &mut block.kind {
        BlockKind::Paragraph { lead, content } => {
            if let Some(lead) = lead {
                collect_notes_mut(lead, &mut notes);
            }
            collect_notes_mut(content, &mut notes);
        }
        BlockKind::Heading { content, .. } => collect_notes_mut(content, &mut notes),
        _ => {}
    }
    notes
}

/// The footnotes' texts inside `inlines`, in order, to mark them.
fn collect_notes_mut<'a>(inlines: &'a mut [Inline], out: &mut Vec<&'a mut Vec<Inline>>) {
    for inline in inlines {
        match inline {
            Inline::Note { content, .. } => out.push(content),
            Inline::Strong { content } | Inline::Emphasis { content } | Inline::Link { content, .. } | Inline::Inserted { content, .. } => {
                collect_notes_mut(content, out)
            }
            _ => {}
        }
    }
}

/// The change as the list names it: what came (or went); a change of one or two
/// characters or marks (`-`, `6`) is shown in its words around it, or it says nothing.
fn excerpt_in_context(what: &str, text: &[char], from: usize, to: usize) -> String {
    if what.chars().filter(|c| c.is_alphanumeric()).count() >= 2 {
        return excerpt(what);
    }
    let before: String = text[from.saturating_sub(8)..from.min(text.len())].iter().collect();
    let after: String = text[to.min(text.len())..(to + 8).min(text.len())].iter().collect();
    format!("「{}」：…{before}{}{after}…", what.trim(), if to > from { text[from..to].iter().collect::<String>() } else { String::new() })
}

/// `inlines` with the inserted character ranges wrapped and the deleted texts put at their
/// positions (offsets in the plain text, counted from `at`).
fn marked(inlines: Vec<Inline>, at: &mut usize, inserted: &[(usize, usize, usize)], deleted: &[(usize, String, usize)]) -> Vec<Inline> {
    let mut out = Vec::new();
    let deletions_at = |position: usize, out: &mut Vec<Inline>| {
        for (_, text, id) in deleted.iter().filter(|(p, _, _)| *p == position) {
            out.push(Inline::Deleted { text: text.clone(), id: *id });
        }
    };
    let inserted_id = |position: usize| inserted.iter().find(|(s, e, _)| position >= *s && position < *e).map(|(_, _, id)| *id);
    for inline in inlines {
        match inline {
            Inline::Text { text } => {
                // Split into runs of the same state (inserted by change n, or not).
                let mut run = String::new();
                let mut state: Option<usize> = None;
                let flush = |run: &mut String, state: Option<usize>, out: &mut Vec<Inline>| {
                    if run.is_empty() {
                        return;
                    }
                    let text = Inline::Text { text: std::mem::take(run) };
                    out.push(match state {
                        Some(id) => Inline::Inserted { content: vec![text], id },
                        None => text,
                    });
                };
                for c in text.chars() {
                    let here = inserted_id(*at);
                    if here != state || deleted.iter().any(|(p, _, _)| *p == *at) {
                        flush(&mut run, state, &mut out);
                        deletions_at(*at, &mut out);
                        state = here;
                    }
                    run.push(c);
                    *at += 1;
                }
                flush(&mut run, state, &mut out);
            }
            Inline::Strong { content } => out.push(Inline::Strong { content: marked(content, at, inserted, deleted) }),
            Inline::Emphasis { content } => out.push(Inline::Emphasis { content: marked(content, at, inserted, deleted) }),
            Inline::Link { url, content } => out.push(Inline::Link { url, content: marked(content, at, inserted, deleted) }),
            Inline::Note { .. } => out.push(inline),
            other => {
                // Code, references, line breaks: one piece, marked whole when it changed.
                let mut text = String::new();
                other.plain_text(&mut text);
                let length = text.chars().count();
                deletions_at(*at, &mut out);
                let id = (*at..*at + length).find_map(inserted_id);
                *at += length;
                out.push(match id {
                    Some(id) => Inline::Inserted { content: vec![other], id },
                    None => other,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SourcePos;

    fn paragraph(text: &str) -> Block {
        Block {
            kind: BlockKind::Paragraph { lead: None, content: vec![Inline::Text { text: text.into() }] },
            source: SourcePos { file: "a.md".into(), line: 1 },
        }
    }

    fn document(texts: &[&str]) -> Document {
        let meta = crate::model::Metadata {
            title: String::new(),
            subtitle: String::new(),
            authors: Vec::new(),
            language: String::new(),
            date: String::new(),
            publisher: String::new(),
            description: String::new(),
            keywords: Vec::new(),
            lists: Vec::new(),
            display_words: Default::default(),
        };
        Document { meta, blocks: texts.iter().map(|t| paragraph(t)).collect() }
    }

    #[test]
    fn a_change_of_a_mark_or_two_is_listed_with_the_words_around_it() {
        let old = document(&["统计时段为2024年至2025年。"]);
        let mut new = document(&["统计时段为2024年-2025年。"]);
        let list = mark(&mut new, &old, "HEAD");
        assert_eq!(list.changes.len(), 1);
        let excerpt = &list.changes[0].excerpt;
        assert!(excerpt.starts_with("「-」") && excerpt.contains("2024年-2025年"), "a lone mark says nothing: {excerpt}");
        // A change of words is listed by its words.
        let old = document(&["全市生产总值增长。"]);
        let mut new = document(&["全市地区生产总值增长。"]);
        assert_eq!(mark(&mut new, &old, "HEAD").changes[0].excerpt, "地区");
    }

    #[test]
    fn an_edit_inside_a_paragraph_marks_the_characters() {
        let old = document(&["第一段不变。", "全市生产总值增长百分之十。"]);
        let mut new = document(&["第一段不变。", "全市地区生产总值增长百分之十一。"]);
        let list = mark(&mut new, &old, "HEAD");
        assert_eq!(list.changes.len(), 1);
        let BlockKind::Paragraph { content, .. } = &new.blocks[1].kind else { panic!() };
        let inserted: Vec<String> = content
            .iter()
            .filter_map(|i| match i {
                Inline::Inserted { content, .. } => {
                    let mut s = String::new();
                    crate::model::plain_text_of(content, &mut s);
                    Some(s)
                }
                _ => None,
            })
            .collect();
        assert_eq!(inserted, vec!["地区", "一"]);
        let BlockKind::Paragraph { content, .. } = &new.blocks[0].kind else { panic!() };
        assert!(!content.iter().any(|i| matches!(i, Inline::Inserted { .. } | Inline::Deleted { .. })));
    }

    #[test]
    fn inserted_deleted_and_unchanged_paragraphs() {
        let old = document(&["甲。", "乙。", "丙。"]);
        let mut new = document(&["甲。", "丙。", "丁。"]);
        let list = mark(&mut new, &old, "HEAD");
        let kinds: Vec<&str> = list.changes.iter().map(|c| c.kind).collect();
        assert_eq!(kinds, vec!["deleted", "inserted"]);
        assert_eq!(new.blocks.len(), 4, "the deleted paragraph stays at its place, struck through");
        let mut same = document(&["甲。"]);
        assert!(mark(&mut same, &document(&["甲。"]), "HEAD").changes.is_empty());
    }
}
