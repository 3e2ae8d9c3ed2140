//! Data tables: the one home of every number in a report.
//!
//! Each table is `data/<id>.toml` in the manuscript: a title, a source note, typed columns
//! with units, and rows given inline or in a CSV file. Values keep the text they were
//! written with (`205.72` stays `205.72`, `31,565` stays `31,565`); numeric columns also
//! carry the parsed number for consistency rules and charts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::diagnostics::{Diagnostic, Diagnostics, io_error};
use crate::numbers::spreadsheet::{self, SheetCell};
use crate::numbers::typed::{self, Reading, Refusal};
pub use crate::numbers::typed::{ColumnKind, Value};
use crate::source::{line_column, toml_diagnostic};

/// A rule as written in a data table file.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum RuleSpec {
    /// The parts add up to the total.
    Sum {
        /// `row.column` (or `table.row.column`) of each part.
        parts: Vec<String>,
        /// The stated total.
        total: String,
    },
    /// Stated percentage shares (or a ratio such as 17.8:27.6:54.6) match the parts.
    Shares {
        /// The parts.
        parts: Vec<String>,
        /// The stated share of each part, in the same order.
        shares: Vec<String>,
    },
    /// `minuend − subtrahend = difference`, e.g. actual growth minus target.
    Difference {
        /// The larger quantity.
        minuend: String,
        /// The quantity taken away.
        subtrahend: String,
        /// The stated difference.
        difference: String,
    },
    /// Growth rate in percent: `(current − previous) ÷ previous × 100 = stated`
    /// ("增长 18.9%"; with `decrease = true`, "下降 18.8%" written without a minus sign).
    Growth {
        /// This period's value.
        current: String,
        /// The value of the period compared with (上年, 上期).
        previous: String,
        /// The stated growth in percent.
        stated: String,
        /// The stated value is a fall written without its minus sign (下降、减少).
        #[serde(default)]
        decrease: bool,
    },
    /// One value as a percentage of another: `part ÷ whole × 100 = stated` ("占 85.7%").
    #[serde(alias = "share-of", alias = "share_of")]
    Ratio {
        /// The part.
        part: String,
        /// The whole it is a share of.
        whole: String,
        /// The stated percentage.
        stated: String,
    },
    /// A change in percentage points: `current − previous = stated` ("提高 12.4 个百分点").
    Change {
        /// This period's percentage.
        current: String,
        /// The percentage compared with.
        previous: String,
        /// The stated change in percentage points.
        stated: String,
        /// The stated value is a fall written without its minus sign (下降、回落).
        #[serde(default)]
        decrease: bool,
    },
    /// A multiple: `value ÷ base = stated` ("是上年的 1.2 倍").
    Multiple {
        /// The value.
        value: String,
        /// The value it is a multiple of.
        base: String,
        /// The stated multiple.
        stated: String,
    },
    /// Compound annual growth in percent: `((last ÷ first)^(1/years) − 1) × 100 = stated`
    /// ("年均增长 8.5%"); the years are `years = 5`, or `from = 2020` and `to = 2025`.
    Cagr {
        /// The value of the first year.
        first: String,
        /// The value of the last year.
        last: String,
        /// The number of years between them.
        #[serde(default)]
        years: Option<u32>,
        /// The first year (with `to`, instead of `years`).
        #[serde(default)]
        from: Option<i64>,
        /// The last year (with `from`, instead of `years`).
        #[serde(default)]
        to: Option<i64>,
        /// The stated average annual growth in percent.
        stated: String,
    },
}

impl RuleSpec {
    /// Every `row.column` / `table.row.column` the rule names.
    pub fn operands(&self) -> Vec<&str> {
        match self {
            RuleSpec::Sum { parts, total } => parts.iter().chain(std::iter::once(total)).map(String::as_str).collect(),
            RuleSpec::Shares { parts, shares } => parts.iter().chain(shares).map(String::as_str).collect(),
            RuleSpec::Difference { minuend, subtrahend, difference } => vec![minuend, subtrahend, difference],
            RuleSpec::Growth { current, previous, stated, .. } | RuleSpec::Change { current, previous, stated, .. } => vec![current, previous, stated],
            RuleSpec::Ratio { part, whole, stated } => vec![part, whole, stated],
            RuleSpec::Multiple { value, base, stated } => vec![value, base, stated],
            RuleSpec::Cagr { first, last, stated, .. } => vec![first, last, stated],
        }
    }
}

/// A growth rule written once for every row of a table: `growth = { current = "2025年",
/// previous = "2024年", stated = "增速" }` names three columns; each row with numbers in all
/// three is checked as a [`RuleSpec::Growth`].
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableGrowth {
    /// The column of this period's values.
    pub current: String,
    /// The column of the values compared with.
    pub previous: String,
    /// The column of the stated growth rates (percent).
    pub stated: String,
    /// The stated rates are falls written without a minus sign.
    #[serde(default)]
    pub decrease: bool,
}

/// The error for `file = "NAME"` naming no file: where it was looked for, and the files of
/// that folder a mistyped name may have meant.
fn missing_rows_file(table: &Path, line: usize, name: &str, looked: &Path, manuscript_root: &Path) -> Diagnostic {
    let shown = looked.strip_prefix(manuscript_root).unwrap_or(looked);
    let folder = looked.parent().unwrap_or(manuscript_root);
    let mut near: Vec<(f64, String)> = std::fs::read_dir(folder)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|f| is_spreadsheet(Path::new(f)) || f.to_ascii_lowercase().ends_with(".csv"))
                .map(|f| (strsim::normalized_levenshtein(&f.to_lowercase(), &name.to_lowercase()), f))
                .collect()
        })
        .unwrap_or_default();
    near.sort_by(|a, b| b.0.total_cmp(&a.0));
    let hint = match near.first() {
        Some((score, file)) if *score > 0.5 => format!("did you mean file = \"{file}\"? Otherwise copy the file there"),
        _ if near.is_empty() => format!(
            "copy the CSV or spreadsheet into {} (no CSV or spreadsheet is there now)",
            crate::diagnostics::bounded(&folder.strip_prefix(manuscript_root).unwrap_or(folder).display().to_string(), 80)
        ),
        _ => format!("the CSV and spreadsheet files there: {}", near.iter().take(8).map(|(_, f)| f.as_str()).collect::<Vec<_>>().join(", ")),
    };
    Diagnostic::error(table, format!("`file = \"{}\"`: there is no such file (looked for {})", crate::diagnostics::bounded(name, 80), shown.display()))
        .at_line(line)
        .with_hint(hint)
}

/// Largest number of rows one table may have; larger inputs are refused with a clear limit.
pub const MAX_ROWS: usize = 100_000;

/// The directory of data tables inside a manuscript.
pub const DATA_DIR: &str = "data";

/// A value column of a table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    /// Column heading, used in references (`{{table.row.column}}`).
    pub name: String,
    /// The kind of value.
    #[serde(rename = "type", default = "default_kind")]
    pub kind: ColumnKind,
    /// Unit printed in the heading, e.g. `亿元` (percent columns show `%`).
    #[serde(default)]
    pub unit: String,
}

fn default_kind() -> ColumnKind {
    ColumnKind::Number
}

impl Column {
    /// The heading as printed: the name with its unit, e.g. `增加值（亿元）`.
    pub fn heading(&self) -> String {
        match (self.kind, self.unit.as_str()) {
            (ColumnKind::Percent, "") => format!("{}（%）", self.name),
            (_, "") => self.name.clone(),
            (_, unit) => format!("{}（{unit}）", self.name),
        }
    }

    /// The unit of the column's values (`%` for percentages).
    pub fn value_unit(&self) -> &str {
        if self.kind == ColumnKind::Percent && self.unit.is_empty() { "%" } else { &self.unit }
    }
}

/// One row: its key and one value per column.
#[derive(Debug, Clone)]
pub struct Row {
    /// The row key (first column).
    pub key: String,
    /// Values, one per column.
    pub values: Vec<Value>,
    /// 1-based line of the row in its file.
    pub line: usize,
}

/// A loaded data table.
#[derive(Debug, Clone)]
pub struct DataTable {
    /// Table id (file stem).
    pub id: String,
    /// Default caption.
    pub title: String,
    /// Source note (资料来源).
    pub source: String,
    /// Heading of the row-key column.
    pub key: String,
    /// Value columns.
    pub columns: Vec<Column>,
    /// Rows in file order.
    pub rows: Vec<Row>,
    /// The TOML file that declares the table.
    pub path: PathBuf,
    /// Rules declared with the table, with their lines.
    pub rules: Vec<(RuleSpec, usize)>,
    /// The growth rule declared for every row (`growth = {…}`), with its line.
    pub growth: Option<(TableGrowth, usize)>,
    /// The file that holds the rows (the lines of [`Row::line`]): the table file itself, or
    /// the CSV or spreadsheet it names.
    pub rows_file: PathBuf,
}

impl DataTable {
    /// The index of a column by name.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    /// The row with the given key.
    pub fn row(&self, key: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.key == key)
    }

    /// The value at `row`, `column`.
    pub fn value(&self, row: &str, column: &str) -> Result<&Value, LookupError> {
        let row_data = self.row(row).ok_or_else(|| {
            LookupError::Unknown(format!("table `{}` has no row `{row}` (rows: {})", self.id, list(self.rows.iter().map(|r| r.key.as_str()))))
        })?;
        let index = self.column_index(column).ok_or_else(|| {
            LookupError::Unknown(format!("table `{}` has no column `{column}` (columns: {})", self.id, list(self.columns.iter().map(|c| c.name.as_str()))))
        })?;
        Ok(&row_data.values[index])
    }
}

/// Why a `table.row.column` reference, or a table id, names no value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupError {
    /// The table exists in `data/` but failed to load; its own errors say why, so a
    /// reference to it is not reported again.
    BrokenTable(String),
    /// No such table, row or column, or a reference not of the form `table.row.column`:
    /// the message names what is there.
    Unknown(String),
}

impl std::fmt::Display for LookupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LookupError::BrokenTable(id) => write!(f, "data table `{id}` could not be loaded (see its errors)"),
            LookupError::Unknown(message) => f.write_str(message),
        }
    }
}

/// Joins names for a message, shortening long lists.
pub fn list<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.collect();
    if names.len() > 12 { format!("{} … and {} more", names[..12].join("、"), names.len() - 12) } else { names.join("、") }
}

/// All data tables of a manuscript, by id.
#[derive(Debug, Clone, Default)]
pub struct DataSet {
    /// Tables by id.
    pub tables: BTreeMap<String, DataTable>,
    /// Ids of tables whose file exists but could not be loaded (their errors are reported
    /// once; references to them are not reported again).
    pub broken: std::collections::BTreeSet<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TableFile {
    title: String,
    #[serde(default)]
    source: String,
    key: String,
    columns: Vec<Column>,
    #[serde(default)]
    rows: Option<Vec<Spanned<Vec<Spanned<toml::Value>>>>>,
    #[serde(default)]
    file: Option<Spanned<String>>,
    /// The worksheet of a spreadsheet `file` (default: the first).
    #[serde(default)]
    sheet: Option<String>,
    #[serde(default)]
    rules: Vec<Spanned<RuleSpec>>,
    /// One growth rule for every row.
    #[serde(default)]
    growth: Option<Spanned<TableGrowth>>,
    /// The thousands separator the table's numbers are written with (`","`): numbers written
    /// that way are then expected, and no note is made of them.
    #[serde(default)]
    thousands: Option<Spanned<String>>,
}

impl DataSet {
    /// Loads every `data/*.toml` of the manuscript (none is fine: a report may have no data).
    pub fn load(manuscript_root: &Path) -> Result<Self, Diagnostics> {
        let (set, diagnostics) = Self::load_partial(manuscript_root);
        diagnostics.into_result(set)
    }

    /// Loads every table that can be loaded, and returns every problem found (errors and
    /// notes), so that the rest of the manuscript can be checked in the same run.
    pub fn load_partial(manuscript_root: &Path) -> (Self, Diagnostics) {
        let dir = manuscript_root.join(DATA_DIR);
        let mut set = DataSet::default();
        let mut diagnostics = Diagnostics::default();
        if !dir.is_dir() {
            return (set, diagnostics);
        }
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) => return (set, Diagnostics::one(io_error(&dir, "read the data directory", &e))),
        };
        let mut paths: Vec<PathBuf> =
            entries.filter_map(|entry| entry.ok().map(|e| e.path())).filter(|path| path.extension().is_some_and(|ext| ext == "toml")).collect();
        paths.sort();
        for path in paths {
            match load_table(&path, &dir, manuscript_root) {
                Ok((table, notes)) => {
                    diagnostics.0.extend(notes);
                    set.tables.insert(table.id.clone(), table);
                }
                Err(problems) => {
                    if let Some(id) = path.file_stem().and_then(|s| s.to_str()) {
                        set.broken.insert(id.to_string());
                    }
                    diagnostics.0.extend(problems.0)
                }
            }
        }
        (set, diagnostics)
    }

    /// Looks up a `table.row.column` reference.
    pub fn lookup(&self, reference: &str) -> Result<&Value, LookupError> {
        let parts: Vec<&str> = reference.split('.').map(str::trim).collect();
        let [table, row, column] = parts.as_slice() else {
            return Err(LookupError::Unknown(format!("`{reference}` is not of the form table.row.column")));
        };
        self.table(table)?.value(row, column)
    }

    /// The table with the given id, or why there is none (listing the known ids).
    pub fn table(&self, id: &str) -> Result<&DataTable, LookupError> {
        self.tables.get(id).ok_or_else(|| {
            if self.broken.contains(id) {
                LookupError::BrokenTable(id.to_string())
            } else if self.tables.is_empty() {
                LookupError::Unknown(format!("there is no data table `{id}` (the manuscript has no data/ directory)"))
            } else {
                LookupError::Unknown(format!("there is no data table `{id}` (tables: {})", list(self.tables.keys().map(String::as_str))))
            }
        })
    }
}

/// What the cells of one table tell beyond their values: the cells read in another form
/// than typed (one note for the table) and the spreadsheet cells that do not print as the
/// spreadsheet shows them (a warning each).
#[derive(Debug, Default)]
struct Readings {
    normalised: Vec<Normalised>,
    warnings: Vec<Diagnostic>,
}

/// A value that was read in another form than typed, for the table's note.
#[derive(Debug, Clone)]
struct Normalised {
    /// The cell as typed.
    typed: String,
    /// The number read.
    number: f64,
    /// The cell as printed.
    printed: String,
    /// What was read in another form.
    readings: Vec<Reading>,
    /// Where: the file and line of the cell.
    file: PathBuf,
    line: usize,
}

/// Loads one data table file: the table and its notes, or every problem found in it.
fn load_table(path: &Path, dir: &Path, manuscript_root: &Path) -> Result<(DataTable, Vec<Diagnostic>), Diagnostics> {
    let id = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        return Err(Diagnostics::one(
            Diagnostic::error(path, format!("data table name `{id}` must use ASCII letters, digits, '_' or '-'"))
                .at_line(1)
                .with_hint("rename the file, e.g. data/gdp_2021.toml"),
        ));
    }
    if let Err(message) = inside(manuscript_root, path) {
        return Err(Diagnostics::one(
            Diagnostic::error(path, message).at_line(1).with_hint("copy the data table into the manuscript's data/ directory instead of linking to it"),
        ));
    }
    let text = crate::source::read_text(path, "this data table").map_err(|d| Diagnostics::one(d.at_line_if_unknown(1)))?;
    let file: TableFile = toml::from_str(&text).map_err(|e| Diagnostics::one(toml_diagnostic(path, &text, &e)))?;
    let mut problems = Vec::new();
    let columns_line = crate::source::line_of_key(&text, "columns").unwrap_or(1);
    for (index, column) in file.columns.iter().enumerate() {
        if let Some(bad) = column.name.chars().find(|c| matches!(c, '.' | '{' | '}')) {
            problems.push(
                Diagnostic::error(path, format!("column name `{}` contains `{bad}`", column.name))
                    .at_line(columns_line)
                    .with_hint("references use '.' to separate table, row and column; remove it from the name"),
            );
        }
        if file.columns[..index].iter().any(|c| c.name == column.name) {
            problems.push(
                Diagnostic::error(path, format!("column `{}` is declared twice", column.name))
                    .at_line(columns_line)
                    .with_hint("give every column its own name"),
            );
        }
    }
    let mut normalised = Readings::default();
    let rows_file = match (&file.rows, &file.file) {
        (None, Some(name)) => dir.join(name.get_ref()),
        _ => path.to_path_buf(),
    };
    let rows = match (&file.rows, &file.file) {
        (Some(rows), None) => inline_rows(path, &text, &file.columns, rows, &mut problems, &mut normalised),
        (None, Some(csv_file)) => {
            let (line, _) = line_column(&text, csv_file.span().start);
            let name = Path::new(csv_file.get_ref());
            let csv_path = dir.join(name);
            let escapes = name.as_os_str().is_empty() || name.is_absolute() || name.components().any(|c| matches!(c, std::path::Component::ParentDir));
            match (escapes, inside(manuscript_root, &csv_path)) {
                (true, _) => {
                    problems.push(
                        Diagnostic::error(path, format!("`file = \"{}\"` must name a CSV file inside data/", csv_file.get_ref()))
                            .at_line(line)
                            .with_hint("put the CSV next to the table file and give its plain name, e.g. file = \"gdp.csv\""),
                    );
                    Vec::new()
                }
                (false, Err(message)) => {
                    problems.push(
                        Diagnostic::error(path, format!("`file = \"{}\"`: {message}", csv_file.get_ref()))
                            .at_line(line)
                            .with_hint("copy the CSV into data/ instead of linking to it"),
                    );
                    Vec::new()
                }
                (false, Ok(())) if std::fs::symlink_metadata(&csv_path).is_err() => {
                    problems.push(missing_rows_file(path, line, csv_file.get_ref(), &csv_path, manuscript_root));
                    Vec::new()
                }
                (false, Ok(())) if is_spreadsheet(&csv_path) => {
                    let sheet_line = crate::source::line_of_key(&text, "sheet").unwrap_or(line);
                    let sheet = file.sheet.as_deref().map(|name| (name, sheet_line));
                    let source = RowsFile { path: &csv_path, key: &file.key, columns: &file.columns, named_in: path, named_at: line };
                    sheet_rows(&source, sheet, &mut problems, &mut normalised)
                }
                (false, Ok(())) => {
                    let source = RowsFile { path: &csv_path, key: &file.key, columns: &file.columns, named_in: path, named_at: line };
                    csv_rows(&source, &mut problems, &mut normalised)
                }
            }
        }
        (Some(_), Some(_)) => {
            problems.push(
                Diagnostic::error(path, "the table has both `rows` and `file`")
                    .at_line(crate::source::line_of_key(&text, "file").unwrap_or(1))
                    .with_hint("keep one source of rows"),
            );
            Vec::new()
        }
        (None, None) => {
            problems.push(Diagnostic::error(path, "the table has no rows").at_line(1).with_hint("add `rows = [[…]]` or `file = \"table.csv\"`"));
            Vec::new()
        }
    };
    let mut keys = std::collections::HashSet::new();
    for row in &rows {
        if !keys.insert(row.key.as_str()) {
            problems.push(
                Diagnostic::error(path, format!("row `{}` appears twice", row.key))
                    .at_line(row.line)
                    .with_hint("row keys must be unique: references name rows by key"),
            );
        }
        if row.key.contains(['.', '{', '}']) {
            problems.push(
                Diagnostic::error(path, format!("row key `{}` contains '.', '{{' or '}}'", row.key))
                    .at_line(row.line)
                    .with_hint("references use '.' as separator; remove it from the key"),
            );
        }
    }
    let rules = file
        .rules
        .into_iter()
        .map(|rule| {
            let (line, _) = line_column(&text, rule.span().start);
            (rule.into_inner(), line)
        })
        .collect();
    if !problems.is_empty() {
        return Err(Diagnostics(problems));
    }
    if let Some(separator) = &file.thousands {
        if matches!(separator.get_ref().as_str(), "," | " " | "\u{2009}" | "'") {
            for entry in &mut normalised.normalised {
                if entry.typed.contains(separator.get_ref().as_str()) {
                    entry.readings.retain(|r| *r != Reading::Grouped);
                }
            }
            normalised.normalised.retain(|entry| !entry.readings.is_empty());
        } else {
            let (line, _) = line_column(&text, separator.span().start);
            return Err(Diagnostics::one(
                Diagnostic::error(path, format!("`thousands = \"{}\"` is not a thousands separator reportpress reads", separator.get_ref()))
                    .at_line(line)
                    .with_hint("write thousands = \",\" (or \" \", \"'\", a thin space), or remove the line"),
            ));
        }
    }
    let growth = file.growth.map(|growth| {
        let (line, _) = line_column(&text, growth.span().start);
        (growth.into_inner(), line)
    });
    if let Some((growth, line)) = &growth {
        for name in [&growth.current, &growth.previous, &growth.stated] {
            if !file.columns.iter().any(|c| &c.name == name) {
                return Err(Diagnostics::one(
                    Diagnostic::error(path, format!("`growth` names the column `{name}`, which the table does not have"))
                        .at_line(*line)
                        .with_hint(format!("the columns are: {}", list(file.columns.iter().map(|c| c.name.as_str())))),
                ));
            }
        }
    }
    let mut notes: Vec<Diagnostic> = normalised_note(&id, &normalised.normalised).into_iter().collect();
    notes.extend(normalised.warnings);
    let table = DataTable {
        id,
        title: file.title,
        source: file.source,
        key: file.key,
        columns: file.columns,
        rows,
        path: path.to_path_buf(),
        rules,
        growth,
        rows_file,
    };
    Ok((table, notes))
}

/// Checks that `path`, with symlinks followed, stays inside the manuscript directory.
/// A path that does not exist passes (reading it reports that).
fn inside(manuscript_root: &Path, path: &Path) -> Result<(), String> {
    match (path.canonicalize(), manuscript_root.canonicalize()) {
        (Ok(real), Ok(root)) if !real.starts_with(&root) => Err("it is a link to a file outside the manuscript directory".to_string()),
        _ => Ok(()),
    }
}

/// One note per table listing values read in another form than written (thousands
/// separators, full-width digits …): they print as written but compute as read.
fn normalised_note(id: &str, normalised: &[Normalised]) -> Option<Diagnostic> {
    let first = normalised.first()?;
    let examples: Vec<String> = normalised
        .iter()
        .take(3)
        .map(|entry| {
            let printed = if entry.printed == entry.typed { String::new() } else { format!(", printed {}", entry.printed) };
            format!("`{}` read as {}{printed}", entry.typed, plain_number(entry.number))
        })
        .collect();
    let more = if normalised.len() > 3 { format!(" and {} more", normalised.len() - 3) } else { String::new() };
    let mut hints = Vec::new();
    let all = || normalised.iter().flat_map(|entry| entry.readings.iter());
    if all().any(|r| matches!(r, Reading::UnitDropped(_))) {
        hints.push("a cell's own unit (the % of a percent column, the column's unit) is not printed: the heading and the text print it");
    }
    if all().any(|r| matches!(r, Reading::FullWidth)) {
        hints.push("full-width digits print half-width (GB/T 15835)");
    }
    if all().any(|r| matches!(r, Reading::Grouped)) {
        hints.push(
            "thousands separators print as typed (declare thousands = \",\" in the table file if that is the style, or set [numbers] grouping in report.toml)",
        );
    }
    if all().any(|r| matches!(r, Reading::Plus | Reading::Minus)) {
        hints.push("a + is not printed; − and – are read as a minus and print as typed");
    }
    Some(
        Diagnostic::note(&first.file, format!("table `{id}`: {}{more}", examples.join(", ")))
            .at_line(first.line)
            .with_hint(format!("{} (README: 数字的写法)", hints.join("; "))),
    )
}

/// A number without float noise or exponent.
fn plain_number(number: f64) -> String {
    let text = format!("{number:.6}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn inline_rows(
    path: &Path,
    text: &str,
    columns: &[Column],
    rows: &[Spanned<Vec<Spanned<toml::Value>>>],
    problems: &mut Vec<Diagnostic>,
    normalised: &mut Readings,
) -> Vec<Row> {
    if rows.len() > MAX_ROWS {
        problems.push(
            Diagnostic::error(path, format!("the table has {} rows; the limit is {MAX_ROWS}", rows.len()))
                .at_line(crate::source::line_of_key(text, "rows").unwrap_or(1))
                .with_hint("split the table"),
        );
        return Vec::new();
    }
    let mut out = Vec::new();
    for row in rows {
        let (line, _) = line_column(text, row.span().start);
        let cells = row.get_ref();
        if cells.len() != columns.len() + 1 {
            problems.push(
                Diagnostic::error(path, format!("this row has {} cells; the table has a key and {} columns", cells.len(), columns.len()))
                    .at_line(line)
                    .with_hint("give every row its key followed by one value per column (\"\" for none)"),
            );
            continue;
        }
        let texts: Vec<(SheetCell, usize)> = cells
            .iter()
            .map(|cell| {
                let (cell_line, _) = line_column(text, cell.span().start);
                let written = match cell.get_ref() {
                    toml::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (SheetCell::Typed(written), cell_line)
            })
            .collect();
        if let Some(row) = make_row(path, columns, &texts, line, problems, normalised) {
            out.push(row);
        }
    }
    out
}

/// A CSV file or worksheet that holds a table's rows, and where the table names it.
struct RowsFile<'a> {
    /// The CSV or spreadsheet file.
    path: &'a Path,
    /// Heading of the row-key column.
    key: &'a str,
    /// The declared value columns.
    columns: &'a [Column],
    /// The table file whose `file =` names it.
    named_in: &'a Path,
    /// The line of that `file =`.
    named_at: usize,
}

impl RowsFile<'_> {
    /// The header row the declaration expects: the key heading, then the column names.
    fn expected_header(&self) -> Vec<String> {
        std::iter::once(self.key.to_string()).chain(self.columns.iter().map(|c| c.name.clone())).collect()
    }

    /// Checks a header row (row 1) against the declaration.
    fn header_matches(&self, found: &[String], problems: &mut Vec<Diagnostic>) -> bool {
        let expected = self.expected_header();
        if let Some(duplicate) = found.iter().enumerate().find(|(i, h)| found[..*i].contains(h)).map(|(_, h)| h) {
            problems.push(Diagnostic::error(self.path, format!("the header names `{duplicate}` twice")).at_line(1).with_hint("give every column its own name"));
            return false;
        }
        if found != expected.as_slice() {
            problems.push(
                Diagnostic::error(self.path, format!("the header is `{}`, but {} declares `{}`", found.join(","), self.named_in.display(), expected.join(",")))
                    .at_line(1)
                    .with_hint("make the header row the key heading followed by the column names, in order"),
            );
            return false;
        }
        true
    }
}

/// Whether a data file is a spreadsheet (read with `calamine`) rather than CSV.
/// Most cells a worksheet may span (rows × columns up to its last cell): the spreadsheet
/// reader allocates every cell of that rectangle, so one stray cell at `XFD1048576` asked
/// for 512 GiB. 5 million cells (100 000 rows of 50 columns) take some 160 MB.
pub const MAX_SHEET_CELLS: u64 = 5_000_000;
/// Most bytes a spreadsheet may hold once unpacked: a 1.5 MB zip bomb unpacked to 3 GB.
pub const MAX_SPREADSHEET_UNPACKED: u64 = 128 * 1024 * 1024;

/// Checks, before the spreadsheet reader allocates anything, that the file is a regular file
/// (a FIFO would block forever), that a zipped workbook (`.xlsx`, `.xlsm`, `.ods`) unpacks to
/// at most [`MAX_SPREADSHEET_UNPACKED`], and that no worksheet of an `.xlsx` spans more than
/// [`MAX_SHEET_CELLS`] (read from the cell references as the sheet streams by). The error
/// continues "the spreadsheet <file> …".
fn spreadsheet_fits(path: &Path) -> Result<(), String> {
    let metadata = std::fs::metadata(path).map_err(|e| format!("cannot be read: {e}"))?;
    if !metadata.is_file() {
        return Err("is not a regular file".into());
    }
    if metadata.len() > crate::source::MAX_TEXT_BYTES {
        return Err(format!("is {:.1} MiB; the limit is {} MiB", metadata.len() as f64 / 1048576.0, crate::source::MAX_TEXT_BYTES / 1048576));
    }
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    if !matches!(extension.as_str(), "xlsx" | "xlsm" | "ods") {
        return Ok(());
    }
    let file = std::fs::File::open(path).map_err(|e| format!("cannot be read: {e}"))?;
    // Not a zip: the spreadsheet reader says what is wrong with it.
    let Ok(mut zip) = zip::ZipArchive::new(file) else { return Ok(()) };
    let mut unpacked = 0u64;
    for index in 0..zip.len() {
        let entry = zip.by_index(index).map_err(|e| format!("is damaged: {e}"))?;
        unpacked = unpacked.saturating_add(entry.size());
        if unpacked > MAX_SPREADSHEET_UNPACKED {
            return Err(format!("unpacks to more than {} MiB", MAX_SPREADSHEET_UNPACKED / 1048576));
        }
        let name = entry.name().to_string();
        if name.starts_with("xl/worksheets/") && name.ends_with(".xml") {
            let (rows, columns) = sheet_extent(std::io::BufReader::new(std::io::Read::take(entry, MAX_SPREADSHEET_UNPACKED)))?;
            if rows.saturating_mul(columns) > MAX_SHEET_CELLS {
                return Err(format!(
                    "has a worksheet ({name}) reaching row {rows} and column {columns}: {} cells, the limit is {}",
                    rows.saturating_mul(columns),
                    MAX_SHEET_CELLS
                ));
            }
        }
    }
    Ok(())
}

/// The last row and column any cell of an `.xlsx` worksheet names (`<c r="XFD1048576">`).
fn sheet_extent(reader: impl std::io::BufRead) -> Result<(u64, u64), String> {
    use quick_xml::events::Event;
    let mut xml = quick_xml::Reader::from_reader(reader);
    let (mut rows, mut columns) = (0u64, 0u64);
    let mut buffer = Vec::new();
    loop {
        match xml.read_event_into(&mut buffer).map_err(|e| format!("has a damaged worksheet: {e}"))? {
            Event::Start(cell) | Event::Empty(cell) if cell.local_name().as_ref() == b"c" => {
                if let Some(Ok(reference)) =
                    cell.attributes().filter_map(Result::ok).find(|a| a.key.local_name().as_ref() == b"r").map(|a| a.unescape_value().map(|v| v.into_owned()))
                {
                    let letters: String = reference.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
                    let column = letters.chars().fold(0u64, |n, c| n.saturating_mul(26).saturating_add(u64::from(c.to_ascii_uppercase() as u8 - b'A' + 1)));
                    let row: u64 = reference[letters.len()..].parse().unwrap_or(0);
                    rows = rows.max(row);
                    columns = columns.max(column);
                }
            }
            Event::Eof => return Ok((rows, columns)),
            _ => {}
        }
        buffer.clear();
    }
}

fn is_spreadsheet(path: &Path) -> bool {
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    matches!(extension.as_str(), "xlsx" | "xlsm" | "xlsb" | "xls" | "ods")
}

/// Rows of a worksheet (Excel or WPS `.xlsx`, `.xls`, LibreOffice `.ods`): row 1 is the
/// header, like a CSV file. Errors name the file and the sheet's row number. A number cell
/// prints as the spreadsheet shows it, through its number format ([`spreadsheet`]).
fn sheet_rows(source: &RowsFile<'_>, sheet: Option<(&str, usize)>, problems: &mut Vec<Diagnostic>, normalised: &mut Readings) -> Vec<Row> {
    use calamine::{Data, Reader, open_workbook_auto};
    let (path, toml_path, toml_line) = (source.path, source.named_in, source.named_at);
    if let Err(message) = spreadsheet_fits(path) {
        problems.push(
            Diagnostic::error(toml_path, format!("the spreadsheet {} {message}", path.display()))
                .at_line(toml_line)
                .with_hint("keep one table of at most 100 000 rows per sheet; delete stray cells far from the table (Ctrl+End shows the last one)"),
        );
        return Vec::new();
    }
    let mut workbook = match open_workbook_auto(path) {
        Ok(workbook) => workbook,
        Err(error) => {
            problems.push(
                Diagnostic::error(toml_path, format!("cannot read the spreadsheet {}: {error}", path.display()))
                    .at_line(toml_line)
                    .with_hint("save it again as .xlsx (or export CSV) and check the file name"),
            );
            return Vec::new();
        }
    };
    let names = workbook.sheet_names().to_vec();
    let sheet_line = sheet.map_or(toml_line, |(_, line)| line);
    let Some(name) = sheet.map(|(name, _)| name.to_string()).or_else(|| names.first().cloned()) else {
        problems.push(Diagnostic::error(path, "the workbook has no worksheet").at_line(1));
        return Vec::new();
    };
    let range = match workbook.worksheet_range(&name) {
        Ok(range) => range,
        Err(error) => {
            problems.push(
                Diagnostic::error(toml_path, format!("worksheet `{name}` of {}: {error}", path.display()))
                    .at_line(sheet_line)
                    .with_hint(format!("the sheets are: {}", names.join("、"))),
            );
            return Vec::new();
        }
    };
    // Each cell's number format (the styles of .xlsx workbooks; none for other kinds).
    let styles = workbook.worksheet_style(&name).unwrap_or_else(|_| calamine::StyleRange::empty());
    let format_at = |row: u32, column: u32| styles.get((row, column)).and_then(|style| style.number_format.as_ref()).map(|f| f.format_code.clone());
    let text = |cell: &Data| -> String {
        match spreadsheet::read_cell(cell, None, ColumnKind::Text, "", "") {
            SheetCell::Typed(text) => text,
            SheetCell::Read { value, .. } => value.written,
            SheetCell::Refused(_) => cell.to_string(),
        }
    };
    let (first_row, first_column) = range.start().unwrap_or((0, 0));
    let mut rows = range.rows();
    let width = source.columns.len() + 1;
    let found: Vec<String> = rows.next().map(|header| header.iter().map(text).collect()).unwrap_or_default();
    let found: Vec<String> = found.into_iter().rev().skip_while(String::is_empty).collect::<Vec<_>>().into_iter().rev().collect();
    if !source.header_matches(&found, problems) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (offset, cells) in rows.enumerate() {
        let line = first_row as usize + offset + 2;
        let row = first_row + offset as u32 + 1;
        if cells.iter().take(width).all(|cell| text(cell).is_empty()) {
            continue; // blank rows under the table
        }
        let texts: Vec<(SheetCell, usize)> = cells
            .iter()
            .take(width)
            .enumerate()
            .map(|(index, cell)| {
                let column = first_column + index as u32;
                let (kind, unit) = match index.checked_sub(1).and_then(|i| source.columns.get(i)) {
                    Some(declared) => (declared.kind, declared.unit.as_str()),
                    None => (ColumnKind::Text, ""),
                };
                let at = format!("{name}!{}", spreadsheet::address(row, column));
                (spreadsheet::read_cell(cell, format_at(row, column).as_deref(), kind, unit, &at), line)
            })
            .collect();
        if out.len() >= MAX_ROWS {
            problems.push(
                Diagnostic::error(path, format!("more than {MAX_ROWS} rows; the limit for one table is {MAX_ROWS}")).at_line(line).with_hint("split the table"),
            );
            break;
        }
        if let Some(row) = make_row(path, source.columns, &texts, line, problems, normalised) {
            out.push(row);
        }
    }
    out
}

/// Rows of a CSV file (UTF-8; a header row, then one row per key).
fn csv_rows(source: &RowsFile<'_>, problems: &mut Vec<Diagnostic>, normalised: &mut Readings) -> Vec<Row> {
    let (csv_path, toml_path, toml_line) = (source.path, source.named_in, source.named_at);
    let text = match crate::source::read_text(csv_path, "this CSV file") {
        Ok(text) => text,
        Err(diagnostic) if diagnostic.line.is_some() => {
            problems.push(diagnostic);
            return Vec::new();
        }
        Err(diagnostic) => {
            // The file as a whole (missing, unreadable, too large): located where it is named.
            problems.push(
                Diagnostic::error(toml_path, format!("CSV file {}: {}", csv_path.display(), diagnostic.message))
                    .at_line(toml_line)
                    .with_hint(diagnostic.hint.unwrap_or_else(|| "check the file name".to_string())),
            );
            return Vec::new();
        }
    };
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(text.as_bytes());
    match reader.headers() {
        Ok(headers) => {
            let found: Vec<String> = headers.iter().map(|h| h.trim().to_string()).collect();
            if !source.header_matches(&found, problems) {
                return Vec::new();
            }
        }
        Err(e) => {
            problems.push(Diagnostic::error(csv_path, format!("cannot read the CSV header: {e}")).at_line(1));
            return Vec::new();
        }
    }
    let mut out = Vec::new();
    for record in reader.records() {
        match record {
            Ok(record) => {
                if out.len() >= MAX_ROWS {
                    problems.push(
                        Diagnostic::error(csv_path, format!("more than {MAX_ROWS} rows; the limit for one table is {MAX_ROWS}"))
                            .at_line(MAX_ROWS + 2)
                            .with_hint("split the table"),
                    );
                    break;
                }
                let line = record.position().map_or(1, |p| p.line() as usize).max(1);
                let texts: Vec<(SheetCell, usize)> = record.iter().map(|cell| (SheetCell::Typed(cell.trim().to_string()), line)).collect();
                if let Some(row) = make_row(csv_path, source.columns, &texts, line, problems, normalised) {
                    out.push(row);
                }
            }
            Err(error) => {
                let line = error.position().map_or(1, |p| p.line() as usize).max(1);
                let message = match error.kind() {
                    csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
                        format!("this row has {len} cells, the header has {expected_len}")
                    }
                    _ => format!("malformed CSV: {error}"),
                };
                problems
                    .push(Diagnostic::error(csv_path, message).at_line(line).with_hint("every row needs one cell per header column (an empty cell is fine)"));
            }
        }
    }
    out
}

/// Makes a row from its cells (the key first, then one per column), each read by the
/// typed-cell rule ([`typed::parse`]) or, from a spreadsheet, through its number format.
fn make_row(
    path: &Path,
    columns: &[Column],
    cells: &[(SheetCell, usize)],
    line: usize,
    problems: &mut Vec<Diagnostic>,
    readings: &mut Readings,
) -> Option<Row> {
    let key = match &cells.first()?.0 {
        SheetCell::Typed(text) => text.clone(),
        SheetCell::Read { value, .. } => value.written.clone(),
        SheetCell::Refused(refusal) => {
            problems.push(Diagnostic::error(path, format!("the row key: {}", refusal.message)).at_line(line).with_hint(refusal.hint.clone()));
            return None;
        }
    };
    let mut values = Vec::new();
    let mut ok = true;
    let mut refuse = |column: &Column, refusal: Refusal, cell_line: usize| {
        problems
            .push(Diagnostic::error(path, format!("column `{}`, row `{key}`: {}", column.name, refusal.message)).at_line(cell_line).with_hint(refusal.hint));
    };
    for (column, (cell, cell_line)) in columns.iter().zip(&cells[1..]) {
        match cell {
            SheetCell::Typed(text) => match typed::parse(column.kind, &column.unit, text) {
                Ok(read) => {
                    if let Some(number) = read.value.number
                        && !read.readings.is_empty()
                    {
                        readings.normalised.push(Normalised {
                            typed: text.trim().to_string(),
                            number,
                            printed: read.value.written.clone(),
                            readings: read.readings,
                            file: path.to_path_buf(),
                            line: *cell_line,
                        });
                    }
                    values.push(read.value);
                }
                Err(refusal) => {
                    ok = false;
                    refuse(column, refusal, *cell_line);
                }
            },
            SheetCell::Read { value, warning } => {
                if let Some(warning) = warning {
                    readings.warnings.push(
                        Diagnostic::warning(path, format!("column `{}`, row `{key}`: {warning}", column.name))
                            .at_line(*cell_line)
                            .with_hint("give the cell a number format such as 0.0, 0.00, #,##0 or 0.0% (or General), or type the value as text"),
                    );
                }
                values.push(value.clone());
            }
            SheetCell::Refused(refusal) => {
                ok = false;
                refuse(column, refusal.clone(), *cell_line);
            }
        }
    }
    ok.then(|| Row { key: key.clone(), values, line })
}

/// Parses a typed value of a column kind with no unit, by the typed-cell rule
/// ([`typed::parse`]); the error says what is wrong.
pub fn parse_value(kind: ColumnKind, written: &str) -> Result<Value, String> {
    typed::parse(kind, "", written).map(|read| read.value).map_err(|refusal| refusal.message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_must_group_thousands() {
        assert!(parse_value(ColumnKind::Number, "1,23,4").is_err());
        assert!(parse_value(ColumnKind::Number, "12,34").is_err());
        assert!(parse_value(ColumnKind::Number, "1.234,5").is_err());
        assert!(parse_value(ColumnKind::Number, ",123").is_err());
        assert_eq!(parse_value(ColumnKind::Number, "1,234,567.25").unwrap().number, Some(1234567.25));
        assert_eq!(parse_value(ColumnKind::Number, "-1 234").unwrap().number, Some(-1234.0));
        assert_eq!(parse_value(ColumnKind::Percent, "１，２３４％").unwrap().number, Some(1234.0));
    }

    #[test]
    fn numbers_keep_written_form_and_precision() {
        let value = parse_value(ColumnKind::Number, "205.72").unwrap();
        assert_eq!((value.written.as_str(), value.number, value.decimals), ("205.72", Some(205.72), 2));
        let value = parse_value(ColumnKind::Number, "31,565").unwrap();
        assert_eq!((value.written.as_str(), value.number, value.decimals), ("31,565", Some(31565.0), 0));
        let value = parse_value(ColumnKind::Number, "１２.５").unwrap();
        assert_eq!(value.number, Some(12.5));
        assert!(parse_value(ColumnKind::Number, "12亿").is_err());
        assert!(parse_value(ColumnKind::Number, "1.2.3").is_err());
        assert_eq!(parse_value(ColumnKind::Percent, "11%").unwrap().number, Some(11.0));
        assert_eq!(parse_value(ColumnKind::Number, "").unwrap().number, None);
    }

    fn write(dir: &Path, name: &str, text: &str) {
        std::fs::create_dir_all(dir.join(DATA_DIR)).unwrap();
        std::fs::write(dir.join(DATA_DIR).join(name), text).unwrap();
    }

    #[test]
    fn inline_and_csv_tables_load_and_look_up() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "gdp.toml",
            "title = \"t\"\nkey = \"产业\"\ncolumns = [{ name = \"增加值\", unit = \"亿元\" }]\nrows = [\n  [\"第一产业\", \"36.56\"],\n  [\"合计\", \"205.72\"],\n]\n",
        );
        write(dir.path(), "jobs.toml", "title = \"t\"\nkey = \"项目\"\ncolumns = [{ name = \"数量\" }]\nfile = \"jobs.csv\"\n");
        write(dir.path(), "jobs.csv", "\u{feff}项目,数量\n岗位,\"31,565\"\n");
        let set = DataSet::load(dir.path()).unwrap();
        assert_eq!(set.lookup("gdp.第一产业.增加值").unwrap().written, "36.56");
        assert_eq!(set.lookup("jobs.岗位.数量").unwrap().number, Some(31565.0));
        assert!(set.lookup("gdp.第二产业.增加值").unwrap_err().to_string().contains("no row `第二产业`"));
        assert!(set.lookup("nope.a.b").unwrap_err().to_string().contains("no data table `nope`"));
    }

    #[test]
    fn bad_cells_are_located() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "bad.toml",
            "title = \"t\"\nkey = \"k\"\ncolumns = [{ name = \"v\" }]\nrows = [\n  [\"a\", \"1\"],\n  [\"b\", \"x1\"],\n  [\"c\"],\n]\n",
        );
        let errors = DataSet::load(dir.path()).unwrap_err();
        let lines: Vec<_> = errors.0.iter().map(|d| d.line).collect();
        assert_eq!(lines, vec![Some(6), Some(7)], "{errors}");
        write(dir.path(), "bad.toml", "title = \"t\"\nkey = \"k\"\ncolumns = [{ name = \"v\" }]\nfile = \"bad.csv\"\n");
        write(dir.path(), "bad.csv", "k,v\na,1\nb,2,3\n");
        let errors = DataSet::load(dir.path()).unwrap_err();
        assert_eq!(errors.0[0].line, Some(3), "{errors}");
        assert!(errors.0[0].file.ends_with("bad.csv"));
    }
}
