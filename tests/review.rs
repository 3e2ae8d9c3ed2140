//! `reportpress review`: annotations made the way viewers store them (lopdf adds
//! Highlight, StrikeOut, Caret and Text dictionaries to a proof or print PDF, with quad
//! points computed from where the PDF shows the words) come back as the exact manuscript
//! `file:line:column` spans, with the data cell of a number that came from data; a PDF of an
//! older revision is named as such and its entries found by their text.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use lopdf::{Dictionary, Object};
use reportpress::review::pdf_text::{PageChar, characters};

/// The test manuscript's text file. Its lines are what the assertions name.
const TEXT_LINES: &[&str] = &[
    "# 绿色转型",
    "",
    "全市坚持**生态优先**、绿色发展，把矿山修复作为转型的第一件事。",
    "旧矿区变成了新公园，群众称之为“翡翠项链”。",
    "",
    "全市地区生产总值达到{{gdp.地区生产总值.数值}}亿元，同比增长{{gdp.地区生产总值.增速}}%。",
    "",
];

/// Filler paragraphs that push the last paragraphs into the second column.
fn filler() -> String {
    (1..=15).map(|i| format!("第{i}段记录了乡镇推进土地整治与产业培育的做法，干部群众齐心协力，面貌焕然一新。\n\n")).collect()
}

const TAIL: &str = "在第二栏里，城市更新让老街焕发新的活力，沿街商铺重新开张，夜市的灯光一直亮到深夜，居民说这才是过日子的样子。

```table
data = \"gdp\"
caption = \"主要经济指标\"
```

```chart
data = \"gdp\"
kind = \"bar\"
series = [\"数值\"]
rows = [\"第一产业\", \"第二产业\", \"第三产业\"]
caption = \"三次产业增加值对比图\"
```
";

const GDP: &str = "title = \"主要指标\"
source = \"统计局\"
key = \"指标\"
columns = [
  { name = \"数值\", type = \"number\", unit = \"亿元\" },
  { name = \"增速\", type = \"percent\" },
]
rows = [
  [\"地区生产总值\", \"205.72\", \"11.3\"],
  [\"第一产业\", \"36.56\", \"4.8\"],
  [\"第二产业\", \"57.93\", \"12.6\"],
  [\"第三产业\", \"111.23\", \"13.1\"],
]
";

fn text() -> String {
    format!("{}\n{}{TAIL}", TEXT_LINES.join("\n"), filler())
}

fn make_manuscript(dir: &Path) {
    write_manuscript(dir, "review", &[("text/a.md", &text())]);
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::write(dir.join("data/gdp.toml"), GDP).unwrap();
}

/// Where `needle` is written in `text`: 1-based line and column (in characters).
fn written_at(text: &str, needle: &str) -> (usize, usize) {
    for (i, line) in text.lines().enumerate() {
        if let Some(byte) = line.find(needle) {
            return (i + 1, line[..byte].chars().count() + 1);
        }
    }
    panic!("«{needle}» is not in the manuscript");
}

/// Every character of the PDF with its box (top-left origin), read from the file.
fn pdf_chars(pdf: &Path) -> Vec<PageChar> {
    let document = lopdf::Document::load(pdf).expect("the PDF loads");
    let pages: Vec<usize> = (0..document.get_pages().len()).collect();
    characters(&document, &pages)
}

/// The characters that show `needle` (white space ignored), the first occurrence; the
/// proof's small line numbers and file:line marks are not text.
fn find(chars: &[PageChar], needle: &str) -> Vec<PageChar> {
    let needle: Vec<char> = needle.chars().filter(|c| !c.is_whitespace()).collect();
    let hay: Vec<(char, usize)> = chars
        .iter()
        .enumerate()
        .filter(|(_, c)| c.area.y1 - c.area.y0 > 7.0)
        .flat_map(|(i, c)| c.text.chars().filter(|c| !c.is_whitespace()).map(move |ch| (ch, i)))
        .collect();
    for start in 0..hay.len() {
        if hay[start..].len() >= needle.len() && hay[start..start + needle.len()].iter().zip(&needle).all(|((c, _), n)| c == n) {
            let mut indices: Vec<usize> = hay[start..start + needle.len()].iter().map(|(_, i)| *i).collect();
            indices.dedup();
            return indices.into_iter().map(|i| chars[i].clone()).collect();
        }
    }
    panic!("«{}» is not in the PDF", needle.iter().collect::<String>());
}

/// One quad per line of `chars`, in PDF space (`height` flips y), corners in the order
/// `order` names (viewers differ: Acrobat writes UL UR LL LR, the specification LL LR UR UL).
fn quads(chars: &[PageChar], height: f64, order: [usize; 4]) -> Vec<f64> {
    let mut lines: Vec<Vec<&PageChar>> = Vec::new();
    for c in chars {
        match lines.last_mut() {
            Some(line) if (line[0].baseline - c.baseline).abs() < 1.0 && (c.area.x0 - line[line.len() - 1].area.x1).abs() < 20.0 => line.push(c),
            _ => lines.push(vec![c]),
        }
    }
    let mut out = Vec::new();
    for line in lines {
        let x0 = line.iter().map(|c| c.area.x0).fold(f64::INFINITY, f64::min);
        let x1 = line.iter().map(|c| c.area.x1).fold(f64::NEG_INFINITY, f64::max);
        let y0 = height - line.iter().map(|c| c.area.y0).fold(f64::INFINITY, f64::min);
        let y1 = height - line.iter().map(|c| c.area.y1).fold(f64::NEG_INFINITY, f64::max);
        // UL, UR, LL, LR
        let corners = [(x0, y0), (x1, y0), (x0, y1), (x1, y1)];
        for k in order {
            out.extend([corners[k].0, corners[k].1]);
        }
    }
    out
}

fn text_string(text: &str) -> Object {
    let mut bytes = vec![0xFE, 0xFF];
    bytes.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    Object::String(bytes, lopdf::StringFormat::Hexadecimal)
}

/// An annotation to add.
struct Note<'a> {
    page: usize,
    subtype: &'a str,
    quads: Vec<f64>,
    rect: [f64; 4],
    contents: &'a str,
    /// The earlier note (by index) a caret is grouped with (`/IRT` and `/RT /Group`).
    group_with: Option<usize>,
    /// For ink: one stroke.
    ink: Vec<f64>,
}

/// The dictionary of one annotation as viewers write it: kind, rectangle, quads, comment
/// and author.
fn annotation_dictionary(note: &Note) -> Dictionary {
    let mut dict = Dictionary::new();
    dict.set("Type", Object::Name(b"Annot".to_vec()));
    dict.set("Subtype", Object::Name(note.subtype.as_bytes().to_vec()));
    dict.set("Rect", Object::Array(note.rect.iter().map(|&v| Object::Real(v as f32)).collect()));
    if !note.quads.is_empty() {
        dict.set("QuadPoints", Object::Array(note.quads.iter().map(|&v| Object::Real(v as f32)).collect()));
    }
    dict.set("Contents", text_string(note.contents));
    dict.set("T", text_string("校对员"));
    dict
}

/// Adds `notes` to the PDF at `from` as a viewer saves them, into `to`.
fn annotate(from: &Path, to: &Path, notes: &[Note]) {
    let mut document = lopdf::Document::load(from).expect("the PDF loads");
    let pages = document.get_pages();
    let mut ids = Vec::new();
    for note in notes {
        let page_id = pages[&(note.page as u32 + 1)];
        let mut dict = annotation_dictionary(note);
        dict.set("M", Object::string_literal("D:20261130102100+08'00'"));
        dict.set("P", Object::Reference(page_id));
        if let Some(other) = note.group_with {
            dict.set("IRT", Object::Reference(ids[other]));
            dict.set("RT", Object::Name(b"Group".to_vec()));
        }
        if !note.ink.is_empty() {
            dict.set("InkList", Object::Array(vec![Object::Array(note.ink.iter().map(|&v| Object::Real(v as f32)).collect())]));
        }
        let id = document.add_object(Object::Dictionary(dict));
        ids.push(id);
        let page = document.get_object_mut(page_id).and_then(Object::as_dict_mut).expect("a page dictionary");
        match page.get_mut(b"Annots") {
            Ok(Object::Array(list)) => list.push(Object::Reference(id)),
            _ => page.set("Annots", Object::Array(vec![Object::Reference(id)])),
        }
    }
    document.save(to).expect("the annotated PDF is written");
}

/// The rectangle around quads (for /Rect).
fn rect_of(quads: &[f64]) -> [f64; 4] {
    let xs = quads.iter().step_by(2);
    let ys = quads.iter().skip(1).step_by(2);
    [
        xs.clone().cloned().fold(f64::INFINITY, f64::min),
        ys.clone().cloned().fold(f64::INFINITY, f64::min),
        xs.cloned().fold(f64::NEG_INFINITY, f64::max),
        ys.cloned().fold(f64::NEG_INFINITY, f64::max),
    ]
}

fn markup(chars: &[PageChar], target: &str, subtype: &'static str, contents: &'static str, height: f64, order: [usize; 4]) -> Note<'static> {
    let found = find(chars, target);
    let quads = quads(&found, height, order);
    Note { page: found[0].page, subtype, rect: rect_of(&quads), quads, contents, group_with: None, ink: Vec::new() }
}

fn review_json(pdf: &Path, manuscript: &Path) -> (serde_json::Value, String) {
    let output = reportpress(&["review", pdf.to_str().unwrap(), "--manuscript", manuscript.to_str().unwrap(), "--json"]);
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert!(output.status.success(), "review failed: {stderr}");
    (
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("review --json printed no JSON ({e}): {}", String::from_utf8_lossy(&output.stdout))),
        stderr,
    )
}

/// The entry whose comment is `comment`.
fn entry<'a>(review: &'a serde_json::Value, comment: &str) -> &'a serde_json::Value {
    review["entries"].as_array().unwrap().iter().find(|e| e["comment"] == comment).unwrap_or_else(|| panic!("no entry with comment {comment}: {review:#}"))
}

fn place(entry: &serde_json::Value, which: &str) -> (String, usize, usize) {
    let p = &entry[which];
    assert!(!p.is_null(), "entry has no {which}: {entry:#}");
    (p["file"].as_str().unwrap().to_string(), p["line"].as_u64().unwrap() as usize, p["column"].as_u64().unwrap() as usize)
}

struct Built {
    _dir: tempfile::TempDir,
    manuscript: PathBuf,
    out: PathBuf,
}

fn built(format: &str) -> Built {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = dir.path().join("m");
    make_manuscript(&manuscript);
    let out = dir.path().join("out");
    build_ok(&manuscript, &out, format);
    Built { _dir: dir, manuscript, out }
}

const SPEC_ORDER: [usize; 4] = [2, 3, 1, 0]; // LL LR UR UL
const ACROBAT_ORDER: [usize; 4] = [0, 1, 2, 3]; // UL UR LL LR

#[test]
fn annotations_on_a_proof_come_back_at_their_manuscript_lines_and_columns() {
    let b = built("proof");
    let pdf = b.out.join("review-proof.pdf");
    let chars = pdf_chars(&pdf);
    let height = 841.89;
    let source = text();
    // A word in the first column, another in the second.
    let first = markup(&chars, "矿山修复", "Highlight", "核实说法", height, ACROBAT_ORDER);
    let second = markup(&chars, "城市更新", "Highlight", "第二栏", height, SPEC_ORDER);
    let page_width = 595.28 + 2.0 * 62.36;
    assert!(rect_of(&first.quads)[0] < page_width / 2.0 && rect_of(&second.quads)[0] > page_width / 2.0, "the two words are not in the two columns");
    // A strike-out across a line break (the sentence is longer than a column's line).
    let long = "沿街商铺重新开张，夜市的灯光一直亮到深夜，居民说这才是过日子的样子";
    let strike = markup(&chars, long, "StrikeOut", "", height, SPEC_ORDER);
    assert!(strike.quads.len() >= 16, "the strike-out does not cross a line break");
    // A number from data, a table cell, a chart caption.
    let number = markup(&chars, "205.72", "Highlight", "数字核对", height, ACROBAT_ORDER);
    let cell = markup(&chars, "36.56", "Highlight", "表格数字", height, ACROBAT_ORDER);
    let caption = markup(&chars, "三次产业增加值对比图", "Underline", "图题", height, ACROBAT_ORDER);
    // A caret between 翡翠 and 项链, with only a rectangle.
    let jade = find(&chars, "翡翠项链");
    let between = (jade[1].area.x1 + jade[2].area.x0) / 2.0;
    let caret = Note {
        page: jade[0].page,
        subtype: "Caret",
        quads: Vec::new(),
        rect: [between - 3.0, height - jade[1].area.y1 - 2.0, between + 3.0, height - jade[1].area.y1 + 6.0],
        contents: "的",
        group_with: None,
        ink: Vec::new(),
    };
    // A sticky note in the margin beside the first line of the data paragraph.
    let gdp = find(&chars, "全市地区生产总值");
    let sticky = Note {
        page: gdp[0].page,
        subtype: "Text",
        quads: Vec::new(),
        rect: [gdp[0].area.x0 - 30.0, height - gdp[0].area.y0 - 20.0, gdp[0].area.x0 - 10.0, height - gdp[0].area.y0],
        contents: "这段要补充来源",
        group_with: None,
        ink: Vec::new(),
    };
    // A highlight from the foot of the first column to the head of the second.
    // (The table floating at the head of the second column comes between them in the file.)
    let foot = find(&chars, "第13段记录了乡镇推进土地整治与产业培育的做法，干部群众齐心协力，面貌焕然一新。");
    let head = find(&chars, "第14段记录了");
    let mut quads_across = quads(&foot[foot.len() - 7..], height, ACROBAT_ORDER);
    quads_across.extend(quads(&head, height, ACROBAT_ORDER));
    let across = Note {
        page: head[0].page,
        subtype: "Highlight",
        rect: rect_of(&quads_across),
        quads: quads_across,
        contents: "跨栏",
        group_with: None,
        ink: Vec::new(),
    };
    assert!(across.quads.len() == 16 && across.quads[0] < page_width / 2.0 && across.quads[8] > page_width / 2.0, "the highlight does not cross the columns");
    // A replacement as Acrobat stores it: a strike-out, and a caret grouped with it.
    let replaced = markup(&chars, "新公园", "StrikeOut", "", height, SPEC_ORDER);
    let end = rect_of(&replaced.quads);
    let with = Note {
        page: replaced.page,
        subtype: "Caret",
        quads: Vec::new(),
        rect: [end[2] - 3.0, end[1] - 2.0, end[2] + 3.0, end[1] + 6.0],
        contents: "新景区",
        group_with: Some(10),
        ink: Vec::new(),
    };
    // A ring drawn around a word.
    let ring = find(&chars, "旧矿区");
    let (x0, x1) = (ring[0].area.x0 - 2.0, ring[2].area.x1 + 2.0);
    let (y0, y1) = (height - ring[0].area.y1 - 2.0, height - ring[0].area.y0 + 2.0);
    let ink = Note {
        page: ring[0].page,
        subtype: "Ink",
        quads: Vec::new(),
        rect: [x0, y0, x1, y1],
        contents: "圈出",
        group_with: None,
        ink: vec![x0, y0, x1, y0, x1, y1, x0, y1, x0, y0],
    };
    let annotated = b.out.join("annotated.pdf");
    annotate(&pdf, &annotated, &[first, second, strike, number, cell, caption, caret, sticky, across, ink, replaced, with]);
    let (review, _) = review_json(&annotated, &b.manuscript);
    assert_eq!(review["same_revision"], true, "{review:#}");
    assert_eq!(review["edition"], "proof");

    let (line, column) = written_at(&source, "矿山修复");
    let e = entry(&review, "核实说法");
    assert_eq!(place(e, "start"), ("text/a.md".into(), line, column));
    assert_eq!(place(e, "end"), ("text/a.md".into(), line, column + 4));
    assert_eq!(e["text"], "矿山修复");
    assert_eq!(e["kind"], "comment");
    assert_eq!(e["author"], "校对员");
    assert_eq!(e["date"], "2026-11-30 10:21");
    assert!(e["proof_line"].as_u64().is_some_and(|l| l > 0), "no proof line: {e:#}");

    let (line, column) = written_at(&source, "城市更新");
    assert_eq!(place(entry(&review, "第二栏"), "start"), ("text/a.md".into(), line, column));

    let strike = review["entries"].as_array().unwrap().iter().find(|e| e["kind"] == "delete").expect("a delete entry");
    let (line, column) = written_at(&source, "沿街商铺");
    assert_eq!(place(strike, "start"), ("text/a.md".into(), line, column));
    assert_eq!(place(strike, "end"), ("text/a.md".into(), line, column + long.chars().count()));
    assert_eq!(strike["text"], long);

    let (line, column) = written_at(&source, "{{gdp.地区生产总值.数值}}");
    let e = entry(&review, "数字核对");
    assert_eq!(place(e, "start"), ("text/a.md".into(), line, column));
    assert_eq!(place(e, "end"), ("text/a.md".into(), line, column + "{{gdp.地区生产总值.数值}}".chars().count()));
    assert_eq!(e["data"][0]["file"], "data/gdp.toml");
    assert_eq!(e["data"][0]["line"], 9);
    assert_eq!(e["data"][0]["reference"], "gdp.地区生产总值.数值");

    let e = entry(&review, "表格数字");
    let (table_line, _) = written_at(&source, "```table");
    assert_eq!(place(e, "start").1, table_line, "{e:#}");
    assert_eq!(e["data"][0]["file"], "data/gdp.toml");
    assert_eq!(e["data"][0]["line"], 10);

    let (line, column) = written_at(&source, "三次产业增加值对比图");
    assert_eq!(place(entry(&review, "图题"), "start"), ("text/a.md".into(), line, column));

    let (line, column) = written_at(&source, "项链");
    let e = entry(&review, "的");
    assert_eq!(e["kind"], "insert");
    assert_eq!(place(e, "start"), ("text/a.md".into(), line, column));

    let (line, _) = written_at(&source, "全市地区生产总值");
    let e = entry(&review, "这段要补充来源");
    assert_eq!(place(e, "start").1, line, "{e:#}");
    assert_eq!(e["text"], "");

    let (line, _) = written_at(&source, "第13段");
    let thirteenth = source.lines().nth(line - 1).unwrap();
    let column = thirteenth[..thirteenth.find("面貌焕然一新").unwrap()].chars().count() + 1;
    let (end_line, end_column) = written_at(&source, "第14段记录了");
    let e = entry(&review, "跨栏");
    assert_eq!(place(e, "start"), ("text/a.md".into(), line, column));
    assert_eq!(place(e, "end"), ("text/a.md".into(), end_line, end_column + "第14段记录了".chars().count()));

    let (line, column) = written_at(&source, "旧矿区");
    let e = entry(&review, "圈出");
    assert_eq!(place(e, "start"), ("text/a.md".into(), line, column));
    assert_eq!(e["text"], "旧矿区");

    let (line, column) = written_at(&source, "新公园");
    let e = entry(&review, "新景区");
    assert_eq!(e["kind"], "replace");
    assert_eq!(e["text"], "新公园");
    assert_eq!(place(e, "start"), ("text/a.md".into(), line, column));
    assert_eq!(place(e, "end"), ("text/a.md".into(), line, column + 3));
    assert_eq!(review["entries"].as_array().unwrap().len(), 11, "the caret of the replacement is not an entry of its own");

    // The proof line is the number the proof prints in the margin beside the marked line.
    let e = entry(&review, "核实说法");
    let marked = find(&chars, "矿山修复");
    let mut digits: Vec<&PageChar> = chars
        .iter()
        .filter(|c| c.page == marked[0].page && (c.baseline - marked[0].baseline).abs() < 5.0 && c.area.x1 < marked[0].area.x0 - 100.0)
        .filter(|c| c.area.y1 - c.area.y0 < 8.0 && c.text.chars().all(|d| d.is_ascii_digit()))
        .collect();
    digits.sort_by(|a, b| a.area.x0.total_cmp(&b.area.x0));
    // The number nearest the text (the file:line mark sits further out, at the page edge).
    let mut number = vec![digits.pop().expect("a line number beside the line")];
    while digits.last().is_some_and(|d| number[0].area.x0 - d.area.x1 < 1.0) {
        number.insert(0, digits.pop().unwrap());
    }
    let printed: String = number.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(e["proof_line"].as_u64().map(|l| l.to_string()), Some(printed), "{e:#}");

    // Sorted by manuscript position.
    let order: Vec<(usize, usize)> = review["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["start"]["line"].as_u64().unwrap() as usize, e["start"]["column"].as_u64().unwrap() as usize))
        .collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted);
}

#[test]
fn the_plain_report_reads_like_compiler_messages() {
    let b = built("pdf");
    let pdf = b.out.join("review.pdf");
    let chars = pdf_chars(&pdf);
    let note = markup(&chars, "翡翠项链", "Squiggly", "改成“绿色项链”", 841.89, SPEC_ORDER);
    let annotated = b.out.join("annotated.pdf");
    annotate(&pdf, &annotated, &[note]);
    let output = reportpress(&["review", annotated.to_str().unwrap(), "--manuscript", b.manuscript.to_str().unwrap()]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let (line, column) = written_at(&text(), "翡翠项链");
    let expected = format!(
        "{}:{line}:{column}-{line}:{}: comment: «翡翠项链» — 改成“绿色项链” (校对员, 2026-11-30 10:21) [page 1",
        b.manuscript.join("text/a.md").display(),
        column + 4
    );
    assert!(stdout.contains(&expected), "expected «{expected}» in:\n{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("print edition, made from the manuscript as it is"), "{stdout}");
    // A PDF named relative to the working directory.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_reportpress"))
        .args(["review", "annotated.pdf", "--manuscript", b.manuscript.to_str().unwrap(), "--fonts", root().join("fonts").to_str().unwrap()])
        .current_dir(&b.out)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains(&expected));
}

#[test]
fn a_pdf_of_an_older_revision_is_named_and_its_entries_found_by_their_text() {
    let b = built("proof");
    let pdf = b.out.join("review-proof.pdf");
    let chars = pdf_chars(&pdf);
    let kept = markup(&chars, "城市更新", "Highlight", "还在", 841.89, ACROBAT_ORDER);
    let gone = markup(&chars, "翡翠项链", "Highlight", "已删", 841.89, ACROBAT_ORDER);
    let annotated = b.out.join("annotated.pdf");
    annotate(&pdf, &annotated, &[kept, gone]);
    // The manuscript moves on: a new paragraph at the top, and the marked phrase rewritten.
    let file = b.manuscript.join("text/a.md");
    replace_in(&file, "# 绿色转型\n\n", "# 绿色转型\n\n新增的一段导语。\n\n");
    replace_in(&file, "“翡翠项链”", "“绿色明珠”");
    let (review, _) = review_json(&annotated, &b.manuscript);
    assert_eq!(review["same_revision"], false);
    assert!(review["warnings"][0].as_str().is_some_and(|w| w.contains("not made from the manuscript")), "{review:#}");
    let (line, column) = written_at(&std::fs::read_to_string(&file).unwrap(), "城市更新");
    let e = entry(&review, "还在");
    assert_eq!(e["located"], "text");
    assert_eq!(place(e, "start"), ("text/a.md".into(), line, column));
    let e = entry(&review, "已删");
    assert_eq!(e["located"], "not-found");
    assert_eq!(e["text"], "翡翠项链");
    assert!(e["start"].is_null());
    // The plain report warns.
    let output = reportpress(&["review", annotated.to_str().unwrap(), "--manuscript", b.manuscript.to_str().unwrap()]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stderr).contains("warning"), "{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn a_file_that_is_not_a_pdf_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let bogus = dir.path().join("notes.pdf");
    std::fs::write(&bogus, "not a pdf").unwrap();
    let output = reportpress(&["review", bogus.to_str().unwrap(), "--manuscript", root().join("manuscript").to_str().unwrap()]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("notes.pdf") && stderr.contains("cannot read this file as a PDF"), "{stderr}");
}

#[test]
fn the_print_edition_stays_valid_with_its_build_id() {
    let b = built("pdf");
    let pdf = b.out.join("review.pdf");
    let check = std::process::Command::new("qpdf").arg("--check").arg(&pdf).output().expect("qpdf runs (make test-tools)");
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
    // Nothing is embedded: the build id lives in the file identifier only.
    let info = tool("pdfdetach", &["-list", pdf.to_str().unwrap()]);
    assert!(info.contains("0 embedded files"), "{info}");
}

#[test]
fn words_picked_across_the_article_map_to_where_they_are_written() {
    // Real text: bold run-in heads, data references, notes, links, lists, sidebars.
    let dir = tempfile::tempdir().unwrap();
    let manuscript = root().join("manuscript");
    build_ok(&manuscript, dir.path(), "proof");
    let pdf = dir.path().join("leiyang-green-transformation-proof.pdf");
    let chars = pdf_chars(&pdf);
    let printed: String = chars.iter().filter(|c| c.area.y1 - c.area.y0 > 7.0).map(|c| c.text.as_str()).filter(|t| !t.trim().is_empty()).collect();
    let files: Vec<PathBuf> = std::fs::read_dir(manuscript.join("text")).unwrap().map(|e| e.unwrap().path()).collect();
    let texts: Vec<(String, String)> =
        files.iter().map(|f| (format!("text/{}", f.file_name().unwrap().to_string_lossy()), std::fs::read_to_string(f).unwrap())).collect();
    let everything: String = texts.iter().map(|(_, t)| t.as_str()).collect();
    let mut picked: Vec<(String, usize, usize, String)> = Vec::new();
    for (file, text) in &texts {
        let mut in_fence = false;
        for (index, line) in text.lines().enumerate() {
            in_fence ^= line.starts_with("```");
            if in_fence || line.starts_with(['#', '>', '-', '|', '!', '[', '`']) || line.chars().count() < 24 {
                continue;
            }
            // Six characters from the middle of the line, free of markup, found once in the
            // manuscript and once in the proof.
            let chars_of_line: Vec<char> = line.chars().collect();
            let start = chars_of_line.len() / 2;
            let word: String = chars_of_line[start..start + 6].iter().collect();
            if word.contains(|c: char| "*[](){}`@^\\\\<>_ ".contains(c) || c.is_ascii_digit())
                || everything.matches(&word).count() != 1
                || printed.matches(&word).count() != 1
            {
                continue;
            }
            picked.push((file.clone(), index + 1, start + 1, word));
            if picked.len().is_multiple_of(4) {
                break; // a few per file
            }
        }
    }
    assert!(picked.len() >= 12, "too few words picked: {picked:?}");
    let notes: Vec<Note> = picked
        .iter()
        .enumerate()
        .map(|(i, (_, _, _, word))| {
            let contents: &'static str = Box::leak(format!("#{i}").into_boxed_str());
            markup(&chars, word, "Highlight", contents, 841.89, if i % 2 == 0 { ACROBAT_ORDER } else { SPEC_ORDER })
        })
        .collect();
    let annotated = dir.path().join("annotated.pdf");
    annotate(&pdf, &annotated, &notes);
    let (review, _) = review_json(&annotated, &manuscript);
    assert_eq!(review["same_revision"], true);
    for (i, (file, line, column, word)) in picked.iter().enumerate() {
        let e = entry(&review, &format!("#{i}"));
        assert_eq!(place(e, "start"), (file.clone(), *line, *column), "«{word}»: {e:#}");
        assert_eq!(place(e, "end"), (file.clone(), *line, column + 6), "«{word}»: {e:#}");
        assert_eq!(e["text"], word.as_str());
    }
}

/// Adds `notes` to the PDF at `from` as an incremental update (how poppler-based viewers and
/// PDF.js save): the original bytes stay, the changed page and the new annotations follow.
fn annotate_incrementally(from: &Path, to: &Path, notes: &[Note]) {
    let mut document = lopdf::IncrementalDocument::load(from).expect("the PDF loads");
    let pages = document.get_prev_documents().get_pages();
    // Viewers keep the file identifier in the new trailer.
    if let Ok(id) = document.get_prev_documents().trailer.get(b"ID").cloned() {
        document.new_document.trailer.set("ID", id);
    }
    for note in notes {
        let page_id = pages[&(note.page as u32 + 1)];
        let dict = annotation_dictionary(note);
        let id = document.new_document.add_object(Object::Dictionary(dict));
        document.opt_clone_object_to_new_document(page_id).expect("the page is cloned");
        let page = document.new_document.get_object_mut(page_id).and_then(Object::as_dict_mut).expect("a page dictionary");
        match page.get_mut(b"Annots") {
            Ok(Object::Array(list)) => list.push(Object::Reference(id)),
            _ => page.set("Annots", Object::Array(vec![Object::Reference(id)])),
        }
    }
    document.save(to).expect("the annotated PDF is written");
}

#[test]
fn an_incrementally_saved_pdf_is_read_through_its_updates() {
    let b = built("pdf");
    let pdf = b.out.join("review.pdf");
    let chars = pdf_chars(&pdf);
    let note = markup(&chars, "城市更新", "Highlight", "增量保存", 841.89, SPEC_ORDER);
    let annotated = b.out.join("annotated.pdf");
    annotate_incrementally(&pdf, &annotated, &[note]);
    let original = std::fs::read(&pdf).unwrap();
    assert!(std::fs::read(&annotated).unwrap().starts_with(&original), "not an incremental update");
    let (review, _) = review_json(&annotated, &b.manuscript);
    assert_eq!(review["same_revision"], true, "{review:#}");
    let (line, column) = written_at(&text(), "城市更新");
    assert_eq!(place(entry(&review, "增量保存"), "start"), ("text/a.md".into(), line, column));
}

#[test]
fn entries_name_the_page_by_its_printed_folio() {
    // The bulletin in the report design: a cover and 目录 (folios i, ii …) before page 1.
    let dir = tempfile::tempdir().unwrap();
    let manuscript = dir.path().join("bulletin");
    copy_dir(&root().join("tests/manuscripts/bulletin"), &manuscript);
    let out = dir.path().join("out");
    build_ok(&manuscript, &out, "pdf");
    let pdf = out.join("bulletin.pdf");
    let chars = pdf_chars(&pdf);
    let note = markup(&chars, "初步核算", "Highlight", "核实口径", 841.89, SPEC_ORDER);
    let physical = note.page + 1;
    let annotated = out.join("annotated.pdf");
    annotate(&pdf, &annotated, &[note]);
    let output = reportpress(&["review", annotated.to_str().unwrap(), "--manuscript", manuscript.to_str().unwrap()]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(physical > 1, "the body should not start on the PDF's first page");
    assert!(stdout.contains(&format!("[page 1 (PDF page {physical})")), "the entry should name folio 1 and PDF page {physical}:\n{stdout}");
    let (review, _) = review_json(&annotated, &manuscript);
    assert_eq!(entry(&review, "核实口径")["page_label"], "1");
}
