/* Material's search worker, run with English query words reduced to their stems.

   The page's __config names this file as the search worker, with Material's own worker after the
   "#" (sitebuild/search.py writes both). Before Material sees a query, each English word becomes
   the longest common prefix of the word and its Porter stem ("broadcasts" -> "broadcast",
   "optimizers" -> "optim", "entropy" -> "entrop"), and Material then adds its usual trailing "*":
   the index keeps whole words, so any inflection of the word is found, and so is a word still
   being typed. Words shorter than four letters, or whose prefix would be, are left alone.
   It runs in a real Worker and in the iframe that stands in for one when the site is read from
   file:// (there importScripts loads asynchronously, hence the Promise). */
(function () {
  "use strict";
  var here = typeof document !== "undefined" && document.currentScript
    ? document.currentScript.src : self.location.href;
  var material = decodeURIComponent(new URL(here).hash.slice(1).split("?")[0]);

  function prefix(word) {
    if (word.length < 4 || typeof lunr === "undefined") return word;
    var stem = lunr.stemmer(new lunr.Token(word.toLowerCase(), {})).toString();
    var lower = word.toLowerCase(), n = 0;
    while (n < stem.length && n < lower.length && stem[n] === lower[n]) n++;
    return n >= 4 ? lower.slice(0, n) : word;
  }

  // registered before Material's worker loads, so it sees (and rewrites) a query first
  addEventListener("message", function (event) {
    var message = event.data;
    if (message && message.type === 2 && typeof message.data === "string") {  // 2: a query
      message.data = message.data.split(/("[^"]*")/).map(function (part, i) {
        return i % 2 ? part : part.replace(/(^|[\s(])([A-Za-z]+)(?=$|[\s)])/g, function (_, before, word) {
          return before + prefix(word);
        });
      }).join("");
    }
  });

  importScripts(new URL(material, here).href);
})();
