//! Reading a manuscript's git repository without running anything it configures: the
//! manuscript may come from someone else, and git runs programs its repository's
//! configuration names (`core.fsmonitor`, clean filters, hooks). Used by the proof (its
//! revision) and by change proofs (the manuscript at an earlier revision).

use std::path::Path;
use std::process::Command;

/// Runs a git command that only reads, in `dir`, with every configurable program disabled
/// and no configuration but the repository's; its output, or `None` on failure.
pub(crate) fn read(dir: &Path, args: &[&str]) -> Option<Vec<u8>> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", "-c", "core.untrackedCache=false", "-c", "core.pager=cat"])
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_EXTERNAL_DIFF")
        .stdin(std::process::Stdio::null())
        .output()
        .ok()?;
    output.status.success().then_some(output.stdout)
}

/// Git's object id of a file's content: SHA-1 of `blob <length>\0<content>`, in hex.
pub(crate) fn blob_hash(bytes: &[u8]) -> String {
    let mut hasher = sha1_smol::Sha1::new();
    hasher.update(format!("blob {}\0", bytes.len()).as_bytes());
    hasher.update(bytes);
    hasher.digest().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_hashes_are_gits() {
        // `printf 'hello\n' | git hash-object --stdin`
        assert_eq!(blob_hash(b"hello\n"), "ce013625030ba8dba906f756967f9e9ca394464a");
        assert_eq!(blob_hash(b""), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
    }
}
