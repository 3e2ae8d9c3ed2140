//! Manuscripts from strangers, second round (issue #29): inputs made, as an attacker or an
//! unlucky user would, to read or write outside the manuscript, delete the user's files,
//! hang, crash or exhaust memory, or print to the terminal what they like.
//!
//! Each case makes its inputs in a fresh directory `D` (the manuscript in `D/m`, the output
//! directory `D/out`, files "outside" beside them), runs one `reportpress` command under a
//! time limit, and checks: the exit status; the words and `file:line` places the output
//! must hold; that every file of `D` the command must not touch — everything outside
//! `D/out`, and the whole of `D/out` when it fails — is byte-for-byte as before; that
//! stderr stays small; and a check of its own. The peak memory of all the runs is asserted
//! under a cap at the end (as `memory_bounds` does).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// What a case runs: the arguments (`{D}` stands for the case's directory) and extra
/// environment variables.
struct Run {
    args: Vec<String>,
    env: Vec<(&'static str, String)>,
}

fn run_of(dir: &Path, args: &[&str]) -> Run {
    Run { args: args.iter().map(|a| a.replace("{D}", dir.to_str().unwrap())).collect(), env: Vec::new() }
}

impl Run {
    /// The same run with `more` arguments after its own.
    fn with_args(mut self, more: &[&str]) -> Self {
        self.args.extend(more.iter().map(|a| a.to_string()));
        self
    }
}

/// A check of the case's directory after the run: what is wrong, if anything.
type After = fn(&Path, &Output) -> Result<(), String>;

struct Case {
    name: &'static str,
    /// Makes the inputs in the directory; returns what to run.
    setup: fn(&Path) -> Run,
    /// The exit status wanted.
    status: i32,
    /// Words the output (stderr, then stdout) must hold, case-insensitive.
    words: &'static [&'static str],
    /// Places `file:line` (relative to the case's directory) the output must name.
    places: &'static [(&'static str, usize)],
    after: Option<After>,
}

const fn refused(name: &'static str, setup: fn(&Path) -> Run, words: &'static [&'static str], places: &'static [(&'static str, usize)]) -> Case {
    Case { name, setup, status: 1, words, places, after: None }
}

fn cases() -> Vec<Case> {
    vec![
        // 1. Nothing outside is read, written or deleted.
        Case { name: "snapshot-symlink-leak", setup: snapshot_symlink_leak, status: 0, words: &["wrote"], places: &[], after: Some(snapshot_has_no_secret) },
        refused("csl-style-linked-from-outside", csl_linked_from_outside, &["outside"], &[("m/report.toml", 7)]),
        Case { name: "planted-link-as-staged-file", setup: planted_link, status: 0, words: &["wrote"], places: &[], after: Some(victim_untouched) },
        Case { name: "users-dotfiles-survive-build", setup: users_dotfiles_build, status: 0, words: &["wrote"], places: &[], after: Some(dotfiles_kept) },
        Case { name: "users-dotfiles-survive-check", setup: users_dotfiles_check, status: 0, words: &["ok:"], places: &[], after: Some(dotfiles_kept) },
        refused("review-a-fifo", review_fifo, &["fifo", "not a regular file"], &[("out/x.pdf", 0)]),
        Case { name: "git-index-entry-now-a-fifo", setup: git_index_fifo, status: 0, words: &["wrote", "proof"], places: &[], after: None },
        Case { name: "word-list-is-a-fifo", setup: words_fifo, status: 0, words: &["wrote"], places: &[], after: None },
        Case { name: "design-holds-a-fifo", setup: design_fifo, status: 0, words: &["wrote"], places: &[], after: None },
        // 3. Hangs and crashes.
        refused("template-loops", template_loops, &["did not finish within 3 s", "loop"], &[("design/report.typ", 0)]),
        refused("template-huge-array", template_huge_array, &["memory", "limit is 800 mib"], &[("design/report.typ", 0)]),
        refused("design-picture-pixel-bomb", design_pixel_bomb, &["30000 × 30000 pixels", "50 million pixels"], &[]),
        refused("cover-loops", cover_recurses, &["did not finish within 3 s", "/design/"], &[]),
        refused("bib-crossref-loop", bib_crossref_loop, &["loop", "a → b → a"], &[("m/refs.bib", 1)]),
        refused("bib-string-loop", bib_string_loop, &["@string", "loop"], &[("m/refs.bib", 1)]),
        refused("bib-deep-braces", bib_deep_braces, &["braces nest more than 64"], &[("m/refs.bib", 2)]),
        refused("bib-100000-entries", bib_huge, &["100000 entries", "limit is 20000"], &[("m/refs.bib", 60_001)]),
        refused("csl-macro-loop", csl_macro_loop, &["macros that call themselves", "a → b → a"], &[("m/report.toml", 7)]),
        refused("csl-deep-nesting", csl_deep_nesting, &["nests its elements more than 64"], &[("m/report.toml", 7)]),
        refused("snapshot-declares-a-gigabyte", snapshot_bomb, &["snapshot", "limit"], &[("old.pdf", 0)]),
        Case { name: "import-list-starting-at-u32-max", setup: import_numbering_bomb, status: 0, words: &["wrote"], places: &[], after: Some(import_is_small) },
        refused("import-63-kb-of-empty-elements", import_empty_elements, &["million elements", "word/document.xml"], &[("doc.docx", 0)]),
        Case {
            name: "import-footnote-chain",
            setup: import_footnote_chain,
            status: 0,
            words: &["wrote", "refers to other notes"],
            places: &[],
            after: Some(inner_note_kept),
        },
        // 5. Imports write only manuscripts that build.
        refused("import-that-would-not-build", import_long_line, &["would not build", "nothing was written", "the limit is 20000"], &[("doc.txt", 0)]),
        // 4. Wrong output, exit 0.
        refused("review-an-encrypted-pdf", review_encrypted, &["encrypted", "qpdf --decrypt"], &[("out/enc.pdf", 0)]),
        refused("table-of-300-columns", wide_table, &["301 columns", "the limit is 40"], &[("m/text/a.md", 3)]),
        refused("citation-with-a-markdown-mark", citation_with_star, &["`[@e*f]` is not a citation"], &[("m/text/a.md", 3)]),
        refused("number-grouped-wrongly", number_grouped_wrongly, &["`1,23,4` is not a number"], &[("m/data/t.toml", 0)]),
        Case {
            name: "a-file-listed-twice",
            setup: listed_twice,
            status: 1,
            words: &["listed twice"],
            places: &[("m/report.toml", 5)],
            after: Some(only_one_error),
        },
        refused("pdf-picture-damaged", damaged_pdf_picture, &["images/p.pdf", "could not be read"], &[("m/text/a.md", 3)]),
        refused("since-an-old-manuscript-that-does-not-load", since_broken_revision, &["HEAD:report.toml", "does not load"], &[]),
        refused("source-date-epoch-beyond-9999", source_date_epoch_huge, &["SOURCE_DATE_EPOCH", "at most 253402300799", "99999999999999"], &[]),
        // Terminal safety and bounded messages.
        refused("error-in-a-5-mb-paragraph", five_mb_paragraph, &["the limit is 20000", "长段落，…"], &[("m/text/a.md", 3)]),
        refused("control-characters-in-a-file-name", control_file_name, &["\\u{1b}"], &[]),
    ]
}

// ---- Inputs ---------------------------------------------------------------------------------

const TEXT: &str = "# 第一节\n\n第一段正文，写得平平常常。\n";

/// A small good manuscript in `D/m`, with `extra` files; `toml` is added to report.toml.
fn manuscript(dir: &Path, toml: &str, extra: &[(&str, &str)]) -> PathBuf {
    let m = dir.join("m");
    let mut files = vec![("text/a.md", TEXT)];
    files.extend_from_slice(extra);
    write_manuscript(&m, "x", &[files[0]]);
    for (name, text) in &files[1..] {
        std::fs::create_dir_all(m.join(name).parent().unwrap()).unwrap();
        std::fs::write(m.join(name), text).unwrap();
    }
    if !toml.is_empty() {
        let report = std::fs::read_to_string(m.join("report.toml")).unwrap();
        std::fs::write(m.join("report.toml"), format!("{report}{toml}")).unwrap();
    }
    m
}

fn build_run(dir: &Path, format: &str) -> Run {
    run_of(dir, &["build", "--format", format, "--manuscript", "{D}/m", "--out", "{D}/out"])
}

/// The secret beside the manuscript that nothing may read.
const SECRET: &str = "外部秘密：不得读出。";

fn snapshot_symlink_leak(dir: &Path) -> Run {
    let m = manuscript(dir, "", &[]);
    std::fs::write(dir.join("outside-secret.txt"), SECRET).unwrap();
    std::os::unix::fs::symlink("../outside-secret.txt", m.join("leak.md")).unwrap();
    build_run(dir, "proof")
}

fn snapshot_has_no_secret(dir: &Path, _: &Output) -> Result<(), String> {
    let proof = dir.join("out/x-proof.pdf");
    let saved = dir.join("snapshot.json");
    tool("pdfdetach", &["-savefile", "manuscript-snapshot.json", "-o", saved.to_str().unwrap(), proof.to_str().unwrap()]);
    let snapshot = std::fs::read_to_string(&saved).unwrap();
    std::fs::remove_file(&saved).unwrap();
    if snapshot.contains("外部秘密") || snapshot.contains("leak.md") {
        return Err(format!("the snapshot holds the linked file: {snapshot}"));
    }
    snapshot.contains("第一段正文").then_some(()).ok_or_else(|| "the snapshot lost the manuscript's text".to_string())
}

const BIB: &str = "@book{a,\n  author = {张三},\n  title = {书名},\n  year = {2020},\n  publisher = {出版社},\n  address = {北京},\n}\n";
const CITING: &str = "# 第一节\n\n正文[@a]。\n";

/// A manuscript citing `refs.bib`, in `style` (report.toml line 7).
fn cited(dir: &Path, bib: &str, style: &str) -> PathBuf {
    let m = manuscript(dir, &format!("bibliography = \"refs.bib\"\nstyle = \"{style}\"\n"), &[("refs.bib", bib)]);
    std::fs::write(m.join("text/a.md"), CITING).unwrap();
    m
}

/// A small CSL style with `macros` among its macros.
fn csl_with(macros: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>t</title><id>t</id><updated>2024-01-01T00:00:00+00:00</updated></info>
  <macro name="title"><text variable="title"/></macro>
  {macros}
  <citation><layout><text variable="citation-number" prefix="[" suffix="]"/></layout></citation>
  <bibliography><layout><text macro="title"/></layout></bibliography>
</style>
"#
    )
}

fn csl_linked_from_outside(dir: &Path) -> Run {
    let m = cited(dir, BIB, "s.csl");
    std::fs::write(dir.join("outside.csl"), csl_with("")).unwrap();
    std::os::unix::fs::symlink("../outside.csl", m.join("s.csl")).unwrap();
    build_run(dir, "pdf")
}

fn csl_macro_loop(dir: &Path) -> Run {
    let m = cited(dir, BIB, "s.csl");
    std::fs::write(m.join("s.csl"), csl_with(r#"<macro name="a"><text macro="b"/></macro><macro name="b"><text macro="a"/></macro>"#)).unwrap();
    build_run(dir, "pdf")
}

fn csl_deep_nesting(dir: &Path) -> Run {
    let m = cited(dir, BIB, "s.csl");
    let deep = format!(r#"<macro name="deep">{}<text value="x"/>{}</macro>"#, "<group>".repeat(10_000), "</group>".repeat(10_000));
    std::fs::write(m.join("s.csl"), csl_with(&deep)).unwrap();
    build_run(dir, "pdf")
}

fn bib_crossref_loop(dir: &Path) -> Run {
    cited(dir, "@book{a,\n  crossref = {b},\n  title = {甲},\n}\n@book{b,\n  crossref = {a},\n  title = {乙},\n}\n", "gb-7714-2015-numeric");
    build_run(dir, "pdf")
}

fn bib_string_loop(dir: &Path) -> Run {
    cited(dir, "@string{x = y # \"1\"}\n@string{y = x # \"2\"}\n@book{a,\n  title = x,\n}\n", "gb-7714-2015-numeric");
    build_run(dir, "pdf")
}

fn bib_deep_braces(dir: &Path) -> Run {
    cited(dir, &format!("@book{{a,\n  title = {}x{},\n}}\n", "{".repeat(100_000), "}".repeat(100_000)), "gb-7714-2015-numeric");
    build_run(dir, "pdf")
}

fn bib_huge(dir: &Path) -> Run {
    // 100 000 entries, 7.6 MB: took 562 s and printed 32 MB of warnings.
    let mut bib = String::new();
    for i in 0..100_000 {
        bib.push_str(&format!("@book{{k{i},\n  title = {{书{i}}}, year = {{2020}},\n}}\n"));
    }
    let m = cited(dir, &bib, "gb-7714-2015-numeric");
    std::fs::write(m.join("text/a.md"), "# 第一节\n\n正文[@k0]。\n").unwrap();
    build_run(dir, "pdf")
}

/// A copy of the built-in design in `D/design`, its `report.typ` starting with `first`,
/// built with a typesetting budget of `seconds` and a memory budget of 800 MiB.
fn design_with(dir: &Path, first: &str, seconds: u64) -> Run {
    manuscript(dir, "", &[]);
    let design = dir.join("design");
    copy_dir(&root().join("assets"), &design);
    for sub in ["book", "report"] {
        std::fs::remove_dir_all(design.join(sub)).unwrap();
    }
    let template = std::fs::read_to_string(design.join("report.typ")).unwrap();
    std::fs::write(design.join("report.typ"), format!("{first}\n{template}")).unwrap();
    let mut run = run_of(dir, &["build", "--format", "pdf", "--manuscript", "{D}/m", "--out", "{D}/out", "--assets", "{D}/design"]);
    run.env.push(("REPORTPRESS_TYPESET_SECONDS", seconds.to_string()));
    run.env.push(("REPORTPRESS_MEMORY_MIB", "800".into()));
    run
}

fn template_loops(dir: &Path) -> Run {
    design_with(dir, "#for i in range(100000) { for j in range(100000) { } }", 3)
}

fn template_huge_array(dir: &Path) -> Run {
    // 3.2 GB of string (it took 5 s and 820 MB to be stopped at an 800 MiB budget).
    design_with(dir, "#let huge = \"xxxxxxxx\" * 400000000", 60)
}

fn design_pixel_bomb(dir: &Path) -> Run {
    // A 30 000 × 30 000 PNG the design shows: the 50 Mpx limit did not apply to it.
    let run = design_with(dir, "#place(hide(image(\"bomb.png\", width: 1pt)))", 60);
    std::fs::write(dir.join("design/bomb.png"), pixel_bomb_png()).unwrap();
    run
}

fn cover_recurses(dir: &Path) -> Run {
    // A cover that loops 10¹⁰ times (one that includes itself is Typst's "cyclic import";
    // one that calls itself is memoised).
    let mut run = design_with(dir, "", 3);
    let cover = dir.join("design/cover.typ");
    let text = std::fs::read_to_string(&cover).unwrap();
    std::fs::write(&cover, format!("#for i in range(100000) {{ for j in range(100000) {{ }} }}\n{text}")).unwrap();
    run.args[2] = "all".into();
    run
}

fn planted_link(dir: &Path) -> Run {
    manuscript(dir, "", &[]);
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(dir.join("victim.txt"), "precious").unwrap();
    for name in [".x.pdf.reportpress-new", ".x.pdf.reportpress-old", ".reportpress-staging-1-0"] {
        std::os::unix::fs::symlink("../victim.txt", out.join(name)).unwrap();
    }
    build_run(dir, "pdf")
}

fn victim_untouched(dir: &Path, _: &Output) -> Result<(), String> {
    let victim = std::fs::read_to_string(dir.join("victim.txt")).unwrap_or_default();
    if victim != "precious" {
        return Err(format!("the file the planted link points to was changed: {} bytes", victim.len()));
    }
    let pdf = std::fs::read(dir.join("out/x.pdf")).unwrap_or_default();
    pdf.starts_with(b"%PDF-").then_some(()).ok_or_else(|| "no PDF was written".to_string())
}

/// The user's files in the output directory, whose names look like leftovers.
const DOTFILES: [&str; 6] = [".tmp_notes.txt", ".tmpl", ".tmpfiles.d.conf", ".x.pdf.reportpress-old", ".x.pdf.reportpress-new", "draft.reportpress-new"];

fn users_dotfiles(dir: &Path) {
    manuscript(dir, "", &[]);
    std::fs::create_dir_all(dir.join("out")).unwrap();
    for name in DOTFILES {
        std::fs::write(dir.join("out").join(name), format!("mine: {name}")).unwrap();
    }
}

fn users_dotfiles_build(dir: &Path) -> Run {
    users_dotfiles(dir);
    build_run(dir, "pdf")
}

fn users_dotfiles_check(dir: &Path) -> Run {
    users_dotfiles(dir);
    run_of(dir, &["check", "--manuscript", "{D}/m", "--out", "{D}/out"])
}

fn dotfiles_kept(dir: &Path, _: &Output) -> Result<(), String> {
    for name in DOTFILES {
        if std::fs::read_to_string(dir.join("out").join(name)).ok() != Some(format!("mine: {name}")) {
            return Err(format!("the user's {name} was removed or changed"));
        }
    }
    Ok(())
}

fn mkfifo(path: &Path) {
    assert!(Command::new("mkfifo").arg(path).status().unwrap().success());
}

fn review_fifo(dir: &Path) -> Run {
    manuscript(dir, "", &[]);
    std::fs::create_dir_all(dir.join("out")).unwrap();
    mkfifo(&dir.join("out/x.pdf"));
    run_of(dir, &["review", "{D}/out/x.pdf", "--manuscript", "{D}/m"])
}

fn words_fifo(dir: &Path) -> Run {
    let m = manuscript(dir, "", &[]);
    mkfifo(&m.join("words.txt"));
    build_run(dir, "pdf")
}

fn design_fifo(dir: &Path) -> Run {
    let run = design_with(dir, "", 60);
    mkfifo(&dir.join("design/notes.txt"));
    run
}

fn git_index_fifo(dir: &Path) -> Run {
    let m = manuscript(dir, "", &[("notes.txt", "笔记\n")]);
    git(&m, &["init", "-q"]);
    git(&m, &["add", "."]);
    git(&m, &["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "one"]);
    std::fs::remove_file(m.join("notes.txt")).unwrap();
    mkfifo(&m.join("notes.txt"));
    build_run(dir, "proof")
}

fn snapshot_bomb(dir: &Path) -> Run {
    manuscript(dir, "", &[]);
    // A proof whose snapshot inflates to 200 MB of base64 (the limit is 64 MiB).
    let json = format!(r#"{{"format":"reportpress-manuscript-snapshot/1","revision":"x","files":[{{"path":"a.bin","base64":"{}"}}]}}"#, "A".repeat(200 << 20));
    let mut document = lopdf::Document::with_version("1.7");
    let mut stream = lopdf::Stream::new(lopdf::Dictionary::new(), json.into_bytes());
    stream.compress().unwrap();
    let stream_id = document.add_object(stream);
    let spec = lopdf::dictionary! { "Type" => "Filespec", "F" => lopdf::Object::string_literal("manuscript-snapshot.json"), "EF" => lopdf::dictionary! { "F" => lopdf::Object::Reference(stream_id) } };
    document.add_object(spec);
    let pages = document.add_object(lopdf::dictionary! { "Type" => "Pages", "Kids" => Vec::<lopdf::Object>::new(), "Count" => 0 });
    let catalog = document.add_object(lopdf::dictionary! { "Type" => "Catalog", "Pages" => lopdf::Object::Reference(pages) });
    document.trailer.set("Root", lopdf::Object::Reference(catalog));
    document.save(dir.join("old.pdf")).unwrap();
    run_of(dir, &["build", "--format", "proof", "--since", "{D}/old.pdf", "--manuscript", "{D}/m", "--out", "{D}/out"])
}

fn import_numbering_bomb(dir: &Path) -> Run {
    // A 2.5 KB .docx whose list starts at 4294967295 (in letters): it wrote 472 MiB.
    let w = WORD_NAMESPACES;
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:document {w}><w:body><w:p><w:pPr><w:pStyle w:val="Title"/></w:pPr><w:r><w:t>报告</w:t></w:r></w:p><w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>第一项</w:t></w:r></w:p><w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>第二项</w:t></w:r></w:p><w:sectPr/></w:body></w:document>"#
    );
    let numbering = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:numbering {w}><w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="4294967295"/><w:numFmt w:val="upperLetter"/><w:lvlText w:val="%1."/></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>"#
    );
    std::fs::write(dir.join("doc.docx"), docx_bytes(&[("word/document.xml", document.into_bytes()), ("word/numbering.xml", numbering.into_bytes())])).unwrap();
    run_of(dir, &["import", "{D}/doc.docx", "--out", "{D}/out"])
}

fn import_empty_elements(dir: &Path) -> Run {
    // A 63 KB .docx of empty elements took 3.3 GiB: 16 million `<w:p/>` in 64 MB of XML.
    let w = WORD_NAMESPACES;
    let document = format!(r#"<?xml version="1.0" encoding="UTF-8"?><w:document {w}><w:body>{}</w:body></w:document>"#, "<w:p/>".repeat(10_000_000));
    std::fs::write(dir.join("doc.docx"), docx_bytes(&[("word/document.xml", document.into_bytes())])).unwrap();
    run_of(dir, &["import", "{D}/doc.docx", "--out", "{D}/out"])
}

fn import_footnote_chain(dir: &Path) -> Run {
    // Footnote 1 refers to footnote 2, which refers to 3 (and 3 back to 1): the inner
    // notes' text was dropped silently.
    let w = WORD_NAMESPACES;
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:document {w}><w:body><w:p><w:pPr><w:pStyle w:val="Title"/></w:pPr><w:r><w:t>报告</w:t></w:r></w:p><w:p><w:r><w:t>全年增长5.2%。</w:t></w:r><w:r><w:footnoteReference w:id="1"/></w:r></w:p><w:sectPr/></w:body></w:document>"#
    );
    let note = |id: u32, text: &str, next: u32| {
        format!(
            r#"<w:footnote w:id="{id}"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> {text}</w:t></w:r><w:r><w:footnoteReference w:id="{next}"/></w:r></w:p></w:footnote>"#
        )
    };
    let footnotes = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:footnotes {w}>{}{}{}</w:footnotes>"#,
        note(1, "外层注释。", 2),
        note(2, "中层注释。", 3),
        note(3, "最内层注释。", 1)
    );
    std::fs::write(dir.join("doc.docx"), docx_bytes(&[("word/document.xml", document.into_bytes()), ("word/footnotes.xml", footnotes.into_bytes())])).unwrap();
    run_of(dir, &["import", "{D}/doc.docx", "--out", "{D}/out"])
}

fn inner_note_kept(dir: &Path, _: &Output) -> Result<(), String> {
    let text: String = files_of(&dir.join("out/text")).values().map(|b| String::from_utf8_lossy(b).into_owned()).collect();
    let wanted = ["外层注释。", "中层注释。", "最内层注释。"];
    match wanted.iter().find(|w| !text.contains(**w)) {
        Some(missing) => Err(format!("the imported text lost the note text `{missing}`:\n{text}")),
        None => Ok(()),
    }
}

fn damaged_pdf_picture(dir: &Path) -> Run {
    // A PDF picture with a header and an end mark but nothing readable between: the error
    // was placed in the generated common.typ.
    let m = manuscript(dir, "", &[("text/a.md", "# 第一节\n\n![图](images/p.pdf \"说明\")\n")]);
    std::fs::create_dir_all(m.join("images")).unwrap();
    std::fs::write(m.join("images/p.pdf"), b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n").unwrap();
    build_run(dir, "pdf")
}

fn since_broken_revision(dir: &Path) -> Run {
    // The committed manuscript does not load: the error named only a temporary directory.
    let m = manuscript(dir, "", &[]);
    let good = std::fs::read_to_string(m.join("report.toml")).unwrap();
    std::fs::write(m.join("report.toml"), format!("{good}\nbroken = [\n")).unwrap();
    git(&m, &["init", "-q"]);
    git(&m, &["add", "."]);
    git(&m, &["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "one"]);
    std::fs::write(m.join("report.toml"), good).unwrap();
    build_run(dir, "proof").with_args(&["--since", "HEAD"])
}

fn source_date_epoch_huge(dir: &Path) -> Run {
    // SOURCE_DATE_EPOCH past the year 9999 was reported as `Some(99999999999999)`.
    manuscript(dir, "", &[]);
    let mut run = build_run(dir, "all");
    run.env.push(("SOURCE_DATE_EPOCH", "99999999999999".to_string()));
    run
}

fn import_is_small(dir: &Path, _: &Output) -> Result<(), String> {
    let written: usize = files_of(&dir.join("out")).values().map(Vec::len).sum();
    (written < 64 * 1024).then_some(()).ok_or_else(|| format!("the import wrote {written} bytes"))
}

fn import_long_line(dir: &Path) -> Run {
    // One line of 30 000 characters (an 11 MB one was imported, then did not build).
    std::fs::write(dir.join("doc.txt"), format!("关于县域经济的报告\n\n{}。\n", "全年经济运行总体平稳".repeat(3000))).unwrap();
    run_of(dir, &["import", "{D}/doc.txt", "--out", "{D}/out"])
}

fn review_encrypted(dir: &Path) -> Run {
    let m = manuscript(dir, "", &[]);
    let out = dir.join("out");
    build_ok(&m, &out, "pdf");
    let (plain, encrypted) = (out.join("x.pdf"), out.join("enc.pdf"));
    tool("qpdf", &["--encrypt", "", "owner", "256", "--", plain.to_str().unwrap(), encrypted.to_str().unwrap()]);
    run_of(dir, &["review", "{D}/out/enc.pdf", "--manuscript", "{D}/m"])
}

fn wide_table(dir: &Path) -> Run {
    // An imported 1000 × 300 table made the build run out of memory.
    let columns: Vec<String> = (1..=300).map(|i| format!("{{ name = \"列{i}\" }}")).collect();
    let row: Vec<String> = (1..=300).map(|i| format!("\"{i}\"")).collect();
    let table = format!("title = \"宽表\"\nkey = \"项目\"\ncolumns = [{}]\nrows = [\n  [\"甲\", {}],\n]\n", columns.join(", "), row.join(", "));
    manuscript(dir, "", &[("data/t.toml", &table), ("text/a.md", "# 第一节\n\n```table\ndata = \"t\"\n```\n")]);
    build_run(dir, "pdf")
}

fn citation_with_star(dir: &Path) -> Run {
    let m = cited(dir, BIB, "gb-7714-2015-numeric");
    std::fs::write(m.join("text/a.md"), "# 第一节\n\n正文[@a]，又见[@e*f]。\n").unwrap();
    build_run(dir, "pdf")
}

fn number_grouped_wrongly(dir: &Path) -> Run {
    // `1,23,4` was read as 1234.
    let table = "title = \"t\"\nkey = \"项目\"\ncolumns = [{ name = \"数值\" }]\nrows = [\n  [\"甲\", \"1,23,4\"],\n]\n";
    manuscript(dir, "", &[("data/t.toml", table), ("text/a.md", "# 第一节\n\n数值{{t.甲.数值}}。\n")]);
    build_run(dir, "pdf")
}

fn listed_twice(dir: &Path) -> Run {
    // It was also reported as an id used twice (the file was read twice).
    let text = "# 第一节\n\n![图](images/a.png \"说明\"){#fig:a}\n\n见@fig:a。\n";
    let m = manuscript(dir, "", &[("text/a.md", text)]);
    std::fs::create_dir_all(m.join("images")).unwrap();
    std::fs::copy(root().join("tests/bad_inputs/good/images/a.png"), m.join("images/a.png")).unwrap();
    let report = std::fs::read_to_string(m.join("report.toml")).unwrap();
    std::fs::write(m.join("report.toml"), report.replace("files = [\"text/a.md\"]", "files = [\"text/a.md\", \"text/a.md\"]")).unwrap();
    build_run(dir, "pdf")
}

fn only_one_error(_: &Path, output: &Output) -> Result<(), String> {
    let stderr = String::from_utf8_lossy(&output.stderr);
    stderr.contains("failed with 1 error(s)").then_some(()).ok_or_else(|| "more than the one error".to_string())
}

fn five_mb_paragraph(dir: &Path) -> Run {
    // One 5 MB paragraph: its error echoed the whole of it (8.7 MB of stderr).
    manuscript(dir, "", &[("text/a.md", &format!("# 第一节\n\n{}\n", "长段落，".repeat(450_000)))]);
    build_run(dir, "pdf")
}

fn control_file_name(dir: &Path) -> Run {
    // A text file whose name holds an escape sequence that would clear the screen.
    let m = manuscript(dir, "", &[]);
    let report = std::fs::read_to_string(m.join("report.toml")).unwrap();
    std::fs::write(m.join("report.toml"), report.replace("\"text/a.md\"", "\"text/\\u001b[2J\\u001b]0;pwned\\u0007.md\"")).unwrap();
    build_run(dir, "pdf")
}

// ---- Running a case -------------------------------------------------------------------------

/// Every file below `dir` (links as where they point) with its bytes; FIFOs as a marker.
fn files_of(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&current) else { continue };
        for entry in entries {
            let path = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            let relative = path.strip_prefix(dir).unwrap().to_path_buf();
            if meta.is_dir() {
                stack.push(path);
            } else if meta.file_type().is_symlink() {
                files.insert(relative, std::fs::read_link(&path).unwrap().to_string_lossy().as_bytes().to_vec());
            } else if meta.is_file() {
                files.insert(relative, std::fs::read(&path).unwrap());
            } else {
                files.insert(relative, b"(special file)".to_vec());
            }
        }
    }
    files
}

/// Runs `run`, killed after `limit`; with how long it took.
fn run_limited(run: &Run, limit: Duration) -> (Output, Duration, bool) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_reportpress"));
    command.args(&run.args).current_dir(root()).stdout(Stdio::piped()).stderr(Stdio::piped());
    for (name, value) in &run.env {
        command.env(name, value);
    }
    let started = Instant::now();
    let mut child = command.spawn().unwrap();
    // Drain the pipes on threads, so a chatty child cannot block on a full pipe.
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out_thread = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut bytes).ok();
        bytes
    });
    let err_thread = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut stderr, &mut bytes).ok();
        bytes
    });
    let mut killed = false;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            killed = true;
            break child.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let elapsed = started.elapsed();
    (Output { status, stdout: out_thread.join().unwrap(), stderr: err_thread.join().unwrap() }, elapsed, killed)
}

/// The largest resident set of any finished child process of this process, in bytes.
fn children_peak_bytes() -> u64 {
    // SAFETY: getrusage fills the zeroed struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    (usage.ru_maxrss as u64) * 1024
}

/// Most bytes of stderr one refused input may print.
const MAX_STDERR: usize = 16 * 1024;

fn check_case(case: &Case) -> Vec<String> {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("case");
    std::fs::create_dir_all(&dir).unwrap();
    let run = (case.setup)(&dir);
    let before = files_of(&dir);
    let (output, elapsed, killed) = run_limited(&run, Duration::from_secs(90));
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    let all = format!("{stderr}{stdout}");
    let mut problems = Vec::new();
    if killed {
        problems.push(format!("hung: killed after {elapsed:?}"));
    }
    if output.status.code() != Some(case.status) {
        problems.push(format!("exit status {:?}, wanted {}", output.status.code(), case.status));
    }
    if stderr.contains("panicked") || stderr.contains("overflowed its stack") || stderr.contains("memory allocation of") {
        problems.push("crashed".to_string());
    }
    if output.stderr.len() > MAX_STDERR {
        problems.push(format!("{} bytes of stderr", output.stderr.len()));
    }
    if all.contains('\u{1b}') {
        problems.push("a raw ESC reached the terminal".to_string());
    }
    let lower = all.to_lowercase();
    for word in case.words {
        if !lower.contains(&word.to_lowercase()) {
            problems.push(format!("does not say `{word}`"));
        }
    }
    for (file, line) in case.places {
        let path = dir.join(file).display().to_string();
        let named = if *line == 0 { all.contains(&path) } else { all.contains(&format!("{path}:{line}")) };
        if !named {
            problems.push(format!("does not name {file}:{line}"));
        }
    }
    // Nothing but the outputs of a successful run changed.
    let after = files_of(&dir);
    for (path, bytes) in &before {
        let output_file = path.starts_with("out") && case.status == 0;
        if !output_file && after.get(path) != Some(bytes) {
            problems.push(format!("{} was changed or removed", path.display()));
        }
    }
    for path in after.keys().filter(|p| !before.contains_key(*p)) {
        if !(path.starts_with("out") && case.status == 0) {
            problems.push(format!("{} was created", path.display()));
        }
    }
    if let Some(check) = case.after
        && let Err(problem) = check(&dir, &output)
    {
        problems.push(problem);
    }
    eprintln!("{}: {:?} in {elapsed:.1?}, {} bytes of stderr", case.name, output.status.code(), output.stderr.len());
    if !problems.is_empty() {
        problems.insert(0, format!("stderr:\n{}", &stderr[..stderr.floor_char_boundary(3000)]));
    }
    problems
}

#[test]
fn inputs_from_strangers_are_refused_or_handled_and_touch_nothing_else() {
    let mut failures = Vec::new();
    for case in cases() {
        let problems = check_case(&case);
        if !problems.is_empty() {
            failures.push(format!("{}:\n  {}", case.name, problems.join("\n  ")));
        }
    }
    let peak = children_peak_bytes();
    eprintln!("peak resident memory of the runs: {} MB", peak / 1_000_000);
    assert!(failures.is_empty(), "{} case(s) failed:\n{}", failures.len(), failures.join("\n"));
    // The huge-array template runs into its 800 MiB budget; every other run stays far below.
    assert!(peak < 1_200_000_000, "a run took {} MB", peak / 1_000_000);
}

#[test]
fn review_beside_builds_never_makes_them_fail() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path();
    let m = manuscript(dir, "", &[]);
    let out = dir.join("out");
    build_ok(&m, &out, "pdf");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reviewer = {
        let (stop, pdf, m) = (stop.clone(), out.join("x.pdf"), m.clone());
        std::thread::spawn(move || {
            let mut reviews = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let output = reportpress(&["review", pdf.to_str().unwrap(), "--manuscript", m.to_str().unwrap()]);
                assert!(output.status.success(), "review failed: {}", String::from_utf8_lossy(&output.stderr));
                reviews += 1;
            }
            reviews
        })
    };
    for round in 0..8 {
        // Replaced whole (written beside, then renamed), as an editor saves: the review
        // never reads a half-written text.
        let text = std::fs::read_to_string(m.join("text/a.md")).unwrap().replacen("第一段", &format!("第{round}段，第一段"), 1);
        std::fs::write(m.join("text/.a.md.new"), text).unwrap();
        std::fs::rename(m.join("text/.a.md.new"), m.join("text/a.md")).unwrap();
        let output = build(&m, &out, "pdf");
        assert!(output.status.success(), "build {round} failed beside review: {}", String::from_utf8_lossy(&output.stderr));
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let reviews = reviewer.join().unwrap();
    eprintln!("8 builds beside {reviews} reviews");
    assert!(reviews > 0);
    let left: Vec<String> = std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(left, ["x.pdf"]);
}
