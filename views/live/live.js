// Live controls: sliders whose pictures are decoded here on every animation frame while the thumb moves.
//
// A page mounts sliders and pictures separately (each where its Streamlit twin sits) and ties them by a group
// name: sliders write their values into the group, pictures of the group redraw from them. Only a release
// (pointer up, or a key press) goes to Python, as the trigger value "release" = {widget key: value}.

const STATS_FRAMES = 600; // frame times kept per group for window.vaeLive.stats()

const groups = new Map(); // name -> {values: Map(key -> number), listeners: Set, stats}

function liveGroup(name) {
  if (!groups.has(name)) groups.set(name, { values: new Map(), listeners: new Set(), stats: newStats() });
  return groups.get(name);
}
function newStats() {
  return { drawn: 0, t: [], ms: [], at: undefined };
}
let lastFrameAt = -Infinity; // when a live picture last finished drawing (performance.now())
// `at`: the animation frame's timestamp, where several pictures of one group draw in the same frame (Interpolate's
// two strips): they count as one frame, taking the time of both.
function recordFrame(stats, start, end, at) {
  if (at !== undefined && at === stats.at) {
    stats.t[stats.t.length - 1] = end;
    stats.ms[stats.ms.length - 1] += end - start;
    return;
  }
  stats.at = at;
  stats.drawn += 1;
  stats.t.push(end);
  stats.ms.push(end - start);
  if (stats.t.length > STATS_FRAMES) (stats.t.shift(), stats.ms.shift());
}

// For tests and benchmarks only: frame statistics per group, slider values, the networks held and received.
window.vaeLive = {
  stats: (name) => {
    const s = liveGroup(name).stats;
    return { drawn: s.drawn, t: [...s.t], ms: [...s.ms] };
  },
  resetStats: (name) => {
    liveGroup(name).stats = newStats();
  },
  values: (name) => Object.fromEntries(liveGroup(name).values),
  listeners: (name) => liveGroup(name).listeners.size, // how many elements follow the group
  lastFrame: () => lastFrameAt, // benchmarks/bench_browser.py: when a key press's picture was drawn
  simd: KERNEL !== null, // whether kernel.js runs the layers (else the plain loop of model.js)
  models: () => [...models].filter(([, s]) => s.settled).map(([id]) => id), // networks held, oldest first
  received: () => [...modelsReceived], // the sha1 of each bytes mount received, in order
  forget: (id) => models.delete(id), // as KEEP_MODELS evicts it
};

// Draws once per animation frame after something changed (`invalidate`), and keeps asking for frames while
// changes keep coming (WARM_MS after the last): a drag's moves then land in frames already under way, as with a
// loop on every frame, yet an idle page asks for none. (A loop on every frame kept ~7% of a core busy on a page
// that only showed a live picture.)
const WARM_MS = 1000;
function frameLoop(draw) {
  let raf = 0;
  let stopped = false;
  let changed = -Infinity;
  const run = (at) => {
    raf = 0;
    draw(at);
    if (!stopped && performance.now() - changed < WARM_MS) raf = requestAnimationFrame(run);
  };
  return {
    invalidate: () => {
      changed = performance.now();
      if (!raf && !stopped) raf = requestAnimationFrame(run);
    },
    stop: () => ((stopped = true), cancelAnimationFrame(raf)),
  };
}

// Each mount draws into a child of its own: the root also holds the component's <style> (live.css).
function mountInto(root, html) {
  let own = root.querySelector(":scope > .vae-mount");
  if (!own) {
    own = document.createElement("div");
    own.className = "vae-mount";
    root.append(own);
  }
  own.innerHTML = html;
  return own.firstElementChild;
}

function decimalsOf(step) {
  const text = String(step);
  return text.includes(".") ? text.split(".")[1].length : 0;
}

// Shown once the model is here, so a page never has a live slider without its live picture (no model: at once,
// the manifold's grid size, whose pictures come from the server).
function showWhenReady(element, modelId, then = () => {}) {
  const ready = modelId ? modelSlot(modelId).ready : Promise.resolve();
  ready.then(() => (markReady(element), then()), () => {});
}

function mountSliders(data, root, setTriggerValue) {
  const box = mountInto(root, '<div class="vae-live vae-sliders"></div>');
  box.dataset.group = data.group; // for tests: a page may have more than one group
  const group = liveGroup(data.group);
  const notify = (now = false) => group.listeners.forEach((fn) => fn(now));
  for (const s of data.sliders) {
    if (Array.isArray(s.value)) {
      box.append(rangeSlider(s, data.group, notify, setTriggerValue));
      continue;
    }
    const decimals = decimalsOf(s.step);
    // A slider over `options` (a select_slider's, e.g. the replay's epochs) runs over their positions and stands
    // for the option at its position: the readout, the group's value, the release and what a screen reader says.
    const optionAt = (position) => (s.options ? s.options[position] : position);
    const label = document.createElement("label");
    label.className = "vae-slider";
    // The readout is no <output>: a label names its first labelable element, which would be the readout, leaving
    // the slider without a name; the slider tells its own value, so the readout is hidden from screen readers.
    label.innerHTML = '<span class="vae-slider-head"><span></span><span class="vae-slider-value" aria-hidden="true">'
      + '</span></span><input type="range">';
    const [name, readout, input] = [label.querySelector("span span"), label.querySelector(".vae-slider-value"),
      label.querySelector("input")];
    name.textContent = s.label;
    Object.assign(input, { min: s.min, max: s.max, step: s.step,
      value: s.options ? s.options.indexOf(s.value) : s.value });
    input.dataset.key = s.key;
    const show = () => {
      const v = optionAt(Number(input.value));
      readout.textContent = s.options ? String(v) : v.toFixed(decimals);
      if (s.options) input.setAttribute("aria-valuetext", String(v));
      group.values.set(s.key, v);
    };
    show();
    const release = () => setTriggerValue("release", { [s.key]: optionAt(Number(input.value)) });
    onThumb(input, data.group, (now) => (show(), notify(now)));
    input.addEventListener("vae-follow", show);
    input.addEventListener("change", release);
    if (s.play_ms) {
      const row = document.createElement("div");
      row.className = "vae-slider-row";
      row.append(playButton(input, s.play_ms, () => (show(), notify()), release), label);
      box.append(row);
    } else box.append(label);
    addHelp(box, s, input);
  }
  notify(); // the values may have changed with this mount (a rerun after a release, a reset)
  // A value set by another control of the group (a live Reset) moves the thumb there.
  const follow = () => box.querySelectorAll(".vae-slider:not(.vae-range) input[type=range]").forEach((input) => {
    const s = data.sliders.find((t) => t.key === input.dataset.key);
    const value = group.values.get(s.key);
    const position = s.options ? s.options.indexOf(value) : value;
    if (value !== undefined && position !== -1 && Number(input.value) !== Number(position)) {
      input.value = String(position);
      input.dispatchEvent(new Event("vae-follow"));
    }
  });
  group.listeners.add(follow);
  // Each key press is a release that reruns the page, which mounts the sliders anew (the old ones, focus and all,
  // are gone): the keyboard user is put back on the slider, unless the focus went somewhere else meanwhile.
  showWhenReady(box, data.model, () => {
    const keyed = keyedSliders.get(data.group);
    const lost = document.activeElement === document.body || document.activeElement === null;
    if (keyed && lost && performance.now() - keyed.at < REFOCUS_MS)
      box.querySelector(`input[data-key="${keyed.key}"]`)?.focus();
  });
  return () => group.listeners.delete(follow);
}
const keyedSliders = new Map(); // group -> {key, at}: the slider last moved with a key, and when

// Every move of a slider's thumb calls moved(now): its pictures redraw, a drag's once per animation frame, a key
// press's in its own task (`now`). The key press is noted, so the rerun it causes can put the focus back.
function onThumb(input, groupName, moved) {
  let keyed = false;
  input.addEventListener("input", () => (moved(keyed), (keyed = false)));
  input.addEventListener("keydown", () => {
    keyed = true;
    keyedSliders.set(groupName, { key: input.dataset.key, at: performance.now() });
  });
  input.addEventListener("keyup", () => (keyed = false));
}

// A range over one track with two thumbs (the pad's axes; twin an st.slider whose value is (start, end)): the
// group's value is [start, end]. Each thumb is a range input of its own, laid over the other, named as Streamlit
// names them ("label — start", "label — end"), and stops at the other thumb.
function rangeSlider(s, groupName, notify, setTriggerValue) {
  const decimals = decimalsOf(s.step);
  const box = document.createElement("div");
  box.className = "vae-slider vae-range";
  box.setAttribute("role", "group");
  box.innerHTML = '<span class="vae-slider-head"><span></span><span class="vae-slider-value" aria-hidden="true">'
    + '</span></span><div class="vae-range-track"><input type="range"><input type="range"></div>';
  const [name, readout] = box.querySelectorAll(".vae-slider-head span");
  name.textContent = s.label;
  box.setAttribute("aria-label", s.label);
  const track = box.querySelector(".vae-range-track");
  const inputs = [...track.querySelectorAll("input")];
  const values = () => inputs.map((input) => Number(input.value));
  const show = () => {
    const [start, end] = values();
    readout.textContent = `${start.toFixed(decimals)} to ${end.toFixed(decimals)}`;
    const at = (v) => `${(100 * (v - s.min)) / (s.max - s.min)}%`; // the span between the thumbs is filled
    track.style.setProperty("--vae-range-start", at(start));
    track.style.setProperty("--vae-range-end", at(end));
    // Where the thumbs meet, the one that can still move away from the other is on top.
    inputs[0].classList.toggle("on-top", start === end && start > (s.min + s.max) / 2);
    liveGroup(groupName).values.set(s.key, [start, end]);
  };
  inputs.forEach((input, i) => {
    Object.assign(input, { min: s.min, max: s.max, step: s.step, value: s.value[i] });
    input.setAttribute("aria-label", `${s.label} — ${i ? "end" : "start"}`);
    input.dataset.key = `${s.key}:${i}`; // the keyboard user is put back on this thumb after the rerun
    onThumb(input, groupName, (now) => {
      const [start, end] = values();
      if (start > end) input.value = String(i ? start : end);
      show();
      notify(now);
    });
    input.addEventListener("change", () => setTriggerValue("release", { [s.key]: values() }));
  });
  show();
  return box;
}

// Play: steps the slider one position every `everyMs`, its pictures following as on a drag, from the start when it
// stands at the end. The last position, or the one where Pause was pressed, is released to Python (one rerun, not
// one per step). Taking the thumb stops it; that drag's own release then counts.
function playButton(input, everyMs, moved, release) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "vae-play";
  let timer = 0;
  const show = (playing) => {
    button.innerHTML = playing ? '<span aria-hidden="true">&#10074;&#10074;</span> Pause'
      : '<span aria-hidden="true">&#9654;</span> Play';
  };
  const stop = (send) => {
    if (!timer) return;
    clearInterval(timer);
    timer = 0;
    show(false);
    if (send) release();
  };
  const step = () => {
    if (!input.isConnected) return stop(false); // a rerun mounted the sliders anew
    const next = Number(input.value) + Number(input.step);
    if (next > Number(input.max)) return stop(true);
    input.value = String(next);
    moved();
    if (next + Number(input.step) > Number(input.max)) stop(true); // the last position: released as it shows
  };
  button.addEventListener("click", () => {
    if (timer) return stop(true);
    if (Number(input.value) + Number(input.step) > Number(input.max)) (input.value = input.min, moved());
    timer = setInterval(step, everyMs);
    show(true);
  });
  for (const taken of ["pointerdown", "keydown"]) input.addEventListener(taken, () => stop(false));
  show(false);
  return button;
}

// A button that moves values of its group at once: the next draw number (`key`, at most `max`: a Resample), or
// the given `values` ({key: value}: a Reset). The pictures that hold the new values show them (paramsNow), the
// group's sliders move there, and the values go to Python as one release.
function mountStepper(data, root, setTriggerValue) {
  const box = mountInto(root, '<div class="vae-live vae-stepper"><button type="button"></button></div>');
  box.dataset.group = data.group; // for tests
  box.classList.toggle("fit", Boolean(data.values));
  const button = box.querySelector("button");
  button.textContent = data.label;
  const group = liveGroup(data.group);
  const notify = (now = false) => group.listeners.forEach((fn) => fn(now));
  if (data.key) {
    group.values.set(data.key, data.value);
    notify();
  }
  const focusKey = data.key ?? data.label;
  button.addEventListener("click", () => {
    const values = data.values ?? { [data.key]: Math.min(data.max, (group.values.get(data.key) ?? data.value) + 1) };
    noteFocus(focusKey, button);
    for (const [key, value] of Object.entries(values)) group.values.set(key, value);
    notify(true);
    setTriggerValue("release", values);
  });
  showWhenReady(box, data.model, () => focusAgain(focusKey, button));
}

// A stepper's or choice's press reruns the page, which mounts it anew (the old one, focus and all, is gone): the
// new one gets the focus if the old had it when used, unless the focus went somewhere else meanwhile.
const usedWithFocus = new Map(); // key -> when its control was last used with the focus on it
function noteFocus(key, element) {
  if (document.activeElement === element) usedWithFocus.set(key, performance.now());
}
function focusAgain(key, element) {
  const lost = document.activeElement === document.body || document.activeElement === null;
  if (element && lost && performance.now() - (usedWithFocus.get(key) ?? -Infinity) < REFOCUS_MS) element.focus();
}

// A choice among a few values (the number of draws), as radio buttons side by side: a choice shows at once in
// the group's pictures that hold that value's params (paramsNow) and goes to Python as a release. The arrow keys
// move the choice, as in any radio group. A choice may change the pictures of several groups (Interpolate's path:
// the strip's and the frame's): `group` is then a list.
function mountChoices(data, root, setTriggerValue) {
  const box = mountInto(root, '<fieldset class="vae-live vae-choices"><legend></legend><div></div></fieldset>');
  const groups = [data.group].flat();
  box.dataset.group = groups.join(" "); // for tests
  box.querySelector("legend").textContent = data.label;
  const choose = (value, now = false) => groups.map(liveGroup).forEach((group) => {
    group.values.set(data.key, value);
    group.listeners.forEach((fn) => fn(now));
  });
  choose(data.value);
  // A user's choice: shown at once by the group's pictures, then released to Python; the focus noted under
  // `focusKey` (the control used), so the rerun can put it back.
  const release = (value, control, focusKey = data.key) => {
    noteFocus(focusKey, control);
    choose(value, true);
    setTriggerValue("release", { [data.key]: value });
  };
  if (data.style === "select") return mountSelect(data, box, release);
  if (data.style === "pills") return mountPills(data, box, release);
  if (data.style === "switch") return mountSwitch(data, box, release);
  const name = `vae-choice-${data.key}`;
  for (const option of data.options) {
    const label = document.createElement("label");
    label.innerHTML = '<input type="radio"><span></span>';
    const input = label.querySelector("input");
    Object.assign(input, { name, value: String(option), checked: option === data.value });
    label.querySelector("span").textContent = String(option);
    input.addEventListener("change", () => release(option, input));
    box.querySelector("div").append(label);
  }
  // Side by side where they fit on one line, else one under the other (a long label, a narrow column, a phone).
  const labels = box.querySelector("div").children;
  new ResizeObserver(() => {
    box.classList.remove("stacked");
    box.classList.toggle("stacked", labels[labels.length - 1].offsetTop > labels[0].offsetTop);
  }).observe(box);
  showWhenReady(box, data.model, () => focusAgain(data.key, box.querySelector("input:checked")));
}
const REFOCUS_MS = 10_000;

// A choice among many (Interpolate's endpoints): a native select box in place of the radio buttons. A closed
// select changes with the arrow keys, each change a release, as the radios'.
function mountSelect(data, box, release) {
  box.classList.add("vae-select");
  // A label of its own, not the fieldset's legend: a screen reader would say the name twice (group, then box).
  const label = document.createElement("label");
  label.textContent = data.label;
  box.querySelector("legend").replaceWith(label);
  const select = document.createElement("select");
  select.id = label.htmlFor = `vae-select-${data.key}`;
  select.append(...data.options.map((option, i) => new Option(data.labels?.[i] ?? String(option), String(option),
    false, option === data.value)));
  select.addEventListener("change", () => release(data.options[select.selectedIndex], select));
  box.querySelector("div").append(select);
  addHelp(box, data, select);
  showWhenReady(box, data.model, () => focusAgain(data.key, select));
}

// Any number of options on at once (the map's classes): checkboxes drawn as pills, as Streamlit draws st.pills. The
// group's value is the list of options on, in their order.
function mountPills(data, box, release) {
  box.classList.add("vae-pills");
  let chosen = [...data.value];
  const focusKey = (option) => `${data.key}=${option}`;
  const inputs = data.options.map((option) => {
    const label = document.createElement("label");
    label.innerHTML = '<input type="checkbox"><span></span>';
    const input = label.querySelector("input");
    Object.assign(input, { value: String(option), checked: chosen.includes(option) });
    label.querySelector("span").textContent = String(option);
    input.addEventListener("change", () => {
      chosen = data.options.filter((o) => (o === option ? input.checked : chosen.includes(o)));
      release(chosen, input, focusKey(option));
    });
    box.querySelector("div").append(label);
    return input;
  });
  // After the rerun, the focus goes back to the pill last used with it.
  const used = (i) => usedWithFocus.get(focusKey(data.options[i])) ?? -Infinity;
  const last = data.options.reduce((best, _, i) => (used(i) > used(best) ? i : best), 0);
  showWhenReady(box, data.model, () => focusAgain(focusKey(data.options[last]), inputs[last]));
}

// On or off (the map's range): a switch, as Streamlit draws st.toggle, with its `help` shown under it (a phone has
// no tooltip).
function mountSwitch(data, box, release) {
  box.classList.add("vae-switch");
  box.querySelector("legend").remove(); // the switch's own label names it
  const label = document.createElement("label");
  label.innerHTML = '<input type="checkbox" role="switch"><span class="track"></span><span class="text"></span>';
  const input = label.querySelector("input");
  input.checked = data.value === true;
  label.querySelector(".text").textContent = data.label;
  input.addEventListener("change", () => release(input.checked, input));
  box.querySelector("div").append(label);
  addHelp(box, data, input);
  showWhenReady(box, data.model, () => focusAgain(data.key, input));
}

// A choice's or slider's `help`, shown under it and read out with its `control`.
function addHelp(box, data, control) {
  if (!data.help) return;
  const help = document.createElement("small");
  help.id = `vae-help-${data.key}`;
  help.textContent = data.help;
  control.setAttribute("aria-describedby", help.id);
  box.append(help);
}

// The path's ends, a and b, where an end that is the current digit (Interpolate's "current digit", listed in
// `follows`) is the posterior's mu: a sidebar digit button moves it at once.
function endsOf(data) {
  return ["a", "b"].map((end) => (data.follows?.includes(end) ? data.posterior.mu : data[end]));
}

// sigma * eps_i for each row eps_i of `eps` (n * D, flat), as float32 like torch's.
function spreadOf(std, eps) {
  return Float32Array.from(eps, (e, i) => std[i % std.length] * e);
}

// Codes for the group's current values, n * latentDim, by the picture's mode. `posterior` {mu, std, name} is the
// current digit's q(z|x), which a sidebar digit button replaces at once (digits.js):
//   mu:    z = mu (the current digit's decoded mu: no slider moves it, a digit button does);
//   shift: z = mu + unit * v, v[d] the value of keys[d] (mean perturbation: one slider per dimension; unit "std":
//          sigma, else the unit vector given);
//   scale: z_i = mu + v * (sigma * eps_i) (variance), or center + v * spread_i (temperature: 0 + T * eps_i);
//   path:  z = codes[v] (the interpolation frame; where an end follows the current digit or moved (`decode`), the
//          path anew);
//   count: z_i = mu + sigma * eps[v]_i, v codes (stochastic reconstructions: the draws describe_digit makes for
//          v samples, which are not the first v of a larger draw);
//   between: v codes on the path from a to b, "linear" or "slerp" by `method` (the interpolation strip, v steps;
//          endsOf: an end may follow the current digit);
// the words for the picture's text alternative and caption ({value}, {offsets}, {t}), and n where the number of
// pictures follows the value. A mode may return `probs` (n * 784 pixel probabilities) instead of codes: they are
// painted as they are, with nothing decoded:
//   crossfade: v pictures blending ends[0] into ends[1] pixel by pixel (grey levels 0..255; the interpolation
//              page's pixel cross-fade of the decoded end pictures, v steps; an end that follows the current digit
//              is its mu decoded here, an end listed in `decode` its code).
// The number of pictures of a mode whose n follows the value: the value, else (its slider not yet mounted; its
// mount then redraws the group) the smallest count the picture has a width for.
const countOf = (data, values) => Math.round(values.get(data.key) ?? Math.min(...Object.keys(data.widths)));
const MODES = {
  mu(data) {
    return { codes: Float32Array.from(data.posterior.mu), words: {} };
  },
  shift(data, values) {
    const v = data.keys.map((k) => values.get(k) ?? 0);
    const [mu, unit] = [data.posterior.mu, data.unit === "std" ? data.posterior.std : data.unit];
    const codes = Float32Array.from(mu, (m, d) => m + unit[d] * v[d]);
    const moved = v.map((x, d) => (x ? `z${d} ${x > 0 ? "+" : ""}${x.toFixed(1)}` : "")).filter(Boolean);
    return { codes, words: { offsets: moved.join(", ") || "no offsets" } };
  },
  scale(data, values) {
    const v = values.get(data.key) ?? 0;
    const [center, spread] = data.eps ? [data.posterior.mu, spreadOf(data.posterior.std, data.eps)]
      : [data.center, data.spread];
    const d = center.length;
    const codes = buffer("scale", data.n * d);
    for (let i = 0; i < data.n; i++)
      for (let j = 0; j < d; j++) codes[i * d + j] = center[j] + v * spread[i * d + j];
    return { codes, words: { value: v.toFixed(decimalsOf(data.step)) } };
  },
  path(data, values) {
    const v = Math.round(values.get(data.key) ?? 0);
    const t = Math.min(data.codes.length - 1, Math.max(0, v));
    const words = { value: String(t), t: (t / (data.codes.length - 1)).toFixed(2) };
    if (!data.follows?.length && !data.decode) return { codes: Float32Array.from(data.codes[t]), words };
    const d = data.a.length;
    return { codes: interpolateCodes(...endsOf(data), data.codes.length, data.method).slice(t * d, (t + 1) * d), words };
  },
  count(data, values) {
    const v = countOf(data, values);
    const { mu, std } = data.posterior;
    const spread = spreadOf(std, data.eps[v]);
    const d = mu.length;
    const codes = buffer("count", v * d);
    for (let i = 0; i < v * d; i++) codes[i] = mu[i % d] + spread[i];
    return { codes, n: v, words: { value: String(v) } };
  },
  between(data, values) {
    const v = countOf(data, values);
    return { codes: interpolateCodes(...endsOf(data), v, data.method), n: v, words: { value: String(v) } };
  },
  crossfade(data, values, model) {
    const v = countOf(data, values);
    // An end that follows the current digit is its decoded mu, in grey levels as the server's frames.
    // An end whose code changed since the run (`decode`: a live endpoint choice), its code decoded.
    const decoded = (code) => greyLevels(decodeCodes(model, Float32Array.from(code), 1));
    const grey = (end, i) => (data.follows?.includes(end) ? decoded(data.posterior.mu)
      : data.decode?.includes(end) ? decoded(data[end]) : data.ends[i]);
    const [a, b] = ["a", "b"].map((end, i) => Float32Array.from(grey(end, i), (g) => g / 255)); // as interpolation_strip
    return { probs: pixelCrossfade(a, b, v), n: v, words: { value: String(v) } };
  },
};

// Pixel probabilities as 8-bit grey levels, as vae_core.render.grey_to_uint8.
function greyLevels(probs) {
  return Uint8Array.from(probs, (p) => Math.floor(Math.min(1, Math.max(0, p)) * 255 + 0.5));
}

function fill(template, words) {
  return template.replace(/\{(\w+)\}/g, (all, name) => words[name] ?? all);
}

// Tile uint8 pictures like vae_core.render.image_grid: padding 2 of grey 64 around and between the cells (`pad`
// 0: none, the manifold's grid); cell `framed` (from 0) framed in white, as vae_core.render.outline_cell.
const PAD = 2;
const PAD_GREY = 64;
function paintGrid(image, probs, n, nrow, pad = n > 1 ? PAD : 0, framed = -1) {
  const side = image.width;
  const d = image.data;
  if (pad) for (let i = 0; i < d.length; i += 4) (d[i] = d[i + 1] = d[i + 2] = PAD_GREY), (d[i + 3] = 255);
  for (let k = 0; k < n; k++) {
    const top = pad + Math.floor(k / nrow) * (28 + pad);
    const left = pad + (k % nrow) * (28 + pad);
    for (let r = 0; r < 28; r++)
      for (let c = 0; c < 28; c++) {
        const p = probs[k * 784 + r * 28 + c];
        const g = Math.floor(Math.min(1, Math.max(0, p)) * 255 + 0.5); // as vae_core.render.grey_to_uint8
        const at = 4 * ((top + r) * side + left + c);
        d[at] = d[at + 1] = d[at + 2] = g;
        d[at + 3] = 255;
      }
  }
  if (pad && framed >= 0 && framed < n) {
    const [top, left] = [pad + Math.floor(framed / nrow) * (28 + pad), pad + (framed % nrow) * (28 + pad)];
    for (let r = 0; r < 28; r++)
      for (let c = 0; c < 28; c++) {
        if (r >= pad && r < 28 - pad && c >= pad && c < 28 - pad) continue;
        const at = 4 * ((top + r) * side + left + c);
        d[at] = d[at + 1] = d[at + 2] = 255;
      }
  }
}

// The cell (from 0) of a grid painted by paintGrid (`shape`: layout's) under a pointer event on its canvas, or -1
// on the padding between cells or past the last.
function cellAt(event, canvas, shape) {
  const box = canvas.getBoundingClientRect();
  const [x, y] = [(event.clientX - box.left) * (canvas.width / box.width),
    (event.clientY - box.top) * (canvas.height / box.height)];
  const [col, row] = [Math.floor((x - PAD) / (28 + PAD)), Math.floor((y - PAD) / (28 + PAD))];
  const inside = (v) => v - PAD - Math.floor((v - PAD) / (28 + PAD)) * (28 + PAD) < 28;
  const k = row * shape.cols + col;
  return col >= 0 && col < shape.cols && row >= 0 && inside(x) && inside(y) && k < shape.n ? k : -1;
}

// A picture may hold its params for other values of keys of its group (`variants`: {key: {value: the run's,
// held: {value: params}}}): the next draw number's noise, or another number of draws, which a live Resample
// button or Samples choice moves to before Python knows. The params for the values now; null where a value is
// neither the run's nor held, or where two keys moved before the run (the frame then stays as it is).
function paramsNow(data, values) {
  let params = data;
  for (const [key, { value, held }] of Object.entries(data.variants ?? {})) {
    const now = String(values.get(key) ?? value);
    if (now === String(value)) continue;
    if (!held[now] || params !== data) return null;
    params = { ...params, ...held[now] };
  }
  return params;
}

function mountPicture(mounted, root) {
  let data = mounted;
  const figure = mountInto(root, '<figure class="vae-live vae-live-picture"><canvas role="img"></canvas><figcaption></figcaption></figure>');
  figure.dataset.group = data.group;
  const [canvas, caption] = [figure.querySelector("canvas"), figure.querySelector("figcaption")];
  caption.hidden = !data.caption;
  const ctx = canvas.getContext("2d");
  // n pictures, `nrow` per row (0: all in one row), shown data.widths[n] px wide (or data.width): sized anew
  // whenever the mode's n changes.
  let shape = null;
  function layout(n, params = data) {
    const width = params.widths?.[n] ?? params.width;
    if (shape?.n === n && shape.width === width) return shape;
    const cols = Math.min(params.nrow || n, n);
    const rows = Math.ceil(n / cols);
    const pad = n > 1 ? PAD : 0;
    canvas.width = cols * (28 + pad) + pad;
    canvas.height = rows * (28 + pad) + pad;
    canvas.style.width = `${width}px`;
    return (shape = { n, width, cols, image: ctx.createImageData(canvas.width, canvas.height) });
  }
  layout(data.n ?? 1); // where the mode says n (data.n is null), its first frame sizes the picture
  const group = liveGroup(data.group);
  let model = null;
  let dirty = true;
  let alive = true;
  const loop = frameLoop(frame);
  // A drag's moves are drawn once per animation frame; a press (a choice, a button: `now`) in its own task, so
  // its picture is in the next frame, not in the one after.
  const redraw = (now = false) => {
    dirty = true;
    if (now === true) frame(performance.now());
    else loop.invalidate();
  };
  group.listeners.add(redraw);
  // A picture around the current digit's posterior draws a sidebar button's new digit at once; the rerun that
  // follows mounts it anew with the same.
  const onDigit = (choice) => {
    data = { ...data, posterior: { mu: choice.posterior[0], std: choice.posterior[1], name: choice.name } };
    redraw(true);
  };
  if (data.posterior) digitListeners.add(onDigit);

  function frame(at) {
    if (!dirty || !model) return;
    dirty = false;
    const start = performance.now();
    const params = paramsNow(data, group.values);
    if (!params) return; // a value it does not hold (a second Resample before the run): the frame stays
    const { codes, probs, words: modeWords, n = params.n } = MODES[data.mode](params, group.values, model);
    const words = { ...params.words, ...modeWords, name: data.posterior?.name };
    const { cols, image } = layout(n, params);
    const picked = data.pick ? group.values.get(data.pick) : undefined;
    paintGrid(image, probs ?? decodeCodes(model, codes, n), n, cols, n > 1 ? PAD : 0, (picked ?? 0) - 1);
    ctx.putImageData(image, 0, 0);
    lastFrameAt = performance.now();
    if (picked !== undefined) words.pick = String(picked);
    canvas.setAttribute("aria-label", fill(data.alt, words));
    if (data.caption) caption.textContent = fill(data.caption, words);
    recordFrame(group.stats, start, performance.now(), at);
  }

  // A grid to choose from (Sample's draws; `pick`: the key of the group's slider that numbers the choice from 1):
  // a click or tap on a cell moves that slider there, which frames the cell and releases the choice to Python.
  if (data.pick) {
    canvas.classList.add("vae-pickable");
    canvas.addEventListener("click", (event) => {
      const k = shape ? cellAt(event, canvas, shape) : -1;
      const slider = document.querySelector(`.vae-sliders[data-group="${data.group}"] input[data-key="${data.pick}"]`);
      if (k < 0 || !slider || Number(slider.value) === k + 1) return;
      slider.value = String(k + 1);
      slider.dispatchEvent(new Event("input")); // the group's value, and this picture's redraw, as a drag's
      redraw(true); // but drawn in the click's own task, as any press
      slider.dispatchEvent(new Event("change"));
    });
  }

  modelSlot(data.model).ready.then((ready) => {
    if (!alive) return;
    model = ready;
    redraw();
    markReady(figure);
  }, () => {});
  redraw();
  return () => {
    alive = false;
    loop.stop();
    group.listeners.delete(redraw);
    digitListeners.delete(onDigit);
  };
}

// A flipbook: one of the pictures of its source (pick.js sources: {frames: {value: picture_html}}), the one for
// the value of its group's slider `key`, swapped in at once as the slider moves (the Training replay's epochs: the
// server drew every epoch's pictures once). Each frame is parsed once and kept, with its image decoded ahead, so
// moving back and forth never waits for a decode. Until the slider is mounted, the frame of `value`.
function mountFrames(data, root) {
  const box = mountInto(root, '<div class="vae-live vae-frames ready"></div>');
  box.dataset.group = data.group; // for tests and benchmarks
  const group = liveGroup(data.group);
  const source = pickSource(data.source);
  const figures = new Map(); // String(value) -> its parsed <figure>
  let shown;
  const figureOf = (value) => {
    const html = source.data?.frames[value];
    if (html !== undefined && !figures.has(value)) {
      const template = document.createElement("template");
      template.innerHTML = html;
      figures.set(value, template.content.firstElementChild);
    }
    return figures.get(value);
  };
  const show = () => {
    const value = String(group.values.get(data.key) ?? data.value);
    const figure = figureOf(value);
    if (!figure || value === shown) return;
    shown = value;
    box.replaceChildren(figure);
    lastFrameAt = performance.now();
  };
  const received = () => {
    show();
    for (const value of Object.keys(source.data?.frames ?? {}))
      figureOf(value).querySelector("img")?.decode().catch(() => {});
  };
  group.listeners.add(show);
  source.listeners.add(received);
  if (source.data) received();
  return () => {
    group.listeners.delete(show);
    source.listeners.delete(received);
  };
}
