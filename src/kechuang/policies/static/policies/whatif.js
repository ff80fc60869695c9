// What-if comparison charts: data from the page's JSON (json_script), titles from data attributes.
// A file of its own rather than an inline script, so the pages work under a Content-Security-Policy
// without 'unsafe-inline'.
(function () {
  "use strict";
  var source = document.getElementById("whatif-data");
  if (!source || typeof Chart === "undefined") { return; }
  var d = JSON.parse(source.textContent);
  var root = document.getElementById("whatif-charts");
  var before = root.dataset.before, after = root.dataset.after;
  function bar(id, labels, a, b) {
    var canvas = document.getElementById(id);
    new Chart(canvas, {type: "bar", data: {labels: labels, datasets: [
      {label: before, data: a}, {label: after, data: b}]},
      options: {maintainAspectRatio: false, plugins: {title: {display: true, text: canvas.dataset.title}}}});
  }
  bar("chart-eligible", d.policies, d.eligible_before, d.eligible_after);
  bar("chart-district", d.districts, d.district_before, d.district_after);
  bar("chart-industry", d.industries, d.industry_before, d.industry_after);
})();
