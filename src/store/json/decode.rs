//! JSON to tree, reproducing sops's token-by-token reader on Go's `json.Decoder`.
//!
//! sops builds its tree from `Decoder.Token()`, which keeps key order and
//! duplicate keys, ignores whatever follows the top-level object and has odd
//! but observable truncation behaviour (an object cut off after `"key":` loads
//! without that key). Mirroring the token states and sops's recursion keeps
//! exactly the same files accepted and the same error texts. The whole-input
//! validator reproduces `json.Unmarshal`'s syntax check, which sops runs on
//! encrypted files before reading their metadata.

use super::scan::{Lexer, Scalar, ScanError, go_quote, invalid, unquote};
use crate::gofmt::format_float_yaml;
use crate::tree::{Map, Value, text};

/// Deeper nesting is refused so that recursion (here and in every tree walk) stays bounded.
pub(crate) const MAX_DEPTH: usize = 1000;

const DEPTH_ERROR: &str = "exceeded max depth";

#[derive(Clone, Copy, PartialEq)]
enum State {
    TopValue,
    ArrayStart,
    ArrayValue,
    ArrayComma,
    ObjectStart,
    ObjectKey,
    ObjectColon,
    ObjectValue,
    ObjectComma,
}

/// One token, as `Decoder.Token()` returns it.
enum Token {
    BeginObject,
    EndObject,
    BeginArray,
    EndArray,
    Key(String),
    Value(Value),
}

/// Why building the tree stopped: Go's `io.EOF` (swallowed by an enclosing object) or an error.
enum Stop {
    Eof,
    Error(String),
}

impl From<String> for Stop {
    fn from(s: String) -> Self {
        Stop::Error(s)
    }
}

struct Decoder<'a> {
    lex: Lexer<'a>,
    state: State,
    stack: Vec<State>,
}

impl<'a> Decoder<'a> {
    fn new(input: &'a [u8]) -> Self {
        Self {
            lex: Lexer::new(input),
            state: State::TopValue,
            stack: Vec::new(),
        }
    }

    fn value_allowed(&self) -> bool {
        matches!(
            self.state,
            State::TopValue | State::ArrayStart | State::ArrayValue | State::ObjectValue
        )
    }

    fn value_end(&mut self) {
        self.state = match self.state {
            State::ArrayStart | State::ArrayValue => State::ArrayComma,
            State::ObjectValue => State::ObjectComma,
            other => other,
        };
    }

    fn token_error(&self, c: u8) -> Stop {
        let context = match self.state {
            State::TopValue | State::ArrayStart | State::ArrayValue | State::ObjectValue => {
                "looking for beginning of value"
            }
            State::ArrayComma => "after array element",
            State::ObjectKey => "looking for beginning of object key string",
            State::ObjectColon => "after object key",
            State::ObjectComma => "after object key:value pair",
            // Go gives no context here.
            State::ObjectStart => "",
        };
        match invalid(c, context) {
            ScanError::Syntax(m) => Stop::Error(m.trim_end().to_string()),
            ScanError::Eof => Stop::Eof,
        }
    }

    fn pop(&mut self) {
        self.state = self.stack.pop().unwrap_or(State::TopValue);
        self.value_end();
    }

    /// `Decoder.Token()`; `Err(Stop::Eof)` is Go's `io.EOF` at a token boundary.
    fn token(&mut self) -> Result<Token, Stop> {
        loop {
            let c = self.lex.peek_non_space().ok_or(Stop::Eof)?;
            match c {
                b'[' | b'{' => {
                    if !self.value_allowed() {
                        return Err(self.token_error(c));
                    }
                    if self.stack.len() >= MAX_DEPTH {
                        return Err(Stop::Error(DEPTH_ERROR.into()));
                    }
                    self.lex.pos += 1;
                    self.stack.push(self.state);
                    if c == b'[' {
                        self.state = State::ArrayStart;
                        return Ok(Token::BeginArray);
                    }
                    self.state = State::ObjectStart;
                    return Ok(Token::BeginObject);
                }
                b']' => {
                    if !matches!(self.state, State::ArrayStart | State::ArrayComma) {
                        return Err(self.token_error(c));
                    }
                    self.lex.pos += 1;
                    self.pop();
                    return Ok(Token::EndArray);
                }
                b'}' => {
                    if !matches!(self.state, State::ObjectStart | State::ObjectComma) {
                        return Err(self.token_error(c));
                    }
                    self.lex.pos += 1;
                    self.pop();
                    return Ok(Token::EndObject);
                }
                b':' => {
                    if self.state != State::ObjectColon {
                        return Err(self.token_error(c));
                    }
                    self.lex.pos += 1;
                    self.state = State::ObjectValue;
                }
                b',' => match self.state {
                    State::ArrayComma => {
                        self.lex.pos += 1;
                        self.state = State::ArrayValue;
                    }
                    State::ObjectComma => {
                        self.lex.pos += 1;
                        self.state = State::ObjectKey;
                    }
                    _ => return Err(self.token_error(c)),
                },
                b'"' if matches!(self.state, State::ObjectStart | State::ObjectKey) => {
                    let raw = self.lex.scan_string().map_err(decode_error)?;
                    self.state = State::ObjectColon;
                    return Ok(Token::Key(unquote(raw)));
                }
                _ => {
                    if !self.value_allowed() {
                        return Err(self.token_error(c));
                    }
                    let scalar = self.lex.scan_scalar().map_err(decode_error)?;
                    let value = scalar_value(scalar)?;
                    self.value_end();
                    return Ok(Token::Value(value));
                }
            }
        }
    }
}

/// An error from `Decoder.Decode` (a value cut off by the end of input is `unexpected EOF`).
fn decode_error(e: ScanError) -> Stop {
    match e {
        ScanError::Syntax(m) => Stop::Error(m),
        ScanError::Eof => Stop::Error("unexpected EOF".into()),
    }
}

fn scalar_value(scalar: Scalar<'_>) -> Result<Value, Stop> {
    Ok(match scalar {
        Scalar::Str(raw) => Value::Str(text(unquote(raw))),
        Scalar::Num(s) => match s.parse::<f64>() {
            Ok(f) if f.is_finite() => Value::Float(f),
            _ => {
                return Err(Stop::Error(format!(
                    "json: cannot unmarshal number {s} into Go value of type float64"
                )));
            }
        },
        Scalar::Bool(b) => Value::Bool(b),
        Scalar::Null => Value::Null,
    })
}

/// `%#v` and `%T` of a top-level scalar, for sops's "Expected JSON object start" message.
fn describe(value: &Value) -> (String, &'static str) {
    match value {
        Value::Str(s) => (go_quote(s), "string"),
        Value::Float(f) => (format_float_yaml(*f), "float64"),
        Value::Bool(b) => (b.to_string(), "bool"),
        _ => ("<nil>".into(), "<nil>"),
    }
}

/// Reads the top-level object the way sops's JSON store does; the text of
/// an error is sops's (without the `Could not unmarshal input data: ` prefix).
pub(super) fn parse_document(input: &[u8]) -> Result<Map, String> {
    parse_document_at(input).map_err(|(e, _)| e)
}

/// [`parse_document`], with the 1-based line where the reader stopped.
pub(super) fn parse_document_at(input: &[u8]) -> Result<Map, (String, usize)> {
    let mut dec = Decoder::new(input);
    let result = document(&mut dec);
    result.map_err(|e| {
        let before = input.get(..dec.lex.pos).unwrap_or(input);
        (e, before.iter().filter(|&&b| b == b'\n').count() + 1)
    })
}

fn document(dec: &mut Decoder<'_>) -> Result<Map, String> {
    match dec.token() {
        Err(Stop::Eof) => Err("EOF".into()),
        Err(Stop::Error(e)) => Err(e),
        Ok(Token::BeginObject) => match object(dec) {
            Ok(map) => Ok(map),
            Err(Stop::Error(e)) => Err(e),
            Err(Stop::Eof) => Err("EOF".into()),
        },
        Ok(Token::BeginArray) => Err("Expected JSON object start, got delimiter [ instead".into()),
        Ok(Token::Value(v)) => {
            let (shown, kind) = describe(&v);
            Err(format!(
                "Expected JSON object start, got {shown} of type {kind} instead"
            ))
        }
        Ok(_) => Err("Expected JSON object start".into()),
    }
}

/// sops's `treeBranchFromJSONDecoder`: an end of input between items ends the object.
fn object(dec: &mut Decoder<'_>) -> Result<Map, Stop> {
    let mut map = Map::new();
    loop {
        let key = match dec.token() {
            Ok(Token::Key(k)) => k,
            Ok(Token::EndObject) => return Ok(map),
            Err(Stop::Error(e)) => return Err(Stop::Error(e)),
            Ok(_) | Err(Stop::Eof) => {
                return Err(Stop::Error(
                    "Expected JSON object key, got %!s(<nil>) of type <nil> instead".into(),
                ));
            }
        };
        let value = match value(dec) {
            Ok(v) => v,
            Err(Stop::Eof) => return Ok(map),
            Err(e) => return Err(e),
        };
        map.push(key, value);
    }
}

/// The value after a key: a scalar or a nested container.
fn value(dec: &mut Decoder<'_>) -> Result<Value, Stop> {
    match dec.token()? {
        Token::BeginObject => object(dec).map(Value::Map),
        Token::BeginArray => array(dec).map(Value::List),
        Token::Value(v) => Ok(v),
        // The token states make these unreachable; treat them as a syntax error.
        Token::Key(_) | Token::EndArray | Token::EndObject => {
            Err(Stop::Error("unexpected token".into()))
        }
    }
}

/// sops's `sliceFromJSONDecoder`: an end of input inside a list is passed up as EOF.
fn array(dec: &mut Decoder<'_>) -> Result<Vec<Value>, Stop> {
    let mut list = Vec::new();
    loop {
        match dec.token()? {
            Token::EndArray => return Ok(list),
            Token::BeginObject => list.push(Value::Map(object(dec)?)),
            Token::BeginArray => list.push(Value::List(array(dec)?)),
            Token::Value(v) => list.push(v),
            Token::Key(_) | Token::EndObject => {
                return Err(Stop::Error("unexpected token".into()));
            }
        }
    }
}

/// The JSON type name Go's `UnmarshalTypeError` uses for the value starting with `c`.
pub(super) fn kind_of(c: u8) -> &'static str {
    match c {
        b'{' => "object",
        b'[' => "array",
        b'"' => "string",
        b't' | b'f' => "bool",
        b'n' => "null",
        _ => "number",
    }
}

/// `json.Unmarshal`'s syntax check of a whole input (`checkValid`), with Go's messages.
pub(super) fn validate(input: &[u8]) -> Result<(), String> {
    #[derive(Clone, Copy)]
    enum Ctx {
        Object,
        Array,
    }
    let eof = || "unexpected end of JSON input".to_string();
    let syntax = |e: ScanError| match e {
        ScanError::Syntax(m) => m,
        ScanError::Eof => "unexpected end of JSON input".to_string(),
    };
    let mut lex = Lexer::new(input);
    let mut stack: Vec<Ctx> = Vec::new();
    // true: a value is expected next; false: a value just ended.
    let mut want_value = true;
    loop {
        if want_value {
            let c = lex.peek_non_space().ok_or_else(eof)?;
            match c {
                b'{' => {
                    lex.pos += 1;
                    let c = lex.peek_non_space().ok_or_else(eof)?;
                    if c == b'}' {
                        lex.pos += 1;
                        want_value = false;
                        continue;
                    }
                    if stack.len() >= MAX_DEPTH {
                        return Err(DEPTH_ERROR.into());
                    }
                    stack.push(Ctx::Object);
                    expect_key(&mut lex, c).map_err(syntax)?;
                }
                b'[' => {
                    lex.pos += 1;
                    let c = lex.peek_non_space().ok_or_else(eof)?;
                    if c == b']' {
                        lex.pos += 1;
                        want_value = false;
                        continue;
                    }
                    if stack.len() >= MAX_DEPTH {
                        return Err(DEPTH_ERROR.into());
                    }
                    stack.push(Ctx::Array);
                }
                _ => {
                    lex.scan_scalar().map_err(syntax)?;
                    want_value = false;
                }
            }
            continue;
        }
        let Some(&ctx) = stack.last() else {
            return match lex.peek_non_space() {
                None => Ok(()),
                Some(c) => Err(syntax(invalid(c, "after top-level value"))),
            };
        };
        let c = lex.peek_non_space().ok_or_else(eof)?;
        lex.pos += 1;
        match (ctx, c) {
            (Ctx::Object, b',') => {
                let c = lex.peek_non_space().ok_or_else(eof)?;
                expect_key(&mut lex, c).map_err(syntax)?;
                want_value = true;
            }
            (Ctx::Array, b',') => want_value = true,
            (Ctx::Object, b'}') | (Ctx::Array, b']') => {
                stack.pop();
            }
            (Ctx::Object, c) => return Err(syntax(invalid(c, "after object key:value pair"))),
            (Ctx::Array, c) => return Err(syntax(invalid(c, "after array element"))),
        }
    }
}

/// A key and its colon; leaves the lexer where the value starts.
fn expect_key(lex: &mut Lexer<'_>, c: u8) -> Result<(), ScanError> {
    if c != b'"' {
        return Err(invalid(c, "looking for beginning of object key string"));
    }
    lex.scan_string()?;
    match lex.peek_non_space() {
        Some(b':') => {
            lex.pos += 1;
            Ok(())
        }
        Some(c) => Err(invalid(c, "after object key")),
        None => Err(ScanError::Eof),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(input: &str) -> String {
        match parse_document(input.as_bytes()) {
            Err(e) => e,
            Ok(m) => format!("ok {m:?}"),
        }
    }

    // Every expected text below was printed by sops 3.11.0 for the same input.
    #[test]
    fn errors_match_sops() {
        assert_eq!(
            err("[1]"),
            "Expected JSON object start, got delimiter [ instead"
        );
        assert_eq!(
            err("\"x\""),
            "Expected JSON object start, got \"x\" of type string instead"
        );
        assert_eq!(
            err(r#""a\u00e9\n""#),
            "Expected JSON object start, got \"aé\\n\" of type string instead"
        );
        assert_eq!(
            err("1"),
            "Expected JSON object start, got 1 of type float64 instead"
        );
        assert_eq!(
            err("1e21"),
            "Expected JSON object start, got 1e+21 of type float64 instead"
        );
        assert_eq!(
            err("true"),
            "Expected JSON object start, got true of type bool instead"
        );
        assert_eq!(
            err("null"),
            "Expected JSON object start, got <nil> of type <nil> instead"
        );
        assert_eq!(
            err("}"),
            "invalid character '}' looking for beginning of value"
        );
        assert_eq!(err(""), "EOF");
        assert_eq!(err("   "), "EOF");
        assert_eq!(
            err(r#"{"a": 1"#),
            "Expected JSON object key, got %!s(<nil>) of type <nil> instead"
        );
        assert_eq!(
            err(r#"{"a":{"b":"#),
            "Expected JSON object key, got %!s(<nil>) of type <nil> instead"
        );
        assert_eq!(err(r#"{"a":"abc"#), "unexpected EOF");
        assert_eq!(
            err(r#"{"a": 1,}"#),
            "invalid character '}' looking for beginning of object key string"
        );
        assert_eq!(err(r#"{"a" 1}"#), "invalid character '1' after object key");
        assert_eq!(
            err(r#"{"a": 1e400}"#),
            "json: cannot unmarshal number 1e400 into Go value of type float64"
        );
        assert_eq!(
            err(r#"{"a": tru}"#),
            "invalid character '}' in literal true (expecting 'e')"
        );
        assert_eq!(
            err("{\n\"a\": 1,\n\"b\": x}"),
            "invalid character 'x' looking for beginning of value"
        );
        assert_eq!(err("{1: 2}"), "invalid character '1'");
        assert_eq!(
            err(r#"{"a": 01}"#),
            "invalid character '1' after object key:value pair"
        );
        assert_eq!(
            err(r#"{"a": -}"#),
            "invalid character '}' in numeric literal"
        );
        assert_eq!(
            err("{\"a\": \"tab\tx\"}"),
            r"invalid character '\t' in string literal"
        );
        assert_eq!(
            err(r#"{"a":[1,2}"#),
            "invalid character '}' after array element"
        );
        assert_eq!(
            err(r#"{"a" : 1 "b"}"#),
            "invalid character '\"' after object key:value pair"
        );
        assert_eq!(
            err(r#"{"a": "\x"}"#),
            "invalid character 'x' in string escape code"
        );
        assert_eq!(
            err(r#"{"a": "\u12"}"#),
            r#"invalid character '"' in \u hexadecimal character escape"#
        );
        assert_eq!(
            err(r#"{"a": 1.}"#),
            "invalid character '}' after decimal point in numeric literal"
        );
        assert_eq!(
            err(r#"{"a": 1e}"#),
            "invalid character '}' in exponent of numeric literal"
        );
        assert_eq!(
            err(r#"{"a": nul}"#),
            "invalid character '}' in literal null (expecting 'l')"
        );
        assert_eq!(
            err(r#"{"a": fx}"#),
            "invalid character 'x' in literal false (expecting 'a')"
        );
        assert_eq!(
            err(r#"{"a": [1 2]}"#),
            "invalid character '2' after array element"
        );
    }

    // sops accepts these truncated inputs (checked with the 3.11.0 binary).
    #[test]
    fn truncation_quirks_match_sops() {
        assert_eq!(err(r#"{"a": "#), "ok {}");
        assert_eq!(err(r#"{"a": [1, 2"#), "ok {}");
        assert_eq!(err(r#"{"x": 1, "a": [{"b": "#), "ok {\"x\": <float64>}");
        assert_eq!(err(r#"{"a": 1} garbage"#), "ok {\"a\": <float64>}");
    }

    #[test]
    fn keeps_order_duplicates_and_types() {
        let m = parse_document(br#"{"b": 1, "a": [true, null, "s", {}], "b": 2.5}"#).unwrap();
        assert_eq!(m.items.len(), 3);
        assert_eq!(m.items[2].value, Value::Float(2.5));
        assert_eq!(
            m.items[1].value,
            Value::List(vec![
                Value::Bool(true),
                Value::Null,
                Value::str("s"),
                Value::Map(Map::new())
            ])
        );
        let big = parse_document(br#"{"big": 12345678901234567890}"#).unwrap();
        assert_eq!(big.items[0].value, Value::Float(12345678901234567000.0));
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowing() {
        let deep = format!("{{\"a\": {}1{}}}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(err(&deep), DEPTH_ERROR);
        assert_eq!(validate(deep.as_bytes()), Err(DEPTH_ERROR.into()));
        let ok = format!("{{\"a\": {}1{}}}", "[".repeat(500), "]".repeat(500));
        assert!(parse_document(ok.as_bytes()).is_ok());
    }

    #[test]
    fn validate_matches_unmarshal() {
        assert_eq!(
            validate(br#"{"a": 1} x"#),
            Err("invalid character 'x' after top-level value".into())
        );
        assert_eq!(
            validate(br#"{"a": 1"#),
            Err("unexpected end of JSON input".into())
        );
        assert_eq!(validate(b""), Err("unexpected end of JSON input".into()));
        assert_eq!(validate(br#"{"a": [1, {"b": null}], "c": {}} "#), Ok(()));
        assert_eq!(
            validate(br#"{"a",}"#),
            Err("invalid character ',' after object key".into())
        );
        assert_eq!(
            validate(br#"[1,]"#),
            Err("invalid character ']' looking for beginning of value".into())
        );
    }
}
