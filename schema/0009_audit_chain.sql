-- A tamper-evident audit log (issue 12): every row carries seq (1, 2, 3 ...
-- without gaps) and hash = sha256(hash of the row before || the row's
-- canonical text); the row before seq 1 is the genesis, 32 zero bytes.
-- portalctl audit verify walks the chain. The links are made by a trigger,
-- so they do not depend on which of the many INSERTs writes a row, and no
-- writer can choose seq, hash or id: the trigger overwrites what it is given.
-- See schema/README.md for the reasoning and what it costs.

-- The actor's user may be deleted (by the owner: the pools only deactivate),
-- and ON DELETE SET NULL would then rewrite history: the row's canonical text
-- changes and verify would call it tampered with. Like target_id, actor_id
-- now outlives what it names; the viewers' LEFT JOIN shows "-" for it.
ALTER TABLE audit_log DROP CONSTRAINT audit_log_actor_id_fkey;

-- id in the order of the chain: drawn by the trigger while it holds the
-- chain's lock, so ids increase with seq (gaps only where a transaction
-- rolled back) and verify can check it. An identity column would draw its
-- value before the lock, in another order than the chain's under concurrent
-- writers. The sequence keeps its name and continues where identity was.
ALTER TABLE audit_log ALTER COLUMN id DROP IDENTITY;
CREATE SEQUENCE audit_log_id_seq OWNED BY audit_log.id;
SELECT setval('audit_log_id_seq', coalesce(max(id), 0) + 1, false) FROM audit_log;

ALTER TABLE audit_log ADD COLUMN seq bigint, ADD COLUMN hash bytea;

-- The one definition of a row's canonical text, used by the trigger and by
-- portalctl audit verify (which fetches it and hashes it itself), so the two
-- cannot disagree. Fields in a fixed order, each written as
-- "|<bytes>:<value>" (its length in UTF-8 bytes, then the text) or "|-"
-- for NULL, after a version tag: no value can be mistaken for a separator,
-- and NULL differs from ''. Formats that do not depend on settings: the time
-- in UTC with microseconds, jsonb's own text (keys sorted, fixed spacing),
-- text(inet) (address and prefix length, /32 included). The
-- hash itself is not part of it. A new column of audit_log is not covered
-- until a later migration writes an audit-v2 text that includes it.
-- STABLE, not IMMUTABLE: to_char is STABLE (its format names months in the
-- session's language; the format here uses none).
-- One field: "|<bytes>:<value>", or "|-" for NULL.
CREATE FUNCTION audit_canonical_field(f text) RETURNS text
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN coalesce('|' || octet_length(f) || ':' || f, '|-');

CREATE FUNCTION audit_canonical(l audit_log) RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN 'audit-v1'
		|| audit_canonical_field(l.seq::text)
		|| audit_canonical_field(l.id::text)
		|| audit_canonical_field(CASE WHEN isfinite(l.at)
			THEN to_char(l.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
			ELSE l.at::text END)
		|| audit_canonical_field(l.actor_id::text)
		|| audit_canonical_field(l.action)
		|| audit_canonical_field(l.target_type)
		|| audit_canonical_field(l.target_id::text)
		|| audit_canonical_field(l.details::text)
		|| audit_canonical_field(l.ip::text);

COMMENT ON FUNCTION audit_canonical(audit_log) IS
	'the text an audit_log row is hashed by (audit-v1): hash = sha256(previous hash || convert_to(this, ''UTF8''))';

-- The chain's head: the seq and hash of the last committed row (0 and the
-- genesis before the first). One row, locked by every writer of audit_log
-- until its commit: that lock is what keeps two writers from taking the same
-- seq (a fork). It also lets verify see a removed tail: the head then names
-- a seq no row has. Nobody but the owner's trigger functions may write it.
CREATE TABLE audit_chain_head (
	singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
	seq bigint NOT NULL CHECK (seq >= 0),
	hash bytea NOT NULL CHECK (octet_length(hash) = 32)
);

-- The existing rows, chained in id order (the order they were written in:
-- identity ids were drawn in insertion order, within a few concurrent rows).
DO $$
DECLARE
	r audit_log;
	prev bytea := '\x0000000000000000000000000000000000000000000000000000000000000000';
	n bigint := 0;
BEGIN
	CREATE TEMP TABLE audit_chain_init (id bigint PRIMARY KEY, seq bigint, hash bytea) ON COMMIT DROP;
	FOR r IN SELECT * FROM audit_log ORDER BY id LOOP
		n := n + 1;
		r.seq := n;
		prev := sha256(prev || convert_to(audit_canonical(r), 'UTF8'));
		INSERT INTO audit_chain_init VALUES (r.id, n, prev);
	END LOOP;
	UPDATE audit_log l SET seq = i.seq, hash = i.hash FROM audit_chain_init i WHERE i.id = l.id;
	INSERT INTO audit_chain_head (seq, hash) VALUES (n, prev);
END
$$;

ALTER TABLE audit_log
	ALTER COLUMN seq SET NOT NULL,
	ALTER COLUMN hash SET NOT NULL,
	ADD CONSTRAINT audit_log_seq_key UNIQUE (seq),
	ADD CONSTRAINT audit_log_seq_check CHECK (seq > 0),
	ADD CONSTRAINT audit_log_hash_check CHECK (octet_length(hash) = 32);

-- Each new row: take the head's lock (waiting for the writer that holds it
-- to commit or roll back; READ COMMITTED then reads the head it committed),
-- link the row to the last row of the chain, draw its id. The last row is
-- this transaction's own latest when it has written one already (the head
-- is only moved at commit, below), else the head. seq, hash and id are
-- overwritten whatever the INSERT gave.
-- enable_seqscan = off for both functions: PL/pgSQL keeps the plan it made
-- of each query, and a plan made while audit_log was small (a new database,
-- the start of a bulk insert) would scan the table for the last row on every
-- insert after, quadratic in the rows (100,000 rows in one INSERT: 8 minutes
-- with a scan, a few seconds with the seq index). jit = off: the cost of a
-- disabled scan is so high that JIT would compile each query, 11 ms a row.
CREATE FUNCTION audit_chain_link() RETURNS trigger
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, public, pg_temp
	SET enable_seqscan = off SET jit = off
	AS $$
DECLARE
	head_seq bigint;
	prev bytea;
	own_seq bigint;
	own_hash bytea;
BEGIN
	SELECT h.seq, h.hash INTO STRICT head_seq, prev FROM public.audit_chain_head h FOR UPDATE;
	SELECT l.seq, l.hash INTO own_seq, own_hash FROM public.audit_log l
		WHERE l.seq > head_seq ORDER BY l.seq DESC LIMIT 1;
	IF own_seq IS NOT NULL THEN
		head_seq := own_seq;
		prev := own_hash;
	END IF;
	NEW.id := nextval('public.audit_log_id_seq');
	NEW.seq := head_seq + 1;
	NEW.hash := sha256(prev || convert_to(public.audit_canonical(NEW), 'UTF8'));
	RETURN NEW;
END
$$;

-- At commit, once per transaction: the head becomes the transaction's last
-- row (the others of the transaction find a later row and do nothing).
-- Moving it per row would leave one dead version of the head row per row
-- inserted, which every later link of the same transaction would have to
-- step over: quadratic for an import of 10,000 users.
CREATE FUNCTION audit_chain_advance() RETURNS trigger
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, public, pg_temp
	SET enable_seqscan = off SET jit = off
	AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM public.audit_log l WHERE l.seq > NEW.seq) THEN
		UPDATE public.audit_chain_head SET seq = NEW.seq, hash = NEW.hash WHERE seq < NEW.seq;
	END IF;
	RETURN NULL;
END
$$;

CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log
	FOR EACH ROW EXECUTE FUNCTION audit_chain_link();
CREATE CONSTRAINT TRIGGER audit_log_chain_head AFTER INSERT ON audit_log
	DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION audit_chain_advance();

REVOKE ALL ON FUNCTION audit_chain_link() FROM PUBLIC;
REVOKE ALL ON FUNCTION audit_chain_advance() FROM PUBLIC;
REVOKE ALL ON FUNCTION audit_canonical(audit_log) FROM PUBLIC;
REVOKE ALL ON FUNCTION audit_canonical_field(text) FROM PUBLIC;
REVOKE ALL ON audit_chain_head FROM PUBLIC;
-- The ids come from the trigger now; the pools no longer draw them.
REVOKE ALL ON SEQUENCE audit_log_id_seq FROM PUBLIC;

-- portal_admin reads the log already; it may verify it too.
GRANT SELECT ON audit_chain_head TO portal_admin;
GRANT EXECUTE ON FUNCTION audit_canonical(audit_log), audit_canonical_field(text) TO portal_admin;
