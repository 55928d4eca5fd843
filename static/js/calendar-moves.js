/* IGP Maintenance: drag a scheduled ticket, or a plan's next date, to another day of the calendar (SortableJS).
 *
 * The drop posts the new day to the item's data-move-url asking for JSON. A ticket (planning:calendar-move)
 * is rescheduled through tickets.services.ticket_schedule (rights, timeline row) and keeps its hour. A
 * plan's next date (planning:calendar-move-plan) has its ticket made now and scheduled on that day at the
 * plan's hour; the answer says "reload": the date became a ticket and the plan's next date moved on, so the
 * page is drawn again by the server (its message comes with it). A refusal puts the item back with the
 * server's sentence in #cal-alert. Without JavaScript (or with the keyboard) each movable item's « Déplacer »
 * link opens a small page with a day field that posts to the same address.
 */
(function () {
  "use strict";
  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function say(message) { var box = document.getElementById("cal-status"); if (box) box.textContent = message; }
  function alarm(message) {
    var box = document.getElementById("cal-alert");
    if (!box) return;
    box.textContent = message;
    box.hidden = !message;
  }
  function init() {
    if (!window.Sortable) return;
    var lists = document.querySelectorAll(".cal-days .cal-items[data-day]");
    lists.forEach(function (list) {
      if (list.dataset.sortable) return;
      list.dataset.sortable = "1";
      window.Sortable.create(list, {
        group: "calendar", draggable: ".cal-movable", filter: ".cal-move",
        preventOnFilter: false, forceFallback: true, delay: 300, delayOnTouchOnly: true, animation: 120,
        onEnd: function (event) {
          if (event.from === event.to) return;
          var item = event.item, from = event.from, index = event.oldIndex;
          var body = new URLSearchParams({ day: event.to.dataset.day });
          alarm("");
          fetch(item.dataset.moveUrl, {
            method: "POST", credentials: "same-origin", body: body,
            headers: { "Accept": "application/json", "X-CSRFToken": csrfToken() }
          }).then(function (response) {
            return response.json().then(function (data) { return { ok: response.ok && data.ok, data: data }; });
          }).then(function (result) {
            if (result.ok && result.data.reload) {
              say(result.data.message);
              window.location.reload();
            } else if (result.ok) {
              say(result.data.message);
            } else {
              from.insertBefore(item, from.children[index] || null);
              alarm(result.data.error || "");
            }
          }).catch(function () {
            from.insertBefore(item, from.children[index] || null);
            var node = document.getElementById("calendar-text");
            alarm(node ? JSON.parse(node.textContent).network : "");
          });
        }
      });
    });
  }
  document.addEventListener("DOMContentLoaded", init);
  document.addEventListener("htmx:load", init);
  if (document.readyState !== "loading") init();
})();
