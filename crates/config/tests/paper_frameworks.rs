//! The code targets that cannot run here (Spring Boot, ASP.NET Core,
//! Laravel, Cloudflare Workers): each says on its first line that it is not
//! verified here, carries every declared value in the framework's own
//! syntax, matches subdomain patterns only with anchored expressions (or
//! Spring's whole-string pattern), never writes credentials with `*`, and
//! refuses what the framework cannot express. patterns.rs runs the emitted
//! patterns against attack origins.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on broken fixtures

use cors_config::Target;
use cors_policy::Policy;

const FULL: &str = "allow_origins = [\"https://app.example.com\", \"https://*.preview.example.com\"]\nmethods = [\"GET\", \"PUT\"]\nrequest_headers = [\"Content-Type\", \"X-Api-Key\"]\nexpose_headers = [\"X-Request-Id\"]\ncredentials = true\nmax_age = 600";

const PUBLIC: &str = "allow_origins = [\"*\"]\nmethods = [\"GET\"]";

fn policy(rules: &[(&str, &str, &str)]) -> Policy {
    let mut text = String::from("[[api]]\nbase_url = \"https://api.example.com\"\n");
    for (name, path, keys) in rules {
        text.push_str(&format!(
            "[[api.rule]]\nname = \"{name}\"\npath = \"{path}\"\nprobe = [\"/probe\"]\n{keys}\n"
        ));
    }
    Policy::parse(&text, "cors-policy.toml").unwrap().0
}

/// The first line says "not verified here" and what was checked on paper.
fn says_not_verified(target: Target, text: &str) {
    let first = text.lines().next().unwrap();
    assert!(
        first.contains("Not verified here") && first.contains("checked on paper"),
        "{}: {first}",
        target.id()
    );
    assert!(!target.verified_here());
}

fn contains_all(target: Target, text: &str, needles: &[&str]) {
    for needle in needles {
        assert!(
            text.contains(needle),
            "{} lacks {needle}:\n{text}",
            target.id()
        );
    }
}

#[test]
fn spring_maps_each_rule_and_keeps_the_defaults_out() {
    let p = policy(&[("items", "/api/*", FULL), ("feed", "/feed", PUBLIC)]);
    let text = Target::Spring.generate(&p).unwrap();
    says_not_verified(Target::Spring, &text);
    contains_all(
        Target::Spring,
        &text,
        &[
            "implements WebMvcConfigurer",
            "public void addCorsMappings(CorsRegistry registry)",
            "registry.addMapping(\"/api/**\")",
            ".allowedOrigins(\"https://app.example.com\")",
            ".allowedOriginPatterns(\"https://*.preview.example.com\")",
            ".allowedMethods(\"GET\", \"PUT\")",
            ".allowedHeaders(\"Content-Type\", \"X-Api-Key\")",
            ".exposedHeaders(\"X-Request-Id\")",
            ".allowCredentials(true)",
            ".maxAge(600)",
            "registry.addMapping(\"/feed\")\n            .allowedOrigins(\"*\")\n            .allowedMethods(\"GET\")\n            .allowedHeaders();",
            "http.cors(Customizer.withDefaults())",
        ],
    );
    // Credentials once, for the rule that declares them; never with `*`.
    assert_eq!(text.matches(".allowCredentials(true)").count(), 1);
    // A subdomain pattern only as a whole leftmost label.
    assert!(!text.contains("\"https://*example"));
}

#[test]
fn aspnet_names_a_policy_per_rule_and_puts_cors_before_authentication() {
    let p = policy(&[("items", "/api/*", FULL), ("feed", "/feed", PUBLIC)]);
    let text = Target::AspNet.generate(&p).unwrap();
    says_not_verified(Target::AspNet, &text);
    contains_all(
        Target::AspNet,
        &text,
        &[
            "builder.Services.AddCors(options =>",
            "options.AddPolicy(\"items\", policy => policy",
            "new HashSet<string>(StringComparer.Ordinal) { \"https://app.example.com\" }",
            "new Regex(@\"^https://",
            "\\.preview\\.example\\.com\\z\")",
            ".SetIsOriginAllowed(origin => itemsOrigins.Contains(origin) || itemsSubdomains.IsMatch(origin))",
            ".WithMethods(\"GET\", \"PUT\")",
            ".WithHeaders(\"Content-Type\", \"X-Api-Key\")",
            ".WithExposedHeaders(\"X-Request-Id\")",
            ".AllowCredentials()",
            ".SetPreflightMaxAge(TimeSpan.FromSeconds(600))",
            "options.AddPolicy(\"feed\", policy => policy\n        .AllowAnyOrigin()\n        .WithMethods(\"GET\"));",
            "context.Request.Path.StartsWithSegments(\"/api\")",
            "branch => branch.UseCors(\"items\")",
            "context.Request.Path == \"/feed\"",
        ],
    );
    assert_eq!(text.matches(".AllowCredentials()").count(), 1);
    // The wildcard helper the comment explains away is never called.
    assert!(!text.contains(".SetIsOriginAllowedToAllowWildcardSubdomains()"));
    let at = |needle: &str| text.find(needle).unwrap();
    assert!(at("app.UseRouting();") < at("UseCors(\"items\")"));
    assert!(at("UseCors(\"feed\")") < at("app.UseAuthentication();"));
    assert!(at("app.UseAuthentication();") < at("app.UseAuthorization();"));
    // A rule over every path uses app.UseCors directly.
    let all = Target::AspNet
        .generate(&policy(&[("all", "/*", PUBLIC)]))
        .unwrap();
    assert!(all.contains("app.UseCors(\"all\");"), "{all}");
}

#[test]
fn laravel_writes_config_cors_php_and_refuses_rules_that_differ() {
    let p = policy(&[
        ("items", "/api/*", FULL),
        ("orders", "/v1/orders/{id}", FULL),
    ]);
    let text = Target::Laravel.generate(&p).unwrap();
    assert!(text.starts_with("<?php "), "{text}");
    says_not_verified(Target::Laravel, &text);
    contains_all(
        Target::Laravel,
        &text,
        &[
            "return [",
            "'paths' => ['api/*', 'v1/orders/*'],",
            "'allowed_methods' => ['GET', 'PUT'],",
            "'allowed_origins' => ['https://app.example.com'],",
            "'allowed_origins_patterns' => ['#^https://",
            "\\.preview\\.example\\.com$#D'],",
            "'allowed_headers' => ['Content-Type', 'X-Api-Key'],",
            "'exposed_headers' => ['X-Request-Id'],",
            "'max_age' => 600,",
            "'supports_credentials' => true,",
            "HandleCors in the global middleware",
        ],
    );
    let public = Target::Laravel
        .generate(&policy(&[("feed", "/feed", PUBLIC)]))
        .unwrap();
    contains_all(
        Target::Laravel,
        &public,
        &[
            "'paths' => ['feed'],",
            "'allowed_origins' => ['*'],",
            "'allowed_origins_patterns' => [],",
            "'supports_credentials' => false,",
        ],
    );
    let differ = policy(&[("items", "/api/*", FULL), ("feed", "/feed", PUBLIC)]);
    let err = Target::Laravel.generate(&differ).unwrap_err();
    assert!(
        err.contains("one configuration") && err.contains("`items` and `feed`"),
        "{err}"
    );
}

#[test]
fn the_worker_answers_preflights_and_adds_the_headers_to_every_answer() {
    let p = policy(&[("items", "/api/*", FULL), ("feed", "/feed", PUBLIC)]);
    let text = Target::Cloudflare.generate(&p).unwrap();
    says_not_verified(Target::Cloudflare, &text);
    contains_all(
        Target::Cloudflare,
        &text,
        &[
            "export default {\n  async fetch(request, env) {",
            "path: '/api',\n    prefix: true,\n    any: false,\n    origins: ['https://app.example.com'],",
            "patterns: [new RegExp('^https://",
            "\\\\.preview\\\\.example\\\\.com$')],",
            "credentials: true,",
            "methods: ['GET', 'PUT'],",
            "headers: ['Content-Type', 'X-Api-Key'],",
            "expose: ['X-Request-Id'],",
            "maxAge: 600,",
            "path: '/feed',\n    prefix: false,\n    any: true,",
            "credentials: false,",
            "maxAge: null,",
            "return new Response(null, { status: 204, headers });",
            "new Response(upstream.body, upstream)",
            "headers.append('Vary', 'Origin')",
        ],
    );
    // Vary is added to, never set over the API's own.
    assert!(!text.contains("set('Vary'"));
    // The preflight never reaches the API: it returns before the fetch.
    assert!(text.find("status: 204").unwrap() < text.find("await fetch(request)").unwrap());
}
