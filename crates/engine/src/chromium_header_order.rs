//! The order in which Chromium hands a fetch's request headers to the network
//! service, i.e. blink's `HTTPHeaderMap` iteration order.
//!
//! When a preflight does not allow several request headers, Chromium's console
//! names only one: "Request header field X is not allowed by
//! Access-Control-Allow-Headers in preflight response." The network service
//! (`CorsUnsafeNotForbiddenRequestHeaderNames`) walks
//! `network::ResourceRequest::headers` in order — non-safelisted names first,
//! then, only when the 1024-byte safelist budget is exceeded, the safelisted
//! ones, each group in that order — and reports the first one the preflight
//! does not allow. Those headers were copied from blink's `HTTPHeaderMap`, a
//! WTF `HashMap<AtomicString, AtomicString, CaseFoldingHashTraits>`, so their
//! order is the hash table's slot order: neither script order nor alphabetical.
//! The same order is visible on the wire, between `Content-Length` and the
//! headers the network stack appends (`Accept`, `Origin`, `Referer`, ...).
//!
//! What is reproduced here (read from recent Chromium main: blink
//! `wtf/text/case_folding_hash.h`, `wtf/text/string_hasher.h`,
//! `wtf/hash_table.h`, `wtf/hash_traits.h`, `third_party/rapidhash`; the
//! recordings decide where those could have drifted by Chromium 156):
//!
//! * Hash: `CaseFoldingHash` — `rapidhash` (Chromium's fork of rapidhash v1,
//!   default seed and secrets) over the name case-folded and widened to UTF-16
//!   little-endian (`CaseFoldingHashReader`; a 1-unit name reads just that
//!   unit), then `StringHasher::MaskTop8Bits`: keep the low 24 bits, and use
//!   `0x800000` if that is 0.
//! * Table (`wtf/hash_table.h`): power-of-two size, first allocation 8
//!   slots; after an insertion, if `count * 2 >= size`, rehash into twice the
//!   size, re-inserting the old slots in slot order. Probing is triangular:
//!   start at `hash & mask`, then step 1, 2, 3, ... slots. Iteration walks
//!   the slots from 0 up. Copies of the map copy the slots verbatim.
//! * Insertion order: fetch's header list is kept sorted by lower-cased name,
//!   and blink copies it into the map in that order; blink then adds
//!   `User-Agent` itself, after the script's headers.
//!
//! Checked against every recorded Chromium 156 request with script headers in
//! `conformance/results/chromium.json` (wire order, 168 requests) and every
//! console message naming a disallowed header (38, including the dedicated
//! `header-order-*` recordings): all agree. The tests keep the distinct cases.
//!
//! Caller contract: pass the names blink puts in the map for a fetch() — the
//! script's header names that survive the forbidden-name filter (lower-cased,
//! as fetch stores them) and `content-type` when blink adds it for a body the
//! script did not type. Do not pass `Accept`, `Accept-Language`, `Origin` or
//! `Referer` unless the script set them: the network stack appends those
//! later. `User-Agent` is added here. For XMLHttpRequest blink inserts in
//! `setRequestHeader` order instead; no multi-header XHR recording exists, so
//! the fetch order is used (it only differs when two names collide).

use std::cmp::Ordering;

const RAPID_SEED: u64 = 0xbdd8_9aa9_8270_4029;
const RAPID_SECRET: [u64; 3] = [
    0x2d35_8dcc_aa6c_78a5,
    0x8bb8_4b93_962e_acc9,
    0x4b33_a62e_d433_d4a3,
];
/// `KeyTraits::kMinimumTableSize` (non-ASan builds).
const MIN_TABLE_SIZE: usize = 8;
/// `HashTable::kMaxLoad`: grow once the table is half full.
const MAX_LOAD: usize = 2;
/// The key blink adds to every fetch's header map after the script's headers.
const USER_AGENT: &str = "User-Agent";

fn mul128(a: u64, b: u64) -> (u64, u64) {
    let r = u128::from(a) * u128::from(b);
    (r as u64, (r >> 64) as u64)
}

fn mix(a: u64, b: u64) -> u64 {
    let (lo, hi) = mul128(a, b);
    lo ^ hi
}

fn read32(p: &[u8], at: usize) -> u64 {
    p.get(at..at + 4)
        .and_then(|s| <[u8; 4]>::try_from(s).ok())
        .map_or(0, |b| u64::from(u32::from_le_bytes(b)))
}

fn read64(p: &[u8], at: usize) -> u64 {
    p.get(at..at + 8)
        .and_then(|s| <[u8; 8]>::try_from(s).ok())
        .map_or(0, u64::from_le_bytes)
}

/// `rapidhash_internal` with `CaseFoldingHashReader` semantics; `p` is the
/// folded UTF-16LE byte string (so its length is always even).
fn rapidhash(p: &[u8]) -> u64 {
    let len = p.len();
    let n = len as u64;
    let mut seed = RAPID_SEED ^ mix(RAPID_SEED ^ RAPID_SECRET[0], RAPID_SECRET[1]) ^ n;
    let (mut a, mut b);
    if len <= 16 {
        if len >= 4 {
            let last = len - 4;
            let delta = (len & 24) >> (len >> 3);
            a = (read32(p, 0) << 32) | read32(p, last);
            b = (read32(p, delta) << 32) | read32(p, last - delta);
        } else if len > 0 {
            // CaseFoldingHashReader::ReadSmall: the single UTF-16 unit.
            a = p
                .iter()
                .take(2)
                .rev()
                .fold(0, |acc, &x| (acc << 8) | u64::from(x));
            b = 0;
        } else {
            (a, b) = (0, 0);
        }
    } else {
        let (mut i, mut o) = (len, 0);
        if i > 48 {
            let (mut see1, mut see2) = (seed, seed);
            while i >= 48 {
                seed = mix(read64(p, o) ^ RAPID_SECRET[0], read64(p, o + 8) ^ seed);
                see1 = mix(
                    read64(p, o + 16) ^ RAPID_SECRET[1],
                    read64(p, o + 24) ^ see1,
                );
                see2 = mix(
                    read64(p, o + 32) ^ RAPID_SECRET[2],
                    read64(p, o + 40) ^ see2,
                );
                o += 48;
                i -= 48;
            }
            seed ^= see1 ^ see2;
        }
        if i > 16 {
            seed = mix(
                read64(p, o) ^ RAPID_SECRET[2],
                read64(p, o + 8) ^ seed ^ RAPID_SECRET[1],
            );
            if i > 32 {
                seed = mix(
                    read64(p, o + 16) ^ RAPID_SECRET[2],
                    read64(p, o + 24) ^ seed,
                );
            }
        }
        a = read64(p, o + i - 16);
        b = read64(p, o + i - 8);
    }
    (a, b) = mul128(a ^ RAPID_SECRET[1], b ^ seed);
    mix(a ^ RAPID_SECRET[0] ^ n, b ^ RAPID_SECRET[1])
}

/// `CaseFoldingHash::GetHash` for a header name. Header names are ASCII
/// tokens; any other character is hashed unfolded (blink would apply Unicode
/// case folding, which fetch never gets to see in a valid name).
fn case_folding_hash(name: &str) -> u32 {
    let bytes: Vec<u8> = name
        .encode_utf16()
        .map(|u| u8::try_from(u).map_or(u, |c| u16::from(c.to_ascii_lowercase())))
        .flat_map(u16::to_le_bytes)
        .collect();
    let masked = (rapidhash(&bytes) & 0x00ff_ffff) as u32;
    if masked == 0 {
        0x0080_0000
    } else {
        masked
    }
}

/// Insert into an open-addressing table unless an equal key is present
/// (`None` stands for `User-Agent`).
fn place<'a>(
    slots: &mut [Option<(u32, Option<&'a str>)>],
    hash: u32,
    entry: Option<&'a str>,
) -> bool {
    let name = entry.unwrap_or(USER_AGENT);
    let mask = slots.len().wrapping_sub(1);
    let mut i = hash as usize & mask;
    for probe in 1..=slots.len() {
        match slots.get_mut(i) {
            Some(slot @ None) => {
                *slot = Some((hash, entry));
                return true;
            }
            Some(Some((_, k))) if k.unwrap_or(USER_AGENT).eq_ignore_ascii_case(name) => {
                return false
            }
            _ => i = (i + probe) & mask,
        }
    }
    false
}

fn cmp_lowercase(a: &str, b: &str) -> Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

/// The map's iteration order; `None` is the `User-Agent` entry blink adds.
/// A caller-supplied `user-agent` takes that entry's place; duplicate names
/// (ASCII case-insensitively) are kept once, at their first occurrence.
fn iteration_order<'a>(names: &[&'a str]) -> Vec<Option<&'a str>> {
    let user_agent = names
        .iter()
        .copied()
        .find(|n| n.eq_ignore_ascii_case(USER_AGENT));
    let mut inserts: Vec<&'a str> = names
        .iter()
        .copied()
        .filter(|n| !n.eq_ignore_ascii_case(USER_AGENT))
        .collect();
    // Stable, so the first of several equal names is the one kept.
    inserts.sort_by(|a, b| cmp_lowercase(a, b));

    let mut slots: Vec<Option<(u32, Option<&'a str>)>> = vec![None; MIN_TABLE_SIZE];
    let mut count = 0;
    let entries = inserts.into_iter().map(Some).chain([user_agent]);
    for entry in entries {
        let key = entry.unwrap_or(USER_AGENT);
        if !place(&mut slots, case_folding_hash(key), entry) {
            continue;
        }
        count += 1;
        if count * MAX_LOAD >= slots.len() {
            let grown = vec![None; slots.len() * 2];
            let old = std::mem::replace(&mut slots, grown);
            for (hash, entry) in old.into_iter().flatten() {
                place(&mut slots, hash, entry);
            }
        }
    }
    slots
        .into_iter()
        .flatten()
        .map(|(_, entry)| entry)
        .collect()
}

/// The map's iteration order including the `User-Agent` entry blink adds
/// (spelled `User-Agent` unless the caller passed its own `user-agent`):
/// this is the block a recorded request shows on the wire.
#[cfg(test)]
pub(crate) fn blink_header_map_order_with_user_agent<'a>(names: &[&'a str]) -> Vec<&'a str> {
    iteration_order(names)
        .into_iter()
        .map(|e| e.unwrap_or(USER_AGENT))
        .collect()
}

/// The order in which Chromium 156 iterates (and sends, and CORS-checks) the
/// given request header names of a fetch(); see the module documentation for
/// what to pass. Only the caller's names are returned.
pub(crate) fn blink_header_map_order<'a>(names: &[&'a str]) -> Vec<&'a str> {
    iteration_order(names).into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const UA: &str = "User-Agent";

    #[test]
    fn hashes_match_the_reference_prototype() {
        for (name, hash) in [
            ("user-agent", 0xc2_1178),
            ("User-Agent", 0xc2_1178),
            ("x-foo", 0xfb_d9ed),
            ("x-a", 0x3c_604d),
            ("content-type", 0x7c_d99b),
            ("accept-language", 0x52_0828),
            ("upgrade-insecure-requests", 0x31_8f2a),
            ("a", 0x64_635e),
            ("", 0xeb_c84b),
        ] {
            assert_eq!(case_folding_hash(name), hash, "{name}");
        }
    }

    fn words(s: &str) -> Vec<&str> {
        s.split_whitespace().collect()
    }

    /// Rows of `scenario id | columns...`, columns being space-separated names.
    fn rows(table: &str) -> impl Iterator<Item = Vec<&str>> {
        table
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.split('|').map(str::trim).collect())
    }

    /// Recorded wire order (the block blink's map produced) of Chromium 156
    /// requests, `UA` standing for `User-Agent`. Columns: id | the map's
    /// names in script order, then `Content-Type` when blink added it for the
    /// body | recorded order.
    const WIRE: &str = "
        trigger-header-custom | x-foo | UA x-foo
        trigger-dup-accept-language | accept-language | accept-language UA
        trigger-dup-x-foo-and-x-bar | x-foo x-bar | UA x-bar x-foo
        trigger-dup-accept-and-x-foo | accept x-foo | UA accept x-foo
        trigger-headers-sorted | x-b x-a content-type | UA content-type x-a x-b
        preflight-status-200-cors | x-foo Content-Type | UA Content-Type x-foo
        auth-acah-star | authorization Content-Type | UA Content-Type authorization
        trigger-budget-standard-only | content-type accept accept-language content-language \
            | accept-language accept content-language content-type UA
        trigger-budget-1025-allow-all-named | content-type accept accept-language \
            content-language dpr device-memory viewport-width save-data width hoge \
            | viewport-width width accept-language device-memory hoge dpr save-data UA \
            accept content-language content-type
        trigger-budget-1025-only-safelisted | content-type accept accept-language \
            content-language dpr device-memory viewport-width save-data width \
            | viewport-width width accept-language device-memory dpr save-data UA \
            accept content-language content-type
        trigger-budget-1025-reordered | width save-data viewport-width device-memory dpr \
            content-language accept-language accept content-type \
            | viewport-width width accept-language device-memory dpr save-data UA \
            accept content-language content-type
    ";

    #[test]
    fn reproduces_recorded_wire_orders() {
        for row in rows(WIRE) {
            let [id, names, wire] = row[..] else {
                panic!("bad row {row:?}")
            };
            let names = words(names);
            let wire: Vec<&str> = words(wire)
                .into_iter()
                .map(|n| if n == "UA" { UA } else { n })
                .collect();
            assert_eq!(blink_header_map_order_with_user_agent(&names), wire, "{id}");
            let without: Vec<&str> = wire.iter().copied().filter(|n| *n != UA).collect();
            assert_eq!(blink_header_map_order(&names), without, "{id}");
        }
    }

    /// Recorded console messages naming the first header, in map order, that
    /// the preflight did not allow (all non-safelisted). Columns: id | script
    /// names (+ `Content-Type` added for a body) | names the preflight allowed
    /// | the name in the message.
    const CONSOLE: &str = "
        header-order-two-ab | x-a x-b | | x-a
        header-order-two-ba | x-b x-a | | x-a
        header-order-mixed-case | x-b x-a | | x-a
        header-order-three-zam | x-zeta x-alpha x-mid | | x-zeta
        header-order-three-maz | x-mid x-alpha x-zeta | | x-zeta
        header-order-three-alpha-allowed | x-zeta x-alpha x-mid | x-alpha | x-zeta
        header-order-five-reverse | x-e x-d x-c x-b x-a | | x-d
        header-order-four-words | x-foo x-bar x-baz x-qux | | x-qux
        header-order-authorization-xfoo | authorization x-foo | | authorization
        header-order-xfoo-authorization | x-foo authorization | | authorization
        header-order-json-xfoo | content-type x-foo | | content-type
        header-order-json-xfoo-xfoo-allowed | content-type x-foo | x-foo | content-type
        header-order-cache-control-pragma | pragma cache-control | | pragma
        acah-two-headers-one-missing | x-foo x-bar Content-Type | x-foo | x-bar
    ";

    #[test]
    fn names_the_recorded_disallowed_header() {
        for row in rows(CONSOLE) {
            let [id, names, allowed, named] = row[..] else {
                panic!("bad row {row:?}")
            };
            // Content-Type with a body of text is safelisted, so never named.
            let allowed = words(allowed);
            let first = blink_header_map_order(&words(names))
                .into_iter()
                .filter(|n| *n != "Content-Type")
                .find(|n| !allowed.iter().any(|a| a.eq_ignore_ascii_case(n)));
            assert_eq!(first, Some(named), "{id}");
        }
    }

    #[test]
    fn duplicates_and_caller_user_agent_are_kept_once() {
        assert_eq!(blink_header_map_order(&["X-Foo", "x-foo"]), ["X-Foo"]);
        assert_eq!(
            blink_header_map_order(&["user-agent", "x-foo"]),
            ["user-agent", "x-foo"]
        );
        assert_eq!(blink_header_map_order(&[]), Vec::<&str>::new());
        let many: Vec<String> = (0..100).map(|i| format!("x-h{i}")).collect();
        let refs: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(blink_header_map_order(&refs).len(), 100);
    }
}
