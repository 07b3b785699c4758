//! The mock acquirer without its pages, for `kansli demo`: every payment is
//! settled at once as the approved test card would settle it on the card page,
//! so demo cases are paid for through the portal's own payment flow with no
//! server running. It keeps the amounts it was asked for in memory only.
use std::collections::HashMap;
use std::sync::Mutex;

use futures_util::future::BoxFuture;

use super::card::CardNumber;
use crate::domain::payment::PaymentState;
use crate::outbound::payment::{Created, NewPayment, PaymentGateway, Refunded, Report};

/// The test card that is approved without 3-D Secure (README, "Card payment").
pub const APPROVED_CARD: &str = "4000 0082 6000 0000";

#[derive(Default)]
pub struct Approving {
    /// Payment id → amount, in öre.
    amounts: Mutex<HashMap<String, i64>>,
}

impl PaymentGateway for Approving {
    fn create<'a>(
        &'a self,
        payment: &'a NewPayment,
        idempotency_key: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<Created>> {
        let id = format!("approved-{idempotency_key}");
        self.amounts
            .lock()
            .expect("not poisoned")
            .insert(id.clone(), payment.amount);
        Box::pin(async move {
            Ok(Created {
                next_url: payment.return_url.clone(),
                payment_id: id,
            })
        })
    }

    fn report<'a>(&'a self, payment_id: &'a str) -> BoxFuture<'a, anyhow::Result<Report>> {
        let amount = self
            .amounts
            .lock()
            .expect("not poisoned")
            .get(payment_id)
            .copied();
        Box::pin(async move {
            let amount = amount.ok_or_else(|| anyhow::anyhow!("no such payment"))?;
            let card =
                CardNumber::parse(APPROVED_CARD).map_err(|_| anyhow::anyhow!("test card"))?;
            Ok(Report {
                payment_id: payment_id.to_string(),
                amount,
                state: PaymentState::Success.as_str().to_string(),
                outcome: None,
                card_brand: Some(card.brand().name().to_string()),
                last4: Some(card.last4().to_string()),
                refunded: 0,
            })
        })
    }

    fn refund<'a>(
        &'a self,
        _payment_id: &'a str,
        _amount: i64,
        _idempotency_key: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<Refunded>> {
        Box::pin(async { anyhow::bail!("the demo's payments are never refunded") })
    }
}

#[cfg(test)]
mod tests {
    use futures_util::FutureExt;

    use super::*;

    #[test]
    fn a_payment_is_reported_as_the_approved_test_card_settles_it() {
        let gateway = Approving::default();
        let asked = NewPayment {
            amount: 100_000,
            reference: "r".into(),
            description: "Visa for visits".into(),
            return_url: "http://127.0.0.1:8080/payments/r/return".into(),
            language: "sv".into(),
        };
        let created = gateway
            .create(&asked, "key")
            .now_or_never()
            .unwrap()
            .unwrap();
        let again = gateway
            .create(&asked, "key")
            .now_or_never()
            .unwrap()
            .unwrap();
        assert_eq!(
            again.payment_id, created.payment_id,
            "the same key, the same payment"
        );
        let report = gateway
            .report(&created.payment_id)
            .now_or_never()
            .unwrap()
            .unwrap();
        assert_eq!(report.state(), PaymentState::Success);
        assert_eq!(report.amount, 100_000);
        assert_eq!(report.card_brand.as_deref(), Some("Visa"));
        assert_eq!(report.last4.as_deref(), Some("0000"));
        assert!(gateway.report("unknown").now_or_never().unwrap().is_err());
    }
}
