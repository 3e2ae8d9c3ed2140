//! What Word's `styles.xml` and `numbering.xml` say about a paragraph: its heading level
//! (from the style's name or outline level, through `basedOn`), whether it is the title,
//! subtitle or a caption, its character formatting, and the text of its automatic number
//! (`第%1章`, `（%2）`, `1.`), counted as Word counts it.

use std::collections::HashMap;

use super::xml::Node;

/// The role a paragraph style gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Role {
    /// Body text.
    #[default]
    Body,
    /// A heading of this level (1 = highest).
    Heading(u8),
    /// The document title.
    Title,
    /// The subtitle.
    Subtitle,
    /// A figure or table caption.
    Caption,
    /// An entry of Word's table of contents (the report makes its own).
    Contents,
}

/// One style, as declared.
#[derive(Debug, Clone, Default)]
struct Style {
    name: String,
    based_on: Option<String>,
    outline: Option<u8>,
    bold: Option<bool>,
    italic: Option<bool>,
    numbering: Option<(String, u8)>,
}

/// The document's styles, by id.
#[derive(Debug, Default)]
pub struct Styles {
    styles: HashMap<String, Style>,
}

impl Styles {
    /// Reads `styles.xml` (absent: no styles).
    pub fn read(root: Option<&Node>) -> Self {
        let mut styles = HashMap::new();
        for style in root.into_iter().flat_map(|r| r.elements()).filter(|e| e.name == "style") {
            let Some(id) = style.attr("styleId") else { continue };
            let ppr = style.child("pPr");
            let rpr = style.child("rPr");
            let on = |props: Option<&Node>, name: &str| props.and_then(|p| p.child(name)).map(|_| props.is_some_and(|p| p.flag(name)));
            styles.insert(
                id.to_string(),
                Style {
                    name: style.child("name").and_then(|n| n.attr("val")).unwrap_or(id).to_string(),
                    based_on: style.child("basedOn").and_then(|b| b.attr("val")).map(str::to_string),
                    outline: ppr.and_then(|p| p.child("outlineLvl")).and_then(|o| o.attr("val")).and_then(|v| v.parse().ok()),
                    bold: on(rpr, "b"),
                    italic: on(rpr, "i"),
                    numbering: ppr.and_then(|p| p.child("numPr")).and_then(num_pr),
                },
            );
        }
        Self { styles }
    }

    /// The chain of a style and the styles it is based on (at most 10 deep).
    fn chain(&self, id: &str) -> Vec<&Style> {
        let mut out = Vec::new();
        let mut next = Some(id);
        while let Some(id) = next {
            let Some(style) = self.styles.get(id) else { break };
            if out.len() >= 10 {
                break;
            }
            out.push(style);
            next = style.based_on.as_deref();
        }
        out
    }

    /// The role of a paragraph style.
    pub fn role(&self, id: &str) -> Role {
        for style in self.chain(id) {
            let name = style.name.to_lowercase();
            let name = name.trim();
            if name == "title" || name == "标题" {
                return Role::Title;
            }
            if name == "subtitle" || name == "副标题" {
                return Role::Subtitle;
            }
            if name == "caption" || name == "题注" {
                return Role::Caption;
            }
            if name.starts_with("toc ") || name == "toc heading" || name.starts_with("目录 ") {
                return Role::Contents;
            }
            for prefix in ["heading", "标题"] {
                if let Some(level) = name.strip_prefix(prefix).and_then(|n| n.trim().parse::<u8>().ok()).filter(|l| (1..=9).contains(l)) {
                    return Role::Heading(level);
                }
            }
            if let Some(level) = style.outline.filter(|l| *l < 9) {
                return Role::Heading(level + 1);
            }
        }
        Role::Body
    }

    /// The style's name (for notes).
    pub fn name(&self, id: &str) -> String {
        self.styles.get(id).map_or_else(|| id.to_string(), |s| s.name.clone())
    }

    /// Bold and italic set by a style (paragraph or character), through `basedOn`.
    pub fn formatting(&self, id: &str) -> (Option<bool>, Option<bool>) {
        let chain = self.chain(id);
        (chain.iter().find_map(|s| s.bold), chain.iter().find_map(|s| s.italic))
    }

    /// The automatic numbering a paragraph style applies: (numId, level).
    pub fn numbering(&self, id: &str) -> Option<(String, u8)> {
        self.chain(id).iter().find_map(|s| s.numbering.clone())
    }
}

/// `<w:numPr>`: (numId, ilvl); numId 0 switches numbering off.
pub fn num_pr(node: &Node) -> Option<(String, u8)> {
    let id = node.child("numId")?.attr("val")?.to_string();
    let level = node.child("ilvl").and_then(|l| l.attr("val")).and_then(|v| v.parse().ok()).unwrap_or(0);
    Some((id, level))
}

/// One level of a list definition.
#[derive(Debug, Clone, Default)]
struct Level {
    start: u32,
    format: String,
    text: String,
    suffix: String,
}

/// The document's list definitions, with the counters of the lists met so far.
#[derive(Debug, Default)]
pub struct Numbering {
    abstracts: HashMap<String, Vec<Level>>,
    /// numId → (abstractNumId, start overrides by level).
    nums: HashMap<String, (String, HashMap<u8, u32>)>,
    counters: HashMap<String, [u32; 9]>,
    started: std::collections::HashSet<String>,
}

/// A paragraph's resolved number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Number {
    /// The number as printed (`1.`, `（二）`, `第一章`), or the bullet character.
    pub text: String,
    /// Whether it is a bullet, not a number.
    pub bullet: bool,
    /// What follows it: a space unless Word says nothing (`w:suff`) or it ends in Chinese
    /// punctuation.
    pub space_after: bool,
}

impl Numbering {
    /// Reads `numbering.xml` (absent: no lists).
    pub fn read(root: Option<&Node>) -> Self {
        let mut numbering = Self::default();
        let Some(root) = root else { return numbering };
        for abstract_num in root.elements().filter(|e| e.name == "abstractNum") {
            let Some(id) = abstract_num.attr("abstractNumId") else { continue };
            let mut levels = vec![Level::default(); 9];
            for lvl in abstract_num.elements().filter(|e| e.name == "lvl") {
                let Some(index) = lvl.attr("ilvl").and_then(|v| v.parse::<usize>().ok()).filter(|i| *i < 9) else { continue };
                let value = |name: &str| lvl.child(name).and_then(|e| e.attr("val")).map(str::to_string);
                levels[index] = Level {
                    start: value("start").and_then(|v| v.parse::<u32>().ok()).unwrap_or(1).min(MAX_LIST_START),
                    format: value("numFmt").unwrap_or_else(|| "decimal".into()),
                    text: value("lvlText").unwrap_or_default(),
                    suffix: value("suff").unwrap_or_else(|| "tab".into()),
                };
            }
            numbering.abstracts.insert(id.to_string(), levels);
        }
        for num in root.elements().filter(|e| e.name == "num") {
            let (Some(id), Some(abstract_id)) = (num.attr("numId"), num.child("abstractNumId").and_then(|a| a.attr("val"))) else { continue };
            let overrides = num
                .elements()
                .filter(|e| e.name == "lvlOverride")
                .filter_map(|o| Some((o.attr("ilvl")?.parse().ok()?, o.child("startOverride")?.attr("val")?.parse::<u32>().ok()?.min(MAX_LIST_START))))
                .collect();
            numbering.nums.insert(id.to_string(), (abstract_id.to_string(), overrides));
        }
        numbering
    }

    /// Counts one paragraph of list `num_id` at `level` and returns its number, or `None`
    /// for numId 0 or an unknown list.
    pub fn next(&mut self, num_id: &str, level: u8) -> Option<Number> {
        let (abstract_id, overrides) = self.nums.get(num_id)?.clone();
        let levels = self.abstracts.get(&abstract_id)?.clone();
        let level = usize::from(level.min(8));
        let counters = self.counters.entry(abstract_id.clone()).or_insert([0; 9]);
        // A list instance with start overrides begins again where it is first used.
        if !overrides.is_empty() && self.started.insert(num_id.to_string()) {
            *counters = [0; 9];
        }
        if counters[level] == 0 {
            counters[level] = overrides.get(&(level as u8)).copied().unwrap_or(levels[level].start);
        } else {
            counters[level] = counters[level].saturating_add(1);
        }
        for deeper in counters.iter_mut().skip(level + 1) {
            *deeper = 0;
        }
        let this = &levels[level];
        if this.format == "bullet" {
            return Some(Number { text: this.text.clone(), bullet: true, space_after: true });
        }
        if this.format == "none" && !this.text.contains('%') {
            return (!this.text.is_empty()).then(|| Number { text: this.text.clone(), bullet: false, space_after: false });
        }
        let mut text = this.text.clone();
        for (index, level_def) in levels.iter().enumerate().take(level + 1) {
            let value = if counters[index] == 0 { level_def.start } else { counters[index] };
            text = text.replace(&format!("%{}", index + 1), &format_number(value, &level_def.format));
        }
        let space_after = this.suffix != "nothing" && !text.ends_with(['、', '．', '）', '：', '】', '〕']);
        Some(Number { text, bullet: false, space_after })
    }
}

/// Highest number a list may start at: Word's own limit (32 767). A document claiming more
/// (4 294 967 295 made a letter-numbered list write 472 MiB) starts there.
const MAX_LIST_START: u32 = 32_767;

/// A counter value in one of Word's number formats.
fn format_number(value: u32, format: &str) -> String {
    match format {
        "chineseCounting" | "chineseCountingThousand" | "chineseLegalSimplified" | "ideographDigital" | "japaneseCounting" | "taiwaneseCounting" => {
            if format == "ideographDigital" {
                value.to_string().chars().map(|d| "〇一二三四五六七八九".chars().nth(d.to_digit(10).unwrap_or(0) as usize).unwrap_or('〇')).collect()
            } else {
                chinese(value)
            }
        }
        "ideographTraditional" => "甲乙丙丁戊己庚辛壬癸".chars().nth((value.max(1) - 1) as usize % 10).map(String::from).unwrap_or_default(),
        "ideographZodiac" => "子丑寅卯辰巳午未申酉戌亥".chars().nth((value.max(1) - 1) as usize % 12).map(String::from).unwrap_or_default(),
        "decimalEnclosedCircle" | "decimalEnclosedCircleChinese" if (1..=20).contains(&value) => {
            char::from_u32(0x2460 + value - 1).map(String::from).unwrap_or_default()
        }
        "decimalFullWidth" | "decimalFullWidth2" => {
            value.to_string().chars().map(|d| char::from_u32(0xFF10 + d.to_digit(10).unwrap_or(0)).unwrap_or(d)).collect()
        }
        "decimalZero" => format!("{value:02}"),
        "upperLetter" => crate::numbers::numerals::letters(value).to_uppercase(),
        "lowerLetter" => crate::numbers::numerals::letters(value),
        "upperRoman" => crate::numbers::numerals::roman(value),
        "lowerRoman" => crate::numbers::numerals::roman(value).to_lowercase(),
        _ => value.to_string(),
    }
}

/// 1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五.
fn chinese(value: u32) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    if value >= 1000 {
        return value.to_string();
    }
    let (hundreds, tens, ones) = (value / 100, value / 10 % 10, value % 10);
    let mut out = String::new();
    if hundreds > 0 {
        out.push_str(DIGITS[hundreds as usize]);
        out.push('百');
        if tens == 0 && ones > 0 {
            out.push('零');
        }
    }
    if tens > 0 {
        if !(tens == 1 && hundreds == 0) {
            out.push_str(DIGITS[tens as usize]);
        }
        out.push('十');
    }
    if ones > 0 || value == 0 {
        out.push_str(DIGITS[ones as usize]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_numbers_are_written_as_in_documents() {
        let written: Vec<String> = [1, 10, 12, 20, 21, 105, 110].iter().map(|v| chinese(*v)).collect();
        assert_eq!(written, ["一", "十", "十二", "二十", "二十一", "一百零五", "一百一十"]);
        assert_eq!(format_number(3, "decimalEnclosedCircle"), "③");
        assert_eq!(format_number(4, "lowerRoman"), "iv");
    }

    #[test]
    fn a_list_claiming_to_start_at_u32_max_is_numbered_in_little_space() {
        let xml = r#"<numbering><abstractNum abstractNumId="0"><lvl ilvl="0"><start val="4294967295"/><numFmt val="upperLetter"/><lvlText val="%1."/></lvl></abstractNum><num numId="1"><abstractNumId val="0"/><lvlOverride ilvl="0"><startOverride val="4294967295"/></lvlOverride></num></numbering>"#;
        let root = crate::import::docx::xml::parse("numbering.xml", xml).unwrap();
        let mut numbering = Numbering::read(Some(&root));
        let numbers: Vec<String> = (0..3).map(|_| numbering.next("1", 0).unwrap().text).collect();
        assert_eq!(numbers, ["32767.", "32768.", "32769."]);
        assert_eq!(format_number(u32::MAX, "upperRoman"), "4294967295");
        assert_eq!(format_number(27, "lowerLetter"), "aa");
    }
}
