//! A per-process cache of unwrapped data keys, for commands that handle many files.
//!
//! Unwrapping is the only expensive step of a small decrypt (an X25519 ladder,
//! a `gpg` process or a KMS round trip), and a command that reads many files
//! may see the same wrapped key more than once (the same file twice, copies,
//! helm values files). Entries are keyed by a SHA-256 of everything that
//! decides the result — every master key's metadata entry (so the wrapped blob,
//! ARN, role, profile, encryption context), the Shamir threshold and the
//! decryption order — so two files share an entry only when unwrapping them
//! would do exactly the same calls. The cache is off until a [`KeyCacheScope`]
//! is entered (single-file commands never keep a key longer than they need
//! it); leaving the last scope drops every key, and [`DataKey`] zeroizes itself.
//!
//! [`prefetch`] unwraps the distinct keys of a batch concurrently on a few
//! threads (bounded), so that 500 files wrapped by one KMS key cost about
//! `500 / bound` round trips of wall time instead of 500 sequential ones.

use crate::datakey::DataKey;
use crate::error::Result;
use crate::keys::{DecryptionOrder, KeyGroup};
use crate::metadata::Metadata;
use crate::tree::{Key, Map, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// How many unwraps [`prefetch`] runs at once: KMS and gpg calls wait on the
/// network or a child process, not on the CPU, but a service may throttle.
pub const PREFETCH_CONCURRENCY: usize = 8;

type Fingerprint = [u8; 32];

struct State {
    /// Nested scopes still open.
    depth: usize,
    keys: HashMap<Fingerprint, DataKey>,
}

static CACHE: Mutex<Option<State>> = Mutex::new(None);

/// Master-key unwraps actually performed (cache misses), for tests and benchmarks.
static UNWRAPS: AtomicUsize = AtomicUsize::new(0);

/// While alive, [`recover_key_cached`] remembers the keys it unwraps; dropping
/// the last scope forgets (and so zeroizes) all of them.
pub struct KeyCacheScope {
    _private: (),
}

impl KeyCacheScope {
    /// Turns the cache on until the returned scope is dropped.
    pub fn enter() -> KeyCacheScope {
        let mut guard = lock();
        match guard.as_mut() {
            Some(state) => state.depth += 1,
            None => {
                *guard = Some(State {
                    depth: 1,
                    keys: HashMap::new(),
                })
            }
        }
        KeyCacheScope { _private: () }
    }
}

impl Drop for KeyCacheScope {
    fn drop(&mut self) {
        let mut guard = lock();
        let last = match guard.as_mut() {
            Some(state) => {
                state.depth = state.depth.saturating_sub(1);
                state.depth == 0
            }
            None => false,
        };
        if last {
            // Dropping the map drops every DataKey, which zeroizes its bytes.
            *guard = None;
        }
    }
}

/// The cache lock; a panic while it was held cannot leave a half-written key
/// (inserts are single `HashMap` operations), so a poisoned lock is still usable.
fn lock() -> std::sync::MutexGuard<'static, Option<State>> {
    CACHE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// How many master-key unwraps this process has performed through this module.
pub fn unwrap_count() -> usize {
    UNWRAPS.load(Ordering::Relaxed)
}

/// The data key of `metadata`: from the cache when a scope is open and the same
/// wrapped keys were unwrapped before, else from `unwrap` (remembered on success).
pub fn recover_key_cached(
    metadata: &Metadata,
    order: &DecryptionOrder,
    unwrap: impl FnOnce() -> Result<DataKey>,
) -> Result<DataKey> {
    let fp = {
        let guard = lock();
        match guard.as_ref() {
            None => None,
            Some(state) => {
                let fp = fingerprint(&metadata.key_groups, metadata.shamir_threshold, order);
                if let Some(key) = state.keys.get(&fp) {
                    return DataKey::from_slice(key.as_bytes());
                }
                Some(fp)
            }
        }
    };
    UNWRAPS.fetch_add(1, Ordering::Relaxed);
    let key = unwrap()?;
    if let Some(fp) = fp
        && let Some(state) = lock().as_mut()
    {
        state
            .keys
            .entry(fp)
            .or_insert(DataKey::from_slice(key.as_bytes())?);
    }
    Ok(key)
}

/// Unwraps, `PREFETCH_CONCURRENCY` at a time, the distinct keys of `files` that
/// the open scope does not hold yet, so that the per-file pass that follows
/// finds them cached. Failures are not kept: that pass tries again and reports
/// them exactly as a single-file command would. Without an open scope, or with
/// fewer than two keys to fetch, nothing happens (no threads are started).
pub fn prefetch<'a>(
    files: impl IntoIterator<Item = &'a Metadata>,
    order: &DecryptionOrder,
    unwrap: impl Fn(&Metadata) -> Result<DataKey> + Sync,
) {
    let mut todo: Vec<(Fingerprint, &Metadata)> = Vec::new();
    {
        let guard = lock();
        let Some(state) = guard.as_ref() else {
            return;
        };
        for md in files {
            let fp = fingerprint(&md.key_groups, md.shamir_threshold, order);
            if !state.keys.contains_key(&fp) && !todo.iter().any(|(f, _)| *f == fp) {
                todo.push((fp, md));
            }
        }
    }
    if todo.len() < 2 {
        return;
    }
    let next = AtomicUsize::new(0);
    let workers = PREFETCH_CONCURRENCY.min(todo.len());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((fp, md)) = todo.get(i) else {
                        break;
                    };
                    UNWRAPS.fetch_add(1, Ordering::Relaxed);
                    let Ok(key) = unwrap(md) else {
                        continue;
                    };
                    if let Some(state) = lock().as_mut() {
                        state.keys.entry(*fp).or_insert(key);
                    }
                }
            });
        }
    });
}

/// SHA-256 over everything that decides what unwrapping returns.
fn fingerprint(groups: &[KeyGroup], threshold: usize, order: &DecryptionOrder) -> Fingerprint {
    let mut h = Sha256::new();
    h.update((threshold as u64).to_le_bytes());
    for t in &order.0 {
        field(&mut h, t.as_bytes());
    }
    for group in groups {
        h.update(b"G");
        for key in &group.keys {
            h.update(b"K");
            field(&mut h, key.type_name().as_bytes());
            hash_map(&mut h, &key.to_metadata());
        }
    }
    h.finalize().into()
}

/// Length-prefixed, so that no two different inputs hash the same bytes.
fn field(h: &mut Sha256, bytes: &[u8]) {
    h.update((bytes.len() as u64).to_le_bytes());
    h.update(bytes);
}

fn hash_map(h: &mut Sha256, map: &Map) {
    h.update(b"{");
    for item in &map.items {
        match &item.key {
            Key::Str(k) => field(h, k.as_bytes()),
            Key::Comment(c) => field(h, c.as_bytes()),
            Key::Scalar(v) => hash_value(h, v),
        }
        hash_value(h, &item.value);
    }
    h.update(b"}");
}

fn hash_value(h: &mut Sha256, v: &Value) {
    match v {
        Value::Map(m) => hash_map(h, m),
        Value::List(l) => {
            h.update(b"[");
            for x in l {
                hash_value(h, x);
            }
            h.update(b"]");
        }
        Value::Str(s) | Value::Comment(s) => {
            h.update(b"s");
            field(h, s.as_bytes());
        }
        Value::Bytes(b) => {
            h.update(b"b");
            field(h, b);
        }
        Value::Int(i) => {
            h.update(b"i");
            h.update(i.to_le_bytes());
        }
        Value::Uint64(u) => {
            h.update(b"u");
            h.update(u.to_le_bytes());
        }
        Value::Float(f) => {
            h.update(b"f");
            h.update(f.to_bits().to_le_bytes());
        }
        Value::Bool(b) => h.update(if *b { b"T" } else { b"F" }),
        Value::Time(t) => {
            h.update(b"t");
            field(h, t.to_rfc3339_nano().as_bytes());
        }
        Value::Null => h.update(b"n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::MasterKey;
    use crate::keys::age::AgeKey;

    /// The cache is process-wide: tests that open scopes must not overlap.
    static SERIAL: Mutex<()> = Mutex::new(());

    const R1: &str = "age1nnmpk85mnr9tfeqkx3vuathzkjz0cc820m3pphx3kn68wy08vc2s49dfgr";

    fn metadata_with_enc(enc: &str) -> Metadata {
        let mut entry = Map::new();
        entry.push("recipient", Value::str(R1));
        entry.push("enc", Value::str(enc));
        let key = AgeKey::from_metadata(&entry).unwrap();
        let mut md = crate::ops::new_metadata(
            false,
            crate::ops::EncryptConfig {
                key_groups: vec![KeyGroup {
                    keys: vec![MasterKey::Age(key)],
                }],
                shamir_threshold: 0,
                rule: None,
                mac_only_encrypted: false,
            },
        );
        md.mac = "x".into();
        md
    }

    fn counting_unwrap(calls: &AtomicUsize, byte: u8) -> Result<DataKey> {
        calls.fetch_add(1, Ordering::SeqCst);
        DataKey::from_slice(&[byte; 32])
    }

    #[test]
    fn off_without_a_scope() {
        let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
        let md = metadata_with_enc("blob-a");
        let calls = AtomicUsize::new(0);
        let order = DecryptionOrder::default();
        for _ in 0..3 {
            recover_key_cached(&md, &order, || counting_unwrap(&calls, 1)).unwrap();
        }
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn each_distinct_wrapped_key_is_unwrapped_once() {
        let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
        let a = metadata_with_enc("blob-a");
        let a_again = metadata_with_enc("blob-a");
        let b = metadata_with_enc("blob-b");
        let order = DecryptionOrder::default();
        let calls = AtomicUsize::new(0);
        {
            let _scope = KeyCacheScope::enter();
            let k1 = recover_key_cached(&a, &order, || counting_unwrap(&calls, 1)).unwrap();
            let k2 = recover_key_cached(&a_again, &order, || counting_unwrap(&calls, 9)).unwrap();
            assert_eq!(
                k1.as_bytes(),
                k2.as_bytes(),
                "second file served from the cache"
            );
            let k3 = recover_key_cached(&b, &order, || counting_unwrap(&calls, 2)).unwrap();
            assert_eq!(k3.as_bytes(), &[2u8; 32]);
            // Another decryption order is another entry.
            let other = DecryptionOrder(vec!["pgp".into()]);
            recover_key_cached(&a, &other, || counting_unwrap(&calls, 3)).unwrap();
            assert_eq!(calls.load(Ordering::SeqCst), 3);
        }
        // The scope is closed: keys are forgotten.
        let k = recover_key_cached(&a, &order, || counting_unwrap(&calls, 4)).unwrap();
        assert_eq!(k.as_bytes(), &[4u8; 32]);
        assert_eq!(calls.load(Ordering::SeqCst), 4);
    }

    #[test]
    fn failures_are_not_cached() {
        let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
        let a = metadata_with_enc("blob-fail");
        let order = DecryptionOrder::default();
        let _scope = KeyCacheScope::enter();
        let err = recover_key_cached(&a, &order, || {
            Err(crate::error::Error::Other("no identity".into()))
        });
        assert!(err.is_err());
        let calls = AtomicUsize::new(0);
        recover_key_cached(&a, &order, || counting_unwrap(&calls, 5)).unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn prefetch_fetches_distinct_keys_concurrently_once() {
        let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
        let files: Vec<Metadata> = (0..20)
            .map(|i| metadata_with_enc(&format!("blob-{}", i % 5)))
            .collect();
        let order = DecryptionOrder::default();
        let calls = AtomicUsize::new(0);
        let threads = Mutex::new(std::collections::HashSet::new());
        let _scope = KeyCacheScope::enter();
        prefetch(files.iter(), &order, |md| {
            threads.lock().unwrap().insert(std::thread::current().id());
            let enc = md.key_groups[0].keys[0].to_metadata();
            let byte = match enc.get("enc") {
                Some(Value::Str(s)) => s.as_bytes()[5],
                _ => 0,
            };
            counting_unwrap(&calls, byte)
        });
        assert_eq!(
            calls.load(Ordering::SeqCst),
            5,
            "one unwrap per distinct key"
        );
        assert!(
            !threads
                .lock()
                .unwrap()
                .contains(&std::thread::current().id())
        );
        let later = AtomicUsize::new(0);
        for (i, md) in files.iter().enumerate() {
            let k = recover_key_cached(md, &order, || counting_unwrap(&later, 0)).unwrap();
            assert_eq!(k.as_bytes()[0], b'0' + (i % 5) as u8);
        }
        assert_eq!(later.load(Ordering::SeqCst), 0, "all served from the cache");
    }

    #[test]
    fn prefetch_without_scope_or_with_one_key_starts_nothing() {
        let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
        let files = [metadata_with_enc("x1"), metadata_with_enc("x2")];
        let calls = AtomicUsize::new(0);
        let order = DecryptionOrder::default();
        prefetch(files.iter(), &order, |_| counting_unwrap(&calls, 1));
        assert_eq!(calls.load(Ordering::SeqCst), 0, "no scope");
        let _scope = KeyCacheScope::enter();
        prefetch(files[..1].iter(), &order, |_| counting_unwrap(&calls, 1));
        assert_eq!(
            calls.load(Ordering::SeqCst),
            0,
            "a single key is left to the caller"
        );
    }
}
