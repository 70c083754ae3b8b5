/* xiuhua maps: unit grids, divisions and cases as Leaflet layers over the base map (basemap.js).
 *
 * XiuhuaMap.create(element, options) draws a map from the options the server renders (map_options in
 * web/views/maps.py). Territory layers ask the server for the current view only (bbox + zoom) and keep what
 * they got while the view stays inside it; cases are clustered, coloured by their light, and their summary is
 * fetched when a marker is clicked. The element's data-* attributes say what is drawn (for tests and people).
 */
(function () {
  "use strict";

  const LIGHTS = [["red", "#d93025"], ["late", "#8e44ad"], ["yellow", "#f2b705"], ["green", "#2e9d4f"], ["none", "#9aa0a6"]];
  const STYLES = {
    light: {
      grid: { color: "#7189a3", weight: 0.7, fillColor: "#dbe5ef", fillOpacity: 0.45 },
      community: { color: "#8596aa", weight: 1.1, dashArray: "4 3", fillColor: "#e3eaf2", fillOpacity: 0.3 },
      subdistrict: { color: "#2f5d8a", weight: 2.6, fill: false },
      district: { color: "#1d3d5e", weight: 3, fill: false },
    },
    screen: {
      grid: { color: "#2d5a86", weight: 0.6, fillColor: "#0f2a47", fillOpacity: 0.5 },
      community: { color: "#2d5a86", weight: 1, dashArray: "4 3", fillColor: "#0d2440", fillOpacity: 0.35 },
      subdistrict: { color: "#4fc3f7", weight: 2, fill: true, fillColor: "#0b2038", fillOpacity: 0.35 },
      district: { color: "#81d4fa", weight: 3, fill: false },
    },
  };
  const Base = window.XiuhuaBase;
  const VIEW_PADDING = 0.25; // as basemap.js: load a quarter of the view more on each side
  const escapeHtml = Base.escapeHtml;

  /* A territory layer following the view (basemap.js's viewLayer), drawn under the cases. */
  function viewLayer(map, scope, url, params, styleOf, onEach, onLoad) {
    return Base.viewLayer(map, url, {
      scope: scope,
      params: params,
      toBack: true,
      geoOptions: { style: styleOf, onEachFeature: onEach },
      onLoad: onLoad,
    });
  }

  function dotIcons() {
    const icons = {};
    for (const [light] of LIGHTS) {
      icons[light] = L.divIcon({ className: "case-dot case-dot-" + light, iconSize: [14, 14] });
    }
    return icons;
  }

  /* A cluster shows how many cases it holds, ringed by the share of each light (red first). */
  function clusterIcon(cluster) {
    const counts = { red: 0, yellow: 0, green: 0, none: 0 };
    for (const marker of cluster.getAllChildMarkers()) counts[marker.options.light]++;
    const total = cluster.getChildCount();
    let at = 0;
    const stops = LIGHTS.map(([light, colour]) => {
      const end = at + (counts[light] / total) * 100;
      const stop = colour + " " + at.toFixed(2) + "% " + end.toFixed(2) + "%";
      at = end;
      return stop;
    });
    const size = total < 10 ? 32 : total < 100 ? 38 : total < 1000 ? 46 : 54;
    return L.divIcon({
      html: '<div class="case-cluster" style="background:conic-gradient(' + stops.join(",") + ')"><span>' + total + "</span></div>",
      className: "case-cluster-icon" + (counts.red ? " has-red" : ""),
      iconSize: [size, size],
    });
  }

  function legendControl(labels) {
    const control = L.control({ position: "bottomleft" });
    control.onAdd = function () {
      const div = L.DomUtil.create("div", "map-legend");
      div.dataset.testid = "map-legend";
      L.DomEvent.disableClickPropagation(div);
      return div;
    };
    control.show = function (counts, total, truncated) {
      const rows = LIGHTS.map(
        ([light]) =>
          '<span class="legend-light"><span class="light light-' + light + '"></span> ' + labels.lights[light] +
          ' <strong data-light="' + light + '">' + counts[light] + "</strong></span>"
      ).join("");
      this.getContainer().innerHTML =
        '<div><strong data-testid="case-total">' + total + "</strong> " + labels.cases + "</div>" +
        '<div class="legend-lights">' + rows + "</div>" +
        (truncated ? '<div class="small text-body-secondary">' + labels.truncated + "</div>" : "");
    };
    return control;
  }

  function casesLayer(map, element, options, legend) {
    const icons = dotIcons();
    const cluster = L.markerClusterGroup({
      chunkedLoading: true,
      showCoverageOnHover: false,
      maxClusterRadius: 46,
      disableClusteringAtZoom: 19,
      iconCreateFunction: clusterIcon,
    });
    let filters = {};
    let byView = false;
    let controller = null;

    function openPopup(marker) {
      const popup = L.popup({ maxWidth: 340, minWidth: 260 })
        .setLatLng(marker.getLatLng())
        .setContent('<div class="text-body-secondary small">' + options.labels.loading + "</div>")
        .openOn(map);
      fetch(options.urls.popup.replace("NUMBER", encodeURIComponent(marker.options.number)), { credentials: "same-origin" })
        .then((response) => response.text())
        .then((html) => popup.setContent(html));
    }

    function load() {
      const params = Object.assign({}, filters);
      if (byView) {
        const wanted = Base.requestBounds(map.getBounds().pad(VIEW_PADDING), null);
        params.bbox = Base.bboxText(map, wanted);
      }
      if (controller) controller.abort();
      controller = new AbortController();
      return fetch(options.urls.cases + "?" + new URLSearchParams(params), { signal: controller.signal, credentials: "same-origin" })
        .then((response) => (response.ok ? response.json() : Promise.reject(new Error(response.status))))
        .then((data) => {
          const counts = { red: 0, late: 0, yellow: 0, green: 0, none: 0 };
          const markers = data.features.map((feature) => {
            const [lng, lat] = feature.geometry.coordinates;
            const light = feature.properties.l || "none";
            counts[light]++;
            const marker = L.marker(Base.projection(options.base && options.base.crs).toMap(lng, lat), { icon: icons[light], light: light, number: feature.properties.n, keyboard: false });
            marker.on("click", () => openPopup(marker));
            return marker;
          });
          cluster.clearLayers();
          cluster.addLayers(markers);
          byView = byView || data.truncated;
          element.dataset.caseCount = String(data.count);
          legend.show(counts, data.count, data.truncated);
        })
        .catch((error) => {
          if (error.name !== "AbortError") console.warn("xiuhua map: cases", error);
        });
    }

    map.on("moveend", () => {
      if (byView) load();
    });
    return {
      layer: cluster,
      load: load,
      setFilters(next) {
        filters = next;
        byView = false;
        return load();
      },
    };
  }

  function divisionTooltip(feature, layer) {
    const p = feature.properties || {};
    const code = p.code || feature.id;
    layer.bindTooltip(escapeHtml(p.name ? p.name + " · " + code : code), { sticky: true, direction: "top", opacity: 0.9 });
  }

  /* A division's name is shown only when the division is big enough on screen to hold it. */
  function fitLabels(map, layer) {
    layer.eachLayer((polygon) => {
      const tooltip = polygon.getTooltip();
      const label = tooltip && tooltip.getElement();
      if (!label) return;
      const bounds = polygon.getBounds();
      const nw = map.latLngToContainerPoint(bounds.getNorthWest());
      const se = map.latLngToContainerPoint(bounds.getSouthEast());
      label.style.display = "";
      label.style.display = se.x - nw.x > label.offsetWidth + 24 && se.y - nw.y > 36 ? "" : "none";
    });
  }

  function create(element, options) {
    const theme = options.theme === "screen" ? "screen" : "light";
    const styles = STYLES[theme];
    const map = L.map(element, { preferCanvas: true, zoomControl: true, attributionControl: Boolean(options.tiles), minZoom: 3, maxZoom: 19 });
    const proj = Base.useCrs(map, options.base);
    if (options.tiles) {
      L.tileLayer(options.tiles, { attribution: options.tilesAttribution || "", maxZoom: 19 }).addTo(map);
    }
    const scope = options.bounds
      ? L.latLngBounds(proj.toMap(options.bounds[0], options.bounds[1]), proj.toMap(options.bounds[2], options.bounds[3]))
      : null;
    if (scope) {
      // One setView (a second one would animate, and layers would load the zoom it leaves).
      const fit = map.getBoundsZoom(scope, false, L.point(32, 32));
      map.setView(scope.getCenter(), Math.max(fit, options.min_start_zoom || 0));
    } else {
      map.setView([30.52, 120.94], 13);
    }
    L.control.scale({ imperial: false }).addTo(map);
    const legend = legendControl(options.labels).addTo(map);
    const labels = options.labels;

    const grids = viewLayer(
      map, scope, options.urls.grids, {},
      (feature) => styles[feature.properties && feature.properties.name ? "community" : "grid"],
      divisionTooltip,
      (data) => {
        element.dataset.gridLevel = data.level;
        element.dataset.gridCount = String(data.count);
        element.classList.toggle("shows-grids", data.level === "grid");
        const note = element.parentElement.querySelector("[data-testid=grid-level-note]");
        if (note) note.hidden = data.level === "grid";
      }
    );
    const communities = viewLayer(map, scope, options.urls.divisions, { level: "community" }, () => styles.community, divisionTooltip);
    const subdistricts = viewLayer(
      map, scope, options.urls.divisions, { level: "subdistrict" }, () => styles.subdistrict,
      (feature, layer) => {
        layer.bindTooltip(escapeHtml(feature.properties.name), { permanent: true, direction: "center", className: "division-label" });
      },
      () => fitLabels(map, subdistricts)
    );
    map.on("zoomend", () => fitLabels(map, subdistricts));
    const cases = casesLayer(map, element, options, legend);

    const base = Base.attach(map, options.base, element, scope);
    const collapsed = Boolean(options.collapseLayers) || window.innerWidth < 768; // phones: the switch folds away
    Base.switcher(map, options.base, base, [
      [options.base.labels.grids, grids],
      [labels.communities, communities],
      [labels.subdistricts, subdistricts],
      [options.base.labels.cases, cases.layer],
    ], collapsed);
    const shown = options.layers || ["roads", "addresses", "components", "grids", "subdistricts", "cases"];
    const byName = Object.assign({}, base, { grids: grids, communities: communities, subdistricts: subdistricts, cases: cases.layer });
    for (const name of shown) if (byName[name]) byName[name].addTo(map);

    cases.load();
    if (options.refresh) setInterval(cases.load, options.refresh * 1000);
    element.xiuhua = { map: map, cases: cases, layers: byName };
    return element.xiuhua;
  }

  /* The filter form of the map page: its fields become the cases' query (major "event:01" → kind + major). */
  function bindFilters(form, handle) {
    function apply() {
      const data = new FormData(form);
      const params = {};
      const major = data.get("major") || "";
      if (major) {
        const [kind, code] = major.split(":");
        params.kind = kind;
        params.major = code;
      }
      const classCode = (data.get("class") || "").trim();
      if (classCode) params.class = classCode;
      if (data.get("status")) params.status = data.get("status");
      handle.cases.setFilters(params);
    }
    form.addEventListener("change", apply);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      apply();
    });
    form.addEventListener("reset", () => setTimeout(apply));
  }

  /* Every element with data-map-options (the id of its JSON options) becomes a map, with its filter form. */
  function start() {
    for (const element of document.querySelectorAll("[data-map-options]")) {
      const options = JSON.parse(document.getElementById(element.dataset.mapOptions).textContent);
      const handle = create(element, options);
      const form = document.querySelector('[data-map-filters="' + element.id + '"]');
      if (form) bindFilters(form, handle);
    }
  }

  window.XiuhuaMap = { create: create, bindFilters: bindFilters };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
