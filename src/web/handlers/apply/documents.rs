//! Uploading photos of documents (multipart, with the page's typed answers) and
//! serving them back to their owner only.
use std::collections::BTreeMap;

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use futures_util::StreamExt;

use super::{owned_or_login, respond, take_revision};
use crate::domain::documents::MAX_BYTES;
use crate::domain::rules::FORM_LIMIT;
use crate::error::AppError;
use crate::flows::apply;
use crate::flows::records;
use crate::paths;
use crate::web::guard::access::{count_owner, Uploads};
use crate::web::guard::{Ctx, Posted};
use crate::web::respond::too_many;
use crate::web::views::errors::too_many_uploads;
use crate::web::web_state::WebState;

/// More parts than any page has fields (plus the token, revision and button).
const MAX_PARTS: usize = 100;

/// What a page's multipart post carried.
struct Upload {
    text: BTreeMap<String, String>,
    file: Option<(String, String, Vec<u8>)>,
    /// The field whose file was over the limit. Reading stopped there, so the
    /// parts after it (a browser sends the Upload button last) never arrived.
    too_large: Option<String>,
}

/// Reads the parts, never more than the limits: text parts together up to the form
/// limit, one file part up to the file limit. Past it, reading stops: the rest of the
/// body is never read, and the file is refused.
async fn read_parts(mut body: Multipart) -> Result<Upload, AppError> {
    let bad = |_| AppError::Forbidden;
    let mut upload = Upload {
        text: BTreeMap::new(),
        file: None,
        too_large: None,
    };
    let mut text_bytes = 0usize;
    let mut count = 0usize;
    'parts: while let Some(part) = body.next().await {
        count += 1;
        if count > MAX_PARTS {
            return Err(AppError::Forbidden);
        }
        let mut part = part.map_err(bad)?;
        let name = part.name().unwrap_or_default().to_string();
        let filename = part
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(str::to_string);
        let mut data = Vec::new();
        let limit = if filename.is_some() {
            MAX_BYTES
        } else {
            FORM_LIMIT.saturating_sub(text_bytes)
        };
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(bad)?;
            if data.len() + chunk.len() > limit {
                if filename.is_none() {
                    return Err(AppError::Forbidden);
                }
                upload.too_large = Some(name);
                break 'parts;
            }
            data.extend_from_slice(&chunk);
        }
        match filename {
            Some(f) if upload.file.is_none() => upload.file = Some((name, f, data)),
            Some(_) => {}
            None => {
                text_bytes += data.len();
                upload.text.insert(
                    name,
                    String::from_utf8(data).map_err(|_| AppError::Forbidden)?,
                );
            }
        }
    }
    Ok(upload)
}

/// A photo button's post taken apart: the revision the page was shown with, the
/// field the `button` named, and the typed answers.
fn controls(
    mut text: BTreeMap<String, String>,
    button: &str,
) -> (i64, String, crate::domain::forms::answers::Answers) {
    let revision = take_revision(&mut text);
    let field = text.remove(button).unwrap_or_default();
    for control in ["csrf", "action"] {
        text.remove(control);
    }
    (revision, field, text.into_iter().collect())
}

pub async fn upload(
    ctx: Ctx,
    state: web::Data<WebState>,
    path: web::Path<(String, String)>,
    body: Multipart,
) -> Result<HttpResponse, AppError> {
    let (reference, page_id) = path.into_inner();
    let (current, form) = owned_or_login(&state, &ctx, reference).await?;
    // Counted before the body is read: a refused photo costs neither memory nor a decode.
    if let Err(AppError::TooManyRequests { retry_after }) =
        count_owner::<Uploads>(current.owner, &state)
    {
        let back = paths::draft_page(&current.draft.reference, &page_id);
        return Ok(too_many(
            retry_after,
            too_many_uploads(&ctx, retry_after, &back),
        ));
    }
    let mut parts = read_parts(body).await?;
    let csrf = parts.text.remove("csrf").unwrap_or_default();
    if !ctx.csrf_matches(&csrf) {
        return Err(AppError::Forbidden);
    }
    let (revision, button, answers) = controls(parts.text, "upload");
    let field = parts.too_large.clone().unwrap_or(button);
    // An approved application, or an older copy of the page, is answered as such
    // before anything about the file: the page shown again must be the current one.
    if current.draft.approved_at.is_some() || revision != current.draft.revision {
        let outcome = if current.draft.approved_at.is_some() {
            apply::PageOutcome::Locked
        } else {
            apply::PageOutcome::Stale
        };
        return respond(&ctx, &state, &current, form, &page_id, &answers, outcome).await;
    }
    let refusal = if parts.too_large.is_some() {
        Some(crate::domain::documents::Refusal::TooLarge)
    } else {
        match &parts.file {
            Some((name, _, bytes)) if *name == field && !bytes.is_empty() => None,
            _ => Some(crate::domain::documents::Refusal::Missing),
        }
    };
    let outcome = match refusal {
        Some(r) => apply::PageOutcome::Invalid(vec![(field.clone(), r.key())]),
        None => {
            let (_, filename, bytes) = parts.file.take().unwrap_or_default();
            let post = apply::DocumentPost {
                page_id: &page_id,
                field_id: &field,
                revision,
                posted: answers.clone(),
            };
            apply::upload(&state, &current, form, post, (filename, bytes)).await?
        }
    };
    respond(&ctx, &state, &current, form, &page_id, &answers, outcome).await
}

/// The Remove button beside a page's photo: the photo and its answer go, unless
/// the application is approved or the page posted is an older copy.
pub async fn remove(
    ctx: Ctx,
    path: web::Path<(String, String)>,
    state: web::Data<WebState>,
    Posted(posted): Posted<BTreeMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let (revision, field, answers) = controls(posted, "remove");
    let (reference, page_id) = path.into_inner();
    let (current, form) = owned_or_login(&state, &ctx, reference).await?;
    let post = apply::DocumentPost {
        page_id: &page_id,
        field_id: &field,
        revision,
        posted: answers.clone(),
    };
    let outcome = apply::remove_document(&state, &current, form, post).await?;
    respond(&ctx, &state, &current, form, &page_id, &answers, outcome).await
}

/// A document or its thumbnail, to its owner only; anyone else gets 404.
pub async fn serve(
    ctx: Ctx,
    state: web::Data<WebState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (reference, which) = path.into_inner();
    let thumbnail = match which.as_str() {
        "file" => false,
        "thumbnail" => true,
        _ => return Err(AppError::NotFound),
    };
    let reader = crate::web::guard::access::reader(&ctx).ok_or(AppError::NotFound)?;
    let more = crate::web::guard::access::sees_more(&ctx, &reader);
    let document = records::document(&state, reader, reference, thumbnail)
        .await?
        .ok_or(AppError::NotFound)?;
    if document.submitted && !more {
        return Ok(crate::web::respond::html(
            crate::web::views::payment::needs_two_step(&ctx),
        ));
    }
    Ok(HttpResponse::Ok()
        .content_type(document.mime.as_str())
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{}\"", document.filename),
        ))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(document.bytes))
}
