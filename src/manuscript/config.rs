//! `report.toml`: the manuscript's metadata and the ordered list of its text files.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostics::Diagnostic;
use crate::source::{line_of_key, line_of_value_in, toml_diagnostic};

/// The file name of a manuscript's metadata, inside the manuscript directory.
pub const REPORT_FILE: &str = "report.toml";

/// The manuscript the working directory is in: the nearest directory holding
/// [`REPORT_FILE`], from here upwards (as cargo finds `Cargo.toml`), as a relative path
/// (`.`, `..`, `../..`) so messages name its files as the user sees them. `None` when no
/// directory up to the root holds one.
pub fn find_manuscript_upwards() -> Option<std::path::PathBuf> {
    let here = std::env::current_dir().ok()?;
    let mut relative = std::path::PathBuf::from(".");
    for (up, dir) in here.ancestors().enumerate() {
        if dir.join(REPORT_FILE).is_file() {
            return Some(relative);
        }
        relative = if up == 0 { std::path::PathBuf::from("..") } else { relative.join("..") };
    }
    None
}

/// The contents of `report.toml`, as written by the editor.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportConfig {
    /// Main title.
    pub title: String,
    /// Subtitle (optional).
    #[serde(default)]
    pub subtitle: String,
    /// Authors in byline order.
    #[serde(default)]
    pub authors: Vec<String>,
    /// BCP 47 language tag; `zh-CN` when omitted.
    #[serde(default = "default_language")]
    pub language: String,
    /// Publication date, `YYYY-MM-DD`.
    pub date: String,
    /// Publisher (optional).
    #[serde(default)]
    pub publisher: String,
    /// Description for catalogues (optional).
    #[serde(default)]
    pub description: String,
    /// Subject keywords (optional).
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Base name of the output files: `dist/<output>.pdf`, `dist/<output>.epub`.
    pub output: String,
    /// Text files in reading order, relative to the manuscript directory.
    pub files: Vec<PathBuf>,
    /// The design: a built-in design's name (`magazine`) or a design directory, relative
    /// to the manuscript directory; the built-in magazine design when omitted.
    #[serde(default)]
    pub design: Option<String>,
    /// Text files (among `files`) that begin on a new page of the PDF, e.g. the chapters of
    /// a book or the articles of a collection.
    #[serde(default)]
    pub new_page: Vec<PathBuf>,
    /// The lists printed after the 目录 in designs that have one: `"figures"` (图目录)
    /// and `"tables"` (表目录); the EPUB adds them to its navigation.
    #[serde(default)]
    pub lists: Vec<String>,
    /// Heading numbers, one pattern per level (`一` a Chinese numeral, `1` an Arabic one),
    /// overriding the design's `[headings] numbering`; an empty list: no numbers.
    #[serde(default)]
    pub heading_numbering: Option<Vec<String>>,
    /// Spaces typed between Chinese and Latin text: `"auto"` (the default) removes them so
    /// the design spaces the scripts evenly; `"as-typed"` keeps them.
    #[serde(default = "default_spacing")]
    pub spacing: String,
    /// The bibliography cited in the text (`[@key]`): a BibTeX/BibLaTeX `.bib` or hayagriva
    /// `.yaml` file, relative to the manuscript directory.
    #[serde(default)]
    pub bibliography: Option<PathBuf>,
    /// The citation style: `gb-7714-2015-numeric` (default), `gb-7714-2015-author-date`,
    /// `gb-7714-2015-note`, or a `.csl` file relative to the manuscript directory.
    #[serde(default = "default_style")]
    pub style: String,
    /// How numbers from the data print (`[numbers]`): thousands `grouping` (overriding the
    /// design's) and the `sign_check` of words before data references (README: 数字的写法).
    #[serde(default)]
    pub numbers: crate::numbers::NumbersConfig,
}

/// The `spacing` value that keeps typed spaces between Chinese and Latin text.
pub const AS_TYPED: &str = "as-typed";

fn default_spacing() -> String {
    "auto".to_string()
}

fn default_style() -> String {
    "gb-7714-2015-numeric".to_string()
}

/// What [`ReportConfig::load_checked`] found.
#[derive(Debug, Default)]
pub struct Loaded {
    /// The configuration, when the file could be read and parsed.
    pub config: Option<ReportConfig>,
    /// Every problem found (empty when the file is fine).
    pub problems: Vec<Diagnostic>,
    /// The file's text (empty when it could not be read), for locating values.
    pub text: String,
}

fn default_language() -> String {
    "zh-CN".to_string()
}

impl ReportConfig {
    /// Reads `report.toml` and reports every problem, but returns the configuration whenever
    /// it could be parsed (even with invalid values), so the rest of the manuscript can
    /// still be checked in the same run.
    pub fn load_checked(manuscript_dir: &Path) -> Loaded {
        let path = manuscript_dir.join(REPORT_FILE);
        let text = match crate::source::read_text(&path, "the report metadata") {
            Ok(text) => text,
            Err(mut diagnostic) => {
                // Only a file that is not there is missing: a directory that cannot be read
                // keeps the system's reason (permission denied …).
                if std::fs::symlink_metadata(&path).is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound) {
                    diagnostic.message = format!("the manuscript has no {REPORT_FILE}");
                    diagnostic.hint = Some(format!("create {REPORT_FILE} with title, date, output and files (see README.md), or pass --manuscript DIR"));
                }
                return Loaded { config: None, problems: vec![diagnostic], text: String::new() };
            }
        };
        let config: ReportConfig = match toml::from_str(&text) {
            Ok(config) => config,
            Err(error) => return Loaded { config: None, problems: vec![toml_diagnostic(&path, &text, &error)], text },
        };
        let problems = config.validate(&path, &text);
        Loaded { config: Some(config), problems, text }
    }

    /// Every problem of the values (an empty list when they are all fine).
    fn validate(&self, path: &Path, text: &str) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        let mut problem = |key: &str, message: String, hint: &str| {
            let line = line_of_key(text, key);
            let mut diagnostic = Diagnostic::error(path, message).with_hint(hint);
            diagnostic.line = line;
            problems.push(diagnostic);
        };
        if self.title.trim().is_empty() {
            problem("title", "`title` is empty".into(), "give the report a title");
        }
        if self.spacing != "auto" && self.spacing != AS_TYPED {
            problem(
                "spacing",
                format!("`spacing` must be \"auto\" or \"as-typed\", found `{}`", self.spacing),
                "remove the line (spaces between Chinese and Latin text are then set evenly) or write spacing = \"as-typed\"",
            );
        }
        for (key, message) in self.numbers.problems() {
            let hint = match key {
                "grouping" => {
                    "write e.g. grouping = \"none\" (as the National Bureau of Statistics prints), \"comma\" or \"thin\" (GB/T 15835), or remove the line"
                }
                _ => "write sign_check = \"error\" (the default), \"warning\" or \"off\"",
            };
            problem(key, format!("[numbers] {message}"), hint);
        }
        let language_ok = !self.language.is_empty()
            && self.language.split('-').all(|part| !part.is_empty() && part.len() <= 8 && part.chars().all(|c| c.is_ascii_alphanumeric()))
            && self.language.split('-').next().is_some_and(|primary| (2..=3).contains(&primary.len()) && primary.chars().all(|c| c.is_ascii_alphabetic()));
        if !language_ok {
            problem(
                "language",
                format!("`language` must be a language tag such as zh-CN, found `{}`", self.language),
                "write e.g. language = \"zh-CN\" (simplified Chinese), \"zh-TW\" or \"en\"; or remove the line for zh-CN",
            );
        }
        for (key, values) in [("authors", &self.authors), ("keywords", &self.keywords)] {
            if values.iter().any(|v| v.trim().is_empty()) {
                problem(key, format!("`{key}` has an empty entry"), "remove the empty entry");
            }
        }
        if !is_iso_date(&self.date) {
            problem("date", format!("`date` must be written YYYY-MM-DD, found `{}`", self.date), "write e.g. date = \"2021-12-01\"");
        }
        let output_ok =
            !self.output.is_empty() && self.output.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')) && !self.output.starts_with('.');
        // The longest file made from it, `<output>-proof.pdf`, must fit the file systems'
        // 255-byte names: checked here, before typesetting, not when writing.
        let output_ok = output_ok && self.output.len() + "-proof.pdf".len() <= 255;
        if !output_ok {
            problem(
                "output",
                format!("`output` must be a plain file name of at most 245 characters, found `{}`", self.output),
                "use letters, digits, '-', '_' and '.', e.g. output = \"annual-report-2021\"",
            );
        }
        for (key, value, limit) in
            [("title", &self.title, 200), ("subtitle", &self.subtitle, 200), ("publisher", &self.publisher, 200), ("description", &self.description, 4000)]
        {
            let length = value.chars().count();
            if length > limit {
                problem(key, format!("`{key}` has {length} characters; the limit is {limit}"), "shorten it: it is printed and stored in the PDF's metadata");
            }
        }
        for (key, values) in [("authors", &self.authors), ("keywords", &self.keywords)] {
            if values.len() > 100 || values.iter().any(|v| v.chars().count() > 200) {
                problem(key, format!("`{key}` is too long (at most 100 entries of at most 200 characters)"), "shorten the list");
            }
        }
        if self.files.is_empty() {
            problem(
                "files",
                "`files` lists no text files: the manuscript is empty".into(),
                "list the Markdown files in reading order, e.g. files = [\"text/01.md\"]",
            );
        }
        for (index, file) in self.files.iter().enumerate() {
            let escapes = file.is_absolute() || file.components().any(|c| matches!(c, std::path::Component::ParentDir));
            let mut entry_problem = |message: String, hint: &str| {
                let mut diagnostic = Diagnostic::error(path, message).with_hint(hint);
                // Located only when there is a problem: TOML is parsed again to find it.
                diagnostic.line = line_of_value_in(text, Some("files"), &file.to_string_lossy()).or_else(|| line_of_key(text, "files"));
                problems.push(diagnostic);
            };
            if file.as_os_str().is_empty() {
                entry_problem("`files` lists an empty file name".into(), "remove the empty entry");
            } else if escapes {
                entry_problem(
                    format!("text file `{}` is outside the manuscript directory", file.display()),
                    "list files by paths relative to the manuscript directory",
                );
            } else if self.files[..index].contains(file) {
                entry_problem(format!("text file `{}` is listed twice", file.display()), "list every text file once");
            }
        }
        for list in &self.lists {
            if !matches!(list.as_str(), "figures" | "tables") {
                let mut diagnostic = Diagnostic::error(path, format!("`lists` names `{list}`; the lists are \"figures\" (图目录) and \"tables\" (表目录)"))
                    .with_hint("write e.g. lists = [\"figures\", \"tables\"]");
                diagnostic.line = line_of_value_in(text, Some("lists"), list).or_else(|| line_of_key(text, "lists"));
                problems.push(diagnostic);
            }
        }
        for pattern in self.heading_numbering.iter().flatten() {
            if let Err(message) = crate::manuscript::heading_numbers::Pattern::parse(pattern) {
                let mut diagnostic = Diagnostic::error(path, format!("`heading_numbering`: {message}"))
                    .with_hint("write one pattern per level with 一 (Chinese numeral) or 1 (Arabic), e.g. [\"一、\", \"（一）\", \"1. \"]");
                diagnostic.line = line_of_value_in(text, Some("heading_numbering"), pattern).or_else(|| line_of_key(text, "heading_numbering"));
                problems.push(diagnostic);
            }
        }
        for file in &self.new_page {
            if !self.files.contains(file) {
                let mut diagnostic = Diagnostic::error(path, format!("`new_page` lists `{}`, which is not among `files`", file.display()))
                    .with_hint("list under `new_page` only text files that are also listed under `files`");
                diagnostic.line = line_of_value_in(text, Some("new_page"), &file.to_string_lossy()).or_else(|| line_of_key(text, "new_page"));
                problems.push(diagnostic);
            }
        }
        problems
    }
}

fn is_iso_date(date: &str) -> bool {
    chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_ok() && date.len() == 10
}
