-- 001_foundation: extensions, shared domains, the history table and the
-- trigger functions every other migration relies on.
--
-- Migration files are run by sql/migrate.sh inside ONE transaction each
-- (together with their schema_migrations row): they must not contain
-- BEGIN/COMMIT or statements that cannot run in a transaction
-- (CREATE INDEX CONCURRENTLY, VACUUM, ...).

-- Trigram indexes for case-insensitive substring search (ILIKE '%x%').
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- An e-mail address as the panel accepts it: something@domain.tld, no
-- blanks, at most 254 characters (RFC 5321 path limit). Deliberately loose:
-- the app validates more strictly; the database refuses what is certainly
-- not an address.
CREATE DOMAIN email_address AS text
    CONSTRAINT email_address_check
    CHECK (VALUE ~ '^[^@[:space:]]+@[^@[:space:].]+(\.[^@[:space:].]+)+$'
       AND length(VALUE) <= 254);

-- ---------------------------------------------------------------------------
-- History: one row per create / update / delete of an audited row, written
-- by the audit_row() trigger in the same transaction as the change, so a
-- change and its history commit together or not at all.
--
--   item_type  table name ('customers', 'billing_accounts', ...)
--   item_id    the row's id
--   event      'create' | 'update' | 'delete'
--   changes    create/delete: the whole row as JSON (sensitive columns left
--              out); update: {"column": [old, new], ...} for the columns that
--              changed, updated_at and lock_version never listed.
--   actor      who: 'admin:<email>' for the panel, 'system' when the
--              transaction did not say (see audit_row), or an API identity.
--   ticket_url the Zendesk/issue link given with the change, if any.
--   transaction_id groups the rows written by one transaction.
-- ---------------------------------------------------------------------------
CREATE TABLE versions (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    item_type       text        NOT NULL,
    item_id         bigint      NOT NULL,
    event           text        NOT NULL
        CONSTRAINT versions_event_check CHECK (event IN ('create', 'update', 'delete')),
    changes         jsonb       NOT NULL
        CONSTRAINT versions_changes_check CHECK (jsonb_typeof(changes) = 'object'),
    actor           text        NOT NULL
        CONSTRAINT versions_actor_check CHECK (actor <> '' AND length(actor) <= 320),
    ticket_url      text
        CONSTRAINT versions_ticket_url_check
        CHECK (ticket_url ~ '^https?://[^[:space:]]+$' AND length(ticket_url) <= 2048),
    transaction_id  bigint      NOT NULL DEFAULT txid_current(),
    created_at      timestamptz NOT NULL DEFAULT now()
);

-- History of one record, newest first; history of a whole resource.
CREATE INDEX versions_item_idx ON versions (item_type, item_id, id DESC);
CREATE INDEX versions_item_type_idx ON versions (item_type, id DESC);

COMMENT ON TABLE versions IS
    'Append-only change history written by audit_row() triggers; never written by the app directly.';

-- History is append-only: no code path may rewrite or erase it.
CREATE FUNCTION versions_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'versions is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER versions_no_update_delete
    BEFORE UPDATE OR DELETE ON versions
    FOR EACH ROW EXECUTE FUNCTION versions_append_only();
CREATE TRIGGER versions_no_truncate
    BEFORE TRUNCATE ON versions
    FOR EACH STATEMENT EXECUTE FUNCTION versions_append_only();

-- ---------------------------------------------------------------------------
-- audit_row(): AFTER INSERT OR UPDATE OR DELETE ... FOR EACH ROW.
--
-- The app identifies the actor inside its transaction with
--     SELECT set_config('cdot.actor', $1, true), set_config('cdot.ticket', $2, true);
-- (is_local = true: the settings vanish at COMMIT/ROLLBACK, so they can never
-- leak to the next transaction on a pooled connection). Not set, or set to
-- '' -> actor 'system', no ticket.
--
-- Trigger arguments name sensitive columns (e.g. token hashes): they are
-- never copied into versions; an update to one is recorded as
-- ["[FILTERED]", "[FILTERED]"] so the history still shows it changed.
--
-- SECURITY DEFINER so the application role needs no INSERT privilege on
-- versions (grant it SELECT only): history cannot be forged from the app.
-- Its search_path is pinned below to this schema with pg_temp last, so a
-- session cannot divert history into a temporary table named "versions".
-- ---------------------------------------------------------------------------
CREATE FUNCTION audit_row() RETURNS trigger
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
           AND n.key NOT IN ('updated_at', 'lock_version');
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

DO $pin$
BEGIN
    EXECUTE format('ALTER FUNCTION audit_row() SET search_path = %I, pg_temp', current_schema());
END
$pin$;

-- ---------------------------------------------------------------------------
-- Bookkeeping on UPDATE.
--
-- bump_lock_version(): tables staff can edit. Every UPDATE gets
-- lock_version = old + 1 and updated_at = now(), whatever the statement set,
-- so optimistic locking works as
--     UPDATE t SET ... WHERE id = $1 AND lock_version = $2 RETURNING lock_version;
-- (no row back = someone else saved first: show the conflict page).
--
-- set_updated_at(): the other tables that carry updated_at.
--
-- Both keep id and created_at immutable.
-- ---------------------------------------------------------------------------
CREATE FUNCTION bump_lock_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id IS DISTINCT FROM OLD.id THEN
        RAISE EXCEPTION '%.id cannot be changed', TG_TABLE_NAME
            USING ERRCODE = 'check_violation';
    END IF;
    NEW.created_at := OLD.created_at;
    NEW.updated_at := now();
    NEW.lock_version := OLD.lock_version + 1;
    RETURN NEW;
END;
$$;

CREATE FUNCTION set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id IS DISTINCT FROM OLD.id THEN
        RAISE EXCEPTION '%.id cannot be changed', TG_TABLE_NAME
            USING ERRCODE = 'check_violation';
    END IF;
    NEW.created_at := OLD.created_at;
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;
