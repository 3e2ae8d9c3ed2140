//! Writing outputs atomically: a build either replaces a file with a complete new one or
//! leaves the previous file byte-for-byte as it was; and the editions of one build are
//! replaced together ([`commit`]): after any interruption, once the next `reportpress`
//! command has run ([`recover`]), the output directory holds all the old editions or all
//! the new ones, never a mix, and no temporary files.

use std::io::Write;
use std::path::{Path, PathBuf};

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

/// Held while editions are being replaced ([`commit`]), and by [`finish_on_signal`]'s
/// waiting thread before the process exits on SIGINT or SIGTERM: an interrupted process
/// never stops in the middle of a commit.
static COMMITTING: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Makes SIGINT and SIGTERM end the process only between commits, after completing or
/// clearing any commit in `out` (no staged or temporary files are left). Call before any
/// other thread starts: the signals are blocked in every thread and awaited by one.
#[cfg(unix)]
pub fn finish_on_signal(out: &Path) {
    // SAFETY: plain POSIX calls on a local, initialised signal set; the mask is set before
    // any other thread exists, so every later thread inherits it.
    let mut set: libc::sigset_t = unsafe { std::mem::zeroed() };
    unsafe {
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGINT);
        libc::sigaddset(&mut set, libc::SIGTERM);
        if libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) != 0 {
            return;
        }
    }
    let out = out.to_path_buf();
    std::thread::spawn(move || {
        let mut signal: libc::c_int = 0;
        // SAFETY: `set` is initialised above and `signal` is a valid place for the result.
        if unsafe { libc::sigwait(&set, &mut signal) } != 0 {
            return;
        }
        let _done = COMMITTING.lock();
        let _ = recover(&out);
        std::process::exit(128 + signal);
    });
}

/// The commit journal in an output directory: while it exists, the editions listed in it
/// are being replaced, and [`recover`] completes the replacement.
const JOURNAL: &str = ".reportpress-commit";
/// The suffix of a new edition written beside its target, waiting to be renamed over it.
const STAGED: &str = ".reportpress-new";

/// The staged file of `target`: `.<name>.reportpress-new` in the same directory.
fn staged(target: &Path) -> PathBuf {
    beside(target, STAGED)
}

/// Replaces every `(path, bytes)` of one build together, all in the directory `out`, like
/// a database commits (SQLite's journal): each new edition is first written beside its
/// target and synced; then a journal naming them is written and synced; then each is
/// renamed over its target; then the journal is removed. Killed before the journal exists,
/// the old editions stay (and the next run removes the staged files); killed after, the
/// next run completes the renames. Returns the paths that changed.
pub fn commit(out: &Path, outputs: &[(&Path, &[u8])]) -> Result<Vec<PathBuf>, Diagnostic> {
    let _committing = COMMITTING.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    recover(out)?;
    std::fs::create_dir_all(out).map_err(|e| io_error(out, "create the output directory", &e))?;
    let mut staged_files = Vec::new();
    let result = (|| {
        for (target, bytes) in outputs {
            let path = staged(target);
            staged_files.push(path.clone());
            let mut file = std::fs::File::create(&path).map_err(|e| io_error(&path, "write the output", &e))?;
            file.write_all(bytes).map_err(|e| io_error(&path, "write the output", &e))?;
            file.sync_all().map_err(|e| io_error(&path, "flush the output to disk", &e))?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(target).map(|m| m.permissions().mode() & 0o7777).unwrap_or(0o644);
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).map_err(|e| io_error(&path, "set the output's permissions", &e))?;
            }
        }
        let journal: String = outputs.iter().map(|(target, _)| format!("{}\n", target.file_name().map(|n| n.to_string_lossy()).unwrap_or_default())).collect();
        write_atomically(&out.join(JOURNAL), journal.as_bytes())?;
        Ok(())
    })();
    if let Err(error) = result {
        // Nothing was replaced: remove what was staged.
        staged_files.iter().for_each(|path| drop(std::fs::remove_file(path)));
        return Err(error);
    }
    // The old editions stay reachable (hard links) until every new one is in place, so a
    // rename that fails (a directory in the way, a full disk) puts them all back.
    let mut kept: Vec<(&Path, PathBuf)> = Vec::new();
    for (target, _) in outputs {
        let old = beside(target, OLD);
        let _ = std::fs::remove_file(&old);
        if std::fs::hard_link(target, &old).is_ok() {
            kept.push((target, old));
        }
    }
    let mut replaced: Vec<&Path> = Vec::new();
    for (target, _) in outputs {
        if let Err(error) = std::fs::rename(staged(target), target) {
            for done in &replaced {
                match kept.iter().find(|(t, _)| t == done) {
                    Some((_, old)) => drop(std::fs::rename(old, done)),
                    None => drop(std::fs::remove_file(done)),
                }
            }
            staged_files.iter().for_each(|path| drop(std::fs::remove_file(path)));
            kept.iter().for_each(|(_, old)| drop(std::fs::remove_file(old)));
            let _ = std::fs::remove_file(out.join(JOURNAL));
            let mut diagnostic = io_error(target, "move the finished output into place", &error);
            diagnostic.message.push_str("; the previous editions were put back, none was changed");
            return Err(diagnostic);
        }
        replaced.push(target);
    }
    kept.iter().for_each(|(_, old)| drop(std::fs::remove_file(old)));
    std::fs::remove_file(out.join(JOURNAL)).map_err(|e| io_error(out, "remove the commit journal", &e))?;
    Ok(outputs.iter().map(|(target, _)| target.to_path_buf()).collect())
}

/// The suffix of an old edition kept while a commit replaces it.
const OLD: &str = ".reportpress-old";

/// `.<name><suffix>` beside `target`.
fn beside(target: &Path, suffix: &str) -> PathBuf {
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    target.with_file_name(format!(".{name}{suffix}"))
}

/// Completes or clears an interrupted [`commit`] in `out`: with a journal, renames every
/// staged edition it names over its target and removes the journal; without one, removes
/// staged editions left by a build killed before it committed.
pub fn recover(out: &Path) -> Result<(), Diagnostic> {
    let journal = out.join(JOURNAL);
    match std::fs::read_to_string(&journal) {
        Ok(names) => {
            for name in names.lines().filter(|n| !n.is_empty() && !n.contains('/')) {
                let target = out.join(name);
                let path = staged(&target);
                if path.exists() {
                    std::fs::rename(&path, &target).map_err(|e| io_error(&target, "move the finished output into place", &e))?;
                }
            }
            std::fs::remove_file(&journal).map_err(|e| io_error(&journal, "remove the commit journal", &e))?;
            remove_leftovers(out);
        }
        Err(_) => remove_leftovers(out),
    }
    Ok(())
}

/// Removes what killed writes and commits leave in `out`: staged editions, kept old ones and
/// temporary files.
fn remove_leftovers(out: &Path) {
    let Ok(entries) = std::fs::read_dir(out) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let leftover = (name.starts_with('.') && (name.ends_with(STAGED) || name.ends_with(OLD))) || name.starts_with(".tmp");
        if leftover && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
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

#[cfg(test)]
mod commit_tests {
    use super::*;

    #[test]
    fn an_interrupted_commit_is_completed_and_a_killed_write_is_cleared() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("r.pdf"), dir.path().join("r.epub"));
        commit(dir.path(), &[(a.as_path(), b"old pdf".as_slice()), (b.as_path(), b"old epub".as_slice())]).unwrap();
        // Killed after the journal was written and one edition renamed: the next run
        // completes the other.
        std::fs::write(staged(&b), b"new epub").unwrap();
        std::fs::write(&a, b"new pdf").unwrap();
        std::fs::write(dir.path().join(JOURNAL), "r.pdf\nr.epub\n").unwrap();
        recover(dir.path()).unwrap();
        assert_eq!((std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap()), (b"new pdf".to_vec(), b"new epub".to_vec()));
        // Killed before the journal: the old editions stay, the staged ones are removed.
        std::fs::write(staged(&a), b"newer pdf").unwrap();
        std::fs::write(dir.path().join(".tmpX1y2"), b"half").unwrap();
        recover(dir.path()).unwrap();
        assert_eq!(std::fs::read(&a).unwrap(), b"new pdf");
        let names: Vec<String> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[test]
    fn a_failed_rename_puts_every_old_edition_back() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("r.pdf"), dir.path().join("r.epub"));
        std::fs::write(&a, b"old pdf").unwrap();
        // A non-empty directory where the EPUB goes: its rename fails after the PDF's.
        std::fs::create_dir_all(b.join("in-the-way")).unwrap();
        let error = commit(dir.path(), &[(a.as_path(), b"new pdf".as_slice()), (b.as_path(), b"new epub".as_slice())]).unwrap_err();
        assert!(error.message.contains("none was changed"), "{error}");
        assert_eq!(std::fs::read(&a).unwrap(), b"old pdf", "the PDF was not put back");
        let hidden: Vec<String> =
            std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).filter(|n| n.starts_with('.')).collect();
        assert!(hidden.is_empty(), "{hidden:?}");
    }
}
