//! `audit`'s input lines: a URL, or an NDJSON object `{"url", "origin",
//! "method", "headers"}` (headers as an object or a list of `Name: value`).
//! Pure; the CLI names the file and line of an error.

use crate::audit::AuditTarget;
use cors_engine::headers::{parse_header_line, HeaderLineError};
use cors_engine::Origin;
use serde::Deserialize;
use url::Url;

pub(crate) fn http_url(text: &str) -> Result<Url, String> {
    let url = Url::parse(text).map_err(|e| format!("`{text}` is not a valid URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("`{text}` is not an http(s) URL"));
    }
    Ok(url)
}

pub(crate) fn header(text: &str) -> Result<(String, String), String> {
    parse_header_line(text).map_err(|e| match e {
        HeaderLineError::NoColon => format!("header `{text}` has no `:`"),
        HeaderLineError::BadName(name) => format!("`{name}` is not a valid header name"),
        HeaderLineError::BadValue(name) => {
            format!("the value of header `{name}` contains a line break or NUL")
        }
        HeaderLineError::NotLatin1 { name, found } => format!(
            "the value of header `{name}` contains `{found}`, outside Latin-1 (fetch() refuses it)"
        ),
    })
}

/// One NDJSON input line.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetLine {
    url: String,
    origin: Option<String>,
    method: Option<String>,
    #[serde(default)]
    headers: Option<HeaderList>,
}

/// Headers as an object (`{"Name": "value"}`) or a list of `"Name: value"`.
#[derive(Deserialize)]
#[serde(untagged)]
enum HeaderList {
    Map(serde_json::Map<String, serde_json::Value>),
    Lines(Vec<String>),
}

/// Parses one line (`None` for blank and comment lines).
pub fn parse_target_line(
    line: &str,
    default_origin: Option<&Origin>,
) -> Result<Option<AuditTarget>, String> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return Ok(None);
    }
    let origin_of = |text: &str| Origin::parse(text).map_err(|e| format!("origin `{text}`: {e}"));
    if !line.starts_with('{') {
        let url = http_url(line)?;
        let mut target = AuditTarget::new(url);
        target.origin = default_origin.cloned();
        return Ok(Some(target));
    }
    let parsed: TargetLine =
        serde_json::from_str(line).map_err(|e| format!("not a valid endpoint object: {e}"))?;
    let url = http_url(&parsed.url)?;
    let mut target = AuditTarget::new(url);
    target.origin = match parsed.origin.as_deref() {
        Some(text) => Some(origin_of(text)?),
        None => default_origin.cloned(),
    };
    if let Some(method) = parsed.method {
        if !cors_engine::method::is_token(&method) {
            return Err(format!("`{method}` is not a valid HTTP method"));
        }
        target.method = Some(method);
    }
    target.headers = match parsed.headers {
        None => Vec::new(),
        Some(HeaderList::Lines(lines)) => {
            lines.iter().map(|l| header(l)).collect::<Result<_, _>>()?
        }
        Some(HeaderList::Map(map)) => map
            .into_iter()
            .map(|(name, value)| {
                let value = value
                    .as_str()
                    .ok_or_else(|| format!("the value of header `{name}` is not a string"))?;
                header(&format!("{name}: {value}"))
            })
            .collect::<Result<_, _>>()?,
    };
    Ok(Some(target))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_of_every_shape() {
        let origin = Origin::parse("https://app.example.com").unwrap();
        let t = parse_target_line("https://api.example.com/x", Some(&origin))
            .unwrap()
            .unwrap();
        assert_eq!(t.origin, Some(origin.clone()));
        let t = parse_target_line(
            r#"{"url":"https://api.example.com/y","origin":"https://b.example","method":"PUT","headers":{"X-A":"1"}}"#,
            Some(&origin),
        )
        .unwrap()
        .unwrap();
        assert_eq!(t.method.as_deref(), Some("PUT"));
        assert_eq!(t.headers, vec![("X-A".to_string(), "1".to_string())]);
        assert_eq!(t.origin.unwrap().serialize(), "https://b.example");
        assert!(parse_target_line("   # comment", None).unwrap().is_none());
        assert!(parse_target_line("ftp://x", None).is_err());
        assert!(parse_target_line(r#"{"url":"https://x","colour":1}"#, None).is_err());
        assert!(parse_target_line(r#"{"url":"https://x","method":"GE T"}"#, None).is_err());
    }
}
