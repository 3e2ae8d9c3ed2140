//! The press profile and colour conversion into it.
//!
//! The profile (`profiles/FOGRA39L-coated-300.icc`) is an ICC output profile for offset
//! printing on coated paper (FOGRA39, ISO 12647-2), at most 300 % ink, made from the FOGRA39L
//! characterisation data of Debian's `icc-profiles-free` (zlib licence) with ArgyllCMS
//! (`profiles/README.md` says how). It is the PDF's output intent and the target of every
//! RGB colour and picture the press edition converts.
//!
//! Conversion is done by moxcms, a maintained pure-Rust colour management module (already
//! compiled here for the `image` crate Typst uses, so nothing new is built, and no C library
//! is linked as lcms2's bindings would need). Neutral greys never go through the profile:
//! they become a tint of K alone, so grey text and rules print with one plate.

use std::sync::Arc;

use moxcms::{ColorProfile, Layout, RenderingIntent, Transform8BitExecutor, TransformOptions};

/// The press profile's bytes (ICC v2 output profile, CMYK, Lab connection space).
pub const PROFILE: &[u8] = include_bytes!("../../profiles/FOGRA39L-coated-300.icc");

/// The characterisation the profile stands for, as the output intent names it (the ICC
/// registry's name for ISO 12647-2 coated paper, FOGRA39).
pub const CONDITION: &str = "FOGRA39";

/// What the output intent says of the condition.
pub const CONDITION_INFO: &str = "Offset printing on coated paper (ISO 12647-2:2004/Amd 1, paper type 1/2), FOGRA39L data, total ink 300 %";

/// Where the condition is registered.
pub const REGISTRY: &str = "http://www.color.org";

/// Converts RGB colours into the press profile's CMYK.
#[derive(Clone)]
pub struct Converter {
    transform: Arc<Transform8BitExecutor>,
}

impl Converter {
    /// A converter from sRGB (what every colour and untagged picture of the book is in).
    pub fn srgb() -> Result<Self, String> {
        Self::from_rgb(&ColorProfile::new_srgb())
    }

    /// A converter from the RGB profile `icc` a picture carries.
    pub fn from_icc(icc: &[u8]) -> Result<Self, String> {
        let profile = ColorProfile::new_from_slice(icc).map_err(|e| format!("the picture's colour profile cannot be read ({e})"))?;
        Self::from_rgb(&profile)
    }

    fn from_rgb(source: &ColorProfile) -> Result<Self, String> {
        let press = ColorProfile::new_from_slice(PROFILE).map_err(|e| format!("the press profile cannot be read ({e})"))?;
        let options = TransformOptions { rendering_intent: RenderingIntent::Perceptual, ..TransformOptions::default() };
        let transform =
            source.create_transform_8bit(Layout::Rgb, &press, Layout::Rgba, options).map_err(|e| format!("no conversion into the press profile ({e})"))?;
        Ok(Converter { transform })
    }

    /// Converts packed 8-bit RGB pixels into packed 8-bit CMYK (`rgb.len() / 3 * 4` bytes).
    pub fn pixels(&self, rgb: &[u8]) -> Result<Vec<u8>, String> {
        let mut cmyk = vec![0u8; rgb.len() / 3 * 4];
        // In rows of pixels, so a large picture needs no second full-size buffer.
        const ROW: usize = 4096;
        for (from, to) in rgb.chunks(ROW * 3).zip(cmyk.chunks_mut(ROW * 4)) {
            let pixels = from.len() / 3;
            self.transform.transform(&from[..pixels * 3], &mut to[..pixels * 4]).map_err(|e| format!("colour conversion failed ({e})"))?;
        }
        Ok(cmyk)
    }

    /// One colour (components 0–1) in CMYK (0–1): a neutral grey as a tint of K only,
    /// others through the profile.
    pub fn colour(&self, rgb: [f32; 3]) -> [f32; 4] {
        if let Some(k) = grey_as_k(rgb) {
            return [0.0, 0.0, 0.0, k];
        }
        let bytes = rgb.map(|v| (v.clamp(0.0, 1.0) * 255.0).round() as u8);
        match self.pixels(&bytes) {
            Ok(cmyk) => [0, 1, 2, 3].map(|i| f32::from(cmyk[i]) / 255.0),
            // (An 8-bit transform of one pixel cannot fail once made; keep the colour printable.)
            Err(_) => [0.0, 0.0, 0.0, 1.0 - (rgb[0] + rgb[1] + rgb[2]) / 3.0],
        }
    }
}

/// A neutral grey (its channels within half a step of 8 bits) as the K tint of the same
/// darkness, the way DeviceGray prints on a CMYK press.
pub fn grey_as_k(rgb: [f32; 3]) -> Option<f32> {
    let (low, high) = rgb.iter().fold((f32::MAX, f32::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    (high - low <= 0.5 / 255.0).then(|| (1.0 - (low + high) / 2.0).clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_profile_converts_within_its_ink_limit() {
        let converter = Converter::srgb().expect("the shipped profile loads");
        // Saturated and dark colours, where the ink limit matters most.
        for rgb in [[0.0, 0.0, 0.0], [0.0, 0.0, 0.1], [0.55, 0.11, 0.07], [0.12, 0.23, 0.37], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]] {
            let [c, m, y, k] = converter.colour(rgb);
            let total = (c + m + y + k) * 100.0;
            assert!(total <= 301.0, "{rgb:?} → {total} % ink");
        }
        let red = converter.colour([1.0, 0.0, 0.0]);
        assert!(red[1] > 0.8 && red[2] > 0.8 && red[0] < 0.2, "red prints with M and Y: {red:?}");
        let white = converter.colour([0.999, 1.0, 1.0]);
        assert!(white.iter().all(|v| *v < 0.02), "near white takes no ink: {white:?}");
    }

    #[test]
    fn greys_take_black_ink_only() {
        assert_eq!(grey_as_k([0.0, 0.0, 0.0]), Some(1.0));
        assert_eq!(grey_as_k([1.0, 1.0, 1.0]), Some(0.0));
        let k = grey_as_k([120.0 / 255.0; 3]).unwrap();
        assert!((k - 0.529).abs() < 0.01, "{k}");
        assert_eq!(grey_as_k([0.5, 0.5, 0.6]), None);
        let converter = Converter::srgb().unwrap();
        assert_eq!(converter.colour([0.25, 0.25, 0.25]), [0.0, 0.0, 0.0, 0.75]);
    }
}
