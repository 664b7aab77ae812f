// Runs the node:test files of one folder one after the other (they share
// the app and its database) with the spec reporter, then prints
// "<suite>: N passed, M failed" for tests/run.sh to add up.
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export async function runFolder(name, dir) {
  const only = process.argv[2];
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.test.mjs'))
    .filter((f) => !only || f.includes(only))
    .sort()
    .map((f) => resolve(join(dir, f)));

  let passed = 0;
  let failed = 0;
  const stream = run({ files, concurrency: false, timeout: 120000 });
  stream.on('test:pass', (t) => {
    if (t.details?.type !== 'suite') passed++;
  });
  stream.on('test:fail', (t) => {
    if (t.details?.type !== 'suite') failed++;
  });
  stream.compose(spec).pipe(process.stdout);
  await new Promise((done) => stream.on('end', done));
  // Let the reporter flush before the closing line.
  await new Promise((done) => setTimeout(done, 50));
  console.log(`${name}: ${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
}
