/** The one table of `npm run bench:all` (bench/all.ts), from the figures each bench reported (reportFigure). */
import type { BenchFigure } from './support';

export interface ReportedFigure extends BenchFigure {
  met?: boolean;
}

export interface BenchRun {
  name: string;
  exit: number | string;
  seconds: number;
  loadBefore: number[];
  loadAfter: number[];
  figures: ReportedFigure[];
}

/** Counts and numbers from 100 up whole, one decimal from 10, two below; thousands separated; the unit after it. */
export function value(x: number | null | undefined, unit = ''): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  const digits = Number.isInteger(x) || Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : 2;
  return `${x.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits })}${unit ? ` ${unit}` : ''}`;
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** A Markdown table: a row per figure (bench, figure, hub, baseline, ratio, goal, met?). */
export function figuresTable(runs: readonly BenchRun[]): string {
  const lines = ['| bench | figure | hub | baseline | ratio | goal | met? |', '|---|---|---|---|---|---|---|'];
  for (const run of runs) {
    if (run.figures.length === 0) lines.push(`| ${run.name} | (no figures: exit ${run.exit}) | | | | | |`);
    for (const f of run.figures) {
      const ratio = f.baseline ? f.value / f.baseline : undefined;
      const baseline = f.baseline === undefined ? '' : `${value(f.baseline, f.unit)}${f.baselineName ? ` (${f.baselineName})` : ''}`;
      const met = f.met === undefined || f.met === null ? '' : f.met ? 'yes' : '**no**';
      lines.push(`| ${run.name} | ${cell(f.figure)} | ${value(f.value, f.unit)} | ${cell(baseline)} | ${ratio === undefined ? '' : `${ratio.toFixed(2)}×`} | ${f.goal?.text ?? ''} | ${met} |`);
    }
  }
  return lines.join('\n');
}

