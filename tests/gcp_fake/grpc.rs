//! A fake gRPC Cloud KMS for the real sops, reached through a loopback CONNECT proxy.
//!
//! sops 3.11 has no Cloud KMS endpoint override: it dials `cloudkms.googleapis.com:443`
//! over gRPC. grpc-go honours `HTTPS_PROXY` (it sends `CONNECT cloudkms.googleapis.com:443`
//! without resolving the name) and Go trusts `SSL_CERT_FILE`, so this "proxy" on
//! 127.0.0.1 answers the CONNECT itself — it never opens a connection anywhere —,
//! terminates TLS with a test certificate for that name (signed by the test CA in
//! `tests/data/gcp/`), and serves `google.cloud.kms.v1.KeyManagementService/Encrypt` and
//! `/Decrypt` over HTTP/2 with the same key names, tokens and ciphertext scheme as the
//! REST fake, so a file written through one decrypts through the other.

use super::{FakeGcp, STATIC_TOKEN};
use bytes::Bytes;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

const CERT: &[u8] = include_bytes!("../data/gcp/cloudkms-cert.pem");
const KEY: &[u8] = include_bytes!("../data/gcp/cloudkms-key.pem");
/// Where the real sops must find the test CA (`SSL_CERT_FILE`).
pub const CA_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/gcp/test-ca.pem");
const SERVICE: &str = "/google.cloud.kms.v1.KeyManagementService/";

/// The proxy + gRPC server; stopped when dropped.
pub struct FakeGrpcKms {
    /// `http://127.0.0.1:<port>` for `HTTPS_PROXY`.
    pub proxy_url: String,
    addr: String,
    log: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FakeGrpcKms {
    /// Serves the crypto keys `keys`; accepts [`STATIC_TOKEN`] only.
    pub fn start(keys: &[&str]) -> FakeGrpcKms {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr").to_string();
        let keys = Arc::new(keys.iter().map(|k| k.to_string()).collect::<Vec<_>>());
        let log = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (k, l, s) = (keys.clone(), log.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = conn {
                    let (k, l) = (k.clone(), l.clone());
                    std::thread::spawn(move || {
                        if let Err(e) = serve_connection(stream, &k, &l) {
                            push(&l, format!("problem: {e}"));
                        }
                    });
                }
            }
        });
        FakeGrpcKms {
            proxy_url: format!("http://{addr}"),
            addr,
            log,
            stop,
            thread: Some(thread),
        }
    }

    /// `"<Method> <resource id>"` per served call and `"problem: …"` per protocol error.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Fails the test if any request broke the protocol.
    #[track_caller]
    pub fn assert_clean(&self) {
        let problems: Vec<String> = self
            .log()
            .into_iter()
            .filter(|l| l.starts_with("problem"))
            .collect();
        assert!(problems.is_empty(), "the fake gRPC KMS saw: {problems:#?}");
    }
}

impl Drop for FakeGrpcKms {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(&self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn push(log: &Mutex<Vec<String>>, entry: String) {
    log.lock().unwrap_or_else(|e| e.into_inner()).push(entry);
}

/// Reads the CONNECT request, accepts only Cloud KMS, then serves TLS + HTTP/2 on the tunnel.
fn serve_connection(
    mut stream: TcpStream,
    keys: &Arc<Vec<String>>,
    log: &Arc<Mutex<Vec<String>>>,
) -> Result<(), String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return Ok(()),
        }
        if head.len() > 8192 {
            return Err("CONNECT head too long".into());
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    if !head.starts_with("CONNECT cloudkms.googleapis.com:443 ") {
        // Never a real proxy: anything but Cloud KMS is refused, nothing is forwarded.
        let _ = stream.write_all(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
        return Err(format!(
            "unexpected proxy request {:?}",
            head.lines().next()
        ));
    }
    stream
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .map_err(|e| e.to_string())?;
    stream.set_nonblocking(true).map_err(|e| e.to_string())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .map_err(|e| e.to_string())?;
    let (keys, log) = (keys.clone(), log.clone());
    runtime.block_on(async move {
        let tcp = tokio::net::TcpStream::from_std(stream).map_err(|e| e.to_string())?;
        let tls = tokio_rustls::TlsAcceptor::from(Arc::new(tls_config()?))
            .accept(tcp)
            .await
            .map_err(|e| format!("TLS: {e}"))?;
        let mut conn = h2::server::handshake(tls)
            .await
            .map_err(|e| format!("HTTP/2: {e}"))?;
        while let Some(next) = conn.accept().await {
            let Ok((request, respond)) = next else {
                break;
            };
            let (keys, log) = (keys.clone(), log.clone());
            tokio::spawn(async move {
                if let Err(e) = handle(request, respond, &keys, &log).await {
                    push(&log, format!("problem: {e}"));
                }
            });
        }
        Ok::<(), String>(())
    })
}

fn tls_config() -> Result<rustls::ServerConfig, String> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs = CertificateDer::pem_slice_iter(CERT)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    let key = PrivateKeyDer::from_pem_slice(KEY).map_err(|e| e.to_string())?;
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| e.to_string())?
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .map_err(|e| e.to_string())?;
    // grpc-go insists on ALPN h2.
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(config)
}

async fn handle(
    request: http::Request<h2::RecvStream>,
    mut respond: h2::server::SendResponse<Bytes>,
    keys: &[String],
    log: &Mutex<Vec<String>>,
) -> Result<(), String> {
    let (parts, mut body) = request.into_parts();
    let mut data = Vec::new();
    while let Some(chunk) = body.data().await {
        let chunk = chunk.map_err(|e| e.to_string())?;
        let _ = body.flow_control().release_capacity(chunk.len());
        data.extend_from_slice(&chunk);
    }
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let method = parts
        .uri
        .path()
        .strip_prefix(SERVICE)
        .unwrap_or("")
        .to_string();
    if !header("content-type").starts_with("application/grpc") {
        return Err(format!("content-type {:?}", header("content-type")));
    }
    let reply = if header("authorization") != format!("Bearer {STATIC_TOKEN}") {
        Err((
            16,
            "Request had invalid authentication credentials.".to_string(),
        ))
    } else {
        let message = unframe(&data)?;
        let fields = parse_fields(message)?;
        let field = |n: u64| {
            fields
                .iter()
                .find(|(k, _)| *k == n)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let name = String::from_utf8(field(1)).map_err(|e| e.to_string())?;
        push(log, format!("{method} {name}"));
        if !keys.contains(&name) {
            Err((5, format!("CryptoKey {name} not found.")))
        } else {
            match method.as_str() {
                "Encrypt" => {
                    let plaintext = field(2);
                    if plaintext.len() != 32 && plaintext.len() != 33 {
                        return Err(format!("plaintext of {} bytes", plaintext.len()));
                    }
                    let mut out =
                        message_field(1, format!("{name}/cryptoKeyVersions/1").as_bytes());
                    out.extend(message_field(2, &FakeGcp::ciphertext(&name, &plaintext)));
                    Ok(out)
                }
                "Decrypt" => {
                    let prefix = format!("fake:{name}:").into_bytes();
                    match field(2).strip_prefix(prefix.as_slice()) {
                        Some(body) => {
                            let plain: Vec<u8> = body.iter().map(|b| b ^ 0xA5).collect();
                            Ok(message_field(1, &plain))
                        }
                        None => Err((3, "Decryption failed: the ciphertext is invalid.".into())),
                    }
                }
                other => return Err(format!("unknown method {other:?}")),
            }
        }
    };
    let response = http::Response::builder()
        .status(200)
        .header("content-type", "application/grpc")
        .body(())
        .map_err(|e| e.to_string())?;
    let mut send = respond
        .send_response(response, false)
        .map_err(|e| e.to_string())?;
    let mut trailers = http::HeaderMap::new();
    match reply {
        Ok(message) => {
            let mut framed = vec![0u8];
            framed.extend_from_slice(&(message.len() as u32).to_be_bytes());
            framed.extend(message);
            send.send_data(Bytes::from(framed), false)
                .map_err(|e| e.to_string())?;
            trailers.insert("grpc-status", http::HeaderValue::from_static("0"));
        }
        Err((code, text)) => {
            trailers.insert(
                "grpc-status",
                http::HeaderValue::from_str(&code.to_string()).map_err(|e| e.to_string())?,
            );
            trailers.insert(
                "grpc-message",
                http::HeaderValue::from_str(&text.replace(' ', "%20"))
                    .map_err(|e| e.to_string())?,
            );
        }
    }
    send.send_trailers(trailers).map_err(|e| e.to_string())
}

/// The one uncompressed message of a gRPC request body.
fn unframe(data: &[u8]) -> Result<&[u8], String> {
    match data {
        [0, a, b, c, d, rest @ ..]
            if u32::from_be_bytes([*a, *b, *c, *d]) as usize == rest.len() =>
        {
            Ok(rest)
        }
        _ => Err(format!(
            "not one uncompressed gRPC message ({} bytes)",
            data.len()
        )),
    }
}

/// Length-delimited fields of a protobuf message (others skipped).
fn parse_fields(mut msg: &[u8]) -> Result<Vec<(u64, Vec<u8>)>, String> {
    let mut out = Vec::new();
    while !msg.is_empty() {
        let tag = varint(&mut msg)?;
        match tag & 7 {
            0 => {
                varint(&mut msg)?;
            }
            2 => {
                let len = varint(&mut msg)? as usize;
                if msg.len() < len {
                    return Err("truncated field".into());
                }
                out.push((tag >> 3, msg[..len].to_vec()));
                msg = &msg[len..];
            }
            w => return Err(format!("unexpected wire type {w}")),
        }
    }
    Ok(out)
}

fn varint(msg: &mut &[u8]) -> Result<u64, String> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let (&b, rest) = msg.split_first().ok_or("truncated varint")?;
        *msg = rest;
        value |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err("varint too long".into())
}

fn message_field(number: u64, bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut put = |mut v: u64| loop {
        if v < 0x80 {
            out.push(v as u8);
            break;
        }
        out.push((v as u8 & 0x7f) | 0x80);
        v >>= 7;
    };
    put((number << 3) | 2);
    put(bytes.len() as u64);
    out.extend_from_slice(bytes);
    out
}
