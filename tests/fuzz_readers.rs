//! Property tests ("fuzzing" without nightly) of the two readers of files from strangers:
//! `review`'s PDF reader (a proof PDF reportpress made, mutated: bytes flipped, runs cut,
//! copied or replaced by PDF syntax) and the Word import (a realistic `.docx`, its XML parts
//! mutated with OOXML pieces and hostile numbers). Whatever the input: no panic, a bounded
//! time per case, and for the import either a manuscript or errors.
//!
//! `cargo test --release` runs a few cases of each; `make fuzz` runs each for
//! `FUZZ_SECONDS` (see tests/properties.rs for the runner's conventions).
//!
//! Long runs recorded (2 cores, shared): see the table in README.md ("Robustness tests").

mod common;

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use lopdf::dictionary;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

/// Runs `test` on `default_cases` values of `strategy`, or, when `long` and `FUZZ_SECONDS`
/// is set, batch after batch for that many seconds.
fn run<S: Strategy>(name: &str, strategy: S, default_cases: u32, long: bool, test: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S::Value: std::fmt::Debug,
{
    let budget = if long { std::env::var("FUZZ_SECONDS").ok().and_then(|v| v.parse().ok()).map(Duration::from_secs) } else { None };
    let started = Instant::now();
    let mut total = 0u64;
    loop {
        let batch = if budget.is_some() { 64 } else { default_cases };
        let mut runner = TestRunner::new(Config { cases: batch, failure_persistence: None, max_shrink_iters: 1024, ..Config::default() });
        if let Err(failure) = runner.run(&strategy, &test) {
            panic!("{name}: {failure}");
        }
        total += u64::from(batch);
        if budget.is_none_or(|budget| started.elapsed() >= budget) {
            break;
        }
    }
    if budget.is_some() {
        eprintln!("{name}: {total} cases in {:.1} min, no failure", started.elapsed().as_secs_f64() / 60.0);
    }
}

/// One change to a file: at a position (a fraction of its length), what to do.
#[derive(Debug, Clone)]
enum Mutation {
    /// Flip the byte there.
    Flip(f64, u8),
    /// Cut `n` bytes.
    Cut(f64, usize),
    /// Copy the `n` bytes there `times` times.
    Repeat(f64, usize, usize),
    /// Insert a piece of the format's syntax.
    Insert(f64, &'static str),
}

fn mutations(pieces: &'static [&'static str]) -> impl Strategy<Value = Vec<Mutation>> {
    let one = prop_oneof![
        (0.0..1.0f64, any::<u8>()).prop_map(|(at, b)| Mutation::Flip(at, b)),
        (0.0..1.0f64, 1usize..256).prop_map(|(at, n)| Mutation::Cut(at, n)),
        (0.0..1.0f64, 1usize..64, 1usize..64).prop_map(|(at, n, t)| Mutation::Repeat(at, n, t)),
        (0.0..1.0f64, proptest::sample::select(pieces)).prop_map(|(at, piece)| Mutation::Insert(at, piece)),
    ];
    prop::collection::vec(one, 1..8)
}

fn mutate(base: &[u8], changes: &[Mutation]) -> Vec<u8> {
    let mut bytes = base.to_vec();
    for change in changes {
        let at = |fraction: f64, len: usize| ((fraction * len as f64) as usize).min(len);
        match *change {
            Mutation::Flip(f, b) if !bytes.is_empty() => {
                let i = at(f, bytes.len() - 1);
                bytes[i] ^= b.max(1);
            }
            Mutation::Cut(f, n) => {
                let i = at(f, bytes.len());
                bytes.drain(i..(i + n).min(bytes.len()));
            }
            Mutation::Repeat(f, n, times) => {
                let i = at(f, bytes.len());
                let run: Vec<u8> = bytes[i..(i + n).min(bytes.len())].to_vec();
                for _ in 0..times {
                    bytes.splice(i..i, run.iter().copied());
                }
            }
            Mutation::Insert(f, piece) => {
                let i = at(f, bytes.len());
                bytes.splice(i..i, piece.bytes());
            }
            _ => {}
        }
    }
    bytes
}

/// Most time one case may take.
const CASE_LIMIT: Duration = Duration::from_secs(10);

// ---- Target: review's PDF reader ----------------------------------------------------------

/// A proof PDF reportpress made of the bad-inputs test's good manuscript, with a note on page 1.
fn proof_pdf() -> &'static [u8] {
    static PDF: OnceLock<Vec<u8>> = OnceLock::new();
    PDF.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        common::build_ok(&common::root().join("tests/bad_inputs/good"), &out, "proof");
        let path = out.join("bad-input-proof.pdf");
        let mut document = lopdf::Document::load(&path).unwrap();
        let page = *document.get_pages().values().next().unwrap();
        let note = document.add_object(dictionary! {
            "Type" => "Annot", "Subtype" => "Text", "Rect" => vec![100.into(), 700.into(), 120.into(), 720.into()],
            "Contents" => lopdf::Object::string_literal("请核对"), "T" => lopdf::Object::string_literal("校对"),
        });
        document.get_object_mut(page).unwrap().as_dict_mut().unwrap().set("Annots", vec![lopdf::Object::Reference(note)]);
        let mut bytes = Vec::new();
        document.save_to(&mut bytes).unwrap();
        bytes
    })
}

const PDF_PIECES: &[&str] = &[
    " 0 R ",
    "/W [0 4294967295 500]",
    "beginbfrange <0000> <FFFFFFFF> <0041> endbfrange",
    "/Subtype /Form",
    "/XObject << /F 5 0 R >>",
    "/F Do ",
    "q 1 0 0 1 0 0 cm ",
    "BT /F1 12 Tf (A) Tj ET ",
    "/Length 999999999",
    "/Filter /FlateDecode",
    "/Annots [",
    "/Encrypt",
    "<< >>",
    "[[[[[[[[[[[[[[[[",
    "endobj",
    "stream\n",
    "trailer",
    "startxref\n0\n%%EOF",
    "/Type /Page",
    "/Count 99999999",
];

fn pdf_case(changes: Vec<Mutation>) -> Result<(), TestCaseError> {
    let bytes = mutate(proof_pdf(), &changes);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.pdf");
    std::fs::write(&path, &bytes).unwrap();
    let started = Instant::now();
    if let Ok(pdf) = reportpress::review::annotations::read(&path) {
        let pages: Vec<usize> = (0..pdf.pages.len().min(4)).collect();
        let _ = reportpress::review::pdf_text::characters(&pdf.document, &pages);
    }
    prop_assert!(started.elapsed() < CASE_LIMIT, "took {:?}", started.elapsed());
    Ok(())
}

#[test]
fn review_pdf_reader() {
    run("review_pdf_reader", mutations(PDF_PIECES), 24, false, pdf_case);
}

#[test]
#[ignore = "long fuzz run: FUZZ_SECONDS=600 cargo test --release --test fuzz_readers -- --ignored"]
fn review_pdf_reader_long() {
    run("review_pdf_reader", mutations(PDF_PIECES), 24, true, pdf_case);
}

// ---- Target: the Word import -------------------------------------------------------------

use common::WORD_NAMESPACES as W;

/// The XML parts of a realistic report: a title, numbered headings and items, a footnote,
/// a table.
fn docx_parts() -> Vec<(&'static str, String)> {
    let p = |style: &str, num: &str, text: &str| {
        let style = if style.is_empty() { String::new() } else { format!(r#"<w:pStyle w:val="{style}"/>"#) };
        format!(r#"<w:p><w:pPr>{style}{num}</w:pPr><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>"#)
    };
    let num = |id: u32, level: u32| format!(r#"<w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="{id}"/></w:numPr>"#);
    let cell = |text: &str| format!(r#"<w:tc><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"#);
    let body = [
        p("Title", "", "县域经济年度报告"),
        p("Heading1", &num(1, 0), "总体情况"),
        r#"<w:p><w:r><w:t>全年地区生产总值增长5.2%。</w:t></w:r><w:r><w:footnoteReference w:id="1"/></w:r></w:p>"#.to_string(),
        p("", &num(2, 0), "新开工项目四十个。"),
        p("", &num(2, 0), "竣工项目二十个。"),
        p("Heading1", &num(1, 0), "发展趋势"),
        format!("<w:tbl><w:tr>{}{}</w:tr><w:tr>{}{}</w:tr></w:tbl>", cell("指标"), cell("数值"), cell("生产总值"), cell("205.72")),
        p("", "", "明年经济将保持平稳增长。"),
    ]
    .concat();
    vec![
        ("word/document.xml", format!(r#"<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body>{body}<w:sectPr/></w:body></w:document>"#)),
        (
            "word/numbering.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><w:numbering {W}><w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl></w:abstractNum><w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperLetter"/><w:lvlText w:val="%1."/></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num><w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num></w:numbering>"#
            ),
        ),
        (
            "word/styles.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><w:styles {W}><w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/></w:style><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style></w:styles>"#
            ),
        ),
        (
            "word/footnotes.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><w:footnotes {W}><w:footnote w:id="1"><w:p><w:r><w:t>数据来自统计公报。</w:t></w:r></w:p></w:footnote></w:footnotes>"#
            ),
        ),
    ]
}

const DOCX_PIECES: &[&str] = &[
    "<w:p>",
    "</w:p>",
    "<w:tbl><w:tr><w:tc>",
    "</w:tc></w:tr></w:tbl>",
    r#"<w:gridSpan w:val="4294967295"/>"#,
    r#"<w:vMerge w:val="restart"/>"#,
    r#"<w:start w:val="4294967295"/>"#,
    r#"<w:startOverride w:val="4294967295"/>"#,
    r#"<w:numPr><w:ilvl w:val="8"/><w:numId w:val="2"/></w:numPr>"#,
    r#"<w:footnoteReference w:id="1"/>"#,
    r#"<w:r><w:t>"#,
    "</w:t></w:r>",
    "&amp;",
    "&#0;",
    "&#x1b;",
    "\u{202e}",
    r#"<w:fldSimple w:instr="HYPERLINK &quot;javascript:alert(1)&quot;">"#,
    r#"<w:ins w:id="1" w:author="a">"#,
    "<w:br/>",
];

fn docx_case((part, changes): (usize, Vec<Mutation>)) -> Result<(), TestCaseError> {
    let mut parts: Vec<(&str, Vec<u8>)> = docx_parts().into_iter().map(|(n, x)| (n, x.into_bytes())).collect();
    let part = part % parts.len();
    parts[part].1 = mutate(&parts[part].1, &changes);
    let dir = tempfile::tempdir().unwrap();
    let input: PathBuf = dir.path().join("r.docx");
    std::fs::write(&input, common::docx_bytes(&parts)).unwrap();
    let out = dir.path().join("m");
    let started = Instant::now();
    let options = reportpress::import::ImportOptions { accept_changes: true, extract_numbers: false };
    let result = reportpress::import::import(&input, &out, &options, "2024-01-02");
    prop_assert!(started.elapsed() < CASE_LIMIT, "took {:?}", started.elapsed());
    match result {
        Ok(imported) => {
            prop_assert!(!imported.written.is_empty());
            let written: u64 = imported.written.iter().filter_map(|p| std::fs::metadata(p).ok()).map(|m| m.len()).sum();
            prop_assert!(written < 16 << 20, "the import wrote {written} bytes");
        }
        Err(errors) => prop_assert!(!errors.0.is_empty()),
    }
    Ok(())
}

fn docx_inputs() -> impl Strategy<Value = (usize, Vec<Mutation>)> {
    (0usize..4, mutations(DOCX_PIECES))
}

#[test]
fn docx_import() {
    run("docx_import", docx_inputs(), 48, false, docx_case);
}

#[test]
#[ignore = "long fuzz run: FUZZ_SECONDS=600 cargo test --release --test fuzz_readers -- --ignored"]
fn docx_import_long() {
    run("docx_import", docx_inputs(), 48, true, docx_case);
}

/// The unmutated document imports: the target starts from a real one.
#[test]
fn the_base_document_imports() {
    let parts: Vec<(&str, Vec<u8>)> = docx_parts().into_iter().map(|(n, x)| (n, x.into_bytes())).collect();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("r.docx");
    std::fs::write(&input, common::docx_bytes(&parts)).unwrap();
    let options = reportpress::import::ImportOptions { accept_changes: true, extract_numbers: false };
    let imported = reportpress::import::import(&input, &dir.path().join("m"), &options, "2024-01-02").unwrap();
    let text: String =
        imported.written.iter().filter(|p| p.extension().is_some_and(|e| e == "md" || e == "toml")).map(|p| std::fs::read_to_string(p).unwrap()).collect();
    assert!(text.contains("总体情况") && text.contains("205.72") && text.contains("统计公报"), "{text}");
}
