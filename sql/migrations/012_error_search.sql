-- 012_error_search: the reconciliations list filtered by error message.
--
-- Support's daily question is "which QSR runs failed with this error":
-- error message contains 'MaxAdditionalSeatsExceededError', newest first.
-- Only failed and some skipped runs carry an error (about one in eight),
-- and ILIKE folds the case of every character of every candidate, which
-- on long messages costs several times the rest of the query.  So:
--
-- - error_search: the message lower-cased once, when it is written; the
--   list engine matches "contains", "is", ... against it with a plain,
--   byte-wise LIKE or = of the lower-cased value;
-- - an index of the runs with an error, in list order, carrying that
--   column: the newest matches come out of the index alone, without
--   visiting the table or the runs without an error.
--
-- Like search_text, the column is bookkeeping, not data: history ignores
-- it.  audit_row() now leaves out every column named search_* or *_search
-- (search_text, error_search and any such column to come), so that a new
-- one does not need a new copy of the function.

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
        diff := to_jsonb(NEW) - hidden;
    ELSIF TG_OP = 'DELETE' THEN
        ev := 'delete';
        item := OLD.id;
        diff := to_jsonb(OLD) - hidden;
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
           AND n.key NOT IN ('updated_at', 'lock_version')
           AND n.key NOT LIKE 'search\_%' AND n.key NOT LIKE '%\_search';
        -- Nothing but bookkeeping changed: no history row.
        IF diff IS NULL THEN
            RETURN NULL;
        END IF;
    END IF;

    IF TG_OP <> 'UPDATE' THEN
        -- Search bookkeeping, derived from the row: never history.
        diff := diff - ARRAY(SELECT k FROM jsonb_object_keys(diff) AS k
                              WHERE k LIKE 'search\_%' OR k LIKE '%\_search');
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

ALTER TABLE reconciliations
    ADD COLUMN error_search text GENERATED ALWAYS AS (lower(error_message)) STORED;

DROP INDEX reconciliations_error_message_trgm;
CREATE INDEX reconciliations_error_search_trgm ON reconciliations
    USING gin (error_search gin_trgm_ops) WHERE error_search IS NOT NULL;
CREATE INDEX reconciliations_errors_by_date ON reconciliations
    (reconcile_on, id) INCLUDE (error_search) WHERE error_search IS NOT NULL;
