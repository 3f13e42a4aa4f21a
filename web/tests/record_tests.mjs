// Record view tests: upload, counts against the API, zoom/pan, jumps,
// relabelling, CSV and WFDB downloads, the built-in example.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CLASSES, MIT_CODES, check, dataset, darkPixels, equal, parseMit, press, settledView, shownCounts, tally, text, waitLoaded,
} from './helpers.mjs';

const PAPER_PPS = (25 * 96) / 25.4; // CSS px per second at 25 mm/s
const near = (a, b, rel = 0.01) => Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b));
const withDefaults = (counts) => Object.fromEntries(CLASSES.map((c) => [c, counts?.[c] ?? 0]));

async function checkCountsMatch(page, answer, what) {
  equal(Number(await text(page, 'beat-count')), answer.beats.length, `${what}: the beat count shown is the API's`);
  equal(await shownCounts(page), withDefaults(answer.counts), `${what}: the class counts shown are the API's`);
  equal(tally(answer.beats), withDefaults(answer.counts), `${what}: the API's counts tally its beats`);
}

export async function testRecord(ctx) {
  const { page, api, files, out } = ctx;
  await page.setInputFiles('[data-testid="file-input"]', files);
  await waitLoaded(page);
  const answer = await api.analyzeFiles(files);
  ctx.rec100 = answer;
  console.log(`  API: ${answer.beats.length} beats ${JSON.stringify(answer.counts)}, ${answer.num_samples} samples, leads ${answer.leads}`);
  await checkCountsMatch(page, answer, 'record 100');
  check(answer.beats.length > 2000, 'record 100 has over 2,000 beats', String(answer.beats.length));
  equal(await text(page, 'record-name'), '100', 'the record is named 100');
  check(answer.signal && Object.keys(answer.signal.leads).length === 2, 'the API sent the two leads (?signal=1)');
  const v = await settledView(page);
  check(near(v.zoom, 1, 0.002) && near(v.pps, PAPER_PPS, 0.002), 'it opens at the calibrated 25 mm/s', JSON.stringify(v));
  check((await darkPixels(page)) > 500, 'the traces are drawn');
  check((await text(page, 'summary')).includes('Heart rate'), 'the Holter summary is shown');
  await page.screenshot({ path: join(out, 'record.png'), fullPage: true });
}

export async function testZoom(ctx) {
  const { page, out, rec100 } = ctx;
  const duration = rec100.num_samples / rec100.fs;
  const v0 = await settledView(page);
  await page.keyboard.press('+');
  const v1 = await press(page, '+');
  check(near(v1.zoom, v0.zoom * 2.25), '+ + zooms in 2.25 times', `${v0.zoom} -> ${v1.zoom}`);
  check(near(v1.end - v1.start, (v0.end - v0.start) / 2.25), 'the view shows 2.25 times less time');
  await page.screenshot({ path: join(out, 'zoomed.png') });
  for (let i = 0; i < 3; i++) await page.keyboard.press('-');
  const v2 = await press(page, '-');
  check(near(v2.zoom, v1.zoom / 1.5 ** 4), '- four times zooms out 5.06 times', `${v1.zoom} -> ${v2.zoom}`);
  await page.click('[data-testid="zoom-in"]');
  const v3 = await settledView(page);
  check(near(v3.zoom, v2.zoom * 1.5), 'the + button zooms in 1.5 times');
  const box = await page.locator('[data-testid="ecg"]').boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + 60);
  await page.mouse.wheel(0, 300);
  const v4 = await settledView(page);
  check(v4.zoom < v3.zoom * 0.9, 'the wheel zooms out', `${v3.zoom} -> ${v4.zoom}`);
  const vf = await press(page, 'f');
  check(near(vf.end - vf.start, duration) && vf.start === 0, 'f shows the whole 30-minute record', JSON.stringify(vf));
  check((await darkPixels(page)) > 2000, 'the whole record is drawn (min/max per pixel column)');
  const frameMs = await page.evaluate(async () => {
    const c = document.querySelector('[data-testid="ecg"]');
    const r = c.getBoundingClientRect();
    const times = [];
    for (let i = 0; i < 40; i++) {
      c.dispatchEvent(new WheelEvent('wheel', { deltaY: i < 20 ? -40 : 40, clientX: r.left + r.width / 2, clientY: r.top + 50, bubbles: true, cancelable: true }));
      await new Promise((res) => requestAnimationFrame(res));
      times.push(performance.now());
    }
    return (times[times.length - 1] - times[0]) / (times.length - 1);
  });
  console.log(`  zooming about the whole record: ${frameMs.toFixed(1)} ms per frame`);
  check(frameMs < 150, 'zooming the whole record stays fluid (under 150 ms a frame)', `${frameMs.toFixed(1)} ms`);
  await page.keyboard.press('f');
  await settledView(page);
  await page.screenshot({ path: join(out, 'zoomed-out.png') });
  const v5 = await press(page, '0');
  check(near(v5.zoom, 1, 0.002), '0 goes back to the calibrated scale', String(v5.zoom));
  await press(page, 'Home');
  const v6 = await press(page, 'ArrowRight');
  check(near(v6.start, 0.25 * (v6.end - v6.start), 0.02), '→ pans a quarter of the view', JSON.stringify(v6));
  await page.mouse.move(box.x + 600, box.y + 100);
  await page.mouse.down();
  await page.mouse.move(box.x + 500, box.y + 100, { steps: 5 });
  await page.mouse.move(box.x + 400, box.y + 100, { steps: 5 });
  await page.mouse.up();
  const v7 = await settledView(page);
  check(near(v7.start - v6.start, 200 / v6.pps, 0.05), 'dragging 200 px left pans 200 px of time', `${v6.start} -> ${v7.start}`);
  await page.selectOption('[data-testid="speed"]', '50');
  const v8 = await settledView(page);
  check(near(v8.pps, 2 * PAPER_PPS, 0.002), '50 mm/s doubles the px per second at zoom 1', String(v8.pps));
  await page.selectOption('[data-testid="speed"]', '25');
  await page.selectOption('[data-testid="gain"]', '20');
  const h20 = (await page.locator('[data-testid="ecg"]').boundingBox()).height;
  await page.selectOption('[data-testid="gain"]', '10');
  const h10 = (await page.locator('[data-testid="ecg"]').boundingBox()).height;
  check(h20 > h10 * 1.5, '20 mm/mV gives taller lanes than 10 mm/mV', `${h20} vs ${h10}`);
}

/** Press v from the start of the record; with back, v again and shift+v back. */
export async function testJumpV(ctx, answer, back = false) {
  const { page, out } = ctx;
  const fs = answer.fs;
  const vs = answer.beats.filter((b) => b.class === 'V').sort((a, b) => a.sample - b.sample);
  if (!check(vs.length > 0, 'the API found a V beat to jump to')) return;
  await press(page, 'Home');
  await page.keyboard.press('Escape');
  const v0 = await settledView(page);
  const centre = Math.round(((v0.start + v0.end) / 2) * fs);
  const expected = vs.find((b) => b.sample > centre) ?? vs[0];
  const v = await press(page, 'v');
  const sel = await dataset(page, 'selected-beat');
  equal(sel.class, 'V', 'the selected beat is V');
  equal(Number(sel.sample), expected.sample, 'it is the next V beat of the API');
  const t = expected.sample / fs;
  const dur = v.end - v.start;
  check(v.start <= t && t <= v.end, 'the view moved to it', `${t} in ${v.start}..${v.end}?`);
  check(Math.abs((v.start + v.end) / 2 - t) < 0.05 * dur || v.start === 0 || v.end >= answer.num_samples / fs - 1e-6, 'the view is centred on it');
  if (back && vs.length > 1) {
    const i = vs.indexOf(expected);
    await press(page, 'v');
    equal(Number((await dataset(page, 'selected-beat')).sample), vs[(i + 1) % vs.length].sample, 'v again: the next V beat');
    await press(page, 'Shift+V');
    equal(Number((await dataset(page, 'selected-beat')).sample), expected.sample, 'shift+v: back to the previous V beat');
    return;
  }
  // Hover the beat: its class and the five probabilities.
  const box = await page.locator('[data-testid="ecg"]').boundingBox();
  await page.mouse.move(box.x + (t - v.start) * v.pps, box.y + 70);
  await page.waitForSelector('[data-testid="tooltip"]:not([hidden])', { timeout: 5000 });
  const tip = await dataset(page, 'tooltip');
  equal(tip.class, 'V', 'the tooltip gives the class');
  equal(await page.locator('[data-testid="tooltip"] .tip-row').count(), 5, 'the tooltip gives 5 probabilities');
  await page.screenshot({ path: join(out, 'v-beat.png') });
}

export async function testRelabelAndDownloads(ctx) {
  const { page, out, rec100: answer } = ctx;
  const fs = answer.fs;
  const target = answer.beats.find((b) => b.class === 'V') ?? answer.beats[10];
  const mid = target.class === 'Q' ? 'S' : 'Q';
  const final = target.class === 'F' ? 'N' : 'F';
  // Select it with the mouse: unselect, centre the view on it, click it.
  await page.keyboard.press('Escape');
  const v = await settledView(page);
  const box = await page.locator('[data-testid="ecg"]').boundingBox();
  const x = (target.sample / fs - v.start) * v.pps;
  await page.mouse.click(box.x + x, box.y + 80);
  equal(Number((await dataset(page, 'selected-beat')).sample), target.sample, 'a click selects the beat under it');
  const before = withDefaults(answer.counts);
  await page.click(`[data-testid="relabel-${mid}"]`);
  const afterButton = { ...before, [target.class]: before[target.class] - 1, [mid]: before[mid] + 1 };
  equal(await shownCounts(page), afterButton, `the ${mid} button relabels it and the counts follow`);
  await page.keyboard.press(String(CLASSES.indexOf(final) + 1));
  const after = { ...before, [target.class]: before[target.class] - 1, [final]: before[final] + 1 };
  equal(await shownCounts(page), after, `key ${CLASSES.indexOf(final) + 1} relabels it ${final}`);
  equal((await dataset(page, 'selected-beat')).class, final, 'the selected beat shows its new class');
  check((await text(page, 'relabel-count')).startsWith('1 beat'), 'one beat is counted as relabelled');
  equal(Number(await text(page, 'beat-count')), answer.beats.length, 'the beat count stays');

  const [csvDl] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="download-csv"]')]);
  const csvPath = join(out, csvDl.suggestedFilename());
  await csvDl.saveAs(csvPath);
  equal(csvDl.suggestedFilename(), '100.csv', 'the CSV is named after the record');
  const lines = readFileSync(csvPath, 'utf8').trim().split('\n');
  equal(lines[0], 'sample,time,class', 'the CSV header');
  equal(lines.length - 1, answer.beats.length, 'the CSV has one row per beat');
  const rows = lines.slice(1).map((l) => l.split(','));
  const expected = [...answer.beats].sort((a, b) => a.sample - b.sample).map((b) => [b.sample, b.sample === target.sample ? final : b.class]);
  equal(rows.map((r) => [Number(r[0]), r[2]]), expected, 'the CSV rows: every sample with its class, the relabelled one new');
  check(rows.every((r) => Math.abs(Number(r[1]) - Number(r[0]) / fs) < 1e-3), 'the CSV times are sample / fs');

  const [hwDl] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="download-wfdb"]')]);
  const hwPath = join(out, hwDl.suggestedFilename());
  await hwDl.saveAs(hwPath);
  equal(hwDl.suggestedFilename(), '100.hw', 'the WFDB file is <record>.hw');
  const buf = readFileSync(hwPath);
  check(buf.length > 0 && buf[buf.length - 1] === 0 && buf[buf.length - 2] === 0, 'the WFDB file is non-empty and ends with two zero bytes', `${buf.length} bytes`);
  const { annotations } = parseMit(buf);
  const codes = new Set(Object.values(MIT_CODES).flat());
  const beats = annotations.filter((a) => codes.has(a.code));
  equal(beats.length, answer.beats.length, 'the WFDB file holds one beat annotation per beat');
  const classOf = (code) => CLASSES.find((c) => MIT_CODES[c].includes(code));
  equal(beats.map((a) => [a.sample, classOf(a.code)]), expected, 'the WFDB annotations: samples and MIT codes of the classes, the relabelled one new');
  const sCodes = [...new Set(beats.filter((a) => classOf(a.code) === 'S').map((a) => a.code))];
  if (sCodes.length) console.log(`  (S beats are written with MIT code ${sCodes.join(', ')}; the contract says 8, A)`);
}

export async function testExample(ctx) {
  const { page, api, out } = ctx;
  const id = await page.locator('[data-testid="example-select"]').inputValue();
  check(id !== '', 'an example is chosen');
  await page.click('[data-testid="example-load"]');
  await waitLoaded(page);
  const answer = await api.analyzeExample(id);
  ctx.example = answer;
  console.log(`  example ${id}: ${answer.beats.length} beats ${JSON.stringify(answer.counts)}, ${(answer.episodes ?? []).length} episodes`);
  await checkCountsMatch(page, answer, `example ${id}`);
  equal((await dataset(page, 'selected-beat')).sample, '', 'no beat is selected in a new record');
  equal(await text(page, 'relabel-count'), '', 'nothing is relabelled in a new record');
  await page.screenshot({ path: join(out, 'example.png'), fullPage: true });
}

/** The example as a CSV (a column per lead) with 3.5 s of flat line inserted at 60 s: a pause. */
export async function testCsvPause(ctx) {
  const { page, api, out } = ctx;
  const id = await page.locator('[data-testid="example-select"]').inputValue();
  const ex = await api.json(`/v1/examples/${encodeURIComponent(id)}`);
  const names = Object.keys(ex.leads);
  const n = ex.leads[names[0]].length;
  const at = Math.min(n - 1, Math.round(60 * ex.fs));
  const rows = [names.join(',')];
  for (let i = 0; i < n; i++) {
    if (i === at) for (let k = 0; k < Math.round(3.5 * ex.fs); k++) rows.push(names.map((m) => ex.leads[m][at]).join(','));
    rows.push(names.map((m) => ex.leads[m][i]).join(','));
  }
  const csv = join(out, 'pause.csv');
  writeFileSync(csv, rows.join('\n') + '\n');
  await page.fill('[data-testid="fs-input"]', String(ex.fs));
  await page.setInputFiles('[data-testid="file-input"]', [csv]);
  await waitLoaded(page);
  await page.fill('[data-testid="fs-input"]', '');
  await page.locator('[data-testid="fs-input"]').blur();
  const answer = await api.analyzeFiles([csv], '?signal=1', { fs: String(ex.fs) });
  ctx.pauseRec = answer;
  console.log(`  CSV: ${answer.beats.length} beats ${JSON.stringify(answer.counts)}, episodes ${JSON.stringify((answer.episodes ?? []).map((e) => e.type))}`);
  await checkCountsMatch(page, answer, 'the CSV upload');
  equal(await text(page, 'record-name'), 'pause', 'the CSV record is named after its file');
  check((answer.episodes ?? []).some((e) => e.type === 'PAUSE'), 'the API finds the 3.5 s pause');
}

/** r, p, a: the view goes to the first episode of their types, or the page says there is none. */
export async function testEpisodeKeys(ctx) {
  const { page, pauseRec: answer, out } = ctx;
  const fs = answer.fs;
  const eps = (answer.episodes ?? []).map((e) => ({ type: e.type, start: e.start ?? Math.round((e.start_time ?? 0) * fs) }));
  for (const [key, types] of [['r', ['VT', 'SVTA']], ['p', ['PAUSE', 'ASYSTOLE']], ['a', ['AFIB']]]) {
    await press(page, 'Home');
    const mine = eps.filter((e) => types.includes(e.type)).sort((a, b) => a.start - b.start);
    const v0 = await settledView(page);
    const first = mine.find((e) => e.start > ((v0.start + v0.end) / 2) * fs) ?? mine[0];
    const v = await press(page, key);
    if (first) {
      const t = first.start / fs;
      check(v.start <= t && t <= v.end, `${key}: the view shows the ${first.type} at ${t.toFixed(1)} s`, JSON.stringify(v));
      check((await text(page, 'status')).startsWith(first.type), `${key}: the status line names the ${first.type}`);
      if (key === 'p') await page.screenshot({ path: join(out, 'pause.png') });
    } else {
      check((await text(page, 'status')).startsWith('No '), `${key}: the page says there is no ${types.join('/')}`);
    }
  }
}
