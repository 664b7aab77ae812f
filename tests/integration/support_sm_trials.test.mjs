// Support > Trials for SM: a legacy trial license (user email, user count,
// start and end date), signed with the configured key (verified here with
// the very command README.md documents), downloadable from the license
// page, and e-mailed through the outbox and SMTP, retried while the relay
// fails; the Zendesk ticket in history; support admins only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, copyFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { smtp } from '../lib/smtp.mjs';
import {
  client, follow, fieldErrors, tag, sql, one, q, day, ticket, SUPPORT, SUPPORT_ACTOR, HTML, JSON_,
  cleanup, trackLicense, makeCustomer, lastEvent, waitFor, licenseFile,
} from './support_helpers.mjs';

let sup; let ro; let ed;
before(async () => {
  [sup, ro, ed] = await Promise.all([client(SUPPORT), client('readonly@example.com'), client('editor@example.com')]);
});
after(async () => {
  await smtp.mode('up');
  cleanup();
});

const form = (extra = {}) => ({
  email: `trial-${tag()}@sm-tests.example`, user_count: '50', starts_at: day(0), expires_at: day(30),
  plan: 'ultimate', zendesk_ticket: ticket(), ...extra,
});

// Creates a license through the form; its id.
async function create(f) {
  const res = await sup.submit('/admin/support/sm_trials', f);
  const { location, flash } = await follow(sup, res);
  const id = Number(location.match(/^\/admin\/licenses\/(\d+)$/)[1]);
  trackLicense(id);
  return { id, flash };
}

// README.md's verification lines, run in a folder with the license file
// and the public key; their output.
function verifyAsDocumented(file) {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const m = readme.match(/<!-- verify-license -->\n```sh\n([\s\S]*?)```/);
  assert.ok(m, 'README.md documents the verification');
  const dir = mkdtempSync(join(tmpdir(), 'license-'));
  try {
    writeFileSync(join(dir, 'license.gitlab-license'), file);
    copyFileSync(process.env.CDOT_LICENSE_PUBLIC_KEY, join(dir, 'license_public.pem'));
    const out = execFileSync('bash', ['-c', `set -e\n${m[1]}`], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
    return { out, data: JSON.parse(readFileSync(join(dir, 'data.json'), 'utf8')), lines: m[1] };
  } catch (e) {
    return { out: `${e.stdout ?? ''}${e.stderr ?? ''}`, failed: true };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the screen lists legacy trial licenses, and offers "Add new License"', async () => {
  const res = await sup.get('/admin/support/sm_trials', { headers: HTML });
  assert.equal(res.status, 200);
  assert.match(res.text_, /<h1>Trials for SM<\/h1>/);
  assert.match(res.text_, /data-action="new">Add new License</);
  const { body } = await sup.json('/admin/support/sm_trials?query=sarah.mitchell');
  assert.equal(body.licenses.length, 1, 'the demo prospect\'s trial license');
  assert.equal(body.licenses[0].email, 'sarah.mitchell@vertex-aero.com');

  // Case is folded as PostgreSQL folds it, beyond ASCII too.
  const t = tag();
  const id = Number(one(`INSERT INTO licenses (license_type, trial, name, company, email, starts_at,
      expires_at, user_count, gitlab_plan)
    VALUES ('legacy', true, ${q(`Zoë Ångström ${t}`)}, 'Fjord Örnsköld', ${q(`zoe-${t}@sm-tests.example`)},
      current_date, current_date + 30, 10, 'ultimate') RETURNING id`));
  trackLicense(id);
  const accented = await sup.json('/admin/support/sm_trials?query=' + encodeURIComponent(`ÅNGSTRÖM ${t}`.split(' ')[0]));
  assert.ok(accented.body.licenses.some((l) => l.email === `zoe-${t}@sm-tests.example`));

  const { body: f } = await sup.json('/admin/support/sm_trials/new');
  const values = Object.fromEntries(f.form.fields.map((x) => [x.name, x.value]));
  assert.deepEqual(Object.keys(values), ['email', 'user_count', 'starts_at', 'expires_at', 'plan', 'zendesk_ticket']);
  assert.equal(values.starts_at, day(0));
  assert.equal(values.expires_at, day(30));
  assert.equal(values.plan, 'ultimate');
});

test('generate a license: signed, on the license page, in history with the ticket, e-mailed', async () => {
  const t = tag();
  const customer = makeCustomer(t, { first: 'Priya', last: `Trial${t}`, email: `priya-${t}@sm-tests.example` });
  assert.ok(customer);
  const f = form({ email: `priya-${t}@sm-tests.example`, user_count: '0075', plan: 'premium' });
  const { id, flash } = await create(f);
  assert.equal(flash, `Trial license created; it is being e-mailed to ${f.email}.`);

  const [row] = sql(`SELECT license_type, trial, name, company, email, user_count, starts_at::text,
      expires_at::text, gitlab_plan, zuora_subscription_id FROM licenses WHERE id = ${id}`);
  assert.deepEqual(row, ['legacy', 't', `Priya Trial${t}`, 'Edit Tests', f.email, '75', f.starts_at,
    f.expires_at, 'premium', '']);

  const ev = await lastEvent(ro, 'licenses', id);
  assert.equal(ev.event, 'create');
  assert.equal(ev.actor, SUPPORT_ACTOR);
  assert.equal(ev.ticket_url, f.zendesk_ticket);

  // The page: a download for every role that reads licenses.
  const { body: page } = await ro.json(`/admin/licenses/${id}`);
  assert.equal(page.download_href, `/admin/licenses/${id}/download`);
  assert.ok(page.actions.some((a) => a.name === 'download'));
  const dl = await ro.get(`/admin/licenses/${id}/download`);
  assert.equal(dl.status, 200);
  assert.equal(dl.headers.get('content-type'), 'application/octet-stream');
  assert.equal(dl.headers.get('content-disposition'), `attachment; filename="license-${id}.gitlab-license"`);
  assert.equal(dl.headers.get('cache-control'), 'no-store');
  const file = licenseFile(id);
  assert.equal(dl.text_.trim(), file.trim());
  assert.ok(dl.text_.split('\n').every((l) => l.length <= 76));

  // The signature verifies with the public key, by README's command.
  const v = verifyAsDocumented(dl.text_);
  assert.equal(v.failed, undefined, v.out);
  assert.match(v.out, /^Verified OK$/m);
  assert.match(v.lines, /openssl dgst -sha256 -verify license_public\.pem -signature signature\.bin data\.json/);
  assert.deepEqual(v.data, {
    expires_at: f.expires_at, id, issued_at: v.data.issued_at,
    licensee: { company: 'Edit Tests', email: f.email, name: `Priya Trial${t}` },
    plan: 'premium', starts_at: f.starts_at, trial: true, type: 'legacy', user_count: 75, version: 1,
    zuora_subscription_id: null,
  });
  assert.match(v.data.issued_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);

  // A changed license does not verify.
  const env = JSON.parse(Buffer.from(dl.text_, 'base64').toString('utf8'));
  const data = JSON.parse(Buffer.from(env.data, 'base64').toString('utf8'));
  data.user_count = 7500;
  env.data = Buffer.from(JSON.stringify(data)).toString('base64');
  const forged = verifyAsDocumented(Buffer.from(JSON.stringify(env)).toString('base64'));
  assert.equal(forged.failed, true);
  assert.match(forged.out, /Verification failure/);

  // The e-mail, through the outbox and the SMTP relay.
  const [mail] = await smtp.waitFor(f.email);
  assert.equal(mail.subject, '[GitLab Transactions] Your GitLab Self-Managed trial license');
  assert.equal(mail.from, process.env.CDOT_MAIL_FROM);
  assert.match(mail.headers.from, /^"GitLab Transactions" </);
  assert.match(mail.headers['message-id'], /^<outbox\.\d+\.\d+@/);
  assert.match(mail.body, /Premium trial license for GitLab Self-Managed: 75 users/);
  assert.ok(mail.body.includes(file.trim()), 'the license key is in the e-mail');
  const [[status, attempts]] = sql(`SELECT status, attempts FROM outbox WHERE kind = 'email'
    AND record_type = 'licenses' AND record_id = ${id}`);
  assert.deepEqual([status, attempts], ['sent', '1']);
  const { body: after } = await ro.json(`/admin/licenses/${id}`);
  assert.equal(after.emails[0].status, 'sent');
  assert.equal(after.emails[0].to, f.email);

  // And the list shows it, first.
  const { body: list } = await sup.json(`/admin/support/sm_trials?query=${encodeURIComponent(f.email)}`);
  assert.equal(list.licenses[0].id, String(id));
});

test('a relay that fails: the e-mail is retried with backoff, then sent; a refusal fails it', async () => {
  await smtp.mode('tempfail');
  const f = form();
  const { id } = await create(f);
  const row = () => {
    const [[status, attempts, err]] = sql(`SELECT status, attempts, coalesce(last_error, '') FROM outbox
      WHERE kind = 'email' AND record_type = 'licenses' AND record_id = ${id}`);
    return { status, attempts: Number(attempts), err };
  };
  await waitFor('a failed attempt', () => row().attempts >= 1 && row().err !== '');
  assert.equal(row().status, 'pending');
  assert.match(row().err, /SMTP/);
  const { body: page } = await ro.json(`/admin/licenses/${id}`);
  assert.equal(page.emails[0].status, 'pending');
  await smtp.mode('up');
  await waitFor('the e-mail sent', () => row().status === 'sent');
  assert.ok(row().attempts >= 2);
  assert.equal((await smtp.waitFor(f.email)).length, 1);

  await smtp.mode('permfail');
  const g = form();
  const { id: id2 } = await create(g);
  await waitFor('the e-mail failed', () => one(`SELECT status FROM outbox WHERE kind = 'email'
    AND record_type = 'licenses' AND record_id = ${id2}`) === 'failed');
  assert.match(one(`SELECT last_error FROM outbox WHERE record_type = 'licenses' AND record_id = ${id2}`), /550/);
  await smtp.mode('up');
});

test('a wrong form comes back with what was typed and the reasons; nothing is made', async () => {
  const before = one('SELECT count(*) FROM licenses');
  const cases = [
    [{ email: 'not-an-address' }, 'email', /User email is not a valid email address/],
    [{ user_count: '0' }, 'user_count', /User count must be a whole number above 0/],
    [{ user_count: 'ten' }, 'user_count', /User count must be a whole number above 0/],
    [{ user_count: '1234567890' }, 'user_count', /too large/],
    [{ starts_at: '2025-02-30' }, 'starts_at', /YYYY-MM-DD/],
    [{ expires_at: day(-1), starts_at: day(-10) }, 'expires_at', /can't be before today/],
    [{ starts_at: day(20), expires_at: day(10) }, 'expires_at', /End date can't be before the start date/],
    [{ plan: 'gold' }, 'plan', /one of the choices/],
    [{ zendesk_ticket: '' }, 'zendesk_ticket', /Zendesk ticket link can't be blank/],
    [{ zendesk_ticket: 'https://example.com/agent/tickets/1' }, 'zendesk_ticket', /must be a Zendesk ticket link/],
    [{ zendesk_ticket: 'http://gitlab.zendesk.com/agent/tickets/12' }, 'zendesk_ticket', /Zendesk ticket link/],
  ];
  for (const [extra, field, why] of cases) {
    const f = form(extra);
    const res = await sup.submit('/admin/support/sm_trials', f, JSON_);
    assert.equal(res.status, 422, JSON.stringify(extra));
    const body = JSON.parse(res.text_);
    assert.match(fieldErrors(body)[field] ?? '', why, JSON.stringify(extra));
    const typed = Object.fromEntries(body.form.fields.map((x) => [x.name, x.value]));
    assert.equal(typed[field], f[field], 'what was typed is kept');
  }
  // As a page, too.
  const res = await sup.submit('/admin/support/sm_trials', form({ user_count: '-1' }));
  assert.equal(res.status, 422);
  assert.match(res.text_, /class="field-error"[^>]*>User count must be a whole number/);
  assert.equal(one('SELECT count(*) FROM licenses'), before);
});

test('support admins only, with the form token', async () => {
  for (const c of [ro, ed]) {
    assert.equal((await c.get('/admin/support/sm_trials')).status, 403);
    assert.equal((await c.get('/admin/support/sm_trials/new')).status, 403);
    const res = await c.submit('/admin/support/sm_trials', form(), JSON_);
    assert.equal(res.status, 403);
  }
  const res = await sup.post('/admin/support/sm_trials', form(), { headers: JSON_ });
  assert.equal(res.status, 403);
  assert.equal(JSON.parse(res.text_).reason, 'csrf');
  assert.equal((await ro.get('/admin/licenses/999999999/download')).status, 404);
  const demo = one("SELECT id FROM licenses WHERE license_type = 'cloud' LIMIT 1");
  assert.equal((await ro.get(`/admin/licenses/${demo}/download`)).status, 404, 'no file, nothing to download');
});
