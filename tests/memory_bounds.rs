//! Inputs made to exhaust memory are refused before they are decoded: the whole build that
//! refuses them stays far under 500 MB of resident memory (measured as the peak of the
//! child processes of this test binary, which runs only these builds).

mod common;

use common::*;

/// The largest resident set of any finished child process of this process, in bytes.
fn children_peak_bytes() -> u64 {
    // SAFETY: getrusage fills the zeroed struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    (usage.ru_maxrss as u64) * 1024
}

#[test]
fn pixel_and_spreadsheet_bombs_are_refused_in_little_memory() {
    let dir = tempfile::tempdir().unwrap();
    // A PNG whose header says 30 000 × 30 000 pixels (7.1 GB once decoded).
    let images = dir.path().join("images");
    write_manuscript(&images, "bomb", &[("text/a.md", "# 一\n\n![图](images/a.png \"说明\")\n")]);
    std::fs::create_dir_all(images.join("images")).unwrap();
    std::fs::write(images.join("images/a.png"), pixel_bomb_png()).unwrap();
    let refused = build(&images, &dir.path().join("out"), "all");
    assert!(!refused.status.success() && String::from_utf8_lossy(&refused.stderr).contains("million pixels"));
    // A 1.6 KB workbook whose one stray cell sits at XFD1048576 (512 GiB once allocated).
    let sheets = dir.path().join("sheets");
    write_manuscript(
        &sheets,
        "bomb",
        &[
            ("text/a.md", "# 一\n\n```table\ndata = \"x\"\n```\n"),
            ("data/x.toml", "title = \"x\"\nkey = \"项目\"\ncolumns = [{ name = \"数值\" }]\nfile = \"x.xlsx\"\n"),
        ],
    );
    let mut zip = zip::ZipWriter::new(std::fs::File::create(sheets.join("data/x.xlsx")).unwrap());
    zip.start_file("xl/worksheets/sheet1.xml", zip::write::SimpleFileOptions::default()).unwrap();
    std::io::Write::write_all(&mut zip, br#"<worksheet><sheetData><row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>"#).unwrap();
    zip.finish().unwrap();
    let refused = build(&sheets, &dir.path().join("out"), "all");
    assert!(!refused.status.success() && String::from_utf8_lossy(&refused.stderr).contains("cells"));
    let peak = children_peak_bytes();
    eprintln!("peak resident memory of the refusing builds: {} MB", peak / 1_000_000);
    assert!(peak < 500_000_000, "a refused bomb took {} MB", peak / 1_000_000);
}
