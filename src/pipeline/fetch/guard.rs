//! Which addresses a poll may reach: the public internet only, unless the
//! source sets `allow_private = true`.
//!
//! A feed names the links bantin follows (article pages, redirects), so
//! without this a portal, or whoever controls its DNS, could make bantin
//! request the loopback admin port of the machine it runs on, or a cloud
//! metadata service on 169.254.169.254. The check is made on the addresses
//! a connection will actually use: [`PublicOnly`] is the resolver of the
//! guarded HTTP client, so a name that answers a public address to one
//! lookup and a private one to the next (DNS rebinding) is still refused.
//! Hosts written as IP addresses never reach a resolver; [`check_host`]
//! covers them, and `fetch` calls it for every redirect hop.
//!
//! It owns the classification of addresses ([`non_public`]); it never
//! decides what a failure means for the source's schedule.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

/// A host that leads only to addresses a source without `allow_private`
/// may not reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The host as the URL names it.
    pub host: String,
    /// The first refused address it resolved to (itself, for an IP).
    pub addr: IpAddr,
    /// What kind of address it is: "loopback", "private", ...
    pub class: &'static str,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let article = if self.class.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        if self.host == self.addr.to_string() {
            write!(f, "{} is {article} {} address", self.host, self.class)
        } else {
            write!(
                f,
                "{} resolves to {}, {article} {} address",
                self.host, self.addr, self.class
            )
        }
    }
}

impl std::error::Error for Refusal {}

/// The kind of a non-public address, or `None` for an address of the
/// public internet.
pub fn non_public(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => non_public_v4(v4),
        IpAddr::V6(v6) => non_public_v6(v6),
    }
}

fn non_public_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    let class = match (a, b, c) {
        _ if ip.is_unspecified() => "unspecified",
        _ if ip.is_broadcast() => "broadcast",
        // 0.0.0.0/8 is "this network": on Linux, 0.x.x.x connects to the
        // machine itself.
        (0, ..) => "unspecified",
        (127, ..) => "loopback",
        (10, ..) | (172, 16..=31, _) | (192, 168, _) => "private",
        (169, 254, _) => "link-local",
        (100, 64..=127, _) => "shared (CGNAT)",
        (192, 0, 0) => "reserved",
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => "documentation",
        (198, 18..=19, _) => "benchmarking",
        (224..=239, ..) => "multicast",
        (240..=255, ..) => "reserved",
        _ => return None,
    };
    Some(class)
}

fn non_public_v6(ip: Ipv6Addr) -> Option<&'static str> {
    // An IPv4 address in IPv6 clothing reaches what the IPv4 address
    // reaches: ::ffff:127.0.0.1 is loopback.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return non_public_v4(v4);
    }
    let segments = ip.segments();
    let embedded_v4 = |high: u16, low: u16| {
        Ipv4Addr::new((high >> 8) as u8, high as u8, (low >> 8) as u8, low as u8)
    };
    let class = match segments {
        _ if ip.is_unspecified() => "unspecified",
        _ if ip.is_loopback() => "loopback",
        // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) reach the IPv4
        // address they carry.
        [0x64, 0xff9b, 0, 0, 0, 0, high, low] => return non_public_v4(embedded_v4(high, low)),
        [0x2002, high, low, ..] => return non_public_v4(embedded_v4(high, low)),
        [s, ..] if s & 0xfe00 == 0xfc00 => "private",
        [s, ..] if s & 0xffc0 == 0xfe80 => "link-local",
        // Site-local, deprecated (RFC 3879) but still routed by some.
        [s, ..] if s & 0xffc0 == 0xfec0 => "private",
        [s, ..] if s & 0xff00 == 0xff00 => "multicast",
        [0x2001, 0x0db8, ..] => "documentation",
        // Only 2000::/3 is global unicast; the rest (IPv4-compatible
        // ::/96, discard 100::/64, ...) is not the public internet.
        [s, ..] if s & 0xe000 != 0x2000 => "reserved",
        _ => return None,
    };
    Some(class)
}

/// Refuses a URL whose host is a non-public IP address. Names pass: they
/// are checked when they are resolved (see [`PublicOnly`]).
pub fn check_host(url: &Url) -> Result<(), Refusal> {
    let ip = match url.host() {
        Some(Host::Ipv4(v4)) => IpAddr::V4(v4),
        Some(Host::Ipv6(v6)) => IpAddr::V6(v6),
        Some(Host::Domain(_)) | None => return Ok(()),
    };
    match non_public(ip) {
        Some(class) => Err(Refusal {
            host: ip.to_string(),
            addr: ip,
            class,
        }),
        None => Ok(()),
    }
}

/// Keeps the public addresses of a name, and refuses the name when it has
/// none: a host with a public and a private address is reached on the
/// public one only.
pub fn keep_public(host: &str, addrs: Vec<SocketAddr>) -> Result<Vec<SocketAddr>, Refusal> {
    let (public, refused): (Vec<SocketAddr>, Vec<SocketAddr>) = addrs
        .into_iter()
        .partition(|a| non_public(a.ip()).is_none());
    match (public.is_empty(), refused.first()) {
        (true, Some(first)) => Err(Refusal {
            host: host.to_string(),
            addr: first.ip(),
            class: non_public(first.ip()).unwrap_or("non-public"),
        }),
        _ => Ok(public),
    }
}

/// The resolver of the guarded client: the system's resolver, then
/// [`keep_public`].
#[derive(Debug, Default)]
pub struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            // Port 0: reqwest puts the URL's port in afterwards.
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public = keep_public(&host, addrs)?;
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    macro_rules! classes {
        ($($name:ident: $addr:expr => $class:expr;)*) => {$(
            #[test]
            fn $name() {
                let ip: IpAddr = $addr.parse().unwrap();
                assert_eq!(non_public(ip), $class, "{ip}");
            }
        )*};
    }

    classes! {
        v4_loopback: "127.0.0.1" => Some("loopback");
        v4_loopback_anywhere_in_127_8: "127.8.9.10" => Some("loopback");
        v4_unspecified: "0.0.0.0" => Some("unspecified");
        v4_this_network: "0.1.2.3" => Some("unspecified");
        v4_rfc1918_10: "10.0.0.5" => Some("private");
        v4_rfc1918_172_16: "172.16.0.1" => Some("private");
        v4_rfc1918_172_31: "172.31.255.255" => Some("private");
        v4_just_outside_172_16_12: "172.32.0.1" => None;
        v4_rfc1918_192_168: "192.168.1.1" => Some("private");
        v4_link_local_metadata: "169.254.169.254" => Some("link-local");
        v4_cgnat: "100.64.0.1" => Some("shared (CGNAT)");
        v4_cgnat_top: "100.127.255.254" => Some("shared (CGNAT)");
        v4_just_outside_cgnat: "100.128.0.1" => None;
        v4_ietf_protocol: "192.0.0.8" => Some("reserved");
        v4_documentation: "203.0.113.7" => Some("documentation");
        v4_benchmarking: "198.18.0.1" => Some("benchmarking");
        v4_multicast: "224.0.0.1" => Some("multicast");
        v4_class_e: "240.0.0.1" => Some("reserved");
        v4_broadcast: "255.255.255.255" => Some("broadcast");
        v4_public_portal: "14.225.0.1" => None;
        v4_public_dns: "8.8.8.8" => None;
        v6_loopback: "::1" => Some("loopback");
        v6_unspecified: "::" => Some("unspecified");
        v6_unique_local: "fd12:3456::1" => Some("private");
        v6_unique_local_fc: "fc00::1" => Some("private");
        v6_link_local: "fe80::1" => Some("link-local");
        v6_site_local: "fec0::1" => Some("private");
        v6_multicast: "ff02::1" => Some("multicast");
        v6_documentation: "2001:db8::1" => Some("documentation");
        v6_mapped_loopback: "::ffff:127.0.0.1" => Some("loopback");
        v6_mapped_private: "::ffff:10.1.2.3" => Some("private");
        v6_mapped_public: "::ffff:8.8.8.8" => None;
        v6_ipv4_compatible: "::127.0.0.1" => Some("reserved");
        v6_nat64_private: "64:ff9b::a00:1" => Some("private");
        v6_nat64_public: "64:ff9b::808:808" => None;
        v6_6to4_loopback: "2002:7f00:1::" => Some("loopback");
        v6_discard: "100::1" => Some("reserved");
        v6_public: "2001:4860:4860::8888" => None;
    }

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn ip_literal_host_is_refused_before_any_request() {
        let refusal = check_host(&url("http://127.0.0.1:8080/rss")).unwrap_err();
        assert_eq!(refusal.to_string(), "127.0.0.1 is a loopback address");
    }

    #[test]
    fn bracketed_ipv6_host_is_refused() {
        let refusal = check_host(&url("http://[::1]/rss")).unwrap_err();
        assert_eq!(refusal.class, "loopback");
    }

    #[test]
    fn redirect_hop_to_metadata_address_is_refused() {
        // What `fetch` checks for each Location before following it.
        let refusal = check_host(&url("http://169.254.169.254/latest/meta-data/")).unwrap_err();
        assert_eq!(
            refusal.to_string(),
            "169.254.169.254 is a link-local address"
        );
    }

    #[test]
    fn names_and_public_addresses_pass_the_host_check() {
        assert!(check_host(&url("https://haugiang.gov.vn/rss")).is_ok());
        assert!(check_host(&url("https://14.225.0.1/rss")).is_ok());
    }

    #[test]
    fn name_resolving_only_to_private_addresses_is_refused() {
        let addrs = vec!["10.0.0.5:0".parse().unwrap()];
        let refusal = keep_public("haugiang.gov.vn", addrs).unwrap_err();
        assert_eq!(
            refusal.to_string(),
            "haugiang.gov.vn resolves to 10.0.0.5, a private address"
        );
    }

    #[test]
    fn name_with_public_and_private_addresses_keeps_the_public_ones() {
        let addrs = vec![
            "127.0.0.1:0".parse().unwrap(),
            "14.225.0.1:0".parse().unwrap(),
        ];
        let kept = keep_public("portal.test", addrs).unwrap();
        assert_eq!(kept, vec!["14.225.0.1:0".parse::<SocketAddr>().unwrap()]);
    }

    #[test]
    fn unspecified_reads_with_an() {
        let refusal = check_host(&url("http://0.0.0.0/")).unwrap_err();
        assert_eq!(refusal.to_string(), "0.0.0.0 is an unspecified address");
    }
}
