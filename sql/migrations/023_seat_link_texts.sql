-- 023_seat_link_texts: the seat links' search column, each value once.
--
-- A self-managed instance reports once a day, always with the same
-- subscription, company and hostname: the 20,000,000 seat links of the
-- bench hold 160,000 distinct search texts, each repeated on about 125
-- rows spread over as many pages.  Searching the rows themselves read
-- every row holding the search's rarest word to check the rest of it
-- (9,700 rows for one hostname of 750; a part of a hostname read 40,000).
-- Searched among the distinct values instead, a search narrows down to
-- the texts that match before it touches a seat link, then reads exactly
-- the rows holding them by a btree, which stores a repeated value once.
--
-- The list engine searches resources that name a table of their search
-- column's values this way (search_values in app/admin/resource.h); the
-- values table has the search column's indexes, and the seat links lose
-- theirs.  Values are added by the triggers below, in the transaction
-- that writes the seat link, and never removed: a value no seat link
-- holds any more only costs a lookup that finds no rows.

CREATE TABLE license_seat_link_texts (
    search_text text PRIMARY KEY
);

CREATE INDEX license_seat_link_texts_trgm
    ON license_seat_link_texts USING gin (search_text gin_trgm_ops);
CREATE INDEX license_seat_link_texts_search_words
    ON license_seat_link_texts USING gin (search_words(search_text));

-- search_text is generated, so it is known only after the row is written;
-- a statement trigger with the new rows adds a bulk load's values in one
-- statement.  ON CONFLICT waits for a concurrent writer of the same value.
CREATE FUNCTION license_seat_link_texts_add() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO license_seat_link_texts (search_text)
    SELECT DISTINCT search_text FROM new_rows
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

CREATE TRIGGER license_seat_links_texts_insert
    AFTER INSERT ON license_seat_links
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION license_seat_link_texts_add();
CREATE TRIGGER license_seat_links_texts_update
    AFTER UPDATE ON license_seat_links
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION license_seat_link_texts_add();

INSERT INTO license_seat_link_texts (search_text)
SELECT DISTINCT search_text FROM license_seat_links;

CREATE INDEX license_seat_links_search_text
    ON license_seat_links (search_text);

DROP INDEX license_seat_links_search_text_trgm;
DROP INDEX license_seat_links_search_words;
