//! Table and chart directives: fenced ```` ```table ```` / ```` ```chart ```` blocks whose TOML
//! body places a data table in the text, as a numbered 三线表 or as a chart.

use serde::Deserialize;

use super::data::{ColumnKind, DataSet, DataTable};
use crate::charts::{self, ChartData, ChartKind, ChartSpec, Series};
use crate::diagnostics::Diagnostic;
use crate::model::{BlockKind, Cell, TableData};
use crate::source::line_column;

/// Most rows a table directive may print (about 25 pages in the design): a longer table
/// belongs in an appendix file, not in the report's pages.
pub const MAX_PRINTED_ROWS: usize = 1000;
/// Most categories one chart may draw; more would not be legible at column width.
pub const MAX_CHART_CATEGORIES: usize = 60;

/// A problem in a directive: an error whose line, when known, is the 1-based line inside
/// the directive's body (the parser places it in the text file).
pub type DirectiveError = Diagnostic;

/// A directive problem at line `line` of the body (or at the fence, with `None`).
fn problem(message: impl Into<String>, line: Option<usize>) -> DirectiveError {
    let mut diagnostic = Diagnostic::error("", message);
    diagnostic.line = line;
    diagnostic
}

/// A directive made into a block, with notes for the editor.
pub(crate) struct Directive {
    /// The table or chart block.
    pub kind: BlockKind,
    /// Things the editor may want to know (e.g. a chart of a single value).
    pub notes: Vec<String>,
}

/// The cross-reference target a directive body declares (`tbl:id` / `fig:id`), as far as
/// the body parses, whether or not the directive is valid.
pub(crate) fn declared_target(directive: &str, body: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct Named {
        id: Option<toml::Value>,
    }
    let id = toml::from_str::<Named>(body).ok()?.id?.as_str()?.to_string();
    Some(format!("{}:{id}", if directive == "table" { "tbl" } else { "fig" }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TableDirective {
    data: String,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    caption: Option<String>,
    #[serde(default)]
    rows: Option<Vec<String>>,
    #[serde(default)]
    columns: Option<Vec<String>>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    totals: Option<Vec<String>>,
}

/// Parses a directive body as TOML, locating errors inside the body.
pub fn parse_directive<T: serde::de::DeserializeOwned>(body: &str) -> Result<T, DirectiveError> {
    toml::from_str(body).map_err(|error| {
        let line = error.span().map(|span| line_column(body, span.start).0);
        problem(format!("malformed directive: {}", error.message().trim()), line)
    })
}

/// Checks that an id can be used in `@fig:id` / `@tbl:id` and as an XHTML anchor.
pub fn check_id(id: &Option<String>) -> Result<String, DirectiveError> {
    match id {
        None => Ok(String::new()),
        Some(id) if !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') => Ok(id.clone()),
        Some(id) => Err(problem(format!("id `{id}` may use only ASCII letters, digits, '-' and '_'"), None)),
    }
}

/// The rows a directive selects, in its order (all rows when it names none).
pub fn select_rows<'a>(table: &'a DataTable, rows: &Option<Vec<String>>) -> Result<Vec<&'a super::data::Row>, DirectiveError> {
    match rows {
        None => Ok(table.rows.iter().collect()),
        Some(keys) => keys
            .iter()
            .map(|key| {
                table.row(key).ok_or_else(|| {
                    problem(format!("table `{}` has no row `{key}` (rows: {})", table.id, super::data::list(table.rows.iter().map(|r| r.key.as_str()))), None)
                })
            })
            .collect(),
    }
}

/// The column indices a directive selects, in its order (all when it names none).
pub fn select_columns(table: &DataTable, columns: &Option<Vec<String>>) -> Result<Vec<usize>, DirectiveError> {
    match columns {
        None => Ok((0..table.columns.len()).collect()),
        Some(names) => names
            .iter()
            .map(|name| {
                table.column_index(name).ok_or_else(|| {
                    problem(
                        format!("table `{}` has no column `{name}` (columns: {})", table.id, super::data::list(table.columns.iter().map(|c| c.name.as_str()))),
                        None,
                    )
                })
            })
            .collect(),
    }
}

/// The printed source note of a data table (资料来源：…), empty when it has none.
pub fn source_note(table: &DataTable) -> String {
    let source = table.source.trim();
    if source.is_empty() || source.starts_with("资料来源") || source.starts_with("注") { source.to_string() } else { format!("资料来源：{source}") }
}

/// The row keys that mark a total row by themselves.
const TOTAL_KEYS: &[&str] = &["合计", "总计", "共计", "小计", "总额", "总量", "全部", "total", "subtotal"];

/// The positions of the total rows among the printed `rows`: those the directive's
/// `totals` names (then only those), else those whose key is 合计, 总计 and the like.
fn total_rows(rows: &[&super::data::Row], named: &Option<Vec<String>>) -> Result<Vec<usize>, DirectiveError> {
    match named {
        Some(keys) => keys
            .iter()
            .map(|key| {
                rows.iter().position(|row| row.key == *key).ok_or_else(|| {
                    problem(
                        format!(
                            "`totals` names row `{key}`, which the table does not print (rows: {})",
                            super::data::list(rows.iter().map(|r| r.key.as_str()))
                        ),
                        None,
                    )
                })
            })
            .collect(),
        None => Ok(rows
            .iter()
            .enumerate()
            .filter(|(_, row)| {
                let key = row.key.trim();
                TOTAL_KEYS.iter().any(|total| key.eq_ignore_ascii_case(total)) || key.ends_with("合计") || key.ends_with("总计")
            })
            .map(|(index, _)| index)
            .collect()),
    }
}

/// Builds a numbered table block from a ```` ```table ```` directive.
pub(crate) fn table_block(body: &str, data: &DataSet) -> Result<Directive, DirectiveError> {
    let directive: TableDirective = parse_directive(body)?;
    let table = data.table(&directive.data).map_err(|e| problem(e.to_string(), Some(line_of(body, "data"))))?;
    let anchor = check_id(&directive.id)?;
    let rows = select_rows(table, &directive.rows).map_err(|e| at_key(e, body, "rows"))?;
    if rows.len() > MAX_PRINTED_ROWS {
        let line = if directive.rows.is_some() { Some(line_of(body, "rows")) } else { Some(line_of(body, "data")) };
        return Err(problem(format!("the table would print {} rows; the limit for a printed table is {MAX_PRINTED_ROWS}", rows.len()), line));
    }
    let columns = select_columns(table, &directive.columns).map_err(|e| at_key(e, body, "columns"))?;
    let units: Vec<&str> = columns.iter().map(|&i| &table.columns[i]).filter(|c| c.kind == ColumnKind::Number).map(|c| c.unit.as_str()).collect();
    let shared_unit = match units.split_first() {
        Some((first, rest)) if !first.is_empty() && rest.iter().all(|u| u == first) && units.len() == columns.len() => Some(first.to_string()),
        _ => None,
    };
    let mut header = vec![table.key.clone()];
    for &index in &columns {
        let column = &table.columns[index];
        header.push(if shared_unit.is_some() { column.name.clone() } else { column.heading() });
    }
    let totals = total_rows(&rows, &directive.totals).map_err(|e| at_key(e, body, "totals"))?;
    let body_rows = rows
        .iter()
        .map(|row| {
            let mut cells = vec![Cell { text: row.key.clone(), numeric: false }];
            for &index in &columns {
                let value = &row.values[index];
                let numeric = table.columns[index].kind != ColumnKind::Text;
                let text = if value.is_empty() { "—".to_string() } else { value.written.clone() };
                cells.push(Cell { text, numeric });
            }
            cells
        })
        .collect();
    let kind = BlockKind::Table {
        number: 0,
        label: String::new(),
        anchor,
        data_table: table.id.clone(),
        caption: directive.caption.unwrap_or_else(|| table.title.clone()),
        unit: shared_unit.map(|u| format!("单位：{u}")).unwrap_or_default(),
        source_note: source_note(table),
        note: match directive.note.as_deref().map(str::trim) {
            None | Some("") => String::new(),
            Some(note) if note.starts_with("注") => note.to_string(),
            Some(note) => format!("注：{note}"),
        },
        data: TableData { header, rows: body_rows, totals },
    };
    Ok(Directive { kind, notes: Vec::new() })
}

/// Places a row or column selection error at the line of `key` in the body.
fn at_key(mut error: DirectiveError, body: &str, key: &str) -> DirectiveError {
    error.line = Some(line_of(body, key));
    error
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChartDirective {
    data: String,
    #[serde(default)]
    id: Option<String>,
    kind: String,
    series: Vec<String>,
    #[serde(default)]
    rows: Option<Vec<String>>,
    caption: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    unit: Option<String>,
}

/// Builds a numbered chart block from a ```` ```chart ```` directive: what to draw, its
/// data and its text alternative. The chart layout pass lays it out for the design.
///
/// `fallback_id` makes the SVG's ids unique when the directive has no `id` (e.g. the
/// source file and line), since several charts may stand inline in one XHTML page.
pub(crate) fn chart_block(body: &str, data: &DataSet, fallback_id: &str) -> Result<Directive, DirectiveError> {
    let directive: ChartDirective = parse_directive(body)?;
    let table = data.table(&directive.data).map_err(|e| problem(e.to_string(), Some(line_of(body, "data"))))?;
    let anchor = check_id(&directive.id)?;
    let kind = ChartKind::parse(&directive.kind).ok_or_else(|| {
        let kinds: Vec<String> = ChartKind::ALL.iter().map(|k| format!("{} ({})", k.name(), k.chinese_name())).collect();
        // The names other tools use for a column chart, a scatter or an area chart.
        let nearest = match directive.kind.trim().to_ascii_lowercase().as_str() {
            "column" | "col" | "columns" | "vbar" | "bars" => "; a column chart is `bar`",
            "barh" | "horizontal-bar" | "row" => "; a horizontal bar chart is `hbar`",
            "stacked" | "stack" => "; `stacked-bar`",
            "area" | "lines" | "trend" => "; a trend is `line`",
            "ring" | "doughnut" => "; `donut`",
            _ => "",
        };
        problem(
            format!("unknown chart kind `{}`: the kinds are {}{nearest}", crate::diagnostics::bounded(&directive.kind, 40), kinds.join(", ")),
            Some(line_of(body, "kind")),
        )
    })?;
    let rows = select_rows(table, &directive.rows).map_err(|e| at_key(e, body, "rows"))?;
    if rows.is_empty() {
        let line = if directive.rows.is_some() { Some(line_of(body, "rows")) } else { None };
        return Err(problem(format!("the chart has no categories: table `{}` has no rows to plot", table.id), line));
    }
    if rows.len() > MAX_CHART_CATEGORIES {
        return Err(problem(format!("the chart has {} categories; the limit is {MAX_CHART_CATEGORIES}", rows.len()), Some(line_of(body, "data"))));
    }
    let columns = select_columns(table, &Some(directive.series.clone())).map_err(|e| at_key(e, body, "series"))?;
    if columns.is_empty() {
        return Err(problem("`series` names no column", Some(line_of(body, "series"))));
    }
    let mut series = Vec::new();
    for &index in &columns {
        let column = &table.columns[index];
        if column.kind == ColumnKind::Text {
            return Err(problem(format!("column `{}` holds text, not numbers", column.name), Some(line_of(body, "series"))));
        }
        let mut values = Vec::new();
        let mut labels = Vec::new();
        for row in &rows {
            let value = &row.values[index];
            let number = value.number.ok_or_else(|| problem(format!("row `{}` has no value in column `{}`", row.key, column.name), None))?;
            values.push(number);
            labels.push(value.written.clone());
        }
        series.push(Series { name: column.name.clone(), values, labels });
    }
    let unit = directive.unit.unwrap_or_else(|| table.columns[columns[0]].value_unit().to_string());
    let chart_data = ChartData { categories: rows.iter().map(|r| r.key.clone()).collect(), series };
    charts::check_data(kind, &chart_data).map_err(|m| problem(m, None))?;
    // The caption (图 n …) names the chart on the page; a title is drawn only when asked for.
    let draw_title = directive.title.is_some();
    let spec = ChartSpec {
        kind,
        data: chart_data,
        title: directive.title.unwrap_or_else(|| directive.caption.clone()),
        unit,
        source: source_note(table),
        draw_title,
        id_prefix: format!("fig-{}-", if anchor.is_empty() { fallback_id } else { anchor.as_str() }),
        label_words: Default::default(),
        unit_word: crate::model::script::SIMPLIFIED.unit,
    };
    let mut notes = Vec::new();
    if rows.len() == 1 && columns.len() == 1 {
        notes.push(format!("the chart shows a single value ({} {}); a sentence or a table says it better", rows[0].key, rows[0].values[columns[0]].written));
    }
    let mut header = vec![table.key.clone()];
    header.extend(columns.iter().map(|&i| table.columns[i].heading()));
    let data_rows = rows
        .iter()
        .map(|row| {
            std::iter::once(Cell { text: row.key.clone(), numeric: false })
                .chain(columns.iter().map(|&i| Cell { text: row.values[i].written.clone(), numeric: true }))
                .collect()
        })
        .collect();
    let kind = BlockKind::Chart {
        number: 0,
        label: String::new(),
        anchor,
        data_table: table.id.clone(),
        caption: directive.caption,
        alt: charts::alt_text(&spec),
        source_note: spec.source.clone(),
        spec: Box::new(spec),
        layout: None,
        data: TableData { header, rows: data_rows, totals: Vec::new() },
        data_shown_in: None,
    };
    Ok(Directive { kind, notes })
}

/// The 1-based line of `key = …` in a directive body (for errors serde cannot place).
fn line_of(body: &str, key: &str) -> usize {
    body.lines().position(|l| l.trim_start().starts_with(key)).map_or(1, |i| i + 1)
}
