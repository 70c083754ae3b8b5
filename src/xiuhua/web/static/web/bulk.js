// The case list's bulk selection: "select all on this page" and the count of ticked cases.
// Delegated from the document, because htmx swaps the table when filters, sorting or pages change.
(function () {
  "use strict";

  function form() {
    return document.getElementById("bulk-form");
  }

  function refresh() {
    const f = form();
    if (!f) return;
    const boxes = f.querySelectorAll("[data-bulk-check]");
    const ticked = f.querySelectorAll("[data-bulk-check]:checked").length;
    const counter = f.querySelector("[data-testid=bulk-selected]");
    if (counter) counter.textContent = String(ticked);
    const all = f.querySelector("[data-select-all]");
    if (all) {
      all.checked = boxes.length > 0 && ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
    }
  }

  document.addEventListener("change", function (event) {
    const target = event.target;
    if (target.matches("[data-select-all]")) {
      form().querySelectorAll("[data-bulk-check]").forEach((box) => {
        box.checked = target.checked;
      });
    }
    if (target.matches("[data-select-all], [data-bulk-check]")) refresh();
  });
  document.addEventListener("htmx:afterSwap", refresh);
  document.addEventListener("DOMContentLoaded", refresh);
})();
