/* Charts of the monthly report page (ECharts), drawn from the JSON in #report-charts. */
(function () {
  "use strict";

  const data = JSON.parse(document.getElementById("report-charts").textContent);

  function draw(id, option) {
    const element = document.getElementById(id);
    if (!element) return;
    const chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(option);
    window.addEventListener("resize", () => chart.resize());
  }

  function bars(names, values) {
    return {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 36, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: names.slice().reverse(), axisTick: { show: false } },
      series: [{ type: "bar", data: values.slice().reverse(), label: { show: true, position: "right" }, barMaxWidth: 18 }],
    };
  }

  const t = data.trend;
  draw("report-trend", {
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 40, right: 48, top: 32, bottom: 28 },
    xAxis: { type: "category", data: t.months },
    yAxis: [{ type: "value", minInterval: 1 }, { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }],
    series: [
      { name: t.labels.reported, type: "line", data: t.reported, smooth: true },
      { name: t.labels.closed, type: "line", data: t.closed, smooth: true },
      { name: t.labels.onTime, type: "line", yAxisIndex: 1, data: t.onTime, lineStyle: { type: "dashed" } },
    ],
  });
  draw("report-classes", bars(data.classes.names, data.classes.counts));
  draw("report-departments", bars(data.departments.names, data.departments.scores));
  const h = data.hours;
  const cells = [];
  h.matrix.forEach((row, day) => row.forEach((count, hour) => cells.push([hour, day, count])));
  draw("report-hours", {
    tooltip: { position: "top" },
    grid: { left: 48, right: 16, top: 8, bottom: 64 },
    xAxis: { type: "category", data: [...Array(24).keys()], splitArea: { show: true } },
    yAxis: { type: "category", data: h.weekdays, inverse: true, splitArea: { show: true } },
    visualMap: { min: 0, max: Math.max(h.max, 1), calculable: true, orient: "horizontal", left: "center", bottom: 0,
      inRange: { color: ["#fff7d6", "#f59f00", "#d9480f"] } },
    series: [{ type: "heatmap", data: cells, label: { show: true, formatter: (p) => (p.value[2] || "") } }],
  });
})();
