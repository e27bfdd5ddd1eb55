//! HTTP methods as the Fetch standard treats them: normalisation by the
//! `fetch()`/XHR APIs, the CORS-safelisted methods and the forbidden ones.

/// The bytes of an HTTP `token` (RFC 9110 `tchar`).
pub fn is_token(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(is_tchar)
}

/// One byte of a `token`.
pub fn is_tchar(b: u8) -> bool {
    TCHAR[b as usize]
}

/// `tchar` as a table: list validation looks up every byte of every list.
const TCHAR: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        table[i] = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'!' | b'#'
                    | b'$'
                    | b'%'
                    | b'&'
                    | b'\''
                    | b'*'
                    | b'+'
                    | b'-'
                    | b'.'
                    | b'^'
                    | b'_'
                    | b'`'
                    | b'|'
                    | b'~'
            );
        i += 1;
    }
    table
};

/// What `fetch()` and `XMLHttpRequest.open()` do to the method the script
/// wrote: the six well-known methods are upper-cased, every other method keeps
/// its case (so `patch` is sent as `patch`).
pub fn normalize(method: &str) -> String {
    const NORMALIZED: [&str; 6] = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];
    NORMALIZED
        .iter()
        .find(|known| known.eq_ignore_ascii_case(method))
        .map(|known| (*known).to_string())
        .unwrap_or_else(|| method.to_string())
}

/// `GET`, `HEAD` and `POST`, byte for byte (after normalisation).
pub fn is_cors_safelisted(method: &str) -> bool {
    matches!(method, "GET" | "HEAD" | "POST")
}

/// `CONNECT`, `TRACE`, `TRACK` in any case: script cannot use them at all.
pub fn is_forbidden(method: &str) -> bool {
    ["CONNECT", "TRACE", "TRACK"]
        .iter()
        .any(|m| m.eq_ignore_ascii_case(method))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_table() {
        for (input, expected) in [
            ("get", "GET"),
            ("Get", "GET"),
            ("put", "PUT"),
            ("delete", "DELETE"),
            ("options", "OPTIONS"),
            ("patch", "patch"),
            ("PATCH", "PATCH"),
            ("Patch", "Patch"),
            ("FOOBAR", "FOOBAR"),
        ] {
            assert_eq!(normalize(input), expected, "{input}");
        }
    }

    #[test]
    fn forbidden_methods_f1_29() {
        for m in ["CONNECT", "connect", "CoNnEcT", "TRACE", "TRACK"] {
            assert!(is_forbidden(m), "{m}");
        }
        for m in ["C0NNECT", "trac", "tracz"] {
            assert!(!is_forbidden(m), "{m}");
        }
    }

    #[test]
    fn safelisted_after_normalisation_f1_28() {
        assert!(!is_cors_safelisted("OPTIONS"));
        assert!(is_cors_safelisted(&normalize("get")));
        assert!(is_cors_safelisted(&normalize("Get")));
        assert!(!is_cors_safelisted("patch"));
    }
}
