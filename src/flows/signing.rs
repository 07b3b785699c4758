//! Approving an application by signing it with BankID, as the reference page
//! describes e-identification ("to authenticate your identity and sign documents
//! in e-services"). The text signed names the application and a hash of its
//! answers; only the applicant (the personal identity number the application
//! gives) may sign; the service's proof is kept with the approval for the
//! caseworker. Approving by ticking the box stays for people without e-ID.
use crate::db::signatures::Signature;
use crate::domain::forms::answers::{applicant_pin, summary_hash};
use crate::domain::forms::FormDef;
use crate::domain::session::{Method, SessionView};
use crate::domain::Lang;
use crate::error::AppError;
use crate::flows::apply::{self, Approval, DraftState};
use crate::i18n::Texts;
use crate::outbound::eid::orders::{Finished, Signing};
use crate::outbound::eid::{EidError, Provider};
use crate::state::AppState;

/// Why an application cannot be signed now.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Not every page is complete, or the review shown is older than the answers.
    NotReady,
    AlreadyApproved,
    /// The application gives no Swedish personal identity number to sign with.
    NoPin,
    /// The person is known (by e-identification) as someone other than the applicant.
    NotTheApplicant,
    /// The service could not start the order.
    Unavailable(EidError),
}

/// The methods an application is signed with.
pub const METHODS: [Method; 2] = [Method::BankId, Method::MobileBankId];

/// Whether the person may sign `current`: it has the applicant's number, and the
/// person is not known by e-identification as someone else. The number to sign with.
pub fn signer(current: &DraftState, session: Option<&SessionView>) -> Result<String, Refusal> {
    let pin = applicant_pin(&current.answers).ok_or(Refusal::NoPin)?;
    let known = session.and_then(|s| s.pin.as_ref().or(s.account_pin.as_ref()));
    match known {
        Some(known) if *known != pin => Err(Refusal::NotTheApplicant),
        _ => Ok(pin),
    }
}

/// What the person signs: the application's type and reference, and the hash of
/// its answers (shown, and signed again unseen).
pub fn signing_of(current: &DraftState, form: &FormDef, lang: Lang) -> Signing {
    let answers_hash = summary_hash(&form.id, &current.answers);
    let text = Texts::new(lang).tf(
        "sign.text",
        &[
            ("type", form.title.get(lang)),
            ("reference", &current.draft.reference),
            ("hash", &answers_hash),
        ],
    );
    Signing {
        reference: current.draft.reference.clone(),
        revision: current.draft.revision,
        answers_hash,
        text,
    }
}

/// Starts signing the approval of `current`, as shown at `revision`, for the
/// browser whose order key is `key`.
#[allow(clippy::too_many_arguments)]
pub async fn start(
    state: &AppState,
    key: Vec<u8>,
    method: Method,
    ip: &str,
    current: &DraftState,
    form: &FormDef,
    revision: i64,
    session: Option<&SessionView>,
    lang: Lang,
) -> Result<(), Refusal> {
    if current.draft.approved_at.is_some() {
        return Err(Refusal::AlreadyApproved);
    }
    if current.position(form).first_incomplete().is_some() || revision != current.draft.revision {
        return Err(Refusal::NotReady);
    }
    let pin = signer(current, session)?;
    if !METHODS.contains(&method) || !state.eid.offers(Provider::BankId) {
        return Err(Refusal::Unavailable(EidError::Unavailable));
    }
    let signing = signing_of(current, form, lang);
    state
        .eid
        .start_signing(key, method, ip, &pin, signing, state.now())
        .await
        .map_err(Refusal::Unavailable)
}

/// How a finished signature ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Signed {
    Approved,
    AlreadyApproved,
    /// The answers changed after the text was signed: it names other answers.
    Changed,
    /// Someone other than the applicant signed.
    NotTheApplicant,
}

/// Approves `current` with the signature of a finished order, if the signer is
/// the applicant and the answers are still those the signed text names.
pub async fn finish(
    state: &AppState,
    current: &DraftState,
    form: &FormDef,
    finished: Finished,
) -> Result<Signed, AppError> {
    let (Some(signing), Some(proof)) = (finished.signing, finished.who.signature) else {
        return Err(AppError::Unexpected(anyhow::anyhow!(
            "a signing order completed without its signature"
        )));
    };
    if current.draft.approved_at.is_some() {
        return Ok(Signed::AlreadyApproved);
    }
    // Changed answers first: a number edited meanwhile is a change, not another signer.
    if signing.reference != current.draft.reference
        || signing.revision != current.draft.revision
        || signing.answers_hash != summary_hash(&form.id, &current.answers)
    {
        return Ok(Signed::Changed);
    }
    if applicant_pin(&current.answers).as_deref() != Some(finished.who.pin.as_str()) {
        return Ok(Signed::NotTheApplicant);
    }
    let signature = Signature {
        method: finished.method.as_str().to_string(),
        personal_number: finished.who.pin,
        name: finished.who.name,
        signed_at: state.now(),
        visible_text: signing.text,
        answers_hash: signing.answers_hash,
        signature: proof.signature,
        ocsp_response: proof.ocsp_response,
    };
    Ok(
        match apply::approve_signed(state, current, form, signing.revision, signature).await? {
            Approval::Approved => Signed::Approved,
            Approval::AlreadyApproved => Signed::AlreadyApproved,
            Approval::NotReady | Approval::NotConfirmed => Signed::Changed,
        },
    )
}
