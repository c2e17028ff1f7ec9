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
  function drawCharts(root) {
    if (!window.echarts) { return; }
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      var src = document.getElementById(el.dataset.chart);
      if (!src || el.dataset.drawn) { return; }
      var chart = window.echarts.init(el);
      chart.setOption(JSON.parse(src.textContent));
      el.dataset.drawn = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.body.addEventListener("htmx:afterSwap", function (evt) { drawCharts(evt.target); });
  // Print buttons.
  document.addEventListener("click", function (evt) {
    var btn = evt.target.closest("[data-print]");
    if (btn) { window.print(); }
  });
})();
