//! Killed at any moment while building both editions, a build leaves — once the next
//! `reportpress` command has run — either both old editions or both new ones, never one of
//! each, and no temporary files (the commit journal of `output::commit`).

mod common;

use std::process::Command;
use std::time::Duration;

use common::*;

/// The version number a PDF and an EPUB print (`版本 N`).
fn versions(out: &std::path::Path) -> (Option<u32>, Option<u32>) {
    let find = |text: &str| text.split("版本").nth(1).and_then(|rest| rest.chars().take_while(char::is_ascii_digit).collect::<String>().parse().ok());
    let pdf = out.join("killed.pdf");
    let epub = out.join("killed.epub");
    let pdf_version = pdf.exists().then(|| find(&squeeze(&tool("pdftotext", &["-enc", "UTF-8", pdf.to_str().unwrap(), "-"])))).flatten();
    let epub_version =
        epub.exists().then(|| find(&epub_spine(&zip_entries(&epub)).into_iter().map(|(_, x)| squeeze(&xhtml_body_text(&x))).collect::<String>())).flatten();
    (pdf_version, epub_version)
}

#[test]
fn thirty_kills_during_a_build_never_leave_a_mix_of_editions() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = dir.path().join("m");
    let out = dir.path().join("out");
    write_manuscript(&manuscript, "killed", &[("t.md", "# 一\n\n版本0。\n")]);
    build_ok(&manuscript, &out, "all");
    assert_eq!(versions(&out), (Some(0), Some(0)));
    let mut delay = 20u64;
    let mut completed = 0;
    for round in 1..=30u32 {
        replace_in(&manuscript.join("t.md"), &format!("版本{}。", round - 1), &format!("版本{round}。"));
        let mut child = Command::new(env!("CARGO_BIN_EXE_reportpress"))
            .args(["build", "--format", "all", "--manuscript", manuscript.to_str().unwrap(), "--out", out.to_str().unwrap()])
            .current_dir(root())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Kill at moments spread over the build, the commit included (this small build takes
        // some 60–150 ms here).
        std::thread::sleep(Duration::from_millis(delay));
        delay = 5 + (delay * 37 + 11) % 150;
        let _ = child.kill();
        let _ = child.wait();
        // Any next command completes or clears the interrupted commit.
        let check = Command::new(env!("CARGO_BIN_EXE_reportpress"))
            .args(["check", "--manuscript", manuscript.to_str().unwrap(), "--out", out.to_str().unwrap()])
            .current_dir(root())
            .output()
            .unwrap();
        assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));
        let (pdf, epub) = versions(&out);
        assert!(pdf.is_some() && pdf == epub, "round {round}: the PDF is version {pdf:?}, the EPUB {epub:?}");
        let leftovers: Vec<String> =
            std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).filter(|n| n.starts_with('.')).collect();
        assert!(leftovers.is_empty(), "round {round}: temporary files left: {leftovers:?}");
        if pdf == Some(round) {
            completed += 1;
        }
    }
    // The kills fell both before the commit (old editions kept) and after it.
    eprintln!("{completed} of 30 builds completed before they were killed");
    assert!(completed < 30, "no kill fell before the commit: the test did not interrupt a build");
}

#[test]
fn a_terminated_build_finishes_or_drops_its_commit_before_it_exits() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = dir.path().join("m");
    let out = dir.path().join("out");
    write_manuscript(&manuscript, "killed", &[("t.md", "# 一\n\n版本0。\n")]);
    build_ok(&manuscript, &out, "all");
    let mut delay = 20u64;
    for round in 1..=20u32 {
        replace_in(&manuscript.join("t.md"), &format!("版本{}。", round - 1), &format!("版本{round}。"));
        let mut child = Command::new(env!("CARGO_BIN_EXE_reportpress"))
            .args(["build", "--format", "all", "--manuscript", manuscript.to_str().unwrap(), "--out", out.to_str().unwrap()])
            .current_dir(root())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        delay = 5 + (delay * 37 + 11) % 150;
        let signal = if round % 2 == 0 { "-TERM" } else { "-INT" };
        let _ = Command::new("kill").args([signal, &child.id().to_string()]).status();
        let _ = child.wait();
        // No next command: the terminated process itself left a consistent directory.
        let (pdf, epub) = versions(&out);
        assert!(pdf.is_some() && pdf == epub, "round {round} ({signal}): the PDF is version {pdf:?}, the EPUB {epub:?}");
        let leftovers: Vec<String> =
            std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).filter(|n| n.starts_with('.')).collect();
        assert!(leftovers.is_empty(), "round {round} ({signal}): temporary files left: {leftovers:?}");
    }
}
