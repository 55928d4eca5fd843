/* IGP Maintenance: move a card to another column of the board.
 *
 * Three ways, one path to the server:
 *  - drag with the mouse (SortableJS, fallback mode: the card follows the pointer);
 *  - on a touch screen, press the card ~400 ms until it lifts, then drag (SortableJS `delay` +
 *    `delayOnTouchOnly`); where the columns are stacked (phone, tablet) a bar of the other columns
 *    appears at the bottom of the screen while a card is lifted: drop it on one of them;
 *  - the "Déplacer vers…" button of each card (Tab reaches it): a menu of the columns allowed, arrows to
 *    choose, Enter to move, Escape to cancel; the result is announced (aria-live).
 *
 * The columns a card may go to come from the server (#board-moves-settings, tickets.policies), so a
 * forbidden drop springs back at once with the service's own sentence. The drop then posts to the
 * ticket's move address (web:ticket-move, the same as the ticket page's buttons) asking for JSON; the
 * server judges again (rights, a colleague faster, the network): any refusal springs the card back with
 * the server's message, and a failed request offers « Réessayer ». After a move the board asks for its
 * live part at once (event "board-refresh" on the poller), so counts and order are the server's, and a
 * poll that started before the move is never swapped in over it.
 *
 * Only loaded for people who may move tickets; without JavaScript the ticket page's buttons do it all.
 */
(function () {
  "use strict";
  if (window.igpBoardMoves) { window.igpBoardMoves.init(); return; }

  var settings = null;
  var state = { dragging: null, busy: 0, generation: 0, pointer: null, over: null, focusTicket: null };
  var WIDE = "(min-width: 64rem)";  // the columns side by side (app.css)

  function readSettings() {
    var node = document.getElementById("board-moves-settings");
    return node ? JSON.parse(node.textContent) : null;
  }
  function text(key, values) {
    return (settings.text[key] || "").replace(/%\((\w+)\)s/g, function (all, name) {
      return values && values[name] != null ? values[name] : "";
    });
  }
  function label(status) { return settings.labels[status] || status; }
  function allowed(from, to) { return from !== to && (settings.moves[from] || []).indexOf(to) !== -1; }
  function listOf(status) { return document.querySelector('#board-live .board .cards[data-status="' + status + '"]'); }
  function statusOf(card) { var list = card.closest(".cards[data-status]"); return list ? list.dataset.status : ""; }
  function ticketOf(card) { var tid = card.querySelector(".tid"); return tid ? tid.textContent.trim() : ""; }
  function findCard(ticket) {
    var cards = document.querySelectorAll("#board-live .board .card");
    for (var i = 0; i < cards.length; i++) if (ticketOf(cards[i]) === ticket) return cards[i];
    return null;
  }
  function moveUrl(card) { return new URL("statut/", card.querySelector(".card-link").href).href; }
  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // --- Messages: a polite status for what went through, an alert for what did not -------------
  var statusTimer = null;
  function say(message) {
    var box = document.getElementById("move-status");
    if (!box) return;
    clearTimeout(statusTimer);
    box.textContent = message;
    statusTimer = setTimeout(function () { box.textContent = ""; }, 8000);
  }
  function alarm(message, retry) {
    var box = document.getElementById("move-alert");
    if (!box) return;
    var p = document.createElement("p");
    p.textContent = message;
    var actions = document.createElement("div");
    actions.className = "move-msg-actions";
    if (retry) {
      var again = document.createElement("button");
      again.type = "button";
      again.className = "btn btn-primary";
      again.textContent = text("retry");
      again.addEventListener("click", function () { clearAlarm(); retry(); });
      actions.appendChild(again);
    }
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn btn-ghost";
    close.textContent = text("close");
    close.addEventListener("click", clearAlarm);
    actions.appendChild(close);
    box.replaceChildren(p, actions);
  }
  function clearAlarm() {
    var box = document.getElementById("move-alert");
    if (box) box.replaceChildren();
  }

  // --- The move itself ---------------------------------------------------------------------------
  function springBack(card, origin) {
    var list = listOf(origin.status);
    if (!card || !list) return;
    if (origin.next && origin.next.parentNode === list) list.insertBefore(card, origin.next);
    else if (card.parentNode !== list) list.appendChild(card);
    card.classList.remove("sprang-back");
    void card.offsetWidth;  // restart the little shake if it already ran
    card.classList.add("sprang-back");
  }
  function focusButton(card) {
    var button = card && card.querySelector(".move-btn");
    if (button) button.focus({ preventScroll: false });
  }
  function refresh() {
    var poller = document.querySelector("#board-live [data-board-poll]");
    if (poller && window.htmx) window.htmx.trigger(poller, "board-refresh");
  }

  /* Put `card` in the column `to` at once, then ask the server; spring back if it says no. */
  function move(card, from, to, options) {
    var ticket = ticketOf(card);
    var origin = options.origin || { status: from, next: card.nextElementSibling };
    var list = listOf(to);
    if (!list) return;
    clearAlarm();
    if (card.parentNode !== list) list.insertBefore(card, list.firstElementChild);
    if (options.keyboard) focusButton(card);
    state.busy += 1;
    state.generation += 1;
    card.classList.add("is-moving");
    card.setAttribute("aria-busy", "true");
    var retry = function () {
      var again = findCard(ticket);
      if (again && statusOf(again) === from) move(again, from, to, { keyboard: options.keyboard });
      else refresh();
    };
    var body = new URLSearchParams({ status: to, from_status: from });
    fetch(moveUrl(card), {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrfToken() },
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      return (json ? response.json() : Promise.resolve(null)).then(function (data) {
        return { response: response, data: data };
      });
    }).then(function (answer) {
      if (!answer.data && answer.response.redirected) {
        location.reload();  // signed out meanwhile: the sign-in page, as the live board does; nothing moved
        return null;
      }
      var ok = !!(answer.response.ok && answer.data && answer.data.status === to);
      if (ok) {
        say(answer.data.message || text("moved", { ticket: ticket, status: label(to) }));
      } else if (answer.data && answer.data.message && answer.response.status < 500) {
        // The server's refusal (rights, move not allowed, a colleague was faster): final, no retry.
        springBack(card, origin);
        alarm(answer.data.message, null);
      } else {
        springBack(card, origin);
        alarm(text("failed", { ticket: ticket }), retry);
      }
      return ok;
    }, function () {
      springBack(card, origin);
      alarm(text("offline", { ticket: ticket }), retry);
      return null;
    }).then(function (ok) {
      state.busy -= 1;
      card.classList.remove("is-moving");
      card.removeAttribute("aria-busy");
      if (options.keyboard) { state.focusTicket = ticket; focusButton(findCard(ticket)); }
      // The server's board (order, counts, what a colleague did meanwhile); not after a network failure.
      if (ok !== null) refresh();
    });
  }

  // --- Drag and drop (SortableJS) ------------------------------------------------------------------
  function columnsFor(from) {
    document.querySelectorAll("#board-live .board .col").forEach(function (col) {
      var list = col.querySelector(".cards[data-status]");
      var to = list && list.dataset.status;
      col.classList.toggle("drop-allowed", !!to && allowed(from, to));
      col.classList.toggle("drop-forbidden", !!to && to !== from && !allowed(from, to));
    });
  }
  function showDropBar(from) {
    if (window.matchMedia(WIDE).matches) return;
    var bar = document.createElement("div");
    bar.className = "drop-bar";
    bar.id = "drop-bar";
    var title = document.createElement("p");
    title.textContent = text("drop_here");
    bar.appendChild(title);
    var targets = document.createElement("div");
    targets.className = "drop-targets";
    Object.keys(settings.labels).forEach(function (to) {
      if (to === from || !listOf(to)) return;
      var target = document.createElement("div");
      target.className = "drop-target";
      target.dataset.dropStatus = to;
      target.textContent = label(to);
      if (!allowed(from, to)) {
        target.classList.add("forbidden");
        var no = document.createElement("small");
        no.textContent = text("not_allowed");
        target.appendChild(no);
      }
      targets.appendChild(target);
    });
    bar.appendChild(targets);
    document.body.appendChild(bar);
    document.body.classList.add("has-drop-bar");
  }
  function targetAt(point) {
    if (!point) return null;
    var el = document.elementFromPoint(point.x, point.y);
    if (!el) return null;
    var chip = el.closest("[data-drop-status]");
    if (chip) return { status: chip.dataset.dropStatus, el: chip };
    var col = el.closest("#board-live .board .col");
    var list = col && col.querySelector(".cards[data-status]");
    return list ? { status: list.dataset.status, el: col } : null;
  }
  function track(event) {
    if (!state.dragging) return;
    var touch = event.touches && event.touches[0];
    var point = touch ? { x: touch.clientX, y: touch.clientY } : { x: event.clientX, y: event.clientY };
    if (point.x == null) return;
    state.pointer = point;
    var target = targetAt(point);
    var over = target && allowed(state.dragging.status, target.status) ? target.el : null;
    if (over === state.over) return;
    if (state.over) state.over.classList.remove("drop-over");
    if (over) over.classList.add("drop-over");
    state.over = over;
  }
  ["pointermove", "mousemove", "touchmove"].forEach(function (name) {
    document.addEventListener(name, track, { capture: true, passive: true });
  });
  // A long press on a card's link must lift the card, not open the phone's link menu.
  document.addEventListener("contextmenu", function (event) {
    if (state.dragging || (event.target.closest && event.target.closest("#board-live .card.is-chosen"))) {
      event.preventDefault();
    }
  });

  function onChoose(event) {
    var card = event.item;
    card.classList.add("is-lifted-card");
    if (event.originalEvent && event.originalEvent.pointerType === "touch" && navigator.vibrate) {
      try { navigator.vibrate(15); } catch (e) { /* not allowed here: fine */ }
    }
    // Columns stacked on a phone: the bar of columns replaces scrolling the whole page while lifted.
    this.option("scroll", window.matchMedia(WIDE).matches);
  }
  function onStart(event) {
    var card = event.item;
    var from = event.from.dataset.status;
    closeMenu(false);
    state.generation += 1;
    state.dragging = { card: card, status: from, origin: { status: from, next: card.nextElementSibling } };
    document.body.classList.add("is-dragging-card");
    columnsFor(from);
    showDropBar(from);
  }
  function onEnd(event) {
    var card = event.item;
    var drag = state.dragging;
    var target = targetAt(state.pointer);
    state.dragging = null;
    state.pointer = null;
    if (state.over) state.over.classList.remove("drop-over");
    state.over = null;
    card.classList.remove("is-lifted-card");
    document.body.classList.remove("is-dragging-card");
    document.querySelectorAll(".drop-allowed, .drop-forbidden").forEach(function (col) {
      col.classList.remove("drop-allowed", "drop-forbidden");
    });
    var bar = document.getElementById("drop-bar");
    if (bar) bar.remove();
    document.body.classList.remove("has-drop-bar");
    if (!drag) return;
    // SortableJS swallows the click that follows a fallback drag (its fix #1184); a finger lifted after
    // a drag sends none, so the person's next tap (« Fermer », a card) would be lost. Spend it now.
    var up = event.originalEvent;
    if (up && (up.pointerType === "touch" || /^touch/.test(up.type || ""))) {
      setTimeout(function () { document.dispatchEvent(new MouseEvent("click", { bubbles: true })); }, 0);
    }
    var from = drag.status;
    // Where the pointer is wins (a column's title, its empty space, the bar); else where SortableJS put it.
    var to = target && target.status !== from ? target.status : event.to.dataset.status;
    if (to === from) { springBack(card, drag.origin); card.classList.remove("sprang-back"); return; }
    if (!allowed(from, to)) {
      springBack(card, drag.origin);
      alarm(text("forbidden", { old: label(from), "new": label(to) }), null);
      return;
    }
    move(card, from, to, { origin: drag.origin });
  }
  function onUnchoose(event) { event.item.classList.remove("is-lifted-card"); }

  function sortableOptions() {
    return {
      group: {
        name: "board",
        pull: true,
        // SortableJS only lets the card into a column it may go to: the others never light up.
        put: function (to, from) { return allowed(from.el.dataset.status, to.el.dataset.status); },
      },
      sort: false,              // the server orders each column (overdue, priority, age)
      draggable: ".card",
      filter: ".move-btn, .move-menu, .is-moving",  // a card on its way to the server stays put
      preventOnFilter: false,   // the button and its menu keep their clicks
      forceFallback: true,      // one behaviour for mouse and touch; the card follows the pointer
      fallbackOnBody: true,
      fallbackTolerance: 4,
      delay: 400,               // a long press on a touch screen...
      delayOnTouchOnly: true,   // ...while the mouse drags at once
      touchStartThreshold: 8,   // moving the finger earlier is a scroll, not a drag
      animation: window.matchMedia("(prefers-reduced-motion: reduce)").matches ? 0 : 150,
      chosenClass: "is-chosen",
      ghostClass: "is-placeholder",
      fallbackClass: "is-lifted",
      scroll: true,
      scrollSensitivity: 80,
      scrollSpeed: 16,
      bubbleScroll: true,
      onChoose: onChoose,
      onUnchoose: onUnchoose,
      onStart: onStart,
      onEnd: onEnd,
    };
  }

  // --- The keyboard way: "Déplacer vers…" -----------------------------------------------------------
  function addButton(card) {
    if (card.querySelector(".move-btn")) return;
    var from = statusOf(card);
    if (!(settings.moves[from] || []).length) return;
    var ticket = ticketOf(card);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "move-btn";
    button.title = text("button");
    button.setAttribute("aria-haspopup", "menu");
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-label", text("button_label", { ticket: ticket }));
    var icon = document.createElement("span");
    icon.setAttribute("aria-hidden", "true");
    icon.textContent = "⇄";
    button.appendChild(icon);
    card.classList.add("movable");
    card.appendChild(button);
  }
  function openMenu(button) {
    closeMenu(false);
    var card = button.closest(".card");
    var from = statusOf(card);
    var menu = document.createElement("div");
    menu.className = "move-menu";
    menu.id = "move-menu";
    menu.setAttribute("role", "menu");
    menu.setAttribute("aria-label", text("menu_label", { ticket: ticketOf(card) }));
    var title = document.createElement("p");
    title.setAttribute("aria-hidden", "true");
    title.textContent = text("button");
    menu.appendChild(title);
    (settings.moves[from] || []).forEach(function (to) {
      if (!listOf(to)) return;
      var item = document.createElement("button");
      item.type = "button";
      item.setAttribute("role", "menuitem");
      item.dataset.to = to;
      item.textContent = label(to);
      menu.appendChild(item);
    });
    var cancel = document.createElement("button");
    cancel.type = "button";
    cancel.setAttribute("role", "menuitem");
    cancel.className = "move-cancel";
    cancel.textContent = text("cancel");
    menu.appendChild(cancel);
    card.appendChild(menu);
    button.setAttribute("aria-expanded", "true");
    button.setAttribute("aria-controls", menu.id);
    menu.querySelector("[role=menuitem]").focus();
  }
  function closeMenu(refocus) {
    var menu = document.getElementById("move-menu");
    if (!menu) return;
    var card = menu.closest(".card");
    var button = card && card.querySelector(".move-btn");
    menu.remove();
    if (button) {
      button.setAttribute("aria-expanded", "false");
      button.removeAttribute("aria-controls");
      if (refocus) button.focus();
    }
  }
  document.addEventListener("click", function (event) {
    if (!settings || !event.target.closest) return;
    var button = event.target.closest("#board-live .move-btn");
    if (button) {
      event.preventDefault();
      if (button.closest(".is-moving")) return;
      if (button.getAttribute("aria-expanded") === "true") closeMenu(true); else openMenu(button);
      return;
    }
    var item = event.target.closest("#move-menu [role=menuitem]");
    if (item) {
      var card = item.closest(".card");
      if (!item.dataset.to) { closeMenu(true); return; }
      var from = statusOf(card);
      closeMenu(false);
      move(card, from, item.dataset.to, { keyboard: true });
      return;
    }
    if (!event.target.closest("#move-menu")) closeMenu(false);
  });
  document.addEventListener("keydown", function (event) {
    var menu = event.target.closest && event.target.closest("#move-menu");
    if (!menu) return;
    var items = Array.prototype.slice.call(menu.querySelectorAll("[role=menuitem]"));
    var at = items.indexOf(event.target);
    var next = null;
    if (event.key === "ArrowDown") next = items[(at + 1) % items.length];
    else if (event.key === "ArrowUp") next = items[(at - 1 + items.length) % items.length];
    else if (event.key === "Home") next = items[0];
    else if (event.key === "End") next = items[items.length - 1];
    else if (event.key === "Escape") { event.preventDefault(); closeMenu(true); return; }
    else if (event.key === "Tab") { closeMenu(false); return; }
    if (next) { event.preventDefault(); next.focus(); }
  });

  // --- The live board: no poll while a card is in the air, none swapped in over a move ------------
  // The poller sends the request (detail.elt); by the swap, detail.elt is the target: tag the request.
  function isPoll(event) {
    var elt = event.detail && event.detail.elt;
    return !!(elt && elt.hasAttribute && elt.hasAttribute("data-board-poll"));
  }
  function quiet() { return !!(state.dragging || state.busy || document.getElementById("move-menu")); }
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (!isPoll(event)) return;
    if (quiet()) { event.preventDefault(); return; }
    if (event.detail.xhr) event.detail.xhr.igpGeneration = state.generation;
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr || xhr.igpGeneration === undefined) return;  // not the board's poll
    if (quiet()) { event.detail.shouldSwap = false; return; }
    if (xhr.igpGeneration !== state.generation) {
      // Left before a card moved: it would put the card back. Ask again, now.
      event.detail.shouldSwap = false;
      setTimeout(refresh, 0);
    }
  });
  document.addEventListener("htmx:afterSettle", function () {
    init();
    if (state.focusTicket && (document.activeElement === document.body || !document.activeElement)) {
      focusButton(findCard(state.focusTicket));
    }
    state.focusTicket = null;
  });

  function init() {
    settings = readSettings();
    if (!settings || !window.Sortable) return;
    document.querySelectorAll("#board-live .board .cards[data-status]").forEach(function (list) {
      if (!list.igpSortable) list.igpSortable = window.Sortable.create(list, sortableOptions());
      list.querySelectorAll(".card").forEach(addButton);
    });
  }
  window.igpBoardMoves = { init: init };
  init();
})();
