//! The actix-web server for `config --target actix`'s proof: the routes the
//! test probes (`/api/items` 200 with `X-Request-Id`, `/api/fail` 500,
//! anything else under `/api` 404 from the scope's default service),
//! mounted exactly as the generated comment says, with the `Cors` of shape
//! `SHAPE` on `PORT`.

use actix_web::{web, App, HttpResponse, HttpServer};

// `fn cors(shape: usize) -> Option<Cors>` and one module per shape, each
// holding the generated file verbatim.
include!(env!("CORS_SHAPES"));

async fn ok() -> HttpResponse {
    HttpResponse::Ok().insert_header(("x-request-id", "42")).body("ok")
}

async fn fail() -> HttpResponse {
    HttpResponse::InternalServerError().body("boom")
}

async fn not_found() -> HttpResponse {
    HttpResponse::NotFound().body("missing")
}

use cors_config_servers::setting;

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let port = u16::try_from(setting("PORT")).expect("PORT fits a port");
    let shape = setting("SHAPE");
    assert!(cors(shape).is_some(), "SHAPE names a generated shape");
    HttpServer::new(move || {
        let Some(cors) = cors(shape) else {
            unreachable!("checked above")
        };
        App::new().service(
            web::scope("/api")
                .route("/items", web::route().to(ok))
                .route("/fail", web::route().to(fail))
                .default_service(web::to(not_found))
                .wrap(cors),
        )
    })
    .workers(1)
    .bind(("127.0.0.1", port))?
    .run()
    .await
}
