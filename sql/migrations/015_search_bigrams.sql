-- 015_search_bigrams: full names with a short word ("Li Nguyen").
--
-- A search word of two characters has no trigram, so pg_trgm cannot help
-- with it: "Li Nguyen" read each of the customers whose text contains
-- "nguyen" (6,523 of 1,000,000 in the benchmark's data) to look for "li".
-- search_bigrams holds a code for each pair of adjacent characters of the
-- searched text (two ASCII characters: their codes; otherwise a hash), and
-- shares one GIN index with the trigrams: the two-character word and the
-- longer ones are intersected inside the index, and the rows it finds are
-- checked as typed (app/list_query.c).  Codes rather than text keep the
-- column small (about 35 two-byte codes a customer).
--
-- For the tables searched by people's names: customers and billing
-- account contacts.  The column repeats each table's search_text
-- expression (010): a generated column cannot read another one.  Like
-- search_text, it is bookkeeping: history leaves it out by its name (012).

CREATE FUNCTION search_bigram_codes(s text) RETURNS int2[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
    codes   int2[] := '{}';
    a       int;
    b       int;
    c       int2;
BEGIN
    FOR i IN 1 .. length(s) - 1 LOOP
        a := ascii(substr(s, i, 1));
        b := ascii(substr(s, i + 1, 1));
        -- Search words never hold a space: pairs across words are noise.
        CONTINUE WHEN a = 32 OR b = 32;
        IF a < 128 AND b < 128 THEN
            c := a * 128 + b;
        ELSE
            c := 16384 + (hashtext(substr(s, i, 2)) & 16383);
        END IF;
        IF NOT c = ANY (codes) THEN
            codes := codes || c;
        END IF;
    END LOOP;
    RETURN codes;
END;
$$;

ALTER TABLE customers
    ADD COLUMN search_bigrams int2[] GENERATED ALWAYS AS (search_bigram_codes(lower(coalesce(first_name::text, '') || ' ' || coalesce(last_name::text, '') || ' ' || coalesce(email::text, '') || ' ' || coalesce(company::text, '')))) STORED;
DROP INDEX customers_search_text_trgm;
CREATE INDEX customers_search_text_trgm ON customers
    USING gin (search_text gin_trgm_ops, search_bigrams);

ALTER TABLE billing_account_contacts
    ADD COLUMN search_bigrams int2[] GENERATED ALWAYS AS (search_bigram_codes(lower(coalesce(first_name::text, '') || ' ' || coalesce(last_name::text, '') || ' ' || coalesce(work_email::text, '') || ' ' || coalesce(zuora_contact_id::text, '')))) STORED;
DROP INDEX billing_account_contacts_search_text_trgm;
CREATE INDEX billing_account_contacts_search_text_trgm ON billing_account_contacts
    USING gin (search_text gin_trgm_ops, search_bigrams);
