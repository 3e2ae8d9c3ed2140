//! Markdown text files → document-model blocks, in one `pulldown-cmark` pass per file.
//!
//! This module owns the manuscript conventions on top of CommonMark:
//! - a soft line break next to a CJK character disappears (Chinese may be hard-wrapped);
//! - a paragraph that opens with bold text ending in sentence punctuation
//!   (`**生态立市。**…`) gets that text as its run-in head, and `**…**` pairs that
//!   CommonMark leaves unmatched next to Chinese punctuation are paired;
//! - an image alone in a paragraph is a figure, its title (`"…"`) the caption, and an
//!   optional `{#fig:id}` right after it names it for cross-references;
//! - a fenced block with the info string `sidebar [title]` is a boxed sidebar whose
//!   content is Markdown again; ```` ```table ```` and ```` ```chart ```` fences are
//!   directives (see [`super::directives`]);
//! - in text, `{{table.row.column}}` becomes an [`Inline::DataRef`], `@fig:id` / `@tbl:id`
//!   an [`Inline::Ref`] and `[^label]` an [`Inline::Note`], each with its line and column;
//!   footnote definitions stay in place as [`BlockKind::NoteDefinition`]s. The passes
//!   ([`super::footnotes`], [`super::data_refs`], [`super::numbering`]) resolve them on the
//!   model; nothing here rewrites the source text.
//!
//! Anything the backends could not print faithfully (raw HTML, tables, code blocks)
//! is reported as an error at its file and line rather than silently dropped.

use std::collections::BTreeSet;
use std::ops::Range;
use std::path::{Path, PathBuf};

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::bibliography::CiteItem;
use super::data::DataSet;
use super::directives;
use super::images::validate_image;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::{Block, BlockKind, Inline, Place, SourcePos, plain_text_of};
use crate::source::is_cjk;

/// What the parser needs besides the text, and where it puts what it finds.
pub(crate) struct ParseContext<'a> {
    /// The manuscript's data tables (for table and chart directives).
    pub data: &'a DataSet,
    /// Problems found.
    pub diagnostics: &'a mut Diagnostics,
    /// Cross-reference targets (`tbl:id`, `fig:id`) of directives that failed: references to
    /// them are not reported again.
    pub failed_targets: &'a mut BTreeSet<String>,
}

/// Parses one Markdown text file into blocks.
///
/// `root` is the manuscript directory and `file` the text's path relative to it.
pub(crate) fn parse(text: &str, context: &mut ParseContext<'_>, root: &Path, file: &Path) -> Vec<Block> {
    parse_nested(text, context, root, file, (1, Vec::new()), 0)
}

/// Deepest nesting of quotes, lists and sidebars in one another. The design draws each
/// level inside the one around it, and Typst refuses very deep layouts; a report needs 3.
pub const MAX_BLOCK_DEPTH: usize = 12;
/// Deepest nesting of emphasis, strong and links in one another.
pub const MAX_INLINE_DEPTH: usize = 12;

/// Parses `text`, whose first line is line `first_line` of `file` (more than 1 for the
/// inside of a sidebar fence) and whose lines start `column_offsets` characters into their
/// lines of the file (the quote markers and indentation around a fence), at nesting depth
/// `depth`.
fn parse_nested(
    text: &str,
    context: &mut ParseContext<'_>,
    root: &Path,
    file: &Path,
    (first_line, column_offsets): (usize, Vec<usize>),
    depth: usize,
) -> Vec<Block> {
    // Tables are enabled only so that a pipe table is reported, not printed as text.
    let options = Options::ENABLE_FOOTNOTES | Options::ENABLE_TABLES;
    let events: Vec<(Event<'_>, Range<usize>)> = Parser::new_ext(text, options).into_offset_iter().collect();
    let mut parser = BlockParser {
        source: text,
        context,
        root,
        file: file.to_path_buf(),
        first_line,
        column_offsets,
        line_starts: line_starts(text),
        events,
        position: 0,
        soft_break_pending: false,
        last_char: None,
        images: Vec::new(),
        depth,
        inline_depth: 0,
    };
    parser.blocks(None)
}

fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect()
}

struct BlockParser<'a, 'c, 'd> {
    source: &'a str,
    context: &'c mut ParseContext<'d>,
    root: &'a Path,
    file: PathBuf,
    first_line: usize,
    /// Per line of `source`: how many characters of its line in the file come before it.
    column_offsets: Vec<usize>,
    line_starts: Vec<usize>,
    events: Vec<(Event<'a>, Range<usize>)>,
    position: usize,
    /// A soft break was read and waits for the next character to decide space or nothing.
    soft_break_pending: bool,
    /// The last character emitted in the current paragraph.
    last_char: Option<char>,
    /// Images met in the current paragraph, with their offsets.
    images: Vec<(BlockKind, usize)>,
    /// How many quotes, lists and sidebars enclose the blocks being read.
    depth: usize,
    /// How many strong, emphasis and link runs enclose the inlines being read.
    inline_depth: usize,
}

/// An element of an inline run being read: finished inline content, or a run of `*` that
/// CommonMark left unmatched (its flanking rules fail next to CJK punctuation, as in
/// `**生态立市。**全市`), paired into strong text when the run is finished.
enum Piece {
    Inline(Inline),
    Stars(usize),
}

/// Text from consecutive text events, not yet split into text and references, with the
/// source offset of each piece so references get their exact line and column.
#[derive(Default)]
struct PendingText {
    text: String,
    /// (offset in `text`, offset in the source, whether `text` holds the source as written
    /// from there: false for an escape such as `\{` or an entity, and for inserted spaces).
    spans: Vec<(usize, usize, bool)>,
}

impl PendingText {
    fn push(&mut self, text: &str, source: usize, literal: bool) {
        self.spans.push((self.text.len(), source, literal));
        self.text.push_str(text);
    }

    /// The source offset of byte `at` of the text and whether the character there was
    /// written as itself (not escaped).
    fn source_of(&self, at: usize) -> (usize, bool) {
        let index = self.spans.partition_point(|&(start, _, _)| start <= at).saturating_sub(1);
        match self.spans.get(index) {
            Some(&(start, source, true)) => (source + (at - start), true),
            Some(&(_, source, false)) => (source, false),
            None => (0, false),
        }
    }
}

/// A reference found in text: its byte range in the text and what it is.
enum Token {
    Data(String),
    Cross(String),
    Note(String),
    Cite(Vec<CiteItem>),
}

/// The items of a citation written `[@key]`, `[@key, 第12页]` or `[@a; @b]` (`inner` is the
/// text between the brackets); `None` when it is not one (`[@fig:x]` stays a cross-reference).
fn citation_items(inner: &str) -> Option<Vec<CiteItem>> {
    inner
        .split(';')
        .map(|item| {
            let item = item.trim().strip_prefix('@')?;
            let key_len = item.find(|c: char| c == ',' || c.is_whitespace()).unwrap_or(item.len());
            let (key, rest) = item.split_at(key_len);
            let rest = rest.trim();
            let locator = match rest.strip_prefix(',') {
                Some(locator) => Some(locator.trim().to_string()).filter(|l| !l.is_empty()),
                None if rest.is_empty() => None,
                None => return None,
            };
            let cross = key.starts_with("fig:") || key.starts_with("tbl:");
            (!key.is_empty() && !cross).then(|| CiteItem { key: key.to_string(), locator })
        })
        .collect()
}

/// Finds the next `{{…}}`, `@fig:id` / `@tbl:id` or `[^label]` in `text` from `from`.
fn next_token(text: &str, from: usize) -> Option<(Range<usize>, Token)> {
    let mut at = from;
    while let Some(found) = text[at..].find(['{', '@', '[']).map(|i| at + i) {
        let rest = &text[found..];
        if let Some(inner) = rest.strip_prefix("{{") {
            if let Some(end) = inner.find("}}") {
                return Some((found..found + 2 + end + 2, Token::Data(inner[..end].trim().to_string())));
            }
        } else if let Some(after) = rest.strip_prefix('@') {
            for kind in ["fig:", "tbl:"] {
                if let Some(id_part) = after.strip_prefix(kind) {
                    let id_len: usize = id_part.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').map(char::len_utf8).sum();
                    if id_len > 0 {
                        let length = 1 + kind.len() + id_len;
                        return Some((found..found + length, Token::Cross(rest[1..length].to_string())));
                    }
                }
            }
        } else if let Some(inner) = rest.strip_prefix("[@")
            && let Some(end) = inner.find(']')
            && let Some(items) = citation_items(&rest[1..2 + end])
        {
            return Some((found..found + 2 + end + 1, Token::Cite(items)));
        } else if let Some(inner) = rest.strip_prefix("[^")
            && let Some(end) = inner.find(']')
        {
            let label = &inner[..end];
            if !label.is_empty() && !label.contains(char::is_whitespace) {
                return Some((found..found + 2 + end + 1, Token::Note(label.to_string())));
            }
        }
        at = found + 1;
    }
    None
}

/// A tab inside text is a space; so are the Unicode line and paragraph separators (a tab
/// after a separator reached the PDF as a glyph no font has).
fn plain_spaces(text: &str) -> String {
    text.replace(['\t', '\u{2028}', '\u{2029}'], " ")
}

/// The scheme of a link address that no edition may carry (a local file, a script), or
/// `None` for web, e-mail and telephone addresses and relative links.
pub(crate) fn refused_scheme(url: &str) -> Option<String> {
    let (scheme, _) = url.trim().split_once(':')?;
    let is_scheme =
        scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    let scheme = scheme.to_ascii_lowercase();
    (is_scheme && !matches!(scheme.as_str(), "http" | "https" | "mailto" | "tel")).then_some(scheme)
}

/// Whether `text` (trimmed) is an image's attributes: its explicit id `{#fig:id}`, the
/// class `{.bleed}` (a full-page picture, to the page's edges), or both (`{#fig:id .bleed}`);
/// returns the id (empty when none is given) and whether it bleeds.
fn image_attributes(text: &str) -> Option<(&str, bool)> {
    let inner = text.trim().strip_prefix('{')?.strip_suffix('}')?;
    let (mut id, mut bleed) = ("", false);
    for word in inner.split_whitespace() {
        match word.strip_prefix("#fig:") {
            Some(name) if id.is_empty() && !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') => id = name,
            Some(_) => return None,
            None if word == ".bleed" && !bleed => bleed = true,
            None => return None,
        }
    }
    (!id.is_empty() || bleed).then_some((id, bleed))
}

impl<'a> BlockParser<'a, '_, '_> {
    fn line_of(&self, offset: usize) -> usize {
        let index = self.line_starts.partition_point(|&start| start <= offset);
        self.first_line + index.saturating_sub(1)
    }

    fn pos(&self, offset: usize) -> SourcePos {
        SourcePos { file: self.file.clone(), line: self.line_of(offset) }
    }

    /// The line and column (in characters) of a byte offset of the text.
    fn place(&self, offset: usize) -> Place {
        let index = self.line_starts.partition_point(|&start| start <= offset).saturating_sub(1);
        let start = self.line_starts.get(index).copied().unwrap_or(0);
        let end = self.source.floor_char_boundary(offset.min(self.source.len()));
        let column = self.source.get(start..end).map_or(0, |s| s.chars().count()) + 1 + self.column_offsets.get(index).copied().unwrap_or(0);
        Place { line: self.first_line + index, column }
    }

    /// For each line of `content`, a fenced block's text as pulldown-cmark gives it (the
    /// quote markers and the fence's indentation taken off) starting at byte `content_start`
    /// of this text: how many characters of its line in the file come before it.
    fn nested_offsets(&self, content: &str, content_start: usize) -> Vec<usize> {
        let first = self.line_starts.partition_point(|&start| start <= content_start).saturating_sub(1);
        content
            .split('\n')
            .enumerate()
            .map(|(i, line)| {
                let index = first + i;
                let start = self.line_starts.get(index).copied().unwrap_or(self.source.len());
                let end = self.line_starts.get(index + 1).map_or(self.source.len(), |next| next - 1);
                let original = self.source.get(start..end).unwrap_or("");
                let removed = if original.ends_with(line) { original.chars().count() - line.chars().count() } else { 0 };
                self.column_offsets.get(index).copied().unwrap_or(0) + removed
            })
            .collect()
    }

    fn error(&mut self, offset: usize, message: impl Into<String>, hint: impl Into<String>) {
        let diagnostic = Diagnostic::error(self.root.join(&self.file), message).at_line(self.line_of(offset)).with_hint(hint);
        self.context.diagnostics.push(diagnostic);
    }

    fn next(&mut self) -> Option<(Event<'a>, Range<usize>)> {
        let event = self.events.get(self.position).cloned();
        self.position += 1;
        event
    }

    /// Skips events up to and including the end of the construct just started.
    fn skip_to_end(&mut self, end: TagEnd) {
        let mut depth = 0usize;
        while let Some((event, _)) = self.next() {
            match event {
                Event::Start(tag) if TagEnd::from(tag.clone()) == end => depth += 1,
                Event::End(e) if e == end => {
                    if depth == 0 {
                        return;
                    }
                    depth -= 1;
                }
                _ => {}
            }
        }
    }

    /// Whether a nested construct starting at `offset` would be too deep; if so, reports
    /// it and skips the construct.
    fn too_deep(&mut self, offset: usize, end: TagEnd) -> bool {
        if self.depth < MAX_BLOCK_DEPTH {
            return false;
        }
        self.error(
            offset,
            format!("quotes, lists and sidebars are nested more than {MAX_BLOCK_DEPTH} deep here"),
            "flatten the structure: a report rarely needs more than three levels",
        );
        self.skip_to_end(end);
        true
    }

    /// Reads blocks inside a quote, list item or sidebar, one level deeper.
    fn nested_blocks(&mut self, until: TagEnd) -> Vec<Block> {
        self.depth += 1;
        let blocks = self.blocks(Some(until));
        self.depth -= 1;
        blocks
    }

    /// Reads blocks until `until` ends the enclosing construct (or the text ends).
    fn blocks(&mut self, until: Option<TagEnd>) -> Vec<Block> {
        let mut blocks = Vec::new();
        while let Some((event, range)) = self.next() {
            let source = self.pos(range.start);
            match event {
                Event::End(end) if Some(end) == until => break,
                Event::Start(Tag::BlockQuote(kind)) if self.too_deep(range.start, TagEnd::BlockQuote(kind)) => {}
                Event::Start(Tag::List(start)) if self.too_deep(range.start, TagEnd::List(start.is_some())) => {}
                Event::Start(Tag::Paragraph) => {
                    let content = self.inlines(TagEnd::Paragraph);
                    blocks.extend(self.paragraph(content, source));
                }
                Event::Start(Tag::Heading { level, .. }) => {
                    let content = self.inlines(TagEnd::Heading(level));
                    let mut text = String::new();
                    plain_text_of(&content, &mut text);
                    if text.trim().is_empty() {
                        // An empty heading would be an empty bookmark, which PDF/UA refuses.
                        self.error(range.start, "this heading has no text", "write the heading after the `#`, or remove the line");
                        continue;
                    }
                    blocks.push(Block { kind: BlockKind::Heading { level: heading_level(level), content }, source });
                }
                Event::Start(Tag::BlockQuote(kind)) => {
                    let inner = self.nested_blocks(TagEnd::BlockQuote(kind));
                    blocks.push(Block { kind: BlockKind::Quote { blocks: inner }, source });
                }
                Event::Start(Tag::List(start)) => {
                    let items = self.list_items(TagEnd::List(start.is_some()));
                    let kind = BlockKind::List { ordered: start.is_some(), start: start.unwrap_or(1), items };
                    blocks.push(Block { kind, source });
                }
                Event::Start(Tag::Item) => {
                    // Only reached for malformed nesting; treat the item's blocks as body.
                    blocks.extend(self.blocks(Some(TagEnd::Item)));
                }
                Event::Start(Tag::CodeBlock(kind)) => {
                    if let Some(block) = self.code_block(kind, range, source) {
                        blocks.push(block);
                    }
                }
                Event::Start(Tag::FootnoteDefinition(label)) => {
                    let inner = self.blocks(Some(TagEnd::FootnoteDefinition));
                    let mut content = Vec::new();
                    for (index, block) in inner.into_iter().enumerate() {
                        if let BlockKind::Paragraph { lead, content: text } = block.kind {
                            if index > 0 {
                                content.push(Inline::LineBreak);
                            }
                            content.extend(lead.into_iter().flatten());
                            content.extend(text);
                        }
                    }
                    blocks.push(Block { kind: BlockKind::NoteDefinition { label: label.to_string(), content }, source });
                }
                Event::Start(Tag::HtmlBlock) => {
                    self.error(
                        range.start,
                        "raw HTML is not supported in the manuscript",
                        "write the text as plain Markdown; HTML would only reach the EPUB and never the PDF",
                    );
                    self.skip_to_end(TagEnd::HtmlBlock);
                }
                Event::Start(Tag::Table(_)) => {
                    self.error(
                        range.start,
                        "Markdown pipe tables are not supported",
                        "put the figures in a data table under data/ and place it with a table directive",
                    );
                    self.skip_to_end(TagEnd::Table);
                }
                Event::Start(tag) => {
                    let end = TagEnd::from(tag);
                    self.error(range.start, "this Markdown construct is not supported here", "use paragraphs, headings, lists, quotes, footnotes or a sidebar");
                    self.skip_to_end(end);
                }
                Event::Rule => blocks.push(Block { kind: BlockKind::Rule, source }),
                Event::Html(_) | Event::InlineHtml(_) => {
                    self.error(range.start, "raw HTML is not supported in the manuscript", "remove the HTML tag");
                }
                Event::End(_) => {}
                Event::Text(_) | Event::Code(_) | Event::SoftBreak | Event::HardBreak => {
                    // Loose inline content at block level (e.g. in a tight list item).
                    self.position -= 1;
                    let content = self.loose_inlines();
                    blocks.extend(self.paragraph(content, source));
                }
                Event::FootnoteReference(_) | Event::TaskListMarker(_) | Event::InlineMath(_) | Event::DisplayMath(_) => {
                    self.position -= 1;
                    let content = self.loose_inlines();
                    blocks.extend(self.paragraph(content, source));
                }
            }
        }
        blocks
    }

    fn list_items(&mut self, end: TagEnd) -> Vec<Vec<Block>> {
        let mut items = Vec::new();
        while let Some((event, _)) = self.next() {
            match event {
                Event::End(e) if e == end => break,
                Event::Start(Tag::Item) => items.push(self.nested_blocks(TagEnd::Item)),
                _ => {}
            }
        }
        items
    }

    fn code_block(&mut self, kind: CodeBlockKind<'a>, range: Range<usize>, source: SourcePos) -> Option<Block> {
        // Collect the literal content of the fence.
        let mut content = String::new();
        let mut content_start = None;
        while let Some((event, inner)) = self.next() {
            match event {
                Event::End(TagEnd::CodeBlock) => break,
                Event::Text(text) => {
                    content_start.get_or_insert(inner.start);
                    content.push_str(&text);
                }
                _ => {}
            }
        }
        let info = match &kind {
            CodeBlockKind::Fenced(info) => info.trim().to_string(),
            CodeBlockKind::Indented => {
                self.error(
                    range.start,
                    "indented text is read as a code block",
                    "remove the leading spaces or tab: paragraph indentation is added by the design",
                );
                return None;
            }
        };
        let (directive, argument) = match info.split_once(char::is_whitespace) {
            Some((directive, argument)) => (directive, argument.trim()),
            None => (info.as_str(), ""),
        };
        match directive {
            "sidebar" => {
                let first_line = match content_start {
                    Some(offset) => self.line_of(offset),
                    None => source.line + 1,
                };
                if self.depth >= MAX_BLOCK_DEPTH {
                    self.error(range.start, format!("quotes, lists and sidebars are nested more than {MAX_BLOCK_DEPTH} deep here"), "flatten the structure");
                    return None;
                }
                let file = self.file.clone();
                let offsets = content_start.map(|offset| self.nested_offsets(&content, offset)).unwrap_or_default();
                let inner = parse_nested(&content, self.context, self.root, &file, (first_line, offsets), self.depth + 1);
                Some(Block { kind: BlockKind::Sidebar { title: argument.to_string(), blocks: inner }, source })
            }
            "table" | "chart" => {
                let first_line = content_start.map_or(source.line + 1, |offset| self.line_of(offset));
                let result = if directive == "table" {
                    directives::table_block(&content, self.context.data)
                } else {
                    let stem: String = self.file.to_string_lossy().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
                    directives::chart_block(&content, self.context.data, &format!("chart-{stem}-{}", source.line))
                };
                match result {
                    Ok(built) => {
                        for note in built.notes {
                            self.context.diagnostics.push(Diagnostic::warning(self.root.join(&self.file), format!("{directive}: {note}")).at_line(source.line));
                        }
                        Some(Block { kind: built.kind, source })
                    }
                    Err(mut error) => {
                        // The directive's id still names a target: references to it are not
                        // reported again.
                        if let Some(target) = directives::declared_target(directive, &content) {
                            self.context.failed_targets.insert(target);
                        }
                        error.line = Some(error.line.map_or(source.line, |l| first_line + l - 1));
                        error.file = self.root.join(&self.file);
                        error.message = format!("{directive} directive: {}", error.message);
                        if error.hint.is_none() {
                            error.hint = Some("see README.md, \"Data, tables and charts\"; names must match data/<table>.toml".into());
                        }
                        self.context.diagnostics.push(error);
                        None
                    }
                }
            }
            other => {
                let what = if other.is_empty() { "a code block".to_string() } else { format!("a fenced block of kind `{other}`") };
                self.error(range.start, format!("{what} is not supported"), "the supported fenced blocks are ```sidebar, ```table and ```chart");
                None
            }
        }
    }

    /// Turns a paragraph's inlines (and any image read with them) into a block. An image
    /// must stand alone, or be followed only by its explicit id (`{#fig:id}`).
    fn paragraph(&mut self, content: Vec<Inline>, source: SourcePos) -> Option<Block> {
        let mut images = std::mem::take(&mut self.images);
        if images.len() == 1 {
            let mut text = String::new();
            plain_text_of(&content, &mut text);
            let only_text = content.iter().all(|inline| matches!(inline, Inline::Text { .. }));
            let attributes = if only_text { image_attributes(&text).map(|(id, bleeds)| (id.to_string(), bleeds)) } else { None };
            if let (Some((id, bleeds)), Some((BlockKind::Image { anchor, bleed, .. }, _))) = (attributes, images.first_mut()) {
                *anchor = id;
                *bleed = bleeds;
                return images.pop().map(|(kind, _)| Block { kind, source });
            }
        }
        let kind = paragraph_kind(content);
        match (images.len(), kind) {
            (0, kind) => kind.map(|kind| Block { kind, source }),
            (1, None) => images.pop().map(|(kind, _)| Block { kind, source }),
            (_, _) => {
                let offset = images[0].1;
                self.error(
                    offset,
                    "an image must stand alone in its own paragraph",
                    "put a blank line before and after the image (an id may follow it: ![…](…){#fig:id}, and `.bleed` for a full-page picture: {#fig:id .bleed})",
                );
                None
            }
        }
    }

    /// Reads inline events until `end`.
    fn inlines(&mut self, end: TagEnd) -> Vec<Inline> {
        self.soft_break_pending = false;
        self.last_char = None;
        self.inline_run(Some(end))
    }

    /// Reads inline events until the next block-level event (tight list items).
    fn loose_inlines(&mut self) -> Vec<Inline> {
        self.soft_break_pending = false;
        self.last_char = None;
        self.inline_run(None)
    }

    /// Reads a strong, emphasis or link run, one level deeper.
    fn nested_inlines(&mut self, end: TagEnd) -> Vec<Inline> {
        self.inline_depth += 1;
        let content = self.inline_run(Some(end));
        self.inline_depth -= 1;
        content
    }

    /// Reads one run of inline content (until `end`, or the next block with `None`) and
    /// finishes it: references split out of the text, unmatched `**` pairs made strong.
    fn inline_run(&mut self, end: Option<TagEnd>) -> Vec<Inline> {
        let mut out: Vec<Piece> = Vec::new();
        let mut pending = PendingText::default();
        while let Some((event, range)) = self.next() {
            if !matches!(event, Event::Text(_) | Event::SoftBreak) {
                self.flush(&mut pending, &mut out);
            }
            match event {
                Event::End(e) if Some(e) == end => break,
                Event::Text(text) => {
                    // An escaped `\*` differs from its source slice and stays literal.
                    let literal = self.source.get(range.clone()) == Some(&*text);
                    if literal && text.chars().all(|c| c == '*') {
                        self.resolve_soft_break(&mut pending, Some('*'));
                        self.flush(&mut pending, &mut out);
                        // CommonMark hands over a run of unmatched `*` one at a time.
                        match out.last_mut() {
                            Some(Piece::Stars(count)) => *count += text.len(),
                            _ => out.push(Piece::Stars(text.len())),
                        }
                    } else {
                        self.resolve_soft_break(&mut pending, text.chars().next());
                        if let Some(last) = text.chars().last() {
                            self.last_char = Some(last);
                        }
                        pending.push(&text, range.start, literal);
                    }
                }
                Event::Code(text) => {
                    self.resolve_soft_break(&mut pending, text.chars().next());
                    self.flush(&mut pending, &mut out);
                    self.last_char = text.chars().last().or(self.last_char);
                    out.push(Piece::Inline(Inline::Code { text: text.to_string() }));
                }
                Event::SoftBreak => self.soft_break_pending = true,
                Event::HardBreak => {
                    self.soft_break_pending = false;
                    self.last_char = None;
                    out.push(Piece::Inline(Inline::LineBreak));
                }
                Event::Start(tag @ (Tag::Strong | Tag::Emphasis | Tag::Link { .. })) if self.inline_depth >= MAX_INLINE_DEPTH => {
                    self.error(
                        range.start,
                        format!("emphasis, strong text and links are nested more than {MAX_INLINE_DEPTH} deep here"),
                        "remove the extra `*`, `_` or brackets",
                    );
                    self.skip_to_end(TagEnd::from(tag));
                }
                Event::Start(Tag::Strong) => {
                    self.resolve_soft_break(&mut pending, None);
                    self.flush(&mut pending, &mut out);
                    let content = self.nested_inlines(TagEnd::Strong);
                    out.push(Piece::Inline(Inline::Strong { content }));
                }
                Event::Start(Tag::Emphasis) => {
                    self.resolve_soft_break(&mut pending, None);
                    self.flush(&mut pending, &mut out);
                    let content = self.nested_inlines(TagEnd::Emphasis);
                    out.push(Piece::Inline(Inline::Emphasis { content }));
                }
                Event::Start(Tag::Link { dest_url, .. }) => {
                    if dest_url.trim().is_empty() {
                        self.error(range.start, "this link has no address", "write the address in the parentheses: [text](https://…), or remove the brackets");
                    } else if let Some(scheme) = refused_scheme(&dest_url) {
                        self.error(
                            range.start,
                            format!("a link to a `{scheme}:` address cannot be followed by readers of the PDF or the EPUB"),
                            "link to a web address (https://…), an e-mail address (mailto:…) or a telephone number (tel:…)",
                        );
                    }
                    self.resolve_soft_break(&mut pending, None);
                    self.flush(&mut pending, &mut out);
                    let content = self.nested_inlines(TagEnd::Link);
                    out.push(Piece::Inline(Inline::Link { url: dest_url.to_string(), content }));
                }
                Event::Start(Tag::Image { dest_url, title, .. }) => {
                    let alt = self.inline_run(Some(TagEnd::Image));
                    let mut alt_text = String::new();
                    plain_text_of(&alt, &mut alt_text);
                    if alt_text.trim().is_empty() {
                        self.error(
                            range.start,
                            "this image has no alt text",
                            "describe the image in the brackets, ![what it shows](path): readers who cannot see it (and PDF/UA) need it",
                        );
                    }
                    let path = self.checked_image_path(&dest_url, range.start);
                    let caption = self.caption_of(&title, range.clone());
                    self.images.push((
                        BlockKind::Image { path, alt: alt_text, caption, number: 0, label: String::new(), anchor: String::new(), bleed: false },
                        range.start,
                    ));
                }
                Event::FootnoteReference(label) => {
                    let at = self.place(range.start);
                    out.push(Piece::Inline(Inline::Note { number: 0, content: Vec::new(), label: label.to_string(), at }));
                }
                Event::InlineHtml(_) | Event::Html(_) => {
                    self.error(range.start, "raw HTML is not supported in the manuscript", "remove the HTML tag");
                }
                Event::InlineMath(text) | Event::DisplayMath(text) => pending.push(&text, range.start, false),
                Event::TaskListMarker(done) => pending.push(if done { "☑ " } else { "☐ " }, range.start, false),
                // Loose text of a tight list item ends where a block starts (a nested list).
                Event::Start(ref tag) if end.is_none() && is_block(tag) => {
                    self.position -= 1;
                    break;
                }
                Event::Start(tag) => {
                    let tag_end = TagEnd::from(tag);
                    self.error(range.start, "this Markdown construct is not supported inside text", "use strong, emphasis, links, code or footnotes");
                    self.skip_to_end(tag_end);
                }
                Event::End(_) | Event::Rule if end.is_none() => {
                    self.position -= 1;
                    break;
                }
                Event::End(_) | Event::Rule => {}
            }
        }
        self.flush(&mut pending, &mut out);
        pair_strong_marks(out)
    }

    /// Splits pending text into text and the references written in it.
    fn flush(&mut self, pending: &mut PendingText, out: &mut Vec<Piece>) {
        let pending = std::mem::take(pending);
        let text = pending.text.as_str();
        let mut from = 0;
        let mut search = 0;
        let mut citations = Vec::new();
        while let Some((range, token)) = next_token(text, search) {
            // A reference whose first character was escaped (`\{{`, `\@`, `\[`) stays text:
            // the parser drops the backslash, which then stands just before it in the source
            // but not in the text (`\\{{` is a literal backslash before a reference).
            let (source, literal) = pending.source_of(range.start);
            let escaped = source > 0 && self.source.as_bytes().get(source - 1) == Some(&b'\\') && !text[..range.start].ends_with('\\');
            if !literal || escaped {
                search = range.start + 1;
                continue;
            }
            push_text(out, &plain_spaces(&text[from..range.start]));
            if matches!(token, Token::Cite(_)) {
                citations.push(range.start);
            }
            let at = self.place(source);
            out.push(Piece::Inline(match token {
                Token::Data(reference) => Inline::DataRef { reference, value: None, at },
                Token::Cross(target) => Inline::Ref { target, text: String::new(), at },
                Token::Note(label) => Inline::Note { number: 0, content: Vec::new(), label, at },
                Token::Cite(items) => Inline::Citation { text: String::new(), superscript: false, target: String::new(), id: String::new(), items, at },
            }));
            from = range.end;
            search = range.end;
        }
        push_text(out, &plain_spaces(&text[from..]));
        // `[@` that starts no citation (`[@e*f]`: the `*` ends the text, so no `]` follows)
        // would print literally: it is an error at its place, not a silent misprint.
        for (at, _) in text.match_indices("[@") {
            let (source, literal) = pending.source_of(at);
            let escaped = source > 0 && self.source.as_bytes().get(source - 1) == Some(&b'\\');
            let cross = text[at + 1..].starts_with("@fig:") || text[at + 1..].starts_with("@tbl:");
            // `[@ 空]`, `[@]`: no key begins, so nothing was meant as a citation.
            let key_begins = text[at + 2..].chars().next().is_some_and(|c| !c.is_whitespace() && c != ']');
            if literal && !escaped && !cross && key_begins && !citations.contains(&at) {
                let written: String = self.source[source..].chars().take_while(|c| *c != '\n').take(40).collect();
                let written = written.split_inclusive(']').next().unwrap_or(&written).to_string();
                self.error(
                    source,
                    format!("`{written}` is not a citation: a citation is [@key], [@key, 第12页] or [@a; @b], its key without spaces or Markdown marks (`*`, `_`, `` ` ``)"),
                    "correct the key, or write \\[@ for a literal bracket and at sign",
                );
            }
        }
    }

    /// An image's caption (its title), with the references written in it.
    fn caption_of(&mut self, title: &str, image: Range<usize>) -> Vec<Inline> {
        if title.is_empty() {
            return Vec::new();
        }
        // The title as written, where the source has it (no escapes), for exact columns.
        let written = self.source.get(image.clone()).and_then(|s| s.rfind(title)).map(|at| image.start + at);
        let mut pending = PendingText::default();
        pending.push(title, written.unwrap_or(image.start), written.is_some());
        let mut pieces = Vec::new();
        self.flush(&mut pending, &mut pieces);
        pair_strong_marks(pieces)
    }

    /// Adds the space a pending soft break stands for to `pending`, unless CJK text is on
    /// either side (`next` is the character that follows it, when known).
    fn resolve_soft_break(&mut self, pending: &mut PendingText, next: Option<char>) {
        if !std::mem::take(&mut self.soft_break_pending) {
            return;
        }
        let joins_cjk = self.last_char.is_some_and(is_cjk) || next.is_some_and(is_cjk);
        if !joins_cjk {
            let at = pending.spans.last().map_or(0, |&(_, source, _)| source);
            pending.push(" ", at, false);
        }
    }

    /// Checks that an image path stays inside the manuscript directory.
    fn checked_image_path(&mut self, dest: &str, offset: usize) -> PathBuf {
        let path = Path::new(dest);
        let escapes = path.is_absolute() || dest.contains("://") || path.components().any(|c| matches!(c, std::path::Component::ParentDir));
        if escapes {
            self.error(
                offset,
                format!("image path `{dest}` leaves the manuscript directory"),
                "put the image inside the manuscript directory and give a relative path such as images/photo.jpg",
            );
            return PathBuf::new();
        }
        let full = self.root.join(path);
        match (full.canonicalize(), self.root.canonicalize()) {
            (Ok(real), Ok(root)) if real.starts_with(&root) => match validate_image(&real, path) {
                Ok(()) => path.to_path_buf(),
                Err(problem) => {
                    self.error(offset, format!("image `{dest}` {}", problem.message), problem.hint.unwrap_or_default());
                    PathBuf::new()
                }
            },
            (Ok(_), _) => {
                self.error(
                    offset,
                    format!("image `{dest}` is a link that points outside the manuscript directory"),
                    "copy the image into the manuscript directory",
                );
                PathBuf::new()
            }
            (Err(error), _) => {
                self.error(offset, format!("image `{dest}` cannot be read: {error}"), "check the image's file name");
                PathBuf::new()
            }
        }
    }
}

/// Whether a tag opens a block (as opposed to inline content).
fn is_block(tag: &Tag<'_>) -> bool {
    matches!(
        tag,
        Tag::Paragraph
            | Tag::Heading { .. }
            | Tag::BlockQuote(_)
            | Tag::CodeBlock(_)
            | Tag::HtmlBlock
            | Tag::List(_)
            | Tag::Item
            | Tag::FootnoteDefinition(_)
            | Tag::Table(_)
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::MetadataBlock(_)
    )
}

/// Appends text to the last text element, or starts a new one.
fn append_text(out: &mut Vec<Inline>, text: &str) {
    if let Some(Inline::Text { text: last }) = out.last_mut() {
        last.push_str(text);
    } else {
        out.push(Inline::Text { text: text.to_string() });
    }
}

/// Appends text to the last text piece, or starts a new one.
fn push_text(out: &mut Vec<Piece>, text: &str) {
    if text.is_empty() {
        return;
    }
    if let Some(Piece::Inline(Inline::Text { text: last })) = out.last_mut() {
        last.push_str(text);
    } else {
        out.push(Piece::Inline(Inline::Text { text: text.to_string() }));
    }
}

/// Finishes a run: pairs of unmatched `**` become strong text. CommonMark does not match
/// `**生态立市。**全市…` because the closing run follows punctuation and precedes a letter;
/// Chinese writers write exactly that, so the pairs are matched here. An odd last `**`
/// and a lone `*` print as written.
fn pair_strong_marks(pieces: Vec<Piece>) -> Vec<Inline> {
    let marks: usize = pieces.iter().map(|piece| if let Piece::Stars(count) = piece { count / 2 } else { 0 }).sum();
    let usable = marks - marks % 2;
    let mut seen = 0;
    let mut out: Vec<Inline> = Vec::new();
    let mut strong: Option<Vec<Inline>> = None;
    for piece in pieces {
        match piece {
            Piece::Inline(Inline::Text { text }) => append_text(strong.as_mut().unwrap_or(&mut out), &text),
            Piece::Inline(other) => strong.as_mut().unwrap_or(&mut out).push(other),
            Piece::Stars(count) => {
                for _ in 0..count / 2 {
                    seen += 1;
                    if seen > usable {
                        append_text(strong.as_mut().unwrap_or(&mut out), "**");
                    } else if let Some(content) = strong.take() {
                        out.push(Inline::Strong { content });
                    } else {
                        strong = Some(Vec::new());
                    }
                }
                if count % 2 == 1 {
                    append_text(strong.as_mut().unwrap_or(&mut out), "*");
                }
            }
        }
    }
    out.extend(strong.into_iter().flatten());
    out
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Sentence punctuation that makes a bold opening phrase a run-in head.
const RUN_IN_ENDINGS: &[char] = &['。', '！', '？', '：', '.', '!', '?', ':'];

/// Classifies a paragraph's text: a bold opening phrase ending in sentence punctuation
/// becomes the run-in head.
fn paragraph_kind(mut content: Vec<Inline>) -> Option<BlockKind> {
    trim_edges(&mut content);
    if content.is_empty() {
        return None;
    }
    let is_lead = match content.first() {
        Some(Inline::Strong { content: strong }) if content.len() > 1 => {
            let mut text = String::new();
            plain_text_of(strong, &mut text);
            text.trim_end().ends_with(RUN_IN_ENDINGS)
        }
        _ => false,
    };
    if is_lead {
        let Inline::Strong { content: lead } = content.remove(0) else { unreachable!("checked above") };
        trim_edges(&mut content);
        return Some(BlockKind::Paragraph { lead: Some(lead), content });
    }
    Some(BlockKind::Paragraph { lead: None, content })
}

/// Removes leading and trailing white space of a paragraph.
fn trim_edges(content: &mut Vec<Inline>) {
    if let Some(Inline::Text { text }) = content.first_mut() {
        *text = text.trim_start().to_string();
    }
    if let Some(Inline::Text { text }) = content.last_mut() {
        *text = text.trim_end().to_string();
    }
    content.retain(|inline| !matches!(inline, Inline::Text { text } if text.is_empty()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_image_may_be_named_and_marked_as_bleeding() {
        assert_eq!(image_attributes("{#fig:map}"), Some(("map", false)));
        assert_eq!(image_attributes(" {#fig:map .bleed} "), Some(("map", true)));
        assert_eq!(image_attributes("{.bleed}"), Some(("", true)));
        for not_attributes in ["{}", "{.bleed .bleed}", "{#fig:a #fig:b}", "{#fig:}", "{.wide}", "{#tbl:a}", "#fig:a"] {
            assert_eq!(image_attributes(not_attributes), None, "{not_attributes}");
        }
    }

    fn parse_str(text: &str) -> (Vec<Block>, Diagnostics) {
        let mut diagnostics = Diagnostics::default();
        let mut failed_targets = BTreeSet::new();
        let data = DataSet::default();
        let mut context = ParseContext { data: &data, diagnostics: &mut diagnostics, failed_targets: &mut failed_targets };
        let mut blocks = parse(text, &mut context, Path::new("/m"), Path::new("t.md"));
        super::super::footnotes::resolve(&mut blocks, Path::new("/m"), &mut diagnostics);
        (blocks, diagnostics)
    }

    fn place(line: usize, column: usize) -> Place {
        Place { line, column }
    }

    fn paragraph_text(block: &Block) -> String {
        let mut out = String::new();
        if let BlockKind::Paragraph { lead, content } = &block.kind {
            if let Some(lead) = lead {
                crate::model::plain_text_of(lead, &mut out);
            }
            crate::model::plain_text_of(content, &mut out);
        }
        out
    }

    #[test]
    fn line_break_between_chinese_characters_is_not_a_space() {
        let (blocks, _) = parse_str("江南之南，河畔古县，\n隶属于长江中游的某个城市\n2021年\nGDP grows\nfast");
        assert_eq!(paragraph_text(&blocks[0]), "江南之南，河畔古县，隶属于长江中游的某个城市2021年GDP grows fast");
    }

    #[test]
    fn line_break_after_bold_chinese_is_not_a_space() {
        let (blocks, _) = parse_str("**生态立市。**\n全市坚持");
        let BlockKind::Paragraph { lead, content } = &blocks[0].kind else { panic!("not a paragraph") };
        assert!(lead.is_some());
        assert_eq!(content, &vec![Inline::Text { text: "全市坚持".into() }]);
    }

    #[test]
    fn bold_run_in_head_before_chinese_text_is_recognised() {
        // CommonMark alone leaves these `**` unmatched (closing run after 。, before 全).
        let (blocks, _) = parse_str("**生态立市。**全市坚持生态优先。");
        let BlockKind::Paragraph { lead, content } = &blocks[0].kind else { panic!("not a paragraph") };
        assert_eq!(lead, &Some(vec![Inline::Text { text: "生态立市。".into() }]));
        assert_eq!(content, &vec![Inline::Text { text: "全市坚持生态优先。".into() }]);
    }

    #[test]
    fn escaped_and_unpaired_stars_stay_literal() {
        let (blocks, _) = parse_str("乘号\\*\\*不是粗体，单个**也不是。");
        assert_eq!(paragraph_text(&blocks[0]), "乘号**不是粗体，单个**也不是。");
    }

    #[test]
    fn bold_without_sentence_end_is_not_a_run_in_head() {
        let (blocks, _) = parse_str("**重要**的是");
        let BlockKind::Paragraph { lead, .. } = &blocks[0].kind else { panic!("not a paragraph") };
        assert!(lead.is_none());
    }

    /// The places of the data references in `blocks`, depth first.
    fn data_ref_places(blocks: &[Block]) -> Vec<Place> {
        let mut places = Vec::new();
        crate::model::walk::inlines(blocks, &mut |inline, _| {
            if let Inline::DataRef { at, .. } = inline {
                places.push(*at);
            }
        });
        places
    }

    #[test]
    fn a_place_inside_an_indented_or_quoted_sidebar_counts_the_characters_before_it() {
        // The fence's indentation and the quote markers are taken off the sidebar's text
        // before it is parsed; the column is still the file's.
        let (blocks, _) = parse_str(" ```sidebar 框\n {{t.甲.无}}\n ```\n");
        assert_eq!(data_ref_places(&blocks), vec![place(2, 2)]);
        let (blocks, _) = parse_str("> ```sidebar 框\n> 看{{t.a.b}}\n>   再看{{t.c.d}}\n> ```\n");
        assert_eq!(data_ref_places(&blocks), vec![place(2, 4), place(3, 7)]);
    }

    #[test]
    fn sidebar_fence_parses_markdown_with_true_line_numbers() {
        let (blocks, diagnostics) = parse_str("正文。\n\n```sidebar 项目\n第一段。\n\n第二段。\n```\n");
        assert!(!diagnostics.has_errors());
        let BlockKind::Sidebar { title, blocks: inner } = &blocks[1].kind else { panic!("no sidebar") };
        assert_eq!(title, "项目");
        assert_eq!(inner.len(), 2);
        assert_eq!(inner[0].source.line, 4);
        assert_eq!(inner[1].source.line, 6);
    }

    #[test]
    fn footnotes_are_numbered_and_filled() {
        let (blocks, diagnostics) = parse_str("正文[^a]。\n\n[^a]: 注释。\n");
        assert!(!diagnostics.has_errors());
        let BlockKind::Paragraph { content, .. } = &blocks[0].kind else { panic!() };
        let note = Inline::Note { number: 1, content: vec![Inline::Text { text: "注释。".into() }], label: "a".into(), at: place(1, 3) };
        assert!(content.contains(&note), "{content:?}");
    }

    #[test]
    fn missing_footnote_definition_is_an_error_with_line() {
        let (_, diagnostics) = parse_str("第一行\n\n正文[^x]。\n");
        assert!(diagnostics.has_errors());
        assert_eq!(diagnostics.0[0].line, Some(3));
    }

    #[test]
    fn unsupported_constructs_are_errors_with_lines() {
        let (_, diagnostics) = parse_str("正文\n\n<div>x</div>\n\n```python\nx\n```\n\n    缩进\n");
        let lines: Vec<_> = diagnostics.0.iter().map(|d| d.line).collect();
        assert_eq!(lines, vec![Some(3), Some(5), Some(9)]);
    }

    #[test]
    fn nested_tight_lists_are_lists() {
        let (blocks, diagnostics) = parse_str("- 一\n  - 二\n    - 三\n- 四\n");
        assert!(!diagnostics.has_errors(), "{diagnostics}");
        let BlockKind::List { items, .. } = &blocks[0].kind else { panic!("not a list: {blocks:?}") };
        assert_eq!(items.len(), 2);
        assert!(matches!(items[0][1].kind, BlockKind::List { .. }), "{:?}", items[0]);
    }

    #[test]
    fn a_bracket_and_at_sign_that_start_no_citation_are_an_error_at_their_line() {
        let (_, diagnostics) = parse_str("正文。\n\n又见[@e*f]。\n");
        assert_eq!(diagnostics.0.len(), 1, "{diagnostics}");
        assert_eq!(diagnostics.0[0].line, Some(3));
        assert!(diagnostics.0[0].message.contains("`[@e*f]` is not a citation"), "{diagnostics}");
        let (_, fine) = parse_str("见[@a]与\\[@e*f]，[@ 空]。\n");
        assert!(!fine.has_errors(), "{fine}");
    }

    #[test]
    fn citations_become_model_elements_with_their_items_and_columns() {
        let (blocks, diagnostics) = parse_str("见文献[@a]，另见[@b, 第12页]与[@c; @d, pp. 3-5]。\n\n\\[@e] 与 [@fig:x] 和 [@ 空] 不是引用。\n");
        assert!(!diagnostics.has_errors(), "{diagnostics}");
        let mut found = Vec::new();
        crate::model::walk::inlines(&blocks, &mut |inline, _| {
            if let Inline::Citation { items, at, .. } = inline {
                found.push((items.iter().map(|i| (i.key.clone(), i.locator.clone())).collect::<Vec<_>>(), at.line, at.column));
            }
        });
        let item = |key: &str, locator: Option<&str>| (key.to_string(), locator.map(str::to_string));
        assert_eq!(
            found,
            vec![(vec![item("a", None)], 1, 4), (vec![item("b", Some("第12页"))], 1, 11), (vec![item("c", None), item("d", Some("pp. 3-5"))], 1, 22),]
        );
        let BlockKind::Paragraph { content, .. } = &blocks[1].kind else { panic!() };
        let mut text = String::new();
        plain_text_of(content, &mut text);
        // An escaped bracket and `[@ 空]` stay text; `@fig:x` stays a cross-reference (not yet numbered).
        assert_eq!(text, "[@e] 与 [] 和 [@ 空] 不是引用。");
        assert!(content.iter().any(|inline| matches!(inline, Inline::Ref { target, .. } if target == "fig:x")), "{content:?}");
    }

    #[test]
    fn image_path_outside_manuscript_is_refused() {
        let (_, diagnostics) = parse_str("![图](../../etc/passwd \"说明\")\n");
        assert!(diagnostics.has_errors());
        assert!(diagnostics.0[0].message.contains("leaves the manuscript directory"));
    }

    #[test]
    fn references_become_model_elements_with_their_columns() {
        let (blocks, diagnostics) = parse_str("增加值{{gdp.一产.增加值}}亿元，见@fig:gdp-1和@tbl:fin，邮件a@b.c。\n");
        assert!(!diagnostics.has_errors(), "{diagnostics}");
        let BlockKind::Paragraph { content, .. } = &blocks[0].kind else { panic!() };
        assert_eq!(content[1], Inline::DataRef { reference: "gdp.一产.增加值".into(), value: None, at: place(1, 4) });
        assert_eq!(content[3], Inline::Ref { target: "fig:gdp-1".into(), text: String::new(), at: place(1, 22) });
        assert!(matches!(&content[5], Inline::Ref { target, at, .. } if target == "tbl:fin" && *at == place(1, 33)));
        assert_eq!(content[6], Inline::Text { text: "，邮件a@b.c。".into() });
    }

    #[test]
    fn escaped_references_stay_text_and_code_is_literal() {
        let (blocks, _) = parse_str("\\{{a.b.c}}与\\@fig:x和`{{a.b.c}}`\n");
        assert_eq!(paragraph_text(&blocks[0]), "{{a.b.c}}与@fig:x和{{a.b.c}}");
        let BlockKind::Paragraph { content, .. } = &blocks[0].kind else { panic!() };
        assert!(content.iter().all(|i| !matches!(i, Inline::DataRef { .. } | Inline::Ref { .. })), "{content:?}");
    }

    #[test]
    fn private_use_characters_are_text_beside_bold_and_references() {
        let (blocks, diagnostics) = parse_str("\u{E000}**粗\u{E001}**\u{E002}{{t.r.c}}\u{E003}\n");
        assert!(!diagnostics.has_errors(), "{diagnostics}");
        let BlockKind::Paragraph { content, .. } = &blocks[0].kind else { panic!() };
        assert_eq!(content[0], Inline::Text { text: "\u{E000}".into() });
        assert_eq!(content[1], Inline::Strong { content: vec![Inline::Text { text: "粗\u{E001}".into() }] });
        assert_eq!(content[2], Inline::Text { text: "\u{E002}".into() });
        assert!(matches!(&content[3], Inline::DataRef { reference, .. } if reference == "t.r.c"));
        assert_eq!(content[4], Inline::Text { text: "\u{E003}".into() });
    }

    #[test]
    fn footnote_in_a_sidebar_defined_in_the_file_is_a_note() {
        let (blocks, diagnostics) = parse_str("正文。\n\n```sidebar 框\n框内[^a]。\n```\n\n[^a]: 注。\n");
        assert!(!diagnostics.has_errors(), "{diagnostics}");
        let BlockKind::Sidebar { blocks: inner, .. } = &blocks[1].kind else { panic!("{blocks:?}") };
        let BlockKind::Paragraph { content, .. } = &inner[0].kind else { panic!() };
        assert!(matches!(&content[1], Inline::Note { number: 1, content, .. } if content == &vec![Inline::Text { text: "注。".into() }]), "{content:?}");
        assert_eq!(blocks.len(), 2, "the definition is moved into the note");
    }

    #[test]
    fn unmatched_bold_pairs_inside_links_are_paired() {
        let (blocks, _) = parse_str("[**粗体。**后文](https://e.org)\n");
        let BlockKind::Paragraph { content, .. } = &blocks[0].kind else { panic!() };
        let Inline::Link { content: inner, .. } = &content[0] else { panic!("{content:?}") };
        assert!(inner.contains(&Inline::Strong { content: vec![Inline::Text { text: "粗体。".into() }] }), "{inner:?}");
    }

    #[test]
    fn links_to_files_and_scripts_are_refused_at_their_line() {
        let (_, diagnostics) =
            parse_str("甲\n\n[本地](file:///etc/passwd)与[脚本](javascript:alert(1))。\n\n[网](https://e.org)[信](mailto:a@b.c)[相对](a.html)\n");
        let lines: Vec<_> = diagnostics.0.iter().map(|d| (d.line, d.message.contains("`file:`") || d.message.contains("`javascript:`"))).collect();
        assert_eq!(lines, vec![(Some(3), true), (Some(3), true)], "{diagnostics}");
    }

    #[test]
    fn an_image_may_carry_an_explicit_id() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("images")).unwrap();
        std::fs::write(dir.path().join("images/a.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1\" height=\"1\"/>").unwrap();
        let mut diagnostics = Diagnostics::default();
        let mut failed_targets = BTreeSet::new();
        let data = DataSet::default();
        let mut context = ParseContext { data: &data, diagnostics: &mut diagnostics, failed_targets: &mut failed_targets };
        let blocks = parse("![图](images/a.svg \"说明\"){#fig:map}\n\n![图](images/a.svg)\n", &mut context, dir.path(), Path::new("t.md"));
        assert!(!diagnostics.has_errors(), "{diagnostics}");
        assert!(matches!(&blocks[0].kind, BlockKind::Image { anchor, .. } if anchor == "map"));
        assert!(matches!(&blocks[1].kind, BlockKind::Image { anchor, .. } if anchor.is_empty()));
    }

    /// The notes of `files` (name, text) parsed as one manuscript, with the problems.
    fn notes_of(files: &[(&str, &str)]) -> (Vec<(usize, String)>, Diagnostics) {
        let mut diagnostics = Diagnostics::default();
        let mut failed = BTreeSet::new();
        let data = DataSet::default();
        let mut blocks = Vec::new();
        for (file, text) in files {
            let mut context = ParseContext { data: &data, diagnostics: &mut diagnostics, failed_targets: &mut failed };
            blocks.extend(parse(text, &mut context, Path::new("/m"), Path::new(file)));
        }
        super::super::footnotes::resolve(&mut blocks, Path::new("/m"), &mut diagnostics);
        let mut found = Vec::new();
        crate::model::walk::inlines(&blocks, &mut |inline, _| {
            if let Inline::Note { number, content, .. } = inline {
                let mut text = String::new();
                crate::model::plain_text_of(content, &mut text);
                found.push((*number, text));
            }
        });
        (found, diagnostics)
    }

    #[test]
    fn footnote_labels_belong_to_their_file() {
        let (found, diagnostics) = notes_of(&[("a.md", "甲[^1]。\n\n[^1]: 甲注。\n"), ("b.md", "乙[^1]。\n\n[^1]: 乙注。\n")]);
        assert!(!diagnostics.has_errors(), "{diagnostics}");
        assert_eq!(found, vec![(1, "甲注。".to_string()), (2, "乙注。".to_string())]);
    }

    #[test]
    fn a_note_inside_a_note_is_an_error_at_the_definition_and_nothing_loops() {
        let (found, diagnostics) = notes_of(&[("a.md", "正文[^a]。\n\n[^a]: 注[^b]。\n\n[^b]: 又注[^a]。\n")]);
        let message = diagnostics.to_string();
        assert!(message.contains("a.md:3") && message.contains("[^a] refers to the footnote [^b]"), "{message}");
        assert!(message.contains("a.md:5") && message.contains("[^b] refers to the footnote [^a]"), "{message}");
        assert_eq!(found, vec![(1, "注。".to_string())]);
    }

    #[test]
    fn a_footnote_label_defined_twice_in_a_file_is_an_error() {
        let (_, diagnostics) = notes_of(&[("a.md", "正文[^a]。\n\n[^a]: 一。\n\n[^a]: 二。\n")]);
        assert!(diagnostics.to_string().contains("defined twice"), "{diagnostics}");
    }
}
