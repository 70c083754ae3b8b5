/* A small Leaflet map with a pin the user drags (or taps to move) and the unit grids around it as vector shapes:
 * no online tiles are needed (an optional tile URL comes from the server's XIUHUA_MAP_TILES).
 *
 * PinMap(element, {centre: [lng, lat], tiles, gridsUrl, whereUrl, maxSpan, onMove(lng, lat, how), onPlace(text, ok)})
 *   .locate()            ask the phone for its position (WGS84) and put the pin there
 *   .position()          {lng, lat, known}: known once the phone answered or the user placed the pin
 */
(function () {
  'use strict';

  window.PinMap = function (element, options) {
    const Base = window.XiuhuaBase;
    const base = options.base || {urls: {}};
    const start = options.centre || [120.94, 30.52];
    const map = L.map(element, {attributionControl: false, minZoom: 14, maxZoom: 19, zoomSnap: 0.5});
    // The pin is drawn on the tiles (GCJ-02 when they are) and always reported in WGS84.
    const proj = Base.useCrs(map, base);
    map.setView(proj.toMap(start[0], start[1]), 17);
    if (options.tiles) L.tileLayer(options.tiles, {maxZoom: 19}).addTo(map);
    const gridStyle = {color: '#5b7fb8', weight: 1, fillColor: '#dfe8f6', fillOpacity: 0.55};
    const hereStyle = {color: '#0b5ed7', weight: 2.5, fillColor: '#b9d2fb', fillOpacity: 0.6};
    const grids = L.geoJSON(null, Base.geoJSONOptions(map, {style: gridStyle})).addTo(map);
    const pin = L.marker(proj.toMap(start[0], start[1]), {draggable: true, autoPan: true, keyboard: false}).addTo(map);
    const layers = Base.attach(map, base, element, null);
    for (const name of ['roads', 'addresses']) if (layers[name]) layers[name].addTo(map);
    if (Object.keys(layers).length) Base.switcher(map, base, layers, [[base.labels.grids, grids]], true);
    let known = false, hereCode = null, loadedBox = null, askedWhere = 0;

    function moved(how) {
      known = true;
      const at = proj.fromMap(pin.getLatLng());
      if (options.onMove) options.onMove(at.lng, at.lat, how);
      where();
    }

    async function where() {
      if (!options.whereUrl) return;
      const ticket = ++askedWhere, at = proj.fromMap(pin.getLatLng());
      try {
        const response = await fetch(options.whereUrl + '?lng=' + at.lng.toFixed(7) + '&lat=' + at.lat.toFixed(7));
        const answer = await response.json();
        if (ticket !== askedWhere) return;
        if (!response.ok) { options.onPlace(answer.detail, false); return; }
        hereCode = answer.grid_code || null;
        paintHere();
        options.onPlace([answer.subdistrict_name, answer.community_name, answer.grid_code].filter(Boolean).join(' · '), true);
      } catch (e) {
        if (ticket === askedWhere) options.onPlace(null, true);  // offline: the server places it when it arrives
      }
    }

    function paintHere() {
      grids.eachLayer(function (layer) {
        layer.setStyle(hereCode && layer.feature.properties.code === hereCode ? hereStyle : gridStyle);
      });
    }

    async function loadGrids() {
      const b = map.getBounds().pad(0.3);
      if (loadedBox && loadedBox.contains(map.getBounds())) return;
      if (options.maxSpan && (b.getEast() - b.getWest() > options.maxSpan || b.getNorth() - b.getSouth() > options.maxSpan)) return;
      const bbox = Base.bboxText(map, b);
      try {
        const response = await fetch(options.gridsUrl + '?bbox=' + bbox);
        if (!response.ok) return;
        const data = await response.json();
        grids.clearLayers();
        grids.addData(data);
        loadedBox = b;
        paintHere();
      } catch (e) { /* offline: the pin still works on the plain background */ }
    }

    function locate() {
      if (!navigator.geolocation) { options.onPlace(null, false); return; }
      navigator.geolocation.getCurrentPosition(function (pos) {
        pin.setLatLng(proj.toMap(pos.coords.longitude, pos.coords.latitude));
        map.setView(pin.getLatLng(), Math.max(map.getZoom(), 17));
        moved('gps');
      }, function () {
        if (!known) options.onPlace(null, false);
      }, {enableHighAccuracy: true, timeout: 12000, maximumAge: 30000});
    }

    pin.on('dragend', function () { moved('pin'); });
    map.on('click', function (e) { pin.setLatLng(e.latlng); moved('pin'); });
    map.on('moveend', loadGrids);
    loadGrids();

    return {
      locate: locate,
      position: function () { const at = proj.fromMap(pin.getLatLng()); return {lng: at.lng, lat: at.lat, known: known}; },
      refresh: function () { map.invalidateSize(); loadGrids(); },
    };
  };
})();
