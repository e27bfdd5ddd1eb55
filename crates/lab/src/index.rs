//! The lab's index: an HTML page (`/`) and the same data as JSON
//! (`/index.json`), each endpoint with the `cors-doctor check` command that
//! diagnoses it; and [`check_command`], which the CLI demo reuses.

use axum::extract::Request;
use axum::http::StatusCode;
use axum::Router;
use serde::Serialize;

use crate::handlers::{base_url, route, Reply};
use crate::{endpoints, hostile_paths, LabEndpoint, LAB_ORIGIN};

/// The `cors-doctor check` command that replays `endpoint`'s demo request
/// against the lab at `base_url` (e.g. `http://127.0.0.1:8080`).
///
/// Header arguments are always single-quoted; the URL and origin are quoted
/// only when they contain characters a shell would interpret.
pub fn check_command(base_url: &str, endpoint: &LabEndpoint) -> String {
    let url = format!("{}{}", base_url.trim_end_matches('/'), endpoint.path);
    let mut command = format!(
        "cors-doctor check {} --origin {}",
        shell_quote(&url),
        shell_quote(endpoint.origin)
    );
    if endpoint.method != "GET" {
        command.push_str(" -X ");
        command.push_str(&shell_quote(endpoint.method));
    }
    for (name, value) in endpoint.headers {
        command.push_str(" -H ");
        command.push_str(&single_quote(&format!("{name}: {value}")));
    }
    if endpoint.credentials != "omit" {
        command.push_str(" --credentials ");
        command.push_str(&shell_quote(endpoint.credentials));
    }
    command
}

pub(crate) fn routes() -> Router {
    let router = route(Router::new(), "/", index_html);
    route(router, "/index.json", index_json)
}

/// `/index.json`: the wire form of the endpoint table.
#[derive(Debug, Serialize)]
struct Index<'a> {
    lab_origin: &'static str,
    base_url: &'a str,
    endpoints: Vec<IndexEndpoint>,
    hostile: Vec<IndexHostile>,
}

#[derive(Debug, Serialize)]
struct IndexEndpoint {
    path: &'static str,
    url: String,
    title: &'static str,
    problem: &'static str,
    method: &'static str,
    headers: Vec<IndexHeader>,
    credentials: &'static str,
    origin: &'static str,
    healthy: bool,
    check: String,
}

#[derive(Debug, Serialize)]
struct IndexHeader {
    name: &'static str,
    value: &'static str,
}

#[derive(Debug, Serialize)]
struct IndexHostile {
    path: &'static str,
    description: &'static str,
}

fn index(base_url: &str) -> Index<'_> {
    let endpoints = endpoints()
        .iter()
        .map(|endpoint| IndexEndpoint {
            path: endpoint.path,
            url: format!("{base_url}{}", endpoint.path),
            title: endpoint.title,
            problem: endpoint.problem,
            method: endpoint.method,
            headers: endpoint
                .headers
                .iter()
                .map(|&(name, value)| IndexHeader { name, value })
                .collect(),
            credentials: endpoint.credentials,
            origin: endpoint.origin,
            healthy: endpoint.healthy,
            check: check_command(base_url, endpoint),
        })
        .collect();
    let hostile = hostile_paths()
        .iter()
        .map(|&(path, description)| IndexHostile { path, description })
        .collect();
    Index {
        lab_origin: LAB_ORIGIN,
        base_url,
        endpoints,
        hostile,
    }
}

async fn index_json(request: Request) -> Reply {
    let base = base_url(&request);
    match serde_json::to_string_pretty(&index(&base)) {
        Ok(json) => Reply::empty(StatusCode::OK)
            .header("Content-Type", "application/json")
            .with_body(json.into()),
        Err(_) => Reply::text(
            StatusCode::INTERNAL_SERVER_ERROR,
            "index serialization failed",
        ),
    }
}

async fn index_html(request: Request) -> Reply {
    let base = base_url(&request);
    Reply::html(StatusCode::OK, render_html(&index(&base)))
}

fn render_html(index: &Index<'_>) -> String {
    let mut html = String::from(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n\
         <title>cors-doctor lab</title>\n<style>\
         body{font-family:sans-serif;margin:2em;max-width:70em}\
         table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.4em;vertical-align:top}\
         code{font-size:.9em}.ok{color:#070}.bad{color:#a00}\
         </style></head><body>\n<h1>cors-doctor lab</h1>\n",
    );
    html.push_str(&format!(
        "<p>A deliberately misconfigured API: one endpoint per CORS cause. The intended page \
         origin is <code>{}</code>. Machine-readable: <a href=\"/index.json\">/index.json</a>.</p>\n",
        escape(index.lab_origin)
    ));
    if index.base_url.starts_with("http://") {
        html.push_str(
            "<p>Served over http: Safari blocks an https page's requests to an http loopback \
             server as mixed content before any CORS check, so its answer to every endpoint \
             here is mixed content. Serve the lab with <code>--tls</code> to see Safari's CORS \
             lessons too.</p>\n",
        );
    }
    html.push_str("<table>\n<tr><th>Endpoint</th><th>Problem</th><th>Check it</th></tr>\n");
    for endpoint in &index.endpoints {
        let (class, verdict) = if endpoint.healthy {
            ("ok", "passes")
        } else {
            ("bad", "blocked")
        };
        html.push_str(&format!(
            "<tr><td><a href=\"{path}\"><code>{path}</code></a><br>{title} \
             <span class=\"{class}\">({verdict})</span></td><td>{problem}</td>\
             <td><code>{check}</code></td></tr>\n",
            path = escape(endpoint.path),
            title = escape(endpoint.title),
            problem = escape(endpoint.problem),
            check = escape(&endpoint.check),
        ));
    }
    html.push_str("</table>\n<h2>Hostile endpoints (client robustness)</h2>\n<ul>\n");
    for hostile in &index.hostile {
        html.push_str(&format!(
            "<li><code>{}</code>: {}</li>\n",
            escape(hostile.path),
            escape(hostile.description)
        ));
    }
    html.push_str("</ul>\n</body></html>\n");
    html
}

/// Escapes text for HTML element content and double-quoted attributes.
fn escape(text: &str) -> String {
    text.chars()
        .fold(String::with_capacity(text.len()), |mut out, c| {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&#39;"),
                c => out.push(c),
            }
            out
        })
}

/// `text` as is when a POSIX shell would not interpret any of it, else single-quoted.
fn shell_quote(text: &str) -> String {
    let safe = !text.is_empty()
        && text.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'-' | b'_' | b'.' | b'/' | b':' | b'@' | b'%' | b'+' | b'=' | b','
                )
        });
    if safe {
        text.to_owned()
    } else {
        single_quote(text)
    }
}

/// `text` in single quotes, with each `'` written as `'\''`.
fn single_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint(path: &str) -> &'static LabEndpoint {
        endpoints().iter().find(|e| e.path == path).unwrap()
    }

    #[test]
    fn simple_get_has_no_method_or_credentials() {
        assert_eq!(
            check_command("http://127.0.0.1:8080/", endpoint("/ok/simple")),
            "cors-doctor check http://127.0.0.1:8080/ok/simple --origin https://app.example.com"
        );
    }

    #[test]
    fn preflighted_credentialed_request_lists_everything() {
        assert_eq!(
            check_command("http://localhost:1", endpoint("/ok/preflight")),
            "cors-doctor check http://localhost:1/ok/preflight --origin https://app.example.com \
             -X PUT -H 'Content-Type: application/json' -H 'Authorization: Bearer demo-token' \
             --credentials include"
        );
        assert!(check_command("http://h", endpoint("/lowercase-patch")).contains(" -X patch -H "));
    }

    #[test]
    fn quoting() {
        assert_eq!(single_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote("http://a/b?c=d&e"), "'http://a/b?c=d&e'");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        let html = render_html(&index("http://127.0.0.1:1"));
        assert!(html.contains("/trailing-slash"));
        assert!(html.contains("-H &#39;Content-Type: application/json&#39;"));
    }
}
