// Draws the waterfall bench's result as an SVG page and screenshots it with Chromium (PNG).
import { chromium } from 'playwright-core';
import { chromiumLaunchOptions } from '@manga-assist/testing';

export interface WaterfallBar {
  label: string;
  start: number;
  /** End of the connection set-up (== start when a pooled connection was reused). */
  connected: number;
  end: number;
  /** Ran after the answer reached the client. */
  offPath: boolean;
  /** A point inside the bar worth marking (the model's first token). */
  marker?: number;
  /** Shown instead of a bar. */
  note?: string;
}

export interface WaterfallPanel {
  title: string;
  bars: WaterfallBar[];
  doneP50: number;
  doneP95: number;
}

const COLORS: Record<string, string> = {
  'api-gateway': '#3498db',
  'cache-lookup': '#2ecc71',
  'vector-search': '#e67e22',
  'dynamo-session': '#9b59b6',
  'bedrock-invoke': '#f39c12',
  'guardrails-check': '#e74c3c',
  'cache-write': '#27ae60',
  'session-write': '#8e44ad',
};

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function waterfallSvg(panels: WaterfallPanel[], heading: string): { svg: string; width: number; height: number } {
  const width = 1100;
  const left = 150;
  const right = 30;
  const row = 26;
  const panelGap = 40;
  const maxMs = Math.max(...panels.flatMap((p) => [p.doneP95, ...p.bars.map((b) => b.end)]));
  const scaleMax = Math.ceil((maxMs * 1.05) / 100) * 100;
  const x = (ms: number) => left + ((width - left - right) * ms) / scaleMax;
  const parts: string[] = [];
  let y = 34;
  parts.push(`<text x="10" y="${y - 12}" font-size="17" font-weight="bold">${escape(heading)}</text>`);
  for (const panel of panels) {
    y += 16;
    parts.push(`<text x="10" y="${y}" font-size="15" font-weight="bold">${escape(panel.title)}</text>`);
    y += 10;
    const top = y;
    for (const bar of panel.bars) {
      const cy = y + row / 2;
      parts.push(`<text x="${left - 8}" y="${cy + 5}" font-size="13" text-anchor="end">${escape(bar.label)}</text>`);
      if (bar.note) {
        parts.push(`<text x="${x(bar.start) + 4}" y="${cy + 5}" font-size="13" font-style="italic" fill="#555">${escape(bar.note)}</text>`);
      } else {
        const color = COLORS[bar.label] ?? '#7f8c8d';
        const opacity = bar.offPath ? 0.35 : 1;
        const dash = bar.offPath ? ' stroke="#333" stroke-dasharray="4 3"' : '';
        if (bar.connected - bar.start >= 1) {
          parts.push(`<rect x="${x(bar.start)}" y="${y + 4}" width="${Math.max(1, x(bar.connected) - x(bar.start))}" height="${row - 8}" fill="#555" opacity="${opacity}"/>`);
        }
        parts.push(`<rect x="${x(bar.connected)}" y="${y + 4}" width="${Math.max(2, x(bar.end) - x(bar.connected))}" height="${row - 8}" fill="${color}" fill-opacity="${opacity}"${dash}/>`);
        if (bar.marker !== undefined) {
          parts.push(`<line x1="${x(bar.marker)}" x2="${x(bar.marker)}" y1="${y + 1}" y2="${y + row - 1}" stroke="#000" stroke-width="2"/>`);
          parts.push(`<text x="${x(bar.marker) + 4}" y="${y + row - 9}" font-size="11">1st token</text>`);
        }
        const ms = bar.end - bar.start;
        const suffix = bar.offPath ? ' (after done)' : bar.connected - bar.start >= 1 ? ` (${(bar.connected - bar.start).toFixed(0)} connect)` : '';
        parts.push(`<text x="${x(bar.end) + 5}" y="${cy + 5}" font-size="12" fill="#333">${ms.toFixed(ms < 10 ? 1 : 0)} ms${suffix}</text>`);
      }
      y += row;
    }
    for (const [ms, label, dash] of [
      [panel.doneP50, `answer complete p50 ${panel.doneP50.toFixed(0)} ms`, ''],
      [panel.doneP95, `p95 ${panel.doneP95.toFixed(0)} ms`, ' stroke-dasharray="6 4"'],
    ] as const) {
      parts.push(`<line x1="${x(ms)}" x2="${x(ms)}" y1="${top}" y2="${y}" stroke="#c0392b" stroke-width="2"${dash}/>`);
      parts.push(`<text x="${x(ms) - 4}" y="${y + 14}" font-size="12" fill="#c0392b" text-anchor="end">${escape(label)}</text>`);
    }
    y += 34;
    for (let ms = 0; ms <= scaleMax; ms += 100) {
      parts.push(`<line x1="${x(ms)}" x2="${x(ms)}" y1="${top}" y2="${y - 34}" stroke="#ddd"/>`);
      parts.push(`<text x="${x(ms)}" y="${y}" font-size="11" text-anchor="middle" fill="#666">${ms}</text>`);
    }
    y += panelGap - 10;
  }
  parts.push(`<rect x="${left}" y="${y - 14}" width="14" height="12" fill="#555"/><text x="${left + 20}" y="${y - 4}" font-size="12">new connection (30–50 ms)</text>`);
  parts.push(`<rect x="${left + 220}" y="${y - 14}" width="14" height="12" fill="#e74c3c" fill-opacity="0.35" stroke="#333" stroke-dasharray="4 3"/><text x="${left + 240}" y="${y - 4}" font-size="12">after the answer (post-processor)</text>`);
  const height = y + 12;
  // Grid lines go first so the bars cover them.
  const grid = parts.filter((p) => p.includes('stroke="#ddd"'));
  const rest = parts.filter((p) => !p.includes('stroke="#ddd"'));
  return {
    svg: `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="Noto Sans, sans-serif"><rect width="100%" height="100%" fill="#fff"/>${grid.join('')}${rest.join('')}</svg>`,
    width,
    height,
  };
}

export async function renderWaterfall(panels: WaterfallPanel[], file: string, heading: string): Promise<void> {
  const { svg, width, height } = waterfallSvg(panels, heading);
  const browser = await chromium.launch(chromiumLaunchOptions());

  try {
    const page = await browser.newPage({ viewport: { width, height } });
    await page.setContent(`<!doctype html><html><head><meta charset="utf-8"><style>body{margin:0}</style></head><body>${svg}</body></html>`);
    await page.locator('svg').screenshot({ path: file });
  } finally {
    // Playwright gives the browser a fresh profile of its own and removes it here.
    await browser.close();
  }
}
