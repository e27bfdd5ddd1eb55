//! Whether a policy covers one concrete request, and allows it: the path
//! against each rule's pattern (`{name}` matches one segment, a final `*`
//! the rest), then the request's origin, method, CORS-unsafe headers (as
//! any browser counts them) and credentials against the rule's lists.
//! `proxy --policy` judges live traffic with it.

use crate::{Policy, Rule, RuleSpec};
use cors_engine::method::{is_cors_safelisted, normalize};
use cors_engine::safelist::unsafe_headers;
use cors_engine::{Browser, Origin, Request};

impl Policy {
    /// The first rule (in file order) whose pattern matches `path` (the
    /// path part only; a query is ignored).
    pub fn rule_for_path(&self, path: &str) -> Option<&Rule> {
        let path = path.split(['?', '#']).next().unwrap_or(path);
        self.apis
            .iter()
            .flat_map(|api| api.rules.iter())
            .find(|rule| rule.matches_path(path))
    }
}

impl Rule {
    /// Whether `path` is one the rule's pattern names.
    pub fn matches_path(&self, path: &str) -> bool {
        let mut wanted = self.path.split('/');
        let mut given = path.split('/');
        loop {
            match (wanted.next(), given.next()) {
                (Some("*"), _) => return wanted.next().is_none(),
                (Some(w), Some(g)) if w.starts_with('{') && w.ends_with('}') => {
                    if g.is_empty() {
                        return false;
                    }
                }
                (Some(w), Some(g)) if w == g => {}
                (None, None) => return true,
                _ => return false,
            }
        }
    }

    /// `Ok` when the rule allows `request`, else what it does not allow
    /// (the first thing, in the order a browser checks them).
    pub fn allows(&self, request: &Request) -> Result<(), String> {
        let origin = match &request.origin {
            Origin::Opaque => return Err("the origin `null` is allowed by no rule".to_string()),
            origin => origin,
        };
        if !self.allow_origins.iter().any(|p| p.matches(origin)) {
            return Err(format!(
                "the origin {} is not in allow_origins",
                origin.serialize()
            ));
        }
        let method = normalize(&request.method);
        if !is_cors_safelisted(&method) && !self.methods.contains(&method) {
            return Err(format!("the method {method} is not in methods"));
        }
        for browser in Browser::ALL {
            for header in unsafe_headers(&request.headers, browser) {
                if !self
                    .request_headers
                    .iter()
                    .any(|h| h.eq_ignore_ascii_case(&header.name))
                {
                    return Err(format!(
                        "the header {} is not in request_headers",
                        header.name_as_sent
                    ));
                }
            }
        }
        if request.includes_credentials() && !self.credentials {
            return Err(
                "the request sends credentials and the rule has no `credentials = true`"
                    .to_string(),
            );
        }
        Ok(())
    }
}

impl Rule {
    /// What the rule makes a server send for `request` (its origin, the
    /// rule's lists), or, when the rule does not allow it, why.
    pub fn spec_for(&self, request: &Request) -> Result<RuleSpec, String> {
        self.allows(request)
            .map_err(|why| format!("the policy's rule `{}` does not allow it: {why}", self.name))?;
        Ok(RuleSpec {
            base_url: request.url.origin().ascii_serialization(),
            path: self.path.clone(),
            probe: self.probe_paths.clone(),
            allow_origins: vec![request.origin.serialize()],
            methods: self.methods.clone(),
            request_headers: self.request_headers.clone(),
            credentials: self.credentials,
            expose_headers: self.expose_headers.clone(),
            max_age: self.max_age,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::Policy;
    use cors_engine::{CredentialsMode, Request};
    use url::Url;

    const POLICY: &str = r#"
[[api]]
name = "shop"
base_url = "https://api.example.com"

[[api.rule]]
name = "orders"
path = "/v1/orders/{id}"
probe = ["/v1/orders/1"]
allow_origins = ["https://app.example.com"]
methods = ["GET", "PUT"]
request_headers = ["Content-Type"]
credentials = true

[[api.rule]]
name = "public"
path = "/v1/public/*"
probe = ["/v1/public/a"]
allow_origins = ["https://*.example.com"]
"#;

    fn request(origin: &str, path: &str) -> Request {
        Request::new(
            Url::parse(&format!("{origin}/")).unwrap(),
            Url::parse(&format!("http://127.0.0.1:8080{path}")).unwrap(),
        )
    }

    #[test]
    fn a_request_meets_the_rule_of_its_path() {
        let (policy, _) = Policy::parse(POLICY, "cors-policy.toml").unwrap();
        let table: [(&str, Option<&str>); 6] = [
            ("/v1/orders/42", Some("orders")),
            ("/v1/orders/42?x=1", Some("orders")),
            ("/v1/orders/", None),
            ("/v1/orders/42/items", None),
            ("/v1/public/a/b", Some("public")),
            ("/v2/orders/42", None),
        ];
        for (path, rule) in table {
            assert_eq!(
                policy.rule_for_path(path).map(|r| r.name.as_str()),
                rule,
                "{path}"
            );
        }
        let orders = policy.rule_for_path("/v1/orders/1").unwrap();
        let put = request("https://app.example.com", "/v1/orders/1")
            .method("PUT")
            .header("Content-Type", "application/json")
            .credentials(CredentialsMode::Include);
        assert_eq!(orders.allows(&put), Ok(()));
        let spec = orders.spec_for(&put).unwrap();
        assert_eq!(spec.allow_origins, ["https://app.example.com"]);
        assert_eq!(spec.methods, ["GET", "PUT"]);
        assert!(spec.credentials);
        let other = request("https://evil.example.net", "/v1/orders/1");
        assert!(orders
            .allows(&other)
            .unwrap_err()
            .contains("not in allow_origins"));
        let delete = request("https://app.example.com", "/v1/orders/1").method("DELETE");
        assert!(orders.allows(&delete).unwrap_err().contains("DELETE"));
        let header = request("https://app.example.com", "/v1/orders/1").header("X-Trace", "1");
        assert!(orders.allows(&header).unwrap_err().contains("X-Trace"));
        let public = policy.rule_for_path("/v1/public/x").unwrap();
        let credentialed = request("https://shop.example.com", "/v1/public/x")
            .credentials(CredentialsMode::Include);
        assert!(public
            .allows(&credentialed)
            .unwrap_err()
            .contains("credentials"));
    }
}
