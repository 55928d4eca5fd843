/* The bell: its list opens as a panel under the header (htmx loads it, see notifications/_bell.html).
   Without this file the bell is a link to the notifications page, which works the same. */
(function () {
  "use strict";
  function bell() { return document.getElementById("bell"); }
  function panel() { return document.getElementById("bell-panel"); }
  function isOpen() { var p = panel(); return !!(p && !p.hidden); }
  function sync() { var b = bell(); if (b) b.setAttribute("aria-expanded", isOpen() ? "true" : "false"); }
  function close(focusBell) {
    var p = panel();
    if (!p || p.hidden) return;
    p.hidden = true;
    p.replaceChildren();
    sync();
    if (focusBell && bell()) bell().focus();
  }

  // A second tap on the bell closes the panel instead of loading it again: caught before htmx sees it.
  document.addEventListener("click", function (event) {
    var target = event.target;
    var onBell = target.closest && target.closest("[data-bell]");
    if (onBell && isOpen()) {
      event.preventDefault();
      event.stopPropagation();
      close(false);
      return;
    }
    // A tap anywhere else than the panel closes it.
    if (!onBell && isOpen() && !(target.closest && target.closest("#bell-panel"))) close(false);
  }, true);

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && isOpen()) close(true);
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var p = panel();
    if (!p) return;
    if (event.detail && event.detail.target === p) {
      p.hidden = false;
      var first = p.querySelector(".notif-link") || p.querySelector("a, button");
      if (first) first.focus({ preventScroll: true });
    }
    sync();  // The live board's poll redraws the bell (hx-swap-oob): keep its state right.
  });
  document.addEventListener("htmx:oobAfterSwap", sync);
})();
