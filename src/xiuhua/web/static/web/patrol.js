/* The patrol page: on-duty inspectors as markers (refreshed), and the replay of one shift — its track as a
 * polyline, a marker moved along it by a time slider or the play button. Data from /api/v1/patrol/… */
(function () {
  'use strict';

  function escapeHtml(text) {
    const span = document.createElement('span');
    span.textContent = text == null ? '' : String(text);
    return span.innerHTML;
  }

  function clock(iso) {
    return new Date(iso).toLocaleTimeString('zh-CN', {hour12: false});
  }

  function getJson(url) {
    return fetch(url, {credentials: 'same-origin', headers: {'Accept': 'application/json'}}).then(function (r) {
      if (!r.ok) throw new Error('HTTP ' + r.status);
      return r.json();
    });
  }

  function start() {
    const element = document.getElementById('patrol-map');
    if (!element || !element.xiuhua) return;
    const map = element.xiuhua.map;
    const options = JSON.parse(document.getElementById('patrol-map-options').textContent).patrol;
    const labels = options.labels;
    const onDuty = L.layerGroup().addTo(map);
    const replayLayer = L.layerGroup().addTo(map);
    const trackRenderer = L.svg();  // one line: SVG costs nothing here and leaves the track in the page's DOM
    const bar = document.querySelector('[data-testid=replay]');
    const slider = bar.querySelector('[data-testid=replay-slider]');
    const timeLabel = bar.querySelector('[data-testid=replay-time]');
    const figures = bar.querySelector('[data-testid=replay-figures]');
    const play = bar.querySelector('[data-testid=replay-play]');
    let points = [], cursor = null, playing = null;

    function drawOnDuty(rows) {
      onDuty.clearLayers();
      element.dataset.onDuty = String(rows.length);
      rows.forEach(function (row) {
        if (row.lng == null) return;
        const marker = L.circleMarker([row.lat, row.lng], {radius: 8, color: '#0b5ed7', fillColor: '#2e9d4f', fillOpacity: 0.9, weight: 2});
        marker.bindTooltip(escapeHtml(row.inspector_name) + '<br>' + escapeHtml(labels.since) + ' ' + clock(row.started_at) +
          '<br>' + escapeHtml(labels.lastSeen) + ' ' + (row.last_point_at ? clock(row.last_point_at) : '—'));
        marker.addTo(onDuty);
      });
    }

    function loadOnDuty() {
      getJson(options.api + 'on-duty').then(drawOnDuty).catch(function () { /* next refresh */ });
    }

    function moveTo(index) {
      const p = points[index];
      if (!p) return;
      if (!cursor) cursor = L.circleMarker([p[1], p[0]], {radius: 7, color: '#d93025', fillColor: '#d93025', fillOpacity: 1}).addTo(replayLayer);
      cursor.setLatLng([p[1], p[0]]);
      timeLabel.textContent = clock(p[2]);
      slider.value = String(index);
      element.dataset.replayIndex = String(index);
    }

    function stop() {
      clearInterval(playing);
      playing = null;
    }

    function replay(shiftId) {
      stop();
      getJson(options.api + 'shifts/' + shiftId + '/track').then(function (track) {
        replayLayer.clearLayers();
        cursor = null;
        points = track.points;
        element.dataset.replayPoints = String(points.length);
        bar.hidden = false;
        const s = track.shift;
        figures.textContent = s.inspector_name + ' · ' + (s.duration_s / 3600).toFixed(1) + ' ' + labels.hours +
          ' · ' + (s.distance_m / 1000).toFixed(2) + ' ' + labels.km;
        if (!points.length) { timeLabel.textContent = labels.noPoints; slider.max = '0'; return; }
        const line = L.polyline(points.map(function (p) { return [p[1], p[0]]; }), {color: '#d9480f', weight: 4, opacity: 0.85,
          renderer: trackRenderer, className: 'patrol-track'});
        line.addTo(replayLayer);
        map.fitBounds(line.getBounds(), {padding: [40, 40], maxZoom: 18});
        slider.max = String(points.length - 1);
        moveTo(0);
      });
    }

    function listShifts(inspectorId) {
      const box = document.querySelector('[data-testid=patrol-shifts]');
      box.replaceChildren();
      if (!inspectorId) return;
      getJson(options.api + 'inspectors/' + inspectorId + '/shifts?days=7').then(function (shifts) {
        if (!shifts.length) {
          box.textContent = labels.noShifts;
          return;
        }
        shifts.forEach(function (s) {
          const item = document.createElement('button');
          item.type = 'button';
          item.className = 'list-group-item list-group-item-action';
          item.dataset.testid = 'patrol-shift';
          item.dataset.shift = String(s.id);
          const day = new Date(s.started_at).toLocaleDateString('zh-CN', {month: '2-digit', day: '2-digit'});
          item.textContent = day + ' ' + clock(s.started_at).slice(0, 5) + '–' + (s.ended_at ? clock(s.ended_at).slice(0, 5) : labels.onDuty) +
            ' · ' + (s.distance_m / 1000).toFixed(2) + ' ' + labels.km;
          item.addEventListener('click', function () { replay(s.id); });
          box.appendChild(item);
        });
      });
    }

    slider.addEventListener('input', function () { stop(); moveTo(Number(slider.value)); });
    play.addEventListener('click', function () {
      if (playing) { stop(); return; }
      if (Number(slider.value) >= points.length - 1) moveTo(0);
      // A shift of 8 hours (about 1,000 points) plays in about 20 seconds.
      const step = Math.max(1, Math.round(points.length / 400));
      playing = setInterval(function () {
        const next = Number(slider.value) + step;
        if (next >= points.length) { moveTo(points.length - 1); stop(); return; }
        moveTo(next);
      }, 50);
    });
    document.getElementById('patrol-inspector').addEventListener('change', function (e) { listShifts(e.target.value); });

    loadOnDuty();
    setInterval(loadOnDuty, options.refresh * 1000);
    if (options.shift) replay(options.shift);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
