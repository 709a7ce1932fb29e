//! Generated cases for every store, run through the real sops 3.11.0 and
//! sops-rs in the same test: format selection, conversions, `--extract`,
//! multi-document YAML, refused inputs (exit codes 2, 4, 23, 92, 203) and
//! edge cases (unicode, CRLF, no final newline, long values, deep nesting,
//! empty collections, bad input). Each case is numbered after issue #4.

mod common;

use std::ffi::{OsStr, OsString};

use common::{
    AGE1, Sandbox, Tool, assert_same_outcome, extension_for_type, interop_in, run_both_stdin,
};

const ENCRYPT: &[&str] = &["encrypt", "--age", AGE1];
const TYPES: [&str; 5] = ["yaml", "json", "dotenv", "ini", "binary"];

/// Encrypts `input` as `name` with both tools and checks every cross decryption.
fn interop(name: &str, input: &[u8]) -> Option<Vec<u8>> {
    interop_in(&Sandbox::new(), name, input, ENCRYPT)
}

/// Like [`interop`] with extra encrypt flags.
fn interop_with(name: &str, input: &[u8], extra: &[&str]) -> Option<Vec<u8>> {
    let mut args = ENCRYPT.to_vec();
    args.extend_from_slice(extra);
    interop_in(&Sandbox::new(), name, input, &args)
}

/// Encrypts `input` as `name` with the oracle and returns the encrypted file's path.
fn oracle_encrypted(sb: &Sandbox, name: &str, input: &[u8]) -> std::path::PathBuf {
    let plain = sb.write(name, input);
    let mut args: Vec<OsString> = ENCRYPT.iter().map(OsString::from).collect();
    args.push(plain.into());
    let run = sb.run(Tool::Oracle, &args);
    run.success();
    sb.write(&format!("enc-{name}"), &run.stdout)
}

/// Runs `decrypt <extra…> file` with both tools for every extra-argument set
/// and collects the differences (one failure report for all of them).
fn decrypt_variants(sb: &Sandbox, file: &std::path::Path, variants: &[Vec<&str>]) {
    let mut failures = Vec::new();
    for extra in variants {
        let mut args: Vec<&OsStr> = vec![OsStr::new("decrypt")];
        args.extend(extra.iter().map(OsStr::new));
        args.push(file.as_os_str());
        let (ours, theirs) = sb.run_both(&args);
        assert!(
            !ours.stderr.contains("panicked"),
            "sops-rs panicked\n{}",
            ours.describe()
        );
        if let Err(e) = std::panic::catch_unwind(|| assert_same_outcome(&ours, &theirs)) {
            failures.push(format!("decrypt {extra:?}: {}", panic_text(&e)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Decrypts an oracle-encrypted `input` to every output store with both tools.
fn decrypt_to_every_store(name: &str, input: &[u8]) {
    let sb = Sandbox::new();
    let enc = oracle_encrypted(&sb, name, input);
    let variants: Vec<Vec<&str>> = std::iter::once(vec![])
        .chain(TYPES.iter().map(|t| vec!["--output-type", *t]))
        .collect();
    decrypt_variants(&sb, &enc, &variants);
}

/// Encrypts `input` to every output store with both tools (and checks the results).
fn encrypt_to_every_store(name: &str, input: &[u8]) {
    for t in TYPES {
        let sb = Sandbox::new();
        interop_in(
            &sb,
            name,
            input,
            &["encrypt", "--age", AGE1, "--output-type", t],
        );
    }
}

/// `--extract` of each path, to every output store, with both tools.
fn extract_everything(name: &str, input: &[u8], paths: &[&str]) {
    let sb = Sandbox::new();
    let enc = oracle_encrypted(&sb, name, input);
    let mut variants = Vec::new();
    for p in paths {
        variants.push(vec!["--extract", *p]);
        for t in TYPES {
            variants.push(vec!["--extract", *p, "--output-type", t]);
        }
    }
    decrypt_variants(&sb, &enc, &variants);
}

fn panic_text(e: &Box<dyn std::any::Any + Send>) -> String {
    e.downcast_ref::<String>()
        .cloned()
        .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "panic".into())
}

const YAML_DOC: &[u8] = b"# top\nname: value\nnum: 42\nfloat: 1.5\nbool: true\nnothing: null\nlist:\n  - a\n  - {k: v}\nmap:\n  inner: x\n  deeper:\n    leaf: y\nsecret_unencrypted: clear\n";
const JSON_DOC: &[u8] = br#"{"name": "value", "num": 42, "float": 1.5, "bool": true, "nothing": null, "list": ["a", {"k": "v"}], "map": {"inner": "x", "deeper": {"leaf": "y"}}, "secret_unencrypted": "clear"}"#;
const DOTENV_DOC: &[u8] = b"# comment\nNAME=value\nexport X=1\nEMPTY=\nQUOTED=\"q v\"\nMULTI=a\\nb\nSECRET_unencrypted=clear\n";
const INI_DOC: &[u8] = b"; top comment\nglobal = 1\n\n[section]\n# c\nkey = value\nnum=42\n\n[other]\nk_unencrypted = plain\n";
const BINARY_DOC: &[u8] = b"bin\x00ary \xff\xfe data\r\nwith lines\n";

// ---------------------------------------------------------------------------
// 1. Format selection.

#[test]
fn p1_format_by_extension() {
    for (name, input) in [
        ("f.yaml", YAML_DOC),
        ("f.yml", YAML_DOC),
        ("f.json", JSON_DOC),
        ("f.env", DOTENV_DOC),
        ("f.ini", INI_DOC),
        ("f.txt", BINARY_DOC),
        ("noext", BINARY_DOC),
        // Case-sensitive: these are binary files.
        ("f.JSON", JSON_DOC),
        ("f.YAML", YAML_DOC),
        ("f.yaml.bak", YAML_DOC),
        ("f.dotenv", DOTENV_DOC),
    ] {
        interop(name, input);
    }
}

#[test]
fn p1_input_and_output_type_flags() {
    // Every input type on every file: parse errors and successes like sops.
    for it in TYPES {
        for (name, input) in [
            ("a.yaml", YAML_DOC),
            ("a.json", JSON_DOC),
            ("a.env", DOTENV_DOC),
            ("a.ini", INI_DOC),
            ("a.bin", BINARY_DOC),
        ] {
            interop_with(name, input, &["--input-type", it]);
        }
    }
}

#[test]
fn p1_unknown_type_falls_back_to_extension() {
    interop_with("a.json", JSON_DOC, &["--input-type", "toml"]);
    interop_with("a.yaml", YAML_DOC, &["--output-type", "xml"]);
}

#[test]
fn p1_stdin_with_filename_override() {
    let sb = Sandbox::new();
    let mut failures = Vec::new();
    for (name, input) in [
        ("x.yaml", YAML_DOC),
        ("x.json", JSON_DOC),
        ("x.env", DOTENV_DOC),
        ("x.ini", INI_DOC),
        ("x.bin", BINARY_DOC),
    ] {
        let args = ["encrypt", "--age", AGE1, "--filename-override", name];
        let (ours, theirs) = run_both_stdin(&sb, &args, input);
        ours.success();
        theirs.success();
        // Both encrypted files decrypt (through stdin too) to the same plaintext.
        let ext = name.rsplit('.').next().unwrap_or("bin");
        let ours_enc = sb.write(&format!("ours.{ext}"), &ours.stdout);
        let theirs_enc = sb.write(&format!("theirs.{ext}"), &theirs.stdout);
        let expected = sb
            .run(Tool::Oracle, ["decrypt".as_ref(), theirs_enc.as_os_str()])
            .success()
            .stdout
            .clone();
        for (tool, enc) in [
            (Tool::Oracle, &ours_enc),
            (Tool::SopsRs, &ours_enc),
            (Tool::SopsRs, &theirs_enc),
        ] {
            let dec = sb.run_stdin(
                tool,
                ["decrypt", "--filename-override", name],
                &common::read(enc),
            );
            if dec.code != 0 || dec.stdout != expected {
                failures.push(format!("{name}: {}", dec.describe()));
            }
        }
    }
    // Without a name: encrypt refuses (exit 8), decrypt treats stdin as binary.
    let (ours, theirs) = run_both_stdin(&sb, &["encrypt", "--age", AGE1], YAML_DOC);
    assert_same_outcome(&ours, &theirs);
    let enc = sb.run_stdin(
        Tool::Oracle,
        ["encrypt", "--age", AGE1, "--filename-override", "x.yaml"],
        YAML_DOC,
    );
    enc.success();
    for args in [
        &["decrypt"][..],
        &["decrypt", "--input-type", "yaml"][..],
        &["decrypt", "--input-type", "yaml", "--output-type", "yaml"][..],
        &["decrypt", "--input-type", "yaml", "--output-type", "json"][..],
    ] {
        let (ours, theirs) = run_both_stdin(&sb, args, &enc.stdout);
        if let Err(e) = std::panic::catch_unwind(|| assert_same_outcome(&ours, &theirs)) {
            failures.push(format!("stdin {args:?}: {}", panic_text(&e)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

// ---------------------------------------------------------------------------
// 2. JSON store.

#[test]
fn p2_json_numbers_escaping_order_and_duplicates() {
    interop(
        "n.json",
        br#"{"z": 1, "a": 2, "dup": "first", "dup": "second", "int": 7, "neg": -0, "f": 0.1, "exp": 1e21, "small": 1e-7, "tiny": 5e-324, "big": 12345678901234567890, "max": 9007199254740993, "html": "<a href='x'>&amp;</a>", "ctl": "tab\there\u0001\u001f\u007f", "seps": "\u2028\u2029", "slash": "a/b\\c", "emoji": "\ud83d\ude00", "nested": {"b": [1, [2, [3, {}]], []]}}"#,
    );
}

#[test]
fn p2_json_indent_flags() {
    for indent in ["0", "1", "4", "-1"] {
        interop_in(
            &Sandbox::new(),
            "i.json",
            JSON_DOC,
            &["-e", "--age", AGE1, "--indent", indent],
        );
    }
    // Below -1 is an error when writing.
    interop_in(
        &Sandbox::new(),
        "i.json",
        JSON_DOC,
        &["-e", "--age", AGE1, "--indent", "-2"],
    );
}

#[test]
fn p2_json_null_empty_and_whitespace_forms() {
    interop(
        "e.json",
        b"{\"n\": null, \"e\": \"\", \"o\": {}, \"l\": [], \"ln\": [null, null], \"deep\": {\"o\": {\"o\": {}}}}",
    );
    interop(
        "ws.json",
        b"\r\n\t { \"a\" : 1 ,\r\n \"b\" :[ 1 , 2 ] } \r\n",
    );
    interop("nofinal.json", b"{\"a\": \"no final newline\"}");
    interop("trailing.json", b"{\"a\": 1} trailing garbage is ignored");
    interop("empty-obj.json", b"{}");
}

#[test]
fn p2_json_bad_input_is_refused_like_sops() {
    for (name, input) in [
        ("t1.json", &b"{\"a\": 1"[..]),
        ("t2.json", b"{\"a\": \"unterminated"),
        ("t3.json", b"{\"a\" 1}"),
        ("t4.json", b"{\"a\": 1,}"),
        ("t5.json", b"{'a': 1}"),
        ("t6.json", b"{\"a\": tru}"),
        ("t7.json", b"{\"a\": 01}"),
        ("t8.json", b"{\"a\": \"\\x\"}"),
        ("t9.json", b"{\"a\": \"\x01\"}"),
        ("t10.json", b"{\"a\": [1, 2}"),
        ("t11.json", b"[1, 2]"),
        ("t12.json", b"\"string\""),
        ("t13.json", b"null"),
        ("t14.json", b"42"),
        ("t15.json", b"\xef\xbb\xbf{\"bom\": 1}"),
        ("t16.json", b"{\"a\": \"\xff\xfe\"}"),
        ("t17.json", b"{\"a\": NaN}"),
        ("t18.json", b"   "),
    ] {
        interop(name, input);
    }
}

// ---------------------------------------------------------------------------
// 3. dotenv store.

#[test]
fn p3_dotenv_forms() {
    interop(
        "d.env",
        b"# comment\n#no space\nexport EXPORTED=1\n  LEADING=space\nTRAILING=space  \nEQ=a=b=c\nEMPTY=\nQ1='single'\nQ2=\"double\"\nESC=line\\nnext\\\\n\nHASH=value # not a comment\n=empty key\nUNI_\xc3\xa9=\xe2\x9c\x93 \xf0\x9f\x98\x80\n\n\nAFTER_BLANKS=1\n",
    );
    interop("crlf.env", b"A=1\r\nB=two\r\n# c\r\n");
    interop("nofinal.env", b"A=1\nB=last");
    interop("nul.env", b"A=with\x00nul\nB=\xff\xfe invalid utf-8\n");
    interop(
        "long.env",
        format!("LONG={}\n", "x".repeat(50_000)).as_bytes(),
    );
    interop("only-comments.env", b"# just a comment\n");
}

#[test]
fn p3_dotenv_lines_without_equals_are_refused() {
    interop("bad1.env", b"A=1\nno equals here\nB=2\n");
    interop("bad2.env", b"just text");
    interop("bad3.env", b"A=1\n \n");
}

/// sops names no line for dotenv/INI/JSON syntax errors; sops-rs adds it on a hint line.
#[test]
fn p3_p4_syntax_errors_name_the_line() {
    let sb = Sandbox::new();
    for (name, input, line) in [
        ("l.env", &b"A=1\n# c\n\nno equals\n"[..], 4),
        ("l.ini", b"[s]\na = 1\nno delimiter\n", 3),
        ("l.json", b"{\n  \"a\": 1,\n  \"b\": tru\n}", 3),
    ] {
        let file = sb.write(name, input);
        let mut args: Vec<&OsStr> = ENCRYPT.iter().map(OsStr::new).collect();
        args.push(file.as_os_str());
        let (ours, theirs) = sb.run_both(&args);
        assert_same_outcome(&ours, &theirs);
        ours.code(2);
        assert!(
            ours.stderr
                .contains(&format!("hint: the problem is on line {line}")),
            "{}",
            ours.describe()
        );
    }
}

#[test]
fn p3_dotenv_sops_prefix_is_already_encrypted() {
    interop("s1.env", b"A=1\nsops_x=1\n");
    interop("s2.env", b"sops_version=3.11.0\n");
    // The check is case-sensitive and needs the underscore.
    interop("s3.env", b"SOPS_X=1\nsops=2\nsopsx=3\n");
}

// ---------------------------------------------------------------------------
// 4. INI store.

#[test]
fn p4_ini_forms() {
    interop(
        "i.ini",
        b"; top\nglobal = 1\n# hash comment\nother: colon\n\n[s1]\n; before key\nk = v\nlonger_key = aligned\nquoted = \"q v\"\nsingle = 'x'\ninline = v ; comment\nempty =\nmulti = a\\nb\n\n[s2]\nk_unencrypted = plain\n[s2]\ndup = second section\n[empty]\n[\xc3\xa9t\xc3\xa9]\ncl\xc3\xa9 = \xe2\x9c\x93\n",
    );
    interop("crlf.ini", b"[s]\r\na = 1\r\nb = 2\r\n");
    interop("nofinal.ini", b"[s]\na = last line");
    interop("only-default.ini", b"a = 1\nb = 2\n");
    interop("cont.ini", b"[s]\nlong = line \\\n  continued\n");
    interop(
        "long.ini",
        format!("[s]\nlong = {}\n", "y".repeat(50_000)).as_bytes(),
    );
}

#[test]
fn p4_ini_bad_input_is_refused_like_sops() {
    interop("bad1.ini", b"[s]\na = 1\nno delimiter here\n");
    interop("bad2.ini", b"[unclosed\na = 1\n");
    interop("bad3.ini", b"[sops]\na = 1\n");
    interop("bad4.ini", b"sops = 1\n");
}

// ---------------------------------------------------------------------------
// 5. Binary store.

#[test]
fn p5_binary_any_bytes() {
    let all: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    interop("all.bin", &all);
    interop("nul.bin", b"\x00");
    interop(
        "invalid.bin",
        b"\xc3\x28\xa0\xa1\xe2\x28\xa1\xf0\x28\x8c\xbc",
    );
    interop("crlf.bin", b"line\r\nline\r\n");
    interop("nofinal.bin", b"no final newline");
    interop("empty.bin", b"");
    interop("looks-encrypted.bin", b"{\"sops\": 1}");
}

// ---------------------------------------------------------------------------
// 6. Conversions.

const TYPED_YAML: &[u8] = b"str: text\nint: 42\nneg: -7\nfloat: 1.0\nfrac: 1.5\nbig: 1e+06\nsmall: 0.00001\nhuge: 1.5e+30\nbool: false\nnull_value: null\ntilde: ~\ntime: 2024-01-02T03:04:05Z\ndate: 2024-01-02\nempty: \"\"\nmulti: \"a\\nb\"\nhtml: \"<&>\"\n";

#[test]
fn p6_decrypt_conversions_from_every_store() {
    decrypt_to_every_store("c.yaml", TYPED_YAML);
    decrypt_to_every_store("c.json", JSON_DOC);
    decrypt_to_every_store("c.env", DOTENV_DOC);
    decrypt_to_every_store("c.ini", INI_DOC);
    decrypt_to_every_store("c.bin", BINARY_DOC);
    decrypt_to_every_store("nested.yaml", YAML_DOC);
    decrypt_to_every_store(
        "ini-like.yaml",
        b"sec:\n  a: 1\n  b: null\n  c: 1.0\nother:\n  x: [1, 2]\n",
    );
    decrypt_to_every_store("data.yaml", b"data: only key\n");
    decrypt_to_every_store("inf.yaml", b"inf: .inf\nnan: .nan\n");
}

#[test]
fn p6_encrypt_yaml_vectors_to_every_store() {
    for name in [
        "yaml-comments.plain.yaml",
        "yaml-scalars.plain.yaml",
        "yaml-emitter-quirks.plain.yaml",
    ] {
        encrypt_to_every_store("v.yaml", &common::read(common::case(name)));
    }
}

#[test]
fn p6_encrypt_conversions_from_every_store() {
    encrypt_to_every_store("c.yaml", TYPED_YAML);
    encrypt_to_every_store("c.json", JSON_DOC);
    encrypt_to_every_store("c.env", DOTENV_DOC);
    encrypt_to_every_store("c.ini", INI_DOC);
    encrypt_to_every_store("c.bin", BINARY_DOC);
    encrypt_to_every_store("inf.yaml", b"inf: .inf\n");
}

/// Float text per place (spec §10.16): YAML `'g'`, JSON encoding/json,
/// dotenv/INI `'G'` with a forced `.0`, plaintext `'f'`.
#[test]
fn p6_float_formatting_per_store() {
    const FLOATS: &str = "a: 100000.0\nb: 1e6\nc: 1234567.5\nd: 0.00001\ne: 1e-7\nf: 1e21\ng: 123456789.0\nh: 0.1\ni: -0.0\nj: 5e-324\nk: 1.7976931348623157e308\nl: 1.0\nm: 2.5e-5\n";
    decrypt_to_every_store("f.yaml", FLOATS.as_bytes());
    decrypt_to_every_store("f.json", br#"{"a": 100000, "b": 1e6, "c": 1234567.5, "d": 0.00001, "e": 1e-7, "f": 1e21, "g": 123456789, "h": 0.1, "i": -0.0, "j": 5e-324, "k": 1.7976931348623157e308}"#);
    let ini_like = format!(
        "sec:\n{}",
        FLOATS
            .lines()
            .map(|l| format!("  {l}\n"))
            .collect::<String>()
    );
    decrypt_to_every_store("fi.yaml", ini_like.as_bytes());
    encrypt_to_every_store("f.yaml", FLOATS.as_bytes());
}

#[test]
fn p6_binary_input_ignores_selection_rules() {
    for flags in [
        &["--encrypted-regex", "^d"][..],
        &["--unencrypted-suffix", "_u", "--encrypted-regex", "x"][..],
        &["--encrypted-suffix", "_e"][..],
    ] {
        interop_with("b.bin", BINARY_DOC, flags);
        interop_with(
            "y.yaml",
            YAML_DOC,
            &[flags, &["--input-type", "binary"]].concat(),
        );
    }
    // Binary *output* keeps the YAML input's rules.
    interop_with("y.yaml", YAML_DOC, &["--output-type", "binary"]);
}

// ---------------------------------------------------------------------------
// 7. --extract.

const EXTRACT_PATHS: &[&str] = &[
    r#"["name"]"#,
    r#"['name']"#,
    r#"["num"]"#,
    r#"["float"]"#,
    r#"["bool"]"#,
    r#"["nothing"]"#,
    r#"["list"]"#,
    r#"["list"][0]"#,
    r#"["list"][1]"#,
    r#"["list"][1]["k"]"#,
    r#"["map"]"#,
    r#"["map"]["deeper"]"#,
    r#"["map"]["deeper"]["leaf"]"#,
    r#"["secret_unencrypted"]"#,
    r#"[0]"#,
    r#"[1]"#,
    r#"[6]"#,
    r#"["map"][1]"#,
    r#"["nope"]"#,
    r#"["list"][5]"#,
    r#"["list"][-1]"#,
    r#"["name"][0]"#,
    r#"["name"]["x"]"#,
    r#"["nothing"]["x"]"#,
    r#"["list"]["x"]"#,
    "",
    "name",
    r#"["name""#,
    r#"[abc]"#,
    r#"[]"#,
];

#[test]
fn p7_extract_yaml() {
    extract_everything("x.yaml", YAML_DOC, EXTRACT_PATHS);
}

#[test]
fn p7_extract_json() {
    extract_everything("x.json", JSON_DOC, EXTRACT_PATHS);
}

#[test]
fn p7_extract_dotenv() {
    extract_everything(
        "x.env",
        DOTENV_DOC,
        &[
            r#"["NAME"]"#,
            r#"["export X"]"#,
            r#"["EMPTY"]"#,
            r#"["MULTI"]"#,
            r#"[0]"#,
            r#"["nope"]"#,
            r#"["NAME"]["x"]"#,
        ],
    );
}

#[test]
fn p7_extract_ini() {
    extract_everything(
        "x.ini",
        INI_DOC,
        &[
            r#"["DEFAULT"]"#,
            r#"["DEFAULT"]["global"]"#,
            r#"["section"]"#,
            r#"["section"]["num"]"#,
            r#"[1]"#,
            r#"["section"][0]"#,
            r#"["nope"]"#,
        ],
    );
}

#[test]
fn p7_extract_binary() {
    extract_everything("x.bin", BINARY_DOC, &[r#"["data"]"#, r#"["nope"]"#, "[0]"]);
}

// ---------------------------------------------------------------------------
// 8. Multi-document YAML and refused inputs.

#[test]
fn p8_multi_document_yaml() {
    let multi = b"a: 1\n---\nb: two\nc: [x]\n---\n# comment\nd: {}\n";
    interop("m.yaml", multi);
    interop("m2.yaml", b"---\nfirst: 1\n...\n---\nsecond: 2\n");
    // Conversions keep only the first document (encrypt makes a file whose MAC
    // covers all documents, which sops itself cannot open).
    encrypt_to_every_store("m.yaml", multi);
    decrypt_to_every_store("m.yaml", multi);
    extract_everything("m.yaml", multi, &[r#"["a"]"#, r#"["b"]"#]);
}

#[test]
fn p8_empty_input_exit_92() {
    for name in ["e.yaml", "e.json", "e.env", "e.ini"] {
        interop(name, b"");
    }
    // Not empty: whitespace, comments and empty documents behave per store.
    for (name, input) in [
        ("n.yaml", &b"\n"[..]),
        ("c.yaml", b"# only a comment\n"),
        ("d.yaml", b"---\n"),
        ("d2.yaml", b"---\n---\n"),
        ("n.json", b"\n"),
        ("n.env", b"\n"),
        ("c.env", b"# c\n"),
        ("n.ini", b"\n"),
        ("c.ini", b"; c\n"),
    ] {
        interop(name, input);
    }
}

#[test]
fn p8_top_level_list_and_scalar_exit_2() {
    interop("l.yaml", b"- a\n- b\n");
    interop("s.yaml", b"plain scalar\n");
    interop("l.json", b"[1, 2, 3]");
    interop("l2.json", b"[]");
    interop("m.yaml", b"a: 1\n---\n- list in second doc\n");
}

#[test]
fn p8_non_string_keys_and_uint64_exit_23() {
    for input in [
        &b"1: int key\n"[..],
        b"true: bool key\n",
        b"1.5: float key\n",
        b"~: null key\n",
        b"nested:\n  2: int key below\n",
        b"list:\n  - 3: in a list\n",
        b"big: 18446744073709551615\n",
        b"big: [9223372036854775808]\n",
        b"small: -9223372036854775808\n",
    ] {
        interop("k.yaml", input);
    }
}

#[test]
fn p8_already_encrypted_exit_203() {
    interop("a.yaml", b"sops: x\n");
    interop("a.json", b"{\"a\": 1, \"sops\": {}}");
    interop("a.ini", b"[sops]\nversion = 1\n");
    interop("a.env", b"sops_version=1\n");
    interop("nested.yaml", b"a:\n  sops: nested is fine\n");
    // The `sops_` rule belongs to the OUTPUT store.
    interop_with("p.yaml", b"sops_x: 1\n", &["--output-type", "dotenv"]);
    interop_with("p.yaml", b"sops_x: 1\n", &["--output-type", "json"]);
    interop_with("p.env", b"sops_x=1\n", &["--output-type", "yaml"]);
    interop_with("p.env", b"sops=1\n", &["--output-type", "yaml"]);
    interop_with("p.json", b"{\"sops\": 1}", &["--output-type", "dotenv"]);
}

#[test]
fn p8_sops_key_in_a_later_document() {
    // Only the first document is checked, so both encrypt; the file then has
    // a second `sops` key in document 2, which sops crashes on (exit 2) and
    // sops-rs refuses (MAC over a tree it cannot rebuild): both must fail,
    // sops-rs without panicking.
    let sb = Sandbox::new();
    let plain = sb.write("later.yaml", b"a: 1\n---\nsops: x\n");
    let (ours, theirs) = sb.run_both(&[
        OsStr::new("encrypt"),
        OsStr::new("--age"),
        OsStr::new(AGE1),
        plain.as_os_str(),
    ]);
    ours.success();
    theirs.success();
    for enc in [&ours.stdout, &theirs.stdout] {
        let f = sb.write("later.enc.yaml", enc);
        let (o, t) = sb.run_both(&[OsStr::new("decrypt"), f.as_os_str()]);
        assert_ne!(t.code, 0, "{}", t.describe());
        assert_ne!(o.code, 0, "{}", o.describe());
        assert!(!o.stderr.contains("panicked"), "{}", o.describe());
        o.no_stdout();
    }
}

// ---------------------------------------------------------------------------
// Edge cases in every store.

#[test]
fn edge_unicode_everywhere() {
    interop(
        "u.yaml",
        "clé: valeur\n日本語: 値\nemoji: 😀\nrtl: שלום\n".as_bytes(),
    );
    interop(
        "u.json",
        r#"{"clé": "valeur", "日本語": "値", "emoji": "😀", "esc": "\u00e9\ud83d\ude00"}"#
            .as_bytes(),
    );
    interop("u.env", "CLÉ=valeur\n日本語=値\nEMOJI=😀\n".as_bytes());
    interop("u.ini", "[sécurité]\nclé = valeur\nemoji = 😀\n".as_bytes());
    interop("u.bin", "ünïcödé 😀\n".as_bytes());
}

#[test]
fn edge_crlf_and_no_final_newline() {
    interop("c.yaml", b"a: 1\r\nb: two\r\n");
    interop("c.json", b"{\r\n\"a\": 1\r\n}\r\n");
    interop("n.yaml", b"a: 1\nb: no newline");
    interop("n.ini", b"[s]\nk = v");
}

#[test]
fn edge_long_values_and_deep_nesting() {
    let long = "z".repeat(100_000);
    interop("l.json", format!("{{\"long\": \"{long}\"}}").as_bytes());
    let depth = 60;
    let json = format!("{}\"leaf\"{}", "{\"k\": ".repeat(depth), "}".repeat(depth));
    interop("deep.json", json.as_bytes());
    let mixed = format!("{}1{}", "[{\"a\": ".repeat(30), "}]".repeat(30));
    interop("mixed.json", format!("{{\"m\": {mixed}}}").as_bytes());
}

#[test]
fn edge_empty_collections() {
    interop(
        "e.yaml",
        b"m: {}\nl: []\nnested: {a: {}, b: []}\nlist: [{}, [], [[]]]\n",
    );
    interop(
        "e.json",
        b"{\"m\": {}, \"l\": [], \"list\": [{}, [], [[]]]}",
    );
    decrypt_to_every_store("e.yaml", b"m: {}\nl: []\n");
    decrypt_to_every_store("e.json", b"{\"m\": {}, \"l\": []}");
}

#[test]
fn edge_yaml_bad_input_is_refused_like_sops() {
    for input in [
        &b"a: \xff\n"[..],
        b"a: \xc3\n",
        b"a: \x01\n",
        b"a: 1\nb: \x7f\n",
        b"a: [1, 2\n",
        b"a: 'unterminated\n",
        b"a:\n\tb: 1\n",
        b"a: 1\n a: 2\n",
        b"a: 1\na: 2\n",
        b"a: *nope\n",
        b"a: x\xc2\x85y\n",
    ] {
        interop("bad.yaml", input);
    }
}

#[test]
fn edge_yaml_nel_is_a_line_break() {
    // go-yaml (YAML 1.1) reads a raw U+0085 as a line break everywhere.
    interop(
        "nel.yaml",
        b"a: |\n  x\xc2\x85  y\nb: \"p\xc2\x85q\"\n# c\xc2\x85d: 1\n",
    );
    interop("nel-json.json", "{\"a\": \"x\u{85}y\u{2028}\"}".as_bytes());
}

#[test]
fn edge_decrypt_of_bad_encrypted_files() {
    // Encrypted files damaged in each store: same exit codes as sops, no panic.
    let sb = Sandbox::new();
    for (name, input) in [
        ("j.json", JSON_DOC),
        ("d.env", DOTENV_DOC),
        ("i.ini", INI_DOC),
        ("b.bin", BINARY_DOC),
    ] {
        let enc = oracle_encrypted(&sb, name, input);
        let text = common::read(&enc);
        let half = &text[..text.len() / 2];
        let ext = extension_for_type(match name.rsplit('.').next() {
            Some("json") => "json",
            Some("env") => "dotenv",
            Some("ini") => "ini",
            _ => "binary",
        });
        let truncated = sb.write(&format!("trunc.{ext}"), half);
        let no_mac = sb.write(
            &format!("nomac.{ext}"),
            String::from_utf8_lossy(&text)
                .lines()
                .filter(|l| !l.contains("mac"))
                .collect::<Vec<_>>()
                .join("\n"),
        );
        for f in [truncated, no_mac] {
            let (ours, theirs) = sb.run_both(&[OsStr::new("decrypt"), f.as_os_str()]);
            assert!(!ours.stderr.contains("panicked"), "{}", ours.describe());
            assert_eq!(
                ours.code,
                theirs.code,
                "{}\n{}",
                ours.describe(),
                theirs.describe()
            );
        }
    }
}
