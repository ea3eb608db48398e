// Relève web client, sending a file (screens/files.py): the same form, posted by
// XMLHttpRequest so that a progress bar follows the upload. Without this script the form posts
// plainly (no bar). The node answers with where the file now is (the conversation, gone to
// here) or with the form and its refusal, which replaces the page's main part.
(function () {
  "use strict";

  function say(form, text) {
    var status = document.getElementById("upload-status");
    if (status) { status.textContent = text; }
  }

  function send(form) {
    var box = document.getElementById("upload-box");
    var bar = document.getElementById("upload-progress");
    var button = document.getElementById("send-file");
    var events = 0;
    var lastSaid = -1;
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("X-Releve-Part", "upload");  // answered with where to go (JSON)
    xhr.upload.addEventListener("progress", function (event) {
      if (!event.lengthComputable || !bar) { return; }
      var percent = Math.floor(event.loaded * 100 / event.total);
      bar.value = percent;
      bar.textContent = percent + " %";
      events += 1;
      form.setAttribute("data-progress-events", String(events));
      form.setAttribute("data-progress", String(percent));
      // A screen reader hears every tenth, not every event.
      if (Math.floor(percent / 10) !== lastSaid) {
        lastSaid = Math.floor(percent / 10);
        say(form, form.getAttribute("data-sending").replace("{percent}", String(percent)));
      }
    });
    xhr.addEventListener("load", function () {
      var sent = null;
      if (xhr.status === 200) {
        try { sent = JSON.parse(xhr.responseText); } catch (e) { sent = null; }
      }
      if (sent && typeof sent.location === "string" && sent.location.indexOf("/c/") === 0) {
        say(form, form.getAttribute("data-queued"));
        location.assign(sent.location);
        return;
      }
      // The form again with the node's refusal: shown in place of this one.
      var parsed = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var main = parsed.getElementById("main");
      if (main) {
        document.getElementById("main").innerHTML = main.innerHTML;
        var error = document.getElementById("upload-error");
        if (error) { error.setAttribute("tabindex", "-1"); error.focus(); }
      } else {
        say(form, form.getAttribute("data-failed"));
        if (button) { button.disabled = false; }
      }
    });
    xhr.addEventListener("error", function () {
      say(form, form.getAttribute("data-failed"));
      if (button) { button.disabled = false; }
    });
    if (box) { box.hidden = false; }
    if (button) { button.disabled = true; }
    form.setAttribute("data-progress-events", "0");
    xhr.send(new FormData(form));
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !form.hasAttribute || !form.hasAttribute("data-upload")) { return; }
    if (!window.FormData || !window.XMLHttpRequest) { return; }  // the plain post
    event.preventDefault();
    send(form);
  });
}());
