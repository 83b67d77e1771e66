/* gongkai list filter, reusable by any list page. Inside an element marked data-gk-filter-scope:
   each <select data-gk-filter="KEY"> keeps only the [data-gk-item] elements whose data-KEY holds the
   chosen value (space-separated values allowed; "" shows all). [data-gk-group] elements left with no
   visible item are hidden, [data-gk-count] shows how many are visible, and [data-gk-filter-controls]
   (hidden in the HTML) are revealed. Without JavaScript every item simply stays visible. */
(function () {
  function show(el, on) { el.hidden = !on; el.style.display = on ? "" : "none"; }
  function apply(scope) {
    var controls = scope.querySelectorAll("select[data-gk-filter]"), shown = 0;
    scope.querySelectorAll("[data-gk-item]").forEach(function (item) {
      var ok = true;
      controls.forEach(function (c) {
        var have = (item.getAttribute("data-" + c.getAttribute("data-gk-filter")) || "").split(" ");
        if (c.value && have.indexOf(c.value) < 0) ok = false;
      });
      show(item, ok);
      if (ok) shown++;
    });
    scope.querySelectorAll("[data-gk-group]").forEach(function (g) {
      show(g, !!g.querySelector("[data-gk-item]:not([hidden])"));
    });
    scope.querySelectorAll("[data-gk-count]").forEach(function (n) { n.textContent = shown; });
  }
  function init() {
    document.querySelectorAll("[data-gk-filter-scope]").forEach(function (scope) {
      if (scope.hasAttribute("data-gk-ready")) return;
      scope.setAttribute("data-gk-ready", "");
      scope.querySelectorAll("[data-gk-filter-controls]").forEach(function (c) { show(c, true); });
      scope.addEventListener("change", function (e) {
        if (e.target.hasAttribute("data-gk-filter")) apply(scope);
      });
      apply(scope);
    });
  }
  if (window.document$ && window.document$.subscribe) window.document$.subscribe(init);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
