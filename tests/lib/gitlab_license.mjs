// A license file read as GitLab's license library imports it
// (Gitlab::License.import in the gitlab-license gem), written here apart
// from the app with Node's crypto, so that the tests check the app's
// files against GitLab's algorithm and not against the app's own code:
//
//   1. drop a BEGIN/END boundary line, if any; base64-decode (Ruby's
//      decode64 skips newlines);
//   2. the envelope is JSON with "data", "key" and "iv", each base64;
//   3. the AES key is the RSA public decryption of "key" (PKCS#1 v1.5);
//   4. the data is AES-128-CBC under that key and "iv";
//   5. the result is the attributes, JSON; GitLab then checks that the
//      version is 1, the licensee a non-empty hash and issued_at a date.
//
// Throws with GitLab's reason when a file does not import.
import { createDecipheriv, createPublicKey, publicDecrypt, constants } from 'node:crypto';
import { readFileSync } from 'node:fs';

export function importLicense(text, publicKeyPem = readFileSync(process.env.CDOT_LICENSE_PUBLIC_KEY)) {
  const body = text.split('\n').filter((l) => !/^-+(BEGIN|END) .* LICENSE-+$/.test(l.trim())).join('\n');
  let envelope;
  try {
    envelope = JSON.parse(Buffer.from(body, 'base64').toString('utf8'));
  } catch {
    throw new Error('Encryption data is invalid JSON.');
  }
  if (!['data', 'key', 'iv'].every((k) => typeof envelope[k] === 'string')) {
    throw new Error('Required field missing from encryption data.');
  }
  let aesKey;
  try {
    aesKey = publicDecrypt({ key: createPublicKey(publicKeyPem), padding: constants.RSA_PKCS1_PADDING },
      Buffer.from(envelope.key, 'base64'));
  } catch {
    throw new Error('AES encryption key could not be decrypted.');
  }
  let json;
  try {
    const d = createDecipheriv('aes-128-cbc', aesKey, Buffer.from(envelope.iv, 'base64'));
    json = Buffer.concat([d.update(Buffer.from(envelope.data, 'base64')), d.final()]).toString('utf8');
  } catch {
    throw new Error('Data could not be decrypted.');
  }
  const attrs = JSON.parse(json);
  if (attrs.version !== 1) throw new Error('Version is invalid');
  if (typeof attrs.licensee !== 'object' || Object.keys(attrs.licensee ?? {}).length === 0) {
    throw new Error('Licensee is missing');
  }
  if (!/^\d{4}-\d\d-\d\d$/.test(attrs.issued_at ?? '')) throw new Error('Issued at is missing');
  return attrs;
}
