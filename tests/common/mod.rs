//! Helpers shared by the integration tests: running the CLI, making manuscripts, and
//! reading PDFs back with poppler-utils.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The crate root (where fonts/, assets/ and manuscript/ live).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `reportpress` with `args` from the crate root.
pub fn reportpress(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_reportpress"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("the reportpress binary runs")
}

/// Builds `manuscript` as `format` into `out`; returns the process output.
pub fn build(manuscript: &Path, out: &Path, format: &str) -> Output {
    reportpress(&[
        "build",
        "--format",
        format,
        "--manuscript",
        manuscript.to_str().expect("utf-8 path"),
        "--out",
        out.to_str().expect("utf-8 path"),
    ])
}

/// Builds and asserts success, printing stderr on failure.
pub fn build_ok(manuscript: &Path, out: &Path, format: &str) -> Output {
    let output = build(manuscript, out, format);
    assert!(
        output.status.success(),
        "build of {} failed:\n{}",
        manuscript.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Runs an external tool and returns its stdout; fails the test with a clear message
/// when the tool is missing (run `make test`, which installs it).
pub fn tool(program: &str, args: &[&str]) -> String {
    let output = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run `{program}` ({e}); install poppler-utils and qpdf (make test-tools)"));
    assert!(
        output.status.success(),
        "`{program} {}` failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("tool output is UTF-8")
}

/// The text of the PDF's body area (running heads and folios cropped away), all pages in
/// order, in content-stream order (`-raw`: Typst writes column 1 before column 2).
pub fn pdf_body_text(pdf: &Path) -> String {
    // A4 at 72 dpi is 595 × 842 pt; the design's margins are 24 mm top, 22 mm bottom.
    tool("pdftotext", &["-raw", "-x", "0", "-y", "64", "-W", "595", "-H", "716", "-enc", "UTF-8", pdf.to_str().unwrap(), "-"])
}

/// Removes all white space (pdftotext inserts it freely around CJK glyphs).
pub fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Writes a small manuscript: `report.toml` with the given extra TOML and files.
pub fn write_manuscript(dir: &Path, output: &str, files: &[(&str, &str)]) {
    let list: Vec<String> = files.iter().map(|(name, _)| format!("\"{name}\"")).collect();
    let toml = format!(
        "title = \"测试报告\"\nauthors = [\"测试者\"]\ndate = \"2024-01-02\"\noutput = \"{output}\"\nfiles = [{}]\n",
        list.join(", ")
    );
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("report.toml"), toml).unwrap();
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}
