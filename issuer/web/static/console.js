// Provider console: live progress of a class batch (polls the batch's status while it runs).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.querySelector("[data-batch-status]");
    if (!box) { return; }
    var url = box.getAttribute("data-batch-status");
    var bar = box.querySelector("progress");
    var text = box.querySelector("[data-batch-text]");
    function poll() {
      fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          if (bar) { bar.max = s.total || 1; bar.value = s.done || 0; }
          if (text) { text.textContent = s.text || ""; }
          box.setAttribute("data-state", s.state || "");
          if (s.finished) {
            var done = box.querySelector("[data-batch-done]");
            if (done) { done.hidden = false; }
          } else {
            window.setTimeout(poll, 700);
          }
        })
        .catch(function () { window.setTimeout(poll, 2000); });
    }
    poll();
  });
}());
