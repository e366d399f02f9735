-- The data model (DESIGN.md §3): users, roles, reports, the two grant tables,
-- sessions and the audit log. Names are stable: other tools read them.
-- Users and roles are never deleted by the application (is_active = false),
-- reports are archived; the ON DELETE rules below are for the owner's cleanup.

CREATE TYPE report_status AS ENUM ('draft', 'published', 'archived');

-- Keeps updated_at honest whoever writes the row. A no-op UPDATE (nothing
-- changed) leaves it alone.
CREATE FUNCTION set_updated_at() RETURNS trigger
	LANGUAGE plpgsql
	AS $$
BEGIN
	NEW.updated_at := now();
	RETURN NEW;
END
$$;

CREATE TABLE users (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	username citext NOT NULL,
	email citext NOT NULL,
	display_name text NOT NULL,
	-- argon2id PHC string; NULL means the account cannot sign in with a password.
	hashed_password text,
	is_active boolean NOT NULL DEFAULT true,
	is_superuser boolean NOT NULL DEFAULT false,
	failed_logins integer NOT NULL DEFAULT 0,
	locked_until timestamptz,
	password_changed_at timestamptz,
	last_login_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT users_username_key UNIQUE (username),
	CONSTRAINT users_email_key UNIQUE (email),
	CONSTRAINT users_username_check
		CHECK (char_length(username) BETWEEN 1 AND 64
		       AND username::text !~ '[[:space:][:cntrl:]]'),
	CONSTRAINT users_email_check
		CHECK (char_length(email) <= 254
		       AND email::text ~ '^[^@[:space:][:cntrl:]]+@[^@[:space:][:cntrl:]]+\.[^@[:space:][:cntrl:]]+$'),
	CONSTRAINT users_display_name_check
		CHECK (btrim(display_name) <> '' AND char_length(display_name) <= 200
		       AND display_name !~ '[[:cntrl:]]'),
	CONSTRAINT users_hashed_password_check
		CHECK (hashed_password IS NULL OR hashed_password LIKE '$argon2id$%'),
	CONSTRAINT users_failed_logins_check CHECK (failed_logins >= 0)
);

CREATE TABLE roles (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name citext NOT NULL,
	description text NOT NULL DEFAULT '',
	is_active boolean NOT NULL DEFAULT true,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT roles_name_key UNIQUE (name),
	CONSTRAINT roles_name_check
		CHECK (btrim(name) <> '' AND char_length(name) <= 100 AND name::text !~ '[[:cntrl:]]'),
	CONSTRAINT roles_description_check CHECK (char_length(description) <= 2000)
);

CREATE TABLE reports (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	title text NOT NULL,
	description text NOT NULL DEFAULT '',
	url text NOT NULL,
	category text NOT NULL DEFAULT 'Algemeen',
	status report_status NOT NULL DEFAULT 'draft',
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT reports_title_check
		CHECK (btrim(title) <> '' AND char_length(title) <= 200 AND title !~ '[[:cntrl:]]'),
	CONSTRAINT reports_description_check CHECK (char_length(description) <= 4000),
	-- Only web links: the page renders url as an href, so javascript: and
	-- data: must never get in. No whitespace or control characters either.
	CONSTRAINT reports_url_check
		CHECK (url ~* '^https?://[^[:space:][:cntrl:]]+$'
		       AND url !~ '[\u00a0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff]'
		       AND char_length(url) <= 2000),
	CONSTRAINT reports_category_check
		CHECK (btrim(category) <> '' AND char_length(category) <= 100
		       AND category !~ '[[:cntrl:]]')
);

CREATE TABLE user_roles (
	user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	role_id bigint NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
	granted_at timestamptz NOT NULL DEFAULT now(),
	-- Who granted it; kept as history, so losing the granter loses only the name.
	granted_by bigint REFERENCES users (id) ON DELETE SET NULL,
	PRIMARY KEY (user_id, role_id)
);

CREATE TABLE role_reports (
	role_id bigint NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
	report_id bigint NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
	granted_at timestamptz NOT NULL DEFAULT now(),
	granted_by bigint REFERENCES users (id) ON DELETE SET NULL,
	PRIMARY KEY (role_id, report_id)
);

-- Only sha256(token) is stored: a copy of this table is not a copy of the logins.
CREATE TABLE sessions (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	token_hash bytea NOT NULL,
	user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	csrf_secret bytea NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	last_seen_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz NOT NULL,
	ip inet,
	user_agent text,
	CONSTRAINT sessions_token_hash_key UNIQUE (token_hash),
	CONSTRAINT sessions_token_hash_check CHECK (octet_length(token_hash) = 32),
	CONSTRAINT sessions_csrf_secret_check CHECK (octet_length(csrf_secret) >= 16),
	CONSTRAINT sessions_expires_at_check CHECK (expires_at > created_at),
	CONSTRAINT sessions_user_agent_check CHECK (char_length(user_agent) <= 512)
);

-- Append-only for the application (see 0003_grants.sql). The actor survives as
-- NULL when a user row is removed; target_id is not a foreign key on purpose:
-- the log outlives what it describes.
CREATE TABLE audit_log (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	at timestamptz NOT NULL DEFAULT now(),
	actor_id bigint REFERENCES users (id) ON DELETE SET NULL,
	action text NOT NULL,
	target_type text,
	target_id bigint,
	details jsonb NOT NULL DEFAULT '{}'::jsonb,
	ip inet,
	CONSTRAINT audit_log_action_check CHECK (btrim(action) <> '' AND char_length(action) <= 100)
);

CREATE TRIGGER users_updated_at BEFORE UPDATE ON users
	FOR EACH ROW WHEN (OLD IS DISTINCT FROM NEW) EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER roles_updated_at BEFORE UPDATE ON roles
	FOR EACH ROW WHEN (OLD IS DISTINCT FROM NEW) EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER reports_updated_at BEFORE UPDATE ON reports
	FOR EACH ROW WHEN (OLD IS DISTINCT FROM NEW) EXECUTE FUNCTION set_updated_at();

-- Every join direction: the primary keys cover (user_id, role_id) and
-- (role_id, report_id); these cover the other way round.
CREATE INDEX user_roles_role_id_idx ON user_roles (role_id);
CREATE INDEX role_reports_report_id_idx ON role_reports (report_id);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at); -- purging expired sessions
CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX audit_log_actor_id_idx ON audit_log (actor_id);
CREATE INDEX reports_status_title_idx ON reports (status, title); -- the ordered listing

-- Search: case- and accent-insensitive substring match on title and
-- description. Query it with exactly this expression so the index applies:
--   WHERE report_search_text(r.title, r.description) LIKE '%' || f_unaccent(lower($1)) || '%'
-- (escape % and _ in $1 first; patterns under three characters scan).
CREATE FUNCTION report_search_text(title text, description text) RETURNS text
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	AS $$SELECT public.f_unaccent(lower(title || ' ' || coalesce(description, '')))$$;

CREATE INDEX reports_search_trgm_idx ON reports
	USING gin (report_search_text(title, description) gin_trgm_ops);
