//! Writing XHTML content documents with `quick-xml`.
//!
//! Every text and attribute value goes through the crate's escaping; nothing is pasted
//! together by hand. The writer never indents: a newline is written only between block
//! elements (on request), so a Chinese paragraph always stays on one line — a reading
//! system would turn a newline inside a paragraph into a visible space.

use std::borrow::Cow;
use std::io;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

/// The XHTML namespace.
pub const XHTML_NS: &str = "http://www.w3.org/1999/xhtml";
/// The EPUB structural-semantics namespace (`epub:type`).
pub const OPS_NS: &str = "http://www.idpf.org/2007/ops";
/// U+2E3A TWO-EM DASH, one glyph two ems long: how the EPUB writes the dash `——`.
pub const TWO_EM_DASH: &str = "\u{2E3A}";
/// The stylesheet every content document links to (written by the EPUB backend).
pub const STYLESHEET: &str = "stylesheet.css";

/// An XHTML document being written. Write errors are kept and reported by [`Xhtml::finish`],
/// so the many small writes need no error handling of their own.
pub struct Xhtml {
    writer: Writer<Vec<u8>>,
    error: Option<io::Error>,
}

impl Default for Xhtml {
    fn default() -> Self {
        Self::new()
    }
}

impl Xhtml {
    /// An empty document.
    pub fn new() -> Self {
        Self { writer: Writer::new(Vec::new()), error: None }
    }

    /// Writes any event as it is (used to pass inline SVG through).
    pub fn event(&mut self, event: Event<'_>) {
        if self.error.is_none()
            && let Err(error) = self.writer.write_event(event)
        {
            self.error = Some(error);
        }
    }

    /// Opens element `name` with the given attributes (values are escaped).
    pub fn start(&mut self, name: &str, attributes: &[(&str, &str)]) {
        self.event(Event::Start(element(name, attributes)));
    }

    /// Closes element `name`.
    pub fn end(&mut self, name: &str) {
        self.event(Event::End(BytesEnd::new(name)));
    }

    /// Writes an empty element such as `<img …/>`.
    pub fn empty(&mut self, name: &str, attributes: &[(&str, &str)]) {
        self.event(Event::Empty(element(name, attributes)));
    }

    /// Writes escaped text. Line breaks are never written inside text: the model has
    /// already resolved soft breaks, and a stray one would show as a space, so any left
    /// over becomes a plain space. The Chinese dash `——` (two em dashes) is written as the
    /// one character U+2E3A TWO-EM DASH ([`TWO_EM_DASH`]): the fonts draw an em dash with
    /// space on both sides, so two of them show a gap, and a line may break between them.
    pub fn text(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        let text = xml_safe(text);
        let text = if text.contains(['\n', '\r']) { text.replace(['\r', '\n'], " ") } else { text.into_owned() };
        let text = if text.contains("——") { text.replace("——", TWO_EM_DASH) } else { text };
        self.event(Event::Text(BytesText::new(&text)));
    }

    /// Writes `<name attributes…>text</name>`.
    pub fn element(&mut self, name: &str, attributes: &[(&str, &str)], text: &str) {
        self.start(name, attributes);
        self.text(text);
        self.end(name);
    }

    /// Writes a newline between two block elements (never inside a paragraph).
    pub fn newline(&mut self) {
        self.event(Event::Text(BytesText::new("\n")));
    }

    /// The finished bytes.
    pub fn finish(self) -> io::Result<Vec<u8>> {
        match self.error {
            Some(error) => Err(error),
            None => Ok(self.writer.into_inner()),
        }
    }
}

/// The media type of a picture an EPUB may show, by its file's extension (lower case):
/// the core media types PNG, JPEG, GIF, WebP and SVG; `None` for any other.
pub fn picture_media_type(extension: &str) -> Option<&'static str> {
    match extension {
        "png" => Some("image/png"),
        "jpg" | "jpeg" => Some("image/jpeg"),
        "gif" => Some("image/gif"),
        "webp" => Some("image/webp"),
        "svg" => Some("image/svg+xml"),
        _ => None,
    }
}

/// `text` without the characters XML 1.0 does not allow (most C0 controls, U+FFFE, U+FFFF),
/// which pasted text sometimes carries and which would make the document malformed.
pub fn xml_safe(text: &str) -> Cow<'_, str> {
    let allowed = |c: char| !matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}');
    if text.chars().all(allowed) { Cow::Borrowed(text) } else { Cow::Owned(text.chars().filter(|&c| allowed(c)).collect()) }
}

/// An element start with escaped, XML-safe attribute values.
fn element<'a>(name: &'a str, attributes: &[(&str, &str)]) -> BytesStart<'a> {
    let mut element = BytesStart::new(name);
    for (key, value) in attributes {
        element.push_attribute((*key, xml_safe(value).as_ref()));
    }
    element
}

/// Writes a complete XHTML5 content document: XML declaration, doctype, `<html>` with
/// `lang` and `xml:lang`, a head linking the stylesheet, and a body filled by `body`.
pub fn document(lang: &str, title: &str, body_class: Option<&str>, body: impl FnOnce(&mut Xhtml)) -> io::Result<Vec<u8>> {
    let mut out = Xhtml::new();
    out.event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    out.newline();
    out.event(Event::DocType(BytesText::from_escaped("html")));
    out.newline();
    out.start("html", &[("xmlns", XHTML_NS), ("xmlns:epub", OPS_NS), ("lang", lang), ("xml:lang", lang)]);
    out.newline();
    out.start("head", &[]);
    out.newline();
    out.start("title", &[]);
    // The document title is metadata, not drawn text: escaped but not recorded.
    out.event(Event::Text(BytesText::new(&xml_safe(title))));
    out.end("title");
    out.newline();
    out.empty("link", &[("rel", "stylesheet"), ("type", "text/css"), ("href", STYLESHEET)]);
    out.newline();
    out.end("head");
    out.newline();
    match body_class {
        Some(class) => out.start("body", &[("class", class)]),
        None => out.start("body", &[]),
    }
    out.newline();
    body(&mut out);
    out.end("body");
    out.newline();
    out.end("html");
    out.newline();
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_attributes_are_escaped() {
        let bytes = document("zh-CN", "A & B", None, |out| {
            out.start("p", &[("title", "\"<&>\"")]);
            out.text("甲<乙>&丙\n丁");
            out.end("p");
        })
        .expect("written");
        let xhtml = String::from_utf8(bytes).expect("utf-8");
        assert!(xhtml.contains("<p title=\"&quot;&lt;&amp;&gt;&quot;\">甲&lt;乙&gt;&amp;丙 丁</p>"), "{xhtml}");
        let dashes = String::from_utf8(document("zh-CN", "t", None, |out| out.text("甲——乙———丙")).expect("written")).expect("utf-8");
        assert!(dashes.contains("甲\u{2E3A}乙\u{2E3A}—丙"), "{dashes}");
        assert!(xhtml.contains("<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\" lang=\"zh-CN\" xml:lang=\"zh-CN\">"));
        assert!(xhtml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n"));
    }

    #[test]
    fn characters_xml_forbids_are_dropped() {
        let bytes = document("zh-CN", "t\u{1}", None, |out| {
            out.start("p", &[("title", "a\u{b}b")]);
            out.text("甲\u{c}乙\t丙\u{fffe}");
            out.end("p");
        })
        .expect("written");
        let xhtml = String::from_utf8(bytes).expect("utf-8");
        assert!(xhtml.contains("<title>t</title>") && xhtml.contains("<p title=\"ab\">甲乙\t丙</p>"), "{xhtml}");
    }
}
