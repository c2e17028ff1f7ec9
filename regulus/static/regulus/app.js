// Regulus shell behaviour. No inline script anywhere (CSP): pages declare data attributes.
(function () {
  "use strict";
  // htmx requests carry the CSRF token of the page.
  document.body.addEventListener("htmx:configRequest", function (evt) {
    evt.detail.headers["X-CSRFToken"] = document.body.dataset.csrf;
  });
  // Forms and buttons with data-confirm ask before they act.
  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    var msg = form.dataset.confirm || (evt.submitter && evt.submitter.dataset.confirm);
    if (msg && !window.confirm(msg)) { evt.preventDefault(); }
  }, true);
  // Selects with data-autosubmit submit their filter form on change.
  document.addEventListener("change", function (evt) {
    if (evt.target.matches("[data-autosubmit]")) { evt.target.form.requestSubmit(); }
  });
  // Charts: <div data-chart="ID"> with <script type="application/json" id="ID">option</script>.
  // A chart with a row per category (data-chart-rows="N") is made as tall as its rows need.
  // Drawn as SVG: sharp when printed, and its labels can be checked by the browser tests.
  function drawCharts(root) {
    if (!window.echarts) { return; }
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      var src = document.getElementById(el.dataset.chart);
      if (!src || el.dataset.drawn) { return; }
      var rows = parseInt(el.dataset.chartRows || "0", 10);
      if (rows) { el.style.height = Math.max(320, 90 + 30 * rows) + "px"; }
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      chart.setOption(JSON.parse(src.textContent));
      el.dataset.drawn = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  // Lists that become cards on phones (table.table-cards): each cell is labelled with its
  // column's heading, which the card shows beside the value (app.css).
  function labelCells(root) {
    root.querySelectorAll("table.table-cards").forEach(function (table) {
      var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.trim();
      });
      table.querySelectorAll("tbody tr").forEach(function (tr) {
        Array.prototype.forEach.call(tr.children, function (td, i) {
          if (heads[i] && !td.hasAttribute("data-label") && !td.hasAttribute("colspan")) {
            td.setAttribute("data-label", heads[i]);
          }
        });
      });
    });
  }
  function enhance(root) { drawCharts(root); labelCells(root); }
  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.body.addEventListener("htmx:afterSwap", function (evt) { enhance(evt.target); });
  // Print buttons.
  document.addEventListener("click", function (evt) {
    var btn = evt.target.closest("[data-print]");
    if (btn) { window.print(); }
  });
})();
