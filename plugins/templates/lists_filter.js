/* gongkai list filter: no server, no libraries.
 * Markup: <form class="gk-filter" data-gk-target="ID" hidden> holding <select name="X"> elements;
 * inside the element #ID, rows marked data-gk-row carry data-X attributes. A row stays visible when,
 * for every select with a value, its data-X equals that value. An element .gk-filter-group with no
 * visible row is hidden; the form's <output> shows how many rows are visible.
 * Without JavaScript the form stays hidden and every row is visible. */
(function () {
  "use strict";

  function apply(form, target) {
    var selects = form.querySelectorAll("select[name]");
    var rows = target.querySelectorAll("[data-gk-row]");
    var shown = 0;
    Array.prototype.forEach.call(rows, function (row) {
      var ok = Array.prototype.every.call(selects, function (s) {
        return !s.value || row.getAttribute("data-" + s.name) === s.value;
      });
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    Array.prototype.forEach.call(target.querySelectorAll(".gk-filter-group"), function (group) {
      group.hidden = !group.querySelector("[data-gk-row]:not([hidden])");
    });
    var out = form.querySelector("output");
    if (out) { out.textContent = "显示 " + shown + " / " + rows.length + " 条"; }
  }

  function init() {
    var forms = document.querySelectorAll("form.gk-filter[data-gk-target]:not([data-gk-ready])");
    Array.prototype.forEach.call(forms, function (form) {
      var target = document.getElementById(form.getAttribute("data-gk-target"));
      if (!target) { return; }
      form.setAttribute("data-gk-ready", "");
      form.hidden = false;
      form.addEventListener("change", function () { apply(form, target); });
      form.addEventListener("reset", function () { setTimeout(function () { apply(form, target); }, 0); });
      form.addEventListener("submit", function (event) { event.preventDefault(); });
      apply(form, target);
    });
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init); /* Material's instant navigation */
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
