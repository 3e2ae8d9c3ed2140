#!/usr/bin/env python3
"""Layout checker for Chinese typesetting in a built PDF.

Reads a (preferably tagged) PDF with pdfplumber and reports, per page, every breach of
the basic W3C clreq line-breaking rules and GB/T 15834-2011 §5.1 (placement of
punctuation), plus a few measurable quality rules of the reportpress design:

  start-punct   closing punctuation or a pause/stop mark starts a continuation line
  end-open      an opening quote/bracket/book-title mark ends a line
  split-dash    a two-em dash (——) or an ellipsis (……) is split across lines
  split-number  a number is split across lines, or split from its % / ‰
  orphan        a paragraph's last line holds a single Han character (孤字)
  indent        a body paragraph's first line is not indented 2 em
  justify       a non-final line of a justified paragraph misses or overruns the column edge
  gap           a gap wider than 0.5 em between adjacent glyphs on a line
  heading-end   a heading is the last thing in its column while the text goes on elsewhere
  latin-punct   a CJK quotation mark, dash or ellipsis drawn with a non-CJK (Latin) font
                inside Chinese text
  script-gap    the space between Chinese and Latin text differs from the design's quarter em
  display-break a display line (title, subtitle, heading, caption) broken inside a word, as
                jieba cuts the element's whole text (with --words: the manuscript's words.txt)
  display-last-line  the last line of a multi-line title or heading holds 1 or 2 characters
  column-balance     the columns of a two-column page that ends an article or section (or
                where the text stops short) end more than a line apart, or one is empty
  display-punct      a full-width mark inside a display line (一、综合, （一）经济) set
                narrower than 0.8 em where it meets no other mark (the body's width)
  short-page    a page with fewer than 5 lines of content that ends no chapter, a last page
                less than a quarter full, or an empty page that is not the verso of the cover
                or of a chapter's end (the cover itself is left alone)
  table-split   a table of up to 8 rows split across pages or columns, or a longer one that
                leaves fewer than 3 rows on one side of a break
  float-past-heading  a figure or table (its caption) placed, on a later page or column, after
                the next heading of its section's level or above

Usage:  check_layout.py [--json] [--columns N] [--body-size PT] [--ignore-tags] [--words FILE] FILE.pdf
Exit:   0 clean, 1 violations found, 2 usage or I/O error.

How the page is read:
  * Paragraphs, headings, captions, notes, lists … come from the PDF's structure tree
    (walked directly through pdfminer, following MCRs across pages); every character
    carries the MCID of its marked-content sequence. Artifacts (running heads, folios)
    are skipped; content that is neither tagged nor an artifact is read by geometry.
  * Without a structure tree (or with --ignore-tags) paragraphs and headings are guessed
    from geometry: indent, vertical gaps, font size and font name.
  * Body size = the most common font size of the body paragraphs' characters (of all content
    characters without a structure tree).
  * Columns = gutters found in the x-coverage histogram of body-size characters (over the
    whole document, then confirmed per page); lines = characters of one block element in
    one column grouped by baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field

RULES = {
    "start-punct": "closing punctuation or pause/stop mark at the start of a continuation line",
    "end-open": "opening quote/bracket/book-title mark at the end of a line",
    "split-dash": "—— or …… split across lines",
    "split-number": "number split across lines or from its %",
    "orphan": "paragraph's last line holds a single Han character (孤字)",
    "indent": "body paragraph's first line not indented 2 em",
    "justify": "non-final line of a justified paragraph misses or overruns the column edge",
    "gap": "gap wider than 0.5 em between adjacent glyphs",
    "heading-end": "heading is the last thing in its column while the text continues elsewhere",
    "latin-punct": "CJK quotation mark, dash or ellipsis drawn with a Latin font in Chinese text",
    "script-gap": "space between Chinese and Latin text or digits differs from the design's quarter em",
    "display-break": "display line (title, subtitle, heading, caption) broken inside a word",
    "display-last-line": "last line of a multi-line title or heading holds only 1 or 2 characters",
    "column-balance": "columns of a page that ends an article/section (or stops short) end unlevel, or one is empty",
    "display-punct": "punctuation inside a display line (title, heading, caption) set narrower than the body sets it",
    "short-page": "a page with fewer than 5 lines of content (not a chapter's end), or a last page less than a quarter full",
    "table-split": "a table of up to 8 rows split, or a longer one leaving fewer than 3 rows on one side of the break",
    "float-past-heading": "a figure or table placed after the next heading of its section's level",
}

# GB/T 15834 §5.1 / clreq 3.1.7: marks that may not start a line (pause and stop marks,
# closing quotes, brackets and book-title marks; their Latin counterparts too).
CLOSING = set("，。、；：？！）］｝〕〉》」』】〗〙”’．｡､・﹐﹑﹒﹔﹕﹖﹗,.;:!?)]}")
# Marks that may not end a line.
OPENING = set("“‘（［｛〔〈《「『【〖〘([{")
# Marks that must not be split: dash and ellipsis halves.
UNSPLITTABLE = set("—―…⸺⸻⋯")
PERCENT = set("%％‰‱")
# Units a number keeps on its line (GB 3100/3101 and the usual statistical ones): an
# optional 十/百/千/万/亿 and a unit, or a Latin unit after a space.
UNIT_WORDS = (
    r"(?:[十百千万亿]{0,2}(?:元|人次|人|户|吨|千克|公斤|件|辆|台|套|只|个百分点|百分点|家|所|项|座|亩|公顷|平方千米|"
    r"平方米|立方米|千米|公里|米|千瓦时|千瓦|千升|重量箱|箱|支|块|册|岁|倍)|\s?(?:Mbps|Gbps|kbps|GB|MB|TB|km|kg|kWh|kW|MW|GW|MHz|GHz)\b)"
)
UNIT_START = re.compile(r"^\s*" + UNIT_WORDS)
UNIT_END = re.compile(r"[0-9]\s*" + UNIT_WORDS + "$")
# A unit of several characters cut by the line end: 亿|元, 万|人, 百分|点 …
UNIT_SPLIT = re.compile(r"[0-9](?:[十百千万亿]\|(?:元|人|吨|件|辆|台|户|亩|千瓦)|个\|百分点|个百\|分点|个百分\|点|平方\|(?:千米|米))")
# CJK quotation marks, dashes and ellipses that must come from the CJK font.
CJK_PUNCT_FONT_SENSITIVE = set("“”‘’—―…⸺⸻")
LIST_MARK = re.compile(r"^(\d+[.、)）]|[(（]\d+[)）]|[•·◦▪‣\-–*])")
ZERO_WIDTH = set("\u200b\u200c\u200d\u2060\ufeff\u00ad")

CJK_FONT_NAME = re.compile(
    r"CJK|Han(?:s|t)?\b|SourceHan|Source Han|Song|Hei|Kai|Fang|Ming|Mincho|Gothic|SimSun|SimHei|"
    r"STX|STSong|FZ|Heiti|Songti|Kaiti|PingFang|YaHei|WenQuanYi|AR ?PL|GB|Sarasa|LXGW",
    re.IGNORECASE,
)

# Structure types (after role mapping) that hold text of their own, i.e. form a "block".
BLOCK_TYPES = {
    "P", "H", "H1", "H2", "H3", "H4", "H5", "H6", "Caption", "TD", "TH", "Note", "Figure",
    "Formula", "TOCI", "BibEntry", "Code", "Title",
}
HEADING_TYPES = {"H", "H1", "H2", "H3", "H4", "H5", "H6"}
# Ancestors that take a paragraph out of the body text (for indent and justification).
NON_BODY_ANCESTORS = {
    "L", "LI", "Lbl", "LBody", "BlockQuote", "Note", "Caption", "Table", "TR", "TH", "TD",
    "THead", "TBody", "TFoot", "Aside", "Figure", "Formula", "TOC", "TOCI", "Index", "Title",
    "BibEntry", "Code", "Sidebar",
}


# A page number as contents lines print it: Arabic or lower-case Roman.
FOLIO = re.compile(r"[0-9]{1,4}|[ivxlc]{1,8}")


def parity(page: int) -> str:
    """The side of the spread a page is on (pages count from 1, the first a recto)."""
    return "recto" if page % 2 else "verso"


def is_han(ch: str) -> bool:
    if len(ch) != 1:
        return any(is_han(c) for c in ch)
    o = ord(ch)
    return (
        0x4E00 <= o <= 0x9FFF
        or 0x3400 <= o <= 0x4DBF
        or 0x20000 <= o <= 0x3134F
        or 0xF900 <= o <= 0xFAFF
        or o == 0x3007
    )


def is_cjk_context(ch: str) -> bool:
    """Han characters and full-width CJK punctuation: 'Chinese text'."""
    if len(ch) != 1:
        return any(is_cjk_context(c) for c in ch)
    o = ord(ch)
    return is_han(ch) or 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF


def is_punct(ch: str) -> bool:
    if len(ch) != 1:
        return bool(ch) and all(is_punct(c) for c in ch)
    return unicodedata.category(ch).startswith("P") or ch in PERCENT or ch in "～~"


def is_digit(ch: str) -> bool:
    if len(ch) != 1:
        return bool(ch) and all(is_digit(c) for c in ch)
    return unicodedata.category(ch) == "Nd"


def is_blank(ch: str) -> bool:
    return ch in ZERO_WIDTH or (ch.isspace() and ch != "\u3000")


def clean_font(name: str) -> str:
    return name.split("+", 1)[1] if "+" in name[:8] else name


def is_latin(ch: str) -> bool:
    """A letter or digit of a word in Latin (or another alphabetic) script: not Han."""
    return len(ch) == 1 and ch.isalnum() and not is_han(ch)


def is_content_char(ch: str) -> bool:
    """A character that counts as a line's content: Han, a letter or a digit."""
    return len(ch) == 1 and (is_han(ch) or unicodedata.category(ch)[0] in "LN")


def read_words(path: str) -> list[str]:
    """A manuscript's own words (words.txt): one word a line, anything after the first
    space ignored (jieba's dictionary format), # comments — as reportpress reads it."""
    with open(path, encoding="utf-8") as f:
        return [line.split()[0] for line in f if line.strip() and not line.lstrip().startswith("#")]


class Segmenter:
    """Word boundaries of display text as reportpress cuts it (src/manuscript/display.rs):
    the manuscript's own words first (leftmost, longest), the rest by jieba. jieba-rs cuts
    with its HMM on, Python's jieba may differ from it on unknown words; a position counts
    as a boundary when either of jieba's cuts (HMM on or off) has one there, so the checker
    only reports a break that no reading of the text allows."""

    def __init__(self, own_words=()):
        self.own = sorted({w for w in own_words if w}, key=len, reverse=True)
        self._jieba = None
        self._cache = {}

    def tokenizer(self):
        if self._jieba is None:
            import logging

            import jieba

            jieba.setLogLevel(logging.WARNING)
            tk = jieba.Tokenizer()
            for w in self.own:
                tk.add_word(w)
            self._jieba = tk
        return self._jieba

    def pieces(self, text: str):
        """`text` cut around the own words: (piece, is_own_word)."""
        rest = text
        while rest:
            hits = [(rest.find(w), -len(w), w) for w in self.own if w in rest]
            if not hits:
                yield rest, False
                return
            at, _, w = min(hits)
            if at:
                yield rest[:at], False
            yield w, True
            rest = rest[at + len(w) :]

    def cuts(self, text: str) -> list[list[str]]:
        """The cuts of `text` (words concatenating to it): HMM on and off."""
        if text in self._cache:
            return self._cache[text]
        out = []
        for hmm in (True, False):
            words = []
            for piece, own in self.pieces(text):
                if own:
                    words.append(piece)
                elif not any(is_han(c) for c in piece):
                    # Text without Chinese breaks at its spaces (as reportpress cuts it).
                    words.extend(w for w in re.split(r"(\s+)", piece) if w)
                else:
                    words.extend(self.tokenizer().cut(piece, HMM=hmm))
            out.append(words)
        self._cache[text] = out
        return out

    def boundaries(self, text: str) -> set[int]:
        found = set()
        for words in self.cuts(text):
            at = 0
            for w in words:
                at += len(w)
                found.add(at)
        return found

    def word_at(self, text: str, at: int) -> str:
        """The word (of the HMM-off cut) that spans position `at`."""
        pos = 0
        for w in self.cuts(text)[-1]:
            if pos < at < pos + len(w):
                return w
            pos += len(w)
        return text[max(0, at - 2) : at + 2]


# --------------------------------------------------------------------------------------
# Data


@dataclass
class Glyph:
    text: str
    x0: float
    x1: float
    size: float
    font: str
    base: float  # baseline, from the top of the page
    page: int
    mcid: int | None
    block: int | None = None  # block id
    column: int = 0


@dataclass
class Block:
    id: int
    kind: str  # body, heading, list, caption, note, table, aside, title, quote, label, other
    stype: str  # structure type (role-mapped), or "geom"
    order: int  # reading order
    lines: list = field(default_factory=list)
    size: float = 0.0
    table: int | None = None  # the Table element a cell belongs to (tagged PDFs)
    header: bool = False  # a table's header cell (repeated on every part)


@dataclass
class Line:
    block: Block
    page: int
    column: int  # -1 = spans the columns
    glyphs: list
    base: float

    @property
    def visible(self):
        return [g for g in self.glyphs if not is_blank(g.text)]

    @property
    def text(self):
        return "".join(g.text for g in self.glyphs if g.text not in ZERO_WIDTH)

    @property
    def x0(self):
        v = self.visible
        return v[0].x0 if v else 0.0

    @property
    def x1(self):
        v = self.visible
        return v[-1].x1 if v else 0.0

    @property
    def top(self):
        return min(self.base - g.size * 0.88 for g in self.glyphs)

    @property
    def bottom(self):
        return max(self.base + g.size * 0.12 for g in self.glyphs)

    @property
    def size(self):
        return Counter(round(g.size, 1) for g in self.visible).most_common(1)[0][0] if self.visible else 0.0


@dataclass
class Violation:
    page: int
    rule: str
    what: str
    context: str
    column: int
    y: float

    def human(self) -> str:
        return f"page {self.page}, rule {self.rule}: {self.what} near «{self.context}»"


# --------------------------------------------------------------------------------------
# Structure tree


class StructTree:
    """The tagged structure: (page object id, mcid) → element; element types and parents."""

    def __init__(self, pdf):
        from pdfminer.pdftypes import resolve1
        from pdfminer.psparser import PSLiteral

        self.resolve1 = resolve1
        self.PSLiteral = PSLiteral
        self.elements: list[dict] = []  # id → {type, raw, parent, attrs, order}
        self.by_mcid: dict[tuple[int, int], int] = {}
        self.present = False
        doc = pdf.doc
        try:
            catalog = doc.catalog
            root = resolve1(catalog.get("StructTreeRoot"))
        except Exception:
            root = None
        if not isinstance(root, dict):
            return
        self.present = True
        self.rolemap = {}
        rm = resolve1(root.get("RoleMap"))
        if isinstance(rm, dict):
            for k, v in rm.items():
                self.rolemap[k] = self._name(v)
        self._walk(root.get("K"), parent=None, page=None, depth=0)

    def _name(self, v) -> str:
        v = self.resolve1(v)
        if isinstance(v, self.PSLiteral):
            return v.name if isinstance(v.name, str) else v.name.decode("latin-1")
        if isinstance(v, bytes):
            return v.decode("latin-1")
        return str(v)

    def _std(self, t: str) -> str:
        seen = set()
        while t in self.rolemap and t not in seen:
            seen.add(t)
            t = self.rolemap[t]
        return t

    def _pageid(self, ref):
        return getattr(ref, "objid", None)

    def _walk(self, k, parent, page, depth):
        if depth > 200 or k is None:
            return
        obj = self.resolve1(k)
        if isinstance(obj, list):
            for item in obj:
                self._walk(item, parent, page, depth + 1)
            return
        if isinstance(obj, int):
            if parent is not None and page is not None:
                self.by_mcid[(page, obj)] = parent
            return
        if not isinstance(obj, dict):
            return
        typ = self._name(obj.get("Type")) if obj.get("Type") is not None else ""
        if typ == "MCR":
            pg = self._pageid(obj.get("Pg")) or page
            mcid = self.resolve1(obj.get("MCID"))
            if parent is not None and pg is not None and isinstance(mcid, int):
                self.by_mcid[(pg, mcid)] = parent
            return
        if typ == "OBJR":
            return
        if "S" not in obj:
            return
        raw = self._name(obj.get("S"))
        attrs = {}
        a = self.resolve1(obj.get("A"))
        for d in a if isinstance(a, list) else [a]:
            d = self.resolve1(d)
            if isinstance(d, dict):
                for key, val in d.items():
                    val = self.resolve1(val)
                    attrs[key] = self._name(val) if isinstance(val, self.PSLiteral) else val
        pg = self._pageid(obj.get("Pg")) or page
        eid = len(self.elements)
        self.elements.append({"raw": raw, "type": self._std(raw), "parent": parent, "attrs": attrs})
        self._walk(obj.get("K"), eid, pg, depth + 1)

    def ancestors(self, eid):
        while eid is not None:
            yield eid
            eid = self.elements[eid]["parent"]

    def is_block(self, eid) -> bool:
        e = self.elements[eid]
        t = e["type"]
        if t == "Lbl":
            parent = e["parent"]
            return parent is not None and self.elements[parent]["type"] == "LI"
        if t in BLOCK_TYPES or e["raw"] in BLOCK_TYPES:
            return True
        return t == "Span" and e["attrs"].get("Placement") == "Block"

    def block_of(self, eid):
        for a in self.ancestors(eid):
            if self.is_block(a):
                return a
        return eid

    def kind_of(self, bid) -> str:
        e = self.elements[bid]
        types = [self.elements[a]["type"] for a in self.ancestors(bid)]
        raws = [self.elements[a]["raw"] for a in self.ancestors(bid)]
        if "Title" in raws or "Title" in types:
            return "title"
        if e["type"] in HEADING_TYPES:
            return "heading"
        if "Note" in types or "FENote" in types:
            return "note"
        if "Caption" in types:
            return "caption"
        if "Figure" in types or "Figure" in raws:
            return "figure"  # text drawn inside a picture (chart labels): not running text
        if any(t in ("Table", "TR", "TD", "TH") for t in types):
            return "table"
        if "Aside" in types or "Aside" in raws or "Sidebar" in raws:
            return "aside"
        if e["type"] == "Lbl":
            return "label"
        if "LBody" in types or "LI" in types:
            return "list"
        if "BlockQuote" in types:
            return "quote"
        if e["type"] == "P" and not (set(types) & NON_BODY_ANCESTORS):
            return "body"
        return "other"


# --------------------------------------------------------------------------------------
# Reading the page


def load_glyphs(pdf, tree: StructTree | None):
    """All glyphs of the document. With a tree: the tagged ones, and separately the ones
    that are neither in the tree nor marked as artifacts (content whose tags are missing);
    artifacts (running heads, folios, decoration) are dropped."""
    glyphs = []
    untagged = []
    graphics = []  # (page, x0, top, x1, bottom, block) of tagged non-text content
    for pno, page in enumerate(pdf.pages, start=1):
        pageid = page.page_obj.pageid
        for ch in page.chars:
            text = ch.get("text") or ""
            if not text:
                continue
            mcid = ch.get("mcid")
            eid = None
            if tree is not None:
                if ch.get("tag") == "Artifact":
                    continue  # running head, folio, decoration
                eid = tree.by_mcid.get((pageid, mcid)) if mcid is not None else None
            m = ch.get("matrix")
            # baseline from the top of the page box: the glyph box's bottom, less the descent
            base = ch["bottom"] + (ch["y0"] - m[5]) if m else ch["bottom"]
            g = Glyph(text, ch["x0"], ch["x1"], float(ch["size"]), clean_font(ch.get("fontname", "")), base, pno, mcid)
            g.block = tree.block_of(eid) if eid is not None else None
            (glyphs if tree is None or eid is not None else untagged).append(g)
        if tree is not None:
            for kind in ("rects", "lines", "curves", "images"):
                for o in getattr(page, kind):
                    mcid = o.get("mcid")
                    if mcid is None:
                        continue
                    eid = tree.by_mcid.get((pageid, mcid))
                    if eid is None:
                        continue
                    graphics.append((pno, o["x0"], o["top"], o["x1"], o["bottom"], tree.block_of(eid)))
    return glyphs, untagged, graphics


def body_size_of(glyphs) -> float:
    c = Counter(round(g.size, 1) for g in glyphs if not is_blank(g.text))
    return c.most_common(1)[0][0] if c else 10.0


def find_gutters(glyphs, body: float, want: int | None):
    """Vertical bands (x0, x1) free of body-size text: the column gutters."""
    body_glyphs = [g for g in glyphs if abs(g.size - body) < 0.2 and not is_blank(g.text)]
    if not body_glyphs:
        return []
    lo = int(min(g.x0 for g in body_glyphs))
    hi = int(max(g.x1 for g in body_glyphs)) + 1
    cover = [0] * (hi - lo + 1)
    for g in body_glyphs:
        for x in range(int(g.x0) - lo, int(g.x1) - lo + 1):
            if 0 <= x < len(cover):
                cover[x] += 1
    peak = max(cover)
    candidates = []
    strict = None
    for thresh in (0.02, 0.06, 0.12):
        limit = max(1, peak * thresh)
        bands = []
        start = None
        for i, c in enumerate(cover):
            if c <= limit and start is None:
                start = i
            elif c > limit and start is not None:
                bands.append((start, i))
                start = None
        # interior bands only (the text area's outer edges are not gutters)
        bands = [(a + lo + 1, b + lo - 1) for a, b in bands if a > 0 and b < len(cover) - 1]
        bands = [(a, b) for a, b in bands if b - a >= 0.8 * body]
        candidates = sorted(bands, key=lambda ab: ab[0] - ab[1])  # widest first
        if strict is None:
            strict = candidates
        if want is None or len(candidates) >= want - 1:
            break
    else:
        candidates = strict  # the hint asks for more columns than the text shows
    if want is not None:
        candidates = candidates[: max(0, want - 1)]
    return sorted((float(a), float(b)) for a, b in candidates)


def column_index(x: float, gutters) -> int:
    i = 0
    for a, b in gutters:
        if x > (a + b) / 2:
            i += 1
    return i


def cluster_baselines(glyphs):
    """Groups glyphs (of one block in one column) into lines by baseline."""
    out = []
    for g in sorted(glyphs, key=lambda g: g.base):
        if out and g.base - out[-1][-1].base <= 0.4 * max(g.size, out[-1][-1].size):
            out[-1].append(g)
        else:
            out.append([g])
    # the main baseline of a line: its most common one (superscripts are shifted)
    lines = []
    for group in out:
        base = Counter(round(g.base, 1) for g in group if not is_blank(g.text)).most_common(1)
        lines.append((base[0][0] if base else group[0].base, sorted(group, key=lambda g: g.x0)))
    return lines


def split_columns(glyphs, gutters):
    """Lines of `glyphs` as (column, baseline, glyphs); column -1 = a line across the gutter."""
    out = []
    for base, line in cluster_baselines(glyphs):
        cols = defaultdict(list)
        for g in line:
            cols[column_index((g.x0 + g.x1) / 2, gutters)].append(g)
        spanning = False
        if len(cols) > 1:
            for a, b in gutters:
                left = [g for g in line if (g.x0 + g.x1) / 2 <= (a + b) / 2]
                right = [g for g in line if (g.x0 + g.x1) / 2 > (a + b) / 2]
                if left and right and min(g.x0 for g in right) - max(g.x1 for g in left) < 0.5 * (b - a):
                    spanning = True
        if spanning:
            for g in line:
                g.column = -1
            out.append((-1, base, line))
        else:
            for col, part in sorted(cols.items()):
                for g in part:
                    g.column = col
                out.append((col, base, part))
    return out


def build_tagged(glyphs, tree: StructTree, gutters_for_page):
    blocks: dict[int, Block] = {}
    by_page_block = defaultdict(list)
    for g in glyphs:
        by_page_block[(g.page, g.block)].append(g)
    for (pno, bid), gs in by_page_block.items():
        if bid not in blocks:
            blocks[bid] = Block(bid, tree.kind_of(bid), tree.elements[bid]["type"], bid)
        for col, base, line in split_columns(gs, gutters_for_page(pno)):
            blocks[bid].lines.append(Line(blocks[bid], pno, col, line, base))
    return finish_blocks(blocks)


def finish_blocks(blocks):
    for b in blocks.values():
        b.lines.sort(key=lambda l: (l.page, l.column, l.base))
        sizes = Counter()
        for l in b.lines:
            for g in l.visible:
                sizes[round(g.size, 1)] += 1
        b.size = sizes.most_common(1)[0][0] if sizes else 0.0
    return [b for b in sorted(blocks.values(), key=lambda b: b.order) if b.lines]


def is_bold_or_sans(font: str) -> bool:
    return bool(re.search(r"Bold|Black|Heavy|Semibold|Demi|Sans|Hei|Gothic", font, re.IGNORECASE))


def build_geometric(glyphs, body: float, gutters_for_page, page_heights):
    """Paragraphs and headings guessed from geometry, for PDFs without tags."""
    # Lines per page (lines across the gutter first); drop running heads and folios:
    # small lines in the top or bottom band of the page.
    by_page = defaultdict(list)
    for g in glyphs:
        by_page[g.page].append(g)
    raw_lines = []
    for pno, gs in sorted(by_page.items()):
        h = page_heights[pno - 1]
        page_lines = []
        for col, base, line in split_columns(gs, gutters_for_page(pno)):
            size = Counter(round(g.size, 1) for g in line if not is_blank(g.text)).most_common(1)
            size = size[0][0] if size else body
            if size < body - 0.2 and (base < 0.09 * h or base > 0.93 * h):
                continue
            page_lines.append((pno, col, base, size, line))
        body_bases = [b for _, c, b, s, _ in page_lines if c >= 0 and abs(s - body) < 0.2] or [h / 2]
        mid = sorted(body_bases)[len(body_bases) // 2]
        page_lines.sort(key=lambda r: (r[1] if r[1] >= 0 else (-1 if r[2] < mid else 1 << 20), r[2]))
        raw_lines.extend(page_lines)
    # column edges from body-size lines
    edges = {}
    for col in {c for _, c, _, _, _ in raw_lines}:
        xs0 = Counter(round(min(g.x0 for g in l), 1) for p, c, _, s, l in raw_lines if c == col and abs(s - body) < 0.2)
        xs1 = Counter(round(max(g.x1 for g in l if not is_blank(g.text)), 1) for p, c, _, s, l in raw_lines if c == col and abs(s - body) < 0.2)
        if xs0:
            edges[col] = (xs0.most_common(1)[0][0], xs1.most_common(1)[0][0])
    blocks = {}
    current = None
    prev = None
    order = 0
    for pno, col, base, size, line in raw_lines:
        vis = [g for g in line if not is_blank(g.text)]
        if not vis:
            continue
        left, right = edges.get(col, (vis[0].x0, vis[-1].x1))
        fonts = Counter(g.font for g in vis)
        heading = size > body * 1.08 or (
            all(is_bold_or_sans(g.font) for g in vis) and abs(size - body) < 0.2 and vis[-1].x1 < right - 2 * body
        )
        new = True
        if current is not None and prev is not None:
            ppno, pcol, pbase, psize, pline, pright, pheading = prev
            same_place = ppno == pno and pcol == col
            pitch_ok = same_place and 0 < base - pbase <= size * 2.0
            next_column = not same_place
            indented = vis[0].x0 > left + 1.5 * size
            prev_full = pright >= edges.get(pcol, (0, pright))[1] - 0.6 * size
            if heading == pheading and abs(size - psize) < 0.2 and not indented and prev_full and (pitch_ok or next_column):
                new = False
            # A heading's lines are ragged (and may be centred): the next line of the same
            # size and faces at the heading's line pitch goes on the same heading.
            if heading and pheading and abs(size - psize) < 0.2 and pitch_ok and fonts.keys() & pfonts.keys():
                new = False
        if new:
            order += 1
            kind = "heading" if heading else ("body" if abs(size - body) < 0.2 else "other")
            text = "".join(g.text for g in vis)
            if kind == "body" and (LIST_MARK.match(text) or vis[0].x0 > left + 2.5 * size):
                kind = "other"  # a list item or a block quote, not a body paragraph
            current = Block(order, kind, "geom", order)
            blocks[order] = current
        current.lines.append(Line(current, pno, col, line, base))
        prev = (pno, col, base, size, line, vis[-1].x1, heading)
        pfonts = fonts
    return finish_blocks(blocks)


# --------------------------------------------------------------------------------------
# The rules


def ctx(text: str, n: int = 8, tail: bool = False) -> str:
    return text[-n:] if tail else text[:n]


class Checker:
    def __init__(self, blocks, graphics, body, page_count, fonts_with_han, page_width=None, columns=1, page_gutters=None, segmenter=None):
        self.page_gutters = page_gutters or {}
        self.segmenter = segmenter or Segmenter()
        self.page_width = page_width
        self.columns = columns
        self.blocks = blocks
        self.graphics = graphics
        self.body = body
        self.page_count = page_count
        self.fonts_with_han = fonts_with_han
        self.violations: list[Violation] = []
        self.edges = self._column_edges()

    def add(self, line: Line, rule: str, what: str, context: str):
        self.violations.append(Violation(line.page, rule, what, context.replace("\n", "⏎"), line.column, round(line.base, 1)))

    # column edges: the most common left and right ends of continuation body lines
    def _column_edges(self):
        left = defaultdict(Counter)
        right = defaultdict(Counter)
        for b in self.blocks:
            if b.kind != "body" or abs(b.size - self.body) > 0.2:
                continue
            for i, l in enumerate(b.lines):
                v = l.visible
                if not v or l.column < 0:
                    continue
                # Per page, per side of the spread (a book's inside and outside margins
                # differ), and for the whole document.
                keys = ((l.page, l.column), (parity(l.page), l.column), (None, l.column))
                if i > 0:
                    for key in keys:
                        left[key][round(l.x0, 1)] += 1
                if i < len(b.lines) - 1 and not is_punct(v[-1].text):
                    for key in keys:
                        right[key][round(l.x1, 1)] += 1
        edges = {}
        for key in set(left) | set(right):
            lc, rc = left.get(key), right.get(key)
            edges[key] = (
                lc.most_common(1)[0][0] if lc and sum(lc.values()) >= (3 if isinstance(key[0], int) else 1) else None,
                rc.most_common(1)[0][0] if rc and sum(rc.values()) >= (3 if isinstance(key[0], int) else 1) else None,
            )
        return edges

    def edge(self, line: Line, side: int):
        for key in ((line.page, line.column), (parity(line.page), line.column)):
            e = self.edges.get(key)
            if e and e[side] is not None:
                return e[side]
        # Too few lines on this side of the spread: the other side's edges, mirrored (a
        # book's verso is its recto turned over; one-sided pages have equal margins).
        if self.page_width and line.column in (0, self.columns - 1):
            other = self.edges.get(("verso" if parity(line.page) == "recto" else "recto", self.columns - 1 - line.column))
            if other and other[1 - side] is not None:
                return self.page_width - other[1 - side]
        for key in ((None, line.column),):
            e = self.edges.get(key)
            if e and e[side] is not None:
                return e[side]
        return None

    def run(self):
        for b in self.blocks:
            if b.kind == "figure":
                continue
            self.punctuation(b)
            self.orphan(b)
            if b.kind == "body" and abs(b.size - self.body) < 0.2:
                self.indent(b)
            if b.kind in ("body", "list") and abs(b.size - self.body) < 0.2 and b.stype != "Lbl":
                self.justify(b)
            self.gaps(b)
            self.latin_punct(b)
            if b.kind not in ("table", "label", "figure", "other"):
                self.script_gaps(b)
        self.heading_end()
        for kind, lines in self.display_elements():
            self.display_break(kind, lines)
            if kind != "caption":
                self.display_last_line(kind, lines)
            self.display_punct(kind, lines)
        self.column_balance()
        self.short_pages()
        self.table_splits()
        self.floats_past_headings()
        self.violations.sort(key=lambda v: (v.page, v.column, v.y))
        return self.violations

    def punctuation(self, b: Block):
        lines = [l for l in b.lines if l.visible]
        for i, l in enumerate(lines):
            v = l.visible
            first, last = v[0].text, v[-1].text
            prev = lines[i - 1] if i > 0 else None
            if prev is not None and first in CLOSING:
                self.add(l, "start-punct", f"continuation line starts with “{first}”", ctx(prev.text, 6, True) + "\n" + ctx(l.text, 6))
            if last in OPENING:
                nxt = lines[i + 1].text if i + 1 < len(lines) else ""
                self.add(l, "end-open", f"line ends with opening mark “{last}”", ctx(l.text, 6, True) + "\n" + ctx(nxt, 6))
            if prev is not None:
                pv = prev.visible
                a, z = pv[-1].text, first
                if a in UNSPLITTABLE and z in UNSPLITTABLE:
                    name = "ellipsis" if a in "…⋯" else "dash"
                    self.add(l, "split-dash", f"{name} {a}{z} split across lines", ctx(prev.text, 6, True) + "\n" + ctx(l.text, 6))
                a2 = pv[-2].text if len(pv) > 1 else ""
                split = (is_digit(a) and (is_digit(z) or z in PERCENT or (z in ".,．" and len(v) > 1 and is_digit(v[1].text))))
                split = split or (a in ".,．" and is_digit(a2) and is_digit(z))
                # a number and the unit after it (1,941.0 | 亿元, 312 | Mbps, 3 | 个百分点),
                # or a unit cut inside (亿 | 元)
                line_text = "".join(g.text for g in v)
                unit = UNIT_START.match(line_text) if is_digit(a) else None
                prev_text = "".join(g.text for g in pv)
                inside_unit = bool(UNIT_SPLIT.search(prev_text[-3:] + "|" + line_text[:3]))
                if split:
                    what = "number split from its percent sign" if z in PERCENT else "number split across lines"
                    self.add(l, "split-number", what, ctx(prev.text, 6, True) + "\n" + ctx(l.text, 6))
                elif unit or inside_unit:
                    what = f"number split from its unit “{unit.group(0).strip()}”" if unit else "unit split across lines"
                    self.add(l, "split-number", what, ctx(prev.text, 6, True) + "\n" + ctx(l.text, 6))

    def orphan(self, b: Block):
        lines = [l for l in b.lines if l.visible]
        if len(lines) < 2 or b.kind == "label":
            return
        last = lines[-1]
        core = [g.text for g in last.visible if not is_punct(g.text) and g.text != "\u3000"]
        if len(core) == 1 and is_han(core[0]):
            self.add(last, "orphan", f"last line holds the single character “{core[0]}”", ctx(lines[-2].text, 8, True) + "\n" + last.text)

    def indent(self, b: Block):
        first = next((l for l in b.lines if l.visible), None)
        if first is None or first.column < 0:
            return
        left = self.edge(first, 0)
        if left is None:
            return
        em = b.size
        got = (first.x0 - left) / em
        # An opening mark at the paragraph start keeps its full width (clreq), so the
        # indent is 2 em there too.
        ok = abs(got - 2.0) <= 0.08
        if not ok:
            self.add(first, "indent", f"first line indented {got:.2f} em instead of 2 em", ctx(first.text, 10))

    def justify(self, b: Block):
        lines = [l for l in b.lines if l.visible]
        for i, l in enumerate(lines[:-1]):
            if l.column < 0:
                continue
            right = self.edge(l, 1)
            if right is None:
                continue
            last = l.visible[-1]
            em = last.size or self.body
            tol = max(0.3, 0.03 * em)
            if abs(last.x1 - right) <= tol:
                continue
            if last.text in CLOSING or last.text in UNSPLITTABLE or last.text in "”’":
                # half-width (compressed) or hanging closing punctuation
                if abs(last.x0 + 0.5 * em - right) <= tol or abs(last.x0 - right) <= tol:
                    continue
                if right - tol <= last.x0 + 0.5 * em and last.x1 <= right + tol:
                    continue
            delta = (last.x1 - right) / em
            if delta < 0:
                what = f"line ends {-delta:.2f} em short of the column edge"
            else:
                what = f"line overruns the column edge by {delta:.2f} em"
            self.add(l, "justify", what, ctx(l.text, 10, True))

    def gaps(self, b: Block):
        for l in b.lines:
            gs = [g for g in l.glyphs if g.text not in ZERO_WIDTH]
            for a, c in zip(gs, gs[1:]):
                em = max(a.size, c.size)
                gap = c.x0 - a.x1
                # A contents line (目录, 图目录): the leader dots are artifacts, so the gap
                # before the page number at the line's end is the leader's.
                folio = "".join(g.text for g in gs[gs.index(c):]).strip()
                if FOLIO.fullmatch(folio):
                    continue
                # Between Chinese and Latin text the design's quarter em stands before the
                # line's stretch (see script_gaps): only the stretch counts here.
                latin = lambda g: len(g.text) == 1 and g.text.isascii() and g.text.isalnum()
                designed = self.SCRIPT_GAP * em if (is_han(a.text) and latin(c)) or (latin(a) and is_han(c.text)) else 0.0
                if gap - designed > 0.5 * em + 0.05:
                    i = gs.index(c)
                    text = "".join(g.text for g in gs)
                    self.add(l, "gap", f"{gap / em:.2f} em gap between “{a.text}” and “{c.text}”", text[max(0, i - 6) : i] + "␣" + text[i : i + 6])

    # The space Typst sets between Chinese and Latin text: a quarter em, which shrinks in a
    # tight justified line (by up to 0.15 em) and grows with the line's justification like
    # the space between two Han characters. A typed space set beside it shows as more.
    SCRIPT_GAP = 0.25

    def script_gaps(self, b: Block):
        latin = lambda g: len(g.text) == 1 and g.text.isascii() and g.text.isalnum()
        for l in b.lines:
            gs = [g for g in l.glyphs if g.text not in ZERO_WIDTH]
            ink = [g for g in gs if g.text.strip()]
            han_gaps = sorted(c.x0 - a.x1 for a, c in zip(ink, ink[1:]) if is_han(a.text) and is_han(c.text) and abs(a.size - c.size) < 0.1)
            stretch = han_gaps[len(han_gaps) // 2] if han_gaps else 0.0
            for i, a in enumerate(gs):
                # The next glyph with ink, across typed spaces (a typed space is the defect);
                # an ideographic or no-break space belongs to the text (图 1　标题).
                j = i + 1
                while j < len(gs) and gs[j].text in (" ", "\t"):
                    j += 1
                if j >= len(gs):
                    continue
                c = gs[j]
                if not ((is_han(a.text) and latin(c)) or (latin(a) and is_han(c.text))) or abs(a.size - c.size) > 0.1:
                    continue
                em = a.size
                off = (c.x0 - a.x1 - stretch) / em - self.SCRIPT_GAP
                # A number and its unit are one unit on the line (kept together, not
                # stretched): beside them the quarter em stands as it is.
                text = "".join(g.text for g in gs)
                at_unit = is_digit(a.text) and UNIT_START.match(text[j:])
                after_unit = is_digit(c.text) and UNIT_END.search(text[: i + 1])
                if (at_unit or after_unit) and -0.15 <= (c.x0 - a.x1) / em - self.SCRIPT_GAP <= 0.1:
                    continue
                if off > 0.1 or off < -0.15:
                    text = "".join(g.text for g in gs)
                    self.add(l, "script-gap", f"{off + self.SCRIPT_GAP:.2f} em between “{a.text}” and “{c.text}” (the design sets 0.25 em)", text[max(0, j - 6) : j] + "␣" + text[j : j + 6])

    def latin_punct(self, b: Block):
        seq = [g for l in b.lines for g in l.visible]
        for i, g in enumerate(seq):
            if g.text not in CJK_PUNCT_FONT_SENSITIVE:
                continue
            if g.font in self.fonts_with_han or CJK_FONT_NAME.search(g.font):
                continue
            near = [seq[j].text for j in range(max(0, i - 2), min(len(seq), i + 3)) if j != i]
            if any(is_cjk_context(t) for t in near):
                text = "".join(x.text for x in seq)
                line = next(l for l in b.lines if g in l.glyphs)
                self.add(line, "latin-punct", f"“{g.text}” drawn with the Latin font {g.font}", text[max(0, i - 6) : i + 7])

    def heading_end(self):
        # where each block's content lies, for "is anything below / after it"
        content = []  # (order, page, column, top, block kind)
        for b in self.blocks:
            for l in b.lines:
                content.append((b.order, l.page, l.column, l.top, b.kind))
        block_by_id = {b.id: b for b in self.blocks}
        for pno, col, top, bottom, bid in self.graphics:  # figures, charts: tagged graphics
            b = block_by_id.get(bid)
            content.append((b.order if b else bid, pno, col, top, b.kind if b else "graphic"))
        for b in self.blocks:
            if b.kind != "heading":
                continue
            last = [l for l in b.lines if l.visible][-1]
            later = [c for c in content if c[0] > b.order and c[4] not in ("note",)]
            if not later:
                continue  # the document ends with this heading
            below = False
            for c in content:
                if c[0] == b.order or c[4] == "note" or c[1] != last.page:
                    continue
                if c[2] != last.column and c[2] != -1 and last.column != -1:
                    continue
                if c[3] > last.bottom - 0.5:
                    below = True
                    break
            if not below:
                self.add(last, "heading-end", "heading is the last line of its column; its text follows in the next column/page", last.text)

    # ---- display text: the title block, headings and captions --------------------------

    # Text set this much larger than the body is display text whatever its tags say (a
    # design's cover title and subtitle may be tagged as plain spans).
    DISPLAY_SCALE = 1.2

    def display_elements(self):
        """(kind, lines) of every display element: a title, subtitle, heading or caption
        (by its tags), or a run of large text; its lines are its glyphs grouped by baseline
        on each page (across the columns: a title across the gutter is one line), cut into
        runs of one size (a title block tagged as one element holds title and subtitle)."""
        for b in self.blocks:
            tagged = b.kind in ("title", "heading", "caption")
            if not tagged and b.kind in ("figure", "table", "note", "label", "aside"):
                continue
            by_page = defaultdict(list)
            for l in b.lines:
                by_page[l.page].extend(l.glyphs)
            lines = []
            for pno, gs in by_page.items():
                for base, line in cluster_baselines(gs):
                    cols = {g.column for g in line if not is_blank(g.text)}
                    col = cols.pop() if len(cols) == 1 else -1
                    lines.append(Line(b, pno, col, line, base))
            lines = [l for l in lines if l.visible]
            lines.sort(key=lambda l: (l.page, max(l.column, 0), l.base))
            run = []
            for l in lines:
                if run:
                    p = run[-1]
                    same = p.page == l.page and abs(p.size - l.size) <= 0.3
                    if same and p.column == l.column and not (0 < l.base - p.base <= 2.2 * l.size):
                        same = False
                    if not same:
                        yield from self._display_run(b, tagged, run)
                        run = []
                run.append(l)
            yield from self._display_run(b, tagged, run)

    def _display_run(self, b, tagged, run):
        if not run:
            return
        size = Counter(l.size for l in run).most_common(1)[0][0]
        if tagged or b.kind == "heading":
            yield b.kind, run
        elif size >= self.DISPLAY_SCALE * self.body:
            yield "title", run

    @staticmethod
    def _line_text(l: Line) -> str:
        return "".join(g.text for g in l.glyphs if g.text not in ZERO_WIDTH)

    def display_break(self, kind, lines):
        """A break between two lines of a display element must fall between words."""
        if len(lines) < 2:
            return
        texts = [self._line_text(l) for l in lines]
        whole = "".join(texts)
        at = 0
        for i in range(len(lines) - 1):
            at += len(texts[i])
            a, b = whole[at - 1], whole[at]
            a2 = whole[at - 2] if at >= 2 else ""
            b2 = whole[at + 1] if at + 1 < len(whole) else ""
            # A Latin word or a number cut in two (jieba off the HMM cuts 3.5 as 3 . 5).
            inside = (is_latin(a) and is_latin(b)) or (is_digit(a) and b in PERCENT) or (a in ".,．" and is_digit(a2) and is_digit(b))
            inside = inside or (is_digit(a) and b in ".,．" and is_digit(b2)) or (a == "-" and is_latin(a2) and is_latin(b))
            if not inside:
                if is_blank(a) or is_blank(b) or a == "\u3000" or b == "\u3000":
                    continue  # a space: a break opportunity of its own
                if is_punct(a) or is_punct(b) or b in OPENING:
                    continue  # punctuation is a word boundary (a mark at a line start is start-punct's)
                if at in self.segmenter.boundaries(whole):
                    continue
            if inside:
                # the Latin word or number around the break
                part = lambda c: is_latin(c) or c in ".,．-" or c in PERCENT
                i0, i1 = at, at
                while i0 > 0 and part(whole[i0 - 1]):
                    i0 -= 1
                while i1 < len(whole) and part(whole[i1]):
                    i1 += 1
                word = whole[i0:i1]
            else:
                word = self.segmenter.word_at(whole, at)
            what = kind if kind in ("title", "heading", "caption") else "display line"
            self.add(lines[i], "display-break", f"{what} broken inside the word “{word}”", ctx(texts[i], 8, True) + "\n" + ctx(texts[i + 1], 8))

    def display_last_line(self, kind, lines):
        """The last line of a multi-line title or heading must hold more than two characters."""
        if len(lines) < 2:
            return
        last = self._line_text(lines[-1])
        content = [c for c in last if is_content_char(c)]
        if len(content) <= 2:
            what = f"last line holds only {len(content)} character(s)" if content else "last line holds only punctuation"
            self.add(lines[-1], "display-last-line", f"{what} in a {len(lines)}-line {kind}", ctx(self._line_text(lines[-2]), 8, True) + "\n" + last.strip())

    # Full-width marks the body sets at one em between two characters (clreq 3.1.6): a
    # pause or stop mark, a closing or opening bracket or book-title mark. (Quotation marks
    # are left out: their width follows the font's choice of glyph.)
    DISPLAY_CLOSING = set("，。、；：？！）》」』】〕〉")
    DISPLAY_OPENING = set("（《「『【〔〈")

    def display_punct(self, kind, lines):
        """Inside a display line a full-width mark keeps its em, as in the body: only where
        two marks meet, or at the line's start or end, may it be set narrower."""
        for l in lines:
            glyphs = sorted(l.visible, key=lambda g: g.x0)
            for i in range(1, len(glyphs) - 1):
                g, prev, nxt = glyphs[i], glyphs[i - 1], glyphs[i + 1]
                if g.text not in self.DISPLAY_CLOSING and g.text not in self.DISPLAY_OPENING:
                    continue
                if is_punct(prev.text) or is_punct(nxt.text) or abs(nxt.size - g.size) > 0.3:
                    continue  # marks that meet close up; another size is another run
                advance = nxt.x0 - g.x0
                if advance < 0.8 * g.size:
                    what = kind if kind in ("title", "heading", "caption") else "display line"
                    self.add(l, "display-punct", f"“{g.text}” in a {what} set {advance / g.size:.2f} em wide", ctx(self._line_text(l), 12))

    # ---- page breaking ------------------------------------------------------------------

    MIN_PAGE_LINES = 5

    def short_pages(self):
        """A page holds at least five lines' worth of text and pictures, unless it ends a
        chapter (the next page opens with a top-level heading), is the cover, or is blank
        (a verso left empty); the last page is at least a quarter full."""
        pitch = self.line_pitch() or 1.2 * self.body
        lines_on = defaultdict(set)  # page -> (column, baseline) of text lines
        tops, bottoms = defaultdict(list), defaultdict(list)
        first_line = {}
        for b in self.blocks:
            for l in b.lines:
                if not l.visible or b.kind == "figure":
                    continue
                lines_on[l.page].add((l.column, round(l.base)))
                tops[l.page].append(l.base - l.size)
                bottoms[l.page].append(l.base)
                if l.page not in first_line or (l.base, b.order) < first_line[l.page][0]:
                    first_line[l.page] = ((l.base, b.order), b.kind, l)
        graphic_height = defaultdict(float)
        for pno, col, top, bottom, bid in self.graphics:
            graphic_height[pno] += max(0.0, bottom - top)
            tops[pno].append(top)
            bottoms[pno].append(bottom)
        pages = sorted(set(lines_on) | set(graphic_height))
        # A page with no content at all: a book's verso before a chapter that opens on a
        # recto is empty by design; an empty page anywhere else (after the text's end, or
        # in the middle of a section) is a defect.
        for blank in range(2, (self.page_count or 0) + 1):
            if blank in pages:
                continue
            nxt = next((q for q in pages if q > blank), None)
            before_chapter = nxt is not None and nxt in first_line and first_line[nxt][1] == "heading" and first_line[nxt][2].size >= 1.4 * self.body
            if nxt is None:
                self.violations.append(Violation(blank, "short-page", "an empty page after the end of the text", "", 0, 0.0))
            elif not before_chapter and not (blank == 2 and nxt == 3):
                self.violations.append(Violation(blank, "short-page", "an empty page inside the text (not a verso before a chapter)", "", 0, 0.0))
        if len(pages) < 2:
            return
        # the text area's height: the tallest extent of content on any page
        area = max((max(bottoms[p]) - min(tops[p]) for p in pages if tops[p]), default=0.0)
        columns = max(1, self.columns)
        for p in pages:
            if p == 1:
                continue  # the cover or title page
            # lines of text, or the height the page's content spans (a picture whose marks
            # are artifacts still spans from its top to its caption), in lines
            extent = (max(bottoms[p]) - min(tops[p])) / pitch if tops[p] else 0.0
            content = max(len(lines_on[p]) / columns + graphic_height[p] / pitch / columns, extent)
            line = first_line[p][2] if p in first_line else None
            if p == pages[-1]:
                if first_line.get(p, (None, None))[1] == "heading":
                    continue  # a section that opens on a page of its own (new_page)
                used = (max(bottoms[p]) - min(tops[p])) if tops[p] else 0.0
                full = used / area if area else 1.0
                if full < 0.25 and line is not None:
                    self.add(line, "short-page", f"the last page is {full:.0%} full (less than a quarter)", self._line_text(line)[:16])
                continue
            nxt = next((q for q in pages if q > p), None)
            opens_chapter = nxt in first_line and first_line[nxt][1] == "heading" and first_line[nxt][2].size >= 1.4 * self.body
            if content < self.MIN_PAGE_LINES and not opens_chapter and line is not None:
                self.add(line, "short-page", f"page holds {content:.1f} lines of content (fewer than {self.MIN_PAGE_LINES})", self._line_text(line)[:16])

    def table_splits(self):
        """A table of up to eight rows is set whole; a longer one that breaks leaves at least
        three rows on each side of every break (the header repeats, not counted)."""
        parts = defaultdict(lambda: defaultdict(set))  # table -> (page, column) -> row baselines
        first_line = {}
        for b in self.blocks:
            if b.table is None or b.header:
                continue
            for l in b.lines:
                if l.visible:
                    parts[b.table][(l.page, max(l.column, 0))].add(round(l.base))
                    first_line.setdefault((b.table, l.page, max(l.column, 0)), l)
        for table, by_part in parts.items():
            # A table across both columns has its cells in both: one part on that page.
            for page in {p for p, _ in by_part}:
                cols = [k for k in by_part if k[0] == page]
                if len(cols) > 1 and set.intersection(*(by_part[k] for k in cols)):
                    merged = set().union(*(by_part.pop(k) for k in cols))
                    by_part[(page, 0)] = merged
                    for k in cols:
                        first_line.setdefault((table, page, 0), first_line.get((table, *k)))
            if len(by_part) < 2:
                continue
            keys = sorted(by_part)
            rows = [len(by_part[k]) for k in keys]
            line = first_line[(table, *keys[1])]
            if sum(rows) <= 8:
                self.add(line, "table-split", f"a table of {sum(rows)} rows is split {'+'.join(map(str, rows))}", self._line_text(line)[:16])
            elif rows[0] < 3 or rows[-1] < 3:
                self.add(line, "table-split", f"a table of {sum(rows)} rows is split {'+'.join(map(str, rows))} (fewer than 3 rows on one side)", self._line_text(line)[:16])

    def floats_past_headings(self):
        """A figure or table (found by its caption) stands in its section: not after the
        next heading of its section's level or above, by page, column and height. Needs the
        tags' reading order and heading levels."""
        def level(b):
            return int(b.stype[1]) if len(b.stype) == 2 and b.stype[0] == "H" and b.stype[1].isdigit() else None

        def place(l):
            return (l.page, max(l.column, 0), l.base)

        ordered = sorted((b for b in self.blocks if b.lines and any(l.visible for l in b.lines)), key=lambda b: b.order)
        headings = [(i, b, level(b)) for i, b in enumerate(ordered) if b.kind == "heading" and level(b) is not None]
        for i, b in enumerate(ordered):
            if b.kind != "caption":
                continue
            before = [h for h in headings if h[0] < i]
            if not before:
                continue
            section = before[-1][2]
            after = next((h for h in headings if h[0] > i and h[2] <= section), None)
            if after is None:
                continue
            first = next(l for l in b.lines if l.visible)
            heading_line = next(l for l in after[1].lines if l.visible)
            # in a two-column page a caption across both columns counts from the first
            if place(first) > place(heading_line) and (first.page, max(first.column, 0)) != (heading_line.page, max(heading_line.column, 0)):
                self.add(first, "float-past-heading", f"“{self._line_text(first)[:12]}” is placed after the next heading “{self._line_text(heading_line)[:12]}”", self._line_text(first)[:16])

    # ---- column balance ----------------------------------------------------------------

    def line_pitch(self) -> float:
        """The body text's line pitch: the most common baseline step inside body paragraphs."""
        steps = Counter()
        for b in self.blocks:
            if b.kind != "body" or abs(b.size - self.body) > 0.2:
                continue
            for p, l in zip(b.lines, b.lines[1:]):
                d = l.base - p.base
                if p.page == l.page and p.column == l.column and 0.9 * self.body < d < 3 * self.body:
                    steps[round(d, 1)] += 1
        return steps.most_common(1)[0][0] if steps else 1.5 * self.body

    def column_balance(self):
        """On a multi-column page that ends an article or section, the columns end level.

        A page is cut into bands by content across the columns (a title, a float across the
        page); in each band the end of a column is the bottom of its last line or graphic
        (a heading left at the column's end is heading-end's and does not count). A band is
        checked when it ends the text: the last band of the last page of running text, a
        band above a title or heading across the columns, or one whose columns all end
        clearly (2 line pitches) above the bottom of the text area (the lowest column end of
        the document) or above the float below them; one column empty while another holds
        text counts as stopping short too. Its columns must end within one line pitch (+ 3 pt),
        or two when the shorter column opens with a heading (which drops its space above at a
        column's top); a figure in the longer column taller than the difference, or a last
        paragraph there that can only move as a unit (two or three lines whole, or its last
        two lines: widow and orphan rules) as tall as the difference, cannot be levelled and
        is let pass.
        A band with fewer than 3 lines of text (a title block, a line or two) is not checked."""
        if not any(self.page_gutters.get(p) for p in self.page_gutters):
            return
        pitch = self.line_pitch()
        tol = pitch + 3.0
        items = defaultdict(list)  # page → (top, bottom, column, kind, line or None)
        for b in self.blocks:
            for l in b.lines:
                if l.visible:
                    items[l.page].append((l.top, l.bottom, l.column, b.kind, l))
        # A table's rows cross the gutter though each cell sits in one column: a row with
        # cells in more than one column spans the page.
        for pno, its in items.items():
            rows = defaultdict(set)
            for top, bottom, col, kind, l in its:
                if kind == "table" and col >= 0:
                    rows[round(l.base)].add(col)
            if any(len(c) > 1 for c in rows.values()):
                its[:] = [(t, bt, -1 if k == "table" and len(rows.get(round(l.base), ())) > 1 else c, k, l) for t, bt, c, k, l in its]
        kinds = {b.id: b.kind for b in self.blocks}
        for pno, col, top, bottom, bid in self.graphics:
            items[pno].append((top, bottom, col, kinds.get(bid, "graphic"), None))
        text_kinds = ("body", "list", "quote", "other")
        # The last page of running text (a reference list after the body text is text too:
        # the page before it is not the article's end).
        text_pages = [p for p, its in items.items() if any(k in text_kinds and l is not None for _, _, c, k, l in its)]
        if not text_pages:
            return
        last_text_page = max(text_pages)
        area_bottom = max((bt for p, its in items.items() if self.page_gutters.get(p) for _, bt, c, _, _ in its if c >= 0), default=None)
        for pno in sorted(items):
            gutters = self.page_gutters.get(pno)
            if not gutters:
                continue
            ncols = len(gutters) + 1
            its = sorted(items[pno], key=lambda it: it[0])
            spanning = [it for it in its if it[2] < 0]
            # bands: the stretches between content across the columns
            cuts = []
            for it in spanning:
                if cuts and it[0] <= cuts[-1][1] + 0.5:
                    cuts[-1] = (cuts[-1][0], max(cuts[-1][1], it[1]), cuts[-1][2] + [it])
                else:
                    cuts.append((it[0], it[1], [it]))
            starts = [-1e9] + [c[1] for c in cuts]
            for i, start in enumerate(starts):
                below = cuts[i] if i < len(cuts) else None
                stop = below[0] if below else 1e9
                band = [it for it in its if it[2] >= 0 and start - 0.5 <= (it[0] + it[1]) / 2 <= stop + 0.5]
                if not band:
                    continue
                text_lines = [it for it in band if it[4] is not None and it[3] in text_kinds]
                if len(text_lines) < 3:
                    continue  # a title block, or a line or two: nothing to balance
                ends = {}
                for c in range(ncols):
                    col = sorted((it for it in band if it[2] == c), key=lambda it: it[1])
                    while len(col) > 1 and col[-1][3] == "heading":
                        col.pop()  # a heading stranded at the column's end is heading-end's
                    ends[c] = col[-1][1] if col else None
                filled = [e for e in ends.values() if e is not None]
                empty = [c for c, e in ends.items() if e is None]
                last_band = below is None or all(k == "note" for _, _, _, k, _ in below[2])  # notes across the foot
                if below is None:
                    limit = area_bottom
                else:
                    limit = below[0] - pitch  # a float below: the columns stop above it
                short = limit is not None and all(limit - e > 2 * pitch for e in filled)
                section_break = below is not None and any(k in ("heading", "title") for _, _, _, k, _ in below[2])
                checked = (pno == last_text_page and last_band) or bool(empty) or short or section_break
                if not checked:
                    continue
                anchor = max(text_lines, key=lambda it: it[1])[4]
                if empty:
                    full = [c + 1 for c, e in ends.items() if e is not None]
                    self.add(anchor, "column-balance", f"column {', '.join(str(c + 1) for c in empty)} empty while column {', '.join(map(str, full))} holds text", ctx(anchor.text, 10))
                elif max(filled) - min(filled) > tol:
                    longer = max(ends, key=lambda c: ends[c])
                    shorter = min(ends, key=lambda c: ends[c])
                    difference = ends[longer] - ends[shorter]
                    # What cannot be levelled: a figure in the longer column taller than the
                    # difference (moving it over leaves the other column as much longer), and a
                    # heading opening the shorter column (at a column's top it drops the space
                    # above it, so the two columns differ by that line more).
                    figure = max((bt - t for t, bt, c, k, l in band if c == longer and l is None), default=0.0)
                    first_of_shorter = min((it for it in band if it[2] == shorter), key=lambda it: it[0], default=None)
                    allowed = tol + (pitch if first_of_shorter is not None and first_of_shorter[3] == "heading" else 0.0)
                    # The longer column's last paragraph cannot give a single line over (widow
                    # and orphan rules): a paragraph of two or three lines whole in it, or its
                    # last two lines there, moves as a unit, and moving it leaves the columns
                    # at least as uneven when it is as tall as the difference.
                    last = max((it for it in band if it[2] == longer and it[4] is not None), key=lambda it: it[1], default=None)
                    unit = 0.0
                    if last is not None:
                        every = [l for l in last[4].block.lines if l.visible]
                        here = [l for l in every if l.page == pno and l.column == longer]
                        whole = len(here) == len(every) and 1 < len(every) <= 3
                        tail = len(here) == 2 and len(every) > 2
                        if whole or tail:
                            unit = max(l.bottom for l in here) - min(l.top for l in here)
                    if figure >= difference - pitch or difference <= allowed or unit >= difference - pitch:
                        continue
                    gap = difference / pitch
                    self.add(anchor, "column-balance", f"column {longer + 1} ends {gap:.1f} line pitches below column {shorter + 1}", ctx(anchor.text, 10))


# --------------------------------------------------------------------------------------


def nest_marked_content():
    """Makes pdfplumber keep the enclosing marked content across a nested one.

    pdfplumber clears a glyph's MCID and tag at every EMC, so after a nested sequence (Typst
    wraps a caption's no-break space in `/Span <</ActualText …>> BDC … EMC` inside the
    caption's `/Span <</MCID n>>`) the rest of the caption looked untagged. With a stack, a
    nested sequence without an MCID stays in the enclosing one, and content inside an
    artifact stays an artifact."""
    from pdfplumber.page import PDFPageAggregatorWithMarkedContent as Aggregator
    from pdfplumber.utils import decode_text

    if getattr(Aggregator, "_nested", False):
        return

    def begin_tag(self, tag, props=None):
        stack = self.__dict__.setdefault("_marked", [])
        stack.append((self.cur_tag, self.cur_mcid))
        mcid = props.get("MCID") if isinstance(props, dict) else None
        if self.cur_tag == "Artifact":
            return  # everything inside an artifact is artifact
        self.cur_tag = decode_text(tag.name)
        if mcid is not None:
            self.cur_mcid = mcid

    def end_tag(self):
        stack = self.__dict__.setdefault("_marked", [])
        self.cur_tag, self.cur_mcid = stack.pop() if stack else (None, None)

    Aggregator.begin_tag = begin_tag
    Aggregator.end_tag = end_tag
    Aggregator._nested = True


def check(path: str, columns: int | None = None, body_size: float | None = None, ignore_tags: bool = False, words: list[str] | None = None):
    import pdfplumber

    version = tuple(int(p) for p in re.findall(r"\d+", pdfplumber.__version__)[:2])
    if version < (0, 11):
        raise ImportError(f"pdfplumber {pdfplumber.__version__} is too old (0.11 or newer gives characters their MCIDs)")
    nest_marked_content()

    pdf = pdfplumber.open(path)
    try:
        tree = None if ignore_tags else StructTree(pdf)
        if tree is not None and (not tree.present or not tree.by_mcid):
            tree = None
        glyphs, untagged, graphics = load_glyphs(pdf, tree)
        if tree is not None and not glyphs:
            tree = None  # a tree that tags no text is of no use: fall back to geometry
            glyphs, untagged, graphics = load_glyphs(pdf, None)
        # The body size is that of the body paragraphs (a long list of references in a
        # smaller size must not make the notes' size the body's).
        body_glyphs = [g for g in glyphs if tree.kind_of(g.block) == "body"] if tree is not None else []
        body = body_size or body_size_of(body_glyphs or glyphs)
        doc_gutters = find_gutters(glyphs, body, columns)
        # a document gutter holds on a page unless body-size text crosses it there
        page_gutters = {}
        for pno in range(1, len(pdf.pages) + 1):
            keep = []
            pg = [g for g in glyphs if g.page == pno and abs(g.size - body) < 0.2 and not is_blank(g.text)]
            for a, b in doc_gutters:
                crossing = {round(g.base) for g in pg if g.x0 < b - 1 and g.x1 > a + 1 and min(g.x1, b) - max(g.x0, a) > 0.3 * body}
                if len(crossing) <= 3:
                    keep.append((a, b))
            page_gutters[pno] = keep
        gutters_for_page = page_gutters.__getitem__
        graphics = [
            (pno, -1 if any(x0 < a and x1 > b for a, b in page_gutters[pno]) else column_index((x0 + x1) / 2, page_gutters[pno]), top, bottom, bid)
            for pno, x0, top, x1, bottom, bid in graphics
        ]
        if tree is not None:
            blocks = build_tagged(glyphs, tree, gutters_for_page)
            mode = "tags"
            if untagged:
                # content the tree misses: paragraphs by geometry, read after the tagged
                # content of the same page
                last_on_page = defaultdict(int)
                for b in blocks:
                    for l in b.lines:
                        last_on_page[l.page] = max(last_on_page[l.page], b.order)
                extra = build_geometric(untagged, body, gutters_for_page, [p.height for p in pdf.pages])
                for i, b in enumerate(extra):
                    b.id = -1 - i
                    b.order = last_on_page[b.lines[0].page] + (i + 1) / (len(extra) + 1)
                blocks = sorted(blocks + extra, key=lambda b: b.order)
                mode = "tags+geometry"
        else:
            blocks = build_geometric(glyphs, body, gutters_for_page, [p.height for p in pdf.pages])
            mode = "geometry"
        fonts_with_han = {g.font for g in glyphs if is_han(g.text)}
        if tree is not None:
            for b in blocks:
                if b.kind == "table" and b.id >= 0:
                    chain = list(tree.ancestors(b.id))
                    b.table = next((a for a in chain if tree.elements[a]["type"] == "Table"), None)
                    b.header = any(tree.elements[a]["type"] in ("TH", "THead") for a in chain)
        checker = Checker(
            blocks, graphics, body, len(pdf.pages), fonts_with_han, pdf.pages[0].width if pdf.pages else None, len(doc_gutters) + 1, page_gutters, Segmenter(words or ())
        )
        violations = checker.run()
        info = {
            "file": path,
            "pages": len(pdf.pages),
            "mode": mode,
            "body_size": body,
            "gutters": doc_gutters,
            "untagged_chars": len(untagged),
            "column_edges": {f"{k[1]}": v for k, v in checker.edges.items() if k[0] is None},
        }
        return info, violations
    finally:
        pdf.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Check Chinese typesetting rules (clreq, GB/T 15834 §5.1) in a PDF.")
    parser.add_argument("pdf", help="the PDF to check")
    parser.add_argument("--json", action="store_true", help="print a JSON report instead of text")
    parser.add_argument("--columns", type=int, help="number of columns of the design (default: detected)")
    parser.add_argument("--body-size", type=float, help="body text size in pt (default: the most common size)")
    parser.add_argument("--ignore-tags", action="store_true", help="ignore the structure tree; use geometry only")
    parser.add_argument("--words", metavar="FILE", help="the manuscript's own words (words.txt, one a line) that display lines keep whole")
    args = parser.parse_args(argv)
    if args.columns is not None and args.columns < 1:
        parser.error("--columns must be at least 1")
    try:
        words = read_words(args.words) if args.words else []
    except OSError as e:
        print(f"check_layout: cannot read the words file {args.words}: {e}", file=sys.stderr)
        return 2
    try:
        info, violations = check(args.pdf, args.columns, args.body_size, args.ignore_tags, words)
    except ImportError as e:
        module = getattr(e, "name", None) or "pdfplumber"
        module = "jieba" if module == "jieba" else "pdfplumber"
        print(f"check_layout: {e}; install it with `python3 -m pip install {module}`", file=sys.stderr)
        return 2
    except Exception as e:  # unreadable or not a PDF
        if os.environ.get("CHECK_LAYOUT_DEBUG"):
            raise
        print(f"check_layout: cannot read {args.pdf}: {e.__class__.__name__}: {e}", file=sys.stderr)
        return 2
    counts = {rule: 0 for rule in RULES}
    for v in violations:
        counts[v.rule] += 1
    if args.json:
        out = dict(info)
        out["violations"] = [v.__dict__ for v in violations]
        out["counts"] = counts
        out["total"] = len(violations)
        json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        for v in violations:
            print(v.human())
        summary = ", ".join(f"{rule}={n}" for rule, n in counts.items())
        print(f"summary ({info['mode']}, body {info['body_size']}pt, {len(info['gutters']) + 1} column(s) detected): {summary}; total={len(violations)}")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
