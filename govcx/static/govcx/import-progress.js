// Progress of a background CSV import: poll the job's JSON status, move the progress bar and
// announce progress in the live region; when the job ends, show the result from the page
// itself. Without JavaScript the page's "Refresh" link does the same.
(function () {
  "use strict";
  var box = document.getElementById("import-job");
  var live = document.getElementById("import-live");
  if (!box || !live || box.getAttribute("data-finished") === "1" || !window.fetch) return;
  var url = box.getAttribute("data-status-url");
  var POLL_MS = 2000;
  var ANNOUNCE_MS = 10000; // screen readers hear progress at most this often
  var lastState = null;
  var lastAnnounced = 0;
  var failures = 0;

  function announce(text, force) {
    var now = Date.now();
    if (force || now - lastAnnounced >= ANNOUNCE_MS) {
      live.textContent = text;
      lastAnnounced = now;
    }
  }

  function show(status) {
    var bar = document.getElementById("import-progress");
    var message = document.getElementById("import-message");
    var state = document.getElementById("import-state");
    if (bar && status.rows_total > 0) {
      bar.max = status.rows_total;
      bar.value = Math.min(status.rows_done, status.rows_total);
      bar.textContent = status.message;
    }
    if (message) message.textContent = status.message;
    if (state) state.textContent = status.state_label;
    announce(status.message, status.state !== lastState);
    lastState = status.state;
  }

  function finish(status) {
    // The result (summary and row errors) is rendered by the server: take it from the page.
    fetch(window.location.href, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("import-job");
        if (fresh) box.replaceWith(document.adoptNode(fresh));
        announce(status.message, true);
      })
      .catch(function () { window.location.reload(); });
  }

  function poll() {
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (status) {
        failures = 0;
        show(status);
        if (status.finished) finish(status);
        else window.setTimeout(poll, POLL_MS);
      })
      .catch(function () {
        // Keep trying a while (the server may be restarting); the Refresh link stays.
        failures += 1;
        if (failures < 10) window.setTimeout(poll, POLL_MS * failures);
      });
  }

  window.setTimeout(poll, POLL_MS);
})();
