//! The front end: a manuscript directory → the [`Document`] model.
//!
//! Reads `report.toml` ([`config`]), the data tables ([`data`], checked by [`rules`] and
//! [`rates`]), then
//! parses every listed Markdown file once ([`markdown`], with [`directives`] and
//! [`images`]). Passes then work on the model, never on the source text: [`citations`]
//! (with the [`bibliography`] named in `report.toml`), [`footnotes`],
//! [`data_refs`], [`numbering`] and the [`checks`]; [`chart_layout`] lays the charts out
//! for a design. All problems of all files are collected before failing, so an editor sees
//! every mistake at once.

pub mod bibliography;
pub(crate) mod cache;
pub(crate) mod chart_layout;
pub(crate) mod checks;
pub(crate) mod citations;
pub mod config;
pub mod data;
pub(crate) mod data_refs;
pub(crate) mod directives;
pub mod display;
pub(crate) mod footnotes;
pub mod heading_numbers;
pub(crate) mod images;
pub(crate) mod markdown;
pub(crate) mod numbering;
pub mod rates;
pub mod rules;
pub(crate) mod spacing;
pub(crate) mod unit_column;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use cache::{FrontEndCache, ParsedFile};
use config::ReportConfig;
use data::DataSet;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::walk;
use crate::model::{Block, BlockKind, Document, Metadata, SourcePos};
use crate::source::{MAX_MANUSCRIPT_BYTES, line_of_key, line_of_value_in, read_text};

/// A loaded manuscript: where it lives, its configuration and its document model.
#[derive(Debug, Clone)]
pub struct Manuscript {
    /// The manuscript directory.
    pub root: PathBuf,
    /// `report.toml` as read.
    pub config: ReportConfig,
    /// The data tables.
    pub data: DataSet,
    /// The parsed document.
    pub document: Document,
    /// Problems that do not stop the build.
    pub warnings: Vec<Diagnostic>,
}

impl Manuscript {
    /// Loads and parses the manuscript in `root`.
    ///
    /// Every part is checked before failing — `report.toml`, each data table, each text
    /// file — so one run reports all the problems it can find. A data table that fails to
    /// load is left out, and references to it are not reported again.
    pub fn load(root: &Path) -> Result<Self, Diagnostics> {
        let (manuscript, diagnostics) = Self::load_checked(root);
        match manuscript {
            Some(manuscript) if !diagnostics.has_errors() => Ok(manuscript),
            _ => Err(diagnostics),
        }
    }

    /// [`Manuscript::load`], returning whatever could be parsed together with every problem
    /// found, so later checks (e.g. fonts) can still run on the text when something else is
    /// wrong and report their problems in the same run. `None` when `report.toml` could not
    /// be read or parsed.
    pub fn load_checked(root: &Path) -> (Option<Self>, Diagnostics) {
        Self::load_cached(root, &mut FrontEndCache::default())
    }

    /// [`Manuscript::load_checked`], keeping in `cache` what later builds of the same
    /// process can reuse (watch mode): the data tables and each unchanged file's parse.
    pub(crate) fn load_cached(root: &Path, cache: &mut FrontEndCache) -> (Option<Self>, Diagnostics) {
        if !root.is_dir() {
            let diagnostic =
                Diagnostic::error(root, "manuscript directory not found").with_hint("pass --manuscript DIR pointing at a directory that holds report.toml");
            return (None, Diagnostics::one(diagnostic));
        }
        let report_path = root.join(config::REPORT_FILE);
        let loaded = ReportConfig::load_checked(root);
        let mut diagnostics = Diagnostics(loaded.problems);
        let (data, data_problems) = cache.data(root, || {
            let (data, mut problems) = DataSet::load_partial(root);
            if let Err(broken) = rules::check(&data) {
                problems.0.extend(broken.0);
            }
            (data, problems.0)
        });
        diagnostics.0.extend(data_problems);
        let Some(config) = loaded.config else {
            return (None, diagnostics);
        };
        let real_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        let mut blocks = Vec::new();
        let mut failed_targets = BTreeSet::new();
        let mut total_bytes = 0u64;
        let mut parsed = 0;
        let mut seen = std::collections::HashSet::new();
        for file in &config.files {
            if file.as_os_str().is_empty() || file.is_absolute() || file.components().any(|c| matches!(c, std::path::Component::ParentDir)) {
                continue; // reported by the configuration check
            }
            if !seen.insert(file) {
                continue; // listed twice: reported by the configuration check, parsed once
            }
            let path = root.join(file);
            let locate = |mut diagnostic: Diagnostic| {
                // Problems of the file as a whole are located where report.toml lists it.
                if diagnostic.line.is_none() {
                    diagnostic.file = report_path.clone();
                    diagnostic.line = line_of_value_in(&loaded.text, Some("files"), &file.to_string_lossy());
                    diagnostic.message = format!("text file `{}`: {}", file.display(), diagnostic.message);
                }
                diagnostic
            };
            if let Ok(real) = path.canonicalize()
                && !real.starts_with(&real_root)
            {
                diagnostics.push(locate(
                    Diagnostic::error(&path, "it is a link to a file outside the manuscript directory")
                        .with_hint("copy the text into the manuscript directory instead of linking to it"),
                ));
                continue;
            }
            let text = match read_text(&path, "this text file") {
                Ok(text) => text,
                Err(mut diagnostic) => {
                    if diagnostic.line.is_none() {
                        diagnostic.hint = Some(format!("it is listed under `files` in {}; check the name or remove it from the list", config::REPORT_FILE));
                    }
                    diagnostics.push(locate(diagnostic));
                    continue;
                }
            };
            total_bytes += text.len() as u64;
            if total_bytes > MAX_MANUSCRIPT_BYTES {
                diagnostics.push(locate(
                    Diagnostic::error(
                        &path,
                        format!("the text files add up to more than {} MiB, the limit for one manuscript", MAX_MANUSCRIPT_BYTES / 1048576),
                    )
                    .with_hint("split the report into several manuscripts (volumes)"),
                ));
                break;
            }
            if config.new_page.contains(file) {
                blocks.push(Block { kind: BlockKind::PageBreak, source: SourcePos { file: file.clone(), line: 1 } });
            }
            let file_parse = cache.parse(root, file, &text, || {
                let (mut problems, mut failed) = (Diagnostics::default(), BTreeSet::new());
                let mut context = markdown::ParseContext { data: &data, diagnostics: &mut problems, failed_targets: &mut failed };
                let parsed = markdown::parse(&text, &mut context, root, file);
                ParsedFile::new(parsed, problems.0, failed)
            });
            blocks.extend(file_parse.blocks);
            diagnostics.0.extend(file_parse.diagnostics);
            failed_targets.extend(file_parse.failed_targets);
            parsed += 1;
        }
        cache.keep_only(&config.files);
        let bibliography = config.bibliography.as_ref().and_then(|file| {
            let lines = (line_of_key(&loaded.text, "bibliography").unwrap_or(1), line_of_key(&loaded.text, "style").unwrap_or(1));
            bibliography::Bibliography::load(root, file, &config.style, &report_path, lines).map_err(|d| diagnostics.push(d)).ok()
        });
        let setting = citations::Setting { bibliography: bibliography.as_ref(), named: config.bibliography.is_some(), language: &config.language };
        citations::resolve(&mut blocks, &setting, root, &mut diagnostics);
        let settings = Settings {
            normalize_spacing: config.spacing != config::AS_TYPED,
            sign_check: config.numbers.sign_check(),
            words: crate::model::script::for_language(&config.language),
        };
        let mut tables_used = run_passes(&mut blocks, &data, root, &failed_targets, &mut diagnostics, settings);
        if blocks.is_empty() && !diagnostics.has_errors() {
            let first = config.files.first().map(|f| f.to_string_lossy().to_string()).unwrap_or_default();
            let mut diagnostic = Diagnostic::error(&report_path, "the manuscript has no text: the files listed under `files` are empty")
                .with_hint("write paragraphs into the files listed under `files`");
            diagnostic.line = line_of_value_in(&loaded.text, Some("files"), &first).or(Some(1));
            diagnostics.push(diagnostic);
        }
        // Which tables the text uses is known only when every text file was read.
        if parsed == config.files.len() {
            walk::blocks(&blocks, &mut |block| {
                if let BlockKind::Table { data_table, .. } | BlockKind::Chart { data_table, .. } = &block.kind {
                    tables_used.insert(data_table.clone());
                }
            });
            diagnostics.0.extend(unused_tables(&data, &tables_used));
        }
        // The same problem met twice at one place (an HTML tag and its closing tag) is one.
        let mut seen = std::collections::HashSet::new();
        diagnostics.0.retain(|d| seen.insert((d.file.clone(), d.line, d.column, d.message.clone())));
        let meta = Metadata {
            title: config.title.clone(),
            subtitle: config.subtitle.clone(),
            authors: config.authors.clone(),
            language: config.language.clone(),
            date: config.date.clone(),
            publisher: config.publisher.clone(),
            description: config.description.clone(),
            keywords: config.keywords.clone(),
            lists: config.lists.clone(),
            display_words: Default::default(),
        };
        let document = Document { meta, blocks };
        let warnings = diagnostics.non_errors();
        let manuscript = Manuscript { root: root.to_path_buf(), config, data, document, warnings };
        (Some(manuscript), diagnostics)
    }
}

/// Parses one Markdown text (`file`, relative to the manuscript directory `root`) and runs
/// every pass on it, as a build does for a whole manuscript: the blocks are numbered and
/// their references resolved against `data`. For tools and tests that work on one text.
/// Citations (`[@key]`) stay unresolved: they need the bibliography `report.toml` names.
pub fn parse_text(text: &str, data: &DataSet, root: &Path, file: &Path) -> (Vec<Block>, Diagnostics) {
    let mut diagnostics = Diagnostics::default();
    let mut failed_targets = BTreeSet::new();
    let mut context = markdown::ParseContext { data, diagnostics: &mut diagnostics, failed_targets: &mut failed_targets };
    let mut blocks = markdown::parse(text, &mut context, root, file);
    run_passes(
        &mut blocks,
        data,
        root,
        &failed_targets,
        &mut diagnostics,
        Settings { normalize_spacing: true, sign_check: crate::numbers::SignCheck::default(), words: &crate::model::script::SIMPLIFIED },
    );
    (blocks, diagnostics)
}

/// What `report.toml` asks of the passes.
#[derive(Debug, Clone, Copy)]
struct Settings {
    /// Remove the spaces typed between Chinese and Latin text (not `spacing = "as-typed"`).
    normalize_spacing: bool,
    /// How a word contradicting the sign of the data after it is reported.
    sign_check: crate::numbers::SignCheck,
    /// The words reportpress prints, in the document's script.
    words: &'static crate::model::script::DocumentWords,
}

/// The front end's passes over the parsed model, in order: footnotes, data references,
/// the spaces between Chinese and Latin text (unless `spacing = "as-typed"`), the
/// printability checks, numbering and cross-references. Returns the data tables the
/// text's references name.
fn run_passes(
    blocks: &mut Vec<Block>,
    data: &DataSet,
    root: &Path,
    failed_targets: &BTreeSet<String>,
    diagnostics: &mut Diagnostics,
    settings: Settings,
) -> BTreeSet<String> {
    footnotes::resolve(blocks, root, diagnostics);
    let tables_used = data_refs::resolve(blocks, data, root, diagnostics, settings.sign_check);
    if settings.normalize_spacing {
        spacing::normalize(blocks);
    }
    diagnostics.0.extend(checks::printable(blocks, root));
    unit_column::fold(blocks);
    crate::model::script::relabel(blocks, settings.words);
    numbering::number(blocks, root, failed_targets, settings.words, diagnostics);
    tables_used
}

/// Warns about every data table that is never referenced in the text, placed as a table,
/// charted or named by another table's rule: its numbers reach no reader.
fn unused_tables(data: &DataSet, used: &BTreeSet<String>) -> Vec<Diagnostic> {
    let mut used = used.clone();
    for table in data.tables.values() {
        for (rule, _) in &table.rules {
            for reference in rule.operands() {
                let parts: Vec<&str> = reference.split('.').collect();
                if let [other, _, _] = parts.as_slice()
                    && *other != table.id
                {
                    used.insert(other.trim().to_string());
                }
            }
        }
    }
    data.tables
        .values()
        .filter(|table| !used.contains(&table.id))
        .map(|table| {
            Diagnostic::warning(&table.path, format!("data table `{}` is never used: no reference, table or chart names it", table.id))
                .at_line(1)
                .with_hint(format!("refer to it as {{{{{}.row.column}}}}, place it with a ```table directive, or delete the file", table.id))
        })
        .collect()
}
