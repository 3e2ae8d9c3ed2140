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

// ---- Layout checker (tests/layout/check_layout.py) ----------------------------------------

/// Builds `manuscript` as PDF with the design directory `design` (and optionally another
/// fonts directory) into `out`; asserts success.
pub fn build_with_design(manuscript: &Path, design: &Path, fonts: Option<&Path>, out: &Path) {
    let mut args = vec![
        "build",
        "--format",
        "pdf",
        "--manuscript",
        manuscript.to_str().expect("utf-8 path"),
        "--assets",
        design.to_str().expect("utf-8 path"),
        "--out",
        out.to_str().expect("utf-8 path"),
    ];
    if let Some(fonts) = fonts {
        args.extend(["--fonts", fonts.to_str().expect("utf-8 path")]);
    }
    let output = reportpress(&args);
    assert!(
        output.status.success(),
        "build of {} with design {} failed:\n{}",
        manuscript.display(),
        design.display(),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The result of one run of the layout checker.
pub struct LayoutReport {
    /// Exit code: 0 clean, 1 violations, 2 usage or I/O error.
    pub code: i32,
    /// The `--json` report (Null when the checker failed before writing it).
    pub json: serde_json::Value,
    pub stderr: String,
}

impl LayoutReport {
    /// Violations per rule id.
    pub fn count(&self, rule: &str) -> u64 {
        self.json["counts"][rule].as_u64().unwrap_or_else(|| panic!("no count for rule {rule} in {}", self.json))
    }

    /// Rules with at least one violation.
    pub fn fired(&self) -> Vec<String> {
        let counts = self.json["counts"].as_object().expect("counts in the JSON report");
        counts.iter().filter(|(_, n)| n.as_u64().unwrap_or(0) > 0).map(|(rule, _)| rule.clone()).collect()
    }

    /// The violations as the checker's human-readable lines.
    pub fn lines(&self) -> String {
        let empty = Vec::new();
        let list = self.json["violations"].as_array().unwrap_or(&empty);
        list.iter()
            .map(|v| format!("page {}, rule {}: {} near «{}»", v["page"], v["rule"].as_str().unwrap_or("?"), v["what"].as_str().unwrap_or("?"), v["context"].as_str().unwrap_or("")))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// The Python interpreter for the layout checker: `$PYTHON`, else `python3`.
pub fn python() -> String {
    std::env::var("PYTHON").unwrap_or_else(|_| "python3".into())
}

/// Runs `python3 tests/layout/check_layout.py --json <extra> <pdf>` (`$PYTHON` overrides
/// the interpreter); fails the test with a clear message when pdfplumber is missing.
pub fn layout_check(pdf: &Path, extra: &[&str]) -> LayoutReport {
    let python = python();
    let script = root().join("tests/layout/check_layout.py");
    let output = Command::new(&python)
        .arg(&script)
        .arg("--json")
        .args(extra)
        .arg(pdf)
        .output()
        .unwrap_or_else(|e| panic!("cannot run `{python}` ({e}); the layout checker needs Python 3 with pdfplumber (make test-tools)"));
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert!(
        !stderr.contains("No module named 'pdfplumber'") && !stderr.contains("install it with"),
        "pdfplumber is missing: run `python3 -m pip install pdfplumber` (make test-tools)\n{stderr}"
    );
    let code = output.status.code().expect("the checker exited");
    let json = serde_json::from_slice(&output.stdout).unwrap_or(serde_json::Value::Null);
    LayoutReport { code, json, stderr }
}

/// A fonts directory for `--fonts`: links to the pinned fonts in `fonts/` plus `extra` files.
pub fn fonts_dir_with(dir: &Path, extra: &[&Path]) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let pinned = std::fs::read_dir(root().join("fonts")).unwrap().map(|e| e.unwrap().path());
    for path in pinned.chain(extra.iter().map(|p| p.to_path_buf())) {
        if path.is_file() {
            std::os::unix::fs::symlink(&path, dir.join(path.file_name().unwrap())).unwrap();
        }
    }
    dir.to_path_buf()
}
