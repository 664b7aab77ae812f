import { runFolder } from '../lib/runner.mjs';

await runFolder('browser', new URL('.', import.meta.url).pathname);
