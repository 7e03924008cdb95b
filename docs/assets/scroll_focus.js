// A region that scrolls sideways must be reachable from the keyboard, or a reader
// without a mouse cannot see its right-hand part (WCAG 2.1.1; axe-core's rule
// scrollable-region-focusable, which tests/test_browser.py runs on every page). Material
// makes a code block focusable while it overflows; this does the same for a display
// formula (.katex-display, which scrolls: extra.css) and a table wider than the text
// (Material's .md-typeset__scrollwrap, written by hooks/table_wraps.py). Only while they
// overflow, so that the ones that fit add no stop to the tab order.
(function () {
  function mark() {
    var regions = document.querySelectorAll(".md-typeset .katex-display, .md-typeset__scrollwrap");
    Array.prototype.forEach.call(regions, function (region) {
      if (region.scrollWidth > region.clientWidth) region.setAttribute("tabindex", "0");
      else region.removeAttribute("tabindex");
    });
  }
  // Called once when observing starts, then whenever the page's size changes (a resized
  // or zoomed window).
  new ResizeObserver(mark).observe(document.body);
})();
