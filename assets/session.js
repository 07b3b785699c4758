// Idle warning: two minutes before the server's idle limit, offer "stay logged in".
// The limit itself is enforced by the server; this only warns. No inline script is needed.
(function () {
  "use strict";
  var body = document.body;
  var idle = Number(body.getAttribute("data-idle-seconds"));
  var warn = Number(body.getAttribute("data-warn-seconds"));
  var box = document.getElementById("idle-warning");
  var stay = document.getElementById("idle-stay");
  if (!idle || !warn || !box || !stay) return;
  var warnTimer, endTimer;

  function schedule() {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    warnTimer = setTimeout(show, (idle - warn) * 1000);
    endTimer = setTimeout(loggedOut, idle * 1000);
  }

  function show() {
    box.hidden = false;
    stay.focus();
  }

  // To the login, which says why and leads back to this page.
  function loggedOut() {
    window.location.assign("/login?ended=1&next=" + encodeURIComponent(window.location.pathname));
  }

  stay.addEventListener("click", function () {
    // On an application's page, its 30 minutes start again too.
    var ping = "/session/ping?page=" + encodeURIComponent(window.location.pathname);
    fetch(ping, { credentials: "same-origin", cache: "no-store" }).then(function (res) {
      if (res.ok) {
        box.hidden = true;
        schedule();
      } else {
        loggedOut();
      }
    });
  });

  schedule();
})();
