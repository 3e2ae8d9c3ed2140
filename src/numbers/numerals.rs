//! Numbers written as letters or roman numerals, as list numbering (a Word document's) and
//! page labels (a PDF's) write them. Past the range where either is read that way, the number
//! is written in digits.

/// a … z, aa … zz, aaa …; past 26 × 4 (where Word's lists stop being read as letters) the
/// number in digits.
pub fn letters(value: u32) -> String {
    if value > 26 * 4 {
        return value.to_string();
    }
    let letter = char::from(b'a' + ((value.max(1) - 1) % 26) as u8);
    letter.to_string().repeat(((value.max(1) - 1) / 26 + 1) as usize)
}

/// Upper-case roman numerals from 1 to 3999; other numbers in digits (past 3999 roman
/// numerals need overlines).
pub fn roman(mut value: u32) -> String {
    if !(1..=3999).contains(&value) {
        return value.to_string();
    }
    const TABLE: [(u32, &str); 13] =
        [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")];
    let mut out = String::new();
    for (amount, symbol) in TABLE {
        while value >= amount {
            out.push_str(symbol);
            value -= amount;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_and_numerals_as_lists_and_folios_write_them() {
        assert_eq!((letters(1), letters(27), letters(200)), ("a".to_string(), "aa".to_string(), "200".to_string()));
        assert_eq!((roman(4), roman(1994), roman(4000)), ("IV".to_string(), "MCMXCIV".to_string(), "4000".to_string()));
    }
}
