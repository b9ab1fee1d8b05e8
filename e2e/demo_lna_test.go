package e2e

import (
	"slices"
	"testing"
)

// TestDemoLNA clicks the demo's Local Network Access row in each engine:
// Chromium refuses the fetch() whose targetAddressSpace is wrong, with the
// console line corscheck shows; Firefox and WebKit ignore the option and
// read the answer. corscheck's verdict for the same browser must agree.
func TestDemoLNA(t *testing.T) {
	forEachEngine(t, func(t *testing.T, eng engineName) {
		ctx := openTab(t, eng)
		_, _, clientURL := startDemo(t, "127.0.0.1:0", "localhost", "127.0.0.1:0", "localhost")
		demoOpen(t, ctx, clientURL+"/")
		demoWait(t, ctx, `document.body.dataset.lnaReady === "true"`, "the LNA section did not load")
		if err := settleConsole(ctx); err != nil {
			t.Fatal(err)
		}
		skip := len(consoleLines(ctx))
		demoClick(t, ctx, "#run-lna")
		demoWait(t, ctx, `["agrees", "disagrees", "error"].includes(document.querySelector("tr[data-lna]").dataset.checker)`, "the LNA row did not finish")
		var row struct {
			Expect, Outcome, Checker string
			Console, Public          string
		}
		if err := evalJSON(ctx, `const tr = document.querySelector("tr[data-lna]");
const pre = (k) => { const p = document.querySelector('pre[data-console="' + k + '"]'); return p ? p.textContent : ""; };
return {expect: tr.dataset.expect, outcome: tr.dataset.outcome, checker: tr.dataset.checker, console: pre("declared"), public: pre("public")};`, &row); err != nil {
			t.Fatal(err)
		}
		want := "pass"
		if eng == chromium {
			want = "blocked"
		}
		if row.Expect != want || row.Outcome != want || row.Checker != "agrees" {
			t.Errorf("expect %q, outcome %q, corscheck %q; want %s, %s, agrees", row.Expect, row.Outcome, row.Checker, want, want)
		}
		// From a public page, only Chromium refuses (Firefox blocks only
		// under Strict tracking protection, Safari not at all).
		if (row.Public != "") != (eng == chromium) {
			t.Errorf("console line for the public page's call: %q", row.Public)
		}
		if eng != chromium {
			return
		}
		if err := settleConsole(ctx); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, l := range consoleLines(ctx)[skip:] {
			if isCORSLine(chromium, l) {
				got = append(got, l.Text)
			}
		}
		if !slices.Equal(got, []string{row.Console}) {
			t.Errorf("Chromium's console %q, corscheck's %q", got, row.Console)
		}
	})
}
