//! Writing outputs atomically: a build either replaces a file with a complete new one or
//! leaves the previous file byte-for-byte as it was.

use std::io::Write;
use std::path::Path;

use crate::diagnostics::{Diagnostic, io_error};

/// Writes `bytes` to `path` through a temporary file in the same directory, synced and
/// then renamed over the target, so a crash or error never leaves a truncated file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Diagnostic> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(|e| io_error(dir, "create the output directory", &e))?;
    let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(|e| io_error(dir, "create a temporary file", &e))?;
    temp.write_all(bytes).map_err(|e| io_error(temp.path(), "write the output", &e))?;
    temp.as_file().sync_all().map_err(|e| io_error(temp.path(), "flush the output to disk", &e))?;
    // Temporary files are private (0600); a published edition is readable like any file
    // the user writes: keep the old file's mode, or use 0644.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).map(|m| m.permissions().mode() & 0o7777).unwrap_or(0o644);
        std::fs::set_permissions(temp.path(), std::fs::Permissions::from_mode(mode)).map_err(|e| io_error(temp.path(), "set the output's permissions", &e))?;
    }
    temp.persist(path).map_err(|e| io_error(path, "move the finished output into place", &e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_content_and_leaves_no_temporary_files() {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("out.pdf");
        write_atomically(&target, b"first").expect("first write");
        write_atomically(&target, b"second").expect("second write");
        assert_eq!(std::fs::read(&target).expect("read back"), b"second");
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn outputs_are_readable_by_others_like_normal_files() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("out.pdf");
        write_atomically(&target, b"x").expect("write");
        let mode = std::fs::metadata(&target).expect("stat").permissions().mode() & 0o777;
        assert_eq!(mode, 0o644);
    }
}
