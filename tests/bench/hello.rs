//! The baseline for tests/bench/run.sh: a plain actix-web hello-world with the
//! same actix-web build as Kansli. Listens on the address given as argument.
use actix_web::{web, App, HttpResponse, HttpServer};

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:18081".into());
    HttpServer::new(|| {
        App::new().route(
            "/",
            web::get().to(|| async { HttpResponse::Ok().body("Hello, world!") }),
        )
    })
    .bind(addr)?
    .run()
    .await
}
