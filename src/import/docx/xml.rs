//! A small element tree of one XML part of a Word package, built from `quick-xml`'s events:
//! elements by local name (`w:p` → `p`), attributes by qualified name, text with entities
//! resolved. Word's parts are walked in several directions (styles before paragraphs,
//! footnotes by id), which a tree makes plain.

use quick_xml::events::Event;

use crate::diagnostics::Diagnostic;

/// Deepest nesting accepted (Word nests tables in tables, but not thousands deep).
const MAX_DEPTH: usize = 256;

/// Most pieces (elements, attributes and text runs) one part may hold: a 1000-page report
/// has about a million; an archive of a few KB can decompress to tens of millions of empty
/// elements, each of which would cost a hundred bytes here.
const MAX_PIECES: usize = 3_000_000;

/// An element.
#[derive(Debug, Clone, Default)]
pub struct Node {
    /// Local name (`p`, `r`, `t`).
    pub name: String,
    /// Attributes: (qualified name, unescaped value).
    pub attributes: Vec<(String, String)>,
    /// Child elements and text, in order.
    pub children: Vec<Child>,
}

/// A child of an element.
#[derive(Debug, Clone)]
pub enum Child {
    /// An element.
    Element(Node),
    /// Text.
    Text(String),
}

impl Node {
    /// The value of the attribute with this local name (`val` finds `w:val`).
    pub fn attr(&self, local: &str) -> Option<&str> {
        self.attributes.iter().find(|(name, _)| name == local || name.rsplit(':').next() == Some(local)).map(|(_, v)| v.as_str())
    }

    /// The value of the attribute with this qualified name (`r:id`).
    pub fn attr_exact(&self, name: &str) -> Option<&str> {
        self.attributes.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// Child elements.
    pub fn elements(&self) -> impl Iterator<Item = &Node> {
        self.children.iter().filter_map(|c| if let Child::Element(e) = c { Some(e) } else { None })
    }

    /// The first child element with this local name.
    pub fn child(&self, name: &str) -> Option<&Node> {
        self.elements().find(|e| e.name == name)
    }

    /// The first element with this local name at any depth (depth first).
    pub fn find(&self, name: &str) -> Option<&Node> {
        self.elements().find_map(|e| if e.name == name { Some(e) } else { e.find(name) })
    }

    /// Every element with this local name at any depth, in document order.
    pub fn find_all<'a>(&'a self, name: &str, out: &mut Vec<&'a Node>) {
        for element in self.elements() {
            if element.name == name {
                out.push(element);
            } else {
                element.find_all(name, out);
            }
        }
    }

    /// All text below this element.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for child in &self.children {
            match child {
                Child::Text(t) => out.push_str(t),
                Child::Element(e) => out.push_str(&e.text()),
            }
        }
        out
    }

    /// A Word on/off property (`<w:b/>`, `<w:b w:val="0"/>`) of this properties element.
    pub fn flag(&self, name: &str) -> bool {
        self.child(name).is_some_and(|e| !matches!(e.attr("val"), Some("0" | "false" | "off" | "none")))
    }
}

/// Parses one part; `part` names it in errors.
pub fn parse(part: &str, text: &str) -> Result<Node, String> {
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().trim_text(false);
    let mut stack: Vec<Node> = vec![Node::default()];
    let mut pieces = 0usize;
    loop {
        let position = reader.buffer_position();
        let event = reader.read_event().map_err(|e| format!("{part} is not well-formed XML (byte {position}): {e}"))?;
        pieces += match &event {
            Event::Start(start) | Event::Empty(start) => 1 + start.attributes().count(),
            Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) => 1,
            _ => 0,
        };
        if pieces > MAX_PIECES {
            return Err(format!(
                "{part} holds more than {} million elements, attributes and texts (at byte {position}); a Word document of a thousand pages has about one million",
                MAX_PIECES / 1_000_000
            ));
        }
        match event {
            Event::Start(start) | Event::Empty(start) if stack.len() > MAX_DEPTH => {
                return Err(format!("{part} nests elements more than {MAX_DEPTH} deep (at <{}>)", String::from_utf8_lossy(start.name().as_ref())));
            }
            Event::Start(start) => stack.push(element(&start, part)?),
            Event::Empty(start) => {
                let node = element(&start, part)?;
                push_child(&mut stack, Child::Element(node));
            }
            Event::End(_) => {
                let node = stack.pop().filter(|_| !stack.is_empty()).ok_or_else(|| format!("{part}: an end tag without a start tag"))?;
                push_child(&mut stack, Child::Element(node));
            }
            Event::Text(t) => {
                let text = t.decode().map_err(|e| format!("{part}: {e}"))?.into_owned();
                push_child(&mut stack, Child::Text(text));
            }
            Event::CData(t) => push_child(&mut stack, Child::Text(String::from_utf8_lossy(&t).into_owned())),
            Event::GeneralRef(r) => {
                let text = match r.resolve_char_ref().map_err(|e| format!("{part}: {e}"))? {
                    Some(ch) => ch.to_string(),
                    None => {
                        let name = String::from_utf8_lossy(&r).into_owned();
                        quick_xml::escape::unescape(&format!("&{name};")).map_err(|_| format!("{part}: unknown entity &{name};"))?.into_owned()
                    }
                };
                push_child(&mut stack, Child::Text(text));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if stack.len() != 1 {
        return Err(format!("{part} ends inside an element (the file is cut short)"));
    }
    let root = stack.pop().unwrap_or_default();
    root.children
        .into_iter()
        .find_map(|child| if let Child::Element(node) = child { Some(node) } else { None })
        .ok_or_else(|| format!("{part} has no root element"))
}

fn push_child(stack: &mut [Node], child: Child) {
    if let Some(parent) = stack.last_mut() {
        // Adjacent text pieces (text and entities) are kept as one.
        if let (Child::Text(new), Some(Child::Text(old))) = (&child, parent.children.last_mut()) {
            old.push_str(new);
            return;
        }
        parent.children.push(child);
    }
}

fn element(start: &quick_xml::events::BytesStart<'_>, part: &str) -> Result<Node, String> {
    let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
    let mut attributes = Vec::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| format!("{part}: a malformed attribute in <{name}>: {e}"))?;
        let key = String::from_utf8_lossy(attribute.key.as_ref()).into_owned();
        let value = attribute.unescape_value().map_err(|e| format!("{part}: attribute {key} of <{name}>: {e}"))?.into_owned();
        attributes.push((key, value));
    }
    Ok(Node { name, attributes, children: Vec::new() })
}

/// An error in a part of `input`, with what to do.
pub fn part_error(input: &std::path::Path, message: String) -> Diagnostic {
    Diagnostic::error(input, message).with_hint("open the document in Word or WPS and save it again as .docx; check that the file is complete")
}
