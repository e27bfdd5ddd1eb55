//! `config`: the fix, written for the user's own server. From a declared
//! policy (the `verify` format) each target writes its idiomatic
//! configuration — the framework's own CORS feature where it has one — with
//! comments on the traps it avoids: origins matched exactly (anchored,
//! escaped patterns, never a prefix or suffix match), `Vary: Origin`, the
//! headers kept on error responses, the preflight answered before any
//! authentication, no `*` with credentials.

mod actix;
mod apache;
mod aspnet;
mod aws;
mod axum;
mod caddy;
mod cloudflare;
mod django;
mod express;
mod fastapi;
mod fastify;
mod flask;
mod from_request;
mod go;
mod haproxy;
mod js;
mod json;
mod laravel;
mod nginx;
pub mod origin_regex;
mod python;
mod rails;
mod response_headers;
mod rust;
mod shared_settings;
mod spring;
mod static_hosts;

pub use from_request::rule_for_request;
pub use response_headers::response_headers;

use cors_policy::{Policy, Rule};

/// A server or framework `config` writes for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Nginx,
    Express,
    Fastify,
    Flask,
    FastApi,
    Django,
    Apache,
    Caddy,
    Haproxy,
    Axum,
    Actix,
    Go,
    Rails,
    S3,
    Netlify,
    Vercel,
    Spring,
    AspNet,
    Laravel,
    ApiGateway,
    CloudFront,
    Cloudflare,
}

impl Target {
    pub const ALL: [Target; 22] = [
        Target::Nginx,
        Target::Apache,
        Target::Caddy,
        Target::Haproxy,
        Target::Express,
        Target::Fastify,
        Target::Flask,
        Target::FastApi,
        Target::Django,
        Target::Axum,
        Target::Actix,
        Target::Go,
        Target::Rails,
        Target::S3,
        Target::Netlify,
        Target::Vercel,
        Target::Spring,
        Target::AspNet,
        Target::Laravel,
        Target::ApiGateway,
        Target::CloudFront,
        Target::Cloudflare,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Target::Nginx => "nginx",
            Target::Express => "express",
            Target::Fastify => "fastify",
            Target::Flask => "flask",
            Target::FastApi => "fastapi",
            Target::Django => "django",
            Target::Apache => "apache",
            Target::Caddy => "caddy",
            Target::Haproxy => "haproxy",
            Target::Axum => "axum",
            Target::Actix => "actix",
            Target::Go => "go",
            Target::Rails => "rails",
            Target::S3 => "s3",
            Target::Netlify => "netlify",
            Target::Vercel => "vercel",
            Target::Spring => "spring",
            Target::AspNet => "aspnet",
            Target::Laravel => "laravel",
            Target::ApiGateway => "apigateway",
            Target::CloudFront => "cloudfront",
            Target::Cloudflare => "cloudflare",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Target::Nginx => "nginx (add_header … always, map of allowed origins)",
            Target::Express => "express with the cors package",
            Target::Fastify => "fastify with @fastify/cors",
            Target::Flask => "Flask with Flask-CORS",
            Target::FastApi => "FastAPI / Starlette CORSMiddleware",
            Target::Django => "Django with django-cors-headers",
            Target::Apache => "Apache httpd (mod_headers, mod_setenvif, mod_rewrite)",
            Target::Caddy => "Caddy (Caddyfile: header, named matchers)",
            Target::Haproxy => "HAProxy 2.2+ (http-request return, http-after-response)",
            Target::Axum => "axum with tower-http's CorsLayer",
            Target::Actix => "actix-web with actix-cors",
            Target::Go => "Go net/http with github.com/rs/cors",
            Target::Rails => "Rails with rack-cors (config/initializers/cors.rb)",
            Target::S3 => "AWS S3 bucket CORS (JSON for aws s3api put-bucket-cors)",
            Target::Netlify => "Netlify _headers (static: one origin per path)",
            Target::Vercel => "Vercel vercel.json headers (static: one origin per path)",
            Target::Spring => "Spring Boot (WebMvcConfigurer.addCorsMappings)",
            Target::AspNet => "ASP.NET Core (AddCors policies, UseCors before authentication)",
            Target::Laravel => "Laravel config/cors.php (HandleCors, one configuration per app)",
            Target::ApiGateway => {
                "AWS API Gateway HTTP API CORS (JSON for aws apigatewayv2 update-api)"
            }
            Target::CloudFront => "AWS CloudFront response headers policy (CorsConfig JSON)",
            Target::Cloudflare => "Cloudflare Workers (a Worker in front of the API)",
        }
    }

    /// Whether the tests start this server and prove its configuration with
    /// `verify` (crates/cli/tests/config_servers.rs); the others say in their
    /// output that they are not verified here, and what was checked on paper.
    pub fn verified_here(self) -> bool {
        matches!(
            self,
            Target::Nginx
                | Target::Express
                | Target::Fastify
                | Target::Flask
                | Target::FastApi
                | Target::Django
                | Target::Apache
                | Target::Caddy
                | Target::Haproxy
                | Target::Axum
                | Target::Actix
                | Target::Go
                | Target::Rails
        )
    }

    pub fn from_id(text: &str) -> Option<Target> {
        Target::ALL
            .into_iter()
            .find(|t| t.id().eq_ignore_ascii_case(text))
    }

    /// The configuration of every rule of `policy`, or why this target
    /// cannot express it.
    pub fn generate(self, policy: &Policy) -> Result<String, String> {
        let rules: Vec<(&str, &Rule)> = policy
            .apis
            .iter()
            .flat_map(|api| api.rules.iter().map(move |r| (api.name.as_str(), r)))
            .collect();
        Ok(match self {
            Target::Nginx => nginx::generate(&policy.file, &rules),
            Target::Express => express::generate(&policy.file, &rules),
            Target::Fastify => fastify::generate(&policy.file, &rules),
            Target::Flask => flask::generate(&policy.file, &rules),
            Target::FastApi => fastapi::generate(&policy.file, &rules),
            Target::Django => return django::generate(&policy.file, &rules),
            Target::Apache => apache::generate(&policy.file, &rules),
            Target::Caddy => caddy::generate(&policy.file, &rules),
            Target::Haproxy => haproxy::generate(&policy.file, &rules),
            Target::Axum => axum::generate(&policy.file, &rules),
            Target::Actix => actix::generate(&policy.file, &rules),
            Target::Go => go::generate(&policy.file, &rules),
            Target::Rails => rails::generate(&policy.file, &rules),
            Target::S3 => return static_hosts::s3(&policy.file, &rules),
            Target::Netlify => return static_hosts::netlify(&policy.file, &rules),
            Target::Vercel => return static_hosts::vercel(&policy.file, &rules),
            Target::Spring => spring::generate(&policy.file, &rules),
            Target::AspNet => aspnet::generate(&policy.file, &rules),
            Target::Laravel => return laravel::generate(&policy.file, &rules),
            Target::ApiGateway => return aws::api_gateway(&policy.file, &rules),
            Target::CloudFront => return aws::cloudfront(&policy.file, &rules),
            Target::Cloudflare => cloudflare::generate(&policy.file, &rules),
        })
    }
}

/// The part of a path pattern before its first wildcard (`/v1/orders/{id}`
/// → `/v1/orders/`), and whether the pattern had one.
pub fn path_prefix(pattern: &str) -> (&str, bool) {
    match pattern.find(['*', '{']) {
        Some(at) => (pattern.get(..at).unwrap_or(pattern), true),
        None => (pattern, false),
    }
}

/// A short identifier for a rule (for variable names): letters, digits, `_`.
pub fn ident(name: &str, index: usize) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    out = out.trim_matches('_').to_string();
    while out.contains("__") {
        out = out.replace("__", "_");
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out = format!("rule_{index}_{out}");
    }
    out
}
