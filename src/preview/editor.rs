//! `--editor CMD`: the editor a click on the preview opens at the manuscript place, e.g.
//! `code -g {file}:{line}:{column}` or `emacsclient +{line}:{column} {file}`.
//!
//! The command is split at white space into a program and its arguments and run directly,
//! never through a shell: the file name (which may hold any character) is one argument.
//! Only places the preview computed from its own layout are opened, never a path a request
//! names.

use std::path::Path;
use std::process::{Command, Stdio};

/// An editor command template.
#[derive(Debug, Clone)]
pub struct Editor {
    words: Vec<String>,
}

impl Editor {
    /// Parses `--editor`'s value; an empty command is refused.
    pub fn parse(command: &str) -> Result<Editor, String> {
        let words: Vec<String> = command.split_whitespace().map(str::to_string).collect();
        if words.is_empty() {
            return Err("--editor names no program; write e.g. --editor 'code -g {file}:{line}:{column}'".to_string());
        }
        if !words.iter().any(|w| w.contains("{file}")) {
            return Err(format!("--editor `{command}` has no {{file}}; write e.g. 'code -g {{file}}:{{line}}:{{column}}'"));
        }
        Ok(Editor { words })
    }

    /// The program and arguments that open `file` at `line`:`column`.
    pub fn command_line(&self, file: &Path, line: usize, column: usize) -> Vec<String> {
        let file = file.display().to_string();
        self.words.iter().map(|w| w.replace("{file}", &file).replace("{line}", &line.to_string()).replace("{column}", &column.to_string())).collect()
    }

    /// Starts the editor at the place (without waiting for it; a thread reaps it).
    pub fn open(&self, file: &Path, line: usize, column: usize) -> Result<(), String> {
        let words = self.command_line(file, line, column);
        let (program, args) = words.split_first().ok_or("no editor program")?;
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start the editor `{program}`: {e}"))?;
        std::thread::spawn(move || child.wait());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_place_fills_the_template_and_a_file_name_stays_one_argument() {
        let editor = Editor::parse("code -g {file}:{line}:{column}").unwrap();
        assert_eq!(editor.command_line(Path::new("/m/text/a b;rm -rf.md"), 14, 3), ["code", "-g", "/m/text/a b;rm -rf.md:14:3"]);
        assert!(Editor::parse("   ").is_err());
        assert!(Editor::parse("vim").is_err());
    }
}
