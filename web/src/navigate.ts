// Jumps: next/previous beat of a class, next/previous rhythm episode of some types.

import type { EcgRecord } from './record';
import type { Beat, BeatClass, Episode } from './types';

export const RUN_TYPES = ['VT', 'SVTA'];
export const PAUSE_TYPES = ['PAUSE', 'ASYSTOLE'];
export const AF_TYPES = ['AFIB'];

/** The next (dir 1) or previous (dir -1) beat of class c strictly after/before sample s, wrapping round. */
export function findBeat(rec: EcgRecord, c: BeatClass | null, s: number, dir: 1 | -1): { beat: Beat; wrapped: boolean } | null {
  const beats = rec.beats;
  const n = beats.length;
  if (!n) return null;
  let i = dir > 0 ? rec.lowerBound(s + 1) : rec.lowerBound(s) - 1;
  for (let k = 0; k < n; k++, i += dir) {
    const wrapped = i < 0 || i >= n;
    const b = beats[((i % n) + n) % n];
    if (!c || b.cls === c) return { beat: b, wrapped };
  }
  return null;
}

/** The next/previous episode of the given types starting after/before sample s, wrapping round. */
export function findEpisode(rec: EcgRecord, types: string[], s: number, dir: 1 | -1): { episode: Episode; wrapped: boolean } | null {
  const eps = rec.episodes.filter((e) => types.includes(e.type));
  if (!eps.length) return null;
  if (dir > 0) {
    const e = eps.find((x) => x.start > s);
    return e ? { episode: e, wrapped: false } : { episode: eps[0], wrapped: true };
  }
  const before = eps.filter((x) => x.start < s);
  return before.length ? { episode: before[before.length - 1], wrapped: false } : { episode: eps[eps.length - 1], wrapped: true };
}
