//! Every URL of the site, spelled once: handlers, views, flows (the links in
//! emails) and jobs build their links here. The route table in `web/mod.rs`
//! matches the same paths; the fakes spell their own under their own prefixes.
//! A path with a query is its own constant where a page is reached with it.

pub const ACCOUNT: &str = "/account";
pub const ACCOUNT_CONFIRM: &str = "/account/confirm";
pub const ACCOUNT_CONFIRM_RESEND: &str = "/account/confirm/resend";
pub const ACCOUNT_CONFIRM_RESTART: &str = "/account/confirm/restart";
pub const ACCOUNT_CONFIRM_SENT: &str = "/account/confirm?sent=1";
pub const ACCOUNT_CONFIRM_WAIT: &str = "/account/confirm?wait=1";
pub const ACCOUNT_CREATE: &str = "/account/create";
pub const ACCOUNT_CREATED: &str = "/account/created";
pub const ACCOUNT_EMAIL: &str = "/account/email";
pub const ACCOUNT_EMAIL_VERIFY: &str = "/account/email/verify";
pub const ACCOUNT_EMAIL_PHONE: &str = "/account/email/phone";
pub const ACCOUNT_SESSIONS: &str = "/account/sessions";
pub const ACCOUNT_SESSIONS_END: &str = "/account/sessions/end";
pub const ACCOUNT_SESSIONS_END_OTHERS: &str = "/account/sessions/end-others";
pub const ACCOUNT_SESSIONS_ENDED: &str = "/account/sessions?ended=1";
pub const ACCOUNT_TWO_STEP_OFF_VERIFY: &str = "/account/two-step/off/verify";
pub const ACCOUNT_EMAIL_VERIFY_WAIT: &str = "/account/email/verify?wait=1";
pub const ACCOUNT_LINK: &str = "/account/link";
pub const ACCOUNT_LINK_VERIFY: &str = "/account/link/verify";
pub const ACCOUNT_UNLINK: &str = "/account/unlink";
pub const ACCOUNT_PASSWORD: &str = "/account/password";
pub const ACCOUNT_TWO_STEP: &str = "/account/two-step";
pub const ACCOUNT_TWO_STEP_OFF: &str = "/account/two-step/off";
pub const ACCOUNT_TWO_STEP_VERIFY: &str = "/account/two-step/verify";
pub const ACCOUNT_TWO_STEP_VERIFY_WAIT: &str = "/account/two-step/verify?wait=1";
pub const ACCOUNT_EMAIL_CHANGED: &str = "/account?email=changed";
pub const ACCOUNT_LINK_SMS: &str = "/account?link=sms";
pub const ACCOUNT_LINKED: &str = "/account?linked=1";
pub const ACCOUNT_UNLINKED: &str = "/account?unlinked=1";
pub const ACCOUNT_UNLINK_REFUSED: &str = "/account?unlink=refused";
pub const ACCOUNT_PASSWORD_CHANGED: &str = "/account?password=changed";
pub const ACCOUNT_SAVED: &str = "/account?saved=1";
pub const ACCOUNT_TWOSTEP_OFF: &str = "/account?twostep=off";
pub const ACCOUNT_TWOSTEP_ON: &str = "/account?twostep=on";
/// Every application's pages are under this prefix.
pub const APPLICATIONS: &str = "/applications/";
pub const APPLICATIONS_NEW: &str = "/applications/new";
pub const ASSETS_MISSING: &str = "/assets/missing";
pub const DEV_MAILBOX: &str = "/dev/mailbox";
pub const HELP_LOGIN: &str = "/help/login";
pub const HELP_SUPPORT: &str = "/help/support";
pub const TERMS: &str = "/terms";
pub const CONTACT: &str = "/contact";
pub const ACCESSIBILITY: &str = "/accessibility";
pub const PRIVACY: &str = "/privacy";
pub const COOKIES: &str = "/cookies";
pub const LOGIN: &str = "/login";
pub const LOGIN_EID: &str = "/login/eid";
pub const LOGIN_EID_CANCEL: &str = "/login/eid/cancel";
pub const LOGIN_EID_START: &str = "/login/eid/start";
pub const LOGIN_EID_STATUS: &str = "/login/eid/status";
pub const LOGIN_SMS: &str = "/login/sms";
pub const LOGIN_SMS_RESEND: &str = "/login/sms/resend";
pub const LOGIN_SMS_CANCEL: &str = "/login/sms/cancel";
pub const LOGIN_SMS_SENT: &str = "/login/sms?sent=1";
pub const LOGIN_SMS_WAIT: &str = "/login/sms?wait=1";
pub const LOGIN_AGAIN: &str = "/login?again=1";
pub const LOGOUT: &str = "/logout";
pub const PARTNER: &str = "/partner";
pub const PARTNER_HEALTH_EXAMINATIONS: &str = "/partner/health-examinations";
pub const PASSWORD_FORGOT: &str = "/password/forgot";
pub const PASSWORD_FORGOT_SENT: &str = "/password/forgot?sent=1";
pub const PASSWORD_RESET: &str = "/password/reset";
pub const PASSWORD_RESET_DONE: &str = "/password/reset?done=1";
pub const QUESTIONNAIRE: &str = "/questionnaire";
pub const QUESTIONNAIRE_ANSWERED: &str = "/questionnaire?answered=1";
pub const QUESTIONNAIRE_LINK: &str = "/questionnaire/link";
pub const QUESTIONNAIRE_SAVED: &str = "/questionnaire?saved=1";
pub const STAFF: &str = "/staff";
pub const STAFF_AUDIT: &str = "/staff/audit";
pub const STAFF_CASES: &str = "/staff/cases";
pub const STAFF_LOGIN: &str = "/staff/login";
pub const STAFF_LOGIN_OUT: &str = "/staff/login?out=1";
pub const STAFF_LOGIN_SETUP: &str = "/staff/login?setup=1";
pub const STAFF_LOGOUT: &str = "/staff/logout";
pub const STAFF_SUPPORT: &str = "/staff/support";
pub const STAFF_SUPPORT_CLOSED: &str = "/staff/support?closed=1";
pub const USERNAME_FORGOT: &str = "/username/forgot";

/// The home page.
pub const HOME: &str = "/";

/// Where the static files are served (with a version, cached for good).
pub const ASSETS: &str = "/assets/";

/// Probes for load balancers and monitors: no session, no cookies, JSON.
pub const HEALTH: &str = "/health/";
/// The process is up.
pub const HEALTH_LIVE: &str = "/health/live";
/// The process can serve: database, schema and delivery worker.
pub const HEALTH_READY: &str = "/health/ready";

/// The Prometheus metrics, on the metrics address only.
pub const METRICS: &str = "/metrics";

/// The home page after logging out.
pub const HOME_LOGGED_OUT: &str = "/?logged_out=1";

/// The login page, coming back to `next` (already percent-encoded) afterwards.
pub fn login_then(next: &str) -> String {
    format!("{LOGIN}?next={next}")
}

/// The SMS code step of the login, coming back to `next` (percent-encoded) afterwards.
/// The login after a session ended on the page `next` (encoded): it says why.
pub fn login_ended_then(next: &str) -> String {
    if next.is_empty() {
        format!("{LOGIN}?ended=1")
    } else {
        format!("{LOGIN}?ended=1&next={next}")
    }
}

pub fn login_sms_then(next: &str) -> String {
    format!("{LOGIN_SMS}?next={next}")
}

/// Switches the language to `code` and goes back to `back` (percent-encoded).
pub fn switch_language(code: &str, back: &str) -> String {
    format!("/lang/{code}?back={back}")
}

/// A static file, with its version so it can be cached for good.
pub fn asset(name: &str, version: &str) -> String {
    format!("/assets/{name}?v={version}")
}

/// An application being filled in: the emailed link and My Page's "continue".
pub fn draft(reference: &str) -> String {
    format!("/applications/{reference}")
}

/// One page of an application.
pub fn draft_page(reference: &str, page: &str) -> String {
    format!("/applications/{reference}/pages/{page}")
}

/// Where a page's photo is uploaded (the page's own form, sent as multipart).
/// The draft's reference and the page's id of a [`draft_page`] path.
pub fn parse_draft_page(path: &str) -> Option<(&str, &str)> {
    let rest = path.strip_prefix(APPLICATIONS)?;
    let (reference, page) = rest.split_once("/pages/")?;
    let simple = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    (simple(reference) && simple(page)).then_some((reference, page))
}

pub fn draft_page_upload(reference: &str, page: &str) -> String {
    format!("/applications/{reference}/pages/{page}/upload")
}

/// Where a page's photo is removed (the page's own form, its Remove button).
pub fn draft_page_remove(reference: &str, page: &str) -> String {
    format!("/applications/{reference}/pages/{page}/remove")
}

/// The review page before approval (printable).
pub fn review(reference: &str) -> String {
    format!("/applications/{reference}/review")
}

/// The review page of an application that can no longer be changed.
pub fn review_locked(reference: &str) -> String {
    format!("/applications/{reference}/review?locked=1")
}

/// Where the application is approved (from the review page).
pub fn approve(reference: &str) -> String {
    format!("/applications/{reference}/approve")
}

/// Where signing the approval with e-identification starts (from the review page).
pub fn sign(reference: &str) -> String {
    format!("/applications/{reference}/sign")
}

/// The review page after a signature that could not approve the application (`why`).
pub fn review_not_signed(reference: &str, why: &str) -> String {
    format!("/applications/{reference}/review?unsigned={why}")
}

/// Where "Pay the fee" is sent.
pub fn pay(reference: &str) -> String {
    format!("/applications/{reference}/pay")
}

/// The payment page of an approved application.
pub fn approved(reference: &str) -> String {
    format!("/applications/{reference}/approved")
}

/// The payment page while the provider has not finished the payment.
pub fn approved_pending(reference: &str) -> String {
    format!("/applications/{reference}/approved?pending=1")
}

/// The box that says the application is paid for and submitted.
pub fn submitted(reference: &str) -> String {
    format!("/applications/{reference}/submitted")
}

/// Where the payment provider sends the person back.
pub fn payment_return(payment_reference: &str) -> String {
    format!("/payments/{payment_reference}/return")
}

/// A printable receipt.
pub fn receipt(payment_reference: &str) -> String {
    format!("/receipts/{payment_reference}")
}

/// A case's address is this, then its verification number (for pages that splice
/// it rather than make a string per case).
pub const CASE_PREFIX: &str = "/cases/";

/// A submitted application's case, as its applicant follows it.
pub fn case(verification: &str) -> String {
    format!("{CASE_PREFIX}{verification}")
}

/// A document's thumbnail.
pub fn document_thumbnail(reference: &str) -> String {
    format!("/documents/{reference}/thumbnail")
}

/// A document at full size.
pub fn document_file(reference: &str) -> String {
    format!("/documents/{reference}/file")
}

/// The emailed password reset link.
pub fn password_reset_link(token: &str) -> String {
    format!("{PASSWORD_RESET}?token={token}")
}

/// The emailed questionnaire link for the person in Sweden.
pub fn questionnaire_link(token: &str) -> String {
    format!("{QUESTIONNAIRE_LINK}?token={token}")
}

/// The partner page after a report on the case with this verification number.
pub fn partner_reported(verification: &str) -> String {
    format!("{PARTNER}?reported={verification}")
}

/// The staff setup page of a new member (the emailed or printed link).
pub fn staff_setup(token: &str) -> String {
    format!("/staff/setup?token={token}")
}

/// The authenticator QR code of the staff setup page.
pub fn staff_setup_qr(token: &str) -> String {
    format!("/staff/setup/qr?token={token}")
}

/// The caseworkers' list with a query (filters, page).
pub fn staff_cases_query(query: &str) -> String {
    format!("{STAFF_CASES}?{query}")
}

/// A case as the caseworker sees it.
pub fn staff_case(verification: &str) -> String {
    format!("{STAFF_CASES}/{verification}")
}

/// A case after its status changed.
pub fn staff_case_changed(verification: &str) -> String {
    format!("{STAFF_CASES}/{verification}?changed=1")
}

/// Where a case's status is changed.
pub fn staff_case_status(verification: &str) -> String {
    format!("{STAFF_CASES}/{verification}/status")
}

/// A document as the caseworker opens it.
pub fn staff_document(reference: &str) -> String {
    format!("/staff/documents/{reference}")
}

/// The caseworkers' list under `query` as a spreadsheet.
pub fn staff_cases_export(query: &str) -> String {
    format!("{STAFF_CASES}.csv?{query}")
}

/// One case as a ZIP archive (printable answers, documents, timeline, payment).
pub fn staff_case_archive(verification: &str) -> String {
    format!("{STAFF_CASES}/{verification}/archive.zip")
}

/// Where a caseworker takes a case or hands it to a colleague.
pub fn staff_case_assign(verification: &str) -> String {
    format!("{STAFF_CASES}/{verification}/assign")
}

/// The case page after its caseworker changed.
pub fn staff_case_assigned(verification: &str) -> String {
    format!("{STAFF_CASES}/{verification}?assigned=1")
}

/// A thumbnail of a submitted application's document, for caseworkers.
pub fn staff_document_thumbnail(reference: &str) -> String {
    format!("/staff/documents/{reference}?thumbnail=1")
}

/// The audit log with a query (filters, page).
pub fn staff_audit_query(query: &str) -> String {
    format!("{STAFF_AUDIT}?{query}")
}

/// One account as support sees it.
pub fn staff_support_account(id: i64) -> String {
    format!("{STAFF_SUPPORT}/{id}")
}

/// An action support takes on one account (`reveal`, `phone`, `email`, `close`,
/// `confirmation`).
pub fn staff_support_action(id: i64, action: &str) -> String {
    format!("{STAFF_SUPPORT}/{id}/{action}")
}

/// Support's resend of a message to an account that failed for good.
pub fn staff_support_message_resend(id: i64, message: i64) -> String {
    format!("{STAFF_SUPPORT}/{id}/messages/{message}/resend")
}

/// One account as support sees it, after an action (`done` names it).
pub fn staff_support_done(id: i64, done: &str) -> String {
    format!("{STAFF_SUPPORT}/{id}?done={done}")
}

/// The summary with a change waiting for the caller's codes (`phone` or `email`).
pub fn staff_support_pending(id: i64, what: &str) -> String {
    format!("{STAFF_SUPPORT}/{id}?pending={what}")
}

/// Support's page for the questionnaire of the case with this verification number.
pub fn staff_support_questionnaire(verification: &str) -> String {
    format!("{STAFF_SUPPORT}/questionnaires/{verification}")
}

/// Everything under here is the integration API: bearer tokens, JSON, no cookies.
pub const API: &str = "/api/";
pub const API_OPENAPI: &str = "/api/openapi.json";
pub const API_CASES: &str = "/api/v1/cases";
/// Administrators' list of webhook deliveries.
pub const STAFF_WEBHOOKS: &str = "/staff/webhooks";

/// A case in the integration API.
pub fn api_case(verification: &str) -> String {
    format!("{API_CASES}/{verification}")
}

/// A case's document in the integration API.
pub fn api_case_document(verification: &str, document: &str) -> String {
    format!("{API_CASES}/{verification}/documents/{document}")
}
