//! The header lines a server sends to let one request through, as plain
//! name/value pairs: what `proxy --fix` adds to the upstream's answer, and
//! what it tells the user the upstream must send itself.

use cors_policy::RuleSpec;

/// The CORS lines for `spec`'s request on the preflight's answer
/// (`preflight`) or on the request's own response. `Vary: Origin` goes on
/// the response: the allowed origin is echoed, so a cache must key on it.
pub fn response_headers(spec: &RuleSpec, preflight: bool) -> Vec<(String, String)> {
    let mut lines = Vec::with_capacity(5);
    if let Some(origin) = spec.allow_origins.first() {
        lines.push(("Access-Control-Allow-Origin".to_string(), origin.clone()));
    }
    if spec.credentials {
        lines.push((
            "Access-Control-Allow-Credentials".to_string(),
            "true".to_string(),
        ));
    }
    if preflight {
        if !spec.methods.is_empty() {
            lines.push((
                "Access-Control-Allow-Methods".to_string(),
                spec.methods.join(", "),
            ));
        }
        if !spec.request_headers.is_empty() {
            lines.push((
                "Access-Control-Allow-Headers".to_string(),
                spec.request_headers.join(", "),
            ));
        }
    } else {
        if !spec.expose_headers.is_empty() {
            lines.push((
                "Access-Control-Expose-Headers".to_string(),
                spec.expose_headers.join(", "),
            ));
        }
        lines.push(("Vary".to_string(), "Origin".to_string()));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_preflight_names_method_and_headers_the_response_the_origin() {
        let spec = RuleSpec {
            allow_origins: vec!["http://localhost:3000".into()],
            methods: vec!["PUT".into()],
            request_headers: vec!["Content-Type".into(), "X-Api-Key".into()],
            credentials: true,
            ..RuleSpec::default()
        };
        let names = |lines: Vec<(String, String)>| {
            lines
                .into_iter()
                .map(|(n, v)| format!("{n}: {v}"))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(response_headers(&spec, true)),
            [
                "Access-Control-Allow-Origin: http://localhost:3000",
                "Access-Control-Allow-Credentials: true",
                "Access-Control-Allow-Methods: PUT",
                "Access-Control-Allow-Headers: Content-Type, X-Api-Key",
            ]
        );
        assert_eq!(
            names(response_headers(&spec, false)),
            [
                "Access-Control-Allow-Origin: http://localhost:3000",
                "Access-Control-Allow-Credentials: true",
                "Vary: Origin",
            ]
        );
    }
}
