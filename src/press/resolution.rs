//! Pictures printed below the press's resolution: each raster picture is measured at the
//! size the layout prints it, and one under [`MIN_PPI`] pixels per inch is named with the
//! manuscript line that places it (a warning: the book is still made).

use std::collections::HashMap;
use std::path::Path;

use typst::layout::{Frame, FrameItem, Transform};
use typst::visualize::ImageKind;
use typst_layout::PagedDocument;

use crate::diagnostics::Diagnostic;
use crate::model::{BlockKind, Document, walk};

/// The resolution printers ask of pictures at their printed size.
pub const MIN_PPI: f64 = 300.0;

/// Warnings for the pictures of `document` that `paged` prints at under [`MIN_PPI`]: one per
/// picture, at the lowest resolution it is printed at.
pub fn warnings(paged: &PagedDocument, document: &Document, manuscript_root: &Path) -> Vec<Diagnostic> {
    // The manuscript's pictures by their bytes (Typst keeps a raster image's file as read).
    let mut sources: HashMap<Vec<u8>, (std::path::PathBuf, usize, std::path::PathBuf)> = HashMap::new();
    walk::blocks(&document.blocks, &mut |block| {
        if let BlockKind::Image { path, .. } = &block.kind {
            let file = manuscript_root.join(path);
            if let Ok(bytes) = crate::access::read_within(manuscript_root, &file, crate::manuscript::images::MAX_IMAGE_BYTES) {
                sources.entry(bytes).or_insert((manuscript_root.join(&block.source.file), block.source.line, path.clone()));
            }
        }
    });
    // The lowest resolution (pixels per inch) of each picture, and the page it is on.
    let mut lowest: HashMap<Vec<u8>, (f64, usize, u32, u32)> = HashMap::new();
    for (index, page) in paged.pages().iter().enumerate() {
        visit(&page.frame, Transform::identity(), &mut |data, ppi, pixels| {
            let entry = lowest.entry(data.to_vec()).or_insert((f64::INFINITY, index + 1, pixels.0, pixels.1));
            if ppi < entry.0 {
                *entry = (ppi, index + 1, pixels.0, pixels.1);
            }
        });
    }
    let mut found: Vec<Diagnostic> = lowest
        .into_iter()
        .filter(|(_, (ppi, ..))| *ppi < MIN_PPI)
        .filter_map(|(data, (ppi, page, width, height))| {
            let (file, line, image) = sources.get(&data)?;
            let needed = (MIN_PPI / ppi * f64::from(width)).ceil();
            Some(
                Diagnostic::warning(
                    file,
                    format!(
                        "the picture {} ({width} × {height} pixels) prints at {ppi:.0} ppi on page {page}, under the {MIN_PPI:.0} ppi a printer asks for",
                        image.display()
                    ),
                )
                .at_line(*line)
                .with_hint(format!("give a picture at least {needed:.0} pixels wide for this size, or print it smaller")),
            )
        })
        .collect();
    found.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    found
}

/// Told of each raster picture: its file's bytes, its resolution and its size in pixels.
type Found<'a> = &'a mut dyn FnMut(&[u8], f64, (u32, u32));

/// Calls `found` with each raster picture of `frame` (under the transformation `outer`):
/// its file's bytes, its resolution at the printed size and its size in pixels.
fn visit(frame: &Frame, outer: Transform, found: Found<'_>) {
    for (position, item) in frame.items() {
        let here = outer.pre_concat(Transform::translate(position.x, position.y));
        match item {
            FrameItem::Group(group) => visit(&group.frame, here.pre_concat(group.transform), found),
            FrameItem::Image(image, size, _) => {
                let ImageKind::Raster(raster) = image.kind() else { continue };
                // The printed width and height: the layout's size, scaled by the transformation.
                let scale_x = (here.sx.get().powi(2) + here.ky.get().powi(2)).sqrt();
                let scale_y = (here.kx.get().powi(2) + here.sy.get().powi(2)).sqrt();
                let inches = |points: f64| points / 72.0;
                let (width, height) = (inches(size.x.to_pt() * scale_x), inches(size.y.to_pt() * scale_y));
                if width <= 0.0 || height <= 0.0 {
                    continue;
                }
                let ppi = (f64::from(raster.width()) / width).min(f64::from(raster.height()) / height);
                found(raster.data().as_slice(), ppi, (raster.width(), raster.height()));
            }
            _ => {}
        }
    }
}
