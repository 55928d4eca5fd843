/* Team messaging (templates/messaging/): keep the conversation at its newest message, load older ones
   without a jump, send with Enter, and record voice notes with MediaRecorder.
   Everything is delegated from `document`, so a page swapped in by htmx (hx-boost) needs no setup, and
   this file loaded once serves every conversation. Without it, the page still works: the form posts,
   "Messages plus anciens" is a link; only the voice button needs it (it stays disabled, saying why). */
(function () {
  "use strict";
  if (window.igpMessaging) return; // Loaded again by a boosted visit to another conversation.
  window.igpMessaging = true;

  function list() { return document.getElementById("message-list"); }
  function nearBottom() {
    var doc = document.documentElement;
    return doc.scrollHeight - (window.scrollY + window.innerHeight) < 160;
  }
  function toBottom() { window.scrollTo(0, document.documentElement.scrollHeight); }

  // --- The list: newest at the bottom ------------------------------------------------------------
  var stick = true;
  var olderHeight = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (target && target.id === "older-messages") olderHeight = document.documentElement.scrollHeight;
  });
  document.addEventListener("htmx:oobBeforeSwap", function () { stick = nearBottom(); });
  document.addEventListener("htmx:afterSettle", function () {
    if (!list()) return;
    if (olderHeight !== null) {
      // Older messages went in above: the one the person was reading stays where it was.
      window.scrollBy(0, document.documentElement.scrollHeight - olderHeight);
      olderHeight = null;
    }
  });
  document.addEventListener("htmx:oobAfterSwap", function (event) {
    var l = list();
    if (!l) return;
    var empty = l.querySelector("[data-chat-empty]");
    if (empty && l.querySelector(".chat-msg")) empty.remove();
    var mine = event.detail.target === l && l.lastElementChild && l.lastElementChild.classList.contains("mine");
    if (stick || mine) toBottom();
  });
  function opened() { if (list()) { toBottom(); initRecorder(); } }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", opened);
  else setTimeout(opened, 0); // Run by htmx inside a boosted page: the list is there once the swap settles.
  document.addEventListener("htmx:historyRestore", opened);
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target === document.body || event.detail.target.id === "contenu") opened();
  });

  // --- Writing: Enter sends, Shift+Enter goes to the next line --------------------------------
  document.addEventListener("keydown", function (event) {
    var field = event.target;
    if (event.key !== "Enter" || event.shiftKey || event.isComposing || field.id !== "msg-content") return;
    event.preventDefault();
    if (field.value.trim()) field.form.requestSubmit();
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (!form || !form.matches || !form.matches("[data-composer]") || !event.detail.successful) return;
    var field = form.querySelector("textarea");
    if (field) { field.value = ""; field.focus(); }
  });

  // --- Voice notes -------------------------------------------------------------------------------
  var TYPES = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/mp4", "audio/webm"];
  var rec = null; // {recorder, chunks, stream, started, mode, timer, cancelled}

  function button() { return document.querySelector("[data-record]"); }
  function say(text, isError) {
    var status = document.querySelector("[data-record-status]");
    if (!status) return;
    status.textContent = text || "";
    status.classList.toggle("field-error", !!isError);
  }
  function label(text) {
    var b = button();
    if (b) b.querySelector("[data-record-label]").textContent = text;
  }
  function why() {
    var b = button();
    if (!window.isSecureContext) return b.dataset.msgInsecure;
    if (!window.MediaRecorder || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      return b.dataset.msgUnsupported;
    }
    return "";
  }
  function initRecorder() {
    var b = button();
    if (!b) return;
    var reason = why();
    b.disabled = !!reason;
    // Where the browser cannot record, the button itself says why.
    label(reason || b.dataset.labelIdle);
  }
  function clock(seconds) {
    var s = Math.floor(seconds);
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }

  function start(mode) {
    var b = button();
    if (rec || !b || b.disabled) return;
    rec = {chunks: [], mode: mode, started: 0, cancelled: false, stopAsked: false};
    say("");
    navigator.mediaDevices.getUserMedia({audio: true}).then(function (stream) {
      if (!rec || rec.stopAsked && rec.mode === "hold" && !rec.started) {
        stream.getTracks().forEach(function (t) { t.stop(); });
        return;
      }
      var type = TYPES.find(function (t) { return MediaRecorder.isTypeSupported(t); }) || "";
      var recorder = new MediaRecorder(stream, type ? {mimeType: type} : undefined);
      rec.recorder = recorder;
      rec.stream = stream;
      recorder.ondataavailable = function (e) { if (e.data && e.data.size) rec.chunks.push(e.data); };
      recorder.onstop = finished;
      recorder.start(250);
      rec.started = performance.now();
      b.classList.add("recording");
      b.setAttribute("aria-pressed", "true");
      document.querySelector("[data-record-cancel]").hidden = false;
      var time = b.querySelector("[data-record-time]");
      time.hidden = false;
      var most = Number(b.dataset.maxSeconds) || 120;
      rec.timer = setInterval(function () {
        var elapsed = (performance.now() - rec.started) / 1000;
        time.textContent = clock(elapsed);
        if (elapsed >= most) stop(); // The cap reached: what was said is sent.
      }, 200);
      label(rec.mode === "hold" ? b.dataset.labelHold : b.dataset.labelTap);
      if (rec.stopAsked) stop();
    }).catch(function (error) {
      rec = null;
      var name = error && error.name;
      say(name === "NotFoundError" ? b.dataset.msgNomic : b.dataset.msgDenied, true);
      label(b.dataset.labelIdle);
    });
  }

  function stop(cancel) {
    if (!rec) return;
    rec.cancelled = !!cancel;
    rec.stopAsked = true;
    if (rec.recorder && rec.recorder.state !== "inactive") rec.recorder.stop();
  }

  function finished() {
    var b = button();
    var done = rec;
    rec = null;
    clearInterval(done.timer);
    done.stream.getTracks().forEach(function (t) { t.stop(); });
    b.classList.remove("recording");
    b.setAttribute("aria-pressed", "false");
    b.querySelector("[data-record-time]").hidden = true;
    document.querySelector("[data-record-cancel]").hidden = true;
    label(b.dataset.labelIdle);
    if (done.cancelled) { say(""); return; }
    var seconds = (performance.now() - done.started) / 1000;
    if (seconds < 0.7) { say(b.dataset.msgShort, true); return; }
    var type = (done.recorder.mimeType || "audio/webm").split(";")[0];
    var blob = new Blob(done.chunks, {type: type});
    var extension = type.indexOf("ogg") >= 0 ? ".ogg" : type.indexOf("mp4") >= 0 ? ".m4a" : ".webm";
    var data = new FormData();
    data.append("audio", blob, "message-vocal" + extension);
    data.append("duration", seconds.toFixed(2));
    var token = b.form.querySelector("[name=csrfmiddlewaretoken]").value;
    say(b.dataset.labelSending);
    b.disabled = true;
    fetch(b.dataset.url, {method: "POST", body: data, headers: {"X-CSRFToken": token}, credentials: "same-origin"})
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (response.ok) {
            say(b.dataset.msgSent);
            htmx.trigger(document.body, "messages-refresh");
          } else {
            say((body.errors && body.errors[0]) || b.dataset.msgFailed, true);
          }
        });
      })
      .catch(function () { say(b.dataset.msgFailed, true); })
      .finally(function () { b.disabled = false; });
  }

  // Hold to record (gloves: one long press), or tap to start and tap again to stop and send.
  var pressedAt = 0;
  document.addEventListener("pointerdown", function (event) {
    var b = event.target.closest && event.target.closest("[data-record]");
    if (!b || b.disabled || event.button > 0) return;
    event.preventDefault();
    pressedAt = performance.now();
    if (rec) { stop(); return; } // Tap mode: the second touch sends.
    start("hold");
  });
  document.addEventListener("pointerup", function (event) {
    if (!rec || !pressedAt) return;
    var held = performance.now() - pressedAt;
    pressedAt = 0;
    if (held > 600) { stop(); return; }
    rec.mode = "tap"; // A short touch: keep recording until the next one.
    var b = button();
    if (b) label(b.dataset.labelTap);
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-record-cancel]")) { stop(true); return; }
    var b = event.target.closest && event.target.closest("[data-record]");
    // Keyboard (Enter, Space): a click without a pointer toggles.
    if (!b || b.disabled || event.detail !== 0) return;
    if (rec) stop(); else start("tap");
  });
  document.addEventListener("contextmenu", function (event) {
    if (event.target.closest && event.target.closest("[data-record]")) event.preventDefault();
  });
})();
