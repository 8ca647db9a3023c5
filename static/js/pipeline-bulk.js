/* The pipeline's bulk actions offer only what can happen to the ticked applicants.
   Each row's checkbox carries the moves the server allows for it (data-moves, space-separated
   action keys); each option of the action list its label (data-label). On every change this
   enables only the moves that apply to at least one ticked row and labels each with how many,
   e.g. "Select (2 of 5)", from the translated format the page gives (data-count-format), and the
   status line says how many applicants are ticked. The server stays the authority: it moves the
   rows it can and reports the others. Without JavaScript every offered move stays enabled. */
(function () {
  "use strict";
  var form = document.getElementById("bulk-form");
  if (!form) { return; }
  var select = form.querySelector("select[name=action]");
  var status = document.getElementById("bulk-status");
  if (!select || !status) { return; }
  var format = select.getAttribute("data-count-format") || "{label} ({n} of {total})";

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  function tickedMoves() {
    var boxes = form.querySelectorAll("input[type=checkbox][name=applications]");
    var ticked = [];
    Array.prototype.forEach.call(boxes, function (box) {
      if (box.checked) {
        ticked.push((box.getAttribute("data-moves") || "").split(/\s+/).filter(Boolean));
      }
    });
    return ticked;
  }

  function update() {
    var ticked = tickedMoves();
    var total = ticked.length;
    Array.prototype.forEach.call(select.options, function (option) {
      if (!option.value) { return; }
      var label = option.getAttribute("data-label") || option.textContent;
      var n = ticked.filter(function (moves) { return moves.indexOf(option.value) !== -1; }).length;
      option.disabled = n === 0;
      option.textContent = total ? fill(format, { label: label, n: n, total: total }) : label;
    });
    var chosen = select.options[select.selectedIndex];
    if (chosen && chosen.disabled) { select.value = ""; }
    var message = total === 0 ? status.getAttribute("data-none")
      : fill(status.getAttribute(total === 1 ? "data-one" : "data-many") || "", { total: total });
    if (status.textContent !== message) { status.textContent = message; }
  }

  form.addEventListener("change", function (event) {
    if (event.target && event.target.name === "applications") { update(); }
  });
  update();
}());
