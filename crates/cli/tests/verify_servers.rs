//! `cors-doctor verify` against real servers started here on loopback:
//! nginx (Debian's) and express with the `cors` package (npm), each once
//! configured correctly and once with each classic mistake — the origin
//! listed without its port, nginx's `add_header` without `always` (error
//! responses lose the headers), OPTIONS behind authentication, any origin
//! reflected. The correct ones hold; each mistake is reported in the
//! policy's words with the browser's console line. `.ci/run` installs nginx
//! and runs `npm ci` in `tests/servers/express`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on broken fixtures

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The policy both servers are configured for (page: http://app.example.com:3000).
const POLICY: &str = r#"
[[api]]
name = "api"
base_url = "{BASE}"

[[api.rule]]
name = "items"
path = "/api/*"
probe = ["/api/items", "/api/missing"]
allow_origins = ["http://app.example.com:3000"]
methods = ["GET", "PUT"]
request_headers = ["Content-Type", "Authorization"]
credentials = true
expose_headers = ["X-Request-Id"]
max_age = 600
"#;

struct Server {
    child: Child,
    addr: SocketAddr,
    _dir: Option<tempfile::TempDir>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for(addr: SocketAddr, child: &mut Child, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} exited before listening: {status}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{what} did not listen on {addr} within 10 s");
}

fn nginx_binary() -> PathBuf {
    for candidate in ["/usr/sbin/nginx", "/usr/bin/nginx"] {
        if Path::new(candidate).exists() {
            return PathBuf::from(candidate);
        }
    }
    panic!("nginx is not installed: `apt-get install -y nginx-light` (.ci/run does)");
}

/// The nginx configuration of the API, with one mistake or none.
fn nginx_conf(dir: &Path, port: u16, mistake: Option<&str>) -> String {
    let allowed = if mistake == Some("no-port") {
        "http://app.example.com"
    } else {
        "http://app.example.com:3000"
    };
    let default = if mistake == Some("reflect") {
        "$http_origin"
    } else {
        "\"\""
    };
    let always = if mistake == Some("no-always") {
        ""
    } else {
        " always"
    };
    let auth = if mistake == Some("auth-before-cors") {
        "if ($http_authorization = \"\") { return 401; }"
    } else {
        ""
    };
    let d = dir.display();
    format!(
        r#"daemon off;
pid {d}/nginx.pid;
error_log {d}/error.log;
events {{ worker_connections 64; }}
http {{
  access_log off;
  client_body_temp_path {d}/body;
  proxy_temp_path {d}/proxy;
  fastcgi_temp_path {d}/fastcgi;
  uwsgi_temp_path {d}/uwsgi;
  scgi_temp_path {d}/scgi;
  map $http_origin $cors_origin {{
    default {default};
    "{allowed}" $http_origin;
  }}
  server {{
    listen 127.0.0.1:{port};
    location /api/ {{
      {auth}
      if ($request_method = OPTIONS) {{
        add_header Access-Control-Allow-Origin $cors_origin always;
        add_header Access-Control-Allow-Credentials true always;
        add_header Access-Control-Allow-Methods "GET, PUT" always;
        add_header Access-Control-Allow-Headers "Content-Type, Authorization" always;
        add_header Access-Control-Max-Age 600 always;
        add_header Vary Origin always;
        return 204;
      }}
      add_header Access-Control-Allow-Origin $cors_origin{always};
      add_header Access-Control-Allow-Credentials true{always};
      add_header Access-Control-Expose-Headers X-Request-Id{always};
      add_header X-Request-Id 42{always};
      add_header Vary Origin{always};
      # Not a nested `location`: nginx would not run this location's
      # `if` (the preflight answer) for it.
      if ($uri = /api/items) {{ return 200 "items"; }}
      return 404;
    }}
  }}
}}
"#
    )
}

fn start_nginx(mistake: Option<&str>) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let conf = dir.path().join("nginx.conf");
    std::fs::write(&conf, nginx_conf(dir.path(), port, mistake)).unwrap();
    let mut child = Command::new(nginx_binary())
        .arg("-p")
        .arg(dir.path())
        .arg("-c")
        .arg(&conf)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    wait_for(addr, &mut child, "nginx");
    Server {
        child,
        addr,
        _dir: Some(dir),
    }
}

fn start_express(mode: &str) -> Server {
    let app = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/servers/express");
    assert!(
        app.join("node_modules/cors").exists(),
        "express and cors are not installed: run `npm ci` in {} (.ci/run does)",
        app.display()
    );
    let port = free_port();
    let mut child = Command::new("node")
        .arg(app.join("server.js"))
        .env("PORT", port.to_string())
        .env("MODE", mode)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    wait_for(addr, &mut child, "node server.js");
    Server {
        child,
        addr,
        _dir: None,
    }
}

/// (exit code, text report).
fn verify(server: &Server) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cors-policy.toml");
    std::fs::write(
        &file,
        POLICY.replace("{BASE}", &format!("http://{}", server.addr)),
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_cors-doctor"))
        .args(["verify", file.to_str().unwrap()])
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

/// What each mistake must produce (in the policy's words, then a browser's console).
fn expect_mistake(server: &str, mistake: &str, code: i32, report: &str) {
    assert_eq!(code, 1, "{server} {mistake}: exit code\n{report}");
    let wanted: &[&str] = match mistake {
        "no-port" => &[
            "GET + Content-Type, Authorization, with credentials from http://app.example.com:3000 must pass (allowed by `http://app.example.com:3000`) but is blocked",
            "Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
        ],
        "no-always" => &[
            "/api/missing",
            "must pass (allowed by `http://app.example.com:3000`) but is blocked  [allow-origin-missing]",
            "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
        ],
        // nginx adds the CORS headers to the 401 too (`always`): "not ok
        // status"; express answers before cors() runs: "rejected".
        "auth-before-cors" => &[
            "must pass (allowed by `http://app.example.com:3000`) but is blocked  [preflight-",
            "Response to preflight request doesn't pass access control check",
        ],
        "reflect" => &[
            "origins that must be refused are allowed (the server reflects the origin it is sent)",
            "[reflected-origin-with-credentials]",
        ],
        _ => unreachable!(),
    };
    for w in wanted {
        assert!(
            report.contains(w),
            "{server} {mistake}: missing {w:?} in\n{report}"
        );
    }
}

#[test]
fn nginx_correct_holds_and_each_mistake_is_reported() {
    let (code, report) = verify(&start_nginx(None));
    assert_eq!(code, 0, "nginx correct:\n{report}");
    assert!(
        report.contains("the preflight is cached for 600 s"),
        "{report}"
    );
    assert!(
        report.contains("script can read `X-Request-Id`"),
        "{report}"
    );
    for mistake in ["no-port", "no-always", "auth-before-cors", "reflect"] {
        let (code, report) = verify(&start_nginx(Some(mistake)));
        expect_mistake("nginx", mistake, code, &report);
    }
}

#[test]
fn express_cors_correct_holds_and_each_mistake_is_reported() {
    let (code, report) = verify(&start_express("correct"));
    assert_eq!(code, 0, "express correct:\n{report}");
    assert!(
        report.contains("the preflight is cached for 600 s"),
        "{report}"
    );
    for mistake in ["no-port", "auth-before-cors", "reflect"] {
        let (code, report) = verify(&start_express(mistake));
        expect_mistake("express", mistake, code, &report);
    }
}
