//! Command-line interface: clap types only. Doc comments are the help text.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Diagnose and fix CORS errors the way Chrome, Firefox and Safari see them.
///
/// cors-doctor sends exactly what each browser would send for a cross-origin
/// request, checks the answers the way each browser does, prints each
/// browser's own console message, names the cause and gives the fix.
#[derive(Parser, Debug)]
#[command(name = "cors-doctor", version, propagate_version = true, after_help = EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// When to use colours: auto (a terminal, and NO_COLOR unset), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

const EXAMPLES: &str = "Examples:
  cors-doctor demo
      every cause, end to end, against a built-in lab (no network needed)
  cors-doctor check https://api.example.com/items --origin https://app.example.com
  cors-doctor check https://api.example.com/items --origin https://app.example.com \\
      -X PUT -H 'Content-Type: application/json' --credentials include
  cors-doctor explain \"Access to fetch at 'https://api…' from origin '…' has been blocked by CORS policy: …\"
  pbpaste | cors-doctor explain

Exit codes: 0 allowed everywhere · 1 blocked in a browser · 2 bad usage or input · 3 server unreachable";

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Would each browser allow this request? If not, why, and what to change.
    ///
    /// Sends the preflight (when the browser would) and the actual request to
    /// the live server, following redirects hop by hop, and evaluates every
    /// answer as Chromium, Firefox and WebKit do.
    #[command(after_help = "Examples:
  cors-doctor check https://api.example.com/items --origin https://app.example.com
  cors-doctor check https://api.example.com/items --page https://app.example.com/settings \\
      -X PUT -H 'Content-Type: application/json' -H 'Authorization: Bearer x' --credentials include
  cors-doctor check https://api.test/items --origin http://localhost:3000 --resolve api.test:443:127.0.0.1 --insecure
  cors-doctor check https://api.example.com/items --origin https://app.example.com --json | jq .summary

Exit codes: 0 allowed in every selected browser · 1 blocked in at least one · 2 bad usage · 3 server unreachable")]
    Check(CheckArgs),

    /// Explain a pasted browser console error: the cause, the fix, and the check that reproduces it.
    ///
    /// Reads the text from the arguments, --file, or standard input (`-`).
    /// Accepts a single message or a whole console dump, from any browser
    /// version and however the copy mangled it (wrapped lines, `>` quotes,
    /// `[Error]`, timestamps, source links, a missing period); every CORS
    /// message in it is explained, DevTools network lines (`net::ERR_…`) are
    /// said for what they are, and errors that are not CORS get a plain
    /// answer. Also explains a catalogue id (`explain allow-origin-missing`).
    #[command(after_help = "Examples:
  cors-doctor explain \"Access to fetch at 'http://localhost:8080/api' from origin 'http://localhost:3000' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.\"
  cors-doctor explain --file console.log
  pbpaste | cors-doctor explain -
  pbpaste | cors-doctor explain --probe -
  cors-doctor explain header-not-allowed
  cors-doctor explain --list

Exit codes: 0 CORS message(s) explained · 1 no CORS message, but what was recognised is explained · 2 nothing recognised, or bad usage")]
    Explain(ExplainArgs),

    /// All origins or some? Every browser or one? Exploitable? Probe one endpoint across a matrix.
    ///
    /// Tries your origins and their near misses (other scheme, port, www.,
    /// parent/sibling domains) and the shapes attackers use (prefix, suffix,
    /// unescaped dot, special characters, any subdomain, null, an unrelated
    /// origin, a public hosting origin) × request kinds (GET, HEAD, POST, JSON,
    /// Authorization, the methods the endpoint advertises, yours) × credentials
    /// omit/include × three browsers, sending each distinct request once. One
    /// more preflight, for a made-up method and header, catches allow lists
    /// that echo whatever is asked. Security findings are graded by what a
    /// browser would let an attacker's page read.
    #[command(after_help = "Examples:
  cors-doctor scan https://api.example.com/items --origin https://app.example.com
  cors-doctor scan https://api.example.com/items --origin https://app.example.com --origin http://localhost:3000 -X PATCH --json
  cors-doctor scan https://api.example.com/items --origin https://app.example.com --fail-on critical

Exit codes: 0 fine · 1 one of your origins is blocked for a plain GET (or -X/-H request), or a security finding at or above --fail-on · 2 bad usage · 3 server unreachable")]
    Scan(ScanArgs),

    /// Audit many endpoints for exploitable CORS configurations, in one process.
    ///
    /// Reads endpoints — one URL per line, or NDJSON objects {"url", "origin",
    /// "method", "headers"} — from files or standard input (`-`); every
    /// operation of an OpenAPI 3 document (--openapi, with --base-url); or
    /// the cross-origin endpoints a DevTools recording called (--har). Judges
    /// each for the security classes `scan` knows: a reflected arbitrary
    /// origin, `null`, prefix / suffix / unescaped-dot / special-character /
    /// substring matches, any subdomain, http trusted by https, hosting
    /// platforms (GitHub Pages, CodePen, Netlify…), `*`, reflection without
    /// `Vary: Origin`, echoed allow lists and credentialed preflights from any
    /// origin. Each finding is graded by what Chromium, Firefox and WebKit
    /// would let an attacker's page read. Few requests per endpoint: once an
    /// unrelated origin is reflected the narrower shapes are not asked.
    /// Endpoints run concurrently, each asked one request after another on
    /// one HTTP/1.1 keep-alive connection, under a request limit, per-host
    /// limits (--per-host, --rate), per-request timeouts and an optional
    /// deadline; unreachable hosts are results. Results stream as endpoints
    /// finish (text, or NDJSON with --json / --ndjson), with SARIF and JUnit
    /// for CI. Ctrl-C stops cleanly; --resume FILE finishes what is left;
    /// --shard I/N splits the input across jobs and `audit merge` joins them.
    #[command(after_help = "Examples:
  cors-doctor audit urls.txt
  cors-doctor audit urls.txt --ndjson audit.ndjson --sarif audit.sarif
  cors-doctor audit --resume audit.ndjson urls.txt          # after Ctrl-C or a crash
  cat endpoints.ndjson | cors-doctor audit - --json --concurrency 128
  cors-doctor audit urls.txt --origin https://app.example.com --rate 20 --deadline 600
  cors-doctor audit --openapi openapi.yaml --base-url https://staging.api.example.com --origin https://app.example.com --per-host 8
  cors-doctor audit --har network.har                          # the APIs a recorded session called
  cors-doctor audit urls.txt --shard 2/8 --ndjson part-2.ndjson   # one of 8 CI jobs
  cors-doctor audit merge part-*.ndjson --ndjson all.ndjson --junit audit.junit.xml

Exit codes: 0 no finding at or above --fail-on · 1 one or more · 2 bad input or usage · 3 no endpoint could be reached · 130 interrupted")]
    Audit(AuditArgs),

    /// Prove a declared CORS policy (cors-policy.toml) against a deployment, for CI.
    ///
    /// From each rule of the policy — the origins allowed (exact, or every
    /// subdomain of one parent as `https://*.example.com`), methods, request
    /// headers, credentials, exposed headers, max-age, and origins to refuse —
    /// derives the requests that decide it: every allowed origin × method
    /// with the declared headers, and every origin that must be refused (the
    /// policy's own, the near misses of each allowed origin, the shapes
    /// attackers use, an arbitrary origin to catch reflection). Each distinct
    /// request goes out once; each is judged as Chromium, Firefox and WebKit
    /// would. Reports for CI: --json, --junit FILE, --sarif FILE, and GitHub
    /// annotations when GITHUB_ACTIONS=true.
    #[command(after_help = "Examples:
  cors-doctor verify cors-policy.toml
  cors-doctor verify cors-policy.toml --base-url https://staging.api.example.com
  cors-doctor verify cors-policy.toml --base-url shop=http://127.0.0.1:8080 --json
  cors-doctor verify cors-policy.toml --junit cors.junit.xml --sarif cors.sarif
  cors-doctor verify --init https://api.example.com/v1/orders --origin https://app.example.com > cors-policy.toml

Exit codes: 0 the policy holds · 1 violated · 2 bad policy or usage · 3 server unreachable")]
    Verify(VerifyArgs),

    /// Write the server configuration that implements a CORS policy, for your server or framework.
    ///
    /// Takes the policy from a file in the `verify` format (--policy), from
    /// flags for one rule (--origin, --methods, --headers, --credentials,
    /// --expose, --max-age, --path), or from a request (--from-check, then
    /// `check`'s own arguments): the smallest rule that lets that request
    /// through in every browser. Writes the target's idiomatic configuration
    /// — the framework's own CORS feature where it has one — commented with
    /// the traps it avoids (origins matched whole, `Vary: Origin`, headers
    /// kept on errors, the preflight answered before authentication).
    /// Flags get the checks a policy file gets (no `*` with credentials, no
    /// pattern an attacker's domain matches). `--list` shows the targets and
    /// which are proven here on a real server.
    #[command(after_help = "Examples:
  cors-doctor config --list
  cors-doctor config --target nginx --policy cors-policy.toml
  cors-doctor config --target express --origin https://app.example.com --methods GET,PUT --headers Content-Type --credentials --path '/api/*' > cors.js
  cors-doctor config --target django --origin 'https://*.example.com' --expose X-Request-Id --max-age 600
  cors-doctor config --target nginx --from-check https://api.example.com/v1/items --origin https://app.example.com -X PUT -H 'Content-Type: application/json'

Exit codes: 0 written · 2 bad policy, unknown target or usage · 3 (--from-check) server unreachable")]
    Config(ConfigArgs),

    /// Explain a DevTools network export (HAR), request by request.
    ///
    /// Reads a HAR 1.2 file as Chrome/Edge, Firefox, Safari, Playwright,
    /// Puppeteer or a proxy exports it — as a stream: bodies are skipped, so
    /// a file of gigabytes needs little memory — and judges every
    /// cross-origin request a page's script made as the browser that
    /// recorded it did (the file's creator and browser fields, else the
    /// User-Agent): preflights paired with their requests, redirects
    /// followed, what was blocked with that browser's console line, the cause
    /// and the fix; what succeeded only thanks to a cached preflight, what
    /// came from the HTTP cache, and what works but is risky. Summary first
    /// (page origin → API host), then the details. Credential-like URL query
    /// values are hidden unless --show-secrets.
    #[command(after_help = "Examples:
  cors-doctor har network.har
  cors-doctor har network.har --json > report.json
  cat network.har | cors-doctor har -
  cors-doctor har firefox-export.har --browser chromium   # judge as another browser would
  cors-doctor har playwright.har --replay                  # send the blocked requests again to learn why
  cors-doctor har network.har --redact shareable.har       # a copy without cookies, tokens or bodies

Exit codes: 0 nothing blocked · 1 something was blocked · 2 unreadable or malformed file, or usage")]
    Har(HarArgs),

    /// The diagnosis in a local web page: check and explain in the browser.
    ///
    /// Starts a web UI on loopback and prints its URL (with a random token,
    /// needed for every request; --open opens it). The page is embedded in
    /// the binary (no CDN, works offline). Check: the form takes what
    /// `check` takes; the answer shows each browser's verdict and console
    /// line, every exchange with its headers, the cause and the fix, and the
    /// curl commands; the form's state lives in the URL, so a result is a
    /// link. Explain: a paste box. Every view renders the JSON the command
    /// prints with --json. Only the bound address is accepted as Host (no DNS
    /// rebinding) and the API refuses other sites' requests.
    #[command(after_help = "Examples:
  cors-doctor serve
  cors-doctor serve --listen 127.0.0.1:7878 --open

Exit codes: 0 stopped with Ctrl-C · 2 bad usage (a non-loopback address, a port in use)")]
    Serve(ServeArgs),

    /// A development proxy to your API that explains CORS instead of hiding it.
    ///
    /// Point the page's API base URL at the proxy (http://127.0.0.1:8080
    /// by default): every request goes to --upstream unchanged (HTTP/1.1
    /// and HTTP/2, bodies streamed, WebSockets and server-sent events passed
    /// through) and each cross-origin exchange is judged as the browser that
    /// sent it (its User-Agent) would: one line per request with the
    /// verdict and the finding, the full report at the URL the line gives.
    ///
    /// --fix adds exactly the headers a blocked request needs, so the work
    /// goes on, and says each time what the upstream itself must send
    /// (with --server, as that server's configuration). Unlike
    /// `Access-Control-Allow-Origin: *` proxies, nothing is hidden: the
    /// line still says what production will do.
    ///
    /// Never an open proxy: only the upstream is reached, only the proxy's
    /// own Host is accepted, and it listens on loopback unless told
    /// otherwise.
    #[command(after_help = "Examples:
  cors-doctor proxy --upstream https://api.example.com
  cors-doctor proxy --upstream http://127.0.0.1:3001 --fix --server express
  cors-doctor proxy --upstream http://127.0.0.1:3001 --policy cors-policy.toml
  cors-doctor proxy --upstream http://127.0.0.1:8787 --json | jq -c '[.id, .verdict, .finding]'

A line:  ✗ #3 OPTIONS /items  from http://localhost:5173  chromium: blocked · header-not-allowed (204)  http://127.0.0.1:8080/.cors-doctor/3

Exit codes: 0 stopped with Ctrl-C · 2 bad usage (a bad upstream URL, a port in use, an unreadable --cacert)")]
    Proxy(ProxyArgs),

    /// Serve the lab: a deliberately misconfigured API, one endpoint per CORS cause.
    Lab(LabArgs),

    /// Start the lab in-process and check every endpoint: the whole product, offline.
    Demo(DemoArgs),

    /// Print shell completions (bash, zsh, fish, elvish, powershell).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Args, Debug, Clone)]
pub struct CheckArgs {
    /// The URL the page's script requests.
    pub url: String,

    /// The page's origin, e.g. https://app.example.com (what the browser sends as `Origin`; `null` for sandboxed or file: pages).
    #[arg(long, conflicts_with = "page")]
    pub origin: Option<String>,

    /// The page's URL instead of --origin: gives the origin and the page's scheme (for mixed content).
    #[arg(long)]
    pub page: Option<String>,

    #[command(flatten)]
    pub request: RequestArgs,

    #[command(flatten)]
    pub network: NetworkArgs,

    /// Which browsers to evaluate: chromium, firefox, webkit (comma-separated) or all.
    #[arg(long, value_delimiter = ',', default_value = "all")]
    pub browser: Vec<String>,

    /// Do not send the extra request with a second origin that detects a reflected Access-Control-Allow-Origin.
    #[arg(long)]
    pub no_second_origin: bool,

    /// Print one JSON document (schema cors-doctor/check/v1, see docs/json-schema.md).
    #[arg(long)]
    pub json: bool,

    /// Also write the fix as configuration for your server: nginx, apache, caddy, haproxy, express, fastify, flask, fastapi, django, axum, actix, go, … (`cors-doctor config --list`).
    #[arg(long, value_name = "TARGET")]
    pub fix_for: Option<String>,
}

#[derive(Args, Debug, Clone)]
pub struct RequestArgs {
    /// The method as the script writes it (`patch` stays lower-case, as fetch() sends it).
    #[arg(short = 'X', long = "request", value_name = "METHOD")]
    pub method: Option<String>,

    /// A request header the script sets, 'Name: value' (repeatable).
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    pub headers: Vec<String>,

    /// A request body (implies POST when no -X). A string body gets fetch()'s Content-Type text/plain;charset=UTF-8 unless -H sets one.
    #[arg(short = 'd', long = "data", value_name = "BODY")]
    pub body: Option<String>,

    /// The request's credentials mode: omit, same-origin (fetch's default) or include (cookies, withCredentials).
    #[arg(long, value_enum, default_value_t = CredentialsArg::SameOrigin)]
    pub credentials: CredentialsArg,

    /// The request mode.
    #[arg(long, value_enum, default_value_t = ModeArg::Cors)]
    pub mode: ModeArg,

    /// What makes the request; it changes the console wording: fetch, xhr, script, stylesheet, font, image, audio, video, manifest, text-track, eventsource.
    #[arg(long, default_value = "fetch")]
    pub initiator: String,

    /// An XMLHttpRequest with upload listeners (or a streaming body): always preflighted.
    #[arg(long)]
    pub upload_listener: bool,

    /// The page's IP address space (public, local, loopback): turns on Chromium's Local Network Access checks against the target's resolved address.
    #[arg(long, value_name = "SPACE")]
    pub page_address_space: Option<String>,

    /// fetch()'s `targetAddressSpace` option (local or loopback), for Local Network Access.
    #[arg(long, value_name = "SPACE")]
    pub target_address_space: Option<String>,
}

#[derive(Args, Debug, Clone)]
pub struct NetworkArgs {
    /// Use ADDR for HOST:PORT, like curl's --resolve (repeatable; applies to every hop).
    #[arg(long, value_name = "HOST:PORT:ADDR")]
    pub resolve: Vec<String>,

    /// Trust the PEM certificate(s) in FILE (self-signed or private CA).
    #[arg(long, value_name = "FILE", conflicts_with = "insecure")]
    pub cacert: Option<PathBuf>,

    /// Do not verify TLS certificates.
    #[arg(short = 'k', long)]
    pub insecure: bool,

    /// Use HTTP/1.1 only (by default HTTP/2 is used when the server offers it over TLS).
    #[arg(long = "http1.1")]
    pub http1_only: bool,

    /// Give up on a request after SECS seconds.
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    pub timeout: f64,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum CredentialsArg {
    Omit,
    SameOrigin,
    Include,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ModeArg {
    Cors,
    NoCors,
    SameOrigin,
}

#[derive(Args, Debug, Clone)]
pub struct ExplainArgs {
    /// The console text (or a catalogue id); `-` or nothing reads standard input.
    pub text: Vec<String>,

    /// Read the console text from FILE (`-` for standard input).
    #[arg(long, short = 'f', value_name = "FILE", conflicts_with = "text")]
    pub file: Option<PathBuf>,

    /// List the catalogue: every id with its title.
    #[arg(long)]
    pub list: bool,

    /// Run the reproducing check right away and say whether the server still behaves so.
    #[arg(long)]
    pub probe: bool,

    #[command(flatten)]
    pub network: NetworkArgs,

    /// Print one JSON document (schema cors-doctor/explain/v1).
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug, Clone)]
#[command(args_conflicts_with_subcommands = true)]
pub struct AuditArgs {
    #[command(subcommand)]
    pub command: Option<AuditCommand>,

    /// Files of endpoints: one URL per line, or one NDJSON object per line
    /// ({"url": …, "origin": …, "method": …, "headers": {…}}); `-` reads
    /// standard input. Blank lines and lines starting with `#` are skipped.
    #[arg(value_name = "FILE")]
    pub inputs: Vec<PathBuf>,

    /// Audit every operation (path × method) of an OpenAPI 3 document, JSON or YAML: declared
    /// header parameters, the body's Content-Type and the security schemes' headers go along.
    #[arg(long, value_name = "FILE")]
    pub openapi: Vec<PathBuf>,

    /// The server the --openapi document describes (replaces its `servers` URL; a relative
    /// one such as `/v1` is appended). Needed when the document names no absolute server.
    #[arg(long, value_name = "URL", requires = "openapi")]
    pub base_url: Option<String>,

    /// Audit the cross-origin endpoints a DevTools recording (HAR) called, each once, from the
    /// origin of the page that called it. Recorded secrets are not sent again.
    #[arg(long, value_name = "FILE")]
    pub har: Vec<PathBuf>,

    /// The origin the endpoints are meant to trust, for lines that name none (default: each endpoint's own).
    #[arg(long)]
    pub origin: Option<String>,

    /// At most N requests in flight, over all endpoints.
    #[arg(long, default_value_t = 64, value_name = "N")]
    pub concurrency: usize,

    /// At most N requests per second to each host (0: no limit).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub rate: u32,

    /// At most N requests in flight to each host (default: no limit but --concurrency).
    /// Each endpoint's requests go one after another on one HTTP/1.1 keep-alive connection,
    /// so N is also the most connections open to a host: 1 asks a host one request at a time.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub per_host: Option<u16>,

    /// Stop after SECS seconds: endpoints not finished are written with status `deadline`.
    #[arg(long, value_name = "SECS")]
    pub deadline: Option<f64>,

    /// Audit only part I of N of the input (1-based; split by a stable hash of each line).
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,

    /// Write one NDJSON record per endpoint to FILE (schema cors-doctor/audit/v1).
    #[arg(long, value_name = "FILE")]
    pub ndjson: Option<PathBuf>,

    /// Skip the endpoints FILE (an earlier --ndjson output) already has, and append the rest to it.
    #[arg(long, value_name = "FILE", conflicts_with = "ndjson")]
    pub resume: Option<PathBuf>,

    /// Which browsers judge: chromium, firefox, webkit (comma-separated) or all.
    #[arg(long, value_delimiter = ',', default_value = "all")]
    pub browser: Vec<String>,

    #[command(flatten)]
    pub reports: AuditReportArgs,

    #[command(flatten)]
    pub network: NetworkArgs,
}

#[derive(Subcommand, Debug, Clone)]
pub enum AuditCommand {
    /// Combine the NDJSON outputs of several audits (shards, resumed runs) into one.
    ///
    /// One record per endpoint — a finished one over a `deadline` one, the
    /// later file's over an earlier one — sorted by URL, then the summary.
    #[command(after_help = "Examples:
  cors-doctor audit merge part-1.ndjson part-2.ndjson --ndjson all.ndjson
  cors-doctor audit merge part-*.ndjson --sarif audit.sarif --junit audit.junit.xml")]
    Merge(AuditMergeArgs),
}

#[derive(Args, Debug, Clone)]
pub struct AuditMergeArgs {
    /// The NDJSON files to combine.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Write the merged records to FILE.
    #[arg(long, value_name = "FILE")]
    pub ndjson: Option<PathBuf>,

    #[command(flatten)]
    pub reports: AuditReportArgs,
}

/// The reports `audit` and `audit merge` write, and when they exit 1.
#[derive(Args, Debug, Clone)]
pub struct AuditReportArgs {
    /// Write a SARIF 2.1.0 log to FILE (one result per finding).
    #[arg(long, value_name = "FILE")]
    pub sarif: Option<PathBuf>,

    /// Write a JUnit XML report to FILE (one test case per endpoint).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,

    /// Exit 1 for a finding at or above this severity: info, low, medium, high, critical, or none.
    #[arg(long, default_value = "high")]
    pub fail_on: String,

    /// Print the NDJSON records on standard output instead of text (the summary goes to standard error).
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug, Clone)]
pub struct ScanArgs {
    /// The endpoint to scan.
    pub url: String,

    /// An origin that should be allowed (repeatable).
    #[arg(long, required = true)]
    pub origin: Vec<String>,

    /// A method your pages use, tried besides GET, POST and the advertised ones (repeatable).
    #[arg(short = 'X', long = "request", value_name = "METHOD")]
    pub methods: Vec<String>,

    /// A header your pages send, tried as one more request kind (repeatable).
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    pub headers: Vec<String>,

    /// Which browsers: chromium, firefox, webkit (comma-separated) or all.
    #[arg(long, value_delimiter = ',', default_value = "all")]
    pub browser: Vec<String>,

    /// At most N requests in flight.
    #[arg(long, default_value_t = 8, value_name = "N")]
    pub concurrency: usize,

    /// At most N requests per second to the host (0: no limit).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub rate: u32,

    /// Exit 1 for a security finding at or above this severity: info, low, medium, high, critical, or none.
    #[arg(long, default_value = "high")]
    pub fail_on: String,

    #[command(flatten)]
    pub network: NetworkArgs,

    /// Print one JSON document (schema cors-doctor/scan/v1).
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug, Clone)]
pub struct VerifyArgs {
    /// The policy file (`-` reads standard input). With --init: where to write the new policy (standard output if omitted).
    #[arg(required_unless_present = "init")]
    pub policy: Option<String>,

    /// Write a starting policy from what URL does today (a scan with --origin), commented, for you to tighten.
    #[arg(long, value_name = "URL", requires = "origin")]
    pub init: Option<String>,

    /// With --init: an origin your pages are served from (repeatable).
    #[arg(long)]
    pub origin: Vec<String>,

    /// Use URL as the base URL of every API, or NAME=URL for the API named NAME (repeatable: one per environment's API).
    #[arg(long, value_name = "[NAME=]URL")]
    pub base_url: Vec<String>,

    /// Which browsers: chromium, firefox, webkit (comma-separated) or all.
    #[arg(long, value_delimiter = ',', default_value = "all")]
    pub browser: Vec<String>,

    /// At most N requests in flight.
    #[arg(long, default_value_t = 8, value_name = "N")]
    pub concurrency: usize,

    /// At most N requests per second to each host (0: no limit).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub rate: u32,

    #[command(flatten)]
    pub network: NetworkArgs,

    /// Print one JSON document (schema cors-doctor/verify/v1).
    #[arg(long)]
    pub json: bool,

    /// Also write a JUnit XML report to FILE (one test case per rule × origin × request × check).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,

    /// Also write a SARIF 2.1.0 report to FILE (rule ids = catalogue ids, locations = the policy's lines).
    #[arg(long, value_name = "FILE")]
    pub sarif: Option<PathBuf>,
}

#[derive(Args, Debug, Clone)]
#[command(group(clap::ArgGroup::new("input").args(["policy", "origins", "from_check"])))]
pub struct ConfigArgs {
    /// The server or framework: see --list.
    #[arg(long, required_unless_present = "list")]
    pub target: Option<String>,

    /// The policy file (the `verify` format; `-` reads standard input).
    #[arg(long)]
    pub policy: Option<String>,

    /// Instead of a policy: an origin to allow (repeatable) — exact (https://app.example.com), every subdomain of one parent (https://*.example.com), or * for a public API without credentials.
    #[arg(long = "origin", value_name = "ORIGIN", conflicts_with_all = ["policy", "from_check"])]
    pub origins: Vec<String>,

    /// With --origin: the methods the pages use (comma-separated).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "GET",
        requires = "origins"
    )]
    pub methods: Vec<String>,

    /// With --origin: request headers the pages set beyond the safelisted ones (comma-separated).
    #[arg(long, value_delimiter = ',', requires = "origins")]
    pub headers: Vec<String>,

    /// With --origin: the pages send cookies or HTTP authentication (credentials: 'include').
    #[arg(long, requires = "origins")]
    pub credentials: bool,

    /// With --origin: response headers the pages' scripts read (comma-separated).
    #[arg(long, value_delimiter = ',', requires = "origins")]
    pub expose: Vec<String>,

    /// With --origin: how long browsers may cache the preflight, in seconds.
    #[arg(long, value_name = "SECS", requires = "origins")]
    pub max_age: Option<u64>,

    /// With --origin: the path the rule covers; /api/* is everything under /api/.
    #[arg(long, default_value = "/*", requires = "origins")]
    pub path: String,

    /// Instead of a policy: run `check` with the arguments that follow (all of them: put it last) and write the smallest rule that lets that request through in every browser.
    #[arg(long, num_args = 1.., allow_hyphen_values = true, value_name = "URL [CHECK OPTIONS]")]
    pub from_check: Option<Vec<String>>,

    /// List the targets, and whether each is proven here on a real server.
    #[arg(long, exclusive = true)]
    pub list: bool,
}

#[derive(Args, Debug, Clone)]
pub struct HarArgs {
    /// The HAR file (`-` reads standard input).
    pub file: String,

    /// Judge as this browser instead of the one that recorded the file: chromium, firefox or webkit.
    #[arg(long)]
    pub browser: Option<String>,

    /// Print one JSON document (schema cors-doctor/har/v1, see docs/json-schema.md).
    #[arg(long)]
    pub json: bool,

    /// Show credential-like URL query values (token=, key=, sig=…) as recorded.
    #[arg(long)]
    pub show_secrets: bool,

    /// Write a copy safe to share to OUT (`-`: standard output) instead of a report: cookies emptied, Cookie, Set-Cookie, Authorization and token header values and credential-like query values replaced by [redacted], bodies dropped (unless --keep-bodies). Header names stay, so the copy is judged as the original.
    #[arg(long, value_name = "OUT")]
    pub redact: Option<String>,

    /// With --redact: keep request and response bodies.
    #[arg(long, requires = "redact")]
    pub keep_bodies: bool,

    /// Send each blocked request again with `check` (same origin, method and headers; loopback or your own servers only) and say whether it still fails, and why.
    #[arg(long)]
    pub replay: bool,

    #[command(flatten)]
    pub network: NetworkArgs,
}

/// `check`'s arguments as `config --from-check` takes them.
#[derive(Parser, Debug)]
#[command(name = "cors-doctor config --from-check", no_binary_name = true)]
pub struct FromCheckArgs {
    #[command(flatten)]
    pub check: CheckArgs,
}

#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    /// Where to listen (loopback only; port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: String,

    /// Open the page in the default browser.
    #[arg(long)]
    pub open: bool,
}

#[derive(Args, Debug, Clone)]
pub struct ProxyArgs {
    /// The API to forward to: its origin, and a path prefix if any (https://api.example.com/v1).
    #[arg(long, value_name = "URL")]
    pub upstream: String,

    /// Where to listen. A non-loopback address is allowed, with a warning: anyone who reaches it reaches the upstream.
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8080")]
    pub listen: String,

    /// Add the headers a blocked request needs to the upstream's answer (and say what the upstream must send).
    #[arg(long)]
    pub fix: bool,

    /// With --fix: also write the fix as this server's configuration (nginx, express, caddy, … as `config` knows them).
    #[arg(long, value_name = "SERVER", requires = "fix")]
    pub server: Option<String>,

    /// Judge traffic against a `verify` policy (cors-policy.toml): a line says where the upstream lets through what the policy forbids, or blocks what it allows. With --fix, only what the policy allows is fixed, with its rule's lists.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<String>,

    /// Judge every request as this browser (chromium, firefox, webkit) instead of by its User-Agent.
    #[arg(long, value_name = "BROWSER")]
    pub browser: Option<String>,

    /// Give up on the upstream's response head after SECS seconds (502/504 to the page, said on the line).
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    pub timeout: f64,

    /// Trust the PEM certificate(s) in FILE for an https:// upstream.
    #[arg(long, value_name = "FILE", conflicts_with = "insecure")]
    pub cacert: Option<PathBuf>,

    /// Do not verify the upstream's TLS certificate.
    #[arg(short = 'k', long)]
    pub insecure: bool,

    /// One JSON object per line (cors-doctor/proxy/v1): a `listening` line, then one per request.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug, Clone)]
pub struct LabArgs {
    /// Where to listen. Loopback only unless --allow-remote.
    #[arg(long, default_value = "127.0.0.1:8787")]
    pub listen: String,

    /// Serve HTTPS (HTTP/1.1 and HTTP/2) with a fresh self-signed certificate.
    #[arg(long)]
    pub tls: bool,

    /// Allow listening on a non-loopback address (the lab is deliberately insecure).
    #[arg(long)]
    pub allow_remote: bool,

    /// Serve an estate of N endpoints (1 to 1,000,000) with one planted CORS mistake each (for `audit`'s tests and benchmark) instead of the lab.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub estate: Option<u32>,

    /// With --estate: one endpoint in K never answers.
    #[arg(long, value_name = "K", requires = "estate")]
    pub estate_hang_every: Option<usize>,

    /// With --estate: plant only mistakes an auditor decides with its first requests (reflection, `*`).
    #[arg(long, requires = "estate")]
    pub estate_reflecting: bool,

    /// With --estate: write targets.txt, targets.ndjson, truth.json, hosts and ca.pem (with --estate-hosts) to DIR.
    #[arg(long, value_name = "DIR", requires = "estate")]
    pub estate_dir: Option<PathBuf>,

    /// With --estate: serve each endpoint on its own host name and loopback address (127.2.x.y, port 443, or 80 for the http ones; map the names with the written `hosts` file), over TLS from a test CA. Without it, one --listen address serves every endpoint under /sN/.
    #[arg(long, requires = "estate")]
    pub estate_hosts: bool,
}

#[derive(Args, Debug, Clone)]
pub struct DemoArgs {
    /// Only the endpoints whose path contains this text.
    #[arg(long)]
    pub only: Option<String>,

    /// Print only the summary table.
    #[arg(long)]
    pub summary: bool,
}
