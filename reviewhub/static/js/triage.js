// Keyboard shortcuts for triage in the review workspace, on top of links that work without
// this file. On a reaction's page: J or Alt+Arrow down follows the rel="next" link, K or
// Alt+Arrow up the rel="prev" one (Alt+Arrow left/right are the browser's back and forward).
// In the list: J and K move the focus to the next or previous reaction's link. Never while
// someone types in a field, and never with Ctrl or Meta (the browser's own shortcuts).

const TYPING = "input, textarea, select, [contenteditable], [contenteditable='true']";

export function direction(event) {
  if (event.ctrlKey || event.metaKey || event.defaultPrevented) return null;
  if (event.target instanceof Element && event.target.closest(TYPING)) return null;
  if (event.altKey) {
    if (event.key === "ArrowDown") return "next";
    if (event.key === "ArrowUp") return "prev";
    return null;
  }
  if (event.shiftKey) return null;
  if (event.key === "j") return "next";
  if (event.key === "k") return "prev";
  return null;
}

function followLink(where) {
  const link = document.querySelector(`.triage-nav a[rel="${where}"]`);
  if (!link) return false;
  link.click();
  return true;
}

function moveInList(where) {
  const rows = [...document.querySelectorAll("a.triage-row")];
  if (!rows.length) return false;
  const at = rows.indexOf(document.activeElement);
  const next = where === "next" ? Math.min(at + 1, rows.length - 1) : Math.max(at - 1, 0);
  rows[at === -1 ? 0 : next].focus();
  return true;
}

document.addEventListener("keydown", (event) => {
  const where = direction(event);
  if (!where) return;
  const done = document.querySelector(".triage-nav") ? followLink(where) : moveInList(where);
  if (done) event.preventDefault();
});
