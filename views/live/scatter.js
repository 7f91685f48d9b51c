// The latent map drawn here from its points (views/pages/map.py map_points: each test digit's point in the map's
// plane, label and 1-sigma covariance there), so a class pill or the range switch redraws it at once. Drawn as
// vae_core.render.class_scatter draws the server's picture (the same pixels), with one click target per occupied
// cell as vae_core.plot_geometry.cell_representatives picks them.

// Python's round(): halves to even, as the server places its glyphs.
function roundHalfEven(x) {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

// Indices of the points of `classes` (a Set of labels), in order.
function shownPoints(points, classes) {
  const shown = [];
  for (let i = 0; i < points.count; i++) if (classes.has(points.labels[i])) shown.push(i);
  return shown;
}

// Of the `shown` points, the one nearest each occupied cell's centre of a cells x cells grid over `box` [x0, x1,
// y0, y1] (ties: the first), in index order; points outside the box are left out. The same arithmetic in doubles as
// cell_representatives, on the same float32 values, so the same points.
function cellRepresentatives(xy, shown, box, cells) {
  const [x0, x1, y0, y1] = box;
  const best = new Map(); // cell -> [index, squared distance to its centre]
  for (const i of shown) {
    const sx = ((xy[2 * i] - x0) / (x1 - x0)) * cells;
    const sy = ((xy[2 * i + 1] - y0) / (y1 - y0)) * cells;
    if (!(sx >= 0 && sx < cells && sy >= 0 && sy < cells)) continue;
    const [cx, cy] = [Math.floor(sx), Math.floor(sy)];
    const offset = (sx - cx - 0.5) ** 2 + (sy - cy - 0.5) ** 2;
    const cell = cx * cells + cy;
    const held = best.get(cell);
    if (!held || offset < held[1]) best.set(cell, [i, offset]);
  }
  return [...best.values()].map(([i]) => i).sort((a, b) => a - b);
}

// The picker's click targets (pick.js): {x, y (fractions of the picture from its top left), id, label, cov (the
// 1-sigma covariance in fractions: a pick's ellipse)} of each cell's representative.
function scatterTargets(points, shown, box, cells) {
  const [x0, x1, y0, y1] = box;
  const [sx, sy] = [1 / (x1 - x0), 1 / (y1 - y0)]; // plane units -> fractions; y runs down the picture
  const t = { x: [], y: [], id: [], label: [], cov: [] };
  for (const i of cellRepresentatives(points.xy, shown, box, cells)) {
    t.x.push((points.xy[2 * i] - x0) * sx);
    t.y.push((y1 - points.xy[2 * i + 1]) * sy);
    t.id.push(i);
    t.label.push(points.labels[i]);
    const [cxx, cxy, cyy] = points.cov.subarray(3 * i, 3 * i + 3);
    t.cov.push([cxx * sx * sx, -cxy * sx * sy, cyy * sy * sy]);
  }
  return t;
}

// Paint the `shown` points over `box` into `pixels` (RGBA, px x px) as class_scatter draws them: white, then each
// point's label glyph mask (points.glyphs) centred on it in index order, its colour blended in by the mask as
// Pillow's paste blends, (out * (255 - m) + ink * m) / 255 in its integer arithmetic, clipped to the picture;
// points within a dot's radius of the picture are drawn. The same pixels as the server's picture.
function paintScatter(pixels, px, points, shown, box, radius, colours) {
  const [x0, x1, y0, y1] = box;
  const size = points.glyph;
  const half = roundHalfEven(3 * radius);
  const rgb = colours.map((c) => [1, 3, 5].map((k) => parseInt(c.slice(k, k + 2), 16)));
  // Each glyph's inked pixels: their rows and columns in the glyph, their offsets in `pixels` from the glyph's
  // corner, and the mask there.
  const inked = rgb.map((_, label) => {
    const g = { rows: [], cols: [], offsets: [], alpha: [] };
    for (let v = 0; v < size; v++)
      for (let u = 0; u < size; u++) {
        const m = points.glyphs[(label * size + v) * size + u];
        if (m) g.rows.push(v), g.cols.push(u), g.offsets.push((v * px + u) * 4), g.alpha.push(m);
      }
    return g;
  });
  const out = new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.length); // no clamping: every value fits
  out.fill(255);
  for (const i of shown) {
    const x = ((points.xy[2 * i] - x0) / (x1 - x0)) * px;
    const y = ((y1 - points.xy[2 * i + 1]) / (y1 - y0)) * px;
    if (!(x > -radius && x < px + radius && y > -radius && y < px + radius)) continue;
    const left = roundHalfEven(x) - half;
    const top = roundHalfEven(y) - half;
    const label = points.labels[i];
    const [r, g, b] = rgb[label];
    const { rows, cols, offsets, alpha } = inked[label];
    const clipped = left < 0 || top < 0 || left + size > px || top + size > px;
    const corner = (top * px + left) * 4;
    for (let j = 0; j < alpha.length; j++) {
      if (clipped) {
        const [row, col] = [top + rows[j], left + cols[j]];
        if (row < 0 || row >= px || col < 0 || col >= px) continue;
      }
      const k = corner + offsets[j];
      const m = alpha[j];
      const n = 255 - m;
      let t = out[k] * n + r * m + 128;
      out[k] = ((t >> 8) + t) >> 8;
      t = out[k + 1] * n + g * m + 128;
      out[k + 1] = ((t >> 8) + t) >> 8;
      t = out[k + 2] * n + b * m + 128;
      out[k + 2] = ((t >> 8) + t) >> 8;
    }
  }
}

// Draw them on `canvas`, px square.
function drawScatter(canvas, points, shown, box, px, radius, colours) {
  if (canvas.width !== px) canvas.width = canvas.height = px;
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(px, px);
  paintScatter(image.data, px, points, shown, box, radius, colours);
  ctx.putImageData(image, 0, 0);
}

// The classes shown, in words, as views/pages/map.py which_classes says them.
function whichClasses(classes) {
  if (classes.length === 10) return "every class";
  return classes.length ? `the classes ${classes.join(", ")}` : "no class";
}
