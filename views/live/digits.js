// The sidebar's digit panel (views/sidebar.py): the current digit's picture and the buttons that replace it. A
// press draws the new digit at once (the server sends each button's picture with the panel), hands its posterior
// to the page's live pictures, pad and latent map (which redraw with it in the next frame), and sends the
// button's id to Python as the trigger value "choose"; the app's rerun then brings the rest of the page in step.

const digitListeners = new Set(); // fn(choice) of the page's live elements: choice.posterior = [mu, std], .name
let digitPicture = null; // the mounted current digit's box, which a press draws into
let pressedChoice = null; // {id, at}: the button last pressed, given the focus back after the rerun remounts it

function mountDigitPicture(data, root) {
  const box = mountInto(root, '<div class="vae-digits vae-digit-picture"></div>');
  box.innerHTML = data.html;
  markReady(box);
  digitPicture = box;
  return () => {
    if (digitPicture === box) digitPicture = null;
  };
}

// A page's own picture of the current digit (Reconstruct's input): the server's picture at the page's size, whose
// image a press replaces with the pressed button's (the same PNG as the sidebar's) and whose text alternative it
// fills in from `alt` ({name}).
function mountDigitInput(data, root) {
  const box = mountInto(root, '<div class="vae-live vae-digit-input"></div>');
  box.innerHTML = data.html;
  const img = box.querySelector("img");
  const onDigit = (choice) => {
    const pressed = document.createElement("template");
    pressed.innerHTML = choice.html;
    img.src = pressed.content.querySelector("img").getAttribute("src");
    img.alt = fill(data.alt, { name: choice.name });
  };
  digitListeners.add(onDigit);
  markReady(box);
  return () => digitListeners.delete(onDigit);
}

function mountDigitButtons(data, root, setTriggerValue) {
  const box = mountInto(root, '<div class="vae-digits vae-digit-buttons"></div>');
  for (const row of data.rows) {
    const line = document.createElement("div");
    line.className = `vae-digit-row ${row.layout}`;
    for (const choice of row.choices) {
      const button = document.createElement("button");
      Object.assign(button, { type: "button", textContent: choice.text, title: choice.help });
      button.dataset.choice = choice.id;
      button.addEventListener("click", () => {
        if (digitPicture) digitPicture.innerHTML = choice.html;
        digitListeners.forEach((fn) => fn(choice));
        pressedChoice = { id: choice.id, at: performance.now() };
        setTriggerValue("choose", choice.id);
      });
      line.append(button);
    }
    box.append(line);
  }
  markReady(box);
  const lost = document.activeElement === document.body || document.activeElement === null;
  if (pressedChoice && lost && performance.now() - pressedChoice.at < REFOCUS_MS)
    box.querySelector(`[data-choice="${pressedChoice.id}"]`)?.focus();
}
