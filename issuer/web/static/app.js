/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "visually-hidden";
      document.body.appendChild(area);
      area.select();
      var ok = document.execCommand("copy");
      document.body.removeChild(area);
      if (ok) { resolve(); } else { reject(new Error("copy failed")); }
    });
  }

  function enableCopyButtons() {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      var source = document.querySelector(button.getAttribute("data-copy"));
      if (!source) { return; }
      var status = button.closest(".copy") && button.closest(".copy").querySelector(".copy__status");
      button.hidden = false;
      button.addEventListener("click", function () {
        copyText(source.value || source.textContent).then(function () {
          if (status) { status.textContent = button.getAttribute("data-copied"); }
          button.classList.add("is-done");
        }, function () {
          source.focus();
          source.select();
        });
      });
    });
  }

  function selectOnFocus() {
    document.querySelectorAll(".copy__input").forEach(function (input) {
      input.addEventListener("focus", function () { input.select(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.documentElement.classList.add("js");
    enableCopyButtons();
    selectOnFocus();
  });
}());
