//! The curl command that replays one exchange by hand, quoted for a POSIX shell.

use cors_probe::OutgoingRequest;

/// Options that change how curl must be called to reach the same server.
#[derive(Clone, Debug, Default)]
pub struct CurlOptions {
    /// `HOST:PORT:ADDR` entries.
    pub resolve: Vec<String>,
    pub cacert: Option<String>,
    pub insecure: bool,
}

/// Quoted for a POSIX shell; text with a control character in bash's
/// `$'…'` form (`\x0b`), which bash and zsh read back byte for byte and a
/// reader can see.
fn quote(text: &str) -> String {
    if !text.chars().any(|c| c.is_ascii_control()) {
        return shell_words::quote(text).into_owned();
    }
    let mut out = String::from("$'");
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            c if c.is_ascii_control() => out.push_str(&format!("\\x{:02x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// `curl -i -X METHOD 'URL' -H '…'…`; bodies are passed with `--data-binary`.
pub fn curl_command(
    request: &OutgoingRequest,
    options: &CurlOptions,
    with_credentials: bool,
) -> String {
    let mut parts = vec!["curl".to_string(), "-i".to_string()];
    match request.method.as_str() {
        "GET" => {}
        "HEAD" => parts.push("-I".to_string()),
        m => {
            parts.push("-X".to_string());
            parts.push(quote(m));
        }
    }
    if request.method == "HEAD" {
        parts.retain(|p| p != "-i");
    }
    parts.push(quote(request.url.as_str()));
    for (name, value) in &request.headers {
        if name.eq_ignore_ascii_case("user-agent") {
            continue;
        }
        parts.push("-H".to_string());
        parts.push(quote(&format!("{name}: {value}")));
    }
    if let Some(body) = &request.body {
        parts.push("--data-binary".to_string());
        parts.push(quote(&String::from_utf8_lossy(body)));
    }
    for r in &options.resolve {
        parts.push("--resolve".to_string());
        parts.push(quote(r));
    }
    if let Some(ca) = &options.cacert {
        parts.push("--cacert".to_string());
        parts.push(quote(ca));
    }
    if options.insecure {
        parts.push("-k".to_string());
    }
    if with_credentials {
        parts.push("-b".to_string());
        parts.push(quote("<your cookies>"));
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(method: &str, headers: &[(&str, &str)], body: Option<&str>) -> OutgoingRequest {
        OutgoingRequest {
            method: method.to_string(),
            url: url::Url::parse("https://api.example.com/v1/items?x=1&y=2").unwrap(),
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            body: body.map(|b| b.as_bytes().to_vec()),
        }
    }

    #[test]
    fn curl_table() {
        let cases = [
            (req("GET", &[("Origin", "https://app.example.com")], None), CurlOptions::default(), false,
                "curl -i 'https://api.example.com/v1/items?x=1&y=2' -H 'Origin: https://app.example.com'"),
            (req("OPTIONS", &[("Origin", "https://a.com"), ("Access-Control-Request-Method", "PUT")], None),
                CurlOptions { resolve: vec!["api.example.com:443:127.0.0.1".into()], cacert: None, insecure: true }, false,
                "curl -i -X OPTIONS 'https://api.example.com/v1/items?x=1&y=2' -H 'Origin: https://a.com' -H 'Access-Control-Request-Method: PUT' --resolve api.example.com:443:127.0.0.1 -k"),
            (req("patch", &[("Content-Type", "application/json")], Some("{\"a\":\"it's\"}")), CurlOptions::default(), true,
                "curl -i -X patch 'https://api.example.com/v1/items?x=1&y=2' -H 'Content-Type: application/json' --data-binary '{\"a\":\"it'\\''s\"}' -b '<your cookies>'"),
        ];
        for (request, options, creds, expected) in cases {
            assert_eq!(curl_command(&request, &options, creds), expected);
        }
    }

    #[test]
    fn control_characters_are_quoted_visibly() {
        let r = req("POST", &[("Content-Type", "text/plain\u{b}'\\")], None);
        let cmd = curl_command(&r, &CurlOptions::default(), false);
        assert!(
            cmd.contains(r"-H $'Content-Type: text/plain\x0b\'\\'"),
            "{cmd}"
        );
    }
}
