// The task -> loss finder (docs/reference/finder.md): a filter box over the table, and
// cell labels so that each row can be shown as a card on a narrow screen (finder.css).
// Local, no dependencies. Without JavaScript the table is a plain, scrollable table and
// the box is hidden (a <noscript> style next to it).
(function () {
  function setup() {
    var box = document.getElementById("finder-filter");
    var wrap = document.querySelector(".finder-table");
    var table = wrap && wrap.querySelector("table");
    if (!box || !table) return;
    var labels = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr"));
    rows.forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, i) {
        cell.setAttribute("data-label", labels[i] || "");
      });
    });
    wrap.classList.add("finder-cards");  // the box is in the page from the start: no shift
    function filter() {
      var words = box.value.toLowerCase().split(/\s+/).filter(Boolean);
      rows.forEach(function (row) {
        var text = row.textContent.toLowerCase();
        row.hidden = !words.every(function (w) { return text.indexOf(w) !== -1; });
      });
    }
    box.addEventListener("input", filter);
    var query = new URLSearchParams(window.location.search).get("q");
    if (query) { box.value = query; }
    filter();
  }
  if (typeof document$ !== "undefined") {
    document$.subscribe(setup);  // Material's page-load signal (also with instant loading)
  } else {
    document.addEventListener("DOMContentLoaded", setup);
  }
})();
