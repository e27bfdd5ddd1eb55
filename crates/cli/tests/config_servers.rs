//! `cors-doctor config` proven on the real thing: for each policy shape —
//! one origin, a list, a subdomain pattern, credentials, custom request
//! headers with exposed response headers, max-age, a public API with `*` —
//! the configuration `config` writes for nginx, Apache, Caddy, HAProxy,
//! express (`cors`), fastify (`@fastify/cors`), Flask (Flask-CORS), FastAPI
//! (Starlette's CORSMiddleware), Django (django-cors-headers), axum
//! (tower-http), actix-web (actix-cors), Go (rs/cors) and Rails (rack-cors,
//! under plain Rack) is loaded — or
//! compiled, verbatim — into the real server on loopback, and `verify` with the same
//! policy (three browsers, plus the near-miss and attack origins) must hold,
//! a 404 and a 500 included. Also: every subdomain pattern `config` writes
//! refuses the attack origins `scan` knows.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on broken fixtures

mod support;

use std::path::Path;
use std::path::PathBuf;
use std::process::Command;
use support::servers::{
    start_nginx, start_node, start_program, start_python, start_server_with_dir, verify, Server,
};

/// (shape, the rule's keys). Pages are http://…:3000; probes are a 200, a 404 and a 500.
const SHAPES: &[(&str, &str)] = &[
    ("one origin", r#"allow_origins = ["http://app.example.com:3000"]"#),
    (
        "a list",
        r#"allow_origins = ["http://app.example.com:3000", "http://admin.example.com:3000"]"#,
    ),
    ("subdomain pattern", r#"allow_origins = ["http://*.example.com:3000"]"#),
    (
        "credentials",
        "allow_origins = [\"http://app.example.com:3000\"]\ncredentials = true",
    ),
    (
        "request and exposed headers",
        "allow_origins = [\"http://app.example.com:3000\"]\nmethods = [\"GET\", \"PUT\"]\nrequest_headers = [\"Content-Type\", \"X-Api-Key\"]\nexpose_headers = [\"X-Request-Id\"]",
    ),
    (
        "max-age",
        "allow_origins = [\"http://app.example.com:3000\"]\nmethods = [\"PUT\"]\nmax_age = 600",
    ),
    ("public API", r#"allow_origins = ["*"]"#),
];

fn policy(keys: &str) -> String {
    format!(
        "[[api]]\nname = \"api\"\nbase_url = \"{{BASE}}\"\n\n[[api.rule]]\nname = \"items\"\npath = \"/api/*\"\nprobe = [\"/api/items\", \"/api/missing\", \"/api/fail\"]\n{keys}\n"
    )
}

/// What `cors-doctor config` writes for `target`.
fn config(target: &str, policy: &str, dir: &Path) -> String {
    let file = dir.join("cors-policy.toml");
    std::fs::write(&file, policy).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_cors-doctor"))
        .args([
            "config",
            "--target",
            target,
            "--policy",
            file.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// nginx with the generated snippet: its http part, then a server whose
/// locations are the generated ones, each ending in test routes.
fn nginx_with(snippet: &str) -> Server {
    let (http, server) = snippet
        .split_once("# In the server {} block:")
        .unwrap_or((snippet, ""));
    let app = "if ($uri ~ /missing$) { return 404 \"missing\"; }\n    if ($uri ~ /fail$) { return 500 \"boom\"; }\n    add_header X-Request-Id 42 always;\n    return 200 \"ok\";";
    let server = server.replace("# … your application: proxy_pass, root or try_files …", app);
    let (http, server) = (http.to_string(), server);
    start_nginx(move |_, port| {
        format!("{http}\n  server {{\n    listen 127.0.0.1:{port};\n{server}\n  }}")
    })
}

/// Apache httpd (Debian's) with the generated snippet inside a virtual
/// host whose document root has `api/items`; `…/fail` answers 500.
fn apache_with(snippet: &str) -> Server {
    start_server_with_dir("apache2", |dir, port| {
        let d = dir.display();
        std::fs::create_dir_all(dir.join("www/api")).unwrap();
        std::fs::write(dir.join("www/api/items"), "ok").unwrap();
        let modules = [
            "mpm_event",
            "authz_core",
            "headers",
            "setenvif",
            "rewrite",
            "mime",
            "dir",
        ]
        .iter()
        .map(|m| format!("LoadModule {m}_module /usr/lib/apache2/modules/mod_{m}.so"))
        .collect::<Vec<_>>()
        .join("\n");
        let conf = format!(
            "{modules}\nServerRoot {d}\nServerName 127.0.0.1\nListen 127.0.0.1:{port}\nPidFile {d}/httpd.pid\nErrorLog {d}/error.log\nDefaultRuntimeDir {d}\nMutex file:{d} default\nUser www-data\nGroup www-data\nTypesConfig /dev/null\nDocumentRoot {d}/www\n<Directory {d}/www>\n  Require all granted\n</Directory>\nHeader always set X-Request-Id 42\nRewriteEngine On\n# The application's own failure (not the preflight's, which the snippet answers).\nRewriteCond %{{REQUEST_METHOD}} !=OPTIONS\nRewriteRule /fail$ - [R=500]\n{snippet}\n"
        );
        std::fs::write(dir.join("httpd.conf"), conf).unwrap();
        vec![
            "-f".to_string(),
            dir.join("httpd.conf").to_string_lossy().into_owned(),
            "-DFOREGROUND".to_string(),
        ]
    })
}

/// Caddy (Debian's) with the generated snippet inside the site block, in
/// front of test routes.
fn caddy_with(snippet: &str) -> Server {
    start_server_with_dir("caddy", |dir, port| {
        let conf = format!(
            "{{\n\tadmin off\n\tauto_https off\n}}\nhttp://127.0.0.1:{port} {{\n{snippet}\n\theader X-Request-Id 42\n\trespond /api/missing \"missing\" 404\n\trespond /api/fail \"boom\" 500\n\trespond \"ok\" 200\n}}\n"
        );
        std::fs::write(dir.join("Caddyfile"), conf).unwrap();
        vec![
            "run".to_string(),
            "--adapter".to_string(),
            "caddyfile".to_string(),
            "--config".to_string(),
            dir.join("Caddyfile").to_string_lossy().into_owned(),
        ]
    })
}

/// HAProxy (Debian's) with the generated snippet in the frontend, in front
/// of test routes HAProxy answers itself.
fn haproxy_with(snippet: &str) -> Server {
    start_server_with_dir("haproxy", |dir, port| {
        let snippet = snippet.replace('\n', "\n  ");
        let conf = format!(
            "defaults\n  mode http\n  timeout client 10s\n  timeout server 10s\n  timeout connect 5s\nfrontend api\n  bind 127.0.0.1:{port}\n  {snippet}\n  http-request return status 404 content-type text/plain string missing if {{ path_end /missing }}\n  http-request return status 500 content-type text/plain string boom if {{ path_end /fail }}\n  http-request return status 200 content-type text/plain string ok hdr X-Request-Id 42\n"
        );
        std::fs::write(dir.join("haproxy.cfg"), conf).unwrap();
        vec![
            "-db".to_string(),
            "-f".to_string(),
            dir.join("haproxy.cfg").to_string_lossy().into_owned(),
        ]
    })
}

/// A node server script of `tests/servers/node` running the snippet.
fn node_with(script: &str, snippet: &str, dir: &Path) -> Server {
    let file = dir.join("cors.js");
    std::fs::write(&file, snippet).unwrap();
    start_node(script, &[("SNIPPET", file.to_str().unwrap())])
}

/// `content` into `file` unless it is already there (an unchanged file keeps
/// its time, so cargo does not rebuild the server for nothing).
fn write_if_changed(file: &Path, content: &str) {
    if std::fs::read_to_string(file).ok().as_deref() != Some(content) {
        std::fs::write(file, content).unwrap();
    }
}

/// The axum or actix-web server of `tests/servers/rust` built with every
/// shape's generated file compiled in verbatim, one module each: one build
/// for all shapes, in a target directory of its own.
fn rust_server(target: &str, snippets: &[&str]) -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let generated = tmp.join("config-generated").join(target);
    std::fs::create_dir_all(&generated).unwrap();
    let layer = if target == "axum" {
        "tower_http::cors::CorsLayer"
    } else {
        "actix_cors::Cors"
    };
    let mut shapes = String::new();
    let mut arms = String::new();
    for (index, snippet) in snippets.iter().enumerate() {
        let file = generated.join(format!("shape{index}.rs"));
        write_if_changed(&file, snippet);
        shapes.push_str(&format!(
            "mod shape{index} {{\n    include!({file:?});\n}}\n"
        ));
        arms.push_str(&format!(
            "        {index} => Some(shape{index}::items_cors()),\n"
        ));
    }
    shapes.push_str(&format!(
        "fn cors(shape: usize) -> Option<{layer}> {{\n    match shape {{\n{arms}        _ => None,\n    }}\n}}\n"
    ));
    let list = generated.join("shapes.rs");
    write_if_changed(&list, &shapes);
    let target_dir = tmp.join("config-servers-target");
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/servers/rust/Cargo.toml");
    let bin = format!("{target}_server");
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args([
            "build",
            "--locked",
            "--quiet",
            "--bin",
            &bin,
            "--manifest-path",
        ])
        .arg(&manifest)
        .env("CARGO_TARGET_DIR", &target_dir)
        .env("CORS_SHAPES", &list)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "the {target} server does not build with the generated configuration:\n{}\n--- {}\n{shapes}",
        String::from_utf8_lossy(&output.stderr),
        list.display()
    );
    target_dir.join("debug").join(bin)
}

/// The Go server of `tests/servers/go` built beside the generated file
/// (cors.go) with Debian's Go and github.com/rs/cors (GOPATH mode: the
/// module proxy is not reachable here).
fn go_with(snippet: &str, dir: &Path) -> Server {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/servers/go/main.go");
    std::fs::copy(source, dir.join("main.go")).unwrap();
    std::fs::write(dir.join("cors.go"), snippet).unwrap();
    let output = Command::new("go")
        .args(["build", "-o", "server", "."])
        .current_dir(dir)
        .env("GO111MODULE", "off")
        .env("GOPATH", "/usr/share/gocode")
        .env("GOCACHE", Path::new(env!("CARGO_TARGET_TMPDIR")).join("go-cache"))
        .env("GOFLAGS", "")
        .output()
        .unwrap_or_else(|e| {
            panic!("go cannot start ({e}): `apt-get install -y golang-go golang-github-rs-cors-dev` (.ci/run does)")
        });
    assert!(
        output.status.success(),
        "the Go server does not build with the generated configuration:\n{}\n--- cors.go\n{snippet}",
        String::from_utf8_lossy(&output.stderr)
    );
    start_program(Command::new(dir.join("server")), &[], "the Go server")
}

/// The Rails initializer under plain Rack (tests/servers/ruby/config.ru):
/// Debian's rack-cors and WEBrick, Rails itself not installed.
fn rack_with(snippet: &str, dir: &Path) -> Server {
    let file = dir.join("cors.rb");
    std::fs::write(&file, snippet).unwrap();
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/servers/ruby/config.ru");
    // rackup takes the port as an argument: wrap it so PORT from the environment is used.
    let mut command = Command::new("sh");
    command.args([
        "-c",
        "exec rackup -q -s webrick -o 127.0.0.1 -p \"$PORT\" \"$0\"",
        config.to_str().unwrap(),
    ]);
    start_program(
        command,
        &[("SNIPPET", file.to_str().unwrap())],
        "rackup (apt-get install -y ruby-rack ruby-rack-cors ruby-webrick: .ci/run does)",
    )
}

/// The version of the server or package behind `target`, for the table.
fn version(target: &str) -> String {
    let run = |program: &str, args: &[&str]| {
        Command::new(program)
            .args(args)
            .output()
            .map(|o| {
                let text = format!(
                    "{}{}",
                    String::from_utf8_lossy(&o.stdout),
                    String::from_utf8_lossy(&o.stderr)
                );
                text.lines().next().unwrap_or_default().trim().to_string()
            })
            .unwrap_or_default()
    };
    let npm = |package: &str| {
        let file =
            support::servers::node_dir().join(format!("node_modules/{package}/package.json"));
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(file).unwrap_or_default())
                .unwrap_or_default();
        format!("{package} {}", json["version"].as_str().unwrap_or("?"))
    };
    let pip = |package: &str| {
        let o = Command::new("python3")
            .args(["-m", "pip", "show", package])
            .output();
        let text = o
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default();
        let v = text
            .lines()
            .find_map(|l| l.strip_prefix("Version: "))
            .unwrap_or("?")
            .to_string();
        format!("{package} {v}")
    };
    let lock = |package: &str| {
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/servers/rust/Cargo.lock");
        let text = std::fs::read_to_string(file).unwrap_or_default();
        let version = text
            .split("[[package]]")
            .find(|p| p.contains(&format!("name = \"{package}\"\n")))
            .and_then(|p| p.lines().find_map(|l| l.strip_prefix("version = ")))
            .unwrap_or("?")
            .trim_matches('"')
            .to_string();
        format!("{package} {version}")
    };
    match target {
        "nginx" => run("nginx", &["-v"]),
        "apache" => run("apache2", &["-v"]),
        "caddy" => format!("caddy {}", run("caddy", &["version"])),
        "haproxy" => run("haproxy", &["-v"]),
        "express" => format!("{}, {}", npm("express"), npm("cors")),
        "fastify" => format!("{}, {}", npm("fastify"), npm("@fastify/cors")),
        "flask" => format!("{}, {}", pip("Flask"), pip("flask-cors")),
        "fastapi" => format!("{}, {}", pip("fastapi"), pip("starlette")),
        "django" => format!("{}, {}", pip("Django"), pip("django-cors-headers")),
        "axum" => format!("{}, {}", lock("axum"), lock("tower-http")),
        "actix" => format!("{}, {}", lock("actix-web"), lock("actix-cors")),
        "rails" => format!(
            "rack-cors {} under Rack {} (not Rails), {}",
            run("dpkg-query", &["-W", "-f", "${Version}", "ruby-rack-cors"]),
            run("dpkg-query", &["-W", "-f", "${Version}", "ruby-rack"]),
            run("ruby", &["-v"]).split(" (").next().unwrap_or_default()
        ),
        "go" => format!(
            "{}, github.com/rs/cors {}",
            run("go", &["version"]).trim_start_matches("go version "),
            run(
                "dpkg-query",
                &["-W", "-f", "${Version}", "golang-github-rs-cors-dev"]
            )
        ),
        _ => String::new(),
    }
}

/// Writes the target's row of the matrix when CORS_DOCTOR_CONFIG_MATRIX
/// names a directory (scripts/config-matrix.sh collects the rows into
/// docs/config-matrix.md).
fn record(target: &str, results: &[(&str, bool)]) {
    let Some(dir) = std::env::var_os("CORS_DOCTOR_CONFIG_MATRIX") else {
        return;
    };
    let cells: Vec<&str> = results
        .iter()
        .map(|(_, held)| if *held { "✓" } else { "✗" })
        .collect();
    let row = format!(
        "| {target} | {} | {} |\n",
        version(target),
        cells.join(" | ")
    );
    std::fs::write(Path::new(&dir).join(format!("{target}.md")), row).unwrap();
}

fn prove(target: &str) {
    let policies: Vec<String> = SHAPES.iter().map(|(_, keys)| policy(keys)).collect();
    let snippets: Vec<String> = policies
        .iter()
        .map(|p| {
            let dir = tempfile::tempdir().unwrap();
            config(
                target,
                &p.replace("{BASE}", "http://127.0.0.1:1"),
                dir.path(),
            )
        })
        .collect();
    let compiled = matches!(target, "axum" | "actix").then(|| {
        let all: Vec<&str> = snippets.iter().map(String::as_str).collect();
        rust_server(target, &all)
    });
    let mut results = Vec::new();
    let mut failures = Vec::new();
    for (index, ((shape, _), (policy, snippet))) in SHAPES
        .iter()
        .zip(policies.iter().zip(&snippets))
        .enumerate()
    {
        let dir = tempfile::tempdir().unwrap();
        let server = match (target, &compiled) {
            ("nginx", _) => nginx_with(snippet),
            ("apache", _) => apache_with(snippet),
            ("caddy", _) => caddy_with(snippet),
            ("haproxy", _) => haproxy_with(snippet),
            ("express", _) => node_with("config_server.js", snippet, dir.path()),
            ("fastify", _) => node_with("config_server_fastify.js", snippet, dir.path()),
            ("go", _) => go_with(snippet, dir.path()),
            ("rails", _) => rack_with(snippet, dir.path()),
            (_, Some(binary)) => start_program(
                Command::new(binary),
                &[("SHAPE", &index.to_string())],
                &format!("the {target} server"),
            ),
            (python, None) => {
                let file = dir.path().join("cors_snippet.py");
                std::fs::write(&file, snippet).unwrap();
                start_python(
                    &format!("{python}_server.py"),
                    &[("SNIPPET", file.to_str().unwrap())],
                )
            }
        };
        let (code, report) = verify(&server, policy);
        let held = code == 0 && !report.contains("reflects");
        results.push((*shape, held));
        if !held {
            failures.push(format!(
                "{target}, {shape}: the generated configuration does not hold (exit {code})\n--- configuration\n{snippet}\n--- verify\n{report}"
            ));
        }
    }
    record(target, &results);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn nginx_configuration_holds_for_every_shape() {
    prove("nginx");
}

#[test]
fn express_configuration_holds_for_every_shape() {
    prove("express");
}

#[test]
fn fastify_configuration_holds_for_every_shape() {
    prove("fastify");
}

#[test]
fn apache_configuration_holds_for_every_shape() {
    prove("apache");
}

#[test]
fn caddy_configuration_holds_for_every_shape() {
    prove("caddy");
}

#[test]
fn haproxy_configuration_holds_for_every_shape() {
    prove("haproxy");
}

#[test]
fn flask_configuration_holds_for_every_shape() {
    prove("flask");
}

#[test]
fn fastapi_configuration_holds_for_every_shape() {
    prove("fastapi");
}

#[test]
fn django_configuration_holds_for_every_shape() {
    prove("django");
}

#[test]
fn axum_configuration_holds_for_every_shape() {
    prove("axum");
}

#[test]
fn actix_configuration_holds_for_every_shape() {
    prove("actix");
}

#[test]
fn go_configuration_holds_for_every_shape() {
    prove("go");
}

#[test]
fn rails_configuration_holds_for_every_shape() {
    prove("rails");
}

#[test]
fn config_list_names_every_target_and_what_is_verified_here() {
    let output = Command::new(env!("CARGO_BIN_EXE_cors-doctor"))
        .args(["config", "--list"])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("nginx") && text.contains("express"), "{text}");
    assert!(text.contains("verified here"), "{text}");
}
