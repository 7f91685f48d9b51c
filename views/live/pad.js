// Latent pad: the picture follows the pointer over two latent dimensions, decoded here on every frame.
//
// Ways to choose a code (WCAG 2.2 SC 2.5.7, a single-pointer alternative to dragging): drag and release; click or
// tap a point; or focus the pad and move with the arrow keys (Shift: finer), then Enter or Space keeps the code.

const PAD_PX = 320; // drawing units of the pad; on screen it may be smaller (a phone), see toPadPx
const READOUT_FRAMES = 30; // the on-screen fps is measured over this many frames
const KEY_STEP = 0.05; // share of the range one arrow key press moves (Shift: a fifth of it)
const BACKDROP_CELLS = 10; // the decoded digits behind the pad: a BACKDROP_CELLS x BACKDROP_CELLS grid of its points
const BACKDROP_ALPHA = 0.5; // faint enough that the ring, the pointer and the axes stay the first thing seen
const POINT_COLOUR = "rgba(120, 220, 255, 0.3)"; // the test digits' mu: one colour (the backdrop names the classes)
const POINT_PX = 1.2; // a dot's side, in pad units

const PAD_HTML = `<div class="vae-pad">
  <div class="vae-pad-preview">
    <canvas class="preview" width="28" height="28" role="img"></canvas>
    <div class="vae-pad-caption">decoded live in your browser</div>
  </div>
  <div class="vae-pad-column">
    <div class="vae-pad-axes"></div>
    <canvas class="pad" tabindex="0" role="application"
      aria-roledescription="latent pad" aria-describedby="vae-pad-help"></canvas>
    <div class="vae-pad-readout"><span class="z" aria-live="polite"></span><span class="fps" data-fps="0"></span></div>
    <div class="vae-pad-help" id="vae-pad-help">Drag, or click a point, to decode it; release or click to keep it.
      With the keyboard: arrow keys move (Shift: finer), Enter keeps.</div>
  </div>
  <div class="status">Loading the decoder…</div>
</div>`;

function mountPad(data, root, setTriggerValue) {
  const box = mountInto(root, PAD_HTML);
  const el = (cls) => box.querySelector(`.${cls}`);
  const [pad, preview, zText, fpsText, status] = ["pad", "preview", "z", "fps", "status"].map(el);
  // Its axes follow the live controls of its group (data.keys: the two dimensions' selects and the range slider)
  // before the release's rerun mounts it anew with the same.
  let [dx, dy] = data.dims;
  let [lo, hi] = data.range;
  let backdrop = data.backdrop === true; // the decoded digits behind the pad: a live switch of the group (keys[3])
  let backdropDrawn = null; // {key, canvas}: the backdrop last decoded, kept while its axes, range and base hold
  let showPoints = data.showPoints === true; // the test digits' mu as dots (a 2-D model's): a live switch (keys[4])
  let points = null; // {xy, dim, count}, once data.points has arrived (draw.js receivePoints)
  let pointsDrawn = null; // {key, canvas}: the dots over the axes and range last drawn
  const base = Float32Array.from(data.base);
  const z = Float32Array.from(base);
  const image = new ImageData(28, 28);
  const px = preview.getContext("2d");
  const ctx = pad.getContext("2d");
  // drawn at up to 1.25x its units (presenter mode shows it 380 px wide), so it stays sharp there too
  const scale = (window.devicePixelRatio || 1) * 1.25;
  pad.width = pad.height = Math.round(PAD_PX * scale);
  ctx.scale(scale, scale);

  let model = null;
  let pointer = null; // [x, y] in pad units, or null when the pointer is away
  let dragging = false;
  let dirty = true;
  const loop = frameLoop(frame);
  // Pointer moves are drawn once per animation frame; a press of one of the axes' controls (`now`) in its task.
  const redraw = (now = false) => {
    dirty = true;
    if (now === true) frame();
    else loop.invalidate();
  };
  let alive = true; // false once Streamlit unmounts or remounts this pad
  let api = null; // what this pad put on window.vaePad
  let stats = newStats();

  const toPx = (v, flip) => ((flip ? hi - v : v - lo) / (hi - lo)) * PAD_PX;
  const toZ = (p, flip) => (flip ? hi - (p / PAD_PX) * (hi - lo) : lo + (p / PAD_PX) * (hi - lo));
  const clamp = (v) => Math.min(PAD_PX, Math.max(0, v));
  const describe = () => `z${dx} = ${z[dx].toFixed(2)}, z${dy} = ${z[dy].toFixed(2)}`;

  // What the decoder makes of each cell's centre, the other dimensions at the base: the pad's own picture at that
  // point, so the pointer's preview there is that cell's digit. Decoded again only when its axes, its range or
  // (with more than two dimensions, a slice through the base) the base change.
  function backdropCanvas() {
    const key = [dx, dy, lo, hi, ...(base.length > 2 ? base : [])].join(",");
    if (backdropDrawn?.key === key) return backdropDrawn.canvas;
    const n = BACKDROP_CELLS;
    const codes = new Float32Array(n * n * base.length);
    for (let row = 0; row < n; row++)
      for (let col = 0; col < n; col++) {
        const code = codes.subarray((row * n + col) * base.length, (row * n + col + 1) * base.length);
        code.set(base);
        code[dx] = lo + ((col + 0.5) / n) * (hi - lo);
        code[dy] = hi - ((row + 0.5) / n) * (hi - lo);
      }
    const tiles = new ImageData(28 * n, 28 * n);
    paintGrid(tiles, decodeCodes(model, codes, n * n), n * n, n, 0);
    const canvas = backdropDrawn?.canvas ?? document.createElement("canvas");
    canvas.width = canvas.height = 28 * n;
    canvas.getContext("2d").putImageData(tiles, 0, 0);
    backdropDrawn = { key, canvas };
    return canvas;
  }

  // A dot at each test digit's mu inside the range, drawn at the pad's resolution once per axes and range.
  function pointsCanvas() {
    const key = [dx, dy, lo, hi].join(",");
    if (pointsDrawn?.key === key) return pointsDrawn.canvas;
    const canvas = pointsDrawn?.canvas ?? document.createElement("canvas");
    canvas.width = canvas.height = pad.width;
    const c = canvas.getContext("2d");
    c.scale(scale, scale);
    c.fillStyle = POINT_COLOUR;
    const { xy, dim, count } = points;
    for (let i = 0; i < count; i++) {
      const [x, y] = [toPx(xy[dim * i + dx], false), toPx(xy[dim * i + dy], true)];
      if (x >= 0 && x <= PAD_PX && y >= 0 && y <= PAD_PX) c.fillRect(x - POINT_PX / 2, y - POINT_PX / 2, POINT_PX, POINT_PX);
    }
    pointsDrawn = { key, canvas };
    return canvas;
  }

  function drawPad() {
    ctx.fillStyle = "#0e1117";
    ctx.fillRect(0, 0, PAD_PX, PAD_PX);
    if (backdrop) {
      ctx.globalAlpha = BACKDROP_ALPHA;
      ctx.drawImage(backdropCanvas(), 0, 0, PAD_PX, PAD_PX);
      ctx.globalAlpha = 1;
    }
    if (showPoints && points) ctx.drawImage(pointsCanvas(), 0, 0, PAD_PX, PAD_PX);
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
    // The current digit's mu (clamped to the edge when outside the range).
    ctx.strokeStyle = "#ffa421";
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(clamp(toPx(base[dx], false)), clamp(toPx(base[dy], true)), 7, 0, 2 * Math.PI);
    ctx.stroke();
    if (pointer) {
      ctx.fillStyle = dragging ? "#ff4b4b" : "#fafafa";
      ctx.beginPath();
      ctx.arc(pointer[0], pointer[1], 5, 0, 2 * Math.PI);
      ctx.fill();
    }
  }

  function drawPreview(probs) {
    paintGrid(image, probs, 1, 1);
    px.putImageData(image, 0, 0);
    preview.setAttribute("aria-label", `digit decoded at ${describe()}`);
  }

  function showReadout() {
    zText.textContent = describe();
    const t = stats.t.slice(-READOUT_FRAMES);
    if (t.length > 1) {
      const ms = stats.ms.slice(-READOUT_FRAMES);
      const fps = ((t.length - 1) * 1000) / (t[t.length - 1] - t[0]);
      const mean = ms.reduce((a, b) => a + b, 0) / ms.length;
      fpsText.textContent = `${fps.toFixed(0)} fps (decode ${mean.toFixed(1)} ms)`;
      fpsText.dataset.fps = fps.toFixed(1);
    }
  }

  // Pointer events and keys only record where z is; decoding happens once per animation frame.
  function frame() {
    if (!dirty || !model) return;
    dirty = false;
    const start = performance.now();
    drawPreview(decodeCodes(model, z, 1));
    drawPad();
    lastFrameAt = performance.now(); // benchmarks/bench_browser.py: the picture is on screen from the next frame
    recordFrame(stats, start, performance.now());
    showReadout();
  }

  function placeAt(p) {
    pointer = [clamp(p[0]), clamp(p[1])];
    z[dx] = toZ(pointer[0], false);
    z[dy] = toZ(pointer[1], true);
    redraw();
  }
  // The pad may be drawn smaller than PAD_PX (a narrow phone): client pixels -> pad units.
  function toPadPx(event) {
    const r = pad.getBoundingClientRect();
    return [((event.clientX - r.left) * PAD_PX) / r.width, ((event.clientY - r.top) * PAD_PX) / r.height];
  }
  function reset() {
    pointer = null;
    z.set(base);
    redraw();
  }
  const keep = () => setTriggerValue("release", Array.from(z));

  const KEYS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
  const handlers = {
    pointerdown: (e) => {
      if (e.button !== 0) return;
      dragging = true;
      pad.setPointerCapture(e.pointerId);
      placeAt(toPadPx(e));
    },
    pointermove: (e) => placeAt(toPadPx(e)), // hovering previews too; only a release (or a click) keeps
    pointerup: (e) => {
      if (!dragging) return;
      dragging = false;
      placeAt(toPadPx(e));
      keep();
    },
    pointercancel: () => ((dragging = false), reset()),
    pointerleave: () => dragging || document.activeElement === pad || reset(),
    keydown: (e) => {
      if (KEYS[e.key]) {
        e.preventDefault(); // the page does not scroll while the pad moves
        const step = KEY_STEP * PAD_PX * (e.shiftKey ? 0.2 : 1);
        const from = pointer ?? [toPx(z[dx], false), toPx(z[dy], true)];
        placeAt([from[0] + KEYS[e.key][0] * step, from[1] + KEYS[e.key][1] * step]);
        zText.textContent = describe(); // announced (aria-live) at once, not at the next frame
      } else if ((e.key === "Enter" || e.key === " ") && pointer) {
        e.preventDefault();
        padKeyedAt = performance.now();
        keep();
      }
    },
  };
  for (const [type, fn] of Object.entries(handlers)) pad.addEventListener(type, fn);
  // A sidebar digit button (digits.js): the new digit's mu is the pad's base at once (the rerun then mounts the
  // pad anew around the same).
  const onDigit = (choice) => {
    base.set(choice.posterior[0]);
    if (!pointer) z.set(base);
    redraw();
  };
  digitListeners.add(onDigit);

  // The axes are named in text beside the pad, not drawn into it: text grows with presenter mode and is read aloud.
  function nameAxes() {
    el("vae-pad-axes").textContent = `z${dx} across, z${dy} up, both ${lo} to ${hi}`;
    const behind = backdrop ? `, behind it the digits decoded at ${BACKDROP_CELLS} x ${BACKDROP_CELLS} of its points` : "";
    const dots = showPoints && points ? `, a dot at each of the ${points.count} test digits' mu` : "";
    pad.setAttribute("aria-label", `latent pad over z${dx} (across) and z${dy} (up), from ${lo} to ${hi}${behind}${dots}`);
  }
  nameAxes();
  // The group's controls (data.keys): the switches of the backdrop and of the dots, and the axes; other axes start
  // from the current digit, as the rerun's pad will. Two equal dimensions or an empty range leave the pad dimmed
  // until the rerun says why.
  const group = data.group ? liveGroup(data.group) : null;
  const followControls = (now) => {
    const value = (i, run) => group.values.get(data.keys[i]) ?? run;
    const [x, y, range] = [Number(value(0, dx)), Number(value(1, dy)), value(2, [lo, hi]).map(Number)];
    if (value(3, backdrop) !== backdrop || value(4, showPoints) !== showPoints) {
      [backdrop, showPoints] = [value(3, backdrop), value(4, showPoints)];
      nameAxes();
      redraw(now);
    }
    const usable = x !== y && range[0] < range[1];
    box.classList.toggle("vae-pad-stale", !usable);
    if (!usable || (x === dx && y === dy && range[0] === lo && range[1] === hi)) return;
    [dx, dy, lo, hi] = [x, y, ...range];
    nameAxes();
    pointer = null;
    z.set(base);
    redraw(now);
  };
  group?.listeners.add(followControls);
  preview.setAttribute("aria-label", "the decoded digit, once the decoder has loaded"); // named before its first draw
  if (data.points)
    pointSlot(data.points).ready.then((received) => {
      if (!alive) return;
      points = received;
      nameAxes();
      redraw();
    });

  modelSlot(data.model).ready
    .then((ready) => {
      if (!alive) return;
      if (ready.latentDim !== base.length) throw new Error(`latent pad: decoder takes ${ready.latentDim} dims`);
      model = ready;
      status.hidden = true;
      redraw();
      markReady(box);
      // For tests and benchmarks only: read-only access to the decoder and the frame statistics.
      window.vaePad = api = {
        model: model.id,
        decode: (code) => Array.from(decodeCodes(model, Float32Array.from(code), 1)),
        stats: () => ({ drawn: stats.drawn, t: [...stats.t], decodeMs: [...stats.ms], fps: Number(fpsText.dataset.fps) }),
        resetStats: () => (stats = newStats()),
        // the decoded digits behind the pad, grey levels of its tiles (row after row), with what they were decoded at
        backdrop: () => backdrop && {
          dims: [dx, dy], range: [lo, hi], base: Array.from(base), cells: BACKDROP_CELLS,
          grey: Array.from(backdropCanvas().getContext("2d").getImageData(0, 0, 28 * BACKDROP_CELLS,
            28 * BACKDROP_CELLS).data.filter((_, i) => i % 4 === 0)),
        },
        // the test digits' dots as drawn (alpha of each pixel of the pad's resolution, row after row)
        points: () => showPoints && points && {
          dims: [dx, dy], range: [lo, hi], size: pad.width, pxPerUnit: scale,
          alpha: Array.from(pointsCanvas().getContext("2d").getImageData(0, 0, pad.width, pad.width).data
            .filter((_, i) => i % 4 === 3)),
        },
      };
    })
    .catch((err) => {
      status.textContent = String(err.message || err);
      status.hidden = false;
    });
  redraw();

  // Enter reruns the page, which mounts the pad anew: the keyboard user is put back on it (as for the sliders).
  const lost = document.activeElement === document.body || document.activeElement === null;
  if (lost && performance.now() - padKeyedAt < REFOCUS_MS) pad.focus();
  return () => {
    alive = false;
    loop.stop();
    digitListeners.delete(onDigit);
    group?.listeners.delete(followControls);
    for (const [type, fn] of Object.entries(handlers)) pad.removeEventListener(type, fn);
    if (api && window.vaePad === api) delete window.vaePad;
  };
}
let padKeyedAt = -Infinity; // when Enter last kept a code on a pad
