//! The EPUB as readers meet it, for every test manuscript in every design (magazine, report,
//! book): DAISY Ace (the accessibility checker publishers use) finds no critical or serious
//! violation, and every document — content, navigation, cover — opened in headless Chromium
//! at phone and tablet widths in a day and a night theme (tests/readers/check_pages.cjs):
//! - keeps tables on the screen (a table too wide for a phone reflows), their notes under
//!   their left edge, text and rules legible;
//! - draws every glyph in an embedded face (Chromium's record of the fonts it used shows any
//!   text that fell back to a system font: a character missing from a subset);
//! - breaks table headings, row keys, cells and the subtitle only between words, never
//!   leaving one character alone on a line;
//! - draws charts for the reading width: text at 11 px or more on a 360 px phone, data at
//!   3:1 or more against the page by day and night, gridlines clear of the text.
//!
//! The dash `——` is drawn joined, and calibre (the converter Kindle readers use) reads the
//! title as the book prints it and converts the EPUB to AZW3 and MOBI keeping the heading
//! colours, without CSS warnings, and with charts as legible bitmaps.
//!
//! Needs Node.js, Debian's `chromium`, `@daisy/ace`, `puppeteer-core` and calibre (`make
//! test-tools` installs them).

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::*;

/// The article (`manuscript/`) and every test manuscript under `tests/manuscripts/`, each with
/// the output name its `report.toml` gives its edition.
fn manuscripts() -> Vec<(String, String)> {
    let mut dirs = vec!["manuscript".to_string()];
    let mut tests: Vec<String> = std::fs::read_dir(root().join("tests/manuscripts"))
        .expect("tests/manuscripts")
        .flatten()
        .filter(|entry| entry.path().join("report.toml").is_file())
        .map(|entry| format!("tests/manuscripts/{}", entry.file_name().to_string_lossy()))
        .collect();
    tests.sort();
    dirs.extend(tests);
    dirs.into_iter()
        .map(|dir| {
            let config: toml::Value = toml::from_str(&std::fs::read_to_string(root().join(&dir).join("report.toml")).unwrap()).unwrap();
            let output = config["output"].as_str().unwrap_or_else(|| panic!("{dir}/report.toml names no output")).to_string();
            (dir, output)
        })
        .collect()
}

/// The built-in designs.
const DESIGNS: [&str; 3] = ["magazine", "report", "book"];

/// One EPUB edition: which manuscript in which design, and where it is.
struct Edition {
    manuscript: String,
    design: &'static str,
    epub: PathBuf,
}

/// Every test manuscript's EPUB in every design, built once per run.
fn editions() -> &'static (tempfile::TempDir, Vec<Edition>) {
    static BUILT: OnceLock<(tempfile::TempDir, Vec<Edition>)> = OnceLock::new();
    BUILT.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let mut editions = Vec::new();
        for (manuscript, output) in manuscripts() {
            for design in DESIGNS {
                let out = dir.path().join(format!("{}-{design}", output));
                let built = reportpress(&[
                    "build",
                    "--format",
                    "epub",
                    "--design",
                    design,
                    "--manuscript",
                    root().join(&manuscript).to_str().unwrap(),
                    "--out",
                    out.to_str().unwrap(),
                ]);
                assert!(built.status.success(), "{manuscript} in {design}: {}", String::from_utf8_lossy(&built.stderr));
                editions.push(Edition { manuscript: manuscript.clone(), design, epub: out.join(format!("{output}.epub")) });
            }
        }
        (dir, editions)
    })
}

/// Where `npm install -g` puts packages (for `require` in the page checker).
fn node_path() -> String {
    let output = Command::new("npm").args(["root", "-g"]).output().expect("npm runs (make test-tools installs Node.js packages)");
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

fn chromium() -> &'static str {
    "/usr/bin/chromium"
}

/// An edition unpacked into a temporary directory.
fn unpack(epub: &Path) -> tempfile::TempDir {
    let unpacked = tempfile::tempdir().unwrap();
    for (name, bytes) in zip_entries(epub) {
        let path = unpacked.path().join(&name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    unpacked
}

#[test]
fn ace_finds_no_critical_or_serious_violation() {
    // One design per manuscript (each in another design): Ace takes a while per book.
    let one_each = editions().1.iter().enumerate().filter(|(i, _)| i % DESIGNS.len() == (i / DESIGNS.len()) % DESIGNS.len());
    for edition in one_each.map(|(_, edition)| edition) {
        let epub = &edition.epub;
        let report = tempfile::tempdir().unwrap();
        let output = Command::new("ace-puppeteer")
            .args(["--silent", "--outdir"])
            .arg(report.path())
            .arg(epub)
            .env("PUPPETEER_EXECUTABLE_PATH", chromium())
            .output()
            .expect("ace-puppeteer runs (make test-tools installs @daisy/ace)");
        assert!(output.status.success(), "Ace failed on {}: {}", epub.display(), String::from_utf8_lossy(&output.stderr));
        let report: serde_json::Value = serde_json::from_slice(&std::fs::read(report.path().join("report.json")).unwrap()).unwrap();
        let mut serious = Vec::new();
        for document in report["assertions"].as_array().into_iter().flatten() {
            for assertion in document["assertions"].as_array().into_iter().flatten() {
                let impact = assertion["earl:test"]["earl:impact"].as_str().unwrap_or("");
                if matches!(impact, "critical" | "serious") {
                    serious.push(format!("{impact}: {} in {}", assertion["earl:test"]["dct:title"], document["earl:testSubject"]["url"]));
                }
            }
        }
        assert!(serious.is_empty(), "Ace on {} ({}):\n{}", edition.manuscript, edition.design, serious.join("\n"));
    }
}

/// What the page checker found in a directory of XHTML documents.
struct Checked {
    problems: Vec<serde_json::Value>,
    /// Every run of table-cell (or subtitle) text drawn on more than one line, with its lines.
    cells: Vec<serde_json::Value>,
}

/// Runs the page checker on the documents in `dir`.
fn check_pages(dir: &Path) -> Checked {
    let output = Command::new("node")
        .arg(root().join("tests/readers/check_pages.cjs"))
        .arg(dir)
        .env("NODE_PATH", node_path())
        .env("PUPPETEER_EXECUTABLE_PATH", chromium())
        .output()
        .expect("node runs");
    assert!(output.status.success(), "the page checker failed: {}", String::from_utf8_lossy(&output.stderr));
    let mut found: serde_json::Value = serde_json::from_slice(&output.stdout).expect("the checker prints JSON");
    let list = |value: &mut serde_json::Value| value.as_array_mut().map(std::mem::take).unwrap_or_default();
    Checked { problems: list(&mut found["problems"]), cells: list(&mut found["cells"]) }
}

/// The page checker's findings on every edition, checked once per run.
fn checked() -> &'static Vec<(&'static Edition, Checked)> {
    static CHECKED: OnceLock<Vec<(&'static Edition, Checked)>> = OnceLock::new();
    CHECKED.get_or_init(|| {
        editions()
            .1
            .iter()
            .map(|edition| {
                let unpacked = unpack(&edition.epub);
                (edition, check_pages(&unpacked.path().join("OEBPS")))
            })
            .collect()
    })
}

/// The problems of `kinds` (all kinds when empty) the checker found, as readable lines.
fn problems_of(kinds: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for (edition, checked) in checked() {
        for problem in &checked.problems {
            let kind = problem["kind"].as_str().unwrap_or("");
            if kinds.is_empty() || kinds.contains(&kind) {
                found.push(format!("{} in {}: {problem}", edition.manuscript, edition.design));
            }
        }
    }
    found
}

#[test]
fn pages_keep_tables_on_phone_screens_and_text_legible_by_day_and_night() {
    let found = problems_of(&[
        "page wider than the screen",
        "table wider than the screen outside a scrolling block",
        "table scrolls sideways with its caption cut",
        "text contrast under 4.5:1",
        "table rule contrast under 3:1",
        "table note not aligned with its table",
    ]);
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn every_character_is_drawn_in_an_embedded_face_in_every_document_and_the_navigation() {
    let found = problems_of(&["text in a font the book does not embed"]);
    assert!(found.is_empty(), "{}", found.join("\n"));
    // The navigation was among the documents checked (its title is set in the bold headings face).
    let unpacked = unpack(&editions().1[0].epub);
    assert!(unpacked.path().join("OEBPS/nav.xhtml").exists() && unpacked.path().join("OEBPS/cover.xhtml").exists());
}

#[test]
fn charts_are_drawn_for_the_reading_width_and_legible_by_day_and_night() {
    let found = problems_of(&["chart text under 11 px", "chart data contrast under 3:1", "gridline crosses chart text"]);
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// Where a text may break, by its word cut: the character offsets between two words.
fn word_boundaries(text: &str, own_words: &[String]) -> BTreeSet<usize> {
    let mut boundaries = BTreeSet::new();
    let mut at = 0;
    for word in reportpress::manuscript::display::words(text, own_words) {
        at += word.chars().count();
        boundaries.insert(at);
    }
    boundaries
}

#[test]
fn table_cells_and_the_subtitle_break_only_between_words_never_leaving_one_character_alone() {
    let mut found = Vec::new();
    for (edition, checked) in checked() {
        let own_words = reportpress::manuscript::display::own_words(&root().join(&edition.manuscript));
        for cell in &checked.cells {
            let lines: Vec<String> = cell["lines"].as_array().into_iter().flatten().filter_map(|l| l.as_str()).map(str::to_string).collect();
            // The text as drawn, without the line ends' spaces (a break at a space is between words).
            let text: String = lines.concat();
            let boundaries = word_boundaries(&text, &own_words);
            let mut at = 0;
            for (index, line) in lines.iter().enumerate() {
                at += line.chars().count();
                let alone = line.trim().chars().count() == 1 && text.trim().chars().count() > 1;
                let inside_word = index + 1 < lines.len() && !boundaries.contains(&at) && !line.ends_with(' ') && !lines[index + 1].starts_with(' ');
                if alone || inside_word {
                    found.push(format!(
                        "{} in {} at {} px, {} {}: {}",
                        edition.manuscript,
                        edition.design,
                        cell["width"],
                        cell["file"].as_str().unwrap_or(""),
                        cell["element"].as_str().unwrap_or(""),
                        lines.join(" | ")
                    ));
                    break;
                }
            }
        }
    }
    assert!(found.is_empty(), "cells broken inside a word or leaving a character alone:\n{}", found.join("\n"));
}

#[test]
fn the_page_checker_catches_a_bad_page() {
    let checked = check_pages(&root().join("tests/readers/bad"));
    let kinds: BTreeSet<&str> = checked.problems.iter().filter_map(|p| p["kind"].as_str()).collect();
    for kind in [
        "text contrast under 4.5:1",
        "table rule contrast under 3:1",
        "table wider than the screen outside a scrolling block",
        "page wider than the screen",
        "table note not aligned with its table",
        "table scrolls sideways with its caption cut",
        "text in a font the book does not embed",
        "chart text under 11 px",
        "chart data contrast under 3:1",
        "gridline crosses chart text",
    ] {
        assert!(kinds.contains(kind), "the checker missed `{kind}`: {kinds:?}");
    }
    // The cell broken one character per line is recorded with its lines.
    let broken = checked.cells.iter().find(|c| c["element"] == "td.narrow").expect("the narrow cell's lines are recorded");
    let lines: Vec<&str> = broken["lines"].as_array().unwrap().iter().filter_map(|l| l.as_str()).collect();
    assert_eq!(lines, ["单", "位"], "{broken}");
}

/// The drawn text of every XHTML document of an EPUB (the body, without markup).
fn drawn_text(epub: &Path) -> String {
    zip_entries(epub).iter().filter(|(name, _)| name.ends_with(".xhtml")).map(|(_, bytes)| xhtml_reading_text(&String::from_utf8_lossy(bytes))).collect()
}

#[test]
fn the_chinese_dash_is_drawn_joined() {
    for edition in &editions().1 {
        let entries = zip_entries(&edition.epub);
        // How wide a gap the embedded faces leave between two em dashes (in 1/1000 em).
        let mut gaps = Vec::new();
        for (name, bytes) in entries.iter().filter(|(name, _)| name.ends_with(".otf")) {
            let face = ttf_parser::Face::parse(bytes, 0).unwrap_or_else(|e| panic!("{name}: {e}"));
            if let Some(glyph) = face.glyph_index('\u{2014}') {
                let advance = f64::from(face.glyph_hor_advance(glyph).unwrap_or(0));
                let ink = face.glyph_bounding_box(glyph).expect("the em dash has ink");
                let gap = (advance - f64::from(ink.x_max) + f64::from(ink.x_min)) * 1000.0 / f64::from(face.units_per_em());
                gaps.push((name.clone(), gap));
            }
        }
        let text = drawn_text(&edition.epub);
        if text.contains("\u{2014}\u{2014}") {
            let gapped: Vec<_> = gaps.iter().filter(|(_, gap)| *gap > 10.0).collect();
            assert!(
                gapped.is_empty(),
                "{} in {}: `——` is drawn as two em dashes, which these faces draw with a gap: {gapped:?}",
                edition.manuscript,
                edition.design
            );
        }
    }
    // The article's subtitle follows its dash.
    let article = drawn_text(&editions().1[0].epub);
    assert!(article.contains("\u{2E3A}湖南耒阳市"), "the subtitle's dash is not the two-em dash");
}

/// How many charts (inline SVG) the content documents of `epub` hold.
fn drawn_charts(epub: &Path) -> usize {
    zip_entries(epub).iter().filter(|(name, _)| name.ends_with(".xhtml")).map(|(_, bytes)| String::from_utf8_lossy(bytes).matches("<svg ").count()).sum()
}

/// Whether calibre's command-line tools are installed; tests that need them say so when not.
fn calibre() -> bool {
    let found = Command::new("ebook-convert").arg("--version").output().is_ok();
    if !found {
        eprintln!("skipped: calibre is not installed (apt-get install calibre; make test-tools does)");
    }
    found
}

#[test]
fn calibre_finds_the_cover_and_the_title_with_the_designs_dash() {
    if !calibre() {
        return;
    }
    let epub = &editions().1[0].epub;
    let dir = tempfile::tempdir().unwrap();
    let cover = dir.path().join("cover.png");
    let output = Command::new("ebook-meta").arg(epub).arg("--get-cover").arg(&cover).output().expect("ebook-meta runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(said.contains("Cover saved to"), "calibre found no cover:\n{said}");
    let bytes = std::fs::read(&cover).expect("the cover was saved");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 10_000, "not the title page's PNG");
    let title = said.lines().find_map(|line| line.strip_prefix("Title")).map(|rest| rest.trim_start_matches([' ', ':']).trim()).unwrap_or("");
    assert_eq!(title, "红色耒阳 绿色转型——湖南耒阳市推动资源枯竭城市转型高质量发展纪实", "calibre reads the title as:\n{said}");
}

/// Converts `epub` with calibre into `format` (`azw3`, `mobi`), keeping its pipeline's last
/// stage (the book as calibre writes it out) in a directory; returns the converter's log and
/// that directory.
fn convert(epub: &Path, format: &str, dir: &Path) -> (String, PathBuf) {
    let target = dir.join(format!("book.{format}"));
    let stages = dir.join(format!("{format}-pipeline"));
    let output = Command::new("ebook-convert").arg(epub).arg(&target).arg("--debug-pipeline").arg(&stages).output().expect("ebook-convert runs");
    let log = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "ebook-convert to {format} failed:\n{log}");
    (log, stages.join("processed"))
}

/// Every file under `dir` whose name ends with `suffix`.
fn files_under(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_under(&path, suffix));
        } else if path.to_string_lossy().ends_with(suffix) {
            found.push(path);
        }
    }
    found
}

#[test]
fn calibre_converts_to_kindle_formats_keeping_colours_and_charts_legible() {
    if !calibre() {
        return;
    }
    // The article in the report design (navy headings) and the quarterly in the book design.
    for edition in editions().1.iter().filter(|e| {
        (e.manuscript.as_str(), e.design) == ("manuscript", "report") || (e.manuscript.as_str(), e.design) == ("tests/manuscripts/quarterly", "book")
    }) {
        let dir = tempfile::tempdir().unwrap();
        // The design's accent (both read at 7:1 on white as written, so the EPUB keeps them).
        let design: toml::Value = toml::from_str(&std::fs::read_to_string(root().join("assets").join(edition.design).join("design.toml")).unwrap()).unwrap();
        let accent = design["layout"]["accent"].as_str().expect("the design has an accent").to_string();
        for format in ["azw3", "mobi"] {
            let (log, processed) = convert(&edition.epub, format, dir.path());
            // calibre's CSS parser (cssutils) reports what it cannot read as `CSSStyleRule: …`,
            // `CSSStylesheet: …`, `CSSStyleDeclaration: …` and drops it.
            let warnings: Vec<&str> =
                log.lines().filter(|line| line.split(':').next().is_some_and(|head| head.starts_with("CSS") && !head.contains(' '))).collect();
            assert!(
                warnings.is_empty(),
                "{} in {}: calibre warns about the CSS when converting to {format}:\n{}",
                edition.manuscript,
                edition.design,
                warnings.join("\n")
            );
            // calibre flattens the stylesheets into one: the headings keep the accent colour.
            let css: String = files_under(&processed, ".css").iter().map(|path| std::fs::read_to_string(path).unwrap_or_default()).collect();
            assert!(
                css.to_lowercase().contains(&format!("color: {}", accent.to_lowercase())),
                "{} in {}: the accent {accent} is lost in {format}:\n{css}",
                edition.manuscript,
                edition.design
            );
            assert!(!css.contains("var(--"), "custom properties left for a Kindle reader in {format}");
            if format == "mobi" && edition.manuscript == "manuscript" {
                // MOBI has no SVG: calibre draws each chart as a bitmap (and says how large), which
                // must be sharp.
                let widths: Vec<u32> = log
                    .lines()
                    .filter_map(|line| line.split("Rasterizing SVG to ").nth(1))
                    .filter_map(|size| size.split(" x ").next()?.trim().parse().ok())
                    .collect();
                let charts = drawn_charts(&edition.epub);
                assert_eq!(widths.len(), charts, "calibre drew {} of the {charts} charts as bitmaps:\n{log}", widths.len());
                assert!(widths.iter().all(|&w| w >= 1000), "chart bitmaps in the MOBI are {widths:?} px wide");
            }
        }
    }
}
