//! The press edition's pages, after Typst's export: each page's colours made CMYK
//! ([`super::colour`]), the sheet enlarged beyond the bleed for the marks
//! ([`super::marks`]), and its boxes set — TrimBox the finished page, BleedBox the trim and
//! the bleed (Typst's MediaBox), MediaBox and CropBox the whole sheet. Link annotations are
//! dropped: a printed page has no use for them, and PDF/X allows none on the page.

use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

use super::colour::ColourMap;
use super::marks;

/// A box as four numbers.
fn rect(doc: &Document, dict: &Dictionary, key: &[u8]) -> Option<[f32; 4]> {
    let value = dict.get(key).ok()?;
    let (_, value) = doc.dereference(value).ok()?;
    let items = value.as_array().ok()?;
    let numbers: Vec<f32> = items.iter().filter_map(|o| o.as_float().ok()).collect();
    <[f32; 4]>::try_from(numbers).ok()
}

fn rect_object(r: [f32; 4]) -> Object {
    Object::Array(r.iter().map(|v| Object::Real((v * 1000.0).round() / 1000.0)).collect())
}

/// The colour space the marks are drawn in: the `All` separation (every plate), shown on
/// screen as the four inks at full strength.
fn all_separation() -> Object {
    let mut tint = Dictionary::new();
    tint.set("FunctionType", Object::Integer(2));
    tint.set("Domain", Object::Array(vec![Object::Integer(0), Object::Integer(1)]));
    tint.set("C0", Object::Array(vec![Object::Integer(0); 4]));
    tint.set("C1", Object::Array(vec![Object::Integer(1); 4]));
    tint.set("N", Object::Integer(1));
    Object::Array(vec![Object::Name(b"Separation".to_vec()), Object::Name(b"All".to_vec()), Object::Name(b"DeviceCMYK".to_vec()), Object::Dictionary(tint)])
}

/// The Resources dictionary of `owner` (a page or a form), followed through a reference.
pub fn resources<'a>(doc: &'a Document, owner: &'a Dictionary) -> Option<&'a Dictionary> {
    let value = owner.get(b"Resources").ok()?;
    doc.dereference(value).ok().and_then(|(_, r)| r.as_dict().ok())
}

/// Finishes every page; `bleed` in pt. Returns the pages' trim boxes.
pub fn finish_pages(doc: &mut Document, map: &ColourMap, bleed: f32) -> Result<Vec<[f32; 4]>, String> {
    let pages: Vec<ObjectId> = doc.get_pages().into_values().collect();
    let slug = marks::SLUG_MM * marks::MM;
    let mut trims = Vec::with_capacity(pages.len());
    for (number, page_id) in pages.iter().enumerate() {
        let at = |e: String| format!("page {}: {e}", number + 1);
        let page = doc.get_dictionary(*page_id).map_err(|e| at(e.to_string()))?.clone();
        let media = rect(doc, &page, b"MediaBox").ok_or_else(|| at("the page has no MediaBox".into()))?;
        // Typst sets the TrimBox when the page has a bleed; without one the page is the trim.
        let trim = rect(doc, &page, b"TrimBox").unwrap_or(media);
        let content: Vec<u8> = doc.get_page_content(*page_id);
        let rewritten = map.rewrite(doc, &content, resources(doc, &page)).map_err(at)?.unwrap_or(content);
        // The page's own drawing in a saved graphics state, so the marks start from the
        // sheet's coordinates whatever transformation it leaves behind.
        let mut data = b"q\n".to_vec();
        data.extend_from_slice(&rewritten);
        data.extend_from_slice(b"\nQ\n");
        data.extend_from_slice(&marks::content(trim, bleed));
        let mut stream = Stream::new(Dictionary::new(), data);
        stream.compress().map_err(|e| at(e.to_string()))?;
        let content_id = doc.add_object(Object::Stream(stream));
        // The marks' colour space goes into the page's resources (its own copy: another page
        // may share the dictionary, and gets the same entry).
        let mut page_resources = resources(doc, &page).map(|r| super::colour::without_rgb_spaces(doc, r)).unwrap_or_default();
        let mut spaces = match page_resources.get(b"ColorSpace").ok().map(|s| doc.dereference(s)) {
            Some(Ok((_, Object::Dictionary(spaces)))) => spaces.clone(),
            _ => Dictionary::new(),
        };
        spaces.set("All", all_separation());
        page_resources.set("ColorSpace", Object::Dictionary(spaces));
        let sheet = [media[0] - slug, media[1] - slug, media[2] + slug, media[3] + slug];
        let page = doc.get_dictionary_mut(*page_id).map_err(|e| at(e.to_string()))?;
        page.set("Contents", Object::Reference(content_id));
        page.set("Resources", Object::Dictionary(page_resources));
        page.set("MediaBox", rect_object(sheet));
        page.set("CropBox", rect_object(sheet));
        page.set("BleedBox", rect_object(media));
        page.set("TrimBox", rect_object(trim));
        page.remove(b"ArtBox");
        page.remove(b"Annots");
        trims.push(trim);
    }
    Ok(trims)
}

/// Rewrites the colours of every form and tiling pattern (their own content streams, with
/// their own resources). A soft mask's greys become K tints too: blended in CMYK (see
/// [`super::pdfx`]) a tint of K has the grey's luminosity, so the mask's opacities stay.
pub fn finish_forms(doc: &mut Document, map: &ColourMap) -> Result<(), String> {
    let mut ids = Vec::new();
    for (id, object) in &doc.objects {
        let Ok(stream) = object.as_stream() else { continue };
        let is_form = stream.dict.get(b"Subtype").and_then(|s| s.as_name()).ok() == Some(b"Form");
        let is_tiling = stream.dict.get(b"PatternType").and_then(|t| t.as_i64()).ok() == Some(1);
        if is_form || is_tiling {
            ids.push(*id);
        }
    }
    for id in ids {
        let Ok(Object::Stream(stream)) = doc.get_object(id) else { continue };
        let data = stream.decompressed_content().unwrap_or_else(|_| stream.content.clone());
        let Some(rewritten) = map.rewrite(doc, &data, resources(doc, &stream.dict)).map_err(|e| format!("PDF object {} {}: {e}", id.0, id.1))? else {
            continue;
        };
        let mut dict = stream.dict.clone();
        if let Some(cleaned) = resources(doc, &stream.dict).map(|r| super::colour::without_rgb_spaces(doc, r)) {
            dict.set("Resources", Object::Dictionary(cleaned));
        }
        dict.remove(b"Filter");
        dict.remove(b"DecodeParms");
        let mut stream = Stream::new(dict, rewritten);
        stream.compress().map_err(|e| e.to_string())?;
        doc.objects.insert(id, Object::Stream(stream));
    }
    Ok(())
}
