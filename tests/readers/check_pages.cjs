// Opens every XHTML document of an unpacked EPUB (content documents, the navigation and the
// cover) in headless Chromium as a phone or tablet would show it, in a day and a night
// theme, and reports what a reader would meet:
// - a table wider than the screen outside a scrolling block, or a page wider than the screen;
// - a table that scrolls sideways, its caption cut at the screen's edge;
// - text (body, sidebars, captions, links) with contrast under 4.5:1 against what is behind it;
// - table rules that vanish (contrast under 3:1);
// - a table's notes (注, 资料来源) not starting at the table's left edge;
// - text drawn in a font the book does not embed (a glyph missing from a subset falls back
//   to a system font: Chromium's own record of the fonts used, per element with text; the
//   navigation's hidden lists are shown for this check, as reading systems show them);
// - chart text smaller than 11 CSS px, chart data (bars, slices, lines, points) under 3:1
//   against the page, and gridlines that cross a chart's text;
// and, for the caller to judge against its word cuts, how every table cell's text is broken
// into lines on the phone and tablet screens.
// The night theme is what reading systems do: a dark page and light text, and
// `prefers-color-scheme: dark`. Prints JSON `{ problems: [...], cells: [...] }`; exit 0 when
// it could check.
//
// Usage: node check_pages.cjs DIR_OF_XHTML_FILES   (PUPPETEER_EXECUTABLE_PATH: Chromium)
const fs = require('fs');
const path = require('path');
const puppeteer = require('puppeteer-core');

const dir = process.argv[2];
const widths = [360, 412, 820];
// Where table cells' lines are recorded (the widths the issue names: phones).
const lineWidths = [360, 412];
const themes = {
  light: { scheme: 'light', css: '' },
  dark: { scheme: 'dark', css: 'html { background: #121212 !important; color: #e6e6e6 !important; }' },
};

(async () => {
  const browser = await puppeteer.launch({
    executablePath: process.env.PUPPETEER_EXECUTABLE_PATH || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const problems = [];
  const cells = [];
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.xhtml')).sort();
  const page = await browser.newPage();
  for (const file of files) {
    for (const width of widths) {
      for (const [theme, settings] of Object.entries(themes)) {
        await page.setViewport({ width, height: 800 });
        await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: settings.scheme }]);
        await page.goto('file://' + path.resolve(dir, file), { waitUntil: 'load' });
        await page.evaluate(() => document.fonts.ready);
        if (settings.css) await page.addStyleTag({ content: settings.css });
        const found = await page.evaluate((width, recordLines) => {
          const out = [];
          const lines = [];
          const parse = (c) => {
            const m = c.match(/rgba?\(([^)]+)\)/);
            if (!m) return [0, 0, 0, 0];
            const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
            return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
          };
          const over = (top, bottom) => {
            const a = top[3];
            return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat([1]);
          };
          // What is painted behind an element: its and its ancestors' backgrounds, composed.
          const behind = (el) => {
            const layers = [];
            for (let e = el; e; e = e.parentElement) layers.push(parse(getComputedStyle(e).backgroundColor));
            let colour = [255, 255, 255, 1];
            for (const layer of layers.reverse()) colour = over(layer, colour);
            return colour;
          };
          const lum = (c) => {
            const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
            return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
          };
          const contrast = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
          const round = (x) => Math.round(x * 100) / 100;
          const name = (el) => el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '');
          const root = document.documentElement;
          if (root.scrollWidth > width + 1) out.push({ kind: 'page wider than the screen', width: root.scrollWidth });
          for (const table of document.querySelectorAll('table')) {
            const box = table.getBoundingClientRect();
            const block = table.closest('.table-block');
            if (box.width > width + 1) {
              const style = block && getComputedStyle(block);
              const scrolls = style && (style.overflowX === 'auto' || style.overflowX === 'scroll') && block.getBoundingClientRect().width <= width + 1;
              if (!scrolls) out.push({ kind: 'table wider than the screen outside a scrolling block', id: table.id, width: box.width });
            }
            if (block) {
              // A table that scrolls sideways hides its columns and the end of its caption.
              const caption = table.querySelector('caption');
              const shown = block.getBoundingClientRect();
              if (block.scrollWidth > block.clientWidth + 1 && caption && caption.getBoundingClientRect().right > shown.right + 1) {
                out.push({ kind: 'table scrolls sideways with its caption cut', id: table.id, width: Math.round(box.width) });
              }
              for (const note of block.querySelectorAll('.table-source')) {
                const left = note.getBoundingClientRect().left;
                if (Math.abs(left - box.left) > 1) out.push({ kind: 'table note not aligned with its table', id: table.id, note: Math.round(left), table: Math.round(box.left) });
              }
            }
          }
          for (const el of document.querySelectorAll('p, li, figcaption, caption, th, td, a, h1, h2, h3, .sidebar-title, summary')) {
            if (!el.textContent.trim() || el.getClientRects().length === 0) continue;
            const ratio = contrast(parse(getComputedStyle(el).color), behind(el));
            if (ratio < 4.5) out.push({ kind: 'text contrast under 4.5:1', element: name(el), text: el.textContent.trim().slice(0, 20), ratio: round(ratio) });
          }
          for (const table of document.querySelectorAll('table.three-line')) {
            const style = getComputedStyle(table);
            const ratio = contrast(parse(style.borderTopColor), behind(table));
            if (ratio < 3) out.push({ kind: 'table rule contrast under 3:1', id: table.id, ratio: round(ratio) });
          }
          // Charts: text size on the screen, data against the page, gridlines clear of text.
          for (const svg of document.querySelectorAll('figure svg')) {
            const ground = behind(svg.parentElement);
            const texts = [...svg.querySelectorAll('text')].filter((t) => t.textContent.trim());
            for (const text of texts) {
              const px = parseFloat(getComputedStyle(text).fontSize) * text.getScreenCTM().a;
              if (width === 360 && px < 11 - 0.01) out.push({ kind: 'chart text under 11 px', text: text.textContent.slice(0, 20), px: round(px) });
            }
            for (const mark of svg.querySelectorAll('[id*="bar-s"], [id*="slice-"], [id*="point-s"], [id*="line-s"]')) {
              const style = getComputedStyle(mark);
              const paint = mark.tagName === 'path' && style.fill === 'none' ? style.stroke : style.fill;
              if (!paint.startsWith('rgb')) continue; // a hatch pattern: its ink is checked where it is defined
              const ratio = contrast(parse(paint), ground);
              if (ratio < 3) out.push({ kind: 'chart data contrast under 3:1', id: mark.id, colour: paint, ratio: round(ratio) });
            }
            for (const ink of svg.querySelectorAll('pattern rect:not(:first-child), pattern circle')) {
              const ratio = contrast(parse(getComputedStyle(ink).fill), ground);
              if (ratio < 3) out.push({ kind: 'chart data contrast under 3:1', id: ink.closest('pattern').id, ratio: round(ratio) });
            }
            const boxes = texts.map((t) => t.getBoundingClientRect());
            for (const grid of svg.querySelectorAll('line[id*="grid-"]')) {
              const style = getComputedStyle(grid);
              if (style.visibility === 'hidden' || parseFloat(style.strokeOpacity) === 0) continue;
              const g = grid.getBoundingClientRect();
              boxes.forEach((b, i) => {
                // Shrunk by a pixel: the glyphs do not fill their box to its edges.
                const crosses = g.left < b.right - 1 && g.right > b.left + 1 && g.top < b.bottom - 1 && g.bottom > b.top + 1;
                if (crosses) out.push({ kind: 'gridline crosses chart text', id: grid.id, text: texts[i].textContent.slice(0, 20) });
              });
            }
          }
          // How each table cell's text is broken into lines: one record per run of text (the
          // cell without its reflow label, and the label), its lines as drawn.
          if (recordLines) {
            const linesOf = (nodes) => {
              const found = [];
              let top = null;
              for (const node of nodes) {
                const chars = [...node.data];
                let offset = 0;
                for (const ch of chars) {
                  const range = document.createRange();
                  range.setStart(node, offset);
                  range.setEnd(node, offset + ch.length);
                  offset += ch.length;
                  const rects = range.getClientRects();
                  if (!rects.length) continue;
                  const r = rects[0];
                  if (top === null || r.top > top + r.height / 2) { found.push(''); top = r.top; }
                  found[found.length - 1] += ch;
                }
              }
              return found;
            };
            const textNodes = (el, skip) => {
              const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
              const nodes = [];
              for (let n = walker.nextNode(); n; n = walker.nextNode()) if (!(skip && n.parentElement.closest(skip))) nodes.push(n);
              return nodes;
            };
            // Out of sight: a reflowed table's column headings, kept for screen readers.
            const clipped = (el) => {
              for (let e = el; e && e.tagName.toLowerCase() !== 'table'; e = e.parentElement) {
                const style = getComputedStyle(e);
                if (style.clipPath !== 'none' || (style.overflow === 'hidden' && e.getBoundingClientRect().width <= 1)) return true;
              }
              return false;
            };
            for (const cell of document.querySelectorAll('table th, table td, table .caption-text')) {
              if (cell.getClientRects().length === 0 || cell.closest('details:not([open])') || clipped(cell)) continue;
              const runs = [linesOf(textNodes(cell, '.cell-label'))];
              for (const label of cell.querySelectorAll('.cell-label')) if (label.getClientRects().length) runs.push(linesOf(textNodes(label)));
              for (const run of runs) if (run.length > 1) lines.push({ element: name(cell), lines: run });
            }
            for (const el of document.querySelectorAll('.subtitle')) {
              const run = linesOf(textNodes(el));
              if (run.length > 1) lines.push({ element: name(el), lines: run });
            }
          }
          return { out, lines };
        }, width, lineWidths.includes(width));
        for (const p of found.out) problems.push({ file, width, theme, ...p });
        if (theme === 'light') for (const c of found.lines) cells.push({ file, width, ...c });
        if (width === widths[0]) {
          // Everything with text is drawn, the navigation's hidden lists too.
          await page.addStyleTag({ content: '[hidden] { display: block !important; }' });
          await page.evaluate(() => {
            for (const el of document.querySelectorAll('body, body *')) {
              if ([...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.data.trim())) el.setAttribute('data-has-text', '');
            }
          });
          const client = await page.createCDPSession();
          await client.send('DOM.enable');
          await client.send('CSS.enable');
          const { root } = await client.send('DOM.getDocument', { depth: -1 });
          const { nodeIds } = await client.send('DOM.querySelectorAll', { nodeId: root.nodeId, selector: '[data-has-text]' });
          for (const nodeId of nodeIds) {
            const { fonts } = await client.send('CSS.getPlatformFontsForNode', { nodeId });
            const fallback = fonts.filter((f) => !f.isCustomFont && f.glyphCount > 0);
            if (fallback.length) {
              const { outerHTML } = await client.send('DOM.getOuterHTML', { nodeId });
              problems.push({ file, theme, kind: 'text in a font the book does not embed', fonts: fallback.map((f) => f.familyName), element: outerHTML.slice(0, 120) });
            }
          }
          await client.detach();
        }
      }
    }
  }
  await browser.close();
  console.log(JSON.stringify({ problems, cells }, null, 1));
})().catch((e) => { console.error(e); process.exit(2); });
