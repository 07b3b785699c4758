// The page timer on application pages: counts down the page's 30 minutes.
// The server enforces the limit; this only shows it. No inline script is needed.
(function () {
  "use strict";
  var timer = document.getElementById("page-timer");
  if (!timer) return;
  var left = Number(timer.getAttribute("data-seconds"));
  var template = timer.getAttribute("data-template");
  if (!left || !template) return;
  var ends = Date.now() + left * 1000;
  function show() {
    var minutes = Math.max(0, Math.ceil((ends - Date.now()) / 60000));
    timer.textContent = template.replace("{minutes}", String(minutes));
    if (minutes <= 5) timer.classList.add("timer-low");
    if (minutes > 0) setTimeout(show, 15000);
  }
  timer.setAttribute("aria-live", "polite");
  show();
})();
