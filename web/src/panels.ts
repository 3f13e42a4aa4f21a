// Side panels: record facts, class counts, the selected beat, the Holter summary.

import type { EcgRecord } from './record';
import type { Beat } from './types';
import { CLASSES, CLASS_COLORS, CLASS_NAMES } from './types';
import { $, clock, fmt, h } from './dom';

export function renderRecordInfo(rec: EcgRecord): void {
  const a = rec.answer;
  const rows: [string, string][] = [
    ['Record', rec.name],
    ['Duration', `${clock(rec.duration, 0)} (${rec.numSamples.toLocaleString('en')} samples at ${rec.fs} Hz)`],
    ['Leads', rec.leads.map((l) => l.name).join(', ') || (a.leads ?? []).join(', ') || '–'],
    ['Analysed lead', [a.lead, a.second_lead].filter(Boolean).join(' + ') || '–'],
    ['Detector / model', `${a.detector ?? '–'} / ${a.model?.name ?? '–'} ${a.model?.version ?? ''}`],
    ['Server', `${a.build?.version ?? ''} ${a.build?.git_commit ?? ''}${a.build?.git_dirty ? ' (dirty)' : ''}`],
  ];
  $('record-info').replaceChildren(...rows.map(([k, v]) => h('div', { class: 'kv' }, h('span', {}, k), h('span', {}, v))));
  $('record-name').textContent = rec.name;
}

export function renderCounts(rec: EcgRecord): void {
  const counts = rec.counts();
  const total = rec.beats.length;
  $('beat-count').textContent = String(total);
  const rows = CLASSES.map((c) =>
    h(
      'tr',
      {},
      h('td', {}, h('span', { class: 'swatch', style: `background:${CLASS_COLORS[c]}` }), c),
      h('td', {}, CLASS_NAMES[c]),
      h('td', { class: 'num', 'data-testid': `count-${c}` }, String(counts[c])),
      h('td', { class: 'num' }, total ? `${((100 * counts[c]) / total).toFixed(1)}%` : '–'),
    ),
  );
  $('counts').replaceChildren(...rows);
  const n = rec.relabelled();
  $('relabel-count').textContent = n ? `${n} beat${n > 1 ? 's' : ''} relabelled` : '';
}

export function renderSelected(b: Beat | null): void {
  const el = $('selected-beat');
  el.dataset.sample = b ? String(b.sample) : '';
  el.dataset.class = b ? b.cls : '';
  $('selected-panel').classList.toggle('empty', !b);
  for (const c of CLASSES) $(`relabel-${c}`).classList.toggle('active', c === b?.cls);
  if (!b) {
    el.textContent = 'Click a beat (or press v, s, [ or ]) to select it.';
    return;
  }
  el.replaceChildren(
    h('div', { class: 'sel-head' }, h('b', { style: `color:${CLASS_COLORS[b.cls]}` }, `${b.cls} · ${CLASS_NAMES[b.cls]}`)),
    h('div', {}, `beat ${b.index + 1} at ${clock(b.time, 3)} (sample ${b.sample})`),
    h('div', {}, b.cls !== b.original ? `relabelled; the model said ${b.original}` : 'as the model classified it'),
    h(
      'div',
      { class: 'probs' },
      ...CLASSES.map((c, i) => h('span', { 'data-class': c }, `${c} ${b.proba ? b.proba[i].toFixed(3) : '–'}`)),
    ),
  );
}

type Obj = Record<string, unknown>;
const obj = (x: unknown): Obj => (x && typeof x === 'object' ? (x as Obj) : {});

/** The Holter summary object, as written by `heartwave analyze` (summary.json). */
export function renderSummary(rec: EcgRecord, jump: (t: number) => void): void {
  const s = rec.summary;
  const hr = obj(s.heart_rate);
  const v = obj(s.ventricular);
  const sv = obj(s.supraventricular);
  const pauses = obj(s.pauses);
  const asys = obj(s.asystole);
  const af = obj(s.af);
  const hrv = obj(s.hrv);
  const at = (t: unknown) => (typeof t === 'number' ? ` at ${clock(t, 0)}` : '');
  const runs = (x: Obj) =>
    `${x.runs ?? 0} runs (longest ${x.longest_run_beats ?? 0} beats${typeof x.fastest_run_bpm === 'number' ? `, fastest ${fmt(x.fastest_run_bpm, 0)} bpm` : ''}), ${x.couplets ?? 0} couplets, bigeminy ${x.bigeminy_episodes ?? 0}, trigeminy ${x.trigeminy_episodes ?? 0}`;
  const rows: [string, string][] = [
    ['Heart rate', `mean ${fmt(hr.mean_bpm, 0)} bpm; min ${fmt(hr.min_bpm, 0)}${at(hr.min_time_s)}; max ${fmt(hr.max_bpm, 0)}${at(hr.max_time_s)}`],
    ['Ventricular', `${v.beats ?? 0} beats (${fmt(v.burden_percent, 2, '%')}); ${runs(v)}`],
    ['Supraventricular', `${sv.beats ?? 0} beats (${fmt(sv.burden_percent, 2, '%')}); ${runs(sv)}`],
    ['Pauses', `${pauses.count ?? 0} over ${fmt(pauses.threshold_s, 1)} s${typeof pauses.longest_s === 'number' ? `, longest ${fmt(pauses.longest_s, 2)} s${at(pauses.longest_time_s)}` : ''}; asystole ${asys.count ?? 0}`],
    ['Atrial fibrillation', af.present ? `${fmt(af.burden_percent, 1, '%')} of the time, ${Array.isArray(af.episodes) ? af.episodes.length : 0} episodes, mean ${fmt(af.mean_rate_bpm, 0)} bpm` : 'none found'],
    ['HRV', `SDNN ${fmt(hrv.sdnn_ms, 0)} ms, SDANN ${fmt(hrv.sdann_ms, 0)} ms, RMSSD ${fmt(hrv.rmssd_ms, 0)} ms, pNN50 ${fmt(hrv.pnn50_percent, 1, '%')}`],
  ];
  const table = rows.map(([k, val]) => h('div', { class: 'kv' }, h('span', {}, k), h('span', {}, val)));
  const findings = Array.isArray(s.findings) ? (s.findings as Obj[]) : [];
  const list = h('ul', { class: 'findings', 'data-testid': 'findings' });
  for (const f of findings) {
    const item = h('li', {}, String(f.text ?? f.id ?? ''));
    if (typeof f.time_s === 'number') {
      const t = f.time_s;
      item.classList.add('link');
      item.title = `show ${clock(t, 0)}`;
      item.onclick = () => jump(t);
    }
    list.append(item);
  }
  if (!findings.length) list.append(h('li', { class: 'none' }, 'No urgent findings.'));
  const hasSummary = Object.keys(s).length > 0;
  $('summary').replaceChildren(
    ...(hasSummary ? table : [h('div', {}, 'The server sent no summary.')]),
    h('h4', {}, 'Findings'),
    list,
  );
}
