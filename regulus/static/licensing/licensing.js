// Licensing pages: toggle forms declared with data-toggle-target (no inline script: CSP).
(function () {
  "use strict";
  document.addEventListener("click", function (evt) {
    var btn = evt.target.closest("[data-toggle-target]");
    if (!btn) { return; }
    var el = document.getElementById(btn.dataset.toggleTarget);
    if (el) { el.classList.toggle("d-none"); }
  });
})();
