// Worker-thread entry of scoreStoreOffThread: the sources are TypeScript, run with tsx as bin/comeback.js does.
import { register } from 'tsx/esm/api';

register();
await import('./score-thread-main.ts');
