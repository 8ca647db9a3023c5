/* The GC error summary (templates/partials/error_summary.html): it takes the focus when the page loads, so
   a screen reader reads it first and a keyboard starts from it; each of its links moves the focus to its
   field and brings the field's label into view (a plain #id link would scroll the label out of sight). */
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) { return; }
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-error-target]");
    if (!link) { return; }
    var field = document.getElementById(link.getAttribute("data-error-target"));
    if (!field) { return; }
    event.preventDefault();
    // A field inside a folded panel (a collapsed filter panel, a closed <details>) is opened first.
    var details = field.closest("details");
    if (details) { details.open = true; }
    var collapsed = field.closest(".collapse:not(.show)");
    if (collapsed && window.bootstrap && window.bootstrap.Collapse) {
      window.bootstrap.Collapse.getOrCreateInstance(collapsed, { toggle: false }).show();
    }
    var label = document.querySelector("label[for='" + CSS.escape(field.id) + "']") || field.closest("fieldset");
    (label || field).scrollIntoView({ block: "start" });
    field.focus({ preventScroll: true });
  });
}());
