//! A minimal SVG writer: elements with plain presentation attributes, escaped with `quick-xml`.
//!
//! Output is deterministic: attributes keep the order they were added in, numbers are rounded
//! to two decimals with trailing zeros dropped, and nothing depends on hashing or the clock.

use std::fmt::Write as _;

use quick_xml::escape::escape;

use super::text::{Anchor, Label};

/// Formats a coordinate or length with at most two decimals (`12.5`, `3`, never `-0`).
pub(crate) fn num(value: f64) -> String {
    let rounded = (value * 100.0).round() / 100.0;
    let text = format!("{rounded:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" { "0".to_string() } else { text.to_string() }
}

/// One element under construction.
#[derive(Debug, Clone)]
pub(crate) struct El {
    /// Element name.
    name: &'static str,
    /// Attributes in writing order, unescaped.
    attrs: Vec<(&'static str, String)>,
}

impl El {
    /// A new element called `name`.
    pub fn new(name: &'static str) -> Self {
        El { name, attrs: Vec::new() }
    }

    /// Adds an attribute (escaped when written).
    pub fn attr(mut self, key: &'static str, value: impl Into<String>) -> Self {
        self.attrs.push((key, value.into()));
        self
    }

    /// Adds a numeric attribute, rounded by [`num`].
    pub fn num(self, key: &'static str, value: f64) -> Self {
        self.attr(key, num(value))
    }

    /// Adds an attribute when `value` is `Some`.
    pub fn opt(self, key: &'static str, value: Option<impl Into<String>>) -> Self {
        match value {
            Some(value) => self.attr(key, value),
            None => self,
        }
    }

    /// The start tag, `/>`-closed when `empty`.
    fn tag(&self, empty: bool) -> String {
        let mut out = format!("<{}", self.name);
        for (key, value) in &self.attrs {
            let _ = write!(out, " {key}=\"{}\"", escape(value.as_str()));
        }
        out.push_str(if empty { "/>" } else { ">" });
        out
    }
}

/// A rectangle element.
pub(crate) fn rect(x: f64, y: f64, w: f64, h: f64) -> El {
    El::new("rect").num("x", x).num("y", y).num("width", w.max(0.0)).num("height", h.max(0.0))
}

/// A straight line element.
pub(crate) fn line(x1: f64, y1: f64, x2: f64, y2: f64) -> El {
    El::new("line").num("x1", x1).num("y1", y1).num("x2", x2).num("y2", y2)
}

/// Path data built from absolute commands.
#[derive(Debug, Default, Clone)]
pub(crate) struct PathData(String);

impl PathData {
    /// Starts a new subpath at (`x`, `y`).
    pub fn move_to(mut self, x: f64, y: f64) -> Self {
        self.push(format!("M{} {}", num(x), num(y)));
        self
    }

    /// A straight segment to (`x`, `y`).
    pub fn line_to(mut self, x: f64, y: f64) -> Self {
        self.push(format!("L{} {}", num(x), num(y)));
        self
    }

    /// A circular arc of radius `r` to (`x`, `y`); `clockwise` on screen.
    pub fn arc_to(mut self, r: f64, large: bool, clockwise: bool, x: f64, y: f64) -> Self {
        let (r, x, y) = (num(r), num(x), num(y));
        self.push(format!("A{r} {r} 0 {} {} {x} {y}", u8::from(large), u8::from(clockwise)));
        self
    }

    /// Closes the subpath.
    pub fn close(mut self) -> Self {
        self.push("Z".to_string());
        self
    }

    /// Appends one command, space-separated.
    fn push(&mut self, command: String) {
        if !self.0.is_empty() {
            self.0.push(' ');
        }
        self.0.push_str(&command);
    }

    /// The `d` attribute value.
    pub fn finish(self) -> String {
        self.0
    }
}

/// Collects the elements of one SVG document.
#[derive(Debug, Default)]
pub(crate) struct SvgWriter {
    /// The markup written so far.
    out: String,
}

impl SvgWriter {
    /// Writes `<name …/>`.
    pub fn empty(&mut self, el: El) {
        self.out.push_str(&el.tag(true));
        self.out.push('\n');
    }

    /// Writes `<name …>` (close it with [`SvgWriter::close`]).
    pub fn open(&mut self, el: El) {
        self.out.push_str(&el.tag(false));
        self.out.push('\n');
    }

    /// Writes `</name>`.
    pub fn close(&mut self, name: &str) {
        let _ = writeln!(self.out, "</{name}>");
    }

    /// Writes `<name …>text</name>` with the text escaped.
    pub fn with_text(&mut self, el: El, text: &str) {
        let _ = writeln!(self.out, "{}{}</{}>", el.tag(false), escape(text), el.name);
    }

    /// Writes a label as a `<text>` element in `font_family`.
    pub fn label(&mut self, label: &Label, font_family: &str) {
        let anchor = match label.anchor {
            Anchor::Start => None,
            Anchor::Middle => Some("middle"),
            Anchor::End => Some("end"),
        };
        let rotate = label.vertical.then(|| format!("rotate(-90 {} {})", num(label.x), num(label.y)));
        let el = El::new("text")
            .attr("id", label.id.clone())
            .num("x", label.x)
            .num("y", label.y)
            .attr("font-family", font_family)
            .num("font-size", label.size)
            .opt("font-weight", label.bold.then_some("700"))
            .attr("fill", label.fill)
            .opt("text-anchor", anchor)
            .opt("transform", rotate);
        self.with_text(el, &label.text);
    }

    /// The text written so far.
    pub fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short_and_stable() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.5), "12.5");
        assert_eq!(num(1.0 / 3.0), "0.33");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(-2.456), "-2.46");
    }

    #[test]
    fn text_and_attributes_are_escaped() {
        let mut w = SvgWriter::default();
        w.with_text(El::new("title").attr("data-x", "a\"b<"), "R&D <增长>");
        let out = w.finish();
        assert_eq!(out, "<title data-x=\"a&quot;b&lt;\">R&amp;D &lt;增长&gt;</title>\n");
    }

    #[test]
    fn path_data_uses_absolute_commands() {
        let d = PathData::default().move_to(0.0, 0.0).line_to(10.0, 0.0).arc_to(10.0, false, true, 0.0, 10.0).close();
        assert_eq!(d.finish(), "M0 0 L10 0 A10 10 0 0 1 0 10 Z");
    }
}
