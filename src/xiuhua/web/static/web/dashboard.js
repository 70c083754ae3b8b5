/* Charts of the dashboard and the big screen (ECharts), drawn from the JSON in #chart-json.
 *
 * The figures poll swaps #figure-chart-data with fresh JSON; the charts then redraw in place. On the big
 * screen (body.big-screen) the charts use ECharts' dark theme and a clock ticks in the header.
 */
(function () {
  "use strict";

  const dark = document.body.classList.contains("big-screen");
  const colours = dark
    ? { reported: "#4fc3f7", closed: "#66bb6a", bar: "#29b6f6", text: "#b8cbe0", grid: "rgba(120,160,200,.15)" }
    : { reported: "#0d6efd", closed: "#2e9d4f", bar: "#3d8bfd", text: "#495057", grid: "#e9ecef" };
  const charts = {};

  function chart(id) {
    const element = document.getElementById(id);
    if (!element) return null;
    if (!charts[id]) charts[id] = echarts.init(element, dark ? "dark" : null, { renderer: "canvas" });
    return charts[id];
  }

  function empty(text) {
    return { text: text, left: "center", top: "middle", textStyle: { color: colours.text, fontSize: 13, fontWeight: "normal" } };
  }

  function drawTrend(data) {
    const target = chart("trend-chart");
    if (!target) return;
    // Reported as bars, closed as a line over them: a day's intake against what the loop finished that day.
    const [reported, closed] = data.trend.series;
    const series = [
      { name: reported.name, type: "bar", data: reported.data, barMaxWidth: 14,
        itemStyle: { color: colours.reported, opacity: dark ? 0.85 : 0.75, borderRadius: [3, 3, 0, 0] } },
      { name: closed.name, type: "line", data: closed.data, symbolSize: 5, lineStyle: { width: 2 },
        itemStyle: { color: colours.closed } },
    ];
    target.setOption({
      backgroundColor: "transparent",
      tooltip: { trigger: "axis" },
      legend: { top: 0, textStyle: { color: colours.text } },
      grid: { left: 40, right: 16, top: 32, bottom: 28 },
      xAxis: { type: "category", data: data.trend.days, axisLabel: { color: colours.text } },
      yAxis: { type: "value", minInterval: 1, axisLabel: { color: colours.text }, splitLine: { lineStyle: { color: colours.grid } } },
      series: series,
    });
  }

  function drawClasses(data) {
    const target = chart("classes-chart");
    if (!target) return;
    const none = data.classes.counts.length === 0;
    target.setOption(
      {
        backgroundColor: "transparent",
        title: none ? empty("—") : { show: false },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        grid: { left: 8, right: 36, top: 8, bottom: 8, containLabel: true },
        xAxis: { type: "value", minInterval: 1, show: false },
        yAxis: { type: "category", data: data.classes.names, axisTick: { show: false }, axisLabel: { color: colours.text } },
        series: [
          {
            type: "bar",
            data: data.classes.counts,
            barMaxWidth: 18,
            itemStyle: { color: colours.bar, borderRadius: [0, 4, 4, 0] },
            label: { show: true, position: "right", color: colours.text },
          },
        ],
      },
      true
    );
  }

  function drawStatuses(data) {
    const target = chart("status-chart");
    if (!target) return;
    target.setOption(
      {
        backgroundColor: "transparent",
        title: data.statuses.length ? { show: false } : empty("—"),
        tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
        legend: {
          orient: "vertical",
          right: 8,
          top: "middle",
          itemGap: 10,
          textStyle: { color: colours.text, fontSize: 15 },
          formatter: (name) => name + "  " + (data.statuses.find((s) => s.name === name) || { value: 0 }).value,
        },
        color: ["#4fc3f7", "#ffb74d", "#9575cd", "#66bb6a", "#ff8a65", "#26c6da", "#ef5350", "#d4e157", "#bdbdbd", "#f06292"],
        series: [
          {
            type: "pie",
            radius: ["45%", "72%"],
            center: ["30%", "50%"],
            data: data.statuses,
            label: { show: false },
            itemStyle: { borderColor: dark ? "#061324" : "#fff", borderWidth: 2 },
          },
        ],
      },
      true
    );
  }

  function drawOnTime(data) {
    const target = chart("ontime-chart");
    if (!target) return;
    const value = data.onTime === null ? 0 : data.onTime;
    target.setOption({
      backgroundColor: "transparent",
      series: [
        {
          type: "gauge",
          startAngle: 210,
          endAngle: -30,
          min: 0,
          max: 100,
          radius: "95%",
          center: ["50%", "58%"],
          progress: { show: true, width: 12, itemStyle: { color: value >= 90 ? "#66bb6a" : value >= 75 ? "#f2b705" : "#ef5350" } },
          axisLine: { lineStyle: { width: 12, color: [[1, "rgba(120,160,200,.2)"]] } },
          axisTick: { show: false },
          splitLine: { show: false },
          axisLabel: { show: false },
          pointer: { show: false },
          anchor: { show: false },
          title: { show: true, offsetCenter: [0, "45%"], color: colours.text, fontSize: 15 },
          detail: {
            valueAnimation: true,
            offsetCenter: [0, "0%"],
            fontSize: 28,
            color: "#e6f1ff",
            formatter: data.onTime === null ? "—" : "{value}%",
          },
          data: [{ value: value, name: data.labels.onTime }],
        },
      ],
    });
  }

  function draw() {
    const source = document.getElementById("chart-json");
    if (!source) return;
    const data = JSON.parse(source.textContent);
    drawTrend(data);
    drawClasses(data);
    drawOnTime(data);
    drawStatuses(data);
  }

  function tick() {
    const clock = document.getElementById("screen-clock");
    if (!clock) return;
    clock.textContent = new Date().toLocaleString(document.documentElement.lang === "en" ? "en-GB" : "zh-CN", {
      timeZone: "Asia/Shanghai",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      weekday: "short",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
  }

  draw();
  tick();
  setInterval(tick, 1000);
  document.body.addEventListener("htmx:oobAfterSwap", (event) => {
    if (event.detail.target && event.detail.target.id === "figure-chart-data") draw();
  });
  window.addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));
})();
