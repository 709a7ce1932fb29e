//! Blocking HTTPS for the REST key services (Vault transit, GCP Cloud KMS, Azure Key Vault).
//!
//! `ureq` is a small synchronous client on rustls (ring), so these keys need no async
//! runtime and cost nothing at start-up: an agent is built only when a key of such a type
//! is used. Trust roots come from the system store through `rustls-native-certs`, which
//! honours `SSL_CERT_FILE`/`SSL_CERT_DIR` as Go's crypto/x509 does; a service-specific CA
//! file (e.g. `VAULT_CACERT`) replaces them, as the Go clients do. `HTTPS_PROXY`/`NO_PROXY`
//! are honoured like Go's default transport.

use std::path::{Path, PathBuf};
use std::time::Duration;
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};
use zeroize::Zeroizing;

/// Connect timeout: a wrong or unreachable address fails fast.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Whole-request timeout.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

/// How to verify the server.
#[derive(Clone, Debug, Default)]
pub struct TlsOptions {
    /// A PEM file whose certificates replace the system roots.
    pub ca_file: Option<PathBuf>,
    /// A directory of PEM files whose certificates replace the system roots.
    pub ca_dir: Option<PathBuf>,
    /// Accept any server certificate (`VAULT_SKIP_VERIFY`); never the default.
    pub skip_verify: bool,
}

/// An HTTP response whose body may hold key material, so it is zeroized on drop.
pub struct Response {
    /// The HTTP status code.
    pub status: u16,
    /// The body bytes.
    pub body: Zeroizing<Vec<u8>>,
}

impl Response {
    /// True for 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as text for error messages (lossy, trimmed, at most 500 characters).
    pub fn body_excerpt(&self) -> String {
        let text = String::from_utf8_lossy(&self.body);
        let text = text.trim();
        match text.char_indices().nth(500) {
            Some((i, _)) => format!("{}…", &text[..i]),
            None => text.to_string(),
        }
    }
}

/// A configured client; cheap to clone, reuses connections.
#[derive(Clone)]
pub struct HttpClient {
    agent: ureq::Agent,
    /// The same settings without a proxy: Go's transport never proxies loopback hosts.
    direct: ureq::Agent,
}

impl HttpClient {
    /// A client with the standard timeouts and the given TLS options.
    pub fn new(tls: &TlsOptions) -> Result<HttpClient, String> {
        HttpClient::with_timeouts(tls, CONNECT_TIMEOUT, REQUEST_TIMEOUT)
    }

    /// A client with explicit timeouts.
    pub fn with_timeouts(
        tls: &TlsOptions,
        connect: Duration,
        total: Duration,
    ) -> Result<HttpClient, String> {
        HttpClient::build(tls, connect, total, true)
    }

    /// [`HttpClient::with_timeouts`] returning 3xx answers instead of following them:
    /// ureq would turn a redirected `PUT` into a `GET` that still carries custom token
    /// headers (Vault's `X-Vault-Token`) to the new location.
    pub fn with_timeouts_no_redirects(
        tls: &TlsOptions,
        connect: Duration,
        total: Duration,
    ) -> Result<HttpClient, String> {
        HttpClient::build(tls, connect, total, false)
    }

    fn build(
        tls: &TlsOptions,
        connect: Duration,
        total: Duration,
        follow_redirects: bool,
    ) -> Result<HttpClient, String> {
        let roots = if tls.ca_file.is_some() || tls.ca_dir.is_some() {
            let mut certs = Vec::new();
            if let Some(file) = &tls.ca_file {
                certs.extend(read_pem_certs(file)?);
            }
            if let Some(dir) = &tls.ca_dir {
                let entries = std::fs::read_dir(dir)
                    .map_err(|e| format!("cannot read CA directory {}: {e}", dir.display()))?;
                for entry in entries.flatten() {
                    let path = entry.path();
                    if path.is_file() {
                        certs.extend(read_pem_certs(&path)?);
                    }
                }
            }
            if certs.is_empty() {
                return Err("the CA certificate file/directory holds no PEM certificate".into());
            }
            RootCerts::new_with_certs(&certs)
        } else {
            system_roots()
        };
        let tls_config = TlsConfig::builder()
            .root_certs(roots)
            .disable_verification(tls.skip_verify)
            .build();
        let config = |proxy: Option<ureq::Proxy>| {
            ureq::Agent::config_builder()
                .timeout_connect(Some(connect))
                .timeout_global(Some(total))
                .http_status_as_error(false)
                // 10 is ureq's default.
                .max_redirects(if follow_redirects { 10 } else { 0 })
                .user_agent(concat!("sops-rs/", env!("CARGO_PKG_VERSION")))
                .tls_config(tls_config.clone())
                .proxy(proxy)
                .build()
        };
        Ok(HttpClient {
            agent: config(ureq::Proxy::try_from_env()).into(),
            direct: config(None).into(),
        })
    }

    /// Sends one request; a non-2xx status is a normal [`Response`], transport
    /// failures (DNS, connect, TLS, timeout) are `Err` with the URL named.
    pub fn send(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Result<Response, String> {
        self.send_reading_header(method, url, headers, body, "")
            .map(|(response, _)| response)
    }

    /// [`HttpClient::send`] that also returns the value of the response header
    /// `wanted` (e.g. Key Vault's `WWW-Authenticate` challenge), if present.
    pub fn send_reading_header(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
        wanted: &str,
    ) -> Result<(Response, Option<String>), String> {
        let mut builder = ureq::http::Request::builder().method(method).uri(url);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let request = builder
            .body(body.unwrap_or_default().to_vec())
            .map_err(|e| format!("invalid request {method} {url}: {e}"))?;
        let agent = if is_loopback_url(url) {
            &self.direct
        } else {
            &self.agent
        };
        let response = agent
            .run(request)
            .map_err(|e| format!("{method} {url}: {e}"))?;
        let status = response.status().as_u16();
        let header = (!wanted.is_empty())
            .then(|| response.headers().get(wanted))
            .flatten()
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = response
            .into_body()
            .with_config()
            .limit(16 * 1024 * 1024)
            .read_to_vec()
            .map_err(|e| format!("{method} {url}: reading the response: {e}"))?;
        Ok((
            Response {
                status,
                body: Zeroizing::new(body),
            },
            header,
        ))
    }
}

/// True when the URL's host is `localhost` or a loopback address (Go's httpproxy rule).
fn is_loopback_url(url: &str) -> bool {
    let Ok(uri) = url.parse::<ureq::http::Uri>() else {
        return false;
    };
    let Some(host) = uri.host() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn system_roots() -> RootCerts {
    let found = rustls_native_certs::load_native_certs();
    let certs: Vec<Certificate<'static>> = found
        .certs
        .iter()
        .map(|c| Certificate::from_der(c.as_ref()).to_owned())
        .collect();
    if certs.is_empty() {
        // No system store (minimal containers): fall back to the bundled Mozilla roots.
        RootCerts::WebPki
    } else {
        RootCerts::new_with_certs(&certs)
    }
}

fn read_pem_certs(path: &Path) -> Result<Vec<Certificate<'static>>, String> {
    let pem = std::fs::read(path)
        .map_err(|e| format!("cannot read CA certificate {}: {e}", path.display()))?;
    let mut out = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        match item {
            Ok(PemItem::Certificate(c)) => out.push(c),
            Ok(_) => {}
            Err(e) => {
                return Err(format!(
                    "cannot parse CA certificate {}: {e}",
                    path.display()
                ));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;

    /// One-shot HTTP/1.1 server on loopback that answers `reply` and returns the request.
    fn serve_once(reply: &'static str) -> (String, std::thread::JoinHandle<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = format!("http://{}", listener.local_addr().unwrap());
        let handle = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut buf = vec![0u8; 65536];
            let mut got = Vec::new();
            loop {
                let n = s.read(&mut buf).unwrap();
                got.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&got).to_string();
                if let Some(end) = text.find("\r\n\r\n") {
                    let len = text
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap())
                        })
                        .unwrap_or(0);
                    if got.len() >= end + 4 + len {
                        break;
                    }
                }
                if n == 0 {
                    break;
                }
            }
            s.write_all(reply.as_bytes()).unwrap();
            String::from_utf8_lossy(&got).to_string()
        });
        (addr, handle)
    }

    #[test]
    fn sends_method_headers_body_and_reads_status() {
        let (addr, h) = serve_once(
            "HTTP/1.1 403 Forbidden\r\nContent-Length: 20\r\nConnection: close\r\n\r\n{\"errors\":[\"denied\"]}",
        );
        let client = HttpClient::new(&TlsOptions::default()).unwrap();
        let resp = client
            .send(
                "PUT",
                &format!("{addr}/v1/transit/encrypt/k"),
                &[("X-Vault-Token", "t0k")],
                Some(b"{\"a\":1}"),
            )
            .unwrap();
        let req = h.join().unwrap();
        assert!(
            req.starts_with("PUT /v1/transit/encrypt/k HTTP/1.1"),
            "{req}"
        );
        assert!(req.to_ascii_lowercase().contains("x-vault-token: t0k"));
        assert!(req.ends_with("{\"a\":1}"));
        assert_eq!(resp.status, 403);
        assert!(!resp.is_success());
        assert!(resp.body_excerpt().contains("denied"));
    }

    #[test]
    fn closed_port_is_a_transport_error_naming_the_url() {
        let port = {
            let l = TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let client = HttpClient::with_timeouts(
            &TlsOptions::default(),
            Duration::from_secs(2),
            Duration::from_secs(3),
        )
        .unwrap();
        let url = format!("http://127.0.0.1:{port}/x");
        let err = client.send("GET", &url, &[], None).err().unwrap();
        assert!(err.contains(&url), "{err}");
    }

    #[test]
    fn loopback_hosts_bypass_the_proxy() {
        assert!(is_loopback_url("http://127.0.0.1:8200/v1/x"));
        assert!(is_loopback_url("https://localhost/x"));
        assert!(is_loopback_url("http://[::1]:80/"));
        assert!(is_loopback_url("http://127.9.9.9/"));
        assert!(!is_loopback_url("https://cloudkms.googleapis.com/v1/x"));
        assert!(!is_loopback_url("https://10.0.0.1/"));
        assert!(!is_loopback_url("not a url"));
    }

    #[test]
    fn missing_or_empty_ca_file_is_an_error() {
        let tls = TlsOptions {
            ca_file: Some("/nonexistent/ca.pem".into()),
            ..TlsOptions::default()
        };
        assert!(
            HttpClient::new(&tls)
                .err()
                .unwrap()
                .contains("/nonexistent/ca.pem")
        );
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("ca.pem");
        std::fs::write(&empty, "not pem").unwrap();
        let tls = TlsOptions {
            ca_file: Some(empty),
            ..TlsOptions::default()
        };
        assert!(HttpClient::new(&tls).is_err());
    }
}
