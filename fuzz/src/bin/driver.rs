//! Stable-toolchain driver for the fuzz targets (libFuzzer needs nightly): a seeded
//! mutation loop over the golden-vector seeds, seed-corpus export for `cargo fuzz`, and
//! replay of saved crash inputs.
//!
//! `driver run <target|all> [N]`, `driver seed <target> <dir>`, `driver replay <target> <file>…`.

#![forbid(unsafe_code)]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::ExitCode;

use sops_rs_fuzz::{TARGETS, seeds};

/// xorshift64*: deterministic, so a run is reproducible from `SOPS_RS_FUZZ_SEED`.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const TOKENS: &[&[u8]] = &[
    b"ENC[",
    b"]",
    b",iv:",
    b",tag:",
    b",type:str",
    b",type:int",
    b"type:comment",
    b"type:time",
    b"\n",
    b": ",
    b"- ",
    b"{",
    b"}",
    b"[",
    b"\"",
    b"'",
    b"#",
    b"=",
    b"&a",
    b"*a",
    b"<<: ",
    b"---\n",
    b"!!binary ",
    b"\\u00",
    b"sops",
    b"mac",
    b"age",
    b"null",
    b"-1",
    b"1e999",
    b"\t",
    b"\r",
    b"\0",
    b"\xff",
    b"[0]",
    b",",
    b":",
    b"AGE-SECRET-KEY-1",
    b"age1",
    b"creation_rules",
    b"key_groups",
];

fn mutate(rng: &mut Rng, seed: &[u8], other: &[u8]) -> Vec<u8> {
    let mut data = seed.to_vec();
    for _ in 0..=rng.below(4) {
        let len = data.len();
        match rng.below(9) {
            0 if len > 0 => {
                let i = rng.below(len);
                data[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                data[i] = rng.next() as u8;
            }
            2 => {
                let i = rng.below(len + 1);
                data.insert(i, rng.next() as u8);
            }
            3 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below(8.min(len - i));
                data.drain(i..i + n);
            }
            4 => data.truncate(rng.below(len + 1)),
            5 if !other.is_empty() => {
                let a = rng.below(len + 1);
                let b = rng.below(other.len());
                data.truncate(a);
                data.extend_from_slice(&other[b..]);
            }
            6 if len > 0 => {
                let a = rng.below(len);
                let b = a + rng.below((len - a).min(64)) + 1;
                let chunk = data[a..b].to_vec();
                let at = rng.below(len + 1);
                data.splice(at..at, chunk);
            }
            7 => {
                let tok = TOKENS[rng.below(TOKENS.len())];
                let at = rng.below(len + 1);
                data.splice(at..at, tok.iter().copied());
            }
            _ => {
                if rng.below(4) == 0 {
                    data = (0..rng.below(64)).map(|_| rng.next() as u8).collect();
                }
            }
        }
    }
    data
}

fn run_one(name: &str, f: fn(&[u8]), input: &[u8]) -> bool {
    if catch_unwind(AssertUnwindSafe(|| f(input))).is_ok() {
        return true;
    }
    let dump = format!(
        "crash-{name}-{:016x}",
        input
            .iter()
            .fold(0u64, |h, b| h.rotate_left(5) ^ u64::from(*b))
    );
    let _ = std::fs::write(&dump, input);
    eprintln!("{name}: PANIC, input saved to {dump}");
    false
}

fn run(name: &str, f: fn(&[u8]), n: u64) -> bool {
    let seeds = seeds(name);
    if seeds.is_empty() {
        eprintln!("{name}: no seeds found (set SOPS_RS_VECTORS)");
        return false;
    }
    let base = std::env::var("SOPS_RS_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5eed_50b5u64);
    let h = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    let mut rng = Rng((base ^ h) | 1);
    let start = std::time::Instant::now();
    let mut ok = seeds.iter().all(|s| run_one(name, f, s));
    for _ in 0..n {
        let (i, j) = (rng.below(seeds.len()), rng.below(seeds.len()));
        let input = mutate(&mut rng, &seeds[i], &seeds[j]);
        ok &= run_one(name, f, &input);
    }
    println!(
        "{name}: {} inputs in {:.1}s{}",
        n + seeds.len() as u64,
        start.elapsed().as_secs_f64(),
        if ok { "" } else { " (CRASHES)" }
    );
    ok
}

fn main() -> ExitCode {
    // The panic message is printed by the hook; a quiet hook would hide the cause.
    let args: Vec<String> = std::env::args().skip(1).collect();
    let target = |n: &str| TARGETS.iter().find(|(t, _)| *t == n).map(|(_, f)| *f);
    let ok = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["run", which, rest @ ..] => {
            let n = rest
                .first()
                .and_then(|s| s.parse().ok())
                .unwrap_or(1_000_000);
            let mut ok = true;
            for (name, f) in TARGETS {
                if *which == "all" || which == name {
                    ok &= run(name, *f, n);
                }
            }
            ok
        }
        ["seed", name, dir] => {
            let _ = std::fs::create_dir_all(dir);
            for (i, s) in seeds(name).iter().enumerate() {
                let _ = std::fs::write(format!("{dir}/seed-{i}"), s);
            }
            true
        }
        ["replay", name, files @ ..] => match target(name) {
            Some(f) => files
                .iter()
                .all(|p| std::fs::read(p).is_ok_and(|b| run_one(name, f, &b))),
            None => false,
        },
        _ => {
            eprintln!(
                "usage: driver run <target|all> [N] | seed <target> <dir> | replay <target> <file>..."
            );
            false
        }
    };
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
