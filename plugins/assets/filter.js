/* gongkai list filter (assets/gongkai/filter.js, registered once by plugins/theme_assets.py): filters
 * any list in the page, with no server and no libraries. Used by 决策公开 and 三张清单.
 *
 * Markup: inside an element marked data-gk-filter-scope, each <select data-gk-filter="KEY"> keeps
 * only the [data-gk-item] elements whose data-KEY holds the chosen value (space-separated values
 * allowed; "" shows all). A [data-gk-group] left with no visible item is hidden, [data-gk-count]
 * shows how many items are visible, and [data-gk-filter-controls] (hidden in the HTML) are revealed.
 * Without JavaScript the controls stay hidden and every item stays visible. */
(function () {
  "use strict";
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };

  function show(el, on) { el.hidden = !on; el.style.display = on ? "" : "none"; }

  function apply(scope) {
    var selects = scope.querySelectorAll("select[data-gk-filter]");
    var shown = 0;
    each(scope.querySelectorAll("[data-gk-item]"), function (item) {
      var ok = Array.prototype.every.call(selects, function (s) {
        var have = (item.getAttribute("data-" + s.getAttribute("data-gk-filter")) || "").split(" ");
        return !s.value || have.indexOf(s.value) >= 0;
      });
      show(item, ok);
      if (ok) { shown += 1; }
    });
    each(scope.querySelectorAll("[data-gk-group]"), function (group) {
      show(group, !!group.querySelector("[data-gk-item]:not([hidden])"));
    });
    each(scope.querySelectorAll("[data-gk-count]"), function (n) { n.textContent = shown; });
  }

  function init() {
    each(document.querySelectorAll("[data-gk-filter-scope]:not([data-gk-ready])"), function (scope) {
      scope.setAttribute("data-gk-ready", "");
      each(scope.querySelectorAll("[data-gk-filter-controls]"), function (c) { show(c, true); });
      scope.addEventListener("change", function (event) {
        if (event.target.hasAttribute("data-gk-filter")) { apply(scope); }
      });
      scope.addEventListener("submit", function (event) { event.preventDefault(); });
      apply(scope);
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
