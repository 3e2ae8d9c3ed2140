//! Watch mode: one long-lived process that rebuilds the editions whenever the manuscript,
//! its data or the design change, reusing the loaded fonts and Typst's memoised layout.
//! Errors are reported and the process keeps watching.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, MetadataKind, ModifyKind};
use notify::{EventKind, RecursiveMode, Watcher};

use crate::diagnostics::{Diagnostic, Diagnostics, io_error};
use crate::pipeline::{BuildOptions, BuildReport, Format, Session};

/// How long to wait for more file events after the first one (editors save in bursts).
const DEBOUNCE: Duration = Duration::from_millis(40);

/// Builds once, then again on every change, calling `report` with each result and its
/// duration. Returns only when the watcher cannot be set up or its channel closes.
pub fn watch(options: &BuildOptions, formats: &[Format], mut report: impl FnMut(&Result<BuildReport, Diagnostics>, Duration)) -> Result<(), Diagnostics> {
    let mut session = Session::new();
    let rebuild = |written: &mut Vec<PathBuf>| {
        let started = Instant::now();
        let result = session.build(options, formats);
        if let Ok(done) = &result {
            written.extend(done.written.iter().map(|w| w.path.clone()));
        }
        report(&result, started.elapsed());
    };
    on_changes(options, rebuild)
}

/// Calls `rebuild` once, then again after every burst of changes to the manuscript, the
/// design or the fonts directories (`options`). `rebuild` adds the files it wrote to the
/// list it is given: changes to them are its own and start no rebuild. Typst's memoised
/// layouts older than ten rebuilds are evicted after each. Returns only when the watcher
/// cannot be set up or its channel closes. (Shared by `watch` and `preview`.)
pub fn on_changes(options: &BuildOptions, mut rebuild: impl FnMut(&mut Vec<PathBuf>)) -> Result<(), Diagnostics> {
    // The files the builds wrote (resolved): changes to them are our own.
    let mut written: Vec<PathBuf> = Vec::new();
    let mut run = |written: &mut Vec<PathBuf>| {
        let mut wrote = Vec::new();
        rebuild(&mut wrote);
        written.extend(wrote.iter().map(|path| resolved(path)));
        written.sort();
        written.dedup();
        typst::comemo::evict(10);
    };
    run(&mut written);

    let (sender, receiver) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event
            && changes_content(&event.kind)
        {
            let _ = sender.send(event.paths);
        }
    })
    .map_err(|e| Diagnostics::one(Diagnostic::error(&options.manuscript, format!("cannot watch for changes: {e}"))))?;
    // The manuscript, and the design and fonts directories when they were named (a built-in
    // design does not change while the process runs).
    let dirs: Vec<PathBuf> = std::iter::once(&options.manuscript).chain(options.assets.as_ref()).chain(options.fonts.as_ref()).map(|d| resolved(d)).collect();
    let mut watched: Vec<(PathBuf, Option<u64>)> = Vec::new();
    for dir in &dirs {
        watcher
            .watch(dir, RecursiveMode::Recursive)
            .map_err(|e| Diagnostics::one(io_error(dir, "watch this directory", &std::io::Error::other(e.to_string()))))?;
        watched.push((dir.clone(), identity(dir)));
    }
    // The parent of the manuscript too (not recursively): editors and git checkouts replace
    // the directory, and its replacement must be watched again.
    if let Some(parent) = resolved(&options.manuscript).parent() {
        let _ = watcher.watch(parent, RecursiveMode::NonRecursive);
    }
    while let Ok(paths) = receiver.recv() {
        let mut relevant = is_relevant(&paths, &written, &dirs);
        // Collect the rest of the burst.
        while let Ok(more) = receiver.recv_timeout(DEBOUNCE) {
            relevant |= is_relevant(&more, &written, &dirs);
        }
        // A watched directory replaced by another of the same name: watch the new one.
        for (dir, seen) in &mut watched {
            let now = identity(dir);
            if now != *seen {
                let _ = watcher.unwatch(dir);
                if now.is_some() && watcher.watch(dir, RecursiveMode::Recursive).is_ok() {
                    relevant = true;
                }
                *seen = now;
            }
        }
        if relevant {
            run(&mut written);
        }
    }
    Ok(())
}

/// `path` with symbolic links and `..` resolved (as far as it exists; the rest appended).
fn resolved(path: &Path) -> PathBuf {
    if let Ok(real) = path.canonicalize() {
        return real;
    }
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) if !parent.as_os_str().is_empty() => resolved(parent).join(name),
        _ => std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
    }
}

/// What tells one directory from another of the same name (its inode), when it exists.
fn identity(dir: &Path) -> Option<u64> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(dir).ok().map(|m| m.ino())
}

/// Whether an event can mean new content. Reading a file is an event too (inotify reports
/// opening and closing it), and every build reads the manuscript, the design and the fonts:
/// reacting to those would rebuild forever. Closing a file written to is a change.
fn changes_content(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) | EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)) => false,
        _ => true,
    }
}

/// Whether a change at `paths` can change the editions: inside a watched directory (`dirs`,
/// resolved), not one of the files the builds wrote (`written`, wherever the output
/// directory is: beside, inside or around the manuscript) and not an editor's scratch file
/// or a temporary file (names starting with `.`).
fn is_relevant(paths: &[PathBuf], written: &[PathBuf], dirs: &[PathBuf]) -> bool {
    paths.iter().any(|path| {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let scratch = name.starts_with('.') || name.ends_with('~') || name.ends_with(".swp");
        let path = resolved(path);
        let ours = written.binary_search(&path).is_ok();
        let watched = dirs.iter().any(|dir| path.starts_with(dir) || path == *dir);
        !scratch && !ours && watched
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{CreateKind, DataChange, RemoveKind, RenameMode};

    #[test]
    fn reading_files_is_not_a_change_but_writing_them_is() {
        assert!(!changes_content(&EventKind::Access(AccessKind::Open(AccessMode::Read))));
        assert!(!changes_content(&EventKind::Access(AccessKind::Close(AccessMode::Read))));
        assert!(!changes_content(&EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime))));
        assert!(changes_content(&EventKind::Access(AccessKind::Close(AccessMode::Write))));
        assert!(changes_content(&EventKind::Modify(ModifyKind::Data(DataChange::Content))));
        assert!(changes_content(&EventKind::Modify(ModifyKind::Name(RenameMode::To))));
        assert!(changes_content(&EventKind::Create(CreateKind::File)));
        assert!(changes_content(&EventKind::Remove(RemoveKind::File)));
    }
}
