// Prints what the shipped search script makes of each argument: its folded words, their character
// pairs and the CRC-32 of each pair (the shard a term lives in).
"use strict";
const path = require("path");
const [script, ...texts] = process.argv.slice(2);
const search = require(path.resolve(script));
process.stdout.write(JSON.stringify(texts.map((text) => {
  const words = search.words(text);
  return { fold: search.fold(text), words, grams: words.map(search.grams),
           crc: words.flatMap(search.grams).map(search.crc32) };
})));
