// Drawing of the ECG view on a canvas: paper grid (1 mm minor, 5 mm major at
// 96 CSS px per inch), the leads stacked, beats at their R, rhythm episodes.

import type { EcgRecord } from './record';
import type { Beat } from './types';
import { CLASS_COLORS } from './types';
import { clock } from './dom';

export const PX_PER_MM = 96 / 25.4;
export const STRIP_H = 24; // beat markers above the leads
export const AXIS_H = 18; // time labels below

export interface Geometry {
  width: number;
  height: number;
  start: number; // seconds at the left edge
  pps: number; // CSS px per second
  speed: number; // mm/s
  pxPerMv: number;
  laneHeight: number;
  lanes: number;
}

export const EPISODE_COLORS: Record<string, string> = {
  VT: '#c62828',
  SVTA: '#1565c0',
  AFIB: '#6a1b9a',
  PAUSE: '#616161',
  ASYSTOLE: '#212121',
};

const NICE_SECONDS = [0.04, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600];

export function niceStep(pps: number, minPx: number): number {
  return NICE_SECONDS.find((s) => s * pps >= minPx) ?? 7200;
}

function vline(ctx: CanvasRenderingContext2D, x: number, y0: number, y1: number): void {
  const xs = Math.round(x) + 0.5;
  ctx.moveTo(xs, y0);
  ctx.lineTo(xs, y1);
}

function hline(ctx: CanvasRenderingContext2D, y: number, x0: number, x1: number): void {
  const ys = Math.round(y) + 0.5;
  ctx.moveTo(x0, ys);
  ctx.lineTo(x1, ys);
}

export function drawGrid(ctx: CanvasRenderingContext2D, g: Geometry): void {
  const top = STRIP_H;
  const bottom = STRIP_H + g.lanes * g.laneHeight;
  ctx.fillStyle = '#fffaf7';
  ctx.fillRect(0, 0, g.width, g.height);
  const mmSec = 1 / g.speed; // one millimetre of paper in seconds
  const minorPx = mmSec * g.pps;
  const end = g.start + g.width / g.pps;
  const lines = (stepSec: number, style: string, every = 0) => {
    ctx.beginPath();
    ctx.strokeStyle = style;
    const k0 = Math.ceil(g.start / stepSec);
    for (let k = k0; k * stepSec <= end; k++) {
      if (every && k % every === 0) continue;
      vline(ctx, (k * stepSec - g.start) * g.pps, top, bottom);
    }
    ctx.stroke();
  };
  // Vertical lines: paper millimetres while they are at least 3 px apart, else plain time lines.
  if (minorPx >= 3) lines(mmSec, 'rgba(236,140,140,0.28)', 5);
  if (minorPx * 5 >= 4) lines(5 * mmSec, 'rgba(214,70,70,0.45)');
  else lines(niceStep(g.pps, 40), 'rgba(214,70,70,0.35)');
  // Horizontal lines: millimetres from each lane's centre line.
  for (let l = 0; l < g.lanes; l++) {
    const y0 = top + l * g.laneHeight;
    const mid = y0 + g.laneHeight / 2;
    const half = Math.floor(g.laneHeight / 2 / PX_PER_MM);
    for (const major of [false, true]) {
      ctx.beginPath();
      ctx.strokeStyle = major ? 'rgba(214,70,70,0.45)' : 'rgba(236,140,140,0.28)';
      for (let k = -half; k <= half; k++) {
        if ((k % 5 === 0) !== major) continue;
        hline(ctx, mid + k * PX_PER_MM, 0, g.width);
      }
      ctx.stroke();
    }
  }
  // Time labels.
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, bottom, g.width, g.height - bottom);
  ctx.fillRect(0, 0, g.width, top);
  const step = niceStep(g.pps, 90);
  ctx.fillStyle = '#555';
  ctx.font = '11px system-ui, sans-serif';
  ctx.textBaseline = 'top';
  ctx.beginPath();
  ctx.strokeStyle = '#999';
  for (let k = Math.ceil(g.start / step); k * step <= end; k++) {
    const x = (k * step - g.start) * g.pps;
    vline(ctx, x, bottom, bottom + 4);
    ctx.fillText(clock(k * step, step < 1 ? 2 : 0), x + 2, bottom + 4);
  }
  ctx.stroke();
}

export function drawLeads(ctx: CanvasRenderingContext2D, g: Geometry, rec: EcgRecord, dpr: number): void {
  const mm = new Float32Array(2);
  const spp = rec.fs / g.pps; // samples per CSS px
  rec.leads.forEach((lead, l) => {
    if (l >= g.lanes) return;
    const y0 = STRIP_H + l * g.laneHeight;
    const mid = y0 + g.laneHeight / 2;
    const y = (v: number) => mid - (v - lead.baseline) * g.pxPerMv;
    ctx.save();
    ctx.beginPath();
    ctx.rect(0, y0, g.width, g.laneHeight);
    ctx.clip();
    // 1 mV calibration pulse, 0.2 s wide.
    if (g.pps >= 20) {
      const w = 0.2 * g.pps;
      ctx.beginPath();
      ctx.strokeStyle = '#444';
      ctx.lineWidth = 1;
      ctx.moveTo(2, mid);
      ctx.lineTo(6, mid);
      ctx.lineTo(6, mid - g.pxPerMv);
      ctx.lineTo(6 + w, mid - g.pxPerMv);
      ctx.lineTo(6 + w, mid);
      ctx.lineTo(10 + w, mid);
      ctx.stroke();
    }
    ctx.beginPath();
    ctx.strokeStyle = '#111';
    ctx.lineWidth = spp > 2 ? 1 : 1.25;
    ctx.lineJoin = 'round';
    if (spp <= 2) {
      const i0 = Math.max(0, Math.floor(g.start * rec.fs) - 1);
      const i1 = Math.min(lead.length, Math.ceil((g.start + g.width / g.pps) * rec.fs) + 2);
      let pen = false;
      for (let i = i0; i < i1; i++) {
        const v = lead.data[i];
        if (!Number.isFinite(v)) {
          pen = false;
          continue;
        }
        const x = (i / rec.fs - g.start) * g.pps;
        if (pen) ctx.lineTo(x, y(v));
        else ctx.moveTo(x, y(v));
        pen = true;
      }
    } else {
      // Min/max per pixel column (device pixels).
      const col = 1 / dpr;
      let pen = false;
      for (let x = 0; x < g.width; x += col) {
        const i0 = (g.start + x / g.pps) * rec.fs;
        const i1 = (g.start + (x + col) / g.pps) * rec.fs;
        lead.minMax(i0, i1, mm);
        if (!(mm[0] <= mm[1])) {
          pen = false;
          continue;
        }
        if (pen) ctx.lineTo(x, y(mm[0]));
        else ctx.moveTo(x, y(mm[0]));
        ctx.lineTo(x, y(mm[1]) - 0.01);
        pen = true;
      }
    }
    ctx.stroke();
    ctx.restore();
    ctx.fillStyle = '#333';
    ctx.font = 'bold 12px system-ui, sans-serif';
    ctx.textBaseline = 'top';
    ctx.fillText(lead.name, 24 + (g.pps >= 20 ? 0.2 * g.pps : 0), y0 + 4);
  });
}

export function drawEpisodes(ctx: CanvasRenderingContext2D, g: Geometry, rec: EcgRecord): void {
  const end = g.start + g.width / g.pps;
  ctx.font = '10px system-ui, sans-serif';
  ctx.textBaseline = 'bottom';
  for (const e of rec.episodes) {
    const t0 = e.start / rec.fs;
    const t1 = e.end / rec.fs;
    if (t1 < g.start || t0 > end) continue;
    const color = EPISODE_COLORS[e.type] ?? '#90a4ae';
    const x0 = (t0 - g.start) * g.pps;
    const w = Math.max(2, (t1 - t0) * g.pps);
    ctx.fillStyle = color;
    ctx.globalAlpha = 0.8;
    ctx.fillRect(x0, STRIP_H - 4, w, 3);
    ctx.globalAlpha = 0.07;
    ctx.fillRect(x0, STRIP_H, w, g.lanes * g.laneHeight);
    ctx.globalAlpha = 1;
  }
  // Labels after the bands, so that none is covered.
  for (const e of rec.episodes) {
    const x0 = (e.start / rec.fs - g.start) * g.pps;
    const w = ((e.end - e.start) / rec.fs) * g.pps;
    if (x0 + w < 0 || x0 > g.width || w < 30) continue;
    ctx.fillStyle = EPISODE_COLORS[e.type] ?? '#607d8b';
    ctx.fillText(e.type, Math.max(2, x0 + 2), STRIP_H - 5);
  }
}

export function drawBeats(ctx: CanvasRenderingContext2D, g: Geometry, rec: EcgRecord, selected: Beat | null): void {
  const end = g.start + g.width / g.pps;
  const i0 = rec.lowerBound(Math.floor(g.start * rec.fs));
  const i1 = rec.lowerBound(Math.ceil(end * rec.fs) + 1);
  const count = i1 - i0;
  const spacing = count > 0 ? g.width / count : Infinity; // px per beat
  const bottom = STRIP_H + g.lanes * g.laneHeight;
  if (selected) {
    const x = (selected.time - g.start) * g.pps;
    ctx.fillStyle = 'rgba(255, 214, 0, 0.28)';
    ctx.fillRect(x - Math.max(6, 0.12 * g.pps), STRIP_H, 2 * Math.max(6, 0.12 * g.pps), bottom - STRIP_H);
  }
  ctx.font = 'bold 11px system-ui, sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (let i = i0; i < i1; i++) {
    const b = rec.beats[i];
    const x = (b.time - g.start) * g.pps;
    const color = CLASS_COLORS[b.cls];
    if (spacing < 3 && b.cls === 'N' && b !== selected) {
      ctx.fillStyle = 'rgba(46,125,50,0.35)';
      ctx.fillRect(x, STRIP_H - 9, 1, 5);
      continue;
    }
    ctx.fillStyle = color;
    if (spacing >= 6) {
      ctx.globalAlpha = b.cls === 'N' ? 0.18 : 0.4;
      ctx.fillRect(Math.round(x), STRIP_H, 1, bottom - STRIP_H);
      ctx.globalAlpha = 1;
    }
    if (spacing >= 14) {
      ctx.fillText(b.cls, x, 2);
      ctx.beginPath();
      ctx.moveTo(x - 4, 14);
      ctx.lineTo(x + 4, 14);
      ctx.lineTo(x, 19);
      ctx.fill();
      // The R itself, on every lead.
      rec.leads.forEach((lead, l) => {
        const v = lead.data[b.sample];
        if (l >= g.lanes || !Number.isFinite(v)) return;
        const top = STRIP_H + l * g.laneHeight;
        const y = top + g.laneHeight / 2 - (v - lead.baseline) * g.pxPerMv;
        ctx.beginPath();
        ctx.arc(x, Math.min(top + g.laneHeight - 3, Math.max(top + 3, y)), 2.5, 0, 2 * Math.PI);
        ctx.fill();
      });
    } else {
      ctx.fillRect(x - 1, 4, 2, 14);
    }
    if (b.cls !== b.original) {
      ctx.strokeStyle = color;
      ctx.strokeRect(x - 6, 1, 12, 13);
    }
  }
  if (selected) {
    const x = (selected.time - g.start) * g.pps;
    ctx.strokeStyle = '#000';
    ctx.lineWidth = 2;
    ctx.strokeRect(x - 7, 0.5, 14, 20);
    ctx.lineWidth = 1;
  }
  ctx.textAlign = 'start';
}
