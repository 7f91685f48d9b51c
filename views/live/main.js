// The live elements' runtime: the one mount of "vae_live_runtime" loads this module, and every mount of "vae_live"
// runs in it (views/live LOADER_JS calls mountLive), so all share `models` (model.js) and the slider groups (live.js).

const modelsReceived = []; // for tests (window.vaeLive.received)
function receiveModel(bytes) {
  let id = null;
  try {
    const model = parseModel(bytes);
    id = model.id;
    modelsReceived.push(id);
    Object.assign(modelSlot(id), { settled: true, value: model }).resolve(model); // value: for use in this task
  } catch (err) {
    if (id) Object.assign(modelSlot(id), { settled: true }).reject(err);
    throw err; // Streamlit shows it in place of the component
  }
}

// "hello": the browser runs the live elements (views/live ask_whether_scripts_run); it draws nothing.
const MOUNTS = { pad: mountPad, sliders: mountSliders, stepper: mountStepper, choices: mountChoices,
  picture: mountPicture, frames: mountFrames, chart: mountChart,
  pick: mountPick, digit_picture: mountDigitPicture, digit_input: mountDigitInput, digit_buttons: mountDigitButtons,
  hello: (data, root, setTriggerValue) => setTriggerValue("hello", true) };

// live.css hides the Streamlit twins while a live element (or the digit panel) is ready, by a flag on the root element
// that these keep true to the page. Not `body:has(.vae-live.ready)` in the CSS: with that rule Chromium restyled
// the whole page on every change to it, ~17 ms of each page switch (benchmarks/RESULTS.md).
const READY_FLAGS = { "data-vae-live-ready": ".vae-live.ready", "data-vae-digits-ready": ".vae-digits.ready" };
function syncReadyFlags() {
  for (const [flag, selector] of Object.entries(READY_FLAGS))
    document.documentElement.toggleAttribute(flag, document.querySelector(selector) !== null);
}

function markReady(element) {
  element.classList.add("ready");
  syncReadyFlags();
}

// Streamlit calls a mount's cleanup when the element is taken away, but not before it mounts new data in the same
// place (a rerun that changed it): the last mount's cleanup is called here then, or its listeners would pile up, and
// each would still draw on every change of its group (one more per rerun, found as a growing tail in the benchmark).
const cleanups = new WeakMap(); // a mount's element -> the cleanup of what is mounted there
function mountLive(component) {
  const root = component.parentElement;
  cleanups.get(root)?.();
  const cleanup = mount(component);
  syncReadyFlags(); // a picker is ready as it is drawn
  let done = false;
  const takeAway = () => {
    if (done) return;
    done = true;
    if (cleanups.get(root) === takeAway) cleanups.delete(root);
    if (typeof cleanup === "function") cleanup();
    setTimeout(syncReadyFlags); // once Streamlit has taken the element away
  };
  cleanups.set(root, takeAway);
  return takeAway;
}

function mount(component) {
  const { data, parentElement, setTriggerValue, setStateValue } = component;
  if (data instanceof Uint8Array) {
    // A bytes mount shows nothing: the model's weights, the test digits' codes for the drawing's map, or a picture
    // picker's source (picture and click targets).
    const magic = String.fromCharCode(...data.subarray(0, 4));
    if (magic === SOURCE_MAGIC) return receivePickSource(JSON.parse(new TextDecoder().decode(data.subarray(4))));
    return magic === POINTS_MAGIC ? receivePoints(data) : receiveModel(data);
  }
  if (data?.kind === "draw") return mountDraw(data, parentElement, setStateValue);
  if (data?.kind === "model") return checkModel(data, setTriggerValue);
  if (data) return MOUNTS[data.kind](data, parentElement, setTriggerValue);
}

// The mounts of "vae_live" that came before this module had loaded wait for this event (views/live LOADER_JS).
window.vaeLiveMount = mountLive;
window.dispatchEvent(new Event("vae-live-runtime"));
export default function () {} // the runtime's own mount shows nothing
