// The analysed recording as the page holds it: leads, beats (with the
// reviewer's classes), rhythm episodes, the Holter summary.

import { Lead } from './signal';
import type { AnalyzeAnswer, Beat, BeatClass, Episode } from './types';
import { CLASSES, isBeatClass } from './types';

export class EcgRecord {
  readonly fs: number;
  readonly numSamples: number;
  readonly leads: Lead[];
  readonly beats: Beat[];
  readonly episodes: Episode[];
  readonly summary: Record<string, unknown>;

  constructor(
    readonly name: string,
    readonly answer: AnalyzeAnswer,
  ) {
    this.fs = answer.fs > 0 ? answer.fs : 360;
    const sig = answer.signal?.leads ?? {};
    const order = [...(answer.leads ?? []), ...Object.keys(sig)].filter((n, i, a) => a.indexOf(n) === i && sig[n]);
    this.leads = order.map((n) => new Lead(n, Float32Array.from(sig[n], (v) => (v === null ? NaN : v))));
    this.beats = answer.beats.map((b, index) => {
      const cls: BeatClass = isBeatClass(b.class) ? b.class : 'Q';
      return {
        index,
        sample: b.sample,
        time: typeof b.time === 'number' ? b.time : b.sample / this.fs,
        cls,
        original: cls,
        proba: Array.isArray(b.proba) ? b.proba : null,
      };
    });
    this.beats.sort((a, b) => a.sample - b.sample);
    this.beats.forEach((b, i) => (b.index = i));
    const fromSignal = this.leads.reduce((m, l) => Math.max(m, l.length), 0);
    const lastBeat = this.beats.length ? this.beats[this.beats.length - 1].sample + 1 : 0;
    this.numSamples = answer.num_samples ?? Math.max(fromSignal, lastBeat);
    this.summary = answer.summary ?? {};
    const eps = answer.episodes ?? (this.summary.episodes as AnalyzeAnswer['episodes']) ?? [];
    this.episodes = eps
      .map((e): Episode => {
        const start = e.start ?? Math.round((e.start_time ?? e.start_s ?? 0) * this.fs);
        const end = e.end ?? (e.end_s !== undefined ? Math.round(e.end_s * this.fs) : start + Math.round((e.duration_s ?? 0) * this.fs));
        return { type: e.type, start, end: Math.max(start, end), beats: e.beats, rate: e.rate_bpm };
      })
      .sort((a, b) => a.start - b.start);
  }

  get duration(): number {
    return this.numSamples / this.fs;
  }

  counts(): Record<BeatClass, number> {
    const c = Object.fromEntries(CLASSES.map((k) => [k, 0])) as Record<BeatClass, number>;
    for (const b of this.beats) c[b.cls]++;
    return c;
  }

  relabelled(): number {
    return this.beats.reduce((n, b) => n + (b.cls !== b.original ? 1 : 0), 0);
  }

  /** Index of the first beat at or after sample s (beats.length if none). */
  lowerBound(s: number): number {
    let lo = 0;
    let hi = this.beats.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.beats[mid].sample < s) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The beat nearest sample s within maxDist samples, or null. */
  nearestBeat(s: number, maxDist: number): Beat | null {
    const i = this.lowerBound(s);
    let best: Beat | null = null;
    for (const j of [i - 1, i]) {
      const b = this.beats[j];
      if (b && Math.abs(b.sample - s) <= maxDist && (!best || Math.abs(b.sample - s) < Math.abs(best.sample - s))) best = b;
    }
    return best;
  }

  csv(): string {
    const rows = ['sample,time,class'];
    for (const b of this.beats) rows.push(`${b.sample},${b.time.toFixed(4)},${b.cls}`);
    return rows.join('\n') + '\n';
  }
}
