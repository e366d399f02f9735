-- 0018: role owners (issue 16, item 2).
--
-- A role may have owners: users who keep its members (add, remove, change
-- their dates) in the admin pool, for the roles they own only. Superusers
-- keep everything. The rule "who may change a role's members" is in the
-- statements of lib/grants.c (they take the acting user and refuse a role
-- the actor may not keep), with role_may_keep() below as its one
-- definition; owners themselves are kept by lib/roles.c (audited).

CREATE TABLE role_owners (
	role_id bigint NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
	user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	added_at timestamptz NOT NULL DEFAULT now(),
	added_by bigint REFERENCES users (id) ON DELETE SET NULL,
	PRIMARY KEY (role_id, user_id)
);
CREATE INDEX role_owners_user_id_idx ON role_owners (user_id);

-- May actor p_actor keep the members of role p_role? NULL is the console
-- (portalctl, the directory sync: they run with the owner's or the admin
-- pool's own rights); otherwise an active superuser, or an active owner
-- of the role.
CREATE FUNCTION role_may_keep(p_actor bigint, p_role bigint) RETURNS boolean
	LANGUAGE sql STABLE
	AS $$
	SELECT p_actor IS NULL
	    OR EXISTS (SELECT 1 FROM users u WHERE u.id = p_actor AND u.is_active
		       AND (u.is_superuser
			    OR EXISTS (SELECT 1 FROM role_owners o
				       WHERE o.role_id = p_role AND o.user_id = p_actor)))
$$;

GRANT SELECT, INSERT, DELETE ON role_owners TO portal_admin;
-- The portal pool shows an owner the way to the roles they keep.
GRANT SELECT ON role_owners TO portal_web;
REVOKE EXECUTE ON FUNCTION role_may_keep(bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION role_may_keep(bigint, bigint) TO portal_admin;
