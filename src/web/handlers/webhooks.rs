//! The administrators' page of webhook deliveries to API client systems.
use actix_web::{web, HttpResponse};

use crate::domain::staff::Admin;
use crate::error::AppError;
use crate::flows::api::clients;
use crate::web::guard::staff::StaffCtx;
use crate::web::guard::Ctx;
use crate::web::respond::html;
use crate::web::views::webhooks as view;
use crate::web::web_state::WebState;

pub async fn deliveries(
    ctx: Ctx,
    state: web::Data<WebState>,
    staff: StaffCtx,
) -> Result<HttpResponse, AppError> {
    let admin = staff.permit::<Admin>().await?;
    let rows = clients::deliveries(&state, &admin).await?;
    Ok(html(view::deliveries(&ctx, &rows)))
}
