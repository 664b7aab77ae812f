// A deliberately misbehaving OpenID Provider for the tests that the real
// development provider cannot stage: ID tokens from another issuer or for
// another audience, a wrong nonce, a foreign signature; and a provider
// that is down.  It signs RS256 ID tokens with its own key, checks the
// client's credentials and the PKCE verifier, and logs what it was sent.
import http from 'node:http';
import net from 'node:net';
import { createHash, createSign, generateKeyPairSync, randomBytes } from 'node:crypto';

const b64u = (buf) => Buffer.from(buf).toString('base64url');

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export class MockIdP {
  constructor({ port, clientId = 'cdot-admin-dev', clientSecret = 'dev-secret-change-me' }) {
    this.port = port;
    this.issuer = `http://127.0.0.1:${port}`;
    this.clientId = clientId;
    this.clientSecret = clientSecret;
    this.key = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.kid = b64u(randomBytes(8));
    this.codes = new Map();
    this.user = { email: 'editor@example.com', groups: ['okta-cdot-prod-editors'] };
    this.tweak = {};        // changes to the next ID tokens' claims
    this.signWithOther = false;
    this.authRequests = [];
    this.tokenRequests = [];
    this.server = null;
  }

  listen() {
    this.server = http.createServer((req, res) => this.handle(req, res));
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', resolve);
    });
  }

  close() {
    if (!this.server) return Promise.resolve();
    const s = this.server;
    this.server = null;
    s.closeAllConnections();
    return new Promise((resolve) => s.close(() => resolve()));
  }

  send(res, status, body, headers = {}) {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  }

  idToken(claims) {
    const header = { alg: 'RS256', typ: 'JWT', kid: this.kid };
    const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(claims))}`;
    const sign = createSign('RSA-SHA256');
    sign.update(input);
    const key = this.signWithOther ? this.otherKey.privateKey : this.key.privateKey;
    return `${input}.${b64u(sign.sign(key))}`;
  }

  async handle(req, res) {
    const url = new URL(req.url, this.issuer);
    let body = '';
    for await (const chunk of req) body += chunk;

    if (url.pathname === '/.well-known/openid-configuration') {
      return this.send(res, 200, {
        issuer: this.issuer,
        authorization_endpoint: `${this.issuer}/auth`,
        token_endpoint: `${this.issuer}/token`,
        userinfo_endpoint: `${this.issuer}/me`,
        jwks_uri: `${this.issuer}/jwks`,
        response_types_supported: ['code'],
        code_challenge_methods_supported: ['S256'],
        id_token_signing_alg_values_supported: ['RS256'],
      });
    }

    if (url.pathname === '/jwks') {
      const jwk = this.key.publicKey.export({ format: 'jwk' });
      return this.send(res, 200, { keys: [{ ...jwk, kid: this.kid, alg: 'RS256', use: 'sig' }] });
    }

    // No login form: the authorization request comes straight back.
    if (url.pathname === '/auth') {
      const q = Object.fromEntries(url.searchParams);
      this.authRequests.push(q);
      const code = b64u(randomBytes(24));
      this.codes.set(code, { ...q, user: this.user, used: false });
      const back = new URL(q.redirect_uri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', q.state);
      res.writeHead(302, { location: back.toString() });
      return res.end();
    }

    if (url.pathname === '/token' && req.method === 'POST') {
      const p = Object.fromEntries(new URLSearchParams(body));
      const auth = req.headers.authorization ?? '';
      const [id, secret] = Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString()
        .split(':').map(decodeURIComponent);
      this.tokenRequests.push({ ...p, basicClientId: id });
      const grant = this.codes.get(p.code);
      if (id !== this.clientId || secret !== this.clientSecret) {
        return this.send(res, 401, { error: 'invalid_client' });
      }
      if (!grant || grant.used || p.grant_type !== 'authorization_code' ||
          p.redirect_uri !== grant.redirect_uri) {
        return this.send(res, 400, { error: 'invalid_grant' });
      }
      const challenge = b64u(createHash('sha256').update(p.code_verifier ?? '').digest());
      if (grant.code_challenge_method !== 'S256' || challenge !== grant.code_challenge) {
        return this.send(res, 400, { error: 'invalid_grant', error_description: 'PKCE' });
      }
      grant.used = true;
      const now = Math.floor(Date.now() / 1000);
      const claims = {
        iss: this.issuer,
        aud: this.clientId,
        sub: 'mock-subject-1',
        email: grant.user.email,
        email_verified: true,
        groups: grant.user.groups,
        nonce: grant.nonce,
        iat: now,
        exp: now + 300,
        ...this.tweak,
      };
      for (const [k, v] of Object.entries(claims)) if (v === undefined) delete claims[k];
      const access = b64u(randomBytes(24));
      this.accessTokens ??= new Map();
      this.accessTokens.set(access, grant.user);
      return this.send(res, 200, {
        access_token: access, token_type: 'Bearer', expires_in: 300,
        id_token: this.idToken(claims),
      });
    }

    if (url.pathname === '/me') {
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      const user = this.accessTokens?.get(token);
      if (!user) return this.send(res, 401, { error: 'invalid_token' });
      return this.send(res, 200, { sub: 'mock-subject-1', email: user.email, groups: user.groups });
    }

    return this.send(res, 404, { error: 'not_found' });
  }
}
