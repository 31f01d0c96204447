// Roundtable's small behaviours. Everything works without it; it only helps.
document.addEventListener("DOMContentLoaded", () => {
  // The coalition picker switches as soon as a coalition is chosen.
  const picker = document.getElementById("coalition-picker");
  if (picker) {
    picker.addEventListener("change", () => picker.form.submit());
  }
});
