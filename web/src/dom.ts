// Small DOM helpers: elements are found by their data-testid.

export function $(testid: string): HTMLElement {
  const el = document.querySelector<HTMLElement>(`[data-testid="${testid}"]`);
  if (!el) throw new Error(`missing element ${testid}`);
  return el;
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  el.append(...children);
  return el;
}

/** 00:12:34.5 */
export function clock(seconds: number, decimals = 1): string {
  const f = 10 ** decimals;
  const s = Math.round(Math.max(0, seconds) * f) / f; // 59.98 s at 1 decimal is 00:01:00.0
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = (s % 60).toFixed(decimals).padStart(decimals ? 3 + decimals : 2, '0');
  return `${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}:${ss}`;
}

export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function fmt(x: unknown, digits = 1, unit = ''): string {
  if (typeof x !== 'number' || !Number.isFinite(x)) return '–';
  return `${x.toFixed(digits)}${unit}`;
}
