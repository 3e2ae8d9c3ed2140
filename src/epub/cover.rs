//! The EPUB's cover: the design's title page (`cover.typ`: title, subtitle, authors,
//! publisher and date in the design's colours), laid out by Typst on its own, never the
//! whole book.
//!
//! Format: SVG, made by `typst-svg` from the title page's layout. SVG is a core media type
//! of EPUB 3 and allowed as `cover-image`; Typst writes every glyph as an outline, so the
//! cover needs no font and stays sharp when a reader zooms. Reading systems that cannot
//! show an SVG cover thumbnail still show the cover page, whose `<img>` has a text
//! alternative.

use quick_xml::Reader;
use quick_xml::events::Event;
use typst::layout::{Frame, FrameItem};
use typst_layout::PagedDocument;
use typst_svg::SvgOptions;

use super::xhtml;

/// Where the cover image lives inside the content directory.
pub const COVER_IMAGE: &str = "images/cover.svg";
/// The cover page's file name.
pub const COVER_PAGE: &str = "cover.xhtml";

/// Page 1 of `document` as a standalone SVG document. `Ok(None)` for a document without
/// pages; an error when the SVG Typst wrote is not well-formed XML.
///
/// Links are left out: a cover image is not clickable, and typst-svg 0.15.1 writes a
/// link's URL into `xlink:href` without escaping `&`, which makes the SVG malformed.
pub fn cover_svg(document: &PagedDocument) -> Result<Option<String>, String> {
    let Some(page) = document.pages().first() else { return Ok(None) };
    let mut page = page.clone();
    remove_links(&mut page.frame);
    let svg = typst_svg::svg(&page, &SvgOptions::default());
    check_well_formed(&svg).map_err(|e| format!("the cover SVG drawn by Typst is not well-formed XML: {e}"))?;
    Ok(Some(svg))
}

/// Removes every link from `frame` and its groups.
fn remove_links(frame: &mut Frame) {
    frame.retain(|item| match item {
        FrameItem::Link(..) => false,
        FrameItem::Group(group) => {
            remove_links(&mut group.frame);
            true
        }
        _ => true,
    });
}

/// Parses `xml` to the end, unescaping every attribute value and checking every entity.
fn check_well_formed(xml: &str) -> Result<(), String> {
    let mut reader = Reader::from_str(xml);
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Start(element) | Event::Empty(element) => {
                for attribute in element.attributes() {
                    attribute.map_err(|e| e.to_string())?.unescape_value().map_err(|e| e.to_string())?;
                }
            }
            Event::GeneralRef(reference) => {
                let predefined = matches!(&*reference as &[u8], b"amp" | b"lt" | b"gt" | b"quot" | b"apos");
                if !predefined && reference.resolve_char_ref().map_err(|e| e.to_string())?.is_none() {
                    return Err(format!("undefined entity &{};", String::from_utf8_lossy(&reference)));
                }
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
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
    fn malformed_svg_is_caught() {
        assert!(check_well_formed("<svg><a xlink:href=\"https://e.org/?a=1&b=2\"/></svg>").is_err());
        assert!(check_well_formed("<svg><text>&nbsp;</text></svg>").is_err());
        assert!(check_well_formed("<svg><g></svg>").is_err());
        assert!(check_well_formed("<svg><a href=\"?a=1&amp;b=2\">&#x4E00;&lt;</a></svg>").is_ok());
    }
}
