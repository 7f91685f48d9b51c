// Paths and ellipses in the browser as vae_core/latent.py makes them (interpolate, pixel_crossfade, ellipse), so a
// live strip whose number of steps follows a slider needs only its two ends, not every count's codes or pictures,
// and a pick on the map draws the picked digit's marks at once. Plain functions on flat Float32Arrays (row after
// row); tests/test_live_js.py runs them under node against torch.

// `steps` codes from a to b inclusive (steps * latentDim), as vae_core.latent.interpolate: "linear", or "slerp"
// along the great circle (White 2016), which falls back to linear for a zero code or (near) parallel codes.
function interpolateCodes(a, b, steps, method, tag = "path") {
  const d = a.length;
  const codes = buffer(tag, steps * d);
  const norm = (v) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  const [na, nb] = [norm(a), norm(b)];
  let omega = 0;
  if (method === "slerp" && na >= 1e-8 && nb >= 1e-8) {
    const cos = a.reduce((s, x, j) => s + (x / na) * (b[j] / nb), 0);
    omega = Math.acos(Math.min(1, Math.max(-1, cos)));
  }
  const curved = Math.abs(omega) >= 1e-4;
  for (let i = 0; i < steps; i++) {
    const t = steps > 1 ? i / (steps - 1) : 0; // torch.linspace(0, 1, steps)
    const [wa, wb] = curved ? [Math.sin((1 - t) * omega) / Math.sin(omega), Math.sin(t * omega) / Math.sin(omega)]
      : [1 - t, t];
    for (let j = 0; j < d; j++) codes[i * d + j] = wa * a[j] + wb * b[j];
  }
  return codes;
}

// `steps` pictures blending picture a into picture b pixel by pixel (steps * size), as
// vae_core.latent.pixel_crossfade: (1 - t) a + t b.
function pixelCrossfade(a, b, steps, tag = "crossfade") {
  const size = a.length;
  const out = buffer(tag, steps * size);
  for (let i = 0; i < steps; i++) {
    const t = steps > 1 ? i / (steps - 1) : 0;
    for (let j = 0; j < size; j++) out[i * size + j] = (1 - t) * a[j] + t * b[j];
  }
  return out;
}

// The 1-sigma contour of a 2-D Gaussian with covariance [[a, b], [b, c]] around (cx, cy): `points` points for
// t from 0 to 2 pi, as vae_core.latent.ellipse (its eigen-decomposition in closed form: [r1, r2] the square roots
// of the eigenvalues, smaller first as torch.linalg.eigh, u and v their unit eigenvectors).
function ellipsePoints(cx, cy, [a, b, c], points = 60) {
  const [mean, half] = [(a + c) / 2, Math.hypot((a - c) / 2, b)];
  const [r1, r2] = [Math.sqrt(Math.max(0, mean - half)), Math.sqrt(Math.max(0, mean + half))];
  let [ux, uy] = b !== 0 ? [b, mean - half - a] : a <= c ? [1, 0] : [0, 1];
  const norm = Math.hypot(ux, uy);
  [ux, uy] = [ux / norm, uy / norm];
  return Array.from({ length: points }, (_, k) => {
    const t = (2 * Math.PI * k) / (points - 1); // torch.linspace(0, 2 pi, points)
    const [p, q] = [r1 * Math.cos(t), r2 * Math.sin(t)];
    return [cx + p * ux - q * uy, cy + p * uy + q * ux];
  });
}

// A posterior N(mu, diag(std^2)) on a latent map's picture: its mean and 1-sigma covariance [a, b, c] in fractions
// of the picture from its top left. `plane`: the map's box [x0, x1, y0, y1] in plane units, and where the model has
// more than two dimensions the PCA's mean and components (2 rows), as vae_core.latent's project and projected_cov
// and views/pages/map.py's to_fractions.
function posteriorOnMap(mu, std, { box, mean, components }) {
  const along = (row) => row.reduce((s, w, d) => s + w * (mu[d] - mean[d]), 0);
  const [px, py] = components ? components.map(along) : [mu[0], mu[1]];
  const cross = (r, s) => r.reduce((sum, w, d) => sum + w * s[d] * std[d] * std[d], 0);
  const [cxx, cxy, cyy] = components
    ? [cross(components[0], components[0]), cross(components[0], components[1]), cross(components[1], components[1])]
    : [std[0] * std[0], 0, std[1] * std[1]];
  const [x0, x1, y0, y1] = box;
  const [sx, sy] = [1 / (x1 - x0), 1 / (y1 - y0)]; // y runs down the picture
  return { x: (px - x0) * sx, y: (y1 - py) * sy, cov: [cxx * sx * sx, -cxy * sx * sy, cyy * sy * sy] };
}
