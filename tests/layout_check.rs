//! The layout checker (tests/layout/check_layout.py) measured against PDFs built by
//! reportpress: each bad sample design in tests/layout/samples/<rule>/ breaks exactly one
//! rule and the checker must report exactly that rule; the good sample must pass; and the
//! real manuscripts are checked too. (The page grid of every design is measured in
//! tests/designs.rs.)

mod common;

use std::path::{Path, PathBuf};

use common::*;

const RULES: [&str; 18] = [
    "start-punct",
    "end-open",
    "split-dash",
    "split-number",
    "orphan",
    "indent",
    "justify",
    "gap",
    "heading-end",
    "latin-punct",
    "script-gap",
    "display-break",
    "display-last-line",
    "column-balance",
    "display-punct",
    "short-page",
    "table-split",
    "float-past-heading",
];

fn samples() -> PathBuf {
    root().join("tests/layout/samples")
}

/// Builds the sample design `name` with the shared sample manuscript into `dir`.
fn build_sample(name: &str, dir: &Path) -> PathBuf {
    let fonts = if name == "latin-punct" {
        // The only non-CJK font available: a tiny generated one (tests/layout/fonts/).
        let latin = root().join("tests/layout/fonts/LayoutTestLatin.ttf");
        Some(fonts_dir_with(&dir.join("fonts"), &[&latin]))
    } else {
        None
    };
    let out = dir.join("out");
    build_with_design(&samples().join("manuscript"), &samples().join(name), fonts.as_deref(), &out);
    let pdf = out.join("sample.pdf");
    assert!(pdf.is_file(), "sample {name} was not written");
    pdf
}

/// Builds the sample and checks that the checker reports `rule` and nothing else, with
/// the tags and (except where geometry cannot tell) without them.
fn assert_sample_breaks_only(rule: &str) {
    let dir = tempfile::tempdir().unwrap();
    let pdf = build_sample(rule, dir.path());
    let report = layout_check(&pdf, &[]);
    assert_eq!(report.code, 1, "checker should fail on the {rule} sample:\n{}\n{}", report.lines(), report.stderr);
    assert_eq!(report.json["mode"], "tags", "the sample PDF should be read through its tags");
    assert_eq!(report.fired(), vec![rule.to_string()], "the {rule} sample should break only {rule}:\n{}", report.lines());
    assert!(report.count(rule) >= 1);
    // (A short page, a table's second part and a float past a heading are on a later page
    // by what they are.)
    let page = report.json["violations"][0]["page"].as_u64();
    let expected_page = if matches!(rule, "short-page" | "table-split" | "float-past-heading") { page.filter(|p| *p > 1) } else { Some(1) };
    assert_eq!(page, expected_page, "violation not placed on the expected page:\n{}", report.lines());

    // A short line that a forced break left is, by geometry alone, a paragraph's end; a
    // table's rows, captions and heading levels are told only by the tags.
    if !matches!(rule, "justify" | "table-split" | "float-past-heading") {
        let geometric = layout_check(&pdf, &["--ignore-tags"]);
        assert_eq!(geometric.fired(), vec![rule.to_string()], "geometry fallback on the {rule} sample:\n{}", geometric.lines());
    }
}

macro_rules! bad_sample {
    ($($name:ident => $rule:literal),* $(,)?) => {$(
        #[test]
        fn $name() {
            assert_sample_breaks_only($rule);
        }
    )*};
}

bad_sample! {
    sample_start_punct_is_reported => "start-punct",
    sample_end_open_is_reported => "end-open",
    sample_split_dash_is_reported => "split-dash",
    sample_split_number_is_reported => "split-number",
    sample_orphan_is_reported => "orphan",
    sample_indent_is_reported => "indent",
    sample_justify_is_reported => "justify",
    sample_gap_is_reported => "gap",
    sample_heading_end_is_reported => "heading-end",
    sample_latin_punct_is_reported => "latin-punct",
    sample_script_gap_is_reported => "script-gap",
    sample_display_break_is_reported => "display-break",
    sample_display_last_line_is_reported => "display-last-line",
    sample_column_balance_is_reported => "column-balance",
    sample_display_punct_is_reported => "display-punct",
    sample_short_page_is_reported => "short-page",
    sample_table_split_is_reported => "table-split",
    sample_float_past_heading_is_reported => "float-past-heading",
}

#[test]
fn every_rule_has_a_bad_sample_and_the_checker_knows_it() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = build_sample("good", dir.path());
    let report = layout_check(&pdf, &[]);
    let counts = report.json["counts"].as_object().expect("counts");
    let mut known: Vec<&str> = counts.keys().map(|k| k.as_str()).collect();
    let mut expected = RULES.to_vec();
    known.sort();
    expected.sort();
    assert_eq!(known, expected, "the checker's rules and the samples differ");
    for rule in RULES {
        assert!(samples().join(rule).join("report.typ").is_file(), "no bad sample for rule {rule}");
    }
}

#[test]
fn good_sample_passes_with_tags_and_by_geometry() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = build_sample("good", dir.path());
    let report = layout_check(&pdf, &[]);
    assert_eq!(report.code, 0, "good sample reported:\n{}\n{}", report.lines(), report.stderr);
    assert_eq!(report.json["total"], 0);
    assert_eq!(report.json["gutters"].as_array().map(|g| g.len()), Some(1), "two columns not detected: {}", report.json["gutters"]);
    let geometric = layout_check(&pdf, &["--ignore-tags"]);
    assert_eq!(geometric.code, 0, "good sample reported by geometry:\n{}", geometric.lines());
    assert_eq!(geometric.json["mode"], "geometry");
    // The human-readable form: only the summary line, exit 0.
    let text = std::process::Command::new(python()).arg(root().join("tests/layout/check_layout.py")).arg(&pdf).output().unwrap();
    assert_eq!(text.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(stdout.starts_with("summary ") && stdout.contains("total=0"), "{stdout}");
}

#[test]
fn human_readable_report_names_page_rule_and_context() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = build_sample("orphan", dir.path());
    let text = std::process::Command::new(python()).arg(root().join("tests/layout/check_layout.py")).arg(&pdf).output().unwrap();
    assert_eq!(text.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(stdout.contains("page 1, rule orphan: last line holds the single character “年” near «"), "{stdout}");
    assert!(stdout.contains("orphan=1"), "no per-rule summary:\n{stdout}");
}

#[test]
fn unreadable_input_exits_with_2() {
    let dir = tempfile::tempdir().unwrap();
    let missing = layout_check(&dir.path().join("missing.pdf"), &[]);
    assert_eq!(missing.code, 2, "{}", missing.stderr);
    let not_pdf = dir.path().join("not.pdf");
    std::fs::write(&not_pdf, "plain text, not a PDF").unwrap();
    let report = layout_check(&not_pdf, &[]);
    assert_eq!(report.code, 2, "{}", report.stderr);
    assert!(report.stderr.contains("cannot read"), "{}", report.stderr);
    let usage = layout_check(&not_pdf, &["--columns", "0"]);
    assert_eq!(usage.code, 2, "{}", usage.stderr);
}

/// Builds a manuscript with the real design and returns the checker's report.
fn check_manuscript(dir: &Path, manuscript: &Path, output: &str) -> LayoutReport {
    build_ok(manuscript, dir, "pdf");
    layout_check(&dir.join(format!("{output}.pdf")), &["--columns", "2"])
}

#[test]
fn real_manuscripts_pass_the_layout_check() {
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for (manuscript, output) in [
        (root().join("manuscript"), "leiyang-green-transformation"),
        (root().join("tests/manuscripts/quarterly"), "quarterly-review"),
        (root().join("tests/manuscripts/typography"), "typography-stress"),
    ] {
        let out = dir.path().join(output);
        let report = check_manuscript(&out, &manuscript, output);
        assert_ne!(report.code, 2, "checker failed on {output}: {}", report.stderr);
        // Every glyph is tagged or an artifact, so every rule runs on the tagged structure.
        assert_eq!((report.json["mode"].as_str(), report.json["untagged_chars"].as_u64()), (Some("tags"), Some(0)), "{output}: untagged text");
        println!("{output}: {} violation(s) {}\n{}", report.json["total"], report.json["counts"], report.lines());
        if report.code != 0 {
            failures.push(format!("{output}:\n{}", report.lines()));
        }
    }
    assert!(failures.is_empty(), "layout violations:\n{}", failures.join("\n"));
}

#[test]
fn an_empty_page_after_the_text_is_a_short_page() {
    // A balancing float that found no room made a fourth page holding nothing but the
    // running head (the bulletin, magazine design); the checker left blank pages alone.
    let dir = tempfile::tempdir().unwrap();
    let pdf = build_sample("good", dir.path());
    let padded = dir.path().join("padded.pdf");
    let script = format!(
        "import pikepdf\npdf = pikepdf.open({:?})\npdf.add_blank_page(page_size=(pdf.pages[0].mediabox[2], pdf.pages[0].mediabox[3]))\npdf.save({:?})\n",
        pdf.display().to_string(),
        padded.display().to_string()
    );
    let made = std::process::Command::new(python()).args(["-c", &script]).output().expect("python runs");
    assert!(made.status.success(), "pikepdf (make test-tools installs it): {}", String::from_utf8_lossy(&made.stderr));
    let report = layout_check(&padded, &[]);
    assert_eq!(report.fired(), vec!["short-page".to_string()], "{}", report.lines());
    let last = report.json["pages"].as_u64();
    assert_eq!(report.json["violations"][0]["page"].as_u64(), last, "the empty last page is named:\n{}", report.lines());
}
