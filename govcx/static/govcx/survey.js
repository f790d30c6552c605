// Progressive enhancement for the hosted survey: show a branching question only when the
// answer it depends on is chosen. Without JavaScript every question shows and the server
// ignores answers to questions that do not apply.
(function () {
  "use strict";
  var form = document.querySelector("form.usa-form");
  if (!form) return;
  var dependants = form.querySelectorAll("[data-show-if]");
  function chosen(name) {
    var out = [];
    form.querySelectorAll('[name="' + name + '"]').forEach(function (el) {
      if ((el.type === "radio" || el.type === "checkbox") ? el.checked : el.value) out.push(el.value);
    });
    return out;
  }
  function update() {
    dependants.forEach(function (box) {
      var wanted = box.getAttribute("data-show-in").split(" ");
      var have = chosen(box.getAttribute("data-show-if"));
      var show = have.some(function (v) { return wanted.indexOf(v) !== -1; });
      box.hidden = !show;
    });
  }
  form.addEventListener("change", update);
  update();
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
