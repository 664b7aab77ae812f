-- 010_search_text: one lower-cased search column per searchable table.
--
-- The search box matches every word of a query against each searchable
-- field on its own.  Testing four columns with ILIKE per word costs four
-- case-folding comparisons per candidate row and four trigram indexes;
-- a single lower-cased column of those fields, separated by spaces, gives
-- the same answer for words (which never contain white space, so a word
-- cannot match across two fields) with one trigram index and a plain,
-- byte-wise LIKE: several words are intersected inside that one index.
--
-- The column is bookkeeping, not data: history ignores it.

CREATE OR REPLACE FUNCTION audit_row() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
AS $$
DECLARE
    hidden  text[] := coalesce(TG_ARGV, '{}');  -- NULL when no arguments
    actor   text := coalesce(nullif(current_setting('cdot.actor', true), ''), 'system');
    ticket  text := nullif(current_setting('cdot.ticket', true), '');
    ev      text;
    item    bigint;
    diff    jsonb;
BEGIN
    IF TG_OP = 'INSERT' THEN
        ev := 'create';
        item := NEW.id;
        diff := to_jsonb(NEW) - hidden - 'search_text';
    ELSIF TG_OP = 'DELETE' THEN
        ev := 'delete';
        item := OLD.id;
        diff := to_jsonb(OLD) - hidden - 'search_text';
    ELSE
        ev := 'update';
        item := NEW.id;
        SELECT jsonb_object_agg(n.key,
                   CASE WHEN n.key = ANY (hidden)
                        THEN '["[FILTERED]", "[FILTERED]"]'::jsonb
                        ELSE jsonb_build_array(o.value, n.value) END)
          INTO diff
          FROM jsonb_each(to_jsonb(NEW)) AS n
          JOIN jsonb_each(to_jsonb(OLD)) AS o USING (key)
         WHERE n.value IS DISTINCT FROM o.value
           AND n.key NOT IN ('updated_at', 'lock_version', 'search_text');
        -- Nothing but bookkeeping changed: no history row.
        IF diff IS NULL THEN
            RETURN NULL;
        END IF;
    END IF;

    INSERT INTO versions (item_type, item_id, event, changes, actor, ticket_url)
    VALUES (TG_TABLE_NAME, item, ev, diff, actor, ticket);
    RETURN NULL;
END;
$$;

-- CREATE OR REPLACE resets the function's settings: pin search_path again.
DO $pin$
BEGIN
    EXECUTE format('ALTER FUNCTION audit_row() SET search_path = %I, pg_temp', current_schema());
END
$pin$;


ALTER TABLE customers
    ADD COLUMN search_text text GENERATED ALWAYS AS (lower(coalesce(first_name::text, '') || ' ' || coalesce(last_name::text, '') || ' ' || coalesce(email::text, '') || ' ' || coalesce(company::text, ''))) STORED;
CREATE INDEX customers_search_text_trgm ON customers USING gin (search_text gin_trgm_ops);

ALTER TABLE billing_accounts
    ADD COLUMN search_text text GENERATED ALWAYS AS (lower(coalesce(zuora_account_name::text, '') || ' ' || coalesce(zuora_account_id::text, '') || ' ' || coalesce(salesforce_account_id::text, '') || ' ' || coalesce(company::text, ''))) STORED;
CREATE INDEX billing_accounts_search_text_trgm ON billing_accounts USING gin (search_text gin_trgm_ops);

ALTER TABLE billing_account_contacts
    ADD COLUMN search_text text GENERATED ALWAYS AS (lower(coalesce(first_name::text, '') || ' ' || coalesce(last_name::text, '') || ' ' || coalesce(work_email::text, '') || ' ' || coalesce(zuora_contact_id::text, ''))) STORED;
CREATE INDEX billing_account_contacts_search_text_trgm ON billing_account_contacts USING gin (search_text gin_trgm_ops);

ALTER TABLE licenses
    ADD COLUMN search_text text GENERATED ALWAYS AS (lower(coalesce(name::text, '') || ' ' || coalesce(company::text, '') || ' ' || coalesce(email::text, ''))) STORED;
CREATE INDEX licenses_search_text_trgm ON licenses USING gin (search_text gin_trgm_ops);

ALTER TABLE license_seat_links
    ADD COLUMN search_text text GENERATED ALWAYS AS (lower(coalesce(subscription_name::text, '') || ' ' || coalesce(company::text, '') || ' ' || coalesce(hostname::text, ''))) STORED;
CREATE INDEX license_seat_links_search_text_trgm ON license_seat_links USING gin (search_text gin_trgm_ops);

ALTER TABLE reconciliations
    ADD COLUMN search_text text GENERATED ALWAYS AS (lower(coalesce(customer_name::text, '') || ' ' || coalesce(subscription_name::text, ''))) STORED;
CREATE INDEX reconciliations_search_text_trgm ON reconciliations USING gin (search_text gin_trgm_ops);

ALTER TABLE namespaces
    ADD COLUMN search_text text GENERATED ALWAYS AS (lower(coalesce(path::text, '') || ' ' || coalesce(name::text, ''))) STORED;
CREATE INDEX namespaces_search_text_trgm ON namespaces USING gin (search_text gin_trgm_ops);
