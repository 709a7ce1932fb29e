//! Finds helm's `-f/--values` file arguments in a helm command line and rewrites them,
//! following pflag's spellings (`-f X`, `-fX`, `-f=X`, `--values X`, `--values=X`,
//! comma lists), so the wrapper can swap encrypted files for pipes without
//! understanding any other helm flag.

use crate::error::Result;

/// Where a values-file argument sits in the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValuesArg {
    /// Index in the argument list of the argument holding the file list.
    pub index: usize,
    /// Byte offset in that argument where the file list starts (after `-f`, `-f=`, `--values=`).
    pub offset: usize,
}

/// Every `-f/--values` occurrence in `args`, in order (so helm's merge order).
/// Parsing stops at `--`, after which everything is positional for helm.
pub fn find_values(args: &[String]) -> Vec<ValuesArg> {
    let mut found = Vec::new();
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        if arg == "--" {
            break;
        }
        if arg == "--values" {
            if i + 1 < args.len() {
                found.push(ValuesArg {
                    index: i + 1,
                    offset: 0,
                });
            }
            i += 2;
            continue;
        }
        if arg.starts_with("--values=") {
            found.push(ValuesArg {
                index: i,
                offset: "--values=".len(),
            });
        } else if let Some(at) = shorthand_f(arg) {
            // pflag: `-f X`, `-fX`, `-f=X` (the `=` dropped), after glued bool shorthands.
            let rest = arg.get(at + 1..).unwrap_or("");
            if rest.is_empty() {
                if i + 1 < args.len() {
                    found.push(ValuesArg {
                        index: i + 1,
                        offset: 0,
                    });
                }
                i += 2;
                continue;
            }
            let offset = at + 1 + usize::from(rest.starts_with('='));
            found.push(ValuesArg { index: i, offset });
        }
        i += 1;
    }
    found
}

/// helm's boolean shorthands that may stand glued before `f` (`-if values.yaml`
/// is `--install -f values.yaml`); any other letter takes a value, so an `f`
/// after it is part of that value (`-nfoo` is `--namespace foo`).
const BOOL_SHORTHANDS: &[u8] = b"ig";

/// The byte index of the `f` of a `-f` shorthand in `arg`, if `arg` is one.
fn shorthand_f(arg: &str) -> Option<usize> {
    let body = arg.strip_prefix('-')?;
    if body.starts_with('-') {
        return None;
    }
    let bools = body
        .bytes()
        .take_while(|b| BOOL_SHORTHANDS.contains(b))
        .count();
    (body.as_bytes().get(bools) == Some(&b'f')).then_some(1 + bools)
}

/// Rewrites every values file in `args`: `replace(file)` returns `Some(new)` to
/// substitute a file, `None` to keep it. Comma lists (helm's values flag is a
/// string slice) are split, rewritten item by item and joined again, so the
/// order of files is kept exactly.
pub fn rewrite_values<F>(args: &[String], mut replace: F) -> Result<Vec<String>>
where
    F: FnMut(&str) -> Result<Option<String>>,
{
    let mut out = args.to_vec();
    for spot in find_values(args) {
        let Some(arg) = args.get(spot.index) else {
            continue;
        };
        let (prefix, list) = arg.split_at(spot.offset.min(arg.len()));
        let mut items = Vec::new();
        for file in list.split(',') {
            items.push(match replace(file)? {
                Some(new) => new,
                None => file.to_string(),
            });
        }
        if let Some(slot) = out.get_mut(spot.index) {
            *slot = format!("{prefix}{}", items.join(","));
        }
    }
    Ok(out)
}

/// The values files named in `args`, in merge order.
pub fn values_files(args: &[String]) -> Vec<String> {
    let mut files = Vec::new();
    let _ = rewrite_values(args, |f| {
        files.push(f.to_string());
        Ok(None)
    });
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn every_spelling_is_found_in_order() {
        let args = strings(&[
            "upgrade",
            "--install",
            "rel",
            "chart",
            "-f",
            "a.yaml",
            "--values",
            "b.yaml",
            "--values=c.yaml",
            "-fd.yaml",
            "-f=e.yaml",
            "-f",
            "f.yaml,g.yaml",
        ]);
        assert_eq!(
            values_files(&args),
            [
                "a.yaml", "b.yaml", "c.yaml", "d.yaml", "e.yaml", "f.yaml", "g.yaml"
            ]
        );
    }

    #[test]
    fn rewriting_keeps_flags_and_untouched_files() {
        let args = strings(&[
            "template",
            "-f",
            "plain.yaml,enc.yaml",
            "--values=enc.yaml",
            "-fenc.yaml",
            "--set",
            "a=b",
        ]);
        let out = rewrite_values(&args, |f| {
            Ok((f == "enc.yaml").then(|| "/dev/fd/9".to_string()))
        })
        .unwrap();
        assert_eq!(
            out,
            strings(&[
                "template",
                "-f",
                "plain.yaml,/dev/fd/9",
                "--values=/dev/fd/9",
                "-f/dev/fd/9",
                "--set",
                "a=b",
            ])
        );
    }

    #[test]
    fn glued_bool_shorthands_before_f_are_understood() {
        let args = strings(&[
            "upgrade",
            "-if",
            "a.yaml",
            "-igfb.yaml",
            "-nfoo",
            "-gf=c.yaml",
        ]);
        assert_eq!(values_files(&args), ["a.yaml", "b.yaml", "c.yaml"]);
        let out = rewrite_values(&args, |f| Ok(Some(format!("<{f}>")))).unwrap();
        assert_eq!(
            out,
            strings(&[
                "upgrade",
                "-if",
                "<a.yaml>",
                "-igf<b.yaml>",
                "-nfoo",
                "-gf=<c.yaml>"
            ])
        );
    }

    #[test]
    fn other_flags_and_positionals_are_not_values() {
        let args = strings(&[
            "upgrade",
            "--force",
            "--set-file",
            "x=f.yaml",
            "values.yaml",
            "--",
            "-f",
            "after-dashdash.yaml",
        ]);
        assert!(values_files(&args).is_empty());
    }

    #[test]
    fn a_trailing_flag_without_value_is_left_for_helm() {
        let args = strings(&["template", "-f"]);
        assert!(values_files(&args).is_empty());
        assert_eq!(rewrite_values(&args, |_| Ok(None)).unwrap(), args);
    }

    #[test]
    fn errors_from_the_callback_stop_the_rewrite() {
        let args = strings(&["-f", "a.yaml"]);
        let err = rewrite_values(&args, |_| Err(crate::error::Error::Other("no".into())));
        assert!(err.is_err());
    }
}
