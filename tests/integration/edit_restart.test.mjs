// A save is the first thing a worker does after PostgreSQL restarted: its
// connection dropped meanwhile, and the save must still go through on a
// fresh one instead of answering 503.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { client, editForm, makeCustomer, tag, cleanup, EDITOR, one } from './edit_helpers.mjs';

after(cleanup);

test('the first save after PostgreSQL restarts goes through', async () => {
  const t = tag();
  const id = makeCustomer(t);
  // Two sessions, so that both workers are likely to take a save.
  const eds = [await client(EDITOR), await client(EDITOR)];
  const forms = [];
  for (const ed of eds) forms.push(await editForm(ed, `/admin/customers/${id}/edit`));

  const pg = new URL('../../conf/dev/pg.sh', import.meta.url).pathname;
  execFileSync(pg, ['stop', process.env.CDOT_TEST_PG_DIR]);
  execFileSync(pg, ['start', process.env.CDOT_TEST_PG_DIR, process.env.PGPORT, 'fast']);

  let lock = Number(forms[0].lock_version);
  for (const [i, ed] of eds.entries()) {
    const res = await ed.submit(`/admin/customers/${id}`, {
      ...forms[i].values, lock_version: String(lock), first_name: `Restart${i}`,
    });
    assert.equal(res.status, 303, `save ${i}: ${res.status} ${res.text_.slice(0, 200)}`);
    lock += 1;
  }
  assert.equal(one(`SELECT first_name FROM customers WHERE id = ${id}`), 'Restart1');
});
