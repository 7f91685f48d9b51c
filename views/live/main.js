// The component's entry point: every mount of the one "vae_live" component runs this module, so all share
// `models` (model.js) and the slider groups (live.js).

const modelsReceived = []; // for tests (window.vaeLive.received)
function receiveModel(bytes) {
  let id = null;
  try {
    const model = parseModel(bytes);
    id = model.id;
    modelsReceived.push(id);
    Object.assign(modelSlot(id), { settled: true }).resolve(model);
  } catch (err) {
    if (id) Object.assign(modelSlot(id), { settled: true }).reject(err);
    throw err; // Streamlit shows it in place of the component
  }
}

const MOUNTS = { pad: mountPad, sliders: mountSliders, picture: mountPicture, pick: mountPick,
  digit_picture: mountDigitPicture, digit_buttons: mountDigitButtons };

export default function (component) {
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
