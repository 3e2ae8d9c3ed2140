//! Details printed on the proof edition: when it was made and which version of the
//! manuscript it shows (the git revision, or a content hash outside git).
//!
//! The proof is a working document, so unlike the editions it shows the build time; set
//! `SOURCE_DATE_EPOCH` to pin it.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::manuscript::Manuscript;

/// What the proof edition prints in its footer.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ProofInfo {
    /// When the proof was made (`YYYY-MM-DD HH:MM UTC`).
    pub built: String,
    /// The manuscript's git revision (with `+修改` when it has uncommitted changes) or,
    /// outside git, a content hash.
    pub revision: String,
    /// For a change proof: what changed since the revision it compares with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changes: Option<crate::changes::ChangeList>,
    /// The manuscript as this proof shows it ([`crate::snapshot::Snapshot`] as JSON), which
    /// the template attaches to the PDF for a later `--since THIS-PROOF.pdf`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<String>,
}

/// Collects the proof footer details for `manuscript`.
pub fn proof_info(manuscript: &Manuscript) -> ProofInfo {
    let seconds = std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|s| s.trim().parse::<i64>().ok()).unwrap_or_else(|| chrono::Utc::now().timestamp());
    let built = chrono::DateTime::from_timestamp(seconds, 0).map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string()).unwrap_or_default();
    let revision = git_revision(&manuscript.root).unwrap_or_else(|| format!("内容哈希 {}", content_hash(manuscript)));
    ProofInfo { built, revision, changes: None, snapshot: None }
}

/// `abc1234`, or `abc1234+修改` when the manuscript has uncommitted changes.
///
/// The manuscript may come from someone else, and git runs programs its repository's
/// configuration names (`core.fsmonitor`, clean filters, hooks) from `git status`. So git
/// is only asked for what it reads without running anything — the commit (`rev-parse`) and
/// the index (`ls-files`) — with the user's and the system's configuration off and the
/// monitor and hooks disabled; whether a file changed is decided here, by hashing it as git
/// hashes a blob. (A file git would filter on commit counts as changed.)
fn git_revision(dir: &Path) -> Option<String> {
    let revision = String::from_utf8(crate::git::read(dir, &["rev-parse", "--short", "HEAD"])?).ok()?.trim().to_string();
    let staged = crate::git::read(dir, &["ls-files", "--stage", "-z", "--", "."])?;
    let mut dirty = false;
    for entry in staged.split(|&b| b == 0).filter(|e| !e.is_empty()) {
        // `<mode> <hash> <stage>\t<path>`, the path relative to `dir`.
        let entry = String::from_utf8_lossy(entry);
        let Some((meta, path)) = entry.split_once('\t') else { continue };
        let mut fields = meta.split(' ');
        let (Some(mode), Some(hash)) = (fields.next(), fields.next()) else { continue };
        if !mode.starts_with("100") {
            continue; // symbolic links and submodules
        }
        // Through the access layer: a file now a FIFO, a link leading outside or a huge file
        // counts as changed, and is not read.
        let same = crate::access::read_within(dir, &dir.join(path), crate::source::MAX_TEXT_BYTES.max(crate::manuscript::images::MAX_IMAGE_BYTES))
            .is_ok_and(|bytes| crate::git::blob_hash(&bytes) == hash);
        if !same {
            dirty = true;
            break;
        }
    }
    let untracked = crate::git::read(dir, &["ls-files", "--others", "--exclude-standard", "-z", "--", "."])?;
    dirty |= !untracked.is_empty();
    Some(if dirty { format!("{revision}+修改") } else { revision })
}

/// A short hash of everything the manuscript's text and data are made of.
fn content_hash(manuscript: &Manuscript) -> String {
    let mut hasher = Sha256::new();
    let mut files: Vec<_> = manuscript.config.files.iter().map(|f| manuscript.root.join(f)).collect();
    files.push(manuscript.root.join(crate::manuscript::config::REPORT_FILE));
    files.extend(manuscript.data.tables.values().map(|t| t.path.clone()));
    for file in files {
        hasher.update(file.to_string_lossy().as_bytes());
        if let Ok(bytes) = crate::access::read_within(&manuscript.root, &file, crate::source::MAX_TEXT_BYTES) {
            hasher.update(&bytes);
        }
    }
    let digest = hasher.finalize();
    digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
}
