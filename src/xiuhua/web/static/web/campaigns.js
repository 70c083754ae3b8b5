// The campaign page: each target's curve (plan vs actual by month, ECharts), the 挂图作战 map of its cases and list
// items by status (Leaflet over the base map of basemap.js), and htmx forms that show their errors in place.
(function () {
  "use strict";

  // A refused form (400/403/404/409) comes back as the form with its errors: swap it in like a success.
  document.body.addEventListener("htmx:beforeSwap", (event) => {
    const status = event.detail.xhr.status;
    if (status >= 400 && status < 500 && event.detail.elt.closest(".campaign-form")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  const curveBox = document.getElementById("campaign-curve");
  const curveData = document.getElementById("campaign-curves");
  if (curveBox && curveData && typeof echarts !== "undefined") {
    const curves = JSON.parse(curveData.textContent);
    const chart = echarts.init(curveBox, null, { renderer: "canvas" });
    const picker = document.getElementById("curve-target");
    const show = (index) => {
      const c = curves[index];
      if (!c) return;
      chart.setOption(
        {
          tooltip: { trigger: "axis" },
          legend: { top: 0, right: 8, data: [curveBox.dataset.planLabel, curveBox.dataset.actualLabel] },
          grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
          xAxis: { type: "category", data: c.labels },
          yAxis: { type: "value", name: c.unit },
          series: [
            { name: curveBox.dataset.planLabel, type: "line", data: c.plan, lineStyle: { type: "dashed" }, itemStyle: { color: "#6c757d" } },
            { name: curveBox.dataset.actualLabel, type: "line", data: c.actual, connectNulls: false, itemStyle: { color: "#0d6efd" } },
          ],
        },
        true,
      );
    };
    show(0);
    if (picker) picker.addEventListener("change", () => show(Number(picker.value)));
    window.addEventListener("resize", () => chart.resize());
    curveBox.dataset.loaded = "true";
  }

  const box = document.getElementById("campaign-map");
  if (!box || !window.L) return;
  const Base = window.XiuhuaBase;
  const { map, base } = Base.smallMap(box);
  const colour = (p) => (p.kind === "item" ? "#0d6efd" : p.closed ? "#198754" : "#d93025");
  fetch(box.dataset.url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
    .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
    .then((data) => {
      const layer = L.geoJSON(data, Base.geoJSONOptions(map, {
        pointToLayer: (feature, latlng) => L.circleMarker(latlng, {
          radius: 6, color: "#fff", weight: 1.5, fillColor: colour(feature.properties), fillOpacity: 0.9,
        }),
        onEachFeature: (feature, item) => {
          const p = feature.properties;
          item.bindTooltip(p.number + " · " + p.status + (p.target ? " · " + p.target : ""));
        },
      })).addTo(map);
      if (data.features.length) map.fitBounds(layer.getBounds(), { padding: [24, 24], maxZoom: 17 });
      else map.setView([30.5, 120.9], 12);
      const layers = Base.attach(map, base, box, null);
      if (layers.roads) layers.roads.addTo(map);
      box.dataset.loaded = "true";
    })
    .catch(() => {
      box.dataset.loaded = "failed";
    });
})();
