// Runs tab tests: the tracking store seeded by run-e2e.sh from
// runs-fixture.json (`heartwave runs import`), listed, filtered and sorted
// as GET /v1/runs answers the same query, and runs compared against
// GET /v1/runs/{id}: parameters side by side, curves, final metrics.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Api, check, equal, text } from './helpers.mjs';

const FIXTURE = JSON.parse(readFileSync(new URL('./runs-fixture.json', import.meta.url), 'utf8'));
const TABLE = '[data-testid="runs-table"]';
const VIEW = '[data-testid="runs-compare-view"]';
const byTestId = (id) => `[data-testid="${id}"]`;
const ids = (runs) => runs.map((r) => r.id);
const q = (params) => {
  const s = new URLSearchParams();
  for (const [k, v] of params) s.append(k, v);
  return `/v1/runs?${s}`;
};

/** Runs `action` and waits for the list it starts to be shown (or to fail). */
async function listAfter(page, action) {
  const before = Number(await page.locator(TABLE).getAttribute('data-seq'));
  await action();
  await page.waitForFunction(
    (n) => {
      const t = document.querySelector('[data-testid="runs-table"]');
      return ['ready', 'error'].includes(t.dataset.state) && Number(t.dataset.seq) > n;
    },
    before,
    { timeout: 10_000 },
  );
  return page.locator(TABLE).getAttribute('data-state');
}

async function rowIds(page) {
  return page.locator(`${TABLE} tbody tr[data-run-id]`).evaluateAll((trs) => trs.map((t) => t.dataset.runId));
}

/** Sets the list's controls and presses Apply. */
async function applyList(page, { experiment = '', filter = '', sort = '' } = {}) {
  await page.selectOption(byTestId('runs-experiment'), experiment);
  await page.fill(byTestId('runs-filter'), filter);
  await page.fill(byTestId('runs-sort'), sort);
  return listAfter(page, () => page.click(byTestId('runs-apply')));
}

export async function testRunsList(ctx) {
  const { page, api } = ctx;
  const all = await api.json('/v1/runs');
  check(typeof all.store === 'string' && all.store.length > 0, 'GET /v1/runs names its store (serve --tracking)', JSON.stringify(all.store));
  equal(ids(all.runs).slice().sort(), FIXTURE.runs.map((d) => d.run.id).sort(), "the store holds exactly the fixture's runs (runs import)");
  equal(all.count, all.runs.length, 'GET /v1/runs: count is the number of runs');

  await listAfter(page, () => page.click(byTestId('tab-runs')));
  check(await page.locator(TABLE).isVisible(), 'the Runs tab shows the runs table');
  equal(await page.locator(byTestId('tab-runs')).getAttribute('aria-selected'), 'true', 'the Runs tab is the selected tab');
  equal(await rowIds(page), ids(all.runs), "the rows are GET /v1/runs's runs, in its order (newest first)");
  const count = await text(page, 'runs-count');
  check(count.startsWith(`${all.runs.length} runs shown`), 'the count line says how many runs are shown', count);
  const options = await page.locator(`${byTestId('runs-experiment')} option`).evaluateAll((os) => os.map((o) => o.value));
  equal(options, ['', ...all.experiments], "the experiment choice is 'all' and the API's experiments");

  const cols = await page.locator(`${TABLE} thead th[data-metric]`).evaluateAll((ths) => ths.map((t) => t.dataset.metric));
  const keys = new Set(all.runs.flatMap((r) => Object.keys(r.metrics)));
  check(cols.length > 0 && cols.length <= 6 && cols.every((k) => keys.has(k)), 'up to 6 metric columns, each a metric of the listed runs', JSON.stringify(cols));
  check(/accuracy|f1|loss/.test(cols[0] ?? ''), 'the first metric column is an accuracy, F1 or loss', cols[0]);
  const byId = new Map(all.runs.map((r) => [r.id, r]));
  const cells = await page
    .locator(`${TABLE} tbody td[data-metric]`)
    .evaluateAll((tds) => tds.map((td) => [td.closest('tr').dataset.runId, td.dataset.metric, td.dataset.value ?? null]));
  equal(
    cells,
    cells.map(([id, k]) => [id, k, byId.get(id)?.metrics[k] === undefined ? null : String(byId.get(id).metrics[k])]),
    "each metric cell holds the run's value (none where the run has no such metric)",
  );
  const statuses = await page.locator(`${TABLE} tbody tr`).evaluateAll((trs) => trs.map((t) => t.children[3].textContent));
  equal(statuses, all.runs.map((r) => r.status), "the status column is the API's");

  // An experiment.
  const experiment = all.experiments.find((e) => all.runs.some((r) => r.experiment === e) && all.runs.some((r) => r.experiment !== e));
  const one = await api.json(q([['experiment', experiment]]));
  check(one.runs.length > 0 && one.runs.length < all.runs.length && one.runs.every((r) => r.experiment === experiment), `the API keeps only experiment ${experiment}'s runs`);
  await applyList(page, { experiment });
  equal(await rowIds(page), ids(one.runs), `experiment ${experiment}: the rows are the API's`);
  check((await text(page, 'runs-count')).startsWith(`${one.runs.length} run`), 'and the count line follows', await text(page, 'runs-count'));

  // A filter, typed and sent with Enter.
  const high = await api.json(q([['filter', 'accuracy>0.95']]));
  check(high.runs.length > 0 && high.runs.length < all.runs.length, 'the API keeps some but not all runs for accuracy>0.95', String(high.runs.length));
  await page.selectOption(byTestId('runs-experiment'), '');
  await page.fill(byTestId('runs-filter'), 'accuracy>0.95');
  await listAfter(page, () => page.press(byTestId('runs-filter'), 'Enter'));
  equal(await rowIds(page), ids(high.runs), "filter accuracy>0.95 (Enter): the rows are the API's");
  // Two expressions: repeated filter parameters, written with ' and ' or a comma.
  const two = await api.json(q([['filter', 'accuracy>0.95'], ['filter', 'params.max_depth=6']]));
  check(two.runs.length > 0 && two.runs.length < high.runs.length, 'the second expression narrows the API\'s answer', String(two.runs.length));
  await applyList(page, { filter: 'accuracy>0.95 and params.max_depth=6' });
  equal(await rowIds(page), ids(two.runs), "'accuracy>0.95 and params.max_depth=6': the rows are the API's for both filters");
  await applyList(page, { filter: 'accuracy>0.95, params.max_depth=6' });
  equal(await rowIds(page), ids(two.runs), 'the same with a comma');
  const finished = await api.json(q([['filter', 'status=finished']]));
  await applyList(page, { filter: 'status=finished' });
  equal(await rowIds(page), ids(finished.runs), "status=finished: the rows are the API's");
  check(finished.runs.length < all.runs.length, 'the failed run is left out');

  // Nothing matches.
  await applyList(page, { filter: 'accuracy>2' });
  check(await page.locator(byTestId('runs-empty')).isVisible(), 'a filter that nothing matches says so');
  equal(await page.locator(byTestId('runs-empty')).getAttribute('data-reason'), 'no-runs', 'as no runs (not as no store)');
  equal(await rowIds(page), [], 'and lists no row');

  // A bad filter: the API's 422 in the error banner; the page goes on working.
  const bad = await fetch(`${ctx.base}${q([['filter', 'accuracy']])}`);
  const badBody = await bad.json().catch(() => ({}));
  equal(bad.status, 422, "GET /v1/runs?filter=accuracy (no operator) is refused with 422");
  const message = badBody?.error?.message ?? '';
  check(message.length > 0, 'with an error message', JSON.stringify(badBody));
  equal(await applyList(page, { filter: 'accuracy' }), 'error', 'the page reports the failed list');
  check(await page.locator(byTestId('error')).isVisible(), 'the error banner is shown');
  const banner = await text(page, 'error');
  check(banner.includes('422') && banner.includes(message), "it holds the API's status and message", banner);
  await applyList(page, {});
  check(await page.locator(byTestId('error')).isHidden(), 'a good list hides the banner');
  equal(await rowIds(page), ids(all.runs), 'and lists every run again');

  // Sorting by a metric, both ways, and by a click on its column.
  const desc = await api.json(q([['sort', 'accuracy']]));
  const asc = await api.json(q([['sort', '-accuracy']]));
  check(JSON.stringify(ids(desc.runs)) !== JSON.stringify(ids(asc.runs)), 'the API orders sort=accuracy and sort=-accuracy differently');
  await applyList(page, { sort: 'accuracy' });
  equal(await rowIds(page), ids(desc.runs), "sort accuracy: the rows in the API's order");
  await applyList(page, { sort: '-accuracy' });
  equal(await rowIds(page), ids(asc.runs), "sort -accuracy: the rows in the API's order");
  await listAfter(page, () => page.click(`${TABLE} thead th[data-metric="accuracy"] button`));
  equal(await page.inputValue(byTestId('runs-sort')), 'accuracy', "a click on the accuracy column's head sorts by it (the other way)");
  equal(await rowIds(page), ids(desc.runs), "and the rows are in the API's order");

  // No store: the answer with store null says how to configure one.
  const noStore = (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify({ store: null, count: 0, experiments: [], runs: [] }) });
  const isList = (url) => new URL(url).pathname === '/v1/runs';
  await page.route(isList, noStore);
  try {
    await applyList(page, {});
    const empty = page.locator(byTestId('runs-empty'));
    check((await empty.isVisible()) && (await empty.getAttribute('data-reason')) === 'no-store', 'store null: the page says no tracking store is configured');
    check((await text(page, 'runs-empty')).includes('--tracking'), 'and how to configure one', await text(page, 'runs-empty'));
    check(await page.locator(TABLE).isHidden(), 'with no table');
  } finally {
    await page.unroute(isList, noStore);
  }
  await applyList(page, {});
  equal(await rowIds(page), ids(all.runs), 'the list is back');
}

export async function testRunsCompare(ctx) {
  const { page, api, out } = ctx;
  await page.click(byTestId('tab-runs'));
  await applyList(page, {});
  const listed = await rowIds(page);
  const chosen = listed.slice(0, 3);
  equal(chosen.length, 3, 'three runs to compare');
  const rows = chosen.map((id) => page.locator(`${TABLE} tbody tr[data-run-id="${id}"]`));
  await rows[0].locator(byTestId('run-select')).check();
  // The keyboard: the second checkbox with the space bar.
  await rows[1].locator(byTestId('run-select')).focus();
  await page.keyboard.press('Space');
  // A click on the row (not its checkbox) selects it too.
  await rows[2].locator('td').nth(2).click();
  const checked = await page.locator(`${TABLE} tbody tr`).evaluateAll((trs) => trs.filter((t) => t.querySelector('input').checked).map((t) => t.dataset.runId));
  equal(checked, chosen, 'the three runs are selected (mouse, keyboard, row click)');
  equal(await text(page, 'runs-compare'), 'Compare 3', 'the Compare button counts them');

  const before = Number((await page.locator(VIEW).getAttribute('data-seq')) ?? 0);
  await page.click(byTestId('runs-compare'));
  await page.waitForFunction(
    (n) => {
      const v = document.querySelector('[data-testid="runs-compare-view"]');
      return ['ready', 'error'].includes(v.dataset.state) && Number(v.dataset.seq) > n;
    },
    before,
    { timeout: 10_000 },
  );
  equal(await page.locator(VIEW).getAttribute('data-state'), 'ready', 'the comparison is shown');
  const details = await Promise.all(chosen.map((id) => api.json(`/v1/runs/${id}`)));
  equal(details.map((d) => d.run.id), chosen, 'GET /v1/runs/{id} answers each run');
  await checkComparison(page, details);

  await page.screenshot({ path: join(out, 'runs-compare.png'), fullPage: true });

  // The URL names the comparison; a reload (or the link) brings it back.
  const hash = await page.evaluate(() => location.hash);
  check(hash.startsWith(`#runs/compare=${chosen.join(',')}`), 'the URL hash names the compared runs', hash);
  await page.reload({ waitUntil: 'load' });
  await page.waitForFunction(() => document.querySelector('[data-testid="runs-compare-view"]')?.dataset.state === 'ready', null, { timeout: 10_000 });
  equal(await page.locator(byTestId('tab-runs')).getAttribute('aria-selected'), 'true', 'after a reload the Runs tab is open');
  equal(await page.locator(`${byTestId('params-table')} thead th[data-run]`).evaluateAll((ths) => ths.map((t) => t.dataset.run)), chosen, 'and the same runs are compared');
  // A link with short ids (unique prefixes) works too.
  await page.goto(`${ctx.base}/#runs/compare=${chosen.map((id) => id.slice(0, 8)).join(',')}`);
  await page.reload({ waitUntil: 'load' });
  await page.waitForFunction(() => document.querySelector('[data-testid="runs-compare-view"]')?.dataset.state === 'ready', null, { timeout: 10_000 });
  equal(await page.locator(`${byTestId('params-table')} thead th[data-run]`).evaluateAll((ths) => ths.map((t) => t.dataset.run)), chosen, 'a link with short ids compares the same runs');
  await page.click(byTestId('tab-record'));
  equal(await page.evaluate(() => location.hash), '', 'the Record tab clears the hash');
}

/** The comparison shown against the API's answers for the same runs. */
async function checkComparison(page, details) {
  const chosen = details.map((d) => d.run.id);
  const PARAMS = byTestId('params-table');
  equal(await page.locator(`${PARAMS} thead th[data-run]`).evaluateAll((ths) => ths.map((t) => t.dataset.run)), chosen, 'the parameters table has one column per run, in order');
  const keys = [...new Set(details.flatMap((d) => Object.keys(d.run.params)))].sort();
  const shown = await page.locator(`${PARAMS} tbody tr`).evaluateAll((trs) =>
    trs.map((t) => ({ key: t.dataset.param, diff: t.dataset.diff, cls: t.classList.contains('diff'), cells: [...t.querySelectorAll('td')].map((td) => td.textContent) })),
  );
  equal(shown.map((r) => r.key), keys, 'its rows are the union of the parameter names, sorted');
  const value = (d, k) => (Object.hasOwn(d.run.params, k) ? d.run.params[k] : undefined);
  const differ = keys.filter((k) => new Set(details.map((d) => value(d, k))).size > 1);
  check(differ.length > 0 && differ.length < keys.length, 'the chosen runs have equal and differing parameters', JSON.stringify(differ));
  equal(shown.filter((r) => r.diff === '1').map((r) => r.key), differ, 'the rows marked data-diff="1" are exactly the parameters that differ (a missing one differs)');
  check(shown.every((r) => r.cls === (r.diff === '1') && ['0', '1'].includes(r.diff)), 'those rows, and only those, have class "diff"');
  equal(shown.map((r) => r.cells), keys.map((k) => details.map((d) => value(d, k) ?? '—')), "each cell is the run's value, '—' where it has none");
  const bg = await page.locator(`${PARAMS} tbody tr`).evaluateAll((trs) => trs.map((t) => [t.dataset.diff, getComputedStyle(t.querySelector('td')).backgroundColor]));
  const diffBg = new Set(bg.filter(([d]) => d === '1').map(([, c]) => c));
  const sameBg = new Set(bg.filter(([d]) => d === '0').map(([, c]) => c));
  check(diffBg.size === 1 && ![...diffBg].some((c) => sameBg.has(c)), 'the differing rows are highlighted', JSON.stringify(bg));
  // Only the differences, switched with the keyboard.
  await page.locator(byTestId('params-only-diff')).focus();
  await page.keyboard.press('Space');
  const visible = () => page.locator(`${PARAMS} tbody tr`).evaluateAll((trs) => trs.filter((t) => t.offsetParent !== null).map((t) => t.dataset.param));
  equal(await visible(), differ, "'only differences' shows the differing rows alone");
  await page.keyboard.press('Space');
  equal(await visible(), keys, 'and unticked, every row again');

  // Training curves: a chart per metric with more than one point in some run.
  const multi = [...new Set(details.flatMap((d) => Object.entries(d.curves).filter(([, p]) => p.length > 1).map(([k]) => k)))].sort();
  check(multi.length >= 2, 'the runs have curves of several points', JSON.stringify(multi));
  const charts = await page.locator(byTestId('curve-chart')).evaluateAll((figs) =>
    figs.map((f) => ({
      metric: f.dataset.metric,
      series: Number(f.dataset.series),
      lines: [...f.querySelectorAll('polyline')].map((l) => ({ run: l.dataset.run, n: l.getAttribute('points').trim().split(/\s+/).filter(Boolean).length, stroke: l.getAttribute('stroke') })),
      ticks: f.querySelectorAll('.axis text').length,
      legend: [...f.querySelectorAll('.chart-legend [data-run]')].map((s) => s.textContent),
    })),
  );
  equal(charts.map((c) => c.metric).sort(), multi, 'one curve chart per metric with more than one point');
  const curve = (d, k) => d.curves[k] ?? [];
  equal(
    charts.map((c) => [c.metric, c.series]),
    charts.map((c) => [c.metric, details.filter((d) => curve(d, c.metric).length > 0).length]),
    'data-series is the number of compared runs that have the metric',
  );
  equal(
    charts.map((c) => [c.metric, c.lines.map((l) => [l.run, l.n])]),
    charts.map((c) => [c.metric, details.filter((d) => curve(d, c.metric).length > 0).map((d) => [d.run.id, curve(d, c.metric).length])]),
    "one line per run, with as many points as the API's curve",
  );
  check(charts.every((c) => c.ticks >= 6), 'each chart has ticks on its axes', JSON.stringify(charts.map((c) => c.ticks)));
  equal(charts.map((c) => c.legend), charts.map((c) => c.lines.map((l) => l.run.slice(0, 8))), "each chart's legend names its runs by short id");
  const strokes = new Map();
  for (const l of charts.flatMap((c) => c.lines)) strokes.set(l.run, [...new Set([...(strokes.get(l.run) ?? []), l.stroke])]);
  check([...strokes.values()].every((s) => s.length === 1) && new Set([...strokes.values()].map((s) => s[0])).size === strokes.size, 'each run has one colour, its own', JSON.stringify([...strokes]));

  // Final metrics: a bar per (metric, run), and the table.
  const FINALS = byTestId('finals-chart');
  const finals = [...new Set(details.flatMap((d) => Object.keys(d.run.metrics)))];
  const charted = JSON.parse((await page.locator(FINALS).getAttribute('data-metrics')) ?? '[]');
  equal(charted.slice().sort(), finals.slice().sort(), 'the finals chart has every final metric of the runs');
  const bars = await page.locator(`${FINALS} rect[data-metric][data-run]`).evaluateAll((rs) => rs.map((r) => [r.dataset.metric, r.dataset.run, Number(r.dataset.value)]));
  const expected = charted.flatMap((k) => details.filter((d) => typeof d.run.metrics[k] === 'number').map((d) => [k, d.run.id, d.run.metrics[k]]));
  equal(bars, expected, "one bar per (metric, run) that has it, with the API's value");
  const table = await page.locator(`${byTestId('finals-table')} tbody tr`).evaluateAll((trs) => trs.map((t) => [t.dataset.metric, [...t.querySelectorAll('td')].map((td) => td.dataset.value ?? null)]));
  equal(
    table.slice().sort(),
    finals.map((k) => [k, details.map((d) => (typeof d.run.metrics[k] === 'number' ? String(d.run.metrics[k]) : null))]).sort(),
    "the finals table has every metric, with the API's values",
  );
}

/** The keyed server: the Runs view asks for the key, as the other views do. */
export async function testRunsKeyed(ctx, keyedBase, key) {
  const refused = await fetch(`${keyedBase}/v1/runs`);
  equal(refused.status, 401, 'GET /v1/runs without the key is refused');
  const context = await ctx.context.browser().newContext({ viewport: { width: 1400, height: 900 } });
  context.on('request', (r) => /^https?:/.test(r.url()) && new URL(r.url()).hostname !== '127.0.0.1' && ctx.external.push(r.url()));
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    const auth = [];
    page.on('request', (r) => new URL(r.url()).pathname === '/v1/runs' && auth.push(r.headers().authorization ?? ''));
    await page.goto(`${keyedBase}/#runs`);
    await page.waitForSelector('[data-testid="auth-bar"]:not([hidden])', { timeout: 10_000 });
    check(true, 'opening #runs on the keyed server asks for the key');
    await page.fill('[data-testid="api-key"]', key);
    await page.click('[data-testid="api-key-submit"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="runs-table"]').dataset.state === 'ready', null, { timeout: 10_000 });
    const answer = await new Api(keyedBase, key).json('/v1/runs');
    equal(await rowIds(page), ids(answer.runs), "with the key the runs are listed, as the API's");
    check(auth.includes(`Bearer ${key}`), 'GET /v1/runs was sent with Authorization: Bearer KEY');
  } finally {
    await context.close();
  }
}
