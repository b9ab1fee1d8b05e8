// corsdemo, second table: "Beyond fetch". The page loads what the article
// lists besides fetch and XHR — an image, a classic script, a stylesheet, a
// Web Font, an ES module (<script type=module> and import()), an image read
// back from a 2D canvas and from WebGL — from the API origin, once from
// /assets/plain/ (no CORS policy) and once from /assets/cors/ (a policy that
// allows every origin), and shows what the browser let it do. After each load
// it asks the client origin's /explain-resource what corscheck predicts for the
// same load, and shows Chromium's console line for a blocked one.
//
// It uses el() and $() from app.js, which loads first (both are deferred).
//
// Stable hooks for tests:
//   button#run-resources                     load every cell, row by row
//   tr[data-resource=ID]                     one row per resource
//   td[data-route=plain|cors]                one cell per route, with
//     data-url      the URL loaded (with ?run=N), "" before the first run
//     data-expect   what the route's policy promises
//     data-outcome  "" (not run), "running", "loads", "opaque", "tainted", "blocked" or "error"
//     data-checker  "" (not run), "running", "agrees", "disagrees" or "error"
//   td [data-detail]                         what the page saw (the pixel it read, the exception)
//   td pre[data-console]                     corscheck's Chromium console line for a blocked load
//   tr[data-resource=font] .specimen         the text set in the Web Font (or its fallback)
//   body[data-resources-ready="true"]        the table is loaded
//   body[data-resources-running="true"]      "Run all" of this table is in progress
//   body[data-resources-done="true"]         it has finished at least once
//   window.corsdemoResources.results[ID][route]  {outcome, detail, checker}
"use strict";

(() => {
  const rs = { api: "", origin: "", resources: [], results: {}, seq: 0 };
  window.corsdemoResources = rs;

  // --- loading, one way per kind of resource ------------------------------

  const loadImage = (url, crossOrigin) => new Promise((resolve) => {
    const img = new Image();
    if (crossOrigin) img.crossOrigin = crossOrigin;
    img.onload = () => resolve({ img });
    img.onerror = () => resolve({ error: "the <img> fired its error event: nothing was loaded" });
    img.src = url;
  });

  const describe = (e) => `${e.name}: ${e.message}`;

  // readPixel draws img into a 2D canvas and reads its top-left pixel.
  function readPixel(img) {
    const c = el("canvas", { width: img.naturalWidth, height: img.naturalHeight, className: "preview" });
    const ctx = c.getContext("2d");
    ctx.drawImage(img, 0, 0);
    try {
      const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
      return { canvas: c, pixel: `rgba(${r}, ${g}, ${b}, ${a})` };
    } catch (e) {
      return { canvas: c, error: describe(e) };
    }
  }

  // A script or stylesheet element: resolves on load or error.
  const loadElement = (e) => new Promise((resolve) => {
    e.onload = () => resolve(true);
    e.onerror = () => resolve(false);
    document.head.append(e);
  });

  const ran = (url) => (window.corsdemoRan || []).includes(url);

  const loaders = {
    async img(r, url, show) {
      const { img, error } = await loadImage(url, r.crossOrigin);
      if (!img) return { outcome: "blocked", detail: error };
      img.className = "preview";
      show(img);
      const read = readPixel(img);
      return read.error
        ? { outcome: "opaque", detail: "shown; read back from a canvas: " + read.error }
        : { outcome: "loads", detail: "shown; read back: " + read.pixel };
    },

    async script(r, url) {
      // classic.js throws when it has data-throw: a no-cors script's error
      // reaches the page only as "Script error.".
      const s = el("script", { src: url });
      if (r.crossOrigin) s.crossOrigin = r.crossOrigin;
      s.setAttribute("data-throw", "");
      let seen = "";
      const onError = (ev) => { seen = ev.message; ev.preventDefault(); };
      window.addEventListener("error", onError);
      const loaded = await loadElement(s);
      window.removeEventListener("error", onError);
      if (!loaded) return { outcome: "blocked", detail: "the <script> fired its error event" };
      if (!ran(url)) return { outcome: "error", detail: "the script loaded but did not run" };
      return seen === "Script error."
        ? { outcome: "opaque", detail: "it ran; window.onerror saw only: Script error." }
        : { outcome: "loads", detail: "it ran; window.onerror saw: " + seen };
    },

    async style(r, url, show) {
      const link = el("link", { rel: "stylesheet", href: url });
      if (r.crossOrigin) link.crossOrigin = r.crossOrigin;
      if (!await loadElement(link)) return { outcome: "blocked", detail: "the <link> fired its error event" };
      show(el("span", { className: "probe", "data-stylesheet-probe": "" }, "outlined by style.css"));
      try {
        return { outcome: "loads", detail: `applied; sheet.cssRules has ${link.sheet.cssRules.length} rule(s)` };
      } catch (e) {
        return { outcome: "opaque", detail: "applied; sheet.cssRules throws " + describe(e) };
      }
    },

    async font(r, url, show, cellKey) {
      const family = `corsdemo-font-${cellKey}`;
      document.head.append(el("style", {},
        `@font-face { font-family: "${family}"; src: url("${url}") format("woff2"); font-display: swap; }`));
      const specimen = el("span", { className: "specimen" }, "Web fonts need CORS");
      specimen.style.fontFamily = `"${family}", serif`;
      show(specimen);
      try { await document.fonts.load(`24px "${family}"`); } catch { /* the face's status says why */ }
      const face = [...document.fonts].find((f) => f.family.replace(/"/g, "") === family);
      const status = face ? face.status : "missing";
      specimen.dataset.font = status;
      return status === "loaded"
        ? { outcome: "loads", detail: "the text above is in the web font (DejaVu Sans Mono Bold)" }
        : { outcome: "blocked", detail: `the font face's status is "${status}": the text above fell back to serif` };
    },

    async module(r, url) {
      const s = el("script", { type: "module", src: url });
      if (r.crossOrigin) s.crossOrigin = r.crossOrigin;
      if (!await loadElement(s)) return { outcome: "blocked", detail: "the <script type=module> fired its error event" };
      return ran(url) ? { outcome: "loads", detail: "the module ran" } : { outcome: "error", detail: "the module loaded but did not run" };
    },

    async import(r, url) {
      try {
        const m = await import(url);
        return { outcome: "loads", detail: "import() resolved: " + m.message };
      } catch (e) {
        return { outcome: "blocked", detail: "import() rejected: " + String(e) };
      }
    },

    async canvas(r, url, show) {
      const { img, error } = await loadImage(url, r.crossOrigin);
      if (!img) return { outcome: "blocked", detail: error };
      const read = readPixel(img);
      show(read.canvas);
      return read.error
        ? { outcome: "tainted", detail: "drawn, then getImageData threw " + read.error }
        : { outcome: "loads", detail: "drawn, then getImageData read " + read.pixel };
    },

    async webgl(r, url, show) {
      const { img, error } = await loadImage(url, r.crossOrigin);
      if (!img) return { outcome: "blocked", detail: error };
      img.className = "preview";
      show(img);
      const gl = el("canvas", { width: 16, height: 16 }).getContext("webgl");
      if (!gl) return { outcome: "error", detail: "this browser offers no WebGL" };
      const tex = gl.createTexture();
      gl.bindTexture(gl.TEXTURE_2D, tex);
      try {
        gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, gl.RGBA, gl.UNSIGNED_BYTE, img);
      } catch (e) {
        return { outcome: "tainted", detail: "texImage2D threw " + describe(e) };
      }
      // Read the texture back through a framebuffer: its first row is the
      // image's top row.
      const fb = gl.createFramebuffer();
      gl.bindFramebuffer(gl.FRAMEBUFFER, fb);
      gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, tex, 0);
      const px = new Uint8Array(4);
      gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px);
      return { outcome: "loads", detail: `texImage2D took it; the texture reads rgba(${px.join(", ")})` };
    },
  };

  // --- running a cell ----------------------------------------------------

  async function explainCell(r, cell, run) {
    try {
      const q = new URLSearchParams({ id: r.id, route: cell.route, run });
      const res = await fetch(`explain-resource?${q}`, { cache: "no-store" });
      const v = await res.json();
      return res.ok ? v : { error: v.error || `GET /explain-resource: ${res.status}` };
    } catch (err) {
      return { error: String(err) };
    }
  }

  async function runCell(r, cell) {
    const td = $(`tr[data-resource="${r.id}"] td[data-route="${cell.route}"]`);
    const run = `${Date.now()}${++rs.seq}`;
    const url = `${cell.url}?run=${run}`;
    td.dataset.url = url;
    td.dataset.checker = "running";
    setOutcome(td, "running");
    const body = $(".cell-body", td);
    body.replaceChildren();
    const preview = el("div", { className: "preview-box" });
    body.append(preview);
    let got;
    try {
      got = await loaders[r.load](r, url, (node) => preview.append(node), `${cell.route}-${run}`);
    } catch (e) {
      got = { outcome: "error", detail: "the page's loader failed: " + describe(e) };
    }
    setOutcome(td, got.outcome);
    body.append(el("p", { className: "detail", "data-detail": "" }, got.detail));
    if (got.outcome !== cell.expect) {
      body.append(el("p", { className: "unexpected" }, `Expected ${cell.expect}: that is what this route's policy promises.`));
    }
    if (cell.why && got.outcome !== "loads") {
      const why = [
        el("p", { className: "reason" }, el("b", {}, "Here: "), cell.why.reason),
        el("p", { className: "fix" }, el("b", {}, "Fix: "), cell.why.fix,
          cell.why.code ? el("code", { class: "snippet" }, cell.why.code) : null)];
      // An opaque load is no failure: its account is one click away.
      body.append(got.outcome === "opaque" ? el("details", { className: "why" }, el("summary", {}, "why opaque, and what it means"), ...why) : el("div", {}, ...why));
    }
    got.checker = await explainCell(r, cell, run);
    td.dataset.checker = renderChecker(body, got);
    (rs.results[r.id] ||= {})[cell.route] = got;
    return got;
  }

  // renderChecker shows corscheck's verdict on the same load and returns
  // "agrees", "disagrees" or "error".
  function renderChecker(body, got) {
    const v = got.checker;
    if (v.error) {
      body.append(el("p", { className: "checker-error" }, `corscheck could not check this load: ${v.error}`));
      return "error";
    }
    const res = v.result;
    const agrees = v.outcome === got.outcome;
    const box = el("div", { className: `checker ${res.allowed ? "checker-ok" : ""}` },
      el("p", { className: "checker-head" },
        el("span", { className: "by", title: "the check package, the engine of the corscheck command, probing the API now" }, "corscheck says"),
        el("code", { className: "code" }, res.allowed ? (res.opaque ? "opaque (no-cors)" : "allowed") : res.reason),
        agrees ? null : el("b", { className: "bad" }, `but predicted ${v.outcome}: a bug in corscheck`)),
      el("details", { className: "explanation" }, el("summary", {}, `${res.mode}, credentials ${res.credentialsMode}: why`),
        el("p", {}, res.explanation), res.fix ? el("p", {}, el("b", {}, "Fix: "), res.fix) : null));
    if (!res.allowed) {
      box.append(el("details", { className: "console", open: true },
        el("summary", {}, "Chromium console"),
        el("pre", { "data-console": "" }, res.message)));
    }
    body.append(box);
    return agrees ? "agrees" : "disagrees";
  }

  async function runRow(r) {
    const btn = $(`button[data-run-resource="${r.id}"]`);
    btn.disabled = true;
    for (const cell of r.cells) await runCell(r, cell);
    btn.disabled = false;
    renderSummary();
  }

  async function runAll() {
    const all = $("#run-resources");
    all.disabled = true;
    document.body.dataset.resourcesRunning = "true";
    for (const r of rs.resources) await runRow(r);
    delete document.body.dataset.resourcesRunning;
    document.body.dataset.resourcesDone = "true";
    all.disabled = false;
  }

  // --- rendering -----------------------------------------------------------

  const outcomeText = { "": "not run", running: "…", loads: "loads", opaque: "loads · opaque", tainted: "tainted", blocked: "blocked", error: "error" };
  const outcomeState = { loads: "pass", opaque: "opaque", tainted: "blocked", blocked: "blocked", error: "blocked", running: "running", "": "" };

  function setOutcome(td, outcome) {
    td.dataset.outcome = outcome;
    const b = $(".badge", td);
    b.dataset.state = outcomeState[outcome];
    b.textContent = outcomeText[outcome];
  }

  function renderRow(r) {
    const runBtn = el("button", { type: "button", "data-run-resource": r.id, title: "Load it from both routes" }, "Run");
    runBtn.addEventListener("click", () => runRow(r));
    const cell = (c) => el("td", { "data-route": c.route, "data-expect": c.expect, "data-outcome": "", "data-checker": "", "data-url": "" },
      el("span", { class: "badge", "data-state": "" }, outcomeText[""]),
      el("span", { className: "expect-note" }, ` expected: ${outcomeText[c.expect]}`),
      el("div", { className: "cell-body" }));
    return el("tr", { "data-resource": r.id },
      el("td", {},
        el("div", { className: "call-head" }, runBtn, el("span", { className: "label" }, r.label)),
        el("code", { className: "markup" }, r.markup),
        el("p", { className: "shows" }, r.shows)),
      ...r.cells.map(cell));
  }

  function renderSummary() {
    const cells = rs.resources.flatMap((r) => r.cells.map((c) => [r, c]));
    const done = cells.filter(([r, c]) => rs.results[r.id]?.[c.route]);
    if (done.length === 0) return;
    let asExpected = 0, agreed = 0;
    for (const [r, c] of done) {
      if (rs.results[r.id][c.route].outcome === c.expect) asExpected++;
      if ($(`tr[data-resource="${r.id}"] td[data-route="${c.route}"]`).dataset.checker === "agrees") agreed++;
    }
    $("#resources-summary").replaceChildren(
      `${asExpected} of ${done.length} loads as the policies promise`,
      done.length < cells.length ? ` (${cells.length - done.length} not run)` : "",
      " · ",
      agreed === done.length ? `corscheck agrees on ${agreed}` : el("b", { class: "bad" }, `corscheck disagrees on ${done.length - agreed}`));
  }

  async function load() {
    try {
      const res = await fetch("resources.json", { cache: "no-store" });
      if (!res.ok) throw new Error(`GET /resources.json: ${res.status}`);
      const page = await res.json();
      rs.api = page.api;
      rs.origin = page.origin;
      rs.resources = page.resources;
    } catch (err) {
      const e = $("#resources-error");
      e.textContent = `Could not load the resources: ${err}`;
      e.hidden = false;
      return;
    }
    $("#resource-rows").replaceChildren(...rs.resources.map(renderRow));
    const all = $("#run-resources");
    all.addEventListener("click", runAll);
    all.disabled = false;
    document.body.dataset.resourcesReady = "true";
  }

  load();
})();
