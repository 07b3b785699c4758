//! The built-in mock acquirer: a card payment provider inside the binary, so the
//! whole flow runs with no outside service. It behaves as a real provider's hosted
//! pages would: the card form and the bank's 3-D Secure page are its own, under
//! `/mock-acquirer/`, and the portal learns only the outcome, brand and last four
//! digits through the API. Each test card (README, "Card payment") has its outcome.
use crate::db::{self};
use crate::domain::date::Date;
use crate::domain::payment::{expired, Outcome, PaymentState};
use crate::domain::secret::public_reference;
use crate::domain::Lang;
use crate::error::AppError;
use crate::fakes::mock_acquirer::card::{
    check_cvc, scenario, CardNumber, CardProblem, Expiry, Scenario,
};
use crate::fakes::mock_acquirer::store::{self as book, MockPayment, NewMockPayment, Step};
use crate::web::web_state::WebState;

mod approving;
pub mod card;
pub mod handlers;

pub use approving::{Approving, APPROVED_CARD};
pub mod store;
pub mod views;

use crate::outbound::payment::{Created, NewPayment, Refunded, Report};

pub const PREFIX: &str = "/mock-acquirer";

pub const API_KEY_PURPOSE: &str = "mock-acquirer-api";

/// The key the portal presents to the mock's API.
pub fn api_key(state: &WebState) -> String {
    state.keyring.derived_secret(API_KEY_PURPOSE)
}

pub fn card_page(id: &str) -> String {
    format!("{PREFIX}/pay/{id}")
}

pub fn challenge_page(id: &str) -> String {
    format!("{PREFIX}/3ds/{id}")
}

/// The bank's one-time code for a payment's 3-D Secure step; worked out again
/// when needed, never stored.
pub fn challenge_code(state: &WebState, id: &str) -> String {
    state
        .keyring
        .derived_code("mock-acquirer-3ds", id)
        .expose()
        .to_string()
}

/// Creates a payment, or gives back the one made before with the same key.
pub async fn create(
    state: &WebState,
    request: NewPayment,
    idempotency_key: String,
) -> Result<Created, AppError> {
    let now = state.now();
    let lang = Lang::parse(&request.language).unwrap_or(Lang::Sv);
    let base = state.settings.public_url();
    let payment = db::write(&state.pool, move |tx| -> Result<MockPayment, AppError> {
        if let Some(existing) = book::by_idempotency_key(tx, &idempotency_key)? {
            return Ok(existing);
        }
        let id = public_reference();
        book::insert(
            tx,
            &NewMockPayment {
                id: &id,
                idempotency_key: &idempotency_key,
                amount: request.amount,
                description: &request.description,
                return_url: &request.return_url,
                lang,
            },
            now,
        )?;
        book::get(tx, &id)?.ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("lost payment")))
    })
    .await?;
    Ok(Created {
        next_url: format!("{base}{}", card_page(&payment.id)),
        payment_id: payment.id,
    })
}

/// The payment as the API reports it; an unfinished one past 90 minutes has expired.
pub async fn report(state: &WebState, id: String) -> Result<Option<Report>, AppError> {
    let Some(p) = load(state, id).await? else {
        return Ok(None);
    };
    Ok(Some(Report {
        payment_id: p.id,
        amount: p.amount,
        state: p.state.as_str().to_string(),
        outcome: p.outcome.map(|o| o.as_str().to_string()),
        card_brand: p.brand,
        last4: p.last4,
        refunded: p.refunded,
    }))
}

/// What a refund request came to.
pub enum Refund {
    Done(Refunded),
    /// Not a successful payment, or more than is left of it.
    Refused,
}

/// Refunds `amount` of a successful payment. Asking again for the whole amount of
/// a payment already refunded in full answers as the first time did: a retried
/// request never refunds twice.
pub async fn refund(state: &WebState, id: String, amount: i64) -> Result<Option<Refund>, AppError> {
    let now = state.now();
    db::write(&state.pool, move |tx| -> Result<_, AppError> {
        let Some(p) = book::get(tx, &id)? else {
            return Ok(None);
        };
        let repeated = p.refunded == p.amount && amount == p.amount;
        if !repeated && !book::refund(tx, &id, amount, now)? {
            return Ok(Some(Refund::Refused));
        }
        let refunded = if repeated {
            p.refunded
        } else {
            p.refunded + amount
        };
        Ok(Some(Refund::Done(Refunded {
            payment_id: p.id,
            refunded,
        })))
    })
    .await
}

/// The payment, with expiry applied first.
pub async fn load(state: &WebState, id: String) -> Result<Option<MockPayment>, AppError> {
    let now = state.now();
    db::write(&state.pool, move |tx| -> Result<_, AppError> {
        let Some(p) = book::get(tx, &id)? else {
            return Ok(None);
        };
        if !p.state.is_final() && expired(p.created_at, now) {
            book::step(tx, &id, &[p.state], &end(Outcome::Expired), now)?;
            return Ok(book::get(tx, &id)?);
        }
        if p.state == PaymentState::Created {
            // The person has opened the card page.
            book::step(
                tx,
                &id,
                &[PaymentState::Created],
                &to(PaymentState::Started),
                now,
            )?;
            return Ok(book::get(tx, &id)?);
        }
        Ok(Some(p))
    })
    .await
}

fn to(state: PaymentState) -> Step<'static> {
    Step {
        state,
        outcome: None,
        scenario: None,
        card: None,
    }
}

fn end(outcome: Outcome) -> Step<'static> {
    Step {
        outcome: Some(outcome),
        ..to(outcome.state())
    }
}

/// The card form as typed.
#[derive(Default, serde::Deserialize)]
pub struct CardForm {
    #[serde(default)]
    pub number: String,
    #[serde(default)]
    pub expiry: String,
    #[serde(default)]
    pub cvc: String,
    #[serde(default)]
    pub name: String,
}

/// A checked card: only what may be kept leaves this function with the scenario.
pub struct CheckedCard {
    pub scenario: Scenario,
    pub brand: &'static str,
    pub last4: String,
}

/// Checks every field, so the form can show a message beside each.
pub fn check_card(
    form: &CardForm,
    today: Date,
) -> Result<CheckedCard, Vec<(&'static str, CardProblem)>> {
    let mut problems = Vec::new();
    let number = CardNumber::parse(&form.number).map_err(|p| problems.push(("number", p)));
    if let Err(p) = Expiry::parse(&form.expiry, today) {
        problems.push(("expiry", p));
    }
    if let Ok(card) = &number {
        if let Err(p) = check_cvc(form.cvc.trim(), card.brand()) {
            problems.push(("cvc", p));
        }
    } else {
        // Without a valid number the brand is unknown: 3 or 4 digits may both be right.
        let cvc = form.cvc.trim();
        if cvc.is_empty() {
            problems.push(("cvc", CardProblem::CvcMissing));
        } else if !(3..=4).contains(&cvc.len()) || !cvc.bytes().all(|b| b.is_ascii_digit()) {
            problems.push(("cvc", CardProblem::CvcInvalid));
        }
    }
    if form.name.trim().is_empty() {
        problems.push(("name", CardProblem::NameMissing));
    }
    match number {
        Ok(card) if problems.is_empty() => Ok(CheckedCard {
            scenario: scenario(&card),
            brand: card.brand().name(),
            last4: card.last4().to_string(),
        }),
        _ => Err(problems),
    }
}

/// What happened to a payment after a step on the mock's pages.
pub enum Next {
    /// Back to the portal's return address.
    Return(String),
    /// On to the bank's 3-D Secure page.
    Challenge,
    /// The payment cannot take this step (finished, expired or unknown).
    Gone,
    /// A wrong 3-D Secure code, with this many tries left.
    TryAgain(i64),
}

/// Wrong 3-D Secure codes a payment allows; the last one fails it.
pub const CHALLENGE_TRIES: i64 = 3;

/// Charges a checked card as its scenario says.
pub async fn pay(state: &WebState, id: String, card: CheckedCard) -> Result<Next, AppError> {
    let now = state.now();
    let step = match card.scenario {
        Scenario::Approved => to(PaymentState::Success),
        Scenario::Challenge | Scenario::ChallengeThenDeclined => to(PaymentState::ThreeDsRequired),
        Scenario::Declined => end(Outcome::Declined),
        Scenario::ExpiredCard => end(Outcome::ExpiredCard),
        Scenario::WrongCvc => end(Outcome::WrongCvc),
        Scenario::ProcessingError => end(Outcome::ProcessingError),
        Scenario::IssuerUnreachable => end(Outcome::IssuerUnreachable),
    };
    let challenge = step.state == PaymentState::ThreeDsRequired;
    advance(
        state,
        id,
        now,
        PaymentState::Started,
        move |_| Step {
            scenario: Some(card.scenario),
            card: None,
            ..step
        },
        Some((card.brand, card.last4)),
    )
    .await
    .map(|next| match next {
        Next::Return(_) if challenge => Next::Challenge,
        other => other,
    })
}

/// The answer on the bank's page: a code, or cancel.
pub async fn challenge(
    state: &WebState,
    id: String,
    code: Option<String>,
) -> Result<Next, AppError> {
    let now = state.now();
    let right = code.as_deref().map(|c| {
        crate::domain::secret::constant_time_eq(
            c.trim().as_bytes(),
            challenge_code(state, &id).as_bytes(),
        )
    });
    if right == Some(false) {
        let miss_id = id.clone();
        let misses = db::write(&state.pool, move |tx| -> Result<Option<i64>, AppError> {
            let waiting = book::get(tx, &miss_id)?.filter(|p| {
                p.state == PaymentState::ThreeDsRequired && !expired(p.created_at, now)
            });
            Ok(match waiting {
                Some(_) => Some(book::miss(tx, &miss_id, now)?),
                None => None,
            })
        })
        .await?;
        if let Some(misses) = misses.filter(|m| *m < CHALLENGE_TRIES) {
            return Ok(Next::TryAgain(CHALLENGE_TRIES - misses));
        }
    }
    advance(
        state,
        id,
        now,
        PaymentState::ThreeDsRequired,
        move |p| match right {
            None => end(Outcome::Cancelled),
            Some(false) => end(Outcome::ThreeDsFailed),
            Some(true) if p.scenario == Some(Scenario::ChallengeThenDeclined) => {
                end(Outcome::Declined)
            }
            Some(true) => to(PaymentState::Success),
        },
        None,
    )
    .await
}

/// The person cancels on the card page.
pub async fn cancel(state: &WebState, id: String) -> Result<Next, AppError> {
    let now = state.now();
    advance(
        state,
        id,
        now,
        PaymentState::Started,
        |_| end(Outcome::Cancelled),
        None,
    )
    .await
}

/// Takes one step from `from`, in one transaction; an expired payment ends instead.
async fn advance<F>(
    state: &WebState,
    id: String,
    now: i64,
    from: PaymentState,
    decide: F,
    card: Option<(&'static str, String)>,
) -> Result<Next, AppError>
where
    F: FnOnce(&MockPayment) -> Step<'static> + Send + 'static,
{
    db::write(&state.pool, move |tx| -> Result<Next, AppError> {
        let Some(p) = book::get(tx, &id)? else {
            return Ok(Next::Gone);
        };
        if p.state != from {
            return Ok(Next::Gone);
        }
        if expired(p.created_at, now) {
            book::step(tx, &id, &[from], &end(Outcome::Expired), now)?;
            return Ok(Next::Gone);
        }
        let step = decide(&p);
        let step = Step {
            card: card.as_ref().map(|(b, l)| (*b, l.as_str())),
            ..step
        };
        book::step(tx, &id, &[from], &step, now)?;
        Ok(Next::Return(p.return_url))
    })
    .await
}
