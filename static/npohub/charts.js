// NPOHub chart glue: every element with data-chart-source="<json_script id>" becomes an
// ECharts chart; data-chart-type picks the figure:
//   bar (default; stacked unless the data says "stacked": false), line (a trend over
//   time), rate (a line on a 0–100 % axis), pie (composition; the first series).
// The JSON holds {categories, series: [{name, data}], urls?, unit?} (data-chart-unit="%" puts
// a bar chart on a 0–100 % axis); a click on a bar, a point
// or a slice follows urls[index] (drill-down). No inline script or style anywhere (CSP): the
// data comes from json_script, the tooltip is drawn on the canvas (richText). The option is
// rebuilt when the element's width changes, so a chart is laid out again for a phone (390 px).
// ECharts is vendored (static/vendor/echarts).
(function () {
  "use strict";

  var PALETTE = ["#b3261e", "#0b57d0", "#9a6700", "#1a7f37", "#8250df", "#656d76",
    "#bf3989", "#0a7ea4"];

  function typeOf(el, data) { return el.getAttribute("data-chart-type") || data.type || "bar"; }

  // Phone layout (legend below, smaller labels) under 560 px; a pie with its legend beside it
  // needs more room.
  function narrow(el) {
    return el.clientWidth < (el.getAttribute("data-chart-type") === "pie" ? 720 : 560);
  }

  function axisOption(data, type, small) {
    var many = data.categories.length > (small ? 4 : 8);
    var line = type === "line" || type === "rate";
    var unit = type === "rate" ? "%" : (data.unit || "");
    var percent = unit === "%";
    return {
      color: PALETTE,
      animation: false,
      // richText: the tooltip is drawn on the canvas; the HTML tooltip would need style=
      // attributes, which the Content-Security-Policy forbids.
      tooltip: {
        trigger: "axis",
        axisPointer: { type: line ? "line" : "shadow" },
        renderMode: "richText",
        valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + unit; }
      },
      legend: small ? { bottom: 0, type: "scroll" } : { top: 0, type: "scroll" },
      grid: {
        // Rotated axis labels reach left of the first category: leave them room.
        left: many ? 28 : (small ? 8 : 16), right: small ? 8 : 16, top: small ? 16 : 36,
        bottom: small ? 36 : 8, containLabel: true
      },
      xAxis: {
        type: "category",
        boundaryGap: !line,
        data: data.categories,
        axisLabel: {
          interval: line ? "auto" : 0, rotate: many ? (small ? 60 : 40) : 0,
          width: small ? 72 : 110, overflow: "truncate", fontSize: small ? 10 : 12
        }
      },
      yAxis: percent
        ? { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }
        : { type: "value", minInterval: 1 },
      series: data.series.map(function (s) {
        if (line) {
          return {
            name: s.name, type: "line", data: s.data, connectNulls: false,
            symbolSize: small ? 4 : 6, emphasis: { focus: "series" }
          };
        }
        return {
          name: s.name, type: "bar", data: s.data, barMaxWidth: 48,
          stack: data.stacked === false ? undefined : "total",
          emphasis: { focus: "series" }
        };
      })
    };
  }

  function pieOption(data, small) {
    var s = data.series[0] || { name: "", data: [] };
    return {
      color: PALETTE,
      animation: false,
      tooltip: { trigger: "item", renderMode: "richText", formatter: "{b}：{c}（{d}%）" },
      legend: small
        ? { bottom: 0, type: "scroll" }
        : { orient: "vertical", right: 8, top: "middle", type: "scroll" },
      series: [{
        name: s.name,
        type: "pie",
        radius: small ? ["30%", "58%"] : ["35%", "68%"],
        center: small ? ["50%", "42%"] : ["40%", "50%"],
        label: { show: !small, formatter: "{b}\n{d}%" },
        data: data.categories.map(function (c, i) { return { name: c, value: s.data[i] }; })
      }]
    };
  }

  function optionFor(el, data) {
    var type = typeOf(el, data);
    if (el.getAttribute("data-chart-unit")) data.unit = el.getAttribute("data-chart-unit");
    var small = narrow(el);
    return type === "pie" ? pieOption(data, small) : axisOption(data, type, small);
  }

  function empty(data) {
    if (!data.categories || !data.categories.length) return true;
    return !data.series.some(function (s) {
      return s.data.some(function (v) { return v !== null && v !== 0; });
    });
  }

  function render(el) {
    if (!window.echarts || el.hasAttribute("data-chart-ready")) return;
    el.setAttribute("data-chart-ready", "");
    var source = document.getElementById(el.getAttribute("data-chart-source"));
    if (!source) return;
    var data = JSON.parse(source.textContent);
    if (empty(data)) {
      el.hidden = true;
      return;
    }
    var stale = window.echarts.getInstanceByDom(el);
    if (stale) stale.dispose();
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    var wasSmall = narrow(el);
    chart.setOption(optionFor(el, data));
    if (data.urls) {
      el.classList.add("chart-link");
      chart.on("click", function (params) {
        var url = data.urls[params.dataIndex];
        if (url) window.location.href = url;
      });
    }
    var relayout = function () {
      chart.resize();
      if (narrow(el) !== wasSmall) {
        wasSmall = narrow(el);
        chart.setOption(optionFor(el, data), { notMerge: true });
      }
    };
    if (window.ResizeObserver) {
      new window.ResizeObserver(relayout).observe(el);
    } else {
      window.addEventListener("resize", relayout);
    }
    // Printing: draw at the paper's width, then back.
    window.addEventListener("beforeprint", function () { chart.resize(); });
  }

  function renderAll() {
    document.querySelectorAll("[data-chart-source]").forEach(render);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", renderAll);
  } else {
    renderAll();
  }
  // Results swapped in by htmx (a filter) bring their own charts.
  document.addEventListener("htmx:afterSettle", renderAll);
})();
