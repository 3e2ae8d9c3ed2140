//! `reportpress import FILE --out DIR`: a manuscript made from a Word document (.docx) or
//! from hard-wrapped text extracted from a PDF. The input's kind is read from its first
//! bytes, not its name. Each reader makes a [`draft::Draft`]; [`write`] writes it into a new
//! or empty directory, so nothing is written when the input cannot be read.
//!
//! - [`reflow`]: hard-wrapped text → paragraphs, headings, byline, title and sidebar;
//! - [`docx`]: Word's OOXML (read with `zip` and `quick-xml`) → the same draft;
//! - [`patterns`]: numbered Chinese headings, for both readers;
//! - [`numbers`]: `--extract-numbers`, the prose's numbers into data tables;
//! - [`draft`]: what both produce; [`write`]: the draft as Markdown, TOML and images.

pub mod docx;
pub mod draft;
pub mod numbers;
pub mod patterns;
pub mod reflow;
pub mod write;

use std::path::{Path, PathBuf};

use crate::diagnostics::{Diagnostic, Diagnostics};

/// What an import did.
#[derive(Debug)]
pub struct Imported {
    /// The files written.
    pub written: Vec<PathBuf>,
    /// Notes and warnings about decisions the import was unsure of (also in IMPORT-NOTES.md).
    pub notes: Vec<Diagnostic>,
}

/// Options of `reportpress import`.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Accept a Word document's tracked changes (insertions kept, deletions dropped) and
    /// leave its comments out, instead of stopping with a list of them.
    pub accept_changes: bool,
    /// Move the numbers of the prose into proposed data tables and refer to them.
    pub extract_numbers: bool,
}

/// Largest input read: 200 MiB (a Word file with its pictures); text is limited to the
/// manuscript's own limit for one text file.
const MAX_INPUT_BYTES: u64 = 200 * 1024 * 1024;

/// Imports `input` into the new or empty directory `out`; `today` is the report's date
/// when the input carries none.
pub fn import(input: &Path, out: &Path, options: &ImportOptions, today: &str) -> Result<Imported, Diagnostics> {
    crate::starter::refuse_non_empty(out, "import")?;
    let bytes = read_input(input)?;
    let draft = if bytes.starts_with(b"PK\x03\x04") {
        docx::read(input, &bytes, options.accept_changes)?
    } else if bytes.starts_with(b"%PDF-") {
        return Err(Diagnostics::one(Diagnostic::error(input, "this is a PDF; import reads the text copied out of it").with_hint(format!(
            "extract the text first: pdftotext {} text.txt (poppler-utils), then reportpress import text.txt --out DIR",
            input.display()
        ))));
    } else if bytes.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        return Err(Diagnostics::one(ole_error(input, &bytes)));
    } else {
        let text = decode_text(input, &bytes)?;
        let mut draft = reflow::reflow(&text.0, input);
        if let Some(encoding) = text.1 {
            draft.notes.insert(0, Diagnostic::note(input, format!("the file was read as {encoding} and written as UTF-8")).at_line(1));
        }
        draft
    };
    let mut draft = draft;
    if draft.blocks.is_empty() && draft.title.is_none() {
        return Err(Diagnostics::one(Diagnostic::error(input, "the file holds no text to import").with_hint("check that the path names the intended file")));
    }
    if options.extract_numbers {
        numbers::extract(&mut draft, input);
    }
    if draft.date.is_none() {
        draft.notes.push(Diagnostic::note(input, format!("the input carries no date: today's date ({today}) was used; change `date` in report.toml")));
    }
    // A document that opens with an unnumbered heading and names no title opens with its title.
    if draft.title.is_none()
        && let Some(draft::Block::Heading { text, .. }) = draft.blocks.first()
        && patterns::numbered_heading(text).is_none()
    {
        draft.notes.insert(0, Diagnostic::note(input, format!("`{text}`, the heading the document opens with, was taken as its title")));
        draft.title = Some(text.clone());
        draft.blocks.remove(0);
    }
    if draft.title.is_none() {
        let stem = input.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        draft.notes.push(Diagnostic::note(input, format!("no title was found: the file's name `{stem}` was used; change `title` in report.toml")));
    }
    refuse_what_would_not_build(input, out, &draft, today)?;
    let written = write::write(out, &draft, input, today)?;
    Ok(Imported { written, notes: draft.notes })
}

/// Writes the manuscript into a temporary directory first and loads it as `check` does:
/// when it would not build (a picture that is damaged or holds a script, a control
/// character, a title too long, a chain of notes …), nothing is written to `out` and each
/// problem is reported where it would be in the manuscript, after an error naming the input.
fn refuse_what_would_not_build(input: &Path, out: &Path, draft: &draft::Draft, today: &str) -> Result<(), Diagnostics> {
    let staging = tempfile::tempdir().map_err(|e| Diagnostics::one(crate::diagnostics::io_error(Path::new("."), "make a temporary directory", &e)))?;
    let name = out.file_name().map_or_else(|| std::ffi::OsString::from("report"), |n| n.to_os_string());
    let trial = staging.path().join(name);
    write::write(&trial, draft, input, today)?;
    let (_, found) = crate::manuscript::Manuscript::load_checked(&trial);
    if !found.has_errors() {
        return Ok(());
    }
    let errors: Vec<Diagnostic> = found
        .0
        .into_iter()
        .filter(Diagnostic::is_error)
        .map(|mut error| {
            if let Ok(relative) = error.file.strip_prefix(&trial) {
                error.message = format!("{} (as it would be written): {}", relative.display(), error.message);
                error.file = out.join(relative);
            }
            error
        })
        .collect();
    let mut all = vec![
        Diagnostic::error(input, format!("the manuscript made from this file would not build ({} problem(s) below), so nothing was written", errors.len()))
            .with_hint("correct the places below in the input and import it again"),
    ];
    all.extend(errors);
    Err(Diagnostics(all))
}

fn read_input(input: &Path) -> Result<Vec<u8>, Diagnostic> {
    match crate::access::read(input, MAX_INPUT_BYTES) {
        Ok(bytes) => Ok(bytes),
        Err(crate::access::Refused::NotRegular(kind)) => {
            Err(Diagnostic::error(input, format!("this is not a regular file (it is {kind})")).with_hint("name a .docx or .txt file"))
        }
        Err(crate::access::Refused::TooLarge { size, .. }) => {
            Err(Diagnostic::error(input, format!("the file is {} MiB; the limit is {} MiB", size >> 20, MAX_INPUT_BYTES >> 20))
                .with_hint("check that the path names the intended file"))
        }
        Err(refused) => Err(refused.diagnostic(input, "the file to import")),
    }
}

/// An OLE2 compound file: a binary Word document (.doc) or an encrypted (password-protected)
/// Office file, which keeps its OOXML package in an `EncryptedPackage` stream.
fn ole_error(input: &Path, bytes: &[u8]) -> Diagnostic {
    let utf16 = |name: &str| name.encode_utf16().flat_map(u16::to_le_bytes).collect::<Vec<u8>>();
    let encrypted = bytes.windows(32).any(|w| w.starts_with(&utf16("EncryptedPackage")));
    if encrypted {
        Diagnostic::error(input, "the document is protected by a password (encrypted), so it cannot be read")
            .with_hint("open it in Word or WPS, remove the password (File → Info → Protect Document), save, and import again")
    } else {
        Diagnostic::error(input, "this is a binary Word document (.doc, Word 97–2003), which import does not read")
            .with_hint("save it as .docx (File → Save As → Word Document), or convert it: soffice --headless --convert-to docx FILE.doc")
    }
}

/// Text in UTF-8 (with or without a BOM), UTF-16 with a BOM, or GB18030/GBK; returns the
/// text and the encoding it was converted from.
fn decode_text(input: &Path, bytes: &[u8]) -> Result<(String, Option<&'static str>), Diagnostic> {
    if bytes.len() as u64 > crate::source::MAX_TEXT_BYTES {
        return Err(Diagnostic::error(
            input,
            format!("the text is {} MiB; the limit for one text is {} MiB", bytes.len() >> 20, crate::source::MAX_TEXT_BYTES >> 20),
        )
        .with_hint("split the text into parts and import each"));
    }
    if let Some((encoding, _)) = encoding_rs::Encoding::for_bom(bytes)
        && encoding != encoding_rs::UTF_8
    {
        let (text, _, errors) = encoding.decode(bytes);
        if errors {
            return Err(
                Diagnostic::error(input, format!("the file starts like {} but does not decode as it", encoding.name())).with_hint("re-save the file as UTF-8")
            );
        }
        return Ok((text.into_owned(), Some(encoding.name())));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        if text.contains('\0') {
            return Err(Diagnostic::error(input, "the file holds NUL bytes: it is not a text file (or UTF-16 without a byte order mark)")
                .with_hint("import a .docx, or a text file in UTF-8 or GB18030"));
        }
        return Ok((text.to_string(), None));
    }
    let (text, errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    if errors || text.contains('\0') {
        return Err(Diagnostic::error(input, "the file is neither a Word document (.docx) nor text in UTF-8 or GB18030/GBK")
            .with_hint("import a .docx, or save the text as UTF-8"));
    }
    Ok((text.into_owned(), Some("GB18030 (GBK)")))
}
