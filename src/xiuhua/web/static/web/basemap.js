/* xiuhua base map, shared by every map (map page, dashboard, big screen, case page, phone and citizen pages).
 *
 * XiuhuaBase.attach(map, base, options) adds the base layers the server offers (base = the "base" entry of the
 * page's map options, see web/maps.py base_options): 道路 roads, 门牌 house numbers, 部件 components. Each asks
 * the server for the current view only (bbox + zoom) and keeps what it got while the view stays inside it.
 * XiuhuaBase.switcher(map, layers, collapsed) is the layer switcher in Chinese.
 *
 * Coordinates: the data is WGS84. When the tiles are GCJ-02 (base.crs === "gcj02", Amap/Tencent), every overlay is
 * shifted onto them (XiuhuaBase.geoJSONOptions / toMap) and positions read from the map are shifted back (fromMap)
 * before they go to the server. The formulas are those of xiuhua/geo/crs.py (a test compares the two).
 */
(function () {
  "use strict";

  const VIEW_PADDING = 0.25; // load a quarter of the view more on each side, so small pans need nothing new
  const MAX_SPAN = 5; // degrees, the server's limit for one bbox
  const ROAD_STYLES = {
    arterial: { color: "#f2a33a", weight: 5, opacity: 0.9 },
    secondary: { color: "#f6c66b", weight: 4, opacity: 0.9 },
    branch: { color: "#c7ccd3", weight: 3, opacity: 0.95 },
    lane: { color: "#d5d9de", weight: 2, opacity: 0.95 },
  };
  const STATE_COLOURS = { intact: "#3b7dd8", damaged: "#d93025", lost: "#8e24aa", discarded: "#6d6d6d", removed: "#b0b0b0" };

  // -- GCJ-02 (the published algorithm, as geo/crs.py)
  const A = 6378245.0;
  const EE = 0.00669342162296594323;

  function outOfChina(lng, lat) {
    return !(lng > 73.66 && lng < 135.05 && lat > 3.86 && lat < 53.55);
  }

  function transformLat(x, y) {
    let r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
    r += ((20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin((y / 3.0) * Math.PI)) * 2.0) / 3.0;
    r += ((160.0 * Math.sin((y / 12.0) * Math.PI) + 320.0 * Math.sin((y * Math.PI) / 30.0)) * 2.0) / 3.0;
    return r;
  }

  function transformLng(x, y) {
    let r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
    r += ((20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin((x / 3.0) * Math.PI)) * 2.0) / 3.0;
    r += ((150.0 * Math.sin((x / 12.0) * Math.PI) + 300.0 * Math.sin((x / 30.0) * Math.PI)) * 2.0) / 3.0;
    return r;
  }

  function gcjOffset(lng, lat) {
    let dlat = transformLat(lng - 105.0, lat - 35.0);
    let dlng = transformLng(lng - 105.0, lat - 35.0);
    const radlat = (lat / 180.0) * Math.PI;
    const magic = 1 - EE * Math.sin(radlat) * Math.sin(radlat);
    const sqrtmagic = Math.sqrt(magic);
    dlat = (dlat * 180.0) / (((A * (1 - EE)) / (magic * sqrtmagic)) * Math.PI);
    dlng = (dlng * 180.0) / ((A / sqrtmagic) * Math.cos(radlat) * Math.PI);
    return [dlng, dlat];
  }

  function wgsToGcj(lng, lat) {
    if (outOfChina(lng, lat)) return [lng, lat];
    const [dlng, dlat] = gcjOffset(lng, lat);
    return [lng + dlng, lat + dlat];
  }

  function gcjToWgs(lng, lat) {
    if (outOfChina(lng, lat)) return [lng, lat];
    let x = lng;
    let y = lat;
    for (let i = 0; i < 30; i++) {
      const [dlng, dlat] = gcjOffset(x, y);
      const ex = x + dlng - lng;
      const ey = y + dlat - lat;
      x -= ex;
      y -= ey;
      if (Math.max(Math.abs(ex), Math.abs(ey)) <= 1e-9) break;
    }
    return [x, y];
  }

  /* A projection between the data (WGS84) and the map's tiles. */
  function projection(crs) {
    const shifted = crs === "gcj02";
    return {
      crs: shifted ? "gcj02" : "wgs84",
      /* data lng/lat → Leaflet LatLng on the tiles */
      toMap(lng, lat) {
        if (!shifted) return L.latLng(lat, lng);
        const [x, y] = wgsToGcj(lng, lat);
        return L.latLng(y, x);
      },
      /* Leaflet LatLng on the tiles → data {lng, lat} */
      fromMap(latlng) {
        if (!shifted) return { lng: latlng.lng, lat: latlng.lat };
        const [x, y] = gcjToWgs(latlng.lng, latlng.lat);
        return { lng: x, lat: y };
      },
    };
  }

  function projectionOf(map) {
    return map.xiuhuaProjection || projection("wgs84");
  }

  /* Give a map its projection (once, before layers are added). */
  function useCrs(map, base) {
    map.xiuhuaProjection = projection(base && base.crs);
    return map.xiuhuaProjection;
  }

  /* Options for L.geoJSON that put WGS84 data onto the map's tiles. */
  function geoJSONOptions(map, more) {
    const proj = projectionOf(map);
    return Object.assign({ coordsToLatLng: (c) => proj.toMap(c[0], c[1]) }, more || {});
  }

  /* Map bounds (on the tiles) → "minLng,minLat,maxLng,maxLat" in WGS84 (corners shifted back, then enclosed). */
  function bboxText(map, bounds) {
    const proj = projectionOf(map);
    const corners = [bounds.getSouthWest(), bounds.getNorthEast(), bounds.getNorthWest(), bounds.getSouthEast()].map((c) => proj.fromMap(c));
    const lngs = corners.map((c) => c.lng);
    const lats = corners.map((c) => c.lat);
    return [Math.min(...lngs), Math.min(...lats), Math.max(...lngs), Math.max(...lats)].map((v) => v.toFixed(6)).join(",");
  }

  /* The part of `view` worth asking for: inside the scope (if given) and within the server's limits, or null. */
  function requestBounds(view, scope) {
    let bounds = view;
    if (scope) {
      if (!scope.intersects(view)) return null;
      const s = scope.pad(0.05);
      bounds = L.latLngBounds(
        [Math.max(view.getSouth(), s.getSouth()), Math.max(view.getWest(), s.getWest())],
        [Math.min(view.getNorth(), s.getNorth()), Math.min(view.getEast(), s.getEast())]
      );
    }
    const centre = bounds.getCenter();
    const halfLat = Math.min((bounds.getNorth() - bounds.getSouth()) / 2, MAX_SPAN / 2 - 0.01);
    const halfLng = Math.min((bounds.getEast() - bounds.getWest()) / 2, MAX_SPAN / 2 - 0.01);
    return L.latLngBounds(
      [Math.max(-89, centre.lat - halfLat), Math.max(-179, centre.lng - halfLng)],
      [Math.min(89, centre.lat + halfLat), Math.min(179, centre.lng + halfLng)]
    );
  }

  /* A GeoJSON layer that follows the view: reloads when the zoom changes or the view leaves what it loaded.
   * geoOptions are L.geoJSON's; onLoad(data) runs after each load; minZoom: below it the layer is emptied. */
  function viewLayer(map, url, config) {
    const cfg = config || {};
    const layer = L.geoJSON(null, geoJSONOptions(map, cfg.geoOptions));
    let loaded = null;
    let controller = null;
    let timer = null;

    function refresh(force) {
      if (!map.hasLayer(layer)) return;
      const zoom = map.getZoom();
      const view = map.getBounds();
      if (!force && loaded && loaded.zoom === zoom && loaded.bounds.contains(view)) return;
      const wanted = requestBounds(view.pad(VIEW_PADDING), cfg.scope || null);
      if (!wanted || (cfg.minZoom && zoom < cfg.minZoom)) {
        if (controller) controller.abort();
        layer.clearLayers();
        loaded = null;
        if (cfg.onLoad) cfg.onLoad({ features: [], count: 0, total: 0, mode: "none" });
        return;
      }
      if (controller) controller.abort();
      controller = new AbortController();
      const query = new URLSearchParams(Object.assign({}, cfg.params || {}, { bbox: bboxText(map, wanted), zoom: zoom }));
      fetch(url + "?" + query, { signal: controller.signal, credentials: "same-origin" })
        .then((response) => (response.ok ? response.json() : Promise.reject(new Error(response.status))))
        .then((data) => {
          layer.clearLayers();
          layer.addData(data);
          if (cfg.toBack) layer.bringToBack();
          loaded = { zoom: zoom, bounds: wanted };
          if (cfg.onLoad) cfg.onLoad(data);
        })
        .catch((error) => {
          if (error.name !== "AbortError") console.warn("xiuhua map:", url, error);
        });
    }

    map.on("moveend", () => {
      clearTimeout(timer);
      timer = setTimeout(() => refresh(false), 120);
    });
    layer.on("add", () => refresh(true));
    layer.refresh = refresh;
    return layer;
  }

  function escapeHtml(text) {
    const span = document.createElement("span");
    span.textContent = text == null ? "" : String(text);
    return span.innerHTML;
  }

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, (all, key) => String(values[key]));
  }

  function pane(map, name, zIndex) {
    if (!map.getPane(name)) map.createPane(name).style.zIndex = String(zIndex);
    return name;
  }

  /* Road lines by kind, named on hover. Under the grids' outlines and the cases. */
  function roadsLayer(map, base, element, scope) {
    const renderer = L.canvas({ pane: pane(map, "xh-roads", 350) });
    return viewLayer(map, base.urls.roads, {
      scope: scope,
      geoOptions: {
        pane: "xh-roads",
        renderer: renderer,
        style: (feature) => Object.assign({ renderer: renderer }, ROAD_STYLES[feature.properties.kind] || ROAD_STYLES.branch),
        onEachFeature: (feature, line) => line.bindTooltip(escapeHtml(feature.properties.name), { sticky: true, direction: "top" }),
      },
      onLoad: (data) => {
        element.dataset.roadCount = String(data.count);
      },
    });
  }

  /* House numbers as small labels, from the zoom the server names (nothing is asked below it). */
  function addressesLayer(map, base, element, scope) {
    pane(map, "xh-addresses", 560);
    return viewLayer(map, base.urls.addresses, {
      scope: scope,
      minZoom: base.addressMinZoom,
      geoOptions: {
        pointToLayer: (feature, latlng) =>
          L.marker(latlng, {
            pane: "xh-addresses",
            interactive: false,
            keyboard: false,
            icon: L.divIcon({ className: "house-number", html: escapeHtml(feature.properties.no), iconSize: null }),
          }),
      },
      onLoad: (data) => {
        element.dataset.addressCount = String(data.count);
      },
    });
  }

  /* Components: each coloured by its state when zoomed in, else one bubble per cell with the count. */
  function componentsLayer(map, base, element, scope) {
    const renderer = L.canvas({ pane: pane(map, "xh-components", 570) });
    let classes = {};
    const labels = base.labels;
    return viewLayer(map, base.urls.components, {
      scope: scope,
      geoOptions: {
        pointToLayer: (feature, latlng) => {
          const p = feature.properties;
          if (p.n !== undefined) {
            const size = p.n < 100 ? 30 : p.n < 1000 ? 36 : 44;
            const marker = L.marker(latlng, {
              pane: "xh-components",
              keyboard: false,
              icon: L.divIcon({
                className: "component-cell" + (p.bad ? " has-bad" : ""),
                html: "<span>" + (p.n >= 10000 ? Math.round(p.n / 1000) + "k" : p.n) + "</span>",
                iconSize: [size, size],
              }),
            });
            marker.bindTooltip(escapeHtml(format(labels.cell, p)), { direction: "top" });
            marker.on("click", () => map.setView(latlng, Math.min(map.getZoom() + 2, base.componentPointZoom)));
            return marker;
          }
          const dot = L.circleMarker(latlng, {
            renderer: renderer,
            radius: 3.5,
            color: "#fff",
            weight: 1,
            fillColor: STATE_COLOURS[p.s] || "#3b7dd8",
            fillOpacity: 0.95,
          });
          dot.bindTooltip(() => escapeHtml((classes[p.c] || p.c) + " · " + (labels.states[p.s] || p.s) + " · " + feature.id), { direction: "top" });
          return dot;
        },
      },
      onLoad: (data) => {
        classes = data.classes || {};
        element.dataset.componentMode = data.mode;
        element.dataset.componentCount = String(data.count);
        element.dataset.componentTotal = String(data.total);
      },
    });
  }

  /* The base layers this page's user may have (none for the public), by name: roads, addresses, components. */
  function attach(map, base, element, scope) {
    const urls = (base && base.urls) || {};
    const layers = {};
    if (urls.roads) layers.roads = roadsLayer(map, base, element, scope);
    if (urls.addresses) layers.addresses = addressesLayer(map, base, element, scope);
    if (urls.components) layers.components = componentsLayer(map, base, element, scope);
    return layers;
  }

  /* The layer switcher: base layers first (道路 / 门牌 / 部件), then the page's own (网格 / 案卷 …). */
  function switcher(map, base, layers, own, collapsed) {
    const overlays = {};
    for (const name of ["roads", "addresses", "components"]) {
      if (layers[name]) overlays[base.labels[name]] = layers[name];
    }
    for (const [label, layer] of own) overlays[label] = layer;
    const control = L.control.layers(null, overlays, { collapsed: Boolean(collapsed), position: "topright" }).addTo(map);
    control.getContainer().dataset.testid = "layer-switcher";
    return control;
  }

  /* A small page map in `box` (the case page's, a campaign's): the base data its `data-base` names, the CRS of the
     configured tiles, and those tiles when `data-tiles` names them. */
  function smallMap(box) {
    const baseData = document.getElementById(box.dataset.base);
    const base = baseData ? JSON.parse(baseData.textContent) : { urls: {} };
    const map = L.map(box, { attributionControl: false, scrollWheelZoom: false, zoomSnap: 0.25, maxZoom: 19 });
    useCrs(map, base);
    if (box.dataset.tiles) L.tileLayer(box.dataset.tiles, { maxZoom: 19 }).addTo(map);
    return { map: map, base: base };
  }

  window.XiuhuaBase = {
    smallMap: smallMap,
    attach: attach,
    switcher: switcher,
    useCrs: useCrs,
    projection: projection,
    geoJSONOptions: geoJSONOptions,
    viewLayer: viewLayer,
    bboxText: bboxText,
    requestBounds: requestBounds,
    escapeHtml: escapeHtml,
    wgsToGcj: wgsToGcj,
    gcjToWgs: gcjToWgs,
  };
})();
