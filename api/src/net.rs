//! Where the service may call out to (a seller's webhook): the public internet only. Never
//! loopback, private networks, link-local (where cloud metadata services live), carrier-grade
//! NAT, multicast, or addresses reserved for documentation and benchmarks, in IPv4 or IPv6
//! (IPv4-mapped, NAT64 and 6to4 addresses are judged by the IPv4 address inside).
//!
//! [`is_public`] judges an address (the service checks the one it actually connects to);
//! [`host`] judges the host part of a URL before anything is resolved, for the field rule a
//! seller sees when saving an invoice.

use crate::Rule;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// True when `ip` is an address of the public internet.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    let blocked = a == 0 // "this network"
        || a == 10 // private
        || a == 127 // loopback
        || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT (and Alibaba's metadata)
        || (a == 169 && b == 254) // link-local: AWS, GCP, Azure metadata
        || (a == 172 && (16..32).contains(&b)) // private
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 192 && b == 0 && c == 2) // documentation
        || (a == 192 && b == 88 && c == 99) // 6to4 relay anycast
        || (a == 192 && b == 168) // private
        || (a == 198 && (18..20).contains(&b)) // benchmarking
        || (a == 198 && b == 51 && c == 100) // documentation
        || (a == 203 && b == 0 && c == 113) // documentation
        || a >= 224; // multicast, reserved, broadcast
    !blocked
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    // An IPv4 address in IPv6 clothing is judged as IPv4.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    if s[0] == 0x0064 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
        // NAT64 (64:ff9b::/96)
        return is_public_v4(Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8));
    }
    if s[0] == 0x2002 {
        // 6to4 (2002::/16): the IPv4 address follows the prefix.
        return is_public_v4(Ipv4Addr::new((s[1] >> 8) as u8, s[1] as u8, (s[2] >> 8) as u8, s[2] as u8));
    }
    let blocked = ip.is_unspecified()
        || ip.is_loopback()
        || s[0..6] == [0, 0, 0, 0, 0, 0] // IPv4-compatible (deprecated)
        || (s[0] & 0xfe00) == 0xfc00 // unique local (fd00:ec2::254 is AWS's metadata)
        || (s[0] & 0xffc0) == 0xfe80 // link-local
        || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
        || (s[0] & 0xff00) == 0xff00 // multicast
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        || (s[0] == 0x0100 && s[1..4] == [0, 0, 0]) // discard-only
        || (s[0] == 0x2001 && s[1] < 0x0200) // IETF protocol assignments (Teredo, benchmarking…)
        || (s[0] & 0xe000) != 0x2000; // outside global unicast 2000::/3
    !blocked
}

/// Host names that name this machine or a cloud's internal services, whatever DNS says.
const INTERNAL_NAMES: &[&str] = &["localhost", "metadata", "metadata.google.internal", "instance-data"];
/// Suffixes of names that never reach the public internet.
const INTERNAL_SUFFIXES: &[&str] =
    &[".localhost", ".local", ".internal", ".localdomain", ".home.arpa", ".intranet", ".lan", ".corp"];

/// Checks the host of a URL (a name or an IP literal, IPv6 with or without brackets).
pub fn host(host: &str) -> Result<(), Rule> {
    let bare = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return if is_public(ip) { Ok(()) } else { Err(Rule::PublicAddress) };
    }
    let name = bare.trim_end_matches('.').to_ascii_lowercase();
    if INTERNAL_NAMES.contains(&name.as_str()) || INTERNAL_SUFFIXES.iter().any(|s| name.ends_with(s)) {
        return Err(Rule::InternalName);
    }
    // The last label of a real name is never all digits (nor a hex number like 0x7f).
    let last = name.rsplit('.').next().unwrap_or("");
    let numeric = last.bytes().all(|b| b.is_ascii_digit())
        || (last.starts_with("0x") && last[2..].bytes().all(|b| b.is_ascii_hexdigit()));
    if numeric {
        return Err(Rule::NumericHost);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "127.8.9.10",
            "10.0.0.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.100.100.200",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "192.0.2.7",
            "198.18.0.1",
            "::1",
            "::",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a00:1",
            "2002:c0a8:0101::1",
            "fd00:ec2::254",
            "fc00::1",
            "fe80::1",
            "ff02::1",
            "2001:db8::1",
            "::127.0.0.1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn public_addresses_are() {
        for ip in [
            "1.1.1.1",
            "8.8.8.8",
            "93.184.216.34",
            "172.32.0.1",
            "100.128.0.1",
            "2606:4700:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn hosts() {
        for ok in ["example.com", "shop.example.com.", "8.8.8.8", "[2606:4700:4700::1111]", "a1.b2"] {
            assert_eq!(host(ok), Ok(()), "{ok}");
        }
        for (bad, rule) in [
            ("localhost", Rule::InternalName),
            ("LOCALHOST.", Rule::InternalName),
            ("api.localhost", Rule::InternalName),
            ("metadata.google.internal", Rule::InternalName),
            ("printer.local", Rule::InternalName),
            ("127.0.0.1", Rule::PublicAddress),
            ("[::1]", Rule::PublicAddress),
            ("[::ffff:10.0.0.1]", Rule::PublicAddress),
            ("169.254.169.254", Rule::PublicAddress),
            ("2130706433", Rule::NumericHost),
            ("0x7f.1", Rule::NumericHost),
            ("127.1", Rule::NumericHost),
        ] {
            assert_eq!(host(bad), Err(rule), "{bad}");
        }
    }
}
