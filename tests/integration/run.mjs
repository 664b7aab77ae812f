import { runFolder } from '../lib/runner.mjs';

await runFolder('integration', new URL('.', import.meta.url).pathname);
