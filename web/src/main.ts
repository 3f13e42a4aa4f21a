// The heartwave page: a recording analysed by the server, on paper, with its
// beats, rhythm episodes and Holter summary; hand relabelling and downloads;
// the Beats tab. Keys are listed in index.html (the ? help).

import './style.css';
import { postForBlob } from './api';
import { wireBeatsTab, listModels } from './beats_tab';
import { $, clock, saveBlob } from './dom';
import { analyzeExample, analyzeFiles, listExamples, wireFiles, type Loaded } from './loader';
import { AF_TYPES, PAUSE_TYPES, RUN_TYPES, findBeat, findEpisode } from './navigate';
import { Overview } from './overview';
import { RunsTab } from './runs_tab';
import { renderCounts, renderRecordInfo, renderSelected, renderSummary } from './panels';
import { EcgRecord } from './record';
import type { Beat, BeatClass, Episode } from './types';
import { CLASSES, CLASS_NAMES } from './types';
import { EcgViewer } from './viewer';

let rec: EcgRecord | null = null;
let busy = 0;
let lastEpisode: { episode: Episode; centre: number } | null = null;

const viewer = new EcgViewer($('ecg') as HTMLCanvasElement, $('tooltip'));
const overview = new Overview($('overview') as HTMLCanvasElement, (t) => viewer.centreOn(t));

function status(text: string): void {
  $('status').textContent = text;
}

function showError(e: unknown): void {
  const el = $('error');
  el.textContent = e instanceof Error ? e.message : String(e);
  el.hidden = false;
}

function setBusy(on: boolean): void {
  busy += on ? 1 : -1;
  document.body.classList.toggle('busy', busy > 0);
}

viewer.onView = () => {
  const v = viewer.view;
  const info = $('view-info');
  info.dataset.start = v.start.toFixed(4);
  info.dataset.end = v.end.toFixed(4);
  info.dataset.zoom = v.zoom.toFixed(4);
  info.dataset.pps = viewer.pps.toFixed(4);
  info.dataset.settled = String(v.settled);
  info.textContent = `${clock(v.start)} – ${clock(v.end)} · ${v.dur < 100 ? v.dur.toFixed(1) : Math.round(v.dur)} s · zoom ×${v.zoom < 0.1 ? v.zoom.toFixed(3) : v.zoom.toFixed(2)}${Math.abs(v.zoom - 1) < 0.005 ? ' (calibrated)' : ''}`;
  overview.setView(v.start, v.end);
};
viewer.onSelect = (b) => renderSelected(b);

async function load(job: () => Promise<Loaded>, what: string): Promise<void> {
  const state = $('load-state');
  state.dataset.state = 'loading';
  state.textContent = `Analysing ${what}…`;
  $('error').hidden = true;
  setBusy(true);
  try {
    const { name, answer } = await job();
    rec = new EcgRecord(name, answer);
    lastEpisode = null;
    document.body.classList.add('has-record');
    viewer.setRecord(rec);
    overview.setRecord(rec);
    renderRecordInfo(rec);
    renderCounts(rec);
    renderSelected(null);
    renderSummary(rec, (t) => viewer.centreOn(t));
    const secs = answer.timing?.seconds;
    state.textContent = `${rec.name}: ${rec.beats.length} beats${typeof secs === 'number' ? `, analysed in ${secs.toFixed(2)} s` : ''}`;
    state.dataset.state = 'ready';
    status('Press ? for the keys.');
    // The keys act on the record at once, not on the field last typed in.
    if (document.activeElement instanceof HTMLElement && document.activeElement.closest('input, select')) document.activeElement.blur();
  } catch (e) {
    state.dataset.state = 'error';
    state.textContent = `Could not analyse ${what}`;
    showError(e);
  } finally {
    setBusy(false);
  }
}

function relabel(c: BeatClass): void {
  const b = viewer.selected;
  if (!rec || !b) return;
  b.cls = c;
  renderCounts(rec);
  renderSelected(b);
  viewer.invalidate();
  overview.refresh();
  status(`Beat at ${clock(b.time, 3)} is now ${c} (${CLASS_NAMES[c]}).`);
}

function jumpToBeat(c: BeatClass | null, dir: 1 | -1): void {
  if (!rec) return;
  const from = viewer.selected ? viewer.selected.sample : Math.round(viewer.targetCentre * rec.fs);
  const found = findBeat(rec, c, from, dir);
  if (!found) {
    status(`No ${c ?? ''} beat in this record.`);
    return;
  }
  viewer.select(found.beat);
  viewer.centreOn(found.beat.time);
  const same = c ? rec.beats.filter((x) => x.cls === c) : rec.beats;
  const k = same.indexOf(found.beat) + 1;
  status(`${c ? `${c} beat ${k} of ${same.length}` : `Beat ${k} of ${same.length}`} at ${clock(found.beat.time, 3)}${found.wrapped ? ' (wrapped round)' : ''}.`);
}

function jumpToEpisode(types: string[], label: string, dir: 1 | -1): void {
  if (!rec) return;
  const centre = viewer.targetCentre;
  const from = lastEpisode && Math.abs(lastEpisode.centre - centre) < 1e-6 ? lastEpisode.episode.start : Math.round(centre * rec.fs);
  const found = findEpisode(rec, types, from, dir);
  if (!found) {
    status(`No ${label} in this record.`);
    return;
  }
  const e = found.episode;
  const t0 = e.start / rec.fs;
  const t1 = e.end / rec.fs;
  viewer.centreOn((t0 + t1) / 2, [t0, t1]);
  lastEpisode = { episode: e, centre: viewer.targetCentre };
  const all = rec.episodes.filter((x) => types.includes(x.type));
  status(`${e.type} ${all.indexOf(e) + 1} of ${all.length} at ${clock(t0)}, ${(t1 - t0).toFixed(1)} s${e.beats ? `, ${e.beats} beats` : ''}${e.rate ? `, ${e.rate.toFixed(0)} bpm` : ''}${found.wrapped ? ' (wrapped round)' : ''}.`);
}

function stepBeat(dir: 1 | -1): void {
  jumpToBeat(null, dir);
}

function downloadCsv(): void {
  if (!rec) return;
  saveBlob(new Blob([rec.csv()], { type: 'text/csv' }), `${rec.name}.csv`);
}

async function downloadWfdb(): Promise<void> {
  if (!rec) return;
  setBusy(true);
  try {
    const beats = rec.beats.map((b: Beat) => ({ sample: b.sample, class: b.cls }));
    const blob = await postForBlob('/v1/annotations:wfdb', { fs: rec.fs, beats });
    saveBlob(new Blob([blob], { type: 'application/octet-stream' }), `${rec.name}.hw`);
  } catch (e) {
    showError(e);
  } finally {
    setBusy(false);
  }
}

function toggleHelp(show?: boolean): void {
  const help = $('help');
  help.hidden = show === undefined ? !help.hidden : !show;
}

type Tab = 'record' | 'beats' | 'runs';
let runsTab: RunsTab | null = null;

/** Shows a tab; the URL hash follows (#beats, #runs/…, none for the record). */
function setTab(tab: Tab, show = true): void {
  document.body.dataset.tab = tab;
  for (const t of ['record', 'beats', 'runs']) $(`tab-${t}`).setAttribute('aria-selected', String(t === tab));
  const want = tab === 'record' ? '' : `#${tab}`;
  if (tab === 'record' ? location.hash !== '' : !location.hash.startsWith(want))
    history.replaceState(null, '', location.pathname + location.search + want);
  if (tab === 'runs' && show) runsTab?.show();
}

/** The tab (and the Runs view) a URL hash names: #beats, #runs, #runs/compare=ID,ID… */
function fromHash(): void {
  const hash = location.hash;
  if (hash.startsWith('#runs')) {
    setTab('runs', false);
    runsTab?.restore(hash);
  } else if (hash === '#beats') setTab('beats');
  else if (!hash) setTab('record');
}

function onKey(e: KeyboardEvent): void {
  const target = e.target as HTMLElement;
  if (target.closest('input, textarea, select') || e.ctrlKey || e.metaKey || e.altKey) return;
  if (e.key === '?') return void toggleHelp();
  if (e.key === 'Escape') {
    if (!$('help').hidden) toggleHelp(false);
    else viewer.select(null);
    return;
  }
  if (document.body.dataset.tab !== 'record' || !rec) return;
  const dir = e.shiftKey ? -1 : 1;
  const k = e.key.toLowerCase();
  const actions: Record<string, () => void> = {
    '+': () => viewer.zoomBy(1.5),
    '=': () => viewer.zoomBy(1.5),
    '-': () => viewer.zoomBy(1 / 1.5),
    _: () => viewer.zoomBy(1 / 1.5),
    '0': () => viewer.setZoom(1),
    f: () => viewer.fitAll(),
    arrowleft: () => viewer.panBy(e.shiftKey ? -1 : -0.25),
    arrowright: () => viewer.panBy(e.shiftKey ? 1 : 0.25),
    home: () => viewer.centreOn(0),
    end: () => viewer.centreOn(rec!.duration),
    v: () => jumpToBeat('V', dir),
    s: () => jumpToBeat('S', dir),
    '[': () => stepBeat(-1),
    ']': () => stepBeat(1),
    r: () => jumpToEpisode(RUN_TYPES, 'run (VT or SVTA)', dir),
    p: () => jumpToEpisode(PAUSE_TYPES, 'pause', dir),
    a: () => jumpToEpisode(AF_TYPES, 'AF episode', dir),
  };
  if (/^[1-5]$/.test(e.key)) {
    relabel(CLASSES[Number(e.key) - 1]);
    e.preventDefault();
    return;
  }
  const act = actions[k];
  if (act) {
    act();
    e.preventDefault();
  }
}

function wire(): void {
  window.addEventListener('keydown', onKey);
  wireFiles((files) => void load(() => analyzeFiles(files, ($('fs-input') as HTMLInputElement).value), files.map((f) => f.name).join(' + ')));
  $('example-load').addEventListener('click', () => {
    const id = ($('example-select') as HTMLSelectElement).value;
    if (id) void load(() => analyzeExample(id), `example ${id}`);
  });
  const scale = () =>
    viewer.setScale(Number(($('speed') as HTMLSelectElement).value), Number(($('gain') as HTMLSelectElement).value));
  $('speed').addEventListener('change', scale);
  $('gain').addEventListener('change', scale);
  $('zoom-in').addEventListener('click', () => viewer.zoomBy(1.5));
  $('zoom-out').addEventListener('click', () => viewer.zoomBy(1 / 1.5));
  $('zoom-reset').addEventListener('click', () => viewer.setZoom(1));
  $('zoom-fit').addEventListener('click', () => viewer.fitAll());
  for (const c of CLASSES) $(`relabel-${c}`).addEventListener('click', () => relabel(c));
  $('relabel-revert').addEventListener('click', () => viewer.selected && relabel(viewer.selected.original));
  $('download-csv').addEventListener('click', downloadCsv);
  $('download-wfdb').addEventListener('click', () => void downloadWfdb());
  $('help-button').addEventListener('click', () => toggleHelp());
  $('help-close').addEventListener('click', () => toggleHelp(false));
  $('tab-record').addEventListener('click', () => setTab('record'));
  $('tab-beats').addEventListener('click', () => setTab('beats'));
  $('tab-runs').addEventListener('click', () => setTab('runs'));
  $('error').addEventListener('click', () => ($('error').hidden = true));
  wireBeatsTab(setBusy, showError);
  runsTab = new RunsTab(setBusy, showError, () => ($('error').hidden = true));
  window.addEventListener('hashchange', fromHash);
  if (location.hash) fromHash();
  else setTab('record');
  listExamples().catch(showError);
  listModels().catch(() => undefined);
}

wire();
