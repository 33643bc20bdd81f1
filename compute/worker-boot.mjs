// worker_threads entry of every worker (benchmark runs, native-engine hosts): register tsx in this
// thread, then run the TypeScript module named in workerData.entry (a file URL).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
