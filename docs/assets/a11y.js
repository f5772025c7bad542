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
  /* A display formula or a table wider than the screen scrolls sideways inside its own box
     (.math-display, Material's .md-typeset__scrollwrap; docs/assets/site.css): such a box joins the
     tab order, so that a keyboard can scroll it too; a box that fits stays out of it. Checked again
     when the page, the window or the fonts change. */
  function scrollable() {
    document.querySelectorAll(".md-typeset .math-display, .md-typeset__scrollwrap").forEach(function (box) {
      var wide = box.scrollWidth > box.clientWidth + 1;
      if (wide && !box.hasAttribute("tabindex")) box.setAttribute("tabindex", "0");
      if (!wide && box.getAttribute("tabindex") === "0") box.removeAttribute("tabindex");
    });
  }
  function update() { name(); scrollable(); }
  new MutationObserver(update).observe(document.body, { childList: true, subtree: true });
  window.addEventListener("resize", scrollable);
  if (document.fonts) document.fonts.addEventListener("loadingdone", scrollable);
  update();
})();
