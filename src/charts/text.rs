//! Text measurement and line breaking for chart labels.
//!
//! Charts are laid out before any font is loaded, so widths are estimated from the character
//! classes of Noto Sans CJK: ideographs and full-width punctuation take one em, digits and Latin
//! letters about half an em. The estimates are deliberately a little generous (the tests compare
//! them with real glyph outlines), so a label that fits on paper also fits in the estimate.
//! Every placed label becomes a [`Label`] whose estimated box the layout uses to avoid overlaps.

/// Default text colour (the palette's, kept here because every label starts with it).
pub(crate) const TEXT: &str = "#1a1a1a";

/// Distance between a baseline and the vertical centre of a label's box, in em.
pub(crate) const CENTRE_DROP: f64 = (ASCENT - DESCENT) / 2.0;

/// Height of the estimated box above the baseline, in em (CJK ideographs reach about 0.88 em).
pub(crate) const ASCENT: f64 = 0.9;
/// Depth of the estimated box below the baseline, in em (Latin descenders, ideographs' feet).
pub(crate) const DESCENT: f64 = 0.26;
/// Distance between the baselines of two lines of one label, in em.
pub(crate) const LINE_PITCH: f64 = 1.25;

/// Estimated advance width of `c` in em.
pub(crate) fn char_em(c: char) -> f64 {
    match c {
        '0'..='9' => 0.56,
        ' ' => 0.25,
        '.' | ',' | ':' | ';' | '\'' | '!' | '|' | 'i' | 'j' | 'l' | 'I' => 0.3,
        '-' | '(' | ')' | '[' | ']' | 'f' | 't' | 'r' => 0.4,
        '%' => 0.9,
        'm' | 'w' | 'M' | 'W' => 0.9,
        'a'..='z' => 0.56,
        'A'..='Z' => 0.68,
        c if is_wide(c) => 1.0,
        _ => 0.65,
    }
}

/// Whether `c` is set full-width (one em) in a CJK font.
pub(crate) fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x00B7 | 0x2014..=0x2026 | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
        | 0xFE10..=0xFE19 | 0xFE30..=0xFE6F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6
        | 0x1100..=0x115F | 0x20000..=0x3FFFD)
}

/// Estimated width of `text` set at `size` pt.
pub(crate) fn text_width(text: &str, size: f64) -> f64 {
    text.chars().map(char_em).sum::<f64>() * size
}

/// Punctuation that must not start a line (it stays with the character before it).
fn is_closing(c: char) -> bool {
    "，。、；：？！）》」』】〕〉”’…%％·".contains(c)
}

/// Punctuation that must not end a line (it stays with the character after it).
fn is_opening(c: char) -> bool {
    "（《「『【〔〈“‘".contains(c)
}

thread_local! {
    /// The label words of the chart being laid out on this thread ([`WordsInUse`]).
    static WORDS: std::cell::RefCell<super::spec::LabelWords> = std::cell::RefCell::default();
}

/// The label words of one chart, in use on this thread while this value lives.
///
/// Every wrap of a chart's title, legend, category and source text needs them, five layers
/// down from [`super::render`]; handing a map through every layout function would burden each
/// for one lookup, so `render` installs them for the duration of its call (on its own thread:
/// charts of one build are laid out one after another) and [`tokens`] reads them.
pub(crate) struct WordsInUse {
    previous: super::spec::LabelWords,
}

impl WordsInUse {
    /// Installs `words` until the returned value is dropped.
    pub(crate) fn install(words: &super::spec::LabelWords) -> Self {
        WordsInUse { previous: WORDS.with(|w| std::mem::replace(&mut *w.borrow_mut(), words.clone())) }
    }
}

impl Drop for WordsInUse {
    fn drop(&mut self) {
        let previous = std::mem::take(&mut self.previous);
        WORDS.with(|w| *w.borrow_mut() = previous);
    }
}

/// The tokens of `text` cut at its words, when the chart's words hold it: a word (with the
/// marks joined to it) is one token, a space separates. `None`: no words known for it.
fn word_tokens(text: &str) -> Option<Vec<Token>> {
    WORDS.with(|words| {
        let words = words.borrow();
        let pieces = words.get(text)?;
        let mut out = Vec::with_capacity(pieces.len());
        let mut space = false;
        for piece in pieces {
            if piece.trim().is_empty() {
                space = true;
                continue;
            }
            out.push(Token { text: piece.clone(), space_before: space });
            space = false;
        }
        Some(out)
    })
}

/// An unbreakable piece of text: one ideograph with its attached punctuation, or a Latin word.
struct Token {
    /// The characters.
    text: String,
    /// Whether a space separated it from the token before.
    space_before: bool,
}

/// Splits `text` into tokens between which a line may break.
fn tokens(text: &str) -> Vec<Token> {
    if let Some(words) = word_tokens(text) {
        return words;
    }
    let mut out: Vec<Token> = Vec::new();
    let mut space = false;
    // Whether the last token is still open: a Latin word in progress or an opening bracket.
    let mut open = false;
    for c in text.chars() {
        if c.is_whitespace() {
            space = true;
            open = false;
            continue;
        }
        let wide = is_wide(c);
        let attach = match out.last() {
            Some(_) if space => false,
            Some(_) if is_closing(c) => true,
            Some(last) => open && (!wide || last.text.chars().all(is_opening)),
            None => false,
        };
        match out.last_mut() {
            Some(last) if attach => last.text.push(c),
            _ => out.push(Token { text: c.to_string(), space_before: space }),
        }
        open = is_opening(c) || (!wide && !is_closing(c));
        space = false;
    }
    out
}

/// Breaks `text` into lines no wider than `max_width` at `size` pt, of balanced lengths.
///
/// Lines break between ideographs and at spaces, never before closing or after opening
/// punctuation; a Latin word longer than a line is split between characters. A line is wider
/// than `max_width` only when a single character is (callers check with [`widest`]).
/// When the text needs several lines, they are made as even as possible (the narrowest
/// width that needs no more lines), so no line is left with a lone character.
pub(crate) fn wrap(text: &str, max_width: f64, size: f64) -> Vec<String> {
    let lines = wrap_greedy(text, max_width, size);
    if lines.len() < 2 {
        return lines;
    }
    let widest_token = tokens(text).iter().map(|t| text_width(&t.text, size)).fold(0.0, f64::max);
    let (mut lo, mut hi) = (widest_token.min(max_width), max_width);
    for _ in 0..24 {
        let mid = (lo + hi) / 2.0;
        if wrap_greedy(text, mid, size).len() <= lines.len() {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    wrap_greedy(text, hi, size)
}

/// Breaks `text` into lines, filling each line as far as it goes.
fn wrap_greedy(text: &str, max_width: f64, size: f64) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for token in tokens(text) {
        let joined = if line.is_empty() {
            token.text.clone()
        } else if token.space_before {
            format!("{line} {}", token.text)
        } else {
            format!("{line}{}", token.text)
        };
        if text_width(&joined, size) <= max_width {
            line = joined;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if text_width(&token.text, size) <= max_width {
            line = token.text;
        } else {
            let mut pieces = split_chars(&token.text, max_width, size);
            line = pieces.pop().unwrap_or_default();
            lines.extend(pieces);
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Splits an overlong token between characters.
fn split_chars(token: &str, max_width: f64, size: f64) -> Vec<String> {
    let mut pieces = vec![String::new()];
    for c in token.chars() {
        let last = pieces.len() - 1;
        if !pieces[last].is_empty() && text_width(&pieces[last], size) + char_em(c) * size > max_width {
            pieces.push(String::new());
        }
        let last = pieces.len() - 1;
        pieces[last].push(c);
    }
    pieces
}

/// The estimated width of the widest of `lines` at `size` pt.
pub(crate) fn widest<S: AsRef<str>>(lines: &[S], size: f64) -> f64 {
    lines.iter().map(|l| text_width(l.as_ref(), size)).fold(0.0, f64::max)
}

/// Labels wrapped to a common font size.
#[derive(Debug, Clone)]
pub(crate) struct Wrapped {
    /// The font size all labels share.
    pub size: f64,
    /// Each label's lines.
    pub lines: Vec<Vec<String>>,
}

impl Wrapped {
    /// The largest number of lines of any label.
    pub fn max_lines(&self) -> usize {
        self.lines.iter().map(Vec::len).max().unwrap_or(0)
    }

    /// Height of the tallest label's estimated box.
    pub fn height(&self) -> f64 {
        block_height(self.max_lines(), self.size)
    }
}

/// Height of the estimated box of `lines` lines at `size` pt.
pub(crate) fn block_height(lines: usize, size: f64) -> f64 {
    if lines == 0 {
        return 0.0;
    }
    ((lines - 1) as f64 * LINE_PITCH + ASCENT + DESCENT) * size
}

/// Wraps every label to `width`, trying `sizes` from the first (largest) on, and returns the
/// first size at which every label fits in at most `max_lines` lines.
pub(crate) fn fit_wrapped(labels: &[String], width: f64, sizes: &[f64], max_lines: usize) -> Option<Wrapped> {
    sizes.iter().find_map(|&size| {
        let lines: Vec<Vec<String>> = labels.iter().map(|l| wrap(l, width, size)).collect();
        let fits = lines.iter().all(|ls| ls.len() <= max_lines && widest(ls, size) <= width);
        fits.then_some(Wrapped { size, lines })
    })
}

/// How a label is aligned on its anchor point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Anchor {
    /// The text starts at the anchor.
    Start,
    /// The text is centred on the anchor.
    Middle,
    /// The text ends at the anchor.
    End,
}

/// An axis-aligned rectangle in SVG user units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rect {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
}

impl Rect {
    /// Whether the interiors of the two rectangles intersect.
    pub fn overlaps(&self, other: &Rect) -> bool {
        self.x < other.x + other.w && other.x < self.x + self.w && self.y < other.y + other.h && other.y < self.y + self.h
    }

    /// Whether `other` lies inside this rectangle (with `tolerance` of slack).
    #[cfg(test)]
    pub fn contains(&self, other: &Rect, tolerance: f64) -> bool {
        other.x >= self.x - tolerance
            && other.y >= self.y - tolerance
            && other.x + other.w <= self.x + self.w + tolerance
            && other.y + other.h <= self.y + self.h + tolerance
    }
}

/// One line of text placed on the chart.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Label {
    /// Stable id of the `<text>` element.
    pub id: String,
    /// The characters.
    pub text: String,
    /// Anchor x.
    pub x: f64,
    /// Baseline y.
    pub y: f64,
    /// Font size in pt.
    pub size: f64,
    /// Horizontal alignment on the anchor.
    pub anchor: Anchor,
    /// Bold (the title).
    pub bold: bool,
    /// Fill colour.
    pub fill: &'static str,
    /// Turned 90° anticlockwise about the anchor (reads bottom to top).
    pub vertical: bool,
}

impl Label {
    /// A horizontal label in the default text colour.
    pub fn new(id: impl Into<String>, text: impl Into<String>, x: f64, y: f64, size: f64, anchor: Anchor) -> Self {
        Label { id: id.into(), text: text.into(), x, y, size, anchor, bold: false, fill: TEXT, vertical: false }
    }

    /// Estimated width of the text.
    pub fn width(&self) -> f64 {
        text_width(&self.text, self.size)
    }

    /// The estimated box the label's glyphs occupy.
    pub fn bbox(&self) -> Rect {
        let w = self.width();
        let start = match self.anchor {
            Anchor::Start => 0.0,
            Anchor::Middle => -w / 2.0,
            Anchor::End => -w,
        };
        let (up, down) = (ASCENT * self.size, DESCENT * self.size);
        if self.vertical {
            // rotate(-90) about (x, y): the advance runs upwards, the ascent to the left.
            Rect { x: self.x - up, y: self.y - start - w, w: up + down, h: w }
        } else {
            Rect { x: self.x + start, y: self.y - up, w, h: up + down }
        }
    }
}

/// Moves the sorted positions `ys` apart to at least `pitch` between neighbours, within
/// `lo..=hi`, as little as possible. `None` when they cannot fit.
pub(crate) fn spread(ys: &[f64], pitch: f64, lo: f64, hi: f64) -> Option<Vec<f64>> {
    if ys.is_empty() {
        return Some(Vec::new());
    }
    if (ys.len() - 1) as f64 * pitch > hi - lo {
        return None;
    }
    let mut out: Vec<f64> = ys.iter().map(|y| y.clamp(lo, hi)).collect();
    for i in 1..out.len() {
        out[i] = out[i].max(out[i - 1] + pitch);
    }
    let last = out.len() - 1;
    out[last] = out[last].min(hi);
    for i in (0..last).rev() {
        out[i] = out[i].min(out[i + 1] - pitch);
    }
    Some(out)
}

/// Places the lines of one label as separate [`Label`]s, the first baseline at `y`.
pub(crate) fn lines_at(id: &str, lines: &[String], x: f64, y: f64, size: f64, anchor: Anchor) -> Vec<Label> {
    lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let id = if lines.len() == 1 { id.to_string() } else { format!("{id}-{i}") };
            Label::new(id, line.clone(), x, y + i as f64 * LINE_PITCH * size, size, anchor)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_follow_character_classes() {
        assert_eq!(text_width("第一产业", 10.0), 40.0);
        assert!((text_width("36.56", 10.0) - (4.0 * 5.6 + 3.0)).abs() < 1e-9);
    }

    #[test]
    fn wraps_between_ideographs_and_keeps_punctuation_attached() {
        let lines = wrap("规模以上工业增加值（亿元）", 40.0, 10.0);
        // Three characters a line would need a fifth line for the bracketed pairs.
        assert_eq!(lines, ["规模以上", "工业增加", "值（亿", "元）"]);
        for line in &lines {
            assert!(!line.starts_with('）'), "closing bracket starts a line: {lines:?}");
            assert!(!line.ends_with('（'), "opening bracket ends a line: {lines:?}");
        }
    }

    #[test]
    fn lines_are_balanced() {
        assert_eq!(wrap("规模以上工业增加值", 60.0, 10.0), ["规模以上工", "业增加值"]);
        let title = "这是一个很长的标题，用来检验标题在图表宽度不够时能否自动换行而不与图例重叠";
        let lines = wrap(title, 384.0, 10.5);
        assert_eq!(lines.len(), 2);
        assert!(lines[1].chars().count() >= 15, "{lines:?}");
    }

    #[test]
    fn latin_words_break_at_spaces() {
        let lines = wrap("GDP growth rate", 50.0, 10.0);
        assert_eq!(lines, vec!["GDP".to_string(), "growth".to_string(), "rate".to_string()]);
        assert_eq!(wrap("GDP增长", 100.0, 10.0), vec!["GDP增长".to_string()]);
    }

    #[test]
    fn overlong_words_are_split() {
        let lines = wrap("abcdefghij", 20.0, 10.0);
        assert!(lines.len() > 1);
        assert!(widest(&lines, 10.0) <= 20.0);
        assert_eq!(lines.concat(), "abcdefghij");
    }

    #[test]
    fn fit_wrapped_shrinks_before_giving_up() {
        let labels = vec!["第一产业增加值".to_string()];
        let fit = fit_wrapped(&labels, 30.0, &[10.0, 7.0], 2);
        assert_eq!(fit.map(|w| w.size), Some(7.0));
        assert!(fit_wrapped(&labels, 30.0, &[10.0], 2).is_none());
    }

    #[test]
    fn spread_keeps_order_and_pitch_within_bounds() {
        let out = spread(&[10.0, 11.0, 12.0, 95.0], 8.0, 0.0, 100.0);
        let out = out.unwrap_or_default();
        assert_eq!(out.len(), 4);
        for pair in out.windows(2) {
            assert!(pair[1] - pair[0] >= 8.0 - 1e-9, "{out:?}");
        }
        assert!(out[0] >= 0.0 && out[3] <= 100.0);
        assert_eq!(out[3], 95.0);
        assert!(spread(&[1.0, 2.0, 3.0], 60.0, 0.0, 100.0).is_none());
        let squeezed = spread(&[99.0, 99.5, 100.0], 10.0, 0.0, 100.0).unwrap_or_default();
        assert_eq!(squeezed, vec![80.0, 90.0, 100.0]);
    }

    #[test]
    fn vertical_label_box_is_rotated() {
        let mut label = Label::new("a", "123", 10.0, 100.0, 10.0, Anchor::Start);
        label.vertical = true;
        let b = label.bbox();
        assert!((b.h - text_width("123", 10.0)).abs() < 1e-9);
        assert!((b.y + b.h - 100.0).abs() < 1e-9);
        assert!(b.x < 10.0 && b.x + b.w > 10.0);
    }
}
