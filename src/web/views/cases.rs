//! One submitted application: its status, what it means, what comes next, and
//! every status it has had. Answers, documents and the receipt are linked for a
//! login with two-step verification.
use maud::{html, Markup};

use super::components::Tone;
use super::components::{notice, Attr};
use super::layout::page;
use crate::db::cases::{Case, Event};
use crate::domain::case::{CaseStatus, EventKind};
use crate::domain::date::{time_in_sweden, Date};
use crate::domain::forms::FormDef;
use crate::h;
use crate::paths;
use crate::web::guard::Ctx;

pub fn case_page(ctx: &Ctx, form: &FormDef, case: &Case, history: &[Event], more: bool) -> Markup {
    let supplement = (case.status == CaseStatus::SupplementRequested)
        .then(|| {
            history
                .iter()
                .rev()
                .find(|e| {
                    e.kind == EventKind::Status && e.status == CaseStatus::SupplementRequested
                })
                .and_then(|e| e.message.as_deref())
        })
        .flatten();
    // The note that came with the latest status change (a supplement request's
    // has its own box).
    let note = history
        .iter()
        .rev()
        .find(|e| e.kind == EventKind::Status)
        .filter(|e| e.status != CaseStatus::SupplementRequested)
        .and_then(|e| e.message.as_deref());
    let [name, explain, next] = case.status.keys();
    page(
        ctx,
        form.title.get(ctx.lang()),
        html! {
            p.caption { (h!(ctx, "cases.title")) }
            h1 { (form.title.get(ctx.lang())) }
            dl.summary-list {
                div { dt { (h!(ctx, "cases.verification")) } dd.verification-number { (case.verification) } }
                div { dt { (h!(ctx, "cases.submitted")) } dd { (Date::in_sweden(case.submitted_at).to_string()) } }
                div { dt { (h!(ctx, "cases.status")) } dd { strong.status-tag { (ctx.h(name)) } " " (ctx.h(explain)) } }
                div { dt { (h!(ctx, "cases.next")) } dd { (ctx.h(next)) } }
            }
            @if case.status == CaseStatus::SupplementRequested {
                (notice(Tone::Warning, html! {
                    h2 { (h!(ctx, "case.supplement.title")) }
                    @if let Some(m) = supplement { p.message { (m) } }
                    p { (h!(ctx, "case.supplement.how")) }
                }))
            }
            @if let Some(m) = note {
                (notice(Tone::Info, html! {
                    h2 { (h!(ctx, "case.timeline.message")) }
                    p.message { (m) }
                }))
            }
            h2 { (h!(ctx, "cases.history")) }
            (timeline(ctx, history, Reader::Applicant))
            (documents_deleted(ctx, case))
            @if more {
                ul.link-list {
                    li { a href=(Attr(&paths::review(&case.draft_reference))) { (h!(ctx, "cases.answers")) } }
                    li { a href=(Attr(&paths::receipt(&case.payment_reference))) { (h!(ctx, "receipt.title")) } }
                }
            } @else {
                (notice(Tone::Info, html! { p { (h!(ctx, "account.page.more_with_two_step")) } }))
            }
            p { a href=(paths::ACCOUNT) { (h!(ctx, "nav.my_page")) } }
        },
    )
}

/// That the case's documents were deleted under the retention rule, if they were.
/// Shared by the applicant's and the caseworker's case pages.
pub fn documents_deleted(ctx: &Ctx, case: &Case) -> Markup {
    html! {
        @if let Some(at) = case.documents_deleted_at {
            p.documents-deleted {
                (ctx.tf("cases.documents_deleted", &[("date", &Date::in_sweden(at).to_string())]))
            }
        }
    }
}

/// Who reads a timeline: the applicant sees days; the caseworker also the time of
/// day (in Sweden) and who acted.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    Applicant,
    Staff,
}

/// Who made a timeline event happen, as a caseworker reads it: the applicant, the
/// person in Sweden, Kansli itself, or the staff member's username.
fn actor(ctx: &Ctx, e: &Event) -> String {
    match (e.kind, e.actor.as_str()) {
        (EventKind::QuestionnaireSent, _) | (_, "system") => {
            ctx.t("case.timeline.by_system").to_string()
        }
        (_, "applicant") => ctx.t("case.timeline.by_applicant").to_string(),
        (_, "person_in_sweden") => ctx.t("case.timeline.by_person_in_sweden").to_string(),
        (_, staff) => staff.to_string(),
    }
}

/// What has happened to a case, oldest first: each status with its explanation
/// and message, and the questionnaire's steps. Shared by the applicant's and the
/// caseworker's case pages.
pub fn timeline(ctx: &Ctx, history: &[Event], reader: Reader) -> Markup {
    html! {
        ol.timeline {
            @for e in history {
                li {
                    span.timeline-date {
                        (Date::in_sweden(e.at).to_string())
                        @if reader == Reader::Staff { " " time.timeline-time { (time_in_sweden(e.at)) } }
                    }
                    " "
                    @match e.kind {
                        EventKind::Status => {
                            strong { (ctx.tf("case.timeline.status", &[("status", ctx.t(e.status.keys()[0]))])) }
                            " " (ctx.h(e.status.keys()[1]))
                            @if let Some(m) = &e.message {
                                p.message { span.visually-hidden { (h!(ctx, "case.timeline.message")) ": " } (m) }
                            }
                        }
                        EventKind::QuestionnaireSent => { (h!(ctx, "case.timeline.questionnaire_sent")) }
                        EventKind::QuestionnaireAnswered => { (h!(ctx, "case.timeline.questionnaire_answered")) }
                        EventKind::HealthExamination => {
                            strong { (h!(ctx, "case.timeline.health_examination")) }
                            " " (e.actor)
                            @if let Some(m) = &e.message { p.message { (m) } }
                        }
                    }
                    @if reader == Reader::Staff && e.kind != EventKind::HealthExamination {
                        p.timeline-actor { (ctx.tf("case.timeline.by", &[("who", &actor(ctx, e))])) }
                    }
                }
            }
        }
    }
}
