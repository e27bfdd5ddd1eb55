//! The browser profiles: where Chromium, Firefox and WebKit depart from the
//! Fetch standard or from each other, as constants rather than scattered ifs.

use std::fmt;

/// A browser engine whose behaviour the engine reproduces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Browser {
    /// Chrome, Edge, Opera, Brave… (Blink + the network service).
    Chromium,
    /// Firefox (Gecko).
    Firefox,
    /// Safari and every iOS browser (WebKit).
    WebKit,
}

impl Browser {
    pub const ALL: [Browser; 3] = [Browser::Chromium, Browser::Firefox, Browser::WebKit];

    /// Stable lower-case id used on the command line and in JSON.
    pub fn id(self) -> &'static str {
        match self {
            Browser::Chromium => "chromium",
            Browser::Firefox => "firefox",
            Browser::WebKit => "webkit",
        }
    }

    /// The name users know.
    pub fn display_name(self) -> &'static str {
        match self {
            Browser::Chromium => "Chrome/Edge (Chromium)",
            Browser::Firefox => "Firefox",
            Browser::WebKit => "Safari (WebKit)",
        }
    }

    /// Parses `chromium`, `chrome`, `edge`, `firefox`, `webkit`, `safari`.
    pub fn from_id(text: &str) -> Option<Browser> {
        match text.trim().to_ascii_lowercase().as_str() {
            "chromium" | "chrome" | "edge" | "blink" => Some(Browser::Chromium),
            "firefox" | "gecko" | "ff" => Some(Browser::Firefox),
            "webkit" | "safari" => Some(Browser::WebKit),
            _ => None,
        }
    }

    /// The browser engine a `User-Agent` names (Edge and Opera are
    /// Chromium; every iOS browser, `CriOS` included, is WebKit; Chrome's
    /// string also says `Safari/`, so the order matters). `None` for a
    /// client that is no browser (curl, a server, a test runner's default).
    pub fn from_user_agent(ua: &str) -> Option<Browser> {
        if ua.contains("Firefox/") {
            Some(Browser::Firefox)
        } else if ua.contains("iPhone") || ua.contains("iPad") {
            Some(Browser::WebKit)
        } else if ua.contains("Chrome/")
            || ua.contains("Chromium/")
            || ua.contains("Edg/")
            || ua.contains("HeadlessChrome/")
        {
            Some(Browser::Chromium)
        } else if ua.contains("AppleWebKit/") {
            Some(Browser::WebKit)
        } else {
            None
        }
    }

    /// Upper bound of `Access-Control-Max-Age`, in seconds.
    pub fn max_age_cap(self) -> u64 {
        match self {
            Browser::Chromium => 7200,
            Browser::Firefox => 86400,
            Browser::WebKit => 600,
        }
    }

    /// Whether the 1024-byte total budget of safelisted header values applies.
    pub fn has_safelist_budget(self) -> bool {
        matches!(self, Browser::Chromium)
    }

    /// Whether `Access-Control-Allow-Headers: *` covers `Authorization`.
    /// The standard says no; every engine still lets it through: Firefox with
    /// a console warning, Chromium 156 with a DevTools deprecation issue only
    /// (observed by the conformance suite), WebKit silently.
    pub fn wildcard_covers_authorization(self) -> bool {
        true
    }

    /// Whether the browser enforces Local Network Access (Chromium ≥ 142).
    pub fn enforces_local_network_access(self) -> bool {
        matches!(self, Browser::Chromium)
    }
}

impl fmt::Display for Browser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// IP address spaces of Local Network Access, from most to least private.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AddressSpace {
    Loopback,
    Local,
    Public,
}

impl AddressSpace {
    /// The word Chromium prints between back-ticks.
    pub fn id(self) -> &'static str {
        match self {
            AddressSpace::Loopback => "loopback",
            AddressSpace::Local => "local",
            AddressSpace::Public => "public",
        }
    }

    pub fn from_id(text: &str) -> Option<AddressSpace> {
        match text.trim().to_ascii_lowercase().as_str() {
            "loopback" => Some(AddressSpace::Loopback),
            "local" | "private" => Some(AddressSpace::Local),
            "public" => Some(AddressSpace::Public),
            _ => None,
        }
    }

    /// The address space of an IP address (RFC 1918, link-local, ULA… are local).
    pub fn of_ip(ip: std::net::IpAddr) -> AddressSpace {
        use std::net::IpAddr;
        match ip {
            IpAddr::V4(v4) if v4.is_loopback() => AddressSpace::Loopback,
            IpAddr::V4(v4) if v4.is_private() || v4.is_link_local() || v4.is_unspecified() => {
                AddressSpace::Local
            }
            IpAddr::V4(v4) if v4.octets()[0] == 100 && (v4.octets()[1] & 0xC0) == 64 => {
                AddressSpace::Local
            }
            IpAddr::V4(_) => AddressSpace::Public,
            IpAddr::V6(v6) if v6.is_loopback() => AddressSpace::Loopback,
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => AddressSpace::of_ip(IpAddr::V4(v4)),
                None if (v6.segments()[0] & 0xfe00) == 0xfc00
                    || (v6.segments()[0] & 0xffc0) == 0xfe80 =>
                {
                    AddressSpace::Local
                }
                None => AddressSpace::Public,
            },
        }
    }

    /// `self` (the target) is more private than `from` (the initiator).
    pub fn is_more_private_than(self, from: AddressSpace) -> bool {
        self < from
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_spaces() {
        let cases = [
            ("127.0.0.1", AddressSpace::Loopback),
            ("::1", AddressSpace::Loopback),
            ("10.1.2.3", AddressSpace::Local),
            ("192.168.1.1", AddressSpace::Local),
            ("169.254.1.1", AddressSpace::Local),
            ("fd00::1", AddressSpace::Local),
            ("8.8.8.8", AddressSpace::Public),
            ("2001:db8::1", AddressSpace::Public),
        ];
        for (ip, space) in cases {
            let ip: std::net::IpAddr = ip.parse().unwrap();
            assert_eq!(AddressSpace::of_ip(ip), space, "{ip}");
        }
        assert!(AddressSpace::Loopback.is_more_private_than(AddressSpace::Public));
        assert!(!AddressSpace::Public.is_more_private_than(AddressSpace::Local));
    }

    #[test]
    fn browser_ids_round_trip() {
        for b in Browser::ALL {
            assert_eq!(Browser::from_id(b.id()), Some(b));
        }
        assert_eq!(Browser::from_id("Safari"), Some(Browser::WebKit));
        assert_eq!(Browser::from_id("opera"), None);
    }

    #[test]
    fn a_user_agent_names_its_engine() {
        let table = [
            ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36", Some(Browser::Chromium)),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", Some(Browser::Chromium)),
            ("Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0", Some(Browser::Firefox)),
            ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15", Some(Browser::WebKit)),
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1", Some(Browser::WebKit)),
            ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15 MiniBrowser/2.50", Some(Browser::WebKit)),
            ("curl/8.11.1", None),
            ("", None),
        ];
        for (ua, browser) in table {
            assert_eq!(Browser::from_user_agent(ua), browser, "{ua}");
        }
    }
}
