/** Small builders for the ONNX graphs this project writes (a subset of the ONNX protobuf schema). */
import onnxProto from 'onnx-proto';
import type { onnx as P } from 'onnx-proto';

const onnx = onnxProto.onnx;
const FLOAT = onnx.TensorProto.DataType.FLOAT;

export function ints(name: string, values: number[]): P.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INTS, ints: values };
}

export function str(name: string, value: string): P.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode(value) };
}

export function int(name: string, value: number): P.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INT, i: value };
}

/** A float32 constant; the bytes are shared with `data`, not copied. */
export function floatTensor(name: string, dims: number[], data: Float32Array): P.ITensorProto {
  return { name, dims, dataType: FLOAT, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** A graph input or output (float32 unless said); string dims are symbolic (e.g. the batch). */
export function valueInfo(name: string, dims: (number | string)[], elemType: number = FLOAT): P.IValueInfoProto {
  const dim = dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType, shape: { dim } } } };
}

/**
 * Serialise a graph as a model of opset 13 (Resize with nearest_mode; what every graph was first tested
 * with), or a later one a graph's ops need (16: ScatterElements with reduction 'add').
 */
export function encodeModel(graph: P.IGraphProto, opset = 13): Uint8Array {
  return onnx.ModelProto.encode({ irVersion: opset >= 16 ? 8 : 7, opsetImport: [{ domain: '', version: opset }], producerName: 'regiongym', graph }).finish();
}

/** Appends nodes and constants to a graph; every op returns the name of its (first) output. */
export class GraphBuilder {
  readonly nodes: P.INodeProto[] = [];
  readonly initializers: P.ITensorProto[] = [];
  private n = 0;

  op(opType: string, inputs: string[], attribute: P.IAttributeProto[] = [], output?: string): string {
    const out = output ?? `${opType.toLowerCase()}_${this.n++}`;
    this.nodes.push({ opType, input: inputs, output: [out], attribute, name: out });
    return out;
  }

  /** An op with several outputs (e.g. Split). */
  opN(opType: string, inputs: string[], outputs: number, attribute: P.IAttributeProto[] = []): string[] {
    const outs = Array.from({ length: outputs }, () => `${opType.toLowerCase()}_${this.n++}`);
    this.nodes.push({ opType, input: inputs, output: outs, attribute, name: outs[0] });
    return outs;
  }

  float(name: string, dims: number[], data: Float32Array): string {
    this.initializers.push(floatTensor(name, dims, data));
    return name;
  }

  /** An auto-named float32 constant. */
  floats(dims: number[], values: number[]): string {
    return this.float(`f32_${this.n++}`, dims, Float32Array.from(values));
  }

  /** A tensor filled with `value`, of the shape the 1-D int64 tensor `shape` holds (ConstantOfShape). */
  filled(shape: string, value: number): string {
    return this.op('ConstantOfShape', [shape], [{ name: 'value', type: onnx.AttributeProto.AttributeType.TENSOR, t: { dims: [1], dataType: onnx.TensorProto.DataType.FLOAT, floatData: [value] } }]);
  }

  int64(values: number[]): string {
    const name = `i64_${this.n++}`;
    this.initializers.push({ name, dims: [values.length], dataType: onnx.TensorProto.DataType.INT64, int64Data: values });
    return name;
  }
}
