// Latent pad: the VAE's decoder runs here, in the browser, so the picture follows the pointer.
//
// One component, two kinds of mount (see __init__.py):
//   data = bytes -> the decoder's weights, sent once per model and kept in `decoders` below;
//   data = JSON  -> the pad itself, which names the weights it needs by their sha1.
// Both mounts run this same module (Streamlit imports it once per content), so they share `decoders`.

const MAGIC = "VAEd";
const KEEP_MODELS = 4; // weights of this many models stay in memory
const STATS_FRAMES = 600; // frame times kept for window.vaePad.stats()
const READOUT_FRAMES = 30; // the on-screen fps is measured over this many frames
const PAD_PX = 320;

const decoders = new Map(); // sha1 -> {ready: Promise<net>, resolve, reject}

function slot(id) {
  if (!decoders.has(id)) {
    const s = {};
    s.ready = new Promise((resolve, reject) => Object.assign(s, { resolve, reject }));
    decoders.set(id, s);
    for (const old of decoders.keys()) if (decoders.size > KEEP_MODELS) decoders.delete(old);
  }
  return decoders.get(id);
}

// erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7, float32 resolution): GELU in its exact erf form,
// as torch.nn.GELU() computes it, not the tanh approximation.
function erf(x) {
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const poly = ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t;
  const y = 1 - poly * Math.exp(-a * a);
  return x < 0 ? -y : y;
}

// Every activation of vae_core.model.ACTIVATIONS, with torch's default parameters.
const ACTIVATIONS = {
  gelu: (x) => 0.5 * x * (1 + erf(x * Math.SQRT1_2)),
  relu: (x) => (x > 0 ? x : 0),
  tanh: Math.tanh,
  softplus: (x) => (x > 20 ? x : Math.log1p(Math.exp(x))), // nn.Softplus(beta=1, threshold=20)
};

// bytes: "VAEd", uint32 header length, JSON header (padded to 4 bytes), float32 payload
// (per layer: W (out, in) row-major, then b), as vae_core.export.decoder_export writes it.
function parseWeights(bytes) {
  const head = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (magic !== MAGIC) throw new Error(`latent pad: weights message starts with ${magic}, not ${MAGIC}`);
  const headerLength = head.getUint32(4, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  const act = ACTIVATIONS[header.activation];
  if (!act) {
    const known = Object.keys(ACTIVATIONS).join(", ");
    throw new Error(`latent pad: activation "${header.activation}" is not implemented (known: ${known})`);
  }
  // A copy: the message's bytes may start at any offset, and Float32Array needs 4-byte alignment.
  // Float32Array reads the platform's byte order; every browser platform is little-endian, like the payload.
  const floats = new Float32Array(bytes.slice(8 + headerLength).buffer);
  let at = 0;
  const layers = header.layers.map(([nIn, nOut]) => {
    const W = floats.subarray(at, (at += nIn * nOut));
    const b = floats.subarray(at, (at += nOut));
    return { nIn, nOut, W, b, out: new Float32Array(nOut) };
  });
  if (at !== floats.length) throw new Error(`latent pad: ${floats.length} weights for layers needing ${at}`);
  return { id: header.sha1, latentDim: header.latent_dim, layers, act };
}

// The decoder: act(W z + b) per hidden layer, then sigmoid -> 784 pixel probabilities.
// Sums run in float64 (JS numbers); each layer's output is stored in float32 like torch's.
function decode(net, z) {
  let x = z;
  net.layers.forEach(({ nIn, nOut, W, b, out }, i) => {
    const last = i === net.layers.length - 1;
    for (let o = 0, row = 0; o < nOut; o++, row += nIn) {
      let s = b[o];
      for (let j = 0; j < nIn; j++) s += W[row + j] * x[j];
      out[o] = last ? 1 / (1 + Math.exp(-s)) : net.act(s);
    }
    x = out;
  });
  return x;
}

function receiveWeights(bytes) {
  let id = null;
  try {
    const net = parseWeights(bytes);
    id = net.id;
    slot(id).resolve(net);
  } catch (err) {
    if (id) slot(id).reject(err);
    throw err; // Streamlit shows it in place of the component
  }
}

function mountPad(data, root, setTriggerValue) {
  const el = (cls) => root.querySelector(`.${cls}`);
  const [pad, preview, zText, fpsText, status] = ["pad", "preview", "z", "fps", "status"].map(el);
  const [dx, dy] = data.dims;
  const [lo, hi] = data.range;
  const base = Float32Array.from(data.base);
  const z = Float32Array.from(base);
  const image = new ImageData(28, 28);
  const px = preview.getContext("2d");
  const ctx = pad.getContext("2d");
  const scale = window.devicePixelRatio || 1;
  pad.width = pad.height = Math.round(PAD_PX * scale);
  ctx.scale(scale, scale);

  let net = null;
  let pointer = null; // [x, y] in pad pixels, or null when the pointer is away
  let dragging = false;
  let dirty = true;
  let raf = 0;
  let alive = true; // false once Streamlit unmounts or remounts this pad
  let api = null; // what this pad put on window.vaePad
  let stats = { t: [], decodeMs: [] };
  let drawn = 0; // frames decoded and drawn since mounting

  const toPx = (v, flip) => ((flip ? hi - v : v - lo) / (hi - lo)) * PAD_PX;
  const toZ = (p, flip) => (flip ? hi - (p / PAD_PX) * (hi - lo) : lo + (p / PAD_PX) * (hi - lo));
  const clamp = (v) => Math.min(PAD_PX, Math.max(0, v));

  function drawPad() {
    ctx.fillStyle = "#0e1117";
    ctx.fillRect(0, 0, PAD_PX, PAD_PX);
    ctx.lineWidth = 1;
    for (let v = Math.ceil(lo); v <= hi; v++) {
      ctx.strokeStyle = v === 0 ? "#777" : "#333";
      const x = Math.round(toPx(v, false)) + 0.5;
      const y = Math.round(toPx(v, true)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(x, 0);
      ctx.lineTo(x, PAD_PX);
      ctx.moveTo(0, y);
      ctx.lineTo(PAD_PX, y);
      ctx.stroke();
    }
    ctx.fillStyle = "#aaa";
    ctx.font = "12px sans-serif";
    ctx.fillText(`z${dx} →`, PAD_PX - 38, PAD_PX - 6);
    ctx.fillText(`z${dy} ↑`, 6, 14);
    ctx.fillText(`${lo}..${hi}`, 6, PAD_PX - 6);
    // The current digit's mu (clamped to the edge when outside the range).
    ctx.strokeStyle = "#ffa421";
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(clamp(toPx(base[dx], false)), clamp(toPx(base[dy], true)), 7, 0, 2 * Math.PI);
    ctx.stroke();
    if (pointer) {
      ctx.fillStyle = dragging ? "#ff4b4b" : "#fafafa";
      ctx.beginPath();
      ctx.arc(pointer[0], pointer[1], 4, 0, 2 * Math.PI);
      ctx.fill();
    }
  }

  function drawPreview(probs) {
    for (let i = 0; i < 784; i++) {
      const g = Math.floor(Math.min(1, Math.max(0, probs[i])) * 255 + 0.5); // as vae_core.render.to_uint8
      image.data[4 * i] = image.data[4 * i + 1] = image.data[4 * i + 2] = g;
      image.data[4 * i + 3] = 255;
    }
    px.putImageData(image, 0, 0);
  }

  function showReadout() {
    zText.textContent = `z${dx} = ${z[dx].toFixed(2)}, z${dy} = ${z[dy].toFixed(2)}`;
    const t = stats.t.slice(-READOUT_FRAMES);
    if (t.length > 1) {
      const ms = stats.decodeMs.slice(-READOUT_FRAMES);
      const fps = ((t.length - 1) * 1000) / (t[t.length - 1] - t[0]);
      const mean = ms.reduce((a, b) => a + b, 0) / ms.length;
      fpsText.textContent = `${fps.toFixed(0)} fps (decode ${mean.toFixed(1)} ms)`;
      fpsText.dataset.fps = fps.toFixed(1);
    }
  }

  // Pointer events only record where z is; decoding happens once per animation frame.
  function frame() {
    raf = requestAnimationFrame(frame);
    if (!dirty || !net) return;
    dirty = false;
    const start = performance.now();
    drawPreview(decode(net, z));
    drawPad();
    const end = performance.now();
    drawn += 1;
    stats.t.push(end);
    stats.decodeMs.push(end - start);
    if (stats.t.length > STATS_FRAMES) (stats.t.shift(), stats.decodeMs.shift());
    showReadout();
  }

  function moveTo(event) {
    const r = pad.getBoundingClientRect();
    pointer = [clamp(event.clientX - r.left), clamp(event.clientY - r.top)];
    z[dx] = toZ(pointer[0], false);
    z[dy] = toZ(pointer[1], true);
    dirty = true;
  }
  function reset() {
    pointer = null;
    z.set(base);
    dirty = true;
  }

  const handlers = {
    pointerdown: (e) => {
      if (e.button !== 0) return;
      dragging = true;
      pad.setPointerCapture(e.pointerId);
      moveTo(e);
    },
    pointermove: (e) => moveTo(e), // hovering previews too; only a release commits
    pointerup: (e) => {
      if (!dragging) return;
      dragging = false;
      moveTo(e);
      setTriggerValue("release", Array.from(z));
    },
    pointercancel: () => ((dragging = false), reset()),
    pointerleave: () => dragging || reset(),
  };
  for (const [type, fn] of Object.entries(handlers)) pad.addEventListener(type, fn);

  slot(data.model).ready
    .then((ready) => {
      if (!alive) return;
      if (ready.latentDim !== base.length) throw new Error(`latent pad: decoder takes ${ready.latentDim} dims`);
      net = ready;
      status.hidden = true;
      dirty = true;
      // For tests and benchmarks only: read-only access to the decoder and the frame statistics.
      window.vaePad = api = {
        model: net.id,
        decode: (code) => Array.from(decode(net, Float32Array.from(code))),
        stats: () => ({ drawn, t: [...stats.t], decodeMs: [...stats.decodeMs], fps: Number(fpsText.dataset.fps) }),
        resetStats: () => (stats = { t: [], decodeMs: [] }),
      };
    })
    .catch((err) => {
      status.textContent = String(err.message || err);
      status.hidden = false;
    });
  root.querySelector(".vae-pad").hidden = false;
  fpsText.textContent = ""; // the markup outlives a remount: no figures from the previous pad
  fpsText.dataset.fps = "0";
  raf = requestAnimationFrame(frame);

  return () => {
    alive = false;
    cancelAnimationFrame(raf);
    for (const [type, fn] of Object.entries(handlers)) pad.removeEventListener(type, fn);
    if (api && window.vaePad === api) delete window.vaePad;
  };
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  if (data instanceof Uint8Array) {
    parentElement.querySelector(".vae-pad")?.remove(); // the weights mount shows nothing
    return receiveWeights(data);
  }
  if (data) return mountPad(data, parentElement, setTriggerValue);
}
