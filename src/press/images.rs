//! Pictures in the press edition: every RGB image object of the PDF is converted to CMYK
//! through the press profile, from the colour profile the picture carries (an ICC-based
//! space) or else from sRGB, and stored again losslessly (Flate). Grey and CMYK pictures,
//! and the soft masks of transparent ones, are left as they are.

use lopdf::{Document, Object, Stream};
use zune_core::bytestream::ZCursor;
use zune_core::colorspace::ColorSpace;
use zune_core::options::DecoderOptions;

use super::profile::Converter;

/// The largest picture converted, in pixels (a 12 000 × 12 000 scan); a larger one is a
/// mistake the build names rather than a reason to run out of memory.
const MAX_PIXELS: u64 = 144_000_000;

/// The number of components of an `[/ICCBased stream]` colour space, if it is one.
pub fn icc_components(doc: &Document, space: &[Object]) -> Option<i64> {
    let stream = space.get(1).and_then(|s| doc.dereference(s).ok()).and_then(|(_, s)| s.as_stream().ok())?;
    stream.dict.get(b"N").ok().and_then(|n| n.as_i64().ok())
}

/// Whether `stream` is an RGB image, and the ICC profile it carries if any.
fn rgb_image(doc: &Document, stream: &Stream) -> Option<Option<Vec<u8>>> {
    if stream.dict.get(b"Subtype").and_then(|s| s.as_name()).ok() != Some(b"Image") {
        return None;
    }
    let space = stream.dict.get(b"ColorSpace").ok()?;
    let (_, space) = doc.dereference(space).ok()?;
    match space {
        Object::Name(name) if name == b"DeviceRGB" => Some(None),
        Object::Array(items) if items.first().and_then(|n| n.as_name().ok()) == Some(b"ICCBased") && icc_components(doc, items) == Some(3) => {
            let profile = items.get(1).and_then(|s| doc.dereference(s).ok()).and_then(|(_, s)| s.as_stream().ok()).and_then(|s| s.decompressed_content().ok());
            Some(profile)
        }
        _ => None,
    }
}

/// Converts every RGB image object of `doc` to CMYK. Returns how many were converted.
pub fn convert_all(doc: &mut Document, srgb: &Converter) -> Result<usize, String> {
    let ids: Vec<_> = doc.objects.iter().filter_map(|(id, object)| object.as_stream().ok().and_then(|s| rgb_image(doc, s)).map(|p| (*id, p))).collect();
    for (id, profile) in &ids {
        let converter = match profile {
            // A profile moxcms cannot read (or not RGB after all): the picture is taken as sRGB.
            Some(icc) => Converter::from_icc(icc).unwrap_or_else(|_| srgb.clone()),
            None => srgb.clone(),
        };
        let Ok(Object::Stream(stream)) = doc.get_object(*id) else { continue };
        let converted = convert(stream, &converter).map_err(|e| format!("picture (PDF object {} {}): {e}", id.0, id.1))?;
        doc.objects.insert(*id, Object::Stream(converted));
    }
    Ok(ids.len())
}

/// One RGB image stream → the same picture in DeviceCMYK, 8 bits, Flate-compressed.
fn convert(stream: &Stream, converter: &Converter) -> Result<Stream, String> {
    let number = |key: &[u8]| stream.dict.get(key).and_then(|v| v.as_i64()).ok().and_then(|v| u64::try_from(v).ok());
    let (Some(width), Some(height)) = (number(b"Width"), number(b"Height")) else {
        return Err("the image has no width or height".into());
    };
    if width.saturating_mul(height) > MAX_PIXELS {
        return Err(format!("{width} × {height} pixels is more than the press edition converts"));
    }
    let bits = number(b"BitsPerComponent").unwrap_or(8);
    let filters: Vec<Vec<u8>> = match stream.dict.get(b"Filter") {
        Ok(Object::Name(name)) => vec![name.clone()],
        Ok(Object::Array(names)) => names.iter().filter_map(|n| n.as_name().ok().map(<[u8]>::to_vec)).collect(),
        _ => Vec::new(),
    };
    let pixels = (width * height) as usize;
    let rgb = if filters.last().is_some_and(|f| f == b"DCTDecode") {
        // A JPEG, as the picture was: decoded to RGB (then stored losslessly in CMYK).
        let mut jpeg = stream.clone();
        jpeg.dict.set("Filter", Object::Array(filters[..filters.len() - 1].iter().map(|f| Object::Name(f.clone())).collect()));
        let data = if filters.len() > 1 { jpeg.decompressed_content().map_err(|e| format!("cannot be read ({e})"))? } else { stream.content.clone() };
        let options = DecoderOptions::default().jpeg_set_out_colorspace(ColorSpace::RGB).set_max_width(1 << 16).set_max_height(1 << 16);
        let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(data.as_slice()), options);
        decoder.decode().map_err(|e| format!("the JPEG cannot be decoded ({e:?})"))?
    } else {
        let data = if filters.is_empty() { stream.content.clone() } else { stream.decompressed_content().map_err(|e| format!("cannot be read ({e})"))? };
        match bits {
            8 => data,
            // 16 bits per channel: the high byte of each (big-endian) sample.
            16 => data.chunks_exact(2).map(|pair| pair[0]).collect(),
            other => return Err(format!("{other} bits per component are not converted")),
        }
    };
    if rgb.len() < pixels * 3 {
        return Err(format!("the picture holds {} bytes, fewer than {width} × {height} RGB pixels", rgb.len()));
    }
    let cmyk = converter.pixels(&rgb[..pixels * 3])?;
    let mut dict = stream.dict.clone();
    dict.set("ColorSpace", Object::Name(b"DeviceCMYK".to_vec()));
    dict.set("BitsPerComponent", Object::Integer(8));
    dict.remove(b"DecodeParms");
    dict.remove(b"Decode");
    dict.remove(b"Filter");
    let mut converted = Stream::new(dict, cmyk);
    converted.compress().map_err(|e| format!("cannot be compressed ({e})"))?;
    Ok(converted)
}
