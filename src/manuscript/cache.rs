//! What the front end keeps between builds of one process (watch mode), so an edit to one
//! paragraph re-reads everything but re-parses only what changed: the data tables while no
//! file under `data/` changed, and each text file's blocks while neither its text, the data
//! tables nor the images it shows changed. The passes always run on the whole model (they
//! number and resolve across files).

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::data::{DATA_DIR, DataSet};
use crate::diagnostics::Diagnostic;
use crate::model::walk;
use crate::model::{Block, BlockKind};

/// A file as last seen: its path, size and modification time.
type Stamp = (PathBuf, u64, Option<SystemTime>);

/// The front end's memory of earlier builds (see the module documentation).
#[derive(Default)]
pub struct FrontEndCache {
    /// The data tables, the problems found in them, and the files they were read from.
    data: Option<(Vec<Stamp>, DataSet, Vec<Diagnostic>)>,
    /// Bumped whenever the data tables are read again: parses made before are stale.
    data_generation: u64,
    /// Each text file's last parse.
    files: HashMap<PathBuf, ParsedFile>,
}

/// One text file as parsed, before the passes.
#[derive(Clone)]
pub(crate) struct ParsedFile {
    text: String,
    data_generation: u64,
    images: Vec<Stamp>,
    /// The file's blocks.
    pub blocks: Vec<Block>,
    /// Problems found while parsing it (none: only clean parses are kept).
    pub diagnostics: Vec<Diagnostic>,
    /// Targets of its directives that failed.
    pub failed_targets: BTreeSet<String>,
}

/// The size and modification time of `path`.
fn stamp(path: &Path) -> Stamp {
    let metadata = std::fs::metadata(path).ok();
    (path.to_path_buf(), metadata.as_ref().map_or(0, |m| m.len()), metadata.and_then(|m| m.modified().ok()))
}

/// Every file below `dir`, stamped, in a stable order.
fn stamps_below(dir: &Path, out: &mut Vec<Stamp>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            stamps_below(&path, out);
        } else {
            out.push(stamp(&path));
        }
    }
}

impl FrontEndCache {
    /// The data tables of `root` and the problems found in them (rules checked), read again
    /// only when a file under `data/` changed.
    pub(crate) fn data(&mut self, root: &Path, load: impl FnOnce() -> (DataSet, Vec<Diagnostic>)) -> (DataSet, Vec<Diagnostic>) {
        let mut stamps = Vec::new();
        stamps_below(&root.join(DATA_DIR), &mut stamps);
        if let Some((seen, data, problems)) = &self.data
            && *seen == stamps
        {
            return (data.clone(), problems.clone());
        }
        let (data, problems) = load();
        self.data = Some((stamps, data.clone(), problems.clone()));
        self.data_generation += 1;
        self.files.clear();
        (data, problems)
    }

    /// The parse of `file` (whose text is `text`), made by `parse` unless an earlier clean
    /// parse of the same text with the same data and unchanged images is kept.
    pub(crate) fn parse(&mut self, root: &Path, file: &Path, text: &str, parse: impl FnOnce() -> ParsedFile) -> ParsedFile {
        if let Some(kept) = self.files.get(file)
            && kept.text == text
            && kept.data_generation == self.data_generation
            && kept.images.iter().all(|image| stamp(&image.0) == *image)
        {
            return kept.clone();
        }
        let mut parsed = parse();
        parsed.text = text.to_string();
        parsed.data_generation = self.data_generation;
        walk::blocks(&parsed.blocks, &mut |block| {
            if let BlockKind::Image { path, .. } = &block.kind {
                parsed.images.push(stamp(&root.join(path)));
            }
        });
        if parsed.diagnostics.iter().any(Diagnostic::is_error) {
            self.files.remove(file);
        } else {
            self.files.insert(file.to_path_buf(), parsed.clone());
        }
        parsed
    }

    /// Forgets the files not in `files` (removed from the manuscript).
    pub(crate) fn keep_only(&mut self, files: &[PathBuf]) {
        self.files.retain(|file, _| files.contains(file));
    }
}

impl ParsedFile {
    /// A fresh parse's result.
    pub(crate) fn new(blocks: Vec<Block>, diagnostics: Vec<Diagnostic>, failed_targets: BTreeSet<String>) -> Self {
        ParsedFile { text: String::new(), data_generation: 0, images: Vec::new(), blocks, diagnostics, failed_targets }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_parsed_again_only_when_its_text_data_or_images_change() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("data")).unwrap();
        std::fs::create_dir_all(root.join("images")).unwrap();
        std::fs::write(root.join("data/t.toml"), "a").unwrap();
        std::fs::write(root.join("images/a.png"), "x").unwrap();
        let mut cache = FrontEndCache::default();
        let image = Block {
            kind: BlockKind::Image {
                path: "images/a.png".into(),
                alt: "a".into(),
                caption: Vec::new(),
                number: 0,
                label: String::new(),
                anchor: String::new(),
                bleed: false,
            },
            source: crate::model::SourcePos { file: "t.md".into(), line: 1 },
        };
        let parses = std::cell::Cell::new(0);
        let parse = |cache: &mut FrontEndCache, text: &str| {
            cache.data(root, || (DataSet::default(), Vec::new()));
            cache.parse(root, Path::new("t.md"), text, || {
                parses.set(parses.get() + 1);
                ParsedFile::new(vec![image.clone()], Vec::new(), BTreeSet::new())
            });
        };
        parse(&mut cache, "one");
        parse(&mut cache, "one");
        assert_eq!(parses.get(), 1, "the same text is not parsed again");
        parse(&mut cache, "two");
        assert_eq!(parses.get(), 2, "new text is parsed");
        std::fs::write(root.join("data/t.toml"), "changed data").unwrap();
        parse(&mut cache, "two");
        assert_eq!(parses.get(), 3, "changed data makes every file stale");
        std::fs::write(root.join("images/a.png"), "a changed image").unwrap();
        parse(&mut cache, "two");
        assert_eq!(parses.get(), 4, "a changed image makes its file stale");
        parse(&mut cache, "two");
        assert_eq!(parses.get(), 4);
    }
}
