//! The EPUB writer: the document model → an EPUB 3 edition.
//!
//! The steps, each in its own module:
//! 1. [`sections`]: the model becomes XHTML content documents, one per top-level section;
//! 2. [`cover`]: the design's title page (`cover.typ`, laid out alone) becomes the cover
//!    image (PNG, 1600 px on the long side);
//! 3. [`fonts`]: the design's faces are subset to the characters those documents and the
//!    navigation draw;
//! 4. [`css`]: `@font-face` rules plus the design in `assets/epub.css`;
//! 5. `epub-builder` packages it all, with the navigation document, landmarks and metadata;
//! 6. [`package`]: a fix-up pass corrects epub-builder's defects and re-zips reproducibly;
//! 7. the finished package is read again: a face that sets a character its subset lacks is
//!    cut anew and the package made again.
//!
//! The backend never reads the Markdown again and never reads the clock.

pub(crate) mod cover;
pub(crate) mod css;
pub(crate) mod fonts;
pub(crate) mod metadata;
pub(crate) mod package;
pub(crate) mod sections;
pub(crate) mod svg;
pub(crate) mod xhtml;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use epub_builder::{EpubBuilder, EpubContent, EpubVersion, MetadataOpfV3, ReferenceType, TocElement, ZipLibrary};

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::render::RenderContext;

/// Name of the navigation document's table of contents (and its landmark).
pub const TOC_TITLE: &str = crate::model::script::SIMPLIFIED.contents;
/// Title of the cover page in the table of contents and the landmarks.
pub const COVER_TITLE: &str = "封面";

/// A finished EPUB with the warnings met while making it.
pub struct EpubOutput {
    /// The EPUB file's bytes.
    pub bytes: Vec<u8>,
    /// Number of content documents (sections), the cover page not counted.
    pub sections: usize,
    /// Total size of the embedded font subsets.
    pub font_bytes: usize,
    /// Problems that did not stop the build.
    pub warnings: Vec<Diagnostic>,
}

/// An error in making the EPUB that no manuscript line is to blame for.
fn packaging_error(at: &Path, message: impl std::fmt::Display) -> Diagnostics {
    Diagnostics::one(Diagnostic::error(at, format!("EPUB packaging: {message}")))
}

/// Builds the EPUB edition of `context`'s document. `source_date_epoch`, when set, is the
/// edition's modification time. `block_pages` gives, once the print edition is laid out,
/// the print page each top-level block starts on and the pages' numbers (for the page list); it is asked for
/// while the fonts are subset and the cover drawn, so the layout runs beside them.
pub fn render(
    context: &RenderContext<'_>,
    source_date_epoch: Option<i64>,
    block_pages: impl FnOnce() -> Option<crate::typeset::PrintPages>,
) -> Result<EpubOutput, Diagnostics> {
    let document = context.document;
    let meta = &document.meta;
    let root = context.manuscript_root;
    let design_dir = context.design.dir.as_path();
    // What each face draws does not depend on the page marks: the fonts are cut from this
    // first rendering, and the documents written again once the print pages are known.
    let charts = context.design.charts.as_ref();
    let unpaged = sections::render(document, root, None, charts)?;

    let cover_alt = cover::cover_alt(&meta.title, &meta.subtitle, &meta.authors);
    let design_fonts = context.design.fonts.as_ref().ok_or_else(|| {
        Diagnostics::one(
            Diagnostic::error(design_dir.join(crate::design::DESIGN_FILE), "the design names no fonts, so the EPUB cannot tell which faces to embed")
                .with_hint("add a [fonts] section with body, heading and mono families (see assets/design.toml)"),
        )
    })?;

    // The cover's title page, the font subsets and the print layout are independent: make
    // them side by side. The subsets are cut from the characters the documents and the
    // navigation are expected to set ([`faces_of`]); the finished package is checked
    // against them below.
    let (typeset, requested, embedded, book) = std::thread::scope(|scope| {
        let cover = scope.spawn(|| context.typesetter().title_page(meta));
        let embedded = scope.spawn(|| {
            let faces = faces_of(&unpaged, design_fonts, &navigation_text(&unpaged, meta))?;
            let faces = fonts::with_fallbacks(context.fonts, design_fonts, faces);
            fonts::embed(context.fonts, context.fonts_dir, &faces).map(|embedded| (faces, embedded))
        });
        let book = match block_pages() {
            Some(pages) => sections::render(document, root, Some(&pages), charts),
            None => Ok(unpaged.clone()),
        };
        let typeset = cover.join().unwrap_or_else(|_| Err(packaging_error(design_dir, "the cover layout stopped unexpectedly")));
        let embedded = embedded.join().unwrap_or_else(|_| Err(Diagnostic::error(context.fonts_dir, "font subsetting stopped unexpectedly")));
        let (requested, embedded) = match embedded {
            Ok((requested, embedded)) => (requested, Ok(embedded)),
            Err(error) => (BTreeMap::new(), Err(error)),
        };
        (typeset, requested, embedded, book)
    });
    let (typeset, embedded, book) = (typeset?, embedded?, book?);
    let cover_png = cover::cover_png(&typeset.document)
        .map_err(|e| packaging_error(design_dir, e))?
        .ok_or_else(|| packaging_error(design_dir, "the cover design laid out no page"))?;
    let cover_page = cover::cover_page(&meta.language, &meta.title, &cover_alt).map_err(|e| packaging_error(root, e))?;
    let mut warnings = book.warnings.clone();
    warnings.extend(typeset.warnings);

    let accent = context.design.layout.as_ref().and_then(|layout| layout.get("accent")).and_then(|a| a.as_str());

    let modified = metadata::modified(&meta.date, source_date_epoch).ok_or_else(|| {
        packaging_error(
            root,
            format!(
                "the EPUB needs a date: report.toml's date `{}` is not a date written YYYY-MM-DD, and {} is not set",
                crate::diagnostics::bounded(&meta.date, 40),
                metadata::SOURCE_DATE_EPOCH
            ),
        )
    })?;
    let published = metadata::publication_date(&meta.date).unwrap_or(modified);
    let identifier = metadata::identifier(meta, context.output_name);
    let print_pages = (!book.pages.is_empty()).then(|| format!("{}.pdf", context.output_name));
    let mut contents = metadata::Contents { print_pages, ..metadata::Contents::default() };
    crate::model::walk::blocks(&document.blocks, &mut |block| match &block.kind {
        crate::model::BlockKind::Image { .. } => contents.images = true,
        crate::model::BlockKind::Chart { .. } => contents.charts = true,
        _ => {}
    });
    crate::model::walk::inlines(&document.blocks, &mut |inline, _| contents.notes |= matches!(inline, crate::model::Inline::Note { .. }));

    // The whole package for a set of embedded fonts.
    let assemble = |embedded: &[fonts::EmbeddedFont]| -> Result<Vec<u8>, Diagnostics> {
        let stylesheet = css::stylesheet(design_dir, embedded, accent, &context.design.regional)?;
        let archive = (|| -> epub_builder::Result<Vec<u8>> {
            let mut builder = EpubBuilder::new(ZipLibrary::new()?)?;
            builder.epub_version(EpubVersion::V33);
            builder.set_title(safe(&meta.title));
            builder.set_authors(meta.authors.iter().map(|a| safe(a)).collect());
            builder.add_language(safe(&meta.language));
            builder.set_generator(format!("reportpress {}", env!("CARGO_PKG_VERSION")));
            builder.set_toc_name(crate::model::script::for_language(&meta.language).contents);
            if !meta.description.is_empty() {
                builder.set_description(vec![safe(&meta.description)]);
            }
            builder.set_subjects(meta.keywords.iter().map(|k| safe(k)).collect());
            builder.set_publication_date(published);
            builder.set_modified_date(modified);
            builder.set_uuid(identifier);
            for (property, value) in metadata::accessibility(&contents) {
                // epub-builder writes a <meta>'s content unescaped: escape it here.
                let content = quick_xml::escape::escape(value.as_str()).into_owned();
                builder.add_metadata_opf(Box::new(MetadataOpfV3::new(property.to_string(), content)));
            }
            builder.stylesheet(stylesheet.as_bytes())?;
            // The large binary parts go into the archive in the fix-up pass (`later`): here
            // they are empty, so epub-builder lists them in the manifest without compressing
            // megabytes that the fix-up would only inflate and compress again.
            for font in embedded {
                builder.add_resource(&font.href, EMPTY, "font/otf")?;
            }
            builder.add_cover_image(cover::COVER_IMAGE, EMPTY, "image/png")?;
            for image in &book.images {
                builder.add_resource(&image.href, EMPTY, image.media_type)?;
            }
            builder.add_content(EpubContent::new(cover::COVER_PAGE, cover_page.as_slice()).title(COVER_TITLE).reftype(ReferenceType::Cover))?;
            for (index, section) in book.sections.iter().enumerate() {
                let mut content = EpubContent::new(section.href.as_str(), section.xhtml.as_slice()).title(safe(&section.title));
                if index == 0 {
                    content = content.reftype(ReferenceType::Text);
                }
                for entry in toc_tree(&section.subheadings) {
                    content = content.child(entry);
                }
                builder.add_content(content)?;
            }
            let mut archive = Vec::new();
            builder.generate(&mut archive)?;
            Ok(archive)
        })()
        .map_err(|e| packaging_error(root, e))?;

        let (title, subtitle, publisher) = (safe(&meta.title), safe(&meta.subtitle), safe(&meta.publisher));
        let mut later: Vec<(&str, &[u8])> = embedded.iter().map(|f| (f.href.as_str(), f.bytes.as_slice())).collect();
        later.push((cover::COVER_IMAGE, cover_png.as_slice()));
        later.extend(book.images.iter().map(|image| (image.href.as_str(), image.bytes.as_slice())));
        let wanted = |list: &str| meta.lists.iter().any(|l| l == list);
        let mut lists = Vec::new();
        if wanted("figures") {
            lists.push(package::NavList { kind: "lof", title: crate::model::script::for_language(&meta.language).figure_list, entries: &book.figures });
        }
        if wanted("tables") {
            lists.push(package::NavList { kind: "lot", title: crate::model::script::for_language(&meta.language).table_list, entries: &book.tables });
        }
        let fix = package::FixUp {
            language: &meta.language,
            title: &title,
            subtitle: &subtitle,
            publisher: &publisher,
            modified,
            contents: &later,
            pages: &book.pages,
            lists: &lists,
        };
        package::finish(&archive, &fix).map_err(|e| packaging_error(root, e))
    };
    let mut bytes = assemble(&embedded)?;
    let mut embedded = embedded;
    // Every character a face sets in the finished package — content documents, navigation
    // (its title in the bold headings face, the lists, the page list), cover — must be in
    // that face's subset: a reader would draw a missing one in whatever system font it has.
    // When the expected characters missed some, the faces are cut again with them.
    let needed = fonts::with_fallbacks(context.fonts, design_fonts, package_faces(&bytes, design_fonts)?);
    if !covers(&requested, &needed) {
        let mut faces = requested;
        for (face, chars) in needed {
            faces.entry(face).or_default().extend(chars);
        }
        embedded = fonts::embed(context.fonts, context.fonts_dir, &faces)?;
        bytes = assemble(&embedded)?;
    }
    Ok(EpubOutput { bytes, sections: book.sections.len(), font_bytes: embedded.iter().map(|f| f.bytes.len()).sum(), warnings })
}

/// The text the navigation document will show, by the face it is set in: its title (a
/// heading, in the bold headings face) and list titles, and its entries (the sections and
/// their headings, the cover, the lists of figures and tables, the print pages' numbers) in
/// the headings face.
struct NavigationText {
    /// Set in the headings family, bold.
    headings: String,
    /// Set in the headings family, regular.
    entries: String,
}

/// What the navigation document of `book` shows (see [`NavigationText`]). The print pages'
/// numbers are not known yet: the digits and roman numerals stand for them.
fn navigation_text(book: &sections::Book, meta: &crate::model::Metadata) -> NavigationText {
    let words = crate::model::script::for_language(&meta.language);
    let mut headings = String::from(words.contents);
    let mut entries = format!("{COVER_TITLE}0123456789ivxlcdmIVXLCDM");
    for section in &book.sections {
        entries.push_str(&section.title);
        for heading in &section.subheadings {
            entries.push_str(&heading.title);
        }
    }
    let wanted = |list: &str| meta.lists.iter().any(|l| l == list);
    for (list, title, items) in [("figures", words.figure_list, &book.figures), ("tables", words.table_list, &book.tables)] {
        if wanted(list) && !items.is_empty() {
            headings.push_str(title);
            for (text, _) in items {
                entries.push_str(text);
            }
        }
    }
    NavigationText { headings, entries }
}

/// The characters each face draws in the book: the content documents' text as the stylesheet
/// sets it, and the navigation document's.
fn faces_of(
    book: &sections::Book,
    fonts: &crate::design::DesignFonts,
    navigation: &NavigationText,
) -> Result<BTreeMap<fonts::FaceSpec, BTreeSet<char>>, Diagnostic> {
    let documents: Vec<&[u8]> = book.sections.iter().map(|s| s.xhtml.as_slice()).collect();
    let mut faces =
        fonts::chars_by_face(&documents, fonts).map_err(|e| Diagnostic::error("", format!("EPUB packaging: cannot read a content document again: {e}")))?;
    for (text, weight) in [(&navigation.headings, 700), (&navigation.entries, 400)] {
        let face = faces.entry(fonts::FaceSpec { family: fonts.heading.clone(), weight }).or_default();
        face.extend(text.chars().filter(|c| !c.is_control()));
    }
    Ok(faces)
}

/// The characters each face draws in a finished package: every XHTML document in it
/// (content documents, navigation, cover) as the stylesheet sets it.
fn package_faces(epub: &[u8], fonts: &crate::design::DesignFonts) -> Result<BTreeMap<fonts::FaceSpec, BTreeSet<char>>, Diagnostics> {
    let fail = |e: String| Diagnostics::one(Diagnostic::error("", format!("EPUB packaging: cannot read the finished package again: {e}")));
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(epub)).map_err(|e| fail(e.to_string()))?;
    let mut documents = Vec::new();
    for index in 0..zip.len() {
        let mut file = zip.by_index(index).map_err(|e| fail(e.to_string()))?;
        if file.name().ends_with(".xhtml") {
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut file, &mut bytes).map_err(|e| fail(e.to_string()))?;
            documents.push(bytes);
        }
    }
    let documents: Vec<&[u8]> = documents.iter().map(Vec::as_slice).collect();
    fonts::chars_by_face(&documents, fonts).map_err(fail)
}

/// Whether the subsets cut for `requested` hold every character `needed` asks of each face.
fn covers(requested: &BTreeMap<fonts::FaceSpec, BTreeSet<char>>, needed: &BTreeMap<fonts::FaceSpec, BTreeSet<char>>) -> bool {
    needed.iter().all(|(face, chars)| requested.get(face).is_some_and(|have| chars.iter().all(|c| c.is_whitespace() || have.contains(c))))
}

/// The stand-in content of a resource the fix-up pass fills in.
const EMPTY: &[u8] = &[];

/// Text for epub-builder (which escapes it) without characters XML forbids.
fn safe(text: &str) -> String {
    xhtml::xml_safe(text).into_owned()
}

/// Nests the subheadings of a section by level (h3 under the h2 before it, …), the way
/// epub-builder's own table of contents nests its entries.
fn toc_tree(subheadings: &[sections::Subheading]) -> Vec<TocElement> {
    let mut entries: Vec<TocElement> = Vec::new();
    for heading in subheadings {
        let entry = TocElement::new(heading.href.as_str(), safe(&heading.title)).level(i32::from(heading.level));
        match entries.last_mut() {
            Some(last) if entry.level > last.level => last.add(entry),
            _ => entries.push(entry),
        }
    }
    entries
}
