//! The multi-line "Failed to get the data key" report sops prints when no key works (spec §5.1).
//!
//! Scripts and users compare this text with sops's, so the layout is rebuilt
//! exactly: go-wordwrap's line breaking (60 columns for key errors, 75 for the
//! trailer) and goware/prefixer's per-line prefixes, reimplemented here from
//! their documented behaviour.

/// Why one master key could not recover its part: one message per key service tried.
pub struct KeyFailure {
    /// What identifies the key (recipient, fingerprint, ARN…).
    pub identifier: String,
    /// The errors, one per key service (sops-rs has one local service).
    pub errors: Vec<String>,
}

/// The outcome of one key group: `None` when it yielded its part.
pub type GroupOutcome = Option<Vec<KeyFailure>>;

/// How the SUCCESS/FAILED words are shown: sops colours them (green/red) when its
/// standard output is a terminal, unless `NO_COLOR` is set or `TERM=dumb`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Plain words.
    Plain,
    /// ANSI-coloured words.
    Color,
}

impl Style {
    fn success(self) -> &'static str {
        match self {
            Style::Plain => "SUCCESS",
            Style::Color => "\x1b[32mSUCCESS\x1b[0m",
        }
    }

    fn failed(self) -> &'static str {
        match self {
            Style::Plain => "FAILED",
            Style::Color => "\x1b[31mFAILED\x1b[0m",
        }
    }
}

/// Builds sops's report; `required` is the stored Shamir threshold (0 for one group).
pub fn data_key_report(required: usize, groups: &[GroupOutcome]) -> String {
    data_key_report_styled(required, groups, Style::Plain)
}

/// [`data_key_report`] with the status words in `style`.
pub fn data_key_report_styled(required: usize, groups: &[GroupOutcome], style: Style) -> String {
    let group_texts: Vec<String> = groups
        .iter()
        .enumerate()
        .map(|(i, g)| group_text(i, g.as_deref(), style))
        .collect();
    let successful = groups.iter().filter(|g| g.is_none()).count();
    let trailer = if required == 0 {
        "Recovery failed because no master key was able to decrypt the file. In order for SOPS \
         to recover the file, at least one key has to be successful, but none were."
            .to_string()
    } else {
        format!(
            "Recovery failed because the file was encrypted with a Shamir threshold of {required}, \
             but only {successful} part(s) were successfully recovered, one for each successful key \
             group. In order for SOPS to recover the file, at least {required} groups have to be \
             successful. In order for a group to be successful, decryption has to succeed with any \
             of the keys in that key group."
        )
    };
    format!(
        "Failed to get the data key required to decrypt the SOPS file.\n\n{}\n\n{}",
        group_texts.join("\n\n"),
        wrap(&trailer, 75)
    )
}

fn group_text(index: usize, failures: Option<&[KeyFailure]>, style: Style) -> String {
    match failures {
        None => format!("Group {index}: {}", style.success()),
        Some(keys) => {
            let message = keys
                .iter()
                .map(|k| key_text(k, style))
                .collect::<Vec<_>>()
                .join("\n\n");
            format!(
                "Group {index}: {}\n{}",
                style.failed(),
                prefix_lines(&message, "  ")
            )
        }
    }
}

fn key_text(key: &KeyFailure, style: Style) -> String {
    let messages: Vec<String> = key
        .errors
        .iter()
        .map(|e| {
            let mut text = prefix_lines(&wrap(e, 60), "  | ");
            if !text.is_empty() {
                // sops turns the first prefix "  | " into "- | " to mark each error.
                text.replace_range(..1, "-");
            }
            text
        })
        .collect();
    format!(
        "{}: {}\n{}",
        key.identifier,
        style.failed(),
        prefix_lines(&messages.join("\n\n"), "  ")
    )
}

/// Prepends `prefix` to every line, including empty ones but not after a final newline.
pub fn prefix_lines(text: &str, prefix: &str) -> String {
    let mut out = String::with_capacity(text.len() + prefix.len() * 4);
    for line in text.split_inclusive('\n') {
        out.push_str(prefix);
        out.push_str(line);
    }
    out
}

/// go-wordwrap's `WrapString`: breaks at whitespace so lines stay within `limit`
/// characters where possible; longer words are never split; existing newlines kept.
pub fn wrap(text: &str, limit: usize) -> String {
    const NBSP: char = '\u{A0}';
    let mut out = String::with_capacity(text.len() + 8);
    let mut current = 0usize;
    let mut word = String::new();
    let mut word_len = 0usize;
    let mut space = String::new();
    let mut space_len = 0usize;
    for c in text.chars() {
        if c == '\n' {
            if word.is_empty() {
                if current + space_len <= limit {
                    out.push_str(&space);
                }
            } else {
                out.push_str(&space);
                out.push_str(&word);
                word.clear();
                word_len = 0;
            }
            space.clear();
            space_len = 0;
            out.push('\n');
            current = 0;
        } else if c.is_whitespace() && c != NBSP {
            if space.is_empty() || !word.is_empty() {
                current += space_len + word_len;
                out.push_str(&space);
                out.push_str(&word);
                space.clear();
                space_len = 0;
                word.clear();
                word_len = 0;
            }
            space.push(c);
            space_len += 1;
        } else {
            word.push(c);
            word_len += 1;
            if current + word_len + space_len > limit && word_len < limit {
                out.push('\n');
                current = 0;
                space.clear();
                space_len = 0;
            }
        }
    }
    if word.is_empty() {
        if current + space_len <= limit {
            out.push_str(&space);
        }
    } else {
        out.push_str(&space);
        out.push_str(&word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_matches_go_wordwrap() {
        assert_eq!(wrap("foo bar baz", 7), "foo bar\nbaz");
        assert_eq!(wrap("foo bar baz", 3), "foo\nbar\nbaz");
        assert_eq!(wrap("", 5), "");
        assert_eq!(
            wrap("a verylongwordthatexceeds b", 5),
            "a\nverylongwordthatexceeds\nb"
        );
        assert_eq!(wrap("foo\nbar baz qux", 7), "foo\nbar baz\nqux");
        // Trailing spaces that would overflow are dropped, as in Go.
        assert_eq!(wrap("abc   ", 4), "abc");
        assert_ne!(wrap("foo bar baz", 7), "foo bar baz");
    }

    #[test]
    fn colored_status_words_like_sops_on_a_terminal() {
        let keys = vec![KeyFailure {
            identifier: "k".into(),
            errors: vec!["boom".into()],
        }];
        let report = data_key_report_styled(0, &[None, Some(keys)], Style::Color);
        assert!(report.contains("Group 0: \x1b[32mSUCCESS\x1b[0m\n\nGroup 1: \x1b[31mFAILED\x1b[0m\n  k: \x1b[31mFAILED\x1b[0m\n    - | boom"));
    }

    #[test]
    fn prefix_every_line() {
        assert_eq!(prefix_lines("a\n\nb", "  "), "  a\n  \n  b");
        assert_eq!(prefix_lines("a\n", "> "), "> a\n");
        assert_eq!(prefix_lines("", "> "), "");
    }

    /// Text captured from the sops 3.11 reference binary (no identities anywhere).
    #[test]
    fn report_matches_sops_no_identities() {
        let msg = "failed to load age identities. Did not find keys in locations \
                   'SOPS_AGE_SSH_PRIVATE_KEY_FILE', '/tmp/agex/h1/.ssh/id_ed25519', \
                   '/tmp/agex/h1/.ssh/id_rsa', 'SOPS_AGE_KEY', 'SOPS_AGE_KEY_FILE', \
                   'SOPS_AGE_KEY_CMD', and '/tmp/agex/h1/.config/sops/age/keys.txt'.";
        let keys = vec![
            KeyFailure {
                identifier: "age1nnmpk85mnr9tfeqkx3vuathzkjz0cc820m3pphx3kn68wy08vc2s49dfgr".into(),
                errors: vec![msg.into()],
            },
            KeyFailure {
                identifier: "age1sejqed925yw6jgarccflp4x5ywce2kt82nr4l5ytyaz4t7f344ns3ghk62".into(),
                errors: vec![msg.into()],
            },
        ];
        let expected = "Failed to get the data key required to decrypt the SOPS file.

Group 0: FAILED
  age1nnmpk85mnr9tfeqkx3vuathzkjz0cc820m3pphx3kn68wy08vc2s49dfgr: FAILED
    - | failed to load age identities. Did not find keys in
      | locations 'SOPS_AGE_SSH_PRIVATE_KEY_FILE',
      | '/tmp/agex/h1/.ssh/id_ed25519', '/tmp/agex/h1/.ssh/id_rsa',
      | 'SOPS_AGE_KEY', 'SOPS_AGE_KEY_FILE', 'SOPS_AGE_KEY_CMD', and
      | '/tmp/agex/h1/.config/sops/age/keys.txt'.
  
  age1sejqed925yw6jgarccflp4x5ywce2kt82nr4l5ytyaz4t7f344ns3ghk62: FAILED
    - | failed to load age identities. Did not find keys in
      | locations 'SOPS_AGE_SSH_PRIVATE_KEY_FILE',
      | '/tmp/agex/h1/.ssh/id_ed25519', '/tmp/agex/h1/.ssh/id_rsa',
      | 'SOPS_AGE_KEY', 'SOPS_AGE_KEY_FILE', 'SOPS_AGE_KEY_CMD', and
      | '/tmp/agex/h1/.config/sops/age/keys.txt'.

Recovery failed because no master key was able to decrypt the file. In
order for SOPS to recover the file, at least one key has to be successful,
but none were.";
        assert_eq!(data_key_report(0, &[Some(keys)]), expected);
    }

    #[test]
    fn shamir_trailer_and_success_lines() {
        let report = data_key_report(
            2,
            &[
                None,
                Some(vec![KeyFailure {
                    identifier: "k".into(),
                    errors: vec!["boom".into()],
                }]),
            ],
        );
        assert!(
            report.contains("Group 0: SUCCESS\n\nGroup 1: FAILED\n  k: FAILED\n    - | boom\n\n")
        );
        assert!(report.ends_with(
            "Recovery failed because the file was encrypted with a Shamir threshold of
2, but only 1 part(s) were successfully recovered, one for each successful
key group. In order for SOPS to recover the file, at least 2 groups have to
be successful. In order for a group to be successful, decryption has to
succeed with any of the keys in that key group."
        ));
    }
}
