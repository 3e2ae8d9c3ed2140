//! Consistency rules on rates — growth, ratio (share of a whole), change in percentage
//! points, multiple, compound annual growth, and the per-table growth rule — checked
//! through the command line: each passes on correct figures and fails on a wrong one with
//! the computed figure, the written one and the places of the cells.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// A manuscript with two data tables (`figures` and `other`) used by the text, and `rules`
/// appended to `figures`.
fn manuscript(dir: &Path, rules: &str) -> PathBuf {
    let root = dir.join("m");
    let figures = format!(
        "title = \"指标\"\nkey = \"指标\"\ncolumns = [{{ name = \"数值\" }}]\nrows = [\n  [\"本年\", \"118.85\"],\n  [\"上年\", \"100\"],\n  [\"增速\", \"18.9\"],\n  \
         [\"增速低\", \"18.8\"],\n  [\"城镇\", \"60\"],\n  [\"占比\", \"85.7\"],\n  [\"本年占比\", \"30.1\"],\n  [\"上年占比\", \"17.7\"],\n  [\"提高\", \"12.4\"],\n  \
         [\"倍数\", \"1.2\"],\n  [\"首年\", \"100\"],\n  [\"末年\", \"150.37\"],\n  [\"年均\", \"8.5\"],\n  [\"下降\", \"18.8\"],\n  [\"降后\", \"81.2\"],\n]\n{rules}"
    );
    let other = "title = \"合计\"\nkey = \"项目\"\ncolumns = [{ name = \"数值\" }]\nrows = [\n  [\"合计\", \"70\"],\n]\n";
    write_manuscript(
        &root,
        "rules",
        &[("text/a.md", "# 指标\n\n增长{{figures.增速.数值}}%，合计{{other.合计.数值}}。\n"), ("data/figures.toml", &figures), ("data/other.toml", other)],
    );
    root
}

/// `reportpress check` on a manuscript with `rules`: (success, stderr).
fn check(rules: &str) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let root = manuscript(dir.path(), rules);
    let output = reportpress(&["check", "--manuscript", root.to_str().unwrap()]);
    (output.status.success(), String::from_utf8_lossy(&output.stderr).to_string())
}

fn passes(rules: &str) {
    let (ok, stderr) = check(rules);
    assert!(ok, "expected the rule to hold:\n{rules}\n{stderr}");
}

fn fails_with(rules: &str, expected: &[&str]) {
    let (ok, stderr) = check(rules);
    assert!(!ok, "expected the rule to fail:\n{rules}");
    for text in expected {
        assert!(stderr.contains(text), "`{text}` missing from:\n{stderr}");
    }
}

#[test]
fn growth_accepts_the_rounding_boundary_and_refuses_beyond_it() {
    // 118.85 over 100 is exactly 18.85, which rounds to 18.9 at one decimal.
    passes("[[rules]]\ntype = \"growth\"\ncurrent = \"本年.数值\"\nprevious = \"上年.数值\"\nstated = \"增速.数值\"\n");
    // …and not to 18.8.
    fails_with(
        "[[rules]]\ntype = \"growth\"\ncurrent = \"本年.数值\"\nprevious = \"上年.数值\"\nstated = \"增速低.数值\"\n",
        &[
            "figures.toml:21",
            "growth rule broken: (118.85 − 100) ÷ 100 × 100 is 18.85%, but the written figure is 18.8% (rounded half up, it stands for 18.75 ≤ x < 18.85)",
            "current `本年.数值` = 118.85 at data/figures.toml:5",
            "previous `上年.数值` = 100 at data/figures.toml:6",
            "stated `增速低.数值` = 18.8 at data/figures.toml:8",
        ],
    );
    // 18.84 is refused at one decimal (the data changed: 118.84 over 100).
    let (ok, stderr) = {
        let dir = tempfile::tempdir().unwrap();
        let root = manuscript(dir.path(), "[[rules]]\ntype = \"growth\"\ncurrent = \"本年.数值\"\nprevious = \"上年.数值\"\nstated = \"增速.数值\"\n");
        replace_in(&root.join("data/figures.toml"), "\"118.85\"", "\"118.84\"");
        let output = reportpress(&["check", "--manuscript", root.to_str().unwrap()]);
        (output.status.success(), String::from_utf8_lossy(&output.stderr).to_string())
    };
    assert!(!ok);
    assert!(stderr.contains("is 18.84%, but the written figure is 18.9% (rounded half up, it stands for 18.85 ≤ x < 18.95)"), "{stderr}");
    // A fall written without its minus sign (下降 18.8%).
    passes("[[rules]]\ntype = \"growth\"\ncurrent = \"降后.数值\"\nprevious = \"上年.数值\"\nstated = \"下降.数值\"\ndecrease = true\n");
    fails_with(
        "[[rules]]\ntype = \"growth\"\ncurrent = \"降后.数值\"\nprevious = \"上年.数值\"\nstated = \"增速低.数值\"\n",
        &["is -18.8%, but the written figure is 18.8%"],
    );
}

#[test]
fn ratio_within_and_across_tables() {
    // 60 ÷ 70 = 85.714…% (占 85.7%), with the whole in another table.
    passes("[[rules]]\ntype = \"ratio\"\npart = \"城镇.数值\"\nwhole = \"other.合计.数值\"\nstated = \"占比.数值\"\n");
    fails_with(
        "[[rules]]\ntype = \"share-of\"\npart = \"城镇.数值\"\nwhole = \"上年.数值\"\nstated = \"占比.数值\"\n",
        &[
            "ratio rule broken: 60 ÷ 100 × 100 is 60%, but the written figure is 85.7% (rounded half up, it stands for 85.65 ≤ x < 85.75)",
            "whole `上年.数值` = 100 at data/figures.toml:6",
        ],
    );
    // The cell of another table is located in that table's file.
    fails_with(
        "[[rules]]\ntype = \"ratio\"\npart = \"本年.数值\"\nwhole = \"other.合计.数值\"\nstated = \"占比.数值\"\n",
        &["whole `other.合计.数值` = 70 at data/other.toml:5", "is 169.7857%"],
    );
}

#[test]
fn change_in_percentage_points() {
    passes("[[rules]]\ntype = \"change\"\ncurrent = \"本年占比.数值\"\nprevious = \"上年占比.数值\"\nstated = \"提高.数值\"\n");
    passes("[[rules]]\ntype = \"change\"\ncurrent = \"上年占比.数值\"\nprevious = \"本年占比.数值\"\nstated = \"提高.数值\"\ndecrease = true\n");
    fails_with(
        "[[rules]]\ntype = \"change\"\ncurrent = \"本年占比.数值\"\nprevious = \"上年占比.数值\"\nstated = \"倍数.数值\"\n",
        &["change rule broken: 30.1 − 17.7 is 12.4 percentage points, but the written figure is 1.2 percentage points", "figures.toml:21"],
    );
}

#[test]
fn multiple() {
    passes("[[rules]]\ntype = \"multiple\"\nvalue = \"上年.数值\"\nbase = \"降后.数值\"\nstated = \"倍数.数值\"\n");
    fails_with(
        "[[rules]]\ntype = \"multiple\"\nvalue = \"本年.数值\"\nbase = \"城镇.数值\"\nstated = \"倍数.数值\"\n",
        &["multiple rule broken: 118.85 ÷ 60 is 1.9808 times, but the written figure is 1.2 times (rounded half up, it stands for 1.15 ≤ x < 1.25)"],
    );
}

#[test]
fn compound_annual_growth() {
    passes("[[rules]]\ntype = \"cagr\"\nfirst = \"首年.数值\"\nlast = \"末年.数值\"\nyears = 5\nstated = \"年均.数值\"\n");
    passes("[[rules]]\ntype = \"cagr\"\nfirst = \"首年.数值\"\nlast = \"末年.数值\"\nfrom = 2020\nto = 2025\nstated = \"年均.数值\"\n");
    fails_with(
        "[[rules]]\ntype = \"cagr\"\nfirst = \"首年.数值\"\nlast = \"末年.数值\"\nyears = 4\nstated = \"年均.数值\"\n",
        &[
            "cagr rule broken: ((150.37 ÷ 100)^(1/4) − 1) × 100 is 10.7364%, but the written figure is 8.5%",
            "last `末年.数值` = 150.37 at data/figures.toml:16",
        ],
    );
    fails_with(
        "[[rules]]\ntype = \"cagr\"\nfirst = \"首年.数值\"\nlast = \"末年.数值\"\nstated = \"年均.数值\"\n",
        &["give either `years = N` or both `from = YEAR` and `to = YEAR`"],
    );
}

#[test]
fn a_per_table_growth_rule_checks_every_row_of_the_test_manuscript() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = dir.path().join("quarterly");
    copy_dir(&root().join("tests/manuscripts/quarterly"), &manuscript);
    let output = reportpress(&["check", "--manuscript", manuscript.to_str().unwrap()]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    // 乡村: 7.3 over 6.6 is 10.6061%; a written 10.8 is refused, naming the row's line.
    replace_in(&manuscript.join("data/retail.toml"), "[\"乡村\", \"7.3\", \"6.6\", \"10.6\"", "[\"乡村\", \"7.3\", \"6.6\", \"10.8\"");
    // …and the share of 城镇 no longer matches a changed total.
    replace_in(&manuscript.join("data/retail.toml"), "[\"城镇\", \"41.3\", \"38.6\", \"7.0\", \"85.0\"]", "[\"城镇\", \"41.3\", \"38.6\", \"7.0\", \"86.0\"]");
    let output = reportpress(&["check", "--manuscript", manuscript.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("retail.toml:16"), "the growth = line is not named:\n{stderr}");
    assert!(
        stderr.contains("row `乡村`: growth rule broken: (7.3 − 6.6) ÷ 6.6 × 100 is 10.6061%, but the written figure is 10.8% (rounded half up, it stands for 10.75 ≤ x < 10.85)"),
        "{stderr}"
    );
    assert!(stderr.contains("stated `乡村.增速` = 10.8 at data/retail.toml:13"), "{stderr}");
    assert!(stderr.contains("ratio rule broken: 41.3 ÷ 48.6 × 100 is 84.9794%, but the written figure is 86.0%"), "{stderr}");
    assert!(!stderr.contains("row `城镇`"), "a correct row was reported:\n{stderr}");
}

#[test]
fn a_growth_declaration_naming_a_missing_column_is_located() {
    fails_with(
        "growth = { current = \"数值\", previous = \"上年\", stated = \"数值\" }\n",
        &["figures.toml:21", "names the column `上年`, which the table does not have"],
    );
}
