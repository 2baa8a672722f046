#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), so the bin works right after `npm install`, from any directory.
import { register } from 'tsx/esm/api';

register();
await import(new URL('../src/cli/main.ts', import.meta.url).href);
