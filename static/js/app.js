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

  // A request that fails (no network, a timeout, a 5xx) swaps nothing, so what was typed stays in
  // the form; say so in words and offer to send the same request again.
  var lastRequest = null;
  var lastSubmitter = null;
  document.addEventListener("submit", function (event) { lastSubmitter = event.submitter || null; }, true);
  // The board's own poll (data-board-poll) is not the person's action: it neither becomes the request
  // "Réessayer" sends again nor shows the error box; the next poll simply tries again.
  function polled(event) {
    // detail.elt is the poller when the request leaves, the target (#board-live) when its answer is swapped.
    var config = event.detail && event.detail.requestConfig;
    var elt = (config && config.elt) || (event.detail && event.detail.elt);
    return !!(elt && elt.hasAttribute && elt.hasAttribute("data-board-poll"));
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (polled(event)) return;
    lastRequest = { elt: event.detail.elt, submitter: lastSubmitter };
  });
  function showNetError(kind) {
    var box = document.getElementById("net-error");
    if (!box) return;
    box.querySelectorAll("[data-when]").forEach(function (p) { p.hidden = p.dataset.when !== kind; });
    box.hidden = false;
    var retry = box.querySelector("[data-retry]");
    if (retry) retry.focus({ preventScroll: true });
  }
  function hideNetError() {
    var box = document.getElementById("net-error");
    if (box) box.hidden = true;
  }
  document.addEventListener("htmx:sendError", function (event) {
    if (polled(event)) return;
    showNetError(navigator.onLine === false ? "offline" : "failed");
  });
  document.addEventListener("htmx:timeout", function (event) { if (!polled(event)) showNetError("offline"); });
  document.addEventListener("htmx:responseError", function (event) {
    // A 4xx is a page of ours (a refused form, a 404) and is shown; a 5xx swaps nothing.
    if (polled(event)) return;
    if (event.detail.xhr && event.detail.xhr.status >= 500) showNetError("failed");
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("#net-error button");
    if (!button) return;
    hideNetError();
    if (!button.hasAttribute("data-retry")) return;
    var request = lastRequest;
    if (!request || !request.elt || !request.elt.isConnected) { location.reload(); return; }
    if (request.elt.tagName === "FORM") {
      // Clicking the same button again sends its name and value too (the status asked for).
      if (request.submitter && request.submitter.isConnected) request.submitter.click();
      else if (request.elt.requestSubmit) request.elt.requestSubmit(); else request.elt.submit();
    } else {
      request.elt.click();
    }
  });

  // Typed text survives a reload or a closed tab too: long fields keep a draft on this device
  // until their form has gone through.
  function draftKey(field) {
    return "draft:" + (field.form.getAttribute("action") || location.pathname) + ":" + field.name;
  }
  function restoreDrafts(root) {
    var s = store();
    if (!s) return;
    (root || document).querySelectorAll("form[method=post] textarea").forEach(function (field) {
      var draft = s.getItem(draftKey(field));
      if (draft && !field.value) field.value = draft;
    });
  }
  document.addEventListener("input", function (event) {
    var field = event.target;
    var s = store();
    if (!s || field.tagName !== "TEXTAREA" || !field.form || field.form.method !== "post") return;
    if (field.value) s.setItem(draftKey(field), field.value); else s.removeItem(draftKey(field));
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    // A poll answered by another page (signed out meanwhile: the sign-in page) reloads, never nests it.
    if (polled(event)) {
      var xhr = event.detail.xhr;
      if (xhr.status >= 400 || (xhr.responseURL && new URL(xhr.responseURL).pathname !== location.pathname)) {
        event.detail.shouldSwap = false;
        if (xhr.status < 500) location.reload();
      }
      return;
    }
    var form = event.detail.requestConfig && event.detail.requestConfig.elt;
    var s = store();
    // Gone through (a refused form comes back from the server with its text): the draft is done.
    if (!s || !form || form.tagName !== "FORM" || event.detail.xhr.status >= 400) return;
    form.querySelectorAll("textarea").forEach(function (field) { s.removeItem(draftKey(field)); });
  });
  restoreDrafts(document);

  // The quiet "assigned to you" note on the board closes with its button.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-dismiss-toast]");
    var toast = button && button.closest(".toast");
    if (toast) toast.replaceChildren();
  });

  // Too many files, or too heavy together (report form, ticket page): said at the control before
  // anything is sent, rather than after a long upload that the server or nginx then refuses.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var inputs = form.querySelectorAll ? form.querySelectorAll("input[type=file][data-max-files]") : [];
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      var files = Array.prototype.slice.call(input.files || []);
      var total = files.reduce(function (sum, f) { return sum + f.size; }, 0);
      var tooMany = files.length > Number(input.dataset.maxFiles);
      var tooBig = files.length > 1 && total > Number(input.dataset.maxBytes);
      input.setCustomValidity(tooMany ? input.dataset.tooMany || "" : tooBig ? input.dataset.tooBig || "" : "");
      if (tooMany || tooBig) {
        event.preventDefault();
        event.stopImmediatePropagation();
        input.reportValidity();
        input.addEventListener("change", function () { this.setCustomValidity(""); }, { once: true });
        return;
      }
    }
  }, true);

  // After htmx swaps a new page in, move the focus to it so screen readers announce it.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!event.detail || !event.detail.boosted) return;
    restoreFolds(document);
    restoreDrafts(document);
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
