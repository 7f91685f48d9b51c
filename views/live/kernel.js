// A WebAssembly SIMD kernel for the MLP layers: y = W x + b for four inputs at a time, four outputs per f32x4.
// About 3x the plain JavaScript loop (runMlp in model.js), which stays as the path where WebAssembly SIMD is
// missing. Written here as bytes, assembled below, so the app needs no build step; the parity tests run it.
//
// mm(W, X, B, Out, nIn, nOut, n): all sizes multiples of 4, pointers in bytes into the imported memory.
// W is in panels: for each block of 4 outputs, nIn rows of 4 weights ((o / 4) * nIn + j) * 4 + o % 4;
// X holds n rows of nIn inputs, Out n rows of nOut outputs. Sums are float32 (like torch's), in input order.

const OP = {
  get: 0x20, set: 0x21, tee: 0x22, i32: 0x41, add: 0x6a, mul: 0x6c, geu: 0x4f, block: 0x02, loop: 0x03,
  br: 0x0c, brIf: 0x0d, end: 0x0b, f32load: 0x2a,
};
const SIMD = { load: [0xfd, 0x00], store: [0xfd, 0x0b], splat: [0xfd, 0x13], add: [0xfd, 0xe4, 0x01], mul: [0xfd, 0xe6, 0x01] };

function leb(n) {
  const out = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
}
const sleb = (n) => (n < 64 ? [n] : leb(n)); // small non-negative i32.const values only
const vec = (items) => [...leb(items.length), ...items.flat()];
const str = (s) => vec([...s].map((c) => c.charCodeAt(0)));
const section = (id, bytes) => [id, ...leb(bytes.length), ...bytes];

function kernelBytes() {
  // params: W 0, X 1, B 2, Out 3, nIn 4, nOut 5, n 6; i32 locals: s 7, o 8, jb 9, wp 10, x0..x3 11-14, outp 15,
  // rowIn 16 (nIn * 4), rowOut 17 (nOut * 4); v128 locals: a0..a3 18-21, w 22.
  const [W, X, B, OUT, NIN, NOUT, N, S, O, JB, WP, X0, X1, X2, X3, OUTP, ROWIN, ROWOUT] = [...Array(18).keys()];
  const A = [18, 19, 20, 21];
  const WV = 22;
  const get = (i) => [OP.get, i];
  const set = (i) => [OP.set, i];
  const c = (v) => [OP.i32, ...sleb(v)];
  const body = [
    ...get(NIN), ...c(4), OP.mul, ...set(ROWIN),
    ...get(NOUT), ...c(4), OP.mul, ...set(ROWOUT),
    ...c(0), ...set(S),
    OP.block, 0x40, OP.loop, 0x40, // samples, four at a time
    ...get(S), ...get(N), OP.geu, OP.brIf, 1,
    ...get(X), ...get(S), ...get(ROWIN), OP.mul, OP.add, OP.tee, X0,
    ...get(ROWIN), OP.add, OP.tee, X1, ...get(ROWIN), OP.add, OP.tee, X2, ...get(ROWIN), OP.add, ...set(X3),
    ...get(W), ...set(WP), ...c(0), ...set(O),
    OP.block, 0x40, OP.loop, 0x40, // outputs, four at a time
    ...get(O), ...get(NOUT), OP.geu, OP.brIf, 1,
    ...get(B), ...get(O), ...c(4), OP.mul, OP.add, ...SIMD.load, 4, 0, OP.tee, A[0], ...set(A[1]),
    ...get(A[0]), ...set(A[2]), ...get(A[0]), ...set(A[3]),
    ...c(0), ...set(JB),
    OP.block, 0x40, OP.loop, 0x40, // inputs, one at a time
    ...get(JB), ...get(ROWIN), OP.geu, OP.brIf, 1,
    ...get(WP), ...SIMD.load, 4, 0, ...set(WV),
    ...[X0, X1, X2, X3].flatMap((x, k) => [
      ...get(A[k]), ...get(WV), ...get(x), ...get(JB), OP.add, OP.f32load, 2, 0, ...SIMD.splat, ...SIMD.mul,
      ...SIMD.add, ...set(A[k]),
    ]),
    ...get(WP), ...c(16), OP.add, ...set(WP),
    ...get(JB), ...c(4), OP.add, ...set(JB),
    OP.br, 0, OP.end, OP.end,
    ...get(OUT), ...get(S), ...get(ROWOUT), OP.mul, OP.add, ...get(O), ...c(4), OP.mul, OP.add, ...set(OUTP),
    ...[0, 1, 2, 3].flatMap((k) => [
      ...get(OUTP), ...(k ? [...get(ROWOUT), ...c(k), OP.mul, OP.add] : []), ...get(A[k]), ...SIMD.store, 4, 0,
    ]),
    ...get(O), ...c(4), OP.add, ...set(O),
    OP.br, 0, OP.end, OP.end,
    ...get(S), ...c(4), OP.add, ...set(S),
    OP.br, 0, OP.end, OP.end,
    OP.end,
  ];
  const locals = vec([[...leb(11), 0x7f], [...leb(5), 0x7b]]);
  const code = [...locals, ...body];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...vec(Array(7).fill(0x7f)), 0x00]])),
    ...section(2, vec([[...str("env"), ...str("memory"), 0x02, 0x00, 0x01]])),
    ...section(3, vec([[0x00]])),
    ...section(7, vec([[...str("mm"), 0x00, 0x00]])),
    ...section(10, vec([[...leb(code.length), ...code]])),
  ]);
}

const KERNEL = (() => {
  try {
    const bytes = kernelBytes();
    return WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  } catch {
    return null;
  }
})();

const MAX_BATCH = 64; // the largest grid; more inputs at once go through runMlp
const ceil4 = (v) => Math.ceil(v / 4) * 4;

// The model's layers laid out for mm() in a memory of its own, with room for MAX_BATCH inputs; null without SIMD.
function wasmNet(layers) {
  if (!KERNEL) return null;
  let bytes = 0;
  const placed = layers.map(({ nIn, nOut, W, b }) => {
    const [pIn, pOut] = [ceil4(nIn), ceil4(nOut)];
    const at = { nIn, nOut, pIn, pOut, w: bytes, b: bytes + 4 * pIn * pOut };
    bytes = at.b + 4 * pOut;
    return { ...at, W, bias: b };
  });
  const widest = Math.max(...placed.map((l) => Math.max(l.pIn, l.pOut)));
  const bufA = bytes;
  const bufB = bufA + 4 * MAX_BATCH * widest;
  const total = bufB + 4 * MAX_BATCH * widest;
  const memory = new WebAssembly.Memory({ initial: Math.ceil(total / 65536) });
  const { mm } = new WebAssembly.Instance(KERNEL, { env: { memory } }).exports;
  const f = new Float32Array(memory.buffer);
  for (const l of placed) {
    for (let o = 0; o < l.nOut; o++)
      for (let j = 0; j < l.nIn; j++) f[l.w / 4 + ((o >> 2) * l.pIn + j) * 4 + (o & 3)] = l.W[o * l.nIn + j];
    f.set(l.bias, l.b / 4);
  }
  return { layers: placed, mm, f, bufA, bufB };
}

// As runMlp (model.js), on the kernel: n inputs (rows of nIn) -> n rows of the last layer's outputs.
function runWasm(net, act, x, n, tag) {
  const { layers, mm, f } = net;
  const n4 = ceil4(n);
  let [from, to] = [net.bufA, net.bufB];
  const first = layers[0];
  f.fill(0, from / 4, from / 4 + n4 * first.pIn);
  for (let s = 0; s < n; s++) f.set(x.subarray(s * first.nIn, (s + 1) * first.nIn), from / 4 + s * first.pIn);
  layers.forEach((l, i) => {
    mm(l.w, from, l.b, to, l.pIn, l.pOut, n4);
    if (i < layers.length - 1) for (let k = to / 4, end = k + n4 * l.pOut; k < end; k++) f[k] = act(f[k]);
    [from, to] = [to, from];
  });
  const last = layers[layers.length - 1];
  const out = buffer(`${tag}out`, n * last.nOut);
  for (let s = 0; s < n; s++) out.set(f.subarray(from / 4 + s * last.pOut, from / 4 + s * last.pOut + last.nOut), s * last.nOut);
  return out;
}
