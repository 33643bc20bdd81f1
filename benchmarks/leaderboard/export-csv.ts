/**
 * Run records as CSV for pandas, R or a spreadsheet: one row per run, the per-class test IoU as columns
 * named after the data set's classes. RFC 4180 quoting; a text cell that a spreadsheet would read as a
 * formula (= + - @ at its start) gets a leading apostrophe, since labels and names are data.
 */
import type { RunRecord } from '../sweep/run-record.ts';
import { ConfigError } from '../../core/errors.ts';

const FIXED = ['protocol', 'protocolHash', 'model', 'dataset', 'agent', 'agentId', 'baseline', 'privileged', 'seed', 'budgetRegions', 'usedRegions', 'labelingSteps', 'testMIoU', 'testPixelAccuracy', 'rewardMIoUAfterLabeling', 'rewardMIoUFinal', 'finalTrainingEpochs', 'labeledClassBalanceEntropy', 'labelingMs', 'finalTrainMs', 'testMs', 'backend', 'inference', 'training', 'regiongym', 'finishedAt', 'trajectory'] as const;

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const s = typeof v === 'string' ? v : String(v);
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The CSV text of `records` (one protocol's class names for the IoU columns; records of several data sets are refused). */
export function recordsToCsv(records: readonly RunRecord[]): string {
  if (records.length === 0) throw new ConfigError('no run records to export');
  const names = records[0]!.dataset.classNames;
  const C = records[0]!.testPerClassIoU.length;
  const other = records.find((r) => r.testPerClassIoU.length !== C);
  if (other) throw new ConfigError(`the records have ${C} and ${other.testPerClassIoU.length} classes (protocols ${records[0]!.protocol} and ${other.protocol}): export one data set at a time`);
  const classCols = Array.from({ length: C }, (_, c) => `iou_${names.length === C ? names[c]!.replace(/\s+/g, '_') : `class${c}`}`);
  const lines = [[...FIXED, ...classCols].map(cell).join(',')];
  for (const r of records) {
    const row: unknown[] = [r.protocol, r.protocolHash, r.model.name, r.dataset.name, r.agent, r.agentId, r.baseline, r.privileged, r.seed, r.budgetRegions, r.usedRegions, r.labelingSteps, r.testMIoU, r.testPixelAccuracy, r.rewardMIoUAfterLabeling, r.rewardMIoUFinal, r.finalTrainingEpochs, r.labeledClassBalanceEntropy, r.timings.labelingMs, r.timings.finalTrainMs, r.timings.testMs, r.backend, r.inference, r.training, r.versions.regiongym, r.finishedAt, r.trajectory, ...r.testPerClassIoU];
    lines.push(row.map(cell).join(','));
  }
  return lines.join('\n') + '\n';
}
