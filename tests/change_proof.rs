//! Change proofs (`build --format proof --since REV`): what changed since a git revision is
//! marked on the proof — inserted text in the change colour (underlined), deleted text in
//! grey (struck through) at its place — and listed on the first page; read back from the PDF.

mod common;

use std::path::Path;

use common::*;
use reportpress::review::pdf_text::{PageChar, characters};
use reportpress::review::placed::line_number;

const OLD: &str = "# 绿色转型

全市坚持生态优先，旧矿区变成了新公园，这是转型的第一件事。

第一产业增加值{{gdp.第一产业.数值}}亿元。

第三段保持原样，没有任何改动。

这一段将被删除，不再出现在新稿中。

这一段会被移到最后。

第六段也保持原样。

```table
data = \"gdp\"
caption = \"主要经济指标\"
```
";

const NEW: &str = "# 绿色转型

全市坚持生态优先，旧矿区变成了城市新公园，这是转型的头等大事。

第一产业增加值{{gdp.第一产业.数值}}亿元。

第三段保持原样，没有任何改动。

这是新加的一段，说明新的情况。

第六段也保持原样。

```table
data = \"gdp\"
caption = \"主要经济指标\"
```

这一段会被移到最后。
";

fn gdp(first: &str) -> String {
    format!(
        "title = \"主要指标\"\nsource = \"统计局\"\nkey = \"指标\"\ncolumns = [{{ name = \"数值\", type = \"number\", unit = \"亿元\" }}]\nrows = [\n  [\"地区生产总值\", \"205.72\"],\n  [\"第一产业\", \"{first}\"],\n]\n"
    )
}

/// A manuscript committed as OLD, then edited to NEW (not committed).
fn edited(dir: &Path) -> std::path::PathBuf {
    let manuscript = dir.join("m");
    write_manuscript(&manuscript, "changes", &[("text/a.md", OLD)]);
    std::fs::create_dir_all(manuscript.join("data")).unwrap();
    std::fs::write(manuscript.join("data/gdp.toml"), gdp("36.56")).unwrap();
    git(&manuscript, &["init", "-q"]);
    git(&manuscript, &["add", "."]);
    git(&manuscript, &["commit", "-q", "-m", "first proof"]);
    std::fs::write(manuscript.join("text/a.md"), NEW).unwrap();
    std::fs::write(manuscript.join("data/gdp.toml"), gdp("36.58")).unwrap();
    manuscript
}

fn change_proof(manuscript: &Path, out: &Path, since: &str) -> Vec<PageChar> {
    let output = reportpress(&["build", "--format", "proof", "--since", since, "--manuscript", manuscript.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let document = lopdf::Document::load(out.join("changes-proof.pdf")).expect("the proof loads");
    let pages: Vec<usize> = (0..document.get_pages().len()).collect();
    characters(&document, &pages)
}

fn is_inserted(c: &PageChar) -> bool {
    // The design's change colour, #1f5fbf.
    c.fill.len() == 3 && (c.fill[0] - 0.122).abs() < 0.02 && (c.fill[1] - 0.373).abs() < 0.02 && (c.fill[2] - 0.749).abs() < 0.02
}

fn is_deleted(c: &PageChar) -> bool {
    // Deleted text is grey (luma 110).
    !c.fill.is_empty() && c.fill.iter().all(|v| (v - 110.0 / 255.0).abs() < 0.02)
}

/// Every occurrence of `needle` in the body text after the list of changes (marks and line
/// numbers left out), as the characters that show it.
fn occurrences<'a>(chars: &'a [PageChar], needle: &str) -> Vec<Vec<&'a PageChar>> {
    let body: Vec<&PageChar> = chars.iter().filter(|c| c.page > 0 && c.area.y1 - c.area.y0 > 7.0 && !c.text.trim().is_empty()).collect();
    let needle: Vec<char> = needle.chars().collect();
    let mut out = Vec::new();
    for start in 0..body.len() {
        if body.len() - start >= needle.len() && body[start..start + needle.len()].iter().zip(&needle).all(|(c, n)| c.text.starts_with(*n)) {
            out.push(body[start..start + needle.len()].to_vec());
        }
    }
    out
}

fn one<'a>(chars: &'a [PageChar], needle: &str) -> Vec<&'a PageChar> {
    let mut found = occurrences(chars, needle);
    assert_eq!(found.len(), 1, "«{needle}» should be on the proof once");
    found.remove(0)
}

#[test]
fn what_changed_since_the_revision_is_marked_at_its_place_and_listed() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = edited(dir.path());
    let chars = change_proof(&manuscript, &dir.path().join("out"), "HEAD");

    // An edit inside a paragraph: the inserted characters in colour, on the line of the
    // unchanged text around them; the replaced words struck through beside the new ones.
    let inserted = one(&chars, "城市");
    assert!(inserted.iter().all(|c| is_inserted(c)), "城市 is not marked inserted");
    let around = one(&chars, "旧矿区变成了");
    assert!(around.iter().all(|c| !is_inserted(c) && !is_deleted(c)), "unchanged text is marked");
    assert!((around[0].baseline - inserted[0].baseline).abs() < 1.0 && around[0].page == inserted[0].page, "the mark is not on the line of its text");
    // (事 is in both: characters are compared, Chinese has no words to split.)
    let replaced = one(&chars, "第一件头等大事");
    assert!(replaced[..3].iter().all(|c| is_deleted(c)) && replaced[3..6].iter().all(|c| is_inserted(c)), "the replaced words are not marked");
    assert!(!is_inserted(replaced[6]) && !is_deleted(replaced[6]));
    // An inserted and a deleted paragraph.
    assert!(one(&chars, "这是新加的一段，说明新的情况。").iter().all(|c| is_inserted(c)));
    assert!(one(&chars, "这一段将被删除，不再出现在新稿中。").iter().all(|c| is_deleted(c)));
    // A moved paragraph: struck through where it was, inserted where it is now.
    let moved = occurrences(&chars, "这一段会被移到最后。");
    assert_eq!(moved.len(), 2, "the moved paragraph should show at both places");
    assert!(moved[0].iter().all(|c| is_deleted(c)) && moved[1].iter().all(|c| is_inserted(c)), "the moved paragraph's marks");
    // A changed data cell: the number in the prose, and the table's note of its cells.
    assert!(one(&chars, "第一产业增加值").iter().all(|c| !is_inserted(c)));
    // A number is compared whole: the old value struck through, the new one inserted.
    let number = one(&chars, "36.5636.58亿元");
    assert!(number[..5].iter().all(|c| is_deleted(c)) && number[5..10].iter().all(|c| is_inserted(c)), "the changed value in the prose is not marked");
    assert!(occurrences(&chars, "36.58（原36.56）").len() + occurrences(&chars, "36.58（原 36.56）").len() == 1, "the table's changed cell is not named");
    // Unchanged paragraphs carry no marks.
    assert!(one(&chars, "第三段保持原样，没有任何改动。").iter().all(|c| !is_inserted(c) && !is_deleted(c)));
    assert!(one(&chars, "第六段也保持原样。").iter().all(|c| !is_inserted(c) && !is_deleted(c)));
    // The first page lists the changes with the page and the proof line of their first mark:
    // the number printed in the margin beside that mark.
    let first: String = chars.iter().filter(|c| c.page == 0).map(|c| c.text.as_str()).collect::<String>().split_whitespace().collect();
    assert!(first.contains("改动一览"), "{first}");
    let moved = occurrences(&chars, "这一段会被移到最后。");
    for (kind, excerpt, mark) in [
        ("新增", "这是新加的一段", one(&chars, "这是新加的一段")[0]),
        ("删除", "这一段将被删除", one(&chars, "这一段将被删除")[0]),
        ("修改", "城市", one(&chars, "城市")[0]),
        ("删除", "这一段会被移到最后", moved[0][0]),
        ("新增", "这一段会被移到最后", moved[1][0]),
    ] {
        let index = chars.iter().position(|c| std::ptr::eq(c, mark)).unwrap();
        let line = line_number(&chars, index).expect("the proof numbers the line of every mark");
        let entry = format!("第{}页第{line}行{kind}{excerpt}", mark.page + 1);
        assert!(first.contains(&entry), "the list lacks «{entry}»: {first}");
    }
}

#[test]
fn an_earlier_proof_carries_the_manuscript_to_compare_with() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = edited(dir.path());
    // The first proof, of the committed manuscript.
    git(&manuscript, &["stash", "-q"]);
    let first = dir.path().join("first");
    build_ok(&manuscript, &first, "proof");
    git(&manuscript, &["stash", "pop", "-q"]);
    let old_proof = first.join("changes-proof.pdf");
    let chars = change_proof(&manuscript, &dir.path().join("out"), old_proof.to_str().unwrap());
    assert!(one(&chars, "城市").iter().all(|c| is_inserted(c)));
    let heading: String = chars.iter().filter(|c| c.page == 0).map(|c| c.text.as_str()).collect::<String>().split_whitespace().collect();
    assert!(heading.contains("与changes-proof.pdf（"), "the list does not name the earlier proof: {heading}");

    // A proof of uncommitted changes carries them: a later change proof marks only what
    // changed after it — and needs no git at all.
    let second = dir.path().join("second");
    build_ok(&manuscript, &second, "proof");
    let text = std::fs::read_to_string(manuscript.join("text/a.md")).unwrap();
    std::fs::write(manuscript.join("text/a.md"), text.replace("第六段也保持原样。", "第六段也保持原样，只补一句。")).unwrap();
    std::fs::remove_dir_all(manuscript.join(".git")).unwrap();
    let chars = change_proof(&manuscript, &dir.path().join("third"), second.join("changes-proof.pdf").to_str().unwrap());
    assert!(one(&chars, "城市").iter().all(|c| !is_inserted(c) && !is_deleted(c)), "an edit before the earlier proof is marked again");
    assert!(one(&chars, "只补一句").iter().all(|c| is_inserted(c)), "the edit after the earlier proof is not marked");
    assert!(chars.iter().filter(|c| c.page > 0 && is_inserted(c)).count() <= "，只补一句".chars().count(), "more is marked than changed");
}

/// A proof made before proofs carried their manuscript: the revision its footer prints is
/// compared with, which must be a commit.
#[test]
fn an_earlier_proof_without_a_snapshot_names_its_revision() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = edited(dir.path());
    let without_snapshot = |proof: &Path, to: &Path| {
        let mut document = lopdf::Document::load(proof).unwrap();
        let filespecs: Vec<lopdf::ObjectId> = document
            .objects
            .iter()
            .filter(|(_, o)| o.as_dict().is_ok_and(|d| d.get(b"Type").and_then(lopdf::Object::as_name).is_ok_and(|t| t == b"Filespec")))
            .map(|(id, _)| *id)
            .collect();
        assert!(!filespecs.is_empty(), "the proof carries no snapshot");
        for id in filespecs {
            document.objects.insert(id, lopdf::Object::Null);
        }
        document.save(to).unwrap();
    };
    git(&manuscript, &["stash", "-q"]);
    build_ok(&manuscript, &dir.path().join("first"), "proof");
    git(&manuscript, &["stash", "pop", "-q"]);
    let old_proof = dir.path().join("old-proof.pdf");
    without_snapshot(&dir.path().join("first/changes-proof.pdf"), &old_proof);
    let chars = change_proof(&manuscript, &dir.path().join("out"), old_proof.to_str().unwrap());
    assert!(one(&chars, "城市").iter().all(|c| is_inserted(c)));
    // Without a snapshot, a proof of uncommitted changes cannot be compared with.
    build_ok(&manuscript, &dir.path().join("second"), "proof");
    let dirty_proof = dir.path().join("dirty-proof.pdf");
    without_snapshot(&dir.path().join("second/changes-proof.pdf"), &dirty_proof);
    let output = reportpress(&[
        "build",
        "--format",
        "proof",
        "--since",
        dirty_proof.to_str().unwrap(),
        "--manuscript",
        manuscript.to_str().unwrap(),
        "--out",
        dir.path().join("third").to_str().unwrap(),
    ]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("uncommitted changes"), "{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn no_change_means_no_marks_and_a_note_saying_so() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = edited(dir.path());
    git(&manuscript, &["commit", "-q", "-am", "second proof"]);
    let chars = change_proof(&manuscript, &dir.path().join("out"), "HEAD");
    assert!(!chars.iter().any(|c| is_inserted(c) && c.page > 0), "a mark on a proof without changes");
    assert!(!chars.iter().any(is_deleted), "a deletion on a proof without changes");
    let first: String = chars.iter().filter(|c| c.page == 0).map(|c| c.text.as_str()).collect::<String>().split_whitespace().collect();
    assert!(first.contains("没有改动"), "{first}");
}

#[test]
fn since_needs_the_proof_format_and_a_known_revision() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = edited(dir.path());
    let out = dir.path().join("out");
    let output = reportpress(&["build", "--format", "pdf", "--since", "HEAD", "--manuscript", manuscript.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--format proof"), "{}", String::from_utf8_lossy(&output.stderr));
    let output =
        reportpress(&["build", "--format", "proof", "--since", "no-such-tag", "--manuscript", manuscript.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no-such-tag") && !out.join("changes-proof.pdf").exists(), "{stderr}");
}

#[test]
fn a_change_proof_of_a_hostile_repository_runs_none_of_its_programs() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = edited(dir.path());
    // What a stranger's repository can make git run: a file-system monitor, filters for
    // every file (clean, smudge, textconv), hooks.
    let pwned = dir.path().join("pwned");
    let command = format!("touch {}", pwned.display());
    git(&manuscript, &["config", "core.fsmonitor", &command]);
    git(&manuscript, &["config", "filter.evil.clean", &command]);
    git(&manuscript, &["config", "filter.evil.smudge", &command]);
    git(&manuscript, &["config", "diff.evil.textconv", &command]);
    git(&manuscript, &["config", "core.hooksPath", "hooks"]);
    std::fs::write(manuscript.join(".gitattributes"), "* filter=evil diff=evil\n").unwrap();
    let chars = change_proof(&manuscript, &dir.path().join("out"), "HEAD");
    assert!(one(&chars, "城市").iter().all(|c| is_inserted(c)));
    assert!(!pwned.exists(), "the change proof ran a program the manuscript's repository names");
}

/// Replaces the first `from` in the manuscript file `file` with `to`.
fn edit(manuscript: &Path, file: &str, from: &str, to: &str) {
    replace_in(&manuscript.join(file), from, to);
}

/// The bulletin (four levels of numbered headings, 目录, list of tables, running heads,
/// notes, a numbered list of 附注) committed, then changed in every way an editor changes a
/// second proof: a heading, words in a paragraph, a new and a removed paragraph, a new list
/// item, a note edited and a note added, a data cell, a table row added and one removed.
fn edited_bulletin(dir: &Path) -> std::path::PathBuf {
    let manuscript = dir.join("bulletin");
    copy_dir(&root().join("tests/manuscripts/bulletin"), &manuscript);
    git(&manuscript, &["init", "-q"]);
    git(&manuscript, &["add", "."]);
    git(&manuscript, &["commit", "-q", "-m", "first proof"]);
    manuscript
}

const BULLETIN_EDITS: [(&str, &str, &str); 10] = [
    ("text/01-overview.md", "## 经济总量", "## 经济总量和速度"),
    ("text/01-overview.md", "初步核算，全年", "根据初步核算，全年"),
    ("text/01-overview.md", "## 产业结构", "全年经济运行总体平稳，新动能加快成长。\n\n## 产业结构"),
    ("text/02-agriculture.md", "全市农作物耕种收综合机械化率达到76.5%，高标准农田累计建成210万亩。", "全市农业机械化水平继续提高。"),
    ("text/05-notes.md", "3. 规模以上工业", "3. 服务业统计范围为规模以上服务业法人单位。\n4. 规模以上工业"),
    ("text/01-overview.md", "[^gdp]: 地区生产总值、各产业增加值绝对数按现价计算", "[^gdp]: 地区生产总值和各产业增加值绝对数均按现价计算"),
    ("data/grain.toml", "[\"粮食\", \"312.6\", \"1.8\"]", "[\"粮食\", \"313.1\", \"1.8\"]"),
    ("data/schools.toml", "  [\"特殊教育学校\", \"7\", \"0.3\"],\n", "  [\"特殊教育学校\", \"7\", \"0.3\"],\n  [\"工读学校\", \"1\", \"0.1\"],\n"),
    ("data/income.toml", "  [\"全体居民人均消费支出\", \"27430\", \"4.9\"],\n", ""),
    ("text/04-people.md", "全市共有普通高等学校", "全市共有普通高等学校[^edu]"),
];

/// The list of changes as (page label, line, kind, excerpt), read from the proof's first
/// page: each entry starts `第ii页第12行新增` (white space squeezed out; in a design of two
/// columns the entries of both columns are read in turn).
fn change_entries(proof: &Path) -> Vec<(String, usize, String, String)> {
    let text = squeeze(&tool("pdftotext", &["-f", "1", "-l", "1", "-raw", "-enc", "UTF-8", proof.to_str().unwrap(), "-"]));
    let chars: Vec<char> = text.chars().collect();
    // Where each entry starts: 第, a page label, 页第, digits, 行, a kind.
    let entry_at = |i: usize| -> Option<(String, usize, String, usize)> {
        if chars[i] != '第' {
            return None;
        }
        let page_end = (i + 1..chars.len().min(i + 8)).find(|&j| chars[j] == '页')?;
        let page: String = chars[i + 1..page_end].iter().collect();
        if page.is_empty() || !page.chars().all(|c| c.is_ascii_alphanumeric()) || chars.get(page_end + 1) != Some(&'第') {
            return None;
        }
        let line_end = (page_end + 2..chars.len().min(page_end + 8)).find(|&j| chars[j] == '行')?;
        let line: usize = chars[page_end + 2..line_end].iter().collect::<String>().parse().ok()?;
        let kind: String = chars.get(line_end + 1..line_end + 3)?.iter().collect();
        ["新增", "删除", "修改"].contains(&kind.as_str()).then_some((page, line, kind, line_end + 3))
    };
    let starts: Vec<(usize, (String, usize, String, usize))> = (0..chars.len()).filter_map(|i| entry_at(i).map(|e| (i, e))).collect();
    starts
        .iter()
        .enumerate()
        .map(|(n, (_, (page, line, kind, from)))| {
            let to = starts.get(n + 1).map(|(i, _)| *i).unwrap_or(chars.len());
            (page.clone(), *line, kind.clone(), chars[*from..to].iter().collect())
        })
        .collect()
}

/// Builds the change proof of `manuscript` since HEAD in `design` into `out`; asserts success.
fn change_proof_in(design: &str, manuscript: &Path, out: &Path) {
    let output = reportpress(&[
        "build",
        "--format",
        "proof",
        "--since",
        "HEAD",
        "--design",
        design,
        "--manuscript",
        manuscript.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{design}: {}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn change_proofs_work_in_every_design_and_name_the_printed_pages() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = edited_bulletin(dir.path());
    // Nothing changed yet: the designs with numbered headings, 目录 and running heads used
    // to fail here (`label <chg-1> occurs multiple times`).
    for design in ["report", "book", "magazine"] {
        let out = dir.path().join(format!("same-{design}"));
        change_proof_in(design, &manuscript, &out);
        let first = squeeze(&tool("pdftotext", &["-f", "1", "-l", "1", out.join("bulletin-proof.pdf").to_str().unwrap(), "-"]));
        assert!(first.contains("没有改动"), "{design}: an unchanged manuscript lists changes: {first}");
    }
    for (file, from, to) in BULLETIN_EDITS {
        edit(&manuscript, file, from, to);
    }
    std::fs::write(manuscript.join("text/04-people.md"), std::fs::read_to_string(manuscript.join("text/04-people.md")).unwrap() + "\n[^edu]: 含独立学院。\n")
        .unwrap();
    // What each edit must be listed as — its kind and the start of its excerpt — and text
    // that the page the list names shows.
    let expected: [(&str, &str, &str); 11] = [
        ("修改", "和速度", "经济总量和速度"),
        ("修改", "根据", "根据初步核算"),
        ("新增", "全年经济运行总体平稳", "全年经济运行总体平稳"),
        ("新增", "全市农业机械化水平", "全市农业机械化水平继续提高"),
        ("删除", "全市农作物耕种收综合机械化率", "全市农作物耕种收综合机械化率"),
        ("新增", "服务业统计范围为规模以上", "服务业统计范围为规模以上服务业法人单位"),
        ("修改", "注：", "各产业增加值绝对数"),
        ("修改", "313.1", "313.1"),
        ("修改", "表7数据改动：新增一行「工读学校」", "表7数据改动"),
        ("修改", "表8数据改动：删去一行「全体居民", "表8数据改动"),
        ("新增", "注：含独立学院", "含独立学院"),
    ];
    for design in ["report", "book", "magazine"] {
        let out = dir.path().join(design);
        change_proof_in(design, &manuscript, &out);
        let proof = out.join("bulletin-proof.pdf");
        let entries = change_entries(&proof);
        let document = lopdf::Document::load(&proof).unwrap();
        let labels = reportpress::review::page_labels::labels(&document);
        let pages: Vec<String> = (1..=labels.len())
            .map(|p| squeeze(&tool("pdftotext", &["-f", &p.to_string(), "-l", &p.to_string(), "-enc", "UTF-8", proof.to_str().unwrap(), "-"])))
            .collect();
        for (kind, start, shown) in expected {
            let found = entries.iter().find(|(_, _, k, excerpt)| k == kind && excerpt.starts_with(start));
            let Some((label, _, _, _)) = found else { panic!("{design}: the list lacks «{kind} {start}…»: {entries:?}") };
            // The page is named by its printed folio, and the change is on that page.
            let page = labels.iter().position(|l| l == label).unwrap_or_else(|| panic!("{design}: no page is labelled «{label}» ({labels:?})"));
            assert!(pages[page].contains(shown), "{design}: «{kind} {start}» is listed on page {label} (PDF page {}), which does not show «{shown}»", page + 1);
        }
        // The inserted list item, the new note and the edited heading are in the change colour.
        let chars = characters(&document, &(0..labels.len()).collect::<Vec<_>>());
        for inserted in ["服务业统计范围为规模以上服务业法人单位", "含独立学院", "和速度"] {
            let found = occurrences(&chars, inserted);
            assert!(!found.is_empty() && found.iter().all(|run| run.iter().all(|c| is_inserted(c))), "{design}: «{inserted}» is not marked inserted");
        }
        // Besides these, the changed cell is named above its table and its chart.
        assert_eq!(entries.len(), expected.len() + 2, "{design}: {entries:?}");
        // The printed folio is not the PDF's page: the list and the front matter come first.
        assert!(
            entries.iter().any(|(label, _, _, _)| labels.iter().position(|l| l == label).is_some_and(|p| p + 1 != label.parse().unwrap_or(0)))
                || design == "magazine"
        );
    }
}
