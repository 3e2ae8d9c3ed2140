//! Rules on rates — growth, share of a whole, change in percentage points, multiple and
//! compound annual growth — computed from the values as written and compared with the
//! stated figure.
//!
//! The stated figure is a result rounded half away from zero (四舍五入): `18.9` (one decimal)
//! stands for anything in `[18.85, 18.95)`, so a computed 18.85 is accepted and 18.84 is
//! refused (and 18.85 is not 18.8). The comparison is
//! exact in decimal integers (a computed 18.85 is not 18.849999… here); numbers too long for
//! 128 bits fall back to floating point.

use super::data::Value;

/// A rule operand resolved to a cell: how the rule names it, its value and where it is.
#[derive(Debug, Clone)]
pub struct Cell<'a> {
    /// The reference as written in the rule (`增长.现值` or `table.row.column`).
    pub reference: String,
    /// The cell's value.
    pub value: &'a Value,
    /// The parsed number.
    pub number: f64,
    /// Where the cell is written: `data/file:line`.
    pub place: String,
}

/// Which rate a rule computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rate {
    /// `(a − b) ÷ b × 100`; `decrease`: the stated figure is a fall without its minus sign.
    Growth {
        /// The stated figure is a fall.
        decrease: bool,
    },
    /// `a ÷ b × 100`.
    Ratio,
    /// `a − b`, in percentage points; `decrease` as for growth.
    Change {
        /// The stated figure is a fall.
        decrease: bool,
    },
    /// `a ÷ b`.
    Multiple,
    /// `((a ÷ b)^(1/years) − 1) × 100`, with `a` the last and `b` the first value.
    Cagr {
        /// Years between the first and the last value.
        years: u32,
    },
}

impl Rate {
    fn name(self) -> &'static str {
        match self {
            Rate::Growth { .. } => "growth",
            Rate::Ratio => "ratio",
            Rate::Change { .. } => "change",
            Rate::Multiple => "multiple",
            Rate::Cagr { .. } => "cagr",
        }
    }

    /// The names of the two operands, for messages.
    fn roles(self) -> [&'static str; 2] {
        match self {
            Rate::Growth { .. } | Rate::Change { .. } => ["current", "previous"],
            Rate::Ratio => ["part", "whole"],
            Rate::Multiple => ["value", "base"],
            Rate::Cagr { .. } => ["last", "first"],
        }
    }

    fn unit(self) -> &'static str {
        match self {
            Rate::Change { .. } => " percentage points",
            Rate::Multiple => " times",
            _ => "%",
        }
    }
}

/// Checks `rate(a, b) = stated` within half a unit of the stated figure's last written
/// digit; the error names the computed and the written figure and every cell's place.
pub fn check(rate: Rate, a: &Cell<'_>, b: &Cell<'_>, stated: &Cell<'_>) -> Result<(), String> {
    let decrease = matches!(rate, Rate::Growth { decrease: true } | Rate::Change { decrease: true });
    let sign = if decrease { -1.0 } else { 1.0 };
    let written = sign * stated.number;
    let half = 0.5 * 10f64.powi(-(stated.value.decimals as i32));
    if matches!(rate, Rate::Ratio | Rate::Multiple | Rate::Growth { .. }) && b.number == 0.0 {
        return Err(format!(
            "{} rule: {} `{}` is 0, so the {} is undefined ({})",
            rate.name(),
            rate.roles()[1],
            b.reference,
            rate.name(),
            places(rate, a, b, stated)
        ));
    }
    let computed = match rate {
        Rate::Growth { .. } => (a.number - b.number) / b.number * 100.0,
        Rate::Ratio => a.number / b.number * 100.0,
        Rate::Change { .. } => a.number - b.number,
        Rate::Multiple => a.number / b.number,
        Rate::Cagr { years } => {
            if years == 0 || a.number <= 0.0 || b.number <= 0.0 {
                return Err(format!("cagr rule: needs positive first and last values and at least one year ({})", places(rate, a, b, stated)));
            }
            ((a.number / b.number).powf(1.0 / f64::from(years)) - 1.0) * 100.0
        }
    };
    let exact = exact_within(rate, a.value, b.value, stated.value, decrease);
    let within = exact.unwrap_or((computed - written).abs() <= half + 1e-9 * written.abs().max(1.0));
    if within {
        return Ok(());
    }
    let range = match stated.value.exact {
        Some((mantissa, decimals)) => {
            let (low, high) = (decimal(mantissa * 10 - 5, decimals + 1), decimal(mantissa * 10 + 5, decimals + 1));
            match mantissa.signum() {
                1 => format!("{low} ≤ x < {high}"),
                -1 => format!("{low} < x ≤ {high}"),
                _ => format!("{low} < x < {high}"),
            }
        }
        None => format!("{} to {}", plain(stated.number - half), plain(stated.number + half)),
    };
    let what = match rate {
        Rate::Growth { decrease: true } => format!("a fall of {}%", plain(-computed)),
        Rate::Change { decrease: true } => format!("a fall of {} percentage points", plain(-computed)),
        _ => format!("{}{}", plain(computed), rate.unit()),
    };
    let formula = match rate {
        Rate::Growth { .. } => format!("({} − {}) ÷ {} × 100", a.value.written, b.value.written, b.value.written),
        Rate::Ratio => format!("{} ÷ {} × 100", a.value.written, b.value.written),
        Rate::Change { .. } => format!("{} − {}", a.value.written, b.value.written),
        Rate::Multiple => format!("{} ÷ {}", a.value.written, b.value.written),
        Rate::Cagr { years } => format!("(({} ÷ {})^(1/{years}) − 1) × 100", a.value.written, b.value.written),
    };
    Err(format!(
        "{} rule broken: {formula} is {what}, but the written figure is {}{} (rounded half up, it stands for {range}); {}",
        rate.name(),
        stated.value.written,
        rate.unit(),
        places(rate, a, b, stated)
    ))
}

/// `current 增长.现值 = 118.84 at data/t.toml:5, …` for every operand.
fn places(rate: Rate, a: &Cell<'_>, b: &Cell<'_>, stated: &Cell<'_>) -> String {
    let [first, second] = rate.roles();
    [(first, a), (second, b), ("stated", stated)]
        .iter()
        .map(|(role, cell)| format!("{role} `{}` = {} at {}", cell.reference, cell.value.written, cell.place))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether the rate computed from the written values lies within half a unit of the stated
/// figure, in exact decimal integers; `None` when a value has no exact form or the numbers
/// overflow 128 bits.
fn exact_within(rate: Rate, a: &Value, b: &Value, stated: &Value, decrease: bool) -> Option<bool> {
    let ((ma, da), (mb, db)) = (a.exact?, b.exact?);
    let (ms, ds) = stated.exact?;
    let ms = if decrease { ms.checked_neg()? } else { ms };
    let scale = da.max(db);
    let a = ma.checked_mul(10i128.checked_pow(scale - da)?)?;
    let b = mb.checked_mul(10i128.checked_pow(scale - db)?)?;
    // The computed figure as the fraction n ÷ d.
    let (n, d) = match rate {
        Rate::Growth { .. } => (a.checked_sub(b)?.checked_mul(100)?, b),
        Rate::Ratio => (a.checked_mul(100)?, b),
        Rate::Change { .. } => (a.checked_sub(b)?, 10i128.checked_pow(scale)?),
        Rate::Multiple => (a, b),
        Rate::Cagr { years } => return cagr_within(a, b, years, ms, ds),
    };
    if d == 0 {
        return None;
    }
    let (n, d) = if d < 0 { (n.checked_neg()?, d.checked_neg()?) } else { (n, d) };
    // n/d − ms/10^ds, times 10^(ds+1)·d (> 0), against half a unit, 5/10^(ds+1), times the same.
    let difference = 10i128.checked_pow(ds + 1)?.checked_mul(n)?.checked_sub(ms.checked_mul(10)?.checked_mul(d)?)?;
    let half = d.checked_mul(5)?;
    Some(rounds_to(ms, -half <= difference, difference < half, -half < difference, difference <= half))
}

/// Whether a figure rounds half away from zero to a stated figure with mantissa `ms`, given
/// how it compares with the lower and upper half-unit bounds (inclusive and exclusive).
fn rounds_to(ms: i128, from_low: bool, below_high: bool, above_low: bool, to_high: bool) -> bool {
    match ms.signum() {
        1 => from_low && below_high,
        -1 => above_low && to_high,
        _ => above_low && below_high,
    }
}

/// `(1 + (s − h)/100)^years ≤ last ÷ first ≤ (1 + (s + h)/100)^years`, exactly: with
/// `u = 100·10^(ds+1)`, `(u + 10·ms − 5)^years · first ≤ last · u^years ≤ (u + 10·ms + 5)^years · first`.
fn cagr_within(last: i128, first: i128, years: u32, ms: i128, ds: u32) -> Option<bool> {
    if first <= 0 || last <= 0 || years == 0 {
        return None;
    }
    let unit = 100i128.checked_mul(10i128.checked_pow(ds + 1)?)?;
    let low = unit.checked_add(ms.checked_mul(10)?)?.checked_sub(5)?;
    let high = low.checked_add(10)?;
    if low < 0 {
        return None;
    }
    let middle = last.checked_mul(unit.checked_pow(years)?)?;
    let (low, high) = (low.checked_pow(years)?.checked_mul(first)?, high.checked_pow(years)?.checked_mul(first)?);
    Some(rounds_to(ms, low <= middle, middle < high, low < middle, middle <= high))
}

/// An integer at `scale` decimals as text: `(18845, 3)` → `18.845`.
fn decimal(value: i128, scale: u32) -> String {
    let sign = if value < 0 { "-" } else { "" };
    let digits = format!("{:0>width$}", value.unsigned_abs(), width = scale as usize + 1);
    let (whole, fraction) = digits.split_at(digits.len() - scale as usize);
    if fraction.is_empty() { format!("{sign}{whole}") } else { format!("{sign}{whole}.{fraction}") }
}

/// A computed number without float noise (at most four decimals).
fn plain(number: f64) -> String {
    let text = format!("{number:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" { "0".to_string() } else { text.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manuscript::data::{ColumnKind, parse_value};

    fn value(text: &str) -> Value {
        parse_value(ColumnKind::Number, text).unwrap()
    }

    fn run(rate: Rate, a: &str, b: &str, stated: &str) -> Result<(), String> {
        let (va, vb, vs) = (value(a), value(b), value(stated));
        fn cell<'a>(name: &str, v: &'a Value) -> Cell<'a> {
            Cell { reference: name.to_string(), value: v, number: v.number.unwrap(), place: "data/t.toml:1".into() }
        }
        check(rate, &cell("a", &va), &cell("b", &vb), &cell("s", &vs))
    }

    #[test]
    fn the_stated_figures_precision_sets_the_boundary() {
        // 118.85 over 100 is exactly 18.85: it rounds to 18.9; 18.84 does not.
        assert!(run(Rate::Growth { decrease: false }, "118.85", "100", "18.9").is_ok());
        assert!(run(Rate::Growth { decrease: false }, "118.949", "100", "18.9").is_ok());
        assert!(run(Rate::Growth { decrease: false }, "118.95", "100", "18.9").is_err());
        let error = run(Rate::Growth { decrease: false }, "118.84", "100", "18.9").unwrap_err();
        assert!(error.contains("is 18.84%, but the written figure is 18.9% (rounded half up, it stands for 18.85 ≤ x < 18.95)"), "{error}");
        // 18.85 rounds to 18.9, not to 18.8.
        assert!(run(Rate::Growth { decrease: false }, "118.85", "100", "18.8").is_err());
        assert!(run(Rate::Growth { decrease: false }, "118.96", "100", "18.9").is_err());
        assert!(run(Rate::Growth { decrease: true }, "81.2", "100", "18.8").is_ok());
        assert!(run(Rate::Growth { decrease: true }, "81.3", "100", "18.8").is_err());
    }

    #[test]
    fn each_rate() {
        assert!(run(Rate::Ratio, "60", "70", "85.7").is_ok());
        assert!(run(Rate::Ratio, "60", "70", "85.8").is_err());
        assert!(run(Rate::Change { decrease: false }, "30.1", "17.7", "12.4").is_ok());
        assert!(run(Rate::Change { decrease: true }, "17.7", "30.1", "12.4").is_ok());
        assert!(run(Rate::Change { decrease: false }, "30.1", "17.7", "12.5").is_err());
        assert!(run(Rate::Multiple, "120", "100", "1.2").is_ok());
        assert!(run(Rate::Multiple, "126", "100", "1.2").is_err());
        // 100 → 150.37 in 5 years: 8.5006…%, so 8.5 holds and 8.6 does not.
        assert!(run(Rate::Cagr { years: 5 }, "150.37", "100", "8.5").is_ok());
        let error = run(Rate::Cagr { years: 5 }, "150.37", "100", "8.6").unwrap_err();
        assert!(error.contains("is 8.5006%"), "{error}");
        // 1.0845^5 = 1.500195…: 150.02 still rounds to 8.5, 150.01 does not.
        assert!(run(Rate::Cagr { years: 5 }, "150.02", "100", "8.5").is_ok());
        assert!(run(Rate::Cagr { years: 5 }, "150.01", "100", "8.5").is_err());
        assert!(run(Rate::Growth { decrease: false }, "5", "0", "1").unwrap_err().contains("is 0"));
    }

    #[test]
    fn decimals_print_exactly() {
        assert_eq!(decimal(18845, 3), "18.845");
        assert_eq!(decimal(-5, 2), "-0.05");
        assert_eq!(decimal(185, 0), "185");
    }
}
