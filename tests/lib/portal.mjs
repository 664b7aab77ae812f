// A stand-in for the customers portal, for the tests only: where
// Impersonate sends the browser (GET /admin_impersonation?token=...).  Like
// the portal it redeems the token with the panel's API
// (POST /api/v1/impersonation/redeem, the service token) and shows whom
// it signed in as, or why not.
//
// As a program: PORTAL_PORT=<port> APP_URL=<panel> node tests/lib/portal.mjs
// (needs CDOT_PORTAL_SERVICE_TOKEN; prints "portal listening on <url>").
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function startPortal({ port = 0, appUrl = process.env.APP_URL,
  serviceToken = process.env.CDOT_PORTAL_SERVICE_TOKEN } = {}) {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://portal.test');
    const page = (status, title, text) => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html lang="en"><head><title>${esc(title)}</title></head>` +
        `<body><h1>${esc(title)}</h1><p data-portal>${esc(text)}</p></body></html>`);
    };
    if (url.pathname !== '/admin_impersonation') return page(404, 'Customers portal', 'Not found');
    const r = await fetch(`${appUrl}/api/v1/impersonation/redeem`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${serviceToken}` },
      body: JSON.stringify({ token: url.searchParams.get('token') ?? '' }),
    });
    const body = await r.json();
    if (r.status !== 200) return page(r.status, 'Customers portal', `Refused: ${body.error?.code ?? r.status}`);
    return page(200, 'Customers portal', `Signed in as ${body.email} (by ${body.admin_identity})`);
  });
  return new Promise((done) => server.listen(port, '127.0.0.1', () => {
    done({ url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() });
  }));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { url } = await startPortal({ port: Number(process.env.PORTAL_PORT ?? 8090) });
  console.log(`portal listening on ${url}`);
}
