//! The EPUB's cover: the PDF's first page, drawn from the same Typst layout.
//!
//! Format: SVG, made by `typst-svg` from page 1 of the `PagedDocument` the PDF backend lays
//! out. SVG is a core media type of EPUB 3 and allowed as `cover-image`; Typst writes every
//! glyph as an outline, so the cover needs no font and looks exactly like the PDF at any
//! size, on any screen, at about the size of a good PNG of a text page (and it stays
//! sharp when a reader zooms, which a bitmap does not). Reading systems that cannot show an
//! SVG cover thumbnail still show the cover page, whose `<img>` has a text alternative. If
//! a distributor ever demands a bitmap, `typst-render` can draw the same page to PNG.

use typst_layout::PagedDocument;
use typst_svg::SvgOptions;

use super::xhtml;

/// Where the cover image lives inside the content directory.
pub const COVER_IMAGE: &str = "images/cover.svg";
/// The cover page's file name.
pub const COVER_PAGE: &str = "cover.xhtml";

/// Page 1 of `document` as a standalone SVG document, or `None` for an empty document.
pub fn cover_svg(document: &PagedDocument) -> Option<String> {
    let page = document.pages().first()?;
    Some(typst_svg::svg(page, &SvgOptions::default()))
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
    let (bytes, _) = xhtml::document(lang, title, Some("cover"), |out| {
        out.start("section", &[("class", "cover"), ("epub:type", "cover")]);
        out.empty("img", &[("src", COVER_IMAGE), ("alt", alt), ("role", "doc-cover")]);
        out.end("section");
        out.newline();
    })?;
    Ok(bytes)
}
