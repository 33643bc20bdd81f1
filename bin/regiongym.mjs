#!/usr/bin/env node
// Entry point of the `regiongym` command: the sources are TypeScript, run through tsx's loader.
import { register } from 'tsx/esm/api';

register();
await import('../benchmarks/cli/main.ts');
