//! Typed cells: the one rule for what may be typed in a number or percent cell (CSV, TOML
//! or the text a spreadsheet shows), whatever the column type.
//!
//! A cell holds a number, optionally signed, optionally grouped in thousands. Around it:
//! - the column's own unit typed after the number (`%` in a percent column, `万吨` in a column
//!   with `unit = "万吨"`) is dropped, with a note: the heading prints the unit, so the text
//!   never prints it twice (`2.2%` prints `2.2`, and `增长{{…}}%` reads `增长2.2%`);
//! - any other unit or sign after the number is refused at the cell, with what to type
//!   instead (`2.2%` in a number column, `2671.3万` in a column of 万吨 or of no unit);
//! - full-width digits (`１２.５`) are read and printed half-width (`12.5`, GB/T 15835), a `+`
//!   is read and not printed, thousands separators (`1,234`, `1 234`) are read and printed
//!   as typed: each with a note;
//! - brackets for a negative (`(2.1)`), qualifiers (`约12`, `>5`), exponents (`1.2e3`) and
//!   Chinese numerals (`一万`) are refused.
//!
//! The printed form keeps the digits as typed: `6.0` stays `6.0`.

use serde::Deserialize;

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnKind {
    /// A decimal number (thousands separators and full-width digits are accepted).
    Number,
    /// A percentage: the `%` is printed by the heading and the text, and a cell may repeat it.
    Percent,
    /// Free text.
    Text,
}

/// One cell's value.
#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    /// The text as printed: the digits as typed (`6.0` stays `6.0`), without a unit the
    /// typed-cell rule dropped, half-width; a spreadsheet cell as its number format shows it.
    pub written: String,
    /// The number, for numeric columns with a value.
    pub number: Option<f64>,
    /// Decimal places as written (`205.72` → 2), for rounding tolerances.
    pub decimals: u32,
    /// The number exactly, as an integer and its decimal places (`205.72` → (20572, 2)),
    /// for rules that add and subtract; `None` beyond 38 digits.
    pub exact: Option<(i128, u32)>,
}

impl Value {
    /// Whether the cell is empty (printed as —).
    pub fn is_empty(&self) -> bool {
        self.written.trim().is_empty()
    }
}

/// How a typed cell was read in another form than it was typed: each is noted once per
/// table, so an editor sees what the build did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reading {
    /// Thousands separators were read past (`31,565` is 31565).
    Grouped,
    /// Full-width digits or signs were read, and print half-width.
    FullWidth,
    /// A leading `+` was read, and is not printed.
    Plus,
    /// The column's own unit was typed after the number and is not printed (the heading
    /// and the text print it).
    UnitDropped(String),
    /// A minus other than ASCII `-` (`−`, `–`) was read as a minus.
    Minus,
}

/// Why a typed cell is refused: the kind (spreadsheet cells treat some kinds as a format
/// they do not support), the message and what to type instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// What kind of problem it is.
    pub kind: RefusalKind,
    /// What is wrong, naming the cell's text.
    pub message: String,
    /// What to type instead.
    pub hint: String,
}

/// The kinds of refused cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalKind {
    /// A `%` in a column that is not a percent column.
    PercentInNumberColumn,
    /// A unit (or any other text) typed after the number that is not the column's unit.
    Unit,
    /// Not a number at all (Chinese numerals, brackets, exponents, qualifiers, text).
    NotANumber,
}

/// A cell read by the rule: its value and how it was read.
#[derive(Debug, Clone, PartialEq)]
pub struct Typed {
    /// The value, with its printed form.
    pub value: Value,
    /// What was read in another form than typed (empty for a plain number).
    pub readings: Vec<Reading>,
}

/// Characters read as thousands separators inside a number.
const SEPARATORS: [char; 7] = [',', '_', ' ', '\u{2009}', '\u{202F}', '\u{A0}', '\''];

/// Whether the separators of a number's digits stand between groups of three digits of its
/// whole part: `31,565` and `1 234 567.5`, not `1,23,4`, `12,34` or `1.2,3`.
fn grouped_in_thousands(body: &str) -> bool {
    let whole = body.split('.').next().unwrap_or("");
    if body[whole.len()..].contains(SEPARATORS) {
        return false; // a separator in the fraction
    }
    let groups: Vec<usize> = whole.split(SEPARATORS).map(|g| g.chars().count()).collect();
    groups.first().is_some_and(|&first| (1..=3).contains(&first)) && groups[1..].iter().all(|&g| g == 3)
}

/// The unit a cell of this column may repeat after its number (and that is then dropped).
fn own_unit(kind: ColumnKind, unit: &str) -> Option<&str> {
    match (kind, unit) {
        (ColumnKind::Percent, "") => Some("%"),
        (_, "") => None,
        (_, unit) => Some(unit),
    }
}

/// Full-width forms read as their ASCII counterparts.
fn half_width(c: char) -> char {
    match c {
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
        '．' => '.',
        '，' => ',',
        '＋' => '+',
        '－' => '-',
        '％' => '%',
        '\u{3000}' => ' ',
        other => other,
    }
}

/// Reads a typed cell of a column of `kind` whose unit is `unit` (`""` for none; a percent
/// column's unit is `%` unless it declares another). Text columns keep any text.
pub fn parse(kind: ColumnKind, unit: &str, typed: &str) -> Result<Typed, Refusal> {
    let trimmed = typed.trim();
    let empty = |text: &str| Typed { value: Value { written: text.to_string(), number: None, decimals: 0, exact: None }, readings: Vec::new() };
    if kind == ColumnKind::Text || trimmed.is_empty() || matches!(trimmed, "—" | "-" | "–" | "－") {
        return Ok(empty(trimmed));
    }
    let mut readings = Vec::new();
    let normal: String = trimmed.chars().map(half_width).collect();
    if normal.chars().zip(trimmed.chars()).any(|(n, t)| n != t && t != '％') {
        readings.push(Reading::FullWidth);
    }
    let refuse = |kind: RefusalKind, message: String, hint: String| Err(Refusal { kind, message, hint });
    if normal.starts_with('(') && normal.ends_with(')') || normal.starts_with('（') && normal.ends_with('）') {
        let inner = normal.trim_matches(['(', ')', '（', '）']);
        return refuse(
            RefusalKind::NotANumber,
            format!("`{trimmed}`: brackets around a number are not read as a minus"),
            format!("write -{inner} for a negative number"),
        );
    }
    // The sign.
    let (sign, rest) = match normal.chars().next() {
        Some('+') => {
            readings.push(Reading::Plus);
            ("", &normal[1..])
        }
        Some('-') => ("-", &normal[1..]),
        Some(c @ ('−' | '–')) => {
            readings.push(Reading::Minus);
            (&normal[..c.len_utf8()], &normal[c.len_utf8()..])
        }
        _ => ("", normal.as_str()),
    };
    let rest = rest.trim_start();
    if !rest.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        return refuse(
            RefusalKind::NotANumber,
            format!("`{trimmed}` is not a number"),
            "write the number in digits such as 205.72 (\"\" for no value); a word such as 约 or 以上 belongs in the text, or declare the column type = \"text\"".into(),
        );
    }
    // The number: digits, one decimal point, separators between digits.
    let body_end = rest
        .char_indices()
        .find(|&(i, c)| {
            let between_digits = SEPARATORS.contains(&c)
                && rest[..i].ends_with(|p: char| p.is_ascii_digit())
                && rest[i + c.len_utf8()..].starts_with(|n: char| n.is_ascii_digit());
            !(c.is_ascii_digit() || c == '.' || between_digits)
        })
        .map_or(rest.len(), |(i, _)| i);
    let body = &rest[..body_end];
    let suffix = rest[body_end..].trim();
    let digits: String = body.chars().filter(|c| !SEPARATORS.contains(c)).collect();
    if digits.len() != body.len() {
        if !grouped_in_thousands(body) {
            return refuse(
                RefusalKind::NotANumber,
                format!("`{trimmed}` is not a number: its separators do not stand between groups of three digits"),
                "write the digits without separators, or with one between every three of the whole part (31,565, 1 234 567.5)".into(),
            );
        }
        readings.push(Reading::Grouped);
    }
    let plain = format!("{sign}{digits}").replace(['−', '–'], "-");
    if digits.matches('.').count() > 1 || !digits.chars().any(|c| c.is_ascii_digit()) || digits.ends_with('.') {
        return refuse(RefusalKind::NotANumber, format!("`{trimmed}` is not a number"), "write one decimal point, e.g. 1234.5".into());
    }
    if !suffix.is_empty() {
        let own = own_unit(kind, unit);
        if Some(suffix) == own || (kind == ColumnKind::Percent && suffix == "%") {
            readings.push(Reading::UnitDropped(suffix.to_string()));
        } else if suffix == "%" {
            return refuse(
                RefusalKind::PercentInNumberColumn,
                format!("`{trimmed}` has a % sign, but the column is a number column"),
                format!("declare the column type = \"percent\" (its cells may then keep or drop the %), or write {plain}"),
            );
        } else if suffix.starts_with(['e', 'E']) && suffix[1..].trim_start_matches(['+', '-']).chars().all(|c| c.is_ascii_digit()) {
            return refuse(RefusalKind::NotANumber, format!("`{trimmed}` is written with an exponent"), "write the number in full, e.g. 1200 for 1.2e3".into());
        } else {
            let hint = match own {
                None => format!(
                    "write {plain} and declare the unit on the column: unit = \"{suffix}…\" (the heading prints it, the text writes it after the reference)"
                ),
                Some(own) => format!(
                    "write the number alone, in the column's unit {own} (e.g. {plain} if the value is {plain}{own}); a cell may repeat only its column's unit"
                ),
            };
            let what = if suffix.chars().any(|c| c.is_alphabetic()) { "the unit" } else { "the mark" };
            return refuse(RefusalKind::Unit, format!("`{trimmed}` has {what} `{suffix}` typed after the number"), hint);
        }
    }
    let number: f64 = plain.parse().map_err(|_| Refusal {
        kind: RefusalKind::NotANumber,
        message: format!("`{trimmed}` is not a number"),
        hint: "write the number in digits such as 205.72".into(),
    })?;
    let decimals = digits.split_once('.').map_or(0, |(_, d)| d.len() as u32);
    let exact = plain.replace('.', "").parse::<i128>().ok().map(|mantissa| (mantissa, decimals));
    // Printed: the sign as typed (no `+`), the digits and separators as typed, half-width.
    let written = format!("{sign}{body}");
    Ok(Typed { value: Value { written, number: Some(number), decimals, exact }, readings })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every typed-unit case, its column, and what happens: printed text and number, or the
    /// refusal's kind. The README's table "数字的写法" lists the same cases.
    #[test]
    fn every_typed_unit_case() {
        use ColumnKind::{Number, Percent, Text};
        use RefusalKind::*;
        type Expect = Result<(&'static str, f64), RefusalKind>;
        let cases: &[(ColumnKind, &str, &str, Expect)] = &[
            (Number, "", "205.72", Ok(("205.72", 205.72))),
            (Number, "", "6.0", Ok(("6.0", 6.0))),
            (Percent, "", "2.2", Ok(("2.2", 2.2))),
            (Percent, "", "2.2%", Ok(("2.2", 2.2))),
            (Percent, "", "2.2％", Ok(("2.2", 2.2))),
            (Percent, "", "2.2 %", Ok(("2.2", 2.2))),
            (Number, "", "2.2%", Err(PercentInNumberColumn)),
            (Number, "亿元", "2.2%", Err(PercentInNumberColumn)),
            (Number, "万吨", "2671.3万吨", Ok(("2671.3", 2671.3))),
            (Number, "万吨", "2671.3万", Err(Unit)),
            (Number, "", "2671.3万", Err(Unit)),
            (Number, "吨", "2671.3万", Err(Unit)),
            (Percent, "", "2671.3万", Err(Unit)),
            (Number, "", "12亿", Err(Unit)),
            (Number, "‰", "0.5‰", Ok(("0.5", 0.5))),
            (Percent, "", "0.5‰", Err(Unit)),
            (Number, "", "１２.５", Ok(("12.5", 12.5))),
            (Percent, "", "１２.５％", Ok(("12.5", 12.5))),
            (Number, "", "1 234", Ok(("1 234", 1234.0))),
            (Number, "", "1\u{2009}234", Ok(("1\u{2009}234", 1234.0))),
            (Number, "", "31,565", Ok(("31,565", 31565.0))),
            (Number, "", "31，565", Ok(("31,565", 31565.0))),
            (Number, "", "-2.1", Ok(("-2.1", -2.1))),
            (Number, "", "−2.1", Ok(("−2.1", -2.1))),
            (Number, "", "－2.1", Ok(("-2.1", -2.1))),
            (Percent, "", "+2.2", Ok(("2.2", 2.2))),
            (Number, "", "(2.1)", Err(NotANumber)),
            (Number, "", "约12", Err(NotANumber)),
            (Number, "", ">5", Err(NotANumber)),
            (Number, "", "12*", Err(Unit)),
            (Number, "", "1.2e3", Err(NotANumber)),
            (Number, "", "1.2.3", Err(NotANumber)),
            (Number, "", "一万", Err(NotANumber)),
            (Text, "", "2.2%", Ok(("2.2%", f64::NAN))),
        ];
        for (kind, unit, typed, expect) in cases {
            let got = parse(*kind, unit, typed);
            match (expect, &got) {
                (Ok((printed, number)), Ok(typed_cell)) => {
                    assert_eq!(typed_cell.value.written, *printed, "{typed:?} in a {kind:?} column of unit {unit:?}");
                    if !number.is_nan() {
                        assert_eq!(typed_cell.value.number, Some(*number), "{typed:?}");
                    }
                    // Never printed twice: the printed form holds no unit of the column.
                    assert!(!typed_cell.value.written.ends_with('%') || *kind == Text, "{typed:?} prints a %");
                }
                (Err(kind_expected), Err(refusal)) => {
                    assert_eq!(refusal.kind, *kind_expected, "{typed:?}: {refusal:?}");
                    assert!(!refusal.hint.is_empty(), "{typed:?}: a refusal says what to type instead");
                }
                _ => panic!("{typed:?} in a {kind:?} column of unit {unit:?}: expected {expect:?}, got {got:?}"),
            }
        }
    }

    #[test]
    fn readings_are_reported_for_notes() {
        assert_eq!(parse(ColumnKind::Percent, "", "2.2%").unwrap().readings, vec![Reading::UnitDropped("%".into())]);
        assert_eq!(parse(ColumnKind::Number, "", "１２.５").unwrap().readings, vec![Reading::FullWidth]);
        assert_eq!(parse(ColumnKind::Number, "", "31,565").unwrap().readings, vec![Reading::Grouped]);
        assert!(parse(ColumnKind::Number, "", "205.72").unwrap().readings.is_empty());
        let refusal = parse(ColumnKind::Number, "", "2671.3万").unwrap_err();
        assert!(refusal.hint.contains("write 2671.3") && refusal.hint.contains("unit = \"万…\""), "{refusal:?}");
        let refusal = parse(ColumnKind::Number, "", "2.2%").unwrap_err();
        assert!(refusal.hint.contains("type = \"percent\""), "{refusal:?}");
    }

    #[test]
    fn exact_form_and_decimals_follow_the_digits() {
        let value = parse(ColumnKind::Number, "", "1,234.50").unwrap().value;
        assert_eq!((value.decimals, value.exact), (2, Some((123450, 2))));
        let value = parse(ColumnKind::Number, "", "−0.05").unwrap().value;
        assert_eq!(value.exact, Some((-5, 2)));
    }
}
