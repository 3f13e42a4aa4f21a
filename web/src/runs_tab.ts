// The "Runs" tab: the tracking store's runs (GET /v1/runs), filtered and
// sorted as by `heartwave runs list`, and several of them compared
// (GET /v1/runs/{id}): parameters side by side with the differences marked,
// training curves on shared axes, final metrics as grouped bars. The view is
// kept in the URL hash (#runs/compare=ID,ID/experiment=E/filter=F/sort=S).

import { getJson } from './api';
import { $, h } from './dom';
import { curveChart, finalsChart, fmtValue, type ChartRun } from './runs_charts';

export interface Run {
  id: string;
  experiment: string;
  status: string;
  start_ms: number;
  end_ms: number;
  git_commit?: string;
  git_dirty?: boolean;
  command?: string;
  params: Record<string, string>;
  tags: Record<string, string>;
  metrics: Record<string, number>;
  host?: string;
  pid?: number;
  artifacts?: { path: string; sha256?: string; size?: number; kind?: string }[];
}

interface ListAnswer {
  store: string | null;
  count: number;
  experiments: string[];
  runs: Run[];
}

interface RunAnswer {
  run: Run;
  curves: Record<string, [number, number][]>;
}

/** Runs asked for at most (the newest, or the first by the sort). */
export const LIST_LIMIT = 500;
/** Metric columns of the list, at most. */
const METRIC_COLUMNS = 6;
/** Metrics drawn in the finals chart, at most (the table has them all). */
const FINALS_CHARTED = 12;
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];
const MISSING = '—';

export const shortId = (id: string): string => id.slice(0, 8);

/** `accuracy>0.9, params.max_depth=6 and status=finished` → the three expressions. */
export function splitFilters(text: string): string[] {
  return text
    .split(/\s*,\s*|\s+and\s+/i)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Metrics named like accuracy, f1 or loss first, then those most runs have, then by name. */
export function metricOrder(keys: Iterable<string>, runs: { metrics: Record<string, number> }[]): string[] {
  const rank = (k: string) => (/accuracy/i.test(k) ? 0 : /f1/i.test(k) ? 1 : /loss/i.test(k) ? 2 : 3);
  const have = (k: string) => runs.filter((r) => k in r.metrics).length;
  return [...new Set(keys)].sort((a, b) => rank(a) - rank(b) || have(b) - have(a) || (a < b ? -1 : a > b ? 1 : 0));
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

export function fmtStart(ms: number): string {
  if (!ms) return MISSING;
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

export function fmtDuration(run: Pick<Run, 'start_ms' | 'end_ms' | 'status'>): string {
  if (!run.start_ms) return MISSING;
  const running = !run.end_ms;
  const s = ((running ? Date.now() : run.end_ms) - run.start_ms) / 1000;
  let text: string;
  if (s < 0) text = MISSING;
  else if (s < 10) text = `${s.toFixed(1)} s`;
  else if (s < 60) text = `${Math.round(s)} s`;
  else if (s < 3600) text = `${Math.floor(s / 60)} m ${pad2(Math.round(s % 60))} s`;
  else text = `${Math.floor(s / 3600)} h ${pad2(Math.floor((s % 3600) / 60))} m`;
  return running ? `${text}…` : text;
}

interface ViewState {
  experiment: string;
  filter: string;
  sort: string;
  compare: string[];
}

/** The hash of a Runs view: #runs/compare=ID,ID/experiment=E/filter=F/sort=S (empty parts left out). */
export function runsHash(v: ViewState): string {
  const parts = ['#runs'];
  if (v.compare.length) parts.push(`compare=${v.compare.map(encodeURIComponent).join(',')}`);
  for (const k of ['experiment', 'filter', 'sort'] as const) if (v[k]) parts.push(`${k}=${encodeURIComponent(v[k])}`);
  return parts.join('/');
}

export function parseRunsHash(hash: string): ViewState | null {
  const m = /^#runs(?:\/(.*))?$/.exec(hash);
  if (!m) return null;
  const v: ViewState = { experiment: '', filter: '', sort: '', compare: [] };
  for (const part of (m[1] ?? '').split('/')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const k = part.slice(0, eq);
    const raw = part.slice(eq + 1);
    try {
      if (k === 'compare') v.compare = raw.split(',').map(decodeURIComponent).filter(Boolean);
      else if (k === 'experiment' || k === 'filter' || k === 'sort') v[k] = decodeURIComponent(raw);
    } catch {
      /* a malformed part is ignored */
    }
  }
  return v;
}

export class RunsTab {
  private readonly experiment = $('runs-experiment') as HTMLSelectElement;
  private readonly filter = $('runs-filter') as HTMLInputElement;
  private readonly sort = $('runs-sort') as HTMLInputElement;
  private readonly table = $('runs-table') as HTMLTableElement;
  private readonly compareButton = $('runs-compare') as HTMLButtonElement;
  private readonly view = $('runs-compare-view');
  private runs: Run[] = [];
  private readonly selected = new Set<string>();
  private compared: string[] = [];
  private listSeq = 0;
  private compareSeq = 0;
  private loaded = false;

  constructor(
    private readonly setBusy: (busy: boolean) => void,
    private readonly showError: (e: unknown) => void,
    private readonly hideError: () => void,
  ) {
    $('runs-apply').addEventListener('click', () => void this.list());
    this.experiment.addEventListener('change', () => void this.list());
    for (const input of [this.filter, this.sort])
      input.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') {
          e.preventDefault();
          void this.list();
        }
      });
    this.compareButton.addEventListener('click', () => void this.compare([...this.selectedInOrder()]));
    $('runs-clear').addEventListener('click', () => {
      this.selected.clear();
      this.syncSelection();
    });
    $('params-only-diff').addEventListener('change', () => this.applyOnlyDiff());
    this.table.addEventListener('change', (e) => {
      const box = e.target as HTMLInputElement;
      if (box.dataset.testid === 'runs-select-all') {
        for (const r of this.runs) box.checked ? this.selected.add(r.id) : this.selected.delete(r.id);
      } else {
        const id = box.closest('tr')?.dataset.runId;
        if (!id) return;
        if (box.checked) this.selected.add(id);
        else this.selected.delete(id);
      }
      this.syncSelection();
    });
    // A click anywhere on a row (but its checkbox) toggles it.
    this.table.addEventListener('click', (e) => {
      const t = e.target as HTMLElement;
      if (t.closest('input, button, a')) return;
      const box = t.closest('tr')?.querySelector<HTMLInputElement>('input[data-testid="run-select"]');
      if (box) box.click();
    });
  }

  /** The tab is shown: lists the runs the first time. */
  show(): void {
    if (!this.loaded) void this.list();
    else this.updateHash();
  }

  /** Restores the view from a #runs hash (a link, a reload). */
  restore(hash: string): void {
    const v = parseRunsHash(hash);
    if (!v) return;
    this.filter.value = v.filter;
    this.sort.value = v.sort;
    this.setExperimentOptions([], v.experiment);
    for (const id of v.compare) this.selected.add(id);
    void this.list().then(() => {
      if (v.compare.length) {
        // Prefixes in the link are resolved to the listed runs' ids where they match one.
        const ids = v.compare.map((p) => {
          const hits = this.runs.filter((r) => r.id.startsWith(p));
          return hits.length === 1 ? hits[0].id : p;
        });
        this.selected.clear();
        for (const id of ids) this.selected.add(id);
        this.syncSelection();
        return this.compare(ids);
      }
    });
  }

  private state(): ViewState {
    return { experiment: this.experiment.value, filter: this.filter.value.trim(), sort: this.sort.value.trim(), compare: this.compared };
  }

  private updateHash(): void {
    if (document.body.dataset.tab !== 'runs') return;
    history.replaceState(null, '', runsHash(this.state()));
  }

  private setExperimentOptions(experiments: string[], keep = this.experiment.value): void {
    const names = [...new Set([...experiments, ...(keep ? [keep] : [])])];
    this.experiment.replaceChildren(h('option', { value: '' }, 'all'), ...names.map((e) => h('option', { value: e }, e)));
    this.experiment.value = keep;
  }

  private query(): string {
    const q = new URLSearchParams();
    if (this.experiment.value) q.set('experiment', this.experiment.value);
    for (const f of splitFilters(this.filter.value)) q.append('filter', f);
    const sort = this.sort.value.trim();
    if (sort) q.set('sort', sort);
    q.set('limit', String(LIST_LIMIT));
    return q.toString();
  }

  /** GET /v1/runs with the controls' values; the table, count line and metric choices follow. */
  async list(): Promise<void> {
    const seq = ++this.listSeq;
    this.loaded = true;
    this.table.dataset.state = 'loading';
    this.hideError();
    this.setBusy(true);
    try {
      const answer = await getJson<ListAnswer>(`/v1/runs?${this.query()}`);
      if (seq !== this.listSeq) return;
      this.runs = answer.runs ?? [];
      this.setExperimentOptions(answer.experiments ?? []);
      this.renderList(answer);
      this.table.dataset.state = 'ready';
    } catch (e) {
      if (seq !== this.listSeq) return;
      this.runs = [];
      this.renderList(null);
      this.table.dataset.state = 'error';
      $('runs-count').textContent = 'Could not list the runs.';
      this.showError(e);
    } finally {
      this.setBusy(false);
      if (seq === this.listSeq) {
        this.table.dataset.seq = String(seq);
        this.updateHash();
      }
    }
  }

  private selectedInOrder(): string[] {
    // The list's order; ids not (or no longer) listed, e.g. from a link, after.
    const listed = this.runs.map((r) => r.id).filter((id) => this.selected.has(id));
    return [...listed, ...[...this.selected].filter((id) => !listed.includes(id))];
  }

  private syncSelection(): void {
    let n = 0;
    for (const box of this.table.querySelectorAll<HTMLInputElement>('input[data-testid="run-select"]')) {
      const id = box.closest('tr')!.dataset.runId!;
      box.checked = this.selected.has(id);
      box.closest('tr')!.classList.toggle('selected', box.checked);
      if (box.checked) n++;
    }
    const all = this.table.querySelector<HTMLInputElement>('input[data-testid="runs-select-all"]');
    if (all) {
      all.checked = n > 0 && n === this.runs.length;
      all.indeterminate = n > 0 && n < this.runs.length;
    }
    const total = this.selected.size;
    this.compareButton.disabled = total === 0;
    this.compareButton.textContent = total ? `Compare ${total}` : 'Compare';
    ($('runs-clear') as HTMLButtonElement).disabled = total === 0;
  }

  private sortBy(key: string): void {
    const cur = this.sort.value.trim();
    this.sort.value = cur === key ? `-${key}` : key;
    void this.list();
  }

  private renderList(answer: ListAnswer | null): void {
    const empty = $('runs-empty');
    const runs = this.runs;
    const sort = this.sort.value.trim().replace(/^-/, '');
    let metrics = metricOrder(runs.flatMap((r) => Object.keys(r.metrics ?? {})), runs);
    if (answer) {
      const keys = [...metrics].sort();
      document.getElementById('runs-sort-keys')?.replaceChildren(...keys.flatMap((k) => [h('option', { value: k }), h('option', { value: `-${k}` })]));
    }
    if (sort && metrics.includes(sort)) metrics = [sort, ...metrics.filter((k) => k !== sort)];
    metrics = metrics.slice(0, METRIC_COLUMNS);
    const dir = this.sort.value.trim().startsWith('-') ? 'ascending' : 'descending';
    const head = h(
      'tr',
      {},
      h('th', {}, h('input', { type: 'checkbox', 'data-testid': 'runs-select-all', 'aria-label': 'Select all runs' })),
      h('th', {}, 'run'),
      h('th', {}, 'experiment'),
      h('th', {}, 'status'),
      h('th', {}, 'started'),
      h('th', {}, 'duration'),
      ...metrics.map((k) => {
        const b = h('button', { class: 'link', title: `Sort by ${k} (again: the other way)` }, k);
        b.addEventListener('click', () => this.sortBy(k));
        return h('th', { class: 'num', 'data-metric': k, ...(k === sort ? { 'aria-sort': dir } : {}) }, b);
      }),
    );
    const rows = runs.map((r) =>
      h(
        'tr',
        { 'data-run-id': r.id, 'data-status': r.status },
        h('td', {}, h('input', { type: 'checkbox', 'data-testid': 'run-select', 'aria-label': `Select run ${shortId(r.id)}` })),
        h('td', { class: 'mono', title: `${r.id}${r.command ? `\n${r.command}` : ''}` }, shortId(r.id)),
        h('td', {}, r.experiment),
        h('td', {}, h('span', { class: `run-status ${r.status}` }, r.status)),
        h('td', { title: r.start_ms ? new Date(r.start_ms).toISOString() : '' }, fmtStart(r.start_ms)),
        h('td', { class: 'num' }, fmtDuration(r)),
        ...metrics.map((k) => {
          const v = r.metrics?.[k];
          return h('td', { class: 'num', 'data-metric': k, ...(typeof v === 'number' ? { 'data-value': String(v) } : {}) }, fmtValue(v));
        }),
      ),
    );
    this.table.tHead!.replaceChildren(head);
    this.table.tBodies[0].replaceChildren(...rows);
    this.table.hidden = !answer?.store || runs.length === 0;
    empty.hidden = !!answer && !!answer.store && runs.length > 0;
    if (!answer) {
      empty.hidden = true;
    } else if (!answer.store) {
      empty.dataset.reason = 'no-store';
      empty.replaceChildren('No tracking store is configured: start the server with ', h('code', {}, 'heartwave serve --tracking PATH'), '.');
    } else if (!runs.length) {
      const narrowed = !!(this.experiment.value || this.filter.value.trim());
      empty.dataset.reason = 'no-runs';
      empty.textContent = narrowed ? 'No run matches.' : `No runs in ${answer.store} yet.`;
    }
    if (answer) {
      const n = runs.length;
      const count = typeof answer.count === 'number' && answer.count > n ? ` of ${answer.count}` : '';
      $('runs-count').textContent = answer.store ? `${n}${count} run${n === 1 && !count ? '' : 's'} shown · store ${answer.store}` : '';
      $('runs-count').dataset.count = String(n);
    }
    this.syncSelection();
  }

  /** Fetches the runs and shows them side by side. */
  async compare(ids: string[]): Promise<void> {
    if (!ids.length) return;
    const seq = ++this.compareSeq;
    this.view.hidden = false;
    this.view.dataset.state = 'loading';
    this.hideError();
    this.setBusy(true);
    try {
      const answers = await Promise.all(ids.map((id) => getJson<RunAnswer>(`/v1/runs/${encodeURIComponent(id)}`)));
      if (seq !== this.compareSeq) return;
      this.compared = answers.map((a) => a.run.id);
      this.renderCompare(answers);
      this.view.dataset.state = 'ready';
      this.view.dataset.runs = this.compared.join(',');
      this.view.scrollIntoView({ block: 'start' });
    } catch (e) {
      if (seq !== this.compareSeq) return;
      this.view.dataset.state = 'error';
      this.showError(e);
    } finally {
      this.setBusy(false);
      if (seq === this.compareSeq) {
        this.view.dataset.seq = String(seq);
        this.updateHash();
      }
    }
  }

  private applyOnlyDiff(): void {
    const only = ($('params-only-diff') as HTMLInputElement).checked;
    for (const tr of $('params-table').querySelectorAll<HTMLTableRowElement>('tbody tr')) tr.hidden = only && tr.dataset.diff !== '1';
  }

  private renderCompare(answers: RunAnswer[]): void {
    const runs: ChartRun[] = answers.map((a, i) => ({ id: a.run.id, label: shortId(a.run.id), color: COLORS[i % COLORS.length] }));
    const byId = new Map(answers.map((a) => [a.run.id, a]));
    const runHead = (first: string) =>
      h(
        'tr',
        {},
        h('th', {}, first),
        ...runs.map((r) => h('th', { 'data-run': r.id, title: r.id }, h('i', { class: 'swatch', style: `background:${r.color}` }), r.label)),
      );

    $('compare-legend').replaceChildren(
      ...runs.map((r) => {
        const run = byId.get(r.id)!.run;
        return h('span', { 'data-run': r.id }, h('i', { class: 'swatch', style: `background:${r.color}` }), h('b', { class: 'mono' }, r.label), ` ${run.experiment}, ${run.status}`);
      }),
    );

    // The runs' facts.
    const fact = (label: string, f: (run: Run) => string) =>
      h('tr', {}, h('th', {}, label), ...answers.map((a) => h('td', { 'data-run': a.run.id }, f(a.run))));
    $('compare-runs').replaceChildren(
      h('thead', {}, runHead('run')),
      h(
        'tbody',
        {},
        fact('experiment', (r) => r.experiment),
        fact('status', (r) => r.status),
        fact('started', (r) => fmtStart(r.start_ms)),
        fact('duration', (r) => fmtDuration(r)),
        fact('git commit', (r) => (r.git_commit ? `${r.git_commit.slice(0, 10)}${r.git_dirty ? ' (dirty)' : ''}` : MISSING)),
        fact('host', (r) => (r.host ? `${r.host}${r.pid ? ` (pid ${r.pid})` : ''}` : MISSING)),
        fact('artifacts', (r) => String(r.artifacts?.length ?? 0)),
        fact('command', (r) => r.command ?? MISSING),
      ),
    );

    // Parameters side by side; a row differs when any run lacks the key or has another value.
    const keys = [...new Set(answers.flatMap((a) => Object.keys(a.run.params ?? {})))].sort();
    const paramRows = keys.map((k) => {
      const vals = answers.map((a) => (Object.prototype.hasOwnProperty.call(a.run.params ?? {}, k) ? a.run.params[k] : undefined));
      const diff = new Set(vals).size > 1;
      return h(
        'tr',
        { 'data-param': k, 'data-diff': diff ? '1' : '0', ...(diff ? { class: 'diff' } : {}) },
        h('th', {}, k),
        ...vals.map((v, i) => h('td', { 'data-run': answers[i].run.id, ...(v === undefined ? { class: 'missing' } : {}) }, v ?? MISSING)),
      );
    });
    const ndiff = paramRows.filter((r) => r.dataset.diff === '1').length;
    $('params-table').replaceChildren(
      h('thead', {}, runHead('parameter')),
      h('tbody', {}, ...(paramRows.length ? paramRows : [h('tr', {}, h('td', { class: 'note', colspan: String(runs.length + 1) }, 'No parameters.'))])),
    );
    $('params-summary').textContent = `${keys.length} parameter${keys.length === 1 ? '' : 's'}, ${ndiff} differ${ndiff === 1 ? 's' : ''}`;
    this.applyOnlyDiff();

    // Curves: every metric with more than one point in at least one run.
    const curveKeys = metricOrder(
      answers.flatMap((a) => Object.entries(a.curves ?? {}).filter(([, p]) => p.length > 1).map(([k]) => k)),
      answers.map((a) => a.run),
    );
    $('curve-charts').replaceChildren(
      ...curveKeys.map((k) =>
        curveChart(
          k,
          answers.flatMap((a, i) => {
            const points = a.curves?.[k];
            return points?.length ? [{ run: runs[i], points }] : [];
          }),
        ),
      ),
    );
    $('curves-note').textContent = curveKeys.length ? '' : 'No metric of these runs has more than one point.';

    // Final metrics: every one in the table, the first FINALS_CHARTED in the chart.
    const finals = metricOrder(answers.flatMap((a) => Object.keys(a.run.metrics ?? {})), answers.map((a) => a.run));
    const charted = finals.slice(0, FINALS_CHARTED);
    const value = (id: string, k: string) => byId.get(id)?.run.metrics?.[k];
    const chart = finalsChart(charted, runs, value);
    chart.dataset.testid = 'finals-chart';
    chart.dataset.metrics = JSON.stringify(charted);
    $('finals-chart-wrap').replaceChildren(chart);
    $('finals-note').textContent = !finals.length
      ? 'These runs have no metrics.'
      : `Each metric on its own scale from 0.${finals.length > charted.length ? ` The first ${charted.length} of ${finals.length} metrics are charted; all are in the table.` : ''}`;
    $('finals-table').replaceChildren(
      h('thead', {}, runHead('metric')),
      h(
        'tbody',
        {},
        ...finals.map((k) =>
          h(
            'tr',
            { 'data-metric': k },
            h('th', {}, k),
            ...runs.map((r) => {
              const v = value(r.id, k);
              return h('td', { class: 'num', 'data-run': r.id, ...(typeof v === 'number' ? { 'data-value': String(v) } : {}) }, fmtValue(v));
            }),
          ),
        ),
      ),
    );
  }
}
