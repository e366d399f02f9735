-- No invisible or bidirectional characters in names, titles, categories and
-- descriptions (issue 11, item 9).
--
-- The 0002 CHECKs refuse [[:cntrl:]] in names, titles and categories, which
-- leaves the Unicode format characters: a role named 'HR' || U+202E ||
-- 'eitceriD' (right-to-left override) is shown as another role, a
-- zero-width space (U+200B) inside 'Directie' makes a second name that looks
-- the same. portal_visible_text() refuses the set that lib/req.c's
-- str_hidden_char() refuses; keep the two in step:
--
--   C0 controls and DEL, the C1 controls U+0080-U+009F,
--   U+00AD soft hyphen, U+061C Arabic letter mark, U+180E Mongolian vowel
--   separator, U+200B-U+200F zero-width space, (non-)joiner, LRM, RLM,
--   U+2028-U+202E line and paragraph separators, LRE, RLE, PDF, LRO, RLO,
--   U+2060-U+2064 word joiner and invisible operators, U+2066-U+206F the
--   isolates (LRI, RLI, FSI, PDI) and the deprecated format characters,
--   U+FEFF zero-width no-break space, U+FFF9-U+FFFB interlinear annotation,
--   U+E0000-U+E007F tags.
--
-- With multiline true (descriptions: free text from a textarea), tab, LF and
-- CR are allowed; the rest of the set is not, since a bidi override in a
-- description can still make it read as something else.
--
-- The constraints are validated: a database that holds such a value already
-- fails this migration, naming the constraint; correct the value (for example
-- with regexp_replace and the same class) and run migrate again.

CREATE FUNCTION public.portal_visible_text(t text, multiline boolean DEFAULT false)
	RETURNS boolean
	LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
	RETURN t !~ CASE WHEN multiline
		THEN '[\u0001-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]'
		ELSE '[\u0001-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]'
	END;

COMMENT ON FUNCTION public.portal_visible_text(text, boolean) IS
	'false when t holds a control, invisible or bidirectional format character (tab, LF, CR allowed when multiline); the set of str_hidden_char in lib/req.c';

ALTER TABLE users
	ADD CONSTRAINT users_username_visible CHECK (portal_visible_text(username::text)),
	ADD CONSTRAINT users_email_visible CHECK (portal_visible_text(email::text)),
	ADD CONSTRAINT users_display_name_visible CHECK (portal_visible_text(display_name));

ALTER TABLE roles
	ADD CONSTRAINT roles_name_visible CHECK (portal_visible_text(name::text)),
	ADD CONSTRAINT roles_description_visible CHECK (portal_visible_text(description, true));

ALTER TABLE reports
	ADD CONSTRAINT reports_title_visible CHECK (portal_visible_text(title)),
	ADD CONSTRAINT reports_category_visible CHECK (portal_visible_text(category)),
	ADD CONSTRAINT reports_description_visible CHECK (portal_visible_text(description, true));
