// The playground page: settings in, frames out. The server validates and trains; this file
// only sends settings and controls, and draws the frames it receives (see serve/frame.rs for
// their layout).
"use strict";

// ---------------------------------------------------------------------------------------------
// Colours: the figures' diverging map (class 0 blue, 0.5 white, class 1 red) and markers.
const LOW = [67, 147, 195], MID = [255, 255, 255], HIGH = [214, 96, 77];
const CLASS = ["rgb(8,48,107)", "rgb(140,10,30)"];
const NEG = [118, 42, 131], POS = [27, 120, 55]; // neuron outputs: purple < 0 < green

const mix = (a, b, t) => [0, 1, 2].map((i) => Math.round(a[i] + (b[i] - a[i]) * t));
const PROBABILITY_LUT = Array.from({ length: 256 }, (_, q) => {
  const p = q / 255;
  return p <= 0.5 ? mix(LOW, MID, p / 0.5) : mix(MID, HIGH, (p - 0.5) / 0.5);
});
const layerColour = (i, n) => {
  const t = n <= 1 ? 0 : i / (n - 1);
  const c = t < 0.5 ? mix([27, 58, 107], [150, 60, 150], t / 0.5) : mix([150, 60, 150], [224, 123, 0], (t - 0.5) / 0.5);
  return `rgb(${c[0]},${c[1]},${c[2]})`;
};

// ---------------------------------------------------------------------------------------------
// Settings: what the page shows, what the URL holds, and the request the server validates.
const DEFAULTS = {
  source: "generated", generator: "moons", noise: "0.1", separation: "5", factor: "0.5",
  turns: "1.5", samples: "600", scale: "1", standardize: false, test_fraction: "0.2",
  data_seed: "1", kind: "mlp",
  activation: "relu", layers: ["20", "20"], learning_rate: "0.01", l2: "0", batch_size: "",
  early: false, tolerance: "0.00001", patience: "20", budget: "", training_seed: "1", epf: 10,
};
const GENERATOR_FIELDS = {
  blobs: ["separation"], moons: ["noise"], xor: ["noise"], circles: ["noise", "factor"],
  spirals: ["noise", "turns"],
};
const URL_KEYS = [
  "source", "generator", "noise", "separation", "factor", "turns", "samples", "scale",
  "test_fraction", "data_seed", "kind", "activation", "learning_rate", "l2", "batch_size", "tolerance",
  "patience", "budget", "training_seed",
];

let settings = structuredClone(DEFAULTS);
let limits = { max_hidden_layers: 16, max_width: 128, max_epochs_per_frame: 100000 };

/** A number where the text is one, else the text itself (the server names what is wrong). */
function value(text) {
  const t = String(text).trim();
  if (t === "") return undefined;
  const n = Number(t);
  return Number.isFinite(n) && /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t) ? n : t;
}

function request(s) {
  const dataset = { test_fraction: value(s.test_fraction), seed: value(s.data_seed) };
  if (s.source === "generated") {
    dataset.generator = s.generator;
    for (const key of GENERATOR_FIELDS[s.generator] || []) dataset[key] = value(s[key]);
    dataset.samples = value(s.samples);
    const scale = value(s.scale);
    if (scale !== undefined && scale !== 1) dataset.scale = scale;
  }
  if (s.standardize) dataset.standardize = true;
  const model = { kind: s.kind, learning_rate: value(s.learning_rate) };
  if (s.kind === "mlp") {
    model.hidden_layers = s.layers.map(value);
    model.activation = s.activation;
  }
  const l2 = value(s.l2);
  if (l2 !== undefined && l2 !== 0) model.l2 = l2;
  if (value(s.batch_size) !== undefined) model.batch_size = value(s.batch_size);
  if (s.early) {
    model.tolerance = value(s.tolerance);
    model.patience = value(s.patience);
  }
  if (value(s.budget) !== undefined) model.epochs = value(s.budget);
  for (const table of [dataset, model]) {
    for (const key of Object.keys(table)) if (table[key] === undefined) delete table[key];
  }
  return { dataset, model, training_seed: value(s.training_seed), data: s.source };
}

function toUrl(s) {
  const q = new URLSearchParams();
  for (const key of URL_KEYS) if (s[key] !== DEFAULTS[key]) q.set(key, s[key]);
  if (s.layers.join(",") !== DEFAULTS.layers.join(",")) q.set("layers", s.layers.join(","));
  if (s.early) q.set("early", "1");
  if (s.standardize) q.set("standardize", "1");
  if (s.epf !== DEFAULTS.epf) q.set("epf", String(s.epf));
  const text = q.toString();
  history.replaceState(null, "", text ? `?${text}` : location.pathname);
}

function fromUrl() {
  const q = new URLSearchParams(location.search);
  const s = structuredClone(DEFAULTS);
  for (const key of URL_KEYS) if (q.has(key)) s[key] = q.get(key);
  if (q.has("layers")) s.layers = q.get("layers").split(",").filter((w) => w !== "");
  s.early = q.get("early") === "1";
  s.standardize = q.get("standardize") === "1";
  if (q.has("epf")) s.epf = Math.max(1, Math.min(100000, Math.round(Number(q.get("epf"))) || 10));
  if (s.source !== "generated" && s.source !== "uploaded") s.source = "generated";
  return s;
}

// ---------------------------------------------------------------------------------------------
// The form.
const $ = (id) => document.getElementById(id);
const FIELDS = ["source", "generator", "noise", "separation", "factor", "turns", "samples",
  "scale", "test_fraction", "data_seed", "kind", "activation", "learning_rate", "l2", "batch_size",
  "tolerance", "patience", "training_seed"];

function showForm(s) {
  for (const key of FIELDS) $(key).value = s[key];
  $("early").checked = s.early;
  $("standardize").checked = s.standardize;
  $("use-budget").checked = s.budget !== "";
  $("epochs").value = s.budget !== "" ? s.budget : $("epochs").value;
  $("epf").value = Math.log10(s.epf);
  $("epf-value").textContent = s.epf;
  const layers = $("layers");
  layers.replaceChildren(...s.layers.map((w, i) => {
    const label = document.createElement("label");
    label.textContent = `layer ${i}`;
    const input = document.createElement("input");
    input.type = "number"; input.min = 1; input.max = limits.max_width; input.value = w;
    input.addEventListener("input", () => { settings.layers[i] = input.value; changed(); });
    label.append(input);
    return label;
  }));
  showFieldsFor(s);
}

function showFieldsFor(s) {
  for (const key of ["noise", "separation", "factor", "turns"]) {
    document.querySelector(`label[data-for=${key}]`).hidden =
      !(GENERATOR_FIELDS[s.generator] || []).includes(key);
  }
  $("generated-fields").hidden = s.source !== "generated";
  $("uploaded-fields").hidden = s.source !== "uploaded";
  $("mlp-fields").hidden = s.kind !== "mlp";
  $("early-fields").hidden = !s.early;
  $("budget-field").hidden = s.budget === "";
  $("add-layer").disabled = s.layers.length >= limits.max_hidden_layers;
  $("remove-layer").disabled = s.layers.length <= 1;
}

function readForm() {
  for (const key of FIELDS) settings[key] = $(key).value;
  settings.early = $("early").checked;
  settings.standardize = $("standardize").checked;
  settings.budget = $("use-budget").checked ? $("epochs").value : "";
}

let applyTimer = null;
function changed() {
  readForm();
  showFieldsFor(settings);
  clearTimeout(applyTimer);
  applyTimer = setTimeout(apply, 250);
}

// ---------------------------------------------------------------------------------------------
// The server.
let sessionId = null;
let run = null; // the reply to the last accepted settings
let phase = "starting";

async function api(method, path, body, type = "application/json") {
  const options = { method, headers: {} };
  if (body !== undefined) {
    options.body = type === "application/json" ? JSON.stringify(body) : body;
    options.headers["Content-Type"] = type;
  }
  const response = await fetch(`/api/sessions/${sessionId}${path}`, options);
  const text = await response.text();
  let reply = null;
  try { reply = JSON.parse(text); } catch { reply = { error: text }; }
  if (!response.ok) throw reply;
  return reply;
}

function showProblems(reply) {
  for (const el of document.querySelectorAll(".invalid")) el.classList.remove("invalid");
  for (const el of document.querySelectorAll(".field-error")) el.remove();
  const alert = $("alert");
  if (!reply) { alert.hidden = true; return; }
  const problems = reply.problems || [{ field: "", message: reply.error || String(reply) }];
  for (const p of problems) {
    const input = document.querySelector(`[data-field="${p.field}"]`);
    if (input) {
      input.classList.add("invalid");
      const note = document.createElement("div");
      note.className = "field-error";
      note.textContent = p.message;
      (input.closest("label") || input).after(note);
    }
  }
  alert.textContent = problems.map((p) => (p.field ? `${p.field}: ${p.message}` : p.message)).join("\n");
  alert.hidden = false;
}

/** Sends the settings; training goes on if it was running, unless `paused` is asked for. */
async function apply({ paused = false } = {}) {
  toUrl(settings);
  const wasRunning = phase === "running" && !paused;
  try {
    run = await api("PUT", "/settings", request(settings));
    showProblems(null);
    resetViews();
    $("bayes").textContent = run.bayes_error != null
      ? `Bayes error of this dataset: ${bayesText(run.bayes_error, run.bayes_uncertainty)} (the lowest test error any model can reach on it)` : "";
    if (wasRunning) await control("play");
  } catch (reply) {
    showProblems(reply);
  }
}

/** A Bayes error in per cent, with its uncertainty when it is an estimate. */
function bayesText(rate, uncertainty) {
  const pct = (v) => `${(100 * v).toFixed(2)} %`;
  return uncertainty > 5e-5 ? `${pct(rate)} ± ${(100 * uncertainty).toFixed(2)}` : pct(rate);
}

async function control(action) {
  try {
    const status = await api("POST", "/control", { action });
    // A reset starts the run again as a new generation of the same settings and data.
    if (action === "reset" && run) run.generation = status.generation;
    setPhase(status.state);
  } catch (reply) {
    showProblems(reply);
  }
}

// ---------------------------------------------------------------------------------------------
// Frames.
let socket = null;
let latest = null;      // the newest frame not yet drawn
let unacknowledged = 0; // frames received since the last drawing
let drawScheduled = false;
let lastNeurons = null;
let firstTrainLoss = null;

function parseFrame(buffer) {
  const view = new DataView(buffer);
  const n = view.getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, n)));
  const start = (4 + n + 3) & ~3;
  header.u8 = (s) => new Uint8Array(buffer, start + s.offset, s.length);
  header.f32 = (s) => new Float32Array(buffer, start + s.offset, s.length);
  return header;
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  socket = new WebSocket(`${scheme}://${location.host}/api/sessions/${sessionId}/frames`);
  socket.binaryType = "arraybuffer";
  socket.onmessage = (event) => {
    latest = parseFrame(event.data);
    unacknowledged += 1;
    if (!drawScheduled) {
      drawScheduled = true;
      requestAnimationFrame(drawLatest);
    }
  };
  socket.onclose = () => {
    showProblems({ error: "The connection to the server was lost (it stopped, or this session ended). Reload the page." });
    setPhase("disconnected");
  };
}

function drawLatest() {
  drawScheduled = false;
  if (latest && run && latest.generation === run.generation) draw(latest);
  // Acknowledge only once drawn: a hidden tab draws nothing, so its training soon waits.
  for (; unacknowledged > 0; unacknowledged--) {
    if (socket.readyState === WebSocket.OPEN) socket.send("ack");
  }
}

function setPhase(state) {
  phase = state;
  const badge = $("state");
  badge.textContent = state.replace("_", " ");
  badge.className = `badge ${state}`;
  const finished = ["completed", "early_stopped", "diverged", "failed"].includes(state);
  $("play").textContent = state === "running" ? "Pause" : "Play";
  $("play").disabled = finished || state === "disconnected";
  $("step").disabled = finished || state === "running" || state === "disconnected";
}

const fmt = (v, digits = 4) => (v == null ? "–" : Number(v).toFixed(digits));
const fmtLoss = (v) => (v == null ? "–" : v < 1e-3 ? Number(v).toExponential(3) : Number(v).toFixed(5));
const fmtRate = (v) => (v == null || v === 0 ? "–" : v >= 1e4 ? `${(v / 1e3).toFixed(0)}k` : v >= 1e3 ? `${(v / 1e3).toFixed(1)}k` : v.toFixed(0));

let drawnTimes = []; // when the last frames were drawn, for frames per second

function draw(frame) {
  const now = performance.now();
  drawnTimes.push(now);
  while (drawnTimes.length > 1 && now - drawnTimes[0] > 2000) drawnTimes.shift();
  const span = (now - drawnTimes[0]) / 1000;
  $("fps").textContent = frame.state === "running" && span > 0.2 ? ((drawnTimes.length - 1) / span).toFixed(0) : "–";
  $("epoch").textContent = frame.epoch.toLocaleString("en");
  $("rate").textContent = fmtRate(frame.epochs_per_second);
  setPhase(frame.state);
  const message = $("message");
  message.hidden = !frame.message;
  message.textContent = frame.message || "";
  $("train-loss").textContent = fmtLoss(frame.train_loss);
  $("test-loss").textContent = fmtLoss(frame.test_loss);
  if (firstTrainLoss === null && frame.train_loss != null) firstTrainLoss = frame.train_loss;
  for (const part of ["train", "test"]) {
    const m = (frame.metrics || {})[part] || {};
    for (const key of ["precision", "recall", "f1", "accuracy"]) $(`${part}-${key}`).textContent = fmt(m[key]);
  }
  if (frame.boundary) drawBoundary(frame.u8(frame.boundary), frame.misclassified ? frame.u8(frame.misclassified) : null);
  if (frame.neurons) { lastNeurons = frame; drawNeurons(frame); }
  const pairs = (points, width) => {
    const out = [];
    for (let i = 0; i + width < points.length; i += width + 1) out.push(Array.from(points.slice(i, i + width + 1)));
    return out;
  };
  const train = pairs(frame.f32(frame.train_curve), 1);
  const test = pairs(frame.f32(frame.test_curve), 1);
  drawChart($("loss"), [
    { points: train, colour: "rgb(0,114,178)", label: "training" },
    { points: test, colour: "rgb(213,94,0)", label: "test", dashed: true },
  ], { logY: $("log-loss").checked, yLabel: "loss" });
  const g = frame.gradient_norms;
  const gradients = pairs(frame.f32(g.points), g.layers);
  drawChart($("gradients"), Array.from({ length: g.layers }, (_, l) => ({
    points: gradients.map((p) => [p[0], p[l + 1]]),
    colour: layerColour(l, g.layers),
    label: l === 0 ? "layer 0 (takes the input)" : l === g.layers - 1 ? `layer ${l} (output)` : `layer ${l}`,
  })), { logY: true, yLabel: "norm" });
}

// ---------------------------------------------------------------------------------------------
// The decision boundary.
const boundaryImage = document.createElement("canvas");

function toCanvas(x, y, w, h) {
  const [x0, x1, y0, y1] = run.extent;
  return [((x - x0) / (x1 - x0)) * w, ((y1 - y) / (y1 - y0)) * h];
}

function drawBoundary(grid, wrong) {
  const canvas = $("boundary");
  const ctx = canvas.getContext("2d");
  const n = run.boundary_grid;
  const w = canvas.width, h = canvas.height;
  boundaryImage.width = n; boundaryImage.height = n;
  const ictx = boundaryImage.getContext("2d");
  const image = ictx.createImageData(n, n);
  for (let i = 0; i < n * n; i++) {
    const c = PROBABILITY_LUT[grid[i]];
    image.data[4 * i] = c[0]; image.data[4 * i + 1] = c[1]; image.data[4 * i + 2] = c[2]; image.data[4 * i + 3] = 255;
  }
  ictx.putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.clearRect(0, 0, w, h);
  // Cell centres sit half a cell in from the edges.
  ctx.drawImage(boundaryImage, 0, 0, w, h);
  drawContour(ctx, grid, n, w, h, Math.round(255 * run.threshold));
  drawPoints(ctx, w, h, wrong);
}

/** The threshold contour by marching squares over the grid's cell centres. */
function drawContour(ctx, grid, n, w, h, level) {
  const at = (r, c) => grid[r * n + c];
  const px = (c) => ((c + 0.5) / n) * w, py = (r) => ((r + 0.5) / n) * h;
  const cross = (a, b) => (level - a) / (b - a || 1);
  ctx.beginPath();
  for (let r = 0; r + 1 < n; r++) {
    for (let c = 0; c + 1 < n; c++) {
      const v = [at(r, c), at(r, c + 1), at(r + 1, c + 1), at(r + 1, c)];
      const edges = [];
      // top, right, bottom, left edges of the cell
      if ((v[0] >= level) !== (v[1] >= level)) edges.push([px(c + cross(v[0], v[1])), py(r)]);
      if ((v[1] >= level) !== (v[2] >= level)) edges.push([px(c + 1), py(r + cross(v[1], v[2]))]);
      if ((v[3] >= level) !== (v[2] >= level)) edges.push([px(c + cross(v[3], v[2])), py(r + 1)]);
      if ((v[0] >= level) !== (v[3] >= level)) edges.push([px(c), py(r + cross(v[0], v[3]))]);
      for (let k = 0; k + 1 < edges.length; k += 2) {
        ctx.moveTo(edges[k][0], edges[k][1]);
        ctx.lineTo(edges[k + 1][0], edges[k + 1][1]);
      }
    }
  }
  ctx.strokeStyle = "#000";
  ctx.lineWidth = (2 * w) / 480;
  ctx.stroke();
}

function drawPoints(ctx, w, h, wrong) {
  const train = run.train, test = run.test || [];
  const k = w / 480; // marker sizes are for a 480-pixel plane
  ctx.lineWidth = k;
  for (const [x, y, label] of train) {
    const [u, v] = toCanvas(x, y, w, h);
    ctx.beginPath(); ctx.arc(u, v, 4 * k, 0, 2 * Math.PI);
    ctx.fillStyle = CLASS[label]; ctx.fill(); ctx.strokeStyle = "#fff"; ctx.stroke();
  }
  for (const [x, y, label] of test) {
    const [u, v] = toCanvas(x, y, w, h);
    ctx.beginPath(); ctx.moveTo(u, v - 6 * k); ctx.lineTo(u + 5.5 * k, v + 4 * k); ctx.lineTo(u - 5.5 * k, v + 4 * k); ctx.closePath();
    ctx.fillStyle = CLASS[label]; ctx.fill(); ctx.strokeStyle = "#fff"; ctx.stroke();
  }
  if (!wrong) return;
  ctx.strokeStyle = "#000"; ctx.lineWidth = 2 * k;
  const all = train.concat(test);
  for (let i = 0; i < all.length && i < wrong.length; i++) {
    if (!wrong[i]) continue;
    const [u, v] = toCanvas(all[i][0], all[i][1], w, h);
    ctx.beginPath(); ctx.arc(u, v, 8 * k, 0, 2 * Math.PI); ctx.stroke();
  }
}

// ---------------------------------------------------------------------------------------------
// Hidden neurons: one canvas per layer, one tile per neuron, coloured by sign.
const NEURON_HEIGHT = 330;

function drawNeurons(frame) {
  const box = $("neurons");
  const info = frame.neurons;
  const n = info.grid;
  if (box.children.length !== info.layers.length || box.querySelector("p")) {
    box.replaceChildren(...info.layers.map((layer, l) => {
      const div = document.createElement("div");
      div.className = "layer";
      const label = document.createElement("span");
      label.textContent = `layer ${l}`;
      label.title = `${layer.ranges.length} neurons: the outputs of weight layer ${l}`;
      div.append(label, document.createElement("canvas"));
      return div;
    }));
  }
  info.layers.forEach((layer, l) => {
    const count = layer.ranges.length;
    const columns = count <= 8 ? 1 : count <= 24 ? 2 : count <= 64 ? 4 : 8;
    const rows = Math.ceil(count / columns);
    const tile = Math.max(22, Math.min(60, Math.floor(NEURON_HEIGHT / rows)));
    const canvas = box.children[l].querySelector("canvas");
    if (canvas.width !== columns * tile || canvas.height !== rows * tile) {
      canvas.width = columns * tile; canvas.height = rows * tile;
    }
    const ctx = canvas.getContext("2d");
    const image = ctx.createImageData(canvas.width, canvas.height);
    image.data.fill(255);
    const maps = frame.u8(layer.maps);
    const inner = tile - 3;
    for (let k = 0; k < count; k++) {
      const [lo, hi] = layer.ranges[k].map((v) => (v == null ? 0 : v));
      const m = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
      const ox = (k % columns) * tile + 1, oy = Math.floor(k / columns) * tile + 1;
      for (let py = -1; py <= inner; py++) {
        const r = Math.min(n - 1, Math.max(0, Math.floor((py * n) / inner)));
        for (let px = -1; px <= inner; px++) {
          const i = 4 * ((oy + py) * canvas.width + ox + px);
          if (py < 0 || px < 0 || py === inner || px === inner) {
            // A light frame, so an all-zero neuron still shows as a tile.
            image.data[i] = 200; image.data[i + 1] = 204; image.data[i + 2] = 210;
            continue;
          }
          const c = Math.min(n - 1, Math.floor((px * n) / inner));
          const q = maps[k * n * n + r * n + c];
          const t = (lo + (q / 255) * (hi - lo)) / m;
          const colour = t >= 0 ? mix(MID, POS, t) : mix(MID, NEG, -t);
          image.data[i] = colour[0]; image.data[i + 1] = colour[1]; image.data[i + 2] = colour[2];
        }
      }
    }
    ctx.putImageData(image, 0, 0);
  });
}

// ---------------------------------------------------------------------------------------------
// Line charts with linear or log axes.
/** Round tick values from `lo` to `hi`, about `count` of them (steps of 1, 2 or 5 × 10^k, at
 * least `minStep`). */
function niceTicks(lo, hi, count, minStep = 0) {
  const span = hi - lo || 1;
  const step0 = Math.pow(10, Math.floor(Math.log10(span / count)));
  let step = [1, 2, 5, 10].map((m) => m * step0).find((s) => span / s <= count) || step0 * 10;
  step = Math.max(step, minStep);
  const ticks = [];
  for (let i = Math.ceil(lo / step); i * step <= hi + step * 1e-9; i++) ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}

/** Ticks of a log axis from 10^lo to 10^hi: powers of ten, or 1-2-5 steps (or every digit)
 * when the axis spans too few decades to show more than one power. */
function logTicks(lo, hi) {
  for (const multiples of [[1], [1, 2, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9]]) {
    const ticks = [];
    for (let k = Math.floor(lo); k <= Math.ceil(hi); k++) {
      for (const m of multiples) {
        const t = m * Math.pow(10, k);
        const e = Math.log10(t);
        if (e >= lo - 1e-9 && e <= hi + 1e-9) ticks.push(t);
      }
    }
    if (ticks.length >= 3 || multiples.length === 9) return ticks.length > 8 ? ticks.filter((t) => Number.isInteger(Math.log10(t))) : ticks;
  }
  return [];
}

/** A tick label: a power of ten as 1e-3, other values in short form. */
function tickLabel(t) {
  const e = Math.log10(t);
  if (Number.isInteger(e) && Math.abs(e) >= 3) return `1e${e}`;
  return Math.abs(t) >= 1e4 || (Math.abs(t) < 1e-3 && t !== 0) ? t.toExponential(0) : String(Number(t.toPrecision(3)));
}

/** Sizes a canvas's pixels to its laid-out size (sharp on high-density screens); returns its
 * context, drawing in CSS pixels, and that size. */
function fitCanvas(canvas) {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth || 400, h = canvas.clientHeight || 200;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr); canvas.height = Math.round(h * dpr);
  }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return [ctx, w, h];
}

function drawChart(canvas, series, { logY, yLabel }) {
  const [ctx, w, h] = fitCanvas(canvas);
  const left = 62, right = 12, top = 10, bottom = 34;
  ctx.clearRect(0, 0, w, h);
  const usable = (v) => Number.isFinite(v) && (!logY || v > 0);
  let xMax = 1, yLo = Infinity, yHi = -Infinity;
  for (const s of series) for (const [x, y] of s.points) {
    if (!usable(y)) continue;
    xMax = Math.max(xMax, x);
    yLo = Math.min(yLo, y); yHi = Math.max(yHi, y);
  }
  ctx.font = "13px system-ui, sans-serif";
  ctx.fillStyle = "#5f6368";
  if (!(yLo <= yHi)) {
    ctx.fillText("no data yet", left + 10, top + 20);
    return;
  }
  const f = logY ? Math.log10 : (v) => v;
  let lo = f(yLo), hi = f(yHi);
  if (hi - lo < 1e-12) { lo -= logY ? 0.5 : Math.abs(lo) * 0.1 + 0.1; hi += logY ? 0.5 : Math.abs(hi) * 0.1 + 0.1; }
  if (!logY) lo = Math.min(lo, 0);
  const X = (x) => left + (x / xMax) * (w - left - right);
  const Y = (y) => top + (1 - (f(y) - lo) / (hi - lo)) * (h - top - bottom);
  ctx.strokeStyle = "#e1e3e6"; ctx.lineWidth = 1;
  ctx.textAlign = "right"; ctx.textBaseline = "middle";
  const yTicks = logY ? logTicks(lo, hi) : niceTicks(lo, hi, 5);
  for (const t of yTicks) {
    const y = Y(t);
    ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(w - right, y); ctx.stroke();
    ctx.fillText(tickLabel(t), left - 6, y);
  }
  ctx.textAlign = "center"; ctx.textBaseline = "top";
  for (const t of niceTicks(0, xMax, 6, 1)) {
    const x = X(t);
    ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, h - bottom); ctx.stroke();
    ctx.fillText(t >= 1e4 ? `${t / 1e3}k` : String(t), x, h - bottom + 5);
  }
  ctx.fillText("epoch", (left + w - right) / 2, h - 15);
  ctx.save(); ctx.translate(14, (top + h - bottom) / 2); ctx.rotate(-Math.PI / 2);
  ctx.fillText(yLabel + (logY ? " (log)" : ""), 0, -6); ctx.restore();
  ctx.strokeStyle = "#1e1e1e";
  ctx.strokeRect(left, top, w - left - right, h - top - bottom);
  let legendY = top + 8;
  for (const s of series) {
    ctx.beginPath();
    let pen = false;
    for (const [x, y] of s.points) {
      if (!usable(y)) { pen = false; continue; }
      if (pen) ctx.lineTo(X(x), Y(y)); else ctx.moveTo(X(x), Y(y));
      pen = true;
    }
    ctx.setLineDash(s.dashed ? [6, 4] : []);
    ctx.strokeStyle = s.colour; ctx.lineWidth = 2; ctx.stroke();
    ctx.setLineDash([]);
    const last = s.points[s.points.length - 1];
    if (last && usable(last[1])) {
      // The newest point as a dot, so a curve of one point shows too.
      ctx.beginPath(); ctx.arc(X(last[0]), Y(last[1]), 3, 0, 2 * Math.PI);
      ctx.fillStyle = s.colour; ctx.fill();
    }
    if (s.points.length && series.length <= 12) {
      ctx.fillStyle = s.colour; ctx.textAlign = "right"; ctx.textBaseline = "middle";
      ctx.fillText(s.label, w - right - 8, legendY);
      legendY += 15;
    }
  }
}

function resetViews() {
  firstTrainLoss = null;
  lastNeurons = null;
  for (const id of ["boundary", "loss", "gradients"]) {
    const c = $(id); c.getContext("2d").clearRect(0, 0, c.width, c.height);
  }
  if (run.layer_sizes.length <= 2) {
    $("neurons").innerHTML = '<p class="note">Logistic regression has no hidden neurons.</p>';
  } else {
    $("neurons").replaceChildren();
  }
  $("download").href = `/api/sessions/${sessionId}/model.json`;
}

// ---------------------------------------------------------------------------------------------
// Presets.
function presetSettings(p) {
  const s = structuredClone(DEFAULTS);
  s.epf = settings.epf;
  const d = p.dataset, m = p.model;
  s.generator = d.generator;
  for (const key of ["noise", "separation", "factor", "turns"]) if (d[key] !== undefined) s[key] = String(d[key]);
  s.scale = d.scale !== undefined ? String(d.scale) : "1";
  s.standardize = d.standardize === true;
  s.samples = String(d.samples); s.test_fraction = String(d.test_fraction); s.data_seed = String(d.seed);
  s.kind = m.kind;
  if (m.kind === "mlp") { s.layers = m.hidden_layers.map(String); s.activation = m.activation; }
  s.learning_rate = String(m.learning_rate);
  s.l2 = String(m.l2 || 0);
  s.batch_size = m.batch_size ? String(m.batch_size) : "";
  s.early = m.tolerance !== undefined;
  if (s.early) { s.tolerance = String(m.tolerance); s.patience = String(m.patience); }
  s.budget = String(m.epochs);
  s.training_seed = String(p.training_seed);
  return s;
}

const STUDY_TITLES = {
  logistic: "Logistic regression", width: "Width (2 layers)", depth: "Depth (20 per layer)",
  activation: "Sigmoid vs tanh vs ReLU", learning_rate: "Learning rate", early_stopping: "Early stopping",
};

function showPresets(presets) {
  const box = $("presets");
  const groups = new Map();
  for (const p of presets) {
    if (!groups.has(p.study)) groups.set(p.study, []);
    groups.get(p.study).push(p);
  }
  box.replaceChildren(...[...groups].map(([study, list]) => {
    const div = document.createElement("div");
    div.className = "group";
    const name = document.createElement("span");
    name.className = "group-name";
    name.textContent = STUDY_TITLES[study] || study;
    name.title = list[0].question;
    div.append(name);
    for (const p of list) {
      const b = document.createElement("button");
      b.textContent = p.point === "all" ? "load" : p.point.replace(/[a-z_]+=/g, "").replace(",", " ");
      b.title = `${study}: ${p.point}`;
      b.dataset.preset = `${study}:${p.point}`;
      b.addEventListener("click", () => {
        for (const other of box.querySelectorAll("button")) other.classList.toggle("active", other === b);
        settings = presetSettings(p);
        showForm(settings);
        // A preset starts paused at epoch 0, so its initial state can be looked at first.
        apply({ paused: true });
      });
      div.append(b);
    }
    return div;
  }));
}

// ---------------------------------------------------------------------------------------------
// Start.
function wire() {
  for (const key of FIELDS) $(key).addEventListener("input", changed);
  for (const key of ["early", "standardize", "use-budget", "epochs"]) $(key).addEventListener("input", changed);
  $("regenerate").addEventListener("click", () => {
    $("data_seed").value = String((Number.parseInt($("data_seed").value, 10) || 0) + 1);
    changed();
  });
  $("add-layer").addEventListener("click", () => {
    settings.layers.push(settings.layers[settings.layers.length - 1] || "8");
    showForm(settings); changed();
  });
  $("remove-layer").addEventListener("click", () => {
    settings.layers.pop(); showForm(settings); changed();
  });
  $("play").addEventListener("click", () => control(phase === "running" ? "pause" : "play"));
  $("step").addEventListener("click", () => control("step"));
  $("reset").addEventListener("click", () => control("reset").then(() => { if (run) resetViews(); }));
  // The clipboard needs a secure context (loopback is one; another --host over HTTP is not).
  const copy = (text) => (navigator.clipboard ? navigator.clipboard.writeText(text) : Promise.reject())
    .catch(() => prompt("Copy this:", text));
  $("epf").addEventListener("input", async () => {
    const raw = Math.pow(10, Number($("epf").value));
    const nice = raw < 10 ? Math.round(raw) : Number(raw.toPrecision(1));
    settings.epf = Math.max(1, Math.min(limits.max_epochs_per_frame, nice));
    $("epf-value").textContent = settings.epf.toLocaleString("en");
    toUrl(settings);
    try { await api("PUT", "/view", { epochs_per_frame: settings.epf }); } catch (reply) { showProblems(reply); }
  });
  $("log-loss").addEventListener("change", () => { if (latest) draw(latest); });
  addEventListener("resize", () => { if (latest && run && latest.generation === run.generation) draw(latest); });
  $("csv").addEventListener("change", async () => {
    const file = $("csv").files[0];
    if (!file) return;
    try {
      const reply = await api("POST", "/upload", await file.text(), "text/csv");
      $("csv-info").textContent = `${file.name}: ${reply.rows} rows, ${reply.positives} of class 1 (a link cannot carry the file)`;
      showProblems(null);
      apply();
    } catch (reply) { showProblems(reply); }
  });
  $("export").addEventListener("click", async () => {
    const response = await fetch(`/api/sessions/${sessionId}/study.toml`);
    const text = await response.text();
    if (!response.ok) { showProblems(JSON.parse(text)); return; }
    $("toml-text").textContent = text;
    $("toml-download").href = URL.createObjectURL(new Blob([text], { type: "application/toml" }));
    $("toml-dialog").showModal();
  });
  $("toml-copy").addEventListener("click", () => copy($("toml-text").textContent));
  $("toml-close").addEventListener("click", () => $("toml-dialog").close());
  $("copy-link").addEventListener("click", () => copy(location.href));
  document.addEventListener("keydown", (e) => {
    if (e.target.closest("input, select, textarea, dialog")) return;
    if (e.key === " ") { e.preventDefault(); $("play").click(); }
    else if (e.key === "s") $("step").click();
    else if (e.key === "r") $("reset").click();
  });
  // A visible tab says it is there; a hidden one goes quiet and its training pauses.
  setInterval(() => {
    if (document.visibilityState === "visible" && socket && socket.readyState === WebSocket.OPEN) socket.send("heartbeat");
  }, 10000);
  addEventListener("pagehide", () => navigator.sendBeacon(`/api/sessions/${sessionId}/close`));
}

async function start() {
  settings = fromUrl();
  wire();
  const created = await fetch("/api/sessions", { method: "POST" });
  const reply = await created.json().catch(() => ({ error: "the server answered something that is not JSON" }));
  if (!created.ok) {
    showProblems(reply);
    setPhase("disconnected");
    return;
  }
  sessionId = reply.id;
  limits = reply.limits;
  showForm(settings);
  fetch("/api/presets").then((r) => r.json()).then(showPresets).catch(() => {});
  connect();
  await apply();
  if (settings.epf !== DEFAULTS.epf) await api("PUT", "/view", { epochs_per_frame: settings.epf }).catch(showProblems);
}

start();
