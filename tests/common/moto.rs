//! A real KMS/STS API server for the KMS tests: moto (`moto[server]`, installed
//! into `.venv` by `scripts/setup.sh`) on 127.0.0.1 and a free port, stopped
//! when the guard drops, so both sops and sops-rs talk to the same server
//! through the AWS SDKs exactly as they would talk to AWS.

use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const HOW_TO_INSTALL: &str = "moto_server is missing: run `make test` (or `scripts/setup.sh`), \
     which installs moto[server] from scripts/requirements-dev.txt into .venv; \
     or set MOTO_SERVER to a moto_server binary";

/// The AWS account moto puts into every ARN.
pub const ACCOUNT: &str = "123456789012";

/// A running `moto_server` (killed on drop) plus empty AWS config files.
pub struct Moto {
    child: Child,
    /// The port it listens on (127.0.0.1 only).
    pub port: u16,
    files: tempfile::TempDir,
}

fn venv_bin(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(".venv/bin")
        .join(name)
}

fn moto_server_path() -> PathBuf {
    let path = std::env::var_os("MOTO_SERVER")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| venv_bin("moto_server"));
    assert!(
        path.is_file(),
        "{HOW_TO_INSTALL} (looked for {})",
        path.display()
    );
    path
}

/// A TCP port nobody listens on right now (the OS picks it for a bind to port 0).
pub fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .unwrap_or_else(|e| panic!("cannot bind 127.0.0.1:0: {e}"));
    listener
        .local_addr()
        .unwrap_or_else(|e| panic!("no local address: {e}"))
        .port()
}

impl Moto {
    /// Starts moto on 127.0.0.1 and waits until it answers (fails the test if it does not).
    pub fn start() -> Moto {
        let server = moto_server_path();
        let files = tempfile::Builder::new()
            .prefix("sops-rs-moto")
            .tempdir()
            .unwrap_or_else(|e| panic!("cannot create a temp dir: {e}"));
        for name in ["config", "credentials"] {
            std::fs::write(files.path().join(name), "")
                .unwrap_or_else(|e| panic!("cannot write an empty AWS {name} file: {e}"));
        }
        let log = files.path().join("moto.log");
        let log_file =
            std::fs::File::create(&log).unwrap_or_else(|e| panic!("cannot create moto.log: {e}"));
        let mut files = files;
        let log_err = log_file
            .try_clone()
            .unwrap_or_else(|e| panic!("cannot clone moto.log: {e}"));
        // A port freed by the OS can be taken again before moto binds it; try a few.
        for _ in 0..5 {
            let port = free_port();
            let child = Command::new(&server)
                .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                .stdin(Stdio::null())
                .stdout(
                    log_file
                        .try_clone()
                        .unwrap_or_else(|e| panic!("cannot clone moto.log: {e}")),
                )
                .stderr(
                    log_err
                        .try_clone()
                        .unwrap_or_else(|e| panic!("cannot clone moto.log: {e}")),
                )
                .spawn()
                .unwrap_or_else(|e| {
                    panic!("cannot start {}: {e}; {HOW_TO_INSTALL}", server.display())
                });
            let mut moto = Moto { child, port, files };
            match moto.wait_ready(Duration::from_secs(60)) {
                Some(true) => return moto,
                // It exited: most likely the port was taken meanwhile; try another.
                Some(false) => files = moto.stop_and_keep_files(),
                None => {
                    drop(moto);
                    let text = std::fs::read_to_string(&log).unwrap_or_default();
                    panic!(
                        "moto_server did not answer on 127.0.0.1 within 60 s; its output:\n{text}"
                    );
                }
            }
        }
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        panic!("moto_server did not come up on 127.0.0.1; its output:\n{text}");
    }

    /// `Some(true)` once it accepts connections, `Some(false)` if it exited,
    /// `None` if it neither answered nor exited within `limit`.
    fn wait_ready(&mut self, limit: Duration) -> Option<bool> {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Ok(Some(_)) = self.child.try_wait() {
                return Some(false);
            }
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return Some(true);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        None
    }

    fn stop_and_keep_files(mut self) -> tempfile::TempDir {
        self.kill();
        std::mem::replace(
            &mut self.files,
            tempfile::tempdir().unwrap_or_else(|e| panic!("cannot create a temp dir: {e}")),
        )
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The environment that points the AWS SDKs at moto with dummy credentials
    /// and nothing from the user's own AWS setup.
    pub fn env(&self) -> Vec<(String, String)> {
        let file = |name: &str| self.files.path().join(name).display().to_string();
        vec![
            ("AWS_ENDPOINT_URL".into(), self.url()),
            ("AWS_ACCESS_KEY_ID".into(), "test".into()),
            ("AWS_SECRET_ACCESS_KEY".into(), "test".into()),
            ("AWS_CONFIG_FILE".into(), file("config")),
            ("AWS_SHARED_CREDENTIALS_FILE".into(), file("credentials")),
            ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
        ]
    }

    /// Points a sandbox's tools at moto (see [`Moto::env`]).
    pub fn apply(&self, sandbox: &mut super::Sandbox) {
        for (k, v) in self.env() {
            sandbox.set_env(&k, v);
        }
        for k in [
            "AWS_PROFILE",
            "AWS_DEFAULT_PROFILE",
            "AWS_REGION",
            "AWS_DEFAULT_REGION",
            "AWS_SESSION_TOKEN",
        ] {
            sandbox.unset_env(k);
        }
    }

    /// Runs a boto3 snippet against moto (`client` is a KMS client for `region`)
    /// and returns what it printed.
    fn boto3(&self, region: &str, body: &str) -> String {
        let python = venv_bin("python");
        assert!(python.is_file(), "{HOW_TO_INSTALL}");
        let script = format!(
            "import boto3\nclient = boto3.client('kms', region_name={region:?}, endpoint_url={url:?}, \
             aws_access_key_id='test', aws_secret_access_key='test')\n{body}\n",
            url = self.url()
        );
        let out = Command::new(&python)
            .args(["-c", &script])
            .env("AWS_CONFIG_FILE", self.files.path().join("config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                self.files.path().join("credentials"),
            )
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}; {HOW_TO_INSTALL}", python.display()));
        assert!(
            out.status.success(),
            "boto3 call failed: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Creates a symmetric encrypt/decrypt key in `region`; returns its ARN.
    pub fn create_key(&self, region: &str) -> String {
        let arn = self.boto3(
            region,
            "print(client.create_key(KeySpec='SYMMETRIC_DEFAULT', KeyUsage='ENCRYPT_DECRYPT')['KeyMetadata']['Arn'])",
        );
        assert!(
            arn.starts_with(&format!("arn:aws:kms:{region}:{ACCOUNT}:key/")),
            "unexpected key ARN from moto: {arn:?}"
        );
        arn
    }

    /// Creates `alias/<name>` for the key `key_arn` in `region`; returns the alias ARN.
    pub fn create_alias(&self, region: &str, key_arn: &str, name: &str) -> String {
        self.boto3(
            region,
            &format!("client.create_alias(AliasName='alias/{name}', TargetKeyId={key_arn:?})"),
        );
        format!("arn:aws:kms:{region}:{ACCOUNT}:alias/{name}")
    }

    /// Writes a file beside the empty AWS config files and returns its path
    /// (e.g. an AWS config with a named profile).
    pub fn write_file(&self, name: &str, content: &str) -> PathBuf {
        let path = self.files.path().join(name);
        std::fs::write(&path, content)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        path
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        self.kill();
    }
}
