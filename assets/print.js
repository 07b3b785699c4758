// The Print button on the review page: shown only when scripts run, since Ctrl+P
// gives the same printout through the print stylesheet.
(function () {
  "use strict";
  var button = document.getElementById("print-button");
  if (!button) return;
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
})();
