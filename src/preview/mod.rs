//! `reportpress preview`: the laid-out pages of the print (or proof) edition in a browser,
//! updated after every save, every character leading back to the manuscript.
//!
//! - [`server`]: the local web server (127.0.0.1 only, a random [`token`] in every address,
//!   the `Host` checked), serving the hand-written page of [`client`](self) compiled in;
//! - [`pages`]: one build's pages, each known by its frame's hash and drawn as SVG
//!   (`typst-svg`) only when the browser asks for a hash it has not seen;
//! - [`source_map`]: a click on a page → the manuscript file:line:column (and data cell),
//!   and `?at=FILE:LINE` → its page, through `review`'s mapping of glyphs to sources;
//! - [`state`]: what the build loop and the server share; [`editor`]: `--editor CMD`.
//!
//! The build loop is `watch`'s ([`crate::watch::on_changes`]); after each build the
//! browser is told the new page hashes at once, and the PDF is written on another thread
//! once the edits pause ([`PDF_SETTLE`]), so `preview` replaces `watch` for proofreading
//! on screen.

pub mod editor;
pub mod pages;
pub mod server;
pub mod source_map;
pub mod state;
pub mod token;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::pipeline::{BuildOptions, Session};
use editor::Editor;
use pages::Built;
use state::Shared;
use token::Token;

/// How long the edits must pause before the PDF is written (a burst of saves writes once).
pub const PDF_SETTLE: Duration = Duration::from_millis(400);

/// What `reportpress preview` was asked for.
#[derive(Debug, Clone, Default)]
pub struct PreviewOptions {
    /// The port (0: any free port).
    pub port: u16,
    /// Show the proof edition instead of the print edition.
    pub proof: bool,
    /// The editor a click opens (`code -g {file}:{line}:{column}`).
    pub editor: Option<String>,
    /// Start the desktop's browser at the address.
    pub open: bool,
}

/// What the preview tells the terminal.
#[derive(Debug)]
pub enum Event {
    /// The server listens at this address (token included).
    Listening(String),
    /// A build succeeded: its page count, how many pages changed, the time of its stages
    /// (reading, layout, hashing the pages), its warnings.
    Built { pages: usize, changed: usize, elapsed: Duration, stages: Vec<(&'static str, Duration)>, warnings: Vec<Diagnostic> },
    /// A build failed; the browser shows the errors over the last good pages.
    Failed { errors: Diagnostics, elapsed: Duration },
    /// The PDF was written (path, bytes, pages).
    PdfWritten { path: PathBuf, bytes: usize, pages: usize, elapsed: Duration },
    /// Writing the PDF failed (the previous file is untouched).
    PdfFailed(Diagnostics),
    /// Something to say that stops nothing (the browser could not be started).
    Note(String),
}

/// Runs the preview until the process is stopped: serves the pages and rebuilds them on
/// every change, calling `report` (from more than one thread) with what happens.
pub fn preview(options: &BuildOptions, preview: &PreviewOptions, report: impl Fn(Event) + Send + Sync + 'static) -> Result<(), Diagnostics> {
    let report = Arc::new(report);
    let problem = |message: String| Diagnostics::one(Diagnostic::error(&options.manuscript, message));
    let editor = preview.editor.as_deref().map(Editor::parse).transpose().map_err(problem)?;
    let token = Token::random().map_err(problem)?;
    let server = tiny_http::Server::http(("127.0.0.1", preview.port))
        .map_err(|e| problem(format!("cannot listen on 127.0.0.1:{}: {e}", preview.port)))
        .map_err(|d| with_hint(d, "choose another port with --port N, or --port 0 for any free one"))?;
    let port = server.server_addr().to_ip().map(|a| a.port()).unwrap_or(preview.port);
    let url = format!("http://127.0.0.1:{port}/{}/", token.as_str());
    let shared = Arc::new(Shared::new(token, port, editor));
    let serving = shared.clone();
    std::thread::spawn(move || server::serve(server, serving));
    report(Event::Listening(url.clone()));
    if preview.open
        && let Err(message) = open_browser(&url)
    {
        report(Event::Note(message));
    }

    let (to_writer, pdfs) = mpsc::channel::<Arc<Built>>();
    let (writer_report, out) = (report.clone(), options.out.clone());
    std::thread::spawn(move || write_pdfs(&pdfs, &out, &*writer_report));

    let mut session = Session::new();
    let proof = preview.proof;
    crate::watch::on_changes(options, |written| {
        shared.update(|state| state.building = true);
        let started = Instant::now();
        let mut stages = Vec::new();
        match lay_out(&mut session, options, proof, &mut stages) {
            Ok(built) => {
                let built = Arc::new(built);
                let before = shared.lock().built.as_ref().map(|b| b.pages.clone()).unwrap_or_default();
                let changed = built.changed_since(&before);
                shared.update(|state| {
                    state.svgs.keep_only(&built.pages);
                    state.built = Some(built.clone());
                    state.error = None;
                    state.building = false;
                });
                let mut warnings = built.prepared.manuscript.warnings.clone();
                warnings.extend(built.typeset.warnings.iter().cloned());
                report(Event::Built { pages: built.pages.len(), changed, elapsed: started.elapsed(), stages, warnings });
                // The PDF is written later, on another thread: its file (and the output
                // directory it may create) are ours already.
                written.push(pdf_path(&options.out, &built));
                written.push(options.out.clone());
                let _ = to_writer.send(built);
            }
            Err(errors) => {
                let rendered: String = errors.0.iter().map(Diagnostic::render).collect();
                shared.update(|state| {
                    state.error = Some(rendered);
                    state.building = false;
                });
                report(Event::Failed { errors, elapsed: started.elapsed() });
            }
        }
    })
}

fn with_hint(mut diagnostics: Diagnostics, hint: &str) -> Diagnostics {
    for diagnostic in &mut diagnostics.0 {
        diagnostic.hint = Some(hint.to_string());
    }
    diagnostics
}

/// One layout of the edition shown, from the manuscript as it is now.
fn lay_out(session: &mut Session, options: &BuildOptions, proof: bool, stages: &mut Vec<(&'static str, Duration)>) -> Result<Built, Diagnostics> {
    let started = Instant::now();
    let prepared = session.prepare(options, &mut Vec::new());
    stages.push(("read", started.elapsed()));
    let prepared = prepared?;
    let started = Instant::now();
    let mut info = proof.then(|| crate::proof::proof_info(&prepared.manuscript));
    if let Some(info) = info.as_mut() {
        // As `build --format proof`: the proof carries the manuscript it shows.
        let snapshot = crate::snapshot::Snapshot::take(&prepared.manuscript.root, std::slice::from_ref(&options.out), &info.revision)?;
        info.snapshot = Some(snapshot.to_json());
    }
    let typeset = prepared.context().typesetter().typeset(&prepared.manuscript.document, info.as_ref())?;
    stages.push(("layout", started.elapsed()));
    let started = Instant::now();
    let built = Built::new(prepared, typeset);
    stages.push(("page hashes", started.elapsed()));
    Ok(built)
}

/// Where the edition's PDF goes: `<out>/<output>.pdf` (`-proof.pdf` for the proof).
fn pdf_path(out: &std::path::Path, built: &Built) -> PathBuf {
    let suffix = if built.typeset.proof { "-proof" } else { "" };
    out.join(format!("{}{suffix}.pdf", built.prepared.manuscript.config.output))
}

/// Writes the PDF of the latest build once no newer one arrives for [`PDF_SETTLE`]
/// (through the output commit, as `build` does: a failure leaves the previous file).
fn write_pdfs(builds: &Receiver<Arc<Built>>, out: &std::path::Path, report: &(dyn Fn(Event) + Send + Sync)) {
    while let Ok(mut built) = builds.recv() {
        while let Ok(newer) = builds.recv_timeout(PDF_SETTLE) {
            built = newer;
        }
        let started = Instant::now();
        let context = built.prepared.context();
        let path = pdf_path(out, &built);
        let written = crate::pdf::export(&context, &built.typeset)
            .and_then(|pdf| crate::output::commit(out, &[(path.as_path(), pdf.bytes.as_slice())]).map(|_| pdf).map_err(Diagnostics::one));
        report(match written {
            Ok(pdf) => Event::PdfWritten { path, bytes: pdf.bytes.len(), pages: pdf.pages, elapsed: started.elapsed() },
            Err(errors) => Event::PdfFailed(errors),
        });
    }
}

/// Starts the desktop's browser at `url` (`xdg-open`, `open` on macOS), not waiting for it.
fn open_browser(url: &str) -> Result<(), String> {
    let program = if cfg!(target_os = "macos") { "open" } else { "xdg-open" };
    let mut child = std::process::Command::new(program)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start a browser with `{program}` ({e}); open the address yourself"))?;
    std::thread::spawn(move || child.wait());
    Ok(())
}
