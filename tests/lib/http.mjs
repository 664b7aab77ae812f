// A small HTTP client for the tests: fetch with a cookie jar and without
// automatic redirects, so each step of a flow can be checked.
export const APP_URL = process.env.APP_URL ?? 'http://127.0.0.1:8080';

export class Client {
  constructor(base = APP_URL) {
    this.base = base;
    this.cookies = new Map(); // "origin cookie-name" -> value
  }

  cookieHeader(url) {
    const origin = new URL(url).origin;
    const pairs = [];
    for (const [key, value] of this.cookies) {
      const [o, name] = key.split(' ');
      if (o === origin) pairs.push(`${name}=${value}`);
    }
    return pairs.join('; ');
  }

  store(url, res) {
    const origin = new URL(url).origin;
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const maxAge = attrs.map((a) => a.trim().toLowerCase())
        .find((a) => a.startsWith('max-age='));
      const expired = /expires=thu, 01 jan 1970/i.test(line) ||
        (maxAge && Number(maxAge.slice(8)) <= 0);
      if (expired || value === '') this.cookies.delete(`${origin} ${name}`);
      else this.cookies.set(`${origin} ${name}`, value);
    }
  }

  async request(path, { method = 'GET', headers = {}, form, body } = {}) {
    const url = new URL(path, this.base).toString();
    const h = { ...headers };
    const cookie = this.cookieHeader(url);
    if (cookie) h.cookie = cookie;
    if (form) {
      h['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(form).toString();
    }
    const res = await fetch(url, { method, headers: h, body, redirect: 'manual' });
    this.store(url, res);
    res.text_ = await res.text();
    return res;
  }

  get(path, opts = {}) { return this.request(path, opts); }
  post(path, form, opts = {}) { return this.request(path, { ...opts, method: 'POST', form }); }

  async json(path) {
    const res = await this.get(path, { headers: { accept: 'application/json' } });
    return { res, body: JSON.parse(res.text_) };
  }
}
