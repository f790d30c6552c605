// Agent workspace: keep the case list fresh without a reload, and let the keyboard move
// through it. Every 15 s the list's JSON twin is fetched and the table body rebuilt (text
// only, never HTML from the server); the polite live region says what changed, at most once
// per update. j / k move focus to the next / previous case link; Enter opens it (a real link,
// so screen readers and the browser's own keys work as usual). Keys are ignored while typing
// in a field or with a modifier held. Without JavaScript the page's Refresh link does the job.
(function () {
  "use strict";
  var box = document.getElementById("case-list");
  var live = document.getElementById("case-live");
  var body = document.getElementById("case-rows");
  if (!box || !live || !body) return;
  var POLL_MS = 15000;
  var url = box.getAttribute("data-json-url");
  var refresh = document.getElementById("case-refresh");
  var columns = ["subject", "channel", "status", "priority", "queue", "assignee", "opened", "due"];
  var known = {};
  Array.prototype.forEach.call(body.querySelectorAll("tr[data-case]"), function (tr) {
    known[tr.getAttribute("data-case")] = true;
  });

  function links() { return Array.prototype.slice.call(body.querySelectorAll("a.case-link")); }

  function row(r) {
    var tr = document.createElement("tr");
    tr.setAttribute("data-case", String(r.id));
    var td = document.createElement("td");
    var a = document.createElement("a");
    a.className = "usa-link case-link";
    a.href = r.url;
    a.textContent = String(r.id);
    td.appendChild(a);
    tr.appendChild(td);
    columns.forEach(function (key) {
      var cell = document.createElement("td");
      var text = r[key] || (key === "assignee" || key === "due" ? "\u2013" : "");
      if (key === "subject" && text.length > 80) text = text.slice(0, 79) + "\u2026";
      cell.textContent = text;
      if (key === "due" && r.breach) {
        var s = document.createElement("strong");
        s.textContent = r.breach === "breached" ? " breached" : " due soon";
        cell.appendChild(s);
      }
      tr.appendChild(cell);
    });
    return tr;
  }

  function show(data) {
    var focusedId = null;
    if (document.activeElement && body.contains(document.activeElement)) {
      var tr = document.activeElement.closest("tr");
      focusedId = tr && tr.getAttribute("data-case");
    }
    var fresh = 0;
    var seen = {};
    var frag = document.createDocumentFragment();
    data.rows.forEach(function (r) {
      if (!known[String(r.id)]) fresh += 1;
      seen[String(r.id)] = true;
      frag.appendChild(row(r));
    });
    if (!data.rows.length) {
      var empty = document.createElement("tr");
      var td = document.createElement("td");
      td.colSpan = 9;
      td.textContent = "No cases here.";
      empty.appendChild(td);
      frag.appendChild(empty);
    }
    var before = Object.keys(known).length;
    var changed = fresh > 0 || before !== data.rows.length;
    body.replaceChildren(frag);
    known = seen;
    var caption = document.querySelector("#case-table caption");
    if (caption) caption.textContent = data.count + (data.count === 1 ? " case" : " cases");
    if (focusedId) {
      var again = body.querySelector('tr[data-case="' + focusedId + '"] a.case-link');
      if (again) again.focus();
    }
    // the live region speaks only when the list changed (not every 15 s)
    if (!changed) return;
    live.textContent = "List as of " + data.updated + ": " + data.count + " cases" +
      (fresh ? ", " + fresh + " new. " : ". ");
    if (refresh) live.appendChild(refresh);
  }

  function poll() {
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) { show(data); })
      .catch(function () { /* keep the page as it is; the Refresh link still works */ })
      .then(function () { window.setTimeout(poll, POLL_MS); });
  }
  if (url && window.fetch) window.setTimeout(poll, POLL_MS);

  document.addEventListener("keydown", function (e) {
    if (e.key !== "j" && e.key !== "k") return;
    if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    var all = links();
    if (!all.length) return;
    var i = all.indexOf(document.activeElement);
    var next = e.key === "j" ? (i < 0 ? 0 : Math.min(i + 1, all.length - 1))
                             : (i < 0 ? 0 : Math.max(i - 1, 0));
    all[next].focus();
    e.preventDefault();
  });
})();
