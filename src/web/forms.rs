//! Form bodies and messages that several handlers share: codes, new passwords,
//! the code page's flags and the form with no fields (a button and its CSRF token).
use serde::Deserialize;

use crate::domain::password::PasswordProblem;
use crate::domain::secret::OneTimeCode;
use crate::flows::identity::CodeOutcome;
use crate::web::guard::Ctx;
use crate::web::views::components::Message;
use crate::web::views::components::{FormErrors, Notice};

/// The message for a refused new password, and the field it belongs to.
pub fn password_problem(ctx: &Ctx, problem: &PasswordProblem) -> (&'static str, String) {
    match problem {
        PasswordProblem::Mismatch => (
            "password_repeat",
            ctx.t("error.password.mismatch").to_string(),
        ),
        PasswordProblem::Guessable(reason) => (
            "password",
            format!("{} {}", ctx.t("error.password.guessable"), ctx.t(reason)),
        ),
        other => (
            "password",
            ctx.tf(
                other.key(),
                &[
                    ("min", &crate::domain::password::MIN_CHARS.to_string()),
                    ("max", &crate::domain::password::MAX_CHARS.to_string()),
                ],
            ),
        ),
    }
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    pub code: String,
}

/// What a code step answers: on to `next` under the session's new id when the code
/// was right, or `page` again with the code's problem.
pub fn after_code(
    state: &crate::web::web_state::WebState,
    ctx: &Ctx,
    outcome: CodeOutcome,
    next: &str,
    page: impl Fn(&FormErrors) -> maud::Markup,
) -> actix_web::HttpResponse {
    match outcome {
        CodeOutcome::Accepted(token) => {
            crate::web::respond::redirect_with_session(state, next, &token)
        }
        other => {
            let mut errors = FormErrors::default();
            errors.add("code", code_error(ctx, &other));
            crate::web::respond::invalid(page(&errors))
        }
    }
}

/// The message for a code that was not accepted.
pub fn code_error(ctx: &Ctx, outcome: &CodeOutcome) -> String {
    match outcome {
        CodeOutcome::Wrong { tries_left } => ctx.plural(
            "error.code.wrong",
            *tries_left,
            &[("tries", &tries_left.to_string())],
        ),
        CodeOutcome::Expired => ctx.t("error.code.expired").to_string(),
        CodeOutcome::Capped => ctx.t("error.code.capped").to_string(),
        _ => ctx.t("error.code.void").to_string(),
    }
}

/// Parses a typed code, or gives the form error for one that is not six digits.
pub fn parse_code(ctx: &Ctx, input: &str) -> Result<OneTimeCode, FormErrors> {
    OneTimeCode::parse(input).ok_or_else(|| {
        let mut errors = FormErrors::default();
        let key = if input.trim().is_empty() {
            "error.code.missing"
        } else {
            "error.code.format"
        };
        errors.add("code", ctx.t(key));
        errors
    })
}

/// A code page's one flag: a new code was asked for too soon.
#[derive(Deserialize, Default)]
pub struct VerifyFlags {
    wait: Option<String>,
}

impl VerifyFlags {
    pub fn notice(&self) -> Notice {
        self.wait.as_ref().map(|_| Message::warning("code.wait"))
    }
}

#[derive(Deserialize)]
pub struct Empty {}
