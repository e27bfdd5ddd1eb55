//! Real servers started by the tests on loopback: nginx (Debian's) with a
//! configuration written by the test, and node scripts of
//! `tests/servers/node` (npm's express and cors). `.ci/run` installs both.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A server process, killed when dropped.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    _dir: Option<tempfile::TempDir>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
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

/// The `http {}` lines every test configuration needs: temporary paths in
/// the test's own directory, no access log.
pub fn nginx_http_preamble(dir: &Path) -> String {
    let d = dir.display();
    format!(
        "access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n  fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;"
    )
}

/// Starts nginx with the configuration `conf(dir, port)` returns for the
/// `http {}` block's contents.
pub fn start_nginx(http: impl FnOnce(&Path, u16) -> String) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let d = dir.path().display().to_string();
    let conf = dir.path().join("nginx.conf");
    let text = format!(
        "daemon off;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\nevents {{ worker_connections 64; }}\nhttp {{\n  {}\n{}\n}}\n",
        nginx_http_preamble(dir.path()),
        http(dir.path(), port)
    );
    std::fs::write(&conf, &text).unwrap();
    let check = Command::new(nginx_binary())
        .arg("-t")
        .arg("-p")
        .arg(dir.path())
        .arg("-c")
        .arg(&conf)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "nginx refuses the configuration: {}\n{text}",
        String::from_utf8_lossy(&check.stderr)
    );
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

/// Starts the Debian server `program` with the arguments `setup(dir, port)`
/// returns, after it wrote its configuration into `dir` (readable by the
/// unprivileged user a root-started server switches to).
pub fn start_server_with_dir(
    program: &str,
    setup: impl FnOnce(&Path, u16) -> Vec<String>,
) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let _ = Command::new("chmod").arg("755").arg(dir.path()).status();
    let port = free_port();
    let args = setup(dir.path(), port);
    let _ = Command::new("chmod")
        .arg("-R")
        .arg("a+rX")
        .arg(dir.path())
        .status();
    let mut child = Command::new(program)
        .args(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("{program} cannot start ({e}): `apt-get install -y {program}` (.ci/run does)")
        });
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    wait_for(addr, &mut child, program);
    Server {
        child,
        addr,
        _dir: Some(dir),
    }
}

/// `tests/servers/node`, with its npm packages installed.
pub fn node_dir() -> PathBuf {
    let app = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/servers/node");
    assert!(
        app.join("node_modules/cors").exists(),
        "express and cors are not installed: run `npm ci` in {} (.ci/run does)",
        app.display()
    );
    app
}

/// Starts `command` with `PORT` (and `env`) and waits until it listens on
/// loopback; `what` names it in the panic if it does not.
pub fn start_program(mut command: Command, env: &[(&str, &str)], what: &str) -> Server {
    let port = free_port();
    command
        .env("PORT", port.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("{what} cannot start: {e}"));
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    wait_for(addr, &mut child, what);
    Server {
        child,
        addr,
        _dir: None,
    }
}

/// Starts `node SCRIPT` of `tests/servers/node` with `PORT` and `env`.
pub fn start_node(script: &str, env: &[(&str, &str)]) -> Server {
    let mut command = Command::new("node");
    command.arg(node_dir().join(script));
    start_program(command, env, &format!("node {script}"))
}

/// Starts `python3 SCRIPT` of `tests/servers/python` with `PORT` and `env`
/// (its packages from requirements.txt, which `.ci/run` installs).
pub fn start_python(script: &str, env: &[(&str, &str)]) -> Server {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/servers/python");
    let mut command = Command::new("python3");
    command.arg(dir.join(script));
    start_program(
        command,
        env,
        &format!(
            "python3 {script} (pip install -r {}/requirements.txt)",
            dir.display()
        ),
    )
}

/// Runs `verify` on `policy` (its `{BASE}` replaced by the server's URL):
/// (exit code, text report).
pub fn verify(server: &Server, policy: &str) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cors-policy.toml");
    std::fs::write(
        &file,
        policy.replace("{BASE}", &format!("http://{}", server.addr)),
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
