/* gongkai search: the header's search box over the static index in search/ (gongkai/site/search.py).

   A query is split at spaces into words; each word is folded the way the index folds text (NFKC, lower
   case, letters and digits only) and cut into its pairs of neighbouring characters (one character
   alone stays itself). Only the index shards that hold those pairs are fetched; the pages holding
   all of them are the candidates, and a page is listed once its own text is seen to hold every word,
   so a part of a word is found exactly (审计 in 审计局, 12号楼, p-00012) and nothing else is.

   Nothing here ever writes into the search box: what residents type stays as they typed it, however
   fast, even while a slow connection is still fetching. A newer query simply makes older answers
   stale. Every request goes to this site. */
(function () {
  "use strict";

  var PAGE_SIZE = 10;
  var CHECK_BATCH = 12;

  // ------------------------------------------------------------------ the index (also run by Node in tests)

  function fold(text) {
    return String(text).normalize("NFKC").toLowerCase().replace(/[^\p{L}\p{N}]/gu, "");
  }

  function words(query) {
    var seen = {};
    return String(query).split(/\s+/).map(fold).filter(function (w) {
      if (!w || seen[w]) return false;
      seen[w] = true;
      return true;
    });
  }

  function grams(word) {
    if (word.length < 2) return [word];
    var out = [], seen = {};
    for (var i = 0; i + 1 < word.length; i++) {
      var pair = word.slice(i, i + 2);
      if (!seen[pair]) { seen[pair] = true; out.push(pair); }
    }
    return out;
  }

  var CRC_TABLE = (function () {
    var table = [];
    for (var n = 0; n < 256; n++) {
      var c = n;
      for (var k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table.push(c >>> 0);
    }
    return table;
  })();

  function crc32(text) {
    var bytes = new TextEncoder().encode(text), crc = 0xffffffff;
    for (var i = 0; i < bytes.length; i++) crc = CRC_TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
    return (crc ^ 0xffffffff) >>> 0;
  }

  function undelta(deltas) {
    var out = new Array(deltas.length), at = 0;
    for (var i = 0; i < deltas.length; i++) { at += deltas[i]; out[i] = at; }
    return out;
  }

  function intersect(lists) {
    lists = lists.slice().sort(function (a, b) { return a.length - b.length; });
    var result = lists[0] || [];
    for (var i = 1; i < lists.length && result.length; i++) {
      var other = new Set(lists[i]);
      result = result.filter(function (page) { return other.has(page); });
    }
    return result;
  }

  /* An index over `get(path) -> Promise of parsed JSON`: a browser fetches, Node tests read files. */
  function Index(get) {
    this.get = get;
    this.meta = null;
    this.cache = {};
  }

  Index.prototype.load = function (path) {
    if (!this.cache[path]) this.cache[path] = this.get(path);
    return this.cache[path];
  };

  Index.prototype.ready = function () {
    var index = this;
    return this.load("search/meta.json").then(function (meta) { index.meta = meta; return meta; });
  };

  Index.prototype.postings = function (term) {
    var index = this;
    return this.load("search/t/" + crc32(term) % this.meta.shards + ".json").then(function (shard) {
      return shard[term] ? undelta(shard[term]) : [];
    });
  };

  Index.prototype.page = function (number) {
    var bucket = this.meta.bucket;
    return this.load("search/p/" + Math.floor(number / bucket) + ".json").then(function (pages) {
      return pages[number % bucket];
    });
  };

  /* The candidates of a query, best first: pages whose title holds every word, then by the page's rank
     (units, projects, decisions before lists); `filter(pageRow)` keeps a page. */
  Index.prototype.candidates = function (query, filter) {
    var index = this, list = words(query);
    if (!list.length) return Promise.resolve({ words: [], pages: [] });
    return this.ready().then(function (meta) {
      var terms = [];
      list.forEach(function (w) { grams(w).forEach(function (g) { if (terms.indexOf(g) < 0) terms.push(g); }); });
      return Promise.all(terms.map(function (t) { return index.postings(t); })).then(function (found) {
        var pages = intersect(found);
        if (filter) pages = pages.filter(function (n) { return filter(meta.pages[n]); });
        return Promise.all(terms.map(function (t) { return index.postings("^" + t); })).then(function (titled) {
          var inTitle = new Set(intersect(titled));
          pages.sort(function (a, b) {
            return (inTitle.has(b) - inTitle.has(a)) || (meta.pages[b][2] - meta.pages[a][2]) || (a - b);
          });
          return { words: list, pages: pages };
        });
      });
    });
  };

  /* Whether a page (its fragment) holds every word of the query: in its title, its address or its text
     (what gongkai/site/search.py indexed). */
  function holds(page, list) {
    var text = fold(page.t + " " + page.u + " " + page.x);
    return list.every(function (w) { return text.indexOf(w) >= 0; });
  }

  /* The next results from `candidates`, starting at `from`: pages that hold every word, up to `count`. */
  Index.prototype.results = function (candidates, from, count) {
    var index = this, found = [], at = from;
    function step() {
      if (found.length >= count || at >= candidates.pages.length) return Promise.resolve({ results: found, next: at });
      var batch = candidates.pages.slice(at, at + CHECK_BATCH);
      at += batch.length;
      return Promise.all(batch.map(function (n) { return index.page(n); })).then(function (pages) {
        pages.forEach(function (page) {
          if (found.length < count && holds(page, candidates.words)) found.push(page);
        });
        return step();
      });
    }
    return step();
  };

  var api = { fold: fold, words: words, grams: grams, crc32: crc32, Index: Index, holds: holds };
  if (typeof module !== "undefined" && module.exports) { module.exports = api; return; }
  window.gongkaiSearch = api;

  // ------------------------------------------------------------------ the search box

  var root = (function () {
    var script = document.currentScript && document.currentScript.src;
    return script ? script.replace(/assets\/gongkai\/search\.js(\?.*)?$/, "") : "./";
  })();

  function fetchJSON(path) {
    return fetch(root + path, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error(path + ": " + response.status);
      return response.json();
    });
  }

  var index = new Index(fetchJSON);

  function excerpt(page, list) {
    var text = page.x, lower = text.normalize("NFKC").toLowerCase();
    var first = -1, word = "";
    list.forEach(function (w) {
      var at = lower.indexOf(w);
      if (at >= 0 && (first < 0 || at < first)) { first = at; word = w; }
    });
    var start = Math.max(0, first - 24), end = Math.min(text.length, (first < 0 ? 0 : first) + word.length + 56);
    var fragment = document.createDocumentFragment();
    if (start > 0) fragment.appendChild(document.createTextNode("…"));
    if (first < 0) {
      fragment.appendChild(document.createTextNode(text.slice(0, 80)));
    } else {
      fragment.appendChild(document.createTextNode(text.slice(start, first)));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(first, first + word.length);
      fragment.appendChild(mark);
      fragment.appendChild(document.createTextNode(text.slice(first + word.length, end)));
    }
    if (end < text.length) fragment.appendChild(document.createTextNode("…"));
    return fragment;
  }

  function Box(dialog) {
    this.dialog = dialog;
    this.input = dialog.querySelector("[data-gk-search-input]");
    this.list = dialog.querySelector("[data-gk-search-results]");
    this.status = dialog.querySelector("[data-gk-search-status]");
    this.more = dialog.querySelector("[data-gk-search-more]");
    this.community = dialog.querySelector("[data-gk-search-community]");
    this.kind = dialog.querySelector("[data-gk-search-kind]");
    this.toggle = document.getElementById("__search");
    this.serial = 0;
    this.candidates = null;
    this.next = 0;
    this.wire();
  }

  Box.prototype.wire = function () {
    var box = this, timer = null;
    var run = function () { clearTimeout(timer); timer = setTimeout(function () { box.search(); }, 120); };
    this.input.addEventListener("input", run);
    this.community.addEventListener("change", function () { box.search(); });
    this.kind.addEventListener("change", function () { box.search(); });
    this.input.addEventListener("keydown", function (event) { box.key(event, -1); });
    this.list.addEventListener("keydown", function (event) {
      var links = Array.prototype.slice.call(box.list.querySelectorAll("a"));
      box.key(event, links.indexOf(document.activeElement));
    });
    this.more.addEventListener("click", function () { box.show(false); });
    this.dialog.querySelector("form").addEventListener("submit", function (event) {
      event.preventDefault();
      var first = box.list.querySelector("a");
      if (first) window.location.href = first.href;
    });
    this.dialog.querySelector("form").addEventListener("reset", function () {
      setTimeout(function () { box.search(); box.input.focus(); }, 0);
    });
    if (this.toggle) this.toggle.addEventListener("change", function () { if (box.toggle.checked) box.open(); });
    document.addEventListener("keydown", function (event) {
      var target = event.target, tag = target && target.tagName;
      var typing = tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
      if (!typing && !event.ctrlKey && !event.metaKey && !event.altKey && (event.key === "s" || event.key === "/")) {
        event.preventDefault();
        box.open();
      } else if (event.key === "Escape" && box.toggle && box.toggle.checked) {
        box.close();
      }
    });
  };

  /* Open or close Material's search dialog through its toggle, announced, so that Material keeps the
     page under the dialog still on phones as it does for its own search. */
  Box.prototype.setOpen = function (open) {
    if (this.toggle && this.toggle.checked !== open) {
      this.toggle.checked = open;
      this.toggle.dispatchEvent(new Event("change"));
    }
  };

  Box.prototype.open = function () {
    var box = this;
    this.setOpen(true);
    this.input.focus();
    index.ready().then(function (meta) { box.fill(meta); }, function () { box.say("搜索暂时不可用，请稍后再试。"); });
  };

  Box.prototype.close = function () {
    this.setOpen(false);
    this.input.blur();
  };

  Box.prototype.fill = function (meta) {
    if (this.filled) return;
    this.filled = true;
    var add = function (select, values) {
      values.forEach(function (value, i) {
        var option = document.createElement("option");
        option.value = String(i);
        option.textContent = value;
        select.appendChild(option);
      });
    };
    add(this.community, meta.communities);
    add(this.kind, meta.kinds);
  };

  Box.prototype.say = function (text) { this.status.textContent = text; };

  Box.prototype.filter = function () {
    var place = this.community.value, kind = this.kind.value;
    if (place === "" && kind === "") return null;
    return function (row) {
      return (kind === "" || row[0] === Number(kind)) && (place === "" || row[1] === Number(place) + 1);
    };
  };

  Box.prototype.search = function () {
    var box = this, serial = ++this.serial, query = this.input.value;
    this.list.textContent = "";
    this.more.hidden = true;
    if (!words(query).length) { this.say("输入要找的内容，例如单位名称、项目名称、12号楼"); return; }
    this.say("正在搜索……");
    index.candidates(query, this.filter()).then(function (candidates) {
      if (serial !== box.serial) return;
      box.candidates = candidates;
      box.next = 0;
      box.show(true);
    }, function () { if (serial === box.serial) box.say("搜索暂时不可用，请稍后再试。"); });
  };

  Box.prototype.show = function (first) {
    var box = this, serial = this.serial, candidates = this.candidates;
    index.results(candidates, this.next, PAGE_SIZE).then(function (found) {
      if (serial !== box.serial) return;
      box.next = found.next;
      found.results.forEach(function (page) { box.list.appendChild(box.item(page, candidates.words)); });
      var shown = box.list.children.length;
      box.more.hidden = box.next >= candidates.pages.length;
      if (!shown && box.more.hidden) box.say("没有找到。可以换一个词，或少输入几个字。");
      else box.say("找到 " + (box.more.hidden ? shown : "约 " + candidates.pages.length) + " 个页面");
      if (first && shown) box.list.scrollTop = 0;
    });
  };

  Box.prototype.item = function (page, list) {
    var li = document.createElement("li"), link = document.createElement("a");
    li.className = "md-search-result__item";
    link.className = "md-search-result__link";
    link.href = root + page.u;
    var article = document.createElement("article");
    article.className = "md-search-result__article md-typeset";
    var title = document.createElement("h2");
    title.className = "gk-search__title";
    title.textContent = page.t;
    var about = document.createElement("p");
    about.className = "gk-search__kind";
    about.textContent = page.k + (page.c ? " · " + page.c : "");
    var text = document.createElement("p");
    text.className = "gk-search__excerpt";
    text.appendChild(excerpt(page, list));
    article.appendChild(title);
    article.appendChild(about);
    article.appendChild(text);
    link.appendChild(article);
    li.appendChild(link);
    return li;
  };

  /* Arrow keys move between the search box and the results (`at`: the focused result, -1 the box). */
  Box.prototype.key = function (event, at) {
    var links = this.list.querySelectorAll("a");
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    if (!links.length) return;
    event.preventDefault();
    var next = at + (event.key === "ArrowDown" ? 1 : -1);
    if (next < 0) this.input.focus();
    else links[Math.min(next, links.length - 1)].focus();
  };

  function start() {
    var dialog = document.querySelector("[data-gk-search]");
    if (dialog && !dialog.gkSearch) dialog.gkSearch = new Box(dialog);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
