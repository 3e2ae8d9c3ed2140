//! Colour in the press edition's content streams: every RGB and grey colour operator
//! becomes a CMYK one.
//!
//! Typst writes the design's own colours in CMYK already (the templates use `cmyk()` on the
//! press edition); what is left in RGB or grey is black and grey text and rules (DeviceGray),
//! and the charts, which Typst imports as SVG (sRGB). Here a grey becomes a tint of K only,
//! a colour of the design's chart palette becomes the CMYK the designer gave for it, and any
//! other colour is converted through the press profile ([`super::profile`]).

use std::collections::HashMap;

use lopdf::content::{Content, Operation};
use lopdf::{Dictionary, Document, Object};

use super::profile::{Converter, grey_as_k};

/// How the press edition prints the RGB colours it meets.
pub struct ColourMap {
    /// Colours the design gave in CMYK (0–1), by their RGB (the accent, the chart palette).
    chosen: HashMap<[u8; 3], [f32; 4]>,
    converter: Converter,
}

/// The colour space an operator's operands are in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Space {
    Gray,
    Rgb,
    /// CMYK, a pattern, a separation or anything else left as it is.
    Other,
}

impl ColourMap {
    /// A map printing each `(rgb, cmyk)` pair as the designer chose (CMYK in per cent), and
    /// every other colour through `converter`.
    pub fn new(chosen: &[([u8; 3], [f64; 4])], converter: Converter) -> Self {
        let chosen = chosen.iter().map(|(rgb, cmyk)| (*rgb, cmyk.map(|v| (v / 100.0) as f32))).collect();
        ColourMap { chosen, converter }
    }

    /// The CMYK (0–1) an RGB colour (0–1) prints as.
    pub fn rgb(&self, rgb: [f32; 3]) -> [f32; 4] {
        if let Some(k) = grey_as_k(rgb) {
            return [0.0, 0.0, 0.0, k];
        }
        let bytes = rgb.map(|v| (v.clamp(0.0, 1.0) * 255.0).round() as u8);
        match self.chosen.get(&bytes) {
            Some(cmyk) => *cmyk,
            None => self.converter.colour(rgb),
        }
    }

    /// The converter of pictures and other colours.
    pub fn converter(&self) -> &Converter {
        &self.converter
    }

    /// Rewrites the colour operators of one content stream (`data`, decoded), whose named
    /// colour spaces are looked up in `resources`. Returns the new content, or `None` when
    /// nothing changed.
    pub fn rewrite(&self, doc: &Document, data: &[u8], resources: Option<&Dictionary>) -> Result<Option<Vec<u8>>, String> {
        let content = Content::decode(data).map_err(|e| format!("a content stream cannot be read ({e})"))?;
        let mut changed = false;
        // The fill and stroke colour spaces, saved and restored with the graphics state.
        let mut state = (Space::Gray, Space::Gray);
        let mut saved = Vec::new();
        let mut operations = Vec::with_capacity(content.operations.len());
        for op in content.operations {
            let replaced = match op.operator.as_str() {
                "q" => {
                    saved.push(state);
                    None
                }
                "Q" => {
                    state = saved.pop().unwrap_or((Space::Gray, Space::Gray));
                    None
                }
                // `g`, `rg` and `k` also set the colour space a later `sc` is in.
                "g" | "G" => {
                    set_space(&mut state, &op.operator, Space::Gray);
                    numbers(&op.operands, 1).map(|v| (op.operator == "g", [0.0, 0.0, 0.0, (1.0 - v[0]).clamp(0.0, 1.0)]))
                }
                "rg" | "RG" => {
                    set_space(&mut state, &op.operator, Space::Rgb);
                    numbers(&op.operands, 3).map(|v| (op.operator == "rg", self.rgb([v[0], v[1], v[2]])))
                }
                "k" | "K" => {
                    set_space(&mut state, &op.operator, Space::Other);
                    None
                }
                "cs" | "CS" => {
                    let space = op.operands.first().map_or(Space::Other, |name| space_of(doc, name, resources));
                    if op.operator == "cs" {
                        state.0 = space
                    } else {
                        state.1 = space
                    }
                    if space == Space::Other {
                        None
                    } else {
                        // The space is replaced with DeviceCMYK; its initial colour is black.
                        changed = true;
                        operations.push(Operation::new(&op.operator, vec![Object::Name(b"DeviceCMYK".to_vec())]));
                        continue;
                    }
                }
                "sc" | "scn" | "SC" | "SCN" => {
                    let fill = op.operator.starts_with('s');
                    match if fill { state.0 } else { state.1 } {
                        Space::Gray => numbers(&op.operands, 1).map(|v| (fill, [0.0, 0.0, 0.0, (1.0 - v[0]).clamp(0.0, 1.0)])),
                        Space::Rgb => numbers(&op.operands, 3).map(|v| (fill, self.rgb([v[0], v[1], v[2]]))),
                        Space::Other => None,
                    }
                }
                "BI" => return Err("an inline image in a content stream (the press edition converts only image objects)".into()),
                _ => None,
            };
            match replaced {
                Some((fill, cmyk)) => {
                    changed = true;
                    let operands = cmyk.iter().map(|v| number(round(*v))).collect();
                    operations.push(Operation::new(if fill { "k" } else { "K" }, operands));
                }
                None => operations.push(op),
            }
        }
        if !changed {
            return Ok(None);
        }
        Content { operations }.encode().map(Some).map_err(|e| format!("a content stream cannot be written ({e})"))
    }
}

/// Sets the fill (lower-case operator) or stroke colour space of `state`.
fn set_space(state: &mut (Space, Space), operator: &str, space: Space) {
    if operator.chars().all(|c| c.is_ascii_lowercase()) { state.0 = space } else { state.1 = space }
}

/// Four decimals: a 1/10 000 step of ink.
fn round(value: f32) -> f32 {
    (value * 10_000.0).round() / 10_000.0
}

/// A whole number as an integer (`0`, `1`), any other as a real.
fn number(value: f32) -> Object {
    if value.fract() == 0.0 { Object::Integer(value as i64) } else { Object::Real(value) }
}

/// `count` numeric operands, or `None`.
fn numbers(operands: &[Object], count: usize) -> Option<Vec<f32>> {
    if operands.len() != count {
        return None;
    }
    operands.iter().map(|o| o.as_float().ok()).collect()
}

/// The kind of the colour space `name` stands for: a device space by name, or one of the
/// stream's resources.
fn space_of(doc: &Document, name: &Object, resources: Option<&Dictionary>) -> Space {
    let Ok(name) = name.as_name() else { return Space::Other };
    match name {
        b"DeviceGray" | b"G" => Space::Gray,
        b"DeviceRGB" | b"RGB" => Space::Rgb,
        _ => resources
            .and_then(|r| r.get(b"ColorSpace").ok())
            .and_then(|spaces| doc.dereference(spaces).ok())
            .and_then(|(_, spaces)| spaces.as_dict().ok())
            .and_then(|spaces| spaces.get(name).ok())
            .map_or(Space::Other, |space| space_kind(doc, space)),
    }
}

/// `resources` without the RGB and ICC-based grey colour spaces, which a content stream
/// rewritten by [`ColourMap::rewrite`] no longer names (a PDF/X file names no RGB space).
pub fn without_rgb_spaces(doc: &Document, resources: &Dictionary) -> Dictionary {
    let mut resources = resources.clone();
    let spaces = match resources.get(b"ColorSpace").ok().map(|s| doc.dereference(s)) {
        Some(Ok((_, Object::Dictionary(spaces)))) => spaces.clone(),
        _ => return resources,
    };
    let mut kept = Dictionary::new();
    for (name, space) in spaces.iter() {
        let device_gray = matches!(doc.dereference(space), Ok((_, Object::Name(n))) if n == b"DeviceGray");
        if space_kind(doc, space) == Space::Other || device_gray {
            kept.set(name.clone(), space.clone());
        }
    }
    resources.set("ColorSpace", Object::Dictionary(kept));
    resources
}

/// Whether a colour space object is a grey or an RGB one (device or ICC-based).
fn space_kind(doc: &Document, space: &Object) -> Space {
    let Ok((_, space)) = doc.dereference(space) else { return Space::Other };
    match space {
        Object::Name(name) if name == b"DeviceGray" => Space::Gray,
        Object::Name(name) if name == b"DeviceRGB" => Space::Rgb,
        Object::Array(items) if items.first().and_then(|n| n.as_name().ok()) == Some(b"ICCBased") => match super::images::icc_components(doc, items) {
            Some(1) => Space::Gray,
            Some(3) => Space::Rgb,
            _ => Space::Other,
        },
        _ => Space::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map() -> ColourMap {
        ColourMap::new(&[([0x8c, 0x1c, 0x13], [15.0, 100.0, 100.0, 35.0])], Converter::srgb().unwrap())
    }

    fn rewritten(content: &str) -> String {
        let doc = Document::with_version("1.6");
        String::from_utf8(map().rewrite(&doc, content.as_bytes(), None).unwrap().unwrap_or_else(|| content.as_bytes().to_vec())).unwrap()
    }

    #[test]
    fn grey_text_and_rules_print_in_black_ink_only() {
        let out = rewritten("0 g BT /F1 10 Tf (a) Tj ET 0.4706 G 0 0 m 10 0 l S");
        assert!(out.contains("0 0 0 1 k"), "{out}");
        assert!(out.contains("0 0 0 0.5294 K"), "{out}");
        assert!(!out.contains(" g") && !out.contains(" G\n"), "{out}");
    }

    #[test]
    fn a_palette_colour_prints_as_the_designer_chose() {
        let out = rewritten("0.5490196 0.1098039 0.0745098 rg 0 0 10 10 re f");
        assert!(out.contains("0.15 1 1 0.35 k"), "{out}");
    }

    #[test]
    fn other_colours_go_through_the_profile_and_rgb_spaces_become_cmyk() {
        let out = rewritten("0 0.5 1 rg /DeviceRGB CS 1 0 0 SCN q 0.2 0.2 0.2 rg Q");
        assert!(!out.contains("rg") && !out.contains("DeviceRGB"), "{out}");
        assert!(out.contains("/DeviceCMYK CS"), "{out}");
        assert!(out.contains("0 0 0 0.8 k"), "a grey inside q/Q: {out}");
        // A colour set with `sc` after `g` is a grey too (and after `k`, CMYK as it was).
        let out = rewritten("0 g 0.25 sc 0 0 0 1 k 0.1 0.2 0.3 0.4 sc");
        assert!(out.contains("0 0 0 0.75 k") && out.contains("0.1 0.2 0.3 0.4 sc"), "{out}");
    }
}
