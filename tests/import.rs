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
        .flat_map(|(_, text)| {
            text.lines().filter(|l| l.starts_with('#')).map(|l| (l.chars().take_while(|c| *c == '#').count(), l.trim_start_matches('#').trim().to_string()))
        })
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

    // The paragraphs are those of the hand-made article (compared by their openings; the
    // article moved numbers into data and the caption into the middle).
    let openings = |files: &[(String, String)]| -> Vec<String> {
        let text: String = files.iter().map(|(_, t)| format!("{t}\n\n")).collect();
        text.split("\n\n")
            .map(str::trim)
            .filter(|p| {
                !p.is_empty() && !p.starts_with('#') && !p.starts_with("```") && !p.starts_with("caption") && !p.starts_with("data") && !p.contains("\n```")
            })
            .map(|p| p.replace("**", "").chars().take(8).collect())
            .filter(|p: &String| !p.contains("{{"))
            .collect()
    };
    let article = openings(&text_files(&root().join("manuscript")));
    let imported: Vec<String> = openings(&files).into_iter().filter(|o| article.contains(o)).collect();
    assert!(article.len() > 30, "{} {article:?}", article.len());
    assert_eq!(imported, article, "the paragraphs differ from the hand-made article's");

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
        [
            (1, "一、总体情况".into()),
            (1, "二、主要做法".into()),
            (2, "（一）稳住粮食生产".into()),
            (2, "（二）发展特色产业".into()),
            (1, "三、存在的问题".into())
        ]
    );
    assert_eq!(files.len(), 3, "one file per level-1 heading");
    let all: String = files.iter().map(|(_, t)| t.as_str()).collect();
    let paragraphs: Vec<&str> = all.split("\n\n").map(str::trim).filter(|p| !p.starts_with('#') && !p.is_empty()).collect();
    assert_eq!(paragraphs.len(), 7, "{paragraphs:#?}");
    assert!(
        paragraphs[0].starts_with("2023年，全县农业农村工作坚持稳中求进，粮食生产再获丰收") && paragraphs[0].contains("全年粮食播种面积52.3万亩"),
        "{}",
        paragraphs[0]
    );
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

// ---- Word documents, written by the tests as raw OOXML ----------------------------------

const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture""#;
const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// A .docx at `path`: `body` is the inside of `<w:body>`; `parts` are further parts of
/// word/ (name, XML) linked from the document with the relationship type of their name;
/// `rels` are extra relationships of the document (id, type, target, external).
fn write_docx(path: &Path, body: &str, parts: &[(&str, &str)], rels: &[(&str, &str, &str, bool)], media: &[(&str, &[u8])], core: Option<&str>) {
    use std::io::Write;
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default();
    let mut add = |name: &str, bytes: &[u8]| {
        zip.start_file(name, options).unwrap();
        zip.write_all(bytes).unwrap();
    };
    add(
        "[Content_Types].xml",
        br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#,
    );
    let mut root = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="word/document.xml"/>"#
    );
    if core.is_some() {
        root.push_str(r#"<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>"#);
    }
    root.push_str("</Relationships>");
    add("_rels/.rels", root.as_bytes());
    if let Some(core) = core {
        let xml = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">{core}</cp:coreProperties>"#
        );
        add("docProps/core.xml", xml.as_bytes());
    }
    add(
        "word/document.xml",
        format!(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W}><w:body>{body}<w:sectPr/></w:body></w:document>"#).as_bytes(),
    );
    let mut document_rels =
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#.to_string();
    for (index, (name, xml)) in parts.iter().enumerate() {
        let kind = name.trim_end_matches(".xml");
        document_rels.push_str(&format!(r#"<Relationship Id="rPart{index}" Type="{REL}/{kind}" Target="{name}"/>"#));
        add(&format!("word/{name}"), format!(r#"<?xml version="1.0" encoding="UTF-8"?>{}"#, xml.replace("W_NS", W)).as_bytes());
    }
    for (id, kind, target, external) in rels {
        let mode = if *external { r#" TargetMode="External""# } else { "" };
        document_rels.push_str(&format!(r#"<Relationship Id="{id}" Type="{REL}/{kind}" Target="{target}"{mode}/>"#));
    }
    document_rels.push_str("</Relationships>");
    add("word/_rels/document.xml.rels", document_rels.as_bytes());
    for (name, bytes) in media {
        add(&format!("word/{name}"), bytes);
    }
    zip.finish().unwrap();
}

/// A paragraph of plain runs: `p(Some("Heading1"), "", &[r("text", "")])`.
fn p(style: Option<&str>, properties: &str, runs: &[String]) -> String {
    let style = style.map(|s| format!(r#"<w:pStyle w:val="{s}"/>"#)).unwrap_or_default();
    format!("<w:p><w:pPr>{style}{properties}</w:pPr>{}</w:p>", runs.concat())
}

/// A run with run properties (`<w:b/>`, `<w:i/>`).
fn r(text: &str, properties: &str) -> String {
    format!(r#"<w:r><w:rPr>{properties}</w:rPr><w:t xml:space="preserve">{text}</w:t></w:r>"#)
}

fn num(id: u32, level: u32) -> String {
    format!(r#"<w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="{id}"/></w:numPr>"#)
}

fn cell(text: &str, properties: &str) -> String {
    format!("<w:tc><w:tcPr>{properties}</w:tcPr>{}</w:tc>", p(None, "", &[r(text, "")]))
}

fn table(rows: &[Vec<String>]) -> String {
    let rows: String = rows.iter().map(|cells| format!("<w:tr>{}</w:tr>", cells.concat())).collect();
    format!("<w:tbl><w:tblPr/>{rows}</w:tbl>")
}

const STYLES: &str = r#"<w:styles W_NS>
<w:style w:type="paragraph" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/></w:style>
<w:style w:type="paragraph" w:styleId="1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="2"><w:name w:val="heading 2"/><w:pPr><w:outlineLvl w:val="1"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Caption"><w:name w:val="caption"/></w:style>
<w:style w:type="paragraph" w:styleId="TOC1"><w:name w:val="toc 1"/></w:style>
<w:style w:type="character" w:styleId="Strong"><w:name w:val="Strong"/><w:rPr><w:b/></w:rPr></w:style>
</w:styles>"#;

const NUMBERING: &str = r#"<w:numbering W_NS>
<w:abstractNum w:abstractNumId="0">
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/><w:suff w:val="nothing"/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/><w:suff w:val="nothing"/></w:lvl>
</w:abstractNum>
<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl></w:abstractNum>
<w:abstractNum w:abstractNumId="2"><w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/></w:lvl></w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>
<w:num w:numId="3"><w:abstractNumId w:val="2"/></w:num>
</w:numbering>"#;

const FOOTNOTES: &str = r#"<w:footnotes W_NS><w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote><w:footnote w:id="1"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> 资料来源：县统计局年度公报。</w:t></w:r></w:p></w:footnote></w:footnotes>"#;
const ENDNOTES: &str = r#"<w:endnotes W_NS><w:endnote w:id="2"><w:p><w:r><w:t>尾注说明口径调整。</w:t></w:r></w:p></w:endnote></w:endnotes>"#;

fn drawing(rel: &str, alt: &str) -> String {
    format!(
        r#"<w:r><w:drawing><wp:inline><wp:extent cx="914400" cy="914400"/><wp:docPr id="1" name="图片 1" descr="{alt}"/><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic><pic:blipFill><a:blip r:embed="{rel}"/></pic:blipFill></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"#
    )
}

/// A run holding a text box (as Word 2010 and later write it, with its VML fallback).
fn text_box(text: &str) -> String {
    let content = format!("<w:txbxContent><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:txbxContent>");
    format!(
        r#"<w:r><mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><mc:Choice Requires="wps"><w:drawing><wp:anchor><wp:docPr id="5" name="文本框 5"/><a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:txbx>{content}</wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape xmlns:v="urn:schemas-microsoft-com:vml"><v:textbox>{content}</v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>"#
    )
}

/// A document with every construct the import knows.
fn full_document(path: &Path) {
    let png = std::fs::read(root().join("tests/bad_inputs/good/images/a.png")).unwrap();
    let body = [
        p(Some("Title"), "", &[r("县域经济年度报告", "")]),
        r#"<w:sdt><w:sdtPr><w:docPartObj><w:docPartGallery w:val="Table of Contents"/></w:docPartObj></w:sdtPr><w:sdtContent><w:p><w:r><w:t>目录</w:t></w:r></w:p></w:sdtContent></w:sdt>"#.to_string(),
        p(Some("TOC1"), "", &[r("二、发展趋势……3", "")]),
        p(Some("1"), &num(1, 0), &[r("总体情况", "")]),
        p(None, "", &[r("全年", ""), r("地区生产总值", "<w:b/>"), r("增长", ""), r("5.2%", "<w:i/>"), r("，好于预期。", ""), r#"<w:r><w:footnoteReference w:id="1"/></w:r>"#.to_string()]),
        p(None, "", &[r("工业稳中有进。", "<w:rStyle w:val=\"Strong\"/>"), r("规模以上工业增加值增长6%，高于全省平均。", "")]),
        p(None, &num(1, 1), &[r("重点项目", "")]),
        p(None, &num(2, 0), &[r("新开工项目四十个，总投资一百亿元。", "")]),
        p(None, &num(2, 0), &[r("竣工项目二十个，当年投产见效。", "")]),
        p(None, &num(3, 0), &[r("产业链招商", "")]),
        p(None, &num(3, 0), &[r("以商招商", "")]),
        r#"<w:p><w:r><w:t xml:space="preserve">详见</w:t></w:r><w:hyperlink r:id="rIdLink"><w:r><w:t>县政府网站</w:t></w:r></w:hyperlink><w:r><w:t>的公告。</w:t></w:r><w:r><w:endnoteReference w:id="2"/></w:r></w:p>"#.to_string(),
        p(None, "", &[r("二、发展趋势", "")]),
        p(None, "", &[drawing("rIdImg", "柱状图：三次产业增加值")]),
        p(Some("Caption"), "", &[r("图1 三次产业增加值", "")]),
        p(Some("Caption"), "", &[r("表1 主要经济指标", "")]),
        table(&[
            vec![cell("指标", ""), cell("数值", ""), cell("增速", "")],
            vec![cell("地区生产总值", ""), cell("205.72", ""), cell("11", "")],
            vec![cell("第一产业", ""), cell("36.56", ""), cell("8.2", "")],
        ]),
        p(None, "", &[r("三次产业协调发展。", "")]),
        table(&[vec![cell("区域", ""), cell("数值", "")], vec![cell("东部与西部合计", "<w:gridSpan w:val=\"2\"/>")]]),
        table(&[vec![cell("专栏：县域经济的三个特点。", "")]]),
        p(None, "", &[r("展望", "<w:b/>")]),
        p(None, "", &[r("明年经济将保持平稳增长。", ""), text_box("文本框里的专栏：投资结构持续优化。")]),
    ]
    .concat();
    write_docx(
        path,
        &body,
        &[("styles.xml", STYLES), ("numbering.xml", NUMBERING), ("footnotes.xml", FOOTNOTES), ("endnotes.xml", ENDNOTES)],
        &[("rIdLink", "hyperlink", "https://www.example.gov.cn/notice", true), ("rIdImg", "image", "media/image1.png", false)],
        &[("media/image1.png", &png)],
        Some(
            "<dc:title>属性中的标题</dc:title><dc:creator>张三;李四</dc:creator><cp:keywords>县域经济, 统计</cp:keywords><dcterms:modified xsi:type=\"dcterms:W3CDTF\">2024-03-05T08:00:00Z</dcterms:modified>",
        ),
    );
}

#[test]
fn a_word_document_imports_with_headings_lists_notes_pictures_tables_and_links() {
    let dir = tempfile::tempdir().unwrap();
    let docx = dir.path().join("report.docx");
    full_document(&docx);
    let manuscript = dir.path().join("county");
    let notes = import_ok(&docx, &manuscript, &[]);

    let config = report_toml(&manuscript);
    assert_eq!(config["title"].as_str(), Some("县域经济年度报告"), "the Title paragraph wins over the properties");
    assert_eq!(config["date"].as_str(), Some("2024-03-05"));
    let list = |key: &str| -> Vec<String> { config[key].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_string()).collect() };
    assert_eq!(list("authors"), ["张三", "李四"]);
    assert_eq!(list("keywords"), ["县域经济", "统计"]);

    let files = text_files(&manuscript);
    assert_eq!(headings(&files), [(1, "一、总体情况".into()), (2, "（一）重点项目".into()), (1, "二、发展趋势".into()), (2, "展望".into())], "{files:#?}");
    assert_eq!(files.len(), 2, "one file per level-1 heading: {files:#?}");
    let first = &files[0].1;
    assert!(first.contains("全年**地区生产总值**增长*5.2%*，好于预期。[^fn1]"), "{first}");
    assert!(first.contains("[^fn1]: 资料来源：县统计局年度公报。"), "{first}");
    assert!(first.contains("**工业稳中有进。**规模以上工业增加值"), "run-in head: {first}");
    assert!(first.contains("1\\. 新开工项目四十个") && first.contains("2\\. 竣工项目二十个"), "list numbers as text: {first}");
    assert!(first.contains("- 产业链招商\n- 以商招商"), "bullets: {first}");
    assert!(first.contains("详见[县政府网站](<https://www.example.gov.cn/notice>)的公告。[^en2]") && first.contains("[^en2]: 尾注说明口径调整。"), "{first}");
    let second = &files[1].1;
    assert!(second.contains("![柱状图：三次产业增加值](<images/image1.png> \"三次产业增加值\")"), "{second}");
    assert!(second.contains("```table\ndata = \"table1\"\ncaption = \"主要经济指标\"\n```"), "{second}");
    assert!(second.contains("```sidebar\n专栏：县域经济的三个特点。\n```"), "a one-cell table is a box: {second}");
    assert!(second.ends_with("明年经济将保持平稳增长。\n\n```sidebar\n文本框里的专栏：投资结构持续优化。\n```\n"), "a text box is a sidebar, once: {second}");
    let all: String = files.iter().map(|(_, t)| t.as_str()).collect();
    assert!(!all.contains("目录") && !all.contains("……3"), "Word's table of contents was imported: {all}");
    assert_eq!(std::fs::read(manuscript.join("images/image1.png")).unwrap(), std::fs::read(root().join("tests/bad_inputs/good/images/a.png")).unwrap());
    let data: toml::Table = toml::from_str(&std::fs::read_to_string(manuscript.join("data/table1.toml")).unwrap()).unwrap();
    assert_eq!(data["key"].as_str(), Some("指标"));
    assert_eq!(data["columns"].as_array().unwrap()[0]["type"].as_str(), Some("number"));
    assert_eq!(
        data["rows"].as_array().unwrap()[0].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect::<Vec<_>>(),
        ["地区生产总值", "205.72", "11"]
    );
    assert!(notes.contains("warning") && notes.contains("merged cells"), "merged cells are not reported:\n{notes}");

    // It builds, and every paragraph is in the PDF.
    let pdf = pdf_of(&manuscript, &dir.path().join("out"));
    let text = squeeze(&tool("pdftotext", &["-raw", "-enc", "UTF-8", pdf.to_str().unwrap(), "-"]));
    for expected in [
        "县域经济年度报告",
        "一、总体情况",
        "全年地区生产总值增长5.2%，好于预期。",
        "工业稳中有进。规模以上工业增加值增长6%",
        "1.新开工项目四十个",
        "详见县政府网站的公告。",
        "资料来源：县统计局年度公报。",
        "三次产业增加值",
        "205.72",
        "专栏：县域经济的三个特点。",
        "明年经济将保持平稳增长。",
    ] {
        assert!(text.contains(expected), "{expected} is not in the PDF:\n{text}");
    }
}

#[test]
fn tracked_changes_and_comments_stop_the_import_unless_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let docx = dir.path().join("changed.docx");
    let body = [
        p(
            None,
            "",
            &[r("原有文字，", ""), r#"<w:ins w:id="1" w:author="王五" w:date="2024-05-01T10:00:00Z"><w:r><w:t>新增的句子。</w:t></w:r></w:ins>"#.into()],
        ),
        p(
            None,
            "",
            &[
                r("保留的文字", ""),
                r#"<w:del w:id="2" w:author="赵六" w:date="2024-05-02T10:00:00Z"><w:r><w:delText>删除的句子</w:delText></w:r></w:del>"#.into(),
                r("。", ""),
            ],
        ),
        p(
            None,
            "",
            &[
                r#"<w:commentRangeStart w:id="0"/>"#.into(),
                r("有批注的段落。", ""),
                r#"<w:commentRangeEnd w:id="0"/><w:r><w:commentReference w:id="0"/></w:r>"#.into(),
            ],
        ),
    ]
    .concat();
    let comments = r#"<w:comments W_NS><w:comment w:id="0" w:author="钱七" w:date="2024-05-03T00:00:00Z"><w:p><w:r><w:t>请核实数据。</w:t></w:r></w:p></w:comment></w:comments>"#;
    write_docx(&docx, &body, &[("comments.xml", comments)], &[], &[], None);

    let out = dir.path().join("m");
    let output = import(&docx, &out, &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "tracked changes were accepted silently");
    for expected in [
        "insertion by 王五 2024-05-01 in paragraph 1: «新增的句子。»",
        "deletion by 赵六 2024-05-02 in paragraph 2: «删除的句子»",
        "comment by 钱七",
        "请核实数据。",
        "--accept-changes",
    ] {
        assert!(stderr.contains(expected), "{expected} is not listed:\n{stderr}");
    }
    assert!(!out.exists(), "something was written");

    let notes = import_ok(&docx, &out, &["--accept-changes"]);
    let text = &text_files(&out)[0].1;
    assert!(text.contains("原有文字，新增的句子。") && text.contains("保留的文字。") && !text.contains("删除的句子"), "{text}");
    assert!(!text.contains("请核实数据"), "the comment reached the text");
    assert!(notes.contains("2 tracked change(s) accepted") && notes.contains("1 comment(s) left out"), "{notes}");
}

#[test]
fn bad_word_files_are_refused_with_a_reason_and_nothing_written() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.docx");
    full_document(&good);
    let bytes = std::fs::read(&good).unwrap();

    // Cut short: the zip's directory at the end is missing.
    let corrupt = dir.path().join("corrupt.docx");
    std::fs::write(&corrupt, &bytes[..bytes.len() / 2]).unwrap();
    // A binary Word document and an encrypted (password-protected) one: OLE2 compound files.
    let mut ole = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
    ole.resize(1024, 0);
    let doc = dir.path().join("old.doc");
    std::fs::write(&doc, &ole).unwrap();
    let mut encrypted = ole.clone();
    encrypted.extend("EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes));
    encrypted.resize(2048, 0);
    let protected = dir.path().join("protected.docx");
    std::fs::write(&protected, &encrypted).unwrap();
    // A zip bomb: a document part that inflates to 200 MiB.
    let bomb = dir.path().join("bomb.docx");
    {
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&bomb).unwrap());
        let options = zip::write::SimpleFileOptions::default().compression_level(Some(9));
        zip.start_file("word/document.xml", options).unwrap();
        zip.write_all(format!("<w:document {W}><w:body>").as_bytes()).unwrap();
        let spaces = vec![b' '; 1 << 20];
        for _ in 0..200 {
            zip.write_all(&spaces).unwrap();
        }
        zip.finish().unwrap();
    }
    assert!(std::fs::metadata(&bomb).unwrap().len() < 2 << 20);
    // A zip that is not a Word document.
    let workbook = dir.path().join("book.docx");
    {
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&workbook).unwrap());
        zip.start_file("xl/workbook.xml", zip::write::SimpleFileOptions::default()).unwrap();
        zip.write_all(b"<workbook/>").unwrap();
        zip.finish().unwrap();
    }

    for (file, expected) in [
        (&corrupt, "zip archive is damaged"),
        (&doc, "binary Word document (.doc"),
        (&protected, "protected by a password"),
        (&bomb, "zip bomb"),
        (&workbook, "Excel workbook"),
    ] {
        let out = dir.path().join("out");
        let started = std::time::Instant::now();
        let output = import(file, &out, &[]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{} was imported", file.display());
        assert!(stderr.contains(expected), "{}: expected «{expected}»:\n{stderr}", file.display());
        assert!(stderr.contains(file.file_name().unwrap().to_str().unwrap()), "the file is not named:\n{stderr}");
        assert!(!out.exists(), "{}: something was written", file.display());
        assert!(started.elapsed().as_secs() < 10, "{} took {:?}", file.display(), started.elapsed());
    }
}

/// A document made by LibreOffice (from HTML the test writes): round trip import → build →
/// every paragraph in the PDF. Skipped, saying so, when LibreOffice is not installed.
#[test]
fn a_document_saved_by_libreoffice_imports_and_builds() {
    let Ok(found) = std::process::Command::new("soffice").arg("--version").output() else {
        eprintln!("SKIPPED: LibreOffice (soffice) is not installed; apt-get install libreoffice-writer-nogui to run this test");
        return;
    };
    assert!(found.status.success());
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("survey.html");
    std::fs::write(
        &html,
        r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>城市更新调查报告</title></head><body>
<h1>一、调查背景</h1>
<p>本次调查覆盖全市<b>十二个街道</b>，共走访居民<i>三千二百户</i>。</p>
<p>调查采用入户问卷与座谈相结合的方式进行。</p>
<h2>（一）调查方法</h2>
<ol><li>入户问卷调查。</li><li>街道座谈会。</li></ol>
<h1>二、主要发现</h1>
<p>居民对老旧小区改造的满意度达到百分之八十六。</p>
<table border="1"><tr><th>街道</th><th>户数</th></tr><tr><td>东城</td><td>1200</td></tr><tr><td>西城</td><td>2000</td></tr></table>
<p>详见<a href="https://www.example.org/survey">调查网站</a>。</p>
</body></html>"#,
    )
    .unwrap();
    let profile = format!("-env:UserInstallation=file://{}", dir.path().join("profile").display());
    let converted = std::process::Command::new("soffice")
        .args([profile.as_str(), "--headless", "--convert-to", "docx:MS Word 2007 XML", "--outdir", dir.path().to_str().unwrap(), html.to_str().unwrap()])
        .output()
        .unwrap();
    let docx = dir.path().join("survey.docx");
    assert!(docx.is_file(), "LibreOffice wrote no .docx:\n{}", String::from_utf8_lossy(&converted.stderr));

    let manuscript = dir.path().join("survey");
    import_ok(&docx, &manuscript, &[]);
    assert_eq!(report_toml(&manuscript)["title"].as_str(), Some("城市更新调查报告"));
    let files = text_files(&manuscript);
    assert_eq!(headings(&files), [(1, "一、调查背景".into()), (2, "（一）调查方法".into()), (1, "二、主要发现".into())]);
    let all: String = files.iter().map(|(_, t)| t.as_str()).collect();
    assert!(all.contains("**十二个街道**") && all.contains("*三千二百户*"), "{all}");
    assert!(all.contains("1\\. 入户问卷调查。") && all.contains("2\\. 街道座谈会。"), "automatic numbers lost: {all}");
    assert!(all.contains("[调查网站](<https://www.example.org/survey>)"), "{all}");
    let pdf = pdf_of(&manuscript, &dir.path().join("out"));
    let text = squeeze(&tool("pdftotext", &["-raw", "-enc", "UTF-8", pdf.to_str().unwrap(), "-"]));
    for paragraph in [
        "本次调查覆盖全市十二个街道，共走访居民三千二百户。",
        "调查采用入户问卷与座谈相结合的方式进行。",
        "1.入户问卷调查。",
        "2.街道座谈会。",
        "居民对老旧小区改造的满意度达到百分之八十六。",
        "东城",
        "2000",
        "详见调查网站。",
    ] {
        assert!(text.contains(paragraph), "{paragraph} is not in the PDF:\n{text}");
    }
}

#[test]
fn extracted_numbers_move_into_data_tables_and_the_printed_text_stays_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let seed_text = root().join("tests/fixtures/seed-leiyang.txt");
    let plain = dir.path().join("plain");
    let numbers = dir.path().join("numbers");
    import_ok(&seed_text, &plain, &[]);
    let notes = import_ok(&seed_text, &numbers, &["--extract-numbers"]);
    assert!(notes.contains("data/numbers_01.toml holds"), "{notes}");

    let all: String = text_files(&numbers).iter().map(|(_, t)| t.clone()).collect();
    let references = all.matches("{{numbers_").count();
    assert!(references > 100, "only {references} numbers were moved into data");
    assert!(all.contains("全市地区生产总值{{numbers_01.全市地区生产总值.数值}}亿元"), "{all}");
    assert!(!all.contains("205.72"), "a number with a unit stayed in the prose");
    assert!(all.contains("1928年1月12日") && all.contains("“211+X”"), "years, dates and codes are not data");
    let table: toml::Table = toml::from_str(&std::fs::read_to_string(numbers.join("data/numbers_01.toml")).unwrap()).unwrap();
    assert_eq!(table["columns"].as_array().unwrap()[0]["type"].as_str(), Some("number"));
    let rows = table["rows"].as_array().unwrap();
    assert!(rows.iter().any(|r| r.as_array().unwrap().iter().map(|v| v.as_str().unwrap()).eq(["全市地区生产总值", "205.72", "亿元"])), "{rows:?}");

    // Both build without warnings, and print the same text.
    let check = reportpress(&["check", "--deny-warnings", "--manuscript", numbers.to_str().unwrap()]);
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));
    let text = |manuscript: &Path, out: &str| tool("pdftotext", &["-enc", "UTF-8", pdf_of(manuscript, &dir.path().join(out)).to_str().unwrap(), "-"]);
    assert_eq!(text(&numbers, "out-numbers"), text(&plain, "out-plain"));
}

#[test]
fn markdown_and_reportpress_syntax_in_imported_text_prints_literally() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("symbols.txt");
    let lines = [
        "符号测试报告",
        "# 不是标题，*不是强调*，_也不是_，`不是代码`，[不是链接](x)。",
        "{{不是.数据.引用}} 与 @fig:x 和 [^1] 都照原样印出。",
        "1. 不是列表，- 也不是，<b>不是HTML</b>，&amp; 不是实体。",
        "反斜杠\\和竖线|以及波浪号~都保留。",
    ];
    std::fs::write(&input, lines.join("\n\n")).unwrap();
    let manuscript = dir.path().join("m");
    import_ok(&input, &manuscript, &[]);
    let pdf = pdf_of(&manuscript, &dir.path().join("out"));
    let text = squeeze(&tool("pdftotext", &["-raw", "-enc", "UTF-8", pdf.to_str().unwrap(), "-"]));
    for line in &lines[1..] {
        assert!(text.contains(&squeeze(line)), "{line} did not print literally:\n{text}");
    }
}

#[test]
fn an_empty_or_binary_text_is_refused_with_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "\n \n").unwrap();
    let binary = dir.path().join("photo.txt");
    std::fs::write(&binary, pixel_bomb_png()).unwrap();
    let pdf = dir.path().join("report.pdf");
    std::fs::write(&pdf, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n").unwrap();
    for (file, expected) in [(&empty, "no text"), (&binary, "neither a Word document"), (&pdf, "pdftotext")] {
        let out = dir.path().join("out");
        let output = import(file, &out, &[]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success() && stderr.contains(expected), "{}:\n{stderr}", file.display());
        assert!(!out.exists());
    }
}

/// Wraps `text` at `measure` em (a Chinese character 1, anything else ½), the first line
/// after an indent of two ideographic spaces.
fn wrap(text: &str, measure: f32) -> Vec<String> {
    let width = |c: char| if (c as u32) >= 0x2E80 || matches!(c, '“' | '”' | '—' | '…') { 1.0 } else { 0.5 };
    let mut lines = Vec::new();
    let (mut line, mut used) = ("\u{3000}\u{3000}".to_string(), 2.0);
    for c in text.chars() {
        if used + width(c) > measure {
            lines.push(std::mem::take(&mut line));
            used = 0.0;
        }
        line.push(c);
        used += width(c);
    }
    lines.push(line);
    lines
}

/// The hand-made article's headings and paragraphs (those without data references), re-set
/// as a different layout: a 22-em column, paragraphs indented, no blank lines. The import
/// finds the same headings and paragraphs.
#[test]
fn an_indented_text_in_another_column_width_imports_into_its_paragraphs() {
    let mut blocks = Vec::new();
    for (_, text) in text_files(&root().join("manuscript")) {
        let mut in_fence = false;
        for block in text.split("\n\n").map(str::trim) {
            if block.starts_with("```") || in_fence {
                in_fence = !block.ends_with("```") || (block.starts_with("```") && block.lines().count() == 1);
                continue;
            }
            if !block.is_empty() && !block.contains("{{") {
                blocks.push(block.replace("**", "").replace('\n', ""));
            }
        }
    }
    let mut lines = Vec::new();
    for block in &blocks {
        match block.strip_prefix("# ") {
            Some(heading) => lines.push(heading.to_string()),
            None => lines.extend(wrap(block, 22.0)),
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("indented.txt");
    std::fs::write(&input, lines.join("\n")).unwrap();
    let manuscript = dir.path().join("m");
    import_ok(&input, &manuscript, &[]);
    let imported: Vec<String> = text_files(&manuscript)
        .iter()
        .flat_map(|(_, t)| t.split("\n\n").map(|b| b.trim().replace("**", "")).collect::<Vec<_>>())
        .filter(|b| !b.is_empty())
        .collect();
    assert!(blocks.len() > 15, "{} blocks", blocks.len());
    for (got, want) in imported.iter().zip(&blocks) {
        assert_eq!(got, want, "the first difference");
    }
    assert_eq!(imported.len(), blocks.len());
}

/// Chapters numbered by the heading style itself (`第%1章`, as Chinese templates do), and
/// sections numbered by hand below them (一、, 1.).
#[test]
fn chapter_numbers_from_a_heading_style_and_typed_section_numbers_make_three_levels() {
    let styles = r#"<w:styles W_NS>
<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:pPr><w:numPr><w:numId w:val="7"/></w:numPr><w:outlineLvl w:val="0"/></w:pPr></w:style>
</w:styles>"#;
    let numbering = r#"<w:numbering W_NS><w:abstractNum w:abstractNumId="3"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCountingThousand"/><w:lvlText w:val="第%1章"/><w:suff w:val="space"/></w:lvl></w:abstractNum><w:num w:numId="7"><w:abstractNumId w:val="3"/></w:num></w:numbering>"#;
    let body = [
        p(Some("Heading1"), "", &[r("总论", "")]),
        p(None, "", &[r("一、研究背景", "")]),
        p(None, "", &[r("1. 数据来源", "")]),
        p(None, "", &[r("数据来自统计年鉴。", "")]),
        p(Some("Heading1"), "", &[r("分析", "")]),
        p(None, "", &[r("二、主要结论", "")]),
        p(None, "", &[r("结论如下。", "")]),
    ]
    .concat();
    let dir = tempfile::tempdir().unwrap();
    let docx = dir.path().join("book.docx");
    write_docx(&docx, &body, &[("styles.xml", styles), ("numbering.xml", numbering)], &[], &[], None);
    let manuscript = dir.path().join("m");
    import_ok(&docx, &manuscript, &[]);
    let files = text_files(&manuscript);
    assert_eq!(
        headings(&files),
        [(1, "第一章 总论".into()), (2, "一、研究背景".into()), (3, "1. 数据来源".into()), (1, "第二章 分析".into()), (2, "二、主要结论".into())]
    );
    build_ok(&manuscript, &dir.path().join("out"), "pdf");
}

/// A text that opens with its title and no byline, wrapped at 36 em.
#[test]
fn a_title_line_at_the_top_becomes_the_title() {
    let text = "关于加快发展数字经济的调查报告\n数字经济已经成为推动经济增长的重要引擎，全市数字经济规模持续扩大，结构\n不断优化，带动作用明显增强，发展基础日益坚实。\n一、基本情况\n全市共有数字经济企业一千二百家，其中规模以上企业三百家，从业人员达到五\n万人，比上年增长百分之十二。\n二、存在问题\n核心技术仍受制于人，高端人才供给不足，数据要素市场建设滞后，企业数字化\n转型意愿不强。\n";
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("digital.txt");
    std::fs::write(&input, text).unwrap();
    let manuscript = dir.path().join("m");
    let notes = import_ok(&input, &manuscript, &[]);
    assert_eq!(report_toml(&manuscript)["title"].as_str(), Some("关于加快发展数字经济的调查报告"));
    assert!(notes.contains("taken as its title"), "{notes}");
    let files = text_files(&manuscript);
    assert_eq!(headings(&files), [(1, "一、基本情况".into()), (1, "二、存在问题".into())]);
    assert_eq!(files[0].1.trim(), "数字经济已经成为推动经济增长的重要引擎，全市数字经济规模持续扩大，结构不断优化，带动作用明显增强，发展基础日益坚实。");
}

/// A document with a title, a paragraph and one picture (`name`, `bytes`).
fn document_with_picture(path: &Path, name: &str, bytes: &[u8]) {
    let body = [p(Some("Title"), "", &[r("报告", "")]), p(None, "", &[r("正文一段。", "")]), p(None, "", &[drawing("rIdImg", "说明")])].concat();
    let target = format!("media/{name}");
    write_docx(path, &body, &[], &[("rIdImg", "image", &target, false)], &[(&target, bytes)], None);
}

#[test]
fn a_picture_the_build_would_refuse_stops_the_import_at_the_picture() {
    // An SVG with a script and a PNG that is not one were imported, and the manuscript
    // they made did not build.
    let dir = tempfile::tempdir().unwrap();
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><script>alert(1)</script><rect width=\"10\" height=\"10\"/></svg>";
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(b"garbage".repeat(50));
    for (name, bytes, says) in [("a.svg", svg.to_vec(), "active content"), ("a.png", png, "pixels")] {
        let input = dir.path().join(format!("{name}.docx"));
        document_with_picture(&input, name, &bytes);
        let out = dir.path().join(format!("out-{name}"));
        let output = import(&input, &out, &[]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{name}: {stderr}");
        assert!(stderr.contains("would not build") && stderr.contains(says) && stderr.contains(&format!("images/{name}")), "{name}: {stderr}");
        assert!(!out.exists(), "{name}: nothing is written");
    }
}

#[test]
fn control_characters_and_an_impossible_date_import_into_a_manuscript_that_builds() {
    let dir = tempfile::tempdir().unwrap();
    let body = [p(Some("Title"), "", &[r("报&#x1;告", "")]), p(None, "", &[r("正文&#x7;一段&#x1b;[2J。", "")])].concat();
    let input = dir.path().join("odd.docx");
    write_docx(&input, &body, &[], &[], &[], Some("<dcterms:created xsi:type=\"dcterms:W3CDTF\">99999-13-45T00:00:00Z</dcterms:created>"));
    let out = dir.path().join("odd");
    let output = import(&input, &out, &[]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let mut text = std::fs::read_to_string(out.join("report.toml")).unwrap();
    for entry in std::fs::read_dir(out.join("text")).unwrap() {
        text.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    assert!(text.contains("正文") && text.contains("一段"), "the text was imported: {text}");
    assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "control characters were written: {text:?}");
    assert!(!text.contains("99999"), "the impossible date was written: {text}");
    build_ok(&out, &dir.path().join("dist"), "pdf");
}
