//! A design: a directory holding the Typst templates (`report.typ` for the book,
//! `cover.typ` for the EPUB cover's title page), the EPUB stylesheet (`epub.css`) and
//! `design.toml`, the few facts about the design that the Rust side needs (the templates
//! hold everything else). Charts are laid out before typesetting, so their size and font
//! family must match the design they are placed in.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::charts::ChartDesign;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::source::toml_diagnostic;

/// The book template every build compiles, relative to the design directory.
pub const TEMPLATE: &str = "report.typ";
/// The title-page template of the EPUB cover, relative to the design directory.
pub const COVER_TEMPLATE: &str = "cover.typ";

/// The name of the design facts file inside the design directory.
pub const DESIGN_FILE: &str = "design.toml";

/// A design directory and the facts it shares between the Rust side and the templates.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Design {
    /// The design directory (not in `design.toml`: where it was loaded from).
    #[serde(skip)]
    pub dir: PathBuf,
    /// The faces of the design's roles; the EPUB needs them to know what to embed.
    pub fonts: Option<DesignFonts>,
    /// How charts are drawn; a design without it cannot place charts.
    pub charts: Option<ChartDesign>,
    /// How headings are numbered (`[headings]`).
    #[serde(default)]
    pub headings: HeadingDesign,
    /// Page and text numbers only the templates read (`[layout]`): page size, margins,
    /// columns, body size, colours. Kept as written; the Rust side does not interpret it.
    #[serde(default)]
    pub layout: Option<toml::Table>,
    /// How the numbers from the data print (`[numbers]`); `report.toml`'s `[numbers]`
    /// overrides it.
    #[serde(default)]
    pub numbers: NumbersDesign,
    /// The families `design.toml` names that were replaced by the same family of the
    /// document's region ([`Design::for_language`]): (as named, as used).
    #[serde(skip)]
    pub regional: Vec<(String, String)>,
    /// The press edition's bleed and inks (`[press]`); without it the bleed is 3 mm and the
    /// colours are converted through the press profile.
    #[serde(default)]
    pub press: PressDesign,
}

/// The press edition's facts (`[press]` in `design.toml`): the bleed, the accent and the
/// chart palette in CMYK as the designer chose them, and whether `build --format all` makes
/// the press edition too.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PressDesign {
    /// The bleed around each page, in mm (Chinese printers ask for 3 mm, 出血).
    #[serde(default = "default_bleed")]
    pub bleed: f64,
    /// The accent (`[layout] accent`) in CMYK, per cent of each ink.
    #[serde(default)]
    pub accent_cmyk: Option<[f64; 4]>,
    /// The chart palette (`[charts] palette`) in CMYK, in the same order.
    #[serde(default)]
    pub palette_cmyk: Vec<[f64; 4]>,
    /// Whether `build --format all` makes the press edition too.
    #[serde(default)]
    pub in_all: bool,
}

impl Default for PressDesign {
    fn default() -> Self {
        PressDesign { bleed: default_bleed(), accent_cmyk: None, palette_cmyk: Vec::new(), in_all: false }
    }
}

fn default_bleed() -> f64 {
    3.0
}

/// The largest bleed accepted, in mm.
pub const MAX_BLEED: f64 = 10.0;

/// The most ink (total area coverage, per cent) a colour of the design may ask for: the
/// press profile's limit.
pub const MAX_INK: f64 = 300.0;

/// The design's number style (`[numbers]` in `design.toml`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumbersDesign {
    /// Thousands grouping of the numbers from the data: `as-typed` (the default), `none`,
    /// `comma` or `thin` ([`crate::numbers::grouping`]).
    #[serde(default)]
    pub grouping: Option<String>,
}

/// The numbering of headings (`[headings]` in `design.toml`; `report.toml` may override it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeadingDesign {
    /// One pattern per heading level, from level 1: `一` stands for the heading's number as
    /// a Chinese numeral, `1` for an Arabic one, e.g. `["一、", "（一）", "1. ", "（1）"]`.
    /// Levels past the end of the list, and every level when it is empty, are not numbered.
    #[serde(default)]
    pub numbering: Vec<String>,
}

/// The faces of the design's three roles, by exact family name (`[fonts]`). The template
/// reads them from `design.toml` too, so the PDF and the EPUB use the same faces.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct DesignFonts {
    /// Body text (宋体 role).
    pub body: String,
    /// Headings, run-in heads, captions and sidebars (黑体 role).
    pub heading: String,
    /// Inline code.
    pub mono: String,
}

impl Design {
    /// The design for a document in `language`: a family of a regional CJK collection
    /// (`Noto Serif CJK SC`) is replaced by the same family for the language's region
    /// (`Noto Serif CJK TC` for zh-TW and zh-Hant, `… HK` for zh-HK and zh-MO), whose
    /// faces the fonts directory holds in the same collection files. Other families, and
    /// every family of a Simplified Chinese document, stay as they are.
    pub fn for_language(mut self, language: &str) -> Self {
        let region = crate::model::script::cjk_region(language);
        let mut regional = Vec::new();
        let mut rename = |family: &mut String| {
            if let Some(stem) = family.strip_suffix(" SC")
                && region != "SC"
            {
                let used = format!("{stem} {region}");
                if !regional.iter().any(|(named, _): &(String, String)| named == family) {
                    regional.push((family.clone(), used.clone()));
                }
                *family = used;
            }
        };
        if let Some(fonts) = &mut self.fonts {
            rename(&mut fonts.body);
            rename(&mut fonts.heading);
            rename(&mut fonts.mono);
        }
        if let Some(charts) = &mut self.charts {
            rename(&mut charts.font);
        }
        self.regional = regional;
        self
    }

    /// Checks `[press]`: a bleed of 0–10 mm, inks of 0–100 % adding up to at most 300 %, and
    /// one CMYK colour for each colour of the chart palette.
    fn check_press(&self, path: &Path, text: &str) -> Result<(), Diagnostics> {
        let press = &self.press;
        let at = |key: &str, message: String, hint: &str| {
            let mut diagnostic = Diagnostic::error(path, format!("[press] {message}")).with_hint(hint);
            diagnostic.line = crate::source::line_of_key(text, key);
            Diagnostics::one(diagnostic)
        };
        if !(0.0..=MAX_BLEED).contains(&press.bleed) {
            return Err(at("bleed", format!("bleed = {} is not between 0 and {MAX_BLEED} mm", press.bleed), "printers ask for 3 mm: write bleed = 3"));
        }
        let check_ink = |key: &str, what: &str, ink: &[f64; 4]| {
            if ink.iter().any(|v| !(0.0..=100.0).contains(v)) {
                return Err(at(key, format!("{what} {ink:?} has an ink outside 0–100 %"), "write four per cents [C, M, Y, K], each from 0 to 100"));
            }
            let total: f64 = ink.iter().sum();
            if total > MAX_INK {
                return Err(at(
                    key,
                    format!("{what} {ink:?} asks for {total} % ink, more than the press takes ({MAX_INK} %)"),
                    "take some C, M and Y out (rich colours stay under 300 % in all)",
                ));
            }
            Ok(())
        };
        if let Some(accent) = &press.accent_cmyk {
            check_ink("accent-cmyk", "accent-cmyk", accent)?;
        }
        for (index, ink) in press.palette_cmyk.iter().enumerate() {
            check_ink("palette-cmyk", &format!("palette-cmyk colour {}", index + 1), ink)?;
        }
        let chart_colours = self.charts.as_ref().map_or(0, |c| c.palette.len());
        if !press.palette_cmyk.is_empty() && press.palette_cmyk.len() != chart_colours {
            return Err(at(
                "palette-cmyk",
                format!("palette-cmyk has {} colours, [charts] palette {chart_colours}", press.palette_cmyk.len()),
                "give one CMYK colour for each colour of [charts] palette, in the same order",
            ));
        }
        Ok(())
    }

    /// Every font family the design names, with the `design.toml` key that names it.
    pub fn families(&self) -> Vec<(&'static str, &str)> {
        let mut families = Vec::new();
        if let Some(fonts) = &self.fonts {
            families.extend([("body", fonts.body.as_str()), ("heading", fonts.heading.as_str()), ("mono", fonts.mono.as_str())]);
        }
        if let Some(charts) = &self.charts {
            families.push(("font", charts.font.as_str()));
        }
        families
    }
}

/// The files every built-in design shares: the model-to-content functions and base
/// typography (`common.typ`), the EPUB cover's title page and the EPUB stylesheet.
macro_rules! shared_design_files {
    () => {
        [
            ("common.typ", include_str!("../assets/common.typ")),
            ("cover.typ", include_str!("../assets/cover.typ")),
            ("epub.css", include_str!("../assets/epub.css")),
        ]
    };
}

/// The designs built into the binary, by name, each as its files. The repository's
/// `assets/` directory is the magazine design (and holds the shared files);
/// `assets/report/` and `assets/book/` hold what the report and book designs change. They
/// are written out once to the user's cache directory, so Typst reads them like any design
/// directory.
pub const BUILT_IN: &[(&str, &[(&str, &str)])] = &[
    ("magazine", &{
        let [a, b, c] = shared_design_files!();
        [("report.typ", include_str!("../assets/report.typ")), ("design.toml", include_str!("../assets/design.toml")), a, b, c]
    }),
    ("report", &{
        let [a, b, c] = shared_design_files!();
        [("report.typ", include_str!("../assets/report/report.typ")), ("design.toml", include_str!("../assets/report/design.toml")), a, b, c]
    }),
    ("book", &{
        let [a, b, c] = shared_design_files!();
        [("report.typ", include_str!("../assets/book/report.typ")), ("design.toml", include_str!("../assets/book/design.toml")), a, b, c]
    }),
];

/// The design used when `report.toml` names none.
pub const DEFAULT_DESIGN: &str = "magazine";

/// Where a build's design comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DesignChoice {
    /// A design directory given on the command line (`--assets DIR`).
    Directory(PathBuf),
    /// A built-in design, by name.
    BuiltIn(String),
}

impl DesignChoice {
    /// The design `report.toml`'s `design` names (relative paths from the manuscript
    /// directory): a built-in name, or a design directory. `None`: the default design.
    pub fn from_manuscript(design: Option<&str>, manuscript_root: &Path) -> Self {
        match design {
            None => DesignChoice::BuiltIn(DEFAULT_DESIGN.to_string()),
            Some(name) if BUILT_IN.iter().any(|(known, _)| *known == name) => DesignChoice::BuiltIn(name.to_string()),
            Some(path) => DesignChoice::Directory(manuscript_root.join(path)),
        }
    }

    /// Loads the chosen design.
    pub fn load(&self) -> Result<Design, Diagnostics> {
        match self {
            DesignChoice::Directory(dir) => {
                if !dir.join(TEMPLATE).is_file() {
                    let known: Vec<&str> = BUILT_IN.iter().map(|(name, _)| *name).collect();
                    return Err(Diagnostics::one(Diagnostic::error(dir, format!("no design found here: the directory has no {}", TEMPLATE)).with_hint(
                        format!(
                            "name a built-in design ({}) or a directory holding report.typ, common.typ, cover.typ, design.toml and epub.css",
                            known.join(", ")
                        ),
                    )));
                }
                Design::load(dir)
            }
            DesignChoice::BuiltIn(name) => Design::load(&built_in_dir(name)?),
        }
    }
}

/// The directory holding the built-in design `name`, written out on first use to
/// `<cache>/designs/<name>-<hash of its files>` (a new version of the design gets a new
/// directory; writing goes through a temporary directory renamed into place, so two
/// processes never see half a design).
fn built_in_dir(name: &str) -> Result<PathBuf, Diagnostics> {
    use sha2::{Digest, Sha256};
    let Some((_, files)) = BUILT_IN.iter().find(|(known, _)| *known == name) else {
        return Err(Diagnostics::one(Diagnostic::error(name, format!("there is no built-in design `{name}`"))));
    };
    let mut hasher = Sha256::new();
    for (file, text) in files.iter() {
        hasher.update(file.as_bytes());
        hasher.update(text.as_bytes());
    }
    let hash: String = hasher.finalize().iter().take(6).map(|b| format!("{b:02x}")).collect();
    let base = crate::source::user_cache_dir().unwrap_or_else(|| std::env::temp_dir().join("reportpress")).join("designs");
    let dir = base.join(format!("{name}-{hash}"));
    let complete = |dir: &Path| files.iter().all(|(file, text)| std::fs::read(dir.join(file)).is_ok_and(|bytes| bytes == text.as_bytes()));
    if complete(&dir) {
        return Ok(dir);
    }
    let failed = |e: std::io::Error| {
        Diagnostics::one(
            crate::diagnostics::io_error(&base, "write the built-in design to the cache directory", &e)
                .with_hint("make the directory writable, set XDG_CACHE_HOME to a writable directory, or pass --assets DIR"),
        )
    };
    std::fs::create_dir_all(&base).map_err(failed)?;
    let staging = tempfile::Builder::new().prefix(&format!(".{name}-")).tempdir_in(&base).map_err(failed)?;
    for (file, text) in files.iter() {
        std::fs::write(staging.path().join(file), text).map_err(failed)?;
    }
    // A directory of that name whose files differ (cut short, or edited by hand) is moved
    // aside, never deleted in place: another process may be reading a complete one. Renaming
    // onto an existing directory fails, so of two processes writing at once one wins.
    if complete(&dir) {
        // Another process has just written it.
        return Ok(dir);
    }
    if dir.exists() {
        let aside = base.join(format!(".{name}-{hash}-old-{}", std::process::id()));
        if std::fs::rename(&dir, &aside).is_ok() {
            let _ = std::fs::remove_dir_all(&aside);
        }
    }
    match std::fs::rename(staging.path(), &dir) {
        Ok(()) => {
            let _ = staging.keep();
            // Other versions of this design written more than a week ago are removed: a
            // newer one may still be in use by another installed reportpress (or a watch
            // still running from before an upgrade), so none is removed the moment it is
            // replaced.
            const UNUSED_FOR: std::time::Duration = std::time::Duration::from_secs(7 * 24 * 3600);
            if let Ok(entries) = std::fs::read_dir(&base) {
                for entry in entries.flatten() {
                    let other = entry.file_name().to_string_lossy().into_owned();
                    let stale = entry.metadata().and_then(|m| m.modified()).is_ok_and(|t| t.elapsed().is_ok_and(|age| age > UNUSED_FOR));
                    if other.starts_with(&format!("{name}-")) && entry.path() != dir && stale {
                        let _ = std::fs::remove_dir_all(entry.path());
                    }
                }
            }
            Ok(dir)
        }
        // Another process wrote the same design at the same moment: use theirs.
        Err(_) if dir.join(TEMPLATE).is_file() => Ok(dir),
        Err(e) => Err(failed(e)),
    }
}

impl Design {
    /// Reads `design.toml` from the design directory (a design without one has no charts).
    pub fn load(design_dir: &Path) -> Result<Self, Diagnostics> {
        let path = design_dir.join(DESIGN_FILE);
        if !path.exists() {
            return Ok(Design { dir: design_dir.to_path_buf(), ..Design::default() });
        }
        let text = crate::source::read_text_within(design_dir, &path, "the design facts").map_err(|mut diagnostic| {
            diagnostic.hint = Some("run reportpress from the project root, or pass --assets DIR".into());
            Diagnostics::one(diagnostic)
        })?;
        let mut design: Design = toml::from_str(&text).map_err(|e| Diagnostics::one(toml_diagnostic(&path, &text, &e)))?;
        design.dir = design_dir.to_path_buf();
        if design.charts.as_ref().is_some_and(|c| !(c.width >= 160.0 && c.height >= 120.0)) {
            return Err(Diagnostics::one(Diagnostic::error(&path, "charts must be at least 160 × 120 pt").with_hint("raise [charts] width and height")));
        }
        design.check_press(&path, &text)?;
        Ok(design)
    }
}
