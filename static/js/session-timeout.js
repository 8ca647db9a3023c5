/* Warns before the idle sign-out and lets the person stay signed in (WCAG 2.2.1).
   The server decides: the page asks how much time is left (which does not count as activity),
   shows the dialog `warning` seconds before the end, and "Stay signed in" posts to the server.
   Without JavaScript the dialog's forms still work as ordinary forms.
   The GC alert pattern, as the error summary: a modal alert dialog (role="alertdialog", its heading and
   text named), the focus moved into it on "Stay signed in" when it opens, and given back to where it was
   when it closes. */
(function () {
  "use strict";
  var dialog = document.getElementById("session-timeout");
  if (!dialog || typeof dialog.showModal !== "function" || !window.fetch) { return; }
  var idle = parseInt(dialog.dataset.idle, 10) || 1800;
  var warning = parseInt(dialog.dataset.warning, 10) || 120;
  var timer = null;
  var endTimer = null;
  var returnFocus = null;

  function toLogin() {
    window.location.href = dialog.dataset.loginUrl + "?next=" +
      encodeURIComponent(window.location.pathname + window.location.search);
  }

  function schedule(remaining) {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, Math.max(1, remaining - warning) * 1000);
  }

  function show(remaining) {
    if (!dialog.open) {
      returnFocus = document.activeElement;
      dialog.showModal();
    }
    var stay = dialog.querySelector("[data-stay]");
    if (stay) { stay.focus(); }
    window.clearTimeout(endTimer);
    endTimer = window.setTimeout(check, Math.max(1, remaining) * 1000);
  }

  function check() {
    window.fetch(dialog.dataset.statusUrl, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        if (!state.signed_in) { toLogin(); return; }
        if (state.remaining > warning) {
          if (dialog.open) { dialog.close(); }
          schedule(state.remaining);
        } else {
          show(state.remaining);
        }
      })
      .catch(function () { schedule(warning + 30); });
  }

  var form = dialog.querySelector("[data-stay-form]");
  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      window.fetch(form.action, {
        method: "POST", body: new FormData(form), credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (response) { return response.json(); })
        .then(function (state) {
          window.clearTimeout(endTimer);
          if (dialog.open) { dialog.close(); }
          if (!state.signed_in) { toLogin(); return; }
          schedule(state.remaining);
        })
        .catch(function () { form.submit(); });
    });
  }
  dialog.addEventListener("close", function () {
    if (returnFocus && document.contains(returnFocus) && typeof returnFocus.focus === "function") {
      returnFocus.focus();
    }
    returnFocus = null;
  });
  // Escape means the person is there: it keeps them signed in, like the button.
  dialog.addEventListener("cancel", function (event) {
    event.preventDefault();
    if (form && form.requestSubmit) { form.requestSubmit(); }
  });
  schedule(idle);
}());
