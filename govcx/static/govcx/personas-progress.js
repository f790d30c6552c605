// Persona runs in the background: while one is queued or running, poll the status JSON and
// reload the page when it ends (announced in the live region first). Without JavaScript the
// page's "Refresh" link does the same.
(function () {
  "use strict";
  var box = document.getElementById("personas-page");
  var live = document.getElementById("personas-live");
  if (!box || box.getAttribute("data-pending") !== "1" || !window.fetch) return;
  var url = box.getAttribute("data-status-url");
  function poll() {
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) {
        if (data.pending) { window.setTimeout(poll, 3000); return; }
        if (live) live.textContent = "Done.";
        window.location.reload();
      })
      .catch(function () { window.setTimeout(poll, 10000); });
  }
  window.setTimeout(poll, 3000);
})();
