// Mocha root hooks: every test runs on the wasm backend (the default users get), initialised once.
import { initBackend } from '../compute/tfjs/backend.ts';
import '../agents/catalog.ts';

export const mochaHooks = {
  async beforeAll(): Promise<void> {
    await initBackend('wasm');
  },
};
