//! `reportpress new DIR`: a new manuscript that builds at once and shows every construct
//! (headings, a run-in head, a data reference, a footnote, a sidebar, a table and a chart
//! directive, cross-references), one data table with a consistency rule, and a README that
//! says what to edit. The files are compiled into the binary from `src/starter/`.

use std::path::{Path, PathBuf};

use crate::diagnostics::{Diagnostic, Diagnostics, io_error};

/// The starter files: path in the new manuscript, and text. `{{date}}`, `{{output}}`,
/// `{{design}}` and `{{dir}}` are filled in `report.toml` and `README.md` only (the text
/// files' `{{table.row.column}}` are data references).
const FILES: &[(&str, &str)] = &[
    ("report.toml", include_str!("starter/report.toml")),
    ("README.md", include_str!("starter/README.md")),
    ("text/01-overview.md", include_str!("starter/text/01-overview.md")),
    ("text/02-outlook.md", include_str!("starter/text/02-outlook.md")),
    ("data/economy.toml", include_str!("starter/data/economy.toml")),
];

/// Writes a new manuscript into `dir` (which must not exist, or be empty) for `design`;
/// `today` is the report's date (`YYYY-MM-DD`). Returns the files written. When a file
/// cannot be written, whatever was written is removed again.
pub fn write(dir: &Path, design: &str, today: &str) -> Result<Vec<PathBuf>, Diagnostics> {
    refuse_non_empty(dir, "new")?;
    let known: Vec<&str> = crate::design::BUILT_IN.iter().map(|(name, _)| *name).collect();
    if !known.contains(&design) {
        return Err(Diagnostics::one(
            Diagnostic::error(dir, format!("there is no built-in design `{design}`")).with_hint(format!("choose one of: {}", known.join(", "))),
        ));
    }
    let output = output_name(dir);
    let shown = dir.display().to_string();
    let files: Vec<(String, Vec<u8>)> = FILES
        .iter()
        .map(|(name, text)| {
            let text = if name.ends_with("report.toml") || name.ends_with("README.md") {
                text.replace("{{date}}", today).replace("{{output}}", &output).replace("{{design}}", design).replace("{{dir}}", &shown)
            } else {
                text.to_string()
            };
            (name.to_string(), text.into_bytes())
        })
        .collect();
    write_new_manuscript(dir, &files, "new")
}

/// Refuses a `dir` that is a file or a non-empty directory: `command` (`new`, `import`)
/// writes only into a new or empty directory, so nothing of the user's is overwritten.
pub fn refuse_non_empty(dir: &Path, command: &str) -> Result<(), Diagnostics> {
    if let Ok(mut entries) = std::fs::read_dir(dir)
        && entries.next().is_some()
    {
        return Err(Diagnostics::one(
            Diagnostic::error(dir, format!("the directory is not empty; `{command}` writes only into a new or empty directory"))
                .with_hint(format!("name a new directory, e.g. reportpress {command} {}my-report", if command == "new" { "" } else { "FILE --out " })),
        ));
    }
    if dir.exists() && !dir.is_dir() {
        return Err(Diagnostics::one(Diagnostic::error(dir, "this is a file, not a directory").with_hint("name a new directory")));
    }
    Ok(())
}

/// Writes `files` (path inside the manuscript, bytes) into `dir`, which must not exist or
/// be empty (`command` names the command in the message). Returns the files written. When
/// a file cannot be written, whatever was written is removed again.
pub fn write_new_manuscript(dir: &Path, files: &[(String, Vec<u8>)], command: &str) -> Result<Vec<PathBuf>, Diagnostics> {
    refuse_non_empty(dir, command)?;
    let created = !dir.exists();
    let mut written = Vec::new();
    let result = (|| {
        for (name, bytes) in files {
            let path = dir.join(name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| io_error(parent, "create this directory", &e))?;
            }
            std::fs::write(&path, bytes).map_err(|e| io_error(&path, "write this file", &e))?;
            written.push(path);
        }
        Ok::<(), Diagnostic>(())
    })();
    match result {
        Ok(()) => Ok(written),
        Err(error) => {
            // Leave nothing half-made behind.
            if created {
                let _ = std::fs::remove_dir_all(dir);
            } else {
                written.iter().for_each(|path| drop(std::fs::remove_file(path)));
            }
            Err(Diagnostics::one(error))
        }
    }
}

/// The output file name for a manuscript in `dir`: its name in ASCII letters, digits, `-`
/// and `_`, or `report` when nothing of it is ASCII.
pub fn output_name(dir: &Path) -> String {
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let ascii: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '-' }).collect();
    let trimmed = ascii.trim_matches('-');
    if trimmed.chars().any(|c| c.is_ascii_alphanumeric()) { trimmed.to_string() } else { "report".to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_names_are_plain_file_names() {
        assert_eq!(output_name(Path::new("/x/annual-report 2025")), "annual-report-2025");
        assert_eq!(output_name(Path::new("年度报告")), "report");
    }

    #[test]
    fn a_non_empty_directory_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("keep.txt"), "mine").unwrap();
        let error = write(dir.path(), "magazine", "2025-01-02").unwrap_err();
        assert!(error.to_string().contains("not empty"), "{error}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        assert_eq!(std::fs::read_to_string(dir.path().join("keep.txt")).unwrap(), "mine");
    }

    #[test]
    fn an_unknown_design_is_refused_naming_the_known_ones() {
        let dir = tempfile::tempdir().unwrap();
        let error = write(&dir.path().join("r"), "poster", "2025-01-02").unwrap_err();
        assert!(error.to_string().contains("magazine"), "{error}");
        assert!(!dir.path().join("r").exists());
    }
}
