// The "Beats" mode (the original project's page): beats of 187 samples
// (360 Hz, mV, R at index 93) pasted or uploaded, classified by
// POST /v1/beats:classify, one table row per beat.

import { getJson, postJson } from './api';
import type { ClassifiedBeat } from './types';
import { CLASSES, CLASS_COLORS, CLASS_NAMES, isBeatClass } from './types';
import { $, h } from './dom';

export const WINDOW = 187;

/**
 * Beats from text: a JSON array (of numbers: one beat; of arrays; of
 * {signal}), or lines of numbers separated by commas, spaces or semicolons.
 * A line of 188 numbers is a row of the MIT-BIH beats CSV: the last is its
 * label and is dropped. Lines that hold no number (a CSV header) are skipped.
 */
export function parseBeats(text: string): number[][] {
  const t = text.trim();
  if (!t) throw new Error('Paste or upload at least one beat');
  let beats: unknown[];
  if (t.startsWith('[') || t.startsWith('{')) {
    let j: unknown;
    try {
      j = JSON.parse(t);
    } catch (e) {
      throw new Error(`Not valid JSON: ${(e as Error).message}`);
    }
    if (j && typeof j === 'object' && !Array.isArray(j)) j = (j as { beats?: unknown }).beats ?? [j];
    if (!Array.isArray(j)) throw new Error('Expected a JSON array of beats');
    beats = j.length && typeof j[0] === 'number' ? [j] : j;
    beats = beats.map((b) => (b && typeof b === 'object' && !Array.isArray(b) ? (b as { signal?: unknown }).signal : b));
  } else {
    beats = t
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line && /[0-9]/.test(line) && !/[a-df-z]/i.test(line))
      .map((line) => line.split(/[\s,;]+/).filter(Boolean).map(Number));
  }
  return beats.map((b, i) => {
    if (!Array.isArray(b) || b.some((x) => typeof x !== 'number' || !Number.isFinite(x)))
      throw new Error(`Beat ${i + 1}: not a list of numbers`);
    const s = b.length === WINDOW + 1 ? b.slice(0, WINDOW) : b;
    if (s.length !== WINDOW) throw new Error(`Beat ${i + 1}: ${b.length} samples, ${WINDOW} expected`);
    return s as number[];
  });
}

function sparkline(signal: number[]): HTMLCanvasElement {
  const c = h('canvas', { width: '120', height: '32', class: 'spark' });
  const ctx = c.getContext('2d');
  if (!ctx) return c;
  const lo = Math.min(...signal);
  const hi = Math.max(...signal);
  ctx.strokeStyle = '#333';
  ctx.beginPath();
  signal.forEach((v, i) => {
    const x = (i / (WINDOW - 1)) * 119 + 0.5;
    const y = 30 - ((v - lo) / (hi - lo || 1)) * 28;
    if (i) ctx.lineTo(x, y);
    else ctx.moveTo(x, y);
  });
  ctx.stroke();
  return c;
}

export function wireBeatsTab(setBusy: (busy: boolean) => void, showError: (e: unknown) => void): void {
  const input = $('beats-input') as HTMLTextAreaElement;
  const file = $('beats-file') as HTMLInputElement;
  const model = $('beats-model') as HTMLSelectElement;
  const results = $('beats-results');
  const message = $('beats-message');
  file.addEventListener('change', async () => {
    const f = file.files?.[0];
    if (f) input.value = await f.text();
    file.value = '';
  });
  $('beats-classify').addEventListener('click', async () => {
    message.textContent = '';
    results.replaceChildren();
    results.dataset.state = 'loading';
    let beats: number[][];
    try {
      beats = parseBeats(input.value);
    } catch (e) {
      message.textContent = (e as Error).message;
      results.dataset.state = 'error';
      return;
    }
    setBusy(true);
    try {
      const body: { beats: { signal: number[] }[]; model?: string } = { beats: beats.map((signal) => ({ signal })) };
      if (model.value) body.model = model.value;
      const answer = await postJson<{ beats: ClassifiedBeat[]; model?: string; timing?: { seconds?: number } }>('/v1/beats:classify', body);
      results.replaceChildren(
        ...answer.beats.map((r, i) => {
          const c = isBeatClass(r.class) ? r.class : 'Q';
          return h(
            'tr',
            { 'data-testid': 'beat-row', 'data-class': c },
            h('td', { class: 'num' }, String(i + 1)),
            h('td', {}, sparkline(beats[i])),
            h('td', {}, h('b', { style: `color:${CLASS_COLORS[c]}` }, c), ` ${CLASS_NAMES[c]}`),
            ...CLASSES.map((_, k) => h('td', { class: 'num' }, r.proba?.[k]?.toFixed(3) ?? '–')),
            h('td', {}, r.model ?? answer.model ?? ''),
          );
        }),
      );
      const ms = answer.timing?.seconds;
      message.textContent = `${answer.beats.length} beat${answer.beats.length === 1 ? '' : 's'} classified${typeof ms === 'number' ? ` in ${(ms * 1000).toFixed(1)} ms` : ''}.`;
      results.dataset.state = 'ready';
    } catch (e) {
      results.dataset.state = 'error';
      showError(e);
    } finally {
      setBusy(false);
    }
  });
}

/** Fills the model choice from GET /v1/models (the server's default first). */
export async function listModels(): Promise<void> {
  const select = $('beats-model') as HTMLSelectElement;
  const m = await getJson<{ models: { name: string; label_set?: string }[]; default?: string }>('/v1/models');
  select.replaceChildren(
    h('option', { value: '' }, `server default${m.default ? ` (${m.default})` : ''}`),
    ...m.models.map((x) => h('option', { value: x.name }, x.name)),
  );
}
