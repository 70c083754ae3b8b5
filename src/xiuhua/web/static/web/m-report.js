/* The inspector's report in three taps: (1) the class, (2) the photo, (3) send — the phone's position is the
 * pin (drag it if needed) and the description starts as the class name. Sending goes through XQueue, so a
 * report made without network waits on the phone and is sent later under the same idempotency key.
 */
(function () {
  'use strict';
  const form = document.getElementById('m-report');
  const t = form.dataset;
  const mapOptions = JSON.parse(document.getElementById('map-options').textContent);
  const photoInput = form.querySelector('input[name=photos]');
  const afterInput = form.querySelector('input[name=after_photos]');
  const selfHandled = form.querySelector('input[name=self_handled]');
  const description = form.querySelector('textarea[name=description]');
  const error = form.querySelector('[data-error]');
  const MAX_BYTES = 9 * 1024 * 1024;  // the server takes 10 MB a file
  let chosen = null, pinMap = null, pending = null;

  function show(step) {
    form.querySelectorAll('[data-step]').forEach(function (s) { s.hidden = s.dataset.step !== String(step); });
    form.querySelectorAll('[data-bar]').forEach(function (bar) {
      bar.classList.toggle('done', step === 'done' || Number(bar.dataset.bar) <= Number(step));
    });
    window.scrollTo(0, 0);
    if (String(step) === '3') openMap();
  }

  function say(text) { error.textContent = text; error.hidden = !text; }

  function setPlace(text, ok) {
    const place = form.querySelector('[data-place]');
    if (text) place.textContent = text;
    else place.textContent = ok ? t.tOfflinePlace : t.tNoPosition;
    place.parentElement.classList.toggle('text-danger', !ok);
  }

  function openMap() {
    if (pinMap) { pinMap.refresh(); return; }
    pinMap = PinMap(document.getElementById('pin-map'), {
      centre: mapOptions.centre, tiles: mapOptions.tiles, base: mapOptions.base, gridsUrl: t.gridsUrl, whereUrl: t.whereUrl, onPlace: setPlace,
    });
    pinMap.locate();
  }

  /* Tap 1: a class from the frequent chips, the lists by major class, or a search over both. */
  form.addEventListener('click', function (e) {
    const button = e.target.closest('.m-class');
    if (button) {
      chosen = {code: button.dataset.code, kind: button.dataset.kind, name: button.dataset.name};
      form.querySelectorAll('.m-class.chosen').forEach(function (b) { b.classList.remove('chosen'); });
      button.classList.add('chosen');
      form.querySelectorAll('[data-chosen-name]').forEach(function (el) { el.textContent = chosen.name; });
      if (!description.value || description.dataset.auto === '1') {
        description.value = chosen.name;
        description.dataset.auto = '1';
      }
      show(photoInput.files.length ? 3 : 2);
      return;
    }
    const back = e.target.closest('[data-goto]');
    if (back) show(back.dataset.goto);
    if (e.target.closest('[data-locate]') && pinMap) pinMap.locate();
    if (e.target.closest('[data-again]')) window.location.reload();
  });
  description.addEventListener('input', function () { description.dataset.auto = '0'; });

  const search = document.getElementById('class-search');
  search.addEventListener('input', function () {
    const words = search.value.trim().toLowerCase();
    let any = false;
    form.querySelectorAll('[data-frequent]').forEach(function (el) { el.hidden = !!words; });
    form.querySelectorAll('.m-major').forEach(function (group) {
      let hits = 0;
      group.querySelectorAll('.m-class').forEach(function (b) {
        const hit = !words || b.dataset.search.toLowerCase().includes(words);
        b.hidden = !hit;
        hits += hit ? 1 : 0;
      });
      group.hidden = hits === 0;
      group.open = !!words && hits > 0;
      any = any || hits > 0;
    });
    form.querySelectorAll('[data-kind-title]').forEach(function (title) { title.hidden = !!words; });
    form.querySelector('[data-no-match]').hidden = any;
  });

  /* Tap 2: the camera. The photo is previewed on the confirm step. */
  photoInput.addEventListener('change', function () {
    if (!photoInput.files.length) return;
    previewPhotos(photoInput, form.querySelector('[data-preview=photos]'));
    show(3);
  });
  afterInput.addEventListener('change', function () {
    previewPhotos(afterInput, form.querySelector('[data-preview=after_photos]'));
  });
  selfHandled.addEventListener('change', function () { form.querySelector('[data-after]').hidden = !selfHandled.checked; });

  /* Phones take photos of 5–15 MB; only those over the server's limit are shrunk (the rest stay originals). */
  async function fitting(file) {
    if (file.size <= MAX_BYTES || !window.createImageBitmap) return file;
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, 2560 / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise(function (resolve) { canvas.toBlob(resolve, 'image/jpeg', 0.85); });
    return new File([blob], file.name.replace(/\.\w+$/, '') + '.jpg', {type: 'image/jpeg'});
  }

  /* Tap 3: send (through the phone's outbox). */
  form.addEventListener('submit', async function (e) {
    e.preventDefault();
    const where = pinMap ? pinMap.position() : {known: false};
    if (!chosen) return say(t.tNeedClass);
    if (!photoInput.files.length) return say(t.tNeedPhoto);
    if (!where.known) return say(t.tNeedPlace);
    if (selfHandled.checked && !afterInput.files.length) return say(t.tNeedAfter);
    say('');
    const submit = form.querySelector('[type=submit]');
    submit.disabled = true;
    const fields = {
      class_code: chosen.code, kind: chosen.kind, class_name: chosen.name,
      description: description.value.trim() || chosen.name,
      lng: where.lng.toFixed(7), lat: where.lat.toFixed(7),
      self_handled: selfHandled.checked ? '1' : '',
    };
    const files = {photos: [await fitting(photoInput.files[0])]};
    if (selfHandled.checked) files.after_photos = [await fitting(afterInput.files[0])];
    pending = await XQueue.enqueue(fields, files);
    show('done');
    const sending = form.querySelector('[data-sending]');
    sending.hidden = false;
    await XQueue.flush();
    sending.hidden = true;
    // Still on the phone after trying: no network (or the server is busy); it goes by itself later.
    if (pending && form.querySelector('[data-sent]').hidden) form.querySelector('[data-queued]').hidden = false;
  });

  document.addEventListener('xq:sent', function (e) {
    if (e.detail.key !== pending) return;
    const receipt = e.detail.receipt;
    const box = form.querySelector('[data-sent]');
    pending = null;
    form.querySelector('[data-queued]').hidden = true;
    box.hidden = false;
    box.dataset.key = e.detail.key;
    box.dataset.number = receipt.number;
    box.querySelector('[data-number]').textContent = receipt.number;
    box.querySelector('[data-sent-detail]').textContent = receipt.class_name + ' · ' + receipt.place + ' · ' + receipt.status_label;
    box.querySelector('[data-open]').href = receipt.url;
  });

  /* The server refused this report (e.g. a point outside the district): back to the confirm step, with why. */
  document.addEventListener('xq:refused', async function (e) {
    if (e.detail.key !== pending) return;
    await XQueue.remove(pending);
    pending = null;
    form.querySelector('[type=submit]').disabled = false;
    show(3);
    say(e.detail.message);
  });

  // Ask for the position now, so the phone has a fix by the time the photo is taken.
  if (navigator.geolocation) navigator.geolocation.getCurrentPosition(function () {}, function () {}, {enableHighAccuracy: true, timeout: 12000});
})();
