//! The staff side: login (password and authenticator code), account setup through
//! the one-time link, the start page, logout, and the audit log (admin).
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::domain::password::NewPassword;
use crate::domain::secret::Token;
use crate::domain::staff::Admin;
use crate::domain::totp::TotpSecret;
use crate::error::AppError;
use crate::flows::identity::staff::{self, Setup, ISSUER};
use crate::flows::records;
use crate::paths;
use crate::web::forms::password_problem;
use crate::web::guard::access::{count, StaffLogins};
use crate::web::guard::middleware::removal_cookie;
use crate::web::guard::staff::{StaffCtx, STAFF_COOKIE};
use crate::web::guard::{Ctx, Posted};
use crate::web::respond::{client_ip, html, invalid, redirect, redirect_with_cookie};
use crate::web::views::components::FormErrors;
use crate::web::views::components::Message;
use crate::web::views::staff::{self as view, AuditPage};
use crate::web::web_state::WebState;

#[derive(Deserialize, Default)]
pub struct LoginFlags {
    setup: Option<String>,
    out: Option<String>,
}

pub async fn login_form(ctx: Ctx, q: web::Query<LoginFlags>) -> HttpResponse {
    let notice = if q.setup.is_some() {
        Some(Message::success("staff.setup.done"))
    } else {
        q.out.as_ref().map(|_| Message::success("staff.logged_out"))
    };
    html(view::login(&ctx, &FormErrors::default(), "", notice))
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    code: String,
}

pub async fn login(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<WebState>,
    Posted(form): Posted<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let ip = client_ip(&req);
    count::<StaffLogins>(&req, &state)?;
    let token = staff::login(
        &state,
        &form.email,
        form.password.into(),
        &form.code,
        ip.to_string(),
    )
    .await?;
    let Some(token) = token else {
        let mut errors = FormErrors::default();
        errors.add("email", ctx.t("staff.login.failed"));
        return Ok(invalid(view::login(&ctx, &errors, &form.email, None)));
    };
    Ok(redirect_with_cookie(
        &state,
        paths::STAFF,
        STAFF_COOKIE,
        &token,
    ))
}

pub async fn home(ctx: Ctx, staff: StaffCtx) -> HttpResponse {
    match staff.session {
        Some((member, _)) => html(view::home(&ctx, &member, None)),
        None => redirect(paths::STAFF_LOGIN),
    }
}

pub async fn logout(
    req: HttpRequest,
    state: web::Data<WebState>,
    staff: StaffCtx,
    _form: Posted<crate::web::forms::Empty>,
) -> Result<HttpResponse, AppError> {
    if let Some((member, hash)) = staff.session {
        staff::logout(&state, hash, member.email, client_ip(&req).to_string()).await?;
    }
    let mut res = redirect(paths::STAFF_LOGIN_OUT);
    res.add_cookie(&removal_cookie(&state, STAFF_COOKIE))
        .map_err(|e| AppError::Unexpected(e.into()))?;
    Ok(res)
}

#[derive(Deserialize)]
pub struct SetupQuery {
    #[serde(default)]
    token: String,
}

impl SetupQuery {
    fn token(&self) -> Option<Token> {
        Token::from_client(&self.token)
    }
}

pub async fn setup_form(
    ctx: Ctx,
    state: web::Data<WebState>,
    q: web::Query<SetupQuery>,
) -> Result<HttpResponse, AppError> {
    let Some(token) = q.token() else {
        return Ok(html(view::setup_gone(&ctx)));
    };
    Ok(match staff::setup_for(&state, &token).await? {
        Some(member) => {
            let secret = TotpSecret::from_stored(member.totp_secret).base32();
            html(view::setup(
                &ctx,
                &FormErrors::default(),
                &member.email,
                token.expose(),
                &secret,
            ))
        }
        None => html(view::setup_gone(&ctx)),
    })
}

/// The enrolment QR code as an SVG image (an image, so no markup from data is spliced into a page).
pub async fn setup_qr(
    state: web::Data<WebState>,
    q: web::Query<SetupQuery>,
) -> Result<HttpResponse, AppError> {
    let token = q.token().ok_or(AppError::NotFound)?;
    let member = staff::setup_for(&state, &token)
        .await?
        .ok_or(AppError::NotFound)?;
    let url = TotpSecret::from_stored(member.totp_secret).otpauth_url(ISSUER, &member.email);
    let svg = qrcode::QrCode::new(url.as_bytes())
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("qr code: {e}")))?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(220, 220)
        .build();
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "image/svg+xml"))
        .body(svg))
}

#[derive(Deserialize)]
pub struct SetupForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_repeat: String,
    #[serde(default)]
    code: String,
}

pub async fn setup(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<WebState>,
    q: web::Query<SetupQuery>,
    Posted(form): Posted<SetupForm>,
) -> Result<HttpResponse, AppError> {
    let ip = client_ip(&req);
    count::<StaffLogins>(&req, &state)?;
    let Some(token) = q.token() else {
        return Ok(html(view::setup_gone(&ctx)));
    };
    let Some(member) = staff::setup_for(&state, &token).await? else {
        return Ok(html(view::setup_gone(&ctx)));
    };
    let secret = TotpSecret::from_stored(member.totp_secret.clone()).base32();
    let email = member.email.clone();
    let mut errors = FormErrors::default();
    let password =
        NewPassword::parse_for_address(&form.password.into(), &form.password_repeat.into(), &email)
            .map_err(|p| {
                let (field, message) = password_problem(&ctx, &p);
                errors.add(field, message);
            })
            .ok();
    if form.code.trim().is_empty() {
        errors.add("code", ctx.t("error.code.missing"));
    }
    let show =
        |errors: &FormErrors| invalid(view::setup(&ctx, errors, &email, token.expose(), &secret));
    let Some(password) = password.filter(|_| errors.is_empty()) else {
        return Ok(show(&errors));
    };
    Ok(
        match staff::complete_setup(&state, &token, member, password, &form.code, ip.to_string())
            .await?
        {
            Setup::Done => redirect(paths::STAFF_LOGIN_SETUP),
            Setup::WrongCode => {
                errors.add("code", ctx.t("staff.setup.wrong_code"));
                show(&errors)
            }
            Setup::LinkGone => html(view::setup_gone(&ctx)),
        },
    )
}

#[derive(Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    action: String,
    #[serde(default)]
    who: String,
    page: Option<i64>,
}

const AUDIT_PAGE: i64 = 50;

/// The audit log, newest first, 50 a page, filtered by action and by who or whom.
pub async fn audit(
    ctx: Ctx,
    state: web::Data<WebState>,
    staff: StaffCtx,
    q: web::Query<AuditQuery>,
) -> Result<HttpResponse, AppError> {
    let admin = staff.permit::<Admin>().await?;
    let page = q.page.unwrap_or(1).clamp(1, 100_000);
    let action = Some(q.action.trim().to_string()).filter(|s| !s.is_empty());
    let who = Some(q.who.trim().to_string()).filter(|s| !s.is_empty());
    let mut entries = records::audit_page(
        &state,
        &admin,
        action,
        who,
        (page - 1) * AUDIT_PAGE,
        AUDIT_PAGE,
    )
    .await?;
    let has_next = entries.len() as i64 > AUDIT_PAGE;
    entries.truncate(AUDIT_PAGE as usize);
    Ok(html(view::audit(
        &ctx,
        &AuditPage {
            entries: &entries,
            action: q.action.trim(),
            who: q.who.trim(),
            page,
            has_next,
        },
    )))
}
