// The public pages' only script; every page works without it.
// Quick exit: the button, or the Esc key outside a form field, replaces this page with a
// neutral site (location.replace: the page is not left behind the Back button).
(function () {
  "use strict";
  function leave() {
    var exit = document.querySelector("[data-quick-exit]");
    if (exit) window.location.replace(exit.href);
  }
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-quick-exit]")) {
      event.preventDefault();
      leave();
    } else if (event.target.closest("[data-print]")) {
      window.print();
    }
  });
  // Not while typing in a field (Esc there closes a suggestion list or
  // cancels a conversion of the input method, and the message would be lost).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || event.isComposing || event.defaultPrevented || event.repeat) return;
    if (event.target.closest && event.target.closest("input, textarea, select, [contenteditable]")) return;
    leave();
  });
})();
