//! Checking image files before typesetting: inside the manuscript, not too large, a format
//! Typst reads (by extension and by content, as Typst decides) and decodable. Typst would
//! otherwise fail late, inside the design template, where the manuscript line is lost.

use std::path::Path;

use crate::diagnostics::Diagnostic;

/// Largest image file: 50 MiB (a 300 dpi A4 photo is about 25 MB uncompressed).
pub const MAX_IMAGE_BYTES: u64 = 50 * 1024 * 1024;
/// Most pixels of one raster image: 50 million (an A4 page at 600 dpi has 35 million;
/// decoded, 50 million pixels take 200 MB). Read from the header before decoding: a 3.5 MB
/// PNG of 30 000 × 30 000 pixels took 7.1 GB and 37 s to decode.
pub const MAX_IMAGE_PIXELS: u64 = 50_000_000;

/// Checks that an image file can be printed: not too large, a format Typst reads (by its
/// extension and its content, as Typst decides), and decodable. Typst would otherwise fail
/// late, inside the design template, where the manuscript line is lost.
/// The error's message continues "image `path` …"; the caller places it at the image.
pub(crate) fn validate_image(real: &Path, written: &Path) -> Result<(), Diagnostic> {
    use typst::visualize::{ExchangeFormat, ImageFormat, RasterFormat, RasterImage, VectorFormat};
    const FORMATS: &str = "use PNG, JPEG, GIF, WebP, SVG or PDF";
    let metadata = std::fs::metadata(real).map_err(|e| refused(format!("cannot be read: {e}"), "check the image's file name"))?;
    if !metadata.is_file() {
        return Err(refused("is a directory or a special file, not an image file", "name the image file"));
    }
    if metadata.len() > MAX_IMAGE_BYTES {
        return Err(refused(
            format!("is {:.0} MiB; the limit for one image is {} MiB", metadata.len() as f64 / 1048576.0, MAX_IMAGE_BYTES / 1048576),
            "reduce the image to print resolution (300 dpi at its printed size) or compress it",
        ));
    }
    let bytes = std::fs::read(real).map_err(|e| refused(format!("cannot be read: {e}"), "check the image's permissions"))?;
    let extension = written.extension().and_then(|e| e.to_str()).unwrap_or("");
    let by_name = match extension {
        "png" => Some(ImageFormat::from(ExchangeFormat::Png)),
        "jpg" | "jpeg" => Some(ExchangeFormat::Jpg.into()),
        "gif" => Some(ExchangeFormat::Gif.into()),
        "webp" => Some(ExchangeFormat::Webp.into()),
        "svg" | "svgz" => Some(VectorFormat::Svg.into()),
        "pdf" => Some(VectorFormat::Pdf.into()),
        _ => None,
    };
    let by_content = ImageFormat::detect(&bytes);
    let format = match (by_name, by_content) {
        (_, None) if bytes.is_empty() => return Err(refused("is an empty file", "copy the image again; the file has no content")),
        (Some(named), Some(found)) if named != found => {
            return Err(refused(
                format!("is named .{extension} but holds {} data", format_name(found)),
                format!("rename the file to the right extension, or re-export it as .{extension}"),
            ));
        }
        (Some(named), _) => named,
        (None, Some(found)) => found,
        (None, None) => return Err(refused("is not an image file reportpress can print", FORMATS)),
    };
    let damaged = |error: String| {
        refused(format!("is damaged or not a valid {} file: {error}", format_name(format)), format!("open and re-save the image in an image editor; {FORMATS}"))
    };
    if let ImageFormat::Raster(_) = format
        && let Ok(size) = imagesize::blob_size(&bytes)
    {
        let pixels = size.width as u64 * size.height as u64;
        if pixels > MAX_IMAGE_PIXELS {
            return Err(refused(
                format!(
                    "is {} × {} pixels ({} million); the limit is {} million pixels",
                    size.width,
                    size.height,
                    pixels / 1_000_000,
                    MAX_IMAGE_PIXELS / 1_000_000
                ),
                "scale the image to print resolution: 300 dpi at the size it is printed (a full A4 page is 2480 × 3508 pixels)",
            ));
        }
    }
    match format {
        ImageFormat::Raster(raster @ RasterFormat::Exchange(_)) => {
            RasterImage::plain(typst::foundations::Bytes::new(bytes), raster).map(|_| ()).map_err(|e| damaged(e.to_string()))
        }
        ImageFormat::Raster(RasterFormat::Pixel(_)) => Err(refused("is raw pixel data", FORMATS)),
        ImageFormat::Vector(VectorFormat::Svg) => {
            // Scripts and embedded HTML would run (or be refused) in the EPUB's reading
            // systems, and the PDF drops them: an image is a picture.
            let text = String::from_utf8_lossy(&bytes).to_ascii_lowercase();
            if let Some(active) = ["<script", "<foreignobject", "javascript:"].iter().find(|tag| text.contains(**tag)) {
                return Err(refused(
                    format!("holds active content (`{}`), which an EPUB may not carry", active.trim_start_matches('<')),
                    "export the picture again as a plain SVG (no scripts, no embedded HTML), or as PNG",
                ));
            }
            let options = usvg::Options::default();
            usvg::Tree::from_data(&bytes, &options).map(|_| ()).map_err(|e| damaged(e.to_string()))
        }
        // Typst reads PDF pictures with hayro-syntax (its `PdfDocument` is not public): the
        // same reader, so what it refuses here Typst would refuse at the template's line.
        ImageFormat::Vector(VectorFormat::Pdf) => match hayro_syntax::Pdf::new(std::sync::Arc::new(bytes)) {
            Ok(pdf) if pdf.pages().is_empty() => Err(damaged("the PDF has no pages".into())),
            Ok(_) => Ok(()),
            Err(hayro_syntax::LoadPdfError::Decryption(_)) => Err(refused(
                "is an encrypted (password-protected) PDF, which cannot be placed as a picture",
                "save the picture again without a password or restrictions, or export it as PNG or SVG",
            )),
            Err(hayro_syntax::LoadPdfError::Invalid) => Err(damaged("the PDF could not be read (no usable page tree)".into())),
        },
    }
}

fn format_name(format: typst::visualize::ImageFormat) -> &'static str {
    use typst::visualize::{ExchangeFormat, ImageFormat, RasterFormat, VectorFormat};
    match format {
        ImageFormat::Raster(RasterFormat::Exchange(ExchangeFormat::Png)) => "PNG",
        ImageFormat::Raster(RasterFormat::Exchange(ExchangeFormat::Jpg)) => "JPEG",
        ImageFormat::Raster(RasterFormat::Exchange(ExchangeFormat::Gif)) => "GIF",
        ImageFormat::Raster(RasterFormat::Exchange(ExchangeFormat::Webp)) => "WebP",
        ImageFormat::Raster(RasterFormat::Pixel(_)) => "raw pixel",
        ImageFormat::Vector(VectorFormat::Svg) => "SVG",
        ImageFormat::Vector(VectorFormat::Pdf) => "PDF",
    }
}

/// An image problem: the message (after "image `path` ") and what to do.
fn refused(message: impl Into<String>, hint: impl Into<String>) -> Diagnostic {
    Diagnostic::error("", message).with_hint(hint)
}
