// Show the photos just taken, so the inspector sees what will be sent; one press of the button sends the form.
document.querySelectorAll('.m-camera input[type=file]').forEach(function (input) {
  input.addEventListener('change', function () { previewPhotos(input); });
});
document.querySelectorAll('form.m-action').forEach(function (form) {
  form.addEventListener('submit', function () { form.querySelector('[type=submit]').disabled = true; });
});
