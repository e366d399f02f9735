-- 0022: periodic reviews of role memberships (issue 16, item 4).
--
-- An administrator starts a review of one role, or of every role that is not
-- in an open review already, with a due date and a rule for the members
-- nobody reviewed (keep or remove). The review takes the memberships that
-- count now or later as its items, with their dates at the start. Until the
-- due date each owner of a role (0018, role_may_keep), or a superuser, marks
-- every member of it "keep" or "remove" with an optional note, and may
-- change their mind. From the due date on nobody decides any more; closing
-- the review (by hand, or `portalctl review close-due`, which the timer
-- portal-review-close runs every 10 minutes) carries it out: "remove" and,
-- under the rule "remove", the unreviewed items lose their membership
-- (through lib/grants.c, audited role.member_removed), and every item gets
-- its outcome: kept, removed, or gone (the membership had ended or been
-- removed already). The items stay, with who decided what and when: the
-- auditor's record (the review CSV). Every step is audited: review.started,
-- review.decided, review.closed. lib/reviews.c is the one home of the
-- statements.

CREATE TABLE access_reviews (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	role_id bigint REFERENCES roles (id) ON DELETE CASCADE, -- NULL: all roles
	due_at timestamptz NOT NULL,
	unreviewed text NOT NULL,
	started_at timestamptz NOT NULL DEFAULT now(),
	started_by bigint REFERENCES users (id) ON DELETE SET NULL,
	closed_at timestamptz,
	closed_by bigint REFERENCES users (id) ON DELETE SET NULL,
	CONSTRAINT access_reviews_unreviewed_check CHECK (unreviewed IN ('keep', 'remove')),
	CONSTRAINT access_reviews_due_check CHECK (due_at > started_at)
);
CREATE INDEX access_reviews_open_idx ON access_reviews (due_at) WHERE closed_at IS NULL;

CREATE TABLE access_review_items (
	review_id bigint NOT NULL REFERENCES access_reviews (id) ON DELETE CASCADE,
	role_id bigint NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
	user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	valid_from timestamptz, -- the membership's dates at the start
	valid_until timestamptz,
	decision text,
	note text,
	decided_at timestamptz,
	decided_by bigint REFERENCES users (id) ON DELETE SET NULL,
	outcome text, -- at the close
	PRIMARY KEY (review_id, role_id, user_id),
	CONSTRAINT access_review_items_decision_check CHECK (decision IN ('keep', 'remove')),
	CONSTRAINT access_review_items_outcome_check CHECK (outcome IN ('kept', 'removed', 'gone')),
	CONSTRAINT access_review_items_note_check
		CHECK (note IS NULL OR (char_length(note) <= 1000 AND portal_visible_text(note, true)))
);
-- The open reviews of a role, and an owner's items.
CREATE INDEX access_review_items_role_idx ON access_review_items (role_id, review_id);

-- A review's state now: open, due (past its due date, not closed yet: nobody
-- decides any more), or closed.
CREATE VIEW access_reviews_now AS
SELECT v.*, CASE WHEN v.closed_at IS NOT NULL THEN 'closed'
		 WHEN v.due_at <= now() THEN 'due' ELSE 'open' END AS state_now
FROM access_reviews v;

GRANT SELECT, INSERT ON access_reviews TO portal_admin;
GRANT UPDATE (closed_at, closed_by) ON access_reviews TO portal_admin;
GRANT SELECT, INSERT ON access_review_items TO portal_admin;
GRANT UPDATE (decision, note, decided_at, decided_by, outcome) ON access_review_items
	TO portal_admin;
GRANT SELECT ON access_reviews_now TO portal_admin;
GRANT USAGE ON SEQUENCE access_reviews_id_seq TO portal_admin;
