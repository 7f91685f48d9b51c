// Picture pickers: a picture drawn by the server (the latent map, the manifold) with its axes as text, the
// current digit marked over it, and a pick by one click, one tap, or the keyboard (arrow keys move a cursor,
// Enter or Space picks: WCAG 2.1.1). Only the pick goes to Python, as the trigger value "pick" = the picked
// item's id (a test digit's index on the map, a cell's index on the manifold).
//
// Two mounts per picker: its source, which changes only with the picture, so Streamlit's message cache sends it
// once; and the picker (kind "pick": axes, marks, alt text), small, sent on every rerun. The picker names its source
// by id. The manifold's source is its picture (bytes starting SOURCE_MAGIC, then JSON; the grid of another pair of
// dimensions is decoded here until the rerun brings its picture); the latent map's is its points (a points mount,
// draw.js receivePoints), which the picker draws itself (scatter.js) with the classes its group's live pills
// choose, and picks among.

const SOURCE_MAGIC = "VAEs";

const PICK_RADIUS_PX = 24; // a click or tap this close to a map target picks it (a finger is ~40 px wide)
const SOURCES_KEPT = 8;
const AHEAD_KEPT = 6; // grids of other pairs of dimensions decoded ahead, per picker
const AHEAD_SLICE_MS = 8; // a batch of 64 codes of the 20-D model takes ~5 ms: one more only with this much idle left

// Work in the page's idle time (Safari has no requestIdleCallback: a timer then, with 10 ms to work in).
const whenIdle = (fn) => (window.requestIdleCallback ? requestIdleCallback(fn) : setTimeout(() => {
  const end = performance.now() + 10;
  fn({ timeRemaining: () => Math.max(0, end - performance.now()) });
}, 50));
const cancelIdle = (task) => (window.cancelIdleCallback ? cancelIdleCallback(task) : clearTimeout(task));

const pickSources = new Map(); // id -> {data, listeners}: a Map keeps insertion order, oldest first

function pickSource(id) {
  if (!pickSources.has(id)) pickSources.set(id, { data: null, listeners: new Set() });
  return pickSources.get(id);
}

function receivePickSource(data) {
  const slot = pickSource(data.id);
  slot.data = data;
  slot.listeners.forEach((fn) => fn());
  for (const [id, s] of pickSources) {
    if (pickSources.size <= SOURCES_KEPT) break;
    if (id !== data.id && !s.listeners.size) pickSources.delete(id);
  }
}

// A live element, drawn at once ("ready": it needs no model), so its server-drawn twin, if any, is hidden.
const PICK_HTML = `<figure class="vae-pick vae-picture vae-live ready">
  <div class="vae-pick-title"></div>
  <div class="vae-pick-body">
    <div class="vae-pick-plot">
      <div class="vae-pick-ytitle"></div>
      <div class="vae-pick-yticks"></div>
      <div class="vae-pick-frame" tabindex="0" role="application" aria-roledescription="picker">
        <img alt="">
        <canvas class="vae-pick-canvas" role="img" hidden></canvas>
        <svg class="vae-pick-lines" viewBox="0 0 1 1" preserveAspectRatio="none" aria-hidden="true"></svg>
        <span class="vae-pick-hover" hidden></span>
        <span class="vae-pick-cursor" hidden></span>
      </div>
      <div class="vae-pick-xticks"></div>
      <div class="vae-pick-xtitle"></div>
    </div>
    <div class="vae-pick-legend" hidden></div>
  </div>
  <div class="vae-pick-readout" aria-live="polite"></div>
</figure>`;

const pickers = new WeakMap(); // the mount's element -> its picker, updated in place on each rerun
let pickKeyedAt = -Infinity; // when Enter last picked: the rerun that follows may remount the picker

function mountPick(data, root, setTriggerValue) {
  let picker = pickers.get(root);
  if (!picker || !root.contains(picker.frame)) {
    picker = newPicker(root);
    pickers.set(root, picker);
  }
  return picker.update(data, setTriggerValue);
}

// Where z = `value` lies along a manifold axis (z values of its cells, ascending), in pixels of the tiled picture
// (cells `cell` px): linear between the cell centres, as vae_core.plot_geometry.axis_position; null outside.
function axisPosition(value, axis, cell, descending = false) {
  const n = axis.length;
  if (!(axis[0] <= value && value <= axis[n - 1])) return null;
  const centre = (k) => k * cell + (cell - 1) / 2;
  let i = 0;
  while (i < n - 2 && value > axis[i + 1]) i++;
  const t = n < 2 || axis[i + 1] === axis[i] ? 0 : (value - axis[i]) / (axis[i + 1] - axis[i]);
  const pos = centre(i) + t * (centre(Math.min(i + 1, n - 1)) - centre(i));
  return descending ? n * cell - 1 - pos : pos;
}

// The manifold's ring at `mu` over its pair of dimensions (`follow`: the view's axis, cells, text templates): where
// it is in the picture's fractions (null outside the grid), and the text alternative saying so.
function ringAt(follow, dims, mu) {
  const { axis, cell } = follow;
  const side = axis.length * cell;
  const [x, y] = [axisPosition(mu[dims[0]], axis, cell), axisPosition(mu[dims[1]], axis, cell, true)];
  const inside = x !== null && y !== null;
  const words = { x: `z${dims[0]}`, y: `z${dims[1]}`, end: inside ? follow.ring : "." };
  return {
    ring: inside ? [(x + 0.5) / side, (y + 0.5) / side] : null,
    alt: follow.alt.replace(/\{(x|y|end)\}/g, (_, w) => words[w]),
  };
}

// The manifold's view for a pair of dimensions `dims` (the live selects of its group) through `mu` (the run's, or a
// digit button's since), from this run's `data`: the same axis and cells over that pair, its titles, the ring at mu
// there, and its text alternative; the grid is decoded here (showDecoded).
function decodedView(data, dims, mu) {
  const { ring, alt } = ringAt(data.follow, dims, mu);
  return {
    ...data,
    decoded: { dims, mu },
    x: { ...data.x, title: `z${dims[0]}` },
    y: { ...data.y, title: `z${dims[1]}` },
    marks: ring ? { ring } : {},
    follow: { ...data.follow, dims, mu },
    alt,
  };
}

function newPicker(root) {
  const figure = mountInto(root, PICK_HTML);
  const q = (cls) => figure.querySelector(`.vae-pick-${cls}`);
  const [frame, lines, hover, cursorMark, readout, legend] = ["frame", "lines", "hover", "cursor", "readout", "legend"].map(q);
  const [img, canvas] = [frame.querySelector("img"), frame.querySelector("canvas")];
  let view = null; // the picker's data
  let source = null; // its source's data (the manifold's picture), or the map's drawn click targets: {targets}
  let send = () => {};
  let cursor = null; // the item under the keyboard cursor: {id, x, y, ...} in picture fractions
  let marks = []; // the spans of the cross and the ring
  let shownSlot = null; // the pickSources entry of the picture shown
  let drawn = null; // what the canvas shows (a map drawn here): its points, classes and box
  let drawnTargets = null;
  // A sidebar digit button's posterior (mu, std) since the run: the marks of a map's variant follow it; a manifold
  // that is a slice through the digit's mu is decoded through it.
  let pressed = null;

  // Items: a grid's cells (the manifold), or the nearest of the map's targets.
  function cellItem(col, row) {
    const g = view.grid;
    const [c, r] = [Math.min(g.n - 1, Math.max(0, col)), Math.min(g.n - 1, Math.max(0, row))];
    return { id: r * g.n + c, col: c, row: r, x: (c + 0.5) / g.n, y: (r + 0.5) / g.n, w: 1 / g.n };
  }
  function targetItem(i) {
    const t = source.targets;
    return { i, id: t.id[i], label: t.label[i], x: t.x[i], y: t.y[i], cov: t.cov?.[i] };
  }
  function nearestTarget(x, y, within = Infinity) {
    const t = source?.targets;
    if (!t) return null;
    let best = -1;
    let bestD = within * within;
    for (let i = 0; i < t.x.length; i++) {
      const d = (t.x[i] - x) ** 2 + (t.y[i] - y) ** 2;
      if (d < bestD) (best = i), (bestD = d);
    }
    return best < 0 ? null : targetItem(best);
  }
  function itemAt(event) {
    const r = frame.getBoundingClientRect();
    const [x, y] = [(event.clientX - r.left) / r.width, (event.clientY - r.top) / r.height];
    if (x < 0 || x > 1 || y < 0 || y > 1 || !view) return null;
    if (view.grid) return cellItem(Math.floor(x * view.grid.n), Math.floor(y * view.grid.n));
    return nearestTarget(x, y, PICK_RADIUS_PX / r.width);
  }
  function describe(item) {
    if (view.grid) return `${view.x.title} = ${view.grid.x[item.col]}, ${view.y.title} = ${view.grid.y[item.row]}`;
    return `test digit #${item.id}, a ${item.label}`;
  }
  function place(span, item) {
    span.hidden = !item;
    if (!item) return;
    span.style.left = `${100 * item.x}%`;
    span.style.top = `${100 * item.y}%`;
    if (item.w) span.style.width = span.style.height = `${100 * item.w}%`;
    span.classList.toggle("cell", Boolean(item.w));
  }
  // A map target knows its digit's mean and 1-sigma covariance (in the picture's fractions), so its marks move at
  // once, where the server's rerun then draws them; a manifold cell's mark follows the rerun.
  function markTarget(item) {
    if (!item.cov) return;
    view = { ...view, marks: { cross: [item.x, item.y], ellipse: ellipsePoints(item.x, item.y, item.cov) } };
    drawMarks();
  }
  function pick(item) {
    readout.textContent = `Picked ${describe(item)}.`;
    markTarget(item);
    send("pick", item.id);
  }
  // The sidebar's digit buttons (digits.js) send the new digit's posterior: a map marks it at once, and the
  // manifold moves its ring to the new mu. A manifold that is a slice through the digit's mu (more than two latent
  // dimensions) is decoded here through the new mu; where it cannot be (no model to decode with), it shows the old
  // digit's cells dimmed until the rerun brings the new ones, as a size it lacks.
  function onDigit(choice) {
    if (!choice.posterior) return;
    if (view?.plane) {
      pressed = choice.posterior;
      markTarget(posteriorOnMap(...choice.posterior, view.plane));
    }
    else if (view?.follow) {
      const { dims, mu, slice } = view.follow;
      const newMu = choice.posterior[0];
      const { ring, alt } = ringAt(view.follow, dims, newMu);
      const { ring: _, ...others } = view.marks || {};
      view = { ...view, marks: ring ? { ...others, ring } : others, alt };
      img.alt = alt;
      if (!canvas.hidden) canvas.setAttribute("aria-label", alt);
      drawMarks();
      // (the same digit again: no new cells come, and the rerun may not mount the picker anew)
      if (!slice || !newMu.some((m, d) => Math.abs(m - mu[d]) > 1e-5)) return;
      if (view.decode && follow) (pressed = choice.posterior), follow.listener();
      else figure.classList.add("vae-pick-stale");
    }
  }

  // The cursor starts on the item at the current digit's mark, else in the middle.
  function startItem() {
    const at = view.marks?.ring ?? view.marks?.cross ?? [0.5, 0.5];
    if (view.grid) return cellItem(Math.floor(at[0] * view.grid.n), Math.floor(at[1] * view.grid.n));
    return nearestTarget(at[0], at[1]);
  }
  // The map's arrow keys: the nearest target in that direction, counting sideways distance double.
  function stepTarget(from, dx, dy) {
    const t = source.targets;
    let best = -1;
    let bestScore = Infinity;
    for (let i = 0; i < t.x.length; i++) {
      const [ex, ey] = [t.x[i] - from.x, t.y[i] - from.y];
      const along = ex * dx + ey * dy;
      if (along <= 1e-6) continue;
      const score = along + 2 * Math.abs(ex * dy - ey * dx);
      if (score < bestScore) (best = i), (bestScore = score);
    }
    return best < 0 ? from : targetItem(best);
  }
  const KEYS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

  const handlers = {
    click: (e) => {
      const item = itemAt(e);
      if (item) pick(item);
      else if (view && !view.grid) readout.textContent = "No test digit there: click or tap on a dot.";
    },
    pointermove: (e) => {
      if (e.pointerType !== "mouse" || !view) return;
      const item = itemAt(e);
      place(hover, item);
      if (item) readout.textContent = `${describe(item)}: click to use it`;
    },
    pointerleave: () => place(hover, null),
    focus: () => {
      if (!view || !source) return;
      cursor = cursor ?? startItem();
      place(cursorMark, cursor);
      if (cursor) readout.textContent = `${describe(cursor)}: Enter picks it`;
    },
    blur: () => place(cursorMark, null),
    keydown: (e) => {
      if (!view || !source) return;
      const move = KEYS[e.key];
      if (move) {
        e.preventDefault(); // the page does not scroll while the cursor moves
        const from = cursor ?? startItem();
        if (!from) return;
        cursor = view.grid ? cellItem(from.col + move[0], from.row + move[1]) : stepTarget(from, ...move);
        place(cursorMark, cursor);
        readout.textContent = `${describe(cursor)}: Enter picks it`;
      } else if ((e.key === "Enter" || e.key === " ") && cursor) {
        e.preventDefault();
        pickKeyedAt = performance.now();
        pick(cursor);
      }
    },
  };
  for (const [type, fn] of Object.entries(handlers)) frame.addEventListener(type, fn);
  // Enlarged, the picture keeps its pixels square and sharp; shrunk (a phone), it is smoothed, not decimated.
  const sharpen = () => {
    img.classList.toggle("pixelated", img.naturalWidth > 0 && img.clientWidth >= img.naturalWidth);
    canvas.classList.toggle("pixelated", canvas.clientWidth >= canvas.width);
  };
  img.addEventListener("load", sharpen);
  new ResizeObserver(sharpen).observe(frame);

  function setText(cls, text) {
    const el = q(cls);
    el.textContent = text ?? "";
    el.hidden = !text;
  }
  function setTicks(cls, ticks, side) {
    q(cls).replaceChildren(...ticks.map(([at, text]) => {
      const span = document.createElement("span");
      span.textContent = text;
      span.style[side] = `${100 * at}%`;
      return span;
    }));
  }
  function drawMarks() {
    marks.forEach((m) => m.remove());
    marks = [];
    const m = view.marks || {};
    lines.replaceChildren();
    if (m.ellipse) {
      const line = document.createElementNS("http://www.w3.org/2000/svg", "polygon");
      line.setAttribute("points", m.ellipse.map(([x, y]) => `${x},${y}`).join(" "));
      line.setAttribute("vector-effect", "non-scaling-stroke");
      lines.append(line);
    }
    for (const name of ["cross", "ring"]) {
      if (!m[name]) continue;
      const span = document.createElement("span");
      span.className = `vae-pick-${name}`;
      place(span, { x: m[name][0], y: m[name][1] });
      frame.append(span);
      marks.push(span);
    }
  }
  function showSource() {
    source = pickSource(view.source).data;
    if (!source) return;
    if (img.getAttribute("src") !== source.src) img.setAttribute("src", source.src);
    keepCursor();
  }

  function drawLegend(data) {
    legend.hidden = !data;
    if (!data) return;
    const items = data.items.map(([text, colour]) => {
      const li = document.createElement("li");
      li.innerHTML = '<span class="swatch"></span><span></span>';
      li.firstChild.style.background = colour;
      li.lastChild.textContent = text;
      return li;
    });
    const title = document.createElement("span");
    title.textContent = `${data.title}:`;
    const list = document.createElement("ul");
    list.append(...items);
    legend.replaceChildren(title, list);
  }

  // A map drawn here (scatter.js): the points of the classes the group's live pills choose (else the run's), over
  // the view's box, with their click targets; drawn again only when one of these changes. The text alternative and
  // the legend name the classes shown. Once the points are here, all of it happens in the caller's task.
  async function showScatter() {
    const slot = pointSlot(view.source);
    const points = slot.value ?? (await slot.ready); // (an await, even of a value, would end the task's part)
    const sc = view.scatter;
    if (!sc || view.source !== points.id) return; // another view came meanwhile
    const chosen = liveGroup(sc.group).values.get(sc.key) ?? sc.classes;
    const classes = [...chosen].map(Number).sort((a, b) => a - b);
    const box = view.plane.box;
    const key = JSON.stringify([points.id, classes, box]);
    if (key !== drawn) {
      const shown = shownPoints(points, new Set(classes));
      drawScatter(canvas, points, shown, box, sc.px, sc.dot, sc.colours);
      drawnTargets = { targets: scatterTargets(points, shown, box, sc.cells), count: shown.length };
      drawn = key;
      lastFrameAt = performance.now(); // benchmarks/bench_browser.py: the picture is on screen from the next frame
    }
    const words = { count: drawnTargets.count.toLocaleString("en-US"), which: whichClasses(classes) };
    canvas.setAttribute("aria-label", sc.alt.replace(/\{(count|which)\}/g, (_, w) => words[w]));
    drawLegend(view.legend && { title: view.legend.title, items: classes.map((c) => [String(c), sc.colours[c]]) });
    source = drawnTargets;
    keepCursor();
  }
  // A grid decoded here (decodedView), or decoded ahead (decodeAhead): the codes over the view's pair of
  // dimensions, the others at the run's mu, as vae_core.latent.manifold_grid lays them out (rows from the largest
  // value of the second down), decoded and tiled without padding. Once the model is here, in the caller's task.
  async function showDecoded() {
    const slot = modelSlot(view.decode.model);
    const model = slot.value ?? (await slot.ready);
    if (!view.decoded) return; // another view came meanwhile
    const { axis, cell, mu } = view.follow;
    const key = gridKey(view.decoded.dims, mu, axis);
    const held = decodedGrids.get(key);
    const image = held ?? drain(ahead?.key === key ? ahead.steps : gridSteps(model, axis, cell, view.decoded.dims, mu));
    keepGrid(key, image);
    if (canvas.width !== image.width) canvas.width = canvas.height = image.width;
    canvas.getContext("2d").putImageData(image, 0, 0);
    canvas.setAttribute("aria-label", view.alt);
    sharpen();
    lastFrameAt = performance.now(); // benchmarks/bench_browser.py: the picture is on screen from the next frame
    keepCursor();
    decodeAhead();
  }

  // The grids one arrow key away in either dimension select are decoded ahead, in idle time, a batch of codes at a
  // time (400 codes of the 20-D model take ~35 ms, more than a frame): stepping through the dimensions then shows
  // each at once. The last few grids are kept (AHEAD_KEPT, ~1-3 MB each).
  const decodedGrids = new Map(); // gridKey -> ImageData, oldest first
  let ahead = null; // the grid being decoded ahead: {key, steps}
  const gridKey = (dims, mu, axis) => JSON.stringify([view.decode.model, dims, Array.from(mu), axis]);
  function keepGrid(key, image) {
    decodedGrids.delete(key);
    decodedGrids.set(key, image);
    for (const old of decodedGrids.keys()) if (decodedGrids.size > AHEAD_KEPT) decodedGrids.delete(old);
    figure.dataset.held = [...decodedGrids.keys()].map((k) => JSON.parse(k)[1].join(",")).join(" "); // for tests
  }
  function* gridSteps(model, axis, cell, [d0, d1], mu) {
    const [n, d] = [axis.length, mu.length];
    const codes = new Float32Array(n * n * d);
    for (let row = 0; row < n; row++)
      for (let col = 0; col < n; col++) {
        const at = (row * n + col) * d;
        codes.set(mu, at);
        codes[at + d0] = axis[col];
        codes[at + d1] = axis[n - 1 - row];
      }
    const probs = new Float32Array(n * n * 784);
    for (let s = 0; s < n * n; s += MAX_BATCH) {
      const m = Math.min(MAX_BATCH, n * n - s);
      probs.set(decodeCodes(model, codes.subarray(s * d, (s + m) * d), m), s * 784);
      yield;
    }
    const image = canvas.getContext("2d").createImageData(n * cell, n * cell);
    paintGrid(image, probs, n * n, n, 0);
    return image;
  }
  function drain(steps) {
    for (;;) {
      const { done, value } = steps.next();
      if (done) return value;
    }
  }
  function decodeAhead() {
    cancelIdle(ahead?.task);
    ahead = null;
    const model = view?.decode && modelSlot(view.decode.model).value;
    if (!model) return;
    const { dims, mu, axis, cell } = view.follow;
    const size = mu.length;
    const next = [[dims[0] + 1, dims[1]], [dims[0] - 1, dims[1]], [dims[0], dims[1] + 1], [dims[0], dims[1] - 1]]
      .find((p) => p.every((v) => v >= 0 && v < size) && p[0] !== p[1] && !decodedGrids.has(gridKey(p, mu, axis)));
    if (!next) return;
    const job = { key: gridKey(next, mu, axis), steps: gridSteps(model, axis, cell, next, mu) };
    const step = (deadline) => {
      if (ahead !== job) return;
      while (deadline.timeRemaining() >= AHEAD_SLICE_MS) {
        const { done, value } = job.steps.next();
        if (done) return keepGrid(job.key, value), decodeAhead();
      }
      job.task = whenIdle(step);
    };
    ahead = job;
    job.task = whenIdle(step);
  }

  // The keyboard cursor stays at its place, on the new picture's items.
  function keepCursor() {
    if (cursor && document.activeElement === frame) {
      cursor = view.grid ? cellItem(Math.floor(cursor.x * view.grid.n), Math.floor(cursor.y * view.grid.n))
        : nearestTarget(cursor.x, cursor.y);
      place(cursorMark, cursor);
    } else cursor = null;
  }

  // Draw a view: everything the picker shows, from the picture to the marks.
  function show(data) {
    view = data;
    figure.style.setProperty("--vae-pick-width", `${data.width}px`);
    img.alt = data.alt;
    frame.setAttribute("aria-label", data.label);
    setText("title", data.title);
    setText("xtitle", data.x.title);
    setText("ytitle", data.y.title);
    setTicks("xticks", data.x.ticks, "left");
    setTicks("yticks", data.y.ticks, "top");
    drawLegend(data.legend);
    drawMarks();
    if (pressed && data.plane) markTarget(posteriorOnMap(...pressed, data.plane));
    const drawnHere = Boolean(data.scatter || data.decoded);
    [img.hidden, canvas.hidden] = [drawnHere, !drawnHere];
    if (drawnHere) {
      shownSlot?.listeners.delete(showSource);
      shownSlot = null;
      return data.scatter ? showScatter() : showDecoded();
    }
    const slot = pickSource(data.source);
    if (slot !== shownSlot) shownSlot?.listeners.delete(showSource); // the old picture may now be let go
    shownSlot = slot;
    slot.listeners.add(showSource);
    showSource();
    if (data.decode) modelSlot(data.decode.model).ready.then(() => view === data && decodeAhead(), () => {});
  }

  // Variants (the manifold's grids of the neighbouring sizes, eps or ranges): for each live slider of the picker's
  // group, this run's value and the views for some others. As one slider moves, the view for its value where the
  // picker has it; a value it lacks, or two sliders moved since the run, dims the picture until a release's rerun
  // brings it.
  let follow = null; // {group, listener}
  // The variants' sources are held (a listener on their slots) while this view may show them: a source mount that a
  // rerun sends again unchanged is not received again, so one let go to make room would be gone for good.
  const hold = () => {};
  let heldSlots = [];
  function holdSources(variants) {
    heldSlots.forEach((slot) => slot.listeners.delete(hold));
    heldSlots = variants.flatMap((v) => Object.values(v.views)).map((view) => pickSource(view.source));
    heldSlots.forEach((slot) => slot.listeners.add(hold));
  }
  const samePicture = (a, b) => a.source === b.source && String(a.plane?.box) === String(b.plane?.box)
    && JSON.stringify(a.decoded) === JSON.stringify(b.decoded);
  // A map drawn here follows its group's live pills.
  let scatterFollow = null; // {group, listener}
  function followScatter(data) {
    if (scatterFollow) liveGroup(scatterFollow.group).listeners.delete(scatterFollow.listener);
    scatterFollow = data.scatter ? { group: data.scatter.group, listener: () => view?.scatter && showScatter() } : null;
    if (scatterFollow) liveGroup(scatterFollow.group).listeners.add(scatterFollow.listener);
  }
  function followVariants(data) {
    if (follow) liveGroup(follow.group).listeners.delete(follow.listener);
    follow = null;
    figure.classList.remove("vae-pick-stale");
    const variants = data.variants ?? [];
    holdSources(variants);
    if (!variants.length && !data.decode) return show(data);
    const groupName = data.decode?.group ?? variants[0].group;
    const group = liveGroup(groupName);
    const listener = () => {
      const now = (v) => String(group.values.get(v.key) ?? v.value);
      const moved = variants.filter((v) => now(v) !== v.value);
      // Another pair of dimensions (the manifold of a model with more), or a slice through a digit button's mu: its
      // grid decoded here, when nothing else moved and the two dimensions differ.
      const dims = data.decode?.keys.map((k, i) => Number(group.values.get(k) ?? data.follow.dims[i]));
      const decodeHere = dims && (String(dims) !== String(data.follow.dims) || pressed);
      let next;
      if (decodeHere) {
        const mu = pressed ? Array.from(pressed[0]) : data.follow.mu;
        next = moved.length === 0 && dims[0] !== dims[1] ? decodedView(data, dims, mu) : undefined;
      } else next = moved.length === 0 ? data : moved.length === 1 ? moved[0].views[now(moved[0])] : undefined;
      figure.classList.toggle("vae-pick-stale", !next);
      if (next && !samePicture(next, view)) show(next); // the same picture is this run's view, already shown
    };
    follow = { group: groupName, listener };
    group.listeners.add(listener);
    show(data);
    listener(); // a key press since the run that sent this: its value's view where there is one
  }

  function update(data, setTriggerValue) {
    send = setTriggerValue;
    pressed = null; // this run's marks and cells are the current digit's
    // what the server's view shows (benchmarks/bench_browser.py: a map's run is over when this changes)
    if (data.scatter) figure.dataset.view = JSON.stringify([data.scatter.classes, data.plane.box]);
    followScatter(data);
    followVariants(data);
    digitListeners.add(onDigit);
    // A pick by Enter reruns the app; should that mount the picker anew, the keyboard user is put back on it.
    const lost = document.activeElement === document.body || document.activeElement === null;
    if (lost && performance.now() - pickKeyedAt < REFOCUS_MS) frame.focus();
    return () => {
      digitListeners.delete(onDigit);
      cancelIdle(ahead?.task);
      ahead = null;
      shownSlot?.listeners.delete(showSource);
      holdSources([]);
      if (follow) liveGroup(follow.group).listeners.delete(follow.listener);
      if (scatterFollow) liveGroup(scatterFollow.group).listeners.delete(scatterFollow.listener);
    };
  }

  return { frame, update };
}
