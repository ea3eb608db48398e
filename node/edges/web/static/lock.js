// Relève web client, clinic server: the idle lock (screens/login.py). After the node's delay
// without the person (keys, pointer), the page is covered and asks for the password again;
// the page itself stays as it was, so a half-written form is kept and sent once unlocked.
// While the person types, the node is told (POST /activity, at most every 30 s), so that
// the session does not lock under a long letter. Without this script, the next page asked
// for shows the node's own unlock form.
(function () {
  "use strict";
  var body = document.body;
  var lock = document.getElementById("lock");
  var seconds = Number(body && body.dataset.lock);
  if (!lock || !(seconds > 0)) { return; }
  var form = document.getElementById("lock-form");
  var password = document.getElementById("lock-password");
  var error = document.getElementById("lock-error");
  var lastInput = Date.now();
  var lastTold = Date.now();
  var locked = false;
  var before = null;

  function csrf() {
    var field = form.querySelector("input[name=csrf]");
    return field ? field.value : "";
  }

  function show() {
    if (locked) { return; }
    locked = true;
    before = document.activeElement;
    body.classList.add("locked");
    body.dataset.locked = "1";
    lock.hidden = false;
    Array.prototype.forEach.call(body.children, function (child) {
      if (child !== lock && child.tagName !== "SCRIPT") { child.setAttribute("inert", ""); }
    });
    password.value = "";
    password.focus();
  }

  function hide(token) {
    locked = false;
    body.classList.remove("locked");
    delete body.dataset.locked;
    lock.hidden = true;
    Array.prototype.forEach.call(body.children, function (child) { child.removeAttribute("inert"); });
    if (token) {  // the session's token, for every form of the page
      Array.prototype.forEach.call(document.querySelectorAll("input[name=csrf]"), function (f) {
        f.value = token;
      });
    }
    lastInput = lastTold = Date.now();
    if (before && before.focus) { before.focus(); }
  }

  function tell() {
    var data = new URLSearchParams();
    data.set("csrf", csrf());
    fetch("/activity", {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      if (response.status === 423) { show(); }
    }).catch(function () { /* the next keystroke tells again */ });
  }

  function active() {
    if (locked) { return; }
    lastInput = Date.now();
    if (lastInput - lastTold > 30000) { lastTold = lastInput; tell(); }
  }

  ["keydown", "pointerdown", "input", "wheel"].forEach(function (name) {
    document.addEventListener(name, active, true);
  });
  setInterval(function () {
    if (!locked && Date.now() - lastInput >= seconds * 1000) { show(); }
  }, 1000);

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    error.textContent = "";
    var data = new URLSearchParams(new FormData(form));
    fetch("/unlock", {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      if (response.status === 401 && response.headers.get("Content-Type").indexOf("json") < 0) {
        location.assign("/login");  // the session ended meanwhile (disabled, revoked)
        return null;
      }
      return response.json();
    }).then(function (answer) {
      if (!answer) { return; }
      if (answer.ok) { hide(answer.csrf); } else { error.textContent = answer.error; password.value = ""; password.focus(); }
    }).catch(function () { error.textContent = "…"; });
  });
  body.dataset.lockReady = "1";
}());
