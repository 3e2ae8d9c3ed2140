#!/usr/bin/env python3
"""Checks that the PDF sets every chart label where the chart's layout put it.

The PDF edition draws a chart's marks as SVG and sets its labels with Typst's text engine
at the positions reportpress computed (the `drawing` of each chart in the document model).
This script reads those positions from `document.json` (written by `--emit-typst`), finds
each label's glyphs in the PDF with pdfplumber, and fits one scale and offset per chart
(the chart is scaled to the column width). Every label's anchor point (start, middle or end
of its run of glyphs, on the baseline) must land within TOLERANCE of where the fit puts it.

With --proof (the proof edition), it also checks that the proof's line numbers, which
count lines of text, stand beside no chart: a label is part of a picture, not a line.

usage: chart_labels.py [--proof] DOCUMENT.json FILE.pdf   exit 0 when every label is in place
"""

import json
import sys

import pdfplumber

TOLERANCE = 0.35  # pt on the page


def charts_of(blocks):
    for block in blocks:
        if block.get("type") == "chart":
            yield block
        for key in ("blocks",):
            yield from charts_of(block.get(key, []))
        for item in block.get("items", []):
            yield from charts_of(item)


def glyph_stream(pdf):
    """Every glyph marked as an artifact (chart labels are: the image's alt text speaks for
    them), in content order: (page number, text, box, baseline origin, upright)."""
    for number, page in enumerate(pdf.pages, start=1):
        height = float(page.height)
        for ch in page.chars:
            if ch.get("tag") != "Artifact":
                continue
            m = ch.get("matrix") or (1, 0, 0, 1, ch["x0"], height - ch["bottom"])
            yield number, ch["text"], (ch["x0"], ch["top"], ch["x1"], ch["bottom"]), (m[4], height - m[5])


def find_run(glyphs, start, text):
    """The index after and the glyphs of the first run from `start` that spells `text`."""
    wanted = "".join(text.split())
    for i in range(start, len(glyphs)):
        run, spelled, j = [], "", i
        while j < len(glyphs) and len(spelled) < len(wanted):
            g = glyphs[j]
            if g[1].strip():
                spelled += g[1]
                run.append(g)
            j += 1
        if spelled == wanted:
            return j, run
    return None, None


def anchor_point(label, run):
    """Where the label's anchor is on the page, from its glyphs (top-left origin)."""
    if not label["vertical"]:
        start, end = run[0][2][0], run[-1][2][2]
        along = {"start": start, "middle": (start + end) / 2, "end": end}[label["anchor"]]
        return along, run[0][3][1]
    # Turned anticlockwise: the text runs upwards, the baseline is at the glyphs' origin x.
    start, end = run[0][2][3], run[-1][2][1]
    along = {"start": start, "middle": (start + end) / 2, "end": end}[label["anchor"]]
    return run[0][3][0], along


def line_numbers(pdf):
    """The proof's line numbers: (page, side, baseline), side 0 = left margin, 1 = right.
    They are small digits outside the columns, set in their own runs."""
    numbers = []
    for number, page in enumerate(pdf.pages, start=1):
        width, height = float(page.width), float(page.height)
        words = page.extract_words(extra_attrs=["size"], keep_blank_chars=False)
        for w in words:
            if w["text"].isdigit() and float(w["size"]) < 7 and (w["x1"] < width * 0.2 or w["x0"] > width * 0.8):
                numbers.append((number, 0 if w["x0"] < width / 2 else 1, float(w["bottom"])))
    return numbers


def fit(pairs):
    """Least-squares scale s and offsets (ox, oy) with page = o + s * chart."""
    n = len(pairs)
    mx = sum(c[0] for c, _ in pairs) / n
    my = sum(c[1] for c, _ in pairs) / n
    px = sum(p[0] for _, p in pairs) / n
    py = sum(p[1] for _, p in pairs) / n
    num = sum((c[0] - mx) * (p[0] - px) + (c[1] - my) * (p[1] - py) for c, p in pairs)
    den = sum((c[0] - mx) ** 2 + (c[1] - my) ** 2 for c, _ in pairs)
    s = num / den
    return s, px - s * mx, py - s * my


def main():
    args = sys.argv[1:]
    proof = "--proof" in args
    args = [a for a in args if a != "--proof"]
    document = json.load(open(args[0], encoding="utf-8"))
    pdf = pdfplumber.open(args[1])
    glyphs = list(glyph_stream(pdf))
    numbers = line_numbers(pdf) if proof else []
    problems, checked, position, worst = [], 0, 0, 0.0
    for chart in charts_of(document["blocks"]):
        drawing = chart["drawing"]
        pairs = []
        for label in drawing["labels"]:
            after, run = find_run(glyphs, position, label["text"])
            if run is None:
                problems.append(f"{chart['anchor']}: label “{label['text']}” not found in the PDF")
                continue
            position = after
            pairs.append(((label["x"], label["y"]), anchor_point(label, run), label, run[0][0]))
        if len(pairs) < 3:
            problems.append(f"{chart['anchor']}: too few labels found to check ({len(pairs)})")
            continue
        s, ox, oy = fit([(c, p) for c, p, _, _ in pairs])
        if proof:
            # The chart's area on the page, from the fit: no line number may stand beside it.
            page = pairs[0][3]
            side = 0 if ox + s * drawing["width"] / 2 < float(pdf.pages[page - 1].width) / 2 else 1
            top, bottom = oy - 1, oy + s * drawing["height"] + 1
            beside = [n for n in numbers if n[0] == page and n[1] == side and top <= n[2] <= bottom]
            if beside:
                problems.append(f"{chart['anchor']}: {len(beside)} proof line number(s) beside the chart on page {page}")
        for (cx, cy), (x, y), label, _ in pairs:
            dx, dy = x - (ox + s * cx), y - (oy + s * cy)
            worst = max(worst, abs(dx), abs(dy))
            if max(abs(dx), abs(dy)) > TOLERANCE:
                problems.append(
                    f"{chart['anchor']}: “{label['text']}” ({label['anchor']}{', vertical' if label['vertical'] else ''}) "
                    f"is {dx:+.2f}, {dy:+.2f} pt from its place"
                )
            checked += 1
    print(f"{checked} chart labels checked, largest deviation {worst:.3f} pt")
    for problem in problems:
        print(problem)
    sys.exit(1 if problems or checked == 0 else 0)


if __name__ == "__main__":
    main()
