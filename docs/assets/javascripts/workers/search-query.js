/* Material's search worker, given queries cut into the index's words, every word required.

   The page's __config names this file as the search worker, with Material's own worker after the
   "#" (sitebuild/search.py writes both, and the index this reads). Before Material sees a query:
   - Chinese is cut into words the way the index was cut by jieba: bidirectional maximum matching
     against the index's own Chinese words plus the index config's `words` (dictionary words the
     site never uses, so that 人类 stays 人类 and finds nothing instead of every 类); the same
     algorithm as `segment` in sitebuild/search.py;
   - each word goes through the index's own pipeline (trimmer, stop words), then becomes required:
     "+word", so a query of several words finds only what has them all;
   - Chinese words match whole; an English word matches by the longest common prefix of the word
     and its Porter stem ("broadcasts" -> "+broadcast*", "optimizers" -> "+optim*"), so any
     inflection is found while the index keeps whole words; other words (numbers) by prefix;
   - the index's hidden `names` field (each of the glossary's names as one token, its words joined
     by "·", on the heading that teaches the term, boosted above titles) is matched only by the
     whole query as one name (as typed, or with a plural's "s" dropped): "convolution" lifts the
     page that teaches convolution, not the one that teaches "1×1 convolution", and "grad" no
     page that teaches gradients.
   Material's own cutting of Chinese (which splits a word at the first index word inside it:
   "过拟合" -> "过") is kept from splitting the words again: it looks words up with `in` on the
   index's term table, which here answers no (lunr itself reads that table only by key).
   It runs in a real Worker and in the iframe that stands in for one when the site is read from
   file:// (there importScripts loads asynchronously, hence the Promise). */
(function () {
  "use strict";
  var here = typeof document !== "undefined" && document.currentScript
    ? document.currentScript.src : self.location.href;
  var material = decodeURIComponent(new URL(here).hash.slice(1).split("?")[0]);
  var HAN = /^\p{sc=Han}+$/u, HAN_RUN = /(\p{sc=Han}+)/u;
  var state = { extra: [], words: new Set(), longest: 1, pipeline: null, separator: /[\s\-]+/, names: [] };

  function patchLunr() {
    if (typeof lunr === "undefined" || lunr.Builder.prototype.build.searchQuery) return;
    var build = lunr.Builder.prototype.build;
    lunr.Builder.prototype.build = function () {
      var index = build.call(this), words = new Set(state.extra), longest = 1;
      for (var term in index.invertedIndex) if (HAN.test(term)) words.add(term);
      words.forEach(function (word) { longest = Math.max(longest, Array.from(word).length); });
      state.words = words;
      state.longest = longest;
      state.pipeline = this.pipeline;
      index.invertedIndex = new Proxy(index.invertedIndex, { has: function () { return false; } });
      return index;
    };
    lunr.Builder.prototype.build.searchQuery = true;
    // the glossary's `names` field: only the whole query, as one name, matches there
    lunr.Index.prototype.search = function (query) {
      var fields = this.fields;
      return this.query(function (built) {
        new lunr.QueryParser(query, built).parse();
        if (fields.indexOf("names") < 0) return;
        built.clauses.forEach(function (clause) {
          clause.fields = clause.fields.filter(function (field) { return field !== "names"; });
        });
        state.names.forEach(function (name) {
          built.clause({ term: name, fields: ["names"], usePipeline: false,
                         presence: lunr.Query.presence.OPTIONAL });
        });
      });
    };
  }

  // bidirectional maximum matching: fewer words, then fewer single characters, then backward
  function cut(chars, forward) {
    var out = [], start = 0, end = chars.length;
    while (start < end) {
      for (var size = Math.min(state.longest, end - start); size > 0; size--) {
        var word = (forward ? chars.slice(start, start + size) : chars.slice(end - size, end)).join("");
        if (size === 1 || state.words.has(word)) break;
      }
      if (forward) { out.push(word); start += size; } else { out.unshift(word); end -= size; }
    }
    return out;
  }
  function singles(words) {
    return words.filter(function (word) { return Array.from(word).length === 1; }).length;
  }
  function segment(text) {
    var chars = Array.from(text), ahead = cut(chars, true), back = cut(chars, false);
    var a = ahead.length, b = back.length;
    return a < b || (a === b && singles(ahead) < singles(back)) ? ahead : back;
  }

  function prefix(word) {
    if (word.length < 4) return word;
    var stem = lunr.stemmer(new lunr.Token(word, {})).toString(), n = 0;
    while (n < stem.length && n < word.length && stem[n] === word[n]) n++;
    return n >= 4 ? word.slice(0, n) : word;
  }

  function rewrite(query) {
    var words = [], typed = [];
    query = query.replace(/[\uff01-\uff5e]/g, function (c) {  // full-width Latin letters, digits
      return String.fromCharCode(c.charCodeAt(0) - 0xfee0);
    }).replace(/\u3000/g, " ").toLowerCase().replace(/[+~^:*"·]/g, " ");
    query.split(state.separator).forEach(function (part) {
      part.split(HAN_RUN).forEach(function (piece, i) {
        if (!piece) return;
        (i % 2 ? segment(piece) : [piece]).forEach(function (word) {
          typed.push(word);
          var kept = state.pipeline ? state.pipeline.runString(word) : [word];
          if (!kept.length || !kept[0]) return;  // a stop word: not in the index either
          word = kept[0];
          words.push("+" + (HAN.test(word) ? word : (/^[a-z]+$/.test(word) ? prefix(word) : word) + "*"));
        });
      });
    });
    // the whole query as one of the glossary's names (their words joined by "·" in `names`)
    var name = typed.join("·"), singular = typed.map(function (word) {
      return word.replace(/(?<=[a-z]{2}[^s])s$/, "");
    }).join("·");
    state.names = name === singular ? [name] : [name, singular];
    return words.join(" ");
  }

  // registered before Material's worker loads, so it sees (and rewrites) each message first
  addEventListener("message", function (event) {
    var message = event.data;
    if (!message) return;
    if (message.type === 0 && message.data && message.data.config) {  // 0: set up the index
      var config = message.data.config;
      state.extra = (config.words || "").split(" ").filter(Boolean);
      if (config.separator) state.separator = new RegExp(config.separator);
      patchLunr();
    } else if (message.type === 2 && typeof message.data === "string") {  // 2: a query
      try {
        message.data = rewrite(message.data);
      } catch (err) {
        console.warn(err);
      }
    }
  });

  self.searchQuery = { rewrite: rewrite, segment: segment };  // for the tests
  importScripts(new URL(material, here).href);
})();
