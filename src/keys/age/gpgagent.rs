//! Asking a running gpg-agent (its pinentry) for an identity file's passphrase, as sops does first.
//!
//! sops (through getsops/gopgagent) connects to an agent that is already running —
//! `GPG_AGENT_INFO`, else `~/.gnupg/S.gpg-agent`, else `$XDG_RUNTIME_DIR/gnupg/S.gpg-agent`
//! — and sends Assuan `GET_PASSPHRASE` with the identity's location as cache key; only
//! when no agent answers does it ask on the terminal. The same few lines of the
//! Assuan protocol are spoken here over a Unix socket (std, no extra crate).

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;
use zeroize::Zeroizing;

/// How long the agent may take to greet and to acknowledge options (not the pinentry).
const SETUP_TIMEOUT: Duration = Duration::from_secs(10);

/// An open connection to the agent.
pub struct Agent {
    reader: BufReader<UnixStream>,
    writer: UnixStream,
}

/// What the passphrase request shows in pinentry.
pub struct Request<'a> {
    pub cache_key: &'a str,
    pub prompt: &'a str,
    pub description: &'a str,
}

/// The terminal and display the agent should use for pinentry (gopgagent's `OPTION`s).
pub struct Options {
    pub display: Option<String>,
    pub tty_name: Option<String>,
    pub tty_type: String,
}

impl Options {
    /// What sops sends: `$DISPLAY`, the file behind standard input, `$TERM`.
    pub fn from_process() -> Options {
        Options {
            display: std::env::var("DISPLAY").ok().filter(|d| !d.is_empty()),
            tty_name: std::fs::read_link("/proc/self/fd/0")
                .ok()
                .map(|p| p.display().to_string()),
            tty_type: std::env::var("TERM").unwrap_or_default(),
        }
    }
}

/// The home directory from the password database, as Go's `user.Current()` reads it.
fn passwd_home() -> Option<String> {
    let uid = rustix::process::getuid().as_raw().to_string();
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        match fields.as_slice() {
            [_, _, u, _, _, home, ..] if *u == uid => Some(home.to_string()),
            _ => None,
        }
    })
}

fn is_socket(path: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::metadata(path).is_ok_and(|m| m.file_type().is_socket())
}

/// Where gopgagent looks for the agent, given the environment `var`.
pub fn socket_path(var: impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    if let Some(info) = var("GPG_AGENT_INFO") {
        let first = info.split(':').next().unwrap_or_default();
        return (!first.is_empty()).then(|| PathBuf::from(first));
    }
    let home = passwd_home().or_else(|| var("HOME"))?;
    let mut sock = Path::new(&home).join(".gnupg").join("S.gpg-agent");
    if !is_socket(&sock)
        && let Some(runtime) = var("XDG_RUNTIME_DIR")
    {
        sock = Path::new(&runtime).join("gnupg").join("S.gpg-agent");
    }
    Some(sock)
}

/// Go's `url.QueryEscape`: unreserved bytes kept, space as `+`, the rest `%XX`.
fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b))
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

impl Agent {
    /// Connects to a running agent at `socket` and reads its greeting.
    pub fn connect(socket: &Path) -> Result<Agent, String> {
        let stream = UnixStream::connect(socket).map_err(|e| e.to_string())?;
        stream
            .set_read_timeout(Some(SETUP_TIMEOUT))
            .map_err(|e| e.to_string())?;
        let writer = stream.try_clone().map_err(|e| e.to_string())?;
        let mut agent = Agent {
            reader: BufReader::new(stream),
            writer,
        };
        let greeting = agent.read_line()?;
        if !greeting.starts_with("OK") {
            return Err(format!("gpgagent: didn't get OK; got {greeting:?}"));
        }
        Ok(agent)
    }

    fn read_line(&mut self) -> Result<Zeroizing<String>, String> {
        let mut line = Zeroizing::new(String::new());
        // Status and comment lines may precede the answer.
        loop {
            line.clear();
            let n = self
                .reader
                .read_line(&mut line)
                .map_err(|e| e.to_string())?;
            if n == 0 {
                return Err("gpgagent: connection closed".into());
            }
            if !line.starts_with("S ") && !line.starts_with('#') {
                return Ok(line);
            }
        }
    }

    fn command(&mut self, command: &str) -> Result<Zeroizing<String>, String> {
        self.writer
            .write_all(format!("{command}\n").as_bytes())
            .map_err(|e| e.to_string())?;
        self.read_line()
    }

    fn set_option(&mut self, value: &str) -> Result<(), String> {
        let line = self.command(&format!("OPTION {value}"))?;
        if line.starts_with("OK") {
            Ok(())
        } else {
            Err(format!(
                "gpgagent: response to OPTION was {}",
                line.trim_end()
            ))
        }
    }

    /// `GET_PASSPHRASE`: the agent's cache, else its pinentry.
    pub fn get_passphrase(
        &mut self,
        req: &Request,
        options: &Options,
    ) -> Result<Zeroizing<Vec<u8>>, String> {
        if let Some(d) = &options.display {
            self.set_option(&format!("display={d}"))?;
        }
        if let Some(t) = &options.tty_name {
            self.set_option(&format!("ttyname={t}"))?;
        }
        self.set_option(&format!("ttytype={}", options.tty_type))?;
        // The user may take a while in pinentry.
        self.reader
            .get_ref()
            .set_read_timeout(None)
            .map_err(|e| e.to_string())?;
        let or_x = |s: &str| {
            if s.is_empty() {
                "X".to_string()
            } else {
                query_escape(s)
            }
        };
        let line = self.command(&format!(
            "GET_PASSPHRASE {} X {} {}",
            query_escape(req.cache_key),
            or_x(req.prompt),
            or_x(req.description)
        ))?;
        if let Some(hex_pass) = line.strip_prefix("OK ") {
            return hex::decode(hex_pass.trim_end_matches('\n'))
                .map(Zeroizing::new)
                .map_err(|e| e.to_string());
        }
        let mut fields = line.split(' ');
        if fields.next() == Some("ERR") {
            match fields.next() {
                Some("67108922") => return Err("GPG_ERR_NO_DATA cache miss".into()),
                Some("83886179") => return Err("gpgagent: Cancel".into()),
                _ => {}
            }
        }
        Err(line.to_string())
    }

    /// `CLEAR_PASSPHRASE`: forgets a cached passphrase (after a wrong one).
    pub fn clear_passphrase(&mut self, cache_key: &str) -> Result<(), String> {
        let line = self.command(&format!("CLEAR_PASSPHRASE {}", query_escape(cache_key)))?;
        if line.starts_with("OK") {
            Ok(())
        } else {
            Err(format!(
                "gpgagent: CLEAR_PASSPHRASE returned {:?}",
                line.as_str()
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::net::UnixListener;

    /// A one-connection fake agent answering `answer` to GET_PASSPHRASE; returns what it was sent.
    fn fake_agent(
        dir: &Path,
        answer: &'static str,
    ) -> (PathBuf, std::thread::JoinHandle<Vec<String>>) {
        let path = dir.join("S.gpg-agent");
        let listener = UnixListener::bind(&path).unwrap();
        let handle = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut w = stream.try_clone().unwrap();
            let mut r = BufReader::new(stream);
            w.write_all(b"OK Pleased to meet you\n").unwrap();
            let mut seen = Vec::new();
            let mut line = String::new();
            while r.read_line(&mut line).unwrap() > 0 {
                let cmd = line.trim_end().to_string();
                line.clear();
                let reply = if cmd.starts_with("GET_PASSPHRASE") {
                    format!("S PROGRESS x\n{answer}\n")
                } else {
                    "OK\n".to_string()
                };
                seen.push(cmd);
                w.write_all(reply.as_bytes()).unwrap();
            }
            seen
        });
        (path, handle)
    }

    fn req() -> Request<'static> {
        Request {
            cache_key: "SOPS_AGE_KEY_FILE",
            prompt: "Passphrase",
            description: "Enter passphrase for identity 'SOPS_AGE_KEY_FILE':",
        }
    }

    fn options() -> Options {
        Options {
            display: None,
            tty_name: Some("/dev/null".into()),
            tty_type: "dumb".into(),
        }
    }

    #[test]
    fn get_and_clear_passphrase_speak_assuan_like_gopgagent() {
        let dir = tempfile::tempdir().unwrap();
        let (path, handle) = fake_agent(dir.path(), "OK 70617373706872617365");
        let mut agent = Agent::connect(&path).unwrap();
        let pass = agent.get_passphrase(&req(), &options()).unwrap();
        assert_eq!(pass.as_slice(), b"passphrase");
        agent.clear_passphrase("SOPS_AGE_KEY_FILE").unwrap();
        drop(agent);
        assert_eq!(
            handle.join().unwrap(),
            [
                "OPTION ttyname=/dev/null",
                "OPTION ttytype=dumb",
                "GET_PASSPHRASE SOPS_AGE_KEY_FILE X Passphrase Enter+passphrase+for+identity+%27SOPS_AGE_KEY_FILE%27%3A",
                "CLEAR_PASSPHRASE SOPS_AGE_KEY_FILE",
            ]
        );
    }

    #[test]
    fn agent_errors() {
        for (answer, expected) in [
            (
                "ERR 83886179 Operation cancelled <Pinentry>",
                "gpgagent: Cancel",
            ),
            (
                "ERR 67108922 No data <GPG Agent>",
                "GPG_ERR_NO_DATA cache miss",
            ),
            ("ERR 1 other", "ERR 1 other\n"),
            ("OK zz", "Invalid character 'z' at position 0"),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let (path, handle) = fake_agent(dir.path(), answer);
            let mut agent = Agent::connect(&path).unwrap();
            assert_eq!(
                agent.get_passphrase(&req(), &options()).unwrap_err(),
                expected
            );
            drop(agent);
            handle.join().unwrap();
        }
        let dir = tempfile::tempdir().unwrap();
        assert!(Agent::connect(&dir.path().join("none")).is_err());
    }

    #[test]
    fn socket_lookup_follows_gopgagent() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            socket_path(vars(&[("GPG_AGENT_INFO", "/run/a/S.gpg-agent:1:1")])),
            Some(PathBuf::from("/run/a/S.gpg-agent"))
        );
        assert_eq!(socket_path(vars(&[("GPG_AGENT_INFO", ":1")])), None);
        let p = socket_path(vars(&[("XDG_RUNTIME_DIR", "/run/user/7")])).unwrap();
        assert!(
            p == Path::new("/run/user/7/gnupg/S.gpg-agent") || p.ends_with(".gnupg/S.gpg-agent"),
            "{}",
            p.display()
        );
        assert_eq!(query_escape("a b'~:/é"), "a+b%27~%3A%2F%C3%A9");
    }
}
