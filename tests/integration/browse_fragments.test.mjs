// A search word goes to the index by its rarest fragment (a trigram, or
// the whole word of the row that holds it): the rows found must be
// exactly those a plain ILIKE finds, whatever the word's common parts
// ("gitlab", "com") and wherever its rare part sits in the host name.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { signIn } from '../lib/signin.mjs';
import { sql, one, q } from '../lib/db.mjs';
import { tag } from './edit_helpers.mjs';

let ro;
const T = `zq${tag()}`; // a word no other row holds
const HOSTS = [
  `gitlab.${T}.com`, `gitlab.${T}.io`, `xgitlab.${T}.com`,
  `gitlab-prod.${T}.com`, `git.${T}.com`, `gitlab.${T}x.com`,
  `scm.gitlab.${T}.com.au`, `${T}.gitlab.com`,
];

before(async () => {
  ro = await signIn('readonly@example.com');
  const sub = one("SELECT id FROM zuora_subscriptions WHERE name = 'A-S00041532'");
  for (const h of HOSTS) {
    sql(`INSERT INTO license_seat_links (zuora_subscription_id, subscription_name,
           hostname, company, license_user_count, billable_user_count,
           max_historical_user_count, gitlab_version, synced_at)
         VALUES (${sub}, 'A-S00041532', ${q(h)}, 'Fragment Tests', 10, 10, 10,
           '17.5.1', now())`);
  }
});

after(() => {
  sql(`DELETE FROM license_seat_links WHERE hostname LIKE ${q(`%${T}%`)}`);
});

// Every page of the list's matches, as sorted ids.
async function found(query) {
  const ids = [];
  for (let page = 1; ; page++) {
    const { res, body } = await ro.json('/admin/license_seat_links?query=' +
      encodeURIComponent(query) + `&page=${page}`);
    assert.equal(res.status, 200, `${query}: ${res.text_.slice(0, 200)}`);
    ids.push(...body.rows.map((r) => Number(r.id)));
    if (!body.pages.next_href) break;
  }
  return ids.sort((a, b) => a - b);
}

// What a plain ILIKE on the searched fields finds (the words have no
// LIKE metacharacters).
function ilike(word) {
  return sql(`SELECT id FROM license_seat_links
    WHERE coalesce(subscription_name, '') || ' ' || coalesce(company, '') ||
          ' ' || hostname ILIKE ${q(`%${word}%`)} ORDER BY id`)
    .map((r) => Number(r[0]));
}

test('a host name searched by common and rare fragments finds what ILIKE finds', async () => {
  const words = [
    `gitlab.${T}.com`, `GITLAB.${T.toUpperCase()}.Com`, `gitlab.${T}`,
    `lab.${T}.c`, `lab-prod.${T}.com`, `.${T}.`, `${T}.com`, `${T}.gitlab`,
    `gitlab.${T}x`, `it.${T}.co`, `scm.gitlab.${T}.com.au`, `${T}.io`,
    `gitlab.${T}.org`, `gitlab.com`, 'gitlab', `${T}`,
  ];
  for (const w of words) {
    const expected = ilike(w);
    assert.deepEqual(await found(w), expected, w);
  }
  assert.equal((await found(`gitlab.${T}.com`)).length, 3);
  assert.equal((await found(`gitlab.${T}`)).length, 5);
});

test('two words, one of them a host name part, each checked whole', async () => {
  const both = await found(`${T}.com gitlab-prod`);
  assert.deepEqual(both, ilike(`gitlab-prod.${T}.com`));
  assert.equal(both.length, 1);
});

// Seat links are searched among their distinct search texts first
// (migration 023): a row written or changed by any statement is found at
// once by its new text, never by its old one.
test('a seat link written or changed is found by its new text at once', async () => {
  const renamed = `Renamed ${T} Holdings`;
  sql(`UPDATE license_seat_links SET company = ${q(renamed)}
       WHERE hostname = ${q(`gitlab.${T}.io`)}`);
  const id = one(`SELECT id FROM license_seat_links WHERE hostname = ${q(`gitlab.${T}.io`)}`);
  assert.deepEqual(await found(`${T} holdings`), [Number(id)]);
  assert.deepEqual(await found(`fragment tests gitlab.${T}.io`), []);
  assert.deepEqual(await found(`${T} holdings`), ilike(`Renamed ${T} Holdings`));

  // Several rows in one statement, some with a text already known.
  const sub = one("SELECT id FROM zuora_subscriptions WHERE name = 'A-S00041532'");
  sql(`INSERT INTO license_seat_links (zuora_subscription_id, subscription_name,
         hostname, company, license_user_count, billable_user_count,
         max_historical_user_count, gitlab_version, synced_at)
       SELECT ${sub}, 'A-S00041532', h, 'Fragment Tests', 10, 10, 10, '17.5.1',
              now() - make_interval(days => d)
         FROM unnest(ARRAY[${q(`new.${T}.dev`)}, ${q(`gitlab.${T}.com`)}]) AS h,
              generate_series(1, 3) AS d`);
  assert.deepEqual(await found(`new.${T}.dev`), ilike(`new.${T}.dev`));
  assert.equal((await found(`new.${T}.dev`)).length, 3);
  assert.equal((await found(`gitlab.${T}.com`)).length, 6);
  assert.equal(one(`SELECT count(*) FROM license_seat_link_texts
    WHERE search_text LIKE ${q(`%new.${T}.dev`)}`), '1');
});

// Up to 1,000 matching texts are given to the list's statements as an
// array (PostgreSQL then knows how many rows hold them); more are common,
// searched by a subquery over the texts.  Both find what ILIKE finds.
test('more matching texts than the list takes as an array: the same rows', async () => {
  const many = `zm${tag()}`;
  const sub = one("SELECT id FROM zuora_subscriptions WHERE name = 'A-S00041532'");
  sql(`INSERT INTO license_seat_links (zuora_subscription_id, subscription_name,
         hostname, company, license_user_count, billable_user_count,
         max_historical_user_count, gitlab_version, synced_at)
       SELECT ${sub}, 'A-S00041532', 'host' || i || '.${many}.example', 'Many Hosts',
              10, 10, 10, '17.5.1', now() - make_interval(mins => i)
         FROM generate_series(1, 1005) AS i`);
  try {
    for (const w of [many, `host7.${many}`, `${many}.example host100`]) {
      const expected = sql(`SELECT id FROM license_seat_links
        WHERE ${w.split(' ').map((x) => `search_text LIKE ${q(`%${x.toLowerCase()}%`)}`).join(' AND ')}
        ORDER BY id`).map((r) => Number(r[0]));
      assert.deepEqual(await found(w), expected, w);
    }
    assert.equal((await found(many)).length, 1005);
    // The first page, newest first, either way.
    const { body } = await ro.json(`/admin/license_seat_links?query=${many}`);
    assert.match(body.rows[0].title, new RegExp(`^host1\\.${many}\\.example at `));
  } finally {
    sql(`DELETE FROM license_seat_links WHERE hostname LIKE ${q(`%.${many}.example`)}`);
  }
});
