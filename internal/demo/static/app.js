// corsdemo client page. It loads the calls from /calls.json (served by the
// client origin, so the page learns the API's URL from the server), runs
// each one with fetch and with XMLHttpRequest, shows the outcome, then asks
// the client origin's /explain?call=ID what corscheck (the check package,
// probing the live API) predicts, and shows its account of a blocked call.
//
// Stable hooks for tests:
//   tr[data-call=ID]                          one row per call
//   button[data-run=ID], button#run-all       run one call, run them all
//   [data-result-fetch], [data-result-xhr]    "" (not run), "running", "pass", "blocked"
//   [data-readable-fetch], [data-readable-xhr]  comma-separated headers the page could read
//   [data-cookie-fetch], [data-cookie-xhr]    for a call whose route sets a cookie: "came-back",
//                                             "missing" (badge "pass, but no cookie") or ""
//                                             (no earlier call set one, nothing to tell)
//   tr[data-cookie]                           the same for the row: "missing" if either is
//   #wrong-origin                             banner shown when this page is not on the origin
//                                             the API trusts; a#trusted-link links to that one
//   body[data-ready="true"]                   the calls are loaded
//   body[data-running="true"]                 "Run all" is in progress
//   tr[data-checker]                          "" (not run), "running", then "agrees",
//                                             "disagrees" (a corscheck bug) or "error"
//   pre[data-console=fetch|xhr]               corscheck's console line for a blocked call
//   window.corsdemo.results[ID]               {fetch: {...}, xhr: {...}, checker: {...}}
//   body[data-browser]                        the browser corscheck explains the calls as:
//                                             "chromium", "firefox" or "safari" (detectBrowser)
"use strict";

const state = { api: "", origin: "", trusted: "", calls: [], results: {}, cookieSet: false };
window.corsdemo = state;

// --- which browser this is --------------------------------------------------

// detectBrowser names the engine of a user agent string as corscheck's
// --browser names it, so that the page's explanations quote this browser's
// console. Chromium's user agent says "Safari" and "AppleWebKit" too, so it
// is recognised first; every iOS browser (CriOS, FxiOS, EdgiOS) is WebKit.
function detectBrowser(ua) {
  if (/CriOS|FxiOS|EdgiOS/.test(ua)) return { id: "safari", name: "Safari (WebKit)" };
  if (/Firefox\//.test(ua)) return { id: "firefox", name: "Firefox" };
  if (/Chrome\/|Chromium\//.test(ua)) return { id: "chromium", name: "Chromium" };
  if (/AppleWebKit\//.test(ua)) return { id: "safari", name: "Safari (WebKit)" };
  return { id: "chromium", name: "Chromium" };
}
const browser = detectBrowser(navigator.userAgent);
state.browser = browser.id;

const $ = (sel, root = document) => root.querySelector(sel);

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k.startsWith("data-")) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) {
    if (c !== null && c !== undefined && c !== false) e.append(c);
  }
  return e;
}

// --- running a call --------------------------------------------------------

// readHeaders reads each header the call asks for with get(name); null means
// the browser hid it.
function readHeaders(call, get) {
  const out = {};
  for (const h of call.readHeaders || []) out[h] = get(h);
  return out;
}

async function runFetch(call) {
  const init = { method: call.method, headers: call.headers || {}, cache: "no-store" };
  if (call.body) init.body = call.body;
  if (call.credentials) init.credentials = "include";
  try {
    const res = await fetch(call.url, init);
    const body = await res.text();
    return { outcome: "pass", status: res.status, body, headers: readHeaders(call, (h) => res.headers.get(h)) };
  } catch (err) {
    // All a script ever learns: "TypeError: Failed to fetch".
    return { outcome: "blocked", error: String(err) };
  }
}

function runXHR(call) {
  return new Promise((resolve) => {
    const x = new XMLHttpRequest();
    x.open(call.method, call.url);
    x.withCredentials = !!call.credentials;
    for (const [k, v] of Object.entries(call.headers || {})) x.setRequestHeader(k, v);
    x.onload = () => resolve({
      outcome: "pass", status: x.status, body: x.responseText,
      headers: readHeaders(call, (h) => x.getResponseHeader(h)),
    });
    // All a script ever learns: an error event and status 0.
    x.onerror = () => resolve({ outcome: "blocked", error: "XMLHttpRequest error event, status " + x.status });
    x.send(call.body || null);
  });
}

// cookieCheck says, for a call whose route sets a cookie and reports in its
// JSON body whether the request brought it back (call.cookieLost is then
// the explanation for a lost one), whether the cookie an earlier call set
// came back: "came-back", "missing", or "" when no earlier call set one.
function cookieCheck(call, res) {
  if (!call.cookieLost || res.outcome !== "pass") return "";
  let received;
  try { received = JSON.parse(res.body).cookieReceived; } catch { return ""; }
  if (typeof received !== "boolean") return "";
  const expected = state.cookieSet;
  state.cookieSet = true; // this response set it (again), if the browser kept it
  if (received) return "came-back";
  return expected ? "missing" : "";
}

function readable(r) {
  return Object.entries(r.headers || {}).filter(([, v]) => v !== null).map(([k]) => k).join(",");
}

// explain asks the client origin to run corscheck on the call: the checker
// sends the same requests to the API, from this page's origin, once as
// fetch() and once as XMLHttpRequest, and judges them as this browser does.
async function explain(call) {
  try {
    const res = await fetch(`explain?call=${encodeURIComponent(call.id)}&browser=${browser.id}`, { cache: "no-store" });
    const v = await res.json();
    if (!res.ok) return { error: v.error || `GET /explain: ${res.status}` };
    return v;
  } catch (err) {
    return { error: String(err) };
  }
}

async function run(call) {
  const row = $(`tr[data-call="${call.id}"]`);
  const btn = $(`button[data-run="${call.id}"]`, row);
  btn.disabled = true;
  row.dataset.checker = "running";
  setBadge(row, "fetch", "running");
  setBadge(row, "xhr", "running");
  const r = {};
  r.fetch = await runFetch(call);
  r.fetch.cookie = cookieCheck(call, r.fetch);
  setBadge(row, "fetch", r.fetch.outcome, readable(r.fetch), r.fetch.cookie);
  r.xhr = await runXHR(call);
  r.xhr.cookie = cookieCheck(call, r.xhr);
  setBadge(row, "xhr", r.xhr.outcome, readable(r.xhr), r.xhr.cookie);
  row.dataset.cookie = [r.fetch.cookie, r.xhr.cookie].includes("missing") ? "missing"
    : [r.fetch.cookie, r.xhr.cookie].includes("came-back") ? "came-back" : "";
  state.results[call.id] = r;
  renderResult(call, r);
  r.checker = await explain(call);
  row.dataset.checker = renderChecker(call, r);
  btn.disabled = false;
  renderSummary();
  return r;
}

async function runAll() {
  const all = $("#run-all");
  all.disabled = true;
  document.body.dataset.running = "true";
  for (const call of state.calls) await run(call);
  delete document.body.dataset.running;
  document.body.dataset.done = "true";
  all.disabled = false;
}

// --- rendering --------------------------------------------------------------

const badgeText = { "": "not run", running: "…", pass: "pass", blocked: "blocked" };

function setBadge(row, api, outcome, readableHeaders, cookie = "") {
  const b = $(`[data-result-${api}]`, row);
  b.setAttribute(`data-result-${api}`, outcome);
  b.setAttribute(`data-cookie-${api}`, cookie);
  b.dataset.state = cookie === "missing" ? "pass-no-cookie" : outcome;
  b.textContent = cookie === "missing" ? "pass, but no cookie" : badgeText[outcome];
  if (readableHeaders !== undefined) b.setAttribute(`data-readable-${api}`, readableHeaders);
}

function renderRow(call) {
  const tags = [];
  if (call.preflight) tags.push(el("span", { class: "tag pf", title: "the browser sends an OPTIONS preflight first" }, "preflight"));
  if (call.credentials) tags.push(el("span", { class: "tag cred", title: "credentials: 'include' / withCredentials" }, "credentials"));
  for (const [k, v] of Object.entries(call.headers || {})) tags.push(el("span", { class: "tag" }, `${k}: ${v}`));
  if (call.body) tags.push(el("span", { class: "tag", title: call.body }, "JSON body"));

  const runBtn = el("button", { type: "button", "data-run": call.id, title: "Run this call with fetch and XHR" }, "Run");
  runBtn.addEventListener("click", () => run(call));

  const badge = (api) => el("span", { class: "badge", [`data-result-${api}`]: "", "data-state": "" }, badgeText[""]);

  return el("tr", { "data-call": call.id, "data-expect": call.expect.outcome, "data-checker": "", "data-cookie": "" },
    el("td", {},
      el("div", { class: "call-head" }, runBtn, el("span", { class: "label" }, call.label)),
      el("div", { class: "request" },
        el("span", { class: "method" }, call.method),
        el("code", { class: "path" }, call.path),
        ...tags),
      el("p", { class: "shows" }, call.shows)),
    el("td", { class: "badge-cell" }, badge("fetch")),
    el("td", { class: "badge-cell" }, badge("xhr")),
    el("td", { class: "result" },
      el("span", { class: "pending" }, "Expected: ", el("span", { class: "expect" }, call.expect.outcome))));
}

function prettyBody(text) {
  try { return JSON.stringify(JSON.parse(text)); } catch { return text; }
}

function headerList(call, headers) {
  const expose = new Set(call.expect.readable || []);
  return el("ul", { class: "hdrs" }, ...Object.entries(headers).map(([name, v]) =>
    el("li", {},
      el("code", {}, name),
      v === null
        ? el("span", { class: "no" }, "hidden (null)")
        : el("span", { class: "ok" }, "readable"),
      el("span", { class: "val" }, v === null
        ? (expose.has(name) ? "" : "not in Access-Control-Expose-Headers")
        : v))));
}

function renderResult(call, r) {
  const cell = $(`tr[data-call="${call.id}"] td.result`);
  cell.replaceChildren();
  const want = call.expect.outcome;
  if (r.fetch.outcome !== want || r.xhr.outcome !== want) {
    cell.append(el("p", { class: "unexpected" },
      `Expected ${want}: that is what the route's policy promises a page on ${state.origin}, and the browser did otherwise.`));
  }
  const shown = r.fetch.outcome === "pass" ? r.fetch : r.xhr.outcome === "pass" ? r.xhr : null;
  if (shown) {
    const sameBody = r.fetch.outcome === r.xhr.outcome && r.fetch.body === r.xhr.body;
    const bodies = sameBody || r.fetch.outcome !== r.xhr.outcome
      ? [["", shown]]
      : [["fetch", r.fetch], ["XHR", r.xhr]];
    for (const [label, res] of bodies) {
      if (label) cell.append(el("p", { class: "body-label" }, label));
      cell.append(el("code", { class: "body" }, el("span", { class: "status" }, String(res.status)), prettyBody(res.body)));
    }
    if (call.readHeaders) cell.append(headerList(call, shown.headers));
  }
  if (r.fetch.cookie === "missing" || r.xhr.cookie === "missing") {
    const lost = call.cookieLost;
    cell.append(el("div", { class: "cookie-lost" },
      el("p", { class: "reason" }, el("b", {}, "pass, but no cookie. "), lost.reason),
      el("p", { class: "fix" }, el("b", {}, "Fix: "), lost.fix,
        lost.code ? el("code", { class: "snippet" }, lost.code) : null)));
  }
  // corscheck's account goes here once /explain answers.
  cell.append(el("div", { class: "checker-slot" }));
  if (r.fetch.outcome === "blocked" || r.xhr.outcome === "blocked") {
    const why = call.why;
    if (why) {
      cell.append(
        el("p", { class: "reason" }, el("b", {}, "Here: "), why.reason),
        el("p", { class: "fix" }, el("b", {}, "In Go: "), why.fix,
          why.code ? el("code", { class: "snippet" }, why.code) : null));
    } else {
      cell.append(el("p", { class: "reason" }, "Blocked, though the API's policy should let this call pass."));
    }
  }
}

const outcomeOf = (res) => (res.allowed ? "pass" : "blocked");

// checkerDisagreements compares corscheck's verdict for each API with what
// the browser did: the outcome and, for a call that passes, which of the
// headers the page tried to read it could read. Any difference is a bug in
// corscheck (or in the browser).
function checkerDisagreements(call, r, v) {
  const out = [];
  for (const [api, name] of [["fetch", "fetch"], ["xhr", "XHR"]]) {
    const res = v[api], seen = r[api];
    if (outcomeOf(res) !== seen.outcome) {
      out.push(`${name}: corscheck predicted ${outcomeOf(res)}${res.reason ? ` (${res.reason})` : ""}, the browser reported ${seen.outcome}.`);
      continue;
    }
    if (seen.outcome !== "pass" || !call.readHeaders) continue;
    const canRead = (h) => (res.readableHeaders || []).some((n) => n.toLowerCase() === h.toLowerCase());
    const predicted = call.readHeaders.filter(canRead).join(",");
    if (predicted !== readable(seen)) {
      out.push(`${name}: corscheck predicted the page could read [${predicted}], the browser allowed [${readable(seen)}].`);
    }
  }
  return out;
}

// renderChecker shows corscheck's verdict and returns "agrees", "disagrees"
// or "error". A call that passes, as predicted, gets nothing more: the
// response says it all.
function renderChecker(call, r) {
  const slot = $(`tr[data-call="${call.id}"] .checker-slot`);
  const v = r.checker;
  if (v.error) {
    slot.append(el("p", { class: "checker-error" }, `corscheck could not check this call: ${v.error}`));
    return "error";
  }
  const diffs = checkerDisagreements(call, r, v);
  if (diffs.length > 0) {
    slot.append(el("div", { class: "unexpected checker-bug" },
      el("b", {}, "corscheck disagrees with the browser. "),
      "That is a bug in corscheck; the browser is right. ", ...diffs.map((d) => el("div", {}, d))));
  }
  const res = v.fetch.allowed ? v.xhr : v.fetch;
  if (!res.allowed) {
    slot.append(el("div", { class: "checker" },
      el("p", { class: "checker-head" },
        el("span", { class: "by", title: "the check package, the engine of the corscheck command, probing the API now" }, "corscheck says"),
        el("code", { class: "code", title: "the failure, named as Chromium's DevTools names it (CorsError), whatever the browser" }, res.reason)),
      el("p", { class: "checker-expl" }, res.explanation),
      el("p", { class: "checker-fix" }, el("b", {}, "Fix: "), res.fix),
      el("details", { class: "console" },
        el("summary", {}, `${browser.name} console`),
        ...[["fetch", v.fetch], ["xhr", v.xhr]].filter(([, x]) => !x.allowed).map(([api, x]) =>
          el("pre", { "data-console": api }, (x.console || [x.message]).join("\n"))))));
  }
  return diffs.length > 0 ? "disagrees" : "agrees";
}

function renderSummary() {
  const done = state.calls.filter((c) => state.results[c.id]);
  if (done.length === 0) { $("#summary").textContent = ""; return; }
  let pass = 0, blocked = 0, asExpected = 0, checked = 0, agreed = 0;
  for (const c of done) {
    const r = state.results[c.id];
    if (r.fetch.outcome === "pass") pass++; else blocked++;
    if (r.fetch.outcome === c.expect.outcome && r.xhr.outcome === c.expect.outcome) asExpected++;
    const verdict = $(`tr[data-call="${c.id}"]`).dataset.checker;
    if (verdict === "agrees" || verdict === "disagrees") checked++;
    if (verdict === "agrees") agreed++;
  }
  const s = $("#summary");
  s.replaceChildren(
    el("b", { class: "ok" }, `${pass} pass`), " · ",
    el("b", { class: "bad" }, `${blocked} blocked`), " · ",
    `${asExpected} of ${done.length} as the policies promise`,
    done.length < state.calls.length ? ` (${state.calls.length - done.length} not run)` : "",
    checked > 0 ? " · " : "",
    checked === 0 ? "" : agreed === checked
      ? `corscheck agrees on ${agreed} of ${checked}`
      : el("b", { class: "bad" }, `corscheck disagrees on ${checked - agreed} of ${checked}`));
}

// --- start ------------------------------------------------------------------

async function load() {
  try {
    const res = await fetch("calls.json", { cache: "no-store" });
    if (!res.ok) throw new Error(`GET /calls.json: ${res.status}`);
    const page = await res.json();
    state.api = page.api;
    state.origin = page.origin;
    state.trusted = page.trusted;
    state.calls = page.calls;
  } catch (err) {
    const e = $("#load-error");
    e.textContent = `Could not load the calls: ${err}`;
    e.hidden = false;
    return;
  }
  $("#client-origin").textContent = location.origin;
  $("#browser-name").textContent = browser.name;
  document.body.dataset.browser = browser.id;
  $("#api-origin").textContent = state.api;
  if (state.trusted && location.origin !== state.trusted) {
    // Opened as http://127.0.0.1:8080 when the API trusts
    // http://localhost:8080 (or the reverse): another origin to the browser.
    const banner = $("#wrong-origin");
    banner.replaceChildren(
      el("b", {}, "This page is not on the origin the API trusts. "),
      `It is open at ${location.origin}, but the API trusts ${state.trusted}, the client origin corsdemo printed. `,
      "They may reach the same server, yet to a browser they are two origins, so the calls that only the client origin may read are blocked below. ",
      el("a", { id: "trusted-link", href: state.trusted + "/" }, `Open ${state.trusted}`));
    banner.hidden = false;
  }
  $("#rows").replaceChildren(...state.calls.map(renderRow));
  const all = $("#run-all");
  all.addEventListener("click", runAll);
  all.disabled = false;
  document.body.dataset.ready = "true";
}

load();
