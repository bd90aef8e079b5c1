// Calendar page: "Copy" buttons next to a new calendar address. Without JavaScript (or without
// the clipboard API) the buttons stay hidden and the address can be selected and copied by hand.
(function () {
  "use strict";
  if (!navigator.clipboard || !window.isSecureContext) {
    return;
  }
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.dataset.copy);
    var status = document.querySelector('[data-copied-for="' + button.dataset.copy + '"]');
    if (!field) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(
        function () {
          if (status) {
            status.textContent = status.dataset.copied;
          }
        },
        function () {
          field.focus();
          field.select();
        }
      );
    });
  });
})();
