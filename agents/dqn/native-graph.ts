/**
 * The query network of q-network.ts as ONNX graphs for the native engine: a forward pass (train-mode
 * BatchNorm on the batch's statistics, or eval-mode on the running ones) and the Double-DQN training
 * step's loss with its hand-written backward pass. The weights are graph inputs (`<layer>/w`, `/b`,
 * `/gamma`, `/beta`, and in eval mode `/mean`, `/variance`), so one session per shape serves every
 * update. q-network.ts stays the reference: a test holds these gradients to tfjs autodiff of it.
 *
 * Block (pre-activation): x̂ = (x − μ)/σ, h = γ·x̂ + β, r = ReLU(h) (not in the head), out = r·W + b.
 * Its backward: dW = rᵀ·d, db = Σ d, dr = d·Wᵀ, dh = dr·[h > 0], dγ = Σ dh·x̂, dβ = Σ dh, and
 * dx = (γ/σ)·(dh − mean(dh) − x̂·mean(dh·x̂)) (train mode: μ and σ depend on x).
 * Loss: the importance-weighted mean Huber loss of Q(s, a) against y; its gradient in Q(s, a) is
 * w·clip(Q − y, ±δ)/B. Q = sigmoid(g)·q̃ splits as dq̃ = dQ·σ(g), dg = dQ·q̃·σ(g)(1 − σ(g)).
 */
import onnxProto from 'onnx-proto';
import { GraphBuilder, encodeModel, int, ints, valueInfo } from '../../compute/ort/graph.ts';
import { KL_BINS } from '../../env/features.ts';
import { plan, type QNetShape } from './q-network.ts';

const onnx = onnxProto.onnx;

/** Layer names, widths and ReLU, in q-network.ts' order. */
function layerPlan(s: QNetShape): { name: string; cin: number; cout: number; relu: boolean }[] {
  return plan(s).map(([name, cin, cout, relu]) => ({ name, cin, cout, relu }));
}

interface BlockForward {
  out: string;
  /** What the backward pass reads. */
  xhat: string;
  invStd: string;
  h: string;
  r: string;
}

class QGraph {
  readonly g = new GraphBuilder();
  readonly plan: ReturnType<typeof layerPlan>;
  readonly inputs: onnxProto.onnx.IValueInfoProto[] = [];
  readonly outputs: onnxProto.onnx.IValueInfoProto[] = [];

  constructor(
    readonly shape: QNetShape,
    readonly candidates: number,
    readonly train: boolean,
    readonly eps: number,
  ) {
    this.plan = layerPlan(shape);
    for (const l of this.plan) {
      this.inputs.push(valueInfo(`${l.name}/w`, [l.cin, l.cout]), valueInfo(`${l.name}/b`, [l.cout]), valueInfo(`${l.name}/gamma`, [l.cin]), valueInfo(`${l.name}/beta`, [l.cin]));
      if (!train) this.inputs.push(valueInfo(`${l.name}/mean`, [l.cin]), valueInfo(`${l.name}/variance`, [l.cin]));
    }
  }

  private layer(name: string) {
    return this.plan.find((l) => l.name === name)!;
  }

  private t(x: string): string {
    return this.g.op('Transpose', [x], [ints('perm', [1, 0])]);
  }

  private sumRows(x: string, out?: string): string {
    return this.g.op('ReduceSum', [x, this.g.int64([0])], [int('keepdims', 0)], out);
  }

  /** One block on x [M, cin]; in train mode its batch mean and unbiased variance become outputs (running-statistic updates). */
  block(name: string, x: string): BlockForward {
    const g = this.g;
    const l = this.layer(name);
    let mean: string, variance: string;
    if (this.train) {
      mean = g.op('ReduceMean', [x], [ints('axes', [0]), int('keepdims', 0)]);
      const centred = g.op('Sub', [x, mean]);
      variance = g.op('ReduceMean', [g.op('Mul', [centred, centred])], [ints('axes', [0]), int('keepdims', 0)]);
      // PyTorch's running variance is unbiased: var · M/(M − 1), M the rows
      const rows = g.op('Cast', [g.op('Gather', [g.op('Shape', [x]), g.int64([0])])], [int('to', onnx.TensorProto.DataType.FLOAT)]);
      const unbiased = g.op('Div', [rows, g.op('Max', [g.op('Sub', [rows, g.floats([1], [1])]), g.floats([1], [1])])]);
      g.op('Identity', [mean], [], `${name}/batchMean`);
      g.op('Mul', [variance, unbiased], [], `${name}/batchVariance`);
      this.outputs.push(valueInfo(`${name}/batchMean`, [l.cin]), valueInfo(`${name}/batchVariance`, [l.cin]));
    } else {
      [mean, variance] = [`${name}/mean`, `${name}/variance`];
    }
    const invStd = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [variance, g.floats([], [this.eps])])])]);
    const xhat = g.op('Mul', [g.op('Sub', [x, mean]), invStd]);
    const h = g.op('Add', [g.op('Mul', [xhat, `${name}/gamma`]), `${name}/beta`]);
    const r = l.relu ? g.op('Relu', [h]) : h;
    const out = g.op('Add', [g.op('MatMul', [r, `${name}/w`]), `${name}/b`]);
    return { out, xhat, invStd, h, r };
  }

  /** Gradients of one block from d [M, cout]: its four parameter gradients as outputs; returns dx unless `needInput` is false. */
  blockBackward(name: string, f: BlockForward, d: string, needInput: boolean): string | null {
    const g = this.g;
    const l = this.layer(name);
    g.op('MatMul', [this.t(f.r), d], [], `${name}/dw`);
    this.sumRows(d, `${name}/db`);
    const dr = g.op('MatMul', [d, this.t(`${name}/w`)]);
    const dh = l.relu ? g.op('Where', [g.op('Greater', [f.h, g.floats([], [0])]), dr, g.floats([], [0])]) : dr;
    this.sumRows(g.op('Mul', [dh, f.xhat]), `${name}/dgamma`);
    this.sumRows(dh, `${name}/dbeta`);
    this.outputs.push(valueInfo(`${name}/dw`, [l.cin, l.cout]), valueInfo(`${name}/db`, [l.cout]), valueInfo(`${name}/dgamma`, [l.cin]), valueInfo(`${name}/dbeta`, [l.cin]));
    if (!needInput) return null;
    const dxhat = g.op('Mul', [dh, `${name}/gamma`]);
    if (!this.train) return g.op('Mul', [dxhat, f.invStd]);
    const meanD = g.op('ReduceMean', [dxhat], [ints('axes', [0]), int('keepdims', 1)]);
    const meanDX = g.op('ReduceMean', [g.op('Mul', [dxhat, f.xhat])], [ints('axes', [0]), int('keepdims', 1)]);
    return g.op('Mul', [g.op('Sub', [g.op('Sub', [dxhat, meanD]), g.op('Mul', [f.xhat, meanDX])]), f.invStd]);
  }
}

function columns(g: GraphBuilder, x: string, from: number, to: number): string {
  return g.op('Slice', [x, g.int64([from]), g.int64([to]), g.int64([1])]);
}

/** The forward pass on pools [B, N, D] and states [B, R, F] (one state per pool): every block, the gate and Q [B, N]. */
function forward(q: QGraph) {
  const g = q.g;
  const { stateRegions: R, stateFeatures: F, actionFeatures: D } = q.shape;
  const N = q.candidates;
  const gateIn = 2 * KL_BINS;
  q.inputs.push(valueInfo('pools', ['B', N, D]), valueInfo('states', ['B', R, F]));
  const s1 = q.block('state1', g.op('Reshape', ['states', g.int64([-1, F])]));
  const s2 = q.block('state2', s1.out);
  const s3 = q.block('state3', s2.out);
  const sFc = q.block('stateFc', g.op('Reshape', [s3.out, g.int64([-1, R])]));
  const stateRep = g.op('Reshape', [g.op('Tile', [g.op('Unsqueeze', [sFc.out, g.int64([1])]), g.int64([1, N, 1])]), g.int64([-1, 128])]);
  const flat = g.op('Reshape', ['pools', g.int64([-1, D])]);
  const a1 = q.block('action1', columns(g, flat, 0, D - gateIn));
  const a2 = q.block('action2', a1.out);
  const a3 = q.block('action3', a2.out);
  const gt = q.block('gate', columns(g, flat, D - gateIn, D));
  const head = q.block('head', g.op('Concat', [a3.out, stateRep], [int('axis', 1)]));
  const gate = g.op('Reshape', [g.op('Sigmoid', [gt.out]), g.int64([-1, N])]);
  const qTilde = g.op('Reshape', [head.out, g.int64([-1, N])]);
  const Q = g.op('Mul', [gate, qTilde], [], 'q');
  return { s1, s2, s3, sFc, a1, a2, a3, gt, head, gate, qTilde, Q };
}

/** Q-values [B, N] (output `q`); train mode adds each block's batch statistics. */
export function qForwardModel(shape: QNetShape, candidates: number, mode: 'train' | 'eval', eps: number): Uint8Array {
  const q = new QGraph(shape, candidates, mode === 'train', eps);
  forward(q);
  q.outputs.unshift(valueInfo('q', ['B', candidates]));
  return encodeModel({ name: `q_forward_${mode}`, node: q.g.nodes, initializer: q.g.initializers, input: q.inputs, output: q.outputs });
}

/**
 * One training step in train mode: inputs as qForwardModel plus `action` [B, N] one-hot, `y` [B] and
 * `weights` [B]; outputs `loss`, `picked` [B] (Q(s, a)), each block's `/dw`, `/db`, `/dgamma`, `/dbeta`
 * and batch statistics.
 */
export function qTrainStepModel(shape: QNetShape, candidates: number, eps: number, huberDelta: number): Uint8Array {
  const q = new QGraph(shape, candidates, true, eps);
  const g = q.g;
  const N = candidates;
  const f = forward(q);
  q.inputs.push(valueInfo('action', ['B', N]), valueInfo('y', ['B']), valueInfo('weights', ['B']));
  const picked = g.op('ReduceSum', [g.op('Mul', [f.Q, 'action']), g.int64([1])], [int('keepdims', 0)], 'picked');
  const err = g.op('Sub', [picked, 'y']);
  const absErr = g.op('Abs', [err]);
  const delta = g.floats([], [huberDelta]);
  const quadratic = g.op('Min', [absErr, delta]);
  // Huber: 0.5·q² + δ·(|e| − q), q = min(|e|, δ)
  const huber = g.op('Add', [g.op('Mul', [g.floats([], [0.5]), g.op('Mul', [quadratic, quadratic])]), g.op('Mul', [delta, g.op('Sub', [absErr, quadratic])])]);
  g.op('ReduceMean', [g.op('Mul', [huber, 'weights'])], [int('keepdims', 0)], 'loss');
  const batch = g.op('Cast', [g.op('Shape', ['y'])], [int('to', onnx.TensorProto.DataType.FLOAT)]);
  const dPicked = g.op('Div', [g.op('Mul', [g.op('Clip', [err, g.floats([], [-huberDelta]), delta]), 'weights']), batch]); // [B]
  const dQ = g.op('Mul', [g.op('Unsqueeze', [dPicked, g.int64([1])]), 'action']); // [B, N]
  const dQTilde = g.op('Reshape', [g.op('Mul', [dQ, f.gate]), g.int64([-1, 1])]);
  const dGate = g.op('Reshape', [g.op('Mul', [g.op('Mul', [dQ, f.qTilde]), g.op('Mul', [f.gate, g.op('Sub', [g.floats([], [1]), f.gate])])]), g.int64([-1, 1])]);
  const dJoined = q.blockBackward('head', f.head, dQTilde, true)!;
  q.blockBackward('gate', f.gt, dGate, false);
  const dA3 = columns(g, dJoined, 0, 128);
  const dStateRep = g.op('ReduceSum', [g.op('Reshape', [columns(g, dJoined, 128, 256), g.int64([-1, N, 128])]), g.int64([1])], [int('keepdims', 0)]); // [B, 128]
  q.blockBackward('action1', f.a1, q.blockBackward('action2', f.a2, q.blockBackward('action3', f.a3, dA3, true)!, true)!, false);
  const dS3 = g.op('Reshape', [q.blockBackward('stateFc', f.sFc, dStateRep, true)!, g.int64([-1, 1])]);
  q.blockBackward('state1', f.s1, q.blockBackward('state2', f.s2, q.blockBackward('state3', f.s3, dS3, true)!, true)!, false);
  q.outputs.unshift(valueInfo('loss', []), valueInfo('picked', ['B']));
  return encodeModel({ name: 'q_train_step', node: g.nodes, initializer: g.initializers, input: q.inputs, output: q.outputs });
}
