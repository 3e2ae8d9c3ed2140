//! The zip package of a Word document, read with limits: at most [`MAX_ENTRIES`] entries,
//! an XML part of at most [`MAX_XML_BYTES`] and a picture of at most [`MAX_MEDIA_BYTES`]
//! once decompressed, [`MAX_TOTAL_BYTES`] in all — whatever sizes the archive declares, so
//! a zip bomb is refused after reading no more than the limit.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use super::xml::{self, Node};
use crate::diagnostics::Diagnostic;

/// Most entries a package may have.
pub const MAX_ENTRIES: usize = 20_000;
/// Largest XML part, decompressed: 64 MiB (a 1 000-page document.xml is about 20 MiB).
pub const MAX_XML_BYTES: u64 = 64 * 1024 * 1024;
/// Largest picture, decompressed: 50 MiB, as for a manuscript's images.
pub const MAX_MEDIA_BYTES: u64 = 50 * 1024 * 1024;
/// Most bytes decompressed from one package: 512 MiB.
pub const MAX_TOTAL_BYTES: u64 = 512 * 1024 * 1024;

/// A relationship of a part: where it points and whether that is outside the package.
#[derive(Debug, Clone)]
pub struct Relationship {
    /// The relationship type's last path segment (`image`, `hyperlink`, `footnotes`).
    pub kind: String,
    /// The target: a part name inside the package, or an address for external targets.
    pub target: String,
    /// `TargetMode="External"` (hyperlinks).
    pub external: bool,
}

/// An opened package.
pub struct Package<'a> {
    input: &'a Path,
    archive: zip::ZipArchive<std::io::Cursor<&'a [u8]>>,
    decompressed: u64,
}

impl<'a> Package<'a> {
    /// Opens the zip archive in `bytes` (the file `input`).
    pub fn open(input: &'a Path, bytes: &'a [u8]) -> Result<Self, Diagnostic> {
        let archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| {
            Diagnostic::error(input, format!("the file is not a readable .docx: its zip archive is damaged ({e})"))
                .with_hint("open it in Word or WPS and save it again, or ask for a fresh copy")
        })?;
        if archive.len() > MAX_ENTRIES {
            return Err(Diagnostic::error(input, format!("the archive has {} entries; a Word document has far fewer (limit {MAX_ENTRIES})", archive.len()))
                .with_hint("check that the file is a Word document"));
        }
        Ok(Self { input, archive, decompressed: 0 })
    }

    /// Whether the package has this part.
    pub fn has(&self, name: &str) -> bool {
        self.archive.index_for_name(name).is_some()
    }

    /// The bytes of a part, or `None` when it is absent; refused over `limit`.
    pub fn bytes(&mut self, name: &str, limit: u64) -> Result<Option<Vec<u8>>, Diagnostic> {
        let input = self.input;
        let Some(index) = self.archive.index_for_name(name) else { return Ok(None) };
        let mut entry = self.archive.by_index(index).map_err(|e| {
            let encrypted = e.to_string().contains("assword");
            if encrypted {
                Diagnostic::error(input, format!("{name} is encrypted in the archive (a password-protected file)"))
                    .with_hint("remove the password in Word or WPS, save, and import again")
            } else {
                Diagnostic::error(input, format!("cannot read {name} from the archive: {e}")).with_hint("open the document in Word or WPS and save it again")
            }
        })?;
        let room = limit.min(MAX_TOTAL_BYTES.saturating_sub(self.decompressed));
        let mut bytes = Vec::new();
        (&mut entry).take(room + 1).read_to_end(&mut bytes).map_err(|e| {
            Diagnostic::error(input, format!("cannot decompress {name}: {e}"))
                .with_hint("the archive is damaged: open the document in Word or WPS and save it again")
        })?;
        if bytes.len() as u64 > room {
            let what = if room < limit {
                format!("the package decompresses to more than {} MiB in all", MAX_TOTAL_BYTES >> 20)
            } else {
                format!("{name} decompresses to more than {} MiB", limit >> 20)
            };
            return Err(Diagnostic::error(input, format!("{what}; this is not an ordinary Word document (a zip bomb?)"))
                .with_hint("check where the file came from; save it again from Word if it is genuine"));
        }
        self.decompressed += bytes.len() as u64;
        Ok(Some(bytes))
    }

    /// A part parsed as XML, or `None` when it is absent.
    pub fn xml(&mut self, name: &str) -> Result<Option<Node>, Diagnostic> {
        let input = self.input;
        let Some(bytes) = self.bytes(name, MAX_XML_BYTES)? else { return Ok(None) };
        let text = String::from_utf8(bytes).map_err(|_| xml::part_error(input, format!("{name} is not UTF-8 text")))?;
        xml::parse(name, text.trim_start_matches('\u{feff}')).map(Some).map_err(|m| xml::part_error(input, m))
    }

    /// The relationships of `part` (from `_rels/<part>.rels` beside it), by id.
    pub fn relationships(&mut self, part: &str) -> Result<HashMap<String, Relationship>, Diagnostic> {
        let (dir, file) = part.rsplit_once('/').unwrap_or(("", part));
        let rels_name = if dir.is_empty() { format!("_rels/{file}.rels") } else { format!("{dir}/_rels/{file}.rels") };
        let mut out = HashMap::new();
        let Some(root) = self.xml(&rels_name)? else { return Ok(out) };
        for rel in root.elements().filter(|e| e.name == "Relationship") {
            let (Some(id), Some(target)) = (rel.attr("Id"), rel.attr("Target")) else { continue };
            let external = rel.attr("TargetMode") == Some("External");
            let kind = rel.attr("Type").and_then(|t| t.rsplit('/').next()).unwrap_or_default().to_string();
            let target = if external { target.to_string() } else { resolve(dir, target) };
            out.insert(id.to_string(), Relationship { kind, target, external });
        }
        Ok(out)
    }
}

/// A relationship target relative to the directory `dir` of its part, as a part name.
fn resolve(dir: &str, target: &str) -> String {
    let mut parts: Vec<&str> = if target.starts_with('/') { Vec::new() } else { dir.split('/').filter(|p| !p.is_empty()).collect() };
    for segment in target.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    #[test]
    fn targets_resolve_against_their_part() {
        assert_eq!(super::resolve("word", "media/image1.png"), "word/media/image1.png");
        assert_eq!(super::resolve("word", "../customXml/item1.xml"), "customXml/item1.xml");
        assert_eq!(super::resolve("word", "/word/media/a.png"), "word/media/a.png");
    }
}
