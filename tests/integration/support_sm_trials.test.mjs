// Support > Trials for SM: a legacy trial license (user email, user count,
// start and end date), a file in GitLab's license format (imported here as
// GitLab imports it, tests/lib/gitlab_license.mjs, and decoded with the
// very commands README.md documents), downloadable from the license page,
// and e-mailed (text and attachment) through the outbox and SMTP, retried
// while the relay fails; the Zendesk ticket in history; support admins only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, copyFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { smtp } from '../lib/smtp.mjs';
import { importLicense } from '../lib/gitlab_license.mjs';
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

// README.md's decoding lines, run in a folder with the license file and
// the public key; the attributes they print (license.json).
function decodeAsDocumented(file) {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const m = readme.match(/<!-- verify-license -->\n```sh\n([\s\S]*?)```/);
  assert.ok(m, 'README.md documents the decoding');
  const dir = mkdtempSync(join(tmpdir(), 'license-'));
  try {
    writeFileSync(join(dir, 'license.gitlab-license'), file);
    copyFileSync(process.env.CDOT_LICENSE_PUBLIC_KEY, join(dir, 'license_public.pem'));
    const out = execFileSync('bash', ['-c', `set -e\n${m[1]}`], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
    return { out, data: JSON.parse(readFileSync(join(dir, 'license.json'), 'utf8')), lines: m[1] };
  } catch (e) {
    return { out: `${e.stdout ?? ''}${e.stderr ?? ''}`, failed: true };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// The file with one byte of its envelope's field changed (then encoded
// again as the file is).
function tampered(file, field, at = 0) {
  const env = JSON.parse(Buffer.from(file, 'base64').toString('utf8'));
  const bytes = Buffer.from(env[field], 'base64');
  bytes[at] ^= 0x01;
  env[field] = bytes.toString('base64');
  return Buffer.from(JSON.stringify(env)).toString('base64');
}

// A cell of a row of a list, as the page shows it.
const cell = (row, name) => row.cells.find((c) => c.name === name)?.value;

test('the screen lists legacy trial licenses, and offers "Add new License"', async () => {
  const res = await sup.get('/admin/support/sm_trials', { headers: HTML });
  assert.equal(res.status, 200);
  assert.match(res.text_, /<h1>Trials for SM<\/h1>/);
  assert.match(res.text_, /href="\/admin\/support\/sm_trials\/new" class="button primary" data-action="new">\+ Add new License</);
  const { body } = await sup.json('/admin/support/sm_trials?query=sarah.mitchell');
  assert.equal(body.rows.length, 1, 'the demo prospect\'s trial license');
  assert.equal(cell(body.rows[0], 'email'), 'sarah.mitchell@vertex-aero.com');
  assert.equal(body.rows[0].show_href, `/admin/licenses/${body.rows[0].id}`);
  assert.deepEqual(body.columns.map((c) => c.label),
    ['License', 'Name', 'Company', 'Email', 'Users', 'Plan', 'Starts', 'Expires', 'Issued at']);
  assert.equal(body.new_href, '/admin/support/sm_trials/new');
  // Only legacy trial licenses: not a cloud license, not a legacy one bought.
  const [other] = sql(`SELECT id::text, email FROM licenses WHERE NOT (license_type = 'legacy' AND trial) LIMIT 1`);
  if (other) {
    const o = await sup.json(`/admin/support/sm_trials?query=${encodeURIComponent(other[1])}`);
    assert.ok(!o.body.rows.some((r) => r.id === other[0]), 'only legacy trial licenses');
  }

  // Case is folded as PostgreSQL folds it, beyond ASCII too.
  const t = tag();
  const id = Number(one(`INSERT INTO licenses (license_type, trial, name, company, email, starts_at,
      expires_at, user_count, gitlab_plan)
    VALUES ('legacy', true, ${q(`Zoë Ångström ${t}`)}, 'Fjord Örnsköld', ${q(`zoe-${t}@sm-tests.example`)},
      current_date, current_date + 30, 10, 'ultimate') RETURNING id`));
  trackLicense(id);
  const accented = await sup.json('/admin/support/sm_trials?query=' + encodeURIComponent(`ÅNGSTRÖM ${t}`.split(' ')[0]));
  const zoe = accented.body.rows.find((l) => cell(l, 'email') === `zoe-${t}@sm-tests.example`);
  assert.ok(zoe);
  assert.deepEqual(zoe.row_actions, [], 'no file, no download');

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
  assert.ok(dl.text_.split('\n').every((l) => l.length <= 60), 'Base64.encode64 lines');

  // GitLab imports it, with every attribute as typed.
  const attrs = importLicense(dl.text_);
  assert.deepEqual(attrs, {
    version: 1,
    licensee: { Name: `Priya Trial${t}`, Company: 'Edit Tests', Email: f.email },
    issued_at: f.starts_at, expires_at: f.expires_at, notify_admins_at: day(23), notify_users_at: day(23),
    block_changes_at: f.expires_at, cloud_licensing_enabled: false, offline_cloud_licensing_enabled: false,
    auto_renew_enabled: false, seat_reconciliation_enabled: false, operational_metrics_enabled: false,
    generated_from_customers_dot: true, generated_from_cancellation: false, temporary_extension: false,
    restrictions: { active_user_count: 75, plan: 'premium', trial: true, id },
  });
  // README's openssl lines decode the same.
  const v = decodeAsDocumented(dl.text_);
  assert.equal(v.failed, undefined, v.out);
  assert.deepEqual(v.data, attrs);
  assert.match(v.lines, /openssl pkeyutl -verifyrecover -pubin -inkey license_public\.pem/);
  // The page shows what GitLab reads.
  const { body: shown } = await ro.json(`/admin/licenses/${id}`);
  assert.equal(shown.license_content.format, 'gitlab');
  assert.deepEqual(shown.license_content.attributes, attrs);
  assert.ok(shown.license_content.rows.some((r) => r.field === 'restrictions.active_user_count' && r.value === '75'));

  // One byte changed, in the data or in the key: it does not import.
  assert.throws(() => importLicense(tampered(dl.text_, 'data')), /could not be decrypted|invalid JSON|Unexpected/);
  assert.throws(() => importLicense(tampered(dl.text_, 'key', 100)), /AES encryption key could not be decrypted/);
  assert.equal(decodeAsDocumented(tampered(dl.text_, 'key', 100)).failed, true);
  // Nor with another key pair.
  const other = execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048']);
  const otherPub = execFileSync('openssl', ['pkey', '-pubout'], { input: other });
  assert.throws(() => importLicense(dl.text_, otherPub), /AES encryption key could not be decrypted/);

  // The e-mail, through the outbox and the SMTP relay.
  const [mail] = await smtp.waitFor(f.email);
  assert.equal(mail.subject, '[GitLab Transactions] Your GitLab Self-Managed trial license');
  assert.equal(mail.from, process.env.CDOT_MAIL_FROM);
  assert.match(mail.headers.from, /^"GitLab Transactions" </);
  assert.match(mail.headers['message-id'], /^<outbox\.\d+\.\d+@/);
  assert.match(mail.body, /Premium trial license for GitLab Self-Managed: 75 users/);
  assert.ok(mail.body.includes(file.trim()), 'the license key is in the e-mail');
  assert.deepEqual(importLicense(mail.body.slice(mail.body.indexOf(file.trim()))
    .split('\n\n')[0]), attrs, 'the text imports');
  assert.equal(mail.attachments.length, 1);
  assert.equal(mail.attachments[0].filename, `license-${id}.gitlab-license`);
  assert.deepEqual(importLicense(mail.attachments[0].content), attrs, 'the attachment imports');
  const [[status, attempts]] = sql(`SELECT status, attempts FROM outbox WHERE kind = 'email'
    AND record_type = 'licenses' AND record_id = ${id}`);
  assert.deepEqual([status, attempts], ['sent', '1']);
  const { body: after } = await ro.json(`/admin/licenses/${id}`);
  assert.equal(after.emails[0].status, 'sent');
  assert.equal(after.emails[0].to, f.email);

  // And the list shows it, first.
  const { body: list } = await sup.json(`/admin/support/sm_trials?query=${encodeURIComponent(f.email)}`);
  assert.equal(list.rows[0].id, String(id));
  assert.deepEqual(list.rows[0].row_actions.map((a) => [a.name, a.href]),
    [['download', `/admin/licenses/${id}/download`]]);
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

test('a license in the panel\'s former format is kept readable and marked: GitLab cannot import it', async () => {
  const { sign } = await import('node:crypto');
  const data = JSON.stringify({ expires_at: day(30), id: 1, issued_at: '2026-01-01T00:00:00Z',
    licensee: { company: 'Old Co', email: 'old@sm-tests.example', name: 'Old Format' }, plan: 'ultimate',
    starts_at: day(0), trial: true, type: 'legacy', user_count: 10, version: 1, zuora_subscription_id: null });
  const key = readFileSync(process.env.CDOT_LICENSE_PRIVATE_KEY);
  const env = JSON.stringify({ algorithm: 'RSA-SHA256', data: Buffer.from(data).toString('base64'),
    signature: sign('sha256', Buffer.from(data), key).toString('base64') });
  const file = Buffer.from(env).toString('base64').replace(/.{76}/g, '$&\n');
  const id = Number(one(`INSERT INTO licenses (license_type, trial, name, email, starts_at, expires_at,
      user_count, gitlab_plan, license_file) VALUES ('legacy', true, 'Old Format', 'old@sm-tests.example',
      current_date, current_date + 30, 10, 'ultimate', ${q(file)}) RETURNING id`));
  trackLicense(id);
  assert.throws(() => importLicense(file));
  const { body } = await ro.json(`/admin/licenses/${id}`);
  assert.equal(body.license_content.format, 'former');
  assert.deepEqual(body.license_content.attributes, JSON.parse(data));
  const panel = body.panels.find((p) => p.name === 'license_file');
  assert.match(panel.note, /former format .*GitLab cannot import; its signature verifies\. Issue a new license/);

  // A former file whose data was changed: its signature no longer verifies.
  const forged = Buffer.from(JSON.stringify({ ...JSON.parse(env),
    data: Buffer.from(data.replace('"user_count":10', '"user_count":9999')).toString('base64') })).toString('base64');
  sql(`UPDATE licenses SET license_file = ${q(forged)} WHERE id = ${id}`);
  const { body: b2 } = await ro.json(`/admin/licenses/${id}`);
  assert.equal(b2.license_content.attributes, null);
  assert.match(b2.panels.find((p) => p.name === 'license_file').note, /signature does not verify/);
});
