//! The chart layout pass: every chart of the model is laid out once for the design's chart
//! size and font, and the layout is stored in the chart's block; the backends ask that
//! layout for their own drawing. The parser never needs the design.
//!
//! Layouts are kept between builds of one process (watch mode) in a [`LayoutCache`]: a
//! chart whose data and options did not change is not laid out again.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use crate::charts::{self, ChartDesign, ChartLayout};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::walk;
use crate::model::{BlockKind, Document};

/// Layouts of the last build, by everything they depend on.
#[derive(Default)]
pub struct LayoutCache {
    layouts: HashMap<String, (Arc<ChartLayout>, Vec<String>)>,
}

/// Lays out every chart of `document` in `design` (`None`: the design cannot place charts).
/// Returns the layout's notes as warnings at the chart's line, or every chart that cannot
/// be laid out as an error.
pub fn lay_out(document: &mut Document, design: Option<&ChartDesign>, root: &Path, cache: &mut LayoutCache) -> Result<Vec<Diagnostic>, Diagnostics> {
    let mut diagnostics = Diagnostics::default();
    let mut used: HashMap<String, (Arc<ChartLayout>, Vec<String>)> = HashMap::new();
    walk::blocks_mut(&mut document.blocks, &mut |block| {
        let BlockKind::Chart { spec, layout, .. } = &mut block.kind else { return };
        let file = root.join(&block.source.file);
        let Some(design) = design else {
            diagnostics.push(
                Diagnostic::error(file, "the design has no [charts] section in design.toml, so it cannot place charts")
                    .at_line(block.source.line)
                    .with_hint("add [charts] with font, width and height to the design's design.toml"),
            );
            return;
        };
        let key = format!("{spec:?}{design:?}");
        let laid_out = match used.get(&key).cloned().or_else(|| cache.layouts.remove(&key)) {
            Some(entry) => Ok(entry),
            None => charts::render(&spec.options(design), &spec.data).map(|rendered| (Arc::new(rendered.layout), rendered.notes)),
        };
        match laid_out {
            Ok((done, notes)) => {
                for note in &notes {
                    diagnostics.push(Diagnostic::warning(&file, format!("chart: {note}")).at_line(block.source.line));
                }
                *layout = Some(done.clone());
                used.insert(key, (done, notes));
            }
            Err(message) => diagnostics.push(
                Diagnostic::error(file, format!("chart directive: {message}"))
                    .at_line(block.source.line)
                    .with_hint("see README.md, \"Data, tables and charts\""),
            ),
        }
    });
    // Keep only what this build used, so the cache never outgrows one manuscript.
    cache.layouts = used;
    if diagnostics.has_errors() { Err(diagnostics) } else { Ok(diagnostics.0) }
}
