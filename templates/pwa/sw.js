{% autoescape off %}/* IGP Maintenance service worker (served by pwa.views.service_worker at /sw.js).
   Keeps the app shell and the offline pages; never a page, a fragment, an API answer or a photo.
   Version {{ version }}: changes with every static file or offline page, so a deployment installs anew. */
"use strict";
var VERSION = "{{ version }}";
var SHELL_CACHE = "igp-shell-" + VERSION;
var META_CACHE = "igp-meta";
var SHELL = {{ shell }};
var OFFLINE = {{ offline }};
var DEFAULT_LANGUAGE = {{ default_language }};
var ICONS = {{ icons }};
var LANGUAGE_KEY = "/__igp/language";

self.addEventListener("install", function (event) {
  var urls = SHELL.concat(Object.keys(OFFLINE).map(function (code) { return OFFLINE[code]; }));
  event.waitUntil(caches.open(SHELL_CACHE).then(function (cache) {
    return cache.addAll(urls.map(function (url) { return new Request(url, { cache: "reload" }); }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("igp-shell-") === 0 && name !== SHELL_CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function offlinePage() {
  return caches.open(META_CACHE).then(function (meta) { return meta.match(LANGUAGE_KEY); })
    .then(function (answer) { return answer ? answer.text() : DEFAULT_LANGUAGE; })
    .then(function (language) {
      return caches.match(OFFLINE[language] || OFFLINE[DEFAULT_LANGUAGE], { cacheName: SHELL_CACHE });
    })
    .then(function (page) {
      return page || new Response("Hors ligne / Offline", { status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" } });
    });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    // Pages: always the network (they are private and change); the offline page when it fails.
    event.respondWith(fetch(request).catch(offlinePage));
    return;
  }
  if (SHELL.indexOf(url.pathname) !== -1) {
    event.respondWith(caches.match(request, { cacheName: SHELL_CACHE }).then(function (hit) {
      return hit || fetch(request);
    }));
  }
  // Anything else (htmx fragments, the API, photos): not handled, the browser asks the network.
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "language" && OFFLINE[data.language]) {
    // The offline page speaks the language of the last page the person saw.
    event.waitUntil(caches.open(META_CACHE).then(function (meta) {
      return meta.put(LANGUAGE_KEY, new Response(data.language));
    }));
  } else if (data.type === "signout") {
    // Signing out: drop every cache (the server also sends Clear-Site-Data).
    event.waitUntil(caches.keys().then(function (names) {
      return Promise.all(names.map(function (name) { return caches.delete(name); }));
    }));
  }
});

self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = { title: event.data.text() }; }
  var url = typeof data.url === "string" && data.url.charAt(0) === "/" && data.url.charAt(1) !== "/" ? data.url : "/";
  event.waitUntil(self.registration.showNotification(data.title || "IGP Maintenance", {
    body: data.body || "",
    tag: data.tag || undefined,
    renotify: !!data.tag,
    data: { url: url, id: data.id || "" },
    icon: ICONS.icon,
    badge: ICONS.badge,
    // A critical ticket stays on screen until someone acts on it.
    requireInteraction: !!data.critical
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var target = new URL((event.notification.data && event.notification.data.url) || "/", self.location.origin);
  if (target.origin !== self.location.origin) target = new URL("/", self.location.origin);
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
    for (var i = 0; i < windows.length; i++) {
      if (windows[i].url === target.href && "focus" in windows[i]) return windows[i].focus();
    }
    return self.clients.openWindow(target.href);
  }));
});
{% endautoescape %}
