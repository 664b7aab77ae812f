-- tests/sql/helpers.sql - assertion helpers for the SQL tests (loaded by
-- tests/sql/run.sh into the throwaway test database, schema "tests").
--
-- Every helper returns one line of text: 'ok - <name>' or
-- 'not ok - <name> # <why>'. Test files SELECT them; run.sh counts the lines.

CREATE SCHEMA tests;

CREATE FUNCTION tests.ok(cond boolean, name text) RETURNS text
LANGUAGE sql AS $$
    SELECT CASE WHEN cond THEN 'ok - ' || name
                ELSE 'not ok - ' || name || ' # condition is ' || coalesce(cond::text, 'NULL') END
$$;

CREATE FUNCTION tests.is(got anyelement, want anyelement, name text) RETURNS text
LANGUAGE sql AS $$
    SELECT CASE WHEN got IS NOT DISTINCT FROM want THEN 'ok - ' || name
                ELSE format('not ok - %s # got %s, want %s', name,
                            coalesce(got::text, 'NULL'), coalesce(want::text, 'NULL')) END
$$;

-- throws(sql, sqlstate, constraint, name): runs sql (one or more statements)
-- in a subtransaction, with deferred constraints checked at once, and
-- passes when it fails with that SQLSTATE (and, if given, that constraint
-- name). Whatever happens, nothing it did is kept: the subtransaction is
-- always rolled back. The ok line shows the database's own error message.
CREATE FUNCTION tests.throws(stmt text, want_state text, want_constraint text, name text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    got_state      text;
    got_constraint text;
    got_message    text;
    versions_before bigint;
    versions_after  bigint;
BEGIN
    SELECT count(*) INTO versions_before FROM versions;
    BEGIN
        EXECUTE stmt;
        SET CONSTRAINTS ALL IMMEDIATE;
        -- Not refused: undo it anyway.
        RAISE EXCEPTION 'statement succeeded' USING ERRCODE = 'ZT000';
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS got_state = RETURNED_SQLSTATE,
                                got_constraint = CONSTRAINT_NAME,
                                got_message = MESSAGE_TEXT;
    END;
    SELECT count(*) INTO versions_after FROM versions;

    IF got_state = 'ZT000' THEN
        RETURN format('not ok - %s # no error raised', name);
    ELSIF got_state <> want_state
          OR (want_constraint IS NOT NULL AND got_constraint IS DISTINCT FROM want_constraint) THEN
        RETURN format('not ok - %s # got %s %s: %s; want %s %s', name, got_state,
                      coalesce(nullif(got_constraint, ''), '-'), got_message,
                      want_state, coalesce(want_constraint, '-'));
    ELSIF versions_after <> versions_before THEN
        RETURN format('not ok - %s # history rows were written', name);
    END IF;
    RETURN format('ok - %s (%s: %s)', name, got_state, got_message);
END;
$$;

-- lives(sql, name): sql runs without error (and is rolled back).
CREATE FUNCTION tests.lives(stmt text, name text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    got_state   text;
    got_message text;
BEGIN
    BEGIN
        EXECUTE stmt;
        SET CONSTRAINTS ALL IMMEDIATE;
        RAISE EXCEPTION 'statement succeeded' USING ERRCODE = 'ZT000';
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS got_state = RETURNED_SQLSTATE, got_message = MESSAGE_TEXT;
    END;
    IF got_state = 'ZT000' THEN
        RETURN 'ok - ' || name;
    END IF;
    RETURN format('not ok - %s # %s: %s', name, got_state, got_message);
END;
$$;

-- Rows of the foreign key's table whose key (all columns non-NULL, MATCH
-- SIMPLE) has no row in the referenced table.
CREATE FUNCTION tests.fk_orphans(fk oid) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    c        pg_constraint;
    join_cond text;
    keys_set  text;
    n        bigint;
BEGIN
    SELECT * INTO c FROM pg_constraint WHERE oid = fk;
    SELECT string_agg(format('ch.%I = pa.%I', a.attname, b.attname), ' AND '),
           string_agg(format('ch.%I IS NOT NULL', a.attname), ' AND ')
      INTO join_cond, keys_set
      FROM unnest(c.conkey, c.confkey) AS k (ck, pk)
      JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.ck
      JOIN pg_attribute b ON b.attrelid = c.confrelid AND b.attnum = k.pk;
    EXECUTE format('SELECT count(*) FROM %s ch WHERE %s AND NOT EXISTS (SELECT 1 FROM %s pa WHERE %s)',
                   c.conrelid::regclass, keys_set, c.confrelid::regclass, join_cond)
       INTO n;
    RETURN n;
END;
$$;
