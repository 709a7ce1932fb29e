//! Shell-style name patterns (`*.plaintext.*`, `*.dec`) for files that must never be committed.
//!
//! A tiny matcher rather than a glob crate: only `*` and `?` are needed, and a
//! pattern without `/` is matched against the file's base name, as in `.gitignore`.

/// The naming patterns checked when none are configured.
pub const DEFAULT_PATTERNS: [&str; 3] = ["*.plaintext.*", "*.dec", "*.decrypted.*"];

/// Whether `path` (slash-separated, relative to the repository root) matches `pattern`.
pub fn matches(pattern: &str, path: &str) -> bool {
    let subject = if pattern.contains('/') {
        path
    } else {
        path.rsplit('/').next().unwrap_or(path)
    };
    glob(pattern.as_bytes(), subject.as_bytes())
}

/// Iterative wildcard match with single-star backtracking: linear in practice,
/// no recursion depth to exhaust. `*` and `?` do not cross `/`.
fn glob(p: &[u8], s: &[u8]) -> bool {
    let (mut pi, mut si) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        let sc = s.get(si).copied();
        match p.get(pi).copied() {
            Some(b'*') => {
                star = Some((pi, si));
                pi += 1;
                continue;
            }
            Some(b'?') if sc != Some(b'/') => {
                pi += 1;
                si += 1;
                continue;
            }
            Some(c) if Some(c) == sc => {
                pi += 1;
                si += 1;
                continue;
            }
            _ => {}
        }
        match star {
            Some((sp, ss)) if s.get(ss) != Some(&b'/') => {
                pi = sp + 1;
                si = ss + 1;
                star = Some((sp, ss + 1));
            }
            _ => return false,
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|c| *c == b'*'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_plaintext_names() {
        let hit = |p: &str| DEFAULT_PATTERNS.iter().any(|pat| matches(pat, p));
        assert!(hit("secrets.plaintext.yaml"));
        assert!(hit("dir/sub dir/db.plaintext.json"));
        assert!(hit("x/secrets.yaml.dec"));
        assert!(hit("prod.decrypted.env"));
        assert!(hit("naïve.plaintext.ini"));
    }

    #[test]
    fn other_names_do_not_match() {
        let hit = |p: &str| DEFAULT_PATTERNS.iter().any(|pat| matches(pat, p));
        assert!(!hit("secrets.enc.yaml"));
        assert!(!hit("decoder.rs"));
        assert!(!hit("plaintext.yaml"));
        assert!(!hit("a.dec/readme.md"));
    }

    #[test]
    fn slash_patterns_match_the_whole_path() {
        assert!(matches("secrets/*.yaml", "secrets/a.yaml"));
        assert!(!matches("secrets/*.yaml", "secrets/x/a.yaml"));
        assert!(!matches("secrets/*.yaml", "other/a.yaml"));
        assert!(matches("a?c", "abc"));
        assert!(!matches("a?c", "ac"));
        assert!(matches("*", "anything"));
    }
}
