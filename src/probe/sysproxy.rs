//! The proxy settings of the operating system, where browsers read them. On Windows (the
//! teachers' PCs), Chrome and Edge use the "Internet Settings" of the user, often pushed by the
//! school's group policy: a fixed proxy (`ProxyEnable` + `ProxyServer`) or a PAC address
//! (`AutoConfigURL`). They are read with `reg query`, so nothing here needs Windows to build;
//! elsewhere there are none (the environment and WPAD cover Linux and macOS setups).

/// What the system says a browser should use.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SystemProxy {
    /// `host:port` of a fixed proxy for HTTPS, when enabled.
    pub server: Option<String>,
    /// The PAC file's URL.
    pub pac_url: Option<String>,
}

/// Parse the output of
/// `reg query "HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings"`.
pub fn parse_reg_query(out: &str) -> SystemProxy {
    let mut enabled = false;
    let mut server = None;
    let mut pac = None;
    for line in out.lines() {
        let mut parts = line.split_whitespace();
        let (Some(name), Some(kind)) = (parts.next(), parts.next()) else {
            continue;
        };
        let value = parts.collect::<Vec<_>>().join(" ");
        match (name, kind) {
            ("ProxyEnable", "REG_DWORD") => {
                enabled = u32::from_str_radix(value.trim_start_matches("0x"), 16).unwrap_or(0) != 0
            }
            ("ProxyServer", "REG_SZ") => server = https_entry(&value),
            ("AutoConfigURL", "REG_SZ") if !value.is_empty() => pac = Some(value),
            _ => {}
        }
    }
    SystemProxy {
        server: server.filter(|_| enabled),
        pac_url: pac,
    }
}

/// `proxy:3128`, or per scheme `http=proxy:3128;https=proxy:3129`: the one HTTPS goes through.
fn https_entry(v: &str) -> Option<String> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    let pick = if v.contains('=') {
        let entries: Vec<(&str, &str)> = v
            .split(';')
            .filter_map(|e| e.split_once('='))
            .map(|(k, v)| (k.trim(), v.trim()))
            .collect();
        entries
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("https"))
            .or_else(|| entries.iter().find(|(k, _)| k.eq_ignore_ascii_case("http")))
            .map(|(_, v)| *v)?
    } else {
        v
    };
    let hp = pick
        .trim_start_matches("http://")
        .trim_start_matches("https://")
        .trim_end_matches('/');
    Some(if hp.contains(':') {
        hp.to_string()
    } else {
        format!("{hp}:80")
    })
}

/// The system's proxy settings (Windows); none elsewhere.
pub fn system_proxy() -> SystemProxy {
    #[cfg(windows)]
    {
        let out = std::process::Command::new("reg")
            .args([
                "query",
                r"HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings",
            ])
            .output();
        match out {
            Ok(o) if o.status.success() => parse_reg_query(&String::from_utf8_lossy(&o.stdout)),
            _ => SystemProxy::default(),
        }
    }
    #[cfg(not(windows))]
    {
        SystemProxy::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GPO: &str = r"
HKEY_CURRENT_USER\Software\Microsoft\Windows\CurrentVersion\Internet Settings
    CertificateRevocation    REG_DWORD    0x1
    ProxyEnable    REG_DWORD    0x1
    ProxyServer    REG_SZ    http=amon.etab.lan:3128;https=amon.etab.lan:3128;ftp=amon.etab.lan:3128
    ProxyOverride    REG_SZ    *.etab.lan;<local>
    AutoConfigURL    REG_SZ    http://amon.etab.lan/proxy.pac
";

    #[test]
    fn group_policy_settings() {
        let s = parse_reg_query(GPO);
        assert_eq!(s.server.as_deref(), Some("amon.etab.lan:3128"));
        assert_eq!(s.pac_url.as_deref(), Some("http://amon.etab.lan/proxy.pac"));
    }

    #[test]
    fn disabled_proxy_is_ignored() {
        let s = parse_reg_query(
            "    ProxyEnable    REG_DWORD    0x0\n    ProxyServer    REG_SZ    p:8080\n",
        );
        assert_eq!(s, SystemProxy::default());
    }

    #[test]
    fn single_proxy_and_default_port() {
        assert_eq!(
            https_entry("10.0.0.1:8080").as_deref(),
            Some("10.0.0.1:8080")
        );
        assert_eq!(https_entry("http=proxy").as_deref(), Some("proxy:80"));
        assert_eq!(https_entry(""), None);
    }
}
