/* 上岗/下岗 and the patrol track. While on duty, the page records the phone's position every `interval` seconds
 * (the server says how often) into the same on-phone outbox database as reports (IndexedDB `xiuhua-phone`, store
 * `patrol`), then posts what waits, in order: 上岗, positions in batches of up to 500, 下岗. Without network
 * everything waits and is sent when the network returns (the `online` event, the next tick, or the next page).
 * The server stores a position once per inspector and recorded second, so a batch sent twice is harmless.
 *
 * Recording runs while a page of the phone app is open (a web page gets no position in the background).
 */
(function () {
  'use strict';
  const bar = document.getElementById('m-duty');
  if (!bar || !window.indexedDB || !window.XPhoneDb) return;  // the database is opened by m-queue.js
  const STORE = 'patrol', BATCH = 500;
  const t = bar.dataset, user = t.user, api = t.api;
  const stateKey = 'xiuhua-duty:' + user;
  let interval = Number(t.interval) * 1000;  // the server's setting, rendered into the page
  let timer = null, flushing = null, changes = 0;

  function withStore(mode, work) { return window.XPhoneDb.inStore(STORE, mode, work); }

  async function waiting() {
    const items = await withStore('readonly', function (store) { return store.getAll(); });
    return items.filter(function (i) { return i.user === user; })
      .sort(function (a, b) { return a.seq - b.seq; });
  }

  function put(item) {
    item.user = user;
    item.seq = Date.now() + Math.random() / 10;
    return withStore('readwrite', function (store) { return store.put(item); });
  }

  function drop(keys) {
    return withStore('readwrite', function (store) { keys.forEach(function (k) { store.delete(k); }); });
  }

  function state() {
    try { return JSON.parse(localStorage.getItem(stateKey) || 'null'); } catch (e) { return null; }
  }

  function csrfToken() {
    const cookie = document.cookie.split('; ').find(function (c) { return c.startsWith('csrftoken='); });
    if (cookie) return cookie.slice('csrftoken='.length);
    const meta = document.querySelector('meta[name=csrf-token]');
    return meta ? meta.content : '';
  }

  async function show() {
    const duty = state();
    bar.classList.toggle('on-duty', !!duty);
    bar.querySelector('[data-testid=duty-start]').hidden = !!duty;
    bar.querySelector('[data-testid=duty-end]').hidden = !duty;
    const since = duty ? new Date(duty.since) : null;
    bar.querySelector('[data-testid=duty-state]').textContent = duty
      ? t.onText + ' ' + since.toLocaleTimeString('zh-CN', {hour: '2-digit', minute: '2-digit'}) : t.offText;
    let items = [];
    try { items = await waiting(); } catch (e) { /* no IndexedDB */ }
    const points = items.filter(function (i) { return i.kind === 'point'; }).length;
    const badge = bar.querySelector('[data-testid=duty-waiting]');
    badge.hidden = points === 0;
    badge.dataset.count = points;
    badge.textContent = points + ' ' + t.waitingText;
  }

  /* One post; 'later' keeps the items for the next try, anything else ends their journey. */
  async function post(path, body) {
    let response;
    try {
      response = await fetch(api + path, {
        method: 'POST', credentials: 'same-origin', body: JSON.stringify(body),
        headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrfToken(), 'Accept': 'application/json'},
      });
    } catch (e) {
      return 'later';
    }
    if (response.ok) return 'sent';
    return response.status >= 500 || [401, 403, 408, 429].includes(response.status) ? 'later' : 'refused';
  }

  async function flushOnce() {
    let items = await waiting();
    while (items.length) {
      let batch = [items[0]], path, body;
      if (items[0].kind === 'point') {
        batch = [];
        for (const item of items) { if (item.kind !== 'point' || batch.length >= BATCH) break; batch.push(item); }
        path = 'points';
        body = {points: batch.map(function (i) { return i.body; })};
      } else {
        path = items[0].kind === 'start' ? 'shifts/start' : 'shifts/end';
        body = items[0].body;
      }
      if (await post(path, body) === 'later') break;
      await drop(batch.map(function (i) { return i.key; }));
      items = items.slice(batch.length);
    }
    await show();
  }

  function flush() {
    flushing = (flushing || Promise.resolve()).then(flushOnce, flushOnce);
    return flushing;
  }

  function record() {
    navigator.geolocation.getCurrentPosition(async function (position) {
      if (!state()) return;
      // The time of the reading, not position.timestamp: a fix re-used within maximumAge keeps its old stamp.
      const at = new Date();
      at.setMilliseconds(0);
      const body = {recorded_at: at.toISOString(), lng: position.coords.longitude, lat: position.coords.latitude,
        accuracy: position.coords.accuracy};
      await put({key: 'p-' + body.recorded_at, kind: 'point', body: body});
      if (navigator.onLine) flush(); else show();
    }, function () {
      bar.querySelector('[data-testid=duty-state]').textContent = t.noPositionText;
    }, {enableHighAccuracy: true, maximumAge: interval / 2, timeout: interval});
  }

  function startRecording() {
    if (timer || !navigator.geolocation) return;
    record();
    timer = setInterval(record, interval);
  }

  function stopRecording() {
    clearInterval(timer);
    timer = null;
  }

  async function goOnDuty() {
    changes += 1;
    const since = new Date();
    since.setMilliseconds(0);
    localStorage.setItem(stateKey, JSON.stringify({since: since.toISOString()}));
    await put({key: 's-' + since.toISOString(), kind: 'start', body: {started_at: since.toISOString()}});
    startRecording();
    flush();
  }

  async function goOffDuty() {
    changes += 1;
    stopRecording();
    const until = new Date();
    until.setMilliseconds(0);
    localStorage.removeItem(stateKey);
    await put({key: 'e-' + until.toISOString(), kind: 'end', body: {ended_at: until.toISOString()}});
    flush();
  }

  /* The server's word, when nothing of ours waits to change it: a shift closed for silence, or begun elsewhere. */
  async function sync() {
    const before = changes;
    if ((await waiting()).some(function (i) { return i.kind !== 'point'; })) return;
    let answer;
    try {
      const response = await fetch(api + 'me', {credentials: 'same-origin', headers: {'Accept': 'application/json'}});
      if (!response.ok) return;
      answer = await response.json();
    } catch (e) {
      return;
    }
    const newInterval = interval !== answer.interval_seconds * 1000;
    interval = answer.interval_seconds * 1000;
    if (changes !== before) {  // 上岗 or 下岗 was tapped meanwhile: the phone's word is newer
      if (newInterval && timer) { stopRecording(); startRecording(); }
      return;
    }
    if (answer.on_duty) localStorage.setItem(stateKey, JSON.stringify({since: answer.shift.started_at}));
    else localStorage.removeItem(stateKey);
    stopRecording();
    if (state()) startRecording();
    show();
  }

  bar.querySelector('[data-testid=duty-start]').addEventListener('click', goOnDuty);
  bar.querySelector('[data-testid=duty-end]').addEventListener('click', goOffDuty);
  window.addEventListener('online', flush);
  show();
  if (state()) startRecording();
  if (navigator.onLine) flush().then(sync);
  window.XPatrol = {flush: flush, waiting: waiting};
})();
