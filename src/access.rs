//! Reading the files reportpress is given: the one layer every command reads through
//! (manuscript text and data, images, design files, fonts, styles, the proof's snapshot,
//! git index entries, PDFs to review, files to import).
//!
//! Every read here:
//! - with a root ([`read_within`], [`open_within`]): resolves the path with symlinks
//!   followed and refuses it when it leads outside the root, then opens the resolved path
//!   without following a link put there since;
//! - opens without blocking and accepts only regular files (a FIFO, device or socket would
//!   block the build or never end);
//! - checks the size against a limit before reading a byte, and reads at most one byte over
//!   it (a file that grows while it is read is refused too).
//!
//! A leaf module: it knows files, not what is in them. [`Refused::diagnostic`] words a
//! refusal for the user.

use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::diagnostics::{Diagnostic, io_error};

/// Why a file was not read.
#[derive(Debug)]
pub enum Refused {
    /// The file could not be opened or read (missing, no permission …).
    Io(std::io::Error),
    /// With symlinks followed, the path leads outside its root: the real path.
    Outside(PathBuf),
    /// Not a regular file: what it is ("a directory", "a FIFO (named pipe)" …).
    NotRegular(&'static str),
    /// Larger than the limit, in bytes.
    TooLarge {
        /// The file's size (or as much as was read of it).
        size: u64,
        /// The limit.
        limit: u64,
    },
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refused::Io(error) => write!(f, "{error}"),
            Refused::Outside(_) => write!(f, "it is a link to a file outside the directory it must be in"),
            Refused::NotRegular(kind) => write!(f, "it is {kind}, not a regular file"),
            Refused::TooLarge { size, limit } => write!(f, "the file is {}; the limit is {}", human_size(*size), human_size(*limit)),
        }
    }
}

impl Refused {
    /// The refusal as an error at `path`: "cannot read {what}: …", with a hint.
    pub fn diagnostic(&self, path: &Path, what: &str) -> Diagnostic {
        match self {
            Refused::Io(error) => io_error(path, &format!("read {what}"), error),
            Refused::Outside(_) => {
                Diagnostic::error(path, format!("cannot read {what}: {self}")).with_hint("copy the file into the directory instead of linking to it")
            }
            Refused::NotRegular(_) => Diagnostic::error(path, format!("cannot read {what}: {self}")).with_hint("name a regular file"),
            Refused::TooLarge { .. } => Diagnostic::error(path, format!("cannot read {what}: {self}"))
                .with_hint("check that the path names the intended file, or make the file smaller"),
        }
    }

    /// Whether the file does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Refused::Io(error) if error.kind() == std::io::ErrorKind::NotFound)
    }
}

impl From<std::io::Error> for Refused {
    fn from(error: std::io::Error) -> Self {
        Refused::Io(error)
    }
}

/// `12.3 MiB`, `512 KiB`, `900 bytes`.
pub fn human_size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{:.1} GiB", b as f64 / (1u64 << 30) as f64),
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / (1u64 << 20) as f64),
        b if b >= 1 << 10 => format!("{:.0} KiB", b as f64 / 1024.0),
        b => format!("{b} bytes"),
    }
}

/// The real path of `path` (symlinks followed), refused when it lies outside the real `root`.
pub fn resolve(root: &Path, path: &Path) -> Result<PathBuf, Refused> {
    let real_root = root.canonicalize()?;
    let real = path.canonicalize()?;
    if !real.starts_with(&real_root) {
        return Err(Refused::Outside(real));
    }
    Ok(real)
}

/// What a file that is not regular is, in words.
fn kind_of(file_type: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return "a device";
        }
    }
    if file_type.is_dir() { "a directory" } else { "not a file" }
}

/// Opens `path` for reading without blocking (so a FIFO is refused, not waited on) and,
/// with `no_follow`, without following a symlink in its last component.
fn open_regular(path: &Path, limit: u64, no_follow: bool) -> Result<(File, u64), Refused> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let follow = if no_follow { libc::O_NOFOLLOW } else { 0 };
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY | follow);
    }
    let file = options.open(path).map_err(|error| {
        // O_NOFOLLOW on a link: the link appeared after the path was resolved.
        if error.raw_os_error() == Some(libc::ELOOP) { Refused::Outside(path.to_path_buf()) } else { Refused::Io(error) }
    })?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(Refused::NotRegular(kind_of(metadata.file_type())));
    }
    if metadata.len() > limit {
        return Err(Refused::TooLarge { size: metadata.len(), limit });
    }
    Ok((file, metadata.len()))
}

/// Reads all of `file` (of `size` bytes, as its metadata said), at most `limit` bytes.
fn read_all(file: File, size: u64, limit: u64) -> Result<Vec<u8>, Refused> {
    let mut bytes = Vec::with_capacity(size.min(limit) as usize);
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(Refused::TooLarge { size: bytes.len() as u64, limit });
    }
    Ok(bytes)
}

/// Opens the regular file `path` (a path the user named, symlinks followed), refused when
/// it is larger than `limit` bytes; with its size.
pub fn open(path: &Path, limit: u64) -> Result<(File, u64), Refused> {
    open_regular(path, limit, false)
}

/// Reads the regular file `path` (a path the user named, symlinks followed), at most `limit` bytes.
pub fn read(path: &Path, limit: u64) -> Result<Vec<u8>, Refused> {
    let (file, size) = open(path, limit)?;
    read_all(file, size, limit)
}

/// Reads the regular file `path` without following a symlink in its last component (a
/// file reportpress itself writes, such as the commit journal), at most `limit` bytes.
pub fn read_no_follow(path: &Path, limit: u64) -> Result<Vec<u8>, Refused> {
    let (file, size) = open_regular(path, limit, true)?;
    read_all(file, size, limit)
}

/// Opens the regular file `path`, which must lie inside `root` with symlinks followed, and
/// is refused when it is larger than `limit` bytes; with its size.
pub fn open_within(root: &Path, path: &Path, limit: u64) -> Result<(File, u64), Refused> {
    let real = resolve(root, path)?;
    open_regular(&real, limit, true)
}

/// Reads the regular file `path`, which must lie inside `root` with symlinks followed, at
/// most `limit` bytes.
pub fn read_within(root: &Path, path: &Path, limit: u64) -> Result<Vec<u8>, Refused> {
    let (file, size) = open_within(root, path, limit)?;
    read_all(file, size, limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_inside_and_refuses_links_out_special_files_and_large_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::write(root.join("sub/a.txt"), "inside").unwrap();
        std::fs::write(dir.path().join("secret.txt"), "outside").unwrap();
        assert_eq!(read_within(&root, &root.join("sub/a.txt"), 100).unwrap(), b"inside");
        assert_eq!(read_within(&root, &root.join("sub/../sub/a.txt"), 100).unwrap(), b"inside");
        assert!(matches!(read_within(&root, &root.join("../secret.txt"), 100), Err(Refused::Outside(_))));
        assert!(matches!(read_within(&root, &root.join("sub/a.txt"), 3), Err(Refused::TooLarge { size: 6, limit: 3 })));
        assert!(matches!(read_within(&root, &root.join("sub"), 100), Err(Refused::NotRegular("a directory"))));
        assert!(read_within(&root, &root.join("none.txt"), 100).is_err_and(|r| r.is_not_found()));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("../secret.txt", root.join("leak.txt")).unwrap();
            assert!(matches!(read_within(&root, &root.join("leak.txt"), 100), Err(Refused::Outside(_))));
            std::os::unix::fs::symlink("sub/a.txt", root.join("fine.txt")).unwrap();
            assert_eq!(read_within(&root, &root.join("fine.txt"), 100).unwrap(), b"inside");
            let fifo = root.join("pipe");
            let name = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
            // SAFETY: a valid NUL-terminated path.
            assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
            // Refused at once, not waited on.
            assert!(matches!(read_within(&root, &fifo, 100), Err(Refused::NotRegular("a FIFO (named pipe)"))));
            assert!(matches!(read(&fifo, 100), Err(Refused::NotRegular(_))));
        }
        let message = Refused::TooLarge { size: 5 << 20, limit: 1 << 20 }.diagnostic(Path::new("x.bib"), "the bibliography").message;
        assert_eq!(message, "cannot read the bibliography: the file is 5.0 MiB; the limit is 1.0 MiB");
    }
}
