/** DQN hyper-parameters: each field gives the paper's value (docs/method.md §6) and ours where they differ. */
export interface DqnConfig {
  /** Discount γ. Paper 0.999. */
  gamma: number;
  /** Minibatch of transitions per update. Paper 16. */
  batchSize: number;
  /** Replay capacity in transitions. Paper CamVid 600 (25 steps × 24), Cityscapes 3200. */
  replayCapacity: number;
  /** 'uniform' as the paper's code; 'prioritized' (proportional, with importance weights) as its text says. */
  replay: 'uniform' | 'prioritized';
  /** Prioritized replay exponent α and importance-weight exponent β (annealed to 1 over betaSteps updates). */
  priorityAlpha: number;
  priorityBeta: number;
  betaSteps: number;
  /** SGD. Paper CamVid: lr 1e-3, momentum 0.95, weight decay 1e-3. */
  lr: number;
  momentum: number;
  weightDecay: number;
  /**
   * Learning-rate decay per AL step. Paper 0.97 (never reset: after 10 episodes the lr is < 1 % of its
   * start, so later episodes barely learn). Ours 1 (constant): a deliberate departure, see README.
   */
  lrDecayPerStep: number;
  /** Copy policy → target every this many steps of an episode (at steps 0, 5, 10, …). Paper 5. */
  targetSyncSteps: number;
  /** ε(t) = end + (start − end)·exp(−t / decaySteps), t = AL steps so far (global). Paper 0.9, 0.05, 10. */
  epsilonStart: number;
  epsilonEnd: number;
  epsilonDecaySteps: number;
  /** Huber loss threshold. Paper 1 (smooth-L1). */
  huberDelta: number;
  /** BatchNorm momentum and ε (PyTorch defaults, as the paper). */
  bnMomentum: number;
  bnEpsilon: number;
}

export const DQN_DEFAULTS: DqnConfig = {
  gamma: 0.999,
  batchSize: 16,
  replayCapacity: 600,
  replay: 'uniform',
  priorityAlpha: 0.6,
  priorityBeta: 0.4,
  betaSteps: 2000,
  lr: 1e-3,
  momentum: 0.95,
  weightDecay: 1e-3,
  lrDecayPerStep: 1,
  targetSyncSteps: 5,
  epsilonStart: 0.9,
  epsilonEnd: 0.05,
  epsilonDecaySteps: 10,
  huberDelta: 1,
  bnMomentum: 0.1,
  bnEpsilon: 1e-5,
};

/** ε after t action selections (docs/method.md §6.2). */
export function epsilonAt(cfg: Pick<DqnConfig, 'epsilonStart' | 'epsilonEnd' | 'epsilonDecaySteps'>, t: number): number {
  return cfg.epsilonEnd + (cfg.epsilonStart - cfg.epsilonEnd) * Math.exp(-t / cfg.epsilonDecaySteps);
}
