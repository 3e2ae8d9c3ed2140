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
    // Each figure with the row it is on, so the editor finds the rows that disagree.
    assert!(
        stderr.contains("第二产业.数值 46.3 at data/indicators.toml:11") && stderr.contains("地区生产总值.数值 120.5 at data/indicators.toml:9"),
        "rows missing:\n{stderr}"
    );
    assert_eq!(std::fs::read(out.join("quarterly-review.pdf")).unwrap(), before);
}

#[test]
fn an_unknown_chart_kind_lists_the_kinds_and_a_missing_data_file_says_where_it_was_looked_for() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = copy_quarterly(dir.path());
    replace_in(&manuscript.join("text/01-overview.md"), "kind = \"bar\"", "kind = \"column\"");
    let (code, stderr) = check(&manuscript);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("unknown chart kind `column`") && stderr.contains("hbar (") && stderr.contains("a column chart is `bar`"), "{stderr}");
    assert!(stderr.contains("01-overview.md:18"), "the kind's line: {stderr}");

    let manuscript = copy_quarterly(&dir.path().join("second"));
    let table = manuscript.join("data/indicators.toml");
    let text = std::fs::read_to_string(&table).unwrap();
    let rows_start = text.find("rows = [").unwrap();
    let rows_end = rows_start + text[rows_start..].find("\n]\n").unwrap() + 3;
    std::fs::write(&table, format!("{}file = \"industry.xlsx\"\n{}", &text[..rows_start], &text[rows_end..])).unwrap();
    let (code, stderr) = check(&manuscript);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("`file = \"industry.xlsx\"`: there is no such file (looked for data/industry.xlsx)") && stderr.contains("indicators.toml:"),
        "{stderr}"
    );
    assert!(!stderr.contains("No such file or directory") && !stderr.contains("100 000 rows"), "the old message: {stderr}");
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

// ---- Numbers as a statistical bulletin prints them (README: 数字的写法) -------------------

/// Writes `data/x.xlsx` with a real spreadsheet writer: one value per number format, as an
/// editor formats them in Excel or WPS.
fn write_formatted_workbook(path: &Path) {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("公报").unwrap();
    for (column, heading) in ["指标", "数值", "比重", "日期"].iter().enumerate() {
        sheet.write_string(0, column as u16, *heading).unwrap();
    }
    let format = |code: &str| Format::new().set_num_format(code);
    let rows: [(&str, f64, &str); 4] = [("增速", 6.0, "0.0"), ("人数", 2345.0, "#,##0"), ("单价", 7.126, "0.00"), ("分数", 1.5, "# ?/?")];
    for (index, (key, value, code)) in rows.iter().enumerate() {
        let row = index as u32 + 1;
        sheet.write_string(row, 0, *key).unwrap();
        sheet.write_number_with_format(row, 1, *value, &format(code)).unwrap();
    }
    sheet.write_number_with_format(1, 2, 0.022, &format("0.0%")).unwrap();
    let date = ExcelDateTime::from_ymd(2025, 1, 1).unwrap();
    sheet.write_datetime_with_format(1, 3, &date, &format("yyyy\"年\"m\"月\"d\"日\"")).unwrap();
    workbook.save(path).unwrap();
}

/// A small 统计公报: a CSV table with a `%` typed in a percent cell, a spreadsheet with five
/// number formats, and prose with filters.
fn bulletin(dir: &Path, text: &str) -> std::path::PathBuf {
    let manuscript = dir.join("bulletin");
    write_manuscript(&manuscript, "bulletin", &[("text/a.md", text)]);
    let data = manuscript.join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(
        data.join("grain.toml"),
        "title = \"粮食产量\"\nkey = \"品种\"\ncolumns = [{ name = \"产量\", unit = \"万吨\" }, { name = \"增速\", type = \"percent\" }]\nfile = \"grain.csv\"\n",
    )
    .unwrap();
    std::fs::write(data.join("grain.csv"), "品种,产量,增速\n夏粮,14989.0,-2.1\n秋粮,2671.3,2.2%\n早稻,2817.0,0.0\n").unwrap();
    std::fs::write(
        data.join("x.toml"),
        "title = \"格式\"\nkey = \"指标\"\ncolumns = [{ name = \"数值\" }, { name = \"比重\", type = \"percent\" }, { name = \"日期\", type = \"text\" }]\nfile = \"x.xlsx\"\n",
    )
    .unwrap();
    write_formatted_workbook(&data.join("x.xlsx"));
    manuscript
}

/// Prose with plain references: each number as the source shows it.
const BULLETIN: &str = "# 粮食\n\n秋粮增长{{grain.秋粮.增速}}%。增速{{x.增速.数值}}%，人数{{x.人数.数值}}人，单价{{x.单价.数值}}元，\
比重{{x.增速.比重}}%，日期{{x.增速.日期}}，分数{{x.分数.数值}}。\n\n```table\ndata = \"x\"\ncolumns = [\"数值\"]\n```\n";

/// Prose whose words come from the sign of the data.
const WORDED: &str = "# 粮食\n\n夏粮{{grain.夏粮.增速 | 增长}}，秋粮{{grain.秋粮.增速 | 增长}}，早稻{{grain.早稻.增速 | 增长}}。\
比重{{x.增速.比重 | 提高 | 百分点}}，夏粮产量比上年下降{{grain.夏粮.增速 | abs}}%。\n";

#[test]
fn a_bulletin_prints_typed_percents_and_spreadsheet_formats_as_the_source_shows() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = bulletin(dir.path(), BULLETIN);
    let out = dir.path().join("out");
    let output = build_ok(&manuscript, &out, "pdf");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let text = pdf_text(&out.join("bulletin.pdf"));
    // A % typed in a percent cell prints once (it printed 2.2%%).
    assert!(text.contains("秋粮增长2.2%。") && !text.contains("%%"), "{text}");
    // Each number format as the spreadsheet shows it, in the prose and the table (6 printed 6,
    // 2345 printed 2345).
    for printed in ["增速6.0%", "人数2,345人", "单价7.13元", "比重2.2%", "日期2025年1月1日", "增速6.0", "人数2,345"] {
        assert!(text.contains(printed), "`{printed}` not printed:\n{text}");
    }
    // A format the rule cannot print as a number: the shortest form and a warning at the cell.
    assert!(text.contains("分数1.5。"), "{text}");
    assert!(stderr.contains("x.xlsx:5") && stderr.contains("公报!B5") && stderr.contains("# ?/?") && stderr.contains("printed 1.5"), "{stderr}");

    // Sign wording: the word by the sign, the column's unit, 持平 at zero, 个百分点.
    std::fs::write(manuscript.join("text/a.md"), WORDED).unwrap();
    build_ok(&manuscript, &out, "pdf");
    let text = pdf_text(&out.join("bulletin.pdf"));
    assert!(text.contains("夏粮下降2.1%，秋粮增长2.2%，早稻持平。"), "{text}");
    assert!(text.contains("比重提高2.2个百分点，夏粮产量比上年下降2.1%。"), "{text}");
    assert!(!text.contains("-2.1") && !text.contains("%%"), "{text}");
}

/// Runs `check` on a manuscript; returns (exit code, stderr).
fn check(manuscript: &Path) -> (Option<i32>, String) {
    let output = reportpress(&["check", "--manuscript", manuscript.to_str().unwrap()]);
    (output.status.code(), String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn a_word_that_contradicts_the_sign_fails_at_its_line_and_column_and_keeps_the_previous_pdf() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = bulletin(dir.path(), "# 粮食\n\n夏粮产量{{grain.夏粮.产量}}万吨。\n");
    let out = dir.path().join("out");
    build_ok(&manuscript, &out, "pdf");
    let before = std::fs::read(out.join("bulletin.pdf")).unwrap();
    // 下降 followed by −2.1 would print 下降-2.1%.
    std::fs::write(manuscript.join("text/a.md"), "# 粮食\n\n夏粮产量比上年下降{{grain.夏粮.增速}}%。\n").unwrap();
    let output = build(&manuscript, &out, "pdf");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("a.md:3:10"), "no file:line:column:\n{stderr}");
    assert!(stderr.contains("下降-2.1") && stderr.contains("{{grain.夏粮.增速 | 增长}}"), "{stderr}");
    assert_eq!(std::fs::read(out.join("bulletin.pdf")).unwrap(), before, "a failed build replaced the PDF");
    // 增长 before a negative value, and 下降 before `| abs` of a rise, contradict the data too.
    std::fs::write(manuscript.join("text/a.md"), "# 粮食\n\n夏粮增长{{grain.夏粮.增速}}%，秋粮下降{{grain.秋粮.增速 | abs}}%。\n").unwrap();
    let (code, stderr) = check(&manuscript);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("a.md:3:5") && stderr.contains("a.md:3:"), "{stderr}");
    assert!(stderr.contains("says it fell, but the value is positive"), "{stderr}");
    // The matching word with `| abs` is right; sign_check = "warning" lets the build pass.
    std::fs::write(manuscript.join("text/a.md"), "# 粮食\n\n夏粮下降{{grain.夏粮.增速 | abs}}%，秋粮增长{{grain.秋粮.增速}}%。\n").unwrap();
    let (code, stderr) = check(&manuscript);
    assert_eq!(code, Some(0), "{stderr}");
    std::fs::write(manuscript.join("text/a.md"), "# 粮食\n\n夏粮下降{{grain.夏粮.增速}}%。\n").unwrap();
    let report = std::fs::read_to_string(manuscript.join("report.toml")).unwrap();
    std::fs::write(manuscript.join("report.toml"), format!("{report}\n[numbers]\nsign_check = \"warning\"\n")).unwrap();
    let (code, stderr) = check(&manuscript);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("warning") && stderr.contains("下降-2.1"), "{stderr}");
}

#[test]
fn unknown_filters_doubled_units_and_typed_units_are_refused_with_what_to_type() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = bulletin(dir.path(), "# 粮食\n\n夏粮{{grain.夏粮.增速 | 下降}}。\n");
    let (code, stderr) = check(&manuscript);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("a.md:3:3") && stderr.contains("unknown filter `下降`") && stderr.contains("abs, 增长"), "{stderr}");
    // The wording filter prints the %: a % typed after it would print twice.
    std::fs::write(manuscript.join("text/a.md"), "# 粮食\n\n夏粮{{grain.夏粮.增速 | 增长}}%。\n").unwrap();
    let (code, stderr) = check(&manuscript);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("a.md:3:3") && stderr.contains("remove the %"), "{stderr}");
    // A unit typed in a number cell that is not the column's: refused at its line.
    std::fs::write(manuscript.join("text/a.md"), "# 粮食\n\n夏粮产量{{grain.夏粮.产量}}万吨。\n").unwrap();
    std::fs::write(manuscript.join("data/grain.csv"), "品种,产量,增速\n夏粮,14989.0,-2.1\n秋粮,2671.3万,2.2\n").unwrap();
    let (code, stderr) = check(&manuscript);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("grain.csv:3") && stderr.contains("`2671.3万` has the unit `万`") && stderr.contains("in the column's unit 万吨"), "{stderr}");
    // The column's own unit typed in the cell is dropped, with a note.
    std::fs::write(manuscript.join("data/grain.csv"), "品种,产量,增速\n夏粮,14989.0,-2.1\n秋粮,2671.3万吨,2.2%\n").unwrap();
    let output = reportpress(&["check", "--verbose", "--manuscript", manuscript.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("`2671.3万吨` read as 2671.3, printed 2671.3") && stderr.contains("`2.2%` read as 2.2"), "{stderr}");
}

#[test]
fn numbers_typed_by_hand_that_the_data_holds_are_found_by_check() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = bulletin(dir.path(), "# 粮食\n\n夏粮产量{{grain.夏粮.产量}}万吨。\n秋粮产量2671.3万吨，增长2.2%。\n");
    let (code, stderr) = check(&manuscript);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("a.md:4:5") && stderr.contains("{{grain.秋粮.产量}}万吨"), "{stderr}");
    assert!(stderr.contains("a.md:4:16") && stderr.contains("{{grain.秋粮.增速}}%"), "{stderr}");
    assert!(!stderr.contains("14989"), "a number from a reference is not typed by hand:\n{stderr}");
}

#[test]
fn thousands_grouping_follows_report_toml_in_prose_and_tables() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = bulletin(dir.path(), "# 粮食\n\n夏粮产量{{grain.夏粮.产量}}万吨，人数{{x.人数.数值}}人。\n\n```table\ndata = \"grain\"\n```\n");
    let report = std::fs::read_to_string(manuscript.join("report.toml")).unwrap();
    for (grouping, prose, cell) in [("none", "夏粮产量14989.0万吨，人数2345人", "夏粮14989.0"), ("comma", "夏粮产量14,989.0万吨，人数2,345人", "夏粮14,989.0")]
    {
        std::fs::write(manuscript.join("report.toml"), format!("{report}\n[numbers]\ngrouping = \"{grouping}\"\n")).unwrap();
        let out = dir.path().join(grouping);
        build_ok(&manuscript, &out, "pdf");
        let text = pdf_text(&out.join("bulletin.pdf"));
        assert!(text.contains(prose) && text.contains(cell), "{grouping}: {text}");
    }
    std::fs::write(manuscript.join("report.toml"), format!("{report}\n[numbers]\ngrouping = \"space\"\n")).unwrap();
    let (code, stderr) = check(&manuscript);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("report.toml:") && stderr.contains("\"thin\""), "{stderr}");
}

#[test]
fn a_design_sets_the_grouping_and_report_toml_overrides_it() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = bulletin(dir.path(), "# 粮食\n\n人数{{x.人数.数值}}人。\n");
    // The magazine design, with [numbers] grouping = "none" added to its design.toml.
    let design = dir.path().join("design");
    std::fs::create_dir_all(&design).unwrap();
    for entry in std::fs::read_dir(root().join("assets")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, design.join(path.file_name().unwrap())).unwrap();
        }
    }
    let facts = std::fs::read_to_string(design.join("design.toml")).unwrap();
    std::fs::write(design.join("design.toml"), format!("{facts}\n[numbers]\ngrouping = \"none\"\n")).unwrap();
    let build_in = |out: &str| {
        let out = dir.path().join(out);
        let output = reportpress(&[
            "build",
            "--format",
            "pdf",
            "--manuscript",
            manuscript.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--assets",
            design.to_str().unwrap(),
        ]);
        (output.status.code(), String::from_utf8_lossy(&output.stderr).into_owned(), out.join("bulletin.pdf"))
    };
    // The spreadsheet's #,##0 shows 2,345; the design prints it without a separator.
    let (code, stderr, pdf) = build_in("design");
    assert_eq!(code, Some(0), "{stderr}");
    assert!(pdf_text(&pdf).contains("人数2345人"), "{}", pdf_text(&pdf));
    // report.toml's grouping wins over the design's.
    let report = std::fs::read_to_string(manuscript.join("report.toml")).unwrap();
    std::fs::write(manuscript.join("report.toml"), format!("{report}\n[numbers]\ngrouping = \"comma\"\n")).unwrap();
    let (code, stderr, pdf) = build_in("report");
    assert_eq!(code, Some(0), "{stderr}");
    assert!(pdf_text(&pdf).contains("人数2,345人"), "{}", pdf_text(&pdf));
    // A wrong value in the design is an error at its line in design.toml.
    std::fs::write(manuscript.join("report.toml"), &report).unwrap();
    std::fs::write(design.join("design.toml"), format!("{facts}\n[numbers]\ngrouping = \"dots\"\n")).unwrap();
    let line = facts.lines().count() + 3;
    let (code, stderr, _) = build_in("wrong");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains(&format!("design.toml:{line}")) && stderr.contains("`dots`"), "{stderr}");
}
