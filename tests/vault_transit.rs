//! HashiCorp Vault transit keys against a small Vault transit server written here
//! (loopback, free port, HTTP or TLS): the `yaml-vault-mock` vector, round trips and
//! interoperability with the real sops 3.11.0 both ways (both tools take the server's
//! address from the key URI or the file), token sources, namespaces, TLS trust
//! settings, Shamir groups, `rotate`/`updatekeys`/`groups add`, and failures (wrong
//! token, unknown key, server errors, server down) reported exactly as sops reports them.
//! Every request the server receives is recorded and checked.

mod common;

use common::{AGE1, Run, Sandbox, Tool};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;

const TOKEN: &str = "s.test-token";
const YAML: &str =
    "db_password: hunter2\napi:\n    token: abc123\n    port: 8080\nlist:\n    - one\n    - true\n";
const JSON: &str = "{\n    \"db_password\": \"hunter2\",\n    \"api\": {\n        \"token\": \"abc123\"\n    }\n}\n";
const DOTENV: &str = "DB_PASSWORD=hunter2\nAPI_TOKEN=abc123\n";

/// One request as the server saw it.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    path: String,
    /// Header names lower-cased.
    headers: Vec<(String, String)>,
    body: String,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// What the server accepts and how it answers.
struct State {
    token: String,
    namespace: Option<String>,
    engine: String,
    keys: Vec<String>,
    /// Answer every request with this status and body instead.
    forced: Option<(u16, String)>,
    /// Answer every request with this redirect status to this base address instead.
    redirect: Option<(u16, String)>,
    seen: Vec<Seen>,
}

/// A Vault transit server on 127.0.0.1 implementing `PUT /v1/<engine>/encrypt|decrypt/<key>`.
struct Vault {
    port: u16,
    tls: bool,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
}

/// The reversible "ciphertext": `vault:v1:` + base64(tag + plaintext), where the tag names
/// the key; `firstkey` uses `MOCK` as the mock that wrote `yaml-vault-mock` did.
fn tag(key: &str) -> Vec<u8> {
    if key == "firstkey" {
        b"MOCK".to_vec()
    } else {
        format!("KEY:{key}:").into_bytes()
    }
}

fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

fn unb64(text: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD.decode(text).ok()
}

impl Vault {
    fn start() -> Vault {
        Vault::start_on(TcpListener::bind("127.0.0.1:0").unwrap(), None)
    }

    fn start_tls(config: Arc<rustls::ServerConfig>) -> Vault {
        Vault::start_on(TcpListener::bind("127.0.0.1:0").unwrap(), Some(config))
    }

    fn start_on(listener: TcpListener, tls: Option<Arc<rustls::ServerConfig>>) -> Vault {
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State {
            token: TOKEN.into(),
            namespace: None,
            engine: "sops".into(),
            keys: vec!["firstkey".into(), "second".into()],
            forced: None,
            redirect: None,
            seen: Vec::new(),
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let (st, sp) = (state.clone(), stop.clone());
        let is_tls = tls.is_some();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if sp.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let st = st.clone();
                let tls = tls.clone();
                std::thread::spawn(move || match tls {
                    None => serve_connection(conn, &st),
                    Some(config) => {
                        let Ok(server) = rustls::ServerConnection::new(config) else {
                            return;
                        };
                        serve_connection(rustls::StreamOwned::new(server, conn), &st);
                    }
                });
            }
        });
        Vault {
            port,
            tls: is_tls,
            state,
            stop,
        }
    }

    fn address(&self) -> String {
        if self.tls {
            format!("https://localhost:{}", self.port)
        } else {
            format!("http://127.0.0.1:{}", self.port)
        }
    }

    fn uri(&self, key: &str) -> String {
        format!("{}/v1/sops/keys/{key}", self.address())
    }

    fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }

    fn clear(&self) {
        self.state.lock().unwrap().seen.clear();
    }

    fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        f(&mut self.state.lock().unwrap())
    }

    /// Stops accepting connections: later requests get "connection refused".
    fn shut_down(&self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        // Wait until the port is really closed.
        for _ in 0..50 {
            if TcpStream::connect(("127.0.0.1", self.port)).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Vault {
    fn drop(&mut self) {
        self.shut_down();
    }
}

/// Reads requests from one connection (keep-alive) and answers each.
fn serve_connection(stream: impl Read + Write, state: &Mutex<State>) {
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let mut parts = line.trim_end().splitn(3, ' ');
        let method = parts.next().unwrap_or_default().to_string();
        let path = parts.next().unwrap_or_default().to_string();
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
            }
        }
        let len: usize = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0u8; len];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let seen = Seen {
            method,
            path,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        };
        let (status, reply, location) = {
            let mut st = state.lock().unwrap();
            let (status, reply) = answer(&seen, &mut st);
            match &st.redirect {
                Some((code, base)) => (
                    *code,
                    String::new(),
                    format!("Location: {base}{}\r\n", seen.path),
                ),
                None => (status, reply, String::new()),
            }
        };
        let text = format!(
            "HTTP/1.1 {status} X\r\n{location}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{reply}",
            reply.len()
        );
        let stream = reader.get_mut();
        if stream.write_all(text.as_bytes()).is_err() || stream.flush().is_err() {
            return;
        }
    }
}

fn errors(list: &[&str]) -> String {
    serde_json::json!({ "errors": list }).to_string()
}

/// Vault's transit API, strict about everything it is sent.
fn answer(req: &Seen, state: &mut State) -> (u16, String) {
    state.seen.push(req.clone());
    if let Some((status, body)) = &state.forced {
        return (*status, body.clone());
    }
    if req.method != "PUT" && req.method != "POST" {
        return (405, errors(&["unsupported operation"]));
    }
    if req.header("x-vault-request") != Some("true") {
        return (412, errors(&["missing X-Vault-Request header"]));
    }
    if req.header("x-vault-token") != Some(state.token.as_str()) {
        return (403, errors(&["permission denied"]));
    }
    if req.header("x-vault-namespace") != state.namespace.as_deref() {
        return (403, errors(&["permission denied"]));
    }
    let route = req.path.strip_prefix("/v1/").unwrap_or_default();
    let prefix = format!("{}/", state.engine);
    let Some((op, key)) = route
        .strip_prefix(&prefix)
        .and_then(|rest| rest.split_once('/'))
        .filter(|(op, _)| *op == "encrypt" || *op == "decrypt")
    else {
        return (
            404,
            errors(&[&format!(
                "no handler for route \"{route}\". route entry not found."
            )]),
        );
    };
    if !state.keys.iter().any(|k| k == key) {
        return (400, errors(&["encryption key not found"]));
    }
    let body = req.json();
    let reply = |data: serde_json::Value| {
        serde_json::json!({
            "request_id": "0f3c7f52-6a4b-4c62-9f7a-1d2e3f4a5b6c",
            "lease_id": "",
            "renewable": false,
            "lease_duration": 0,
            "data": data,
            "wrap_info": null,
            "warnings": null,
            "auth": null
        })
        .to_string()
    };
    if op == "encrypt" {
        let Some(plain) = body
            .get("plaintext")
            .and_then(|p| p.as_str())
            .and_then(unb64)
        else {
            return (400, errors(&["missing plaintext to encrypt"]));
        };
        let mut blob = tag(key);
        blob.extend_from_slice(&plain);
        let ct = format!("vault:v1:{}", b64(&blob));
        return (
            200,
            reply(serde_json::json!({ "ciphertext": ct, "key_version": 1 })),
        );
    }
    let Some(ct) = body.get("ciphertext").and_then(|c| c.as_str()) else {
        return (400, errors(&["missing ciphertext to decrypt"]));
    };
    let plain = ct
        .strip_prefix("vault:v1:")
        .and_then(unb64)
        .and_then(|blob| blob.strip_prefix(tag(key).as_slice()).map(<[u8]>::to_vec));
    match plain {
        Some(p) => (200, reply(serde_json::json!({ "plaintext": b64(&p) }))),
        None => (400, errors(&["cipher: message authentication failed"])),
    }
}

/// A sandbox whose tools have the server's token and no age identity.
fn sandbox() -> Sandbox {
    let mut sb = Sandbox::new();
    sb.unset_env("SOPS_AGE_KEY_FILE");
    sb.set_env("VAULT_TOKEN", TOKEN);
    sb
}

fn run(sb: &Sandbox, tool: Tool, args: &[&str]) -> Run {
    sb.run(tool, args)
}

/// Masks what differs between two encryptions: ENC values, dates, Vault ciphertexts.
fn mask(text: &str) -> String {
    let masked = common::mask_random(text);
    let re = regex::Regex::new(r"vault:v1:[A-Za-z0-9+/=]+").unwrap();
    let masked = re.replace_all(&masked, "vault:v1:<ct>").into_owned();
    let re = regex::Regex::new(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ").unwrap();
    re.replace_all(&masked, "<date>").into_owned()
}

/// Checks the requests of one encrypt or decrypt: `PUT /v1/sops/<op>/<key>`, the Go
/// client's headers, a JSON body with exactly the one expected field.
#[track_caller]
fn check_requests(seen: &[Seen], op: &str, key: &str, token: &str) {
    assert!(!seen.is_empty(), "no request reached the server");
    for r in seen {
        assert_eq!(r.method, "PUT", "{r:?}");
        assert_eq!(r.path, format!("/v1/sops/{op}/{key}"), "{r:?}");
        assert_eq!(r.header("x-vault-request"), Some("true"), "{r:?}");
        assert_eq!(r.header("x-vault-token"), Some(token), "{r:?}");
        let body = r.json();
        let obj = body
            .as_object()
            .unwrap_or_else(|| panic!("body is not JSON: {r:?}"));
        let field = if op == "encrypt" {
            "plaintext"
        } else {
            "ciphertext"
        };
        assert_eq!(obj.len(), 1, "{r:?}");
        let value = obj.get(field).and_then(|v| v.as_str()).unwrap();
        if op == "encrypt" {
            assert_eq!(unb64(value).map(|k| k.len()), Some(32), "{r:?}");
        } else {
            assert!(value.starts_with("vault:v1:"), "{r:?}");
        }
    }
}

/// `tool` encrypts `plain` (file `name`) with `flags`; both tools decrypt the result to
/// the same bytes as sops's own round trip; the encrypted files match once masked.
fn check_both_ways(sb: &Sandbox, vault: &Vault, name: &str, plain: &str, flags: &[&str]) {
    sb.write(name, plain);
    let mut by_tool = Vec::new();
    for tool in [Tool::Oracle, Tool::SopsRs] {
        vault.clear();
        let mut args = vec!["encrypt"];
        args.extend_from_slice(flags);
        args.push(name);
        let enc = run(sb, tool, &args);
        enc.success();
        check_requests(&vault.seen(), "encrypt", "firstkey", TOKEN);
        let enc_name = format!("{tool:?}.{name}");
        sb.write(&enc_name, &enc.stdout);
        by_tool.push((enc_name, enc.stdout_text()));
    }
    let reference = {
        let dec = run(sb, Tool::Oracle, &["decrypt", &by_tool[0].0]);
        dec.success();
        dec.stdout
    };
    for (enc_name, _) in &by_tool {
        for tool in [Tool::Oracle, Tool::SopsRs] {
            vault.clear();
            let dec = run(sb, tool, &["decrypt", enc_name]);
            dec.success();
            common::assert_bytes_eq(
                &dec.stdout,
                &reference,
                &format!("{tool:?} decrypt of {enc_name}"),
            );
            check_requests(&vault.seen(), "decrypt", "firstkey", TOKEN);
        }
    }
    assert_eq!(
        mask(&by_tool[1].1),
        mask(&by_tool[0].1),
        "sops-rs's encrypted {name} differs from sops's beyond random parts"
    );
}

#[test]
fn vector_decrypts_through_a_vault_server() {
    // The vector names http://127.0.0.1:8200; use that port when free, else point a copy
    // of the file elsewhere (the metadata is not covered by the MAC).
    let (vault, file) = match TcpListener::bind("127.0.0.1:8200") {
        Ok(l) => (
            Vault::start_on(l, None),
            common::read(common::case("yaml-vault-mock.enc.yaml")),
        ),
        Err(_) => {
            let v = Vault::start();
            let text = String::from_utf8(common::read(common::case("yaml-vault-mock.enc.yaml")))
                .unwrap()
                .replace("http://127.0.0.1:8200", &v.address());
            (v, text.into_bytes())
        }
    };
    vault.with(|s| s.token = "tok".into());
    let mut sb = sandbox();
    sb.set_env("VAULT_TOKEN", "tok");
    sb.write("vault.yaml", &file);
    let expected = common::read(common::case("yaml-vault-mock.dec.yaml"));
    for tool in [Tool::SopsRs, Tool::Oracle] {
        vault.clear();
        let out = run(&sb, tool, &["decrypt", "vault.yaml"]);
        out.success();
        common::assert_bytes_eq(&out.stdout, &expected, &format!("{tool:?} decrypt"));
        let seen = vault.seen();
        assert_eq!(seen.len(), 1, "{seen:?}");
        check_requests(&seen, "decrypt", "firstkey", "tok");
        // The exact body real sops sent to the mock (vault-mock-requests.jsonl).
        assert_eq!(
            seen[0].body,
            "{\"ciphertext\":\"vault:v1:TU9DSy6ttRgj/3q1AYVQBHPKWzueeOSUbsSMrQ2iINwLf87p\"}"
        );
    }
    // `-s`-style re-encryption keeps the entry byte-for-byte (rotate writes new enc, so use set).
    let set = run(
        &sb,
        Tool::SopsRs,
        &["set", "vault.yaml", "[\"hello\"]", "\"there\""],
    );
    set.success();
    let text = String::from_utf8(common::read(sb.path().join("vault.yaml"))).unwrap();
    let original = String::from_utf8(file).unwrap();
    let entry = |t: &str| {
        t[t.find("    hc_vault:").unwrap()..t.find("    lastmodified").unwrap()].to_string()
    };
    assert_eq!(entry(&text), entry(&original));
    let dec = run(
        &sb,
        Tool::Oracle,
        &["decrypt", "--extract", "[\"hello\"]", "vault.yaml"],
    );
    dec.success();
    assert_eq!(dec.stdout_text(), "there");
}

#[test]
fn both_ways_in_yaml_json_dotenv() {
    let vault = Vault::start();
    let sb = sandbox();
    let uri = vault.uri("firstkey");
    for (name, plain) in [("s.yaml", YAML), ("s.json", JSON), ("s.env", DOTENV)] {
        check_both_ways(&sb, &vault, name, plain, &["--hc-vault-transit", &uri]);
    }
}

#[test]
fn both_ways_from_sops_vault_uris_and_creation_rules() {
    let vault = Vault::start();
    let mut sb = sandbox();
    sb.set_env("SOPS_VAULT_URIS", vault.uri("firstkey"));
    check_both_ways(&sb, &vault, "env.yaml", YAML, &[]);
    sb.unset_env("SOPS_VAULT_URIS");
    sb.write(
        ".sops.yaml",
        format!(
            "creation_rules:\n  - path_regex: rule\\.yaml$\n    hc_vault_transit_uri: {}\n",
            vault.uri("firstkey")
        ),
    );
    check_both_ways(&sb, &vault, "rule.yaml", YAML, &[]);
}

#[test]
fn token_from_home_vault_token_file() {
    let vault = Vault::start();
    let mut sb = sandbox();
    sb.unset_env("VAULT_TOKEN");
    sb.write("home/.vault-token", format!("  {TOKEN}\n"));
    check_both_ways(
        &sb,
        &vault,
        "s.yaml",
        YAML,
        &["--hc-vault-transit", &vault.uri("firstkey")],
    );
    // VAULT_TOKEN wins over the file.
    sb.write("home/.vault-token", "wrong\n");
    sb.set_env("VAULT_TOKEN", TOKEN);
    for tool in [Tool::SopsRs, Tool::Oracle] {
        vault.clear();
        run(&sb, tool, &["decrypt", "SopsRs.s.yaml"]).success();
        check_requests(&vault.seen(), "decrypt", "firstkey", TOKEN);
    }
}

/// sops-rs printed exactly `sops_text`, then one `hint:` line saying what to check.
#[track_caller]
fn same_text_then_hint(ours: &Run, sops_text: &str) {
    let rest = ours.stderr.strip_prefix(sops_text).unwrap_or_else(|| {
        panic!(
            "stderr differs from sops's\n--- ours ---\n{}\n--- sops ---\n{sops_text}",
            ours.stderr
        )
    });
    assert!(
        rest.starts_with("hint: ") && rest.ends_with('\n') && rest.lines().count() == 1,
        "expected one hint line after sops's text, got {rest:?}"
    );
}

/// Both tools fail the same way: exit code and the whole report (plus sops-rs's hint).
#[track_caller]
fn same_failure(sb: &Sandbox, args: &[&str], code: i32) -> (Run, Run) {
    let ours = run(sb, Tool::SopsRs, args);
    let theirs = run(sb, Tool::Oracle, args);
    theirs.code(code);
    ours.code(code);
    same_text_then_hint(&ours, &theirs.stderr);
    ours.no_stdout();
    (ours, theirs)
}

#[test]
fn wrong_or_missing_token_fails_with_sops_report() {
    let vault = Vault::start();
    let mut sb = sandbox();
    let uri = vault.uri("firstkey");
    sb.write("s.yaml", YAML);
    let enc = run(
        &sb,
        Tool::SopsRs,
        &["encrypt", "--hc-vault-transit", &uri, "s.yaml"],
    );
    enc.success();
    sb.write("e.yaml", &enc.stdout);
    sb.set_env("VAULT_TOKEN", "s.wrong");
    vault.clear();
    let (ours, _) = same_failure(&sb, &["decrypt", "e.yaml"], 128);
    assert!(
        ours.stderr.contains(&format!("  {uri}: FAILED\n")),
        "{}",
        ours.stderr
    );
    assert!(
        ours.stderr.contains("* permission denied"),
        "{}",
        ours.stderr
    );
    assert!(
        vault
            .seen()
            .iter()
            .all(|r| r.header("x-vault-token") == Some("s.wrong"))
    );
    ours.does_not_reveal("hunter2");
    // No token at all: no header is sent.
    sb.unset_env("VAULT_TOKEN");
    vault.clear();
    same_failure(&sb, &["decrypt", "e.yaml"], 128);
    assert!(
        vault
            .seen()
            .iter()
            .all(|r| r.header("x-vault-token").is_none())
    );
    // Encrypting with a wrong token fails before writing anything.
    sb.set_env("VAULT_TOKEN", "s.wrong");
    let ours = run(
        &sb,
        Tool::SopsRs,
        &["encrypt", "--hc-vault-transit", &uri, "s.yaml"],
    );
    let theirs = run(
        &sb,
        Tool::Oracle,
        &["encrypt", "--hc-vault-transit", &uri, "s.yaml"],
    );
    theirs.code(1);
    ours.code(1).no_stdout();
    let want = format!(
        "Could not generate data key: [failed to encrypt new data key with master key \"{uri}\": failed to encrypt sops data key to Vault transit backend 'sops/encrypt/firstkey': Error making API request.\n\nURL: PUT {}/v1/sops/encrypt/firstkey\nCode: 403. Errors:\n\n* permission denied]\n",
        vault.address()
    );
    assert_eq!(theirs.stderr, want);
    same_text_then_hint(&ours, &want);
    assert!(
        ours.stderr.contains("hint: Vault refused the token"),
        "{}",
        ours.stderr
    );
}

#[test]
fn unknown_key_engine_and_server_errors_match_sops() {
    let vault = Vault::start();
    let mut sb = sandbox();
    sb.set_env("VAULT_MAX_RETRIES", "0");
    sb.write("s.yaml", YAML);
    let enc = run(
        &sb,
        Tool::Oracle,
        &[
            "encrypt",
            "--hc-vault-transit",
            &vault.uri("second"),
            "s.yaml",
        ],
    );
    enc.success();
    let text = enc.stdout_text();
    sb.write(
        "unknown-key.yaml",
        text.replace("key_name: second", "key_name: nokey"),
    );
    same_failure(&sb, &["decrypt", "unknown-key.yaml"], 128);
    sb.write(
        "unknown-engine.yaml",
        text.replace("engine_path: sops", "engine_path: nope"),
    );
    same_failure(&sb, &["decrypt", "unknown-engine.yaml"], 128);
    // The ciphertext of another key does not open.
    sb.write(
        "wrong-key.yaml",
        text.replace("key_name: second", "key_name: firstkey"),
    );
    same_failure(&sb, &["decrypt", "wrong-key.yaml"], 128);
    sb.write("e.yaml", &text);
    for (status, body) in [
        (404, String::new()),
        (400, "not json".to_string()),
        (503, errors(&["Vault is sealed", "try later"])),
        (200, String::new()),
        (200, "{\"data\":{}}".to_string()),
        (200, "{\"data\":null}".to_string()),
        (200, "{\"data\":{\"plaintext\":5}}".to_string()),
        (200, "{\"data\":{\"plaintext\":\"!!\"}}".to_string()),
        (200, "{\"errors\":[\"a\",\"b\"],\"x\":1}".to_string()),
    ] {
        vault.with(|s| s.forced = Some((status, body.clone())));
        same_failure(&sb, &["decrypt", "e.yaml"], 128);
    }
    // A "data key" of the wrong size: sops fails when it decrypts values (exit 25,
    // `crypto/aes: invalid key size 39`); sops-rs refuses the key itself (the data-key
    // check is the engine's, src/datakey.rs). Neither prints anything on stdout.
    let short = format!("{{\"data\":{{\"plaintext\":\"{}\"}}}}", b64(&[7u8; 39]));
    vault.with(|s| s.forced = Some((200, short)));
    run(&sb, Tool::Oracle, &["decrypt", "e.yaml"])
        .code(25)
        .no_stdout();
    let ours = run(&sb, Tool::SopsRs, &["decrypt", "e.yaml"]);
    ours.no_stdout();
    assert_ne!(ours.code, 0);
    assert!(ours.stderr.contains("39 bytes"), "{}", ours.describe());
    // 5xx answers are retried like the Go client does (2 retries by default).
    sb.unset_env("VAULT_MAX_RETRIES");
    vault.with(|s| s.forced = Some((500, errors(&["internal error"]))));
    for tool in [Tool::SopsRs, Tool::Oracle] {
        vault.clear();
        run(&sb, tool, &["decrypt", "e.yaml"]).code(128);
        assert_eq!(vault.seen().len(), 3, "{tool:?} should try 3 times");
    }
    vault.with(|s| s.forced = Some((403, errors(&["permission denied"]))));
    for tool in [Tool::SopsRs, Tool::Oracle] {
        vault.clear();
        run(&sb, tool, &["decrypt", "e.yaml"]).code(128);
        assert_eq!(vault.seen().len(), 1, "{tool:?} must not retry a 403");
    }
}

#[test]
fn server_down_fails_in_bounded_time_and_falls_through_to_age() {
    let vault = Vault::start();
    let mut sb = sandbox();
    let uri = vault.uri("firstkey");
    sb.write("s.yaml", YAML);
    let enc = run(
        &sb,
        Tool::SopsRs,
        &[
            "encrypt",
            "--hc-vault-transit",
            &uri,
            "--age",
            AGE1,
            "s.yaml",
        ],
    );
    enc.success();
    sb.write("e.yaml", &enc.stdout);
    vault.shut_down();
    // Vault first: it fails (connection refused, after the Go client's retries), age opens.
    sb.set_env(
        "SOPS_AGE_KEY_FILE",
        common::age_key(1).display().to_string(),
    );
    let reference = run(
        &sb,
        Tool::Oracle,
        &["decrypt", "--decryption-order", "hc_vault,age", "e.yaml"],
    );
    reference.success();
    let start = Instant::now();
    let ours = run(
        &sb,
        Tool::SopsRs,
        &["decrypt", "--decryption-order", "hc_vault,age", "e.yaml"],
    );
    common::assert_same_success(&ours, &reference);
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "took {:?}",
        start.elapsed()
    );
    // Without the age identity both fail with the same report naming the Vault URL.
    sb.unset_env("SOPS_AGE_KEY_FILE");
    sb.set_env("VAULT_MAX_RETRIES", "0");
    let (ours, _) = same_failure(&sb, &["decrypt", "e.yaml"], 128);
    assert!(
        ours.stderr.contains("connect: connection refused"),
        "{}",
        ours.stderr
    );
    assert!(
        ours.stderr
            .contains("hint: the Vault server named in the file is not reachable"),
        "{}",
        ours.stderr
    );
    // A server that accepts but never answers: bounded by VAULT_CLIENT_TIMEOUT.
    let hung = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = hung.local_addr().unwrap().port();
    let held = std::thread::spawn(move || {
        let conns: Vec<_> = hung.incoming().take(1).collect();
        std::thread::sleep(Duration::from_secs(6));
        drop(conns);
    });
    let text = enc
        .stdout_text()
        .replace(&vault.address(), &format!("http://127.0.0.1:{port}"));
    sb.write("hung.yaml", text);
    sb.set_env("VAULT_CLIENT_TIMEOUT", "2");
    let start = Instant::now();
    let ours = run(&sb, Tool::SopsRs, &["decrypt", "hung.yaml"]);
    ours.code(128);
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "took {:?}",
        start.elapsed()
    );
    assert!(
        ours.stderr
            .contains(&format!("127.0.0.1:{port}/v1/sops/keys/firstkey: FAILED")),
        "{}",
        ours.stderr
    );
    assert!(ours.stderr.contains("deadline"), "{}", ours.stderr);
    let _ = held.join();
}

#[test]
fn namespace_agent_address_and_headers_reach_the_server() {
    let vault = Vault::start();
    vault.with(|s| s.namespace = Some("team/a".into()));
    let mut sb = sandbox();
    sb.set_env("VAULT_NAMESPACE", "team/a");
    check_both_ways(
        &sb,
        &vault,
        "s.yaml",
        YAML,
        &["--hc-vault-transit", &vault.uri("firstkey")],
    );
    assert!(
        vault
            .seen()
            .iter()
            .all(|r| r.header("x-vault-namespace") == Some("team/a"))
    );
    // Without the namespace the server refuses, for both tools alike.
    sb.unset_env("VAULT_NAMESPACE");
    same_failure(&sb, &["decrypt", "SopsRs.s.yaml"], 128);
    // VAULT_ADDR does not: the address comes from the file.
    sb.set_env("VAULT_NAMESPACE", "team/a");
    sb.set_env("VAULT_ADDR", "http://127.0.0.1:1");
    for tool in [Tool::SopsRs, Tool::Oracle] {
        vault.clear();
        run(&sb, tool, &["decrypt", "SopsRs.s.yaml"]).success();
        check_requests(&vault.seen(), "decrypt", "firstkey", TOKEN);
    }
    // VAULT_AGENT_ADDR replaces the address stored in the file, as in the Go client.
    let agent = Vault::start();
    agent.with(|s| s.namespace = Some("team/a".into()));
    sb.set_env("VAULT_AGENT_ADDR", agent.address());
    vault.clear();
    for tool in [Tool::SopsRs, Tool::Oracle] {
        agent.clear();
        run(&sb, tool, &["decrypt", "SopsRs.s.yaml"]).success();
        check_requests(&agent.seen(), "decrypt", "firstkey", TOKEN);
    }
    assert!(vault.seen().is_empty());
    // VAULT_HEADERS adds headers; X-Vault-* ones are refused like the Go client does.
    sb.unset_env("VAULT_AGENT_ADDR");
    sb.set_env("VAULT_HEADERS", "{\"X-Extra\":\"yes\"}");
    for tool in [Tool::SopsRs, Tool::Oracle] {
        vault.clear();
        run(&sb, tool, &["decrypt", "SopsRs.s.yaml"]).success();
        assert_eq!(vault.seen()[0].header("x-extra"), Some("yes"));
    }
    sb.set_env("VAULT_HEADERS", "{\"X-Vault-Foo\":\"1\"}");
    same_failure(&sb, &["decrypt", "SopsRs.s.yaml"], 128);
    sb.unset_env("VAULT_HEADERS");
    sb.set_env("VAULT_SKIP_VERIFY", "perhaps");
    same_failure(&sb, &["decrypt", "SopsRs.s.yaml"], 128);
}

#[test]
fn one_redirect_is_followed_like_the_go_client() {
    let vault = Vault::start();
    let elsewhere = Vault::start();
    let mut sb = sandbox();
    sb.write("s.yaml", YAML);
    let enc = run(
        &sb,
        Tool::SopsRs,
        &[
            "encrypt",
            "--hc-vault-transit",
            &vault.uri("firstkey"),
            "s.yaml",
        ],
    );
    enc.success();
    sb.write("e.yaml", &enc.stdout);
    for code in [307, 302, 301] {
        vault.with(|s| s.redirect = Some((code, elsewhere.address())));
        // Both re-send the same PUT, token included, to the new location.
        for tool in [Tool::SopsRs, Tool::Oracle] {
            elsewhere.clear();
            let out = run(&sb, tool, &["decrypt", "e.yaml"]);
            out.success();
            common::assert_bytes_eq(&out.stdout, YAML.as_bytes(), "after a redirect");
            let seen = elsewhere.seen();
            assert_eq!(seen.len(), 1, "{tool:?}: {seen:?}");
            check_requests(&seen, "decrypt", "firstkey", TOKEN);
        }
    }
    // A second redirect is not followed: its empty answer holds no data.
    elsewhere.with(|s| s.redirect = Some((307, vault.address())));
    same_failure(&sb, &["decrypt", "e.yaml"], 128);
    // With VAULT_DISABLE_REDIRECTS the first 3xx answer is taken as it is.
    elsewhere.with(|s| s.redirect = None);
    sb.set_env("VAULT_DISABLE_REDIRECTS", "true");
    elsewhere.clear();
    same_failure(&sb, &["decrypt", "e.yaml"], 128);
    assert!(elsewhere.seen().is_empty());
}

#[test]
fn key_groups_with_shamir() {
    let vault = Vault::start();
    let mut sb = sandbox();
    sb.write(
        ".sops.yaml",
        format!(
            "creation_rules:\n  - shamir_threshold: 2\n    key_groups:\n      - hc_vault:\n          - {}\n      - age:\n          - {AGE1}\n      - hc_vault:\n          - {}\n",
            vault.uri("firstkey"),
            vault.uri("second")
        ),
    );
    sb.write("s.yaml", YAML);
    let mut encrypted = Vec::new();
    for tool in [Tool::Oracle, Tool::SopsRs] {
        let enc = run(&sb, tool, &["encrypt", "s.yaml"]);
        enc.success();
        let name = format!("{tool:?}.yaml");
        sb.write(&name, &enc.stdout);
        encrypted.push((name, enc.stdout_text()));
    }
    assert_eq!(mask(&encrypted[1].1), mask(&encrypted[0].1));
    assert!(
        encrypted[1]
            .1
            .contains("    shamir_threshold: 2\n    key_groups:\n        - hc_vault:\n")
    );
    // Both Vault groups suffice; each tool opens each file.
    for (name, _) in &encrypted {
        let theirs = run(&sb, Tool::Oracle, &["decrypt", name]);
        let ours = run(&sb, Tool::SopsRs, &["decrypt", name]);
        common::assert_same_success(&ours, &theirs);
        common::assert_bytes_eq(&ours.stdout, YAML.as_bytes(), "shamir round trip");
    }
    // One Vault key unknown and no age identity: one group is not enough.
    vault.with(|s| s.keys.retain(|k| k != "second"));
    sb.set_env("VAULT_MAX_RETRIES", "0");
    same_failure(&sb, &["decrypt", "SopsRs.yaml"], 128);
    // With the age identity, the remaining Vault group and age make two.
    sb.set_env(
        "SOPS_AGE_KEY_FILE",
        common::age_key(1).display().to_string(),
    );
    let ours = run(&sb, Tool::SopsRs, &["decrypt", "SopsRs.yaml"]);
    ours.success();
    common::assert_bytes_eq(&ours.stdout, YAML.as_bytes(), "vault + age groups");
}

#[test]
fn rotate_updatekeys_and_groups_add_manage_vault_keys() {
    let vault = Vault::start();
    let mut sb = sandbox();
    let uri = vault.uri("firstkey");
    sb.set_env(
        "SOPS_AGE_KEY_FILE",
        common::age_key(1).display().to_string(),
    );
    sb.write("s.yaml", YAML);
    let enc = run(&sb, Tool::SopsRs, &["encrypt", "--age", AGE1, "s.yaml"]);
    enc.success();
    sb.write("age.yaml", &enc.stdout);
    // rotate --add-hc-vault-transit: the file now opens through Vault alone, in both tools.
    for tool in [Tool::SopsRs, Tool::Oracle] {
        let out = run(
            &sb,
            tool,
            &["rotate", "--add-hc-vault-transit", &uri, "age.yaml"],
        );
        out.success();
        sb.write(&format!("added-{tool:?}.yaml"), &out.stdout);
    }
    let added = common::read(sb.path().join("added-SopsRs.yaml"));
    // age comes first by default: with the age identity at hand, Vault is not asked.
    vault.clear();
    let out = run(&sb, Tool::SopsRs, &["decrypt", "added-SopsRs.yaml"]);
    out.success();
    assert!(vault.seen().is_empty(), "{:?}", vault.seen());
    // --decryption-order puts Vault first.
    run(
        &sb,
        Tool::SopsRs,
        &[
            "decrypt",
            "--decryption-order",
            "hc_vault,age",
            "added-SopsRs.yaml",
        ],
    )
    .success();
    check_requests(&vault.seen(), "decrypt", "firstkey", TOKEN);
    assert_eq!(
        mask(&String::from_utf8_lossy(&added)),
        mask(&String::from_utf8_lossy(&common::read(
            sb.path().join("added-Oracle.yaml")
        )))
    );
    sb.unset_env("SOPS_AGE_KEY_FILE");
    for name in ["added-SopsRs.yaml", "added-Oracle.yaml"] {
        for tool in [Tool::SopsRs, Tool::Oracle] {
            vault.clear();
            let out = run(&sb, tool, &["decrypt", name]);
            out.success();
            common::assert_bytes_eq(&out.stdout, YAML.as_bytes(), name);
            check_requests(&vault.seen(), "decrypt", "firstkey", TOKEN);
        }
    }
    // rotate --rm-hc-vault-transit (the data key comes from Vault): the entry is gone.
    let out = run(
        &sb,
        Tool::SopsRs,
        &["rotate", "--rm-hc-vault-transit", &uri, "added-SopsRs.yaml"],
    );
    out.success();
    assert!(
        !out.stdout_text().contains("hc_vault"),
        "{}",
        out.stdout_text()
    );
    sb.write("removed.yaml", &out.stdout);
    sb.set_env(
        "SOPS_AGE_KEY_FILE",
        common::age_key(1).display().to_string(),
    );
    run(&sb, Tool::Oracle, &["decrypt", "removed.yaml"]).success();
    // updatekeys from a rule naming Vault and age.
    sb.write(
        ".sops.yaml",
        format!("creation_rules:\n  - hc_vault_transit_uri: {uri}\n    age: {AGE1}\n"),
    );
    std::fs::copy(sb.path().join("age.yaml"), sb.path().join("upd-ours.yaml")).unwrap();
    std::fs::copy(
        sb.path().join("age.yaml"),
        sb.path().join("upd-theirs.yaml"),
    )
    .unwrap();
    let ours = run(&sb, Tool::SopsRs, &["updatekeys", "-y", "upd-ours.yaml"]);
    let theirs = run(&sb, Tool::Oracle, &["updatekeys", "-y", "upd-theirs.yaml"]);
    ours.success();
    theirs.success();
    for out in [&ours, &theirs] {
        assert!(
            out.stdout_text().contains(&format!("+++ {uri}")),
            "{}",
            out.describe()
        );
    }
    assert_eq!(
        mask(&String::from_utf8_lossy(&common::read(
            sb.path().join("upd-ours.yaml")
        ))),
        mask(&String::from_utf8_lossy(&common::read(
            sb.path().join("upd-theirs.yaml")
        )))
    );
    sb.unset_env("SOPS_AGE_KEY_FILE");
    run(&sb, Tool::Oracle, &["decrypt", "upd-ours.yaml"]).success();
    // groups add --hc-vault-transit: a second group, threshold 2 written; both open it.
    sb.set_env(
        "SOPS_AGE_KEY_FILE",
        common::age_key(1).display().to_string(),
    );
    std::fs::copy(sb.path().join("age.yaml"), sb.path().join("grp.yaml")).unwrap();
    let out = run(
        &sb,
        Tool::SopsRs,
        &[
            "groups",
            "add",
            "--file",
            "grp.yaml",
            "--hc-vault-transit",
            &vault.uri("second"),
            "-i",
        ],
    );
    out.success();
    let text = String::from_utf8(common::read(sb.path().join("grp.yaml"))).unwrap();
    assert!(text.contains("key_name: second"), "{text}");
    let theirs = run(&sb, Tool::Oracle, &["decrypt", "grp.yaml"]);
    let ours = run(&sb, Tool::SopsRs, &["decrypt", "grp.yaml"]);
    common::assert_same_success(&ours, &theirs);
}

#[test]
fn bad_key_uris_fail_like_sops() {
    let sb = sandbox();
    sb.write("s.yaml", YAML);
    for uri in [
        "vault.example.com/v1/transit/keys/k",
        "https://v:8200/prefix/v1/transit/keys/k",
        "https://v:8200/v1/transit/k",
        "http://[::1",
        "127.0.0.1:8200/v1/t/keys/k",
    ] {
        let ours = run(
            &sb,
            Tool::SopsRs,
            &["encrypt", "--hc-vault-transit", uri, "s.yaml"],
        );
        let theirs = run(
            &sb,
            Tool::Oracle,
            &["encrypt", "--hc-vault-transit", uri, "s.yaml"],
        );
        common::assert_same_failure(&ours, &theirs);
    }
}

/// A CA and a server certificate for `localhost`/127.0.0.1, made with openssl.
struct Certs {
    dir: tempfile::TempDir,
}

impl Certs {
    fn make() -> Certs {
        let dir = tempfile::tempdir().unwrap();
        let p = |n: &str| dir.path().join(n);
        std::fs::write(
            p("ext.cnf"),
            "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
        )
        .unwrap();
        let openssl = |args: &[&str]| {
            let out = std::process::Command::new("openssl")
                .args(args)
                .current_dir(dir.path())
                .output()
                .unwrap_or_else(|e| panic!("openssl is needed for the TLS tests: {e}"));
            assert!(
                out.status.success(),
                "openssl {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        openssl(&[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=sops-rs test CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign",
        ]);
        openssl(&[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=localhost",
        ]);
        openssl(&[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
        ]);
        Certs { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn server_config(&self) -> Arc<rustls::ServerConfig> {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let certs: Vec<CertificateDer<'static>> =
            CertificateDer::pem_file_iter(self.path("server.pem"))
                .unwrap()
                .map(|c| c.unwrap())
                .collect();
        let key = PrivateKeyDer::from_pem_file(self.path("server.key")).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Arc::new(config)
    }
}

#[test]
fn tls_with_vault_cacert_capath_and_skip_verify() {
    let certs = Certs::make();
    let vault = Vault::start_tls(certs.server_config());
    let mut sb = sandbox();
    sb.set_env("VAULT_MAX_RETRIES", "0");
    let uri = vault.uri("firstkey");
    sb.set_env("VAULT_CACERT", certs.path("ca.pem").display().to_string());
    check_both_ways(&sb, &vault, "s.yaml", YAML, &["--hc-vault-transit", &uri]);
    // Without the CA the server is not trusted: both fail, sops-rs says why.
    sb.unset_env("VAULT_CACERT");
    vault.clear();
    for tool in [Tool::SopsRs, Tool::Oracle] {
        let out = run(&sb, tool, &["decrypt", "SopsRs.s.yaml"]);
        out.code(128);
        assert!(
            out.stderr.contains(&format!("{uri}: FAILED")),
            "{}",
            out.stderr
        );
        if tool == Tool::SopsRs {
            assert!(out.stderr.contains("certificate"), "{}", out.stderr);
            assert!(
                out.stderr
                    .contains("hint: the Vault server's TLS certificate is not trusted"),
                "{}",
                out.stderr
            );
        }
    }
    assert!(
        vault.seen().is_empty(),
        "no request may pass an untrusted TLS session"
    );
    // VAULT_CAPATH: a directory of CA files.
    let cadir = tempfile::tempdir().unwrap();
    std::fs::copy(certs.path("ca.pem"), cadir.path().join("ca.pem")).unwrap();
    sb.set_env("VAULT_CAPATH", cadir.path().display().to_string());
    for tool in [Tool::SopsRs, Tool::Oracle] {
        vault.clear();
        let out = run(&sb, tool, &["decrypt", "SopsRs.s.yaml"]);
        out.success();
        check_requests(&vault.seen(), "decrypt", "firstkey", TOKEN);
    }
    // VAULT_CACERT_BYTES: the CA's PEM text itself.
    sb.unset_env("VAULT_CAPATH");
    sb.set_env(
        "VAULT_CACERT_BYTES",
        String::from_utf8(common::read(certs.path("ca.pem"))).unwrap(),
    );
    for tool in [Tool::SopsRs, Tool::Oracle] {
        vault.clear();
        run(&sb, tool, &["decrypt", "SopsRs.s.yaml"]).success();
        check_requests(&vault.seen(), "decrypt", "firstkey", TOKEN);
    }
    sb.unset_env("VAULT_CACERT_BYTES");
    // VAULT_SKIP_VERIFY accepts the unknown certificate.
    sb.set_env("VAULT_SKIP_VERIFY", "true");
    for tool in [Tool::SopsRs, Tool::Oracle] {
        vault.clear();
        let out = run(&sb, tool, &["decrypt", "SopsRs.s.yaml"]);
        out.success();
        common::assert_bytes_eq(&out.stdout, YAML.as_bytes(), "skip-verify decrypt");
        check_requests(&vault.seen(), "decrypt", "firstkey", TOKEN);
    }
    // An https server may not redirect to http.
    let plain = Vault::start();
    vault.with(|s| s.redirect = Some((307, plain.address())));
    let (ours, _) = same_failure(&sb, &["decrypt", "SopsRs.s.yaml"], 128);
    assert!(
        ours.stderr.contains("redirect would cause protocol"),
        "{}",
        ours.stderr
    );
    assert!(plain.seen().is_empty());
    vault.with(|s| s.redirect = None);
    // Unusable CA settings: the same errors as go-rootcerts gives sops.
    sb.unset_env("VAULT_SKIP_VERIFY");
    vault.clear();
    sb.set_env("VAULT_CACERT", "/nonexistent/ca.pem");
    let (ours, _) = same_failure(&sb, &["decrypt", "SopsRs.s.yaml"], 128);
    assert!(
        ours.stderr.contains("/nonexistent/ca.pem"),
        "{}",
        ours.stderr
    );
    sb.set_env("VAULT_CACERT", certs.path("ext.cnf").display().to_string());
    same_failure(&sb, &["decrypt", "SopsRs.s.yaml"], 128);
    sb.unset_env("VAULT_CACERT");
    sb.set_env("VAULT_CACERT_BYTES", "garbage");
    same_failure(&sb, &["decrypt", "SopsRs.s.yaml"], 128);
    sb.unset_env("VAULT_CACERT_BYTES");
    sb.set_env("VAULT_CAPATH", certs.path("").display().to_string());
    same_failure(&sb, &["decrypt", "SopsRs.s.yaml"], 128);
    assert!(
        vault.seen().is_empty(),
        "no request with broken CA settings"
    );
}
