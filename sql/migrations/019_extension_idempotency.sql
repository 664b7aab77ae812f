-- 019_extension_idempotency: the sales system's retries.
--
-- When SFDC's POST /api/v1/temporary_extensions times out on its side it
-- sends the request again; the extension was made the first time.  A
-- repeat (the same Idempotency-Key header, or the same subscription and
-- Salesforce opportunity for the current term) is answered with the
-- extension already made, rebuilt from its row, so the key is kept with
-- it: one extension a key, whatever the timing.

ALTER TABLE temporary_extensions
    ADD COLUMN idempotency_key text
        CONSTRAINT temporary_extensions_idempotency_key_check
        CHECK (length(idempotency_key) BETWEEN 1 AND 255);

CREATE UNIQUE INDEX temporary_extensions_idempotency_key
    ON temporary_extensions (idempotency_key) WHERE idempotency_key IS NOT NULL;
