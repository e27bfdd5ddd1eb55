//! `audit --openapi`: the endpoints an OpenAPI 3 document (JSON or YAML)
//! declares, as audit targets — every path × method, each with the request
//! a page would send: path parameters filled from their examples, required
//! query parameters, declared header parameters, the request body's
//! `Content-Type` and the headers its security schemes put on a request
//! (`Authorization`, an API-key header). Pure: the CLI reads the file.

use crate::audit::AuditTarget;
use crate::audit_input::{header, http_url};
use cors_engine::Origin;
use serde_json::{Map, Value};
use std::collections::HashSet;
use url::Url;

/// The methods an OpenAPI path item may declare that a page's script can
/// send (`trace` is a forbidden method; an `options` operation is the
/// preflight's own, which every audit sends anyway).
const METHODS: [&str; 6] = ["get", "put", "post", "delete", "patch", "head"];

/// The deepest chain of `$ref`s followed (a cycle ends here).
const MAX_REF_DEPTH: usize = 32;

/// The value sent for a credential a security scheme asks for: recognisably
/// a probe's, never a real secret.
const PROBE_CREDENTIAL: &str = "cors-doctor-probe";

/// Parses an OpenAPI document (JSON, or YAML — a superset of JSON).
pub fn parse_openapi(text: &str) -> Result<Value, String> {
    let value: Value = if text.trim_start().starts_with('{') {
        serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?
    } else {
        serde_saphyr::from_str(text).map_err(|e| format!("not valid YAML: {e}"))?
    };
    if !value.is_object() {
        return Err("not an OpenAPI document: the top level is not an object".to_string());
    }
    Ok(value)
}

/// Every operation of `doc` as a target. `base` replaces the document's
/// server URL (a relative server URL, `/v1`, is resolved against it);
/// without it the first server URL must be absolute.
pub fn openapi_targets(
    doc: &Value,
    base: Option<&Url>,
    origin: Option<&Origin>,
) -> Result<Vec<AuditTarget>, String> {
    match doc.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.") => {}
        Some(v) => return Err(format!("OpenAPI {v} is not supported (3.0 and 3.1 are)")),
        None if doc.get("swagger").is_some() => {
            return Err("Swagger 2.0 is not supported: convert it to OpenAPI 3 first (for example with swagger2openapi)".to_string())
        }
        None => return Err("not an OpenAPI document: it has no `openapi` version field".to_string()),
    }
    let paths = match doc.get("paths") {
        Some(Value::Object(paths)) => paths,
        Some(_) => return Err("`paths` is not an object".to_string()),
        None => return Ok(Vec::new()),
    };
    let doc_security = doc.get("security");
    let mut targets: Vec<AuditTarget> = Vec::new();
    // URL, method and headers of each target kept: a duplicate operation is asked once.
    let mut seen = HashSet::new();
    for (path, item) in paths {
        let at = |what: &str| format!("paths.{path}: {what}");
        if !path.starts_with('/') {
            return Err(at("a path must start with `/`"));
        }
        let item = resolve(doc, item).map_err(|e| at(&e))?;
        let item_parameters = parameters(doc, item.get("parameters")).map_err(|e| at(&e))?;
        for method in METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let at = |what: &str| format!("paths.{path}.{method}: {what}");
            let mut params = parameters(doc, operation.get("parameters")).map_err(|e| at(&e))?;
            // An operation's parameter overrides the path item's of the same name and place.
            for p in &item_parameters {
                if !params
                    .iter()
                    .any(|q| q.name == p.name && q.place == p.place)
                {
                    params.push(p.clone());
                }
            }
            let server = server_url(doc, item, operation, base).map_err(|e| at(&e))?;
            let mut target =
                AuditTarget::new(endpoint_url(&server, path, &params).map_err(|e| at(&e))?);
            target.origin = origin.cloned();
            target.method = Some(method.to_ascii_uppercase());
            let mut headers = Vec::new();
            for p in params.iter().filter(|p| p.place == "header") {
                headers.push((p.name.clone(), p.example.clone()));
            }
            if let Some(content_type) = body_type(doc, operation).map_err(|e| at(&e))? {
                headers.push(("Content-Type".to_string(), content_type));
            }
            let security = operation.get("security").or(doc_security);
            headers.extend(security_headers(doc, security).map_err(|e| at(&e))?);
            target.headers = headers
                .into_iter()
                // Names a script may not set (`Cookie`, `Host`…) are the browser's.
                .filter(|(n, v)| !cors_engine::safelist::is_forbidden_request_header(n, v))
                .map(|(n, v)| header(&format!("{n}: {v}")).map_err(|e| at(&e)))
                .collect::<Result<_, _>>()?;
            let key = (
                target.url.clone(),
                target.method.clone(),
                target.headers.clone(),
            );
            if seen.insert(key) {
                targets.push(target);
            }
        }
    }
    Ok(targets)
}

/// `value`, or what its `$ref` (a local `#/…` pointer) names.
fn resolve<'a>(doc: &'a Value, mut value: &'a Value) -> Result<&'a Value, String> {
    for _ in 0..MAX_REF_DEPTH {
        let Some(reference) = value.get("$ref") else {
            return Ok(value);
        };
        let reference = reference.as_str().ok_or("`$ref` is not a string")?;
        let pointer = reference.strip_prefix('#').ok_or_else(|| {
            format!("`$ref: {reference}` points outside the document (only `#/…` is followed)")
        })?;
        value = doc
            .pointer(pointer)
            .ok_or_else(|| format!("`$ref: {reference}` names nothing in the document"))?;
    }
    Err(format!(
        "more than {MAX_REF_DEPTH} `$ref`s in a chain (a cycle?)"
    ))
}

/// One parameter: its name, where it goes (`path`, `query`, `header`,
/// `cookie`), whether it is required, and the value sent.
#[derive(Clone)]
struct Parameter {
    name: String,
    place: String,
    required: bool,
    example: String,
}

fn parameters(doc: &Value, list: Option<&Value>) -> Result<Vec<Parameter>, String> {
    let Some(list) = list else {
        return Ok(Vec::new());
    };
    let list = list.as_array().ok_or("`parameters` is not a list")?;
    list.iter()
        .map(|p| {
            let p = resolve(doc, p)?;
            let text = |key: &str| p.get(key).and_then(Value::as_str).map(str::to_string);
            let name = text("name").ok_or("a parameter has no `name`")?;
            let place = text("in").ok_or_else(|| format!("parameter `{name}` has no `in`"))?;
            let schema = match p.get("schema") {
                Some(s) => Some(resolve(doc, s)?),
                None => None,
            };
            Ok(Parameter {
                required: place == "path" || p.get("required") == Some(&Value::Bool(true)),
                example: example(p, schema),
                name,
                place,
            })
        })
        .collect()
}

/// The value a parameter is sent with: its example, its schema's example,
/// default or first enum value, else a placeholder of its schema's type.
fn example(parameter: &Value, schema: Option<&Value>) -> String {
    let first_example = parameter
        .get("examples")
        .and_then(Value::as_object)
        .and_then(|examples| examples.values().find_map(|e| e.get("value")));
    let from_schema = |key: &str| schema.and_then(|s| s.get(key));
    let found = parameter
        .get("example")
        .or(first_example)
        .or_else(|| from_schema("example"))
        .or_else(|| from_schema("default"))
        .or_else(|| from_schema("enum").and_then(|e| e.get(0)));
    match found {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => placeholder(schema),
        Some(other) => other.to_string(),
    }
}

fn placeholder(schema: Option<&Value>) -> String {
    let of = |key: &str| schema.and_then(|s| s.get(key)).and_then(Value::as_str);
    match (of("type"), of("format")) {
        (_, Some("uuid")) => "00000000-0000-4000-8000-000000000000",
        (_, Some("date")) => "2026-01-01",
        (_, Some("date-time")) => "2026-01-01T00:00:00Z",
        (Some("integer" | "number"), _) => "1",
        (Some("boolean"), _) => "true",
        _ => "example",
    }
    .to_string()
}

/// The first server URL that applies (the operation's, the path item's,
/// the document's), its variables at their defaults, against `base`.
fn server_url(
    doc: &Value,
    item: &Value,
    operation: &Value,
    base: Option<&Url>,
) -> Result<Url, String> {
    let first = [operation, item, doc].into_iter().find_map(|v| {
        v.get("servers")
            .and_then(Value::as_array)
            .and_then(|s| s.first())
    });
    let declared = match first {
        Some(server) => {
            let mut url = server
                .get("url")
                .and_then(Value::as_str)
                .ok_or("a server has no `url`")?
                .to_string();
            if let Some(Value::Object(variables)) = server.get("variables") {
                for (name, variable) in variables {
                    let default = variable
                        .get("default")
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    url = url.replace(&format!("{{{name}}}"), default);
                }
            }
            Some(url)
        }
        None => None,
    };
    match (declared, base) {
        (Some(declared), Some(base)) if declared.starts_with('/') => http_url(&format!(
            "{}{declared}",
            base.as_str().trim_end_matches('/')
        )),
        (_, Some(base)) => Ok(base.clone()),
        (Some(declared), None) => http_url(&declared)
            .map_err(|e| format!("{e}; give the server's address with --base-url")),
        (None, None) => {
            Err("the document names no server: give its address with --base-url".to_string())
        }
    }
}

/// The server URL joined with `path`, its `{parameters}` filled in, and the
/// required query parameters appended.
fn endpoint_url(server: &Url, path: &str, params: &[Parameter]) -> Result<Url, String> {
    let mut filled = path.to_string();
    for p in params.iter().filter(|p| p.place == "path") {
        let value: String = url::form_urlencoded::byte_serialize(p.example.as_bytes()).collect();
        filled = filled.replace(&format!("{{{}}}", p.name), &value);
    }
    if filled.contains('{') {
        return Err(format!(
            "path `{path}` has a `{{parameter}}` that no parameter declares"
        ));
    }
    let mut url = http_url(&format!(
        "{}{filled}",
        server.as_str().trim_end_matches('/')
    ))?;
    let query: Vec<_> = params
        .iter()
        .filter(|p| p.place == "query" && p.required)
        .collect();
    if !query.is_empty() {
        let mut pairs = url.query_pairs_mut();
        for p in query {
            pairs.append_pair(&p.name, &p.example);
        }
    }
    Ok(url)
}

/// The request body's media type (JSON first when several are declared).
fn body_type(doc: &Value, operation: &Value) -> Result<Option<String>, String> {
    let Some(body) = operation.get("requestBody") else {
        return Ok(None);
    };
    let content = resolve(doc, body)?
        .get("content")
        .and_then(Value::as_object);
    Ok(content.and_then(|content| {
        let json = content.keys().find(|k| k.starts_with("application/json"));
        json.or_else(|| content.keys().next()).cloned()
    }))
}

/// The headers the first security requirement puts on a request. A
/// credential in a cookie is the browser's (the audit tries credentialed
/// requests anyway); one in the query is left out.
fn security_headers(
    doc: &Value,
    security: Option<&Value>,
) -> Result<Vec<(String, String)>, String> {
    let Some(requirement) = security
        .and_then(Value::as_array)
        .and_then(|alternatives| alternatives.first())
        .and_then(Value::as_object)
    else {
        return Ok(Vec::new());
    };
    let schemes = doc
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object);
    let empty = Map::new();
    let mut headers = Vec::new();
    for name in requirement.keys() {
        let scheme = schemes.unwrap_or(&empty).get(name).ok_or_else(|| {
            format!("security scheme `{name}` is not in components.securitySchemes")
        })?;
        let scheme = resolve(doc, scheme)?;
        let text = |key: &str| scheme.get(key).and_then(Value::as_str).unwrap_or_default();
        let authorization = |value: String| ("Authorization".to_string(), value);
        match text("type") {
            "apiKey" if text("in") == "header" => {
                headers.push((text("name").to_string(), PROBE_CREDENTIAL.to_string()))
            }
            "http" if text("scheme").eq_ignore_ascii_case("basic") => {
                // base64 of "cors-doctor:probe"
                headers.push(authorization("Basic Y29ycy1kb2N0b3I6cHJvYmU=".to_string()))
            }
            "http" => {
                let scheme_name = match text("scheme") {
                    "" => "Bearer",
                    s if s.eq_ignore_ascii_case("bearer") => "Bearer",
                    s => s,
                };
                headers.push(authorization(format!("{scheme_name} {PROBE_CREDENTIAL}")))
            }
            "oauth2" | "openIdConnect" => {
                headers.push(authorization(format!("Bearer {PROBE_CREDENTIAL}")))
            }
            _ => {}
        }
    }
    Ok(headers)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const PETSTORE: &str = r#"
openapi: 3.0.3
info: {title: pets, version: "1"}
servers:
  - url: https://{region}.api.example.com/v1
    variables: {region: {default: eu}}
security:
  - bearer: []
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
    key: {type: apiKey, in: header, name: X-API-Key}
  parameters:
    PetId: {name: petId, in: path, required: true, schema: {type: integer}}
paths:
  /pets:
    get:
      parameters:
        - {name: limit, in: query, required: true, schema: {type: integer, default: 20}}
        - {name: X-Trace, in: header, example: abc}
    post:
      security: []
      requestBody:
        content:
          text/plain: {}
          application/json: {}
  /pets/{petId}:
    parameters:
      - $ref: '#/components/parameters/PetId'
    delete:
      security: [{key: []}]
    trace: {}
    options: {}
"#;

    fn shown(targets: &[AuditTarget]) -> Vec<String> {
        targets
            .iter()
            .map(|t| {
                let headers: Vec<String> =
                    t.headers.iter().map(|(n, v)| format!("{n}: {v}")).collect();
                format!(
                    "{} {} [{}]",
                    t.method.as_deref().unwrap_or("GET"),
                    t.url,
                    headers.join("; ")
                )
            })
            .collect()
    }

    #[test]
    fn every_operation_with_what_a_page_sends() {
        let doc = parse_openapi(PETSTORE).unwrap();
        let targets = openapi_targets(&doc, None, None).unwrap();
        assert_eq!(
            shown(&targets),
            [
                "GET https://eu.api.example.com/v1/pets?limit=20 [X-Trace: abc; Authorization: Bearer cors-doctor-probe]",
                "POST https://eu.api.example.com/v1/pets [Content-Type: application/json]",
                "DELETE https://eu.api.example.com/v1/pets/1 [X-API-Key: cors-doctor-probe]",
            ]
        );
    }

    #[test]
    fn the_base_url_replaces_the_server_and_takes_relative_ones() {
        let doc = parse_openapi(PETSTORE).unwrap();
        let base = Url::parse("http://127.0.0.1:8080/api").unwrap();
        let origin = Origin::parse("https://app.example.com").unwrap();
        let targets = openapi_targets(&doc, Some(&base), Some(&origin)).unwrap();
        assert_eq!(
            targets[0].url.as_str(),
            "http://127.0.0.1:8080/api/pets?limit=20"
        );
        assert_eq!(targets[0].origin, Some(origin));
        let relative = parse_openapi(
            r#"{"openapi":"3.1.0","servers":[{"url":"/v2"}],"paths":{"/x":{"get":{}}}}"#,
        )
        .unwrap();
        let targets = openapi_targets(&relative, Some(&base), None).unwrap();
        assert_eq!(targets[0].url.as_str(), "http://127.0.0.1:8080/api/v2/x");
        assert!(openapi_targets(&relative, None, None)
            .unwrap_err()
            .contains("--base-url"));
    }

    #[test]
    fn bad_documents_say_what_and_where() {
        let cases = [
            ("swagger: '2.0'", "Swagger 2.0"),
            ("openapi: 2.5.0", "OpenAPI 2.5.0 is not supported"),
            ("info: {}", "no `openapi` version"),
            ("- a list", "top level is not an object"),
            ("openapi: 3.0.0\npaths: [1]", "`paths` is not an object"),
            ("openapi: 3.0.0\npaths: {x: {}}", "paths.x: a path must start"),
            (
                "openapi: 3.0.0\nservers: [{url: 'https://a'}]\npaths: {'/a/{id}': {get: {}}}",
                "paths./a/{id}.get: path `/a/{id}` has a `{parameter}`",
            ),
            (
                "openapi: 3.0.0\npaths: {/a: {$ref: '#/nowhere'}}",
                "paths./a: `$ref: #/nowhere` names nothing",
            ),
            (
                "openapi: 3.0.0\ncomponents: {x: {$ref: '#/components/x'}}\npaths: {/a: {$ref: '#/components/x'}}",
                "a cycle?",
            ),
            (
                "openapi: 3.0.0\nservers: [{url: 'https://a'}]\nsecurity: [{nope: []}]\npaths: {/a: {get: {}}}",
                "security scheme `nope`",
            ),
            ("a: [unclosed", "not valid YAML"),
        ];
        for (text, expected) in cases {
            let error = parse_openapi(text)
                .and_then(|doc| openapi_targets(&doc, None, None))
                .unwrap_err();
            assert!(error.contains(expected), "{text}: {error}");
        }
    }
}
