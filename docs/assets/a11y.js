/* Names for what Material creates at run time without one. Each code block's copy button sits in
   a <nav> landmark: with many unnamed <nav>s on a page, a screen reader's list of landmarks is a
   column of identical "navigation" entries. Each gets a name that says which block it serves. */
(function () {
  "use strict";
  var zh = document.documentElement.lang === "zh";
  function name() {
    document.querySelectorAll("nav.md-code__nav:not([aria-label])").forEach(function (nav) {
      var block = nav.parentElement && nav.parentElement.id.match(/^__code_(\d+)$/);
      var n = block ? +block[1] + 1 : "";
      nav.setAttribute("aria-label", zh ? "代码块 " + n + " 的操作" : "Code block " + n + " actions");
    });
  }
  new MutationObserver(name).observe(document.body, { childList: true, subtree: true });
  name();
})();
