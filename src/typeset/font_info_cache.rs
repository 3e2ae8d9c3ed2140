//! Typst's description of each font face (family, variant, coverage), kept on disk between
//! runs.
//!
//! Describing a pinned CJK face means reading a character map of some 65 000 glyphs: about
//! 2 ms per face, 6 faces per report, so more time than parsing the whole manuscript. Like
//! fontconfig's cache, the descriptions are stored under the user's cache directory
//! (`$XDG_CACHE_HOME/reportpress`, else `~/.cache/reportpress`), keyed by each file's path,
//! size and modification time, the face indices and this program's version. A missing,
//! stale or unreadable cache only costs the time it saves: the faces are then described
//! again (in parallel) and the cache rewritten atomically; failing to write it is ignored.
//! Only the [`KEEP`] most recently written files are kept.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use typst::foundations::Bytes;
use typst::text::FontInfo;

/// The file a face was loaded from, its bytes (shared by all faces of the file) and its
/// index in the collection.
#[derive(Clone)]
pub struct FaceSource {
    /// The font file.
    pub path: PathBuf,
    /// The whole file's bytes.
    pub data: Bytes,
    /// The face's index in the collection (0 for a single font).
    pub index: u32,
}

/// Bumped when the stored format changes.
const FORMAT: &str = "font-info-v1";
/// How many cache files are kept (one per fonts directory and state of its files, ~60 KB
/// each); the least recently written go first, so the cache never grows without bound.
const KEEP: usize = 16;

/// The descriptions of `faces`, in order (`None` for a face Typst cannot describe).
pub fn describe(faces: &[FaceSource]) -> Vec<Option<FontInfo>> {
    describe_in(crate::source::user_cache_dir().as_deref(), faces)
}

/// [`describe`] with the cache in `dir` (none: always describe).
pub fn describe_in(dir: Option<&Path>, faces: &[FaceSource]) -> Vec<Option<FontInfo>> {
    let file = dir.and_then(|dir| key(faces).map(|key| dir.join(format!("{FORMAT}-{key}.json"))));
    if let Some(cached) = file.as_deref().and_then(read)
        && cached.len() == faces.len()
    {
        return cached;
    }
    let infos: Vec<Option<FontInfo>> = std::thread::scope(|scope| {
        let workers: Vec<_> = faces.iter().map(|face| scope.spawn(|| FontInfo::new(&face.data, face.index))).collect();
        workers.into_iter().map(|worker| worker.join().ok().flatten()).collect()
    });
    if let Some(file) = &file {
        write(file, &infos);
    }
    infos
}

/// A hash of everything the descriptions depend on; `None` when a file cannot be examined.
fn key(faces: &[FaceSource]) -> Option<String> {
    let mut hasher = Sha256::new();
    hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
    for face in faces {
        let metadata = std::fs::metadata(&face.path).ok()?;
        let modified = metadata.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?;
        let path = face.path.canonicalize().ok()?;
        hasher.update(path.to_string_lossy().as_bytes());
        hasher.update([0]);
        hasher.update(metadata.len().to_le_bytes());
        hasher.update(modified.as_nanos().to_le_bytes());
        hasher.update(face.index.to_le_bytes());
    }
    Some(hasher.finalize().iter().take(16).map(|b| format!("{b:02x}")).collect())
}

fn read(file: &Path) -> Option<Vec<Option<FontInfo>>> {
    serde_json::from_slice(&std::fs::read(file).ok()?).ok()
}

/// Writes the cache file atomically (a reader never sees half a file); errors are ignored.
fn write(file: &Path, infos: &[Option<FontInfo>]) {
    let Some(dir) = file.parent() else { return };
    let Ok(json) = serde_json::to_vec(infos) else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let Ok(mut temporary) = tempfile::NamedTempFile::new_in(dir) else { return };
    if std::io::Write::write_all(&mut temporary, &json).is_ok() && temporary.persist(file).is_ok() {
        prune(dir, KEEP);
    }
}

/// Deletes all but the `keep` most recently written cache files in `dir`.
fn prune(dir: &Path, keep: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(FORMAT))
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    files.sort_by_key(|(written, _)| std::cmp::Reverse(*written));
    for (_, stale) in files.into_iter().skip(keep) {
        let _ = std::fs::remove_file(stale);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every face of every pinned font file.
    fn pinned_faces() -> Vec<FaceSource> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts");
        let mut paths: Vec<PathBuf> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "ttc")).collect();
        paths.sort();
        let mut faces = Vec::new();
        for path in paths {
            let data = Bytes::new(std::fs::read(&path).unwrap());
            let count = ttf_parser::fonts_in_collection(&data).unwrap_or(1);
            faces.extend((0..count).take(2).map(|index| FaceSource { path: path.clone(), data: data.clone(), index }));
        }
        faces
    }

    #[test]
    fn cached_descriptions_equal_fresh_ones_and_a_changed_file_is_described_again() {
        let faces = pinned_faces();
        let fresh = describe_in(None, &faces);
        assert!(fresh.iter().all(Option::is_some));
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(describe_in(Some(dir.path()), &faces), fresh, "first run (writes the cache)");
        let written: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().path()).collect();
        assert_eq!(written.len(), 1, "one cache file: {written:?}");
        assert_eq!(read(&written[0]).as_ref(), Some(&fresh), "the cache holds the descriptions");
        assert_eq!(describe_in(Some(dir.path()), &faces), fresh, "second run (reads the cache)");

        // A font file that changes (here: another file with the same name) gets a new key,
        // so a description is never taken for the wrong file.
        let copy_dir = tempfile::tempdir().unwrap();
        let first = &faces[0];
        let copy = copy_dir.path().join(first.path.file_name().unwrap());
        std::fs::copy(&first.path, &copy).unwrap();
        let moved = vec![FaceSource { path: copy.clone(), ..first.clone() }];
        let before = key(&moved).unwrap();
        std::fs::write(&copy, b"not a font any more").unwrap();
        assert_ne!(key(&moved).unwrap(), before);

        // A corrupt cache file is ignored and replaced.
        std::fs::write(&written[0], b"{ not json").unwrap();
        assert_eq!(describe_in(Some(dir.path()), &faces), fresh);
        assert_eq!(read(&written[0]).as_ref(), Some(&fresh));
    }

    #[test]
    fn only_the_newest_cache_files_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let base = std::time::SystemTime::now() - std::time::Duration::from_secs(1000);
        for n in 0..5u64 {
            let path = dir.path().join(format!("{FORMAT}-{n}.json"));
            std::fs::write(&path, b"[]").unwrap();
            let file = std::fs::File::options().write(true).open(&path).unwrap();
            file.set_modified(base + std::time::Duration::from_secs(n * 10)).unwrap();
        }
        std::fs::write(dir.path().join("other.json"), b"x").unwrap();
        prune(dir.path(), 2);
        let mut left: Vec<String> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        left.sort();
        assert_eq!(left, [format!("{FORMAT}-3.json"), format!("{FORMAT}-4.json"), "other.json".to_string()]);
    }
}
