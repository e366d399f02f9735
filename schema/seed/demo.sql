-- Demo data for the dev environment and the end-to-end tests: four users, five
-- roles, 21 reports in six categories, and grants so that each user sees a
-- different set. Every user's password is "Welkom-bij-CED-2026" (argon2id,
-- m=19456 KiB, t=2, p=1, a salt of its own). Never load this in production.
--
-- Loaded by portal_owner after the migrations, in one transaction:
--   psql -v ON_ERROR_STOP=1 --single-transaction -f schema/seed/demo.sql
-- Idempotent: loading it again adds nothing and changes nothing.
--
--   anna   Directie, Iedereen (and superuser): every report
--   bram   Financiën, Iedereen
--   carla  HR, Iedereen
--   dirk   Operatie, Iedereen: operations, customer and quality reports

INSERT INTO users (username, email, display_name, hashed_password, is_superuser,
		   password_changed_at)
VALUES
	('anna', 'anna.devries@ced.example', 'Anna de Vries',
	 '$argon2id$v=19$m=19456,t=2,p=1$2EpgOSwIFAh52D7GFFWIwg$ufVdOPMaCyCJ2LdqdcFt6arJtYaUzvqVbZhWkZGg7HY', true, now()),
	('bram', 'bram.janssen@ced.example', 'Bram Janssen',
	 '$argon2id$v=19$m=19456,t=2,p=1$CKz80K/aLr0i5rijv/BKmw$sqrGj8HSG5tH5oBhlJXp68FdjrPO7ZHFuaX4c3gMy4w', false, now()),
	('carla', 'carla.bakker@ced.example', 'Carla Bakker',
	 '$argon2id$v=19$m=19456,t=2,p=1$bxfUVtWS+08vu8dsOysf/Q$1kXHE/WFQQaIzO20y6Qz+1r3N7/wzOqFolV4uIQkIL8', false, now()),
	('dirk', 'dirk.vandenberg@ced.example', 'Dirk van den Berg',
	 '$argon2id$v=19$m=19456,t=2,p=1$X8d4MnheVNQX5P1wcIHhPw$EYepClp0ldJJACLCTG4TXw8VnlitkBTqf9goqfI7VyM', false, now())
ON CONFLICT DO NOTHING;

INSERT INTO roles (name, description)
VALUES
	('Directie', 'Directie en managementteam: alle stuurinformatie.'),
	('Financiën', 'Afdeling Financiën en control.'),
	('HR', 'Personeelszaken: bezetting, verzuim en opleidingen.'),
	('Operatie', 'Schadeafhandeling, planning en klantenservice.'),
	('Iedereen', 'Alle medewerkers: algemene kerncijfers.')
ON CONFLICT DO NOTHING;

-- Reports have no natural key, so the title serves as one here.
INSERT INTO reports (title, description, url, category, status)
SELECT v.title, v.description, v.url, v.category, v.status::report_status
FROM (VALUES
	('Financiële maandrapportage', 'Omzet, kosten en resultaat per maand, met vergelijking met vorig jaar.',
	 'https://bi.ced.example/financien/maandrapportage', 'Financiën', 'published'),
	('Begroting versus realisatie', 'Afwijkingen van de begroting per kostenplaats.',
	 'https://bi.ced.example/financien/begroting-realisatie', 'Financiën', 'published'),
	('Debiteurenanalyse', 'Openstaande posten en betaaltermijnen per klant.',
	 'https://bi.ced.example/financien/debiteuren', 'Financiën', 'published'),
	('Liquiditeitsprognose', 'Verwachte kasstromen voor de komende twaalf maanden (concept).',
	 'https://bi.ced.example/financien/liquiditeit', 'Financiën', 'draft'),
	('Verzuimcijfers per afdeling', 'Ziekteverzuim, meldingsfrequentie en duur per afdeling.',
	 'https://bi.ced.example/hr/verzuim', 'HR', 'published'),
	('Personeelsbezetting en formatie', 'Bezetting in fte tegenover de formatie.',
	 'https://bi.ced.example/hr/formatie', 'HR', 'published'),
	('Instroom, doorstroom en uitstroom', 'Personeelsverloop per kwartaal.',
	 'https://bi.ced.example/hr/verloop', 'HR', 'published'),
	('Opleidingsbudget en -uren', 'Besteding van het opleidingsbudget per medewerker.',
	 'https://bi.ced.example/hr/opleidingen', 'HR', 'published'),
	('Doorlooptijden schadeafhandeling', 'Van melding tot afronding, per schadesoort.',
	 'https://bi.ced.example/operatie/doorlooptijden', 'Operatie', 'published'),
	('Werkvoorraad per team', 'Openstaande dossiers en hun ouderdom.',
	 'https://bi.ced.example/operatie/werkvoorraad', 'Operatie', 'published'),
	('Productiviteit experts', 'Afgehandelde dossiers per expert per week.',
	 'https://bi.ced.example/operatie/productiviteit', 'Operatie', 'published'),
	('Coördinatie buitendienst', 'Planning en bezetting van de buitendienst per regio.',
	 'https://bi.ced.example/operatie/buitendienst', 'Operatie', 'published'),
	('Klanttevredenheid (NPS)', 'Net Promoter Score en toelichtingen van klanten.',
	 'https://bi.ced.example/klant/nps', 'Klant', 'published'),
	('Klachtenoverzicht', 'Binnengekomen klachten, oorzaken en afhandeling.',
	 'https://bi.ced.example/klant/klachten', 'Klant', 'published'),
	('Contactmomenten klantenservice', 'Telefoon, e-mail en chat: volumes en wachttijden.',
	 'https://bi.ced.example/klant/contactmomenten', 'Klant', 'published'),
	('Kwaliteitsaudits', 'Uitkomsten van interne dossieraudits.',
	 'https://bi.ced.example/kwaliteit/audits', 'Kwaliteit', 'published'),
	('Heropende dossiers en correcties', 'Dossiers die na afronding opnieuw zijn geopend.',
	 'https://bi.ced.example/kwaliteit/heropeningen', 'Kwaliteit', 'published'),
	('Naleving SLA''s', 'Prestaties tegenover de afspraken met opdrachtgevers.',
	 'https://bi.ced.example/kwaliteit/sla', 'Kwaliteit', 'published'),
	('Privacy-incidenten en AVG-verzoeken', 'Datalekken, inzage- en verwijderverzoeken.',
	 'https://bi.ced.example/kwaliteit/privacy', 'Kwaliteit', 'published'),
	('Kerncijfers CED', 'De belangrijkste cijfers van de organisatie in één oogopslag.',
	 'https://bi.ced.example/algemeen/kerncijfers', 'Algemeen', 'published'),
	('Jaaroverzicht 2024', 'Terugblik op 2024 (gearchiveerd).',
	 'https://bi.ced.example/algemeen/jaaroverzicht-2024', 'Algemeen', 'archived')
) AS v (title, description, url, category, status)
WHERE NOT EXISTS (SELECT 1 FROM reports r WHERE r.title = v.title);

INSERT INTO user_roles (user_id, role_id, granted_by)
SELECT u.id, ro.id, (SELECT id FROM users WHERE username = 'anna')
FROM (VALUES
	('anna', 'Directie'), ('anna', 'Iedereen'),
	('bram', 'Financiën'), ('bram', 'Iedereen'),
	('carla', 'HR'), ('carla', 'Iedereen'),
	('dirk', 'Operatie'), ('dirk', 'Iedereen')
) AS g (username, role)
JOIN users u ON u.username = g.username
JOIN roles ro ON ro.name = g.role
ON CONFLICT DO NOTHING;

-- Directie gets everything, including the draft and the archived report, so
-- that the portal's own status filter is visible in the demo.
INSERT INTO role_reports (role_id, report_id, granted_by)
SELECT ro.id, r.id, (SELECT id FROM users WHERE username = 'anna')
FROM (VALUES
	('Directie', NULL),
	('Financiën', 'Financiën'),
	('HR', 'HR'),
	('Operatie', 'Operatie'), ('Operatie', 'Klant'), ('Operatie', 'Kwaliteit')
) AS g (role, category)
JOIN roles ro ON ro.name = g.role
JOIN reports r ON g.category IS NULL OR r.category = g.category
ON CONFLICT DO NOTHING;

INSERT INTO role_reports (role_id, report_id, granted_by)
SELECT ro.id, r.id, (SELECT id FROM users WHERE username = 'anna')
FROM roles ro
JOIN reports r ON r.title IN ('Kerncijfers CED', 'Klanttevredenheid (NPS)', 'Jaaroverzicht 2024')
WHERE ro.name = 'Iedereen'
ON CONFLICT DO NOTHING;
