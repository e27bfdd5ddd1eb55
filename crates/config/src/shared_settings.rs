//! For targets whose CORS settings cover a whole application or API rather
//! than one path (Laravel's `config/cors.php`, an API Gateway HTTP API): the
//! policy's rules must declare the same settings, or the target refuses
//! and names the first difference, instead of writing one rule's settings
//! for every path.

use cors_policy::Rule;

/// The settings every rule shares, or which setting two rules disagree on.
/// `scope` says what one configuration covers on the platform, `way_out`
/// what to do instead.
pub(crate) fn common<'a>(
    rules: &[(&str, &'a Rule)],
    scope: &str,
    way_out: &str,
) -> Result<&'a Rule, String> {
    let Some((_, first)) = rules.first() else {
        return Err("the policy has no rule".to_string());
    };
    for (_, rule) in rules.iter().skip(1) {
        let differs = if rule.allow_origins != first.allow_origins {
            Some("allowed origins")
        } else if rule.methods != first.methods {
            Some("methods")
        } else if !same_names(&rule.request_headers, &first.request_headers) {
            Some("request headers")
        } else if rule.credentials != first.credentials {
            Some("credentials")
        } else if !same_names(&rule.expose_headers, &first.expose_headers) {
            Some("exposed headers")
        } else if rule.max_age != first.max_age {
            Some("max-age")
        } else {
            None
        };
        if let Some(what) = differs {
            return Err(format!(
                "{scope}, and rules `{}` and `{}` differ in their {what}: {way_out}",
                first.name, rule.name
            ));
        }
    }
    Ok(first)
}

/// Header lists compared as browsers do: names are case-insensitive.
fn same_names(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.eq_ignore_ascii_case(y))
}
