//! Consistency rules declared next to the data (`[[rules]]` in a data table) and checked on
//! every build, so the numbers of a report can never disagree with each other.
//!
//! Tolerances follow the written precision: a value written `112.4` stands for anything in
//! `[112.35, 112.45)`, so a rule allows the half-units of every value it combines.

use std::path::Path;

use super::data::{DATA_DIR, DataSet, DataTable, RuleSpec, Value};
use super::rates::{self, Cell, Rate};
use crate::diagnostics::{Diagnostic, Diagnostics};

/// Half a unit of the last written digit.
fn half_unit(value: &Value) -> f64 {
    0.5 * 10f64.powi(-(value.decimals as i32))
}

/// Whether `terms` (each value with its sign) add up to zero within the half-units of every
/// value, computed exactly in decimal (`None` when a value has no exact form or the numbers
/// overflow 128 bits: the caller then uses floating point). Long numbers (30 digits) are
/// beyond what floating point adds without error.
fn exact_balance(terms: &[(i128, &Value)]) -> Option<bool> {
    let scale = terms.iter().map(|(_, v)| v.exact.map(|(_, s)| s)).collect::<Option<Vec<u32>>>()?.into_iter().max()? + 1;
    let mut sum: i128 = 0;
    let mut tolerance: i128 = 0;
    for (sign, value) in terms {
        let (mantissa, decimals) = value.exact?;
        let factor = 10i128.checked_pow(scale - decimals)?;
        sum = sum.checked_add(sign.checked_mul(mantissa.checked_mul(factor)?)?)?;
        // Half a unit of the last written digit, at `scale`.
        tolerance = tolerance.checked_add(5i128.checked_mul(10i128.checked_pow(scale - decimals - 1)?)?)?;
    }
    Some(sum.checked_abs()? <= tolerance)
}

/// [`exact_balance`] for numbers of any length (400 digits overflow both 128 bits and
/// floating point): the written digits added as decimal big integers. `None` when a value's
/// digits cannot be read back from how it is written.
fn long_balance(terms: &[(i128, &Value)]) -> Option<bool> {
    // Each value as (negative, its digits, decimals), from its written form.
    let mut read = Vec::new();
    for (sign, value) in terms {
        let mut digits = Vec::new();
        let mut negative = *sign < 0;
        for c in value.written.chars() {
            match c {
                '0'..='9' => digits.push(c as u8 - b'0'),
                '０'..='９' => digits.push((c as u32 - '０' as u32) as u8),
                '-' | '－' | '−' if digits.is_empty() => negative = !negative,
                _ => {}
            }
        }
        if digits.is_empty() {
            return None;
        }
        read.push((negative, digits, value.decimals));
    }
    let scale = read.iter().map(|(_, _, d)| *d).max()? + 1;
    // Little-endian decimal digits.
    let scaled = |digits: &[u8], decimals: u32| -> Vec<u8> {
        let mut out = vec![0u8; (scale - decimals) as usize];
        out.extend(digits.iter().rev());
        out
    };
    let add = |a: &[u8], b: &[u8]| -> Vec<u8> {
        let mut out = Vec::with_capacity(a.len().max(b.len()) + 1);
        let mut carry = 0;
        for i in 0..a.len().max(b.len()) {
            let digit = a.get(i).copied().unwrap_or(0) + b.get(i).copied().unwrap_or(0) + carry;
            out.push(digit % 10);
            carry = digit / 10;
        }
        if carry > 0 {
            out.push(carry);
        }
        out
    };
    let trimmed = |mut a: Vec<u8>| {
        while a.len() > 1 && a.last() == Some(&0) {
            a.pop();
        }
        a
    };
    let less = |a: &[u8], b: &[u8]| a.len() < b.len() || (a.len() == b.len() && a.iter().rev().lt(b.iter().rev()));
    let subtract = |a: &[u8], b: &[u8]| -> Vec<u8> {
        // a ≥ b
        let mut out = Vec::with_capacity(a.len());
        let mut borrow = 0i8;
        for (i, &digit_a) in a.iter().enumerate() {
            let mut digit = digit_a as i8 - b.get(i).copied().unwrap_or(0) as i8 - borrow;
            borrow = i8::from(digit < 0);
            if digit < 0 {
                digit += 10;
            }
            out.push(digit as u8);
        }
        out
    };
    let (mut plus, mut minus, mut tolerance) = (vec![0u8], vec![0u8], vec![0u8]);
    for (negative, digits, decimals) in &read {
        let value = scaled(digits, *decimals);
        if *negative {
            minus = add(&minus, &value);
        } else {
            plus = add(&plus, &value);
        }
        // Half a unit of the last written digit: 5 at position scale − decimals − 1.
        let mut half = vec![0u8; (scale - decimals - 1) as usize];
        half.push(5);
        tolerance = add(&tolerance, &half);
    }
    let (plus, minus) = (trimmed(plus), trimmed(minus));
    let difference = trimmed(if less(&plus, &minus) { subtract(&minus, &plus) } else { subtract(&plus, &minus) });
    Some(!less(&trimmed(tolerance), &difference))
}

/// Resolves a rule operand within `table` (two parts) or across tables (three parts).
fn operand<'a>(data: &'a DataSet, table: &'a DataTable, reference: &str) -> Result<(&'a Value, f64), String> {
    let parts: Vec<&str> = reference.split('.').collect();
    let value = match parts.as_slice() {
        [row, column] => table.value(row, column).map_err(|e| e.to_string())?,
        [_, _, _] => data.lookup(reference).map_err(|e| e.to_string())?,
        _ => return Err(format!("`{reference}` must be row.column or table.row.column")),
    };
    let number = value.number.ok_or_else(|| format!("`{reference}` has no numeric value"))?;
    Ok((value, number))
}

/// Resolves a rule operand to a cell with its place (`data/file:line`), within `table` or,
/// with three parts, in another table.
fn cell<'a>(data: &'a DataSet, table: &'a DataTable, reference: &str) -> Result<Cell<'a>, String> {
    let parts: Vec<&str> = reference.split('.').map(str::trim).collect();
    let (home, row, column) = match parts.as_slice() {
        [row, column] => (table, *row, *column),
        [other, row, column] => (data.table(other).map_err(|e| e.to_string())?, *row, *column),
        _ => return Err(format!("`{reference}` must be row.column or table.row.column")),
    };
    let value = home.value(row, column).map_err(|e| e.to_string())?;
    let number = value.number.ok_or_else(|| format!("`{reference}` has no numeric value"))?;
    let line = home.row(row).map_or(1, |r| r.line);
    Ok(Cell { reference: reference.to_string(), value, number, place: place(&home.rows_file, line) })
}

/// `data/<file>:<line>`, as an editor finds the cell.
fn place(file: &Path, line: usize) -> String {
    let name = file.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    format!("{DATA_DIR}/{name}:{line}")
}

/// Checks every rule of every table; reports each broken rule with its values.
pub fn check(data: &DataSet) -> Result<(), Diagnostics> {
    let mut diagnostics = Diagnostics::default();
    let hint = "correct the figure in the data (or the rule), so text, tables and charts agree";
    for table in data.tables.values() {
        for (rule, line) in &table.rules {
            if let Err(message) = check_rule(data, table, rule) {
                diagnostics.push(Diagnostic::error(&table.path, message).at_line(*line).with_hint(hint));
            }
        }
        if let Some((growth, line)) = &table.growth {
            for row in &table.rows {
                let [current, previous, stated] = [&growth.current, &growth.previous, &growth.stated].map(|column| {
                    let value = table.value(&row.key, column).ok()?;
                    let reference = format!("{}.{column}", row.key);
                    Some(Cell { reference, value, number: value.number?, place: place(&table.rows_file, row.line) })
                });
                // Rows without all three numbers (a first year, a total without a rate) are skipped.
                let (Some(current), Some(previous), Some(stated)) = (current, previous, stated) else { continue };
                if let Err(message) = rates::check(Rate::Growth { decrease: growth.decrease }, &current, &previous, &stated) {
                    diagnostics.push(Diagnostic::error(&table.path, format!("row `{}`: {message}", row.key)).at_line(*line).with_hint(hint));
                }
            }
        }
    }
    diagnostics.into_result(())
}

/// Checks a rule on rates (growth, ratio, change, multiple, cagr).
fn check_rate(data: &DataSet, table: &DataTable, rate: Rate, a: &str, b: &str, stated: &str) -> Result<(), String> {
    rates::check(rate, &cell(data, table, a)?, &cell(data, table, b)?, &cell(data, table, stated)?)
}

fn check_rule(data: &DataSet, table: &DataTable, rule: &RuleSpec) -> Result<(), String> {
    match rule {
        RuleSpec::Growth { current, previous, stated, decrease } => check_rate(data, table, Rate::Growth { decrease: *decrease }, current, previous, stated),
        RuleSpec::Ratio { part, whole, stated } => check_rate(data, table, Rate::Ratio, part, whole, stated),
        RuleSpec::Change { current, previous, stated, decrease } => check_rate(data, table, Rate::Change { decrease: *decrease }, current, previous, stated),
        RuleSpec::Multiple { value, base, stated } => check_rate(data, table, Rate::Multiple, value, base, stated),
        RuleSpec::Cagr { first, last, years, from, to, stated } => {
            let years = match (years, from, to) {
                (Some(years), None, None) => *years,
                (None, Some(from), Some(to)) if to > from => u32::try_from(to - from).map_err(|_| "cagr rule: `to` − `from` is too large".to_string())?,
                (None, Some(from), Some(to)) => return Err(format!("cagr rule: `to = {to}` must be later than `from = {from}`")),
                _ => return Err("cagr rule: give either `years = N` or both `from = YEAR` and `to = YEAR`".to_string()),
            };
            check_rate(data, table, Rate::Cagr { years }, last, first, stated)
        }
        RuleSpec::Sum { parts, total } => {
            let parts: Vec<_> = parts.iter().map(|p| operand(data, table, p).map(|v| (p, v))).collect::<Result<_, _>>()?;
            let (total_value, total_number) = operand(data, table, total)?;
            let sum: f64 = parts.iter().map(|(_, (_, n))| n).sum();
            let tolerance = half_unit(total_value) + parts.iter().map(|(_, (v, _))| half_unit(v)).sum::<f64>() + 1e-9;
            let terms: Vec<(i128, &Value)> = parts.iter().map(|(_, (v, _))| (1, *v)).chain(std::iter::once((-1, total_value))).collect();
            let balanced = exact_balance(&terms).or_else(|| long_balance(&terms)).unwrap_or((sum - total_number).abs() <= tolerance);
            if !balanced {
                let terms: Vec<String> = parts.iter().map(|(_, (v, _))| v.written.clone()).collect();
                // Where each figure is, so the editor finds the rows that disagree.
                let places: Vec<String> = parts
                    .iter()
                    .map(|(p, _)| p.as_str())
                    .chain(std::iter::once(total.as_str()))
                    .filter_map(|reference| cell(data, table, reference).ok().map(|c| format!("{reference} {} at {}", c.value.written, c.place)))
                    .collect();
                let places = if places.is_empty() { String::new() } else { format!(" (the figures: {})", places.join("; ")) };
                if !sum.is_finite() {
                    return Err(format!("sum rule broken: {} do not add up to {total}, {}{places}", terms.join(" + "), total_value.written));
                }
                return Err(format!("sum rule broken: {} = {} but {total} is {}{places}", terms.join(" + "), format_number(sum), total_value.written));
            }
            Ok(())
        }
        RuleSpec::Shares { parts, shares } => {
            if parts.len() != shares.len() || parts.is_empty() {
                return Err(format!("shares rule needs as many shares as parts ({} parts, {} shares)", parts.len(), shares.len()));
            }
            let parts: Vec<_> = parts.iter().map(|p| operand(data, table, p)).collect::<Result<_, _>>()?;
            let shares: Vec<_> = shares.iter().map(|s| operand(data, table, s)).collect::<Result<_, _>>()?;
            let total: f64 = parts.iter().map(|(_, n)| n).sum();
            let stated_total: f64 = shares.iter().map(|(_, n)| n).sum();
            // Shares of nothing are no shares: every computed share would be NaN, which no
            // comparison finds wrong.
            if total == 0.0 || !total.is_finite() {
                let written: Vec<&str> = parts.iter().map(|(v, _)| v.written.as_str()).collect();
                return Err(format!("shares rule: the parts {} add up to {}, so they have no shares", written.join(" + "), format_number(total)));
            }
            for ((part, part_number), (share, share_number)) in parts.iter().zip(&shares) {
                let computed = part_number / total * stated_total;
                let relative_part_error = half_unit(part) / part_number.abs().max(f64::MIN_POSITIVE);
                let tolerance = half_unit(share) + computed.abs() * relative_part_error + 1e-9;
                if (computed - share_number).abs() > tolerance {
                    return Err(format!(
                        "shares rule broken: {} of {} is {} (of {}), but the stated share is {}",
                        part.written,
                        format_number(total),
                        format_number(computed),
                        format_number(stated_total),
                        share.written
                    ));
                }
            }
            Ok(())
        }
        RuleSpec::Difference { minuend, subtrahend, difference } => {
            let (a, a_number) = operand(data, table, minuend)?;
            let (b, b_number) = operand(data, table, subtrahend)?;
            let (d, d_number) = operand(data, table, difference)?;
            let tolerance = half_unit(a) + half_unit(b) + half_unit(d) + 1e-9;
            let terms = [(1, a), (-1, b), (-1, d)];
            let balanced = exact_balance(&terms).or_else(|| long_balance(&terms)).unwrap_or((a_number - b_number - d_number).abs() <= tolerance);
            if !balanced {
                return Err(format!(
                    "difference rule broken: {} − {} = {} but the stated difference is {}",
                    a.written,
                    b.written,
                    format_number(a_number - b_number),
                    d.written
                ));
            }
            Ok(())
        }
    }
}

/// Formats a computed number without float noise.
fn format_number(number: f64) -> String {
    let text = format!("{number:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(rules: &str, rows: &str) -> Result<(), Diagnostics> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("data")).unwrap();
        let text = format!("title = \"t\"\nkey = \"k\"\ncolumns = [{{ name = \"v\" }}]\nrows = [{rows}]\n{rules}");
        std::fs::write(dir.path().join("data/t.toml"), text).unwrap();
        check(&DataSet::load(dir.path()).unwrap())
    }

    const GDP: &str = r#"["一", "36.56"], ["二", "56.76"], ["三", "112.4"], ["总", "205.72"], ["s1", "17.8"], ["s2", "27.6"], ["s3", "54.6"], ["实际", "16.7"], ["目标", "11.5"], ["高出", "5.2"]"#;

    #[test]
    fn the_articles_figures_pass() {
        let rules = "[[rules]]\ntype = \"sum\"\nparts = [\"一.v\", \"二.v\", \"三.v\"]\ntotal = \"总.v\"\n\
                     [[rules]]\ntype = \"shares\"\nparts = [\"一.v\", \"二.v\", \"三.v\"]\nshares = [\"s1.v\", \"s2.v\", \"s3.v\"]\n\
                     [[rules]]\ntype = \"difference\"\nminuend = \"实际.v\"\nsubtrahend = \"目标.v\"\ndifference = \"高出.v\"\n";
        set(rules, GDP).unwrap();
    }

    #[test]
    fn four_hundred_digit_numbers_are_added_exactly_and_shares_of_nothing_refused() {
        let a = format!("{}.5", "9".repeat(400));
        let total = format!("1{}.0", "0".repeat(400));
        let wrong = format!("1{}.5", "0".repeat(400));
        let rows = format!(r#"["a", "{a}"], ["b", "0.5"], ["total", "{total}"], ["wrong", "{wrong}"], ["z1", "0"], ["z2", "0"], ["s1", "50"], ["s2", "50"]"#);
        let rules = "[[rules]]\ntype = \"sum\"\nparts = [\"a.v\", \"b.v\"]\ntotal = \"total.v\"\n";
        set(rules, &rows).unwrap();
        let broken = set(&rules.replace("total.v", "wrong.v"), &rows).unwrap_err().to_string();
        assert!(broken.contains("sum rule broken") && !broken.contains("inf"), "{broken}");
        let shares = "[[rules]]\ntype = \"shares\"\nparts = [\"z1.v\", \"z2.v\"]\nshares = [\"s1.v\", \"s2.v\"]\n";
        let refused = set(shares, &rows).unwrap_err().to_string();
        assert!(refused.contains("add up to 0"), "{refused}");
    }

    #[test]
    fn long_numbers_are_added_exactly() {
        // 30 digits: floating point adds these with an error of thousands.
        let rows =
            r#"["a", "123456789012345678901234567890"], ["b", "1"], ["total", "123456789012345678901234567891"], ["wrong", "123456789012345678901234567893"]"#;
        let rules = "[[rules]]\ntype = \"sum\"\nparts = [\"a.v\", \"b.v\"]\ntotal = \"total.v\"\n";
        set(rules, rows).unwrap();
        let broken = set(&rules.replace("total.v", "wrong.v"), rows).unwrap_err();
        assert!(broken.to_string().contains("sum rule broken"), "{broken}");
        // Rounding: 1.25 + 1.25 = 2.5; a total written 2.4 is too far.
        let rows = r#"["a", "1.25"], ["b", "1.25"], ["ok", "2.5"], ["off", "2.4"], ["near", "2.51"], ["far", "2.52"]"#;
        let rules = "[[rules]]\ntype = \"sum\"\nparts = [\"a.v\", \"b.v\"]\ntotal = \"ok.v\"\n";
        set(rules, rows).unwrap();
        assert!(set(&rules.replace("ok.v", "off.v"), rows).is_err());
        // 2.51: 0.01 off, within the three half-units (0.005 each); 2.52: 0.02 off, beyond.
        assert!(set(&rules.replace("ok.v", "near.v"), rows).is_ok(), "within the half-units of three values");
        assert!(set(&rules.replace("ok.v", "far.v"), rows).is_err());
    }

    #[test]
    fn broken_rules_name_values_and_line() {
        let rows = GDP.replace("\"112.4\"", "\"113.4\"").replace("\"5.2\"", "\"4.2\"");
        let rules = "[[rules]]\ntype = \"sum\"\nparts = [\"一.v\", \"二.v\", \"三.v\"]\ntotal = \"总.v\"\n\
                     [[rules]]\ntype = \"difference\"\nminuend = \"实际.v\"\nsubtrahend = \"目标.v\"\ndifference = \"高出.v\"\n";
        let errors = set(rules, &rows).unwrap_err();
        assert_eq!(errors.0.len(), 2, "{errors}");
        assert!(errors.0[0].message.contains("36.56 + 56.76 + 113.4 = 206.72 but 总.v is 205.72"), "{errors}");
        assert_eq!(errors.0[0].line, Some(5));
        assert!(errors.0[1].message.contains("16.7 − 11.5 = 5.2 but the stated difference is 4.2"), "{errors}");
    }
}
