// "Print" buttons (marked data-print): hidden until this script shows them, since without
// JavaScript they could not work; the browser's own Print menu always does.
(function () {
  "use strict";
  function wire() {
    document.querySelectorAll("button[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        window.print();
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
})();
