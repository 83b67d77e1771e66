// Runs the shipped search script (plugins/assets/search.js) in Node over a built site's index, as the
// search box does in a browser: `node search_cli.js <search.js> <site> <query>...` prints, per query,
// the paths of the pages listed (first 50) and how many candidates there were.
"use strict";
const fs = require("fs");
const path = require("path");
const [script, site, ...queries] = process.argv.slice(2);
const search = require(path.resolve(script));
const index = new search.Index((file) => Promise.resolve(JSON.parse(fs.readFileSync(path.join(site, file), "utf8"))));

(async () => {
  const out = {};
  for (const query of queries) {
    const [words, filter] = query.split("|");
    const filterFn = filter ? ((meta) => {
      const [kind, place] = filter.split(",");
      return (row) => (kind === "" || meta.kinds[row[0]] === kind) && (place === "" || meta.communities[row[1] - 1] === place);
    })(await index.ready()) : null;
    const candidates = await index.candidates(words, filterFn);
    const found = await index.results(candidates, 0, 50);
    out[query] = { candidates: candidates.pages.length, pages: found.results.map((p) => p.u) };
  }
  process.stdout.write(JSON.stringify(out));
})();
