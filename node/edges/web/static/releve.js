// Relève web client: live updates over one WebSocket per tab (node/edges/web/live.py).
// Everything works without this script (plain forms and links); with it, the page's live
// part is fetched again when the node says something changed, the title shows the unread
// count, and a notification says who wrote — never what (invariant 8).
(function () {
  "use strict";
  var body = document.body;
  if (!body || !body.dataset.live) { return; }
  var baseTitle = body.dataset.title || document.title;
  var delay = 500;
  var everOpen = false;
  var refreshing = false;
  var again = false;
  var pushes = 0;

  function setTitle(unread) {
    document.title = (unread > 0 ? "(" + unread + ") " : "") + baseTitle;
  }

  function announce(notice) {
    var region = document.getElementById(notice.urgent ? "announce-urgent" : "announce");
    if (region) { region.textContent = notice.text; }
    if ("Notification" in window && Notification.permission === "granted") {
      try {
        new Notification(notice.text, {
          tag: notice.id, requireInteraction: !!notice.urgent, renotify: !!notice.renotify
        });
      } catch (e) { /* a browser without page notifications: the title badge remains */ }
    }
  }

  function refresh() {
    var live = document.getElementById("live");
    if (!live) { return; }
    if (refreshing) { again = true; return; }
    refreshing = true;
    fetch(location.pathname + location.search, {
      headers: { "X-Releve-Part": "live" }, credentials: "same-origin", cache: "no-store"
    }).then(function (response) {
      if (response.status === 401) { location.reload(); return null; }
      return response.ok ? response.text() : null;
    }).then(function (html) {
      if (html === null || html === undefined) { return; }
      var focused = document.activeElement && live.contains(document.activeElement)
        ? document.activeElement.id : "";
      live.innerHTML = html;  // rendered and escaped by the node's templates
      if (focused) {
        var again_ = document.getElementById(focused);
        if (again_) { again_.focus(); }
      }
      pushes += 1;
      body.dataset.pushes = String(pushes);
    }).catch(function () { /* the next push or reconnection fetches again */ })
      .then(function () {
        refreshing = false;
        if (again) { again = false; refresh(); }
      });
  }

  function connect() {
    // wss:// on a clinic server's LAN (HTTPS): a ws:// socket from an https page is blocked.
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + "/ws");
    socket.onopen = function () {
      delay = 500;
      body.dataset.socket = "open";
      if (everOpen) { refresh(); }  // something may have changed while we were away
      everOpen = true;
    };
    socket.onmessage = function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      if (typeof data.unread === "number") { setTitle(data.unread); }
      (data.notices || []).forEach(announce);
      if (data.changed) { refresh(); }
    };
    socket.onclose = function (event) {
      body.dataset.socket = "closed";
      if (event.code === 4401) { location.reload(); return; }  // the session ended
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 10000);
    };
  }

  var button = document.getElementById("notify");
  if (button && "Notification" in window && Notification.permission === "default") {
    button.hidden = false;
    button.addEventListener("click", function () {
      Notification.requestPermission().then(function () { button.hidden = true; });
    });
  }
  // The escalation reminder (screens/status.py, GET /reminders): while an urgent message
  // received here stays unacknowledged, a reminder every few minutes (the node says how
  // often) — who and for how long, never what.
  function remind(notify) {
    fetch("/reminders", { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        var reminders = data.reminders || [];
        if (notify) {
          reminders.forEach(function (item) {
            announce({ id: "remind-" + item.id, urgent: true, renotify: true, text: item.text });
          });
          body.dataset.reminded = String(Number(body.dataset.reminded || "0") + reminders.length);
          body.dataset.remindRounds = String(Number(body.dataset.remindRounds || "0") + 1);
        }
        var every = Number(data.every) > 0 ? Number(data.every) : 300;
        setTimeout(function () { remind(true); }, every * 1000);
      }).catch(function () { setTimeout(function () { remind(true); }, 60000); });
  }

  connect();
  remind(false);
}());
