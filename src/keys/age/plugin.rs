//! age plugins (`age-plugin-<name>` on `PATH`): the user-interface callbacks and Go age's error texts.
//!
//! The `age` crate runs the plugin protocol; this module decides what the plugin's
//! requests do (messages to stderr, questions on the terminal the way sops asks them)
//! and words failures as Go age does (`<name> plugin: <message>`). Plugin identities
//! are wrapped so that a failing plugin is recorded and the other identities are still
//! tried, instead of one broken plugin aborting the whole decryption.

use super::gocompat;
use super::identities::{BoxedIdentity, FallibleIdentity};
use super::terminal;
use age::secrecy::SecretString;
use age_core::format::{FileKey, Stanza};
use std::cell::RefCell;

/// Plugin UI on the terminal, as sops's `pluginTerminalUI`.
#[derive(Clone)]
pub struct TerminalCallbacks {
    plugin: String,
}

impl TerminalCallbacks {
    /// Callbacks for the plugin called `plugin` (the part after `age-plugin-`).
    pub fn new(plugin: &str) -> TerminalCallbacks {
        TerminalCallbacks {
            plugin: plugin.to_string(),
        }
    }

    fn warn_unreadable(&self, err: &str) {
        terminal::show_message(&format!(
            "[AGE]\t level=warning msg=\"age: warning: could not read value for age-plugin-{}: {err}\"",
            self.plugin
        ));
    }

    fn ask(&self, prompt: &str) -> Option<zeroize::Zeroizing<Vec<u8>>> {
        terminal::read_secret(prompt)
            .map_err(|e| self.warn_unreadable(&e))
            .ok()
    }
}

impl age::Callbacks for TerminalCallbacks {
    fn display_message(&self, message: &str) {
        terminal::show_message(&format!("age: {} plugin: {message}", self.plugin));
    }

    fn confirm(&self, message: &str, yes: &str, no: Option<&str>) -> Option<bool> {
        let Some(no) = no else {
            let prompt = format!("{message} (press enter for {})", gocompat::quote(yes));
            return self.ask(&prompt).map(|_| true);
        };
        let prompt = format!(
            "{message} (press [1] for {} or [2] for {})",
            gocompat::quote(yes),
            gocompat::quote(no)
        );
        loop {
            match terminal::read_character(&prompt) {
                Ok(b'1') => return Some(true),
                Ok(b'2') => return Some(false),
                Ok(0x03) => {
                    self.warn_unreadable("user cancelled prompt");
                    return None;
                }
                Ok(other) => terminal::show_message(&format!(
                    "[AGE]\t level=warning msg=\"age: warning: reading value for age-plugin-{}: invalid selection {}\"",
                    self.plugin,
                    gocompat::quote(&char::from(other).to_string())
                )),
                Err(e) => {
                    self.warn_unreadable(&e);
                    return None;
                }
            }
        }
    }

    fn request_public_string(&self, description: &str) -> Option<String> {
        // sops reads public values without echo too.
        self.ask(description)
            .map(|v| String::from_utf8_lossy(&v).into_owned())
    }

    fn request_passphrase(&self, description: &str) -> Option<SecretString> {
        let value = self.ask(description)?;
        let secret = terminal::into_secret(&value);
        if secret.is_none() {
            self.warn_unreadable("the value is not valid UTF-8");
        }
        secret
    }
}

/// Go age's text for a plugin that cannot be started.
pub fn resolve_error(name: &str, e: &age::plugin::ResolveError) -> String {
    match e {
        age::plugin::ResolveError::MissingPlugin { binary_name } => format!(
            "{name} plugin: couldn't start plugin: {} plugin not found: exec: {}: executable file not found in $PATH",
            gocompat::quote(name),
            gocompat::quote(binary_name)
        ),
        other => format!("{name} plugin: {other}"),
    }
}

/// The plugin's own message inside the crate's (English) wording of a plugin error.
///
/// The crate's error type is not public, so its `Display` text is taken apart:
/// `'age-plugin-x' couldn't use an identity: MSG`, `… couldn't use recipient R: MSG`,
/// or `(kind metadata…) MSG`. Fluent's Unicode isolation marks are dropped first.
fn plugin_message(text: &str) -> String {
    let text: String = text
        .chars()
        .filter(|c| !matches!(c, '\u{2068}' | '\u{2069}'))
        .collect();
    const IDENTITY: &str = "couldn't use an identity: ";
    const RECIPIENT: &str = "couldn't use recipient ";
    if let Some(rest) = text
        .find(IDENTITY)
        .and_then(|i| text.get(i + IDENTITY.len()..))
    {
        return rest.to_string();
    }
    if let Some(rest) = text
        .find(RECIPIENT)
        .and_then(|i| text.get(i + RECIPIENT.len()..))
        && let Some(message) = rest.find(": ").and_then(|j| rest.get(j + 2..))
    {
        return message.to_string();
    }
    if text.starts_with('(')
        && let Some(message) = text.find(')').and_then(|j| text.get(j + 1..))
    {
        return message.trim_start().to_string();
    }
    text
}

/// `<name> plugin: <message>` for each error the plugin reported, as Go age words them.
fn describe_plugin_errors<E: std::fmt::Display>(name: &str, errors: &[E]) -> String {
    errors
        .iter()
        .map(|e| format!("{name} plugin: {}", plugin_message(&e.to_string())))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The text for a failed wrap by the plugin `name`.
pub fn describe_encrypt_error(name: &str, e: &age::EncryptError) -> String {
    match e {
        age::EncryptError::Plugin(errors) => describe_plugin_errors(name, errors),
        age::EncryptError::PluginResolve(r) => resolve_error(name, r),
        other => format!("{name} plugin: {other}"),
    }
}

fn describe_decrypt_error(name: &str, e: &age::DecryptError) -> String {
    match e {
        age::DecryptError::Plugin(errors) => describe_plugin_errors(name, errors),
        other => format!("{name} plugin: {other}"),
    }
}

/// A plugin identity whose failures are kept rather than ending the decryption.
pub struct PluginIdentity {
    name: String,
    inner: BoxedIdentity,
    failure: RefCell<Option<String>>,
}

impl PluginIdentity {
    /// Starts (resolves) `age-plugin-<name>` for `identity`; Go age's error if it is missing.
    pub fn new(identity: age::plugin::Identity) -> Result<PluginIdentity, String> {
        let name = identity.plugin().to_string();
        let inner = age::plugin::IdentityPluginV1::new(
            &name,
            std::slice::from_ref(&identity),
            TerminalCallbacks::new(&name),
        )
        .map_err(|e| resolve_error(&name, &e))?;
        Ok(PluginIdentity {
            name,
            inner: Box::new(inner),
            failure: RefCell::new(None),
        })
    }
}

impl age::Identity for PluginIdentity {
    fn unwrap_stanza(&self, stanza: &Stanza) -> Option<Result<FileKey, age::DecryptError>> {
        self.unwrap_stanzas(std::slice::from_ref(stanza))
    }

    fn unwrap_stanzas(&self, stanzas: &[Stanza]) -> Option<Result<FileKey, age::DecryptError>> {
        match self.inner.unwrap_stanzas(stanzas) {
            Some(Err(e)) => {
                *self.failure.borrow_mut() = Some(describe_decrypt_error(&self.name, &e));
                None
            }
            other => other,
        }
    }
}

impl FallibleIdentity for PluginIdentity {
    fn failure(&self) -> Option<String> {
        self.failure.borrow().clone()
    }

    fn no_match(&self) -> String {
        format!(
            "{} plugin: incorrect identity for recipient block",
            self.name
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plugin_errors_read_like_go() {
        assert_eq!(
            plugin_message(
                "'\u{2068}age-plugin-x\u{2069}' couldn't use an identity: \u{2068}bad pin\u{2069}"
            ),
            "bad pin"
        );
        assert_eq!(
            plugin_message("'age-plugin-x' couldn't use recipient age1x1qq: no: really"),
            "no: really"
        );
        assert_eq!(plugin_message("(internal) boom"), "boom");
        assert_eq!(plugin_message("(internal a b)"), "");
        assert_eq!(plugin_message("whatever"), "whatever");
        assert_eq!(
            describe_plugin_errors("x", &["(internal) a", "(internal) b"]),
            "x plugin: a; x plugin: b"
        );
    }

    #[test]
    fn missing_plugin_text() {
        let id = age::plugin::Identity::default_for_plugin("nosuchpluginsopsrs").unwrap();
        let err = PluginIdentity::new(id).err().unwrap();
        assert_eq!(
            err,
            "nosuchpluginsopsrs plugin: couldn't start plugin: \"nosuchpluginsopsrs\" plugin not found: exec: \"age-plugin-nosuchpluginsopsrs\": executable file not found in $PATH"
        );
    }
}
