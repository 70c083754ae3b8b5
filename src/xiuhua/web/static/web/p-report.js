/* The citizen's report form: the phone's position (WGS84) or a pin the citizen drags fills lng/lat; without
 * either, the address field is the place. The form itself is a plain POST, so it works with scripts off too.
 */
(function () {
  'use strict';
  const form = document.getElementById('p-report');
  const t = form.dataset;
  const mapOptions = JSON.parse(document.getElementById('map-options').textContent);
  const lng = form.elements.lng, lat = form.elements.lat;
  const place = form.querySelector('[data-place]');

  function setPlace(text, ok) {
    place.textContent = text || (ok ? t.tOfflinePlace : t.tNoPosition);
    place.parentElement.classList.toggle('text-danger', !ok);
  }

  const pinMap = PinMap(document.getElementById('pin-map'), {
    centre: lng.value && lat.value ? [Number(lng.value), Number(lat.value)] : mapOptions.centre,
    tiles: mapOptions.tiles, base: mapOptions.base, gridsUrl: t.gridsUrl, whereUrl: t.whereUrl, maxSpan: 0.025, onPlace: setPlace,
    onMove: function (x, y) { lng.value = x.toFixed(7); lat.value = y.toFixed(7); },
  });
  pinMap.locate();
  form.querySelector('[data-locate]').addEventListener('click', pinMap.locate);

  const photos = form.querySelector('input[name=photos]');
  photos.addEventListener('change', function () { previewPhotos(photos, null, 3); });

  form.addEventListener('submit', function (e) {
    if (!lng.value && !form.elements.address.value.trim()) {
      e.preventDefault();
      setPlace(null, false);
      place.scrollIntoView({block: 'center'});
      return;
    }
    form.querySelector('[type=submit]').disabled = true;  // the idempotency key also stops a second case
  });
})();
