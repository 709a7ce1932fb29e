//! Generated oracle cases (sops 3.11.0 decrypt output for random trees).

use super::tests::*;
use crate::tree::{Timestamp, Tree, Value};

/// (name, tree, output for indent 4, 2, 3)
pub(super) fn cases() -> Vec<(&'static str, Tree, [&'static str; 3])> {
    vec![
        (
            "c1",
            Tree {
                branches: vec![m(vec![
                    p(
                        "-",
                        l(vec![
                            lc(" ключ"),
                            lc(" ENC-ish: x"),
                            s("a\u{d}\nb"),
                            lc(" ключ"),
                            lc("  indented comment"),
                            l(vec![]),
                        ]),
                    ),
                    p("tab\tkey", mv(vec![p("-", l(vec![]))])),
                    c(" ключ"),
                ])],
            },
            [
                "'-':\n    # ключ\n    # ENC-ish: x\n    - \"a\\r\\nb\"\n    # ключ\n    #  indented comment\n    - []\n\"tab\\tkey\":\n    '-': []\n# ключ\n",
                "'-':\n  # ключ\n  # ENC-ish: x\n  - \"a\\r\\nb\"\n  # ключ\n  #  indented comment\n  - []\n\"tab\\tkey\":\n  '-': []\n# ключ\n",
                "'-':\n   # ключ\n   # ENC-ish: x\n   - \"a\\r\\nb\"\n   # ключ\n   #  indented comment\n   - []\n\"tab\\tkey\":\n   '-': []\n# ключ\n",
            ],
        ),
        (
            "c2",
            Tree {
                branches: vec![m(vec![
                    c(" ENC-ish: x"),
                    p(
                        "a",
                        l(vec![
                            s("+1"),
                            lc(" ENC-ish: x"),
                            lc(" ключ"),
                            l(vec![
                                s("!x"),
                                l(vec![s("\nx"), lc(" comment here"), s("é")]),
                                lc("  indented comment"),
                                lc(" ENC-ish: x"),
                                mv(vec![
                                    p(
                                        "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                                        l(vec![
                                            Value::Time(Timestamp {
                                                year: 2020,
                                                month: 2,
                                                day: 29,
                                                hour: 23,
                                                minute: 59,
                                                second: 59,
                                                nanosecond: 0,
                                                offset_seconds: Some(19800),
                                            }),
                                            lc(" ENC-ish: x"),
                                            lc(" ENC-ish: x"),
                                            s("a\u{d}\nb"),
                                        ]),
                                    ),
                                    p("yes", Value::Bool(false)),
                                    p(
                                        "emoji\u{1f600}",
                                        l(vec![i(1000000i64), s("017"), i(1000000i64)]),
                                    ),
                                ]),
                                l(vec![
                                    i(100000i64),
                                    s("+1"),
                                    Value::Bool(true),
                                    Value::Float(-0.5_f64),
                                ]),
                            ]),
                        ]),
                    ),
                ])],
            },
            [
                "# ENC-ish: x\na:\n    - \"+1\"\n    # ENC-ish: x\n    # ключ\n    - - '!x'\n      - - |4-\n\n          x\n        # comment here\n        - é\n      #  indented comment\n      # ENC-ish: x\n      - kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk:\n            - 2020-02-29T23:59:59+05:30\n            # ENC-ish: x\n            # ENC-ish: x\n            - \"a\\r\\nb\"\n        \"yes\": false\n        \"emoji\\U0001F600\":\n            - 1000000\n            - \"017\"\n            - 1000000\n      - - 100000\n        - \"+1\"\n        - true\n        - -0.5\n",
                "# ENC-ish: x\na:\n  - \"+1\"\n  # ENC-ish: x\n  # ключ\n  - - '!x'\n    - - |2-\n\n        x\n      # comment here\n      - é\n    #  indented comment\n    # ENC-ish: x\n    - kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk:\n        - 2020-02-29T23:59:59+05:30\n        # ENC-ish: x\n        # ENC-ish: x\n        - \"a\\r\\nb\"\n      \"yes\": false\n      \"emoji\\U0001F600\":\n        - 1000000\n        - \"017\"\n        - 1000000\n    - - 100000\n      - \"+1\"\n      - true\n      - -0.5\n",
                "# ENC-ish: x\na:\n   - \"+1\"\n   # ENC-ish: x\n   # ключ\n   - - '!x'\n     - - |3-\n\n         x\n       # comment here\n       - é\n     #  indented comment\n     # ENC-ish: x\n     - kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk:\n         - 2020-02-29T23:59:59+05:30\n         # ENC-ish: x\n         # ENC-ish: x\n         - \"a\\r\\nb\"\n       \"yes\": false\n       \"emoji\\U0001F600\":\n         - 1000000\n         - \"017\"\n         - 1000000\n     - - 100000\n       - \"+1\"\n       - true\n       - -0.5\n",
            ],
        ),
        (
            "c3",
            Tree {
                branches: vec![m(vec![
                    p("-", i(1i64)),
                    c("#double"),
                    c("  indented comment"),
                    p(
                        "?",
                        Value::Time(Timestamp {
                            year: 2020,
                            month: 2,
                            day: 29,
                            hour: 23,
                            minute: 59,
                            second: 59,
                            nanosecond: 0,
                            offset_seconds: Some(19800),
                        }),
                    ),
                ])],
            },
            [
                "'-': 1\n##double\n#  indented comment\n'?': 2020-02-29T23:59:59+05:30\n",
                "'-': 1\n##double\n#  indented comment\n'?': 2020-02-29T23:59:59+05:30\n",
                "'-': 1\n##double\n#  indented comment\n'?': 2020-02-29T23:59:59+05:30\n",
            ],
        ),
        (
            "c4",
            Tree {
                branches: vec![m(vec![
                    c(" ключ"),
                    c(" comment here"),
                    p("a: b", s("x\n\ty")),
                ])],
            },
            [
                "# ключ\n# comment here\n'a: b': |-\n    x\n    \ty\n",
                "# ключ\n# comment here\n'a: b': |-\n  x\n  \ty\n",
                "# ключ\n# comment here\n'a: b': |-\n   x\n   \ty\n",
            ],
        ),
        (
            "c5",
            Tree {
                branches: vec![m(vec![
                    p(
                        "yes",
                        l(vec![
                            lc(" comment here"),
                            lc(" ENC-ish: x"),
                            s("tab\there"),
                            s(" x\n"),
                            mv(vec![
                                c(" comment here"),
                                c(" c"),
                                p("yes", i(-1i64)),
                                c(" comment here"),
                                p(
                                    "long_key_name",
                                    l(vec![Value::Time(Timestamp {
                                        year: 2002,
                                        month: 12,
                                        day: 14,
                                        hour: 0,
                                        minute: 0,
                                        second: 0,
                                        nanosecond: 0,
                                        offset_seconds: None,
                                    })]),
                                ),
                                p(
                                    "1",
                                    mv(vec![
                                        c(" comment here"),
                                        c(" comment here"),
                                        p(
                                            "a: b",
                                            s("ENC[AES256_GCM,data:abc=,iv:x,tag:y,type:str]"),
                                        ),
                                        c(" c"),
                                        c("#double"),
                                        p("-", s("017")),
                                        c(" ENC-ish: x"),
                                        c(" comment here"),
                                        p(
                                            "#c",
                                            Value::Time(Timestamp {
                                                year: 2001,
                                                month: 12,
                                                day: 14,
                                                hour: 21,
                                                minute: 59,
                                                second: 43,
                                                nanosecond: 100000000,
                                                offset_seconds: Some(-18000),
                                            }),
                                        ),
                                    ]),
                                ),
                            ]),
                            s("x\n\ty"),
                        ]),
                    ),
                    p(
                        "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                        mv(vec![]),
                    ),
                    c("  indented comment"),
                    p(
                        "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                        l(vec![lc(" ключ"), s("\nx")]),
                    ),
                    p(
                        "2001-12-14",
                        mv(vec![
                            c(" comment here"),
                            p("a: b", i(-1i64)),
                            p("#c", mv(vec![])),
                        ]),
                    ),
                ])],
            },
            [
                "\"yes\":\n    # comment here\n    # ENC-ish: x\n    - \"tab\\there\"\n    - |4\n       x\n    # comment here\n    # c\n    - \"yes\": -1\n      # comment here\n      long_key_name:\n        - 2002-12-14T00:00:00Z\n      \"1\":\n        # comment here\n        # comment here\n        'a: b': ENC[AES256_GCM,data:abc=,iv:x,tag:y,type:str]\n        # c\n        ##double\n        '-': \"017\"\n        # ENC-ish: x\n        # comment here\n        '#c': 2001-12-14T21:59:43.1-05:00\n    - |-\n      x\n      \ty\nkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: {}\n#  indented comment\n? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n:   # ключ\n    - |4-\n\n      x\n\"2001-12-14\":\n    # comment here\n    'a: b': -1\n    '#c': {}\n",
                "\"yes\":\n  # comment here\n  # ENC-ish: x\n  - \"tab\\there\"\n  - |2\n     x\n  # comment here\n  # c\n  - \"yes\": -1\n    # comment here\n    long_key_name:\n      - 2002-12-14T00:00:00Z\n    \"1\":\n      # comment here\n      # comment here\n      'a: b': ENC[AES256_GCM,data:abc=,iv:x,tag:y,type:str]\n      # c\n      ##double\n      '-': \"017\"\n      # ENC-ish: x\n      # comment here\n      '#c': 2001-12-14T21:59:43.1-05:00\n  - |-\n    x\n    \ty\nkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: {}\n#  indented comment\n? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n: # ключ\n  - |2-\n\n    x\n\"2001-12-14\":\n  # comment here\n  'a: b': -1\n  '#c': {}\n",
                "\"yes\":\n   # comment here\n   # ENC-ish: x\n   - \"tab\\there\"\n   - |3\n      x\n   # comment here\n   # c\n   - \"yes\": -1\n     # comment here\n     long_key_name:\n      - 2002-12-14T00:00:00Z\n     \"1\":\n      # comment here\n      # comment here\n      'a: b': ENC[AES256_GCM,data:abc=,iv:x,tag:y,type:str]\n      # c\n      ##double\n      '-': \"017\"\n      # ENC-ish: x\n      # comment here\n      '#c': 2001-12-14T21:59:43.1-05:00\n   - |-\n     x\n     \ty\nkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: {}\n#  indented comment\n? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n:  # ключ\n   - |3-\n\n     x\n\"2001-12-14\":\n   # comment here\n   'a: b': -1\n   '#c': {}\n",
            ],
        ),
        (
            "c6",
            Tree {
                branches: vec![m(vec![
                    p("a", s("\u{2028}")),
                    p("-", l(vec![s("a: b"), s("+1")])),
                    c(" ENC-ish: x"),
                    c("  indented comment"),
                    p(
                        "b",
                        mv(vec![
                            p("#c", s("*x")),
                            p(
                                "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                                l(vec![
                                    lc("  indented comment"),
                                    l(vec![
                                        l(vec![Value::Float(f64::NAN)]),
                                        s("ENC[AES256_GCM,data:abc=,iv:x,tag:y,type:str]"),
                                    ]),
                                    s("a\nb"),
                                ]),
                            ),
                            p("emoji\u{1f600}", Value::Float(1e-07_f64)),
                        ]),
                    ),
                    c(" comment here"),
                    c(" comment here"),
                    p(
                        "",
                        mv(vec![
                            c(" c"),
                            p(
                                "k",
                                mv(vec![
                                    p("emoji\u{1f600}", s("\u{0}")),
                                    c(" c"),
                                    c(" comment here"),
                                    p("a: b", Value::Float(0.1_f64)),
                                    p(
                                        "b",
                                        Value::Time(Timestamp {
                                            year: 2020,
                                            month: 2,
                                            day: 29,
                                            hour: 23,
                                            minute: 59,
                                            second: 59,
                                            nanosecond: 0,
                                            offset_seconds: Some(19800),
                                        }),
                                    ),
                                    p(
                                        "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                                        s("\u{7f}"),
                                    ),
                                ]),
                            ),
                            p("key\nnl", l(vec![])),
                            p("true", s("last line no nl\n\nx")),
                            c("#double"),
                            p(
                                "1",
                                mv(vec![
                                    p(
                                        "true",
                                        Value::Time(Timestamp {
                                            year: 2001,
                                            month: 12,
                                            day: 14,
                                            hour: 21,
                                            minute: 59,
                                            second: 43,
                                            nanosecond: 100000000,
                                            offset_seconds: None,
                                        }),
                                    ),
                                    p(
                                        "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                                        s("ENC[AES256_GCM,data:abc=,iv:x,tag:y,type:str]"),
                                    ),
                                ]),
                            ),
                        ]),
                    ),
                    p("key\nnl", Value::Float(f64::NEG_INFINITY)),
                ])],
            },
            [
                "a: '\u{2028}'\n'-':\n    - 'a: b'\n    - \"+1\"\n# ENC-ish: x\n#  indented comment\nb:\n    '#c': '*x'\n    ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n    :   #  indented comment\n        - - - .nan\n          - ENC[AES256_GCM,data:abc=,iv:x,tag:y,type:str]\n        - |-\n          a\n          b\n    \"emoji\\U0001F600\": 1e-07\n# comment here\n# comment here\n\"\":\n    # c\n    k:\n        \"emoji\\U0001F600\": \"\\0\"\n        # c\n        # comment here\n        'a: b': 0.1\n        b: 2020-02-29T23:59:59+05:30\n        ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n        : \"\\x7F\"\n    ? |-\n        key\n        nl\n    : []\n    \"true\": |-\n        last line no nl\n\n        x\n    ##double\n    \"1\":\n        \"true\": 2001-12-14T21:59:43.1Z\n        kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: ENC[AES256_GCM,data:abc=,iv:x,tag:y,type:str]\n? |-\n    key\n    nl\n: -.inf\n",
                "a: '\u{2028}'\n'-':\n  - 'a: b'\n  - \"+1\"\n# ENC-ish: x\n#  indented comment\nb:\n  '#c': '*x'\n  ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n  : #  indented comment\n    - - - .nan\n      - ENC[AES256_GCM,data:abc=,iv:x,tag:y,type:str]\n    - |-\n      a\n      b\n  \"emoji\\U0001F600\": 1e-07\n# comment here\n# comment here\n\"\":\n  # c\n  k:\n    \"emoji\\U0001F600\": \"\\0\"\n    # c\n    # comment here\n    'a: b': 0.1\n    b: 2020-02-29T23:59:59+05:30\n    ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n    : \"\\x7F\"\n  ? |-\n    key\n    nl\n  : []\n  \"true\": |-\n    last line no nl\n\n    x\n  ##double\n  \"1\":\n    \"true\": 2001-12-14T21:59:43.1Z\n    kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: ENC[AES256_GCM,data:abc=,iv:x,tag:y,type:str]\n? |-\n  key\n  nl\n: -.inf\n",
                "a: '\u{2028}'\n'-':\n   - 'a: b'\n   - \"+1\"\n# ENC-ish: x\n#  indented comment\nb:\n   '#c': '*x'\n   ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n   :  #  indented comment\n      - - - .nan\n        - ENC[AES256_GCM,data:abc=,iv:x,tag:y,type:str]\n      - |-\n        a\n        b\n   \"emoji\\U0001F600\": 1e-07\n# comment here\n# comment here\n\"\":\n   # c\n   k:\n      \"emoji\\U0001F600\": \"\\0\"\n      # c\n      # comment here\n      'a: b': 0.1\n      b: 2020-02-29T23:59:59+05:30\n      ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n      : \"\\x7F\"\n   ? |-\n      key\n      nl\n   : []\n   \"true\": |-\n      last line no nl\n\n      x\n   ##double\n   \"1\":\n      \"true\": 2001-12-14T21:59:43.1Z\n      kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: ENC[AES256_GCM,data:abc=,iv:x,tag:y,type:str]\n? |-\n   key\n   nl\n: -.inf\n",
            ],
        ),
        (
            "c7",
            Tree {
                branches: vec![m(vec![
                    p("long_key_name", Value::Bool(true)),
                    p(" sp", l(vec![lc(" ключ"), lc(" c"), i(0i64)])),
                    c(" ENC-ish: x"),
                    p("-", mv(vec![])),
                ])],
            },
            [
                "long_key_name: true\n' sp':\n    # ключ\n    # c\n    - 0\n# ENC-ish: x\n'-': {}\n",
                "long_key_name: true\n' sp':\n  # ключ\n  # c\n  - 0\n# ENC-ish: x\n'-': {}\n",
                "long_key_name: true\n' sp':\n   # ключ\n   # c\n   - 0\n# ENC-ish: x\n'-': {}\n",
            ],
        ),
        (
            "c8",
            Tree {
                branches: vec![m(vec![
                    p(" sp", Value::Float(100000.0_f64)),
                    p("long_key_name", l(vec![s("\u{0}")])),
                ])],
            },
            [
                "' sp': 100000\nlong_key_name:\n    - \"\\0\"\n",
                "' sp': 100000\nlong_key_name:\n  - \"\\0\"\n",
                "' sp': 100000\nlong_key_name:\n   - \"\\0\"\n",
            ],
        ),
        (
            "c9",
            Tree {
                branches: vec![m(vec![
                    p("?", Value::Null),
                    p("k", i(i64::MIN)),
                    p(
                        "x-y",
                        mv(vec![
                            p("1", Value::Float(123456789.0_f64)),
                            c("  indented comment"),
                            p(
                                "null",
                                l(vec![
                                    lc(" ENC-ish: x"),
                                    lc(" c"),
                                    l(vec![mv(vec![
                                        p("a", s("?")),
                                        c(" ключ"),
                                        p("key", s("a\u{d}\nb")),
                                        c(" ENC-ish: x"),
                                        c(" c"),
                                        p("long_key_name", s("   ")),
                                    ])]),
                                    l(vec![l(vec![s("bell\u{7}\nx")])]),
                                    s("<<"),
                                    i(-1i64),
                                ]),
                            ),
                        ]),
                    ),
                ])],
            },
            [
                "'?': null\nk: -9223372036854775808\nx-y:\n    \"1\": 1.23456789e+08\n    #  indented comment\n    \"null\":\n        # ENC-ish: x\n        # c\n        - - a: '?'\n            # ключ\n            key: \"a\\r\\nb\"\n            # ENC-ish: x\n            # c\n            long_key_name: '   '\n        - - - \"bell\\a\\nx\"\n        - !!merge <<\n        - -1\n",
                "'?': null\nk: -9223372036854775808\nx-y:\n  \"1\": 1.23456789e+08\n  #  indented comment\n  \"null\":\n    # ENC-ish: x\n    # c\n    - - a: '?'\n        # ключ\n        key: \"a\\r\\nb\"\n        # ENC-ish: x\n        # c\n        long_key_name: '   '\n    - - - \"bell\\a\\nx\"\n    - !!merge <<\n    - -1\n",
                "'?': null\nk: -9223372036854775808\nx-y:\n   \"1\": 1.23456789e+08\n   #  indented comment\n   \"null\":\n      # ENC-ish: x\n      # c\n      - - a: '?'\n          # ключ\n          key: \"a\\r\\nb\"\n          # ENC-ish: x\n          # c\n          long_key_name: '   '\n      - - - \"bell\\a\\nx\"\n      - !!merge <<\n      - -1\n",
            ],
        ),
        (
            "c10",
            Tree {
                branches: vec![m(vec![
                    p(
                        "key",
                        mv(vec![p(
                            "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                            l(vec![
                                lc("#double"),
                                lc(" c"),
                                Value::Time(Timestamp {
                                    year: 2001,
                                    month: 12,
                                    day: 14,
                                    hour: 21,
                                    minute: 59,
                                    second: 43,
                                    nanosecond: 100000000,
                                    offset_seconds: None,
                                }),
                            ]),
                        )]),
                    ),
                    p(
                        "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                        mv(vec![
                            p(
                                "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                                mv(vec![
                                    p(
                                        "1",
                                        mv(vec![p(
                                            "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                                            l(vec![
                                                s(":x"),
                                                lc("  indented comment"),
                                                lc("#double"),
                                                s("a\u{2029}b"),
                                                s("a\n\nb\n"),
                                            ]),
                                        )]),
                                    ),
                                    p("#c", s("\u{c}")),
                                    c("#double"),
                                    c("  indented comment"),
                                    p(
                                        "null",
                                        mv(vec![
                                            c("  indented comment"),
                                            c(" comment here"),
                                            p("a", Value::Float(1000000.0_f64)),
                                            c("#double"),
                                            p(
                                                "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                                                s("..."),
                                            ),
                                            p(
                                                "emoji\u{1f600}",
                                                mv(vec![p("b", Value::Float(123456789.0_f64))]),
                                            ),
                                            c("#double"),
                                            c(" ключ"),
                                            p("2001-12-14", s("~")),
                                        ]),
                                    ),
                                ]),
                            ),
                            p("#c", s("\u{b}")),
                            c(" ENC-ish: x"),
                            c(" comment here"),
                            p(
                                "-",
                                mv(vec![
                                    p("with space", s("0b101")),
                                    p(
                                        "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                                        s("? x"),
                                    ),
                                ]),
                            ),
                        ]),
                    ),
                    p(
                        "x-y",
                        mv(vec![
                            c(" c"),
                            c(" c"),
                            p(
                                "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                                s("? x"),
                            ),
                            c(" ключ"),
                            c(" comment here"),
                            p("a", s("a\nb")),
                            p(
                                "#c",
                                l(vec![
                                    mv(vec![
                                        p("long_key_name", s("a: b")),
                                        p(
                                            "q'k",
                                            mv(vec![
                                                p("k", s("...")),
                                                p("tab\tkey", i(1i64)),
                                                c(" comment here"),
                                                c("#double"),
                                                p("a: b", Value::Null),
                                            ]),
                                        ),
                                        p("true", i(100000i64)),
                                    ]),
                                    mv(vec![
                                        p(
                                            "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                                            l(vec![
                                                Value::Float(0.0001_f64),
                                                i(0i64),
                                                Value::Null,
                                                s("\u{7f}"),
                                            ]),
                                        ),
                                        p("a", s("\u{7f}")),
                                    ]),
                                    mv(vec![
                                        p(
                                            "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                                            s("&x"),
                                        ),
                                        p("é", Value::Float(f64::NEG_INFINITY)),
                                    ]),
                                ]),
                            ),
                        ]),
                    ),
                    p(
                        "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                        mv(vec![]),
                    ),
                ])],
            },
            [
                "key:\n    ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n    :   ##double\n        # c\n        - 2001-12-14T21:59:43.1Z\nkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk:\n    kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk:\n        \"1\":\n            ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n            :   - :x\n                #  indented comment\n                ##double\n                - 'a\u{2029}                  b'\n                - |\n                  a\n\n                  b\n        '#c': \"\\f\"\n        ##double\n        #  indented comment\n        \"null\":\n            #  indented comment\n            # comment here\n            a: 1e+06\n            ##double\n            ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n            : '...'\n            \"emoji\\U0001F600\":\n                b: 1.23456789e+08\n            ##double\n            # ключ\n            \"2001-12-14\": \"~\"\n    '#c': \"\\v\"\n    # ENC-ish: x\n    # comment here\n    '-':\n        with space: \"0b101\"\n        ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n        : '? x'\nx-y:\n    # c\n    # c\n    ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n    : '? x'\n    # ключ\n    # comment here\n    a: |-\n        a\n        b\n    '#c':\n        - long_key_name: 'a: b'\n          q'k:\n            k: '...'\n            \"tab\\tkey\": 1\n            # comment here\n            ##double\n            'a: b': null\n          \"true\": 100000\n        - ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n          : - 0.0001\n            - 0\n            - null\n            - \"\\x7F\"\n          a: \"\\x7F\"\n        - ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n          : '&x'\n          é: -.inf\n? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n: {}\n",
                "key:\n  ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n  : ##double\n    # c\n    - 2001-12-14T21:59:43.1Z\nkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk:\n  kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk:\n    \"1\":\n      ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n      : - :x\n        #  indented comment\n        ##double\n        - 'a\u{2029}          b'\n        - |\n          a\n\n          b\n    '#c': \"\\f\"\n    ##double\n    #  indented comment\n    \"null\":\n      #  indented comment\n      # comment here\n      a: 1e+06\n      ##double\n      ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n      : '...'\n      \"emoji\\U0001F600\":\n        b: 1.23456789e+08\n      ##double\n      # ключ\n      \"2001-12-14\": \"~\"\n  '#c': \"\\v\"\n  # ENC-ish: x\n  # comment here\n  '-':\n    with space: \"0b101\"\n    ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n    : '? x'\nx-y:\n  # c\n  # c\n  ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n  : '? x'\n  # ключ\n  # comment here\n  a: |-\n    a\n    b\n  '#c':\n    - long_key_name: 'a: b'\n      q'k:\n        k: '...'\n        \"tab\\tkey\": 1\n        # comment here\n        ##double\n        'a: b': null\n      \"true\": 100000\n    - ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n      : - 0.0001\n        - 0\n        - null\n        - \"\\x7F\"\n      a: \"\\x7F\"\n    - ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n      : '&x'\n      é: -.inf\n? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n: {}\n",
                "key:\n   ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n   :  ##double\n      # c\n      - 2001-12-14T21:59:43.1Z\nkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk:\n   kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk:\n      \"1\":\n         ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n         :  - :x\n            #  indented comment\n            ##double\n            - 'a\u{2029}              b'\n            - |\n              a\n\n              b\n      '#c': \"\\f\"\n      ##double\n      #  indented comment\n      \"null\":\n         #  indented comment\n         # comment here\n         a: 1e+06\n         ##double\n         ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n         : '...'\n         \"emoji\\U0001F600\":\n            b: 1.23456789e+08\n         ##double\n         # ключ\n         \"2001-12-14\": \"~\"\n   '#c': \"\\v\"\n   # ENC-ish: x\n   # comment here\n   '-':\n      with space: \"0b101\"\n      ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n      : '? x'\nx-y:\n   # c\n   # c\n   ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n   : '? x'\n   # ключ\n   # comment here\n   a: |-\n      a\n      b\n   '#c':\n      - long_key_name: 'a: b'\n        q'k:\n         k: '...'\n         \"tab\\tkey\": 1\n         # comment here\n         ##double\n         'a: b': null\n        \"true\": 100000\n      - ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n        :\n         - 0.0001\n         - 0\n         - null\n         - \"\\x7F\"\n        a: \"\\x7F\"\n      - ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n        : '&x'\n        é: -.inf\n? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n: {}\n",
            ],
        ),
        (
            "c12",
            Tree {
                branches: vec![m(vec![
                    p(
                        "yes",
                        mv(vec![
                            c(" ключ"),
                            c("#double"),
                            p(
                                "é",
                                mv(vec![
                                    p("tab\tkey", s("x]")),
                                    p("long_key_name", s("#x")),
                                    p("key", s("?")),
                                ]),
                            ),
                        ]),
                    ),
                    p("emoji\u{1f600}", l(vec![])),
                    p("key", mv(vec![p("a", s("\u{2028}"))])),
                    p(
                        "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                        Value::Null,
                    ),
                ])],
            },
            [
                "\"yes\":\n    # ключ\n    ##double\n    é:\n        \"tab\\tkey\": x]\n        long_key_name: '#x'\n        key: '?'\n\"emoji\\U0001F600\": []\nkey:\n    a: '\u{2028}'\nkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: null\n",
                "\"yes\":\n  # ключ\n  ##double\n  é:\n    \"tab\\tkey\": x]\n    long_key_name: '#x'\n    key: '?'\n\"emoji\\U0001F600\": []\nkey:\n  a: '\u{2028}'\nkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: null\n",
                "\"yes\":\n   # ключ\n   ##double\n   é:\n      \"tab\\tkey\": x]\n      long_key_name: '#x'\n      key: '?'\n\"emoji\\U0001F600\": []\nkey:\n   a: '\u{2028}'\nkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: null\n",
            ],
        ),
        (
            "c13",
            Tree {
                branches: vec![m(vec![
                    p("a: b", mv(vec![p("q'k", s("\u{1f389} party"))])),
                    c(" ENC-ish: x"),
                    p("1", s("+1")),
                    p("?", l(vec![lc(" ключ"), lc(" ENC-ish: x"), s("*x")])),
                ])],
            },
            [
                "'a: b':\n    q'k: \"\\U0001F389 party\"\n# ENC-ish: x\n\"1\": \"+1\"\n'?':\n    # ключ\n    # ENC-ish: x\n    - '*x'\n",
                "'a: b':\n  q'k: \"\\U0001F389 party\"\n# ENC-ish: x\n\"1\": \"+1\"\n'?':\n  # ключ\n  # ENC-ish: x\n  - '*x'\n",
                "'a: b':\n   q'k: \"\\U0001F389 party\"\n# ENC-ish: x\n\"1\": \"+1\"\n'?':\n   # ключ\n   # ENC-ish: x\n   - '*x'\n",
            ],
        ),
        (
            "c14",
            Tree {
                branches: vec![m(vec![p("?", mv(vec![p("yes", s("x\u{feff}y"))]))])],
            },
            [
                "'?':\n    \"yes\": \"x\\uFEFFy\"\n",
                "'?':\n  \"yes\": \"x\\uFEFFy\"\n",
                "'?':\n   \"yes\": \"x\\uFEFFy\"\n",
            ],
        ),
        (
            "c15",
            Tree {
                branches: vec![m(vec![
                    p("k", Value::Null),
                    c(" ENC-ish: x"),
                    p(
                        "null",
                        l(vec![lc(" ENC-ish: x"), lc("#double"), s("- dash")]),
                    ),
                ])],
            },
            [
                "k: null\n# ENC-ish: x\n\"null\":\n    # ENC-ish: x\n    ##double\n    - '- dash'\n",
                "k: null\n# ENC-ish: x\n\"null\":\n  # ENC-ish: x\n  ##double\n  - '- dash'\n",
                "k: null\n# ENC-ish: x\n\"null\":\n   # ENC-ish: x\n   ##double\n   - '- dash'\n",
            ],
        ),
        (
            "c16",
            Tree {
                branches: vec![m(vec![
                    p("key\nnl", s("\u{c}")),
                    p("emoji\u{1f600}", s("%x")),
                    p(
                        "a: b",
                        mv(vec![
                            c("  indented comment"),
                            p("a: b", Value::Null),
                            p("?", s("a  b")),
                            p("tab\tkey", s("&x")),
                            p(
                                "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                                s(
                                    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                                ),
                            ),
                        ]),
                    ),
                    c("  indented comment"),
                    c(" c"),
                ])],
            },
            [
                "? |-\n    key\n    nl\n: \"\\f\"\n\"emoji\\U0001F600\": '%x'\n'a: b':\n    #  indented comment\n    'a: b': null\n    '?': a  b\n    \"tab\\tkey\": '&x'\n    kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n#  indented comment\n# c\n",
                "? |-\n  key\n  nl\n: \"\\f\"\n\"emoji\\U0001F600\": '%x'\n'a: b':\n  #  indented comment\n  'a: b': null\n  '?': a  b\n  \"tab\\tkey\": '&x'\n  kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n#  indented comment\n# c\n",
                "? |-\n   key\n   nl\n: \"\\f\"\n\"emoji\\U0001F600\": '%x'\n'a: b':\n   #  indented comment\n   'a: b': null\n   '?': a  b\n   \"tab\\tkey\": '&x'\n   kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n#  indented comment\n# c\n",
            ],
        ),
        (
            "c17",
            Tree {
                branches: vec![m(vec![
                    p(
                        "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                        l(vec![lc(" c"), lc(" c"), Value::Bool(false), s("+1")]),
                    ),
                    p("", l(vec![])),
                    p("long_key_name", l(vec![Value::Bool(true)])),
                    p("#c", l(vec![])),
                    p("a: b", Value::Bool(true)),
                ])],
            },
            [
                "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk:\n    # c\n    # c\n    - false\n    - \"+1\"\n\"\": []\nlong_key_name:\n    - true\n'#c': []\n'a: b': true\n",
                "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk:\n  # c\n  # c\n  - false\n  - \"+1\"\n\"\": []\nlong_key_name:\n  - true\n'#c': []\n'a: b': true\n",
                "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk:\n   # c\n   # c\n   - false\n   - \"+1\"\n\"\": []\nlong_key_name:\n   - true\n'#c': []\n'a: b': true\n",
            ],
        ),
        (
            "c18",
            Tree {
                branches: vec![m(vec![
                    p("b", s("a\u{d}\nb")),
                    p("q'k", s("&x")),
                    c("#double"),
                ])],
            },
            [
                "b: \"a\\r\\nb\"\nq'k: '&x'\n##double\n",
                "b: \"a\\r\\nb\"\nq'k: '&x'\n##double\n",
                "b: \"a\\r\\nb\"\nq'k: '&x'\n##double\n",
            ],
        ),
        (
            "c19",
            Tree {
                branches: vec![m(vec![
                    p("key", s("\u{7}")),
                    p(" sp", s("&x")),
                    p("b", s("NaN")),
                    p("2001-12-14", i(42i64)),
                    p("a", s("\u{1f389} party")),
                ])],
            },
            [
                "key: \"\\a\"\n' sp': '&x'\nb: NaN\n\"2001-12-14\": 42\na: \"\\U0001F389 party\"\n",
                "key: \"\\a\"\n' sp': '&x'\nb: NaN\n\"2001-12-14\": 42\na: \"\\U0001F389 party\"\n",
                "key: \"\\a\"\n' sp': '&x'\nb: NaN\n\"2001-12-14\": 42\na: \"\\U0001F389 party\"\n",
            ],
        ),
        (
            "c20",
            Tree {
                branches: vec![m(vec![
                    p("emoji\u{1f600}", l(vec![mv(vec![])])),
                    p("#c", s("yes")),
                    c("  indented comment"),
                    c(" ключ"),
                    p("b", s("a  b")),
                ])],
            },
            [
                "\"emoji\\U0001F600\":\n    - {}\n'#c': \"yes\"\n#  indented comment\n# ключ\nb: a  b\n",
                "\"emoji\\U0001F600\":\n  - {}\n'#c': \"yes\"\n#  indented comment\n# ключ\nb: a  b\n",
                "\"emoji\\U0001F600\":\n   - {}\n'#c': \"yes\"\n#  indented comment\n# ключ\nb: a  b\n",
            ],
        ),
        (
            "c21",
            Tree {
                branches: vec![m(vec![
                    p(
                        "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                        mv(vec![
                            p(
                                "true",
                                Value::Time(Timestamp {
                                    year: 2002,
                                    month: 12,
                                    day: 14,
                                    hour: 0,
                                    minute: 0,
                                    second: 0,
                                    nanosecond: 0,
                                    offset_seconds: None,
                                }),
                            ),
                            p("with space", l(vec![])),
                            p(" sp", s("end\\")),
                        ]),
                    ),
                    p(
                        "null",
                        mv(vec![
                            p("", s("[x")),
                            p(
                                "x-y",
                                Value::Time(Timestamp {
                                    year: 2001,
                                    month: 12,
                                    day: 14,
                                    hour: 21,
                                    minute: 59,
                                    second: 43,
                                    nanosecond: 100000000,
                                    offset_seconds: None,
                                }),
                            ),
                            c(" c"),
                            p("k", l(vec![])),
                        ]),
                    ),
                ])],
            },
            [
                "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk:\n    \"true\": 2002-12-14T00:00:00Z\n    with space: []\n    ' sp': end\\\n\"null\":\n    \"\": '[x'\n    x-y: 2001-12-14T21:59:43.1Z\n    # c\n    k: []\n",
                "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk:\n  \"true\": 2002-12-14T00:00:00Z\n  with space: []\n  ' sp': end\\\n\"null\":\n  \"\": '[x'\n  x-y: 2001-12-14T21:59:43.1Z\n  # c\n  k: []\n",
                "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk:\n   \"true\": 2002-12-14T00:00:00Z\n   with space: []\n   ' sp': end\\\n\"null\":\n   \"\": '[x'\n   x-y: 2001-12-14T21:59:43.1Z\n   # c\n   k: []\n",
            ],
        ),
        (
            "c22",
            Tree {
                branches: vec![m(vec![
                    c(" comment here"),
                    c(" ENC-ish: x"),
                    p("null", Value::Float(-0.0_f64)),
                    p("a", l(vec![i(100000i64), Value::Null])),
                ])],
            },
            [
                "# comment here\n# ENC-ish: x\n\"null\": -0\na:\n    - 100000\n    - null\n",
                "# comment here\n# ENC-ish: x\n\"null\": -0\na:\n  - 100000\n  - null\n",
                "# comment here\n# ENC-ish: x\n\"null\": -0\na:\n   - 100000\n   - null\n",
            ],
        ),
        (
            "c23",
            Tree {
                branches: vec![m(vec![
                    c(" ключ"),
                    c(" ключ"),
                    p("a", s("<<")),
                    p("yes", s("true")),
                    c(" ключ"),
                    c(" c"),
                    p("b", Value::Float(-0.0_f64)),
                ])],
            },
            [
                "# ключ\n# ключ\na: !!merge <<\n\"yes\": \"true\"\n# ключ\n# c\nb: -0\n",
                "# ключ\n# ключ\na: !!merge <<\n\"yes\": \"true\"\n# ключ\n# c\nb: -0\n",
                "# ключ\n# ключ\na: !!merge <<\n\"yes\": \"true\"\n# ключ\n# c\nb: -0\n",
            ],
        ),
        (
            "c24",
            Tree {
                branches: vec![m(vec![
                    p(
                        "é",
                        Value::Time(Timestamp {
                            year: 2002,
                            month: 12,
                            day: 14,
                            hour: 0,
                            minute: 0,
                            second: 0,
                            nanosecond: 0,
                            offset_seconds: None,
                        }),
                    ),
                    p("1", Value::Float(1234567.5_f64)),
                    p("tab\tkey", l(vec![])),
                    p(
                        "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                        mv(vec![]),
                    ),
                    p(
                        "k",
                        l(vec![
                            Value::Time(Timestamp {
                                year: 2001,
                                month: 12,
                                day: 14,
                                hour: 21,
                                minute: 59,
                                second: 43,
                                nanosecond: 100000000,
                                offset_seconds: None,
                            }),
                            s("`x"),
                            lc(" ENC-ish: x"),
                            lc(" c"),
                            l(vec![
                                mv(vec![
                                    p("b", mv(vec![p("key\nnl", Value::Float(0.0001_f64))])),
                                    p("a", l(vec![i(-1i64)])),
                                ]),
                                s("trail "),
                            ]),
                        ]),
                    ),
                    p("x-y", s("x #y")),
                ])],
            },
            [
                "é: 2002-12-14T00:00:00Z\n\"1\": 1.2345675e+06\n\"tab\\tkey\": []\n? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n: {}\nk:\n    - 2001-12-14T21:59:43.1Z\n    - '`x'\n    # ENC-ish: x\n    # c\n    - - b:\n            ? |-\n                key\n                nl\n            : 0.0001\n        a:\n            - -1\n      - 'trail '\nx-y: 'x #y'\n",
                "é: 2002-12-14T00:00:00Z\n\"1\": 1.2345675e+06\n\"tab\\tkey\": []\n? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n: {}\nk:\n  - 2001-12-14T21:59:43.1Z\n  - '`x'\n  # ENC-ish: x\n  # c\n  - - b:\n        ? |-\n          key\n          nl\n        : 0.0001\n      a:\n        - -1\n    - 'trail '\nx-y: 'x #y'\n",
                "é: 2002-12-14T00:00:00Z\n\"1\": 1.2345675e+06\n\"tab\\tkey\": []\n? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n: {}\nk:\n   - 2001-12-14T21:59:43.1Z\n   - '`x'\n   # ENC-ish: x\n   # c\n   - - b:\n         ? |-\n            key\n            nl\n         : 0.0001\n       a:\n         - -1\n     - 'trail '\nx-y: 'x #y'\n",
            ],
        ),
        (
            "c25",
            Tree {
                branches: vec![m(vec![
                    p("2001-12-14", l(vec![s("end\\")])),
                    c(" c"),
                    c("  indented comment"),
                    p(
                        "yes",
                        l(vec![
                            l(vec![
                                l(vec![s("line1 \nline2"), l(vec![])]),
                                s("0b101"),
                                lc(" c"),
                                lc(" c"),
                                s("café au lait"),
                                lc("  indented comment"),
                                Value::Bool(true),
                            ]),
                            l(vec![
                                s("x\n "),
                                l(vec![s("a\u{d}b"), s("trail "), mv(vec![])]),
                                s("значение"),
                            ]),
                            l(vec![l(vec![
                                mv(vec![
                                    p("x-y", s("bell\u{7}\nx")),
                                    p(
                                        "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                                        s("a\nb"),
                                    ),
                                    p("b", s("true")),
                                    p("tab\tkey", Value::Null),
                                ]),
                                i(1i64),
                            ])]),
                            Value::Bool(true),
                        ]),
                    ),
                    p("with space", mv(vec![])),
                ])],
            },
            [
                "\"2001-12-14\":\n    - end\\\n# c\n#  indented comment\n\"yes\":\n    - - - \"line1 \\nline2\"\n        - []\n      - \"0b101\"\n      # c\n      # c\n      - café au lait\n      #  indented comment\n      - true\n    - - \"x\\n \"\n      - - \"a\\rb\"\n        - 'trail '\n        - {}\n      - значение\n    - - - x-y: \"bell\\a\\nx\"\n          ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n          : |-\n            a\n            b\n          b: \"true\"\n          \"tab\\tkey\": null\n        - 1\n    - true\nwith space: {}\n",
                "\"2001-12-14\":\n  - end\\\n# c\n#  indented comment\n\"yes\":\n  - - - \"line1 \\nline2\"\n      - []\n    - \"0b101\"\n    # c\n    # c\n    - café au lait\n    #  indented comment\n    - true\n  - - \"x\\n \"\n    - - \"a\\rb\"\n      - 'trail '\n      - {}\n    - значение\n  - - - x-y: \"bell\\a\\nx\"\n        ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n        : |-\n          a\n          b\n        b: \"true\"\n        \"tab\\tkey\": null\n      - 1\n  - true\nwith space: {}\n",
                "\"2001-12-14\":\n   - end\\\n# c\n#  indented comment\n\"yes\":\n   - - - \"line1 \\nline2\"\n       - []\n     - \"0b101\"\n     # c\n     # c\n     - café au lait\n     #  indented comment\n     - true\n   - - \"x\\n \"\n     - - \"a\\rb\"\n       - 'trail '\n       - {}\n     - значение\n   - - - x-y: \"bell\\a\\nx\"\n         ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n         : |-\n            a\n            b\n         b: \"true\"\n         \"tab\\tkey\": null\n       - 1\n   - true\nwith space: {}\n",
            ],
        ),
        (
            "c26",
            Tree {
                branches: vec![m(vec![
                    p("true", s("a, b")),
                    p("2001-12-14", Value::Float(f64::NAN)),
                    p(
                        "1",
                        l(vec![
                            Value::Float(1.5_f64),
                            l(vec![lc(" ключ"), lc("#double"), i(0i64)]),
                            s("="),
                        ]),
                    ),
                    c(" ключ"),
                    p(
                        "with space",
                        mv(vec![
                            p(
                                "#c",
                                l(vec![
                                    mv(vec![]),
                                    Value::Time(Timestamp {
                                        year: 2020,
                                        month: 2,
                                        day: 29,
                                        hour: 23,
                                        minute: 59,
                                        second: 59,
                                        nanosecond: 0,
                                        offset_seconds: Some(19800),
                                    }),
                                    mv(vec![
                                        c("  indented comment"),
                                        p("key", Value::Float(-0.5_f64)),
                                    ]),
                                ]),
                            ),
                            p(
                                "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                                mv(vec![]),
                            ),
                            p("x-y", s("\u{1b}")),
                            p("tab\tkey", s("0b101")),
                        ]),
                    ),
                    p(
                        "null",
                        l(vec![
                            l(vec![
                                l(vec![
                                    s("null"),
                                    s("Infinity"),
                                    mv(vec![
                                        p("key", s("42")),
                                        c(" comment here"),
                                        c(" c"),
                                        p(
                                            "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                                            Value::Null,
                                        ),
                                        p("a", s("+1")),
                                    ]),
                                ]),
                                Value::Bool(false),
                                l(vec![
                                    s("#x"),
                                    s(""),
                                    i(i64::MIN),
                                    Value::Float(1234567.5_f64),
                                ]),
                                s("..."),
                            ]),
                            s("line1 \nline2"),
                        ]),
                    ),
                ])],
            },
            [
                "\"true\": a, b\n\"2001-12-14\": .nan\n\"1\":\n    - 1.5\n    # ключ\n    ##double\n    - - 0\n    - =\n# ключ\nwith space:\n    '#c':\n        - {}\n        - 2020-02-29T23:59:59+05:30\n        #  indented comment\n        - key: -0.5\n    kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: {}\n    x-y: \"\\e\"\n    \"tab\\tkey\": \"0b101\"\n\"null\":\n    - - - \"null\"\n        - Infinity\n        - key: \"42\"\n          # comment here\n          # c\n          kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: null\n          a: \"+1\"\n      - false\n      - - '#x'\n        - \"\"\n        - -9223372036854775808\n        - 1.2345675e+06\n      - '...'\n    - \"line1 \\nline2\"\n",
                "\"true\": a, b\n\"2001-12-14\": .nan\n\"1\":\n  - 1.5\n  # ключ\n  ##double\n  - - 0\n  - =\n# ключ\nwith space:\n  '#c':\n    - {}\n    - 2020-02-29T23:59:59+05:30\n    #  indented comment\n    - key: -0.5\n  kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: {}\n  x-y: \"\\e\"\n  \"tab\\tkey\": \"0b101\"\n\"null\":\n  - - - \"null\"\n      - Infinity\n      - key: \"42\"\n        # comment here\n        # c\n        kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: null\n        a: \"+1\"\n    - false\n    - - '#x'\n      - \"\"\n      - -9223372036854775808\n      - 1.2345675e+06\n    - '...'\n  - \"line1 \\nline2\"\n",
                "\"true\": a, b\n\"2001-12-14\": .nan\n\"1\":\n   - 1.5\n   # ключ\n   ##double\n   - - 0\n   - =\n# ключ\nwith space:\n   '#c':\n      - {}\n      - 2020-02-29T23:59:59+05:30\n      #  indented comment\n      - key: -0.5\n   kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: {}\n   x-y: \"\\e\"\n   \"tab\\tkey\": \"0b101\"\n\"null\":\n   - - - \"null\"\n       - Infinity\n       - key: \"42\"\n         # comment here\n         # c\n         kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: null\n         a: \"+1\"\n     - false\n     - - '#x'\n       - \"\"\n       - -9223372036854775808\n       - 1.2345675e+06\n     - '...'\n   - \"line1 \\nline2\"\n",
            ],
        ),
        (
            "c27",
            Tree {
                branches: vec![m(vec![
                    p(
                        "key\nnl",
                        l(vec![
                            lc("  indented comment"),
                            lc("#double"),
                            Value::Bool(false),
                        ]),
                    ),
                    p("1", Value::Bool(true)),
                    p("?", l(vec![])),
                    p("emoji\u{1f600}", Value::Bool(false)),
                    c("  indented comment"),
                    c(" ENC-ish: x"),
                    p("yes", Value::Bool(true)),
                    p("b", l(vec![])),
                ])],
            },
            [
                "? |-\n    key\n    nl\n:   #  indented comment\n    ##double\n    - false\n\"1\": true\n'?': []\n\"emoji\\U0001F600\": false\n#  indented comment\n# ENC-ish: x\n\"yes\": true\nb: []\n",
                "? |-\n  key\n  nl\n: #  indented comment\n  ##double\n  - false\n\"1\": true\n'?': []\n\"emoji\\U0001F600\": false\n#  indented comment\n# ENC-ish: x\n\"yes\": true\nb: []\n",
                "? |-\n   key\n   nl\n:  #  indented comment\n   ##double\n   - false\n\"1\": true\n'?': []\n\"emoji\\U0001F600\": false\n#  indented comment\n# ENC-ish: x\n\"yes\": true\nb: []\n",
            ],
        ),
        (
            "c28",
            Tree {
                branches: vec![m(vec![c(" comment here"), p("", s("\u{1b}")), c(" ключ")])],
            },
            [
                "# comment here\n\"\": \"\\e\"\n# ключ\n",
                "# comment here\n\"\": \"\\e\"\n# ключ\n",
                "# comment here\n\"\": \"\\e\"\n# ключ\n",
            ],
        ),
        (
            "c30",
            Tree {
                branches: vec![m(vec![
                    p(
                        "a: b",
                        mv(vec![
                            c(" ENC-ish: x"),
                            c(" comment here"),
                            p("yes", l(vec![lc(" c"), s(""), Value::Bool(false), s("\n")])),
                        ]),
                    ),
                    p("emoji\u{1f600}", s("|x")),
                    p(
                        "q'k",
                        l(vec![
                            Value::Bool(false),
                            s("x #y"),
                            lc(" ключ"),
                            l(vec![
                                s(
                                    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                                ),
                                Value::Float(3.141592653589793_f64),
                                Value::Time(Timestamp {
                                    year: 2001,
                                    month: 12,
                                    day: 14,
                                    hour: 21,
                                    minute: 59,
                                    second: 43,
                                    nanosecond: 100000000,
                                    offset_seconds: Some(-18000),
                                }),
                                Value::Time(Timestamp {
                                    year: 2001,
                                    month: 12,
                                    day: 14,
                                    hour: 21,
                                    minute: 59,
                                    second: 43,
                                    nanosecond: 100000000,
                                    offset_seconds: None,
                                }),
                            ]),
                            l(vec![l(vec![
                                mv(vec![p("key\nnl", Value::Float(1e-07_f64))]),
                                i(100000i64),
                                l(vec![
                                    Value::Float(1e-07_f64),
                                    Value::Float(1000000.0_f64),
                                    i(9223372036854775807i64),
                                ]),
                                mv(vec![
                                    p("key", s("")),
                                    p("key\nnl", s("a\nb\n\n")),
                                    c("  indented comment"),
                                    c(" c"),
                                    p("long_key_name", s("true")),
                                    p("true", s("\u{7f}")),
                                ]),
                            ])]),
                        ]),
                    ),
                    p(
                        "a",
                        l(vec![
                            mv(vec![
                                c(" ENC-ish: x"),
                                c(" c"),
                                p(
                                    "#c",
                                    Value::Time(Timestamp {
                                        year: 2020,
                                        month: 2,
                                        day: 29,
                                        hour: 23,
                                        minute: 59,
                                        second: 59,
                                        nanosecond: 0,
                                        offset_seconds: Some(19800),
                                    }),
                                ),
                                p("-", s("\u{0}")),
                            ]),
                            lc(" ключ"),
                            mv(vec![]),
                        ]),
                    ),
                    c(" ENC-ish: x"),
                    p("é", s("+1")),
                ])],
            },
            [
                "'a: b':\n    # ENC-ish: x\n    # comment here\n    \"yes\":\n        # c\n        - \"\"\n        - false\n        - |4+\n\n\"emoji\\U0001F600\": '|x'\nq'k:\n    - false\n    - 'x #y'\n    # ключ\n    - - kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n      - 3.141592653589793\n      - 2001-12-14T21:59:43.1-05:00\n      - 2001-12-14T21:59:43.1Z\n    - - - ? |-\n            key\n            nl\n          : 1e-07\n        - 100000\n        - - 1e-07\n          - 1e+06\n          - 9223372036854775807\n        - key: \"\"\n          ? |-\n            key\n            nl\n          : |+\n            a\n            b\n\n          #  indented comment\n          # c\n          long_key_name: \"true\"\n          \"true\": \"\\x7F\"\na:\n    # ENC-ish: x\n    # c\n    - '#c': 2020-02-29T23:59:59+05:30\n      '-': \"\\0\"\n    # ключ\n    - {}\n# ENC-ish: x\né: \"+1\"\n",
                "'a: b':\n  # ENC-ish: x\n  # comment here\n  \"yes\":\n    # c\n    - \"\"\n    - false\n    - |2+\n\n\"emoji\\U0001F600\": '|x'\nq'k:\n  - false\n  - 'x #y'\n  # ключ\n  - - kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n    - 3.141592653589793\n    - 2001-12-14T21:59:43.1-05:00\n    - 2001-12-14T21:59:43.1Z\n  - - - ? |-\n          key\n          nl\n        : 1e-07\n      - 100000\n      - - 1e-07\n        - 1e+06\n        - 9223372036854775807\n      - key: \"\"\n        ? |-\n          key\n          nl\n        : |+\n          a\n          b\n\n        #  indented comment\n        # c\n        long_key_name: \"true\"\n        \"true\": \"\\x7F\"\na:\n  # ENC-ish: x\n  # c\n  - '#c': 2020-02-29T23:59:59+05:30\n    '-': \"\\0\"\n  # ключ\n  - {}\n# ENC-ish: x\né: \"+1\"\n",
                "'a: b':\n   # ENC-ish: x\n   # comment here\n   \"yes\":\n      # c\n      - \"\"\n      - false\n      - |3+\n\n\"emoji\\U0001F600\": '|x'\nq'k:\n   - false\n   - 'x #y'\n   # ключ\n   - - kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n     - 3.141592653589793\n     - 2001-12-14T21:59:43.1-05:00\n     - 2001-12-14T21:59:43.1Z\n   - - - ? |-\n            key\n            nl\n         : 1e-07\n       - 100000\n       - - 1e-07\n         - 1e+06\n         - 9223372036854775807\n       - key: \"\"\n         ? |-\n            key\n            nl\n         : |+\n            a\n            b\n\n         #  indented comment\n         # c\n         long_key_name: \"true\"\n         \"true\": \"\\x7F\"\na:\n   # ENC-ish: x\n   # c\n   - '#c': 2020-02-29T23:59:59+05:30\n     '-': \"\\0\"\n   # ключ\n   - {}\n# ENC-ish: x\né: \"+1\"\n",
            ],
        ),
        (
            "c31",
            Tree {
                branches: vec![m(vec![
                    c(" comment here"),
                    c(" ENC-ish: x"),
                    p(
                        "key\nnl",
                        Value::Time(Timestamp {
                            year: 2002,
                            month: 12,
                            day: 14,
                            hour: 0,
                            minute: 0,
                            second: 0,
                            nanosecond: 0,
                            offset_seconds: None,
                        }),
                    ),
                ])],
            },
            [
                "# comment here\n# ENC-ish: x\n? |-\n    key\n    nl\n: 2002-12-14T00:00:00Z\n",
                "# comment here\n# ENC-ish: x\n? |-\n  key\n  nl\n: 2002-12-14T00:00:00Z\n",
                "# comment here\n# ENC-ish: x\n? |-\n   key\n   nl\n: 2002-12-14T00:00:00Z\n",
            ],
        ),
        (
            "c32",
            Tree {
                branches: vec![m(vec![c(" ключ"), p("true", s("{x"))])],
            },
            [
                "# ключ\n\"true\": '{x'\n",
                "# ключ\n\"true\": '{x'\n",
                "# ключ\n\"true\": '{x'\n",
            ],
        ),
        (
            "c34",
            Tree {
                branches: vec![m(vec![
                    p(" sp", l(vec![])),
                    p(
                        "é",
                        l(vec![
                            i(-1i64),
                            lc("  indented comment"),
                            lc(" c"),
                            l(vec![
                                lc("#double"),
                                i(0i64),
                                l(vec![
                                    s(" lead"),
                                    i(100000i64),
                                    Value::Float(1000000.0_f64),
                                    mv(vec![
                                        p("yes", Value::Null),
                                        p("true", Value::Float(3.141592653589793_f64)),
                                        p(
                                            "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                                            Value::Float(f64::NEG_INFINITY),
                                        ),
                                    ]),
                                ]),
                                s("|x"),
                                lc("#double"),
                                Value::Null,
                            ]),
                            mv(vec![
                                p(
                                    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                                    Value::Bool(false),
                                ),
                                p("", l(vec![])),
                            ]),
                        ]),
                    ),
                    p("a", s(" ")),
                    p("1", s("|x")),
                    p(
                        "k",
                        mv(vec![
                            p("with space", s("a\nb")),
                            p(
                                "yes",
                                l(vec![
                                    i(-1i64),
                                    Value::Float(0.1_f64),
                                    s(""),
                                    lc("#double"),
                                    mv(vec![
                                        p(
                                            "tab\tkey",
                                            mv(vec![
                                                p("-", s("a b")),
                                                p("?", s("\u{7}")),
                                                p(
                                                    "é",
                                                    Value::Time(Timestamp {
                                                        year: 2020,
                                                        month: 2,
                                                        day: 29,
                                                        hour: 23,
                                                        minute: 59,
                                                        second: 59,
                                                        nanosecond: 0,
                                                        offset_seconds: Some(19800),
                                                    }),
                                                ),
                                                p(
                                                    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                                                    Value::Time(Timestamp {
                                                        year: 2001,
                                                        month: 12,
                                                        day: 14,
                                                        hour: 21,
                                                        minute: 59,
                                                        second: 43,
                                                        nanosecond: 100000000,
                                                        offset_seconds: None,
                                                    }),
                                                ),
                                            ]),
                                        ),
                                        p(
                                            "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                                            l(vec![
                                                s("a\nb"),
                                                s("="),
                                                Value::Bool(false),
                                                s("NaN"),
                                            ]),
                                        ),
                                        p(
                                            "#c",
                                            l(vec![
                                                s("café au lait"),
                                                lc(" comment here"),
                                                lc(" ключ"),
                                                s("1e3"),
                                            ]),
                                        ),
                                    ]),
                                ]),
                            ),
                        ]),
                    ),
                ])],
            },
            [
                "' sp': []\né:\n    - -1\n    #  indented comment\n    # c\n    ##double\n    - - 0\n      - - ' lead'\n        - 100000\n        - 1e+06\n        - \"yes\": null\n          \"true\": 3.141592653589793\n          ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n          : -.inf\n      - '|x'\n      ##double\n      - null\n    - kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: false\n      \"\": []\na: ' '\n\"1\": '|x'\nk:\n    with space: |-\n        a\n        b\n    \"yes\":\n        - -1\n        - 0.1\n        - \"\"\n        ##double\n        - \"tab\\tkey\":\n            '-': a b\n            '?': \"\\a\"\n            é: 2020-02-29T23:59:59+05:30\n            ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n            : 2001-12-14T21:59:43.1Z\n          ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n          : - |-\n              a\n              b\n            - =\n            - false\n            - NaN\n          '#c':\n            - café au lait\n            # comment here\n            # ключ\n            - \"1e3\"\n",
                "' sp': []\né:\n  - -1\n  #  indented comment\n  # c\n  ##double\n  - - 0\n    - - ' lead'\n      - 100000\n      - 1e+06\n      - \"yes\": null\n        \"true\": 3.141592653589793\n        ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n        : -.inf\n    - '|x'\n    ##double\n    - null\n  - kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: false\n    \"\": []\na: ' '\n\"1\": '|x'\nk:\n  with space: |-\n    a\n    b\n  \"yes\":\n    - -1\n    - 0.1\n    - \"\"\n    ##double\n    - \"tab\\tkey\":\n        '-': a b\n        '?': \"\\a\"\n        é: 2020-02-29T23:59:59+05:30\n        ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n        : 2001-12-14T21:59:43.1Z\n      ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n      : - |-\n          a\n          b\n        - =\n        - false\n        - NaN\n      '#c':\n        - café au lait\n        # comment here\n        # ключ\n        - \"1e3\"\n",
                "' sp': []\né:\n   - -1\n   #  indented comment\n   # c\n   ##double\n   - - 0\n     - - ' lead'\n       - 100000\n       - 1e+06\n       - \"yes\": null\n         \"true\": 3.141592653589793\n         ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n         : -.inf\n     - '|x'\n     ##double\n     - null\n   - kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: false\n     \"\": []\na: ' '\n\"1\": '|x'\nk:\n   with space: |-\n      a\n      b\n   \"yes\":\n      - -1\n      - 0.1\n      - \"\"\n      ##double\n      - \"tab\\tkey\":\n         '-': a b\n         '?': \"\\a\"\n         é: 2020-02-29T23:59:59+05:30\n         ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n         : 2001-12-14T21:59:43.1Z\n        ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n        :\n         - |-\n           a\n           b\n         - =\n         - false\n         - NaN\n        '#c':\n         - café au lait\n         # comment here\n         # ключ\n         - \"1e3\"\n",
            ],
        ),
        (
            "c35",
            Tree {
                branches: vec![m(vec![
                    p("#c", mv(vec![p("a: b", s("\nx"))])),
                    p("2001-12-14", l(vec![l(vec![]), l(vec![])])),
                    p("b", s("0b101")),
                    c("#double"),
                    p("key\nnl", s("\n")),
                    p("a", s(" x\n")),
                    c("  indented comment"),
                ])],
            },
            [
                "'#c':\n    'a: b': |4-\n\n        x\n\"2001-12-14\":\n    - []\n    - []\nb: \"0b101\"\n##double\n? |-\n    key\n    nl\n: |4+\n\na: |4\n     x\n#  indented comment\n",
                "'#c':\n  'a: b': |2-\n\n    x\n\"2001-12-14\":\n  - []\n  - []\nb: \"0b101\"\n##double\n? |-\n  key\n  nl\n: |2+\n\na: |2\n   x\n#  indented comment\n",
                "'#c':\n   'a: b': |3-\n\n      x\n\"2001-12-14\":\n   - []\n   - []\nb: \"0b101\"\n##double\n? |-\n   key\n   nl\n: |3+\n\na: |3\n    x\n#  indented comment\n",
            ],
        ),
        (
            "c36",
            Tree {
                branches: vec![m(vec![
                    p(
                        "key",
                        l(vec![
                            i(42i64),
                            mv(vec![p("x-y", s("a\u{d}\nb")), p("é", l(vec![s("   ")]))]),
                        ]),
                    ),
                    p("true", Value::Float(3.141592653589793_f64)),
                    p("tab\tkey", i(100000i64)),
                ])],
            },
            [
                "key:\n    - 42\n    - x-y: \"a\\r\\nb\"\n      é:\n        - '   '\n\"true\": 3.141592653589793\n\"tab\\tkey\": 100000\n",
                "key:\n  - 42\n  - x-y: \"a\\r\\nb\"\n    é:\n      - '   '\n\"true\": 3.141592653589793\n\"tab\\tkey\": 100000\n",
                "key:\n   - 42\n   - x-y: \"a\\r\\nb\"\n     é:\n      - '   '\n\"true\": 3.141592653589793\n\"tab\\tkey\": 100000\n",
            ],
        ),
        (
            "c37",
            Tree {
                branches: vec![m(vec![
                    c(" ENC-ish: x"),
                    p(
                        "?",
                        l(vec![
                            Value::Float(1e-07_f64),
                            l(vec![
                                l(vec![]),
                                lc("  indented comment"),
                                s("08"),
                                mv(vec![
                                    p("q'k", l(vec![s("a"), s("a\n\nb\n"), s("42"), s("a -b")])),
                                    p("a: b", Value::Null),
                                ]),
                            ]),
                            Value::Float(f64::NEG_INFINITY),
                        ]),
                    ),
                    p("long_key_name", mv(vec![])),
                    p(
                        "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                        mv(vec![]),
                    ),
                    p("yes", i(i64::MIN)),
                    c(" c"),
                    p(
                        " sp",
                        mv(vec![
                            p("emoji\u{1f600}", s(" x\n")),
                            p("1", s(".5")),
                            p(
                                "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                                Value::Float(-0.0_f64),
                            ),
                        ]),
                    ),
                    c(" comment here"),
                ])],
            },
            [
                "# ENC-ish: x\n'?':\n    - 1e-07\n    - - []\n      #  indented comment\n      - \"08\"\n      - q'k:\n            - a\n            - |\n              a\n\n              b\n            - \"42\"\n            - a -b\n        'a: b': null\n    - -.inf\nlong_key_name: {}\n? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n: {}\n\"yes\": -9223372036854775808\n# c\n' sp':\n    \"emoji\\U0001F600\": |4\n         x\n    \"1\": \".5\"\n    kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: -0\n# comment here\n",
                "# ENC-ish: x\n'?':\n  - 1e-07\n  - - []\n    #  indented comment\n    - \"08\"\n    - q'k:\n        - a\n        - |\n          a\n\n          b\n        - \"42\"\n        - a -b\n      'a: b': null\n  - -.inf\nlong_key_name: {}\n? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n: {}\n\"yes\": -9223372036854775808\n# c\n' sp':\n  \"emoji\\U0001F600\": |2\n     x\n  \"1\": \".5\"\n  kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: -0\n# comment here\n",
                "# ENC-ish: x\n'?':\n   - 1e-07\n   - - []\n     #  indented comment\n     - \"08\"\n     - q'k:\n         - a\n         - |\n           a\n\n           b\n         - \"42\"\n         - a -b\n       'a: b': null\n   - -.inf\nlong_key_name: {}\n? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n: {}\n\"yes\": -9223372036854775808\n# c\n' sp':\n   \"emoji\\U0001F600\": |3\n       x\n   \"1\": \".5\"\n   kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: -0\n# comment here\n",
            ],
        ),
        (
            "c38",
            Tree {
                branches: vec![m(vec![
                    p(
                        "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                        mv(vec![]),
                    ),
                    p(" sp", i(-1i64)),
                    p("-", s("\u{1f389} party")),
                    p(
                        "a: b",
                        l(vec![
                            l(vec![]),
                            s("hello world"),
                            mv(vec![
                                c(" c"),
                                c("#double"),
                                p("with space", s("\u{feff}x")),
                                c("#double"),
                                c(" ENC-ish: x"),
                                p("a", s("\u{1b}")),
                                p("key\nnl", s(".5")),
                                c(" c"),
                                c(" comment here"),
                                p("tab\tkey", i(9223372036854775807i64)),
                            ]),
                            Value::Bool(false),
                        ]),
                    ),
                    p("null", l(vec![])),
                    p(
                        "",
                        l(vec![
                            l(vec![
                                s("\u{1f600}"),
                                i(0i64),
                                l(vec![l(vec![
                                    s("?"),
                                    s("No"),
                                    Value::Time(Timestamp {
                                        year: 2001,
                                        month: 12,
                                        day: 14,
                                        hour: 21,
                                        minute: 59,
                                        second: 43,
                                        nanosecond: 100000000,
                                        offset_seconds: None,
                                    }),
                                    s("@x"),
                                ])]),
                                s("x\n\ty"),
                            ]),
                            Value::Float(0.1_f64),
                            mv(vec![
                                p(
                                    "yes",
                                    l(vec![
                                        s("08"),
                                        lc("  indented comment"),
                                        lc("#double"),
                                        l(vec![]),
                                        l(vec![Value::Time(Timestamp {
                                            year: 2001,
                                            month: 12,
                                            day: 14,
                                            hour: 21,
                                            minute: 59,
                                            second: 43,
                                            nanosecond: 100000000,
                                            offset_seconds: Some(-18000),
                                        })]),
                                    ]),
                                ),
                                c(" c"),
                                c("  indented comment"),
                                p(" sp", i(42i64)),
                                p("null", s("a\n b")),
                            ]),
                            Value::Bool(true),
                        ]),
                    ),
                ])],
            },
            [
                "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: {}\n' sp': -1\n'-': \"\\U0001F389 party\"\n'a: b':\n    - []\n    - hello world\n    # c\n    ##double\n    - with space: \"\\uFEFF\\x78\"\n      ##double\n      # ENC-ish: x\n      a: \"\\e\"\n      ? |-\n        key\n        nl\n      : \".5\"\n      # c\n      # comment here\n      \"tab\\tkey\": 9223372036854775807\n    - false\n\"null\": []\n\"\":\n    - - \"\\U0001F600\"\n      - 0\n      - - - '?'\n          - \"No\"\n          - 2001-12-14T21:59:43.1Z\n          - '@x'\n      - |-\n        x\n        \ty\n    - 0.1\n    - \"yes\":\n        - \"08\"\n        #  indented comment\n        ##double\n        - []\n        - - 2001-12-14T21:59:43.1-05:00\n      # c\n      #  indented comment\n      ' sp': 42\n      \"null\": |-\n        a\n         b\n    - true\n",
                "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: {}\n' sp': -1\n'-': \"\\U0001F389 party\"\n'a: b':\n  - []\n  - hello world\n  # c\n  ##double\n  - with space: \"\\uFEFF\\x78\"\n    ##double\n    # ENC-ish: x\n    a: \"\\e\"\n    ? |-\n      key\n      nl\n    : \".5\"\n    # c\n    # comment here\n    \"tab\\tkey\": 9223372036854775807\n  - false\n\"null\": []\n\"\":\n  - - \"\\U0001F600\"\n    - 0\n    - - - '?'\n        - \"No\"\n        - 2001-12-14T21:59:43.1Z\n        - '@x'\n    - |-\n      x\n      \ty\n  - 0.1\n  - \"yes\":\n      - \"08\"\n      #  indented comment\n      ##double\n      - []\n      - - 2001-12-14T21:59:43.1-05:00\n    # c\n    #  indented comment\n    ' sp': 42\n    \"null\": |-\n      a\n       b\n  - true\n",
                "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: {}\n' sp': -1\n'-': \"\\U0001F389 party\"\n'a: b':\n   - []\n   - hello world\n   # c\n   ##double\n   - with space: \"\\uFEFF\\x78\"\n     ##double\n     # ENC-ish: x\n     a: \"\\e\"\n     ? |-\n      key\n      nl\n     : \".5\"\n     # c\n     # comment here\n     \"tab\\tkey\": 9223372036854775807\n   - false\n\"null\": []\n\"\":\n   - - \"\\U0001F600\"\n     - 0\n     - - - '?'\n         - \"No\"\n         - 2001-12-14T21:59:43.1Z\n         - '@x'\n     - |-\n       x\n       \ty\n   - 0.1\n   - \"yes\":\n      - \"08\"\n      #  indented comment\n      ##double\n      - []\n      - - 2001-12-14T21:59:43.1-05:00\n     # c\n     #  indented comment\n     ' sp': 42\n     \"null\": |-\n      a\n       b\n   - true\n",
            ],
        ),
        (
            "c39",
            Tree {
                branches: vec![m(vec![p("yes", s("\n")), p("k", s("é"))])],
            },
            [
                "\"yes\": |4+\n\nk: é\n",
                "\"yes\": |2+\n\nk: é\n",
                "\"yes\": |3+\n\nk: é\n",
            ],
        ),
        (
            "c40",
            Tree {
                branches: vec![m(vec![
                    p("-", s("café au lait")),
                    p(
                        "emoji\u{1f600}",
                        l(vec![s("日本語"), lc("  indented comment"), mv(vec![])]),
                    ),
                    p("1", s("{x")),
                    p(
                        "long_key_name",
                        mv(vec![
                            p("b", Value::Bool(false)),
                            p("null", s("017")),
                            p(
                                "a: b",
                                l(vec![
                                    s("a\n\nb\n"),
                                    l(vec![]),
                                    lc(" c"),
                                    lc(" comment here"),
                                    l(vec![
                                        i(i64::MIN),
                                        Value::Bool(true),
                                        lc(" comment here"),
                                        mv(vec![p("", s("2001-12-14"))]),
                                    ]),
                                    lc("  indented comment"),
                                    lc(" comment here"),
                                    l(vec![
                                        mv(vec![p("1", s("?"))]),
                                        lc(" c"),
                                        s("a\nb"),
                                        s("line1 \nline2"),
                                    ]),
                                ]),
                            ),
                        ]),
                    ),
                ])],
            },
            [
                "'-': café au lait\n\"emoji\\U0001F600\":\n    - 日本語\n    #  indented comment\n    - {}\n\"1\": '{x'\nlong_key_name:\n    b: false\n    \"null\": \"017\"\n    'a: b':\n        - |\n          a\n\n          b\n        - []\n        # c\n        # comment here\n        - - -9223372036854775808\n          - true\n          # comment here\n          - \"\": \"2001-12-14\"\n        #  indented comment\n        # comment here\n        - - \"1\": '?'\n          # c\n          - |-\n            a\n            b\n          - \"line1 \\nline2\"\n",
                "'-': café au lait\n\"emoji\\U0001F600\":\n  - 日本語\n  #  indented comment\n  - {}\n\"1\": '{x'\nlong_key_name:\n  b: false\n  \"null\": \"017\"\n  'a: b':\n    - |\n      a\n\n      b\n    - []\n    # c\n    # comment here\n    - - -9223372036854775808\n      - true\n      # comment here\n      - \"\": \"2001-12-14\"\n    #  indented comment\n    # comment here\n    - - \"1\": '?'\n      # c\n      - |-\n        a\n        b\n      - \"line1 \\nline2\"\n",
                "'-': café au lait\n\"emoji\\U0001F600\":\n   - 日本語\n   #  indented comment\n   - {}\n\"1\": '{x'\nlong_key_name:\n   b: false\n   \"null\": \"017\"\n   'a: b':\n      - |\n        a\n\n        b\n      - []\n      # c\n      # comment here\n      - - -9223372036854775808\n        - true\n        # comment here\n        - \"\": \"2001-12-14\"\n      #  indented comment\n      # comment here\n      - - \"1\": '?'\n        # c\n        - |-\n          a\n          b\n        - \"line1 \\nline2\"\n",
            ],
        ),
        (
            "c41",
            Tree {
                branches: vec![m(vec![
                    p("#c", Value::Null),
                    p("-", s("\u{1f389} party")),
                    p("2001-12-14", l(vec![])),
                    p(
                        "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                        l(vec![lc(" c"), l(vec![]), Value::Float(100000.0_f64)]),
                    ),
                ])],
            },
            [
                "'#c': null\n'-': \"\\U0001F389 party\"\n\"2001-12-14\": []\n? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n:   # c\n    - []\n    - 100000\n",
                "'#c': null\n'-': \"\\U0001F389 party\"\n\"2001-12-14\": []\n? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n: # c\n  - []\n  - 100000\n",
                "'#c': null\n'-': \"\\U0001F389 party\"\n\"2001-12-14\": []\n? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n:  # c\n   - []\n   - 100000\n",
            ],
        ),
        (
            "c42",
            Tree {
                branches: vec![m(vec![
                    c(" comment here"),
                    c(" comment here"),
                    p("b", s("日本語")),
                    c(" c"),
                    c(" c"),
                    p("x-y", s("ENC[AES256_GCM,data:abc=,iv:x,tag:y,type:str]")),
                    p(
                        "k",
                        mv(vec![
                            p(
                                "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                                mv(vec![]),
                            ),
                            p(
                                "2001-12-14",
                                mv(vec![c(" c"), c(" c"), p("yes", s("? x")), p("?", s("="))]),
                            ),
                            c(" ENC-ish: x"),
                            c("  indented comment"),
                            p("é", l(vec![mv(vec![]), l(vec![])])),
                            p("null", s("\"q\" and \\")),
                        ]),
                    ),
                    p("1", s("+1")),
                    c("  indented comment"),
                    p(
                        "q'k",
                        mv(vec![p(
                            "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                            l(vec![
                                Value::Float(-0.5_f64),
                                s("!x"),
                                lc(" comment here"),
                                lc(" ENC-ish: x"),
                                Value::Null,
                                s("q'uote"),
                            ]),
                        )]),
                    ),
                ])],
            },
            [
                "# comment here\n# comment here\nb: 日本語\n# c\n# c\nx-y: ENC[AES256_GCM,data:abc=,iv:x,tag:y,type:str]\nk:\n    kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: {}\n    \"2001-12-14\":\n        # c\n        # c\n        \"yes\": '? x'\n        '?': =\n    # ENC-ish: x\n    #  indented comment\n    é:\n        - {}\n        - []\n    \"null\": '\"q\" and \\'\n\"1\": \"+1\"\n#  indented comment\nq'k:\n    ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n    :   - -0.5\n        - '!x'\n        # comment here\n        # ENC-ish: x\n        - null\n        - q'uote\n",
                "# comment here\n# comment here\nb: 日本語\n# c\n# c\nx-y: ENC[AES256_GCM,data:abc=,iv:x,tag:y,type:str]\nk:\n  kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: {}\n  \"2001-12-14\":\n    # c\n    # c\n    \"yes\": '? x'\n    '?': =\n  # ENC-ish: x\n  #  indented comment\n  é:\n    - {}\n    - []\n  \"null\": '\"q\" and \\'\n\"1\": \"+1\"\n#  indented comment\nq'k:\n  ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n  : - -0.5\n    - '!x'\n    # comment here\n    # ENC-ish: x\n    - null\n    - q'uote\n",
                "# comment here\n# comment here\nb: 日本語\n# c\n# c\nx-y: ENC[AES256_GCM,data:abc=,iv:x,tag:y,type:str]\nk:\n   kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: {}\n   \"2001-12-14\":\n      # c\n      # c\n      \"yes\": '? x'\n      '?': =\n   # ENC-ish: x\n   #  indented comment\n   é:\n      - {}\n      - []\n   \"null\": '\"q\" and \\'\n\"1\": \"+1\"\n#  indented comment\nq'k:\n   ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n   :  - -0.5\n      - '!x'\n      # comment here\n      # ENC-ish: x\n      - null\n      - q'uote\n",
            ],
        ),
        (
            "c43",
            Tree {
                branches: vec![m(vec![p("a: b", s("a\u{2029}b"))])],
            },
            [
                "'a: b': 'a\u{2029}    b'\n",
                "'a: b': 'a\u{2029}  b'\n",
                "'a: b': 'a\u{2029}   b'\n",
            ],
        ),
        (
            "c44",
            Tree {
                branches: vec![m(vec![
                    p("with space", l(vec![s("\n")])),
                    c(" ENC-ish: x"),
                    c(" ENC-ish: x"),
                    p("k", s(".5")),
                    p("emoji\u{1f600}", Value::Bool(true)),
                    p(
                        "b",
                        mv(vec![
                            c(" c"),
                            c("#double"),
                            p("#c", s("<<")),
                            c(" c"),
                            p(
                                "true",
                                Value::Time(Timestamp {
                                    year: 2020,
                                    month: 2,
                                    day: 29,
                                    hour: 23,
                                    minute: 59,
                                    second: 59,
                                    nanosecond: 0,
                                    offset_seconds: Some(19800),
                                }),
                            ),
                        ]),
                    ),
                ])],
            },
            [
                "with space:\n    - |4+\n\n# ENC-ish: x\n# ENC-ish: x\nk: \".5\"\n\"emoji\\U0001F600\": true\nb:\n    # c\n    ##double\n    '#c': !!merge <<\n    # c\n    \"true\": 2020-02-29T23:59:59+05:30\n",
                "with space:\n  - |2+\n\n# ENC-ish: x\n# ENC-ish: x\nk: \".5\"\n\"emoji\\U0001F600\": true\nb:\n  # c\n  ##double\n  '#c': !!merge <<\n  # c\n  \"true\": 2020-02-29T23:59:59+05:30\n",
                "with space:\n   - |3+\n\n# ENC-ish: x\n# ENC-ish: x\nk: \".5\"\n\"emoji\\U0001F600\": true\nb:\n   # c\n   ##double\n   '#c': !!merge <<\n   # c\n   \"true\": 2020-02-29T23:59:59+05:30\n",
            ],
        ),
        (
            "c45",
            Tree {
                branches: vec![m(vec![
                    p(
                        "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                        s("yes"),
                    ),
                    c(" c"),
                    c("#double"),
                    p("key\nnl", l(vec![])),
                    c(" ENC-ish: x"),
                    c(" comment here"),
                    p("?", Value::Bool(false)),
                    c(" comment here"),
                    c(" ENC-ish: x"),
                ])],
            },
            [
                "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: \"yes\"\n# c\n##double\n? |-\n    key\n    nl\n: []\n# ENC-ish: x\n# comment here\n'?': false\n# comment here\n# ENC-ish: x\n",
                "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: \"yes\"\n# c\n##double\n? |-\n  key\n  nl\n: []\n# ENC-ish: x\n# comment here\n'?': false\n# comment here\n# ENC-ish: x\n",
                "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: \"yes\"\n# c\n##double\n? |-\n   key\n   nl\n: []\n# ENC-ish: x\n# comment here\n'?': false\n# comment here\n# ENC-ish: x\n",
            ],
        ),
        (
            "c46",
            Tree {
                branches: vec![m(vec![
                    c(" ENC-ish: x"),
                    p("é", i(0i64)),
                    c(" ENC-ish: x"),
                    c(" c"),
                ])],
            },
            [
                "# ENC-ish: x\né: 0\n# ENC-ish: x\n# c\n",
                "# ENC-ish: x\né: 0\n# ENC-ish: x\n# c\n",
                "# ENC-ish: x\né: 0\n# ENC-ish: x\n# c\n",
            ],
        ),
        (
            "c47",
            Tree {
                branches: vec![m(vec![
                    p("a", s("a\nb\n")),
                    p("é", s("true")),
                    c(" ENC-ish: x"),
                    c("  indented comment"),
                    p("b", Value::Bool(false)),
                ])],
            },
            [
                "a: |\n    a\n    b\né: \"true\"\n# ENC-ish: x\n#  indented comment\nb: false\n",
                "a: |\n  a\n  b\né: \"true\"\n# ENC-ish: x\n#  indented comment\nb: false\n",
                "a: |\n   a\n   b\né: \"true\"\n# ENC-ish: x\n#  indented comment\nb: false\n",
            ],
        ),
        (
            "c48",
            Tree {
                branches: vec![m(vec![
                    c("  indented comment"),
                    c(" comment here"),
                    p(
                        "#c",
                        mv(vec![
                            c(" ключ"),
                            p("1", mv(vec![p("2001-12-14", l(vec![s("a, b")]))])),
                            p("key\nnl", l(vec![])),
                            p(
                                "tab\tkey",
                                l(vec![
                                    lc("#double"),
                                    s(" x\n"),
                                    mv(vec![
                                        p("q'k", Value::Bool(false)),
                                        p("k", s("bell\u{7}\nx")),
                                    ]),
                                ]),
                            ),
                        ]),
                    ),
                    c(" comment here"),
                    p("tab\tkey", s("  indented\nsecond")),
                    p("emoji\u{1f600}", Value::Float(-0.0_f64)),
                    p(
                        "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                        Value::Bool(false),
                    ),
                    p("key\nnl", Value::Float(0.0001_f64)),
                ])],
            },
            [
                "#  indented comment\n# comment here\n'#c':\n    # ключ\n    \"1\":\n        \"2001-12-14\":\n            - a, b\n    ? |-\n        key\n        nl\n    : []\n    \"tab\\tkey\":\n        ##double\n        - |4\n           x\n        - q'k: false\n          k: \"bell\\a\\nx\"\n# comment here\n\"tab\\tkey\": |4-\n      indented\n    second\n\"emoji\\U0001F600\": -0\nkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: false\n? |-\n    key\n    nl\n: 0.0001\n",
                "#  indented comment\n# comment here\n'#c':\n  # ключ\n  \"1\":\n    \"2001-12-14\":\n      - a, b\n  ? |-\n    key\n    nl\n  : []\n  \"tab\\tkey\":\n    ##double\n    - |2\n       x\n    - q'k: false\n      k: \"bell\\a\\nx\"\n# comment here\n\"tab\\tkey\": |2-\n    indented\n  second\n\"emoji\\U0001F600\": -0\nkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: false\n? |-\n  key\n  nl\n: 0.0001\n",
                "#  indented comment\n# comment here\n'#c':\n   # ключ\n   \"1\":\n      \"2001-12-14\":\n         - a, b\n   ? |-\n      key\n      nl\n   : []\n   \"tab\\tkey\":\n      ##double\n      - |3\n         x\n      - q'k: false\n        k: \"bell\\a\\nx\"\n# comment here\n\"tab\\tkey\": |3-\n     indented\n   second\n\"emoji\\U0001F600\": -0\nkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: false\n? |-\n   key\n   nl\n: 0.0001\n",
            ],
        ),
        (
            "c49",
            Tree {
                branches: vec![m(vec![p(" sp", Value::Float(f64::NAN))])],
            },
            ["' sp': .nan\n", "' sp': .nan\n", "' sp': .nan\n"],
        ),
        (
            "c50",
            Tree {
                branches: vec![m(vec![
                    p("yes", l(vec![s("trail "), s("1:20"), s("[x")])),
                    p("?", s("1e3")),
                    p("tab\tkey", Value::Float(2.5e-300_f64)),
                    p(
                        "k",
                        Value::Time(Timestamp {
                            year: 2001,
                            month: 12,
                            day: 14,
                            hour: 21,
                            minute: 59,
                            second: 43,
                            nanosecond: 100000000,
                            offset_seconds: Some(-18000),
                        }),
                    ),
                    c("#double"),
                    c(" ENC-ish: x"),
                ])],
            },
            [
                "\"yes\":\n    - 'trail '\n    - \"1:20\"\n    - '[x'\n'?': \"1e3\"\n\"tab\\tkey\": 2.5e-300\nk: 2001-12-14T21:59:43.1-05:00\n##double\n# ENC-ish: x\n",
                "\"yes\":\n  - 'trail '\n  - \"1:20\"\n  - '[x'\n'?': \"1e3\"\n\"tab\\tkey\": 2.5e-300\nk: 2001-12-14T21:59:43.1-05:00\n##double\n# ENC-ish: x\n",
                "\"yes\":\n   - 'trail '\n   - \"1:20\"\n   - '[x'\n'?': \"1e3\"\n\"tab\\tkey\": 2.5e-300\nk: 2001-12-14T21:59:43.1-05:00\n##double\n# ENC-ish: x\n",
            ],
        ),
        (
            "c51",
            Tree {
                branches: vec![m(vec![
                    p(
                        "with space",
                        Value::Time(Timestamp {
                            year: 2001,
                            month: 12,
                            day: 14,
                            hour: 21,
                            minute: 59,
                            second: 43,
                            nanosecond: 100000000,
                            offset_seconds: None,
                        }),
                    ),
                    p("é", Value::Float(f64::NAN)),
                ])],
            },
            [
                "with space: 2001-12-14T21:59:43.1Z\né: .nan\n",
                "with space: 2001-12-14T21:59:43.1Z\né: .nan\n",
                "with space: 2001-12-14T21:59:43.1Z\né: .nan\n",
            ],
        ),
        (
            "c52",
            Tree {
                branches: vec![m(vec![
                    p("key", Value::Bool(false)),
                    c(" comment here"),
                    p(
                        "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                        l(vec![
                            l(vec![
                                s("hello world"),
                                s("a  b"),
                                l(vec![
                                    lc("  indented comment"),
                                    l(vec![]),
                                    mv(vec![
                                        c("  indented comment"),
                                        c(" ENC-ish: x"),
                                        p("x-y", s("on")),
                                        c("  indented comment"),
                                        c(" ENC-ish: x"),
                                        p("#c", i(42i64)),
                                    ]),
                                    lc(" ключ"),
                                    lc(" comment here"),
                                    s("значение"),
                                ]),
                            ]),
                            lc("#double"),
                            i(1i64),
                            mv(vec![p(
                                "long_key_name",
                                l(vec![Value::Time(Timestamp {
                                    year: 2002,
                                    month: 12,
                                    day: 14,
                                    hour: 0,
                                    minute: 0,
                                    second: 0,
                                    nanosecond: 0,
                                    offset_seconds: None,
                                })]),
                            )]),
                        ]),
                    ),
                    p(
                        "with space",
                        l(vec![
                            mv(vec![]),
                            l(vec![]),
                            l(vec![
                                s("x# y"),
                                lc("  indented comment"),
                                lc(" ENC-ish: x"),
                                s("~"),
                            ]),
                        ]),
                    ),
                    c(" comment here"),
                ])],
            },
            [
                "key: false\n# comment here\nkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk:\n    - - hello world\n      - a  b\n      #  indented comment\n      - - []\n        #  indented comment\n        # ENC-ish: x\n        - x-y: \"on\"\n          #  indented comment\n          # ENC-ish: x\n          '#c': 42\n        # ключ\n        # comment here\n        - значение\n    ##double\n    - 1\n    - long_key_name:\n        - 2002-12-14T00:00:00Z\nwith space:\n    - {}\n    - []\n    - - x# y\n      #  indented comment\n      # ENC-ish: x\n      - \"~\"\n# comment here\n",
                "key: false\n# comment here\nkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk:\n  - - hello world\n    - a  b\n    #  indented comment\n    - - []\n      #  indented comment\n      # ENC-ish: x\n      - x-y: \"on\"\n        #  indented comment\n        # ENC-ish: x\n        '#c': 42\n      # ключ\n      # comment here\n      - значение\n  ##double\n  - 1\n  - long_key_name:\n      - 2002-12-14T00:00:00Z\nwith space:\n  - {}\n  - []\n  - - x# y\n    #  indented comment\n    # ENC-ish: x\n    - \"~\"\n# comment here\n",
                "key: false\n# comment here\nkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk:\n   - - hello world\n     - a  b\n     #  indented comment\n     - - []\n       #  indented comment\n       # ENC-ish: x\n       - x-y: \"on\"\n         #  indented comment\n         # ENC-ish: x\n         '#c': 42\n       # ключ\n       # comment here\n       - значение\n   ##double\n   - 1\n   - long_key_name:\n      - 2002-12-14T00:00:00Z\nwith space:\n   - {}\n   - []\n   - - x# y\n     #  indented comment\n     # ENC-ish: x\n     - \"~\"\n# comment here\n",
            ],
        ),
        (
            "c53",
            Tree {
                branches: vec![m(vec![
                    p(
                        "true",
                        mv(vec![
                            p(" sp", mv(vec![])),
                            p("1", s("q'uote")),
                            c(" comment here"),
                            c(" ключ"),
                            p("key", s("? x")),
                            p(
                                "with space",
                                l(vec![
                                    l(vec![]),
                                    Value::Bool(false),
                                    l(vec![Value::Bool(true)]),
                                    mv(vec![
                                        c(" c"),
                                        p(
                                            "long_key_name",
                                            l(vec![
                                                s("\u{1b}"),
                                                lc(" comment here"),
                                                s("\"q\" and \\"),
                                                s("? x"),
                                            ]),
                                        ),
                                    ]),
                                ]),
                            ),
                        ]),
                    ),
                    p("1", mv(vec![])),
                    p("", s("%x")),
                    p("long_key_name", Value::Bool(true)),
                    p(
                        "a: b",
                        l(vec![
                            s(" lead"),
                            s("\u{1f600}"),
                            s("hello world"),
                            mv(vec![
                                p("2001-12-14", Value::Float(1e+21_f64)),
                                p(
                                    "-",
                                    l(vec![
                                        Value::Bool(false),
                                        lc(" ключ"),
                                        lc(" c"),
                                        l(vec![
                                            s("+1"),
                                            s("tab\there"),
                                            lc(" ключ"),
                                            lc("  indented comment"),
                                            s("{x"),
                                        ]),
                                    ]),
                                ),
                                p("k", s(" x\n")),
                            ]),
                        ]),
                    ),
                    c(" c"),
                ])],
            },
            [
                "\"true\":\n    ' sp': {}\n    \"1\": q'uote\n    # comment here\n    # ключ\n    key: '? x'\n    with space:\n        - []\n        - false\n        - - true\n        # c\n        - long_key_name:\n            - \"\\e\"\n            # comment here\n            - '\"q\" and \\'\n            - '? x'\n\"1\": {}\n\"\": '%x'\nlong_key_name: true\n'a: b':\n    - ' lead'\n    - \"\\U0001F600\"\n    - hello world\n    - \"2001-12-14\": 1e+21\n      '-':\n        - false\n        # ключ\n        # c\n        - - \"+1\"\n          - \"tab\\there\"\n          # ключ\n          #  indented comment\n          - '{x'\n      k: |4\n         x\n# c\n",
                "\"true\":\n  ' sp': {}\n  \"1\": q'uote\n  # comment here\n  # ключ\n  key: '? x'\n  with space:\n    - []\n    - false\n    - - true\n    # c\n    - long_key_name:\n        - \"\\e\"\n        # comment here\n        - '\"q\" and \\'\n        - '? x'\n\"1\": {}\n\"\": '%x'\nlong_key_name: true\n'a: b':\n  - ' lead'\n  - \"\\U0001F600\"\n  - hello world\n  - \"2001-12-14\": 1e+21\n    '-':\n      - false\n      # ключ\n      # c\n      - - \"+1\"\n        - \"tab\\there\"\n        # ключ\n        #  indented comment\n        - '{x'\n    k: |2\n       x\n# c\n",
                "\"true\":\n   ' sp': {}\n   \"1\": q'uote\n   # comment here\n   # ключ\n   key: '? x'\n   with space:\n      - []\n      - false\n      - - true\n      # c\n      - long_key_name:\n         - \"\\e\"\n         # comment here\n         - '\"q\" and \\'\n         - '? x'\n\"1\": {}\n\"\": '%x'\nlong_key_name: true\n'a: b':\n   - ' lead'\n   - \"\\U0001F600\"\n   - hello world\n   - \"2001-12-14\": 1e+21\n     '-':\n      - false\n      # ключ\n      # c\n      - - \"+1\"\n        - \"tab\\there\"\n        # ключ\n        #  indented comment\n        - '{x'\n     k: |3\n       x\n# c\n",
            ],
        ),
        (
            "c54",
            Tree {
                branches: vec![m(vec![
                    p(
                        "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                        Value::Time(Timestamp {
                            year: 2020,
                            month: 2,
                            day: 29,
                            hour: 23,
                            minute: 59,
                            second: 59,
                            nanosecond: 0,
                            offset_seconds: Some(19800),
                        }),
                    ),
                    p(
                        "null",
                        mv(vec![
                            p(
                                "true",
                                Value::Time(Timestamp {
                                    year: 2020,
                                    month: 2,
                                    day: 29,
                                    hour: 23,
                                    minute: 59,
                                    second: 59,
                                    nanosecond: 0,
                                    offset_seconds: Some(19800),
                                }),
                            ),
                            c("  indented comment"),
                            c("#double"),
                            p("?", l(vec![i(9223372036854775807i64), mv(vec![])])),
                            p("é", s("\u{1f389} party")),
                        ]),
                    ),
                    c(" ключ"),
                ])],
            },
            [
                "? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n: 2020-02-29T23:59:59+05:30\n\"null\":\n    \"true\": 2020-02-29T23:59:59+05:30\n    #  indented comment\n    ##double\n    '?':\n        - 9223372036854775807\n        - {}\n    é: \"\\U0001F389 party\"\n# ключ\n",
                "? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n: 2020-02-29T23:59:59+05:30\n\"null\":\n  \"true\": 2020-02-29T23:59:59+05:30\n  #  indented comment\n  ##double\n  '?':\n    - 9223372036854775807\n    - {}\n  é: \"\\U0001F389 party\"\n# ключ\n",
                "? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n: 2020-02-29T23:59:59+05:30\n\"null\":\n   \"true\": 2020-02-29T23:59:59+05:30\n   #  indented comment\n   ##double\n   '?':\n      - 9223372036854775807\n      - {}\n   é: \"\\U0001F389 party\"\n# ключ\n",
            ],
        ),
        (
            "c55",
            Tree {
                branches: vec![m(vec![c(" c"), c(" ENC-ish: x"), p("true", s("a -b"))])],
            },
            [
                "# c\n# ENC-ish: x\n\"true\": a -b\n",
                "# c\n# ENC-ish: x\n\"true\": a -b\n",
                "# c\n# ENC-ish: x\n\"true\": a -b\n",
            ],
        ),
        (
            "c56",
            Tree {
                branches: vec![m(vec![
                    p("k", Value::Float(2.5e-300_f64)),
                    p(
                        "tab\tkey",
                        s(
                            "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                        ),
                    ),
                    p("yes", Value::Float(0.0001_f64)),
                    p(
                        "key",
                        mv(vec![
                            c(" ключ"),
                            p(
                                "emoji\u{1f600}",
                                l(vec![lc("  indented comment"), s("\u{0}")]),
                            ),
                            p("long_key_name", l(vec![s("x\n\ty")])),
                            p("key\nnl", Value::Float(-0.5_f64)),
                        ]),
                    ),
                    p("-", l(vec![])),
                ])],
            },
            [
                "k: 2.5e-300\n\"tab\\tkey\": kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n\"yes\": 0.0001\nkey:\n    # ключ\n    \"emoji\\U0001F600\":\n        #  indented comment\n        - \"\\0\"\n    long_key_name:\n        - |-\n          x\n          \ty\n    ? |-\n        key\n        nl\n    : -0.5\n'-': []\n",
                "k: 2.5e-300\n\"tab\\tkey\": kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n\"yes\": 0.0001\nkey:\n  # ключ\n  \"emoji\\U0001F600\":\n    #  indented comment\n    - \"\\0\"\n  long_key_name:\n    - |-\n      x\n      \ty\n  ? |-\n    key\n    nl\n  : -0.5\n'-': []\n",
                "k: 2.5e-300\n\"tab\\tkey\": kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n\"yes\": 0.0001\nkey:\n   # ключ\n   \"emoji\\U0001F600\":\n      #  indented comment\n      - \"\\0\"\n   long_key_name:\n      - |-\n        x\n        \ty\n   ? |-\n      key\n      nl\n   : -0.5\n'-': []\n",
            ],
        ),
        (
            "c57",
            Tree {
                branches: vec![m(vec![p(" sp", s("x\n ")), c(" ENC-ish: x"), c(" ключ")])],
            },
            [
                "' sp': \"x\\n \"\n# ENC-ish: x\n# ключ\n",
                "' sp': \"x\\n \"\n# ENC-ish: x\n# ключ\n",
                "' sp': \"x\\n \"\n# ENC-ish: x\n# ключ\n",
            ],
        ),
        (
            "c58",
            Tree {
                branches: vec![m(vec![
                    p(
                        "true",
                        mv(vec![
                            c("#double"),
                            c("#double"),
                            p(
                                "key",
                                l(vec![
                                    l(vec![mv(vec![]), s("x\n\ty"), mv(vec![])]),
                                    lc("#double"),
                                    Value::Null,
                                ]),
                            ),
                        ]),
                    ),
                    c(" ENC-ish: x"),
                    p("a: b", l(vec![s("- dash")])),
                    p("k", Value::Float(f64::NEG_INFINITY)),
                    p(
                        "with space",
                        mv(vec![
                            p("emoji\u{1f600}", mv(vec![p("a: b", s("- dash"))])),
                            p(
                                "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                                Value::Time(Timestamp {
                                    year: 2001,
                                    month: 12,
                                    day: 14,
                                    hour: 21,
                                    minute: 59,
                                    second: 43,
                                    nanosecond: 100000000,
                                    offset_seconds: Some(-18000),
                                }),
                            ),
                            p("key\nnl", s("*x")),
                            p("tab\tkey", l(vec![])),
                        ]),
                    ),
                    c(" c"),
                    p("long_key_name", s(" x\n")),
                    c(" ключ"),
                ])],
            },
            [
                "\"true\":\n    ##double\n    ##double\n    key:\n        - - {}\n          - |-\n            x\n            \ty\n          - {}\n        ##double\n        - null\n# ENC-ish: x\n'a: b':\n    - '- dash'\nk: -.inf\nwith space:\n    \"emoji\\U0001F600\":\n        'a: b': '- dash'\n    ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n    : 2001-12-14T21:59:43.1-05:00\n    ? |-\n        key\n        nl\n    : '*x'\n    \"tab\\tkey\": []\n# c\nlong_key_name: |4\n     x\n# ключ\n",
                "\"true\":\n  ##double\n  ##double\n  key:\n    - - {}\n      - |-\n        x\n        \ty\n      - {}\n    ##double\n    - null\n# ENC-ish: x\n'a: b':\n  - '- dash'\nk: -.inf\nwith space:\n  \"emoji\\U0001F600\":\n    'a: b': '- dash'\n  ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n  : 2001-12-14T21:59:43.1-05:00\n  ? |-\n    key\n    nl\n  : '*x'\n  \"tab\\tkey\": []\n# c\nlong_key_name: |2\n   x\n# ключ\n",
                "\"true\":\n   ##double\n   ##double\n   key:\n      - - {}\n        - |-\n          x\n          \ty\n        - {}\n      ##double\n      - null\n# ENC-ish: x\n'a: b':\n   - '- dash'\nk: -.inf\nwith space:\n   \"emoji\\U0001F600\":\n      'a: b': '- dash'\n   ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n   : 2001-12-14T21:59:43.1-05:00\n   ? |-\n      key\n      nl\n   : '*x'\n   \"tab\\tkey\": []\n# c\nlong_key_name: |3\n    x\n# ключ\n",
            ],
        ),
        (
            "c59",
            Tree {
                branches: vec![m(vec![
                    p("a", l(vec![])),
                    p(
                        "long_key_name",
                        mv(vec![
                            p("k", s("  indented\nsecond")),
                            p(
                                "a: b",
                                mv(vec![
                                    c(" c"),
                                    p("emoji\u{1f600}", s("x #y")),
                                    c(" ENC-ish: x"),
                                    p("a: b", i(1i64)),
                                ]),
                            ),
                            p(
                                "yes",
                                mv(vec![
                                    p(
                                        "b",
                                        mv(vec![
                                            p("k", s("trail ")),
                                            p(
                                                "#c",
                                                l(vec![
                                                    s(" "),
                                                    lc("  indented comment"),
                                                    lc(" ключ"),
                                                    Value::Float(1e+21_f64),
                                                    s(" lead"),
                                                ]),
                                            ),
                                            p("null", i(42i64)),
                                        ]),
                                    ),
                                    p(
                                        "q'k",
                                        Value::Time(Timestamp {
                                            year: 2001,
                                            month: 12,
                                            day: 14,
                                            hour: 21,
                                            minute: 59,
                                            second: 43,
                                            nanosecond: 100000000,
                                            offset_seconds: Some(-18000),
                                        }),
                                    ),
                                    p(" sp", Value::Float(0.1_f64)),
                                    c(" c"),
                                    c(" comment here"),
                                    p("emoji\u{1f600}", mv(vec![])),
                                ]),
                            ),
                            p(
                                "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                                s("  indented\nsecond"),
                            ),
                        ]),
                    ),
                ])],
            },
            [
                "a: []\nlong_key_name:\n    k: |4-\n          indented\n        second\n    'a: b':\n        # c\n        \"emoji\\U0001F600\": 'x #y'\n        # ENC-ish: x\n        'a: b': 1\n    \"yes\":\n        b:\n            k: 'trail '\n            '#c':\n                - ' '\n                #  indented comment\n                # ключ\n                - 1e+21\n                - ' lead'\n            \"null\": 42\n        q'k: 2001-12-14T21:59:43.1-05:00\n        ' sp': 0.1\n        # c\n        # comment here\n        \"emoji\\U0001F600\": {}\n    kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: |4-\n          indented\n        second\n",
                "a: []\nlong_key_name:\n  k: |2-\n      indented\n    second\n  'a: b':\n    # c\n    \"emoji\\U0001F600\": 'x #y'\n    # ENC-ish: x\n    'a: b': 1\n  \"yes\":\n    b:\n      k: 'trail '\n      '#c':\n        - ' '\n        #  indented comment\n        # ключ\n        - 1e+21\n        - ' lead'\n      \"null\": 42\n    q'k: 2001-12-14T21:59:43.1-05:00\n    ' sp': 0.1\n    # c\n    # comment here\n    \"emoji\\U0001F600\": {}\n  kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: |2-\n      indented\n    second\n",
                "a: []\nlong_key_name:\n   k: |3-\n        indented\n      second\n   'a: b':\n      # c\n      \"emoji\\U0001F600\": 'x #y'\n      # ENC-ish: x\n      'a: b': 1\n   \"yes\":\n      b:\n         k: 'trail '\n         '#c':\n            - ' '\n            #  indented comment\n            # ключ\n            - 1e+21\n            - ' lead'\n         \"null\": 42\n      q'k: 2001-12-14T21:59:43.1-05:00\n      ' sp': 0.1\n      # c\n      # comment here\n      \"emoji\\U0001F600\": {}\n   kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: |3-\n        indented\n      second\n",
            ],
        ),
        (
            "c60",
            Tree {
                branches: vec![m(vec![
                    p("a: b", Value::Bool(false)),
                    p(
                        "#c",
                        Value::Time(Timestamp {
                            year: 2001,
                            month: 12,
                            day: 14,
                            hour: 21,
                            minute: 59,
                            second: 43,
                            nanosecond: 100000000,
                            offset_seconds: Some(-18000),
                        }),
                    ),
                    p("emoji\u{1f600}", s("café au lait")),
                ])],
            },
            [
                "'a: b': false\n'#c': 2001-12-14T21:59:43.1-05:00\n\"emoji\\U0001F600\": café au lait\n",
                "'a: b': false\n'#c': 2001-12-14T21:59:43.1-05:00\n\"emoji\\U0001F600\": café au lait\n",
                "'a: b': false\n'#c': 2001-12-14T21:59:43.1-05:00\n\"emoji\\U0001F600\": café au lait\n",
            ],
        ),
        (
            "c61",
            Tree {
                branches: vec![m(vec![
                    p("1", l(vec![l(vec![]), s("[x")])),
                    p("#c", l(vec![])),
                    c(" ключ"),
                    p("q'k", l(vec![s("?")])),
                ])],
            },
            [
                "\"1\":\n    - []\n    - '[x'\n'#c': []\n# ключ\nq'k:\n    - '?'\n",
                "\"1\":\n  - []\n  - '[x'\n'#c': []\n# ключ\nq'k:\n  - '?'\n",
                "\"1\":\n   - []\n   - '[x'\n'#c': []\n# ключ\nq'k:\n   - '?'\n",
            ],
        ),
        (
            "c62",
            Tree {
                branches: vec![m(vec![
                    c(" ключ"),
                    p("1", Value::Float(123456789.0_f64)),
                    c("#double"),
                    p("with space", l(vec![s("42")])),
                    p(
                        "2001-12-14",
                        l(vec![mv(vec![p("x-y", s("`x")), p("#c", l(vec![]))])]),
                    ),
                    p("a: b", mv(vec![p("tab\tkey", i(0i64))])),
                    p("-", s(":x")),
                    c(" ключ"),
                    c(" ключ"),
                ])],
            },
            [
                "# ключ\n\"1\": 1.23456789e+08\n##double\nwith space:\n    - \"42\"\n\"2001-12-14\":\n    - x-y: '`x'\n      '#c': []\n'a: b':\n    \"tab\\tkey\": 0\n'-': :x\n# ключ\n# ключ\n",
                "# ключ\n\"1\": 1.23456789e+08\n##double\nwith space:\n  - \"42\"\n\"2001-12-14\":\n  - x-y: '`x'\n    '#c': []\n'a: b':\n  \"tab\\tkey\": 0\n'-': :x\n# ключ\n# ключ\n",
                "# ключ\n\"1\": 1.23456789e+08\n##double\nwith space:\n   - \"42\"\n\"2001-12-14\":\n   - x-y: '`x'\n     '#c': []\n'a: b':\n   \"tab\\tkey\": 0\n'-': :x\n# ключ\n# ключ\n",
            ],
        ),
        (
            "c63",
            Tree {
                branches: vec![m(vec![
                    p(
                        "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                        l(vec![
                            s("\u{2028}"),
                            i(0i64),
                            l(vec![Value::Float(-0.5_f64)]),
                        ]),
                    ),
                    p("?", i(100000i64)),
                    p(
                        "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                        s("null"),
                    ),
                    p("key", mv(vec![])),
                    c("  indented comment"),
                ])],
            },
            [
                "? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n:   - '\u{2028}'\n    - 0\n    - - -0.5\n'?': 100000\nkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: \"null\"\nkey: {}\n#  indented comment\n",
                "? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n: - '\u{2028}'\n  - 0\n  - - -0.5\n'?': 100000\nkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: \"null\"\nkey: {}\n#  indented comment\n",
                "? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n:  - '\u{2028}'\n   - 0\n   - - -0.5\n'?': 100000\nkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: \"null\"\nkey: {}\n#  indented comment\n",
            ],
        ),
        (
            "c64",
            Tree {
                branches: vec![m(vec![
                    p(
                        "b",
                        Value::Time(Timestamp {
                            year: 2001,
                            month: 12,
                            day: 14,
                            hour: 21,
                            minute: 59,
                            second: 43,
                            nanosecond: 100000000,
                            offset_seconds: Some(-18000),
                        }),
                    ),
                    p(
                        "true",
                        mv(vec![p(
                            "tab\tkey",
                            mv(vec![p("a", Value::Float(100000.0_f64))]),
                        )]),
                    ),
                    p("é", s("NaN")),
                    c(" comment here"),
                    c("  indented comment"),
                    p("-", Value::Bool(false)),
                ])],
            },
            [
                "b: 2001-12-14T21:59:43.1-05:00\n\"true\":\n    \"tab\\tkey\":\n        a: 100000\né: NaN\n# comment here\n#  indented comment\n'-': false\n",
                "b: 2001-12-14T21:59:43.1-05:00\n\"true\":\n  \"tab\\tkey\":\n    a: 100000\né: NaN\n# comment here\n#  indented comment\n'-': false\n",
                "b: 2001-12-14T21:59:43.1-05:00\n\"true\":\n   \"tab\\tkey\":\n      a: 100000\né: NaN\n# comment here\n#  indented comment\n'-': false\n",
            ],
        ),
        (
            "c65",
            Tree {
                branches: vec![m(vec![
                    p(
                        "a: b",
                        l(vec![
                            Value::Time(Timestamp {
                                year: 2020,
                                month: 2,
                                day: 29,
                                hour: 23,
                                minute: 59,
                                second: 59,
                                nanosecond: 0,
                                offset_seconds: Some(19800),
                            }),
                            i(9223372036854775807i64),
                            lc("  indented comment"),
                            lc(" ENC-ish: x"),
                            s("\nx"),
                        ]),
                    ),
                    p("", l(vec![])),
                    p("long_key_name", Value::Float(1e-05_f64)),
                    p("q'k", s("x# y")),
                ])],
            },
            [
                "'a: b':\n    - 2020-02-29T23:59:59+05:30\n    - 9223372036854775807\n    #  indented comment\n    # ENC-ish: x\n    - |4-\n\n      x\n\"\": []\nlong_key_name: 1e-05\nq'k: x# y\n",
                "'a: b':\n  - 2020-02-29T23:59:59+05:30\n  - 9223372036854775807\n  #  indented comment\n  # ENC-ish: x\n  - |2-\n\n    x\n\"\": []\nlong_key_name: 1e-05\nq'k: x# y\n",
                "'a: b':\n   - 2020-02-29T23:59:59+05:30\n   - 9223372036854775807\n   #  indented comment\n   # ENC-ish: x\n   - |3-\n\n     x\n\"\": []\nlong_key_name: 1e-05\nq'k: x# y\n",
            ],
        ),
        (
            "c66",
            Tree {
                branches: vec![m(vec![p("a: b", s("*x"))])],
            },
            ["'a: b': '*x'\n", "'a: b': '*x'\n", "'a: b': '*x'\n"],
        ),
        (
            "c67",
            Tree {
                branches: vec![m(vec![p(
                    "b",
                    l(vec![
                        mv(vec![
                            p("?", l(vec![])),
                            c(" comment here"),
                            p("emoji\u{1f600}", s("1:20")),
                            p("key\nnl", Value::Null),
                        ]),
                        lc(" comment here"),
                        l(vec![
                            lc(" ENC-ish: x"),
                            lc(" comment here"),
                            mv(vec![
                                p("key", i(0i64)),
                                p("?", s("ENC[AES256_GCM,data:abc=,iv:x,tag:y,type:str]")),
                                p(
                                    "k",
                                    mv(vec![
                                        p("a", Value::Null),
                                        p("-", s("42")),
                                        p("tab\tkey", s("=")),
                                    ]),
                                ),
                            ]),
                            Value::Time(Timestamp {
                                year: 2020,
                                month: 2,
                                day: 29,
                                hour: 23,
                                minute: 59,
                                second: 59,
                                nanosecond: 0,
                                offset_seconds: Some(19800),
                            }),
                            s("?q"),
                            l(vec![s("2001-12-14")]),
                        ]),
                        s("\u{1f389} party"),
                    ]),
                )])],
            },
            [
                "b:\n    - '?': []\n      # comment here\n      \"emoji\\U0001F600\": \"1:20\"\n      ? |-\n        key\n        nl\n      : null\n    # comment here\n    # ENC-ish: x\n    # comment here\n    - - key: 0\n        '?': ENC[AES256_GCM,data:abc=,iv:x,tag:y,type:str]\n        k:\n            a: null\n            '-': \"42\"\n            \"tab\\tkey\": =\n      - 2020-02-29T23:59:59+05:30\n      - ?q\n      - - \"2001-12-14\"\n    - \"\\U0001F389 party\"\n",
                "b:\n  - '?': []\n    # comment here\n    \"emoji\\U0001F600\": \"1:20\"\n    ? |-\n      key\n      nl\n    : null\n  # comment here\n  # ENC-ish: x\n  # comment here\n  - - key: 0\n      '?': ENC[AES256_GCM,data:abc=,iv:x,tag:y,type:str]\n      k:\n        a: null\n        '-': \"42\"\n        \"tab\\tkey\": =\n    - 2020-02-29T23:59:59+05:30\n    - ?q\n    - - \"2001-12-14\"\n  - \"\\U0001F389 party\"\n",
                "b:\n   - '?': []\n     # comment here\n     \"emoji\\U0001F600\": \"1:20\"\n     ? |-\n      key\n      nl\n     : null\n   # comment here\n   # ENC-ish: x\n   # comment here\n   - - key: 0\n       '?': ENC[AES256_GCM,data:abc=,iv:x,tag:y,type:str]\n       k:\n         a: null\n         '-': \"42\"\n         \"tab\\tkey\": =\n     - 2020-02-29T23:59:59+05:30\n     - ?q\n     - - \"2001-12-14\"\n   - \"\\U0001F389 party\"\n",
            ],
        ),
        (
            "c68",
            Tree {
                branches: vec![m(vec![
                    p(
                        "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                        mv(vec![
                            p("b", s("a -b")),
                            p(
                                "emoji\u{1f600}",
                                l(vec![lc(" c"), s("?"), lc(" comment here"), l(vec![])]),
                            ),
                            p("with space", s("a, b")),
                            p("tab\tkey", mv(vec![])),
                        ]),
                    ),
                    p("-", i(-1i64)),
                    c(" ключ"),
                    c("  indented comment"),
                    p("b", mv(vec![])),
                    p("true", s("日本語")),
                    p("yes", mv(vec![])),
                    p("key", Value::Bool(true)),
                    c(" ENC-ish: x"),
                    c("#double"),
                ])],
            },
            [
                "? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n:   b: a -b\n    \"emoji\\U0001F600\":\n        # c\n        - '?'\n        # comment here\n        - []\n    with space: a, b\n    \"tab\\tkey\": {}\n'-': -1\n# ключ\n#  indented comment\nb: {}\n\"true\": 日本語\n\"yes\": {}\nkey: true\n# ENC-ish: x\n##double\n",
                "? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n: b: a -b\n  \"emoji\\U0001F600\":\n    # c\n    - '?'\n    # comment here\n    - []\n  with space: a, b\n  \"tab\\tkey\": {}\n'-': -1\n# ключ\n#  indented comment\nb: {}\n\"true\": 日本語\n\"yes\": {}\nkey: true\n# ENC-ish: x\n##double\n",
                "? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n:  b: a -b\n   \"emoji\\U0001F600\":\n      # c\n      - '?'\n      # comment here\n      - []\n   with space: a, b\n   \"tab\\tkey\": {}\n'-': -1\n# ключ\n#  indented comment\nb: {}\n\"true\": 日本語\n\"yes\": {}\nkey: true\n# ENC-ish: x\n##double\n",
            ],
        ),
        (
            "c69",
            Tree {
                branches: vec![m(vec![
                    c(" c"),
                    p(
                        "key",
                        mv(vec![p(
                            "x-y",
                            l(vec![
                                i(1000000i64),
                                lc(" c"),
                                lc(" ключ"),
                                s("`x"),
                                l(vec![s("x]"), Value::Bool(false), s("?q"), s("x\n ")]),
                                s("&x"),
                            ]),
                        )]),
                    ),
                    p("with space", Value::Float(1e-07_f64)),
                    p(
                        "é",
                        l(vec![
                            lc(" ENC-ish: x"),
                            lc(" ENC-ish: x"),
                            mv(vec![p(
                                "yes",
                                l(vec![
                                    s("\u{1b}"),
                                    mv(vec![
                                        p(" sp", s("No")),
                                        p(
                                            "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                                            Value::Float(f64::NEG_INFINITY),
                                        ),
                                        c(" ключ"),
                                        c(" ENC-ish: x"),
                                        p("true", i(1000000i64)),
                                        c("  indented comment"),
                                        p("long_key_name", s("x\u{feff}y")),
                                    ]),
                                    i(i64::MIN),
                                ]),
                            )]),
                            lc(" comment here"),
                            lc("  indented comment"),
                            Value::Float(f64::INFINITY),
                        ]),
                    ),
                    c("  indented comment"),
                    c(" ENC-ish: x"),
                    p("2001-12-14", Value::Float(1000000.0_f64)),
                ])],
            },
            [
                "# c\nkey:\n    x-y:\n        - 1000000\n        # c\n        # ключ\n        - '`x'\n        - - x]\n          - false\n          - ?q\n          - \"x\\n \"\n        - '&x'\nwith space: 1e-07\né:\n    # ENC-ish: x\n    # ENC-ish: x\n    - \"yes\":\n        - \"\\e\"\n        - ' sp': \"No\"\n          ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n          : -.inf\n          # ключ\n          # ENC-ish: x\n          \"true\": 1000000\n          #  indented comment\n          long_key_name: \"x\\uFEFFy\"\n        - -9223372036854775808\n    # comment here\n    #  indented comment\n    - .inf\n#  indented comment\n# ENC-ish: x\n\"2001-12-14\": 1e+06\n",
                "# c\nkey:\n  x-y:\n    - 1000000\n    # c\n    # ключ\n    - '`x'\n    - - x]\n      - false\n      - ?q\n      - \"x\\n \"\n    - '&x'\nwith space: 1e-07\né:\n  # ENC-ish: x\n  # ENC-ish: x\n  - \"yes\":\n      - \"\\e\"\n      - ' sp': \"No\"\n        ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n        : -.inf\n        # ключ\n        # ENC-ish: x\n        \"true\": 1000000\n        #  indented comment\n        long_key_name: \"x\\uFEFFy\"\n      - -9223372036854775808\n  # comment here\n  #  indented comment\n  - .inf\n#  indented comment\n# ENC-ish: x\n\"2001-12-14\": 1e+06\n",
                "# c\nkey:\n   x-y:\n      - 1000000\n      # c\n      # ключ\n      - '`x'\n      - - x]\n        - false\n        - ?q\n        - \"x\\n \"\n      - '&x'\nwith space: 1e-07\né:\n   # ENC-ish: x\n   # ENC-ish: x\n   - \"yes\":\n      - \"\\e\"\n      - ' sp': \"No\"\n        ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n        : -.inf\n        # ключ\n        # ENC-ish: x\n        \"true\": 1000000\n        #  indented comment\n        long_key_name: \"x\\uFEFFy\"\n      - -9223372036854775808\n   # comment here\n   #  indented comment\n   - .inf\n#  indented comment\n# ENC-ish: x\n\"2001-12-14\": 1e+06\n",
            ],
        ),
        (
            "c70",
            Tree {
                branches: vec![m(vec![p("a: b", s("NaN")), c(" ENC-ish: x")])],
            },
            [
                "'a: b': NaN\n# ENC-ish: x\n",
                "'a: b': NaN\n# ENC-ish: x\n",
                "'a: b': NaN\n# ENC-ish: x\n",
            ],
        ),
        (
            "c71",
            Tree {
                branches: vec![m(vec![
                    p(
                        "with space",
                        Value::Time(Timestamp {
                            year: 2002,
                            month: 12,
                            day: 14,
                            hour: 0,
                            minute: 0,
                            second: 0,
                            nanosecond: 0,
                            offset_seconds: None,
                        }),
                    ),
                    c("  indented comment"),
                    p("yes", s(".5")),
                ])],
            },
            [
                "with space: 2002-12-14T00:00:00Z\n#  indented comment\n\"yes\": \".5\"\n",
                "with space: 2002-12-14T00:00:00Z\n#  indented comment\n\"yes\": \".5\"\n",
                "with space: 2002-12-14T00:00:00Z\n#  indented comment\n\"yes\": \".5\"\n",
            ],
        ),
        (
            "c72",
            Tree {
                branches: vec![m(vec![p("?", Value::Float(-0.0_f64))])],
            },
            ["'?': -0\n", "'?': -0\n", "'?': -0\n"],
        ),
        (
            "c73",
            Tree {
                branches: vec![m(vec![
                    p(
                        "b",
                        mv(vec![
                            p("a: b", s("a: b")),
                            c(" ключ"),
                            c(" c"),
                            p(
                                "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                                i(1000000i64),
                            ),
                            p("x-y", s("&x")),
                        ]),
                    ),
                    p("-", l(vec![])),
                    p(
                        "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                        s("a, b"),
                    ),
                    c("#double"),
                ])],
            },
            [
                "b:\n    'a: b': 'a: b'\n    # ключ\n    # c\n    ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n    : 1000000\n    x-y: '&x'\n'-': []\n? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n: a, b\n##double\n",
                "b:\n  'a: b': 'a: b'\n  # ключ\n  # c\n  ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n  : 1000000\n  x-y: '&x'\n'-': []\n? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n: a, b\n##double\n",
                "b:\n   'a: b': 'a: b'\n   # ключ\n   # c\n   ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n   : 1000000\n   x-y: '&x'\n'-': []\n? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n: a, b\n##double\n",
            ],
        ),
        (
            "c74",
            Tree {
                branches: vec![m(vec![
                    p("with space", Value::Bool(true)),
                    p("true", s("|x")),
                    c("  indented comment"),
                    c("  indented comment"),
                    p(
                        "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                        s("a, b"),
                    ),
                    p(
                        "null",
                        l(vec![
                            Value::Float(2.5e-300_f64),
                            lc(" ENC-ish: x"),
                            l(vec![
                                lc(" ENC-ish: x"),
                                l(vec![]),
                                lc(" ключ"),
                                mv(vec![
                                    p(
                                        "tab\tkey",
                                        mv(vec![
                                            p("1", s("x]")),
                                            p("b", s("bell\u{7}\nx")),
                                            p("long_key_name", s("42")),
                                            p("a: b", s("@x")),
                                        ]),
                                    ),
                                    c(" comment here"),
                                    p("#c", mv(vec![p("q'k", Value::Float(1e-05_f64))])),
                                    p("q'k", Value::Null),
                                ]),
                                lc(" comment here"),
                                lc(" comment here"),
                                mv(vec![
                                    p(
                                        "a: b",
                                        Value::Time(Timestamp {
                                            year: 2020,
                                            month: 2,
                                            day: 29,
                                            hour: 23,
                                            minute: 59,
                                            second: 59,
                                            nanosecond: 0,
                                            offset_seconds: Some(19800),
                                        }),
                                    ),
                                    p(
                                        "q'k",
                                        Value::Time(Timestamp {
                                            year: 2020,
                                            month: 2,
                                            day: 29,
                                            hour: 23,
                                            minute: 59,
                                            second: 59,
                                            nanosecond: 0,
                                            offset_seconds: Some(19800),
                                        }),
                                    ),
                                ]),
                                lc(" ENC-ish: x"),
                                mv(vec![p(
                                    "1",
                                    Value::Time(Timestamp {
                                        year: 2002,
                                        month: 12,
                                        day: 14,
                                        hour: 0,
                                        minute: 0,
                                        second: 0,
                                        nanosecond: 0,
                                        offset_seconds: None,
                                    }),
                                )]),
                            ]),
                            l(vec![mv(vec![
                                p(
                                    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                                    i(-1i64),
                                ),
                                p("null", mv(vec![p("", s("!x"))])),
                            ])]),
                        ]),
                    ),
                    p(
                        "long_key_name",
                        s("ENC[AES256_GCM,data:abc=,iv:x,tag:y,type:str]"),
                    ),
                    c(" comment here"),
                    c(" comment here"),
                ])],
            },
            [
                "with space: true\n\"true\": '|x'\n#  indented comment\n#  indented comment\n? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n: a, b\n\"null\":\n    - 2.5e-300\n    # ENC-ish: x\n    # ENC-ish: x\n    - - []\n      # ключ\n      - \"tab\\tkey\":\n            \"1\": x]\n            b: \"bell\\a\\nx\"\n            long_key_name: \"42\"\n            'a: b': '@x'\n        # comment here\n        '#c':\n            q'k: 1e-05\n        q'k: null\n      # comment here\n      # comment here\n      - 'a: b': 2020-02-29T23:59:59+05:30\n        q'k: 2020-02-29T23:59:59+05:30\n      # ENC-ish: x\n      - \"1\": 2002-12-14T00:00:00Z\n    - - ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n        : -1\n        \"null\":\n            \"\": '!x'\nlong_key_name: ENC[AES256_GCM,data:abc=,iv:x,tag:y,type:str]\n# comment here\n# comment here\n",
                "with space: true\n\"true\": '|x'\n#  indented comment\n#  indented comment\n? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n: a, b\n\"null\":\n  - 2.5e-300\n  # ENC-ish: x\n  # ENC-ish: x\n  - - []\n    # ключ\n    - \"tab\\tkey\":\n        \"1\": x]\n        b: \"bell\\a\\nx\"\n        long_key_name: \"42\"\n        'a: b': '@x'\n      # comment here\n      '#c':\n        q'k: 1e-05\n      q'k: null\n    # comment here\n    # comment here\n    - 'a: b': 2020-02-29T23:59:59+05:30\n      q'k: 2020-02-29T23:59:59+05:30\n    # ENC-ish: x\n    - \"1\": 2002-12-14T00:00:00Z\n  - - ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n      : -1\n      \"null\":\n        \"\": '!x'\nlong_key_name: ENC[AES256_GCM,data:abc=,iv:x,tag:y,type:str]\n# comment here\n# comment here\n",
                "with space: true\n\"true\": '|x'\n#  indented comment\n#  indented comment\n? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n: a, b\n\"null\":\n   - 2.5e-300\n   # ENC-ish: x\n   # ENC-ish: x\n   - - []\n     # ключ\n     - \"tab\\tkey\":\n         \"1\": x]\n         b: \"bell\\a\\nx\"\n         long_key_name: \"42\"\n         'a: b': '@x'\n       # comment here\n       '#c':\n         q'k: 1e-05\n       q'k: null\n     # comment here\n     # comment here\n     - 'a: b': 2020-02-29T23:59:59+05:30\n       q'k: 2020-02-29T23:59:59+05:30\n     # ENC-ish: x\n     - \"1\": 2002-12-14T00:00:00Z\n   - - ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n       : -1\n       \"null\":\n         \"\": '!x'\nlong_key_name: ENC[AES256_GCM,data:abc=,iv:x,tag:y,type:str]\n# comment here\n# comment here\n",
            ],
        ),
        (
            "c75",
            Tree {
                branches: vec![m(vec![
                    p("-", Value::Float(f64::NEG_INFINITY)),
                    p(
                        "emoji\u{1f600}",
                        l(vec![
                            lc(" c"),
                            lc("#double"),
                            Value::Float(-0.0_f64),
                            s("a\u{d}b"),
                        ]),
                    ),
                    p("x-y", Value::Float(1234567.5_f64)),
                    p(
                        "true",
                        Value::Time(Timestamp {
                            year: 2002,
                            month: 12,
                            day: 14,
                            hour: 0,
                            minute: 0,
                            second: 0,
                            nanosecond: 0,
                            offset_seconds: None,
                        }),
                    ),
                ])],
            },
            [
                "'-': -.inf\n\"emoji\\U0001F600\":\n    # c\n    ##double\n    - -0\n    - \"a\\rb\"\nx-y: 1.2345675e+06\n\"true\": 2002-12-14T00:00:00Z\n",
                "'-': -.inf\n\"emoji\\U0001F600\":\n  # c\n  ##double\n  - -0\n  - \"a\\rb\"\nx-y: 1.2345675e+06\n\"true\": 2002-12-14T00:00:00Z\n",
                "'-': -.inf\n\"emoji\\U0001F600\":\n   # c\n   ##double\n   - -0\n   - \"a\\rb\"\nx-y: 1.2345675e+06\n\"true\": 2002-12-14T00:00:00Z\n",
            ],
        ),
        (
            "c76",
            Tree {
                branches: vec![m(vec![
                    p(
                        "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                        s("\u{1b}"),
                    ),
                    p(
                        "null",
                        l(vec![
                            Value::Bool(true),
                            s("\u{c}"),
                            mv(vec![p("", s("\u{2028}")), p("q'k", s("   "))]),
                        ]),
                    ),
                    p("a", i(1i64)),
                    c(" ключ"),
                ])],
            },
            [
                "? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n: \"\\e\"\n\"null\":\n    - true\n    - \"\\f\"\n    - \"\": '\u{2028}'\n      q'k: '   '\na: 1\n# ключ\n",
                "? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n: \"\\e\"\n\"null\":\n  - true\n  - \"\\f\"\n  - \"\": '\u{2028}'\n    q'k: '   '\na: 1\n# ключ\n",
                "? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n: \"\\e\"\n\"null\":\n   - true\n   - \"\\f\"\n   - \"\": '\u{2028}'\n     q'k: '   '\na: 1\n# ключ\n",
            ],
        ),
        (
            "c77",
            Tree {
                branches: vec![m(vec![
                    c(" c"),
                    p(
                        "#c",
                        Value::Time(Timestamp {
                            year: 2002,
                            month: 12,
                            day: 14,
                            hour: 0,
                            minute: 0,
                            second: 0,
                            nanosecond: 0,
                            offset_seconds: None,
                        }),
                    ),
                    p("long_key_name", mv(vec![])),
                    c(" comment here"),
                    c(" comment here"),
                    p("yes", Value::Bool(true)),
                ])],
            },
            [
                "# c\n'#c': 2002-12-14T00:00:00Z\nlong_key_name: {}\n# comment here\n# comment here\n\"yes\": true\n",
                "# c\n'#c': 2002-12-14T00:00:00Z\nlong_key_name: {}\n# comment here\n# comment here\n\"yes\": true\n",
                "# c\n'#c': 2002-12-14T00:00:00Z\nlong_key_name: {}\n# comment here\n# comment here\n\"yes\": true\n",
            ],
        ),
        (
            "c78",
            Tree {
                branches: vec![m(vec![
                    p(
                        "b",
                        mv(vec![
                            p("", s("multi\nline\nwith 'quotes' and \"dq\"\n")),
                            p("é", Value::Float(0.1_f64)),
                        ]),
                    ),
                    c(" ENC-ish: x"),
                    p("x-y", s("a  b")),
                ])],
            },
            [
                "b:\n    \"\": |\n        multi\n        line\n        with 'quotes' and \"dq\"\n    é: 0.1\n# ENC-ish: x\nx-y: a  b\n",
                "b:\n  \"\": |\n    multi\n    line\n    with 'quotes' and \"dq\"\n  é: 0.1\n# ENC-ish: x\nx-y: a  b\n",
                "b:\n   \"\": |\n      multi\n      line\n      with 'quotes' and \"dq\"\n   é: 0.1\n# ENC-ish: x\nx-y: a  b\n",
            ],
        ),
        (
            "c79",
            Tree {
                branches: vec![m(vec![
                    p(
                        "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                        s(".5"),
                    ),
                    c(" c"),
                    c(" comment here"),
                    p("key\nnl", Value::Float(1e-07_f64)),
                    c(" ENC-ish: x"),
                    c("#double"),
                ])],
            },
            [
                "? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n: \".5\"\n# c\n# comment here\n? |-\n    key\n    nl\n: 1e-07\n# ENC-ish: x\n##double\n",
                "? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n: \".5\"\n# c\n# comment here\n? |-\n  key\n  nl\n: 1e-07\n# ENC-ish: x\n##double\n",
                "? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n: \".5\"\n# c\n# comment here\n? |-\n   key\n   nl\n: 1e-07\n# ENC-ish: x\n##double\n",
            ],
        ),
        (
            "c80",
            Tree {
                branches: vec![m(vec![
                    p("é", mv(vec![p(" sp", s("   ")), p("é", l(vec![]))])),
                    c(" comment here"),
                    p("null", s("a:b")),
                ])],
            },
            [
                "é:\n    ' sp': '   '\n    é: []\n# comment here\n\"null\": a:b\n",
                "é:\n  ' sp': '   '\n  é: []\n# comment here\n\"null\": a:b\n",
                "é:\n   ' sp': '   '\n   é: []\n# comment here\n\"null\": a:b\n",
            ],
        ),
    ]
}
