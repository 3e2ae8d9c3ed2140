//! Word documents (.docx).
use std::path::Path;
use super::draft::Draft;
use crate::diagnostics::{Diagnostic, Diagnostics};

/// Reads a .docx.
pub fn read(input: &Path, _bytes: &[u8], _accept_changes: bool) -> Result<Draft, Diagnostics> {
    Err(Diagnostics::one(Diagnostic::error(input, "todo")))
}
