// A line chart drawn here as SVG, as wide as its column and with the page's text sizes, whose marker stands at the
// value of its group's slider `key` and moves with the thumb (the Training replay's ELBO curve at the epoch shown).
// The server sends what to draw (views/live live_chart): the series, each axis's range (a log axis in log10 units)
// and ticks, and for each slider value the marker's place, its label and the chart's text alternative.

const SVG_NS = "http://www.w3.org/2000/svg";

function svgChild(parent, name, attributes, text) {
  const element = document.createElementNS(SVG_NS, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  if (text !== undefined) element.textContent = text;
  parent.append(element);
  return element;
}

function mountChart(data, root) {
  const box = mountInto(root, '<div class="vae-live vae-chart ready"><svg role="img"></svg><ul></ul></div>');
  box.dataset.group = data.group; // for tests and benchmarks
  const [svg, legend] = [box.querySelector("svg"), box.querySelector("ul")];
  for (const s of data.series) {
    const item = document.createElement("li");
    item.innerHTML = '<span class="swatch" aria-hidden="true"></span>';
    item.firstChild.style.background = s.colour;
    item.append(s.name);
    legend.append(item);
  }
  const group = liveGroup(data.group);
  let plot = null; // the drawn chart's geometry and its marker, for `mark`
  const fontSize = () => parseFloat(getComputedStyle(svg).fontSize) || 14; // presenter mode's is larger
  const grown = () => Math.min(1.5, Math.max(1, fontSize() / 14)); // as pictures grow in presenter mode
  const chartWidth = () => Math.max(200, Math.min(data.width * grown(), box.clientWidth || data.width));

  const draw = () => {
    const [width, font] = [chartWidth(), fontSize()];
    const height = Math.round(Math.max(12 * font, Math.min(data.height * grown(), width * 0.7)));
    legend.style.width = `${width}px`; // centred under the chart, not under the column
    const [left, right, top, bottom] = [4.6 * font, width - 0.8 * font, 1.8 * font, height - 3.2 * font];
    const along = (axis, v) => (data[axis].log ? Math.log10(v) : v);
    const x = (v) => left + ((along("x", v) - data.x.lo) / (data.x.hi - data.x.lo)) * (right - left);
    const y = (v) => bottom - ((v - data.y.lo) / (data.y.hi - data.y.lo)) * (bottom - top);
    svg.replaceChildren();
    Object.assign(svg.style, { width: `${width}px`, height: `${height}px` });
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    const clip = `vae-chart-clip-${data.group}`;
    svgChild(svgChild(svg, "clipPath", { id: clip }), "rect",
      { x: left, y: top, width: right - left, height: bottom - top });
    const grid = svgChild(svg, "g", { class: "grid" });
    const labels = svgChild(svg, "g", { class: "ticks" });
    for (const [v, text] of data.y.ticks) {
      svgChild(grid, "line", { x1: left, x2: right, y1: y(v), y2: y(v) });
      svgChild(labels, "text", { x: left - 0.4 * font, y: y(v), "text-anchor": "end", "dominant-baseline": "middle" },
        text);
    }
    let lastEnd = -Infinity; // a tick label that would touch the one before it is left out (a phone's narrow chart)
    for (const [v, text] of data.x.ticks) {
      svgChild(grid, "line", { x1: x(v), x2: x(v), y1: top, y2: bottom });
      const half = 0.3 * font * text.length;
      if (x(v) - half < lastEnd + 0.4 * font) continue;
      lastEnd = x(v) + half;
      svgChild(labels, "text", { x: x(v), y: bottom + 1.2 * font, "text-anchor": "middle" }, text);
    }
    svgChild(svg, "text", { class: "title", x: (left + right) / 2, y: height - 0.6 * font, "text-anchor": "middle" },
      data.x.title);
    svgChild(svg, "text", { class: "title", transform: `translate(${0.9 * font} ${(top + bottom) / 2}) rotate(-90)`,
      "text-anchor": "middle", "dominant-baseline": "middle" }, data.y.title);
    const lines = svgChild(svg, "g", { "clip-path": `url(#${clip})` });
    for (const s of data.series)
      svgChild(lines, "polyline", { stroke: s.colour,
        points: s.x.map((v, i) => `${x(v).toFixed(1)},${y(s.y[i]).toFixed(1)}`).join(" ") });
    const line = svgChild(svg, "line", { class: "marker", y1: top, y2: bottom });
    const label = svgChild(svg, "text", { class: "marker", y: top - 0.5 * font });
    plot = { width, x, left, right, line, label, font };
  };

  const mark = () => {
    const value = String(group.values.get(data.key) ?? data.value);
    const m = data.marks[value];
    if (!m || !plot) return;
    const at = plot.x(m.x);
    for (const attribute of ["x1", "x2"]) plot.line.setAttribute(attribute, at);
    // in the right half the label ends at the line, so that it stays inside the chart
    const leftward = at > (plot.left + plot.right) / 2;
    plot.label.setAttribute("x", at + (leftward ? -0.3 : 0.3) * plot.font);
    plot.label.setAttribute("text-anchor", leftward ? "end" : "start");
    plot.label.textContent = m.label;
    svg.setAttribute("aria-label", m.alt);
    lastFrameAt = performance.now();
  };

  // A new column width, or a new text size (presenter mode turned on or off: the legend's text resizes the box).
  const resized = new ResizeObserver(() => {
    if (chartWidth() !== plot?.width || fontSize() !== plot?.font) (draw(), mark());
  });
  resized.observe(box);
  group.listeners.add(mark);
  draw();
  mark();
  return () => {
    resized.disconnect();
    group.listeners.delete(mark);
  };
}
