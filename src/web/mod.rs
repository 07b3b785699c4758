//! The HTTP edge, the only code that knows actix, maud and cookies: the route
//! table here, request protection in `guard`, one handler file per area in
//! `handlers`, and every piece of HTML in `views`.
use actix_web::web;

pub mod forms;
pub mod guard;
pub mod handlers;
pub mod page_cache;
pub mod respond;
pub mod views;
pub mod web_state;

use handlers::{
    account, api, apply, cases, casework, credentials, eid, health, login, pages, partner, payment,
    questionnaire, reset, staff, support, two_step, webhooks,
};

pub fn configure(cfg: &mut web::ServiceConfig) {
    use web::{get, post, resource, scope};
    // One resource per path (GET and POST together) and a scope per first segment
    // keep the router's linear scan short. Every pattern with a {parameter} is a
    // regex, so each sits in a scope with a plain prefix: a request for another
    // path never runs one.
    cfg.service(resource("/").route(get().to(pages::home)))
        .service(
            resource("/login")
                .route(get().to(login::form))
                .route(post().to(login::submit)),
        )
        .service(
            resource("/login/sms")
                .route(get().to(login::sms_form))
                .route(post().to(login::sms)),
        )
        .service(resource("/login/sms/resend").route(post().to(login::resend)))
        .service(resource("/login/sms/cancel").route(post().to(login::cancel_sms)))
        .service(
            resource("/login/eid")
                .route(get().to(eid::page))
                .route(post().to(eid::finish)),
        )
        .service(resource("/login/eid/start").route(post().to(eid::start)))
        .service(resource("/login/eid/status").route(get().to(eid::status)))
        .service(resource("/login/eid/cancel").route(post().to(eid::cancel)))
        .service(resource("/partner").route(get().to(partner::page)))
        .service(
            resource("/partner/health-examinations")
                .route(post().to(partner::report_health_examination)),
        )
        .service(resource("/logout").route(post().to(login::logout)))
        .service(
            scope("/account")
                .service(resource("").route(get().to(account::overview)))
                .service(
                    resource("/create")
                        .route(get().to(account::create_form))
                        .route(post().to(account::create)),
                )
                .service(
                    resource("/confirm")
                        .route(get().to(account::confirm_form))
                        .route(post().to(account::confirm)),
                )
                .service(resource("/confirm/resend").route(post().to(account::resend)))
                .service(resource("/confirm/restart").route(post().to(account::start_again)))
                .service(resource("/created").route(get().to(account::created)))
                .service(
                    resource("/two-step")
                        .route(get().to(two_step::phone_form))
                        .route(post().to(two_step::start)),
                )
                .service(
                    resource("/two-step/verify")
                        .route(get().to(two_step::verify_form))
                        .route(post().to(two_step::verify)),
                )
                .service(
                    resource("/two-step/off")
                        .route(get().to(two_step::off_form))
                        .route(post().to(two_step::off)),
                )
                .service(
                    resource("/email")
                        .route(get().to(credentials::email_form))
                        .route(post().to(credentials::start_email)),
                )
                .service(
                    resource("/email/phone")
                        .route(get().to(credentials::phone_step_form))
                        .route(post().to(credentials::phone_step)),
                )
                .service(resource("/sessions").route(get().to(account::devices::list)))
                .service(resource("/sessions/end").route(post().to(account::devices::end)))
                .service(
                    resource("/sessions/end-others").route(post().to(account::devices::end_others)),
                )
                .service(
                    resource("/two-step/off/verify")
                        .route(get().to(two_step::off_verify_form))
                        .route(post().to(two_step::off_verify)),
                )
                .service(
                    resource("/email/verify")
                        .route(get().to(credentials::verify_form))
                        .route(post().to(credentials::verify)),
                )
                .service(
                    resource("/password")
                        .route(get().to(credentials::password_form))
                        .route(post().to(credentials::change_password)),
                )
                .service(resource("/link").route(post().to(account::person::start_link)))
                .service(resource("/link/verify").route(post().to(account::person::finish_link)))
                .service(resource("/unlink").route(post().to(account::person::unlink))),
        )
        .service(
            scope("/applications")
                .service(
                    resource("/new")
                        .route(get().to(apply::choose))
                        .route(post().to(apply::start)),
                )
                .service(resource("/{reference}").route(get().to(apply::resume)))
                .service(
                    resource("/{reference}/pages/{page}")
                        .route(get().to(apply::show_page))
                        .route(post().to(apply::submit_page)),
                )
                .service(
                    resource("/{reference}/pages/{page}/upload")
                        .route(post().to(apply::documents::upload)),
                )
                .service(
                    resource("/{reference}/pages/{page}/remove")
                        .route(post().to(apply::documents::remove)),
                )
                .service(resource("/{reference}/review").route(get().to(apply::review)))
                .service(resource("/{reference}/approve").route(post().to(apply::approve)))
                .service(resource("/{reference}/sign").route(post().to(apply::signing::sign)))
                .service(resource("/{reference}/approved").route(get().to(payment::pay_page)))
                .service(resource("/{reference}/pay").route(post().to(payment::pay)))
                .service(resource("/{reference}/submitted").route(get().to(payment::submitted))),
        )
        .service(
            scope("/payments")
                .service(resource("/{reference}/return").route(get().to(payment::returned))),
        )
        .service(scope("/cases").service(resource("/{verification}").route(get().to(cases::show))))
        .service(
            scope("/receipts").service(resource("/{reference}").route(get().to(payment::receipt))),
        )
        .service(
            scope("/documents")
                .service(resource("/{reference}/{which}").route(get().to(apply::documents::serve))),
        )
        .service(
            resource("/password/forgot")
                .route(get().to(reset::forgot_form))
                .route(post().to(reset::forgot)),
        )
        .service(
            resource("/password/reset")
                .route(get().to(reset::reset_form))
                .route(post().to(reset::reset)),
        )
        .service(
            scope("/staff")
                .service(resource("").route(get().to(staff::home)))
                .service(
                    resource("/login")
                        .route(get().to(staff::login_form))
                        .route(post().to(staff::login)),
                )
                .service(resource("/logout").route(post().to(staff::logout)))
                .service(
                    resource("/setup")
                        .route(get().to(staff::setup_form))
                        .route(post().to(staff::setup)),
                )
                .service(resource("/setup/qr").route(get().to(staff::setup_qr)))
                .service(resource("/audit").route(get().to(staff::audit)))
                .service(resource("/webhooks").route(get().to(webhooks::deliveries)))
                .service(resource("/support").route(get().to(support::search)))
                .service(resource("/support/{id}").route(get().to(support::account)))
                .service(resource("/support/{id}/phone").route(post().to(support::change_phone)))
                .service(resource("/support/{id}/reveal").route(post().to(support::reveal_phone)))
                .service(resource("/support/{id}/email").route(post().to(support::correct_email)))
                .service(
                    resource("/support/{id}/phone/confirm")
                        .route(post().to(support::confirm_phone)),
                )
                .service(
                    resource("/support/{id}/email/confirm")
                        .route(post().to(support::confirm_email)),
                )
                .service(resource("/support/{id}/close").route(post().to(support::close)))
                .service(
                    resource("/support/{id}/confirmation")
                        .route(post().to(support::resend_confirmation)),
                )
                .service(
                    resource("/support/{id}/messages/{message}/resend")
                        .route(post().to(support::resend_message)),
                )
                .service(
                    resource("/support/questionnaires/{verification}")
                        .route(post().to(support::resend_questionnaire)),
                )
                .service(resource("/cases").route(get().to(casework::list)))
                .service(resource("/cases/{verification}").route(get().to(casework::show)))
                .service(
                    resource("/cases/{verification}/status")
                        .route(post().to(casework::change_status)),
                )
                .service(resource("/documents/{reference}").route(get().to(casework::document))),
        )
        .service(
            scope("/questionnaire")
                .service(
                    resource("")
                        .route(get().to(questionnaire::start_form))
                        .route(post().to(questionnaire::start)),
                )
                .service(
                    resource("/link")
                        .route(get().to(questionnaire::link_form))
                        .route(post().to(questionnaire::link)),
                ),
        )
        .service(
            // Every route of the API answers a method it does not take, and the
            // scope any other address, with a problem document rather than a page.
            scope("/api")
                .service(
                    resource("/openapi.json")
                        .route(get().to(api::openapi))
                        .default_service(web::to(api::wrong_method)),
                )
                .service(
                    resource("/v1/cases")
                        .route(get().to(api::list_cases))
                        .default_service(web::to(api::wrong_method)),
                )
                .service(
                    resource("/v1/cases/{verification}")
                        .route(get().to(api::case))
                        .default_service(web::to(api::wrong_method)),
                )
                .service(
                    resource("/v1/cases/{verification}/documents/{document}")
                        .route(get().to(api::document))
                        .default_service(web::to(api::wrong_method)),
                )
                .service(
                    resource("/v1/cases/{verification}/status")
                        .route(post().to(api::change_status))
                        .default_service(web::to(api::wrong_method)),
                )
                .default_service(web::to(api::no_route)),
        )
        .service(
            scope("/health")
                .service(resource("/live").route(get().to(health::live)))
                .service(resource("/ready").route(get().to(health::ready))),
        )
        .service(resource("/session/ping").route(get().to(pages::ping)))
        .service(resource("/help/login").route(get().to(pages::help_login)))
        .service(resource("/help/support").route(get().to(pages::help_support)))
        .service(resource("/terms").route(get().to(pages::terms)))
        .service(resource("/contact").route(get().to(pages::contact)))
        .service(resource("/accessibility").route(get().to(pages::accessibility)))
        .service(resource("/privacy").route(get().to(pages::privacy)))
        .service(resource("/cookies").route(get().to(pages::cookies)))
        .service(resource("/username/forgot").route(get().to(pages::forgot_username)))
        .service(resource("/dev/mailbox").route(get().to(pages::mailbox)))
        .service(
            scope("/lang").service(resource("/{code}").route(get().to(pages::switch_language))),
        )
        .service(scope("/assets").service(resource("/{name}").route(get().to(pages::asset))));
}

/// The metrics address's one route (never mounted on the public address).
pub fn configure_metrics(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/metrics").route(web::get().to(health::metrics)));
}
