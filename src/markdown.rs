//! Markdown text files → document-model blocks.
//!
//! Parsing uses `pulldown-cmark` (CommonMark plus footnotes). This module owns the
//! manuscript conventions on top of CommonMark:
//! - a soft line break next to a CJK character disappears (Chinese may be hard-wrapped);
//! - a paragraph that opens with bold text ending in sentence punctuation
//!   (`**生态立市。**…`) gets that text as its run-in head;
//! - an image alone in a paragraph is a figure, its title (`"…"`) the caption;
//! - a fenced block with the info string `sidebar [title]` is a boxed sidebar whose
//!   content is Markdown again.
//!
//! Anything the backends could not print faithfully (raw HTML, tables, code blocks)
//! is reported as an error at its file and line rather than silently dropped.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::data::DataSet;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::references::{REF_CLOSE, REF_OPEN};
use crate::model::{Block, BlockKind, Inline, SourcePos};

/// What the parser needs besides the text: the data tables and how charts are drawn.
pub struct ParseContext<'a> {
    /// The manuscript's data tables.
    pub data: &'a DataSet,
    /// Chart size and font from the design (`None`: the design cannot place charts).
    pub charts: Option<&'a crate::figures::ChartDesign>,
}

/// Footnote definitions and references met across all text files of one manuscript.
#[derive(Debug, Default)]
pub struct Notes {
    /// Label → number, in order of first reference.
    numbers: HashMap<String, usize>,
    /// Label → where it was first referenced.
    first_reference: HashMap<String, SourcePos>,
    /// Label → the note's text.
    definitions: HashMap<String, Vec<Inline>>,
}

impl Notes {
    fn number_for(&mut self, label: &str, at: &SourcePos) -> usize {
        let next = self.numbers.len() + 1;
        self.first_reference.entry(label.to_string()).or_insert_with(|| at.clone());
        *self.numbers.entry(label.to_string()).or_insert(next)
    }

    /// Fills every note's text into `blocks`; reports references without a definition.
    pub fn resolve(self, blocks: &mut [Block], diagnostics: &mut Diagnostics, root: &Path) {
        let mut by_number: HashMap<usize, &Vec<Inline>> = HashMap::new();
        let mut labels: Vec<_> = self.numbers.iter().collect();
        labels.sort_by_key(|(_, number)| **number);
        for (label, number) in labels {
            match self.definitions.get(label) {
                Some(content) => {
                    by_number.insert(*number, content);
                }
                None => {
                    let at = &self.first_reference[label];
                    diagnostics.push(
                        Diagnostic::error(root.join(&at.file), format!("footnote [^{label}] has no definition"))
                            .at_line(at.line)
                            .with_hint(format!("add a line `[^{label}]: note text` to the manuscript")),
                    );
                }
            }
        }
        for block in blocks {
            fill_notes_in_block(block, &by_number);
        }
    }
}

fn fill_notes_in_block(block: &mut Block, notes: &HashMap<usize, &Vec<Inline>>) {
    match &mut block.kind {
        BlockKind::Heading { content, .. } => fill_notes(content, notes),
        BlockKind::Paragraph { lead, content } => {
            if let Some(lead) = lead {
                fill_notes(lead, notes);
            }
            fill_notes(content, notes);
        }
        BlockKind::Quote { blocks } | BlockKind::Sidebar { blocks, .. } => {
            blocks.iter_mut().for_each(|b| fill_notes_in_block(b, notes));
        }
        BlockKind::List { items, .. } => {
            items.iter_mut().flatten().for_each(|b| fill_notes_in_block(b, notes));
        }
        BlockKind::Image { caption, .. } => fill_notes(caption, notes),
        BlockKind::Rule | BlockKind::PageBreak | BlockKind::Table { .. } | BlockKind::Chart { .. } => {}
    }
}

fn fill_notes(content: &mut [Inline], notes: &HashMap<usize, &Vec<Inline>>) {
    for inline in content {
        match inline {
            Inline::Note { number, content } => {
                if let Some(text) = notes.get(number) {
                    *content = (*text).clone();
                }
            }
            Inline::Strong { content } | Inline::Emphasis { content } | Inline::Link { content, .. } => {
                fill_notes(content, notes)
            }
            Inline::Text { .. } | Inline::Code { .. } | Inline::Ref { .. } | Inline::LineBreak => {}
        }
    }
}

/// Parses one Markdown text into blocks.
///
/// `root` is the manuscript directory and `file` the text's path relative to it;
/// `first_line` is the line of `text`'s first line in that file (1 for a whole file,
/// more for the inside of a sidebar fence).
pub fn parse(
    text: &str,
    context: &ParseContext<'_>,
    root: &Path,
    file: &Path,
    first_line: usize,
    notes: &mut Notes,
    diagnostics: &mut Diagnostics,
) -> Vec<Block> {
    parse_nested(text, context, root, file, first_line, notes, diagnostics, 0)
}

/// Deepest nesting of quotes, lists and sidebars in one another. The design draws each
/// level inside the one around it, and Typst refuses very deep layouts; a report needs 3.
pub const MAX_BLOCK_DEPTH: usize = 12;
/// Deepest nesting of emphasis, strong and links in one another.
pub const MAX_INLINE_DEPTH: usize = 12;
/// Largest image file: 50 MiB (a 300 dpi A4 photo is about 25 MB uncompressed).
pub const MAX_IMAGE_BYTES: u64 = 50 * 1024 * 1024;

#[allow(clippy::too_many_arguments)]
fn parse_nested(
    text: &str,
    context: &ParseContext<'_>,
    root: &Path,
    file: &Path,
    first_line: usize,
    notes: &mut Notes,
    diagnostics: &mut Diagnostics,
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
        line_starts: line_starts(text),
        events,
        position: 0,
        notes,
        diagnostics,
        soft_break_pending: false,
        last_char: None,
        images: Vec::new(),
        depth,
        inline_depth: 0,
    };
    parser.blocks(None)
}

/// Reports footnote references (`[^label]`) in a whole file whose label has no definition
/// (`[^label]: …` at the start of a line) in the same file. CommonMark prints such a
/// reference as literal text, which an editor would only notice in print.
pub fn undefined_footnotes(text: &str, root: &Path, file: &Path) -> Vec<Diagnostic> {
    let mut defined = std::collections::HashSet::new();
    let mut references = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let mut rest = line;
        let mut offset = 0;
        while let Some(start) = rest.find("[^") {
            let after = &rest[start + 2..];
            let escaped = rest[..start].ends_with('\\');
            if let Some(end) = after.find(']') {
                let label = &after[..end];
                let is_definition = offset + start == line.len() - line.trim_start().len() && after[end + 1..].starts_with(':');
                if !label.is_empty() && !label.contains(char::is_whitespace) && !escaped {
                    if is_definition {
                        defined.insert(label.to_string());
                    } else {
                        references.push((label.to_string(), index + 1));
                    }
                }
            }
            offset += start + 2;
            rest = after;
        }
    }
    references
        .into_iter()
        .filter(|(label, _)| !defined.contains(label))
        .map(|(label, line)| {
            Diagnostic::error(root.join(file), format!("footnote [^{label}] has no definition in this file"))
                .at_line(line)
                .with_hint(format!("add a line `[^{label}]: note text` to this file"))
        })
        .collect()
}

fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect()
}

/// Whether a character belongs to East Asian text, where a line break means nothing.
pub fn is_cjk(ch: char) -> bool {
    matches!(ch as u32,
        0x2E80..=0x2FDF      // radicals
        | 0x3000..=0x303F    // CJK symbols and punctuation
        | 0x3040..=0x30FF    // kana
        | 0x3100..=0x312F    // bopomofo
        | 0x31C0..=0x31EF    // strokes
        | 0x3400..=0x4DBF    // extension A
        | 0x4E00..=0x9FFF    // unified ideographs
        | 0xF900..=0xFAFF    // compatibility ideographs
        | 0xFE30..=0xFE4F    // compatibility forms
        | 0xFF00..=0xFFEF    // full-width forms
        | 0x20000..=0x3FFFF  // supplementary ideographs
        | 0x2014 | 0x2018 | 0x2019 | 0x201C | 0x201D | 0x2026 | 0x00B7
    )
}

struct BlockParser<'a, 'n> {
    source: &'a str,
    context: &'n ParseContext<'n>,
    root: &'a Path,
    file: PathBuf,
    first_line: usize,
    line_starts: Vec<usize>,
    events: Vec<(Event<'a>, Range<usize>)>,
    position: usize,
    notes: &'n mut Notes,
    diagnostics: &'n mut Diagnostics,
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

impl<'a> BlockParser<'a, '_> {
    fn line_of(&self, offset: usize) -> usize {
        let index = self.line_starts.partition_point(|&start| start <= offset);
        self.first_line + index.saturating_sub(1)
    }

    fn pos(&self, offset: usize) -> SourcePos {
        SourcePos { file: self.file.clone(), line: self.line_of(offset) }
    }

    fn error(&mut self, offset: usize, message: impl Into<String>, hint: impl Into<String>) {
        let diagnostic = Diagnostic::error(self.root.join(&self.file), message)
            .at_line(self.line_of(offset))
            .with_hint(hint);
        self.diagnostics.push(diagnostic);
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
                    crate::model::plain_text_of(&content, &mut text);
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
                    if self.notes.definitions.insert(label.to_string(), content).is_some() {
                        self.error(range.start, format!("footnote [^{label}] is defined twice"), "give each note its own label");
                    }
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
                let inner = parse_nested(&content, self.context, self.root, &self.file.clone(), first_line, self.notes, self.diagnostics, self.depth + 1);
                Some(Block { kind: BlockKind::Sidebar { title: argument.to_string(), blocks: inner }, source })
            }
            "table" => {
                let result = crate::figures::table_block(&content, self.context.data);
                let first_line = content_start.map_or(source.line + 1, |offset| self.line_of(offset));
                let kind = self.directive_result("table", result, first_line, source.line)?;
                Some(Block { kind, source })
            }
            "chart" => {
                let result = match self.context.charts {
                    Some(design) => {
                        let stem: String = self.file.to_string_lossy().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
                        let fallback_id = format!("chart-{stem}-{}", source.line);
                        crate::figures::chart_block(&content, self.context.data, design, &fallback_id)
                    }
                    None => Err(("the design has no [charts] section in design.toml, so it cannot place charts".to_string(), None)),
                };
                let first_line = content_start.map_or(source.line + 1, |offset| self.line_of(offset));
                let chart = self.directive_result("chart", result, first_line, source.line)?;
                for note in chart.notes {
                    self.diagnostics.push(Diagnostic::warning(self.root.join(&self.file), format!("chart: {note}")).at_line(source.line));
                }
                Some(Block { kind: chart.kind, source })
            }
            other => {
                let what = if other.is_empty() { "a code block".to_string() } else { format!("a fenced block of kind `{other}`") };
                self.error(range.start, format!("{what} is not supported"), "the supported fenced blocks are ```sidebar, ```table and ```chart");
                None
            }
        }
    }

    /// Turns a paragraph's inlines (and any image read with them) into a block.
    fn paragraph(&mut self, content: Vec<Inline>, source: SourcePos) -> Option<Block> {
        let images = std::mem::take(&mut self.images);
        let kind = paragraph_kind(content);
        match (images.len(), kind) {
            (0, kind) => kind.map(|kind| Block { kind, source }),
            (1, None) => images.into_iter().next().map(|(kind, _)| Block { kind, source }),
            (_, _) => {
                let offset = images[0].1;
                self.error(offset, "an image must stand alone in its own paragraph", "put a blank line before and after the image");
                None
            }
        }
    }

    /// Reports a failed ```` ```table ```` / ```` ```chart ```` directive at its line (a line
    /// inside the fence when the error knows it, else the fence's), or passes the result on.
    fn directive_result<T>(&mut self, kind: &str, result: Result<T, crate::figures::DirectiveError>, first_line: usize, fence_line: usize) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err((message, line)) => {
                let line = line.map_or(fence_line, |l| first_line + l - 1);
                self.diagnostics.push(
                    Diagnostic::error(self.root.join(&self.file), format!("{kind} directive: {message}"))
                        .at_line(line)
                        .with_hint("see README.md, \"Data, tables and charts\"; names must match data/<table>.toml"),
                );
                None
            }
        }
    }

    /// Reads inline events until `end`.
    fn inlines(&mut self, end: TagEnd) -> Vec<Inline> {
        self.soft_break_pending = false;
        self.last_char = None;
        let run = self.inline_run(Some(end));
        split_cross_refs(pair_strong_marks(run))
    }

    /// Reads inline events until the next block-level event (tight list items).
    fn loose_inlines(&mut self) -> Vec<Inline> {
        self.soft_break_pending = false;
        self.last_char = None;
        let run = self.inline_run(None);
        split_cross_refs(pair_strong_marks(run))
    }

    /// Reads a strong, emphasis or link run, one level deeper.
    fn nested_inlines(&mut self, end: TagEnd) -> Vec<Inline> {
        self.inline_depth += 1;
        let content = self.inline_run(Some(end));
        self.inline_depth -= 1;
        content
    }

    fn inline_run(&mut self, end: Option<TagEnd>) -> Vec<Inline> {
        let mut out: Vec<Inline> = Vec::new();
        while let Some((event, range)) = self.next() {
            match event {
                Event::End(e) if Some(e) == end => break,
                Event::Text(text) => {
                    // A `*` that CommonMark left unmatched (its flanking rules fail next to
                    // CJK punctuation, as in `**生态立市。**全市`) is marked for pairing later;
                    // an escaped `\*` differs from its source slice and stays literal.
                    let unmatched_stars = text.chars().all(|c| c == '*') && self.source.get(range.clone()) == Some(&*text);
                    if unmatched_stars {
                        self.push_text(&mut out, &STAR_MARK.to_string().repeat(text.len()));
                    } else {
                        self.push_text(&mut out, &text);
                    }
                }
                Event::Code(text) => {
                    self.resolve_soft_break(&mut out, text.chars().next());
                    self.last_char = text.chars().last().or(self.last_char);
                    out.push(Inline::Code { text: text.to_string() });
                }
                Event::SoftBreak => self.soft_break_pending = true,
                Event::HardBreak => {
                    self.soft_break_pending = false;
                    self.last_char = None;
                    out.push(Inline::LineBreak);
                }
                Event::Start(tag @ (Tag::Strong | Tag::Emphasis | Tag::Link { .. })) if self.inline_depth >= MAX_INLINE_DEPTH => {
                    self.error(range.start, format!("emphasis, strong text and links are nested more than {MAX_INLINE_DEPTH} deep here"), "remove the extra `*`, `_` or brackets");
                    self.skip_to_end(TagEnd::from(tag));
                }
                Event::Start(Tag::Strong) => {
                    let content = self.nested_inlines(TagEnd::Strong);
                    out.push(Inline::Strong { content });
                }
                Event::Start(Tag::Emphasis) => {
                    let content = self.nested_inlines(TagEnd::Emphasis);
                    out.push(Inline::Emphasis { content });
                }
                Event::Start(Tag::Link { dest_url, .. }) => {
                    if dest_url.trim().is_empty() {
                        self.error(range.start, "this link has no address", "write the address in the parentheses: [text](https://…), or remove the brackets");
                    }
                    let content = self.nested_inlines(TagEnd::Link);
                    out.push(Inline::Link { url: dest_url.to_string(), content });
                }
                Event::Start(Tag::Image { dest_url, title, .. }) => {
                    let alt = self.inline_run(Some(TagEnd::Image));
                    let mut alt_text = String::new();
                    crate::model::plain_text_of(&alt, &mut alt_text);
                    if alt_text.trim().is_empty() {
                        self.error(
                            range.start,
                            "this image has no alt text",
                            "describe the image in the brackets, ![what it shows](path): readers who cannot see it (and PDF/UA) need it",
                        );
                    }
                    let path = self.checked_image_path(&dest_url, range.start);
                    let caption = if title.is_empty() { Vec::new() } else { vec![Inline::Text { text: title.to_string() }] };
                    self.images.push((BlockKind::Image { path, alt: alt_text, caption, number: 0, label: String::new(), anchor: String::new() }, range.start));
                }
                Event::FootnoteReference(label) => {
                    let at = self.pos(range.start);
                    let number = self.notes.number_for(&label, &at);
                    out.push(Inline::Note { number, content: Vec::new() });
                }
                Event::InlineHtml(_) | Event::Html(_) => {
                    self.error(range.start, "raw HTML is not supported in the manuscript", "remove the HTML tag");
                }
                Event::InlineMath(text) | Event::DisplayMath(text) => self.push_text(&mut out, &text),
                Event::TaskListMarker(done) => self.push_text(&mut out, if done { "☑ " } else { "☐ " }),
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
                Event::End(_) if end.is_none() => {
                    self.position -= 1;
                    break;
                }
                Event::End(_) | Event::Rule => {
                    if end.is_none() {
                        self.position -= 1;
                        break;
                    }
                }
            }
        }
        out
    }

    /// Emits the space a pending soft break stands for, unless CJK text is on either side.
    fn resolve_soft_break(&mut self, out: &mut Vec<Inline>, next: Option<char>) {
        if !std::mem::take(&mut self.soft_break_pending) {
            return;
        }
        let joins_cjk = self.last_char.is_some_and(is_cjk) || next.is_some_and(is_cjk);
        if !joins_cjk {
            append_text(out, " ");
        }
    }

    fn push_text(&mut self, out: &mut Vec<Inline>, text: &str) {
        self.resolve_soft_break(out, text.chars().next());
        if let Some(last) = text.chars().rev().find(|&c| c != STAR_MARK) {
            self.last_char = Some(last);
        }
        // A tab inside text is a space; the Unicode line and paragraph separators are too
        // (a tab after a separator reached the PDF as a glyph no font has).
        if text.contains(['\t', '\u{2028}', '\u{2029}']) {
            append_text(out, &text.replace(['\t', '\u{2028}', '\u{2029}'], " "));
        } else {
            append_text(out, text);
        }
    }

    /// Checks that an image path stays inside the manuscript directory.
    fn checked_image_path(&mut self, dest: &str, offset: usize) -> PathBuf {
        let path = Path::new(dest);
        let escapes = path.is_absolute()
            || dest.contains("://")
            || path.components().any(|c| matches!(c, std::path::Component::ParentDir));
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
                Err((message, hint)) => {
                    self.error(offset, format!("image `{dest}` {message}"), hint);
                    PathBuf::new()
                }
            },
            (Ok(_), _) => {
                self.error(offset, format!("image `{dest}` is a link that points outside the manuscript directory"), "copy the image into the manuscript directory");
                PathBuf::new()
            }
            (Err(error), _) => {
                self.error(offset, format!("image `{dest}` cannot be read: {error}"), "check the image's file name");
                PathBuf::new()
            }
        }
    }
}

/// Checks that an image file can be printed: not too large, a format Typst reads (by its
/// extension and its content, as Typst decides), and decodable. Typst would otherwise fail
/// late, inside the design template, where the manuscript line is lost.
/// Returns the message (after "image `path` ") and a hint.
pub fn validate_image(real: &Path, written: &Path) -> Result<(), (String, String)> {
    use typst::visualize::{ExchangeFormat, ImageFormat, RasterFormat, RasterImage, VectorFormat};
    const FORMATS: &str = "use PNG, JPEG, GIF, WebP, SVG or PDF";
    let metadata = std::fs::metadata(real).map_err(|e| (format!("cannot be read: {e}"), "check the image's file name".to_string()))?;
    if !metadata.is_file() {
        return Err(("is a directory or a special file, not an image file".into(), "name the image file".into()));
    }
    if metadata.len() > MAX_IMAGE_BYTES {
        return Err((
            format!("is {:.0} MiB; the limit for one image is {} MiB", metadata.len() as f64 / 1048576.0, MAX_IMAGE_BYTES / 1048576),
            "reduce the image to print resolution (300 dpi at its printed size) or compress it".into(),
        ));
    }
    let bytes = std::fs::read(real).map_err(|e| (format!("cannot be read: {e}"), "check the image's permissions".to_string()))?;
    let extension = written.extension().and_then(|e| e.to_str()).unwrap_or("");
    let by_name = match extension {
        "png" => Some(ImageFormat::from(ExchangeFormat::Png)),
        "jpg" | "jpeg" => Some(ExchangeFormat::Jpg.into()),
        "gif" => Some(ExchangeFormat::Gif.into()),
        "webp" => Some(ExchangeFormat::Webp.into()),
        "svg" | "svgz" => Some(VectorFormat::Svg.into()),
        "pdf" => Some(VectorFormat::Pdf.into()),
        _ => None,
    };
    let by_content = ImageFormat::detect(&bytes);
    let format = match (by_name, by_content) {
        (_, None) if bytes.is_empty() => return Err(("is an empty file".into(), "copy the image again; the file has no content".into())),
        (Some(named), Some(found)) if named != found => {
            return Err((
                format!("is named .{extension} but holds {} data", format_name(found)),
                format!("rename the file to the right extension, or re-export it as .{extension}"),
            ));
        }
        (Some(named), _) => named,
        (None, Some(found)) => found,
        (None, None) => return Err(("is not an image file reportpress can print".into(), FORMATS.into())),
    };
    let damaged = |error: String| (format!("is damaged or not a valid {} file: {error}", format_name(format)), format!("open and re-save the image in an image editor; {FORMATS}"));
    match format {
        ImageFormat::Raster(raster @ RasterFormat::Exchange(_)) => {
            RasterImage::plain(typst::foundations::Bytes::new(bytes), raster).map(|_| ()).map_err(|e| damaged(e.to_string()))
        }
        ImageFormat::Raster(RasterFormat::Pixel(_)) => Err(("is raw pixel data".into(), FORMATS.into())),
        ImageFormat::Vector(VectorFormat::Svg) => {
            let options = usvg::Options::default();
            usvg::Tree::from_data(&bytes, &options).map(|_| ()).map_err(|e| damaged(e.to_string()))
        }
        // Typst does not expose its PDF reader: check the header and the end-of-file mark.
        ImageFormat::Vector(VectorFormat::Pdf) => {
            let tail = &bytes[bytes.len().saturating_sub(1024)..];
            if bytes.starts_with(b"%PDF-") && tail.windows(5).any(|w| w == b"%%EOF") {
                Ok(())
            } else {
                Err(damaged("the file is truncated or has no PDF header".into()))
            }
        }
    }
}

fn format_name(format: typst::visualize::ImageFormat) -> &'static str {
    use typst::visualize::{ExchangeFormat, ImageFormat, RasterFormat, VectorFormat};
    match format {
        ImageFormat::Raster(RasterFormat::Exchange(ExchangeFormat::Png)) => "PNG",
        ImageFormat::Raster(RasterFormat::Exchange(ExchangeFormat::Jpg)) => "JPEG",
        ImageFormat::Raster(RasterFormat::Exchange(ExchangeFormat::Gif)) => "GIF",
        ImageFormat::Raster(RasterFormat::Exchange(ExchangeFormat::Webp)) => "WebP",
        ImageFormat::Raster(RasterFormat::Pixel(_)) => "raw pixel",
        ImageFormat::Vector(VectorFormat::Svg) => "SVG",
        ImageFormat::Vector(VectorFormat::Pdf) => "PDF",
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

/// Stands in for a `*` that CommonMark did not match (a private-use character).
const STAR_MARK: char = '\u{E000}';
/// Two adjacent [`STAR_MARK`]s: a `**` delimiter waiting to be paired.
const STRONG_MARK: &str = "\u{E001}";

/// Turns pairs of unmatched `**` marks into strong text. CommonMark does not match
/// `**生态立市。**全市…` because the closing run follows punctuation and precedes a letter;
/// Chinese writers write exactly that, so the pairs are matched here. An odd last mark
/// prints as the literal `**` it was.
fn pair_strong_marks(mut items: Vec<Inline>) -> Vec<Inline> {
    for item in &mut items {
        if let Inline::Text { text } = item
            && text.contains(STAR_MARK) {
                *text = text.replace(&STAR_MARK.to_string().repeat(2), STRONG_MARK).replace(STAR_MARK, "*");
            }
    }
    let marks: usize = items
        .iter()
        .map(|item| match item {
            Inline::Text { text } => text.matches(STRONG_MARK).count(),
            _ => 0,
        })
        .sum();
    let usable = marks - marks % 2;
    let mut seen = 0;
    let mut out: Vec<Inline> = Vec::new();
    let mut strong: Option<Vec<Inline>> = None;
    for item in items {
        match item {
            Inline::Text { text } if text.contains(STRONG_MARK) => {
                for (index, piece) in text.split(STRONG_MARK).enumerate() {
                    if index > 0 {
                        seen += 1;
                        if seen > usable {
                            append_text(strong.as_mut().unwrap_or(&mut out), "**");
                        } else if let Some(content) = strong.take() {
                            out.push(Inline::Strong { content });
                        } else {
                            strong = Some(Vec::new());
                        }
                    }
                    if !piece.is_empty() {
                        append_text(strong.as_mut().unwrap_or(&mut out), piece);
                    }
                }
            }
            other => strong.as_mut().unwrap_or(&mut out).push(other),
        }
    }
    out
}

/// Turns the cross-reference markers left by [`crate::references::expand`] into
/// [`Inline::Ref`]s (filled in later by the numbering pass), at any depth.
fn split_cross_refs(items: Vec<Inline>) -> Vec<Inline> {
    let mut out = Vec::new();
    for item in items {
        match item {
            Inline::Text { text } if text.contains(REF_OPEN) => {
                let mut rest = text.as_str();
                while let Some(open) = rest.find(REF_OPEN) {
                    let Some(close) = rest[open..].find(REF_CLOSE).map(|c| open + c) else { break };
                    append_text(&mut out, &rest[..open]);
                    let target = rest[open + REF_OPEN.len_utf8()..close].to_string();
                    out.push(Inline::Ref { target, text: String::new() });
                    rest = &rest[close + REF_CLOSE.len_utf8()..];
                }
                if !rest.is_empty() {
                    append_text(&mut out, rest);
                }
            }
            Inline::Strong { content } => out.push(Inline::Strong { content: split_cross_refs(content) }),
            Inline::Emphasis { content } => out.push(Inline::Emphasis { content: split_cross_refs(content) }),
            Inline::Link { url, content } => out.push(Inline::Link { url, content: split_cross_refs(content) }),
            other => out.push(other),
        }
    }
    out
}

/// Appends text to the last text inline, or starts a new one.
fn append_text(out: &mut Vec<Inline>, text: &str) {
    if let Some(Inline::Text { text: last }) = out.last_mut() {
        last.push_str(text);
    } else {
        out.push(Inline::Text { text: text.to_string() });
    }
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
            crate::model::plain_text_of(strong, &mut text);
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

    fn parse_str(text: &str) -> (Vec<Block>, Diagnostics) {
        let mut notes = Notes::default();
        let mut diagnostics = Diagnostics::default();
        let data = DataSet::default();
        let charts = crate::figures::ChartDesign { font: "Noto Sans CJK SC".into(), width: 236.0, height: 180.0 };
        let context = ParseContext { data: &data, charts: Some(&charts) };
        let mut blocks = parse(text, &context, Path::new("/m"), Path::new("t.md"), 1, &mut notes, &mut diagnostics);
        diagnostics.0.extend(undefined_footnotes(text, Path::new("/m"), Path::new("t.md")));
        notes.resolve(&mut blocks, &mut diagnostics, Path::new("/m"));
        (blocks, diagnostics)
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
        assert!(content.contains(&Inline::Note { number: 1, content: vec![Inline::Text { text: "注释。".into() }] }));
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
    fn image_path_outside_manuscript_is_refused() {
        let (_, diagnostics) = parse_str("![图](../../etc/passwd \"说明\")\n");
        assert!(diagnostics.has_errors());
        assert!(diagnostics.0[0].message.contains("leaves the manuscript directory"));
    }
}
