//! Go `flag`-style argument parsing, because sops (urfave/cli v1) accepts `-flag`,
//! `--flag`, `-flag=v` and `-flag v` alike, never combined short flags, and stops at
//! the first positional argument. clap cannot express that, so this is hand-written.

use std::collections::HashMap;

/// One flag a command accepts.
pub struct FlagSpec {
    /// Names without dashes; the first is canonical (`decrypt`, `d`).
    pub names: &'static [&'static str],
    /// Whether the flag takes a value (`--age X`) or is a switch (`-d`).
    pub takes_value: bool,
    /// Environment variable that supplies a default value, as sops declares it.
    pub env: Option<&'static str>,
    /// Whether the flag may be repeated (values accumulate).
    pub repeatable: bool,
}

/// The result of parsing: values by canonical name, then the positional arguments.
#[derive(Debug, Default)]
pub struct Parsed {
    values: HashMap<&'static str, Vec<String>>,
    /// Arguments after the flags.
    pub positionals: Vec<String>,
}

/// Why the arguments could not be parsed.
#[derive(Debug, PartialEq, Eq)]
pub enum FlagError {
    /// `-x` is not a flag of this command; holds the flag as typed, without value.
    Undefined(String),
    /// A value flag came last with no value.
    MissingValue(String),
    /// A switch was given a value that is not a boolean (`-d=maybe`).
    BadBool(String, String),
    /// `-h`/`--help`.
    Help,
}

impl Parsed {
    /// The last value of a value flag (falls back to its environment variable when unset).
    pub fn value(&self, name: &str) -> Option<&str> {
        self.values
            .get(name)
            .and_then(|v| v.last())
            .map(String::as_str)
    }

    /// Every value of a repeatable flag.
    pub fn values(&self, name: &str) -> &[String] {
        self.values.get(name).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Whether a switch is on.
    pub fn switch(&self, name: &str) -> bool {
        self.value(name) == Some("true")
    }

    /// Whether the flag was given at all (on the command line or through its environment variable).
    pub fn is_set(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }
}

fn parse_go_bool(s: &str) -> Option<bool> {
    sops_rs::gofmt::parse_bool(s)
}

/// Parses `args` against `specs`. Parsing stops at the first argument that is not a flag
/// (or after `--`); everything from there on is positional, as Go's `flag` package does.
pub fn parse(
    args: &[String],
    specs: &[FlagSpec],
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Parsed, FlagError> {
    let mut parsed = Parsed::default();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        if arg == "--" {
            i += 1;
            break;
        }
        let Some(body) = arg.strip_prefix('-') else {
            break;
        };
        if body.is_empty() {
            break; // a lone "-" is positional
        }
        let body = body.strip_prefix('-').unwrap_or(body);
        if body.is_empty() || body.starts_with('-') || body.starts_with('=') {
            return Err(FlagError::Undefined(arg.clone()));
        }
        let (name, inline) = match body.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (body, None),
        };
        if name == "h" || name == "help" {
            return Err(FlagError::Help);
        }
        let Some(spec) = specs.iter().find(|s| s.names.contains(&name)) else {
            return Err(FlagError::Undefined(format!("-{name}")));
        };
        let canonical = spec.names[0];
        let value = if spec.takes_value {
            match inline {
                Some(v) => v,
                None => {
                    i += 1;
                    match args.get(i) {
                        Some(v) => v.clone(),
                        None => return Err(FlagError::MissingValue(format!("-{name}"))),
                    }
                }
            }
        } else {
            match inline {
                Some(v) => match parse_go_bool(&v) {
                    Some(b) => b.to_string(),
                    None => return Err(FlagError::BadBool(format!("-{name}"), v)),
                },
                None => "true".to_string(),
            }
        };
        let slot = parsed.values.entry(canonical).or_default();
        if spec.repeatable {
            slot.push(value);
        } else {
            *slot = vec![value];
        }
        i += 1;
    }
    parsed.positionals = args[i.min(args.len())..].to_vec();
    for spec in specs {
        let canonical = spec.names[0];
        if parsed.values.contains_key(canonical) {
            continue;
        }
        // An empty variable counts as unset, as urfave/cli treats it.
        if let Some(v) = spec.env.and_then(env).filter(|v| !v.is_empty()) {
            let v = if spec.takes_value {
                v
            } else {
                match parse_go_bool(&v) {
                    Some(b) => b.to_string(),
                    None => continue,
                }
            };
            parsed.values.insert(canonical, vec![v]);
        }
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPECS: &[FlagSpec] = &[
        FlagSpec {
            names: &["decrypt", "d"],
            takes_value: false,
            env: None,
            repeatable: false,
        },
        FlagSpec {
            names: &["in-place", "i"],
            takes_value: false,
            env: None,
            repeatable: false,
        },
        FlagSpec {
            names: &["age", "a"],
            takes_value: true,
            env: Some("SOPS_AGE_RECIPIENTS"),
            repeatable: false,
        },
        FlagSpec {
            names: &["keyservice"],
            takes_value: true,
            env: None,
            repeatable: true,
        },
    ];

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn single_and_double_dash_are_equivalent() {
        let p = parse(&args(&["-decrypt", "f"]), SPECS, &no_env).unwrap();
        assert!(p.switch("decrypt"));
        let p = parse(&args(&["--d", "f"]), SPECS, &no_env).unwrap();
        assert!(p.switch("decrypt"));
        assert_eq!(p.positionals, ["f"]);
    }

    #[test]
    fn values_inline_or_separate() {
        let p = parse(&args(&["-a=x", "f"]), SPECS, &no_env).unwrap();
        assert_eq!(p.value("age"), Some("x"));
        let p = parse(&args(&["--age", "y", "f"]), SPECS, &no_env).unwrap();
        assert_eq!(p.value("age"), Some("y"));
    }

    #[test]
    fn combined_short_flags_are_unknown() {
        assert_eq!(
            parse(&args(&["-di", "f"]), SPECS, &no_env).unwrap_err(),
            FlagError::Undefined("-di".into())
        );
    }

    #[test]
    fn flags_after_positionals_are_positional() {
        let p = parse(&args(&["f", "-d"]), SPECS, &no_env).unwrap();
        assert!(!p.switch("decrypt"));
        assert_eq!(p.positionals, ["f", "-d"]);
    }

    #[test]
    fn env_defaults_apply_when_flag_absent_and_non_empty() {
        let env = |k: &str| (k == "SOPS_AGE_RECIPIENTS").then(|| "age1x".to_string());
        let p = parse(&args(&["f"]), SPECS, &env).unwrap();
        assert_eq!(p.value("age"), Some("age1x"));
        let empty = |_: &str| Some(String::new());
        let p = parse(&args(&["f"]), SPECS, &empty).unwrap();
        assert_eq!(p.value("age"), None);
    }

    #[test]
    fn missing_value_and_bad_bool() {
        assert_eq!(
            parse(&args(&["-a"]), SPECS, &no_env).unwrap_err(),
            FlagError::MissingValue("-a".into())
        );
        assert!(matches!(
            parse(&args(&["-d=maybe"]), SPECS, &no_env).unwrap_err(),
            FlagError::BadBool(..)
        ));
        let p = parse(&args(&["-d=false", "f"]), SPECS, &no_env).unwrap();
        assert!(!p.switch("decrypt"));
    }

    #[test]
    fn repeatable_flags_accumulate() {
        let p = parse(
            &args(&["--keyservice", "a", "--keyservice", "b"]),
            SPECS,
            &no_env,
        )
        .unwrap();
        assert_eq!(p.values("keyservice"), ["a", "b"]);
    }
}
