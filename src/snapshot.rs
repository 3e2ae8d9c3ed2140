//! The manuscript a proof was made from, carried inside the proof: every text and data file
//! of the manuscript directory as it was, attached to the proof PDF as
//! `manuscript-snapshot.json` (a PDF/A-3 "source" attachment). `build --format proof --since
//! OLD-PROOF.pdf` restores it to compare with the manuscript now, so a change proof needs
//! neither git nor a committed revision.
//!
//! Pictures are recorded by name and SHA-256 only (the proof already shows them, and change
//! proofs compare figures by name and caption); restoring takes them from the manuscript on
//! disk, under their name or, when renamed, by their hash.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::diagnostics::{Diagnostic, Diagnostics, io_error};

/// The attachment's file name inside the proof PDF.
pub const ATTACHMENT_NAME: &str = "manuscript-snapshot.json";

/// What the snapshot's `format` field says (and must say when read back).
const FORMAT: &str = "reportpress-manuscript-snapshot/1";

/// Files larger than this are recorded by hash only (a manuscript's text and tables are far
/// smaller; this keeps a stray archive or video out of the proof).
const MAX_STORED_BYTES: u64 = 8 * 1024 * 1024;

/// Most bytes a snapshot read back from a proof may hold, decompressed and decoded: a
/// manuscript's text is at most 12 MiB (`source::MAX_MANUSCRIPT_BYTES`), and its tables
/// come in base64 beside it.
const MAX_SNAPSHOT_BYTES: u64 = 64 * 1024 * 1024;

/// Pictures: recorded by name and hash, not stored.
const PICTURE_EXTENSIONS: [&str; 10] = ["png", "jpg", "jpeg", "gif", "webp", "svg", "tif", "tiff", "bmp", "avif"];

/// The manuscript directory as a proof was made from it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Snapshot {
    /// Always [`FORMAT`].
    pub format: String,
    /// The revision the proof's footer prints (a git revision, possibly `+修改`, or a content hash).
    pub revision: String,
    /// Every file, by path relative to the manuscript directory (`/`-separated), sorted.
    pub files: Vec<SnapshotFile>,
}

/// One file of a [`Snapshot`]: its text, its bytes, or (a picture) only its hash.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SnapshotFile {
    /// The path relative to the manuscript directory, `/`-separated.
    pub path: String,
    /// The file's text, when it is UTF-8 text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The file's bytes in base64, when it is stored but is not UTF-8 (an Excel table, a GBK CSV).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base64: Option<String>,
    /// The SHA-256 of a file recorded but not stored (pictures, very large files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

impl Snapshot {
    /// Records the manuscript directory `root` (hidden files and folders, and `skip` — the
    /// output directory when it lies inside — left out).
    pub fn take(root: &Path, skip: &[PathBuf], revision: &str) -> Result<Self, Diagnostics> {
        let skip: Vec<PathBuf> = skip.iter().filter_map(|p| p.canonicalize().ok()).collect();
        let mut files = Vec::new();
        collect(root, root, &skip, &mut files)?;
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(Snapshot { format: FORMAT.to_string(), revision: revision.to_string(), files })
    }

    /// The snapshot as the JSON attached to the proof.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The snapshot attached to a PDF made by reportpress: `Ok(None)` when the PDF carries
    /// none (a print edition, or a proof made before proofs carried one).
    pub fn from_pdf(document: &lopdf::Document) -> Result<Option<Self>, String> {
        let Some(bytes) = attachment(document, ATTACHMENT_NAME, MAX_SNAPSHOT_BYTES)? else { return Ok(None) };
        let snapshot: Snapshot = serde_json::from_slice(&bytes).map_err(|e| format!("its manuscript snapshot cannot be read: {e}"))?;
        if snapshot.format != FORMAT {
            return Err(format!("its manuscript snapshot is of another format ({}); this reportpress reads {FORMAT}", snapshot.format));
        }
        // What the files would take once decoded, checked before any is decoded.
        let mut total = 0u64;
        for file in &snapshot.files {
            let stored = file.text.as_ref().map_or(0, |t| t.len() as u64) + file.base64.as_ref().map_or(0, |b| b.len() as u64 / 4 * 3);
            if stored > MAX_STORED_BYTES {
                return Err(format!(
                    "its manuscript snapshot claims {} for {}; a snapshot stores files of at most {}",
                    crate::access::human_size(stored),
                    file.path,
                    crate::access::human_size(MAX_STORED_BYTES)
                ));
            }
            total += stored;
        }
        if total > MAX_SNAPSHOT_BYTES {
            return Err(format!(
                "its manuscript snapshot holds {}; the limit is {}",
                crate::access::human_size(total),
                crate::access::human_size(MAX_SNAPSHOT_BYTES)
            ));
        }
        Ok(Some(snapshot))
    }

    /// Writes the snapshot's files into `dir`; pictures are copied from the manuscript now
    /// (`current`), under their name or, when renamed since, found by their hash.
    pub fn restore(&self, dir: &Path, current: &Path, proof: &Path) -> Result<(), Diagnostics> {
        let mut by_hash: Option<Vec<(String, PathBuf)>> = None;
        for file in &self.files {
            let relative = Path::new(&file.path);
            if relative.is_absolute() || relative.components().any(|c| !matches!(c, std::path::Component::Normal(_))) {
                return Err(Diagnostics::one(Diagnostic::error(proof, format!("its manuscript snapshot names a file outside the manuscript: {}", file.path))));
            }
            let target = dir.join(relative);
            let bytes = if let Some(text) = &file.text {
                text.clone().into_bytes()
            } else if let Some(encoded) = &file.base64 {
                base64::engine::general_purpose::STANDARD
                    .decode(encoded)
                    .map_err(|e| Diagnostics::one(Diagnostic::error(proof, format!("its manuscript snapshot holds a damaged copy of {}: {e}", file.path))))?
            } else {
                let wanted = file.sha256.clone().unwrap_or_default();
                let same_name = current.join(relative);
                if same_name.is_file() {
                    crate::access::read_within(current, &same_name, crate::manuscript::images::MAX_IMAGE_BYTES)
                        .map_err(|r| Diagnostics::one(r.diagnostic(&same_name, "this picture")))?
                } else {
                    let hashes = match &mut by_hash {
                        Some(hashes) => hashes,
                        None => by_hash.insert(hash_pictures(current)),
                    };
                    let Some((_, found)) = hashes.iter().find(|(hash, _)| *hash == wanted) else {
                        return Err(Diagnostics::one(
                            Diagnostic::error(proof, format!("the earlier proof shows the picture {}, which is no longer in the manuscript", file.path))
                                .with_hint("put the picture back under that name for the comparison, or compare with a git revision: --since <commit>"),
                        ));
                    };
                    crate::access::read_within(current, found, crate::manuscript::images::MAX_IMAGE_BYTES)
                        .map_err(|r| Diagnostics::one(r.diagnostic(found, "this picture")))?
                }
            };
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(|e| Diagnostics::one(io_error(parent, "make a directory", &e)))?;
            }
            std::fs::write(&target, bytes).map_err(|e| Diagnostics::one(io_error(&target, "write the earlier manuscript", &e)))?;
        }
        Ok(())
    }
}

/// Adds the files below `dir` to `files`: regular files and links to regular files inside
/// `root` (a link leading outside is left out: nothing outside the manuscript goes into the
/// proof); folders only when they are real folders. Pictures and large files are hashed as
/// they are read, not held in memory.
fn collect(root: &Path, dir: &Path, skip: &[PathBuf], files: &mut Vec<SnapshotFile>) -> Result<(), Diagnostics> {
    let entries = std::fs::read_dir(dir).map_err(|e| Diagnostics::one(io_error(dir, "read this folder of the manuscript", &e)))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let hidden = path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if hidden || path.canonicalize().is_ok_and(|real| skip.contains(&real)) {
            continue;
        }
        // Folders are entered only when they are real folders (a link could lead anywhere).
        let Ok(meta) = std::fs::symlink_metadata(&path) else { continue };
        if meta.is_dir() {
            collect(root, &path, skip, files)?;
            continue;
        }
        // Regular files inside the manuscript only: FIFOs, devices and links leading
        // outside are left out.
        let Ok((file, size)) = crate::access::open_within(root, &path, u64::MAX) else { continue };
        let Ok(relative) = path.strip_prefix(root) else { continue };
        let relative = relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
        let extension = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
        let read_error = |e: std::io::Error| Diagnostics::one(io_error(&path, "read this file of the manuscript", &e));
        let mut record = SnapshotFile { path: relative, text: None, base64: None, sha256: None };
        if PICTURE_EXTENSIONS.contains(&extension.as_str()) || size > MAX_STORED_BYTES {
            let mut hasher = Sha256::new();
            std::io::copy(&mut std::io::Read::take(file, size), &mut hasher).map_err(read_error)?;
            record.sha256 = Some(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect());
        } else {
            let mut bytes = Vec::with_capacity(size as usize);
            std::io::Read::read_to_end(&mut std::io::Read::take(file, MAX_STORED_BYTES), &mut bytes).map_err(read_error)?;
            match String::from_utf8(bytes) {
                Ok(text) => record.text = Some(text),
                Err(not_text) => record.base64 = Some(base64::engine::general_purpose::STANDARD.encode(not_text.into_bytes())),
            }
        }
        files.push(record);
    }
    Ok(())
}

/// Every picture below `root`, with its hash (for pictures renamed since the proof).
fn hash_pictures(root: &Path) -> Vec<(String, PathBuf)> {
    let mut files = Vec::new();
    let _ = collect(root, root, &[], &mut files);
    files.into_iter().filter_map(|f| f.sha256.map(|hash| (hash, root.join(&f.path)))).collect()
}

/// The bytes of the file attached to `document` under `name`: a file specification
/// (`/Type /Filespec`) whose `/UF` or `/F` is `name`, its `/EF /F` stream decompressed to
/// at most `limit` bytes (a compressed bomb is refused, not inflated).
fn attachment(document: &lopdf::Document, name: &str, limit: u64) -> Result<Option<Vec<u8>>, String> {
    use lopdf::Object;
    let names_it = |dict: &lopdf::Dictionary| {
        ["UF", "F"].iter().any(|key| matches!(dict.get(key.as_bytes()), Ok(Object::String(bytes, _)) if decode_pdf_string(bytes) == name))
    };
    for object in document.objects.values() {
        let Object::Dictionary(dict) = object else { continue };
        if !dict.get(b"Type").and_then(Object::as_name).is_ok_and(|t| t == b"Filespec") || !names_it(dict) {
            continue;
        }
        let embedded = match dict.get(b"EF") {
            Ok(Object::Reference(id)) => document.get_dictionary(*id).ok(),
            Ok(Object::Dictionary(d)) => Some(d),
            _ => None,
        };
        let Some(embedded) = embedded else { continue };
        let Ok(stream_id) = embedded.get(b"F").and_then(Object::as_reference) else { continue };
        let Ok(stream) = document.get_object(stream_id).and_then(Object::as_stream) else { continue };
        let too_large = || format!("its manuscript snapshot is larger than {}, the limit", crate::access::human_size(limit));
        if stream.filters().is_ok_and(|f| f.is_empty()) || stream.dict.get(b"Filter").is_err() {
            return if stream.content.len() as u64 > limit { Err(too_large()) } else { Ok(Some(stream.content.clone())) };
        }
        return match stream.decompressed_content_with_limit(limit as usize) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. })) => Err(too_large()),
            Err(error) => Err(format!("its manuscript snapshot cannot be decompressed: {error}")),
        };
    }
    Ok(None)
}

/// A PDF text string: UTF-16BE with a byte-order mark, or (for ASCII names) PDFDocEncoding.
fn decode_pdf_string(bytes: &[u8]) -> String {
    if let Some(utf16) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = utf16.chunks_exact(2).map(|pair| u16::from_be_bytes([pair[0], pair[1]])).collect();
        return String::from_utf16_lossy(&units);
    }
    bytes.iter().map(|&b| b as char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_keeps_text_and_tables_and_records_pictures_by_hash() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("m");
        std::fs::create_dir_all(root.join("text")).unwrap();
        std::fs::create_dir_all(root.join("images")).unwrap();
        std::fs::create_dir_all(root.join(".git")).unwrap();
        std::fs::write(root.join("report.toml"), "title = \"年报\"\n").unwrap();
        std::fs::write(root.join("text/a.md"), "# 一\n\n正文。\n").unwrap();
        std::fs::write(root.join("data.csv"), [0xC4u8, 0xEA, 0x2C, 0x31, 0x0A]).unwrap(); // GBK 年,1
        std::fs::write(root.join("images/p.png"), b"\x89PNG fake").unwrap();
        std::fs::write(root.join(".git/HEAD"), "ref").unwrap();
        let snapshot = Snapshot::take(&root, &[], "abc1234").unwrap();
        let paths: Vec<&str> = snapshot.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["data.csv", "images/p.png", "report.toml", "text/a.md"]);
        assert_eq!(snapshot.files[3].text.as_deref(), Some("# 一\n\n正文。\n"));
        assert!(snapshot.files[0].base64.is_some() && snapshot.files[1].sha256.is_some() && snapshot.files[1].text.is_none());

        // Restored next to a manuscript whose picture was renamed.
        std::fs::rename(root.join("images/p.png"), root.join("images/q.png")).unwrap();
        let back: Snapshot = serde_json::from_str(&snapshot.to_json()).unwrap();
        let restored = dir.path().join("r");
        back.restore(&restored, &root, Path::new("proof.pdf")).unwrap();
        assert_eq!(std::fs::read(restored.join("data.csv")).unwrap(), [0xC4u8, 0xEA, 0x2C, 0x31, 0x0A]);
        assert_eq!(std::fs::read(restored.join("images/p.png")).unwrap(), b"\x89PNG fake");
        assert_eq!(std::fs::read_to_string(restored.join("text/a.md")).unwrap(), "# 一\n\n正文。\n");

        // A picture that is gone is named.
        std::fs::remove_file(root.join("images/q.png")).unwrap();
        let error = back.restore(&dir.path().join("r2"), &root, Path::new("proof.pdf")).unwrap_err();
        assert!(error.0[0].message.contains("images/p.png"), "{:?}", error.0[0].message);
    }

    #[test]
    fn a_snapshot_refuses_paths_outside_the_manuscript() {
        let dir = tempfile::tempdir().unwrap();
        let snapshot = Snapshot {
            format: FORMAT.to_string(),
            revision: "x".to_string(),
            files: vec![SnapshotFile { path: "../evil.md".to_string(), text: Some("x".to_string()), base64: None, sha256: None }],
        };
        assert!(snapshot.restore(&dir.path().join("r"), dir.path(), Path::new("p.pdf")).is_err());
        assert!(!dir.path().join("evil.md").exists());
    }
}
