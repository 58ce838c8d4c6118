// qudao charts: draws every <div data-chart="…"> from the JSON block it names, with ECharts
// (/static/vendor/echarts.min.js). See templates/charts.html for the spec. The figure's
// table holds the same numbers, so nothing is lost where this does not run.
"use strict";

(function () {
  var PALETTE = ["#1f6f8b", "#b5651d", "#2e8b57", "#7b4ea3", "#c0392b", "#5d6d7e"];

  function pageLocale() {
    return document.documentElement.getAttribute("lang") || "en";
  }

  // Numbers read in the page's language: 1,234.5 / 1,234.5; money with its currency.
  function formatter(locale, format, compact) {
    var options = {};
    format = format || {};
    if (format.style === "currency" && format.currency) {
      options.style = "currency";
      options.currency = format.currency;
    } else if (format.style === "percent") {
      options.style = "percent";
    }
    if (typeof format.digits === "number") {
      options.maximumFractionDigits = format.digits;
    }
    if (compact) {
      options.notation = "compact";
      options.maximumFractionDigits = 1;
    }
    var intl = new Intl.NumberFormat(locale, options);
    return function (value) {
      return value === null || value === undefined || value === "" ? "–" : intl.format(Number(value));
    };
  }

  function number(value) {
    return value === null || value === undefined || value === "" ? null : Number(value);
  }

  function seriesOf(spec) {
    var time = spec.x === "time";
    return (spec.series || []).map(function (item, index) {
      var data = (item.data || []).map(function (point) {
        return time ? [point[0], number(point[1])] : number(point);
      });
      var shown = {
        name: item.name,
        // A series may draw itself otherwise than the chart (a threshold line over bars).
        type: (item.type || spec.type) === "bar" ? "bar" : "line",
        data: data,
        color: item.color || PALETTE[index % PALETTE.length],
        connectNulls: false
      };
      if (shown.type === "line") {
        // A dashed line is a reference (a pace, a target): no points to point at.
        shown.showSymbol = !item.dashed && data.length <= 40;
        shown.symbolSize = 5;
        shown.lineStyle = {width: 2, type: item.dashed ? "dashed" : "solid"};
        if (item.area) {
          shown.areaStyle = {opacity: 0.12};
        }
      }
      return shown;
    });
  }

  function draw(canvas) {
    var block = document.getElementById(canvas.getAttribute("data-chart"));
    if (!block || typeof window.echarts === "undefined") {
      return;
    }
    var spec = JSON.parse(block.textContent);
    var locale = pageLocale();
    var full = formatter(locale, spec.format, false);
    var short = formatter(locale, spec.format, true);
    // CSSOM, not a style attribute: the Content-Security-Policy allows no inline styles.
    canvas.style.height = (spec.height || 320) + "px";
    canvas.style.width = "100%";
    var chart = window.echarts.init(canvas, null, {
      locale: locale.indexOf("zh") === 0 ? "ZH" : "EN",
      renderer: "canvas"
    });
    var time = spec.x === "time";
    chart.setOption({
      aria: {enabled: true},
      animation: false,
      useUTC: true,
      textStyle: {fontFamily: "inherit"},
      legend: {top: 0, left: 0},
      // Turned labels reach left of the first bar: room for them.
      grid: {left: spec.rotate ? 56 : 8, right: 24, top: 40, bottom: 8, containLabel: true},
      // Rich text, not HTML: the tooltip needs no inline styles.
      tooltip: {trigger: "axis", renderMode: "richText", valueFormatter: full},
      // "rotate": every category label shown, turned and cut short so that long names fit
      // (the tooltip and the table keep them whole).
      xAxis: time ? {type: "time"} : {type: "category", data: spec.categories || [],
        axisLabel: spec.rotate ? {interval: 0, rotate: spec.rotate, width: 110,
                                  overflow: "truncate"} : {}},
      // Values shown without decimals (counts) step by whole units.
      yAxis: {type: "value", axisLabel: {formatter: short},
        minInterval: (spec.format || {}).digits === 0 ? 1 : 0},
      series: seriesOf(spec)
    });
    canvas.setAttribute("data-drawn", "true");
    window.addEventListener("resize", function () {
      chart.resize();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-chart]").forEach(draw);
  });
})();
