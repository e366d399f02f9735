-- The directory (issue 15, item 4): `portalctl directory sync` reads users
-- and their groups from LDAP (Active Directory) and keeps users and roles
-- as the directory has them. What it needs to remember, and nothing else:
--
--   directory_group_roles  which group (by DN) gives which role: the
--                          administrators' mapping (`portalctl role
--                          map-group GROUP-DN ROLE`), shown on the role's
--                          admin page
--   directory_users        the users the sync made or matched: only these
--                          are ever deactivated by it when they are gone
--                          from the directory (users made by hand and never
--                          seen there are left alone)
--   directory_grants       the role grants the sync made: only these are
--                          ever taken by it (a role given by hand is never
--                          taken by the sync, even when the directory no
--                          longer puts the user in a mapped group)
--
-- The rules that use them live in lib/directory.c; users, grants, sessions
-- and the audit rows still change only through their own operations
-- (lib/users.c, lib/grants.c, audit_write).

CREATE TABLE directory_group_roles (
	-- The DN as the administrator typed it, for display.
	group_dn text NOT NULL
		CONSTRAINT directory_group_dn_len CHECK (length(group_dn) BETWEEN 1 AND 1024)
		CONSTRAINT directory_group_dn_visible CHECK (portal_visible_text(group_dn)),
	-- The DN normalised (lib/directory.c, directory_dn_key: blanks around
	-- separators dropped, ASCII letters lower-cased), as the sync compares
	-- it with the groups the directory names.
	group_key text NOT NULL
		CONSTRAINT directory_group_key_len CHECK (length(group_key) BETWEEN 1 AND 1024),
	role_id bigint NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (group_key, role_id)
);
CREATE INDEX directory_group_roles_role ON directory_group_roles (role_id);

CREATE TABLE directory_users (
	user_id bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	-- The entry's DN when last seen.
	dn text NOT NULL,
	-- true: the sync created the user; false: it matched one that existed.
	created_by_sync boolean NOT NULL,
	first_seen_at timestamptz NOT NULL DEFAULT now(),
	last_seen_at timestamptz NOT NULL DEFAULT now(),
	-- The keys of the entry's groups when last seen, one a line: what
	-- `role unmap-group` reads to take a role at once from those who had it
	-- through that group alone.
	groups text NOT NULL DEFAULT '',
	-- When the sync deactivated the user because the entry was gone; NULL
	-- while the user is in the directory. Only a user the sync deactivated
	-- is activated again by it when the entry comes back: one that an
	-- administrator deactivated stays so.
	deactivated_at timestamptz
);

CREATE TABLE directory_grants (
	user_id bigint NOT NULL,
	role_id bigint NOT NULL,
	granted_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (user_id, role_id),
	-- A grant revoked by hand (or its user or role deleted) takes its
	-- bookkeeping with it: the sync gives it again if the directory still
	-- says so, and then it is the sync's again.
	FOREIGN KEY (user_id, role_id) REFERENCES user_roles (user_id, role_id) ON DELETE CASCADE
);
CREATE INDEX directory_grants_role ON directory_grants (role_id);

-- The sync runs as portal_admin (the admin pool's role, which already may
-- change users, grants and sessions and write audit rows through
-- audit_write) or as the owner; the admin pool reads the mappings for the
-- role page. portal_web gets nothing.
GRANT SELECT, INSERT, UPDATE, DELETE ON directory_group_roles, directory_users, directory_grants
	TO portal_admin;
