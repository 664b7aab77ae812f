-- 014_search_words: the words of each search column, for searches typed
-- with punctuation.
--
-- A host name or an e-mail address searched whole ("code.example.io",
-- "dana.whitfield@example.com") holds runs of letters and digits with
-- punctuation on both sides ("example", "whitfield"): whatever contains
-- the search must contain those runs as whole words.  pg_trgm has to
-- intersect the trigrams of every run, among them the most frequent of
-- all ("cod", "ode", "com"); an index of whole words finds the rows
-- holding "example" in one lookup, and the search is then checked as
-- typed on those rows (see search_text_match() in app/list_query.c).
--
-- Words are split at ASCII characters other than letters and digits, as
-- the list engine splits the search; the column is lower-cased already.

CREATE FUNCTION search_words(text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN regexp_split_to_array($1, '[^a-z0-9\u0080-\U0010FFFF]+');

CREATE INDEX customers_search_words ON customers USING gin (search_words(search_text));
CREATE INDEX billing_accounts_search_words ON billing_accounts USING gin (search_words(search_text));
CREATE INDEX billing_account_contacts_search_words ON billing_account_contacts USING gin (search_words(search_text));
CREATE INDEX licenses_search_words ON licenses USING gin (search_words(search_text));
CREATE INDEX license_seat_links_search_words ON license_seat_links USING gin (search_words(search_text));
CREATE INDEX reconciliations_search_words ON reconciliations USING gin (search_words(search_text));
CREATE INDEX namespaces_search_words ON namespaces USING gin (search_words(search_text));
