// Shapes of the heartwave serve API (docs/web.md, the server's /openapi.json).

export const CLASSES = ['N', 'S', 'V', 'F', 'Q'] as const;
export type BeatClass = (typeof CLASSES)[number];

export const CLASS_NAMES: Record<BeatClass, string> = {
  N: 'Normal',
  S: 'Supraventricular ectopic',
  V: 'Ventricular ectopic',
  F: 'Fusion',
  Q: 'Unknown / paced',
};

export const CLASS_COLORS: Record<BeatClass, string> = {
  N: '#2e7d32',
  S: '#1565c0',
  V: '#c62828',
  F: '#ef6c00',
  Q: '#6a1b9a',
};

export function isBeatClass(x: unknown): x is BeatClass {
  return typeof x === 'string' && (CLASSES as readonly string[]).includes(x);
}

export interface ApiBeat {
  sample: number;
  time?: number;
  class: string;
  proba?: number[] | null;
  review?: boolean;
  af?: boolean;
}

export interface ApiEpisode {
  type: string;
  start?: number;
  end?: number;
  start_time?: number;
  start_s?: number;
  end_s?: number;
  duration_s?: number;
  beats?: number;
  rate_bpm?: number | null;
}

export interface AnalyzeAnswer {
  build?: { version?: string; git_commit?: string; git_dirty?: boolean };
  record?: string;
  fs: number;
  num_samples?: number;
  duration_s?: number;
  leads?: string[];
  lead?: string;
  second_lead?: string;
  detector?: string;
  model?: { name?: string; version?: string };
  beats: ApiBeat[];
  counts?: Partial<Record<BeatClass, number>>;
  episodes?: ApiEpisode[];
  summary?: Record<string, unknown>;
  signal?: { leads: Record<string, number[]> };
  timing?: { seconds?: number };
}

export interface Example {
  id: string;
  title?: string;
  fs?: number;
  seconds?: number;
}

export interface ClassifiedBeat {
  class: string;
  class_index?: number;
  proba: number[];
  model?: string;
}

/** A beat as the page holds it: the server's class and the reviewer's. */
export interface Beat {
  index: number;
  sample: number;
  time: number;
  cls: BeatClass;
  original: BeatClass;
  proba: number[] | null;
}

/** A rhythm episode in samples. */
export interface Episode {
  type: string;
  start: number;
  end: number;
  beats?: number;
  rate?: number | null;
}
