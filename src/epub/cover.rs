//! The EPUB's cover: the design's title page (`cover.typ`: title, subtitle, authors,
//! publisher and date in the design's colours), laid out by Typst on its own, never the
//! whole book.
//!
//! Format: PNG, drawn by `typst-render` at [`COVER_LONG_SIDE`] pixels on the long side. A
//! bitmap is what every reading system and catalogue shows as a cover thumbnail (calibre,
//! Apple Books and Kobo find no cover in an SVG); the cover page's `<img>` carries a text
//! alternative. PNG rather than JPEG: the title page is flat colour and type, which PNG
//! keeps sharp and small.

use typst_layout::PagedDocument;
use typst_render::RenderOptions;

use super::xhtml;

/// Where the cover image lives inside the content directory.
pub const COVER_IMAGE: &str = "images/cover.png";
/// The cover page's file name.
pub const COVER_PAGE: &str = "cover.xhtml";
/// The cover's long side, in pixels (what distributors ask for).
pub const COVER_LONG_SIDE: f64 = 1600.0;

/// Page 1 of `document` as a PNG image, [`COVER_LONG_SIDE`] pixels on its long side.
/// `Ok(None)` for a document without pages.
pub fn cover_png(document: &PagedDocument) -> Result<Option<Vec<u8>>, String> {
    let Some(page) = document.pages().first() else { return Ok(None) };
    let size = page.frame.size();
    let long_side = size.x.to_pt().max(size.y.to_pt()).max(1.0);
    let options = RenderOptions { pixel_per_pt: (COVER_LONG_SIDE / long_side).into(), ..RenderOptions::default() };
    let pixmap = typst_render::render(page, &options);
    pixmap.encode_png().map(Some).map_err(|e| format!("cannot encode the cover as PNG: {e}"))
}

/// The text alternative of the cover: what it shows, in words.
pub fn cover_alt(title: &str, subtitle: &str, authors: &[String]) -> String {
    let mut alt = format!("封面：{title}");
    if !subtitle.is_empty() {
        alt.push_str("——");
        alt.push_str(subtitle);
    }
    if !authors.is_empty() {
        alt.push('，');
        alt.push_str(&authors.join("、"));
    }
    alt
}

/// The cover page: the cover image alone, scaled to the screen.
pub fn cover_page(lang: &str, title: &str, alt: &str) -> std::io::Result<Vec<u8>> {
    let bytes = xhtml::document(lang, title, Some("cover"), |out| {
        out.start("section", &[("class", "cover"), ("epub:type", "cover")]);
        out.empty("img", &[("src", COVER_IMAGE), ("alt", alt), ("role", "doc-cover")]);
        out.end("section");
        out.newline();
    })?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cover_alternative_names_title_subtitle_and_authors() {
        assert_eq!(cover_alt("题", "副", &["甲".into(), "乙".into()]), "封面：题——副，甲、乙");
        assert_eq!(cover_alt("题", "", &[]), "封面：题");
    }
}
