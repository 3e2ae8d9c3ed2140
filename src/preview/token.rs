//! The preview's secret: 128 random bits from the system, written as 32 hex digits, that
//! every address of the server starts with (`/TOKEN/…`, as Jupyter's token). Another
//! program or web page on the machine cannot guess it; a request is checked against it in
//! constant time, so its timing tells nothing about how much of a guess was right.

/// A random secret for one preview process.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    /// A new token from the system's random source.
    pub fn random() -> Result<Token, String> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(|e| format!("the system gave no random bytes for the preview's address: {e}"))?;
        Ok(Token(bytes.iter().map(|b| format!("{b:02x}")).collect()))
    }

    /// The token as written in the address.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `candidate` is this token (in constant time for candidates of its length).
    pub fn matches(&self, candidate: &str) -> bool {
        constant_time_eq::constant_time_eq(self.0.as_bytes(), candidate.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_hex_and_match_only_themselves() {
        let (a, b) = (Token::random().unwrap(), Token::random().unwrap());
        assert_eq!(a.as_str().len(), 32);
        assert!(a.as_str().chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a.as_str(), b.as_str());
        assert!(a.matches(a.as_str()));
        assert!(!a.matches(b.as_str()));
        assert!(!a.matches(&a.as_str()[..31]));
        assert!(!a.matches(""));
        assert!(!a.matches(&format!("{}0", a.as_str())));
    }
}
