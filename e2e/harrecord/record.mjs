// Records a HAR with Playwright's recordHar, driving Debian's Chromium, for
// corskit's e2e suite (har_test.go, make record-har). Nothing here judges
// anything: it opens each page, waits until the page says it has made all
// its requests, keeps every console line, and lets Playwright write the HAR.
//
// usage: node record.mjs SPEC.json
//
// SPEC is {"chromium": path, "args": [...], "pages": [url, ...],
//          "har": path, "console": path, "timeoutMs": n}.
// The console file gets [{"page": url, "type": ..., "text": ...}, ...].
import { readFileSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const spec = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const browser = await chromium.launch({
  executablePath: spec.chromium,
  args: spec.args,
  timeout: spec.timeoutMs,
});
const lines = [];
try {
  const context = await browser.newContext({ recordHar: { path: spec.har } });
  for (const url of spec.pages) {
    const page = await context.newPage();
    page.on('console', (m) => lines.push({ page: url, type: m.type(), text: m.text() }));
    await page.goto(url, { timeout: spec.timeoutMs });
    await page.waitForFunction(() => window.corskitDone === true, null, { timeout: spec.timeoutMs });
    await page.close();
  }
  await context.close(); // writes the HAR
} finally {
  await browser.close();
}
writeFileSync(spec.console, JSON.stringify(lines, null, 1));
