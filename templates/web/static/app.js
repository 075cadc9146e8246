// caselog web desk: the only script. Pages work without it; with it, an open queue
// page follows the desk live: on each change the server announces (Server-Sent Events,
// /events) the page is read again, as the same person, and its queue replaced.
(function () {
  'use strict';
  var queue = document.getElementById('queue');
  if (!queue || !window.EventSource || !window.fetch || !window.DOMParser) {
    return;
  }
  var busy = false, again = false;
  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(window.location.href, { credentials: 'same-origin', cache: 'no-store' })
      .then(function (response) {
        if (!response.ok) { throw new Error('status ' + response.status); }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, 'text/html').getElementById('queue');
        if (fresh) {
          queue.replaceWith(fresh);
          queue = fresh;
        }
      })
      .catch(function () { /* the next change tries again */ })
      .finally(function () {
        busy = false;
        if (again) { again = false; refresh(); }
      });
  }
  var events = new EventSource('/events');
  events.addEventListener('change', refresh);
})();
