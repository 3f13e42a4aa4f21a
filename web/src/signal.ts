// One lead's samples with a min/max pyramid, so that a zoomed-out view of a
// 650,000-sample lead reads a few blocks per pixel column, not every sample.

const BLOCK = 32; // samples per block of level 1; each level above is BLOCK times coarser

export class Lead {
  readonly levels: { min: Float32Array; max: Float32Array; size: number }[] = [];
  /** Median of the lead (mV): drawn on the lane's centre line. */
  readonly baseline: number;

  constructor(
    readonly name: string,
    readonly data: Float32Array,
  ) {
    let src = { min: data, max: data, size: 1 };
    while (src.min.length > BLOCK * 4) {
      const n = Math.ceil(src.min.length / BLOCK);
      const min = new Float32Array(n);
      const max = new Float32Array(n);
      for (let b = 0; b < n; b++) {
        let lo = Infinity;
        let hi = -Infinity;
        const end = Math.min(src.min.length, (b + 1) * BLOCK);
        for (let i = b * BLOCK; i < end; i++) {
          if (src.min[i] < lo) lo = src.min[i];
          if (src.max[i] > hi) hi = src.max[i];
        }
        min[b] = lo;
        max[b] = hi;
      }
      src = { min, max, size: src.size * BLOCK };
      this.levels.push(src);
    }
    this.baseline = median(data);
  }

  get length(): number {
    return this.data.length;
  }

  /** Min and max of samples [i0, i1), written into out[0], out[1] (Infinity, -Infinity if none). */
  minMax(i0: number, i1: number, out: Float32Array): void {
    i0 = Math.max(0, Math.floor(i0));
    i1 = Math.min(this.data.length, Math.ceil(i1));
    out[0] = Infinity;
    out[1] = -Infinity;
    this.scan(i0, i1, this.levels.length - 1, out);
  }

  private scan(i0: number, i1: number, level: number, out: Float32Array): void {
    // The coarsest level whose blocks fit the range at least twice; the
    // partial blocks at both ends are read from the finer levels.
    while (level >= 0 && i1 - i0 < this.levels[level].size * 2) level--;
    if (level < 0) {
      const d = this.data;
      let lo = out[0];
      let hi = out[1];
      for (let i = i0; i < i1; i++) {
        const v = d[i];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      out[0] = lo;
      out[1] = hi;
      return;
    }
    const { min, max, size } = this.levels[level];
    const b0 = Math.ceil(i0 / size);
    const b1 = Math.floor(i1 / size);
    this.scan(i0, b0 * size, level - 1, out);
    let lo = out[0];
    let hi = out[1];
    for (let b = b0; b < b1; b++) {
      if (min[b] < lo) lo = min[b];
      if (max[b] > hi) hi = max[b];
    }
    out[0] = lo;
    out[1] = hi;
    this.scan(b1 * size, i1, level - 1, out);
  }
}

function median(data: Float32Array): number {
  if (data.length === 0) return 0;
  const step = Math.max(1, Math.floor(data.length / 20000));
  const pick: number[] = [];
  for (let i = 0; i < data.length; i += step) if (Number.isFinite(data[i])) pick.push(data[i]);
  pick.sort((a, b) => a - b);
  return pick.length ? pick[pick.length >> 1] : 0;
}
