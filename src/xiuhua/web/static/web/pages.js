// Behaviour every page may use, as data attributes instead of inline handlers (the CSP allows no inline script).
// <select data-autosubmit>: choosing an option submits its form.
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field.matches && field.matches("[data-autosubmit]") && field.form) field.form.submit();
});
