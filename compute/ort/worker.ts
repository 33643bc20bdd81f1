/**
 * A native-engine worker thread: one LocalSessionHost on one intra-op thread, serving the engine's
 * requests (ort-pool.ts). Replies carry the request id; output buffers are transferred, not copied.
 */
import { parentPort } from 'node:worker_threads';
import { createRequire } from 'node:module';
import type * as Ort from 'onnxruntime-node';
import { LocalSessionHost } from './host.ts';
import type { HostRequest, HostReply } from './pool.ts';

const port = parentPort!;
const ort = createRequire(import.meta.url)('onnxruntime-node') as typeof Ort;
const host = new LocalSessionHost(ort, 1);

port.on('message', async (req: HostRequest) => {
  const reply = (r: HostReply, transfer: ArrayBuffer[] = []) => port.postMessage(r, transfer);
  try {
    switch (req.op) {
      case 'load':
        await host.load(req.key, req.model);
        return reply({ id: req.id, ok: true });
      case 'release':
        await host.release(req.prefix);
        return reply({ id: req.id, ok: true });
      case 'runEach': {
        const out = await host.runEach(req.key, req.feeds);
        return reply({ id: req.id, ok: true, value: out }, Object.values(out).map((a) => a.buffer as ArrayBuffer));
      }
      case 'confusionEach': {
        const counts = await host.confusionEach(req.key, req.feeds, req.truths, req.geo);
        return reply({ id: req.id, ok: true, value: counts }, [counts.buffer as ArrayBuffer]);
      }
      case 'mcPasses': {
        const out = await host.mcPasses(req.key, req.features, req.dims, req.sumDims, req.seeds, req.mask);
        return reply({ id: req.id, ok: true, value: out }, [out.sumP.buffer as ArrayBuffer, out.sumH.buffer as ArrayBuffer]);
      }
    }
  } catch (e) {
    reply({ id: req.id, ok: false, error: (e as Error).message });
  }
});
