// The page timer on application pages: counts down the page's 30 minutes.
// The server enforces the limit; this only shows it. No inline script is needed.
(function () {
  "use strict";
  var timer = document.getElementById("page-timer");
  if (!timer) return;
  var left = Number(timer.getAttribute("data-seconds"));
  // The singular and plural forms of the text, as the catalogs have them.
  var one = timer.getAttribute("data-one");
  var other = timer.getAttribute("data-other");
  if (!left || !one || !other) return;
  var ends = Date.now() + left * 1000;
  function show() {
    var minutes = Math.max(0, Math.ceil((ends - Date.now()) / 60000));
    timer.textContent = (minutes === 1 ? one : other).replace("{minutes}", String(minutes));
    if (minutes <= 5) timer.classList.add("timer-low");
    if (minutes > 0) setTimeout(show, 15000);
  }
  timer.setAttribute("aria-live", "polite");
  show();
})();
