//! Email over SMTP (lettre): STARTTLS, implicit TLS or plain, with optional auth.
use std::time::Duration;

use anyhow::Context;
use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;

use crate::db::outbox::Queued;
use crate::settings::{SmtpSecurity, SmtpSettings};

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    pub fn new(s: &SmtpSettings) -> anyhow::Result<Self> {
        let builder = match s.security {
            SmtpSecurity::Starttls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&s.host)?
            }
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&s.host)?,
            SmtpSecurity::Plain => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&s.host),
        };
        let mut builder = builder.port(s.port).timeout(Some(Duration::from_secs(20)));
        if let (Some(user), Some(password)) = (&s.username, &s.password) {
            builder = builder.credentials(Credentials::new(
                user.clone(),
                password.expose_secret().to_string(),
            ));
        }
        let from = s
            .from
            .parse()
            .with_context(|| format!("smtp.from {:?} is not an address", s.from))?;
        Ok(Mailer {
            transport: builder.build(),
            from,
        })
    }

    /// Sends one message; gives the server's answer (its code and first line).
    pub async fn send(&self, m: &Queued) -> anyhow::Result<String> {
        let to: Mailbox = m.recipient.parse().context("recipient is not an address")?;
        let text = SinglePart::builder()
            .header(ContentType::TEXT_PLAIN)
            .body(m.text.clone());
        let body = match &m.html {
            Some(html) => MultiPart::alternative().singlepart(text).singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_HTML)
                    .body(html.clone()),
            ),
            None => MultiPart::mixed().singlepart(text),
        };
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(m.subject.clone())
            .multipart(body)?;
        let answer = self
            .transport
            .send(email)
            .await
            .context("SMTP server refused or was unreachable")?;
        Ok(format!(
            "{} {}",
            answer.code(),
            answer.message().next().unwrap_or_default()
        ))
    }
}
