//! The e-identification simulator of development and demo mode: what a BankID
//! (or Telia, or SITHS) service does, inside Kansli. It serves the RP API v6
//! under `/sim/{provider}/rp/v6.0` and a "test app" page where the tester scans
//! (pastes) the QR code or follows the launch link, picks a test person and then
//! approves, cancels, or lets the order expire, so every hint code can be
//! produced on purpose. Orders live in memory and expire after 3 minutes, and
//! the QR code's HMAC and age are checked as the real app does.
use std::collections::HashMap;
use std::sync::Mutex;

use rand::Rng;

pub mod handlers;
pub mod views;

use base64::Engine;

use crate::outbound::eid::{
    parse_qr, qr_code_matches, Collected, Identity, Order, Organisation, Provider, SignText,
    SignatureProof, ORDER_LIFETIME,
};

pub const PREFIX: &str = "/sim";

/// The RP API base of a simulated provider on the server at `own` (http://host:port).
pub fn api_url(own: &str, provider: Provider) -> String {
    format!("{own}{PREFIX}/{}/rp/v6.0", provider.as_str())
}

/// The organisations of the simulated professional e-ID holders allowed on the
/// partner page when none are configured (the third test person's is not).
pub const ORGANISATIONS: &[(&str, &str)] = &[
    ("2120000001", "Exempelstads kommun"),
    ("2321000002", "Region Exempel"),
];

/// A QR code older than this (seconds) is refused by the test app.
pub const QR_MAX_AGE: i64 = 10;

/// Finished orders are forgotten this long after they started.
const KEEP: i64 = 10 * 60;

/// A test person of the simulator's list.
pub struct TestPerson {
    pub pin: &'static str,
    pub name: &'static str,
    /// Professional e-ID: the organisation (id, name).
    pub organisation: Option<(&'static str, &'static str)>,
}

pub const PEOPLE: &[TestPerson] = &[
    TestPerson {
        pin: "199001011239",
        name: "Anna Andersson",
        organisation: None,
    },
    TestPerson {
        pin: "198512244560",
        name: "Erik Eriksson",
        organisation: None,
    },
    TestPerson {
        pin: "197706157893",
        name: "Sara Lind",
        organisation: None,
    },
];

pub const PROFESSIONALS: &[TestPerson] = &[
    TestPerson {
        pin: "196803032348",
        name: "Karin Holm",
        organisation: Some(("2120000001", "Exempelstads kommun")),
    },
    TestPerson {
        pin: "199208083452",
        name: "Jonas Berg",
        organisation: Some(("2321000002", "Region Exempel")),
    },
    TestPerson {
        pin: "197706157893",
        name: "Sara Lind",
        organisation: Some(("5560000003", "Privat Vård AB")),
    },
];

/// The test people the app offers for a provider.
pub fn people(provider: Provider) -> &'static [TestPerson] {
    match provider {
        Provider::Professional => PROFESSIONALS,
        _ => PEOPLE,
    }
}

impl TestPerson {
    pub fn identity(&self) -> Identity {
        Identity {
            pin: self.pin.to_string(),
            name: self.name.to_string(),
            organisation: self.organisation.map(|(id, name)| Organisation {
                id: id.to_string(),
                name: name.to_string(),
            }),
            signature: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum State {
    /// Waiting for the app (hint outstandingTransaction).
    Outstanding,
    /// The app has the order; the person is choosing (hint userSign).
    Signing,
    /// The app asks for the travel document to be read (hint userMrtd).
    ReadingDocument,
    Complete(Identity),
    Failed(&'static str),
}

struct SimOrder {
    provider: Provider,
    auto_start_token: String,
    qr_start_token: String,
    qr_start_secret: String,
    started_at: i64,
    required_pin: Option<String>,
    /// The address the relying party said the person is at (`endUserIp`).
    end_user_ip: String,
    /// A signing order: the text shown and the data signed unseen.
    signing: Option<(String, String)>,
    state: State,
}

impl SimOrder {
    fn expired(&self, now: i64) -> bool {
        now - self.started_at > ORDER_LIFETIME
    }

    fn live(&self, now: i64) -> bool {
        !self.expired(now)
            && matches!(
                self.state,
                State::Outstanding | State::Signing | State::ReadingDocument
            )
    }
}

/// What the tester does in the test app.
pub enum Decision {
    Identify(Identity),
    Cancel,
    Expire,
    CertificateError,
    StartFailed,
    ReadDocument,
}

#[derive(Debug, PartialEq, Eq)]
pub enum AppProblem {
    /// Not a QR code or launch token of any order.
    Unknown,
    /// The QR code's check value is not the order's.
    Forged,
    /// The QR code is older than [`QR_MAX_AGE`] (or from the future).
    Stale,
    /// The order has expired, finished or been cancelled.
    Over,
    /// The order may only be completed by another person.
    OtherPerson,
}

impl AppProblem {
    pub fn key(&self) -> &'static str {
        match self {
            AppProblem::Unknown => "sim.problem.unknown",
            AppProblem::Forged => "sim.problem.forged",
            AppProblem::Stale => "sim.problem.stale",
            AppProblem::Over => "sim.problem.over",
            AppProblem::OtherPerson => "sim.problem.other_person",
        }
    }
}

#[derive(Default)]
pub struct Simulator {
    orders: Mutex<HashMap<String, SimOrder>>,
}

fn random_uuid() -> String {
    let b: [u8; 16] = rand::rng().random();
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

impl Simulator {
    fn orders(&self) -> std::sync::MutexGuard<'_, HashMap<String, SimOrder>> {
        self.orders.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `auth`. With a personal number that already has an order in progress, that
    /// order is cancelled and none is made (alreadyInProgress), as BankID does.
    pub fn auth(
        &self,
        provider: Provider,
        pin: Option<&str>,
        end_user_ip: &str,
        now: i64,
    ) -> Option<Order> {
        self.order(provider, pin, end_user_ip, None, now)
    }

    /// `sign`: as `auth`, and the app shows `text` to sign.
    pub fn sign(
        &self,
        provider: Provider,
        pin: Option<&str>,
        end_user_ip: &str,
        text: SignText,
        now: i64,
    ) -> Option<Order> {
        let signing = (text.visible.to_string(), text.non_visible.to_string());
        self.order(provider, pin, end_user_ip, Some(signing), now)
    }

    fn order(
        &self,
        provider: Provider,
        pin: Option<&str>,
        end_user_ip: &str,
        signing: Option<(String, String)>,
        now: i64,
    ) -> Option<Order> {
        let mut orders = self.orders();
        orders.retain(|_, o| now - o.started_at < KEEP);
        if let Some(pin) = pin {
            let mut busy = false;
            for o in orders.values_mut() {
                if o.provider == provider && o.live(now) && o.required_pin.as_deref() == Some(pin) {
                    o.state = State::Failed("cancelled");
                    busy = true;
                }
            }
            if busy {
                return None;
            }
        }
        let order = Order {
            order_ref: random_uuid(),
            auto_start_token: random_uuid(),
            qr_start_token: random_uuid(),
            qr_start_secret: random_uuid(),
        };
        orders.insert(
            order.order_ref.clone(),
            SimOrder {
                provider,
                auto_start_token: order.auto_start_token.clone(),
                qr_start_token: order.qr_start_token.clone(),
                qr_start_secret: order.qr_start_secret.clone(),
                started_at: now,
                required_pin: pin.map(str::to_string),
                end_user_ip: end_user_ip.to_string(),
                signing,
                state: State::Outstanding,
            },
        );
        Some(order)
    }

    /// `collect`; None for an order it does not know.
    pub fn collect(&self, provider: Provider, order_ref: &str, now: i64) -> Option<Collected> {
        let mut orders = self.orders();
        let o = orders
            .get_mut(order_ref)
            .filter(|o| o.provider == provider)?;
        if o.expired(now) && !matches!(o.state, State::Complete(_) | State::Failed(_)) {
            o.state = State::Failed("expiredTransaction");
        }
        Some(match &o.state {
            State::Outstanding => Collected::Pending("outstandingTransaction".into()),
            State::Signing => Collected::Pending("userSign".into()),
            State::ReadingDocument => Collected::Pending("userMrtd".into()),
            State::Complete(who) => Collected::Complete(who.clone()),
            State::Failed(hint) => Collected::Failed((*hint).into()),
        })
    }

    /// `cancel`: the order is gone. False for an order it does not know.
    pub fn cancel(&self, provider: Provider, order_ref: &str) -> bool {
        let mut orders = self.orders();
        match orders.get(order_ref) {
            Some(o) if o.provider == provider => orders.remove(order_ref).is_some(),
            _ => false,
        }
    }

    /// The address the relying party gave for the person of this order.
    pub fn end_user_ip(&self, order_ref: &str) -> Option<String> {
        self.orders().get(order_ref).map(|o| o.end_user_ip.clone())
    }

    /// The text a signing order asks the person to sign.
    pub fn text_to_sign(&self, order_ref: &str) -> Option<String> {
        self.orders()
            .get(order_ref)
            .and_then(|o| o.signing.as_ref().map(|(visible, _)| visible.clone()))
    }

    /// The test app opens an order from a scanned QR code or a launch link's
    /// autostarttoken; returns its orderRef.
    pub fn open(&self, provider: Provider, scanned: &str, now: i64) -> Result<String, AppProblem> {
        let scanned = scanned.trim();
        let mut orders = self.orders();
        let (order_ref, o) = match parse_qr(scanned) {
            Some((token, seconds, code)) => {
                let (r, o) = orders
                    .iter_mut()
                    .find(|(_, o)| o.provider == provider && o.qr_start_token == token)
                    .ok_or(AppProblem::Unknown)?;
                if !qr_code_matches(&o.qr_start_secret, seconds, code) {
                    return Err(AppProblem::Forged);
                }
                let age = now - o.started_at - seconds;
                if !(0..=QR_MAX_AGE).contains(&age) {
                    return Err(AppProblem::Stale);
                }
                (r.clone(), o)
            }
            None => orders
                .iter_mut()
                .find(|(_, o)| {
                    o.provider == provider
                        && !scanned.is_empty()
                        && crate::domain::secret::constant_time_eq(
                            o.auto_start_token.as_bytes(),
                            scanned.as_bytes(),
                        )
                })
                .map(|(r, o)| (r.clone(), o))
                .ok_or(AppProblem::Unknown)?,
        };
        if !o.live(now) {
            return Err(AppProblem::Over);
        }
        o.state = State::Signing;
        Ok(order_ref)
    }

    /// What the tester chose for an opened order.
    pub fn decide(
        &self,
        provider: Provider,
        order_ref: &str,
        decision: Decision,
        now: i64,
    ) -> Result<(), AppProblem> {
        let mut orders = self.orders();
        let o = orders
            .get_mut(order_ref)
            .filter(|o| o.provider == provider)
            .ok_or(AppProblem::Unknown)?;
        if !o.live(now) || o.state == State::Outstanding {
            return Err(AppProblem::Over);
        }
        o.state = match decision {
            Decision::Identify(mut who) => {
                if o.required_pin.as_ref().is_some_and(|p| *p != who.pin) {
                    return Err(AppProblem::OtherPerson);
                }
                if let Some((visible, non_visible)) = &o.signing {
                    who.signature = Some(simulated_signature(
                        order_ref,
                        &who.pin,
                        visible,
                        non_visible,
                        now,
                    ));
                }
                State::Complete(who)
            }
            Decision::Cancel => State::Failed("userCancel"),
            Decision::Expire => {
                o.started_at = now - ORDER_LIFETIME - 1;
                State::Failed("expiredTransaction")
            }
            Decision::CertificateError => State::Failed("certificateErr"),
            Decision::StartFailed => State::Failed("startFailed"),
            Decision::ReadDocument => State::ReadingDocument,
        };
        Ok(())
    }
}

/// What the simulator returns for a signature: an XML document with the signed
/// texts (base64, as BankID's), the signer and the time, marked as simulated,
/// and an OCSP response that says so. Neither is a real signature.
fn simulated_signature(
    order_ref: &str,
    pin: &str,
    visible: &str,
    non_visible: &str,
    now: i64,
) -> SignatureProof {
    let base64 = base64::engine::general_purpose::STANDARD;
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <SimulatedSignature orderRef=\"{order_ref}\">\
         <usrVisibleData>{}</usrVisibleData>\
         <usrNonVisibleData>{}</usrNonVisibleData>\
         <personalNumber>{pin}</personalNumber><signedAt>{now}</signedAt>\
         </SimulatedSignature>",
        base64.encode(visible),
        base64.encode(non_visible),
    );
    SignatureProof {
        signature: base64.encode(xml),
        ocsp_response: Some(base64.encode(format!(
            "simulated OCSP response: good, order {order_ref}, at {now}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outbound::eid::qr_content;

    fn opened(sim: &Simulator, now: i64) -> Order {
        let order = sim.auth(Provider::BankId, None, "127.0.0.1", now).unwrap();
        let code = qr_content(&order.qr_start_token, &order.qr_start_secret, 3);
        assert_eq!(
            sim.open(Provider::BankId, &code, now + 4).as_deref(),
            Ok(order.order_ref.as_str())
        );
        order
    }

    #[test]
    fn the_app_accepts_only_a_fresh_qr_code_made_with_the_orders_secret() {
        let sim = Simulator::default();
        let order = sim.auth(Provider::BankId, None, "127.0.0.1", 1000).unwrap();
        let at = |s| qr_content(&order.qr_start_token, &order.qr_start_secret, s);
        let forged = qr_content(&order.qr_start_token, "not the secret", 5);
        assert_eq!(
            sim.open(Provider::BankId, &forged, 1005),
            Err(AppProblem::Forged)
        );
        assert_eq!(
            sim.open(Provider::BankId, &at(5), 1005 + QR_MAX_AGE + 1),
            Err(AppProblem::Stale)
        );
        assert_eq!(
            sim.open(Provider::BankId, &at(9), 1005),
            Err(AppProblem::Stale),
            "from the future"
        );
        assert_eq!(
            sim.open(Provider::Telia, &at(5), 1005),
            Err(AppProblem::Unknown),
            "another provider's"
        );
        assert_eq!(
            sim.collect(Provider::BankId, &order.order_ref, 1005),
            Some(Collected::Pending("outstandingTransaction".into()))
        );
        assert!(sim.open(Provider::BankId, &at(5), 1007).is_ok());
        assert_eq!(
            sim.collect(Provider::BankId, &order.order_ref, 1008),
            Some(Collected::Pending("userSign".into()))
        );
    }

    #[test]
    fn a_signing_order_shows_its_text_and_completes_with_a_signature_of_it() {
        let sim = Simulator::default();
        let text = SignText {
            visible: "Jag godkänner min ansökan",
            non_visible: "abc123",
        };
        let order = sim
            .sign(Provider::BankId, Some(PEOPLE[0].pin), "127.0.0.1", text, 0)
            .unwrap();
        assert_eq!(
            sim.text_to_sign(&order.order_ref).as_deref(),
            Some(text.visible)
        );
        sim.open(Provider::BankId, &order.auto_start_token, 1)
            .unwrap();
        sim.decide(
            Provider::BankId,
            &order.order_ref,
            Decision::Identify(PEOPLE[0].identity()),
            2,
        )
        .unwrap();
        let Some(Collected::Complete(who)) = sim.collect(Provider::BankId, &order.order_ref, 3)
        else {
            panic!("complete");
        };
        let proof = who.signature.expect("a signature");
        let base64 = base64::engine::general_purpose::STANDARD;
        let xml = String::from_utf8(base64.decode(&proof.signature).unwrap()).unwrap();
        assert!(xml.contains(&base64.encode(text.visible)), "{xml}");
        assert!(xml.contains(&base64.encode(text.non_visible)), "{xml}");
        assert!(xml.contains(PEOPLE[0].pin));
        assert!(proof.ocsp_response.is_some());
        let login = opened(&sim, 0);
        sim.decide(
            Provider::BankId,
            &login.order_ref,
            Decision::Identify(PEOPLE[0].identity()),
            5,
        )
        .unwrap();
        assert!(
            matches!(sim.collect(Provider::BankId, &login.order_ref, 6), Some(Collected::Complete(w)) if w.signature.is_none()),
            "a login signs nothing"
        );
    }

    #[test]
    fn the_launch_tokens_open_the_order_too() {
        let sim = Simulator::default();
        let order = sim.auth(Provider::BankId, None, "127.0.0.1", 0).unwrap();
        assert_eq!(
            sim.open(Provider::BankId, "nope", 1),
            Err(AppProblem::Unknown)
        );
        assert!(sim
            .open(Provider::BankId, &order.auto_start_token, 1)
            .is_ok());
    }

    #[test]
    fn every_decision_gives_its_hint_code() {
        let sim = Simulator::default();
        let cases = [
            (Decision::Cancel, Collected::Failed("userCancel".into())),
            (
                Decision::Expire,
                Collected::Failed("expiredTransaction".into()),
            ),
            (
                Decision::CertificateError,
                Collected::Failed("certificateErr".into()),
            ),
            (
                Decision::StartFailed,
                Collected::Failed("startFailed".into()),
            ),
            (
                Decision::ReadDocument,
                Collected::Pending("userMrtd".into()),
            ),
            (
                Decision::Identify(PEOPLE[0].identity()),
                Collected::Complete(PEOPLE[0].identity()),
            ),
        ];
        for (decision, expected) in cases {
            let order = opened(&sim, 0);
            sim.decide(Provider::BankId, &order.order_ref, decision, 5)
                .unwrap();
            assert_eq!(
                sim.collect(Provider::BankId, &order.order_ref, 6),
                Some(expected)
            );
        }
    }

    #[test]
    fn orders_expire_after_three_minutes_and_cancelled_ones_are_gone() {
        let sim = Simulator::default();
        let order = opened(&sim, 0);
        assert_eq!(
            sim.collect(Provider::BankId, &order.order_ref, ORDER_LIFETIME + 1),
            Some(Collected::Failed("expiredTransaction".into()))
        );
        assert_eq!(
            sim.decide(
                Provider::BankId,
                &order.order_ref,
                Decision::Identify(PEOPLE[0].identity()),
                ORDER_LIFETIME + 2
            ),
            Err(AppProblem::Over),
            "too late to approve"
        );
        let order = opened(&sim, 0);
        assert!(sim.cancel(Provider::BankId, &order.order_ref));
        assert_eq!(sim.collect(Provider::BankId, &order.order_ref, 1), None);
    }

    #[test]
    fn a_second_order_for_the_same_person_cancels_the_first_and_is_refused() {
        let sim = Simulator::default();
        let pin = Some(PEOPLE[1].pin);
        let first = sim.auth(Provider::BankId, pin, "127.0.0.1", 0).unwrap();
        assert!(sim.auth(Provider::BankId, pin, "127.0.0.1", 1).is_none());
        assert_eq!(
            sim.collect(Provider::BankId, &first.order_ref, 2),
            Some(Collected::Failed("cancelled".into()))
        );
        assert!(
            sim.auth(Provider::BankId, pin, "127.0.0.1", 3).is_some(),
            "after that, a new one starts"
        );
        let other = sim
            .auth(Provider::BankId, Some(PEOPLE[0].pin), "127.0.0.1", 3)
            .unwrap();
        sim.open(Provider::BankId, &other.auto_start_token, 4)
            .unwrap();
        assert_eq!(
            sim.decide(
                Provider::BankId,
                &other.order_ref,
                Decision::Identify(PEOPLE[1].identity()),
                5
            ),
            Err(AppProblem::OtherPerson)
        );
    }
}
