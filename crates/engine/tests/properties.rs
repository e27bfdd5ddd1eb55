//! Property tests: the invariants of the parsers and builders, and that no
//! input — however hostile — makes the engine panic.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on broken fixtures

use cors_engine::classify::{classify, classify_each};
use cors_engine::headers::{first_invalid_item, list_items, parse_token_list};
use cors_engine::method::is_token;
use cors_engine::recognize::Recognizer;
use cors_engine::safelist::{
    access_control_request_headers, check_safelisted, unsafe_header_names, SAFELIST_VALUE_LIMIT,
};
use cors_engine::{
    evaluate, Browser, CredentialsMode, Flow, Initiator, Mode, Origin, Request, Response,
};
use proptest::prelude::*;
use url::Url;

fn header_name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Content-Type".to_string()),
        Just("Accept".to_string()),
        Just("Accept-Language".to_string()),
        Just("Range".to_string()),
        Just("Authorization".to_string()),
        Just("Cookie".to_string()),
        Just("DPR".to_string()),
        "[A-Za-z][A-Za-z0-9-]{0,12}",
    ]
}

fn header_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("text/plain".to_string()),
        Just("application/json".to_string()),
        Just("bytes=0-100".to_string()),
        "[ -~]{0,140}",
        "\\PC{0,20}",
    ]
}

fn headers() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec((header_name(), header_value()), 0..12)
}

proptest! {
    #[test]
    fn request_headers_value_is_lowercase_sorted_unique(hs in headers()) {
        for browser in Browser::ALL {
            let names = unsafe_header_names(&hs, browser);
            let mut sorted = names.clone();
            sorted.sort();
            sorted.dedup();
            prop_assert_eq!(&names, &sorted);
            prop_assert!(names.iter().all(|n| n.to_ascii_lowercase() == *n));
            match access_control_request_headers(&hs, browser) {
                Some(v) => {
                    prop_assert!(!v.contains(' '));
                    prop_assert_eq!(v.split(',').map(str::to_string).collect::<Vec<_>>(), names);
                }
                None => prop_assert!(names.is_empty()),
            }
        }
    }

    #[test]
    fn safelisted_values_never_exceed_128_bytes(name in header_name(), value in header_value()) {
        for browser in Browser::ALL {
            if check_safelisted(&name, &value, browser).is_ok() {
                prop_assert!(value.len() <= SAFELIST_VALUE_LIMIT);
                let has_unsafe_byte = value.bytes().any(|b| b == b'"' || b == b'{' || b == 0x7f || (b < 0x20 && b != b'\t'));
                prop_assert!(!has_unsafe_byte, "{}: {:?}", name, value);
            }
        }
    }

    #[test]
    fn safelist_ignores_name_case(name in header_name(), value in header_value()) {
        for browser in Browser::ALL {
            prop_assert_eq!(
                check_safelisted(&name, &value, browser).is_ok(),
                check_safelisted(&name.to_ascii_uppercase(), &value, browser).is_ok()
            );
        }
    }

    #[test]
    fn token_list_parser_round_trips(items in prop::collection::vec("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,10}", 0..8), sep in "[ \t]{0,2},[ \t]{0,2}") {
        let joined = items.join(&sep);
        prop_assert_eq!(parse_token_list(&joined), Ok(items));
    }

    #[test]
    fn first_invalid_item_is_the_first_item_that_is_not_a_token(
        text in prop_oneof!["[A-Za-z, \t*()\"-]{0,40}", "\\PC{0,40}"],
    ) {
        prop_assert_eq!(first_invalid_item(&text), list_items(&text).find(|i| !is_token(i)));
    }

    #[test]
    fn split_lists_are_the_lists_items(
        text in prop_oneof!["[A-Za-z, \t*-]{0,60}", "\\PC{0,40}"],
    ) {
        let lines = vec![("Access-Control-Allow-Headers".to_string(), text.clone())];
        let index = cors_engine::cors_headers::CorsHeaders::of(&lines);
        let header = cors_engine::cors_headers::CorsHeader::AllowHeaders;
        if let Some((value, spans)) = index.split_list(header) {
            let split: Vec<&str> = spans.items(value).into_iter().flatten().collect();
            prop_assert_eq!(&split, &list_items(&text).collect::<Vec<_>>());
            prop_assert!(split.iter().all(|i| is_token(i)));
        }
        prop_assert_eq!(
            index.known_valid_list(header),
            first_invalid_item(&text).is_none()
        );
    }

    #[test]
    fn token_list_parser_never_panics(text in "\\PC{0,200}") {
        let _ = parse_token_list(&text);
    }

    #[test]
    fn origin_parser_never_panics(text in "\\PC{0,80}") {
        let _ = Origin::parse(&text);
    }

    #[test]
    fn recognizer_never_panics(text in "\\PC{0,300}") {
        static RECOGNIZER: std::sync::OnceLock<Recognizer> = std::sync::OnceLock::new();
        let _ = RECOGNIZER.get_or_init(Recognizer::new).recognize_line(&text);
    }

    /// Pieces of real messages, glued with noise, multi-byte characters and
    /// line breaks: every range stays inside the flattened text on char
    /// boundaries, and every line number inside the paste.
    #[test]
    fn recognition_of_any_paste_stays_in_bounds(
        parts in proptest::collection::vec(prop_oneof![
            Just("Access to fetch at '".to_string()),
            Just("' from origin '".to_string()),
            Just("' has been blocked by CORS policy: ".to_string()),
            Just("No 'Access-Control-Allow-Origin' header is present on the requested resource.".to_string()),
            Just("Response to preflight request doesn't pass access control check: ".to_string()),
            Just("XMLHttpRequest cannot load ".to_string()),
            Just(" due to access control checks.".to_string()),
            Just("Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at ".to_string()),
            Just(". (Reason: ".to_string()),
            Just("Origin 'x' is therefore not allowed access.".to_string()),
            Just(" net::ERR_FAILED 200".to_string()),
            Just("http://例え.jp/ä".to_string()),
            Just("\n".to_string()),
            Just("`".to_string()),
            "\\PC{0,12}",
        ], 0..24),
    ) {
        let paste: String = parts.concat();
        let lines = paste.split('\n').count();
        static RECOGNIZER: std::sync::OnceLock<Recognizer> = std::sync::OnceLock::new();
        let found = RECOGNIZER.get_or_init(Recognizer::new).recognize(&paste);
        for m in &found.messages {
            prop_assert!(found.text.get(m.start..m.end).is_some());
            prop_assert!((1..=lines).contains(&m.line));
        }
        for n in &found.network {
            prop_assert!((1..=lines).contains(&n.line));
        }
    }

    #[test]
    fn evaluation_never_panics_and_always_ends(
        hs in headers(),
        method in prop_oneof![Just("GET".to_string()), Just("PUT".to_string()), Just("patch".to_string()), Just("TRACE".to_string()), "[A-Za-z]{1,8}"],
        response_headers in prop::collection::vec((
            prop_oneof![
                Just("Access-Control-Allow-Origin".to_string()),
                Just("Access-Control-Allow-Methods".to_string()),
                Just("Access-Control-Allow-Headers".to_string()),
                Just("Access-Control-Allow-Credentials".to_string()),
                Just("Access-Control-Max-Age".to_string()),
                Just("Location".to_string()),
                Just("Vary".to_string()),
            ],
            prop_oneof![Just("*".to_string()), Just("https://app.example.com".to_string()), Just("null".to_string()), "[ -~]{0,40}"],
        ), 0..8),
        status in prop_oneof![Just(200u16), Just(204), Just(302), Just(404), 100u16..600],
        include in any::<bool>(),
        xhr in any::<bool>(),
        no_cors in any::<bool>(),
    ) {
        let mut request = Request::new(Url::parse("https://app.example.com/").unwrap(), Url::parse("https://api.example.com/x").unwrap());
        request.method = method;
        request.headers = hs;
        if include { request.credentials = CredentialsMode::Include; }
        if xhr { request.initiator = Initiator::XmlHttpRequest; }
        if no_cors { request.mode = Mode::NoCors; }
        let response = Response::new(status, response_headers);
        let outcome = evaluate(&request, &Browser::ALL, |_| Ok(response.clone()));
        prop_assert_eq!(outcome.browsers.len(), 3);
        for b in &outcome.browsers {
            // A blocked verdict always carries the finding that explains it.
            if b.verdict == cors_engine::Verdict::Blocked {
                prop_assert!(b.blocking().is_some());
            }
            prop_assert!(b.steps.len() <= 2 * cors_engine::flow_redirect_limit() + 4);
            prop_assert!(b.steps.iter().all(|i| *i < outcome.exchanges.len()));
        }
    }

    #[test]
    fn a_shared_classification_is_each_browsers_own(
        hs in headers(),
        no_cors in any::<bool>(),
        method in prop_oneof![Just("GET".to_string()), Just("put".to_string()), "[A-Za-z]{1,8}"],
    ) {
        let mut request = Request::new(Url::parse("https://app.example.com/").unwrap(), Url::parse("https://api.example.com/x").unwrap());
        request.headers = hs;
        request.method = method;
        if no_cors { request.mode = Mode::NoCors; }
        let shared: Vec<_> = classify_each(&request, &Browser::ALL).collect();
        prop_assert_eq!(shared.len(), Browser::ALL.len());
        for (browser, class) in Browser::ALL.iter().zip(&shared) {
            prop_assert_eq!(&**class, &classify(&request, *browser));
        }
    }

    #[test]
    fn next_request_is_compares_the_key_without_building(
        hs in headers(),
        method in prop_oneof![Just("GET".to_string()), Just("POST".to_string()), Just("put".to_string())],
        include in any::<bool>(),
    ) {
        let mut request = Request::new(Url::parse("https://app.example.com/").unwrap(), Url::parse("https://api.example.com/x").unwrap());
        request.headers = hs;
        request.method = method;
        if include { request.credentials = CredentialsMode::Include; }
        let flows: Vec<Flow> = Browser::ALL.iter().map(|b| Flow::start(&request, *b)).collect();
        for a in &flows {
            for b in &flows {
                if let (Some(pa), Some(pb)) = (a.next_request(), b.next_request()) {
                    prop_assert!(a.next_request_is(&pa));
                    prop_assert_eq!(a.next_request_is(&pb), pa.key() == pb.key());
                }
            }
        }
    }
}
