//! Reproducible outputs: the same manuscript gives byte-identical PDFs wherever and whenever
//! it is built — no clock, no random ids, no absolute paths in the file.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use common::*;

/// A fresh "clone" at `dir`: the manuscript, the design and the fonts, as a checkout has them.
fn clone_into(dir: &Path, manuscript: &str) -> PathBuf {
    copy_dir(&root().join(manuscript), &dir.join("manuscript"));
    copy_dir(&root().join("assets"), &dir.join("assets"));
    std::fs::create_dir_all(dir.join("fonts")).unwrap();
    for entry in std::fs::read_dir(root().join("fonts")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::hard_link(&path, dir.join("fonts").join(path.file_name().unwrap()))
            .or_else(|_| std::fs::copy(&path, dir.join("fonts").join(path.file_name().unwrap())).map(|_| ()))
            .unwrap();
    }
    dir.to_path_buf()
}

/// Builds the clone at `dir` from inside it, with relative paths as a user would, and with
/// the given `SOURCE_DATE_EPOCH`; returns the PDF's bytes.
fn build_clone(dir: &Path, output: &str, epoch: &str) -> Vec<u8> {
    let result = Command::new(env!("CARGO_BIN_EXE_reportpress"))
        .args(["build", "--format", "pdf"])
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", epoch)
        .output()
        .expect("reportpress runs");
    assert!(result.status.success(), "build in {} failed:\n{}", dir.display(), String::from_utf8_lossy(&result.stderr));
    std::fs::read(dir.join("dist").join(format!("{output}.pdf"))).expect("the PDF was written")
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The PDF with every stream uncompressed (qpdf), so paths inside streams are found too.
fn uncompressed(pdf: &[u8], dir: &Path) -> Vec<u8> {
    let input = dir.join("in.pdf");
    let output = dir.join("out.pdf");
    std::fs::write(&input, pdf).unwrap();
    tool("qpdf", &["--qdf", "--object-streams=disable", input.to_str().unwrap(), output.to_str().unwrap()]);
    std::fs::read(output).unwrap()
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn two_clones_in_different_directories_build_byte_identical_pdfs() {
    for (manuscript, output) in [("manuscript", "leiyang-green-transformation"), ("tests/manuscripts/quarterly", "quarterly-review")] {
        let first = tempfile::tempdir().unwrap();
        let second = tempfile::tempdir().unwrap();
        let a = clone_into(&first.path().join("a"), manuscript);
        let b = clone_into(&second.path().join("some/much/longer/clone-directory-b"), manuscript);
        // Different clocks too: SOURCE_DATE_EPOCH must not change the bytes (the date is
        // report.toml's), nor must the time of day.
        let pdf_a = build_clone(&a, output, "1000000000");
        let pdf_b = build_clone(&b, output, "1700000000");
        let pdf_a_again = build_clone(&a, output, "1000000000");
        assert_eq!(sha256(&pdf_a), sha256(&pdf_a_again), "{manuscript}: two builds in one clone differ");
        assert_eq!(sha256(&pdf_a), sha256(&pdf_b), "{manuscript}: builds in two clone directories differ");

        let plain = uncompressed(&pdf_a, first.path());
        for path in [a.display().to_string(), b.display().to_string(), first.path().display().to_string(), root().display().to_string()] {
            assert!(!contains(&pdf_a, &path) && !contains(&plain, &path), "{manuscript}: the PDF contains the path {path}");
        }
        for leak in ["/tmp/", "/root/", "/home/", "manuscript/", "document.json"] {
            assert!(!contains(&plain, leak), "{manuscript}: the PDF contains «{leak}»");
        }
    }
}

#[test]
fn the_pdf_date_is_the_report_date_not_the_clock() {
    let dir = tempfile::tempdir().unwrap();
    let clone = clone_into(&dir.path().join("clone"), "tests/manuscripts/quarterly");
    let pdf = build_clone(&clone, "quarterly-review", "1700000000");
    let plain = uncompressed(&pdf, dir.path());
    // report.toml: date = "2024-04-15".
    assert!(contains(&plain, "D:20240415"), "the PDF's CreationDate is not report.toml's date");
    assert!(contains(&plain, "2024-04-15"), "the XMP date is not report.toml's date");
    assert!(!contains(&plain, "D:2023"), "a date from SOURCE_DATE_EPOCH (2023) reached the PDF");
}
