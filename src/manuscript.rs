//! A manuscript directory → the [`Document`] model.
//!
//! Reads `report.toml`, then every listed Markdown file in order, and collects all
//! problems of all files before failing, so an editor sees every mistake at once.

use std::path::{Path, PathBuf};

use crate::config::ReportConfig;
use crate::design::Design;
use crate::data::DataSet;
use crate::{numbering, references, rules};
use crate::diagnostics::{Diagnostic, Diagnostics, io_error};
use crate::markdown::{self, Notes};
use crate::model::{Block, BlockKind, Document, Metadata, SourcePos};

/// A loaded manuscript: where it lives, its configuration and its document model.
#[derive(Debug, Clone)]
pub struct Manuscript {
    /// The manuscript directory.
    pub root: PathBuf,
    /// `report.toml` as read.
    pub config: ReportConfig,
    /// The data tables.
    pub data: DataSet,
    /// The parsed document.
    pub document: Document,
    /// Problems that do not stop the build.
    pub warnings: Vec<Diagnostic>,
}

impl Manuscript {
    /// Loads and parses the manuscript in `root`.
    ///
    /// Every part is checked before failing — `report.toml`, each data table, each text
    /// file — so one run reports all the problems it can find. A data table that fails to
    /// load is left out, and references to it are not reported again.
    pub fn load(root: &Path, design: &Design) -> Result<Self, Diagnostics> {
        let (manuscript, diagnostics) = Self::load_checked(root, design);
        match manuscript {
            Some(manuscript) if !diagnostics.has_errors() => Ok(manuscript),
            _ => Err(diagnostics),
        }
    }

    /// [`Manuscript::load`], returning whatever could be parsed together with every problem
    /// found, so later checks (e.g. fonts) can still run on the text when something else is
    /// wrong and report their problems in the same run. `None` when `report.toml` could not
    /// be read or parsed.
    pub fn load_checked(root: &Path, design: &Design) -> (Option<Self>, Diagnostics) {
        match Self::parse(root, design) {
            Ok(manuscript) => {
                let warnings = Diagnostics(manuscript.warnings.clone());
                (Some(manuscript), warnings)
            }
            Err(failed) => *failed,
        }
    }

    /// The manuscript, or what could be parsed of it with every problem found.
    fn parse(root: &Path, design: &Design) -> Result<Self, Box<(Option<Self>, Diagnostics)>> {
        if !root.is_dir() {
            return Err(Box::new((
                None,
                Diagnostics::one(
                    Diagnostic::error(root, "manuscript directory not found")
                        .with_hint("pass --manuscript DIR pointing at a directory that holds report.toml"),
                ),
            )));
        }
        let report_path = root.join(crate::config::REPORT_FILE);
        let loaded = ReportConfig::load_checked(root);
        let mut diagnostics = Diagnostics(loaded.problems);
        let (data, data_problems) = DataSet::load_partial(root);
        diagnostics.0.extend(data_problems.0);
        if let Err(broken) = rules::check(&data) {
            diagnostics.0.extend(broken.0);
        }
        let Some(config) = loaded.config else {
            return Err(Box::new((None, diagnostics)));
        };
        let real_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        let mut cross_refs = Vec::new();
        let mut notes = Notes::default();
        let mut blocks = Vec::new();
        let mut tables_used = std::collections::BTreeSet::new();
        let mut total_bytes = 0u64;
        let mut parsed = 0;
        let mut declared = std::collections::BTreeSet::new();
        for file in &config.files {
            if file.as_os_str().is_empty() || file.is_absolute() || file.components().any(|c| matches!(c, std::path::Component::ParentDir)) {
                continue; // reported by the configuration check
            }
            let path = root.join(file);
            let listed_at = crate::config::line_of_value(&loaded.text, &file.to_string_lossy());
            let locate = |mut diagnostic: Diagnostic| {
                // Problems of the file as a whole are located where report.toml lists it.
                if diagnostic.line.is_none() {
                    diagnostic.file = report_path.clone();
                    diagnostic.line = listed_at;
                    diagnostic.message = format!("text file `{}`: {}", file.display(), diagnostic.message);
                }
                diagnostic
            };
            if let Ok(real) = path.canonicalize()
                && !real.starts_with(&real_root) {
                    diagnostics.push(locate(
                        Diagnostic::error(&path, "it is a link to a file outside the manuscript directory")
                            .with_hint("copy the text into the manuscript directory instead of linking to it"),
                    ));
                    continue;
                }
            let text = match read_text(&path, "this text file") {
                Ok(text) => text,
                Err(mut diagnostic) => {
                    if diagnostic.line.is_none() {
                        diagnostic.hint = Some(format!("it is listed under `files` in {}; check the name or remove it from the list", crate::config::REPORT_FILE));
                    }
                    diagnostics.push(locate(diagnostic));
                    continue;
                }
            };
            total_bytes += text.len() as u64;
            if total_bytes > MAX_MANUSCRIPT_BYTES {
                diagnostics.push(locate(
                    Diagnostic::error(&path, format!("the text files add up to more than {} MiB, the limit for one manuscript", MAX_MANUSCRIPT_BYTES / 1048576))
                        .with_hint("split the report into several manuscripts (volumes)"),
                ));
                break;
            }
            if let Some(diagnostic) = private_use(&text, &path) {
                diagnostics.push(diagnostic);
                continue;
            }
            diagnostics.0.extend(markdown::undefined_footnotes(&text, root, file));
            let expanded = references::expand(&text, &data, root, file);
            diagnostics.0.extend(expanded.problems);
            cross_refs.extend(expanded.cross_refs);
            tables_used.extend(expanded.tables_used);
            declared.extend(expanded.declared);
            if config.new_page.contains(file) {
                blocks.push(Block { kind: BlockKind::PageBreak, source: SourcePos { file: file.clone(), line: 1 } });
            }
            let context = markdown::ParseContext { data: &data, charts: design.charts.as_ref() };
            blocks.extend(markdown::parse(&expanded.text, &context, root, file, 1, &mut notes, &mut diagnostics));
            parsed += 1;
        }
        notes.resolve(&mut blocks, &mut diagnostics, root);
        let mut printable = Printable { root, last_heading: None, headings: 0, notes: 0, diagnostics: Vec::new() };
        printable.blocks(&blocks);
        diagnostics.0.extend(printable.diagnostics);
        if let Err(unknown) = numbering::number(&mut blocks, &cross_refs, root) {
            // A reference to a directive that failed (and was reported) is not reported again.
            let failed_directive = |d: &Diagnostic| declared.iter().any(|target| d.message.starts_with(&format!("cross-reference @{target} points")));
            let directive_errors = diagnostics.has_errors();
            diagnostics.0.extend(unknown.0.into_iter().filter(|d| !(directive_errors && failed_directive(d))));
        }
        if blocks.is_empty() && !diagnostics.has_errors() {
            let mut diagnostic = Diagnostic::error(&report_path, "the manuscript has no text: the files listed under `files` are empty")
                .with_hint("write paragraphs into the files listed under `files`");
            diagnostic.line = crate::config::line_of_value(&loaded.text, &config.files.first().map(|f| f.to_string_lossy().to_string()).unwrap_or_default())
                .or(Some(1));
            diagnostics.push(diagnostic);
        }
        // Which tables the text uses is known only when every text file was read.
        if parsed == config.files.len() {
            diagnostics.0.extend(unused_tables(&data, &tables_used));
        }
        // The same problem met twice at one place (an HTML tag and its closing tag) is one.
        let mut seen = std::collections::HashSet::new();
        diagnostics.0.retain(|d| seen.insert((d.file.clone(), d.line, d.message.clone())));
        let meta = Metadata {
            title: config.title.clone(),
            subtitle: config.subtitle.clone(),
            authors: config.authors.clone(),
            language: config.language.clone(),
            date: config.date.clone(),
            publisher: config.publisher.clone(),
            description: config.description.clone(),
            keywords: config.keywords.clone(),
        };
        let document = Document { meta, blocks };
        let warnings = diagnostics.non_errors();
        let manuscript = Manuscript { root: root.to_path_buf(), config, data, document, warnings };
        if diagnostics.has_errors() { Err(Box::new((Some(manuscript), diagnostics))) } else { Ok(manuscript) }
    }

    /// The path of a manuscript-relative file.
    pub fn path_of(&self, relative: &Path) -> PathBuf {
        self.root.join(relative)
    }
}

/// Warns about every data table that is never referenced in the text, placed as a table,
/// charted or named by another table's rule: its numbers reach no reader.
fn unused_tables(data: &DataSet, used: &std::collections::BTreeSet<String>) -> Vec<Diagnostic> {
    let mut used = used.clone();
    for table in data.tables.values() {
        for (rule, _) in &table.rules {
            for reference in rule_operands(rule) {
                let parts: Vec<&str> = reference.split('.').collect();
                if let [other, _, _] = parts.as_slice()
                    && *other != table.id {
                        used.insert(other.trim().to_string());
                    }
            }
        }
    }
    data.tables
        .values()
        .filter(|table| !used.contains(&table.id))
        .map(|table| {
            Diagnostic::warning(&table.path, format!("data table `{}` is never used: no reference, table or chart names it", table.id))
                .at_line(1)
                .with_hint(format!("refer to it as {{{{{}.row.column}}}}, place it with a ```table directive, or delete the file", table.id))
        })
        .collect()
}

/// Longest heading, in characters: it is also the PDF bookmark.
pub const MAX_HEADING_CHARS: usize = 300;
/// Longest run of characters without a break opportunity (no space, no CJK character):
/// a longer "word" cannot be set in a column, and the PDF cannot hold it in one line.
pub const MAX_WORD_CHARS: usize = 300;
/// Longest image alt text or link address, in characters (PDF strings are limited).
pub const MAX_ATTRIBUTE_CHARS: usize = 4000;

/// Reports a private-use character: reportpress uses some internally, PDF/A forbids them
/// and no pinned font draws them.
fn private_use(text: &str, path: &Path) -> Option<Diagnostic> {
    let is_private = |c: char| matches!(c as u32, 0xE000..=0xF8FF | 0xF0000..=0xFFFFD | 0x100000..=0x10FFFD);
    let offset = text.find(is_private)?;
    let ch = text[offset..].chars().next()?;
    let (line, column) = crate::config::line_column(text, offset);
    Some(
        Diagnostic::error(path, format!("the text contains the private-use character U+{:04X}, which cannot be printed", ch as u32))
            .at(line, column)
            .with_hint("delete it; it often comes from a symbol font in a word processor: retype the symbol"),
    )
}

/// Checks what the PDF/UA export would refuse late, at the block's line: the first heading
/// must be of level 1 and levels may not be skipped; headings, words, alt texts and link
/// addresses must fit in PDF strings and lines.
struct Printable<'a> {
    root: &'a Path,
    last_heading: Option<u8>,
    headings: usize,
    notes: usize,
    diagnostics: Vec<Diagnostic>,
}

impl Printable<'_> {
    fn error(&mut self, source: &crate::model::SourcePos, message: String, hint: &str) {
        self.diagnostics.push(Diagnostic::error(self.root.join(&source.file), message).at_line(source.line).with_hint(hint));
    }

    fn blocks(&mut self, blocks: &[crate::model::Block]) {
        use crate::model::BlockKind;
        for block in blocks {
            match &block.kind {
                BlockKind::Heading { level, content } => {
                    self.headings += 1;
                    if self.headings == MAX_HEADINGS + 1 {
                        self.error(&block.source, format!("this is heading number {}; the limit is {MAX_HEADINGS}", MAX_HEADINGS + 1), "split the report into volumes");
                    }
                    let allowed = self.last_heading.map_or(1, |last| last + 1);
                    if *level > allowed {
                        let message = match self.last_heading {
                            None => format!("the first heading is of level {level}; it must be of level 1 (`# …`)"),
                            Some(last) => format!("the heading levels skip from {last} to {level}"),
                        };
                        self.error(&block.source, message, "heading levels must go down one at a time (#, ##, ###): screen readers and the PDF outline need it");
                    }
                    self.last_heading = Some(*level);
                    let mut text = String::new();
                    crate::model::plain_text_of(content, &mut text);
                    let length = text.chars().count();
                    if length > MAX_HEADING_CHARS {
                        self.error(&block.source, format!("the heading has {length} characters; the limit is {MAX_HEADING_CHARS}"), "shorten the heading: it is also the PDF bookmark");
                    }
                    self.inlines(&block.source, content);
                }
                BlockKind::Paragraph { lead, content } => {
                    let mut text = String::new();
                    if let Some(lead) = lead {
                        crate::model::plain_text_of(lead, &mut text);
                        self.inlines(&block.source, lead);
                    }
                    crate::model::plain_text_of(content, &mut text);
                    let length = text.chars().count();
                    if length > MAX_PARAGRAPH_CHARS {
                        self.error(&block.source, format!("the paragraph has {length} characters; the limit is {MAX_PARAGRAPH_CHARS}"), "separate paragraphs with a blank line");
                    }
                    self.inlines(&block.source, content);
                }
                BlockKind::Quote { blocks } | BlockKind::Sidebar { blocks, .. } => self.blocks(blocks),
                BlockKind::List { items, .. } => items.iter().for_each(|item| self.blocks(item)),
                BlockKind::Image { alt, caption, .. } => {
                    if alt.chars().count() > MAX_ATTRIBUTE_CHARS {
                        self.error(&block.source, format!("the alt text is longer than {MAX_ATTRIBUTE_CHARS} characters"), "describe the image in a few sentences");
                    }
                    self.inlines(&block.source, caption);
                }
                BlockKind::Table { data, .. } | BlockKind::Chart { data, .. } => {
                    let mut words = Vec::new();
                    data.for_each_text(&mut |text| words.extend(long_word(text)));
                    if let Some(word) = words.first() {
                        self.error(&block.source, format!("a cell of the table holds a word of {} characters that cannot be broken", word), "shorten the cell in the data table");
                    }
                }
                BlockKind::Rule | BlockKind::PageBreak => {}
            }
        }
    }

    fn inlines(&mut self, source: &crate::model::SourcePos, content: &[crate::model::Inline]) {
        use crate::model::Inline;
        for inline in content {
            match inline {
                Inline::Text { text } | Inline::Code { text } => {
                    if let Some(length) = long_word(text) {
                        self.error(source, format!("a word of {length} characters without a space cannot be set in a line (the limit is {MAX_WORD_CHARS})"), "insert spaces, or shorten it (a long address belongs in a link: [text](address))");
                    }
                }
                Inline::Link { url, content } => {
                    if url.chars().count() > MAX_ATTRIBUTE_CHARS {
                        self.error(source, format!("a link address is longer than {MAX_ATTRIBUTE_CHARS} characters"), "shorten the address");
                    }
                    self.inlines(source, content);
                }
                Inline::Note { content, .. } => {
                    self.notes += 1;
                    if self.notes == MAX_NOTES + 1 {
                        self.error(source, format!("this is footnote number {}; the limit is {MAX_NOTES}", MAX_NOTES + 1), "split the report into volumes, or move notes into the text");
                    }
                    self.inlines(source, content)
                }
                Inline::Strong { content } | Inline::Emphasis { content } => self.inlines(source, content),
                Inline::Ref { .. } | Inline::LineBreak => {}
            }
        }
    }
}

/// The length of the first run of more than [`MAX_WORD_CHARS`] characters with no break
/// opportunity (white space or a CJK character) in `text`.
fn long_word(text: &str) -> Option<usize> {
    let mut run = 0;
    for ch in text.chars() {
        if ch.is_whitespace() || markdown::is_cjk(ch) {
            if run > MAX_WORD_CHARS {
                return Some(run);
            }
            run = 0;
        } else {
            run += 1;
        }
    }
    (run > MAX_WORD_CHARS).then_some(run)
}

/// Every `row.column` / `table.row.column` a rule names.
fn rule_operands(rule: &rules::RuleSpec) -> Vec<&str> {
    match rule {
        rules::RuleSpec::Sum { parts, total } => parts.iter().chain(std::iter::once(total)).map(String::as_str).collect(),
        rules::RuleSpec::Shares { parts, shares } => parts.iter().chain(shares).map(String::as_str).collect(),
        rules::RuleSpec::Difference { minuend, subtrahend, difference } => vec![minuend, subtrahend, difference],
    }
}

/// Largest text file (Markdown, `report.toml`, data table, CSV) reportpress reads: 12 MiB.
/// Larger files are refused before they are read, so a wrong path (a video, a database
/// dump) fails fast.
pub const MAX_TEXT_BYTES: u64 = 12 * 1024 * 1024;

/// Largest total of all text files of one manuscript: 12 MiB, about 4 million Chinese
/// characters. Measured (2 cores): 1 MB of prose typesets in 1.2 s (200 pages), 8 MB in
/// 9 s (1 543 pages, 1 GB of memory), so a 10 MB manuscript builds in about 12 s; a larger
/// one is refused rather than leaving the editor waiting and the machine swapping.
pub const MAX_MANUSCRIPT_BYTES: u64 = 12 * 1024 * 1024;

/// Most headings in one manuscript. Each is a PDF bookmark and a tagged structure element:
/// 57 000 headings took 18 s and 1.8 GB; 5 000 take under 2 s.
pub const MAX_HEADINGS: usize = 5_000;
/// Most footnotes in one manuscript: 50 000 took 34 s and 2.9 GB; 5 000 take about 3 s.
pub const MAX_NOTES: usize = 5_000;
/// Longest paragraph, in characters (about ten pages): Typst breaks a paragraph into lines
/// as a whole, and a 2 MB paragraph took 26 s.
pub const MAX_PARAGRAPH_CHARS: usize = 20_000;

/// Reads a text file of the manuscript: refuses files over [`MAX_TEXT_BYTES`] and decodes
/// UTF-8 (see [`decode_utf8`]). `what` names the file in messages ("this text file").
pub fn read_text(path: &Path, what: &str) -> Result<String, Diagnostic> {
    // A FIFO or device would block or never end: only regular files are opened.
    let kind = std::fs::metadata(path).map_err(|e| io_error(path, &format!("read {what}"), &e))?;
    if !kind.is_file() && !kind.is_dir() {
        return Err(Diagnostic::error(path, format!("cannot read {what}: it is not a regular file")).with_hint("name a text file"));
    }
    let file = std::fs::File::open(path).map_err(|e| io_error(path, &format!("read {what}"), &e))?;
    let metadata = file.metadata().map_err(|e| io_error(path, &format!("read {what}"), &e))?;
    if metadata.is_dir() {
        return Err(Diagnostic::error(path, format!("cannot read {what}: it is a directory")).with_hint("name a file, not a directory"));
    }
    if metadata.len() > MAX_TEXT_BYTES {
        return Err(too_large(path, metadata.len()));
    }
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    // Read at most one byte over the limit: a file that grows while it is read is refused too.
    std::io::Read::read_to_end(&mut std::io::Read::take(file, MAX_TEXT_BYTES + 1), &mut bytes)
        .map_err(|e| io_error(path, &format!("read {what}"), &e))?;
    if bytes.len() as u64 > MAX_TEXT_BYTES {
        return Err(too_large(path, bytes.len() as u64));
    }
    decode_utf8(path, &bytes)
}

fn too_large(path: &Path, size: u64) -> Diagnostic {
    Diagnostic::error(
        path,
        format!("the file is {:.1} MiB; the limit for one text file is {} MiB", size as f64 / 1048576.0, MAX_TEXT_BYTES / 1048576),
    )
    .with_hint("split the text into several files listed under `files` (or the table into several tables); check that the path names the intended file")
}

/// Decodes a text file as UTF-8 (a leading BOM is dropped) or says where it is not UTF-8
/// and which encoding it looks like (UTF-16, GBK/GB18030, Big5), tested by decoding it.
pub fn decode_utf8(path: &Path, bytes: &[u8]) -> Result<String, Diagnostic> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) if !looks_like_utf16(bytes) => Ok(text.to_string()),
        Ok(_) => Err(Diagnostic::error(path, "the file looks like UTF-16 without a byte order mark (every other byte is zero)")
            .at_line(1)
            .with_hint(RESAVE_HINT)),
        Err(error) => {
            let valid = &bytes[..error.valid_up_to()];
            let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
            let column = String::from_utf8_lossy(&valid[valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1)..]).chars().count() + 1;
            let (message, hint) = match guess_encoding(bytes) {
                Some(Guess::Utf16(name)) => (format!("the file is encoded as {name} (it starts with a UTF-16 byte order mark), not UTF-8"), RESAVE_HINT.to_string()),
                Some(Guess::Legacy(name, sample)) => (
                    format!("the file is not valid UTF-8 (byte offset {}); it looks like {name}, where it reads «{sample}»", error.valid_up_to()),
                    format!("{RESAVE_HINT}; or convert it: iconv -f {} -t UTF-8", if name.starts_with("Big5") { "BIG5" } else { "GB18030" }),
                ),
                None => (format!("the file is not valid UTF-8 (byte offset {}) and not Chinese text in GB18030 or Big5", error.valid_up_to()), format!("{RESAVE_HINT}; check that the path names a text file")),
            };
            Err(Diagnostic::error(path, message).at(line, column).with_hint(hint))
        }
    }
}

const RESAVE_HINT: &str = "re-save the file as UTF-8 (in WPS/Excel/Notepad: Save As → Encoding: UTF-8)";

/// What a non-UTF-8 file looks like.
enum Guess {
    /// UTF-16 with a byte order mark: the encoding's name.
    Utf16(&'static str),
    /// A legacy Chinese encoding that decodes the whole file: its name and a sample.
    Legacy(&'static str, String),
}

/// Tries the encodings Chinese text files come in. A file that decodes without error in
/// GB18030 or Big5 is scored by how many of its characters are common Chinese characters;
/// the text of the other encoding is mostly rare characters.
fn guess_encoding(bytes: &[u8]) -> Option<Guess> {
    if bytes.starts_with(b"\xFF\xFE") {
        return Some(Guess::Utf16("UTF-16LE"));
    }
    if bytes.starts_with(b"\xFE\xFF") {
        return Some(Guess::Utf16("UTF-16BE"));
    }
    let candidates = [(encoding_rs::GB18030, "GBK/GB18030 (the Chinese Windows encoding)"), (encoding_rs::BIG5, "Big5 (traditional Chinese)")];
    let mut best: Option<(usize, &'static str, String)> = None;
    for (encoding, name) in candidates {
        let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
        if had_errors {
            continue;
        }
        let cjk: Vec<char> = text.chars().filter(|&c| crate::markdown::is_cjk(c)).collect();
        if cjk.is_empty() {
            continue;
        }
        let common = cjk.iter().filter(|c| COMMON_HANZI.contains(**c)).count();
        if best.as_ref().is_none_or(|(score, _, _)| common > *score) {
            let sample: String = text.chars().filter(|c| !c.is_control()).skip_while(|c| c.is_ascii()).take(12).collect();
            best = Some((common, name, sample));
        }
    }
    best.map(|(_, name, sample)| Guess::Legacy(name, sample))
}

/// The most frequent Chinese characters, simplified and traditional forms.
const COMMON_HANZI: &str = "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单据导影失拿网香似斯专石若兵弟谁校读志飞观争究包组造落视济喜离虽坏兴切卷们這個來國為時說會對們們過還發後學們點開長問動現經種們與實當從體應關見麼們頭機們無間東業車們";

/// Whether UTF-8-valid bytes are really UTF-16 without a byte order mark: many zero bytes,
/// which no text file has.
fn looks_like_utf16(bytes: &[u8]) -> bool {
    let zeros = bytes.iter().take(4096).filter(|&&b| b == 0).count();
    bytes.len() >= 4 && zeros * 4 >= bytes.len().min(4096)
}
