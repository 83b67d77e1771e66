/* gongkai search_zh: before Material's search worker gets a query, each run of two or more Han
   characters becomes required bigram terms plus the run itself: 充电桩 → "+充_电 +电_桩 充电桩".
   The search index holds every section's bigrams in the hidden fields zt/zx (plugins/search_zh.py),
   so any part of a word is found (预算 in 财政预算), whatever jieba made of it. The run itself stays
   as an optional term for ranking and <mark> highlighting. "-预算" (exclusion) is left to Material. */
(function () {
  "use strict";
  var HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"; // keep identical to HAN in search_zh.py
  var RUN = new RegExp("([+-]?)([" + HAN + "]{2,})", "g");
  var ANY_RUN = new RegExp("[" + HAN + "]{2}");
  var QUERY = 2; // SearchMessageType.QUERY of Material 9 (gongkai pins mkdocs-material <10)

  function rewrite(query) {
    if (!ANY_RUN.test(query)) return query;
    return query.replace(/"/g, " ").replace(RUN, function (all, sign, run) {
      if (sign === "-") return all;
      var terms = [];
      for (var i = 0; i < run.length - 1; i++) terms.push("+" + run.charAt(i) + "_" + run.charAt(i + 1));
      return " " + terms.join(" ") + " " + run + " ";
    }).replace(/\s+/g, " ").trim();
  }

  if (typeof module !== "undefined" && module.exports) module.exports = rewrite; // tests run it in Node
  if (typeof Worker === "undefined") return;
  window.gongkaiSearchRewrite = rewrite;
  // Material posts {type, data} messages to its worker; the method is looked up at call time.
  var post = Worker.prototype.postMessage;
  Worker.prototype.postMessage = function (message) {
    if (message && message.type === QUERY && typeof message.data === "string") {
      var args = Array.prototype.slice.call(arguments);
      args[0] = { type: QUERY, data: rewrite(message.data) };
      return post.apply(this, args);
    }
    return post.apply(this, arguments);
  };
})();
