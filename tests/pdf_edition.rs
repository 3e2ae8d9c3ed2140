//! The PDF edition, checked from the outside: the built file is read back with
//! poppler-utils and qpdf, as a proofreader's or printer's tools would see it.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::*;

/// The article built once per test run: (temp dir guard, pdf path).
fn article_pdf() -> &'static Path {
    static PDF: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, pdf) = PDF.get_or_init(|| {
        let out = tempfile::tempdir().expect("temp dir");
        build_ok(&root().join("manuscript"), out.path(), "pdf");
        let pdf = out.path().join("leiyang-green-transformation.pdf");
        assert!(pdf.is_file(), "the article PDF was not written");
        (out, pdf)
    });
    pdf
}

#[test]
fn every_seed_sentence_is_in_the_pdf_in_order() {
    let seed = seed();
    let pdf_text = squeeze(&pdf_body_text(article_pdf()));
    let mut cursor = 0;
    assert!(seed.body.len() > 100, "seed split into too few sentences");
    for sentence in &seed.body {
        match find_sentence(&pdf_text, cursor, sentence) {
            Some(end) => cursor = end,
            None => {
                let anywhere = pdf_text.contains(sentence.as_str());
                panic!("seed sentence {} in the PDF after the previous one: {sentence}", if anywhere { "is out of order" } else { "is missing" });
            }
        }
    }
    // Title, subtitle, caption and note: present, each sentence intact.
    assert!(pdf_text.contains(&seed.title), "title {} missing", seed.title);
    assert!(pdf_text.contains(&seed.subtitle), "subtitle {} missing", seed.subtitle);
    for sentence in &seed.sidebar {
        assert!(pdf_text.contains(sentence.as_str()), "sentence missing from the PDF: {sentence}");
    }
}

#[test]
fn fonts_are_embedded_subset_with_unicode_maps_and_simplified_chinese_faces() {
    let listing = tool("pdffonts", &[article_pdf().to_str().unwrap()]);
    let rows: Vec<&str> = listing.lines().skip(2).collect();
    assert!(rows.len() >= 3, "expected body, heading and sans faces, got:\n{listing}");
    for row in rows {
        let columns: Vec<&str> = row.split_whitespace().collect();
        let n = columns.len();
        let (name, emb, sub, uni) = (columns[0], columns[n - 5], columns[n - 4], columns[n - 3]);
        assert_eq!((emb, sub, uni), ("yes", "yes", "yes"), "font {name} is not embedded+subset+unicode:\n{listing}");
        assert!(name.contains("CJKsc-"), "font {name} is not a Simplified Chinese face");
    }
    assert!(listing.contains("NotoSerifCJKsc-Regular"), "body face missing:\n{listing}");
    assert!(listing.contains("NotoSansCJKsc-Bold"), "heading face missing:\n{listing}");
}

#[test]
fn pdf_is_tagged_with_metadata_language_and_outline() {
    let pdf = article_pdf().to_str().unwrap();
    let info = tool("pdfinfo", &[pdf]);
    assert!(info.contains("Tagged:          yes"), "{info}");
    assert!(info.contains("Title:           红色耒阳 绿色转型"), "{info}");
    assert!(info.contains("Author:          谭红平, 杨茂林, 周济, 王晓辉"), "{info}");
    assert!(info.contains("Keywords:        耒阳"), "{info}");
    assert!(info.contains("Page size:       595.276 x 841.89 pts (A4)"), "{info}");

    let json: serde_json::Value = serde_json::from_str(&tool("qpdf", &["--json=2", "--json-key=outlines", "--json-key=qpdf", pdf])).unwrap();
    let titles: Vec<&str> = json["outlines"].as_array().unwrap().iter().map(|o| o["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["策略之“转”：对标对表", "产业之“转”：升级加速", "民生之“转”：聚焦难点", "环境之“转”：修复生态", "改革之“转”：释放活力"]);
    let objects = json["qpdf"][1].as_object().unwrap();
    let catalog = objects.values().filter_map(|o| o.get("value")).find(|v| v.get("/Type").and_then(|t| t.as_str()) == Some("/Catalog")).expect("catalog");
    assert_eq!(catalog["/Lang"], "u:zh-CN");
    assert_eq!(catalog["/MarkInfo"]["/Marked"], true);
    assert!(catalog.get("/StructTreeRoot").is_some());
}

#[test]
fn pdf_passes_qpdf_structure_check() {
    let report = tool("qpdf", &["--check", article_pdf().to_str().unwrap()]);
    assert!(report.contains("No syntax or stream encoding errors found"), "{report}");
}

#[test]
fn run_in_heads_and_headings_use_the_sans_bold_face() {
    // The run-in head 生态立市。 must be drawn; its face is the only Sans Bold use besides headings.
    let text = squeeze(&pdf_body_text(article_pdf()));
    assert!(text.contains("生态立市。牢固树立生态优先"), "run-in head not followed directly by its paragraph");
    assert!(!text.contains("**"), "unparsed Markdown bold markers leaked into the PDF");
}

#[test]
fn typst_special_characters_print_literally_and_never_run_code() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = dir.path().join("m");
    // Markdown escapes are needed only where CommonMark itself would act (\*, \<, …);
    // everything else is Typst syntax that must reach the page untouched.
    let source = r#"符号 # $ \* \_ \` @ \< = \\ \[ \] 都照原样印出。#set page(width: 3cm) #panic("x") $x^2$ \<label> @ref = 标题 #{1+1}"#;
    let printed = r#"符号 # $ * _ ` @ < = \ [ ] 都照原样印出。#set page(width: 3cm) #panic("x") $x^2$ <label> @ref = 标题 #{1+1}"#;
    write_manuscript(&manuscript, "special", &[("a.md", &format!("{source}\n\n= 不是标题\n"))]);
    let out = dir.path().join("out");
    build_ok(&manuscript, &out, "pdf");
    let pdf = out.join("special.pdf");
    let text = squeeze(&tool("pdftotext", &["-raw", "-enc", "UTF-8", pdf.to_str().unwrap(), "-"]));
    assert!(text.contains(&squeeze(printed)), "special characters changed:\n{text}");
    assert!(text.contains("=不是标题"), "a line starting with = became a heading:\n{text}");
    let info = tool("pdfinfo", &[pdf.to_str().unwrap()]);
    assert!(info.contains("(A4)"), "manuscript text changed the page size:\n{info}");
}

#[test]
fn a_character_without_glyph_fails_naming_it_and_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = dir.path().join("m");
    write_manuscript(&manuscript, "glyph", &[("t.md", "第一段。\n\n第二段有个𓀀字。\n")]);
    let output = build(&manuscript, &dir.path().join("out"), "pdf");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("U+13000"), "{stderr}");
    assert!(stderr.contains("t.md:3"), "message does not name t.md line 3:\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!dir.path().join("out/glyph.pdf").exists());

    // With another error in the text, both are reported in the same run.
    std::fs::write(manuscript.join("t.md"), "第一段引用了不存在的注释[^nope]。\n\n第二段有个𓀀字。\n").unwrap();
    let stderr = String::from_utf8_lossy(&build(&manuscript, &dir.path().join("out"), "pdf").stderr).to_string();
    assert!(stderr.contains("[^nope]") && stderr.contains("t.md:1"), "{stderr}");
    assert!(stderr.contains("U+13000") && stderr.contains("t.md:3"), "the missing glyph waits for the other error:\n{stderr}");
}

#[test]
fn a_missing_text_file_fails_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = dir.path().join("m");
    write_manuscript(&manuscript, "missing", &[("t.md", "正文。\n")]);
    std::fs::remove_file(manuscript.join("t.md")).unwrap();
    let output = build(&manuscript, &dir.path().join("out"), "pdf");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("t.md"), "{stderr}");
    assert!(stderr.contains("report.toml"), "the hint should point at the list in report.toml:\n{stderr}");
}

#[test]
fn a_malformed_report_toml_fails_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = dir.path().join("m");
    write_manuscript(&manuscript, "bad", &[("t.md", "正文。\n")]);
    std::fs::write(manuscript.join("report.toml"), "title = \"标题\"\ndate = \"2024-01-02\"\noutput = \"bad\"\nfiles = [\"t.md\"\n").unwrap();
    let output = build(&manuscript, &dir.path().join("out"), "pdf");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("report.toml:4") || stderr.contains("report.toml:5"), "no file:line in:\n{stderr}");

    std::fs::write(manuscript.join("report.toml"), "title = \"标题\"\ndate = 2024\noutput = \"bad\"\nfiles = [\"t.md\"]\n").unwrap();
    let stderr = String::from_utf8_lossy(&build(&manuscript, &dir.path().join("out"), "pdf").stderr).to_string();
    assert!(stderr.contains("report.toml:2"), "wrong-typed date not located:\n{stderr}");
}

#[test]
fn a_failed_build_leaves_the_previous_pdf_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = dir.path().join("m");
    let out = dir.path().join("out");
    write_manuscript(&manuscript, "keep", &[("t.md", "好的正文。\n")]);
    build_ok(&manuscript, &out, "pdf");
    let before = std::fs::read(out.join("keep.pdf")).unwrap();
    std::fs::write(manuscript.join("t.md"), "坏的正文[^nope]。\n").unwrap();
    let output = build(&manuscript, &out, "pdf");
    assert!(!output.status.success());
    assert_eq!(std::fs::read(out.join("keep.pdf")).unwrap(), before, "the previous PDF was changed");
    let leftovers: Vec<_> = std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers.len(), 1, "temporary files left behind: {leftovers:?}");
}

#[test]
fn builds_are_reproducible() {
    let dir = tempfile::tempdir().unwrap();
    let sample = root().join("tests/manuscripts/quarterly");
    build_ok(&sample, &dir.path().join("a"), "pdf");
    build_ok(&sample, &dir.path().join("b"), "pdf");
    let a = std::fs::read(dir.path().join("a/quarterly-review.pdf")).unwrap();
    let b = std::fs::read(dir.path().join("b/quarterly-review.pdf")).unwrap();
    assert!(a == b, "two builds of the same manuscript differ");
}

#[test]
fn a_second_manuscript_with_every_construct_builds() {
    let dir = tempfile::tempdir().unwrap();
    let sample = root().join("tests/manuscripts/quarterly");
    build_ok(&sample, dir.path(), "pdf");
    let pdf = dir.path().join("quarterly-review.pdf");
    let text = squeeze(&tool("pdftotext", &["-raw", "-enc", "UTF-8", pdf.to_str().unwrap(), "-"]));
    for expected in [
        "城市季度观察",                           // title
        "一、总体情况",                           // heading
        "开局良好。",                             // run-in head
        "第一项：稳就业，城镇新增就业12,345人。", // list item with a data reference
        "数据是最好的证人。",                     // block quote
        "资料口径说明",                           // sidebar title
        "统计口径以年报为准。",                   // footnote text
        "图示：季度走势",                         // image caption
        "强调的文字",                             // emphasis
        "加粗的文字",                             // strong
    ] {
        assert!(text.contains(&squeeze(expected)), "{expected} missing from the second manuscript's PDF:\n{text}");
    }
    let fonts = tool("pdffonts", &[pdf.to_str().unwrap()]);
    assert!(fonts.contains("NotoSerifCJKsc-Bold"), "strong text is not set in the real bold face:\n{fonts}");
}

#[test]
fn a_text_file_listed_under_new_page_begins_a_new_page() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = dir.path().join("m");
    let first = "第一章的正文只有一段，远不足一页。\n";
    let second = "第二章从新的一页开始。\n";
    let third = "第三章紧接着第二章排。\n";
    write_manuscript(&manuscript, "chapters", &[("a.md", first), ("b.md", second), ("c.md", third)]);
    let pages_of = |out: &Path| -> Vec<String> {
        let pdf = out.join("chapters.pdf");
        let count: usize = tool("pdfinfo", &[pdf.to_str().unwrap()]).lines().find_map(|l| l.strip_prefix("Pages:").map(|n| n.trim().parse().unwrap())).unwrap();
        (1..=count)
            .map(|page| squeeze(&tool("pdftotext", &["-f", &page.to_string(), "-l", &page.to_string(), "-enc", "UTF-8", pdf.to_str().unwrap(), "-"])))
            .collect()
    };
    build_ok(&manuscript, &dir.path().join("flow"), "pdf");
    assert_eq!(pages_of(&dir.path().join("flow")).len(), 1, "without new_page the three short files share one page");

    let config = std::fs::read_to_string(manuscript.join("report.toml")).unwrap();
    std::fs::write(manuscript.join("report.toml"), format!("{config}new_page = [\"b.md\"]\n")).unwrap();
    build_ok(&manuscript, &dir.path().join("broken"), "pdf");
    let pages = pages_of(&dir.path().join("broken"));
    assert_eq!(pages.len(), 2, "{pages:?}");
    assert!(pages[0].contains(&squeeze(first)) && !pages[0].contains(&squeeze(second)), "{pages:?}");
    assert!(pages[1].contains(&squeeze(second)) && pages[1].contains(&squeeze(third)), "{pages:?}");
    // The EPUB has no pages: the text is all there, in order.
    build_ok(&manuscript, &dir.path().join("broken"), "epub");
}

#[test]
fn check_validates_without_writing() {
    let dir = tempfile::tempdir().unwrap();
    let output = reportpress(&["check", "--manuscript", root().join("manuscript").to_str().unwrap(), "--out", dir.path().join("never").to_str().unwrap()]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(!dir.path().join("never").exists());
}

#[test]
fn source_code_knows_nothing_about_the_article() {
    fn check(dir: &Path) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                check(&path);
                continue;
            }
            let code = std::fs::read_to_string(&path).unwrap();
            for word in ["耒阳", "Leiyang", "leiyang", "韶能"] {
                assert!(!code.contains(word), "{} mentions {word}", path.display());
            }
        }
    }
    check(&root().join("src"));
}
