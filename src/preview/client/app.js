// reportpress preview, in the browser: shows the pages the server laid out, replaces only
// the pages whose frame hash changed (so the scroll position stays), shows a failed build's
// errors over the last good pages, asks the server where a clicked character was written,
// and scrolls to ?at=FILE:LINE. Written by hand, no build step; served from the server's
// token address, so every address here is relative.
'use strict';
(() => {
  const pagesEl = document.getElementById('pages');
  const statusEl = document.getElementById('status');
  const placeEl = document.getElementById('place');
  const errorEl = document.getElementById('error');
  const shown = []; // per page: { fig, img, hash, width, height }
  let editor = false;
  let wantAt = new URLSearchParams(location.search).get('at');

  function addPage(index) {
    const fig = document.createElement('div');
    fig.className = 'page';
    fig.dataset.index = String(index);
    const number = document.createElement('span');
    number.className = 'number';
    number.textContent = String(index + 1);
    const img = document.createElement('img');
    img.loading = 'lazy';
    img.decoding = 'async';
    img.draggable = false;
    img.alt = 'page ' + (index + 1);
    img.addEventListener('load', () => { fig.dataset.shown = fig.dataset.hash; });
    fig.append(number, img);
    fig.addEventListener('click', (event) => clicked(index, event));
    pagesEl.append(fig);
    return { fig, img, hash: null, width: 0, height: 0 };
  }

  function apply(state) {
    editor = state.editor;
    state.pages.forEach((page, index) => {
      const entry = shown[index] || (shown[index] = addPage(index));
      if (entry.width !== page.width || entry.height !== page.height) {
        // 1 pt = 4/3 CSS px; the box keeps the page's shape before the picture arrives.
        entry.fig.style.width = 'min(100%, ' + (page.width * 4 / 3).toFixed(1) + 'px)';
        entry.fig.style.aspectRatio = page.width + ' / ' + page.height;
        entry.width = page.width;
        entry.height = page.height;
      }
      if (entry.hash !== page.hash) {
        entry.hash = page.hash;
        entry.fig.dataset.hash = page.hash;
        entry.img.src = 'page/' + index + '/' + page.hash + '.svg';
      }
    });
    while (shown.length > state.pages.length) shown.pop().fig.remove();
    errorEl.hidden = !state.error;
    errorEl.querySelector('pre').textContent = state.error || '';
    statusEl.className = state.building ? 'building' : state.error ? 'failed' : '';
    statusEl.textContent = state.building ? 'building…'
      : state.error ? 'build failed: the last good pages are shown'
      : state.pages.length + ' pages';
    document.body.dataset.generation = String(state.generation);
    if (wantAt && state.pages.length) {
      const at = wantAt;
      wantAt = null;
      locate(at);
    }
  }

  function describe(place) {
    placeEl.replaceChildren();
    placeEl.removeAttribute('data-file');
    placeEl.removeAttribute('data-cell');
    if (!place) {
      placeEl.textContent = 'no text here';
      return;
    }
    if (!place.file) {
      placeEl.textContent = '«' + place.text + '» is printed by the design, not written in the manuscript';
      return;
    }
    const where = place.file + ':' + place.line + ':' + place.column;
    placeEl.dataset.file = where;
    placeEl.append('«' + place.text + '» ' + where);
    if (place.data) {
      const cell = place.data.file + ':' + place.data.line + ' (' + place.data.reference + ')';
      placeEl.dataset.cell = cell;
      const span = document.createElement('span');
      span.className = 'data';
      span.textContent = ' · data ' + cell;
      placeEl.append(span);
    }
    if (place.editor_error) placeEl.append(' · ' + place.editor_error);
  }

  async function clicked(index, event) {
    const entry = shown[index];
    const box = entry.fig.getBoundingClientRect();
    const x = (event.clientX - box.left) / box.width * entry.width;
    const y = (event.clientY - box.top) / box.height * entry.height;
    let mark = entry.fig.querySelector('.mark');
    if (!mark) {
      document.querySelectorAll('.mark').forEach((m) => m.remove());
      mark = document.createElement('span');
      mark.className = 'mark';
      entry.fig.append(mark);
    }
    mark.style.left = (x / entry.width * 100) + '%';
    mark.style.top = (y / entry.height * 100) + '%';
    const query = new URLSearchParams({ page: String(index), x: x.toFixed(2), y: y.toFixed(2) });
    if (editor) query.set('open', '1');
    try {
      const answer = await fetch('source?' + query);
      if (!answer.ok) throw new Error(await answer.text());
      describe(await answer.json());
    } catch (error) {
      placeEl.textContent = String(error.message || error);
    }
  }

  async function locate(at) {
    const answer = await fetch('locate?' + new URLSearchParams({ at }));
    if (!answer.ok) {
      placeEl.textContent = at + ': ' + (await answer.text());
      return;
    }
    const spot = await answer.json();
    const entry = shown[spot.page];
    if (!entry) return;
    document.querySelectorAll('.page.target').forEach((p) => p.classList.remove('target'));
    entry.fig.classList.add('target');
    const top = entry.fig.getBoundingClientRect().top + window.scrollY + spot.y / entry.height * entry.fig.offsetHeight;
    window.scrollTo({ top: Math.max(0, top - 80) });
    placeEl.textContent = at + ' is on page ' + (spot.page + 1);
    document.body.dataset.located = String(spot.page);
  }

  const events = new EventSource('events');
  events.addEventListener('state', (event) => apply(JSON.parse(event.data)));
  events.addEventListener('error', () => {
    statusEl.className = 'failed';
    statusEl.textContent = 'not connected: is reportpress preview still running?';
  });
})();
