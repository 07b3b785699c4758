//! Configuration: built-in defaults, then an optional `kansli.toml`, then
//! `KANSLI_*` environment variables. Validated once at start; passed as app data.
use std::net::SocketAddr;
use std::path::PathBuf;

use secrecy::SecretString;
use serde::Deserialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Development,
    Production,
}

/// How log lines are written to standard error.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One readable line per event.
    #[default]
    Text,
    /// One JSON object per line, for a log collector.
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    Starttls,
    Tls,
    Plain,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub mode: Mode,
    pub listen: String,
    pub data_dir: PathBuf,
    /// The address people reach the portal at; used in emailed links.
    pub base_url: Option<String>,
    /// Lists every message at /dev/mailbox. Development only. Unset: on in
    /// development, off in production; see [`Settings::dev_mailbox`].
    pub dev_mailbox: Option<bool>,
    pub smtp: Option<SmtpSettings>,
    pub sms: Option<SmsSettings>,
    /// A card payment provider speaking Kansli's payment API. None: the built-in
    /// mock acquirer (development and demos only).
    pub payment: Option<PaymentSettings>,
    /// E-identification services. Development and demo mode simulate the ones not
    /// configured; production offers only the configured ones.
    pub eid: EidSettings,
    /// Calling codes whose operators are known to drop alphanumeric-sender texts.
    pub sms_unreliable_prefixes: Vec<String>,
    /// Addresses or networks (CIDR) of reverse proxies in front of Kansli, whose
    /// `Forwarded` / `X-Forwarded-For` headers name the client. Empty: none.
    pub trusted_proxies: Vec<String>,
    pub schedule: Schedule,
    pub log: String,
    pub log_format: LogFormat,
    /// Where the Prometheus metrics are served (`/metrics`); None: nowhere.
    /// Never the public `listen` address.
    pub metrics_listen: Option<String>,
    /// How many copies of the database taken before schema upgrades are kept
    /// (in `backups/` of the data directory). 0: no copy is taken.
    pub backups_kept: usize,
    /// The file holding the key that seals the installation key and the staff
    /// authenticator secrets, kept apart from the database (systemd:
    /// `LoadCredential=`). Development: `secret.key` in the data directory,
    /// made on first start. Production: required, and never made.
    pub secret_key_file: Option<PathBuf>,
    /// Days an email or SMS stays in the outbox table (whatever its status)
    /// before the cleanup job deletes it.
    pub outbox_retention_days: u32,
    /// Days an entry stays in the audit log (logins, changes to accounts, staff
    /// actions) before the cleanup job deletes it.
    pub audit_retention_days: u32,
    /// Days a decided or closed case keeps its documents (and their thumbnails)
    /// before the cleanup job deletes them. None (the default): kept.
    pub closed_case_document_retention_days: Option<u32>,
    /// How people reach the organisation: the contact page, and beside every
    /// text that tells a person to contact support.
    pub contact: ContactSettings,
}

/// Seconds the cleanup job keeps rows it purges by age.
#[derive(Clone, Copy, Debug)]
pub struct Retention {
    pub outbox: i64,
    pub audit: i64,
    /// None: a decided case's documents are kept.
    pub closed_case_documents: Option<i64>,
}

/// How people reach the organisation running Kansli. The defaults are clearly
/// examples (`example.se`, a 555555 organisation number), which production refuses.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct ContactSettings {
    pub organisation_name: String,
    /// `NNNNNN-NNNN`, with its check digit.
    pub organisation_number: String,
    /// Technical support's phone number, as people should dial it.
    pub phone: String,
    /// When the phone is answered on weekdays, `HH:MM-HH:MM`.
    pub phone_hours: String,
    /// The choices in the phone menu that lead to technical support, e.g. `1, 7`
    /// ("press 1, then 7"); empty when the number goes straight there.
    pub phone_menu: String,
    pub email: String,
    pub postal_address: String,
    /// Where region staff write about professional e-identification; shown on
    /// its troubleshooting list when set.
    pub professional_regions_email: Option<String>,
    /// The same for municipality staff.
    pub professional_municipalities_email: Option<String>,
}

impl Default for ContactSettings {
    fn default() -> Self {
        Self {
            organisation_name: "Exempelmyndigheten".into(),
            organisation_number: "555555-5555".into(),
            phone: "+46 771-00 00 00".into(),
            phone_hours: "09:00-15:00".into(),
            phone_menu: "1, 7".into(),
            email: "support@example.se".into(),
            postal_address: "Exempelmyndigheten, Box 0000, 000 00 Exempelstad".into(),
            professional_regions_email: None,
            professional_municipalities_email: None,
        }
    }
}

impl ContactSettings {
    /// Weekday opening hours as (from, until), each `HH:MM`.
    pub fn hours(&self) -> Option<(&str, &str)> {
        let (from, until) = self.phone_hours.split_once('-')?;
        fn time(t: &str) -> Option<&str> {
            let (h, m) = t.split_once(':')?;
            let ok = h.len() == 2
                && m.len() == 2
                && h.parse::<u8>().is_ok_and(|h| h < 24)
                && m.parse::<u8>().is_ok_and(|m| m < 60);
            ok.then_some(t)
        }
        let (from, until) = (time(from.trim())?, time(until.trim())?);
        (from < until).then_some((from, until))
    }

    /// The menu choices, in order.
    pub fn menu(&self) -> Vec<&str> {
        self.phone_menu
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect()
    }

    fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let empty: Vec<&str> = [
            ("contact.organisation_name", &self.organisation_name),
            ("contact.phone", &self.phone),
            ("contact.email", &self.email),
            ("contact.postal_address", &self.postal_address),
        ]
        .into_iter()
        .filter(|(_, v)| v.trim().is_empty())
        .map(|(k, _)| k)
        .collect();
        if !empty.is_empty() {
            problems.push(format!("{} must not be empty", empty.join(", ")));
        }
        if self.hours().is_none() {
            problems.push(format!(
                "contact.phone_hours = {:?} is not opening hours such as 09:00-15:00",
                self.phone_hours
            ));
        }
        if crate::domain::forms::answers::organisation_number(&self.organisation_number).is_none() {
            problems.push(format!(
                "contact.organisation_number = {:?} is not an organisation number (NNNNNN-NNNN with its check digit)",
                self.organisation_number
            ));
        }
        if crate::domain::email::Email::parse(&self.email).is_err() {
            problems.push(format!(
                "contact.email = {:?} is not an email address",
                self.email
            ));
        }
        for (name, value) in [
            (
                "contact.professional_regions_email",
                &self.professional_regions_email,
            ),
            (
                "contact.professional_municipalities_email",
                &self.professional_municipalities_email,
            ),
        ] {
            if let Some(v) = value
                .as_deref()
                .filter(|v| crate::domain::email::Email::parse(v).is_err())
            {
                problems.push(format!("{name} = {v:?} is not an email address"));
            }
        }
        problems
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpSettings {
    pub host: String,
    #[serde(default = "default_smtp_port")]
    pub port: u16,
    #[serde(default = "default_smtp_security")]
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password: Option<SecretString>,
    pub from: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsSettings {
    /// The provider's send endpoint; it receives a form POST with from, to, message.
    pub url: String,
    pub username: Option<String>,
    pub password: Option<SecretString>,
    #[serde(default = "default_sender")]
    pub sender: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentSettings {
    /// The provider's API base, e.g. https://pay.example/api (payments are POSTed to `{url}/payments`).
    pub url: String,
    pub api_key: SecretString,
    /// The origin of the provider's hosted card pages when it is not the API's
    /// (e.g. https://card.pay.example): browsers are allowed to post and be
    /// redirected there from the portal's pages.
    #[serde(default)]
    pub page_origin: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EidSettings {
    pub bankid: Option<EidService>,
    pub telia: Option<EidService>,
    pub professional: Option<EidService>,
    /// The municipalities and regions whose professional e-ID holders reach the
    /// partner page. Empty with the simulator: its example organisations.
    pub organisations: Vec<crate::domain::Organisation>,
    /// How long a call to a service may take before the person is told to try again.
    pub timeout_seconds: u64,
}

impl Default for EidSettings {
    fn default() -> Self {
        Self {
            bankid: None,
            telia: None,
            professional: None,
            organisations: Vec::new(),
            timeout_seconds: 10,
        }
    }
}

/// A relying-party API v6 service: its base URL (e.g. https://appapi2.bankid.com/rp/v6.0)
/// and, for mutual TLS, the relying party's certificate with its key (PEM) and the
/// service's CA certificate (PEM).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EidService {
    pub url: String,
    pub client_cert: Option<PathBuf>,
    pub ca_cert: Option<PathBuf>,
}

/// Cron expressions (with seconds). A blank one turns its job off.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Schedule {
    pub cleanup: String,
    pub outbox: String,
    /// Deleting expired drafts, sending deletion reminders and questionnaire reminders.
    pub drafts: String,
    /// Asking the payment provider about attempts nobody came back from, and
    /// retrying refunds that failed.
    pub payments: String,
}

fn default_smtp_port() -> u16 {
    587
}
fn default_smtp_security() -> SmtpSecurity {
    SmtpSecurity::Starttls
}
fn default_sender() -> String {
    "MIGR".into()
}

impl Default for Schedule {
    fn default() -> Self {
        Self {
            cleanup: "0 */5 * * * *".into(),
            outbox: "*/30 * * * * *".into(),
            drafts: "0 0 * * * *".into(),
            payments: "0 */5 * * * *".into(),
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            mode: Mode::Development,
            listen: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./data"),
            base_url: None,
            dev_mailbox: None,
            smtp: None,
            sms: None,
            payment: None,
            eid: EidSettings::default(),
            sms_unreliable_prefixes: vec!["+90".into(), "+63".into()],
            trusted_proxies: Vec::new(),
            schedule: Schedule::default(),
            log: "info".into(),
            log_format: LogFormat::Text,
            metrics_listen: None,
            backups_kept: 5,
            secret_key_file: None,
            outbox_retention_days: 30,
            audit_retention_days: 730,
            closed_case_document_retention_days: None,
            contact: ContactSettings::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Parse { path: String, message: String },
    /// Every problem found, so one start names them all.
    #[error("{}", list_problems(.0))]
    Invalid(Vec<String>),
}

fn list_problems(problems: &[String]) -> String {
    match problems {
        [one] => format!("invalid settings: {one}"),
        _ => {
            let mut text = format!("invalid settings ({} problems):", problems.len());
            for p in problems {
                text.push_str("\n  - ");
                text.push_str(p);
            }
            text
        }
    }
}

impl Settings {
    /// Defaults → `kansli.toml` (or the file in `KANSLI_CONFIG`) → `KANSLI_*`.
    pub fn load() -> Result<Self, SettingsError> {
        let explicit = std::env::var("KANSLI_CONFIG").ok();
        let path = explicit.clone().unwrap_or_else(|| "kansli.toml".into());
        let settings = match std::fs::read_to_string(&path) {
            Ok(text) => Self::from_toml(&text).map_err(|message| SettingsError::Parse {
                path: path.clone(),
                message,
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && explicit.is_none() => {
                Self::default()
            }
            Err(source) => return Err(SettingsError::Read { path, source }),
        };
        settings.layer_env(|name| std::env::var(name).ok())
    }

    /// Applies the environment over these settings and checks the result,
    /// reporting every problem of both at once.
    pub fn layer_env(
        mut self,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, SettingsError> {
        let mut problems = match self.apply_env(var) {
            Ok(()) => Vec::new(),
            Err(SettingsError::Invalid(p)) => p,
            Err(e) => return Err(e),
        };
        if let Err(SettingsError::Invalid(p)) = self.validate() {
            problems.extend(p);
        }
        if problems.is_empty() {
            Ok(self)
        } else {
            Err(SettingsError::Invalid(problems))
        }
    }

    pub fn from_toml(text: &str) -> Result<Self, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    /// Overrides from `KANSLI_*` variables, read through `var` so tests need no process environment.
    pub fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) -> Result<(), SettingsError> {
        let mut problems = Vec::new();
        let mut bad = |name: &str, message: &str| {
            problems.push(format!("environment variable {name}: {message}"));
        };
        if let Some(v) = var("KANSLI_MODE") {
            match v.as_str() {
                "development" => self.mode = Mode::Development,
                "production" => self.mode = Mode::Production,
                _ => bad("KANSLI_MODE", "must be development or production"),
            };
        }
        if let Some(v) = var("KANSLI_LISTEN") {
            self.listen = v;
        }
        if let Some(v) = var("KANSLI_DATA_DIR") {
            self.data_dir = v.into();
        }
        if let Some(v) = var("KANSLI_BASE_URL") {
            self.base_url = Some(v);
        }
        if let Some(v) = var("KANSLI_DEV_MAILBOX") {
            match parse_bool(&v) {
                Some(on) => self.dev_mailbox = Some(on),
                None => bad("KANSLI_DEV_MAILBOX", "must be true or false"),
            }
        }
        if let Some(v) = var("KANSLI_SECRET_KEY_FILE") {
            self.secret_key_file = Some(v.into());
        }
        if let Some(v) = var("KANSLI_LOG") {
            self.log = v;
        }
        if let Some(v) = var("KANSLI_LOG_FORMAT") {
            match v.as_str() {
                "text" => self.log_format = LogFormat::Text,
                "json" => self.log_format = LogFormat::Json,
                _ => bad("KANSLI_LOG_FORMAT", "must be text or json"),
            }
        }
        if let Some(v) = var("KANSLI_METRICS_LISTEN") {
            self.metrics_listen = Some(v).filter(|v| !v.trim().is_empty());
        }
        if let Some(v) = var("KANSLI_BACKUPS_KEPT") {
            match v.parse() {
                Ok(n) => self.backups_kept = n,
                Err(_) => bad("KANSLI_BACKUPS_KEPT", "must be a number, 0 or more"),
            }
        }
        if let Some(v) = var("KANSLI_OUTBOX_RETENTION_DAYS") {
            match v.parse() {
                Ok(days) => self.outbox_retention_days = days,
                Err(_) => bad("KANSLI_OUTBOX_RETENTION_DAYS", "must be a number of days"),
            }
        }
        if let Some(v) = var("KANSLI_AUDIT_RETENTION_DAYS") {
            match v.parse() {
                Ok(days) => self.audit_retention_days = days,
                Err(_) => bad("KANSLI_AUDIT_RETENTION_DAYS", "must be a number of days"),
            }
        }
        if let Some(v) = var("KANSLI_CLOSED_CASE_DOCUMENT_RETENTION_DAYS") {
            match v.parse() {
                Ok(days) => self.closed_case_document_retention_days = Some(days),
                Err(_) => bad(
                    "KANSLI_CLOSED_CASE_DOCUMENT_RETENTION_DAYS",
                    "must be a number of days",
                ),
            }
        }
        for (name, slot) in [
            (
                "KANSLI_CONTACT_ORGANISATION_NAME",
                &mut self.contact.organisation_name,
            ),
            (
                "KANSLI_CONTACT_ORGANISATION_NUMBER",
                &mut self.contact.organisation_number,
            ),
            ("KANSLI_CONTACT_PHONE", &mut self.contact.phone),
            ("KANSLI_CONTACT_PHONE_HOURS", &mut self.contact.phone_hours),
            ("KANSLI_CONTACT_PHONE_MENU", &mut self.contact.phone_menu),
            ("KANSLI_CONTACT_EMAIL", &mut self.contact.email),
            (
                "KANSLI_CONTACT_POSTAL_ADDRESS",
                &mut self.contact.postal_address,
            ),
        ] {
            if let Some(v) = var(name) {
                *slot = v;
            }
        }
        for (name, slot) in [
            (
                "KANSLI_CONTACT_PROFESSIONAL_REGIONS_EMAIL",
                &mut self.contact.professional_regions_email,
            ),
            (
                "KANSLI_CONTACT_PROFESSIONAL_MUNICIPALITIES_EMAIL",
                &mut self.contact.professional_municipalities_email,
            ),
        ] {
            if let Some(v) = var(name) {
                *slot = Some(v).filter(|v| !v.trim().is_empty());
            }
        }
        if let Some(v) = var("KANSLI_SMS_UNRELIABLE_PREFIXES") {
            self.sms_unreliable_prefixes = v
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
        }
        if let Some(v) = var("KANSLI_TRUSTED_PROXIES") {
            self.trusted_proxies = v
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
        }
        if let Some(v) = var("KANSLI_SCHEDULE_CLEANUP") {
            self.schedule.cleanup = v;
        }
        if let Some(v) = var("KANSLI_SCHEDULE_OUTBOX") {
            self.schedule.outbox = v;
        }
        if let Some(v) = var("KANSLI_SCHEDULE_DRAFTS") {
            self.schedule.drafts = v;
        }
        if let Some(v) = var("KANSLI_SCHEDULE_PAYMENTS") {
            self.schedule.payments = v;
        }
        // Each variable changes its own key; a section the file lacks is made
        // from the variables, with the defaults for the rest.
        if let Some(host) = var("KANSLI_SMTP_HOST") {
            match (self.smtp.as_mut(), var("KANSLI_SMTP_FROM")) {
                (Some(smtp), _) => smtp.host = host,
                (None, Some(from)) => {
                    self.smtp = Some(SmtpSettings {
                        host,
                        port: default_smtp_port(),
                        security: default_smtp_security(),
                        username: None,
                        password: None,
                        from,
                    })
                }
                (None, None) => bad("KANSLI_SMTP_FROM", "is required with KANSLI_SMTP_HOST"),
            }
        }
        if let Some(smtp) = self.smtp.as_mut() {
            if let Some(v) = var("KANSLI_SMTP_PORT") {
                match v.parse() {
                    Ok(port) => smtp.port = port,
                    Err(_) => bad("KANSLI_SMTP_PORT", "must be a port number"),
                }
            }
            if let Some(v) = var("KANSLI_SMTP_SECURITY") {
                match v.as_str() {
                    "starttls" => smtp.security = SmtpSecurity::Starttls,
                    "tls" => smtp.security = SmtpSecurity::Tls,
                    "plain" => smtp.security = SmtpSecurity::Plain,
                    _ => bad("KANSLI_SMTP_SECURITY", "must be starttls, tls or plain"),
                };
            }
            if let Some(v) = var("KANSLI_SMTP_USERNAME") {
                smtp.username = Some(v);
            }
            if let Some(v) = var("KANSLI_SMTP_PASSWORD") {
                smtp.password = Some(v.into());
            }
            if let Some(v) = var("KANSLI_SMTP_FROM") {
                smtp.from = v;
            }
        }
        if let Some(url) = var("KANSLI_SMS_URL") {
            match self.sms.as_mut() {
                Some(sms) => sms.url = url,
                None => {
                    self.sms = Some(SmsSettings {
                        url,
                        username: None,
                        password: None,
                        sender: default_sender(),
                    })
                }
            }
        }
        match (
            self.payment.as_mut(),
            var("KANSLI_PAYMENT_URL"),
            var("KANSLI_PAYMENT_KEY"),
        ) {
            (Some(p), url, key) => {
                if let Some(url) = url {
                    p.url = url;
                }
                if let Some(key) = key {
                    p.api_key = key.into();
                }
            }
            (None, Some(url), Some(key)) => {
                self.payment = Some(PaymentSettings {
                    url,
                    api_key: key.into(),
                    page_origin: None,
                })
            }
            (None, Some(_), None) => {
                bad("KANSLI_PAYMENT_KEY", "is required with KANSLI_PAYMENT_URL")
            }
            (None, None, _) => {}
        }
        if let (Some(p), Some(v)) = (self.payment.as_mut(), var("KANSLI_PAYMENT_PAGE_ORIGIN")) {
            p.page_origin = Some(v);
        }
        if let Some(sms) = self.sms.as_mut() {
            if let Some(v) = var("KANSLI_SMS_USERNAME") {
                sms.username = Some(v);
            }
            if let Some(v) = var("KANSLI_SMS_PASSWORD") {
                sms.password = Some(v.into());
            }
            if let Some(v) = var("KANSLI_SMS_SENDER") {
                sms.sender = v;
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(SettingsError::Invalid(problems))
        }
    }

    pub fn validate(&self) -> Result<(), SettingsError> {
        let mut problems: Vec<String> = Vec::new();
        let mut invalid = |m: String| problems.push(m);
        if self.listen.parse::<SocketAddr>().is_err() {
            invalid(format!(
                "listen = {:?} is not an address such as 127.0.0.1:8080",
                self.listen
            ));
        }
        if let Some(metrics) = &self.metrics_listen {
            match (metrics.parse::<SocketAddr>(), self.listen.parse::<SocketAddr>()) {
                (Err(_), _) => invalid(format!(
                    "metrics_listen = {metrics:?} is not an address such as 127.0.0.1:9090"
                )),
                (Ok(m), Ok(l)) if shares_port(m, l) => invalid(format!(
                    "metrics_listen = {metrics:?} is the public listen address: metrics are never served to the public"
                )),
                _ => {}
            }
        }
        if let Some(url) = &self.base_url {
            if !(url.starts_with("http://") || url.starts_with("https://")) || url.ends_with('/') {
                invalid(format!(
                    "base_url = {url:?} must start with http:// or https:// and not end with /"
                ));
            }
        }
        if let Err(entry) = crate::domain::client_addr::TrustedProxies::parse(&self.trusted_proxies)
        {
            invalid(format!(
                "trusted_proxies: {entry:?} is not an address or network such as 127.0.0.1 or 10.0.0.0/8"
            ));
        }
        // Exactly a country's calling code: the phone form names its countries.
        for prefix in &self.sms_unreliable_prefixes {
            if !prefix.starts_with('+') || crate::domain::countries::calling_code(prefix).is_none()
            {
                invalid(format!(
                    "sms_unreliable_prefixes: {prefix:?} is not a country's calling code such as +90"
                ));
            }
        }
        if let Some(sms) = &self.sms {
            if !(sms.url.starts_with("http://") || sms.url.starts_with("https://")) {
                invalid(format!("sms.url = {:?} must be an http(s) URL", sms.url));
            }
            if sms.sender.is_empty() || sms.sender.len() > 11 {
                invalid("sms.sender must be 1 to 11 characters".into());
            }
        }
        if let Some(p) = &self.payment {
            if !(p.url.starts_with("http://") || p.url.starts_with("https://"))
                || p.url.ends_with('/')
            {
                invalid(format!(
                    "payment.url = {:?} must be an http(s) URL not ending with /",
                    p.url
                ));
            }
            if let Some(o) = &p.page_origin {
                if origin(o).as_deref() != Some(o.as_str()) {
                    invalid(format!(
                        "payment.page_origin = {o:?} must be an origin: scheme, host and port only, e.g. https://card.pay.example"
                    ));
                }
            }
        }
        for (name, service) in self.eid_services() {
            let Some(service) = service else { continue };
            if !(service.url.starts_with("http://") || service.url.starts_with("https://"))
                || service.url.ends_with('/')
            {
                invalid(format!(
                    "eid.{name}.url = {:?} must be an http(s) URL not ending with /",
                    service.url
                ));
            }
            if service.client_cert.is_some() != service.ca_cert.is_some() {
                invalid(format!(
                    "eid.{name} needs both client_cert and ca_cert for mutual TLS, or neither"
                ));
            }
            if self.mode == Mode::Production
                && (!service.url.starts_with("https://") || service.client_cert.is_none())
            {
                invalid(format!(
                    "eid.{name} in production mode needs an https:// url, client_cert and ca_cert"
                ));
            }
        }
        if self.eid.timeout_seconds == 0 || self.eid.timeout_seconds > 60 {
            invalid("eid.timeout_seconds must be 1 to 60".into());
        }
        for p in self.contact.problems() {
            invalid(p);
        }
        if self.closed_case_document_retention_days == Some(0) {
            // A decision's documents would go before anyone could read it again.
            invalid("closed_case_document_retention_days must be 1 or more, or unset".into());
        }
        if self.audit_retention_days == 0 {
            invalid("audit_retention_days must be 1 or more".into());
        }
        if self.outbox_retention_days == 0 {
            // Queued messages would go before their first attempt.
            invalid("outbox_retention_days must be 1 or more".into());
        }
        if let Some(smtp) = &self.smtp {
            if smtp.host.is_empty() || !smtp.from.contains('@') {
                invalid("smtp needs a host and a from address".into());
            }
        }
        for (name, expr) in [
            ("cleanup", &self.schedule.cleanup),
            ("outbox", &self.schedule.outbox),
            ("drafts", &self.schedule.drafts),
            ("payments", &self.schedule.payments),
        ] {
            if !expr.trim().is_empty() && expr.split_whitespace().count() != 6 {
                invalid(format!("schedule.{name} = {expr:?} must be a 6-field cron expression (with seconds) or blank"));
            }
        }
        if self.mode == Mode::Production {
            match &self.base_url {
                Some(url) if url.starts_with("https://") => {}
                _ => invalid(
                    "production mode requires base_url (KANSLI_BASE_URL) starting with https://"
                        .into(),
                ),
            }
            if self.smtp.is_none() {
                invalid("production mode requires SMTP settings (KANSLI_SMTP_HOST, KANSLI_SMTP_FROM, ...)".into());
            }
            if self.sms.is_none() {
                invalid("production mode requires an SMS provider (KANSLI_SMS_URL, ...)".into());
            }
            if self.payment.is_none() {
                invalid("production mode requires a card payment provider (KANSLI_PAYMENT_URL, KANSLI_PAYMENT_KEY): the built-in mock acquirer takes no real cards".into());
            }
            if self.dev_mailbox() {
                invalid("the dev mailbox cannot be turned on in production mode".into());
            }
            if self.secret_key_file.is_none() {
                invalid("production mode requires secret_key_file (KANSLI_SECRET_KEY_FILE): the file with the key that seals the installation key and staff authenticator secrets, kept apart from the database (e.g. systemd's LoadCredential=)".into());
            }
            let example = ContactSettings::default();
            let c = &self.contact;
            let examples: Vec<&str> = [
                (
                    "organisation_name",
                    c.organisation_name == example.organisation_name,
                ),
                (
                    "organisation_number",
                    c.organisation_number == example.organisation_number,
                ),
                ("phone", c.phone == example.phone),
                ("email", c.email == example.email),
                ("postal_address", c.postal_address == example.postal_address),
            ]
            .into_iter()
            .filter(|(_, same)| *same)
            .map(|(k, _)| k)
            .collect();
            if !examples.is_empty() {
                invalid(format!(
                    "production mode requires the organisation's own contact details in [contact] (KANSLI_CONTACT_*): {} still the example",
                    examples.join(", ")
                ));
            }
            // Personal data, codes and keys travel encrypted, unless they stay on this machine.
            let plain = [
                (
                    "payment.url (KANSLI_PAYMENT_URL)",
                    self.payment.as_ref().map(|p| &p.url),
                ),
                (
                    "sms.url (KANSLI_SMS_URL)",
                    self.sms.as_ref().map(|s| &s.url),
                ),
                (
                    "payment.page_origin (KANSLI_PAYMENT_PAGE_ORIGIN)",
                    self.payment.as_ref().and_then(|p| p.page_origin.as_ref()),
                ),
            ];
            for (setting, url) in plain {
                if let Some(url) = url.filter(|u| u.starts_with("http://") && !loopback_url(u)) {
                    invalid(format!(
                        "{setting} = {url:?}: production mode needs https://, or plain http:// only to this machine (localhost, 127.0.0.1, ::1)"
                    ));
                }
            }
            if let Some(smtp) = &self.smtp {
                if smtp.security == SmtpSecurity::Plain && !loopback_host(&smtp.host) {
                    invalid(format!(
                        "smtp.security (KANSLI_SMTP_SECURITY) = plain would send mail and the SMTP password unencrypted to {:?}: production mode needs starttls or tls, or an SMTP host on this machine",
                        smtp.host
                    ));
                }
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(SettingsError::Invalid(problems))
        }
    }

    /// Whether the dev mailbox lists messages: as set, else only in development
    /// (whether the mode came from the file or the environment).
    pub fn dev_mailbox(&self) -> bool {
        self.dev_mailbox.unwrap_or(self.mode == Mode::Development)
    }

    pub fn is_production(&self) -> bool {
        self.mode == Mode::Production
    }

    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("kansli.db")
    }

    /// The key file: as set, or `secret.key` in the data directory.
    pub fn secret_key_path(&self) -> PathBuf {
        self.secret_key_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("secret.key"))
    }

    /// How long the cleanup job keeps what it purges by age, in seconds.
    pub fn retention(&self) -> Retention {
        Retention {
            outbox: i64::from(self.outbox_retention_days) * crate::domain::rules::DAY,
            audit: i64::from(self.audit_retention_days) * crate::domain::rules::DAY,
            closed_case_documents: self
                .closed_case_document_retention_days
                .map(|days| i64::from(days) * crate::domain::rules::DAY),
        }
    }

    /// Where the copies taken before schema upgrades go.
    pub fn backups_dir(&self) -> PathBuf {
        self.data_dir.join("backups")
    }

    /// The e-identification services by name; None: simulated (development) or not offered.
    pub fn eid_services(&self) -> [(&'static str, Option<&EidService>); 3] {
        [
            ("bankid", self.eid.bankid.as_ref()),
            ("telia", self.eid.telia.as_ref()),
            ("professional", self.eid.professional.as_ref()),
        ]
    }

    /// The origins besides the page's own that the portal's forms may post to or
    /// be redirected to: its public address (people may reach it by another name)
    /// and the payment provider's card pages.
    pub fn form_targets(&self) -> Vec<String> {
        let mut targets: Vec<String> = origin(&self.public_url()).into_iter().collect();
        if let Some(p) = &self.payment {
            targets.extend(p.page_origin.clone().or_else(|| origin(&p.url)));
        }
        targets.dedup();
        targets
    }

    /// Whether the built-in mock acquirer serves payments (and its pages exist).
    pub fn mock_acquirer(&self) -> bool {
        self.payment.is_none()
    }

    /// The base URL for links in messages.
    pub fn public_url(&self) -> String {
        self.base_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.listen))
    }
}

/// Whether two listen addresses would take the same port (port 0 is any free one).
fn shares_port(a: SocketAddr, b: SocketAddr) -> bool {
    a.port() == b.port()
        && a.port() != 0
        && (a.ip() == b.ip() || a.ip().is_unspecified() || b.ip().is_unspecified())
}

fn parse_bool(v: &str) -> Option<bool> {
    match v {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// Whether `host` (a name or an address, IPv6 with or without brackets) is this machine.
fn loopback_host(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn loopback_url(url: &str) -> bool {
    reqwest::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(loopback_host))
        .unwrap_or(false)
}

/// The origin of an http(s) URL (`https://host:port`, the default port left out).
pub fn origin(url: &str) -> Option<String> {
    let parsed = reqwest::Url::parse(url).ok()?;
    matches!(parsed.scheme(), "http" | "https")
        .then(|| parsed.origin().ascii_serialization())
        .filter(|o| o != "null")
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;
    use std::collections::HashMap;

    fn with_env(pairs: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::default().layer_env(|n| map.get(n).cloned())
    }

    #[test]
    fn an_origin_is_scheme_host_and_a_port_other_than_the_default() {
        assert_eq!(
            origin("https://Pay.Example:443/api/v1").as_deref(),
            Some("https://pay.example")
        );
        assert_eq!(
            origin("http://localhost:8080/x").as_deref(),
            Some("http://localhost:8080")
        );
        for bad in [
            "",
            "pay.example",
            "ftp://pay.example",
            "javascript:alert(1)",
        ] {
            assert_eq!(origin(bad), None, "{bad}");
        }
        let err = with_env(&[
            ("KANSLI_PAYMENT_URL", "https://api.pay.example"),
            ("KANSLI_PAYMENT_KEY", "k"),
            ("KANSLI_PAYMENT_PAGE_ORIGIN", "https://card.pay.example/pay"),
        ])
        .unwrap_err();
        assert!(err.to_string().contains("payment.page_origin ="), "{err}");
    }

    #[test]
    fn defaults_are_valid_development() {
        let s = with_env(&[]).unwrap();
        assert_eq!(s.mode, Mode::Development);
        assert!(s.dev_mailbox());
        assert_eq!(s.database_path(), PathBuf::from("./data/kansli.db"));
    }

    #[test]
    fn production_without_smtp_is_refused() {
        let err = with_env(&[
            ("KANSLI_MODE", "production"),
            ("KANSLI_BASE_URL", "https://e.example"),
        ])
        .unwrap_err();
        assert!(err.to_string().contains("SMTP"), "{err}");
    }

    #[test]
    fn production_refuses_the_dev_mailbox() {
        let err = with_env(&[
            ("KANSLI_MODE", "production"),
            ("KANSLI_BASE_URL", "https://e.example"),
            ("KANSLI_SMTP_HOST", "mail.example"),
            ("KANSLI_SMTP_FROM", "noreply@e.example"),
            ("KANSLI_SMS_URL", "https://sms.example/send"),
            ("KANSLI_PAYMENT_URL", "https://pay.example/api"),
            ("KANSLI_PAYMENT_KEY", "k"),
            ("KANSLI_DEV_MAILBOX", "true"),
        ])
        .unwrap_err();
        assert!(err.to_string().contains("dev mailbox"), "{err}");
    }

    #[test]
    fn production_refuses_the_mock_acquirer_and_a_provider_needs_its_key() {
        let base = [
            ("KANSLI_MODE", "production"),
            ("KANSLI_BASE_URL", "https://e.example"),
            ("KANSLI_SMTP_HOST", "mail.example"),
            ("KANSLI_SMTP_FROM", "noreply@e.example"),
            ("KANSLI_SMS_URL", "https://sms.example/send"),
        ];
        let err = with_env(&base).unwrap_err();
        assert!(err.to_string().contains("KANSLI_PAYMENT_URL"), "{err}");
        let err = with_env(&[("KANSLI_PAYMENT_URL", "https://pay.example/api")]).unwrap_err();
        assert!(err.to_string().contains("KANSLI_PAYMENT_KEY"), "{err}");
        assert!(
            with_env(&[]).unwrap().mock_acquirer(),
            "development uses the mock"
        );
    }

    #[test]
    fn complete_production_settings_pass() {
        let s = production_with(&[]).unwrap();
        assert!(!s.dev_mailbox());
        assert!(!s.mock_acquirer());
        assert_eq!(s.smtp.unwrap().security, SmtpSecurity::Tls);
    }

    #[test]
    fn bad_values_name_the_setting() {
        let err = with_env(&[("KANSLI_LISTEN", "nowhere")]).unwrap_err();
        assert!(err.to_string().contains("listen"), "{err}");
        let err = with_env(&[("KANSLI_BACKUPS_KEPT", "many")]).unwrap_err();
        assert!(err.to_string().contains("KANSLI_BACKUPS_KEPT"), "{err}");
        let err = with_env(&[("KANSLI_METRICS_LISTEN", "127.0.0.1:8080")]).unwrap_err();
        assert!(err.to_string().contains("public listen address"), "{err}");
        let err = with_env(&[("KANSLI_METRICS_LISTEN", "0.0.0.0:8080")]).unwrap_err();
        assert!(err.to_string().contains("public listen address"), "{err}");
        let err = with_env(&[("KANSLI_METRICS_LISTEN", "anywhere")]).unwrap_err();
        assert!(err.to_string().contains("metrics_listen"), "{err}");
        let ok = with_env(&[("KANSLI_METRICS_LISTEN", "127.0.0.1:9090")]).unwrap();
        assert_eq!(ok.metrics_listen.as_deref(), Some("127.0.0.1:9090"));
        assert_eq!(with_env(&[]).unwrap().metrics_listen, None);
        let err = with_env(&[("KANSLI_LOG_FORMAT", "xml")]).unwrap_err();
        assert!(err.to_string().contains("KANSLI_LOG_FORMAT"), "{err}");
        let err = with_env(&[("KANSLI_MODE", "staging")]).unwrap_err();
        assert!(err.to_string().contains("KANSLI_MODE"), "{err}");
        let err = Settings::from_toml("colour = 'blue'").unwrap_err();
        assert!(err.contains("colour"), "{err}");
    }

    /// An organisation's own contact details (production refuses the examples).
    const CONTACT: [(&str, &str); 5] = [
        ("KANSLI_CONTACT_ORGANISATION_NAME", "Kommunen"),
        ("KANSLI_CONTACT_ORGANISATION_NUMBER", "555000-0003"),
        ("KANSLI_CONTACT_PHONE", "010-123 45 67"),
        ("KANSLI_CONTACT_EMAIL", "e-tjanster@kommunen.example"),
        ("KANSLI_CONTACT_POSTAL_ADDRESS", "Kommunen, 123 45 Staden"),
    ];

    const CONTACT_FILE: &str = "[contact]\norganisation_name = 'Kommunen'\n\
        organisation_number = '555000-0003'\nphone = '010-123 45 67'\n\
        email = 'e@kommunen.example'\npostal_address = 'Kommunen, 123 45 Staden'\n";

    const PRODUCTION: [(&str, &str); 14] = [
        (
            "KANSLI_SECRET_KEY_FILE",
            "/run/credentials/kansli.service/secret_key",
        ),
        ("KANSLI_MODE", "production"),
        ("KANSLI_BASE_URL", "https://e.example"),
        ("KANSLI_SMTP_HOST", "mail.example"),
        ("KANSLI_SMTP_FROM", "noreply@e.example"),
        ("KANSLI_SMTP_SECURITY", "tls"),
        ("KANSLI_SMS_URL", "https://sms.example/send"),
        ("KANSLI_PAYMENT_URL", "https://pay.example/api"),
        ("KANSLI_PAYMENT_KEY", "k"),
        CONTACT[0],
        CONTACT[1],
        CONTACT[2],
        CONTACT[3],
        CONTACT[4],
    ];

    fn production_with(
        changes: &[(&'static str, &'static str)],
    ) -> Result<Settings, SettingsError> {
        let mut env: HashMap<&str, &str> = PRODUCTION.into_iter().collect();
        env.extend(changes.iter().copied());
        with_env(&env.into_iter().collect::<Vec<_>>())
    }

    #[test]
    fn production_refuses_plain_transports_except_to_this_machine() {
        for (name, value, setting) in [
            (
                "KANSLI_PAYMENT_URL",
                "http://pay.example/api",
                "payment.url (",
            ),
            ("KANSLI_SMS_URL", "http://sms.example/send", "sms.url ("),
            ("KANSLI_SMTP_SECURITY", "plain", "smtp.security ("),
            (
                "KANSLI_PAYMENT_PAGE_ORIGIN",
                "http://card.pay.example",
                "payment.page_origin (",
            ),
        ] {
            let err = production_with(&[(name, value)]).unwrap_err().to_string();
            assert!(err.contains(setting) && err.contains(name), "{name}: {err}");
        }
        assert!(production_with(&[
            ("KANSLI_PAYMENT_URL", "http://127.0.0.1:9000/api"),
            ("KANSLI_SMS_URL", "http://[::1]:9001/send"),
            ("KANSLI_SMTP_SECURITY", "plain"),
            ("KANSLI_SMTP_HOST", "localhost"),
        ])
        .is_ok());
        assert!(
            with_env(&[("KANSLI_SMS_URL", "http://sms.example/send")]).is_ok(),
            "development allows plain http"
        );
    }

    #[test]
    fn every_problem_is_named_in_one_start() {
        let err = with_env(&[
            ("KANSLI_MODE", "production"),
            ("KANSLI_LISTEN", "nowhere"),
            ("KANSLI_BACKUPS_KEPT", "many"),
            ("KANSLI_SMTP_PORT", "x"),
            ("KANSLI_SCHEDULE_DRAFTS", "hourly"),
        ])
        .unwrap_err()
        .to_string();
        for named in [
            "KANSLI_BACKUPS_KEPT",
            "listen",
            "schedule.drafts",
            "base_url",
            "SMTP",
            "SMS provider",
            "card payment provider",
        ] {
            assert!(err.contains(named), "{named} missing from: {err}");
        }
        assert!(err.contains("secret_key_file"), "{err}");
        assert!(err.contains("[contact]"), "{err}");
        assert!(
            err.starts_with("invalid settings (9 problems):\n  - "),
            "{err}"
        );
    }

    #[test]
    fn sms_prefixes_must_be_a_countrys_calling_code() {
        for ok in ["+90", "+63,+90", "+1"] {
            let s = with_env(&[("KANSLI_SMS_UNRELIABLE_PREFIXES", ok)]).unwrap();
            assert!(!s.sms_unreliable_prefixes.is_empty(), "{ok}");
        }
        // A prefix that is no country's code would name no country on the phone
        // form, yet a number under it would need the box ticked.
        for bad in ["+9053", "+1876", "90", "+"] {
            let err = with_env(&[("KANSLI_SMS_UNRELIABLE_PREFIXES", bad)])
                .unwrap_err()
                .to_string();
            assert!(err.contains("sms_unreliable_prefixes"), "{bad}: {err}");
        }
    }

    #[test]
    fn contact_details_are_checked_and_production_refuses_the_examples() {
        let dev = with_env(&[]).unwrap();
        assert_eq!(dev.contact, ContactSettings::default());
        assert_eq!(dev.contact.hours(), Some(("09:00", "15:00")));
        assert_eq!(dev.contact.menu(), vec!["1", "7"]);
        let err = production_with(&[("KANSLI_CONTACT_PHONE", "+46 771-00 00 00")])
            .unwrap_err()
            .to_string();
        assert!(err.contains("phone still the example"), "{err}");
        let err = with_env(&[
            ("KANSLI_CONTACT_PHONE_HOURS", "9-15"),
            ("KANSLI_CONTACT_ORGANISATION_NUMBER", "212000-0143"),
            ("KANSLI_CONTACT_EMAIL", "nobody"),
            ("KANSLI_CONTACT_PHONE", " "),
        ])
        .unwrap_err()
        .to_string();
        for named in [
            "contact.phone_hours",
            "contact.organisation_number",
            "contact.email",
            "contact.phone must not be empty",
        ] {
            assert!(err.contains(named), "{named} missing from: {err}");
        }
        // The file's [contact] is merged key by key with the environment.
        let s = with_file_and_env(
            "[contact]\nphone = '010-123 45 67'\nphone_menu = ''\n",
            &[("KANSLI_CONTACT_EMAIL", "e@kommunen.example")],
        )
        .unwrap();
        assert_eq!(s.contact.phone, "010-123 45 67");
        assert_eq!(s.contact.email, "e@kommunen.example");
        assert!(s.contact.menu().is_empty());
        assert_eq!(
            s.contact.postal_address,
            ContactSettings::default().postal_address
        );
    }

    fn with_file_and_env(file: &str, pairs: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_toml(file)
            .unwrap()
            .layer_env(|n| map.get(n).cloned())
    }

    #[test]
    fn an_environment_variable_changes_its_key_and_keeps_the_files_others() {
        let file = "[smtp]\nhost = 'mx.file'\nport = 2525\nsecurity = 'tls'\nusername = 'u'\npassword = 'p'\nfrom = 'a@b.se'\n\
                    [sms]\nurl = 'https://sms.file/send'\nusername = 'su'\npassword = 'sp'\nsender = 'AGENCY'\n\
                    [payment]\nurl = 'https://pay.file/api'\napi_key = 'file-key'\n";
        let s = with_file_and_env(
            file,
            &[
                ("KANSLI_SMTP_HOST", "mx.env"),
                ("KANSLI_SMS_URL", "https://sms.env/send"),
                ("KANSLI_PAYMENT_URL", "https://pay.env/api"),
            ],
        )
        .unwrap();
        let smtp = s.smtp.unwrap();
        assert_eq!(
            (
                smtp.host.as_str(),
                smtp.port,
                smtp.security,
                smtp.username.as_deref()
            ),
            ("mx.env", 2525, SmtpSecurity::Tls, Some("u"))
        );
        assert!(smtp.password.is_some());
        let sms = s.sms.unwrap();
        assert_eq!(
            (
                sms.url.as_str(),
                sms.username.as_deref(),
                sms.sender.as_str()
            ),
            ("https://sms.env/send", Some("su"), "AGENCY")
        );
        assert!(sms.password.is_some());
        let payment = s.payment.unwrap();
        assert_eq!(payment.url, "https://pay.env/api");
        assert_eq!(
            payment.api_key.expose_secret(),
            "file-key",
            "no key demanded"
        );
        let s = with_file_and_env(file, &[("KANSLI_PAYMENT_KEY", "env-key")]).unwrap();
        assert_eq!(s.payment.unwrap().api_key.expose_secret(), "env-key");
    }

    #[test]
    fn production_in_the_file_turns_the_dev_mailbox_off_unless_it_is_asked_for() {
        let file = "mode = 'production'\nbase_url = 'https://e.example'\nsecret_key_file = '/k'\n\
                    [smtp]\nhost = 'mx'\nfrom = 'a@b.se'\n[sms]\nurl = 'https://s/x'\n\
                    [payment]\nurl = 'https://p/api'\napi_key = 'k'\n";
        let file = &format!("{file}{CONTACT_FILE}");
        assert!(!with_file_and_env(file, &[]).unwrap().dev_mailbox());
        let err = with_file_and_env(file, &[("KANSLI_DEV_MAILBOX", "true")]).unwrap_err();
        assert!(err.to_string().contains("dev mailbox"), "{err}");
        assert!(with_file_and_env("", &[]).unwrap().dev_mailbox());
        assert!(!with_file_and_env("dev_mailbox = false", &[])
            .unwrap()
            .dev_mailbox());
        assert!(!with_file_and_env("", &[("KANSLI_DEV_MAILBOX", "false")])
            .unwrap()
            .dev_mailbox());
    }

    #[test]
    fn toml_sections_are_read() {
        let s = Settings::from_toml(
            "listen = '0.0.0.0:9000'\n[smtp]\nhost = 'mx'\nfrom = 'a@b.se'\nsecurity = 'plain'\nport = 25\n",
        )
        .unwrap();
        let smtp = s.smtp.unwrap();
        assert_eq!((smtp.port, smtp.security), (25, SmtpSecurity::Plain));
        assert_eq!(s.listen, "0.0.0.0:9000");
    }
}
