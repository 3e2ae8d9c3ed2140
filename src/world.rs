//! The Typst [`World`] a report is compiled in.
//!
//! The virtual file system Typst sees is deliberately small:
//! - `/document.json` and any other generated file: held in memory;
//! - `/manuscript/…`: files of the manuscript directory (images);
//! - every other path: the design directory (`assets/`), which holds the template.
//!
//! Paths are resolved against their real root and must stay inside it after symlinks are
//! followed; anything else is refused. Fonts come only from the [`FontSet`]. There is no
//! package access and no network.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_kit::files::{FileLoader, FileStore};

use crate::fonts::FontSet;

/// The virtual directory under which the manuscript's own files appear.
pub const MANUSCRIPT_PREFIX: &str = "/manuscript/";

/// Serves the files of one build.
struct Loader {
    design_root: PathBuf,
    manuscript_root: PathBuf,
    generated: HashMap<String, Bytes>,
}

impl Loader {
    fn real_path(&self, vpath: &VirtualPath) -> FileResult<PathBuf> {
        let wanted = vpath.get_with_slash();
        let (root, relative) = match wanted.strip_prefix(MANUSCRIPT_PREFIX) {
            Some(rest) => (&self.manuscript_root, rest),
            None => (&self.design_root, wanted.trim_start_matches('/')),
        };
        let relative = VirtualPath::new(relative).map_err(|_| FileError::AccessDenied)?;
        let joined = relative.realize(root).map_err(FileError::Realize)?;
        // Follow symlinks and refuse anything that ends up outside the root.
        let real_root = root.canonicalize().map_err(|e| FileError::from_io(e, root))?;
        let real = joined.canonicalize().map_err(|e| FileError::from_io(e, &joined))?;
        if !real.starts_with(&real_root) {
            return Err(FileError::AccessDenied);
        }
        Ok(real)
    }
}

impl FileLoader for Loader {
    fn load(&self, id: FileId) -> FileResult<Bytes> {
        if *id.root() != VirtualRoot::Project {
            return Err(FileError::Other(Some("packages are not available in reportpress builds".into())));
        }
        if let Some(bytes) = self.generated.get(id.vpath().get_with_slash()) {
            return Ok(bytes.clone());
        }
        let path = self.real_path(id.vpath())?;
        if path.is_dir() {
            return Err(FileError::IsDirectory);
        }
        std::fs::read(&path).map(Bytes::new).map_err(|e| FileError::from_io(e, &path))
    }
}

/// Everything Typst needs to compile one report.
pub struct ReportWorld {
    library: LazyHash<Library>,
    fonts: Arc<FontSet>,
    files: FileStore<Loader>,
    main: FileId,
    today: Option<Datetime>,
}

/// Interns a virtual project path such as `/report.typ`.
pub fn file_id(path: &str) -> FileId {
    let vpath = VirtualPath::new(path).unwrap_or_else(|_| VirtualPath::new("/invalid").expect("constant path is valid"));
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

impl ReportWorld {
    /// A world whose main file is `main` (a path in the design directory, e.g. `/report.typ`),
    /// with `generated` files served from memory and the report date as "today".
    pub fn new(
        fonts: Arc<FontSet>,
        design_root: &Path,
        manuscript_root: &Path,
        main: &str,
        generated: HashMap<String, Bytes>,
        date: Option<Datetime>,
    ) -> Self {
        let loader = Loader {
            design_root: design_root.to_path_buf(),
            manuscript_root: manuscript_root.to_path_buf(),
            generated,
        };
        Self {
            library: LazyHash::new(Library::builder().build()),
            fonts,
            files: FileStore::new(loader),
            main: file_id(main),
            today: date,
        }
    }

    /// The real file behind a virtual path, for mapping Typst diagnostics back to files.
    pub fn real_path_of(&self, id: FileId) -> Option<PathBuf> {
        let loader = self.files.loader();
        if loader.generated.contains_key(id.vpath().get_with_slash()) {
            return None;
        }
        loader.real_path(id.vpath()).ok()
    }
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.fonts.book()
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        self.files.source(id)
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.files.file(id)
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.font(index)
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        self.today
    }
}
