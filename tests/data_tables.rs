//! Data tables, references, consistency rules and numbering, checked on built PDFs:
//! every number printed in the text and in the tables comes from the data files.

mod common;

use std::path::Path;

use common::*;

/// Copies the second manuscript into `dir` so a test can edit it.
fn copy_quarterly(dir: &Path) -> std::path::PathBuf {
    let target = dir.join("quarterly");
    copy_dir(&root().join("tests/manuscripts/quarterly"), &target);
    target
}

fn pdf_text(pdf: &Path) -> String {
    squeeze(&tool("pdftotext", &["-raw", "-enc", "UTF-8", pdf.to_str().unwrap(), "-"]))
}

#[test]
fn table_cells_and_text_numbers_equal_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = root().join("tests/manuscripts/quarterly");
    build_ok(&manuscript, dir.path(), "pdf");
    let text = pdf_text(&dir.path().join("quarterly-review.pdf"));

    let data: toml::Value = toml::from_str(&std::fs::read_to_string(manuscript.join("data/indicators.toml")).unwrap()).unwrap();
    assert!(text.contains("表12024年第一季度主要经济指标"), "numbered caption missing:\n{text}");
    assert!(text.contains("指标数值（亿元）增速（%）"), "header with units missing:\n{text}");
    for row in data["rows"].as_array().unwrap() {
        let cells: Vec<&str> = row.as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
        assert!(text.contains(&cells.concat()), "table row {cells:?} not printed as in the data:\n{text}");
    }
    assert!(text.contains("资料来源：示例研究室整理"), "source note missing");
    assert!(text.contains("地区生产总值120.5亿元，增长6.2%"), "data reference not expanded:\n{text}");
    assert!(text.contains("城镇新增就业12,345人"), "CSV value not printed as written");
    assert!(text.contains("主要指标见表1。"), "cross-reference not resolved to 表1:\n{text}");
}

#[test]
fn editing_one_value_changes_the_text_and_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = copy_quarterly(dir.path());
    replace_in(&manuscript.join("data/indicators.toml"), "[\"地区生产总值\", \"120.5\", \"6.2\"]", "[\"地区生产总值\", \"120.5\", \"6.4\"]");
    build_ok(&manuscript, &dir.path().join("out"), "pdf");
    let text = pdf_text(&dir.path().join("out/quarterly-review.pdf"));
    assert!(text.contains("增长6.4%"), "the text did not follow the data");
    assert!(text.contains("地区生产总值120.56.4"), "the table did not follow the data");
    assert!(!text.contains("6.2"), "the old value is still printed somewhere:\n{text}");
}

#[test]
fn a_broken_rule_fails_with_values_and_line_and_keeps_the_previous_pdf() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = copy_quarterly(dir.path());
    let out = dir.path().join("out");
    build_ok(&manuscript, &out, "pdf");
    let before = std::fs::read(out.join("quarterly-review.pdf")).unwrap();
    replace_in(&manuscript.join("data/indicators.toml"), "[\"第二产业\", \"45.3\"", "[\"第二产业\", \"46.3\"");
    let output = build(&manuscript, &out, "pdf");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("indicators.toml:15"), "rule line missing:\n{stderr}");
    assert!(stderr.contains("10.1 + 46.3 + 65.1 = 121.5 but 地区生产总值.数值 is 120.5"), "values missing:\n{stderr}");
    assert_eq!(std::fs::read(out.join("quarterly-review.pdf")).unwrap(), before);
}

#[test]
fn an_unknown_data_reference_fails_with_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = copy_quarterly(dir.path());
    replace_in(&manuscript.join("text/01-overview.md"), "{{indicators.地区生产总值.增速}}", "{{indicators.地区生产总值.增长}}");
    let output = build(&manuscript, &dir.path().join("out"), "pdf");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("01-overview.md:4:"), "no file:line:column:\n{stderr}");
    assert!(stderr.contains("no column `增长`"), "{stderr}");
}

#[test]
fn a_malformed_csv_fails_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = copy_quarterly(dir.path());
    std::fs::write(manuscript.join("data/jobs.csv"), "项目,人数\n城镇新增就业,12345\n培训人次,2775,多余\n").unwrap();
    let output = build(&manuscript, &dir.path().join("out"), "pdf");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("jobs.csv:3"), "no file:line:\n{stderr}");

    std::fs::write(manuscript.join("data/jobs.csv"), "项目,人数\n城镇新增就业,一万\n培训人次,2775\n").unwrap();
    let stderr = String::from_utf8_lossy(&build(&manuscript, &dir.path().join("out"), "pdf").stderr).to_string();
    assert!(stderr.contains("jobs.csv:2") && stderr.contains("`一万` is not a number"), "{stderr}");
}

#[test]
fn an_unknown_cross_reference_fails_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = copy_quarterly(dir.path());
    replace_in(&manuscript.join("text/01-overview.md"), "@tbl:main", "@tbl:mian");
    let output = build(&manuscript, &dir.path().join("out"), "pdf");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("01-overview.md:5:"), "{stderr}");
    assert!(stderr.contains("@tbl:main"), "the hint should list the known target:\n{stderr}");
}

/// The heights of the bars `bar-s0-c{n}` in a chart SVG, read back with usvg.
fn bar_heights(svg: &str, prefix: &str) -> Vec<f32> {
    let tree = usvg::Tree::from_str(svg, &usvg::Options::default()).expect("chart SVG parses");
    (0..).map_while(|c| tree.node_by_id(&format!("{prefix}bar-s0-c{c}")).map(|node| node.abs_bounding_box().height())).collect()
}

#[test]
fn charts_are_written_as_svg_and_their_bars_follow_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = copy_quarterly(dir.path());
    let out = dir.path().join("out");
    let output = reportpress(&["charts", "--manuscript", manuscript.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let svg = std::fs::read_to_string(out.join("charts/fig-sectors.svg")).expect("chart written to charts/fig-sectors.svg");
    let heights = bar_heights(&svg, "fig-sectors-");
    let values = [10.1f32, 45.3, 65.1];
    assert_eq!(heights.len(), values.len(), "expected one bar per row");
    for (height, value) in heights.iter().zip(values) {
        let ratio = height / heights[2] * values[2] / value;
        assert!((ratio - 1.0).abs() < 0.005, "bar heights {heights:?} are not proportional to {values:?}");
    }
    assert!(svg.contains("font-family=\"Noto Sans CJK SC\""), "chart text does not name the embedded face");
    assert!(!svg.contains("sans-serif"), "generic font family in chart");

    // The same chart in the PDF: its labels are real text, and the cross-reference names it.
    build_ok(&manuscript, &out, "pdf");
    let text = pdf_text(&out.join("quarterly-review.pdf"));
    for label in ["第一产业", "45.3", "65.1", "图12024年第一季度三次产业增加值", "三次产业增加值的对比见图1。"] {
        assert!(text.contains(label), "{label} missing from the PDF:\n{text}");
    }

    // Edit one value: the chart's bar and label follow.
    replace_in(&manuscript.join("data/indicators.toml"), "[\"第二产业\", \"45.3\", \"7.1\"]", "[\"第二产业\", \"55.3\", \"7.1\"]");
    replace_in(&manuscript.join("data/indicators.toml"), "[\"地区生产总值\", \"120.5\"", "[\"地区生产总值\", \"130.5\"");
    let output = reportpress(&["charts", "--manuscript", manuscript.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let svg = std::fs::read_to_string(out.join("charts/fig-sectors.svg")).unwrap();
    assert!(svg.contains(">55.3<") && !svg.contains(">45.3<"), "the chart label did not follow the data");
    let after = bar_heights(&svg, "fig-sectors-");
    assert!((after[1] / after[2] - 55.3 / 65.1).abs() < 0.005, "the bar did not follow the data: {after:?}");
}

#[test]
fn chart_labels_in_the_pdf_sit_where_the_chart_layout_put_them() {
    // The PDF draws a chart's marks as SVG and sets its labels with Typst's text engine;
    // tests/layout/chart_labels.py finds every label's glyphs and checks its anchor and
    // baseline against the positions in the document model (--emit-typst document.json).
    let dir = tempfile::tempdir().unwrap();
    for manuscript in [root().join("manuscript"), root().join("tests/manuscripts/quarterly")] {
        let out = dir.path().join(manuscript.file_name().unwrap());
        let emitted = out.join("emitted");
        let output = reportpress(&[
            "build",
            "--format",
            "pdf",
            "--manuscript",
            manuscript.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--emit-typst",
            emitted.to_str().unwrap(),
        ]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let pdf = std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().path()).find(|p| p.extension().is_some_and(|e| e == "pdf")).unwrap();
        let check = std::process::Command::new(python())
            .arg(root().join("tests/layout/chart_labels.py"))
            .arg(emitted.join("document.json"))
            .arg(&pdf)
            .output()
            .expect("python3 runs (make test-tools installs pdfplumber)");
        let report = String::from_utf8_lossy(&check.stdout);
        assert!(check.status.success(), "{}: chart labels out of place:\n{report}{}", manuscript.display(), String::from_utf8_lossy(&check.stderr));
        let checked: usize = report.split_whitespace().next().and_then(|n| n.parse().ok()).unwrap_or(0);
        assert!(checked >= 10, "too few chart labels checked: {report}");
    }
}

#[test]
fn spreadsheet_tables_are_read_and_their_errors_located() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = copy_quarterly(dir.path());
    let out = dir.path().join("out");
    build_ok(&manuscript, &out, "pdf");
    let text = pdf_text(&out.join("quarterly-review.pdf"));
    assert!(text.contains("居民消费价格上涨1.2%"), "the value from prices.xlsx is not in the text:\n{text}");

    // A heading that does not match the declaration: the error names the workbook's row 1.
    replace_in(&manuscript.join("data/prices.toml"), "name = \"涨幅\"", "name = \"同比\"");
    replace_in(&manuscript.join("text/01-overview.md"), "{{prices.居民消费价格.涨幅}}", "{{prices.居民消费价格.同比}}");
    let stderr = String::from_utf8_lossy(&build(&manuscript, &out, "pdf").stderr).to_string();
    assert!(stderr.contains("prices.xlsx:1") && stderr.contains("the header is `指标,涨幅`"), "{stderr}");

    // A sheet that does not exist: the error names the table file and lists the sheets.
    replace_in(&manuscript.join("data/prices.toml"), "name = \"同比\"", "name = \"涨幅\"");
    replace_in(&manuscript.join("data/prices.toml"), "sheet = \"物价\"", "sheet = \"价格\"");
    let stderr = String::from_utf8_lossy(&build(&manuscript, &out, "pdf").stderr).to_string();
    assert!(stderr.contains("prices.toml:7") && stderr.contains("物价"), "{stderr}");
}

#[test]
fn a_unit_column_with_one_unit_becomes_the_unit_line_in_both_editions() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = dir.path().join("m");
    let table = |second: &str| {
        format!(
            "title = \"产量\"\nsource = \"统计局\"\nkey = \"产品\"\ncolumns = [{{ name = \"单位\", type = \"text\" }}, {{ name = \"产量\", type = \"number\" }}]\nrows = [\n  [\"原煤\", \"万吨\", \"812.4\"],\n  [\"水泥\", \"{second}\", \"1420.6\"],\n]\n"
        )
    };
    write_manuscript(
        &manuscript,
        "units",
        &[("text/a.md", "# 产量\n\n主要产品产量见下表。\n\n```table\ndata = \"same\"\n```\n\n```table\ndata = \"mixed\"\n```\n")],
    );
    std::fs::create_dir_all(manuscript.join("data")).unwrap();
    std::fs::write(manuscript.join("data/same.toml"), table("万吨")).unwrap();
    std::fs::write(manuscript.join("data/mixed.toml"), table("亿千瓦时")).unwrap();
    let out = dir.path().join("out");
    build_ok(&manuscript, &out, "all");
    let text = squeeze(&tool("pdftotext", &["-raw", "-enc", "UTF-8", out.join("units.pdf").to_str().unwrap(), "-"]));
    // One unit for every row: the unit line says it once, and no 单位 column is left.
    assert_eq!(text.matches("单位：万吨").count(), 1, "{text}");
    assert!(text.contains("原煤812.4"), "the first table still has its unit column: {text}");
    // Mixed units keep the column.
    assert!(text.contains("原煤万吨812.4") && text.contains("水泥亿千瓦时1420.6"), "{text}");
    let epub = std::process::Command::new("unzip").args(["-p", out.join("units.epub").to_str().unwrap()]).output().unwrap();
    let xhtml = String::from_utf8_lossy(&epub.stdout);
    assert!(xhtml.contains("单位：万吨"), "the EPUB lacks the unit line");
}
