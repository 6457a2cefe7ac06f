//! The errors' sentences with values, in English (also the errors' `Display`).

use super::En;
use crate::report::messages::ErrorWords;

impl ErrorWords for En {
    fn needs_server(&self, id: &str) -> String {
        format!(
            "platform `{id}` needs the server's name: add --server HOST (the host in the meeting link)"
        )
    }
    fn unknown_platform(&self, id: &str, valid: &str) -> String {
        format!("unknown platform `{id}`; valid ids: {valid}")
    }
    /// As `ProfileError`'s own `Display` words it.
    fn profile_place(
        &self,
        file: &str,
        line: usize,
        column: usize,
        field: &str,
        message: &str,
    ) -> String {
        format!("{file}:{line}:{column}: field `{field}`: {message}")
    }
    fn bad_uai(&self, uai: &str) -> String {
        format!("--uai {uai}: a UAI has 7 digits and a letter, like 0921234X")
    }
    fn bad_department(&self, text: &str) -> String {
        format!("--department {text}: two or three digits (92, 971), or 2A / 2B")
    }
    fn bad_bandwidth_url(&self, text: &str) -> String {
        format!("--bandwidth-url {text}: use ws(s)://HOST/ndt/v7/upload or http(s)://HOST/upload")
    }
    fn bad_send_url(&self, text: &str) -> String {
        format!("--send {text}: expected the collecting server's URL, like https://host/reports")
    }
    fn bad_resolver(&self, text: &str) -> String {
        format!("`{text}` is not an IP address or IP:PORT")
    }
    fn not_address_prefix(&self, text: &str) -> String {
        format!("`{text}` is not an address/prefix")
    }
    fn bad_prefix_length(&self, text: &str) -> String {
        format!("`{text}`: bad prefix length")
    }
    fn no_folder(&self, dir: &str) -> String {
        format!("the folder {dir} does not exist")
    }
    fn cannot_write_in(&self, dir: &str, why: &str) -> String {
        format!("cannot write in {dir} ({why})")
    }
    fn quoted(&self, text: &str) -> String {
        format!("`{text}`")
    }
    fn relay_not_host_or_uri(&self, it: &str) -> String {
        format!("{it} is not a host name or a turn:/turns: URI")
    }
    fn relay_bad_port(&self, port: &str) -> String {
        format!("`{port}` is not a port")
    }
    fn relay_not_host(&self, it: &str) -> String {
        format!("{it} is not a host name")
    }
    fn uri_no_scheme(&self, url: &str) -> String {
        format!("`{url}` is not a stun:, turn: or turns: URI")
    }
    fn uri_bad_port(&self, url: &str, port: &str) -> String {
        format!("`{url}`: `{port}` is not a port number")
    }
    fn uri_bad_host(&self, url: &str) -> String {
        format!("`{url}`: missing or invalid host")
    }
    fn uri_bad_transport(&self, url: &str) -> String {
        format!("`{url}`: expected `?transport=udp` or `?transport=tcp`")
    }
    fn uri_turns_over_udp(&self, url: &str) -> String {
        format!("`{url}`: turns: runs over TLS, not UDP")
    }
    fn uri_unknown_scheme(&self, url: &str, scheme: &str) -> String {
        format!("`{url}`: unknown scheme `{scheme}` (stun, turn or turns)")
    }
    fn bad_link(&self, option: &str, value: &str, why: &str) -> String {
        format!(
            "{option} `{value}` {why}: give the meeting link, e.g. {option} https://bbb.example.org/b/abc-def-ghi, or the server's name, e.g. {option} bbb.example.org"
        )
    }
    fn not_a_ca(&self, detail: &str) -> String {
        format!("not a CA certificate: {detail}")
    }
    fn dns_server_unusable(&self, server: &str, detail: &str) -> String {
        format!("cannot use the DNS server {server}: {detail}")
    }
    fn dns_system_unusable(&self, detail: &str) -> String {
        format!("cannot use the system DNS configuration: {detail}")
    }
    fn cannot_listen(&self, on: &str, addr: &str, os: &str) -> String {
        format!("cannot listen on {on}{addr}: {os}")
    }
    fn collect_cannot_create(&self, dir: &str, os: &str) -> String {
        format!("--collect {dir}: cannot create it: {os}")
    }
    fn collect_not_writable(&self, dir: &str, os: &str) -> String {
        format!("--collect {dir}: cannot write there: {os}")
    }
    fn proxy_unresolved(&self, proxy: &str) -> String {
        format!("cannot resolve the proxy {proxy}")
    }
    fn host_unresolved(&self, host: &str, os: &str) -> String {
        format!("cannot resolve {host}: {os}")
    }
    fn server_untrusted(&self, why: &str) -> String {
        format!("the server's certificate is not trusted: {why}")
    }
    fn no_answer_within(&self, secs: u64) -> String {
        format!("no answer within {secs} s")
    }
    fn server_refused(&self, status: &str, why: &str) -> String {
        format!("the server answered {status}: {why}")
    }
    fn not_a_collector(&self, status: &str) -> String {
        format!("the server answered {status}, not a preflight collecting server")
    }
    fn file_unreadable(&self, file: &str, os: &str) -> String {
        format!("{file}: cannot read: {os}")
    }
    fn file_not_utf8(&self, file: &str) -> String {
        format!("{file}: not UTF-8 text (save it as UTF-8)")
    }
    fn settings_key(&self, file: &str, key: &str, why: &str) -> String {
        format!("{file}: key `{key}`: {why}")
    }
    fn its_stun_server(&self, software: &str) -> String {
        format!("its STUN server ({software})")
    }
    fn not_echo(&self, peer: &str, server: &str) -> String {
        format!("{peer}: {server} is not preflight serve: no UDP echo there")
    }
    fn udp_port_refused(&self, peer: &str) -> String {
        format!("{peer}: nothing answers on its UDP port (ICMP port unreachable)")
    }
    fn no_stun_answer(&self, peer: &str) -> String {
        format!(
            "{peer}: no STUN answer on its UDP port: the peer is not preflight serve, or UDP to it is dropped"
        )
    }
    fn not_json(&self, why: &str) -> String {
        format!("not JSON ({why})")
    }
    fn other_schema(&self, schema: &str) -> String {
        format!("not a preflight report (schema `{schema}`)")
    }
    fn missing_field(&self, field: &str) -> String {
        format!("missing field `{field}`")
    }
    fn too_large_for_a_report(&self, mib: u64, max_mib: u64) -> String {
        format!("too large for a report ({mib} MiB; at most {max_mib} MiB)")
    }
    fn unreadable(&self, why: &str) -> String {
        format!("cannot read it ({why})")
    }
    fn folder_unreadable(&self, why: &str) -> String {
        format!("cannot read the folder ({why})")
    }
}
