//! `preview`, `watch` and Typst's own incremental compile side by side, on one manuscript,
//! edits taking turns in one run (so the machine's drift touches all three alike):
//!
//! - `reportpress preview`: save → the changed pages' SVGs received by an HTTP client that
//!   follows the event stream as the browser does (the browser's decoding and painting are
//!   not in this figure); and save → the PDF written (after the preview's settle time);
//! - `reportpress watch`: save → the new PDF written;
//! - Typst: the `--emit-typst` sources compiled by one `typst.Compiler` of the `typst` PyPI
//!   package (Typst 0.15 in one long-lived process that keeps its memoised layout, as
//!   `typst watch` does; there is no `typst` CLI binary here), the same edit made to the
//!   emitted document.json: save → PDF written (plain PDF, not PDF/A: Typst does less).
//!
//! The edit is the same one-paragraph edit each time: `（n）` before the first `。` of the
//! middle text file (of the middle of document.json for Typst).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use super::{RUNS, copy_dir, median};

/// A child process whose output lines arrive on a channel; killed when dropped.
struct Running {
    child: Child,
    lines: Receiver<String>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    fn start(command: &mut Command) -> Running {
        let mut child = command.stdout(Stdio::piped()).stderr(Stdio::null()).stdin(Stdio::piped()).spawn().expect("start the process");
        let stdout = child.stdout.take().expect("stdout");
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = sender.send(line);
            }
        });
        Running { child, lines }
    }

    /// The next line starting with `prefix` (what follows it), within two minutes.
    fn next(&self, prefix: &str) -> Option<String> {
        loop {
            let line = self.lines.recv_timeout(Duration::from_secs(120)).ok()?;
            if let Some(rest) = line.strip_prefix(prefix) {
                return Some(rest.to_string());
            }
        }
    }
}

fn reportpress(args: &[&str], manuscript: &Path, out: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_reportpress"));
    command.args(args).arg("--manuscript").arg(manuscript).arg("--out").arg(out).current_dir(env!("CARGO_MANIFEST_DIR"));
    command
}

/// The middle text file of a manuscript.
fn middle_file(manuscript: &Path) -> PathBuf {
    let config: toml::Value = toml::from_str(&std::fs::read_to_string(manuscript.join("report.toml")).expect("report.toml")).expect("valid report.toml");
    let files = config["files"].as_array().expect("files");
    manuscript.join(files[files.len() / 2].as_str().expect("file name"))
}

/// `text` with `（edit）` before its first `。` at or after byte `from`.
fn edited(text: &str, from: usize, edit: usize) -> String {
    let at = text[from..].find('。').map_or(text.len(), |i| from + i);
    format!("{}（{edit}）{}", &text[..at], &text[at..])
}

/// The preview's event stream, read on a thread: each state as JSON.
fn events(port: u16, token: &str) -> Receiver<serde_json::Value> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to the preview");
    let request = format!("GET /{token}/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n");
    stream.write_all(request.as_bytes()).expect("ask for events");
    let (sender, states) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if let Some(data) = line.strip_prefix("data: ")
                && let Ok(state) = serde_json::from_str(data)
                && sender.send(state).is_err()
            {
                return;
            }
        }
    });
    states
}

/// The bytes of `path` from the preview.
fn fetch(port: u16, path: &str) -> usize {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to the preview");
    let request = format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n");
    stream.write_all(request.as_bytes()).expect("ask for a page");
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    answer.len()
}

fn hashes(state: &serde_json::Value) -> Vec<String> {
    state["pages"].as_array().map(|pages| pages.iter().map(|p| p["hash"].as_str().unwrap_or("").to_string()).collect()).unwrap_or_default()
}

/// The Python side of the Typst reference: one `typst.Compiler`; each line `N` on stdin
/// makes edit N of document.json, compiles to PDF and prints the milliseconds.
const TYPST_DRIVER: &str = r#"
import sys, time, typst
main, out, fonts, root, json_path = sys.argv[1:6]
original = open(json_path, encoding='utf-8').read()
middle = original.index('。', len(original) // 2)
compiler = typst.Compiler(main, root=root, font_paths=[fonts])
compiler.compile(output=out)
print('ready', flush=True)
for line in sys.stdin:
    edit = int(line)
    with open(json_path, 'w', encoding='utf-8') as f:
        f.write(original[:middle] + '（%d）' % edit + original[middle:])
    started = time.perf_counter()
    compiler.compile(output=out)
    print('compiled %.1f' % ((time.perf_counter() - started) * 1000), flush=True)
"#;

/// Measures `name` (a manuscript) side by side; prints the medians and ratios.
pub fn side_by_side(name: &str, manuscript: &Path, work: &Path) {
    println!("== preview / watch / Typst, one-paragraph edits of the {name}, taking turns");
    let dir = work.join(format!("side-by-side-{}", name.len()));
    let (for_preview, for_watch) = (dir.join("preview"), dir.join("watch"));
    copy_dir(manuscript, &for_preview);
    copy_dir(manuscript, &for_watch);

    // The preview, and an HTTP client following its events.
    let preview = Running::start(&mut reportpress(&["preview", "--port", "0"], &for_preview, &dir.join("out-preview")));
    let url = preview.next("preview at ").expect("the preview's address");
    let address = url.split_whitespace().next().unwrap_or("").trim_start_matches("http://127.0.0.1:").to_string();
    let (port, token) = address.split_once('/').expect("port/token");
    let (port, token): (u16, String) = (port.parse().expect("port"), token.trim_end_matches('/').to_string());
    preview.next("wrote ").expect("the preview's first PDF");
    let states = events(port, &token);
    let mut last = states.recv_timeout(Duration::from_secs(60)).expect("the first state");

    let watch = Running::start(&mut reportpress(&["watch", "--format", "pdf"], &for_watch, &dir.join("out-watch")));
    watch.next("rebuilt in ").expect("watch's first build");

    // Typst's own incremental compile on the emitted sources.
    let emitted = dir.join("emitted");
    let emit = reportpress(&["build", "--format", "pdf", "--emit-typst", emitted.to_str().unwrap_or("")], manuscript, &dir.join("out-emit")).output();
    let typst = emit.ok().filter(|o| o.status.success()).map(|_| {
        let fonts = Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts");
        let mut command = Command::new("python3");
        command
            .args(["-c", TYPST_DRIVER])
            .arg(emitted.join("report.typ"))
            .arg(dir.join("typst.pdf"))
            .arg(fonts)
            .arg(&emitted)
            .arg(emitted.join("document.json"));
        Running::start(&mut command)
    });
    let typst = typst.filter(|t| t.next("ready").is_some());
    if typst.is_none() {
        println!("  (Typst's own compiler is not available: pip install typst==0.15.0)");
    }

    let (preview_file, watch_file) = (middle_file(&for_preview), middle_file(&for_watch));
    let original = std::fs::read_to_string(&preview_file).expect("text file");
    let watch_pdf = std::fs::read_dir(dir.join("out-watch"))
        .expect("watch output")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|e| e == "pdf"));
    let (mut shown, mut laid_out, mut changed, mut preview_pdf, mut watched, mut typst_ms) = (vec![], vec![], vec![], vec![], vec![], vec![]);
    for edit in 0..RUNS + 2 {
        // The preview: save → the changed pages' SVGs received.
        std::thread::sleep(Duration::from_millis(600));
        while states.try_recv().is_ok() {}
        let before = hashes(&last);
        let saved = Instant::now();
        std::fs::write(&preview_file, edited(&original, 0, edit)).expect("edit");
        let state = loop {
            let Ok(state) = states.recv_timeout(Duration::from_secs(60)) else { break None };
            if state["building"] == false && (hashes(&state) != before || !state["error"].is_null()) {
                break Some(state);
            }
        };
        let Some(state) = state else { break };
        let now = hashes(&state);
        let different: Vec<usize> = (0..now.len()).filter(|&i| before.get(i) != Some(&now[i])).collect();
        for &index in &different {
            fetch(port, &format!("/{token}/page/{index}/{}.svg", now[index]));
        }
        shown.push(saved.elapsed().as_secs_f64() * 1000.0);
        changed.push(different.len());
        last = state;
        if let Some(ms) =
            preview.next("laid out ").and_then(|rest| rest.split(" in ").nth(1).and_then(|v| v.split_whitespace().next()).and_then(|v| v.parse().ok()))
        {
            laid_out.push(ms);
        }
        if preview.next("wrote ").is_some() {
            preview_pdf.push(saved.elapsed().as_secs_f64() * 1000.0);
        }

        // watch: save → PDF written.
        std::thread::sleep(Duration::from_millis(300));
        let before = watch_pdf.as_ref().and_then(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
        let saved = Instant::now();
        std::fs::write(&watch_file, edited(&original, 0, edit)).expect("edit");
        if watch.next("rebuilt in ").is_some() && watch_pdf.as_ref().and_then(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok()) != before {
            watched.push(saved.elapsed().as_secs_f64() * 1000.0);
        }

        // Typst: the same edit of document.json → PDF written.
        if let Some(typst) = &typst
            && let Some(stdin) = typst.child.stdin.as_ref()
        {
            let mut stdin = stdin;
            if writeln!(stdin, "{edit}").is_ok()
                && let Some(ms) = typst.next("compiled ").and_then(|v| v.parse::<f64>().ok())
            {
                typst_ms.push(ms);
            }
        }
    }
    let rounded = |values: &[f64]| values.iter().map(|v| v.round() as i64).collect::<Vec<_>>();
    let typst_median = median(&mut typst_ms.clone());
    println!(
        "  preview: save → changed pages' SVGs received: median {:.0} ms {:?}; pages changed per edit {:?}",
        median(&mut shown.clone()),
        rounded(&shown),
        changed
    );
    println!("           laid out (as the process reports): median {:.0} ms", median(&mut laid_out));
    println!(
        "           save → PDF written: median {:.0} ms (includes waiting {} ms for the edits to pause)",
        median(&mut preview_pdf),
        reportpress::preview::PDF_SETTLE.as_millis()
    );
    println!("  watch:   save → PDF written: median {:.0} ms {:?}", median(&mut watched.clone()), rounded(&watched));
    if !typst_ms.is_empty() {
        println!("  Typst (one typst.Compiler, the same edit of the emitted sources) → PDF written: median {typst_median:.0} ms {:?}", rounded(&typst_ms));
        println!(
            "  ratios to Typst: preview page shown {:.2} (target ≤ 0.3 for the book), watch PDF {:.2} (target ≤ 1.0)",
            median(&mut shown) / typst_median,
            median(&mut watched) / typst_median
        );
    }
    std::fs::write(&preview_file, &original).expect("restore");
    println!();
}
