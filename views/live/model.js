// The VAE in the browser: one copy of each model's weights, shared by every live element of the page.
//
// The weights arrive once per network as bytes (see vae_core/export.py browser_message, the one owner of the
// format): the decoder for every live picture, the encoder only where a drawing is encoded. They are kept in
// `models` by their sha1; an element names the networks it needs and waits for them.
// Plain functions, no exports: views/live/__init__.py joins the files of this folder into one module, and the
// parity tests (tests/test_live_js.py) run this file and kernel.js under node.

const MODEL_MAGIC = "VAEm";
const KEEP_MODELS = 8; // weights of this many networks (a decoder, an encoder) stay in memory

const models = new Map(); // sha1 -> {ready: Promise<network>, resolve, reject, settled}

function modelSlot(id) {
  if (!models.has(id)) {
    const s = {};
    s.ready = new Promise((resolve, reject) => Object.assign(s, { resolve, reject }));
    models.set(id, s);
    for (const old of models.keys()) if (models.size > KEEP_MODELS) models.delete(old);
  }
  return models.get(id);
}

// Python mounts a model's bytes once per session, then on every run {kind: "model", model: sha1, run} (a new `run`
// each time, so this check runs on each; views/live/__init__.py). Where this page lacks that network (evicted
// above, or its bytes never arrived because a quick rerun replaced them), it says so, and Python mounts the bytes
// in the run that follows. Not for a network whose bytes failed to load (settled): they would fail again.
function checkModel(data, setTriggerValue) {
  if (!models.get(data.model)?.settled) setTriggerValue("lacking", data.model);
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

// bytes: "VAEm", uint32 header length, JSON header (padded to 4 bytes), float32 payload: one network, the
// decoder or the encoder (per layer: W (out, in) row-major, then b).
function parseModel(bytes) {
  const head = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (magic !== MODEL_MAGIC) throw new Error(`VAE: weights message starts with ${magic}, not ${MODEL_MAGIC}`);
  const headerLength = head.getUint32(4, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  const act = ACTIVATIONS[header.activation];
  if (!act) {
    const known = Object.keys(ACTIVATIONS).join(", ");
    throw new Error(`VAE: activation "${header.activation}" is not implemented (known: ${known})`);
  }
  // A copy: the message's bytes may start at any offset, and Float32Array needs 4-byte alignment.
  // Float32Array reads the platform's byte order; every browser platform is little-endian, like the payload.
  const floats = new Float32Array(bytes.slice(8 + headerLength).buffer);
  let at = 0;
  const layers = header.layers.map(([nIn, nOut]) => {
    const W = floats.subarray(at, (at += nIn * nOut));
    const b = floats.subarray(at, (at += nOut));
    return { nIn, nOut, W, b };
  });
  if (at !== floats.length) throw new Error(`VAE: ${floats.length} weights for layers needing ${at}`);
  // kernel.js: the same layers for WebAssembly SIMD, where the browser has it (null otherwise).
  return { id: header.sha1, part: header.part, latentDim: header.latent_dim, act, layers, fast: wasmNet(layers) };
}

const scratch = new Map(); // size -> Float32Array, reused between frames (no garbage while dragging)
function buffer(tag, size) {
  const name = `${tag}:${size}`;
  if (!scratch.has(name)) scratch.set(name, new Float32Array(size));
  return scratch.get(name);
}

// One MLP over n inputs at once (x: n * nIn, row after row): act(W x + b) per hidden layer; the last layer is
// left linear. Four inputs share each pass over a weight row, so the weights are read n / 4 times, not n.
// Sums run in float64 (JS numbers); each layer's output is stored in float32 like torch's.
function runMlp(layers, act, x, n, tag) {
  layers.forEach(({ nIn, nOut, W, b }, i) => {
    const last = i === layers.length - 1;
    const out = buffer(`${tag}${i}`, n * nOut);
    for (let s = 0; s < n; s += 4) {
      const m = Math.min(4, n - s);
      const x0 = s * nIn;
      const x1 = x0 + (m > 1 ? nIn : 0);
      const x2 = x0 + (m > 2 ? 2 * nIn : 0);
      const x3 = x0 + (m > 3 ? 3 * nIn : 0);
      for (let o = 0, row = 0; o < nOut; o++, row += nIn) {
        let s0 = b[o], s1 = s0, s2 = s0, s3 = s0; // prettier-ignore
        for (let j = 0; j < nIn; j++) {
          const w = W[row + j];
          s0 += w * x[x0 + j];
          s1 += w * x[x1 + j];
          s2 += w * x[x2 + j];
          s3 += w * x[x3 + j];
        }
        const at = s * nOut + o;
        out[at] = last ? s0 : act(s0);
        if (m > 1) out[at + nOut] = last ? s1 : act(s1);
        if (m > 2) out[at + 2 * nOut] = last ? s2 : act(s2);
        if (m > 3) out[at + 3 * nOut] = last ? s3 : act(s3);
      }
    }
    x = out;
  });
  return x;
}

// One network over n inputs: the WebAssembly kernel when there is one (MAX_BATCH inputs at a time: the manifold's
// grid has up to 900), else runMlp.
function runNet(net, x, n, tag) {
  if (!net.fast) return runMlp(net.layers, net.act, x, n, tag);
  if (n <= MAX_BATCH) return runWasm(net.fast, net.act, x, n, tag);
  const [nIn, nOut] = [net.layers[0].nIn, net.layers[net.layers.length - 1].nOut];
  const out = buffer(`${tag}all`, n * nOut);
  for (let s = 0; s < n; s += MAX_BATCH) {
    const m = Math.min(MAX_BATCH, n - s);
    out.set(runWasm(net.fast, net.act, x.subarray(s * nIn, (s + m) * nIn), m, tag), s * nOut);
  }
  return out;
}

// codes: n * latentDim -> n * 784 pixel probabilities (sigmoid of the logits), valid until the next call.
function decodeCodes(decoder, codes, n) {
  const logits = runNet(decoder, codes, n, "dec");
  const probs = buffer("probs", n * 784);
  for (let i = 0; i < n * 784; i++) probs[i] = 1 / (1 + Math.exp(-logits[i]));
  return probs;
}

// x: 784 grey levels in [0, 1] -> {mu, logvar} of q(z|x), as VAE.encode.
function encodeImage(encoder, x) {
  const out = runNet(encoder, x, 1, "enc");
  const d = encoder.latentDim;
  return { mu: Float32Array.from(out.subarray(0, d)), logvar: Float32Array.from(out.subarray(d, 2 * d)) };
}
