// Beats tab, /docs (Swagger UI) and API-key tests.

import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Api, check, dataset, equal, shownCounts, text, waitLoaded } from './helpers.mjs';

const WINDOW = 187;

/** Two beats of record 100's first lead (187 samples, R at index 93): an N beat and, if any, a V beat. */
function twoBeats(answer) {
  const lead = answer.signal.leads[answer.lead ?? Object.keys(answer.signal.leads)[0]] ?? Object.values(answer.signal.leads)[0];
  const inside = answer.beats.filter((b) => b.sample >= 93 && b.sample + 94 <= lead.length);
  const n = inside.find((b) => b.class === 'N' && b.sample > 10 * answer.fs);
  const other = inside.find((b) => b.class === 'V') ?? inside.find((b) => b.class === 'N' && b.sample > n.sample);
  return [n, other].map((b) => lead.slice(b.sample - 93, b.sample + 94).map((v) => Number(v.toFixed(4))));
}

export async function testBeatsTab(ctx) {
  const { page, api, out } = ctx;
  await page.click('[data-testid="tab-beats"]');
  check(await page.locator('[data-testid="beats-input"]').isVisible(), 'the Beats tab shows its input');
  // A wrong beat is refused on the page, before any request.
  await page.fill('[data-testid="beats-input"]', Array(186).fill('0.1').join(','));
  await page.click('[data-testid="beats-classify"]');
  check((await text(page, 'beats-message')).includes('186 samples'), 'a beat of 186 samples is refused', await text(page, 'beats-message'));
  const beats = twoBeats(ctx.rec100);
  equal(beats.map((b) => b.length), [WINDOW, WINDOW], 'two beats of 187 samples taken from record 100');
  // One comma-separated line and one space-separated line.
  await page.fill('[data-testid="beats-input"]', `${beats[0].join(', ')}\n${beats[1].join(' ')}\n`);
  await page.click('[data-testid="beats-classify"]');
  await page.waitForFunction(() => ['ready', 'error'].includes(document.querySelector('[data-testid="beats-results"]').dataset.state));
  const rows = page.locator('[data-testid="beat-row"]');
  equal(await rows.count(), 2, 'two pasted beats give two rows');
  const answer = await api.post('/v1/beats:classify', { beats: beats.map((signal) => ({ signal })) });
  const shown = [];
  for (let i = 0; i < (await rows.count()); i++) shown.push(await rows.nth(i).getAttribute('data-class'));
  equal(shown, answer.beats.map((b) => b.class), 'the classes shown are the API\'s');
  const firstRow = (await rows.nth(0).locator('td').allTextContents()).slice(3, 8).map(Number);
  check(firstRow.every((p, k) => Math.abs(p - answer.beats[0].proba[k]) < 6e-4), 'the probabilities shown are the API\'s', JSON.stringify(firstRow));
  await page.screenshot({ path: join(out, 'beats.png'), fullPage: true });
  // The same beats as a JSON array.
  await page.fill('[data-testid="beats-input"]', JSON.stringify(beats));
  await page.click('[data-testid="beats-classify"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="beats-results"]').dataset.state === 'ready');
  equal(await rows.count(), 2, 'a JSON array of two beats gives two rows');
  await page.click('[data-testid="tab-record"]');
}

export async function testDocs(ctx) {
  const { context, base, out } = ctx;
  const page = await context.newPage();
  const seen = [];
  page.on('request', (r) => seen.push(r.url()));
  const res = await page.goto(base + '/docs', { waitUntil: 'load' });
  check(res?.ok(), 'GET /docs answers 200', String(res?.status()));
  await page.waitForSelector('.swagger-ui', { timeout: 15_000 });
  check(true, 'Swagger UI renders (.swagger-ui)');
  await page.waitForSelector('.swagger-ui .opblock', { timeout: 15_000 });
  const ops = await page.locator('.swagger-ui .opblock').count();
  console.log(`  ${ops} operations listed`);
  check((await page.locator('.swagger-ui .opblock', { hasText: '/v1/records:analyze' }).count()) > 0, 'the operations of /openapi.json are listed (POST /v1/records:analyze among them)');
  check(seen.some((u) => new URL(u).pathname === '/openapi.json'), 'Swagger UI read /openapi.json');
  for (const asset of ['/docs/swagger-ui-bundle.js', '/docs/swagger-ui.css', '/docs/swagger-ui-standalone-preset.js'])
    check(seen.some((u) => new URL(u).pathname === asset), `it loaded ${asset}`);
  const outside = seen.filter((u) => /^(https?|wss?):/.test(u) && new URL(u).hostname !== '127.0.0.1');
  check(outside.length === 0, '/docs asks no other host', outside.join(' '));
  await page.screenshot({ path: join(out, 'docs.png') });
  await page.close();
}

/** A server started with --api-key: the page asks for it, refuses a wrong one, works with the right one. */
export async function testApiKey(ctx, keyedBase, key) {
  const { browser, out } = { browser: ctx.context.browser(), out: ctx.out };
  const health = await fetch(keyedBase + '/health');
  equal(health.status, 200, '/health needs no key');
  const refused = await fetch(keyedBase + '/v1/examples');
  equal(refused.status, 401, '/v1/examples without the key is refused');
  const body = await refused.json().catch(() => ({}));
  equal(body?.error?.code, 401, 'the refusal is a JSON error');
  const pageRes = await fetch(keyedBase + '/');
  if (!check(pageRes.status === 200, 'the page itself (/) loads without a key, so that it can ask for one', `GET / answered ${pageRes.status}`)) return;
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  context.on('request', (r) => new URL(r.url()).hostname !== '127.0.0.1' && /^https?:/.test(r.url()) && ctx.external.push(r.url()));
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const authHeaders = [];
  page.on('request', (r) => r.url().includes('/v1/') && authHeaders.push(r.headers().authorization ?? ''));
  await page.goto(keyedBase + '/');
  await page.waitForSelector('[data-testid="auth-bar"]:not([hidden])', { timeout: 10_000 });
  check(true, 'the page shows the API key field on a 401');
  await page.fill('[data-testid="api-key"]', 'wrong-key');
  await page.click('[data-testid="api-key-submit"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="auth-message"]').textContent.includes('refused'), null, { timeout: 10_000 });
  check(!(await page.locator('[data-testid="auth-bar"]').isHidden()), 'a wrong key is refused and the field asked again');
  await page.fill('[data-testid="api-key"]', key);
  await page.screenshot({ path: join(out, 'api-key.png') });
  await page.click('[data-testid="api-key-submit"]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="example-select"] option').length > 0, null, { timeout: 10_000 });
  check(await page.locator('[data-testid="auth-bar"]').isHidden(), 'the right key is taken');
  await page.click('[data-testid="example-load"]');
  await waitLoaded(page);
  const id = await page.locator('[data-testid="example-select"]').inputValue();
  const answer = await new Api(keyedBase, key).analyzeExample(id, '');
  equal(Number(await text(page, 'beat-count')), answer.beats.length, 'with the key the example is analysed');
  check(authHeaders.includes(`Bearer ${key}`), 'the page sent Authorization: Bearer KEY');
  equal((await dataset(page, 'load-state')).state, 'ready', 'the page is ready');
  await context.close();
}

/** Record 100's .hea and .dat dropped together onto the page (the picker is tested in record_tests). */
export async function testDrop(ctx) {
  const { page, files, rec100 } = ctx;
  await page.click('[data-testid="tab-record"]');
  const payload = files.map((f) => ({ name: basename(f), b64: readFileSync(f).toString('base64') }));
  const dt = await page.evaluateHandle((list) => {
    const t = new DataTransfer();
    for (const f of list) t.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name));
    return t;
  }, payload);
  await page.dispatchEvent('[data-testid="ecg"]', 'dragenter', { dataTransfer: dt });
  check(await page.evaluate(() => document.body.classList.contains('dragging')), 'dragging files over the page shows the drop zone');
  await page.dispatchEvent('[data-testid="ecg"]', 'drop', { dataTransfer: dt });
  await page.waitForFunction(() => document.querySelector('[data-testid="load-state"]').dataset.state === 'loading', null, { timeout: 5000 }).catch(() => undefined);
  await waitLoaded(page);
  equal(await text(page, 'record-name'), '100', 'the dropped record is 100');
  equal(Number(await text(page, 'beat-count')), rec100.beats.length, 'the dropped record has the uploaded one\'s beats');
  const counts = await shownCounts(page);
  equal(counts.V, rec100.counts.V ?? 0, 'and its V count (relabelling did not carry over)');
}
