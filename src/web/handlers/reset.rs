//! Forgotten password: ask for a link, then choose a new password. No automatic login.
use actix_web::{web, HttpRequest, HttpResponse};
use secrecy::SecretString;
use serde::Deserialize;

use crate::domain::email::Email;
use crate::domain::password::NewPassword;
use crate::domain::secret::Token;
use crate::error::AppError;
use crate::flows::identity::reset;
use crate::paths;
use crate::web::forms::password_problem;
use crate::web::guard::access::{count, Resets};
use crate::web::guard::{Ctx, Posted};
use crate::web::respond::{client_ip, html, invalid, redirect};
use crate::web::views::components::FormErrors;
use crate::web::views::login as view;
use crate::web::web_state::WebState;

#[derive(Deserialize, Default)]
pub struct SentFlag {
    sent: Option<String>,
}

pub async fn forgot_form(ctx: Ctx, q: web::Query<SentFlag>) -> HttpResponse {
    if q.sent.is_some() {
        return html(view::forgot_sent(&ctx));
    }
    html(view::forgot_form(&ctx, &FormErrors::default(), ""))
}

#[derive(Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
}

pub async fn forgot(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<WebState>,
    Posted(form): Posted<ForgotForm>,
) -> Result<HttpResponse, AppError> {
    count::<Resets>(&req, &state)?;
    match Email::parse(&form.email) {
        Ok(email) => {
            reset::request(&state, email, client_ip(&req).to_string()).await?;
            Ok(redirect(paths::PASSWORD_FORGOT_SENT))
        }
        Err(problem) => {
            let mut errors = FormErrors::default();
            errors.add("email", ctx.t(problem.key()));
            Ok(invalid(view::forgot_form(&ctx, &errors, &form.email)))
        }
    }
}

#[derive(Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
    done: Option<String>,
}

pub async fn reset_form(
    ctx: Ctx,
    state: web::Data<WebState>,
    q: web::Query<TokenQuery>,
) -> Result<HttpResponse, AppError> {
    if q.done.is_some() {
        return Ok(html(view::reset_done(&ctx)));
    }
    let Some(token) = q.token.as_deref().and_then(Token::from_client) else {
        return Ok(html(view::reset_invalid(&ctx)));
    };
    Ok(match reset::check(&state, &token).await? {
        Some(_) => html(view::reset_form(
            &ctx,
            &FormErrors::default(),
            token.expose(),
        )),
        None => html(view::reset_invalid(&ctx)),
    })
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_repeat: String,
}

pub async fn reset(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<WebState>,
    Posted(form): Posted<ResetForm>,
) -> Result<HttpResponse, AppError> {
    count::<Resets>(&req, &state)?;
    let Some(token) = Token::from_client(&form.token) else {
        return Ok(html(view::reset_invalid(&ctx)));
    };
    let Some(email) = reset::check(&state, &token).await? else {
        return Ok(html(view::reset_invalid(&ctx)));
    };
    let password: SecretString = form.password.into();
    let repeat: SecretString = form.password_repeat.into();
    match NewPassword::parse_for_address(&password, &repeat, &email) {
        Ok(new_password) => Ok(
            if reset::complete(&state, token, new_password, client_ip(&req).to_string()).await? {
                redirect(paths::PASSWORD_RESET_DONE)
            } else {
                html(view::reset_invalid(&ctx))
            },
        ),
        Err(problem) => {
            let mut errors = FormErrors::default();
            let (field, message) = password_problem(&ctx, &problem);
            errors.add(field, message);
            Ok(invalid(view::reset_form(&ctx, &errors, token.expose())))
        }
    }
}
