//! Starting a report outside this repository, as a new user does: `reportpress new`, a build
//! from any directory with the built-in design, fonts found in the documented places (or a
//! clear error naming them), and a clean build that says only what it wrote.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::*;

/// Runs the binary in `cwd` with a clean environment: no fonts or caches of the machine's
/// user, only `env`.
fn run_in(cwd: &Path, args: &[&str], env: &[(&str, &Path)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_reportpress"));
    command.args(args).current_dir(cwd).env_remove("REPORTPRESS_FONTS").env_remove("XDG_DATA_HOME").env_remove("XDG_CACHE_HOME");
    command.env("HOME", cwd.join("home"));
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("the reportpress binary runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_new_report_builds_in_an_empty_directory_with_the_built_in_design() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let fonts = root().join("fonts");
    let new = run_in(cwd, &["new", "annual-2025"], &[]);
    assert!(new.status.success(), "{}", stderr(&new));
    for file in ["report.toml", "README.md", "text/01-overview.md", "text/02-outlook.md", "data/economy.toml"] {
        assert!(cwd.join("annual-2025").join(file).is_file(), "{file} was not written");
    }
    let build = run_in(cwd, &["build", "--manuscript", "annual-2025"], &[("REPORTPRESS_FONTS", &fonts)]);
    assert!(build.status.success(), "{}", stderr(&build));
    assert!(stderr(&build).trim().is_empty(), "a clean build of the starter says nothing on stderr:\n{}", stderr(&build));
    let pdf = cwd.join("dist/annual-2025.pdf");
    let epub = cwd.join("dist/annual-2025.epub");
    tool("qpdf", &["--check", pdf.to_str().unwrap()]);
    assert_epubcheck_clean(&epubcheck(&epub), "the starter report");
    // Every construct of the starter printed: references resolved, numbered table and chart.
    let text = squeeze(&pdf_body_text(&pdf));
    for printed in [
        "全市地区生产总值达到1,234.5亿元，同比增长5.6%",
        "构成见图1，各项指标见表1",
        "表12025年主要经济指标",
        "图12025年三次产业增加值构成",
        "增速按可比价格计算。",
    ] {
        assert!(text.contains(printed), "{printed} missing from the starter's PDF:\n{text}");
    }
    // `new` refuses a directory that is not empty, and changes nothing in it.
    let again = run_in(cwd, &["new", "annual-2025"], &[]);
    assert!(!again.status.success() && stderr(&again).contains("not empty"), "{}", stderr(&again));
}

#[test]
fn a_new_report_in_the_report_and_book_designs_builds_with_numbered_headings() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let fonts = root().join("fonts");
    for (design, chapter, section) in [("report", "一、总体情况", "（一）主要任务"), ("book", "第一章总体情况", "第一节主要任务")] {
        let new = run_in(cwd, &["new", design, "--design", design], &[]);
        assert!(new.status.success(), "{}", stderr(&new));
        let build = run_in(cwd, &["build", "--manuscript", design], &[("REPORTPRESS_FONTS", &fonts)]);
        assert!(build.status.success(), "{design}: {}", stderr(&build));
        let pdf = cwd.join(format!("dist/{design}.pdf"));
        tool("qpdf", &["--check", pdf.to_str().unwrap()]);
        assert_epubcheck_clean(&epubcheck(&cwd.join(format!("dist/{design}.epub"))), design);
        let text = squeeze(&tool("pdftotext", &["-enc", "UTF-8", pdf.to_str().unwrap(), "-"]));
        for printed in ["目录", chapter, section, "2025年主要经济指标"] {
            assert!(text.replace('\u{3000}', "").contains(printed), "{design}: «{printed}» missing from the PDF:\n{text}");
        }
    }
}

#[test]
fn fonts_are_found_beside_the_manuscript_or_in_the_user_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    assert!(run_in(cwd, &["new", "r"], &[]).status.success());
    // In the user's data directory (~/.local/share/reportpress/fonts), linked there.
    let data_fonts = cwd.join("home/.local/share/reportpress/fonts");
    std::fs::create_dir_all(data_fonts.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(root().join("fonts"), &data_fonts).unwrap();
    let build = run_in(cwd, &["build", "-v", "--format", "pdf", "--manuscript", "r"], &[]);
    assert!(build.status.success(), "{}", stderr(&build));
    let said = String::from_utf8_lossy(&build.stdout);
    assert!(said.contains(&format!("fonts: {} (in the user's data directory)", data_fonts.display())), "--verbose names the fonts directory:\n{said}");
    assert!(said.contains("design: built-in `magazine`"), "{said}");
    // Beside the manuscript comes first.
    std::os::unix::fs::symlink(root().join("fonts"), cwd.join("r/fonts")).unwrap();
    let build = run_in(cwd, &["build", "-v", "--format", "pdf", "--manuscript", "r"], &[]);
    assert!(String::from_utf8_lossy(&build.stdout).contains("(beside the manuscript)"), "{}", String::from_utf8_lossy(&build.stdout));
}

#[test]
fn without_fonts_the_error_names_every_place_searched_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    assert!(run_in(cwd, &["new", "r"], &[]).status.success());
    let build = run_in(cwd, &["build", "--manuscript", "r"], &[]);
    assert!(!build.status.success());
    let message = stderr(&build);
    for place in ["r/fonts (beside the manuscript)", "fonts (in the working directory)", "home/.local/share/reportpress/fonts (in the user's data directory)"] {
        assert!(message.contains(place), "{place} is not named:\n{message}");
    }
    assert!(message.contains("REPORTPRESS_FONTS") && message.contains("--fonts") && message.contains("cp "), "no way out is offered:\n{message}");
    assert!(!cwd.join("dist").exists(), "a failed build wrote output");
}

#[test]
fn an_unknown_design_is_an_error_at_its_report_toml_line() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    assert!(run_in(cwd, &["new", "r"], &[]).status.success());
    replace_in(&cwd.join("r/report.toml"), "design = \"magazine\"", "design = \"nope\"");
    let build = run_in(cwd, &["build", "--manuscript", "r"], &[("REPORTPRESS_FONTS", &root().join("fonts"))]);
    assert!(!build.status.success());
    let message = stderr(&build);
    assert!(message.contains("report.toml:11") && message.contains("no design found") && message.contains("magazine"), "{message}");
}

#[test]
fn a_clean_build_prints_only_what_it_wrote_and_notes_need_verbose() {
    let dir = tempfile::tempdir().unwrap();
    let quiet = build_ok(&root().join("manuscript"), dir.path(), "all");
    assert!(stderr(&quiet).trim().is_empty(), "the article's build is not quiet:\n{}", stderr(&quiet));
    let said = String::from_utf8_lossy(&quiet.stdout);
    assert!(said.lines().all(|line| line.starts_with("wrote ")), "{said}");
    // The quarterly manuscript writes 12,345 without declaring its style: a note, with -v only.
    let quarterly = root().join("tests/manuscripts/quarterly");
    let plain = build_ok(&quarterly, dir.path(), "pdf");
    assert!(!stderr(&plain).contains("read as"), "{}", stderr(&plain));
    let verbose = reportpress(&["build", "-v", "--format", "pdf", "--manuscript", quarterly.to_str().unwrap(), "--out", dir.path().to_str().unwrap()]);
    assert!(stderr(&verbose).contains("`12,345` read as 12345"), "{}", stderr(&verbose));
}

#[test]
fn build_finds_the_manuscript_it_is_run_in_and_takes_it_as_an_argument() {
    // `cd 公报 && reportpress build` failed (`manuscript directory not found`), and
    // `reportpress build 公报` was an unexpected argument.
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let fonts = root().join("fonts");
    let new = run_in(cwd, &["new", "公报"], &[]);
    assert!(new.status.success(), "{}", stderr(&new));
    let manuscript = cwd.join("公报");
    // From a folder inside the manuscript: found upwards, written into its own dist/.
    let inside = run_in(&manuscript.join("text"), &["build", "--format", "pdf"], &[("REPORTPRESS_FONTS", &fonts)]);
    assert!(inside.status.success(), "{}", stderr(&inside));
    assert!(manuscript.join("dist/report.pdf").is_file(), "the PDF is in the manuscript's dist/");
    assert!(!manuscript.join("text/dist").exists(), "nothing was written into the working directory");
    // From the manuscript itself.
    let here = run_in(&manuscript, &["check"], &[("REPORTPRESS_FONTS", &fonts)]);
    assert!(here.status.success(), "{}", stderr(&here));
    // The manuscript as a positional argument, from beside it: dist/ in the working directory.
    let named = run_in(cwd, &["build", "公报", "--format", "pdf"], &[("REPORTPRESS_FONTS", &fonts)]);
    assert!(named.status.success(), "{}", stderr(&named));
    assert!(cwd.join("dist/report.pdf").is_file());
    // Both at once is a usage error, not a silent choice.
    let both = run_in(cwd, &["build", "公报", "--manuscript", "公报"], &[("REPORTPRESS_FONTS", &fonts)]);
    assert!(!both.status.success() && stderr(&both).contains("cannot be used with"), "{}", stderr(&both));
}

#[test]
fn the_starter_readme_documents_every_field_its_report_toml_writes() {
    // The starter's report.toml said `字段说明见 README.md`, and that README listed no fields.
    let dir = tempfile::tempdir().unwrap();
    for design in ["magazine", "report", "book"] {
        let new = run_in(dir.path(), &["new", design, "--design", design], &[]);
        assert!(new.status.success(), "{}", stderr(&new));
        let manuscript = dir.path().join(design);
        let report = std::fs::read_to_string(manuscript.join("report.toml")).unwrap();
        let readme = std::fs::read_to_string(manuscript.join("README.md")).unwrap();
        let keys: Vec<&str> = report.lines().filter_map(|line| line.split_once(" = ").map(|(key, _)| key.trim())).filter(|key| !key.starts_with('#')).collect();
        assert!(keys.len() >= 10, "{keys:?}");
        for key in keys {
            assert!(readme.contains(&format!("| `{key}`")), "{design}: the starter README does not document `{key}`");
        }
        for placeholder in ["{{output}}", "{{date}}", "{{design}}", "{{dir}}"] {
            assert!(!readme.contains(placeholder), "{design}: {placeholder} is left in the README");
        }
    }
}
