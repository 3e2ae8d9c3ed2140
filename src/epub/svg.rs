//! Inlining a chart's standalone SVG document into an XHTML content document.
//!
//! The chart SVG is the same one the PDF prints. Inline (rather than referenced by `<img>`)
//! it inherits the book's `@font-face` fonts, so its labels are drawn in the embedded
//! Noto Sans CJK SC. Inlining drops the XML declaration, doctype, comments and processing
//! instructions, gives the root `role="img"`, an `aria-label`, a `<title>` and a `<desc>`,
//! and prefixes every `id` (and the references to it) so two charts in one file never clash.

use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::{BytesEnd, BytesStart, BytesText, Event};

use super::xhtml::Xhtml;

/// The SVG namespace.
pub const SVG_NS: &str = "http://www.w3.org/2000/svg";

/// The accessible texts given to an inlined chart.
pub struct Labels<'a> {
    /// Prefix for every id inside the SVG, e.g. `chart-3-`.
    pub id_prefix: &'a str,
    /// The text alternative (`aria-label` and `<title>`).
    pub label: &'a str,
    /// A longer description (`<desc>`), e.g. where the data table is.
    pub description: &'a str,
}

/// Parses `svg` and writes it into `out` as inline SVG. Returns an error message (and
/// writes nothing) when the SVG is not well-formed or its root is not `<svg>`.
pub fn inline(svg: &str, labels: &Labels<'_>, out: &mut Xhtml) -> Result<(), String> {
    let events = rewrite(svg, labels)?;
    for event in events {
        out.event(event);
    }
    Ok(())
}

/// The events of the inlined SVG, checked for well-formedness before anything is written.
fn rewrite(svg: &str, labels: &Labels<'_>) -> Result<Vec<Event<'static>>, String> {
    let mut reader = Reader::from_str(svg);
    reader.config_mut().trim_text(false);
    let mut events: Vec<Event<'static>> = Vec::new();
    let mut depth = 0usize;
    let mut root_done = false;
    // Depth at which an existing top-level <title>/<desc> is being skipped.
    let mut skipping: Option<usize> = None;
    loop {
        let event = reader.read_event().map_err(|e| format!("the chart's SVG is not well-formed XML: {e}"))?;
        match event {
            Event::Eof => break,
            Event::Decl(_) | Event::DocType(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Start(element) if depth == 0 => {
                open_root(&mut events, &element, labels, root_done)?;
                depth = 1;
            }
            Event::Empty(element) if depth == 0 => {
                open_root(&mut events, &element, labels, root_done)?;
                events.push(Event::End(BytesEnd::new("svg")));
                root_done = true;
            }
            Event::Start(element) => {
                if skipping.is_none() && depth == 1 && matches!(element.local_name().as_ref(), b"title" | b"desc") {
                    skipping = Some(depth);
                }
                depth += 1;
                if skipping.is_none() {
                    events.push(Event::Start(rewrite_ids(&element, labels.id_prefix)?));
                }
            }
            Event::Empty(element) => {
                if skipping.is_none() && !(depth == 1 && matches!(element.local_name().as_ref(), b"title" | b"desc")) {
                    events.push(Event::Empty(rewrite_ids(&element, labels.id_prefix)?));
                }
            }
            Event::End(element) => {
                depth = depth.saturating_sub(1);
                if skipping == Some(depth) {
                    skipping = None;
                } else if skipping.is_none() {
                    events.push(Event::End(element.into_owned()));
                }
                if depth == 0 {
                    root_done = true;
                }
            }
            Event::Text(text) => {
                if depth == 0 {
                    if !text.decode().map(|t| t.trim().is_empty()).unwrap_or(false) {
                        return Err("the chart's SVG has text outside its root element".into());
                    }
                } else if skipping.is_none() {
                    events.push(Event::Text(text.into_owned()));
                }
            }
            Event::GeneralRef(reference) => {
                if depth == 0 {
                    return Err("the chart's SVG has text outside its root element".into());
                }
                let known = reference.is_char_ref() || matches!(&*reference as &[u8], b"amp" | b"lt" | b"gt" | b"quot" | b"apos");
                if !known {
                    return Err(format!("the chart's SVG uses the entity &{};, which XHTML does not define", String::from_utf8_lossy(&reference)));
                }
                if skipping.is_none() {
                    events.push(Event::GeneralRef(reference.into_owned()));
                }
            }
            Event::CData(data) => {
                if skipping.is_none() && depth > 0 {
                    events.push(Event::CData(data.into_owned()));
                }
            }
        }
    }
    if !root_done || depth != 0 {
        return Err("the chart's SVG ends before its root element is closed".into());
    }
    Ok(events)
}

/// Writes the root `<svg>` start tag with the accessibility attributes, then `<title>` and `<desc>`.
fn open_root(events: &mut Vec<Event<'static>>, element: &BytesStart<'_>, labels: &Labels<'_>, root_done: bool) -> Result<(), String> {
    if root_done {
        return Err("the chart's SVG has more than one root element".into());
    }
    if element.local_name().as_ref() != b"svg" {
        return Err("the chart's SVG does not start with an <svg> element".into());
    }
    let mut root = BytesStart::new("svg");
    let mut has_namespace = false;
    for attribute in element.attributes() {
        let attribute = attribute.map_err(|e| format!("the chart's SVG has a malformed attribute: {e}"))?;
        let key = String::from_utf8_lossy(attribute.key.as_ref()).into_owned();
        // The size comes from the stylesheet (the text width) and the viewBox: converters
        // that draw the chart as a bitmap (calibre for MOBI) then draw it at the page width,
        // not at the size of its user units.
        if matches!(key.as_str(), "role" | "aria-label" | "aria-labelledby" | "aria-describedby" | "aria-hidden" | "width" | "height") {
            continue;
        }
        let value = attribute.unescape_value().map_err(|e| format!("the chart's SVG has a malformed attribute: {e}"))?;
        if key == "xmlns" {
            if value != SVG_NS {
                return Err(format!("the chart's SVG root is in the namespace `{value}`, not SVG's"));
            }
            has_namespace = true;
        }
        let value = rewrite_reference(&key, &value, labels.id_prefix);
        root.push_attribute((key.as_str(), value.as_str()));
    }
    if !has_namespace {
        root.push_attribute(("xmlns", SVG_NS));
    }
    root.push_attribute(("role", "img"));
    root.push_attribute(("aria-label", labels.label));
    events.push(Event::Start(root));
    push_text_element(events, "title", labels.label);
    push_text_element(events, "desc", labels.description);
    Ok(())
}

/// Pushes `<name>text</name>`.
fn push_text_element(events: &mut Vec<Event<'static>>, name: &'static str, text: &str) {
    events.push(Event::Start(BytesStart::new(name)));
    events.push(Event::Text(BytesText::new(text).into_owned()));
    events.push(Event::End(BytesEnd::new(name)));
}

/// A copy of `element` with its `id` and its references to ids (`href`, `xlink:href`,
/// `url(#…)`) prefixed.
fn rewrite_ids(element: &BytesStart<'_>, prefix: &str) -> Result<BytesStart<'static>, String> {
    let name = String::from_utf8_lossy(element.name().as_ref()).into_owned();
    let mut copy = BytesStart::new(name);
    for attribute in element.attributes() {
        let attribute = attribute.map_err(|e| format!("the chart's SVG has a malformed attribute: {e}"))?;
        let key = String::from_utf8_lossy(attribute.key.as_ref()).into_owned();
        let value = attribute.unescape_value().map_err(|e| format!("the chart's SVG has a malformed attribute: {e}"))?;
        let value = rewrite_reference(&key, &value, prefix);
        copy.push_attribute((key.as_str(), value.as_str()));
    }
    Ok(copy)
}

/// Prefixes an id, a `#fragment` reference or the `url(#…)` references in a value.
fn rewrite_reference(key: &str, value: &str, prefix: &str) -> String {
    match key {
        "id" => format!("{prefix}{value}"),
        "href" | "xlink:href" => match value.strip_prefix('#') {
            Some(fragment) => format!("#{prefix}{fragment}"),
            None => value.to_string(),
        },
        _ if value.contains("url(#") => value.replace("url(#", &format!("url(#{prefix}")),
        _ => value.to_string(),
    }
}

/// `svg` (an SVG image file of the manuscript, in `dir`) with every picture it refers to by
/// a relative address (`<image href="photo.png">`) put inside it as a `data:` address, so
/// the image stays whole under its name in the EPUB. Pictures must be inside `root`.
pub fn embed_pictures(svg: &[u8], dir: &Path, root: &Path) -> Result<Vec<u8>, String> {
    use base64::Engine;
    let mut reader = Reader::from_reader(svg);
    let mut writer = quick_xml::Writer::new(Vec::new());
    let mut buffer = Vec::new();
    let mut changed = false;
    loop {
        let event = reader.read_event_into(&mut buffer).map_err(|e| format!("the SVG is not well-formed: {e}"))?;
        let empty = matches!(event, Event::Empty(_));
        let event = match event {
            Event::Eof => break,
            Event::Start(element) | Event::Empty(element) if element.local_name().as_ref() == b"image" => {
                let mut copy = BytesStart::new(String::from_utf8_lossy(element.name().as_ref()).into_owned());
                for attribute in element.attributes() {
                    let attribute = attribute.map_err(|e| e.to_string())?;
                    let key = String::from_utf8_lossy(attribute.key.as_ref()).into_owned();
                    let value = attribute.unescape_value().map_err(|e| e.to_string())?.into_owned();
                    let is_link = key == "href" || key == "xlink:href";
                    let relative = !value.starts_with("data:") && !value.starts_with('#') && !value.contains("://");
                    if is_link && relative {
                        let real = dir.join(&value).canonicalize().map_err(|e| format!("`{value}`: {e}"))?;
                        if !real.starts_with(root) {
                            return Err(format!("`{value}` is outside the manuscript directory"));
                        }
                        let extension = real.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
                        let media_type = super::xhtml::picture_media_type(&extension)
                            .filter(|_| extension != "svg")
                            .ok_or_else(|| format!("`{value}` is not a PNG, JPEG, GIF or WebP picture"))?;
                        let bytes =
                            crate::access::read_within(root, &real, crate::manuscript::images::MAX_IMAGE_BYTES).map_err(|e| format!("`{value}`: {e}"))?;
                        let data = format!("data:{media_type};base64,{}", base64::engine::general_purpose::STANDARD.encode(bytes));
                        copy.push_attribute((key.as_str(), data.as_str()));
                        changed = true;
                    } else {
                        copy.push_attribute((key.as_str(), value.as_str()));
                    }
                }
                if empty { Event::Empty(copy) } else { Event::Start(copy) }
            }
            other => other.into_owned(),
        };
        writer.write_event(event).map_err(|e| e.to_string())?;
        buffer.clear();
    }
    // An SVG that refers to no picture is kept byte for byte.
    Ok(if changed { writer.into_inner() } else { svg.to_vec() })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LABELS: Labels<'static> = Labels { id_prefix: "c1-", label: "图表：甲>乙", description: "数据见下表" };

    fn inlined(svg: &str) -> Result<String, String> {
        let mut out = Xhtml::new();
        inline(svg, &LABELS, &mut out)?;
        let bytes = out.finish().map_err(|e| e.to_string())?;
        String::from_utf8(bytes).map_err(|e| e.to_string())
    }

    #[test]
    fn strips_prolog_adds_labels_and_prefixes_ids() {
        let svg = "<?xml version=\"1.0\"?>\n<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"x\">\n<!-- made by hand -->\n\
            <svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"><title>old</title>\
            <defs><clipPath id=\"a\"><rect width=\"5\" height=\"5\"/></clipPath></defs>\
            <g clip-path=\"url(#a)\"><text font-family=\"Noto Sans CJK SC\">一季度 &amp; 二季度&#x4E09;</text></g></svg>\n";
        let xml = inlined(svg).expect("inlined");
        assert!(!xml.contains("<?xml") && !xml.contains("DOCTYPE") && !xml.contains("made by hand") && !xml.contains("old"), "{xml}");
        assert!(xml.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\" role=\"img\" aria-label=\"图表：甲&gt;乙\"><title>图表：甲&gt;乙</title><desc>数据见下表</desc>"), "{xml}");
        assert!(xml.contains("id=\"c1-a\"") && xml.contains("clip-path=\"url(#c1-a)\""), "{xml}");
        assert!(xml.contains("一季度 &amp; 二季度&#x4E09;</text>"), "{xml}");
    }

    #[test]
    fn adds_the_namespace_and_closes_an_empty_root() {
        let xml = inlined("<svg width=\"1\" height=\"2\" viewBox=\"0 0 1 2\"/>").expect("inlined");
        // The size is the stylesheet's: the root keeps only its viewBox.
        assert!(xml.contains("<svg viewBox=\"0 0 1 2\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\""), "{xml}");
        assert!(xml.ends_with("</desc></svg>"), "{xml}");
    }

    #[test]
    fn rejects_what_is_not_one_well_formed_svg() {
        assert!(inlined("<svg><g></svg>").is_err());
        assert!(inlined("<html/>").is_err());
        assert!(inlined("<svg/><svg/>").is_err());
        assert!(inlined("<svg><text>&nbsp;</text></svg>").unwrap_err().contains("nbsp"));
        assert!(inlined("<svg>").is_err());
    }

    #[test]
    fn pictures_outside_the_manuscript_are_refused_and_others_kept() {
        let root = tempfile::tempdir().unwrap();
        let inside = root.path().join("images");
        std::fs::create_dir_all(&inside).unwrap();
        let root_real = root.path().canonicalize().unwrap();
        let escaping = br#"<svg xmlns="http://www.w3.org/2000/svg"><image href="../../etc/hostname"/></svg>"#;
        assert!(embed_pictures(escaping, &inside, &root_real).is_err());
        let plain = br##"<svg xmlns="http://www.w3.org/2000/svg"><image href="data:image/png;base64,AAAA"/><use href="#a"/></svg>"##;
        assert_eq!(embed_pictures(plain, &inside, &root_real).unwrap(), plain.to_vec());
    }
}
