/* The inspector's outbox: every report is first stored in the browser (IndexedDB, photos as Blobs) with an
 * idempotency key made here, then posted. Without network it stays and is posted when the network returns (the
 * `online` event, or the next page load). The server stores one case per key, so a retry never makes a second.
 *
 * window.XQueue: enqueue(fields, files) → key; flush(); list(); remove(key); renderList(section).
 * Events on document: `xq:sent` {key, receipt}, `xq:refused` {key, message}, `xq:changed`.
 */
(function () {
  'use strict';
  const DB_NAME = 'xiuhua-phone', STORE = 'reports';
  const top = document.getElementById('m-top');
  const postUrl = top ? top.dataset.reportUrl : '/m/report/';
  // Reports belong to the inspector who wrote them: on a shared phone another login never sends them.
  const user = top ? top.dataset.user : '';
  let flushing = null;

  function openDb() {
    return new Promise(function (resolve, reject) {
      // Version 2 added the patrol outbox (m-patrol.js reaches it through window.XPhoneDb).
      const request = indexedDB.open(DB_NAME, 2);
      request.onupgradeneeded = function () {
        ['reports', 'patrol'].forEach(function (name) {
          if (!request.result.objectStoreNames.contains(name)) request.result.createObjectStore(name, {keyPath: 'key'});
        });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  // One transaction on one store of the phone's database; shared with m-patrol.js (window.XPhoneDb) so the
  // database's version and upgrade live in one place.
  async function inStore(name, mode, work) {
    const db = await openDb();
    return new Promise(function (resolve, reject) {
      const tx = db.transaction(name, mode);
      const request = work(tx.objectStore(name));
      tx.oncomplete = function () { db.close(); resolve(request ? request.result : undefined); };
      tx.onerror = function () { db.close(); reject(tx.error); };
    });
  }
  window.XPhoneDb = {inStore: inStore};
  function withStore(mode, work) { return inStore(STORE, mode, work); }

  const list = async function () {
    const items = await withStore('readonly', function (store) { return store.getAll(); });
    return items.filter(function (i) { return i.user === user; }).sort(function (a, b) { return a.createdAt - b.createdAt; });
  };
  const save = function (item) { return withStore('readwrite', function (store) { return store.put(item); }); };
  const remove = async function (key) {
    await withStore('readwrite', function (store) { return store.delete(key); });
    changed();
  };

  function newKey() {
    // crypto.getRandomValues works on plain http too (randomUUID needs a secure context).
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return 'm-' + Array.from(bytes, function (b) { return b.toString(16).padStart(2, '0'); }).join('');
  }

  function csrfToken() {
    // The cookie first: a page kept by the service worker may carry a token from before the last login.
    const cookie = document.cookie.split('; ').find(function (c) { return c.startsWith('csrftoken='); });
    if (cookie) return cookie.slice('csrftoken='.length);
    const meta = document.querySelector('meta[name=csrf-token]');
    return meta ? meta.content : '';
  }

  function emit(name, detail) { document.dispatchEvent(new CustomEvent(name, {detail: detail})); }

  async function changed() {
    let items = [];
    try { items = await list(); } catch (e) { /* private mode without IndexedDB: nothing stored */ }
    const badge = document.querySelector('[data-testid=pending]');
    if (badge) {
      badge.hidden = items.length === 0;
      badge.classList.toggle('has-refused', items.some(function (i) { return i.state === 'refused'; }));
      badge.querySelector('[data-testid=pending-count]').textContent = items.length;
    }
    emit('xq:changed', {items: items});
    return items;
  }

  /* files: {photos: [File], after_photos: [File]} */
  async function enqueue(fields, files) {
    const item = {key: newKey(), user: user, createdAt: Date.now(), fields: fields, files: [], state: 'waiting', message: ''};
    Object.keys(files).forEach(function (name) {
      files[name].forEach(function (file) {
        item.files.push({field: name, name: file.name || 'photo.jpg', blob: new Blob([file], {type: file.type})});
      });
    });
    await save(item);
    await changed();
    return item.key;
  }

  /* One post. 'sent' and 'refused' end the item's journey; 'later' keeps it for the next try. */
  async function send(item) {
    const body = new FormData();
    Object.keys(item.fields).forEach(function (name) { body.append(name, item.fields[name]); });
    item.files.forEach(function (f) { body.append(f.field, f.blob, f.name); });
    let response;
    try {
      response = await fetch(postUrl, {
        method: 'POST', body: body, credentials: 'same-origin',
        headers: {'Idempotency-Key': item.key, 'X-CSRFToken': csrfToken(), 'Accept': 'application/json'},
      });
    } catch (e) {
      return {state: 'later'};  // no network
    }
    let answer = {};
    try { answer = await response.json(); } catch (e) { /* an HTML error page from a proxy */ }
    if (response.ok) return {state: 'sent', receipt: answer};
    const retryable = response.status >= 500 || [401, 403, 408, 429].includes(response.status);
    return {state: retryable ? 'later' : 'refused', message: answer.detail || ('HTTP ' + response.status)};
  }

  async function flushOnce() {
    const items = (await list()).filter(function (i) { return i.state === 'waiting'; });
    for (const item of items) {
      const result = await send(item);
      if (result.state === 'sent') {
        await withStore('readwrite', function (store) { return store.delete(item.key); });
        emit('xq:sent', {key: item.key, receipt: result.receipt});
      } else if (result.state === 'refused') {
        item.state = 'refused';
        item.message = result.message;
        await save(item);
        emit('xq:refused', {key: item.key, message: result.message});
      } else {
        if (result.message) { item.message = result.message; await save(item); }
        break;  // offline or the server is busy: keep the order, try again later
      }
    }
    return changed();
  }

  function flush() {
    // One flush at a time: a second caller waits for the running one, then runs again for what came meanwhile.
    flushing = (flushing || Promise.resolve()).then(flushOnce, flushOnce);
    return flushing;
  }

  async function retry(key) {
    const item = (await list()).find(function (i) { return i.key === key; });
    if (item) { item.state = 'waiting'; item.message = ''; await save(item); }
    return flush();
  }

  function showOnline() {
    const badge = document.querySelector('[data-testid=offline]');
    if (badge) badge.hidden = navigator.onLine;
  }

  /* The "on this phone" list of the Me page: what waits, what was refused and why, with delete and retry. */
  function renderList(section) {
    const box = section.querySelector('[data-queue-list]');
    const t = section.dataset;
    document.addEventListener('xq:changed', function (e) {
      box.replaceChildren();
      if (!e.detail.items.length) {
        box.innerHTML = '<span class="m-muted"></span>';
        box.firstChild.textContent = t.emptyText;
        return;
      }
      e.detail.items.forEach(function (item) {
        const row = document.createElement('div');
        row.className = 'm-queue-item py-2';
        row.dataset.testid = 'queued-item';
        const photo = item.files.find(function (f) { return f.field === 'photos'; });
        const img = document.createElement('img');
        if (photo) img.src = URL.createObjectURL(photo.blob);
        const text = document.createElement('div');
        text.className = 'flex-grow-1 small';
        const when = new Date(item.createdAt).toLocaleString();
        const state = item.state === 'refused' ? t.refusedText + ': ' + item.message : t.waitingText;
        text.innerHTML = '<div class="fw-semibold"></div><div class="m-muted"></div><div></div>';
        text.children[0].textContent = item.fields.class_name || item.fields.class_code;
        text.children[1].textContent = when;
        text.children[2].textContent = state;
        text.children[2].className = item.state === 'refused' ? 'text-danger' : 'text-warning-emphasis';
        const del = document.createElement('button');
        del.type = 'button';
        del.className = 'btn btn-sm btn-outline-danger';
        del.textContent = t.deleteText;
        del.addEventListener('click', function () { remove(item.key); });
        row.append(img, text, del);
        box.appendChild(row);
      });
    });
    section.querySelector('[data-send-now]').addEventListener('click', async function () {
      for (const item of await list()) if (item.state === 'refused') { item.state = 'waiting'; await save(item); }
      flush();
    });
    changed();
  }

  window.XQueue = {enqueue: enqueue, flush: flush, list: list, remove: remove, retry: retry,
    renderList: renderList, newKey: newKey};

  // Logging out drops the pages the service worker kept, so the next person on this phone does not see them.
  // (Reports still waiting stay: they are sent when their author logs in again.)
  document.querySelectorAll('form[data-logout]').forEach(function (form) {
    form.addEventListener('submit', function (e) {
      if (!window.caches) return;
      e.preventDefault();
      caches.keys().then(function (names) {
        return Promise.all(names.filter(function (n) { return n.startsWith('xiuhua-phone-'); })
          .map(function (n) { return caches.delete(n); }));
      }).finally(function () { form.submit(); });
    });
  });

  window.addEventListener('online', function () { showOnline(); flush(); });
  window.addEventListener('offline', showOnline);
  showOnline();
  changed();
  if (navigator.onLine) flush();
  if ('serviceWorker' in navigator && top && top.dataset.serviceWorker) {
    navigator.serviceWorker.register(top.dataset.serviceWorker).catch(function () { /* plain http: no worker */ });
  }
  // A server that was busy (429/5xx) is tried again now and then while the page is open.
  setInterval(function () { if (navigator.onLine) flush(); }, 60000);
})();
