//! The press edition (`build --format press`, `<output>-press.pdf`): the print edition's
//! pages as a printing house takes them — PDF/X-4, CMYK on a FOGRA39 profile, each page
//! with its bleed, crop and registration marks and its TrimBox and BleedBox.
//!
//! The book is laid out as for print, with [`PressInfo`] in the template's JSON: the
//! templates then set the bleed on every page (Typst's `page.bleed`, which only adds room
//! around the page, so the pagination is the print edition's), give the design's colours in
//! CMYK and set all text in black ink. Typst exports that layout (no tagging: a press file
//! is not read on screen); [`finish`] then completes it with lopdf:
//! - [`colour`]: every grey and RGB colour operator becomes CMYK (greys as tints of K);
//! - [`images`]: RGB pictures are converted through the press [`profile`], and [`shading`]
//!   RGB gradients;
//! - [`pages`]: the sheet grows beyond the bleed for the [`marks`]; the boxes are set;
//! - [`pdfx`]: the output intent, the PDF/X-4 version, `Trapped` and the XMP identifiers.
//!
//! [`resolution`] names the pictures printed at under 300 ppi.

pub mod colour;
pub mod images;
pub mod marks;
pub mod pages;
pub mod pdfx;
pub mod profile;
pub mod resolution;
pub mod shading;

use crate::design::Design;

/// What the templates read of the press edition (`press` in `document.json`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PressInfo {
    /// The bleed round each page, in mm.
    pub bleed: f64,
    /// The accent colour in CMYK, per cent of each ink.
    pub accent: [f64; 4],
}

/// The press edition's settings for a design: its bleed, and how its colours print.
pub struct PressSettings {
    /// What the templates are told.
    pub info: PressInfo,
    /// The design's colours (the accent, the chart palette) by RGB, with the CMYK the
    /// designer gave them.
    pub chosen: Vec<([u8; 3], [f64; 4])>,
    /// Conversion from sRGB into the press profile.
    pub converter: profile::Converter,
}

impl PressSettings {
    /// The press settings `design` asks for: its `[press]` values, and the colours it leaves
    /// out converted through the press profile.
    pub fn for_design(design: &Design) -> Result<Self, String> {
        let converter = profile::Converter::srgb()?;
        let percent = |cmyk: [f32; 4]| cmyk.map(|v| (f64::from(v) * 1000.0).round() / 10.0);
        let accent_rgb = design.layout.as_ref().and_then(|l| l.get("accent")).and_then(|a| a.as_str()).and_then(hex);
        let accent = match (design.press.accent_cmyk, accent_rgb) {
            (Some(cmyk), _) => cmyk,
            (None, Some(rgb)) => percent(converter.colour(rgb.map(|v| f32::from(v) / 255.0))),
            (None, None) => [0.0, 0.0, 0.0, 100.0],
        };
        let mut chosen = Vec::new();
        if let (Some(rgb), Some(cmyk)) = (accent_rgb, design.press.accent_cmyk) {
            chosen.push((rgb, cmyk));
        }
        if let Some(charts) = &design.charts {
            for (colour, cmyk) in charts.palette.iter().zip(&design.press.palette_cmyk) {
                if let Some(rgb) = hex(colour) {
                    chosen.push((rgb, *cmyk));
                }
            }
        }
        Ok(PressSettings { info: PressInfo { bleed: design.press.bleed, accent }, chosen, converter })
    }
}

/// `#rrggbb` as three bytes.
fn hex(colour: &str) -> Option<[u8; 3]> {
    let digits = colour.strip_prefix('#').filter(|d| d.len() == 6)?;
    let byte = |i: usize| u8::from_str_radix(digits.get(i..i + 2)?, 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?])
}

/// Completes the PDF Typst exported for the press edition (see the module documentation).
pub fn finish(pdf: &[u8], settings: &PressSettings) -> Result<Vec<u8>, String> {
    let mut doc = lopdf::Document::load_mem(pdf).map_err(|e| format!("the exported PDF cannot be read back ({e})"))?;
    let map = colour::ColourMap::new(&settings.chosen, settings.converter.clone());
    images::convert_all(&mut doc, map.converter())?;
    pages::finish_forms(&mut doc, &map)?;
    shading::convert_all(&mut doc, &map)?;
    let bleed = settings.info.bleed as f32 * marks::MM;
    pages::finish_pages(&mut doc, &map, bleed)?;
    pdfx::declare(&mut doc)?;
    doc.prune_objects();
    // A file that still names an RGB space is not PDF/X-4: say so rather than write it.
    if let Some(place) = leftover_rgb(&doc) {
        return Err(format!("{place} is still in RGB after the conversion to CMYK"));
    }
    let mut out = Vec::new();
    doc.save_to(&mut out).map_err(|e| format!("the press PDF cannot be written ({e})"))?;
    Ok(out)
}

/// Where `doc` still names an RGB colour space (DeviceRGB, CalRGB, an RGB ICC profile), if
/// anywhere.
fn leftover_rgb(doc: &lopdf::Document) -> Option<String> {
    use lopdf::Object;
    fn names_rgb(object: &Object) -> bool {
        match object {
            Object::Name(name) => name == b"DeviceRGB" || name == b"CalRGB",
            Object::Array(items) => items.iter().any(names_rgb),
            Object::Dictionary(dict) => dict.iter().any(|(_, v)| names_rgb(v)),
            Object::Stream(stream) => stream.dict.iter().any(|(_, v)| names_rgb(v)),
            _ => false,
        }
    }
    doc.objects.iter().find_map(|(id, object)| {
        let rgb_profile = object
            .as_stream()
            .is_ok_and(|s| s.dict.get(b"Subtype").is_err() && s.dict.get(b"N").and_then(|n| n.as_i64()).ok() == Some(3) && !s.dict.has(b"FunctionType"));
        (names_rgb(object) || rgb_profile).then(|| format!("PDF object {} {}", id.0, id.1))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn design_colours_are_read_as_rgb() {
        assert_eq!(hex("#8c1c13"), Some([0x8c, 0x1c, 0x13]));
        assert_eq!(hex("8c1c13"), None);
        assert_eq!(hex("#8c1c1"), None);
    }
}
