// worker_threads entry of a native-engine worker: register tsx in this thread, then run the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./ort-worker.ts');
