/* Charts drawn from the figures a page carries, with no inline script (the Content-Security-Policy
   allows scripts from our own files only).

   <canvas data-chart="bar|line" data-source="ID of a json_script element" ...>
     data-labels    rows: the field holding each row's label (default "label");
                    columns: the key of the label list
     data-values    the field(s) or key(s) holding the values, comma-separated (one series each)
     data-names     the series' names, separated by "|"
     data-horizontal  bars run sideways          data-title   a title above the chart
     data-legend="off"  no legend                data-color   one colour for a single series
     data-fill-height   the chart fills its box (no fixed aspect ratio), without animation
   The data is either a list of rows ({label, value…}) or an object of columns ({labels: […], a: […]}). */
(function () {
  "use strict";
  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.source);
    if (!source || !window.Chart) return;
    var data = JSON.parse(source.textContent);
    var keys = (canvas.dataset.values || "value").split(",");
    var names = (canvas.dataset.names || "").split("|");
    var labels, series;
    if (Array.isArray(data)) {
      var labelKey = canvas.dataset.labels || "label";
      labels = data.map(function (row) { return row[labelKey]; });
      series = keys.map(function (key) { return data.map(function (row) { return row[key]; }); });
    } else {
      labels = data[canvas.dataset.labels];
      series = keys.map(function (key) { return data[key]; });
    }
    var datasets = series.map(function (values, i) {
      var set = {label: names[i] || "", data: values};
      if (canvas.dataset.color) { set.backgroundColor = canvas.dataset.color; set.borderColor = canvas.dataset.color; }
      return set;
    });
    var plugins = {};
    if (canvas.dataset.legend === "off") plugins.legend = {display: false};
    if (canvas.dataset.title) plugins.title = {display: true, text: canvas.dataset.title};
    var options = {plugins: plugins};
    if ("horizontal" in canvas.dataset) options.indexAxis = "y";
    if ("fillHeight" in canvas.dataset) { options.maintainAspectRatio = false; options.animation = false; }
    new window.Chart(canvas, {type: canvas.dataset.chart, data: {labels: labels, datasets: datasets}, options: options});
  }
  function drawAll() { document.querySelectorAll("canvas[data-chart]").forEach(draw); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", drawAll); else drawAll();
})();
