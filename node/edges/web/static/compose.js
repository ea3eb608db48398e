// Relève web client, compose forms (screens/compose.py): each field is checked by the node as
// it is filled. The whole form is posted to its check route (the node's own rules); the
// reasons come back in the person's language and are shown next to the fields already
// touched. Without this script the form is checked on submit and comes back with the same
// errors. Nothing here decides what is valid.
(function () {
  "use strict";
  var form = document.querySelector("form[data-check]");
  if (!form) { return; }
  var url = form.getAttribute("data-check");
  var touched = {};
  var timer = null;
  var pending = false;
  var again = false;
  var checks = 0;

  Array.prototype.forEach.call(form.querySelectorAll(".field-error"), function (p) {
    // Errors already shown (the form came back from the node): those fields count as touched.
    if (p.textContent.trim()) { touched[p.getAttribute("data-error-for")] = true; }
  });

  function show(errors) {
    Array.prototype.forEach.call(form.querySelectorAll(".field-error"), function (p) {
      var name = p.getAttribute("data-error-for");
      var input = form.elements.namedItem(name);
      var message = touched[name] ? (errors[name] || "") : "";
      if (p.textContent !== message) { p.textContent = message; }
      if (input && input.setAttribute) {
        if (message) { input.setAttribute("aria-invalid", "true"); }
        else { input.removeAttribute("aria-invalid"); }
      }
    });
  }

  function check() {
    if (pending) { again = true; return; }
    pending = true;
    var data = new URLSearchParams(new FormData(form));
    data.delete("action");
    fetch(url, {
      method: "POST", body: data, credentials: "same-origin", cache: "no-store",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (result) {
      if (result) {
        show(result.errors || {});
        checks += 1;
        form.setAttribute("data-checks", String(checks));
      }
    }).catch(function () { /* the node checks again on submit */ })
      .then(function () {
        pending = false;
        if (again) { again = false; check(); }
      });
  }

  function later() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(check, 350);
  }

  function nameOf(target) {
    if (!target || !target.name) { return null; }
    // A "none known" box belongs to its list's field.
    return target.name.replace(/\.none$/, "");
  }

  form.addEventListener("input", function (event) {
    var name = nameOf(event.target);
    if (name && touched[name]) { later(); }
  });
  form.addEventListener("change", function (event) {
    var name = nameOf(event.target);
    if (name) { touched[name] = true; later(); }
  });
  form.addEventListener("focusout", function (event) {
    var name = nameOf(event.target);
    if (name && event.target.value) { touched[name] = true; later(); }
  });
})();
