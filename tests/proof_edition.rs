//! The proof edition: line numbers, a file:line mark on every paragraph, the 校样 watermark
//! and a footer with build date, revision and page count — with exactly the print
//! edition's line breaks, so a correction noted on the proof lands on the right line.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use common::*;

/// Print and proof PDFs of the article, built once.
fn editions() -> &'static (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    static BUILT: OnceLock<(tempfile::TempDir, std::path::PathBuf, std::path::PathBuf)> = OnceLock::new();
    BUILT.get_or_init(|| {
        let out = tempfile::tempdir().unwrap();
        build_ok(&root().join("manuscript"), out.path(), "pdf");
        build_ok(&root().join("manuscript"), out.path(), "proof");
        let print = out.path().join("leiyang-green-transformation.pdf");
        let proof = out.path().join("leiyang-green-transformation-proof.pdf");
        (out, print, proof)
    })
}

/// Visual lines of body text: (page, column, text), from pdftotext's word boxes.
/// Words outside the text block (line numbers, marks, running heads, footers) are dropped.
fn body_lines(pdf: &Path) -> Vec<(usize, usize, String)> {
    let mut lines: BTreeMap<(usize, usize, i64), Vec<(f64, String)>> = BTreeMap::new();
    // The last word placed on each line (page, line) and its column: a word that follows it
    // without a gap continues it across the middle (a caption over both columns, which
    // pdftotext may cut into words anywhere).
    let mut last: BTreeMap<(usize, i64), (f64, usize)> = BTreeMap::new();
    for Word { page, page_width: width, x0, x1, y0, y1, text } in pdf_words(pdf, None) {
        // The text block: 18 mm from the edges of an A4-wide block centred on the page.
        let block_left = (width - 595.2756) / 2.0 + 51.0;
        let block_right = block_left + 493.0;
        let in_block = x0 >= block_left - 1.0 && x0 <= block_right && y0 > 64.0 && y1 < 780.0;
        let is_watermark = y1 - y0 > 40.0 && !text.is_empty() && text.chars().all(|c| c == '校' || c == '样');
        // Text under 8 pt is a chart's labels or a table's notes, not lines of the body: a
        // label may stand level with a line of the other column and be read as part of it.
        let small = y1 - y0 < 8.0;
        if in_block && !is_watermark && !small {
            let y = (y1 * 2.0).round() as i64;
            let column = match last.get(&(page, y)) {
                // (Right after it: a word to its left, read later, is not a continuation.)
                Some(&(end, column)) if (-0.5..1.0).contains(&(x0 - end)) => column,
                _ => usize::from(x0 >= width / 2.0),
            };
            last.insert((page, y), (x1, column));
            lines.entry((page, column, y)).or_default().push((x0, text));
        }
    }
    lines
        .into_iter()
        .map(|((page, column, _), mut words)| {
            words.sort_by(|a, b| a.0.total_cmp(&b.0));
            (page, column, words.into_iter().map(|(_, w)| w).collect::<String>())
        })
        .collect()
}

#[test]
fn proof_breaks_every_line_exactly_as_the_print_edition() {
    let (_, print, proof) = editions();
    let print_lines = body_lines(print);
    let proof_lines = body_lines(proof);
    assert!(print_lines.len() > 300, "too few lines read from the print PDF: {}", print_lines.len());
    assert_eq!(print_lines.len(), proof_lines.len(), "the proof has a different number of lines");
    for (a, b) in print_lines.iter().zip(&proof_lines) {
        assert_eq!(a, b, "line differs between print and proof");
    }
}

#[test]
fn paragraph_marks_point_at_the_manuscript_line_where_the_paragraph_starts() {
    let (_, _, proof) = editions();
    let text = tool("pdftotext", &["-raw", "-enc", "UTF-8", proof.to_str().unwrap(), "-"]);
    let lines: Vec<&str> = text.lines().collect();
    let mut checked = 0;
    for (index, line) in lines.iter().enumerate() {
        let Some((file, number)) = line.trim().rsplit_once(".md:").map(|(f, n)| (format!("{f}.md"), n)) else { continue };
        let Ok(number) = number.parse::<usize>() else { continue };
        let source = std::fs::read_to_string(root().join("manuscript").join(&file)).unwrap_or_else(|_| panic!("mark names {file}, which does not exist"));
        let source_line = source.lines().nth(number - 1).unwrap_or_else(|| panic!("{file} has no line {number}"));
        // The paragraph's first words as written: Markdown bold markers removed, up to the first reference.
        let written: String = source_line.replace("**", "").split("{{").next().unwrap_or("").chars().take(6).collect();
        let following = squeeze(&lines[index + 1..(index + 4).min(lines.len())].concat());
        assert!(!written.is_empty(), "{file}:{number} is empty");
        assert!(
            following.starts_with(&squeeze(&written)),
            "mark {file}:{number}: manuscript line starts «{written}», the proof «{}»",
            following.chars().take(12).collect::<String>()
        );
        checked += 1;
    }
    assert!(checked > 30, "only {checked} paragraph marks found in the proof");
}

#[test]
fn proof_has_watermark_line_numbers_and_footer() {
    let (_, _, proof) = editions();
    let text = tool("pdftotext", &["-raw", "-enc", "UTF-8", proof.to_str().unwrap(), "-"]);
    let pages = tool("pdfinfo", &[proof.to_str().unwrap()]).lines().find(|l| l.starts_with("Pages:")).unwrap().split_whitespace().last().unwrap().to_string();
    assert!(squeeze(&text).contains("校样"), "no 校样 watermark");
    assert!(text.contains(&format!("PDF 共 {pages} 页")), "footer lacks the page count {pages}");
    assert!(text.contains("生成于"), "footer lacks the build date");
    assert!(text.contains("版本"), "footer lacks the revision");
    // Line numbers: on page 1 the numbers 1..10 appear as separate words.
    let first_page = tool("pdftotext", &["-f", "1", "-l", "1", "-raw", proof.to_str().unwrap(), "-"]);
    for n in 1..=10 {
        assert!(first_page.lines().any(|l| l.trim() == n.to_string()), "line number {n} missing on page 1");
    }
}

#[test]
fn line_numbers_count_lines_of_text_and_skip_charts() {
    // Chart labels are text set by Typst, but they are part of a picture: the proof numbers
    // no line beside a chart (tests/layout/chart_labels.py --proof), and its labels sit
    // where the chart's layout put them, as in print.
    let dir = tempfile::tempdir().unwrap();
    let emitted = dir.path().join("emitted");
    let output = reportpress(&[
        "build",
        "--format",
        "proof",
        "--manuscript",
        root().join("manuscript").to_str().unwrap(),
        "--out",
        dir.path().to_str().unwrap(),
        "--emit-typst",
        emitted.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let check = std::process::Command::new(python())
        .arg(root().join("tests/layout/chart_labels.py"))
        .arg("--proof")
        .arg(emitted.join("document.json"))
        .arg(dir.path().join("leiyang-green-transformation-proof.pdf"))
        .output()
        .expect("python3 runs (make test-tools installs pdfplumber)");
    let report = String::from_utf8_lossy(&check.stdout);
    assert!(check.status.success(), "{report}{}", String::from_utf8_lossy(&check.stderr));
}

#[test]
fn a_proof_of_a_hostile_repository_runs_none_of_its_programs() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = dir.path().join("m");
    write_manuscript(&manuscript, "hostile", &[("text/a.md", "# 一\n\n正文。\n")]);
    git(&manuscript, &["init", "-q"]);
    git(&manuscript, &["add", "."]);
    git(&manuscript, &["commit", "-q", "-m", "start"]);
    // What a stranger's repository can make git run: a file-system monitor, a clean filter
    // for every file, hooks.
    let pwned = dir.path().join("pwned");
    let command = format!("touch {}", pwned.display());
    git(&manuscript, &["config", "core.fsmonitor", &command]);
    git(&manuscript, &["config", "filter.evil.clean", &command]);
    git(&manuscript, &["config", "core.hooksPath", "hooks"]);
    std::fs::write(manuscript.join(".gitattributes"), "* filter=evil\n").unwrap();
    let out = dir.path().join("out");
    build_ok(&manuscript, &out, "proof");
    assert!(!pwned.exists(), "building the proof ran a program the manuscript's repository names");
    // The proof still names the revision, changed (the new .gitattributes is not committed).
    let text = tool("pdftotext", &["-raw", "-enc", "UTF-8", out.join("hostile-proof.pdf").to_str().unwrap(), "-"]);
    assert!(text.contains("+修改"), "{text}");
    // Committed and unchanged: the plain revision.
    std::fs::remove_file(manuscript.join(".gitattributes")).unwrap();
    git(&manuscript, &["-c", "core.fsmonitor=false", "commit", "-q", "--allow-empty", "-m", "again"]);
    build_ok(&manuscript, &out, "proof");
    let text = tool("pdftotext", &["-raw", "-enc", "UTF-8", out.join("hostile-proof.pdf").to_str().unwrap(), "-"]);
    assert!(!text.contains("+修改") && text.contains("版本"), "{text}");
    assert!(!pwned.exists());
}

/// The text runs that have a dotted underline drawn under them on page 1 (pdfplumber: a
/// dashed horizontal segment just below the glyphs), joined per segment.
fn underlined_on_first_page(pdf: &Path) -> Vec<String> {
    let script = r#"
import sys, pdfplumber
page = pdfplumber.open(sys.argv[1]).pages[0]
segments = [o for o in page.lines + page.curves + page.rects if o.get("dash") and abs(o["top"] - o["bottom"]) < 1.5 and o["x1"] - o["x0"] > 3]
for s in segments:
    chars = [c for c in page.chars if c["x0"] >= s["x0"] - 1 and c["x1"] <= s["x1"] + 1 and 0 <= s["top"] - c["bottom"] < 4]
    print("".join(c["text"] for c in chars))
"#;
    let output = std::process::Command::new(python()).args(["-c", script, pdf.to_str().unwrap()]).output().expect("python runs (pdfplumber: make test-tools)");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).lines().filter(|l| !l.is_empty()).map(str::to_string).collect()
}

#[test]
fn numbers_from_data_are_underlined_in_the_proof_only() {
    let (_, print, proof) = editions();
    // The article's first paragraphs quote its data tables: 1,500多亿元 … (from {{…}}).
    let marked = underlined_on_first_page(proof);
    assert!(!marked.is_empty(), "no number from data is marked on the proof's first page");
    let text = squeeze(&tool("pdftotext", &["-f", "1", "-l", "1", proof.to_str().unwrap(), "-"]));
    for number in &marked {
        assert!(number.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '-' | '—')), "only numbers are marked, not «{number}»");
        assert!(text.contains(number.as_str()), "{number} is on the page");
    }
    assert!(underlined_on_first_page(print).is_empty(), "the print edition marks nothing");
}

/// The XMP of a PDF: its PDF/A part and conformance and its PDF/UA part.
fn conformance(pdf: &Path) -> (String, String, String) {
    let document = lopdf::Document::load(pdf).unwrap();
    let catalog = document.catalog().unwrap();
    let metadata = catalog.get(b"Metadata").and_then(lopdf::Object::as_reference).unwrap();
    let stream = document.get_object(metadata).and_then(lopdf::Object::as_stream).unwrap();
    let xmp = String::from_utf8(stream.decompressed_content().unwrap_or_else(|_| stream.content.clone())).unwrap();
    let field = |name: &str| {
        let at = xmp.find(&format!("{name}>")).or_else(|| xmp.find(&format!("{name}=\""))).unwrap_or_else(|| panic!("no {name} in the XMP"));
        xmp[at + name.len() + 1..].chars().skip_while(|c| *c == '"').take_while(|c| c.is_ascii_alphanumeric()).collect::<String>()
    };
    (field("pdfaid:part"), field("pdfaid:conformance"), field("pdfuaid:part"))
}

#[test]
fn the_proof_carries_the_manuscript_it_shows_and_the_print_edition_nothing() {
    let (_, print, proof) = editions();
    // The print edition stays PDF/A-2a + PDF/UA-1 and carries no file.
    assert_eq!(conformance(print), ("2".to_string(), "A".to_string(), "1".to_string()));
    let document = lopdf::Document::load(print).unwrap();
    assert!(reportpress::snapshot::Snapshot::from_pdf(&document).unwrap().is_none(), "the print edition carries a snapshot");
    assert!(!document.objects.values().any(|o| o.as_dict().is_ok_and(|d| d.has(b"EF"))), "the print edition has an embedded file");
    // The proof is PDF/A-3a (which allows it) + PDF/UA-1, and carries every text file of the
    // manuscript exactly as it was, with the revision its footer prints.
    assert_eq!(conformance(proof), ("3".to_string(), "A".to_string(), "1".to_string()));
    let document = lopdf::Document::load(proof).unwrap();
    let snapshot = reportpress::snapshot::Snapshot::from_pdf(&document).unwrap().expect("the proof carries its manuscript");
    let manuscript = root().join("manuscript");
    let mut text_files = 0;
    for file in &snapshot.files {
        let on_disk = std::fs::read(manuscript.join(&file.path)).unwrap();
        if let Some(text) = &file.text {
            assert_eq!(text.as_bytes(), on_disk.as_slice(), "{} differs from the manuscript", file.path);
            text_files += 1;
        }
    }
    assert!(snapshot.files.iter().any(|f| f.path == "report.toml") && text_files >= 3, "{:?}", snapshot.files.iter().map(|f| &f.path).collect::<Vec<_>>());
    let footer: String = tool("pdftotext", &["-f", "1", "-l", "1", proof.to_str().unwrap(), "-"]).split_whitespace().collect();
    assert!(footer.contains(&format!("版本{}", snapshot.revision.replace(' ', ""))), "the snapshot's revision {} is not the footer's", snapshot.revision);
}

#[test]
fn the_proof_footer_is_one_line_in_every_design() {
    // The report and book designs used to run 版本 … into the folio and wrap the hash.
    let dir = tempfile::tempdir().unwrap();
    for design in ["magazine", "report", "book"] {
        let out = dir.path().join(design);
        let output = reportpress(&[
            "build",
            "--format",
            "proof",
            "--design",
            design,
            "--manuscript",
            root().join("tests/manuscripts/bulletin").to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(output.status.success(), "{design}: {}", String::from_utf8_lossy(&output.stderr));
        let proof = out.join("bulletin-proof.pdf");
        let words = pdf_words(&proof, None);
        let pages = words.iter().map(|w| w.page).max().unwrap_or(0);
        let mut footers = 0;
        for page in 1..=pages {
            // The footer: the words from 校样 (its first) to 页 of `PDF 共 N 页` (its last). A
            // cover, or a blank verso, has none.
            let on_page: Vec<_> = words.iter().filter(|w| w.page == page).collect();
            let Some(start) = on_page.iter().rev().find(|w| w.text.starts_with("校样") && w.y1 - w.y0 < 20.0) else { continue };
            footers += 1;
            let footer: Vec<_> = on_page.iter().filter(|w| (w.y1 - start.y1).abs() < 1.0).collect();
            let text: String = footer.iter().map(|w| w.text.as_str()).collect();
            assert!(text.contains("版本") && text.contains("页") && text.contains("PDF共"), "{design} page {page}: the footer's line is «{text}»");
            // Nothing of it on a second line just below.
            let below = on_page.iter().filter(|w| w.y0 > start.y1 + 0.5 && w.y0 < start.y1 + 12.0 && w.y1 - w.y0 < 12.0).count();
            assert_eq!(below, 0, "{design} page {page}: the footer wraps onto a second line");
            // The three parts do not run into each other.
            let mut sorted = footer.clone();
            sorted.sort_by(|a, b| a.x0.total_cmp(&b.x0));
            for pair in sorted.windows(2) {
                assert!(pair[1].x0 >= pair[0].x1 - 0.5, "{design} page {page}: «{}» runs into «{}»", pair[0].text, pair[1].text);
            }
        }
        assert!(footers + 2 >= pages, "{design}: only {footers} of {pages} pages have the proof footer");
    }
}
