-- tests/sql/fk_check.sql - every foreign key holds for every row. Used after
-- sql/seed_scale.sh, which bulk-loads with foreign-key checks off. Prints one
-- test line.
SELECT CASE WHEN count(*) FILTER (WHERE orphans > 0) = 0
            THEN format('ok - every foreign key holds after the bulk load (%s keys checked)', count(*))
            ELSE format('not ok - foreign keys broken: %s',
                        string_agg(format('%s on %s (%s orphan rows)', conname, child, orphans), ', ')
                            FILTER (WHERE orphans > 0)) END
  FROM (SELECT c.conname, c.conrelid::regclass AS child, tests.fk_orphans(c.oid) AS orphans
          FROM pg_constraint c
         WHERE c.contype = 'f'
           AND c.connamespace = current_schema()::regnamespace) x;
