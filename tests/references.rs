//! References (GB/T 7714—2015): the worked examples of the standard print exactly, Chinese
//! and English entries get 等 and et al., both editions print the same list, and bad
//! citations and bibliographies are reported where they are.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use reportpress::manuscript::bibliography::{Bibliography, CiteItem, Rendered};
use reportpress::model::plain_text_of;

/// Renders every entry of `file` (inside `root`) in `style`, each cited once in file order.
fn render(root: &Path, file: &str, style: &str) -> (Rendered, Vec<(String, String)>) {
    let bibliography = Bibliography::load(root, Path::new(file), style, &root.join("report.toml"), (1, 1)).unwrap();
    let citations: Vec<Vec<CiteItem>> = bibliography.keys().into_iter().map(|key| vec![CiteItem { key, locator: None }]).collect();
    let rendered = bibliography.render(&citations);
    let entries = rendered
        .entries
        .iter()
        .map(|entry| {
            let mut text = String::new();
            plain_text_of(&entry.content, &mut text);
            (entry.key.clone(), if entry.label.is_empty() { text } else { format!("{} {text}", entry.label) })
        })
        .collect();
    (rendered, entries)
}

/// The examples printed in GB/T 7714—2015 (§8, appendix A), as the standard prints them
/// (half-width punctuation followed by a space), for 15 entries of 8 types: [M] [J] [S]
/// [EB/OL] [D] [R] [N] [P].
const GB_T_7714_EXAMPLES: [(&str, &str); 15] = [
    ("chen2000", "[1] 陈登原. 国史旧闻: 第1卷[M]. 北京: 中华书局, 2000: 29."),
    ("yuan2012", "[2] 袁训来, 陈哲, 肖书海, 等. 蓝田生物群: 一个认识多细胞生物起源和早期演化的新窗口[J]. 科学通报, 2012, 55(34): 3219."),
    (
        "desmarais1992",
        "[3] DES MARAIS D J, STRAUSS H, SUMMONS R E, et al. Carbon isotope evidence for the stepwise oxidation of the Proterozoic environment[J]. Nature, 1992, 359: 605-609.",
    ),
    ("gbt25100", "[4] 全国信息与文献标准化技术委员会. 信息与文献 都柏林核心元数据元素集: GB/T 25100—2010[S]. 北京: 中国标准出版社, 2010: 2-3."),
    ("xiaoyu2001", "[5] 萧钰. 出版业信息化迈入快车道[EB/OL]. (2001-12-19)[2002-04-15]. http://www.creader.com/news/20011219/200112190019.html."),
    ("ma2011", "[6] 马欢. 人类活动影响下海河流域典型区水循环变化分析[D]. 北京: 清华大学, 2011: 27."),
    ("who1970", "[7] World Health Organization. Factors regulating the immune response: report of WHO Scientific Group[R]. Geneva: WHO, 1970."),
    ("ding2000", "[8] 丁文详. 数字革命与竞争国际化[N]. 中国青年报, 2000-11-20(15)."),
    ("xu2007", "[9] 徐光宪, 王祥云. 物质结构[M]. 北京: 科学出版社, 2007."),
    ("crawford1995", "[10] CRAWFORD W, GORMAN M. Future libraries: dreams, madness, & reality[M]. Chicago: American Library Association, 1995."),
    ("li2008", "[11] 李炳穆. 韩国图书馆法[J]. 图书情报工作, 2008, 52(6): 6-12."),
    (
        "oclc",
        "[12] Online Computer Library Center, Inc. About OCLC: history of cooperation[EB/OL]. [2012-03-27]. http://www.oclc.org/about/cooperation.en.html.",
    ),
    ("calms1965", "[13] CALMS R B. Infrared spectroscopic studies on solid oxygen[D]. Berkeley: Univ. of California, 1965."),
    ("zhang2000", "[14] 张田勤. 罪犯DNA库与生命伦理学计划[N]. 大众科技报, 2000-11-12(7)."),
    ("deng2006", "[15] 邓一刚. 全智能节电器: 200610171314.3[P]. 2006-12-13."),
];

#[test]
fn the_worked_examples_of_gb_t_7714_print_exactly() {
    let (rendered, entries) = render(&root().join("tests/references"), "gb7714-examples.bib", "gb-7714-2015-numeric");
    assert_eq!(entries.len(), GB_T_7714_EXAMPLES.len());
    for ((key, text), (expected_key, expected)) in entries.iter().zip(GB_T_7714_EXAMPLES) {
        assert_eq!((key.as_str(), text.as_str()), (expected_key, expected));
    }
    // 顺序编码制: superscript numbers in order of first citation.
    let marks: Vec<&str> = rendered.citations.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(marks[..3], ["[1]", "[2]", "[3]"]);
    assert!(rendered.citations.iter().all(|c| c.superscript));
}

#[test]
fn chinese_entries_get_deng_and_english_entries_et_al_in_one_list() {
    let dir = tempfile::tempdir().unwrap();
    let bib = "@article{zh, author = {王一 and 李二 and 张三 and 赵四}, title = {标题}, journal = {刊名}, year = {2020}, volume = {1}, pages = {1--2}}\n\
               @article{en, author = {Smith, A. and Jones, B. and Brown, C. and Green, D.}, title = {A title}, journal = {A journal}, year = {2021}, volume = {2}, pages = {3--4}}\n\
               @article{pinyin, author = {Wang, Yi and Li, Er and Zhang, San and Zhao, Si}, title = {中文题名}, journal = {刊名}, year = {2022}, volume = {3}, pages = {5}, langid = {chinese}}\n";
    std::fs::write(dir.path().join("refs.bib"), bib).unwrap();
    let (_, entries) = render(dir.path(), "refs.bib", "gb-7714-2015-numeric");
    assert_eq!(entries[0].1, "[1] 王一, 李二, 张三, 等. 标题[J]. 刊名, 2020, 1: 1-2.");
    assert_eq!(entries[1].1, "[2] SMITH A, JONES B, BROWN C, et al. A title[J]. A journal, 2021, 2: 3-4.");
    // A `langid` decides over the script of the names.
    assert!(entries[2].1.starts_with("[3] WANG Y, LI E, ZHANG S, 等. 中文题名[J]."), "{}", entries[2].1);
    // Author-date citations of one Chinese and one English entry, in one citation.
    let bibliography = Bibliography::load(dir.path(), Path::new("refs.bib"), "gb-7714-2015-author-date", &dir.path().join("report.toml"), (1, 1)).unwrap();
    let both = vec![CiteItem { key: "zh".into(), locator: None }, CiteItem { key: "en".into(), locator: None }];
    let rendered = bibliography.render(&[both]);
    assert_eq!(rendered.citations[0].text, "(王一 等, 2020; Smith et al., 2021)");
    assert!(!rendered.citations[0].superscript);
}

fn quarterly(dir: &Path) -> PathBuf {
    let target = dir.join("quarterly");
    copy_dir(&root().join("tests/manuscripts/quarterly"), &target);
    target
}

/// The entries of the EPUB's list of references: label, a space and the entry text.
fn epub_entries(epub: &Path) -> Vec<String> {
    let file = std::fs::File::open(epub).unwrap();
    let mut archive = zip::ZipArchive::new(file).unwrap();
    let mut entries = Vec::new();
    for index in 0..archive.len() {
        let mut member = archive.by_index(index).unwrap();
        if !member.name().ends_with(".xhtml") {
            continue;
        }
        let mut xhtml = String::new();
        std::io::Read::read_to_string(&mut member, &mut xhtml).unwrap();
        for item in xhtml.split("<li id=\"ref-").skip(1) {
            let item = &item[..item.find("</li>").unwrap()];
            let text: String = strip_tags(item).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">");
            entries.push(text);
        }
    }
    entries
}

/// The text of an `<li>` after its id: tags removed.
fn strip_tags(item: &str) -> String {
    let item = &item[item.find('>').map_or(0, |at| at + 1)..];
    let mut out = String::new();
    let mut inside = false;
    for c in item.chars() {
        match c {
            '<' => inside = true,
            '>' => inside = false,
            c if !inside => out.push(c),
            _ => {}
        }
    }
    out
}

#[test]
fn the_pdf_and_the_epub_print_the_same_reference_strings() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = root().join("tests/manuscripts/quarterly");
    build_ok(&manuscript, dir.path(), "all");
    let pdf = squeeze(&tool("pdftotext", &["-raw", "-enc", "UTF-8", dir.path().join("quarterly-review.pdf").to_str().unwrap(), "-"]));
    let entries = epub_entries(&dir.path().join("quarterly-review.epub"));
    assert_eq!(entries.len(), 10, "{entries:#?}");
    let list = &pdf[pdf.find("参考文献").expect("no 参考文献 heading in the PDF")..];
    for entry in &entries {
        assert!(list.contains(&squeeze(entry)), "the PDF does not print the EPUB's entry\n{entry}\n{list}");
    }
    // The EPUB entries are the PDF's, in the same order.
    let mut from = 0;
    for entry in &entries {
        let at = list[from..].find(&squeeze(entry)).map(|at| from + at);
        assert!(at.is_some(), "out of order: {entry}");
        from = at.unwrap_or(from);
    }
    for expected in [
        "[2] 中华人民共和国国家质量监督检验检疫总局, 中国国家标准化管理委员会. 国民经济行业分类: GB/T 4754—2017[S]. 北京: 中国标准出版社, 2017.",
        "[4] 王明, 李华, 张强, 等. 县域消费复苏的结构特征[J]. 区域经济评论, 2023, 11(4): 45-58.",
        "[5] SMITH J, BROWN A, GARCIA M, et al. Regional consumption after the pandemic[J/OL]. Journal of Regional Studies, 2022, 56(3): 301-320. DOI:10.1000/jrs.2022.0301.",
        "[7] 陈静. 一季度消费市场稳中有升[N]. 示例日报, 2024-04-12(2).",
    ] {
        assert!(entries.iter().any(|e| e == expected), "missing {expected} in {entries:#?}");
    }
    // The citation marks, with the page of [@yearbook2023, 第12页] and a range for three entries.
    for mark in ["预期1[1]。", "国家标准[2]", "统计年鉴[3]12。", "研究一致[4–6]"] {
        assert!(pdf.contains(mark), "{mark} not in the PDF text:\n{pdf}");
    }
}

#[test]
fn the_epub_links_citations_and_entries_both_ways_and_passes_epubcheck() {
    let dir = tempfile::tempdir().unwrap();
    build_ok(&root().join("tests/manuscripts/quarterly"), dir.path(), "epub");
    let epub = dir.path().join("quarterly-review.epub");
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&epub).unwrap()).unwrap();
    let mut all = String::new();
    for index in 0..archive.len() {
        let mut member = archive.by_index(index).unwrap();
        if member.name().ends_with(".xhtml") {
            std::io::Read::read_to_string(&mut member, &mut all).unwrap();
        }
    }
    assert!(all.contains("<a class=\"citation\" id=\"cite-1\" href=\"section-03.xhtml#ref-1\" role=\"doc-biblioref\"><sup>[1]</sup></a>"), "{all}");
    assert!(all.contains("<a class=\"ref-label\" href=\"section-01.xhtml#cite-1\" role=\"doc-backlink\">[1]</a>"), "no back-link");
    // [4–6] is one citation: each of the three entries links back to it.
    assert_eq!(all.matches("href=\"section-02.xhtml#cite-4\" role=\"doc-backlink\"").count(), 3);
    assert!(all.contains("<a href=\"https://doi.org/10.1000/jrs.2022.0301\">10.1000/jrs.2022.0301</a>"), "the DOI is not a link");
    let output = std::process::Command::new("python3").args(["-m", "epubcheck", epub.to_str().unwrap()]).output().unwrap();
    assert!(output.status.success(), "{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
}

/// `reportpress check` on the copied manuscript: (success, stderr).
fn check(manuscript: &Path) -> (bool, String) {
    let output = reportpress(&["check", "--manuscript", manuscript.to_str().unwrap()]);
    (output.status.success(), String::from_utf8_lossy(&output.stderr).to_string())
}

#[test]
fn an_unknown_key_is_an_error_at_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = quarterly(dir.path());
    replace_in(&manuscript.join("text/01-overview.md"), "[@gbt4754]", "[@gbt4745]");
    let (ok, stderr) = check(&manuscript);
    assert!(!ok);
    assert!(stderr.contains("01-overview.md:13:35"), "{stderr}");
    assert!(stderr.contains("no entry `gbt4745` in the bibliography"), "{stderr}");
    assert!(stderr.contains("did you mean @gbt4754?"), "{stderr}");
}

#[test]
fn an_unused_entry_is_a_warning_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = quarterly(dir.path());
    let bib = manuscript.join("references.bib");
    let mut text = std::fs::read_to_string(&bib).unwrap();
    let line = text.lines().count() + 1;
    text.push_str("@book{unused, author = {某人}, title = {未引用的书}, publisher = {出版社}, year = {2020}}\n");
    std::fs::write(&bib, text).unwrap();
    let (ok, stderr) = check(&manuscript);
    assert!(ok, "{stderr}");
    assert!(stderr.contains(&format!("references.bib:{line}")), "{stderr}");
    assert!(stderr.contains("entry `unused` is never cited"), "{stderr}");
    let output = reportpress(&["check", "--deny-warnings", "--manuscript", manuscript.to_str().unwrap()]);
    assert!(!output.status.success());
}

#[test]
fn a_malformed_bibliography_is_an_error_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = quarterly(dir.path());
    // An entry without its closing brace: the parser meets the next `@` inside it.
    replace_in(&manuscript.join("references.bib"), "  year = {2017},\n}\n@article{wang2023", "  year = {2017},\n\n@article{wang2023");
    let (ok, stderr) = check(&manuscript);
    assert!(!ok, "{stderr}");
    assert!(stderr.contains("malformed BibTeX"), "{stderr}");
    assert!(stderr.contains("references.bib:"), "{stderr}");
}

#[test]
fn a_citation_without_a_bibliography_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = quarterly(dir.path());
    replace_in(&manuscript.join("report.toml"), "bibliography = \"references.bib\"", "");
    let (ok, stderr) = check(&manuscript);
    assert!(!ok);
    assert!(stderr.contains("01-overview.md:4:"), "{stderr}");
    assert!(stderr.contains("report.toml names no bibliography"), "{stderr}");
}

#[test]
fn the_list_goes_where_references_is_written_and_other_styles_build() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = quarterly(dir.path());
    let overview = manuscript.join("text/01-overview.md");
    let mut text = std::fs::read_to_string(&overview).unwrap();
    text.push_str("\n## 本章参考文献\n\n::: references\n");
    std::fs::write(&overview, text).unwrap();
    let output = build_ok(&manuscript, &dir.path().join("out"), "pdf");
    assert!(!String::from_utf8_lossy(&output.stderr).contains("warning"), "{}", String::from_utf8_lossy(&output.stderr));
    let pdf = squeeze(&tool("pdftotext", &["-raw", "-enc", "UTF-8", dir.path().join("out/quarterly-review.pdf").to_str().unwrap(), "-"]));
    let list = pdf.find("本章参考文献").expect("heading missing");
    let entry = pdf.find("[10]Organisation").expect("last entry missing");
    let outlook = pdf.find("二、下季展望").expect("chapter 2 missing");
    assert!(list < entry && entry < outlook, "the list is not where ::: references stands:\n{pdf}");
    assert!(!pdf.contains(":::"), "the marker was printed");
    assert_eq!(pdf.matches("参考文献").count(), 1, "a second list heading was added:\n{pdf}");
    // Author-date and note styles.
    replace_in(&manuscript.join("report.toml"), "bibliography = \"references.bib\"", "bibliography = \"references.bib\"\nstyle = \"gb-7714-2015-author-date\"");
    let output = build_ok(&manuscript, &dir.path().join("ad"), "pdf");
    assert!(!String::from_utf8_lossy(&output.stderr).contains("warning"), "{}", String::from_utf8_lossy(&output.stderr));
    let pdf = squeeze(&tool("pdftotext", &["-raw", "-enc", "UTF-8", dir.path().join("ad/quarterly-review.pdf").to_str().unwrap(), "-"]));
    assert!(pdf.contains("(王明等,2023;Smithetal.,2022;刘洋,2021)"), "{pdf}");
    replace_in(&manuscript.join("report.toml"), "gb-7714-2015-author-date", "gb-7714-2015-note");
    let output = build_ok(&manuscript, &dir.path().join("note"), "pdf");
    assert!(!String::from_utf8_lossy(&output.stderr).contains("warning"), "{}", String::from_utf8_lossy(&output.stderr));
    let pdf = squeeze(&tool("pdftotext", &["-raw", "-enc", "UTF-8", dir.path().join("note/quarterly-review.pdf").to_str().unwrap(), "-"]));
    // The citation is a footnote holding the entry.
    assert!(pdf.contains("王明,李华,张强,等.县域消费复苏的结构特征[J]"), "{pdf}");
    replace_in(&manuscript.join("report.toml"), "gb-7714-2015-note", "apa");
    let (ok, stderr) = check(&manuscript);
    assert!(!ok && stderr.contains("unknown citation style `apa`") && stderr.contains("report.toml:"), "{stderr}");
}

#[test]
fn a_hayagriva_yaml_bibliography_works_too() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = "zhou2020:\n  type: book\n  title: 区域经济学\n  author: 周某\n  date: 2020\n  publisher:\n    name: 示例出版社\n    location: 北京\n\
                gbt25100:\n  type: misc\n  title: 信息与文献 都柏林核心元数据元素集\n  author: 全国信息与文献标准化技术委员会\n  date: 2010\n  \
                serial-number:\n    standard: GB/T 25100—2010\n  publisher:\n    name: 中国标准出版社\n    location: 北京\n";
    std::fs::write(dir.path().join("refs.yaml"), yaml).unwrap();
    let (_, entries) = render(dir.path(), "refs.yaml", "gb-7714-2015-numeric");
    assert_eq!(entries[0].1, "[1] 周某. 区域经济学[M]. 北京: 示例出版社, 2020.");
    assert_eq!(entries[1].1, "[2] 全国信息与文献标准化技术委员会. 信息与文献 都柏林核心元数据元素集: GB/T 25100—2010[S]. 北京: 中国标准出版社, 2010.");
    // A YAML error is located at its line.
    std::fs::write(dir.path().join("bad.yaml"), "a:\n  type: book\n  title: [unclosed\n").unwrap();
    let error = Bibliography::load(dir.path(), Path::new("bad.yaml"), "gb-7714-2015-numeric", &dir.path().join("report.toml"), (1, 1)).unwrap_err();
    assert!(error.file.ends_with("bad.yaml") && error.line.is_some(), "{error:?}");
}
