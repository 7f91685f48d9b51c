// Paths in the browser as vae_core/latent.py makes them (interpolate, pixel_crossfade), so a live strip whose
// number of steps follows a slider needs only its two ends, not every count's codes or pictures. Plain functions
// on flat Float32Arrays (row after row); tests/test_live_js.py runs them under node against torch.

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
