//! Gradients (shadings) in the press edition: an RGB gradient — from a design's Typst
//! gradient or an SVG picture's — becomes a CMYK one, its colour stops converted as every
//! other colour ([`ColourMap::rgb`]). Krilla writes two-stop gradients as exponential
//! functions (type 2) and longer ones as stitching functions (type 3) of those, which are
//! converted; a gradient drawn by a PostScript function (a conic gradient, or one with a
//! repeating spread) cannot be, and is named instead.

use std::collections::BTreeSet;

use lopdf::{Dictionary, Document, Object, ObjectId};

use super::colour::ColourMap;

/// Converts every RGB shading of `doc` to DeviceCMYK.
pub fn convert_all(doc: &mut Document, map: &ColourMap) -> Result<(), String> {
    let shadings: Vec<ObjectId> =
        doc.objects.iter().filter(|(_, object)| dictionary(object).is_some_and(|d| d.has(b"ShadingType") && is_rgb(doc, d))).map(|(id, _)| *id).collect();
    let mut done = BTreeSet::new();
    for id in shadings {
        let Some(function) = doc.get_object(id).ok().and_then(dictionary).and_then(|d| d.get(b"Function").ok().cloned()) else {
            return Err(format!("an RGB gradient without a function (PDF object {} {})", id.0, id.1));
        };
        let function = convert_function(doc, map, function, &mut done).map_err(|e| format!("an RGB gradient (PDF object {} {}): {e}", id.0, id.1))?;
        if let Some(shading) = doc.get_object_mut(id).ok().and_then(dictionary_mut) {
            shading.set("ColorSpace", Object::Name(b"DeviceCMYK".to_vec()));
            shading.set("Function", function);
            shading.remove(b"Background");
        }
    }
    Ok(())
}

fn dictionary(object: &Object) -> Option<&Dictionary> {
    match object {
        Object::Dictionary(dict) => Some(dict),
        Object::Stream(stream) => Some(&stream.dict),
        _ => None,
    }
}

fn dictionary_mut(object: &mut Object) -> Option<&mut Dictionary> {
    match object {
        Object::Dictionary(dict) => Some(dict),
        Object::Stream(stream) => Some(&mut stream.dict),
        _ => None,
    }
}

/// Whether a shading's colour space is RGB (device, calibrated or ICC-based).
fn is_rgb(doc: &Document, shading: &Dictionary) -> bool {
    let Some(space) = shading.get(b"ColorSpace").ok().and_then(|s| doc.dereference(s).ok()).map(|(_, s)| s) else { return false };
    match space {
        Object::Name(name) => name == b"DeviceRGB",
        Object::Array(items) => match items.first().and_then(|n| n.as_name().ok()) {
            Some(b"ICCBased") => super::images::icc_components(doc, items) == Some(3),
            Some(b"CalRGB") => true,
            _ => false,
        },
        _ => false,
    }
}

/// `function` (a reference or a dictionary) with its RGB outputs in CMYK; a referenced
/// function is converted in place once (`done`), whatever refers to it again.
fn convert_function(doc: &mut Document, map: &ColourMap, function: Object, done: &mut BTreeSet<ObjectId>) -> Result<Object, String> {
    match function {
        Object::Reference(id) => {
            if done.insert(id) {
                let dict = doc.get_object(id).ok().and_then(dictionary).cloned().ok_or("its function is missing")?;
                let converted = convert_dictionary(doc, map, dict, done)?;
                if let Some(target) = doc.get_object_mut(id).ok().and_then(dictionary_mut) {
                    *target = converted;
                }
            }
            Ok(Object::Reference(id))
        }
        Object::Dictionary(dict) => Ok(Object::Dictionary(convert_dictionary(doc, map, dict, done)?)),
        _ => Err("its function is not a dictionary".into()),
    }
}

fn convert_dictionary(doc: &mut Document, map: &ColourMap, mut dict: Dictionary, done: &mut BTreeSet<ObjectId>) -> Result<Dictionary, String> {
    match dict.get(b"FunctionType").and_then(|t| t.as_i64()).ok() {
        Some(2) => {
            for key in [b"C0" as &[u8], b"C1"] {
                // C0 and C1 default to black and white.
                let default = if key == b"C0" { [0.0; 3] } else { [1.0; 3] };
                let rgb = match dict.get(key) {
                    Ok(Object::Array(values)) => {
                        let v: Vec<f32> = values.iter().filter_map(|o| o.as_float().ok()).collect();
                        <[f32; 3]>::try_from(v).map_err(|_| "a colour stop is not RGB")?
                    }
                    _ => default,
                };
                let cmyk = map.rgb(rgb);
                dict.set(key, Object::Array(cmyk.iter().map(|v| Object::Real(*v)).collect()));
            }
            dict.remove(b"Range");
            Ok(dict)
        }
        Some(3) => {
            let parts = dict.get(b"Functions").and_then(|f| f.as_array()).map_err(|_| "a stitching function without functions")?.clone();
            let mut converted = Vec::with_capacity(parts.len());
            for part in parts {
                converted.push(convert_function(doc, map, part, done)?);
            }
            dict.set("Functions", Object::Array(converted));
            dict.remove(b"Range");
            Ok(dict)
        }
        _ => Err("it is drawn by a PostScript or sampled function, which the press edition cannot convert to CMYK; use a linear or radial gradient without repetition, or a CMYK picture".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::press::profile::Converter;

    #[test]
    fn a_two_stop_rgb_gradient_becomes_cmyk() {
        let mut doc = Document::with_version("1.6");
        let mut function = Dictionary::new();
        function.set("FunctionType", 2);
        function.set("Domain", vec![Object::Integer(0), Object::Integer(1)]);
        function.set("C0", vec![Object::Real(0.0), Object::Real(0.0), Object::Real(0.0)]);
        function.set("C1", vec![Object::Real(1.0), Object::Real(1.0), Object::Real(1.0)]);
        function.set("N", 1);
        let function = doc.add_object(function);
        let mut stitched = Dictionary::new();
        stitched.set("FunctionType", 3);
        stitched.set("Functions", vec![Object::Reference(function), Object::Reference(function)]);
        let mut shading = Dictionary::new();
        shading.set("ShadingType", 2);
        shading.set("ColorSpace", Object::Name(b"DeviceRGB".to_vec()));
        shading.set("Function", Object::Dictionary(stitched));
        let id = doc.add_object(shading);
        let map = ColourMap::new(&[], Converter::srgb().unwrap());
        convert_all(&mut doc, &map).unwrap();
        let shading = doc.get_dictionary(id).unwrap();
        assert_eq!(shading.get(b"ColorSpace").unwrap().as_name().unwrap(), b"DeviceCMYK");
        let function = doc.get_dictionary(function).unwrap();
        let c0: Vec<f32> = function.get(b"C0").unwrap().as_array().unwrap().iter().map(|v| v.as_float().unwrap()).collect();
        assert_eq!(c0, [0.0, 0.0, 0.0, 1.0], "black is K only, converted once though used twice");
        // A PostScript function is named, not left in RGB.
        let mut doc = Document::with_version("1.6");
        let mut shading = Dictionary::new();
        shading.set("ShadingType", 1);
        shading.set("ColorSpace", Object::Name(b"DeviceRGB".to_vec()));
        let mut postscript = Dictionary::new();
        postscript.set("FunctionType", 4);
        shading.set("Function", Object::Dictionary(postscript));
        doc.add_object(shading);
        assert!(convert_all(&mut doc, &map).unwrap_err().contains("PostScript"));
    }
}
