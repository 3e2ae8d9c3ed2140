//! A data reference resolved against the data and printed through its filters: the one
//! function the data-reference pass, the proof's source map and the checks print with.

use super::filters::{self, Reference};
use crate::manuscript::data::{Column, DataSet, DataTable, LookupError};
use crate::numbers::typed::{ColumnKind, Value};

/// A data reference resolved and printed through its filters.
#[derive(Debug, Clone)]
pub struct Printed<'a> {
    /// The text printed in place of the reference.
    pub text: String,
    /// The reference parsed: what it names and its filters.
    pub reference: Reference,
    /// The table it names.
    pub table: &'a DataTable,
    /// The column it names.
    pub column: &'a Column,
    /// The cell's value.
    pub value: &'a Value,
}

/// Why a data reference prints nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReferenceError {
    /// The table, row or column is not there (or its table failed to load).
    Lookup(LookupError),
    /// A filter is unknown, malformed or does not apply to the cell.
    Filter(String),
}

/// The table, column and value a `table.row.column` names.
fn cell<'a>(data: &'a DataSet, path: &str) -> Result<(&'a DataTable, usize, &'a Value), LookupError> {
    let value = data.lookup(path)?;
    let parts: Vec<&str> = path.split('.').map(str::trim).collect();
    let table = data.table(parts[0])?;
    let index = table.column_index(parts[2]).ok_or_else(|| LookupError::Unknown(format!("table `{}` has no column `{}`", table.id, parts[2])))?;
    Ok((table, index, value))
}

/// Resolves a data reference as written between `{{` and `}}` (filters included) and prints
/// it. Both editions, the proof and the checks print through this one function.
pub fn print_reference<'a>(data: &'a DataSet, written: &str) -> Result<Printed<'a>, ReferenceError> {
    let reference = Reference::parse(written).map_err(ReferenceError::Filter)?;
    let (table, index, value) = cell(data, &reference.path).map_err(ReferenceError::Lookup)?;
    let column = &table.columns[index];
    let decimals = table.rows.iter().map(|row| row.values[index].decimals).max().unwrap_or(0);
    let text = filters::apply(value, column, decimals, &reference.filters).map_err(ReferenceError::Filter)?;
    Ok(Printed { text, reference, table, column, value })
}

/// Whether a reference names a number or percent column (its printed number is grouped).
pub fn numeric_reference(data: &DataSet, written: &str) -> bool {
    Reference::parse(written)
        .ok()
        .and_then(|reference| cell(data, &reference.path).ok())
        .is_some_and(|(table, index, _)| table.columns[index].kind != ColumnKind::Text)
}
