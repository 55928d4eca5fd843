/* The photo and video viewer of a ticket page.

   Without this file every thumbnail is a plain link to its file. With it, a tap opens the
   file in a modal <dialog>: Escape (or "Fermer") closes it, the arrow keys, the buttons or a
   sideways swipe go to the previous/next file, and the focus goes back to the thumbnail that
   opened it. A video is paused when it leaves the screen. */
(function () {
  "use strict";
  // Loaded by the ticket page's body, so htmx runs it again on every visit: listen once.
  if (window.igpViewer) return;
  window.igpViewer = true;
  var state = null; // {dialog, links, index, opener}

  function galleryOf(link) { return link.closest("[data-viewer]"); }

  function show(index) {
    var links = state.links;
    state.index = (index + links.length) % links.length;
    var link = links[state.index];
    var dialog = state.dialog;
    var stage = dialog.querySelector("[data-viewer-stage]");
    stopVideo();
    stage.replaceChildren();
    var item;
    if (link.dataset.kind === "video") {
      item = document.createElement("video");
      item.controls = true;
      item.preload = "metadata";
      item.setAttribute("playsinline", "");
    } else {
      item = document.createElement("img");
      item.alt = link.querySelector("img") ? link.querySelector("img").alt : link.dataset.name;
      item.decoding = "async";
    }
    item.src = link.href;
    stage.appendChild(item);
    dialog.querySelector("[data-viewer-name]").textContent = link.dataset.name || "";
    dialog.querySelector("[data-viewer-position]").textContent = (state.index + 1) + " / " + links.length;
    dialog.querySelector("[data-viewer-open]").href = link.href;
    dialog.querySelectorAll("[data-viewer-step]").forEach(function (button) { button.hidden = links.length < 2; });
  }

  function stopVideo() {
    var video = state && state.dialog.querySelector("[data-viewer-stage] video");
    if (video) video.pause();
  }

  function open(link) {
    var gallery = galleryOf(link);
    var dialog = gallery && document.getElementById(gallery.dataset.viewer);
    if (!dialog || typeof dialog.showModal !== "function") return false;
    var links = Array.prototype.slice.call(gallery.querySelectorAll("a.thumb"));
    state = { dialog: dialog, links: links, index: 0, opener: link };
    show(links.indexOf(link));
    dialog.showModal();
    dialog.querySelector("[data-viewer-close]").focus();
    return true;
  }

  function closed() {
    if (!state) return;
    stopVideo();
    state.dialog.querySelector("[data-viewer-stage]").replaceChildren();
    var opener = state.links[state.index] || state.opener;
    state = null;
    if (opener && opener.isConnected) opener.focus();
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-viewer] a.thumb");
    if (link) {
      // A new tab or a download (Ctrl, ⌘, middle button) stays the browser's.
      if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
      if (open(link)) event.preventDefault();
      return;
    }
    if (!state) return;
    var step = event.target.closest("[data-viewer-step]");
    if (step) { show(state.index + Number(step.dataset.viewerStep)); return; }
    if (event.target.closest("[data-viewer-close]") || event.target === state.dialog) state.dialog.close();
  });

  document.addEventListener("keydown", function (event) {
    if (!state || !state.dialog.open) return;
    if (event.target.tagName === "VIDEO") return; // Its arrows seek.
    if (event.key === "ArrowRight") { show(state.index + 1); event.preventDefault(); }
    if (event.key === "ArrowLeft") { show(state.index - 1); event.preventDefault(); }
  });

  // The dialog's "close" comes from Escape, the button or form method=dialog alike.
  document.addEventListener("close", function (event) {
    if (state && event.target === state.dialog) closed();
  }, true);

  // A sideways swipe on the photo: more than 50 px, more across than down.
  var start = null;
  document.addEventListener("pointerdown", function (event) {
    if (state && event.target.closest("[data-viewer-stage]")) start = { x: event.clientX, y: event.clientY };
  });
  document.addEventListener("pointerup", function (event) {
    if (!state || !start) return;
    var dx = event.clientX - start.x, dy = event.clientY - start.y;
    start = null;
    if (Math.abs(dx) > 50 && Math.abs(dx) > Math.abs(dy)) show(state.index + (dx < 0 ? 1 : -1));
  });

  // Leaving the page (htmx swaps it) with the viewer open: nothing left playing.
  document.addEventListener("htmx:beforeSwap", function () { if (state) state.dialog.close(); });
})();
