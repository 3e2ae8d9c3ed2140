//! The press edition (`build --format press`), read back as a printing house's preflight
//! would: the boxes of every page, colour spaces and inks of every content stream and
//! picture (lopdf), the plates Ghostscript separates (`inkcov`, `pamcmyk32`), fonts
//! (pdffonts), the file's structure (qpdf --check), and the pages against the print edition.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::*;
use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object, ObjectId};

/// 3 mm, the default bleed, in pt.
const BLEED: f64 = 3.0 * 72.0 / 25.4;

/// The print and press editions of a manuscript, built once: (guard, print, press).
struct Editions {
    _out: tempfile::TempDir,
    print: PathBuf,
    press: PathBuf,
}

fn editions(manuscript: &Path, output: &str, design: Option<&str>) -> Editions {
    let out = tempfile::tempdir().unwrap();
    for format in ["pdf", "press"] {
        let mut args = vec!["build", "--format", format, "--manuscript", manuscript.to_str().unwrap(), "--out", out.path().to_str().unwrap()];
        if let Some(design) = design {
            args.extend(["--design", design]);
        }
        let run = reportpress(&args);
        assert!(run.status.success(), "build --format {format} of {} failed:\n{}", manuscript.display(), String::from_utf8_lossy(&run.stderr));
    }
    let print = out.path().join(format!("{output}.pdf"));
    let press = out.path().join(format!("{output}-press.pdf"));
    assert!(press.is_file(), "no {}", press.display());
    Editions { _out: out, print, press }
}

/// The article (magazine design, charts).
fn article() -> &'static Editions {
    static BUILT: OnceLock<Editions> = OnceLock::new();
    BUILT.get_or_init(|| editions(&root().join("manuscript"), "leiyang-green-transformation", None))
}

/// The annual report (report design: a full-bleed cover, roman and arabic folios).
fn annual() -> &'static Editions {
    static BUILT: OnceLock<Editions> = OnceLock::new();
    BUILT.get_or_init(|| editions(&root().join("tests/manuscripts/annual"), "annual-report", None))
}

fn load(pdf: &Path) -> Document {
    Document::load(pdf).unwrap_or_else(|e| panic!("{} cannot be read: {e}", pdf.display()))
}

fn rect(doc: &Document, page: &Dictionary, key: &[u8]) -> [f64; 4] {
    let value = page.get(key).unwrap_or_else(|_| panic!("the page has no {}", String::from_utf8_lossy(key)));
    let (_, value) = doc.dereference(value).unwrap();
    let numbers: Vec<f64> = value.as_array().unwrap().iter().map(|o| f64::from(o.as_float().unwrap())).collect();
    numbers.try_into().unwrap()
}

fn close(a: [f64; 4], b: [f64; 4]) -> bool {
    a.iter().zip(b).all(|(x, y)| (x - y).abs() < 0.01)
}

#[test]
fn every_page_has_its_trim_bleed_and_sheet_boxes() {
    for editions in [article(), annual()] {
        let (print, press) = (load(&editions.print), load(&editions.press));
        let print_pages: Vec<ObjectId> = print.get_pages().into_values().collect();
        let press_pages: Vec<ObjectId> = press.get_pages().into_values().collect();
        assert_eq!(press_pages.len(), print_pages.len(), "{}: the press edition has the print edition's pages", editions.press.display());
        for (number, (print_id, press_id)) in print_pages.iter().zip(&press_pages).enumerate() {
            let print_page = print.get_dictionary(*print_id).unwrap();
            let page = press.get_dictionary(*press_id).unwrap();
            let paper = rect(&print, print_page, b"MediaBox");
            let trim = rect(&press, page, b"TrimBox");
            let bleed = rect(&press, page, b"BleedBox");
            let media = rect(&press, page, b"MediaBox");
            let crop = rect(&press, page, b"CropBox");
            let size = |r: [f64; 4]| (r[2] - r[0], r[3] - r[1]);
            let (w, h) = size(trim);
            assert!(
                (w - size(paper).0).abs() < 0.01 && (h - size(paper).1).abs() < 0.01,
                "page {}: the trim is the print page: {trim:?} vs {paper:?}",
                number + 1
            );
            assert!(
                close(bleed, [trim[0] - BLEED, trim[1] - BLEED, trim[2] + BLEED, trim[3] + BLEED]),
                "page {}: BleedBox = TrimBox + 3 mm: {bleed:?} {trim:?}",
                number + 1
            );
            // The sheet holds the marks beyond the bleed; the CropBox shows all of it.
            assert!(
                media[0] < bleed[0] - 20.0 && media[1] < bleed[1] - 20.0 && media[2] > bleed[2] + 20.0 && media[3] > bleed[3] + 20.0,
                "page {}: {media:?}",
                number + 1
            );
            assert!(close(crop, media), "page {}: CropBox {crop:?} MediaBox {media:?}", number + 1);
            assert!(page.get(b"Annots").is_err(), "page {}: no annotations on a PDF/X page", number + 1);
        }
    }
}

/// Every content stream of the file (pages, forms, tiling patterns) with its resources.
fn content_streams(doc: &Document) -> Vec<(String, Vec<u8>, Option<Dictionary>)> {
    let mut streams = Vec::new();
    for (number, page_id) in doc.get_pages() {
        let page = doc.get_dictionary(page_id).unwrap();
        let resources = page.get(b"Resources").ok().and_then(|r| doc.dereference(r).ok()).and_then(|(_, r)| r.as_dict().ok().cloned());
        streams.push((format!("page {number}"), doc.get_page_content(page_id), resources));
    }
    for (id, object) in &doc.objects {
        let Ok(stream) = object.as_stream() else { continue };
        let form = stream.dict.get(b"Subtype").and_then(|s| s.as_name()).ok() == Some(b"Form");
        let tiling = stream.dict.get(b"PatternType").and_then(|t| t.as_i64()).ok() == Some(1);
        if form || tiling {
            let resources = stream.dict.get(b"Resources").ok().and_then(|r| doc.dereference(r).ok()).and_then(|(_, r)| r.as_dict().ok().cloned());
            streams.push((format!("object {id:?}"), stream.decompressed_content().unwrap_or_else(|_| stream.content.clone()), resources));
        }
    }
    streams
}

/// Every name in an object, recursively (references not followed).
fn names(object: &Object, out: &mut Vec<Vec<u8>>) {
    match object {
        Object::Name(name) => out.push(name.clone()),
        Object::Array(items) => items.iter().for_each(|i| names(i, out)),
        Object::Dictionary(dict) => dict.iter().for_each(|(_, v)| names(v, out)),
        Object::Stream(stream) => stream.dict.iter().for_each(|(_, v)| names(v, out)),
        _ => {}
    }
}

#[test]
fn no_rgb_colour_is_left_in_the_file() {
    for editions in [article(), annual()] {
        let doc = load(&editions.press);
        let what = editions.press.display();
        for (id, object) in &doc.objects {
            let mut found = Vec::new();
            names(object, &mut found);
            assert!(!found.iter().any(|n| n == b"DeviceRGB" || n == b"CalRGB"), "{what}: object {id:?} names an RGB colour space: {object:?}");
            // ICC-based spaces: only the CMYK output profile (4 components) and greys.
            if let Ok(stream) = object.as_stream()
                && stream.dict.get(b"N").is_ok()
                && stream.dict.get(b"Subtype").is_err()
            {
                assert_ne!(stream.dict.get(b"N").unwrap().as_i64().unwrap(), 3, "{what}: an RGB ICC profile, object {id:?}");
            }
        }
        for (place, data, _) in content_streams(&doc) {
            let content = Content::decode(&data).unwrap();
            for op in &content.operations {
                assert!(!["rg", "RG"].contains(&op.operator.as_str()), "{what}, {place}: an RGB colour operator {op:?}");
            }
        }
    }
}

/// The fill colour each text-showing operator paints with, per content stream.
fn text_fills(doc: &Document) -> Vec<(String, String, Vec<f32>)> {
    let mut found = Vec::new();
    for (place, data, _) in content_streams(doc) {
        let content = Content::decode(&data).unwrap();
        // (operator, operands) of the fill colour; DeviceGray black is the initial one.
        let mut fill = ("g".to_string(), vec![0.0f32]);
        let mut saved = Vec::new();
        for op in content.operations {
            let numbers: Vec<f32> = op.operands.iter().filter_map(|o| o.as_float().ok()).collect();
            match op.operator.as_str() {
                "q" => saved.push(fill.clone()),
                "Q" => fill = saved.pop().unwrap_or(("g".into(), vec![0.0])),
                "g" | "rg" | "k" | "sc" | "scn" => fill = (op.operator.clone(), numbers),
                "cs" => fill = (format!("cs {:?}", op.operands), Vec::new()),
                "Tj" | "TJ" | "'" | "\"" => found.push((place.clone(), fill.0.clone(), fill.1.clone())),
                _ => {}
            }
        }
    }
    found
}

#[test]
fn all_text_is_painted_in_black_ink_only() {
    for editions in [article(), annual()] {
        let doc = load(&editions.press);
        let fills = text_fills(&doc);
        assert!(fills.len() > 100, "the book's text is found: {}", fills.len());
        for (place, operator, values) in &fills {
            // CMYK with no C, M or Y: black, a tint of black, or white (no ink at all).
            let k_only = operator == "k" && values.len() == 4 && values[..3].iter().all(|v| *v == 0.0);
            assert!(k_only, "{}, {place}: text painted with `{operator} {values:?}`", editions.press.display());
        }
    }
    // And on the plates: text alone (pictures and vector art filtered out) puts no ink on
    // the cyan, magenta and yellow plates of any page.
    for editions in [article(), annual()] {
        let pages = inkcov(&editions.press, &["-dFILTERIMAGE", "-dFILTERVECTOR"]);
        for (page, [c, m, y, _]) in pages.iter().enumerate() {
            assert!(*c == 0.0 && *m == 0.0 && *y == 0.0, "page {}: text puts C {c} M {m} Y {y} on the plates", page + 1);
        }
        // (The text does print: the black plate has ink on the body pages.)
        assert!(pages.iter().filter(|[.., k]| *k > 0.005).count() > pages.len() / 2, "{pages:?}");
    }
}

/// One plate of Ghostscript's `tiffsep` (an uncompressed 8-bit TIFF, 0 = full ink): its
/// width, height and ink per pixel (0–255).
fn read_plate(bytes: &[u8]) -> (usize, usize, Vec<u8>) {
    assert_eq!(&bytes[..4], b"II*\0", "a little-endian TIFF");
    let u16_at = |at: usize| usize::from(u16::from_le_bytes([bytes[at], bytes[at + 1]]));
    let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
    let ifd = u32_at(4);
    let mut tags = BTreeMap::new();
    for entry in 0..u16_at(ifd) {
        let at = ifd + 2 + entry * 12;
        let (tag, kind, count) = (u16_at(at), u16_at(at + 2), u32_at(at + 4));
        let size = if kind == 3 { 2 } else { 4 };
        let values_at = if count * size <= 4 { at + 8 } else { u32_at(at + 8) };
        let values: Vec<usize> = (0..count).map(|i| if kind == 3 { u16_at(values_at + i * 2) } else { u32_at(values_at + i * 4) }).collect();
        tags.insert(tag, values);
    }
    assert_eq!(tags[&259], [1], "uncompressed");
    assert_eq!(tags[&262], [1], "0 is black: full ink");
    let (width, height) = (tags[&256][0], tags[&257][0]);
    let mut ink = Vec::with_capacity(width * height);
    for (offset, length) in tags[&273].iter().zip(&tags[&279]) {
        ink.extend(bytes[*offset..offset + length].iter().map(|v| 255 - v));
    }
    (width, height, ink)
}

#[test]
fn text_alone_is_on_the_black_plate_only() {
    // Each page separated by Ghostscript (tiffsep) with vector art (rules, backgrounds,
    // charts) filtered out: the text's pixels are on the black plate, none on the cyan,
    // magenta or yellow. (tiffsep's -dFILTERIMAGE drops the glyphs too, which Ghostscript
    // draws from cached bitmaps; these two books hold no raster picture to filter.)
    for editions in [article(), annual()] {
        let doc = load(&editions.press);
        let pictures =
            doc.objects.values().filter_map(|o| o.as_stream().ok()).filter(|s| s.dict.get(b"Subtype").and_then(|t| t.as_name()).ok() == Some(b"Image")).count();
        assert_eq!(pictures, 0, "{}: no raster pictures", editions.press.display());
        let dir = tempfile::tempdir().unwrap();
        let output = format!("-sOutputFile={}", dir.path().join("page-%03d.tif").display());
        let press = editions.press.to_str().unwrap();
        tool(
            "gs",
            &["-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-dUseTrimBox", "-r50", "-dFILTERVECTOR", "-sCompression=none", "-sDEVICE=tiffsep", &output, press],
        );
        let mut black_pixels = 0;
        let mut pages = 0;
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let Some(plate) = name.split('(').nth(1).map(|p| p.trim_end_matches(").tif").to_string()) else { continue };
            let (width, height, ink) = read_plate(&std::fs::read(&path).unwrap());
            assert_eq!(ink.len(), width * height, "{name}");
            let inked = ink.iter().filter(|v| **v > 0).count();
            match plate.as_str() {
                "Black" => {
                    pages += 1;
                    black_pixels += inked;
                }
                _ => assert_eq!(inked, 0, "{press}: {name}: text on the {plate} plate"),
            }
        }
        assert!(pages >= 3 && black_pixels > 10_000, "{press}: the text is on the black plate ({pages} pages, {black_pixels} pixels)");
    }
}

/// Ghostscript's ink coverage (C, M, Y, K as fractions of the page) of each page.
fn inkcov(pdf: &Path, extra: &[&str]) -> Vec<[f64; 4]> {
    let mut args = vec!["-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-dUseTrimBox", "-r36", "-sDEVICE=inkcov", "-o", "-"];
    args.extend(extra);
    args.push(pdf.to_str().unwrap());
    let text = tool("gs", &args);
    text.lines()
        .filter(|l| l.contains("CMYK"))
        .map(|line| {
            let v: Vec<f64> = line.split_whitespace().filter_map(|w| w.parse().ok()).collect();
            [v[0], v[1], v[2], v[3]]
        })
        .collect()
}

/// The pages rendered in CMYK by Ghostscript (`pamcmyk32`), within `box_option`
/// (`-dUseBleedBox` …), at `dpi`: (width, height, CMYK bytes) per page.
fn plates(pdf: &Path, box_option: &str, dpi: u32, pages: Option<(usize, usize)>) -> Vec<(usize, usize, Vec<u8>)> {
    let dir = tempfile::tempdir().unwrap();
    let pattern = dir.path().join("page-%03d.pam");
    let resolution = format!("-r{dpi}");
    let output = format!("-sOutputFile={}", pattern.display());
    let mut args = vec!["-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", box_option, resolution.as_str(), "-sDEVICE=pamcmyk32", output.as_str()];
    let range;
    if let Some((first, last)) = pages {
        range = [format!("-dFirstPage={first}"), format!("-dLastPage={last}")];
        args.extend(range.iter().map(String::as_str));
    }
    args.push(pdf.to_str().unwrap());
    tool("gs", &args);
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    files.iter().map(|file| read_pam(&std::fs::read(file).unwrap())).collect()
}

/// A PAM file's width, height and samples.
fn read_pam(bytes: &[u8]) -> (usize, usize, Vec<u8>) {
    let end = bytes.windows(7).position(|w| w == b"ENDHDR\n").expect("a PAM header") + 7;
    let header = String::from_utf8_lossy(&bytes[..end]);
    let field = |name: &str| header.lines().find_map(|l| l.strip_prefix(name)).map(|v| v.trim().parse::<usize>().unwrap()).unwrap();
    let (width, height, depth) = (field("WIDTH "), field("HEIGHT "), field("DEPTH "));
    assert_eq!(depth, 4, "CMYK");
    (width, height, bytes[end..end + width * height * 4].to_vec())
}

#[test]
fn no_spot_of_any_page_takes_more_than_300_percent_ink() {
    for editions in [article(), annual()] {
        for (page, (width, height, cmyk)) in plates(&editions.press, "-dUseBleedBox", 50, None).iter().enumerate() {
            let mut heaviest = 0u32;
            for pixel in cmyk.chunks_exact(4) {
                heaviest = heaviest.max(pixel.iter().map(|v| u32::from(*v)).sum());
            }
            // 300 % of 255, and a step of rounding in each plate.
            assert!(
                heaviest <= 765 + 4,
                "{} page {}: {:.0} % ink somewhere in {width} × {height}",
                editions.press.display(),
                page + 1,
                f64::from(heaviest) / 2.55
            );
        }
    }
}

#[test]
fn the_report_cover_background_runs_into_the_bleed() {
    // The cover alone, rendered to the bleed box: its outermost pixels (the bleed, cut away
    // after printing) carry the accent's inks all round, as the trim's inner edge does.
    let pages = plates(&annual().press, "-dUseBleedBox", 72, Some((1, 1)));
    let (width, height, cmyk) = &pages[0];
    let ink = |x: usize, y: usize| -> u32 { cmyk[(y * width + x) * 4..][..4].iter().map(|v| u32::from(*v)).sum() };
    let edge: Vec<(usize, usize)> =
        (0..*width).step_by(7).flat_map(|x| [(x, 1), (x, height - 2)]).chain((0..*height).step_by(7).flat_map(|y| [(1, y), (width - 2, y)])).collect();
    for (x, y) in edge {
        assert!(ink(x, y) > 255, "the cover's bleed at ({x}, {y}) has {} % ink", ink(x, y) * 100 / 255);
    }
    // The title is white: paper showing through the background (no ink), on no plate.
    let cyan_free = cmyk.chunks_exact(4).filter(|p| p.iter().all(|v| *v == 0)).count();
    assert!(cyan_free > 500, "the cover's words are knocked out of the background: {cyan_free} white pixels");
    // A body page has no ink in its bleed: only the cover bleeds.
    let body = plates(&annual().press, "-dUseBleedBox", 36, Some((5, 5)));
    let (width, _, cmyk) = &body[0];
    assert!(cmyk[..width * 4 * 2].iter().all(|v| *v == 0), "page 5's bleed is blank");
}

#[test]
fn the_file_declares_pdfx4_with_its_output_intent() {
    let doc = load(&article().press);
    assert_eq!(doc.version, "1.6", "PDF/X-4 is based on PDF 1.6");
    let catalog = doc.catalog().unwrap();
    let intents = catalog.get(b"OutputIntents").unwrap().as_array().unwrap();
    assert_eq!(intents.len(), 1);
    let (_, intent) = doc.dereference(&intents[0]).unwrap();
    let intent = intent.as_dict().unwrap();
    assert_eq!(intent.get(b"S").unwrap().as_name().unwrap(), b"GTS_PDFX");
    assert_eq!(intent.get(b"OutputConditionIdentifier").unwrap().as_str().unwrap(), b"FOGRA39");
    let (_, profile) = doc.dereference(intent.get(b"DestOutputProfile").unwrap()).unwrap();
    let profile = profile.as_stream().unwrap();
    assert_eq!(profile.dict.get(b"N").unwrap().as_i64().unwrap(), 4);
    let icc = profile.decompressed_content().unwrap_or_else(|_| profile.content.clone());
    assert_eq!(&icc[12..20], b"prtrCMYK", "an output (printer) profile for CMYK");
    let info = doc.trailer.get(b"Info").and_then(|i| doc.dereference(i)).unwrap().1.as_dict().unwrap();
    assert_eq!(info.get(b"Trapped").unwrap().as_name().unwrap(), b"False");
    assert_eq!(info.get(b"GTS_PDFXVersion").unwrap().as_str().unwrap(), b"PDF/X-4");
    let (_, metadata) = doc.dereference(catalog.get(b"Metadata").unwrap()).unwrap();
    let xmp = String::from_utf8(metadata.as_stream().unwrap().content.clone()).unwrap();
    for property in [
        "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>",
        "<pdf:Trapped>False</pdf:Trapped>",
        "xmpMM:DocumentID",
        "xmpMM:VersionID",
        "<xmpMM:RenditionClass>default</xmpMM:RenditionClass>",
    ] {
        assert!(xmp.contains(property), "the XMP has {property}:\n{xmp}");
    }
    assert!(!xmp.contains("<pdf:PDFVersion>1.7"), "the XMP names the header's version:\n{xmp}");
    assert!(doc.trailer.get(b"ID").is_ok(), "a file identifier");
    assert!(doc.trailer.get(b"Encrypt").is_err());
}

#[test]
fn the_file_is_sound_and_its_fonts_are_embedded() {
    for editions in [article(), annual()] {
        let press = editions.press.to_str().unwrap();
        let check = std::process::Command::new("qpdf").args(["--check", press]).output().expect("qpdf");
        assert!(check.status.success(), "qpdf --check {press}: {}", String::from_utf8_lossy(&check.stdout));
        let fonts = tool("pdffonts", &[press]);
        let rows: Vec<&str> = fonts.lines().skip(2).collect();
        assert!(!rows.is_empty(), "{fonts}");
        for row in rows {
            // name, type, encoding, emb, sub, uni, object, generation: `emb` is the fourth
            // field from the end.
            let fields: Vec<&str> = row.split_whitespace().collect();
            assert_eq!(fields[fields.len() - 5], "yes", "a font not embedded: {row}");
        }
    }
}

/// The page labels (`/PageLabels` number tree) as (first page index, dictionary).
fn page_labels(doc: &Document) -> BTreeMap<i64, String> {
    let mut labels = BTreeMap::new();
    if let Ok(tree) = doc.catalog().unwrap().get(b"PageLabels") {
        let (_, tree) = doc.dereference(tree).unwrap();
        let nums = tree.as_dict().unwrap().get(b"Nums").unwrap().as_array().unwrap();
        for pair in nums.chunks(2) {
            let (_, label) = doc.dereference(&pair[1]).unwrap();
            labels.insert(pair[0].as_i64().unwrap(), format!("{:?}", label.as_dict().unwrap()));
        }
    }
    labels
}

#[test]
fn pages_and_page_labels_are_the_print_editions() {
    for editions in [article(), annual()] {
        let (print, press) = (load(&editions.print), load(&editions.press));
        assert_eq!(press.get_pages().len(), print.get_pages().len());
        assert_eq!(page_labels(&press), page_labels(&print), "{}", editions.press.display());
        // The same words on every page: the pagination is the print edition's.
        let pages = print.get_pages().len();
        for page in 1..=pages {
            // (In content order: pdftotext's reading order depends on the sheet's size.)
            let text = |pdf: &Path| {
                squeeze(&tool("pdftotext", &["-raw", "-f", &page.to_string(), "-l", &page.to_string(), "-enc", "UTF-8", pdf.to_str().unwrap(), "-"]))
            };
            assert_eq!(text(&editions.press), text(&editions.print), "page {page} of {}", editions.press.display());
        }
    }
    assert!(!page_labels(&load(&annual().press)).is_empty(), "the report numbers its front matter apart");
}

/// A PNG of `width` × `height` pixels, all one RGB colour.
fn png(width: u32, height: u32, rgb: [u8; 3]) -> Vec<u8> {
    let mut bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut bytes, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().unwrap();
        let data: Vec<u8> = (0..width * height).flat_map(|_| rgb).collect();
        writer.write_image_data(&data).unwrap();
    }
    bytes
}

#[test]
fn pictures_print_in_cmyk_and_a_coarse_one_is_named_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = dir.path().join("m");
    write_manuscript(&manuscript, "pictures", &[("text.md", "# 图片\n\n正文一段。\n\n![红色块](red.png)\n\n又一段正文。\n")]);
    std::fs::write(manuscript.join("red.png"), png(120, 80, [220, 30, 30])).unwrap();
    let out = dir.path().join("out");
    let run = reportpress(&["build", "--format", "press", "--manuscript", manuscript.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    // The warning names the picture's line and says what to do.
    assert!(stderr.contains("text.md:5"), "the line that places the picture: {stderr}");
    assert!(stderr.contains("ppi") && stderr.contains("red.png") && stderr.contains("pixels wide"), "{stderr}");
    let doc = load(&out.join("pictures-press.pdf"));
    let images: Vec<&lopdf::Stream> =
        doc.objects.values().filter_map(|o| o.as_stream().ok()).filter(|s| s.dict.get(b"Subtype").and_then(|t| t.as_name()).ok() == Some(b"Image")).collect();
    assert_eq!(images.len(), 1);
    assert_eq!(images[0].dict.get(b"ColorSpace").unwrap().as_name().unwrap(), b"DeviceCMYK");
    // The red prints with magenta and yellow, not cyan.
    let pixels = images[0].decompressed_content().unwrap();
    let first = &pixels[..4];
    assert!(first[1] > 180 && first[2] > 180 && first[0] < 40, "red in CMYK: {first:?}");
}

#[test]
fn report_toml_or_the_design_adds_the_press_edition_to_all() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = dir.path().join("m");
    write_manuscript(&manuscript, "plain", &[("text.md", "# 标题\n\n正文。\n")]);
    let out = dir.path().join("out");
    build_ok(&manuscript, &out, "all");
    assert!(!out.join("plain-press.pdf").exists(), "no press edition unless asked");
    replace_in(&manuscript.join("report.toml"), "output = ", "press = true\noutput = ");
    build_ok(&manuscript, &out, "all");
    for file in ["plain.pdf", "plain.epub", "plain-press.pdf"] {
        assert!(out.join(file).is_file(), "{file}");
    }
    // The design may ask instead (`[press] in-all = true`).
    replace_in(&manuscript.join("report.toml"), "press = true\n", "");
    let design = dir.path().join("design");
    copy_dir(&root().join("assets"), &design);
    replace_in(&design.join("design.toml"), "in-all = false", "in-all = true");
    let out = dir.path().join("out-design");
    let run = reportpress(&["build", "--manuscript", manuscript.to_str().unwrap(), "--assets", design.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    assert!(out.join("plain-press.pdf").is_file() && out.join("plain.epub").is_file());
}

#[test]
fn a_bleed_or_ink_the_press_cannot_take_is_named_in_the_design() {
    let dir = tempfile::tempdir().unwrap();
    let design = dir.path().join("design");
    copy_dir(&root().join("assets"), &design);
    let manuscript = dir.path().join("m");
    write_manuscript(&manuscript, "plain", &[("text.md", "# 标题\n\n正文。\n")]);
    for (from, to, said) in
        [("bleed = 3 ", "bleed = 30 ", "bleed = 30"), ("accent-cmyk = [15, 100, 100, 35]", "accent-cmyk = [100, 100, 100, 35]", "335 % ink")]
    {
        let toml = design.join("design.toml");
        let original = std::fs::read_to_string(&toml).unwrap();
        std::fs::write(&toml, original.replace(from, to)).unwrap();
        let run = reportpress(&[
            "build",
            "--format",
            "press",
            "--manuscript",
            manuscript.to_str().unwrap(),
            "--assets",
            design.to_str().unwrap(),
            "--out",
            dir.path().join("out").to_str().unwrap(),
        ]);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(!run.status.success(), "{stderr}");
        let line = original.lines().position(|l| l.starts_with(from.split(' ').next().unwrap())).unwrap() + 1;
        assert!(stderr.contains(&format!("design.toml:{line}")) && stderr.contains(said), "{said} at design.toml:{line}: {stderr}");
        std::fs::write(&toml, original).unwrap();
    }
}

#[test]
fn a_picture_marked_bleed_fills_its_page_into_the_bleed() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = dir.path().join("m");
    let text = "# 图片\n\n正文一段。\n\n![全景](wide.png \"全景示意\"){#fig:wide .bleed}\n\n又一段正文。\n";
    write_manuscript(&manuscript, "full", &[("text.md", text)]);
    replace_in(&manuscript.join("report.toml"), "output = ", "design = \"report\"\noutput = ");
    std::fs::write(manuscript.join("wide.png"), png(400, 560, [40, 160, 90])).unwrap();
    let editions = editions(&manuscript, "full", None);
    let press = load(&editions.press);
    let print = load(&editions.print);
    assert_eq!(press.get_pages().len(), print.get_pages().len());
    // The picture's page: the one with its caption.
    let page = (1..=press.get_pages().len())
        .find(|page| {
            let page = page.to_string();
            tool("pdftotext", &["-f", &page, "-l", &page, "-enc", "UTF-8", editions.press.to_str().unwrap(), "-"]).contains("全景示意")
        })
        .expect("a page with the picture's caption");
    let pages = plates(&editions.press, "-dUseBleedBox", 72, Some((page, page)));
    let (width, height, cmyk) = &pages[0];
    let ink = |x: usize, y: usize| -> u32 { cmyk[(y * width + x) * 4..][..4].iter().map(|v| u32::from(*v)).sum() };
    for (x, y) in [(1, 1), (width - 2, 1), (1, height - 2), (width - 2, height - 2), (width / 2, 1), (1, height / 2)] {
        assert!(ink(x, y) > 100, "page {page}: the picture reaches the bleed at ({x}, {y}): {} % ink", ink(x, y) * 100 / 255);
    }
    // In the print edition the picture fills the page to its edges.
    let print_pages = plates(&editions.print, "-dUseCropBox", 72, Some((page, page)));
    let (width, height, cmyk) = &print_pages[0];
    let corner: u32 = cmyk[((height - 2) * width + width - 2) * 4..][..4].iter().map(|v| u32::from(*v)).sum();
    assert!(corner > 100, "the print edition's picture page is inked to its corner");
    // A full-page picture inside a quote is refused at its line.
    write_manuscript(&manuscript, "full", &[("text.md", "# 图片\n\n> 引文。\n>\n> ![全景](wide.png){.bleed}\n")]);
    let run = reportpress(&["build", "--format", "pdf", "--manuscript", manuscript.to_str().unwrap(), "--out", dir.path().join("bad").to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success() && stderr.contains("text.md:5") && stderr.contains("full-page picture"), "{stderr}");
}
