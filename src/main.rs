//! The `reportpress` command line.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};

use reportpress::diagnostics::{Diagnostic, Diagnostics, Severity};
use reportpress::pipeline::{BuildOptions, BuildReport, Format, Session};

/// Build a report's print PDF and EPUB from one manuscript.
#[derive(Debug, Parser)]
#[command(name = "reportpress", version, about)]
struct Cli {
    /// Say more: where the design and the fonts were found, and notes (numbers written with
    /// thousands separators or full-width digits …) that a clean build keeps to itself.
    #[arg(long, short, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build the editions into the output directory.
    Build {
        /// Which edition(s) to build.
        #[arg(long, value_enum, default_value_t = FormatArg::All)]
        format: FormatArg,
        /// Also write the exact Typst sources the PDF is compiled from into DIR
        /// (build them with `typst compile --font-path fonts DIR/report.typ`).
        #[arg(long, value_name = "DIR")]
        emit_typst: Option<PathBuf>,
        /// Print the time of each stage and the peak memory.
        #[arg(long)]
        timings: bool,
        /// Treat warnings (an unused data table, a chart of one value …) as errors.
        #[arg(long)]
        deny_warnings: bool,
        /// With --format proof: a change proof, marked with what changed since this git
        /// revision of the manuscript, or since the revision an earlier proof (OLD-PROOF.pdf)
        /// was made from (inserted text underlined, deleted text struck through, change bars,
        /// a first page listing the changes).
        #[arg(long, value_name = "REV|OLD-PROOF.pdf")]
        since: Option<String>,
        #[command(flatten)]
        paths: PathArgs,
    },
    /// Parse and validate the manuscript without writing anything.
    Check {
        /// Treat warnings (an unused data table, a chart of one value …) as errors.
        #[arg(long)]
        deny_warnings: bool,
        #[command(flatten)]
        paths: PathArgs,
    },
    /// Write every chart as SVG to <out>/charts/<id>.svg.
    Charts {
        #[command(flatten)]
        paths: PathArgs,
    },
    /// Start a new report: write a manuscript that builds at once into DIR (new or empty).
    New {
        /// The directory to create.
        dir: PathBuf,
        /// The built-in design the report uses (`design` in report.toml).
        #[arg(long, default_value = reportpress::design::DEFAULT_DESIGN)]
        design: String,
    },
    /// Make a manuscript from a Word document (.docx) or from hard-wrapped text copied out
    /// of a PDF (.txt, UTF-8 or GB18030), in a new or empty directory.
    Import {
        /// The file to import.
        file: PathBuf,
        /// The manuscript directory to write (new or empty).
        #[arg(long)]
        out: PathBuf,
        /// Accept a Word document's tracked changes and leave its comments out (without
        /// it, the import stops and lists them).
        #[arg(long)]
        accept_changes: bool,
        /// Move the numbers of the prose (with a unit: 亿元, %, 个 …) into proposed data
        /// tables, data/numbers_NN.toml, and refer to them with {{…}}; the printed text is
        /// the same.
        #[arg(long)]
        extract_numbers: bool,
    },
    /// List a proofreader's annotations in a proof or print PDF at the manuscript lines and
    /// columns they mark, like compiler messages.
    Review {
        /// The annotated PDF (a proof or print edition this tool made).
        pdf: PathBuf,
        /// Print the entries as JSON.
        #[arg(long)]
        json: bool,
        /// The manuscript directory (holding report.toml). Default: the nearest directory
        /// holding report.toml, here or above; else manuscript/.
        #[arg(long)]
        manuscript: Option<PathBuf>,
        /// The fonts directory (searched for as for `build` when not given).
        #[arg(long)]
        fonts: Option<PathBuf>,
        /// A design directory (the manuscript's design when not given).
        #[arg(long)]
        assets: Option<PathBuf>,
    },
    /// Check this machine: the fonts and the faces every design needs in each language,
    /// and the tools the tests use; says what to install for what is missing.
    Doctor {
        /// The fonts directory to check (searched for as for `build` when not given).
        #[arg(long)]
        fonts: Option<PathBuf>,
    },
    /// Rebuild whenever the manuscript, its data or the design change.
    Watch {
        /// Which edition(s) to rebuild (both, unless told: an EPUB left behind would be stale).
        #[arg(long, value_enum, default_value_t = FormatArg::All)]
        format: FormatArg,
        /// Print the time of each stage of every rebuild.
        #[arg(long)]
        timings: bool,
        #[command(flatten)]
        paths: PathArgs,
    },
    /// Show the pages in a browser, updated after every save (and the PDF written); a click
    /// on a character tells the manuscript file:line:column (and data cell) it came from.
    Preview {
        /// Start the desktop's browser at the preview's address.
        #[arg(long)]
        open: bool,
        /// The port to listen on at 127.0.0.1 (0: any free port; the address is printed).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Show (and write) the proof edition instead of the print edition.
        #[arg(long)]
        proof: bool,
        /// Open a clicked place in an editor: {file}, {line} and {column} are filled in,
        /// e.g. --editor 'code -g {file}:{line}:{column}' (run without a shell).
        #[arg(long, value_name = "CMD")]
        editor: Option<String>,
        #[command(flatten)]
        paths: PathArgs,
    },
}

#[derive(Debug, clap::Args)]
struct PathArgs {
    /// The manuscript directory (holding report.toml), as --manuscript gives it.
    #[arg(value_name = "MANUSCRIPT", conflicts_with = "manuscript")]
    dir: Option<PathBuf>,
    /// The manuscript directory (holding report.toml). Default: the nearest directory
    /// holding report.toml, here or above (as cargo finds Cargo.toml); else manuscript/.
    #[arg(long)]
    manuscript: Option<PathBuf>,
    /// The output directory. Default: dist/ here, or dist/ inside a manuscript found above.
    #[arg(long)]
    out: Option<PathBuf>,
    /// The fonts directory. Default: the first of fonts/ beside the manuscript, fonts/ in
    /// the working directory, $REPORTPRESS_FONTS, ~/.local/share/reportpress/fonts.
    #[arg(long)]
    fonts: Option<PathBuf>,
    /// A design directory (report.typ, common.typ, cover.typ, design.toml, epub.css). Default: the
    /// design report.toml names, else the built-in magazine design.
    #[arg(long)]
    assets: Option<PathBuf>,
    /// The design to set the report in: magazine, report, book, or a design directory
    /// (instead of the one report.toml names).
    #[arg(long)]
    design: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FormatArg {
    Pdf,
    Epub,
    All,
    /// The proof edition: line numbers, file:line marks, 校样 watermark.
    Proof,
    /// The press edition for the printing house: PDF/X-4, CMYK, bleed, crop marks.
    Press,
}

impl FormatArg {
    fn formats(self) -> Vec<Format> {
        match self {
            FormatArg::Pdf => vec![Format::Pdf],
            FormatArg::Epub => vec![Format::Epub],
            FormatArg::All => vec![Format::Pdf, Format::Epub],
            FormatArg::Proof => vec![Format::Proof],
            FormatArg::Press => vec![Format::Press],
        }
    }
}

impl PathArgs {
    /// The paths given, the manuscript found when none was: a manuscript found in a
    /// directory above (`cd 公报/text && reportpress build`) writes into its own dist/.
    fn options(&self) -> BuildOptions {
        let (manuscript, found_above) = match self.dir.clone().or_else(|| self.manuscript.clone()) {
            Some(given) => (given, false),
            None => match reportpress::manuscript::config::find_manuscript_upwards() {
                Some(found) => {
                    let above = found != std::path::Path::new(".");
                    (found, above)
                }
                None => (PathBuf::from("manuscript"), false),
            },
        };
        let out = self.out.clone().unwrap_or_else(|| if found_above { manuscript.join("dist") } else { PathBuf::from("dist") });
        BuildOptions { manuscript, out, fonts: self.fonts.clone(), assets: self.assets.clone(), design: self.design.clone() }
    }
}

/// `--verbose`: notes and where the design and fonts were found are printed.
static VERBOSE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn verbose() -> bool {
    VERBOSE.load(std::sync::atomic::Ordering::Relaxed)
}

/// An allocation the system refuses is reported as an error, not an abort.
#[global_allocator]
static ALLOCATOR: reportpress::watchdog::Allocator = reportpress::watchdog::Allocator;

fn main() -> ExitCode {
    let cli = Cli::parse();
    VERBOSE.store(cli.verbose, std::sync::atomic::Ordering::Relaxed);
    // Ctrl-C or a TERM signal never interrupts the replacing of the editions, and leaves no
    // staged or temporary files in the output directory.
    if let Command::Build { paths, .. } | Command::Watch { paths, .. } | Command::Preview { paths, .. } = &cli.command {
        reportpress::output::finish_on_signal(&paths.options().out);
    }
    let result = match cli.command {
        Command::Build { format, emit_typst, timings, deny_warnings, since, paths } => {
            build(paths.options(), format, emit_typst, timings, deny_warnings, since)
        }
        Command::Check { deny_warnings, paths } => check(paths.options(), deny_warnings),
        Command::Charts { paths } => charts(paths.options()),
        Command::New { dir, design } => new(&dir, &design),
        Command::Import { file, out, accept_changes, extract_numbers } => import(&file, &out, accept_changes, extract_numbers),
        Command::Watch { format, timings, paths } => watch(paths.options(), format, timings),
        Command::Preview { open, port, proof, editor, paths } => preview(paths.options(), reportpress::preview::PreviewOptions { port, proof, editor, open }),
        Command::Doctor { fonts } => doctor(fonts.as_deref()),
        Command::Review { pdf, json, manuscript, fonts, assets } => {
            let manuscript = manuscript.or_else(reportpress::manuscript::config::find_manuscript_upwards).unwrap_or_else(|| PathBuf::from("manuscript"));
            review(reportpress::review::ReviewOptions { pdf, manuscript, fonts, assets }, json)
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(diagnostics) => {
            print_diagnostics(&diagnostics.0);
            let errors = diagnostics.0.iter().filter(|d| d.severity == Severity::Error).count();
            let warnings = diagnostics.0.iter().filter(|d| d.severity == Severity::Warning).count();
            let also = if warnings > 0 { format!(" and {warnings} warning(s)") } else { String::new() };
            eprintln!("error: failed with {errors} error(s){also}; no output was written or changed");
            ExitCode::FAILURE
        }
    }
}

/// A spinner naming the current stage; drawn only when stderr is a terminal.
fn spinner() -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.set_style(ProgressStyle::with_template("{spinner} {msg} ({elapsed})").unwrap_or_else(|_| ProgressStyle::default_spinner()));
    bar.enable_steady_tick(Duration::from_millis(100));
    bar
}

fn build(
    options: BuildOptions,
    format: FormatArg,
    emit_typst: Option<PathBuf>,
    timings: bool,
    deny_warnings: bool,
    since: Option<String>,
) -> Result<(), Diagnostics> {
    let bar = spinner();
    let progress = bar.clone();
    let mut session = Session::new().with_progress(move |stage| progress.set_message(stage.to_string())).with_deny_warnings(deny_warnings).with_since(since);
    let report = session.build(&options, &format.formats());
    bar.finish_and_clear();
    let report = report?;
    print_report(&report);
    if let Some(dir) = emit_typst {
        let mut stages = Vec::new();
        let prepared = session.prepare(&options, &mut stages)?;
        let written = reportpress::pdf::emit_typst(&prepared.context(), None, &dir)?;
        println!("wrote the Typst sources ({} files) to {}", written.len(), dir.display());
    }
    if timings {
        print_timings(&report);
    }
    Ok(())
}

fn print_report(report: &BuildReport) {
    if verbose() {
        report.setup.iter().for_each(|line| println!("{line}"));
    }
    print_diagnostics(&report.warnings);
    for written in &report.written {
        println!("wrote {} ({}, {} bytes)", shown(&written.path), written.summary, written.bytes);
    }
}

fn print_timings(report: &BuildReport) {
    let total: Duration = report.stages.iter().map(|(_, d)| *d).sum();
    for (stage, duration) in &report.stages {
        println!("stage {stage:<16} {:>8.1} ms", duration.as_secs_f64() * 1000.0);
    }
    println!("stage {:<16} {:>8.1} ms", "total", total.as_secs_f64() * 1000.0);
    if let Some(peak) = peak_memory_kib() {
        println!("peak memory {:.1} MiB", peak as f64 / 1024.0);
    }
}

/// The process's peak resident memory (VmHWM), where the system reports it.
fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn check(options: BuildOptions, deny_warnings: bool) -> Result<(), Diagnostics> {
    let mut stages = Vec::new();
    let prepared = Session::new().prepare(&options, &mut stages)?;
    let mut warnings = Diagnostics(prepared.manuscript.warnings.clone());
    // Numbers typed by hand that a data table holds (only `check` looks: a build is not slowed).
    let manuscript = &prepared.manuscript;
    warnings.0.extend(reportpress::numbers::handtyped::find(&manuscript.document.blocks, &manuscript.data, &manuscript.root));
    if deny_warnings && warnings.deny_warnings() {
        return Err(warnings);
    }
    if verbose() {
        prepared.setup.iter().for_each(|line| println!("{line}"));
    }
    print_diagnostics(&warnings.0);
    println!("ok: {} ({} blocks)", shown(&options.manuscript), prepared.manuscript.document.blocks.len());
    Ok(())
}

fn new(dir: &std::path::Path, design: &str) -> Result<(), Diagnostics> {
    let today = chrono::Local::now().format("%Y-%m-%d").to_string();
    let written = reportpress::starter::write(dir, design, &today)?;
    for path in &written {
        println!("wrote {}", path.display());
    }
    println!("next: reportpress build --manuscript {}", dir.display());
    Ok(())
}

fn import(file: &std::path::Path, out: &std::path::Path, accept_changes: bool, extract_numbers: bool) -> Result<(), Diagnostics> {
    let today = chrono::Local::now().format("%Y-%m-%d").to_string();
    let options = reportpress::import::ImportOptions { accept_changes, extract_numbers };
    let imported = reportpress::import::import(file, out, &options, &today)?;
    // The import's notes are its report: printed without --verbose.
    for note in &imported.notes {
        eprint!("{}", note.render());
    }
    for path in &imported.written {
        println!("wrote {}", shown(path));
    }
    if !imported.notes.is_empty() {
        println!("{} note(s) on decisions to check: {}", imported.notes.len(), out.join("IMPORT-NOTES.md").display());
    }
    println!("next: reportpress build --manuscript {}", out.display());
    Ok(())
}

fn charts(options: BuildOptions) -> Result<(), Diagnostics> {
    let mut stages = Vec::new();
    let prepared = Session::new().prepare(&options, &mut stages)?;
    let dir = options.out.join("charts");
    let charts = prepared.manuscript.document.charts();
    for (anchor, layout) in &charts {
        let path = dir.join(format!("{anchor}.svg"));
        reportpress::output::write_atomically(&path, layout.svg().as_bytes())?;
        println!("wrote {}", shown(&path));
    }
    if charts.is_empty() {
        println!("the manuscript has no charts");
    }
    Ok(())
}

fn review(options: reportpress::review::ReviewOptions, json: bool) -> Result<(), Diagnostics> {
    let review = reportpress::review::review(&options)?;
    if json {
        let text = serde_json::to_string_pretty(&review)
            .map_err(|e| Diagnostics::one(Diagnostic::error(&options.pdf, format!("cannot write the entries as JSON: {e}"))))?;
        println!("{text}");
        return Ok(());
    }
    for warning in &review.warnings {
        eprint!("{}", Diagnostic::warning(&options.pdf, warning.clone()).render());
    }
    for entry in &review.entries {
        print!("{}", entry.render(&options.manuscript));
    }
    let located = review.entries.iter().filter(|e| e.start.is_some()).count();
    println!(
        "{} annotation(s) in {} ({} edition, {}); {located} located in the manuscript",
        review.entries.len(),
        shown(&options.pdf),
        review.edition,
        if review.same_revision { "made from the manuscript as it is" } else { "made from another revision" }
    );
    Ok(())
}

fn watch(options: BuildOptions, format: FormatArg, timings: bool) -> Result<(), Diagnostics> {
    let editions = match format {
        FormatArg::Pdf => "the PDF only (--format all for the EPUB too)",
        FormatArg::Epub => "the EPUB only (--format all for the PDF too)",
        FormatArg::All => "the PDF and the EPUB (--format pdf for the PDF only, faster)",
        FormatArg::Proof => "the proof edition",
        FormatArg::Press => "the press edition",
    };
    println!("watching {} (Ctrl-C to stop); rebuilding {editions}", shown(&options.manuscript));
    reportpress::watch::watch(&options, &format.formats(), |result, elapsed| {
        let ms = elapsed.as_secs_f64() * 1000.0;
        match result {
            Ok(report) => {
                print_report(report);
                if timings {
                    print_timings(report);
                }
                println!("rebuilt in {ms:.0} ms");
            }
            Err(diagnostics) => {
                print_diagnostics(&diagnostics.0);
                println!("build failed after {ms:.0} ms; the previous outputs are unchanged; still watching");
            }
        }
    })
}

fn preview(options: BuildOptions, preview: reportpress::preview::PreviewOptions) -> Result<(), Diagnostics> {
    use reportpress::preview::Event;
    use std::io::Write;
    reportpress::preview::preview(&options, &preview, |event| {
        match event {
            Event::Listening(url) => println!("preview at {url} (Ctrl-C to stop)"),
            Event::Built { pages, changed, elapsed, stages, warnings } => {
                print_diagnostics(&warnings);
                let stages: Vec<String> = stages.iter().map(|(stage, d)| format!("{stage} {:.0}", d.as_secs_f64() * 1000.0)).collect();
                println!("laid out {pages} pages ({changed} changed) in {:.0} ms ({} ms)", elapsed.as_secs_f64() * 1000.0, stages.join(", "));
            }
            Event::Failed { errors, elapsed } => {
                print_diagnostics(&errors.0);
                println!("build failed after {:.0} ms; the browser shows the errors over the last good pages", elapsed.as_secs_f64() * 1000.0);
            }
            Event::PdfWritten { path, bytes, pages, elapsed } => {
                println!("wrote {} ({pages} pages, {bytes} bytes) in {:.0} ms", shown(&path), elapsed.as_secs_f64() * 1000.0)
            }
            Event::PdfFailed(errors) => {
                print_diagnostics(&errors.0);
                println!("the PDF was not written; the previous one is unchanged");
            }
            Event::Note(note) => eprintln!("note: {note}"),
        }
        // The address and each build are read by scripts and tests as they happen.
        let _ = std::io::stdout().flush();
    })
}

fn doctor(fonts: Option<&std::path::Path>) -> Result<(), Diagnostics> {
    let manuscript = reportpress::manuscript::config::find_manuscript_upwards().unwrap_or_else(|| PathBuf::from("manuscript"));
    let findings = reportpress::commands::doctor::check(&manuscript, fonts);
    for (title, needed) in [("Building reports", true), ("Running the tests (make test installs these)", false)] {
        println!("{title}:");
        for finding in findings.iter().filter(|f| f.needed_to_build == needed) {
            println!("  {} {:<28} {}", if finding.ok { "ok     " } else { "MISSING" }, finding.what, reportpress::diagnostics::printable_line(&finding.detail));
        }
    }
    let broken: Vec<&str> = findings.iter().filter(|f| f.needed_to_build && !f.ok).map(|f| f.what.as_str()).collect();
    if broken.is_empty() {
        println!("reports can be built here");
        Ok(())
    } else {
        Err(Diagnostics::one(
            Diagnostic::error(&manuscript, format!("reports cannot be built here: {}", broken.join(", "))).with_hint("install what is marked MISSING above"),
        ))
    }
}

/// A path as printed: control characters escaped (a file name can hold any of them).
fn shown(path: &std::path::Path) -> String {
    reportpress::diagnostics::printable_line(&path.display().to_string())
}

/// Prints diagnostics to stderr; notes only with `--verbose` (a clean build is quiet).
fn print_diagnostics(diagnostics: &[Diagnostic]) {
    for diagnostic in diagnostics.iter().filter(|d| d.severity != Severity::Note || verbose()) {
        eprint!("{}", diagnostic.render());
    }
}
