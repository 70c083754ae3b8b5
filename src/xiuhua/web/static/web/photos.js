/* Thumbnails of the photos chosen in a camera input (in `box`, else the .m-previews right after its label), so
 * the user sees what will be sent; the label turns green once it holds a photo. */
window.previewPhotos = function (input, box, max) {
  'use strict';
  const label = input.closest('label');
  box = box || label.nextElementSibling;
  label.classList.toggle('has-photo', input.files.length > 0);
  if (!box) return;
  box.replaceChildren();
  Array.from(input.files).slice(0, max || 9).forEach(function (file) {
    const img = document.createElement('img');
    img.src = URL.createObjectURL(file);
    img.alt = file.name;
    box.appendChild(img);
  });
};
