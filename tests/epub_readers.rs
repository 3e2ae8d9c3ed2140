//! The EPUB as readers meet it: DAISY Ace (the accessibility checker publishers use) finds
//! no critical or serious violation, and every page, opened in headless Chromium at phone
//! and tablet widths in a day and a night theme, keeps tables on the screen (scrolling inside
//! their block), text and rules legible, and every glyph in an embedded face: each face is
//! subset to the characters the stylesheet sets in it, and Chromium's record of the fonts
//! it used shows any that fell back to a system font (tests/readers/check_pages.cjs).
//!
//! Needs Node.js, Debian's `chromium`, `@daisy/ace` and `puppeteer-core` (`make test-tools`
//! installs them).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::*;

/// The four test manuscripts' EPUBs (the annual report in the report design), built once
/// per run.
fn editions() -> &'static (tempfile::TempDir, Vec<PathBuf>) {
    static BUILT: OnceLock<(tempfile::TempDir, Vec<PathBuf>)> = OnceLock::new();
    BUILT.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let mut epubs = Vec::new();
        for (manuscript, output) in [
            ("manuscript", "leiyang-green-transformation"),
            ("tests/manuscripts/quarterly", "quarterly-review"),
            ("tests/manuscripts/typography", "typography-stress"),
            ("tests/manuscripts/annual", "annual-report"),
        ] {
            build_ok(&root().join(manuscript), dir.path(), "epub");
            epubs.push(dir.path().join(format!("{output}.epub")));
        }
        (dir, epubs)
    })
}

/// Where `npm install -g` puts packages (for `require` in the page checker).
fn node_path() -> String {
    let output = Command::new("npm").args(["root", "-g"]).output().expect("npm runs (make test-tools installs Node.js packages)");
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

fn chromium() -> &'static str {
    "/usr/bin/chromium"
}

#[test]
fn ace_finds_no_critical_or_serious_violation() {
    for epub in &editions().1 {
        let report = tempfile::tempdir().unwrap();
        let output = Command::new("ace-puppeteer")
            .args(["--silent", "--outdir"])
            .arg(report.path())
            .arg(epub)
            .env("PUPPETEER_EXECUTABLE_PATH", chromium())
            .output()
            .expect("ace-puppeteer runs (make test-tools installs @daisy/ace)");
        assert!(output.status.success(), "Ace failed on {}: {}", epub.display(), String::from_utf8_lossy(&output.stderr));
        let report: serde_json::Value = serde_json::from_slice(&std::fs::read(report.path().join("report.json")).unwrap()).unwrap();
        let mut serious = Vec::new();
        for document in report["assertions"].as_array().into_iter().flatten() {
            for assertion in document["assertions"].as_array().into_iter().flatten() {
                let impact = assertion["earl:test"]["earl:impact"].as_str().unwrap_or("");
                if matches!(impact, "critical" | "serious") {
                    serious.push(format!("{impact}: {} in {}", assertion["earl:test"]["dct:title"], document["earl:testSubject"]["url"]));
                }
            }
        }
        assert!(serious.is_empty(), "Ace on {}:\n{}", epub.display(), serious.join("\n"));
    }
}

/// Runs the page checker on the content documents in `dir`; returns its problems.
fn check_pages(dir: &Path) -> Vec<serde_json::Value> {
    let output = Command::new("node")
        .arg(root().join("tests/readers/check_pages.cjs"))
        .arg(dir)
        .env("NODE_PATH", node_path())
        .env("PUPPETEER_EXECUTABLE_PATH", chromium())
        .output()
        .expect("node runs");
    assert!(output.status.success(), "the page checker failed: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice::<Vec<serde_json::Value>>(&output.stdout).expect("the checker prints JSON")
}

#[test]
fn pages_keep_tables_on_phone_screens_and_text_legible_by_day_and_night() {
    for epub in &editions().1 {
        let unpacked = tempfile::tempdir().unwrap();
        for (name, bytes) in zip_entries(epub) {
            let path = unpacked.path().join(&name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        }
        let problems = check_pages(&unpacked.path().join("OEBPS"));
        assert!(problems.is_empty(), "{}:\n{}", epub.display(), serde_json::to_string_pretty(&problems).unwrap());
    }
}

#[test]
fn the_page_checker_catches_a_bad_page() {
    let problems = check_pages(&root().join("tests/readers/bad"));
    let kinds: std::collections::BTreeSet<&str> = problems.iter().filter_map(|p| p["kind"].as_str()).collect();
    for kind in
        ["text contrast under 4.5:1", "table rule contrast under 3:1", "table wider than the screen outside a scrolling block", "page wider than the screen"]
    {
        assert!(kinds.contains(kind), "the checker missed `{kind}`: {kinds:?}");
    }
}

#[test]
fn calibre_finds_the_cover() {
    if Command::new("ebook-meta").arg("--version").output().is_err() {
        eprintln!("skipped: calibre's ebook-meta is not installed (apt-get install calibre; make test-tools does)");
        return;
    }
    let epub = &editions().1[0];
    let dir = tempfile::tempdir().unwrap();
    let cover = dir.path().join("cover.png");
    let output = Command::new("ebook-meta").arg(epub).arg("--get-cover").arg(&cover).output().expect("ebook-meta runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(said.contains("Cover saved to"), "calibre found no cover:\n{said}");
    let bytes = std::fs::read(&cover).expect("the cover was saved");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 10_000, "not the title page's PNG");
    assert!(said.contains("红色耒阳 绿色转型"), "calibre reads the title:\n{said}");
}
