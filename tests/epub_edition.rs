//! The EPUB edition, checked from the outside: the built file is validated with EPUBCheck
//! 5.3 and read back with a zip reader and an XML parser, as a reading system would.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use common::*;
use quick_xml::events::Event;
use reportpress::charts::{self, ChartData, ChartDrawing, ChartKind, ChartLayout, ChartOptions, ChartSpec, Series};
use reportpress::design::Design;
use reportpress::epub::{self, EpubOutput};
use reportpress::model::{Block, BlockKind, Cell, Document, Inline, Metadata, Place, SourcePos, TableData, figure_label, table_label};
use reportpress::render::RenderContext;
use reportpress::typeset::fonts::FontSet;
use sha2::{Digest, Sha256};

/// A manuscript built once per test run with `--format all`: (temp dir guard, epub, pdf).
struct Built {
    _dir: tempfile::TempDir,
    epub: PathBuf,
    pdf: PathBuf,
}

fn build_all(manuscript: &str, output: &str) -> Built {
    let dir = tempfile::tempdir().expect("temp dir");
    build_ok(&root().join(manuscript), dir.path(), "all");
    let epub = dir.path().join(format!("{output}.epub"));
    let pdf = dir.path().join(format!("{output}.pdf"));
    assert!(epub.is_file() && pdf.is_file(), "--format all did not write both editions of {manuscript}");
    Built { _dir: dir, epub, pdf }
}

fn article() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| build_all("manuscript", "leiyang-green-transformation"))
}

fn quarterly() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| build_all("tests/manuscripts/quarterly", "quarterly-review"))
}

// ---- A model with every block kind, built by hand (the parser makes no tables or charts yet)

/// The chart's SVG up to its labels (a layout's marks end in the open labels group).
const CHART_MARKS: &str = r##"<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns="http://www.w3.org/2000/svg" width="320" height="170" viewBox="0 0 320 170">
  <defs><clipPath id="plot"><rect x="40" y="10" width="270" height="125"/></clipPath></defs>
  <g clip-path="url(#plot)">
    <rect x="60" y="75" width="40" height="60" fill="#8c1c13"/>
    <rect x="130" y="55" width="40" height="80" fill="#8c1c13"/>
    <rect x="200" y="35" width="40" height="100" fill="#8c1c13"/>
  </g>
  <line x1="40" y1="135" x2="310" y2="135" stroke="#000"/>
  <g id="labels">
"##;

/// The chart's labels as SVG text.
const CHART_LABELS: &str = r##"  <text x="80" y="155" font-family="Noto Sans CJK SC" font-size="12" text-anchor="middle">一季度</text>
  <text x="150" y="155" font-family="Noto Sans CJK SC" font-size="12" text-anchor="middle">二季度</text>
  <text x="220" y="155" font-family="Noto Sans CJK SC" font-size="12" text-anchor="middle">三季度</text>
  <text x="5" y="20" font-family="Noto Sans CJK SC" font-size="10">亿元 &amp; 增速</text>
  <text x="5" y="166" font-family="Noto Sans CJK SC" font-size="8">资料来源：示例统计局。</text>
"##;

fn at(line: usize) -> SourcePos {
    SourcePos { file: PathBuf::from("text/hand.md"), line }
}

fn block(kind: BlockKind, line: usize) -> Block {
    Block { kind, source: at(line) }
}

fn text(text: &str) -> Inline {
    Inline::Text { text: text.into() }
}

fn paragraph(content: Vec<Inline>, line: usize) -> Block {
    block(BlockKind::Paragraph { lead: None, content }, line)
}

fn cells(row: &[&str]) -> Vec<Cell> {
    row.iter().map(|t| Cell { text: t.to_string(), numeric: t.chars().next().is_some_and(|c| c.is_ascii_digit()) }).collect()
}

fn quarter_data() -> TableData {
    TableData {
        header: vec!["季度".into(), "收入（亿元）".into(), "增速（%）".into()],
        rows: vec![cells(&["一季度", "12.5", "3.1"]), cells(&["二季度", "16.0", "4.2"]), cells(&["三季度", "20.3", "5.0"])],
        totals: Vec::new(),
    }
}

/// The quarterly data drawn by the chart module, as the PDF (and the EPUB's cover) sets it.
fn quarter_drawing(title: &str) -> ChartDrawing {
    let options = ChartOptions {
        kind: ChartKind::Bar,
        title: title.into(),
        unit: "亿元".into(),
        source: "资料来源：示例统计局。".into(),
        font_family: "Noto Sans CJK SC".into(),
        width: 320.0,
        height: 170.0,
        palette: Vec::new(),
        draw_title: false,
        id_prefix: "chart-".into(),
        label_words: Default::default(),
        unit_word: reportpress::model::script::SIMPLIFIED.unit,
    };
    let data = ChartData {
        categories: vec!["一季度".into(), "二季度".into(), "三季度".into()],
        series: vec![Series { name: "收入".into(), values: vec![12.5, 16.0, 20.3], labels: vec![] }],
    };
    charts::render(&options, &data).expect("the quarterly chart draws").drawing()
}

/// What the quarterly chart draws.
fn quarter_spec(title: &str) -> ChartSpec {
    ChartSpec {
        kind: ChartKind::Bar,
        data: ChartData {
            categories: vec!["一季度".into(), "二季度".into(), "三季度".into()],
            series: vec![Series { name: "收入".into(), values: vec![12.5, 16.0, 20.3], labels: vec![] }],
        },
        title: title.into(),
        unit: "亿元".into(),
        source: "资料来源：示例统计局。".into(),
        draw_title: false,
        id_prefix: String::new(),
        label_words: Default::default(),
        unit_word: reportpress::model::script::SIMPLIFIED.unit,
    }
}

fn chart(number: usize, anchor: &str, caption: &str, line: usize) -> Block {
    let layout = ChartLayout::new(320.0, 170.0, "Noto Sans CJK SC", CHART_MARKS, CHART_LABELS, quarter_drawing(caption).labels);
    block(
        BlockKind::Chart {
            number,
            label: figure_label(number),
            anchor: anchor.into(),
            data_table: "quarters".into(),
            caption: caption.into(),
            spec: Box::new(quarter_spec(caption)),
            layout: Some(Arc::new(layout)),
            alt: format!("柱形图：{caption}，一季度12.5亿元，二季度16.0亿元，三季度20.3亿元，逐季上升。"),
            source_note: "资料来源：示例统计局。".into(),
            data: quarter_data(),
            // Not linked to a table: the data is folded under the chart.
            data_shown_in: None,
        },
        line,
    )
}

/// A cross-reference, resolved.
fn reference(target: &str, label: &str) -> Inline {
    Inline::Ref { target: target.into(), text: label.into(), at: Place::default() }
}

/// A document whose model has every block and inline kind; its images are in the
/// quarterly manuscript's directory.
fn constructs_document() -> Document {
    let note = |number: usize, words: &str| Inline::Note { number, content: vec![text(words)], label: number.to_string(), at: Place::default() };
    let blocks = vec![
        paragraph(vec![text("开篇引出"), reference("fig-revenue", "图 2"), text("与"), reference("tbl-revenue", "表 1"), text("。")], 1),
        block(BlockKind::Heading { level: 1, content: vec![text("一、图与表")] }, 3),
        block(
            BlockKind::Paragraph {
                lead: Some(vec![text("总体向好。")]),
                content: vec![text("收入逐季增长"), note(1, "按可比口径计算。"), text("，详见"), reference("fig-revenue", "图 2"), text("。")],
            },
            5,
        ),
        block(BlockKind::Heading { level: 2, content: vec![text("（一）插图")] }, 7),
        block(
            BlockKind::Image {
                path: PathBuf::from("images/trend.svg"),
                alt: "季度走势示意：四个季度的柱形逐步升高".into(),
                caption: vec![text("图示：季度走势")],
                number: 1,
                label: figure_label(1),
                anchor: "fig-trend".into(),
                bleed: false,
            },
            9,
        ),
        block(BlockKind::Heading { level: 3, content: vec![text("数据图")] }, 11),
        chart(2, "fig-revenue", "季度收入", 13),
        chart(3, "", "季度收入（复核）", 15),
        block(
            BlockKind::Table {
                number: 1,
                label: table_label(1),
                anchor: "tbl-revenue".into(),
                data_table: "quarters".into(),
                caption: "季度收入与增速".into(),
                unit: "单位：亿元，%".into(),
                note: String::new(),
                source_note: "资料来源：示例统计局。".into(),
                data: quarter_data(),
            },
            17,
        ),
        block(BlockKind::Heading { level: 1, content: vec![text("二、其他写法")] }, 20),
        paragraph(
            vec![
                text("代码"),
                Inline::Code { text: "x < y && z".into() },
                text("，链接"),
                Inline::Link { url: "https://example.org/?a=1&b=2".into(), content: vec![text("示例")] },
                text("，回看"),
                reference("tbl-revenue", "表 1"),
                note(2, "第二条注释。"),
                text("再引"),
                note(2, "第二条注释。"),
                text("。"),
            ],
            22,
        ),
        block(BlockKind::Sidebar { title: String::new(), blocks: vec![paragraph(vec![text("无标题的边栏。")], 25)] }, 24),
        block(BlockKind::Quote { blocks: vec![paragraph(vec![text("引文一句。"), Inline::LineBreak, text("第二行。")], 28)] }, 28),
        block(
            BlockKind::List {
                ordered: true, start: 3, items: vec![vec![paragraph(vec![text("第三项。")], 30)], vec![paragraph(vec![text("第四项。")], 31)]]
            },
            30,
        ),
        block(BlockKind::Rule, 33),
        block(BlockKind::PageBreak, 34),
        paragraph(vec![text("完。")], 35),
    ];
    let meta = Metadata {
        title: "手工模型 <测试> & 样例".into(),
        subtitle: "所有块与行内元素".into(),
        authors: vec!["甲".into(), "乙".into()],
        language: "zh-CN".into(),
        date: "2024-06-30".into(),
        publisher: "示例出版".into(),
        description: "手工构造的文档模型。".into(),
        keywords: vec!["测试".into()],
        lists: Vec::new(),
        display_words: Default::default(),
    };
    Document { meta, blocks }
}

/// Renders `document` as the EPUB writer does in a build.
fn render_epub(document: &Document) -> Result<EpubOutput, reportpress::diagnostics::Diagnostics> {
    let fonts = Arc::new(FontSet::load(&root().join("fonts"), "zh-CN").expect("fonts load"));
    let design = Design::load(&root().join("assets")).expect("the design loads");
    let manuscript_root = root().join("tests/manuscripts/quarterly");
    let fonts_dir = root().join("fonts");
    let context =
        RenderContext { document, manuscript_root: &manuscript_root, design: &design, fonts: &fonts, fonts_dir: &fonts_dir, output_name: "constructs" };
    epub::render(&context, None, || None)
}

/// The hand-built model's EPUB, rendered through the library once per test run.
fn constructs() -> &'static (tempfile::TempDir, PathBuf) {
    static BUILT: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    BUILT.get_or_init(|| {
        let output = render_epub(&constructs_document()).unwrap_or_else(|e| panic!("the hand-built model does not render: {e}"));
        assert!(output.warnings.is_empty(), "unexpected warnings: {:?}", output.warnings);
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("constructs.epub");
        std::fs::write(&path, &output.bytes).expect("written");
        // For looking at it: REPORTPRESS_KEEP_EPUB=DIR keeps a copy.
        if let Some(keep) = std::env::var_os("REPORTPRESS_KEEP_EPUB") {
            std::fs::create_dir_all(&keep).expect("keep directory");
            std::fs::write(Path::new(&keep).join("constructs.epub"), &output.bytes).expect("kept");
        }
        (dir, path)
    })
}

// ---- Tests ------------------------------------------------------------------------------

#[test]
fn the_article_passes_epubcheck() {
    assert_epubcheck_clean(&epubcheck(&article().epub), "the article");
}

#[test]
fn the_second_manuscript_passes_epubcheck() {
    assert_epubcheck_clean(&epubcheck(&quarterly().epub), "the quarterly manuscript");
}

#[test]
fn a_model_with_tables_charts_and_references_passes_epubcheck() {
    assert_epubcheck_clean(&epubcheck(&constructs().1), "the hand-built model");
}

#[test]
fn every_seed_sentence_is_in_the_epub_in_order() {
    let seed = seed();
    // Running text only: tables and charts stand between paragraphs and are checked elsewhere.
    let epub_text: String = epub_spine(&zip_entries(&article().epub)).iter().map(|(_, xhtml)| squeeze(&xhtml_reading_text(xhtml))).collect();
    let mut cursor = 0;
    assert!(seed.body.len() > 100, "seed split into too few sentences");
    for sentence in &seed.body {
        match epub_text[cursor..].find(sentence.as_str()) {
            Some(position) => cursor += position + sentence.len(),
            None => {
                let anywhere = epub_text.contains(sentence.as_str());
                panic!("seed sentence {} in the EPUB after the previous one: {sentence}", if anywhere { "is out of order" } else { "is missing" });
            }
        }
    }
    assert!(epub_text.starts_with(&seed.title), "the title {} does not open the book", seed.title);
    // The EPUB writes the dash —— as the one character U+2E3A (two-em dash).
    assert!(epub_text.contains(&seed.subtitle.replace("——", "\u{2E3A}")), "subtitle {} missing", seed.subtitle);
    for sentence in &seed.sidebar {
        assert!(epub_text.contains(sentence.as_str()), "sentence missing from the EPUB: {sentence}");
    }
}

const TABLE_PREFIX: &str = "表";

#[test]
fn figure_numbers_and_captions_equal_the_pdfs() {
    let built = quarterly();
    let pdf_text = squeeze(&tool("pdftotext", &["-raw", "-enc", "UTF-8", built.pdf.to_str().unwrap(), "-"]));
    let spine = epub_spine(&zip_entries(&built.epub));
    let captions: Vec<String> = spine.iter().flat_map(|(_, xhtml)| xml_element_texts(xhtml, "figcaption")).map(|c| squeeze(&c)).collect();
    // The chart's caption is followed by its source note inside the figcaption.
    let expected = ["图12024年第一季度三次产业增加值", "图2图示：季度走势"];
    assert_eq!(captions.len(), expected.len(), "figure captions of the EPUB: {captions:?}");
    for (caption, expected) in captions.iter().zip(expected) {
        assert!(caption.starts_with(expected), "EPUB caption {caption} is not {expected}");
        assert!(pdf_text.contains(expected), "the PDF does not print the caption {expected}:\n{pdf_text}");
    }
    let table_captions: Vec<String> = spine.iter().flat_map(|(_, xhtml)| xml_element_texts(xhtml, "caption")).map(|c| squeeze(&c)).collect();
    assert!(table_captions.iter().any(|c| c.starts_with("表12024年第一季度主要经济指标")), "table caption missing: {table_captions:?}");
    assert!(pdf_text.contains("表12024年第一季度主要经济指标"), "the PDF's table caption differs");
    // Tables placed by the text (not the data tables that follow charts, "图 n 数据").
    let tables: Vec<String> = table_captions.into_iter().filter(|c| c.starts_with(TABLE_PREFIX)).collect();
    for caption in &tables {
        assert!(pdf_text.contains(caption.as_str()), "the EPUB's table caption {caption} is not the PDF's");
    }
    // The label is exactly Typst's: 图, no-break space, number, em space.
    let raw: Vec<String> = spine.iter().flat_map(|(_, xhtml)| xml_element_texts(xhtml, "figcaption")).collect();
    assert!(raw[0].starts_with("图\u{a0}1\u{3000}2024年第一季度三次产业增加值"), "{raw:?}");
    assert_eq!(raw[1], "图\u{a0}2\u{3000}图示：季度走势");
}

/// The `@font-face` rules of the stylesheet: (family, weight) → font file path in the archive.
fn font_faces(entries: &[(String, Vec<u8>)]) -> BTreeMap<(String, String), String> {
    let css = epub_file(entries, "OEBPS/stylesheet.css");
    let mut faces = BTreeMap::new();
    // Rules only: the design's comments may mention @font-face too.
    for rule in css.split("@font-face").skip(1).filter_map(|r| r.trim_start().strip_prefix('{')) {
        let body = &rule[..rule.find('}').expect("closed rule")];
        let value = |property: &str| -> String {
            let start = body.find(&format!("{property}:")).unwrap_or_else(|| panic!("@font-face without {property}")) + property.len() + 1;
            body[start..].split(';').next().expect("value").trim().to_string()
        };
        let src = value("src");
        let url = src.split('"').nth(1).expect("src: url(\"…\")").to_string();
        faces.insert((value("font-family").trim_matches('"').to_string(), value("font-weight")), format!("OEBPS/{url}"));
    }
    faces
}

/// The text of the spine documents without the SVG titles and descriptions.
fn spine_text_drawn(epub: &Path) -> String {
    fn without(xhtml: &str, tag: &str) -> String {
        let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
        let (mut out, mut rest) = (String::new(), xhtml);
        while let Some(start) = rest.find(&open) {
            out.push_str(&rest[..start]);
            rest = rest[start..].find(&close).map_or("", |end| &rest[start + end + close.len()..]);
        }
        out.push_str(rest);
        out
    }
    epub_spine(&zip_entries(epub)).iter().map(|(_, xhtml)| xhtml_body_text(&without(&without(xhtml, "title"), "desc"))).collect()
}

fn assert_fonts_cover_the_text(epub: &Path, what: &str) {
    let entries = zip_entries(epub);
    let faces = font_faces(&entries);
    let families: BTreeSet<&str> = faces.keys().map(|(family, _)| family.as_str()).collect();
    assert!(families.contains("Noto Serif CJK SC") && families.contains("Noto Sans CJK SC"), "{what}: embedded families {families:?}");
    // Body text and headings are always set: the body face and the headings' bold face.
    for (family, weight) in [("Noto Serif CJK SC", "400"), ("Noto Sans CJK SC", "700")] {
        assert!(faces.contains_key(&(family.to_string(), weight.to_string())), "{what}: {family} {weight} not embedded");
    }
    // Each face carries the characters the stylesheet sets in it (checked in Chromium by
    // tests/epub_readers.rs); together they carry every character the spine draws.
    // What is drawn: not the charts' <title> and <desc>, which are announced, not shown.
    let text = spine_text_drawn(epub);
    let chars: BTreeSet<char> = text.chars().filter(|c| !c.is_control() && !c.is_whitespace()).collect();
    assert!(chars.len() > 20, "{what}: too little text");
    let mut covered = BTreeSet::new();
    for ((family, _), path) in &faces {
        let bytes = entries.iter().find(|(n, _)| n == path).map(|(_, b)| b).unwrap_or_else(|| panic!("{path} is not in the EPUB"));
        assert!(bytes.len() < 1_000_000, "{what}: {path} is {} bytes, not a subset", bytes.len());
        let face = ttf_parser::Face::parse(bytes, 0).unwrap_or_else(|e| panic!("{what}: {path} is not a standalone font: {e}"));
        let name =
            face.names().into_iter().filter(|n| n.name_id == ttf_parser::name_id::FAMILY && n.is_unicode()).find_map(|n| n.to_string()).unwrap_or_default();
        assert!(family.starts_with(name.as_str()) || name.starts_with("Noto"), "{what}: {path} is the face {name}");
        assert!(face.number_of_glyphs() < 5000, "{what}: {path} has {} glyphs: not subset", face.number_of_glyphs());
        covered.extend(chars.iter().filter(|&&c| face.glyph_index(c).is_some()).copied());
    }
    let missing: String = chars.difference(&covered).collect();
    assert!(missing.is_empty(), "{what}: no embedded face has a glyph for {missing:?}");
}

#[test]
fn embedded_fonts_are_subsets_that_cover_the_text() {
    assert_fonts_cover_the_text(&article().epub, "the article");
    assert_fonts_cover_the_text(&quarterly().epub, "the quarterly manuscript");
    assert_fonts_cover_the_text(&constructs().1, "the hand-built model");
    // Inline code is set in the mono face, which is embedded only when needed.
    let faces = font_faces(&zip_entries(&constructs().1));
    assert!(faces.contains_key(&("Noto Sans Mono CJK SC".to_string(), "400".to_string())), "{faces:?}");
    assert!(!font_faces(&zip_entries(&article().epub)).keys().any(|(family, _)| family.contains("Mono")));
}

#[test]
fn two_builds_are_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    for manuscript in ["tests/manuscripts/quarterly", "manuscript"] {
        build_ok(&root().join(manuscript), &dir.path().join("a"), "epub");
        build_ok(&root().join(manuscript), &dir.path().join("b"), "epub");
    }
    for name in ["quarterly-review.epub", "leiyang-green-transformation.epub"] {
        let a = Sha256::digest(std::fs::read(dir.path().join("a").join(name)).unwrap());
        let b = Sha256::digest(std::fs::read(dir.path().join("b").join(name)).unwrap());
        assert_eq!(a, b, "two builds of {name} differ");
    }
}

#[test]
fn source_date_epoch_sets_the_modification_time() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = root().join("tests/manuscripts/quarterly");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_reportpress"))
        .args(["build", "--format", "epub", "--manuscript", manuscript.to_str().unwrap(), "--out", dir.path().to_str().unwrap()])
        .env("SOURCE_DATE_EPOCH", "1718000000")
        .current_dir(root())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let entries = zip_entries(&dir.path().join("quarterly-review.epub"));
    let opf = epub_file(&entries, "OEBPS/content.opf");
    assert!(opf.contains("<meta property=\"dcterms:modified\">2024-06-10T06:13:20Z</meta>"), "{opf}");
    assert!(opf.contains("<dc:date>2024-04-15T00:00:00Z</dc:date>"), "the publication date stays the report's:\n{opf}");

    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_reportpress"))
        .args(["build", "--format", "epub", "--manuscript", manuscript.to_str().unwrap(), "--out", dir.path().join("bad").to_str().unwrap()])
        .env("SOURCE_DATE_EPOCH", "yesterday")
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("SOURCE_DATE_EPOCH"));
    // Before 1970: the EPUB's timestamps would be invalid, so it is refused too.
    let negative = std::process::Command::new(env!("CARGO_BIN_EXE_reportpress"))
        .args(["build", "--format", "epub", "--manuscript", manuscript.to_str().unwrap(), "--out", dir.path().join("bad").to_str().unwrap()])
        .env("SOURCE_DATE_EPOCH", "-86400")
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(negative.status.code(), Some(1), "{}", String::from_utf8_lossy(&negative.stderr));
    assert!(!dir.path().join("bad").exists(), "a refused build wrote output");
}

#[test]
fn the_archive_starts_with_a_stored_mimetype_and_has_fixed_timestamps() {
    let bytes = std::fs::read(&quarterly().epub).unwrap();
    assert_eq!(&bytes[0..4], b"PK\x03\x04");
    assert_eq!(u16::from_le_bytes([bytes[8], bytes[9]]), 0, "mimetype must be stored");
    assert_eq!(u16::from_le_bytes([bytes[28], bytes[29]]), 0, "mimetype must have no extra field");
    assert_eq!(&bytes[30..38], b"mimetype");
    assert_eq!(&bytes[38..58], b"application/epub+zip");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
    let mut names = Vec::new();
    for index in 0..archive.len() {
        let entry = archive.by_index(index).unwrap();
        let time = entry.last_modified().expect("timestamp");
        assert_eq!((time.year(), time.month(), time.day(), time.hour(), time.minute()), (2024, 4, 15, 0, 0), "{} is stamped {time:?}", entry.name());
        names.push(entry.name().to_string());
    }
    let mut sorted = names[1..].to_vec();
    sorted.sort();
    assert_eq!(names[1..], sorted[..], "entries are not in a deterministic order");
}

#[test]
fn no_newline_inside_any_paragraph() {
    for epub in [&article().epub, &quarterly().epub, &constructs().1] {
        for (name, xhtml) in epub_spine(&zip_entries(epub)) {
            let paragraphs = xml_element_texts(&xhtml, "p");
            for paragraph in &paragraphs {
                assert!(!paragraph.contains(['\n', '\r']), "{name}: a paragraph has a line break inside: {paragraph:?}");
            }
        }
        let count: usize = epub_spine(&zip_entries(epub)).iter().map(|(_, x)| xml_element_texts(x, "p").len()).sum();
        assert!(count > 3, "no paragraphs found in {}", epub.display());
    }
}

#[test]
fn every_document_declares_the_report_language() {
    for epub in [&article().epub, &quarterly().epub] {
        let entries = zip_entries(epub);
        let documents = entries.iter().filter(|(name, _)| name.ends_with(".xhtml"));
        let mut seen = 0;
        for (name, bytes) in documents {
            let xhtml = String::from_utf8(bytes.clone()).unwrap();
            let mut reader = quick_xml::Reader::from_str(&xhtml);
            let html = loop {
                match reader.read_event().unwrap() {
                    Event::Start(e) if e.local_name().as_ref() == b"html" => break xml_attributes(&e),
                    Event::Eof => panic!("{name} has no <html>"),
                    _ => {}
                }
            };
            assert_eq!(html.get("lang").map(String::as_str), Some("zh-CN"), "{name}: lang");
            assert_eq!(html.get("xml:lang").map(String::as_str), Some("zh-CN"), "{name}: xml:lang");
            seen += 1;
        }
        assert!(seen >= 4, "expected cover, nav and sections, saw {seen} documents");
    }
}

#[test]
fn package_metadata_is_complete_and_accessible() {
    let entries = zip_entries(&quarterly().epub);
    let opf = epub_file(&entries, "OEBPS/content.opf");
    for expected in [
        // The whole title first, joined as the book prints it (calibre shows the first title,
        // or joins a `subtitle` one with an ASCII colon), then the title alone.
        "<dc:title id=\"title\">城市季度观察——2024年第一季度经济运行简报</dc:title>",
        "<meta refines=\"#title\" property=\"title-type\">expanded</meta>",
        "<dc:title id=\"short-title\">城市季度观察</dc:title>",
        "<meta refines=\"#short-title\" property=\"title-type\">short</meta>",
        "<dc:creator id=\"epub-creator-0\">编辑部</dc:creator>",
        "<dc:language>zh-CN</dc:language>",
        "<dc:publisher>示例研究室</dc:publisher>",
        "<dc:date>2024-04-15T00:00:00Z</dc:date>",
        "<meta property=\"dcterms:modified\">2024-04-15T00:00:00Z</meta>",
        "<dc:description>用于测试的第二份稿件，包含列表、引文、脚注、边栏和插图。</dc:description>",
        "<dc:subject>季度</dc:subject>",
        "<dc:subject>经济运行</dc:subject>",
        "<meta property=\"schema:accessMode\">textual</meta>",
        "<meta property=\"schema:accessMode\">visual</meta>",
        "<meta property=\"schema:accessModeSufficient\">textual</meta>",
        "<meta property=\"schema:accessibilityFeature\">structuralNavigation</meta>",
        "<meta property=\"schema:accessibilityFeature\">tableOfContents</meta>",
        "<meta property=\"schema:accessibilityFeature\">alternativeText</meta>",
        "<meta property=\"schema:accessibilityFeature\">displayTransformability</meta>",
        "<meta property=\"schema:accessibilityHazard\">none</meta>",
        "<meta property=\"schema:accessibilitySummary\">本电子书",
        "<meta property=\"dcterms:conformsTo\">EPUB Accessibility 1.1 - WCAG 2.1 Level AA</meta>",
        "properties=\"cover-image\"",
    ] {
        assert!(opf.contains(expected), "content.opf lacks {expected}:\n{opf}");
    }
    // A stable identifier: a v5 UUID, the same for every build of this book.
    let id_start = opf.find("urn:uuid:").expect("urn:uuid identifier") + "urn:uuid:".len();
    let uuid = &opf[id_start..id_start + 36];
    assert_eq!(&uuid[14..15], "5", "{uuid} is not a version 5 UUID");
    let other = epub_file(&zip_entries(&article().epub), "OEBPS/content.opf");
    assert!(!other.contains(uuid), "two different books share the identifier {uuid}");
    // No id is used twice (epub-builder gives dc:language and dc:creator the same one).
    let mut ids = BTreeSet::new();
    let mut reader = quick_xml::Reader::from_str(&opf);
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) | Event::Empty(e) => {
                if let Some(id) = xml_attributes(&e).get("id") {
                    assert!(ids.insert(id.clone()), "the id {id} is used twice in content.opf");
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    // The quarterly manuscript has a chart with its data table: a long description.
    assert!(opf.contains("<meta property=\"schema:accessibilityFeature\">longDescription</meta>"));
    let constructs_opf = epub_file(&zip_entries(&constructs().1), "OEBPS/content.opf");
    assert!(constructs_opf.contains("<meta property=\"schema:accessibilityFeature\">longDescription</meta>"));
    assert!(constructs_opf.contains("<dc:title id=\"title\">手工模型 &lt;测试&gt; &amp; 样例——所有块与行内元素</dc:title>"), "{constructs_opf}");
    assert!(constructs_opf.contains("<dc:title id=\"short-title\">手工模型 &lt;测试&gt; &amp; 样例</dc:title>"), "{constructs_opf}");
}

#[test]
fn navigation_lists_the_headings_with_landmarks_and_a_cover() {
    let entries = zip_entries(&article().epub);
    let nav = epub_file(&entries, "OEBPS/nav.xhtml");
    let links = xml_element_texts(&nav, "a");
    assert_eq!(
        links,
        [
            "封面",
            "红色耒阳 绿色转型",
            "策略之“转”：对标对表",
            "产业之“转”：升级加速",
            "民生之“转”：聚焦难点",
            "环境之“转”：修复生态",
            "改革之“转”：释放活力",
            "封面",
            "红色耒阳 绿色转型",
            // The page list: the print edition's seven pages.
            "1",
            "2",
            "3",
            "4",
            "5",
            "6",
            "7",
        ]
    );
    assert!(nav.contains("<nav epub:type=\"landmarks\" hidden=\"hidden\">"), "{nav}");
    assert!(nav.contains("epub:type=\"cover\" href=\"cover.xhtml\""), "{nav}");
    assert!(nav.contains("epub:type=\"bodymatter\" href=\"section-00.xhtml\""), "{nav}");
    // One file per top-level section, the opening first, with the title block.
    let spine = epub_spine(&entries);
    let names: Vec<&str> = spine.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        [
            "OEBPS/cover.xhtml",
            "OEBPS/section-00.xhtml",
            "OEBPS/section-01.xhtml",
            "OEBPS/section-02.xhtml",
            "OEBPS/section-03.xhtml",
            "OEBPS/section-04.xhtml",
            "OEBPS/section-05.xhtml"
        ]
    );
    let opening = &spine[1].1;
    assert_eq!(xml_element_texts(opening, "h1"), ["红色耒阳 绿色转型"]);
    // The subtitle after the two-em dash (one glyph: no gap), a line break allowed only between words.
    assert!(xml_element_texts(opening, "p").contains(&"\u{2E3A}湖南耒阳市推动资源枯竭城市转型高质量发展纪实".to_string()), "{opening}");
    assert!(opening.contains("资源<wbr/>枯竭") && opening.contains("<wbr/>转型"), "{opening}");
    assert!(opening.contains("<p class=\"byline\">谭红平\u{3000}杨茂林\u{3000}周济\u{3000}王晓辉</p>"));
    for (name, xhtml) in &spine[2..] {
        assert_eq!(xml_element_texts(xhtml, "h1").len(), 1, "{name} should hold exactly one level-1 section");
    }
    // Subheadings nest under their section in the table of contents.
    let constructs_nav = epub_file(&zip_entries(&constructs().1), "OEBPS/nav.xhtml");
    let nested = constructs_nav.find("（一）插图").expect("level-2 heading listed");
    let deeper = constructs_nav.find("数据图").expect("level-3 heading listed");
    assert!(nested < deeper && constructs_nav[nested..deeper].contains("<ol>"), "level 3 is not nested under level 2:\n{constructs_nav}");
}

#[test]
fn the_cover_is_the_designs_title_page_as_png() {
    let entries = zip_entries(&article().epub);
    let opf = epub_file(&entries, "OEBPS/content.opf");
    assert!(opf.contains("<item media-type=\"image/png\" properties=\"cover-image\" id=\"cover-image\" href=\"images/cover.png\"/>"), "{opf}");
    assert!(opf.contains("<meta name=\"cover\" content=\"cover-image\"/>"), "EPUB 2 readers find the cover by this: {opf}");
    let png = &entries.iter().find(|(name, _)| name == "OEBPS/images/cover.png").expect("the cover image").1;
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "the cover is not a PNG");
    // The title page of assets/cover.typ (150 × 240 mm) at 1600 px on the long side, not an
    // A4 page of the book.
    let (width, height) = (u32::from_be_bytes(png[16..20].try_into().unwrap()), u32::from_be_bytes(png[20..24].try_into().unwrap()));
    assert_eq!((width, height), (1000, 1600));
    // Only the metadata is laid out: another report's cover differs.
    let quarterly_entries = zip_entries(&quarterly().epub);
    let other = &quarterly_entries.iter().find(|(name, _)| name == "OEBPS/images/cover.png").expect("the quarterly cover").1;
    assert_ne!(png, other, "two reports with different titles share a cover");
    let cover = epub_file(&entries, "OEBPS/cover.xhtml");
    assert!(cover.contains("<img src=\"images/cover.png\" alt=\"封面：红色耒阳 绿色转型——湖南耒阳市推动资源枯竭城市转型高质量发展纪实，谭红平、杨茂林、周济、王晓辉\" role=\"doc-cover\"/>"), "{cover}");
}

#[test]
fn blocks_become_accessible_xhtml() {
    let entries = zip_entries(&quarterly().epub);
    let spine = epub_spine(&entries);
    let section = &spine.iter().find(|(name, _)| name.ends_with("section-01.xhtml")).expect("section 1").1;
    assert!(section.contains("<p><strong class=\"run-in\">开局良好。</strong>一季度，全市经济运行总体平稳"), "{section}");
    assert!(section.contains("<a class=\"noteref\" epub:type=\"noteref\" role=\"doc-noteref\" id=\"fnref-1\" href=\"#fn-1\"><sup>1</sup></a>"), "{section}");
    assert!(section.contains("<aside class=\"footnote\" epub:type=\"footnote\" role=\"doc-footnote\" id=\"fn-1\"><p><a class=\"note-number\" href=\"#fnref-1\" role=\"doc-backlink\">1</a> 统计口径以年报为准。</p></aside>"), "{section}");
    assert!(section.contains("<aside class=\"sidebar\" aria-labelledby=\"sidebar-1-1\">"), "{section}");
    assert!(section.contains("<em>强调的文字</em>") && section.contains("<strong>加粗的文字</strong>"), "{section}");
    assert!(section.contains("<blockquote>") && section.contains("<ol>"), "{section}");
    let outlook = &spine.iter().find(|(name, _)| name.ends_with("section-02.xhtml")).expect("section 2").1;
    assert!(outlook.contains("<img src=\"images/figure-2.svg\" alt=\"季度走势示意：四个季度的柱形逐步升高\"/>"), "{outlook}");
    let stylesheet = epub_file(&entries, "OEBPS/stylesheet.css");
    for rule in [
        "text-indent: 2em",
        "text-align: justify",
        "line-break: strict",
        "line-height: 1.7",
        "border-top: 2px solid currentColor",
        "border-bottom: 1px solid currentColor",
    ] {
        assert!(stylesheet.contains(rule), "the stylesheet lacks {rule}");
    }
}

#[test]
fn tables_charts_and_cross_references_from_a_hand_built_model() {
    let entries = zip_entries(&constructs().1);
    let spine = epub_spine(&entries);
    let opening = &spine[1].1;
    let figures = &spine[2].1;
    let other = &spine[3].1;
    // Cross-references link to the file and id of their target.
    assert!(opening.contains("<a class=\"xref\" href=\"section-01.xhtml#fig-revenue\">图 2</a>"), "{opening}");
    assert!(opening.contains("<a class=\"xref\" href=\"section-01.xhtml#tbl-revenue\">表 1</a>"), "{opening}");
    assert!(figures.contains("<a class=\"xref\" href=\"#fig-revenue\">图 2</a>"), "{figures}");
    assert!(other.contains("<a class=\"xref\" href=\"section-01.xhtml#tbl-revenue\">表 1</a>"), "{other}");
    // Captions carry the model's numbers with Typst's label.
    assert_eq!(xml_element_texts(figures, "figcaption"), ["图\u{a0}1\u{3000}图示：季度走势", "图\u{a0}2\u{3000}季度收入", "图\u{a0}3\u{3000}季度收入（复核）"]);
    assert_eq!(xml_element_texts(figures, "caption"), ["图\u{a0}2\u{3000}数据", "图\u{a0}3\u{3000}数据", "表\u{a0}1\u{3000}季度收入与增速单位：亿元，%"]);
    // Charts: inline SVG without prolog, with a text alternative and unique ids; data after.
    assert!(!figures.contains("<!DOCTYPE svg") && !figures.contains("standalone="), "the chart's prolog was inlined");
    assert_eq!(figures.matches("<svg xmlns=\"http://www.w3.org/2000/svg\"").count(), 2);
    assert!(
        figures.contains("role=\"img\" aria-label=\"柱形图：季度收入，一季度12.5亿元，二季度16.0亿元，三季度20.3亿元，逐季上升。\"><title>柱形图：季度收入"),
        "{figures}"
    );
    assert!(figures.contains("<desc>数据见表格“图\u{a0}2 数据”。</desc>"), "{figures}");
    // Each chart's ids carry its figure's id, so two charts in one file never clash.
    assert!(figures.contains("id=\"fig-revenue-") && figures.contains("id=\"figure-3-"), "{figures}");
    let ids: Vec<&str> = figures.split(" id=\"").skip(1).filter_map(|rest| rest.split('"').next()).collect();
    let unique: std::collections::BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "ids repeat: {ids:?}");
    assert!(figures.contains("<figure class=\"chart\" id=\"fig-revenue\" aria-describedby=\"fig-revenue-data\">"), "{figures}");
    assert!(figures.contains("<table class=\"three-line chart-data\" id=\"fig-revenue-data\">"), "{figures}");
    // Three-line tables with header cells, numeric cells marked, unit and source; captions
    // and headings break only between words (`<wbr/>` between them).
    assert!(figures.contains("收入<wbr/>（亿元）"), "{figures}");
    let figures = &figures.replace("<wbr/>", "");
    assert!(figures.contains("<div class=\"table-block\" role=\"region\" tabindex=\"0\" aria-labelledby=\"tbl-revenue-caption\">"), "{figures}");
    assert!(figures.contains("<table class=\"three-line\" id=\"tbl-revenue\"><caption id=\"tbl-revenue-caption\"><span class=\"caption-text\">表\u{a0}1\u{3000}季度收入与增速</span><span class=\"table-unit\">单位：亿元，%</span></caption>"), "{figures}");
    assert!(figures.contains("<th scope=\"col\">季度</th><th scope=\"col\" class=\"num\">收入（亿元）</th>"), "{figures}");
    assert!(figures.contains("<th scope=\"row\">一季度</th><td class=\"num\">12.5</td><td class=\"num\">3.1</td>"), "{figures}");
    // A chart whose data no numbered table holds folds its data table under it.
    assert!(figures.contains("<details class=\"chart-data\"><summary>图\u{a0}2\u{3000}数据</summary>"), "{figures}");
    assert!(figures.contains("<p class=\"table-source\">资料来源：示例统计局。</p>"), "{figures}");
    // The chart prints its source note itself: the caption does not repeat it.
    assert!(figures.contains("<figcaption><span class=\"caption-text\">图\u{a0}2\u{3000}季度收入</span></figcaption>"), "{figures}");
    assert_eq!(figures.matches("资料来源：示例统计局。").count(), 3, "source notes: the table's and one inside each chart");
    // The svg manifest property is set exactly on the document with inline SVG.
    let opf = epub_file(&entries, "OEBPS/content.opf");
    assert!(opf.contains("href=\"section-01.xhtml\" properties=\"svg\"/>"), "{opf}");
    assert_eq!(opf.matches("properties=\"svg\"").count(), 1, "{opf}");
    // Escaping is the XML writer's: code, link query and a repeated note.
    assert!(other.contains("<code>x &lt; y &amp;&amp; z</code>"), "{other}");
    assert!(other.contains("<a href=\"https://example.org/?a=1&amp;b=2\">示例</a>"), "{other}");
    assert!(other.contains("id=\"fnref-2\"") && other.contains("id=\"fnref-2-2\""), "{other}");
    assert_eq!(other.matches("epub:type=\"footnote\"").count(), 1, "a note referenced twice is printed once");
    assert!(other.contains("<ol start=\"3\">") && other.contains("引文一句。<br/>第二行。"), "{other}");
    // Chart labels are drawn with the embedded fonts: their characters are in the subsets.
    assert!(xhtml_body_text(figures).contains("三季度"));
}

#[test]
fn a_broken_chart_fails_the_build_naming_its_line() {
    let mut document = constructs_document();
    if let BlockKind::Chart { layout, spec, .. } = &mut document.blocks[6].kind {
        *layout = Some(Arc::new(ChartLayout::new(320.0, 170.0, "Noto Sans CJK SC", "<svg xmlns=\"http://www.w3.org/2000/svg\"><g><g>", "", Vec::new())));
        // The EPUB draws a chart anew for its reading width, from the spec; one it cannot
        // draw so falls back on the print layout, here a malformed one.
        spec.data.categories.clear();
    } else {
        panic!("block 6 is the first chart");
    }
    let Err(diagnostics) = render_epub(&document) else { panic!("a malformed chart SVG was accepted") };
    let message = diagnostics.to_string();
    assert!(message.contains("text/hand.md:13") && message.contains("not well-formed"), "{message}");
}

#[test]
fn the_page_list_cites_the_print_editions_pages() {
    let built = article();
    let entries = zip_entries(&built.epub);
    let nav = epub_file(&entries, "OEBPS/nav.xhtml");
    let pages =
        tool("pdfinfo", &[built.pdf.to_str().unwrap()]).lines().find_map(|l| l.strip_prefix("Pages:").map(|n| n.trim().parse::<usize>().unwrap())).unwrap();
    assert!(nav.contains("<nav epub:type=\"page-list\""), "{nav}");
    for page in 1..=pages {
        // Every print page is in the page list, and its marker stands in a content document.
        let link = format!("#page-{page}\">{page}</a>");
        assert!(nav.contains(&link), "page {page} is not in the page list:\n{nav}");
        // The spine in reading order: the page's text may go on in the next document.
        let xhtml: String = epub_spine(&entries).into_iter().map(|(_, x)| x).collect();
        assert!(xhtml.contains(&format!("id=\"page-{page}\"")), "no marker for page {page}");
        // The first text after the marker is printed on that page of the PDF.
        let after = &xhtml[xhtml.find(&format!("id=\"page-{page}\"")).unwrap()..];
        // The first paragraph of running text (a table or chart there may float elsewhere).
        let paragraph = after[after.find("<p>").unwrap_or_else(|| panic!("page {page}: no paragraph after the marker"))..].split("</p>").next().unwrap();
        // The paragraph's text without its tags and the note numbers (footnote markers).
        let (mut text, mut in_tag) = (String::new(), false);
        for ch in paragraph.split("<sup>").next().unwrap().chars() {
            match ch {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag && !c.is_whitespace() => text.push(c),
                _ => {}
            }
        }
        let start: String = text.chars().take(8).collect();
        let printed = squeeze(&tool("pdftotext", &["-f", &page.to_string(), "-l", &page.to_string(), "-enc", "UTF-8", built.pdf.to_str().unwrap(), "-"]));
        assert!(printed.contains(&start), "page {page}: the text after its marker ({start}) is not on that page of the PDF");
    }
    let opf = epub_file(&entries, "OEBPS/content.opf");
    assert!(opf.contains("<meta property=\"pageBreakSource\">leiyang-green-transformation.pdf</meta>"), "{opf}");
    assert!(opf.contains("<meta property=\"schema:accessibilityFeature\">pageNavigation</meta>"), "{opf}");
}

#[test]
fn numbers_keep_their_units_on_one_line_in_the_epub_too() {
    // The PDF set `1,941.0亿元` as one box; the EPUB let a reading system break before 亿 or
    // 元 as between any two Chinese characters.
    let entries = zip_entries(&article().epub);
    let pages: String = entries.iter().filter(|(name, _)| name.ends_with(".xhtml")).map(|(_, b)| String::from_utf8_lossy(b).into_owned()).collect();
    let quantities: Vec<&str> = pages.split("<span class=\"qty\">").skip(1).filter_map(|rest| rest.split("</span>").next()).collect();
    // A number from the data and the unit the text goes on with (`{{…}}亿元`) are one.
    assert!(quantities.contains(&"205.72亿元") && quantities.contains(&"143万人"), "{quantities:?}");
    for quantity in &quantities {
        assert!(
            quantity.starts_with(|c: char| c.is_ascii_digit()) && !quantity.ends_with(|c: char| c.is_ascii_digit()),
            "not a number with its unit: {quantity}"
        );
    }
    let css = entries.iter().find(|(name, _)| name.ends_with(".css")).map(|(_, b)| String::from_utf8_lossy(b).into_owned()).unwrap_or_default();
    assert!(css.contains(".qty { white-space: nowrap; }"), "the stylesheet keeps no quantity on one line");
}
