// Draw and watch the encoder: on every stroke the drawing is made MNIST-like, encoded, and its posterior
// (mu and the 1-sigma ellipse) moves over the latent map of the 10,000 test digits, beside its reconstruction.
//
// The preprocessing is vae_core/drawing.py step for step (tests/test_live_js.py checks they agree):
// crop to the ink, Lanczos into 20 x 20 (Pillow's filter on float32), centre by mass in 28 x 28, 8 bits.

const CANVAS_PX = 280; // as vae_core.drawing.CANVAS_PX
const STROKE_PX = 18; // about MNIST's stroke width at 10x
const MAP_PX = 280;
const POINTS_MAGIC = "VAEp";
const roundHalfUp = (x) => Math.floor(x + 0.5);

function lanczos(x) {
  const sinc = (v) => (v === 0 ? 1 : Math.sin(Math.PI * v) / (Math.PI * v));
  return x >= -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0;
}

// Pillow's precompute_coeffs (libImaging/Resample.c) for one axis: per output pixel its first input and weights.
function lanczosCoeffs(inSize, outSize) {
  const scale = inSize / outSize;
  const filterscale = Math.max(scale, 1);
  const support = 3 * filterscale;
  const out = [];
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    const k = [];
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const w = lanczos((x + xmin - center + 0.5) / filterscale);
      k.push(w);
      ww += w;
    }
    out.push({ xmin, k: ww !== 0 ? k.map((w) => w / ww) : k });
  }
  return out;
}

// ink (h * w, float) -> (outH * outW) float32, horizontal pass first like Pillow, each pass stored in float32.
function resizeLanczos(ink, w, h, outW, outH) {
  const tmp = new Float32Array(h * outW);
  if (outW !== w) {
    const cx = lanczosCoeffs(w, outW);
    for (let y = 0; y < h; y++)
      for (let xx = 0; xx < outW; xx++) {
        const { xmin, k } = cx[xx];
        let ss = 0;
        for (let x = 0; x < k.length; x++) ss += ink[y * w + x + xmin] * k[x];
        tmp[y * outW + xx] = ss;
      }
  } else tmp.set(ink);
  if (outH === h) return tmp;
  const out = new Float32Array(outH * outW);
  const cy = lanczosCoeffs(h, outH);
  for (let yy = 0; yy < outH; yy++) {
    const { xmin, k } = cy[yy];
    for (let xx = 0; xx < outW; xx++) {
      let ss = 0;
      for (let y = 0; y < k.length; y++) ss += tmp[(y + xmin) * outW + xx] * k[y];
      out[yy * outW + xx] = ss;
    }
  }
  return out;
}

// ink: Float32Array (h * w) in [0, 1] -> {x: 784 grey levels (8-bit values / 255), wide}, or null when blank.
function drawingToMnist(ink, w, h) {
  let top = h, bottom = -1, left = w, right = -1; // prettier-ignore
  for (let r = 0; r < h; r++)
    for (let c = 0; c < w; c++)
      if (ink[r * w + c] > 0) {
        if (r < top) top = r;
        if (r > bottom) bottom = r;
        if (c < left) left = c;
        if (c > right) right = c;
      }
  if (bottom < 0) return null;
  const ch = bottom - top + 1;
  const cw = right - left + 1;
  const cropped = new Float32Array(ch * cw);
  for (let r = 0; r < ch; r++) cropped.set(ink.subarray((top + r) * w + left, (top + r) * w + left + cw), r * cw);
  const s = 20 / Math.max(ch, cw);
  const pw = Math.max(1, Math.min(20, roundHalfUp(cw * s)));
  const ph = Math.max(1, Math.min(20, roundHalfUp(ch * s)));
  const patch = resizeLanczos(cropped, cw, ch, pw, ph).map((v) => Math.min(1, Math.max(0, v)));
  let mass = 0, rowMoment = 0, colMoment = 0; // prettier-ignore
  const rowSums = new Float64Array(ph);
  const colSums = new Float64Array(pw);
  for (let r = 0; r < ph; r++)
    for (let c = 0; c < pw; c++) {
      rowSums[r] += patch[r * pw + c];
      colSums[c] += patch[r * pw + c];
    }
  for (let r = 0; r < ph; r++) (mass += rowSums[r]), (rowMoment += rowSums[r] * r);
  for (let c = 0; c < pw; c++) colMoment += colSums[c] * c;
  if (mass <= 0) return null;
  const y0 = Math.min(Math.max(roundHalfUp(14 - rowMoment / mass), 0), 28 - ph);
  const x0 = Math.min(Math.max(roundHalfUp(14 - colMoment / mass), 0), 28 - pw);
  const x = new Float32Array(784);
  for (let r = 0; r < ph; r++)
    for (let c = 0; c < pw; c++) x[(y0 + r) * 28 + x0 + c] = Math.floor(patch[r * pw + c] * 255 + 0.5) / 255;
  return { x, wide: cw > 1.8 * ch };
}

const drawMemory = new Map(); // element key -> {strokes, baseImage, url}: see mountDraw
// id -> {ready: Promise<points>}: the test digits' mu for the drawing's map (per model and dims), the latent map's
// points (scatter.js)
const pointSets = new Map();

// bytes: "VAEp", uint32 header length, JSON header {id, count, dim, cov, glyph, ...} padded to 4 bytes, float32
// (x, y) per point (dim coordinates: the drawing's map has every latent dimension), with cov float32 (xx, xy, yy)
// per point, one uint8 label per point, then with glyph = s, ten s x s uint8 glyph masks (views/live
// points_message). Resolves its slot with {xy, cov, labels, glyphs, ...header}, also kept as the slot's value.
function receivePoints(bytes) {
  const head = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = head.getUint32(4, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  const body = bytes.slice(8 + headerLength).buffer;
  const n = header.count;
  const xyBytes = 4 * header.dim * n;
  const xy = new Float32Array(body, 0, header.dim * n);
  const cov = header.cov ? new Float32Array(body, xyBytes, 3 * n) : null;
  const labels = new Uint8Array(body, xyBytes + (header.cov ? 12 * n : 0), n);
  const glyphs = header.glyph ? new Uint8Array(body, labels.byteOffset + n, 10 * header.glyph ** 2) : null;
  const slot = pointSlot(header.id);
  slot.value = { ...header, xy, cov, labels, glyphs }; // for a caller that must draw in this task (scatter.js)
  slot.resolve(slot.value);
}
function pointSlot(id) {
  if (!pointSets.has(id)) {
    const s = {};
    s.ready = new Promise((resolve, reject) => Object.assign(s, { resolve, reject }));
    pointSets.set(id, s);
    for (const old of pointSets.keys()) if (pointSets.size > KEEP_MODELS) pointSets.delete(old);
  }
  return pointSets.get(id);
}

const DRAW_HTML = `<div class="vae-live vae-draw">
  <div class="vae-draw-column">
    <canvas class="vae-draw-canvas" role="img"
      aria-label="drawing canvas: draw one digit with the mouse, a finger or a pen"></canvas>
    <div class="vae-draw-tools"><button type="button" class="vae-undo">Undo</button>
      <button type="button" class="vae-clear">Clear</button></div>
  </div>
  <figure class="vae-draw-map"><canvas role="img"></canvas><figcaption></figcaption></figure>
  <figure class="vae-draw-recon"><canvas width="28" height="28" role="img"></canvas>
    <figcaption>reconstruction of your drawing, decoded from mu as you draw</figcaption></figure>
</div>`;

function mountDraw(data, root, setStateValue) {
  const box = mountInto(root, DRAW_HTML);
  const [pad, mapCanvas, reconCanvas] = box.querySelectorAll("canvas");
  const mapCaption = box.querySelector(".vae-draw-map figcaption");
  let [dx, dy] = data.dims; // the map's axes: they follow the group's live selects (data.keys) at once
  pad.width = pad.height = CANVAS_PX;
  mapCanvas.width = mapCanvas.height = MAP_PX;
  const ctx = pad.getContext("2d", { willReadFrequently: true });
  const mapCtx = mapCanvas.getContext("2d");
  const reconCtx = reconCanvas.getContext("2d");
  const reconImage = new ImageData(28, 28);
  const ink = new Float32Array(CANVAS_PX * CANVAS_PX);
  const nameMap = () => {
    mapCaption.textContent = `posterior of your drawing (mu and its 1-sigma ellipse, red) over the mu of the 10,000 test digits, coloured by label as on the Latent map, z${dx} across, z${dy} up`;
  };
  nameMap();

  let model = null; // the decoder
  let encoder = null;
  let points = null; // {xy, dim, labels, lows, highs}, with the scatter over the axes last drawn: {scatter}
  // The strokes outlive a remount (each stroke's end reruns the page with the new drawing in `data`): kept per
  // element while the drawing Python holds is the one this canvas sent; else it starts from Python's drawing.
  const kept = drawMemory.get(data.key);
  const fresh = !kept || kept.url !== data.drawing;
  const memory = fresh ? { strokes: [], baseImage: null, url: data.drawing } : kept;
  drawMemory.set(data.key, memory);
  let drawing = false;
  let dirty = true;
  const loop = frameLoop(frame);
  // Strokes are drawn once per animation frame; another axis chosen (`now`) in the choice's task.
  const redraw = (now = false) => {
    dirty = true;
    if (now === true) frame();
    else loop.invalidate();
  };
  // Two equal dimensions leave the map dimmed until the rerun says to choose others.
  const group = data.group ? liveGroup(data.group) : null;
  const followAxes = (now) => {
    const [x, y] = data.keys.map((key, i) => Number(group.values.get(key) ?? [dx, dy][i]));
    box.classList.toggle("vae-draw-stale", x === y);
    if (x === y || (x === dx && y === dy)) return;
    [dx, dy] = [x, y];
    nameMap();
    redraw(now);
  };
  group?.listeners.add(followAxes);
  let alive = true;

  function paintStrokes() {
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, CANVAS_PX, CANVAS_PX);
    if (memory.baseImage) ctx.drawImage(memory.baseImage, 0, 0);
    Object.assign(ctx, { strokeStyle: "#fff", lineWidth: STROKE_PX, lineCap: "round", lineJoin: "round" });
    for (const s of memory.strokes) {
      ctx.beginPath();
      ctx.moveTo(s[0][0], s[0][1]);
      for (const [x, y] of s) ctx.lineTo(x, y);
      if (s.length === 1) ctx.lineTo(s[0][0] + 0.01, s[0][1]); // a dot
      ctx.stroke();
    }
  }
  const toCanvas = (e) => {
    const r = pad.getBoundingClientRect();
    return [((e.clientX - r.left) * CANVAS_PX) / r.width, ((e.clientY - r.top) * CANVAS_PX) / r.height];
  };
  function send() {
    memory.url = memory.strokes.length || memory.baseImage ? pad.toDataURL("image/png") : ""; // "": cleared
    setStateValue("drawing", memory.url);
  }

  function paintMap(q) {
    // One span for both axes: from the lower of their lows to the higher of their highs, and 5% more each side.
    const [low, high] = [Math.min(points.lows[dx], points.lows[dy]), Math.max(points.highs[dx], points.highs[dy])];
    const [lo, hi] = [low - 0.05 * (high - low), high + 0.05 * (high - low)];
    const toX = (v) => ((v - lo) / (hi - lo)) * MAP_PX;
    const toY = (v) => ((hi - v) / (hi - lo)) * MAP_PX;
    const key = `${dx},${dy}`;
    if (points.scatter?.key !== key) { // the test digits over these axes, drawn once and kept with the points
      const canvas = document.createElement("canvas");
      canvas.width = canvas.height = MAP_PX;
      const s = canvas.getContext("2d");
      s.fillStyle = "#ffffff";
      s.fillRect(0, 0, MAP_PX, MAP_PX);
      const { xy, dim, labels } = points;
      for (let i = 0; i < labels.length; i++) {
        s.fillStyle = data.colours[labels[i]]; // the app's class colours (vae_core.render.CLASS_COLOURS)
        s.fillRect(toX(xy[dim * i + dx]) - 0.75, toY(xy[dim * i + dy]) - 0.75, 1.5, 1.5);
      }
      points.scatter = { key, canvas };
    }
    mapCtx.drawImage(points.scatter.canvas, 0, 0);
    if (!q) {
      mapCanvas.setAttribute("aria-label", `latent map of the 10,000 test digits over z${dx} and z${dy}; draw to place yours`);
      return;
    }
    const sx = Math.exp(0.5 * q.logvar[dx]);
    const sy = Math.exp(0.5 * q.logvar[dy]);
    const [cx, cy] = [toX(q.mu[dx]), toY(q.mu[dy])];
    const scale = MAP_PX / (hi - lo);
    Object.assign(mapCtx, { strokeStyle: "#ff4b4b", lineWidth: 2.5 });
    mapCtx.beginPath();
    mapCtx.ellipse(cx, cy, Math.max(1, sx * scale), Math.max(1, sy * scale), 0, 0, 2 * Math.PI);
    mapCtx.stroke();
    mapCtx.fillStyle = "#ff4b4b";
    mapCtx.beginPath();
    mapCtx.arc(cx, cy, 4, 0, 2 * Math.PI);
    mapCtx.fill();
    mapCanvas.setAttribute("aria-label", `latent map of the 10,000 test digits over z${dx} and z${dy}: your drawing's ` +
      `mu = (${q.mu[dx].toFixed(2)}, ${q.mu[dy].toFixed(2)}), sigma = (${sx.toFixed(2)}, ${sy.toFixed(2)})`);
  }

  function frame() {
    if (!dirty || !model || !encoder || !points) return;
    dirty = false;
    const start = performance.now();
    const pixels = ctx.getImageData(0, 0, CANVAS_PX, CANVAS_PX).data;
    for (let i = 0; i < ink.length; i++) ink[i] = pixels[4 * i] / 255; // the red channel, as drawing.canvas_ink
    const input = drawingToMnist(ink, CANVAS_PX, CANVAS_PX);
    const q = input && encodeImage(encoder, input.x);
    paintMap(q);
    if (q) {
      paintGrid(reconImage, decodeCodes(model, q.mu, 1), 1, 1);
      reconCtx.putImageData(reconImage, 0, 0);
      reconCanvas.setAttribute("aria-label", `reconstruction of your drawing from mu, z${dx} = ${q.mu[dx].toFixed(2)}, z${dy} = ${q.mu[dy].toFixed(2)}`);
      window.vaeLive.drawing = { x: Array.from(input.x), mu: Array.from(q.mu), logvar: Array.from(q.logvar) };
    } else {
      reconCtx.clearRect(0, 0, 28, 28);
      reconCanvas.setAttribute("aria-label", "reconstruction: nothing drawn yet");
      window.vaeLive.drawing = null;
    }
    lastFrameAt = performance.now(); // benchmarks/bench_browser.py: the picture is on screen from the next frame
    recordFrame(liveGroup("draw").stats, start, performance.now());
  }

  const handlers = {
    pointerdown: (e) => {
      if (e.button !== 0) return;
      drawing = true;
      pad.setPointerCapture(e.pointerId);
      memory.strokes.push([toCanvas(e)]);
      paintStrokes();
      redraw();
    },
    pointermove: (e) => {
      if (!drawing) return;
      memory.strokes[memory.strokes.length - 1].push(toCanvas(e));
      // The whole drawing painted again, each stroke one path, as after a remount: a segment drawn on its own
      // over the last would rasterise its joint a little differently, and the rerun's encoder (and map) would
      // then read other pixels than the ones drawn here.
      paintStrokes();
      redraw();
    },
    pointerup: () => {
      if (!drawing) return;
      drawing = false;
      send();
    },
    pointercancel: () => (drawing = false),
  };
  for (const [type, fn] of Object.entries(handlers)) pad.addEventListener(type, fn);
  box.querySelector(".vae-undo").addEventListener("click", () => {
    if (memory.strokes.length) memory.strokes.pop();
    else memory.baseImage = null;
    paintStrokes();
    redraw();
    send();
  });
  box.querySelector(".vae-clear").addEventListener("click", () => {
    memory.strokes = [];
    memory.baseImage = null;
    paintStrokes();
    redraw();
    send();
  });

  paintStrokes();
  if (fresh && data.drawing) {
    const img = new Image();
    img.onload = () => {
      memory.baseImage = img;
      if (!alive) return;
      paintStrokes();
      redraw();
    };
    img.src = data.drawing;
  }
  const needed = [modelSlot(data.model).ready, modelSlot(data.encoder).ready, pointSlot(data.points).ready];
  Promise.all(needed).then(([d, e, p]) => {
    if (!alive) return;
    [model, encoder, points] = [d, e, p];
    redraw();
    markReady(box);
  }, () => {});
  redraw();
  return () => {
    alive = false;
    loop.stop();
    group?.listeners.delete(followAxes);
  };
}
