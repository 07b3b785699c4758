-- Kansli's database schema: the one source of truth, embedded in the binary.
-- It is a list of numbered steps, each starting with a line "-- step N: ...".
-- A database at PRAGMA user_version = K gets steps K+1 onwards, each in its own
-- transaction. Released steps are never edited; changes are new steps at the end.
-- Instants are UTC unix seconds. Secrets are stored only as hashes.

-- step 1: accounts, sessions, codes, reset links, outbox

-- Key/value facts about this installation (e.g. the CSRF/HMAC key).
CREATE TABLE installation (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
) STRICT;

CREATE TABLE accounts (
    id              INTEGER PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash   TEXT NOT NULL,
    lang            TEXT NOT NULL CHECK (lang IN ('sv', 'en')),
    created_at      INTEGER NOT NULL,
    confirmed_at    INTEGER,
    -- E.164 number; set only once it has been verified by an SMS code.
    phone           TEXT UNIQUE,
    two_step        INTEGER NOT NULL DEFAULT 0 CHECK (two_step IN (0, 1)),
    failed_logins   INTEGER NOT NULL DEFAULT 0,
    last_failed_at  INTEGER,
    CHECK (two_step = 0 OR phone IS NOT NULL)
) STRICT;
CREATE INDEX accounts_unconfirmed ON accounts (created_at) WHERE confirmed_at IS NULL;

-- Server-side sessions; the cookie holds a random id, this table its SHA-256.
CREATE TABLE sessions (
    id_hash           BLOB PRIMARY KEY,
    account_id        INTEGER REFERENCES accounts (id) ON DELETE CASCADE,
    -- pending_email: account created, waiting for the emailed code
    -- pending_sms:   password accepted, waiting for the SMS code
    -- authenticated: logged in
    stage             TEXT NOT NULL CHECK (stage IN ('pending_email', 'pending_sms', 'authenticated')),
    method            TEXT NOT NULL CHECK (method IN ('password', 'password_sms')),
    assurance         TEXT NOT NULL CHECK (assurance IN ('none', 'basic', 'substantial')),
    created_at        INTEGER NOT NULL,
    last_seen_at      INTEGER NOT NULL,
    -- when the latest login step (password or code) succeeded
    last_step_at      INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX sessions_account ON sessions (account_id);
CREATE INDEX sessions_last_seen ON sessions (last_seen_at);

-- One-time codes sent by email or SMS. Only the keyed hash is stored.
CREATE TABLE codes (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    purpose     TEXT NOT NULL CHECK (purpose IN ('confirm_email', 'enrol_phone', 'login_sms')),
    code_hash   BLOB NOT NULL,
    -- the phone number being enrolled (enrol_phone only)
    target      TEXT,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    used_at     INTEGER
) STRICT;
CREATE INDEX codes_account ON codes (account_id, purpose);
CREATE INDEX codes_expiry ON codes (expires_at);

CREATE TABLE reset_tokens (
    token_hash  BLOB PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
) STRICT, WITHOUT ROWID;
CREATE INDEX reset_tokens_expiry ON reset_tokens (expires_at);

-- Every email and SMS, written in the same transaction as its cause.
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    channel          TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient        TEXT NOT NULL,
    subject          TEXT NOT NULL,
    body_text        TEXT NOT NULL,
    body_html        TEXT,
    status           TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    last_error       TEXT,
    created_at       INTEGER NOT NULL,
    sent_at          INTEGER
) STRICT;
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'queued';

-- step 2: the population register stand-in
-- People registered in Sweden with a permit, for the "relative of ..." checks.
-- Development mode seeds a few example persons (src/db/register.rs).
CREATE TABLE register_persons (
    pin          TEXT PRIMARY KEY CHECK (length(pin) = 12),
    name         TEXT NOT NULL,
    permit_kind  TEXT NOT NULL CHECK (permit_kind IN ('work', 'study'))
) STRICT, WITHOUT ROWID;

-- step 3: application drafts
-- A draft belongs to one account; `reference` is its random public id (in URLs and emails).
-- It is deleted at `expires_at` (last activity + the type's lifetime) unless approved.
CREATE TABLE drafts (
    id             INTEGER PRIMARY KEY,
    reference      TEXT NOT NULL UNIQUE,
    account_id     INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    form_id        TEXT NOT NULL,
    lang           TEXT NOT NULL CHECK (lang IN ('sv', 'en')),
    created_at     INTEGER NOT NULL,
    last_activity  INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    reminded_at    INTEGER,
    approved_at    INTEGER,
    -- Bumped by every save: a page posted from an older revision is stale.
    revision       INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX drafts_expiry ON drafts (expires_at) WHERE approved_at IS NULL;
CREATE INDEX drafts_account ON drafts (account_id);

CREATE TABLE draft_answers (
    draft_id  INTEGER NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    field_id  TEXT NOT NULL,
    value     TEXT NOT NULL,
    PRIMARY KEY (draft_id, field_id)
) STRICT, WITHOUT ROWID;

-- Per page: when it was last opened (each page has 30 minutes) and whether it is complete.
CREATE TABLE draft_pages (
    draft_id   INTEGER NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    page_id    TEXT NOT NULL,
    opened_at  INTEGER NOT NULL,
    done       INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1)),
    PRIMARY KEY (draft_id, page_id)
) STRICT, WITHOUT ROWID;

-- step 4: documents
-- Photos of documents, cleaned and re-encoded, with a thumbnail. One per upload field;
-- deleted with their draft. `reference` is the random public id used in URLs.
CREATE TABLE documents (
    id          INTEGER PRIMARY KEY,
    reference   TEXT NOT NULL UNIQUE,
    draft_id    INTEGER NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    field_id    TEXT NOT NULL,
    filename    TEXT NOT NULL,
    mime        TEXT NOT NULL CHECK (mime IN ('image/jpeg', 'image/png')),
    bytes       BLOB NOT NULL,
    thumbnail   BLOB NOT NULL,
    size        INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (draft_id, field_id)
) STRICT;

-- step 5: payments, cases and their status history
-- An approved draft becomes a submitted application when its fee is paid; it is
-- then never deleted by the draft expiry (which only deletes unapproved drafts).
ALTER TABLE drafts ADD COLUMN submitted_at INTEGER;

-- One row per payment attempt. Amounts in öre. Never a card number or CVC: only
-- what the provider tells back (brand, last four digits, outcome).
CREATE TABLE payments (
    id               INTEGER PRIMARY KEY,
    reference        TEXT NOT NULL UNIQUE,
    draft_id         INTEGER NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    attempt          INTEGER NOT NULL,
    -- Sent with the create call: a retried call gives back the same provider payment.
    idempotency_key  TEXT NOT NULL UNIQUE,
    gateway_id       TEXT UNIQUE,
    next_url         TEXT,
    amount           INTEGER NOT NULL CHECK (amount > 0),
    currency         TEXT NOT NULL DEFAULT 'SEK' CHECK (currency = 'SEK'),
    state            TEXT NOT NULL CHECK (state IN ('created', 'started', 'three_ds_required', 'success', 'failed', 'cancelled', 'error')),
    outcome          TEXT,
    brand            TEXT,
    last4            TEXT CHECK (last4 IS NULL OR length(last4) = 4),
    created_at       INTEGER NOT NULL,
    finished_at      INTEGER,
    UNIQUE (draft_id, attempt)
) STRICT;
-- Exactly one successful payment per application, whatever the races.
CREATE UNIQUE INDEX payments_one_success ON payments (draft_id) WHERE state = 'success';

-- A submitted application: its verification number and current status.
CREATE TABLE cases (
    id            INTEGER PRIMARY KEY,
    verification  TEXT NOT NULL UNIQUE CHECK (length(verification) = 11),
    draft_id      INTEGER NOT NULL UNIQUE REFERENCES drafts (id) ON DELETE CASCADE,
    account_id    INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    payment_id    INTEGER NOT NULL UNIQUE REFERENCES payments (id),
    form_id       TEXT NOT NULL,
    status        TEXT NOT NULL,
    submitted_at  INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX cases_account ON cases (account_id, submitted_at);

-- Every status a case has had, oldest first.
CREATE TABLE case_events (
    id       INTEGER PRIMARY KEY,
    case_id  INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    status   TEXT NOT NULL,
    at       INTEGER NOT NULL,
    actor    TEXT NOT NULL
) STRICT;
CREATE INDEX case_events_case ON case_events (case_id, at);

-- The built-in mock acquirer's own book, as a real provider would keep it on its
-- side: what the portal may ask about a payment. No card number, no CVC.
CREATE TABLE mock_acquirer_payments (
    id               TEXT PRIMARY KEY,
    idempotency_key  TEXT NOT NULL UNIQUE,
    amount           INTEGER NOT NULL CHECK (amount > 0),
    description      TEXT NOT NULL,
    return_url       TEXT NOT NULL,
    lang             TEXT NOT NULL CHECK (lang IN ('sv', 'en')),
    state            TEXT NOT NULL,
    outcome          TEXT,
    scenario         TEXT,
    brand            TEXT,
    last4            TEXT,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- step 6: changing the email address; My Page's list of unfinished applications
-- The codes table again, its purposes now including change_email (a code sent to
-- the new address, which is the code's target). SQLite cannot alter a CHECK.
CREATE TABLE codes_new (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    purpose     TEXT NOT NULL CHECK (purpose IN ('confirm_email', 'enrol_phone', 'login_sms', 'change_email')),
    code_hash   BLOB NOT NULL,
    -- the phone number being enrolled (enrol_phone) or the new address (change_email)
    target      TEXT,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    used_at     INTEGER
) STRICT;
INSERT INTO codes_new (id, account_id, purpose, code_hash, target, created_at, expires_at, attempts, used_at)
    SELECT id, account_id, purpose, code_hash, target, created_at, expires_at, attempts, used_at FROM codes;
DROP TABLE codes;
ALTER TABLE codes_new RENAME TO codes;
CREATE INDEX codes_account ON codes (account_id, purpose);
CREATE INDEX codes_expiry ON codes (expires_at);

-- My Page lists the drafts not yet submitted, newest first, without reading the others.
CREATE INDEX drafts_open ON drafts (account_id, created_at) WHERE submitted_at IS NULL;

-- step 7: staff accounts, their sessions, and the audit log
-- Staff are the agency's people (support, caseworker, admin). They are created on
-- the command line and finish their account through a one-time setup link, where
-- they choose a password and enrol an authenticator app (TOTP).
CREATE TABLE staff (
    id              INTEGER PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE COLLATE NOCASE,
    role            TEXT NOT NULL CHECK (role IN ('support', 'caseworker', 'admin')),
    -- NULL until the setup link has been used
    password_hash   TEXT,
    -- The authenticator's shared secret (RFC 6238). It must be readable to check a
    -- code, so it cannot be hashed; it never leaves the server after enrolment.
    totp_secret     BLOB NOT NULL,
    -- the last TOTP time step accepted: a code is good once
    totp_last_step  INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    setup_at        INTEGER,
    disabled_at     INTEGER,
    failed_logins   INTEGER NOT NULL DEFAULT 0,
    last_failed_at  INTEGER
) STRICT;

CREATE TABLE staff_setup_links (
    token_hash  BLOB PRIMARY KEY,
    staff_id    INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
) STRICT, WITHOUT ROWID;

-- Staff sessions: their own cookie and table, never mixed with applicants'.
CREATE TABLE staff_sessions (
    id_hash       BLOB PRIMARY KEY,
    staff_id      INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX staff_sessions_staff ON staff_sessions (staff_id);
CREATE INDEX staff_sessions_last_seen ON staff_sessions (last_seen_at);

-- Who did what to whom, when, from where. Never a password, code, token, session
-- id or card data: `detail` holds only plain facts such as a status change.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    actor_kind  TEXT NOT NULL CHECK (actor_kind IN ('staff', 'applicant', 'anonymous', 'system')),
    -- the staff member's or applicant's email address, or the address tried
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    target      TEXT,
    ip          TEXT,
    detail      TEXT
) STRICT;
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_action ON audit_log (action, at);

-- step 8: cases that outlive a closed account, the caseworkers' status steps, the questionnaire
-- Tables are rebuilt here (SQLite cannot alter a column's constraints); the
-- migration runs each step with foreign keys off and checks them before committing.

-- A draft without an account is a questionnaire answered by the person in Sweden,
-- or an application whose account was closed after it was submitted: its answers
-- stay with the case.
CREATE TABLE drafts_new (
    id             INTEGER PRIMARY KEY,
    reference      TEXT NOT NULL UNIQUE,
    account_id     INTEGER REFERENCES accounts (id) ON DELETE CASCADE,
    form_id        TEXT NOT NULL,
    lang           TEXT NOT NULL CHECK (lang IN ('sv', 'en')),
    created_at     INTEGER NOT NULL,
    last_activity  INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    reminded_at    INTEGER,
    approved_at    INTEGER,
    revision       INTEGER NOT NULL DEFAULT 0,
    submitted_at   INTEGER
) STRICT;
INSERT INTO drafts_new (id, reference, account_id, form_id, lang, created_at, last_activity, expires_at, reminded_at, approved_at, revision, submitted_at)
    SELECT id, reference, account_id, form_id, lang, created_at, last_activity, expires_at, reminded_at, approved_at, revision, submitted_at FROM drafts;
DROP TABLE drafts;
ALTER TABLE drafts_new RENAME TO drafts;
CREATE INDEX drafts_expiry ON drafts (expires_at) WHERE approved_at IS NULL;
CREATE INDEX drafts_account ON drafts (account_id);
CREATE INDEX drafts_open ON drafts (account_id, created_at) WHERE submitted_at IS NULL;

-- A case stays with the agency when its account is closed (account_id becomes
-- NULL); `applicant_name` keeps who it is about, from the application's answers.
-- Statuses: received, in_progress (being processed), supplement_requested,
-- approved, rejected, closed.
CREATE TABLE cases_new (
    id              INTEGER PRIMARY KEY,
    verification    TEXT NOT NULL UNIQUE CHECK (length(verification) = 11),
    draft_id        INTEGER NOT NULL UNIQUE REFERENCES drafts (id),
    account_id      INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    payment_id      INTEGER NOT NULL UNIQUE REFERENCES payments (id),
    form_id         TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('received', 'in_progress', 'supplement_requested', 'approved', 'rejected', 'closed')),
    submitted_at    INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    applicant_name  TEXT NOT NULL DEFAULT ''
) STRICT;
INSERT INTO cases_new (id, verification, draft_id, account_id, payment_id, form_id, status, submitted_at, updated_at, applicant_name)
    SELECT c.id, c.verification, c.draft_id, c.account_id, c.payment_id, c.form_id,
           CASE WHEN c.status IN ('received', 'in_progress', 'supplement_requested') THEN c.status ELSE 'approved' END,
           c.submitted_at, c.updated_at,
           trim(COALESCE((SELECT value FROM draft_answers WHERE draft_id = c.draft_id AND field_id = 'given_names'), '')
                || ' ' || COALESCE((SELECT value FROM draft_answers WHERE draft_id = c.draft_id AND field_id = 'family_name'), ''))
    FROM cases c;
DROP TABLE cases;
ALTER TABLE cases_new RENAME TO cases;
CREATE INDEX cases_account ON cases (account_id, submitted_at);
-- The caseworkers' list: by status, newest first, and by date alone.
CREATE INDEX cases_status ON cases (status, submitted_at);
CREATE INDEX cases_submitted ON cases (submitted_at);

-- The timeline of a case: status changes (from, to, the caseworker's message) and
-- other things that happened to it (kind), oldest first. `actor` is who did it.
ALTER TABLE case_events ADD COLUMN kind TEXT NOT NULL DEFAULT 'status'
    CHECK (kind IN ('status', 'questionnaire_sent', 'questionnaire_answered'));
ALTER TABLE case_events ADD COLUMN from_status TEXT;
ALTER TABLE case_events ADD COLUMN message TEXT;

-- The questionnaire for the person in Sweden named in an application. Reached by
-- the emailed link (token, stored as its hash) or from the website with the case's
-- verification number and this person's personal identity number (`pin`, as
-- 12 digits). Its answers are an account-less draft of the questionnaire form.
CREATE TABLE questionnaires (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL UNIQUE REFERENCES cases (id) ON DELETE CASCADE,
    draft_id     INTEGER UNIQUE REFERENCES drafts (id) ON DELETE SET NULL,
    form_id      TEXT NOT NULL,
    name         TEXT NOT NULL,
    email        TEXT NOT NULL,
    pin          TEXT NOT NULL,
    lang         TEXT NOT NULL CHECK (lang IN ('sv', 'en')),
    token_hash   BLOB NOT NULL UNIQUE,
    sent_at      INTEGER NOT NULL,
    reminded_at  INTEGER,
    answered_at  INTEGER
) STRICT;
CREATE INDEX questionnaires_reminder ON questionnaires (sent_at) WHERE answered_at IS NULL AND reminded_at IS NULL;

-- Sessions again: a session may now be the person in Sweden's, for one
-- questionnaire (method 'questionnaire'), and e-identification methods are allowed.
CREATE TABLE sessions_new (
    id_hash           BLOB PRIMARY KEY,
    account_id        INTEGER REFERENCES accounts (id) ON DELETE CASCADE,
    questionnaire_id  INTEGER REFERENCES questionnaires (id) ON DELETE CASCADE,
    stage             TEXT NOT NULL CHECK (stage IN ('pending_email', 'pending_sms', 'authenticated')),
    method            TEXT NOT NULL CHECK (method IN ('password', 'password_sms', 'questionnaire', 'bankid', 'mobile_bankid', 'telia', 'professional')),
    assurance         TEXT NOT NULL CHECK (assurance IN ('none', 'basic', 'substantial')),
    created_at        INTEGER NOT NULL,
    last_seen_at      INTEGER NOT NULL,
    last_step_at      INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO sessions_new (id_hash, account_id, stage, method, assurance, created_at, last_seen_at, last_step_at)
    SELECT id_hash, account_id, stage, method, assurance, created_at, last_seen_at, last_step_at FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_new RENAME TO sessions;
CREATE INDEX sessions_account ON sessions (account_id);
CREATE INDEX sessions_last_seen ON sessions (last_seen_at);
CREATE INDEX sessions_questionnaire ON sessions (questionnaire_id) WHERE questionnaire_id IS NOT NULL;

-- The support desk finds an account by its phone number (already UNIQUE, so
-- indexed) or by a case's verification number (UNIQUE too); nothing to add.

-- step 9: e-identification (BankID, Mobile BankID, Telia e-ID, professional e-ID)
-- A person identified by e-identification is known by personal identity number
-- (12 digits). An account gets one when its owner links it from such a session
-- (by the code emailed to the account's address); one number, one account.
ALTER TABLE accounts ADD COLUMN pin TEXT;
CREATE UNIQUE INDEX accounts_pin ON accounts (pin) WHERE pin IS NOT NULL;

-- An e-identification session without an account: the person (`pin`, `person_name`)
-- sees the cases whose applicant has that number. A professional e-ID session also
-- names the person's organisation (municipality or region) from the configured list.
ALTER TABLE sessions ADD COLUMN pin TEXT;
ALTER TABLE sessions ADD COLUMN person_name TEXT;
ALTER TABLE sessions ADD COLUMN organisation TEXT;

-- The applicant's own personal identity number, when the application asked for it
-- (field `personal_identity_number`); how an e-identified person finds their cases.
ALTER TABLE cases ADD COLUMN applicant_pin TEXT;
UPDATE cases SET applicant_pin = (SELECT value FROM draft_answers
    WHERE draft_id = cases.draft_id AND field_id = 'personal_identity_number');
CREATE INDEX cases_applicant_pin ON cases (applicant_pin, submitted_at) WHERE applicant_pin IS NOT NULL;

-- Codes may now link an account to the personal identity number (the target) of
-- an e-identified person.
CREATE TABLE codes_new (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    purpose     TEXT NOT NULL CHECK (purpose IN ('confirm_email', 'enrol_phone', 'login_sms', 'change_email', 'link_pin')),
    code_hash   BLOB NOT NULL,
    -- the phone number being enrolled (enrol_phone), the new address (change_email)
    -- or the personal identity number being linked (link_pin)
    target      TEXT,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    used_at     INTEGER
) STRICT;
INSERT INTO codes_new (id, account_id, purpose, code_hash, target, created_at, expires_at, attempts, used_at)
    SELECT id, account_id, purpose, code_hash, target, created_at, expires_at, attempts, used_at FROM codes;
DROP TABLE codes;
ALTER TABLE codes_new RENAME TO codes;
CREATE INDEX codes_account ON codes (account_id, purpose);
CREATE INDEX codes_expiry ON codes (expires_at);
CREATE INDEX codes_link ON codes (target) WHERE purpose = 'link_pin';

-- The timeline gains reports from partners: a municipality or region reporting
-- (professional e-ID) that a health examination was offered. Shown to caseworkers.
CREATE TABLE case_events_new (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    status       TEXT NOT NULL,
    at           INTEGER NOT NULL,
    actor        TEXT NOT NULL,
    kind         TEXT NOT NULL DEFAULT 'status'
        CHECK (kind IN ('status', 'questionnaire_sent', 'questionnaire_answered', 'health_examination')),
    from_status  TEXT,
    message      TEXT
) STRICT;
INSERT INTO case_events_new (id, case_id, status, at, actor, kind, from_status, message)
    SELECT id, case_id, status, at, actor, kind, from_status, message FROM case_events;
DROP TABLE case_events;
ALTER TABLE case_events_new RENAME TO case_events;
CREATE INDEX case_events_case ON case_events (case_id, at);

-- The audit log names a new kind of actor: a partner (municipality or region
-- staff by professional e-ID).
CREATE TABLE audit_log_new (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    actor_kind  TEXT NOT NULL CHECK (actor_kind IN ('staff', 'applicant', 'anonymous', 'system', 'partner')),
    -- the staff member's or applicant's email address, the address tried, or a
    -- personal identity number (e-identification)
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    target      TEXT,
    ip          TEXT,
    detail      TEXT
) STRICT;
INSERT INTO audit_log_new (id, at, actor_kind, actor, action, target, ip, detail)
    SELECT id, at, actor_kind, actor, action, target, ip, detail FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_new RENAME TO audit_log;
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_action ON audit_log (action, at);

-- step 10: My Page's revision
-- What an account's My Page lists (its unfinished applications, cases and receipts)
-- is rendered once and served again while the account's `revision` stands
-- (src/page_cache.rs). These triggers move the revision on with every change to
-- those rows, whoever makes it. A later step that rebuilds one of these tables
-- must create its triggers again.
ALTER TABLE accounts ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER drafts_listed_insert AFTER INSERT ON drafts WHEN NEW.account_id IS NOT NULL
BEGIN
    UPDATE accounts SET revision = revision + 1 WHERE id = NEW.account_id;
END;
-- Saving a page moves the deletion date on, but the listed date (UTC) changes at
-- most once a day: a save within the same day leaves the account row alone.
CREATE TRIGGER drafts_listed_update AFTER UPDATE ON drafts
WHEN NEW.account_id IS NOT OLD.account_id OR NEW.reference IS NOT OLD.reference
    OR NEW.form_id IS NOT OLD.form_id OR NEW.created_at IS NOT OLD.created_at
    OR NEW.expires_at / 86400 IS NOT OLD.expires_at / 86400
    OR NEW.approved_at IS NOT OLD.approved_at OR NEW.submitted_at IS NOT OLD.submitted_at
BEGIN
    UPDATE accounts SET revision = revision + 1 WHERE id IN (OLD.account_id, NEW.account_id);
END;
CREATE TRIGGER drafts_listed_delete AFTER DELETE ON drafts WHEN OLD.account_id IS NOT NULL
BEGIN
    UPDATE accounts SET revision = revision + 1 WHERE id = OLD.account_id;
END;

CREATE TRIGGER cases_listed_insert AFTER INSERT ON cases WHEN NEW.account_id IS NOT NULL
BEGIN
    UPDATE accounts SET revision = revision + 1 WHERE id = NEW.account_id;
END;
CREATE TRIGGER cases_listed_update AFTER UPDATE ON cases
BEGIN
    UPDATE accounts SET revision = revision + 1 WHERE id IN (OLD.account_id, NEW.account_id);
END;
CREATE TRIGGER cases_listed_delete AFTER DELETE ON cases WHEN OLD.account_id IS NOT NULL
BEGIN
    UPDATE accounts SET revision = revision + 1 WHERE id = OLD.account_id;
END;

-- A receipt is a case's payment.
CREATE TRIGGER payments_listed_update AFTER UPDATE ON payments
BEGIN
    UPDATE accounts SET revision = revision + 1
    WHERE id IN (SELECT account_id FROM cases WHERE payment_id = NEW.id);
END;

-- step 11: account security: codes that confirm a change, sessions listed on My Page
-- Codes may now confirm a change to how an account is protected: a code to the
-- current phone before two-step verification is turned off or the email address
-- changed (confirm_change; the target says which change), and the codes support
-- asks a caller to read out: from the new phone (support_phone, target the
-- number), from the account's address (support_mail) or from a corrected address
-- (support_email, target the address).
CREATE TABLE codes_new (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    purpose     TEXT NOT NULL CHECK (purpose IN ('confirm_email', 'enrol_phone', 'login_sms', 'change_email', 'link_pin',
                                                 'confirm_change', 'support_phone', 'support_mail', 'support_email')),
    code_hash   BLOB NOT NULL,
    target      TEXT,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    used_at     INTEGER
) STRICT;
INSERT INTO codes_new (id, account_id, purpose, code_hash, target, created_at, expires_at, attempts, used_at)
    SELECT id, account_id, purpose, code_hash, target, created_at, expires_at, attempts, used_at FROM codes;
DROP TABLE codes;
ALTER TABLE codes_new RENAME TO codes;
CREATE INDEX codes_account ON codes (account_id, purpose);
CREATE INDEX codes_expiry ON codes (expires_at);
CREATE INDEX codes_link ON codes (target) WHERE purpose = 'link_pin';

-- My Page lists an account's sessions: the address and browser of the latest request.
ALTER TABLE sessions ADD COLUMN ip TEXT;
ALTER TABLE sessions ADD COLUMN user_agent TEXT;

-- A sign-up that sent no code (the address has an account, or another browser's
-- sign-up of it is waiting) still answers like one that did: when its "code" was
-- sent, the wrong tries at it, and (per address, by a keyed hash, as a real
-- account's codes are counted) the wrong tries of the last day.
ALTER TABLE sessions ADD COLUMN decoy_sent_at INTEGER;
ALTER TABLE sessions ADD COLUMN decoy_tries INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN decoy_address BLOB;
CREATE TABLE sign_up_decoys (
    address_hash  BLOB PRIMARY KEY,
    since         INTEGER NOT NULL,
    wrong         INTEGER NOT NULL DEFAULT 0
) STRICT, WITHOUT ROWID;

-- step 12: refunds
-- A charge the portal cannot accept (another attempt had already paid for the
-- application, or the provider reports another amount) goes back to the card:
-- when the provider confirmed the refund.
ALTER TABLE payments ADD COLUMN refunded_at INTEGER;
-- The built-in mock acquirer keeps how much of each payment went back.
ALTER TABLE mock_acquirer_payments ADD COLUMN refunded INTEGER NOT NULL DEFAULT 0;

-- step 13: the code page names the address a sign-up typed
-- The address typed at sign-up, kept with the sign-up's session so the code page
-- can say where the code went (also for a sign-up that sent none).
ALTER TABLE sessions ADD COLUMN typed_email TEXT;

-- step 14: approved applications waiting for their fee, found by approval time
-- The expiry job deletes approved but unpaid applications 30 days after approval;
-- this keeps that from reading every draft.
CREATE INDEX drafts_unpaid ON drafts (approved_at) WHERE submitted_at IS NULL AND approved_at IS NOT NULL;

-- step 15: documents of decided cases deleted under their retention
-- When the cleanup job deleted a decided case's documents under
-- closed_case_document_retention_days; the case page says so.
ALTER TABLE cases ADD COLUMN documents_deleted_at INTEGER;

-- step 16: outbox messages that hold a code
-- A failed message keeps its body for support to resend, unless it holds a code
-- or a link that works as one. Rows queued before this step may hold one.
ALTER TABLE outbox ADD COLUMN holds_secret INTEGER NOT NULL DEFAULT 1;

-- step 17: the mock acquirer's 3-D Secure page allows three tries
-- Wrong codes given so far on a payment's 3-D Secure page; the third fails it.
ALTER TABLE mock_acquirer_payments ADD COLUMN challenge_misses INTEGER NOT NULL DEFAULT 0;

-- step 18: approvals signed with e-identification
-- An application approved by signing with BankID: who signed, when, what the
-- signed text said and the hash of the answers it named, and the service's
-- signature and OCSP response (base64, as the service returned them).
CREATE TABLE draft_signatures (
    draft_id         INTEGER PRIMARY KEY REFERENCES drafts (id) ON DELETE CASCADE,
    method           TEXT NOT NULL,
    personal_number  TEXT NOT NULL,
    name             TEXT NOT NULL,
    signed_at        INTEGER NOT NULL,
    visible_text     TEXT NOT NULL,
    answers_hash     TEXT NOT NULL,
    signature        TEXT NOT NULL,
    ocsp_response    TEXT
) STRICT;

-- step 19: integration API clients and their webhook deliveries
-- A client system (a case-management system) reads cases and moves them through
-- the API with a bearer token, of which only a SHA-256 is kept. Its webhook
-- secret is not stored: it is derived from the installation key and `secret_salt`.
CREATE TABLE api_clients (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    token_hash   BLOB NOT NULL UNIQUE,
    webhook_url  TEXT,
    secret_salt  TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    revoked_at   INTEGER
) STRICT;
CREATE UNIQUE INDEX api_clients_active_name ON api_clients (name) WHERE revoked_at IS NULL;
-- Events for a client's webhook, queued in the transaction that causes them and
-- sent by the outbox's worker with its retries and backoff.
CREATE TABLE webhook_deliveries (
    id               INTEGER PRIMARY KEY,
    client_id        INTEGER NOT NULL REFERENCES api_clients (id) ON DELETE CASCADE,
    event            TEXT NOT NULL,
    body             TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    last_error       TEXT,
    created_at       INTEGER NOT NULL,
    sent_at          INTEGER
) STRICT;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'queued';
-- The audit log names a new kind of actor: a client system of the API, by its name.
CREATE TABLE audit_log_new (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    actor_kind  TEXT NOT NULL CHECK (actor_kind IN ('staff', 'applicant', 'anonymous', 'system', 'partner', 'api_client')),
    -- the staff member's or applicant's email address, the address tried, a
    -- personal identity number (e-identification), or an API client's name
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    target      TEXT,
    ip          TEXT,
    detail      TEXT
) STRICT;
INSERT INTO audit_log_new (id, at, actor_kind, actor, action, target, ip, detail)
    SELECT id, at, actor_kind, actor, action, target, ip, detail FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_new RENAME TO audit_log;
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_action ON audit_log (action, at);

-- step 20: caseworkers search, assign and export cases
-- The applicant's email address as the application gave it, for the caseworkers'
-- search (found through its index, never by reading answers).
ALTER TABLE cases ADD COLUMN applicant_email TEXT NOT NULL DEFAULT '' COLLATE NOCASE;
UPDATE cases SET applicant_email = lower(trim(COALESCE((SELECT value FROM draft_answers
    WHERE draft_id = cases.draft_id AND field_id = 'email'), '')));
CREATE INDEX cases_applicant_email ON cases (applicant_email, submitted_at);
-- The caseworker who has the case; NULL while nobody has taken it. "My cases"
-- is the caseworkers' default list, newest first.
ALTER TABLE cases ADD COLUMN assigned_to INTEGER REFERENCES staff (id);
CREATE INDEX cases_assigned ON cases (assigned_to, submitted_at);
-- Applicant names by word (any case, accents optional: "oberg" finds "Öberg"),
-- kept in step with `cases` by its triggers.
CREATE VIRTUAL TABLE cases_names USING fts5 (
    applicant_name, content = 'cases', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER cases_names_insert AFTER INSERT ON cases BEGIN
    INSERT INTO cases_names (rowid, applicant_name) VALUES (new.id, new.applicant_name);
END;
CREATE TRIGGER cases_names_delete AFTER DELETE ON cases BEGIN
    INSERT INTO cases_names (cases_names, rowid, applicant_name) VALUES ('delete', old.id, old.applicant_name);
END;
CREATE TRIGGER cases_names_update AFTER UPDATE OF applicant_name ON cases BEGIN
    INSERT INTO cases_names (cases_names, rowid, applicant_name) VALUES ('delete', old.id, old.applicant_name);
    INSERT INTO cases_names (rowid, applicant_name) VALUES (new.id, new.applicant_name);
END;
INSERT INTO cases_names (cases_names) VALUES ('rebuild');

-- step 21: My Page's case list from its index alone
-- Every column the list shows, in the list's order (newest first, then by id), so
-- reading an account's cases looks up no row in the table and sorts nothing.
CREATE INDEX cases_account_listed ON cases (account_id, submitted_at, id, verification, form_id, status);
DROP INDEX cases_account;
