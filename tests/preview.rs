//! `reportpress preview`: the pages in a real browser (Debian's Chromium through
//! puppeteer-core, `tests/preview/drive.cjs`) — an edited paragraph changes only its page,
//! the scroll position stays, a click on a word and on a number from data names the
//! manuscript place and the data cell, a broken manuscript shows its error over the last
//! good pages, and `?at=FILE:LINE` scrolls to that line's page — and the server's
//! defences, with plain TCP requests: no answer without the token, for another host, for
//! another method, or for any path outside its own; it listens on 127.0.0.1 only.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use common::*;

/// A running `reportpress preview`, killed when dropped.
struct Preview {
    child: Child,
    lines: Receiver<String>,
    url: String,
    port: u16,
    token: String,
}

impl Drop for Preview {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Preview {
    /// Starts the preview of `manuscript` on any free port and waits for its first PDF.
    fn start(manuscript: &Path, out: &Path) -> Preview {
        Preview::start_with(manuscript, out, &[])
    }

    /// The same with more arguments.
    fn start_with(manuscript: &Path, out: &Path, more: &[&str]) -> Preview {
        let mut child = Command::new(env!("CARGO_BIN_EXE_reportpress"))
            .args(["preview", "--port", "0", "--manuscript", manuscript.to_str().unwrap(), "--out", out.to_str().unwrap()])
            .args(more)
            .current_dir(root())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("reportpress preview starts");
        let (sender, lines) = mpsc::channel();
        for stream in [Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>, Box::new(child.stderr.take().unwrap())] {
            let sender = sender.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let _ = sender.send(line);
                }
            });
        }
        let mut preview = Preview { child, lines, url: String::new(), port: 0, token: String::new() };
        let first = preview.wait_for(|l| l.starts_with("preview at "), "the address");
        let url = first.trim_start_matches("preview at ").split_whitespace().next().unwrap().to_string();
        let rest = url.strip_prefix("http://127.0.0.1:").expect("the address is on 127.0.0.1");
        let (port, token) = rest.split_once('/').unwrap();
        preview.port = port.parse().unwrap();
        preview.token = token.trim_end_matches('/').to_string();
        preview.url = url;
        preview.wait_for(|l| l.starts_with("wrote "), "the first PDF");
        preview
    }

    /// The next line of output `wanted` accepts (60 s at most).
    fn wait_for(&self, wanted: impl Fn(&str) -> bool, what: &str) -> String {
        let mut seen = Vec::new();
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(60)) {
            if wanted(&line) {
                return line;
            }
            seen.push(line);
        }
        panic!("the preview never printed {what}: {seen:?}");
    }

    /// Sends `request` as written and returns the status and body.
    fn raw(&self, request: &str) -> (u16, String) {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("the preview accepts connections");
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        let split = answer.windows(4).position(|w| w == b"\r\n\r\n").map_or(answer.len(), |i| i + 4);
        let head = String::from_utf8_lossy(&answer[..split]).into_owned();
        let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let chunked = head.lines().any(|l| l.eq_ignore_ascii_case("transfer-encoding: chunked"));
        let body = if chunked { unchunked(&answer[split..]) } else { answer[split..].to_vec() };
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    /// A GET of `path` with this server's Host.
    fn get(&self, path: &str) -> (u16, String) {
        self.raw(&format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n", self.port))
    }
}

/// The body of a chunked answer (`size CRLF data CRLF`…, ending with a chunk of size 0).
fn unchunked(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = body.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&body[..end]).trim(), 16).unwrap_or(0);
        let rest = &body[end + 2..];
        if size == 0 || rest.len() < size {
            break;
        }
        out.extend_from_slice(&rest[..size]);
        body = rest[size..].strip_prefix(b"\r\n").unwrap_or(&rest[size..]);
    }
    out
}

const SECRET: &str = "SECRET-7f3a-not-for-the-browser";

/// A manuscript of a few pages: a paragraph of Latin words and a number from data first,
/// then Chinese paragraphs, each numbered (第k段) and closed (完k) so its page can be found.
fn manuscript(dir: &Path) -> PathBuf {
    let mut text = String::from("# 概况\n\nProject Quokka began in spring. Output reached {{gdp.total.value}} billion yuan.\n\n");
    for k in 1..=40 {
        text.push_str(&format!("第{k}段。城市的街道绿树成荫，居民生活安定祥和，{}完{k}。\n\n", "各项事业稳步推进，发展质量不断提升，".repeat(5)));
    }
    let manuscript = dir.join("m");
    write_manuscript(&manuscript, "previewed", &[("t.md", &text)]);
    std::fs::create_dir_all(manuscript.join("data")).unwrap();
    let table = "title = \"生产总值\"\nsource = \"测试\"\nkey = \"指标\"\ncolumns = [{ name = \"value\", type = \"number\" }]\nrows = [\n  [\"total\", \"205.72\"],\n]\n";
    std::fs::write(manuscript.join("data/gdp.toml"), table).unwrap();
    std::fs::write(manuscript.join("notes.txt"), SECRET).unwrap();
    manuscript
}

/// The 1-based line and column of the first `needle` in `file`.
fn place_of(file: &Path, needle: &str) -> (usize, usize) {
    let text = std::fs::read_to_string(file).unwrap();
    for (index, line) in text.lines().enumerate() {
        if let Some(byte) = line.find(needle) {
            return (index + 1, line[..byte].chars().count() + 1);
        }
    }
    panic!("{needle} is not in {}", file.display());
}

/// The page (0-based) and box (x0, y0, x1, y1 in points) of the first word `word` in the PDF.
fn word_box(pdf: &Path, word: &str) -> (usize, [f64; 4]) {
    let html = tool("pdftotext", &["-bbox", pdf.to_str().unwrap(), "-"]);
    let attribute = |tag: &str, name: &str| -> f64 {
        let start = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        tag[start..].split('"').next().unwrap().parse().unwrap()
    };
    for (page, chunk) in html.split("<page ").skip(1).enumerate() {
        for tag in chunk.split("<word ").skip(1) {
            let (attributes, rest) = tag.split_once('>').unwrap();
            if rest.split('<').next() == Some(word) {
                return (page, [attribute(attributes, "xMin"), attribute(attributes, "yMin"), attribute(attributes, "xMax"), attribute(attributes, "yMax")]);
            }
        }
    }
    panic!("no word `{word}` in {}", pdf.display());
}

/// The page (0-based) holding all of paragraph k (its 第k段 and its 完k), if one does.
fn page_of_paragraph(pdf: &Path, k: usize) -> Option<usize> {
    let pages: usize = tool("pdfinfo", &[pdf.to_str().unwrap()]).lines().find_map(|l| l.strip_prefix("Pages:")).unwrap().trim().parse().unwrap();
    (1..=pages).find_map(|page| {
        let text = squeeze(&tool("pdftotext", &["-f", &page.to_string(), "-l", &page.to_string(), "-enc", "UTF-8", pdf.to_str().unwrap(), "-"]));
        (text.contains(&format!("第{k}段")) && text.contains(&format!("完{k}。"))).then_some(page - 1)
    })
}

fn node_path() -> String {
    let output = Command::new("npm").args(["root", "-g"]).output().expect("npm runs (make test-tools installs Node.js packages)");
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

#[test]
fn the_browser_shows_each_edit_on_its_page_and_every_click_leads_to_the_manuscript() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = manuscript(dir.path());
    let out = dir.path().join("out");
    let preview = Preview::start(&manuscript, &out);
    let pdf = out.join("previewed.pdf");
    let t = manuscript.join("t.md");

    // A paragraph wholly on a page after the first; its edit keeps its length (so its lines).
    let (k, page) = (12..=40).find_map(|k| page_of_paragraph(&pdf, k).filter(|&p| p >= 1).map(|p| (k, p))).expect("a paragraph on one page after the first");
    let from = format!("第{k}段。城市的街道");
    let to = format!("第{k}段。乡村的道路");
    let (word_page, word) = word_box(&pdf, "Quokka");
    let (number_page, number) = word_box(&pdf, "205.72");
    let (word_line, word_column) = place_of(&t, "Quokka");
    let (number_line, number_column) = place_of(&t, "{{gdp.total.value}}");
    let broken_line = place_of(&t, "第3段。").0;
    let at_line = place_of(&t, &format!("第{k}段")).0;
    let config = serde_json::json!({
        "url": preview.url,
        "edit": { "file": t, "from": from, "to": to, "page": page },
        "clicks": [
            // The Q of Quokka, and the first digit of the number.
            { "page": word_page, "x": word[0] + 2.0, "y": (word[1] + word[3]) / 2.0 },
            { "page": number_page, "x": number[0] + 2.0, "y": (number[1] + number[3]) / 2.0 },
            // The margin beside the first line: no text.
            { "page": word_page, "x": 3.0, "y": 3.0 },
        ],
        "broken": { "file": t, "from": "第3段。", "to": "第3段[^missing]。" },
        "at": format!("t.md:{at_line}"),
    });
    let config_file = dir.path().join("drive.json");
    std::fs::write(&config_file, config.to_string()).unwrap();
    let output = Command::new("node")
        .arg(root().join("tests/preview/drive.cjs"))
        .arg(&config_file)
        .env("NODE_PATH", node_path())
        .env("PUPPETEER_EXECUTABLE_PATH", "/usr/bin/chromium")
        .output()
        .expect("node runs (make test-tools installs puppeteer-core)");
    assert!(output.status.success(), "the browser driver failed: {}", String::from_utf8_lossy(&output.stderr));
    let seen: serde_json::Value = serde_json::from_slice(&output.stdout).expect("the driver prints JSON");
    eprintln!("browser: {seen}");

    assert_eq!(seen["failures"], serde_json::json!([]), "the page logged errors");
    assert_eq!(seen["pageCount"][0], seen["pageCount"][1], "{seen}");
    assert!(seen["pageCount"][0].as_u64().unwrap() >= 2, "{seen}");
    assert_eq!(seen["changed"], serde_json::json!([page]), "only the edited paragraph's page changes: {seen}");
    assert_eq!(seen["scrollBefore"], seen["scrollAfter"], "the scroll position stays: {seen}");

    let clicks = seen["clicks"].as_array().unwrap();
    assert_eq!(clicks[0]["file"], format!("t.md:{word_line}:{word_column}"), "{}", clicks[0]);
    assert!(clicks[0]["text"].as_str().unwrap().starts_with("«Q»"), "{}", clicks[0]);
    assert_eq!(clicks[0]["cell"], serde_json::Value::Null);
    assert_eq!(clicks[1]["file"], format!("t.md:{number_line}:{number_column}"), "{}", clicks[1]);
    let row = place_of(&manuscript.join("data/gdp.toml"), "[\"total\"").0;
    assert_eq!(clicks[1]["cell"], format!("data/gdp.toml:{row} (gdp.total.value)"), "{}", clicks[1]);
    assert_eq!(clicks[2]["text"], "no text here", "{}", clicks[2]);

    let error = seen["error"].as_str().unwrap();
    assert!(error.contains(&format!("t.md:{broken_line}")) && error.contains("missing"), "the error names its place: {error}");
    assert!(seen["pagesDuringError"].as_array().unwrap().iter().all(|same| same == true), "the last good pages stay: {seen}");
    assert!(seen["statusDuringError"].as_str().unwrap().contains("failed"), "{seen}");

    assert_eq!(seen["located"], page, "?at=t.md:{at_line} scrolls to the page of paragraph {k}: {seen}");
    assert!(seen["scrollAt"].as_f64().unwrap() > 0.0, "{seen}");

    // The PDF on disk follows the edits too.
    preview.wait_for(|l| l.starts_with("wrote "), "the PDF after the edits");
    std::thread::sleep(Duration::from_secs(2));
    let text = squeeze(&tool("pdftotext", &["-enc", "UTF-8", pdf.to_str().unwrap(), "-"]));
    assert!(text.contains(&squeeze(&to)), "the PDF has the edit");
}

#[test]
fn the_server_answers_only_its_token_its_host_and_its_own_paths_on_127_0_0_1() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = manuscript(dir.path());
    let preview = Preview::start(&manuscript, &dir.path().join("out"));
    let (token, port) = (preview.token.clone(), preview.port);

    let (status, body) = preview.get(&format!("/{token}/"));
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("<title>reportpress preview</title>"), "{body}");
    let (status, state) = preview.get(&format!("/{token}/state"));
    assert_eq!(status, 200);
    let state: serde_json::Value = serde_json::from_str(&state).unwrap();
    let hash = state["pages"][0]["hash"].as_str().unwrap().to_string();
    let (status, svg) = preview.get(&format!("/{token}/page/0/{hash}.svg"));
    assert_eq!(status, 200);
    assert!(svg.starts_with("<svg"), "{}", &svg[..svg.len().min(200)]);

    // Without the token, with another one, or with part of it.
    let wrong: String = token.chars().map(|c| if c == '0' { '1' } else { '0' }).collect();
    for path in [
        "/".to_string(),
        "/state".to_string(),
        format!("/{wrong}/"),
        format!("/{}/", &token[..31]),
        format!("/{token}0/"),
        format!("/{}/", token.to_uppercase()),
    ] {
        if path == format!("/{}/", token.to_uppercase()) && token.to_uppercase() == token {
            continue;
        }
        assert_eq!(preview.get(&path).0, 403, "{path}");
    }
    // Another host (a DNS name rebound to 127.0.0.1), or none; another method.
    for host in [format!("Host: evil.example:{port}\r\n"), "Host: 127.0.0.1\r\n".to_string(), String::new()] {
        let (status, _) = preview.raw(&format!("GET /{token}/ HTTP/1.1\r\n{host}Connection: close\r\n\r\n"));
        assert_eq!(status, 403, "{host:?}");
    }
    let (status, _) = preview.raw(&format!("POST /{token}/source HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
    assert_eq!(status, 405);

    // Nothing but the app's own addresses: never the manuscript's files, however spelt.
    let paths = [
        format!("/{token}/../report.toml"),
        format!("/{token}/%2e%2e/report.toml"),
        format!("/{token}/%2E%2E%2Freport.toml"),
        format!("/{token}/..%2fnotes.txt"),
        format!("/{token}/notes.txt"),
        format!("/{token}/report.toml"),
        format!("/{token}/t.md"),
        format!("/{token}/data/gdp.toml"),
        format!("/{token}//etc/passwd"),
        format!("/{token}/page/0/../../notes.txt"),
        format!("/{token}/page/0/%2e%2e%2f%2e%2e%2fnotes.txt"),
        format!("/{token}/app.js/../../notes.txt"),
        format!("/{token}/page/0/{}.svg", "0".repeat(32)),
        format!("/{token}/page/99/{hash}.svg"),
        format!("/../{token}/notes.txt"),
        format!("http://127.0.0.1:{port}/{token}/../notes.txt"),
        format!("{}/notes.txt", manuscript.display()),
        "/etc/passwd".to_string(),
    ];
    for path in &paths {
        let (status, body) = preview.get(path);
        assert!(status == 403 || status == 404 || status == 400, "{path}: {status}");
        assert!(!body.contains(SECRET) && !body.contains("title =") && !body.contains("root:"), "{path} served a file: {body}");
    }

    // Listening on 127.0.0.1 only (the kernel's table of listening sockets), never on
    // another address or on IPv6.
    let listening = |table: &str| -> Vec<String> {
        let text = std::fs::read_to_string(table).unwrap_or_default();
        text.lines()
            .skip(1)
            .filter_map(|line| {
                let fields: Vec<&str> = line.split_whitespace().collect();
                let (address, state) = (fields.get(1)?, fields.get(3)?);
                let (ip, at) = address.split_once(':')?;
                (*state == "0A" && u16::from_str_radix(at, 16).ok()? == port).then(|| ip.to_string())
            })
            .collect()
    };
    assert_eq!(listening("/proc/net/tcp"), ["0100007F"], "listening on 127.0.0.1 only");
    assert!(listening("/proc/net/tcp6").is_empty(), "not listening on IPv6");
}

#[test]
fn a_click_opens_the_editor_at_its_place_and_the_proof_edition_is_previewed_and_written() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = manuscript(dir.path());
    // An "editor" that writes down the arguments it was started with.
    let opened = dir.path().join("opened.txt");
    let editor = dir.path().join("editor.sh");
    std::fs::write(&editor, format!("#!/bin/sh\nprintf '%s\\n' \"$@\" > '{}'\n", opened.display())).unwrap();
    std::fs::set_permissions(&editor, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    // The output inside the manuscript: the PDF the preview writes later is its own, and
    // starts no build.
    let out = manuscript.join("build");
    let command = format!("{} --goto {{file}}:{{line}}:{{column}}", editor.display());
    let preview = Preview::start_with(&manuscript, &out, &["--proof", "--editor", &command]);

    // The proof edition: its wider sheet in the browser, its PDF on disk.
    let (_, state) = preview.get(&format!("/{}/state", preview.token));
    let state: serde_json::Value = serde_json::from_str(&state).unwrap();
    assert!(state["editor"] == true, "{state}");
    let proof_pdf = out.join("previewed-proof.pdf");
    assert!(proof_pdf.is_file(), "the proof PDF is written");
    let width = state["pages"][0]["width"].as_f64().unwrap();
    let pdf_width: f64 = tool("pdfinfo", &[proof_pdf.to_str().unwrap()])
        .lines()
        .find_map(|l| l.strip_prefix("Page size:"))
        .and_then(|size| size.split_whitespace().next().and_then(|w| w.parse().ok()))
        .unwrap();
    assert!((width - pdf_width).abs() < 1.0 && width > 600.0, "the proof's sheet ({width} pt; its PDF {pdf_width} pt)");

    // A click on the Q of Quokka opens the editor there.
    let (page, word) = word_box(&proof_pdf, "Quokka");
    let (line, column) = place_of(&manuscript.join("t.md"), "Quokka");
    let query = format!("page={page}&x={}&y={}&open=1", word[0] + 2.0, (word[1] + word[3]) / 2.0);
    let (status, answer) = preview.get(&format!("/{}/source?{query}", preview.token));
    assert_eq!(status, 200, "{answer}");
    let answer: serde_json::Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(
        (answer["file"].as_str(), answer["line"].as_u64(), answer["column"].as_u64()),
        (Some("t.md"), Some(line as u64), Some(column as u64)),
        "{answer}"
    );
    assert_eq!(answer["opened"], true, "{answer}");
    let mut arguments = String::new();
    for _ in 0..50 {
        arguments = std::fs::read_to_string(&opened).unwrap_or_default();
        if !arguments.is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let expected = format!("--goto\n{}:{line}:{column}\n", manuscript.join("t.md").display());
    assert_eq!(arguments, expected, "the editor's arguments");
    let later: Vec<String> = std::iter::from_fn(|| preview.lines.recv_timeout(Duration::from_secs(2)).ok()).collect();
    assert!(!later.iter().any(|l| l.starts_with("laid out")), "a build without a change: {later:?}");
}
