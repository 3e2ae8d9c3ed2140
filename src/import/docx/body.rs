//! The body of a Word document (and of its footnotes and endnotes): paragraphs with their
//! runs (bold, italic, hyperlinks, note references, pictures), automatic numbers resolved to
//! text, tables as rows of cell texts, and every tracked change and comment mark met.

use std::collections::HashMap;

use super::package::Relationship;
use super::styles::{Number, Numbering, Role, Styles, num_pr};
use super::xml::Node;
use crate::import::draft::Inline;

/// A tracked change or comment found in the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// What it is: "insertion", "deletion", "moved text", "formatting change".
    pub kind: &'static str,
    /// Who made it, and when (as Word recorded them).
    pub author: String,
    /// The date, as recorded.
    pub date: String,
    /// The text concerned (may be empty for formatting changes).
    pub text: String,
    /// 1-based number of the body paragraph it is in, not counting paragraphs in tables (0:
    /// in a note or comment).
    pub paragraph: usize,
}

/// A picture in a paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picture {
    /// The relationship id of the picture part.
    pub rel: String,
    /// Its description (alt text) or title, if any.
    pub alt: String,
}

/// A paragraph as read.
#[derive(Debug, Clone, Default)]
pub struct Paragraph {
    /// 1-based number among the body's paragraphs outside tables (for messages).
    pub number: usize,
    /// The style's id, if any.
    pub style: Option<String>,
    /// The role its style or outline level gives.
    pub role: Role,
    /// Its automatic number, resolved.
    pub list: Option<Number>,
    /// The text with formatting.
    pub inlines: Vec<Inline>,
    /// Pictures in it.
    pub pictures: Vec<Picture>,
    /// Whether all of its text is bold.
    pub all_bold: bool,
    /// The contents of text boxes anchored in it.
    pub boxes: Vec<Vec<Item>>,
}

/// A table as read: rows of cell texts.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// Number of the paragraph before which it stands.
    pub number: usize,
    /// Rows of cells (merged cells repeated as empty cells to keep the grid).
    pub rows: Vec<Vec<String>>,
    /// Whether cells were merged (horizontally or vertically).
    pub merged: bool,
}

/// A piece of the body.
#[derive(Debug, Clone)]
pub enum Item {
    /// A paragraph.
    Paragraph(Paragraph),
    /// A table.
    Table(Table),
}

/// What reading the body needs and collects.
pub struct Reader<'a> {
    /// Paragraph and character styles.
    pub styles: &'a Styles,
    /// List definitions and counters.
    pub numbering: &'a mut Numbering,
    /// Relationships of the part being read (hyperlinks, pictures).
    pub rels: &'a HashMap<String, Relationship>,
    /// Whether tracked changes are accepted (deletions dropped).
    pub accept: bool,
    /// Tracked changes met.
    pub changes: Vec<Change>,
    /// Equations met (their text is kept): paragraph numbers.
    pub equations: Vec<usize>,
    /// Whether a table of contents was left out.
    pub contents_skipped: bool,
    paragraphs: usize,
    /// Text boxes met in the paragraph being read.
    boxes: Vec<Vec<Item>>,
}

/// The state of a run sequence: field codes to skip, a hyperlink field being read.
#[derive(Default)]
struct Fields {
    /// Inside a field's code (between `begin` and `separate`).
    in_code: bool,
    /// The code of the field being read.
    code: String,
    /// The address of a HYPERLINK field whose result is being read, and where it starts.
    link: Option<(String, usize)>,
}

impl<'a> Reader<'a> {
    /// A reader for one part.
    pub fn new(styles: &'a Styles, numbering: &'a mut Numbering, rels: &'a HashMap<String, Relationship>, accept: bool) -> Self {
        Self { styles, numbering, rels, accept, changes: Vec::new(), equations: Vec::new(), contents_skipped: false, paragraphs: 0, boxes: Vec::new() }
    }

    /// The body's (or a note's) paragraphs and tables, in order.
    pub fn blocks(&mut self, container: &Node) -> Vec<Item> {
        let mut out = Vec::new();
        for element in container.elements() {
            match element.name.as_str() {
                "p" => out.push(Item::Paragraph(self.paragraph(element))),
                "tbl" => {
                    let table = self.table(element);
                    out.push(Item::Table(table));
                }
                "sdt" => {
                    // Word's table of contents: the report makes its own.
                    let gallery = element.child("sdtPr").and_then(|p| p.find("docPartGallery")).and_then(|g| g.attr("val")).unwrap_or("");
                    if gallery.contains("Table of Contents") {
                        self.contents_skipped = true;
                        continue;
                    }
                    if let Some(content) = element.child("sdtContent") {
                        out.extend(self.blocks(content));
                    }
                }
                "customXml" => out.extend(self.blocks(element)),
                "ins" | "moveTo" => {
                    self.record(element, if element.name == "ins" { "insertion" } else { "moved text" }, String::new());
                    out.extend(self.blocks(element));
                }
                "del" | "moveFrom" => {
                    self.record(element, if element.name == "del" { "deletion" } else { "moved text" }, String::new());
                    if !self.accept {
                        out.extend(self.blocks(element));
                    }
                }
                _ => {}
            }
        }
        out
    }

    fn record(&mut self, node: &Node, kind: &'static str, text: String) {
        let author = node.attr("author").unwrap_or("?").to_string();
        let date = node.attr("date").unwrap_or("").to_string();
        self.changes.push(Change { kind, author, date, text, paragraph: self.paragraphs });
    }

    fn paragraph(&mut self, p: &Node) -> Paragraph {
        self.paragraphs += 1;
        let ppr = p.child("pPr");
        let style = ppr.and_then(|p| p.child("pStyle")).and_then(|s| s.attr("val")).map(str::to_string);
        let mut role = style.as_deref().map(|s| self.styles.role(s)).unwrap_or_default();
        if let Some(level) = ppr.and_then(|p| p.child("outlineLvl")).and_then(|o| o.attr("val")).and_then(|v| v.parse::<u8>().ok()) {
            role = if level < 9 { Role::Heading(level + 1) } else { Role::Body };
        }
        if let Some(ppr) = ppr {
            if let Some(change) = ppr.child("pPrChange") {
                self.record(change, "formatting change", String::new());
            }
            if let Some(mark) = ppr.child("rPr") {
                for (name, kind) in [("ins", "insertion"), ("del", "deletion")] {
                    if let Some(change) = mark.child(name) {
                        self.record(change, kind, "(a paragraph mark)".into());
                    }
                }
            }
        }
        let numbering = match ppr.and_then(|p| p.child("numPr")) {
            Some(direct) => num_pr(direct),
            None => style.as_deref().and_then(|s| self.styles.numbering(s)),
        };
        let list = numbering.filter(|(id, _)| id != "0").and_then(|(id, level)| self.numbering.next(&id, level));
        let (style_bold, style_italic) = style.as_deref().map(|s| self.styles.formatting(s)).unwrap_or_default();
        let base = (style_bold.unwrap_or(false), style_italic.unwrap_or(false));
        let mut paragraph = Paragraph { number: self.paragraphs, style, role, list, ..Default::default() };
        let mut runs = Vec::new();
        let mut fields = Fields::default();
        self.inline_children(p, base, &mut runs, &mut paragraph.pictures, &mut fields);
        paragraph.boxes = std::mem::take(&mut self.boxes);
        paragraph.all_bold = runs.iter().any(|r| matches!(r, Run::Text(t, _, _) if !t.trim().is_empty()))
            && runs.iter().all(|r| match r {
                Run::Text(t, bold, _) => *bold || t.trim().is_empty(),
                _ => true,
            });
        paragraph.inlines = to_inlines(runs);
        paragraph
    }

    /// Runs and what may hold runs (hyperlinks, changes, fields, content controls).
    fn inline_children(&mut self, node: &Node, base: (bool, bool), out: &mut Vec<Run>, pictures: &mut Vec<Picture>, fields: &mut Fields) {
        for element in node.elements() {
            match element.name.as_str() {
                "r" => self.run(element, base, out, pictures, fields),
                "hyperlink" => {
                    let url = element
                        .attr_exact("r:id")
                        .or_else(|| element.attr("id"))
                        .and_then(|id| self.rels.get(id))
                        .filter(|r| r.external)
                        .map(|r| r.target.clone());
                    let mut inner = Vec::new();
                    self.inline_children(element, base, &mut inner, pictures, fields);
                    match url {
                        Some(url) => out.push(Run::Link(url, inner)),
                        None => out.extend(inner),
                    }
                }
                "ins" | "moveTo" => {
                    let text = element.text();
                    self.record(element, if element.name == "ins" { "insertion" } else { "moved text" }, text);
                    self.inline_children(element, base, out, pictures, fields);
                }
                "del" | "moveFrom" => {
                    let mut deleted = String::new();
                    let mut texts = Vec::new();
                    element.find_all("delText", &mut texts);
                    texts.iter().for_each(|t| deleted.push_str(&t.text()));
                    if deleted.is_empty() {
                        deleted = element.text();
                    }
                    self.record(element, if element.name == "del" { "deletion" } else { "moved text" }, deleted);
                    if !self.accept && element.name == "moveFrom" {
                        self.inline_children(element, base, out, pictures, fields);
                    }
                }
                "smartTag" | "customXml" | "bdo" | "dir" | "fldSimple" => {
                    let link = (element.name == "fldSimple").then(|| hyperlink_field(element.attr("instr").unwrap_or(""))).flatten();
                    let mut inner = Vec::new();
                    self.inline_children(element, base, &mut inner, pictures, fields);
                    match link {
                        Some(url) => out.push(Run::Link(url, inner)),
                        None => out.extend(inner),
                    }
                }
                "sdt" => {
                    if let Some(content) = element.child("sdtContent") {
                        self.inline_children(content, base, out, pictures, fields);
                    }
                }
                "oMath" | "oMathPara" => {
                    self.equations.push(self.paragraphs);
                    let mut texts = Vec::new();
                    element.find_all("t", &mut texts);
                    out.push(Run::Text(texts.iter().map(|t| t.text()).collect(), base.0, base.1));
                }
                _ => {}
            }
        }
    }

    fn run(&mut self, r: &Node, base: (bool, bool), out: &mut Vec<Run>, pictures: &mut Vec<Picture>, fields: &mut Fields) {
        let rpr = r.child("rPr");
        if rpr.is_some_and(|p| p.flag("vanish") || p.flag("specVanish")) {
            return;
        }
        if let Some(change) = rpr.and_then(|p| p.child("rPrChange")) {
            self.record(change, "formatting change", r.text());
        }
        let (style_bold, style_italic) = rpr.and_then(|p| p.child("rStyle")).and_then(|s| s.attr("val")).map(|s| self.styles.formatting(s)).unwrap_or_default();
        let direct = |name: &str| rpr.and_then(|p| p.child(name)).map(|_| rpr.is_some_and(|p| p.flag(name)));
        let bold = direct("b").or(style_bold).unwrap_or(base.0);
        let italic = direct("i").or(style_italic).unwrap_or(base.1);
        for element in r.elements() {
            if fields.in_code && element.name != "fldChar" && element.name != "instrText" {
                continue;
            }
            let text = match element.name.as_str() {
                "t" => element.text(),
                "delText" if !self.accept => element.text(),
                "tab" | "ptab" => " ".to_string(),
                "br" | "cr" => match element.attr("type") {
                    Some("page" | "column") => String::new(),
                    _ => "\n".to_string(),
                },
                "noBreakHyphen" => "-".to_string(),
                "sym" => element.attr("char").and_then(|c| u32::from_str_radix(c, 16).ok()).map(symbol).unwrap_or_default(),
                "footnoteReference" => {
                    if let Some(id) = element.attr("id") {
                        out.push(Run::Note(format!("fn{id}")));
                    }
                    continue;
                }
                "endnoteReference" => {
                    if let Some(id) = element.attr("id") {
                        out.push(Run::Note(format!("en{id}")));
                    }
                    continue;
                }
                "fldChar" => {
                    match element.attr("fldCharType") {
                        Some("begin") => {
                            fields.in_code = true;
                            fields.code.clear();
                        }
                        Some("separate") => {
                            fields.in_code = false;
                            if let Some(url) = hyperlink_field(&fields.code) {
                                fields.link = Some((url, out.len()));
                            }
                        }
                        Some("end") => {
                            fields.in_code = false;
                            if let Some((url, start)) = fields.link.take() {
                                let inner: Vec<Run> = out.drain(start.min(out.len())..).collect();
                                out.push(Run::Link(url, inner));
                            }
                        }
                        _ => {}
                    }
                    continue;
                }
                "instrText" => {
                    fields.code.push_str(&element.text());
                    continue;
                }
                "drawing" | "pict" | "object" => {
                    self.drawing(element, pictures);
                    continue;
                }
                "AlternateContent" => {
                    // The same drawing twice: Word's own form, and a fallback (VML).
                    if let Some(choice) = element.child("Choice") {
                        self.drawing(choice, pictures);
                    }
                    continue;
                }
                _ => continue,
            };
            if !text.is_empty() {
                out.push(Run::Text(text, bold, italic));
            }
        }
    }

    /// A drawing: a text box's paragraphs (kept for a sidebar), else its pictures.
    fn drawing(&mut self, node: &Node, pictures: &mut Vec<Picture>) {
        let mut contents = Vec::new();
        node.find_all("txbxContent", &mut contents);
        if contents.is_empty() {
            self.pictures(node, pictures);
            return;
        }
        for content in contents {
            // A box's paragraphs are not numbered among the body's, and its own boxes stay its own.
            let (count, pending) = (self.paragraphs, std::mem::take(&mut self.boxes));
            let items = self.blocks(content);
            self.paragraphs = count;
            self.boxes = pending;
            self.boxes.push(items);
        }
    }

    /// Pictures inside a drawing: the `a:blip r:embed` (or VML `v:imagedata r:id`) targets.
    fn pictures(&self, node: &Node, out: &mut Vec<Picture>) {
        let mut blips = Vec::new();
        node.find_all("blip", &mut blips);
        let mut vml = Vec::new();
        node.find_all("imagedata", &mut vml);
        let alt = node.find("docPr").and_then(|d| d.attr("descr").filter(|s| !s.trim().is_empty()).or(d.attr("title"))).unwrap_or("").trim().to_string();
        for blip in blips {
            if let Some(rel) = blip.attr_exact("r:embed").or_else(|| blip.attr("embed")) {
                out.push(Picture { rel: rel.to_string(), alt: alt.clone() });
            }
        }
        for image in vml {
            if let Some(rel) = image.attr_exact("r:id").or_else(|| image.attr("id")) {
                out.push(Picture { rel: rel.to_string(), alt: image.attr("title").unwrap_or(&alt).to_string() });
            }
        }
    }

    fn table(&mut self, tbl: &Node) -> Table {
        // Paragraphs are numbered outside tables: a cell's paragraphs do not count.
        let before = self.paragraphs;
        let mut table = Table { number: before + 1, ..Default::default() };
        for tr in tbl.elements().filter(|e| e.name == "tr") {
            let mut row = Vec::new();
            for tc in tr.elements().filter(|e| e.name == "tc") {
                let tcpr = tc.child("tcPr");
                let span = tcpr.and_then(|p| p.child("gridSpan")).and_then(|g| g.attr("val")).and_then(|v| v.parse::<usize>().ok()).unwrap_or(1).clamp(1, 64);
                let vmerge = tcpr.and_then(|p| p.child("vMerge"));
                if span > 1 || vmerge.is_some() {
                    table.merged = true;
                }
                let continued = vmerge.is_some_and(|v| v.attr("val").is_none_or(|v| v == "continue"));
                let texts: Vec<String> = self
                    .blocks(tc)
                    .into_iter()
                    .map(|item| match item {
                        Item::Paragraph(p) => crate::import::draft::plain_text(&p.inlines),
                        Item::Table(inner) => inner.rows.iter().map(|r| r.join(" ")).collect::<Vec<_>>().join(" "),
                    })
                    .filter(|t| !t.trim().is_empty())
                    .collect();
                row.push(if continued { String::new() } else { texts.join(" ").split_whitespace().collect::<Vec<_>>().join(" ") });
                row.extend(std::iter::repeat_n(String::new(), span - 1));
            }
            table.rows.push(row);
        }
        self.paragraphs = before;
        table
    }
}

/// A piece of a paragraph before grouping.
enum Run {
    Text(String, bool, bool),
    Link(String, Vec<Run>),
    Note(String),
}

/// Groups runs into inlines: bold → strong, italic → emphasis.
fn to_inlines(runs: Vec<Run>) -> Vec<Inline> {
    runs.into_iter()
        .map(|run| match run {
            Run::Text(text, bold, italic) => {
                let text = Inline::Text(text);
                let text = if italic { Inline::Emphasis(vec![text]) } else { text };
                if bold { Inline::Strong(vec![text]) } else { text }
            }
            Run::Link(url, inner) => Inline::Link { text: to_inlines(inner), url },
            Run::Note(label) => Inline::Note(label),
        })
        .collect()
}

/// The address of a `HYPERLINK "url"` field code (not of a `\l` bookmark link).
fn hyperlink_field(code: &str) -> Option<String> {
    let rest = code.trim().strip_prefix("HYPERLINK")?.trim();
    if rest.starts_with("\\l") {
        return None;
    }
    let url = rest.strip_prefix('"')?.split('"').next()?;
    (!url.is_empty()).then(|| url.to_string())
}

/// A `w:sym` character: Symbol-font codes (F0xx) are taken as their Latin-1 position.
fn symbol(code: u32) -> String {
    let code = if (0xF000..0xF100).contains(&code) { code - 0xF000 } else { code };
    char::from_u32(code).filter(|c| !c.is_control()).map(String::from).unwrap_or_default()
}
