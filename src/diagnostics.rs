//! User-facing diagnostics: what went wrong, in which manuscript file and line, and what to do.
//!
//! Every module reports problems as [`Diagnostic`]s; several can be collected into one
//! [`Diagnostics`] error so an editor sees all mistakes of a run at once. Rendering uses
//! `codespan-reporting`, which prints the offending source line under the message.

use std::fmt;
use std::path::{Path, PathBuf};

use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term;

/// Largest file read back to show the offending line: as large as a manuscript text file
/// may be (`source::MAX_TEXT_BYTES`); a larger file is named without a snippet.
const SNIPPET_FILE_BYTES: u64 = 12 * 1024 * 1024;

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

    /// The location as `file:line:column`, as far as it is known.
    pub fn location(&self) -> String {
        match (self.line, self.column) {
            (Some(line), Some(column)) => format!("{}:{line}:{column}", self.file.display()),
            (Some(line), None) => format!("{}:{line}", self.file.display()),
            _ => self.file.display().to_string(),
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
        let mut out = format!("{}: {}\n  --> {}\n", self.severity_word(), self.message, self.location());
        if let Some(hint) = &self.hint {
            out.push_str(&format!("  = hint: {hint}\n"));
        }
        out
    }

    fn render_with_source(&self, source: &str) -> String {
        let range = self.byte_range(source);
        let file = SimpleFile::new(self.file.display().to_string(), source);
        let base = match self.severity {
            Severity::Error => cs::Diagnostic::error(),
            Severity::Warning => cs::Diagnostic::warning(),
            Severity::Note => cs::Diagnostic::note(),
        };
        let mut diagnostic = base.with_message(&self.message).with_labels(vec![cs::Label::primary((), range)]);
        if let Some(hint) = &self.hint {
            diagnostic = diagnostic.with_notes(vec![format!("hint: {hint}")]);
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
        write!(f, "{}: {}: {}", self.location(), self.severity_word(), self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
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
