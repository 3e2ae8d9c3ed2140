//! The text a PDF shows, character by character with its box, read from the file itself.
//! Used when a PDF comes from another revision of the manuscript: its layout cannot be
//! made again, so the text under each annotation is read from the file.
//!
//! Hand-written over lopdf's content-stream parser: the one crate that reads text with
//! positions (pdf-extract) drops the advance widths of the CID fonts Typst writes, so every
//! character of a run landed on the run's first position. This reads just what PDF text
//! positioning needs (ISO 32000-1, 9.4): the graphics and text matrices, `Tc`/`Tw`/`Tz`/`Ts`,
//! the fonts' widths (`W`/`DW`, `Widths`) and their `ToUnicode` maps, and form XObjects.

use std::collections::HashMap;

use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object, ObjectId};

use super::annotations::Area;

/// One character on a page.
#[derive(Debug, Clone)]
pub struct PageChar {
    /// 0-based page index.
    pub page: usize,
    /// The character(s).
    pub text: String,
    /// Its box, from the top-left corner of the page.
    pub area: Area,
    /// Its baseline.
    pub baseline: f64,
    /// Its fill colour's components as the file sets them (`rg`, `g`, `k`, `sc`, `scn`).
    pub fill: Vec<f64>,
}

/// Every character of the pages in `pages` (0-based), in content-stream order.
pub fn characters(document: &Document, pages: &[usize]) -> Vec<PageChar> {
    let ids: Vec<ObjectId> = document.get_pages().into_values().collect();
    let mut out = Vec::new();
    for &page in pages {
        let Some(&id) = ids.get(page) else { continue };
        let Ok(dict) = document.get_dictionary(id) else { continue };
        let top = media_top(document, dict);
        let resources = page_resources(document, id);
        let content = document.get_page_content_with_limit(id, MAX_CONTENT).unwrap_or_default();
        let mut reader = Reader { document, page, top, fonts: HashMap::new(), out: &mut out, depth: 0, operations: 0, decoded: content.len() };
        reader.run(&content, resources.as_ref(), [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);
    }
    out
}

/// Most bytes a page's (or a form's) content may decompress to: a hostile file cannot
/// exhaust memory (a dense page Typst writes has some 100 KB of content).
const MAX_CONTENT: usize = 4 << 20;
/// Most content bytes decoded for one page, its forms' (each time drawn) included: a form
/// that draws itself again and again is stopped here.
const MAX_PAGE_DECODED: usize = 64 << 20;
/// Most content operators run for one page, its forms' included.
const MAX_PAGE_OPERATIONS: usize = 2_000_000;
/// Highest character code read from a font: codes are one or two bytes.
const MAX_CODE: u32 = 0xFFFF;
/// Most entries a font's `W` array or `ToUnicode` map may set (each code once is 65 536;
/// ranges that overlap count each time).
const MAX_FONT_ENTRIES: usize = 1 << 18;
/// Most bytes a `ToUnicode` map may decompress to.
const MAX_CMAP_BYTES: usize = 1 << 20;

/// A 2D affine matrix `[a b c d e f]` as PDF writes it.
type Matrix = [f64; 6];

/// `m` then `n` (PDF's `m × n`).
fn concat(m: Matrix, n: Matrix) -> Matrix {
    [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]
}

fn apply(m: Matrix, (x, y): (f64, f64)) -> (f64, f64) {
    (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])
}

fn number(object: &Object) -> Option<f64> {
    match object {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) => Some(f64::from(*r)),
        _ => None,
    }
}

fn matrix(operands: &[Object]) -> Option<Matrix> {
    let values: Vec<f64> = operands.iter().filter_map(number).collect();
    <[f64; 6]>::try_from(values.as_slice()).ok()
}

/// The top of the page's media box (to turn y around).
fn media_top(document: &Document, page: &Dictionary) -> f64 {
    let mut dict = page;
    for _ in 0..32 {
        if let Ok(Object::Array(values)) = dict.get(b"MediaBox").and_then(|o| document.dereference(o).map(|(_, o)| o)) {
            let values: Vec<f64> = values.iter().filter_map(number).collect();
            if let [_, y0, _, y1] = values.as_slice() {
                return y0.max(*y1);
            }
        }
        let Some(parent) = dict.get(b"Parent").ok().and_then(|o| o.as_reference().ok()).and_then(|id| document.get_dictionary(id).ok()) else { break };
        dict = parent;
    }
    842.0
}

/// The page's resource dictionary (its own, or the nearest ancestor's).
fn page_resources(document: &Document, page: ObjectId) -> Option<Dictionary> {
    let (direct, referenced) = document.get_page_resources(page).ok()?;
    direct.cloned().or_else(|| referenced.first().and_then(|id| document.get_dictionary(*id).ok()).cloned())
}

fn dict_in<'a>(document: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Dictionary> {
    document.dereference(dict.get(key).ok()?).ok()?.1.as_dict().ok()
}

/// What the reader needs of a font.
struct Font {
    /// Bytes per character code: 2 for Type0 (Identity-H), 1 otherwise.
    width: usize,
    /// Advance widths in thousandths of the size, by code.
    advances: HashMap<u32, f64>,
    default_advance: f64,
    /// Unicode text of each code.
    unicode: HashMap<u32, String>,
}

impl Font {
    fn load(document: &Document, dict: &Dictionary) -> Font {
        let type0 = dict.get(b"Subtype").ok().and_then(|o| o.as_name().ok()) == Some(b"Type0".as_slice());
        let mut font =
            Font { width: if type0 { 2 } else { 1 }, advances: HashMap::new(), default_advance: if type0 { 1000.0 } else { 0.0 }, unicode: HashMap::new() };
        let deref = |o: &Object| document.dereference(o).ok().map(|(_, o)| o.clone());
        if type0 {
            let descendant =
                dict.get(b"DescendantFonts").ok().and_then(deref).and_then(|o| o.as_array().ok().and_then(|a| a.first().cloned())).and_then(|o| deref(&o));
            if let Some(Object::Dictionary(cid)) = descendant {
                if let Some(dw) = cid.get(b"DW").ok().and_then(number) {
                    font.default_advance = dw;
                }
                if let Some(Object::Array(w)) = cid.get(b"W").ok().and_then(deref) {
                    // Codes above MAX_CODE are never shown; every range is cut to it, and the
                    // entries set are counted (ranges may overlap).
                    let mut budget = MAX_FONT_ENTRIES;
                    let mut i = 0;
                    while i < w.len() && budget > 0 {
                        let first = number(&w[i]).unwrap_or(0.0).clamp(0.0, f64::from(MAX_CODE) + 1.0) as u32;
                        match w.get(i + 1).and_then(deref) {
                            Some(Object::Array(list)) => {
                                for (code, value) in (first..=MAX_CODE).zip(list.iter()).take(budget) {
                                    font.advances.insert(code, number(value).unwrap_or(0.0));
                                    budget -= 1;
                                }
                                i += 2;
                            }
                            Some(last) => {
                                let last = number(&last).unwrap_or(0.0).clamp(0.0, f64::from(MAX_CODE)) as u32;
                                let value = w.get(i + 2).and_then(number).unwrap_or(0.0);
                                for code in (first..=last).take(budget) {
                                    font.advances.insert(code, value);
                                    budget -= 1;
                                }
                                i += 3;
                            }
                            None => break,
                        }
                    }
                }
            }
        } else {
            let first = dict.get(b"FirstChar").ok().and_then(number).unwrap_or(0.0) as u32;
            if let Some(Object::Array(widths)) = dict.get(b"Widths").ok().and_then(deref) {
                for (code, value) in (first..=MAX_CODE).zip(widths.iter()) {
                    font.advances.insert(code, number(value).unwrap_or(0.0));
                }
            }
            // Type 3 fonts measure in glyph space: their matrix scales it to text space.
            if let Some(Object::Array(m)) = dict.get(b"FontMatrix").ok().and_then(deref)
                && let Some(scale) = m.first().and_then(number)
            {
                for value in font.advances.values_mut() {
                    *value *= scale * 1000.0;
                }
            }
        }
        if let Some(Object::Stream(stream)) = dict.get(b"ToUnicode").ok().and_then(deref)
            && let Ok(bytes) = stream
                .decompressed_content_with_limit(MAX_CMAP_BYTES)
                .or_else(|_| if stream.content.len() <= MAX_CMAP_BYTES { Ok(stream.content.clone()) } else { Err(()) })
        {
            font.unicode = to_unicode(&String::from_utf8_lossy(&bytes));
        }
        font
    }
}

/// A ToUnicode CMap's `bfchar` and `bfrange` entries, for codes up to [`MAX_CODE`] and at
/// most [`MAX_FONT_ENTRIES`] of them (ranges that overlap count each time).
fn to_unicode(cmap: &str) -> HashMap<u32, String> {
    let mut map = HashMap::new();
    let mut budget = MAX_FONT_ENTRIES;
    let hex = |s: &str| u32::from_str_radix(s, 16).ok();
    let text = |s: &str| {
        let units: Vec<u16> = (0..s.len() / 4).filter_map(|i| s.get(i * 4..i * 4 + 4).and_then(|h| u16::from_str_radix(h, 16).ok())).collect();
        String::from_utf16_lossy(&units)
    };
    let tokens: Vec<&str> = cmap.split(|c: char| c == '<' || c == '>' || c.is_whitespace()).filter(|t| !t.is_empty()).collect();
    let mut i = 0;
    while i < tokens.len() {
        match tokens[i] {
            "beginbfchar" => {
                i += 1;
                while i + 1 < tokens.len() && tokens[i] != "endbfchar" {
                    if let Some(code) = hex(tokens[i]).filter(|&c| c <= MAX_CODE && budget > 0) {
                        map.insert(code, text(tokens[i + 1]));
                        budget -= 1;
                    }
                    i += 2;
                }
            }
            "beginbfrange" => {
                i += 1;
                while i + 2 < tokens.len() && tokens[i] != "endbfrange" {
                    let (Some(lo), Some(hi)) = (hex(tokens[i]), hex(tokens[i + 1])) else { break };
                    if tokens[i + 2].starts_with('[') {
                        // `[<a> <b> …]`: one destination per code.
                        let mut j = i + 2;
                        let mut code = lo;
                        while j < tokens.len() {
                            let token = tokens[j].trim_matches(|c| c == '[' || c == ']');
                            if !token.is_empty() && code <= MAX_CODE && budget > 0 {
                                map.insert(code, text(token));
                                code += 1;
                                budget -= 1;
                            }
                            if tokens[j].ends_with(']') {
                                break;
                            }
                            j += 1;
                        }
                        i = j + 1;
                    } else {
                        let base = text(tokens[i + 2]);
                        let units: Vec<u16> = base.encode_utf16().collect();
                        for code in (lo..=hi.min(MAX_CODE)).take(budget) {
                            budget -= 1;
                            let mut units = units.clone();
                            if let Some(last) = units.last_mut() {
                                *last = last.wrapping_add((code - lo) as u16);
                            }
                            map.insert(code, String::from_utf16_lossy(&units));
                        }
                        i += 3;
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    map
}

#[derive(Clone)]
struct TextState {
    fill: Vec<f64>,
    font: Option<ObjectId>,
    size: f64,
    char_spacing: f64,
    word_spacing: f64,
    scale: f64,
    leading: f64,
    rise: f64,
}

struct Reader<'a, 'o> {
    document: &'a Document,
    page: usize,
    top: f64,
    fonts: HashMap<ObjectId, Font>,
    out: &'o mut Vec<PageChar>,
    depth: usize,
    /// Content operators run for this page so far (see [`MAX_PAGE_OPERATIONS`]).
    operations: usize,
    /// Content bytes decoded for this page so far (see [`MAX_PAGE_DECODED`]).
    decoded: usize,
}

impl Reader<'_, '_> {
    fn run(&mut self, content: &[u8], resources: Option<&Dictionary>, ctm: Matrix) {
        let Ok(content) = Content::decode(content) else { return };
        let fonts = resources.and_then(|r| dict_in(self.document, r, b"Font")).cloned();
        let xobjects = resources.and_then(|r| dict_in(self.document, r, b"XObject")).cloned();
        let mut ctm = ctm;
        let mut stack: Vec<(Matrix, TextState)> = Vec::new();
        let mut ts = TextState { fill: vec![0.0], font: None, size: 0.0, char_spacing: 0.0, word_spacing: 0.0, scale: 1.0, leading: 0.0, rise: 0.0 };
        let (mut tm, mut tlm): (Matrix, Matrix) = ([1.0, 0.0, 0.0, 1.0, 0.0, 0.0], [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);
        for op in &content.operations {
            // A page's work is bounded: beyond it, the rest of the page is not read.
            self.operations += 1;
            if self.operations > MAX_PAGE_OPERATIONS {
                return;
            }
            let operands = &op.operands;
            let num = |i: usize| operands.get(i).and_then(number).unwrap_or(0.0);
            match op.operator.as_str() {
                "q" => stack.push((ctm, ts.clone())),
                "Q" => {
                    if let Some(saved) = stack.pop() {
                        (ctm, ts) = saved;
                    }
                }
                "cm" => {
                    if let Some(m) = matrix(operands) {
                        ctm = concat(m, ctm);
                    }
                }
                "BT" => {
                    tm = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];
                    tlm = tm;
                }
                "Tf" => {
                    ts.size = num(1);
                    ts.font = operands.first().and_then(|o| o.as_name().ok()).and_then(|name| fonts.as_ref()?.get(name).ok()?.as_reference().ok());
                    if let Some(id) = ts.font
                        && !self.fonts.contains_key(&id)
                        && let Ok(dict) = self.document.get_dictionary(id)
                    {
                        self.fonts.insert(id, Font::load(self.document, dict));
                    }
                }
                "rg" | "g" | "k" | "sc" | "scn" => ts.fill = operands.iter().filter_map(number).collect(),
                "Tc" => ts.char_spacing = num(0),
                "Tw" => ts.word_spacing = num(0),
                "Tz" => ts.scale = num(0) / 100.0,
                "TL" => ts.leading = num(0),
                "Ts" => ts.rise = num(0),
                "Tm" => {
                    if let Some(m) = matrix(operands) {
                        tm = m;
                        tlm = m;
                    }
                }
                "Td" | "TD" => {
                    if op.operator == "TD" {
                        ts.leading = -num(1);
                    }
                    tlm = concat([1.0, 0.0, 0.0, 1.0, num(0), num(1)], tlm);
                    tm = tlm;
                }
                "T*" => {
                    tlm = concat([1.0, 0.0, 0.0, 1.0, 0.0, -ts.leading], tlm);
                    tm = tlm;
                }
                "Tj" | "'" | "\"" | "TJ" => {
                    if op.operator != "Tj" && op.operator != "TJ" {
                        tlm = concat([1.0, 0.0, 0.0, 1.0, 0.0, -ts.leading], tlm);
                        tm = tlm;
                    }
                    let items: Vec<Object> = match operands.last() {
                        Some(Object::Array(items)) => items.clone(),
                        Some(other) => vec![other.clone()],
                        None => Vec::new(),
                    };
                    for item in &items {
                        match item {
                            Object::String(bytes, _) => self.show(bytes, &ts, &mut tm, ctm),
                            other => {
                                let adjust = number(other).unwrap_or(0.0);
                                tm = concat([1.0, 0.0, 0.0, 1.0, -adjust / 1000.0 * ts.size * ts.scale, 0.0], tm);
                            }
                        }
                    }
                }
                "Do" if self.depth < 8 => {
                    let Some(form) = operands.first().and_then(|o| o.as_name().ok()).and_then(|name| xobjects.as_ref()?.get(name).ok()?.as_reference().ok())
                    else {
                        continue;
                    };
                    let Ok(Object::Stream(stream)) = self.document.get_object(form) else { continue };
                    if stream.dict.get(b"Subtype").ok().and_then(|o| o.as_name().ok()) != Some(b"Form".as_slice()) {
                        continue;
                    }
                    let m = stream.dict.get(b"Matrix").ok().and_then(|o| o.as_array().ok()).and_then(|a| matrix(a)).unwrap_or([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);
                    let inner = dict_in(self.document, &stream.dict, b"Resources").cloned().or_else(|| resources.cloned());
                    let limit = MAX_CONTENT.min(MAX_PAGE_DECODED.saturating_sub(self.decoded));
                    let bytes = match stream.decompressed_content_with_limit(limit) {
                        Ok(bytes) => bytes,
                        Err(_) if stream.content.len() <= limit => stream.content.clone(),
                        Err(_) => continue,
                    };
                    self.decoded += bytes.len().max(1);
                    if self.decoded > MAX_PAGE_DECODED {
                        continue;
                    }
                    self.depth += 1;
                    self.run(&bytes, inner.as_ref(), concat(m, ctm));
                    self.depth -= 1;
                }
                _ => {}
            }
        }
    }

    /// Shows a string: one character per code, advancing the text matrix.
    fn show(&mut self, bytes: &[u8], ts: &TextState, tm: &mut Matrix, ctm: Matrix) {
        let Some(font) = ts.font.and_then(|id| self.fonts.get(&id)) else { return };
        for code_bytes in bytes.chunks(font.width) {
            let code = code_bytes.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
            let advance = font.advances.get(&code).copied().unwrap_or(font.default_advance) / 1000.0;
            let trm = concat([ts.size * ts.scale, 0.0, 0.0, ts.size, 0.0, ts.rise], concat(*tm, ctm));
            let corners = [apply(trm, (0.0, -0.12)), apply(trm, (advance, -0.12)), apply(trm, (0.0, 0.88)), apply(trm, (advance, 0.88))];
            let (xs, ys): (Vec<f64>, Vec<f64>) = corners.iter().map(|&(x, y)| (x, self.top - y)).unzip();
            let area = Area {
                x0: xs.iter().copied().fold(f64::INFINITY, f64::min),
                x1: xs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                y0: ys.iter().copied().fold(f64::INFINITY, f64::min),
                y1: ys.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            };
            let baseline = self.top - apply(trm, (0.0, 0.0)).1;
            let text = font.unicode.get(&code).cloned().unwrap_or_else(|| if font.width == 1 { char::from(code as u8).to_string() } else { String::new() });
            if !text.is_empty() {
                self.out.push(PageChar { page: self.page, text, area, baseline, fill: ts.fill.clone() });
            }
            let spacing = if font.width == 1 && code == 32 { ts.word_spacing } else { 0.0 };
            let tx = (advance * ts.size + ts.char_spacing + spacing) * ts.scale;
            *tm = concat([1.0, 0.0, 0.0, 1.0, tx, 0.0], *tm);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_unicode_reads_chars_and_ranges() {
        let cmap = "1 beginbfchar\n<0003> <7EFF>\nendbfchar\n2 beginbfrange\n<0010> <0012> <0041>\n<0020> <0021> [<8272> <00660069>]\nendbfrange";
        let map = to_unicode(cmap);
        assert_eq!(map.get(&3).map(String::as_str), Some("绿"));
        assert_eq!(map.get(&0x11).map(String::as_str), Some("B"));
        assert_eq!(map.get(&0x20).map(String::as_str), Some("色"));
        assert_eq!(map.get(&0x21).map(String::as_str), Some("fi"));
    }

    #[test]
    fn matrices_concatenate_as_pdf_does() {
        let translate = [1.0, 0.0, 0.0, 1.0, 10.0, 20.0];
        let scale = [2.0, 0.0, 0.0, 2.0, 0.0, 0.0];
        // First scale, then translate.
        assert_eq!(apply(concat(scale, translate), (1.0, 1.0)), (12.0, 22.0));
    }

    /// A one-page document whose page draws form `/F`, which draws itself `times` times, and
    /// whose font has the given `W` array and ToUnicode map.
    fn hostile(times: usize, w: Vec<Object>, cmap: &str) -> Document {
        use lopdf::{Stream, dictionary};
        let mut doc = Document::with_version("1.7");
        let cmap_id = doc.add_object(Stream::new(dictionary! {}, cmap.as_bytes().to_vec()));
        let cid = doc.add_object(dictionary! { "Type" => "Font", "Subtype" => "CIDFontType2", "W" => w });
        let font = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "Type0", "DescendantFonts" => vec![Object::Reference(cid)], "ToUnicode" => Object::Reference(cmap_id),
        });
        let form_id = doc.new_object_id();
        let mut content = b"BT /A 10 Tf 0 0 Td <0041> Tj ET\n".to_vec();
        content.extend(b"/F Do\n".repeat(times));
        let form = Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Form", "BBox" => vec![0.into(), 0.into(), 10.into(), 10.into()],
                "Resources" => dictionary! { "XObject" => dictionary! { "F" => Object::Reference(form_id) }, "Font" => dictionary! { "A" => Object::Reference(font) } },
            },
            content,
        );
        doc.objects.insert(form_id, Object::Stream(form));
        let page_content = doc.add_object(Stream::new(dictionary! {}, b"/F Do".to_vec()));
        let pages_id = doc.new_object_id();
        let page = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => Object::Reference(pages_id), "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Contents" => Object::Reference(page_content),
            "Resources" => dictionary! { "XObject" => dictionary! { "F" => Object::Reference(form_id) } },
        });
        doc.objects.insert(pages_id, Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => vec![Object::Reference(page)], "Count" => 1 }));
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => Object::Reference(pages_id) });
        doc.trailer.set("Root", Object::Reference(catalog));
        doc
    }

    #[test]
    fn a_form_that_draws_itself_is_read_in_bounded_time() {
        let started = std::time::Instant::now();
        // 30 self-draws, 8 deep: 30^8 forms unbounded.
        let chars = characters(&hostile(30, vec![], "1 beginbfchar\n<0041> <0041>\nendbfchar"), &[0]);
        assert!(!chars.is_empty() && chars.iter().all(|c| c.text == "A"));
        assert!(chars.len() <= MAX_PAGE_OPERATIONS, "{}", chars.len());
        assert!(started.elapsed() < std::time::Duration::from_secs(20), "{:?}", started.elapsed());
    }

    #[test]
    fn huge_width_and_unicode_ranges_are_cut_to_the_codes_a_font_can_have() {
        // 20 000 ranges over every 4-byte code, in the widths and in the ToUnicode map.
        let mut w = Vec::new();
        for _ in 0..20_000 {
            w.extend([Object::Integer(0), Object::Integer(u32::MAX as i64), Object::Integer(500)]);
        }
        w.extend([Object::Integer(4_294_967_000), Object::Array(vec![Object::Integer(1); 1000])]);
        let cmap = format!("20000 beginbfrange\n{}endbfrange", "<00000000> <FFFFFFFF> <0041>\n".repeat(20_000));
        let started = std::time::Instant::now();
        let map = to_unicode(&cmap);
        assert!(map.len() <= MAX_CODE as usize + 1);
        let chars = characters(&hostile(1, w, &cmap), &[0]);
        assert!(!chars.is_empty());
        assert!(started.elapsed() < std::time::Duration::from_secs(20), "{:?}", started.elapsed());
    }
}
