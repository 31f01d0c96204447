// The privacy guard's warning (templates/_privacy_findings.html): "Replace with
// [removed]" takes a finding out of its field in one click: the one occurrence
// shown, found by the words around it, never every string that looks the same
// ("15" in "$1,500"). Without this script the buttons stay hidden and the
// writer edits the text by hand.
function showRedactButtons(root) {
  root.querySelectorAll("[data-redact]").forEach((button) => { button.hidden = false; });
}

document.addEventListener("DOMContentLoaded", () => showRedactButtons(document));
// forms swapped in by htmx (the action items beside the minutes)
document.addEventListener("htmx:load", (event) => showRedactButtons(event.target));

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-redact]");
  if (!button) {
    return;
  }
  const field = document.getElementById(button.dataset.redact);
  if (!field) {
    return;
  }
  const value = field.value.replace(/\r\n/g, "\n");
  const before = button.dataset.before.replace(/\r\n/g, "\n");
  const found = button.dataset.text;
  const after = button.dataset.after.replace(/\r\n/g, "\n");
  // the finding with the words either side; with those after it, or before it,
  // when a neighbouring finding was replaced already
  let start = -1;
  for (const [head, tail] of [[before, after], ["", after], [before, ""]]) {
    const at = value.indexOf(head + found + tail);
    if (at >= 0 && (head + tail) && value.indexOf(head + found + tail, at + 1) < 0) {
      start = at + head.length;
      break;
    }
  }
  if (start < 0) {
    button.textContent = button.dataset.missing;  // the text changed since: edit it by hand
    button.disabled = true;
    return;
  }
  field.value = value.slice(0, start) + button.dataset.replacement + value.slice(start + found.length);
  button.disabled = true;
  button.textContent = button.dataset.done;
  button.closest("li")?.classList.add("text-decoration-line-through");
  field.focus();
});
