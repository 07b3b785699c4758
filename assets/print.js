// The Print button on the review and receipt pages: shown only when scripts run,
// since Ctrl+P gives the same printout through the print stylesheet; the words
// that tell a browser without scripts how to print give way to it.
(function () {
  "use strict";
  var button = document.getElementById("print-button");
  if (!button) return;
  button.hidden = false;
  var hint = document.getElementById("print-hint");
  if (hint) hint.hidden = true;
  button.addEventListener("click", function () { window.print(); });
})();
