//! Sign wording: the words a bulletin writes for a change (增长/下降, 增加/减少, 提高/降低,
//! 上升/下降, 上涨/下降, and 持平 at zero), chosen from the sign of a value, and the check
//! for prose whose word contradicts the sign of the data reference that follows it.

/// The direction words a wording filter can print: the filter's name (the word for a rise)
/// and the word for a fall.
pub const DIRECTIONS: [(&str, &str); 5] = [("增长", "下降"), ("增加", "减少"), ("提高", "降低"), ("上升", "下降"), ("上涨", "下降")];

/// The word printed for a value of zero, with no number.
pub const UNCHANGED: &str = "持平";

/// Words that say a value rose.
const RISES: [&str; 5] = ["增长", "增加", "提高", "上升", "上涨"];
/// Words that say a value fell.
const FALLS: [&str; 5] = ["下降", "减少", "降低", "下跌", "回落"];

/// The direction a word of the prose states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stated {
    /// 增长, 增加, 提高, 上升, 上涨.
    Rise,
    /// 下降, 减少, 降低, 下跌, 回落.
    Fall,
}

/// The direction word `text` ends with (spaces after it ignored), and the word.
pub fn stated_before(text: &str) -> Option<(Stated, &'static str)> {
    let text = text.trim_end();
    RISES.iter().map(|w| (Stated::Rise, *w)).chain(FALLS.iter().map(|w| (Stated::Fall, *w))).find(|(_, word)| text.ends_with(word))
}

/// The pair of a wording filter's name, if it is one.
pub fn direction(name: &str) -> Option<(&'static str, &'static str)> {
    DIRECTIONS.iter().copied().find(|(rise, _)| *rise == name)
}

/// The word for a value of the given sign: the rise word above zero, the fall word below
/// it, `None` at zero (持平 is printed alone).
pub fn word_for(pair: (&'static str, &'static str), number: f64) -> Option<&'static str> {
    if number > 0.0 {
        Some(pair.0)
    } else if number < 0.0 {
        Some(pair.1)
    } else {
        None
    }
}

/// How a data reference prints its sign, for the contradiction check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignUse {
    /// The value with its sign (no filter touching it).
    Signed,
    /// `| abs`: the value without its sign: the word before it must match the sign.
    Absolute,
    /// A wording filter prints the word itself.
    Worded,
}

/// Why `word` followed by a reference whose value is `number`, printed as `printed`,
/// contradicts the data; `None` when it does not.
pub fn contradiction(stated: Stated, word: &str, number: f64, sign: SignUse, printed: &str) -> Option<String> {
    match sign {
        SignUse::Worded => Some(format!("`{word}` stands before a reference whose filter prints the word itself: this prints {word}{printed}")),
        SignUse::Signed if number < 0.0 => Some(format!("`{word}` is followed by a negative value: this prints {word}{printed}")),
        SignUse::Absolute if stated == Stated::Fall && number > 0.0 => {
            Some(format!("`{word}` says it fell, but the value is positive ({number}): this prints {word}{printed}"))
        }
        SignUse::Absolute if stated == Stated::Rise && number < 0.0 => {
            Some(format!("`{word}` says it rose, but the value is negative ({number}): this prints {word}{printed}"))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_follow_the_sign() {
        let pair = direction("增长").unwrap();
        assert_eq!(word_for(pair, 2.2), Some("增长"));
        assert_eq!(word_for(pair, -2.1), Some("下降"));
        assert_eq!(word_for(pair, 0.0), None);
        assert_eq!(word_for(direction("提高").unwrap(), -1.0), Some("降低"));
        assert_eq!(word_for(direction("增加").unwrap(), -1.0), Some("减少"));
        assert!(direction("下降").is_none());
    }

    #[test]
    fn contradictions() {
        assert_eq!(stated_before("夏粮产量比上年下降"), Some((Stated::Fall, "下降")));
        assert_eq!(stated_before("增长 "), Some((Stated::Rise, "增长")));
        assert_eq!(stated_before("达到"), None);
        assert!(contradiction(Stated::Fall, "下降", -2.1, SignUse::Signed, "-2.1").unwrap().contains("下降-2.1"));
        assert!(contradiction(Stated::Rise, "增长", -2.1, SignUse::Signed, "-2.1").is_some());
        // A fall written without its sign (rules with decrease = true) is what 下降 expects.
        assert!(contradiction(Stated::Fall, "下降", 2.1, SignUse::Signed, "2.1").is_none());
        assert!(contradiction(Stated::Fall, "下降", -2.1, SignUse::Absolute, "2.1").is_none());
        assert!(contradiction(Stated::Rise, "增长", -2.1, SignUse::Absolute, "2.1").is_some());
        assert!(contradiction(Stated::Fall, "下降", 2.1, SignUse::Absolute, "2.1").is_some());
        assert!(contradiction(Stated::Rise, "增长", 2.2, SignUse::Worded, "增长2.2%").is_some());
    }
}
