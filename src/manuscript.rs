//! A manuscript directory → the [`Document`] model.
//!
//! Reads `report.toml`, then every listed Markdown file in order, and collects all
//! problems of all files before failing, so an editor sees every mistake at once.

use std::path::{Path, PathBuf};

use crate::config::ReportConfig;
use crate::design::Design;
use crate::diagnostics::Severity;
use crate::data::DataSet;
use crate::{numbering, references, rules};
use crate::diagnostics::{Diagnostic, Diagnostics, io_error};
use crate::markdown::{self, Notes};
use crate::model::{Document, Metadata};

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
    pub fn load(root: &Path, design: &Design) -> Result<Self, Diagnostics> {
        if !root.is_dir() {
            return Err(Diagnostics::one(
                Diagnostic::error(root, "manuscript directory not found")
                    .with_hint("pass --manuscript DIR pointing at a directory that holds report.toml"),
            ));
        }
        let config = ReportConfig::load(root).map_err(Diagnostics)?;
        let data = DataSet::load(root)?;
        let mut diagnostics = Diagnostics::default();
        if let Err(broken) = rules::check(&data) {
            diagnostics.0.extend(broken.0);
        }
        let mut cross_refs = Vec::new();
        let mut notes = Notes::default();
        let mut blocks = Vec::new();
        for file in &config.files {
            let path = root.join(file);
            let text = match std::fs::read(&path) {
                Ok(bytes) => match decode_utf8(&path, &bytes) {
                    Ok(text) => text,
                    Err(diagnostic) => {
                        diagnostics.push(diagnostic);
                        continue;
                    }
                },
                Err(error) => {
                    let line = crate::config::REPORT_FILE;
                    let mut diagnostic = io_error(&path, "read this text file", &error);
                    diagnostic.hint = Some(format!("it is listed under `files` in {line}; check the name or remove it from the list"));
                    diagnostics.push(diagnostic);
                    continue;
                }
            };
            diagnostics.0.extend(markdown::undefined_footnotes(&text, root, file));
            let expanded = references::expand(&text, &data, root, file);
            diagnostics.0.extend(expanded.problems);
            cross_refs.extend(expanded.cross_refs);
            let context = markdown::ParseContext { data: &data, charts: design.charts.as_ref() };
            blocks.extend(markdown::parse(&expanded.text, &context, root, file, 1, &mut notes, &mut diagnostics));
        }
        notes.resolve(&mut blocks, &mut diagnostics, root);
        if let Err(unknown) = numbering::number(&mut blocks, &cross_refs, root) {
            diagnostics.0.extend(unknown.0);
        }
        if blocks.is_empty() && !diagnostics.has_errors() {
            diagnostics.push(
                Diagnostic::error(root.join(crate::config::REPORT_FILE), "the manuscript has no text")
                    .with_hint("write paragraphs into the files listed under `files`"),
            );
        }
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
        let warnings = diagnostics.0.iter().filter(|d| d.severity == Severity::Warning).cloned().collect();
        diagnostics.into_result(Manuscript { root: root.to_path_buf(), config, data, document, warnings })
    }

    /// The path of a manuscript-relative file.
    pub fn path_of(&self, relative: &Path) -> PathBuf {
        self.root.join(relative)
    }
}

/// Decodes a text file as UTF-8 (a leading BOM is dropped) or says where it is not UTF-8.
pub fn decode_utf8(path: &Path, bytes: &[u8]) -> Result<String, Diagnostic> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_string()),
        Err(error) => {
            let valid = &bytes[..error.valid_up_to()];
            let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
            let looks_like = if looks_like_gb18030(bytes) { " It looks like GBK/GB18030 (the Chinese Windows encoding)." } else { "" };
            Err(Diagnostic::error(path, format!("the file is not valid UTF-8 (byte offset {}).{looks_like}", error.valid_up_to()))
                .at_line(line)
                .with_hint("re-save the file as UTF-8 (in WPS/Excel/Notepad: Save As → Encoding: UTF-8)"))
        }
    }
}

/// Whether the bytes look like GBK/GB18030-encoded Chinese: mostly two-byte pairs with a
/// lead byte 0x81–0xFE and a trail byte 0x40–0xFE.
fn looks_like_gb18030(bytes: &[u8]) -> bool {
    let (mut pairs, mut bad, mut index) = (0usize, 0usize, 0usize);
    while index < bytes.len() {
        let byte = bytes[index];
        if byte < 0x80 {
            index += 1;
            continue;
        }
        match bytes.get(index + 1) {
            Some(&trail) if (0x81..=0xFE).contains(&byte) && (0x40..=0xFE).contains(&trail) && trail != 0x7F => {
                pairs += 1;
                index += 2;
            }
            _ => {
                bad += 1;
                index += 1;
            }
        }
    }
    pairs > 0 && bad * 10 <= pairs
}
