//! Signals during an in-place write: SIGINT, SIGTERM, SIGHUP and SIGKILL sent
//! to `sops-rs -e -i` / `-d -i` at random moments and exactly while the
//! temporary file exists must leave either the old bytes or a complete new
//! file, never a mix. Catchable signals leave no temporary file; SIGKILL may
//! leave one (private, mode 0600), which the next write of that file removes.
//!
//! (Signals during `edit`, `exec-file` and `helm` are covered in edit.rs,
//! exec.rs and helm_wrapper.rs.)

mod common;

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::{AGE1, Sandbox, Tool};
use rustix::process::{Pid, Signal, kill_process};

const NAME: &str = "big.bin";

fn temps(dir: &Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(&format!(".{NAME}.sops-rs-"))
        })
        .map(|e| e.path())
        .collect()
}

fn send(child: &Child, sig: Signal) {
    let pid = Pid::from_raw(i32::try_from(child.id()).unwrap()).unwrap();
    // The process may already have exited: that is one of the outcomes.
    let _ = kill_process(pid, sig);
}

/// When to signal: after a delay, or as soon as the temporary file appears.
#[derive(Clone, Copy, Debug)]
enum When {
    After(Duration),
    InWriteWindow,
}

#[derive(Default, Debug)]
struct Tally {
    runs: usize,
    old_kept: usize,
    new_written: usize,
    interrupted_cleanly: usize,
    temp_left_by_kill: usize,
}

fn signal_run(
    sb: &Sandbox,
    args: &[&str],
    old: &[u8],
    is_new: &dyn Fn(&[u8]) -> bool,
    sig: Signal,
    when: When,
    tally: &mut Tally,
) {
    std::fs::write(sb.path().join(NAME), old).unwrap();
    let mut cmd = sb.command(Tool::SopsRs);
    cmd.args(args).stdout(Stdio::null()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    match when {
        When::After(d) => std::thread::sleep(d),
        When::InWriteWindow => {
            let start = Instant::now();
            while temps(sb.path()).is_empty() && child.try_wait().unwrap().is_none() {
                assert!(start.elapsed() < Duration::from_secs(60));
            }
        }
    }
    send(&child, sig);
    let out = child.wait_with_output().unwrap();
    tally.runs += 1;
    let now = std::fs::read(sb.path().join(NAME)).unwrap();
    let what = format!(
        "{args:?} {sig:?} {when:?}: status {:?} signal {:?}, stderr {}",
        out.status.code(),
        out.status.signal(),
        String::from_utf8_lossy(&out.stderr)
    );
    if now == old {
        tally.old_kept += 1;
    } else {
        assert!(is_new(&now), "neither old nor a valid new file: {what}");
        tally.new_written += 1;
    }
    let left = temps(sb.path());
    if sig == Signal::KILL {
        for t in &left {
            let mode = std::fs::metadata(t).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "a temp left by SIGKILL must be private");
        }
        if !left.is_empty() {
            tally.temp_left_by_kill += 1;
            // The next write of the same file removes what the killed one left
            // (once it has been left alone for a second).
            std::thread::sleep(Duration::from_millis(1100));
            std::fs::write(sb.path().join(NAME), old).unwrap();
            sb.run(Tool::SopsRs, args).success();
            assert!(temps(sb.path()).is_empty(), "stale temp not cleaned");
        }
    } else {
        assert!(left.is_empty(), "temp file left: {left:?}; {what}");
        let code = 128 + sig.as_raw();
        match (out.status.code(), out.status.signal()) {
            (Some(0), None) => assert!(now != old, "success without writing: {what}"),
            (Some(c), None) if c == code => {
                assert_eq!(
                    now, old,
                    "an interrupted write must keep the old file: {what}"
                );
                assert!(out.stderr.starts_with(b"Interrupted by signal"), "{what}");
                tally.interrupted_cleanly += 1;
            }
            (None, Some(s)) if s == sig.as_raw() => {}
            _ => panic!("unexpected end: {what}"),
        }
    }
}

#[test]
fn signals_during_in_place_writes_leave_old_or_new_never_a_mix() {
    let sb = Sandbox::new();
    // Random bytes: the binary store keeps them as one value; about 0.4 MB of
    // output is written and fsynced.
    let mut plain = vec![0u8; 300_000];
    getrandom::getrandom(&mut plain).unwrap();
    std::fs::write(sb.path().join(NAME), &plain).unwrap();
    sb.run(Tool::SopsRs, ["-e", "-i", "--age", AGE1, NAME])
        .success();
    let encrypted = std::fs::read(sb.path().join(NAME)).unwrap();
    let decrypts_to_plain = |bytes: &[u8]| {
        let check = sb.path().join("check.bin");
        std::fs::write(&check, bytes).unwrap();
        let run = sb.run(Tool::SopsRs, ["-d", "check.bin"]);
        run.code == 0 && run.stdout == plain
    };
    let is_plain = |bytes: &[u8]| bytes == plain.as_slice();
    let mut tally = Tally::default();
    let enc_args = ["-e", "-i", "--age", AGE1, NAME];
    let dec_args = ["-d", "-i", NAME];
    // How long an undisturbed run takes, to spread the delays over it.
    let timed = |args: &[&str], old: &[u8]| {
        std::fs::write(sb.path().join(NAME), old).unwrap();
        let start = Instant::now();
        sb.run(Tool::SopsRs, args).success();
        start.elapsed()
    };
    let enc_time = timed(&enc_args, &plain);
    let dec_time = timed(&dec_args, &encrypted);
    let signals = [Signal::INT, Signal::TERM, Signal::HUP, Signal::KILL];
    // Fractions of the run time: early, after the end; then twice in the window.
    let plan = [Some(0.3), Some(2.0), None, None];
    for sig in signals {
        for fraction in plan {
            let when = |total: Duration| match fraction {
                Some(f) => When::After(total.mul_f64(f)),
                None => When::InWriteWindow,
            };
            let w = when(enc_time);
            signal_run(
                &sb,
                &enc_args,
                &plain,
                &decrypts_to_plain,
                sig,
                w,
                &mut tally,
            );
            let w = when(dec_time);
            signal_run(&sb, &dec_args, &encrypted, &is_plain, sig, w, &mut tally);
        }
    }
    eprintln!("signal runs: {tally:?}");
    assert_eq!(tally.runs, 32);
    assert!(tally.new_written > 0 && tally.old_kept > 0, "{tally:?}");
    // Signals sent while the temporary file existed were caught and rolled
    // back at least once for each of INT, TERM, HUP in practice; require one.
    assert!(
        tally.interrupted_cleanly > 0,
        "no signal ever landed in the write window: {tally:?}"
    );
    // The finished file decrypts with the real sops too.
    std::fs::write(sb.path().join(NAME), &plain).unwrap();
    sb.run(Tool::SopsRs, ["-e", "-i", "--age", AGE1, NAME])
        .success();
    let oracle = sb.run(Tool::Oracle, ["-d", NAME]);
    oracle.success();
    assert!(oracle.stdout == plain);
}
