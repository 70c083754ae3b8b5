/* Charts of the dashboard and the big screen (ECharts), drawn from the JSON in #chart-json, and the refresh.
 *
 * One timer refreshes the page: it fetches the figures (each element carrying an id replaces the one on the
 * page), redraws the charts in place (each ECharts instance is created once and only given new options) and
 * reloads the map's cases (the layer is cleared and refilled, never stacked). The page must run for days on a
 * wall: nothing grows with each refresh. When a refresh fails (server restarting, network down) a discreet
 * notice shows and the next try waits longer (5 s, 10 s, 20 s … up to the refresh interval); the first success
 * hides it and the normal rhythm resumes. If the session has ended, the page reloads (to the login page).
 * window.XiuhuaFigures.refresh() runs one refresh now (tests use it); it resolves true on success.
 * On the big screen (body.big-screen) the charts use ECharts' dark theme, large type and a ticking clock.
 */
(function () {
  "use strict";

  const dark = document.body.classList.contains("big-screen");
  const colours = dark
    ? { reported: "#4fc3f7", closed: "#66bb6a", bar: "#29b6f6", text: "#b8cbe0", grid: "rgba(120,160,200,.15)" }
    : { reported: "#0d6efd", closed: "#2e9d4f", bar: "#3d8bfd", text: "#495057", grid: "#e9ecef" };
  // Type sizes on canvas (CSS cannot reach it): the wall is read from across a room, at 1920×1080.
  const fonts = dark ? { axis: 18, legend: 18, label: 18, gauge: 44, gaugeTitle: 18 } : { axis: 12, legend: 13, label: 12, gauge: 28, gaugeTitle: 14 };
  const charts = {};

  function chart(id) {
    const element = document.getElementById(id);
    if (!element) return null;
    if (!charts[id]) {
      charts[id] = echarts.init(element, dark ? "dark" : null, { renderer: "canvas" });
      charts[id].on("click", openCases); // once per instance: redraws give new options, never new handlers
      // Drawn and done animating (bars and slices take clicks where they finally are): for people and tests.
      charts[id].on("finished", () => (element.dataset.drawn = "true"));
    }
    return charts[id];
  }

  /* A bar or slice opens the case list behind it, like every other figure: the link comes with the data
   * (a slice's own `link`, a bar's entry in the chart's `links`), built by the server from the same definitions. */
  const linksOf = {};
  function openCases(params) {
    const link = (params.data && params.data.link) || (linksOf[params.seriesId] || [])[params.dataIndex];
    if (typeof link === "string" && link.startsWith("/")) window.location.assign(link);
  }

  function empty(text) {
    return { text: text, left: "center", top: "middle", textStyle: { color: colours.text, fontSize: fonts.label, fontWeight: "normal" } };
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
      legend: { top: 0, textStyle: { color: colours.text, fontSize: fonts.legend } },
      grid: { left: 8, right: 16, top: dark ? 40 : 32, bottom: 4, containLabel: true },
      xAxis: { type: "category", data: data.trend.days, axisLabel: { color: colours.text, fontSize: fonts.axis } },
      yAxis: { type: "value", minInterval: 1, axisLabel: { color: colours.text, fontSize: fonts.axis }, splitLine: { lineStyle: { color: colours.grid } } },
      series: series,
    });
  }

  function drawClasses(data) {
    const target = chart("classes-chart");
    if (!target) return;
    linksOf.classes = data.classes.links || [];
    const none = data.classes.counts.length === 0;
    target.setOption(
      {
        backgroundColor: "transparent",
        title: none ? empty("—") : { show: false },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        grid: { left: 8, right: 36, top: 8, bottom: 8, containLabel: true },
        xAxis: { type: "value", minInterval: 1, show: false },
        yAxis: { type: "category", data: data.classes.names, axisTick: { show: false }, axisLabel: { color: colours.text, fontSize: fonts.axis } },
        series: [
          {
            id: "classes",
            type: "bar",
            data: data.classes.counts,
            barMaxWidth: dark ? 24 : 18,
            itemStyle: { color: colours.bar, borderRadius: [0, 4, 4, 0] },
            label: { show: true, position: "right", color: colours.text, fontSize: fonts.label },
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
          type: "scroll",
          orient: "vertical",
          right: 8,
          top: "middle",
          itemGap: 10,
          textStyle: { color: colours.text, fontSize: fonts.legend },
          pageTextStyle: { color: colours.text, fontSize: fonts.legend },
          formatter: (name) => name + "  " + (data.statuses.find((s) => s.name === name) || { value: 0 }).value,
        },
        // Each slice carries its status's colour (web/palette.py): no palette cycling, no two slices alike.
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
          title: { show: true, offsetCenter: [0, "48%"], color: colours.text, fontSize: fonts.gaugeTitle },
          detail: {
            valueAnimation: true,
            offsetCenter: [0, "0%"],
            fontSize: fonts.gauge,
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

  /* The figures refresh: replace each figure element by id, redraw, reload the map's cases. */
  const poll = document.querySelector("[data-figures-url]");
  const offline = document.querySelector("[data-testid=figures-offline]");
  const every = poll ? Math.max(Number(poll.dataset.refreshSeconds) || 60, 1) * 1000 : 0;
  const FIRST_RETRY = 5000;
  let retry = FIRST_RETRY;
  let timer = null;
  let running = null;

  function swapFigures(html) {
    const fresh = new DOMParser().parseFromString(html, "text/html");
    let swapped = 0;
    for (const element of fresh.body.querySelectorAll("[id]")) {
      if (element.parentElement !== fresh.body) continue; // only the top-level figure blocks
      const current = document.getElementById(element.id);
      if (!current) continue;
      element.removeAttribute("hx-swap-oob");
      const adopted = document.adoptNode(element);
      current.replaceWith(adopted);
      if (window.htmx) window.htmx.process(adopted);
      swapped++;
    }
    return swapped;
  }

  function reloadMaps() {
    for (const element of document.querySelectorAll("[data-map-options]")) {
      if (element.xiuhua && element.xiuhua.cases) element.xiuhua.cases.load();
    }
  }

  function schedule(delay) {
    document.body.dataset.nextRefresh = String(delay); // for people and tests: when the next try comes, in ms
    clearTimeout(timer);
    timer = setTimeout(refresh, delay);
  }

  function fetchFigures() {
    return fetch(poll.dataset.figuresUrl, { credentials: "same-origin", headers: { Accept: "text/html" }, cache: "no-store" }).then(
      (response) => {
        if (response.redirected && new URL(response.url).pathname.startsWith("/login")) {
          window.location.reload(); // the session ended: the wall shows the login page rather than stale figures
          return Promise.reject(new Error("signed out"));
        }
        return response.ok ? response.text() : Promise.reject(new Error("HTTP " + response.status));
      }
    );
  }

  function refresh() {
    if (!poll) return Promise.resolve(false);
    if (running) return running;
    running = fetchFigures()
      .then((html) => {
        if (!swapFigures(html)) throw new Error("no figures in the answer");
        draw();
        reloadMaps();
        retry = FIRST_RETRY;
        if (offline) offline.hidden = true;
        document.body.dataset.figures = "live";
        schedule(every);
        return true;
      })
      .catch((error) => {
        console.warn("xiuhua figures:", error.message);
        if (offline) offline.hidden = false;
        document.body.dataset.figures = "offline";
        schedule(Math.min(retry, every));
        retry = Math.min(retry * 2, every);
        return false;
      })
      .finally(() => {
        running = null;
      });
    return running;
  }

  draw();
  tick();
  setInterval(tick, 1000);
  if (poll) schedule(every);
  window.addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));
  window.XiuhuaFigures = { refresh: refresh };
})();
