// Browser tests of the page against the real `heartwave serve` (started by
// run-e2e.sh): node e2e.mjs --base URL --out DIR [--keyed-base URL --key KEY]
// Drives Debian's Chromium through playwright-core; exits 1 on any failure.

import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Api, check, parseArgs, recordFiles, section, summary, failures } from './helpers.mjs';
import { testRecord, testZoom, testJumpV, testRelabelAndDownloads, testEpisodeKeys, testExample, testCsvPause } from './record_tests.mjs';
import { testBeatsTab, testDocs, testApiKey, testDrop } from './other_tests.mjs';
import { testRunsList, testRunsCompare, testRunsKeyed } from './runs_tests.mjs';

const args = parseArgs(process.argv.slice(2));
if (!args.base || !args.out) {
  console.error('usage: node e2e.mjs --base http://127.0.0.1:PORT --out DIR [--keyed-base URL --key KEY]');
  process.exit(2);
}
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = resolve(args.out);
mkdirSync(out, { recursive: true });
const budget = Number(args['timeout-s'] ?? 110);
setTimeout(() => {
  console.error(`\ne2e: still running after ${budget} s, giving up`);
  summary();
  process.exit(3);
}, budget * 1000).unref();

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  timeout: 30_000,
});
const ctx = { out, repo, api: new Api(args.base), base: args.base, external: [] };
try {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true, deviceScaleFactor: 1 });
  // Every request of every page must go to the server under test.
  context.on('request', (r) => {
    const u = new URL(r.url());
    if (/^(https?|wss?):$/.test(u.protocol) && u.hostname !== '127.0.0.1') ctx.external.push(r.url());
  });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  page.on('pageerror', (e) => check(false, 'no uncaught error in the page', String(e)));
  page.on('console', (m) => m.type() === 'error' && console.log(`  (page console) ${m.text()}`));
  ctx.page = page;
  ctx.context = context;

  await section('page loads', async () => {
    const res = await page.goto(args.base + '/', { waitUntil: 'load' });
    check(res?.ok(), 'GET / answers 200', String(res?.status()));
    check((await page.title()) === 'heartwave', 'the page is heartwave');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="example-select"] option').length > 0, null, { timeout: 10_000 });
    check(true, 'the built-in examples are listed');
  });
  await section('record 100: multipart upload of .hea + .dat', async () => {
    ctx.files = recordFiles(repo);
    await testRecord(ctx);
  });
  const need = (key, what) => {
    if (!ctx[key]) throw new Error(`not run: ${what} did not load`);
  };
  await section('zoom and pan', () => (need('rec100', 'record 100'), testZoom(ctx)));
  await section('v jumps to a V beat', () => (need('rec100', 'record 100'), testJumpV(ctx, ctx.rec100)));
  await section('relabel and download annotations', () => (need('rec100', 'record 100'), testRelabelAndDownloads(ctx)));
  await section('built-in example', () => testExample(ctx));
  await section('v and shift+v on the example', () => (need('example', 'the example'), testJumpV(ctx, ctx.example, true)));
  await section('CSV upload (the example with a pause)', () => testCsvPause(ctx));
  await section('episode keys r, p, a', () => (need('pauseRec', 'the CSV'), testEpisodeKeys(ctx)));
  await section('Beats tab', () => (need('rec100', 'record 100'), testBeatsTab(ctx)));
  await section('drag and drop of .hea + .dat', () => (need('rec100', 'record 100'), testDrop(ctx)));
  await section('/docs (Swagger UI)', () => testDocs(ctx));
  if (args['keyed-base']) await section('API key', () => testApiKey(ctx, args['keyed-base'], args.key));
  else console.log('\n## API key: skipped (no --keyed-base)');
  await section('Runs tab: list, experiment, filters, sort', () => testRunsList(ctx));
  await section('Runs tab: compare three runs', () => testRunsCompare(ctx));
  if (args['keyed-base']) await section('Runs tab with the API key', () => testRunsKeyed(ctx, args['keyed-base'], args.key));
  check(ctx.external.length === 0, 'no request left 127.0.0.1', ctx.external.slice(0, 5).join(' '));
  await context.close();
} catch (e) {
  check(false, 'the tests ran to the end', e?.stack ?? String(e));
} finally {
  await browser.close().catch(() => undefined);
}
const ok = summary();
console.log(`screenshots and downloads in ${out}`);
process.exit(ok && failures.length === 0 ? 0 : 1);
