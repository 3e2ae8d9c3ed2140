//! Value axes: round tick values ("nice numbers") and the mapping from values to coordinates.
//!
//! Tick steps are 1, 2, 2.5 or 5 × 10ⁿ. A step is kept as an integer mantissa and a power of
//! ten, so tick labels are printed exactly (`0.3`, never `0.30000000000000004`).

/// Step mantissas in increasing order, as (integer mantissa, extra power of ten): 2.5 = 25 × 10⁻¹.
const MANTISSAS: [(i64, i32); 4] = [(1, 0), (2, 0), (25, -1), (5, 0)];

/// The ticks of a value axis.
#[derive(Debug, Clone, PartialEq)]
pub struct Ticks {
    /// Tick multiples of the step: tick `i` is `first + i` steps.
    first: i64,
    /// Number of intervals between the lowest and the highest tick.
    intervals: i64,
    /// Integer mantissa of the step.
    mantissa: i64,
    /// Power of ten of the step.
    exponent: i32,
    /// Whether labels group thousands with commas (`60,000`), as the chart's data does.
    grouped: bool,
}

impl Ticks {
    /// The step between two ticks.
    pub fn step(&self) -> f64 {
        self.mantissa as f64 * 10f64.powi(self.exponent)
    }

    /// The lowest tick (the axis minimum).
    pub fn min(&self) -> f64 {
        self.first as f64 * self.step()
    }

    /// The highest tick (the axis maximum).
    pub fn max(&self) -> f64 {
        (self.first + self.intervals) as f64 * self.step()
    }

    /// The tick values, lowest first.
    pub fn values(&self) -> Vec<f64> {
        (0..=self.intervals).map(|i| (self.first + i) as f64 * self.step()).collect()
    }

    /// The same ticks, printed with thousands grouped by commas when `grouped` (a chart
    /// whose data writes `54,318` labels its axis `60,000`, not `60000`).
    pub fn grouping_thousands(self, grouped: bool) -> Self {
        Ticks { grouped, ..self }
    }

    /// The tick values as printed, lowest first, all with the same number of decimals.
    pub fn labels(&self) -> Vec<String> {
        (0..=self.intervals)
            .map(|i| self.label((self.first + i) * self.mantissa))
            .map(|label| if self.grouped { group_thousands(&label) } else { label })
            .collect()
    }

    /// Prints `units` × 10^exponent exactly.
    fn label(&self, units: i64) -> String {
        if self.exponent >= 0 {
            let value = i128::from(units) * 10i128.pow(self.exponent.unsigned_abs());
            return value.to_string();
        }
        let decimals = self.exponent.unsigned_abs() as usize;
        let digits = format!("{:0>width$}", units.unsigned_abs(), width = decimals + 1);
        let (int, frac) = digits.split_at(digits.len() - decimals);
        let sign = if units < 0 { "-" } else { "" };
        format!("{sign}{int}.{frac}")
    }
}

/// Inserts a comma between every three digits of the integer part: `-12345.5` → `-12,345.5`.
pub(crate) fn group_thousands(number: &str) -> String {
    let (sign, rest) = number.strip_prefix('-').map_or(("", number), |rest| ("-", rest));
    let (int, frac) = rest.split_once('.').map_or((rest, None), |(i, f)| (i, Some(f)));
    let mut grouped = String::new();
    for (i, digit) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    match frac {
        Some(frac) => format!("{sign}{grouped}.{frac}"),
        None => format!("{sign}{grouped}"),
    }
}

/// Whether any value label of the data groups thousands with a comma (`54,318`).
pub(crate) fn data_groups_thousands(data: &super::spec::ChartData) -> bool {
    data.series.iter().flat_map(|s| &s.labels).any(|label| {
        let chars: Vec<char> = label.chars().collect();
        chars.windows(3).any(|w| w[0].is_ascii_digit() && w[1] == ',' && w[2].is_ascii_digit())
    })
}

/// Chooses round ticks covering `lo..=hi` with at most `max_intervals` intervals.
///
/// The step is the smallest 1, 2, 2.5 or 5 × 10ⁿ that needs no more than `max_intervals`
/// intervals; the ticks extend to the multiples of the step around `lo` and `hi`. An empty
/// range (`lo == hi`) is widened to include 0 and 1 so the axis is never degenerate.
pub fn nice_ticks(lo: f64, hi: f64, max_intervals: usize) -> Ticks {
    let (mut lo, mut hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
    if !lo.is_finite() || !hi.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    if hi - lo <= f64::EPSILON * hi.abs().max(lo.abs()) {
        if hi > 0.0 {
            lo = 0.0;
        } else if lo < 0.0 {
            hi = 0.0;
        } else {
            hi = 1.0;
        }
    }
    let max_intervals = max_intervals.max(1) as f64;
    let rough = (hi - lo) / max_intervals;
    let mut exponent = rough.log10().floor() as i32 - 1;
    loop {
        for (mantissa, shift) in MANTISSAS {
            let step = mantissa as f64 * 10f64.powi(exponent + shift);
            // A tolerance keeps a value such as 120.0000000001 from opening another interval.
            let first = (lo / step + 1e-9).floor();
            let last = (hi / step - 1e-9).ceil();
            if last - first <= max_intervals {
                return Ticks { first: first as i64, intervals: (last - first).max(1.0) as i64, mantissa, exponent: exponent + shift, grouped: false };
            }
        }
        exponent += 1;
    }
}

/// Maps values onto a coordinate range along one axis.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scale {
    /// The value at `from`.
    pub min: f64,
    /// The value at `to`.
    pub max: f64,
    /// Coordinate of `min`.
    pub from: f64,
    /// Coordinate of `max`.
    pub to: f64,
}

impl Scale {
    /// The coordinate of `value`.
    pub fn at(&self, value: f64) -> f64 {
        self.from + (value - self.min) / (self.max - self.min) * (self.to - self.from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(lo: f64, hi: f64, n: usize) -> Vec<String> {
        nice_ticks(lo, hi, n).labels()
    }

    #[test]
    fn gdp_example_gets_steps_of_twenty() {
        assert_eq!(labels(0.0, 112.4, 6), ["0", "20", "40", "60", "80", "100", "120"]);
        let ticks = nice_ticks(0.0, 112.4, 6);
        assert_eq!(ticks.values(), vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0, 120.0]);
        assert_eq!(ticks.max(), 120.0);
    }

    #[test]
    fn steps_are_one_two_two_and_a_half_or_five() {
        assert_eq!(labels(0.0, 100.0, 5), ["0", "20", "40", "60", "80", "100"]);
        assert_eq!(labels(0.0, 9.0, 4), ["0.0", "2.5", "5.0", "7.5", "10.0"]);
        assert_eq!(labels(0.0, 0.3, 3), ["0.0", "0.1", "0.2", "0.3"]);
        assert_eq!(labels(0.0, 36.56, 6), ["0", "10", "20", "30", "40"]);
        assert_eq!(labels(0.0, 45000.0, 5), ["0", "10000", "20000", "30000", "40000", "50000"]);
        for (lo, hi, n) in [(0.0, 7.3, 6), (-13.0, 58.0, 6), (0.0, 0.042, 5), (0.0, 987654.0, 8)] {
            let ticks = nice_ticks(lo, hi, n);
            let step = ticks.step();
            let mantissa = step / 10f64.powf(step.log10().floor());
            assert!([1.0, 2.0, 2.5, 5.0].iter().any(|m| (m - mantissa).abs() < 1e-9), "step {step} for {lo}..{hi}");
            assert!(ticks.min() <= lo && ticks.max() >= hi, "{lo}..{hi} not covered by {ticks:?}");
            assert!(ticks.values().len() - 1 <= n);
        }
    }

    #[test]
    fn negative_ranges_pass_through_zero() {
        assert_eq!(labels(-13.0, 58.0, 8), ["-20", "-10", "0", "10", "20", "30", "40", "50", "60"]);
        assert_eq!(labels(-3.2, 0.0, 4), ["-4", "-3", "-2", "-1", "0"]);
    }

    #[test]
    fn degenerate_ranges_are_widened() {
        assert_eq!(labels(0.0, 0.0, 5), ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]);
        assert!(nice_ticks(5.0, 5.0, 5).max() >= 5.0);
        assert!(nice_ticks(-5.0, -5.0, 5).min() <= -5.0);
    }

    #[test]
    fn values_land_on_the_exact_tick() {
        let ticks = nice_ticks(0.0, 120.0, 6);
        assert_eq!(ticks.max(), 120.0);
    }

    #[test]
    fn scale_maps_linearly() {
        let s = Scale { min: 0.0, max: 120.0, from: 200.0, to: 20.0 };
        assert_eq!(s.at(0.0), 200.0);
        assert_eq!(s.at(120.0), 20.0);
        assert_eq!(s.at(60.0), 110.0);
    }

    #[test]
    fn thousands_are_grouped_when_asked() {
        assert_eq!(group_thousands("0"), "0");
        assert_eq!(group_thousands("999"), "999");
        assert_eq!(group_thousands("1000"), "1,000");
        assert_eq!(group_thousands("60000"), "60,000");
        assert_eq!(group_thousands("-1234567.25"), "-1,234,567.25");
        assert_eq!(nice_ticks(0.0, 54318.0, 3).grouping_thousands(true).labels(), ["0", "20,000", "40,000", "60,000"]);
        assert_eq!(nice_ticks(0.0, 54318.0, 3).labels(), ["0", "20000", "40000", "60000"]);
    }
}
