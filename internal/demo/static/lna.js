// corsdemo, third section: Local Network Access. Chromium (142 and later)
// refuses a call from a page on the public internet to this machine or a
// private network unless the user allows it, before any CORS check. The
// demo's two origins are both on this machine, so none of the calls above
// meets it; the row makes the one LNA failure a page here can meet, a
// fetch() whose targetAddressSpace is wrong, and shows corscheck's account of
// it and of the same call from a public page. The explanation comes from the
// client origin's /explain-lna.
//
// It uses el() and $() from app.js, which loads first (both are deferred).
//
// Stable hooks for tests:
//   button#run-lna                  make the call
//   tr[data-lna]                    the row, with
//     data-expect   what this browser must do ("blocked" in Chromium, "pass" elsewhere)
//     data-outcome  "" (not run), "running", "pass" or "blocked"
//     data-checker  "" (not run), "running", "agrees", "disagrees" or "error"
//   pre[data-console=declared]      corscheck's console line for the call
//   pre[data-console=public]        corscheck's line for a public page's call (denied permission)
//   body[data-lna-ready="true"]     the section is loaded
"use strict";

(() => {
  const browserID = window.corsdemo ? window.corsdemo.browser : "chromium";
  const ln = { call: null };
  window.corsdemoLNA = ln;

  async function runCall(call) {
    try {
      const res = await fetch(call.url, { targetAddressSpace: call.targetAddressSpace, cache: "no-store" });
      return { outcome: "pass", status: res.status };
    } catch (err) {
      return { outcome: "blocked", error: String(err) };
    }
  }

  async function explain() {
    try {
      const res = await fetch(`explain-lna?browser=${browserID}`, { cache: "no-store" });
      const v = await res.json();
      if (!res.ok) return { error: v.error || `HTTP ${res.status}` };
      return v;
    } catch (err) {
      return { error: String(err) };
    }
  }

  function lnaBox(title, res, key) {
    const lna = res.localNetworkAccess || {};
    const denied = (lna.outcomes || []).find((o) => !o.proceeds);
    const line = res.allowed ? (denied ? denied.message : "") : res.message;
    const box = el("div", { className: `checker ${line ? "" : "checker-ok"}` },
      el("p", { className: "checker-head" },
        el("span", { className: "by", title: "the check package, the engine of the corscheck command" }, title),
        el("code", { className: "code" }, res.allowed ? (denied ? denied.reason : "allowed") : res.reason)),
      el("p", {}, lna.explanation || res.explanation),
      (lna.fix || res.fix) ? el("p", { className: "checker-fix" }, el("b", {}, "Fix: "), lna.fix || res.fix) : null);
    if (line) {
      box.append(el("details", { className: "console", open: true },
        el("summary", {}, "Chromium console"), el("pre", { "data-console": key }, line)));
    }
    return box;
  }

  async function run() {
    const tr = $("tr[data-lna]");
    const out = $("td[data-lna-result]");
    $("#run-lna").disabled = true;
    tr.dataset.outcome = "running";
    tr.dataset.checker = "";
    out.replaceChildren();
    const got = await runCall(ln.call);
    tr.dataset.outcome = got.outcome;
    $("span[data-lna-badge]").dataset.state = got.outcome;
    $("span[data-lna-badge]").textContent = got.outcome;
    out.append(el("p", { className: "body-label" }, "What the page got"),
      el("code", { className: "body" }, got.outcome === "pass" ? `HTTP ${got.status}` : got.error));
    const want = ln.call.expect[browserID];
    if (got.outcome === "blocked" && ln.call.why) {
      out.append(el("p", { className: "reason" }, ln.call.why.reason),
        el("p", { className: "fix" }, el("b", {}, "Fix: "), ln.call.why.fix, el("code", { className: "snippet" }, ln.call.why.code)));
    }
    tr.dataset.checker = "running";
    const v = await explain();
    if (v.error) {
      out.append(el("p", { className: "checker-error" }, `corscheck could not explain the call: ${v.error}`));
      tr.dataset.checker = "error";
    } else {
      const predicted = v.declared.allowed ? "pass" : "blocked";
      out.append(lnaBox("corscheck says", v.declared, "declared"));
      if (predicted !== got.outcome) out.append(el("b", { className: "bad" }, `corscheck predicted ${predicted}: a bug in corscheck`));
      out.append(lnaBox("from a public page, corscheck says", v.public, "public"));
      tr.dataset.checker = predicted === got.outcome ? "agrees" : "disagrees";
    }
    if (got.outcome !== want) out.prepend(el("p", { className: "unexpected" }, `Expected ${want} in this browser.`));
    $("#run-lna").disabled = false;
  }

  async function load() {
    const res = await fetch("lna.json", { cache: "no-store" });
    ln.call = await res.json();
    const c = ln.call;
    $("tbody#lna-rows").replaceChildren(
      el("tr", { "data-lna": "declared", "data-expect": c.expect[browserID], "data-outcome": "", "data-checker": "" },
        el("td", {}, el("code", {}, `fetch("${c.url}", {targetAddressSpace: "${c.targetAddressSpace}"})`),
          el("p", { className: "shows" }, "The page and the API are both on this machine (loopback); the script says the API is on a private network.")),
        el("td", { className: "badge-cell" }, el("span", { className: "badge", "data-lna-badge": "" }, "–")),
        el("td", { "data-lna-result": "" })));
    $("#run-lna").disabled = false;
    $("#run-lna").addEventListener("click", run);
    document.body.dataset.lnaReady = "true";
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", load);
  else load();
})();
