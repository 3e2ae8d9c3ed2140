//! `make bench`: wall time per stage and peak memory of whole builds, for the article and
//! for generated books (the article repeated as chapters to about 75, 150 and 300 pages, and
//! once as ~300 pages of text without page breaks),
//! plus the ratio of the whole PDF build to Typst's own compile + export stages, linear
//! scaling, watch mode on the largest book (edit saved → new PDF), `preview` beside `watch`
//! and Typst's own incremental compile on the largest book and the article
//! (`build/preview.rs`), and a comparison with Pandoc's EPUB writer when `pandoc` is installed.
//!
//! Every figure is the median of several runs of the release binary in a fresh process
//! (`reportpress build --timings`), so fonts, caches and memory are measured as a user
//! meets them. Nothing here asserts a time: it prints figures.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const RUNS: usize = 5;

#[path = "build/preview.rs"]
mod preview;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let work = tempfile::tempdir().expect("temp dir");
    println!("reportpress benchmark — medians of {RUNS} runs, {} cores", std::thread::available_parallelism().map_or(1, |n| n.get()));
    println!();

    let article = root.join("manuscript");
    // `REPORTPRESS_BENCH=preview make bench`: only preview / watch / Typst side by side.
    if std::env::var("REPORTPRESS_BENCH").is_ok_and(|v| v == "preview") {
        let pages = run_once(&article, &work.path().join("out-probe"), "pdf").pages.max(1);
        let book = work.path().join("book-300");
        repeat_manuscript(&article, &book, 300usize.div_ceil(pages), Breaks::Chapters);
        preview::side_by_side("book ~300 pages", &book, work.path());
        preview::side_by_side("article", &article, work.path());
        return;
    }
    let article_pdf = scenario("article", &article, work.path(), &["pdf", "epub", "all"]);

    // Long manuscripts: books whose chapters are copies of the article, each beginning on a
    // new page (`new_page` in report.toml), at about 75, 150 and 300 pages. Their runs take
    // turns (75, 150, 300, 75, …), so a change in the machine's speed during the benchmark
    // touches every size alike and the scaling ratios stay fair.
    let pages_per_copy = article_pdf.pages.max(1);
    let books: Vec<(usize, String, PathBuf)> = [75usize, 150, 300]
        .into_iter()
        .map(|target| {
            let copies = target.div_ceil(pages_per_copy);
            let dir = work.path().join(format!("book-{target}"));
            repeat_manuscript(&article, &dir, copies, Breaks::Chapters);
            (target, format!("book ~{target} pages ({copies} chapters)"), dir)
        })
        .collect();
    let mut samples: Vec<Vec<Sample>> = books.iter().map(|_| Vec::new()).collect();
    for _ in 0..RUNS {
        for ((_, _, dir), taken) in books.iter().zip(&mut samples) {
            taken.push(run_once(dir, &work.path().join("out-books"), "pdf"));
        }
    }
    let long: Vec<(usize, Figures)> = books
        .iter()
        .zip(samples)
        .map(|((target, name, dir), taken)| {
            println!("== {name}");
            let figures = report("pdf", taken);
            typst_comparison(dir, work.path(), figures.wall_ms);
            println!();
            (*target, figures)
        })
        .collect();
    // The same text run on without page breaks: one flow of columns and floats from the first
    // page to the last, which Typst cannot lay out in parallel.
    let flowing = {
        let probe = work.path().join("flow-probe");
        repeat_manuscript(&article, &probe, 11, Breaks::None);
        let probe_pages = scenario("flowing text, probe (11 copies, no page breaks)", &probe, work.path(), &["pdf"]).pages.max(1);
        let copies = (300usize * 11).div_ceil(probe_pages);
        let dir = work.path().join("flow-300");
        repeat_manuscript(&article, &dir, copies, Breaks::None);
        scenario(&format!("flowing text ~300 pages ({copies} copies, no page breaks)"), &dir, work.path(), &["pdf"])
    };

    println!("== scaling (PDF build, median wall time)");
    for pair in long.windows(2) {
        let (n, a) = &pair[0];
        let (m, b) = &pair[1];
        println!(
            "time({} pages) / time({} pages) = {:.2}  [{} → {} pages, {:.0} → {:.0} ms]",
            b.pages,
            a.pages,
            b.wall_ms / a.wall_ms,
            n,
            m,
            a.wall_ms,
            b.wall_ms
        );
    }
    if let Some((_, largest)) = long.last() {
        println!("largest book: {} pages in {:.0} ms, peak {:.0} MiB", largest.pages, largest.wall_ms, largest.peak_mib);
    }
    println!("flowing text: {} pages in {:.0} ms, peak {:.0} MiB", flowing.pages, flowing.wall_ms, flowing.peak_mib);
    println!();
    if let Some((_, _, largest_book)) = books.last() {
        watch_edits(largest_book, work.path());
        preview::side_by_side("largest book", largest_book, work.path());
    }
    preview::side_by_side("article", &article, work.path());
    pandoc_comparison(&article, work.path());
}

/// Watch mode on the largest book: one process, a first build, then one-paragraph edits;
/// each figure is the time from saving the edit to the new PDF being written, read from the
/// PDF's modification, and the rebuild time the process reports.
fn watch_edits(book: &Path, work: &Path) {
    use std::io::{BufRead, BufReader};
    println!("== watch: one-paragraph edits of the largest book (PDF)");
    let out = work.join("out-watch");
    let mut child = Command::new(env!("CARGO_BIN_EXE_reportpress"))
        .args(["watch", "--format", "pdf", "--manuscript"])
        .arg(book)
        .arg("--out")
        .arg(&out)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start reportpress watch");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut next_rebuild = || -> Option<f64> {
        for line in lines.by_ref() {
            let line = line.ok()?;
            if let Some(rest) = line.strip_prefix("rebuilt in ") {
                return rest.trim_end_matches(" ms").parse().ok();
            }
        }
        None
    };
    let started = Instant::now();
    let first = next_rebuild();
    println!("  first build: {:.0} ms (reported {:.0} ms)", started.elapsed().as_secs_f64() * 1000.0, first.unwrap_or(f64::NAN));
    let config: toml::Value = toml::from_str(&std::fs::read_to_string(book.join("report.toml")).expect("report.toml")).expect("valid report.toml");
    let files = config["files"].as_array().expect("files");
    let middle = book.join(files[files.len() / 2].as_str().expect("file name"));
    let original = std::fs::read_to_string(&middle).expect("text file");
    let pdf = std::fs::read_dir(&out)
        .expect("output")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|e| e == "pdf"))
        .expect("the first build wrote a PDF");
    let (mut seen, mut reported) = (Vec::new(), Vec::new());
    for edit in 0..RUNS + 2 {
        // A different word in the first paragraph each time: the text changes, the pages do not.
        let edited = original.replacen('。', &format!("（{edit}）。"), 1);
        let before = std::fs::metadata(&pdf).and_then(|m| m.modified()).ok();
        std::thread::sleep(std::time::Duration::from_millis(300));
        let saved = Instant::now();
        std::fs::write(&middle, edited).expect("edit");
        let Some(rebuild) = next_rebuild() else { break };
        let written = std::fs::metadata(&pdf).and_then(|m| m.modified()).ok();
        if written != before {
            seen.push(saved.elapsed().as_secs_f64() * 1000.0);
            reported.push(rebuild);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    std::fs::write(&middle, original).expect("restore");
    let mut all = seen.clone();
    println!(
        "  edit saved → new PDF written: median {:.0} ms over {} edits ({:?} ms)",
        median(&mut all),
        seen.len(),
        seen.iter().map(|v| v.round() as i64).collect::<Vec<_>>()
    );
    println!("  rebuild as reported by the process: median {:.0} ms", median(&mut reported));
    println!();
}

/// Medians of one manuscript and format set.
struct Figures {
    wall_ms: f64,
    peak_mib: f64,
    pages: usize,
}

/// One build's figures, read from `reportpress build --timings`.
struct Sample {
    wall_ms: f64,
    peak_mib: f64,
    pages: usize,
    /// Stage name and time in ms, in the order printed.
    stages: Vec<(String, f64)>,
}

/// Builds `manuscript` once as `format` into `out` in a fresh process.
fn run_once(manuscript: &Path, out: &Path, format: &str) -> Sample {
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_reportpress"))
        .args(["build", "--timings", "--format", format, "--manuscript"])
        .arg(manuscript)
        .arg("--out")
        .arg(out)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run reportpress");
    let wall_ms = started.elapsed().as_secs_f64() * 1000.0;
    assert!(output.status.success(), "build failed: {}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut sample = Sample { wall_ms, peak_mib: 0.0, pages: 0, stages: Vec::new() };
    for line in stdout.lines() {
        if let Some(rest) = line.strip_prefix("stage ") {
            let mut words: Vec<&str> = rest.split_whitespace().collect();
            words.pop(); // "ms"
            let value: f64 = words.pop().and_then(|v| v.parse().ok()).unwrap_or(0.0);
            sample.stages.push((words.join(" "), value));
        } else if let Some(rest) = line.strip_prefix("peak memory ") {
            sample.peak_mib = rest.trim_end_matches(" MiB").parse().unwrap_or(0.0);
        } else if let Some(index) = line.find(" pages,") {
            let before = &line[..index];
            sample.pages = before.rsplit('(').next().and_then(|n| n.trim().parse().ok()).unwrap_or(0);
        }
    }
    sample
}

/// Prints the medians of `samples` of one format: wall time, peak memory, every stage, and
/// for a PDF the ratio of the whole build to Typst's compile + export stages.
fn report(format: &str, samples: Vec<Sample>) -> Figures {
    let mut walls: Vec<f64> = samples.iter().map(|s| s.wall_ms).collect();
    let mut peaks: Vec<f64> = samples.iter().map(|s| s.peak_mib).collect();
    let pages = samples.iter().map(|s| s.pages).max().unwrap_or(0);
    let (wall, peak) = (median(&mut walls), median(&mut peaks));
    println!(
        "  --format {format:<4}  wall {wall:>7.0} ms   peak memory {peak:>6.0} MiB{}",
        if pages > 0 { format!("   {pages} pages") } else { String::new() }
    );
    let mut order: Vec<String> = Vec::new();
    let mut stages: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for sample in &samples {
        for (stage, value) in &sample.stages {
            if !order.contains(stage) {
                order.push(stage.clone());
            }
            stages.entry(stage.clone()).or_default().push(*value);
        }
    }
    let mut stage_median = |name: &str| stages.get_mut(name).map(|v| median(v)).unwrap_or(0.0);
    for stage in &order {
        println!("      {stage:<16} {:>8.1} ms", stage_median(stage));
    }
    if format == "pdf" {
        let typst = stage_median("typst compile") + stage_median("pdf export");
        if typst > 0.0 {
            println!("      whole PDF build / (Typst compile + PDF export) = {:.2}", wall / typst);
        }
    }
    Figures { wall_ms: wall, peak_mib: peak, pages }
}

/// Prints Typst's own compiler's time on the same sources, and our ratio to it.
fn typst_comparison(manuscript: &Path, work: &Path, wall_ms: f64) {
    if let Some(reference) = typst_reference(manuscript, work) {
        println!(
            "      Typst's own compiler on the --emit-typst sources: {reference:.0} ms (wall incl. font loading); reportpress / Typst = {:.2}",
            wall_ms / reference
        );
    }
}

fn scenario(name: &str, manuscript: &Path, work: &Path, formats: &[&str]) -> Figures {
    println!("== {name}");
    // The formats take turns (pdf, epub, all, pdf, …), so the machine's drift touches all alike.
    let out = work.join(format!("out-{}", name.len()));
    let mut samples: Vec<Vec<Sample>> = formats.iter().map(|_| Vec::new()).collect();
    for _ in 0..RUNS {
        for (format, taken) in formats.iter().zip(&mut samples) {
            taken.push(run_once(manuscript, &out, format));
        }
    }
    let mut walls = BTreeMap::new();
    let mut pdf_figures = None;
    for (format, taken) in formats.iter().zip(samples) {
        let figures = report(format, taken);
        walls.insert(*format, figures.wall_ms);
        if *format == "pdf" {
            typst_comparison(manuscript, work, figures.wall_ms);
            pdf_figures = Some(figures);
        }
    }
    if let Some(pdf) = walls.get("pdf") {
        for other in ["epub", "all"] {
            if let Some(wall) = walls.get(other) {
                println!("  --format {other} / --format pdf = {:.2}", wall / pdf);
            }
        }
    }
    println!();
    pdf_figures.unwrap_or(Figures { wall_ms: 0.0, peak_mib: 0.0, pages: 0 })
}

fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(|a, b| a.total_cmp(b));
    values[values.len() / 2]
}

/// Where a repeated manuscript breaks pages.
#[derive(Clone, Copy, PartialEq)]
enum Breaks {
    /// Every copy after the first begins on a new page, like the chapters of a book.
    Chapters,
    /// The copies run on in one flow.
    None,
}

/// Writes a manuscript that holds `copies` copies of `source`'s text (data shared; the ids
/// of chart and table directives dropped from the copies so each stays unique).
fn repeat_manuscript(source: &Path, target: &Path, copies: usize, breaks: Breaks) {
    copy_dir(source, target);
    let config_text = std::fs::read_to_string(source.join("report.toml")).expect("report.toml");
    let config: toml::Value = toml::from_str(&config_text).expect("valid report.toml");
    let files: Vec<String> = config["files"].as_array().expect("files").iter().map(|f| f.as_str().unwrap_or_default().to_string()).collect();
    let mut listed = Vec::new();
    let mut chapter_starts = Vec::new();
    for copy in 0..copies {
        for (index, file) in files.iter().enumerate() {
            let text = std::fs::read_to_string(source.join(file)).expect("text file");
            let text: String = text.lines().filter(|line| copy == 0 || !line.trim_start().starts_with("id = ")).map(|line| format!("{line}\n")).collect();
            let name = format!("copies/{copy:03}-{}", file.replace('/', "-"));
            std::fs::create_dir_all(target.join("copies")).expect("mkdir");
            std::fs::write(target.join(&name), text).expect("write copy");
            if copy > 0 && index == 0 && breaks == Breaks::Chapters {
                chapter_starts.push(format!("\"{name}\""));
            }
            listed.push(format!("\"{name}\""));
        }
    }
    let mut out = String::new();
    for line in config_text.lines() {
        if line.trim_start().starts_with("files") {
            break;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(&format!("files = [{}]\n", listed.join(", ")));
    out.push_str(&format!("new_page = [{}]\n", chapter_starts.join(", ")));
    std::fs::write(target.join("report.toml"), out).expect("write report.toml");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            copy_dir(&path, &to.join(entry.file_name()));
        } else {
            std::fs::copy(&path, to.join(entry.file_name())).expect("copy");
        }
    }
}

/// Times Typst's own compiler (the `typst` PyPI package, Typst 0.15) on exactly the sources
/// the pipeline compiles (`--emit-typst`), fonts from `fonts/`; the compile call alone is
/// timed, in a fresh process each run, so font loading is included as it is for us.
fn typst_reference(manuscript: &Path, work: &Path) -> Option<f64> {
    let emitted = work.join("emitted");
    let status = Command::new(env!("CARGO_BIN_EXE_reportpress"))
        .args(["build", "--format", "pdf", "--manuscript"])
        .arg(manuscript)
        .arg("--out")
        .arg(work.join("emit-out"))
        .arg("--emit-typst")
        .arg(&emitted)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()?;
    if !status.status.success() {
        return None;
    }
    let script = "import sys, time, typst\nt = time.perf_counter()\ntypst.compile(sys.argv[1], output=sys.argv[2], font_paths=[sys.argv[3]], root=sys.argv[4])\nprint((time.perf_counter() - t) * 1000)";
    let mut times = Vec::new();
    for _ in 0..RUNS {
        let output = Command::new("python3")
            .args(["-c", script])
            .arg(emitted.join("report.typ"))
            .arg(work.join("typst-reference.pdf"))
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts"))
            .arg(&emitted)
            .output()
            .ok()?;
        if !output.status.success() {
            println!("      (Typst's own compiler is not available: pip install typst==0.15.0)");
            return None;
        }
        times.push(String::from_utf8_lossy(&output.stdout).trim().parse().ok()?);
    }
    Some(median(&mut times))
}

/// Times Pandoc's EPUB writer on the article's text, when Pandoc is installed.
fn pandoc_comparison(manuscript: &Path, work: &Path) {
    println!("== EPUB against Pandoc (runs in turn)");
    if Command::new("pandoc").arg("--version").output().is_err() {
        println!("  pandoc is not installed (make bench installs it with apt-get); skipped");
        return;
    }
    let mut text = String::new();
    let config: toml::Value = toml::from_str(&std::fs::read_to_string(manuscript.join("report.toml")).expect("report.toml")).expect("toml");
    for file in config["files"].as_array().expect("files") {
        text.push_str(&std::fs::read_to_string(manuscript.join(file.as_str().unwrap_or_default())).expect("text"));
        text.push('\n');
    }
    let input = work.join("pandoc-input.md");
    std::fs::write(&input, text).expect("write");
    // The two take turns, so a change in the machine's speed touches both alike.
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        ours.push(run_once(manuscript, &work.join("out-epub-vs-pandoc"), "epub").wall_ms);
        let started = Instant::now();
        let status = Command::new("pandoc")
            .args(["-f", "markdown", "-t", "epub3", "--metadata", "title=bench", "-o"])
            .arg(work.join("pandoc.epub"))
            .arg(&input)
            .status()
            .expect("run pandoc");
        theirs.push(started.elapsed().as_secs_f64() * 1000.0);
        assert!(status.success());
    }
    let (ours, theirs) = (median(&mut ours), median(&mut theirs));
    println!("  reportpress --format epub (fonts subset, charts, cover): {ours:.0} ms");
    println!("  pandoc -t epub3 (same text, no fonts, no charts):        {theirs:.0} ms");
    println!("  reportpress / Pandoc = {:.2}", ours / theirs);
}
