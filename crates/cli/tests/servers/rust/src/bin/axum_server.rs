//! The axum server for `config --target axum`'s proof: the routes the test
//! probes (`/api/items` 200 with `X-Request-Id`, `/api/fail` 500, anything
//! else under `/api` 404 from the fallback), mounted exactly as the
//! generated comment says, with the layer of shape `SHAPE` on `PORT`.

use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::any;
use axum::Router;

// `fn cors(shape: usize) -> Option<CorsLayer>` and one module per shape,
// each holding the generated file verbatim.
include!(env!("CORS_SHAPES"));

async fn ok() -> impl IntoResponse {
    ([("x-request-id", "42")], "ok")
}

async fn fail() -> impl IntoResponse {
    (StatusCode::INTERNAL_SERVER_ERROR, "boom")
}

async fn not_found() -> impl IntoResponse {
    (StatusCode::NOT_FOUND, "missing")
}

use cors_config_servers::setting;

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let port = u16::try_from(setting("PORT")).expect("PORT fits a port");
    let layer = cors(setting("SHAPE")).expect("SHAPE names a generated shape");
    let routes = Router::new()
        .route("/items", any(ok))
        .route("/fail", any(fail));
    let app = Router::new().nest("/api", routes.fallback(not_found).layer(layer));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    axum::serve(listener, app).await
}
