//! The fix-up pass: re-reads the archive `epub-builder` wrote, corrects what epub-builder
//! 0.8.3 gets wrong in `content.opf` and `nav.xhtml`, and writes a reproducible zip.
//!
//! epub-builder's known defects, each fixed here with a real XML reader and writer
//! (`quick-xml`), never with string replacement:
//! - with an author and a language, `dc:language` and `dc:creator` share the id
//!   `epub-creator-0` (EPUBCheck RSC-005): the language loses its id;
//! - content documents with inline SVG lack the `svg` manifest property (OPF-014): every
//!   XHTML file of the archive is parsed, and those with an `<svg>` element get it;
//! - `nav.xhtml` has no `lang` / `xml:lang`: they are set to the report language (the
//!   landmarks list is also marked `hidden`, and the table of contents gets `role="doc-toc"`);
//! - the main `dc:title` has no id, and there is no API for a subtitle or a publisher: the
//!   first `dc:title` (`id="title"`) becomes the whole title as the book prints it, the title
//!   and the subtitle joined by the design's dash (`title-type` expanded; `main` when there is
//!   no subtitle), the title alone follows as the `short` one, and `dc:publisher` is added.
//!   (A `main` and a `subtitle` title are what EPUB offers, but calibre — and the Kindle
//!   files it makes — joins them as `题名: 副题`, with an ASCII colon no Chinese title has;
//!   reading systems show the first `dc:title`.)
//! - it deflates everything it is given, and its zip writer cannot be replaced (the `Zip`
//!   trait is private): fonts, cover and images are handed to it empty, so it lists them
//!   in the manifest, and put into the archive here, compressed once;
//! - its zip writer stamps the current time into every entry (the `zip` crate's `time`
//!   feature, which epub-builder's `zip-library` feature switches on): the archive is
//!   written anew with `mimetype` first and stored, all other entries deflated in name
//!   order, and every timestamp set to the edition's modification time.

use std::collections::BTreeSet;
use std::io::{Cursor, Read, Write};

use chrono::{DateTime, Datelike, Timelike, Utc};
use quick_xml::events::{BytesEnd, BytesStart, BytesText, Event};
use quick_xml::name::ResolveResult;
use quick_xml::{NsReader, Reader, Writer};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use super::svg::SVG_NS;

/// The package document, where epub-builder writes it.
pub const PACKAGE_DOCUMENT: &str = "OEBPS/content.opf";
/// The navigation document, where epub-builder writes it.
pub const NAV_DOCUMENT: &str = "OEBPS/nav.xhtml";
/// The directory the package document's hrefs are relative to.
const CONTENT_DIR: &str = "OEBPS/";
/// The EPUB media type, the content of the `mimetype` entry.
const MIMETYPE: &[u8] = b"application/epub+zip";

/// What the fix-up adds to the package.
pub struct FixUp<'a> {
    /// The report language (BCP 47).
    pub language: &'a str,
    /// The title, as epub-builder wrote it.
    pub title: &'a str,
    /// The subtitle (may be empty).
    pub subtitle: &'a str,
    /// The publisher (may be empty).
    pub publisher: &'a str,
    /// Timestamp of every zip entry (the edition's `dcterms:modified`).
    pub modified: DateTime<Utc>,
    /// Resources handed to epub-builder empty, by href (relative to the content directory),
    /// with their real content: fonts, cover and images are compressed once, here.
    pub contents: &'a [(&'a str, &'a [u8])],
    /// The print edition's pages and where each begins (`file#id`): the navigation
    /// document's page list.
    pub pages: &'a [(String, String)],
    /// Lists added to the navigation after the contents, as `report.toml`'s `lists` asks.
    pub lists: &'a [NavList<'a>],
}

/// A list of the navigation document besides the contents (e.g. the list of figures).
pub struct NavList<'a> {
    /// Its `epub:type`: `lof` or `lot`.
    pub kind: &'a str,
    /// Its heading, e.g. 图目录.
    pub title: &'a str,
    /// Its entries as text and place.
    pub entries: &'a [super::sections::NavEntry],
}

/// Rewrites the EPUB `archive` (as written by epub-builder) into the finished file.
pub fn finish(archive: &[u8], fix: &FixUp<'_>) -> Result<Vec<u8>, String> {
    let mut zip = ZipArchive::new(Cursor::new(archive)).map_err(|e| format!("cannot re-read the EPUB archive: {e}"))?;
    let mut entries: Vec<(String, Vec<u8>)> = Vec::new();
    for index in 0..zip.len() {
        let mut file = zip.by_index(index).map_err(|e| format!("cannot re-read the EPUB archive: {e}"))?;
        if file.is_dir() || file.name() == "mimetype" {
            continue;
        }
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(|e| format!("cannot re-read {} from the EPUB archive: {e}", file.name()))?;
        entries.push((file.name().to_string(), bytes));
    }
    fill_in(&mut entries, fix.contents)?;
    let mut with_svg = BTreeSet::new();
    for (name, bytes) in &entries {
        if name.ends_with(".xhtml")
            && has_inline_svg(bytes).map_err(|e| format!("{name}: {e}"))?
            && let Some(href) = name.strip_prefix(CONTENT_DIR)
        {
            with_svg.insert(href.to_string());
        }
    }
    for (name, bytes) in &mut entries {
        if name == PACKAGE_DOCUMENT {
            *bytes = fix_package(bytes, &with_svg, fix).map_err(|e| format!("cannot fix up {name}: {e}"))?;
        } else if name == NAV_DOCUMENT {
            *bytes = fix_nav(bytes, fix.language, fix.pages, fix.lists).map_err(|e| format!("cannot fix up {name}: {e}"))?;
        }
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    rezip(&entries, fix.modified).map_err(|e| format!("cannot write the EPUB archive: {e}"))
}

/// Puts the content of each resource epub-builder was given empty into its entry.
fn fill_in(entries: &mut [(String, Vec<u8>)], contents: &[(&str, &[u8])]) -> Result<(), String> {
    for (href, content) in contents {
        let name = format!("{CONTENT_DIR}{href}");
        let Some((_, bytes)) = entries.iter_mut().find(|(entry, _)| *entry == name) else {
            return Err(format!("the archive has no entry {name} to fill in"));
        };
        if !bytes.is_empty() {
            return Err(format!("{name} was given content twice"));
        }
        bytes.extend_from_slice(content);
    }
    Ok(())
}

/// Writes the archive: `mimetype` first, stored, without extra fields; then every entry
/// deflated, in the given order; every timestamp `modified` (DOS time, 2-second steps).
fn rezip(entries: &[(String, Vec<u8>)], modified: DateTime<Utc>) -> Result<Vec<u8>, String> {
    let year = u16::try_from(modified.year()).unwrap_or(1980).clamp(1980, 2107);
    let time = zip::DateTime::from_date_and_time(
        year,
        modified.month() as u8,
        modified.day() as u8,
        modified.hour() as u8,
        modified.minute() as u8,
        (modified.second() as u8) & !1,
    )
    .unwrap_or_default();
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored).last_modified_time(time).unix_permissions(0o644);
    let deflated = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(6))
        .last_modified_time(time)
        .unix_permissions(0o644);
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    writer.start_file("mimetype", stored).map_err(|e| e.to_string())?;
    writer.write_all(MIMETYPE).map_err(|e| e.to_string())?;
    for (name, bytes) in entries {
        writer.start_file(name.as_str(), deflated).map_err(|e| e.to_string())?;
        writer.write_all(bytes).map_err(|e| e.to_string())?;
    }
    Ok(writer.finish().map_err(|e| e.to_string())?.into_inner())
}

/// Whether an XHTML document contains an element in the SVG namespace.
pub fn has_inline_svg(xhtml: &[u8]) -> Result<bool, String> {
    let text = std::str::from_utf8(xhtml).map_err(|e| format!("not UTF-8: {e}"))?;
    let mut reader = NsReader::from_str(text);
    loop {
        match reader.read_resolved_event().map_err(|e| e.to_string())? {
            (ResolveResult::Bound(ns), Event::Start(_) | Event::Empty(_)) if ns.as_ref() == SVG_NS.as_bytes() => return Ok(true),
            (_, Event::Eof) => return Ok(false),
            _ => {}
        }
    }
}

/// The name of an element or attribute as text.
fn name_of(name: &[u8]) -> String {
    String::from_utf8_lossy(name).into_owned()
}

/// A copy of `element` without the attributes `drop`, with `add` appended.
fn with_attributes(element: &BytesStart<'_>, drop: &[&str], add: &[(&str, &str)]) -> Result<BytesStart<'static>, String> {
    let mut copy = BytesStart::new(name_of(element.name().as_ref()));
    for attribute in element.attributes() {
        let attribute = attribute.map_err(|e| e.to_string())?;
        let key = name_of(attribute.key.as_ref());
        if drop.contains(&key.as_str()) {
            continue;
        }
        let value = attribute.unescape_value().map_err(|e| e.to_string())?;
        copy.push_attribute((key.as_str(), value.as_ref()));
    }
    for attribute in add {
        copy.push_attribute(*attribute);
    }
    Ok(copy)
}

/// The unescaped value of attribute `key` of `element`.
fn attribute(element: &BytesStart<'_>, key: &str) -> Result<Option<String>, String> {
    for attribute in element.attributes() {
        let attribute = attribute.map_err(|e| e.to_string())?;
        if attribute.key.as_ref() == key.as_bytes() {
            return Ok(Some(attribute.unescape_value().map_err(|e| e.to_string())?.into_owned()));
        }
    }
    Ok(None)
}

/// Copies an XML document event by event, letting `edit` replace or extend each event.
fn transform(xml: &[u8], mut edit: impl FnMut(Event<'_>, &mut Writer<Vec<u8>>) -> Result<(), String>) -> Result<Vec<u8>, String> {
    let text = std::str::from_utf8(xml).map_err(|e| format!("not UTF-8: {e}"))?;
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(false);
    let mut writer = Writer::new(Vec::new());
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Eof => break,
            event => edit(event, &mut writer)?,
        }
    }
    Ok(writer.into_inner())
}

fn write(writer: &mut Writer<Vec<u8>>, event: Event<'_>) -> Result<(), String> {
    writer.write_event(event).map_err(|e| e.to_string())
}

/// Writes `<name attributes…>text</name>` followed by a newline and indentation.
fn write_element(writer: &mut Writer<Vec<u8>>, name: &str, attributes: &[(&str, &str)], text: &str) -> Result<(), String> {
    write(writer, Event::Start(BytesStart::new(name).with_attributes(attributes.iter().copied())))?;
    write(writer, Event::Text(BytesText::new(text)))?;
    write(writer, Event::End(BytesEnd::new(name)))?;
    write(writer, Event::Text(BytesText::new("\n    ")))
}

/// Fixes `content.opf`: language id, title id and types, subtitle, publisher, package
/// language, and the `svg` property of documents with inline SVG.
fn fix_package(opf: &[u8], with_svg: &BTreeSet<String>, fix: &FixUp<'_>) -> Result<Vec<u8>, String> {
    let mut titled = false;
    let mut in_title = false;
    let full = if fix.subtitle.is_empty() { fix.title.to_string() } else { format!("{}{}{}", fix.title, super::sections::SUBTITLE_DASH, fix.subtitle) };
    transform(opf, |event, writer| match event {
        Event::Start(element) if element.name().as_ref() == b"package" => {
            let element = with_attributes(&element, &["xml:lang"], &[("xml:lang", fix.language)])?;
            write(writer, Event::Start(element))
        }
        Event::Start(element) if element.name().as_ref() == b"dc:language" => write(writer, Event::Start(with_attributes(&element, &["id"], &[])?)),
        Event::Start(element) if element.name().as_ref() == b"dc:title" && !titled => {
            titled = true;
            in_title = true;
            write(writer, Event::Start(with_attributes(&element, &["id"], &[("id", "title")])?))
        }
        Event::Text(_) | Event::GeneralRef(_) if in_title => Ok(()),
        Event::End(element) if in_title => {
            in_title = false;
            write(writer, Event::Text(BytesText::new(&full)))?;
            write(writer, Event::End(element))
        }
        Event::Empty(element) if element.name().as_ref() == b"item" => {
            let href = attribute(&element, "href")?.unwrap_or_default();
            if !with_svg.contains(&href) {
                return write(writer, Event::Empty(element));
            }
            let mut properties: Vec<String> = attribute(&element, "properties")?.unwrap_or_default().split_whitespace().map(str::to_string).collect();
            if !properties.iter().any(|p| p == "svg") {
                properties.push("svg".into());
            }
            let properties = properties.join(" ");
            write(writer, Event::Empty(with_attributes(&element, &["properties"], &[("properties", &properties)])?))
        }
        Event::End(element) if element.name().as_ref() == b"metadata" => {
            write(writer, Event::Text(BytesText::new("  ")))?;
            if fix.subtitle.is_empty() {
                write_element(writer, "meta", &[("refines", "#title"), ("property", "title-type")], "main")?;
            } else {
                write_element(writer, "meta", &[("refines", "#title"), ("property", "title-type")], "expanded")?;
                write_element(writer, "dc:title", &[("id", "short-title")], fix.title)?;
                write_element(writer, "meta", &[("refines", "#short-title"), ("property", "title-type")], "short")?;
            }
            if !fix.publisher.is_empty() {
                write_element(writer, "dc:publisher", &[], fix.publisher)?;
            }
            write(writer, Event::Text(BytesText::new("\n  ")))?;
            write(writer, Event::End(element))
        }
        event => write(writer, event),
    })
}

/// Fixes `nav.xhtml`: the report language on `<html>`, `role="doc-toc"` on the table of
/// contents, `hidden` on the landmarks; adds the page list of the print edition.
fn fix_nav(nav: &[u8], language: &str, pages: &[(String, String)], lists: &[NavList<'_>]) -> Result<Vec<u8>, String> {
    transform(nav, |event, writer| match event {
        Event::End(element) if element.name().as_ref() == b"body" && (!pages.is_empty() || !lists.is_empty()) => {
            // The lists of figures and tables, as the print edition's 图目录 and 表目录.
            for list in lists.iter().filter(|list| !list.entries.is_empty()) {
                write(writer, Event::Start(BytesStart::new("nav").with_attributes([("epub:type", list.kind), ("aria-label", list.title)])))?;
                write_element(writer, "h2", &[], list.title)?;
                write(writer, Event::Start(BytesStart::new("ol")))?;
                for (text, href) in list.entries {
                    write(writer, Event::Start(BytesStart::new("li")))?;
                    write_element(writer, "a", &[("href", href)], text)?;
                    write(writer, Event::End(BytesEnd::new("li")))?;
                }
                write(writer, Event::End(BytesEnd::new("ol")))?;
                write(writer, Event::End(BytesEnd::new("nav")))?;
            }
            if pages.is_empty() {
                return write(writer, Event::End(element));
            }
            write(writer, Event::Start(BytesStart::new("nav").with_attributes([("epub:type", "page-list"), ("hidden", "hidden"), ("aria-label", "页码")])))?;
            write(writer, Event::Start(BytesStart::new("ol")))?;
            for (page, href) in pages {
                write(writer, Event::Start(BytesStart::new("li")))?;
                write_element(writer, "a", &[("href", href)], page)?;
                write(writer, Event::End(BytesEnd::new("li")))?;
            }
            write(writer, Event::End(BytesEnd::new("ol")))?;
            write(writer, Event::End(BytesEnd::new("nav")))?;
            write(writer, Event::End(element))
        }
        Event::Start(element) if element.name().as_ref() == b"html" => {
            let element = with_attributes(&element, &["lang", "xml:lang"], &[("lang", language), ("xml:lang", language)])?;
            write(writer, Event::Start(element))
        }
        Event::Start(element) if element.name().as_ref() == b"nav" => {
            let element = match attribute(&element, "epub:type")?.as_deref() {
                Some("toc") => with_attributes(&element, &["role"], &[("role", "doc-toc")])?,
                Some("landmarks") => with_attributes(&element, &["hidden"], &[("hidden", "hidden")])?,
                _ => element.into_owned(),
            };
            write(writer, Event::Start(element))
        }
        event => write(writer, event),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_fix_up_separates_ids_adds_titles_and_svg_property() {
        let opf = r#"<?xml version="1.0" encoding="UTF-8"?>
<package version="3.0" xmlns="http://www.idpf.org/2007/opf" unique-identifier="epub-id-1">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:title>标题 &amp; 题</dc:title>
    <dc:language id="epub-creator-0">zh-CN</dc:language>
    <dc:creator id="epub-creator-0">作者</dc:creator>
  </metadata>
  <manifest>
    <item media-type="application/xhtml+xml" id="a" href="section-01.xhtml"/>
    <item media-type="application/xhtml+xml" id="b" href="section-02.xhtml"/>
  </manifest>
</package>"#
            .as_bytes();
        let with_svg: BTreeSet<String> = ["section-02.xhtml".to_string()].into();
        let fix = FixUp {
            language: "zh-CN",
            title: "标题 & 题",
            subtitle: "副题<一>",
            publisher: "出版者",
            modified: DateTime::default(),
            contents: &[],
            pages: &[],
            lists: &[],
        };
        let fixed = String::from_utf8(fix_package(opf, &with_svg, &fix).expect("fixed")).expect("utf-8");
        assert!(fixed.contains("<dc:language>zh-CN</dc:language>"), "{fixed}");
        assert!(fixed.contains("<dc:creator id=\"epub-creator-0\">"), "{fixed}");
        assert!(fixed.contains("<dc:title id=\"title\">标题 &amp; 题——副题&lt;一&gt;</dc:title>"), "{fixed}");
        assert!(fixed.contains("<meta refines=\"#title\" property=\"title-type\">expanded</meta>"), "{fixed}");
        assert!(fixed.contains("<dc:title id=\"short-title\">标题 &amp; 题</dc:title>"), "{fixed}");
        assert!(fixed.contains("<meta refines=\"#short-title\" property=\"title-type\">short</meta>"), "{fixed}");
        assert!(!fixed.contains("subtitle"), "calibre joins a subtitle with `: `: {fixed}");
        assert!(fixed.contains("<dc:publisher>出版者</dc:publisher>"), "{fixed}");
        assert!(fixed.contains("href=\"section-01.xhtml\"/>"), "{fixed}");
        assert!(fixed.contains("href=\"section-02.xhtml\" properties=\"svg\"/>"), "{fixed}");
        assert!(fixed.contains("unique-identifier=\"epub-id-1\" xml:lang=\"zh-CN\">"), "{fixed}");
    }

    #[test]
    fn nav_fix_up_sets_language_and_hides_landmarks() {
        let nav = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">
<body><nav epub:type = "toc" id="toc"><ol><li><a href="a.xhtml">甲</a></li></ol></nav><nav epub:type = "landmarks"></nav></body></html>"#
            .as_bytes();
        let pages = [("1".to_string(), "a.xhtml#page-1".to_string()), ("2".to_string(), "b.xhtml#page-2".to_string())];
        let fixed = String::from_utf8(fix_nav(nav, "zh-CN", &pages, &[]).expect("fixed")).expect("utf-8");
        assert!(
            fixed.contains("<nav epub:type=\"landmarks\" hidden=\"hidden\"></nav><nav epub:type=\"page-list\" hidden=\"hidden\" aria-label=\"页码\"><ol><li>"),
            "{fixed}"
        );
        assert!(fixed.contains("<a href=\"a.xhtml#page-1\">1</a>") && fixed.contains("<a href=\"b.xhtml#page-2\">2</a>"), "{fixed}");
        assert!(fixed.trim_end().ends_with("</ol></nav></body></html>"), "{fixed}");
        assert!(fixed.contains("xmlns:epub=\"http://www.idpf.org/2007/ops\" lang=\"zh-CN\" xml:lang=\"zh-CN\">"), "{fixed}");
        assert!(fixed.contains("<nav epub:type=\"toc\" id=\"toc\" role=\"doc-toc\">"), "{fixed}");
        assert!(fixed.contains("<nav epub:type=\"landmarks\" hidden=\"hidden\">"), "{fixed}");
        assert!(fixed.contains("<!DOCTYPE html>"), "{fixed}");
    }

    #[test]
    fn inline_svg_is_detected_by_namespace() {
        let with = br#"<html xmlns="http://www.w3.org/1999/xhtml"><body><svg xmlns="http://www.w3.org/2000/svg"/></body></html>"#;
        let without = br#"<html xmlns="http://www.w3.org/1999/xhtml"><body><img src="a.svg"/><svg/></body></html>"#;
        assert!(has_inline_svg(with).expect("parsed"));
        assert!(!has_inline_svg(without).expect("parsed"));
    }

    #[test]
    fn rezip_puts_mimetype_first_stored_with_fixed_times() {
        let modified = DateTime::parse_from_rfc3339("2021-12-01T10:20:31Z").expect("date").with_timezone(&Utc);
        let entries = vec![("A/b.txt".to_string(), b"bbb".to_vec()), ("C.txt".to_string(), b"c".to_vec())];
        let bytes = rezip(&entries, modified).expect("zipped");
        assert_eq!(&bytes[30..38], b"mimetype");
        assert_eq!(&bytes[38..58], MIMETYPE, "mimetype must be stored without extra field");
        let mut archive = ZipArchive::new(Cursor::new(&bytes)).expect("readable");
        let names: Vec<String> = (0..archive.len()).map(|i| archive.by_index(i).expect("entry").name().to_string()).collect();
        assert_eq!(names, ["mimetype", "A/b.txt", "C.txt"]);
        for index in 0..archive.len() {
            let entry = archive.by_index(index).expect("entry");
            let time = entry.last_modified().expect("time");
            assert_eq!((time.year(), time.month(), time.day(), time.hour(), time.minute(), time.second()), (2021, 12, 1, 10, 20, 30));
        }
        assert_eq!(rezip(&entries, modified).expect("zipped"), bytes);
    }

    #[test]
    fn resources_given_empty_are_filled_in_once() {
        let mut entries = vec![("OEBPS/fonts/a.otf".to_string(), Vec::new()), ("OEBPS/text.xhtml".to_string(), b"<p/>".to_vec())];
        fill_in(&mut entries, &[("fonts/a.otf", b"font bytes")]).expect("filled");
        assert_eq!(entries[0].1, b"font bytes");
        assert!(fill_in(&mut entries, &[("fonts/a.otf", b"again")]).unwrap_err().contains("twice"));
        assert!(fill_in(&mut entries, &[("images/missing.png", b"x")]).unwrap_err().contains("OEBPS/images/missing.png"));
    }
}
