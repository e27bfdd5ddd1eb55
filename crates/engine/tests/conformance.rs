//! The engine against real browsers: every scenario recorded by the
//! conformance runner (`conformance/results/*.json`, real headless Chromium
//! and Firefox, and WebKitGTK's MiniBrowser for WebKit) is replayed through the engine with the same server answers
//! (`conformance/scenarios/*.json`). The verdict, every console line and the
//! preflight's CORS headers must equal what the browser did, unless
//! `conformance/known-divergences.json` lists the difference with a reason.
//!
//! Re-record the browsers with `node conformance/run.mjs` (see
//! conformance/README.md); this test needs no browser.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)] // a test harness

use cors_engine::cache::PreflightCache;
use cors_engine::request::RedirectMode;
use cors_engine::{
    evaluate_cached, webkit_network_description, AddressSpace, Answer, BodyFailure, Browser,
    CredentialsMode, Initiator, Mode, Request, RequestPurpose, Response, Verdict,
};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use url::Url;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../conformance")
}

fn read(path: &Path) -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
    .unwrap()
}

fn substitute(text: &str, ports: &Value) -> String {
    let mut out = text.to_string();
    for key in ["P1", "P2", "P3"] {
        if let Some(port) = ports[key].as_u64() {
            out = out.replace(&format!("{{{key}}}"), &port.to_string());
        }
    }
    out
}

fn pairs(value: &Value, ports: &Value) -> Vec<(String, String)> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .map(|p| {
                    (
                        substitute(p[0].as_str().unwrap_or(""), ports),
                        substitute(p[1].as_str().unwrap_or(""), ports),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The scenario definitions, by id.
fn scenarios() -> BTreeMap<String, Value> {
    let mut all = BTreeMap::new();
    let mut files: Vec<_> = std::fs::read_dir(root().join("scenarios"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    for path in files
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
    {
        for s in read(&path).as_array().cloned().unwrap_or_default() {
            all.insert(s["id"].as_str().unwrap().to_string(), s);
        }
    }
    all
}

struct Replay {
    request: Request,
    routes: Vec<(String, Url, Answer)>,
    closed_ports: Vec<u16>,
}

fn address_space(spaces: &Value, port: Option<u16>, ports: &Value) -> AddressSpace {
    for key in ["P1", "P2", "P3"] {
        if ports[key].as_u64().map(|p| p as u16) == port {
            if let Some(space) = spaces[key].as_str().and_then(AddressSpace::from_id) {
                return space;
            }
        }
    }
    AddressSpace::Loopback
}

fn replay(scenario: &Value, ports: &Value, browser: Browser) -> Option<Replay> {
    let r = &scenario["request"];
    let page = Url::parse(&format!(
        "{}/",
        substitute(scenario["page"].as_str()?, ports)
    ))
    .ok()?;
    let url = Url::parse(&substitute(r["url"].as_str()?, ports)).ok()?;
    let mut request = Request::new(page.clone(), url.clone());
    request.method = r["method"].as_str().unwrap_or("GET").to_string();
    request.headers = pairs(&r["headers"], ports);
    if r["body"].is_string()
        && !request
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
    {
        request
            .headers
            .push(("Content-Type".into(), "text/plain;charset=UTF-8".into()));
    }
    request.credentials = match r["credentials"].as_str() {
        Some("include") => CredentialsMode::Include,
        Some("omit") => CredentialsMode::Omit,
        _ => CredentialsMode::SameOrigin,
    };
    request.mode = match r["mode"].as_str() {
        Some("no-cors") => Mode::NoCors,
        Some("same-origin") => Mode::SameOrigin,
        _ => Mode::Cors,
    };
    request.initiator = if r["api"] == "xhr" {
        Initiator::XmlHttpRequest
    } else {
        Initiator::Fetch
    };
    request.force_preflight = r["xhrUploadListener"].as_bool().unwrap_or(false);
    if let Some(mode) = r["init"]["redirect"]
        .as_str()
        .and_then(RedirectMode::from_id)
    {
        request.redirect = mode;
    }
    request.declared_target_address_space = r["init"]["targetAddressSpace"]
        .as_str()
        .and_then(AddressSpace::from_id);
    if browser == Browser::Chromium {
        let spaces = &scenario["chromiumAddressSpaces"];
        if spaces.is_object() {
            request.initiator_address_space = Some(address_space(spaces, page.port(), ports));
            request.target_address_space = Some(address_space(spaces, url.port(), ports));
        }
    }
    let routes = scenario["routes"]
        .as_array()?
        .iter()
        .filter_map(|route| {
            let url = Url::parse(&substitute(route["url"].as_str()?, ports)).ok()?;
            let status = route["status"].as_u64()? as u16;
            let mut response = Response::new(status, pairs(&route["headers"], ports));
            // The harness's faults (conformance/lib/servers.mjs).
            let broken = |net_error: &str| {
                Err((
                    net_error.to_string(),
                    webkit_network_description(net_error).to_string(),
                ))
            };
            let answer = match route["fault"].as_str() {
                Some("reset") => broken("ERR_CONNECTION_RESET"),
                Some("close") => broken("ERR_EMPTY_RESPONSE"),
                Some("short-body") => {
                    response.body_failure = Some(BodyFailure::ContentLengthMismatch);
                    Ok(response)
                }
                // Browsers take the header lines that arrived before the close.
                Some("cut-headers") => Ok(response),
                Some("cut-chunked") => {
                    response.body_failure = Some(BodyFailure::IncompleteChunked);
                    Ok(response)
                }
                _ => Ok(response),
            };
            Some((route["method"].as_str()?.to_string(), url, answer))
        })
        .collect();
    let closed_ports = scenario["closedPorts"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|k| ports[k.as_str()?].as_u64())
                .map(|p| p as u16)
                .collect()
        })
        .unwrap_or_default();
    Some(Replay {
        request,
        routes,
        closed_ports,
    })
}

fn respond(routes: &[(String, Url, Answer)], method: &str, url: &Url) -> Answer {
    routes
        .iter()
        .find(|(m, u, _)| (m == "*" || m == method) && u.as_str() == url.as_str())
        .map(|(_, _, r)| r.clone())
        .unwrap_or(Ok(Response::new(
            404,
            vec![("Content-Type".into(), "text/plain".into())],
        )))
}

/// The browser's console lines that the engine is expected to produce.
fn observed_console(observation: &Value) -> Vec<String> {
    observation["console"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|c| c["text"].as_str().map(str::to_string))
                // Firefox's third-party cookie notices are not about CORS.
                .filter(|text| !text.starts_with("Cookie “"))
                .collect()
        })
        .unwrap_or_default()
}

/// The engine's console lines that the recording can see. WebKit's
/// "Failed to load resource: …" line comes from the Web Inspector's console
/// agent (it is shown in Safari's console when the inspector is open) and is
/// never handed to the page console that MiniBrowser writes to stdout, so a
/// WebKit recording cannot contain it.
fn comparable_console(browser: Browser, lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .filter(|line| !(browser == Browser::WebKit && line.starts_with("Failed to load resource")))
        .cloned()
        .collect()
}

/// Whether the recorded console lines are the engine's. Firefox logs a
/// security warning (a data: redirect, a blocked load) and its CORS error
/// from different places, and their order in the console is not stable from
/// run to run (conformance: redirect-to-data-url recorded both ways): when
/// both kinds are present, their order is not compared.
fn same_console(browser: Browser, seen: &[String], ours: &[String]) -> bool {
    if seen == ours {
        return true;
    }
    let cors = |line: &String| line.starts_with("Cross-Origin Request");
    let mixed = seen.iter().any(cors) && !seen.iter().all(cors);
    if browser != Browser::Firefox || !mixed {
        return false;
    }
    let (mut a, mut b) = (seen.to_vec(), ours.to_vec());
    a.sort();
    b.sort();
    a == b
}

fn observed_preflight(observation: &Value) -> Option<BTreeMap<String, String>> {
    let entry = observation["serverLog"]
        .as_array()?
        .iter()
        .find(|e| e["method"] == "OPTIONS")?;
    let mut headers = BTreeMap::new();
    for pair in entry["rawHeaders"].as_array()? {
        let name = pair[0].as_str()?.to_ascii_lowercase();
        if matches!(
            name.as_str(),
            "origin" | "access-control-request-method" | "access-control-request-headers"
        ) {
            headers.insert(name, pair[1].as_str()?.to_string());
        }
    }
    Some(headers)
}

#[derive(Default)]
struct Tally {
    scenarios: usize,
    observations: usize,
    verdicts: usize,
    consoles: usize,
    preflights: usize,
    divergences_listed: usize,
    /// Requests beyond the first of each scenario (repeats).
    extra_requests: usize,
    failures: Vec<String>,
}

#[test]
fn engine_agrees_with_recorded_browsers() {
    let defs = scenarios();
    let known = read(&root().join("known-divergences.json"));
    let known: Vec<(String, String, String)> = known["divergences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["browser"].as_str().unwrap().to_string(),
                d["scenario"].as_str().unwrap().to_string(),
                d["aspect"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut summary = Vec::new();
    let mut all_failures = Vec::new();
    for (file, browser) in [
        ("chromium.json", Browser::Chromium),
        ("firefox.json", Browser::Firefox),
        ("webkit.json", Browser::WebKit),
    ] {
        // CI re-records the browsers into another directory (see .ci/run).
        let dir = std::env::var_os("CORS_CONFORMANCE_RESULTS")
            .map(PathBuf::from)
            .unwrap_or_else(|| root().join("results"));
        let results = read(&dir.join(file));
        let mut tally = Tally::default();
        for recorded in results["scenarios"].as_array().unwrap() {
            let id = recorded["id"].as_str().unwrap();
            let Some(def) = defs.get(id) else {
                tally
                    .failures
                    .push(format!("{id}: recorded but no scenario definition"));
                continue;
            };
            let ports = &recorded["ports"];
            let observations = recorded["observations"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            if observations.is_empty() {
                continue;
            }
            let Some(Replay {
                request,
                routes,
                closed_ports,
            }) = replay(def, ports, browser)
            else {
                tally
                    .failures
                    .push(format!("{id}: cannot build the request"));
                continue;
            };
            tally.scenarios += 1;
            tally.extra_requests += observations.len() - 1;
            // A page repeating the request: the browser's preflight cache carries over.
            let mut cache = PreflightCache::new();
            for (index, observation) in observations.iter().enumerate() {
                let outcome =
                    evaluate_cached(&request, &[browser], &mut cache, index as u64, |p| {
                        if p.url
                            .port()
                            .is_some_and(|port| closed_ports.contains(&port))
                        {
                            Err((
                                "ERR_CONNECTION_REFUSED".to_string(),
                                "Could not connect to the server.".to_string(),
                            ))
                        } else {
                            respond(&routes, &p.method, &p.url)
                        }
                    });
                let ours = &outcome.browsers[0];
                let listed = |aspect: &str| {
                    known
                        .iter()
                        .any(|(b, s, a)| b == browser.id() && s == id && a == aspect)
                };
                let check = |aspect: &str, agree: bool, detail: String, tally: &mut Tally| {
                    if agree {
                        if aspect == "verdict" {
                            tally.observations += 1;
                        }
                        match aspect {
                            "verdict" => tally.verdicts += 1,
                            "console" => tally.consoles += 1,
                            _ => tally.preflights += 1,
                        }
                    } else if listed(aspect) {
                        tally.divergences_listed += 1;
                    } else {
                        tally.failures.push(format!(
                            "{browser} {id}{} [{aspect}]: {detail}",
                            if index > 0 {
                                format!(" (request {})", index + 1)
                            } else {
                                String::new()
                            }
                        ));
                    }
                };
                // Verdict.
                let observed_ok = observation["outcome"] == "response";
                let observed_opaque = observation["type"] == "opaque";
                let ours_ok = matches!(ours.verdict, Verdict::Allowed | Verdict::Opaque);
                let agree = observed_ok == ours_ok
                    && (!observed_ok || observed_opaque == (ours.verdict == Verdict::Opaque));
                check(
                    "verdict",
                    agree,
                    format!(
                        "browser {} ({}), engine {:?}",
                        observation["outcome"], observation["error"], ours.verdict
                    ),
                    &mut tally,
                );
                // Console.
                let seen = observed_console(observation);
                let ours_console = comparable_console(browser, &ours.console);
                check(
                    "console",
                    same_console(browser, &seen, &ours_console),
                    format!("\n    browser: {seen:#?}\n    engine:  {ours_console:#?}"),
                    &mut tally,
                );
                // Preflight request headers.
                let our_preflight = outcome
                    .steps_of(browser)
                    .into_iter()
                    .find(|e| {
                        // A refused connection never reaches the server's log;
                        // a reset or closed one does.
                        let reached = e
                            .response
                            .as_ref()
                            .map_or_else(|(net, _)| net != "ERR_CONNECTION_REFUSED", |_| true);
                        e.request.purpose == RequestPurpose::Preflight && reached
                    })
                    .map(|e| {
                        e.request
                            .headers
                            .iter()
                            .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
                            .collect::<BTreeMap<_, _>>()
                    });
                let seen_preflight = observed_preflight(observation);
                check(
                    "preflight",
                    our_preflight == seen_preflight,
                    format!("browser {seen_preflight:?}, engine {our_preflight:?}"),
                    &mut tally,
                );
            }
        }
        summary.push(format!(
            "{} {}: {} scenarios, {n} requests; agreement: verdict {}/{n}, console {}/{n}, preflight {}/{n}; {} listed divergences; {} unexplained",
            browser,
            results["version"].as_str().unwrap_or("?"),
            tally.scenarios,
            tally.verdicts,
            tally.consoles,
            tally.preflights,
            tally.divergences_listed,
            tally.failures.len(),
            n = tally.scenarios + tally.extra_requests,
        ));
        all_failures.extend(tally.failures);
    }
    println!("{}", summary.join("\n"));
    assert!(
        all_failures.is_empty(),
        "{}\n\n{} disagreement(s):\n{}",
        summary.join("\n"),
        all_failures.len(),
        all_failures.join("\n")
    );
}

/// The requests each browser really sent (the recording's server log) with
/// the scenario's responses, fed to the observed-traffic entry point, must
/// reach the live flow's verdict and console lines. Left out, and counted:
/// what the wire does not tell (`credentials: include` without cookies, the
/// mode over http,
/// XMLHttpRequest against fetch, other initiators, Local Network Access,
/// refused connections, requests never sent, repeats served by a cache).
#[test]
fn recorded_traffic_reaches_the_live_verdicts() {
    use cors_engine::{evaluate, evaluate_observed, LiveJudgement, LivePairing, ObservedExchange};
    let defs = scenarios();
    // Where the live flow is known to differ from the browser, the
    // recording may well be the one that is right.
    let listed: Vec<(String, String)> = read(&root().join("known-divergences.json"))["divergences"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| !d["aspect"].as_str().unwrap_or("").starts_with("check-"))
        .map(|d| {
            (
                d["browser"].as_str().unwrap().to_string(),
                d["scenario"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let dir = std::env::var_os("CORS_CONFORMANCE_RESULTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("results"));
    let mut failures = Vec::new();
    for (file, browser) in [
        ("chromium.json", Browser::Chromium),
        ("firefox.json", Browser::Firefox),
        ("webkit.json", Browser::WebKit),
    ] {
        let results = read(&dir.join(file));
        let (mut compared, mut left_out) = (0, 0);
        let (mut compared_live, mut left_out_live) = (0, 0);
        for recorded in results["scenarios"].as_array().unwrap() {
            let id = recorded["id"].as_str().unwrap();
            let Some(def) = defs.get(id) else { continue };
            let ports = &recorded["ports"];
            let r = &def["request"];
            let observation = &recorded["observations"][0];
            let log = observation["serverLog"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let expressible = r["api"].as_str().unwrap_or("fetch") == "fetch"
                && r["credentials"] != "include"
                // Sec-Fetch-Mode is sent to secure URLs only: over http the
                // wire does not tell no-cors from cors.
                && r["mode"].as_str().unwrap_or("cors") == "cors"
                && !def["chromiumAddressSpaces"].is_object()
                && !def["closedPorts"].is_array()
                // A broken connection: the wire shows the browser's retries,
                // which a HAR or a proxy shows as one failed entry.
                && !def["routes"]
                    .as_array()
                    .is_some_and(|routes| routes.iter().any(|r| r["fault"].is_string()))
                && r["init"].is_null()
                && !log.is_empty();
            let Some(Replay {
                request, routes, ..
            }) = replay(def, ports, browser)
            else {
                continue;
            };
            if !expressible || listed.contains(&(browser.id().to_string(), id.to_string())) {
                left_out += 1;
                continue;
            }
            let exchanges: Vec<ObservedExchange> = log
                .iter()
                .filter_map(|entry| {
                    let url = Url::parse(entry["url"].as_str()?).ok()?;
                    let method = entry["method"].as_str()?.to_string();
                    let request_headers = entry["rawHeaders"]
                        .as_array()?
                        .iter()
                        .filter_map(|p| {
                            Some((p[0].as_str()?.to_string(), p[1].as_str()?.to_string()))
                        })
                        .collect();
                    Some(ObservedExchange {
                        response: respond(&routes, &method, &url),
                        method,
                        url,
                        request_headers,
                        from_cache: false,
                    })
                })
                .collect();
            let live = evaluate(&request, &[browser], |p| {
                respond(&routes, &p.method, &p.url)
            });
            let live = &live.browsers[0];
            let fetches = evaluate_observed(browser, &exchanges, Some(&request.page_url));
            let Some(fetch) = fetches.first() else {
                // Same-origin requests send no Origin: nothing cross-origin to judge.
                if request.origin.same_origin_as_url(&request.url) {
                    left_out += 1;
                } else {
                    failures.push(format!(
                        "{browser} {id}: no fetch found in {} requests",
                        exchanges.len()
                    ));
                }
                continue;
            };
            compared += 1;
            if fetch.outcome.verdict != live.verdict || fetch.outcome.console != live.console {
                failures.push(format!(
                    "{browser} {id}: observed {:?} {:#?}\n    live {:?} {:#?}",
                    fetch.outcome.verdict, fetch.outcome.console, live.verdict, live.console
                ));
            }
            // The same traffic as a proxy sees it, one exchange at a time
            // (a redirect's next hop is judged as its own fetch there).
            if fetch.hops.is_empty() {
                let mut pairing = LivePairing::new();
                let first = exchanges.iter().find_map(|e| {
                    match pairing.observe(browser, e.clone(), Some(&request.page_url)) {
                        LiveJudgement::Fetch(f) => Some(f),
                        _ => None,
                    }
                });
                match first {
                    // A redirect the browser followed: judged hop by hop.
                    Some(f) if f.unrecorded_hop.is_some() => left_out_live += 1,
                    Some(f)
                        if f.outcome.verdict == live.verdict
                            && f.outcome.console == live.console =>
                    {
                        compared_live += 1
                    }
                    other => failures.push(format!(
                        "{browser} {id}: live pairing {:?}\n    live {:?} {:#?}",
                        other.map(|f| (f.outcome.verdict, f.outcome.console)),
                        live.verdict,
                        live.console
                    )),
                }
            }
        }
        println!("{browser}: observed traffic of {compared} scenarios agrees with the live flow ({compared_live} also judged one exchange at a time, as a proxy does, and {left_out_live} redirects judged hop by hop there); {left_out} left out (not told by the wire)");
        assert!(
            compared_live >= 140,
            "{browser}: only {compared_live} scenarios compared one exchange at a time"
        );
        assert!(
            compared >= 150,
            "{browser}: only {compared} scenarios compared"
        );
    }
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
