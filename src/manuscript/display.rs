//! Display text — the title, the subtitle, the headings and the captions — cut into words, so that a
//! design breaks such a line only between words (`…建设年度报告` never as `…建设年|度报告`).
//! Body text keeps breaking between any two characters, as Chinese does; a title set in
//! large type breaking inside a word is the defect this prevents.
//!
//! The words come from jieba (`jieba-rs`, the segmenter most Chinese text tools use), with
//! the manuscript's own words added from `words.txt` beside `report.toml` (one word a line:
//! names of places, people and programmes the dictionary does not know). The result is the
//! map [`crate::model::Metadata::display_words`] from each display string to its words; a
//! template looks a heading's text up there and sets the words as unbreakable boxes.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use jieba_rs::Jieba;

use crate::model::{BlockKind, Document, Inline};

/// The file of the manuscript's own words, beside `report.toml`.
pub const WORDS_FILE: &str = "words.txt";

/// Marks that must not start a line: they join the word before them.
const CLOSING: &str = "，。、；：？！）》」』】〕〉”’…—%‰,.;:!?)]}";
/// Marks that must not end a line: they join the word after them.
const OPENING: &str = "（《「『【〔〈“‘([{";

/// The dictionary, loaded once per process (about 0.2 s) and only when a display string
/// is not in the cache.
fn jieba() -> &'static Jieba {
    static JIEBA: OnceLock<Jieba> = OnceLock::new();
    JIEBA.get_or_init(Jieba::new)
}

/// `text` cut into the pieces a line may break between: words, with punctuation joined to
/// the word it belongs with; a space is a piece of its own (a break opportunity).
pub fn words(text: &str, own_words: &[String]) -> Vec<String> {
    // The manuscript's own words are kept whole: cut around them first.
    let mut pieces: Vec<String> = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let next = own_words
            .iter()
            .filter(|w| !w.is_empty())
            .filter_map(|w| rest.find(w.as_str()).map(|at| (at, w)))
            .min_by_key(|(at, w)| (*at, usize::MAX - w.len()));
        match next {
            Some((at, word)) => {
                pieces.extend(cut(&rest[..at]));
                pieces.push(word.clone());
                rest = &rest[at + word.len()..];
            }
            None => {
                pieces.extend(cut(rest));
                rest = "";
            }
        }
    }
    let mut joined: Vec<String> = Vec::new();
    let mut pending_open = String::new();
    for piece in pieces {
        let first = piece.chars().next().unwrap_or(' ');
        if piece.chars().all(|c| OPENING.contains(c)) {
            pending_open.push_str(&piece);
        } else if piece.chars().all(|c| CLOSING.contains(c)) && !joined.is_empty() && pending_open.is_empty() {
            if let Some(last) = joined.last_mut() {
                last.push_str(&piece);
            }
        } else if first.is_whitespace() {
            if !pending_open.is_empty() {
                joined.push(std::mem::take(&mut pending_open));
            }
            joined.push(" ".to_string());
        } else {
            joined.push(std::mem::take(&mut pending_open) + &piece);
        }
    }
    if !pending_open.is_empty() {
        joined.push(pending_open);
    }
    joined
}

/// jieba's cut of a text without the manuscript's words (none when it is empty).
fn cut(text: &str) -> Vec<String> {
    if text.is_empty() {
        return Vec::new();
    }
    // Text without Chinese needs no dictionary: it breaks at its spaces.
    if !text.chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c)) {
        return text
            .split_inclusive(' ')
            .flat_map(|w| if let Some(word) = w.strip_suffix(' ') { vec![word.to_string(), " ".to_string()] } else { vec![w.to_string()] })
            .filter(|w| !w.is_empty())
            .collect();
    }
    // jieba's dictionary is of Simplified Chinese: Traditional text (繁体) is cut as its
    // character-for-character Simplified form (fast2s maps one character to one), and the
    // cut is laid on the original characters.
    let simplified = fast2s::convert(text);
    if simplified == text || simplified.chars().count() != text.chars().count() {
        return jieba().cut(text, true).into_iter().map(|token| token.word.to_string()).collect();
    }
    let mut original = text.chars();
    jieba().cut(&simplified, true).into_iter().map(|token| original.by_ref().take(token.word.chars().count()).collect()).collect()
}

/// The words of the manuscript's own dictionary (`words.txt`), if it has one: one word a
/// line, anything after the first space ignored (jieba's dictionary format), `#` comments.
pub fn own_words(manuscript_root: &Path) -> Vec<String> {
    // Through the access layer: a FIFO or a link out of the manuscript is not read (nor waited on).
    let Ok(text) = crate::source::read_text_within(manuscript_root, &manuscript_root.join(WORDS_FILE), "the word list") else { return Vec::new() };
    text.lines().filter(|l| !l.trim_start().starts_with('#')).filter_map(|l| l.split_whitespace().next()).map(str::to_string).collect()
}

/// The cut of every display string met before, kept between runs in the user's cache
/// directory (`display-words.json`), so a build loads the dictionary (0.2 s, 35 MB) only
/// when a title or heading is new. Keyed by the text and the manuscript's own words.
struct WordCache {
    file: Option<std::path::PathBuf>,
    cuts: BTreeMap<String, Vec<String>>,
    changed: bool,
}

/// At most this many cuts are kept (a few hundred KB); past it the cache starts afresh.
const MAX_CACHED: usize = 20_000;

impl WordCache {
    fn open() -> Self {
        let file = crate::source::user_cache_dir().map(|dir| dir.join("display-words.json"));
        let cuts = file.as_ref().and_then(|f| std::fs::read(f).ok()).and_then(|bytes| serde_json::from_slice(&bytes).ok()).unwrap_or_default();
        WordCache { file, cuts, changed: false }
    }

    fn cut(&mut self, text: &str, own_words: &[String]) -> Vec<String> {
        let key = format!("{text}\u{1}{}", own_words.join("\u{2}"));
        if let Some(words) = self.cuts.get(&key) {
            return words.clone();
        }
        let words = words(text, own_words);
        if self.cuts.len() >= MAX_CACHED {
            self.cuts.clear();
        }
        self.cuts.insert(key, words.clone());
        self.changed = true;
        words
    }

    /// Writes the cache back (through a temporary file renamed into place); a cache that
    /// cannot be written is simply not kept.
    fn save(self) {
        let (Some(file), true) = (self.file, self.changed) else { return };
        let Some(dir) = file.parent() else { return };
        let Ok(bytes) = serde_json::to_vec(&self.cuts) else { return };
        if std::fs::create_dir_all(dir).is_ok()
            && let Ok(mut staged) = tempfile::NamedTempFile::new_in(dir)
            && std::io::Write::write_all(&mut staged, &bytes).is_ok()
        {
            let _ = staged.persist(&file);
        }
    }
}

/// Fills `document.meta.display_words` for the title, the subtitle, every heading and every
/// caption (of figures, tables and charts) whose text is plain (no emphasis, links or notes
/// inside).
pub fn cut_display_text(document: &mut Document, own_words: &[String]) {
    let mut strings = vec![document.meta.title.clone(), document.meta.subtitle.clone()];
    crate::model::walk::blocks(&document.blocks, &mut |block| match &block.kind {
        BlockKind::Heading { content, .. } | BlockKind::Image { caption: content, .. }
            if content.iter().all(|inline| matches!(inline, Inline::Text { .. })) =>
        {
            let mut text = String::new();
            crate::model::plain_text_of(content, &mut text);
            strings.push(text);
        }
        BlockKind::Table { caption, .. } | BlockKind::Chart { caption, .. } => strings.push(caption.clone()),
        _ => {}
    });
    let mut cache = WordCache::open();
    let mut map = BTreeMap::new();
    for text in strings.into_iter().filter(|t| t.chars().count() > 1) {
        let cut = cache.cut(&text, own_words);
        map.insert(text, cut);
    }
    // A chart's labels (title, categories, series, source) break between words too, in
    // both editions: the chart carries their words into its layout.
    crate::model::walk::blocks_mut(&mut document.blocks, &mut |block| {
        let BlockKind::Chart { spec, .. } = &mut block.kind else { return };
        let labels = [&spec.title, &spec.source].into_iter().chain(&spec.data.categories).chain(spec.data.series.iter().map(|s| &s.name));
        let words: crate::charts::LabelWords =
            labels.filter(|label| label.chars().count() > 1).map(|label| (label.clone(), cache.cut(label, own_words))).collect();
        spec.label_words = words;
    });
    cache.save();
    document.meta.display_words = map;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_break_between_words_with_punctuation_kept_in_place() {
        let cut = words("关于推进县域经济高质量发展的年度报告（2025）", &[]);
        assert_eq!(cut.concat(), "关于推进县域经济高质量发展的年度报告（2025）");
        assert!(cut.contains(&"年度报告".to_string()) || cut.windows(2).any(|w| w[0] == "年度" && w[1] == "报告"), "{cut:?}");
        assert!(!cut.iter().any(|w| w.starts_with(['）', '、'])), "closing marks stay with the word before: {cut:?}");
        assert!(cut.iter().any(|w| w.starts_with('（')), "opening marks go with the word after: {cut:?}");
    }

    #[test]
    fn the_manuscripts_own_words_stay_whole() {
        let own = vec!["清河县域".to_string()];
        let cut = words("推进清河县域经济发展", &own);
        assert!(cut.contains(&"清河县域".to_string()), "{cut:?}");
        assert_eq!(cut.concat(), "推进清河县域经济发展");
    }

    #[test]
    fn traditional_text_is_cut_at_the_words_of_its_simplified_form() {
        let text = "臺灣經濟發展年度報告";
        let cut = words(text, &[]);
        assert_eq!(cut.concat(), text, "the original characters are kept");
        assert!(cut.contains(&"臺灣".to_string()) && cut.contains(&"經濟".to_string()), "{cut:?}");
        assert!(!cut.iter().any(|w| w == "灣經濟"), "not jieba's cut of the Traditional text: {cut:?}");
    }

    #[test]
    fn spaces_are_break_opportunities_of_their_own() {
        assert_eq!(words("GDP growth 报告", &[]), ["GDP", " ", "growth", " ", "报告"]);
    }
}
