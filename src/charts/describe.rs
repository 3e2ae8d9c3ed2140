//! The text alternative of a chart: its kind, title and unit, then every value as written,
//! then the source note the chart prints.
//!
//! Screen-reader users get the data itself, e.g.
//! `柱形图：2021年上半年三次产业增加值（亿元）。第一产业 36.56，第二产业 56.76，第三产业 112.4。资料来源：某市统计局。`

use super::spec::{ChartData, ChartKind, ChartOptions, share};

/// The Chinese text alternative for `data` drawn as `options.kind` (labels already filled in).
pub(crate) fn alt_text(options: &ChartOptions, data: &ChartData) -> String {
    let mut out = format!("{}：{}", options.kind.chinese_name(), options.title.trim());
    if !options.unit.is_empty() {
        out.push_str(&format!("（{}）", options.unit));
    }
    out.push('。');
    let body = match options.kind {
        ChartKind::Pie | ChartKind::Donut => shares(data),
        ChartKind::PercentBar => by_category(data),
        _ => by_series(data),
    };
    out.push_str(&body);
    out.push('。');
    // The source note is drawn inside the chart, which a screen reader does not read.
    let source = options.source.trim();
    if !source.is_empty() {
        out.push_str(source);
        if !source.ends_with(['。', '.', '！', '？']) {
            out.push('。');
        }
    }
    out
}

/// `A 1，B 2` for one series; `甲：A 1，B 2；乙：A 3，B 4` for several.
fn by_series(data: &ChartData) -> String {
    let values = |s: usize| {
        let series = &data.series[s];
        let pairs = data.categories.iter().zip(&series.labels).map(|(c, l)| format!("{c} {l}"));
        pairs.collect::<Vec<_>>().join("，")
    };
    if data.series.len() == 1 {
        return values(0);
    }
    let parts = data.series.iter().enumerate().map(|(s, series)| format!("{}：{}", series.name, values(s)));
    parts.collect::<Vec<_>>().join("；")
}

/// `A 1（33.3%），B 2（66.7%）` for the one series of a pie.
fn shares(data: &ChartData) -> String {
    let series = &data.series[0];
    let total: f64 = series.values.iter().sum();
    let parts = data.categories.iter().enumerate().map(|(c, name)| format!("{name} {}（{}）", series.labels[c], share(series.values[c], total)));
    parts.collect::<Vec<_>>().join("，")
}

/// Per category, every series with its share of the category: `2020年：甲 1（25.0%），乙 3（75.0%）`.
fn by_category(data: &ChartData) -> String {
    let parts = data.categories.iter().enumerate().map(|(c, name)| {
        let total: f64 = data.series.iter().map(|s| s.values[c]).sum();
        let values = data.series.iter().map(|s| format!("{} {}（{}）", s.name, s.labels[c], share(s.values[c], total)));
        format!("{name}：{}", values.collect::<Vec<_>>().join("，"))
    });
    parts.collect::<Vec<_>>().join("；")
}
