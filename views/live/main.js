// The component's entry point: every mount of the one "vae_live" component runs this module, so all share
// `models` (model.js) and the slider groups (live.js).

function receiveModel(bytes) {
  let id = null;
  try {
    const model = parseModel(bytes);
    id = model.id;
    modelSlot(id).resolve(model);
  } catch (err) {
    if (id) modelSlot(id).reject(err);
    throw err; // Streamlit shows it in place of the component
  }
}

const MOUNTS = { pad: mountPad, sliders: mountSliders, picture: mountPicture };

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  if (data instanceof Uint8Array) return receiveModel(data); // the weights mount shows nothing
  if (data) return MOUNTS[data.kind](data, parentElement, setTriggerValue);
}
