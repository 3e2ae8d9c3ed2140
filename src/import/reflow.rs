//! Hard-wrapped extracted text (copied out of a PDF page) → a [`Draft`]: lines are rejoined
//! into paragraphs, the spaces that justification left between Chinese characters are
//! removed, and headings, run-in heads, the byline and a title/caption block at the end are
//! recognised. Every decision that rests on a guess is reported as a note at its line.
//!
//! Hand-written: no crate reflows extracted CJK text. The decisions use the measure of the
//! text column (the median width of lines inside paragraphs, in em: a Chinese character is
//! 1, a Latin letter, digit or space ½).

use std::path::Path;

use super::draft::{Block, Draft, Inline, plain_text};
use super::patterns::{HeadingNumber, numbered_heading, without_number};
use crate::diagnostics::Diagnostic;
use crate::source::is_cjk;

/// One non-blank line of the input.
#[derive(Debug, Clone)]
struct Line {
    /// 1-based line number in the input.
    number: usize,
    /// The text, without leading and trailing white space.
    text: String,
    /// Whether it began with an indent (two spaces, an ideographic space or a tab).
    indented: bool,
    /// Whether a blank line stood before it.
    blank_before: bool,
    /// Width in em.
    width: f32,
}

/// How much shorter than the column (in em) a line ending a sentence must be to end its
/// paragraph: justified lines are full to within half an em. Each Latin letter or digit,
/// estimated at ½ em, adds 0.1 em of doubt; a line ending in ；or ： (a clause) needs 1.5 em.
const SHORT: f32 = 0.75;

/// Whether a line ends its paragraph: it ends a sentence (or a clause) and is shorter than
/// the column by more than the estimate's doubt.
fn ends_paragraph(line: &Line, measure: f32) -> bool {
    let half_width = line.text.chars().filter(|c| !is_cjk(*c)).count() as f32;
    let short = if ends_sentence(&line.text) { SHORT + 0.1 * half_width } else { 1.5 + 0.1 * half_width };
    ends_clause(&line.text) && line.width <= measure - short
}

/// Closing quotes and brackets that may follow a sentence's final punctuation.
const CLOSERS: &[char] = &['”', '’', '」', '』', '）', ')', '》', '〉', '】', '"', '\''];

/// Reads hard-wrapped text; `source` names the input in notes.
pub fn reflow(text: &str, source: &Path) -> Draft {
    let mut draft = Draft::default();
    let note = |line: usize, message: String| Diagnostic::note(source, message).at_line(line);
    let mut lines = read_lines(text);
    // Page numbers left by the extraction ("12", "- 12 -", "第 12 页") are not text.
    lines.retain(|line| {
        let page = is_page_number(&line.text);
        if page {
            draft.notes.push(note(line.number, format!("dropped `{}`: read as a page number", line.text)));
        }
        !page
    });
    if lines.is_empty() {
        return draft;
    }
    // Blank lines mean paragraph breaks only when they do not stand between (nearly) all lines.
    let blanks = lines.iter().skip(1).filter(|l| l.blank_before).count();
    let blank_breaks = blanks * 10 < (lines.len() - 1).max(1) * 6;
    if !blank_breaks && blanks > 0 {
        draft
            .notes
            .push(note(lines[0].number, format!("blank lines stand between {blanks} of {} lines: read as layout, not as paragraph breaks", lines.len())));
    }
    let indents = lines.iter().filter(|l| l.indented).count();
    let indent_breaks = indents * 10 >= lines.len() && indents * 10 < lines.len() * 9;

    let inner: Vec<f32> = lines.iter().filter(|l| !ends_clause(&l.text) && l.width > 4.0).map(|l| l.width).collect();
    let wrapped = inner.len() >= 3 && inner.len() * 5 >= lines.len();
    let measure = if wrapped { median(&inner) } else { f32::INFINITY };
    if !wrapped {
        draft.notes.push(note(lines[0].number, "the lines are not hard-wrapped: each line is read as a paragraph".to_string()));
    }

    // The title, subtitle and caption block that extraction puts after the text.
    let mut trailing = if wrapped { split_set_apart(&mut lines, measure) } else { Vec::new() };
    // Byline and title at the top.
    let mut start = 0;
    for (index, line) in lines.iter().enumerate().take(3) {
        if let Some((authors, how)) = byline(&line.text) {
            if index > 0 && numbered_heading(&lines[0].text).is_none() {
                let title: Vec<&Line> = lines[..index].iter().collect();
                take_title(&mut draft, &title, &note);
            }
            draft.notes.push(note(line.number, format!("read as the byline: {}{how}", authors.join("、"))));
            draft.authors = authors;
            start = index + 1;
            break;
        }
    }
    let mut body: Vec<Line> = lines[start..].to_vec();
    if let Some(first) = body.first_mut() {
        first.blank_before = true;
    }
    if !trailing.is_empty() {
        let title_lines: Vec<&Line> = trailing.iter().take_while(|l| is_display(&l.text) || is_dash_line(&l.text)).collect();
        let taken = title_lines.len();
        if draft.title.is_none() && taken > 0 {
            take_title(&mut draft, &title_lines, &note);
        }
        let rest: Vec<Line> = trailing[if draft.title.is_some() { taken } else { 0 }..].to_vec();
        if !rest.is_empty() {
            let width = rest.iter().map(|l| l.width).fold(0.0, f32::max);
            let (paragraphs, _) = paragraphs(&rest, width, false, false, &mut Vec::new(), source);
            let blocks = paragraphs.into_iter().map(|(_, text)| Block::Paragraph(vec![Inline::Text(text)])).collect();
            let sidebar = Block::Sidebar { title: None, blocks };
            draft.notes.push(note(
                rest[0].number,
                format!("lines {}–{}, set apart after the text (a caption or a box), became a sidebar", rest[0].number, rest[rest.len() - 1].number),
            ));
            trailing = rest;
            draft.blocks.push(sidebar);
        } else {
            trailing.clear();
        }
    }

    let mut notes = Vec::new();
    let (paragraphs, headings) = paragraphs(&body, measure, blank_breaks, indent_breaks, &mut notes, source);
    draft.notes.extend(notes);
    let mut blocks = Vec::new();
    let kinds: Vec<HeadingNumber> = {
        let mut kinds: Vec<HeadingNumber> = headings.iter().filter_map(|(_, text)| numbered_heading(text)).collect();
        kinds.sort();
        kinds.dedup();
        kinds
    };
    for (line, text) in paragraphs {
        if headings.iter().any(|(l, _)| *l == line) {
            let level = numbered_heading(&text).and_then(|k| kinds.iter().position(|x| *x == k)).map_or(1, |p| p as u8 + 1);
            if numbered_heading(&text).is_none() {
                draft.notes.push(note(line, format!("read as a heading: `{text}` (a short line without final punctuation)")));
            }
            blocks.push((line, Block::Heading { level: level.min(3), text }));
        } else {
            blocks.push((line, Block::Paragraph(vec![Inline::Text(text)])));
        }
    }
    mark_run_in_heads(&mut blocks, source, &mut draft.notes);
    // The sidebar goes after the paragraph it shares most words with.
    let sidebar = draft.blocks.pop();
    draft.blocks = blocks.into_iter().map(|(_, b)| b).collect();
    if let Some(sidebar) = sidebar {
        let at = best_place(&draft.blocks, &sidebar);
        if let Some(line) = trailing.first().map(|l| l.number) {
            let message = match at {
                Some(index) => {
                    format!("the sidebar was placed after the paragraph «{}…», which shares most words with it", first_chars(&draft.blocks[index], 12))
                }
                None => "the sidebar was placed at the end of the text".to_string(),
            };
            draft.notes.push(note(line, message));
        }
        match at {
            Some(index) => draft.blocks.insert(index + 1, sidebar),
            None => draft.blocks.push(sidebar),
        }
    }
    draft.notes.sort_by_key(|n| n.line);
    draft
}

/// Takes off the end of `lines` the block set apart from the text column: lines set apart
/// (see [`is_set_apart`]) and the short last lines of wide paragraphs among them.
fn split_set_apart(lines: &mut Vec<Line>, measure: f32) -> Vec<Line> {
    let mut trailing = Vec::new();
    while lines.len() > 2 {
        let n = lines.len();
        let closes_wide = ends_sentence(&lines[n - 1].text) && lines[n - 2].width > measure * 1.25 + 1.0;
        if !is_set_apart(&lines[n - 1], measure) && !closes_wide {
            break;
        }
        if let Some(line) = lines.pop() {
            trailing.insert(0, line);
        }
    }
    trailing
}

/// The non-blank lines, with what stood before them.
fn read_lines(text: &str) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut blank_before = false;
    for (index, raw) in text.split('\n').enumerate() {
        for (part, raw) in raw.split('\u{c}').enumerate() {
            let raw = raw.trim_end_matches('\r');
            let trimmed = raw.trim();
            if trimmed.is_empty() {
                blank_before = true;
                continue;
            }
            let indented = raw.starts_with("  ") || raw.starts_with('\u{3000}') || raw.starts_with('\t');
            // The width as laid out: an indent counts.
            let laid_out = width(raw.trim_end());
            lines.push(Line { number: index + 1, text: trimmed.to_string(), indented, blank_before: blank_before || part > 0, width: laid_out });
            blank_before = false;
        }
    }
    lines
}

/// Width in em: Chinese characters and full-width forms 1, everything else ½.
fn width(text: &str) -> f32 {
    text.chars().map(|c| if is_cjk(c) { 1.0 } else { 0.5 }).sum()
}

fn median(values: &[f32]) -> f32 {
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    sorted[sorted.len() / 2]
}

/// The text without closing quotes and brackets at its end.
fn without_closers(text: &str) -> &str {
    text.trim_end_matches(CLOSERS)
}

/// Whether a line ends a sentence (。！？… possibly inside quotes or brackets).
fn ends_sentence(text: &str) -> bool {
    without_closers(text).ends_with(['。', '！', '？', '!', '?', '…', '.'])
}

/// Whether a line ends a sentence or a clause that may close a paragraph (also ；：).
fn ends_clause(text: &str) -> bool {
    ends_sentence(text) || without_closers(text).ends_with(['；', '：', ';', ':'])
}

/// Whether a line ends in any punctuation (a heading does not).
fn ends_punctuated(text: &str) -> bool {
    ends_clause(text) || text.ends_with(['，', '、', ',', '”', '’', '）', ')'])
}

/// A page number alone on a line: `12`, `- 12 -`, `— 12 —`, `第 12 页`, `12/40`.
fn is_page_number(text: &str) -> bool {
    let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let core = squeezed.trim_matches(['-', '–', '—', '·']);
    let core = core.strip_prefix('第').and_then(|c| c.strip_suffix('页')).unwrap_or(core);
    let (page, total) = core.split_once('/').unwrap_or((core, "1"));
    !page.is_empty() && page.len() <= 4 && page.chars().all(|c| c.is_ascii_digit()) && total.chars().all(|c| c.is_ascii_digit()) && !total.is_empty()
}

/// A display line: Chinese characters each set apart by a space (`年 度 报 告`).
fn is_display(text: &str) -> bool {
    let words: Vec<&str> = text.split_whitespace().collect();
    words.len() >= 3 && words.iter().all(|w| w.chars().count() == 1 && w.chars().all(is_cjk))
}

/// A subtitle line: it begins with a dash.
fn is_dash_line(text: &str) -> bool {
    text.starts_with("——") || text.starts_with("--")
}

/// A line set apart from the text column: much wider than it, a display line or a dash line.
fn is_set_apart(line: &Line, measure: f32) -> bool {
    line.width > measure * 1.25 + 1.0 || is_display(&line.text) || is_dash_line(&line.text)
}

/// Title (and a subtitle) from the lines that stand apart.
fn take_title(draft: &mut Draft, lines: &[&Line], note: &impl Fn(usize, String) -> Diagnostic) {
    for line in lines {
        let text = remove_layout_spaces(&line.text);
        if is_dash_line(&text) && draft.title.is_some() && draft.subtitle.is_none() {
            let subtitle = text.trim_start_matches(['—', '-']).trim().to_string();
            draft.notes.push(note(line.number, format!("read as the subtitle: {subtitle}")));
            draft.subtitle = Some(subtitle);
        } else if draft.title.is_none() {
            draft.notes.push(note(line.number, format!("read as the title: {text}")));
            draft.title = Some(text);
        }
    }
}

/// Prefixes of a byline (`文／张三`, `记者 李四`).
const BYLINE_PREFIXES: &[&str] = &["本刊记者", "特约记者", "通讯员", "作者：", "作者:", "记者", "文／", "文/", "作者", "撰稿："];

/// A byline: names of two to four Chinese characters separated by spaces, optionally after
/// a decoration (□) or a prefix (文／, 记者). Returns the names and what was guessed.
fn byline(text: &str) -> Option<(Vec<String>, String)> {
    let mut how = String::new();
    let mut rest = text.trim_start_matches(['□', '■', '◆', '◇', '●', '○', '★', '☆', '▲', '►', '※', '·', ' ']).trim();
    if rest.len() != text.len() {
        how.push_str(&format!("; the decoration `{}` before it was dropped", text[..text.len() - rest.len()].trim()));
    }
    let mut prefixed = false;
    for prefix in BYLINE_PREFIXES {
        if let Some(after) = rest.strip_prefix(prefix) {
            rest = after.trim();
            prefixed = true;
            break;
        }
    }
    let tokens: Vec<&str> = rest.split([' ', '\u{3000}', '、', '，', ',']).filter(|t| !t.is_empty()).collect();
    if tokens.is_empty() || !tokens.iter().all(|t| t.chars().all(|c| is_cjk(c) && !matches!(c, '\u{3000}'..='\u{303F}' | '\u{FF00}'..='\u{FFEF}'))) {
        return None;
    }
    // A two-character name is often spread over two tokens (`周 济`).
    let mut names: Vec<String> = Vec::new();
    let mut index = 0;
    while index < tokens.len() {
        let token = tokens[index];
        if token.chars().count() == 1 && tokens.get(index + 1).is_some_and(|t| t.chars().count() == 1) {
            let joined = format!("{token}{}", tokens[index + 1]);
            how.push_str(&format!("; `{token} {}` joined as one name", tokens[index + 1]));
            names.push(joined);
            index += 2;
        } else {
            names.push(token.to_string());
            index += 1;
        }
    }
    let plausible = names.iter().all(|n| (2..=4).contains(&n.chars().count()));
    (plausible && (names.len() >= 2 || prefixed) && names.len() <= 12).then_some((names, how))
}

/// A line that stands alone in brackets (`（本文配图由……提供）`): a paragraph of its own.
fn bracketed(text: &str) -> bool {
    let inner = text.strip_prefix(['（', '(']).and_then(|t| t.strip_suffix(['）', ')']));
    inner.is_some_and(|i| !i.contains(['（', '(', '）', ')']))
}

/// Whether line `index` of `lines` is a heading: a short line without final punctuation
/// (or with a heading number and no sentence end) that follows a finished sentence.
fn is_heading(lines: &[Line], index: usize, heading_max: f32, blank_breaks: bool, after_heading: bool) -> bool {
    let line = &lines[index];
    let text = line.text.as_str();
    let after_sentence = index == 0 || after_heading || ends_clause(&lines[index - 1].text) || (blank_breaks && line.blank_before);
    let short = line.width <= heading_max || !heading_max.is_finite() && line.width <= 20.0;
    let has_next = index + 1 < lines.len();
    let inner_sentence = without_number(text).contains(['。', '！', '？', '，', '、', '；']);
    let numbered = numbered_heading(text).is_some();
    after_sentence && short && has_next && !inner_sentence && !ends_punctuated(text) && text.chars().count() >= 2 && (numbered || !bracketed(text))
}

/// A paragraph or heading: its first line's number and its text.
type Numbered = (usize, String);

/// The width of a paragraph's first line: the column, or less when paragraphs begin with
/// an indent that the extraction dropped (the median width of lines that follow a short
/// sentence end and go on, when there are at least three).
fn first_line_measure(lines: &[Line], measure: f32) -> f32 {
    let firsts: Vec<f32> =
        lines.windows(2).filter(|w| ends_paragraph(&w[0], measure) && !ends_punctuated(&w[1].text) && w[1].width > measure * 0.6).map(|w| w[1].width).collect();
    if firsts.len() >= 3 { median(&firsts).min(measure) } else { measure }
}

/// Lines joined into paragraphs: (first line number, text), and the headings among them.
fn paragraphs(
    lines: &[Line],
    measure: f32,
    blank_breaks: bool,
    indent_breaks: bool,
    notes: &mut Vec<Diagnostic>,
    source: &Path,
) -> (Vec<Numbered>, Vec<Numbered>) {
    let heading_max = first_line_measure(lines, measure) - 1.5;
    let mut headings: Vec<bool> = Vec::with_capacity(lines.len());
    for index in 0..lines.len() {
        let after_heading = index > 0 && headings[index - 1];
        headings.push(is_heading(lines, index, heading_max, blank_breaks, after_heading));
    }
    let mut out: Vec<(usize, String)> = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (index, line) in lines.iter().enumerate() {
        let new_paragraph = index == 0 || {
            let previous = &lines[index - 1];
            headings[index]
                || headings[index - 1]
                || (blank_breaks && line.blank_before)
                || (indent_breaks && line.indented)
                || bracketed(&line.text)
                || bracketed(&previous.text)
                || !measure.is_finite()
                || ends_paragraph(previous, measure)
        };
        if !new_paragraph && index > 0 {
            let previous = &lines[index - 1];
            if ends_sentence(&previous.text) {
                notes.push(
                    Diagnostic::note(
                        source,
                        format!(
                            "line {} ends a sentence at the full width of the column: read as continuing on line {} (start a new paragraph there if it does)",
                            previous.number, line.number
                        ),
                    )
                    .at_line(previous.number),
                );
            }
        }
        if new_paragraph {
            if let Some(done) = current.take() {
                out.push(done);
            }
            current = Some((line.number, line.text.clone()));
        } else if let Some((_, text)) = current.as_mut() {
            join_line(text, &line.text, line.number, notes, source);
        }
    }
    out.extend(current);
    let out: Vec<(usize, String)> = out.into_iter().map(|(n, t)| (n, remove_layout_spaces(&t))).collect();
    let headings = lines.iter().zip(&headings).filter(|(_, h)| **h).map(|(l, _)| (l.number, remove_layout_spaces(&l.text))).collect();
    (out, headings)
}

/// Appends a wrapped line: no space where either side is Chinese; a space between Latin
/// words; a hyphen at a Latin line end before a lower-case letter is dropped (noted).
fn join_line(text: &mut String, next: &str, number: usize, notes: &mut Vec<Diagnostic>, source: &Path) {
    let last = text.chars().last();
    let first = next.chars().next();
    let cjk = last.is_some_and(is_cjk) || first.is_some_and(is_cjk);
    // A number split over two lines (`2` / `020年`) is one number.
    let digits = last.is_some_and(|c| c.is_ascii_digit()) && first.is_some_and(|c| c.is_ascii_digit());
    let hyphenated = text.ends_with('-') && text.chars().rev().nth(1).is_some_and(|c| c.is_ascii_alphabetic()) && first.is_some_and(|c| c.is_ascii_lowercase());
    if hyphenated {
        text.pop();
        notes.push(
            Diagnostic::note(source, format!("a hyphen at the end of the line before line {number} was read as a word break and dropped")).at_line(number),
        );
    } else if !cjk
        && !digits
        && last.is_some_and(|c| c.is_ascii_alphanumeric() || ",.;:!?)".contains(c))
        && first.is_some_and(|c| c.is_ascii_alphanumeric() || c == '(')
    {
        // Latin words on two lines; other breaks (`211+` / `X`) join without a space.
        text.push(' ');
    }
    text.push_str(next);
}

/// Removes the spaces justification left in Chinese text: every run of white space next to
/// a Chinese character or full-width punctuation goes; other runs become one space.
pub fn remove_layout_spaces(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut index = 0;
    while index < chars.len() {
        if chars[index].is_whitespace() {
            let end = (index..chars.len()).find(|&i| !chars[i].is_whitespace()).unwrap_or(chars.len());
            let before = out.chars().last();
            let after = chars.get(end).copied();
            let cjk = before.is_some_and(is_cjk) || after.is_some_and(is_cjk);
            if !cjk && before.is_some() && after.is_some() {
                out.push(' ');
            }
            index = end;
        } else {
            out.push(chars[index]);
            index += 1;
        }
    }
    out
}

/// Run-in heads: paragraphs opening with a short sentence without commas, when at least two
/// paragraphs of a section do so (one alone is an ordinary short sentence), or a numbered
/// short sentence (`（一）……。`). Such a sentence becomes bold.
fn mark_run_in_heads(blocks: &mut [(usize, Block)], source: &Path, notes: &mut Vec<Diagnostic>) {
    let mut section_start = 0;
    for end in 0..=blocks.len() {
        if end < blocks.len() && !matches!(blocks[end].1, Block::Heading { .. }) {
            continue;
        }
        let candidates: Vec<usize> = (section_start..end).filter(|&i| run_in_head(&blocks[i].1).is_some()).collect();
        let numbered: Vec<usize> =
            candidates.iter().copied().filter(|&i| run_in_head(&blocks[i].1).is_some_and(|(head, _)| numbered_heading(&head).is_some())).collect();
        let chosen = if candidates.len() >= 2 { candidates } else { numbered };
        let mut heads = Vec::new();
        for &index in &chosen {
            if let Some((head, rest)) = run_in_head(&blocks[index].1) {
                heads.push(head.clone());
                blocks[index].1 = Block::Paragraph(vec![Inline::Strong(vec![Inline::Text(head)]), Inline::Text(rest)]);
            }
        }
        if let Some(&first) = chosen.first() {
            notes.push(Diagnostic::note(source, format!("read as run-in heads (printed bold): {}", heads.join(" "))).at_line(blocks[first].0));
        }
        section_start = end + 1;
    }
}

/// The run-in head a paragraph may open with: its first sentence when it has 2–16
/// characters, no comma or colon, and text follows. Returns (head, rest).
fn run_in_head(block: &Block) -> Option<(String, String)> {
    let Block::Paragraph(inlines) = block else { return None };
    let [Inline::Text(text)] = inlines.as_slice() else { return None };
    let end = text.find('。')? + '。'.len_utf8();
    let (head, rest) = text.split_at(end);
    let count = head.chars().count();
    let plain = !head.contains(['，', '、', '；', '：', '“', '”', ',', ':', '（']) || numbered_heading(head).is_some();
    ((3..=17).contains(&count) && plain && !rest.trim().is_empty()).then(|| (head.to_string(), rest.to_string()))
}

/// Index of the paragraph that shares the most two-character sequences with `sidebar`
/// (at least four), if any.
fn best_place(blocks: &[Block], sidebar: &Block) -> Option<usize> {
    let Block::Sidebar { blocks: inner, .. } = sidebar else { return None };
    let text: String = inner.iter().map(block_text).collect();
    let pairs = |t: &str| -> std::collections::HashSet<(char, char)> {
        let chars: Vec<char> = t.chars().filter(|c| is_cjk(*c) && !matches!(c, '\u{3000}'..='\u{303F}' | '\u{FF00}'..='\u{FFEF}')).collect();
        chars.windows(2).map(|w| (w[0], w[1])).collect()
    };
    let wanted = pairs(&text);
    let scored =
        blocks.iter().enumerate().filter(|(_, b)| matches!(b, Block::Paragraph(_))).map(|(i, b)| (pairs(&block_text(b)).intersection(&wanted).count(), i));
    scored.max_by_key(|(score, i)| (*score, usize::MAX - i)).filter(|(score, _)| *score >= 4).map(|(_, i)| i)
}

fn block_text(block: &Block) -> String {
    match block {
        Block::Paragraph(inlines) => plain_text(inlines),
        Block::Heading { text, .. } => text.clone(),
        _ => String::new(),
    }
}

fn first_chars(block: &Block, count: usize) -> String {
    block_text(block).chars().take(count).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_spaces_go_and_latin_spaces_stay() {
        assert_eq!(remove_layout_spaces("亿 元 ，增 长 11% ，三 次"), "亿元，增长11%，三次");
        assert_eq!(remove_layout_spaces("新增 4 个 Python 3 程序"), "新增4个Python 3程序");
    }

    #[test]
    fn bylines_join_split_names() {
        let (names, how) = byline("□ 张红平 李茂林 周 济 王晓明").unwrap();
        assert_eq!(names, ["张红平", "李茂林", "周济", "王晓明"]);
        assert!(how.contains("周 济"), "{how}");
        assert_eq!(byline("文／张三").unwrap().0, ["张三"]);
        assert!(byline("绿色转型").is_none());
        assert!(byline("经济运行 稳中向好。").is_none());
    }

    #[test]
    fn page_numbers_are_recognised() {
        assert!(is_page_number("- 12 -"));
        assert!(is_page_number("第 3 页"));
        assert!(is_page_number("3/40"));
        assert!(!is_page_number("2020年"));
    }
}
