//! The `sops-rs` command line: a drop-in for the `sops` 3.11 CLI.

#![forbid(unsafe_code)]

mod cmd_batch;
mod cmd_common;
mod cmd_completion;
mod cmd_edit;
mod cmd_exec;
mod cmd_files;
mod cmd_filestatus;
mod cmd_groups;
mod cmd_helm;
mod cmd_install_hook;
mod cmd_merge_driver;
mod cmd_precommit;
mod cmd_rotate;
mod cmd_set;
mod cmd_textconv;
mod cmd_updatekeys;
mod cmd_values;
mod exit;
mod flags;
mod interrupt;
mod lock;
mod memguard;
mod output;
mod run;
mod specs;

use std::process::ExitCode;

use flags::{FlagError, Parsed};
use run::{Mode, Surface};
use sops_rs::error::Error;

/// The sops version whose behaviour and file format sops-rs implements.
const SOPS_VERSION: &str = "3.11.0";

const HELP: &str = "NAME:
   sops-rs - a fast, SOPS-compatible encrypted file editor
   (age, PGP, AWS KMS, GCP KMS, Azure Key Vault, HashiCorp Vault transit)

USAGE:
   sops-rs [global options] FILE              (-e encrypt, -d decrypt)
   sops-rs encrypt [options] [FILE]           (stdin when FILE is absent)
   sops-rs decrypt [options] [FILE]
   sops-rs [options] FILE, sops-rs edit [options] FILE
                                             (edit in $SOPS_EDITOR/$EDITOR; a new FILE starts from an example)
   sops-rs set [options] FILE INDEX VALUE     (VALUE is JSON; --value-file, --value-stdin, --idempotent)
   sops-rs unset [options] FILE INDEX
   sops-rs rotate [options] FILE              (new data key; --add-<type>/--rm-<type> for every key type)
   sops-rs updatekeys [-y] FILE...            (apply .sops.yaml key changes)
   sops-rs groups add|remove [options] FILE   (edit key groups)
   sops-rs filestatus FILE                    (is FILE encrypted? JSON answer)
   sops-rs exec-env FILE COMMAND, sops-rs exec-file FILE COMMAND
                                             (run COMMAND with the secrets in its environment / a FIFO)
   sops-rs helm [--helm-bin PATH] HELM-ARGS  (sops files given to -f are piped to helm)
   sops-rs values [--ignore-mac] FILE...     (helm's merge of the values files, decrypted)
   sops-rs pre-commit [FILE...]              (refuse staged secrets in clear text; README, Git)
   sops-rs install-hook [--force] [--git-config]  (git pre-commit hook; diff/merge drivers)
   sops-rs merge-driver BASE OURS THEIRS PATH (git merge driver: %O %A %B %P)
   sops-rs textconv FILE                     (decrypt for git diff, format from the content)

   Flags must come before the file name, as with sops. Single and double dashes
   are equivalent (-decrypt, --decrypt); short flags cannot be combined.

COMMON OPTIONS:
   --encrypt, -e                encrypt FILE and print the result
   --decrypt, -d                decrypt FILE and print the result
   --age value, -a value        comma separated age recipients [$SOPS_AGE_RECIPIENTS]
   --pgp value, -p value        comma separated PGP fingerprints [$SOPS_PGP_FP]
   --kms value, -k value        comma separated AWS KMS ARNs [$SOPS_KMS_ARN]
   --gcp-kms value              comma separated GCP KMS resource IDs [$SOPS_GCP_KMS_IDS]
   --azure-kv value             comma separated Azure Key Vault key URLs [$SOPS_AZURE_KEYVAULT_URLS]
   --hc-vault-transit value     comma separated Vault transit key URIs [$SOPS_VAULT_URIS]
   --shamir-secret-sharing-threshold value   key groups needed to decrypt
   --config value               path to .sops.yaml [$SOPS_CONFIG]
   --in-place, -i               write the result back to FILE (atomically)
   --output value               write the result to this file
   --extract value              decrypt only this key, e.g. '[\"db\"][\"password\"]'
   --input-type value           yaml, json, dotenv, ini or binary (default: from the extension)
   --output-type value          same, for the output
   --indent value               YAML/JSON indentation (legacy mode)
   --ignore-mac                 do not verify the MAC when decrypting
   --unencrypted-suffix value   leave keys ending in this suffix in clear (default _unencrypted)
   --encrypted-suffix value     encrypt only keys ending in this suffix
   --unencrypted-regex value    leave keys matching this regex in clear
   --encrypted-regex value      encrypt only keys matching this regex
   --unencrypted-comment-regex value, --encrypted-comment-regex value (legacy mode)
   --mac-only-encrypted         MAC only the encrypted values (legacy mode)
   --filename-override value    name used to pick formats when reading stdin
   --decryption-order value     key types to try first [$SOPS_DECRYPTION_ORDER]
   --version, -v                print the version

age identities are read from SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, SOPS_AGE_KEY_CMD,
SOPS_AGE_SSH_PRIVATE_KEY_FILE, ~/.ssh/id_ed25519, ~/.ssh/id_rsa and
$XDG_CONFIG_HOME/sops/age/keys.txt, as sops does.
";

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// How the process ends.
enum Outcome {
    Done,
    /// A child's exit code passed through (`sops-rs helm`).
    Code(u8),
    Failed(Error),
    /// A legacy-mode usage error (`Incorrect Usage. …`).
    Usage(String),
    /// A subcommand usage error (urfave/cli prints `Incorrect Usage: …` there).
    UsageSub(String),
}

fn main() -> ExitCode {
    // Before anything reads a key or a secret.
    memguard::protect_process();
    let args: Vec<String> = std::env::args().skip(1).collect();
    match dispatch(&args) {
        Outcome::Done => ExitCode::SUCCESS,
        Outcome::Code(code) => ExitCode::from(code),
        Outcome::Usage(msg) => {
            println!("Incorrect Usage. {msg}\n\n{HELP}");
            eprintln!("[CMD]\t level=fatal msg=\"{msg}\"");
            ExitCode::from(1)
        }
        Outcome::UsageSub(msg) => {
            println!("Incorrect Usage: {msg}\n\n{HELP}");
            eprintln!("[CMD]\t level=fatal msg=\"{msg}\"");
            ExitCode::from(1)
        }
        Outcome::Failed(err) => report(&err),
    }
}

/// Prints `err` (sops's message, then a hint) and returns sops's exit code.
fn report(err: &Error) -> ExitCode {
    // A closed pipe (`sops-rs -d f | head`) is not a failure, as in ripgrep.
    if let Error::WriteOutput { source, .. } = err
        && source.kind() == std::io::ErrorKind::BrokenPipe
    {
        return ExitCode::SUCCESS;
    }
    eprintln!("{err}");
    let subject = SUBJECT.get().map(std::path::PathBuf::from);
    if let Some(hint) = err.hint_for(subject.as_deref()) {
        eprintln!("{hint}");
    }
    ExitCode::from(exit::code(err))
}

fn flag_error_message(e: FlagError) -> Option<String> {
    match e {
        FlagError::Help => None,
        FlagError::Undefined(f) => Some(format!("flag provided but not defined: {f}")),
        FlagError::MissingValue(f) => Some(format!("flag needs an argument: {f}")),
        FlagError::BadBool(f, v) => Some(format!("invalid boolean value \"{v}\" for {f}")),
    }
}

/// The file the command works on (its first positional argument), named in
/// hints when sops's message does not name it.
static SUBJECT: std::sync::OnceLock<String> = std::sync::OnceLock::new();

fn parse(args: &[String], specs: &[flags::FlagSpec]) -> Result<Parsed, Outcome> {
    let legacy = std::ptr::eq(specs.as_ptr(), specs::GLOBAL.as_ptr());
    let parsed = flags::parse(args, specs, &env);
    if let Ok(p) = &parsed
        && let Some(first) = p.positionals.first()
        && !(legacy && specs::SUBCOMMANDS.contains(&first.as_str()))
    {
        let _ = SUBJECT.set(first.clone());
    }
    parsed.map_err(|e| match flag_error_message(e) {
        Some(msg) if legacy => Outcome::Usage(msg),
        Some(msg) => Outcome::UsageSub(msg),
        None => {
            println!("{HELP}");
            Outcome::Done
        }
    })
}

fn dispatch(args: &[String]) -> Outcome {
    let global = match parse(args, specs::GLOBAL) {
        Ok(p) => p,
        Err(o) => return o,
    };
    if global.switch("version") {
        println!(
            "sops {SOPS_VERSION} (sops-rs {})",
            env!("CARGO_PKG_VERSION")
        );
        return Outcome::Done;
    }
    let first = global.positionals.first().map(String::as_str);
    if let Some(cmd) = first.filter(|c| specs::SUBCOMMANDS.contains(c)) {
        let rest = &global.positionals[1..];
        return subcommand(cmd, rest, global.value("config"));
    }
    legacy(&global)
}

fn outcome(r: sops_rs::error::Result<()>) -> Outcome {
    match r {
        Ok(()) => Outcome::Done,
        Err(Error::Usage(msg)) => Outcome::Usage(msg),
        Err(e) => Outcome::Failed(e),
    }
}

fn subcommand(cmd: &str, rest: &[String], config: Option<&str>) -> Outcome {
    let (mode, table) = match cmd {
        "encrypt" => (Mode::Encrypt, specs::ENCRYPT),
        "decrypt" => (Mode::Decrypt, specs::DECRYPT),
        "edit" => {
            return with_flags(rest, specs::EDIT, |p| {
                cmd_edit::run(p, Surface::Subcommand, config)
            });
        }
        "set" => return with_flags(rest, specs::SET, |p| cmd_set::run_set(p, config)),
        "unset" => return with_flags(rest, specs::UNSET, |p| cmd_set::run_unset(p, config)),
        "rotate" => {
            return with_flags(rest, specs::ROTATE, |p| {
                cmd_rotate::run(p, Surface::Subcommand, config)
            });
        }
        "filestatus" => return cmd_filestatus::run(rest, config),
        "exec-env" => return cmd_exec::run_env(rest, config),
        "exec-file" => return cmd_exec::run_file(rest, config),
        "updatekeys" => return cmd_updatekeys::run(rest, config),
        "groups" => return cmd_groups::run(rest, config),
        "completion" => return cmd_completion::run(rest),
        "helm" => {
            return match cmd_helm::run(rest) {
                Ok(code) => Outcome::Code(code),
                Err(e) => outcome(Err(e)),
            };
        }
        "values" => {
            return match parse(rest, specs::VALUES) {
                Ok(p) => outcome(cmd_values::run(&p)),
                Err(o) => o,
            };
        }
        "pre-commit" => {
            return exit_with(rest, cmd_precommit::FLAGS, |p| {
                cmd_precommit::run(p, config)
            });
        }
        "install-hook" => return exit_with(rest, cmd_install_hook::FLAGS, cmd_install_hook::run),
        "merge-driver" => {
            return exit_with(rest, cmd_merge_driver::FLAGS, |p| {
                cmd_merge_driver::run(p, config)
            });
        }
        "textconv" => return exit_with(rest, cmd_textconv::FLAGS, cmd_textconv::run),
        "help" | "h" => {
            println!("{HELP}");
            return Outcome::Done;
        }
        other => {
            return Outcome::Failed(Error::Other(format!(
                "the `{other}` command is not implemented in sops-rs yet; use `sops-rs encrypt` or `sops-rs decrypt`"
            )));
        }
    };
    match parse(rest, table) {
        Ok(p) => outcome(run::run(mode, &p, Surface::Subcommand, config)),
        Err(o) => o,
    }
}

/// Parses a subcommand's flags with `table` and runs `f` on them.
fn with_flags(
    rest: &[String],
    table: &[flags::FlagSpec],
    f: impl FnOnce(&Parsed) -> sops_rs::error::Result<()>,
) -> Outcome {
    match parse(rest, table) {
        Ok(p) => outcome(f(&p)),
        Err(o) => o,
    }
}

/// Parses `rest` and runs a command that returns its exit status.
fn exit_with(
    rest: &[String],
    table: &[flags::FlagSpec],
    cmd: impl FnOnce(&Parsed) -> sops_rs::error::Result<u8>,
) -> Outcome {
    match parse(rest, table) {
        Ok(p) => match cmd(&p) {
            Ok(code) => Outcome::Code(code),
            Err(Error::Usage(msg)) => Outcome::UsageSub(msg),
            Err(e) => Outcome::Failed(e),
        },
        Err(o) => o,
    }
}

fn legacy(global: &Parsed) -> Outcome {
    let wants: Vec<&str> = ["encrypt", "decrypt", "rotate"]
        .into_iter()
        .filter(|f| global.switch(f))
        .chain((global.is_set("set") && global.value("set") != Some("")).then_some("set"))
        .collect();
    let mode = match wants.as_slice() {
        [] => {
            if global.positionals.is_empty() {
                return Outcome::Failed(Error::NoFileSpecified);
            }
            return outcome(cmd_edit::run(
                global,
                Surface::Legacy,
                global.value("config"),
            ));
        }
        ["rotate"] => {
            return outcome(cmd_rotate::run(
                global,
                Surface::Legacy,
                global.value("config"),
            ));
        }
        ["set"] => return outcome(cmd_set::run_legacy_set(global, global.value("config"))),
        ["encrypt"] => Mode::Encrypt,
        ["decrypt"] => Mode::Decrypt,
        [one] => {
            return Outcome::Failed(Error::Other(format!(
                "--{one} is not implemented in sops-rs yet"
            )));
        }
        _ => {
            return Outcome::Failed(Error::ConflictingParameters(
                "use only one of --encrypt, --decrypt, --rotate and --set".into(),
            ));
        }
    };
    outcome(run::run(
        mode,
        global,
        Surface::Legacy,
        global.value("config"),
    ))
}
