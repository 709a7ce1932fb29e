//! Prompts on the controlling terminal (identity passphrases, age plugin questions), as sops does.
//!
//! sops (through Go age's TUI helpers) opens `/dev/tty`, else uses standard input when
//! it is a terminal, writes the prompt there, reads a line with echo off and then erases
//! the prompt line. rustix's termios calls give the same terminal control without
//! `unsafe`; the terminal's previous mode is restored on every path.

use super::gocompat;
use rustix::termios::{self, InputModes, LocalModes, OptionalActions, Termios};
use std::fs::File;
use std::io::{self, Write};
use std::os::fd::{AsFd, BorrowedFd};
use zeroize::Zeroizing;

/// Longest answer accepted, so that a stuck writer cannot grow memory without bound.
const MAX_ANSWER: usize = 64 * 1024;

/// Where prompts go: `/dev/tty`, or standard input when that is a terminal.
enum Handle {
    Tty(File),
    Stdin(io::Stdin),
}

impl Handle {
    fn open() -> Result<Handle, String> {
        match std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/tty")
        {
            Ok(file) => Ok(Handle::Tty(file)),
            Err(e) => {
                let stdin = io::stdin();
                if termios::isatty(&stdin) {
                    Ok(Handle::Stdin(stdin))
                } else {
                    Err(format!(
                        "standard input is not a terminal, and /dev/tty is not available: {}",
                        gocompat::path_error("open", "/dev/tty", &e)
                    ))
                }
            }
        }
    }

    fn fd(&self) -> BorrowedFd<'_> {
        match self {
            Handle::Tty(f) => f.as_fd(),
            Handle::Stdin(s) => s.as_fd(),
        }
    }

    /// Go writes the prompt to the same file it reads (stdin in the fallback case).
    fn write_all(&self, mut bytes: &[u8]) -> io::Result<()> {
        while !bytes.is_empty() {
            match rustix::io::write(self.fd(), bytes) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => bytes = bytes.get(n..).unwrap_or_default(),
                Err(rustix::io::Errno::INTR) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    fn read_byte(&self) -> io::Result<Option<u8>> {
        let mut buf = [0u8; 1];
        loop {
            match rustix::io::read(self.fd(), &mut buf) {
                Ok(0) => return Ok(None),
                Ok(_) => return Ok(Some(buf[0])),
                Err(rustix::io::Errno::INTR) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
}

/// Restores the saved terminal mode when dropped.
struct ModeGuard<'a> {
    handle: &'a Handle,
    saved: Termios,
}

impl<'a> ModeGuard<'a> {
    fn set(handle: &'a Handle, change: impl FnOnce(&mut Termios)) -> io::Result<ModeGuard<'a>> {
        let saved = termios::tcgetattr(handle.fd())?;
        let mut mode = saved.clone();
        change(&mut mode);
        termios::tcsetattr(handle.fd(), OptionalActions::Now, &mode)?;
        Ok(ModeGuard { handle, saved })
    }
}

impl Drop for ModeGuard<'_> {
    fn drop(&mut self) {
        // Nothing better to do if the terminal went away meanwhile.
        let _ = termios::tcsetattr(self.handle.fd(), OptionalActions::Now, &self.saved);
    }
}

/// Runs `f` with a prompt shown on the terminal, then erases the prompt line as Go age does.
fn with_prompt<T>(prompt: &str, f: impl FnOnce(&Handle) -> io::Result<T>) -> Result<T, String> {
    let handle = Handle::open()?;
    handle
        .write_all(format!("{prompt} ").as_bytes())
        .map_err(|e| e.to_string())?;
    let result = f(&handle);
    // New line first (works everywhere), then cursor up and erase that line.
    let _ = handle.write_all(b"\r\n\x1b[F\x1b[K");
    result.map_err(|e| gocompat::path_error("read", "/dev/tty", &e))
}

/// Go's `readPasswordLine`: bytes up to `\n`, `\r` ignored, backspace removes one byte.
fn read_line(handle: &Handle) -> io::Result<Zeroizing<Vec<u8>>> {
    let mut out = Zeroizing::new(Vec::new());
    loop {
        match handle.read_byte()? {
            Some(b'\n') => return Ok(out),
            Some(b'\r') => {}
            Some(0x08) => {
                out.pop();
            }
            Some(b) if out.len() < MAX_ANSWER => out.push(b),
            Some(_) => {}
            None if !out.is_empty() => return Ok(out),
            None => return Err(io::ErrorKind::UnexpectedEof.into()),
        }
    }
}

/// Reads a secret line with echo off (passphrases, plugin PINs).
pub fn read_secret(prompt: &str) -> Result<Zeroizing<Vec<u8>>, String> {
    with_prompt(prompt, |handle| {
        let _guard = ModeGuard::set(handle, |m| {
            m.local_modes.remove(LocalModes::ECHO);
            m.local_modes.insert(LocalModes::ICANON | LocalModes::ISIG);
            m.input_modes.insert(InputModes::ICRNL);
        })?;
        read_line(handle)
    })
}

/// Reads one key press in raw mode (plugin confirmations with two choices).
pub fn read_character(prompt: &str) -> Result<u8, String> {
    with_prompt(prompt, |handle| {
        let _guard = ModeGuard::set(handle, Termios::make_raw)?;
        handle
            .read_byte()?
            .ok_or_else(|| io::ErrorKind::UnexpectedEof.into())
    })
}

/// The answer as a secret string (zeroized on drop), if it is valid UTF-8 (age needs text).
pub fn into_secret(answer: &[u8]) -> Option<age::secrecy::SecretString> {
    std::str::from_utf8(answer)
        .ok()
        .map(|s| age::secrecy::SecretString::from(s.to_owned()))
}

/// Shows a message on standard error (plugin messages such as "touch your key").
pub fn show_message(message: &str) {
    let mut err = io::stderr().lock();
    let _ = writeln!(err, "{message}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_editing_follows_go() {
        // Only the pure line logic is exercised here; the terminal paths are covered
        // by tests/age_passphrase.rs through a pseudo-terminal.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("input");
        std::fs::write(&path, b"ab\x08c\rd\nrest").unwrap();
        let handle = Handle::Tty(File::open(&path).unwrap());
        assert_eq!(read_line(&handle).unwrap().as_slice(), b"acd");
        assert_eq!(read_line(&handle).unwrap().as_slice(), b"rest");
        assert!(read_line(&handle).is_err());
    }

    #[test]
    fn mode_change_fails_on_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"x").unwrap();
        let handle = Handle::Tty(File::open(&path).unwrap());
        assert!(ModeGuard::set(&handle, Termios::make_raw).is_err());
    }
}
