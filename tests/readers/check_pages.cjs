// Opens every content document of an unpacked EPUB in headless Chromium as a phone or
// tablet would show it, in a day and a night theme, and reports what a reader would meet:
// - a table wider than the screen outside a scrolling block, or a page wider than the screen;
// - text (body, sidebars, captions, links) with contrast under 4.5:1 against what is behind it;
// - table rules that vanish (contrast under 3:1);
// - text drawn in a font the book does not embed (a glyph missing from a subset falls back
//   to a system font: Chromium's own record of the fonts used, per element).
// The night theme is what reading systems do: a dark page and light text, and
// `prefers-color-scheme: dark`. Prints a JSON list of problems; exit 0 when it could check.
//
// Usage: node check_pages.cjs DIR_OF_XHTML_FILES   (PUPPETEER_EXECUTABLE_PATH: Chromium)
const fs = require('fs');
const path = require('path');
const puppeteer = require('puppeteer-core');

const dir = process.argv[2];
const widths = [360, 412, 820];
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
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.xhtml') && f !== 'nav.xhtml' && f !== 'cover.xhtml');
  const page = await browser.newPage();
  for (const file of files) {
    for (const width of widths) {
      for (const [theme, settings] of Object.entries(themes)) {
        await page.setViewport({ width, height: 800 });
        await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: settings.scheme }]);
        await page.goto('file://' + path.resolve(dir, file), { waitUntil: 'load' });
        if (settings.css) await page.addStyleTag({ content: settings.css });
        const found = await page.evaluate((width) => {
          const out = [];
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
          const name = (el) => el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '');
          const root = document.documentElement;
          if (root.scrollWidth > width + 1) out.push({ kind: 'page wider than the screen', width: root.scrollWidth });
          for (const table of document.querySelectorAll('table')) {
            const box = table.getBoundingClientRect();
            if (box.width <= width + 1) continue;
            const block = table.closest('.table-block');
            const style = block && getComputedStyle(block);
            const scrolls = style && (style.overflowX === 'auto' || style.overflowX === 'scroll') && block.getBoundingClientRect().width <= width + 1;
            if (!scrolls) out.push({ kind: 'table wider than the screen outside a scrolling block', id: table.id, width: box.width });
          }
          for (const el of document.querySelectorAll('p, li, figcaption, caption, th, td, a, h1, h2, h3, .sidebar-title, summary')) {
            if (!el.textContent.trim() || el.getClientRects().length === 0) continue;
            const ratio = contrast(parse(getComputedStyle(el).color), behind(el));
            if (ratio < 4.5) out.push({ kind: 'text contrast under 4.5:1', element: name(el), text: el.textContent.trim().slice(0, 20), ratio: Math.round(ratio * 100) / 100 });
          }
          for (const table of document.querySelectorAll('table.three-line')) {
            const style = getComputedStyle(table);
            const ratio = contrast(parse(style.borderTopColor), behind(table));
            if (ratio < 3) out.push({ kind: 'table rule contrast under 3:1', id: table.id, ratio: Math.round(ratio * 100) / 100 });
          }
          return out;
        }, width);
        for (const p of found) problems.push({ file, width, theme, ...p });
        if (width === widths[0]) {
          const client = await page.createCDPSession();
          await client.send('DOM.enable');
          await client.send('CSS.enable');
          const { root } = await client.send('DOM.getDocument', { depth: -1 });
          const { nodeIds } = await client.send('DOM.querySelectorAll', { nodeId: root.nodeId, selector: 'body p, body li, body h1, body h2, body h3, figcaption, caption, th, td, summary, svg text' });
          for (const nodeId of nodeIds) {
            const { fonts } = await client.send('CSS.getPlatformFontsForNode', { nodeId });
            const fallback = fonts.filter((f) => !f.isCustomFont && f.glyphCount > 0);
            if (fallback.length) {
              const { outerHTML } = await client.send('DOM.getOuterHTML', { nodeId });
              problems.push({ file, theme, kind: 'text in a font the book does not embed', fonts: fallback.map((f) => f.familyName), element: outerHTML.slice(0, 80) });
            }
          }
          await client.detach();
        }
      }
    }
  }
  await browser.close();
  console.log(JSON.stringify(problems, null, 1));
})().catch((e) => { console.error(e); process.exit(2); });
