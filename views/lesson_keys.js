// Next and back through a lesson from the keyboard, or from a presentation clicker (which sends PageDown and
// PageUp): a key press clicks the lesson's own Next or Back button, so keys and buttons do exactly the same.
const ACTIONS = { PageDown: "next", ArrowRight: "next", PageUp: "back", ArrowLeft: "back" };
// Keys typed into a control belong to it: arrows move a focused slider, a text field's cursor, a radio's choice.
// A clicked toggle or radio button keeps the focus but has no use for PageDown / PageUp, so a clicker still works.
const OWN_KEYS = "input, textarea, select, [role=slider], [role=combobox], [role=listbox], [contenteditable=true]";
const PAGE_KEYS_PASS = "input[type=checkbox], input[type=radio]";

export default function ({ parentElement }) {
  const onKey = (event) => {
    const action = ACTIONS[event.key];
    if (!action || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const target = event.target instanceof Element ? event.target : null;
    const pageKey = event.key === "PageDown" || event.key === "PageUp";
    if (target?.closest(OWN_KEYS) && !(pageKey && target.matches(PAGE_KEYS_PASS))) return;
    const button = parentElement.ownerDocument.querySelector(`.st-key-lesson_${action} button`);
    if (!button || button.disabled) return;
    event.preventDefault();
    button.click();
  };
  const doc = parentElement.ownerDocument;
  doc.addEventListener("keydown", onKey);
  // A count on the root element says the keys work now: a rerun may mount the next listener before it takes
  // this one away. Tests wait for it before they press a key.
  const root = doc.documentElement;
  const listening = (change) => {
    const count = Number(root.dataset.vaeLessonKeys || 0) + change;
    if (count > 0) root.dataset.vaeLessonKeys = String(count);
    else delete root.dataset.vaeLessonKeys;
  };
  listening(1);
  return () => {
    doc.removeEventListener("keydown", onKey);
    listening(-1);
  };
}
