#!/usr/bin/env node
// `npm run bench -- <name>`: runs a benchmark from bench/ and prints its JSON.
import { register } from 'tsx/esm/api';

register();
await import(new URL('../bench/main.ts', import.meta.url).href);
