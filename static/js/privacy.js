// The privacy guard's warning (templates/_privacy_findings.html): "Replace with
// [removed]" takes a finding out of its field in one click. Without this script
// the buttons stay hidden and the writer edits the text by hand.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-redact]").forEach((button) => { button.hidden = false; });
});

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-redact]");
  if (!button) {
    return;
  }
  const field = document.getElementById(button.dataset.redact);
  if (!field) {
    return;
  }
  field.value = field.value.split(button.dataset.text).join(button.dataset.replacement);
  button.disabled = true;
  button.textContent = button.dataset.done;
  button.closest("li")?.classList.add("text-decoration-line-through");
  field.focus();
});
