// Development and test OpenID Provider for CustomersDot Admin.
//
// NOT FOR PRODUCTION: any password is accepted for the known dev users, all
// state (sessions, codes, grants) lives in memory and a fresh RSA signing key
// is generated at every start. See README.md in this folder.
//
// Configuration (environment variables):
//   OIDC_PORT                        port to listen on, on 127.0.0.1 only (default 9400)
//   OIDC_ISSUER                      issuer URL (default http://127.0.0.1:$OIDC_PORT); may carry a
//                                    path, e.g. http://127.0.0.1:9400/oauth2/default (Okta-like)
//   OIDC_CLIENT_ID                   client id (default cdot-admin-dev)
//   OIDC_CLIENT_SECRET               client secret (default dev-secret-change-me)
//   OIDC_REDIRECT_URIS               comma-separated (default http://127.0.0.1:8080/auth/callback)
//   OIDC_POST_LOGOUT_REDIRECT_URIS   comma-separated, optional
//   OIDC_USERS_FILE                  optional JSON file {"email": {"groups": [...], "name": "..."}}
//                                    replacing the built-in users

import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import process from 'node:process';

// oidc-provider prints its notices with console.info (stdout). stdout is kept
// for the single "listening" line that scripts wait for, so route every other
// message to stderr.
console.info = (...args) => console.error(...args);
console.log = (...args) => console.error(...args);

const { default: Provider } = await import('oidc-provider');

function fail(message) {
  process.stderr.write(`oidc-provider: ${message}\n`);
  process.exit(1);
}

function envList(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  return raw.split(',').map((s) => s.trim()).filter(Boolean);
}

// ---------------------------------------------------------------- settings

const portRaw = process.env.OIDC_PORT?.trim() || '9400';
if (!/^\d+$/.test(portRaw) || Number(portRaw) < 1 || Number(portRaw) > 65535) {
  fail(`OIDC_PORT must be an integer between 1 and 65535, got "${portRaw}"`);
}
const PORT = Number(portRaw);
const HOST = '127.0.0.1';

let issuerUrl;
try {
  issuerUrl = new URL(process.env.OIDC_ISSUER?.trim() || `http://${HOST}:${PORT}`);
} catch {
  fail(`OIDC_ISSUER is not a valid URL: "${process.env.OIDC_ISSUER}"`);
}
if (!['http:', 'https:'].includes(issuerUrl.protocol) || issuerUrl.search || issuerUrl.hash) {
  fail(`OIDC_ISSUER must be an http(s) URL without query or fragment, got "${issuerUrl.href}"`);
}
// No trailing slash, as Okta issuers have none.
const PREFIX = issuerUrl.pathname.replace(/\/+$/, '');
const ISSUER = `${issuerUrl.origin}${PREFIX}`;

const CLIENT_ID = process.env.OIDC_CLIENT_ID?.trim() || 'cdot-admin-dev';
const CLIENT_SECRET = process.env.OIDC_CLIENT_SECRET || 'dev-secret-change-me';
const REDIRECT_URIS = envList('OIDC_REDIRECT_URIS', ['http://127.0.0.1:8080/auth/callback']);
const POST_LOGOUT_REDIRECT_URIS = envList('OIDC_POST_LOGOUT_REDIRECT_URIS', []);

// ------------------------------------------------------------------- users

const DEFAULT_USERS = {
  'readonly@example.com': { name: 'Rita Readonly', groups: ['okta-cdot-prod-readonly'] },
  'editor@example.com': { name: 'Eddie Editor', groups: ['okta-cdot-prod-editors'] },
  'support@example.com': { name: 'Sam Support', groups: ['okta-cdot-prod-support-admins'] },
  'admin@example.com': {
    name: 'Ada Admin',
    groups: ['okta-cdot-prod-editors', 'okta-cdot-prod-support-admins'],
  },
  'nobody@example.com': { name: 'Nora Nobody', groups: ['everyone'] },
};

function loadUsersFile(file) {
  let parsed;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    fail(`cannot read OIDC_USERS_FILE "${file}": ${err.message}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    fail(`OIDC_USERS_FILE "${file}" must hold a JSON object {"email": {"groups": [...], "name": "..."}}`);
  }
  return parsed;
}

function buildUsers(source) {
  const byEmail = new Map();
  const bySub = new Map();
  for (const [rawEmail, entry] of Object.entries(source)) {
    const email = rawEmail.trim().toLowerCase();
    if (!/^[^\s@]+@[^\s@]+$/.test(email)) fail(`users: "${rawEmail}" is not an email address`);
    const e = entry ?? {};
    if (typeof e !== 'object' || Array.isArray(e)) fail(`users: entry for ${email} must be an object`);
    const groups = e.groups ?? [];
    if (!Array.isArray(groups) || !groups.every((g) => typeof g === 'string')) {
      fail(`users: "groups" of ${email} must be an array of strings`);
    }
    for (const key of ['name', 'given_name', 'family_name', 'sub']) {
      if (e[key] !== undefined && typeof e[key] !== 'string') fail(`users: "${key}" of ${email} must be a string`);
    }
    const name = e.name || email.split('@')[0];
    const parts = name.split(/\s+/);
    const user = {
      // Okta-like opaque, stable subject identifier (not the email: a relying
      // party must not use sub as the email address).
      sub: e.sub || `00u${createHash('sha256').update(`cdot-dev:${email}`).digest('hex').slice(0, 17)}`,
      email,
      email_verified: e.email_verified ?? true,
      name,
      given_name: e.given_name ?? parts[0],
      family_name: e.family_name ?? (parts.length > 1 ? parts.slice(1).join(' ') : ''),
      groups: [...groups],
    };
    if (bySub.has(user.sub)) fail(`users: duplicate sub "${user.sub}"`);
    byEmail.set(email, user);
    bySub.set(user.sub, user);
  }
  if (byEmail.size === 0) fail('users: no user defined');
  return { byEmail, bySub };
}

const USERS = buildUsers(
  process.env.OIDC_USERS_FILE ? loadUsersFile(process.env.OIDC_USERS_FILE) : DEFAULT_USERS,
);

// -------------------------------------------------------------------- html

const esc = (value) => String(value).replace(/[&<>"']/g, (c) => ({
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
}[c]));

const STYLE = `body{font-family:system-ui,sans-serif;background:#f4f4f6;margin:40px}
.card{max-width:420px;margin:0 auto;background:#fff;padding:24px 32px;border-radius:6px;box-shadow:0 1px 3px rgba(0,0,0,.2)}
h1{font-size:1.4em;font-weight:500}label{display:block;margin:12px 0 4px}
input[type=email],input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:8px;font-size:1em}
button{margin-top:16px;width:100%;padding:10px;font-size:1em;background:#1662dd;color:#fff;border:0;border-radius:4px;cursor:pointer}
.error{background:#fde8e8;color:#9b1c1c;padding:8px 12px;border-radius:4px}
.dev{font-size:.85em;color:#555}.dev code{font-size:.95em}a{color:#1662dd}`;

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><style>${STYLE}</style></head>
<body><div class="card">${body}</div></body>
</html>
`;
}

function loginPage({ uid, loginHint, error, login }) {
  const users = [...USERS.byEmail.values()]
    .map((u) => `<li><code>${esc(u.email)}</code> &mdash; ${esc(u.groups.join(', ') || '(no groups)')}</li>`)
    .join('\n');
  const value = login ?? loginHint ?? '';
  return page('Sign in - CustomersDot Admin (dev OpenID Provider)', `
<h1>Sign in</h1>
<p class="dev">Development OpenID Provider for CustomersDot Admin. Any password is accepted.</p>
${error ? `<p class="error" role="alert">${esc(error)}</p>` : ''}
<form id="login-form" autocomplete="off" action="${esc(`${PREFIX}/interaction/${uid}`)}" method="post">
  <input type="hidden" name="prompt" value="login">
  <label for="login">Email</label>
  <input id="login" type="email" name="login" required value="${esc(value)}"${value ? '' : ' autofocus'}>
  <label for="password">Password</label>
  <input id="password" type="password" name="password" required${value ? ' autofocus' : ''}>
  <button type="submit">Sign in</button>
</form>
<p><a href="${esc(`${PREFIX}/interaction/${uid}/abort`)}">Cancel</a></p>
<div class="dev"><p>Dev users:</p><ul>
${users}
</ul></div>`);
}

// ----------------------------------------------------------- configuration

const signingKey = {
  ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
  kid: `dev-${randomBytes(6).toString('hex')}`,
  alg: 'RS256',
  use: 'sig',
};

// Clients whose consent is granted without asking the user.
const FIRST_PARTY = new Set([CLIENT_ID]);

const configuration = {
  clients: [{
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    client_name: 'CustomersDot Admin (dev)',
    application_type: 'web',
    redirect_uris: REDIRECT_URIS,
    post_logout_redirect_uris: POST_LOGOUT_REDIRECT_URIS,
    response_types: ['code'],
    grant_types: ['authorization_code'],
    // client_secret_post is accepted as well: oidc-provider treats the two
    // secret-based methods as interchangeable for a client registered with either.
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'RS256',
  }],
  clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
  responseTypes: ['code'],
  jwks: { keys: [signingKey] },
  scopes: ['openid', 'email', 'profile', 'groups'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name'],
    groups: ['groups'],
  },
  // Put the claims of the granted scopes in the ID token even though an
  // access token (usable at userinfo) is issued too.
  conformIdTokenClaims: false,
  // PKCE: only S256 exists in oidc-provider v9; optional for this confidential client.
  pkce: { required: () => false },

  async findAccount(ctx, id) {
    const user = USERS.bySub.get(id);
    if (!user) return undefined;
    return {
      accountId: user.sub,
      async claims() {
        return {
          sub: user.sub,
          email: user.email,
          email_verified: user.email_verified,
          name: user.name,
          given_name: user.given_name,
          family_name: user.family_name,
          groups: [...user.groups],
        };
      },
    };
  },

  // Automatic consent for the first-party client: make sure the grant covers
  // every OIDC scope and claim requested, so the consent prompt never shows.
  async loadExistingGrant(ctx) {
    const { oidc } = ctx;
    const grantId = oidc.result?.consent?.grantId || oidc.session.grantIdFor(oidc.client.clientId);
    let grant = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
    if (!FIRST_PARTY.has(oidc.client.clientId)) return grant;
    if (!grant || grant.accountId !== oidc.session.accountId) {
      grant = new oidc.provider.Grant({ clientId: oidc.client.clientId, accountId: oidc.session.accountId });
    }
    const scopes = [...oidc.requestParamOIDCScopes];
    if (scopes.length) grant.addOIDCScope(scopes.join(' '));
    const claims = [...oidc.requestParamClaims];
    if (claims.length) grant.addOIDCClaims(claims);
    await grant.save();
    return grant;
  },

  interactions: {
    url: (ctx, interaction) => `${PREFIX}/interaction/${interaction.uid}`,
  },

  cookies: {
    // Plain http on loopback: never mark the cookies Secure.
    long: { httpOnly: true, sameSite: 'lax', secure: false },
    short: { httpOnly: true, sameSite: 'lax', secure: false },
    keys: [randomBytes(32).toString('base64url')],
  },

  features: {
    devInteractions: { enabled: false }, // replaced by the login form below
    userinfo: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        ctx.body = page('Sign out', `<h1>Sign out?</h1>${form}
<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<button type="submit" form="op.logoutForm">No, stay signed in</button>`);
      },
      async postLogoutSuccessSource(ctx) {
        ctx.body = page('Signed out', '<h1>Signed out</h1><p>You are signed out of the dev OpenID Provider.</p>');
      },
    },
  },

  ttl: {
    AccessToken: 3600,
    AuthorizationCode: 60,
    IdToken: 3600,
    Interaction: 3600,
    Session: 8 * 3600,
    Grant: 8 * 3600,
  },

  clientBasedCORS: () => false,

  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('Error', `<h1>Error</h1><p class="error" role="alert">${esc(out.error)}${
      out.error_description ? `: ${esc(out.error_description)}` : ''}</p>`);
  },
};

let provider;
try {
  provider = new Provider(ISSUER, configuration);
} catch (err) {
  fail(`invalid configuration: ${err.message}`);
}
provider.proxy = false;

provider.on('server_error', (ctx, err) => {
  console.error('oidc-provider: server_error', err);
});

// ------------------------------------------------------------ interactions

async function readForm(ctx, limit = 16 * 1024) {
  if (!ctx.is('application/x-www-form-urlencoded')) {
    ctx.throw(400, 'expected an application/x-www-form-urlencoded body');
  }
  const chunks = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += chunk.length;
    if (size > limit) ctx.throw(413, 'request body too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

async function grantConsent(ctx, details) {
  const { prompt: { details: missing }, grantId, session, params } = details;
  const grant = grantId
    ? await provider.Grant.find(grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  if (missing.missingResourceScopes) {
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes)) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
  }
  const result = { consent: { grantId: await grant.save() } };
  ctx.respond = false;
  await provider.interactionFinished(ctx.req, ctx.res, result, { mergeWithLastSubmission: true });
}

function renderInteractionError(ctx, status, message) {
  ctx.status = status;
  ctx.type = 'html';
  ctx.body = page('Error', `<h1>Sign-in error</h1><p class="error" role="alert">${esc(message)}</p>
<p>Start again from the application.</p>`);
}

// GET  /interaction/:uid        login form (consent is granted automatically)
// POST /interaction/:uid        login form submission: prompt=login, login=<email>, password=<any>
// GET  /interaction/:uid/abort  cancel: redirects to the client with error=access_denied
provider.use(async (ctx, next) => {
  const m = /^\/interaction\/([A-Za-z0-9_-]+)(\/abort)?\/?$/.exec(ctx.path);
  if (!m) return next();
  ctx.set('Cache-Control', 'no-store');
  const [, uid, abort] = m;

  let details;
  try {
    details = await provider.interactionDetails(ctx.req, ctx.res);
  } catch (err) {
    return renderInteractionError(ctx, 400, `This sign-in attempt is unknown or expired (${err.error_description || err.message}).`);
  }
  if (details.uid !== uid) {
    return renderInteractionError(ctx, 400, 'This sign-in attempt does not match the current one.');
  }

  if (abort) {
    if (ctx.method !== 'GET') ctx.throw(405);
    ctx.respond = false;
    return provider.interactionFinished(ctx.req, ctx.res, {
      error: 'access_denied',
      error_description: 'End-User aborted interaction',
    }, { mergeWithLastSubmission: false });
  }

  const promptName = details.prompt.name;

  if (ctx.method === 'GET') {
    if (promptName === 'login') {
      ctx.type = 'html';
      ctx.body = loginPage({ uid, loginHint: details.params.login_hint });
      return undefined;
    }
    if (promptName === 'consent') return grantConsent(ctx, details);
    return renderInteractionError(ctx, 501, `Unsupported prompt "${promptName}".`);
  }

  if (ctx.method !== 'POST') ctx.throw(405);
  const form = await readForm(ctx);
  if ((form.get('prompt') ?? 'login') !== 'login' || promptName !== 'login') {
    if (promptName === 'consent') return grantConsent(ctx, details);
    return renderInteractionError(ctx, 400, `Unexpected submission for prompt "${promptName}".`);
  }

  const login = (form.get('login') ?? '').trim();
  const user = USERS.byEmail.get(login.toLowerCase());
  if (!user) {
    // Refused: unknown users never get an account. The interaction stays
    // open, so the form can be submitted again.
    console.error(`oidc-provider: refused sign-in for unknown user "${login}"`);
    ctx.status = 401;
    ctx.type = 'html';
    ctx.body = loginPage({ uid, login, error: `Unknown user "${login}". Use one of the dev users listed below.` });
    return undefined;
  }

  ctx.respond = false;
  return provider.interactionFinished(ctx.req, ctx.res, {
    login: { accountId: user.sub, amr: ['pwd'] },
  }, { mergeWithLastSubmission: false });
});

// ------------------------------------------------------------------ server

const handler = provider.callback();
const server = http.createServer((req, res) => {
  if (PREFIX) {
    const { url } = req;
    if (url === PREFIX || url.startsWith(`${PREFIX}/`) || url.startsWith(`${PREFIX}?`)) {
      req.baseUrl = PREFIX;
      req.url = url.slice(PREFIX.length) || '/';
      if (req.url.startsWith('?')) req.url = `/${req.url}`;
    } else {
      res.statusCode = 404;
      res.setHeader('Content-Type', 'text/plain');
      res.end(`not found: the issuer is ${ISSUER}\n`);
      return;
    }
  }
  handler(req, res);
});

server.on('error', (err) => {
  if (err.code === 'EADDRINUSE') {
    fail(`cannot listen on ${HOST}:${PORT}: the port is already in use (set OIDC_PORT to use another one)`);
  }
  fail(`cannot listen on ${HOST}:${PORT}: ${err.message}`);
});

server.listen(PORT, HOST, () => {
  process.stdout.write(`oidc-provider listening on ${ISSUER}\n`);
});

let closing = false;
function shutdown(signal) {
  if (closing) return;
  closing = true;
  process.stderr.write(`oidc-provider: ${signal} received, shutting down\n`);
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 3000).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
