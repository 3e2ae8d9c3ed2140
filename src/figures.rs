//! Table and chart directives: fenced ```` ```table ```` / ```` ```chart ```` blocks whose TOML
//! body places a data table in the text, as a numbered 三线表 or as a chart.

use serde::Deserialize;

use crate::config::line_column;
use crate::data::{ColumnKind, DataSet, DataTable};
use crate::model::{BlockKind, Cell, TableData};

/// A problem in a directive: the message and, when known, the 1-based line inside the body.
pub type DirectiveError = (String, Option<usize>);

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
}

/// Parses a directive body as TOML, locating errors inside the body.
pub fn parse_directive<T: serde::de::DeserializeOwned>(body: &str) -> Result<T, DirectiveError> {
    toml::from_str(body).map_err(|error| {
        let line = error.span().map(|span| line_column(body, span.start).0);
        (format!("malformed directive: {}", error.message().trim()), line)
    })
}

/// Checks that an id can be used in `@fig:id` / `@tbl:id` and as an XHTML anchor.
pub fn check_id(id: &Option<String>) -> Result<String, DirectiveError> {
    match id {
        None => Ok(String::new()),
        Some(id) if !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') => Ok(id.clone()),
        Some(id) => Err((format!("id `{id}` may use only ASCII letters, digits, '-' and '_'"), None)),
    }
}

/// The rows a directive selects, in its order (all rows when it names none).
pub fn select_rows<'a>(table: &'a DataTable, rows: &Option<Vec<String>>) -> Result<Vec<&'a crate::data::Row>, DirectiveError> {
    match rows {
        None => Ok(table.rows.iter().collect()),
        Some(keys) => keys
            .iter()
            .map(|key| table.row(key).ok_or_else(|| (format!("table `{}` has no row `{key}` (rows: {})", table.id, crate::data::list(table.rows.iter().map(|r| r.key.as_str()))), None)))
            .collect(),
    }
}

/// The column indices a directive selects, in its order (all when it names none).
pub fn select_columns(table: &DataTable, columns: &Option<Vec<String>>) -> Result<Vec<usize>, DirectiveError> {
    match columns {
        None => Ok((0..table.columns.len()).collect()),
        Some(names) => names
            .iter()
            .map(|name| table.column_index(name).ok_or_else(|| (format!("table `{}` has no column `{name}` (columns: {})", table.id, crate::data::list(table.columns.iter().map(|c| c.name.as_str()))), None)))
            .collect(),
    }
}

/// The printed source note of a data table (资料来源：…), empty when it has none.
pub fn source_note(table: &DataTable) -> String {
    let source = table.source.trim();
    if source.is_empty() || source.starts_with("资料来源") || source.starts_with("注") {
        source.to_string()
    } else {
        format!("资料来源：{source}")
    }
}

/// Builds a numbered table block from a ```` ```table ```` directive.
pub fn table_block(body: &str, data: &DataSet) -> Result<BlockKind, DirectiveError> {
    let directive: TableDirective = parse_directive(body)?;
    let table = data.table(&directive.data).map_err(|m| (m, None))?;
    let anchor = check_id(&directive.id)?;
    let rows = select_rows(table, &directive.rows)?;
    let columns = select_columns(table, &directive.columns)?;
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
    Ok(BlockKind::Table {
        number: 0,
        anchor,
        caption: directive.caption.unwrap_or_else(|| table.title.clone()),
        unit: shared_unit.map(|u| format!("单位：{u}")).unwrap_or_default(),
        source_note: source_note(table),
        data: TableData { header, rows: body_rows },
    })
}
