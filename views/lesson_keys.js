// Next and back through a lesson from the keyboard, or from a presentation clicker (which sends PageDown and
// PageUp): a key press clicks the lesson's own Next or Back button, so keys and buttons do exactly the same.
const ACTIONS = { PageDown: "next", ArrowRight: "next", PageUp: "back", ArrowLeft: "back" };
// Keys typed into a control belong to it: arrows move a focused slider, a text field's cursor, a select's choice.
const OWN_KEYS = "input, textarea, select, [role=slider], [role=combobox], [role=listbox], [contenteditable=true]";

export default function ({ parentElement }) {
  const onKey = (event) => {
    const action = ACTIONS[event.key];
    if (!action || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (event.target instanceof Element && event.target.closest(OWN_KEYS)) return;
    const button = parentElement.ownerDocument.querySelector(`.st-key-lesson_${action} button`);
    if (!button || button.disabled) return;
    event.preventDefault();
    button.click();
  };
  const doc = parentElement.ownerDocument;
  doc.addEventListener("keydown", onKey);
  return () => doc.removeEventListener("keydown", onKey);
}
