// The control API of a local stand-in (/__test/...), as its tests call it:
// JSON in, JSON out, at the URL in the environment variable named.
export function controlCall(envName, fallback) {
  return async function call(method, path, body) {
    const res = await fetch(`${process.env[envName] ?? fallback}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return res.json();
  };
}
