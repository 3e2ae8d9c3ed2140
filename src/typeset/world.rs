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

use super::fonts::FontSet;

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
        let root = if id.vpath().get_with_slash().starts_with(MANUSCRIPT_PREFIX) { &self.manuscript_root } else { &self.design_root };
        // Through the access layer: inside its root, a regular file (a FIFO would block),
        // of bounded size, checked before it is read.
        let bytes = crate::access::read_within(root, &path, MAX_FILE_BYTES).map_err(|refused| match refused {
            crate::access::Refused::Io(error) => FileError::from_io(error, &path),
            crate::access::Refused::Outside(_) => FileError::AccessDenied,
            crate::access::Refused::NotRegular("a directory") => FileError::IsDirectory,
            other => FileError::Other(Some(format!("{}: {other}", path.display()).into())),
        })?;
        // A picture of the design is held to the manuscript's pixel limit: its header says
        // how large it decodes, before Typst decodes it.
        if matches!(typst::visualize::ImageFormat::detect(&bytes), Some(typst::visualize::ImageFormat::Raster(_)))
            && let Ok(size) = imagesize::blob_size(&bytes)
        {
            let pixels = size.width as u64 * size.height as u64;
            if pixels > crate::manuscript::images::MAX_IMAGE_PIXELS {
                return Err(FileError::Other(Some(
                    format!(
                        "{} is {} × {} pixels; the limit is {} million pixels",
                        path.display(),
                        size.width,
                        size.height,
                        crate::manuscript::images::MAX_IMAGE_PIXELS / 1_000_000
                    )
                    .into(),
                )));
            }
        }
        Ok(Bytes::new(bytes))
    }
}

/// Largest file Typst may read from the design or the manuscript: 64 MiB (the manuscript's
/// images are at most 50 MiB, `manuscript::images::MAX_IMAGE_BYTES`).
const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

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
    pub fn new(fonts: Arc<FontSet>, design_root: &Path, manuscript_root: &Path, main: &str, generated: HashMap<String, Bytes>, date: Option<Datetime>) -> Self {
        let loader = Loader { design_root: design_root.to_path_buf(), manuscript_root: manuscript_root.to_path_buf(), generated };
        Self { library: LazyHash::new(Library::builder().build()), fonts, files: FileStore::new(loader), main: file_id(main), today: date }
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

#[cfg(test)]
mod tests {
    //! Containment: the template can read the design directory and the manuscript's own
    //! files, and nothing else — not through `..`, not through absolute paths, not through
    //! symlinks that point out of either root.

    use super::*;

    struct Roots {
        _dir: tempfile::TempDir,
        loader: Loader,
        outside: PathBuf,
    }

    /// A design root, a manuscript root and a secret file beside (outside) both.
    fn roots() -> Roots {
        let dir = tempfile::tempdir().expect("temp dir");
        let design = dir.path().join("assets");
        let manuscript = dir.path().join("manuscript");
        std::fs::create_dir_all(&design).unwrap();
        std::fs::create_dir_all(manuscript.join("images")).unwrap();
        std::fs::write(design.join("report.typ"), "design").unwrap();
        std::fs::write(manuscript.join("images/ok.svg"), "image").unwrap();
        let outside = dir.path().join("secret.txt");
        std::fs::write(&outside, "secret").unwrap();
        let loader =
            Loader { design_root: design, manuscript_root: manuscript, generated: HashMap::from([("/document.json".to_string(), Bytes::new(b"{}".to_vec()))]) };
        Roots { _dir: dir, loader, outside }
    }

    /// Loads a virtual project path; `None` when the path cannot even be written as a
    /// virtual path (Typst refuses it before it reaches the loader).
    fn load(loader: &Loader, path: &str) -> Option<FileResult<Bytes>> {
        let vpath = VirtualPath::new(path).ok()?;
        Some(loader.load(RootedPath::new(VirtualRoot::Project, vpath).intern()))
    }

    fn refused(result: Option<FileResult<Bytes>>) -> bool {
        match result {
            None => true,
            Some(Err(_)) => true,
            Some(Ok(_)) => false,
        }
    }

    #[test]
    fn the_roots_own_files_load() {
        let roots = roots();
        assert_eq!(load(&roots.loader, "/report.typ").unwrap().unwrap().as_slice(), b"design");
        assert_eq!(load(&roots.loader, "/manuscript/images/ok.svg").unwrap().unwrap().as_slice(), b"image");
        assert_eq!(load(&roots.loader, "/document.json").unwrap().unwrap().as_slice(), b"{}");
    }

    #[test]
    fn parent_and_absolute_paths_are_refused() {
        let roots = roots();
        for path in [
            "/../../etc/passwd",
            "../../etc/passwd",
            "/../secret.txt",
            "/manuscript/../../secret.txt",
            "/manuscript/../../../etc/passwd",
            "/manuscript/images/../../../secret.txt",
            "/manuscript//etc/passwd",
            "//etc/passwd",
            "/etc/passwd",
            "/manuscript/%2e%2e/secret.txt",
        ] {
            assert!(refused(load(&roots.loader, path)), "{path} was served");
        }
        // Whatever the spelling, the secret's bytes are never served.
        for path in ["/../secret.txt", "/manuscript/../secret.txt", "/manuscript/../../secret.txt"] {
            if let Some(Ok(bytes)) = load(&roots.loader, path) {
                assert_ne!(bytes.as_slice(), b"secret", "{path} served the secret");
            }
        }
    }

    #[test]
    fn symlinks_out_of_the_roots_are_refused() {
        let roots = roots();
        let manuscript = roots.loader.manuscript_root.clone();
        let design = roots.loader.design_root.clone();
        std::os::unix::fs::symlink(&roots.outside, manuscript.join("images/evil.png")).unwrap();
        std::os::unix::fs::symlink("/etc", manuscript.join("etc")).unwrap();
        std::os::unix::fs::symlink(&roots.outside, design.join("evil.typ")).unwrap();
        std::os::unix::fs::symlink(roots.outside.parent().unwrap(), design.join("up")).unwrap();
        for path in ["/manuscript/images/evil.png", "/manuscript/etc/passwd", "/evil.typ", "/up/secret.txt"] {
            let result = load(&roots.loader, path).expect("a valid virtual path");
            assert!(matches!(result, Err(FileError::AccessDenied)), "{path}: {result:?}");
        }
        // A link that stays inside the root is fine.
        std::os::unix::fs::symlink(manuscript.join("images/ok.svg"), manuscript.join("images/alias.svg")).unwrap();
        assert_eq!(load(&roots.loader, "/manuscript/images/alias.svg").unwrap().unwrap().as_slice(), b"image");
    }

    #[test]
    fn the_world_serves_no_packages_and_no_directories() {
        let roots = roots();
        let spec: typst::syntax::package::PackageSpec = "@preview/example:0.1.0".parse().expect("spec");
        let id = RootedPath::new(VirtualRoot::Package(spec), VirtualPath::new("/lib.typ").unwrap()).intern();
        assert!(roots.loader.load(id).is_err());
        assert!(matches!(load(&roots.loader, "/manuscript/images").unwrap(), Err(FileError::IsDirectory)));
    }
}
