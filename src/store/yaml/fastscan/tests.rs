//! Differential tests: fastscan's events and spans against granit-parser's, over real and generated files.

use super::*;
use granit_parser::Parser;

type Events<'s> = Vec<(Event<'s>, Span)>;

fn granit(src: &str) -> Option<Events<'_>> {
    let mut out = Vec::new();
    for e in Parser::new_from_str_with_options(src, super::super::parse::parser_options()) {
        out.push(e.ok()?);
    }
    Some(out)
}

/// Whether the fast path accepts `src`; when it does, its events must be granit's.
fn same_as_granit(src: &str) -> bool {
    let Some(Ok(fast)) = events(src).map(|e| e.collect::<Result<Events, _>>()) else {
        return false;
    };
    let Some(want) = granit(src) else {
        panic!("fast path accepted what granit rejects:\n{src}");
    };
    if fast != want {
        let at = fast
            .iter()
            .zip(&want)
            .position(|(a, b)| a != b)
            .unwrap_or(fast.len().min(want.len()));
        panic!(
            "differs from granit at event {at}:\n{src}\n--- fast\n{:#?}\n--- granit\n{:#?}",
            fast.get(at.saturating_sub(2)..(at + 2).min(fast.len())),
            want.get(at.saturating_sub(2)..(at + 2).min(want.len()))
        );
    }
    true
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const KEYS: &[&str] = &[
    "a",
    "key",
    "k-1",
    "-dash",
    "ü",
    "x:y",
    "with space",
    "port01",
    "\"dq\"",
    "'sq'",
    "\"a b\"",
    "'it''s'",
    "k#h",
    "?q",
    ":c",
    "日本",
    "sops",
    "ENC",
    "a.b",
    "1",
];
const SCALARS: &[&str] = &[
    "1",
    "true",
    "hello world",
    "x # y",
    "x #y",
    "-x",
    "'",
    "a'b",
    "a\"b",
    "ü ñ",
    "http://x:1/p",
    "a:b",
    "~",
    "null",
    "0.5",
    "1e3",
    "a  b",
    "'it''s'",
    "''",
    "' a '",
    "'x # y'",
    "\"a\\nb\"",
    "\"\\u00e9\\x41\"",
    "\"\\\\\"",
    "\"\\\"q\"",
    "\"\"",
    "\"a # b\"",
    "\"\\t\\0\\e\\N\\_\\L\\P\"",
    "\"\\U0001F600\"",
    "'unterminated",
    "'a'b",
    "ENC[AES256_GCM,data:abc=,iv:def=,tag:ghi==,type:str]",
    "a -",
    "... x",
    "x ",
    "x  # c",
    "{}",
    "[]",
    "{} # c",
    "[]#c",
    "{ }",
];
/// Scalars granit rejects or the fast path leaves to it.
const ODD_SCALARS: &[&str] = &[
    "a: b",
    "- x",
    "#x",
    "\"\\ud83d\\ude00\"",
    "\"\\q\"",
    "\"x\" y",
    "[1, 2]",
    "{a: b}",
    "&anchor x",
    "*alias",
    "!tag x",
    "@at",
    "`bt",
    "%p",
    "? x",
    "x:",
    "é: x",
    "tab\tin",
    "- - x",
    "--- x",
];
const COMMENTS: &[&str] = &["#", "# c", "#c", "# ü", "#  two  spaces", "# a: b", "# - x"];

struct Gen {
    rng: Rng,
    out: String,
    step: usize,
}

impl Gen {
    fn spaces(&mut self, n: usize) {
        self.out.extend(std::iter::repeat_n(' ', n));
    }

    /// Blank lines and whole-line comments at some indentation near `indent`.
    fn between(&mut self, indent: usize) {
        while self.rng.chance(15) {
            match self.rng.below(4) {
                0 => self.out.push('\n'),
                1 => self.out.push_str("  \n"),
                _ => {
                    let at = match self.rng.below(4) {
                        0 => 0,
                        1 => indent + self.step,
                        2 => indent.saturating_sub(1),
                        _ => indent,
                    };
                    self.spaces(at);
                    let c = self.rng.pick(COMMENTS);
                    self.out.push_str(c);
                    self.out.push('\n');
                }
            }
        }
    }

    fn line_end(&mut self) {
        if self.rng.chance(5) {
            self.out.push_str("  ");
        }
        if self.rng.chance(10) {
            self.out.push_str(" # ");
            let c = self.rng.pick(COMMENTS);
            self.out.push_str(c);
        }
        self.out.push('\n');
    }

    fn block_scalar(&mut self, indent: usize) {
        let header = self
            .rng
            .pick(&["|", "|-", "|+", ">", ">-", ">+", "| # c", "|2"]);
        self.out.push_str(header);
        self.out.push('\n');
        let inner = indent + self.step;
        for _ in 0..1 + self.rng.below(4) {
            match self.rng.below(6) {
                0 => self.out.push('\n'),
                1 => {
                    self.spaces(inner + 2);
                    self.out.push_str("more indented\n");
                }
                _ => {
                    self.spaces(inner);
                    let w = self
                        .rng
                        .pick(&["text", "a b", "# not a comment", "x: y", "- z"]);
                    self.out.push_str(w);
                    self.out.push('\n');
                }
            }
        }
    }

    fn scalar_value(&mut self, indent: usize) {
        if self.rng.chance(8) {
            self.block_scalar(indent);
        } else {
            let long = "v".repeat(1100);
            let v = if self.rng.chance(3) {
                self.rng.pick(ODD_SCALARS)
            } else if self.rng.chance(1) {
                &long
            } else {
                self.rng.pick(SCALARS)
            };
            self.out.push_str(v);
            self.line_end();
        }
    }

    fn map(&mut self, indent: usize, depth: usize, first_inline: bool) {
        let n = 1 + self.rng.below(4);
        for i in 0..n {
            if i > 0 || !first_inline {
                self.between(indent);
                self.spaces(indent);
            }
            // Past granit's simple-key lookahead now and then.
            let k = if self.rng.chance(1) {
                "k".repeat(1020 + self.rng.below(10))
            } else {
                self.rng.pick(KEYS).to_string()
            };
            self.out.push_str(&k);
            if self.rng.chance(3) {
                self.out.push(' ');
            }
            self.out.push(':');
            self.value(indent, depth);
        }
    }

    /// What follows `key:`.
    fn value(&mut self, indent: usize, depth: usize) {
        let nested = depth < 4;
        match self.rng.below(10) {
            0 => self.line_end(),
            1 | 2 if nested => {
                self.line_end();
                self.map(indent + self.step, depth + 1, false);
            }
            3 | 4 if nested => {
                self.line_end();
                let at = if self.rng.chance(50) {
                    indent
                } else {
                    indent + self.step
                };
                self.list(at, depth + 1, false);
            }
            _ => {
                self.out.push(' ');
                self.scalar_value(indent);
            }
        }
    }

    fn list(&mut self, indent: usize, depth: usize, first_inline: bool) {
        let n = 1 + self.rng.below(4);
        for i in 0..n {
            if i > 0 || !first_inline {
                self.between(indent);
                self.spaces(indent);
            }
            self.out.push('-');
            match self.rng.below(8) {
                0 => self.line_end(),
                1 if depth < 4 => {
                    self.out.push(' ');
                    self.map(indent + 2, depth + 1, true);
                }
                2 if depth < 4 => {
                    self.out.push(' ');
                    self.list(indent + 2, depth + 1, true);
                }
                3 if depth < 4 => {
                    self.line_end();
                    self.map(indent + self.step, depth + 1, false);
                }
                _ => {
                    self.out.push(' ');
                    self.scalar_value(indent);
                }
            }
        }
    }

    fn doc(&mut self) -> String {
        self.out.clear();
        self.step = if self.rng.chance(50) { 2 } else { 4 };
        self.between(0);
        if self.rng.chance(10) {
            self.out.push_str("---\n");
        }
        match self.rng.below(20) {
            0 => self.scalar_value(0),
            1 | 2 => self.list(0, 0, false),
            _ => self.map(0, 0, false),
        }
        self.between(0);
        if self.rng.chance(10) {
            self.out.pop();
        }
        self.out.clone()
    }
}

fn mutate(rng: &mut Rng, src: &str) -> String {
    let mut s: Vec<char> = src.chars().collect();
    for _ in 0..1 + rng.below(2) {
        if s.is_empty() {
            break;
        }
        let at = rng.below(s.len());
        match rng.below(3) {
            0 => {
                s.remove(at);
            }
            _ => {
                let c = [
                    ' ', '\n', ':', '-', '#', '\'', '"', 'a', '|', '\t', '\\', '{',
                ][rng.below(12)];
                s.insert(at, c);
            }
        }
    }
    s.into_iter().collect()
}

fn vectors_dir() -> Option<std::path::PathBuf> {
    let candidates = [
        std::env::var_os("SOPS_RS_VECTORS").map(std::path::PathBuf::from),
        Some(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/vectors")),
    ];
    candidates.into_iter().flatten().find(|p| p.is_dir())
}

fn yaml_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
            out.push(p);
        }
    }
}

/// The shape of `benches/gen_big.py`'s YAML, with `leaves` leaves.
fn big_like(leaves: usize) -> String {
    let mut out = format!("# generated by benches/gen_big.py: {leaves} leaves\nservices:\n");
    let mut written = 0;
    let mut service = 0;
    while written < leaves {
        let count = 50.min(leaves - written);
        out.push_str(&format!("  svc{service:05}:\n"));
        if service % 10 == 0 {
            out.push_str(&format!("    # settings of service {service}\n"));
        }
        for n in 0..count {
            match n % 5 {
                0 => out.push_str(&format!(
                    "    password{n:02}: s3cr3t-{service}-{n}-Zm9vYmFyYmF6\n"
                )),
                1 => out.push_str(&format!(
                    "    port{n:02}: {}\n",
                    1024 + (service * 7 + n) % 60000
                )),
                2 => out.push_str(&format!("    enabled{n:02}: {}\n", (service + n) % 2 == 1)),
                3 => out.push_str(&format!("    ratio{n:02}: {}.{n}\n", service % 100)),
                _ => out.push_str(&format!(
                    "    hosts{n:02}:\n      - host-{service}-a.example.com\n"
                )),
            }
        }
        written += count;
        service += 1;
    }
    out
}

#[test]
fn benchmark_shaped_documents_take_the_fast_path() {
    let plain = big_like(2000);
    assert!(same_as_granit(&plain));
    // The same data as sops writes it: encrypted values, comments and the metadata.
    let mut enc = String::from("#ENC[AES256_GCM,data:YTd3,iv:8seb,tag:3uqi,type:comment]\n");
    for line in plain.lines().skip(1) {
        let indent = line.len() - line.trim_start().len();
        let body = line.trim_start();
        let body = match body.split_once(": ") {
            Some((k, _)) => {
                format!("{k}: ENC[AES256_GCM,data:eUxRVw==,iv:mg=,tag:Fd==,type:int]")
            }
            None if body.starts_with("- ") => {
                "- ENC[AES256_GCM,data:KfB3,iv:OYcl,tag:ZBZx,type:str]".to_string()
            }
            None if body.starts_with('#') => {
                "#ENC[AES256_GCM,data:+FMJ,iv:NF,tag:fA==,type:comment]".to_string()
            }
            None => body.to_string(),
        };
        enc.push_str(&" ".repeat(indent * 2));
        enc.push_str(&body);
        enc.push('\n');
    }
    enc.push_str(concat!(
        "sops:\n",
        "    age:\n",
        "        - recipient: age1mn4rr84ylejs45all47c9f3wvdhnkv8ldjmjjweh5au3uv4dwd4sm26fw5\n",
        "          enc: |\n",
        "            -----BEGIN AGE ENCRYPTED FILE-----\n",
        "            YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSBrUS94Wi9yOHRpTkttZTds\n",
        "            -----END AGE ENCRYPTED FILE-----\n",
        "    lastmodified: \"2026-11-25T18:25:00Z\"\n",
        "    mac: ENC[AES256_GCM,data:w9Bu,iv:TpDg,tag:uT62,type:str]\n",
        "    unencrypted_suffix: _unencrypted\n",
        "    version: 3.11.0\n",
    ));
    assert!(same_as_granit(&enc));
}

/// The fast path streams into the builder; when the input leaves the subset late, the
/// whole file is read again by granit (nothing of the first attempt is kept).
#[test]
fn a_late_bail_reads_the_whole_file_with_granit() {
    use crate::tree::Value;
    let src = "a: 1\nb:\n  c: 2\nd: {x: 1}\n";
    let fast: Vec<_> = events(src).unwrap().collect();
    assert!(fast.len() > 8, "{fast:?}");
    assert_eq!(fast.last(), Some(&Err(Unsupported)));
    let tree = super::super::parse::load_plain(src.as_bytes()).unwrap();
    let root = &tree.branches[0];
    assert_eq!(root.items.len(), 3);
    assert!(matches!(root.get("d"), Some(Value::Map(m)) if m.get("x").is_some()));
    let err = super::super::parse::load_plain(b"a: 1\nb:\n  c: 2\nd: [1,\n").unwrap_err();
    // The granit path's message (sops 3.11's wording), not a fast-path one.
    assert_eq!(
        err.to_string(),
        "Error unmarshalling file: yaml: line 4: did not find expected node content"
    );
}

#[test]
fn word_search_finds_the_first_match() {
    let text = b"0123456789abcdef: x\n";
    let colon = |w| has_byte(w, b':');
    assert_eq!(find_byte(text, 0, colon, |c| c == b':'), 16);
    assert_eq!(find_byte(text, 17, colon, |c| c == b':'), text.len());
    assert_eq!(
        find_byte(text, 0, |w| has_byte(w, b'\n'), |c| c == b'\n'),
        19
    );
    assert!(!has_byte(u64::from_le_bytes(*b"abcdefgh"), b':'));
    assert!(has_byte(u64::from_le_bytes(*b"abcdefg:"), b':'));
}

#[test]
fn unsupported_or_invalid_input_goes_to_granit() {
    for src in [
        "a: [1, 2]\n",
        "a: &x 1\nb: *x\n",
        "a: !t 1\n",
        "%YAML 1.2\n---\na: 1\n",
        "a: 1\n---\nb: 2\n",
        "? a\n: b\n",
        "a: b\n  c\n",
        "a: 'x\n  y'\n",
        "a:\tb\n",
        "a: 1\r\n",
        "a: 1\nb\n",
        "a: 1\n- b\n",
        "- a\nb: 1\n",
        "a: b: c\n",
        "a: 'x\n",
        "a: \"\\q\"\n",
        "a: |2\n  x\n",
        "a: x # c\n  b\n",
        "\u{feff}a: 1\n",
    ] {
        let fast = events(src).map(|e| e.collect::<Result<Vec<_>, _>>());
        assert!(matches!(fast, None | Some(Err(_))), "{src:?}");
        // And the loader still reads (or rejects) it through granit.
        let _ = granit(src);
    }
}

#[test]
fn common_shapes_are_accepted() {
    for src in [
        "a: 1\n",
        "# head\n\n# head2\na: 1 # right\nb:\n  c: 'x' # r2\n  # inner\nd:\n- e\n-   \"f\\n\"\n- # empty\n-\n  # below\n  g: h\n# foot\nk: |\n  lit\n  more\n\n# last\n",
        "---\na: 1\n",
        "a:\n    - b: 1\n      c: >-\n        folded\n        text\n\n        para\n",
        "# only a comment\n",
        "",
        "a: 'it''s' # c\nb: \"\\u00e9\"\n",
        "- - x\n  - y\n- z\n",
        "a:\n",
        "a: x",
        "a: {}\nb: []\nc:\n- []\n",
        "- {}\n- [] # c\n",
    ] {
        assert!(same_as_granit(src), "{src:?}");
    }
}

#[test]
fn generated_documents_match_granit() {
    let mut g = Gen {
        rng: Rng(0x9E37_79B9_7F4A_7C15),
        out: String::new(),
        step: 2,
    };
    let (mut total, mut accepted, mut mutated, mut mutated_accepted) = (0, 0, 0, 0);
    for _ in 0..4000 {
        let doc = g.doc();
        total += 1;
        accepted += usize::from(same_as_granit(&doc));
        for _ in 0..2 {
            let m = mutate(&mut g.rng, &doc);
            mutated += 1;
            mutated_accepted += usize::from(same_as_granit(&m));
        }
    }
    eprintln!("generated: {accepted}/{total} accepted; mutated: {mutated_accepted}/{mutated}");
    assert!(accepted * 100 >= total * 30, "{accepted}/{total}");
    assert!(
        mutated_accepted * 100 >= mutated * 15,
        "{mutated_accepted}/{mutated}"
    );
}

#[test]
fn corpus_files_match_granit() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    if let Some(dir) = vectors_dir() {
        yaml_files(&dir, &mut files);
    }
    for sub in ["src/store/yaml/testdata", "tests", "examples", "fuzz"] {
        yaml_files(&root.join(sub), &mut files);
    }
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let (mut total, mut accepted, mut enc_total, mut enc_accepted) = (0, 0, 0, 0);
    for f in &files {
        let Ok(src) = std::fs::read_to_string(f) else {
            continue;
        };
        total += 1;
        let ok = same_as_granit(&src);
        accepted += usize::from(ok);
        if f.to_string_lossy().ends_with(".enc.yaml") {
            enc_total += 1;
            enc_accepted += usize::from(ok);
        }
        for _ in 0..3 {
            same_as_granit(&mutate(&mut rng, &src));
        }
    }
    eprintln!("corpus: {accepted}/{total} accepted; encrypted {enc_accepted}/{enc_total}");
    assert!(total >= 300, "{total}");
    assert!(accepted * 100 >= total * 60, "{accepted}/{total}");
    assert!(
        enc_accepted * 100 >= enc_total * 80,
        "{enc_accepted}/{enc_total}"
    );
}
