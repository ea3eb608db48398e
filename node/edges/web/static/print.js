// Relève web client, the printed record (screens/records.py): the "Print" button opens the
// browser's print dialog (A4, the same page as `releve print`). Without this script, the
// browser's own Print menu does the same.
(function () {
  "use strict";
  var button = document.getElementById("print");
  if (!button || !window.print) { return; }
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
}());
