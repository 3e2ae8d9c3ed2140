//! The manuscript is parsed once and every construct is seen wherever it is nested: charts
//! in quotes, footnotes in sidebars, one image used twice, and private-use characters
//! beside the constructs that once used private-use placeholders internally.

mod common;

use std::path::Path;

use common::*;

/// A data table `t` with two rows, for references and directives.
const TABLE: &str = "title = \"表\"\nsource = \"来源\"\nkey = \"项目\"\ncolumns = [{ name = \"数值\", type = \"number\", unit = \"亿元\" }]\nrows = [[\"甲\", \"12.5\"], [\"乙\", \"7.5\"]]\n";

const CHART: &str = "```chart\ndata = \"t\"\nid = \"q\"\nkind = \"bar\"\nseries = [\"数值\"]\ncaption = \"引文中的图\"\n```";

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_chart_inside_a_quote_uses_its_table_and_is_written_by_charts() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = dir.path().join("m");
    let quoted: String = CHART.lines().map(|line| format!("> {line}\n")).collect();
    write_manuscript(&manuscript, "quoted", &[("text/a.md", &format!("# 一\n\n正文见@fig:q。\n\n{quoted}")), ("data/t.toml", TABLE)]);
    // The table is used (by the chart in the quote): no warning, so --deny-warnings passes.
    let output = reportpress(&["check", "--deny-warnings", "--manuscript", manuscript.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!stderr(&output).contains("never used"), "{}", stderr(&output));
    // `charts` finds the chart in the quote and writes it.
    let out = dir.path().join("out");
    let output = reportpress(&["charts", "--manuscript", manuscript.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let svg = std::fs::read_to_string(out.join("charts/fig-q.svg")).expect("the chart in the quote was written");
    assert!(svg.contains(">12.5</text>") && svg.contains(">7.5</text>"), "the chart does not show the data: {svg}");
    // The PDF prints the chart's caption and the cross-reference.
    build_ok(&manuscript, &out, "pdf");
    let text = squeeze(&pdf_body_text(&out.join("quoted.pdf")));
    assert!(text.contains("正文见图1。") && text.contains("图1引文中的图"), "{text}");
}

#[test]
fn a_footnote_in_a_sidebar_is_a_note_in_both_editions() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = dir.path().join("m");
    let text = "# 一\n\n正文。\n\n```sidebar 边栏\n边栏里的话[^a]。\n```\n\n[^a]: 边栏注释的内容。\n";
    write_manuscript(&manuscript, "sidebar-note", &[("text/a.md", text)]);
    let out = dir.path().join("out");
    build_ok(&manuscript, &out, "all");
    let entries = zip_entries(&out.join("sidebar-note.epub"));
    let spine: String = epub_spine(&entries).into_iter().map(|(_, xhtml)| xhtml).collect();
    assert!(!spine.contains("[^a]"), "the reference printed literally:\n{spine}");
    assert!(spine.contains("epub:type=\"noteref\"") && spine.contains("边栏注释的内容。"), "{spine}");
    let pdf = squeeze(&pdf_body_text(&out.join("sidebar-note.pdf")));
    assert!(!pdf.contains("[^a]") && pdf.contains("边栏注释的内容。"), "{pdf}");
}

#[test]
fn a_footnote_without_definition_in_a_sidebar_is_an_error_at_its_column() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = dir.path().join("m");
    write_manuscript(&manuscript, "sidebar-note", &[("text/a.md", "# 一\n\n```sidebar\n边栏[^b]。\n```\n")]);
    let output = build(&manuscript, &dir.path().join("out"), "pdf");
    assert!(!output.status.success());
    assert!(stderr(&output).contains("a.md:4:3") && stderr(&output).contains("[^b] has no definition"), "{}", stderr(&output));
}

#[test]
fn one_photo_used_twice_and_two_photos_of_one_name_build() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = dir.path().join("m");
    let text = "# 一\n\n![甲地](images/a/photo.svg \"甲地\")\n\n![乙地](images/b/photo.svg \"乙地\"){#fig:b}\n\n再看一次：\n\n![甲地](images/a/photo.svg \"甲地（重复）\")\n\n见@fig:b。\n";
    write_manuscript(&manuscript, "photos", &[("text/a.md", text)]);
    for (folder, colour) in [("a", "red"), ("b", "blue")] {
        let path = manuscript.join(format!("images/{folder}/photo.svg"));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(
            path,
            format!("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"40\" height=\"30\"><rect width=\"40\" height=\"30\" fill=\"{colour}\"/></svg>"),
        )
        .unwrap();
    }
    let out = dir.path().join("out");
    build_ok(&manuscript, &out, "all");
    let text = squeeze(&pdf_body_text(&out.join("photos.pdf")));
    for caption in ["图1甲地", "图2乙地", "图3甲地（重复）", "见图2。"] {
        assert!(text.contains(caption), "{caption} missing:\n{text}");
    }
    assert_epubcheck_clean(&epubcheck(&out.join("photos.epub")), "a book with one photo twice");
}

#[test]
fn private_use_characters_beside_bold_and_references_are_kept_or_refused_as_no_glyph() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = dir.path().join("m");
    let text = "# 一\n\n甲\u{E000}**粗体\u{E001}**乙{{t.甲.数值}}\u{E002}丙@tbl:x\u{E003}。\n\n```table\ndata = \"t\"\nid = \"x\"\n```\n";
    write_manuscript(&manuscript, "pua", &[("text/a.md", text), ("data/t.toml", TABLE)]);
    // The pinned fonts have no glyphs there: the only errors are the no-glyph errors, one
    // per character, at the line (nothing is mangled into bold or references).
    let output = build(&manuscript, &dir.path().join("out"), "pdf");
    assert!(!output.status.success());
    let errors = stderr(&output);
    let lines: Vec<&str> = errors.lines().filter(|l| l.starts_with("error")).collect();
    assert_eq!(lines.len(), 5, "{errors}"); // four characters and the closing summary
    for code in ["E000", "E001", "E002", "E003"] {
        assert!(errors.contains(&format!("(U+{code})")), "no glyph error for U+{code}:\n{errors}");
    }
    assert!(errors.contains("a.md:3"), "{errors}");
    // The document model keeps them as text next to the resolved constructs.
    let data = reportpress::manuscript::data::DataSet::load(&manuscript).unwrap();
    let (blocks, diagnostics) = reportpress::manuscript::parse_text(text, &data, &manuscript, Path::new("text/a.md"));
    assert!(!diagnostics.has_errors(), "{diagnostics}");
    let mut printed = String::new();
    if let reportpress::model::BlockKind::Paragraph { content, .. } = &blocks[1].kind {
        reportpress::model::plain_text_of(content, &mut printed);
    }
    assert_eq!(printed, "甲\u{E000}粗体\u{E001}乙12.5\u{E002}丙表\u{a0}1\u{E003}。");
}

#[test]
fn a_picture_inside_an_svg_figure_goes_into_the_epub() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = dir.path().join("m");
    write_manuscript(&manuscript, "nested-picture", &[("text/a.md", "# 一\n\n![示意](images/map.svg \"地图\")\n")]);
    std::fs::create_dir_all(manuscript.join("images")).unwrap();
    std::fs::copy(root().join("tests/bad_inputs/good/images/a.png"), manuscript.join("images/photo.png")).unwrap();
    std::fs::write(
        manuscript.join("images/map.svg"),
        r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="40" height="30"><image xlink:href="photo.png" width="40" height="30"/></svg>"#,
    )
    .unwrap();
    let out = dir.path().join("out");
    build_ok(&manuscript, &out, "all");
    let entries = zip_entries(&out.join("nested-picture.epub"));
    let svg = entries
        .iter()
        .find(|(name, _)| name.ends_with(".svg") && name.contains("figure"))
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .expect("the SVG figure");
    assert!(svg.contains("xlink:href=\"data:image/png;base64,"), "the picture is not inside the SVG: {svg}");
    assert_epubcheck_clean(&epubcheck(&out.join("nested-picture.epub")), "an SVG figure showing a PNG");
}

#[test]
fn joiners_and_variation_selectors_are_kept_in_both_editions() {
    // A zero-width joiner and a variation selector (used for rare characters) need no glyph.
    let dir = tempfile::tempdir().unwrap();
    let manuscript = dir.path().join("m");
    write_manuscript(&manuscript, "joiners", &[("text/a.md", "# 一\n\n葛\u{E0100}优\u{200D}化与邊\u{FE00}界。\n")]);
    let out = dir.path().join("out");
    build_ok(&manuscript, &out, "all");
    let spine: String = epub_spine(&zip_entries(&out.join("joiners.epub"))).into_iter().map(|(_, x)| x).collect();
    assert!(spine.contains("葛\u{E0100}优\u{200D}化与邊\u{FE00}界。"), "the EPUB dropped them");
    let text = tool("pdftotext", &["-enc", "UTF-8", out.join("joiners.pdf").to_str().unwrap(), "-"]);
    assert!(squeeze(&text).contains("化与"), "{text}");
}
