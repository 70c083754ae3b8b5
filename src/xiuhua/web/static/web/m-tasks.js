// Ask the phone where it is, then redraw the task list nearest first; without a position it stays in deadline
// order. The list's URL comes from this script tag's data-tasks-url.
(function () {
  const tasksUrl = document.currentScript.dataset.tasksUrl;
  function nearest(force) {
    if (!navigator.geolocation) return;
    const list = document.getElementById('task-list');
    if (!force && list.dataset.sort === 'distance') return;
    navigator.geolocation.getCurrentPosition(function (pos) {
      const url = tasksUrl + '?lng=' + pos.coords.longitude.toFixed(6) + '&lat=' + pos.coords.latitude.toFixed(6);
      htmx.ajax('GET', url, {target: '#task-list', swap: 'outerHTML'});
    }, function () {}, {enableHighAccuracy: true, timeout: 10000, maximumAge: 60000});
  }
  document.addEventListener('click', function (e) { if (e.target.closest('[data-locate]')) nearest(true); });
  nearest(false);
})();
