// Waiting in the tests: for a while, or until something is so (a row
// written by the outbox worker, a port freed, a log line, a server up).
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Calls fn every `every` ms until it returns something truthy, for ms at
// most: -> that value, or undefined when the time ran out (the caller
// says what it waited for, with what it saw last).
export async function poll(fn, ms = 15000, every = 100) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) return undefined;
    await sleep(every);
  }
}

// The same, failing with "timed out waiting for <what>".
export async function waitFor(what, fn, ms = 15000, every = 100) {
  const v = await poll(fn, ms, every);
  if (!v) throw new Error(`timed out waiting for ${what}`);
  return v;
}
