// SQL for the tests' own set-up and checks, through psql on the test
// database (the PG* environment tests/run.sh exports).  Values are the
// tests' own constants; q() quotes a literal anyway.
import { execFileSync } from 'node:child_process';

export const q = (v) => (v === null || v === undefined ? 'NULL' : `'${String(v).replace(/'/g, "''")}'`);

// Runs a script (several statements are fine; BEGIN/COMMIT for one
// transaction), or the file `file`, and returns what psql printed: rows
// a line, columns apart by tabs.  By default on the test database; with
// `port`, on database cdot of another local server of the tests (a
// cluster's primary or standby); with `db`, on another database.
export function psql(text, { port, db, file = '-' } = {}) {
  const args = ['-X', '-q', '-t', '-A', '-F', '\t', '-v', 'ON_ERROR_STOP=1'];
  if (port !== undefined) args.push('-h', '127.0.0.1', '-p', String(port), '-U', 'cdot', '-d', 'cdot');
  if (db !== undefined) args.push('-d', db);
  args.push('-f', file);
  return execFileSync('psql', args, { encoding: 'utf8', env: process.env, input: text });
}

// The rows a script printed, as arrays of strings (options as psql()).
export function sql(text, opts) {
  return psql(text, opts).split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

// The first column of the first row, or undefined.
export const one = (text, opts) => sql(text, opts)[0]?.[0];
