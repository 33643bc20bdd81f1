/** From run records to the leaderboard's numbers (pure; the renderers only format). */
import type { RunRecord } from '../run-record.ts';
import { aubc, bootstrapCI, iqm, labelsToReach, mean, percentFewerLabels, percentOfFull, probabilityOfImprovement, rareClassMIoU, std } from '../stats.ts';

export interface Cell {
  n: number;
  mean: number;
  std: number;
  iqm: number;
  ci: [number, number];
}

export interface AgentSummary {
  agent: string;
  /** Per budget (same order as `budgets`). */
  cells: (Cell | null)[];
  aubcMean: number;
  aubcStd: number;
  labelsToTarget: number | null;
  percentFewerThanBestBaseline: number | null;
  probImprovementOverRandom: number | null;
  rareClassMIoU: number;
  balanceEntropy: number;
  /** Mean labelled-pixel share per class at the largest budget. */
  labeledShare: number[];
  percentOfFull: number | null;
}

export interface Leaderboard {
  protocol: string;
  budgets: number[];
  seeds: number[];
  agents: AgentSummary[];
  target: number;
  rareClasses: number[];
  upperBound: number | null;
}

const BASELINES = ['random', 'entropy', 'bald'];

export function aggregate(records: readonly RunRecord[], upperBound: number | null = null, bootstrapReps = 2000): Leaderboard {
  const protocols = [...new Set(records.map((r) => r.protocol))];
  if (protocols.length !== 1) throw new RangeError(`a leaderboard covers one protocol; the records hold ${protocols.join(', ') || 'none'}`);
  const budgets = [...new Set(records.map((r) => r.budgetRegions))].sort((a, b) => a - b);
  const seeds = [...new Set(records.map((r) => r.seed))].sort((a, b) => a - b);
  const agents = [...new Set(records.map((r) => r.agent))];
  const at = (agent: string, budget: number) => records.filter((r) => r.agent === agent && r.budgetRegions === budget);
  const curve = (agent: string) => budgets.map((b) => mean(at(agent, b).map((r) => r.testMIoU)));
  const maxB = budgets[budgets.length - 1]!;

  // target: the random agent's mean at the largest budget (else the lowest final mean among agents)
  const finals = agents.map((a) => curve(a)[budgets.length - 1]!).filter((v) => !Number.isNaN(v));
  const target = agents.includes('random') ? curve('random')[budgets.length - 1]! : Math.min(...finals);
  // rare classes: the 3 least frequent among the pixels the random agent (≈ the pool distribution) labelled
  const pooled = records.filter((r) => r.agent === (agents.includes('random') ? 'random' : agents[0])).reduce<number[]>((acc, r) => r.labeledClassHistogram.map((v, i) => (acc[i] ?? 0) + v), []);
  const classes = pooled.slice(0, -1);
  const rareClasses = classes.map((f, c) => [f, c] as const).sort((a, b) => a[0] - b[0]).slice(0, 3).map(([, c]) => c);

  const summaries: AgentSummary[] = agents.map((agent) => {
    const cells = budgets.map((b) => {
      const xs = at(agent, b).map((r) => r.testMIoU);
      if (xs.length === 0) return null;
      return { n: xs.length, mean: mean(xs), std: std(xs), iqm: iqm(xs), ci: bootstrapCI([xs], iqm, bootstrapReps, b) };
    });
    const perSeedAubc = seeds
      .map((s) => budgets.map((b) => records.find((r) => r.agent === agent && r.seed === s && r.budgetRegions === b)?.testMIoU))
      .filter((c): c is number[] => c.every((v) => v !== undefined))
      .map((c) => aubc(budgets, c));
    const final = at(agent, maxB);
    const pi = agent !== 'random' && agents.includes('random') ? mean(budgets.map((b) => probabilityOfImprovement(at(agent, b).map((r) => r.testMIoU), at('random', b).map((r) => r.testMIoU))).filter((v) => !Number.isNaN(v))) : null;
    const share = final.length ? final[0]!.labeledClassHistogram.map((_, c) => mean(final.map((r) => r.labeledClassHistogram[c]! / r.labeledClassHistogram.reduce((a, b) => a + b, 0)))) : [];
    return {
      agent,
      cells,
      aubcMean: mean(perSeedAubc),
      aubcStd: std(perSeedAubc),
      labelsToTarget: labelsToReach(budgets, curve(agent), target),
      percentFewerThanBestBaseline: null,
      probImprovementOverRandom: pi,
      rareClassMIoU: mean(final.map((r) => rareClassMIoU(r.testPerClassIoU, classes, 3))),
      balanceEntropy: mean(final.map((r) => r.labeledClassBalanceEntropy)),
      labeledShare: share,
      percentOfFull: upperBound ? percentOfFull(mean(final.map((r) => r.testMIoU)), upperBound) : null,
    };
  });
  // the paper's headline: labels saved against the best baseline (fewest labels to the target)
  const baselineLabels = summaries.filter((s) => BASELINES.includes(s.agent)).map((s) => s.labelsToTarget).filter((v): v is number => v !== null);
  const best = baselineLabels.length ? Math.min(...baselineLabels) : null;
  for (const s of summaries) if (!BASELINES.includes(s.agent)) s.percentFewerThanBestBaseline = percentFewerLabels(s.labelsToTarget, best);
  return { protocol: protocols[0]!, budgets, seeds, agents: summaries, target, rareClasses, upperBound };
}
