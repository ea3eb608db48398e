// Relève web client, pairing screens (node/edges/web/screens/pairing.py). Every form works
// without this script; with it: the webcam scanner, copying the invitation, printing, a
// check of the photo's size before sending, a progress line while a phone code is checked,
// and the state of an invitation or a phone call fetched again until it is settled.
// The webcam's frames are decoded by the node (POST /pair/scan), not here.
(function () {
  "use strict";

  function byId(id) { return document.getElementById(id); }

  // --- the live part of an invitation or a call: fetched again while it says data-poll ---
  var live = byId("live");
  function words(element) { return element.textContent.replace(/\s+/g, " ").trim(); }
  function poll() {
    if (!live || !live.querySelector("[data-poll]")) { return; }
    setTimeout(function () {
      fetch(location.pathname, {
        headers: { "X-Releve-Part": "live" }, credentials: "same-origin", cache: "no-store"
      }).then(function (response) {
        if (response.status === 401) { location.reload(); return null; }
        return response.ok ? response.text() : null;
      }).then(function (html) {
        if (typeof html !== "string") { return; }
        var fetched = document.createElement("div");
        fetched.innerHTML = html;  // rendered and escaped by the node
        // Only a change is put in, so that the live region announces it once.
        if (words(fetched) !== words(live)) { live.innerHTML = html; }
      }).catch(function () { /* tried again below */ }).then(poll);
    }, 1500);
  }
  poll();

  // --- copying the invitation's text, printing its page ---------------------------------
  var copy = byId("copy");
  var text = byId("invitation-text");
  if (copy && text && navigator.clipboard) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      navigator.clipboard.writeText(text.value).then(function () {
        byId("copy-status").textContent = copy.dataset.copied;
      }, function () { text.select(); });
    });
  }
  var print = byId("print");
  if (print) {
    print.hidden = false;
    print.addEventListener("click", function () { window.print(); });
  }

  // --- the photo: too large is said before sending ----------------------------------------
  var image = byId("image");
  if (image) {
    image.addEventListener("change", function () {
      var file = image.files && image.files[0];
      var tooLarge = file && file.size > Number(image.dataset.max);
      image.setCustomValidity(tooLarge ? image.dataset.tooLarge : "");
      if (tooLarge) { image.reportValidity(); }
    });
  }

  // --- joining by phone: the exchange takes a few seconds -------------------------------
  var join = byId("join-form");
  if (join) {
    join.addEventListener("submit", function () {
      byId("join-status").textContent = join.dataset.joining;
      var button = byId("join");
      // Disabled after the submission has started, so that it is not sent twice.
      setTimeout(function () { button.disabled = true; }, 0);
    });
  }

  // --- the webcam scanner -------------------------------------------------------------------
  var scanner = byId("scanner");
  if (!scanner) { return; }
  var start = byId("scan-start");
  var stop = byId("scan-stop");
  var video = byId("scan-video");
  var status = byId("scan-status");
  var canvas = document.createElement("canvas");
  var stream = null;
  var timer = null;
  var busy = false;
  var MAX_SIDE = 960;  // pixels: enough for a QR code filling part of the picture

  byId("scan-nojs").hidden = true;
  if (!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia)) {
    status.textContent = scanner.dataset.denied;  // no camera API here: the other two ways
    return;
  }
  start.hidden = false;

  function say(message) { status.textContent = message; }

  function halt(message) {
    if (timer !== null) { clearInterval(timer); timer = null; }
    if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); stream = null; }
    video.hidden = true;
    stop.hidden = true;
    start.hidden = false;
    scanner.dataset.camera = "off";
    if (message) { say(message); }
  }

  function found(invitation, message) {
    halt(message);
    var field = byId("invitation");
    field.value = invitation;
    byId("paste-form").submit();  // the same path as a pasted text
  }

  function send(blob) {
    if (!blob || blob.size > Number(scanner.dataset.max)) { busy = false; return; }
    var body = new FormData();
    body.append("csrf", scanner.dataset.csrf);  // first: the node checks it before the frame
    body.append("frame", blob, "frame.jpg");
    fetch("/pair/scan", { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") !== 0) { return { state: "failed" }; }
        return response.json();
      }).then(function (answer) {
        if (!stream) { return; }
        if (answer.state === "found") { found(answer.invitation, answer.message); }
        else if (answer.state === "refused") { say(answer.message); }
        else if (answer.state === "failed") { halt(scanner.dataset.failed); }
      }).catch(function () { say(scanner.dataset.failed); })
      .then(function () { busy = false; });
  }

  function grab() {
    if (busy || !stream || !video.videoWidth) { return; }
    busy = true;
    var scale = Math.min(1, MAX_SIDE / Math.max(video.videoWidth, video.videoHeight));
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    canvas.toBlob(send, "image/jpeg", 0.85);
  }

  start.addEventListener("click", function () {
    say(scanner.dataset.starting);
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        video.hidden = false;
        start.hidden = true;
        stop.hidden = false;
        scanner.dataset.camera = "on";
        return video.play();
      }).then(function () {
        say(scanner.dataset.looking);
        timer = setInterval(grab, 400);
      }).catch(function () { halt(scanner.dataset.denied); });
  });
  stop.addEventListener("click", function () { halt(scanner.dataset.stopped); start.focus(); });
}());
