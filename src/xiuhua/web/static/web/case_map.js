// The case page's small map: the case's unit grid, the grids around it lightly, and the case's point.
// No online tiles: vector layers on a plain background (a tile URL may be configured, see MAP_TILES).
(function () {
  "use strict";
  const box = document.getElementById("case-map");
  if (!box || !window.L) return;

  const map = L.map(box, { attributionControl: false, scrollWheelZoom: false, zoomSnap: 0.25 });
  if (box.dataset.tiles) L.tileLayer(box.dataset.tiles, { maxZoom: 19 }).addTo(map);

  const styles = {
    neighbour: { color: "#8a94a6", weight: 1, fillColor: "#dfe4ea", fillOpacity: 0.35, className: "grid-neighbour" },
    grid: { color: "#0d6efd", weight: 2.5, fillColor: "#0d6efd", fillOpacity: 0.12, className: "grid-outline" },
    // GeoJSON layers restyle every feature, points too: the point's look (and class) must be here.
    case: { radius: 8, color: "#fff", weight: 2, fillColor: "#d93025", fillOpacity: 1, className: "case-point" },
  };

  function draw(place) {
    let gridLayer = null;
    const layer = L.geoJSON(place, {
      style: (feature) => styles[feature.properties.role] || styles.neighbour,
      pointToLayer: (feature, latlng) => L.circleMarker(latlng, styles.case),
      onEachFeature: (feature, item) => {
        const p = feature.properties;
        if (p.role === "grid") gridLayer = item;
        item.bindTooltip(p.role === "case" ? p.number + (p.address ? " · " + p.address : "") : p.code, {
          sticky: p.role !== "case",
        });
      },
    }).addTo(map);
    // Wide padding leaves room for the neighbouring grids around the case's own.
    map.fitBounds((gridLayer || layer).getBounds(), { padding: [48, 48], maxZoom: 18 });
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
