/* The evaluation page: the month picker fills the period field, and the scores are drawn as bars (ECharts). */
(function () {
  "use strict";

  const month = document.querySelector("[data-period-month]");
  if (month) {
    month.addEventListener("change", function () {
      if (!month.value) return;
      const form = month.form;
      form.querySelector("input[name=period]").value = month.value;
      form.submit();
    });
  }

  const element = document.getElementById("scores-chart");
  const source = document.getElementById("scores-json");
  if (!element || !source || typeof echarts === "undefined") return;
  const data = JSON.parse(source.textContent);
  const colours = { A: "#198754", B: "#0d6efd", C: "#0dcaf0", D: "#ffc107", E: "#dc3545" };
  const chart = echarts.init(element, null, { renderer: "canvas" });
  chart.setOption({
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: "value", min: 0, max: 100, show: false },
    yAxis: { type: "category", data: data.names, axisTick: { show: false } },
    series: [
      {
        name: data.label,
        type: "bar",
        barMaxWidth: 16,
        data: data.scores.map((score, i) => ({ value: score, itemStyle: { color: colours[data.grades[i]] || "#6c757d" } })),
        label: { show: true, position: "right" },
        itemStyle: { borderRadius: [0, 4, 4, 0] },
      },
    ],
  });
  window.addEventListener("resize", () => chart.resize());
})();
