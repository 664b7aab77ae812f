// The license key pair is read and checked once, at start-up: a key file
// that is missing, not PEM, too small or not the other half of the pair
// stops the panel with the reason, rather than failing on the first
// license it would sign.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './auth_mockidp.mjs';
import { AppInstance } from './auth_instance.mjs';

const dir = join(process.env.CDOT_TEST_WORK, 'license-keys');
mkdirSync(dir, { recursive: true });
const good = {
  priv: process.env.CDOT_LICENSE_PRIVATE_KEY,
  pub: process.env.CDOT_LICENSE_PUBLIC_KEY,
};

function rsa(name, bits) {
  const priv = join(dir, `${name}.pem`);
  const pub = join(dir, `${name}.pub.pem`);
  execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${bits}`,
    '-out', priv], { stdio: 'ignore' });
  execFileSync('openssl', ['pkey', '-in', priv, '-pubout', '-out', pub], { stdio: 'ignore' });
  return { priv, pub };
}

const started = [];
after(async () => {
  for (const a of started) await a.stop();
});

// Starts an instance with these key files; the log of its refusal.
async function refusal(name, priv, pub) {
  const app = new AppInstance(`keys-${name}`, await freePort(), {
    CDOT_LICENSE_PRIVATE_KEY: priv, CDOT_LICENSE_PUBLIC_KEY: pub,
  }, { sanitizers: false });
  started.push(app);
  await assert.rejects(app.start(), /did not start/);
  return app.logText();
}

test('a missing, non-PEM, small or unmatched key stops the panel with the reason', async () => {
  const text = join(dir, 'not-a-key.pem');
  writeFileSync(text, 'this is not a key\n');
  const small = rsa('small', 1024);
  const other = rsa('other', 2048);
  const missing = join(dir, 'absent.pem');

  assert.match(await refusal('missing', missing, good.pub),
    new RegExp(`license_private_key: cannot read ${missing}`));
  assert.match(await refusal('text-priv', text, good.pub),
    new RegExp(`license_private_key: not a PEM private key: ${text}`));
  assert.match(await refusal('text-pub', good.priv, text),
    new RegExp(`license_public_key: not a PEM public key: ${text}`));
  assert.match(await refusal('small', small.priv, small.pub),
    /must be an RSA key of at least 2048 bits/);
  assert.match(await refusal('unmatched', good.priv, other.pub),
    new RegExp(`license_public_key: ${other.pub} is not the public key of ${good.priv}`));
});

test('the matching pair starts it', async () => {
  const app = new AppInstance('keys-good', await freePort(), {
    CDOT_LICENSE_PRIVATE_KEY: good.priv, CDOT_LICENSE_PUBLIC_KEY: good.pub,
  });
  started.push(app);
  await app.start();
  assert.deepEqual(app.problems(), []);
});
