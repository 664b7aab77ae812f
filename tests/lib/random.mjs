// Seeded random input for the tests that post odd values.  The same seed
// gives the same sequence on every machine (mulberry32), so a failure
// names its seed and RANDOM_SEED=<seed> repeats the same requests.
import assert from 'node:assert/strict';

export function randomSeed() {
  return Number(process.env.RANDOM_SEED ?? (Date.now() % 2147483647));
}

export function generator(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n) => Math.floor(next() * n);
  return { next, int, pick: (xs) => xs[int(xs.length)] };
}

// The rounds of a random test: round(g, i, why) is called `rounds` times
// with one seeded generator g, why(what) making a failure's message
// "RANDOM_SEED=<seed>, <what>" (that repeats the same requests); the
// answers counted in `seen` are the test's diagnostic, and must satisfy
// enough(seen).
export async function randomRounds(t, { rounds, seen, enough }, round) {
  const seed = randomSeed();
  const g = generator(seed);
  for (let i = 0; i < rounds; i++) {
    await round(g, i, (what) => `RANDOM_SEED=${seed}, ${what}`);
  }
  t.diagnostic(`seed ${seed}: ${JSON.stringify(seen)}`);
  assert.ok(enough(seen), `seed ${seed}: ${JSON.stringify(seen)}`);
}
