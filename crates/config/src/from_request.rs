//! `config --from-check` and `check --fix-for`: the rule that lets one
//! request through in every browser, and nothing more — its page's origin,
//! its method, the request headers any of the browsers counts as
//! CORS-unsafe (the engine decides, per browser), credentials when the
//! request includes them — for the request's own path.

use cors_engine::method::normalize;
use cors_engine::safelist::unsafe_headers;
use cors_engine::{Browser, Mode, Origin, Request};
use cors_policy::RuleSpec;

/// The rule for `request`, or why server configuration cannot let it through.
pub fn rule_for_request(request: &Request) -> Result<RuleSpec, String> {
    let origin = match &request.origin {
        Origin::Opaque => {
            return Err("the page's origin is `null` (a sandboxed iframe, a file: page or a data: URL): allowing `null` would let every such page in, so no configuration is written; serve the page from a real origin (http://localhost:…) and allow that".to_string())
        }
        tuple => tuple.serialize(),
    };
    match request.mode {
        Mode::Cors => {}
        Mode::NoCors => {
            return Err("the request is made in no-cors mode: the browser hides the answer from the script whatever the server sends; make the request in cors mode (fetch's default) and allow it with this command".to_string())
        }
        Mode::SameOrigin => {
            return Err("the request is made in same-origin mode: the browser refuses any cross-origin URL before sending it, whatever the server sends; use mode cors".to_string())
        }
    }
    // What the browser sends: fetch() upper-cases only six methods.
    let method = normalize(&request.method);
    if method != method.to_ascii_uppercase() {
        return Err(format!(
            "the page sends the method `{method}` as written (fetch() upper-cases only DELETE, GET, HEAD, OPTIONS, POST and PUT), and nginx, Node and most servers answer a lower-case method with 400 before any CORS configuration runs: write `{}` in the page, then run this again with -X {}",
            method.to_ascii_uppercase(),
            method.to_ascii_uppercase()
        ));
    }
    let url = &request.url;
    let base_url = url.origin().ascii_serialization();
    let path = url.path().to_string();
    let mut request_headers: Vec<String> = Vec::new();
    for browser in Browser::ALL {
        for header in unsafe_headers(&request.headers, browser) {
            if !request_headers
                .iter()
                .any(|h| h.eq_ignore_ascii_case(&header.name))
            {
                request_headers.push(header.name_as_sent);
            }
        }
    }
    Ok(RuleSpec {
        base_url,
        probe: vec![match url.query() {
            Some(q) => format!("{path}?{q}"),
            None => path.clone(),
        }],
        path,
        allow_origins: vec![origin],
        methods: vec![method],
        request_headers,
        credentials: request.includes_credentials(),
        expose_headers: Vec::new(),
        max_age: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use cors_engine::CredentialsMode;
    use url::Url;

    fn request() -> Request {
        let page = Url::parse("https://app.example.com/").unwrap();
        let url = Url::parse("https://api.example.com/v1/items?page=2").unwrap();
        Request::new(page, url)
    }

    #[test]
    fn a_request_needs_its_origin_method_unsafe_headers_and_credentials() {
        let r = request()
            .method("PUT")
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .header("X-Api-Key", "k")
            .credentials(CredentialsMode::Include);
        let spec = rule_for_request(&r).unwrap();
        assert_eq!(spec.allow_origins, vec!["https://app.example.com"]);
        assert_eq!(spec.methods, vec!["PUT"]);
        // Accept with a safelisted value needs nothing; the others do.
        assert_eq!(spec.request_headers, vec!["Content-Type", "X-Api-Key"]);
        assert!(spec.credentials);
        assert_eq!(spec.path, "/v1/items");
        assert_eq!(spec.probe, vec!["/v1/items?page=2"]);
        assert_eq!(spec.base_url, "https://api.example.com");
        let (policy, _) = spec.policy("the request").unwrap();
        assert_eq!(policy.apis[0].rules[0].request_headers.len(), 2);
    }

    #[test]
    fn what_no_header_can_fix_is_refused_with_the_reason() {
        let null = request().origin(Origin::Opaque);
        assert!(rule_for_request(&null).unwrap_err().contains("null"));
        let lower = request().method("patch");
        assert!(rule_for_request(&lower)
            .unwrap_err()
            .contains("write `PATCH`"));
        let put = rule_for_request(&request().method("put")).unwrap();
        assert_eq!(put.methods, vec!["PUT"]);
        let no_cors = request().mode(Mode::NoCors);
        assert!(rule_for_request(&no_cors).unwrap_err().contains("no-cors"));
    }
}
