//! The bibliography of a report: `bibliography = "references.bib"` (BibTeX/BibLaTeX) or
//! `.yaml` (hayagriva) in `report.toml`, rendered once by hayagriva in a CSL style
//! (GB/T 7714—2015 numeric by default) into plain strings and links that both editions print.
//!
//! hayagriva renders; this module mends what its GB/T 7714 styles get wrong for Chinese
//! reports (hayagriva #291/#312, citationberg #5): 等 or et al. by each entry's language (its
//! `language`/`langid` field, else CJK characters in its author names), `[S]` and the
//! standard's number for `@standard` (printed `[Z]`), the degree-granting school and the
//! issuing body of theses and reports (left out), and newspapers (`entrysubtype =
//! {newspaper}`) as `[N]` with their date and page.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use biblatex::ChunksExt;
use hayagriva::citationberg::taxonomy::Locator;
use hayagriva::citationberg::{IndependentStyle, Locale, Style, StyleClass};
use hayagriva::{
    BibliographyDriver, BibliographyRequest, CitationItem, CitationRequest, ElemChild, ElemMeta, Entry, Library, LocatorPayload, SpecificLocator,
    archive::ArchivedStyle,
};

use crate::diagnostics::Diagnostic;
pub use crate::model::CiteItem;
use crate::model::Inline;
use crate::source::line_column;

/// The styles built in, by the name `report.toml` gives (`style = "…"`).
pub const STYLES: [&str; 3] = ["gb-7714-2015-numeric", "gb-7714-2015-author-date", "gb-7714-2015-note"];

/// Largest bibliography file read (a few thousand entries).
const MAX_BIBLIOGRAPHY_BYTES: u64 = 8 * 1024 * 1024;

/// A loaded bibliography and the style it is printed in.
pub struct Bibliography {
    /// The bibliography file (inside the manuscript).
    pub path: PathBuf,
    library: Library,
    /// The line of each entry in the file, for warnings.
    lines: HashMap<String, usize>,
    /// What the GB/T 7714 styles get wrong, per entry key.
    mends: HashMap<String, Mend>,
    style: IndependentStyle,
    locales: Vec<Locale>,
}

impl std::fmt::Debug for Bibliography {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bibliography").field("path", &self.path).field("entries", &self.library.len()).finish_non_exhaustive()
    }
}

/// Corrections applied to an entry's rendered string.
#[derive(Debug, Clone, Default)]
struct Mend {
    /// The entry is in a Latin-script language (et al.), not Chinese/Japanese/Korean (等).
    latin: bool,
    /// A standard's number (`GB/T 25100—2010`), printed `: number[S]` in place of `[Z]`.
    standard: Option<String>,
    /// An organisation as author (`{{World Health Organization}}`), printed as written, not
    /// in the capitals of a Latin family name.
    corporate: Option<String>,
}

/// A citation as printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedCitation {
    /// The citation mark (`[1]`, `[1-3]`, `(陈登原, 2000)`) or, in a note style, the note's text.
    pub text: String,
    /// The mark is set as a superscript (GB/T 7714 顺序编码制).
    pub superscript: bool,
}

/// One entry of the list as printed.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedEntry {
    /// The entry key.
    pub key: String,
    /// The label before the entry (`[1]`), empty for author-date styles.
    pub label: String,
    /// The entry: text and links (DOIs, URLs).
    pub content: Vec<Inline>,
}

/// The citations (in the order asked) and the list of every cited entry.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// One per citation asked for.
    pub citations: Vec<RenderedCitation>,
    /// The reference list, in the style's order.
    pub entries: Vec<RenderedEntry>,
    /// Whether the style puts citations in notes.
    pub notes: bool,
}

impl Bibliography {
    /// Loads `file` (relative to `root`) in `style` (a built-in name or a CSL file relative
    /// to `root`). Errors are located in `report.toml` (at `config_line`) or in the file.
    pub fn load(root: &Path, file: &Path, style: &str, report: &Path, lines: (usize, usize)) -> Result<Self, Diagnostic> {
        let (file_line, style_line) = lines;
        let path = root.join(file);
        let at_report = |message: String, hint: &str| Diagnostic::error(report, message).at_line(file_line).with_hint(hint.to_string());
        if file.is_absolute() || file.components().any(|c| matches!(c, std::path::Component::ParentDir)) {
            return Err(at_report(
                format!("`bibliography = \"{}\"` must name a file inside the manuscript", file.display()),
                "copy the file into the manuscript",
            ));
        }
        if let (Ok(real), Ok(manuscript)) = (path.canonicalize(), root.canonicalize())
            && !real.starts_with(&manuscript)
        {
            return Err(at_report(
                format!("the bibliography `{}` is a link to a file outside the manuscript", file.display()),
                "copy the file into the manuscript",
            ));
        }
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        if size > MAX_BIBLIOGRAPHY_BYTES {
            return Err(at_report(format!("the bibliography {} is larger than 8 MiB", file.display()), "keep only the entries this report cites"));
        }
        let text = crate::source::read_text(&path, "the bibliography").map_err(|d| {
            if d.line.is_some() { d } else { at_report(format!("bibliography `{}`: {}", file.display(), d.message), "check the file name in report.toml") }
        })?;
        let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        let (library, mends, lines) = match extension.as_str() {
            "bib" => load_biblatex(&path, &text)?,
            "yaml" | "yml" => load_yaml(&path, &text)?,
            other => {
                return Err(at_report(
                    format!("the bibliography must be a .bib or .yaml file, not `.{other}`"),
                    "export BibTeX/BibLaTeX (.bib) from Zotero, EndNote or NoteExpress",
                ));
            }
        };
        let style = load_style(root, style).map_err(|message| {
            Diagnostic::error(report, message).at_line(style_line).with_hint(format!("write style = one of {}, or the path of a .csl file", STYLES.join(", ")))
        })?;
        Ok(Self { path, library, lines, mends, style, locales: hayagriva::archive::locales() })
    }

    /// Whether the bibliography has an entry `key`.
    pub fn has(&self, key: &str) -> bool {
        self.library.get(key).is_some()
    }

    /// The keys of every entry, in file order.
    pub fn keys(&self) -> Vec<String> {
        self.library.keys().map(str::to_string).collect()
    }

    /// The line of entry `key` in the file.
    pub fn line_of(&self, key: &str) -> usize {
        self.lines.get(key).copied().unwrap_or(1)
    }

    /// Renders `citations` (each a list of items whose keys all exist) in document order,
    /// and the list of the entries they cite.
    pub fn render(&self, citations: &[Vec<CiteItem>]) -> Rendered {
        let notes = self.style.settings.class == StyleClass::Note;
        let mut driver = BibliographyDriver::new();
        for (index, items) in citations.iter().enumerate() {
            let items = items
                .iter()
                .filter_map(|item| {
                    let entry = self.library.get(&item.key)?;
                    Some(CitationItem::with_locator(entry, item.locator.as_deref().map(locator)))
                })
                .collect();
            driver.citation(CitationRequest::new(items, &self.style, None, &self.locales, Some(index + 1)));
        }
        let rendered = driver.finish(BibliographyRequest::new(&self.style, None, &self.locales));
        let citations = rendered
            .citations
            .iter()
            .zip(citations)
            .map(|(citation, items)| {
                let mut text = String::new();
                let mut superscript = !citation.citation.0.is_empty();
                self.flatten_citation(&citation.citation.0, items, &mut text, &mut superscript);
                // GB/T 7714 numeric styles print no locator: the page follows the mark (`[3]12`, §10.1.3).
                if let [CiteItem { locator: Some(written), .. }] = items.as_slice()
                    && let SpecificLocator(_, LocatorPayload::Str(page)) = locator(written)
                    && superscript
                    && !notes
                    && !text.contains(page)
                {
                    text.push_str(page);
                }
                RenderedCitation { text, superscript: superscript && !notes }
            })
            .collect();
        let entries = rendered
            .bibliography
            .map(|list| {
                list.items
                    .iter()
                    .map(|item| {
                        let mut label = String::new();
                        if let Some(first) = &item.first_field {
                            flatten(std::slice::from_ref(first), &mut Vec::new(), &mut label, &mut false);
                        }
                        let mut pieces = Vec::new();
                        let mut text = String::new();
                        flatten(&item.content.0, &mut pieces, &mut text, &mut false);
                        push_text(&mut pieces, std::mem::take(&mut text));
                        RenderedEntry { key: item.key.clone(), label: label.trim().to_string(), content: self.mend_entry(&item.key, pieces) }
                    })
                    .collect()
            })
            .unwrap_or_default();
        Rendered { citations, entries, notes }
    }

    /// The text of a rendered citation, each cited item's part with 等 or et al. by that
    /// entry's language (hayagriva marks the part of each item).
    fn flatten_citation(&self, children: &[ElemChild], items: &[CiteItem], text: &mut String, superscript: &mut bool) {
        for child in children {
            match child {
                ElemChild::Elem(elem) if matches!(elem.meta, Some(ElemMeta::Entry(_))) => {
                    let Some(ElemMeta::Entry(index)) = elem.meta else { continue };
                    let mut part = String::new();
                    flatten(&elem.children.0, &mut Vec::new(), &mut part, superscript);
                    let mend = items.get(index).and_then(|item| self.mends.get(&item.key));
                    text.push_str(&match mend {
                        Some(mend) if mend.latin => part.replace(" 等", " et al.").replace('等', " et al."),
                        Some(_) => part.replace(" et al.", " 等").replace("et al.", "等"),
                        None => part,
                    });
                }
                ElemChild::Elem(elem) => self.flatten_citation(&elem.children.0, items, text, superscript),
                other => flatten(std::slice::from_ref(other), &mut Vec::new(), text, superscript),
            }
        }
    }

    /// The corrections of entry `key` on its rendered pieces (the text before the first link):
    /// 等 or et al. in its names (before the first ". "), a standard's `[S]`, an organisation's name.
    fn mend_entry(&self, key: &str, mut pieces: Vec<Inline>) -> Vec<Inline> {
        let Some(mend) = self.mends.get(key) else { return pieces };
        if let Some(Inline::Text { text }) = pieces.first_mut() {
            // The author list ends at the first ". " (GB/T 7714: names, then ". " and the title).
            let names_end = text.find(". ").unwrap_or(0);
            let (names, rest) = text.split_at(names_end);
            // The style's ". " follows the names: `, et al` then reads `, et al. Title`.
            let names = if mend.latin { names.replace(", 等", ", et al.") } else { names.replace(", et al.", ", 等") };
            let mut mended = format!("{names}{rest}").replacen("et al..", "et al.", 1);
            if let Some(name) = mend.corporate.as_deref().filter(|_| mend.latin)
                && let Some(rest) = mended.strip_prefix(&name.to_uppercase())
            {
                mended = format!("{name}{rest}");
            }
            if let Some(number) = &mend.standard {
                mended = mended.replacen("[Z]", &format!(": {number}[S]"), 1);
            }
            *text = mended;
        }
        pieces
    }
}

/// A locator as written (`第12页`, `12页`, `p. 12`, `pp. 3-5`, `第3章`) for hayagriva.
fn locator(written: &str) -> SpecificLocator<'_> {
    let trimmed = written.trim();
    let chapter = trimmed.strip_prefix('第').and_then(|rest| rest.strip_suffix('章'));
    if let Some(number) = chapter {
        return SpecificLocator(Locator::Chapter, LocatorPayload::Str(number.trim()));
    }
    let page = trimmed
        .strip_prefix('第')
        .map(|rest| rest.trim_end_matches('页'))
        .or_else(|| trimmed.strip_suffix('页'))
        .or_else(|| trimmed.strip_prefix("pp."))
        .or_else(|| trimmed.strip_prefix("p."))
        .unwrap_or(trimmed);
    SpecificLocator(Locator::Page, LocatorPayload::Str(page.trim()))
}

/// Appends the text of rendered elements to `text`, turning links into [`Inline::Link`]s in
/// `pieces` (the text before a link is pushed first); clears `superscript` when any text is
/// not set as a superscript.
fn flatten(children: &[ElemChild], pieces: &mut Vec<Inline>, text: &mut String, superscript: &mut bool) {
    for child in children {
        match child {
            ElemChild::Text(formatted) => {
                if formatted.formatting.vertical_align != hayagriva::citationberg::VerticalAlign::Sup && !formatted.text.trim().is_empty() {
                    *superscript = false;
                }
                text.push_str(&formatted.text);
            }
            ElemChild::Elem(elem) => flatten(&elem.children.0, pieces, text, superscript),
            ElemChild::Markup(markup) => text.push_str(markup),
            ElemChild::Link { text: shown, url } => {
                push_text(pieces, std::mem::take(text));
                pieces.push(Inline::Link { url: url.clone(), content: vec![Inline::Text { text: shown.text.clone() }] });
            }
            ElemChild::Transparent { .. } => {}
        }
    }
}

fn push_text(pieces: &mut Vec<Inline>, text: String) {
    if !text.is_empty() {
        pieces.push(Inline::Text { text });
    }
}

/// Largest CSL style file: 1 MiB (the largest styles of the CSL repository are some 200 KB).
const MAX_STYLE_BYTES: u64 = 1024 * 1024;
/// Deepest nesting of a CSL style's elements (real styles nest about 10 deep); deeper, the
/// style reader and renderer, which recurse, could overflow the stack.
const MAX_STYLE_DEPTH: usize = 64;

/// Checks a CSL style's XML before hayagriva reads and renders it, which both recurse: its
/// elements nest at most [`MAX_STYLE_DEPTH`] deep, and no macro calls itself, directly or
/// through other macros (rendering it would never end). The error continues "the CSL style …".
fn check_style_structure(xml: &str) -> Result<(), String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut depth = 0usize;
    // The macro being defined, and the macros each one calls.
    let mut current: Option<String> = None;
    let mut calls: std::collections::HashMap<String, Vec<String>> = std::collections::HashMap::new();
    loop {
        let event = reader.read_event().map_err(|e| format!("is not well-formed XML: {e}"))?;
        let (element, opens) = match &event {
            Event::Start(element) => (element, true),
            Event::Empty(element) => (element, false),
            Event::End(element) => {
                depth = depth.saturating_sub(1);
                if element.local_name().as_ref() == b"macro" {
                    current = None;
                }
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        if opens {
            depth += 1;
            if depth > MAX_STYLE_DEPTH {
                return Err(format!("nests its elements more than {MAX_STYLE_DEPTH} deep"));
            }
        }
        let attribute =
            |name: &[u8]| element.attributes().flatten().find(|a| a.key.local_name().as_ref() == name).map(|a| String::from_utf8_lossy(&a.value).into_owned());
        if element.local_name().as_ref() == b"macro" && opens {
            current = attribute(b"name");
            if let Some(name) = &current {
                calls.entry(name.clone()).or_default();
            }
        } else if let (Some(caller), Some(called)) = (&current, attribute(b"macro")) {
            calls.entry(caller.clone()).or_default().push(called);
        }
    }
    match deepest_chain(&calls, MAX_STYLE_DEPTH) {
        Some(Chain::Loop(path)) => Err(format!("has macros that call themselves: {}", path.join(" → "))),
        Some(Chain::TooDeep(start)) => Err(format!("has macros calling each other more than {MAX_STYLE_DEPTH} deep, from `{start}`")),
        None => Ok(()),
    }
}

/// What [`deepest_chain`] found.
#[derive(Debug, PartialEq, Eq)]
enum Chain {
    /// Names that lead back to the first: `a → b → a`.
    Loop(Vec<String>),
    /// A chain longer than the limit starts at this name.
    TooDeep(String),
}

/// A loop, or a chain longer than `limit`, among names that refer to others (macros that
/// call macros, entries that cross-reference entries, abbreviations made of abbreviations);
/// names not among the keys refer to nothing. Walked with an explicit stack, so a hostile
/// file cannot overflow this one either.
fn deepest_chain(refers: &HashMap<String, Vec<String>>, limit: usize) -> Option<Chain> {
    // Per name: `None` while it is being walked, then the length of its longest chain.
    let mut height: HashMap<&str, Option<usize>> = HashMap::new();
    let mut names: Vec<&String> = refers.keys().collect();
    names.sort();
    for start in names {
        if height.contains_key(start.as_str()) {
            continue;
        }
        // (name, index of the next name it refers to, longest chain below it so far)
        let mut stack: Vec<(&str, usize, usize)> = vec![(start, 0, 1)];
        height.insert(start, None);
        while let Some(top) = stack.len().checked_sub(1) {
            let (name, next, longest) = stack[top];
            let referred = refers.get(name).map(Vec::as_slice).unwrap_or_default();
            let Some(other) = referred.get(next) else {
                height.insert(name, Some(longest));
                stack.pop();
                if longest > limit {
                    return Some(Chain::TooDeep(stack.first().map_or(name, |s| s.0).to_string()));
                }
                if let Some(parent) = stack.last_mut() {
                    parent.2 = parent.2.max(longest + 1);
                }
                continue;
            };
            stack[top].1 += 1;
            match height.get(other.as_str()) {
                Some(None) => {
                    let mut path: Vec<String> = stack.iter().map(|(n, _, _)| n.to_string()).skip_while(|n| n != other).collect();
                    path.push(other.clone());
                    return Some(Chain::Loop(path));
                }
                Some(Some(done)) => stack[top].2 = stack[top].2.max(done + 1),
                None if refers.contains_key(other.as_str()) => {
                    height.insert(other, None);
                    stack.push((other, 0, 1));
                }
                None => {}
            }
        }
    }
    None
}

/// A built-in style by name, or a CSL file inside the manuscript.
fn load_style(root: &Path, name: &str) -> Result<IndependentStyle, String> {
    let style = if let Some(archived) = ArchivedStyle::by_name(name).filter(|_| STYLES.contains(&name)) {
        archived.get()
    } else if name.ends_with(".csl") {
        let path = Path::new(name);
        if path.is_absolute() || path.components().any(|c| matches!(c, std::path::Component::ParentDir)) {
            return Err(format!("the style file `{name}` must be inside the manuscript"));
        }
        let xml = crate::source::read_text_within(root, &root.join(path), "the CSL style").map_err(|d| format!("style `{name}`: {}", d.message))?;
        if xml.len() as u64 > MAX_STYLE_BYTES {
            return Err(format!(
                "the CSL style `{name}` is {}; the limit is {}",
                crate::access::human_size(xml.len() as u64),
                crate::access::human_size(MAX_STYLE_BYTES)
            ));
        }
        check_style_structure(&xml).map_err(|problem| format!("the CSL style `{name}` {problem}"))?;
        IndependentStyle::from_xml(&xml).map(Style::Independent).map_err(|e| format!("the CSL style `{name}` cannot be read: {e}"))?
    } else {
        return Err(format!("unknown citation style `{name}`"));
    };
    match style {
        Style::Independent(style) => Ok(style),
        Style::Dependent(_) => Err(format!("`{name}` is a dependent CSL style (it only points to another style)")),
    }
}

/// Whether `text` has a Chinese, Japanese or Korean character.
fn has_cjk(text: &str) -> bool {
    text.chars().any(|c| matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F))
}

/// Whether a language tag or name is Chinese, Japanese or Korean.
fn is_cjk_language(language: &str) -> bool {
    let language = language.trim().to_ascii_lowercase();
    ["zh", "ja", "ko", "chinese", "japanese", "korean", "cmn"].iter().any(|tag| language == *tag || language.starts_with(&format!("{tag}-")))
        || has_cjk(&language)
}

/// Most entries of one bibliography: 20 000 (a report cites tens or hundreds; a whole
/// reference manager's library exported by mistake is refused, not read for minutes).
pub const MAX_BIBLIOGRAPHY_ENTRIES: usize = 20_000;
/// Deepest nesting of braces in a BibTeX file (real files nest 3 or 4 deep).
const MAX_BRACE_DEPTH: usize = 64;
/// Longest chain of `crossref`/`xdata` parents (a chapter's book's series is 2).
const MAX_CROSSREF_DEPTH: usize = 8;
/// Longest chain of `@string` abbreviations made of abbreviations.
const MAX_ABBREVIATION_DEPTH: usize = 16;
/// Most characters one field may expand to through `@string` abbreviations.
const MAX_ABBREVIATION_CHARS: usize = 1 << 20;

/// Checks a BibTeX file's structure before the BibTeX reader resolves it, which recurses:
/// braces nest at most [`MAX_BRACE_DEPTH`] deep, at most [`MAX_BIBLIOGRAPHY_ENTRIES`]
/// entries, no `@string` or `crossref`/`xdata` loop, no chain deeper than the limits, no
/// abbreviation expanding past [`MAX_ABBREVIATION_CHARS`]. Returns the line of each entry.
fn check_bib_structure(path: &Path, text: &str) -> Result<HashMap<String, usize>, Diagnostic> {
    let lines = crate::source::LineIndex::new(text);
    let at = |offset: usize, message: String, hint: &str| {
        let (line, column) = lines.line_column(text, offset);
        Diagnostic::error(path, message).at(line, column).with_hint(hint.to_string())
    };
    let mut depth = 0usize;
    let mut escaped = false;
    for (offset, byte) in text.bytes().enumerate() {
        if escaped {
            escaped = false;
            continue;
        }
        match byte {
            b'\\' => escaped = true,
            b'{' => {
                depth += 1;
                if depth > MAX_BRACE_DEPTH {
                    return Err(at(offset, format!("braces nest more than {MAX_BRACE_DEPTH} deep"), "close the braces opened before this place"));
                }
            }
            b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    let raw = biblatex::RawBibliography::parse(text).map_err(|e| {
        at(
            e.span.start,
            format!("malformed BibTeX: {}", e.kind),
            "correct the entry (export the file again from the reference manager if it was not edited by hand)",
        )
    })?;
    if let Some(entry) = raw.entries.get(MAX_BIBLIOGRAPHY_ENTRIES) {
        return Err(at(
            entry.span.start,
            format!("the bibliography has {} entries; the limit is {MAX_BIBLIOGRAPHY_ENTRIES}", raw.entries.len()),
            "export only the entries this report cites (in Zotero: a collection of them)",
        ));
    }
    // Abbreviations made of abbreviations.
    let names = |field: &biblatex::Field<'_>| -> Vec<String> {
        field.iter().filter_map(|chunk| if let biblatex::RawChunk::Abbreviation(name) = chunk.v { Some(name.to_string()) } else { None }).collect()
    };
    let abbreviations: HashMap<String, Vec<String>> = raw.abbreviations.iter().map(|pair| (pair.key.v.to_string(), names(&pair.value.v))).collect();
    let place_of = |name: &str| raw.abbreviations.iter().find(|p| p.key.v == name).map_or(0, |p| p.key.span.start);
    match deepest_chain(&abbreviations, MAX_ABBREVIATION_DEPTH) {
        Some(Chain::Loop(path)) => {
            return Err(at(
                place_of(&path[0]),
                format!("@string abbreviations refer to each other in a loop: {}", path.join(" → ")),
                "define each abbreviation by text, or by abbreviations defined before it",
            ));
        }
        Some(Chain::TooDeep(start)) => {
            return Err(at(
                place_of(&start),
                format!("@string `{start}` is made of abbreviations more than {MAX_ABBREVIATION_DEPTH} deep"),
                "define the abbreviation by its text",
            ));
        }
        None => {}
    }
    // What each abbreviation expands to, in characters (no loops, so this ends; shallow, so
    // the recursion is bounded).
    fn expanded(name: &str, raw: &biblatex::RawBibliography<'_>, memo: &mut HashMap<String, usize>) -> usize {
        if let Some(&chars) = memo.get(name) {
            return chars;
        }
        let Some(pair) = raw.abbreviations.iter().rev().find(|p| p.key.v == name) else { return name.len() };
        let mut chars = 0usize;
        for chunk in &pair.value.v {
            chars = chars.saturating_add(match chunk.v {
                biblatex::RawChunk::Normal(text) => text.len(),
                biblatex::RawChunk::Abbreviation(other) => expanded(other, raw, memo),
            });
        }
        memo.insert(name.to_string(), chars);
        chars
    }
    let mut memo = HashMap::new();
    for pair in &raw.abbreviations {
        if expanded(pair.key.v, &raw, &mut memo) > MAX_ABBREVIATION_CHARS {
            return Err(at(
                pair.key.span.start,
                format!("@string `{}` expands to more than {} characters", pair.key.v, MAX_ABBREVIATION_CHARS),
                "define the abbreviation by its text",
            ));
        }
    }
    // Entries that take fields from others.
    let mut parents: HashMap<String, Vec<String>> = HashMap::new();
    let mut entry_lines = HashMap::new();
    for entry in &raw.entries {
        let mut of_entry = Vec::new();
        for field in &entry.v.fields {
            let key = field.key.v.to_ascii_lowercase();
            if key == "crossref" || key == "xdata" {
                let value: String = field.value.v.iter().filter_map(|c| if let biblatex::RawChunk::Normal(t) = c.v { Some(t) } else { None }).collect();
                of_entry.extend(value.split(',').map(|k| k.trim().to_string()).filter(|k| !k.is_empty()));
            }
        }
        entry_lines.insert(entry.v.key.v.to_string(), lines.line_column(text, entry.span.start).0);
        parents.insert(entry.v.key.v.to_string(), of_entry);
    }
    let entry_at = |key: &str| raw.entries.iter().find(|e| e.v.key.v == key).map_or(0, |e| e.v.key.span.start);
    match deepest_chain(&parents, MAX_CROSSREF_DEPTH) {
        Some(Chain::Loop(path)) => Err(at(
            entry_at(&path[0]),
            format!("entries take fields from each other in a loop (crossref/xdata): {}", path.join(" → ")),
            "remove the `crossref` or `xdata` field that leads back",
        )),
        Some(Chain::TooDeep(start)) => Err(at(
            entry_at(&start),
            format!("entry `{start}` takes fields through more than {MAX_CROSSREF_DEPTH} `crossref`/`xdata` steps"),
            "copy the fields into the entry",
        )),
        None => Ok(entry_lines),
    }
}

type Loaded = (Library, HashMap<String, Mend>, HashMap<String, usize>);

/// Reads a BibTeX/BibLaTeX file; a syntax or field error is reported at its line.
fn load_biblatex(path: &Path, text: &str) -> Result<Loaded, Diagnostic> {
    let located = |span: std::ops::Range<usize>, message: String| {
        let (line, column) = line_column(text, span.start.min(text.len()));
        Diagnostic::error(path, message)
            .at(line, column)
            .with_hint("correct the entry (export the file again from the reference manager if it was not edited by hand)")
    };
    // The structure is checked first: the BibTeX reader recurses through braces,
    // abbreviations and cross-references, and a hostile file would overflow its stack.
    let raw_lines = check_bib_structure(path, text)?;
    let bibliography = biblatex::Bibliography::parse(text).map_err(|e| located(e.span.clone(), format!("malformed BibTeX: {}", e.kind)))?;
    let mut library = Library::new();
    let mut mends = HashMap::new();
    let mut lines = HashMap::new();
    for raw in bibliography.iter() {
        let mut entry: Entry = Entry::try_from(raw).map_err(|e| located(e.span.clone(), format!("entry `{}`: {}", raw.key, e.kind)))?;
        let field = |name: &str| raw.get(name).map(|chunks| chunks.format_verbatim());
        let kind = match &raw.entry_type {
            biblatex::EntryType::Unknown(name) => name.to_lowercase(),
            other => format!("{other:?}").to_lowercase(),
        };
        let corporate = raw
            .get("author")
            .filter(|chunks| {
                let mut written = chunks.iter().filter(|chunk| !matches!(&chunk.v, biblatex::Chunk::Normal(text) if text.trim().is_empty()));
                matches!((written.next(), written.next()), (Some(chunk), None) if matches!(chunk.v, biblatex::Chunk::Verbatim(_)))
            })
            .map(|chunks| chunks.format_verbatim());
        let language = field("langid").or_else(|| field("language"));
        let authors: String = raw.get("author").map(|chunks| chunks.format_verbatim()).unwrap_or_default();
        let latin = match &language {
            Some(language) => !is_cjk_language(language),
            None => !has_cjk(&authors) && !has_cjk(&field("title").unwrap_or_default()),
        };
        let standard = (kind == "standard").then(|| field("number").unwrap_or_default()).filter(|n| !n.is_empty());
        // Theses and reports: the school or institution is their publisher in GB/T 7714.
        if matches!(kind.as_str(), "thesis" | "phdthesis" | "mastersthesis" | "report" | "techreport")
            && let Some(body) = field("school").or_else(|| field("institution"))
        {
            let location = entry.publisher().and_then(|p| p.location().cloned()).or_else(|| field("address").or_else(|| field("location")).map(Into::into));
            entry.set_publisher(hayagriva::types::Publisher::new(Some(body.into()), location));
        }
        if field("entrysubtype").is_some_and(|s| s.eq_ignore_ascii_case("newspaper")) {
            entry = as_newspaper(entry);
        }
        lines.insert(raw.key.clone(), raw_lines.get(&raw.key).copied().unwrap_or(1));
        mends.insert(raw.key.clone(), Mend { latin, standard, corporate });
        library.push(&entry);
    }
    Ok((library, mends, lines))
}

/// An article whose parent is a newspaper (GB/T 7714 [N]: date and page after the paper).
fn as_newspaper(entry: Entry) -> Entry {
    let mut one = Library::new();
    one.push(&entry);
    let Ok(yaml) = hayagriva::io::to_yaml_str(&one) else { return entry };
    let yaml = yaml.replacen("type: periodical", "type: newspaper", 1).replacen("type: Periodical", "type: Newspaper", 1);
    hayagriva::io::from_yaml_str(&yaml).ok().and_then(|library| library.iter().next().cloned()).unwrap_or(entry)
}

/// Reads a hayagriva YAML file; an error is reported at its line.
fn load_yaml(path: &Path, text: &str) -> Result<Loaded, Diagnostic> {
    let library = hayagriva::io::from_yaml_str(text).map_err(|e| {
        let line = e.location().map_or(1, |l| l.line());
        Diagnostic::error(path, format!("malformed bibliography: {e}"))
            .at_line(line)
            .with_hint("see hayagriva's file format (typst.app/docs/reference/model/bibliography)")
    })?;
    let mut mends = HashMap::new();
    let mut lines = HashMap::new();
    // Each top-level key's line, found in one pass (not one search of the file per entry).
    let key_lines: HashMap<&str, usize> = text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.starts_with([' ', '\t', '#', '-']))
        .filter_map(|(index, line)| Some((line.trim_end().strip_suffix(':')?.trim_matches(['"', '\'']), index + 1)))
        .collect();
    for entry in library.iter() {
        let authors: String = entry.authors().map(|names| names.iter().map(|n| n.name.clone()).collect::<Vec<_>>().join(" ")).unwrap_or_default();
        let latin = match entry.language() {
            Some(language) => !is_cjk_language(&language.to_string()),
            None => !has_cjk(&authors) && !has_cjk(&entry.title().map(|t| t.to_string()).unwrap_or_default()),
        };
        let standard = entry.serial_number().and_then(|serial| serial.0.get("standard").cloned());
        lines.insert(entry.key().to_string(), key_lines.get(entry.key()).copied().unwrap_or(1));
        mends.insert(entry.key().to_string(), Mend { latin, standard, corporate: None });
    }
    Ok((library, mends, lines))
}

#[cfg(test)]
mod chain_tests {
    use super::*;

    fn graph(edges: &[(&str, &[&str])]) -> HashMap<String, Vec<String>> {
        edges.iter().map(|(from, to)| (from.to_string(), to.iter().map(|t| t.to_string()).collect())).collect()
    }

    #[test]
    fn loops_and_long_chains_are_found_without_recursion() {
        assert_eq!(
            deepest_chain(&graph(&[("a", &["b"]), ("b", &["c"]), ("c", &["a"])]), 8),
            Some(Chain::Loop(vec!["a".into(), "b".into(), "c".into(), "a".into()]))
        );
        assert_eq!(deepest_chain(&graph(&[("a", &["a"])]), 8), Some(Chain::Loop(vec!["a".into(), "a".into()])));
        // A diamond is no loop; names nobody defines refer to nothing.
        assert_eq!(deepest_chain(&graph(&[("a", &["b", "c"]), ("b", &["d"]), ("c", &["d"]), ("d", &["outside"])]), 8), None);
        // A chain of 100 000: too deep, found without overflowing the stack.
        let names: Vec<String> = (0..100_000).map(|i| format!("k{i}")).collect();
        let chain: HashMap<String, Vec<String>> = names.windows(2).map(|w| (w[0].clone(), vec![w[1].clone()])).collect();
        assert!(matches!(deepest_chain(&chain, 8), Some(Chain::TooDeep(_))));
        let short: HashMap<String, Vec<String>> = names[..8].windows(2).map(|w| (w[0].clone(), vec![w[1].clone()])).collect();
        assert_eq!(deepest_chain(&short, 8), None);
    }
}
