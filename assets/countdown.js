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
  // Read out only at 5 and at 1 minute left (a screen reader would otherwise
  // announce every minute); the timer itself just shows.
  var announce = document.getElementById("page-timer-announce");
  var said = {};
  function show() {
    var minutes = Math.max(0, Math.ceil((ends - Date.now()) / 60000));
    var text = (minutes === 1 ? one : other).replace("{minutes}", String(minutes));
    timer.textContent = text;
    if (minutes <= 5) timer.classList.add("timer-low");
    if (announce && (minutes === 5 || minutes === 1) && !said[minutes]) {
      said[minutes] = true;
      announce.textContent = text;
    }
    if (minutes > 0) setTimeout(show, 15000);
  }
  show();
})();
