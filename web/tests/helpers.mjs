// Helpers of the browser tests (e2e.mjs): checks, the API called from Node,
// the MIT annotation format, the page's data-testid reads.

import { readFileSync, existsSync } from 'node:fs';
import { basename, join } from 'node:path';

export const CLASSES = ['N', 'S', 'V', 'F', 'Q'];
/** WFDB MIT-format codes of the AAMI classes: N 1, S 8 (A) as the contract
 * says or 9 (S, SVPB) as `heartwave analyze` writes, V 5, F 6, Q 13. */
export const MIT_CODES = { N: [1], S: [8, 9], V: [5], F: [6], Q: [13] };

export const failures = [];
let checks = 0;

export function check(cond, what, detail = '') {
  checks++;
  if (cond) {
    console.log(`  ok   ${what}`);
  } else {
    console.log(`  FAIL ${what}${detail ? `: ${detail}` : ''}`);
    failures.push(what);
  }
  return cond;
}

const clip = (s) => (s.length > 200 ? `${s.slice(0, 200)}…` : s);

export function equal(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a === e) return check(true, what);
  let detail = `got ${clip(a)}, expected ${clip(e)}`;
  if (Array.isArray(actual) && Array.isArray(expected)) {
    const i = actual.findIndex((x, k) => JSON.stringify(x) !== JSON.stringify(expected[k]));
    const k = i < 0 ? Math.min(actual.length, expected.length) : i;
    detail = `${actual.length} items, expected ${expected.length}; first difference at [${k}]: got ${clip(JSON.stringify(actual[k]) ?? 'nothing')}, expected ${clip(JSON.stringify(expected[k]) ?? 'nothing')}`;
  }
  return check(false, what, detail);
}

/** Runs one part of the tests; an exception fails it and the run goes on. */
export async function section(name, fn) {
  console.log(`\n## ${name}`);
  const t0 = Date.now();
  try {
    await fn();
  } catch (e) {
    console.log(`  FAIL ${name}: ${e?.message?.startsWith('not run') ? e.message : e?.stack ?? e}`);
    failures.push(`${name} (exception)`);
  }
  console.log(`  (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

export function summary() {
  console.log(`\n${checks} checks, ${failures.length} failed${failures.length ? ':\n  ' + failures.join('\n  ') : ''}`);
  return failures.length === 0;
}

export function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    if (argv[i].startsWith('--')) out[argv[i].slice(2)] = argv[i + 1]?.startsWith('--') ? 'true' : argv[++i];
  }
  return out;
}

/** The MIT-BIH record 100 files: $HEARTWAVE_DATA or <repo>/../shared/data/mitdb. */
export function recordFiles(repo, record = '100') {
  const dir = process.env.HEARTWAVE_DATA || join(repo, '..', 'shared', 'data', 'mitdb');
  const files = ['hea', 'dat'].map((ext) => join(dir, `${record}.${ext}`));
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length) throw new Error(`MIT-BIH data missing: ${missing.join(', ')} (set HEARTWAVE_DATA to the mitdb folder)`);
  return files;
}

export class Api {
  constructor(base, key = '') {
    this.base = base;
    this.key = key;
  }
  headers(extra = {}) {
    return this.key ? { ...extra, Authorization: `Bearer ${this.key}` } : extra;
  }
  async request(path, init = {}) {
    const res = await fetch(this.base + path, { ...init, headers: this.headers(init.headers), signal: AbortSignal.timeout(30_000) });
    if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${(await res.text()).slice(0, 300)}`);
    return res;
  }
  async json(path) {
    return (await this.request(path)).json();
  }
  async post(path, body) {
    const res = await this.request(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    return res.json();
  }
  /** The page's own request: multipart, one "file" part per file. */
  async analyzeFiles(paths, query = '?signal=1', fields = {}) {
    const form = new FormData();
    for (const p of paths) form.append('file', new Blob([readFileSync(p)]), basename(p));
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    const res = await this.request(`/v1/records:analyze${query}`, { method: 'POST', body: form });
    return res.json();
  }
  async analyzeExample(id, query = '?signal=1') {
    const body = await (await this.request(`/v1/examples/${encodeURIComponent(id)}`)).text();
    const res = await this.request(`/v1/records:analyze${query}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    return res.json();
  }
}

export function tally(beats) {
  const c = Object.fromEntries(CLASSES.map((k) => [k, 0]));
  for (const b of beats) c[b.class] = (c[b.class] ?? 0) + 1;
  return c;
}

/** Annotations of a WFDB MIT-format file: [{sample, code}], SKIP/AUX/NUM/SUB/CHN applied. */
export function parseMit(buf) {
  const out = [];
  let t = 0;
  let i = 0;
  let ended = false;
  while (i + 1 < buf.length) {
    const w = buf.readUInt16LE(i);
    i += 2;
    const code = w >> 10;
    const val = w & 0x3ff;
    if (code === 0 && val === 0) {
      ended = i === buf.length;
      break;
    }
    if (code === 59) {
      t += (buf.readInt16LE(i) << 16) | buf.readUInt16LE(i + 2);
      i += 4;
    } else if (code === 63) {
      i += val + (val & 1);
    } else if (code < 60) {
      t += val;
      out.push({ sample: t, code });
    }
  }
  return { annotations: out, ended };
}

/** Reads data-testid elements' text and dataset in the page. */
export async function text(page, id) {
  return (await page.locator(`[data-testid="${id}"]`).first().textContent())?.trim() ?? '';
}

export async function dataset(page, id) {
  return page.locator(`[data-testid="${id}"]`).first().evaluate((el) => ({ ...el.dataset }));
}

export async function shownCounts(page) {
  const out = {};
  for (const c of CLASSES) out[c] = Number(await text(page, `count-${c}`));
  return out;
}

/** The view once its animation has settled: {start, end, zoom, pps} in numbers. */
export async function settledView(page) {
  await page.waitForFunction(() => document.querySelector('[data-testid="view-info"]')?.dataset.settled === 'true', null, { timeout: 10_000 });
  const d = await dataset(page, 'view-info');
  return { start: Number(d.start), end: Number(d.end), zoom: Number(d.zoom), pps: Number(d.pps) };
}

export async function press(page, key) {
  await page.keyboard.press(key);
  return settledView(page);
}

/** Loads a record (or example) and waits for the page to say it is ready. */
export async function waitLoaded(page, timeout = 30_000) {
  await page.waitForFunction(
    () => ['ready', 'error'].includes(document.querySelector('[data-testid="load-state"]')?.dataset.state ?? ''),
    null,
    { timeout },
  );
  const state = (await dataset(page, 'load-state')).state;
  if (state !== 'ready') throw new Error(`the page failed to load the record: ${await text(page, 'error')}`);
}

/** Dark pixels of the ECG canvas (the traces are drawn near-black on pink paper). */
export async function darkPixels(page) {
  return page.locator('[data-testid="ecg"]').evaluate((c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] < 90 && d[i + 1] < 90 && d[i + 2] < 90) n++;
    return n;
  });
}
