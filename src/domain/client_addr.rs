//! Who a request came from. Behind a reverse proxy every connection comes from the
//! proxy, so the client's address is read from `Forwarded` (RFC 7239) or
//! `X-Forwarded-For`, but only when the connecting peer is a proxy the operator
//! trusts, and then the rightmost hop that is not itself a trusted proxy (hops
//! further left were written by the client and can be forged).
use std::net::IpAddr;
use std::str::FromStr;

use ipnet::IpNet;

/// The proxies whose forwarding headers are believed (`trusted_proxies`).
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parses addresses and networks such as `127.0.0.1`, `10.0.0.0/8`, `::1`.
    pub fn parse(entries: &[String]) -> Result<Self, String> {
        entries
            .iter()
            .map(|e| {
                let e = e.trim();
                IpNet::from_str(e)
                    .or_else(|_| IpAddr::from_str(e).map(IpNet::from))
                    .map_err(|_| e.to_string())
            })
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedProxies)
    }

    pub fn contains(&self, addr: IpAddr) -> bool {
        let addr = canonical(addr);
        self.0.iter().any(|net| net.contains(&addr))
    }

    /// The client's address: the peer itself unless it is a trusted proxy; else the
    /// rightmost forwarded hop that is not a trusted proxy (all trusted: the
    /// leftmost). A header that cannot be read is ignored.
    pub fn client(
        &self,
        peer: IpAddr,
        forwarded: Option<&str>,
        x_forwarded_for: Option<&str>,
    ) -> IpAddr {
        let peer = canonical(peer);
        if !self.contains(peer) {
            return peer;
        }
        let hops = forwarded
            .and_then(forwarded_for)
            .or_else(|| x_forwarded_for.and_then(|h| list(h.split(','))));
        let Some(hops) = hops else {
            return peer;
        };
        hops.iter()
            .rev()
            .find(|hop| !self.contains(**hop))
            .or(hops.first())
            .copied()
            .unwrap_or(peer)
    }
}

/// The addresses of a list of hops; None if any cannot be read (a forged or broken
/// header then counts for nothing).
fn list<'a>(hops: impl Iterator<Item = &'a str>) -> Option<Vec<IpAddr>> {
    let hops: Option<Vec<IpAddr>> = hops.map(|h| parse_hop(h.trim())).collect();
    hops.filter(|h| !h.is_empty())
}

/// The `for=` parameters of a `Forwarded` header, in order.
fn forwarded_for(header: &str) -> Option<Vec<IpAddr>> {
    let fors = header.split(',').filter_map(|element| {
        element.split(';').find_map(|pair| {
            let (key, value) = pair.trim().split_once('=')?;
            key.trim()
                .eq_ignore_ascii_case("for")
                .then_some(value.trim())
        })
    });
    list(fors)
}

/// One hop: `203.0.113.7`, `"[2001:db8::1]:443"`, `198.51.100.2:8080`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim_matches('"');
    if let Some(rest) = hop.strip_prefix('[') {
        return IpAddr::from_str(rest.split(']').next()?)
            .ok()
            .map(canonical);
    }
    if let Ok(ip) = IpAddr::from_str(hop) {
        return Some(canonical(ip));
    }
    // IPv4 with a port.
    let (host, port) = hop.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    IpAddr::from_str(host).ok().filter(IpAddr::is_ipv4)
}

/// An IPv4 address written as IPv6 (`::ffff:a.b.c.d`) is the IPv4 address.
fn canonical(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(addr, IpAddr::V4),
        v4 => v4,
    }
}

/// What per-address limits count by: an IPv4 address, or an IPv6 client's /64 (one
/// household or host gets a whole /64, so counting single addresses would let it
/// rotate through billions).
pub fn limit_key(addr: IpAddr) -> IpAddr {
    match canonical(addr) {
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(bits.into())
        }
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn proxies(list: &[&str]) -> TrustedProxies {
        TrustedProxies::parse(&list.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn headers_count_only_from_a_trusted_peer() {
        let none = TrustedProxies::default();
        assert_eq!(
            none.client(ip("127.0.0.1"), None, Some("203.0.113.9")),
            ip("127.0.0.1")
        );
        let local = proxies(&["127.0.0.1"]);
        assert_eq!(
            local.client(ip("198.51.100.4"), None, Some("203.0.113.9")),
            ip("198.51.100.4")
        );
        assert_eq!(
            local.client(ip("127.0.0.1"), None, Some("203.0.113.9")),
            ip("203.0.113.9")
        );
        assert_eq!(local.client(ip("127.0.0.1"), None, None), ip("127.0.0.1"));
    }

    #[test]
    fn the_rightmost_untrusted_hop_is_the_client() {
        let p = proxies(&["10.0.0.0/8", "127.0.0.1"]);
        // The client forged the first hop; the proxies appended the real one.
        let xff = "1.2.3.4, 203.0.113.9, 10.1.2.3";
        assert_eq!(
            p.client(ip("127.0.0.1"), None, Some(xff)),
            ip("203.0.113.9")
        );
        assert_eq!(
            p.client(ip("127.0.0.1"), None, Some("10.0.0.5, 10.0.0.6")),
            ip("10.0.0.5")
        );
        assert_eq!(
            p.client(ip("127.0.0.1"), None, Some("junk, 10.0.0.6")),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn forwarded_is_read_before_x_forwarded_for() {
        let p = proxies(&["127.0.0.1"]);
        let fwd = r#"for=192.0.2.60;proto=https, For="[2001:db8:cafe::17]:4711""#;
        assert_eq!(
            p.client(ip("127.0.0.1"), Some(fwd), Some("203.0.113.9")),
            ip("2001:db8:cafe::17")
        );
        assert_eq!(
            p.client(ip("127.0.0.1"), Some("for=198.51.100.2:8080"), None),
            ip("198.51.100.2")
        );
        assert_eq!(
            p.client(ip("::ffff:127.0.0.1"), None, Some("::ffff:203.0.113.9")),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn ipv6_clients_are_limited_per_64() {
        assert_eq!(limit_key(ip("2001:db8:1:2:aaaa::1")), ip("2001:db8:1:2::"));
        assert_eq!(
            limit_key(ip("2001:db8:1:2:ffff:ffff:ffff:ffff")),
            ip("2001:db8:1:2::")
        );
        assert_eq!(limit_key(ip("203.0.113.9")), ip("203.0.113.9"));
    }

    #[test]
    fn bad_entries_are_named() {
        assert_eq!(
            TrustedProxies::parse(&["10.0.0.0/8".into(), "nginx".into()]).unwrap_err(),
            "nginx"
        );
    }
}
