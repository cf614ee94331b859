// NPOHub chart glue: every element with data-chart-source="<json_script id>" becomes an
// ECharts bar chart. The JSON holds {categories, series: [{name, data}], urls?}; a click on a
// bar follows urls[index] (drill-down). ECharts is vendored (static/vendor/echarts).
(function () {
  "use strict";

  var PALETTE = ["#b3261e", "#0b57d0", "#9a6700", "#1a7f37", "#8250df", "#656d76"];

  function barOption(data) {
    var many = data.categories.length > 8;
    return {
      color: PALETTE,
      animation: false,
      // richText: the tooltip is drawn on the canvas; the HTML tooltip would need style=
      // attributes, which the Content-Security-Policy forbids.
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText" },
      legend: { top: 0, type: "scroll" },
      grid: { left: 48, right: 16, top: 36, bottom: many ? 96 : 40, containLabel: false },
      xAxis: {
        type: "category",
        data: data.categories,
        axisLabel: { interval: 0, rotate: many ? 40 : 0, width: 110, overflow: "truncate" }
      },
      yAxis: { type: "value", minInterval: 1 },
      series: data.series.map(function (s) {
        return {
          name: s.name,
          type: "bar",
          stack: data.stacked === false ? undefined : "total",
          barMaxWidth: 48,
          emphasis: { focus: "series" },
          data: s.data
        };
      })
    };
  }

  function render(el) {
    if (!window.echarts) return;
    var source = document.getElementById(el.getAttribute("data-chart-source"));
    if (!source) return;
    var data = JSON.parse(source.textContent);
    if (!data.categories || !data.categories.length) {
      el.style.display = "none";
      return;
    }
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(barOption(data));
    if (data.urls) {
      el.style.cursor = "pointer";
      chart.on("click", function (params) {
        var url = data.urls[params.dataIndex];
        if (url) window.location.href = url;
      });
    }
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function renderAll() {
    document.querySelectorAll("[data-chart-source]").forEach(render);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", renderAll);
  } else {
    renderAll();
  }
})();
