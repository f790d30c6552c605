/* govcx assistant chat widget. Embed with one tag:
 * <script src="https://HOST/static/assist/chat.js" data-govcx-agency="AGENCY-SLUG" data-lang="es" defer></script>
 * Optional: data-govcx-label="Ask us", data-govcx-position="left".
 * Plain ES2017, no dependencies; styles live in a Shadow DOM; text is only ever set with
 * textContent. The API is govcx/assist/views_chat.py. */
(function () {
  "use strict";
  var S = document.currentScript || document.querySelector("script[data-govcx-agency]");
  if (!S || !S.dataset.govcxAgency || window.__govcxChat) return;
  window.__govcxChat = 1;
  var AG = S.dataset.govcxAgency;
  var LANG = (S.dataset.lang || S.dataset.govcxLang) === "es" ? "es" : "en";
  var ORIGIN = new URL(S.src, location.href).origin;
  var API = ORIGIN + "/assist/" + encodeURIComponent(AG) + "/chat/";
  var KEY = "govcx-chat-" + AG;
  var T = {
    en: {
      open: "Ask a question", title: "Virtual assistant", close: "Close chat",
      intro: "I answer from this agency's approved help articles and can pass you to a person. Please don't type your Social Security number or card numbers.",
      label: "Your question", send: "Send", you: "You", bot: "Assistant", agent: "Agency staff",
      log: "Conversation", sending: "Sending…", more: "Read the article:",
      helpful: "Was this answer helpful?", yes: "Yes, this answer helped", no: "No, this answer did not help",
      human: "Talk to a person", thanks: "Thank you for your rating.",
      net: "We could not reach the assistant. Check your connection and try again.",
      err: "Something went wrong on our side. Please try again later.",
      crisis: "Get help now", call: "Call", empty: "Type a question first.",
      slow: "Too many messages from your connection. Please wait a minute and try again.",
      off: "The assistant is not available on this website."
    },
    es: {
      open: "Haga una pregunta", title: "Asistente virtual", close: "Cerrar el chat",
      intro: "Respondo con los artículos de ayuda aprobados de esta agencia y puedo comunicarle con una persona. No escriba su número de Seguro Social ni números de tarjetas.",
      label: "Su pregunta", send: "Enviar", you: "Usted", bot: "Asistente", agent: "Personal de la agencia",
      log: "Conversación", sending: "Enviando…", more: "Lea el artículo:",
      helpful: "¿Le sirvió esta respuesta?", yes: "Sí, esta respuesta me sirvió", no: "No, esta respuesta no me sirvió",
      human: "Hablar con una persona", thanks: "Gracias por su calificación.",
      net: "No pudimos comunicarnos con el asistente. Revise su conexión e intente de nuevo.",
      err: "Algo salió mal de nuestro lado. Intente más tarde.",
      crisis: "Obtenga ayuda ahora", call: "Llamar al", empty: "Escriba una pregunta primero.",
      slow: "Demasiados mensajes desde su conexión. Espere un minuto e intente de nuevo.",
      off: "El asistente no está disponible en este sitio web."
    }
  }[LANG];
  var LEFT = S.dataset.govcxPosition === "left";
  var CSS = ":host{all:initial!important;display:block!important}" +
    "*{box-sizing:border-box;margin:0;font:inherit;color:inherit;letter-spacing:normal;text-transform:none}" +
    ".r{font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:#1b1b1b}" +
    "[hidden]{display:none!important}" +
    "button{cursor:pointer;min-height:44px;min-width:44px;padding:8px 16px;border-radius:4px;border:2px solid #005ea2;background:#005ea2;color:#fff;font-weight:700}" +
    "button:hover{background:#1a4480;border-color:#1a4480}" +
    "button.s{background:#fff;color:#005ea2}button.s:hover{background:#eff6fb;color:#1a4480}" +
    "button[aria-pressed=true]{background:#1a4480;color:#fff}" +
    ":focus{outline:3px solid #2491ff;outline-offset:2px}" +
    ".l{position:fixed;" + (LEFT ? "left" : "right") + ":16px;bottom:16px;z-index:2147483000;box-shadow:0 2px 6px rgba(0,0,0,.4);border-radius:22px;padding:8px 20px}" +
    ".o{position:fixed;inset:0;z-index:2147483001;background:rgba(0,0,0,.4);display:flex;align-items:flex-end;justify-content:" + (LEFT ? "flex-start" : "flex-end") + ";padding:16px}" +
    ".d{background:#fff;width:100%;max-width:420px;height:min(640px,calc(100vh - 32px));display:flex;flex-direction:column;border-radius:8px;overflow:hidden;box-shadow:0 4px 16px rgba(0,0,0,.4)}" +
    ".h{display:flex;justify-content:space-between;align-items:center;gap:8px;padding:8px 8px 8px 16px;background:#162e51;color:#fff}" +
    "h2{font-size:20px;font-weight:700;line-height:1.3}" +
    ".h button{background:#162e51;border-color:#fff;color:#fff}.h button:hover{background:#1a4480}" +
    ".i{font-size:14px;padding:8px 16px;background:#f0f0f0;color:#1b1b1b;border-bottom:1px solid #dfe1e2}" +
    ".g{flex:1;overflow-y:auto;padding:12px 16px}" +
    ".m{margin:0 0 12px;padding:8px 12px;border-radius:6px;max-width:92%;white-space:pre-wrap;overflow-wrap:anywhere}" +
    ".m.p{background:#005ea2;color:#fff;margin-left:auto}" +
    ".m.a{background:#f0f0f0}.m.t{background:#e7f6f8;border-left:4px solid #00bde3}" +
    ".m.c{background:#f4e3db;border-left:6px solid #b50909}" +
    ".c strong{display:block;font-size:18px;margin-bottom:4px}" +
    ".c ul{list-style:none;padding:0;margin:8px 0 0}.c li{margin:4px 0}" +
    ".w{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}" +
    "a{color:#005ea2;text-decoration:underline}.m.c a{color:#1b1b1b;font-weight:700}" +
    ".rt{margin-top:8px;display:flex;flex-wrap:wrap;align-items:center;gap:8px}.rt span{font-size:15px}" +
    ".rt button{padding:4px 12px;font-size:18px}" +
    ".f{border-top:1px solid #dfe1e2;padding:12px 16px;background:#fff}" +
    ".f label{display:block;font-weight:700;margin-bottom:4px}" +
    ".f .x{display:flex;gap:8px;align-items:flex-end}" +
    "textarea{flex:1;min-height:44px;max-height:120px;padding:8px;border:1px solid #565c65;border-radius:0;background:#fff;color:#1b1b1b;font-size:16px;resize:vertical}" +
    ".st{font-size:14px;color:#565c65;min-height:21px;margin-top:4px}.st.e{color:#b50909;font-weight:700}" +
    "@media (max-width:480px){.o{padding:0}.d{max-width:none;height:100vh;border-radius:0}}";

  function h(tag, attrs) {
    var el = document.createElement(tag);
    for (var k in attrs || {}) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) continue;
      if (k === "text") el.textContent = v;
      else if (k.slice(0, 2) === "on") el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? "" : v);
    }
    for (var i = 2; i < arguments.length; i++) if (arguments[i]) el.appendChild(arguments[i]);
    return el;
  }
  function store(v) {
    try { if (v) sessionStorage.setItem(KEY, v); else sessionStorage.removeItem(KEY); } catch (e) { /* storage blocked */ }
  }
  function stored() {
    try { return sessionStorage.getItem(KEY); } catch (e) { return null; }
  }

  var host = h("govcx-chat");
  var root = host.attachShadow({ mode: "open" });
  var wrap = h("div", { class: "r", lang: LANG });
  root.appendChild(h("style", { text: CSS }));
  root.appendChild(wrap);
  var launcher = h("button", { type: "button", class: "l", text: S.dataset.govcxLabel || T.open,
    "aria-haspopup": "dialog", "aria-expanded": "false", onclick: open });
  wrap.appendChild(launcher);
  (document.body || document.documentElement).appendChild(host);

  var overlay, dialog, log, input, status, conv = stored(), last = 0, agentLast = 0, seen = {};
  var state = "open", answered = false, timer = null, busy = false;

  function call(method, path, body) {
    var opt = { method: method, credentials: "omit", headers: {} };
    if (body !== undefined) {
      opt.headers["Content-Type"] = "application/json";
      opt.body = JSON.stringify(body);
    }
    return fetch(API + path, opt).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (d) {
        if (!r.ok) {
          // the API's own messages are English: a Spanish page shows its own text instead
          var text = r.status === 429 ? T.slow : r.status === 403 ? T.off
            : (LANG === "en" && typeof d.message === "string" && d.message) || T.err;
          var e = new Error(text); e.status = r.status; throw e;
        }
        return d;
      });
    });
  }
  function say(msg, isError) {
    if (!status) return;
    status.textContent = msg || "";
    status.className = "st" + (isError ? " e" : "");
  }
  function safeUrl(u) {
    if (typeof u !== "string") return null;
    if (u.charAt(0) === "/" && u.charAt(1) !== "/") return ORIGIN + u;
    return /^https?:\/\//i.test(u) ? u : null;
  }
  function tel(n) { return "tel:" + (n.length > 4 ? "+1" + n.replace(/\D/g, "").replace(/^1/, "") : n); }

  function focusables() {
    return Array.prototype.filter.call(
      dialog.querySelectorAll("button,textarea,a[href],[tabindex='0']"),
      function (el) { return !el.disabled && el.getClientRects().length; });
  }
  function onKey(ev) {
    if (ev.key === "Escape") { ev.preventDefault(); close(); return; }
    if (ev.key !== "Tab") return;
    var f = focusables(), first = f[0], lastEl = f[f.length - 1], a = root.activeElement;
    if (!f.length) { ev.preventDefault(); return; }
    var out = a === dialog || !dialog.contains(a);
    if (ev.shiftKey && (out || a === first)) { ev.preventDefault(); lastEl.focus(); }
    else if (!ev.shiftKey && (out || a === lastEl)) { ev.preventDefault(); first.focus(); }
  }

  function build() {
    log = h("div", { class: "g", role: "log", "aria-live": "polite", "aria-label": T.log, tabindex: "0" });
    input = h("textarea", { id: "gc-q", rows: "2", maxlength: "2000", autocomplete: "off",
      "aria-describedby": "gc-s", onkeydown: function (ev) {
        if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); send(); }
      } });
    status = h("p", { class: "st", id: "gc-s", role: "status" });
    var form = h("form", { class: "f", novalidate: true, onsubmit: function (ev) { ev.preventDefault(); send(); } },
      h("label", { for: "gc-q", text: T.label }),
      h("div", { class: "x" }, input, h("button", { type: "submit", text: T.send })), status);
    dialog = h("div", { class: "d", role: "dialog", "aria-modal": "true", "aria-labelledby": "gc-t" },
      h("div", { class: "h" }, h("h2", { id: "gc-t", text: T.title }),
        h("button", { type: "button", text: "×", "aria-label": T.close, onclick: close })),
      h("p", { class: "i", text: T.intro }), log, form);
    overlay = h("div", { class: "o", onkeydown: onKey,
      onclick: function (ev) { if (ev.target === overlay) close(); } }, dialog);
  }
  function open() {
    if (!overlay) build();
    if (overlay.parentNode) return;
    wrap.appendChild(overlay);
    launcher.setAttribute("aria-expanded", "true");
    launcher.hidden = true;
    input.focus();
    if (conv && !last) poll();
  }
  function close() {
    if (!overlay || !overlay.parentNode) return;
    wrap.removeChild(overlay);
    launcher.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
    if (conv && answered && state === "open")
      call("POST", encodeURIComponent(conv) + "/close/", {}).then(track).catch(function () {});
  }

  function track(d) {
    if (d && d.status) state = d.status;
    if (state === "handed_over") schedule();
  }
  function schedule() {
    if (timer) return;
    timer = setInterval(function () { if (overlay && overlay.parentNode) poll(); }, 5000);
  }
  function poll() {
    if (!conv) return;
    call("GET", encodeURIComponent(conv) + "/messages/?after=" + last + "&agent_after=" + agentLast)
      .then(function (d) {
        (d.messages || []).forEach(add);
        (d.agent || []).forEach(function (m) { agentLast = Math.max(agentLast, m.id); add(m); });
        track(d);
      }).catch(function (e) {
        if (e.status === 404) { conv = null; store(null); }
      });
  }

  function add(m) {
    var k = m.speaker + m.id;
    if (seen[k]) return;
    seen[k] = 1;
    if (m.speaker !== "agent") last = Math.max(last, m.id);
    var who = { person: T.you, assistant: T.bot, agent: T.agent }[m.speaker] || T.bot;
    var cls = m.speaker === "person" ? "p" : m.speaker === "agent" ? "t" : m.kind === "crisis" ? "c" : "a";
    var box = h("div", { class: "m " + cls, "data-kind": m.kind || m.speaker },
      h("span", { class: "w", text: who + ": " }));
    if (m.kind === "crisis") {
      box.appendChild(h("strong", { text: T.crisis }));
      box.appendChild(h("span", { text: m.text }));
      var ul = h("ul");
      (m.crisis || []).forEach(function (c) {
        ul.appendChild(h("li", null, h("span", { text: c.label + ": " }),
          h("a", { href: tel(c.number), text: T.call + " " + c.number })));
      });
      box.appendChild(ul);
    } else {
      box.appendChild(h("span", { text: m.text }));
    }
    var url = m.link && safeUrl(m.link.url);
    if (url) {
      answered = true;
      box.appendChild(h("p", null, h("span", { text: T.more + " " }),
        h("a", { href: url, target: "_top", text: m.link.title })));
    }
    if (m.rateable) box.appendChild(rating(m));
    if (m.kind === "offer" && state !== "handed_over") {
      var b = h("button", { type: "button", class: "s", text: T.human, onclick: function () {
        b.disabled = true;
        handover();
      } });
      box.appendChild(h("div", { class: "rt" }, b));
    }
    log.appendChild(box);
    log.scrollTop = log.scrollHeight;
  }
  function rating(m) {
    var up, down;
    function rate(helpful) {
      up.setAttribute("aria-pressed", String(helpful));
      down.setAttribute("aria-pressed", String(!helpful));
      call("POST", encodeURIComponent(conv) + "/messages/" + m.id + "/rating/", { helpful: helpful })
        .then(function (d) { track(d); (d.replies || []).forEach(add); say(T.thanks); })
        .catch(function (e) { say(e instanceof TypeError ? T.net : e.message, true); });
    }
    up = h("button", { type: "button", class: "s", "aria-label": T.yes, "aria-pressed": m.rating === true ? "true" : "false",
      text: "👍", onclick: function () { rate(true); } });
    down = h("button", { type: "button", class: "s", "aria-label": T.no, "aria-pressed": m.rating === false ? "true" : "false",
      text: "👎", onclick: function () { rate(false); } });
    return h("div", { class: "rt" }, h("span", { text: T.helpful }), up, down);
  }

  function start() {
    if (conv) return Promise.resolve(conv);
    return call("POST", "", { language: LANG, page: location.href.slice(0, 1000) }).then(function (d) {
      conv = d.id;
      store(conv);
      return conv;
    });
  }
  function handover() {
    say(T.sending);
    call("POST", encodeURIComponent(conv) + "/handover/", {}).then(function (d) {
      say("");
      (d.replies || []).forEach(add);
      track(d);
    }).catch(function (e) { say(e instanceof TypeError ? T.net : e.message, true); });
  }
  function send() {
    var text = input.value.trim();
    if (!text) { say(T.empty, true); input.focus(); return; }
    if (busy) return;
    busy = true;
    say(T.sending);
    start().then(function () {
      return call("POST", encodeURIComponent(conv) + "/messages/", { text: text });
    }).then(function (d) {
      input.value = "";
      say("");
      if (d.message) add(d.message);
      (d.replies || []).forEach(add);
      track(d);
    }).catch(function (e) {
      if (e.status === 404) { conv = null; store(null); }
      say(e instanceof TypeError ? T.net : e.message, true);
    }).then(function () { busy = false; input.focus(); });
  }
})();
