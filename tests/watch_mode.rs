//! `reportpress watch`: one long-lived process that rebuilds after a change, keeps watching
//! after an error, and stays idle while nothing changes (every build reads the manuscript,
//! the design and the fonts, and reading must not count as a change).

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use common::*;

/// The watch process, killed when dropped.
struct Watching {
    child: Child,
    lines: Receiver<String>,
}

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Watching {
    fn start(manuscript: &Path, out: &Path) -> Watching {
        let mut child = Command::new(env!("CARGO_BIN_EXE_reportpress"))
            .args(["watch", "--manuscript", manuscript.to_str().unwrap(), "--out", out.to_str().unwrap()])
            .current_dir(root())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("reportpress watch starts");
        let (sender, lines) = mpsc::channel();
        for stream in [Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>, Box::new(child.stderr.take().unwrap())] {
            let sender = sender.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let _ = sender.send(line);
                }
            });
        }
        Watching { child, lines }
    }

    /// Fails when a build ends within two seconds.
    fn assert_idle(&self, what: &str) {
        if let Some(lines) = self.next_build(Duration::from_secs(2)) {
            let more = self.lines.try_iter().count();
            panic!("{what}: {:?} … and {more} more lines", &lines[..lines.len().min(4)]);
        }
    }

    /// The lines of the next build, up to the one that ends it (success or failure), plus
    /// what arrives on the other stream just after; `None` when none ends within `patience`.
    fn next_build(&self, patience: Duration) -> Option<Vec<String>> {
        let mut seen = Vec::new();
        loop {
            let line = self.lines.recv_timeout(patience).ok()?;
            let done = line.starts_with("rebuilt in ") || line.starts_with("build failed after ");
            seen.push(line);
            if done {
                // stdout and stderr are separate pipes: the diagnostics may come later.
                while let Ok(line) = self.lines.recv_timeout(Duration::from_millis(300)) {
                    seen.push(line);
                }
                return Some(seen);
            }
        }
    }
}

#[test]
fn watch_rebuilds_on_change_keeps_going_after_errors_and_idles_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = dir.path().join("m");
    let out = dir.path().join("out");
    write_manuscript(&manuscript, "watched", &[("t.md", "第一段正文。\n\n第二段正文。\n")]);
    let watching = Watching::start(&manuscript, &out);
    let first = watching.next_build(Duration::from_secs(60)).expect("the first build finishes");
    assert!(first.iter().any(|l| l.starts_with("rebuilt in ")), "{first:?}");
    let pdf = out.join("watched.pdf");
    assert!(squeeze(&tool("pdftotext", &["-enc", "UTF-8", pdf.to_str().unwrap(), "-"])).contains("第二段正文。"));

    // Nothing changes: nothing is rebuilt (the build's own reads must not trigger one).
    watching.assert_idle("rebuilt without a change");

    // A one-paragraph edit is rebuilt, and only once.
    replace_in(&manuscript.join("t.md"), "第二段正文。", "第二段改过的正文。");
    let rebuilt = watching.next_build(Duration::from_secs(30)).expect("the edit is rebuilt");
    assert!(rebuilt.iter().any(|l| l.starts_with("rebuilt in ")), "{rebuilt:?}");
    assert!(squeeze(&tool("pdftotext", &["-enc", "UTF-8", pdf.to_str().unwrap(), "-"])).contains("第二段改过的正文。"));
    watching.assert_idle("one edit, several rebuilds (does reading the files count as a change?)");

    // An error is reported with its place, the previous PDF stays, and watching goes on.
    let before = std::fs::read(&pdf).unwrap();
    replace_in(&manuscript.join("t.md"), "第一段正文。", "第一段正文[^nope]。");
    let failed = watching.next_build(Duration::from_secs(30)).expect("the broken edit is reported");
    assert!(failed.iter().any(|l| l.starts_with("build failed after ")), "{failed:?}");
    assert!(failed.iter().any(|l| l.contains("t.md:1")), "{failed:?}");
    assert_eq!(std::fs::read(&pdf).unwrap(), before);
    replace_in(&manuscript.join("t.md"), "第一段正文[^nope]。", "第一段修好的正文。");
    let fixed = watching.next_build(Duration::from_secs(30)).expect("the fix is rebuilt");
    assert!(fixed.iter().any(|l| l.starts_with("rebuilt in ")), "{fixed:?}");
    assert!(squeeze(&tool("pdftotext", &["-enc", "UTF-8", pdf.to_str().unwrap(), "-"])).contains("第一段修好的正文。"));
}

/// A one-paragraph edit of `manuscript/t.md` is rebuilt once, with the new text in `pdf`.
fn assert_edit_rebuilds_once(watching: &Watching, manuscript: &Path, pdf: &Path, from: &str, to: &str, what: &str) {
    replace_in(&manuscript.join("t.md"), from, to);
    let rebuilt = watching.next_build(Duration::from_secs(30)).unwrap_or_else(|| panic!("{what}: the edit was not rebuilt"));
    assert!(rebuilt.iter().any(|l| l.starts_with("rebuilt in ")), "{what}: {rebuilt:?}");
    assert!(squeeze(&tool("pdftotext", &["-enc", "UTF-8", pdf.to_str().unwrap(), "-"])).contains(to), "{what}: the PDF lacks the edit");
    watching.assert_idle(what);
}

#[test]
fn watch_sees_edits_wherever_the_output_is_and_after_the_manuscript_is_replaced() {
    // The output directory around the manuscript (`--out .` beside it): edits still count.
    let dir = tempfile::tempdir().unwrap();
    let manuscript = dir.path().join("m");
    write_manuscript(&manuscript, "around", &[("t.md", "第一段正文。\n")]);
    let watching = Watching::start(&manuscript, dir.path());
    watching.next_build(Duration::from_secs(60)).expect("the first build finishes");
    watching.assert_idle("output around the manuscript: rebuilt without a change");
    assert_edit_rebuilds_once(&watching, &manuscript, &dir.path().join("around.pdf"), "第一段正文。", "第一段改过。", "output around the manuscript");
    drop(watching);

    // The output inside the manuscript, named through a symbolic link: its own writes never
    // set off another build.
    let dir = tempfile::tempdir().unwrap();
    let manuscript = dir.path().join("m");
    write_manuscript(&manuscript, "inside", &[("t.md", "第一段正文。\n")]);
    std::fs::create_dir_all(manuscript.join("build")).unwrap();
    std::os::unix::fs::symlink(manuscript.join("build"), dir.path().join("link")).unwrap();
    let out = dir.path().join("link");
    let watching = Watching::start(&manuscript, &out);
    watching.next_build(Duration::from_secs(60)).expect("the first build finishes");
    watching.assert_idle("output inside the manuscript: rebuilt itself");
    assert_edit_rebuilds_once(&watching, &manuscript, &manuscript.join("build/inside.pdf"), "第一段正文。", "第一段改过。", "output inside the manuscript");

    // The manuscript directory replaced by a new one (as a checkout does): later edits count.
    let fresh = dir.path().join("fresh");
    copy_dir(&manuscript, &fresh);
    std::fs::remove_dir_all(&manuscript).unwrap();
    std::fs::rename(&fresh, &manuscript).unwrap();
    // The replacement itself may be rebuilt once; then the edits of the new directory are.
    let _ = watching.next_build(Duration::from_secs(5));
    assert_edit_rebuilds_once(&watching, &manuscript, &manuscript.join("build/inside.pdf"), "第一段改过。", "第一段又改过。", "replaced manuscript");
}
