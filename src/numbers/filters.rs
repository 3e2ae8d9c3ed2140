//! Filters in a data reference: `{{table.row.column | filter | filter(argument)}}`, each
//! changing how the value prints, left to right.
//!
//! | filter | prints (for −2.1 in a percent column) |
//! | --- | --- |
//! | `abs` | the value without its sign: `2.1` |
//! | `增长` (`增加`, `提高`, `上升`, `上涨`) | the word chosen by the sign, the value without sign and the column's unit: `下降2.1%`; `持平` at zero |
//! | `百分点` | the unit 个百分点 instead of the column's (a difference of percents): with `提高`, `降低2.1个百分点` |
//! | `unit` | the column's unit after the value: `-2.1%` |
//! | `万`, `亿` (`万(1)`) | the value divided by 10 000 or 100 000 000, rounded half away from zero to the column's decimals (or as many as given); with `unit`, the unit gets the prefix (元 → 万元) |
//!
//! An unknown filter is an error that lists the known ones.

use super::wording::{self, SignUse};
use crate::manuscript::data::{Column, ColumnKind, Value};

/// The filters a reference may name, for messages.
pub const KNOWN: &str = "abs, 增长, 增加, 提高, 上升, 上涨, 百分点, unit, 万, 亿";

/// One filter of a data reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    /// The value without its sign.
    Abs,
    /// The word for the sign (rise, fall), the value without sign and the unit; 持平 at 0.
    Word((&'static str, &'static str)),
    /// The unit 个百分点 (percentage points).
    Points,
    /// The column's unit after the value.
    Unit,
    /// Divided by 10^`power` (万: 4, 亿: 8), to `decimals` places (the column's when `None`).
    Scale {
        /// 4 for 万, 8 for 亿.
        power: u32,
        /// The prefix the unit takes (万, 亿).
        prefix: &'static str,
        /// Decimal places; `None`: as many as the column's values have.
        decimals: Option<u32>,
    },
}

/// A data reference as written: what it names and its filters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// `table.row.column`.
    pub path: String,
    /// The filters, left to right.
    pub filters: Vec<Filter>,
}

impl Reference {
    /// Parses `table.row.column | filter | …`; the error says which filter is not known
    /// and lists the known ones.
    pub fn parse(written: &str) -> Result<Self, String> {
        let mut parts = written.split(['|', '｜']);
        let path = parts.next().unwrap_or_default().trim().to_string();
        let mut filters = Vec::new();
        for part in parts {
            let part = part.trim();
            let (name, argument) = match part.split_once(['(', '（']) {
                Some((name, rest)) => {
                    let Some(argument) = rest.strip_suffix([')', '）']) else {
                        return Err(format!("the filter `{part}` has no closing bracket"));
                    };
                    (name.trim(), Some(argument.trim()))
                }
                None => (part, None),
            };
            let decimals = match argument {
                None => None,
                Some(argument) => match argument.parse::<u32>() {
                    Ok(places) if places <= 10 && matches!(name, "万" | "亿") => Some(places),
                    _ if !matches!(name, "万" | "亿") => return Err(format!("the filter `{name}` takes no argument")),
                    _ => return Err(format!("the filter `{part}` takes a number of decimal places from 0 to 10, e.g. {name}(1)")),
                },
            };
            let filter = match name {
                "" => return Err(format!("`{written}` has an empty filter after `|`")),
                "abs" => Filter::Abs,
                "百分点" | "个百分点" | "pp" => Filter::Points,
                "unit" | "单位" => Filter::Unit,
                "万" => Filter::Scale { power: 4, prefix: "万", decimals },
                "亿" => Filter::Scale { power: 8, prefix: "亿", decimals },
                other => match wording::direction(other) {
                    Some(pair) => Filter::Word(pair),
                    None => return Err(format!("unknown filter `{other}` (the filters are: {KNOWN})")),
                },
            };
            filters.push(filter);
        }
        if filters.iter().filter(|f| matches!(f, Filter::Word(_))).count() > 1 {
            return Err(format!("`{written}` names two wording filters; keep one"));
        }
        Ok(Reference { path, filters })
    }

    /// How the printed value shows its sign.
    pub fn sign_use(&self) -> SignUse {
        if self.filters.iter().any(|f| matches!(f, Filter::Word(_))) {
            SignUse::Worded
        } else if self.filters.contains(&Filter::Abs) {
            SignUse::Absolute
        } else {
            SignUse::Signed
        }
    }
}

/// `value` as printed through `filters`, for a cell of `column` (whose values have at most
/// `column_decimals` decimal places). The error says why a filter cannot apply.
pub fn apply(value: &Value, column: &Column, column_decimals: u32, filters: &[Filter]) -> Result<String, String> {
    if filters.is_empty() {
        return Ok(if value.is_empty() { "—".to_string() } else { value.written.clone() });
    }
    if column.kind == ColumnKind::Text {
        return Err(format!("the column `{}` holds text; filters apply to number and percent columns", column.name));
    }
    let Some(number) = value.number else {
        return Err("the cell has no value (it prints —); a filter needs a number".to_string());
    };
    let unsigned = value.written.trim_start_matches(['-', '−', '–']);
    let sign = &value.written[..value.written.len() - unsigned.len()];
    let mut negative = !sign.is_empty();
    let mut digits = unsigned.to_string();
    let mut unit: Option<String> = None;
    let mut prefix = "";
    let mut word = None;
    for filter in filters {
        match filter {
            Filter::Abs => negative = false,
            Filter::Word(pair) => {
                word = Some(wording::word_for(*pair, number));
                negative = false;
            }
            Filter::Points => {
                if column.kind != ColumnKind::Percent && !column.unit.contains("百分点") {
                    return Err(format!(
                        "`百分点` prints a difference of percents; the column `{}` is not a percent column (declare type = \"percent\" or unit = \"个百分点\")",
                        column.name
                    ));
                }
                unit = Some("个百分点".to_string());
            }
            Filter::Unit => unit = Some(column.value_unit().to_string()),
            Filter::Scale { power, prefix: scale_prefix, decimals } => {
                let Some((mantissa, places)) = value.exact else {
                    return Err("the value has too many digits to scale exactly".to_string());
                };
                let target = decimals.unwrap_or(column_decimals);
                digits = scaled(mantissa.abs(), places + power, target).ok_or("the value has too many digits to scale exactly")?;
                prefix = scale_prefix;
            }
        }
    }
    let unit_text = |unit: Option<String>| -> String {
        match unit {
            Some(unit) if unit == "个百分点" => unit,
            Some(unit) => format!("{prefix}{unit}"),
            None => String::new(),
        }
    };
    Ok(match word {
        Some(None) => wording::UNCHANGED.to_string(),
        Some(Some(word)) => format!("{word}{digits}{}", unit_text(unit.or_else(|| Some(column.value_unit().to_string())))),
        None => format!("{}{digits}{}", if negative { sign } else { "" }, unit_text(unit)),
    })
}

/// `mantissa ÷ 10^scale` to `target` decimal places, rounded half away from zero.
fn scaled(mantissa: i128, scale: u32, target: u32) -> Option<String> {
    let rounded = if target >= scale {
        mantissa.checked_mul(10i128.checked_pow(target - scale)?)?
    } else {
        let divisor = 10i128.checked_pow(scale - target)?;
        (mantissa.checked_add(divisor / 2)?) / divisor
    };
    let text = format!("{:0>width$}", rounded, width = target as usize + 1);
    let (whole, fraction) = text.split_at(text.len() - target as usize);
    Some(if fraction.is_empty() { whole.to_string() } else { format!("{whole}.{fraction}") })
}

/// The unit a reference's printed text ends with, if its filters print one (so the text
/// after it must not repeat it).
pub fn printed_unit(reference: &Reference, column: &Column) -> Option<String> {
    let mut unit = None;
    let mut prefix = "";
    for filter in &reference.filters {
        match filter {
            Filter::Word(_) => unit = unit.or_else(|| Some(column.value_unit().to_string())),
            Filter::Points => unit = Some("个百分点".to_string()),
            Filter::Unit => unit = Some(column.value_unit().to_string()),
            Filter::Scale { prefix: p, .. } => prefix = p,
            Filter::Abs => {}
        }
    }
    unit.filter(|u| !u.is_empty()).map(|u| if u == "个百分点" { u } else { format!("{prefix}{u}") })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::numbers::typed;

    fn column(kind: ColumnKind, unit: &str) -> Column {
        Column { name: "增速".into(), kind, unit: unit.into() }
    }

    fn print(written: &str, kind: ColumnKind, unit: &str, reference: &str) -> Result<String, String> {
        let value = typed::parse(kind, unit, written).unwrap().value;
        let reference = Reference::parse(reference)?;
        apply(&value, &column(kind, unit), value.decimals, &reference.filters)
    }

    #[test]
    fn wording_filters_choose_the_word_by_the_sign() {
        use ColumnKind::{Number, Percent};
        assert_eq!(print("-2.1", Percent, "", "t.r.c | 增长").unwrap(), "下降2.1%");
        assert_eq!(print("2.2", Percent, "", "t.r.c|增长").unwrap(), "增长2.2%");
        assert_eq!(print("0.0", Percent, "", "t.r.c | 增长").unwrap(), "持平");
        assert_eq!(print("-5.2", Number, "万吨", "t.r.c | 增加").unwrap(), "减少5.2万吨");
        assert_eq!(print("1.2", Percent, "", "t.r.c | 提高 | 百分点").unwrap(), "提高1.2个百分点");
        assert_eq!(print("-0.3", Percent, "", "t.r.c | 上涨").unwrap(), "下降0.3%");
        assert_eq!(print("-2.1", Percent, "", "t.r.c | abs").unwrap(), "2.1");
        assert_eq!(print("−2.1", Percent, "", "t.r.c | unit").unwrap(), "−2.1%");
        assert_eq!(print("-2.1", Percent, "", "t.r.c").unwrap(), "-2.1");
    }

    #[test]
    fn scaling_keeps_the_decimals_and_rounds_half_up() {
        use ColumnKind::Number;
        assert_eq!(print("26713000", Number, "元", "t.r.c | 万").unwrap(), "2671");
        assert_eq!(print("26713500", Number, "元", "t.r.c | 万(1)").unwrap(), "2671.4");
        assert_eq!(print("26713000", Number, "元", "t.r.c | 万(1) | unit").unwrap(), "2671.3万元");
        assert_eq!(print("123456789.50", Number, "元", "t.r.c | 亿").unwrap(), "1.23");
        assert_eq!(print("-150000", Number, "元", "t.r.c | 万 | 增加").unwrap(), "减少15万元");
        assert_eq!(print("5000", Number, "元", "t.r.c | 万(2)").unwrap(), "0.50");
    }

    #[test]
    fn unknown_filters_and_misuse_are_explained() {
        let error = Reference::parse("t.r.c | 下降").unwrap_err();
        assert!(error.contains("unknown filter `下降`") && error.contains("abs, 增长"), "{error}");
        assert!(Reference::parse("t.r.c | abs(2)").unwrap_err().contains("takes no argument"));
        assert!(Reference::parse("t.r.c | 万(x)").unwrap_err().contains("decimal places"));
        assert!(Reference::parse("t.r.c |").unwrap_err().contains("empty filter"));
        assert!(print("2.1", ColumnKind::Number, "亿元", "t.r.c | 百分点").unwrap_err().contains("not a percent column"));
        assert_eq!(Reference::parse(" t.r.c ").unwrap(), Reference { path: "t.r.c".into(), filters: vec![] });
    }
}
