//! Reading the manuscript's text files and placing positions in them: text files are read
//! through [`crate::access`] with a size limit and decoded as UTF-8 (other encodings are named, with the command
//! that converts them), and byte offsets and TOML keys are turned into lines and columns.
//! A leaf module: it knows nothing of Markdown, data or the document model.

use std::path::Path;

use crate::diagnostics::Diagnostic;

/// Largest text file (Markdown, `report.toml`, data table, CSV) reportpress reads: 12 MiB.
/// Larger files are refused before they are read, so a wrong path (a video, a database
/// dump) fails fast.
pub const MAX_TEXT_BYTES: u64 = 12 * 1024 * 1024;

/// Largest total of all text files of one manuscript: 12 MiB, about 4 million Chinese
/// characters. Measured (2 cores): 1 MB of prose typesets in 1.2 s (200 pages), 8 MB in
/// 9 s (1 543 pages, 1 GB of memory), so a 10 MB manuscript builds in about 12 s; a larger
/// one is refused rather than leaving the editor waiting and the machine swapping.
pub const MAX_MANUSCRIPT_BYTES: u64 = 12 * 1024 * 1024;

/// Reads a text file of the manuscript: refuses anything but a regular file, and files over
/// [`MAX_TEXT_BYTES`] before they are read (see [`crate::access`]), and decodes UTF-8 (see
/// [`decode_utf8`]). `what` names the file in messages ("this text file").
pub fn read_text(path: &Path, what: &str) -> Result<String, Diagnostic> {
    match crate::access::read(path, MAX_TEXT_BYTES) {
        Ok(bytes) => decode_utf8(path, &bytes),
        Err(crate::access::Refused::TooLarge { size, .. }) => Err(too_large(path, size)),
        Err(crate::access::Refused::NotRegular("a directory")) => {
            Err(Diagnostic::error(path, format!("cannot read {what}: it is a directory")).with_hint("name a file, not a directory"))
        }
        Err(crate::access::Refused::NotRegular(kind)) => {
            Err(Diagnostic::error(path, format!("cannot read {what}: it is not a regular file ({kind})")).with_hint("name a text file"))
        }
        Err(refused) => Err(refused.diagnostic(path, what)),
    }
}

/// [`read_text`] of a file that must lie inside `root` with symlinks followed.
pub fn read_text_within(root: &Path, path: &Path, what: &str) -> Result<String, Diagnostic> {
    match crate::access::resolve(root, path) {
        Ok(real) => read_text(&real, what).map_err(|mut d| {
            d.file = path.to_path_buf();
            d
        }),
        Err(refused) => Err(refused.diagnostic(path, what)),
    }
}

fn too_large(path: &Path, size: u64) -> Diagnostic {
    Diagnostic::error(path, format!("the file is {:.1} MiB; the limit for one text file is {} MiB", size as f64 / 1048576.0, MAX_TEXT_BYTES / 1048576))
        .with_hint("split the text into several files listed under `files` (or the table into several tables); check that the path names the intended file")
}

/// Decodes a text file as UTF-8 (a leading BOM is dropped) or says where it is not UTF-8
/// and which encoding it looks like (UTF-16, GBK/GB18030, Big5), tested by decoding it.
pub fn decode_utf8(path: &Path, bytes: &[u8]) -> Result<String, Diagnostic> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) if !looks_like_utf16(bytes) => Ok(text.to_string()),
        Ok(_) => {
            Err(Diagnostic::error(path, "the file looks like UTF-16 without a byte order mark (every other byte is zero)").at_line(1).with_hint(RESAVE_HINT))
        }
        Err(error) => {
            let valid = &bytes[..error.valid_up_to()];
            let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
            let column = String::from_utf8_lossy(&valid[valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1)..]).chars().count() + 1;
            let (message, hint) = match guess_encoding(bytes) {
                Some(Guess::Utf16(name)) => {
                    (format!("the file is encoded as {name} (it starts with a UTF-16 byte order mark), not UTF-8"), RESAVE_HINT.to_string())
                }
                Some(Guess::Legacy(name, sample)) => (
                    format!("the file is not valid UTF-8 (byte offset {}); it looks like {name}, where it reads «{sample}»", error.valid_up_to()),
                    format!("{RESAVE_HINT}; or convert it: iconv -f {} -t UTF-8", if name.starts_with("Big5") { "BIG5" } else { "GB18030" }),
                ),
                None => (
                    format!("the file is not valid UTF-8 (byte offset {}) and not Chinese text in GB18030 or Big5", error.valid_up_to()),
                    format!("{RESAVE_HINT}; check that the path names a text file"),
                ),
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
        let cjk: Vec<char> = text.chars().filter(|&c| is_cjk(c)).collect();
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

/// The 1-based line on which `key = …` is written (at any depth, the first in the file),
/// located by TOML's own parser; `None` when the key is not there or the text is not TOML.
pub fn line_of_key(text: &str, key: &str) -> Option<usize> {
    let table = toml::de::DeTable::parse(text).ok()?;
    let mut found: Option<usize> = None;
    visit_toml(table.get_ref(), &mut |name, _| {
        if name.is_some_and(|(name, _)| name == key) {
            let start = name.map_or(usize::MAX, |(_, at)| at);
            found = Some(found.map_or(start, |f| f.min(start)));
        }
    });
    found.map(|at| line_column(text, at).0)
}

/// The 1-based line on which the string `value` is written as a TOML string value (the
/// first in the file; within the value of `key` when given), located by TOML's parser.
pub fn line_of_value(text: &str, value: &str) -> Option<usize> {
    line_of_value_in(text, None, value)
}

/// [`line_of_value`] within the value of the top-level or nested `key` (`None`: anywhere).
pub fn line_of_value_in(text: &str, key: Option<&str>, value: &str) -> Option<usize> {
    let table = toml::de::DeTable::parse(text).ok()?;
    let mut found: Option<usize> = None;
    visit_toml(table.get_ref(), &mut |name, item| {
        if key.is_some_and(|key| name.is_none_or(|(name, _)| name != key)) {
            return;
        }
        let mut strings = Vec::new();
        collect_strings(item, &mut strings);
        for (text, at) in strings {
            if text == value {
                found = Some(found.map_or(at, |f| f.min(at)));
            }
        }
    });
    found.map(|at| line_column(text, at).0)
}

/// Told each key (its name and byte offset, when it has one) with its value.
type TomlVisitor<'v> = dyn FnMut(Option<(&str, usize)>, &toml::Spanned<toml::de::DeValue<'_>>) + 'v;

/// Calls `visit` with every key (name and byte offset) and its value, at any depth; array
/// items that are not under a key of their own come with no name.
fn visit_toml(table: &toml::de::DeTable<'_>, visit: &mut TomlVisitor<'_>) {
    for (name, item) in table {
        visit(Some((name.get_ref(), name.span().start)), item);
        visit_value(item, visit);
    }
}

fn visit_value(item: &toml::Spanned<toml::de::DeValue<'_>>, visit: &mut TomlVisitor<'_>) {
    match item.get_ref() {
        toml::de::DeValue::Table(table) => visit_toml(table, visit),
        toml::de::DeValue::Array(array) => {
            for entry in array {
                if let toml::de::DeValue::Table(table) = entry.get_ref() {
                    visit_toml(table, visit);
                } else {
                    visit_value(entry, visit);
                }
            }
        }
        _ => {}
    }
}

/// Every string in `item` (itself, or in its arrays) with its byte offset.
fn collect_strings<'a>(item: &'a toml::Spanned<toml::de::DeValue<'_>>, out: &mut Vec<(&'a str, usize)>) {
    match item.get_ref() {
        toml::de::DeValue::String(text) => out.push((text, item.span().start)),
        toml::de::DeValue::Array(array) => array.iter().for_each(|entry| collect_strings(entry, out)),
        _ => {}
    }
}

/// The user's directory for reportpress's caches: `$XDG_CACHE_HOME/reportpress`, else
/// `~/.cache/reportpress`; `None` when the environment names neither.
pub fn user_cache_dir() -> Option<std::path::PathBuf> {
    xdg_dir("XDG_CACHE_HOME", ".cache")
}

/// The user's directory for reportpress's data (e.g. `fonts/`): `$XDG_DATA_HOME/reportpress`,
/// else `~/.local/share/reportpress`; `None` when the environment names neither.
pub fn user_data_dir() -> Option<std::path::PathBuf> {
    xdg_dir("XDG_DATA_HOME", ".local/share")
}

/// `$variable/reportpress`, else `$HOME/<fallback>/reportpress`.
fn xdg_dir(variable: &str, fallback: &str) -> Option<std::path::PathBuf> {
    let base = std::env::var_os(variable)
        .filter(|v| !v.is_empty())
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").filter(|v| !v.is_empty()).map(|home| std::path::PathBuf::from(home).join(fallback)))?;
    Some(base.join("reportpress"))
}

/// Converts a TOML error into a diagnostic at its line and column.
pub fn toml_diagnostic(path: &Path, text: &str, error: &toml::de::Error) -> Diagnostic {
    let line_text = error.span().map(|span| {
        let start = text[..text.floor_char_boundary(span.start.min(text.len()))].rfind('\n').map_or(0, |at| at + 1);
        let end = text[start..].find('\n').map_or(text.len(), |at| start + at);
        &text[start..end]
    });
    let mistake = line_text.and_then(toml_mistake);
    let message = match &mistake {
        // TOML read an unquoted date as a date-time, which serde shows as a map.
        Some(hint) if hint.starts_with("write the date") => "a date without quotes: TOML reads it as a date-time, not as text".to_string(),
        _ => format!("malformed TOML: {}", error.message().trim()),
    };
    let hint = mistake.unwrap_or_else(|| "fix the TOML syntax or the value's type at the marked place".to_string());
    let mut diagnostic = Diagnostic::error(path, message).with_hint(hint);
    if let Some(span) = error.span() {
        let (line, column) = line_column(text, span.start);
        diagnostic = diagnostic.at(line, column);
    }
    diagnostic
}

/// What to type instead, for the mistakes an editor makes in TOML most: Chinese (curly) or
/// full-width quotes around text, and a date without quotes (which TOML reads as a date-time,
/// not the text reportpress wants).
fn toml_mistake(line: &str) -> Option<String> {
    let (key, value) = line.split_once(['=', '＝'])?;
    let (key, value) = (key.trim(), value.trim());
    if line.contains('＝') {
        return Some(format!("use the ASCII equals sign: {key} = {}", value));
    }
    let curly = ['“', '”', '‘', '’', '＂', '「', '」'];
    if value.starts_with(curly) || value.ends_with(curly) {
        let inner = value.trim_matches(|c: char| curly.contains(&c));
        return Some(format!("text in TOML is quoted with ASCII quotes: {key} = \"{inner}\" (Chinese quotes “” are not TOML's)"));
    }
    let looks_like_date = value.len() >= 8 && value.chars().all(|c| c.is_ascii_digit() || matches!(c, '-' | ':' | 'T' | ' ' | '.'));
    if looks_like_date && value.contains('-') {
        return Some(format!("write the date in quotes: {key} = \"{value}\""));
    }
    None
}

/// The byte offsets at which the lines of a text start, to place many offsets in a large
/// text without scanning it from the start for each ([`line_column`] does).
pub struct LineIndex(Vec<usize>);

impl LineIndex {
    /// The line starts of `text`.
    pub fn new(text: &str) -> Self {
        LineIndex(std::iter::once(0).chain(text.match_indices('\n').map(|(at, _)| at + 1)).collect())
    }

    /// 1-based line and column (in characters) of byte `offset` of `text` (the text indexed).
    pub fn line_column(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = text.floor_char_boundary(offset.min(text.len()));
        let line = self.0.partition_point(|&start| start <= offset).max(1);
        let start = self.0[line - 1].min(offset);
        (line, text[start..offset].chars().count() + 1)
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary(offset)];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
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

#[cfg(test)]
mod toml_place_tests {
    use super::*;

    #[test]
    fn common_toml_mistakes_say_what_to_type_instead() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Meta {
            date: String,
            publisher: Option<String>,
        }
        let report = |text: &str| {
            let error = toml::from_str::<Meta>(text).expect_err("not valid");
            toml_diagnostic(Path::new("report.toml"), text, &error)
        };
        let date = report("date = 2026-03-01\n");
        assert!(date.hint.as_deref() == Some("write the date in quotes: date = \"2026-03-01\""), "{date:?}");
        assert!(date.message.contains("without quotes") && date.line == Some(1), "{date:?}");
        let quotes = report("date = \"2026-03-01\"\npublisher = “某省统计局”\n");
        assert_eq!(quotes.line, Some(2), "{quotes:?}");
        assert!(quotes.hint.as_deref().is_some_and(|h| h.contains("publisher = \"某省统计局\"")), "{quotes:?}");
    }

    const TEXT: &str = "title = \"a.md\"\n# files = [\"a.md\"] in a comment\nfiles = [\n  \"a.md\",\n  'b.md',\n]\n[[rules]]\nparts = [\"x\"]\n";

    #[test]
    fn keys_and_values_are_found_by_the_toml_parser_not_by_the_text() {
        assert_eq!(line_of_key(TEXT, "files"), Some(3), "the comment is not a key");
        assert_eq!(line_of_key(TEXT, "parts"), Some(8), "keys in array tables are found");
        assert_eq!(line_of_key(TEXT, "nope"), None);
        assert_eq!(line_of_value(TEXT, "a.md"), Some(1), "the first string anywhere");
        assert_eq!(line_of_value_in(TEXT, Some("files"), "a.md"), Some(4), "within `files`");
        assert_eq!(line_of_value_in(TEXT, Some("files"), "b.md"), Some(5), "literal strings too");
        assert_eq!(line_of_key("not = [toml", "not"), None);
    }
}
