// Hài Lòng kiosk tablet: pairs with a counter, is pushed each dossier completed there (Server-Sent
// Events), asks the citizen, and keeps every rating on the device (IndexedDB, else localStorage)
// until the server has stored it. Each rating carries an idempotency key, so however often it is
// sent, it is stored once.
(() => {
  'use strict';

  const THANKS_FOR = 5000; // thank-you screen, then back to idle
  const DOSSIER_FOR = 10 * 60 * 1000; // an unrated dossier stays on screen this long
  const AUTO_SUBMIT_AFTER = 30000; // a chosen face counts even if the citizen walks away
  const MIN_BACKOFF = 1000;
  const MAX_BACKOFF = 30000;
  const PAIR_POLL = 2000;
  const TAP_GUARD = 400; // a tap this soon after the screen changed is the tail of a double tap
  const HEADERS = { 'X-Hailong-Kiosk': '1', 'Content-Type': 'application/json', Accept: 'application/json' };

  const $ = (id) => document.getElementById(id);
  const body = document.body;
  const lang = document.documentElement.lang === 'en' ? 'en' : 'vi';
  const msg = (name, value) => (body.dataset[name] || '').replace(/%[ds]/, String(value));

  // ---- The queue: ratings not yet stored by the server, oldest first. ----
  const queue = (() => {
    const LS_KEY = 'hailong-kiosk-queue';
    const local = {
      all: async () => { try { return JSON.parse(localStorage.getItem(LS_KEY) || '[]'); } catch { return []; } },
      save: (items) => localStorage.setItem(LS_KEY, JSON.stringify(items)),
      put: async (item) => local.save((await local.all()).filter((i) => i.idempotency_key !== item.idempotency_key).concat([item])),
      remove: async (key) => local.save((await local.all()).filter((i) => i.idempotency_key !== key)),
    };
    const idb = (db) => {
      const run = (mode, fn) => new Promise((resolve, reject) => {
        const tx = db.transaction('ratings', mode);
        const req = fn(tx.objectStore('ratings'));
        tx.oncomplete = () => resolve(req.result);
        tx.onerror = tx.onabort = () => reject(tx.error);
      });
      return {
        all: () => run('readonly', (s) => s.getAll()),
        put: (item) => run('readwrite', (s) => s.put(item)),
        remove: (key) => run('readwrite', (s) => s.delete(key)),
      };
    };
    const ready = new Promise((resolve) => {
      try {
        const req = indexedDB.open('hailong-kiosk', 1);
        req.onupgradeneeded = () => req.result.createObjectStore('ratings', { keyPath: 'idempotency_key' });
        req.onsuccess = () => resolve(idb(req.result));
        req.onerror = () => resolve(local);
      } catch {
        resolve(local);
      }
    });
    return {
      all: async () => ((await (await ready).all()) || []).sort((a, b) => a.queued_at - b.queued_at),
      put: async (item) => (await ready).put(item),
      remove: async (key) => (await ready).remove(key),
    };
  })();

  // ---- Network state and the banner. ----
  let online = navigator.onLine;
  let waiting = 0;
  // Ratings given on this page and not yet tried: their first send is live, judged by the
  // server's clock; any later send (a retry, or after a reload) is a replay from the queue,
  // whose own rated_at counts.
  const fresh = new Set();

  function renderNet() {
    const el = $('k-net');
    let text = '';
    if (!online) text = waiting > 0 ? msg('msgOffline', waiting) : msg('msgOfflineNone', 0);
    else if (waiting > 0) text = msg('msgSending', waiting);
    if (el.textContent !== text) el.textContent = text;
    el.dataset.waiting = String(waiting);
    el.classList.toggle('show', text !== '');
    el.classList.toggle('offline', !online);
  }

  function setOnline(value) {
    if (online === value) return;
    online = value;
    renderNet();
  }

  // ---- Sending the queue, with back-off. ----
  let backoff = MIN_BACKOFF;
  let retryTimer = 0;
  let flushing = false;
  let flushAgain = false;

  async function flush() {
    if (flushing) { flushAgain = true; return; }
    flushing = true;
    clearTimeout(retryTimer);
    retryTimer = 0;
    try {
      const items = await queue.all();
      waiting = items.length;
      renderNet();
      for (const item of items) {
        const outcome = await send(item);
        if (outcome === 'retry') { scheduleRetry(); return; }
        if (outcome === 'stop') return;
        await queue.remove(item.idempotency_key);
        waiting = Math.max(0, waiting - 1);
        renderNet();
        settled(item, outcome);
      }
      backoff = MIN_BACKOFF;
    } finally {
      flushing = false;
      if (flushAgain) { flushAgain = false; flush(); }
    }
  }

  function scheduleRetry() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(flush, backoff);
    backoff = Math.min(backoff * 2, MAX_BACKOFF);
  }

  // send posts one rating: 'stored', 'rated' (the dossier has another rating), 'refused'
  // (never acceptable), 'retry' (network or server trouble) or 'stop' (tablet revoked).
  async function send(item) {
    const payload = {
      // A rating queued before the upgrade to references carries the survey token instead:
      // the server takes it for a day after the rating (kiosk.LegacyTokenWindow).
      ref: item.ref, token: item.ref ? undefined : item.token, answers: item.answers, comment: item.comment,
      idempotency_key: item.idempotency_key, rated_at: item.rated_at, lang: item.lang,
      replayed: !fresh.delete(item.idempotency_key),
    };
    let res;
    try {
      res = await fetch('/api/v1/kiosk/responses', {
        method: 'POST', headers: HEADERS, body: JSON.stringify(payload), credentials: 'same-origin', cache: 'no-store',
      });
    } catch {
      setOnline(false);
      return 'retry';
    }
    setOnline(true);
    if (res.status === 200 || res.status === 201) return 'stored';
    if (res.status === 409) return 'rated';
    if (res.status === 401) { status(); return 'stop'; }
    if (res.status === 429 || res.status >= 500) return 'retry';
    return 'refused';
  }

  // settled tells the citizen still on the thank-you screen that the dossier had been rated.
  function settled(item, outcome) {
    if (outcome === 'rated' && screen === 'thanks' && thanksKey === item.idempotency_key) {
      $('thanks-body').textContent = msg('msgRated', '');
    }
  }

  // ---- Screens. ----
  let screen = 'loading';
  let shownAt = 0;
  const timers = {};

  // steady reports whether the screen has been up long enough for a tap to be meant for it: the
  // second tap of a double tap on a face must not pick a reason or send the rating.
  const steady = () => Date.now() - shownAt >= TAP_GUARD;

  function show(name, focus) {
    for (const s of document.querySelectorAll('section[data-screen]')) s.hidden = s.dataset.screen !== name;
    screen = name;
    shownAt = Date.now();
    body.dataset.view = name;
    if (focus) $(focus).focus({ preventScroll: true });
  }

  function timer(name, ms, fn) {
    clearTimeout(timers[name]);
    timers[name] = ms > 0 ? setTimeout(fn, ms) : 0;
  }

  // ---- Pairing and status. ----
  let es = null;
  let statusTimer = 0;

  function later(fn, ms) {
    clearTimeout(statusTimer);
    statusTimer = setTimeout(fn, ms);
  }

  async function status() {
    let res;
    try {
      res = await fetch('/api/v1/kiosk/status', { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } });
    } catch {
      setOnline(false);
      later(status, 3000);
      return;
    }
    setOnline(true);
    const data = await res.json().catch(() => ({}));
    if (res.status === 401 && data.state === 'revoked') return revoked(data.error && data.error.message);
    if (res.status === 401) return pair();
    if (!res.ok) return later(status, 5000);
    apply(data);
  }

  async function pair() {
    let res;
    try {
      res = await fetch('/api/v1/kiosk/pair', { method: 'POST', headers: HEADERS, credentials: 'same-origin', cache: 'no-store' });
    } catch {
      setOnline(false);
      later(pair, 3000);
      return;
    }
    setOnline(true);
    if (!res.ok) return later(status, 5000);
    apply(await res.json());
  }

  function apply(state) {
    if (state.state === 'paired') {
      // The office and the counter by name, never the device's name or a raw code.
      $('k-counter').textContent = [state.agency_name, state.counter_name].filter(Boolean).join(' · ');
      freeRatings = state.free_ratings === true;
      connect();
      if (screen === 'loading' || screen === 'pair' || screen === 'revoked') idle();
      flush();
      return;
    }
    if (state.expired) { pair(); return; }
    $('pair-code').textContent = state.pairing_code || '';
    if (screen !== 'pair') show('pair', 'pair-h');
    later(status, PAIR_POLL);
  }

  function revoked(message) {
    if (es) { es.close(); es = null; }
    body.dataset.stream = 'closed';
    dossier = null;
    pending = null;
    $('k-counter').textContent = '';
    $('revoked-msg').textContent = message || '';
    show('revoked', 'revoked-h');
  }

  // ---- The push stream. ----
  let downTimer = 0;

  function connect() {
    if (es) return;
    es = new EventSource('/api/v1/kiosk/events');
    body.dataset.stream = 'connecting';
    es.addEventListener('open', () => {
      body.dataset.stream = 'open';
      clearTimeout(downTimer);
      setOnline(true);
      flush();
    });
    es.addEventListener('dossier', (e) => onDossier(JSON.parse(e.data)));
    es.addEventListener('revoked', () => { es.close(); es = null; body.dataset.stream = 'closed'; status(); });
    es.addEventListener('error', () => {
      body.dataset.stream = 'connecting';
      if (es && es.readyState === EventSource.CLOSED) { // refused: the status says why
        body.dataset.stream = 'closed';
        es = null;
        later(status, 2000);
        return;
      }
      clearTimeout(downTimer); // the browser reconnects by itself; say so if it takes a while
      downTimer = setTimeout(() => { if (!es || es.readyState !== EventSource.OPEN) setOnline(false); }, 3000);
    });
  }

  // ---- Rating. ----
  let dossier = null; // the dossier on screen, or null when idle
  let pending = null; // a dossier that arrived while the previous citizen was still rating
  let rating = 0;
  let thanksKey = '';
  const rated = new Set();
  const faces = [...document.querySelectorAll('.face')];
  const chips = [...document.querySelectorAll('.chip')];
  const commentBox = $('k-comment');

  let freeRatings = false;

  function idle() {
    dossier = null;
    showRate();
  }

  function showRate() {
    // Without a dossier the faces only show when an admin allows ratings without one.
    $('s-rate').dataset.mode = dossier ? 'dossier' : (freeRatings ? 'idle' : 'wait');
    if (dossier) {
      $('d-code').textContent = dossier.dossier_code || '';
      $('d-proc').textContent = dossier.procedure_name || '';
      $('d-proc-row').hidden = !dossier.procedure_name;
    }
    rating = 0;
    show('rate', 'rate-h');
    timer('dossier', dossier ? DOSSIER_FOR : 0, idle);
    timer('auto', 0);
  }

  function onDossier(ev) {
    if (!ev.ref || rated.has(ev.ref) || (dossier && dossier.ref === ev.ref)) return;
    if (screen === 'details' || screen === 'thanks') { pending = ev; return; }
    if (screen !== 'rate') return;
    dossier = ev;
    showRate();
  }

  // onFace stores a 4 or 5 with the one tap; a 1, 2 or 3 asks for the reasons first.
  function onFace(e) {
    if (screen !== 'rate' || !steady()) return;
    const face = e.currentTarget;
    clearChoice();
    rating = Number(face.dataset.rating);
    if (rating >= 4) { submit(); return; }
    $('chosen').textContent = msg('msgChosen', face.querySelector('.flabel').textContent);
    show('details', 'chosen');
    armAutoSubmit();
  }

  // clearChoice forgets what the last citizen chose, so the next one never sees it.
  function clearChoice() {
    rating = 0;
    $('chosen').textContent = '';
    for (const c of chips) c.setAttribute('aria-pressed', 'false');
    if (commentBox) commentBox.value = '';
  }

  function armAutoSubmit() {
    timer('auto', AUTO_SUBMIT_AFTER, submit);
  }

  function onChip(e) {
    if (!steady()) return;
    const chip = e.currentTarget;
    chip.setAttribute('aria-pressed', String(chip.getAttribute('aria-pressed') !== 'true'));
    armAutoSubmit();
  }

  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  async function submit() {
    if ((screen !== 'details' && screen !== 'rate') || !rating) return;
    const item = {
      idempotency_key: uuid(),
      ref: dossier ? dossier.ref : '',
      answers: { overall: rating },
      comment: commentBox ? commentBox.value.trim() : '',
      rated_at: new Date().toISOString(),
      lang,
      queued_at: Date.now(),
    };
    const reasons = chips.filter((c) => c.getAttribute('aria-pressed') === 'true').map((c) => c.dataset.value);
    if (rating <= 3 && reasons.length > 0) item.answers.reasons = reasons;
    if (dossier) rated.add(dossier.ref);
    clearChoice();
    timer('auto', 0);
    timer('dossier', 0);
    thanksKey = item.idempotency_key;
    fresh.add(item.idempotency_key);
    $('thanks-body').textContent = $('thanks-body').dataset.default;
    show('thanks', 'thanks-h');
    timer('thanks', THANKS_FOR, afterThanks);
    try {
      await queue.put(item); // kept on the device before anything is sent
    } catch {
      await send(item); // storage refused (private mode, full): send it straight away
      return;
    }
    flush();
  }

  // afterThanks goes back to idle (or to the dossier that came meanwhile), in Vietnamese: a
  // tablet left in English by one citizen reloads in Vietnamese for the next.
  function afterThanks() {
    clearChoice();
    if (lang !== 'vi' && !pending) {
      location.replace('/kiosk');
      return;
    }
    if (pending && !rated.has(pending.ref)) {
      dossier = pending;
      pending = null;
      showRate();
      return;
    }
    pending = null;
    idle();
  }

  // ---- Wiring. ----
  for (const f of faces) f.addEventListener('click', onFace);
  for (const c of chips) c.addEventListener('click', onChip);
  if (commentBox) commentBox.addEventListener('input', armAutoSubmit);
  $('k-submit').addEventListener('click', () => { if (steady()) submit(); });
  $('k-back').addEventListener('click', () => { if (steady()) { timer('auto', 0); showRate(); } });
  $('pair-again').addEventListener('click', pair);
  window.addEventListener('online', () => { setOnline(true); backoff = MIN_BACKOFF; flush(); });
  window.addEventListener('offline', () => setOnline(false));

  // Ratings still queued from before a reload count as given: their dossiers are not asked again.
  renderNet();
  queue.all().catch(() => []).then((items) => {
    for (const item of items) if (item.ref) rated.add(item.ref);
    waiting = items.length;
    renderNet();
    status();
  });
})();
