//! `completion bash|zsh|fish`: static completion scripts. The command line is parsed
//! by hand (Go flag rules, see `flags.rs`), so the scripts are written out rather than
//! generated; they complete subcommands, then flags and file names.

use crate::Outcome;

const COMMANDS: &str = "completion decrypt edit encrypt exec-env exec-file filestatus groups help keyservice publish rotate set unset updatekeys";

const BASH: &str = r#"# bash completion for sops-rs; load with: source <(sops-rs completion bash)
_sops_rs() {
    local cur prev words cword
    cur="${COMP_WORDS[COMP_CWORD]}"
    if [ "$COMP_CWORD" -eq 1 ]; then
        case "$cur" in
            -*) COMPREPLY=( $(compgen -W "--decrypt --encrypt --rotate --in-place --output --extract --input-type --output-type --age --pgp --kms --ignore-mac --config --version --help" -- "$cur") ) ;;
            *) COMPREPLY=( $(compgen -W "@COMMANDS@" -- "$cur") $(compgen -f -- "$cur") ) ;;
        esac
        return 0
    fi
    case "${COMP_WORDS[1]}" in
        groups) if [ "$COMP_CWORD" -eq 2 ]; then COMPREPLY=( $(compgen -W "add delete" -- "$cur") ); return 0; fi ;;
        completion) COMPREPLY=( $(compgen -W "bash zsh fish" -- "$cur") ); return 0 ;;
    esac
    case "$cur" in
        -*) COMPREPLY=( $(compgen -W "--in-place --output --input-type --output-type --age --pgp --kms --file --yes --no-fifo --filename --pristine --same-process --user --background --decryption-order --ignore-mac --idempotent --value-file --value-stdin --shamir-secret-sharing-threshold --help" -- "$cur") ) ;;
        *) COMPREPLY=( $(compgen -f -- "$cur") ) ;;
    esac
}
complete -o filenames -F _sops_rs sops-rs
"#;

const ZSH: &str = r#"#compdef sops-rs
# zsh completion for sops-rs; load with: source <(sops-rs completion zsh)
_sops_rs() {
    local -a cmds
    cmds=(@COMMANDS@)
    if (( CURRENT == 2 )); then
        _alternative 'commands:command:compadd -a cmds' 'files:file:_files'
        return
    fi
    case "$words[2]" in
        groups) (( CURRENT == 3 )) && { compadd add delete; return } ;;
        completion) compadd bash zsh fish; return ;;
    esac
    if [[ "$PREFIX" == -* ]]; then
        compadd -- --in-place --output --input-type --output-type --age --pgp --kms --file --yes --no-fifo --filename --pristine --same-process --user --background --decryption-order --ignore-mac --idempotent --value-file --value-stdin --shamir-secret-sharing-threshold --help
    else
        _files
    fi
}
if [ "$funcstack[1]" = "_sops_rs" ]; then
    _sops_rs "$@"
else
    compdef _sops_rs sops-rs
fi
"#;

const FISH: &str = r#"# fish completion for sops-rs; load with: sops-rs completion fish | source
complete -c sops-rs -n "__fish_use_subcommand" -a "@COMMANDS@"
complete -c sops-rs -n "__fish_seen_subcommand_from groups" -a "add delete"
complete -c sops-rs -n "__fish_seen_subcommand_from completion" -a "bash zsh fish"
complete -c sops-rs -l decrypt -s d -d "decrypt a file"
complete -c sops-rs -l encrypt -s e -d "encrypt a file"
complete -c sops-rs -l in-place -s i -d "write the result back to the file"
complete -c sops-rs -l output -r -d "write the result to this file"
complete -c sops-rs -l input-type -x -a "yaml json dotenv ini binary"
complete -c sops-rs -l output-type -x -a "yaml json dotenv ini binary"
complete -c sops-rs -l age -s a -x -d "age recipients"
complete -c sops-rs -l yes -s y -d "pre-approve all changes (updatekeys)"
complete -c sops-rs -l no-fifo -d "exec-file: use a regular temp file"
complete -c sops-rs -l filename -x -d "exec-file: name of the temp file"
"#;

const HELP: &str = "NAME:
   sops-rs completion - Generate shell completion scripts

USAGE:
   sops-rs completion command

COMMANDS:
   bash  Generate bash completions. To load completions: `$ source <(sops-rs completion bash)`
   zsh   Generate zsh completions. To load completions: `$ source <(sops-rs completion zsh)`
   fish  Generate fish completions. To load completions: `$ sops-rs completion fish | source`
";

/// The script for `shell`, if it is one we know.
fn script(shell: &str) -> Option<String> {
    let template = match shell {
        "bash" => BASH,
        "zsh" => ZSH,
        "fish" => FISH,
        _ => return None,
    };
    Some(template.replace("@COMMANDS@", COMMANDS))
}

/// Runs `completion [bash|zsh|fish]`; anything else prints the help, as sops does.
pub fn run(rest: &[String]) -> Outcome {
    match rest.first().and_then(|s| script(s)) {
        Some(text) => print!("{text}"),
        None => println!("{HELP}"),
    }
    Outcome::Done
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_name_every_command() {
        for shell in ["bash", "zsh", "fish"] {
            let s = script(shell).unwrap();
            assert!(!s.contains("@COMMANDS@"));
            assert!(s.contains("updatekeys") && s.contains("exec-file"));
        }
        assert!(script("tcsh").is_none());
    }

    #[test]
    fn bash_script_is_valid_bash() {
        let s = script("bash").unwrap();
        let out = std::process::Command::new("bash")
            .args(["-n", "-c", &s])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
