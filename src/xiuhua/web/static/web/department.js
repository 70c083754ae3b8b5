// Department workbench: one action form open at a time, opening another closes the last.
document.addEventListener("toggle", (event) => {
  const opened = event.target;
  if (!opened.matches || !opened.matches(".action-panel") || !opened.open) return;
  document.querySelectorAll(".action-panel[open]").forEach((other) => { if (other !== opened) other.open = false; });
}, true);
