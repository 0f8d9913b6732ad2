// The HTML report's index filter. Inlined into the report (its hash is in the report's Content-Security-Policy).
// Without JavaScript the box stays hidden and the report reads as before. Rows carry their searchable text in a
// data-search attribute; the script only reads that text and shows or hides rows: it never builds HTML.
(function () {
  "use strict";
  var box = document.getElementById("search");
  var input = document.getElementById("search-input");
  var count = document.getElementById("search-count");
  if (!box || !input || !count) {
    return;
  }
  var rows = Array.prototype.slice.call(document.querySelectorAll("#index [data-search]"));
  box.hidden = false;
  function apply() {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    rows.forEach(function (row) {
      var text = row.getAttribute("data-search") || "";
      var match = words.every(function (word) { return text.indexOf(word) !== -1; });
      row.hidden = !match;
      if (match) {
        shown += 1;
      }
    });
    count.textContent = words.length ? shown + " of " + rows.length + " entries match" : "";
  }
  input.addEventListener("input", apply);
  apply();
})();
