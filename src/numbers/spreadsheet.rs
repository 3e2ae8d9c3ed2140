//! Spreadsheet cells as the spreadsheet shows them: a number cell is printed through its
//! number format (`0.0` shows 6 as `6.0`, `#,##0` shows 2345 as `2,345`, `0.0%` shows 0.022
//! as `2.2%`, date formats show dates), formatted by `ssfmt` (Excel's ECMA-376 format
//! codes). What the format shows then goes through the [typed-cell rule](super::typed) of its
//! column, like a CSV cell: a percent format in a percent column gives `2.2` (the heading and
//! the text print the `%`), a percent format in a number column is refused.
//!
//! A cell without a format (`General`) prints the stored number in its shortest exact form.
//! A format the rule cannot read as a number (a fraction `# ?/?`, brackets for negatives,
//! an exponent) is not supported: the cell prints in its shortest form and a warning at the
//! cell (`data/x.xlsx` `Sheet!B2`) says what it shows and what was printed.
//!
//! Number formats are read from `.xlsx`/`.xlsm` workbooks (calamine reads their styles);
//! `.xls`, `.xlsb` and `.ods` cells print in their shortest form.

use calamine::Data;

use super::typed::{self, Refusal, RefusalKind};
use super::typed::{ColumnKind, Value};

/// A spreadsheet cell read for a column.
#[derive(Debug, Clone, PartialEq)]
pub enum SheetCell {
    /// A text cell: its text goes through the typed-cell rule like a CSV cell (with notes).
    Typed(String),
    /// A number, date or other value shown through its format; with a warning when the
    /// format is not supported (saying what was printed).
    Read {
        /// The value as printed.
        value: Value,
        /// Why the cell does not print as the spreadsheet shows it, if it does not.
        warning: Option<String>,
    },
    /// A cell the column cannot hold, and what to type (or format) instead.
    Refused(Refusal),
}

/// `B3`: a cell's address from its 0-based row and column.
pub fn address(row: u32, column: u32) -> String {
    let mut letters = String::new();
    let mut n = column + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.insert(0, char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    format!("{letters}{}", row + 1)
}

/// A number in its shortest form that reads back as the same number (Rust prints no
/// exponent: 1e20 is `100000000000000000000`).
pub fn shortest(number: f64) -> String {
    number.to_string()
}

/// Whether a format code leaves the number as stored (`General`, text `@`, or none).
fn is_general(format: Option<&str>) -> bool {
    format.is_none_or(|code| {
        let code = code.trim();
        code.is_empty() || code.eq_ignore_ascii_case("general") || code == "@"
    })
}

/// The 1900-system serial number of a date (the serial ssfmt's date formats read), from its
/// calendar date and time, so that workbooks in the 1904 system show the right day.
fn serial_1900(datetime: &calamine::ExcelDateTime) -> f64 {
    let (year, month, day, hour, minute, second, milli) = datetime.to_ymd_hms_milli();
    let Some(date) = chrono::NaiveDate::from_ymd_opt(i32::from(year), u32::from(month), u32::from(day)) else { return datetime.as_f64() };
    let Some(epoch) = chrono::NaiveDate::from_ymd_opt(1899, 12, 30) else { return datetime.as_f64() };
    let days = (date - epoch).num_days() as f64;
    let seconds = f64::from(hour) * 3600.0 + f64::from(minute) * 60.0 + f64::from(second) + f64::from(milli) / 1000.0;
    days + seconds / 86400.0
}

/// Reads one spreadsheet cell for a column of `kind` and `unit`, through its number
/// `format` (the cell's format code, `None` for General). `at` names the cell for
/// messages (`物价!B2`).
pub fn read_cell(cell: &Data, format: Option<&str>, kind: ColumnKind, unit: &str, at: &str) -> SheetCell {
    let plain = |text: String| Value { written: text, number: None, decimals: 0, exact: None };
    match cell {
        Data::Empty => SheetCell::Typed(String::new()),
        Data::String(text) => SheetCell::Typed(text.trim().to_string()),
        Data::Bool(b) => SheetCell::Typed(if *b { "TRUE".into() } else { "FALSE".into() }),
        Data::Error(error) => SheetCell::Refused(Refusal {
            kind: RefusalKind::NotANumber,
            message: format!("cell {at} shows the spreadsheet error {error}"),
            hint: "correct the formula in the spreadsheet, or leave the cell empty for no value".into(),
        }),
        Data::DateTimeIso(text) | Data::DurationIso(text) => SheetCell::Typed(text.clone()),
        Data::DateTime(datetime) => {
            if kind != ColumnKind::Text {
                return SheetCell::Refused(Refusal {
                    kind: RefusalKind::NotANumber,
                    message: format!("cell {at} holds a date or time, but the column is a {} column", kind_name(kind)),
                    hint: "declare the column type = \"text\" to print dates, or format the cell as a number".into(),
                });
            }
            let (year, month, day, hour, minute, second, _) = datetime.to_ymd_hms_milli();
            let iso = if (hour, minute, second) == (0, 0, 0) {
                format!("{year:04}-{month:02}-{day:02}")
            } else {
                format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}")
            };
            match format.filter(|_| !is_general(format)) {
                None => SheetCell::Read { value: plain(iso), warning: None },
                Some(code) => match ssfmt::format(serial_1900(datetime), code, &ssfmt::FormatOptions::default()) {
                    Ok(shown) => SheetCell::Read { value: plain(shown.trim().to_string()), warning: None },
                    Err(error) => SheetCell::Read {
                        value: plain(iso.clone()),
                        warning: Some(format!("cell {at}: the date format `{code}` is not supported ({error}); printed {iso}")),
                    },
                },
            }
        }
        Data::Float(_) | Data::Int(_) => {
            let number = match cell {
                Data::Float(f) => *f,
                Data::Int(i) => *i as f64,
                _ => 0.0,
            };
            let stored = match cell {
                Data::Int(i) => i.to_string(),
                _ => shortest(number),
            };
            let fallback = |why: String| match typed::parse(kind, unit, &stored) {
                Ok(read) => SheetCell::Read { value: read.value, warning: Some(format!("cell {at}: {why}; printed {stored}")) },
                Err(refusal) => SheetCell::Refused(refusal),
            };
            let code = match format {
                Some(code) if !is_general(format) => code,
                _ => {
                    return match typed::parse(kind, unit, &stored) {
                        Ok(read) => SheetCell::Read { value: read.value, warning: None },
                        Err(refusal) => SheetCell::Refused(refusal),
                    };
                }
            };
            let shown = match ssfmt::format(number, code, &ssfmt::FormatOptions::default()) {
                Ok(shown) => shown.trim().to_string(),
                Err(error) => return fallback(format!("the number format `{code}` is not supported ({error})")),
            };
            if kind == ColumnKind::Text {
                return SheetCell::Read { value: plain(shown), warning: None };
            }
            if not_plain(&shown) {
                return fallback(format!("the number format `{code}` shows `{shown}`, which is not a plain number (not supported)"));
            }
            match typed::parse(kind, unit, &shown) {
                // The format's grouping, decimals and the percent column's % are the format's,
                // not typed by hand: no note.
                Ok(read) => SheetCell::Read { value: read.value, warning: None },
                Err(refusal) if refusal.kind == RefusalKind::NotANumber => {
                    fallback(format!("the number format `{code}` shows `{shown}`, which is not a plain number (not supported)"))
                }
                Err(refusal) => SheetCell::Refused(Refusal {
                    message: format!(
                        "cell {at}, formatted `{code}`, shows `{shown}`: {}",
                        refusal.message.split_once(": ").map_or(refusal.message.as_str(), |(_, m)| m)
                    ),
                    hint: match refusal.kind {
                        RefusalKind::PercentInNumberColumn => {
                            "declare the column type = \"percent\" (a 0.0% format then prints 2.2 for 0.022), or format the cell as a number".into()
                        }
                        _ => format!("remove the unit from the cell's number format, or declare it as the column's unit; {}", refusal.hint),
                    },
                    ..refusal
                }),
            }
        }
    }
}

/// Whether a format shows something other than a number with a sign, separators, a unit or
/// a % (a fraction `1 1/2`, brackets for a negative, an exponent, padding marks).
fn not_plain(shown: &str) -> bool {
    shown.contains(['/', '(', ')', '?', '#', '（', '）']) || shown.contains("E+") || shown.contains("E-") || shown.contains("e+") || shown.contains("e-")
}

fn kind_name(kind: ColumnKind) -> &'static str {
    match kind {
        ColumnKind::Number => "number",
        ColumnKind::Percent => "percent",
        ColumnKind::Text => "text",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn printed(cell: Data, format: &str, kind: ColumnKind) -> String {
        match read_cell(&cell, Some(format), kind, "", "S!B2") {
            SheetCell::Read { value, warning: None } => value.written,
            other => panic!("{cell:?} as {format}: {other:?}"),
        }
    }

    #[test]
    fn formats_print_as_the_spreadsheet_shows() {
        assert_eq!(printed(Data::Float(6.0), "0.0", ColumnKind::Number), "6.0");
        assert_eq!(printed(Data::Int(6), "0.0", ColumnKind::Number), "6.0");
        assert_eq!(printed(Data::Float(2345.0), "#,##0", ColumnKind::Number), "2,345");
        assert_eq!(printed(Data::Float(7.126), "0.00", ColumnKind::Number), "7.13");
        assert_eq!(printed(Data::Float(0.022), "0.0%", ColumnKind::Percent), "2.2");
        assert_eq!(printed(Data::Float(205.72), "General", ColumnKind::Number), "205.72");
        let date = Data::DateTime(calamine::ExcelDateTime::new(45658.0, calamine::ExcelDateTimeType::DateTime, false));
        assert_eq!(printed(date.clone(), "yyyy-mm-dd", ColumnKind::Text), "2025-01-01");
        assert_eq!(printed(date, "yyyy\"年\"m\"月\"d\"日\"", ColumnKind::Text), "2025年1月1日");
    }

    #[test]
    fn a_percent_format_in_a_number_column_is_refused_and_odd_formats_warn() {
        let SheetCell::Refused(refusal) = read_cell(&Data::Float(0.022), Some("0.0%"), ColumnKind::Number, "", "S!B2") else { panic!() };
        assert!(refusal.message.contains("S!B2") && refusal.hint.contains("type = \"percent\""), "{refusal:?}");
        let SheetCell::Read { value, warning: Some(warning) } = read_cell(&Data::Float(1.5), Some("# ?/?"), ColumnKind::Number, "", "S!B2") else { panic!() };
        assert_eq!(value.written, "1.5");
        assert!(warning.contains("S!B2") && warning.contains("printed 1.5"), "{warning}");
    }

    #[test]
    fn addresses() {
        assert_eq!(address(0, 0), "A1");
        assert_eq!(address(2, 1), "B3");
        assert_eq!(address(9, 27), "AB10");
    }
}
