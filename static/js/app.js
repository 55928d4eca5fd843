/* IGP Maintenance: small enhancements. Every page works without this file. */
(function () {
  "use strict";
  // Board filters: a changed list applies at once (the "Filtrer" button stays for keyboards and no-JS).
  document.addEventListener("change", function (event) {
    var field = event.target;
    var form = field.form;
    if (!form || !form.hasAttribute("data-autosubmit") || field.tagName !== "SELECT") return;
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  });

  // A fold the person opened (the board's filters) stays open on the next visit, on this device.
  function store() { try { return window.localStorage; } catch (e) { return null; } }
  function restoreFolds(root) {
    var s = store();
    if (!s) return;
    (root || document).querySelectorAll("details[data-remember]").forEach(function (fold) {
      if (s.getItem("fold:" + fold.dataset.remember) === "open") fold.open = true;
    });
  }
  document.addEventListener("toggle", function (event) {
    var fold = event.target;
    var s = store();
    if (!s || !fold.matches || !fold.matches("details[data-remember]")) return;
    s.setItem("fold:" + fold.dataset.remember, fold.open ? "open" : "closed");
  }, true);
  restoreFolds(document);

  // After htmx swaps a new page in, move the focus to it so screen readers announce it.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!event.detail || !event.detail.boosted) return;
    restoreFolds(document);
    // A refused form comes back with its first field in error marked autofocus: that field, not the page.
    var invalid = document.querySelector("#contenu [autofocus]");
    if (invalid) {
      invalid.focus({ preventScroll: true });
      // After htmx's own scroll to the top of the new page: the field and its message in the middle.
      setTimeout(function () { (invalid.closest(".field") || invalid).scrollIntoView({ block: "center" }); }, 0);
      return;
    }
    var main = document.getElementById("contenu");
    if (main && !location.hash) main.focus({ preventScroll: true });
  });
})();
