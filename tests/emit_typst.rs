//! `build --emit-typst DIR` writes exactly what the pipeline compiles; Typst's own compiler
//! (the `typst` PyPI package, Typst 0.15) builds that directory into the same pages.

mod common;

use std::process::Command;

use common::*;

#[test]
fn emitted_sources_build_the_same_pages_with_typsts_own_compiler() {
    let dir = tempfile::tempdir().unwrap();
    let emitted = dir.path().join("typst");
    let out = dir.path().join("out");
    let output = reportpress(&[
        "build",
        "--format",
        "pdf",
        "--manuscript",
        root().join("manuscript").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--emit-typst",
        emitted.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(emitted.join("report.typ").is_file() && emitted.join("document.json").is_file());

    let theirs = dir.path().join("typst.pdf");
    let script = "import sys, typst; typst.compile(sys.argv[1], output=sys.argv[2], font_paths=[sys.argv[3]], root=sys.argv[4])";
    let status = Command::new(python())
        .args(["-c", script])
        .arg(emitted.join("report.typ"))
        .arg(&theirs)
        .arg(root().join("fonts"))
        .arg(&emitted)
        .output()
        .expect("python3 runs");
    assert!(status.status.success(), "Typst could not build the emitted sources (pip install typst==0.15.0):\n{}", String::from_utf8_lossy(&status.stderr));

    let ours_text = tool("pdftotext", &["-raw", "-enc", "UTF-8", out.join("leiyang-green-transformation.pdf").to_str().unwrap(), "-"]);
    let theirs_text = tool("pdftotext", &["-raw", "-enc", "UTF-8", theirs.to_str().unwrap(), "-"]);
    assert!(ours_text.lines().count() > 300);
    assert_eq!(ours_text, theirs_text, "Typst's own compiler sets the emitted sources differently");
}
