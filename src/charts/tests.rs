//! Tests that read the charts back: the SVG is parsed by usvg (the library Typst uses) with
//! the pinned Noto CJK fonts from `fonts/`, and the geometry of marks and glyphs is measured.

use std::sync::{Arc, OnceLock};

use usvg::tiny_skia_path::PathSegment;

use super::canvas::on_canvas;
use super::text::{Rect, text_width};
use super::*;

const FAMILY: &str = "Noto Sans CJK SC";

fn options(kind: ChartKind) -> ChartOptions {
    ChartOptions {
        kind,
        title: "2021年上半年三次产业增加值".to_string(),
        unit: "亿元".to_string(),
        source: "资料来源：某市统计局".to_string(),
        font_family: FAMILY.to_string(),
        width: 400.0,
        height: 260.0,
        palette: Vec::new(),
        draw_title: true,
        id_prefix: String::new(),
        label_words: Default::default(),
        unit_word: crate::model::script::SIMPLIFIED.unit,
    }
}

fn series(name: &str, labels: &[&str]) -> Series {
    Series {
        name: name.to_string(),
        values: labels.iter().map(|l| l.parse().unwrap_or(f64::NAN)).collect(),
        labels: labels.iter().map(|l| l.to_string()).collect(),
    }
}

fn data(categories: &[&str], series: Vec<Series>) -> ChartData {
    ChartData { categories: categories.iter().map(|c| c.to_string()).collect(), series }
}

const SECTORS: [&str; 3] = ["第一产业", "第二产业", "第三产业"];

/// A representative chart of each kind (with negatives, long names and many series where
/// the kind supports them).
fn sample(kind: ChartKind) -> (ChartOptions, ChartData) {
    let years = ["2017年", "2018年", "2019年", "2020年", "2021年"];
    let d = match kind {
        ChartKind::Bar | ChartKind::Pie => data(&SECTORS, vec![series("增加值", &["36.56", "56.76", "112.4"])]),
        ChartKind::HorizontalBar => data(
            &["规模以上工业增加值", "固定资产投资", "社会消费品零售总额", "一般公共预算收入", "进出口总额"],
            vec![series("增速", &["8.2", "12.5", "15.1", "-3.4", "21"])],
        ),
        ChartKind::GroupedBar => data(
            &SECTORS,
            vec![series("2019年", &["30.1", "50.2", "100.5"]), series("2020年", &["33.8", "-4.6", "104"]), series("2021年", &["36.56", "56.76", "112.4"])],
        ),
        ChartKind::StackedBar | ChartKind::PercentBar => data(
            &years,
            vec![
                series("第一产业", &["28.1", "30.5", "31.2", "33.8", "36.56"]),
                series("第二产业", &["45.3", "48.9", "52", "50.1", "56.76"]),
                series("第三产业", &["80.2", "88.7", "97.4", "104", "112.4"]),
                series("其他", &["3", "2.5", "4", "3.2", "5"]),
                series("补充项", &["10", "12", "9", "11", "14"]),
            ],
        ),
        ChartKind::Line => data(
            &years,
            vec![series("地区生产总值增速", &["7.9", "8.1", "7.5", "3.8", "8.9"]), series("固定资产投资增速", &["12", "11.3", "10.2", "-2.1", "9.5"])],
        ),
        ChartKind::Donut => data(
            &["农业", "工业", "建筑业", "批发和零售业", "交通运输业", "其他服务业"],
            vec![series("增加值", &["36.56", "48.2", "8.5", "21.3", "12", "79.6"])],
        ),
    };
    (options(kind), d)
}

/// Harder layouts: many categories with long names, many series, small values.
fn stress_samples() -> Vec<(ChartOptions, ChartData)> {
    let long = [
        "农林牧渔业总产值",
        "规模以上工业增加值",
        "建筑业总产值",
        "批发和零售业销售额",
        "住宿和餐饮业营业额",
        "交通运输仓储和邮政业",
        "金融业增加值",
        "房地产开发投资",
        "社会消费品零售总额",
        "一般公共预算收入",
    ];
    let values: Vec<String> = (0..long.len()).map(|i| format!("{}.{}", 10 + i * 7, i)).collect();
    let value_refs: Vec<&str> = values.iter().map(String::as_str).collect();
    let many: Vec<Series> = (0..8)
        .map(|s| {
            let labels: Vec<String> = (0..4).map(|c| format!("{}", 1 + (s * 3 + c * 5) % 11)).collect();
            series(&format!("系列{}", s + 1), &labels.iter().map(String::as_str).collect::<Vec<_>>())
        })
        .collect();
    let quarters = ["一季度", "二季度", "三季度", "四季度"];
    let mut out = vec![
        (options(ChartKind::Bar), data(&long, vec![series("", &value_refs)])),
        (options(ChartKind::HorizontalBar), data(&long, vec![series("", &value_refs)])),
        (options(ChartKind::Line), data(&long, vec![series("", &value_refs)])),
        (options(ChartKind::GroupedBar), data(&quarters, many.clone())),
        (options(ChartKind::StackedBar), data(&quarters, many.clone())),
        (options(ChartKind::PercentBar), data(&quarters, many.clone())),
        (options(ChartKind::Line), data(&quarters, many[..4].to_vec())),
        (options(ChartKind::Pie), data(&long, vec![series("", &["50", "1.2", "0.8", "30", "2", "1", "0.5", "40", "3", "0.3"])])),
    ];
    let mut small = options(ChartKind::GroupedBar);
    (small.width, small.height, small.source, small.unit) = (220.0, 160.0, String::new(), String::new());
    out.extend([
        (options(ChartKind::Bar), data(&SECTORS, vec![series("", &["-3.5", "-12", "-0.4"])])),
        (options(ChartKind::Bar), data(&["合计"], vec![series("", &["0"])])),
        (options(ChartKind::Line), data(&["2021年"], vec![series("甲", &["5"]), series("乙", &["5"])])),
        (
            options(ChartKind::HorizontalBar),
            data(&SECTORS, vec![series("2020年", &["12", "-5.5", "30"]), series("2021年", &["15", "8", "-2"]), series("2022年", &["1", "2", "3"])]),
        ),
        (
            options(ChartKind::StackedBar),
            data(&SECTORS, vec![series("收入", &["12", "20", "30"]), series("支出", &["-8", "-25", "-10"]), series("其他", &["3", "-2", "1"])]),
        ),
        (
            options(ChartKind::Line),
            data(
                &quarters,
                vec![series("甲", &["10", "20", "30", "40"]), series("乙", &["10.5", "21", "29", "41"]), series("丙", &["11", "19.5", "31", "39"])],
            ),
        ),
        (small, data(&SECTORS, vec![series("2020年", &["12", "5.5", "30"]), series("2021年", &["15", "8", "22"])])),
    ]);
    let mut tall = options(ChartKind::Donut);
    tall.title = "这是一个很长的标题，用来检验标题在图表宽度不够时能否自动换行而不与图例重叠".to_string();
    out.push((tall, data(&long[..5], vec![series("", &["5", "5", "5", "5", "5"])])));
    out
}

fn all_samples() -> Vec<(ChartOptions, ChartData)> {
    let mut out: Vec<_> = ChartKind::ALL.iter().map(|&k| sample(k)).collect();
    out.extend(stress_samples());
    out
}

fn rendered(options: &ChartOptions, data: &ChartData) -> RenderedChart {
    match render(options, data) {
        Ok(chart) => chart,
        Err(e) => panic!("{} chart failed: {e}", options.kind.name()),
    }
}

// ---- reading charts back with usvg -------------------------------------------------------

fn fontdb() -> Arc<usvg::fontdb::Database> {
    static DB: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_fonts_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/fonts"));
        assert!(db.faces().any(|f| f.families.iter().any(|(name, _)| name == FAMILY)), "{FAMILY} not in fonts/");
        Arc::new(db)
    })
    .clone()
}

fn parse(svg: &str) -> usvg::Tree {
    let options = usvg::Options { fontdb: fontdb(), ..usvg::Options::default() };
    match usvg::Tree::from_str(svg, &options) {
        Ok(tree) => tree,
        Err(e) => panic!("usvg cannot read the chart: {e}\n{svg}"),
    }
}

fn node<'a>(tree: &'a usvg::Tree, id: &str) -> &'a usvg::Node {
    tree.node_by_id(id).unwrap_or_else(|| panic!("no element with id {id}"))
}

fn bbox(tree: &usvg::Tree, id: &str) -> usvg::Rect {
    node(tree, id).abs_bounding_box()
}

fn to_rect(r: usvg::Rect) -> Rect {
    Rect { x: f64::from(r.x()), y: f64::from(r.y()), w: f64::from(r.width()), h: f64::from(r.height()) }
}

/// Every text element: id, its characters, the families of its spans, and the ink box of
/// its glyph outlines.
struct TextNode {
    id: String,
    text: String,
    families: Vec<Vec<usvg::FontFamily>>,
    ink: Rect,
}

fn texts(tree: &usvg::Tree) -> Vec<TextNode> {
    fn walk(group: &usvg::Group, out: &mut Vec<TextNode>) {
        for child in group.children() {
            match child {
                usvg::Node::Group(g) => walk(g, out),
                usvg::Node::Text(t) => out.push(TextNode {
                    id: t.id().to_string(),
                    text: t.chunks().iter().map(|c| c.text()).collect(),
                    families: t.chunks().iter().flat_map(|c| c.spans()).map(|s| s.font().families().to_vec()).collect(),
                    ink: to_rect(t.flattened().abs_bounding_box()),
                }),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(tree.root(), &mut out);
    out
}

fn close(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance * a.abs().max(b.abs()).max(1e-9)
}

/// Asserts that `lengths[i] / values[i]` is the same for every i, within 0.5 %.
fn assert_proportional(what: &str, lengths: &[f64], values: &[f64]) {
    let ratio = lengths[0] / values[0];
    for (l, v) in lengths.iter().zip(values) {
        assert!(close(l / v, ratio, 0.005), "{what}: length {l} for value {v}, expected {}", v * ratio);
    }
}

fn zero_line(tree: &usvg::Tree) -> usvg::Rect {
    bbox(tree, "value-axis-zero")
}

// ---- geometry --------------------------------------------------------------------------

#[test]
fn bar_heights_are_proportional_and_stand_on_zero() {
    let (o, d) = sample(ChartKind::Bar);
    let tree = parse(&rendered(&o, &d).svg());
    let zero = zero_line(&tree).y() + zero_line(&tree).height() / 2.0;
    let bars: Vec<usvg::Rect> = (0..3).map(|c| bbox(&tree, &format!("bar-s0-c{c}"))).collect();
    let heights: Vec<f64> = bars.iter().map(|b| f64::from(b.height())).collect();
    assert_proportional("bar", &heights, &d.series[0].values);
    for b in &bars {
        assert!((b.bottom() - zero).abs() < 0.05, "bar does not stand on the zero line");
    }
    // The tallest bar reaches 112.4 on an axis whose top tick is 120.
    let grid_top = bbox(&tree, "grid-6").y();
    let full = f64::from(zero - grid_top);
    assert!(close(heights[2] / full, 112.4 / 120.0, 0.005));
}

#[test]
fn horizontal_bar_lengths_are_proportional_and_negatives_go_left() {
    let (o, d) = sample(ChartKind::HorizontalBar);
    let tree = parse(&rendered(&o, &d).svg());
    let zero = f64::from(zero_line(&tree).x() + zero_line(&tree).width() / 2.0);
    let bars: Vec<usvg::Rect> = (0..5).map(|c| bbox(&tree, &format!("bar-s0-c{c}"))).collect();
    let lengths: Vec<f64> = bars.iter().map(|b| f64::from(b.width())).collect();
    let magnitudes: Vec<f64> = d.series[0].values.iter().map(|v| v.abs()).collect();
    assert_proportional("hbar", &lengths, &magnitudes);
    for (b, v) in bars.iter().zip(&d.series[0].values) {
        let start = if *v < 0.0 { f64::from(b.right()) } else { f64::from(b.x()) };
        assert!((start - zero).abs() < 0.05, "bar for {v} does not start at zero");
    }
    // First category on top.
    assert!(bars[0].y() < bars[1].y());
}

#[test]
fn grouped_bars_are_proportional_and_side_by_side() {
    let (o, d) = sample(ChartKind::GroupedBar);
    let tree = parse(&rendered(&o, &d).svg());
    let mut lengths = Vec::new();
    let mut values = Vec::new();
    for c in 0..3 {
        let bars: Vec<usvg::Rect> = (0..3).map(|s| bbox(&tree, &format!("bar-s{s}-c{c}"))).collect();
        for pair in bars.windows(2) {
            assert!(pair[0].right() <= pair[1].x() + 0.01, "bars of one group overlap");
        }
        lengths.extend(bars.iter().map(|b| f64::from(b.height())));
        values.extend(d.series.iter().map(|s| s.values[c].abs()));
    }
    assert_proportional("grouped bar", &lengths, &values);
    // The negative bar hangs below the zero line.
    let zero = zero_line(&tree);
    assert!(bbox(&tree, "bar-s1-c1").y() >= zero.y() - 0.01);
}

#[test]
fn stacked_segments_are_proportional_and_sum_to_the_stack() {
    let (o, d) = sample(ChartKind::StackedBar);
    let tree = parse(&rendered(&o, &d).svg());
    let zero = f64::from(zero_line(&tree).y() + zero_line(&tree).height() / 2.0);
    let mut heights = Vec::new();
    let mut values = Vec::new();
    let mut stacks = Vec::new();
    for c in 0..d.categories.len() {
        let segments: Vec<usvg::Rect> = (0..d.series.len()).map(|s| bbox(&tree, &format!("bar-s{s}-c{c}"))).collect();
        // Each segment starts where the one before ended, the first on the zero line.
        assert!((f64::from(segments[0].bottom()) - zero).abs() < 0.05);
        for pair in segments.windows(2) {
            assert!((pair[0].y() - pair[1].bottom()).abs() < 0.05, "gap or overlap in stack {c}");
        }
        let stack = f64::from(segments[0].bottom() - segments[segments.len() - 1].y());
        let sum: f64 = segments.iter().map(|s| f64::from(s.height())).sum();
        assert!(close(stack, sum, 0.005));
        stacks.push(stack);
        heights.extend(segments.iter().map(|s| f64::from(s.height())));
        values.extend(d.series.iter().map(|s| s.values[c]));
    }
    assert_proportional("segment", &heights, &values);
    let totals: Vec<f64> = (0..d.categories.len()).map(|c| d.series.iter().map(|s| s.values[c]).sum()).collect();
    assert_proportional("stack", &stacks, &totals);
}

#[test]
fn percent_bars_are_full_length_with_proportional_shares() {
    let (o, d) = sample(ChartKind::PercentBar);
    let svg = rendered(&o, &d).svg();
    let tree = parse(&svg);
    let zero = f64::from(zero_line(&tree).y() + zero_line(&tree).height() / 2.0);
    let ticks = nice_ticks(0.0, 100.0, 8).values().len();
    let last = (0..=ticks).rev().find(|k| tree.node_by_id(&format!("grid-{k}")).is_some()).unwrap_or(0);
    let full = zero - f64::from(bbox(&tree, &format!("grid-{last}")).y());
    assert!(svg.contains(">100%</text>"), "the top tick is 100%");
    for c in 0..d.categories.len() {
        let segments: Vec<usvg::Rect> = (0..d.series.len()).map(|s| bbox(&tree, &format!("bar-s{s}-c{c}"))).collect();
        let stack = f64::from(segments[0].bottom() - segments[segments.len() - 1].y());
        assert!(close(stack, full, 0.005), "stack {c} is {stack}, the axis {full}");
        let heights: Vec<f64> = segments.iter().map(|s| f64::from(s.height())).collect();
        let values: Vec<f64> = d.series.iter().map(|s| s.values[c]).collect();
        assert_proportional("share", &heights, &values);
    }
}

#[test]
fn line_points_are_proportional_around_zero() {
    let (o, d) = sample(ChartKind::Line);
    let tree = parse(&rendered(&o, &d).svg());
    let zero = f64::from(zero_line(&tree).y() + zero_line(&tree).height() / 2.0);
    let mut offsets = Vec::new();
    let mut values = Vec::new();
    for (s, series) in d.series.iter().enumerate() {
        let mut last_x = f64::NEG_INFINITY;
        for (c, &value) in series.values.iter().enumerate() {
            let b = bbox(&tree, &format!("point-s{s}-c{c}"));
            let (x, y) = (f64::from(b.x() + b.width() / 2.0), f64::from(b.y() + b.height() / 2.0));
            assert!(x > last_x, "points run left to right");
            last_x = x;
            offsets.push(zero - y);
            values.push(value);
        }
        assert!(tree.node_by_id(&format!("line-s{s}")).is_some());
    }
    assert_proportional("point height", &offsets, &values);
}

/// The angle a slice's outer arc sweeps, measured from the path's points on the outer circle.
fn swept_angle(tree: &usvg::Tree, id: &str, centre: (f64, f64), radius: f64) -> f64 {
    let usvg::Node::Path(path) = node(tree, id) else { panic!("{id} is not a path") };
    let t = path.abs_transform();
    let mut points = Vec::new();
    for segment in path.data().segments() {
        let p = match segment {
            PathSegment::MoveTo(p) | PathSegment::LineTo(p) | PathSegment::CubicTo(_, _, p) | PathSegment::QuadTo(_, p) => p,
            PathSegment::Close => continue,
        };
        let mut p = p;
        t.map_point(&mut p);
        let (dx, dy) = (f64::from(p.x) - centre.0, f64::from(p.y) - centre.1);
        if ((dx * dx + dy * dy).sqrt() - radius).abs() < radius * 0.01 {
            points.push(dy.atan2(dx));
        }
    }
    let mut total = 0.0;
    for pair in points.windows(2) {
        let mut delta = pair[1] - pair[0];
        while delta <= -std::f64::consts::PI {
            delta += 2.0 * std::f64::consts::PI;
        }
        while delta > std::f64::consts::PI {
            delta -= 2.0 * std::f64::consts::PI;
        }
        total += delta;
    }
    total.abs()
}

fn assert_slices_proportional(kind: ChartKind) {
    let (o, d) = sample(kind);
    let tree = parse(&rendered(&o, &d).svg());
    let n = d.categories.len();
    let all = (0..n)
        .map(|c| bbox(&tree, &format!("slice-{c}")))
        .reduce(|a, b| usvg::Rect::from_ltrb(a.left().min(b.left()), a.top().min(b.top()), a.right().max(b.right()), a.bottom().max(b.bottom())).unwrap_or(a));
    let Some(all) = all else { panic!("no slices") };
    let centre = (f64::from(all.x() + all.width() / 2.0), f64::from(all.y() + all.height() / 2.0));
    let radius = f64::from(all.width()) / 2.0;
    assert!(close(f64::from(all.width()), f64::from(all.height()), 0.005), "the pie is round");
    let angles: Vec<f64> = (0..n).map(|c| swept_angle(&tree, &format!("slice-{c}"), centre, radius)).collect();
    let total: f64 = angles.iter().sum();
    assert!(close(total, 2.0 * std::f64::consts::PI, 0.005), "slices cover the circle: {total}");
    assert_proportional(&format!("{} slice angle", kind.name()), &angles, &d.series[0].values);
}

#[test]
fn pie_slice_angles_are_proportional() {
    assert_slices_proportional(ChartKind::Pie);
}

#[test]
fn donut_slice_angles_are_proportional() {
    assert_slices_proportional(ChartKind::Donut);
}

#[test]
fn a_single_slice_is_a_full_circle() {
    let d = data(&["全部"], vec![series("", &["5"])]);
    for kind in [ChartKind::Pie, ChartKind::Donut] {
        let tree = parse(&rendered(&options(kind), &d).svg());
        let b = bbox(&tree, "slice-0");
        assert!(b.width() > 40.0 && close(f64::from(b.width()), f64::from(b.height()), 0.005));
    }
}

// ---- text --------------------------------------------------------------------------------

#[test]
fn every_text_uses_exactly_the_given_family() {
    for (o, d) in all_samples() {
        let svg = rendered(&o, &d).svg();
        let count = svg.matches("<text ").count();
        assert!(count > 0);
        assert_eq!(svg.matches(&format!("font-family=\"{FAMILY}\"")).count(), count, "{}", o.kind.name());
        let tree = parse(&svg);
        let nodes = texts(&tree);
        assert_eq!(nodes.len(), count, "usvg laid out every text");
        for t in &nodes {
            for families in &t.families {
                assert_eq!(families, &vec![usvg::FontFamily::Named(FAMILY.to_string())], "text {}", t.id);
            }
        }
    }
}

#[test]
fn title_unit_source_categories_legend_and_values_appear() {
    for kind in ChartKind::ALL {
        let (o, d) = sample(kind);
        let tree = parse(&rendered(&o, &d).svg());
        let all: String = texts(&tree).iter().map(|t| t.text.as_str()).collect();
        let mut expected = vec![o.title.clone(), o.source.clone()];
        if kind != ChartKind::PercentBar {
            expected.push("单位：亿元".to_string());
        }
        expected.extend(d.categories.iter().cloned());
        if d.series.len() > 1 {
            expected.extend(d.series.iter().map(|s| s.name.clone()));
        }
        match kind {
            ChartKind::Pie => expected.extend(["36.56（17.8%）", "56.76（27.6%）", "112.4（54.6%）"].map(String::from)),
            ChartKind::PercentBar => expected.push("%".to_string()),
            ChartKind::StackedBar => {}
            _ => expected.extend(d.series.iter().flat_map(|s| s.labels.iter().cloned())),
        }
        for text in expected {
            assert!(all.contains(&text), "{}: “{text}” missing from {all}", kind.name());
        }
    }
}

#[test]
fn value_labels_are_printed_as_written() {
    let d = data(&["甲", "乙"], vec![series("", &["3.50", "1e1"])]);
    let svg = rendered(&options(ChartKind::Bar), &d).svg();
    assert!(svg.contains(">3.50</text>") && svg.contains(">1e1</text>"));
}

#[test]
fn rendered_labels_do_not_overlap_each_other_or_the_marks() {
    for (o, d) in all_samples() {
        let kind = o.kind.name();
        let chart = rendered(&o, &d);
        let tree = parse(&chart.svg());
        let nodes = texts(&tree);
        let canvas = Rect { x: 0.0, y: 0.0, w: o.width, h: o.height };
        for (i, a) in nodes.iter().enumerate() {
            assert!(a.ink.w > 0.0, "{kind}: {} has no glyphs", a.id);
            assert!(canvas.contains(&a.ink, 0.01), "{kind}: {} leaves the chart", a.id);
            for b in &nodes[i + 1..] {
                assert!(!a.ink.overlaps(&b.ink), "{kind}: “{}” ({}) overlaps “{}” ({})", a.text, a.id, b.text, b.id);
            }
        }
        let marks = mark_boxes(&tree, &d);
        for t in nodes.iter().filter(|t| !t.id.starts_with("label-in-")) {
            for (id, m) in &marks {
                assert!(!t.ink.overlaps(m), "{kind}: text {} overlaps mark {id}", t.id);
            }
        }
        for t in nodes.iter().filter(|t| t.id.starts_with("label-in-")) {
            let segment = t.id.replacen("label-in-", "bar-", 1);
            assert!(to_rect(bbox(&tree, &segment)).contains(&t.ink, 0.01), "{kind}: {} sticks out of its segment", t.id);
        }
        if o.kind.is_circular() {
            assert_labels_outside_pie(&tree, &nodes, d.categories.len());
        }
    }
}

/// Bars and point markers, by id.
fn mark_boxes(tree: &usvg::Tree, d: &ChartData) -> Vec<(String, Rect)> {
    let mut out = Vec::new();
    for s in 0..d.series.len() {
        for c in 0..d.categories.len() {
            for id in [format!("bar-s{s}-c{c}"), format!("point-s{s}-c{c}")] {
                if let Some(n) = tree.node_by_id(&id) {
                    out.push((id, to_rect(n.abs_bounding_box())));
                }
            }
        }
    }
    out
}

fn assert_labels_outside_pie(tree: &usvg::Tree, nodes: &[TextNode], n: usize) {
    let b = (0..n).map(|c| to_rect(bbox(tree, &format!("slice-{c}"))));
    let (mut l, mut t, mut r, mut bo) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for s in b {
        (l, t, r, bo) = (l.min(s.x), t.min(s.y), r.max(s.x + s.w), bo.max(s.y + s.h));
    }
    let (cx, cy, radius) = ((l + r) / 2.0, (t + bo) / 2.0, (r - l) / 2.0);
    for node in nodes.iter().filter(|t| t.id.starts_with("label-slice-")) {
        let nearest_x = cx.clamp(node.ink.x, node.ink.x + node.ink.w);
        let nearest_y = cy.clamp(node.ink.y, node.ink.y + node.ink.h);
        let distance = ((nearest_x - cx).powi(2) + (nearest_y - cy).powi(2)).sqrt();
        assert!(distance > radius, "{} lies on the pie", node.id);
    }
}

#[test]
fn estimated_label_boxes_do_not_overlap_and_stay_on_the_chart() {
    for (o, d) in all_samples() {
        let canvas = match draw(&o, &with_labels(&d)) {
            Ok(c) => c,
            Err(e) => panic!("{}: {e}", o.kind.name()),
        };
        let boxes = canvas.label_boxes();
        for (i, (a, ra)) in boxes.iter().enumerate() {
            assert!(on_canvas(&canvas, ra), "{}: {a} leaves the chart: {ra:?}", o.kind.name());
            for (b, rb) in &boxes[i + 1..] {
                assert!(!ra.overlaps(rb), "{}: {a} {ra:?} overlaps {b} {rb:?}", o.kind.name());
            }
        }
    }
}

#[test]
fn width_estimates_cover_the_real_glyphs() {
    let samples = ["第一产业", "36.56（17.8%）", "2021年", "GDP增速", "-3.4", "资料来源：某市统计局", "Wuhan Maglev", "100%", "mmm WWW iii"];
    let mut svg = String::from("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"600\" height=\"400\">");
    for (i, s) in samples.iter().enumerate() {
        svg.push_str(&format!("<text id=\"t{i}\" x=\"10\" y=\"{}\" font-family=\"{FAMILY}\" font-size=\"10\">{s}</text>", 20 + i * 20));
    }
    svg.push_str("</svg>");
    let tree = parse(&svg);
    for t in texts(&tree) {
        let estimate = text_width(&t.text, 10.0);
        println!("{}: ink {:.2} estimate {estimate:.2}", t.text, t.ink.w);
        assert!(t.ink.w <= estimate, "“{}”: ink {} wider than the estimate {estimate}", t.text, t.ink.w);
        assert!(estimate <= t.ink.w * 1.3 + 2.0, "“{}”: estimate {estimate} far above the ink {}", t.text, t.ink.w);
        // The estimated box height (ascent 0.9 em + descent 0.2 em) holds the glyphs.
        let baseline = 20.0 + 20.0 * t.id[1..].parse::<f64>().unwrap_or(0.0);
        assert!(t.ink.y >= baseline - 9.0 - 0.01 && t.ink.y + t.ink.h <= baseline + 2.6 + 0.01, "“{}” ink {:?}", t.text, t.ink);
    }
}

#[test]
fn long_category_names_wrap_or_shrink() {
    let (o, d) = &stress_samples()[0];
    let svg = rendered(o, d).svg();
    // Ten long names across 400 pt cannot stay on one line each.
    assert!(svg.contains("id=\"category-0-1\""), "the first category was not wrapped");
}

#[test]
fn labels_that_cannot_fit_are_left_out_with_a_note() {
    let many: Vec<Series> = (0..8).map(|s| series(&format!("系列{s}"), &["123456.789"; 12])).collect();
    let months = ["1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月"];
    let mut o = options(ChartKind::GroupedBar);
    o.height = 400.0;
    let chart = rendered(&o, &data(&months, many));
    assert!(!chart.notes.is_empty());
    assert!(!chart.svg().contains("id=\"label-s0-c0\""));
}

// ---- document --------------------------------------------------------------------------

#[test]
fn the_svg_is_self_contained_and_accessible() {
    for kind in ChartKind::ALL {
        let (o, d) = sample(kind);
        let chart = rendered(&o, &d);
        let svg = &chart.svg();
        let open = svg.find("<svg ").unwrap_or(usize::MAX);
        let root_end = svg[open..].find('>').map_or(0, |i| open + i + 1);
        let root = &svg[open..root_end];
        assert!(root.contains("role=\"img\"") && root.contains("aria-label=\""), "{root}");
        assert!(root.contains("viewBox=\"0 0 400 260\""));
        let rest = svg[root_end..].trim_start();
        assert!(rest.starts_with(&format!("<title>{}</title>\n<desc>{}</desc>", o.title, chart.alt)), "{rest}");
        for forbidden in ["<script", "href", "class=", "style", "<image", "sans-serif", "<foreignObject"] {
            assert!(!svg.contains(forbidden), "{}: contains {forbidden}", kind.name());
        }
        assert!(svg.contains("id=\"background\"") && svg.contains("fill=\"#ffffff\""));
    }
}

#[test]
fn text_is_escaped() {
    let mut o = options(ChartKind::Bar);
    o.title = "R&D <研发> \"投入\"".to_string();
    let d = data(&["A&B", "<C>"], vec![series("", &["1", "2"])]);
    let chart = rendered(&o, &d);
    assert!(chart.svg().contains("R&amp;D &lt;研发&gt;") && chart.svg().contains(">A&amp;B</text>"));
    let tree = parse(&chart.svg());
    let all: String = texts(&tree).iter().map(|t| t.text.clone()).collect();
    assert!(all.contains("R&D <研发> \"投入\"") && all.contains("<C>"));
}

#[test]
fn output_is_deterministic_with_short_numbers() {
    for (o, d) in all_samples() {
        let a = rendered(&o, &d).svg();
        assert_eq!(a, rendered(&o, &d).svg());
        for attribute in a.split('"').skip(1).step_by(2) {
            for token in attribute.split(|c: char| !(c.is_ascii_digit() || c == '.')) {
                if let Some((_, decimals)) = token.split_once('.') {
                    assert!(decimals.len() <= 2 || attribute.contains('：') || attribute.contains('。'), "long number {token} in {attribute}");
                }
            }
        }
    }
}

#[test]
fn hatches_take_over_after_four_series() {
    let (o, d) = sample(ChartKind::StackedBar);
    let svg = rendered(&o, &d).svg();
    assert!(svg.contains("<pattern id=\"hatch-4\""));
    assert!(svg.contains("id=\"bar-s4-c0\"") && svg.contains("fill=\"url(#hatch-4)\""));
    let (o, d) = sample(ChartKind::Bar);
    assert!(!rendered(&o, &d).svg().contains("<pattern"));
}

// ---- text alternative ------------------------------------------------------------------

#[test]
fn alt_text_lists_every_value() {
    let (o, d) = sample(ChartKind::Bar);
    assert_eq!(rendered(&o, &d).alt, "柱形图：2021年上半年三次产业增加值（亿元）。第一产业 36.56，第二产业 56.76，第三产业 112.4。资料来源：某市统计局。");
    let (o, d) = sample(ChartKind::Pie);
    assert_eq!(
        rendered(&o, &d).alt,
        "饼图：2021年上半年三次产业增加值（亿元）。第一产业 36.56（17.8%），第二产业 56.76（27.6%），第三产业 112.4（54.6%）。资料来源：某市统计局。"
    );
    let (o, d) = sample(ChartKind::GroupedBar);
    let alt = rendered(&o, &d).alt;
    assert!(alt.starts_with("簇状柱形图：") && alt.contains("2020年：第一产业 33.8，第二产业 -4.6，第三产业 104；2021年："), "{alt}");
    let (o, d) = sample(ChartKind::PercentBar);
    let alt = rendered(&o, &d).alt;
    assert!(alt.contains("2017年：第一产业 28.1（"), "{alt}");
    for kind in ChartKind::ALL {
        let (o, d) = sample(kind);
        let alt = rendered(&o, &d).alt;
        for label in d.series.iter().flat_map(|s| &s.labels) {
            assert!(alt.contains(label.as_str()), "{}: {label} missing from {alt}", kind.name());
        }
    }
}

// ---- kinds and errors --------------------------------------------------------------------

#[test]
fn kind_names_round_trip() {
    for kind in ChartKind::ALL {
        assert_eq!(ChartKind::parse(kind.name()), Some(kind));
    }
    assert_eq!(ChartKind::parse("hbar"), Some(ChartKind::HorizontalBar));
    assert_eq!(ChartKind::parse("Bar"), None);
    assert_eq!(ChartKind::parse("scatter"), None);
}

fn error(kind: ChartKind, d: &ChartData) -> String {
    match render(&options(kind), d) {
        Ok(_) => panic!("{} chart was drawn from bad data", kind.name()),
        Err(e) => e,
    }
}

#[test]
fn bad_data_is_reported() {
    let no_categories = data(&[], vec![series("", &[])]);
    assert!(error(ChartKind::Bar, &no_categories).contains("no categories"));
    let no_series = data(&SECTORS, vec![]);
    assert!(error(ChartKind::Line, &no_series).contains("no data series"));
    let short = data(&SECTORS, vec![series("产值", &["1", "2"])]);
    assert_eq!(error(ChartKind::Bar, &short), "series “产值” has 2 values but there are 3 categories");
    let nan = data(&SECTORS, vec![series("", &["1", "NaN", "3"])]);
    assert_eq!(error(ChartKind::Bar, &nan), "series 1: the value for 第二产业 is not a finite number");
    let inf = data(&SECTORS, vec![series("", &["1", "2", "inf"])]);
    assert!(error(ChartKind::Line, &inf).contains("not a finite number"));
    let two = data(&SECTORS, vec![series("甲", &["1", "2", "3"]), series("乙", &["1", "2", "3"])]);
    assert_eq!(error(ChartKind::Pie, &two), "a pie chart needs exactly one series, found 2");
    let negative = data(&SECTORS, vec![series("", &["1", "-3", "3"])]);
    assert_eq!(error(ChartKind::Pie, &negative), "pie values must be positive, found -3 for 第二产业");
    let zero = data(&SECTORS, vec![series("", &["1", "0", "3"])]);
    assert!(error(ChartKind::Donut, &zero).contains("donut values must be positive, found 0 for 第二产业"));
    let empty_total = data(&["2020年", "2021年"], vec![series("甲", &["0", "1"]), series("乙", &["0", "2"])]);
    assert!(error(ChartKind::PercentBar, &empty_total).contains("2020年 add up to 0"));
    let negative_share = data(&["2020年"], vec![series("甲", &["3"]), series("乙", &["-1.50"])]);
    assert_eq!(error(ChartKind::PercentBar, &negative_share), "percent-bar values must not be negative, found -1.50 for 2020年 in series “乙”");
    let unnamed = data(&SECTORS, vec![series("甲", &["1", "2", "3"]), series("", &["1", "2", "3"])]);
    assert!(error(ChartKind::GroupedBar, &unnamed).contains("series 2 has no name"));
    let mut labels = series("", &["1", "2", "3"]);
    labels.labels.pop();
    assert!(error(ChartKind::Bar, &data(&SECTORS, vec![labels])).contains("2 value labels"));
}

#[test]
fn impossible_sizes_are_reported() {
    let (mut o, d) = sample(ChartKind::Bar);
    o.height = 50.0;
    assert!(render(&o, &d).is_err_and(|e| e.contains("at least")));
    o.width = f64::NAN;
    assert!(render(&o, &d).is_err());
    o = options(ChartKind::Bar);
    o.font_family = " ".to_string();
    assert!(render(&o, &d).is_err_and(|e| e.contains("font family")));
    // Sixty categories cannot be labelled across 400 pt.
    let names: Vec<String> = (0..60).map(|i| format!("类别{i}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let many = data(&refs, vec![series("", &["1"; 60])]);
    let e = render(&options(ChartKind::Bar), &many).err().unwrap_or_default();
    assert!(e.contains("hbar"), "{e}");
}

/// Writes every sample as SVG to the directory in `CHART_SAMPLES` (for looking at them):
/// `CHART_SAMPLES=/tmp/charts cargo test --release --lib write_samples -- --ignored`.
#[test]
#[ignore]
fn write_samples() {
    let Ok(dir) = std::env::var("CHART_SAMPLES") else { return };
    for (i, (o, d)) in all_samples().iter().enumerate() {
        let chart = rendered(o, d);
        let path = format!("{dir}/{i:02}-{}.svg", o.kind.name());
        if let Err(e) = std::fs::write(&path, chart.svg()) {
            panic!("{path}: {e}");
        }
        for note in chart.notes {
            println!("{path}: {note}");
        }
    }
}

#[test]
fn id_prefix_makes_ids_and_references_unique_per_chart() {
    let mut opts = options(ChartKind::StackedBar);
    opts.id_prefix = "fig-gdp-".to_string();
    let data = ChartData {
        categories: ["甲", "乙"].iter().map(|s| s.to_string()).collect(),
        series: (0..6).map(|i| series(&format!("系列{i}"), &["1", "2"])).collect(),
    };
    let svg = render(&opts, &data).expect("renders").svg();
    let ids: Vec<&str> = svg.split(" id=\"").skip(1).map(|rest| rest.split('"').next().unwrap_or("")).collect();
    assert!(!ids.is_empty());
    assert!(ids.iter().all(|id| id.starts_with("fig-gdp-")), "{ids:?}");
    assert!(svg.contains("url(#fig-gdp-hatch-"), "pattern references were not prefixed");
    assert!(!svg.contains("url(#hatch-"));
}

#[test]
fn title_can_be_left_to_the_caption() {
    let mut opts = options(ChartKind::Bar);
    opts.draw_title = false;
    let data = ChartData { categories: vec!["甲".into()], series: vec![series("数值", &["3"])] };
    let chart = render(&opts, &data).expect("renders");
    let svg = chart.svg();
    let drawn: Vec<&str> = svg.split("<text").skip(1).collect();
    assert!(drawn.iter().all(|t| !t.contains("2021年上半年三次产业增加值")), "title drawn although draw_title is off");
    assert!(chart.svg().contains("<title>2021年上半年三次产业增加值</title>"), "the SVG lost its <title>");
    assert!(chart.alt.contains("2021年上半年三次产业增加值"), "the alt text lost the title");
}

/// Where usvg sets one text element: the pen positions (user units) where its first glyph
/// starts and where its last glyph's advance ends, on the baseline.
fn pen_run(tree: &usvg::Tree, id: &str) -> ((f64, f64), (f64, f64)) {
    let usvg::Node::Text(text) = node(tree, id) else { panic!("{id} is not a text") };
    let glyphs: Vec<&usvg::layout::PositionedGlyph> = text.layouted().iter().flat_map(|span| &span.positioned_glyphs).collect();
    let (Some(first), Some(last)) = (glyphs.first(), glyphs.last()) else { panic!("{id} has no glyphs") };
    // A glyph's transform works in font units, so the advance is added in font units too.
    let advance = tree
        .fontdb()
        .with_face_data(last.font, |data, index| {
            let face = ttf_parser::Face::parse(data, index).expect("font parses");
            f32::from(face.glyph_hor_advance(ttf_parser::GlyphId(last.id.0)).unwrap_or(0))
        })
        .expect("font in the database");
    let origin = |t: usvg::Transform| (f64::from(t.tx), f64::from(t.ty));
    let placed = text.abs_transform();
    (origin(placed.pre_concat(first.transform())), origin(placed.pre_concat(last.transform()).pre_translate(advance, 0.0)))
}

#[test]
fn the_drawing_is_the_svg_with_its_labels_set_apart() {
    for (options, data) in all_samples() {
        let chart = rendered(&options, &data);
        let kind = options.kind.name();
        let drawing = &chart.drawing();
        assert_eq!((drawing.width, drawing.height, drawing.font_family.as_str()), (options.width, options.height, FAMILY));
        let marks = parse(&drawing.marks);
        assert!(texts(&marks).is_empty(), "{kind}: the marks still hold text");
        for id in ["background", "labels"] {
            assert!(marks.node_by_id(id).is_some(), "{kind}: {id} missing from the marks");
        }
        let full = parse(&chart.svg());
        let nodes = texts(&full);
        assert_eq!(nodes.len(), drawing.labels.len(), "{kind}: one label per text element");
        for (node, label) in nodes.iter().zip(&drawing.labels) {
            assert_eq!(node.text, label.text, "{kind}: labels in painting order");
            // The anchor and baseline of the label are where usvg set the same text.
            let ((x0, y0), (x1, y1)) = pen_run(&full, &node.id);
            let (along_start, along_end, along_anchor, across, baseline) =
                if label.vertical { (-y0, -y1, -label.y, x0, label.x) } else { (x0, x1, label.x, y0, label.y) };
            let expected = match label.anchor {
                "start" => along_start,
                "middle" => (along_start + along_end) / 2.0,
                "end" => along_end,
                other => panic!("{kind}: unknown anchor {other}"),
            };
            let text = &label.text;
            assert!((along_anchor - expected).abs() < 0.05, "{kind}: “{text}” anchored at {along_anchor:.2}, usvg at {expected:.2}");
            assert!((baseline - across).abs() < 0.05, "{kind}: “{text}” baseline {baseline:.2}, usvg at {across:.2}");
        }
    }
}

#[test]
fn axis_ticks_group_thousands_like_the_data() {
    let households =
        |labels: &[&str]| Series { name: "惠及人数".to_string(), values: vec![18106.0, 54318.0], labels: labels.iter().map(|l| l.to_string()).collect() };
    for kind in [ChartKind::Bar, ChartKind::HorizontalBar, ChartKind::Line] {
        let categories = ["棚户区改造", "老旧小区改造"];
        let grouped = rendered(&options(kind), &data(&categories, vec![households(&["18,106", "54,318"])]));
        let words: Vec<String> = texts(&parse(&grouped.svg())).into_iter().map(|t| t.text).collect();
        assert!(words.iter().any(|t| t == "20,000"), "{}: ticks not grouped: {words:?}", kind.name());
        let plain = rendered(&options(kind), &data(&categories, vec![households(&["18106", "54318"])]));
        let words: Vec<String> = texts(&parse(&plain.svg())).into_iter().map(|t| t.text).collect();
        assert!(words.iter().any(|t| t == "20000") && !words.iter().any(|t| t.contains(',')), "{}: {words:?}", kind.name());
    }
}

#[test]
fn no_chart_text_is_smaller_than_the_smallest_size() {
    use super::frame::{LABEL_SIZES, SOURCE_SIZE, TICK_SIZE, TITLE_SIZE, VALUE_SIZES};
    let sizes = LABEL_SIZES.iter().chain(&VALUE_SIZES).chain(&[SOURCE_SIZE, TICK_SIZE, TITLE_SIZE]);
    assert!(sizes.clone().all(|&size| size >= super::SMALLEST_TEXT), "{:?}", sizes.collect::<Vec<_>>());
}

#[test]
fn category_labels_break_between_the_words_they_are_given() {
    // Five long categories in a narrow bar chart wrap onto two or three lines each; with their
    // words known (the display-text pass gives them), no line ends inside a word.
    let categories = ["规模以上工业增加值", "社会消费品零售总额", "固定资产投资额", "一般公共预算收入", "进出口贸易总额"];
    let words: [&[&str]; 5] = [
        &["规模", "以上", "工业", "增加值"],
        &["社会", "消费品", "零售", "总额"],
        &["固定", "资产", "投资额"],
        &["一般", "公共", "预算", "收入"],
        &["进出口", "贸易", "总额"],
    ];
    let d = data(&categories, vec![series("增速", &["8.2", "12.5", "15.1", "3.4", "21"])]);
    let mut o = options(ChartKind::Bar);
    o.width = 240.0;
    let lines_of = |o: &ChartOptions| -> Vec<String> {
        let chart = rendered(o, &d);
        chart.layout.labels.iter().map(|l| l.text.clone()).filter(|t| categories.iter().any(|c| c.contains(t.as_str()) && c != t)).collect()
    };
    let plain = lines_of(&o);
    assert!(!plain.is_empty(), "the categories should wrap at 240 pt");
    let inside_a_word = |line: &str| {
        categories.iter().zip(words).any(|(category, words)| {
            let Some(at) = category.find(line) else { return false };
            let bounds: Vec<usize> = words
                .iter()
                .scan(0, |end, w| {
                    *end += w.len();
                    Some(*end)
                })
                .collect();
            (at != 0 && !bounds.contains(&at)) || !bounds.contains(&(at + line.len()))
        })
    };
    assert!(plain.iter().any(|l| inside_a_word(l)), "without words a line breaks inside one: {plain:?}");
    o.label_words = categories.iter().zip(words).map(|(c, w)| (c.to_string(), w.iter().map(|s| s.to_string()).collect())).collect();
    let by_words = lines_of(&o);
    assert!(!by_words.is_empty(), "still wrapped");
    assert!(!by_words.iter().any(|l| inside_a_word(l)), "a line ends inside a word: {by_words:?}");
}
