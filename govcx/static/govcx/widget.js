/* govcx feedback widget. Embed with one tag:
 * <script src="https://HOST/static/govcx/widget.js" data-govcx-touchpoint="UUID" defer></script>
 * Optional: data-govcx-lang="es", data-govcx-label="Feedback", data-govcx-<question id>="value"
 * for hidden questions. Plain ES2017, no dependencies; styles live in a Shadow DOM. */
(function () {
  "use strict";
  var S = document.currentScript || document.querySelector("script[data-govcx-touchpoint]");
  if (!S || !S.dataset.govcxTouchpoint || window.__govcxWidget) return;
  window.__govcxWidget = 1;
  var TP = S.dataset.govcxTouchpoint;
  var LANG = S.dataset.govcxLang === "es" ? "es" : "en";
  var API = new URL(S.src, location.href).origin + "/api/v1/touchpoints/" + encodeURIComponent(TP);
  var T = {
    en: {
      fb: "Feedback", title: "Tell us about your experience", close: "Close", submit: "Submit",
      req: "(required)", other: "If other, please describe", yes: "Yes", no: "No",
      load: "Loading the survey…", check: "Please check your answers",
      thanks: "Thank you for your feedback", thanks2: "Your answers were sent.",
      sending: "Sending…", net: "We could not reach the survey server. Check your connection and try again. Your answers are still here.",
      e403: "This website is not set up to collect feedback for this survey.",
      e500: "Something went wrong on our side. Please try again later. Your answers are still here.",
      omb: "OMB Control Number"
    },
    es: {
      fb: "Comentarios", title: "Cuéntenos sobre su experiencia", close: "Cerrar", submit: "Enviar",
      req: "(obligatoria)", other: "Si eligió otro, descríbalo", yes: "Sí", no: "No",
      load: "Cargando la encuesta…", check: "Revise sus respuestas",
      thanks: "Gracias por sus comentarios", thanks2: "Sus respuestas fueron enviadas.",
      sending: "Enviando…", net: "No pudimos comunicarnos con el servidor. Revise su conexión e intente de nuevo. Sus respuestas siguen aquí.",
      e403: "Este sitio web no está configurado para recibir comentarios de esta encuesta.",
      e500: "Algo salió mal de nuestro lado. Intente más tarde. Sus respuestas siguen aquí.",
      omb: "Número de control de la OMB"
    }
  }[LANG];
  var CSS = ":host{all:initial!important;display:block!important}" +
    "*{box-sizing:border-box;margin:0;font:inherit;color:inherit;letter-spacing:normal;text-transform:none}" +
    ".r{font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:#1b1b1b}" +
    "[hidden]{display:none!important}" +
    "button{cursor:pointer;min-height:44px;min-width:44px;padding:8px 20px;border-radius:4px;border:2px solid #005ea2;background:#005ea2;color:#fff;font-weight:700}" +
    "button:hover{background:#1a4480;border-color:#1a4480}" +
    ":focus{outline:3px solid #2491ff;outline-offset:2px}" +
    ".l{position:fixed;right:16px;bottom:16px;z-index:2147483000;box-shadow:0 2px 6px rgba(0,0,0,.4)}" +
    ".o{position:fixed;inset:0;z-index:2147483001;background:rgba(0,0,0,.55);display:flex;align-items:center;justify-content:center;padding:8px}" +
    ".d{background:#fff;width:100%;max-width:560px;max-height:calc(100vh - 16px);overflow:auto;border-radius:6px;padding:20px 24px}" +
    ".h{display:flex;justify-content:space-between;align-items:flex-start;gap:12px;margin-bottom:12px}" +
    "h2{font-size:22px;font-weight:700;line-height:1.3}" +
    ".c{background:#fff;color:#005ea2}.c:hover{background:#f0f0f0;color:#1a4480}" +
    "fieldset,.q{border:0;padding:0;margin:0 0 20px}" +
    "legend,label.t{display:block;font-weight:700;margin-bottom:4px;padding:0}" +
    ".hn{color:#565c65;font-size:15px;margin-bottom:6px}" +
    ".e{color:#b50909;font-weight:700;margin-bottom:6px;display:block}" +
    ".er{border-left:4px solid #b50909;padding-left:12px}" +
    ".op{display:flex;align-items:center;gap:10px;min-height:44px;padding:4px 0;cursor:pointer}" +
    ".op input{width:22px;height:22px;flex:none;margin:0;accent-color:#005ea2}" +
    "input.x,textarea{display:block;width:100%;min-height:44px;padding:8px;border:1px solid #565c65;border-radius:0;background:#fff;color:#1b1b1b;font-size:16px}" +
    "textarea{min-height:110px;resize:vertical}" +
    ".al{border-left:6px solid #b50909;background:#f4e3db;padding:10px 14px;margin-bottom:16px}" +
    ".al a{color:#1b1b1b;text-decoration:underline}" +
    ".sm{font-size:14px;color:#565c65;margin-top:14px}";

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
  function uid() {
    var a = new Uint8Array(16);
    crypto.getRandomValues(a);
    return Array.from(a, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  var host = h("govcx-widget");
  var root = host.attachShadow({ mode: "open" });
  var wrap = h("div", { class: "r", lang: LANG });
  root.appendChild(h("style", { text: CSS }));
  root.appendChild(wrap);
  var launcher = h("button", { type: "button", class: "l", text: S.dataset.govcxLabel || T.fb,
    "aria-haspopup": "dialog", onclick: open });
  wrap.appendChild(launcher);
  (document.body || document.documentElement).appendChild(host);

  var overlay, dialog, body, survey, offered, key, form, alertBox, done;

  function focusables() {
    return Array.prototype.filter.call(
      dialog.querySelectorAll("button,input,textarea,a[href],[tabindex='0']"),
      function (el) { return !el.disabled && el.getClientRects().length; });
  }
  function onKey(ev) {
    if (ev.key === "Escape") { ev.preventDefault(); close(); return; }
    if (ev.key !== "Tab") return;
    var f = focusables(), first = f[0], last = f[f.length - 1], a = root.activeElement;
    if (!f.length) { ev.preventDefault(); return; }
    var out = a === dialog || !dialog.contains(a);
    if (ev.shiftKey && (out || a === first)) { ev.preventDefault(); last.focus(); }
    else if (!ev.shiftKey && (out || a === last)) { ev.preventDefault(); first.focus(); }
  }
  function open() {
    if (overlay) return;
    body = h("div");
    dialog = h("div", { class: "d", role: "dialog", "aria-modal": "true", "aria-labelledby": "gx-t", tabindex: "-1" },
      h("div", { class: "h" }, h("h2", { id: "gx-t", text: T.title }),
        h("button", { type: "button", class: "c", text: T.close, onclick: close })),
      body);
    overlay = h("div", { class: "o", onkeydown: onKey,
      onclick: function (ev) { if (ev.target === overlay) close(); } }, dialog);
    wrap.appendChild(overlay);
    launcher.setAttribute("aria-expanded", "true");
    if (!offered) {
      offered = 1;
      fetch(API + "/offers", { method: "POST", credentials: "omit" }).catch(function () {});
    }
    if (done) thanks();
    else if (survey) build();
    else {
      body.appendChild(h("p", { role: "status", text: T.load }));
      dialog.focus();
      fetch(API + "/survey?lang=" + LANG, { credentials: "omit" }).then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (d) {
          if (!r.ok) throw new Error(r.status === 403 ? T.e403 : d.message || T.e500);
          survey = d;
          if (overlay) build();
        });
      }).catch(function (e) {
        if (!overlay) return;
        body.textContent = "";
        body.appendChild(h("p", { class: "al", role: "alert", text: e instanceof TypeError ? T.net : e.message }));
        focusables()[0].focus();
      });
    }
  }
  function close() {
    if (!overlay) return;
    wrap.removeChild(overlay);
    overlay = dialog = null;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  function options(q) {
    if (q.type === "thumbs") return [["up", "👍 " + T.yes], ["down", "👎 " + T.no]];
    if (q.type === "yesno") return [["yes", T.yes], ["no", T.no]];
    if (q.type === "scale5" || q.type === "stars")
      return ["1", "2", "3", "4", "5"].map(function (v) {
        return [v, q.type === "stars" ? "★".repeat(+v) + " " + v : v];
      });
    if (q.type === "single" || q.type === "multi") {
      var o = q.choices.map(function (c) { return [c.value, c.text]; });
      if (q.other) o.push(["other", LANG === "es" ? "Otro" : "Other"]);
      return o;
    }
    return null;
  }
  function question(q) {
    var id = "gx-" + q.id, opts = options(q), hint = q.help || q.scale_labels;
    var req = q.required ? " " + T.req : "";
    var hintEl = hint && h("div", { class: "hn", id: id + "-h", text: [q.help, q.scale_labels].filter(Boolean).join(" ") });
    var err = h("span", { class: "e", id: id + "-e", hidden: true });
    var box;
    if (q.type === "hidden") return h("input", { type: "hidden", name: q.id, value: S.getAttribute("data-govcx-" + q.id) || "" });
    if (opts) {
      var multi = q.type === "multi";
      box = h("fieldset", { "aria-describedby": hint ? id + "-h" : null },
        h("legend", { text: q.text + req }), hintEl, err);
      opts.forEach(function (o) {
        box.appendChild(h("label", { class: "op" },
          h("input", { type: multi ? "checkbox" : "radio", name: q.id, value: o[0] }),
          h("span", { text: o[1] })));
      });
      if (q.other) {
        var oe = h("span", { class: "e", id: id + "_other-e", hidden: true });
        box.appendChild(h("div", { class: "q", "data-other": q.id },
          h("label", { class: "t", for: id + "_other", text: T.other }), oe,
          h("input", { class: "x", id: id + "_other", name: q.id + "_other", maxlength: "500" })));
      }
    } else {
      var long = q.type === "long_text";
      box = h("div", { class: "q" }, h("label", { class: "t", for: id, text: q.text + req }), hintEl, err,
        h(long ? "textarea" : "input", {
          class: "x", id: id, name: q.id, rows: long ? "5" : null, "aria-describedby": hint ? id + "-h" : null,
          "aria-required": q.required ? "true" : null, maxlength: long ? "5000" : q.type === "short_text" ? "500" : null,
          type: long ? null : { email: "email", phone: "tel", date: "date" }[q.type] || "text",
          autocomplete: { email: "email", phone: "tel" }[q.type] || null
        }));
    }
    box.dataset.q = q.id;
    return box;
  }
  function values(name) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name === name && (el.type === "radio" || el.type === "checkbox" ? el.checked : el.value.trim());
    }).map(function (el) { return el.value; });
  }
  function visible(q) {
    if (!q.show_if) return true;
    var dep = survey.questions.filter(function (d) { return d.id === q.show_if.question; })[0];
    if (dep && !visible(dep)) return false;
    return values(q.show_if.question).some(function (v) { return q.show_if.in.indexOf(v) >= 0; });
  }
  function branch() {
    survey.questions.forEach(function (q) {
      var box = form.querySelector("[data-q='" + q.id + "']");
      if (box) box.hidden = !visible(q);
      var ob = form.querySelector("[data-other='" + q.id + "']");
      if (ob) ob.hidden = values(q.id).indexOf("other") < 0;
    });
  }
  function build() {
    body.textContent = "";
    if (survey.closed_reason) {
      body.appendChild(h("p", { class: "al", role: "alert", text: survey.closed_reason }));
      focusables()[0].focus();
      return;
    }
    key = uid();
    alertBox = h("div", { class: "al", role: "alert", tabindex: "-1", hidden: true });
    form = h("form", { novalidate: true, onsubmit: submit, onchange: branch, oninput: branch });
    survey.questions.forEach(function (q) { form.appendChild(question(q)); });
    form.appendChild(h("button", { type: "submit", text: T.submit }));
    body.appendChild(h("p", { class: "hn", text: survey.service + " — " + survey.agency }));
    body.appendChild(alertBox);
    body.appendChild(form);
    if (survey.omb_control_number)
      body.appendChild(h("p", { class: "sm", text: T.omb + " " + survey.omb_control_number +
        (survey.pra_expiration ? " (" + survey.pra_expiration + ")" : "") }));
    branch();
    var first = form.querySelector("input:not([type=hidden]),textarea");
    (first || dialog).focus();
  }
  function showAlert(msg, list) {
    alertBox.textContent = "";
    alertBox.appendChild(h("p", { text: msg }));
    if (list) alertBox.appendChild(list);
    alertBox.hidden = false;
    alertBox.focus();
  }
  function clearErrors() {
    alertBox.hidden = true;
    Array.prototype.forEach.call(form.querySelectorAll(".e"), function (e) { e.hidden = true; });
    Array.prototype.forEach.call(form.querySelectorAll(".er"), function (e) { e.classList.remove("er"); });
    Array.prototype.forEach.call(form.querySelectorAll("[aria-describedby]"), function (e) {
      e.removeAttribute("aria-invalid");
      var d = (e.getAttribute("aria-describedby") || "").split(" ").filter(function (x) { return x.slice(-2) !== "-e"; }).join(" ");
      d ? e.setAttribute("aria-describedby", d) : e.removeAttribute("aria-describedby");
    });
  }
  function fieldErrors(errors) {
    var list = h("ul");
    Object.keys(errors).forEach(function (k) {
      var id = "gx-" + k, span = root.getElementById(id + "-e");
      var target = root.getElementById(id) || form.querySelector("[name='" + k + "']");
      if (span) {
        var fs = span.closest("fieldset"), inp = root.getElementById(id), hold = inp || fs;
        span.textContent = errors[k];
        span.hidden = false;
        (inp ? span.parentNode : fs).classList.add("er");
        if (inp) inp.setAttribute("aria-invalid", "true");
        hold.setAttribute("aria-describedby", ((hold.getAttribute("aria-describedby") || "") + " " + id + "-e").trim());
      }
      var q = survey.questions.filter(function (x) { return x.id === k; })[0];
      list.appendChild(h("li", {}, h("a", { href: "#" + id, text: (q ? q.text + ": " : "") + errors[k],
        onclick: function (ev) { ev.preventDefault(); if (target) target.focus(); } })));
    });
    return list;
  }
  function submit(ev) {
    ev.preventDefault();
    var btn = form.querySelector("button[type=submit]");
    if (btn.disabled) return;
    var answers = {};
    survey.questions.forEach(function (q) {
      if (!visible(q)) return;
      var v = values(q.id);
      if (!v.length) return;
      answers[q.id] = q.type === "multi" ? v : v[0];
      if (q.other && v.indexOf("other") >= 0) {
        var o = values(q.id + "_other");
        if (o.length) answers[q.id + "_other"] = o[0];
      }
    });
    clearErrors();
    btn.disabled = true;
    btn.textContent = T.sending;
    fetch(API + "/responses", {
      method: "POST", credentials: "omit",
      headers: { "Content-Type": "application/json", "Idempotency-Key": key },
      body: JSON.stringify({ answers: answers, language: LANG, page_url: location.href.slice(0, 1000), hp: "" })
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (d) {
        if (r.ok) return thanks();
        if (r.status === 400 && d.errors && Object.keys(d.errors).length)
          return showAlert(T.check, fieldErrors(d.errors));
        showAlert(r.status === 403 ? T.e403 : d.message || T.e500);
      });
    }, function () { showAlert(T.net); }).then(function () {
      btn.disabled = false;
      btn.textContent = T.submit;
    });
  }
  function thanks() {
    done = 1;
    body.textContent = "";
    var hd = h("h3", { tabindex: "-1", text: T.thanks });
    hd.style.fontWeight = "700";
    body.appendChild(h("div", { role: "status" }, hd, h("p", { text: T.thanks2 })));
    body.appendChild(h("button", { type: "button", text: T.close, onclick: close, style: "margin-top:16px" }));
    hd.focus();
  }
})();
