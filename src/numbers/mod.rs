//! Numbers as a statistical bulletin prints them. This module owns how a value from the data
//! is read and printed, one job per module:
//! - [`typed`]: the one rule for what a number or percent cell may hold (units, signs,
//!   full-width digits, separators), for CSV, TOML and spreadsheet cells alike;
//! - [`spreadsheet`]: spreadsheet cells printed through their number formats;
//! - [`reference`]: a `{{…}}` resolved and printed, the one function every edition uses;
//! - [`filters`]: `{{table.row.column | filter}}` — absolute values, sign wording, 个百分点,
//!   scaling to 万/亿;
//! - [`wording`]: the words for a change chosen by the sign, and the check for prose whose
//!   word contradicts the sign of the value after it;
//! - [`grouping`]: thousands grouping (`none`, `comma`, `thin`) for prose and tables alike;
//! - [`handtyped`]: numbers typed by hand in the prose that a data table holds;
//! - [`numerals`]: numbers as letters and roman numerals (list numbering, page labels);
//! - [`units`]: the unit words a number is never parted from at a line's end, in every edition.
//!
//! README.md, "数字的写法 / Writing numbers", lists every rule, filter and error.

pub mod filters;
pub mod grouping;
pub mod handtyped;
pub mod numerals;
pub mod reference;
pub mod spreadsheet;
pub mod typed;
pub mod units;
pub mod wording;

use serde::Deserialize;

/// `[numbers]` in `report.toml` (and, for `grouping`, in a design's `design.toml`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumbersConfig {
    /// Thousands grouping: `as-typed`, `none`, `comma` or `thin` (see [`grouping`]).
    #[serde(default)]
    pub grouping: Option<String>,
    /// What a word contradicting the sign of the value after it is: `error` (the default),
    /// `warning` or `off` (see [`wording`]).
    #[serde(default)]
    pub sign_check: Option<String>,
}

/// How a word that contradicts the sign of the data after it is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignCheck {
    /// An error: the build fails (the default).
    #[default]
    Error,
    /// A warning.
    Warning,
    /// Not checked.
    Off,
}

impl SignCheck {
    /// Reads a `sign_check = "…"` value; the error lists the values.
    pub fn parse(value: &str) -> Result<Self, String> {
        match value {
            "error" => Ok(SignCheck::Error),
            "warning" => Ok(SignCheck::Warning),
            "off" => Ok(SignCheck::Off),
            other => Err(format!("`sign_check` must be \"error\", \"warning\" or \"off\", found `{other}`")),
        }
    }
}

impl NumbersConfig {
    /// The sign check asked for (the default when the value is missing or wrong: a wrong
    /// value is reported by [`NumbersConfig::problems`]).
    pub fn sign_check(&self) -> SignCheck {
        self.sign_check.as_deref().and_then(|v| SignCheck::parse(v).ok()).unwrap_or_default()
    }

    /// The grouping asked for, if a valid one is given.
    pub fn grouping(&self) -> Option<grouping::Grouping> {
        self.grouping.as_deref().and_then(|v| grouping::Grouping::parse(v).ok())
    }

    /// Every wrong value, with the key it is under.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut problems = Vec::new();
        if let Some(Err(message)) = self.grouping.as_deref().map(grouping::Grouping::parse) {
            problems.push(("grouping", message));
        }
        if let Some(Err(message)) = self.sign_check.as_deref().map(SignCheck::parse) {
            problems.push(("sign_check", message));
        }
        problems
    }
}
