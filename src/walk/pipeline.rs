//! Decrypting a large tree's deferred leaves while the MAC follows behind.
//!
//! SHA-512 is sequential, so the MAC cannot be split over threads; but it only
//! needs each value once that value is decrypted. The leaves are cut into
//! units handed out in order; the calling thread hashes, in walk order, every
//! unit that is done and decrypts a unit itself whenever the next one it needs
//! is not ready. With two cores the hashing thus fills the time the other
//! core spends decrypting, instead of running alone after all of it.

use super::{HashItem, Job, Mode, run_slice, threads};
use crate::cipher::{Cipher, plaintext_of};
use crate::mac::MacHasher;
use crate::tree::Value;
use std::sync::{Mutex, mpsc};

/// Leaves per unit of work: small enough for the hashing to follow closely,
/// large enough that handing units out costs nothing measurable.
const UNIT: usize = 512;

/// A unit handed out: its number and its leaves.
type Unit<'j, 't> = (usize, &'j mut [Job<'t>]);

/// A finished unit and its first failing leaf, if any.
type Done<'j, 't> = (usize, &'j mut [Job<'t>], Option<(usize, String)>);

/// Decrypts `jobs` in place and feeds `hashes` to `hasher` in order. Returns
/// the error of the first failing job, as a leaf-by-leaf walk would stop
/// there (the hash is then meaningless and the caller discards it).
pub(super) fn decrypt_and_hash<'j, 't>(
    cipher: &Cipher,
    aads: &str,
    jobs: &'j mut [Job<'t>],
    hashes: &[HashItem<'t>],
    hasher: &mut MacHasher,
) -> Option<String> {
    let units = jobs.len().div_ceil(UNIT);
    let queue = Mutex::new(jobs.chunks_mut(UNIT).enumerate());
    let (tx, rx) = mpsc::channel::<Done<'j, 't>>();
    let mut ready: Vec<Option<&'j mut [Job<'t>]>> = (0..units).map(|_| None).collect();
    let mut first_error: Option<(usize, String)> = None;
    let mut note = |error: Option<(usize, String)>| {
        if let Some((at, e)) = error
            && first_error.as_ref().is_none_or(|(first, _)| at < *first)
        {
            first_error = Some((at, e));
        }
    };
    std::thread::scope(|scope| {
        let workers: Vec<_> = (1..threads().max(1))
            .map(|_| {
                let tx = tx.clone();
                let queue = &queue;
                scope.spawn(move || {
                    while let Some((n, slice)) = take(queue) {
                        let error = run_slice(cipher, Mode::Decrypt, aads, slice, n * UNIT);
                        if tx.send((n, slice, error)).is_err() {
                            break;
                        }
                    }
                })
            })
            .collect();
        drop(tx);
        // Makes unit `want` ready: decrypt the next unit here, or wait for a worker.
        let mut fetch = |want: usize, ready: &mut Vec<Option<&'j mut [Job<'t>]>>| -> bool {
            while ready.get(want).is_some_and(Option::is_none) {
                // Units the workers finished come first: hashing them is what
                // keeps this thread behind the workers instead of racing them.
                let finished = rx.try_recv().ok();
                let (n, slice, error) = match finished.or_else(|| {
                    take(&queue).map(|(n, slice)| {
                        let error = run_slice(cipher, Mode::Decrypt, aads, slice, n * UNIT);
                        (n, slice, error)
                    })
                }) {
                    Some(done) => done,
                    None => match rx.recv() {
                        Ok(done) => done,
                        // Every worker has gone and the unit never came: one panicked.
                        Err(_) => return false,
                    },
                };
                note(error);
                if let Some(slot) = ready.get_mut(n) {
                    *slot = Some(slice);
                }
            }
            true
        };
        let mut complete = true;
        for item in hashes {
            let plain = match item {
                HashItem::Job(i) => {
                    complete &= fetch(i / UNIT, &mut ready);
                    ready
                        .get(i / UNIT)
                        .and_then(|unit| unit.as_deref())
                        .and_then(|unit| unit.get(i % UNIT))
                        // An encrypted list comment is stored as a string and decrypts
                        // to a comment, which is not hashed (as in the leaf-by-leaf walk).
                        .filter(|j| !matches!(*j.value, Value::Comment(_)))
                        .and_then(|j| plaintext_of(j.value))
                }
                HashItem::Clear(v) => plaintext_of(v),
                HashItem::Bytes(b) => {
                    hasher.update(b);
                    None
                }
            };
            if let Some(p) = plain {
                hasher.update(p.bytes());
            }
        }
        // Units after the last hashed leaf may still fail; wait for all.
        for n in 0..units {
            complete &= fetch(n, &mut ready);
        }
        for w in workers {
            complete &= w.join().is_ok();
        }
        if !complete {
            note(Some((0, "a worker thread panicked".into())));
        }
    });
    first_error.map(|(_, e)| e)
}

/// The next unit to decrypt, if any is left.
fn take<'j, 't>(queue: &Mutex<impl Iterator<Item = Unit<'j, 't>>>) -> Option<Unit<'j, 't>> {
    queue.lock().ok()?.next()
}
