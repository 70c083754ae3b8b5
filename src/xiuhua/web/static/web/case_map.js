// The case page's small map: the case's unit grid, the grids around it lightly, and the case's point.
// No online tiles: vector layers over the base map of basemap.js (a tile URL may be configured, see MAP_TILES).
(function () {
  "use strict";
  const box = document.getElementById("case-map");
  if (!box || !window.L) return;

  const Base = window.XiuhuaBase;
  const { map, base } = Base.smallMap(box);

  const styles = {
    neighbour: { color: "#8a94a6", weight: 1, fillColor: "#dfe4ea", fillOpacity: 0.35, className: "grid-neighbour" },
    grid: { color: "#0d6efd", weight: 2.5, fillColor: "#0d6efd", fillOpacity: 0.12, className: "grid-outline" },
    // GeoJSON layers restyle every feature, points too: the point's look (and class) must be here.
    case: { radius: 8, color: "#fff", weight: 2, fillColor: "#d93025", fillOpacity: 1, className: "case-point" },
  };

  function draw(place) {
    let gridLayer = null;
    const layer = L.geoJSON(place, Base.geoJSONOptions(map, {
      style: (feature) => styles[feature.properties.role] || styles.neighbour,
      pointToLayer: (feature, latlng) => L.circleMarker(latlng, styles.case),
      onEachFeature: (feature, item) => {
        const p = feature.properties;
        if (p.role === "grid") gridLayer = item;
        item.bindTooltip(p.role === "case" ? p.number + (p.address ? " · " + p.address : "") : p.code, {
          sticky: p.role !== "case",
        });
      },
    })).addTo(map);
    // Wide padding leaves room for the neighbouring grids around the case's own.
    map.fitBounds((gridLayer || layer).getBounds(), { padding: [48, 48], maxZoom: 18 });
    // The base map under the case: roads, house numbers and components, switchable (folded: the map is small).
    const layers = Base.attach(map, base, box, null);
    for (const name of ["roads", "addresses", "components"]) if (layers[name]) layers[name].addTo(map);
    if (base.labels) Base.switcher(map, base, layers, [[base.labels.grids, layer]], true);
    box.dataset.loaded = "true";
  }

  fetch(box.dataset.placeUrl, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
    .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
    .then(draw)
    .catch(() => {
      box.classList.add("case-map-failed");
      box.dataset.loaded = "failed";
    });
})();
