-- 017_gitlab_provisioning: what Support changes on a namespace reaches
-- GitLab.com, through the outbox, exactly once and in order.
--
-- GitLab.com keeps the namespace's plan, CI minutes, storage and seats;
-- CustomersDot provisions them through GitLab's subscriptions internal API
-- (PUT /api/v4/internal/gitlab_subscriptions/namespaces/:id, and its
-- /gitlab_subscription).  Triggers on namespaces and trials write the
-- request, with absolute values, in the transaction of the change, so no
-- code path can change a namespace without GitLab.com being told, and
-- sending a row twice does no harm.  A change that GitLab.com itself made
-- (Refresh from GitLab.com, actor 'gitlab.com') is not sent back.
--
-- Delivery order: a row is not claimed while an older row of the same
-- order_key (one namespace on GitLab.com, one Zuora contact) is pending,
-- nor while an older row of the same kind written by the same transaction
-- is (force re-associate: the previous namespace to Free, then the
-- target).  Claims carry a token: a worker records an outcome only for a
-- row it still holds.

ALTER TABLE outbox
    ADD COLUMN order_key     text,
    ADD COLUMN created_txid  xid8        NOT NULL DEFAULT pg_current_xact_id(),
    -- The claim of the worker delivering the row, NULL when none has.
    ADD COLUMN claim         uuid,
    -- The HTTP status of the last answer (GitLab's, Zuora's), if any.
    ADD COLUMN last_status   integer;

-- What holds a row back: an older pending row of its key or transaction.
CREATE INDEX outbox_order_idx ON outbox (order_key, id)
    WHERE status = 'pending' AND order_key IS NOT NULL;
CREATE INDEX outbox_txid_idx ON outbox (created_txid, id)
    WHERE status = 'pending';

-- A Zuora contact's changes go in order too.
UPDATE outbox SET order_key = record_type || ':' || record_id
 WHERE kind = 'zuora_contact_sync' AND record_id IS NOT NULL;

CREATE FUNCTION outbox_order_key() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.order_key IS NULL AND NEW.kind = 'zuora_contact_sync'
        AND NEW.record_id IS NOT NULL THEN
        NEW.order_key := NEW.record_type || ':' || NEW.record_id;
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER outbox_order_key BEFORE INSERT ON outbox
    FOR EACH ROW EXECUTE FUNCTION outbox_order_key();

-- The GitLab subscription of a namespace, as GitLab.com's API takes it
-- (gitlab_subscription_attributes): the plan, the paying subscription's
-- seats and dates (its end moved by a temporary extension), and the
-- running trial.  A namespace with neither is on Free.
CREATE FUNCTION gitlab_subscription_attributes(ns bigint)
RETURNS jsonb
LANGUAGE sql STABLE
RETURN (
    SELECT jsonb_build_object(
        'plan_code', n.plan,
        'seats', coalesce(s.seats, 0),
        'start_date', coalesce(s.term_start_date, t.starts_on, CURRENT_DATE),
        'end_date', CASE WHEN s.id IS NOT NULL
            THEN greatest(n.subscription_expires_on, s.term_end_date)
            ELSE t.ends_on END,
        'auto_renew', coalesce(s.auto_renew, false),
        'trial', t.id IS NOT NULL,
        'trial_starts_on', t.starts_on,
        'trial_ends_on', t.ends_on)
      FROM namespaces n
      LEFT JOIN zuora_subscriptions s ON s.id = n.zuora_subscription_id
      LEFT JOIN trials t ON t.namespace_id = n.id AND t.status = 'active'
     WHERE n.id = ns);

-- Queue a request to GitLab.com about a namespace.  A request to the same
-- path already queued by this transaction takes the new fields instead,
-- so one action makes one request per path.
CREATE FUNCTION gitlab_queue(ns bigint, gitlab_id bigint, suffix text,
    body jsonb)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    path text := '/api/v4/internal/gitlab_subscriptions/namespaces/'
        || gitlab_id || suffix;
    key  text := 'gitlab:' || gitlab_id;
BEGIN
    UPDATE outbox
       SET payload = jsonb_set(payload, '{body}', (payload -> 'body') || body)
     WHERE kind = 'gitlab_namespace_sync' AND status = 'pending'
       AND order_key = key AND created_txid = pg_current_xact_id()
       AND payload ->> 'path' = path;
    IF NOT FOUND THEN
        INSERT INTO outbox (kind, payload, record_type, record_id, order_key)
        VALUES ('gitlab_namespace_sync',
                jsonb_build_object('method', 'PUT', 'path', path,
                    'body', body),
                'namespaces', ns, key);
    END IF;
    PERFORM pg_notify('cdot_outbox', 'gitlab');
END;
$$;

-- What GitLab.com itself said is not sent back to it.
CREATE FUNCTION gitlab_sync_wanted() RETURNS boolean
LANGUAGE sql STABLE
RETURN coalesce(current_setting('cdot.actor', true), '') <> 'gitlab.com';

CREATE FUNCTION namespaces_gitlab_sync() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT gitlab_sync_wanted() THEN
        RETURN NULL;
    END IF;
    IF NEW.extra_ci_minutes IS DISTINCT FROM OLD.extra_ci_minutes THEN
        PERFORM gitlab_queue(NEW.id, NEW.gitlab_id, '', jsonb_build_object(
            'extra_shared_runners_minutes_limit', NEW.extra_ci_minutes));
    END IF;
    IF NEW.additional_storage_mib IS DISTINCT FROM OLD.additional_storage_mib
    THEN
        PERFORM gitlab_queue(NEW.id, NEW.gitlab_id, '', jsonb_build_object(
            'additional_purchased_storage_size', NEW.additional_storage_mib,
            'additional_purchased_storage_ends_on',
            gitlab_subscription_attributes(NEW.id) -> 'end_date'));
    END IF;
    IF NEW.max_seats_used IS DISTINCT FROM OLD.max_seats_used THEN
        PERFORM gitlab_queue(NEW.id, NEW.gitlab_id, '/gitlab_subscription',
            jsonb_build_object('max_seats_used', NEW.max_seats_used));
    END IF;
    IF NEW.plan IS DISTINCT FROM OLD.plan
        OR NEW.zuora_subscription_id IS DISTINCT FROM OLD.zuora_subscription_id
        OR NEW.subscription_expires_on IS DISTINCT FROM OLD.subscription_expires_on
    THEN
        PERFORM gitlab_queue(NEW.id, NEW.gitlab_id, '', jsonb_build_object(
            'gitlab_subscription_attributes',
            gitlab_subscription_attributes(NEW.id)));
    END IF;
    RETURN NULL;
END;
$$;

CREATE FUNCTION trials_gitlab_sync() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    gid bigint;
BEGIN
    IF NOT gitlab_sync_wanted() THEN
        RETURN NULL;
    END IF;
    SELECT gitlab_id INTO gid FROM namespaces WHERE id = NEW.namespace_id;
    PERFORM gitlab_queue(NEW.namespace_id, gid, '', jsonb_build_object(
        'gitlab_subscription_attributes',
        gitlab_subscription_attributes(NEW.namespace_id)));
    RETURN NULL;
END;
$$;

-- Trials start on GitLab.com, so only a change of one is sent; likewise a
-- namespace is created there, not here.
CREATE TRIGGER namespaces_gitlab_sync AFTER UPDATE ON namespaces
    FOR EACH ROW EXECUTE FUNCTION namespaces_gitlab_sync();
CREATE TRIGGER trials_gitlab_sync
    AFTER UPDATE OF plan, starts_on, ends_on, status ON trials
    FOR EACH ROW
    WHEN (OLD.plan IS DISTINCT FROM NEW.plan
        OR OLD.starts_on IS DISTINCT FROM NEW.starts_on
        OR OLD.ends_on IS DISTINCT FROM NEW.ends_on
        OR OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION trials_gitlab_sync();

-- A failed request sent again by a person is part of the namespace's
-- history: who asked, when, and which request.
CREATE FUNCTION outbox_retry_audit() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO versions (item_type, item_id, event, changes, actor,
        ticket_url)
    VALUES (NEW.record_type, NEW.record_id, 'update',
        jsonb_build_object('gitlab_sync_request',
            jsonb_build_array('#' || NEW.id || ' failed: '
                || coalesce(OLD.last_error, ''),
                '#' || NEW.id || ' queued again')),
        coalesce(nullif(current_setting('cdot.actor', true), ''), 'system'),
        nullif(current_setting('cdot.ticket', true), ''));
    RETURN NULL;
END;
$$;

CREATE TRIGGER outbox_retry_audit AFTER UPDATE OF status ON outbox
    FOR EACH ROW
    WHEN (OLD.status = 'failed' AND NEW.status = 'pending'
        AND NEW.record_id IS NOT NULL)
    EXECUTE FUNCTION outbox_retry_audit();
