// Passage annotations, enhancing the server-rendered forms (which work without this file):
// a text selection in a section becomes a W3C-style anchor (the quote, 32 characters before
// and after it, and its position) in the section's plain text as the server computes it:
// whitespace runs folded to one space, positions counted in code points (as Python does).
// Also: highlights of earlier annotations, and a live character counter. On the version page:
// a section's threads are fetched when its reactions are opened (the server's fragment, with
// the passages of those threads), page by page, and the page's one reaction form moves to the
// section someone reacts to. Without this file, the links lead to the section's own page.

export const CONTEXT_LENGTH = 32;
// The characters Python's str.split() treats as whitespace.
const WORD = /[\p{L}\p{N}]/u;
const SPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;

// The plain text of `root`, one entry per code point, each with the DOM position it came from.
export function textIndex(root) {
  const chars = [];
  let pendingSpace = null;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    let offset = 0;
    for (const ch of node.data) {
      if (SPACE.test(ch)) {
        if (chars.length && !pendingSpace) pendingSpace = { ch: " ", node, offset, length: ch.length };
      } else {
        if (pendingSpace) chars.push(pendingSpace);
        pendingSpace = null;
        chars.push({ ch, node, offset, length: ch.length });
      }
      offset += ch.length;
    }
  }
  return chars;
}

export function plainText(chars) {
  return chars.map((c) => c.ch).join("");
}

// The anchor of the characters [start, end) of the plain text.
export function anchorAt(chars, start, end) {
  const slice = (a, b) => plainText(chars.slice(Math.max(0, a), b));
  return {
    exact: slice(start, end),
    prefix: slice(start - CONTEXT_LENGTH, start),
    suffix: slice(end, end + CONTEXT_LENGTH),
    start,
    end,
  };
}

// The anchor of a DOM range inside `root`, or null when it selects no text. Surrounding
// spaces are left out of the passage.
export function anchorFromRange(root, range) {
  const chars = textIndex(root);
  const inside = (c) => range.comparePoint(c.node, c.offset) === 0
    && range.comparePoint(c.node, c.offset + c.length) === 0;
  let start = chars.findIndex(inside);
  if (start < 0) return null;
  let end = start;
  while (end < chars.length && inside(chars[end])) end += 1;
  while (start < end && chars[start].ch === " ") start += 1;
  while (end > start && chars[end - 1].ch === " ") end -= 1;
  if (start >= end) return null;
  // A rough selection is widened to whole words: people mean words, not letters.
  while (start > 0 && WORD.test(chars[start - 1].ch) && WORD.test(chars[start].ch)) start -= 1;
  while (end < chars.length && WORD.test(chars[end].ch) && WORD.test(chars[end - 1].ch)) end += 1;
  return anchorAt(chars, start, end);
}

// Wrap the characters [start, end) in <mark> elements, one per text node they span.
export function highlight(root, start, end, id) {
  const chars = textIndex(root);
  if (end > chars.length) return [];
  const marks = [];
  let index = start;
  while (index < end) {
    const node = chars[index].node;
    let last = index;
    while (last + 1 < end && chars[last + 1].node === node) last += 1;
    const from = chars[index].offset;
    const to = chars[last].offset + chars[last].length;
    const middle = node.splitText(from);
    middle.splitText(to - from);
    const mark = document.createElement("mark");
    mark.className = "annotation";
    mark.dataset.comment = `c-${id}`;
    middle.replaceWith(mark);
    mark.append(middle);
    marks.push(mark);
    index = last + 1;
  }
  if (marks.length) marks[0].id = `hl-${id}`;
  return marks;
}

// Unwrap the highlights in `body`, so that a new set can be drawn on its plain text.
function clearHighlights(body) {
  for (const mark of body.querySelectorAll("mark.annotation")) mark.replaceWith(...mark.childNodes);
  body.normalize();
}

// The passages of the threads in `root` (each list names its section), highlighted in the
// section's text; clicking one opens its reaction.
function showHighlights(root = document) {
  const lists = [...root.querySelectorAll("[data-annotations]")];
  if (root instanceof Element && root.matches("[data-annotations]")) lists.unshift(root);
  for (const list of lists) {
    const key = list.dataset.threadsFor;
    const body = key
      ? document.querySelector(`.doc-section__body[data-section-key="${CSS.escape(key)}"]`)
      : list;
    if (!body) continue;
    clearHighlights(body);
    const annotations = JSON.parse(list.dataset.annotations);
    // Later passages first, so earlier offsets stay valid while the DOM is split.
    annotations.sort((a, b) => b.start - a.start);
    for (const a of annotations) {
      const chars = textIndex(body);
      if (plainText(chars.slice(a.start, a.end)) !== a.exact) continue;
      for (const mark of highlight(body, a.start, a.end, a.id)) {
        mark.addEventListener("click", () => openComment(a.id));
      }
    }
  }
}

function openComment(id) {
  const comment = document.getElementById(`c-${id}`);
  if (!comment) return;
  const details = comment.closest("details");
  if (details) details.open = true;
  comment.scrollIntoView({ block: "center" });
  comment.setAttribute("tabindex", "-1");
  comment.focus();
}

// The reaction form for the section `key`: its own (the section's page), or the version
// page's one form, moved there.
function formFor(key) {
  const own = document.querySelector(`form.comment-form[data-section-key="${CSS.escape(key)}"]`);
  if (own) return own;
  return moveFormTo(document.querySelector(`[data-feedback-for="${CSS.escape(key)}"]`));
}

let movingForm = null; // the version page's one form, once taken from its template

function moveFormTo(feedback) {
  const template = document.getElementById("comment-form-template");
  const link = feedback?.querySelector("a.react-link");
  if (!template || !link) return null;
  if (!movingForm) {
    movingForm = template.content.querySelector("form").cloneNode(true);
    movingForm.dataset.prefix = template.dataset.prefix;
    setUpCounters(movingForm);
  }
  const form = movingForm;
  const key = feedback.dataset.feedbackFor;
  if (form.dataset.sectionKey !== key) {
    // Its fields take the names the section's route reads: s<section id>-kind, …
    const from = form.dataset.prefix;
    const to = `s${feedback.dataset.sectionId}-`;
    for (const element of [form, ...form.querySelectorAll("*")]) {
      for (const name of ["name", "id", "for", "aria-describedby"]) {
        const value = element.getAttribute(name);
        if (value && value.includes(from)) element.setAttribute(name, value.replaceAll(from, to));
      }
    }
    form.dataset.prefix = to;
    form.dataset.sectionKey = key;
    form.action = link.href.split("#")[0];
    // A passage belongs to the section it was chosen in.
    for (const role of ["quote", "prefix", "suffix", "start"]) {
      const input = form.querySelector(`[data-role="${role}"]`);
      if (input) input.value = "";
    }
    keepQuestionsOf(form, key);
    for (const hidden of document.querySelectorAll(".section-feedback__react[hidden]")) {
      hidden.hidden = false;
    }
    link.parentElement.hidden = true;
    link.parentElement.after(form);
  }
  return form;
}

// The questions a reaction on section `key` may answer: the version's and that section's
// (the one form lists every section's, each marked with its key).
function keepQuestionsOf(form, key) {
  const select = form.querySelector('select[data-role="question"]');
  if (!select) return;
  for (const option of select.options) {
    const other = Boolean(option.dataset.sectionKey) && option.dataset.sectionKey !== key;
    option.hidden = other;
    option.disabled = other;
  }
  if (select.selectedOptions[0]?.disabled) select.value = "";
}

function setUpReactLinks() {
  document.addEventListener("click", (event) => {
    const link = event.target.closest?.("a.react-link");
    if (!link) return;
    const form = moveFormTo(link.closest("[data-feedback-for]"));
    if (!form) return; // no script-made form: the link leads to the section's page
    event.preventDefault();
    const first = form.querySelector('input[type="radio"]:checked, input[type="radio"], textarea');
    form.scrollIntoView({ block: "start" });
    first?.focus();
  });
}

// A section's threads, a page at a time: the fragment at `url` replaces what `holder` shows.
async function loadThreads(holder, url, focus = false) {
  holder.setAttribute("aria-busy", "true");
  try {
    const response = await fetch(url, { headers: { Accept: "text/html" } });
    if (!response.ok || response.redirected) return; // the link to the section's page stays
    holder.innerHTML = await response.text();
    showHighlights(holder);
    setUpCounters(holder);
    if (focus) holder.focus();
  } catch {
    // Offline or refused: the link to the section's page stays.
  } finally {
    holder.removeAttribute("aria-busy");
  }
}

// The fragment of a section's threads lives next to the section's page: <page>/reactions.
export function fragmentUrl(href) {
  const url = new URL(href, document.baseURI);
  url.pathname += "/reactions";
  return url.href;
}

function setUpThreads() {
  for (const details of document.querySelectorAll("details.section-feedback__threads")) {
    const holder = details.querySelector(".threads-holder");
    const link = holder?.querySelector("a.threads-link");
    if (!link) continue;
    const open = () => {
      if (!details.open || details.dataset.loaded) return;
      details.dataset.loaded = "1";
      loadThreads(holder, fragmentUrl(link.href));
    };
    details.addEventListener("toggle", open);
    open();
  }
  document.addEventListener("click", (event) => {
    const link = event.target.closest?.("a[data-threads-page]");
    const holder = link?.closest(".threads-holder");
    if (!holder) return; // on the section's page the link loads the page
    event.preventDefault();
    loadThreads(holder, link.dataset.threadsPage, true);
  });
  // The contents' count badges lead to a section's reactions: open them.
  const openTarget = () => {
    const id = decodeURIComponent(location.hash.slice(1));
    const target = id && document.getElementById(id);
    const details = target?.matches?.(".section-feedback")
      ? target.querySelector("details.section-feedback__threads")
      : null;
    if (details) details.open = true;
  };
  window.addEventListener("hashchange", openTarget);
  openTarget();
}

function selectionInSection() {
  const selection = document.getSelection();
  if (!selection || selection.isCollapsed || !selection.rangeCount) return null;
  const range = selection.getRangeAt(0);
  const start = range.startContainer.parentElement?.closest("[data-section-key]");
  const end = range.endContainer.parentElement?.closest("[data-section-key]");
  if (!start || start !== end || start.tagName === "FORM") return null;
  return mayReactTo(start.dataset.sectionKey) ? { body: start, range } : null;
}

function mayReactTo(key) {
  const escaped = CSS.escape(key);
  return Boolean(
    document.querySelector(`form.comment-form[data-section-key="${escaped}"]`)
      || document.querySelector(`[data-feedback-for="${escaped}"] a.react-link`),
  );
}

function setUpSelectionButton() {
  const template = document.getElementById("annotate-button-template");
  const reacting = document.querySelector("form.comment-form, #comment-form-template");
  if (!template || !reacting) return;
  const button = template.content.firstElementChild.cloneNode(true);
  button.hidden = true;
  document.body.append(button);
  let current = null;
  let timer = null;
  document.addEventListener("selectionchange", () => {
    clearTimeout(timer);
    // Wait until the selection settles: on touch screens it changes while handles move.
    timer = setTimeout(() => {
      current = selectionInSection();
      if (!current) { button.hidden = true; return; }
      const box = current.range.getBoundingClientRect();
      button.style.top = `${window.scrollY + box.bottom + 8}px`;
      button.style.left = `${window.scrollX + Math.max(8, box.left)}px`;
      button.hidden = false;
    }, 150);
  });
  button.addEventListener("click", () => {
    if (!current) return;
    const anchor = anchorFromRange(current.body, current.range);
    const form = anchor && formFor(current.body.dataset.sectionKey);
    if (form) fillForm(form, anchor);
    button.hidden = true;
  });
}

export function fillForm(form, anchor) {
  const set = (role, value) => {
    const input = form.querySelector(`[data-role="${role}"]`);
    if (input) input.value = value;
  };
  set("quote", anchor.exact);
  set("prefix", anchor.prefix);
  set("suffix", anchor.suffix);
  set("start", String(anchor.start));
  const details = form.closest("details");
  if (details) details.open = true;
  const first = form.querySelector('input[type="radio"]:checked, input[type="radio"], textarea');
  form.scrollIntoView({ block: "center" });
  first?.focus();
}

// The length of a reaction as the server measures it (feedback.py): line breaks as one
// character (forms send CRLF, the server makes it LF), surrounding whitespace left out (the
// server strips it), counted in code points (as Python does).
export function serverLength(text) {
  const chars = [...text.replace(/\r\n?/g, "\n")];
  let start = 0;
  let end = chars.length;
  while (start < end && SPACE.test(chars[start])) start += 1;
  while (end > start && SPACE.test(chars[end - 1])) end -= 1;
  return end - start;
}

function setUpCounters(root = document) {
  for (const area of root.querySelectorAll("textarea[data-max-length]")) {
    if (area.dataset.counted) continue;
    const counter = root.querySelector(`#${CSS.escape(`${area.id}-count`)}`);
    if (!counter || !counter.dataset.count) continue;
    area.dataset.counted = "1";
    const limit = Number(area.dataset.maxLength);
    // The visible count changes with every key; screen readers hear only when the text
    // crosses the limit, through a separate live region.
    const announcer = document.createElement("span");
    announcer.className = "visually-hidden";
    announcer.setAttribute("aria-live", "polite");
    counter.after(announcer);
    let wasOver = false;
    const update = () => {
      const count = serverLength(area.value);
      const over = count > limit;
      const template = over ? counter.dataset.over : counter.dataset.count;
      counter.textContent = template
        .replace("{count}", count).replace("{limit}", limit).replace("{over}", count - limit);
      counter.classList.toggle("counter--over", over);
      if (over !== wasOver) announcer.textContent = over ? counter.textContent : "";
      wasOver = over;
    };
    area.addEventListener("input", update);
    update();
  }
}

// A table wider than its column scrolls sideways in its own box (site.css): such a table is
// made a tab stop, so that the arrow keys scroll it too.
function setUpWideTables() {
  const mark = () => {
    for (const table of document.querySelectorAll(".doc-section__body table")) {
      if (table.scrollWidth > table.clientWidth) table.tabIndex = 0;
      else table.removeAttribute("tabindex");
    }
  };
  let frame = 0;
  window.addEventListener("resize", () => {
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(mark);
  });
  mark();
}

// What was just done to a reaction is said next to it (review/_comment.html): focused, so
// that a screen reader reads it out where the page opened. Only once the page has loaded:
// the browser's own move to the reaction's #anchor would take the focus away again.
function focusNotice() {
  const notice = document.querySelector(".comment-notice");
  if (!notice) return;
  const focus = () => requestAnimationFrame(() => notice.focus({ preventScroll: true }));
  if (document.readyState === "complete") focus();
  else window.addEventListener("load", focus, { once: true });
}

function start() {
  showHighlights();
  setUpWideTables();
  focusNotice();
  setUpSelectionButton();
  setUpCounters();
  setUpReactLinks();
  setUpThreads();
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
