//! Kansli's side of an e-identification login: the orders people have started,
//! one per browser (found by the hash of a random id in a cookie), collected at
//! most every 2 seconds while someone is watching and never beyond the order's
//! lifetime, and cancelled at the provider when the person cancels, starts again
//! or the order runs out. Orders live in memory: they last 3 minutes, and a
//! restart only means starting again.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::{
    hint_message, in_words_of, Collected, EidError, EidProvider, Flow, Identity, Order,
    Organisation, Provider, SignText, COLLECT_INTERVAL, ORDER_LIFETIME,
};
use crate::domain::session::Method;

/// An order as Kansli keeps it.
#[derive(Clone)]
pub struct Attempt {
    pub method: Method,
    pub order: Order,
    pub started_at: i64,
    /// Where the person goes once identified (a local path), when not the default.
    pub then: Option<String>,
    /// A signing order: what is signed. None for a login.
    pub signing: Option<Signing>,
    last_collect_at: Option<i64>,
    last: Option<Collected>,
}

/// What a signing order signs: an application's approval, with the text shown in
/// the app and the hash of the answers it names (also signed, unseen).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signing {
    /// The application (its draft's reference), at this revision.
    pub reference: String,
    pub revision: i64,
    pub answers_hash: String,
    pub text: String,
}

/// A complete order, taken: who was identified (and what they signed), how, and
/// where they go next.
pub struct Finished {
    pub method: Method,
    pub who: Identity,
    pub then: Option<String>,
    pub signing: Option<Signing>,
}

impl Attempt {
    pub fn flow(&self) -> Flow {
        if self.method == Method::MobileBankId {
            Flow::OtherDevice
        } else {
            Flow::ThisDevice
        }
    }

    /// The QR code's content now.
    pub fn qr(&self, now: i64) -> String {
        super::qr_content(
            &self.order.qr_start_token,
            &self.order.qr_start_secret,
            (now - self.started_at).max(0),
        )
    }
}

/// Where an order stands, for the page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Progress {
    /// Still waiting; the message key for the hint.
    Pending(&'static str),
    /// Over; the message key says why and what to do.
    Failed(&'static str),
    Complete(Identity),
}

/// The e-identification services this installation offers, and the orders in progress.
pub struct Eid {
    providers: HashMap<Provider, Arc<dyn EidProvider>>,
    /// Development and demo mode: where the simulator's test app is (the path its
    /// providers' pages begin with), so the login pages can link to it.
    pub test_app: Option<String>,
    /// The organisations whose professional e-ID holders may use the partner page.
    pub organisations: Vec<Organisation>,
    attempts: Mutex<HashMap<Vec<u8>, Attempt>>,
}

impl Eid {
    pub fn new(
        providers: HashMap<Provider, Arc<dyn EidProvider>>,
        test_app: Option<String>,
        organisations: Vec<Organisation>,
    ) -> Self {
        Eid {
            providers,
            test_app,
            organisations,
            attempts: Mutex::new(HashMap::new()),
        }
    }

    pub fn offers(&self, provider: Provider) -> bool {
        self.providers.contains_key(&provider)
    }

    fn attempts(&self) -> std::sync::MutexGuard<'_, HashMap<Vec<u8>, Attempt>> {
        self.attempts.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn provider(&self, method: Method) -> Option<Arc<dyn EidProvider>> {
        Provider::of(method).and_then(|p| self.providers.get(&p).cloned())
    }

    /// Starts an order for the browser with `key`, cancelling the one it had and
    /// any left behind past their lifetime.
    pub async fn start(
        &self,
        key: Vec<u8>,
        method: Method,
        ip: &str,
        then: Option<String>,
        now: i64,
    ) -> Result<(), EidError> {
        let provider = self.provider(method).ok_or(EidError::Unavailable)?;
        let order = provider.start(ip, None).await?;
        self.keep(key, method, order, then, None, now).await;
        Ok(())
    }

    /// Starts a signature of `signing` by the person with `pin` (only they may sign)
    /// for the browser with `key`, as [`Eid::start`] does a login.
    pub async fn start_signing(
        &self,
        key: Vec<u8>,
        method: Method,
        ip: &str,
        pin: &str,
        signing: Signing,
        now: i64,
    ) -> Result<(), EidError> {
        let provider = self.provider(method).ok_or(EidError::Unavailable)?;
        let text = SignText {
            visible: &signing.text,
            non_visible: &signing.answers_hash,
        };
        let order = provider.sign(ip, Some(pin), text).await?;
        self.keep(key, method, order, None, Some(signing), now)
            .await;
        Ok(())
    }

    /// Keeps a new order as the browser's, cancelling the one it had and any left
    /// behind past their lifetime.
    async fn keep(
        &self,
        key: Vec<u8>,
        method: Method,
        order: Order,
        then: Option<String>,
        signing: Option<Signing>,
        now: i64,
    ) {
        let stale: Vec<Attempt> = {
            let mut attempts = self.attempts();
            let mut stale: Vec<Attempt> = attempts
                .extract_if(|_, a| now - a.started_at > ORDER_LIFETIME + 60)
                .map(|(_, a)| a)
                .collect();
            stale.extend(attempts.insert(
                key,
                Attempt {
                    method,
                    order,
                    started_at: now,
                    then,
                    signing,
                    last_collect_at: None,
                    last: None,
                },
            ));
            stale
        };
        for a in stale {
            self.cancel_order(&a).await;
        }
    }

    pub fn attempt(&self, key: &[u8]) -> Option<Attempt> {
        self.attempts().get(key).cloned()
    }

    async fn cancel_order(&self, a: &Attempt) {
        let finished = matches!(a.last, Some(Collected::Failed(_) | Collected::Complete(_)));
        if let (false, Some(p)) = (finished, self.provider(a.method)) {
            // Nothing to do if the provider has forgotten it already.
            let _ = p.cancel(&a.order.order_ref).await;
        }
    }

    /// Where the browser's order stands, collecting it when 2 seconds have passed
    /// since the last time. An order past its lifetime, or a provider that cannot
    /// answer, ends it (and it is cancelled at the provider).
    pub async fn progress(&self, key: &[u8], now: i64) -> Option<(Attempt, Progress)> {
        let a = self.attempt(key)?;
        let mut asked = false;
        let collected = match &a.last {
            Some(c @ (Collected::Failed(_) | Collected::Complete(_))) => Ok(c.clone()),
            _ if now - a.started_at > ORDER_LIFETIME => {
                self.cancel_order(&a).await;
                Ok(Collected::Failed("expiredTransaction".into()))
            }
            Some(c)
                if a.last_collect_at
                    .is_some_and(|t| now - t < COLLECT_INTERVAL) =>
            {
                Ok(c.clone())
            }
            _ => {
                asked = true;
                match self.provider(a.method) {
                    Some(p) => p.collect(&a.order.order_ref).await,
                    None => Err(EidError::Unavailable),
                }
            }
        };
        let progress = match &collected {
            Ok(Collected::Complete(who)) => Progress::Complete(who.clone()),
            Ok(c @ Collected::Pending(_)) => {
                Progress::Pending(in_words_of(a.method, hint_message(c, a.flow())))
            }
            Ok(c @ Collected::Failed(_)) => {
                Progress::Failed(in_words_of(a.method, hint_message(c, a.flow())))
            }
            Err(e) => {
                self.cancel_order(&a).await;
                Progress::Failed(super::error_message(e))
            }
        };
        let last = collected.unwrap_or(Collected::Failed(String::new()));
        let mut attempts = self.attempts();
        let entry = attempts
            .get_mut(key)
            .filter(|b| b.order.order_ref == a.order.order_ref)?;
        if asked {
            entry.last_collect_at = Some(now);
        }
        entry.last = Some(last);
        Some((entry.clone(), progress))
    }

    /// Takes the browser's order if it is complete (it ends here): who was
    /// identified, how, what they signed and where they go next.
    pub fn take_finished(&self, key: &[u8]) -> Option<Finished> {
        let mut attempts = self.attempts();
        match attempts.get(key).and_then(|a| a.last.clone()) {
            Some(Collected::Complete(who)) => attempts.remove(key).map(|a| Finished {
                method: a.method,
                who,
                then: a.then,
                signing: a.signing,
            }),
            _ => None,
        }
    }

    /// The person gave up or left: the order ends here and at the provider.
    pub async fn cancel(&self, key: &[u8]) {
        let removed = self.attempts().remove(key);
        if let Some(a) = removed {
            self.cancel_order(&a).await;
        }
    }
}
