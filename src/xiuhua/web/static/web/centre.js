// Workbench queues: mark the row whose case is open beside the list, and bring the panel into view on
// narrow screens, where it sits below the list instead of beside it.
document.addEventListener("htmx:beforeRequest", (event) => {
  const row = event.detail.elt.closest ? event.detail.elt.closest("tr.queue-row") : null;
  if (!row) return;
  row.parentElement.querySelectorAll("tr.table-active").forEach((other) => other.classList.remove("table-active"));
  row.classList.add("table-active");
});

document.addEventListener("htmx:afterSwap", (event) => {
  const panel = event.detail.target;
  if (panel.id !== "side-panel") return;
  panel.scrollTop = 0;
  if (window.innerWidth < 1200) panel.scrollIntoView({ behavior: "smooth", block: "start" });
});

// Enter on a focused queue row opens it like a click (an htmx trigger filter would need eval, which the
// Content-Security-Policy forbids).
document.addEventListener("keyup", (event) => {
  if (event.key !== "Enter" || !event.target.matches || !event.target.matches("tr.queue-row")) return;
  event.target.click();
});
