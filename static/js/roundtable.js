// Roundtable's small behaviours. Everything works without it; it only helps.
document.addEventListener("DOMContentLoaded", () => {
  // The coalition picker switches as soon as a coalition is chosen.
  const picker = document.getElementById("coalition-picker");
  if (picker) {
    picker.addEventListener("change", () => picker.form.submit());
    // Without this script the button switches; with it, choosing is enough.
    picker.form.querySelector("button[type=submit]").hidden = true;
  }
});

// "Print" buttons on reports and the public guide.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
