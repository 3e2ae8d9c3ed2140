//! User-facing diagnostics: what went wrong, in which manuscript file and line, and what to do.
//!
//! Every module reports problems as [`Diagnostic`]s; several can be collected into one
//! [`Diagnostics`] error so an editor sees all mistakes of a run at once. Rendering uses
//! `codespan-reporting`, which prints the offending source line under the message.
//!
//! Everything printed comes from inputs (file names, manuscript text, a proofreader's
//! comment), so it is made safe for a terminal here ([`printable`]: control characters and
//! bidirectional overrides escaped, so no input can move the cursor, retitle the window or
//! forge an `error:` line) and bounded ([`MAX_MESSAGE_CHARS`], [`MAX_SNIPPET_CHARS`]): one
//! diagnostic is a few lines, whatever the input.

use std::fmt;
use std::path::{Path, PathBuf};

use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term;

/// Largest file read back to show the offending line: as large as a manuscript text file
/// may be (`source::MAX_TEXT_BYTES`); a larger file is named without a snippet.
const SNIPPET_FILE_BYTES: u64 = 12 * 1024 * 1024;

/// Most characters of a message or hint printed; the rest is counted, not printed.
pub const MAX_MESSAGE_CHARS: usize = 1000;
/// Most lines of a message or hint printed.
pub const MAX_MESSAGE_LINES: usize = 8;
/// Most characters of the offending source line shown under a message (around its column).
pub const MAX_SNIPPET_CHARS: usize = 160;

/// Whether `c` must not reach a terminal as it is: C0 and C1 controls (ESC starts the
/// sequences that move the cursor or set the window title), DEL, and the bidirectional
/// overrides and isolates that reorder what a line shows.
fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{2028}' | '\u{2029}')
}

/// Whether a terminal draws `c` two columns wide (East Asian wide and full-width forms).
fn is_wide(c: char) -> bool {
    matches!(c as u32, 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

/// `text` made safe to print on a terminal: every control character (but line feeds and
/// tabs) and bidirectional control written as `\u{1b}`.
pub fn printable(text: &str) -> String {
    escape(text, |c| c != '\n' && c != '\t' && is_unsafe(c))
}

/// `text` made safe to print as part of one line: as [`printable`], line feeds and tabs
/// escaped too.
pub fn printable_line(text: &str) -> String {
    escape(text, is_unsafe)
}

fn escape(text: &str, unsafe_char: impl Fn(char) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// At most `max_chars` characters and [`MAX_MESSAGE_LINES`] lines of `text`, then how much
/// was left out.
pub fn bounded(text: &str, max_chars: usize) -> String {
    let chars = text.chars().count();
    let lines = text.lines().count();
    if chars <= max_chars && lines <= MAX_MESSAGE_LINES {
        return text.to_string();
    }
    let mut kept: String = text.chars().take(max_chars).collect();
    if let Some((at, _)) = kept.match_indices('\n').nth(MAX_MESSAGE_LINES - 1) {
        kept.truncate(at);
    }
    let left = chars - kept.chars().count();
    format!("{kept} … ({left} more characters)")
}

/// A message or hint as printed: bounded, then made printable.
fn shown(text: &str) -> String {
    printable(&bounded(text, MAX_MESSAGE_CHARS))
}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The build cannot continue.
    Error,
    /// The build continues, but the editor should look; `--deny-warnings` makes it an error.
    Warning,
    /// Information only (e.g. a value that was read in a normalised form); never fails a build.
    Note,
}

/// One problem found in the input, located as precisely as possible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file the problem is in (as the user named it).
    pub file: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column (in characters), when known.
    pub column: Option<usize>,
    /// What is wrong.
    pub message: String,
    /// What the user can do about it.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// An error in `file` with no line information.
    pub fn error(file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Self { severity: Severity::Error, file: file.into(), line: None, column: None, message: message.into(), hint: None }
    }

    /// A warning in `file` with no line information.
    pub fn warning(file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Self { severity: Severity::Warning, ..Self::error(file, message) }
    }

    /// A note in `file` with no line information: information that never fails a build.
    pub fn note(file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Self { severity: Severity::Note, ..Self::error(file, message) }
    }

    /// Whether this diagnostic stops the build.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Sets the 1-based line.
    pub fn at_line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }

    /// Sets the 1-based line unless a line is already known.
    pub fn at_line_if_unknown(mut self, line: usize) -> Self {
        self.line.get_or_insert(line);
        self
    }

    /// Sets the 1-based line and column.
    pub fn at(mut self, line: usize, column: usize) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    /// Adds a hint telling the user what to do.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The location as `file:line:column`, as far as it is known (the file name printable).
    pub fn location(&self) -> String {
        let file = printable_line(&self.file.display().to_string());
        match (self.line, self.column) {
            (Some(line), Some(column)) => format!("{file}:{line}:{column}"),
            (Some(line), None) => format!("{file}:{line}"),
            _ => file,
        }
    }

    /// Renders the diagnostic for a terminal, with the source line when the file is readable.
    pub fn render(&self) -> String {
        // Only files small enough to be manuscript text are read back for the snippet.
        let readable = std::fs::metadata(&self.file).is_ok_and(|m| m.is_file() && m.len() <= SNIPPET_FILE_BYTES);
        // Notes are information only: one line and the place, no snippet.
        let wanted = readable && self.severity != Severity::Note;
        let source = self.line.filter(|_| wanted).and_then(|_| std::fs::read_to_string(&self.file).ok());
        match source {
            Some(source) => self.render_with_source(&source),
            None => self.render_plain(),
        }
    }

    fn render_plain(&self) -> String {
        let mut out = format!("{}: {}\n  --> {}\n", self.severity_word(), shown(&self.message), self.location());
        if let Some(hint) = &self.hint {
            out.push_str(&format!("  = hint: {}\n", shown(hint)));
        }
        out
    }

    /// The message over the offending line: only that line is shown, at most
    /// [`MAX_SNIPPET_CHARS`] of it around the column, made printable.
    fn render_with_source(&self, whole: &str) -> String {
        let range = self.byte_range(whole);
        let line_start = whole[..range.start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = whole[range.start..].find('\n').map_or(whole.len(), |i| range.start + i);
        let line_text = whole[line_start..line_end].trim_end_matches('\r');
        // A window of the line around the marked place.
        let before: Vec<char> = whole[line_start..range.start.min(line_start + line_text.len())].chars().collect();
        let marked: String =
            whole[range.start.min(line_start + line_text.len())..range.end.min(line_start + line_text.len())].chars().take(MAX_SNIPPET_CHARS / 2).collect();
        let after_start = (range.start + marked.len()).min(line_start + line_text.len());
        let keep_before = before.len().min(MAX_SNIPPET_CHARS / 3);
        let head = if keep_before < before.len() { "…" } else { "" };
        let shown_before: String = before[before.len() - keep_before..].iter().collect();
        let room = MAX_SNIPPET_CHARS.saturating_sub(keep_before + marked.chars().count());
        let rest = &whole[after_start..line_start + line_text.len()];
        let shown_after: String = rest.chars().take(room).collect();
        let tail = if shown_after.len() < rest.len() { "…" } else { "" };
        let (before, marked, after) = (printable_line(&shown_before), printable_line(&marked), printable_line(&shown_after));
        let line = self.line.unwrap_or(1);
        let whole_line = head.is_empty() && tail.is_empty() && format!("{before}{marked}{after}") == line_text;
        if !whole_line {
            // Part of the line, or escaped: drawn here, with the real place in the header.
            let width = |text: &str| text.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum::<usize>();
            let number = line.to_string();
            let gutter = " ".repeat(number.len());
            let mut out = format!("{}: {}\n{gutter} ┌─ {}\n{gutter} │\n", self.severity_word(), shown(&self.message), self.location());
            out.push_str(&format!("{number} │ {head}{before}{marked}{after}{tail}\n"));
            out.push_str(&format!("{gutter} │ {}{}\n", " ".repeat(width(head) + width(&before)), "^".repeat(width(&marked).max(1))));
            if let Some(hint) = &self.hint {
                out.push_str(&format!("{gutter} │\n{gutter} = hint: {}\n", shown(hint)));
            }
            return out;
        }
        // The whole line, as it is: codespan draws it, given only that line (at its number).
        let mut source = "\n".repeat(line.saturating_sub(1));
        let start = source.len() + before.len();
        source.push_str(line_text);
        let range = start..start + marked.len();
        let file = SimpleFile::new(printable_line(&self.file.display().to_string()), source.as_str());
        let base = match self.severity {
            Severity::Error => cs::Diagnostic::error(),
            Severity::Warning => cs::Diagnostic::warning(),
            Severity::Note => cs::Diagnostic::note(),
        };
        let mut diagnostic = base.with_message(shown(&self.message)).with_labels(vec![cs::Label::primary((), range)]);
        if let Some(hint) = &self.hint {
            diagnostic = diagnostic.with_notes(vec![format!("hint: {}", shown(hint))]);
        }
        let config = term::Config::default();
        match term::emit_into_string(&config, &file, &diagnostic) {
            Ok(text) => text,
            Err(_) => self.render_plain(),
        }
    }

    /// The byte range of the reported line (or of the column's character on it).
    fn byte_range(&self, source: &str) -> std::ops::Range<usize> {
        let Some(line) = self.line else { return 0..0 };
        let mut start = 0;
        for (index, text) in source.split_inclusive('\n').enumerate() {
            if index + 1 == line {
                let trimmed = text.trim_end_matches(['\n', '\r']);
                if let Some(column) = self.column
                    && let Some((offset, ch)) = trimmed.char_indices().nth(column.saturating_sub(1))
                {
                    return start + offset..start + offset + ch.len_utf8();
                }
                return start..start + trimmed.len();
            }
            start += text.len();
        }
        source.len()..source.len()
    }

    fn severity_word(&self) -> &'static str {
        match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.location(), self.severity_word(), shown(&self.message))?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {})", shown(hint))?;
        }
        Ok(())
    }
}

/// A failed step: one or more error diagnostics (plus any warnings met on the way).
#[derive(Debug, Clone, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// A failure with a single diagnostic.
    pub fn one(diagnostic: Diagnostic) -> Self {
        Self(vec![diagnostic])
    }

    /// Whether any collected diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }

    /// Adds a diagnostic.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    /// Turns every warning into an error (`--deny-warnings`); notes stay notes.
    /// Returns whether any warning was turned.
    pub fn deny_warnings(&mut self) -> bool {
        let mut denied = false;
        for diagnostic in &mut self.0 {
            if diagnostic.severity == Severity::Warning {
                diagnostic.severity = Severity::Error;
                let note = "this warning is an error because of --deny-warnings";
                diagnostic.hint = Some(match diagnostic.hint.take() {
                    Some(hint) => format!("{hint}; {note}"),
                    None => note.to_string(),
                });
                denied = true;
            }
        }
        denied
    }

    /// The diagnostics that do not stop a build (warnings and notes).
    pub fn non_errors(&self) -> Vec<Diagnostic> {
        self.0.iter().filter(|d| !d.is_error()).cloned().collect()
    }

    /// Returns `Err(self)` when an error was collected, otherwise `Ok(value)`.
    pub fn into_result<T>(self, value: T) -> Result<T, Diagnostics> {
        if self.has_errors() { Err(self) } else { Ok(value) }
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, diagnostic) in self.0.iter().enumerate() {
            if index > 0 {
                writeln!(f)?;
            }
            write!(f, "{diagnostic}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

impl From<Diagnostic> for Diagnostics {
    fn from(diagnostic: Diagnostic) -> Self {
        Self::one(diagnostic)
    }
}

/// Describes an I/O failure on `path` in words an editor can act on.
/// The hint fits what was being done: reading (`action` "read …") or writing (anything else:
/// "write …", "create …", "rename …").
pub fn io_error(path: &Path, action: &str, error: &std::io::Error) -> Diagnostic {
    use std::io::ErrorKind;
    let writing = !action.starts_with("read");
    let hint = match (error.kind(), writing) {
        (ErrorKind::StorageFull | ErrorKind::QuotaExceeded, _) => "the disk is full: free some space, or write to another directory with --out",
        (ErrorKind::ReadOnlyFilesystem, _) => "the file system is read-only: write to another directory with --out",
        (ErrorKind::InvalidFilename, _) => "the file name is too long or not allowed here: shorten `output` in report.toml or the --out path",
        (ErrorKind::PermissionDenied, true) => "the directory is not writable: check its permissions, or write to another directory with --out",
        (ErrorKind::PermissionDenied, false) => "check the file's permissions",
        (ErrorKind::NotFound, false) => "check the file name and that the file exists",
        (ErrorKind::NotFound, true) => "check that the directory exists",
        (ErrorKind::IsADirectory, _) | (ErrorKind::NotADirectory, _) => "a directory stands where a file is expected, or the other way round: check the path",
        (_, false) => "check that the path is a readable file",
        (_, true) => "check that the output directory is writable and has space",
    };
    Diagnostic::error(path, format!("cannot {action}: {error}")).with_hint(hint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_text_is_printed_escaped_and_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a\u{1b}]0;title\u{7}.md");
        // One 5 MB line with an escape sequence where the error is.
        let long = format!("{}\u{1b}[2Jerror: forged\u{202e}{}\n", "甲".repeat(1_000_000), "乙".repeat(1_000_000));
        std::fs::write(&file, format!("# 一\n\n{long}")).unwrap();
        let diagnostic =
            Diagnostic::error(&file, format!("bad \u{1b}[31mred\u{1b}[0m {}", "长".repeat(100_000))).at(3, 1_000_001).with_hint("line one\nline two\u{9b}");
        for rendered in [diagnostic.render(), diagnostic.to_string(), Diagnostic { line: None, ..diagnostic.clone() }.render()] {
            assert!(!rendered.chars().any(|c| c != '\n' && is_unsafe(c)), "{rendered:?}");
            assert!(rendered.len() < 8_000, "{} bytes", rendered.len());
            assert!(rendered.lines().count() <= 20, "{rendered}");
            assert!(rendered.contains("\\u{1b}"), "{rendered}");
            assert!(rendered.contains("more characters"), "{rendered}");
        }
        let rendered = diagnostic.render();
        assert!(rendered.contains(":3:1000001"), "{rendered}");
        assert!(rendered.contains("\\u{1b}[2Jerror: forged\\u{202e}"), "the marked place is shown: {rendered}");
        assert_eq!(printable_line("a\nb\tc"), "a\\u{a}b\\u{9}c");
        assert_eq!(printable("a\nb"), "a\nb");
    }

    #[test]
    fn write_errors_get_hints_about_writing() {
        let full = io_error(Path::new("dist/a.pdf"), "write the output", &std::io::Error::from(std::io::ErrorKind::StorageFull));
        assert!(full.hint.as_deref().is_some_and(|h| h.contains("disk is full")), "{full}");
        let long = io_error(Path::new("dist/a.pdf"), "create a temporary file", &std::io::Error::from(std::io::ErrorKind::InvalidFilename));
        assert!(long.hint.as_deref().is_some_and(|h| h.contains("too long")), "{long}");
        let denied = io_error(Path::new("dist"), "create the output directory", &std::io::Error::from(std::io::ErrorKind::PermissionDenied));
        assert!(denied.hint.as_deref().is_some_and(|h| h.contains("not writable")), "{denied}");
        let missing = io_error(Path::new("a.md"), "read this text file", &std::io::Error::from(std::io::ErrorKind::NotFound));
        assert!(missing.hint.as_deref().is_some_and(|h| h.contains("exists")), "{missing}");
    }
}
