//! One build: manuscript → document model → the requested editions in the output directory.
//!
//! Everything is checked before anything is written, and each output is written
//! atomically, so a failed build leaves the previous editions untouched.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::design::{Design, DesignChoice};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::epub::{self, metadata};
use crate::manuscript::Manuscript;
use crate::manuscript::cache::FrontEndCache;
use crate::manuscript::chart_layout::{self, LayoutCache};
use crate::pdf;
use crate::render::RenderContext;
use crate::typeset::fonts::FontSet;

/// Which editions to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The print PDF.
    Pdf,
    /// The EPUB 3 edition.
    Epub,
    /// The proof edition for proofreaders (`<output>-proof.pdf`).
    Proof,
}

/// Where a build reads from and writes to.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The manuscript directory (holding `report.toml`).
    pub manuscript: PathBuf,
    /// The output directory (`dist/`).
    pub out: PathBuf,
    /// The fonts directory (`--fonts`); `None`: searched for (see
    /// [`crate::typeset::fonts::find_dir`]).
    pub fonts: Option<PathBuf>,
    /// The design directory (`--assets`); `None`: the design `report.toml` names, else the
    /// built-in magazine design.
    pub assets: Option<PathBuf>,
    /// The design `--design` names (a built-in design, or a design directory relative to
    /// the working directory), in place of the one `report.toml` names; `--assets` wins.
    pub design: Option<String>,
}

/// A checked manuscript with the design and fonts it will be set in.
pub struct Prepared {
    /// The parsed manuscript, its charts laid out for the design.
    pub manuscript: Manuscript,
    /// The design.
    pub design: Design,
    /// The fonts for its language.
    pub fonts: Arc<FontSet>,
    /// The fonts directory they were loaded from.
    pub fonts_dir: PathBuf,
    /// Where the design and the fonts were found, for `--verbose`.
    pub setup: Vec<String>,
}

impl Prepared {
    /// What the writers are given to render the manuscript's editions.
    pub fn context(&self) -> RenderContext<'_> {
        RenderContext {
            document: &self.manuscript.document,
            manuscript_root: &self.manuscript.root,
            design: &self.design,
            fonts: &self.fonts,
            fonts_dir: &self.fonts_dir,
            output_name: &self.manuscript.config.output,
        }
    }
}

/// One file a build wrote.
#[derive(Debug, Clone)]
pub struct Written {
    /// Where it was written.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: usize,
    /// A short description (e.g. "12 pages").
    pub summary: String,
}

/// What a build did.
#[derive(Debug, Clone, Default)]
pub struct BuildReport {
    /// The files written.
    pub written: Vec<Written>,
    /// Warnings that did not stop the build.
    pub warnings: Vec<Diagnostic>,
    /// Time per stage, in order.
    pub stages: Vec<(&'static str, Duration)>,
    /// Where the design and the fonts were found (printed with `--verbose`).
    pub setup: Vec<String>,
}

/// Told the name of each stage as a build enters it (the progress display).
type ProgressCallback = Box<dyn Fn(&str)>;

/// State kept between builds of one process (watch mode): the fonts are read once and
/// shared, unchanged data tables and text files are not parsed again, unchanged charts
/// keep their layout, and Typst's memoisation carries over, so a
/// rebuild redoes only what changed.
#[derive(Default)]
pub struct Session {
    /// The loaded fonts, with the directory and language they were loaded for.
    fonts: Option<(PathBuf, String, Arc<FontSet>)>,
    front_end: FrontEndCache,
    chart_layouts: LayoutCache,
    progress: Option<ProgressCallback>,
    deny_warnings: bool,
    since: Option<String>,
}

impl Session {
    /// A session with nothing loaded yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Calls `progress` with the name of each stage as it starts (for a progress display).
    pub fn with_progress(mut self, progress: impl Fn(&str) + 'static) -> Self {
        self.progress = Some(Box::new(progress));
        self
    }

    /// Makes every warning an error (`--deny-warnings`): nothing is written when there is one.
    pub fn with_deny_warnings(mut self, deny: bool) -> Self {
        self.deny_warnings = deny;
        self
    }

    /// Makes the proof a change proof: marked with what changed since git revision `since`.
    pub fn with_since(mut self, since: Option<String>) -> Self {
        self.since = since;
        self
    }

    fn stage(&self, name: &str) {
        if let Some(progress) = &self.progress {
            progress(name);
        }
    }

    /// The fonts for `language` from the fonts directory of this build, loaded on first use;
    /// with the directory and how it was found.
    fn fonts(&mut self, options: &BuildOptions, language: &str) -> Result<(Arc<FontSet>, PathBuf, String), Diagnostics> {
        let (dir, how) = crate::typeset::fonts::find_dir(options.fonts.as_deref(), &options.manuscript)?;
        if let Some((loaded_from, loaded_for, fonts)) = &self.fonts
            && *loaded_from == dir
            && loaded_for == language
        {
            return Ok((fonts.clone(), dir, how));
        }
        let fonts = Arc::new(FontSet::load(&dir, language)?);
        self.fonts = Some((dir.clone(), language.to_string(), fonts.clone()));
        Ok((fonts, dir, how))
    }

    /// Parses the manuscript, loads the fonts and checks every character has a glyph.
    pub fn prepare(&mut self, options: &BuildOptions, stages: &mut Vec<(&'static str, Duration)>) -> Result<Prepared, Diagnostics> {
        // An earlier build killed while it replaced its editions is completed (or its staged
        // files removed) first.
        crate::output::recover(&options.out)?;
        self.stage("reading the manuscript and data");
        let started = Instant::now();
        let mut manuscript = match Manuscript::load_cached(&options.manuscript, &mut self.front_end) {
            (Some(manuscript), diagnostics) if !diagnostics.has_errors() => manuscript,
            (partial, mut diagnostics) => {
                // Report characters no font can draw in the same run as the other problems,
                // not only once those are fixed.
                if let Some(partial) = partial
                    && let Ok((fonts, _, _)) = self.fonts(options, &partial.config.language)
                    && let Err(missing) = fonts.check_coverage(&partial.document, &partial.root)
                {
                    diagnostics.0.extend(missing.0);
                }
                return Err(diagnostics);
            }
        };
        let choice = match &options.assets {
            Some(dir) => DesignChoice::Directory(dir.clone()),
            None => match &options.design {
                Some(design) => DesignChoice::from_manuscript(Some(design), std::path::Path::new(".")),
                None => DesignChoice::from_manuscript(manuscript.config.design.as_deref(), &manuscript.root),
            },
        };
        let design = choice
            .load()
            .map_err(|mut errors| {
                // A design named in report.toml is reported where it is named.
                if options.assets.is_none() && options.design.is_none() {
                    let report = manuscript.root.join(crate::manuscript::config::REPORT_FILE);
                    let text = std::fs::read_to_string(&report).unwrap_or_default();
                    for error in &mut errors.0 {
                        error.file = report.clone();
                        error.line = crate::source::line_of_key(&text, "design");
                    }
                }
                errors
            })?
            .for_language(&manuscript.config.language);
        let mut setup = vec![match &choice {
            DesignChoice::BuiltIn(name) => format!("design: built-in `{name}` ({})", design.dir.display()),
            DesignChoice::Directory(dir) => format!("design: {}", dir.display()),
        }];
        stages.push(("parse + data", started.elapsed()));
        let started = Instant::now();
        group_numbers(&mut manuscript, &design)?;
        number_headings(&mut manuscript, &design)?;
        // Display text is cut into words before the charts are laid out: their labels too
        // break between words.
        let own_words = crate::manuscript::display::own_words(&manuscript.root);
        crate::manuscript::display::cut_display_text(&mut manuscript.document, &own_words);
        let notes = chart_layout::lay_out(&mut manuscript.document, design.charts.as_ref(), &manuscript.root, &mut self.chart_layouts)?;
        manuscript.warnings.extend(notes);
        stages.push(("chart layout", started.elapsed()));
        self.stage("loading fonts");
        let started = Instant::now();
        let (fonts, fonts_dir, how) = self.fonts(options, &manuscript.config.language)?;
        setup.push(format!("fonts: {} ({how})", fonts_dir.display()));
        fonts.check_coverage(&manuscript.document, &manuscript.root)?;
        let design_file = design.dir.join(crate::design::DESIGN_FILE);
        let mut unknown = Diagnostics::default();
        for (key, family) in design.families() {
            if !fonts.families().iter().any(|f| f == family) {
                let text = std::fs::read_to_string(&design_file).unwrap_or_default();
                let mut diagnostic =
                    Diagnostic::error(&design_file, format!("the design's font `{family}` (`{key}`) is not among the fonts in {}", fonts_dir.display()))
                        .with_hint(format!("use one of: {}", fonts.families().join(", ")));
                diagnostic.line = crate::source::line_of_value(&text, family);
                unknown.push(diagnostic);
            }
        }
        unknown.into_result(())?;
        stages.push(("fonts", started.elapsed()));
        Ok(Prepared { manuscript, design, fonts, fonts_dir, setup })
    }
}

/// Groups the numbers from the data in thousands as `report.toml` (`[numbers] grouping`)
/// or else the design (`[numbers] grouping` in `design.toml`) asks.
fn group_numbers(manuscript: &mut Manuscript, design: &Design) -> Result<(), Diagnostics> {
    use crate::numbers::grouping::{self, Grouping};
    // report.toml's value was checked with the rest of it; the design's is checked here.
    let chosen = match (manuscript.config.numbers.grouping(), &design.numbers.grouping) {
        (Some(grouping), _) => grouping,
        (None, Some(written)) => Grouping::parse(written).map_err(|message| {
            let file = design.dir.join(crate::design::DESIGN_FILE);
            let mut diagnostic = Diagnostic::error(&file, format!("[numbers] {message}"))
                .with_hint("write grouping = \"none\", \"comma\" or \"thin\" in the design's [numbers]");
            diagnostic.line = std::fs::read_to_string(&file).ok().and_then(|text| crate::source::line_of_key(&text, "grouping"));
            Diagnostics::one(diagnostic)
        })?,
        (None, None) => Grouping::AsTyped,
    };
    grouping::apply(&mut manuscript.document, &manuscript.data, chosen);
    Ok(())
}

/// Numbers the headings as `report.toml` (`heading_numbering`) or else the design
/// (`[headings] numbering`) asks.
fn number_headings(manuscript: &mut Manuscript, design: &Design) -> Result<(), Diagnostics> {
    use crate::manuscript::heading_numbers::{Pattern, number_headings};
    let (written, file) = match &manuscript.config.heading_numbering {
        Some(patterns) => (patterns, manuscript.root.join(crate::manuscript::config::REPORT_FILE)),
        None => (&design.headings.numbering, design.dir.join(crate::design::DESIGN_FILE)),
    };
    let mut patterns = Vec::new();
    for pattern in written {
        // report.toml's patterns were checked with the rest of it; the design's are checked here.
        patterns.push(Pattern::parse(pattern).map_err(|message| {
            let mut diagnostic =
                Diagnostic::error(&file, format!("heading numbering: {message}")).with_hint("write 一 (Chinese numeral) or 1 (Arabic) in each pattern");
            diagnostic.line = std::fs::read_to_string(&file).ok().and_then(|text| crate::source::line_of_value(&text, pattern));
            Diagnostics::one(diagnostic)
        })?);
    }
    number_headings(&mut manuscript.document, &patterns);
    Ok(())
}

/// Parses the manuscript, loads the fonts and checks every character has a glyph.
pub fn prepare(options: &BuildOptions, stages: &mut Vec<(&'static str, Duration)>) -> Result<Prepared, Diagnostics> {
    Session::new().prepare(options, stages)
}

/// Builds the requested editions into the output directory.
pub fn build(options: &BuildOptions, formats: &[Format]) -> Result<BuildReport, Diagnostics> {
    Session::new().build(options, formats)
}

impl Session {
    /// Builds the requested editions into the output directory, reusing this session's state.
    pub fn build(&mut self, options: &BuildOptions, formats: &[Format]) -> Result<BuildReport, Diagnostics> {
        let mut report = BuildReport::default();
        let prepared = self.prepare(options, &mut report.stages)?;
        report.warnings.extend(prepared.manuscript.warnings.iter().cloned());
        report.setup.clone_from(&prepared.setup);
        self.stage("typesetting");
        build_prepared(options, formats, prepared, report, self.deny_warnings, self.since.as_deref())
    }
}

fn build_prepared(
    options: &BuildOptions,
    formats: &[Format],
    prepared: Prepared,
    mut report: BuildReport,
    deny_warnings: bool,
    since: Option<&str>,
) -> Result<BuildReport, Diagnostics> {
    let context = prepared.context();
    let output = &prepared.manuscript.config.output;
    let epub_wanted = formats.contains(&Format::Epub);
    // A change proof: the document marked with what changed since the revision.
    let marked = match since {
        Some(since) if formats.contains(&Format::Proof) => {
            let (old_dir, mut old, label) = crate::changes::earlier_manuscript(&prepared.manuscript.root, since)?;
            // The earlier headings are numbered as the current ones are, so an unchanged
            // heading compares equal (the number is part of its text).
            number_headings(&mut old, &prepared.design).map_err(|errors| crate::changes::relabel_old(errors, old_dir.path(), &label))?;
            let mut marked = context.document.clone();
            let list = crate::changes::mark(&mut marked, &old.document, &label);
            Some((marked, list))
        }
        Some(_) => {
            return Err(Diagnostics::one(Diagnostic::error(&options.manuscript, "--since makes a change proof").with_hint("add --format proof")));
        }
        None => None,
    };
    // Checked for every edition: the proof's footer prints the time too.
    let source_date_epoch = metadata::source_date_epoch().map_err(|message| {
        Diagnostics::one(Diagnostic::error(&options.manuscript, message).with_hint("unset it, or set it to a Unix time such as 1700000000"))
    })?;
    // Render every edition first; write only when all succeeded. The book is laid out once
    // for print: the PDF exports that layout, and the EPUB takes from it only the page each
    // block starts on (its page list), so the EPUB is made beside it, on the other core.
    // The proof lays the book out on its own (a wider sheet, the same lines).
    let mut outputs: Vec<(PathBuf, Vec<u8>, String)> = Vec::new();
    let blocks = context.document.blocks.len();
    let (pages_sent, pages_received) = std::sync::mpsc::channel::<Option<crate::typeset::PrintPages>>();
    let (prints, epub) = std::thread::scope(|scope| {
        let epub = epub_wanted.then(|| {
            let context = &context;
            scope.spawn(move || {
                let started = Instant::now();
                epub::render(context, source_date_epoch, || pages_received.recv().ok().flatten()).map(|epub| (epub, started.elapsed()))
            })
        });
        // Whoever lays out the print edition first tells the EPUB its pages.
        let mut pages_sent = epub_wanted.then_some(pages_sent);
        let mut prints = Vec::new();
        for format in formats.iter().filter(|f| **f != Format::Epub) {
            // The print edition, or the proof: the same pages with proofreaders' marks.
            let mut proof = (*format == Format::Proof).then(|| crate::proof::proof_info(&prepared.manuscript));
            if let Some(proof) = proof.as_mut() {
                // The proof carries the manuscript it shows, for a later change proof.
                let snapshot = crate::snapshot::Snapshot::take(&prepared.manuscript.root, std::slice::from_ref(&options.out), &proof.revision);
                match snapshot {
                    Ok(snapshot) => proof.snapshot = Some(snapshot.to_json()),
                    Err(errors) => {
                        prints.push(Err(errors));
                        break;
                    }
                }
            }
            let mut document = context.document;
            if let (Some(proof), Some((marked, list))) = (proof.as_mut(), marked.as_ref()) {
                proof.changes = Some(list.clone());
                document = marked;
            }
            let started = Instant::now();
            let mut typeset = context.typesetter().typeset(document, proof.as_ref());
            // A change proof lists each change's page and line: the lines are read from the
            // laid-out proof, then printed by a second layout (the list keeps its room).
            if let (Ok(laid_out), Some(list)) = (&typeset, proof.as_mut().and_then(|p| p.changes.as_mut()))
                && crate::changes::number_lines(&laid_out.document, list)
            {
                typeset = context.typesetter().typeset(document, proof.as_ref());
            }
            let typeset = match typeset {
                Ok(typeset) => typeset,
                Err(errors) => {
                    // The build fails: the EPUB need not wait for pages.
                    pages_sent = None;
                    prints.push(Err(errors));
                    break;
                }
            };
            let compile_time = started.elapsed();
            if *format == Format::Pdf
                && let Some(sender) = pages_sent.take()
            {
                let _ = sender.send(Some(typeset.print_pages(blocks)));
            }
            let passes = typeset.layout_summary();
            prints.push(pdf::export(&context, &typeset).map(|pdf| (*format, pdf, typeset.warnings, compile_time, passes)));
        }
        // The EPUB without the print edition: lay the book out for its pages only.
        if let Some(sender) = pages_sent.take() {
            let pages = context.typesetter().typeset(context.document, None).ok().map(|typeset| typeset.print_pages(blocks));
            let _ = sender.send(pages);
        }
        let epub =
            epub.map(|worker| worker.join().unwrap_or_else(|_| Err(Diagnostics::one(Diagnostic::error(&options.out, "the EPUB writer stopped unexpectedly")))));
        (prints, epub)
    });
    for print in prints {
        let (format, pdf, warnings, compile_time, passes) = print?;
        report.stages.push(("typst compile", compile_time));
        report.stages.push(("pdf export", pdf.export_time));
        report.warnings.extend(warnings);
        let (suffix, label) = if format == Format::Proof { ("-proof", ", proof") } else { ("", "") };
        let path = options.out.join(format!("{output}{suffix}.pdf"));
        // More than one layout: what the later layouts were for.
        let balanced = passes;
        outputs.push((path, pdf.bytes, format!("{} pages{label}{balanced}", pdf.pages)));
    }
    if let Some(epub) = epub {
        let (epub, elapsed) = epub?;
        report.stages.push(("build epub", elapsed));
        for warning in epub.warnings {
            if !report.warnings.contains(&warning) {
                report.warnings.push(warning);
            }
        }
        let path = options.out.join(format!("{output}.epub"));
        let summary = format!("{} sections, {} KiB of fonts", epub.sections, epub.font_bytes / 1024);
        outputs.push((path, epub.bytes, summary));
    }
    let mut denied = Diagnostics(report.warnings.clone());
    if deny_warnings && denied.deny_warnings() {
        return Err(denied);
    }
    // All editions are replaced together, or none (see `output::commit`).
    let files: Vec<(&std::path::Path, &[u8])> = outputs.iter().map(|(path, bytes, _)| (path.as_path(), bytes.as_slice())).collect();
    crate::output::commit(&options.out, &files)?;
    for (path, bytes, summary) in outputs {
        report.written.push(Written { path, bytes: bytes.len(), summary });
    }
    Ok(report)
}
