// A small SMTP server for the tests: the relay cdot-outbox delivers e-mail
// to.  It speaks the few commands a client needs (EHLO/HELO, MAIL FROM,
// RCPT TO, DATA, RSET, NOOP, QUIT), keeps every message it accepted, and
// answers as a test tells it to:
//
//   up        250: accepted
//   tempfail  451 to RCPT TO (try again later)
//   permfail  550 to RCPT TO (refused for good)
//
// Tests read and steer it over HTTP on a second port:
//   GET    /__test/messages   [{ from, to: [...], data, received_at }]
//   DELETE /__test/messages   forget them
//   POST   /__test/mode       {"mode": "up" | "tempfail" | "permfail"}
//
// As a program: node tests/lib/smtp.mjs   (SMTP_PORT, SMTP_CONTROL_PORT;
// prints "smtp listening on <port>").  As a client of a running one
// (SMTP_CONTROL_URL): import { smtp } from './smtp.mjs'.
import { createServer as createTcpServer } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { poll } from './wait.mjs';

export function startSmtp({ port = 0, controlPort = 0 } = {}) {
  let messages = [];
  let mode = 'up';

  const smtpServer = createTcpServer((sock) => {
    sock.setEncoding('latin1'); // bytes in, bytes out: UTF-8 is kept whole
    let buf = '';
    let inData = false;
    let data = [];
    let from = null;
    let to = [];
    const reply = (line) => sock.write(`${line}\r\n`);
    reply('220 smtp.test ESMTP ready');

    const command = (line) => {
      const verb = line.split(' ')[0].toUpperCase();
      if (verb === 'EHLO') return reply('250-smtp.test\r\n250-8BITMIME\r\n250 SIZE 10485760');
      if (verb === 'HELO') return reply('250 smtp.test');
      if (verb === 'MAIL') {
        const m = line.match(/^MAIL FROM:\s*<([^>]*)>/i);
        if (!m) return reply('501 syntax: MAIL FROM:<address>');
        from = m[1]; to = [];
        return reply('250 OK');
      }
      if (verb === 'RCPT') {
        const m = line.match(/^RCPT TO:\s*<([^>]+)>/i);
        if (!m) return reply('501 syntax: RCPT TO:<address>');
        if (from === null) return reply('503 MAIL first');
        if (mode === 'tempfail') return reply('451 4.3.0 try again later');
        if (mode === 'permfail') return reply('550 5.1.1 no such user');
        to.push(m[1]);
        return reply('250 OK');
      }
      if (verb === 'DATA') {
        if (to.length === 0) return reply('503 RCPT first');
        inData = true; data = [];
        return reply('354 end with <CRLF>.<CRLF>');
      }
      if (verb === 'RSET') { from = null; to = []; return reply('250 OK'); }
      if (verb === 'NOOP') return reply('250 OK');
      if (verb === 'QUIT') { reply('221 bye'); return sock.end(); }
      return reply('502 command not implemented');
    };

    sock.on('data', (chunk) => {
      buf += chunk;
      let i;
      while ((i = buf.indexOf('\r\n')) !== -1) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            const text = Buffer.from(data.join('\r\n') + '\r\n', 'latin1').toString('utf8');
            messages.push({ from, to, data: text, received_at: Date.now() });
            from = null; to = [];
            reply('250 OK: queued');
          } else {
            data.push(line.startsWith('.') ? line.slice(1) : line);
          }
        } else {
          command(line);
        }
      }
    });
    sock.on('error', () => {});
  });

  const send = (res, status, body) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const control = createHttpServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let body = {};
      try { body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'); } catch { body = {}; }
      const path = new URL(req.url, 'http://smtp.test').pathname;
      if (path === '/__test/messages' && req.method === 'GET') return send(res, 200, messages);
      if (path === '/__test/messages' && req.method === 'DELETE') { messages = []; return send(res, 200, { ok: true }); }
      if (path === '/__test/mode' && req.method === 'POST') { mode = body.mode ?? 'up'; return send(res, 200, { mode }); }
      return send(res, 404, { error: 'unknown control' });
    });
  });

  return new Promise((resolve) => {
    smtpServer.listen(port, '127.0.0.1', () => {
      control.listen(controlPort, '127.0.0.1', () => {
        resolve({
          port: smtpServer.address().port,
          controlUrl: `http://127.0.0.1:${control.address().port}`,
          close: () => Promise.all([
            new Promise((d) => smtpServer.close(d)), new Promise((d) => control.close(d)),
          ]),
        });
      });
    });
  });
}

// A part of a message (or the message): its headers (names lower-cased,
// RFC 2047 words decoded) and its body, decoded from base64 when it was
// sent so.
function parsePart(text) {
  const at = text.indexOf('\r\n\r\n');
  const head = text.slice(0, at).replace(/\r\n[ \t]+/g, ' ');
  let body = text.slice(at + 4);
  const headers = {};
  for (const line of head.split('\r\n')) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim()
      .replace(/=\?UTF-8\?B\?([^?]*)\?=\s*/gi, (_, b) => Buffer.from(b, 'base64').toString('utf8'));
  }
  if ((headers['content-transfer-encoding'] ?? '').toLowerCase() === 'base64') {
    body = Buffer.from(body.replace(/\r\n/g, ''), 'base64').toString('utf8');
  }
  return { headers, body: body.replace(/\r\n/g, '\n') };
}

// A message as the tests read it: its headers, its text body, and (a
// multipart/mixed message) its attachments {filename, type, content}.
export function parseMessage(m) {
  const { headers, body } = parsePart(m.data);
  const boundary = (headers['content-type'] ?? '').match(/^multipart\/mixed;\s*boundary="([^"]+)"/);
  if (!boundary) return { ...m, headers, subject: headers.subject, body, attachments: [] };
  const raw = m.data.slice(m.data.indexOf('\r\n\r\n') + 4);
  const parts = raw.split(`--${boundary[1]}`).slice(1, -1).map((p) => parsePart(p.replace(/^\r\n/, '')));
  const text = parts.find((p) => (p.headers['content-type'] ?? '').startsWith('text/plain'));
  const attachments = parts.filter((p) => /^attachment/.test(p.headers['content-disposition'] ?? ''))
    .map((p) => ({ filename: p.headers['content-disposition'].match(/filename="([^"]+)"/)[1],
      type: p.headers['content-type'].split(';')[0], content: p.body }));
  return { ...m, headers, subject: headers.subject, body: text?.body ?? '', attachments };
}

const base = () => process.env.SMTP_CONTROL_URL ?? 'http://127.0.0.1:9425';
async function call(method, path, body) {
  const res = await fetch(`${base()}${path}`, {
    method, headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return res.json();
}

export const smtp = {
  messages: async () => (await call('GET', '/__test/messages')).map(parseMessage),
  clear: () => call('DELETE', '/__test/messages'),
  mode: (mode) => call('POST', '/__test/mode', { mode }),
  // The messages to an address, waiting up to ms for at least one.
  async waitFor(to, ms = 15000) {
    const got = await poll(async () => {
      const list = (await smtp.messages()).filter((m) => m.to.includes(to));
      return list.length > 0 && list;
    }, ms);
    if (!got) throw new Error(`no e-mail to ${to} within ${ms} ms`);
    return got;
  },
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const s = await startSmtp({
    port: Number(process.env.SMTP_PORT ?? 2525),
    controlPort: Number(process.env.SMTP_CONTROL_PORT ?? 9425),
  });
  console.log(`smtp listening on ${s.port}, control on ${s.controlUrl}`);
}
