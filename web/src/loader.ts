// Getting a recording analysed: files dropped or picked (multipart upload),
// or one of the server's built-in examples (posted back as JSON).

import { apiFetch, getJson } from './api';
import type { AnalyzeAnswer, Example } from './types';
import { $, h } from './dom';

export const ANALYZE = '/v1/records:analyze?signal=1';

export interface Loaded {
  name: string;
  answer: AnalyzeAnswer;
}

const stem = (name: string) => name.replace(/\.[^.]*$/, '');

/** Multipart POST of the files (a .hea with its .dat, one .edf, one .csv). */
export async function analyzeFiles(files: File[], fs: string): Promise<Loaded> {
  if (!files.length) throw new Error('No file given');
  const hea = files.find((f) => /\.hea$/i.test(f.name));
  if (hea && !files.some((f) => /\.dat$/i.test(f.name))) throw new Error(`${hea.name} needs its .dat file: drop or pick both together`);
  const form = new FormData();
  for (const f of files) form.append('file', f, f.name);
  if (fs.trim()) form.append('fs', fs.trim());
  const res = await apiFetch(ANALYZE, { method: 'POST', body: form });
  const answer = (await res.json()) as AnalyzeAnswer;
  const main = hea ?? files[0];
  return { name: answer.record && answer.record !== 'upload' ? answer.record : stem(main.name), answer };
}

export async function analyzeExample(id: string): Promise<Loaded> {
  const body = await (await apiFetch(`/v1/examples/${encodeURIComponent(id)}`)).text();
  const res = await apiFetch(ANALYZE, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
  const answer = (await res.json()) as AnalyzeAnswer;
  return { name: answer.record && answer.record !== 'upload' ? answer.record : id, answer };
}

export async function listExamples(): Promise<void> {
  const select = $('example-select') as HTMLSelectElement;
  const { examples } = await getJson<{ examples: Example[] }>('/v1/examples');
  select.replaceChildren(
    ...examples.map((e) =>
      h('option', { value: e.id }, `${e.title ?? e.id}${e.seconds ? ` (${Math.round(e.seconds)} s)` : ''}`),
    ),
  );
  ($('example-load') as HTMLButtonElement).disabled = examples.length === 0;
}

/** Wires the file picker and drag-and-drop onto the whole page. */
export function wireFiles(onFiles: (files: File[]) => void): void {
  const input = $('file-input') as HTMLInputElement;
  input.addEventListener('change', () => {
    if (input.files?.length) onFiles([...input.files]);
    input.value = '';
  });
  const zone = $('drop-zone');
  let depth = 0;
  const hasFiles = (e: DragEvent) => [...(e.dataTransfer?.types ?? [])].includes('Files');
  window.addEventListener('dragenter', (e) => {
    if (!hasFiles(e)) return;
    depth++;
    document.body.classList.add('dragging');
  });
  window.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (!depth) document.body.classList.remove('dragging');
  });
  window.addEventListener('dragover', (e) => {
    if (hasFiles(e)) e.preventDefault();
  });
  window.addEventListener('drop', (e) => {
    e.preventDefault();
    depth = 0;
    document.body.classList.remove('dragging');
    const files = [...(e.dataTransfer?.files ?? [])];
    if (files.length) onFiles(files);
  });
  zone.addEventListener('click', () => input.click());
}
