// Relève web client, the status and check screens (screens/status.py, check.py): relays
// connect and disconnect, and a check run from the command line ends, without any message
// arriving, so their live part is also fetched again every 15 seconds (releve.js refreshes
// it on every push). Without this script the page shows the state when it was loaded.
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live || !document.body.dataset.live) { return; }
  setInterval(function () {
    if (document.hidden) { return; }
    fetch(location.pathname, {
      headers: { "X-Releve-Part": "live" }, credentials: "same-origin", cache: "no-store"
    }).then(function (response) {
      return response.ok ? response.text() : null;
    }).then(function (html) {
      if (html && html !== live.innerHTML) {
        var focused = document.activeElement && live.contains(document.activeElement)
          ? document.activeElement.id : "";
        live.innerHTML = html;  // rendered and escaped by the node's templates
        if (focused && document.getElementById(focused)) {
          document.getElementById(focused).focus();
        }
      }
    }).catch(function () { /* the next round tries again */ });
  }, 15000);
}());
