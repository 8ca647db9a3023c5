/* A wide table that scrolls sideways inside its frame (.table-responsive, on a phone) must be reachable by
   the keyboard, or its hidden columns cannot be scrolled into view without a mouse (WCAG 2.1.1): while it
   scrolls, its frame takes the focus (tabindex="0") and is a region named by the table's caption. Checked
   again when the window changes size. */
(function () {
  "use strict";
  var count = 0;

  function update() {
    Array.prototype.forEach.call(document.querySelectorAll(".table-responsive"), function (frame) {
      // a frame its template already made focusable is left as it is
      if (frame.hasAttribute("tabindex") && !frame.hasAttribute("data-scroll-region")) { return; }
      var scrolls = frame.scrollWidth > frame.clientWidth + 1;
      if (scrolls && !frame.hasAttribute("data-scroll-region")) {
        frame.setAttribute("data-scroll-region", "");
        frame.setAttribute("tabindex", "0");
        var caption = frame.querySelector("caption");
        if (caption) {
          if (!caption.id) { count += 1; caption.id = "scroll-region-caption-" + count; }
          frame.setAttribute("role", "region");
          frame.setAttribute("aria-labelledby", caption.id);
        }
      } else if (!scrolls && frame.hasAttribute("data-scroll-region")) {
        frame.removeAttribute("data-scroll-region");
        frame.removeAttribute("tabindex");
        frame.removeAttribute("role");
        frame.removeAttribute("aria-labelledby");
      }
    });
  }

  update();
  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(update, 150);
  });
}());
