/* gongkai theme script, loaded in <head> so that 长辈模式 (large type, high contrast, large tap
   targets; see gongkai.css) applies before the first paint. The choice is remembered across pages
   in localStorage. The switch is a real <button aria-pressed> in every page (theme/main.html), hidden
   until this script wires it: without JavaScript it could not work. Wide tables that scroll inside
   their .gk-table-wrap box become focusable, so they can be scrolled from the keyboard. */
(function () {
  "use strict";
  var KEY = "gongkai.elder", CLASS = "gk-elder", root = document.documentElement;
  var each = function (selector, fn) { Array.prototype.forEach.call(document.querySelectorAll(selector), fn); };

  function remembered() {
    try { return window.localStorage.getItem(KEY) === "1"; } catch (e) { return false; }
  }
  function remember(on) {
    try { window.localStorage.setItem(KEY, on ? "1" : "0"); } catch (e) { /* storage off: this page only */ }
  }
  function apply(on) {
    root.classList.toggle(CLASS, on);
    each("[data-gk-elder]", function (button) { button.setAttribute("aria-pressed", on ? "true" : "false"); });
    scrollables();
  }
  function scrollables() {
    each(".gk-table-wrap, .md-typeset__scrollwrap", function (box) {
      if (box.scrollWidth > box.clientWidth + 1) box.setAttribute("tabindex", "0");
      else box.removeAttribute("tabindex");
    });
  }
  function init() {
    each("[data-gk-elder]", function (button) {
      if (button.hasAttribute("data-gk-ready")) return;
      button.setAttribute("data-gk-ready", "");
      button.hidden = false;
      button.addEventListener("click", function () {
        var on = !root.classList.contains(CLASS);
        remember(on);
        apply(on);
      });
    });
    apply(root.classList.contains(CLASS));
  }

  root.classList.toggle(CLASS, remembered());
  window.addEventListener("storage", function (event) { if (event.key === KEY) apply(event.newValue === "1"); });
  window.addEventListener("resize", scrollables);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
  // Material's instant navigation swaps the page in place and announces it on document$.
  window.addEventListener("load", function () {
    scrollables();
    if (window.document$ && window.document$.subscribe) window.document$.subscribe(init);
  });
})();
