//! `reportpress import`: manuscripts made from hard-wrapped extracted text and from Word
//! documents, checked by building them and reading the PDF back.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// Runs `reportpress import FILE --out DIR [extra]`.
fn import(file: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["import", file.to_str().expect("utf-8 path"), "--out", out.to_str().expect("utf-8 path")];
    args.extend(extra);
    reportpress(&args)
}

fn import_ok(file: &Path, out: &Path, extra: &[&str]) -> String {
    let output = import(file, out, extra);
    assert!(output.status.success(), "import of {} failed:\n{}", file.display(), String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The text files of a manuscript, in the order report.toml lists them.
fn text_files(manuscript: &Path) -> Vec<(String, String)> {
    let config: toml::Table = toml::from_str(&std::fs::read_to_string(manuscript.join("report.toml")).unwrap()).unwrap();
    config["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let name = f.as_str().unwrap().to_string();
            let text = std::fs::read_to_string(manuscript.join(&name)).unwrap();
            (name, text)
        })
        .collect()
}

fn report_toml(manuscript: &Path) -> toml::Table {
    toml::from_str(&std::fs::read_to_string(manuscript.join("report.toml")).unwrap()).unwrap()
}

/// Every place in the Markdown where white space touches a Chinese character or full-width
/// punctuation (a layout space), outside the heading and fence markers.
fn layout_spaces(markdown: &str) -> Vec<String> {
    let cjk = |c: char| matches!(c as u32, 0x3000..=0x303F | 0x3400..=0x9FFF | 0xFF00..=0xFFEF | 0x2014 | 0x201C | 0x201D);
    let mut found = Vec::new();
    for line in markdown.lines() {
        let body = line.trim_start_matches('#').trim_start_matches("```sidebar").trim_start();
        let chars: Vec<char> = body.chars().collect();
        for (i, c) in chars.iter().enumerate() {
            if c.is_whitespace() && (i > 0 && cjk(chars[i - 1]) || chars.get(i + 1).is_some_and(|n| cjk(*n))) {
                found.push(chars[i.saturating_sub(6)..(i + 6).min(chars.len())].iter().collect());
            }
        }
    }
    found
}

/// The headings of the text files: (level, text).
fn headings(files: &[(String, String)]) -> Vec<(usize, String)> {
    files
        .iter()
        .flat_map(|(_, text)| text.lines().filter(|l| l.starts_with('#')).map(|l| (l.chars().take_while(|c| *c == '#').count(), l.trim_start_matches('#').trim().to_string())))
        .collect()
}

fn pdf_of(manuscript: &Path, out: &Path) -> PathBuf {
    build_ok(manuscript, out, "pdf");
    let output = report_toml(manuscript)["output"].as_str().unwrap().to_string();
    out.join(format!("{output}.pdf"))
}

#[test]
fn the_seed_text_imports_into_a_manuscript_whose_pdf_holds_every_sentence_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = dir.path().join("leiyang");
    let notes = import_ok(&root().join("tests/fixtures/seed-leiyang.txt"), &manuscript, &[]);

    // Metadata from the byline and from the title block at the end.
    let config = report_toml(&manuscript);
    assert_eq!(config["title"].as_str(), Some("红色耒阳绿色转型"), "{config}");
    assert_eq!(config["subtitle"].as_str(), Some("湖南耒阳市推动资源枯竭城市转型高质量发展纪实"));
    let authors: Vec<&str> = config["authors"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
    assert_eq!(authors, ["谭红平", "杨茂林", "周济", "王晓辉"]);

    // One file per section, the five section headings, run-in heads, a sidebar.
    let files = text_files(&manuscript);
    let titles: Vec<String> = headings(&files).into_iter().map(|(level, text)| format!("{level} {text}")).collect();
    assert_eq!(titles, ["1 策略之“转”：对标对表", "1 产业之“转”：升级加速", "1 民生之“转”：聚焦难点", "1 环境之“转”：修复生态", "1 改革之“转”：释放活力"]);
    assert_eq!(files.len(), 6, "an opening and five sections");
    let all: String = files.iter().map(|(_, t)| t.as_str()).collect();
    assert!(all.contains("**生态立市。**牢固树立"), "run-in head missing");
    assert!(!all.contains("**红色是耒阳的本色。**"), "a lone short opening sentence is not a run-in head");
    assert!(all.contains("```sidebar\n11月5日，衡阳市委副书记"), "the caption block is not a sidebar");
    assert!(all.contains("“211+X”产业"), "a break between `211+` and `X` became a space");
    let spaces = layout_spaces(&all);
    assert!(spaces.is_empty(), "layout spaces left: {spaces:?}");
    let paragraph = files[0].1.split("\n\n").nth(1).unwrap();
    assert!(paragraph.starts_with("红色是耒阳的本色。1928年1月12日，湘南大地") && paragraph.ends_with("耒阳牺牲的烈士达2.8万名。"), "{paragraph}");

    // Every uncertain decision is a note naming its line.
    assert!(notes.contains("seed-leiyang.txt:1") && notes.contains("byline"), "{notes}");
    assert!(notes.contains("周 济"), "the joined name is not reported:\n{notes}");
    let listed = std::fs::read_to_string(manuscript.join("IMPORT-NOTES.md")).unwrap();
    assert!(listed.contains("read as a heading: `策略之“转”：对标对表`"), "{listed}");

    // The manuscript builds at once, and the PDF has every sentence of the seed in order.
    let pdf = pdf_of(&manuscript, &dir.path().join("out"));
    let pdf_text = squeeze(&pdf_body_text(&pdf));
    let seed = seed();
    let mut cursor = 0;
    for sentence in &seed.body {
        match find_sentence(&pdf_text, cursor, sentence) {
            Some(end) => cursor = end,
            None => panic!("seed sentence {} in the PDF: {sentence}", if pdf_text.contains(sentence.as_str()) { "out of order" } else { "missing" }),
        }
    }
    assert!(pdf_text.contains(&seed.title), "title missing");
    assert!(pdf_text.contains(&seed.subtitle.replace("——", "")), "subtitle missing");
    for sentence in &seed.sidebar {
        assert!(pdf_text.contains(sentence.as_str()), "sidebar sentence missing: {sentence}");
    }
}

/// Another report-style text, written for this test: a title and byline at the top,
/// numbered headings on two levels, a page number, a narrower column, punctuation pushed
/// to the start of lines.
#[test]
fn a_county_report_with_numbered_headings_imports_with_its_structure() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = dir.path().join("county");
    let notes = import_ok(&root().join("tests/fixtures/import/county-agriculture.txt"), &manuscript, &[]);
    let config = report_toml(&manuscript);
    assert_eq!(config["title"].as_str(), Some("2023年某县农业农村发展报告"));
    let authors: Vec<&str> = config["authors"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
    assert_eq!(authors, ["李明", "赵强"]);
    let files = text_files(&manuscript);
    assert_eq!(
        headings(&files),
        [(1, "一、总体情况".into()), (1, "二、主要做法".into()), (2, "（一）稳住粮食生产".into()), (2, "（二）发展特色产业".into()), (1, "三、存在的问题".into())]
    );
    assert_eq!(files.len(), 3, "one file per level-1 heading");
    let all: String = files.iter().map(|(_, t)| t.as_str()).collect();
    let paragraphs: Vec<&str> = all.split("\n\n").map(str::trim).filter(|p| !p.starts_with('#') && !p.is_empty()).collect();
    assert_eq!(paragraphs.len(), 7, "{paragraphs:#?}");
    assert!(paragraphs[0].starts_with("2023年，全县农业农村工作坚持稳中求进，粮食生产再获丰收") && paragraphs[0].contains("全年粮食播种面积52.3万亩"), "{}", paragraphs[0]);
    assert_eq!(paragraphs[2], "落实耕地保护和粮食安全责任制，新建高标准农田3.2万亩，完成撂荒地复耕1.1万亩。推广“稻油”轮作模式，种植面积达到8.6万亩。");
    assert!(!all.contains("- 1 -") && notes.contains("page number"), "the page number stayed:\n{all}");
    assert!(layout_spaces(&all).is_empty(), "{:?}", layout_spaces(&all));
    // The same text in GBK gives the same manuscript, and says it converted.
    let gbk = dir.path().join("county-gbk");
    let gbk_notes = import_ok(&root().join("tests/fixtures/import/county-agriculture-gbk.txt"), &gbk, &[]);
    assert!(gbk_notes.contains("GB18030"), "{gbk_notes}");
    assert_eq!(text_files(&gbk), files);
    // It builds, and the PDF holds every sentence in order.
    let pdf = pdf_of(&manuscript, &dir.path().join("out"));
    let pdf_text = squeeze(&pdf_body_text(&pdf));
    let source: String = squeeze(&std::fs::read_to_string(root().join("tests/fixtures/import/county-agriculture.txt")).unwrap());
    let body = &source[source.find("一、").unwrap()..].replace("-1-", "");
    let mut cursor = 0;
    for sentence in sentences(body) {
        cursor = find_sentence(&pdf_text, cursor, &sentence).unwrap_or_else(|| panic!("missing or out of order: {sentence}"));
    }
}

#[test]
fn import_refuses_a_non_empty_directory_and_leaves_it_alone() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("keep.md"), "mine").unwrap();
    let output = import(&root().join("tests/fixtures/import/county-agriculture.txt"), dir.path(), &[]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("not empty"));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}
