/* IGP Maintenance as an installed app: service worker, offline page, install hint, push switch.
   Every page works without this file; nothing here asks the person anything before a tap. */
(function () {
  "use strict";
  var sw = "serviceWorker" in navigator ? navigator.serviceWorker : null;
  var ua = navigator.userAgent || "";
  var isIOS = /iPhone|iPad|iPod/.test(ua) || (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
  var standalone = (window.matchMedia && window.matchMedia("(display-mode: standalone)").matches) ||
    navigator.standalone === true;

  // --- Service worker: registered from the site's root so it controls every page. ---
  if (sw && window.isSecureContext) {
    sw.register("/sw.js", { scope: "/" }).catch(function () { /* the site works without it */ });
    // The offline page speaks the language of the last page seen.
    sw.ready.then(function (registration) {
      var language = document.documentElement.lang || "fr";
      if (registration.active) registration.active.postMessage({ type: "language", language: language });
    });
  }

  // --- The offline page's "Réessayer". ---
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-reload]")) window.location.reload();
  });

  // --- Sign-out: forget this device's push subscription, drop the caches. ---
  function currentSubscription() {
    if (!sw || !("PushManager" in window)) return Promise.resolve(null);
    return sw.getRegistration("/").then(function (registration) {
      return registration && registration.pushManager ? registration.pushManager.getSubscription() : null;
    }).catch(function () { return null; });
  }
  function fillEndpoints(root) {
    var inputs = root.querySelectorAll("[data-push-endpoint]");
    if (!inputs.length) return;
    currentSubscription().then(function (subscription) {
      inputs.forEach(function (input) { input.value = subscription ? subscription.endpoint : ""; });
    });
  }
  document.addEventListener("submit", function (event) {
    if (!event.target.matches || !event.target.matches("form[data-signout]")) return;
    if (sw && sw.controller) sw.controller.postMessage({ type: "signout" });
  }, true);

  // --- Install hint, on phones only, until installed or dismissed (a cookie: sign-out clears storage). ---
  var hintKind = isIOS && !standalone && !/CriOS|FxiOS|EdgiOS/.test(ua) ? "ios" : null;
  var deferredPrompt = null;
  var dismissed = /(?:^|;\s*)igp_install_hint=no/.test(document.cookie);
  var phone = window.matchMedia && window.matchMedia("(max-width: 48rem), (pointer: coarse)").matches;
  function renderHint() {
    var hint = document.getElementById("install-hint");  // a boosted page brings a new one
    if (!hint) return;
    if (!hintKind || dismissed || standalone || !phone) { hint.hidden = true; return; }
    hint.querySelectorAll("[data-when]").forEach(function (p) { p.hidden = p.dataset.when !== hintKind; });
    hint.querySelector("[data-install]").hidden = hintKind !== "prompt";
    hint.hidden = false;
  }
  function dismissHint() {
    dismissed = true;
    document.cookie = "igp_install_hint=no; max-age=31536000; path=/; samesite=lax";
    renderHint();
  }
  window.addEventListener("beforeinstallprompt", function (event) {
    event.preventDefault();  // no browser banner: our small hint instead
    deferredPrompt = event;
    hintKind = "prompt";
    renderHint();
  });
  window.addEventListener("appinstalled", dismissHint);
  document.addEventListener("click", function (event) {
    if (!event.target.closest || !event.target.closest("#install-hint")) return;
    if (event.target.closest("[data-install-dismiss]")) dismissHint();
    if (event.target.closest("[data-install]") && deferredPrompt) {
      deferredPrompt.prompt();
      deferredPrompt.userChoice.then(dismissHint, dismissHint);
      deferredPrompt = null;
    }
  });

  // --- "Recevoir les notifications sur cet appareil". ---
  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }
  function setUpSwitch(root) {
    var button = root.querySelector("[data-push-switch]");
    var state = root.querySelector("[data-push-state]");
    var token = root.querySelector("input[name=csrfmiddlewaretoken]");
    function say(kind) {
      state.textContent = root.getAttribute("data-msg-" + kind) || "";
      root.setAttribute("data-state", kind);
    }
    function show(on) {
      button.setAttribute("aria-checked", on ? "true" : "false");
      say(on ? "on" : "off");
    }
    function post(url, body) {
      return fetch(url, {
        method: "POST", credentials: "same-origin", body: JSON.stringify(body),
        headers: { "Content-Type": "application/json", "X-CSRFToken": token ? token.value : "" }
      }).then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response;
      });
    }
    if (!sw || !("PushManager" in window) || !("Notification" in window)) {
      say(isIOS && !standalone ? "ios" : "unsupported");
      return;
    }
    var registration = null;
    sw.ready.then(function (ready) {
      registration = ready;
      return ready.pushManager.getSubscription();
    }).then(function (subscription) {
      button.disabled = false;
      if (Notification.permission === "denied") { show(false); say("denied"); return; }
      if (subscription && Notification.permission === "granted") {
        // Already on here: tell the server again (it may have forgotten a device a push service dropped).
        show(true);
        post(root.dataset.subscribeUrl, subscription.toJSON()).catch(function () { /* next visit */ });
      } else {
        show(false);
      }
    });
    function turnOn() {
      say("busy");
      // Asked now, because the person tapped: never on page load.
      return Promise.resolve(Notification.requestPermission()).then(function (permission) {
        if (permission !== "granted") { show(false); say("denied"); return null; }
        return registration.pushManager.subscribe({
          userVisibleOnly: true, applicationServerKey: keyBytes(root.dataset.key)
        }).then(function (subscription) {
          return post(root.dataset.subscribeUrl, subscription.toJSON()).then(function () {
            show(true);
            document.querySelectorAll("[data-push-endpoint]").forEach(function (input) {
              input.value = subscription.endpoint;
            });
          }, function (error) {
            subscription.unsubscribe();
            throw error;
          });
        });
      }).catch(function () { show(false); say("failed"); });
    }
    function turnOff() {
      say("busy");
      return registration.pushManager.getSubscription().then(function (subscription) {
        if (!subscription) return null;
        return post(root.dataset.unsubscribeUrl, { endpoint: subscription.endpoint }).then(function () {
          return subscription.unsubscribe();
        });
      }).then(function () { show(false); }, function () { show(true); say("failed"); });
    }
    button.addEventListener("click", function () {
      if (button.disabled) return;
      button.disabled = true;
      var on = button.getAttribute("aria-checked") === "true";
      (on ? turnOff() : turnOn()).then(function () { button.disabled = false; });
    });
  }
  // On the first load and after each page htmx swaps in.
  function enhance(root) {
    fillEndpoints(root);
    renderHint();
    root.querySelectorAll("[data-push]").forEach(function (element) {
      if (element.dataset.ready) return;
      element.dataset.ready = "1";
      setUpSwitch(element);
    });
  }
  enhance(document);
  document.addEventListener("htmx:load", function (event) {
    var root = event.detail && event.detail.elt;
    if (root && root.querySelectorAll) enhance(root);
  });
})();
