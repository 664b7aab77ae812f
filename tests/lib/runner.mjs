// Runs the node:test files of one folder one after the other (they share
// the app and its database) with the spec reporter, then prints
// "<suite>: N passed, M failed" for tests/run.sh to add up.
//
// The files are those whose name contains the word given as argument
// (TEST_ONLY in tests/run.sh), every one without it.  TEST_NAME in the
// environment, a regular expression, runs only the tests whose name
// matches it (node:test's testNamePatterns): the others are skipped and
// not counted, and each file's before() and after() still run.
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export async function runFolder(name, dir) {
  const only = process.argv[2];
  const pattern = process.env.TEST_NAME || undefined;
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.test.mjs'))
    .filter((f) => !only || f.includes(only))
    .sort()
    .map((f) => resolve(join(dir, f)));
  // Nothing of this folder asked for: tests/run.sh fails the run only if
  // no folder had a test to run.
  if (files.length === 0) {
    console.log(`${name}: 0 passed, 0 failed (no file name contains "${only}")`);
    return;
  }

  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const stream = run({
    files, concurrency: false, timeout: 120000,
    ...(pattern && { testNamePatterns: [pattern] }),
  });
  stream.on('test:pass', (t) => {
    if (t.details?.type === 'suite') return;
    if (t.skip) skipped++; else passed++;
  });
  stream.on('test:fail', (t) => {
    if (t.details?.type !== 'suite') failed++;
  });
  stream.compose(spec).pipe(process.stdout);
  await new Promise((done) => stream.on('end', done));
  // Let the reporter flush before the closing lines.
  await new Promise((done) => setTimeout(done, 50));
  if (pattern) console.log(`${name}: ${skipped} skipped (names not matching TEST_NAME)`);
  console.log(`${name}: ${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
}
