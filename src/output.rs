//! Writing outputs atomically: a build either replaces a file with a complete new one or
//! leaves the previous file byte-for-byte as it was; and the editions of one build are
//! replaced together ([`commit`]): after any interruption, once the next `reportpress`
//! command has run ([`recover`]), the output directory holds all the old editions or all
//! the new ones, never a mix, and nothing of the commit.
//!
//! What a commit writes it creates itself, exclusively: a journal (`.reportpress-commit`,
//! created new) naming a staging directory of its own (`.reportpress-staging-…`, created
//! new, private) in which every new edition is created new — so a link planted in the
//! output directory is never written through. Clean-up removes only what a journal names:
//! never a file by the look of its name, so the user's `.tmp_notes.txt` or
//! `report.pdf.reportpress-new` stay. Commits and recoveries of one output directory take
//! turns (an advisory lock on the directory), so a `review` beside a build never clears the
//! build's commit.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::diagnostics::{Diagnostic, io_error};

/// Writes `bytes` to `path` atomically: a one-file [`commit`] in its directory, so a crash
/// or error never leaves a truncated file, and nothing is written through a planted link.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Diagnostic> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    commit(dir, &[(path, bytes)]).map(|_| ())
}

/// Held while editions are being replaced ([`commit`]), and by [`finish_on_signal`]'s
/// waiting thread before the process exits on SIGINT or SIGTERM: an interrupted process
/// never stops in the middle of a commit.
static COMMITTING: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Waits for a commit under way in this process to finish and keeps any other from
/// starting: for a process about to exit (see [`crate::watchdog`]).
pub fn hold_commits() {
    std::mem::forget(COMMITTING.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
}

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

/// The commit journal in an output directory: while it exists, a commit is under way or was
/// interrupted, and [`recover`] completes or clears it.
const JOURNAL: &str = ".reportpress-commit";
/// The first line of a journal.
const JOURNAL_FORMAT: &str = "reportpress-commit/2";
/// The start of a staging directory's name (the rest: process id and time).
const STAGING_PREFIX: &str = ".reportpress-staging-";
/// Largest journal read back: it names a directory and the editions of one build.
const MAX_JOURNAL_BYTES: u64 = 64 * 1024;

/// What a journal says: the staging directory, whether the new editions are all staged
/// (the renames may start), and the editions' file names in order (the `i`-th is staged
/// as `.new-i`, its old edition kept as `.old-i`: hidden names, which watch mode ignores).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Journal {
    staging: String,
    committing: bool,
    targets: Vec<String>,
}

impl Journal {
    fn render(&self) -> String {
        let state = if self.committing { "commit" } else { "staging" };
        let mut text = format!("{JOURNAL_FORMAT}\n{state}\n{}\n", self.staging);
        self.targets.iter().for_each(|t| text.push_str(&format!("{t}\n")));
        text
    }

    /// Reads a journal; `None` when it is not one this version wrote, or names anything but
    /// a staging directory and plain file names of the output directory.
    fn parse(text: &str) -> Option<Journal> {
        let mut lines = text.lines();
        if lines.next()? != JOURNAL_FORMAT {
            return None;
        }
        let committing = match lines.next()? {
            "commit" => true,
            "staging" => false,
            _ => return None,
        };
        let staging = lines.next()?.to_string();
        let plain = |name: &str| !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\', '\0']);
        if !staging.starts_with(STAGING_PREFIX) || !plain(&staging) {
            return None;
        }
        let targets: Vec<String> = lines.map(str::to_string).collect();
        targets.iter().all(|t| plain(t)).then_some(Journal { staging, committing, targets })
    }
}

/// An exclusive advisory lock on an output directory, held while a commit or a recovery
/// runs there (released when dropped, or when the process dies).
struct DirLock(File);

impl DirLock {
    fn take(dir: &Path) -> Result<DirLock, Diagnostic> {
        let file = File::open(dir).map_err(|e| io_error(dir, "open the output directory", &e))?;
        #[cfg(unix)]
        {
            use std::os::fd::AsRawFd;
            loop {
                // SAFETY: flock on a descriptor this function owns.
                if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } == 0 {
                    break;
                }
                let error = std::io::Error::last_os_error();
                if error.kind() != std::io::ErrorKind::Interrupted {
                    return Err(io_error(dir, "lock the output directory", &error));
                }
            }
        }
        Ok(DirLock(file))
    }

    /// Makes the directory's entries (created, renamed, removed) durable.
    fn sync(&self) {
        let _ = self.0.sync_all();
    }
}

/// Creates `path` new (never opening what is there, a link included) and writes `bytes`,
/// synced, with permissions `mode`.
fn create_new(path: &Path, bytes: &[u8], mode: u32) -> Result<(), Diagnostic> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| io_error(path, "write the output", &e))?;
    file.write_all(bytes).map_err(|e| io_error(path, "write the output", &e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(mode)).map_err(|e| io_error(path, "set the output's permissions", &e))?;
    }
    #[cfg(not(unix))]
    let _ = mode;
    file.sync_all().map_err(|e| io_error(path, "flush the output to disk", &e))
}

/// A published edition is readable like any file the user writes: the old file's mode, or 0644.
fn mode_of(target: &Path) -> u32 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(target).map(|m| m.permissions().mode() & 0o7777).unwrap_or(0o644)
    }
    #[cfg(not(unix))]
    {
        let _ = target;
        0o644
    }
}

/// Writes the journal: created new at `OUT/.reportpress-commit` the first time, then
/// replaced by a rename from inside the staging directory (atomic).
fn write_journal(out: &Path, journal: &Journal, first: bool) -> Result<(), Diagnostic> {
    let path = out.join(JOURNAL);
    if first {
        return create_new(&path, journal.render().as_bytes(), 0o600).map_err(|mut d| {
            d.message = format!("cannot start the commit: {}", d.message);
            d
        });
    }
    let next = out.join(&journal.staging).join(".journal");
    create_new(&next, journal.render().as_bytes(), 0o600)?;
    std::fs::rename(&next, &path).map_err(|e| io_error(&path, "write the commit journal", &e))
}

/// Replaces every `(path, bytes)` of one build together, all in the directory `out`, like
/// a database commits (SQLite's journal): a journal naming a new staging directory and the
/// editions is created; each new edition is created in the staging directory and synced;
/// the journal is marked "commit"; each is renamed over its target; then the staging
/// directory and the journal are removed. Killed before the mark, the old editions stay
/// (and the next run removes what the journal names); killed after, the next run completes
/// the renames. Returns the paths that changed.
pub fn commit(out: &Path, outputs: &[(&Path, &[u8])]) -> Result<Vec<PathBuf>, Diagnostic> {
    let _committing = COMMITTING.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    std::fs::create_dir_all(out).map_err(|e| io_error(out, "create the output directory", &e))?;
    let lock = DirLock::take(out)?;
    recover_locked(out)?;
    let mut targets = Vec::new();
    for (target, _) in outputs {
        let name = target.file_name().and_then(|n| n.to_str()).filter(|_| target.parent().is_none_or(|p| same_dir(p, out)));
        let Some(name) = name else {
            return Err(Diagnostic::error(*target, format!("an output must be a file with a UTF-8 name directly in {}", out.display())));
        };
        targets.push(name.to_string());
    }
    // A name of our own, created new: never a directory that was there.
    let mut journal = None;
    for attempt in 0..16u32 {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(attempt);
        let candidate =
            Journal { staging: format!("{STAGING_PREFIX}{}-{nanos:08x}{attempt}", std::process::id()), committing: false, targets: targets.clone() };
        if std::fs::symlink_metadata(out.join(&candidate.staging)).is_err() {
            journal = Some(candidate);
            break;
        }
    }
    let Some(mut journal) = journal else {
        return Err(Diagnostic::error(out, "cannot find a free name for the staging directory")
            .with_hint("remove the .reportpress-staging-* entries of the output directory"));
    };
    write_journal(out, &journal, true)?;
    lock.sync();
    let staging = out.join(&journal.staging);
    let result = (|| {
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder.create(&staging).map_err(|e| io_error(&staging, "create the staging directory", &e))?;
        for (index, (target, bytes)) in outputs.iter().enumerate() {
            create_new(&staging.join(format!(".new-{index}")), bytes, mode_of(target))?;
        }
        journal.committing = true;
        write_journal(out, &journal, false)?;
        lock.sync();
        Ok(())
    })();
    if let Err(error) = result {
        // Nothing was replaced: remove what this commit created.
        clear(out, &journal);
        lock.sync();
        return Err(error);
    }
    // The old editions stay reachable (hard links in the staging directory) until every new
    // one is in place, so a rename that fails (a directory in the way, a full disk) puts them
    // all back.
    let mut kept = vec![false; outputs.len()];
    for (index, (target, _)) in outputs.iter().enumerate() {
        kept[index] = std::fs::hard_link(target, staging.join(format!(".old-{index}"))).is_ok();
    }
    for (index, (target, _)) in outputs.iter().enumerate() {
        if let Err(error) = std::fs::rename(staging.join(format!(".new-{index}")), target) {
            for done in 0..index {
                if kept[done] {
                    let _ = std::fs::rename(staging.join(format!(".old-{done}")), outputs[done].0);
                } else {
                    let _ = std::fs::remove_file(outputs[done].0);
                }
            }
            clear(out, &journal);
            lock.sync();
            let mut diagnostic = io_error(target, "move the finished output into place", &error);
            diagnostic.message.push_str("; the previous editions were put back, none was changed");
            return Err(diagnostic);
        }
    }
    clear(out, &journal);
    lock.sync();
    Ok(outputs.iter().map(|(target, _)| target.to_path_buf()).collect())
}

/// Whether two paths name the same directory.
fn same_dir(a: &Path, b: &Path) -> bool {
    let a = if a.as_os_str().is_empty() { Path::new(".") } else { a };
    let b = if b.as_os_str().is_empty() { Path::new(".") } else { b };
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}

/// Removes what the commit of `journal` created — the files it names in its staging
/// directory, the directory when that leaves it empty, and the journal — and nothing else.
fn clear(out: &Path, journal: &Journal) {
    let staging = out.join(&journal.staging);
    // Only a real directory: a link there would lead the removals elsewhere.
    if std::fs::symlink_metadata(&staging).is_ok_and(|m| m.is_dir()) {
        for index in 0..journal.targets.len() {
            let _ = std::fs::remove_file(staging.join(format!(".new-{index}")));
            let _ = std::fs::remove_file(staging.join(format!(".old-{index}")));
        }
        let _ = std::fs::remove_file(staging.join(".journal"));
        let _ = std::fs::remove_dir(&staging);
    }
    let _ = std::fs::remove_file(out.join(JOURNAL));
}

/// Completes or clears an interrupted [`commit`] in `out`, as its journal says: marked
/// "commit", renames every staged edition over its target; either way removes what the
/// journal names. Without a journal nothing is touched. Waits for a commit under way in
/// another process.
pub fn recover(out: &Path) -> Result<(), Diagnostic> {
    if std::fs::symlink_metadata(out.join(JOURNAL)).is_err() {
        return Ok(());
    }
    let _lock = DirLock::take(out)?;
    recover_locked(out)
}

/// [`recover`], with the directory's lock held.
fn recover_locked(out: &Path) -> Result<(), Diagnostic> {
    let path = out.join(JOURNAL);
    let bytes = match crate::access::read_no_follow(&path, MAX_JOURNAL_BYTES) {
        Ok(bytes) => bytes,
        Err(refused) if refused.is_not_found() => return Ok(()),
        Err(refused) => return Err(not_a_journal(&path, &refused.to_string())),
    };
    let Some(journal) = std::str::from_utf8(&bytes).ok().and_then(Journal::parse) else {
        return Err(not_a_journal(&path, "it is not a commit journal this reportpress wrote"));
    };
    let staging = out.join(&journal.staging);
    if journal.committing && std::fs::symlink_metadata(&staging).is_ok_and(|m| m.is_dir()) {
        for (index, name) in journal.targets.iter().enumerate() {
            let staged = staging.join(format!(".new-{index}"));
            if std::fs::symlink_metadata(&staged).is_ok_and(|m| m.is_file()) {
                let target = out.join(name);
                std::fs::rename(&staged, &target).map_err(|e| io_error(&target, "move the finished output into place", &e))?;
            }
        }
    }
    clear(out, &journal);
    Ok(())
}

fn not_a_journal(path: &Path, why: &str) -> Diagnostic {
    Diagnostic::error(path, format!("cannot complete an interrupted commit: {why}"))
        .with_hint("reportpress writes this file only while it replaces the editions; if no reportpress is running, remove it")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    #[test]
    fn replaces_content_and_leaves_no_temporary_files() {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("out.pdf");
        write_atomically(&target, b"first").expect("first write");
        write_atomically(&target, b"second").expect("second write");
        assert_eq!(std::fs::read(&target).expect("read back"), b"second");
        assert_eq!(names(dir.path()), ["out.pdf"]);
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

    #[test]
    fn an_interrupted_commit_is_completed_or_cleared_as_its_journal_says() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("r.pdf"), dir.path().join("r.epub"));
        commit(dir.path(), &[(a.as_path(), b"old pdf".as_slice()), (b.as_path(), b"old epub".as_slice())]).unwrap();
        // Killed after the journal was marked and one edition renamed: the next run
        // completes the other.
        let mut journal = Journal { staging: format!("{STAGING_PREFIX}1-x"), committing: true, targets: vec!["r.pdf".into(), "r.epub".into()] };
        let staging = dir.path().join(&journal.staging);
        std::fs::create_dir(&staging).unwrap();
        std::fs::write(staging.join(".new-1"), b"new epub").unwrap();
        std::fs::write(staging.join(".old-0"), b"old pdf").unwrap();
        std::fs::write(&a, b"new pdf").unwrap();
        std::fs::write(dir.path().join(JOURNAL), journal.render()).unwrap();
        recover(dir.path()).unwrap();
        assert_eq!((std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap()), (b"new pdf".to_vec(), b"new epub".to_vec()));
        assert_eq!(names(dir.path()), ["r.epub", "r.pdf"]);
        // Killed while staging: the old editions stay, what the journal names is removed.
        journal.committing = false;
        std::fs::create_dir(&staging).unwrap();
        std::fs::write(staging.join(".new-0"), b"newer pdf").unwrap();
        std::fs::write(dir.path().join(JOURNAL), journal.render()).unwrap();
        recover(dir.path()).unwrap();
        assert_eq!(std::fs::read(&a).unwrap(), b"new pdf");
        assert_eq!(names(dir.path()), ["r.epub", "r.pdf"]);
    }

    #[test]
    fn the_users_files_are_never_removed_by_the_look_of_their_names() {
        let dir = tempfile::tempdir().unwrap();
        let mine = [".tmp_notes.txt", ".tmpl", ".tmpfiles.d.conf", ".r.pdf.reportpress-old", ".r.pdf.reportpress-new", "x.reportpress-new"];
        for name in mine {
            std::fs::write(dir.path().join(name), name).unwrap();
        }
        // A staging directory of someone else's name, with a file of the user in it.
        std::fs::create_dir(dir.path().join(format!("{STAGING_PREFIX}9-y"))).unwrap();
        std::fs::write(dir.path().join(format!("{STAGING_PREFIX}9-y/.new-0")), "keep").unwrap();
        let a = dir.path().join("r.pdf");
        commit(dir.path(), &[(a.as_path(), b"pdf".as_slice())]).unwrap();
        recover(dir.path()).unwrap();
        for name in mine {
            assert_eq!(std::fs::read_to_string(dir.path().join(name)).unwrap(), name, "{name} was changed");
        }
        assert_eq!(std::fs::read_to_string(dir.path().join(format!("{STAGING_PREFIX}9-y/.new-0"))).unwrap(), "keep");
    }

    #[cfg(unix)]
    #[test]
    fn a_planted_link_is_never_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        std::fs::create_dir(&out).unwrap();
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, "precious").unwrap();
        for name in [".r.pdf.reportpress-new", ".r.pdf.reportpress-old", "r.pdf"] {
            let _ = std::fs::remove_file(out.join(name));
            std::os::unix::fs::symlink(&victim, out.join(name)).unwrap();
            let a = out.join("r.pdf");
            commit(&out, &[(a.as_path(), b"pdf".as_slice())]).unwrap();
            assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious", "written through {name}");
            assert_eq!(std::fs::read(&a).unwrap(), b"pdf");
        }
        // A link planted as the journal: refused, not followed.
        std::os::unix::fs::symlink(&victim, out.join(JOURNAL)).unwrap();
        let a = out.join("r.pdf");
        let error = commit(&out, &[(a.as_path(), b"pdf2".as_slice())]).unwrap_err();
        assert!(error.message.contains("interrupted commit"), "{error}");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert_eq!(std::fs::read(&a).unwrap(), b"pdf");
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
        let hidden: Vec<String> = names(dir.path()).into_iter().filter(|n| n.starts_with('.')).collect();
        assert!(hidden.is_empty(), "{hidden:?}");
    }
}
