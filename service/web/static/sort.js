// Sortable result tables: every table.results gets a button in each column header; a click sorts its rows by that
// column (ascending, then descending), numbers as numbers and dates as dates, text in the reader's collation.
// aria-sort on the header says how the table is sorted. Tables added later (the SPARQL editor's JSON results) are
// enhanced when they appear. No inline script: the Content-Security-Policy forbids it.
(function () {
  "use strict";

  var NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

  function cellText(row, index) {
    var cell = row.cells[index];
    return cell ? cell.textContent.trim() : "";
  }

  function compare(a, b) {
    if (a === b) { return 0; }
    if (a === "") { return 1; }   // empty cells (unbound variables) last, whichever the direction
    if (b === "") { return -1; }
    var na = a.replace(/,/g, ""), nb = b.replace(/,/g, "");
    if (NUMBER.test(na) && NUMBER.test(nb)) { return parseFloat(na) - parseFloat(nb); }
    return collator.compare(a, b);  // ISO dates sort correctly as text; numeric collation orders "item 2" < "item 10"
  }

  function sortBy(table, header, index) {
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(header.parentNode.children, function (th) { th.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    Array.prototype.forEach.call(table.tBodies, function (body) {
      var rows = Array.prototype.slice.call(body.rows);
      rows.forEach(function (row, position) { if (!row.dataset.order) { row.dataset.order = String(position); } });
      rows.sort(function (r1, r2) {
        var a = cellText(r1, index), b = cellText(r2, index);
        if (a === "" || b === "") { return compare(a, b) || (+r1.dataset.order - +r2.dataset.order); }
        var order = compare(a, b);
        return (ascending ? order : -order) || (+r1.dataset.order - +r2.dataset.order);  // stable
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  }

  function enhance(table) {
    if (table.dataset.sortable === "done" || !table.tHead || !table.tHead.rows.length) { return; }
    table.dataset.sortable = "done";
    var headers = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(headers, function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      button.setAttribute("title", "Sort by this column");
      th.appendChild(button);
      button.addEventListener("click", function () { sortBy(table, th, index); });
    });
  }

  function enhanceAll(root) {
    Array.prototype.forEach.call(root.querySelectorAll("table.results"), enhance);
  }

  function init() {
    enhanceAll(document);
    if (window.MutationObserver) {
      new MutationObserver(function (changes) {
        changes.forEach(function (change) {
          Array.prototype.forEach.call(change.addedNodes, function (added) {
            if (added.nodeType !== 1) { return; }
            if (added.matches("table.results")) { enhance(added); } else { enhanceAll(added); }
          });
        });
      }).observe(document.body, { childList: true, subtree: true });
    }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
