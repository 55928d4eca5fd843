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
  // After htmx swaps a new page in, move the focus to it so screen readers announce it.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!event.detail || !event.detail.boosted) return;
    var main = document.getElementById("contenu");
    if (main && !location.hash) main.focus({ preventScroll: true });
  });
})();
