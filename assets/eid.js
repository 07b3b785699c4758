// The e-identification page: asks Kansli for the order's state every second,
// redraws the animated QR code, shows BankID's message for the hint code, and
// when the person is identified submits the page's own "I have identified myself"
// form. Without scripts the page refreshes itself and that button still works.
(function () {
  "use strict";
  var root = document.getElementById("eid");
  if (!root) return;
  var statusUrl = root.getAttribute("data-status");
  var status = document.getElementById("eid-status");
  var qr = document.getElementById("eid-qr");
  var content = document.getElementById("eid-qr-content");
  var finish = document.getElementById("eid-finish");
  var cancel = document.getElementById("eid-cancel");
  var leaving = true;
  function poll() {
    fetch(statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (status && status.textContent !== s.message) status.textContent = s.message;
        if (qr && s.qr) qr.innerHTML = s.qr;
        if (content && s.qr_content) content.textContent = s.qr_content;
        if (s.state === "complete" && finish) {
          leaving = false;
          finish.submit();
        } else if (s.state === "pending") {
          setTimeout(poll, 1000);
        } else {
          // Failed: show the page with what to do next.
          leaving = false;
          window.location.reload();
        }
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  // Leaving the page cancels the order, as BankID asks of relying parties.
  window.addEventListener("pagehide", function () {
    if (!leaving || !cancel || !navigator.sendBeacon) return;
    navigator.sendBeacon(cancel.getAttribute("action"), new URLSearchParams(new FormData(cancel)));
  });
  if (cancel) cancel.addEventListener("submit", function () { leaving = false; });
  if (finish) finish.addEventListener("submit", function () { leaving = false; });
  setTimeout(poll, 1000);
})();
