#!/usr/bin/env python3
"""Makes LayoutTestLatin.ttf, the tiny "Latin" font of the latin-punct layout sample.

The project's fonts are all CJK faces, so to show that the checker notices CJK quotation
marks, dashes and ellipses drawn with a Latin font, the sample needs a non-CJK font that
has those characters. This script draws one from scratch with fontTools (simple boxes, no
third-party outlines, so no licence questions): ASCII space and period, and the curly
quotes, the em dash and the ellipsis with narrow, Latin-style advances.

Run once (needs `python3 -m pip install fonttools`); the output is committed:
    python3 tests/layout/fonts/make_latin_font.py tests/layout/fonts/LayoutTestLatin.ttf
"""

import sys

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen

UPM = 1000


def box(pen, x0, y0, x1, y1):
    pen.moveTo((x0, y0))
    pen.lineTo((x0, y1))
    pen.lineTo((x1, y1))
    pen.lineTo((x1, y0))
    pen.closePath()


def glyph(*boxes):
    pen = TTGlyphPen(None)
    for b in boxes:
        box(pen, *b)
    return pen.glyph()


def empty():
    return TTGlyphPen(None).glyph()


# name: (code point, advance, outline)
GLYPHS = {
    ".notdef": (None, 500, glyph((50, 0, 450, 700))),
    "space": (0x20, 250, empty()),
    "period": (0x2E, 250, glyph((80, 0, 170, 90))),
    "quoteleft": (0x2018, 280, glyph((90, 480, 190, 700))),
    "quoteright": (0x2019, 280, glyph((90, 480, 190, 700))),
    "quotedblleft": (0x201C, 440, glyph((80, 480, 180, 700), (260, 480, 360, 700))),
    "quotedblright": (0x201D, 440, glyph((80, 480, 180, 700), (260, 480, 360, 700))),
    "emdash": (0x2014, 820, glyph((30, 260, 790, 320))),
    "ellipsis": (0x2026, 820, glyph((80, 0, 170, 90), (365, 0, 455, 90), (650, 0, 740, 90))),
}


def main(out):
    fb = FontBuilder(UPM, isTTF=True)
    order = list(GLYPHS)
    fb.setupGlyphOrder(order)
    fb.setupCharacterMap({cp: name for name, (cp, _, _) in GLYPHS.items() if cp is not None})
    fb.setupGlyf({name: g for name, (_, _, g) in GLYPHS.items()})
    metrics = {}
    glyf = fb.font["glyf"]
    for name, (_, advance, _) in GLYPHS.items():
        metrics[name] = (advance, getattr(glyf[name], "xMin", 0))
    fb.setupHorizontalMetrics(metrics)
    fb.setupHorizontalHeader(ascent=880, descent=-120)
    fb.setupNameTable({"familyName": "Layout Test Latin", "styleName": "Regular", "psName": "LayoutTestLatin-Regular"})
    fb.setupOS2(sTypoAscender=880, sTypoDescender=-120, usWinAscent=880, usWinDescent=120, achVendID="NONE")
    fb.setupPost()
    fb.save(out)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "LayoutTestLatin.ttf")
