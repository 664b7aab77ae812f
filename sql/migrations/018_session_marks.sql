-- 018_session_marks: the sessions signed out and the sign-in states already
-- used, kept where every instance sees them.
--
-- They were kept in one host's shared memory (a fixed hash table): a
-- signed-out cookie still worked on another instance behind the load
-- balancer, a restart forgot every sign-out, and once the table was full
-- (a few thousand sign-in/sign-out cycles) nothing more was recorded, so a
-- copied cookie kept working after its owner signed out.  Here a mark is a
-- row, there is no size to fill, and it lasts as long as it matters:
--
--   ended_session  written by sign-out; expires when the session would have
--                  ended anyway (sign-in + session_lifetime, plus clock
--                  skew).  Every signed-in request looks its session up here
--                  by primary key, on the primary (never a standby: a mark
--                  must hold from the next request on).
--   used_state     written when the sign-in callback takes its OIDC state,
--                  with INSERT ... ON CONFLICT, so two callbacks with the
--                  same state (a replay, on any instance) cannot both pass;
--                  expires with the sign-in transaction (a few minutes).
--
-- Only a SHA-256 of the session id or state is stored, never the value:
-- a dump of this table signs nobody in and replays nothing.  The app
-- deletes expired rows (expires_at index) when it records a mark, at most
-- once a minute per worker; a row past expires_at counts as absent even
-- before it is deleted.
--
-- Not audited (008_history_triggers): plumbing, like the outbox; nobody
-- edits it, and history would keep what is meant to expire.

CREATE TABLE session_marks (
    kind       text        NOT NULL
        CONSTRAINT session_marks_kind_check CHECK (kind IN ('ended_session', 'used_state')),
    -- sha256 of the session id or the state.
    key        bytea       NOT NULL
        CONSTRAINT session_marks_key_check CHECK (octet_length(key) = 32),
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT session_marks_pkey PRIMARY KEY (kind, key)
);
-- The sweep: DELETE ... WHERE expires_at <= now().
CREATE INDEX session_marks_expires_idx ON session_marks (expires_at);
