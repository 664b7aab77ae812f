// SQL for the tests' own set-up and checks, through psql on the test
// database (the PG* environment tests/run.sh exports).  Values are the
// tests' own constants; q() quotes a literal anyway.
import { execFileSync } from 'node:child_process';

export const q = (v) => (v === null || v === undefined ? 'NULL' : `'${String(v).replace(/'/g, "''")}'`);

// Runs a script (several statements are fine; BEGIN/COMMIT for one
// transaction) and returns the rows it printed, as arrays of strings.
export function sql(text) {
  const out = execFileSync('psql', ['-X', '-q', '-t', '-A', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-f', '-'], {
    encoding: 'utf8', env: process.env, input: text,
  });
  return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

// The first column of the first row, or undefined.
export const one = (text) => sql(text)[0]?.[0];
