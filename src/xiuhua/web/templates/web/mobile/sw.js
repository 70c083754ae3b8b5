{% load static %}/* The inspector app's service worker (scope /m/): the app opens without network.
 * Static files: cache first. Pages under /m/: network first, the last good copy when offline.
 * Posts are never touched: reports wait in the page's own outbox (m-queue.js) until the network returns. */
'use strict';
const CACHE = 'xiuhua-phone-{{ version }}';
const STATIC = [{% for url in static_files %}'{{ url }}'{% if not forloop.last %}, {% endif %}{% endfor %}];
const PAGES = ['{% url "web:m_tasks" %}', '{% url "web:m_report" %}', '{% url "web:m_me" %}'];
const OFFLINE_PAGE = '{% url "web:m_report" %}';

// A page is kept only as the signed-in inspector saw it, never a redirect to the login page.
function keepPage(cache, url, response) {
  if (response.ok && !response.redirected) return cache.put(url, response);
}

self.addEventListener('install', function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(STATIC).then(function () {
      return Promise.all(PAGES.map(function (url) {
        return fetch(url, {credentials: 'same-origin'}).then(function (r) { return keepPage(cache, url, r); })
          .catch(function () { /* kept on the first visit instead */ });
      }));
    });
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener('activate', function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n.startsWith('xiuhua-phone-') && n !== CACHE; })
      .map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener('fetch', function (event) {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('{% get_static_prefix %}')) {
    event.respondWith(caches.match(request).then(function (hit) {
      return hit || fetch(request).then(function (response) {
        if (response.ok) { const copy = response.clone(); caches.open(CACHE).then(function (c) { c.put(request, copy); }); }
        return response;
      });
    }));
  } else if (request.mode === 'navigate') {
    event.respondWith(fetch(request).then(function (response) {
      const copy = response.clone();
      caches.open(CACHE).then(function (cache) { keepPage(cache, url.pathname, copy); });
      return response;
    }).catch(function () {
      return caches.match(url.pathname).then(function (hit) { return hit || caches.match(OFFLINE_PAGE); })
        .then(function (hit) { return hit || new Response('offline', {status: 503}); });
    }));
  }
});
